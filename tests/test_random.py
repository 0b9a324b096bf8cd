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


def test_uint32_reductions_dot_sort_and_indexing():
    a = np.array([[1, 2], [3, 0xFFFFFFFF]], U32)
    got = irax.jit(lambda a: (a @ a, jnp.sum(a), jnp.max(a), jnp.sort(a.ravel())[::-1],
                              jnp.argmax(a.ravel()), a[1], jnp.where(a > 2, a, U32(7))))(a)
    wide = a.astype(np.uint64)
    want = ((wide @ wide) & 0xFFFFFFFF).astype(U32), U32(5), U32(0xFFFFFFFF), \
        np.sort(a.ravel())[::-1], np.int32(3), a[1], np.where(a > 2, a, U32(7))
    for g, w in zip(got, want):
        assert np.asarray(g).dtype == np.asarray(w).dtype
        np.testing.assert_array_equal(np.asarray(g), w)


def test_uint32_loop_carries_and_cond():
    """Unsigned types inside scf regions (block arguments, results) lower too."""
    def f(x, p):
        a, b = lax.fori_loop(0, 5, lambda i, c: (c[0] * U32(3) + U32(1), c[1] ^ c[0]), (x, x))
        return a, b, lax.cond(p, lambda x: x + U32(1), lambda x: x >> U32(1), x)
    x = np.array([0xFFFFFFFF, 7], U32)
    a, b = x.copy(), x.copy()
    with np.errstate(over="ignore"):
        for _ in range(5):
            a, b = a * U32(3) + U32(1), b ^ a
    got = irax.jit(f)(x, True)
    for g, w in zip(got, (a, b, x + U32(1))):
        np.testing.assert_array_equal(np.asarray(g), w)


def test_rotate_left_from_shifts():
    from irax.random import _rotate_left
    x = np.array([0x80000001, 0x12345678, 0xFFFFFFFF, 0], U32)
    got = irax.jit(lambda x: [_rotate_left(x, r) for r in (1, 13, 31)])(x)
    for g, r in zip(got, (1, 13, 31)):
        want = ((x.astype(np.uint64) << r) | (x.astype(np.uint64) >> (32 - r))) & 0xFFFFFFFF
        np.testing.assert_array_equal(np.asarray(g), want.astype(U32))


# ------------------------------------------------------------ threefry and JAX's vectors

def test_threefry_known_answers():
    """Random123's known-answer vectors for Threefry-2x32 with 20 rounds."""
    from irax.random import threefry_2x32
    k1 = np.array([0, 0xFFFFFFFF, 0x13198A2E], U32)
    k2 = np.array([0, 0xFFFFFFFF, 0x03707344], U32)
    x1 = np.array([0, 0xFFFFFFFF, 0x243F6A88], U32)
    x2 = np.array([0, 0xFFFFFFFF, 0x85A308D3], U32)
    y1, y2 = irax.jit(threefry_2x32)(k1, k2, x1, x2)
    np.testing.assert_array_equal(np.asarray(y1),
                                  np.array([0x6B200159, 0x1CB996FC, 0xC4923A9C], U32))
    np.testing.assert_array_equal(np.asarray(y2),
                                  np.array([0x99BA4EFE, 0xBB002BE7, 0x483DF7A0], U32))


with open(os.path.join(os.path.dirname(__file__), "data", "jax_random_vectors.json")) as _f:
    VECTORS = json.load(_f)


def _decode(r):
    if "bits" in r:
        return np.array(r["bits"], U32).view(np.float32).reshape(r["shape"])
    return np.array(r["values"], r["dtype"]).reshape(r["shape"])


def _call(case):
    """Run one recorded case with irax.random, the sampler under jit."""
    fn, kw = case["fn"], dict(case["kwargs"])
    if fn == "PRNGKey":
        return irax.random.PRNGKey(case["seed"])
    for name, dt in (("logits", np.float32), ("p", np.float32), ("x", np.int32)):
        if isinstance(kw.get(name), list):
            kw[name] = np.asarray(kw[name], dt)
    fold = case.get("fold_in")

    def sample(key):
        if fold is not None:
            key = irax.random.fold_in(key, fold)
        return getattr(irax.random, fn)(key, **kw)
    return irax.jit(sample)(irax.random.PRNGKey(case["seed"]))


