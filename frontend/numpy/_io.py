"""NumPy's file and interchange functions, as jax.numpy wraps them."""
from __future__ import annotations

import numpy as np

from ._core import asarray

ComplexWarning = np.exceptions.ComplexWarning
save = np.save  # an irax array converts with np.asarray, as JAX's does
savez = np.savez


def load(file, *args, **kwargs):
    """np.load, with a loaded array returned as an irax array (an .npz stays a mapping)."""
    out = np.load(file, *args, **kwargs)
    return asarray(out) if isinstance(out, np.ndarray) else out


def from_dlpack(x, /, *, device=None, copy=None):
    """An irax array from an object implementing DLPack (a copy: irax owns its buffers)."""
    out = asarray(np.from_dlpack(x))
    if device is not None:
        from ..devices import device_put
        out = device_put(out, device)
    return out


def _impure(name):
    def f(*args, **kwargs):
        raise NotImplementedError(
            f"jnp.{name}() is not implemented because it may be non-pure and thus unsafe "
            f"for use with jit and other transformations (as in JAX). Consider "
            f"jnp.asarray(np.{name}(...)) instead.")
    f.__name__ = name
    return f


fromfile = _impure("fromfile")
fromiter = _impure("fromiter")
