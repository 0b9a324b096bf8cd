"""QR, eigh, SVD and what is built on them (pinv, lstsq, matrix_rank, polar)
against NumPy's LAPACK and JAX: reconstruction, orthogonality and values on
well-conditioned, ill-conditioned, rank-deficient and degenerate matrices,
batched; gradients of gauge-invariant losses against JAX's.  Each test
compiles one program over a batch of cases (a factorization is a loop nest,
and compiling it is what costs)."""
import os

import jax
import jax.numpy as jjnp
import numpy as np
import pytest

import irax
import irax.numpy as jnp
from irax.numpy import linalg as la
from irax.scipy import linalg as sla

slow = pytest.mark.skipif(not os.environ.get("IRAX_SLOW_TESTS"), reason="opt-in sweep")
EPS = np.finfo(np.float32).eps


def _orth(rng, n):
    return np.linalg.qr(rng.standard_normal((n, n)))[0]


def _general(rng, m, n):
    """Well-conditioned, ill-conditioned (cond 1e5) and rank-2 matrices."""
    k = min(m, n)
    ill = _orth(rng, m)[:, :k] @ np.diag(np.logspace(0, -5, k)) @ _orth(rng, n)[:k]
    low = rng.standard_normal((m, 2)) @ rng.standard_normal((2, n))
    return np.stack([rng.standard_normal((m, n)), ill, low]).astype(np.float32)


def _symmetric(rng, n):
    """Random, with repeated eigenvalues, and ill-conditioned (cond 1e6, mixed signs)."""
    a = rng.standard_normal((n, n))
    q = _orth(rng, n)
    deg = q @ np.diag(np.repeat([1.0, -2.0, 3.0], n)[:n]) @ q.T
    ill = q @ np.diag(np.logspace(0, -6, n) * np.resize([1, -1], n)) @ q.T
    return np.stack([a + a.T, deg, ill]).astype(np.float32)


def _eye_err(q):
    q = np.asarray(q, np.float64)
    return np.abs(np.swapaxes(q, -1, -2) @ q - np.eye(q.shape[-1])).max()


def _scale(a):
    return np.abs(a).max(axis=(-2, -1), keepdims=True)


def _check_qr(q, r, a, mode):
    """LAPACK's sign conventions: the well-conditioned factors equal NumPy's."""
    nq, nr = np.linalg.qr(a[0], mode=mode)
    np.testing.assert_allclose(np.asarray(q)[0], nq, atol=2e-5 * a.shape[-1])
    np.testing.assert_allclose(np.asarray(r)[0], nr, atol=2e-5 * a.shape[-1] * _scale(a).max())
    assert _eye_err(q) < 20 * EPS * a.shape[-1]
    assert np.abs(np.tril(np.asarray(r), -1)).max() == 0
    err = np.abs(np.asarray(q, np.float64) @ r - a).max()
    assert err < 20 * EPS * a.shape[-1] * _scale(a).max()


def _check_svd(u, s, vh, a, full):
    k = min(a.shape[-2:])
    np.testing.assert_allclose(s, np.linalg.svd(a.astype(np.float64), compute_uv=False),
                               atol=30 * EPS * k * _scale(a).max())
    assert _eye_err(u) < 50 * EPS and _eye_err(np.swapaxes(vh, -1, -2)) < 50 * EPS
    if full:   # the completed null-space columns are orthonormal too
        assert np.asarray(u).shape[-1] == a.shape[-2] and np.asarray(vh).shape[-2] == a.shape[-1]
    rec = (np.asarray(u, np.float64)[..., :k] * np.asarray(s)[..., None, :]) \
        @ np.asarray(vh)[..., :k, :]
    assert np.abs(rec - a).max() < 50 * EPS * _scale(a).max()


def _check_eigh(w, v, sym):
    n = sym.shape[-1]
    np.testing.assert_allclose(w, np.linalg.eigvalsh(sym.astype(np.float64)),
                               atol=20 * EPS * n * _scale(sym).max())
    assert _eye_err(v) < 50 * EPS
    res = np.asarray(sym, np.float64) @ v - np.asarray(v) * np.asarray(w)[..., None, :]
    assert np.abs(res).max() < 50 * EPS * n * _scale(sym).max()


def test_qr_eigh_svd_accuracy(rng):
    """Batched over well-/ill-conditioned, rank-deficient and degenerate cases
    (odd n for eigh: the padded Jacobi ordering)."""
    tall, sym = _general(rng, 6, 4), _symmetric(rng, 5)
    q, r = la.qr(tall)
    assert np.asarray(q).shape == (3, 6, 4) and np.asarray(r).shape == (3, 4, 4)
    _check_qr(q, r, tall, "reduced")
    w, v = la.eigh(sym)
    _check_eigh(w, v, sym)
    u, s, vh = la.svd(tall)
    _check_svd(u, s, vh, tall, full=True)


