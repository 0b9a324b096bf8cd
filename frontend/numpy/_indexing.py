"""NumPy indexing on irax arrays: x[idx] and x.at[idx].set/add/...

Basic indexing (ints, slices, None, Ellipsis) becomes slice/rev/reshape;
integer-array and boolean-mask indexing becomes irax.gather/irax.scatter.
"""
from __future__ import annotations

import numpy as np

from irax.dialects.ops import IraxTypeError
from irax.dialects.types import FLOATS, INTEGERS

from .. import lax
from ..core import is_array, user_line
from ._core import asarray


def _expand_index(idx, ndim):
    """Normalise idx to a tuple with Ellipsis expanded (None kept)."""
    if isinstance(idx, list):
        raise TypeError(f"Using a non-tuple sequence for multidimensional indexing is not "
                        f"allowed; use x[array(seq)] instead of x[seq] (at {user_line()})")
    if not isinstance(idx, tuple):
        idx = (idx,)
    for i in idx:
        _check_indexer(i)
    n_ell = sum(1 for i in idx if i is Ellipsis)
    if n_ell > 1:
        raise IndexError(f"an index can only have a single ellipsis ('...'); got {n_ell} "
                         f"(at {user_line()})")
    used = sum(1 for i in idx if i is not None and i is not Ellipsis and not _is_bool_mask(i)
               and not _is_bool_scalar(i))
    used += sum(_mask_ndim(i) for i in idx if _is_bool_mask(i))
    if used > ndim:
        raise IndexError(f"too many indices for array: array is {ndim}-dimensional, but {used} "
                         f"were indexed (at {user_line()})")
    out = []
    for i in idx:
        if i is Ellipsis:
            out.extend([slice(None)] * (ndim - used))
        else:
            out.append(i)
    if n_ell == 0:
        out.extend([slice(None)] * (ndim - used))
    return out


def _check_indexer(i):
    """Indexers are ints, bools, slices, None, Ellipsis or integer/bool arrays: a float
    is a TypeError, as in JAX, never truncated."""
    if i is None or i is Ellipsis or isinstance(i, slice):
        return
    if is_array(i):
        dtype = i.aval.dtype
    elif isinstance(i, (bool, int)):
        return
    else:
        dtype = np.asarray(i).dtype.name
    if dtype != "bool" and dtype not in INTEGERS:
        raise TypeError(f"Indexer must have integer or boolean type, got indexer with type "
                        f"{dtype} (at {user_line()})")


def _is_bool_mask(i):
    if is_array(i):
        return i.aval.dtype == "bool"
    if isinstance(i, (np.ndarray, list)) and np.asarray(i).dtype == np.bool_:
        return True
    return False


def _is_bool_scalar(i):
    return isinstance(i, (bool, np.bool_)) or (_is_bool_mask(i) and _mask_ndim(i) == 0)


