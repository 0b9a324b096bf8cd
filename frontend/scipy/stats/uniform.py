"""The uniform distribution on [loc, loc + scale] (jax.scipy.stats.uniform)."""
from ... import numpy as jnp
from ._common import exp_of, promote


def logpdf(x, loc=0, scale=1):
    x, loc, scale = promote("uniform.logpdf", x, loc, scale)
    outside = (x > loc + scale) | (x < loc)
    return jnp.where(outside, -jnp.inf, -jnp.log(scale))


def cdf(x, loc=0, scale=1):
    x, loc, scale = promote("uniform.cdf", x, loc, scale)
    inside = (x >= loc) & (x <= loc + scale)
    return jnp.where(x < loc, 0.0, jnp.where(x > loc + scale, 1.0,
                                             jnp.where(inside, (x - loc) / scale, 0.0)))


def ppf(q, loc=0, scale=1):
    q, loc, scale = promote("uniform.ppf", q, loc, scale)
    return jnp.where(jnp.isnan(q) | (q < 0) | (q > 1), jnp.nan, loc + scale * q)


pdf = exp_of(logpdf, "pdf")
