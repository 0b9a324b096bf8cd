"""Index arrays and index-building helpers: tri/diag indices, indices, ix_, mgrid, ogrid,
r_, c_, s_, index_exp, mask_indices, ravel_multi_index, unravel_index."""
from __future__ import annotations

import numpy as np

from .. import dtypes, lax
from ..core import ConcretizationTypeError, user_line
from . import _ufuncs as uf
from ._core import asarray

s_ = np.s_
index_exp = np.index_exp


def _ints(host):
    return asarray(np.asarray(host).astype(dtypes.np_dtype(dtypes.default_int())))


def tril_indices(n, k=0, m=None):
    return tuple(_ints(i) for i in np.tril_indices(int(n), int(k), None if m is None else int(m)))


def triu_indices(n, k=0, m=None):
    return tuple(_ints(i) for i in np.triu_indices(int(n), int(k), None if m is None else int(m)))


def _shape2(arr, op):
    shape = arr.shape if hasattr(arr, "shape") else asarray(arr).aval.shape
    if len(shape) != 2:
        raise ValueError(f"{op}: input array must be 2-d, got shape {tuple(shape)} "
                         f"(at {user_line()})")
    return shape


def tril_indices_from(arr, k=0):
    n, m = _shape2(arr, "tril_indices_from")
    return tril_indices(n, k, m)


def triu_indices_from(arr, k=0):
    n, m = _shape2(arr, "triu_indices_from")
    return triu_indices(n, k, m)


def diag_indices(n, ndim=2):
    n, ndim = int(n), int(ndim)
    if n < 0 or ndim < 0:
        raise ValueError(f"diag_indices: n and ndim must be non-negative, got {n} and {ndim}")
    return (lax.iota(dtypes.default_int(), n),) * ndim


def diag_indices_from(arr):
    x = asarray(arr)
    s = x.aval.shape
    if x.aval.ndim < 2 or len(set(s)) != 1:
        raise ValueError(f"diag_indices_from: input must be at least 2-d with all dimensions "
                         f"equal, got shape {s} (at {user_line()})")
    return diag_indices(s[0], x.aval.ndim)


def indices(dimensions, dtype=None, sparse=False):
    dims = tuple(int(d) for d in dimensions)
    dt = dtypes.default_int() if dtype is None else dtypes.to_dtype(dtype)
    out = []
    for i, d in enumerate(dims):
        shape = [1] * len(dims)
        shape[i] = d
        g = lax.reshape(lax.iota(dt, d), shape)
        out.append(g if sparse else lax.broadcast_in_dim(lax.reshape(g, (d,)), dims, (i,)))
    if sparse:
        return tuple(out)
    from ._shape import stack
    if not dims:
        from ._creation import zeros
        return zeros((0,), dt)
    return stack(out, axis=0)


def ix_(*args):
    """Open mesh from 1-d sequences: arg i gets shape (1, ..., n_i, ..., 1)."""
    out = []
    for i, a in enumerate(args):
        x = asarray(a)
        if x.aval.ndim != 1:
            raise ValueError(f"ix_: cross index must be 1-dimensional, got shape {x.aval.shape} "
                             f"(at {user_line()})")
        if x.aval.dtype == "bool":
            from ._extra_sets import nonzero
            x = nonzero(x)[0]
        shape = [1] * len(args)
        shape[i] = x.aval.shape[0]
        out.append(lax.reshape(x, shape))
    return tuple(out)


def _slice_axis(s):
    """The 1-d grid a slice stands for (an imaginary step counts points, as in NumPy)."""
    from ._creation import arange, linspace
    start = 0 if s.start is None else s.start
    step = 1 if s.step is None else s.step
    if isinstance(step, complex):
        num = int(abs(step))
        return linspace(start, s.stop, num, endpoint=True)
    if any(isinstance(v, float) for v in (start, s.stop, step)):
        return arange(float(start), float(s.stop), float(step))
    return arange(start, s.stop, step)


class _Grid:
    def __init__(self, sparse, name):
        self.sparse = sparse
        self.name = name

    def __getitem__(self, key):
        from ._core import promote
        single = isinstance(key, slice)
        keys = (key,) if single else tuple(key)
        axes = [_slice_axis(k) for k in keys]
        if single:
            return axes[0]
        axes = promote(*axes, op=self.name)
        for a in axes:
            a.weak_type = False
        n = len(axes)
        shape = tuple(a.aval.shape[0] for a in axes)
        out = []
        for i, a in enumerate(axes):
            if self.sparse:
                s = [1] * n
                s[i] = shape[i]
                out.append(lax.reshape(a, s))
            else:
                out.append(lax.broadcast_in_dim(a, shape, (i,)))
        if self.sparse:
            return out
        from ._shape import stack
        return stack(out, axis=0)


mgrid = _Grid(False, "mgrid")
ogrid = _Grid(True, "ogrid")


