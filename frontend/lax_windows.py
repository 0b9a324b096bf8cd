"""irax.lax's windowed primitives: `conv_general_dilated` and `reduce_window`,
with JAX's signatures, layouts (dimension_numbers) and padding spellings."""
from __future__ import annotations

import collections

import numpy as np

from irax.dialects.ops import reduce_identity

from . import dtypes
from .api import as_operand
from .core import bind, is_array, user_line

# The (lhs_spec, rhs_spec, out_spec) dimension indices of a convolution, as JAX's
# lax.ConvDimensionNumbers (any object with these three fields is accepted).
_ConvSpecs = collections.namedtuple("ConvDimensionNumbers", ["lhs_spec", "rhs_spec", "out_spec"])


def _ints(op, what, v, n):
    v = tuple(int(x) for x in v)
    if len(v) != n:
        raise ValueError(f"{op}: {what} needs {n} entries (one per spatial dimension), got "
                         f"{v} (at {user_line()})")
    return v


def conv_specs(lhs_shape, rhs_shape, dimension_numbers):
    """(lhs_spec, rhs_spec, out_spec) from None (NC..., OI..., NC...), a triple of layout
    strings such as ('NHWC', 'HWIO', 'NHWC'), or a ConvDimensionNumbers; spatial dims are
    paired by letter, in the kernel string's order, as in JAX."""
    n = len(lhs_shape)
    if dimension_numbers is None:
        spec = tuple(range(n))
        return _ConvSpecs(spec, spec, spec)
    if all(hasattr(dimension_numbers, f) for f in _ConvSpecs._fields):
        return _ConvSpecs(*(tuple(int(i) for i in getattr(dimension_numbers, f))
                            for f in _ConvSpecs._fields))
    if len(dimension_numbers) != 3 or not all(isinstance(s, str) for s in dimension_numbers):
        raise TypeError(f"conv_general_dilated: dimension_numbers must be None, a "
                        f"ConvDimensionNumbers or three layout strings, got "
                        f"{dimension_numbers!r} (at {user_line()})")
    lhs, rhs, out = dimension_numbers
    for i, (s, (a, b)) in enumerate(zip((lhs, rhs, out), (("N", "C"), ("O", "I"), ("N", "C")))):
        if s.count(a) != 1 or s.count(b) != 1:
            raise TypeError(f"convolution dimension_numbers[{i}] must contain the characters "
                            f"'{a}' and '{b}' exactly once, got {s} (at {user_line()})")
        if len(set(s)) != len(s) or len(s) != n:
            raise TypeError(f"convolution dimension_numbers[{i}] must have {n} distinct "
                            f"characters (the operands' rank), got {s} (at {user_line()})")
    spatial = [ch for ch in rhs if ch not in "OI"]
    for s, what in ((lhs, 0), (out, 2)):
        if sorted(ch for ch in s if ch not in "NC") != sorted(spatial):
            raise TypeError(f"convolution dimension_numbers[{what}] {s} must name the same "
                            f"spatial dimensions as the kernel's {rhs} (at {user_line()})")
    return _ConvSpecs(tuple(lhs.index(c) for c in ["N", "C"] + spatial),
                      tuple(rhs.index(c) for c in ["O", "I"] + spatial),
                      tuple(out.index(c) for c in ["N", "C"] + spatial))


