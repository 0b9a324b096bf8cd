"""Shape manipulation and sorting against NumPy."""
import numpy as np
import pytest
from conftest import assert_close, rand

import irax
import irax.numpy as jnp


def test_reshape_transpose_family(rng):
    x = rand(rng, (2, 3, 4))

    def f(x):
        return [jnp.reshape(x, (6, -1)), x.reshape(-1), x.reshape(4, 6), jnp.reshape(x, (2, 12), order="F"),
                jnp.ravel(x), x.ravel(), jnp.transpose(x), jnp.transpose(x, (1, 0, 2)), x.transpose(2, 0, 1),
                x.T, jnp.swapaxes(x, 0, -1), jnp.moveaxis(x, 0, -1), jnp.moveaxis(x, (0, 1), (2, 0)),
                jnp.expand_dims(x, 1), jnp.expand_dims(x, (0, -1)), jnp.squeeze(x[:, :1, :1]),
                jnp.squeeze(x[:1], 0), jnp.flip(x), jnp.flip(x, 1), jnp.flip(x, (0, 2)),
                jnp.roll(x, 2), jnp.roll(x, -1, axis=1), jnp.roll(x, (1, 5), axis=(0, 2)),
                jnp.tile(x, 2), jnp.tile(x[0], (2, 1, 3)), jnp.repeat(x, 2), jnp.repeat(x, 3, axis=1),
                jnp.repeat(x, np.array([1, 0, 2]), axis=1), jnp.rot90(x[0]), jnp.atleast_2d(x[0, 0])]
    out = irax.jit(f)(x)
    want = [np.reshape(x, (6, -1)), x.reshape(-1), x.reshape(4, 6), np.reshape(x, (2, 12), order="F"),
            np.ravel(x), x.ravel(), np.transpose(x), np.transpose(x, (1, 0, 2)), x.transpose(2, 0, 1),
            x.T, np.swapaxes(x, 0, -1), np.moveaxis(x, 0, -1), np.moveaxis(x, (0, 1), (2, 0)),
            np.expand_dims(x, 1), np.expand_dims(x, (0, -1)), np.squeeze(x[:, :1, :1]),
            np.squeeze(x[:1], 0), np.flip(x), np.flip(x, 1), np.flip(x, (0, 2)),
            np.roll(x, 2), np.roll(x, -1, axis=1), np.roll(x, (1, 5), axis=(0, 2)),
            np.tile(x, 2), np.tile(x[0], (2, 1, 3)), np.repeat(x, 2), np.repeat(x, 3, axis=1),
            np.repeat(x, [1, 0, 2], axis=1), np.rot90(x[0]), np.atleast_2d(x[0, 0])]
    for i, (got, w) in enumerate(zip(out, want)):
        assert_close(got, w), i


def test_join_and_split(rng):
    a, b = rand(rng, (2, 3)), rand(rng, (2, 3))
    c = rand(rng, (2, 3), "int32")
    v = rand(rng, (7,))

    def f(a, b, c, v):
        return [jnp.concatenate([a, b]), jnp.concatenate([a, b], axis=1), jnp.concatenate([a, c], axis=-1),
                jnp.concatenate([a, b], axis=None), jnp.stack([a, b]), jnp.stack([a, b], axis=-1),
                jnp.stack([a, b, a], axis=1), jnp.vstack([a, b]), jnp.hstack([a, b]), jnp.dstack([a, b]),
                jnp.column_stack([v[:2], v[2:4]]), *jnp.split(v[:6], 3), *jnp.split(v, [2, 5]),
                *jnp.array_split(v, 3), *jnp.split(a, 3, axis=1), *jnp.hsplit(a, [1]), *jnp.vsplit(a, 2)]
    out = irax.jit(f)(a, b, c, v)
    want = [np.concatenate([a, b]), np.concatenate([a, b], axis=1),
            np.concatenate([a, c.astype(np.float32)], axis=-1), np.concatenate([a, b], axis=None),
            np.stack([a, b]), np.stack([a, b], axis=-1), np.stack([a, b, a], axis=1), np.vstack([a, b]),
            np.hstack([a, b]), np.dstack([a, b]), np.column_stack([v[:2], v[2:4]]), *np.split(v[:6], 3),
            *np.split(v, [2, 5]), *np.array_split(v, 3), *np.split(a, 3, axis=1), *np.hsplit(a, [1]),
            *np.vsplit(a, 2)]
    assert len(out) == len(want)
    for got, w in zip(out, want):
        assert_close(got, w)


def test_take_and_take_along_axis(rng):
    x = rand(rng, (3, 5))
    idx = np.array([4, 0, -1, 2], np.int32)
    ia = np.argsort(x, axis=1)[:, :3].astype(np.int32)
    j = rng.integers(0, 3, (2, 5)).astype(np.int32)
    f = irax.jit(lambda x, i, ia, j: (jnp.take(x, i), jnp.take(x, i, axis=1), jnp.take(x, ia, axis=0),
                                   jnp.take_along_axis(x, ia, axis=1),
                                   jnp.take_along_axis(x, j, axis=0)))
    out = f(x, idx, ia, j)
    want = (np.take(x, idx), np.take(x, idx, axis=1), np.take(x, ia % 3, axis=0),
            np.take_along_axis(x, ia, axis=1), np.take_along_axis(x, j, axis=0))
    assert_close(out[0], want[0])
    assert_close(out[1], want[1])
    assert_close(out[3], want[3])
    assert_close(out[4], want[4])
    assert out[2].shape == (3, 3, 5)


