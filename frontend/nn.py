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


# ---------------------------------------------------------------- more of jax.nn

def identity(x):
    return jnp.asarray(x)


def glu(x, axis=-1):
    """Gated linear unit: the first half of `axis` times the sigmoid of the second."""
    x = jnp.asarray(x)
    if x.shape[axis] % 2:
        raise ValueError(f"glu: axis size must be divisible by 2, got shape {x.shape} and "
                         f"axis {axis}")
    a, b = jnp.split(x, 2, axis)
    return a * sigmoid(b)


@custom_jvp
def log1mexp(x):
    """log(1 - exp(-x)), by expm1 below log 2 and log1p above (Maechler's split)."""
    x = _to_float(x)
    return jnp.where(x < np.log(2.0), jnp.log(-jnp.expm1(-x)), jnp.log1p(-jnp.exp(-x)))


log1mexp.defjvps(lambda g, ans, x: g / jnp.expm1(x))


def logmeanexp(x, axis=None, where=None, keepdims=False):
    """log(mean(exp(x))) over `axis`, counting only where `where` is true."""
    x = _to_float(x)
    if where is not None:
        x = jnp.where(where, x, -jnp.inf)
    lse = logsumexp(x, axis=axis, keepdims=keepdims)
    ones = jnp.ones(x.shape, lse.dtype) if where is None else \
        jnp.broadcast_to(jnp.asarray(where), x.shape).astype(lse.dtype)
    return lse - jnp.log(jnp.sum(ones, axis=axis, keepdims=keepdims))


def mish(x):
    x = _to_float(x)
    return x * jnp.tanh(softplus(x))


def soft_sign(x):
    x = jnp.asarray(x)
    return x / (jnp.abs(x) + 1)


def sparse_plus(x):
    x = jnp.asarray(x)
    return jnp.where(x <= -1.0, 0.0, jnp.where(x >= 1.0, x, (x + 1.0) ** 2 / 4))


def sparse_sigmoid(x):
    return 0.5 * jnp.clip(jnp.asarray(x) + 1.0, 0.0, 2.0)


def squareplus(x, b=4):
    x = jnp.asarray(x)
    return (x + jnp.sqrt(jnp.square(x) + b)) / 2


def _to_4d(t):
    t = jnp.asarray(t)
    return jnp.reshape(t, (1,) * (4 - t.ndim) + t.shape) if t.ndim < 4 else t


def _check(t, shape, dtype, name):
    if t is None:
        return
    if t.ndim != len(shape):
        raise ValueError(f"dot_product_attention: {name} ndim should be {len(shape)}, but got "
                         f"{t.ndim}")
    if dtype is not None and t.dtype != dtype:
        raise ValueError(f"dot_product_attention: {name} dtype should be {dtype}, but got "
                         f"{t.dtype}")
    for want, got in zip(shape, t.shape):
        if want != -1 and want != got:
            raise ValueError(f"dot_product_attention: {name} shape should be {shape}: but got "
                             f"{t.shape}")


def dot_product_attention(query, key, value, bias=None, mask=None, *, scale=None,
                          is_causal=False, query_seq_lengths=None, key_value_seq_lengths=None,
                          local_window_size=None, implementation=None, return_residual=False):
    """softmax(scale * q k^T + bias, masked) v over (batch, seq, heads, head_dim) arrays,
    with grouped key/value heads; JAX's implementation='xla' semantics."""
    if implementation not in (None, "xla"):
        raise ValueError(f"Unsupported implementation option: {implementation}"
                         if implementation != "cudnn" else
                         "dot_product_attention: implementation='cudnn' needs a CUDA GPU with "
                         "cuDNN; irax computes the 'xla' form")
    out_shape = jnp.asarray(query).shape
    q, k, v = _to_4d(query), _to_4d(key), _to_4d(value)
    bias = _to_4d(bias) if bias is not None else None
    mask = _to_4d(mask) if mask is not None else None
    qlen = jnp.asarray(query_seq_lengths) if query_seq_lengths is not None else None
    kvlen = jnp.asarray(key_value_seq_lengths) if key_value_seq_lengths is not None else None
    if isinstance(local_window_size, int):
        local_window_size = (local_window_size, local_window_size)
    B, S, K, H = k.shape
    _check(v, [B, S, K, H], k.dtype, "value")
    _check(q, [B, -1, -1, H], k.dtype, "query")
    _check(mask, [-1] * 4, np.dtype(bool), "mask")
    _check(bias, [-1] * 4, None, "bias")
    _check(qlen, [B], np.dtype("int32"), "query_seq_lengths")
    _check(kvlen, [B], np.dtype("int32"), "key_value_seq_lengths")
    T, N = q.shape[1], q.shape[2]
    if N % K:
        raise ValueError(f"The number of query heads must be a multiple of key/value heads, "
                         f"but got {N} vs {K}")
    G = N // K
    scale = float(1.0 / np.sqrt(H)) if scale is None else scale
    logits_dtype = jnp.result_type(q.dtype, jnp.float32)
    qg = jnp.reshape(q, (B, T, K, G, H))
    logits = jnp.einsum("BTKGH,BSKH->BKGTS", qg, k, preferred_element_type=logits_dtype)
    logits = logits * jnp.asarray(scale, logits.dtype)

    def grouped(t):  # (b, n, t, s) -> (B, K, G, T, S)
        t = jnp.broadcast_to(t, (B, N, T, S)) if t.shape[1] != 1 else \
            jnp.broadcast_to(t, (B, 1, T, S))
        return jnp.reshape(t, (B, K, G, T, S)) if t.shape[1] == N else t[:, :, None]

    if bias is not None:
        logits = (logits + grouped(bias)).astype(logits.dtype)
    keep = None
    if mask is not None:
        keep = grouped(mask)
    qi = jnp.arange(T)[:, None]
    ki = jnp.arange(S)[None, :]
    extra = []
    if is_causal:
        extra.append(qi >= ki)
    if local_window_size is not None:
        left, right = local_window_size
        extra.append((qi <= ki + left) & (qi >= ki - right))
    for m in extra:
        keep = m if keep is None else keep & m
    if qlen is not None or kvlen is not None:
        pad = jnp.ones((B, T, S), bool)
        if qlen is not None:
            pad = pad & (jnp.arange(T)[None, :, None] < qlen[:, None, None])
        if kvlen is not None:
            pad = pad & (jnp.arange(S)[None, None, :] < kvlen[:, None, None])
        pad = pad[:, None, None]
        keep = pad if keep is None else keep & pad
    if keep is not None:
        big = -0.7 * float(min(np.finfo(np.dtype(str(logits.dtype))).max,
                               np.finfo(np.float32).max))
        logits = jnp.where(keep, logits, jnp.asarray(big, logits.dtype))
    logits = logits.astype(jnp.float32)
    probs = softmax(logits, axis=-1).astype(k.dtype)
    out = jnp.einsum("BKGTS,BSKH->BTKGH", probs, v)
    out = jnp.reshape(out, (B, T, N, H))
    if qlen is not None:
        out = out * (jnp.arange(T)[None, :] < qlen[:, None])[:, :, None, None].astype(out.dtype)
    out = jnp.reshape(out, out_shape)
    if return_residual:
        lse = logsumexp(logits, axis=-1).astype(k.dtype)  # (B, K, G, T)
        lse = jnp.reshape(jnp.transpose(lse, (0, 3, 1, 2)), out_shape[:-1])
        return out, lax.stop_gradient(lse)
    return out
