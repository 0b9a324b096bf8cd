"""Reductions with axis (int, tuple, negative, None) and keepdims, against NumPy."""
import numpy as np
import pytest
from conftest import assert_close, rand

import irax
import irax.numpy as jnp
import irax.nn

AXES = [None, 0, 1, -1, (0, 2), (-1, 0), ()]
NAMES = ["sum", "mean", "var", "std", "max", "min", "prod", "any", "all", "ptp"]


def _np_ref(name, x, axis, keepdims):
    if name in ("any", "all"):
        return getattr(np, name)(x, axis=axis, keepdims=keepdims)
    want = getattr(np, name)(x, axis=axis, keepdims=keepdims)
    return want


@pytest.mark.parametrize("axis", AXES)
def test_float_reductions(rng, axis):
    x = rand(rng, (2, 3, 4), "float32", 0.5, 1.5)
    f = irax.jit(lambda v: {(n, k): getattr(jnp, n)(v, axis=axis, keepdims=k)
                            for n in NAMES for k in (False, True)})
    out = f(x)
    for n in NAMES:
        for k in (False, True):
            want = np.asarray(_np_ref(n, x, axis, k))
            want = want.astype(np.float32) if want.dtype == np.float64 else want
            assert_close(out[n, k], want, rtol=2e-5, atol=2e-6)


@pytest.mark.parametrize("dtype", ["int32", "bool"])
def test_int_and_bool_reductions(rng, dtype):
    x = rand(rng, (3, 4), dtype, -5, 5)
    names = ["sum", "prod", "max", "min", "any", "all", "mean", "cumsum", "argmax", "argmin"]
    f = irax.jit(lambda v: {(n, a): getattr(jnp, n)(v, axis=a) for n in names for a in (None, 0, -1)})
    out = f(x)
    for n in names:
        for a in (None, 0, -1):
            want = np.asarray(getattr(np, n)(x, axis=a))
            if want.dtype == np.int64:
                want = want.astype(np.int32)  # JAX's default int with x64 off
            if want.dtype == np.float64:
                want = want.astype(np.float32)
            assert_close(out[n, a], want, rtol=1e-6)


@pytest.mark.parametrize("axis", [None, 0, 1, -1])
def test_arg_and_cumulative(rng, axis):
    x = rand(rng, (3, 4))
    x[1, 2] = x[1, 0]  # ties: the first index wins
    f = irax.jit(lambda v: (jnp.argmax(v, axis=axis), jnp.argmin(v, axis=axis),
                            jnp.argmax(v, axis=axis, keepdims=True), jnp.cumsum(v, axis=axis),
                            jnp.cumprod(v, axis=axis), irax.nn.logsumexp(v, axis=axis),
                            irax.nn.logsumexp(v, axis=axis, keepdims=True)))
    out = f(x)
    lse = np.log(np.sum(np.exp(x), axis=axis, keepdims=True))
    want = (np.argmax(x, axis=axis), np.argmin(x, axis=axis),
            np.argmax(x, axis=axis, keepdims=True), np.cumsum(x, axis=axis),
            np.cumprod(x, axis=axis), lse if axis is None and False else
            (lse.reshape(()) if axis is None else np.squeeze(lse, axis)), lse)
    for got, w in zip(out, want):
        w = np.asarray(w)
        w = w.astype(np.int32) if w.dtype == np.int64 else w
        assert_close(got, w, rtol=2e-5, atol=1e-5)


def test_argmax_nan_first_and_0d(rng):
    x = np.array([1.0, np.nan, 3.0, np.nan], np.float32)
    f = irax.jit(lambda v, s: (jnp.argmax(v), jnp.argmin(v), jnp.sum(s), jnp.max(s),
                               jnp.mean(s, keepdims=True)))
    out = f(x, np.float32(2.5))
    assert int(out[0]) == 1 and int(out[1]) == 1
    assert float(out[2]) == 2.5 and float(out[3]) == 2.5 and out[4].shape == ()


