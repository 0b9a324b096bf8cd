"""float64 math that llvm-cpu has no libm for (lowering/f64_math.py), against Python's
libm (`math.*`, correctly rounded or within 1 ulp) in ulps, and NumPy on NaN/inf/+-0.

One jit per function on one large vector. IREE's CPU code flushes subnormals to zero
(DAZ/FTZ), so for a subnormal input either f(x) or f(+-0) is accepted, and a result
that would be subnormal may come back as +-0.
"""
import math

import ml_dtypes
import numpy as np
import pytest

import irax
from irax import lax
from irax.lowering import f64_math

TINY = np.finfo(np.float64).tiny
MAX = np.finfo(np.float64).max
SPECIALS = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1.0, -1.0, 0.5, -0.5, 2.0, 5e-324,
                     -5e-324, 1e-310, TINY, -TINY, 1e-300, -1e-300, 1e300, MAX, -MAX])


@pytest.fixture
def x64():
    irax.config.update("jax_enable_x64", True)
    yield
    irax.config.update("jax_enable_x64", False)


def _uniform(rng, lo, hi, n=6000):
    return rng.uniform(lo, hi, n)


def _log_spaced(rng, lo, hi, n=6000, signed=True):
    v = np.exp(rng.uniform(np.log(lo), np.log(hi), n))
    return v * rng.choice([-1.0, 1.0], n) if signed else v


def _domains(rng):
    u, g = (lambda *a, **k: _uniform(rng, *a, **k)), (lambda *a, **k: _log_spaced(rng, *a, **k))
    trig = np.concatenate([u(-10, 10), g(1e-300, 1e5), g(1e5, 1e8), g(1e8, 1e300, 2000),
                           np.arange(1, 3000) * (np.pi / 2), np.arange(1, 3000) * 1e5 * np.pi])
    unit = np.concatenate([u(-1, 1), 1 - g(1e-16, 1, 2000, False), g(1e-16, 1, 2000, False) - 1,
                           g(1e-300, 1)])
    return {
        "sin": trig, "cos": trig, "tan": trig,
        "atan": np.concatenate([u(-4, 4), g(1e-300, 1e300)]),
        "asin": unit, "acos": unit,
        "tanh": np.concatenate([u(-25, 25), g(1e-300, 1e3)]),
        "expm1": np.concatenate([u(-45, 45), g(1e-300, 1), u(-800, 720, 2000)]),
        "log1p": np.concatenate([u(-1, 3), g(1e-300, 1e300, signed=False), -g(1e-300, 1, signed=False)]),
        "sinh": np.concatenate([u(-30, 30), g(1e-300, 1), u(-720, 720, 2000)]),
        "asinh": np.concatenate([u(-5, 5), g(1e-300, 1e300)]),
        "acosh": np.concatenate([1 + g(1e-16, 10, signed=False), g(1, 1e300, 2000, signed=False)]),
        "atanh": np.concatenate([u(-1, 1), g(1e-300, 1), 1 - g(1e-16, 1, 2000, False)]),
        "cbrt": np.concatenate([u(-10, 10), g(1e-323, 1e308)]),
        "erf": np.concatenate([u(-7, 7), g(1e-300, 10), u(1.9, 2.1, 2000)]),
    }


NUMPY_NAME = {"asin": "arcsin", "acos": "arccos", "atan": "arctan", "asinh": "arcsinh",
              "acosh": "arccosh", "atanh": "arctanh"}
# max ulp error measured over these domains (report them if they change)
ULP_BOUND = {"sin": 1, "cos": 1, "tan": 2, "atan": 1, "asin": 2, "acos": 2, "tanh": 2,
             "expm1": 2, "log1p": 2, "sinh": 2, "asinh": 2, "acosh": 2, "atanh": 2, "cbrt": 1,
             "erf": 1}


def _reference(name, x):
    """libm where defined, NumPy (NaN, +-inf) outside the domain. (Python's math.cbrt
    is up to 3 ulp off; NumPy's cbrt is not.)"""
    f = np.cbrt if name == "cbrt" else getattr(math, name)
    out = np.empty_like(x)
    for i, v in enumerate(x):
        try:
            out[i] = f(v)
        except (ValueError, OverflowError):
            with np.errstate(all="ignore"):
                out[i] = getattr(np, NUMPY_NAME.get(name, name))(v)
    return out


