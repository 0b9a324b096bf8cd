"""Derivatives at kinks, ties and out-of-bounds indices, checked against JAX itself.

Where a function is not differentiable (relu at 0, abs at 0, a max with a tie, an update
that a scatter drops) JAX still defines a value; irax must give the same one, to first
and second order.  Each test compiles one irax function over many cases.
"""
import numpy as np
import pytest

import irax
import irax.numpy as inp
from irax import lax as ilax
from irax import nn as inn
from irax.tree_util import tree_flatten

jax = pytest.importorskip("jax")
jnp = jax.numpy
jlax = jax.lax


def assert_tree_close(got, want, rtol=1e-5, atol=1e-6):
    got_leaves, want_leaves = tree_flatten(got)[0], jax.tree_util.tree_leaves(want)
    assert len(got_leaves) == len(want_leaves)
    for i, (g, w) in enumerate(zip(got_leaves, want_leaves)):
        g, w = np.asarray(g), np.asarray(w)
        assert g.shape == w.shape, (i, g.shape, w.shape)
        np.testing.assert_allclose(g, w, rtol=rtol, atol=atol, equal_nan=True, err_msg=str(i))


def both(make):
    """make(numpy_module, nn_module, lax_module, transforms) -> a function; run it
    jitted under irax and under JAX and compare every output."""
    irax_t = dict(grad=irax.grad, vmap=irax.vmap, jvp=irax.jvp, hessian=irax.hessian)
    jax_t = dict(grad=jax.grad, vmap=jax.vmap, jvp=jax.jvp, hessian=jax.hessian)
    return irax.jit(make(inp, inn, ilax, irax_t)), jax.jit(make(jnp, jax.nn, jlax, jax_t))


KINKS = np.array([-7, -6, -3, -1, -0.0, 0, 1, 3, 6, 7, 0.5, -0.25], np.float32)
ACTIVATIONS = ["relu", "relu6", "hard_tanh", "leaky_relu", "elu", "selu", "celu",
               "hard_sigmoid", "hard_silu", "hard_swish", "softplus", "log_sigmoid", "silu"]


def test_activations_at_kinks_first_and_second_order():
    def make(np_, nn, lax, T):
        def f(x):
            out = {}
            for name in ACTIVATIONS:
                fn = getattr(nn, name)
                d1 = T["grad"](fn)
                out[name] = (fn(x), T["vmap"](d1)(x), T["vmap"](T["grad"](d1))(x))
            return out
        return f
    got, want = both(make)
    out = got(KINKS)
    assert_tree_close(out, want(KINKS))
    at = {v: i for i, v in enumerate(KINKS.tolist())}
    assert float(out["relu"][1][at[0.0]]) == 0.0  # the headline cases, spelled out
    assert float(out["relu6"][1][at[6.0]]) == 0.0


def test_elementwise_kinks_first_and_second_order():
    y = KINKS[::-1].copy()

    def make(np_, nn, lax, T):
        g, h, v = T["grad"], T["hessian"], T["vmap"]

        def f(x, y):
            out = {}
            for name in ("abs", "fabs", "sign", "floor", "ceil", "round"):
                fn = getattr(np_, name)
                out[name] = (v(g(fn))(x), v(g(g(fn)))(x))
            for name in ("maximum", "minimum", "copysign", "logaddexp"):
                fn = getattr(np_, name)
                out[name] = (v(g(fn, (0, 1)))(x, y), v(g(fn, (0, 1)))(x, x),
                             v(h(fn, (0, 1)))(x, x))
            out["clip"] = v(g(lambda a: np_.clip(a, -1.0, 6.0)))(x)
            out["clip_bounds"] = g(lambda lo, hi: np_.sum(np_.clip(x, lo, hi)), (0, 1))(-1.0, 6.0)
            lo, hi = np_.full_like(x, -1.0), np_.full_like(x, 6.0)
            out["clamp"] = g(lambda lo, a, hi: np_.sum(lax.clamp(lo, a, hi) * np_.arange(12.0)),
                             (0, 1, 2))(lo, x, hi)
            out["where"] = v(g(lambda a: np_.where(a > 0, a, 2 * a)))(x)
            out["softplus_hessian_at_0"] = h(nn.softplus)(0.0)
            return out
        return f
    got, want = both(make)
    out = got(KINKS, y)
    assert_tree_close(out, want(KINKS, y))
    assert float(out["abs"][0][list(KINKS).index(0.0)]) == 1.0
    assert float(out["softplus_hessian_at_0"]) == pytest.approx(0.25)


