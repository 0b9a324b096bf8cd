"""Reductions with NumPy's axis/keepdims and JAX's result dtypes."""
from __future__ import annotations

import builtins

import numpy as np

from irax.dialects.types import COMPLEX, FLOATS, INTEGERS

from .. import dtypes, lax
from ..core import user_line
from ._core import asarray, canonical_axes, canonical_axis
from ._ufuncs import _to_float


def _keepdims(x, out, axes, keepdims):
    if not keepdims:
        return out
    shape = [1 if i in axes else d for i, d in enumerate(x.aval.shape)]
    return lax.reshape(out, shape)


def _where_mask(x, where, identity):
    if where is None:
        return x
    from ._ufuncs import where as _where
    return _where(where, x, identity)


def _widen_small(x):
    """bool and integers narrower than the default int accumulate in the default int
    (unsigned ones in the default uint), as sum and prod do in JAX."""
    dt = x.aval.dtype
    wide = dtypes.default_int()
    if dt.startswith("uint"):
        wide = "u" + wide
    elif dt != "bool" and dt not in INTEGERS:
        return x
    if dt == "bool" or np.iinfo(dt).bits < np.iinfo(wide).bits:
        return lax.convert_element_type(x, wide)
    return x


def _no_out(out, name):
    """irax arrays are immutable, so there is nothing to write into (JAX raises too)."""
    if out is not None:
        raise NotImplementedError(f"{name}: irax arrays are immutable: out= is not supported "
                                  f"(at {user_line()})")


def _sum_like(reduce, combine, identity, name):
    """sum and prod: dtype/widening, where= masking with the identity, initial= folded in."""
    def f(a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=None):
        _no_out(out, name)
        x = asarray(a)
        x = lax.convert_element_type(x, dtype) if dtype is not None else _widen_small(x)
        x = _where_mask(x, where, identity)
        axes = canonical_axes(axis, x.aval.ndim, name)
        r = reduce(x, axes)
        if initial is not None:
            r = combine(r, initial)
        return _keepdims(x, r, axes, keepdims)
    f.__name__ = name
    return f


sum = _sum_like(lax.reduce_sum, lax.add, 0, "sum")
prod = _sum_like(lax.reduce_prod, lax.mul, 1, "prod")


def _minmax(prim, name):
    def f(a, axis=None, out=None, keepdims=False, initial=None, where=None):
        _no_out(out, name)
        x = asarray(a)
        axes = canonical_axes(axis, x.aval.ndim, name)
        if builtins.any(x.aval.shape[i] == 0 for i in axes) and initial is None:
            raise ValueError(f"zero-size array to reduction operation {name} which has no identity")
        if where is not None and initial is None:
            raise ValueError(f"{name}: reduction with where= needs initial= (no identity) "
                             f"(at {user_line()})")
        x = _where_mask(x, where, initial)
        r = prim(x, axes)
        if initial is not None:
            r = (lax.max if name == "max" else lax.min)(r, initial)
        return _keepdims(x, r, axes, keepdims)
    f.__name__ = name
    return f


max = amax = _minmax(lax.reduce_max, "max")
min = amin = _minmax(lax.reduce_min, "min")


def _boolean(prim, name):
    def f(a, axis=None, out=None, keepdims=False, where=None):
        _no_out(out, name)
        x = asarray(a)
        if x.aval.dtype != "bool":
            x = lax.ne(x, 0)
        x = _where_mask(x, where, name == "all")
        axes = canonical_axes(axis, x.aval.ndim, name)
        return _keepdims(x, prim(x, axes), axes, keepdims)
    f.__name__ = name
    return f


any = _boolean(lax.reduce_or, "any")
all = _boolean(lax.reduce_and, "all")


def _count(x, axes):
    n = 1
    for i in axes:
        n *= x.aval.shape[i]
    return n


def mean(a, axis=None, dtype=None, out=None, keepdims=False, where=None):
    _no_out(out, "mean")
    x = asarray(a)
    if x.aval.dtype not in FLOATS:
        x = _to_float(x)
    if dtype is not None:
        x = lax.convert_element_type(x, dtype)
    axes = canonical_axes(axis, x.aval.ndim, "mean")
    if where is not None:
        from ._core import broadcast_to
        w = lax.convert_element_type(broadcast_to(asarray(where), x.aval.shape), x.aval.dtype)
        total = sum(lax.mul(x, w), axis=axes, keepdims=keepdims)
        return lax.div(total, sum(w, axis=axes, keepdims=keepdims))
    return lax.div(sum(x, axis=axes, keepdims=keepdims), float(_count(x, axes)))


