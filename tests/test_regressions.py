"""Bugs found in review, each pinned by the smallest program that showed it."""
import numpy as np
import pytest

import irax
import irax.numpy as jnp
from irax import lax


def test_reverse_fused_with_its_consumer_compiles():
    x = np.arange(4.0, dtype=np.float32)
    assert float(irax.jit(lambda v: jnp.sum(v[::-1] * v))(x)) == float(np.sum(x[::-1] * x))
    np.testing.assert_allclose(irax.grad(lambda v: jnp.sum(v[::-1] * np.arange(4.0)))(x),
                               np.arange(4.0)[::-1])


def test_negative_zero_constants_keep_their_sign():
    out = irax.jit(lambda x: 1.0 / (x * np.array([0.0, -0.0], np.float32)))(jnp.ones(2))
    np.testing.assert_array_equal(out, [np.inf, -np.inf])


def test_lax_axes_out_of_range_raise_with_the_line():
    with pytest.raises(TypeError, match=r"reduce_sum: axis 5 is out of range.*rank 2.*test_regressions.py:\d+"):
        lax.reduce_sum(jnp.ones((2, 3)), (5,))
    with pytest.raises(TypeError, match=r"sort: axis -1 is out of range.*rank 0"):
        lax.sort(jnp.ones(()))
