"""Student's t distribution (jax.scipy.stats.t)."""
import math

from ... import lax
from ... import numpy as jnp
from ._common import exp_of, promote


def logpdf(x, df, loc=0, scale=1):
    x, df, loc, scale = promote("t.logpdf", x, df, loc, scale)
    z = (x - loc) / scale
    half_df = df / 2.0
    half_df1 = half_df + 0.5
    norm_term = (lax.lgamma(half_df) + jnp.log((scale * scale * math.pi) * df) / 2.0) \
        - lax.lgamma(half_df1)
    return -(norm_term + half_df1 * jnp.log1p(z * z / df))


pdf = exp_of(logpdf, "pdf")
