"""The beta-binomial distribution (jax.scipy.stats.betabinom)."""
from ... import numpy as jnp
from .. import special
from ._common import exp_of, promote


def logpmf(k, n, a, b, loc=0):
    k, n, a, b, loc = promote("betabinom.logpmf", k, n, a, b, loc)
    y = jnp.floor(k) - loc
    combiln = -(jnp.log1p(n) + special.betaln(n - y + 1.0, y + 1.0))
    out = combiln + (special.betaln(y + a, n - y + b) - special.betaln(a, b))
    out = jnp.where((y == 0) & (n == 0), 0.0, out)
    out = jnp.where((y < -loc) | (y > n) | (y + a <= 0), -jnp.inf, out)
    return jnp.where((n < 0) | (a <= 0) | (b <= 0), jnp.nan, out)


pmf = exp_of(logpmf, "pmf")