def _case_id(case):
    return f"{case['fn']}-{case['seed']}-" + "-".join(
        f"{k}={v}" for k, v in case["kwargs"].items() if k not in ("logits", "p", "x"))


def test_vectors_were_recorded_with_jax_defaults():
    meta = VECTORS["meta"]
    assert meta["jax_default_prng_impl"] == "threefry2x32"
    assert meta["jax_threefry_partitionable"] is True
    assert len(RANDOM_CASES) >= 40


RANDOM_CASES = [c for c in VECTORS["cases"] if not c["fn"].startswith("nn.")]


@pytest.mark.parametrize("case", RANDOM_CASES, ids=_case_id)
def test_bit_compatible_with_jax(case):
    want = _decode(case["result"])
    got = np.asarray(_call(case))
    assert got.shape == want.shape and got.dtype == want.dtype, (got.shape, got.dtype, want.shape)
    if want.dtype != np.float32:
        np.testing.assert_array_equal(got, want)
    elif case["fn"] in ("uniform", "normal") and case["kwargs"].get("minval") is None:
        # same bits, same bit manipulation: within 2 ulp (erf_inv's log1p is IREE's own)
        ulp = np.abs(got.view(np.int32).astype(np.int64) - want.view(np.int32))
        assert ulp.max() <= 2, ulp.max()
    else:
        # erf/log/fma differences move values near 0 by a few ulp of 1.0
        np.testing.assert_allclose(got, want, rtol=2e-6, atol=1e-6)


def test_eager_equals_jit():
    key = irax.random.PRNGKey(3)
    eager = [irax.random.split(key, 3), irax.random.fold_in(key, 5), irax.random.bits(key, (4,))]
    jitted = irax.jit(lambda k: [irax.random.split(k, 3), irax.random.fold_in(k, 5),
                                 irax.random.bits(k, (4,))])(key)
    for e, j in zip(eager, jitted):
        np.testing.assert_array_equal(np.asarray(e), np.asarray(j))


def test_empty_shapes():
    key = irax.random.PRNGKey(0)
    keys, z, perm = irax.jit(lambda k: (irax.random.split(k, 0), irax.random.normal(k, (0, 3)),
                                        irax.random.permutation(k, 0)))(key)
    assert np.asarray(keys).shape == (0, 2) and np.asarray(keys).dtype == U32
    assert np.asarray(z).shape == (0, 3) and np.asarray(perm).shape == (0,)


def test_gradients_flow_through_samples_not_keys():
    """Reparameterised noise and dropout masks: d/dw sum(w * mask + w**2 * eps)."""
    key = irax.random.PRNGKey(0)
    w = np.array([1.0, 2.0, 3.0], np.float32)

    def f(w, k):
        return jnp.sum(w * irax.random.bernoulli(k, 0.5, (3,)) + w**2 * irax.random.normal(k, (3,)))
    mask = np.asarray(irax.random.bernoulli(key, 0.5, (3,)))
    eps = np.asarray(irax.random.normal(key, (3,)))
    np.testing.assert_allclose(np.asarray(irax.jit(irax.grad(f))(w, key)), mask + 2 * w * eps,
                               rtol=1e-6)


def test_traced_seed_matches_python_seed():
    got = irax.jit(irax.random.PRNGKey)(np.int32(-7))
    np.testing.assert_array_equal(np.asarray(got), np.asarray(irax.random.PRNGKey(-7)))
    np.testing.assert_array_equal(np.asarray(got), np.array([0, 2**32 - 7], U32))


# ------------------------------------------------------------ distributions

N = 20000


def _ks_uniform(x, lo, hi):
    x = np.sort(x.astype(np.float64))
    cdf = (x - lo) / (hi - lo)
    n = len(x)
    return max(np.max(np.arange(1, n + 1) / n - cdf), np.max(cdf - np.arange(n) / n))


def _normal_cdf(x):
    from math import erf
    return 0.5 * (1 + np.vectorize(erf)(x / np.sqrt(2)))


