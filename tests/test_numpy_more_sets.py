"""irax.numpy's data-dependent selections against JAX: unique and set operations,
nonzero and friends with a static size= under jit, concrete sizes eagerly."""
import os

import jax.numpy as jnp
import numpy as np
import pytest
from conftest import assert_close
from test_numpy_more_reductions import compare

import irax
import irax.numpy as inp

A = np.array([5, 3, 3, 1, 7, 3], np.int32)
B = np.array([3, 4, 7, 7, 9], np.int32)
F = np.array([3.0, 1.0, np.nan, 1.0, 2.0, np.nan], np.float32)
M = np.array([[2, 1], [2, 1], [0, 5]], np.int32)


def test_unique_and_set_ops_with_size():
    cases = {
        "unique": lambda m, a, b, f, x: m.unique(a, size=6, return_index=True,
                                                 return_inverse=True, return_counts=True),
        "unique_short": lambda m, a, b, f, x: m.unique(f, size=2, return_counts=True),
        "union": lambda m, a, b, f, x: m.union1d(a, b, size=8),
        "intersect": lambda m, a, b, f, x: m.intersect1d(a, b, size=4, return_indices=True),
        "isin": lambda m, a, b, f, x: m.isin(f, f[:3], invert=True),
    }
    compare(cases, A, B, F, M)


@pytest.mark.skipif(not os.environ.get("IRAX_SLOW_TESTS"), reason="opt-in sweep")
def test_more_unique_and_set_ops():
    cases = {
        "unique_nan": lambda m, a, b, f, x: (m.unique(f, size=5, fill_value=-1.0),
                                             m.unique(f, size=5, equal_nan=False)),
        "unique_axis": lambda m, a, b, f, x: m.unique(x, axis=0, size=3, return_inverse=True),
        "unique_all": lambda m, a, b, f, x: tuple(m.unique_all(f, size=6)),
        "setdiff": lambda m, a, b, f, x: m.setdiff1d(a, b, size=4),
        "setxor": lambda m, a, b, f, x: m.setxor1d(a, b, size=6, fill_value=-7),
        "isin": lambda m, a, b, f, x: (m.isin(a, b), m.isin(a, b, method="sort")),
    }
    compare(cases, A, B, F, M)


def test_nonzero_family_with_size():
    cases = {
        "nonzero": lambda m, x, c: m.nonzero(x > 1, size=2, fill_value=(7, 8)),
        "argwhere": lambda m, x, c: m.argwhere(x, size=5, fill_value=-1),
        "compress": lambda m, x, c: m.compress(c, x, axis=0, size=3, fill_value=-1),
    }
    compare(cases, M, np.array([True, False, True]))


@pytest.mark.skipif(not os.environ.get("IRAX_SLOW_TESTS"), reason="opt-in sweep")
def test_concrete_sizes_eagerly():
    """Without size= the length comes from the concrete values (eager), as in JAX."""
    assert_close(inp.unique(A), np.asarray(jnp.unique(A)))
    assert_close(inp.union1d(A, B), np.asarray(jnp.union1d(A, B)))
    for got, want in zip(inp.nonzero(M), jnp.nonzero(M)):
        assert_close(got, np.asarray(want))


def test_traced_without_size_raises():
    for f in (inp.unique, inp.nonzero, inp.flatnonzero, lambda x: inp.setdiff1d(x, x)):
        with pytest.raises(irax.ConcretizationTypeError, match="size="):
            irax.jit(f)(A)
    with pytest.raises(ValueError, match="0d"):
        inp.nonzero(np.int32(3))
    with pytest.raises(ValueError, match="fill_value must be specified"):
        inp.unique(np.zeros((0,), np.float32), size=2)


def test_vmap_and_grad():
    """size= makes them batchable; values keep their gradient through the gathers."""
    rows = np.array([[3, 1, 3, 2], [0, 0, 5, 5]], np.int32)
    got = irax.jit(irax.vmap(lambda r: inp.unique(r, size=3, fill_value=-1)))(rows)
    want = np.stack([np.asarray(jnp.unique(r, size=3, fill_value=-1)) for r in rows])
    assert_close(got, want)
    x = np.array([0.5, -1.0, 0.5, 2.0], np.float32)
    g = irax.jit(irax.grad(lambda v: (inp.unique(v, size=3) ** 2).sum()))(x)
    import jax
    w = jax.grad(lambda v: (jnp.unique(v, size=3) ** 2).sum())(x)
    assert_close(g, np.asarray(w))
