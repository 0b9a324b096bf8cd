"""Data-dependent selections: unique and the set operations, nonzero and its relatives.

Their result length depends on the values, so (as in JAX) they take a static `size=`:
the selected items are scattered into an array of that length and the rest filled.
Without `size` the length is read from the concrete values, which a jit trace does
not have (a ConcretizationTypeError names the size= argument)."""
from __future__ import annotations

import collections

import numpy as np

from irax.dialects.types import FLOATS

from .. import dtypes, lax
from ..core import ConcretizationTypeError, user_line
from . import _reductions as red
from ._core import asarray, canonical_axis
from ._indexing import getitem
from ._ufuncs import isnan, less, where

_UniqueAllResult = collections.namedtuple("UniqueAllResult",
                                          ["values", "indices", "inverse_indices", "counts"])
_UniqueCountsResult = collections.namedtuple("UniqueCountsResult", ["values", "counts"])
_UniqueInverseResult = collections.namedtuple("UniqueInverseResult", ["values", "inverse_indices"])


def _idt():
    return dtypes.default_int()


def _static_size(count, size, op):
    """`size`, or the concrete number of selected items when it is None."""
    if size is not None:
        return int(size)
    try:
        return int(np.asarray(count))
    except (TypeError, ConcretizationTypeError):
        raise ConcretizationTypeError(
            f"{op}: the size of the result depends on the values of a traced array; under jit "
            f"pass a static size= (and optionally fill_value=) (at {user_line()})") from None


def _compact(values, mask, size, fill=None):
    """values[mask] (along axis 0) in an array of `size` rows; the remaining rows are
    `fill`, or the first selected row when fill is None (JAX's default)."""
    from ._creation import zeros
    n = mask.aval.shape[0]
    pos = lax.sub(lax.cumsum(lax.convert_element_type(mask, "int32"), 0), 1)
    target = lax.select(mask, pos, lax.add(lax.mul(pos, 0), size))
    out = zeros((size,) + values.aval.shape[1:], values.aval.dtype).at[target].set(values)
    count = red.sum(mask)
    valid = less(lax.iota(_idt(), size), lax.convert_element_type(count, _idt()))
    valid = lax.broadcast_in_dim(valid, out.aval.shape, (0,))
    if fill is None:
        if size == 0 or n == 0:
            return out
        first = lax.reshape(lax.slice_in_dim(out, 0, 1, axis=0), out.aval.shape[1:])
        first = lax.broadcast_in_dim(first, out.aval.shape, tuple(range(1, out.aval.ndim)))
        return lax.select(valid, out, first)
    fillv = lax.broadcast_in_dim(lax.convert_element_type(asarray(fill), out.aval.dtype),
                                 out.aval.shape, ())
    return lax.select(valid, out, fillv)


def _differs(a, b, equal_nan):
    ne = lax.ne(a, b)
    if equal_nan and a.aval.dtype in FLOATS:
        ne = lax.bitwise_and(ne, lax.bitwise_not(lax.bitwise_and(isnan(a), isnan(b))))
    return ne


def _sorted_groups(rows, equal_nan):
    """rows (n, m) sorted lexicographically: (permutation, sorted rows, is-first mask)."""
    from ._extra_sorting import lexsort
    n, m = rows.aval.shape
    if m == 1:
        from ._sorting import argsort
        perm = argsort(lax.reshape(rows, (n,)))
    else:
        perm = lexsort([lax.reshape(lax.slice_in_dim(rows, j, j + 1, axis=1), (n,))
                        for j in reversed(range(m))])
    s = getitem(rows, perm)
    if n == 0:
        return perm, s, lax.ne(lax.iota("int32", 0), 0)
    d = _differs(lax.slice_in_dim(s, 1, n, axis=0), lax.slice_in_dim(s, 0, n - 1, axis=0),
                 equal_nan)
    d = red.any(d, axis=1)
    first = lax.concatenate([lax.broadcast_in_dim(asarray(True), (1,), ()), d], 0)
    return perm, s, first


def unique(ar, return_index=False, return_inverse=False, return_counts=False, axis=None, *,
           equal_nan=True, size=None, fill_value=None, sorted=True):
    from ._creation import zeros
    x = asarray(ar)
    if axis is None:
        rows = lax.reshape(x, (x.aval.size, 1))
        rest, ax = (), 0
    else:
        ax = canonical_axis(axis, x.aval.ndim, "unique")
        moved = lax.transpose(x, [ax] + [d for d in range(x.aval.ndim) if d != ax])
        rest = moved.aval.shape[1:]
        rows = lax.reshape(moved, (x.aval.shape[ax], int(np.prod(rest, dtype=np.int64))))
    n = rows.aval.shape[0]
    if n == 0 and size and fill_value is None:
        raise ValueError(f"unique: for zero-sized input with nonzero size argument, "
                         f"fill_value must be specified (at {user_line()})")
    perm, s, first = _sorted_groups(rows, equal_nan)
    size = _static_size(red.sum(first), size, "unique")
    vals = _compact(s, first, size, fill_value)
    if axis is None:
        vals = lax.reshape(vals, (size,))
    else:
        vals = lax.reshape(vals, (size,) + rest)
        vals = lax.transpose(vals, list(range(1, ax + 1)) + [0] + list(range(ax + 1, len(rest) + 1)))
    out = [vals]
    if return_index:
        out.append(_compact(perm, first, size))
    group = lax.sub(lax.cumsum(lax.convert_element_type(first, _idt()), 0), 1)
    if return_inverse:
        inv = zeros((n,), _idt()).at[perm].set(group)
        out.append(lax.reshape(inv, x.aval.shape) if axis is None else inv)
    if return_counts:
        out.append(zeros((size,), _idt()).at[group].add(1))
    return out[0] if len(out) == 1 else tuple(out)


