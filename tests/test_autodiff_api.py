"""grad/value_and_grad/jvp/vjp/jacfwd/jacrev/hessian: JAX semantics, pytrees,
composition with jit and with each other, Python control flow, errors."""
import collections

import numpy as np
import pytest

import irax
import irax.numpy as jnp


def f_poly(x):
    return x ** 3 + 2.0 * x


def test_grad_scalar_and_higher_orders():
    assert float(irax.grad(f_poly)(2.0)) == pytest.approx(14.0)
    assert float(irax.grad(irax.grad(f_poly))(2.0)) == pytest.approx(12.0)
    assert float(irax.grad(irax.grad(irax.grad(f_poly)))(2.0)) == pytest.approx(6.0)
    assert float(irax.grad(irax.grad(irax.grad(irax.grad(f_poly))))(2.0)) == pytest.approx(0.0)


@pytest.mark.parametrize("compose, order", [
    (lambda f: irax.jit(irax.grad(f)), 1),
    (lambda f: irax.grad(irax.jit(f)), 1),
    (lambda f: irax.grad(irax.jit(irax.grad(irax.jit(f)))), 2),
    (lambda f: irax.jit(irax.grad(irax.jit(irax.grad(f)))), 2),
    (lambda f: irax.grad(irax.jit(irax.grad(irax.jit(irax.grad(f))))), 3),
])
def test_grad_jit_compositions(compose, order):
    g = compose(lambda x: jnp.tanh(x) * x)
    x = 0.3
    t = np.tanh(x)
    s = 1 - t ** 2
    expected = {1: t + x * s, 2: 2 * s - 2 * x * t * s,
                3: -6 * t * s + x * (-2 * s * s + 4 * t * t * s)}[order]
    assert float(g(x)) == pytest.approx(expected, rel=1e-4, abs=1e-5)


def test_grad_of_grad_through_jit_matches_second_derivative():
    g = irax.grad(irax.jit(irax.grad(irax.jit(lambda x: jnp.sin(x) * x))))
    x = 0.7
    assert float(g(x)) == pytest.approx(2 * np.cos(x) - x * np.sin(x), rel=1e-5)


def test_value_and_grad_argnums_and_pytrees():
    def loss(params, x, y):
        (w1, b1), (w2, b2) = params["layers"]
        h = jnp.tanh(x @ w1 + b1)
        pred = h @ w2 + b2
        return jnp.mean((pred - y) ** 2)

    rng = np.random.default_rng(0)
    params = {"layers": [(rng.standard_normal((3, 4)).astype(np.float32), np.zeros(4, np.float32)),
                         (rng.standard_normal((4, 1)).astype(np.float32), np.zeros(1, np.float32))]}
    x = rng.standard_normal((5, 3)).astype(np.float32)
    y = rng.standard_normal((5, 1)).astype(np.float32)
    value, grads = irax.value_and_grad(loss)(params, x, y)
    assert isinstance(grads, dict) and isinstance(grads["layers"], list)
    assert isinstance(grads["layers"][0], tuple)
    # finite differences on one weight entry
    eps = 1e-3
    w = params["layers"][0][0]
    wp, wm = w.copy(), w.copy()
    wp[1, 2] += eps
    wm[1, 2] -= eps
    fd = (float(loss({"layers": [(wp, params["layers"][0][1]), params["layers"][1]]}, x, y))
          - float(loss({"layers": [(wm, params["layers"][0][1]), params["layers"][1]]}, x, y))) / (2 * eps)
    assert float(grads["layers"][0][0][1, 2]) == pytest.approx(fd, rel=2e-2, abs=1e-3)
    assert float(value) == pytest.approx(float(loss(params, x, y)), rel=1e-6)
    gx, gy = irax.grad(loss, argnums=(1, 2))(params, x, y)
    assert gx.shape == x.shape and gy.shape == y.shape
    np.testing.assert_allclose(np.asarray(gy).sum(), -np.asarray(grads["layers"][1][1]).sum(),
                               rtol=1e-4)