def test_uniform_and_normal_moments_and_ks():
    k1, k2 = irax.random.split(irax.random.PRNGKey(11))
    u, z = irax.jit(lambda a, b: (irax.random.uniform(a, (N,), minval=-1.0, maxval=3.0),
                                  irax.random.normal(b, (N,))))(k1, k2)
    u, z = np.asarray(u), np.asarray(z)
    assert u.min() >= -1.0 and u.max() < 3.0
    assert _ks_uniform(u, -1.0, 3.0) < 1.63 / np.sqrt(N)  # KS at the 1% level
    assert abs(z.mean()) < 4 / np.sqrt(N) and abs(z.var() - 1) < 0.05
    zs = np.sort(z)
    d = np.max(np.abs(_normal_cdf(zs) - np.arange(1, N + 1) / N))
    assert d < 1.63 / np.sqrt(N)


def test_truncated_normal_bernoulli_randint_gumbel():
    keys = irax.random.split(irax.random.PRNGKey(5), 4)

    def f(keys):
        return (irax.random.truncated_normal(keys[0], -1.0, 0.5, (N,)),
                irax.random.bernoulli(keys[1], 0.3, (N,)),
                irax.random.randint(keys[2], (N,), -3, 4),
                irax.random.gumbel(keys[3], (N,)))
    t, b, r, g = (np.asarray(v) for v in irax.jit(f)(keys))
    assert t.min() > -1.0 and t.max() < 0.5
    # mean of N(0,1) truncated to (a, b): (phi(a) - phi(b)) / (Phi(b) - Phi(a))
    phi = lambda x: np.exp(-x * x / 2) / np.sqrt(2 * np.pi)  # noqa: E731
    want = (phi(-1.0) - phi(0.5)) / (_normal_cdf(0.5) - _normal_cdf(-1.0))
    assert abs(t.mean() - want) < 0.02
    assert b.dtype == np.bool_ and abs(b.mean() - 0.3) < 0.015
    assert r.dtype == np.int32 and r.min() == -3 and r.max() == 3
    np.testing.assert_allclose(np.bincount(r + 3) / N, np.full(7, 1 / 7), atol=0.012)
    assert abs(g.mean() - 0.5772156649) < 0.04 and abs(g.var() - np.pi**2 / 6) < 0.1


def test_categorical_frequencies_follow_softmax():
    logits = np.array([0.0, 1.0, -1.0, 2.0], np.float32)
    s = np.asarray(irax.jit(lambda k: irax.random.categorical(k, logits, shape=(N,)))(
        irax.random.PRNGKey(2)))
    p = np.exp(logits) / np.exp(logits).sum()
    np.testing.assert_allclose(np.bincount(s, minlength=4) / N, p, atol=0.015)


def test_permutation_and_choice_are_valid():
    key = irax.random.PRNGKey(9)
    perm, x_perm, no_rep, weighted = irax.jit(lambda k: (
        irax.random.permutation(k, 50),
        irax.random.permutation(k, np.arange(12, dtype=np.float32).reshape(6, 2)),
        irax.random.choice(k, 20, (10,), replace=False),
        irax.random.choice(k, 3, (N,), p=np.array([0.2, 0.0, 0.8], np.float32))))(key)
    assert sorted(np.asarray(perm).tolist()) == list(range(50))
    assert np.asarray(perm).tolist() != list(range(50))
    rows = np.asarray(x_perm)
    assert sorted(rows[:, 0].tolist()) == list(range(0, 12, 2))
    np.testing.assert_array_equal(rows[:, 1], rows[:, 0] + 1)  # rows move whole
    assert len(set(np.asarray(no_rep).tolist())) == 10
    w = np.asarray(weighted)
    assert (w != 1).all() and abs((w == 2).mean() - 0.8) < 0.015


def test_split_and_fold_in_streams_are_independent():
    key = irax.random.PRNGKey(0)
    keys = np.asarray(irax.random.split(key, 3))
    # With JAX's partitionable threefry, split(key, n)[i] is fold_in(key, i).
    for i in range(3):
        np.testing.assert_array_equal(np.asarray(irax.random.fold_in(key, i)), keys[i])
    folded = np.stack([np.asarray(irax.random.fold_in(key, 1000 + i)) for i in range(3)])
    allkeys = np.concatenate([keys, folded, np.asarray(key)[None]])
    assert len({tuple(k) for k in allkeys.tolist()}) == 7
    draw = irax.jit(lambda k: irax.random.normal(k, (N,)))
    streams = np.stack([np.asarray(draw(k)) for k in list(allkeys[:6])])
    corr = np.corrcoef(streams)
    assert np.abs(corr[~np.eye(6, dtype=bool)]).max() < 4 / np.sqrt(N)