@slow
def test_modes_accuracy(rng):
    tall = _general(rng, 6, 4)
    wide = np.swapaxes(tall, -1, -2)
    qc, rc = la.qr(wide, mode="complete")
    assert np.asarray(qc).shape == (3, 4, 4) and np.asarray(rc).shape == (3, 4, 6)
    _check_qr(qc, rc, wide, "complete")
    qc, rc = la.qr(tall, mode="complete")
    _check_qr(qc, rc, tall, "complete")
    _check_svd(*la.svd(wide, full_matrices=False), wide, full=False)
    _check_svd(*la.svd(wide), wide, full=True)
    sym = _symmetric(rng, 6)
    _check_eigh(*la.eigh(sym), sym)


def _losses(np_, L):
    """Losses invariant to the sign (and, for repeated values, the basis) of
    singular/eigen vectors, so JAX's and irax's gradients must agree."""
    def loss(a, sym):
        q, r = L.qr(a)
        w, v = L.eigh(sym)
        u, s, vh = L.svd(a, full_matrices=False)
        out = np_.sum(np_.sin(q) * r[0][None, :]) + np_.sum(r ** 2 * 0.1)
        out = out + np_.sum(w * np_.arange(4.0)) + np_.sum((v * v[0:1]) ** 2 * np_.arange(4.0))
        out = out + np_.sum(np_.cos(s)) + np_.sum(((u * np_.sqrt(s)) @ vh) ** 2)
        return out
    return loss


def test_grad_matches_jax(rng):
    a = rng.standard_normal((5, 3)).astype(np.float32)
    sym = rng.standard_normal((4, 4)).astype(np.float32)
    got = irax.jit(irax.grad(_losses(jnp, la), argnums=(0, 1)))(a, sym)
    want = jax.grad(_losses(jjnp, jjnp.linalg), argnums=(0, 1))(a, sym)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=2e-4, atol=2e-4 * np.abs(w).max())


