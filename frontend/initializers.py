"""irax.nn.initializers: JAX's parameter initializers, `init(key, shape, dtype)`.

`zeros` and `ones` are initializers; the others are factories returning one
(`glorot_normal()(key, (784, 128))`).  Variance scaling follows JAX's
definitions, scale factors computed in the target dtype as JAX does, so with
irax.random's JAX-compatible samplers the same key gives JAX's weights.
"""
from __future__ import annotations

import math

import numpy as np

from . import dtypes
from . import numpy as jnp
from . import random
from .core import user_line
from .numpy._creation import _dtype, _shape

__all__ = ["zeros", "ones", "constant", "uniform", "normal", "truncated_normal",
           "variance_scaling", "glorot_uniform", "glorot_normal", "xavier_uniform",
           "xavier_normal", "he_uniform", "he_normal", "kaiming_uniform", "kaiming_normal",
           "lecun_uniform", "lecun_normal"]

# Standard deviation of a unit normal truncated to (-2, 2): rescales it to unit variance.
_TRUNC_STD = 0.87962566103423978


def zeros(key, shape, dtype=None):
    return jnp.zeros(_shape(shape), _dtype(dtype))


def ones(key, shape, dtype=None):
    return jnp.ones(_shape(shape), _dtype(dtype))


def constant(value, dtype=None):
    def init(key, shape, dtype=dtype):
        return jnp.full(_shape(shape), value, _dtype(dtype))
    return init


def _scalar(x, dtype):
    return np.asarray(x, dtypes.np_dtype(dtype))


def uniform(scale=1e-2, dtype=None):
    """Uniform in [0, scale)."""
    def init(key, shape, dtype=dtype):
        dtype = _dtype(dtype)
        return random.uniform(key, _shape(shape), dtype) * _scalar(scale, dtype)
    return init


def normal(stddev=1e-2, dtype=None):
    def init(key, shape, dtype=dtype):
        dtype = _dtype(dtype)
        return random.normal(key, _shape(shape), dtype) * _scalar(stddev, dtype)
    return init


def truncated_normal(stddev=1e-2, dtype=None, lower=-2.0, upper=2.0):
    """stddev times a unit normal truncated to (lower, upper) (not rescaled)."""
    def init(key, shape, dtype=dtype):
        dtype = _dtype(dtype)
        return random.truncated_normal(key, lower, upper, _shape(shape), dtype) * \
            _scalar(stddev, dtype)
    return init


def _fans(shape, in_axis, out_axis, batch_axis):
    if isinstance(in_axis, int) and in_axis == -2 and len(shape) <= 1:
        raise ValueError(f"variance_scaling: cannot compute fan-in of a {len(shape)}-d shape "
                         f"{shape} with the default in_axis=-2; pass in_axis (at {user_line()})")

    def size(axes):
        return shape[axes] if isinstance(axes, int) else math.prod(shape[i] for i in axes)
    in_size, out_size, batch_size = size(in_axis), size(out_axis), size(batch_axis)
    receptive = math.prod(shape) / in_size / out_size / batch_size
    return in_size * receptive, out_size * receptive


def variance_scaling(scale, mode, distribution, in_axis=-2, out_axis=-1, batch_axis=(),
                     dtype=None):
    """Samples with variance scale / fan, fan by `mode`, of a `distribution`."""
    if mode not in ("fan_in", "fan_out", "fan_avg", "fan_geo_avg"):
        raise ValueError(f"variance_scaling: invalid mode {mode!r}")
    if distribution not in ("truncated_normal", "normal", "uniform"):
        raise ValueError(f"variance_scaling: invalid distribution {distribution!r}")

    def init(key, shape, dtype=dtype):
        shape, dtype = _shape(shape), _dtype(dtype)
        fan_in, fan_out = _fans(shape, in_axis, out_axis, batch_axis)
        denominator = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2,
                       "fan_geo_avg": (fan_in * fan_out) ** 0.5}[mode]
        variance = _scalar(scale / denominator, dtype)
        if distribution == "truncated_normal":
            stddev = np.sqrt(variance) / _scalar(_TRUNC_STD, dtype)
            return random.truncated_normal(key, -2.0, 2.0, shape, dtype) * stddev
        if distribution == "normal":
            return random.normal(key, shape, dtype) * np.sqrt(variance)
        return random.uniform(key, shape, dtype, -1.0, 1.0) * np.sqrt(_scalar(3, dtype) * variance)
    return init


def _family(scale, mode, distribution, doc):
    def factory(in_axis=-2, out_axis=-1, batch_axis=(), dtype=None):
        return variance_scaling(scale, mode, distribution, in_axis, out_axis, batch_axis, dtype)
    factory.__doc__ = doc
    return factory


glorot_uniform = _family(1.0, "fan_avg", "uniform", "Glorot/Xavier uniform: var 2/(in+out).")
glorot_normal = _family(1.0, "fan_avg", "truncated_normal",
                        "Glorot/Xavier truncated normal: var 2/(in+out).")
lecun_uniform = _family(1.0, "fan_in", "uniform", "LeCun uniform: var 1/in.")
lecun_normal = _family(1.0, "fan_in", "truncated_normal", "LeCun truncated normal: var 1/in.")
he_uniform = _family(2.0, "fan_in", "uniform", "He/Kaiming uniform: var 2/in.")
he_normal = _family(2.0, "fan_in", "truncated_normal", "He/Kaiming truncated normal: var 2/in.")
xavier_uniform, xavier_normal = glorot_uniform, glorot_normal
kaiming_uniform, kaiming_normal = he_uniform, he_normal
