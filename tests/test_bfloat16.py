"""bfloat16 arrays cross the host/device boundary rounded, not reinterpreted."""
import numpy as np

import irax
import irax.numpy as jnp


def test_bfloat16_round_trip_and_jit():
    host = np.array([1.0, 2.5, 3.14159, -7.0, 1e-3, 65504.0], np.float32)
    x = jnp.asarray(host, dtype=jnp.bfloat16)
    # bfloat16 keeps 8 significand bits: round to nearest even
    expected = np.array([1.0, 2.5, 3.140625, -7.0, 0.00099945068359375, 65536.0], np.float32)
    np.testing.assert_allclose(np.asarray(x), expected, rtol=1e-6)
    np.testing.assert_allclose(irax.jit(lambda v: v * 2)(x), 2 * expected, rtol=1e-6)
    assert irax.jit(lambda v: v * 2)(x).dtype == jnp.bfloat16


def test_bfloat16_constants_inside_jit():
    import ml_dtypes
    v = np.array([[1.0, np.inf, np.nan], [-0.0, 3.140625, -2.5]], ml_dtypes.bfloat16)
    out = np.asarray(irax.jit(lambda x: x + jnp.asarray(v))(jnp.zeros((2, 3), jnp.bfloat16)))
    np.testing.assert_array_equal(out.astype(np.float32), v.astype(np.float32))
