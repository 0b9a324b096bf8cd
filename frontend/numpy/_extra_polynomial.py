"""Polynomials as 1-d coefficient arrays, highest power first (NumPy's poly1d order)."""
from __future__ import annotations

import operator

import numpy as np

from .. import lax
from ..core import ConcretizationTypeError, user_line
from . import _ufuncs as uf
from ._core import asarray, promote


def _vec(p, op):
    x = asarray(p)
    if x.aval.ndim == 0:
        x = lax.reshape(x, (1,))
    if x.aval.ndim != 1:
        raise ValueError(f"{op}: input must be a 1-d array of coefficients, got shape "
                         f"{x.aval.shape} (at {user_line()})")
    return x


def _inexact(x):
    x = uf._to_float(x)
    x.weak_type = False
    return x


def polyval(p, x, *, unroll=16):
    """Horner's rule over the (static number of) coefficients."""
    c, xs = promote(_vec(p, "polyval"), x, op="polyval")
    y = lax.mul(xs, asarray(0, xs.aval.dtype)) if xs.aval.ndim == 0 else uf.multiply(xs, 0)
    for i in range(c.aval.shape[0]):
        y = uf.add(uf.multiply(y, xs), lax.squeeze(lax.slice_in_dim(c, i, i + 1), (0,)))
    return y


def _aligned(a1, a2, op):
    a, b = promote(_vec(a1, op), _vec(a2, op), op=op)
    n = max(a.aval.shape[0], b.aval.shape[0])
    zero = asarray(0, a.aval.dtype)
    a = lax.pad(a, zero, [(n - a.aval.shape[0], 0, 0)])
    b = lax.pad(b, zero, [(n - b.aval.shape[0], 0, 0)])
    return a, b


def polyadd(a1, a2):
    return uf.add(*_aligned(a1, a2, "polyadd"))


def polysub(a1, a2):
    return uf.subtract(*_aligned(a1, a2, "polysub"))


def _trim_leading(x, op):
    try:
        host = np.asarray(x)
    except (TypeError, ConcretizationTypeError):
        raise ConcretizationTypeError(f"{op}: trim_leading_zeros=True needs concrete "
                                      f"coefficients (at {user_line()})") from None
    nz = np.flatnonzero(host)
    start = int(nz[0]) if nz.size else max(host.size - 1, 0)
    return lax.slice_in_dim(x, start, x.aval.shape[0])


def polymul(a1, a2, *, trim_leading_zeros=False):
    from ._extra_calculus import convolve
    a, b = promote(_inexact(_vec(a1, "polymul")), _vec(a2, "polymul"), op="polymul")
    a, b = _inexact(a), _inexact(b)
    if trim_leading_zeros:
        a, b = _trim_leading(a, "polymul"), _trim_leading(b, "polymul")
    return convolve(a, b, mode="full")


def polyder(p, m=1):
    m = operator.index(m)
    if m < 0:
        raise ValueError(f"polyder: order of derivative must be positive, got {m}")
    c = _inexact(_vec(p, "polyder"))
    for _ in range(m):
        n = c.aval.shape[0]
        if n <= 1:
            return lax.mul(lax.slice_in_dim(c, 0, 0), 0.0)
        powers = asarray(np.arange(n - 1, 0, -1), c.aval.dtype)
        c = lax.mul(lax.slice_in_dim(c, 0, n - 1), powers)
    return c


def polyint(p, m=1, k=None):
    """m-fold antiderivative; k gives the integration constants (one, or one per order)."""
    m = operator.index(m)
    if m < 0:
        raise ValueError(f"polyint: order of integral must be positive, got {m}")
    c = _inexact(_vec(p, "polyint"))
    if k is None:
        ks = lax.broadcast_in_dim(asarray(0, c.aval.dtype), (m,), ())
    else:
        ks = lax.convert_element_type(_vec(k, "polyint"), c.aval.dtype)
        if ks.aval.shape[0] == 1 and m != 1:
            ks = lax.broadcast_in_dim(lax.reshape(ks, ()), (m,), ())
        if ks.aval.shape[0] != m:
            raise ValueError(f"polyint: k must be a scalar or a rank-1 array of length {m}, "
                             f"got length {ks.aval.shape[0]} (at {user_line()})")
    for i in range(m):
        n = c.aval.shape[0]
        c = lax.div(c, asarray(np.arange(n, 0, -1), c.aval.dtype))
        c = lax.concatenate([c, lax.slice_in_dim(ks, i, i + 1)], 0)
    return c


