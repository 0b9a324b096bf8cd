"""The generalized normal distribution (jax.scipy.stats.gennorm)."""
from ... import lax
from ... import numpy as jnp
from ._common import exp_of, promote


def logpdf(x, beta):
    x, beta = promote("gennorm.logpdf", x, beta)
    return jnp.log(0.5 * beta) - lax.lgamma(1.0 / beta) - jnp.abs(x) ** beta


def cdf(x, beta):
    x, beta = promote("gennorm.cdf", x, beta)
    return 0.5 * (1.0 + jnp.sign(x) * lax.igamma(1.0 / beta, jnp.abs(x) ** beta))


pdf = exp_of(logpdf, "pdf")
