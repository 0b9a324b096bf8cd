"""irax.numpy.linalg: NumPy's linalg on irax arrays, with JAX's semantics.

The factorizations are irax programs (_factorizations.py); the rest composes
them.  Derivatives of solve, det and slogdet are JAX's formulas (custom_jvp),
so they reuse the LU factorization instead of differentiating through it.
"""
from __future__ import annotations

import operator
from typing import NamedTuple

import numpy as np

from .. import dtypes, lax
from ..api import jit
from ..core import Array, user_line
from ..custom_derivatives import custom_jvp
from . import _factorizations as F
from ._core import asarray, broadcast_to, promote
from ._creation import eye
from ._linalg import matmul, outer as _outer
from ._reductions import amax, amin, prod, sum as _sum
from ._shape import matrix_transpose, moveaxis, reshape, stack
from ._ufuncs import abs as _abs, log, sign, sqrt, where


def _float(x, op):
    return F.float_operand(x, op)


def _square(x, op):
    x = _float(x, op)
    F._square(x, op)
    return x


def _promote_float(a, b, op):
    a, b = promote(asarray(a), asarray(b), op=op)
    if a.aval.dtype not in dtypes.FLOATS:
        a = lax.convert_element_type(a, dtypes.default_float())
        b = lax.convert_element_type(b, dtypes.default_float())
    return a, b


def cholesky(a, *, upper=False, symmetrize_input=True):
    """The Cholesky factor (lower, or upper with upper=True); NaN where a is not
    positive definite, as in JAX."""
    L = F.cholesky(_square(a, "cholesky"), symmetrize_input=symmetrize_input)
    return matrix_transpose(L) if upper else L


# --------------------------------------------------------------------------
# LU-based: solve, inv, det, slogdet
# --------------------------------------------------------------------------

def _lu_solve(lu, perm, b, trans=0):
    """a x = b (trans 0) or a^T x = b from a's (lu, permutation); b (..., n, k)."""
    if trans == 0:
        x = F._permute_rows(b, perm)
        x = F._triangular_solve(True, True, False, True, lu, x)
        return F._triangular_solve(True, False, False, False, lu, x)
    x = F._triangular_solve(True, False, True, False, lu, b)
    x = F._triangular_solve(True, True, True, True, lu, x)
    from ._sorting import argsort
    return F._permute_rows(x, lax.convert_element_type(argsort(perm, axis=-1), "int32"))


def _solve_value(a, b):
    lu, _, perm = F._lu(a)
    return _lu_solve(lu, perm, b)


_solve = custom_jvp(jit(_solve_value))  # jitted: an eager call compiles one program


@_solve.defjvp
def _solve_jvp(primals, tangents):
    """x = a^-1 b  =>  dx = a^-1 (db - da x), with one LU for both solves."""
    a, b = primals
    da, db = tangents
    lu, _, perm = F._lu(a)
    x = _lu_solve(lu, perm, b)
    return x, _lu_solve(lu, perm, db - matmul(da, x))


def _check_solve_shapes(a, b, op, vector):
    n = a.aval.shape[-1]
    k = b.aval.shape[-1] if vector else b.aval.shape[-2]
    if k != n:
        raise ValueError(f"{op}: shapes {a.aval.shape} and {b.aval.shape} do not match "
                         f"(at {user_line()})")


def _batched(a, b, op):
    from ._core import broadcast_shapes
    batch = broadcast_shapes(a.aval.shape[:-2], b.aval.shape[:-2], op=op)
    return broadcast_to(a, batch + a.aval.shape[-2:]), broadcast_to(b, batch + b.aval.shape[-2:])


def solve(a, b):
    """a x = b; b is a vector only when it is 1-d (JAX >= 0.5), else (..., n, k)."""
    a, b = _promote_float(a, b, "solve")
    if a.aval.ndim < 2:
        raise ValueError(f"solve: a must have at least 2 dimensions, got shape {a.aval.shape} "
                         f"(at {user_line()})")
    F._square(a, "solve")
    if b.aval.ndim == 1:
        _check_solve_shapes(a, b, "solve", True)
        a2, b2 = _batched(a, b[:, None], "solve")
        return _solve(a2, b2)[..., 0]
    if b.aval.ndim < 2:
        raise ValueError(f"solve: b must be 1-d or have at least 2 dimensions, got shape "
                         f"{b.aval.shape} (at {user_line()})")
    _check_solve_shapes(a, b, "solve", False)
    return _solve(*_batched(a, b, "solve"))


def inv(a):
    a = _square(a, "inv")
    n = a.aval.shape[-1]
    return solve(a, broadcast_to(eye(n, dtype=a.aval.dtype), a.aval.shape))


class SlogdetResult(NamedTuple):
    sign: Array
    logabsdet: Array


