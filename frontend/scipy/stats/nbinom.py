"""The negative binomial distribution (jax.scipy.stats.nbinom)."""
from ... import lax
from ... import numpy as jnp
from .. import special
from ._common import exp_of, promote


def logpmf(k, n, p, loc=0):
    k, n, p, loc = promote("nbinom.logpmf", k, n, p, loc)
    y = k - loc
    comb = (lax.lgamma(y + n) - lax.lgamma(n)) - lax.lgamma(y + 1.0)
    lin = special.xlogy(n, p) + special.xlogy(y, 1.0 - p)
    return jnp.where(k < loc, -jnp.inf, comb + lin)


pmf = exp_of(logpmf, "pmf")
