"""Array creation: zeros/ones/full, ranges, eye, triangles."""
from __future__ import annotations

import numpy as np

from .. import dtypes, lax
from ..api import as_operand
from ..core import user_line
from ._core import asarray


def _shape(shape, op="shape"):
    return lax.canonicalize_shape(shape, op)


def _dtype(dtype, default=None):
    return dtypes.to_dtype(dtype) if dtype is not None else (default or dtypes.default_float())


def full(shape, fill_value, dtype=None, *, op="full"):
    shape = _shape(shape, op)
    if dtype is None:
        from ._core import _typed
        dt, _ = _typed(fill_value)
        dtype = dtypes.canonicalize(dt)
    x = asarray(fill_value, dtype=_dtype(dtype))
    return lax.broadcast_in_dim(x, shape, range(len(shape) - x.aval.ndim, len(shape)))


def zeros(shape, dtype=None):
    return full(shape, 0, _dtype(dtype), op="zeros")


def ones(shape, dtype=None):
    return full(shape, 1, _dtype(dtype), op="ones")


def empty(shape, dtype=None):
    return full(shape, 0, _dtype(dtype), op="empty")


def _like(a, dtype, shape, op):
    x = asarray(a)
    return (x.aval.shape if shape is None else _shape(shape, op)), (dtype or x.aval.dtype)


def zeros_like(a, dtype=None, shape=None):
    s, d = _like(a, dtype, shape, "zeros_like")
    return full(s, 0, d)


def ones_like(a, dtype=None, shape=None):
    s, d = _like(a, dtype, shape, "ones_like")
    return full(s, 1, d)


def full_like(a, fill_value, dtype=None, shape=None):
    s, d = _like(a, dtype, shape, "full_like")
    return full(s, fill_value, d)


def empty_like(a, dtype=None, shape=None):
    s, d = _like(a, dtype, shape, "empty_like")
    return full(s, 0, d)


def arange(start, stop=None, step=None, dtype=None):
    for v in (start, stop, step):
        if hasattr(v, "aval"):
            raise TypeError("arange needs concrete (Python) bounds; its result shape depends on them")
    if stop is None:
        start, stop = 0, start
    step = 1 if step is None else step
    if dtype is None:
        if all(isinstance(v, (int, np.integer)) for v in (start, stop, step)):
            dtype = dtypes.default_int()
        else:
            dtype = dtypes.default_float()
    dtype = dtypes.to_dtype(dtype)
    n = max(int(np.ceil((stop - start) / step)), 0)
    if n == 0:
        return as_operand(np.zeros((0,), dtypes.np_dtype(dtype)))
    idx = lax.iota(dtype if dtype != "bool" else "int32", n)
    if step != 1:
        idx = lax.mul(idx, step)
    if start != 0:
        idx = lax.add(idx, start)
    return lax.convert_element_type(idx, dtype)


def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    dtype = _dtype(dtype)
    num = int(num)
    if num < 0:
        raise ValueError(f"linspace: number of samples, {num}, must be non-negative "
                         f"(at {user_line()})")
    div = (num - 1) if endpoint else num
    if _traced_or_nd(start) or _traced_or_nd(stop):
        return _linspace_arrays(start, stop, num, endpoint, retstep, dtype, axis, div)
    step = (stop - start) / div if div > 0 else 0.0
    i = lax.iota(dtypes.default_float(), num)
    out = lax.add(lax.mul(i, float(step)), float(start))
    if endpoint and num > 1:
        out = lax.select(lax.eq(lax.iota("int32", num), num - 1),
                         lax.add(lax.mul(out, 0.0), float(stop)), out)
    out = lax.convert_element_type(out, dtype)
    return (out, step) if retstep else out


def _traced_or_nd(v):
    from ..core import Tracer
    return isinstance(v, Tracer) or np.ndim(v) > 0


def _linspace_arrays(start, stop, num, endpoint, retstep, dtype, axis, div):
    """linspace between traced or array endpoints (broadcast together); `num` goes at `axis`."""
    from ._core import broadcast_arrays, promote
    from ._shape import moveaxis
    from ._ufuncs import _to_float
    a, b = broadcast_arrays(*promote(_to_float(start), _to_float(stop), op="linspace"))
    shape = (num,) + a.aval.shape
    dims = tuple(range(1, len(shape)))
    step = lax.div(lax.sub(b, a), float(div)) if div > 0 else lax.mul(a, 0.0)
    i = lax.broadcasted_iota(a.aval.dtype, shape, 0)
    out = lax.add(lax.mul(i, lax.broadcast_in_dim(step, shape, dims)),
                  lax.broadcast_in_dim(a, shape, dims))
    if endpoint and num > 1:
        last = lax.eq(lax.broadcasted_iota("int32", shape, 0), num - 1)
        out = lax.select(last, lax.broadcast_in_dim(b, shape, dims), out)
    out = moveaxis(lax.convert_element_type(out, dtype), 0, axis)
    return (out, step) if retstep else out


