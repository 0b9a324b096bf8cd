"""irax.nn: activations and friends, built from irax.numpy."""
from __future__ import annotations

import numpy as np

from . import lax
from . import numpy as jnp
from .custom_derivatives import custom_jvp
from .numpy._core import promote_and_broadcast
from .numpy._ufuncs import _to_float


@custom_jvp
def relu(x):
    """max(x, 0), with derivative 0 at 0, as in JAX (https://dl.acm.org/doi/10.5555/3540261.3540297)."""
    return jnp.maximum(x, 0)


relu.defjvps(lambda g, ans, x: lax.select(lax.gt(x, 0), g, jnp.zeros_like(g)))


@custom_jvp
def relu6(x):
    """min(max(x, 0), 6), with derivative 0 at 0 and at 6, as in JAX."""
    return jnp.minimum(jnp.maximum(x, 0), 6.0)


relu6.defjvps(lambda g, ans, x: lax.select(lax.bitwise_and(lax.gt(x, 0), lax.lt(x, 6)), g,
                                           jnp.zeros_like(g)))


def hard_sigmoid(x):
    return relu6(x + 3.0) / 6.0


def hard_silu(x):
    x = jnp.asarray(x)
    return x * hard_sigmoid(x)


hard_swish = hard_silu


def hard_tanh(x):
    """-1 below -1, 1 above 1, x between (derivative 1 at the ends, as in JAX)."""
    x = jnp.asarray(x)
    return jnp.where(x > 1, 1, jnp.where(x < -1, -1, x))


def sigmoid(x):
    return lax.logistic(_to_float(x))


def log_sigmoid(x):
    x = _to_float(x)
    return -softplus(-x)


def softplus(x):
    x = _to_float(x)
    return jnp.logaddexp(x, 0.0)


def tanh(x):
    return jnp.tanh(x)


def silu(x):
    x = _to_float(x)
    return x * sigmoid(x)


swish = silu


def gelu(x, approximate=True):
    x = _to_float(x)
    # Python floats are weak: bfloat16/float16 inputs keep their dtype, as in JAX
    if approximate:
        c = float(np.sqrt(2 / np.pi))
        return 0.5 * x * (1 + jnp.tanh(c * (x + 0.044715 * (x * x * x))))
    return 0.5 * x * (1 + lax.erf(x / float(np.sqrt(2))))


def elu(x, alpha=1.0):
    """x above 0, alpha * expm1(x) at and below (derivative alpha at 0, as in JAX)."""
    x = _to_float(x)
    return jnp.where(x > 0, x, alpha * jnp.expm1(jnp.where(x > 0, 0.0, x)))


def selu(x):
    alpha, scale = 1.6732632423543772, 1.0507009873554805
    return scale * elu(x, alpha)


def celu(x, alpha=1.0):
    x = _to_float(x)
    return jnp.maximum(x, 0.0) + alpha * jnp.expm1(jnp.minimum(x, 0.0) / alpha)


def leaky_relu(x, negative_slope=0.01):
    x = _to_float(x)
    return jnp.where(x >= 0, x, negative_slope * x)


def logsumexp(a, axis=None, b=None, keepdims=False, return_sign=False):
    """log(sum(b * exp(a))), shifted by the max; with return_sign, (log|sum|, sign(sum)),
    else NaN where a weighted sum is negative, as in JAX."""
    x = _to_float(a)
    if b is not None:
        x, b = promote_and_broadcast(x, b, op="logsumexp")
        x = jnp.where(b != 0, x, -jnp.inf)  # zero weights drop out, even beside an infinite a
    # initial=-inf: an empty sum is 0, its log -inf (as in JAX), not a max-of-empty error
    m = lax.stop_gradient(jnp.max(x, axis=axis, keepdims=True, initial=-jnp.inf))
    m = jnp.where(jnp.isfinite(m), m, 0.0)
    e = jnp.exp(x - m)
    if b is not None:
        e = e * b
    s = jnp.sum(e, axis=axis, keepdims=True)
    sign = jnp.sign(s)
    out = jnp.log(jnp.abs(s)) + m
    if not keepdims:
        axes = tuple(range(x.ndim)) if axis is None else axis
        out, sign = jnp.squeeze(out, axis=axes), jnp.squeeze(sign, axis=axes)
    if return_sign:
        return out, sign
    return out if b is None else jnp.where(sign < 0, jnp.nan, out)


def _max_shift(x, axis):
    """The max subtracted for stability; it cancels out, so no gradient flows
    through it (as in JAX), which keeps the backward pass small."""
    # initial=-inf: over an empty axis there is nothing to shift (as in JAX), not an error
    return lax.stop_gradient(jnp.max(x, axis=axis, keepdims=True, initial=-jnp.inf))


def softmax(x, axis=-1):
    x = _to_float(x)
    unnormalized = jnp.exp(x - _max_shift(x, axis))
    return unnormalized / jnp.sum(unnormalized, axis=axis, keepdims=True)


def log_softmax(x, axis=-1):
    x = _to_float(x)
    shifted = x - _max_shift(x, axis)
    return shifted - jnp.log(jnp.sum(jnp.exp(shifted), axis=axis, keepdims=True))


def one_hot(x, num_classes, dtype=None, axis=-1):
    x = jnp.asarray(x)
    dtype = dtype or jnp.float32
    classes = lax.iota("int32", num_classes)
    out_ndim = x.ndim + 1
    axis = axis % out_ndim
    xb = jnp.expand_dims(x, axis)
    shape = [1] * out_ndim
    shape[axis] = num_classes
    return (xb == jnp.reshape(classes, shape)).astype(dtype)


def normalize(x, axis=-1, mean=None, variance=None, epsilon=1e-5):
    mean = jnp.mean(x, axis=axis, keepdims=True) if mean is None else mean
    variance = jnp.var(x, axis=axis, keepdims=True) if variance is None else variance
    return (x - mean) * lax.rsqrt(variance + epsilon)


standardize = normalize
from . import initializers  # noqa: E402,F401  (irax.nn.initializers)
