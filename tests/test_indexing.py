"""NumPy indexing on irax arrays, and x.at[idx] updates, against NumPy."""
import numpy as np
import pytest
from conftest import assert_close, rand

import irax
import irax.numpy as jnp

X = np.arange(2 * 3 * 5, dtype=np.float32).reshape(2, 3, 5)

I0 = np.array([1, 0, 1], np.int32)
I2 = np.array([[4, -1], [0, 2]], np.int32)
I1 = np.array([2, 0], np.int32)

INDICES = [
    0, -1, (1, 2), (1, 2, 3), (-1, -2, -3), slice(None), slice(1, None), (slice(None), 1),
    (Ellipsis, 2), (0, Ellipsis), (Ellipsis,), (None,), (None, 0, None), (slice(None), None, 1),
    (slice(None, None, -1),), (slice(None), slice(None, None, -2)), (slice(None), slice(2, 0, -1)),
    (slice(None), slice(1, 3), slice(4, None, -3)), (0, slice(None), slice(1, 4, 2)),
    (slice(5, 7),), (slice(-100, 100),), (Ellipsis, None), (1, None, Ellipsis, 3),
    # integer arrays
    (I0,), (I0, I1[:1]), (slice(None), I1), (Ellipsis, I2), (I0[:2], slice(None), I1),
    (0, I1, slice(None)), (slice(None), I1, I1[::-1]), (I0[:2], I1, I1), ([1, 0],),
    (slice(None), [[0], [2]], [1, 3]), (None, I0[:2], 0), (I0[:2, None], I1[None, :]),
    (slice(None), None, I1), (1, slice(None), I2),
    # boolean masks (concrete)
    (X[:, 0, 0] > 0,), (X[:, :, 0] > 7,), (slice(None), X[0, :, 0] < 6), (X > 20,),
    (np.array([True, False]), slice(None), I1),
]


def _ids():
    return [repr(i)[:40] for i in range(len(INDICES))]


def test_getitem_under_jit():
    idx_list = INDICES[:-5]  # all but the boolean masks
    out = irax.jit(lambda x: [x[i] for i in idx_list])(X)
    for i, got in zip(idx_list, out):
        assert_close(got, X[i]), i


@pytest.mark.parametrize("k", range(len(INDICES) - 5, len(INDICES)))
def test_getitem_boolean_masks_eager(k):
    assert_close(jnp.asarray(X)[INDICES[k]], X[INDICES[k]])


def test_eager_getitem_sample():
    x = jnp.asarray(X)
    for i in [(1, 2), (slice(None), slice(None, None, -2)), (I0, I1[:1]), (slice(None), I1)]:
        assert_close(x[i], X[i])
    assert_close(x[jnp.asarray(I0)], X[I0])


def test_traced_scalar_and_array_indices():
    f = irax.jit(lambda x, i, j: (x[i], x[:, j], x[i, j, 1:3], x[-i], x[jnp.asarray([0, 1]), j]))
    out = f(X, np.int32(1), np.int32(2))
    for got, want in zip(out, (X[1], X[:, 2], X[1, 2, 1:3], X[-1], X[[0, 1], 2])):
        assert_close(got, want)
    # traced out-of-bounds gathers clamp, as in JAX
    out = irax.jit(lambda x, i: (x[i], x[jnp.asarray([5, -9])]))(X, np.int32(7))
    assert_close(out[0], X[1])
    assert_close(out[1], X[[1, 0]])


def test_index_errors():
    x = jnp.asarray(X)
    with pytest.raises(IndexError, match=r"too many indices.*test_indexing.py:\d+"):
        x[0, 0, 0, 0]
    np.testing.assert_array_equal(x[2], X[1])  # a static out-of-range index clamps, as in JAX
    with pytest.raises(IndexError, match=r"single ellipsis.*test_indexing.py:\d+"):
        x[..., 0, ...]
    with pytest.raises(TypeError, match="integer or boolean type"):  # JAX's error type
        x[jnp.asarray([0.5])]
    with pytest.raises(IndexError, match=r"boolean mask.*concrete.*where.*test_indexing.py:\d+"):
        irax.jit(lambda v: v[v > 3])(X)


UPDATES = [
    (0, 1.0), ((1, 2), np.arange(5, dtype=np.float32)), ((slice(None), 1), 2.0),
    ((Ellipsis, slice(None, None, 2)), -1.0), ((I0[:2], I1), 3.0),
    ((slice(None), I1, slice(1, 3)), np.ones((2, 2, 2), np.float32)),
    ((slice(None, None, -1), 0, 0), np.array([10.0, 20.0], np.float32)),
    ((None, 1, 1, 1), 9.0), ((-1, -1, -1), 4.0),
]


@pytest.mark.parametrize("mode", ["set", "add", "multiply", "min", "max"])
def test_at_updates(mode):
    out = irax.jit(lambda x: [getattr(x.at[i], mode)(v) for i, v in UPDATES])(X)
    for (i, v), got in zip(UPDATES, out):
        want = X.copy()
        if mode == "set":
            want[i] = v
        elif mode == "add":
            want[i] += v
        elif mode == "multiply":
            want[i] *= v
        elif mode == "min":
            want[i] = np.minimum(want[i], v)
        else:
            want[i] = np.maximum(want[i], v)
        assert_close(got, want), i


