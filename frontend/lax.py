"""irax.lax: one thin wrapper per irax primitive, with JAX's lax signatures.

Unlike irax.numpy these do not broadcast arrays or promote dtypes, except
that Python scalars take the other operand's dtype (weak typing).
"""
from __future__ import annotations

import builtins

import numpy as np

from irax.dialects.ops import IraxTypeError
from irax.dialects.types import FLOATS, complex_dtype

from . import dtypes
from .api import as_operand
from .core import bind, is_array, user_line


def _op1(name):
    def f(x):
        return bind(f"irax.{name}", [as_operand(x)])[0]
    f.__name__ = name
    f.__doc__ = f"Elementwise `irax.{name}`."
    return f


def _axis(op, axis, ndim):
    """A dimension index in [-ndim, ndim), made non-negative; else a clear error."""
    axis = int(axis)
    if not -ndim <= axis < ndim:
        raise IraxTypeError(f"{op}: axis {axis} is out of range for an operand of rank {ndim} "
                            f"(at {user_line()})")
    return axis % ndim


def canonicalize_shape(shape, op="shape", error=TypeError):
    """A user's shape (an int, or a sequence of Python/NumPy ints or concrete 0-d integer
    arrays) as a tuple of ints; floats are a TypeError and negative sizes `error`
    (JAX's types), naming the op, the shape and the user's line."""
    dims = tuple(shape) if isinstance(shape, (tuple, list)) or np.ndim(shape) == 1 else (shape,)
    out = []
    for d in dims:
        if is_array(d) and d.aval.ndim == 0 and d.aval.dtype in dtypes.INTEGERS:
            d = int(d)  # a tracer raises ConcretizationTypeError: the shape must be static
        if isinstance(d, (bool, np.bool_)) or not isinstance(d, (int, np.integer)):
            raise TypeError(f"{op}: shapes must be sequences of concrete integers, got "
                            f"{shape!r} (at {user_line()})")
        out.append(int(d))
    if any(d < 0 for d in out):
        raise error(f"{op}: negative dimensions are not allowed, got shape {tuple(out)} "
                    f"(at {user_line()})")
    return tuple(out)


def _coerce_scalars(args):
    """Python scalars take the dtype of the last array operand (weak typing; the
    last, so select's predicate and clamp's bounds don't decide); NumPy arrays
    keep their own dtype, as in JAX."""
    ref = next((a for a in reversed(args) if is_array(a)), None)
    if ref is None:
        return [as_operand(a) for a in args]
    out = []
    for a in args:
        if is_array(a) or (isinstance(a, np.ndarray) and a.ndim > 0):
            out.append(as_operand(a))
        else:
            op = as_operand(np.asarray(a, dtypes.np_dtype(ref.aval.dtype)))
            op.weak_type = True
            if ref.aval.shape != ():
                op = broadcast_in_dim(op, ref.aval.shape, ())
                op.weak_type = True
            out.append(op)
    return out


def _opn(name):
    def f(*args):
        return bind(f"irax.{name}", _coerce_scalars(args))[0]
    f.__name__ = name
    f.__doc__ = f"Elementwise `irax.{name}`."
    return f


neg = _op1("neg")
exp = _op1("exp")
exp2 = _op1("exp2")
log = _op1("log")
log1p = _op1("log1p")
expm1 = _op1("expm1")
tanh = _op1("tanh")
logistic = _op1("logistic")
sin = _op1("sin")
cos = _op1("cos")
tan = _op1("tan")
asin = _op1("asin")
acos = _op1("acos")
atan = _op1("atan")
sinh = _op1("sinh")
cosh = _op1("cosh")
asinh = _op1("asinh")
acosh = _op1("acosh")
atanh = _op1("atanh")
sqrt = _op1("sqrt")
rsqrt = _op1("rsqrt")
cbrt = _op1("cbrt")
erf = _op1("erf")
floor = _op1("floor")
ceil = _op1("ceil")
class RoundingMethod:
    """How `round` breaks ties (JAX's lax.RoundingMethod)."""
    AWAY_FROM_ZERO = 0
    TO_NEAREST_EVEN = 1


def round(x, rounding_method=RoundingMethod.AWAY_FROM_ZERO):
    """Round to the nearest integer; ties away from zero by default, as `jax.lax.round`
    (`irax.numpy.round` rounds half to even, as NumPy)."""
    x = as_operand(x)
    even = bind("irax.round", [x])[0]  # the primitive rounds half to even
    if rounding_method == RoundingMethod.TO_NEAREST_EVEN:
        return even
    if rounding_method != RoundingMethod.AWAY_FROM_ZERO:
        raise ValueError(f"round: unknown rounding_method {rounding_method!r}")
    # Only exact halves differ: there, step away from zero from the truncation.
    trunc = mul(sign(x), floor(abs(x)))
    half = eq(abs(sub(x, trunc)), 0.5)
    return select(half, add(trunc, sign(x)), even)
