"""Building and editing arrays: append, insert, delete, resize, trim_zeros, block, concat,
unstack, atleast_3d, dsplit, and the functional forms of NumPy's in-place writers
(put, put_along_axis, place, fill_diagonal: JAX requires inplace=False)."""
from __future__ import annotations

import numpy as np

from .. import dtypes, lax
from ..core import ConcretizationTypeError, user_line
from . import _shape as sh
from . import _ufuncs as uf
from ._core import asarray, broadcast_to, canonical_axis


def append(arr, values, axis=None):
    if axis is None:
        return sh.concatenate([sh.ravel(asarray(arr)), sh.ravel(asarray(values))], axis=0)
    return sh.concatenate([asarray(arr), asarray(values)], axis=axis)


def concat(arrays, /, *, axis=0):
    return sh.concatenate(arrays, axis=axis)


def unstack(x, /, *, axis=0):
    a = asarray(x)
    if a.aval.ndim == 0:
        raise ValueError(f"unstack: requires an array of at least one dimension (at {user_line()})")
    axis = canonical_axis(axis, a.aval.ndim, "unstack")
    return tuple(lax.squeeze(lax.slice_in_dim(a, i, i + 1, axis=axis), (axis,))
                 for i in range(a.aval.shape[axis]))


def atleast_3d(*arys):
    out = []
    for a in arys:
        x = asarray(a)
        s = x.aval.shape
        if x.aval.ndim == 0:
            x = lax.reshape(x, (1, 1, 1))
        elif x.aval.ndim == 1:
            x = lax.reshape(x, (1,) + s + (1,))
        elif x.aval.ndim == 2:
            x = lax.reshape(x, s + (1,))
        out.append(x)
    return out[0] if len(out) == 1 else out


def dsplit(ary, indices_or_sections):
    x = asarray(ary)
    if x.aval.ndim < 3:
        raise ValueError(f"dsplit only works on arrays of 3 or more dimensions; got shape "
                         f"{x.aval.shape} (at {user_line()})")
    return sh.split(x, indices_or_sections, axis=2)


def resize(a, new_shape):
    """`a` flattened and repeated cyclically to fill `new_shape`."""
    from ._indexing import take
    x = sh.ravel(asarray(a))
    shape = (int(new_shape),) if np.ndim(new_shape) == 0 else tuple(int(d) for d in new_shape)
    if any(d < 0 for d in shape):
        raise ValueError(f"resize: all elements of new_shape must be non-negative; got {shape}")
    total = int(np.prod(shape, dtype=np.int64))
    if x.aval.size == 0:
        from ._creation import zeros
        return zeros(shape, x.aval.dtype)
    idx = asarray((np.arange(total) % x.aval.size).astype(np.int32))
    return lax.reshape(take(x, idx), shape)


def _concrete(x, op, hint):
    try:
        return np.asarray(x)
    except (TypeError, ConcretizationTypeError):
        raise ConcretizationTypeError(f"{op}: needs concrete values, but got a traced array; "
                                      f"{hint} (at {user_line()})") from None


def trim_zeros(filt, trim="fb", axis=None):
    """Strip leading ('f') and/or trailing ('b') zeros; the result's shape depends on the
    values, so it needs a concrete array (not under jit), as in JAX."""
    x = asarray(filt)
    host = _concrete(x, "trim_zeros", "the result shape depends on the values")
    trim = trim.lower()
    if any(c not in "fb" for c in trim):
        raise ValueError(f"trim_zeros: unexpected character(s) in trim: {trim!r}")
    if x.aval.ndim == 0:
        raise ValueError(f"trim_zeros: filt must be at least 1-dimensional (at {user_line()})")
    axes = range(x.aval.ndim) if axis is None else [
        canonical_axis(a, x.aval.ndim, "trim_zeros")
        for a in (axis if isinstance(axis, (tuple, list)) else (axis,))]
    nz = np.argwhere(host)
    out = x
    for ax in axes:
        n = x.aval.shape[ax]
        if nz.size == 0:
            start, stop = (n if "f" in trim else 0), n
            if "f" not in trim and "b" in trim:
                stop = 0
        else:
            start = int(nz[:, ax].min()) if "f" in trim else 0
            stop = int(nz[:, ax].max()) + 1 if "b" in trim else n
        out = lax.slice_in_dim(out, start, max(start, stop), axis=ax)
    return out