def _diag(x):
    from ._creation import diagonal as _diagonal
    return _diagonal(x, 0, -2, -1)


def _parity_sign(piv, dtype):
    """(-1)^(number of row swaps) of LAPACK-style pivots."""
    swaps = lax.ne(piv, lax.broadcasted_iota("int32", piv.aval.shape, piv.aval.ndim - 1))
    odd = lax.rem(_sum(lax.convert_element_type(swaps, "int32"), axis=-1), 2)
    return lax.convert_element_type(1 - 2 * odd, dtype)


def _slogdet_value(a):
    lu, piv, _ = F._lu(a)
    d = _diag(lu)
    s = _parity_sign(piv, a.aval.dtype) * prod(sign(d), axis=-1)
    return s, _sum(log(_abs(d)), axis=-1)


def _trace_solve(a, da):
    lu, _, perm = F._lu(a)
    return _sum(_diag(_lu_solve(lu, perm, da)), axis=-1)


_slogdet = custom_jvp(jit(_slogdet_value))


@_slogdet.defjvp
def _slogdet_jvp(primals, tangents):
    """d log|det a| = tr(a^-1 da); the sign is piecewise constant."""
    a, = primals
    da, = tangents
    s, logdet = _slogdet(a)
    return (s, logdet), (lax.mul(s, 0.0), _trace_solve(a, da))



def slogdet(a, *, method=None):
    """(sign, log|det|) from an LU factorization (method None or 'lu')."""
    if method not in (None, "lu"):
        raise ValueError(f"slogdet: unknown method {method!r}; irax supports 'lu' "
                         f"(at {user_line()})")
    s, l = _slogdet(_square(a, "slogdet"))
    return SlogdetResult(s, l)


def _det_value(a):
    lu, piv, _ = F._lu(a)
    return _parity_sign(piv, a.aval.dtype) * prod(_diag(lu), axis=-1)


_det = custom_jvp(jit(_det_value))


@_det.defjvp
def _det_jvp(primals, tangents):
    """d det a = det a * tr(a^-1 da) (NaN at singular a, where JAX uses cofactors)."""
    a, = primals
    da, = tangents
    d = _det(a)
    return d, d * _trace_solve(a, da)


def det(a):
    return _det(_square(a, "det"))


# --------------------------------------------------------------------------
# Products and powers
# --------------------------------------------------------------------------

def matrix_power(a, n):
    """a**n by repeated squaring; a negative n inverts first."""
    a = asarray(a)
    if a.aval.ndim < 2 or a.aval.shape[-1] != a.aval.shape[-2]:
        raise ValueError(f"matrix_power: a must be a (batch of) square matrices, got shape "
                         f"{a.aval.shape} (at {user_line()})")
    try:
        n = operator.index(n)
    except TypeError:
        raise TypeError(f"matrix_power: exponent must be an integer, got {n!r} "
                        f"(at {user_line()})") from None
    if n == 0:
        return broadcast_to(eye(a.aval.shape[-1], dtype=a.aval.dtype), a.aval.shape)
    if n < 0:
        a, n = inv(a), -n
    result, z = None, a
    while n:
        if n & 1:
            result = z if result is None else matmul(result, z)
        n >>= 1
        if n:
            z = matmul(z, z)
    return result


def multi_dot(arrays, *, precision=None):
    """Chained matmul in the cheapest order (the classic O(n^3) chain-order DP)."""
    arrs = [asarray(x) for x in arrays]
    if len(arrs) < 2:
        raise ValueError(f"multi_dot: expected at least two arrays, got {len(arrs)} "
                         f"(at {user_line()})")
    first_vec, last_vec = arrs[0].aval.ndim == 1, arrs[-1].aval.ndim == 1
    if first_vec:
        arrs[0] = arrs[0][None, :]
    if last_vec:
        arrs[-1] = arrs[-1][:, None]
    for i, x in enumerate(arrs):
        if x.aval.ndim != 2:
            raise ValueError(f"multi_dot: array {i} must be 2-d (the first and last may be "
                             f"1-d), got shape {x.aval.shape} (at {user_line()})")
    dims = [arrs[0].aval.shape[0]] + [x.aval.shape[1] for x in arrs]
    k = len(arrs)
    cost = [[0] * k for _ in range(k)]
    split = [[0] * k for _ in range(k)]
    for length in range(1, k):
        for i in range(k - length):
            j = i + length
            cost[i][j] = None
            for s in range(i, j):
                c = cost[i][s] + cost[s + 1][j] + dims[i] * dims[s + 1] * dims[j + 1]
                if cost[i][j] is None or c < cost[i][j]:
                    cost[i][j], split[i][j] = c, s

    def chain(i, j):
        if i == j:
            return arrs[i]
        s = split[i][j]
        return matmul(chain(i, s), chain(s + 1, j))
    out = chain(0, k - 1)
    if first_vec:
        out = out[0]
    if last_vec:
        out = out[..., 0]
    return out


