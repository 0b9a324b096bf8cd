"""The chi-squared distribution (jax.scipy.stats.chi2)."""
import math

from ... import lax
from ... import numpy as jnp
from ._common import exp_of, log_of, promote


def logpdf(x, df, loc=0, scale=1):
    x, df, loc, scale = promote("chi2.logpdf", x, df, loc, scale)
    y = (x - loc) / scale
    half = df / 2.0
    kernel = (half - 1.0) * jnp.log(y) - y / 2.0
    const = -(lax.lgamma(half) + math.log(2.0) * df / 2.0)
    return jnp.where(x < loc, -jnp.inf, (const - jnp.log(scale)) + kernel)


def _y(x, loc, scale):
    return jnp.clip((x - loc) / (scale * 2.0), 0.0, jnp.inf)


def cdf(x, df, loc=0, scale=1):
    x, df, loc, scale = promote("chi2.cdf", x, df, loc, scale)
    return lax.igamma(df / 2.0, _y(x, loc, scale))


def sf(x, df, loc=0, scale=1):
    x, df, loc, scale = promote("chi2.sf", x, df, loc, scale)
    return lax.igammac(df / 2.0, _y(x, loc, scale))


pdf = exp_of(logpdf, "pdf")
logcdf = log_of(cdf, "logcdf")
logsf = log_of(sf, "logsf")