abs = _op1("abs")
sign = _op1("sign")
is_finite = _op1("is_finite")


def complex(x, y):
    """x + iy elementwise, from two float32 or float64 arrays (`jax.lax.complex`)."""
    return bind("irax.complex", _coerce_scalars([x, y]))[0]


real = _op1("real")
imag = _op1("imag")


def conj(x):
    """The complex conjugate; a real operand becomes complex, as in `jax.lax.conj`."""
    x = as_operand(x)
    if x.aval.dtype not in dtypes.COMPLEX:
        return convert_element_type(x, complex_dtype(x.aval.dtype))
    return bind("irax.conj", [x])[0]
bitwise_not = _op1("not")
population_count = _op1("population_count")

add = _opn("add")
sub = _opn("sub")
mul = _opn("mul")
_div = _opn("div")


def div(x, y):
    """Elementwise `irax.div`.  A Python-scalar divisor of a float array divides as a
    multiply by its reciprocal, as XLA rewrites x / broadcast(c) under JAX."""
    if (not is_array(y) and np.ndim(y) == 0 and not np.iscomplexobj(y)
            and is_array(x) and x.aval.shape != () and x.aval.dtype in FLOATS):
        t = dtypes.np_dtype(x.aval.dtype)
        with np.errstate(divide="ignore", over="ignore"):
            return mul(x, np.divide(np.ones((), t), np.asarray(y, t)))
    return _div(x, y)
rem = _opn("rem")
pow = _opn("pow")
max = _opn("max")
min = _opn("min")
atan2 = _opn("atan2")
bitwise_and = _opn("and")
bitwise_or = _opn("or")
bitwise_xor = _opn("xor")
shift_left = _opn("shift_left")
shift_right_logical = _opn("shift_right_logical")
shift_right_arithmetic = _opn("shift_right_arithmetic")
eq = _opn("eq")
ne = _opn("ne")
lt = _opn("lt")
le = _opn("le")
gt = _opn("gt")
ge = _opn("ge")
select = _opn("select")
clamp = _opn("clamp")


def integer_pow(x, y: int):
    if not isinstance(y, (int, np.integer)) or isinstance(y, (bool, np.bool_)):
        raise TypeError(f"integer_pow: the exponent must be a Python int, got {y!r} "
                        f"(at {user_line()})")
    return bind("irax.integer_pow", [as_operand(x)], y=int(y))[0]


def square(x):
    return integer_pow(x, 2)


def reciprocal(x):
    return div(1, x) if is_array(x) else 1 / x


def convert_element_type(x, new_dtype):
    x = as_operand(x)
    new_dtype = dtypes.to_dtype(new_dtype)
    if x.aval.dtype == new_dtype:
        return x
    return bind("irax.convert_element_type", [x], new_dtype=new_dtype)[0]


def bitcast_convert_type(x, new_dtype):
    return bind("irax.bitcast_convert_type", [as_operand(x)], new_dtype=dtypes.to_dtype(new_dtype))[0]


def broadcast_in_dim(x, shape, broadcast_dimensions):
    x = as_operand(x)
    shape = canonicalize_shape(shape, "broadcast_in_dim")
    dims = tuple(int(d) for d in broadcast_dimensions)
    if x.aval.shape == shape and dims == tuple(range(len(shape))):
        return x
    out = bind("irax.broadcast_in_dim", [x], shape=shape, broadcast_dimensions=dims)[0]
    out.weak_type = x.weak_type
    return out


def broadcast(x, sizes):
    x = as_operand(x)
    n = len(sizes)
    return broadcast_in_dim(x, tuple(sizes) + x.aval.shape, range(n, n + x.aval.ndim))


def reshape(x, new_sizes, dimensions=None):
    x = as_operand(x)
    if dimensions is not None:
        x = transpose(x, dimensions)
    new_sizes = canonicalize_shape(new_sizes, "reshape")
    if x.aval.shape == new_sizes:
        return x
    out = bind("irax.reshape", [x], new_sizes=new_sizes)[0]
    out.weak_type = x.weak_type
    return out


def transpose(x, permutation):
    x = as_operand(x)
    permutation = tuple(int(p) for p in permutation)
    if permutation == tuple(range(x.aval.ndim)):
        return x
    return bind("irax.transpose", [x], permutation=permutation)[0]


