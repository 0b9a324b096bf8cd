"""Spectral linear algebra (QR, eigh, SVD and what is built on them) as irax
programs of existing ops: IREE has no LAPACK, so each factorization is a loop
of dynamic slices, reductions and elementwise updates, and so compiles for
every backend and batches through the loop rules.  Leading dimensions are
batch dimensions, as in NumPy.

- QR: Householder reflections with LAPACK's (dgeqrf/dorgqr) conventions, so
  Q and R agree with NumPy's and JAX's signs, not only up to them.
- eigh: parallel-ordered two-sided Jacobi (the round-robin "circle" ordering
  rotates n/2 disjoint pairs at once), sweeps until the off-diagonal part is
  at rounding level.
- SVD: parallel-ordered one-sided (Hestenes) Jacobi on the columns, then a
  Householder QR of the normalized columns completes U to an orthonormal
  basis (zero and full_matrices columns).

Derivatives are JAX's formulas, attached with custom_jvp.
"""
from __future__ import annotations

import builtins
import functools
from typing import NamedTuple

import numpy as np

from irax.dialects.types import FLOATS

from .. import dtypes, lax
from ..control_flow import fori_loop, while_loop
from ..core import user_line
from ..custom_derivatives import custom_jvp
from ._core import asarray

_MAX_SWEEPS = 30


class EighResult(NamedTuple):
    eigenvalues: object
    eigenvectors: object


class QRResult(NamedTuple):
    Q: object
    R: object


class SVDResult(NamedTuple):
    U: object
    S: object
    Vh: object


def _jnp():
    import irax.numpy as jnp
    return jnp


def _inexact(x, op):
    x = asarray(x)
    if x.aval.dtype not in FLOATS:
        x = lax.convert_element_type(x, dtypes.default_float())
    return x


def _matrix(a, op, square=False):
    x = _inexact(a, op)
    if x.aval.ndim < 2:
        raise ValueError(f"{op}: input must have at least 2 dimensions; got shape "
                         f"{x.aval.shape} (at {user_line()})")
    if square and x.aval.shape[-1] != x.aval.shape[-2]:
        raise ValueError(f"{op}: last two dimensions must be square; got shape "
                         f"{x.aval.shape} (at {user_line()})")
    return x


def _T(x):
    return _jnp().swapaxes(x, -1, -2)


def _eps(x):
    return float(np.finfo(np.dtype(x.aval.dtype)).eps)


def _eye(n, m, x):
    jnp = _jnp()
    e = jnp.eye(n, m, dtype=x.aval.dtype)
    return jnp.broadcast_to(e, x.aval.shape[:-2] + (n, m))


def _col(x, k):
    """x[..., k:k+1] along the last axis at a traced k."""
    starts = (0,) * (x.aval.ndim - 1) + (k,)
    return lax.dynamic_slice(x, starts, x.aval.shape[:-1] + (1,))


# --------------------------------------------------------------------------- QR


def _householder(a):
    """LAPACK's dgeqrf: (r, vs, taus) with r upper trapezoidal after
    min(m, n) reflections H_k = I - tau_k v_k v_k^T (v_k[k] = 1)."""
    jnp = _jnp()
    *batch, m, n = a.aval.shape
    K = builtins.min(m, n)
    dt = a.aval.dtype
    rows = lax.broadcasted_iota("int32", (m, 1), 0)
    zero = jnp.zeros((), dt)

    def step(k, carry):
        r, vs, taus = carry
        col = _col(r, k)
        at, below = rows == k, rows > k
        alpha = jnp.sum(jnp.where(at, col, zero), axis=-2, keepdims=True)
        xn2 = jnp.sum(jnp.where(below, col * col, zero), axis=-2, keepdims=True)
        beta = -jnp.copysign(jnp.sqrt(alpha * alpha + xn2), alpha)
        trivial = xn2 == 0
        tau = jnp.where(trivial, zero, (beta - alpha) / jnp.where(trivial, 1, beta))
        v = jnp.where(at, jnp.ones((), dt),
                      jnp.where(below, col / jnp.where(trivial, 1, alpha - beta), zero))
        r = r - (tau * v) * jnp.matmul(_T(v), r)
        starts = (0,) * (a.aval.ndim - 1)
        vs = lax.dynamic_update_slice(vs, v, starts + (k,))
        taus = lax.dynamic_update_slice(taus, tau[..., 0], starts[:-1] + (k,))
        return r, vs, taus

    init = (a, jnp.zeros((*batch, m, K), dt), jnp.zeros((*batch, K), dt))
    return fori_loop(0, K, step, init)