def test_vmap_over_a_batch_of_keys_matches_a_loop():
    keys = irax.random.split(irax.random.PRNGKey(1), 4)
    sample = lambda k: (irax.random.normal(k, (3,)), irax.random.split(k)[1],  # noqa: E731
                        irax.random.randint(k, (2,), 0, 100), irax.random.permutation(k, 6))
    batched = irax.jit(irax.vmap(sample))(keys)
    one = irax.jit(sample)
    for i in range(4):
        for b, s in zip(batched, one(keys[i])):
            np.testing.assert_array_equal(np.asarray(b)[i], np.asarray(s))


def test_vmap_over_seeds_and_fold_in_data():
    seeds = np.array([0, 1, -1, 42], np.int32)
    keys = np.asarray(irax.jit(irax.vmap(irax.random.PRNGKey))(seeds))
    np.testing.assert_array_equal(keys, np.stack([np.asarray(irax.random.PRNGKey(int(s)))
                                                  for s in seeds]))
    key = irax.random.PRNGKey(3)
    fold = irax.vmap(lambda i: irax.random.fold_in(key, i))
    folded = irax.jit(fold)(np.arange(4, dtype=np.int32))
    # a key captured as a constant of the compiled program, folded with each batch element
    np.testing.assert_array_equal(np.asarray(folded), np.asarray(irax.random.split(key, 4)))


# ------------------------------------------------------------ misuse

def test_float_key_is_a_type_error():
    with pytest.raises(TypeError, match=r"irax.random.normal: a PRNG key must be uint32\[2\], "
                                        r"got f32\[2\].*test_random.py:\d+"):
        irax.random.normal(jnp.zeros(2), (3,))


def test_wrong_key_shapes_are_type_errors():
    with pytest.raises(TypeError, match=r"single PRNG key of shape \(2,\), got ui32\[4,2\] "
                                        r"\(for a batch of keys use irax.vmap\)"):
        irax.random.uniform(irax.random.split(irax.random.PRNGKey(0), 4))
    with pytest.raises(TypeError, match=r"irax.random.split: a PRNG key must be uint32\[2\], "
                                        r"got uint32\[3\]"):
        irax.random.split(np.zeros(3, U32))
    with pytest.raises(TypeError, match="expected a PRNG key .* got int"):
        irax.random.bits(0)
    with pytest.raises(TypeError, match="seed must be an integer, got float"):
        irax.random.PRNGKey(1.5)


# ------------------------------------------------------------ other targets

def test_same_bits_on_vulkan():
    from irax.lowering.runtime import available_backends
    if "vulkan" not in available_backends():
        pytest.skip("no Vulkan device (install mesa-vulkan-drivers for lavapipe)")
    # No permutation here: irax.sort on Vulkan crashes IREE's compiler for 5..10
    # elements and sorts 1000 wrongly (a sort problem, not the PRNG's).
    picked = {("split", 42), ("bits", 5), ("randint", 1), ("normal", 1), ("categorical", 0)}
    cases = [c for c in RANDOM_CASES if (c["fn"], c["seed"]) in picked]
    assert len(cases) == len(picked)

    def run(keys):
        return [getattr(irax.random, c["fn"])(k, **c["kwargs"]) for c, k in zip(cases, keys)]
    keys = [irax.random.PRNGKey(c["seed"]) for c in cases]
    outs = irax.jit(run, backend="vulkan")(keys)
    for case, got in zip(cases, outs):
        assert got.backend.platform == "vulkan"
        want, got = _decode(case["result"]), np.asarray(got)
        assert got.shape == want.shape and got.dtype == want.dtype
        if want.dtype == np.float32:
            assert np.abs(got.view(np.int32).astype(np.int64) - want.view(np.int32)).max() <= 2
        else:
            np.testing.assert_array_equal(got, want)