def unique_values(x, /, *, size=None, fill_value=None):
    return unique(x, equal_nan=False, size=size, fill_value=fill_value)


def unique_counts(x, /, *, size=None, fill_value=None):
    return _UniqueCountsResult(*unique(x, return_counts=True, equal_nan=False, size=size,
                                       fill_value=fill_value))


def unique_inverse(x, /, *, size=None, fill_value=None):
    return _UniqueInverseResult(*unique(x, return_inverse=True, equal_nan=False, size=size,
                                        fill_value=fill_value))


def unique_all(x, /, *, size=None, fill_value=None):
    return _UniqueAllResult(*unique(x, return_index=True, return_inverse=True, return_counts=True,
                                    equal_nan=False, size=size, fill_value=fill_value))


# --------------------------------------------------------------------------
# set operations on flattened arrays
# --------------------------------------------------------------------------

def isin(element, test_elements, assume_unique=False, invert=False, *, method="auto"):
    """Whether each element occurs in test_elements: an all-pairs comparison for small
    inputs ('compare_all'), a sort and binary search otherwise ('sort')."""
    from ._core import promote
    if method not in ("auto", "compare_all", "binary_search", "sort"):
        raise ValueError(f"isin: method must be one of 'auto', 'compare_all', 'binary_search', "
                         f"'sort'; got {method!r} (at {user_line()})")
    e, t = promote(element, test_elements, op="isin")
    t = lax.reshape(t, (t.aval.size,))
    if method == "auto":
        method = "compare_all" if e.aval.size * t.aval.size <= 1 << 16 else "sort"
    if t.aval.size == 0:
        found = lax.ne(e, e) if e.aval.dtype not in FLOATS else lax.bitwise_and(
            lax.eq(e, e), lax.ne(e, e))
    elif method == "compare_all":
        eb = lax.broadcast_in_dim(e, e.aval.shape + t.aval.shape, tuple(range(e.aval.ndim)))
        tb = lax.broadcast_in_dim(t, eb.aval.shape, (e.aval.ndim,))
        found = red.any(lax.eq(eb, tb), axis=-1)
    else:
        from ._extra_sorting import searchsorted
        ts = lax.sort(t)
        i = searchsorted(ts, e)
        found = lax.eq(getitem(ts, lax.min(i, t.aval.size - 1)), e)
    return lax.bitwise_not(found) if invert else found


def _flat_groups(x):
    x = asarray(x)
    return _sorted_groups(lax.reshape(x, (x.aval.size, 1)), True)


def _pack(s, mask, size, fill, op):
    size = _static_size(red.sum(mask), size, op)
    return lax.reshape(_compact(s, mask, size, fill), (size,))


def union1d(ar1, ar2, *, size=None, fill_value=None):
    from ._core import promote
    from ._shape import concatenate, ravel
    a, b = promote(ar1, ar2, op="union1d")
    _, s, first = _flat_groups(concatenate([ravel(a), ravel(b)]))
    return _pack(s, first, size, fill_value, "union1d")


def setdiff1d(ar1, ar2, assume_unique=False, *, size=None, fill_value=None):
    """Unique values of ar1 not in ar2 (the fill defaults to 0, as in JAX)."""
    a = asarray(ar1)
    _, s, first = _flat_groups(a)
    keep = lax.bitwise_and(first, lax.reshape(isin(s, ar2, invert=True), first.aval.shape))
    return _pack(s, keep, size, 0 if fill_value is None else fill_value, "setdiff1d")


def setxor1d(ar1, ar2, assume_unique=False, *, size=None, fill_value=None):
    from ._core import promote
    from ._shape import concatenate, ravel
    a, b = promote(ar1, ar2, op="setxor1d")
    _, s, first = _flat_groups(concatenate([ravel(a), ravel(b)]))
    flat = lax.reshape(s, first.aval.shape)
    keep = lax.bitwise_and(first, lax.bitwise_xor(isin(flat, a), isin(flat, b)))
    return _pack(s, keep, size, fill_value, "setxor1d")


