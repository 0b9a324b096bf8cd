import numpy as np
import pytest


@pytest.fixture
def rng():
    return np.random.default_rng(0)


def rand(rng, shape, dtype="float32", low=-3, high=3):
    """A random NumPy array of `shape`/`dtype` (bool: fair coin; ints in [low, high))."""
    dtype = np.dtype(dtype)
    if dtype == np.bool_:
        return rng.random(shape) < 0.5
    if dtype.kind in "iu":
        return rng.integers(max(low, 0) if dtype.kind == "u" else low, high, shape).astype(dtype)
    return rng.uniform(low, high, shape).astype(dtype)


def assert_close(got, want, rtol=1e-5, atol=1e-6, dtype=True):
    """`got` (an irax array) equals NumPy's `want` in value, shape and (optionally) dtype."""
    got_np = np.asarray(got)
    want = np.asarray(want)
    assert got_np.shape == want.shape, (got_np.shape, want.shape)
    if dtype:
        assert got_np.dtype == want.dtype, (got_np.dtype, want.dtype)
    if want.dtype.kind in "biu":
        np.testing.assert_array_equal(got_np, want)
    else:
        np.testing.assert_allclose(got_np, want, rtol=rtol, atol=atol, equal_nan=True)
