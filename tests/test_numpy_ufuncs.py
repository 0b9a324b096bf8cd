"""Elementwise irax.numpy against NumPy: values, broadcasting and result dtypes.

Each group of functions runs in one jitted call on shared shapes (few
compiles); a small eager sample checks eager == jit.
"""
import numpy as np
import pytest
from conftest import assert_close, rand

import irax
import irax.numpy as jnp

UNARY_FLOAT = {
    # name: (input range low, high)
    "exp": (-3, 3), "exp2": (-3, 3), "expm1": (-3, 3), "log": (0.1, 5), "log1p": (-0.5, 5),
    "log2": (0.1, 5), "log10": (0.1, 5), "sqrt": (0, 5), "cbrt": (-5, 5), "sin": (-3, 3),
    "cos": (-3, 3), "tan": (-1.2, 1.2), "arcsin": (-0.9, 0.9), "arccos": (-0.9, 0.9),
    "arctan": (-3, 3), "sinh": (-3, 3), "cosh": (-3, 3), "tanh": (-3, 3),
    "arcsinh": (-3, 3), "arccosh": (1.1, 5), "arctanh": (-0.9, 0.9), "reciprocal": (0.5, 3),
    "deg2rad": (-360, 360), "rad2deg": (-3, 3), "radians": (-360, 360), "degrees": (-3, 3),
    "sinc": (-3, 3), "negative": (-3, 3), "positive": (-3, 3), "absolute": (-3, 3),
    "abs": (-3, 3), "sign": (-3, 3), "square": (-3, 3), "floor": (-3, 3), "ceil": (-3, 3),
    "trunc": (-3, 3), "fix": (-3, 3), "round": (-3, 3), "around": (-3, 3), "rint": (-3, 3),
    "isfinite": (-3, 3), "isnan": (-3, 3), "isinf": (-3, 3), "signbit": (-3, 3),
    "logical_not": (-1, 1),
}


def test_unary_float_all_in_one_jit(rng):
    inputs = {n: rand(rng, (3, 4), "float32", lo, hi) for n, (lo, hi) in UNARY_FLOAT.items()}
    inputs["sinc"][0, 0] = 0.0
    inputs["sign"][0, 0] = 0.0
    inputs["round"][0, :2] = [0.5, 1.5]  # round half to even, as NumPy
    f = irax.jit(lambda d: {n: getattr(jnp, n)(x) for n, x in d.items()})
    out = f(inputs)
    for n, x in inputs.items():
        want = getattr(np, n)(x)
        assert_close(out[n], want, rtol=2e-5, atol=2e-6)


def test_unary_special_values():
    x = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 1.0], np.float32)
    f = irax.jit(lambda v: (jnp.isnan(v), jnp.isinf(v), jnp.isfinite(v), jnp.signbit(v),
                            jnp.nan_to_num(v), jnp.nan_to_num(v, nan=1.0, posinf=2.0, neginf=-2.0)))
    for got, want in zip(f(x), (np.isnan(x), np.isinf(x), np.isfinite(x), np.signbit(x),
                                np.nan_to_num(x), np.nan_to_num(x, nan=1.0, posinf=2.0, neginf=-2.0))):
        assert_close(got, want)


@pytest.mark.parametrize("dtype", ["int32", "bool"])
def test_unary_on_integers_and_bools(rng, dtype):
    x = rand(rng, (3, 4), dtype)
    names = ["negative", "absolute", "sign", "square", "floor", "ceil", "logical_not", "isnan",
             "isfinite", "positive"] if dtype == "int32" else ["logical_not", "invert", "isnan",
                                                               "absolute"]
    if dtype == "int32":
        names += ["invert", "exp", "sqrt", "sin"]
    f = irax.jit(lambda v: {n: getattr(jnp, n)(v) for n in names})
    out = f(x)
    for n in names:
        want = getattr(np, n)(x)
        if want.dtype == np.float64:
            want = want.astype(np.float32)  # ints go to the default float (JAX's rule)
        if want.dtype == np.int64:
            want = want.astype(np.int32)
        assert_close(out[n], want, rtol=2e-6)


SHAPES = [((3, 4), (3, 4)), ((3, 4), (4,)), ((3, 1), (1, 4)), ((), (3, 4)), ((2, 1, 4), (3, 4)),
          ((1,), ())]

BINARY = ["add", "subtract", "multiply", "divide", "true_divide", "maximum", "minimum", "power",
          "arctan2", "hypot", "logaddexp", "equal", "not_equal", "less", "less_equal", "greater",
          "greater_equal", "floor_divide", "remainder", "mod", "fmod", "copysign", "heaviside",
          "logical_and", "logical_or", "logical_xor", "float_power"]