def _block_depth(x):
    if isinstance(x, list):
        if not x:
            raise ValueError(f"block: lists cannot be empty (at {user_line()})")
        depths = {_block_depth(y) for y in x}
        if len(depths) != 1:
            raise ValueError(f"block: list depths are mismatched (at {user_line()})")
        return 1 + depths.pop()
    if isinstance(x, tuple):
        raise TypeError(f"block: arrays is a tuple; only lists can be used to arrange blocks "
                        f"(at {user_line()})")
    return 0


def _max_ndim(x):
    return max(_max_ndim(y) for y in x) if isinstance(x, list) else asarray(x).aval.ndim


def block(arrays):
    """Assemble nested lists of blocks: the innermost lists join along the last axis,
    the next ones along the axis before it, and so on."""
    depth = _block_depth(arrays)
    nd = max(depth, _max_ndim(arrays))

    def build(x, level):
        if not isinstance(x, list):
            a = asarray(x)
            return lax.reshape(a, (1,) * (nd - a.aval.ndim) + a.aval.shape)
        parts = [build(y, level + 1) for y in x]
        return sh.concatenate(parts, axis=nd - depth + level)

    out = build(arrays, 0)
    return out


def _obj_indices(obj, n, op):
    """The index array an obj (int, slice, sequence, array) stands for, and whether it
    was a scalar."""
    if isinstance(obj, slice):
        return asarray(np.arange(n)[obj].astype(np.int32)), False
    idx = asarray(obj)
    if idx.aval.dtype == "bool":
        raise ValueError(f"{op}: boolean index arrays are not supported; use an integer index "
                         f"array (at {user_line()})")
    if not dtypes.issubdtype(idx.aval.dtype, np.integer):
        raise ValueError(f"{op}: index array argument obj must be integer typed; got "
                         f"{idx.aval.dtype} (at {user_line()})")
    return lax.convert_element_type(idx, "int32"), idx.aval.ndim == 0


def insert(arr, obj, values, axis=None):
    """Insert `values` before the given indices (traced indices work: only their number
    sets the output size); existing elements shift right, as in NumPy."""
    from ._sorting import argsort
    from ._creation import zeros
    x = asarray(arr)
    if axis is None:
        x, axis = sh.ravel(x), 0
    axis = canonical_axis(axis, x.aval.ndim, "insert")
    n = x.aval.shape[axis]
    idx, scalar = _obj_indices(obj, n + 1, "insert")
    v = lax.convert_element_type(asarray(values), x.aval.dtype)
    if scalar:
        v = lax.reshape(v, (1,) * (x.aval.ndim - v.aval.ndim) + v.aval.shape) \
            if v.aval.ndim < x.aval.ndim else v
        v = sh.moveaxis(v, 0, axis)
        k = v.aval.shape[axis]
        shape = list(x.aval.shape)
        shape[axis] = k
        v = broadcast_to(v, shape)
        idx = lax.broadcast_in_dim(uf.where(lax.lt(idx, 0), lax.add(idx, n), idx), (k,), ())
        ins = lax.add(idx, lax.iota("int32", k))
    else:
        idx = sh.ravel(idx)
        k = idx.aval.shape[0]
        shape = list(x.aval.shape)
        shape[axis] = k
        if v.aval.ndim and v.aval.ndim == x.aval.ndim or v.aval.ndim == 0:
            v = broadcast_to(v, shape)
        else:
            v = broadcast_to(sh.moveaxis(lax.reshape(v, (1,) * (x.aval.ndim - v.aval.ndim) +
                                                     v.aval.shape), -1, axis), shape)
        idx = uf.where(lax.lt(idx, 0), lax.add(idx, n), idx)
        order = argsort(idx)
        from ._indexing import take
        idx = take(idx, order)
        v = take(v, order, axis=axis)
        ins = lax.add(idx, lax.iota("int32", k))
    # each old element moves right by the number of inserted indices at or before it
    old = lax.iota("int32", n)
    shift = lax.reduce_sum(lax.convert_element_type(
        lax.le(lax.broadcast_in_dim(idx, (n, k), (1,)), lax.broadcast_in_dim(old, (n, k), (0,))),
        "int32"), (1,)) if k else lax.mul(old, 0)
    dest = lax.add(old, shift)
    out_shape = list(x.aval.shape)
    out_shape[axis] = n + k
    out = sh.moveaxis(zeros(out_shape, x.aval.dtype), axis, 0)
    out = out.at[dest].set(sh.moveaxis(x, axis, 0))
    out = out.at[ins].set(sh.moveaxis(v, axis, 0))
    return sh.moveaxis(out, 0, axis)


