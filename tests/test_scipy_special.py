"""irax.lax special functions and irax.scipy.special against JAX, one jit per family."""
import os

import jax
import jax.numpy as jnp
import jax.scipy.special as jsp
import numpy as np
import pytest

import irax
import irax.numpy as inp
import irax.scipy.special as isp
from irax import lax

F32 = np.float32


def _check(got, want, rtol, atol, name):
    got, want = np.asarray(got), np.asarray(want)
    assert got.dtype == want.dtype and got.shape == want.shape, (name, got.dtype, want.dtype)
    bad = ~np.isclose(got, want, rtol=rtol, atol=atol, equal_nan=True)
    assert not bad.any(), (name, np.flatnonzero(bad)[:5], got[bad][:5], want[bad][:5])


def _points(rng):
    """Wide ranges: negative non-integers, poles, tiny and huge arguments, inf and nan."""
    return np.concatenate([
        rng.uniform(-15, 15, 120), np.logspace(-30, 30, 40), -np.logspace(-4, 1.5, 20) + 0.25,
        [-3, -2.5, -2, -1, -0.5, -0.0, 0, 0.5, 1, 1.5, 2, 3, 1e-38, 1e38, np.inf, -np.inf,
         np.nan]]).astype(F32)


UNARY = {"lgamma": 2e-6, "digamma": 2e-6, "erfc": 2e-6, "bessel_i0e": 2e-6, "bessel_i1e": 2e-6}


def test_lax_unary_special_functions_match_jax(rng):
    x = _points(rng)
    u = np.concatenate([rng.uniform(-1, 1, 100), 1 - np.logspace(-7, -1, 15),
                        -1 + np.logspace(-7, -1, 15), [-1, 1, 0, 1.5, np.nan]]).astype(F32)
    xb = np.asarray(x[:20], jnp.bfloat16)

    def f(x, u, xb):
        out = {n: getattr(lax, n)(x) for n in UNARY}
        out["erf_inv"] = lax.erf_inv(u)
        out["lgamma_bf16"] = lax.lgamma(xb)  # narrow floats compute in float32, as in XLA
        return out
    got = irax.jit(f)(x, u, xb)
    want = jax.jit(lambda x, u, xb: ({n: getattr(jax.lax, n)(x) for n in UNARY},
                                     jax.lax.erf_inv(u), jax.lax.lgamma(xb)))(x, u, xb)
    for n, rtol in UNARY.items():
        _check(got[n], want[0][n], rtol, 1e-6, n)
    _check(got["erf_inv"], want[1], 2e-6, 1e-7, "erf_inv")
    _check(got["lgamma_bf16"], want[2], 1e-2, 1e-2, "lgamma_bf16")


def test_lax_binary_special_functions_match_jax(rng):
    n = 60
    a = np.concatenate([rng.exponential(4, n) + 1e-3, [0, 1, 2, 0.5, np.inf, np.nan, -1]])
    x = np.concatenate([rng.exponential(4, n), [1, 0, 3, np.inf, 2, 1, 1]])
    b = np.concatenate([rng.exponential(4, n) + 1e-3, [1, 2, 0, 1, 3, 1, 1]])
    p = np.concatenate([rng.uniform(0, 1, n), [0, 1, 0.5, 0.5, 0.2, 0.3, 0.4]])
    m = np.concatenate([rng.integers(0, 5, n), [0, 1, 1.5, -1, 2, 3, 0]])
    q = np.concatenate([rng.uniform(-6, 10, n), [1, 0, -2, -2.5, 0.5, 1e-3, 1e3]])
    s = np.concatenate([rng.uniform(1, 12, n), [1, 2, 2, 3, 2.5, 4, 0.5]])
    a, x, b, p, m, q, s = (v.astype(F32) for v in (a, x, b, p, m, q, s))

    def f(a, x, b, p, m, q, s):
        return {"igamma": lax.igamma(a, x), "igammac": lax.igammac(a, x),
                "betainc": lax.betainc(a, b, p), "polygamma": lax.polygamma(m, q),
                "zeta": lax.zeta(s, q)}
    got = irax.jit(f)(a, x, b, p, m, q, s)
    want = lambda a, x, b, p, m, q, s: {"igamma": jax.lax.igamma(a, x), "igammac": jax.lax.igammac(a, x),
            "betainc": jax.lax.betainc(a, b, p), "polygamma": jax.lax.polygamma(m, q),
            "zeta": jax.lax.zeta(s, q)}
    want = jax.jit(want)(a, x, b, p, m, q, s)
    # the incomplete functions multiply by exp(a log x - x - lgamma(a)): a few ulp of
    # exp/log become ~1e-6 relative there, as between any two libms
    for k in want:
        _check(got[k], want[k], 1e-5, 1e-6, k)


