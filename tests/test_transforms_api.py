"""JAX's remaining transformation API: jacobian, eval_shape/ShapeDtypeStruct,
make_jaxpr, linear_transpose, device_get, typeof, disable_jit, clear_caches,
named_scope/named_call and jit's donation — each against JAX."""
import re

import jax
import jax.numpy as jjnp
import numpy as np
import pytest

import irax
import irax.numpy as jnp
from irax import executor

X = np.linspace(-1.0, 1.0, 6, dtype=np.float32).reshape(2, 3)
V = np.arange(3, dtype=np.float32) + 0.5


def _check_tree(got, want, rtol=1e-5):
    gl, gt = irax.tree.flatten(got)
    wl, wt = jax.tree.flatten(want)
    assert len(gl) == len(wl)
    for g, w in zip(gl, wl):
        np.testing.assert_allclose(np.asarray(g), np.asarray(w), rtol=rtol, atol=1e-6)


def test_jacobian_matches_jax_in_one_jit():
    f = lambda x, v: {"a": jnp.tanh(x) @ v, "b": x * v[0]}  # noqa: E731
    jf = lambda x, v: {"a": jjnp.tanh(x) @ v, "b": x * v[0]}  # noqa: E731
    aux = lambda x: (jnp.sum(x ** 2), x)  # noqa: E731
    got = irax.jit(lambda x, v: (irax.jacobian(f, argnums=(0, 1))(x, v),
                                 irax.jacobian(aux, has_aux=True)(v)))(X, V)
    want = (jax.jacobian(jf, argnums=(0, 1))(X, V),
            jax.jacobian(lambda x: (jjnp.sum(x ** 2), x), has_aux=True)(V))
    _check_tree(got, want)


def test_eval_shape_and_shape_dtype_struct_trace_without_compiling():
    s = irax.ShapeDtypeStruct((2, 3), jnp.float32)
    assert repr(s) == repr(jax.ShapeDtypeStruct((2, 3), jjnp.float32))
    assert s.ndim == 2 and s.size == 6 and s == irax.ShapeDtypeStruct((2, 3), "float32")
    assert hash(s) == hash(irax.ShapeDtypeStruct((2, 3), np.float32))
    assert s != irax.ShapeDtypeStruct((2, 3), "float32", weak_type=True)
    before = len(executor._executables)
    def f(np_, x, y):
        return x @ x.T + y, {"s": np_.sum(x, axis=0).astype(np_.int32), "w": y * 2}
    got = irax.eval_shape(lambda x, y: f(jnp, x, y), s, 1.0)
    want = jax.eval_shape(lambda x, y: f(jjnp, x, y), jax.ShapeDtypeStruct((2, 3), jjnp.float32),
                          1.0)
    assert repr(got) == repr(want)
    assert irax.eval_shape(jnp.sin, X).dtype == np.float32  # arrays work too
    assert len(executor._executables) == before  # nothing compiled or run
    assert repr(irax.typeof(1.0)) == "ShapeDtypeStruct(shape=(), dtype=float32, weak_type=True)"
    assert irax.typeof(jnp.ones((2,), jnp.int32)) == irax.ShapeDtypeStruct((2,), np.int32)
    with pytest.raises(TypeError, match="not a valid irax type"):
        irax.eval_shape(jnp.sin, "x")


def test_make_jaxpr_prints_the_irax_module():
    text = irax.make_jaxpr(lambda x, n: jnp.sin(x) * n, static_argnums=1)(X, 3)
    assert '"irax.sin"' in str(text) and '"irax.mul"' in repr(text)
    assert "tensor<2x3xf32>" in str(text)
    ir, shapes = irax.make_jaxpr(lambda x: (x.sum(), x), return_shape=True)(X)
    assert '"irax.reduce_sum"' in str(ir)
    assert shapes == (irax.ShapeDtypeStruct((), np.float32),
                      irax.ShapeDtypeStruct((2, 3), np.float32))
    with pytest.raises(NotImplementedError, match="axis_env"):
        irax.make_jaxpr(jnp.sin, axis_env=[("i", 2)])


def test_linear_transpose_matches_jax_and_rejects_nonlinear_functions():
    A = np.arange(6, dtype=np.float32).reshape(2, 3)
    f = lambda x, y: (A @ x + 2.0 * y.sum(), jnp.concatenate([x, -x])[::2])  # noqa: E731
    jfun = lambda x, y: (A @ x + 2.0 * y.sum(), jjnp.concatenate([x, -x])[::2])  # noqa: E731
    ct = (np.array([1.0, -2.0], np.float32), np.arange(3, dtype=np.float32))
    got = irax.jit(irax.linear_transpose(f, irax.ShapeDtypeStruct((3,), np.float32), V))(ct)
    want = jax.linear_transpose(jfun, jax.ShapeDtypeStruct((3,), np.float32), V)(ct)
    _check_tree(got, want)
    for bad, what in [(lambda x: x * x, "transpose depends on the value"),
                      (lambda x: jnp.sin(x), "transpose depends on the value"),
                      (lambda x: x + 1.0, "adds a constant")]:
        with pytest.raises(TypeError, match=f"not linear: .*{what}"):
            irax.linear_transpose(bad, V)
    t = irax.linear_transpose(lambda x: 3.0 * x, V)
    with pytest.raises(TypeError, match="does not match the output"):
        t(np.ones(4, np.float32))


