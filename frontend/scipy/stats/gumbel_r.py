"""The right-skewed Gumbel distribution (jax.scipy.stats.gumbel_r)."""
from ... import numpy as jnp
from ... import nn
from ._common import exp_of, promote


def logpdf(x, loc=0, scale=1):
    x, loc, scale = promote("gumbel_r.logpdf", x, loc, scale)
    z = (x - loc) / scale
    return jnp.where(scale > 0, -jnp.log(scale) - (z + jnp.exp(-z)), jnp.nan)


def logcdf(x, loc=0, scale=1):
    x, loc, scale = promote("gumbel_r.logcdf", x, loc, scale)
    return jnp.where(scale > 0, -jnp.exp(-((x - loc) / scale)), jnp.nan)


def ppf(p, loc=0, scale=1):
    p, loc, scale = promote("gumbel_r.ppf", p, loc, scale)
    return jnp.where((p > 0) & (p < 1), loc - scale * jnp.log(-jnp.log(p)), jnp.nan)


def sf(x, loc=0, scale=1):
    x, loc, scale = promote("gumbel_r.sf", x, loc, scale)
    return jnp.where(scale > 0, 1.0 - jnp.exp(-jnp.exp((loc - x) / scale)), jnp.nan)


def logsf(x, loc=0, scale=1):
    x, loc, scale = promote("gumbel_r.logsf", x, loc, scale)
    return jnp.where(scale > 0, nn.log1mexp(jnp.exp((loc - x) / scale)), jnp.nan)


pdf = exp_of(logpdf, "pdf")
cdf = exp_of(logcdf, "cdf")
