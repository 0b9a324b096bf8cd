"""The geometric distribution on 1, 2, ... (jax.scipy.stats.geom)."""
from ... import numpy as jnp
from .. import special
from ._common import exp_of, promote


def logpmf(k, p, loc=0):
    k, p, loc = promote("geom.logpmf", k, p, loc)
    x = k - loc
    return jnp.where(x <= 0, -jnp.inf, special.xlog1py(x - 1.0, -p) + jnp.log(p))


pmf = exp_of(logpmf, "pmf")