def test_maximum_with_nan_gives_neither_side_a_derivative():
    def make(np_, nn, lax, T):
        return lambda x, y: T["grad"](lambda a, b: np_.sum(np_.maximum(a, b) + np_.minimum(a, b)),
                                      (0, 1))(x, y)
    got, want = both(make)
    x = np.array([np.nan, 1.0, 2.0], np.float32)
    y = np.array([0.0, np.nan, 2.0], np.float32)
    assert_tree_close(got(x, y), want(x, y))


def test_reductions_with_ties():
    x = np.array([[1, 3, 2, 3], [0, -0.0, 0, -0.0], [5, 5, 5, 5], [-1, np.inf, 2, np.inf]],
                 np.float32)
    t = np.arange(16, dtype=np.float32).reshape(4, 4)

    def make(np_, nn, lax, T):
        def f(x, t):
            out = {}
            for name in ("max", "min"):
                fn = getattr(np_, name)
                out[name] = (T["grad"](lambda a: np_.sum(fn(a, 1) * np_.arange(1.0, 5.0)))(x),
                             T["grad"](lambda a: fn(a))(x),
                             T["jvp"](lambda a: fn(a, 0), (x,), (t,))[1])
            out["hessian"] = T["hessian"](lambda a: np_.max(a * a))(x[0])
            return out
        return f
    got, want = both(make)
    assert_tree_close(got(x, t), want(x, t))


def test_reduce_max_cotangent_does_not_leak_into_unselected_places():
    # std of an infinite max is NaN, so the max's cotangent is NaN: the unselected places
    # still get exact zeros (irax gave NaN everywhere).
    x = np.array([[[np.inf, -2, 0, -2], [-1, 2, 1, 2], [2, 2, -1, 0]],
                  [[1, -1, 2, -2], [2, 1, -1, 1], [0, 2, 2, -1]]], np.float32)

    def make(np_, nn, lax, T):
        return T["vmap"](T["grad"](lambda a: np_.std(np_.max(a, 0))))
    got, want = both(make)
    assert_tree_close(got(x), want(x))


def test_vmap_of_grad_of_max_of_outer():
    a = np.array([[1.0, 2, 3], [-1, 0.5, 2], [0, 1, -1]], np.float32)
    b = np.array([[3.0, -1, 2, 0.5], [1, 1, 2, -2], [2, -2, 0, 1]], np.float32)

    def make(np_, nn, lax, T):
        f = lambda a, b: np_.sum(np_.max(np_.outer(a, b), -1))
        return lambda a, b: (T["vmap"](T["grad"](f, (0, 1)))(a, b),
                             T["vmap"](T["grad"](f, (0, 1)), in_axes=(0, None))(a, b[0]))
    got, want = both(make)
    assert_tree_close(got(a, b), want(a, b))


def test_cummax_cummin_ties():
    x = np.array([[1, 3, 2, 3, 3], [0, -0.0, 0, -0.0, 0], [-0.0, 0, -0.0, 0, -0.0],
                  [5, 5, 5, 5, 5], [4, 1, 4, 0, 4]], np.float32)
    t = np.arange(1, 26, dtype=np.float32).reshape(5, 5)

    def make(np_, nn, lax, T):
        def f(x, t):
            out = {}
            for name, rev in (("cummax", False), ("cummax", True), ("cummin", False)):
                fn = lambda a, name=name, rev=rev: getattr(lax, name)(a, 1, reverse=rev)
                # (a weight that is an argument: IREE fails on rev of a constant)
                out[f"{name}_{rev}"] = (T["grad"](lambda a: np_.sum(fn(a) * t))(x),
                                        T["jvp"](fn, (x,), (t,))[1])
            out["hessian"] = T["hessian"](lambda a: np_.sum(lax.cummax(a * a, 0)))(x[0])
            out["vmap"] = T["vmap"](T["grad"](lambda a: np_.sum(lax.cummax(a, 0))))(x)
            out["headline"] = T["grad"](lambda a: np_.sum(lax.cummax(a)))(x[0, :4])
            return out
        return f
    got, want = both(make)
    out = got(x, t)
    assert_tree_close(out, want(x, t))
    assert_tree_close(out["headline"], np.float32([1, 2.5, 0, 0.5]))  # cummax([1, 3, 2, 3])


