"""irax.random's distributions against jax.random: the same key, shape and parameters give
JAX's samples (bit for bit where irax does the same float32 arithmetic; the tolerance
of each other case is the rounding difference named next to it)."""
import os

import jax
import jax.numpy as jnp_jax
import jax.random as jr
import numpy as np
import pytest

import irax
import irax.numpy as jnp
import irax.random as ir

SLOW = pytest.mark.skipif(not os.environ.get("IRAX_SLOW_TESTS"), reason="opt-in sweep")
N = 400


def _ulp(got, want):
    g, w = np.asarray(got), np.asarray(want)
    return np.abs(g.view(np.int32).astype(np.int64) - w.view(np.int32))


def _same(name, got, want, max_ulp=0, atol=0.0):
    """`got` is JAX's `want`: equal integers, floats within `max_ulp` ulp (or `atol`)."""
    got, want = np.asarray(got), np.asarray(want)
    assert got.shape == want.shape and got.dtype == want.dtype, \
        (name, got.shape, got.dtype, want.shape, want.dtype)
    if want.dtype.kind != "f":
        np.testing.assert_array_equal(got, want, err_msg=name)
        return
    np.testing.assert_array_equal(np.isfinite(got), np.isfinite(want), err_msg=name)
    fin = np.isfinite(want)
    off = (_ulp(got, want) > max_ulp) & fin
    with np.errstate(invalid="ignore"):  # inf - inf where both are inf
        off &= np.abs(got - want) > atol
    assert not off.any(), (name, got[off][:5], want[off][:5], _ulp(got, want)[off].max())


def _run_both(cases, *args):
    """Each case (name, fn(random_module, key, *args)) under one irax jit and one JAX jit."""
    key = 7
    mine = irax.jit(lambda k, *a: [f(ir, k, *a) for _, f, *_ in cases])(ir.PRNGKey(key), *args)
    jaxs = jax.jit(lambda k, *a: [f(jr, k, *a) for _, f, *_ in cases])(jr.PRNGKey(key), *args)
    for (name, _, *tol), g, w in zip(cases, mine, jaxs):
        _same(name, g, w, *tol)


# exact: the same float32 steps (XLA's log/log1p polynomials, exp and sqrt agree).
# cauchy: tan is irax's own, 2 ulp from XLA's.  maxwell: the 3-term sum of squares is
# summed in another order.  weibull_min: pow, 1 ulp.  triangular and
# double_sided_maxwell: a multiply-add fused differently before a sum that cancels near
# 0 (absolute 1e-6).
SIMPLE = [
    ("laplace", lambda r, k, p: r.laplace(k, (N,))),
    ("logistic", lambda r, k, p: r.logistic(k, (N,))),
    ("rayleigh", lambda r, k, p: r.rayleigh(k, p[0] + 1, (N, 3))),
    ("wald", lambda r, k, p: r.wald(k, p[0] + 1, (N, 3))),
    ("triangular", lambda r, k, p: r.triangular(k, -1.0, p[0] - 0.5, 2.0, (N, 3)), 0, 1e-6),
    ("lognormal", lambda r, k, p: r.lognormal(k, p[0], (N, 3))),
    ("geometric", lambda r, k, p: r.geometric(k, p[0] / 2.5, (N, 3))),
    ("rademacher", lambda r, k, p: r.rademacher(k, (N,))),
    ("rademacher_f", lambda r, k, p: r.rademacher(k, (5,), dtype=jnp_jax.float32)),
    ("bits16", lambda r, k, p: r.bits(k, (N,), jnp_jax.uint16)),
    ("cauchy", lambda r, k, p: r.cauchy(k, (N,)), 2),
    ("maxwell", lambda r, k, p: r.maxwell(k, (N,)), 1),
    ("weibull_min", lambda r, k, p: r.weibull_min(k, 2.0, 1.5, (N,)), 1),
    ("pareto", lambda r, k, p: r.pareto(k, 3.0, (N,))),
    ("pareto_b", lambda r, k, p: r.pareto(k, p[0] + 1, (N, 3))),
    ("dsmaxwell", lambda r, k, p: r.double_sided_maxwell(k, 1.0, p[0] + 1, (4,)), 2, 1e-6),
]


def test_simple_samplers_are_jaxs():
    _run_both(SIMPLE, np.array([0.25, 1.0, 2.0], np.float32))


# gamma: XLA evaluates c = (1/3) / sqrt(d) as (1/3) * rsqrt(d), a hardware-seeded rsqrt
# 1-2 ulp from the quotient irax computes, and a < 1 boosts by pow (a few ulp): relative
# 1e-5.  Near 0 a log-gamma sample is a difference of two logs: absolute 1e-6.
ALPHAS = np.array([0.05, 0.3, 1.0, 2.5, 10.0], np.float32)
GAMMA_TOL = dict(rtol=1e-5, atol=1e-6)


