"""Array conversion, NumPy broadcasting and JAX dtype promotion for irax.numpy."""
from __future__ import annotations

import functools
import inspect

import numpy as np

from irax.dialects.ops import IraxTypeError

from .. import dtypes, lax
from ..api import as_operand, leaf_aval
from ..core import Array, Tracer, is_array, user_line


def asarray(a, dtype=None, copy=None):
    """Convert `a` (array, scalar, nested lists/tuples, NumPy array) to an irax array."""
    if is_array(a):
        return lax.convert_element_type(a, dtype) if dtype is not None else a
    if isinstance(a, (list, tuple)) and any(is_array(x) for x in _flat(a)):
        from ._shape import stack
        out = stack([asarray(x) for x in a])
        return lax.convert_element_type(out, dtype) if dtype is not None else out
    if dtype is not None:
        dtype = dtypes.to_dtype(dtype)
        out = as_operand(np.asarray(a, dtypes.np_dtype(dtype)))
        return lax.convert_element_type(out, dtype)  # bfloat16 has no NumPy type: convert there
    if isinstance(a, (bool, int, float, complex)):
        out = as_operand(np.asarray(a, dtypes.np_dtype(dtypes.python_scalar_dtype(a))))
        return out  # a concrete conversion is strong-typed, as jnp.asarray(1.0) is
    host = np.asarray(a)
    if host.dtype == np.float64 and not _is_numpy_input(a):
        host = host.astype(dtypes.np_dtype(dtypes.default_float()))
    elif host.dtype == np.complex128 and not _is_numpy_input(a):
        host = host.astype(dtypes.np_dtype(dtypes.default_complex()))
    elif host.dtype.kind == "i" and not _is_numpy_input(a):
        host = host.astype(dtypes.np_dtype(dtypes.default_int()))
    return as_operand(host.astype(dtypes.np_dtype(dtypes.to_dtype(host.dtype))))


def _is_numpy_input(a):
    return isinstance(a, (np.ndarray, np.generic))


def _flat(a):
    for x in a:
        if isinstance(x, (list, tuple)):
            yield from _flat(x)
        else:
            yield x


array = asarray


def _typed(x):
    """(dtype, weak) of an operand or Python scalar, without materialising it."""
    if is_array(x):
        return x.aval.dtype, x.weak_type
    aval, weak = leaf_aval(x)
    return aval.dtype, weak


def result_type(*args):
    return dtypes.result_type(*[_typed(a) if not isinstance(a, str) and not isinstance(a, type)
                                and not isinstance(a, np.dtype) else (dtypes.to_dtype(a), False)
                                for a in args])[0]


def promote(*args, op="op"):
    """Convert `args` to operands of one promoted dtype (weak when all are weak)."""
    dtype, weak = dtypes.result_type(*[_typed(a) for a in args])
    out = []
    for a in args:
        if is_array(a):
            x = lax.convert_element_type(a, dtype)
        else:
            x = asarray(a, dtype)
        if weak:
            x.weak_type = True
        out.append(x)
    return out


def broadcast_shapes(*shapes, op="broadcast"):
    ndim = max((len(s) for s in shapes), default=0)
    out = []
    for i in range(ndim):
        dims = {s[len(s) - ndim + i] for s in shapes if len(s) - ndim + i >= 0}
        dims.discard(1)
        if len(dims) > 1:
            raise IraxTypeError(
                f"{op}: incompatible shapes for broadcasting: "
                f"{', '.join(str(tuple(s)) for s in shapes)} (at {user_line()})")
        out.append(dims.pop() if dims else 1)
    return tuple(out)


def broadcast_to(x, shape):
    x = asarray(x)
    shape = lax.canonicalize_shape(shape, "broadcast_to")
    if x.aval.shape == shape:
        return x
    nd = len(shape)
    if x.aval.ndim > nd:
        raise IraxTypeError(f"broadcast_to: cannot broadcast shape {x.aval.shape} to {shape} "
                            f"(at {user_line()})")
    broadcast_shapes(x.aval.shape, shape, op="broadcast_to")
    if broadcast_shapes(x.aval.shape, shape) != shape:
        raise IraxTypeError(f"broadcast_to: cannot broadcast shape {x.aval.shape} to {shape} "
                            f"(at {user_line()})")
    return lax.broadcast_in_dim(x, shape, range(nd - x.aval.ndim, nd))


def broadcast_arrays(*args, op="broadcast_arrays"):
    shape = broadcast_shapes(*[a.aval.shape for a in args], op=op)
    out = []
    for a in args:
        b = broadcast_to(a, shape)
        b.weak_type = a.weak_type
        out.append(b)
    return out


def promote_and_broadcast(*args, op="op"):
    return broadcast_arrays(*promote(*args, op=op), op=op)


def shape(a):
    return asarray(a).aval.shape if not isinstance(a, (int, float, complex, bool)) else ()


def ndim(a):
    return len(shape(a))


def size(a):
    return int(np.prod(shape(a), dtype=np.int64))


def isscalar(x):
    return np.isscalar(x) or (is_array(x) and x.aval.ndim == 0)


class AxisError(ValueError, IndexError):
    """An axis out of range for an array's rank (JAX raises NumPy's, a ValueError)."""


def canonical_axis(axis, ndim, op="op"):
    if not -ndim <= axis < max(ndim, 1):
        raise AxisError(f"{op}: axis {axis} is out of bounds for an array of rank {ndim} "
                            f"(at {user_line()})")
    return axis % max(ndim, 1)


def canonical_axes(axis, ndim, op="op"):
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, (int, np.integer)):
        axis = (int(axis),)
    axes = tuple(canonical_axis(int(a), ndim, op) for a in axis)
    if len(set(axes)) != len(axes):
        raise ValueError(f"{op}: repeated axis in {axis}")
    return axes


def check_arraylike(op, *args):
    """JAX's rule: array arguments are arrays or scalars; a list or tuple must go through
    asarray first (so a nested list is never silently stacked, traced element by element)."""
    for i, a in enumerate(args):
        if isinstance(a, (list, tuple)):
            raise TypeError(f"{op} requires ndarray or scalar arguments, got {type(a).__name__} at "
                            f"position {i}; convert it with irax.numpy.asarray first (at {user_line()})")


def arraylike_args(f, positions):
    """`f` checking its array parameters with `check_arraylike`: `positions` are their
    indices, "*" for every positional argument, or "seq" for the items of a sequence
    first argument (concatenate, stack...)."""
    params = list(inspect.signature(f).parameters)
    names = [params[i] for i in positions if i < len(params)] if positions not in ("*", "seq") else []

    @functools.wraps(f)
    def checked(*args, **kwargs):
        if positions == "seq":
            items = args[0] if args else kwargs.get(params[0], ())
            check_arraylike(f.__name__, *(items if isinstance(items, (list, tuple)) else ()))
        elif positions == "*":
            check_arraylike(f.__name__, *args)
        else:
            check_arraylike(f.__name__, *[args[i] if i < len(args) else kwargs.get(params[i])
                                          for i in positions if i < len(params)])
        return f(*args, **kwargs)
    return checked


__all__ = ["asarray", "array", "Array", "Tracer"]