def test_lstsq_rank(rng):
    tall = _general(rng, 5, 3)
    b = rng.standard_normal((5,)).astype(np.float32)

    def f(tall, b):
        return la.lstsq(tall[0], b), la.matrix_rank(tall)
    (x, resid, rank, sv), ranks = irax.jit(f)(tall, b)
    jx, jres, jrank, jsv = jjnp.linalg.lstsq(tall[0], b)
    np.testing.assert_allclose(x, jx, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(resid, jres, rtol=1e-4, atol=1e-5)
    assert np.asarray(rank).dtype == np.int32 and int(rank) == int(jrank)
    np.testing.assert_allclose(sv, jsv, rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(ranks, [3, 3, 2])


@slow
def test_derived_functions(rng):
    """Hermitian pinv, matrix_rank(tol=), polar, eigvalsh, raw QR, vmap and the
    jax.scipy.linalg spellings, in one program, against NumPy/JAX."""
    tall = _general(rng, 5, 3)
    sym = _symmetric(rng, 4)

    def f(tall, sym):
        return dict(pinv=la.pinv(tall), svdvals=la.svdvals(tall),
                    pinv_h=la.pinv(sym, hermitian=True),
                    rank_tol=la.matrix_rank(tall, tol=0.5),
                    eigvalsh=la.eigvalsh(sym, UPLO="U", symmetrize_input=False),
                    raw=la.qr(tall[0], mode="raw"), polar=sla.polar(tall[0], method="svd"),
                    polar_left=sla.polar(sym[0], side="left", method="svd"),
                    sqr=sla.qr(tall[0], mode="economic"), sqr_r=sla.qr(tall[0], mode="r"),
                    seigh=sla.eigh(sym[0], lower=False, eigvals_only=True),
                    vmapped=irax.vmap(la.svdvals)(tall))
    got = irax.jit(f)(tall, sym)
    jp = np.asarray(jjnp.linalg.pinv(tall))
    for i, tol in ((0, 1e-5), (1, 1e-2), (2, 1e-4)):       # the cond-1e5 case is cond^2-sensitive
        assert np.abs(np.asarray(got["pinv"])[i] - jp[i]).max() < tol * np.abs(jp[i]).max()
    np.testing.assert_allclose(got["pinv_h"], jjnp.linalg.pinv(sym, hermitian=True),
                               rtol=1e-4, atol=1e-4 * 1e6)
    np.testing.assert_array_equal(got["rank_tol"], jjnp.linalg.matrix_rank(tall, tol=0.5))
    sv_np = np.linalg.svd(tall.astype(np.float64), compute_uv=False)
    np.testing.assert_allclose(got["vmapped"], sv_np, atol=1e-5)
    np.testing.assert_allclose(got["svdvals"], sv_np, atol=1e-5)
    np.testing.assert_allclose(got["eigvalsh"], jjnp.linalg.eigvalsh(sym, UPLO="U",
                                                                     symmetrize_input=False),
                               atol=5e-5)
    h, tau = got["raw"]
    jh, jtau = jjnp.linalg.qr(tall[0], mode="raw")
    np.testing.assert_allclose(h, jh, atol=1e-5)
    np.testing.assert_allclose(tau, jtau, atol=1e-5)
    for (gu, gp), side, a in ((got["polar"], "right", tall[0]),
                              (got["polar_left"], "left", sym[0])):
        ju, jp = jax.scipy.linalg.polar(a, side=side, method="svd")
        np.testing.assert_allclose(gu, ju, atol=1e-4)
        np.testing.assert_allclose(gp, jp, atol=1e-4)
    jq, jr = jax.scipy.linalg.qr(tall[0], mode="economic")
    np.testing.assert_allclose(got["sqr"][0], jq, atol=1e-5)
    np.testing.assert_allclose(got["sqr"][1], jr, atol=1e-5)
    assert len(got["sqr_r"]) == 1 and np.asarray(got["sqr_r"][0]).shape == (5, 3)
    np.testing.assert_allclose(got["seigh"], jax.scipy.linalg.eigh(sym[0], lower=False,
                                                                   eigvals_only=True), atol=5e-5)


def test_errors():
    with pytest.raises(ValueError, match="Unsupported QR decomposition mode"):
        la.qr(np.ones((3, 3), np.float32), mode="full")
    with pytest.raises(ValueError, match="UPLO"):
        la.eigh(np.eye(3, dtype=np.float32), UPLO="X")
    with pytest.raises(ValueError, match="square"):
        la.eigh(np.ones((3, 4), np.float32))
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        la.svd(np.ones(3, np.float32))
    with pytest.raises(ValueError, match="only one of"):
        la.pinv(np.eye(2, dtype=np.float32), rtol=0.1, rcond=0.1)
    with pytest.raises(ValueError, match="Leading dimensions"):
        la.lstsq(np.ones((3, 2), np.float32), np.ones(4, np.float32))
    with pytest.raises(NotImplementedError, match="b=None"):
        sla.eigh(np.eye(2, dtype=np.float32), np.eye(2, dtype=np.float32))


def test_empty_matrices():
    for shape in ((3, 0), (0, 3)):
        a = np.zeros(shape, np.float32)
        for f in (lambda L: L.qr(a), lambda L: L.svd(a),
                  lambda L: L.lstsq(a, np.ones(shape[0], np.float32))):
            got, want = f(la), f(jjnp.linalg)
            for g, w in zip(got if isinstance(got, tuple) else (got,),
                            want if isinstance(want, tuple) else (want,)):
                np.testing.assert_array_equal(g, w)
    w, v = la.eigh(np.zeros((0, 0), np.float32))
    assert np.asarray(w).shape == (0,) and np.asarray(v).shape == (0, 0)


@slow
def test_grad_more_matches_jax(rng):
    """Wide SVD, pinv, polar, hermitian SVD, symmetrize_input=False eigh and vmap of grad."""
    a = rng.standard_normal((3, 5)).astype(np.float32)
    sym = rng.standard_normal((4, 4)).astype(np.float32)

    def loss(np_, L, S):
        def f(a, sym):
            u, s, vh = L.svd(a, full_matrices=False)
            out = np_.sum((u @ vh) ** 3) + np_.sum(L.pinv(a) ** 2)
            out = out + np_.sum(L.svd(sym, compute_uv=False))
            out = out + np_.sum(S.polar(a.T, method="svd")[1] ** 2)
            w, v = L.eigh(sym, symmetrize_input=False)
            q, r = L.qr(a)
            out = out + np_.sum(w ** 3) + np_.sum((v @ v.T * sym))
            return out + np_.sum(r * np_.cos(q[0][:, None]))
        return f
    got = irax.jit(irax.grad(loss(jnp, la, sla), argnums=(0, 1)))(a, sym)
    want = jax.grad(loss(jjnp, jjnp.linalg, jax.scipy.linalg), argnums=(0, 1))(a, sym)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=2e-4, atol=2e-4 * np.abs(w).max())
    batch = np.stack([sym, sym.T + 1, 2 * sym])
    gv = irax.jit(irax.vmap(irax.grad(lambda s: jnp.sum(la.eigvalsh(s) ** 2))))(batch)
    gj = jax.vmap(jax.grad(lambda s: jjnp.sum(jjnp.linalg.eigvalsh(s) ** 2)))(batch)
    np.testing.assert_allclose(gv, gj, rtol=1e-4, atol=1e-4)


@slow
@pytest.mark.parametrize("n", [1, 2, 3, 16, 33])
def test_sizes_sweep(rng, n):
    a = _general(rng, n + 2, n)
    sym = _symmetric(rng, n)
    w, v = la.eigh(sym)
    np.testing.assert_allclose(w, np.linalg.eigvalsh(sym.astype(np.float64)), atol=50 * EPS * n)
    assert _eye_err(v) < 20 * n * EPS
    u, s, vh = la.svd(a)
    np.testing.assert_allclose(s, np.linalg.svd(a.astype(np.float64), compute_uv=False),
                               atol=50 * EPS * n * _scale(a).max())
    assert _eye_err(u) < 20 * n * EPS and _eye_err(vh) < 20 * n * EPS
    _check_qr(*la.qr(a), a, "reduced")