def delete(arr, obj, axis=None, *, assume_unique_indices=False):
    """Remove the given indices along axis.  Concrete indices are removed directly;
    traced ones need assume_unique_indices=True (the output size is n - len(obj))."""
    from ._indexing import take
    x = asarray(arr)
    if axis is None:
        x, axis = sh.ravel(x), 0
    axis = canonical_axis(axis, x.aval.ndim, "delete")
    n = x.aval.shape[axis]
    if isinstance(obj, slice):
        keep = np.setdiff1d(np.arange(n), np.arange(n)[obj])
        return take(x, asarray(keep.astype(np.int32)), axis=axis)
    idx = asarray(obj)
    if idx.aval.dtype == "bool":
        raise ValueError(f"delete: boolean index arrays are not supported (at {user_line()})")
    try:  # the caller's value: NumPy arrays and lists stay concrete under jit
        host = np.asarray(obj)
    except (TypeError, ConcretizationTypeError):
        host = None
    if host is not None:
        host = host.astype(np.int64).ravel()
        if np.any((host < -n) | (host >= n)):
            raise IndexError(f"delete: index out of bounds for axis {axis} with size {n} "
                             f"(at {user_line()})")
        keep = np.setdiff1d(np.arange(n), host % max(n, 1))
        return take(x, asarray(keep.astype(np.int32)), axis=axis)
    if not assume_unique_indices:
        raise ConcretizationTypeError(
            f"delete: traced indices need assume_unique_indices=True, so that the output "
            f"size is known (at {user_line()})")
    from ._extra_sets import _compact
    from ._creation import ones
    i = sh.ravel(lax.convert_element_type(idx, "int32"))
    i = lax.select(lax.lt(i, 0), lax.add(i, n), i)
    mask = ones((n,), "bool").at[i].set(False)
    kept = _compact(lax.iota("int32", n), mask, n - i.aval.shape[0], 0)
    return take(x, kept, axis=axis)


def _no_inplace(inplace, op):
    if inplace:
        raise ValueError(f"irax.numpy.{op} cannot modify arrays in-place, because irax arrays "
                         f"are immutable; pass inplace=False to instead return an updated array "
                         f"(at {user_line()})")


def _cycled(v, k):
    """`v` flattened and repeated cyclically to length k (NumPy's put/place rule)."""
    from ._indexing import take
    v = sh.ravel(asarray(v))
    if v.aval.size == k:
        return v
    if v.aval.size == 0:
        raise ValueError(f"cannot place/put from an empty array (at {user_line()})")
    return take(v, lax.rem(lax.iota("int32", k), v.aval.size))