def _flushed(x):
    return np.where(np.abs(x) < TINY, np.copysign(0.0, x), x)


def _ulp_errors(got, want):
    """|got - want| in ulps of want; NaN/inf/zero must match exactly (zeros with sign)."""
    exact = ~np.isfinite(want) | (want == 0) | ~np.isfinite(got)
    same = (got == want) & (np.signbit(got) == np.signbit(want)) | np.isnan(got) & np.isnan(want)
    err = np.where(exact, np.where(same, 0.0, np.inf), 0.0)
    ok = ~exact
    err[ok] = np.abs(got[ok] - want[ok]) / np.spacing(np.abs(want[ok]))
    # a result in the subnormal range may be flushed to zero
    tiny = np.finfo(want.dtype).tiny
    err[(np.abs(want) < tiny) & (np.abs(got) < tiny)] = 0.0
    return err


@pytest.mark.parametrize("name", sorted(ULP_BOUND))
def test_f64_unary_ulp(x64, name):
    rng = np.random.default_rng(sorted(ULP_BOUND).index(name))
    x = np.concatenate([_domains(rng)[name], SPECIALS])
    got = np.asarray(irax.jit(getattr(lax, name))(x))
    assert got.dtype == np.float64 and got.shape == x.shape
    err = np.minimum(_ulp_errors(got, _reference(name, x)),
                     _ulp_errors(got, _reference(name, _flushed(x))))
    worst = int(np.argmax(err))
    assert err[worst] <= ULP_BOUND[name], (name, x[worst], got[worst], err[worst])
    if name == "erf":
        want = _reference("erf", x)
        fin = np.isfinite(want) & (np.abs(x) >= TINY)
        rel = np.abs(got[fin] - want[fin]) / np.maximum(np.abs(want[fin]), TINY)
        assert rel.max() <= 1e-15  # well inside the 1e-14 asked of erf


def test_f64_trig_huge_arguments(x64):
    """Cody-Waite (k in two parts, 7 pieces of pi/2) below TRIG_EXACT_LIMIT (~1.35e16),
    Payne-Hanek above, up to the largest double: 1 ulp for sin and cos, 2 for tan,
    also next to multiples of pi/2 and on both sides of the limit."""
    rng = np.random.default_rng(7)
    lim = f64_math.TRIG_EXACT_LIMIT
    x = np.concatenate([_log_spaced(rng, 1e5, 1e8, 3000), _log_spaced(rng, 1e8, lim, 3000),
                        _log_spaced(rng, lim, MAX, 3000),
                        np.round(np.arange(1, 2000) * 1e5 * np.pi / 2),  # near multiples of pi/2
                        np.arange(1, 1000) * 2.0 ** 60 * np.pi, [lim, np.nextafter(lim, 0), MAX]])
    f = irax.jit(lambda v: (lax.sin(v), lax.cos(v), lax.tan(v)))
    s, c, t = (np.asarray(a) for a in f(x))
    assert _ulp_errors(s, _reference("sin", x)).max() <= 1
    assert _ulp_errors(c, _reference("cos", x)).max() <= 1
    assert _ulp_errors(t, _reference("tan", x)).max() <= 2


def test_f64_atan2_grid_and_specials(x64):
    rng = np.random.default_rng(11)
    n = 8000
    y = np.concatenate([_log_spaced(rng, 1e-300, 1e300, n), rng.uniform(-3, 3, n)])
    x = np.concatenate([_log_spaced(rng, 1e-300, 1e300, n), rng.uniform(-3, 3, n)])
    sp = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1.0, -1.0, 3.5, -3.5, 5e-324])
    y = np.concatenate([y, np.repeat(sp, sp.size)])
    x = np.concatenate([x, np.tile(sp, sp.size)])
    got = np.asarray(irax.jit(lax.atan2)(y, x))
    with np.errstate(all="ignore"):
        want = np.array([math.atan2(a, b) if not (np.isnan(a) or np.isnan(b)) else np.nan
                         for a, b in zip(y, x)])
        want_flushed = np.arctan2(_flushed(y), _flushed(x))
        assert np.array_equal(np.arctan2(y[-sp.size ** 2:], x[-sp.size ** 2:]), want[-sp.size ** 2:],
                              equal_nan=True)
    err = np.minimum(_ulp_errors(got, want), _ulp_errors(got, want_flushed))
    worst = int(np.argmax(err))
    assert err[worst] <= 2, (y[worst], x[worst], got[worst], want[worst])


