"""Array creation against NumPy."""
import numpy as np
import pytest
from conftest import assert_close, rand

import irax
import irax.numpy as jnp


def test_creation_under_jit(rng):
    x = rand(rng, (3, 4))
    i = rand(rng, (2,), "int32")

    def f(x, i):
        return [jnp.zeros((2, 3)), jnp.ones(3, jnp.int32), jnp.full((2, 2), 7), jnp.full((2,), 1.5),
                jnp.full((2, 3), jnp.arange(3)), jnp.zeros_like(x), jnp.ones_like(i), jnp.full_like(x, 2),
                jnp.ones_like(x, dtype=jnp.bool_), jnp.arange(5), jnp.arange(2, 10, 3),
                jnp.arange(0.0, 1.0, 0.25), jnp.arange(5, 0, -2), jnp.arange(4, dtype=jnp.float32),
                jnp.linspace(0, 1, 5), jnp.linspace(-1, 1, 4, endpoint=False), jnp.linspace(2, 3, 1),
                jnp.eye(3), jnp.eye(3, 4, k=1), jnp.eye(4, 3, k=-2, dtype=jnp.int32), jnp.identity(2),
                jnp.tri(3), jnp.tri(3, 4, k=-1), jnp.tril(x), jnp.tril(x, 1), jnp.triu(x),
                jnp.triu(x, -1), jnp.diag(x), jnp.diag(x[0]), jnp.diag(x[0, :3], k=1), jnp.trace(x),
                jnp.asarray([[1, 2], [3, 4]]), jnp.array([x[0, 0], 2.0]), jnp.empty((2,))]
    out = irax.jit(f)(x, i)
    want = [np.zeros((2, 3), np.float32), np.ones(3, np.int32), np.full((2, 2), 7, np.int32),
            np.full((2,), 1.5, np.float32), np.full((2, 3), np.arange(3, dtype=np.int32)),
            np.zeros_like(x), np.ones_like(i), np.full_like(x, 2), np.ones_like(x, dtype=bool),
            np.arange(5, dtype=np.int32), np.arange(2, 10, 3, dtype=np.int32),
            np.arange(0.0, 1.0, 0.25, dtype=np.float32), np.arange(5, 0, -2, dtype=np.int32),
            np.arange(4, dtype=np.float32), np.linspace(0, 1, 5, dtype=np.float32),
            np.linspace(-1, 1, 4, endpoint=False, dtype=np.float32), np.linspace(2, 3, 1, dtype=np.float32),
            np.eye(3, dtype=np.float32), np.eye(3, 4, k=1, dtype=np.float32), np.eye(4, 3, k=-2, dtype=np.int32),
            np.identity(2, dtype=np.float32), np.tri(3, dtype=np.float32), np.tri(3, 4, k=-1, dtype=np.float32),
            np.tril(x), np.tril(x, 1), np.triu(x), np.triu(x, -1), np.diag(x), np.diag(x[0]),
            np.diag(x[0, :3], k=1), np.trace(x), np.array([[1, 2], [3, 4]], np.int32),
            np.array([x[0, 0], 2.0], np.float32), np.zeros(2, np.float32)]
    assert len(out) == len(want)
    for k, (got, w) in enumerate(zip(out, want)):
        assert_close(got, w, rtol=1e-6, atol=1e-6), k


def test_eager_creation():
    assert_close(jnp.arange(4), np.arange(4, dtype=np.int32))
    assert_close(jnp.zeros((2, 0)), np.zeros((2, 0), np.float32))
    assert_close(jnp.arange(3, 3), np.arange(3, 3, dtype=np.int32))
    assert_close(jnp.eye(2, dtype=bool), np.eye(2, dtype=bool))
    assert_close(jnp.linspace(0.0, 10.0, 6), np.linspace(0.0, 10.0, 6, dtype=np.float32))
    out, step = jnp.linspace(0.0, 1.0, 5, retstep=True)
    assert step == pytest.approx(0.25)
    assert_close(jnp.full((2,), True), np.full((2,), True))


def test_arange_needs_concrete_bounds():
    with pytest.raises(TypeError, match="concrete"):
        irax.jit(lambda n: jnp.arange(n))(3)
    assert_close(irax.jit(lambda n: jnp.arange(n), static_argnums=0)(3), np.arange(3, dtype=np.int32))
