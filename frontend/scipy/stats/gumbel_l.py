"""The left-skewed Gumbel distribution (jax.scipy.stats.gumbel_l)."""
from ... import numpy as jnp
from ._common import exp_of, promote


def logpdf(x, loc=0, scale=1):
    x, loc, scale = promote("gumbel_l.logpdf", x, loc, scale)
    z = (x - loc) / scale
    return jnp.where(scale > 0, -jnp.log(scale) + (z - jnp.exp(z)), jnp.nan)


def logcdf(x, loc=0, scale=1):
    x, loc, scale = promote("gumbel_l.logcdf", x, loc, scale)
    z = (x - loc) / scale
    return jnp.where(scale > 0, jnp.log(-jnp.expm1(-jnp.exp(z))), jnp.nan)


def logsf(x, loc=0, scale=1):
    x, loc, scale = promote("gumbel_l.logsf", x, loc, scale)
    return jnp.where(scale > 0, -jnp.exp((x - loc) / scale), jnp.nan)


def ppf(p, loc=0, scale=1):
    p, loc, scale = promote("gumbel_l.ppf", p, loc, scale)
    return jnp.where((p > 0) & (p < 1), loc + scale * jnp.log(-jnp.log1p(-p)), jnp.nan)


pdf = exp_of(logpdf, "pdf")
cdf = exp_of(logcdf, "cdf")
sf = exp_of(logsf, "sf")