def test_f64_rem_is_exact_fmod(x64):
    """C fmod: exact, the sign of x, NaN for x = inf or y = 0; quotients up to 2**2000."""
    rng = np.random.default_rng(12)
    n = 6000
    x = np.concatenate([_log_spaced(rng, 1e-300, 1e300, n), rng.uniform(-100, 100, n)])
    y = np.concatenate([_log_spaced(rng, 1e-300, 1e300, n), rng.uniform(-10, 10, n)])
    sp = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1.0, -1.0, 0.1, MAX])
    x = np.concatenate([x, np.repeat(sp, sp.size), [1e308, -1e308, 7.5, -7.5]])
    y = np.concatenate([y, np.tile(sp, sp.size), [1e-300, 3e-300, 2.0, -2.0]])
    got = np.asarray(irax.jit(lax.rem)(x, y))
    with np.errstate(all="ignore"):
        want = np.fmod(x, y)
    want = np.where((np.abs(want) < TINY) & np.isfinite(x), np.copysign(0.0, x), want)  # FTZ
    same = (got == want) & (np.signbit(got) == np.signbit(want)) | np.isnan(got) & np.isnan(want)
    bad = np.flatnonzero(~same)
    assert bad.size == 0, [(x[i], y[i], got[i], want[i]) for i in bad[:5]]


def test_f64_math_in_one_function(x64):
    """The new formulas compose with other ops in one dispatch (the rem loop included)."""
    x = np.linspace(-0.9, 0.9, 101)
    f = irax.jit(lambda v: lax.rem(lax.sin(v) * 7.0 + lax.erf(v), lax.exp(v)) + lax.atan2(v, 0.5))
    with np.errstate(all="ignore"):
        want = np.fmod(np.sin(x) * 7.0 + np.vectorize(math.erf)(x), np.exp(x)) + np.arctan2(x, 0.5)
    np.testing.assert_allclose(np.asarray(f(x)), want, rtol=1e-14, atol=1e-14)


HALF_OPS = sorted(n.removeprefix("irax.") for n in f64_math.IN_F32_FOR_HALVES)
HALF_DOMAIN = {"log": (0.01, 100), "log1p": (-0.9, 10), "acosh": (1, 10), "asin": (-1, 1),
               "acos": (-1, 1), "atanh": (-0.99, 0.99), "rsqrt": (0.01, 10), "exp": (-8, 8),
               "sinh": (-8, 8), "cosh": (-8, 8), "tan": (-1.5, 1.5), "pow": (0.1, 3)}
HALF_REF = {"exp2": np.exp2, "logistic": lambda x: 1 / (1 + np.exp(-x)), "rsqrt": lambda x: 1 / np.sqrt(x),
            "erf": np.vectorize(math.erf)}


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_half_math_is_rounded_f32(dtype):
    """Every transcendental op on float16/bfloat16 is within 0.5 ulp (+ f32's error):
    computed in f32 and rounded once. (bfloat16 enters by a convert inside the jit.)"""
    half = np.float16 if dtype == "float16" else ml_dtypes.bfloat16
    # inputs already rounded to the half type, so the convert inside the jit is exact
    xs = [np.linspace(*HALF_DOMAIN.get(n, (-5, 5)), 801).astype(half).astype(np.float32)
          for n in HALF_OPS]

    second = np.full(801, 0.7, np.float32).astype(half).astype(np.float32)  # pow y, atan2 x

    def apply(name, v):
        v = lax.convert_element_type(v, dtype)
        if name in ("pow", "atan2"):
            return getattr(lax, name)(v, lax.convert_element_type(second, dtype))
        return getattr(lax, name)(v)

    outs = irax.jit(lambda *vs: [apply(n, v) for n, v in zip(HALF_OPS, vs)])(*xs)
    for name, x, got in zip(HALF_OPS, xs, outs):
        got = np.asarray(got)
        assert got.dtype == half, (name, got.dtype)
        xin = x.astype(half).astype(np.float64)
        x2 = second.astype(half).astype(np.float64)
        ref = {"pow": lambda v: np.power(v, x2), "atan2": lambda v: np.arctan2(v, x2),
               **HALF_REF}.get(name) or getattr(np, NUMPY_NAME.get(name, name))
        want = ref(xin)
        ulp = np.spacing(np.abs(want.astype(half))).astype(np.float64)
        err = np.abs(got.astype(np.float64) - want) / ulp
        assert np.nanmax(err) <= 0.51, (name, float(np.nanmax(err)))
        assert (np.isnan(got.astype(np.float64)) == np.isnan(want)).all(), name