def _form_q(vs, taus, ncols):
    """dorgqr: H_0 ... H_{K-1} applied to the first `ncols` columns of I."""
    jnp = _jnp()
    *batch, m, K = vs.aval.shape
    q = _eye(m, ncols, vs)

    def step(j, q):
        k = K - 1 - j
        v = _col(vs, k)
        tau = _col(taus, k)[..., None]
        return q - (tau * v) * jnp.matmul(_T(v), q)
    return fori_loop(0, K, step, q)


@functools.partial(custom_jvp, nondiff_argnums=(1,))
def _qr(a, full_matrices):
    return _qr_impl(a, full_matrices)


def _qr_impl(a, full_matrices):
    jnp = _jnp()
    m, n = a.aval.shape[-2:]
    K = builtins.min(m, n)
    if K == 0:
        k = m if full_matrices else K
        return _eye(m, k, a), jnp.zeros(a.aval.shape[:-2] + (k, n), a.aval.dtype)
    r, vs, taus = _householder(a)
    q = _form_q(vs, taus, m if full_matrices else K)
    r = jnp.triu(r if full_matrices else r[..., :K, :])
    return q, r


def _thin_qr_jvp(q, r, dx):
    jnp = _jnp()
    from ._factorizations import triangular_solve
    dx_rinv = triangular_solve(r, dx, left_side=False, lower=False)     # dx r^-1
    qt_dx_rinv = jnp.matmul(_T(q), dx_rinv)
    low = jnp.tril(qt_dx_rinv, -1)
    do = low - _T(low)
    dq = jnp.matmul(q, do - qt_dx_rinv) + dx_rinv
    dr = jnp.matmul(qt_dx_rinv - do, r)
    return dq, dr


@_qr.defjvp
def _qr_jvp(full_matrices, primals, tangents):
    jnp = _jnp()
    (x,), (dx,) = primals, tangents
    q, r = _qr(x, full_matrices)
    m, n = x.aval.shape[-2:]
    if m < n:
        dq, dr1 = _thin_qr_jvp(q, r[..., :, :m], dx[..., :, :m])
        dr2 = jnp.matmul(_T(dq), x[..., :, m:]) + jnp.matmul(_T(q), dx[..., :, m:])
        return (q, r), (dq, jnp.concatenate([dr1, dr2], axis=-1))
    if full_matrices and m != n:
        raise NotImplementedError("qr: the derivative of mode='complete' for a tall matrix "
                                  f"(shape {x.aval.shape}) is not implemented")
    return (q, r), _thin_qr_jvp(q, r, dx)



# ------------------------------------------------------- parallel Jacobi sweeps


