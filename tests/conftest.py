import numpy as np
import pytest


@pytest.fixture
def rng():
    return np.random.default_rng(0)


def rand(rng, shape, dtype="float32", low=-3, high=3):
    """A random NumPy array of `shape`/`dtype` (bool: fair coin; ints in [low, high))."""
    dtype = np.dtype(dtype)
    if dtype == np.bool_:
        return rng.random(shape) < 0.5
    if dtype.kind in "iu":
        return rng.integers(max(low, 0) if dtype.kind == "u" else low, high, shape).astype(dtype)
    return rng.uniform(low, high, shape).astype(dtype)


def assert_close(got, want, rtol=1e-5, atol=1e-6, dtype=True):
    """`got` (an irax array) equals NumPy's `want` in value, shape and (optionally) dtype."""
    got_np = np.asarray(got)
    want = np.asarray(want)
    assert got_np.shape == want.shape, (got_np.shape, want.shape)
    if dtype:
        assert got_np.dtype == want.dtype, (got_np.dtype, want.dtype)
    if want.dtype.kind in "biu":
        np.testing.assert_array_equal(got_np, want)
    else:
        np.testing.assert_allclose(got_np, want, rtol=rtol, atol=atol, equal_nan=True)


def pytest_configure(config):
    """IRAX_COMPILE_REPORT=path: count, per test file, the distinct modules it is the first
    to compile (what it costs on a cold compile cache) and append them to `path`."""
    import os
    path = os.environ.get("IRAX_COMPILE_REPORT")
    if not path:
        return
    import atexit
    import collections
    from irax.lowering import cache
    seen, per_file = set(), collections.Counter()
    original = cache.entry_key

    def counting(text, flags):  # called once per module a process compiles or loads
        if (text, flags) not in seen:
            seen.add((text, flags))
            per_file[os.environ.get("PYTEST_CURRENT_TEST", "?").split("::")[0]] += 1
        return original(text, flags)

    cache.entry_key = counting

    def write():
        with open(path, "a") as f:
            for name, n in per_file.most_common():
                f.write(f"{n}\t{name}\n")
    atexit.register(write)


# The heaviest default tests (each 40-190 s of a loaded 2-core run, nearly all IREE
# compile time for loop-heavy programs) run only with IRAX_SLOW_TESTS=1, so that
# the default suite fits CI's budget; each area keeps cheaper default tests.
SLOW_BY_DEFAULT = {
    "tests/test_scipy_stats.py::test_discrete_and_multivariate",
    "tests/test_scipy_stats.py::test_continuous_core",
    "tests/test_scipy_special.py::test_lax_special_derivatives_match_jax_grad",
    "tests/test_scipy_special.py::test_scipy_special_values_match_jax",
    "tests/test_scipy_special.py::test_lax_binary_special_functions_match_jax",
    "tests/test_linalg_factorizations.py::test_scipy_linalg_functions_match_jax",
    "tests/test_linalg_factorizations.py::test_batched_vmapped_and_rectangular_lu",
    "tests/test_linalg_factorizations.py::test_numpy_linalg_functions_match_jax",
    "tests/test_linalg_factorizations.py::test_gradients_match_jax_under_jit_and_vmap",
    "tests/test_linalg_spectral.py::test_grad_matches_jax",
    "tests/test_linalg_spectral.py::test_lstsq_rank",
    "tests/test_nn_more.py::test_dot_product_attention",
}


def pytest_collection_modifyitems(config, items):
    import os
    if os.environ.get("IRAX_SLOW_TESTS"):
        return
    skip = pytest.mark.skip(reason="opt-in heavy test: set IRAX_SLOW_TESTS=1")
    for item in items:
        if item.nodeid.split("[")[0] in SLOW_BY_DEFAULT:
            item.add_marker(skip)