@pytest.mark.parametrize("sa,sb", SHAPES)
def test_binary_float_broadcasting(rng, sa, sb):
    a = rand(rng, sa, "float32", 0.5, 3)
    b = rand(rng, sb, "float32", -2, 2)
    b = np.where(np.abs(b) < 0.1, np.float32(0.5), b).astype(np.float32)
    out = irax.jit(lambda x, y: {n: getattr(jnp, n)(x, y) for n in BINARY})(a, b)
    for n in BINARY:
        want = getattr(np, n)(a, b)
        if n == "float_power":
            want = want.astype(np.float32)
        assert_close(out[n], want, rtol=3e-5, atol=1e-5)


INT_BINARY = ["add", "subtract", "multiply", "maximum", "minimum", "floor_divide", "remainder",
              "fmod", "bitwise_and", "bitwise_or", "bitwise_xor", "left_shift", "right_shift",
              "equal", "less", "greater_equal", "true_divide"]


@pytest.mark.parametrize("sa,sb", SHAPES[:4])
def test_binary_int32(rng, sa, sb):
    a = rand(rng, sa, "int32", -20, 20)
    b = rand(rng, sb, "int32", 1, 5) * np.where(rand(rng, sb, "bool"), 1, -1).astype(np.int32)
    out = irax.jit(lambda x, y: {n: getattr(jnp, n)(x, y) for n in INT_BINARY})(a, b)
    for n in INT_BINARY:
        bb = np.abs(b) if n in ("left_shift", "right_shift") else b
        if n in ("left_shift", "right_shift"):
            got = getattr(jnp, n)(jnp.asarray(a), jnp.asarray(bb)) if sa == () else None
            if got is None:
                continue
        want = getattr(np, n)(a, bb)
        if n == "true_divide":
            want = want.astype(np.float32)
        assert_close(out[n] if n not in ("left_shift", "right_shift") else got, want, rtol=1e-6)


def test_shifts_and_power_int(rng):
    a = rand(rng, (3, 4), "int32", -20, 20)
    s = rand(rng, (4,), "int32", 0, 5)
    out = irax.jit(lambda x, y: (jnp.left_shift(x, y), jnp.right_shift(x, y), x ** 3,
                                 jnp.power(x, 2), jnp.abs(x) ** y))(a, s)
    for got, want in zip(out, (np.left_shift(a, s), np.right_shift(a, s), a ** 3, a ** 2,
                               np.abs(a) ** s)):
        assert_close(got, want)


def test_integer_negative_power_raises():
    with pytest.raises(TypeError, match="negative powers"):  # JAX's error type
        jnp.power(jnp.arange(3), -1)


def test_bool_binary(rng):
    a, b = rand(rng, (3, 4), "bool"), rand(rng, (4,), "bool")
    names = ["add", "multiply", "logical_and", "logical_or", "logical_xor", "bitwise_and",
             "bitwise_or", "bitwise_xor", "equal", "not_equal", "maximum", "minimum", "less"]
    out = irax.jit(lambda x, y: {n: getattr(jnp, n)(x, y) for n in names})(a, b)
    for n in names:
        assert_close(out[n], getattr(np, n)(a, b))


def test_where_clip_divmod(rng):
    c = rand(rng, (3, 1), "bool")
    a = rand(rng, (3, 4))
    b = rand(rng, (4,))
    f = irax.jit(lambda c, a, b: (jnp.where(c, a, b), jnp.where(c, a, 0.0), jnp.where(a > 0, 1, b),
                                  jnp.clip(a, -1, 1), jnp.clip(a, b), jnp.clip(a, max=0.5),
                                  jnp.clip(a, min=-b, max=b + 1), *jnp.divmod(a, b + 4.0)))
    out = f(c, a, b)
    want = (np.where(c, a, b), np.where(c, a, np.float32(0)), np.where(a > 0, 1, b).astype(np.float32),
            np.clip(a, -1, 1), np.maximum(a, b), np.minimum(a, 0.5),
            np.minimum(np.maximum(a, -b), b + 1), *np.divmod(a, b + 4.0))
    for got, w in zip(out, want):
        assert_close(got, w, rtol=1e-5)


def test_where_weak_type_ignores_the_condition():
    out = irax.jit(lambda c: (jnp.where(c, 1, 2.5), jnp.where(c, jnp.ones(2, jnp.float16), 0.0)))(
        np.array([True, False]))
    assert out[0].dtype == np.float32 and out[0].weak_type
    assert out[1].dtype == np.float16 and not out[1].weak_type
    assert_close(out[0], np.array([1.0, 2.5], np.float32))