def put(a, ind, v, mode=None, *, inplace=True):
    _no_inplace(inplace, "put")
    x = asarray(a)
    i = sh.ravel(asarray(ind))
    if not dtypes.issubdtype(i.aval.dtype, np.integer):
        raise TypeError(f"put: indices must be integers, got {i.aval.dtype} (at {user_line()})")
    i = lax.convert_element_type(i, "int32")
    size = x.aval.size
    if mode in (None, "clip"):
        i = lax.clamp(0, i, max(size - 1, 0))
    elif mode == "wrap":
        i = lax.rem(lax.add(lax.rem(i, size), size), size)
    elif mode == "raise":
        raise NotImplementedError(f"put: mode='raise' is not supported; use 'clip' or 'wrap' "
                                  f"(at {user_line()})")
    else:
        raise ValueError(f"put: invalid mode {mode!r} (at {user_line()})")
    vals = lax.convert_element_type(_cycled(v, i.aval.shape[0]), x.aval.dtype)
    return lax.reshape(sh.ravel(x).at[i].set(vals), x.aval.shape)


def put_along_axis(arr, indices, values, axis, inplace=True, *, mode=None):
    _no_inplace(inplace, "put_along_axis")
    from ._core import broadcast_shapes
    x = asarray(arr)
    ind = asarray(indices)
    if axis is None:
        flat = sh.ravel(x).at[sh.ravel(ind)].set(sh.ravel(asarray(values)), mode=mode)
        return lax.reshape(flat, x.aval.shape)
    axis = canonical_axis(axis, x.aval.ndim, "put_along_axis")
    if ind.aval.ndim != x.aval.ndim:
        raise ValueError(f"put_along_axis: indices and arr must have the same number of "
                         f"dimensions; got {ind.aval.shape} and {x.aval.shape} (at {user_line()})")
    others = [d for d in range(x.aval.ndim) if d != axis]
    common = list(broadcast_shapes(tuple(x.aval.shape[d] for d in others),
                                   tuple(ind.aval.shape[d] for d in others)))
    common.insert(axis, ind.aval.shape[axis])
    ind = broadcast_to(ind, common)
    grids = tuple(ind if d == axis else lax.broadcasted_iota("int32", tuple(common), d)
                  for d in range(x.aval.ndim))
    return x.at[grids].set(values, mode=mode)


def place(arr, mask, vals, *, inplace=True):
    """arr with the masked positions filled by vals in order (repeated cyclically)."""
    _no_inplace(inplace, "place")
    from ._indexing import take
    x = asarray(arr)
    m = sh.ravel(broadcast_to(lax.ne(asarray(mask), 0) if asarray(mask).aval.dtype != "bool"
                              else asarray(mask), x.aval.shape))
    v = sh.ravel(lax.convert_element_type(asarray(vals), x.aval.dtype))
    if v.aval.size == 0:
        raise ValueError(f"place: cannot place from an empty vals array (at {user_line()})")
    pos = lax.rem(lax.max(lax.sub(lax.cumsum(lax.convert_element_type(m, "int32"), 0), 1), 0),
                  v.aval.size)
    return lax.reshape(uf.where(m, take(v, pos), sh.ravel(x)), x.aval.shape)


def fill_diagonal(a, val, wrap=False, *, inplace=True):
    _no_inplace(inplace, "fill_diagonal")
    x = asarray(a)
    if x.aval.ndim < 2:
        raise ValueError(f"fill_diagonal: array must be at least 2-d (at {user_line()})")
    if wrap:
        raise NotImplementedError(f"fill_diagonal: wrap=True is not implemented, must use "
                                  f"wrap=False (at {user_line()})")
    s = x.aval.shape
    if x.aval.ndim > 2 and len(set(s)) != 1:
        raise ValueError(f"fill_diagonal: all dimensions of input must be of equal length; got "
                         f"{s} (at {user_line()})")
    k = min(s)
    diag = tuple(lax.iota("int32", k) for _ in s)
    vals = lax.convert_element_type(_cycled(val, k), x.aval.dtype)
    return x.at[diag].set(vals)

