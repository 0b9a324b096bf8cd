"""Eager elementwise ops and scalar broadcasts run shape-polymorphic kernels:
one compile per (op, attributes, dtypes) serves every shape and rank."""
import numpy as np
import pytest

import irax.numpy as jnp
from irax import eager, lax
from irax.lowering import compiler


@pytest.fixture
def compiles(monkeypatch):
    """The set of programs eager execution has asked IREE for: per-shape op
    modules, and the (shape-free) kernel texts."""
    seen = set()
    real_kernel, real_op = compiler.compile_mlir, eager.executable
    monkeypatch.setattr(eager, "_plans", eager.OnceCache())  # ask again for everything
    monkeypatch.setattr(eager, "_kernels", eager.OnceCache())

    def kernel(text, *a, **k):
        seen.add(text)
        return real_kernel(text, *a, **k)

    def per_shape(module, *a, **k):
        seen.add(str(module))
        return real_op(module, *a, **k)
    monkeypatch.setattr(eager, "compile_mlir", kernel)
    monkeypatch.setattr(eager, "executable", per_shape)
    return seen


def test_new_shapes_reuse_the_kernels(compiles):
    def step(shape):
        x = jnp.full(shape, 1.5, dtype=jnp.float32)
        y = jnp.sin(x) * 2.0 - x
        return jnp.where(y > 0.0, y, -y), (y > 0.5).astype(jnp.int32)

    step((3,))
    first = set(compiles)
    for shape in [(5,), (2, 3), (4, 1, 2), (1,), (7, 7), (2, 2, 2, 2)]:
        y, m = step(shape)
        want = np.sin(np.full(shape, 1.5, np.float32)) * 2.0 - 1.5
        np.testing.assert_allclose(np.asarray(y), np.abs(want), rtol=1e-6)
        np.testing.assert_array_equal(np.asarray(m), (want > 0.5).astype(np.int32))
        assert y.shape == shape and m.dtype == np.int32
    assert compiles == first  # nothing new to compile for any new shape


@pytest.mark.parametrize("dtype", ["float32", "int32", "uint32", "bool", "float16", "bfloat16"])
def test_fill_every_dtype(dtype):
    for shape in [(1,), (3, 2)]:
        v = True if dtype == "bool" else 3
        got = jnp.full(shape, v, dtype=dtype)
        assert got.shape == shape and got.dtype == np.dtype(got.dtype)
        np.testing.assert_array_equal(np.asarray(got).astype(np.float32),
                                      np.full(shape, float(v), np.float32))


def test_zero_d_operands_and_attributes():
    x = jnp.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(np.asarray(lax.select(jnp.asarray(True), x, -x)), np.arange(6.0).reshape(2, 3))
    np.testing.assert_array_equal(np.asarray(lax.clamp(1.0, x, 4.0)),
                                  np.clip(np.arange(6.0), 1, 4).reshape(2, 3))
    np.testing.assert_array_equal(np.asarray(lax.integer_pow(x, 3)), np.arange(6.0).reshape(2, 3) ** 3)
    np.testing.assert_array_equal(np.asarray(x.astype(jnp.int32)), np.arange(6).reshape(2, 3))
    assert lax.integer_pow(x, 2).shape == (2, 3)


def test_inputs_are_unchanged_and_zero_size_works():
    x = jnp.arange(4.0)
    y = x * 2.0
    np.testing.assert_array_equal(np.asarray(x), np.arange(4.0))
    np.testing.assert_array_equal(np.asarray(y), np.arange(4.0) * 2)
    e = jnp.ones((0, 3)) * 2.0
    assert e.shape == (0, 3) and np.asarray(e).size == 0


def test_reshape_and_stop_gradient_are_views(compiles):
    x = jnp.arange(12.0)
    y = x.reshape(3, 4)
    z = lax.stop_gradient(y).reshape(2, 6)
    np.testing.assert_array_equal(np.asarray(z), np.arange(12.0).reshape(2, 6))
    np.testing.assert_array_equal(np.asarray(x), np.arange(12.0))
    assert not any("reshape" in t or "stop_gradient" in t for t in compiles)


def test_eager_op_errors_name_the_users_line():
    with pytest.raises(TypeError, match=r"irax.add: .*f32\[3\], f32\[4\].*test_eager_kernels.py:\d+"):
        lax.add(jnp.ones(3), jnp.ones(4))
