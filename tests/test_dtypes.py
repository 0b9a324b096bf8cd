"""JAX's dtype promotion: the lattice, weak Python scalars, and what ops produce."""
import numpy as np
import pytest

import irax
import irax.numpy as jnp
from irax import dtypes

S = [("float32", False)]


@pytest.mark.parametrize("a,b,want", [
    (("int32", False), ("float32", True), ("float32", True)),     # int32 array + 1.5
    (("float16", False), ("float32", True), ("float16", False)),  # f16 array * 2.0
    (("int32", False), ("uint8", False), ("int32", False)),
    (("uint8", False), ("int8", False), ("int16", False)),
    (("bool", False), ("int32", True), ("int32", True)),          # bool array + 1
    (("bool", False), ("bool", False), ("bool", False)),
    (("bool", False), ("float32", False), ("float32", False)),
    (("int8", False), ("int32", True), ("int8", False)),          # int8 array + 1
    (("uint8", False), ("int32", True), ("uint8", False)),
    (("float16", False), ("bfloat16", False), ("float32", False)),
    (("int32", False), ("float16", False), ("float16", False)),
    (("int32", False), ("int32", False), ("int32", False)),
    (("uint32", False), ("int32", False), ("int32", False)),      # int64, canonicalized (x32)
    (("int32", True), ("float32", True), ("float32", True)),      # 1 + 1.5
    (("int32", True), ("int32", True), ("int32", True)),
    (("float32", False), ("int32", True), ("float32", False)),
])
def test_lattice(a, b, want):
    assert dtypes.result_type(a, b) == want
    assert dtypes.result_type(b, a) == want


def test_result_type_api():
    assert jnp.result_type(jnp.float16, 2.0) == "float16"
    assert jnp.result_type(np.int32, np.uint8) == "int32"
    assert jnp.result_type(1, 1.0) == "float32"
    assert jnp.result_type(True, 1) == "int32"


def test_to_dtype_canonicalizes():
    assert dtypes.to_dtype(np.float64) == "float32"
    assert dtypes.to_dtype(float) == "float32"
    assert dtypes.to_dtype(int) == "int32"
    assert dtypes.to_dtype(bool) == "bool"
    assert dtypes.to_dtype("int64") == "int32"
    assert dtypes.to_dtype(jnp.bfloat16) == "bfloat16"


def test_ops_promote_as_jax():
    i32 = np.arange(3, dtype=np.int32)
    f16 = np.ones(3, np.float16)
    u8 = np.arange(3, dtype=np.uint8)
    b = np.array([True, False, True])
    i8 = np.arange(3, dtype=np.int8)

    def f(i32, f16, u8, b, i8):
        return {"i32+1.5": i32 + 1.5, "f16*2.0": f16 * 2.0, "i32+u8": i32 + u8, "b+1": b + 1,
                "b+True": b + True, "i8+1": i8 + 1, "u8+i8": u8 + i8, "f16+i32": f16 + i32,
                "1.5*i32": 1.5 * i32, "i32/i32": i32 / i32, "b*b": b * b, "u8-1": u8 - 1,
                "i32**2": i32 ** 2, "i32+1": i32 + 1}
    out = irax.jit(f)(i32, f16, u8, b, i8)
    want = {"i32+1.5": ("float32", True), "f16*2.0": ("float16", False),
            "i32+u8": ("int32", False), "b+1": ("int32", True), "b+True": ("bool", False),
            "i8+1": ("int8", False), "u8+i8": ("int16", False), "f16+i32": ("float16", False),
            "1.5*i32": ("float32", True), "i32/i32": ("float32", False), "b*b": ("bool", False),
            "u8-1": ("uint8", False), "i32**2": ("int32", False), "i32+1": ("int32", False)}
    for k, (dt, weak) in want.items():
        assert (str(out[k].dtype), out[k].weak_type) == (dt, weak), k
    np.testing.assert_allclose(out["i32+1.5"], i32 + 1.5)
    np.testing.assert_array_equal(out["u8-1"], (u8 - np.uint8(1)))  # wraps, like NumPy's uint8
    np.testing.assert_array_equal(out["u8+i8"], u8.astype(np.int16) + i8)


def test_weak_scalar_arguments_to_jit():
    out = irax.jit(lambda x, s: (x * s, s + s))(np.ones(2, np.float16), 3.0)
    assert out[0].dtype == np.float16 and not out[0].weak_type
    assert out[1].dtype == np.float32 and out[1].weak_type


def test_asarray_dtypes():
    assert jnp.asarray([1, 2]).dtype == np.int32
    assert jnp.asarray([1.0, 2]).dtype == np.float32
    assert jnp.asarray(np.ones(2, np.float64)).dtype == np.float32  # x64 off
    assert jnp.asarray(np.ones(2, np.int64)).dtype == np.int32
    assert jnp.asarray([True]).dtype == np.bool_
    assert jnp.asarray(1.0).dtype == np.float32 and not jnp.asarray(1.0).weak_type
    assert jnp.asarray([1, 2], dtype=jnp.float16).dtype == np.float16
    assert jnp.ones(2, jnp.bfloat16).dtype == jnp.bfloat16
    out = irax.jit(lambda x: (x.astype(jnp.bfloat16) * 2).astype(jnp.float32))(np.array([1.5, 3.0], np.float32))
    np.testing.assert_array_equal(out, [3.0, 6.0])
