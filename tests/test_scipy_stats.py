"""irax.scipy.stats against jax.scipy.stats, one jit per group of distributions."""
import os

import jax
import jax.scipy.stats as jst
import numpy as np
import pytest

import irax
import irax.scipy.stats as ist

F32 = np.float32


def _compare(cases, rtol=2e-5, atol=1e-5):  # atol: log densities near 0 cancel
    """cases: (distribution, function, args); all irax ones compiled in one jit."""
    def run(mod, g):
        return [getattr(getattr(mod, d), f)(*args) for d, f, args in cases]
    got = irax.jit(lambda: run(ist, None))()
    want = jax.jit(lambda: run(jst, None))()  # one XLA compile, not one per op
    for (d, f, _), gi, wi in zip(cases, got, want):
        gi, wi = np.asarray(gi), np.asarray(wi)
        assert gi.dtype == wi.dtype and gi.shape == wi.shape, (d, f, gi.dtype, wi.dtype)
        bad = ~np.isclose(gi, wi, rtol=rtol, atol=atol, equal_nan=True)
        assert not bad.any(), (d, f, np.flatnonzero(bad)[:4], gi[bad][:4], wi[bad][:4])


def _data(rng, n=40):
    x = np.concatenate([rng.uniform(-6, 6, n - 4), [0, -1, np.inf, np.nan]]).astype(F32)
    pos = (np.abs(rng.uniform(-6, 6, n)) + 0.5).astype(F32)
    u = rng.uniform(0.01, 0.99, n).astype(F32)
    return x, pos, u


def test_continuous_core(rng):
    x, pos, u = _data(rng)
    every = ["logpdf", "pdf", "cdf", "logcdf", "sf", "logsf"]
    cases = [("norm", f, (x, 0.5, 2.0)) for f in every]
    cases += [("norm", f, (u, 0.5, 2.0)) for f in ("ppf", "isf")]
    # finite x: at +-inf irax's 0.5 + atan(z)/pi is 1 ulp off 0 (JAX: exactly 0)
    cases += [("cauchy", f, (x[:-2], 0.2, 1.3)) for f in every]
    cases += [("t", "logpdf", (x, pos, 0.3, 1.5)), ("expon", "logpdf", (x, -1.0, 2.0)),
              ("gamma", "logpdf", (pos, pos[::-1])), ("beta", "logpdf", (u, pos, pos[::-1])),
              ("uniform", "cdf", (x, -1.0, 3.0)), ("laplace", "cdf", (x, 0.1, 2.0))]
    _compare(cases)


@pytest.mark.skipif(not os.environ.get("IRAX_SLOW_TESTS"), reason="opt-in: slow compiles")
def test_continuous_closed_form(rng):
    x, pos, u = _data(rng)
    every = ["logpdf", "pdf", "cdf", "logcdf", "sf", "logsf"]
    cases = [("norm", f, (x, 0.5, 2.0)) for f in every]
    cases += [("norm", f, (u, 0.5, 2.0)) for f in ("ppf", "isf")]
    cases += [("t", f, (x, pos, 0.3, 1.5)) for f in ("logpdf", "pdf")]
    cases += [("cauchy", f, (x[:-2], 0.2, 1.3)) for f in every]
    cases += [("cauchy", f, (u,)) for f in ("ppf", "isf")]
    cases += [("laplace", f, (x, 0.1, 2.0)) for f in ("logpdf", "pdf", "cdf")]
    cases += [("logistic", f, (x, 0.1, 2.0)) for f in ("logpdf", "pdf", "cdf", "sf")]
    cases += [("logistic", f, (u,)) for f in ("ppf", "isf")]
    cases += [("uniform", f, (x, -1.0, 3.0)) for f in ("logpdf", "pdf", "cdf")]
    cases += [("uniform", "ppf", (u, -1.0, 3.0)), ("expon", "ppf", (u,)),
              ("pareto", "ppf", (u, 1.5)), ("gumbel_r", "ppf", (u,)), ("gumbel_l", "ppf", (u,))]
    cases += [("expon", f, (x, -1.0, 2.0)) for f in every]
    cases += [("pareto", f, (pos, 1.5, 0.0, 0.8)) for f in every]
    cases += [("gumbel_r", f, (x, 0.2, 1.5)) for f in every]
    cases += [("gumbel_l", f, (x, 0.2, 1.5)) for f in every]
    cases += [("vonmises", f, (x, pos)) for f in ("logpdf", "pdf")]
    cases += [("wrapcauchy", f, (np.abs(x), u)) for f in ("logpdf", "pdf")]
    cases += [("gamma", f, (pos, pos[::-1])) for f in ("logpdf", "pdf")]
    cases += [("chi2", f, (pos, pos[::-1])) for f in ("logpdf", "pdf")]
    cases += [("beta", f, (u, pos, pos[::-1])) for f in ("logpdf", "pdf")]
    cases += [("gennorm", f, (x, pos)) for f in ("logpdf", "pdf")]
    cases += [("truncnorm", f, (x, -1.0, 2.5, 0.2, 1.1)) for f in every]
    _compare(cases)


