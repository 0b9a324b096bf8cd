"""The multinomial distribution (jax.scipy.stats.multinomial)."""
from ... import lax
from ... import numpy as jnp
from ...core import user_line
from .. import special
from ._common import exp_of, promote


def logpmf(x, n, p):
    (p,) = promote("multinomial.logpmf", p)
    x, n = jnp.asarray(x), jnp.asarray(n)
    if not (str(x.dtype).startswith(("int", "uint")) and str(n.dtype).startswith(("int", "uint"))):
        raise ValueError(f"x and n must be of integer type; got x.dtype={x.dtype}, "
                         f"n.dtype={n.dtype} (at {user_line()})")
    x, n = x.astype(p.dtype), n.astype(p.dtype)
    out = lax.lgamma(n + 1.0) + jnp.sum(special.xlogy(x, p) - lax.lgamma(x + 1.0), axis=-1)
    return jnp.where(jnp.sum(x) == n, out, -jnp.inf)


pmf = exp_of(logpmf, "pmf")
