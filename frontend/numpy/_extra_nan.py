"""NaN-ignoring reductions: the plain reduction over NaNs replaced by its identity, as JAX
defines them (integer and bool inputs have no NaNs, so they take the plain path)."""
from __future__ import annotations

from irax.dialects.types import FLOATS

from .. import lax
from . import _reductions as red
from ._core import asarray
from ._ufuncs import isnan, where


def _floating(x):
    return x.aval.dtype in FLOATS


def _nan_as(x, value):
    return where(isnan(x), value, x) if _floating(x) else x


def nansum(a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=None):
    x = asarray(a)
    return red.sum(_nan_as(x, 0), axis=axis, dtype=dtype, out=out, keepdims=keepdims,
                   initial=initial, where=where)


def nanprod(a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=None):
    x = asarray(a)
    return red.prod(_nan_as(x, 1), axis=axis, dtype=dtype, out=out, keepdims=keepdims,
                    initial=initial, where=where)


def _nan_extreme(reduce, fill, name):
    def f(a, axis=None, out=None, keepdims=False, initial=None, where=None):
        x = asarray(a)
        if not _floating(x):
            return reduce(x, axis=axis, out=out, keepdims=keepdims, initial=initial, where=where)
        r = reduce(_nan_as(x, fill), axis=axis, out=out, keepdims=keepdims, initial=initial,
                   where=where)
        all_nan = red.all(isnan(x), axis=axis, keepdims=keepdims)
        return _select(all_nan, float("nan"), r)
    f.__name__ = name
    return f


def _select(c, a, b):
    from ._ufuncs import where as select
    out = select(c, a, b)
    out.weak_type = b.weak_type
    return out


nanmax = _nan_extreme(red.max, float("-inf"), "nanmax")
nanmin = _nan_extreme(red.min, float("inf"), "nanmin")


def _count(x, axis, keepdims, where_):
    valid = lax.bitwise_not(isnan(x))
    if where_ is not None:
        from ._ufuncs import logical_and
        valid = logical_and(valid, where_)
    return red.sum(valid, axis=axis, keepdims=keepdims)


def nanmean(a, axis=None, dtype=None, out=None, keepdims=False, where=None):
    x = asarray(a)
    if not _floating(x):
        return red.mean(x, axis=axis, dtype=dtype, out=out, keepdims=keepdims, where=where)
    if dtype is not None:
        x = lax.convert_element_type(x, dtype)
    total = nansum(x, axis=axis, out=out, keepdims=keepdims, where=where)
    n = lax.convert_element_type(_count(x, axis, keepdims, where), total.aval.dtype)
    return lax.div(total, n)


def nanvar(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, where=None, mean=None):
    red._no_out(out, "nanvar")
    from ._ufuncs import _to_float
    x = _to_float(a)
    if dtype is not None:
        x = lax.convert_element_type(x, dtype)
    m = nanmean(x, axis=axis, keepdims=True, where=where) if mean is None else asarray(mean)
    centered = _nan_as(lax.sub(*_same(x, m)), 0)
    sq = lax.mul(centered, centered)
    total = red.sum(sq, axis=axis, keepdims=keepdims, where=where)
    n = lax.sub(lax.convert_element_type(_count(x, axis, keepdims, where), total.aval.dtype),
                float(ddof))
    return _select(lax.le(n, 0.0), float("nan"), lax.div(total, n))


def _same(x, m):
    from ._core import promote_and_broadcast
    return promote_and_broadcast(x, m, op="nanvar")


def nanstd(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, where=None, mean=None):
    return lax.sqrt(nanvar(a, axis=axis, dtype=dtype, out=out, ddof=ddof, keepdims=keepdims,
                           where=where, mean=mean))


def _nan_arg(reduce, fill, name):
    def f(a, axis=None, out=None, keepdims=None):
        x = asarray(a)
        if not _floating(x):
            return reduce(x, axis=axis, out=out, keepdims=bool(keepdims))
        nan = isnan(x)
        r = reduce(_nan_as(x, fill), axis=axis, out=out, keepdims=bool(keepdims))
        all_nan = red.all(nan, axis=axis, keepdims=bool(keepdims))
        if keepdims and axis is None:
            all_nan = lax.reshape(all_nan, r.aval.shape)
        return lax.select(all_nan, lax.add(lax.mul(r, 0), -1), r)
    f.__name__ = name
    return f


nanargmax = _nan_arg(red.argmax, float("-inf"), "nanargmax")
nanargmin = _nan_arg(red.argmin, float("inf"), "nanargmin")


def nancumsum(a, axis=None, dtype=None, out=None):
    return red.cumsum(_nan_as(asarray(a), 0), axis=axis, dtype=dtype, out=out)


def nancumprod(a, axis=None, dtype=None, out=None):
    return red.cumprod(_nan_as(asarray(a), 1), axis=axis, dtype=dtype, out=out)