def test_discrete_and_multivariate(rng):
    x, pos, u = _data(rng)
    k = np.round(pos)
    cases = [("poisson", f, (k, pos[::-1])) for f in ("logpmf", "pmf")]
    cases += [("bernoulli", f, (np.round(u), u[::-1])) for f in ("logpmf", "pmf", "cdf")]
    cases += [("bernoulli", "ppf", (u, u[::-1])), ("poisson", "entropy",
              (np.array([0, 0.5, 3, 9, 20, 60, 150], F32),))]
    cases += [("binom", f, (k, k + 3, u)) for f in ("logpmf", "pmf")]
    cases += [("geom", f, (k, u)) for f in ("logpmf", "pmf")]
    cases += [("nbinom", f, (k, pos, u)) for f in ("logpmf", "pmf")]
    cases += [("betabinom", f, (k, k + 3, pos, pos[::-1])) for f in ("logpmf", "pmf")]
    alpha = np.array([1.5, 2.0, 3.0], F32)
    xs = rng.dirichlet(alpha, 5).T.astype(F32)
    cases += [("dirichlet", "logpdf", (xs, alpha)), ("dirichlet", "pdf", (xs[:2], alpha))]
    cases += [("multinomial", "logpmf", (np.array([1, 2, 3]), 6, np.array([.2, .3, .5], F32)))]
    y = rng.standard_normal((4, 3)).astype(F32)
    cases += [("multivariate_normal", "logpdf", (y, np.zeros(3, F32), F32(2.0))),
              ("multivariate_normal", "logpdf", (y[:, 0], F32(0.5), F32(2.0)))]
    _compare(cases)


def test_multivariate_normal_full_covariance(rng):
    a = rng.standard_normal((3, 3)).astype(F32)
    cov = a @ a.T + np.eye(3, dtype=F32)
    y = rng.standard_normal((4, 3)).astype(F32)
    _compare([("multivariate_normal", "logpdf", (y, np.ones(3, F32), cov)),
              ("multivariate_normal", "pdf", (y, np.ones(3, F32), cov))])


def test_stats_gradients_match_jax(rng):
    x, pos, u = _data(rng)
    x = x[:-2]

    def grads(st, grad):
        return [grad(lambda m: st.norm.logpdf(x, m, 2.0).sum())(0.3),
                grad(lambda s: st.t.logpdf(x, 3.0, 0.0, s).sum())(1.5),
                grad(lambda m: st.norm.logcdf(x, m, 1.0).sum())(0.1),
                grad(lambda a: st.gamma.logpdf(pos, a).sum())(2.0)]
    got = irax.jit(lambda: grads(ist, irax.grad))()
    want = jax.jit(lambda: grads(jst, jax.grad))()
    np.testing.assert_allclose(np.array(got), np.array(want), rtol=1e-5)


def test_stats_errors():
    with pytest.raises(ValueError, match="one-dimensional"):
        ist.dirichlet.logpdf(np.ones((3, 2), F32) / 3, np.ones((3, 1), F32))
    with pytest.raises(ValueError, match="integer type"):
        ist.multinomial.logpmf(np.array([1.0, 2.0]), 3, np.array([0.5, 0.5]))
    with pytest.raises(ValueError, match="incompatible shapes"):
        ist.multivariate_normal.logpdf(np.ones(3, F32), np.zeros(3, F32), np.eye(2, dtype=F32))


@pytest.mark.skipif(not os.environ.get("IRAX_SLOW_TESTS"), reason="opt-in: slow compiles")
def test_incomplete_function_cdfs(rng):
    x, pos, u = _data(rng)
    cases = [("gamma", f, (pos, pos[::-1])) for f in ("cdf", "sf", "logcdf", "logsf")]
    cases += [("chi2", f, (pos, pos[::-1])) for f in ("cdf", "sf", "logcdf", "logsf")]
    cases += [("beta", f, (u, pos, pos[::-1])) for f in ("cdf", "sf", "logcdf", "logsf")]
    cases += [("poisson", "cdf", (np.round(pos), pos[::-1])), ("gennorm", "cdf", (x, pos))]
    _compare(cases)
