"""Cholesky, LU and triangular solves as irax programs (IREE has no LAPACK).

Each factorization is blocked: the loop over block columns is unrolled in Python
(static shapes, so every trailing update is one exact-size matmul), and only a
panel of `_BLOCK` columns runs as a `fori_loop`, carrying the panel alone (a
loop-carried matrix is copied each step).  A triangular solve is one
forward-substitution loop (reduced to lower/left by transposes and flips).
Leading dimensions are batch dimensions throughout.  Derivatives are JAX's
formulas (custom_jvp); batching comes from the ops.  Each kernel is jitted, so
an eager call compiles one program.
"""
from __future__ import annotations

import numpy as np

from irax.dialects.ops import IraxTypeError
from irax.dialects.types import COMPLEX

from .. import dtypes, lax
from ..api import jit
from ..core import user_line
from ..custom_derivatives import custom_jvp
from ._core import asarray, promote
from ._creation import eye, tril, triu
from ._indexing import take_along_axis
from ._linalg import matmul
from ._shape import concatenate, swapaxes
from ._ufuncs import where

_BLOCK = 64      # panel width of the blocked factorizations (measured on CPU at n = 64..1024)


def _t(x):
    return swapaxes(x, -1, -2)


def _zeros(shape, dtype):
    return lax.broadcast_in_dim(asarray(np.zeros((), dtypes.np_dtype(dtype))), shape, ())


def _iota(n, shape, dim):
    return lax.broadcasted_iota("int32", shape, dim) if shape else lax.iota("int32", n)


def _col(x, j):
    """x[..., :, j] for a traced j, keeping the column axis."""
    nb = x.aval.ndim - 2
    return lax.dynamic_slice(x, (0,) * nb + (0, j), x.aval.shape[:-1] + (1,))


def _row(x, j):
    nb = x.aval.ndim - 2
    return lax.dynamic_slice(x, (0,) * nb + (j, 0), x.aval.shape[:-2] + (1, x.aval.shape[-1]))


def _set_col(x, v, j):
    return lax.dynamic_update_slice(x, v, (0,) * (x.aval.ndim - 2) + (0, j))


def _set_row(x, v, j):
    return lax.dynamic_update_slice(x, v, (0,) * (x.aval.ndim - 2) + (j, 0))


def float_operand(x, op):
    """`x` as a float array of rank >= 2 (integers become the default float, as JAX)."""
    x = asarray(x)
    if x.aval.dtype in COMPLEX:
        raise NotImplementedError(f"{op}: complex matrices are not supported by irax's "
                                  f"factorizations yet (at {user_line()})")
    if x.aval.dtype not in dtypes.FLOATS:
        x = lax.convert_element_type(x, dtypes.default_float())
    if x.aval.ndim < 2:
        raise ValueError(f"{op}: the argument must have at least 2 dimensions, got shape "
                         f"{x.aval.shape} (at {user_line()})")
    return x


def _square(x, op):
    if x.aval.shape[-1] != x.aval.shape[-2]:
        raise ValueError(f"{op}: the last two dimensions must be equal (a batch of square "
                         f"matrices), got shape {x.aval.shape} (at {user_line()})")


# --------------------------------------------------------------------------
# Triangular inverse and solve
# --------------------------------------------------------------------------

def _lower_solve(t, b, unit):
    """t^-1 b for lower-triangular t (..., n, n) and b (..., n, k), batch dims equal:
    forward substitution, one row per step (x starts at 0, so row i of t times x
    is the sum over the rows solved so far).  One loop compiles to a handful of
    dispatches (the block-inverse version took 30 s to compile at n = 70)."""
    n = t.aval.shape[-1]
    nb = t.aval.ndim - 2
    if n == 0:
        return b

    def body(i, x):
        row = _row(t, i)                                   # (..., 1, n)
        d = lax.dynamic_slice(row, (0,) * (nb + 1) + (i,), row.aval.shape[:-1] + (1,))
        r = _row(b, i) - matmul(row, x)
        return _set_row(x, r if unit else r / d, i)
    t = tril(t, -1) if unit else tril(t)
    return lax.fori_loop(0, n, body, _zeros(b.aval.shape, b.aval.dtype))


def _solve_kernel(a, b, left_side, lower, transpose_a, unit_diagonal):
    """op(a) x = b (left) or x op(a) = b (right), reduced to one lower, left solve."""
    if not left_side:  # x op(a) = b  <=>  op(a)^T x^T = b^T
        return _t(_solve_kernel(a, _t(b), True, lower, not transpose_a, unit_diagonal))
    if transpose_a:
        a, lower = _t(a), not lower
    if lower:
        return _lower_solve(a, b, unit_diagonal)
    # upper: reversing rows and columns makes it lower
    flip = lax.rev(a, (a.aval.ndim - 2, a.aval.ndim - 1))
    return lax.rev(_lower_solve(flip, lax.rev(b, (b.aval.ndim - 2,)), unit_diagonal),
                   (b.aval.ndim - 2,))