def test_at_get_subtract_divide_and_duplicates():
    x = np.arange(5, dtype=np.float32)
    dup = np.array([1, 1, 3], np.int32)
    out = irax.jit(lambda x, d: (x.at[d].add(1.0), x.at[d].get(), x.at[1:3].subtract(1.0),
                                 x.at[d].divide(2.0), x.at[d].set(7.0)))(x, dup)
    want_add = x.copy()
    np.add.at(want_add, dup, 1.0)
    assert_close(out[0], want_add)
    assert_close(out[1], x[dup])
    assert_close(out[2], np.array([0, 0, 1, 3, 4], np.float32))
    want_div = x.copy()
    np.multiply.at(want_div, dup, 0.5)
    assert_close(out[3], want_div)
    assert_close(out[4], np.array([0, 7, 2, 7, 4], np.float32))


def test_at_out_of_bounds_updates_are_dropped():
    x = np.arange(5, dtype=np.float32)
    idx = np.array([0, 5, -6, 7, -1], np.int32)
    out = irax.jit(lambda x, i: (x.at[i].set(9.0), x.at[i].add(1.0), x.at[i].get(), x.at[7].set(3.0),
                                 x.at[-9].add(3.0)))(x, idx)
    assert_close(out[0], np.array([9, 1, 2, 3, 9], np.float32))
    assert_close(out[1], np.array([1, 1, 2, 3, 5], np.float32))
    assert_close(out[2], x[np.clip(np.where(idx < 0, idx + 5, idx), 0, 4)])  # gathers clamp
    assert_close(out[3], x)
    assert_close(out[4], x)
    m = np.arange(6, dtype=np.float32).reshape(2, 3)
    got = irax.jit(lambda m, i, j: m.at[i, j].set(-1.0))(m, np.array([0, 1, 2], np.int32),
                                                         np.array([1, 3, 0], np.int32))
    assert_close(got, np.array([[0, -1, 2], [3, 4, 5]], np.float32))
    got = irax.jit(lambda m, i: m.at[i].add(1.0))(m, np.int32(2))  # traced scalar, out of bounds
    assert_close(got, m)


def test_at_eager_and_dtypes():
    x = jnp.arange(4)
    y = x.at[1].set(10)
    assert_close(y, np.array([0, 10, 2, 3], np.int32))
    assert_close(x, np.arange(4, dtype=np.int32))  # the original is unchanged
    b = jnp.zeros(3, bool).at[jnp.asarray([0, 2])].set(True)
    assert_close(b, np.array([True, False, True]))
    s = jnp.asarray(2.0).at[()].add(1.0)
    assert float(s) == 3.0
    with pytest.raises(TypeError, match=r"cannot broadcast values of shape \(3,\).*\(2,\)"):
        jnp.zeros(4).at[:2].set(jnp.ones(3))


def test_setitem_raises_pointing_at_at():
    x = jnp.zeros(3)
    with pytest.raises(TypeError, match=r"immutable.*\.at\[idx\]\.set"):
        x[0] = 1.0
    with pytest.raises(TypeError, match=r"immutable.*\.at\["):
        irax.jit(lambda v: v.__setitem__(0, 1.0))(np.zeros(3, np.float32))


def test_at_with_masks_and_fill_mode():
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    mask = x > 2
    out = irax.jit(lambda v, i: (v.at[mask].set(0.0), v.at[:, mask[1]].add(1.0),
                                 v.at[i].get(mode="fill", fill_value=-1.0),
                                 v[0].at[i].get(mode="fill"), v.at[i].set(5.0, mode="clip")))(
        x, np.array([1, 2, -3], np.int32))
    assert_close(out[0], np.where(mask, 0, x).astype(np.float32))
    want = x.copy()
    want[:, mask[1]] += 1
    assert_close(out[1], want)
    assert_close(out[2], np.array([x[1], np.full(3, -1.0), np.full(3, -1.0)], np.float32))
    assert_close(out[3], np.array([1.0, 2.0, 0.0], np.float32))  # -3 wraps to 0 on a size-3 row
    assert_close(out[4], np.array([[5, 5, 5], [5, 5, 5]], np.float32))  # 2 clamps to 1, -3 to 0


def test_boolean_scalar_indices():
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    out = irax.jit(lambda v: (v[True], v[False], v[:, True], v[0, np.bool_(True)], v[True, [1, 0]],
                              v[..., False, 1]))(x)
    for got, want in zip(out, (x[True], x[False], x[:, True], x[0, np.bool_(True)], x[True, [1, 0]],
                               x[..., False, 1])):
        assert_close(got, want)
    with pytest.raises(IndexError, match="boolean scalar"):
        jnp.asarray(x).at[True].set(0.0)
