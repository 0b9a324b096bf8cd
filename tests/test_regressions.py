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


def test_float_to_unsigned_saturates_like_signed():
    x = np.array([-1.0, 3.7, 300.0, np.nan], np.float32)
    out = irax.jit(lambda v: lax.convert_element_type(v, jnp.uint8))(x)
    np.testing.assert_array_equal(out, np.array([0, 3, 255, 0], np.uint8))


def test_folded_convert_of_a_splat_matches_the_lowering():
    big = irax.jit(lambda: lax.convert_element_type(jnp.full((2000,), np.nan), jnp.int32))()
    small = irax.jit(lambda v: lax.convert_element_type(v, jnp.int32))(np.full((3,), np.nan, np.float32))
    assert np.all(np.asarray(big) == 0) and np.all(np.asarray(small) == 0)


def test_pad_config_length_is_checked():
    with pytest.raises(TypeError, match=r"irax.pad: padding config needs one .* per dim; got 1 for rank 2"):
        lax.pad(jnp.ones((2, 3)), 0.0, [(1, 1, 0)])


def test_scatter_max_gradient_splits_ties_evenly():
    def f(x, u):
        return jnp.sum(x.at[np.array([0, 0, 1])].max(u))
    x = np.array([5.0, 1.0, 2.0], np.float32)
    u = np.array([5.0, 5.0, 0.5], np.float32)  # a three-way tie at 0; u[2] loses at 1
    gx, gu = irax.grad(f, argnums=(0, 1))(x, u)
    np.testing.assert_allclose(gx, [1 / 3, 1.0, 1.0], rtol=1e-6)
    np.testing.assert_allclose(gu, [1 / 3, 1 / 3, 0.0], rtol=1e-6)
