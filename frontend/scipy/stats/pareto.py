"""The Pareto distribution (jax.scipy.stats.pareto)."""
from ... import numpy as jnp
from ._common import exp_of, promote


def logpdf(x, b, loc=0, scale=1):
    x, b, loc, scale = promote("pareto.logpdf", x, b, loc, scale)
    z = (x - loc) / scale
    out = -(jnp.log(scale / b) + (b + 1.0) * jnp.log(z))
    return jnp.where(x < loc + scale, -jnp.inf, out)


def cdf(x, b, loc=0, scale=1):
    x, b, loc, scale = promote("pareto.cdf", x, b, loc, scale)
    z = (x - loc) / scale
    return jnp.where(x < loc + scale, 0.0, 1.0 - z ** -b)


def logcdf(x, b, loc=0, scale=1):
    x, b, loc, scale = promote("pareto.logcdf", x, b, loc, scale)
    z = (x - loc) / scale
    return jnp.where(x < loc + scale, -jnp.inf, jnp.log1p(-(z ** -b)))


def logsf(x, b, loc=0, scale=1):
    x, b, loc, scale = promote("pareto.logsf", x, b, loc, scale)
    z = (x - loc) / scale
    return jnp.where(x < loc + scale, 0.0, -(b * jnp.log(z)))


def ppf(q, b, loc=0, scale=1):
    q, b, loc, scale = promote("pareto.ppf", q, b, loc, scale)
    out = loc + scale * (1.0 - q) ** -(1.0 / b)
    return jnp.where(jnp.isnan(q) | (q < 0) | (q > 1), jnp.nan, out)


pdf = exp_of(logpdf, "pdf")
sf = exp_of(logsf, "sf")