class _Concat:
    """r_ / c_: slices become ranges, scalars 1-d arrays, and a leading string
    'axis[,ndmin[,trans1d]]' sets how the pieces are joined."""

    def __init__(self, axis, ndmin, trans1d, name):
        self.axis, self.ndmin, self.trans1d, self.name = axis, ndmin, trans1d, name

    def __getitem__(self, key):
        from ._shape import concatenate
        items = key if isinstance(key, tuple) else (key,)
        axis, ndmin, trans1d = self.axis, self.ndmin, self.trans1d
        if items and isinstance(items[0], str):
            spec = items[0]
            items = items[1:]
            if spec in ("r", "c"):
                raise NotImplementedError(f"{self.name}: the matrix directives 'r' and 'c' are "
                                          f"not supported (irax has no matrix type)")
            parts = [int(p) for p in spec.split(",")]
            axis = parts[0]
            if len(parts) > 1:
                ndmin = parts[1]
            if len(parts) > 2:
                trans1d = parts[2]
        arrays = []
        for it in items:
            if isinstance(it, slice):
                a = _slice_axis(it)
            elif isinstance(it, str):
                raise ValueError(f"{self.name}: a string directive must come first")
            else:
                a = asarray(it) if not isinstance(it, (list, tuple)) else asarray(np.asarray(it))
            arrays.append(_ndmin(a, ndmin, trans1d))
        if not arrays:
            from ._creation import zeros
            return zeros((0,))
        return concatenate(arrays, axis=axis)


def _ndmin(a, ndmin, trans1d):
    """NumPy's r_ rule: ones are prepended up to ndmin dims, then trans1d says where
    the item's own axes go."""
    if a.aval.ndim == 0:
        a = lax.reshape(a, (1,))
    nd = a.aval.ndim
    if nd >= ndmin:
        return a
    x = lax.reshape(a, (1,) * (ndmin - nd) + a.aval.shape)
    if trans1d != -1:
        k2, k1 = ndmin - nd, trans1d
        if k1 < 0:
            k1 += k2 + 1
        axes = list(range(ndmin))
        x = lax.transpose(x, axes[:k1] + axes[k2:] + axes[k1:k2])
    return x


r_ = _Concat(0, 1, -1, "r_")
c_ = _Concat(-1, 2, 0, "c_")


def mask_indices(n, mask_func, k=0, *, size=None):
    from ._creation import ones
    from ._extra_sets import nonzero
    m = mask_func(ones((int(n), int(n)), dtypes.default_int()), k)
    return nonzero(m, size=size)


def ravel_multi_index(multi_index, dims, mode="raise", order="C", *, dtype=None):
    """Flat indices of coordinate arrays; mode 'raise' checks them (concrete only), 'wrap'
    takes them modulo each dimension, 'clip' clamps them."""
    from ._core import broadcast_arrays
    dims = tuple(int(d) for d in dims)
    idx = [asarray(i) for i in multi_index]
    if len(idx) != len(dims):
        raise ValueError(f"ravel_multi_index: parameter multi_index must be a sequence of length "
                         f"{len(dims)}, got {len(idx)} (at {user_line()})")
    for i in idx:
        if not dtypes.issubdtype(i.aval.dtype, np.integer) and i.aval.dtype != "bool":
            raise TypeError(f"ravel_multi_index: only int indices permitted, got {i.aval.dtype}")
    idx = broadcast_arrays(*[lax.convert_element_type(i, dtypes.default_int()) for i in idx])
    if mode == "raise":
        try:
            host = [np.broadcast_to(np.asarray(i), idx[0].aval.shape) for i in multi_index]
        except (TypeError, ConcretizationTypeError):
            raise ConcretizationTypeError(
                f"ravel_multi_index: mode='raise' needs concrete indices; use mode='wrap' or "
                f"'clip' under jit (at {user_line()})") from None
        if any(np.any((h < 0) | (h >= d)) for h, d in zip(host, dims)):
            raise ValueError(f"ravel_multi_index: invalid entry in coordinates array "
                             f"(at {user_line()})")
    elif mode == "wrap":
        idx = [uf.remainder(i, d) for i, d in zip(idx, dims)]
    elif mode == "clip":
        idx = [uf.clip(i, 0, d - 1) for i, d in zip(idx, dims)]
    else:
        raise ValueError(f"ravel_multi_index: invalid mode {mode!r} (at {user_line()})")
    if order not in ("C", "F"):
        raise ValueError(f"ravel_multi_index: invalid order {order!r}; use 'C' or 'F'")
    pairs = list(zip(idx, dims))
    if order == "F":
        pairs = pairs[::-1]
    out = None
    for i, d in pairs:
        out = i if out is None else lax.add(lax.mul(out, d), i)
    return out if dtype is None else lax.convert_element_type(out, dtype)


def unravel_index(indices, shape):
    """Coordinates of flat indices; negative ones count from the end and out-of-range
    ones are clamped, as in JAX."""
    x = asarray(indices)
    if not dtypes.issubdtype(x.aval.dtype, np.integer):
        raise TypeError(f"unravel_index: only int indices permitted, got {x.aval.dtype}")
    shape = tuple(int(d) for d in shape)
    total = int(np.prod(shape, dtype=np.int64))
    x = lax.convert_element_type(x, dtypes.default_int())
    x = uf.where(lax.lt(x, 0), lax.add(x, total), x)
    x = lax.clamp(0, x, max(total - 1, 0))
    out = []
    for d in reversed(shape):
        out.append(lax.rem(x, d) if d else x)
        x = lax.div(x, d) if d else x
    return tuple(out[::-1])