def tensorinv(a, ind=2):
    a = asarray(a)
    ind = operator.index(ind)
    if ind <= 0:
        raise ValueError(f"tensorinv: ind must be a positive integer, got {ind} "
                         f"(at {user_line()})")
    out_shape = a.aval.shape[ind:] + a.aval.shape[:ind]
    rows = int(np.prod(a.aval.shape[:ind]))
    cols = int(np.prod(a.aval.shape[ind:]))
    if rows != cols:
        raise ValueError(f"tensorinv: a.shape[:ind] and a.shape[ind:] must have equal products, "
                         f"got shape {a.aval.shape} with ind={ind} (at {user_line()})")
    return reshape(inv(reshape(a, (rows, cols))), out_shape)


def tensorsolve(a, b, axes=None):
    a, b = asarray(a), asarray(b)
    if axes is not None:
        axes = (axes,) if isinstance(axes, int) else tuple(axes)
        a = moveaxis(a, axes, tuple(range(a.aval.ndim - len(axes), a.aval.ndim)))
    out_shape = a.aval.shape[b.aval.ndim:]
    rows = int(np.prod(b.aval.shape))
    cols = int(np.prod(out_shape))
    if rows != cols or a.aval.shape[:b.aval.ndim] != b.aval.shape:
        raise ValueError(f"tensorsolve: shapes {a.aval.shape} and {b.aval.shape} are not "
                         f"compatible (at {user_line()})")
    return reshape(solve(reshape(a, (rows, cols)), reshape(b, (rows,))), out_shape)


def outer(x1, x2, /):
    x1, x2 = asarray(x1), asarray(x2)
    if x1.aval.ndim != 1 or x2.aval.ndim != 1:
        raise ValueError(f"linalg.outer: input arrays must be one-dimensional, got shapes "
                         f"{x1.aval.shape} and {x2.aval.shape} (at {user_line()})")
    return _outer(x1, x2)


def cross(x1, x2, /, *, axis=-1):
    x1, x2 = promote(asarray(x1), asarray(x2), op="cross")
    if x1.aval.shape[axis] != 3 or x2.aval.shape[axis] != 3:
        raise ValueError(f"linalg.cross: both inputs must have size 3 along axis {axis}, got "
                         f"shapes {x1.aval.shape} and {x2.aval.shape} (at {user_line()})")
    a, b = moveaxis(x1, axis, -1), moveaxis(x2, axis, -1)
    from ._core import broadcast_arrays
    a, b = broadcast_arrays(a, b, op="cross")
    c = [a[..., 1] * b[..., 2] - a[..., 2] * b[..., 1],
         a[..., 2] * b[..., 0] - a[..., 0] * b[..., 2],
         a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0]]
    return moveaxis(stack(c, axis=-1), -1, axis)


def vecdot(x1, x2, /, *, axis=-1, precision=None, preferred_element_type=None):
    from ._core import broadcast_arrays
    a, b = promote(asarray(x1), asarray(x2), op="vecdot")
    a, b = broadcast_arrays(moveaxis(a, axis, -1), moveaxis(b, axis, -1), op="vecdot")
    out = _sum(a * b, axis=-1)
    if preferred_element_type is not None:
        out = lax.convert_element_type(out, preferred_element_type)
    return out


def trace(x, /, *, offset=0, dtype=None):
    from ._creation import diagonal as _diagonal
    out = _sum(_diagonal(asarray(x), offset, -2, -1), axis=-1)
    return out if dtype is None else lax.convert_element_type(out, dtype)


def diagonal(x, /, *, offset=0):
    from ._creation import diagonal as _diagonal
    return _diagonal(asarray(x), offset, -2, -1)


# --------------------------------------------------------------------------
# Norms and condition numbers
# --------------------------------------------------------------------------

def _svdvals(x, what):
    try:
        from ._spectral import svdvals
    except ImportError:
        raise NotImplementedError(f"{what} needs singular values (svdvals), which irax does "
                                  f"not have yet (at {user_line()})") from None
    return svdvals(x)


def _float_norm_input(x):
    x = asarray(x)
    if x.aval.dtype not in dtypes.FLOATS:
        x = lax.convert_element_type(x, dtypes.default_float())
    return x


