"""What the distribution modules share: JAX's argument promotion, and densities from logs."""
from ..special import _inexact as promote  # noqa: F401  (promote_args_inexact)
from ... import numpy as jnp


def exp_of(log_fn, name):
    """`name` = exp(log_fn(...)), e.g. pdf from logpdf."""
    def f(*args, **kwargs):
        return jnp.exp(log_fn(*args, **kwargs))
    f.__name__ = f.__qualname__ = name
    return f


def log_of(fn, name):
    def f(*args, **kwargs):
        return jnp.log(fn(*args, **kwargs))
    f.__name__ = f.__qualname__ = name
    return f
