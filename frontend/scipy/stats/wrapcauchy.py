"""The wrapped Cauchy distribution (jax.scipy.stats.wrapcauchy)."""
import math

from ... import numpy as jnp
from ._common import exp_of, promote


def logpdf(x, c):
    x, c = promote("wrapcauchy.logpdf", x, c)
    out = jnp.log(1.0 - c * c) - math.log(2 * math.pi) \
        - jnp.log(1.0 + c * c - 2.0 * c * jnp.cos(x))
    out = jnp.where((x >= 0) & (x <= 2 * math.pi), out, -jnp.inf)
    return jnp.where((c > 0) & (c < 1), out, jnp.nan)


pdf = exp_of(logpdf, "pdf")