def test_reduction_options(rng):
    x = rand(rng, (3, 4))
    m = rand(rng, (3, 4), "bool")
    f = irax.jit(lambda v, m: (jnp.var(v, axis=0, ddof=1), jnp.std(v, ddof=1),
                               jnp.sum(v, where=m), jnp.sum(v, axis=1, initial=10.0),
                               jnp.max(v, axis=0, initial=2.0), jnp.mean(v, axis=1, where=m),
                               jnp.count_nonzero(m, axis=0), jnp.average(v, axis=1, weights=v * v),
                               jnp.sum(v, dtype=jnp.int32)))
    out = f(x, m)
    want = (np.var(x, axis=0, ddof=1), np.std(x, ddof=1), np.sum(x, where=m),
            np.sum(x, axis=1, initial=10.0), np.max(x, axis=0, initial=2.0),
            np.mean(x, axis=1, where=m), np.count_nonzero(m, axis=0).astype(np.int32),
            np.average(x, axis=1, weights=x * x), np.sum(x.astype(np.int32), dtype=np.int32))
    for got, w in zip(out, want):
        assert_close(got, np.asarray(w), rtol=2e-5, atol=1e-5)


def test_reduction_errors():
    with pytest.raises(ValueError, match=r"sum: axis 2 is out of bounds for an array of rank 2.*"
                                        r"test_numpy_reductions.py"):
        jnp.sum(jnp.ones((2, 2)), axis=2)
    with pytest.raises(ValueError, match="repeated axis"):
        jnp.sum(jnp.ones((2, 2)), axis=(0, 0))
    with pytest.raises(ValueError, match="zero-size array"):
        jnp.max(jnp.ones((0, 2)), axis=0)


def test_eager_reductions_match_jit(rng):
    x = rand(rng, (3, 4))
    for fn in (lambda v: jnp.sum(v, axis=0), lambda v: jnp.argmax(v, axis=1),
               lambda v: jnp.cumsum(v, axis=-1)):
        np.testing.assert_array_equal(np.asarray(fn(jnp.asarray(x))), np.asarray(irax.jit(fn)(x)))
    assert float(jnp.asarray(x).sum()) == pytest.approx(float(x.sum()), rel=1e-5)
    assert int(jnp.asarray(x).argmax()) == int(x.argmax())


def test_allclose_and_array_equal(rng):
    x = rand(rng, (3, 4))
    out = irax.jit(lambda a, b: (jnp.allclose(a, b), jnp.allclose(a, a + 1e-6), jnp.array_equal(a, a),
                                 jnp.array_equal(a, b), jnp.array_equal(a, a[:2])))(x, x + 1)
    assert [bool(o) for o in out] == [False, True, True, False, False]
    nan = np.array([np.nan, 1.0], np.float32)
    assert bool(jnp.array_equal(nan, nan, equal_nan=True)) and not bool(jnp.array_equal(nan, nan))


def test_small_integer_accumulation_dtypes():
    u8 = np.array([200, 100, 3], np.uint8)
    i8 = np.array([100, 100, -3], np.int8)
    out = irax.jit(lambda u, i: (jnp.sum(u), jnp.sum(i), jnp.prod(i), jnp.cumsum(u), jnp.cumsum(i)))(u8, i8)
    # sum/prod widen; cumsum keeps the integer width (wrapping), as in JAX
    assert [str(o.dtype) for o in out] == ["uint32", "int32", "int32", "uint8", "int8"]
    assert int(out[0]) == 303 and int(out[1]) == 197 and int(out[2]) == -30000
    assert_close(out[3], np.cumsum(u8, dtype=np.uint8))


@pytest.mark.parametrize("name", ["sum", "prod", "max", "min", "any", "all", "mean", "var",
                                  "std", "argmax", "argmin", "cumsum", "cumprod"])
def test_out_is_rejected_not_ignored(name):
    x = jnp.ones((2, 3))
    with pytest.raises(NotImplementedError, match=rf"{name}: irax arrays are immutable: out= is "
                                                  r"not supported.*test_numpy_reductions.py:\d+"):
        getattr(jnp, name)(x, axis=0, out=x)


def test_where_masks_max_min_any_all(rng):
    x = rand(rng, (3, 4))
    m = rand(rng, (3, 4), "bool")
    out = irax.jit(lambda v, m: (jnp.max(v, axis=1, where=m, initial=-5.0),
                                 jnp.min(v, where=m, initial=5.0),
                                 jnp.any(v > 0, axis=0, where=m), jnp.all(v > 0, axis=0, where=m)))(x, m)
    want = (np.max(x, axis=1, where=m, initial=-5.0), np.min(x, where=m, initial=5.0),
            np.any(x > 0, axis=0, where=m), np.all(x > 0, axis=0, where=m))
    for got, w in zip(out, want):
        assert_close(got, np.asarray(w))
    with pytest.raises(ValueError, match=r"max: reduction with where= needs initial=.*"
                                         r"test_numpy_reductions.py:\d+"):
        jnp.max(x, where=m)
