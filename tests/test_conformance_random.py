"""irax.random gives jax.random's bits exactly (JAX on CPU is the oracle), and big
samples compile without building or walking big host constants."""
import re
import tracemalloc

import jax
import jax.numpy as jjnp
import numpy as np
import pytest

import irax
import irax.numpy as jnp
from irax import random as R

KEYS = 8          # keys per sampler, batched with vmap: one compile per sampler
N = 12500         # samples per key: 1e5 per sampler
SEED = 20260


def _keys():
    ik = R.split(R.PRNGKey(SEED), KEYS)
    jk = jax.random.split(jax.random.PRNGKey(SEED), KEYS)
    np.testing.assert_array_equal(np.asarray(ik), np.asarray(jk))
    return ik, jk


def _same_bits(got, want, what):
    got, want = np.asarray(got), np.asarray(want)
    assert got.shape == want.shape and got.dtype == want.dtype, (what, got.shape, want.shape)
    if got.dtype.kind == "f":
        got, want = got.view(f"u{got.itemsize}"), want.view(f"u{want.itemsize}")
    bad = np.flatnonzero(got.reshape(-1) != want.reshape(-1))
    assert bad.size == 0, f"{what}: {bad.size} of {got.size} samples differ, first at {bad[:5]}"


LOGITS = np.linspace(-2.0, 3.0, 7, dtype=np.float32)
SAMPLERS = {
    # name: (irax sampler, jax sampler), each (key) -> samples of N values.  (gumbel's
    # low mode is categorical's; bernoulli and bits are uniform's; see test_random.py.)
    "uniform": (lambda k: R.uniform(k, (N,), minval=-3.0, maxval=5.0),
                lambda k: jax.random.uniform(k, (N,), minval=-3.0, maxval=5.0)),
    "normal": (lambda k: R.normal(k, (N,)), lambda k: jax.random.normal(k, (N,))),
    "truncated_normal": (lambda k: R.truncated_normal(k, -2.0, 1.5, (N,)),
                         lambda k: jax.random.truncated_normal(k, -2.0, 1.5, (N,))),
    "exponential": (lambda k: R.exponential(k, (N,)), lambda k: jax.random.exponential(k, (N,))),
    "gumbel_high": (lambda k: R.gumbel(k, (N,), mode="high"),
                    lambda k: jax.random.gumbel(k, (N,), mode="high")),
    "categorical": (lambda k: R.categorical(k, LOGITS, shape=(N,)),
                    lambda k: jax.random.categorical(k, jjnp.asarray(LOGITS), shape=(N,))),
    "randint": (lambda k: R.randint(k, (N,), -7, 1000), lambda k: jax.random.randint(k, (N,), -7, 1000)),
}


def _all(samplers, rand, vmap, k):
    def f(keys, key, lo, hi):
        outs = vmap(lambda kk: tuple(fn(kk) for fn in samplers))(keys)
        return outs + (rand.normal(key, (3, 7, 11)), rand.truncated_normal(key, lo, hi))
    return f


def test_samplers_match_jax_bit_for_bit():
    """1e5 samples per sampler over 8 keys, a 3-d shape and traced bounds: one compile."""
    ik, jk = _keys()
    lo = np.linspace(-3, 0.5, 40, dtype=np.float32)
    hi = lo + np.linspace(0.1, 4, 40, dtype=np.float32)
    names = list(SAMPLERS) + ["normal 3-d", "truncated_normal, array bounds"]
    got = irax.jit(_all([m for m, _ in SAMPLERS.values()], R, irax.vmap, None))(
        ik, R.PRNGKey(3), lo, hi)
    want = jax.jit(_all([t for _, t in SAMPLERS.values()], jax.random, jax.vmap, None))(
        jk, jax.random.PRNGKey(3), lo, hi)
    for name, g, w in zip(names, got, want):
        _same_bits(g, w, name)


def test_xla_float32_math_matches_jax():
    """The transcendentals the samplers are built from, over their whole ranges."""
    rng = np.random.default_rng(0)
    special = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1.0, -1.0, 1e-30, 3.9, -3.9],
                       np.float32)
    pos = np.concatenate([rng.uniform(0, 1, 20000), rng.uniform(1, 1e4, 5000),
                          10.0 ** rng.uniform(-37, 30, 5000)]).astype(np.float32)
    near = np.concatenate([rng.uniform(-1, 1, 20000), rng.uniform(-1e-3, 1e-3, 5000),
                           rng.uniform(0, 50, 5000)]).astype(np.float32)
    wide = rng.uniform(-5, 5, 30000).astype(np.float32)
    inside = rng.uniform(-1, 1, 30000).astype(np.float32)
    got = irax.jit(lambda a, b, c, d, s: (R._xla_log(a), R._xla_log1p(b), R._xla_erf(c),
                                          R._erf_inv(d), R._xla_log(jnp.abs(s)),
                                          R._xla_erf(s)))(pos, near, wide, inside, special)
    want = jax.jit(lambda a, b, c, d, s: (jjnp.log(a), jjnp.log1p(b), jax.lax.erf(c),
                                          jax.lax.erf_inv(d), jjnp.log(jjnp.abs(s)),
                                          jax.lax.erf(s)))(pos, near, wide, inside, special)
    for what, g, w in zip(["log", "log1p", "erf", "erf_inv", "log special", "erf special"],
                          got, want):
        g, w = np.asarray(g), np.asarray(w)
        nan = np.isnan(w)
        assert np.array_equal(np.isnan(g), nan), what
        _same_bits(g[~nan], w[~nan], what)


# ------------------------------------------------------------------ big samples

def test_splat_constants_are_not_materialised():
    from irax.dialects.ops import is_splat, splat_array
    big = splat_array(1.5, (20000, 20000), np.float32)  # 1.6 GB if it were filled
    tracemalloc.start()
    try:
        assert is_splat(big) and big.strides == (0, 0)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 1 << 20, peak  # answered from the view, never element by element
    assert not is_splat(np.arange(10 ** 7, dtype=np.int32))
    assert is_splat(np.full(10 ** 7, -0.0, np.float32))
    assert not is_splat(np.array([0.0, -0.0], np.float32))  # bitwise, not ==


def test_big_normal_lowers_without_host_constants():
    """random.normal(key, (3000, 3000)): counters come from iota on the device; the
    lowered module is small and carries no array constant beyond a splat."""
    text = irax.jit(lambda k: R.normal(k, (3000, 3000))).lower(R.PRNGKey(0))
    assert len(text) < 400_000, len(text)
    dense = re.findall(r"dense<([^>]{0,40})", text)
    assert all(not d.startswith(("[", '"0x')) or len(d) < 40 for d in dense), dense[:5]
    assert "linalg.index" in text  # the counter iota
