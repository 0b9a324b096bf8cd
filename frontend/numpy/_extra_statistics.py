"""Order statistics, covariance and histograms, composed from sort, gathers and scatters."""
from __future__ import annotations

import builtins
import operator

import numpy as np

from .. import dtypes, lax
from ..core import user_line
from . import _reductions as red
from ._core import asarray, canonical_axes, promote
from ._ufuncs import _to_float, divide, isnan

_METHODS = ("linear", "lower", "higher", "midpoint", "nearest", "inverted_cdf")


def _to_last(x, axis, op):
    """`x` with the reduced axes flattened into one last axis; also the kept-dims shape."""
    axes = canonical_axes(axis, x.aval.ndim, op)
    rest = [d for d in range(x.aval.ndim) if d not in axes]
    moved = lax.transpose(x, rest + list(axes))
    n = int(np.prod([x.aval.shape[d] for d in axes], dtype=np.int64))
    kept = tuple(1 if d in axes else s for d, s in enumerate(x.aval.shape))
    return lax.reshape(moved, [x.aval.shape[d] for d in rest] + [n]), kept


def _quantile(a, q, axis, method, keepdims, weights, ignore_nan, op):
    if method not in _METHODS:
        raise ValueError(f"{op}: method can only be {', '.join(map(repr, _METHODS))}; got "
                         f"{method!r} (at {user_line()})")
    if weights is not None:
        if method != "inverted_cdf":
            raise ValueError(f"{op}: {method} doesn't support weights; only method "
                             f"'inverted_cdf' supports weights (at {user_line()})")
        raise NotImplementedError(f"{op}: weights= is not implemented in irax (at {user_line()})")
    x = _to_float(a)
    x.weak_type = False
    qs = asarray(q)
    if qs.aval.ndim > 1:
        raise ValueError(f"{op}: q must be a scalar or 1d, got shape {qs.aval.shape} "
                         f"(at {user_line()})")
    qs = lax.convert_element_type(qs, x.aval.dtype)
    flat, kept = _to_last(x, axis, op)
    batch = flat.aval.shape[:-1]
    n = flat.aval.shape[-1]
    s = lax.sort(flat, dimension=flat.aval.ndim - 1)
    nan = isnan(flat)
    if ignore_nan:
        count = lax.convert_element_type(red.sum(lax.bitwise_not(nan), axis=-1), x.aval.dtype)
    else:
        count = lax.broadcast_in_dim(asarray(float(n), x.aval.dtype), batch, ())
    nq = qs.aval.size
    qb = lax.broadcast_in_dim(lax.reshape(qs, (nq,)), batch + (nq,), (len(batch),))
    cnt = lax.broadcast_in_dim(count, batch + (nq,), tuple(range(len(batch))))
    last = lax.max(lax.sub(cnt, 1.0), 0.0)
    if method == "inverted_cdf":
        pos = lax.clamp(0.0, lax.sub(lax.ceil(lax.mul(qb, cnt)), 1.0), last)
        low = high = pos
    else:
        pos = lax.clamp(0.0, lax.mul(qb, lax.sub(cnt, 1.0)), last)
        low, high = lax.floor(pos), lax.ceil(pos)
    idt = dtypes.default_int()

    def at(p):
        ind = lax.convert_element_type(p, idt)
        return red_take(s, ind)

    lo_v, hi_v = at(low), at(high)
    if method in ("lower", "inverted_cdf"):
        r = lo_v
    elif method == "higher":
        r = hi_v
    elif method == "midpoint":
        r = lax.mul(lax.add(lo_v, hi_v), 0.5)
    elif method == "nearest":
        r = lax.select(lax.gt(lax.sub(pos, low), 0.5), hi_v, lo_v)
    else:
        w = lax.sub(pos, low)
        r = lax.add(lax.mul(lo_v, lax.sub(1.0, w)), lax.mul(hi_v, w))
    bad = lax.eq(cnt, 0.0) if ignore_nan else \
        lax.broadcast_in_dim(red.any(nan, axis=-1), batch + (nq,), tuple(range(len(batch))))
    r = lax.select(bad, lax.add(lax.mul(r, 0.0), np.nan), r)
    out_batch = kept if keepdims else batch
    r = lax.reshape(r, tuple(batch) + (nq,))
    r = lax.transpose(r, [len(batch)] + list(range(len(batch))))
    return lax.reshape(r, qs.aval.shape + tuple(out_batch))