def rev(operand, dimensions):
    x = as_operand(operand)
    dims = tuple(sorted(_axis("rev", d, x.aval.ndim) for d in dimensions))
    if not dims:
        return x
    return bind("irax.rev", [x], dimensions=dims)[0]


def squeeze(x, dimensions):
    x = as_operand(x)
    dims = {_axis("squeeze", d, x.aval.ndim) for d in dimensions}
    for d in dims:
        if x.aval.shape[d] != 1:
            raise ValueError(f"squeeze: dimension {d} of shape {x.aval.shape} is not 1 "
                             f"(at {user_line()})")
    return reshape(x, [s for i, s in enumerate(x.aval.shape) if i not in dims])


def expand_dims(x, dimensions):
    x = as_operand(x)
    shape = list(x.aval.shape)
    for d in sorted(d % (x.aval.ndim + len(dimensions)) for d in dimensions):
        shape.insert(d, 1)
    return reshape(x, shape)


def _reduce(name):
    def f(operand, axes):
        x = as_operand(operand)
        axes = tuple(sorted(_axis(name, a, x.aval.ndim) for a in axes))
        return bind(f"irax.{name}", [x], axes=axes)[0]
    f.__name__ = name
    return f


reduce_sum = _reduce("reduce_sum")
reduce_max = _reduce("reduce_max")
reduce_min = _reduce("reduce_min")
reduce_prod = _reduce("reduce_prod")
reduce_and = _reduce("reduce_and")
reduce_or = _reduce("reduce_or")


def _arg_extremum(name, operand, axis, index_dtype):
    x = as_operand(operand)
    if 0 <= int(axis) < x.aval.ndim and x.aval.shape[int(axis)] == 0:
        raise ValueError(f"argmin and argmax require non-empty reduced dimension. "
                         f"operand.shape={x.aval.shape} axis={axis} (at {user_line()})")
    return bind(name, [x], axis=int(axis), index_dtype=dtypes.to_dtype(index_dtype))[0]


def argmax(operand, axis, index_dtype):
    return _arg_extremum("irax.argmax", operand, axis, index_dtype)


def argmin(operand, axis, index_dtype):
    return _arg_extremum("irax.argmin", operand, axis, index_dtype)


def dot_general(lhs, rhs, dimension_numbers, precision=None, preferred_element_type=None):
    (lc, rc), (lb, rb) = dimension_numbers
    lhs, rhs = as_operand(lhs), as_operand(rhs)
    out = bind("irax.dot_general", [lhs, rhs], lhs_contracting=tuple(lc), rhs_contracting=tuple(rc),
               lhs_batch=tuple(lb), rhs_batch=tuple(rb))[0]
    if preferred_element_type is not None:
        out = convert_element_type(out, preferred_element_type)
    return out


def dot(lhs, rhs, precision=None, preferred_element_type=None):
    lhs, rhs = as_operand(lhs), as_operand(rhs)
    if lhs.aval.ndim not in (1, 2) or rhs.aval.ndim not in (1, 2):
        raise IraxTypeError(f"dot: expects rank 1 or 2 operands, got {lhs.aval.str_short()} and "
                            f"{rhs.aval.str_short()} (at {user_line()})")
    return dot_general(lhs, rhs, (((lhs.aval.ndim - 1,), (0,)), ((), ())),
                       preferred_element_type=preferred_element_type)


def slice(operand, start_indices, limit_indices, strides=None):
    x = as_operand(operand)
    return bind("irax.slice", [x], start_indices=tuple(start_indices),
                limit_indices=tuple(limit_indices),
                strides=tuple(strides) if strides is not None else None)[0]


def slice_in_dim(operand, start_index, limit_index, stride=1, axis=0):
    x = as_operand(operand)
    start = [0] * x.aval.ndim
    limit = list(x.aval.shape)
    strides = [1] * x.aval.ndim
    start[axis], limit[axis], strides[axis] = start_index, limit_index, stride
    return slice(x, start, limit, strides)


def _index_scalar(i):
    i = as_operand(i)
    if i.aval.dtype not in ("int32", "int64", "uint32", "int8", "int16", "uint8", "uint16",
                            "uint64"):
        raise IraxTypeError(f"index must be an integer, got {i.aval.str_short()} (at {user_line()})")
    return i


