"""lax.reduce_window against JAX: sum/max/min/prod, paddings, strides, base and window
dilation, init values, dtypes; gradients (max-pool ties go to the first maximum, as
JAX's select-and-scatter), jvp, vmap and errors.  One compile per test."""
import os

import jax
import jax.numpy as jjnp
import numpy as np
import pytest

import irax
import irax.numpy as jnp
from irax import lax
from irax.lowering.pipeline import to_linalg_text

IRAX = {"add": lax.add, "max": lax.max, "min": lax.min, "mul": lax.mul}
JAX = {"add": jax.lax.add, "max": jax.lax.max, "min": jax.lax.min, "mul": jax.lax.mul}
INIT = {"add": 0.0, "max": -np.inf, "min": np.inf, "mul": 1.0}

# (computation, window, strides, padding, base_dilation, window_dilation) on x [2, 7, 6, 3]
CASES = [
    ("add", (1, 3, 3, 1), (1, 2, 2, 1), "VALID", None, None),
    ("max", (1, 3, 3, 1), (1, 2, 2, 1), "SAME", None, None),
    ("max", (1, 2, 2, 1), (1, 2, 2, 1), "SAME_LOWER", None, None),
    ("min", (2, 2, 1, 3), (1, 1, 2, 1), ((1, 0), (0, 2), (1, 1), (0, 0)), None, None),
    ("add", (2, 2, 1, 2), (1, 1, 1, 1), ((1, 0), (1, 1), (0, -1), (0, 0)), (1, 2, 1, 1), None),
    ("add", (1, 2, 3, 1), (1, 3, 1, 1), "SAME", None, (1, 2, 1, 1)),
    ("max", (1, 3, 2, 1), (1, 1, 2, 1), ((0, 0), (2, 1), (0, 1), (0, 0)), (1, 2, 2, 1), None),
    ("min", (1, 2, 2, 1), (1, 1, 2, 1), ((0, 0), (1, 2), (0, 1), (0, 0)), None, (1, 2, 1, 1)),
    ("mul", (1, 2, 2, 1), (1, 1, 1, 1), "VALID", None, None),
    ("add", (1, 7, 6, 1), (1, 1, 1, 1), "VALID", None, None),  # global pooling
]
# JAX differentiates the monoid kinds, and max/min without window dilation
ALL_GRAD_CASES = [i for i, c in enumerate(CASES) if c[0] != "mul" and not (
    c[0] in ("max", "min") and c[5] is not None)]
GRAD_CASES = [0, 4, 5, 6]  # strides; base dilation with negative padding; window dilation; max


def _x(seed=0, shape=(2, 7, 6, 3)):
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


def _close(got, want, tol=1e-5):
    got, want = np.asarray(got), np.asarray(want)
    assert got.shape == want.shape and got.dtype == want.dtype, (got.shape, want.shape,
                                                                 got.dtype, want.dtype)
    np.testing.assert_allclose(got, want, rtol=tol, atol=tol)


def _apply(lib, case, x, init=None):
    comp, window, strides, padding, base, wdil = case
    ops = IRAX if lib is lax else JAX
    return lib.reduce_window(x, INIT[comp] if init is None else init, ops[comp], window, strides,
                             padding, base, wdil)


def test_forward_matches_jax():
    x = _x()
    xi = np.random.default_rng(1).integers(-9, 9, (3, 5)).astype(np.int32)
    extra = {  # name: (computation, init, operand, window, strides, padding)
        "int_max": ("max", np.int32(np.iinfo(np.int32).min), "xi", (2, 2), (1, 2), "SAME"),
        "int_add": ("add", np.int32(0), "xi", (3, 1), (1, 1), "SAME"),
        "bool_max": ("max", False, "xb", (2, 2), (1, 1), "VALID"),
        "init_add": ("add", 1.5, "x", (1, 3, 3, 1), (1, 1, 1, 1), "SAME"),  # init added once
        "init_max": ("max", 0.0, "x", (1, 3, 3, 1), (1, 2, 2, 1), "SAME"),
        "init_mul": ("mul", 2.0, "x", (1, 2, 1, 1), (1, 1, 1, 1), "SAME"),
        # an identity init_value is never read, whatever its dtype (JAX's monoid reducers)
        "int_identity": ("add", np.int32(0), "x", (1, 2, 2, 1), (1, 1, 1, 1), "VALID"),
    }

    def run(lib, x, xi):
        ops = IRAX if lib is lax else JAX
        out = {f"case {i}: {c}": _apply(lib, c, x) for i, c in enumerate(CASES)}
        for k, (comp, init, v, window, strides, padding) in extra.items():
            v = {"x": x, "xi": xi, "xb": xi > 0}[v]
            out[k] = lib.reduce_window(v, init, ops[comp], window, strides, padding)
        # the irax.numpy / jax.numpy functions are the same monoids
        np_ops = jnp if lib is lax else jjnp
        out["jnp_max"] = lib.reduce_window(x, -np.inf, np_ops.maximum, (1, 2, 2, 1),
                                           (1, 2, 2, 1), "VALID")
        return out
    got = irax.jit(lambda x, xi: run(lax, x, xi))(x, xi)
    want = jax.jit(lambda x, xi: run(jax.lax, x, xi))(x, xi)
    for k in want:
        try:
            _close(got[k], want[k])
        except AssertionError as e:
            raise AssertionError(f"{k}: {e}") from None


TIES = [("max", (2, 2), (1, 1), "VALID"), ("max", (3, 3), (2, 1), "SAME"),
        ("min", (2, 3), (1, 1), ((1, 1), (0, 1)))]


