"""The API's behaviour against JAX itself (the oracle): jit as a method and its
trace cache, non-array arguments, Python control flow on concrete values,
custom_jvp/custom_vjp (None cotangents, jvp of a custom_vjp), how often user
functions and rules are traced, irax.devices().

Each scenario is one function of the library (`jax` or `irax`) and its numpy,
run on both; values and Python call counts must agree.
"""
import collections
import gc
import subprocess
import sys
import weakref
from functools import partial

import numpy as np
import pytest

import irax
import irax.numpy as inp

jax = pytest.importorskip("jax")
import jax.numpy as jjnp  # noqa: E402

LIBS = [(jax, jjnp), (irax, inp)]


def both(scenario):
    """`scenario(lib, jnp)` on JAX and on irax: (jax result, irax result)."""
    return tuple(scenario(lib, np_) for lib, np_ in LIBS)


def values(tree):
    """A pytree's leaves as NumPy arrays (to compare across libraries)."""
    return [np.asarray(x) for x in jax.tree_util.tree_leaves(tree)]


def assert_same(a, b):
    va, vb = values(a), values(b)
    assert len(va) == len(vb)
    for x, y in zip(va, vb):
        np.testing.assert_allclose(y, x, rtol=1e-6, atol=1e-6)


# --------------------------------------------------------------------------
# jit
# --------------------------------------------------------------------------

def test_jit_binds_self_like_a_function():
    def scenario(lib, jnp):
        class Plain:
            k = 3.0

            @lib.jit
            def f(self, x):
                return self.k * x

        class Static:
            k = 3.0

            def __hash__(self):
                return 1

            def __eq__(self, other):
                return isinstance(other, Static)

            @partial(lib.jit, static_argnums=0)
            def f(self, x):
                return self.k * x + 1

        with pytest.raises(TypeError):  # `self` is an argument: not an array
            Plain().f(2.0)
        return Static().f(2.0), Static().f(jnp.arange(3.0))
    j, i = both(scenario)
    assert_same(j, i)


def test_trace_cache_is_keyed_by_the_function():
    def scenario(lib, jnp):
        calls = []
        state = {"g": 0.0}

        def f(x):
            calls.append(1)
            return x + state["g"]
        a = lib.jit(f)(4.0)
        state["g"] = 10.0
        b = lib.jit(f)(5.0)                     # a new jit of f: its trace is reused
        c = lib.jit(f)(jnp.ones(2))             # a new shape: traced again
        d = lib.jit(f, static_argnums=0)(5.0)   # other options: traced again
        e = lib.jit(f)(np.float32(5.0))         # a strong scalar: traced again
        return (a, b, c, d, e), len(calls)
    (j, nj), (i, ni) = both(scenario)
    assert_same(j, i)
    assert ni == nj == 4


def test_a_jitted_function_is_traced_once_under_other_traces():
    def scenario(lib, jnp):
        calls = []
        w = jnp.arange(3.0)

        def f(x):
            calls.append("f")
            return jnp.sin(x) * w
        inner = lib.jit(f)

        @lib.custom_jvp
        def h(x):
            calls.append("h")
            return jnp.sin(x)

        @h.defjvp
        def h_jvp(p, t):
            calls.append("h_jvp")
            return jnp.sin(p[0]), 2.0 * jnp.cos(p[0]) * t[0]
        hj = lib.jit(lambda x: h(x) * 2.0)
        x = jnp.ones(3)
        out = (lib.jit(lambda x: inner(x) + 1)(x), lib.jit(lambda x: inner(x) * inner(x + 1))(x),
               lib.jit(lib.grad(lambda x: inner(x).sum()))(x),
               lib.jit(lib.vmap(inner))(jnp.ones((2, 3))),
               lib.jit(hj)(1.0), lib.jit(lib.grad(hj))(1.0), lib.jit(lib.grad(hj))(2.0),
               lib.jit(lambda x: hj(x))(3.0))
        return out, sorted(calls)
    (j, cj), (i, ci) = both(scenario)
    assert_same(j, i)
    assert ci == cj == ["f", "h", "h_jvp"]


def test_trace_cache_does_not_keep_functions_alive():
    def f(x):
        return x * 2
    ref = weakref.ref(f)
    assert float(irax.jit(f)(1.0)) == 2.0
    del f
    gc.collect()
    assert ref() is None