def padding_pairs(op, padding, in_shape, window_shape, strides):
    """Explicit (low, high) pairs, or JAX's 'VALID' / 'SAME' / 'SAME_LOWER' (the output
    covers ceil(in / stride) windows, the odd pad going high, or low for SAME_LOWER)."""
    if isinstance(padding, str):
        kind = padding.upper()
        if kind == "VALID":
            return tuple((0, 0) for _ in in_shape)
        if kind not in ("SAME", "SAME_LOWER"):
            raise RuntimeError(f"Unrecognized padding type: expected 'VALID', 'SAME', or "
                               f"'SAME_LOWER', got {padding}. (at {user_line()})")
        pads = []
        for d, w, s in zip(in_shape, window_shape, strides):
            total = max(0, (-(-d // s) - 1) * s + w - d)
            lo = total // 2 if kind == "SAME" else total - total // 2
            pads.append((lo, total - lo))
        return tuple(pads)
    pads = tuple(tuple(int(x) for x in p) for p in padding)
    if len(pads) != len(in_shape) or any(len(p) != 2 for p in pads):
        raise TypeError(f"{op}: wrong number of explicit pads: expected {len(in_shape)} "
                        f"(low, high) pairs, got {padding!r} (at {user_line()})")
    return pads


def _out_size(op, d, pad, window, stride, base=1, wdil=1):
    if d < 0:  # a size not known yet (stax's -1 batch) stays unknown
        return d
    from irax.dialects.convolution import window_output_size
    n = window_output_size(d, *pad, window, stride, base, wdil)
    if n is None:
        raise ValueError(f"{op}: negative padding {pad} is larger than a dimension of size "
                         f"{d} (at {user_line()})")
    return n


def conv_general_shape_tuple(lhs_shape, rhs_shape, window_strides, padding, dimension_numbers):
    """The result shape of `conv_general_dilated` (no dilation, one group), as JAX's."""
    op = "conv_general_shape_tuple"
    specs = conv_specs(lhs_shape, rhs_shape, dimension_numbers)
    nsp = len(lhs_shape) - 2
    strides = _ints(op, "window_strides", window_strides, nsp)
    window = [rhs_shape[d] for d in specs.rhs_spec[2:]]
    pads = padding_pairs(op, padding, [lhs_shape[d] for d in specs.lhs_spec[2:]], window, strides)
    out = [0] * len(lhs_shape)
    out[specs.out_spec[0]] = lhs_shape[specs.lhs_spec[0]]
    out[specs.out_spec[1]] = rhs_shape[specs.rhs_spec[0]]
    for i in range(nsp):
        out[specs.out_spec[2 + i]] = _out_size(op, lhs_shape[specs.lhs_spec[2 + i]], pads[i],
                                               window[i], strides[i])
    return tuple(out)


def reduce_window_shape_tuple(operand_shape, window_dimensions, window_strides, padding,
                              base_dilation=None, window_dilation=None):
    """The result shape of `reduce_window` with explicit (low, high) padding, as JAX's."""
    op = "reduce_window_shape_tuple"
    n = len(operand_shape)
    base = base_dilation or (1,) * n
    wdil = window_dilation or (1,) * n
    return tuple(_out_size(op, d, tuple(p), w, s, bd, wd) for d, p, w, s, bd, wd in
                 zip(operand_shape, padding, window_dimensions, window_strides, base, wdil))


def conv_general_dilated(lhs, rhs, window_strides, padding, lhs_dilation=None, rhs_dilation=None,
                         dimension_numbers=None, feature_group_count=1, batch_group_count=1,
                         precision=None, preferred_element_type=None):
    """General n-d convolution (XLA's ConvGeneralDilated), as `jax.lax.conv_general_dilated`."""
    op = "conv_general_dilated"
    lhs, rhs = as_operand(lhs), as_operand(rhs)
    if lhs.aval.dtype != rhs.aval.dtype:
        raise TypeError(f"lax.conv_general_dilated requires arguments to have the same dtypes, "
                        f"got {lhs.aval.dtype}, {rhs.aval.dtype}. (at {user_line()})")
    if lhs.aval.ndim != rhs.aval.ndim or lhs.aval.ndim < 2:
        raise TypeError(f"{op}: lhs and rhs must have the same rank, at least 2; got "
                        f"{lhs.aval.str_short()} and {rhs.aval.str_short()} (at {user_line()})")
    specs = conv_specs(lhs.aval.shape, rhs.aval.shape, dimension_numbers)
    nsp = lhs.aval.ndim - 2
    strides = _ints(op, "window_strides", window_strides, nsp)
    lhs_dil = _ints(op, "lhs_dilation", lhs_dilation or (1,) * nsp, nsp)
    rhs_dil = _ints(op, "rhs_dilation", rhs_dilation or (1,) * nsp, nsp)
    if isinstance(padding, str) and any(d != 1 for d in lhs_dil):
        raise ValueError("String padding is not implemented for transposed convolution using "
                         "this op. Please either exactly specify the required padding or use "
                         f"conv_transpose. (at {user_line()})")
    window = [(rhs.aval.shape[d] - 1) * r + 1 for d, r in zip(specs.rhs_spec[2:], rhs_dil)]
    pads = padding_pairs(op, padding, [lhs.aval.shape[d] for d in specs.lhs_spec[2:]], window,
                         strides)
    for name, v in (("feature_group_count", feature_group_count),
                    ("batch_group_count", batch_group_count)):
        if int(v) < 1:
            raise ValueError(f"{op}: {name} must be positive, got {v} (at {user_line()})")
    dtype = lhs.aval.dtype
    if preferred_element_type is not None:
        dtype = dtypes.to_dtype(preferred_element_type)
    work = "int32" if dtype == "bool" else dtype  # bool: any(x & w)
    if work != lhs.aval.dtype:
        from .lax import convert_element_type
        lhs, rhs = convert_element_type(lhs, work), convert_element_type(rhs, work)
    out = bind("irax.conv_general_dilated", [lhs, rhs], window_strides=strides, padding=pads,
               lhs_dilation=lhs_dil, rhs_dilation=rhs_dil, lhs_spec=specs.lhs_spec,
               rhs_spec=specs.rhs_spec, out_spec=specs.out_spec,
               feature_group_count=int(feature_group_count),
               batch_group_count=int(batch_group_count))[0]
    if dtype == "bool":
        from .lax import ne
        out = ne(out, 0)
    return out


def _window_kind(computation):
    """The monoid of a reduce_window computation: lax.add/max/min/mul, their irax.numpy
    twins (add, maximum, minimum, multiply) or operator.add/mul."""
    import operator

    from . import lax, numpy as jnp
    table = {lax.add: "sum", lax.max: "max", lax.min: "min", lax.mul: "prod",
             jnp.add: "sum", jnp.maximum: "max", jnp.minimum: "min", jnp.multiply: "prod",
             operator.add: "sum", operator.mul: "prod"}
    for fn, kind in table.items():
        if computation is fn:
            return kind
    name = getattr(computation, "__name__", repr(computation))
    raise NotImplementedError(
        f"reduce_window: only the computations lax.add, lax.max, lax.min and lax.mul (or "
        f"jnp.add/maximum/minimum/multiply) are supported, got {name} (at {user_line()})")


_COMBINE = {"sum": "add", "max": "max", "min": "min", "prod": "mul"}


def _known_value(v):
    """The value of `v` when it is known while tracing (a constant, an array, a tracer
    carrying its value), else None."""
    from .core import Array
    if not is_array(v):
        return np.asarray(v)
    c = v if isinstance(v, Array) else getattr(v, "_concrete", None)
    return None if c is None else np.asarray(c)


def reduce_window(operand, init_value, computation, window_dimensions, window_strides=None,
                  padding="VALID", base_dilation=None, window_dilation=None):
    """Reduce every window of `operand` with `computation`, as `jax.lax.reduce_window`.

    The result is `computation(init_value, <the window's elements>)`: padding and the
    holes of base dilation contribute nothing, as in XLA."""
    op = "reduce_window"
    if isinstance(operand, (tuple, list, dict)):
        raise NotImplementedError(f"reduce_window over a pytree of operands is not supported "
                                  f"(at {user_line()})")
    x = as_operand(operand)
    kind = _window_kind(computation)
    n = x.aval.ndim
    window = _ints(op, "window_dimensions", window_dimensions, n)
    strides = _ints(op, "window_strides", window_strides or (1,) * n, n)
    base = _ints(op, "base_dilation", base_dilation or (1,) * n, n)
    wdil = _ints(op, "window_dilation", window_dilation or (1,) * n, n)
    pads = padding_pairs(op, padding, x.aval.shape,
                         [(w - 1) * d + 1 if w else 0 for w, d in zip(window, wdil)], strides)
    dtype = x.aval.dtype
    if np.ndim(init_value) != 0:
        raise TypeError(f"reduce_window: init_value must be a scalar, got shape "
                        f"{np.shape(init_value)} (at {user_line()})")
    out = bind("irax.reduce_window", [x], kind=kind, window_dimensions=window,
               window_strides=strides, padding=pads, base_dilation=base,
               window_dilation=wdil)[0]
    known = _known_value(init_value)
    if known is not None and known.astype(dtypes.np_dtype(dtype)) == \
            reduce_identity(f"reduce_{kind}", dtype):
        return out  # JAX's monoid reducer, which reads no init_value
    if is_array(init_value):
        init_dtype = None if init_value.weak_type else init_value.aval.dtype
    elif isinstance(init_value, (np.ndarray, np.generic)):
        init_dtype = dtypes.canonicalize(dtypes.to_dtype(init_value.dtype))
    else:
        init_dtype = None  # a Python scalar takes the operand's dtype
    if init_dtype is not None and init_dtype != dtype:
        raise TypeError(f"reduce_window got inconsistent dtypes for operands and init_values: "
                        f"got operand dtype {dtype} and init_value dtype {init_dtype} "
                        f"(at {user_line()})")
    from . import lax
    init = lax.broadcast_in_dim(lax.convert_element_type(init_value, dtype), out.aval.shape, ())
    return getattr(lax, _COMBINE[kind])(init, out)
