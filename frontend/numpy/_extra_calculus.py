"""Differences, sums, interpolation and 1-d convolution, composed from slices, gathers
and matmul."""
from __future__ import annotations

import numpy as np

from .. import dtypes, lax
from ..core import user_line
from . import _reductions as red
from . import _ufuncs as uf
from ._core import asarray, broadcast_to, canonical_axis, promote


def _sl(x, start, stop, axis):
    n = x.aval.shape[axis]
    start, stop, _ = slice(start, stop).indices(n)
    return lax.slice_in_dim(x, start, max(stop, start), axis=axis)


def _edge(x, value, axis, op):
    """`value` as a slab to concatenate to x along axis (a scalar is broadcast)."""
    v = asarray(value)
    if v.aval.ndim == 0:
        shape = list(x.aval.shape)
        shape[axis] = 1
        v = broadcast_to(v, shape)
    return v


def diff(a, n=1, axis=-1, prepend=None, append=None):
    from ._shape import concatenate
    x = asarray(a)
    if n < 0:
        raise ValueError(f"diff: order must be non-negative but got {n} (at {user_line()})")
    if n == 0:
        return x
    if x.aval.ndim == 0:
        raise ValueError(f"diff: requires input that is at least one dimensional; got {a} "
                         f"(at {user_line()})")
    axis = canonical_axis(axis, x.aval.ndim, "diff")
    parts = [x]
    if prepend is not None:
        parts.insert(0, _edge(x, prepend, axis, "diff"))
    if append is not None:
        parts.append(_edge(x, append, axis, "diff"))
    if len(parts) > 1:
        x = concatenate(parts, axis=axis)
    for _ in range(n):
        hi, lo = _sl(x, 1, None, axis), _sl(x, None, -1, axis)
        x = lax.ne(hi, lo) if x.aval.dtype == "bool" else uf.subtract(hi, lo)
    return x


def ediff1d(ary, to_end=None, to_begin=None):
    from ._shape import concatenate, ravel
    x = ravel(asarray(ary))
    d = diff(x) if x.aval.shape[0] else x
    parts = [d]
    if to_begin is not None:
        parts.insert(0, lax.convert_element_type(ravel(asarray(to_begin)), d.aval.dtype))
    if to_end is not None:
        parts.append(lax.convert_element_type(ravel(asarray(to_end)), d.aval.dtype))
    return concatenate(parts) if len(parts) > 1 else d


def _cumulative(fn, identity, name, widen):
    def f(x, /, *, axis=None, dtype=None, include_initial=False):
        a = asarray(x)
        if a.aval.ndim == 0:
            raise ValueError(f"{name}: the input must be non-scalar (at {user_line()})")
        if axis is None:
            if a.aval.ndim > 1:
                raise ValueError(f"{name}: the input has {a.aval.ndim} dimensions; axis= is "
                                 f"required for inputs with more than one (at {user_line()})")
            axis = 0
        axis = canonical_axis(axis, a.aval.ndim, name)
        if dtype is None and widen:
            a = red._widen_small(a)  # cumulative_sum widens small ints as sum does, in JAX
        out = fn(a, axis=axis, dtype=dtype)
        if include_initial:
            shape = list(out.aval.shape)
            shape[axis] = 1
            init = lax.broadcast_in_dim(asarray(identity, out.aval.dtype), shape, ())
            out = lax.concatenate([init, out], axis)
        return out
    f.__name__ = name
    return f


cumulative_sum = _cumulative(red.cumsum, 0, "cumulative_sum", True)
cumulative_prod = _cumulative(red.cumprod, 1, "cumulative_prod", False)


def _along(v, x, axis):
    return lax.broadcast_in_dim(v, x.aval.shape, (axis,))


