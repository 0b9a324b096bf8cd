"""NumPy indexing on irax arrays: x[idx] and x.at[idx].set/add/...

Basic indexing (ints, slices, None, Ellipsis) becomes slice/rev/reshape;
integer-array and boolean-mask indexing becomes irax.gather/irax.scatter.
"""
from __future__ import annotations

import numpy as np

from irax.dialects.ops import IraxTypeError

from .. import lax
from ..core import is_array, user_line
from ._core import asarray


def _expand_index(idx, ndim):
    """Normalise idx to a tuple with Ellipsis expanded (None kept)."""
    if not isinstance(idx, tuple):
        idx = (idx,)
    n_ell = sum(1 for i in idx if i is Ellipsis)
    if n_ell > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    used = sum(1 for i in idx if i is not None and i is not Ellipsis and not _is_bool_mask(i))
    used += sum(_mask_ndim(i) for i in idx if _is_bool_mask(i))
    if used > ndim:
        raise IndexError(f"too many indices for array: array is {ndim}-dimensional, but {used} "
                         f"were indexed")
    out = []
    for i in idx:
        if i is Ellipsis:
            out.extend([slice(None)] * (ndim - used))
        else:
            out.append(i)
    if n_ell == 0:
        out.extend([slice(None)] * (ndim - used))
    return out


def _is_bool_mask(i):
    if is_array(i):
        return i.aval.dtype == "bool"
    if isinstance(i, (np.ndarray, list)) and np.asarray(i).dtype == np.bool_:
        return True
    return False


def _mask_ndim(i):
    return i.aval.ndim if is_array(i) else np.asarray(i).ndim


def _is_int_array(i):
    if is_array(i):
        return i.aval.dtype != "bool"
    if isinstance(i, (np.ndarray, list, tuple)):
        return True
    return False


def _mask_to_indices(m):
    """Boolean masks need concrete values: the result shape depends on them."""
    try:
        host = np.asarray(m)
    except TypeError:
        raise IndexError(f"boolean mask indexing needs a concrete mask; under jit use "
                         f"irax.numpy.where(mask, x, fill) instead (at {user_line()})") from None
    return list(np.nonzero(host))


def getitem(x, idx):
    x = asarray(x)
    idx = _expand_index(idx, x.aval.ndim)
    # Boolean masks -> integer index arrays (one per masked dim).
    expanded = []
    for i in idx:
        if _is_bool_mask(i):
            expanded.extend(_mask_to_indices(i))
        else:
            expanded.append(i)
    idx = expanded
    if any(_is_int_array(i) for i in idx):
        return _advanced(x, idx)
    return _basic(x, idx)