# --------------------------------------------------------------------------
# non-array arguments where nothing is differentiated
# --------------------------------------------------------------------------

def test_non_array_arguments_that_are_not_differentiated():
    def scenario(lib, jnp):
        g1 = lib.grad(lambda fn, x: fn(x), 1)(jnp.sin, 1.0)
        g2 = lib.grad(lambda x, mode, scale: scale * (jnp.cos(x) if mode == "cos" else x),
                      argnums=(0, 2))(0.5, "cos", 2.0)

        @partial(lib.custom_jvp, nondiff_argnums=(0,))
        def app(f, x):
            return f(x)

        @app.defjvp
        def app_jvp(f, primals, tangents):
            (x,), (xd,) = primals, tangents
            return f(x), 2.0 * xd

        @partial(lib.custom_vjp, nondiff_argnums=(0,))
        def app2(f, x):
            return f(x)
        app2.defvjp(lambda f, x: (f(x), x), lambda f, x, g: (5.0 * g * x,))
        cube = lambda y: y ** 3  # noqa: E731
        out = [app(cube, 3.0), lib.grad(lambda x: app(cube, x))(3.0),
               lib.jit(lib.grad(lambda x: app(cube, x)))(3.0),
               lib.jvp(lambda x: app(cube, x), (3.0,), (1.0,)),
               app2(cube, 3.0), lib.grad(lambda x: app2(cube, x))(3.0),
               lib.jit(lib.grad(lambda x: app2(cube, x)))(3.0)]
        return g1, g2, out
    j, i = both(scenario)
    assert_same(j, i)


# --------------------------------------------------------------------------
# Python control flow on concrete values
# --------------------------------------------------------------------------

def test_python_control_flow_on_concrete_values():
    def scenario(lib, jnp):
        @lib.custom_jvp
        def h(x):
            return jnp.sin(x)

        @h.defjvp
        def h_jvp(primals, tangents):
            (x,), (t,) = primals, tangents
            if x > 0:  # a concrete primal under an eager grad
                return jnp.sin(x), jnp.cos(x) * t
            return jnp.sin(x), -t

        def f(x):
            if x > 0:
                return x * 2.0
            return x * 3.0
        _, pullback = lib.vjp(f, 1.0)
        _, pullback_neg = lib.vjp(f, -1.0)
        return (lib.grad(h)(1.0), lib.grad(h)(-1.0), lib.jit(pullback)(1.0),
                lib.jit(pullback_neg)(1.0), lib.vmap(pullback)(jnp.arange(3.0)))
    j, i = both(scenario)
    assert_same(j, i)


# --------------------------------------------------------------------------
# custom_vjp
# --------------------------------------------------------------------------

def test_custom_vjp_none_cotangents_are_zeros_per_argument():
    def scenario(lib, jnp):
        @lib.custom_vjp
        def clip_gradient(lo, hi, x):
            return x

        def fwd(lo, hi, x):
            return x, (lo, hi)

        def bwd(res, g):
            lo, hi = res
            return (None, None, jnp.clip(g, lo, hi))
        clip_gradient.defvjp(fwd, bwd)

        def clip_sin(x):
            return jnp.sin(clip_gradient(-0.75, 0.75, x))

        @lib.custom_vjp
        def tree_fn(p, x):
            return p["a"] * x + p["b"]
        tree_fn.defvjp(lambda p, x: (tree_fn(p, x), (p, x)),
                       lambda r, g: ({"a": g * r[1], "b": None}, None))
        p = {"a": 2.0, "b": 1.0}
        return (lib.grad(clip_sin)(0.0), lib.jit(lib.grad(clip_sin))(2.0),
                lib.vmap(lib.grad(clip_sin))(jnp.arange(3.0)),
                lib.grad(lambda p, x: tree_fn(p, x), argnums=(0, 1))(p, 3.0))
    j, i = both(scenario)
    assert_same(j, i)


def test_forward_over_reverse_through_custom_vjp_uses_fwd():
    def scenario(lib, jnp):
        @lib.custom_vjp
        def f(x):
            return jnp.sin(x)
        f.defvjp(lambda x: (jnp.sin(x), x), lambda x, g: (10.0 * jnp.cos(x) * g,))
        return (lib.jvp(lib.grad(f), (0.5,), (1.0,)), lib.jacfwd(lib.grad(f))(0.5),
                lib.hessian(lambda x: f(x).sum())(jnp.array([0.5, 1.0])))
    j, i = both(scenario)
    assert_same(j, i)