def gradient(f, *varargs, axis=None, edge_order=None):
    """Central differences inside, one-sided at the ends; spacing per axis is a scalar
    or the coordinates (NumPy's second-order formula for uneven spacing)."""
    if edge_order is not None:
        raise NotImplementedError(f"gradient: the edge_order argument is not supported "
                                  f"(at {user_line()})")
    y = uf._to_float(f)
    axes = tuple(range(y.aval.ndim)) if axis is None else tuple(
        canonical_axis(a, y.aval.ndim, "gradient")
        for a in (axis if isinstance(axis, (tuple, list)) else (axis,)))
    if not varargs:
        spacing = [1.0] * len(axes)
    elif len(varargs) == 1 and asarray(varargs[0]).aval.ndim == 0:
        spacing = list(varargs) * len(axes)
    elif len(varargs) == len(axes):
        spacing = list(varargs)
    else:
        raise TypeError(f"gradient: invalid number of spacing arguments ({len(varargs)}) for "
                        f"{len(axes)} axes (at {user_line()})")
    out = []
    for ax, h in zip(axes, spacing):
        n = y.aval.shape[ax]
        if n < 2:
            raise ValueError(f"gradient: shape of array too small to calculate a numerical "
                             f"gradient, at least 2 elements are required along axis {ax} "
                             f"(at {user_line()})")
        h = asarray(h)
        if h.aval.ndim == 0:
            h = lax.convert_element_type(h, y.aval.dtype)
            inner = uf.divide(lax.sub(_sl(y, 2, None, ax), _sl(y, None, -2, ax)),
                              lax.mul(h, 2.0)) if n > 2 else None
            first = uf.divide(lax.sub(_sl(y, 1, 2, ax), _sl(y, 0, 1, ax)), h)
            last = uf.divide(lax.sub(_sl(y, -1, None, ax), _sl(y, -2, -1, ax)), h)
        else:
            if h.aval.shape != (n,):
                raise ValueError(f"gradient: spacing coordinates must be 1-d with length {n}, "
                                 f"got shape {h.aval.shape} (at {user_line()})")
            h = lax.convert_element_type(h, y.aval.dtype)
            dx = lax.sub(lax.slice_in_dim(h, 1, n), lax.slice_in_dim(h, 0, n - 1))
            first = lax.div(lax.sub(_sl(y, 1, 2, ax), _sl(y, 0, 1, ax)),
                            _along(lax.slice_in_dim(dx, 0, 1), _sl(y, 0, 1, ax), ax))
            last = lax.div(lax.sub(_sl(y, -1, None, ax), _sl(y, -2, -1, ax)),
                           _along(lax.slice_in_dim(dx, n - 2, n - 1), _sl(y, 0, 1, ax), ax))
            inner = None
            if n > 2:
                d1, d2 = lax.slice_in_dim(dx, 0, n - 2), lax.slice_in_dim(dx, 1, n - 1)
                s = lax.add(d1, d2)
                ca = lax.neg(lax.div(d2, lax.mul(d1, s)))
                cb = lax.div(lax.sub(d2, d1), lax.mul(d1, d2))
                cc = lax.div(d1, lax.mul(d2, s))
                mid = _sl(y, 1, -1, ax)
                inner = lax.add(lax.add(lax.mul(_along(ca, mid, ax), _sl(y, None, -2, ax)),
                                        lax.mul(_along(cb, mid, ax), mid)),
                                lax.mul(_along(cc, mid, ax), _sl(y, 2, None, ax)))
        parts = [first] + ([inner] if inner is not None else []) + [last]
        out.append(lax.concatenate(parts, ax))
    return out[0] if len(out) == 1 else out


def trapezoid(y, x=None, dx=1.0, axis=-1):
    yy = uf._to_float(y) if x is None else promote(uf._to_float(y), x)[0]
    axis = canonical_axis(axis, yy.aval.ndim, "trapezoid")
    n = yy.aval.shape[axis]
    avg = lax.mul(lax.add(_sl(yy, 1, None, axis), _sl(yy, None, -1, axis)), 0.5)
    if x is None:
        d = asarray(dx)
    else:
        xx = asarray(x)
        if xx.aval.ndim == 1:
            d = diff(lax.convert_element_type(xx, yy.aval.dtype))
            if d.aval.shape[0] != max(n - 1, 0):
                raise ValueError(f"trapezoid: x has length {xx.aval.shape[0]} but y has "
                                 f"{n} samples along axis {axis} (at {user_line()})")
            d = _along(d, avg, axis)
        else:
            d = diff(xx, axis=axis)
    return red.sum(uf.multiply(d, avg), axis=axis)