_solve_jit = jit(_solve_kernel, static_argnums=(2, 3, 4, 5))


def _triangular_solve(left_side, lower, transpose_a, unit_diagonal, a, b):
    return _solve_jit(a, b, left_side, lower, transpose_a, unit_diagonal)


_triangular_solve = custom_jvp(_triangular_solve, nondiff_argnums=(0, 1, 2, 3))


@_triangular_solve.defjvp
def _triangular_solve_jvp(left_side, lower, transpose_a, unit_diagonal, primals, tangents):
    """JAX's rule: linear in b; d x = -op(a)^-1 op(da) x (left) or -x op(da) op(a)^-1."""
    a, b = primals
    da, db = tangents
    x = _triangular_solve(left_side, lower, transpose_a, unit_diagonal, a, b)
    k = 1 if unit_diagonal else 0
    da = tril(da, -k) if lower else triu(da, k)
    da = _t(da) if transpose_a else da
    solve = lambda r: _triangular_solve(left_side, lower, transpose_a, unit_diagonal, a, r)
    m, n = x.aval.shape[-2:]
    if left_side:
        dx = solve(matmul(da, x)) if m > n else matmul(solve(da), x)
    else:
        dx = solve(matmul(x, da)) if m < n else matmul(x, solve(da))
    return x, solve(db) - dx


def _broadcast_batch(a, b, op):
    from ._core import broadcast_shapes, broadcast_to
    batch = broadcast_shapes(a.aval.shape[:-2], b.aval.shape[:-2], op=op)
    return broadcast_to(a, batch + a.aval.shape[-2:]), broadcast_to(b, batch + b.aval.shape[-2:])


def triangular_solve(a, b, *, left_side=False, lower=False, transpose_a=False,
                     conjugate_a=False, unit_diagonal=False):
    """lax.linalg.triangular_solve: op(a) x = b (left_side) or x op(a) = b."""
    a, b = float_operand(a, "triangular_solve"), float_operand(b, "triangular_solve")
    _square(a, "triangular_solve")
    a, b = promote(a, b, op="triangular_solve")
    n = a.aval.shape[-1]
    k = b.aval.shape[-2] if left_side else b.aval.shape[-1]
    if k != n:
        raise IraxTypeError(f"triangular_solve: a of shape {a.aval.shape} and b of shape "
                            f"{b.aval.shape} do not match for left_side={left_side} "
                            f"(at {user_line()})")
    a, b = _broadcast_batch(a, b, "triangular_solve")
    return _triangular_solve(bool(left_side), bool(lower), bool(transpose_a),
                             bool(unit_diagonal), a, b)


# --------------------------------------------------------------------------
# Cholesky
# --------------------------------------------------------------------------

def _cholesky_panel(p):
    """Cholesky of the panel's top square, and the rows below solved against it
    (the panel's own columns in Crout order: one matrix-vector product each)."""
    m, w = p.aval.shape[-2:]
    rows = _iota(m, (m,), 0)
    cols = _iota(w, (w,), 0)

    def body(j, p):
        r = _row(p, j)[..., 0, :]
        r = where(cols < j, r, 0)
        v = (_col(p, j) - matmul(p, r[..., None]))[..., :, 0]
        d = lax.sqrt(lax.dynamic_slice(v, (0,) * (v.aval.ndim - 1) + (j,),
                                       v.aval.shape[:-1] + (1,)))
        v = where(rows >= j, v / d, 0)
        return _set_col(p, v[..., None], j)
    return lax.fori_loop(0, w, body, p)


def _cholesky_kernel(a):
    """Lower Cholesky factor from a's lower triangle; all NaN where a is not
    positive definite (as JAX's LAPACK-backed one).  The trailing matrix keeps
    all n columns (rows k0: only), so every operand of the update is a
    contiguous row slice: IREE's data-tiled matmul fused with an elementwise op
    on a strided 2-d slice fails to compile ('large vector sizes')."""
    n = a.aval.shape[-1]
    if n == 0:
        return a
    trailing, blocks = a, []
    for k0 in range(0, n, _BLOCK):
        w = min(_BLOCK, n - k0)
        panel = _cholesky_panel(trailing[..., :, k0:k0 + w])
        if k0 + w < n:
            right = _t(panel)
            if k0:
                right = concatenate([_zeros(right.aval.shape[:-1] + (k0,), a.aval.dtype), right],
                                    axis=-1)
            trailing = trailing[..., w:, :] - matmul(panel[..., w:, :], right)
        if k0:
            panel = concatenate([_zeros(panel.aval.shape[:-2] + (k0, w), a.aval.dtype), panel],
                                axis=-2)
        blocks.append(panel)
    out = concatenate(blocks, axis=-1) if len(blocks) > 1 else blocks[0]
    from ._creation import diagonal
    from ._reductions import all as _all
    ok = _all(lax.is_finite(diagonal(out, 0, -2, -1)), axis=-1)
    nan = asarray(np.array(np.nan, dtypes.np_dtype(a.aval.dtype)))
    return tril(where(ok[..., None, None], out, nan))


