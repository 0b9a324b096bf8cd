"""Every irax.lax primitive under jit against a NumPy reference.

Ops that share an input signature are traced into one jitted function that
returns a dict, so each test costs one or two IREE compiles.
"""
import math

import numpy as np
import pytest

import irax
import irax.numpy as jnp
from irax import lax


@pytest.fixture
def x64():
    irax.config.update("jax_enable_x64", True)
    yield
    irax.config.update("jax_enable_x64", False)


def check(out, want, rtol=1e-6, atol=0.0):
    assert set(out) == set(want)
    for k in want:
        got = np.asarray(out[k])
        exp = np.asarray(want[k])
        assert got.dtype == exp.dtype, f"{k}: dtype {got.dtype} != {exp.dtype}"
        assert got.shape == exp.shape, f"{k}: shape {got.shape} != {exp.shape}"
        if exp.dtype.kind == "f":
            np.testing.assert_allclose(got, exp, rtol=rtol, atol=atol, err_msg=k)
        else:
            np.testing.assert_array_equal(got, exp, err_msg=k)


FLOAT_DTYPES = [pytest.param("float32", id="f32"), pytest.param("float64", id="f64")]


def _tol(dtype):
    return dict(rtol=2e-6, atol=1e-6) if dtype == "float32" else dict(rtol=1e-13, atol=1e-14)


def _x64_if(dtype, request):
    if dtype == "float64":
        request.getfixturevalue("x64")


# --------------------------------------------------------------------------
# Elementwise
# --------------------------------------------------------------------------

UNARY = {  # name: (numpy reference, input domain)
    "neg": (np.negative, "any"), "abs": (np.abs, "any"), "sign": (np.sign, "any"),
    "exp": (np.exp, "any"), "exp2": (np.exp2, "any"), "log": (np.log, "pos"),
    "log1p": (np.log1p, "unit"), "expm1": (np.expm1, "any"), "tanh": (np.tanh, "any"),
    "logistic": (lambda x: 1 / (1 + np.exp(-x)), "any"), "sin": (np.sin, "any"),
    "cos": (np.cos, "any"), "tan": (np.tan, "any"), "asin": (np.arcsin, "unit"),
    "acos": (np.arccos, "unit"), "atan": (np.arctan, "any"), "sinh": (np.sinh, "any"),
    "cosh": (np.cosh, "any"), "asinh": (np.arcsinh, "any"), "acosh": (np.arccosh, "ge1"),
    "atanh": (np.arctanh, "unit"), "sqrt": (np.sqrt, "pos"),
    "rsqrt": (lambda x: 1 / np.sqrt(x), "pos"), "cbrt": (np.cbrt, "any"),
    "erf": (np.vectorize(math.erf, otypes=[float]), "any"), "floor": (np.floor, "half"),
    "ceil": (np.ceil, "half"),
    "round": (lambda x: np.sign(x) * np.floor(np.abs(x) + 0.5), "half"),  # ties away from 0
}


def _domains(dtype):
    rng = np.random.default_rng(1)
    return {
        "any": rng.uniform(-3, 3, 12).astype(dtype),
        "pos": rng.uniform(0.05, 4, 12).astype(dtype),
        "unit": rng.uniform(-0.95, 0.95, 12).astype(dtype),
        "ge1": rng.uniform(1.0, 4, 12).astype(dtype),
        # exact halves: lax.round rounds them away from zero; floor/ceil of negatives
        "half": np.array([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.5, -3.7, 0.2, -0.2, 0.0, 7.0], dtype),
    }


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_float_unary(dtype, request):
    _x64_if(dtype, request)
    d = _domains(dtype)
    f = irax.jit(lambda d: {n: getattr(lax, n)(d[dom]) for n, (_, dom) in UNARY.items()})
    want = {n: ref(d[dom]).astype(dtype) for n, (ref, dom) in UNARY.items()}
    check(f(d), want, **_tol(dtype))


def test_round_methods_and_sign():
    x = np.array([-2.5, -0.5, 0.5, 1.5, 2.5, -0.4, 0.49999997], np.float32)
    even = np.asarray(irax.jit(lambda v: lax.round(v, lax.RoundingMethod.TO_NEAREST_EVEN))(x))
    np.testing.assert_array_equal(even, [-2.0, -0.0, 0.0, 2.0, 2.0, -0.0, 0.0])
    assert np.signbit(even[1]) and np.signbit(even[5])
    away = np.asarray(irax.jit(lax.round)(x))  # JAX's default
    np.testing.assert_array_equal(away, [-3.0, -1.0, 1.0, 2.0, 3.0, -0.0, 0.0])