def test_gradients_match_jax():
    _check_gradients(GRAD_CASES)


@pytest.mark.skipif(not os.environ.get("IRAX_SLOW_TESTS"), reason="opt-in sweep")
def test_gradients_match_jax_every_case():
    _check_gradients(ALL_GRAD_CASES)


def _check_gradients(grad_cases):
    """The sweep's gradients; max/min ties, where every window's cotangent lands on its
    first extremal element (row-major, padding included) as JAX's select_and_scatter_add;
    and a window product, which JAX cannot differentiate, against the same product
    written with slices (the product of the others, also at a zero)."""
    x = _x(2)
    rng = np.random.default_rng(3)
    cts = {i: rng.standard_normal(jax.eval_shape(lambda x: _apply(jax.lax, CASES[i], x), x).shape)
           .astype(np.float32) for i in grad_cases}
    xt = np.array([[1., 3., 3., 2.], [3., 1., 3., 3.], [0., 0., 0., 0.], [2., 2., 5., 5.]],
                  np.float32)
    xp = _x(6, (5, 4))
    xp[1, 2] = 0.0
    ct = rng.standard_normal((4, 3)).astype(np.float32)

    def loss(lib, x, xt, xp):
        ops = IRAX if lib is lax else JAX
        sweep = sum((_apply(lib, CASES[i], x) * cts[i]).sum() for i in grad_cases)
        ties = sum(lib.reduce_window(xt, INIT[c], ops[c], w, s, p).sum() * (k + 1)
                   for k, (c, w, s, p) in enumerate(TIES))
        if lib is lax:
            prod = lax.reduce_window(xp, 1.0, lax.mul, (2, 2), (1, 1), "VALID")
        else:
            prod = xp[:-1, :-1] * xp[:-1, 1:] * xp[1:, :-1] * xp[1:, 1:]
        return sweep + ties + (prod * ct).sum()
    got = irax.jit(irax.grad(lambda *a: loss(lax, *a), (0, 1, 2)))(x, xt, xp)
    want = jax.jit(jax.grad(lambda *a: loss(jax.lax, *a), (0, 1, 2)))(x, xt, xp)
    _close(got[0], want[0], 1e-4)
    np.testing.assert_array_equal(np.asarray(got[1]), np.asarray(want[1]))
    _close(got[2], want[2])


def test_jvp_matches_jax():
    x, t = _x(4), _x(5)
    cases = [CASES[0], CASES[1], CASES[4], CASES[6]]

    def f(lib, jvp, x, t):
        return jvp(lambda x: [_apply(lib, c, x) for c in cases], (x,), (t,))[1]
    got = irax.jit(lambda x, t: f(lax, irax.jvp, x, t))(x, t)
    want = jax.jit(lambda x, t: f(jax.lax, jax.jvp, x, t))(x, t)
    for a, b in zip(got, want):
        _close(a, b, 1e-4)


@pytest.mark.skipif(not os.environ.get("IRAX_SLOW_TESTS"), reason="opt-in")
def test_second_order_matches_jax():
    """grad of a function of a max-pool gradient (the composite differentiates again)."""
    x = _x(4)

    def g(lib, grad, np_, x):
        gx = lambda x: grad(lambda x: (_apply(lib, CASES[1], x) ** 2).sum())(x)  # noqa: E731
        return grad(lambda x: (gx(x) * np_.sin(x)).sum())(x)
    _close(irax.jit(lambda x: g(lax, irax.grad, jnp, x))(x),
           jax.jit(lambda x: g(jax.lax, jax.grad, jjnp, x))(x), 1e-3)


VMAPS = [(0, 0), (1, 2), (6, 4), (3, 1), (7, 0)]  # (case, batch axis)


def test_vmap_matches_jax():
    rng = np.random.default_rng(8)
    args = []
    for _, ax in VMAPS:
        shape = [2, 7, 6, 3]
        shape.insert(ax, 3)
        args.append(rng.standard_normal(shape).astype(np.float32))

    def f(lib):
        return lambda *xs: [_apply(lib, CASES[i], x) for (i, _), x in zip(VMAPS, xs)]
    axes = tuple(ax for _, ax in VMAPS)
    got = irax.jit(irax.vmap(f(lax), axes))(*args)
    want = jax.jit(jax.vmap(f(jax.lax), axes))(*args)
    for a, b in zip(got, want):
        _close(a, b)


def test_lowering_uses_pooling_ops():
    x = _x()
    for case, name in ((CASES[1], "linalg.pooling_nhwc_max"), (CASES[0], "linalg.pooling_nhwc_sum"),
                       (CASES[3], "linalg.generic")):
        text = irax.make_ir(lambda x: _apply(lax, case, x))(x)
        assert name in to_linalg_text(text.module, text.entry), (case, name)


def test_errors():
    x = np.ones((4, 4), np.float32)
    with pytest.raises(NotImplementedError, match="reduce_window.*lax.add"):
        lax.reduce_window(x, 0.0, lambda a, b: a + 2 * b, (2, 2), (1, 1), "VALID")
    with pytest.raises(ValueError, match="window_dimensions needs 2 entries.*test_reduce_window"):
        lax.reduce_window(x, 0.0, lax.add, (2,), (1, 1), "VALID")
    with pytest.raises(TypeError, match="inconsistent dtypes"):
        lax.reduce_window(x, np.int32(1), lax.add, (2, 2), (1, 1), "VALID")

    with pytest.raises(TypeError, match="negative padding"):
        lax.reduce_window(x, 0.0, lax.add, (2, 2), (1, 1), ((-5, 0), (0, 0)))