def _grad_points(rng):
    x = np.concatenate([rng.uniform(0.1, 8, 16), -rng.uniform(0.1, 4, 6) - 0.5]).astype(F32)
    x = x[np.abs(x - np.round(x)) > 0.05]
    u = rng.uniform(-0.95, 0.95, x.size).astype(F32)
    p = rng.uniform(0.05, 0.95, x.size).astype(F32)
    return x, u, np.abs(x) + 0.2, p


def _elementwise_grads(fns, g, vmap, args):
    return {k: vmap(g(f))(args[k]) for k, f in fns.items()}


def test_lax_special_derivatives_match_jax_grad(rng):
    x, u, pos, p = _grad_points(rng)
    args = dict(lgamma=x, digamma=x, d2_lgamma=x, erf_inv=u, erfc=x, i0e=x, i1e=x,
                igamma_x=pos, betainc_x=p, zeta_q=pos, xlogy=pos, logit=p, log_ndtr=3 * x,
                entr=pos)

    def fns(lx, sp, g):
        return {"lgamma": lx.lgamma, "digamma": lx.digamma, "d2_lgamma": g(lx.lgamma),
                "erf_inv": lx.erf_inv, "erfc": lx.erfc, "i0e": lx.bessel_i0e,
                "i1e": lx.bessel_i1e, "igamma_x": lambda t: lx.igamma(1.7, t),
                "betainc_x": lambda t: lx.betainc(2.0, 3.5, t),
                "zeta_q": lambda t: sp.zeta(3.0, t), "xlogy": lambda t: sp.xlogy(t, 2.0 * t),
                "logit": sp.logit, "log_ndtr": sp.log_ndtr, "entr": sp.entr}
    got = irax.jit(lambda: _elementwise_grads(fns(lax, isp, irax.grad), irax.grad, irax.vmap,
                                              args))()
    want = _elementwise_grads(fns(jax.lax, jsp, jax.grad), jax.grad, jax.vmap, args)
    for k in want:
        _check(got[k], want[k], 2e-5, 2e-5, k)


@pytest.mark.skipif(not os.environ.get("IRAX_SLOW_TESTS"), reason="opt-in: slow compiles")
def test_loop_special_derivatives_match_jax_grad(rng):
    x, u, pos, p = _grad_points(rng)
    args = dict(igamma_a=pos, igammac_a=pos, polygamma=pos, zeta_x=pos + 1.2)

    def fns(lx, sp):
        return {"igamma_a": lambda a: lx.igamma(a, 2.5), "igammac_a": lambda a: lx.igammac(a, 0.8),
                "polygamma": lambda t: lx.polygamma(2.0, t), "zeta_x": lambda t: sp.zeta(t, 1.5)}
    got = irax.jit(lambda: _elementwise_grads(fns(lax, isp), irax.grad, irax.vmap, args))()
    want = _elementwise_grads(fns(jax.lax, jsp), jax.grad, jax.vmap, args)
    for k in want:
        _check(got[k], want[k], 2e-5, 2e-5, k)
    a, t = pos, pos[::-1]
    got = irax.jit(lambda a, t: (lax.random_gamma_grad(a, t), lax.igamma_grad_a(a, t)))(a, t)
    _check(got[0], jax.lax.random_gamma_grad(a, t), 1e-5, 1e-6, "random_gamma_grad")
    _check(got[1], jax.lax.igamma_grad_a(a, t), 1e-5, 1e-6, "igamma_grad_a")


def test_scipy_special_values_match_jax(rng):
    x = np.concatenate([rng.uniform(-10, 10, 60),
                        [0, -0.0, 1, 2, -1, -2.5, 30, np.inf, -np.inf, np.nan]]).astype(F32)
    y = rng.uniform(-2, 10, x.size).astype(F32)
    p = np.concatenate([rng.uniform(0, 1, x.size - 4), [0, 1, 1e-30, 1 - 1e-7]]).astype(F32)
    unary = ["gammaln", "gamma", "gammasgn", "loggamma", "digamma", "erf", "erfc", "i0", "i0e",
             "i1", "i1e", "expit", "ndtr", "log_ndtr", "entr", "factorial"]
    binary = ["xlogy", "xlog1py", "rel_entr", "kl_div", "beta", "betaln", "poch", "comb",
              "boxcox", "boxcox1p"]

    def f(sp, x, y, p):
        out = {n: getattr(sp, n)(x) for n in unary}
        out.update({n: getattr(sp, n)(x, y) for n in binary})
        out.update(logit=sp.logit(p), ndtri=sp.ndtri(p), erfinv=sp.erfinv(2 * p - 1),
                   multigammaln=sp.multigammaln(abs(y) + 2, 3),
                   logsumexp=sp.logsumexp(x[:60].reshape(6, 10), axis=1,
                                          where=x[:60].reshape(6, 10) < 5),
                   logsumexp_b=sp.logsumexp(x[:60].reshape(6, 10), axis=0,
                                            b=y[:60].reshape(6, 10), return_sign=True),
                   softmax=sp.softmax(x[:60].reshape(6, 10), axis=1),
                   log_softmax=sp.log_softmax(x[:60].reshape(6, 10)))
        return out
    got = irax.jit(lambda x, y, p: f(isp, x, y, p))(x, y, p)
    want = jax.jit(lambda x, y, p: f(jsp, x, y, p))(x, y, p)
    # functions that exponentiate lgamma or cancel (kl_div, poch) carry lgamma's few-ulp
    # error times the size of their logarithm
    loose = {"gamma", "factorial", "beta", "poch", "comb", "kl_div", "rel_entr", "boxcox",
             "boxcox1p"}
    for k in want:
        w = jax.tree_util.tree_leaves(want[k])
        g = jax.tree_util.tree_leaves(got[k])
        for gi, wi in zip(g, w):
            _check(gi, wi, 2e-5 if k in loose else 2e-6, 1e-6, k)


