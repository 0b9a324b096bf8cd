"""The beta distribution (jax.scipy.stats.beta)."""
from ... import lax
from ... import numpy as jnp
from .. import special
from ._common import exp_of, log_of, promote


def logpdf(x, a, b, loc=0, scale=1):
    x, a, b, loc, scale = promote("beta.logpdf", x, a, b, loc, scale)
    y = (x - loc) / scale
    lin = special.xlogy(a - 1.0, y) + special.xlog1py(b - 1.0, -y)
    out = (-special.betaln(a, b) + lin) - jnp.log(scale)
    out = jnp.where((x > loc + scale) | (x < loc), -jnp.inf, out)
    return jnp.where((a <= 0) | (b <= 0) | (scale <= 0), jnp.nan, out)


def cdf(x, a, b, loc=0, scale=1):
    x, a, b, loc, scale = promote("beta.cdf", x, a, b, loc, scale)
    return lax.betainc(a, b, jnp.clip((x - loc) / scale, 0.0, 1.0))


def sf(x, a, b, loc=0, scale=1):
    x, a, b, loc, scale = promote("beta.sf", x, a, b, loc, scale)
    return lax.betainc(b, a, 1.0 - jnp.clip((x - loc) / scale, 0.0, 1.0))


pdf = exp_of(logpdf, "pdf")
logcdf = log_of(cdf, "logcdf")
logsf = log_of(sf, "logsf")