def _start_indices(op, x, start_indices):
    """Scalar start operands; a negative start counts from the end of its dimension, as in
    JAX (the op then clamps the window into range)."""
    if len(start_indices) != x.aval.ndim:
        raise IraxTypeError(f"{op}: got {len(start_indices)} start indices for an operand of "
                            f"rank {x.aval.ndim} (at {user_line()})")
    out = []
    for i, n in zip(start_indices, x.aval.shape):
        if isinstance(i, (int, np.integer)) and not isinstance(i, bool):
            i = i + n if i < 0 else i
            out.append(_index_scalar(np.int32(builtins.min(builtins.max(i, 0), 2**31 - 1))))
            continue
        i = _index_scalar(i)
        if not i.aval.dtype.startswith("uint"):
            i = select(lt(i, 0), add(i, n), i)
        out.append(i)
    return out


def dynamic_slice(operand, start_indices, slice_sizes):
    x = as_operand(operand)
    idx = _start_indices("dynamic_slice", x, start_indices)
    return bind("irax.dynamic_slice", [x] + idx, slice_sizes=tuple(int(s) for s in slice_sizes))[0]


def dynamic_update_slice(operand, update, start_indices):
    x, u = as_operand(operand), as_operand(update)
    idx = _start_indices("dynamic_update_slice", x, start_indices)
    return bind("irax.dynamic_update_slice", [x, u] + idx)[0]


def dynamic_index_in_dim(operand, index, axis=0, keepdims=True):
    x = as_operand(operand)
    starts = [0] * x.aval.ndim
    starts[axis] = index
    sizes = list(x.aval.shape)
    sizes[axis] = 1
    out = dynamic_slice(x, starts, sizes)
    return out if keepdims else squeeze(out, (axis,))


def concatenate(operands, dimension):
    ops = [as_operand(o) for o in operands]
    if len(ops) == 1:
        return ops[0]
    return bind("irax.concatenate", ops, dimension=int(dimension))[0]


def pad(operand, padding_value, padding_config):
    x = as_operand(operand)
    pv = as_operand(np.asarray(padding_value, dtypes.np_dtype(x.aval.dtype))) \
        if not is_array(padding_value) else padding_value
    low, high, interior = zip(*padding_config) if padding_config else ((), (), ())
    return bind("irax.pad", [x, pv], low=tuple(low), high=tuple(high), interior=tuple(interior))[0]


def broadcasted_iota(dtype, shape, dimension):
    return bind("irax.iota", [], shape=canonicalize_shape(shape, "iota"), dtype=dtypes.to_dtype(dtype),
                dimension=int(dimension))[0]


def iota(dtype, size):
    return broadcasted_iota(dtype, (size,), 0)


def _cumulative(name):
    def f(operand, axis=0, reverse=False):
        x = as_operand(operand)
        return bind(f"irax.{name}", [x], axis=_axis(name, axis, x.aval.ndim),
                    reverse=bool(reverse))[0]
    f.__name__ = name
    return f


cumsum = _cumulative("cumsum")
cumprod = _cumulative("cumprod")
cummax = _cumulative("cummax")
cummin = _cumulative("cummin")


def sort(operand, dimension=-1, is_stable=True, num_keys=1):
    """Sort along `dimension`; with a tuple of operands, sort by the first `num_keys`."""
    single = is_array(operand) or not isinstance(operand, (tuple, list))
    ops = [as_operand(operand)] if single else [as_operand(o) for o in operand]
    dim = _axis("sort", dimension, ops[0].aval.ndim)
    outs = bind("irax.sort", ops, dimension=dim, num_keys=int(num_keys))
    return outs[0] if single else tuple(outs)


def stop_gradient(x):
    from .ad import stop_gradient as _sg
    return _sg(x)


from .control_flow import cond, switch, while_loop, fori_loop, scan, map  # noqa: E402,F401
from .collectives import (all_gather, all_to_all, axis_index, axis_size, pmax,  # noqa: E402,F401
                          pmean, pmin, ppermute, pshuffle, psum, psum_scatter)
from .lax_windows import (conv_general_dilated, conv_general_shape_tuple, reduce_window,  # noqa: E402,F401
                          reduce_window_shape_tuple)

from . import numpy as _numpy  # noqa: E402,F401  (installs operators on the arrays lax returns)
from .special_math import (betainc, bessel_i0e, bessel_i1e, digamma, erf_inv, erfc,  # noqa: E402,F401
                           igamma, igamma_grad_a, igammac, lgamma, polygamma,
                           random_gamma_grad, zeta)


def __getattr__(name):
    """irax.lax.linalg loads on first use (it imports irax.numpy, which imports lax)."""
    if name == "linalg":
        from . import lax_linalg
        globals()["linalg"] = lax_linalg
        return lax_linalg
    raise AttributeError(f"module 'irax.lax' has no attribute {name!r}")
