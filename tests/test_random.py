"""irax.random: uint32 arithmetic, threefry, bit-compatibility with JAX, distributions."""
import json
import os

import numpy as np
import pytest

import irax
import irax.numpy as jnp
from irax import lax

U32 = np.uint32


# ------------------------------------------------------------ uint32 through the lowering

A = np.array([0xFFFFFFFF, 5, 0x80000000, 0x12345678, 0], U32)
B = np.array([3, 7, 0x80000001, 0x9ABCDEF0, 0xFFFFFFFF], U32)
S = np.array([0, 1, 31, 32, 13], U32)  # shift amounts, 32 shifts everything out


def _u32_ops(a, b, s):
    return (a + b, a * b, a ^ b, a | b, a & b, a - b,
            lax.shift_left(a, s), lax.shift_right_logical(a, s),
            a < b, a >= b, a == b, lax.max(a, b), a // jnp.maximum(b, U32(1)),
            lax.convert_element_type(a, "float32"), lax.convert_element_type(a, "int32"),
            lax.bitcast_convert_type(a, "float32"))


def _u32_want(a, b, s):
    with np.errstate(over="ignore"):
        shl = np.where(s < 32, a << np.minimum(s, 31), 0).astype(U32)
        shr = np.where(s < 32, a >> np.minimum(s, 31), 0).astype(U32)
        return (a + b, a * b, a ^ b, a | b, a & b, a - b, shl, shr, a < b, a >= b, a == b,
                np.maximum(a, b), a // np.maximum(b, 1), a.astype(np.float32),
                a.astype(np.int64).astype(np.int32), a.view(np.float32))


def _check_u32(got, want):
    for g, w in zip(got, want):
        g = np.asarray(g)
        assert g.dtype == w.dtype and g.shape == w.shape
        if w.dtype == np.float32:
            np.testing.assert_array_equal(g.view(U32), w.view(U32))
        else:
            np.testing.assert_array_equal(g, w)


def test_uint32_ops_wrap_under_jit():
    _check_u32(irax.jit(_u32_ops)(A, B, S), _u32_want(A, B, S))


def test_uint32_ops_eager():
    a, b = jnp.asarray(A), jnp.asarray(B)
    got = [a + b, a * b, a ^ b, lax.shift_right_logical(a, jnp.asarray(S)), a < b,
           lax.convert_element_type(a, "float32")]
    want = _u32_want(A, B, S)
    _check_u32(got, [want[i] for i in (0, 1, 2, 7, 8, 13)])


def test_uint32_from_float_int_and_bitcast():
    f = np.array([0.0, 1.5, 3e9, 4294967040.0], np.float32)
    i = np.array([0, 1, -1, -2147483648], np.int32)

    def conv(f, i):
        return (lax.convert_element_type(f, "uint32"), lax.convert_element_type(i, "uint32"),
                lax.bitcast_convert_type(f, "uint32"),
                lax.bitcast_convert_type(lax.bitcast_convert_type(f, "uint32"), "float32"))
    got = irax.jit(conv)(f, i)
    want = (f.astype(U32), i.view(U32), f.view(U32), f)
    _check_u32(got, want)