def test_jvp_of_custom_vjp_is_a_type_error_naming_the_function():
    @irax.custom_vjp
    def clip_thing(x):
        return x
    clip_thing.defvjp(lambda x: (x, None), lambda r, g: (g,))

    @jax.custom_vjp
    def jclip(x):
        return x
    jclip.defvjp(lambda x: (x, None), lambda r, g: (g,))
    with pytest.raises(TypeError, match="forward-mode"):
        jax.jvp(jclip, (1.0,), (1.0,))
    with pytest.raises(TypeError, match="clip_thing.*test_conformance_api.py"):
        irax.jvp(clip_thing, (1.0,), (1.0,))
    with pytest.raises(TypeError, match="forward-mode"):
        irax.jacfwd(lambda x: irax.jit(clip_thing)(x))(1.0)


# --------------------------------------------------------------------------
# how often user code runs
# --------------------------------------------------------------------------

def _count_scenarios(lib, jnp):
    counts = collections.Counter()

    @lib.custom_jvp
    def h(x):
        counts["h"] += 1
        return jnp.sin(x)

    @h.defjvp
    def h_jvp(p, t):
        counts["h_jvp"] += 1
        return jnp.sin(p[0]), jnp.cos(p[0]) * t[0]

    @lib.custom_vjp
    def f(x):
        counts["f"] += 1
        return jnp.sin(x)

    def f_fwd(x):
        counts["f_fwd"] += 1
        return jnp.sin(x), x

    def f_bwd(x, g):
        counts["f_bwd"] += 1
        return (jnp.cos(x) * g,)
    f.defvjp(f_fwd, f_bwd)

    def p(x):
        counts["p"] += 1
        return jnp.sin(x) * 2.0

    x, s = jnp.ones(3), 0.5
    cases = {
        "jit(h)": lambda: lib.jit(h)(s),
        "vmap(h)": lambda: lib.vmap(h)(x),
        "grad(h)": lambda: lib.grad(h)(s),
        "jvp(h)": lambda: lib.jvp(h, (s,), (1.0,)),
        "grad(vmap(h))": lambda: lib.grad(lambda x: lib.vmap(h)(x).sum())(x),
        "grad(grad(h))": lambda: lib.grad(lib.grad(h))(s),
        "jit(f)": lambda: lib.jit(f)(s),
        "vmap(f)": lambda: lib.vmap(f)(x),
        "grad(f)": lambda: lib.grad(f)(s),
        "vmap(grad(f))": lambda: lib.vmap(lib.grad(f))(x),
        "vjp(f)": lambda: lib.vjp(f, s)[1](1.0),
        "grad(grad(p))": lambda: lib.grad(lib.grad(p))(s),
        "jacrev(p)": lambda: lib.jacrev(p)(x),
        "grad(vmap(p))": lambda: lib.grad(lambda x: lib.vmap(p)(x).sum())(x),
        "jvp(grad(p))": lambda: lib.jvp(lib.grad(p), (s,), (1.0,)),
        "linearize(p)": lambda: (lambda y, f_jvp: (y, f_jvp(1.0), lib.jit(f_jvp)(2.0)))(
            *lib.linearize(p, s)),
    }
    out = {}
    for name, case in cases.items():
        counts.clear()
        value = case()
        out[name] = (dict(counts), values(value))
    return out


def test_user_functions_and_rules_run_as_often_as_in_jax():
    j, i = both(_count_scenarios)
    for name in j:
        assert i[name][0] == j[name][0], (name, j[name][0], i[name][0])
        for a, b in zip(j[name][1], i[name][1]):
            np.testing.assert_allclose(b, a, rtol=1e-6, atol=1e-6, err_msg=name)


# --------------------------------------------------------------------------
# irax.devices
# --------------------------------------------------------------------------

def test_devices_is_the_function_whatever_was_imported():
    code = ("import irax, irax.numpy as jnp\n"
            "import irax.devices\n"
            "from irax.devices import common_backend\n"
            "assert irax.devices() == irax.devices('cpu') and len(irax.devices()) == 1\n"
            "assert callable(irax.vmap) and callable(irax.export)\n")
    subprocess.run([sys.executable, "-c", code], check=True)
