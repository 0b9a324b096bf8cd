"""irax.Array: attributes, operators, NumPy interop, repr, immutability."""
import pickle

import numpy as np
import pytest
from conftest import assert_close, rand

import irax
import irax.numpy as jnp


def test_attributes(rng):
    a = rand(rng, (2, 3))
    x = jnp.asarray(a)
    assert x.shape == (2, 3) and x.ndim == 2 and x.size == 6 and x.dtype == np.float32
    assert isinstance(x, irax.Array) and isinstance(x, jnp.ndarray)
    assert_close(x.T, a.T)
    assert_close(x.astype(jnp.int32), a.astype(np.int32))
    assert_close(x.astype(bool), a.astype(bool))
    assert len(x) == 2
    rows = list(x)
    assert len(rows) == 2 and all(isinstance(r, irax.Array) for r in rows)
    assert_close(rows[1], a[1])
    assert_close(jnp.asarray(5).astype(jnp.float16), np.float16(5))
    s = jnp.asarray(2.5)
    with pytest.raises(TypeError, match="len"):
        len(s)
    with pytest.raises(TypeError, match="iteration over a 0-d array"):
        iter(s).__next__()
    assert float(s) == 2.5 and int(s) == 2 and s.item() == 2.5 and bool(s)
    assert x.tolist() == a.tolist()
    assert f"{s:.2f}" == "2.50"
    with pytest.raises(TypeError, match="unhashable"):
        hash(x)


def test_operators_under_jit(rng):
    a = rand(rng, (3, 4), "float32", 0.5, 2)
    b = rand(rng, (4,), "float32", 0.5, 2)
    i = rand(rng, (3, 4), "int32", 1, 9)
    m = rand(rng, (4, 2))

    def f(a, b, i, m):
        return [a + b, a - b, a * b, a / b, a // b, a % b, a ** b, a ** 2, -a, +a, abs(-a), a @ m,
                a < b, a <= b, a > b, a >= b, a == b, a != b, 2 + a, 2 - a, 2 * a, 2 / a, 2 // a,
                2 % a, 2 ** a, 1.5 - i, i // 2, i % 3, 7 // i, 7 % i, i & 6, i | 1, i ^ 5, ~i,
                i << 1, i >> 1, 3 & i, i ** 2, (a > 1) & (b < 1.5), (a > 1) | True, ~(a > 1),
                divmod(a, b)[0], divmod(a, b)[1], b @ m, a.T @ a]
    out = irax.jit(f)(a, b, i, m)
    want = [a + b, a - b, a * b, a / b, a // b, a % b, a ** b, a ** 2, -a, +a, abs(-a), a @ m,
            a < b, a <= b, a > b, a >= b, a == b, a != b, 2 + a, 2 - a, 2 * a, 2 / a, 2 // a,
            2 % a, 2 ** a, (1.5 - i).astype(np.float32), i // 2, i % 3, 7 // i, 7 % i, i & 6, i | 1,
            i ^ 5, ~i, i << 1, i >> 1, 3 & i, i ** 2, (a > 1) & (b < 1.5), (a > 1) | True, ~(a > 1),
            divmod(a, b)[0], divmod(a, b)[1], b @ m, a.T @ a]
    for k, (got, w) in enumerate(zip(out, want)):
        assert_close(got, np.asarray(w), rtol=2e-5, atol=1e-5)


def test_numpy_arrays_on_either_side(rng):
    a = rand(rng, (3,))
    x = jnp.asarray(rand(rng, (3,)))
    for got, want in [(a + x, a + np.asarray(x)), (x - a, np.asarray(x) - a),
                      (a * x, a * np.asarray(x)), (a < x, a < np.asarray(x)),
                      (np.float32(2) * x, 2 * np.asarray(x))]:
        assert isinstance(got, irax.Array), type(got)
        assert_close(got, want)
    out = irax.jit(lambda t: (a + t, t * a, a @ t))(np.asarray(x))
    assert_close(out[0], a + np.asarray(x))
    assert_close(out[1], a * np.asarray(x))
    assert_close(out[2], a @ np.asarray(x), rtol=1e-5)


def test_numpy_interop(rng):
    a = rand(rng, (2, 3))
    x = jnp.asarray(a)
    np.testing.assert_array_equal(np.asarray(x), a)
    np.testing.assert_array_equal(np.array(x, dtype=np.float64), a.astype(np.float64))
    assert np.sin(x).dtype == np.float32  # NumPy functions accept irax arrays
    assert x.block_until_ready() is x
    assert irax.block_until_ready(x) is x
    y = pickle.loads(pickle.dumps(x))
    assert isinstance(y, irax.Array)
    assert_close(y, a)


def test_repr_like_jax():
    assert repr(jnp.asarray([1.0, 2.0])) == "Array([1., 2.], dtype=float32)"
    assert repr(jnp.asarray([1, 2])) == "Array([1, 2], dtype=int32)"
    assert repr(jnp.asarray([[1.0, 2.0], [3.0, 4.0]])) == (
        "Array([[1., 2.],\n       [3., 4.]], dtype=float32)")
    assert repr(jnp.asarray(True)) == "Array(True, dtype=bool)"
    weak = irax.jit(lambda: 1.0 + 2.0)()
    assert repr(weak) == "Array(3., dtype=float32, weak_type=True)"
    assert str(jnp.asarray([1, 2])) == "[1 2]"


def test_immutable():
    x = jnp.zeros(3)
    with pytest.raises(TypeError, match=r"immutable.*x\.at\[idx\]\.set\(y\)"):
        x[1] = 2.0
    np.testing.assert_array_equal(np.asarray(x), np.zeros(3))
    host = np.asarray(x)
    with pytest.raises(ValueError):
        host[0] = 1.0  # the cached host copy is read-only too


def test_tracer_attributes_and_concretization(rng):
    seen = {}

    def f(x):
        seen.update(shape=x.shape, dtype=x.dtype, ndim=x.ndim, size=x.size, len=len(x))
        rows = [r * 2 for r in x]
        return jnp.stack(rows)
    a = rand(rng, (2, 3))
    assert_close(irax.jit(f)(a), a * 2)
    assert seen == {"shape": (2, 3), "dtype": np.float32, "ndim": 2, "size": 6, "len": 2}
    for bad in (lambda x: float(x[1]), lambda x: int(x[0]), lambda x: x[0].item(), lambda x: np.asarray(x),
                lambda x: 1.0 if x[0] > 0 else 2.0):
        with pytest.raises(irax.ConcretizationTypeError,
                           match=r"traced value.*test_array.py:\d+.*irax.lax.cond.*static_argnums"):
            irax.jit(bad)(np.ones(2, np.float32))


def test_bool_of_multi_element_array_raises():
    with pytest.raises(ValueError, match="ambiguous"):
        bool(jnp.ones(3))
