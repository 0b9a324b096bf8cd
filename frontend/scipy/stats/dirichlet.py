"""The Dirichlet distribution (jax.scipy.stats.dirichlet); x's first axis is the simplex."""
from ... import lax
from ... import numpy as jnp
from ...core import user_line
from ...numpy._core import promote as _promote
from .. import special
from ._common import exp_of


def logpdf(x, alpha):
    x, alpha = _promote(jnp.asarray(x), jnp.asarray(alpha), op="dirichlet.logpdf")
    if not str(x.dtype).startswith(("float", "bfloat")):
        x, alpha = x.astype(jnp.zeros(()).dtype), alpha.astype(jnp.zeros(()).dtype)
    if alpha.ndim != 1:
        raise ValueError(f"`alpha` must be one-dimensional; got alpha.shape={alpha.shape} "
                         f"(at {user_line()})")
    if x.shape[0] not in (alpha.shape[0], alpha.shape[0] - 1):
        raise ValueError("`x` must have either the same number of entries as `alpha` or one "
                         f"entry fewer; got x.shape={x.shape}, alpha.shape={alpha.shape} "
                         f"(at {user_line()})")
    if x.shape[0] != alpha.shape[0]:
        x = jnp.concatenate([x, 1.0 - jnp.sum(x, axis=0, keepdims=True)], axis=0)
    norm = jnp.sum(lax.lgamma(alpha)) - lax.lgamma(jnp.sum(alpha))
    a = jnp.reshape(alpha, alpha.shape + (1,) * (x.ndim - 1))
    out = jnp.sum(special.xlogy(a - 1.0, x), axis=0) - norm
    simplex = jnp.all(x > 0, axis=0) & (jnp.abs(jnp.sum(x, axis=0) - 1.0) < 1e-6)
    return jnp.where(simplex, out, -jnp.inf)


pdf = exp_of(logpdf, "pdf")
