"""pad, in all of NumPy's modes, one axis at a time from slices, gathers and concatenation."""
from __future__ import annotations

import operator

import numpy as np

from irax.dialects.types import FLOATS

from .. import lax
from ..core import user_line
from . import _reductions as red
from . import _ufuncs as uf
from ._core import asarray

_MODES = ("constant", "edge", "linear_ramp", "maximum", "mean", "median", "minimum",
          "reflect", "symmetric", "wrap", "empty")


def _pairs(value, ndim, name, cast=operator.index):
    """NumPy's broadcasting of pad widths (or per-side values) to ndim (before, after) pairs."""
    from ..core import is_array
    if is_array(value) and value.aval.ndim == 0:  # a traced scalar value is fine as is
        return [(value, value)] * ndim
    arr = np.asarray(value, dtype=object)
    if arr.ndim <= 1 and arr.size in (1, 2):
        arr = np.repeat(arr.reshape(-1), 2 // arr.size)
    try:
        arr = np.broadcast_to(arr, (ndim, 2))
    except ValueError:
        raise ValueError(f"pad: {name} of shape {arr.shape} cannot be broadcast to ({ndim}, 2) "
                         f"(at {user_line()})") from None
    return [(cast(b), cast(a)) for b, a in arr]


def _sl(x, start, stop, axis):
    n = x.aval.shape[axis]
    start, stop, _ = slice(start, stop).indices(n)
    return lax.slice_in_dim(x, start, max(stop, start), axis=axis)


def _slab(x, value, width, axis):
    shape = list(x.aval.shape)
    shape[axis] = width
    v = asarray(value)
    return lax.broadcast_in_dim(lax.convert_element_type(v, x.aval.dtype), shape,
                                tuple(range(len(shape) - v.aval.ndim, len(shape))))


def _repeat_edge(edge, width, axis):
    shape = list(edge.aval.shape)
    shape[axis] = width
    return lax.broadcast_in_dim(lax.squeeze(edge, (axis,)), shape,
                                tuple(d for d in range(len(shape)) if d != axis))


def _cat(parts, axis):
    parts = [p for p in parts if p is not None and p.aval.shape[axis] > 0]
    return parts[0] if len(parts) == 1 else lax.concatenate(parts, axis)


def _reflect(x, before, after, axis, symmetric, odd):
    """Reflection in chunks of at most the original period, as NumPy builds it, so odd
    reflections keep extending from the newest edge."""
    n = x.aval.shape[axis]
    period = n if symmetric else n - 1
    if period == 0:
        return _cat([_repeat_edge(_sl(x, 0, 1, axis), before, axis), x,
                     _repeat_edge(_sl(x, -1, None, axis), after, axis)], axis)
    while before or after:
        m = x.aval.shape[axis]
        left = right = None
        if before:
            k = min(before, period)
            src = _sl(x, 0, k, axis) if symmetric else _sl(x, 1, k + 1, axis)
            left = lax.rev(src, (axis,))
            if odd:
                left = lax.sub(lax.mul(_repeat_edge(_sl(x, 0, 1, axis), k, axis), 2), left)
            before -= k
        if after:
            k = min(after, period)
            src = _sl(x, m - k, m, axis) if symmetric else _sl(x, m - k - 1, m - 1, axis)
            right = lax.rev(src, (axis,))
            if odd:
                right = lax.sub(lax.mul(_repeat_edge(_sl(x, -1, None, axis), k, axis), 2), right)
            after -= k
        x = _cat([left, x, right], axis)
    return x


def _round_like(v, x):
    if x.aval.dtype not in FLOATS:
        v = lax.round(v, lax.RoundingMethod.TO_NEAREST_EVEN)
    return lax.convert_element_type(v, x.aval.dtype)


def _stat(x, before, after, axis, mode, stat_length):
    from ._extra_statistics import median
    fn = {"maximum": red.max, "minimum": red.min, "mean": red.mean, "median": median}[mode]
    n = x.aval.shape[axis]
    lb, la = stat_length if stat_length is not None else (n, n)
    lb, la = (n if v is None else min(max(int(v), 1), n) for v in (lb, la))
    if n == 0 and (before or after):
        raise ValueError(f"pad: can't extend an empty axis {axis} with mode {mode!r} "
                         f"(at {user_line()})")
    parts = [None, x, None]
    if before:
        s = fn(_sl(x, 0, lb, axis), axis=axis, keepdims=True)
        parts[0] = _repeat_edge(_round_like(s, x) if mode in ("mean", "median") else s, before, axis)
    if after:
        s = fn(_sl(x, n - la, n, axis), axis=axis, keepdims=True)
        parts[2] = _repeat_edge(_round_like(s, x) if mode in ("mean", "median") else s, after, axis)
    return _cat(parts, axis)


def _ramp(edge, end, width, axis, x, reverse):
    """width values from `end` towards `edge` (exclusive), NumPy's linear_ramp."""
    from ._creation import linspace
    e = lax.squeeze(edge, (axis,))
    dt = x.aval.dtype if x.aval.dtype in FLOATS else "float32"
    t = linspace(0.0, 1.0, width, endpoint=False, dtype=dt)
    shape = list(edge.aval.shape)
    shape[axis] = width
    tb = lax.broadcast_in_dim(t, shape, (axis,))
    eb = lax.broadcast_in_dim(lax.convert_element_type(e, dt), shape,
                              tuple(d for d in range(len(shape)) if d != axis))
    endb = lax.broadcast_in_dim(lax.convert_element_type(asarray(end), dt), shape, ())
    r = lax.add(endb, lax.mul(lax.sub(eb, endb), tb))
    if x.aval.dtype not in FLOATS:
        r = lax.floor(r)
    r = lax.convert_element_type(r, x.aval.dtype)
    return lax.rev(r, (axis,)) if reverse else r


def pad(array, pad_width, mode="constant", **kwargs):
    x = asarray(array)
    nd = x.aval.ndim
    widths = _pairs(pad_width, nd, "pad_width")
    if any(b < 0 or a < 0 for b, a in widths):
        raise ValueError(f"pad: index can't contain negative values; got {pad_width} "
                         f"(at {user_line()})")
    if callable(mode):
        return _pad_callable(x, widths, mode, kwargs)
    if mode not in _MODES:
        raise ValueError(f"pad: unimplemented padding mode {mode!r}; use one of {_MODES} "
                         f"(at {user_line()})")
    allowed = {"constant": {"constant_values"}, "linear_ramp": {"end_values"},
               "maximum": {"stat_length"}, "mean": {"stat_length"}, "median": {"stat_length"},
               "minimum": {"stat_length"}, "reflect": {"reflect_type"},
               "symmetric": {"reflect_type"}}.get(mode, set())
    bad = set(kwargs) - allowed
    if bad:
        raise ValueError(f"pad: unsupported keyword arguments for mode {mode!r}: {sorted(bad)} "
                         f"(at {user_line()})")
    reflect_type = kwargs.get("reflect_type", "even")
    if reflect_type not in ("even", "odd"):
        raise ValueError(f"pad: reflect_type must be 'even' or 'odd', got {reflect_type!r}")
    if mode == "constant":
        values = _pairs(kwargs.get("constant_values", 0), nd, "constant_values", cast=lambda v: v)
    if mode == "linear_ramp":
        ends = _pairs(kwargs.get("end_values", 0), nd, "end_values", cast=lambda v: v)
    stat = kwargs.get("stat_length")
    stats = _pairs(stat, nd, "stat_length", cast=lambda v: v) if stat is not None else [None] * nd
    for axis, (before, after) in enumerate(widths):
        if not before and not after:
            continue
        n = x.aval.shape[axis]
        if mode in ("constant", "empty"):
            cb, ca = values[axis] if mode == "constant" else (0, 0)
            x = _cat([_slab(x, cb, before, axis), x, _slab(x, ca, after, axis)], axis)
        elif n == 0:
            raise ValueError(f"pad: can't extend empty axis {axis} using modes other than "
                             f"'constant' or 'empty' (at {user_line()})")
        elif mode == "edge":
            x = _cat([_repeat_edge(_sl(x, 0, 1, axis), before, axis), x,
                      _repeat_edge(_sl(x, -1, None, axis), after, axis)], axis)
        elif mode == "wrap":
            from ._indexing import take
            idx = np.arange(-before, n + after) % n
            x = take(x, asarray(idx.astype(np.int32)), axis=axis)
        elif mode in ("reflect", "symmetric"):
            x = _reflect(x, before, after, axis, mode == "symmetric", reflect_type == "odd")
        elif mode == "linear_ramp":
            eb, ea = ends[axis]
            x = _cat([_ramp(_sl(x, 0, 1, axis), eb, before, axis, x, False) if before else None,
                      x, _ramp(_sl(x, -1, None, axis), ea, after, axis, x, True) if after else None],
                     axis)
        else:
            x = _stat(x, before, after, axis, mode, stats[axis])
    return x


def _pad_callable(x, widths, fn, kwargs):
    """NumPy's functional form: fn(vector, (before, after), axis, kwargs) returns the
    padded vector, applied along each axis in turn to the zero-padded array."""
    from ._extra_functional import apply_along_axis
    x = pad(x, [(b, a) for b, a in widths], mode="constant")
    for axis in range(x.aval.ndim):
        x = apply_along_axis(fn, axis, x, widths[axis], axis, kwargs)
    return x