def test_sort_ties():
    x = np.array([[1, 3, 2, 3], [0, -0.0, 0, -0.0], [5, np.nan, 5, -np.inf], [2, 1, 2, 1]],
                 np.float32)
    w = np.array([1.0, 10, 100, 1000], np.float32)

    def make(np_, nn, lax, T):
        def f(x, w):
            return {d: (np_.sort(x, 1, descending=d), np_.argsort(x, 1, descending=d),
                        T["grad"](lambda a: np_.sum(np_.sort(a, 1, descending=d) * w))(x))
                    for d in (False, True)}
        return f
    got, want = both(make)
    out, ref = got(x, w), want(x, w)
    assert_tree_close(out, ref)
    for d in (False, True):  # the signs of the zeros too
        np.testing.assert_array_equal(np.signbit(np.asarray(out[d][0])), np.signbit(ref[d][0]))


SC_X = np.array([1.0, 2, 0, 4, 5], np.float32)
SC_W = np.array([1.0, 10, 100, 1000, 10000], np.float32)
SC_U = np.array([3.0, 5, 0, 2, 7, 1], np.float32)
SC_TX = np.array([1.0, 2, 3, 4, 5], np.float32)
SC_TU = np.array([0.1, 0.2, 0.3, 0.4, 0.5, 0.6], np.float32)
DUPLICATE_IDX = np.array([0, 7, 2, 2, -9, 4], np.int32)  # 7 and -9 are out of bounds
UNIQUE_IDX = np.array([0, 7, 2, 3, -9, 4], np.int32)


def test_scatter_out_of_bounds_and_duplicates():
    cases = [("dup", DUPLICATE_IDX, m) for m in ("add", "set", "min", "max")] + \
        [("unique", UNIQUE_IDX, m) for m in ("min", "max", "multiply")]

    def make(np_, nn, lax, T):
        def f(x, u, tx, tu):
            out = {}
            for key, idx, m in cases:
                kw = {"unique_indices": True} if m == "multiply" and np_ is jnp else {}
                upd = lambda a, b, idx=idx, m=m, kw=kw: getattr(np_.asarray(a).at[idx], m)(b, **kw)
                loss = lambda a, b, upd=upd: np_.sum(SC_W * upd(a, b))
                loss2 = lambda a, b, upd=upd: np_.sum(SC_W * upd(a, b) ** 2)
                out[f"{key}_{m}"] = (loss(x, u), T["grad"](loss, (0, 1))(x, u),
                                     T["jvp"](upd, (x, u), (tx, tu))[1])
                if key == "unique":  # second order: a Hessian-vector product
                    out[f"{key}_{m}_hvp"] = T["jvp"](T["grad"](loss2, (0, 1)), (x, u), (tx, tu))[1]
            return out
        return f
    got, want = both(make)
    out = got(SC_X, SC_U, SC_TX, SC_TU)
    assert_tree_close(out, want(SC_X, SC_U, SC_TX, SC_TU), rtol=2e-5)
    # the out-of-range rows (7 and -9) get no gradient
    assert_tree_close(out["dup_add"][1][1] / 100, np.float32([0.01, 0, 1, 1, 0, 100]))