def _pairs(x):
    """Rows (..., N, L) as (top, bottom) of the N/2 pairs (2i, 2i+1)."""
    *batch, N, L = x.aval.shape
    y = lax.reshape(x, (*batch, N // 2, 2, L))
    return y[..., 0, :], y[..., 1, :]


def _unpairs(top, bottom):
    jnp = _jnp()
    *batch, h, L = top.aval.shape
    return lax.reshape(jnp.stack([top, bottom], axis=-2), (*batch, 2 * h, L))


def _rotate(p, q, c, s):
    """(c p - s q, s p + c q) in Rutishauser's form, which keeps the rows
    orthogonal to working precision over the thousands of rotations of a
    solve (the plain form lost two digits at n = 128)."""
    tau = s / (1 + c)
    return p - s * (q + tau * p), q + s * (p - tau * q)


def _rotate_rows(x, c, s):
    """Rows (p, q) of each pair rotated by (c, s) of shape (..., N/2, 1)."""
    return _unpairs(*_rotate(*_pairs(x), c, s))


def _next_round(x):
    """The circle method's move: position 0 stays, the others rotate one place,
    so N-1 rounds pair every two rows once and restore the order."""
    jnp = _jnp()
    top, bottom = _pairs(x)
    h = top.aval.shape[-2]
    if h == 1:
        return x
    new_top = jnp.concatenate([top[..., :1, :], bottom[..., :1, :], top[..., 1:h - 1, :]], axis=-2)
    new_bottom = jnp.concatenate([bottom[..., 1:, :], top[..., h - 1:, :]], axis=-2)
    return _unpairs(new_top, new_bottom)


def _pad_even(x, axes):
    """A zero row/column after the last (for odd N): it never rotates, and
    every N-1 rounds it is back in the last place."""
    jnp = _jnp()
    for ax in axes:
        shape = list(x.aval.shape)
        shape[ax] = 1
        x = jnp.concatenate([x, jnp.zeros(shape, x.aval.dtype)], axis=ax)
    return x


def _rotation(t):
    jnp = _jnp()
    c = 1 / jnp.sqrt(1 + t * t)
    return c, t * c


def _tan_half(zeta):
    """The smaller root of t^2 + 2 zeta t - 1 = 0 (|t| <= 1, no overflow)."""
    jnp = _jnp()
    az = jnp.abs(zeta)
    big = az > 1e18
    root = jnp.sqrt(1 + jnp.where(big, 0, zeta * zeta))
    t = jnp.where(big, 0.5 / jnp.where(big, az, 1), 1 / (az + root))
    return jnp.where(zeta < 0, -t, t)


def _jacobi_eigh(a):
    """Eigenvalues (unsorted) and eigenvectors (rows) of symmetric a, whose
    max abs entry is at most 1."""
    jnp = _jnp()
    *batch, n, _ = a.aval.shape
    odd = n % 2
    if odd:
        a = _pad_even(a, (-1, -2))
    N = n + odd
    h = N // 2
    vt = _eye(N, N, a)
    block_eye = jnp.eye(h, dtype="bool")[:, None, :, None]
    offdiag = ~jnp.eye(N, dtype="bool")
    # off-diagonal mass at rounding level of the whole matrix (which rotations keep)
    tol = _eps(a) ** 2 * jnp.sum(a * a, axis=(-1, -2))

    def blocks(x):
        y = lax.reshape(x, (*batch, h, 2, h, 2))
        return jnp.sum(jnp.where(block_eye, y, 0), axis=-2)    # (..., h, 2, 2)

    def round_(_, carry):
        x, vt = carry
        blk = blocks(x)
        app, aqq = blk[..., 0, 0:1], blk[..., 1, 1:2]
        apq = 0.5 * (blk[..., 0, 1:2] + blk[..., 1, 0:1])
        zero = apq == 0
        t = _tan_half((aqq - app) / (2 * jnp.where(zero, 1, apq)))
        t = jnp.where(zero, 0, t)
        c, s = _rotation(t)
        x = _rotate_rows(_T(_rotate_rows(x, c, s)), c, s)
        vt = _rotate_rows(vt, c, s)
        # the rotated 2x2 blocks are exactly diagonal
        d = jnp.stack([app - t * apq, aqq + t * apq], axis=-1)      # (..., h, 1, 2)
        fixed = jnp.where(jnp.eye(2, dtype="bool"), d, 0)            # (..., h, 2, 2)
        y = lax.reshape(x, (*batch, h, 2, h, 2))
        y = jnp.where(block_eye, fixed[..., :, :, None, :], y)
        x = lax.reshape(y, (*batch, N, N))
        x = _next_round(_T(_next_round(x)))
        return x, _next_round(vt)

    def cond(carry):
        x, vt, sweeps = carry
        off = jnp.sum(jnp.where(offdiag, x * x, 0), axis=(-1, -2))
        return jnp.any(off > tol) & (sweeps < _MAX_SWEEPS)

    def sweep(carry):
        x, vt, sweeps = carry
        x, vt = fori_loop(0, N - 1, round_, (x, vt))
        return x, vt, sweeps + 1

    x, vt, _ = while_loop(cond, sweep, (a, vt, jnp.zeros((), "int32")))
    w = jnp.diagonal(x, axis1=-2, axis2=-1)
    if odd:
        w, vt = w[..., :n], vt[..., :n, :n]
    return w, vt


def _jacobi_svd(x):
    """One-sided Jacobi on the rows of x (..., N, M), N <= M, max abs entry
    at most 1: returns (y, vt) with y = vt x, the rows of y orthogonal (their
    norms are the singular values) and vt orthogonal."""
    jnp = _jnp()
    *batch, n, M = x.aval.shape
    odd = n % 2
    if odd:
        x = _pad_even(x, (-2,))
    N = n + odd
    vt = _eye(N, N, x)
    tol = _eps(x) * M

    def round_(_, carry):
        x, vt, worst = carry
        p, q = _pairs(x)
        alpha = jnp.sum(p * p, axis=-1, keepdims=True)
        beta = jnp.sum(q * q, axis=-1, keepdims=True)
        gamma = jnp.sum(p * q, axis=-1, keepdims=True)
        scale = jnp.sqrt(alpha) * jnp.sqrt(beta)
        skip = (gamma == 0) | (scale == 0)
        rel = jnp.where(skip, 0, jnp.abs(gamma) / jnp.where(skip, 1, scale))
        t = _tan_half((beta - alpha) / (2 * jnp.where(skip, 1, gamma)))
        c, s = _rotation(jnp.where(skip, 0, t))
        x = _next_round(_unpairs(*_rotate(p, q, c, s)))
        vt = _next_round(_rotate_rows(vt, c, s))
        return x, vt, jnp.maximum(worst, jnp.max(rel))

    def cond(carry):
        x, vt, worst, sweeps = carry
        return (worst > tol) & (sweeps < _MAX_SWEEPS)

    def sweep(carry):
        x, vt, _, sweeps = carry
        x, vt, worst = fori_loop(0, N - 1, round_, (x, vt, jnp.zeros((), x.aval.dtype)))
        return x, vt, worst, sweeps + 1

    init = (x, vt, jnp.full((), np.inf, x.aval.dtype), jnp.zeros((), "int32"))
    x, vt, _, _ = while_loop(cond, sweep, init)
    if odd:
        x, vt = x[..., :n, :], vt[..., :n, :n]
    return x, vt


def _max_abs(a):
    """Per-matrix scale (1 for a zero matrix), shape (..., 1, 1)."""
    jnp = _jnp()
    s = jnp.max(jnp.abs(a), axis=(-2, -1), keepdims=True)
    return jnp.where(s > 0, s, jnp.ones((), a.aval.dtype))


def _sorted_rows(keys, rows, descending):
    """keys (..., n) sorted, and the rows (..., n, L) of each array in `rows` in that order."""
    jnp = _jnp()
    n = keys.aval.shape[-1]
    idx = lax.broadcasted_iota("int32", keys.aval.shape, keys.aval.ndim - 1)
    keys, idx = lax.sort((-keys if descending else keys, idx), dimension=-1, num_keys=1)
    return ((-keys if descending else keys),
            [jnp.take_along_axis(r, idx[..., None], axis=-2) for r in rows])


# ------------------------------------------------------------------------ eigh


def _triangle_symmetric(a, lower):
    """The symmetric matrix LAPACK reads from one triangle of a."""
    jnp = _jnp()
    t = jnp.tril(a) if lower else jnp.triu(a)
    return t + _T(jnp.tril(a, -1) if lower else jnp.triu(a, 1))


def _eigh_impl(a):
    jnp = _jnp()
    if a.aval.shape[-1] == 0:
        return jnp.zeros(a.aval.shape[:-1], a.aval.dtype), a
    scale = _max_abs(a)
    _, vt = _jacobi_eigh(a / scale)
    # Rayleigh quotients of the (orthonormal to working precision) vectors: the
    # rotated diagonal itself collects one rounding per rotation (50x LAPACK's
    # error at n = 256), these are accurate to second order in the residual
    w = jnp.sum(vt * jnp.matmul(vt, a / scale), axis=-1)
    w, (vt,) = _sorted_rows(w, [vt], descending=False)
    return w * scale[..., 0], _T(vt)


@functools.partial(custom_jvp, nondiff_argnums=(1,))
def _eigh(a, lower):
    return _eigh_impl(_triangle_symmetric(a, lower))


@_eigh.defjvp
def _eigh_jvp(lower, primals, tangents):
    """JAX's rule: first-order perturbation theory, 1/(w_j - w_i) off the
    diagonal (infinite for repeated eigenvalues, as in JAX)."""
    jnp = _jnp()
    (a,), (da,) = primals, tangents
    w, v = _eigh_impl((a + _T(a)) / 2)
    n = a.aval.shape[-1]
    eye = jnp.eye(n, dtype=a.aval.dtype)
    f = 1 / (eye + w[..., None, :] - w[..., :, None]) - eye
    vt_da_v = jnp.matmul(jnp.matmul(_T(v), da), v)
    dv = jnp.matmul(v, f * vt_da_v)
    dw = jnp.diagonal(vt_da_v, axis1=-2, axis2=-1)
    return (w, v), (dw, dv)


# ------------------------------------------------------------------------- SVD


def _svd_impl(a, full_matrices, compute_uv):
    """(u, s, vh), s descending, or s alone."""
    jnp = _jnp()
    m, n = a.aval.shape[-2:]
    tall = m >= n
    b = a if tall else _T(a)                   # (M, N), M >= N
    M, N = builtins.max(m, n), builtins.min(m, n)
    if N == 0:
        return _empty_svd(a, full_matrices, compute_uv)
    scale = _max_abs(a)
    x, vt = _jacobi_svd(_T(b) / scale)          # rows of x: columns of b V, orthogonal
    s = jnp.sqrt(jnp.sum(x * x, axis=-1))
    s, (x, vt) = _sorted_rows(s, [x, vt], descending=True)
    if not compute_uv:
        return s * scale[..., 0, :]
    safe = jnp.where(s > 0, s, 1)
    u0 = jnp.where((s > 0)[..., None], x / safe[..., None], 0)
    # Householder QR of the orthonormal columns completes them to a basis
    q, r = _qr_impl(_T(u0), full_matrices)
    d = jnp.diagonal(r[..., :N, :], axis1=-2, axis2=-1)
    sign = jnp.where(d < 0, -1, 1).astype(a.aval.dtype)
    if full_matrices and M > N:
        sign = jnp.concatenate([sign, jnp.ones(sign.aval.shape[:-1] + (M - N,), a.aval.dtype)], -1)
    u_b = q * sign[..., None, :]
    s = s * scale[..., 0, :]
    if tall:
        return u_b, s, vt
    return _T(vt), s, _T(u_b)


def _empty_svd(a, full_matrices, compute_uv):
    """JAX's factors of a matrix with no rows or columns."""
    jnp = _jnp()
    batch, (m, n) = a.aval.shape[:-2], a.aval.shape[-2:]
    s = jnp.zeros(batch + (0,), a.aval.dtype)
    if not compute_uv:
        return s
    size = builtins.max(m, n)
    u = _eye(size, size, a) if full_matrices else jnp.zeros(batch + (m, n), a.aval.dtype)
    v = jnp.zeros(batch + (0, 0), a.aval.dtype)
    return (v, s, u) if m < n else (u, s, v)


@functools.partial(custom_jvp, nondiff_argnums=(1, 2))
def _svd(a, full_matrices, compute_uv):
    return _svd_impl(a, full_matrices, compute_uv)


@_svd.defjvp
def _svd_jvp(full_matrices, compute_uv, primals, tangents):
    """JAX's rule (reduced factors; full ones only for square matrices)."""
    jnp = _jnp()
    (a,), (da,) = primals, tangents
    m, n = a.aval.shape[-2:]
    if compute_uv and full_matrices and m != n:
        raise NotImplementedError("svd: the derivative with full_matrices=True is implemented "
                                  f"for square matrices only; got shape {a.aval.shape}")
    u, s, vh = _svd_impl(a, False, True)
    ut, v = _T(u), _T(vh)
    s_row = s[..., None, :]
    ds_mat = jnp.matmul(jnp.matmul(ut, da), v)
    ds = jnp.diagonal(ds_mat, axis1=-2, axis2=-1)
    if not compute_uv:
        return s, ds
    k = s.aval.shape[-1]
    eye = jnp.eye(k, dtype=a.aval.dtype)
    diffs = (s_row + _T(s_row)) * (s_row - _T(s_row))
    f = 1 / (diffs + eye) - eye
    dss = s_row * ds_mat
    sds = _T(s_row) * ds_mat
    zero = (s == 0).astype(s.aval.dtype)
    s_inv = 1 / (s + zero) - zero
    du_dv_diag = 0.5 * (ds_mat - _T(ds_mat)) * (eye * s_inv[..., None, :])
    du = jnp.matmul(u, f * (dss + _T(dss)) + du_dv_diag)
    dv = jnp.matmul(v, f * (sds + _T(sds)))
    if m > n:
        dav = jnp.matmul(da, v)
        du = du + (dav - jnp.matmul(u, jnp.matmul(ut, dav))) / s_row
    if n > m:
        dahu = jnp.matmul(_T(da), u)
        dv = dv + (dahu - jnp.matmul(v, jnp.matmul(vh, dahu))) / s_row
    return (u, s, vh), (du, ds, _T(dv))


# ------------------------------------------------------------- public functions


def _jitted(fun, static):
    """Eager calls compile the whole factorization once (as JAX's jit does),
    not op by op; under a trace it is inlined like any function."""
    from ..api import jit
    return jit(fun, static_argnames=static)


def qr(a, mode="reduced"):
    if mode not in ("reduced", "complete", "r", "raw"):
        raise ValueError(f"Unsupported QR decomposition mode '{mode}'")
    x = _matrix(a, "jnp.linalg.qr")
    return _qr_modes(x, mode)


def _qr_modes_impl(x, mode):
    jnp = _jnp()
    if mode == "raw":
        m, n = x.aval.shape[-2:]
        k = builtins.min(m, n)
        if k == 0:
            return _T(x), jnp.zeros(x.aval.shape[:-2] + (0,), x.aval.dtype)
        r, vs, taus = _householder(x)
        below = jnp.tril(vs, -1)
        if n > k:
            below = jnp.concatenate([below, jnp.zeros(below.aval.shape[:-1] + (n - k,),
                                                      below.aval.dtype)], axis=-1)
        return _T(jnp.triu(r) + below), taus
    q, r = _qr(x, mode == "complete")
    return r if mode == "r" else QRResult(q, r)


def eigh(a, UPLO=None, symmetrize_input=True):
    if UPLO not in (None, "L", "U"):
        raise ValueError(f"UPLO must be one of None, 'L', or 'U', got {UPLO}")
    x = _matrix(a, "jnp.linalg.eigh", square=True)
    w, v = _eigh_public(x, UPLO != "U", bool(symmetrize_input))
    return EighResult(w, v)


def _eigh_public_impl(x, lower, symmetrize_input):
    if symmetrize_input:
        x = (x + _T(x)) / 2
    return _eigh(x, lower)


def eigvalsh(a, UPLO="L", *, symmetrize_input=True):
    return eigh(a, UPLO, symmetrize_input=symmetrize_input).eigenvalues


def svd(a, full_matrices=True, compute_uv=True, hermitian=False, subset_by_index=None):
    if subset_by_index is not None:
        raise NotImplementedError("jnp.linalg.svd: subset_by_index (TPU-only in JAX) is not "
                                  "implemented")
    x = _matrix(a, "jnp.linalg.svd")
    out = _svd_public(x, bool(full_matrices), bool(compute_uv), bool(hermitian))
    return SVDResult(*out) if compute_uv else out


def _svd_public_impl(x, full_matrices, compute_uv, hermitian):
    jnp = _jnp()
    if hermitian:
        w, v = _eigh_public_impl(x, True, True)
        s, (vt, sign) = _sorted_rows(jnp.abs(w), [_T(v), jnp.sign(w)[..., None]],
                                     descending=True)
        if not compute_uv:
            return s
        u = _T(vt)
        return u, s, vt * sign
    return _svd(x, full_matrices, compute_uv)


def svdvals(x, /):
    return svd(x, compute_uv=False)


def pinv(a, rtol=None, hermitian=False, *, rcond=None):
    if rcond is not None:
        if rtol is not None:
            raise ValueError("pinv: only one of rtol and rcond may be specified.")
        rtol = rcond
    x = _matrix(a, "jnp.linalg.pinv")
    return _pinv_public(x, rtol, bool(hermitian))


@functools.partial(custom_jvp, nondiff_argnums=(1, 2))
def _pinv(x, rtol, hermitian):
    jnp = _jnp()
    m, n = x.aval.shape[-2:]
    if m == 0 or n == 0:
        return jnp.zeros(x.aval.shape[:-2] + (n, m), x.aval.dtype)
    if rtol is None:
        rtol = 10.0 * builtins.max(m, n) * _eps(x)
    u, s, vh = _svd_public_impl(x, False, True, hermitian)
    rtol = jnp.asarray(rtol, dtype=x.aval.dtype)
    cutoff = rtol[..., None] * s[..., 0:1]
    s = jnp.where(s > cutoff, s, np.inf)
    return jnp.matmul(_T(vh), _T(u) / s[..., :, None])


@_pinv.defjvp
def _pinv_jvp(rtol, hermitian, primals, tangents):
    """JAX's rule: the derivative of the pseudo-inverse at fixed rank."""
    jnp = _jnp()
    mm = jnp.matmul
    (a,), (da,) = primals, tangents
    p = _pinv(a, rtol, hermitian)
    if hermitian:
        a, da = (a + _T(a)) / 2, (da + _T(da)) / 2
    m, n = a.aval.shape[-2:]
    if m >= n:
        s = mm(mm(p, _T(p)), _T(da))
        t = mm(mm(_T(da), _T(p)), p)
        dp = -mm(mm(p, da), p) + s - mm(mm(s, a), p) + t - mm(mm(p, a), t)
    else:
        s = mm(p, mm(_T(p), _T(da)))
        t = mm(_T(da), mm(_T(p), p))
        dp = -mm(p, mm(da, p)) + s - mm(s, mm(a, p)) + t - mm(p, mm(a, t))
    return p, dp


def lstsq(a, b, rcond=None, *, numpy_resid=False):
    x, y = _inexact(a, "jnp.linalg.lstsq"), _inexact(b, "jnp.linalg.lstsq")
    x, y = _promote_pair(x, y)
    if x.aval.ndim != 2:
        raise TypeError(f"{x.aval.ndim}-dimensional array given. Array must be two-dimensional")
    if y.aval.ndim not in (1, 2):
        raise TypeError(f"{y.aval.ndim}-dimensional array given. Array must be one or "
                        "two-dimensional")
    if x.aval.shape[0] != y.aval.shape[0]:
        raise ValueError("Leading dimensions of input arrays must match")
    return _lstsq_public(x, y, rcond, bool(numpy_resid))


def _promote_pair(x, y):
    from ._core import promote
    return promote(x, y, op="lstsq")


def _lstsq_impl(x, y, rcond, numpy_resid):
    jnp = _jnp()
    vec = y.aval.ndim == 1
    if vec:
        y = y[:, None]
    m, n = x.aval.shape
    eps = _eps(x)
    if rcond is None:
        rcond = eps * builtins.max(m, n)
    else:
        rcond = jnp.where(jnp.asarray(rcond) < 0, eps, rcond)
    if m == 0 or n == 0:
        sol = jnp.zeros((n,) + y.aval.shape[1:], x.aval.dtype)
        resid = jnp.sum((y - jnp.matmul(x, sol)) ** 2, axis=0)
        return (sol[:, 0] if vec else sol), resid, jnp.zeros((), "int32"), \
            jnp.zeros((0,), x.aval.dtype)
    u, s, vt = _svd_public_impl(x, False, True, False)
    mask = (s > 0) & (s >= jnp.asarray(rcond, x.aval.dtype) * s[0])
    rank = jnp.sum(mask).astype("int32")
    safe = jnp.where(mask, s, 1)
    s_inv = jnp.where(mask, 1 / safe, 0)[:, None]
    sol = jnp.matmul(_T(vt), s_inv * jnp.matmul(_T(u), y))
    if numpy_resid:
        raise NotImplementedError("jnp.linalg.lstsq: numpy_resid=True (its residual shape "
                                  "depends on the computed rank) is not implemented")
    resid = jnp.sum((y - jnp.matmul(x, sol)) ** 2, axis=0)
    if vec:
        sol = sol[:, 0]
    return sol, resid, rank, s


def matrix_rank(M, rtol=None, *, hermitian=False, tol=None):
    jnp = _jnp()
    if tol is not None:
        if rtol is not None:
            raise ValueError("matrix_rank: only one of tol or rtol may be specified.")
        rtol = tol
    x = _inexact(M, "jnp.linalg.matrix_rank")
    if x.aval.ndim < 2:
        return jnp.any(x != 0).astype("int32")
    s = svd(x, full_matrices=False, compute_uv=False, hermitian=hermitian)
    if rtol is None:
        rtol = jnp.max(s, axis=-1) * (builtins.max(x.aval.shape[-2:]) * _eps(x))
    rtol = jnp.expand_dims(jnp.asarray(rtol), -1)
    return jnp.sum(s > rtol, axis=-1).astype("int32")


# jax.scipy.linalg


def scipy_qr(a, overwrite_a=False, lwork=None, mode="full", pivoting=False, check_finite=True):
    if pivoting:
        raise NotImplementedError("jax.scipy.linalg.qr: pivoting=True is not implemented")
    if mode not in ("full", "r", "economic"):
        raise ValueError(f"Unsupported QR decomposition mode '{mode}'")
    x = _matrix(a, "jax.scipy.linalg.qr")
    out = _qr_modes(x, "reduced" if mode == "economic" else "complete")
    return (out.R,) if mode == "r" else tuple(out)


def scipy_eigh(a, b=None, lower=True, eigvals_only=False, overwrite_a=False,
               overwrite_b=False, turbo=True, eigvals=None, type=1, check_finite=True):
    if b is not None:
        raise NotImplementedError("Only the b=None case of eigh is implemented")
    if type != 1:
        raise NotImplementedError("Only the type=1 case of eigh is implemented.")
    if eigvals is not None:
        raise NotImplementedError("Only the eigvals=None case of eigh is implemented.")
    x = _matrix(a, "jax.scipy.linalg.eigh", square=True)
    w, v = _eigh_public(x, bool(lower), True)
    return w if eigvals_only else (w, v)


def scipy_svd(a, full_matrices=True, compute_uv=True, overwrite_a=False, check_finite=True,
              lapack_driver="gesdd"):
    x = _matrix(a, "jax.scipy.linalg.svd")
    return _svd_public(x, bool(full_matrices), bool(compute_uv), False)


def polar(a, side="right", *, method="qdwh", eps=None, max_iterations=None):
    """The unitary and positive factors from the SVD (for method='qdwh' too:
    the same factors, without QDWH's iteration)."""
    if side not in ("right", "left"):
        raise ValueError("The argument `side` must be either 'right' or 'left'.")
    if method not in ("qdwh", "svd"):
        raise ValueError(f"Unknown polar decomposition method {method}.")
    x = _matrix(a, "jax.scipy.linalg.polar")
    m, n = x.aval.shape[-2:]
    if method == "qdwh" and not ((m >= n and side == "right") or (m < n and side == "left")):
        raise NotImplementedError("method='qdwh' only supports mxn matrices where m < n where "
                                  f"side='right' and m >= n side='left', got {x.aval.shape} "
                                  f"with side={side!r}")
    return _polar(x, side)


def _polar_impl(x, side):
    jnp = _jnp()
    u, s, vh = _svd(x, False, True)
    unitary = jnp.matmul(u, vh)
    if side == "right":
        return unitary, jnp.matmul(_T(vh) * s[..., None, :], vh)
    return unitary, jnp.matmul(u * s[..., None, :], _T(u))


_qr_modes = _jitted(_qr_modes_impl, ("mode",))
_eigh_public = _jitted(_eigh_public_impl, ("lower", "symmetrize_input"))
_svd_public = _jitted(_svd_public_impl, ("full_matrices", "compute_uv", "hermitian"))
_pinv_public = _jitted(_pinv, ("hermitian",))
_lstsq_public = _jitted(_lstsq_impl, ("numpy_resid",))
_polar = _jitted(_polar_impl, ("side",))