def red_take(s, ind):
    from ._indexing import take_along_axis
    return take_along_axis(s, ind, axis=-1, mode="clip")


def quantile(a, q, axis=None, out=None, overwrite_input=False, method="linear",
             keepdims=False, *, weights=None):
    red._no_out(out, "quantile")
    return _quantile(a, q, axis, method, keepdims, weights, False, "quantile")


def nanquantile(a, q, axis=None, out=None, overwrite_input=False, method="linear",
                keepdims=False, *, weights=None):
    red._no_out(out, "nanquantile")
    return _quantile(a, q, axis, method, keepdims, weights, True, "nanquantile")


def percentile(a, q, axis=None, out=None, overwrite_input=False, method="linear",
               keepdims=False, *, weights=None):
    red._no_out(out, "percentile")
    return _quantile(a, lax.div(_to_float(q), 100.0), axis, method, keepdims, weights, False,
                     "percentile")


def nanpercentile(a, q, axis=None, out=None, overwrite_input=False, method="linear",
                  keepdims=False, *, weights=None):
    red._no_out(out, "nanpercentile")
    return _quantile(a, lax.div(_to_float(q), 100.0), axis, method, keepdims, weights, True,
                     "nanpercentile")


def median(a, axis=None, out=None, overwrite_input=False, keepdims=False):
    red._no_out(out, "median")
    return _quantile(a, 0.5, axis, "midpoint", keepdims, None, False, "median")


def nanmedian(a, axis=None, out=None, overwrite_input=False, keepdims=False):
    red._no_out(out, "nanmedian")
    return _quantile(a, 0.5, axis, "midpoint", keepdims, None, True, "nanmedian")


# --------------------------------------------------------------------------
# covariance
# --------------------------------------------------------------------------

def cov(m, y=None, rowvar=True, bias=False, ddof=None, fweights=None, aweights=None,
        dtype=None):
    """NumPy's estimator: rows are variables (unless rowvar=False), with optional
    frequency and analytic weights."""
    from ._linalg import matmul
    from ._shape import atleast_2d, concatenate, squeeze
    if ddof is not None and ddof != int(ddof):
        raise ValueError(f"cov: ddof must be an integer, got {ddof} (at {user_line()})")
    x = atleast_2d(asarray(m))
    if x.aval.ndim > 2:
        raise ValueError(f"cov: m has more than 2 dimensions (shape {x.aval.shape}) "
                         f"(at {user_line()})")
    if not rowvar and x.aval.shape[0] != 1:
        x = lax.transpose(x, (1, 0))
    if y is not None:
        yy = atleast_2d(asarray(y))
        if not rowvar and yy.aval.shape[0] != 1:
            yy = lax.transpose(yy, (1, 0))
        x = concatenate([x, yy], axis=0)
    x = _to_float(x) if dtype is None else lax.convert_element_type(x, dtype)
    x.weak_type = False
    if x.aval.shape[0] == 0:
        from ._creation import zeros
        return zeros((0, 0), x.aval.dtype)
    ddof = (0 if bias else 1) if ddof is None else int(ddof)
    w = None
    if fweights is not None:
        w = _to_float(asarray(fweights))
    if aweights is not None:
        aw = _to_float(asarray(aweights))
        w = aw if w is None else lax.mul(*promote(w, aw))
    avg, w_sum = red.average(x, axis=1, weights=w, returned=True)
    w_sum = lax.reshape(lax.slice_in_dim(w_sum, 0, 1), ())  # the same for every row
    n = x.aval.shape[1]
    if w is None:
        fact = float(n - ddof)
    elif ddof == 0:
        fact = w_sum
    elif aweights is None:
        fact = lax.sub(w_sum, float(ddof))
    else:
        fact = lax.sub(w_sum, lax.div(lax.mul(float(ddof), red.sum(lax.mul(*promote(w, aw)))),
                                      w_sum))
    xc = lax.sub(x, lax.broadcast_in_dim(avg, x.aval.shape, (0,)))
    xw = xc if w is None else lax.mul(xc, lax.broadcast_in_dim(
        lax.convert_element_type(w, x.aval.dtype), x.aval.shape, (1,)))
    c = matmul(xc, lax.transpose(xw, (1, 0)))
    c = lax.div(c, fact) if isinstance(fact, float) else lax.div(c, lax.broadcast_in_dim(
        lax.convert_element_type(lax.reshape(fact, ()), c.aval.dtype), c.aval.shape, ()))
    return squeeze(c)


