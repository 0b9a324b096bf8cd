"""The Bernoulli distribution (jax.scipy.stats.bernoulli)."""
from ... import numpy as jnp
from .. import special
from ._common import exp_of, promote


def logpmf(k, p, loc=0):
    k, p, loc = promote("bernoulli.logpmf", k, p, loc)
    x = k - loc
    out = special.xlogy(x, p) + special.xlog1py(1.0 - x, -p)
    return jnp.where((x < 0) | (x > 1), -jnp.inf, out)


def _bad_p(p):
    return jnp.isnan(p) | (p < 0) | (p > 1)


def cdf(k, p):
    k, p = promote("bernoulli.cdf", k, p)
    out = jnp.where(k < 0, 0.0, jnp.where(k < 1, 1.0 - p, 1.0))
    return jnp.where(jnp.isnan(k) | _bad_p(p), jnp.nan, out)


def ppf(q, p):
    q, p = promote("bernoulli.ppf", q, p)
    bad = jnp.isnan(q) | _bad_p(p) | (q < 0) | (q > 1)
    return jnp.where(bad, jnp.nan, jnp.where(q <= 1.0 - p, 0.0, 1.0))


pmf = exp_of(logpmf, "pmf")