@pytest.mark.parametrize("dtype", ["float32", "int32", "bool"])
def test_sort_and_argsort(rng, dtype):
    x = rand(rng, (4, 6), dtype, -3, 3)
    f = irax.jit(lambda v: (jnp.sort(v), jnp.sort(v, axis=0), jnp.sort(v, axis=None),
                            jnp.argsort(v), jnp.argsort(v, axis=0), jnp.sort(v, descending=True),
                            jnp.argsort(v, descending=True), v))
    out = f(x)
    want = (np.sort(x), np.sort(x, axis=0), np.sort(x, axis=None), np.argsort(x, kind="stable"),
            np.argsort(x, axis=0, kind="stable"), np.flip(np.sort(x), -1),
            # stable descending: ties keep their original order
            np.argsort(_neg(x), kind="stable"), x)
    for got, w in zip(out, want):
        w = np.asarray(w)
        assert_close(got, w.astype(np.int32) if w.dtype == np.int64 else w)


def _neg(x):
    return ~x if x.dtype == np.bool_ else -x


def test_sort_nan_last_and_input_unchanged():
    x = np.array([3.0, np.nan, -1.0, 2.0, np.nan, -np.inf], np.float32)
    xa = jnp.asarray(x)
    s, i = jnp.sort(xa), jnp.argsort(xa)
    assert_close(s, np.sort(x))
    assert_close(i, np.argsort(x, kind="stable").astype(np.int32))
    np.testing.assert_array_equal(np.array(xa), x)  # sorted a copy, not the argument in place
    g = irax.jit(lambda v: (jnp.sort(v), v + 0))
    ys, yv = g(xa)
    np.testing.assert_array_equal(np.array(xa), x)
    np.testing.assert_array_equal(yv, x)


def test_shape_errors():
    with pytest.raises(TypeError, match=r"reshape: cannot reshape array of shape \(2, 3\).*\(4, 2\).*"
                                        r"test_numpy_shape.py:\d+"):
        jnp.reshape(jnp.ones((2, 3)), (4, 2))
    with pytest.raises(TypeError, match=r"concatenate: shapes .* differ outside axis 0"):
        jnp.concatenate([jnp.ones((2, 3)), jnp.ones((2, 4))])
    with pytest.raises(ValueError, match=r"split: array of shape \(5,\).*equal sections.*"
                                         r"test_numpy_shape.py:\d+"):
        jnp.split(jnp.ones(5), 2)
    with pytest.raises(ValueError, match=r"cannot select an axis to squeeze.*\(2, 3\).*"
                                         r"test_numpy_shape.py:\d+"):
        jnp.squeeze(jnp.ones((2, 3)), 0)
    with pytest.raises(ValueError, match=r"reshape: can only specify one unknown dimension.*"
                                         r"\(-1, -1\).*test_numpy_shape.py:\d+"):
        jnp.reshape(jnp.ones((2, 3)), (-1, -1))
    with pytest.raises(ValueError, match=r"transpose: axes \(0, 0\).*\(2, 3\).*test_numpy_shape.py:\d+"):
        jnp.transpose(jnp.ones((2, 3)), (0, 0))
    with pytest.raises(ValueError, match=r"moveaxis: .*same number of axes.*test_numpy_shape.py:\d+"):
        jnp.moveaxis(jnp.ones((2, 3)), (0, 1), 0)
    with pytest.raises(ValueError, match=r"concatenate: zero-dimensional.*test_numpy_shape.py:\d+"):
        jnp.concatenate([jnp.ones(()), jnp.ones(())])
    with pytest.raises(ValueError, match=r"stack: need at least one array.*test_numpy_shape.py:\d+"):
        jnp.stack([])


@pytest.mark.parametrize("dtype", ["int32", "bool"])
def test_shape_ops_on_ints_and_bools(rng, dtype):
    x = rand(rng, (2, 3, 4), dtype)
    y = rand(rng, (2, 3, 4), dtype)
    i = np.array([2, 0, 1], np.int32)

    def f(x, y, i):
        return [jnp.concatenate([x, y], 1), jnp.stack([x, y], -1), jnp.transpose(x, (2, 0, 1)),
                jnp.flip(x, 1), jnp.roll(x, 1, 2), jnp.take(x, i, axis=1), jnp.tile(x, (1, 2, 1)),
                jnp.repeat(x, 2, axis=0), x[:, ::-1, 1:], x.reshape(4, 6), jnp.where(x, x, y),
                jnp.split(x, 2, axis=2)[1], jnp.expand_dims(x, 0), jnp.moveaxis(x, -1, 0)]
    out = irax.jit(f)(x, y, i)
    want = [np.concatenate([x, y], 1), np.stack([x, y], -1), np.transpose(x, (2, 0, 1)),
            np.flip(x, 1), np.roll(x, 1, 2), np.take(x, i, axis=1), np.tile(x, (1, 2, 1)),
            np.repeat(x, 2, axis=0), x[:, ::-1, 1:], x.reshape(4, 6), np.where(x, x, y),
            np.split(x, 2, axis=2)[1], np.expand_dims(x, 0), np.moveaxis(x, -1, 0)]
    for got, w in zip(out, want):
        assert_close(got, w)
