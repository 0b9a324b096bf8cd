"""The von Mises distribution (jax.scipy.stats.vonmises)."""
import math

from ... import lax
from ... import numpy as jnp
from ._common import exp_of, promote


def logpdf(x, kappa):
    x, kappa = promote("vonmises.logpdf", x, kappa)
    out = kappa * (jnp.cos(x) - 1.0) - jnp.log((2 * math.pi) * lax.bessel_i0e(kappa))
    return jnp.where(kappa > 0, out, jnp.nan)


pdf = exp_of(logpdf, "pdf")