def test_device_get_typeof_and_block_until_ready():
    tree = {"a": jnp.ones(2), "b": [3, jnp.arange(2)]}
    got = irax.device_get(tree)
    assert isinstance(got["a"], np.ndarray) and got["b"][0] == 3
    np.testing.assert_array_equal(got["b"][1], np.arange(2))
    assert jax.tree.structure(irax.device_get(tree)) == jax.tree.structure(jax.device_get(
        {"a": jjnp.ones(2), "b": [3, jjnp.arange(2)]}))


def test_disable_jit_runs_python_and_clear_caches_retraces():
    traces = []

    @irax.jit
    def f(x):
        traces.append(type(x).__name__)
        return x * 2
    f(V)
    f(V)
    assert traces == ["Tracer"]
    with irax.disable_jit():
        np.testing.assert_array_equal(np.asarray(f(V)), V * 2)
        f(V)
    assert traces == ["Tracer", "ndarray", "ndarray"]  # the arguments as given, as in JAX
    irax.clear_caches()
    f(V)
    assert traces[-1] == "Tracer" and len(traces) == 4


def test_named_scope_and_named_call_are_mlir_name_locations():
    def blk(x):
        return jnp.sin(x) * 2  # line with the ops

    def g(x):
        with irax.named_scope("outer"):
            y = irax.named_call(blk, name="inner")(x)
            z = irax.named_call(blk)(y)
        return z + 1
    text = irax.make_ir(g)(V).text(debug_info=True)
    line = blk.__code__.co_firstlineno + 1
    locs = dict(re.findall(r'(#loc\d+) = (loc\(.*\))', text))
    names = [l for l in locs.values() if l.startswith('loc("outer')]
    assert sorted(set(re.findall(r'loc\("([^"]+)"\(#', " ".join(names)))) == \
        ["outer/blk", "outer/inner"]
    files = [l for l in locs.values() if "test_transforms_api.py" in l]
    assert any(f":{line}:" in l for l in files)
    assert '"irax.add"' in text and not any(l.startswith('loc("outer') and "add" in l
                                            for l in locs.values())
    with pytest.raises(TypeError, match="must be a string"):
        with irax.named_scope(3):
            pass


def test_donated_arguments_are_deleted_like_jax():
    f = irax.jit(lambda x, y: (x * 2, y + 1), donate_argnums=0)
    a, b = jnp.asarray(V), jnp.asarray(V)
    out = f(a, b)
    np.testing.assert_array_equal(np.asarray(out[0]), V * 2)
    assert a.is_deleted() and not b.is_deleted()
    with pytest.raises(RuntimeError, match=re.escape("Array has been deleted with "
                                                     "shape=float32[3].")):
        a + 1
    with pytest.raises(RuntimeError, match="deleted"):
        f(a, b)
    g = irax.jit(lambda x, y: x + y, donate_argnames="y")
    c, d = jnp.asarray(V), jnp.asarray(V)
    g(c, y=d)
    assert d.is_deleted() and not c.is_deleted()
    e = jnp.asarray(V)
    g(c, e)  # donated positionally too: argnames and argnums name the same parameter
    assert e.is_deleted()
    h = jnp.asarray(V)
    with pytest.raises(ValueError, match="donated and also passed"):
        f(h, h)
    with pytest.raises(ValueError, match="static arguments cannot be donated"):
        irax.jit(lambda x, n: x, static_argnums=1, donate_argnums=1)
    np.testing.assert_array_equal(np.asarray(f(V, V)[0]), V * 2)  # NumPy inputs: nothing to delete


def test_closure_convert_hoists_traced_values_like_jax():
    w = jnp.arange(3.0)
    f, consts = irax.closure_convert(lambda x: x * w, jnp.ones(3))
    assert consts == []  # a closed-over concrete array stays inside, as in JAX
    np.testing.assert_allclose(np.asarray(f(V)), V * np.arange(3.0), rtol=1e-6)
    counts = []

    def outer(y):
        g, cs = irax.closure_convert(lambda x: x * y * w, 1.0)
        counts.append(len(cs))
        return jnp.sum(g(2.0, *cs))

    def jouter(y):
        g, cs = jax.closure_convert(lambda x: x * y * jjnp.arange(3.0), 1.0)
        counts.append(len(cs))
        return jjnp.sum(g(2.0, *cs))
    got = irax.jit(lambda y: (outer(y), irax.grad(outer)(y)))(3.0)
    want = jax.jit(lambda y: (jouter(y), jax.grad(jouter)(y)))(3.0)
    _check_tree(got, want)
    assert counts == [1, 1, 1, 1]
    with pytest.raises(TypeError, match="takes 1 arguments and 0 constants"):
        f(V, V)


def test_ensure_compile_time_eval_computes_concrete_values_under_jit():
    seen = []

    def f(np_, ctx, x):
        with ctx():
            n = np_.sum(np_.arange(4.0))
            seen.append(int(n))  # concrete inside the block, as in JAX
            y = x * n  # x is traced: still traced
        return y + int(n)
    got = irax.jit(lambda x: f(jnp, irax.ensure_compile_time_eval, x))(V)
    want = jax.jit(lambda x: f(jjnp, jax.ensure_compile_time_eval, x))(V)
    np.testing.assert_allclose(np.asarray(got), np.asarray(want))
    assert seen == [6, 6]
    with pytest.raises(irax.ConcretizationTypeError):
        irax.jit(lambda x: int(jnp.sum(x)))(V)  # outside the block: an error, as before