def cross(a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    """Cross product of 2- or 3-vectors (2-vectors have z = 0; two of them give a scalar)."""
    from ._shape import moveaxis, stack
    if axis is not None:
        axisa = axisb = axisc = axis
    x, y = promote(a, b, op="cross")
    x = moveaxis(x, axisa, -1)
    y = moveaxis(y, axisb, -1)
    if x.aval.shape[-1] not in (2, 3) or y.aval.shape[-1] not in (2, 3):
        raise ValueError(f"cross: incompatible dimensions for cross product (dimension must "
                         f"be 2 or 3); got shapes {x.aval.shape} and {y.aval.shape} "
                         f"(at {user_line()})")

    def comp(v, i):
        if i >= v.aval.shape[-1]:
            return None
        return lax.squeeze(lax.slice_in_dim(v, i, i + 1, axis=v.aval.ndim - 1), (v.aval.ndim - 1,))

    def mul_sub(p, q, r, s):  # p*q - r*s, with missing components zero
        left = uf.multiply(p, q) if p is not None and q is not None else None
        right = uf.multiply(r, s) if r is not None and s is not None else None
        if right is None:
            return left
        return uf.negative(right) if left is None else uf.subtract(left, right)

    a0, a1, a2 = comp(x, 0), comp(x, 1), comp(x, 2)
    b0, b1, b2 = comp(y, 0), comp(y, 1), comp(y, 2)
    cz = mul_sub(a0, b1, a1, b0)
    if a2 is None and b2 is None:
        return cz
    cx, cy = mul_sub(a1, b2, a2, b1), mul_sub(a2, b0, a0, b2)
    from ._core import broadcast_arrays
    parts = broadcast_arrays(*[c for c in (cx, cy, cz)])
    return moveaxis(stack(parts, axis=-1), -1, axisc)


def interp(x, xp, fp, left=None, right=None, period=None):
    """Piecewise-linear interpolation (searchsorted for the segment); left/right may be
    'extrapolate' to continue the first/last segment, as in JAX."""
    from ._extra_sorting import searchsorted
    from ._indexing import getitem
    from ._shape import concatenate
    xs, xpa, fpa = promote(uf._to_float(x), xp, fp, op="interp")
    xs, xpa, fpa = (lax.convert_element_type(v, xs.aval.dtype) for v in (xs, xpa, fpa))
    xs.weak_type = False
    if xpa.aval.ndim != 1 or fpa.aval.ndim != 1 or xpa.aval.shape != fpa.aval.shape:
        raise ValueError(f"interp: xp and fp must be one-dimensional arrays of equal size; got "
                         f"shapes {xpa.aval.shape} and {fpa.aval.shape} (at {user_line()})")
    if period is not None:
        if left is not None or right is not None:
            raise ValueError("interp: left and right cannot be given together with period")
        p = lax.abs(asarray(period, xs.aval.dtype))
        xs = uf.remainder(xs, p)
        xpa = uf.remainder(xpa, p)
        order = lax.sort((xpa, fpa), num_keys=1)
        xpa, fpa = order
        xpa = concatenate([uf.subtract(_sl(xpa, -1, None, 0), p), xpa, uf.add(_sl(xpa, 0, 1, 0), p)])
        fpa = concatenate([_sl(fpa, -1, None, 0), fpa, _sl(fpa, 0, 1, 0)])
    n = xpa.aval.shape[0]
    i = lax.clamp(1, searchsorted(xpa, xs, side="right"), max(n - 1, 1))
    x0, x1 = getitem(xpa, lax.sub(i, 1)), getitem(xpa, i)
    f0, f1 = getitem(fpa, lax.sub(i, 1)), getitem(fpa, i)
    dx = lax.sub(x1, x0)
    eps = float(np.finfo(dtypes.np_dtype(xs.aval.dtype)).eps)
    flat = lax.le(lax.abs(dx), eps)
    slope_t = lax.div(lax.sub(xs, x0), lax.select(flat, lax.add(lax.mul(dx, 0.0), 1.0), dx))
    f = lax.select(flat, f0, lax.add(f0, lax.mul(slope_t, lax.sub(f1, f0))))
    if period is None:
        lo_x, hi_x = getitem(xpa, 0), getitem(xpa, -1)
        if not (isinstance(left, str) and left == "extrapolate"):
            lv = getitem(fpa, 0) if left is None else asarray(left)
            f = uf.where(uf.less(xs, lo_x), lv, f)
        if not (isinstance(right, str) and right == "extrapolate"):
            rv = getitem(fpa, -1) if right is None else asarray(right)
            f = uf.where(uf.greater(xs, hi_x), rv, f)
    return lax.convert_element_type(f, xs.aval.dtype)


def _conv(a, v, mode, op):
    """correlate/convolve of 1-d arrays as windows (a gather) times the kernel (a matmul);
    the shorter argument is the kernel, as in NumPy."""
    from ._indexing import getitem
    from ._linalg import matmul
    if mode not in ("full", "same", "valid"):
        raise ValueError(f"{op}: mode must be one of 'full', 'same', 'valid'; got {mode!r} "
                         f"(at {user_line()})")
    x, k = promote(uf._to_float(a), v, op=op)  # integer inputs convolve in floats, as in JAX
    x, k = promote(x, uf._to_float(k), op=op)
    x.weak_type = k.weak_type = False
    if x.aval.ndim != 1 or k.aval.ndim != 1:
        raise ValueError(f"{op}: only 1-dimensional arguments are supported; got shapes "
                         f"{x.aval.shape} and {k.aval.shape} (at {user_line()})")
    if x.aval.shape[0] == 0 or k.aval.shape[0] == 0:
        raise ValueError(f"{op}: inputs cannot be empty, got shapes {x.aval.shape} and "
                         f"{k.aval.shape} (at {user_line()})")
    swapped = k.aval.shape[0] > x.aval.shape[0]
    if swapped:
        x, k = k, x
    if op == "convolve":
        k = lax.rev(k, (0,))
    n, m = x.aval.shape[0], k.aval.shape[0]
    pads = {"full": (m - 1, m - 1), "same": (m // 2, m - m // 2 - 1), "valid": (0, 0)}
    lo, hi = pads[mode]
    xp = lax.pad(x, asarray(0, x.aval.dtype), [(lo, hi, 0)])
    length = n + lo + hi - m + 1
    idx = lax.add(lax.broadcasted_iota("int32", (length, m), 0),
                  lax.broadcasted_iota("int32", (length, m), 1))
    windows = getitem(xp, idx)
    out = matmul(windows, k)
    return lax.rev(out, (0,)) if swapped and op == "correlate" else out


def convolve(a, v, mode="full", *, precision=None, preferred_element_type=None):
    out = _conv(a, v, mode, "convolve")
    return out if preferred_element_type is None else lax.convert_element_type(
        out, preferred_element_type)


def correlate(a, v, mode="valid", *, precision=None, preferred_element_type=None):
    out = _conv(a, v, mode, "correlate")
    return out if preferred_element_type is None else lax.convert_element_type(
        out, preferred_element_type)


def kron(a, b):
    """Kronecker product: an outer product with the two inputs' axes interleaved."""
    x, y = promote(a, b, op="kron")
    nd = max(x.aval.ndim, y.aval.ndim)
    x = lax.reshape(x, (1,) * (nd - x.aval.ndim) + x.aval.shape)
    y = lax.reshape(y, (1,) * (nd - y.aval.ndim) + y.aval.shape)
    inter = tuple(s for pair in zip(x.aval.shape, y.aval.shape) for s in pair)
    xb = lax.broadcast_in_dim(x, inter, tuple(range(0, 2 * nd, 2)))
    yb = lax.broadcast_in_dim(y, inter, tuple(range(1, 2 * nd, 2)))
    out = uf.multiply(xb, yb)
    return lax.reshape(out, tuple(p * q for p, q in zip(x.aval.shape, y.aval.shape)))


def unwrap(p, discont=None, axis=-1, period=2 * np.pi):
    """Phase unwrapping: jumps larger than `discont` are reduced modulo `period`."""
    x = uf._to_float(p)
    axis = canonical_axis(axis, x.aval.ndim, "unwrap")
    half = lax.div(asarray(period, x.aval.dtype), 2.0)
    disc = half if discont is None else asarray(discont, x.aval.dtype)
    dd = diff(x, axis=axis)
    ddmod = uf.subtract(uf.remainder(uf.add(dd, half), asarray(period, x.aval.dtype)), half)
    ddmod = uf.where(uf.logical_and(uf.equal(ddmod, uf.negative(half)), uf.greater(dd, 0)),
                     half, ddmod)
    correct = uf.where(uf.less(uf.absolute(dd), disc), 0.0, uf.subtract(ddmod, dd))
    fixed = uf.add(_sl(x, 1, None, axis), red.cumsum(correct, axis=axis))
    return lax.concatenate([_sl(x, 0, 1, axis), lax.convert_element_type(fixed, x.aval.dtype)],
                           axis)

