"""lax.cond / switch / while_loop / fori_loop / scan / map: against Python
references under jit and eagerly, their errors, and their transforms (grad
against finite differences in float64, jvp, vmap against a Python loop)."""
import re

import numpy as np
import pytest

import irax
import irax.numpy as jnp
from irax import lax

HERE = re.escape(__file__.rsplit("/", 1)[-1])


@pytest.fixture
def x64():
    irax.config.update("jax_enable_x64", True)
    yield
    irax.config.update("jax_enable_x64", False)


def numeric_grad(f, x, eps=1e-6):
    """Central differences of scalar `f` at float64 array `x`."""
    x = np.asarray(x, np.float64)
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[i] = eps
        g[i] = (float(f(x + e)) - float(f(x - e))) / (2 * eps)
    return g


def collatz_steps(n):
    def body(s):
        n, k = s
        n = lax.cond(n % 2 == 0, lambda n: n // 2, lambda n: 3 * n + 1, n)
        return n, k + 1
    return lax.while_loop(lambda s: s[0] != 1, body, (n, 0))[1]


def collatz_ref(n):
    k = 0
    while n != 1:
        n = n // 2 if n % 2 == 0 else 3 * n + 1
        k += 1
    return k


# --------------------------------------------------------------------------
# Forward semantics
# --------------------------------------------------------------------------

def test_cond_jit_both_branches_pytrees_and_captures():
    w = jnp.asarray(np.array([1.0, 2.0, 3.0], np.float32))

    @irax.jit
    def f(p, d):
        return lax.cond(p, lambda d: {"a": d["x"] * w, "b": d["y"] + 1},
                        lambda d: {"a": d["x"] - w, "b": d["y"] * 2}, d)
    x = np.array([4.0, 5.0, 6.0], np.float32)
    for p in (True, False):
        out = f(p, {"x": x, "y": np.int32(7)})
        np.testing.assert_allclose(out["a"], x * [1, 2, 3] if p else x - [1, 2, 3])
        assert int(out["b"]) == (8 if p else 14)


def test_cond_integer_pred_and_eager():
    out = lax.cond(np.int32(3), lambda x: x + 1.0, lambda x: x - 1.0, jnp.ones(2))
    np.testing.assert_allclose(out, [2.0, 2.0])
    out = lax.cond(0, lambda x: x + 1.0, lambda x: x - 1.0, jnp.ones(2))
    np.testing.assert_allclose(out, [0.0, 0.0])


def test_switch_clamps_index():
    f = irax.jit(lambda i, x: lax.switch(i, [lambda x: x, lambda x: x * 2.0, lambda x: x * 3.0], x))
    got = [float(f(np.int32(i), np.float32(5.0))) for i in (-4, 0, 1, 2, 9)]
    assert got == [5.0, 5.0, 10.0, 15.0, 15.0]


def test_while_collatz_jit():
    f = irax.jit(collatz_steps)
    for n in (1, 6, 7, 27, 97):
        assert int(f(np.int32(n))) == collatz_ref(n)


def test_while_eager_and_closure():
    limit = jnp.asarray(np.float32(100.0))
    out = lax.while_loop(lambda x: x < limit, lambda x: x * 3.0, np.float32(1.0))
    assert float(out) == 243.0


def test_fori_loop_static_and_traced_bounds():
    def body(i, x):
        return x * 2.0 + i
    ref = 1.0
    for i in range(2, 7):
        ref = ref * 2.0 + i
    static = irax.jit(lambda x: lax.fori_loop(2, 7, body, x))
    traced = irax.jit(lambda lo, hi, x: lax.fori_loop(lo, hi, body, x))
    assert float(static(np.float32(1.0))) == ref
    assert float(traced(np.int32(2), np.int32(7), np.float32(1.0))) == ref
    assert float(traced(np.int32(7), np.int32(2), np.float32(1.0))) == 1.0
    assert "irax.scan" in str(irax.make_ir(lambda x: lax.fori_loop(2, 7, body, x))(1.0))
    assert "irax.while" in str(irax.make_ir(lambda n, x: lax.fori_loop(0, n, body, x))(3, 1.0))


def squash(z):
    """A smooth squashing function (float64 sin/cos/tanh do not link on llvm-cpu)."""
    return z / (1.0 + z * z)


def _scan_ref(c, xs, w, reverse=False):
    ys1, ys2 = [None] * len(xs), [None] * len(xs)
    order = range(len(xs) - 1, -1, -1) if reverse else range(len(xs))
    for t in order:
        c = squash(c * w + xs[t])
        ys1[t], ys2[t] = c * 2.0, c.sum()
    return c, np.stack(ys1), np.stack(ys2)


def _scan_fn(c, xs, w, reverse=False):
    def step(c, x):
        c = squash(c * w + x)
        return c, (c * 2.0, jnp.sum(c))
    return lax.scan(step, c, xs, reverse=reverse)


@pytest.mark.parametrize("reverse", [False, True])
def test_scan_jit_pytree_outputs_reverse(reverse, rng):
    xs = rng.normal(size=(5, 3)).astype(np.float32)
    c0 = rng.normal(size=3).astype(np.float32)
    w = np.float32(0.8)
    c, (y1, y2) = irax.jit(lambda c, xs, w: _scan_fn(c, xs, w, reverse))(c0, xs, w)
    rc, r1, r2 = _scan_ref(c0, xs, w, reverse)
    np.testing.assert_allclose(c, rc, rtol=1e-5)
    np.testing.assert_allclose(y1, r1, rtol=1e-5)
    np.testing.assert_allclose(y2, r2, rtol=1e-5)


def test_scan_no_xs_and_map_eager():
    c, ys = lax.scan(lambda c, _: (c + 1, c * c), np.int32(0), None, length=4)
    assert int(c) == 4
    np.testing.assert_array_equal(ys, [0, 1, 4, 9])
    np.testing.assert_allclose(lax.map(lambda x: x ** 2 + 1.0, jnp.arange(4.0)), [1, 2, 5, 10])


def test_nested_cond_in_scan_in_while_with_jit_callee():
    inner = irax.jit(lambda x: x * 0.5)

    def step(c, x):
        c = lax.cond(x > 0, lambda c: inner(c) + x, lambda c: c - x, c)
        return c, c

    @irax.jit
    def f(xs, n):
        def body(s):
            k, c = s
            c, _ = lax.scan(step, c, xs)
            return k + 1, c
        return lax.while_loop(lambda s: s[0] < n, body, (0, np.float32(1.0)))[1]
    xs = np.array([1.0, -2.0, 3.0], np.float32)
    c = 1.0
    for _ in range(3):
        for x in xs:
            c = c * 0.5 + x if x > 0 else c - x
    assert float(f(xs, np.int32(3))) == pytest.approx(c, rel=1e-6)


# --------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------

def test_error_branch_types_differ():
    def small(x):
        return x[:2]

    with pytest.raises(irax.IraxTypeError, match=r"cond: the branches must return the same types, "
                       r"but false_fun 'small' returns f32\[2\] and true_fun 'lambda' returns "
                       rf"f32\[3\] \(at .*{HERE}:\d+\)"):
        irax.jit(lambda x: lax.cond(x[0] > 0, lambda x: x, small, x))(np.ones(3, np.float32))


def test_error_while_carry_changes_type():
    def grow(x):
        return x * 1.5

    with pytest.raises(irax.IraxTypeError, match=r"while_loop: body_fun 'grow' must return a carry "
                       r"of the same type as its input carry: the input is \(i32\[\]\) but it "
                       rf"returns \(f32\[\]\) \(at .*{HERE}:\d+\)"):
        irax.jit(lambda: lax.while_loop(lambda x: x < 10, grow, 1))()


def test_error_scan_carry_changes_type():
    def step(c, x):
        return (c[0], x[None]), x

    with pytest.raises(irax.IraxTypeError, match=r"scan: body_fun 'step' must return a carry of "
                       r"the same type as its input carry: the input is \(f32\[\], f32\[2\]\) but "
                       rf"it returns \(f32\[\], f32\[1\]\) \(at .*{HERE}:\d+\)"):
        irax.jit(lambda xs: lax.scan(step, (0.0, jnp.zeros(2)), xs))(np.ones(3, np.float32))


def test_error_predicates():
    x = np.ones(3, np.float32)
    with pytest.raises(irax.IraxTypeError, match=rf"cond: pred must be a scalar, got i1\[3\] "
                       rf"\(at .*{HERE}:\d+\)"):
        irax.jit(lambda x: lax.cond(x > 0, lambda x: x, lambda x: x, x))(x)
    with pytest.raises(irax.IraxTypeError, match=r"cond: pred must be a bool or integer scalar, "
                       r"got f32\[\]"):
        irax.jit(lambda x: lax.cond(x[0], lambda x: x, lambda x: x, x))(x)
    with pytest.raises(irax.IraxTypeError, match=r"while_loop: cond_fun 'lambda' must return a "
                       rf"bool scalar, got \(f32\[3\]\) \(at .*{HERE}:\d+\)"):
        irax.jit(lambda x: lax.while_loop(lambda x: x, lambda x: x, x))(x)
    with pytest.raises(irax.IraxTypeError, match=r"switch: index must be an integer scalar"):
        irax.jit(lambda x: lax.switch(x[0], [lambda x: x, lambda x: x], x))(x)


def test_error_grad_of_while_points_to_scan():
    with pytest.raises(NotImplementedError, match=rf"reverse-mode differentiation of irax.while.*"
                       rf"fori_loop with Python int bounds or lax.scan.*\(at .*{HERE}:\d+\)"):
        irax.grad(lambda x: lax.while_loop(lambda x: x < 10.0, lambda x: x * 2.0, x))(
            np.float32(1.0))


# --------------------------------------------------------------------------
# Autodiff
# --------------------------------------------------------------------------

def _piecewise(x):
    return lax.cond(jnp.sum(x) > 0, lambda x: jnp.exp(x) * x, lambda x: x * x * 3.0, x).sum()


def test_grad_cond_both_branches(x64):
    g = irax.jit(irax.grad(_piecewise))
    f = irax.jit(_piecewise)
    for x in (np.array([0.5, -0.2, 1.0]), np.array([-0.5, 0.2, -1.0])):
        np.testing.assert_allclose(g(x), numeric_grad(f, x), rtol=1e-6, atol=1e-8)


def test_grad_switch_with_captured_weight(x64):
    def f(x, w, i):
        return lax.switch(i, [lambda x: jnp.sum(x * w), lambda x: jnp.sum(jnp.exp(x) * w * w),
                              lambda x: jnp.sum(x)], x)
    x, w = np.array([0.3, -0.7]), np.array([1.5, 0.5])
    g = irax.jit(irax.grad(f, argnums=(0, 1)))
    fj = irax.jit(f)
    for i in (0, 1, 2):
        gx, gw = g(x, w, np.int32(i))
        np.testing.assert_allclose(gx, numeric_grad(lambda a: fj(a, w, np.int32(i)), x), rtol=1e-6)
        np.testing.assert_allclose(gw, numeric_grad(lambda a: fj(x, a, np.int32(i)), w), rtol=1e-6,
                                   atol=1e-9)


def _scan_loss(c, xs, w):
    c, (y1, y2) = _scan_fn(c, xs, w)
    return jnp.sum(c) + jnp.sum(y1 * y1) + jnp.sum(y2)


def test_grad_scan_wrt_init_xs_and_const(x64, rng):
    c0, xs, w = rng.normal(size=3), rng.normal(size=(4, 3)), np.float64(0.7)
    g = irax.jit(irax.grad(_scan_loss, argnums=(0, 1, 2)))(c0, xs, w)
    f = irax.jit(_scan_loss)
    np.testing.assert_allclose(g[0], numeric_grad(lambda a: f(a, xs, w), c0), rtol=1e-6)
    np.testing.assert_allclose(g[1], numeric_grad(lambda a: f(c0, a, w), xs), rtol=1e-6)
    np.testing.assert_allclose(g[2], numeric_grad(lambda a: f(c0, xs, a), w), rtol=1e-6)


def test_grad_reverse_scan_and_static_fori(x64):
    def f(x):
        _, ys = lax.scan(lambda c, x: (c * x + 1.0, c * x), 1.0, x, reverse=True)
        return jnp.sum(ys) + lax.fori_loop(0, 3, lambda i, v: jnp.exp(-v * v) * (i + 1.0), x[0])
    x = np.array([0.4, 1.1, -0.6])
    np.testing.assert_allclose(irax.jit(irax.grad(f))(x), numeric_grad(irax.jit(f), x),
                               rtol=1e-6)
    # Eagerly (tracers carry concrete values), the same gradient.
    np.testing.assert_allclose(irax.grad(f)(x), irax.jit(irax.grad(f))(x), rtol=1e-12)


def test_second_order_scan(x64):
    def f(x):
        return lax.fori_loop(0, 3, lambda i, v: jnp.exp(-v) * v, x)
    d1 = irax.jit(irax.grad(f))
    d2 = irax.jit(irax.grad(irax.grad(f)))
    x = np.float64(0.8)
    assert float(d2(x)) == pytest.approx(float(numeric_grad(d1, x)), rel=1e-6)


def test_jvp_while_and_scan_and_cond(x64):
    def f(x):
        y = lax.while_loop(lambda v: v < 10.0, lambda v: v * v + 0.5, x)
        c, ys = lax.scan(lambda c, t: (c * t, jnp.exp(-c * c)), y, jnp.stack([x, x + 1.0]))
        return lax.cond(c > 0, lambda a: a * 2.0, lambda a: a, c + ys.sum())
    x = np.float64(1.3)
    primal, tangent = irax.jit(lambda x: irax.jvp(f, (x,), (np.float64(1.0),)))(x)
    assert float(primal) == pytest.approx(float(irax.jit(f)(x)), rel=1e-12)
    assert float(tangent) == pytest.approx(float(numeric_grad(irax.jit(f), x)), rel=1e-6)


def test_vjp_matches_jvp_for_scan(x64, rng):
    xs, c0, w = rng.normal(size=(4, 3)), rng.normal(size=3), np.float64(0.9)
    u, v = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    fn = lambda xs: _scan_fn(c0, xs, w)[1][0]  # noqa: E731
    _, pull = irax.vjp(fn, xs)
    _, jv = irax.jvp(fn, (xs,), (v,))
    assert float(np.sum(pull(u)[0] * v)) == pytest.approx(float(np.sum(u * np.asarray(jv))),
                                                           rel=1e-10)


# --------------------------------------------------------------------------
# vmap
# --------------------------------------------------------------------------

def test_vmap_while_collatz_batched_predicate():
    ns = np.array([1, 6, 7, 27, 97, 2], np.int32)
    got = irax.jit(irax.vmap(collatz_steps))(ns)
    assert "irax.reduce_or" in irax.make_ir(irax.vmap(collatz_steps))(ns).expanded()
    np.testing.assert_array_equal(got, [collatz_ref(int(n)) for n in ns])


def test_vmap_while_unbatched_predicate():
    def f(x):  # trip count from an unbatched counter; the carry x is batched
        return lax.fori_loop(0, jnp.asarray(3), lambda i, v: v * 2.0 + x, x)
    xs = np.array([1.0, -2.0, 0.5], np.float32)
    got = irax.jit(irax.vmap(f))(xs)
    ir = irax.make_ir(irax.vmap(f))(xs).expanded()
    assert "irax.while" in ir and "irax.reduce_or" not in ir  # no lane masking needed
    np.testing.assert_allclose(got, [float(irax.jit(f)(x)) for x in xs])


def test_vmap_cond_and_switch():
    f = irax.vmap(lambda p, x: lax.cond(p, lambda x: x * 2.0, lambda x: x - 1.0, x))
    got = irax.jit(f)(np.array([True, False]), np.array([3.0, 4.0], np.float32))
    np.testing.assert_allclose(got, [6.0, 3.0])
    g = irax.vmap(lambda x: lax.cond(True, lambda x: x * 2.0, lambda x: x - 1.0, x))
    np.testing.assert_allclose(irax.jit(g)(np.array([3.0, 4.0], np.float32)), [6.0, 8.0])
    branches = [lambda x: x * 2.0, lambda x: x - 1.0, jnp.sin]
    h = irax.jit(irax.vmap(lambda i, x: lax.switch(i, branches, x)))
    idx, xs = np.array([-1, 1, 2, 5], np.int32), np.array([3.0, 4.0, 1.0, 2.0], np.float32)
    ref = [branches[min(max(i, 0), 2)](np.float32(x)) for i, x in zip(idx, xs)]
    np.testing.assert_allclose(h(idx, xs), ref, rtol=1e-6)


def test_vmap_scan_batched_xs_and_const(rng):
    xs = rng.normal(size=(2, 5, 3)).astype(np.float32)
    ws = np.array([0.5, 1.5], np.float32)
    c0 = np.zeros(3, np.float32)
    c, (y1, y2) = irax.jit(irax.vmap(lambda xs, w: _scan_fn(c0, xs, w)))(xs, ws)
    for b in range(2):
        rc, r1, r2 = _scan_ref(c0, xs[b], ws[b])
        np.testing.assert_allclose(c[b], rc, rtol=1e-5)
        np.testing.assert_allclose(y1[b], r1, rtol=1e-5)
        np.testing.assert_allclose(y2[b], r2, rtol=1e-5)


def test_vmap_of_grad_and_grad_of_vmap_scan(x64, rng):
    xs, c0, w = rng.normal(size=(3, 4, 2)), rng.normal(size=2), np.float64(0.6)
    per = irax.jit(irax.vmap(irax.grad(_scan_loss, argnums=1), in_axes=(None, 0, None)))(c0, xs, w)
    g1 = irax.jit(irax.grad(_scan_loss, argnums=1))
    for b in range(3):
        np.testing.assert_allclose(per[b], g1(c0, xs[b], w), rtol=1e-10)
    total = irax.jit(irax.grad(lambda xs: jnp.sum(irax.vmap(lambda x: _scan_loss(c0, x, w))(xs))))
    np.testing.assert_allclose(total(xs), per, rtol=1e-10)


def test_error_in_branch_leaves_trace_usable():
    def bad(x):
        raise ValueError("boom")

    @irax.jit
    def f(x):
        try:
            lax.cond(x > 0, lambda x: x, bad, x)
        except ValueError:
            pass
        return lax.cond(x > 0, lambda x: x + 1.0, lambda x: x - 1.0, x)
    assert float(f(np.float32(2.0))) == 3.0


def test_leaked_branch_tracer_is_reported():
    leaked = []

    def keep(x):
        leaked.append(x)
        return x

    @irax.jit
    def f(x):
        lax.cond(x > 0, keep, keep, x)
        return leaked[0] + 1.0
    with pytest.raises(irax.UnexpectedTracerError, match=r"used after that trace ended"):
        f(np.float32(1.0))


def test_hessian_of_reverse_scan(x64):
    def f(x):
        c, ys = lax.scan(lambda c, a: (c * a + jnp.exp(-c * c), c * c), x[0], x[1:], reverse=True)
        return c + ys.sum()
    x = np.array([0.3, 0.9, -0.4, 1.2])
    g = irax.jit(irax.grad(f))
    want = np.stack([numeric_grad(lambda v: g(v)[i], x) for i in range(4)])
    np.testing.assert_allclose(irax.jit(irax.hessian(f))(x), want, rtol=1e-6, atol=1e-8)


def test_vmap_scan_over_axis_1_reverse():
    def h(xs):
        return lax.scan(lambda c, a: (c + a, c * a), 0.0, xs, reverse=True)
    xs = np.arange(12.0, dtype=np.float32).reshape(4, 3)
    c, ys = irax.jit(irax.vmap(h, in_axes=1))(xs)
    for j in range(3):
        rc, rys = 0.0, np.zeros(4, np.float32)
        for t in reversed(range(4)):
            rc, rys[t] = rc + xs[t, j], rc * xs[t, j]
        assert float(c[j]) == rc
        np.testing.assert_array_equal(ys[j], rys)


def test_error_scan_lengths():
    with pytest.raises(irax.IraxTypeError, match=r"scan: scanned inputs have different leading "
                       rf"sizes \(3, 4\) \(at .*{HERE}:\d+\)"):
        lax.scan(lambda c, x: (c, x), 0.0, (jnp.zeros(3), jnp.zeros(4)))
    with pytest.raises(ValueError, match=r"scan: with no xs, pass length="):
        lax.scan(lambda c, x: (c, x), 0.0, None)


def test_eager_grad_python_if_on_control_flow_results():
    # Eagerly, the outputs of cond/scan carry concrete values, so `if y > 1` works.
    def f(x):
        y = lax.cond(x > 0, lambda x: x * 2.0, lambda x: -x, x)
        c, _ = lax.scan(lambda c, a: (c + a * y, None), 0.0, jnp.stack([x, y]))
        if y > 1:
            return c * y  # 12 x**3 for x > 1/2
        return y
    assert float(irax.grad(f)(np.float32(3.0))) == pytest.approx(324.0)
