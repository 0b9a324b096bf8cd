"""The Poisson distribution (jax.scipy.stats.poisson)."""
import math

from ... import lax
from ... import numpy as jnp
from .. import special
from ._common import exp_of, promote


def logpmf(k, mu, loc=0):
    k, mu, loc = promote("poisson.logpmf", k, mu, loc)
    x = k - loc
    out = special.xlogy(x, mu) - lax.lgamma(x + 1.0) - mu
    return jnp.where((x < 0) | (jnp.round(k) != k), -jnp.inf, out)


def cdf(k, mu, loc=0):
    k, mu, loc = promote("poisson.cdf", k, mu, loc)
    x = k - loc
    return jnp.where(x < 0, 0.0, lax.igammac(jnp.floor(1.0 + x), mu))


pmf = exp_of(logpmf, "pmf")


def _entropy_by_sum(mu, max_k, upper):
    """-sum p log p over k < min(max_k, upper(mu))."""
    k = jnp.arange(max_k, dtype=mu.dtype)[:, None]
    p = pmf(k, mu, 0)
    p = jnp.where(k < jnp.ceil(upper(mu))[None, :], p, 0.0)
    return jnp.sum(special.entr(p), axis=0)


def entropy(mu, loc=0):
    mu, loc = promote("poisson.entropy", mu, loc)
    flat = jnp.ravel(mu)
    small = _entropy_by_sum(flat, 35, lambda m: m + 20)
    medium = _entropy_by_sum(flat, 250, lambda m: m + 10 * jnp.sqrt(m) + 20)
    large = 0.5 * jnp.log((2 * math.pi * math.e) * flat) - 1.0 / (12 * flat)
    out = jnp.where(flat == 0, 0.0, jnp.where(flat < 10, small,
                                              jnp.where(flat < 100, medium, large)))
    return jnp.reshape(out, mu.shape)