def corrcoef(x, y=None, rowvar=True, dtype=None):
    """Pearson correlation coefficients: cov normalised by the standard deviations, then
    clipped to [-1, 1]."""
    c = cov(x, y, rowvar, dtype=dtype)
    if c.aval.ndim == 0:
        return lax.div(c, c)
    from ._creation import diagonal
    d = lax.sqrt(diagonal(c))
    c = lax.div(c, lax.broadcast_in_dim(d, c.aval.shape, (0,)))
    c = lax.div(c, lax.broadcast_in_dim(d, c.aval.shape, (1,)))
    return lax.clamp(-1.0, c, 1.0) if not c.weak_type else c


# --------------------------------------------------------------------------
# counting and histograms
# --------------------------------------------------------------------------

def bincount(x, weights=None, minlength=0, *, length=None):
    """Occurrences of each non-negative integer; under jit give `length` (the output size
    cannot depend on the data); values >= length are dropped and negatives count as 0."""
    from ._creation import zeros
    xs = asarray(x)
    if xs.aval.dtype not in ("bool",) and not dtypes.issubdtype(xs.aval.dtype, np.integer):
        raise TypeError(f"bincount: x argument must have an integer type, got {xs.aval.dtype} "
                        f"(at {user_line()})")
    if xs.aval.ndim != 1:
        raise ValueError(f"bincount: only 1-dimensional input supported, got shape "
                         f"{xs.aval.shape} (at {user_line()})")
    minlength = operator.index(minlength)
    if minlength < 0:
        raise ValueError(f"bincount: minlength must be non-negative, got {minlength}")
    if length is None:
        host = _concrete(x, "bincount", "length")
        length = builtins.max(minlength, int(host.max()) + 1 if host.size else 0)
    else:
        length = operator.index(length)
    if weights is None:
        w = lax.broadcast_in_dim(asarray(1, dtypes.default_int()), xs.aval.shape, ())
    else:
        w = asarray(weights)
        if w.aval.dtype == "bool":
            w = lax.convert_element_type(w, dtypes.default_int())
        from ._core import broadcast_to
        w = broadcast_to(w, xs.aval.shape)
    ind = lax.max(lax.convert_element_type(xs, "int32"), 0)
    return zeros((length,), w.aval.dtype).at[ind].add(w)


def _concrete(x, op, arg):
    try:
        return np.asarray(x)
    except TypeError:
        from ..core import ConcretizationTypeError
        raise ConcretizationTypeError(
            f"{op}: the output shape depends on the values of a traced array; under jit pass "
            f"a static {arg}= (at {user_line()})") from None


def histogram_bin_edges(a, bins=10, range=None, weights=None):
    x = _to_float(a)
    x.weak_type = False
    b = bins if isinstance(bins, (int, np.integer)) else asarray(bins)
    if not isinstance(b, int) and b.aval.ndim == 0:
        b = int(b)
    if not isinstance(b, int):
        return lax.convert_element_type(b, x.aval.dtype)
    if b < 1:
        raise ValueError(f"histogram_bin_edges: bins must be positive, got {b} (at {user_line()})")
    from ._creation import linspace
    if range is None:
        lo, hi = red.min(x), red.max(x)
    else:
        if len(range) != 2:
            raise ValueError(f"histogram_bin_edges: range must be (min, max), got {range}")
        lo, hi = (lax.convert_element_type(asarray(r), x.aval.dtype) for r in range)
    same = lax.eq(lo, hi)
    lo = lax.select(same, lax.sub(lo, 0.5), lo)
    hi = lax.select(same, lax.add(hi, 0.5), hi)
    return linspace(lo, hi, b + 1, dtype=x.aval.dtype)


