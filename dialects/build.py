"""Short builders over `emit` for writing transform rules.

Each returns one `ir.Value`, built at the current insertion point and
location, so a rule reads like the math it implements:
`mul(g, cos(x))` rather than `emit("irax.mul", [g, emit("irax.cos", [x])[0]])[0]`.
"""
from __future__ import annotations

from .ops import emit, splat_array
from .types import aval_of, host_dtype


def op(name, *operands, **attrs):
    return emit(name, list(operands), **attrs)[0]


def full(shape, value, dtype):
    return op("irax.constant", value=splat_array(value, shape, host_dtype(dtype)))


def full_like(x, value):
    a = aval_of(x)
    return full(a.shape, value, a.dtype)


def zeros_like(x):
    return full_like(x, 0)


def ones_like(x):
    return full_like(x, 1)


def scalar_like(x, value):
    """`value` broadcast to x's shape and dtype (a splat constant)."""
    return full_like(x, value)


def add(a, b):
    return op("irax.add", a, b)


def sub(a, b):
    return op("irax.sub", a, b)


def mul(a, b):
    return op("irax.mul", a, b)


def div(a, b):
    return op("irax.div", a, b)


def neg(a):
    return op("irax.neg", a)


def maximum(a, b):
    return op("irax.max", a, b)


def minimum(a, b):
    return op("irax.min", a, b)


def select(p, a, b):
    return op("irax.select", p, a, b)


def eq(a, b):
    return op("irax.eq", a, b)


def convert(x, dtype):
    if aval_of(x).dtype == dtype:
        return x
    return op("irax.convert_element_type", x, new_dtype=dtype)


def broadcast_in_dim(x, shape, dims):
    a = aval_of(x)
    if a.shape == tuple(shape) and tuple(dims) == tuple(range(len(shape))):
        return x
    return op("irax.broadcast_in_dim", x, shape=tuple(shape), broadcast_dimensions=tuple(dims))


def reshape(x, shape):
    if aval_of(x).shape == tuple(shape):
        return x
    return op("irax.reshape", x, new_sizes=tuple(shape))


def transpose(x, perm):
    if tuple(perm) == tuple(range(len(perm))):
        return x
    return op("irax.transpose", x, permutation=tuple(perm))


def reduce_sum(x, axes):
    if not axes:
        return x
    return op("irax.reduce_sum", x, axes=tuple(sorted(axes)))


def shift(x, axis, by, fill):
    """x moved `by` places along `axis` (out[i] = x[i - by]), `fill` where nothing lands.

    A slice joined to a constant block (not an `irax.pad`: IREE 3.13 fails to compile two
    pads that share a 64-bit padding constant).
    """
    a = aval_of(x)
    n = a.shape[axis]
    if by == 0:
        return x
    if abs(by) >= n:
        return full(a.shape, fill, a.dtype)
    start, limit = [0] * a.ndim, list(a.shape)
    if by > 0:
        limit[axis] = n - by
    else:
        start[axis] = -by
    kept = op("irax.slice", x, start_indices=start, limit_indices=limit, strides=[1] * a.ndim)
    block = full(a.shape[:axis] + (abs(by),) + a.shape[axis + 1:], fill, a.dtype)
    parts = [block, kept] if by > 0 else [kept, block]
    return op("irax.concatenate", *parts, dimension=axis)


def dot_general(a, b, lhs_contracting, rhs_contracting, lhs_batch=(), rhs_batch=()):
    return op("irax.dot_general", a, b, lhs_contracting=tuple(lhs_contracting),
              rhs_contracting=tuple(rhs_contracting), lhs_batch=tuple(lhs_batch),
              rhs_batch=tuple(rhs_batch))


def inverse_permutation(perm):
    inv = [0] * len(perm)
    for i, p in enumerate(perm):
        inv[p] = i
    return tuple(inv)


def along_axis_indices(idx, axis):
    """Full gather indices [..., rank] picking `idx` (int32, x's shape) along `axis`."""
    a = aval_of(idx)
    parts = []
    for d in range(a.ndim):
        comp = idx if d == axis else op("irax.iota", shape=a.shape, dtype="int32", dimension=d)
        parts.append(reshape(comp, a.shape + (1,)))
    return op("irax.concatenate", *parts, dimension=a.ndim) if len(parts) > 1 else parts[0]


def take_along_axis(x, idx, axis):
    """x[..., idx, ...] elementwise along `axis` (idx has x's shape)."""
    return op("irax.gather", x, along_axis_indices(idx, axis))


def put_along_axis_add(x_like, idx, values, axis):
    """The transpose of take_along_axis: scatter-add `values` into zeros shaped like x."""
    return op("irax.scatter", zeros_like(x_like), along_axis_indices(idx, axis), values, mode="add")
