"""irax.numpy's NaN reductions, order statistics, histograms, searching and calculus
helpers against JAX (values, dtypes, shapes), many cases per compiled function."""
import jax
import jax.numpy as jnp
import os

import numpy as np
import pytest
from conftest import assert_close

import irax
import irax.numpy as inp


def compare(cases, *args, rtol=2e-5, atol=2e-6, jit=True):
    """Run every case (a function of (numpy module, *args)) under one irax.jit and one
    jax.jit, and compare each output leaf in value, shape and dtype."""
    cases = {repr(k): f for k, f in cases.items()}

    def run(mod, wrap):
        return wrap(lambda *xs: {k: f(mod, *xs) for k, f in cases.items()})(*args)
    got = run(inp, irax.jit if jit else (lambda f: f))
    want = run(jnp, jax.jit if jit else (lambda f: f))
    for k in cases:
        g, w = jax.tree_util.tree_leaves(got[k]), jax.tree_util.tree_leaves(want[k])
        assert len(g) == len(w), k
        for gi, wi in zip(g, w):
            try:
                assert_close(gi, np.asarray(wi), rtol=rtol, atol=atol)
            except AssertionError as e:
                raise AssertionError(f"case {k!r}: {e}") from None


X = np.array([[3., np.nan, 1., 2.], [np.nan, np.nan, np.nan, np.nan], [4., -1., 0., 7.]],
             np.float32)


def test_nan_reductions():
    cases = {
        "sum": lambda m, x: (m.nansum(x, axis=1), m.nansum(x, keepdims=True)),
        "prod": lambda m, x: m.nanprod(x, axis=0),
        "extremes": lambda m, x: (m.nanmax(x, axis=1), m.nanmin(x),
                                  m.nanargmax(x, axis=1), m.nanargmin(x, axis=0, keepdims=True)),
        "moments": lambda m, x: (m.nanmean(x, axis=1), m.nanvar(x, axis=0, ddof=1),
                                 m.nanstd(x, axis=1, keepdims=True),
                                 m.nanmean(x, axis=1, where=x > 0)),
        "cum": lambda m, x: (m.nancumsum(x, axis=1), m.nancumprod(x)),
        "ints": lambda m, x: (m.nanmax(m.arange(6).reshape(2, 3), axis=0),
                              m.nansum(m.ones(3, m.int8)), m.nanmean(m.arange(4))),
    }
    compare(cases, X)


def test_quantiles_and_median(rng):
    x = rng.normal(size=(3, 5, 4)).astype(np.float32)
    x[0, 1, 2] = np.nan
    q = np.array([0.0, 0.1, 0.5, 0.75, 1.0], np.float32)
    cases = {
        "q": lambda m, x, q: m.quantile(x, q, axis=1),
        "nq": lambda m, x, q: m.nanquantile(x, q, axis=1, method="nearest"),
        "tuple_axis": lambda m, x, q: m.quantile(x[1:], q[1:3], axis=(0, 2), keepdims=True,
                                                 method="lower"),
        "median": lambda m, x, q: (m.median(x, axis=-1), m.nanmedian(x, axis=1, keepdims=True)),
        "percentile": lambda m, x, q: m.percentile(x[1:], 40.0, method="midpoint"),
        "int": lambda m, x, q: m.median(m.arange(7) % 3),
    }
    compare(cases, x, q)


@pytest.mark.skipif(not os.environ.get("IRAX_SLOW_TESTS"), reason="opt-in sweep")
def test_quantile_methods_sweep(rng):
    x = rng.normal(size=(3, 6)).astype(np.float32)
    x[0, 2] = np.nan
    q = np.linspace(0, 1, 9).astype(np.float32)
    cases = {(f, method, ax): (lambda m, x, q, f=f, method=method, ax=ax:
                               getattr(m, f)(x, q, axis=ax, method=method))
             for f in ("quantile", "nanquantile")
             for method in ("linear", "lower", "higher", "midpoint", "nearest", "inverted_cdf")
             for ax in (None, 1)}
    compare(cases, x, q)


@pytest.mark.skipif(not os.environ.get("IRAX_SLOW_TESTS"), reason="opt-in sweep")
def test_cov_corrcoef_histograms(rng):
    x = rng.normal(size=(3, 6)).astype(np.float32)
    w = rng.integers(1, 4, 6).astype(np.int32)
    aw = rng.uniform(0.5, 2, 6).astype(np.float32)
    cases = {
        "cov": lambda m, x, w, aw: (m.cov(x), m.cov(x.T, rowvar=False, bias=True),
                                    m.cov(x[0], x[1]), m.cov(x, ddof=2)),
        "cov_w": lambda m, x, w, aw: m.cov(x, fweights=w, aweights=aw),
        "corrcoef": lambda m, x, w, aw: (m.corrcoef(x), m.corrcoef(x[0], x[2])),
        "hist": lambda m, x, w, aw: m.histogram(x, bins=4),
        "hist_range": lambda m, x, w, aw: m.histogram(x[0], bins=3, range=(-1.0, 1.0),
                                                      weights=aw, density=True),
        "hist_edges": lambda m, x, w, aw: m.histogram(x[1], bins=m.array([-2., 0., 0.5, 3.])),
        "hist2d": lambda m, x, w, aw: m.histogram2d(x[0], x[1], bins=3),
        "bincount": lambda m, x, w, aw: (m.bincount(w, length=5), m.bincount(w, aw, length=3)),
    }
    compare(cases, x, w, aw, rtol=1e-4, atol=1e-5)