def _bool_scalars_to_axes(x, idx):
    """NumPy's x[..., True, ...]: a new size-1 axis indexed by [0] ([] for False)."""
    out, axes, dim = [], [], 0
    for i in idx:
        if _is_bool_scalar(i):
            try:
                flag = bool(np.asarray(i))
            except TypeError:
                raise IndexError(f"indexing with a traced boolean scalar needs its value; use "
                                 f"irax.numpy.where or irax.lax.cond instead (at {user_line()})") from None
            axes.append(dim)
            out.append(np.zeros(int(flag), np.int32))
            dim += 1
        else:
            out.append(i)
            dim += 0 if i is None else (_mask_ndim(i) if _is_bool_mask(i) else 1)
    return lax.expand_dims(x, axes), out


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
    if any(_is_bool_scalar(i) for i in idx):
        x, idx = _bool_scalars_to_axes(x, idx)
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
                start.append(s if length else 0)  # an empty slice must not start past the end
                limit.append(s + (length - 1) * st + 1 if length else 0)
                strides.append(st)
            else:
                length = max(0, (s - e - st - 1) // (-st))
                if length <= 1:  # nothing to reverse
                    start.append(s if length else 0)
                    limit.append(s + 1 if length else 0)
                    strides.append(1)
                else:  # reverse the whole dim, then take a forward slice of it
                    start.append(n - 1 - s)
                    limit.append(n - 1 - s + (length - 1) * (-st) + 1)
                    strides.append(-st)
                    rev_dims.append(dim)
            new_shape.append(("keep", dim))
        else:
            k = int(i)
            if n == 0:
                raise IndexError(f"index {k} is out of bounds for axis {dim} with size 0 "
                                 f"(array of shape {x.aval.shape}, at {user_line()})")
            k = min(max(k + n if k < 0 else k, 0), n - 1)  # clamped, as JAX's gather (jit or not)
            start.append(k)
            limit.append(k + 1)
            strides.append(1)
            squeeze_dims.append(dim)
        dim += 1
    y = lax.rev(x, rev_dims) if rev_dims else x
    if (start != [0] * len(start) or limit != list(x.aval.shape) or any(s != 1 for s in strides)):
        y = lax.slice(y, start, limit, strides)
    shape = []
    for entry in new_shape:
        shape.append(1 if entry[0] == "new" else y.aval.shape[entry[1]])
    if tuple(shape) != y.aval.shape:
        y = lax.reshape(y, shape)
    return y


def _advanced(x, idx):
    """Integer-array indexing (NumPy semantics) via one irax.gather.

    The indexed dims move to the front and are gathered; the slices and Nones
    then apply to the remaining dims; last, the broadcast index dims move to
    where the indices stood if those were adjacent in `idx` (NumPy's rule).
    """
    from ._core import broadcast_arrays
    positions, dims, arrays, dim = [], [], [], 0
    for pos, i in enumerate(idx):
        if i is None:
            continue
        if not isinstance(i, slice):
            positions.append(pos)
            dims.append(dim)
            arrays.append(_int_index(i, x.aval.shape[dim]))
        dim += 1
    arrays = broadcast_arrays(*arrays, op="indexing")
    bshape = arrays[0].aval.shape
    nb = len(bshape)
    if 0 in bshape:  # nothing selected: NumPy gives the shape, IREE needs no gather
        probe = tuple(np.zeros(i.aval.shape, np.intp) if is_array(i) else i for i in idx)
        shape = np.empty(x.aval.shape, np.bool_)[probe].shape
        return lax.broadcast_in_dim(lax.convert_element_type(0, x.aval.dtype), shape, ())
    rest = [d for d in range(x.aval.ndim) if d not in dims]
    xt = lax.transpose(x, dims + rest)
    stacked = lax.concatenate([lax.reshape(i, bshape + (1,)) for i in arrays], nb)
    out = _gather(xt, stacked)
    basic = [i for i in idx if i is None or isinstance(i, slice)]
    if any(i is None or i != slice(None) for i in basic):
        out = _basic(out, [slice(None)] * nb + basic)
    adjacent = positions == list(range(positions[0], positions[0] + len(positions)))
    lead = sum(1 for i in idx[:positions[0]] if i is None or isinstance(i, slice))
    if adjacent and lead:
        n = out.aval.ndim
        out = lax.transpose(out, list(range(nb, nb + lead)) + list(range(nb))
                            + list(range(nb + lead, n)))
    return out


def _int_index(i, n):
    a = asarray(i) if is_array(i) else asarray(np.asarray(i))
    if a.aval.dtype not in INTEGERS:
        raise IndexError(f"arrays used as indices must be of integer (or boolean) type, got "
                         f"{a.aval.dtype}")
    a = lax.convert_element_type(a, "int32")
    return lax.select(lax.lt(a, 0), lax.add(a, n), a)


def _gather(operand, indices):
    from ..core import bind
    return bind("irax.gather", [operand, indices])[0]


def _int_indices(op, indices, error=ValueError):
    ind = asarray(indices)
    if ind.aval.dtype not in INTEGERS:
        raise error(f"{op}: indices must have an integer type, got {ind.aval.dtype} "
                    f"(at {user_line()})")
    return ind


def _clip_or_wrap(ind, n, mode):
    """Indices forced into [0, n): clamped ('clip', negatives too) or taken modulo n ('wrap')."""
    ind = lax.convert_element_type(ind, "int32")
    if mode == "clip":
        return lax.clamp(0, ind, n - 1)
    r = lax.rem(ind, n)
    return lax.select(lax.lt(r, 0), lax.add(r, n), r)


def take(a, indices, axis=None, out=None, mode=None, unique_indices=False,
         indices_are_sorted=False, fill_value=None):
    """JAX's take: out-of-bounds indices give `fill_value` (NaN, or the dtype's extreme)
    by default (mode='fill'); mode='clip' clamps them, mode='wrap' takes them modulo
    the axis size."""
    from ._core import canonical_axis
    if out is not None:
        raise NotImplementedError(f"take: irax arrays are immutable: out= is not supported "
                                  f"(at {user_line()})")
    if mode == "raise":
        raise NotImplementedError(f"take: mode='raise' needs a data-dependent error, which "
                                  f"irax cannot raise; use 'fill', 'clip' or 'wrap' (at {user_line()})")
    if mode not in (None, "fill", "clip", "wrap"):
        raise ValueError(f"take: invalid mode {mode!r}; use 'fill', 'clip' or 'wrap' "
                         f"(at {user_line()})")
    x = asarray(a)
    ind = _int_indices("take", indices)
    if axis is None:
        x = lax.reshape(x, (x.aval.size,))
        axis = 0
    axis = canonical_axis(axis, x.aval.ndim, "take")
    n = x.aval.shape[axis]
    if n == 0 and ind.aval.size:
        raise IndexError(f"take: cannot take a non-empty selection from axis {axis} of size 0 "
                         f"(array of shape {x.aval.shape}, at {user_line()})")
    head = (slice(None),) * axis
    if mode in ("clip", "wrap"):
        return getitem(x, head + (_clip_or_wrap(ind, n, mode),))
    return gather_fill(x, head + (ind,), fill_value)


def take_along_axis(arr, indices, axis, mode=None, fill_value=None):
    """x[..., indices, ...] along `axis`, broadcasting the other dims, with take's
    out-of-bounds handling: mode None/'fill' fills, 'clip'/'promise_in_bounds' clamp."""
    from ._core import broadcast_shapes, broadcast_to, canonical_axis
    x = asarray(arr)
    ind = _int_indices("take_along_axis", indices, TypeError)
    if mode not in (None, "fill", "clip", "promise_in_bounds"):
        raise ValueError(f"take_along_axis: invalid mode {mode!r}; use 'fill', 'clip' or "
                         f"'promise_in_bounds' (at {user_line()})")
    if axis is None:
        if ind.aval.ndim != 1:
            raise ValueError(f"take_along_axis: with axis=None the indices must be 1-d, got "
                             f"shape {ind.aval.shape} (at {user_line()})")
        x, axis = lax.reshape(x, (x.aval.size,)), 0
    if ind.aval.ndim != x.aval.ndim:
        raise ValueError(f"take_along_axis: indices and arr must have the same number of "
                         f"dimensions; got shapes {ind.aval.shape} and {x.aval.shape} "
                         f"(at {user_line()})")
    axis = canonical_axis(axis, x.aval.ndim, "take_along_axis")
    others = [d for d in range(x.aval.ndim) if d != axis]
    try:
        common = broadcast_shapes(tuple(x.aval.shape[d] for d in others),
                                  tuple(ind.aval.shape[d] for d in others), op="take_along_axis")
    except IraxTypeError as e:  # JAX's broadcast_shapes raises ValueError here
        raise ValueError(str(e)) from None
    shape_x, shape_i = list(common), list(common)
    shape_x.insert(axis, x.aval.shape[axis])
    shape_i.insert(axis, ind.aval.shape[axis])
    x, ind = broadcast_to(x, shape_x), broadcast_to(ind, shape_i)
    if mode in ("clip", "promise_in_bounds"):  # here negative indices count from the end first
        n = x.aval.shape[axis]
        ind = _clip_or_wrap(lax.select(lax.lt(ind, 0), lax.add(ind, n), ind), max(n, 1), "clip")
    grids = []
    for d in range(x.aval.ndim):
        if d == axis:
            grids.append(ind)
        else:
            shape = [1] * x.aval.ndim
            shape[d] = shape_i[d]
            grids.append(lax.reshape(lax.iota("int32", shape_i[d]), shape))
    if mode in ("clip", "promise_in_bounds"):
        return getitem(x, tuple(grids))
    return gather_fill(x, tuple(grids), fill_value)


# --------------------------------------------------------------------------
# x.at[idx].set / add / multiply / min / max / get
# --------------------------------------------------------------------------

def _padded_index(shape, idx, clip=False):
    """`idx` rewritten for an array of `shape` padded by one slot at the end of every dim:
    out-of-bounds integer indices point at that slot (or, with `clip`, are clamped).
    Boolean masks become integer arrays and slices explicit ranges."""
    out, dim = [], 0
    for i in _expand_index(idx, len(shape)):
        if _is_bool_scalar(i):
            raise IndexError(f"at[]: a boolean scalar index is not supported; index without it "
                             f"(at {user_line()})")
        if i is None:
            out.append(None)
            continue
        if _is_bool_mask(i):
            out.extend(_mask_to_indices(i))
            dim += _mask_ndim(i)
            continue
        n = shape[dim]
        dim += 1
        if isinstance(i, slice):
            start, stop, step = i.indices(n)
            out.append(slice(start, stop if stop >= 0 else None, step))
        elif _is_int_array(i) or is_array(i):
            a = _int_index(i, n)
            bad = lax.bitwise_or(lax.lt(a, 0), lax.ge(a, n))
            fix = lax.clamp(0, a, n - 1) if clip else lax.add(lax.mul(a, 0), n)
            out.append(lax.select(bad, fix, a))
        else:
            k = int(i)
            k = k + n if k < 0 else k
            out.append(min(max(k, 0), n - 1) if clip else (k if 0 <= k < n else n))
    return tuple(out)


def _pad_end(x, value):
    return lax.pad(x, value, [(0, 1, 0)] * x.aval.ndim)


def _scatter_indices(x, idx, clip=False):
    """Coordinates [..., ndim] of the elements `x[idx]` selects, and that selection's shape.

    Out-of-bounds integer indices select a padding slot whose coordinates are out
    of bounds, so the scatter drops their updates (JAX's mode='drop').
    """
    shape = x.aval.shape
    flat_pos = _pad_end(lax.reshape(lax.iota("int32", x.aval.size), shape), -1)
    picked = getitem(flat_pos, _padded_index(shape, idx, clip))
    valid = lax.ge(picked, 0)
    rem = lax.max(picked, 0)
    coords = []
    for d in reversed(range(x.aval.ndim)):
        n = shape[d]
        coords.append(lax.rem(rem, n))
        rem = lax.div(rem, n)
    coords.reverse()
    coords[0] = lax.select(valid, coords[0], lax.add(lax.mul(coords[0], 0), shape[0]))
    stacked = lax.concatenate([lax.reshape(c, c.aval.shape + (1,)) for c in coords],
                              picked.aval.ndim)
    return stacked, picked.aval.shape


def scatter(x, idx, values, mode, index_mode=None):
    from ..core import bind
    from ._core import broadcast_to
    x = asarray(x)
    if index_mode not in (None, "drop", "clip", "promise_in_bounds"):
        raise ValueError(f"at[]: unknown mode {index_mode!r}; use 'drop', 'clip' or "
                         f"'promise_in_bounds'")
    if x.aval.ndim == 0:
        v = lax.convert_element_type(asarray(values), x.aval.dtype)
        combine = {"set": lambda a, b: b, "add": lax.add, "mul": lax.mul,
                   "min": lax.min, "max": lax.max}[mode]
        return combine(x, v)
    indices, sel_shape = _scatter_indices(x, idx, clip=index_mode == "clip")
    v = asarray(values)
    if v.aval.dtype != x.aval.dtype:
        v = lax.convert_element_type(v, x.aval.dtype)
    try:
        v = broadcast_to(v, sel_shape)
    except IraxTypeError:
        raise IraxTypeError(f"at[].{mode}: cannot broadcast values of shape {v.aval.shape} to the "
                            f"indexed shape {sel_shape} (at {user_line()})") from None
    return bind("irax.scatter", [x, indices, v], mode=mode)[0]


def _fill_value(dtype):
    if dtype in FLOATS:
        return np.nan
    if dtype == "bool":
        return True
    info = np.iinfo(np.dtype(dtype))
    return info.max if dtype.startswith("uint") else info.min


def gather_fill(x, idx, fill_value=None):
    """x[idx], with out-of-bounds integer indices giving `fill_value` (JAX's mode='fill')."""
    x = asarray(x)
    fill = _fill_value(x.aval.dtype) if fill_value is None else fill_value
    return getitem(_pad_end(x, fill), _padded_index(x.aval.shape, idx))


class _IndexUpdateRef:
    """`x.at[idx]`: functional updates; out-of-bounds updates are dropped (mode='drop')."""

    def __init__(self, array, idx):
        self.array = array
        self.idx = idx

    def get(self, *, mode=None, fill_value=None, **kwargs):
        if mode == "fill":
            return gather_fill(self.array, self.idx, fill_value)
        return getitem(self.array, self.idx)

    def set(self, values, *, mode=None, **kwargs):
        return scatter(self.array, self.idx, values, "set", mode)

    def add(self, values, *, mode=None, **kwargs):
        return scatter(self.array, self.idx, values, "add", mode)

    def multiply(self, values, *, mode=None, **kwargs):
        return scatter(self.array, self.idx, values, "mul", mode)

    mul = multiply

    def min(self, values, *, mode=None, **kwargs):
        return scatter(self.array, self.idx, values, "min", mode)

    def max(self, values, *, mode=None, **kwargs):
        return scatter(self.array, self.idx, values, "max", mode)

    def subtract(self, values, *, mode=None, **kwargs):
        return scatter(self.array, self.idx, lax.neg(asarray(values)), "add", mode)

    def divide(self, values, *, mode=None, **kwargs):
        from ._ufuncs import reciprocal
        return scatter(self.array, self.idx, reciprocal(values), "mul", mode)

    def power(self, values, *, mode=None, **kwargs):
        from ._ufuncs import power
        return self.set(power(self.get(), values), mode=mode)


class IndexUpdateHelper:
    """`x.at`: indexable; `x.at[idx]` has set/add/multiply/min/max/get."""

    def __init__(self, array):
        self.array = array

    def __getitem__(self, idx):
        return _IndexUpdateRef(self.array, idx)

