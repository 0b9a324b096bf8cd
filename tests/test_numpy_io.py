"""jnp's NumPy file and interchange wrappers behave as JAX's."""
import io

import numpy as np
import pytest

import irax
import irax.numpy as jnp


def test_save_load_round_trip_and_npz():
    buf = io.BytesIO()
    jnp.save(buf, jnp.arange(4.0) * 2)
    buf.seek(0)
    back = jnp.load(buf)
    assert isinstance(back, irax.Array) and back.dtype == np.float32
    np.testing.assert_array_equal(np.asarray(back), [0, 2, 4, 6])
    buf = io.BytesIO()
    jnp.savez(buf, a=jnp.ones(2), b=np.arange(3))
    buf.seek(0)
    with jnp.load(buf) as npz:
        assert sorted(npz.files) == ["a", "b"]


def test_from_dlpack_and_the_impure_readers():
    np.testing.assert_array_equal(np.asarray(jnp.from_dlpack(np.arange(5, dtype=np.int32))),
                                  np.arange(5))
    for f in (lambda: jnp.fromiter(iter([1, 2]), float), lambda: jnp.fromfile("x")):
        with pytest.raises(NotImplementedError, match="non-pure"):
            f()
    assert issubclass(jnp.ComplexWarning, Warning)