def test_namedtuple_and_has_aux():
    P = collections.namedtuple("P", ["a", "b"])

    def f(p):
        return p.a * p.b, {"aux": p.a + 1.0}
    g, aux = irax.grad(f, has_aux=True)(P(2.0, 3.0))
    assert isinstance(g, P)
    assert float(g.a) == 3.0 and float(g.b) == 2.0
    assert float(aux["aux"]) == 3.0
    (v, aux2), g2 = irax.value_and_grad(f, has_aux=True)(P(2.0, 3.0))
    assert float(v) == 6.0 and float(aux2["aux"]) == 3.0 and float(g2.b) == 2.0


def test_python_control_flow_loops_branches_recursion_closures():
    def pow_loop(x, n):
        out = 1.0
        for _ in range(n):
            out = out * x
        return out

    def piecewise(x):
        if x > 0:
            return jnp.sin(x)
        return x ** 2

    def fact_like(x, n):
        return x if n == 1 else x * fact_like(x + 1.0, n - 1)

    scale = jnp.asarray(3.0)

    def closure(x):
        return scale * x * x

    def while_value(x):
        while x < 10.0:
            x = x * 2.0
        return x

    assert float(irax.grad(pow_loop)(2.0, 4)) == pytest.approx(32.0)
    assert float(irax.grad(piecewise)(0.5)) == pytest.approx(np.cos(0.5), rel=1e-6)
    assert float(irax.grad(piecewise)(-0.5)) == pytest.approx(-1.0)
    # d/dx x(x+1)(x+2) at 1 = 3x^2+6x+2
    assert float(irax.grad(fact_like)(1.0, 3)) == pytest.approx(11.0)
    assert float(irax.grad(closure)(2.0)) == pytest.approx(12.0)
    assert float(irax.grad(while_value)(3.0)) == pytest.approx(4.0)
    assert float(irax.grad(irax.grad(piecewise))(0.5)) == pytest.approx(-np.sin(0.5), rel=1e-6)


def test_eager_grad_reuses_compiled_module():
    from irax import executor

    def loss(w):
        return jnp.sum((w * 2.0 - 1.0) ** 2)
    g = irax.grad(loss)
    w = jnp.ones(4)
    g(w)
    n = len(executor._executables)
    for _ in range(3):
        w = w - 0.1 * g(w)
    assert len(executor._executables) == n


def test_jvp_and_vjp_pytrees():
    def f(d):
        return {"s": jnp.sin(d["x"]) * d["y"], "t": d["x"] + d["y"]}
    primals = ({"x": np.array([0.1, 0.2], np.float32), "y": np.array([2.0, 3.0], np.float32)},)
    tangents = ({"x": np.ones(2, np.float32), "y": np.zeros(2, np.float32)},)
    out, tan = irax.jvp(f, primals, tangents)
    np.testing.assert_allclose(tan["s"], np.cos([0.1, 0.2]) * [2.0, 3.0], rtol=1e-6)
    np.testing.assert_allclose(tan["t"], [1.0, 1.0])
    out2, pullback = irax.vjp(f, *primals)
    np.testing.assert_allclose(out2["s"], out["s"])
    (ct,) = pullback({"s": np.ones(2, np.float32), "t": np.zeros(2, np.float32)})
    np.testing.assert_allclose(ct["x"], np.cos([0.1, 0.2]) * [2.0, 3.0], rtol=1e-6)
    np.testing.assert_allclose(ct["y"], np.sin([0.1, 0.2]), rtol=1e-6)


def test_linearize_and_stop_gradient():
    y, f_jvp = irax.linearize(jnp.sin, 0.3)
    assert float(y) == pytest.approx(np.sin(0.3), rel=1e-6)
    assert float(f_jvp(2.0)) == pytest.approx(2 * np.cos(0.3), rel=1e-6)
    g = irax.grad(lambda x: x * irax.lax.stop_gradient(x * x))(3.0)
    assert float(g) == pytest.approx(9.0)


