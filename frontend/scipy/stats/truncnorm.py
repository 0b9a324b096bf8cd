"""The normal distribution truncated to [a, b] in standard units (jax.scipy.stats.truncnorm)."""
from ... import numpy as jnp
from .. import special
from . import norm
from ._common import exp_of, promote


def _log_diff(x, y):
    """log(exp(x) - exp(y))."""
    return special.logsumexp(jnp.stack([x, y]), b=jnp.stack([jnp.ones_like(x), -jnp.ones_like(y)]),
                             axis=0)


def _log_gauss_mass(a, b):
    """log(ndtr(b) - ndtr(a)), computed in the tail that keeps it accurate."""
    a, b = jnp.broadcast_arrays(a, b)
    left, right = b <= 0, a > 0
    a_tail = jnp.where(right, -b, a)
    b_tail = jnp.where(right, -a, b)
    tail = _log_diff(special.log_ndtr(b_tail), special.log_ndtr(a_tail))
    central = jnp.log1p(-special.ndtr(a) - special.ndtr(-b))
    return jnp.where(~(left | right), central, tail)


def logpdf(x, a, b, loc=0, scale=1):
    x, a, b, loc, scale = promote("truncnorm.logpdf", x, a, b, loc, scale)
    out = norm.logpdf(x, loc, scale) - _log_gauss_mass(a, b)
    z = (x - loc) / scale
    out = jnp.where((z < a) | (z > b), -jnp.inf, out)
    return jnp.where(a >= b, jnp.nan, out)


def logcdf(x, a, b, loc=0, scale=1):
    x, a, b, loc, scale = promote("truncnorm.logcdf", x, a, b, loc, scale)
    z = (x - loc) / scale
    mass = _log_gauss_mass(a, b)
    lcdf = _log_gauss_mass(a, z) - mass
    lsf = _log_gauss_mass(z, b) - mass
    out = jnp.where(z >= b, 0.0, jnp.where(z <= a, -jnp.inf, jnp.where(
        lcdf > -0.1, jnp.log1p(-jnp.exp(lsf)), jnp.where(z > a, lcdf, 0.0))))
    return jnp.where(a >= b, jnp.nan, out)


def logsf(x, a, b, loc=0, scale=1):
    x, a, b, loc, scale = promote("truncnorm.logsf", x, a, b, loc, scale)
    return logcdf(-x, -b, -a, -loc, scale)


pdf = exp_of(logpdf, "pdf")
cdf = exp_of(logcdf, "cdf")
sf = exp_of(logsf, "sf")