def intersect1d(ar1, ar2, assume_unique=False, return_indices=False, *, size=None,
                fill_value=None):
    """Sorted unique values in both; with return_indices also the index of each value's
    first occurrence in ar1 and in ar2 (filled with the array sizes, as in JAX)."""
    from ._core import promote
    from ._extra_sorting import searchsorted
    a, b = promote(ar1, ar2, op="intersect1d")
    a = lax.reshape(a, (a.aval.size,))
    b = lax.reshape(b, (b.aval.size,))
    perm1, s1, first1 = _flat_groups(a)
    flat1 = lax.reshape(s1, first1.aval.shape)
    keep = lax.bitwise_and(first1, isin(flat1, b))
    vals = _pack(s1, keep, size, fill_value, "intersect1d")
    if not return_indices:
        return vals
    size = vals.aval.shape[0]
    perm2 = lax.sort((b, lax.iota(_idt(), b.aval.size)), num_keys=1)
    i1 = _pack(perm1, keep, size, a.aval.size, "intersect1d")
    pos2 = searchsorted(perm2[0], flat1)
    i2 = getitem(perm2[1], lax.min(pos2, max(b.aval.size - 1, 0)))
    i2 = _pack(i2, keep, size, b.aval.size, "intersect1d")
    return vals, i1, i2


# --------------------------------------------------------------------------
# nonzero and friends
# --------------------------------------------------------------------------

def _unravel(flat, shape):
    coords = []
    for n in reversed(shape):
        coords.append(lax.rem(flat, n) if n else flat)
        flat = lax.div(flat, n) if n else flat
    return coords[::-1]


def nonzero(a, *, size=None, fill_value=None):
    x = asarray(a)
    if x.aval.ndim == 0:
        raise ValueError(f"nonzero: calling nonzero on 0d arrays is not allowed; use "
                         f"irax.numpy.atleast_1d(scalar).nonzero() instead (at {user_line()})")
    mask = lax.reshape(lax.ne(x, 0) if x.aval.dtype != "bool" else x, (x.aval.size,))
    size = _static_size(red.sum(mask), size, "nonzero")
    flat = _compact(lax.iota(_idt(), x.aval.size), mask, size, 0)
    coords = _unravel(flat, x.aval.shape)
    if fill_value is None:
        return tuple(coords)
    fills = fill_value if isinstance(fill_value, (tuple, list)) else (fill_value,) * x.aval.ndim
    if len(fills) != x.aval.ndim:
        raise ValueError(f"nonzero: fill_value must be a scalar or a tuple of length "
                         f"{x.aval.ndim}; got {fill_value} (at {user_line()})")
    valid = less(lax.iota(_idt(), size), lax.convert_element_type(red.sum(mask), _idt()))
    return tuple(where(valid, c, lax.convert_element_type(asarray(f), _idt()))
                 for c, f in zip(coords, fills))


def flatnonzero(a, *, size=None, fill_value=None):
    from ._shape import ravel
    return nonzero(ravel(asarray(a)), size=size, fill_value=fill_value)[0]


def argwhere(a, *, size=None, fill_value=None):
    from ._shape import atleast_1d, stack
    x = asarray(a)
    out = stack(nonzero(atleast_1d(x), size=size, fill_value=fill_value), axis=1)
    return lax.slice_in_dim(out, 0, 0, axis=1) if x.aval.ndim == 0 else out


def compress(condition, a, axis=None, *, size=None, fill_value=0, out=None):
    """Slices of `a` along `axis` where condition (1-d) holds."""
    red._no_out(out, "compress")
    from ._shape import moveaxis, ravel
    c = asarray(condition)
    if c.aval.ndim != 1:
        raise ValueError(f"compress: condition must be a 1D array, got shape {c.aval.shape} "
                         f"(at {user_line()})")
    c = lax.ne(c, 0) if c.aval.dtype != "bool" else c
    x = asarray(a)
    if axis is None:
        x, axis = ravel(x), 0
    axis = canonical_axis(axis, x.aval.ndim, "compress")
    x = moveaxis(x, axis, 0)
    n = x.aval.shape[0]
    if c.aval.shape[0] > n:
        extra = lax.slice_in_dim(c, n, c.aval.shape[0])
        try:
            bad = bool(np.any(np.asarray(extra)))
        except (TypeError, ConcretizationTypeError):
            bad = False
        if bad:
            raise ValueError(f"compress: condition contains entries that are out of bounds "
                             f"(length {c.aval.shape[0]} for an axis of size {n}) "
                             f"(at {user_line()})")
        c = lax.slice_in_dim(c, 0, n)
    elif c.aval.shape[0] < n:
        x = lax.slice_in_dim(x, 0, c.aval.shape[0], axis=0)
    size = _static_size(red.sum(c), size, "compress")
    return moveaxis(_compact(x, c, size, fill_value), 0, axis)


def extract(condition, arr, *, size=None, fill_value=0):
    from ._shape import ravel
    return compress(ravel(asarray(condition)), ravel(asarray(arr)), size=size,
                    fill_value=fill_value)