def test_float_unary_specials():
    x = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 1.0], np.float32)
    f = irax.jit(lambda x: {"sign": lax.sign(x), "is_finite": lax.is_finite(x),
                            "abs": lax.abs(x), "logistic": lax.logistic(x)})
    with np.errstate(over="ignore"):
        check(f(x), {"sign": np.sign(x), "is_finite": np.isfinite(x), "abs": np.abs(x),
                     "logistic": (1 / (1 + np.exp(-x))).astype(np.float32)})


def test_int_unary():
    x = np.array([-7, -1, 0, 1, 5, 2**31 - 1, -2**31 + 1, 255], np.int32)
    f = irax.jit(lambda x: {"neg": lax.neg(x), "abs": lax.abs(x), "sign": lax.sign(x),
                            "not": lax.bitwise_not(x), "popcnt": lax.population_count(x)})
    popcnt = np.array([bin(int(v) & 0xFFFFFFFF).count("1") for v in x], np.int32)
    check(f(x), {"neg": -x, "abs": np.abs(x), "sign": np.sign(x), "not": ~x, "popcnt": popcnt})


def test_bool_not():
    x = np.array([True, False, True])
    np.testing.assert_array_equal(irax.jit(lax.bitwise_not)(x), ~x)


FLOAT_BINARY = {
    "add": np.add, "sub": np.subtract, "mul": np.multiply, "div": np.divide,
    "rem": np.fmod, "max": np.maximum, "min": np.minimum, "atan2": np.arctan2,
}


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_float_binary(dtype, request):
    _x64_if(dtype, request)
    rng = np.random.default_rng(2)
    a = rng.uniform(-5, 5, (3, 4)).astype(dtype)
    b = rng.uniform(-5, 5, (3, 4)).astype(dtype)
    b[0, 0] = 0.5  # keep away from 0 for div/rem
    a[1, 1], b[1, 1] = -7.5, 2.0  # negative rem
    p = np.abs(a) + 0.1  # pow base > 0
    f = irax.jit(lambda a, b, p: dict(
        {n: getattr(lax, n)(a, b) for n in FLOAT_BINARY}, pow=lax.pow(p, b)))
    want = {n: ref(a, b).astype(dtype) for n, ref in FLOAT_BINARY.items()}
    want["pow"] = np.power(p, b)
    check(f(a, b, p), want, rtol=1e-5 if dtype == "float32" else 1e-12)


def test_float_pow_negative_base_integral_exponent():
    a = np.array([-2.0, -3.0, -0.5, 2.0, 0.0], np.float32)
    b = np.array([2.0, 3.0, -2.0, 0.5, 2.0], np.float32)
    np.testing.assert_allclose(irax.jit(lax.pow)(a, b), np.power(a, b), rtol=1e-6)


def test_float_max_min_propagate_nan():
    a = np.array([np.nan, 1.0, 2.0], np.float32)
    b = np.array([0.0, np.nan, 1.0], np.float32)
    f = irax.jit(lambda a, b: {"max": lax.max(a, b), "min": lax.min(a, b)})
    check(f(a, b), {"max": np.maximum(a, b), "min": np.minimum(a, b)})


INT_BINARY = {
    "add": np.add, "sub": np.subtract, "mul": np.multiply, "max": np.maximum,
    "min": np.minimum, "bitwise_and": np.bitwise_and, "bitwise_or": np.bitwise_or,
    "bitwise_xor": np.bitwise_xor,
}


