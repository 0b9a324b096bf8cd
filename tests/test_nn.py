"""irax.nn activations against NumPy/SciPy-free references."""
import math

import numpy as np
import pytest
from conftest import assert_close, rand

import irax
import irax.numpy as jnp
from irax import nn


def _np_refs(x):
    sig = 1 / (1 + np.exp(-x))
    erf = np.vectorize(math.erf)
    e = np.exp(x - x.max(-1, keepdims=True))
    lse = np.log(np.sum(np.exp(x), axis=-1, keepdims=True))
    return {
        "relu": np.maximum(x, 0), "sigmoid": sig, "tanh": np.tanh(x),
        "softmax": e / e.sum(-1, keepdims=True), "log_softmax": x - lse,
        "softmax0": np.exp(x) / np.exp(x).sum(0, keepdims=True),
        "logsumexp": lse[..., 0], "logsumexp_all": np.log(np.exp(x).sum()),
        "gelu_tanh": 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x ** 3))),
        "gelu_exact": 0.5 * x * (1 + erf(x / np.sqrt(2))),
        "silu": x * sig, "elu": np.where(x > 0, x, np.expm1(x)),
        "elu2": np.where(x > 0, x, 2.0 * np.expm1(x)),
        "selu": 1.0507009873554805 * np.where(x > 0, x, 1.6732632423543772 * np.expm1(x)),
        "softplus": np.log1p(np.exp(x)), "leaky_relu": np.where(x >= 0, x, 0.01 * x),
        "leaky_relu2": np.where(x >= 0, x, 0.2 * x), "relu6": np.clip(x, 0, 6),
        "log_sigmoid": -np.log1p(np.exp(-x)),
    }


def test_activations_against_numpy(rng):
    x = rand(rng, (3, 5), "float32", -8, 8)
    x[0, :3] = [0.0, 7.0, -7.0]

    def f(x):
        return {"relu": nn.relu(x), "sigmoid": nn.sigmoid(x), "tanh": nn.tanh(x),
                "softmax": nn.softmax(x), "log_softmax": nn.log_softmax(x),
                "softmax0": nn.softmax(x, axis=0), "logsumexp": nn.logsumexp(x, axis=-1),
                "logsumexp_all": nn.logsumexp(x), "gelu_tanh": nn.gelu(x),
                "gelu_exact": nn.gelu(x, approximate=False), "silu": nn.silu(x), "elu": nn.elu(x),
                "elu2": nn.elu(x, 2.0), "selu": nn.selu(x), "softplus": nn.softplus(x),
                "leaky_relu": nn.leaky_relu(x), "leaky_relu2": nn.leaky_relu(x, 0.2),
                "relu6": nn.relu6(x), "log_sigmoid": nn.log_sigmoid(x)}
    out = irax.jit(f)(x)
    refs = _np_refs(x.astype(np.float64))
    for k, w in refs.items():
        assert_close(out[k], np.asarray(w, np.float32), rtol=3e-5, atol=3e-6)


def test_stable_for_large_inputs():
    x = np.array([[1000.0, 0.0, -1000.0], [-np.inf, 0.0, 1.0]], np.float32)
    out = irax.jit(lambda v: (nn.softmax(v), nn.log_softmax(v), nn.logsumexp(v, axis=1),
                              nn.softplus(v), nn.sigmoid(v)))(x)
    assert_close(out[0][0], np.array([1.0, 0.0, 0.0], np.float32))
    assert_close(out[1][0], np.array([0.0, -1000.0, -2000.0], np.float32))
    assert_close(out[2], np.array([1000.0, np.log(np.e + 1.0)], np.float32))
    assert_close(out[3][0], np.array([1000.0, np.log(2.0), 0.0], np.float32))
    assert_close(out[4][0], np.array([1.0, 0.5, 0.0], np.float32))
    all_neg_inf = irax.jit(lambda v: nn.logsumexp(v))(np.full(3, -np.inf, np.float32))
    assert float(all_neg_inf) == -np.inf


def test_logsumexp_options(rng):
    x = rand(rng, (2, 3, 4))
    b = rand(rng, (2, 3, 4), "float32", 0.1, 2)
    out = irax.jit(lambda v, b: (nn.logsumexp(v, axis=(0, 2)), nn.logsumexp(v, axis=1, keepdims=True),
                                 nn.logsumexp(v, axis=-1, b=b)))(x, b)
    assert_close(out[0], np.log(np.exp(x).sum((0, 2))), rtol=1e-5)
    assert_close(out[1], np.log(np.exp(x).sum(1, keepdims=True)), rtol=1e-5)
    assert_close(out[2], np.log((b * np.exp(x)).sum(-1)), rtol=1e-5)


def test_one_hot(rng):
    labels = np.array([0, 2, 1, 3, -1, 4], np.int32)
    out = irax.jit(lambda l: (nn.one_hot(l, 4), nn.one_hot(l.reshape(2, 3), 4, axis=0),
                              nn.one_hot(l, 4, dtype=jnp.int32)))(labels)
    want = (labels[:, None] == np.arange(4)).astype(np.float32)
    assert_close(out[0], want)  # out-of-range labels give all-zero rows
    assert_close(out[1], np.moveaxis(want.reshape(2, 3, 4), -1, 0))
    assert_close(out[2], want.astype(np.int32))


def test_int_inputs_become_float_and_eager_matches():
    i = np.array([-2, 0, 3], np.int32)
    assert_close(nn.sigmoid(i), (1 / (1 + np.exp(-i))).astype(np.float32), rtol=1e-6)
    assert_close(nn.relu(jnp.asarray(i)), np.maximum(i, 0))
    x = np.linspace(-2, 2, 5).astype(np.float32)
    np.testing.assert_allclose(nn.gelu(jnp.asarray(x)), irax.jit(nn.gelu)(x), rtol=1e-6)


def test_logsumexp_return_sign_and_negative_weights():
    x = np.array([[0.0, 1.0, 2.0], [3.0, -1.0, 0.5]], np.float32)
    b = np.array([[1.0, -2.0, 0.5], [1.0, 1.0, 0.0]], np.float32)
    s = (b.astype(np.float64) * np.exp(x)).sum(1)
    out = irax.jit(lambda v, w: (nn.logsumexp(v, axis=1, b=w, return_sign=True),
                                 nn.logsumexp(v, axis=1, b=w),
                                 nn.logsumexp(v, return_sign=True)))(x, b)
    (lse, sign), plain, (lse_all, sign_all) = out
    assert_close(lse, np.log(np.abs(s)).astype(np.float32))
    assert_close(sign, np.array([-1.0, 1.0], np.float32))
    assert_close(plain, np.array([np.nan, np.log(s[1])], np.float32))  # negative sum: NaN, as JAX
    assert_close(lse_all, np.float32(np.log(np.exp(x.astype(np.float64)).sum())))
    assert_close(sign_all, np.float32(1.0))


def test_logsumexp_zero_weight_drops_an_infinite_term():
    x = np.array([np.inf, 1.0], np.float32)
    assert_close(nn.logsumexp(x, b=np.array([0.0, 2.0], np.float32)), np.float32(1.0 + np.log(2.0)))
