"""The gamma distribution (jax.scipy.stats.gamma)."""
from ... import lax
from ... import numpy as jnp
from .. import special
from ._common import exp_of, log_of, promote


def logpdf(x, a, loc=0, scale=1):
    x, a, loc, scale = promote("gamma.logpdf", x, a, loc, scale)
    ok = x >= loc
    y = jnp.where(ok, (x - loc) / scale, 1.0)
    out = (special.xlogy(a - 1.0, y) - y) - (lax.lgamma(a) + jnp.log(scale))
    return jnp.where(ok, out, -jnp.inf)


def cdf(x, a, loc=0, scale=1):
    x, a, loc, scale = promote("gamma.cdf", x, a, loc, scale)
    return lax.igamma(a, jnp.clip((x - loc) / scale, 0.0, jnp.inf))


def sf(x, a, loc=0, scale=1):
    x, a, loc, scale = promote("gamma.sf", x, a, loc, scale)
    y = (x - loc) / scale
    return jnp.where(y < 0, 1.0, lax.igammac(a, y))


pdf = exp_of(logpdf, "pdf")
logcdf = log_of(cdf, "logcdf")
logsf = log_of(sf, "logsf")