def _bin_index(x, edges):
    """Bin of each value: 1..nbins inside, 0 below, nbins+1 above; the last edge is in."""
    from ._extra_sorting import searchsorted
    from ._indexing import getitem
    i = searchsorted(edges, x, side="right")
    nb = edges.aval.shape[0]
    return lax.select(lax.eq(x, lax.broadcast_in_dim(getitem(edges, -1), x.aval.shape, ())),
                      lax.broadcast_in_dim(asarray(nb - 1, i.aval.dtype), x.aval.shape, ()), i)


def histogram(a, bins=10, range=None, weights=None, density=None):
    from ._creation import zeros
    from ._shape import ravel
    x = ravel(_to_float(a))
    x.weak_type = False
    edges = histogram_bin_edges(x, bins, range, weights)
    nb = edges.aval.shape[0]
    idx = _bin_index(x, edges)
    w = lax.broadcast_in_dim(asarray(1.0, x.aval.dtype), x.aval.shape, ()) if weights is None \
        else lax.convert_element_type(ravel(asarray(weights)), x.aval.dtype)
    counts = zeros((nb + 1,), w.aval.dtype).at[idx].add(w)
    counts = lax.slice_in_dim(counts, 1, nb, axis=0)
    if density:
        widths = lax.sub(lax.slice_in_dim(edges, 1, nb), lax.slice_in_dim(edges, 0, nb - 1))
        counts = lax.div(divide(counts, red.sum(counts)), widths)
    return counts, edges


def histogramdd(sample, bins=10, range=None, weights=None, density=None):
    from ._creation import zeros
    s = _to_float(sample)
    s.weak_type = False
    if s.aval.ndim != 2:
        raise ValueError(f"histogramdd: sample must be a 2-d array (N, D), got shape "
                         f"{s.aval.shape} (at {user_line()})")
    d = s.aval.shape[1]
    bins_per = list(bins) if isinstance(bins, (list, tuple)) else [bins] * d
    if len(bins_per) != d:
        raise ValueError(f"histogramdd: {len(bins_per)} bin specs for {d} dimensions")
    ranges = list(range) if range is not None else [None] * d
    edges, flat = [], None
    sizes = []
    for i in builtins.range(d):
        col = lax.slice_in_dim(s, i, i + 1, axis=1)
        col = lax.reshape(col, (s.aval.shape[0],))
        e = histogram_bin_edges(col, bins_per[i], ranges[i])
        edges.append(e)
        nb = e.aval.shape[0] + 1
        sizes.append(nb)
        idx = _bin_index(col, e)
        flat = idx if flat is None else lax.add(lax.mul(flat, nb), idx)
    w = lax.broadcast_in_dim(asarray(1.0, s.aval.dtype), (s.aval.shape[0],), ()) \
        if weights is None else lax.convert_element_type(asarray(weights), s.aval.dtype)
    total = int(np.prod(sizes))
    counts = lax.reshape(zeros((total,), w.aval.dtype).at[flat].add(w), sizes)
    counts = lax.slice(counts, [1] * d, [n - 1 for n in sizes])
    if weights is None and not density:  # plain counts are integers here, as in JAX
        counts = lax.convert_element_type(counts, dtypes.default_int())
    if density:
        counts = divide(counts, red.sum(counts))
        for i, e in enumerate(edges):
            n = e.aval.shape[0]
            widths = lax.sub(lax.slice_in_dim(e, 1, n), lax.slice_in_dim(e, 0, n - 1))
            counts = lax.div(counts, lax.broadcast_in_dim(widths, counts.aval.shape, (i,)))
    return counts, edges


def histogram2d(x, y, bins=10, range=None, weights=None, density=None):
    from ._shape import stack
    xs, ys = promote(asarray(x), asarray(y))
    sample = stack([xs, ys], axis=1)
    counts, edges = histogramdd(sample, bins, range, weights, density)
    return counts, edges[0], edges[1]