F32_ULP_BOUND = {"sinh": 2, "asinh": 2, "atanh": 2, "acosh": 2, "sin": 1, "cos": 1, "tan": 3,
                 "atan": 1, "atan2": 1}


def test_f32_rules():
    """IREE's own f32 asinh/atanh return 0 below ~1e-7, acosh is ~1000 ulp off near
    1, sin/cos/tan have absolute errors (6e-8 near 0, 3e-5 at 1e3, 0.3 at 1e7), atan is
    ~35 ulp off; the f32 rules are within 1-3 ulp of the rounded result (trig up to
    |x| = 2.5e7, also next to multiples of pi/2; beyond, by the float64 algorithm, up to
    3e38, where IREE's own gave sin(1e10) = -6e21 and cos(1e30) = -inf)."""
    rng = np.random.default_rng(13)
    small = _log_spaced(rng, 1e-30, 80, 4000)
    trig = np.concatenate([_log_spaced(rng, 1e-30, 2.5e7, 6000),
                           rng.integers(1, 16_000_000, 4000) * (np.pi / 2),
                           _log_spaced(rng, 2.5e7, 3e38, 2000)])
    wide = _log_spaced(rng, 1e-30, 1e30, 4000)
    # (sinh and cosh are XLA's formulas, checked bit for bit against JAX in
    # tests/test_xla_f32_math.py: up to ~24 ulp off the rounded result near |x| = 37)
    xs = {"asinh": small, "atanh": small[np.abs(small) < 1],
          "acosh": 1 + np.abs(small), "sin": trig, "cos": trig, "tan": trig, "atan": wide,
          "atan2": wide}
    names = sorted(xs)
    sp = [0.0, -0.0, np.inf, -np.inf, np.nan, 1.0, -1.0]
    args = [np.concatenate([xs[n], sp]).astype(np.float32) for n in names]
    second = np.concatenate([wide[::-1], sp[::-1]]).astype(np.float32)  # atan2's x

    def f(*vs):
        return [lax.atan2(v, second) if n == "atan2" else getattr(lax, n)(v)
                for n, v in zip(names, vs)]
    outs = irax.jit(f)(*args)
    for name, x, got in zip(names, args, outs):
        got = np.asarray(got)
        assert got.dtype == np.float32
        with np.errstate(all="ignore"):
            x64 = x.astype(np.float64)
            want = (np.arctan2(x64, second.astype(np.float64)) if name == "atan2" else
                    getattr(np, NUMPY_NAME.get(name, name))(x64)).astype(np.float32)
        err = _ulp_errors(got, want)  # in float32 ulps
        assert err.max() <= F32_ULP_BOUND[name], (name, x[np.argmax(err)], err.max())


def test_math_modules_compile_for_vulkan_and_cuda():
    """No f64 arithmetic leaks into f32/f16 code (Vulkan's baseline has neither f64 nor i64)."""
    from irax.lowering import compiler

    def f(v):
        return [lax.sin(v), lax.tan(v), lax.atan2(v, v), lax.asin(v), lax.tanh(v), lax.cbrt(v),
                lax.erf(v), lax.rem(v, v), lax.expm1(v), lax.log1p(v), lax.sinh(v), lax.asinh(v),
                lax.acosh(v), lax.atanh(v), lax.logistic(v), lax.pow(v, v)]
    for dtype in (np.float32, np.float16):
        traced = irax.make_ir(f)(np.linspace(0.1, 0.9, 8).astype(dtype))
        for target in ("vulkan-spirv", "cuda"):
            assert compiler.compile_mlir(traced.lowered(target), target=target)