def polydiv(u, v, *, trim_leading_zeros=False):
    """(quotient, remainder) by long division; the remainder keeps u's length."""
    a, b = promote(_inexact(_vec(u, "polydiv")), _vec(v, "polydiv"), op="polydiv")
    a, b = _inexact(a), _inexact(b)
    m, n = a.aval.shape[0] - 1, b.aval.shape[0] - 1
    lead = lax.squeeze(lax.slice_in_dim(b, 0, 1), (0,))
    q = []
    r = a
    for k in range(max(m - n + 1, 0)):
        d = lax.div(lax.squeeze(lax.slice_in_dim(r, k, k + 1), (0,)), lead)
        q.append(lax.reshape(d, (1,)))
        sub = lax.pad(uf.multiply(b, d), asarray(0, a.aval.dtype), [(k, m - n - k, 0)])
        r = lax.sub(r, sub)
    quot = lax.concatenate(q, 0) if q else lax.broadcast_in_dim(asarray(0, a.aval.dtype), (1,), ())
    if trim_leading_zeros:
        r = _trim_leading(r, "polydiv")
    return quot, r


def poly(seq_of_zeros):
    """Coefficients of the monic polynomial with the given roots (a square matrix stands
    for its eigenvalues, which needs a general eigensolver)."""
    from ._extra_calculus import convolve
    z = asarray(seq_of_zeros)
    if z.aval.ndim == 2 and z.aval.shape[0] == z.aval.shape[1] and z.aval.shape[0] > 0:
        raise NotImplementedError(f"poly: a matrix argument needs its eigenvalues "
                                  f"(irax has no general eigensolver) (at {user_line()})")
    if z.aval.ndim > 1:
        raise ValueError(f"poly: input must be 1d or non-empty square 2d array, got shape "
                         f"{z.aval.shape} (at {user_line()})")
    z = _inexact(lax.reshape(z, (z.aval.size,)))
    a = asarray(np.ones((1,)), z.aval.dtype)
    for i in range(z.aval.shape[0]):
        root = lax.slice_in_dim(z, i, i + 1)
        a = convolve(a, lax.concatenate([asarray(np.ones((1,)), z.aval.dtype), lax.neg(root)], 0))
    return a


def polyfit(x, y, deg, rcond=None, full=False, w=None, cov=False):
    """Least-squares fit of a degree-`deg` polynomial: Vandermonde columns scaled to unit
    norm (as NumPy does), then the normal equations solved by LU (squares the condition
    number: fine for the low degrees polyfit is used for, less exact than NumPy's SVD)."""
    from ._extra_creation import vander
    from ._linalg import matmul
    from .linalg import solve
    deg = operator.index(deg)
    if deg < 0:
        raise ValueError(f"polyfit: expected deg >= 0, got {deg}")
    if full or cov:
        raise NotImplementedError(f"polyfit: full=True and cov=True are not implemented "
                                  f"(at {user_line()})")
    xs = _inexact(_vec(x, "polyfit"))
    ys = lax.convert_element_type(asarray(y), xs.aval.dtype)
    if ys.aval.ndim not in (1, 2) or ys.aval.shape[0] != xs.aval.shape[0]:
        raise ValueError(f"polyfit: y must be 1-d or 2-d with len(x) rows; got shapes "
                         f"{xs.aval.shape} and {ys.aval.shape} (at {user_line()})")
    lhs = vander(xs, deg + 1)
    rhs = ys
    if w is not None:
        ww = lax.convert_element_type(_vec(w, "polyfit"), xs.aval.dtype)
        lhs = uf.multiply(lhs, lax.broadcast_in_dim(ww, lhs.aval.shape, (0,)))
        rhs = uf.multiply(rhs, lax.broadcast_in_dim(ww, rhs.aval.shape, (0,)))
    if rcond is not None:
        raise NotImplementedError(f"polyfit: rcond= is not implemented (at {user_line()})")
    scale = lax.sqrt(lax.reduce_sum(lax.mul(lhs, lhs), (0,)))
    lhs = lax.div(lhs, lax.broadcast_in_dim(scale, lhs.aval.shape, (1,)))
    lt = lax.transpose(lhs, (1, 0))
    c = solve(matmul(lt, lhs), matmul(lt, rhs))
    return lax.div(c, scale if c.aval.ndim == 1 else lax.broadcast_in_dim(scale, c.aval.shape, (0,)))