@pytest.mark.skipif(not os.environ.get("IRAX_SLOW_TESTS"), reason="opt-in sweep")
def test_searching_and_partial_sorts(rng):
    a = np.array([-1.0, 0.5, 0.5, 2.0, 3.0, np.nan], np.float32)
    v = np.array([[-5.0, 0.5, 2.5], [np.nan, 3.0, 10.0]], np.float32)
    k = rng.permutation(12).astype(np.float32).reshape(3, 4)
    cases = {
        "ss": lambda m, a, v, k: (m.searchsorted(a, v), m.searchsorted(a, v, side="right"),
                                  m.searchsorted(a[:1], v)),
        "sorter": lambda m, a, v, k: m.searchsorted(k[0], k[1], sorter=m.argsort(k[0])),
        "digitize": lambda m, a, v, k: (m.digitize(v, a[:5], right=True),
                                        m.digitize(v, a[:5][::-1])),
        "lexsort": lambda m, a, v, k: m.lexsort((k[0] % 3, k[1] % 2)),
        "partition": lambda m, a, v, k: (m.partition(k, 1), m.argpartition(k, 0, axis=0)),
    }
    compare(cases, a, v, k)


@pytest.mark.skipif(not os.environ.get("IRAX_SLOW_TESTS"), reason="opt-in sweep")
def test_differences_and_integrals(rng):
    y = rng.normal(size=(3, 5)).astype(np.float32)
    xs = np.array([0.0, 0.5, 1.5, 2.0, 4.0], np.float32)
    cases = {
        "diff": lambda m, y, xs: (m.diff(y, n=2, axis=0, prepend=1.0), m.diff(y > 0),
                                  m.ediff1d(y[0], to_begin=m.array([9.0]), to_end=-1.0)),
        "cumulative": lambda m, y, xs: (m.cumulative_sum(y, axis=1, include_initial=True),
                                        m.cumulative_sum(m.arange(4, dtype=m.int8))),
        "gradient": lambda m, y, xs: (m.gradient(y, 0.5, xs), m.gradient(y[0], xs)),
        "trapezoid": lambda m, y, xs: (m.trapezoid(y, xs), m.trapezoid(y, dx=0.1, axis=0)),
        "interp": lambda m, y, xs: (m.interp(y, xs, xs ** 2, left=-1.0, right="extrapolate"),
                                    m.interp(y, xs, xs ** 2, period=3.0)),
        "unwrap": lambda m, y, xs: m.unwrap(y * 4, axis=0, period=3.0),
        "cross": lambda m, y, xs: (m.cross(y[:, :3], y[:, 2:]), m.cross(y[:, :2], y[:, 3:])),
        "kron": lambda m, y, xs: m.kron(xs[:3], y[:2]),
    }
    compare(cases, y, xs, rtol=1e-4, atol=1e-5)


@pytest.mark.skipif(not os.environ.get("IRAX_SLOW_TESTS"), reason="opt-in sweep")
def test_convolve_correlate(rng):
    pairs = [(6, 3), (3, 4)] if not os.environ.get("IRAX_SLOW_TESTS") else \
        [(6, 3), (3, 5), (4, 4), (5, 1), (2, 2)]
    arrays = [rng.normal(size=n).astype(np.float32) for nk in pairs for n in nk]
    cases = {(op, mode, i): (lambda m, *xs, op=op, mode=mode, i=i:
                             getattr(m, op)(xs[2 * i], xs[2 * i + 1], mode=mode))
             for op in ("convolve", "correlate") for mode in ("full", "same", "valid")
             for i in range(len(pairs))}
    cases["int"] = lambda m, *xs: m.convolve(m.arange(4), m.array([1, -1, 2]))
    compare(cases, *arrays, rtol=1e-4, atol=1e-5)


@pytest.mark.skipif(not os.environ.get("IRAX_SLOW_TESTS"), reason="opt-in sweep")
def test_grad_and_vmap():
    """Gradients flow through the compositions (sort, gather, scatter, select) as in JAX."""
    x = np.array([[0.3, -1.2, 2.0, 0.7], [1.5, np.nan, -0.4, 0.1]], np.float32)

    def loss(m, x):
        z = m.nan_to_num(x)
        return (m.nansum(x * x) + m.nanmax(x) + m.nanstd(x, axis=1).sum()
                + m.quantile(z, 0.3) + m.nanmedian(x)
                + m.interp(z[0], m.array([-2.0, 0.0, 1.0, 3.0]), m.array([1.0, 2.0, -1.0, 0.5])).sum()
                + m.convolve(z[0], z[1]).sum() + m.trapezoid(z ** 2).sum())
    g = irax.jit(irax.grad(lambda x: loss(inp, x)))(x)
    w = jax.jit(jax.grad(lambda x: loss(jnp, x)))(x)
    assert_close(g, np.asarray(w), rtol=1e-4, atol=1e-5)

    def per_row(m, r):
        return m.nanmedian(r), m.searchsorted(m.sort(r), 0.5), m.diff(r)
    xs = np.nan_to_num(x)
    got = irax.jit(irax.vmap(lambda r: per_row(inp, r)))(xs)
    want = jax.vmap(lambda r: per_row(jnp, r))(xs)
    for gi, wi in zip(got, want):
        assert_close(gi, np.asarray(wi), rtol=1e-5, atol=1e-6)


def test_errors():
    with pytest.raises(TypeError, match="nansum requires ndarray"):
        inp.nansum([1.0, 2.0])
    with pytest.raises(ValueError, match="method"):
        inp.quantile(np.arange(3.0), 0.5, method="weibull")
    with pytest.raises(ValueError, match="side"):
        inp.searchsorted(np.arange(3), 1, side="middle")
    with pytest.raises(ValueError, match="mode"):
        inp.convolve(np.arange(3.0), np.ones(2), mode="circular")
    with pytest.raises(irax.ConcretizationTypeError, match="length"):
        irax.jit(lambda x: inp.bincount(x))(np.array([1, 2], np.int32))