def var(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, where=None):
    _no_out(out, "var")
    from ._ufuncs import subtract
    x = _to_float(a)
    if dtype is not None:
        x = lax.convert_element_type(x, dtype)
    axes = canonical_axes(axis, x.aval.ndim, "var")
    centered = subtract(x, mean(x, axis=axes, keepdims=True, where=where))
    if centered.aval.dtype in COMPLEX:  # |x - mean|^2, as JAX: a complex array's variance is real
        sq = lax.real(lax.mul(centered, lax.conj(centered)))
    else:
        sq = lax.mul(centered, centered)
    if where is None:
        n = float(_count(x, axes) - ddof)
    else:
        from ._core import broadcast_to
        w = lax.convert_element_type(broadcast_to(asarray(where), x.aval.shape), x.aval.dtype)
        n = lax.sub(sum(w, axis=axes, keepdims=keepdims), float(ddof))
    out = lax.div(sum(sq, axis=axes, keepdims=keepdims, where=where), n)
    if where is None and n > 0:
        return out
    # With no elements left (n <= 0) the result is a NaN constant, so its derivative
    # is 0, as JAX's (0/0 gave NaN tangents)
    from ._ufuncs import where as select
    return select(lax.gt(n, 0.0) if where is not None else False, out, np.nan)


def std(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, where=None):
    _no_out(out, "std")
    return lax.sqrt(var(a, axis=axis, dtype=dtype, ddof=ddof, keepdims=keepdims, where=where))


def _arg(prim, name):
    def f(a, axis=None, out=None, keepdims=False):
        _no_out(out, name)
        x = asarray(a)
        if axis is None:
            x = lax.reshape(x, (x.aval.size,))
            ax = 0
        else:
            ax = canonical_axis(axis, x.aval.ndim, name)
        if x.aval.shape[ax] == 0:
            raise ValueError(f"attempt to get {name} of an empty sequence")
        r = prim(x, ax, dtypes.default_int())
        if keepdims:
            if axis is None:
                return lax.reshape(r, (1,) * asarray(a).aval.ndim)
            return lax.expand_dims(r, (ax,))
        return r
    f.__name__ = name
    return f


argmax = _arg(lax.argmax, "argmax")
argmin = _arg(lax.argmin, "argmin")


def _cum(prim, name, promote_bool=True):
    def f(a, axis=None, dtype=None, out=None):
        _no_out(out, name)
        x = asarray(a)
        if axis is None:
            x = lax.reshape(x, (x.aval.size,))
            axis = 0
        if dtype is not None:
            x = lax.convert_element_type(x, dtype)
        elif promote_bool and x.aval.dtype == "bool":  # other ints keep their width, as in JAX
            x = lax.convert_element_type(x, dtypes.default_int())
        return prim(x, canonical_axis(axis, x.aval.ndim, name))
    f.__name__ = name
    return f


cumsum = _cum(lax.cumsum, "cumsum")
cumprod = _cum(lax.cumprod, "cumprod")


def ptp(a, axis=None, keepdims=False):
    return lax.sub(max(a, axis=axis, keepdims=keepdims), min(a, axis=axis, keepdims=keepdims))


def count_nonzero(a, axis=None, keepdims=False):
    return sum(lax.ne(asarray(a), 0), axis=axis, keepdims=keepdims)


def average(a, axis=None, weights=None, returned=False, keepdims=False):
    if weights is None:
        avg = mean(a, axis=axis, keepdims=keepdims)
        if returned:  # the weight sum is the element count (JAX returns it too)
            count = float(asarray(a).aval.size // builtins.max(avg.aval.size, 1))
            return avg, lax.add(lax.mul(avg, 0.0), count)
        return avg
    from ._core import broadcast_to
    x = _to_float(a)
    w = broadcast_to(_to_float(weights), x.aval.shape) if asarray(weights).aval.ndim == x.aval.ndim \
        else _weights_along(x, _to_float(weights), axis)
    num = sum(lax.mul(x, w), axis=axis, keepdims=keepdims)
    den = sum(w, axis=axis, keepdims=keepdims)
    avg = lax.div(num, den)
    return (avg, den) if returned else avg


def _weights_along(x, w, axis):
    ax = canonical_axis(axis, x.aval.ndim, "average")
    return lax.broadcast_in_dim(w, x.aval.shape, (ax,))


def allclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    from ._ufuncs import isclose
    return all(isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan))


def array_equal(a1, a2, equal_nan=False):
    """Same shape and elements (a shape mismatch is a concrete False, as in JAX)."""
    from ._ufuncs import equal, isnan, logical_and, logical_or
    x, y = asarray(a1), asarray(a2)
    if x.aval.shape != y.aval.shape:
        return asarray(False)
    eq = equal(x, y)
    if equal_nan:
        eq = logical_or(eq, logical_and(isnan(x), isnan(y)))
    return all(eq)