def test_bernoulli_numbers():
    np.testing.assert_allclose(np.asarray(isp.bernoulli(8)), np.asarray(jsp.bernoulli(8)),
                               rtol=1e-5, atol=1e-7)


def test_special_function_errors():
    with pytest.raises(TypeError, match="lgamma requires floating-point"):
        lax.lgamma(np.arange(3))
    with pytest.raises(TypeError, match="igamma requires floating-point operands of one dtype"):
        lax.igamma(np.ones(2, F32), np.ones(2, np.float16))
    with pytest.raises(ValueError, match="must be of integer type"):
        isp.polygamma(1.0, 2.0)
    with pytest.raises(NotImplementedError, match="Riemann"):
        isp.zeta(2.0)
    with pytest.raises(TypeError, match="not supported"):
        isp.ndtr(np.ones(2, np.float16))
    # integers promote to the default float, as in JAX
    assert irax.eval_shape(isp.gammaln, np.arange(3)).dtype == jnp.float32


@pytest.fixture
def x64():
    irax.config.update("jax_enable_x64", True)
    jax.config.update("jax_enable_x64", True)
    yield
    irax.config.update("jax_enable_x64", False)
    jax.config.update("jax_enable_x64", False)


def test_float64_special_functions_match_jax(x64, rng):
    x = np.concatenate([rng.uniform(-15, 15, 60), np.logspace(-200, 200, 20),
                        [-2.5, -1, 0, 0.5, 1, 2, np.inf, np.nan]])
    u = np.concatenate([rng.uniform(-1, 1, 60), 1 - np.logspace(-15, -1, 10), [-1, 1]])
    a, t = rng.exponential(4, 30) + 1e-3, rng.exponential(4, 30)

    def f(x, u, a, t):
        return {"lgamma": lax.lgamma(x), "digamma": lax.digamma(x), "erfc": lax.erfc(x),
                "bessel_i0e": lax.bessel_i0e(x), "bessel_i1e": lax.bessel_i1e(x),
                "erf_inv": lax.erf_inv(u)}
    if os.environ.get("IRAX_SLOW_TESTS"):  # the loops' float64 compiles are slow
        def f(x, u, a, t, f=f):
            return dict(f(x, u, a, t), igamma=lax.igamma(a, t),
                        betainc=lax.betainc(a, a[::-1], t / (1 + t)))
    got = irax.jit(f)(x, u, a, t)
    want = jax.jit(lambda x, u, a, t: {
            "lgamma": jax.lax.lgamma(x), "digamma": jax.lax.digamma(x), "erfc": jax.lax.erfc(x),
            "bessel_i0e": jax.lax.bessel_i0e(x), "bessel_i1e": jax.lax.bessel_i1e(x),
            "erf_inv": jax.lax.erf_inv(u), "igamma": jax.lax.igamma(a, t),
            "betainc": jax.lax.betainc(a, a[::-1], t / (1 + t))})(x, u, a, t)
    want = {k: v for k, v in want.items() if k in got}
    for k in want:
        _check(got[k], want[k], 1e-12, 1e-14, k)


@pytest.mark.skipif(not os.environ.get("IRAX_SLOW_TESTS"), reason="opt-in sweep")
def test_lgamma_digamma_dense_sweep(rng):
    x = np.concatenate([np.linspace(-40, 40, 20001), np.logspace(-35, 35, 2001)]).astype(F32)
    x = x[np.abs(x - np.round(x)) > 1e-3]
    got = irax.jit(lambda x: (lax.lgamma(x), lax.digamma(x), inp.exp(lax.lgamma(x))))(x)
    _check(got[0], jax.lax.lgamma(x), 5e-6, 5e-6, "lgamma")
    _check(got[1], jax.lax.digamma(x), 5e-6, 5e-6, "digamma")