def logspace(start, stop, num=50, endpoint=True, base=10.0, dtype=None):
    from ._ufuncs import power
    return lax.convert_element_type(power(float(base), linspace(start, stop, num, endpoint)),
                                    _dtype(dtype))


def _matrix_dims(op, N, M, error=ValueError):
    """(N, M) of eye/identity/tri: concrete non-negative ints (JAX's error types)."""
    return lax.canonicalize_shape((N, N if M is None else M), op, error=error)


def eye(N, M=None, k=0, dtype=None):
    N, M = _matrix_dims("eye", N, M)
    rows = lax.broadcasted_iota("int32", (N, M), 0)
    cols = lax.broadcasted_iota("int32", (N, M), 1)
    return lax.convert_element_type(lax.eq(lax.add(rows, k), cols), _dtype(dtype))


def identity(n, dtype=None):
    _matrix_dims("identity", n, None)
    return eye(n, dtype=dtype)


def tri(N, M=None, k=0, dtype=None):
    N, M = _matrix_dims("tri", N, M, TypeError)
    rows = lax.broadcasted_iota("int32", (N, M), 0)
    cols = lax.broadcasted_iota("int32", (N, M), 1)
    return lax.convert_element_type(lax.le(cols, lax.add(rows, k)), _dtype(dtype))


def _tri_mask(x, k, lower):
    n, m = x.aval.shape[-2:]
    rows = lax.broadcasted_iota("int32", (n, m), 0)
    cols = lax.broadcasted_iota("int32", (n, m), 1)
    keep = lax.le(cols, lax.add(rows, k)) if lower else lax.ge(cols, lax.add(rows, k))
    keep = lax.broadcast_in_dim(keep, x.aval.shape, (x.aval.ndim - 2, x.aval.ndim - 1))
    zero = lax.broadcast_in_dim(as_operand(np.zeros((), dtypes.np_dtype(x.aval.dtype))),
                                x.aval.shape, ())
    return lax.select(keep, x, zero)


def tril(m, k=0):
    return _tri_mask(asarray(m), k, lower=True)


def triu(m, k=0):
    return _tri_mask(asarray(m), k, lower=False)


def diag(v, k=0):
    x = asarray(v)
    if x.aval.ndim == 1:
        n = x.aval.shape[0] + abs(k)
        from ._ufuncs import where
        e = eye(n, k=k, dtype="bool")
        if k >= 0:
            vals = lax.pad(x, 0, [(0, abs(k), 0)])
            full_ = lax.broadcast_in_dim(vals, (n, n), (0,))
        else:
            vals = lax.pad(x, 0, [(abs(k), 0, 0)])
            full_ = lax.broadcast_in_dim(vals, (n, n), (1,))
        return where(e, full_, 0)
    if x.aval.ndim == 2:
        return diagonal(x, offset=k)
    raise ValueError("diag: input must be 1-d or 2-d")


def diagonal(a, offset=0, axis1=0, axis2=1):
    from ._reductions import sum as _sum
    from ._shape import moveaxis
    x = moveaxis(asarray(a), (axis1, axis2), (-2, -1))
    n, m = x.aval.shape[-2:]
    rows = lax.broadcasted_iota("int32", (n, m), 0)
    cols = lax.broadcasted_iota("int32", (n, m), 1)
    mask = lax.eq(lax.add(rows, offset), cols)
    length = max(0, min(n, m - offset) if offset >= 0 else min(n + offset, m))
    mask_b = lax.broadcast_in_dim(mask, x.aval.shape, (x.aval.ndim - 2, x.aval.ndim - 1))
    zero = lax.broadcast_in_dim(as_operand(np.zeros((), dtypes.np_dtype(x.aval.dtype))), x.aval.shape, ())
    picked = lax.select(mask_b, x, zero)
    if offset >= 0:
        s = _sum(picked, axis=-2)
        return lax.slice_in_dim(s, offset, offset + length, axis=-1 % s.aval.ndim)
    s = _sum(picked, axis=-1)
    return lax.slice_in_dim(s, -offset, -offset + length, axis=-1 % s.aval.ndim)


def trace(a, offset=0, axis1=0, axis2=1):
    from ._reductions import sum as _sum
    return _sum(diagonal(a, offset, axis1, axis2), axis=-1)


def meshgrid(*xi, indexing="xy"):
    xs = [asarray(x).reshape(-1) if hasattr(asarray(x), "reshape") else asarray(x) for x in xi]
    shape = [x.aval.shape[0] for x in xs]
    if indexing == "xy" and len(xs) >= 2:
        shape[0], shape[1] = shape[1], shape[0]
    out = []
    for i, x in enumerate(xs):
        d = i
        if indexing == "xy" and len(xs) >= 2 and i < 2:
            d = 1 - i
        out.append(lax.broadcast_in_dim(x, shape, (d,)))
    return out
