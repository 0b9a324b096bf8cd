"""More array creation: geomspace, diagflat, vander and the classic window functions."""
from __future__ import annotations

import operator

import numpy as np

from .. import dtypes, lax
from ..core import user_line
from . import _ufuncs as uf
from ._core import asarray


def geomspace(start, stop, num=50, endpoint=True, dtype=None, axis=0):
    """Evenly spaced on a log scale: sign * 10**linspace(log10|start|, log10|stop|)."""
    from ._creation import logspace
    from ._shape import moveaxis
    num = operator.index(num)
    if num < 0:
        raise ValueError(f"geomspace: number of samples, {num}, must be non-negative")
    a, b = uf._to_float(start), uf._to_float(stop)
    a, b = uf.promote(a, b)
    sign = uf.sign(a)
    la, lb = uf.log10(uf.absolute(a)), uf.log10(uf.absolute(b))
    out = logspace(la, lb, num, endpoint=endpoint, base=10.0)
    out = uf.multiply(out, lax.broadcast_in_dim(sign, out.aval.shape,
                                                tuple(range(1, out.aval.ndim))))
    if dtype is not None:
        out = lax.convert_element_type(out, dtype)
    else:
        out.weak_type = False
    return moveaxis(out, 0, axis) if axis else out


def diagflat(v, k=0):
    from ._creation import diag
    from ._shape import ravel
    return diag(ravel(asarray(v)), k)


def vander(x, N=None, increasing=False):
    """Columns are powers of x (decreasing unless `increasing`)."""
    from ._creation import arange
    xs = asarray(x)
    if xs.aval.ndim != 1:
        raise ValueError(f"vander: x must be a one-dimensional array, got shape "
                         f"{xs.aval.shape} (at {user_line()})")
    n = xs.aval.shape[0] if N is None else operator.index(N)
    if n < 0:
        raise ValueError(f"vander: N must be nonnegative, got {n}")
    p = arange(n, dtype=dtypes.default_int())
    if not increasing:
        p = lax.rev(p, (0,))
    return uf.power(lax.broadcast_in_dim(xs, (xs.aval.shape[0], n), (0,)),
                    lax.broadcast_in_dim(p, (xs.aval.shape[0], n), (1,)))


def _window(M, op):
    M = operator.index(M)
    if M < 1:
        from ._creation import zeros
        return None, zeros((0,), dtypes.default_float())
    if M == 1:
        from ._creation import ones
        return None, ones((1,), dtypes.default_float())
    n = asarray(np.arange(1 - M, M, 2), dtypes.default_float())
    return lax.div(n, float(M - 1)), None


def _cosine_window(a0, a1, a2, name):
    def f(M):
        t, trivial = _window(M, name)
        if trivial is not None:
            return trivial
        out = lax.add(lax.mul(lax.cos(lax.mul(t, np.pi)), a1), a0)
        if a2:
            out = lax.add(out, lax.mul(lax.cos(lax.mul(t, 2 * np.pi)), a2))
        return out
    f.__name__ = name
    f.__doc__ = f"The {name} window of M points (symmetric, peak 1 at the middle)."
    return f


hamming = _cosine_window(0.54, 0.46, 0.0, "hamming")
hanning = _cosine_window(0.5, 0.5, 0.0, "hanning")
blackman = _cosine_window(0.42, 0.5, 0.08, "blackman")


def bartlett(M):
    t, trivial = _window(M, "bartlett")
    if trivial is not None:
        return trivial
    return lax.sub(1.0, lax.abs(t))


def kaiser(M, beta):
    from ._extra_ufuncs import i0
    M = operator.index(M)
    if M < 1:
        return _window(M, "kaiser")[1]
    if M == 1:
        return _window(M, "kaiser")[1]
    n = asarray(np.arange(M), dtypes.default_float())
    alpha = (M - 1) / 2.0
    b = lax.convert_element_type(asarray(beta), dtypes.default_float())
    r = lax.div(lax.sub(n, alpha), alpha)
    arg = uf.multiply(b, lax.sqrt(lax.max(lax.sub(1.0, lax.mul(r, r)), 0.0)))
    return uf.divide(i0(arg), i0(b))