def test_where_one_argument_raises():
    with pytest.raises(ValueError, match="data-dependent shape"):
        jnp.where(jnp.ones(3) > 0)


def test_float16_stays_float16(rng):
    a = rand(rng, (4,), "float16")
    out = irax.jit(lambda x: (x * 2.0, x + 1, jnp.exp(x), x / 2))(a)
    for got, want in zip(out, (a * np.float16(2.0), a + np.float16(1), np.exp(a), a / np.float16(2))):
        assert_close(got, want, rtol=2e-3, atol=2e-3)


def test_eager_equals_jit_sample(rng):
    a, b = rand(rng, (3, 4)), rand(rng, (4,), "float32", 1, 2)
    fns = [lambda x, y: jnp.sin(x) * y, lambda x, y: jnp.floor_divide(x, y),
           lambda x, y: jnp.where(x > y, x, y ** 2)]
    for fn in fns:
        eager = fn(jnp.asarray(a), jnp.asarray(b))
        jitted = irax.jit(fn)(a, b)
        np.testing.assert_array_equal(np.asarray(eager), np.asarray(jitted))


def test_incompatible_shapes_error_names_op_shapes_and_line():
    with pytest.raises(TypeError, match=r"multiply: incompatible shapes.*\(3, 4\), \(3,\).*"
                                        r"test_numpy_ufuncs.py:\d+"):
        irax.jit(lambda x, y: jnp.multiply(x, y))(np.ones((3, 4), np.float32), np.ones(3, np.float32))


def test_remaining_ufuncs(rng):
    a = rand(rng, (3, 4), "float32", -3, 3)
    b = rand(rng, (4,), "float32", -3, 3)
    i = rand(rng, (3, 4), "int32", -9, 9)
    out = irax.jit(lambda a, b, i: (jnp.bitwise_not(i), jnp.pow(a, 2.0), jnp.logaddexp2(a, b),
                                    jnp.isclose(a, a + 1e-7), jnp.isclose(a, b), jnp.fabs(i),
                                    jnp.round(a, 1), jnp.around(a * 100, -1), jnp.rint(i)))(a, b, i)
    want = (np.bitwise_not(i), np.power(a, 2.0), np.logaddexp2(a, b), np.isclose(a, a + 1e-7),
            np.isclose(a, b), np.fabs(i).astype(np.float32), np.round(a, 1),
            np.around(a * 100, -1), np.rint(i).astype(np.float32))
    assert len(out) == len(want)
    for got, w in zip(out, want):
        assert_close(got, w, rtol=2e-5, atol=1e-5)


def test_binary_float_ufuncs_at_infinities_and_extremes():
    """heaviside/logaddexp at infinities and hypot far outside float32's squared range."""
    a = np.array([np.inf, -np.inf, -np.inf, np.inf, 3e20, 3e-25, 0.0, np.inf, -1.0], np.float32)
    b = np.array([np.inf, -np.inf, 2.0, np.nan, 4e20, 4e-25, 0.0, -np.inf, np.nan], np.float32)
    names = ["heaviside", "hypot", "logaddexp", "logaddexp2"]
    out = irax.jit(lambda x, y: {n: getattr(jnp, n)(x, y) for n in names})(a, b)
    with np.errstate(invalid="ignore"):
        for n in names:
            assert_close(out[n], getattr(np, n)(a, b), rtol=1e-6)
    assert_close(out["hypot"][4:6], np.array([5e20, 5e-25], np.float32), rtol=1e-6)
    assert_close(out["logaddexp"][:2], np.array([np.inf, -np.inf], np.float32))


def test_copysign_and_heaviside_promote_integers_to_float():
    i = np.array([-2, 0, 3], np.int32)
    j = np.array([1, -1, 5], np.int32)
    c, h = irax.jit(lambda x, y: (jnp.copysign(x, y), jnp.heaviside(x, y)))(i, j)
    assert_close(c, np.array([2.0, -0.0, 3.0], np.float32))
    assert_close(h, np.array([0.0, -1.0, 1.0], np.float32))


def test_integer_power_is_one_pow_op_with_xla_negative_exponents():
    """Integer ** integer array is irax.pow itself: negative exponents give 0 except for
    bases 1 and -1, as in JAX."""
    a = np.array([2, -1, 1, 3, -3, 0], np.int32)
    e = np.array([3, -3, -2, -1, 3, 0], np.int32)
    ir = str(irax.make_ir(jnp.power)(a, e))
    assert ir.count('"irax.pow"') == 1 and '"irax.mul"' not in ir
    assert_close(jnp.power(a, e), np.array([8, -1, 1, 0, -27, 1], np.int32))