def _c_div(a, b):
    return (np.sign(a) * np.sign(b) * (np.abs(a) // np.abs(b))).astype(a.dtype)


def test_int_binary():
    a = np.array([7, -7, 7, -7, 0, 13, -13, 100], np.int32)
    b = np.array([2, 2, -2, -2, 3, 5, 5, -9], np.int32)
    f = irax.jit(lambda a, b: dict({n: getattr(lax, n)(a, b) for n in INT_BINARY},
                                   div=lax.div(a, b), rem=lax.rem(a, b)))
    want = {n: ref(a, b) for n, ref in INT_BINARY.items()}
    want["div"] = _c_div(a, b)  # rounds toward zero, as in C and XLA
    want["rem"] = np.fmod(a, b)  # takes the sign of the dividend
    check(f(a, b), want)


def test_int_pow():
    a = np.array([2, -3, 0, 1, -1, 5], np.int32)
    b = np.array([10, 3, 0, 7, 5, 2], np.int32)
    np.testing.assert_array_equal(irax.jit(lax.pow)(a, b), a ** b)


def test_shifts_in_and_out_of_range():
    a = np.array([1, -8, 0x70000000, -1, 5, -5, 3, 3], np.int32)
    s = np.array([3, 1, 4, 31, 32, 33, 100, -1], np.int32)
    f = irax.jit(lambda a, s: {"shl": lax.shift_left(a, s), "shrl": lax.shift_right_logical(a, s),
                               "shra": lax.shift_right_arithmetic(a, s)})
    u, in_range = a.view(np.uint32), (s >= 0) & (s < 32)
    sc = np.where(in_range, s, 0)
    shl = np.where(in_range, (u << sc.astype(np.uint32)).view(np.int32), 0)
    shrl = np.where(in_range, (u >> sc.astype(np.uint32)).view(np.int32), 0)
    shra = np.where(in_range, a >> sc, np.where(a < 0, -1, 0))
    check(f(a, s), {"shl": shl.astype(np.int32), "shrl": shrl.astype(np.int32),
                    "shra": shra.astype(np.int32)})


def test_bool_bitwise():
    a = np.array([True, True, False, False])
    b = np.array([True, False, True, False])
    f = irax.jit(lambda a, b: {"and": lax.bitwise_and(a, b), "or": lax.bitwise_or(a, b),
                               "xor": lax.bitwise_xor(a, b)})
    check(f(a, b), {"and": a & b, "or": a | b, "xor": a ^ b})


COMPARES = {"eq": np.equal, "ne": np.not_equal, "lt": np.less, "le": np.less_equal,
            "gt": np.greater, "ge": np.greater_equal}


@pytest.mark.parametrize("dtype", ["float32", "int32", "bool"])
def test_compare(dtype):
    if dtype == "float32":
        a = np.array([1.0, 2.0, np.nan, 3.0, -0.0, np.inf], np.float32)
        b = np.array([1.0, 1.0, 1.0, np.nan, 0.0, np.inf], np.float32)
    elif dtype == "int32":
        a = np.array([1, -2, 3, -2**31, 7, 0], np.int32)
        b = np.array([1, 2, -3, 2**31 - 1, 7, -1], np.int32)
    else:
        a = np.array([True, True, False, False])
        b = np.array([True, False, True, False])
    f = irax.jit(lambda a, b: {n: getattr(lax, n)(a, b) for n in COMPARES})
    check(f(a, b), {n: ref(a, b) for n, ref in COMPARES.items()})


def test_select_and_clamp():
    p = np.array([[True, False, True], [False, False, True]])
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    b = -a - 1
    lo, hi = np.float32(1.5), np.float32(3.5)
    los = np.full((2, 3), 0.5, np.float32)
    his = np.array([[1, 2, 3], [4, 4, 4]], np.float32)
    f = irax.jit(lambda p, a, b, lo, hi, los, his: {
        "select": lax.select(p, a, b), "select_scalar": lax.select(p[0, 0], a, b),
        "clamp": lax.clamp(lo, a, hi), "clamp_arrays": lax.clamp(los, a, his)})
    check(f(p, a, b, lo, hi, los, his), {
        "select": np.where(p, a, b), "select_scalar": a, "clamp": np.clip(a, lo, hi),
        "clamp_arrays": np.minimum(np.maximum(a, los), his)})


def test_int_clamp_scalar_bounds():
    x = np.array([-5, 0, 3, 9], np.int32)
    out = irax.jit(lambda x: lax.clamp(np.int32(-1), x, np.int32(4)))(x)
    np.testing.assert_array_equal(out, np.clip(x, -1, 4))


def test_convert_element_type():
    x = np.array([-2.7, -0.5, 0.0, 0.5, 1.9, 300.2, np.nan], np.float32)
    big = np.array([3e9, -3e9, np.inf, -np.inf, np.nan, 2.0**31, -2.0**31], np.float32)
    i = np.array([-3, 0, 1, 2, 255, 7, -2**31], np.int32)
    b = np.array([True, False, True, True, False, False, True])
    f = irax.jit(lambda x, i, b, big: {
        "f2i": lax.convert_element_type(x[:6], "int32"),
        "f2i_saturate": lax.convert_element_type(big, "int32"),
        "f2i8_saturate": lax.convert_element_type(x, "int8"),
        "f2b": lax.convert_element_type(x, "bool"),
        "i2b": lax.convert_element_type(i, "bool"),
        "i2f": lax.convert_element_type(i, "float32"),
        "b2f": lax.convert_element_type(b, "float32"),
        "b2i": lax.convert_element_type(b, "int32"),
        "f2h": lax.convert_element_type(x, "float16"),
        "h2f": lax.convert_element_type(lax.convert_element_type(x, "float16"), "float32"),
        "i2i8": lax.convert_element_type(i, "int8"),
    })
    imax, imin = 2**31 - 1, -2**31
    check(f(x, i, b, big), {
        "f2i": np.trunc(x[:6]).astype(np.int32),
        # out of range saturates, NaN gives 0 (as XLA converts)
        "f2i_saturate": np.array([imax, imin, imax, imin, 0, imax, imin], np.int32),
        "f2i8_saturate": np.array([-2, 0, 0, 0, 1, 127, 0], np.int8),"f2b": x != 0, "i2b": i != 0,
        "i2f": i.astype(np.float32), "b2f": b.astype(np.float32), "b2i": b.astype(np.int32),
        "f2h": x.astype(np.float16), "h2f": x.astype(np.float16).astype(np.float32),
        "i2i8": i.astype(np.int8)})


def test_convert_element_type_x64(x64):
    x = np.array([-2.7, 1e-30, 3.4e38, 1.0 / 3.0], np.float64)
    i = np.array([-2**40 - 3, 2**33 + 5, -1, 7], np.int64)
    f = irax.jit(lambda x, i: {
        "d2f": lax.convert_element_type(x, "float32"),
        "f2d": lax.convert_element_type(lax.convert_element_type(x, "float32"), "float64"),
        "l2i": lax.convert_element_type(i, "int32"),
        "i2l": lax.convert_element_type(lax.convert_element_type(i, "int32"), "int64"),
        "l2d": lax.convert_element_type(i, "float64"),
        "d2l": lax.convert_element_type(x * 1e9, "int64"),
    })
    check(f(x, i), {
        "d2f": x.astype(np.float32), "f2d": x.astype(np.float32).astype(np.float64),
        "l2i": i.astype(np.int32), "i2l": i.astype(np.int32).astype(np.int64),
        "l2d": i.astype(np.float64), "d2l": np.array([-2700000000, 0, 2**63 - 1, 333333333], np.int64)})  # saturates


def test_bitcast_convert_type():
    x = np.array([1.0, -2.5, 0.0, np.inf], np.float32)
    out = irax.jit(lambda x: lax.bitcast_convert_type(x, "int32"))(x)
    np.testing.assert_array_equal(out, x.view(np.int32))


def test_integer_pow():
    x = np.array([-2.0, -0.5, 0.5, 1.5, 3.0], np.float32)
    ys = (0, 1, 2, 3, 5, 8, -1, -2, -3)
    f = irax.jit(lambda x: {f"y{y}": lax.integer_pow(x, y) for y in ys})
    check(f(x), {f"y{y}": np.power(x.astype(np.float64), y).astype(np.float32) for y in ys},
          rtol=1e-6)
    i = np.array([-3, -1, 0, 2, 7], np.int32)
    g = irax.jit(lambda i: {f"y{y}": lax.integer_pow(i, y) for y in (0, 1, 2, 3)})
    check(g(i), {f"y{y}": i ** y for y in (0, 1, 2, 3)})


# --------------------------------------------------------------------------
# Shapes
# --------------------------------------------------------------------------

def test_broadcast_reshape_transpose_rev():
    x = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    c = np.arange(3, dtype=np.float32).reshape(3, 1)
    s = np.float32(2.5)
    f = irax.jit(lambda x, c, s: {
        "bcast": lax.broadcast_in_dim(c, (2, 3, 4), (1, 2)),
        "bcast_scalar": lax.broadcast_in_dim(s, (2, 3), ()),
        "bcast_ones": lax.broadcast_in_dim(c[:1], (1, 5, 2), (0, 2)),
        "reshape_2d": lax.reshape(x, (6, 4)),
        "reshape_1d": lax.reshape(x, (24,)),
        "reshape_3d": lax.reshape(x, (4, 3, 2)),
        "reshape_dims": lax.reshape(x, (4, 6), dimensions=(2, 0, 1)),
        "reshape_to_scalar": lax.reshape(c[:1, :1], ()),
        "reshape_from_scalar": lax.reshape(s, (1, 1)),
        "transpose": lax.transpose(x, (2, 0, 1)),
        "rev": lax.rev(x, (0, 2)),
    })
    check(f(x, c, s), {
        "bcast": np.broadcast_to(c, (2, 3, 4)),
        "bcast_scalar": np.full((2, 3), s),
        "bcast_ones": np.broadcast_to(c[:1].reshape(1, 1, 1), (1, 5, 2)),
        "reshape_2d": x.reshape(6, 4), "reshape_1d": x.reshape(24),
        "reshape_3d": x.reshape(4, 3, 2),
        "reshape_dims": x.transpose(2, 0, 1).reshape(4, 6),
        "reshape_to_scalar": c[0, 0], "reshape_from_scalar": np.full((1, 1), s),
        "transpose": x.transpose(2, 0, 1), "rev": x[::-1, :, ::-1]})


# --------------------------------------------------------------------------
# Reductions
# --------------------------------------------------------------------------

REDUCTIONS = {"reduce_sum": np.sum, "reduce_max": np.max, "reduce_min": np.min,
              "reduce_prod": np.prod}
AXES = [(0,), (1,), (0, 2), (0, 1, 2), ()]


@pytest.mark.parametrize("dtype", ["float32", "int32", "float64"])
def test_reductions(dtype, request):
    _x64_if(dtype, request)
    rng = np.random.default_rng(3)
    x = (rng.uniform(-2, 2, (2, 3, 4)) if dtype != "int32"
         else rng.integers(-3, 4, (2, 3, 4))).astype(dtype)
    f = irax.jit(lambda x: {f"{n}{ax}": getattr(lax, n)(x, ax) for n in REDUCTIONS for ax in AXES})
    check(f(x), {f"{n}{ax}": ref(x, axis=ax).astype(dtype)
                 for n, ref in REDUCTIONS.items() for ax in AXES},
          rtol=1e-5 if dtype == "float32" else 1e-12)


def test_float_reductions_propagate_nan_and_inf():
    x = np.array([[1.0, np.nan, 3.0], [-np.inf, 2.0, 0.5]], np.float32)
    f = irax.jit(lambda x: {n: getattr(lax, n)(x, (1,)) for n in REDUCTIONS})
    check(f(x), {n: ref(x, axis=1) for n, ref in REDUCTIONS.items()})


def test_bool_reductions():
    x = np.array([[True, True, False], [True, True, True], [False, False, False]])
    f = irax.jit(lambda x: {"and0": lax.reduce_and(x, (0,)), "and1": lax.reduce_and(x, (1,)),
                            "or0": lax.reduce_or(x, (0,)), "or1": lax.reduce_or(x, (1,)),
                            "and_all": lax.reduce_and(x, (0, 1)),
                            "or_all": lax.reduce_or(x, (0, 1))})
    check(f(x), {"and0": x.all(0), "and1": x.all(1), "or0": x.any(0), "or1": x.any(1),
                 "and_all": x.all(), "or_all": x.any()})


def test_argmax_argmin_ties_and_nan():
    x = np.array([[1.0, 3.0, 3.0, 0.0, 0.0],
                  [2.0, np.nan, 5.0, np.nan, -1.0],
                  [-np.inf, -np.inf, -np.inf, -np.inf, -np.inf],
                  [np.inf, np.inf, 1.0, -7.0, -7.0]], np.float32)
    f = irax.jit(lambda x: {"max1": lax.argmax(x, 1, "int32"), "min1": lax.argmin(x, 1, "int32"),
                            "max0": lax.argmax(x, 0, "int32"), "min0": lax.argmin(x, 0, "int32")})
    check(f(x), {"max1": np.argmax(x, 1).astype(np.int32), "min1": np.argmin(x, 1).astype(np.int32),
                 "max0": np.argmax(x, 0).astype(np.int32), "min0": np.argmin(x, 0).astype(np.int32)})


def test_argmax_int_and_bool():
    i = np.array([[-2**31, -2**31, 4], [7, 7, 7], [2**31 - 1, 0, 2**31 - 1]], np.int32)
    b = np.array([[False, True, True], [False, False, False], [True, False, True]])
    f = irax.jit(lambda i, b: {"imax": lax.argmax(i, 1, "int32"), "imin": lax.argmin(i, 1, "int32"),
                               "bmax": lax.argmax(b, 1, "int32"), "bmin": lax.argmin(b, 1, "int32")})
    check(f(i, b), {"imax": np.argmax(i, 1).astype(np.int32),
                    "imin": np.argmin(i, 1).astype(np.int32),
                    "bmax": np.argmax(b, 1).astype(np.int32),
                    "bmin": np.argmin(b, 1).astype(np.int32)})


# --------------------------------------------------------------------------
# dot_general
# --------------------------------------------------------------------------

DOTS = {  # name: (lhs shape, rhs shape, ((lc, rc), (lb, rb)), einsum)
    "matmul": ((3, 4), (4, 5), (((1,), (0,)), ((), ())), "ik,kj->ij"),
    "matvec": ((3, 4), (4,), (((1,), (0,)), ((), ())), "ik,k->i"),
    "vecmat": ((4,), (4, 5), (((0,), (0,)), ((), ())), "k,kj->j"),
    "vdot": ((4,), (4,), (((0,), (0,)), ((), ())), "k,k->"),
    "outer": ((3,), (5,), (((), ()), ((), ())), "i,j->ij"),
    "lhs_t": ((4, 3), (4, 5), (((0,), (0,)), ((), ())), "ki,kj->ij"),
    "rhs_t": ((3, 4), (5, 4), (((1,), (1,)), ((), ())), "ik,jk->ij"),
    "bmm": ((2, 3, 4), (2, 4, 5), (((2,), (1,)), ((0,), (0,))), "bik,bkj->bij"),
    "batch_mid": ((3, 2, 4), (4, 5, 2), (((2,), (0,)), ((1,), (2,))), "ibk,kjb->bij"),
    "two_contract": ((2, 3, 4), (4, 5, 2), (((2, 0), (0, 2)), ((), ())), "akb,bja->kj"),
    "two_batch": ((2, 3, 4, 5), (3, 2, 5), (((3,), (2,)), ((0, 1), (1, 0))), "abik,bak->abi"),
}


@pytest.mark.parametrize("dtype", ["float32", "int32", "float64"])
def test_dot_general(dtype, request):
    _x64_if(dtype, request)
    rng = np.random.default_rng(4)
    ins = {n: ((rng.uniform(-1, 1, l) if dtype != "int32" else rng.integers(-5, 6, l)).astype(dtype),
               (rng.uniform(-1, 1, r) if dtype != "int32" else rng.integers(-5, 6, r)).astype(dtype))
           for n, (l, r, _, _) in DOTS.items()}
    f = irax.jit(lambda ins: {n: lax.dot_general(a, b, DOTS[n][2]) for n, (a, b) in ins.items()})
    want = {n: np.einsum(DOTS[n][3], a, b).astype(dtype) for n, (a, b) in ins.items()}
    check(f(ins), want, rtol=1e-5 if dtype == "float32" else 1e-12, atol=1e-6)


def test_dot_general_preferred_element_type():
    a = np.arange(6, dtype=np.int32).reshape(2, 3)
    b = np.arange(3, dtype=np.int32)
    out = irax.jit(lambda a, b: lax.dot(a, b, preferred_element_type="float32"))(a, b)
    np.testing.assert_array_equal(out, (a @ b).astype(np.float32))


def test_dot_general_shape_error_names_dims_and_line():
    with pytest.raises(irax.IraxTypeError, match=r"dot_general: contracting dimensions differ: "
                       r"lhs dim 1 has size 3, rhs dim 0 has size 4.*test_lax_ops.py:\d+"):
        irax.make_ir(lambda a, b: lax.dot(a, b))(np.ones((2, 3), np.float32),
                                                 np.ones((4, 5), np.float32))


# --------------------------------------------------------------------------
# Slicing, padding, concatenation, iota
# --------------------------------------------------------------------------

def test_slice_concatenate_pad():
    x = np.arange(30, dtype=np.float32).reshape(5, 6)
    y = np.arange(10, dtype=np.float32).reshape(5, 2) + 100
    f = irax.jit(lambda x, y: {
        "slice": lax.slice(x, (1, 0), (4, 5)),
        "slice_strided": lax.slice(x, (0, 1), (5, 6), (2, 3)),
        "slice_empty": lax.slice(x, (2, 0), (2, 6)),
        "concat1": lax.concatenate([x, y, x[:, :1]], 1),
        "concat0": lax.concatenate([x, x[:2]], 0),
        "pad": lax.pad(x, 0.0, [(1, 2, 0), (0, 3, 0)]),
        "pad_negative": lax.pad(x, -1.0, [(-1, 2, 0), (3, -2, 0)]),
        "pad_interior": lax.pad(x, -1.0, [(1, 0, 1), (0, 2, 2)]),
        "pad_interior_negative": lax.pad(x, -1.0, [(-2, -1, 1), (-1, 2, 2)]),
    })
    check(f(x, y), {
        "slice": x[1:4, 0:5], "slice_strided": x[0:5:2, 1:6:3], "slice_empty": x[2:2, :],
        "concat1": np.concatenate([x, y, x[:, :1]], 1), "concat0": np.concatenate([x, x[:2]], 0),
        "pad": _np_pad(x, 0.0, [(1, 2, 0), (0, 3, 0)]),
        "pad_negative": _np_pad(x, -1.0, [(-1, 2, 0), (3, -2, 0)]),
        "pad_interior": _np_pad(x, -1.0, [(1, 0, 1), (0, 2, 2)]),
        "pad_interior_negative": _np_pad(x, -1.0, [(-2, -1, 1), (-1, 2, 2)])})


def _np_pad(x, value, config):
    """lax.pad semantics in NumPy: interior dilation, then low/high (negative crops)."""
    for d, (lo, hi, it) in enumerate(config):
        n = x.shape[d]
        shape = list(x.shape)
        shape[d] = n + max(n - 1, 0) * it
        dil = np.full(shape, value, x.dtype)
        idx = [slice(None)] * x.ndim
        idx[d] = slice(None, None, it + 1)
        dil[tuple(idx)] = x
        widths = [(0, 0)] * x.ndim
        widths[d] = (max(lo, 0), max(hi, 0))
        padded = np.pad(dil, widths, constant_values=value)
        idx = [slice(None)] * x.ndim
        idx[d] = slice(max(-lo, 0), padded.shape[d] - max(-hi, 0))
        x = padded[tuple(idx)]
    return x


def test_dynamic_slice_and_update_clamp_like_xla():
    x = np.arange(20, dtype=np.float32).reshape(4, 5)
    u = -np.arange(6, dtype=np.float32).reshape(2, 3) - 1
    starts = [(1, 2), (-3, 1), (3, 9), (100, -100)]
    f = irax.jit(lambda x, u, i, j: {
        "ds": lax.dynamic_slice(x, (i, j), (2, 3)),
        "dus": lax.dynamic_update_slice(x, u, (i, j)),
        "x": x})  # the operand stays usable after an update
    for i, j in starts:
        si, sj = i + 4 if i < 0 else i, j + 5 if j < 0 else j  # negative starts count from the end
        ci, cj = min(max(si, 0), 2), min(max(sj, 0), 2)
        want = x.copy()
        want[ci:ci + 2, cj:cj + 3] = u
        check(f(x, u, np.int32(i), np.int32(j)),
              {"ds": x[ci:ci + 2, cj:cj + 3], "dus": want, "x": x})


def test_dynamic_slice_int64_index(x64):
    x = np.arange(10, dtype=np.int64)
    f = irax.jit(lambda x, i: lax.dynamic_slice(x, (i,), (3,)))
    np.testing.assert_array_equal(f(x, np.int64(2**40)), x[7:])
    np.testing.assert_array_equal(f(x, np.int64(4)), x[4:7])


def test_iota():
    f = irax.jit(lambda: {"iota": lax.iota("int32", 5), "fiota": lax.iota("float32", 4),
                          "b0": lax.broadcasted_iota("int32", (2, 3), 0),
                          "b1": lax.broadcasted_iota("float32", (2, 3), 1)})
    check(f(), {"iota": np.arange(5, dtype=np.int32), "fiota": np.arange(4, dtype=np.float32),
                "b0": np.broadcast_to(np.arange(2, dtype=np.int32)[:, None], (2, 3)),
                "b1": np.broadcast_to(np.arange(3, dtype=np.float32), (2, 3))})


# --------------------------------------------------------------------------
# Cumulative ops
# --------------------------------------------------------------------------

def _cum(ref, x, axis, reverse):
    if reverse:
        return np.flip(ref(np.flip(x, axis), axis=axis), axis)
    return ref(x, axis=axis)


CUMS = {"cumsum": np.cumsum, "cumprod": np.cumprod, "cummax": np.maximum.accumulate,
        "cummin": np.minimum.accumulate}


@pytest.mark.parametrize("dtype", ["float32", "int32"])
def test_cumulative(dtype):
    rng = np.random.default_rng(5)
    x = (rng.uniform(0.5, 1.5, (3, 7)) * rng.choice([-1, 1], (3, 7)) if dtype == "float32"
         else rng.integers(-3, 4, (3, 7))).astype(dtype)
    cases = [(n, ax, rev) for n in CUMS for ax in (0, 1) for rev in (False, True)]
    f = irax.jit(lambda x: {f"{n}{ax}{rev}": getattr(lax, n)(x, ax, rev) for n, ax, rev in cases})
    check(f(x), {f"{n}{ax}{rev}": _cum(CUMS[n], x, ax, rev).astype(dtype) for n, ax, rev in cases},
          rtol=1e-5)


def test_cumsum_long_axis_and_argument_unchanged():
    x = np.random.default_rng(6).uniform(-1, 1, (2, 1000)).astype(np.float32)
    f = irax.jit(lambda x: (lax.cumsum(x, 1), lax.cumsum(x, 1, reverse=True), x))
    a, b, same = f(x)
    np.testing.assert_allclose(a, np.cumsum(x, 1), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(b, np.flip(np.cumsum(np.flip(x, 1), 1), 1), rtol=1e-4, atol=1e-4)
    np.testing.assert_array_equal(same, x)


# --------------------------------------------------------------------------
# gather / scatter through NumPy indexing
# --------------------------------------------------------------------------

def test_gather_via_indexing():
    x = np.arange(60, dtype=np.float32).reshape(3, 4, 5)
    i = np.array([2, 0, 2, 1], np.int32)
    j = np.array([[1, 2], [0, -1]], np.int32)
    f = irax.jit(lambda x, i, j: {"rows": x[i], "mixed": x[i, :, i],
                                  "nd": x[1, j], "pair": x[j, j]})
    check(f(x, i, j), {"rows": x[i], "mixed": x[i, :, i], "nd": x[1, j], "pair": x[j, j]})


def test_scatter_via_at():
    x = np.arange(12, dtype=np.float32).reshape(4, 3)
    i = np.array([0, 2, 0, 3], np.int32)
    v = np.arange(12, dtype=np.float32).reshape(4, 3) * 10 - 50
    f = irax.jit(lambda x, i, v: {
        "set": jnp.asarray(x).at[i[1:]].set(v[1:]), "add": jnp.asarray(x).at[i].add(v),
        "mul": jnp.asarray(x).at[i].multiply(v), "min": jnp.asarray(x).at[i].min(v),
        "max": jnp.asarray(x).at[i].max(v), "x": x})
    want = {"x": x}
    s = x.copy()
    s[i[1:]] = v[1:]
    want["set"] = s
    for name, ufunc in (("add", np.add), ("mul", np.multiply), ("min", np.minimum),
                        ("max", np.maximum)):
        w = x.copy()
        ufunc.at(w, i, v)
        want[name] = w
    check(f(x, i, v), want)


def test_scatter_int_elementwise_index():
    x = np.zeros(6, np.int32)
    i = np.array([5, 1, 5, 5], np.int32)
    out = irax.jit(lambda x, i: jnp.asarray(x).at[i].add(np.int32(2)))(x, i)
    np.testing.assert_array_equal(out, [0, 2, 0, 0, 0, 6])


def test_bool_constant_arrays():
    """Non-splat i1 constants of every size survive encoding, folding and lowering."""
    m3 = np.array([True, False, True])
    m10 = np.array([True, False, True, False, False, True, True, True, False, True])
    f = irax.jit(lambda x, y: {"m3": lax.select(jnp.asarray(m3), x, -x),
                               "m10": lax.select(jnp.asarray(m10), y, -y)})
    x, y = np.arange(3, dtype=np.float32) + 1, np.arange(10, dtype=np.float32) + 1
    check(f(x, y), {"m3": np.where(m3, x, -x), "m10": np.where(m10, y, -y)})


def test_updates_leave_argument_arrays_unchanged():
    """IREE updates function arguments in place when allowed to: the caller's
    arrays (device arrays with no host copy) must survive every update op."""
    make = irax.jit(lambda: jnp.zeros((4, 5), np.float32))
    u = np.ones((2, 3), np.float32)
    i, j = np.int32(1), np.int32(2)
    updates = {
        "dus": lambda x: lax.dynamic_update_slice(x, u, (i, j)),
        "dus_of_reshape": lambda x: lax.dynamic_update_slice(lax.reshape(x, (5, 4)), u, (i, j)),
        "dus_of_times_one": lambda x: lax.dynamic_update_slice(x * 1.0, u, (i, j)),
        "at_set": lambda x: x.at[np.array([0, 2], np.int32)].set(7.0),
        "at_add": lambda x: x.at[1, 2:].add(1.0),
    }
    for name, f in updates.items():
        x = make()
        out = np.asarray(irax.jit(f)(x))
        assert out.sum() != 0, name
        np.testing.assert_array_equal(np.asarray(x), np.zeros((4, 5), np.float32), err_msg=name)


def test_shape_and_arithmetic_wrappers():
    x = np.arange(24, dtype=np.float32).reshape(2, 1, 3, 4) + 1
    v = np.arange(4, dtype=np.float32)
    f = irax.jit(lambda x, v, i: {
        "squeeze": lax.squeeze(x, (1,)), "expand_dims": lax.expand_dims(v, (0, 2)),
        "broadcast": lax.broadcast(v, (2, 3)), "slice_in_dim": lax.slice_in_dim(x, 1, 4, 2, axis=3),
        "index_keep": lax.dynamic_index_in_dim(x, i, axis=2),
        "index_drop": lax.dynamic_index_in_dim(x, i, axis=2, keepdims=False),
        "square": lax.square(v), "reciprocal": lax.reciprocal(x), "dot": lax.dot(x[0, 0], v),
    })
    check(f(x, v, np.int32(2)), {
        "squeeze": x[:, 0], "expand_dims": v.reshape(1, 4, 1),
        "broadcast": np.broadcast_to(v, (2, 3, 4)), "slice_in_dim": x[..., 1:4:2],
        "index_keep": x[:, :, 2:3], "index_drop": x[:, :, 2], "square": v * v,
        "reciprocal": 1 / x, "dot": x[0, 0] @ v}, rtol=1e-6)