def _basic(x, idx):
    start, limit, strides, squeeze_dims, rev_dims, new_shape = [], [], [], [], [], []
    dim = 0
    for i in idx:
        if i is None:
            new_shape.append(("new",))
            continue
        n = x.aval.shape[dim]
        if isinstance(i, slice):
            s, e, st = i.indices(n)
            if st > 0:
                length = max(0, (e - s + st - 1) // st)
                start.append(s)
                limit.append(s + max(0, (length - 1) * st + 1) if length else s)
                strides.append(st)
            else:
                length = max(0, (s - e - st - 1) // (-st))
                # reversed slice: take the forward slice, then reverse it
                lo = s + (length - 1) * st if length else 0
                start.append(lo if length else 0)
                limit.append(s + 1 if length else 0)
                strides.append(-st)
                rev_dims.append(dim)
            new_shape.append(("keep", dim))
        else:
            if is_array(i) and i.aval.ndim == 0 and not _concrete_int(i):
                return _dynamic_int(x, idx)
            k = int(i)
            if not -n <= k < n:
                raise IndexError(f"index {k} is out of bounds for axis {dim} with size {n}")
            k %= n
            start.append(k)
            limit.append(k + 1)
            strides.append(1)
            squeeze_dims.append(dim)
        dim += 1
    y = x
    if (start != [0] * len(start) or limit != list(x.aval.shape) or any(s != 1 for s in strides)):
        y = lax.slice(x, start, limit, strides)
    if rev_dims:
        y = lax.rev(y, rev_dims)
    shape = []
    for entry in new_shape:
        shape.append(1 if entry[0] == "new" else y.aval.shape[entry[1]])
    if tuple(shape) != y.aval.shape:
        y = lax.reshape(y, shape)
    return y


def _concrete_int(i):
    try:
        int(i)
        return True
    except TypeError:
        return False


def _dynamic_int(x, idx):
    """Traced scalar indices: one dynamic_slice (clamped, as in JAX), then the slices."""
    dim = 0
    starts, sizes, drop = [], [], []
    for i in idx:
        if i is None:
            continue
        n = x.aval.shape[dim]
        if isinstance(i, slice):
            starts.append(0)
            sizes.append(n)
        else:
            k = lax.convert_element_type(asarray(i), "int32")
            starts.append(lax.select(lax.lt(k, 0), lax.add(k, n), k))
            sizes.append(1)
            drop.append(dim)
        dim += 1
    y = lax.dynamic_slice(x, starts, sizes)
    y = lax.reshape(y, [d for j, d in enumerate(y.aval.shape) if j not in drop])
    rest = [i for i in idx if i is None or isinstance(i, slice)]
    return _basic(y, rest) if rest else y


def _advanced(x, idx):
    """Integer-array indexing (NumPy semantics) via one irax.gather."""
    arrays = [(d, i) for d, i in enumerate(_dims_of(idx)) if i is not None]
    dims = [d for d, _ in arrays]
    index_arrays = [_int_index(i, x.aval.shape[d]) for d, i in arrays]
    from ._core import broadcast_arrays
    index_arrays = broadcast_arrays(*index_arrays, op="indexing")
    bshape = index_arrays[0].aval.shape
    # Move indexed dims to the front, gather, then place the result dims.
    rest = [d for d in range(x.aval.ndim) if d not in dims]
    xt = lax.transpose(x, dims + rest)
    stacked = lax.concatenate([lax.reshape(i, bshape + (1,)) for i in index_arrays], len(bshape))
    out = _gather(xt, stacked)
    # Non-index entries (slices/None) applied to the trailing dims.
    tail_idx = [i for i in idx if i is None or isinstance(i, slice)]
    contiguous = dims == list(range(dims[0], dims[0] + len(dims)))
    nb = len(bshape)
    if contiguous and dims[0] > 0:
        # NumPy puts the broadcast dims where the indexed block was.
        lead = dims[0]
        perm = list(range(nb, nb + lead)) + list(range(nb)) + list(range(nb + lead, out.aval.ndim))
        out = lax.transpose(out, perm)
        pre = [i for i in idx[:_pos_of_dim(idx, dims[0])] if i is None or isinstance(i, slice)]
        post = [i for i in idx[_pos_of_dim(idx, dims[-1]) + 1:] if i is None or isinstance(i, slice)]
        return _basic(out, pre + [slice(None)] * nb + post) if (pre or post) else out
    if tail_idx:
        out = _basic(out, [slice(None)] * nb + tail_idx)
    return out


def _pos_of_dim(idx, d):
    dim = 0
    for pos, i in enumerate(idx):
        if i is None:
            continue
        if dim == d:
            return pos
        dim += 1
    return len(idx)


def _dims_of(idx):
    """Per array dim: the int/array index on it, or None for slices; None entries dropped."""
    out = []
    for i in idx:
        if i is None:
            continue
        out.append(None if isinstance(i, slice) else i)
    return out


def _int_index(i, n):
    a = asarray(i) if is_array(i) else asarray(np.asarray(i))
    if a.aval.dtype not in ("int32", "int64", "uint32", "int8", "int16", "uint8"):
        raise IndexError(f"arrays used as indices must be of integer (or boolean) type, got "
                         f"{a.aval.dtype}")
    a = lax.convert_element_type(a, "int32")
    return lax.select(lax.lt(a, 0), lax.add(a, n), a)


def _gather(operand, indices):
    from ..core import bind
    return bind("irax.gather", [operand, indices])[0]


def take(a, indices, axis=None, mode=None):
    x = asarray(a)
    if axis is None:
        x = lax.reshape(x, (x.aval.size,))
        axis = 0
    axis %= x.aval.ndim
    idx = [slice(None)] * axis + [indices]
    return getitem(x, tuple(idx))


def take_along_axis(arr, indices, axis):
    x = asarray(arr)
    ind = asarray(indices)
    axis %= x.aval.ndim
    grids = []
    for d in range(x.aval.ndim):
        if d == axis:
            grids.append(ind)
        else:
            shape = [1] * x.aval.ndim
            shape[d] = ind.aval.shape[d]
            grids.append(lax.reshape(lax.iota("int32", ind.aval.shape[d]), shape))
    return getitem(x, tuple(grids))


# --------------------------------------------------------------------------
# x.at[idx].set / add / multiply / min / max / get
# --------------------------------------------------------------------------

def _scatter_indices(x, idx):
    """Indices [..., x.ndim] of every element `x[idx]` selects, and that selection's shape."""
    flat_pos = lax.reshape(lax.iota("int32", x.aval.size), x.aval.shape)
    picked = getitem(flat_pos, idx)
    coords = []
    rem = picked
    for d in reversed(range(x.aval.ndim)):
        n = x.aval.shape[d]
        coords.append(lax.rem(rem, n))
        rem = lax.div(rem, n)
    coords.reverse()
    stacked = lax.concatenate([lax.reshape(c, c.aval.shape + (1,)) for c in coords],
                              picked.aval.ndim) if coords else None
    return stacked, picked.aval.shape


def scatter(x, idx, values, mode):
    from ..core import bind
    from ._core import broadcast_to
    x = asarray(x)
    if x.aval.ndim == 0:
        v = lax.convert_element_type(asarray(values), x.aval.dtype)
        combine = {"set": lambda a, b: b, "add": lax.add, "mul": lax.mul,
                   "min": lax.min, "max": lax.max}[mode]
        return combine(x, v)
    indices, sel_shape = _scatter_indices(x, idx)
    v = asarray(values)
    if v.aval.dtype != x.aval.dtype:
        v = lax.convert_element_type(v, x.aval.dtype)
    try:
        v = broadcast_to(v, sel_shape)
    except IraxTypeError:
        raise IraxTypeError(f"at[].{mode}: cannot broadcast values of shape {v.aval.shape} to the "
                            f"indexed shape {sel_shape} (at {user_line()})") from None
    return bind("irax.scatter", [x, indices, v], mode=mode)[0]


class _IndexUpdateRef:
    def __init__(self, array, idx):
        self.array = array
        self.idx = idx

    def get(self, **kwargs):
        return getitem(self.array, self.idx)

    def set(self, values, **kwargs):
        return scatter(self.array, self.idx, values, "set")

    def add(self, values, **kwargs):
        return scatter(self.array, self.idx, values, "add")

    def multiply(self, values, **kwargs):
        return scatter(self.array, self.idx, values, "mul")

    mul = multiply

    def min(self, values, **kwargs):
        return scatter(self.array, self.idx, values, "min")

    def max(self, values, **kwargs):
        return scatter(self.array, self.idx, values, "max")

    def subtract(self, values, **kwargs):
        return scatter(self.array, self.idx, lax.neg(asarray(values)), "add")

    def divide(self, values, **kwargs):
        from ._ufuncs import reciprocal
        return scatter(self.array, self.idx, reciprocal(values), "mul")


class IndexUpdateHelper:
    """`x.at`: indexable; `x.at[idx]` has set/add/multiply/min/max/get."""

    def __init__(self, array):
        self.array = array

    def __getitem__(self, idx):
        return _IndexUpdateRef(self.array, idx)

