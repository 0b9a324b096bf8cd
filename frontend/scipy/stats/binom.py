"""The binomial distribution (jax.scipy.stats.binom)."""
from ... import lax
from ... import numpy as jnp
from .. import special
from ._common import exp_of, promote


def logpmf(k, n, p, loc=0):
    k, n, p, loc = promote("binom.logpmf", k, n, p, loc)
    y = k - loc
    comb = lax.lgamma(n + 1.0) - (lax.lgamma(y + 1.0) + lax.lgamma(n - y + 1.0))
    lin = special.xlogy(y, p) + special.xlog1py(n - y, -p)
    out = jnp.where(((y == 0) & (n == 0)) | (lin == 0), 0.0, comb + lin)
    return jnp.where((k >= loc) & (k < loc + n + 1), out, -jnp.inf)


pmf = exp_of(logpmf, "pmf")
