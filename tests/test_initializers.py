"""irax.nn.initializers: JAX's values for the same key, variances, signatures."""
import json
import os

import numpy as np
import pytest

import irax
import irax.numpy as jnp
from irax.nn import initializers as init

with open(os.path.join(os.path.dirname(__file__), "data", "jax_random_vectors.json")) as _f:
    CASES = [c for c in json.load(_f)["cases"] if c["fn"].startswith("nn.initializers.")]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c["fn"].split(".")[-1])
def test_same_weights_as_jax(case):
    r = case["result"]
    want = np.array(r["bits"], np.uint32).view(np.float32).reshape(r["shape"])
    factory = getattr(init, case["fn"].split(".")[-1])
    fn = factory(**case["kwargs"]["factory"])
    shape = tuple(case["kwargs"]["shape"])
    got = np.asarray(irax.jit(lambda k: fn(k, shape))(irax.random.PRNGKey(case["seed"])))
    assert got.shape == want.shape and got.dtype == np.float32
    np.testing.assert_allclose(got, want, rtol=2e-6, atol=1e-6)


def test_zeros_ones_constant():
    key = irax.random.PRNGKey(0)
    np.testing.assert_array_equal(np.asarray(init.zeros(key, (2, 3))), np.zeros((2, 3), np.float32))
    o = init.ones(key, (4,), jnp.int32)
    assert np.asarray(o).dtype == np.int32 and np.asarray(o).tolist() == [1] * 4
    c = init.constant(0.25)(key, (3,))
    np.testing.assert_array_equal(np.asarray(c), np.full(3, 0.25, np.float32))


FAN_IN, FAN_OUT = 400, 100


@pytest.mark.parametrize("name,var", [
    ("glorot_uniform", 2 / (FAN_IN + FAN_OUT)), ("glorot_normal", 2 / (FAN_IN + FAN_OUT)),
    ("xavier_normal", 2 / (FAN_IN + FAN_OUT)), ("he_uniform", 2 / FAN_IN),
    ("he_normal", 2 / FAN_IN), ("kaiming_normal", 2 / FAN_IN), ("lecun_normal", 1 / FAN_IN),
    ("lecun_uniform", 1 / FAN_IN)])
def test_variance_scaling_variances(name, var):
    w = np.asarray(getattr(init, name)()(irax.random.PRNGKey(1), (FAN_IN, FAN_OUT)))
    assert w.shape == (FAN_IN, FAN_OUT) and w.dtype == np.float32
    assert abs(w.mean()) < 4 * np.sqrt(var / w.size)
    assert abs(w.var() / var - 1) < 0.03
    if name.endswith("uniform"):
        assert np.abs(w).max() <= np.sqrt(3 * var) * (1 + 1e-6)
    else:  # truncated at two (rescaled) standard deviations
        assert np.abs(w).max() <= 2 * np.sqrt(var) / 0.87962566103423978 * (1 + 1e-6)


def test_fans_of_convolution_kernels_and_errors():
    # HWIO kernel: receptive field 3*3, fan_in 3*3*8, fan_out 3*3*16
    w = np.asarray(init.he_normal()(irax.random.PRNGKey(2), (3, 3, 8, 16)))
    assert abs(w.var() / (2 / 72) - 1) < 0.1
    with pytest.raises(ValueError, match="fan-in of a 1-d shape"):
        init.glorot_normal()(irax.random.PRNGKey(0), (5,))
    with pytest.raises(ValueError, match="invalid mode"):
        init.variance_scaling(1.0, "fan_sideways", "normal")


def test_initializers_take_keys_only():
    with pytest.raises(TypeError, match="a PRNG key must be uint32"):
        init.normal()(jnp.ones(2), (3,))