_cholesky_jit = jit(_cholesky_kernel)


@custom_jvp
def _cholesky(a):
    return _cholesky_jit(a)


@_cholesky.defjvp
def _cholesky_jvp(primals, tangents):
    """JAX's rule (https://arxiv.org/pdf/1602.07527.pdf): dL = L phi(L^-1 dA L^-T),
    phi taking the lower triangle with the diagonal halved."""
    a, = primals
    da, = tangents
    L = _cholesky(a)
    tmp = _triangular_solve(False, True, True, False, L, da)
    tmp = _triangular_solve(True, True, False, False, L, tmp)
    n = a.aval.shape[-1]
    phi = tril(tmp) / (1 + eye(n, dtype=tmp.aval.dtype))
    return L, matmul(L, phi)


def symmetrize(x):
    return (x + _t(x)) / 2


def cholesky(x, *, symmetrize_input=True):
    """lax.linalg.cholesky: the lower factor (NaN where x is not positive definite)."""
    x = float_operand(x, "cholesky")
    _square(x, "cholesky")
    if symmetrize_input:
        x = symmetrize(x)
    return _cholesky(x)


# --------------------------------------------------------------------------
# LU with partial pivoting
# --------------------------------------------------------------------------

def _lu_panel(p):
    """Partial-pivoting LU of a tall panel (..., m, w), m >= w: per column, the
    largest magnitude at or below the diagonal is swapped up (the first one on
    ties, as LAPACK), the column below is scaled by it (unless it is 0, as
    LAPACK's getf2) and the rest of the panel gets the rank-1 update."""
    m, w = p.aval.shape[-2:]
    batch = p.aval.shape[:-2]
    rows = _iota(m, (m,), 0)
    cols = _iota(w, (w,), 0)
    perm = lax.broadcast_in_dim(rows, batch + (m,), (len(batch),))
    piv = _zeros(batch + (w,), "int32")

    def body(j, carry):
        p, perm, piv = carry
        c = _col(p, j)[..., :, 0]
        mag = where(rows >= j, lax.abs(c), -1)
        k = lax.argmax(mag, len(batch), "int32")          # (...,)
        if batch:
            # per-matrix swap of rows j and k: gather by a swapped index vector
            idx = where(rows == j, k[..., None], where(rows == k[..., None], j, rows))
            p = take_along_axis(p, idx[..., :, None], axis=-2)
            perm = take_along_axis(perm, idx, axis=-1)
        else:
            rj, rk = _row(p, j), _row(p, k)
            p = _set_row(_set_row(p, rk, j), rj, k)
            ej = lax.dynamic_slice(perm, (j,), (1,))
            ek = lax.dynamic_slice(perm, (k,), (1,))
            perm = lax.dynamic_update_slice(lax.dynamic_update_slice(perm, ek, (j,)), ej, (k,))
        piv = where(cols == j, k[..., None], piv)
        c = _col(p, j)[..., :, 0]
        r = _row(p, j)[..., 0, :]
        pivot = lax.dynamic_slice(c, (0,) * len(batch) + (j,), batch + (1,))
        l = where(rows > j, where(pivot != 0, c / pivot, c), 0)
        p = _set_col(p, where(rows > j, l, c)[..., None], j)
        upd = matmul(l[..., :, None], where(cols > j, r, 0)[..., None, :])
        return p - upd, perm, piv
    return lax.fori_loop(0, w, body, (p, perm, piv))


def _permute_rows(x, perm):
    return take_along_axis(x, perm[..., :, None], axis=-2)