def test_gamma_and_loggamma_follow_jaxs_rejection_loop_and_gradient():
    """Samples, and d sample / d a by implicit reparameterisation (lax.random_gamma_grad),
    in one program: the gradient's primal loop is the samples' loop."""
    def run(r, np_, k, a):
        k1, k2 = r.split(k)
        a = np_.broadcast_to(a, (N // 4, 5))
        grad = (jax.grad if r is jr else irax.grad)(lambda a: np_.sum(r.gamma(k1, a)))(a)
        return r.gamma(k1, a), r.loggamma(k2, a), grad
    mine = irax.jit(lambda k, a: run(ir, jnp, k, a))(ir.PRNGKey(3), ALPHAS)
    jaxs = jax.jit(lambda k, a: run(jr, jnp_jax, k, a))(jr.PRNGKey(3), ALPHAS)
    for g, w in zip(mine, jaxs):
        g, w = np.asarray(g), np.asarray(w)
        assert g.shape == w.shape == (N // 4, 5) and g.dtype == w.dtype == np.float32
        np.testing.assert_allclose(g, w, **GAMMA_TOL)
        assert (_ulp(g, w) == 0).mean() > 0.6  # most are bit for bit JAX's


def test_poisson_is_jaxs():
    """Both algorithms: Knuth's (lam < 10) and transformed rejection; lam = 0."""
    lam = np.array([0.0, 0.5, 3.0, 9.9, 10.0, 30.0, 1000.0], np.float32)
    got = irax.jit(lambda k, lam: ir.poisson(k, lam, (60, 7)))(ir.PRNGKey(1), lam)
    want = jax.jit(lambda k, lam: jr.poisson(k, lam, (60, 7)))(jr.PRNGKey(1), lam)
    _same("poisson", got, want)


def test_keys_utilities():
    key = ir.PRNGKey(5)
    assert ir.key_impl(key) == jr.key_impl(jr.PRNGKey(5)) == "threefry2x32"
    assert ir.key_impl(ir.split(key, 3)) == "threefry2x32"
    assert str(ir.key_dtype()) == str(jr.key_dtype()) == "key<fry>"
    np.testing.assert_array_equal(np.asarray(ir.clone(key)), np.asarray(key))
    with pytest.raises(TypeError, match="irax.random.key_impl: expected PRNG keys"):
        ir.key_impl(np.zeros(3, np.float32))
    with pytest.raises(NotImplementedError, match="rbg"):
        ir.key_dtype("rbg")


def test_uint64_bits_under_x64():
    irax.config.update("jax_enable_x64", True)
    jax.config.update("jax_enable_x64", True)
    try:
        got = np.asarray(ir.bits(ir.PRNGKey(3), (4, 5), "uint64"))
        want = np.asarray(jr.bits(jr.PRNGKey(3), (4, 5), jnp_jax.uint64))
    finally:
        irax.config.update("jax_enable_x64", False)
        jax.config.update("jax_enable_x64", False)
    assert got.dtype == want.dtype == np.uint64
    np.testing.assert_array_equal(got, want)


def test_bad_arguments_are_clear_errors():
    key = ir.PRNGKey(0)
    with pytest.raises(ValueError, match=r"irax.random.gamma: parameter shapes \[\(3,\)\] "
                                         r"must broadcast to the shape argument \(2,\)"):
        ir.gamma(key, np.ones(3, np.float32), (2,))
    with pytest.raises(ValueError, match="irax.random.dirichlet: alpha must have at least "
                                         "one dimension.*test_random_distributions.py"):
        ir.dirichlet(key, 1.0)
    with pytest.raises(ValueError, match="irax.random.poisson: dtype must be an integer"):
        ir.poisson(key, 1.0, dtype=np.float32)
    with pytest.raises(ValueError, match="irax.random.beta: dtype must be a float"):
        ir.beta(key, 1.0, 1.0, dtype=np.int32)
    with pytest.raises(ValueError, match="method must be one of"):
        ir.multivariate_normal(key, np.zeros(2), np.eye(2), method="qr")
    with pytest.raises(ValueError, match=r"cov must have shape \(\.\.\., 2, 2\)"):
        ir.multivariate_normal(key, np.zeros(2), np.eye(3))
    with pytest.raises(TypeError, match="PRNG key"):
        ir.cauchy(np.zeros(2, np.float32))


# ------------------------------------------------------------------ opt-in: compositions

@SLOW
def test_gamma_compositions_are_jaxs():
    """beta, dirichlet, chisquare, f, t, generalized_normal and ball split their keys and
    combine gamma samples as JAX's.  f: XLA divides by a constant as a product (2 ulp)."""
    cases = [
        ("beta", lambda r, k, a: r.beta(k, a, 2.0, (40, 5))),
        ("dirichlet", lambda r, k, a: r.dirichlet(k, a, (40,))),
        ("chisquare", lambda r, k, a: r.chisquare(k, a + 1, (40, 5))),
        ("f", lambda r, k, a: r.f(k, a + 1, 5.0, (5,))),  # JAX's f needs equal ranks
        ("t", lambda r, k, a: r.t(k, a + 0.5, (40, 5))),
        ("generalized_normal", lambda r, k, a: r.generalized_normal(k, 3.0, (40,))),
        ("ball", lambda r, k, a: r.ball(k, 3, 2, (40,))),
    ]
    mine = irax.jit(lambda k, a: [f(ir, k, a) for _, f in cases])(ir.PRNGKey(2), ALPHAS)
    jaxs = jax.jit(lambda k, a: [f(jr, k, a) for _, f in cases])(jr.PRNGKey(2), ALPHAS)
    for (name, _), g, w in zip(cases, mine, jaxs):
        g, w = np.asarray(g), np.asarray(w)
        assert g.shape == w.shape and g.dtype == w.dtype, name
        np.testing.assert_allclose(g, w, err_msg=name, **GAMMA_TOL)


@SLOW
def test_binomial_is_jaxs():
    """Inversion (n p <= 10) and BTRS, p > 1/2 mirrored, invalid n and p."""
    n = np.array([5.0, 20.0, 100.0, 1000.0, 0.0, -1.0, np.inf, 7.0], np.float32)
    p = np.array([0.3, 0.7, 0.5, 0.1, 0.5, 0.5, 0.5, np.nan], np.float32)
    got = irax.jit(lambda k, n, p: ir.binomial(k, n, p, (60, 8)))(ir.PRNGKey(1), n, p)
    want = jax.jit(lambda k, n, p: jr.binomial(k, n, p, (60, 8)))(jr.PRNGKey(1), n, p)
    _same("binomial", got, want)


@SLOW
def test_multinomial_and_vmapped_samplers_are_jaxs():
    p = np.array([0.2, 0.3, 0.5], np.float32)
    n = np.array([10.0, 100.0], np.float32)
    got = irax.jit(lambda k: ir.multinomial(k, n, p, shape=(30, 2, 3)))(ir.PRNGKey(0))
    want = jr.multinomial(jr.PRNGKey(0), n, p, shape=(30, 2, 3))
    _same("multinomial", got, want)
    keys, jkeys = ir.split(ir.PRNGKey(1), 3), jr.split(jr.PRNGKey(1), 3)
    batched = irax.jit(irax.vmap(lambda k: (ir.gamma(k, ALPHAS), ir.poisson(k, 3.0, (4,)))))
    want = jax.vmap(lambda k: (jr.gamma(k, ALPHAS), jr.poisson(k, 3.0, (4,))))(jkeys)
    g, w = batched(keys), want
    np.testing.assert_allclose(np.asarray(g[0]), np.asarray(w[0]), **GAMMA_TOL)
    _same("vmap poisson", g[1], w[1])


@SLOW
def test_matrix_samplers():
    """multivariate_normal by Cholesky and orthogonal (QR) are JAX's to rounding; by eigh
    or SVD the factor's column signs are the eigensolver's own, so only the law matches."""
    cov = np.array([[2.0, 0.5, 0.1], [0.5, 1.0, 0.2], [0.1, 0.2, 0.5]], np.float32)
    mean = np.array([1.0, -1.0, 0.0], np.float32)
    for n, m in ((3, None), (4, 2), (2, 4)):
        got = np.asarray(irax.jit(lambda k: ir.orthogonal(k, n, (5,), m=m))(ir.PRNGKey(0)))
        want = np.asarray(jr.orthogonal(jr.PRNGKey(0), n, (5,), m=m))
        assert got.shape == want.shape
        np.testing.assert_allclose(got, want, atol=1e-6)
    got = ir.multivariate_normal(ir.PRNGKey(4), mean, cov, (50,))
    want = jr.multivariate_normal(jr.PRNGKey(4), mean, cov, (50,))
    np.testing.assert_allclose(np.asarray(got), np.asarray(want), atol=2e-6)
    _check_law(ir.multivariate_normal(ir.PRNGKey(4), mean, cov, (20000,), method="eigh"),
               mean, cov)


def _check_law(x, mean, cov):
    x = np.asarray(x)
    np.testing.assert_allclose(x.mean(0), mean, atol=0.04)
    np.testing.assert_allclose(np.cov(x.T), cov, atol=0.06)


@SLOW
def test_multivariate_normal_by_svd():
    cov = np.array([[2.0, 0.5, 0.1], [0.5, 1.0, 0.2], [0.1, 0.2, 0.5]], np.float32)
    mean = np.array([1.0, -1.0, 0.0], np.float32)
    _check_law(ir.multivariate_normal(ir.PRNGKey(4), mean, cov, (20000,), method="svd"),
               mean, cov)