def test_scatter_multiply_duplicates_and_zeros():
    """JAX only differentiates scatter-multiply with unique indices; with duplicates irax
    gives the derivative of applying the updates one at a time."""
    x = np.array([2.0, 3, 0, 4], np.float32)
    idx = np.array([1, 1, 1, 3, 3, 5, 2, 0, 0], np.int32)
    u = np.array([2.0, -1, 3, 0, 5, 7, 2, 0, 0], np.float32)
    tx, tu = np.arange(1.0, 5.0, dtype=np.float32), np.arange(1.0, 10.0, dtype=np.float32)
    w = np.array([1.0, 10, 100, 1000], np.float32)

    def step_by_step(a, b):
        for j in range(len(idx)):
            a = a.at[idx[j]].multiply(b[j], unique_indices=True)
        return a

    def make(np_, nn, lax, T):
        upd = (lambda a, b: np_.asarray(a).at[idx].multiply(b)) if np_ is inp else step_by_step
        loss = lambda a, b: np_.sum(w * upd(a, b))
        return lambda x, u, tx, tu: (upd(x, u), T["grad"](loss, (0, 1))(x, u),
                                     T["jvp"](upd, (x, u), (tx, tu))[1])
    got, want = both(make)
    assert_tree_close(got(x, u, tx, tu), want(x, u, tx, tu))


def test_tiny_network_relu_kink():
    """The JAX introduction's network: a hidden unit that is exactly 0 gets no gradient."""
    inputs = np.array([[0.52, 1.12], [0.88, -1.08], [0.52, 0.06], [0.74, -2.49]], np.float32)
    targets = np.array([[1.0], [1.0], [0.0], [1.0]], np.float32)
    params = [(np.array([[9, 1, 0, 0], [1, 0, 1, 0]], np.float32), np.zeros(4, np.float32)),
              (np.array([[1], [-10], [0.1], [2]], np.float32), np.zeros(1, np.float32))]

    def make(np_, nn, lax, T):
        def loss(inputs, targets, params):
            (w1, b1), (w2, b2) = params
            p = nn.sigmoid(nn.relu(inputs @ w1 + b1) @ w2 + b2)
            return -np_.mean(targets * np_.log(p + 1e-7) + (1 - targets) * np_.log(1 - p + 1e-7))
        return T["grad"](loss, argnums=2)
    got, want = both(make)
    out, ref = got(inputs, targets, params), want(inputs, targets, params)
    assert_tree_close(out, ref)
    assert np.all(np.asarray(out[0][0])[:, 3] == 0)


def test_jit_grad_of_a_reverse_cummax_compiles():
    """Its VJP pads slices of a reversed splat: constant-only data movement that IREE
    failed on ('write affecting operations on global resources') until it folded."""
    import jax
    import jax.numpy as jjnp
    a = np.random.default_rng(0).normal(size=(5, 5)).astype(np.float32)
    got = irax.jit(irax.grad(lambda a: inp.sum(ilax.cummax(a, 1, reverse=True))))(a)
    want = jax.jit(jax.grad(lambda a: jjnp.sum(jax.lax.cummax(a, 1, reverse=True))))(a)
    np.testing.assert_allclose(np.asarray(got), np.asarray(want), rtol=1e-6)


def test_logaddexp_derivative_is_jaxs_rule():
    """JAX's custom JVP (t * exp(x - out), +inf read as 0): NaN tangents at NaN
    (log_sigmoid's jvp at NaN was -1), JAX's values at infinities and ties."""
    import jax
    import jax.numpy as jjnp
    v = np.array([-np.inf, -1.0, 0.0, 2.0, np.inf, np.nan], np.float32)
    a, b = (x.reshape(-1) for x in np.meshgrid(v, v, indexing="ij"))

    def grads(lib, np_):
        g = lib.grad(lambda a, b: np_.sum(np_.logaddexp(a, b)), (0, 1))
        return lib.jit(lambda a, b: [*g(a, b), lib.jvp(lambda x: lib.nn.log_sigmoid(x), (a,), (b,))[1],
                                     lib.hessian(lambda x: lib.nn.softplus(x))(0.0)])(a, b)
    for got, want in zip(grads(irax, inp), grads(jax, jjnp)):
        np.testing.assert_allclose(np.asarray(got), np.asarray(want), rtol=1e-6, equal_nan=True)