def _lu_kernel(a):
    """Blocked right-looking LU: (lu, pivots, permutation) as JAX's lax.linalg.lu.
    Per block column: the panel's pivoted LU, its row swaps applied to whole
    rows, U12 = L11^-1 A12 and A22 -= L21 U12 (over whole rows, as in Cholesky)."""
    m, n = a.aval.shape[-2:]
    batch = a.aval.shape[:-2]
    perm = lax.broadcast_in_dim(_iota(m, (m,), 0), batch + (m,), (len(batch),))
    pivots, done, rows = [], [], a  # done: finished rows; rows: rows k0: (all columns)
    for k0 in range(0, min(m, n), _BLOCK):
        w = min(_BLOCK, min(m, n) - k0)
        panel, p_perm, p_piv = _lu_panel(rows[..., :, k0:k0 + w])
        pivots.append(p_piv + k0)
        rows = _permute_rows(rows, p_perm)
        perm = concatenate([perm[..., :k0], _permute_rows(perm[..., k0:, None], p_perm)[..., 0]],
                           axis=-1)
        if k0 + w < n:
            u12 = _lower_solve(panel[..., :w, :], rows[..., :w, k0 + w:], True)
            top = concatenate([rows[..., :w, :k0], panel[..., :w, :], u12], axis=-1)
            rows = rows[..., w:, :]
            if k0 + w < m:
                right = concatenate([_zeros(u12.aval.shape[:-1] + (k0 + w,), a.aval.dtype), u12],
                                    axis=-1)
                rows = rows - matmul(panel[..., w:, :], right)
        else:
            top = concatenate([rows[..., :w, :k0], panel[..., :w, :]], axis=-1)
            rows = rows[..., w:, :]
        if k0 + w < m:   # the finished rows' L21 columns go into the rows below
            rows = concatenate([rows[..., :, :k0], panel[..., w:, :], rows[..., :, k0 + w:]],
                               axis=-1)
        done.append(top)
    if rows.aval.shape[-2]:
        done.append(rows)
    lu = concatenate(done, axis=-2) if len(done) > 1 else done[0]
    piv = concatenate(pivots, axis=-1) if pivots else _zeros(batch + (0,), "int32")
    return lu, piv, perm


_lu_jit = jit(_lu_kernel)


def _lu_jvp_tangent(lu, da, perm):
    """JAX's rule (De Hoog, Anderssen & Lukas): with X = L^-1 P dA U^-1,
    dL = L tril(X, -1) and dU = triu(X) U, packed as one matrix."""
    m, n = lu.aval.shape[-2:]
    k = min(m, n)
    dt = lu.aval.dtype
    nb = lu.aval.ndim - 2
    zero = asarray(np.zeros((), dtypes.np_dtype(dt)))
    l = lax.pad(tril(lu[..., :, :k], -1), zero, [(0, 0, 0)] * (nb + 1) + [(0, m - k, 0)])
    l = l + eye(m, dtype=dt)
    u = lax.pad(triu(lu[..., :k, :]), zero, [(0, 0, 0)] * nb + [(0, n - k, 0), (0, 0, 0)])
    u = u + lax.pad(eye(n - k, dtype=dt), zero, [(k, 0, 0), (k, 0, 0)])
    la = _triangular_solve(True, True, False, True, l, _permute_rows(da, perm))
    lau = _triangular_solve(False, False, False, False, u, la)
    return matmul(l, tril(lau, -1))[..., :, :n] + matmul(triu(lau), u)[..., :m, :]


@custom_jvp
def _lu(a):
    return _lu_jit(a)


@_lu.defjvp
def _lu_jvp(primals, tangents):
    a, = primals
    da, = tangents
    lu, piv, perm = _lu(a)
    zi = lambda x: _zeros(x.aval.shape, "int32")
    return (lu, piv, perm), (_lu_jvp_tangent(lu, da, perm), zi(piv), zi(perm))


def lu(x):
    """lax.linalg.lu: (lu, pivots, permutation), pivots and permutation int32."""
    x = float_operand(x, "lu")
    return _lu(x)


def lu_pivots_to_permutation(pivots, permutation_size):
    """lax.linalg.lu_pivots_to_permutation: apply the row swaps i <-> pivots[i] in turn
    to the identity permutation (..., permutation_size)."""
    piv = asarray(pivots)
    if piv.aval.dtype not in dtypes.INTEGERS:
        raise TypeError(f"lu_pivots_to_permutation: pivots must be integers, got "
                        f"{piv.aval.dtype} (at {user_line()})")
    piv = lax.convert_element_type(piv, "int32")
    batch, k = piv.aval.shape[:-1], piv.aval.shape[-1]
    m = int(permutation_size)
    if k > m:
        raise ValueError(f"lu_pivots_to_permutation: {k} pivots do not fit a permutation of "
                         f"size {m} (at {user_line()})")
    rows = _iota(m, (m,), 0)
    perm = lax.broadcast_in_dim(rows, batch + (m,), (len(batch),))

    def body(i, perm):
        p = lax.dynamic_slice(piv, (0,) * len(batch) + (i,), batch + (1,))
        idx = where(rows == i, p, where(rows == p, i, rows))
        return take_along_axis(perm, idx, axis=-1)
    return lax.fori_loop(0, k, body, perm)