def test_custom_jvp_log1pexp_is_stable():
    @irax.custom_jvp
    def log1pexp(x):
        return jnp.log(1.0 + jnp.exp(x))

    @log1pexp.defjvp
    def log1pexp_jvp(primals, tangents):
        (x,), (t,) = primals, tangents
        return log1pexp(x), t * (1.0 - 1.0 / (1.0 + jnp.exp(x)))

    assert float(irax.grad(log1pexp)(100.0)) == pytest.approx(1.0)
    assert float(irax.jit(irax.grad(log1pexp))(3.0)) == pytest.approx(1 / (1 + np.exp(-3.0)), rel=1e-6)
    assert float(irax.grad(irax.grad(log1pexp))(3.0)) == pytest.approx(
        np.exp(-3.0) / (1 + np.exp(-3.0)) ** 2, rel=1e-5)
    _, t = irax.jvp(log1pexp, (100.0,), (1.0,))
    assert float(t) == pytest.approx(1.0)


def test_custom_vjp_clips_gradients():
    @irax.custom_vjp
    def clip_gradient(x):
        return x

    clip_gradient.defvjp(lambda x: (x, None), lambda _, g: (jnp.clip(g, -1.0, 1.0),))
    assert float(irax.grad(lambda x: 5.0 * clip_gradient(x))(2.0)) == 1.0
    assert float(irax.jit(irax.grad(lambda x: -5.0 * clip_gradient(x)))(2.0)) == -1.0
    assert float(clip_gradient(2.0)) == 2.0
    with pytest.raises(TypeError, match="custom_vjp"):  # as in JAX
        irax.jvp(lambda x: irax.jit(clip_gradient)(x), (1.0,), (1.0,))


def test_jacobians_and_hessian():
    def f(x):
        return jnp.stack([x[0] * x[1], jnp.sin(x[2]), x[0] ** 2])
    x = np.array([1.0, 2.0, 0.5], np.float32)
    expected = np.array([[2.0, 1.0, 0.0], [0.0, 0.0, np.cos(0.5)], [2.0, 0.0, 0.0]])
    np.testing.assert_allclose(irax.jacfwd(f)(x), expected, rtol=1e-6)
    np.testing.assert_allclose(irax.jacrev(f)(x), expected, rtol=1e-6)
    np.testing.assert_allclose(irax.jacfwd(irax.jacrev(lambda v: jnp.sum(v ** 3)))(x),
                               np.diag(6 * x), rtol=1e-5)
    np.testing.assert_allclose(irax.hessian(lambda v: jnp.sum(v ** 3))(x), np.diag(6 * x), rtol=1e-5)


def test_errors():
    with pytest.raises(TypeError, match="Gradient only defined for scalar-output functions"):
        irax.grad(lambda x: x * 2.0)(jnp.ones(3))
    with pytest.raises(TypeError, match="grad requires real- or complex-valued inputs.*int32"):
        irax.grad(lambda x: x * 2)(3)
    with pytest.raises(TypeError, match="returned a value of type str"):
        irax.grad(lambda x: "nope")(1.0)
    with pytest.raises(TypeError, match="real-valued outputs"):
        irax.grad(lambda x: jnp.sum(x > 0).astype(jnp.int32))(jnp.ones(2))
    with pytest.raises(irax.ConcretizationTypeError, match="test_autodiff_api.py"):
        irax.jit(irax.grad(lambda x: x if x > 0 else -x))(1.0)


def test_missing_rule_names_primitive_and_transform():
    from irax.dialects.jvp import jvp_rules
    saved = jvp_rules.pop("irax.cos")
    try:
        with pytest.raises(NotImplementedError, match=r"no JVP rule for 'irax.cos'"):
            irax.jvp(jnp.cos, (1.0,), (1.0,))
    finally:
        jvp_rules["irax.cos"] = saved


def test_make_ir_shows_unexpanded_vjp_and_expanded_form():
    m = irax.make_ir(irax.grad(lambda x: jnp.sin(x)))(1.0)
    assert '"irax.vjp"' in str(m)
    expanded = m.expanded()
    assert "irax.vjp" not in expanded and '"irax.cos"' in expanded