def vector_norm(x, /, *, axis=None, keepdims=False, ord=2):
    x = _float_norm_input(x)
    if axis is None:
        y = reshape(x, (-1,))
        out = vector_norm(y, axis=0, ord=ord)
        return reshape(out, (1,) * x.aval.ndim) if keepdims else out
    a = _abs(x)
    if ord is None or ord == 2:
        return sqrt(_sum(x * x, axis=axis, keepdims=keepdims))
    if ord == np.inf:
        return amax(a, axis=axis, keepdims=keepdims)
    if ord == -np.inf:
        return amin(a, axis=axis, keepdims=keepdims)
    if ord == 0:
        return _sum(lax.convert_element_type(a != 0, x.aval.dtype), axis=axis, keepdims=keepdims)
    if ord == 1:
        return _sum(a, axis=axis, keepdims=keepdims)
    if isinstance(ord, str):
        raise ValueError(f"vector_norm: invalid ord {ord!r} for vectors (at {user_line()})")
    p = float(ord)
    return _sum(a ** p, axis=axis, keepdims=keepdims) ** (1.0 / p)


def _matrix_norm(x, ord, axes, keepdims):
    r, c = axes
    a = _abs(x)
    if ord in (None, "fro", "f"):
        out = sqrt(_sum(x * x, axis=(r, c)))
    elif ord == 1:
        out = amax(_sum(a, axis=r, keepdims=True), axis=c, keepdims=True)
        out = _squeeze2(out, r, c)
    elif ord == -1:
        out = _squeeze2(amin(_sum(a, axis=r, keepdims=True), axis=c, keepdims=True), r, c)
    elif ord == np.inf:
        out = _squeeze2(amax(_sum(a, axis=c, keepdims=True), axis=r, keepdims=True), r, c)
    elif ord == -np.inf:
        out = _squeeze2(amin(_sum(a, axis=c, keepdims=True), axis=r, keepdims=True), r, c)
    elif ord in (2, -2, "nuc"):
        s = _svdvals(moveaxis(x, (r, c), (-2, -1)), f"norm(ord={ord!r})")
        out = amax(s, axis=-1) if ord == 2 else amin(s, axis=-1) if ord == -2 else _sum(s, -1)
    else:
        raise ValueError(f"norm: invalid ord {ord!r} for matrices (at {user_line()})")
    if keepdims:
        for ax in sorted((r, c)):
            out = lax.expand_dims(out, (ax,))
    return out


def _squeeze2(x, r, c):
    return lax.squeeze(x, tuple(sorted((r, c))))


def matrix_norm(x, /, *, keepdims=False, ord="fro"):
    x = _float_norm_input(x)
    if x.aval.ndim < 2:
        raise ValueError(f"matrix_norm: x must be at least 2-d, got shape {x.aval.shape} "
                         f"(at {user_line()})")
    n = x.aval.ndim
    return _matrix_norm(x, ord, (n - 2, n - 1), keepdims)


def norm(x, ord=None, axis=None, keepdims=False):
    """NumPy's norm: vector norms for one axis, matrix norms for two."""
    x = _float_norm_input(x)
    nd = x.aval.ndim
    if axis is None:
        if ord is None:
            out = sqrt(_sum(x * x))
            return reshape(out, (1,) * nd) if keepdims else out
        axis = tuple(range(nd))
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    axes = tuple(operator.index(ax) % nd if nd else operator.index(ax) for ax in axes)
    if len(axes) == 1:
        if isinstance(ord, str):
            raise ValueError(f"norm: invalid ord {ord!r} for vectors (at {user_line()})")
        return vector_norm(x, axis=axes[0], keepdims=keepdims, ord=2 if ord is None else ord)
    if len(axes) == 2:
        if axes[0] == axes[1]:
            raise ValueError(f"norm: duplicate axes {axis} (at {user_line()})")
        return _matrix_norm(x, ord, axes, keepdims)
    raise ValueError(f"norm: improper number of axes {axis} for norm (at {user_line()})")


def cond(x, p=None):
    """Condition number: s_max / s_min for p in (None, 2, -2), else |x|_p |x^-1|_p."""
    x = _square(x, "cond")
    if p in (None, 2, -2):
        s = _svdvals(x, f"cond(p={p!r})")
        r = amax(s, axis=-1) / amin(s, axis=-1)
        return 1 / r if p == -2 else r
    r = norm(x, ord=p, axis=(-2, -1)) * norm(inv(x), ord=p, axis=(-2, -1))
    # a singular x (NaN from its inverse) has an infinite condition number, as in JAX
    from ._reductions import any as _any
    from ._ufuncs import isnan
    return where(isnan(r) & ~_any(isnan(x), axis=(-2, -1)), np.inf, r)


# QR, eigh, SVD and what is built on them: Jacobi/Householder programs (_spectral.py)
from ._spectral import (EighResult, QRResult, SVDResult, eigh, eigvalsh, lstsq,  # noqa: E402
                        matrix_rank, pinv, qr, svd, svdvals)
