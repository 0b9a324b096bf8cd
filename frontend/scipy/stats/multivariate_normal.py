"""The multivariate normal distribution (jax.scipy.stats.multivariate_normal)."""
import math

from ... import numpy as jnp
from ...core import user_line
from ...numpy._core import promote as _promote
from ._common import exp_of


def logpdf(x, mean, cov, allow_singular=None):
    """log N(x; mean, cov); cov a scalar (isotropic) or an (n, n) matrix (by Cholesky)."""
    if allow_singular is not None:
        raise NotImplementedError("allow_singular argument of multivariate_normal.logpdf "
                                  "(as in JAX)")
    x, mean, cov = _promote(jnp.asarray(x), jnp.asarray(mean), jnp.asarray(cov),
                            op="multivariate_normal.logpdf")
    if not str(x.dtype).startswith(("float", "bfloat")):
        dt = jnp.zeros(()).dtype
        x, mean, cov = x.astype(dt), mean.astype(dt), cov.astype(dt)
    if not mean.shape:
        return -0.5 * jnp.square(x - mean) / cov - 0.5 * (math.log(2 * math.pi) + jnp.log(cov))
    n = mean.shape[-1]
    y = x - mean
    if not cov.shape:
        return (-0.5 * jnp.sum(y * y, axis=-1) / cov
                - n / 2 * (math.log(2 * math.pi) + jnp.log(cov)))
    if cov.ndim < 2 or cov.shape[-2:] != (n, n):
        raise ValueError(f"multivariate_normal.logpdf got incompatible shapes: x {x.shape}, "
                         f"mean {mean.shape}, cov {cov.shape} (at {user_line()})")
    from ...numpy._factorizations import cholesky, triangular_solve
    L = cholesky(cov)
    batch = jnp.broadcast_shapes(y.shape[:-1], cov.shape[:-2])
    y = jnp.broadcast_to(y, batch + (n,))
    L = jnp.broadcast_to(L, batch + (n, n))
    z = triangular_solve(L, y[..., None], left_side=True, lower=True)[..., 0]
    log_det = jnp.sum(jnp.log(jnp.diagonal(L, axis1=-2, axis2=-1)), axis=-1)
    return -0.5 * jnp.sum(z * z, axis=-1) - n / 2 * math.log(2 * math.pi) - log_det


pdf = exp_of(logpdf, "pdf")
