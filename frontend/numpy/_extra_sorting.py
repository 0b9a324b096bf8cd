"""Searching and partial sorting built on irax.sort and gathers: searchsorted (an unrolled
binary search, so it needs no control flow under jit/vmap), digitize, lexsort, partition."""
from __future__ import annotations

from irax.dialects.types import FLOATS

from .. import dtypes, lax
from ..core import user_line
from ._core import asarray, canonical_axis, promote
from ._indexing import getitem, take


def _before(a, b):
    """a < b in sort order: NaNs after every number, as irax.sort places them."""
    lt = lax.lt(a, b)
    if a.aval.dtype in FLOATS:
        lt = lax.bitwise_or(lt, lax.bitwise_and(lax.ne(b, b), lax.eq(a, a)))
    return lt


def searchsorted(a, v, side="left", sorter=None, *, method="scan"):
    """Insertion indices of `v` into the sorted 1-d `a`, found by ceil(log2(n+1)) steps
    of a vectorised bisection (each a gather); NaNs sort last, as in sort."""
    if side not in ("left", "right"):
        raise ValueError(f"searchsorted: side must be 'left' or 'right', got {side!r} "
                         f"(at {user_line()})")
    if method not in ("scan", "scan_unrolled", "sort", "compare_all"):
        raise ValueError(f"searchsorted: invalid method {method!r} (at {user_line()})")
    x, vals = promote(a, v, op="searchsorted")
    if x.aval.ndim != 1:
        raise ValueError(f"searchsorted: a must be 1-dimensional, got shape {x.aval.shape} "
                         f"(at {user_line()})")
    if sorter is not None:
        x = take(x, asarray(sorter))
    n = x.aval.shape[0]
    idt = dtypes.default_int()
    lo = lax.broadcast_in_dim(asarray(0, idt), vals.aval.shape, ())
    hi = lax.add(lo, n)
    for _ in range(n.bit_length()):
        active = lax.lt(lo, hi)
        mid = lax.div(lax.add(lo, hi), 2)
        at_mid = getitem(x, lax.min(mid, max(n - 1, 0)))
        right = _before(at_mid, vals) if side == "left" else lax.bitwise_not(_before(vals, at_mid))
        lo = lax.select(lax.bitwise_and(active, right), lax.add(mid, 1), lo)
        hi = lax.select(lax.bitwise_and(active, lax.bitwise_not(right)), mid, hi)
    lo.weak_type = False
    return lo


def digitize(x, bins, right=False, *, method=None):
    """Bin indices of `x`; bins may be increasing or decreasing (chosen at run time)."""
    b = asarray(bins)
    if b.aval.ndim != 1:
        raise ValueError(f"digitize: bins must be a 1-dimensional array, got shape "
                         f"{b.aval.shape} (at {user_line()})")
    if b.aval.shape[0] == 0:
        return lax.mul(lax.convert_element_type(asarray(x), dtypes.default_int()), 0)
    kw = {} if method is None else {"method": method}
    side = "left" if right else "right"
    up = searchsorted(b, x, side=side, **kw)
    down = lax.sub(b.aval.shape[0], searchsorted(lax.rev(b, (0,)), x, side=side, **kw))
    inc = lax.ge(getitem(b, -1), getitem(b, 0))
    return lax.select(lax.broadcast_in_dim(inc, up.aval.shape, ()), up, down)


def lexsort(keys, axis=-1):
    """Indices sorting by the last key first, then the one before it, and so on (stable)."""
    ks = [asarray(k) for k in (keys if isinstance(keys, (list, tuple)) else
                               [getitem(asarray(keys), i) for i in range(asarray(keys).aval.shape[0])])]
    if not ks:
        raise TypeError(f"lexsort: need a sequence of keys with length >= 1 (at {user_line()})")
    shape = ks[0].aval.shape
    if any(k.aval.shape != shape for k in ks):
        raise ValueError(f"lexsort: all keys need to be the same shape; got "
                         f"{[k.aval.shape for k in ks]} (at {user_line()})")
    if not shape:
        raise TypeError(f"lexsort: keys must be at least 1-dimensional (at {user_line()})")
    axis = canonical_axis(axis, len(shape), "lexsort")
    idx = lax.broadcasted_iota(dtypes.default_int(), shape, axis)
    return lax.sort(tuple(ks[::-1]) + (idx,), dimension=axis, num_keys=len(ks))[-1]


def _partition_parts(a, kth, axis, op):
    x = asarray(a)
    axis = canonical_axis(axis, x.aval.ndim, op)
    n = x.aval.shape[axis]
    k = int(kth)
    if not -n <= k < n:
        raise ValueError(f"{op}: kth={kth} out of bounds for an axis of size {n} (at {user_line()})")
    return x, axis, k % n


def partition(a, kth, axis=-1):
    """The kth smallest at position kth, the smaller ones (ascending) before it and the
    larger ones (descending) after it: JAX's layout (two top-k's)."""
    from ._sorting import sort
    x, axis, k = _partition_parts(a, kth, axis, "partition")
    s = sort(x, axis=axis)
    n = x.aval.shape[axis]
    low = lax.slice_in_dim(s, 0, k + 1, axis=axis)
    high = lax.rev(lax.slice_in_dim(s, k + 1, n, axis=axis), (axis,))
    return lax.concatenate([low, high], axis)


def argpartition(a, kth, axis=-1):
    """Indices of the kth+1 smallest (ascending), then the other indices in increasing
    order: JAX's layout (a top-k of the negated values, then a top-k of a 0/1 proxy)."""
    from ._sorting import argsort
    x, axis, k = _partition_parts(a, kth, axis, "argpartition")
    s = argsort(x, axis=axis)
    n = x.aval.shape[axis]
    low = lax.slice_in_dim(s, 0, k + 1, axis=axis)
    rank = argsort(s, axis=axis)  # each element's position in the sort
    in_low = lax.convert_element_type(lax.le(rank, k), "int32")
    rest = lax.slice_in_dim(argsort(in_low, axis=axis), 0, n - k - 1, axis=axis)
    return lax.concatenate([low, rest], axis)
