"""debug.print / debug.callback / pure_callback: Python called by the running
program (inside jit, vmap, grad, scan, while_loop), printed as JAX prints."""
import jax
import jax.numpy as jjnp
import numpy as np
import pytest

import irax
import irax.numpy as jnp
from irax import debug


def _lines(capsys):
    return capsys.readouterr().out.splitlines()


def _jax_lines(capsys, fn, *args):
    capsys.readouterr()
    out = fn(*args)
    jax.effects_barrier()
    return out, capsys.readouterr().out.splitlines()


def test_print_runs_when_the_compiled_program_runs(capsys):
    f = irax.jit(lambda x: (debug.print("x={0} twice={t} {0}", x, t=x * 2), x + 1)[1])
    assert _lines(capsys) == []
    assert float(f(jnp.float32(1.5))) == 2.5
    assert float(f(jnp.float32(-2.0))) == -1.0  # one trace, printed at each run
    got = _lines(capsys)
    _, want = _jax_lines(capsys, lambda: [jax.jit(lambda x: jax.debug.print(
        "x={0} twice={t} {0}", x, t=x * 2))(jjnp.float32(v)) for v in (1.5, -2.0)])
    assert got == want == ["x=1.5 twice=3.0 1.5", "x=-2.0 twice=-4.0 -2.0"]
    irax.make_ir(lambda x: debug.print("{}", x))(1.0)  # tracing alone prints nothing
    debug.print("eager {} {}", jnp.arange(3), "text")
    assert _lines(capsys) == ["eager [0 1 2] text"]
    with pytest.raises(ValueError, match="not a keyword argument"):
        debug.print("{missing}", 1.0)
    with pytest.raises(ValueError, match="more {} fields"):
        debug.print("{} {}", 1.0)
    with pytest.raises(ValueError, match="mixes automatic field numbering"):
        debug.print("{} {0}", 1.0)


def test_print_under_vmap_grad_scan_and_while_in_program_order(capsys):
    xs = np.arange(3, dtype=np.float32)

    def body(c, x):
        debug.print("step c={} x={}", c, x)
        return c + x, None

    def cond_body(c):
        debug.print("while {}", c)
        return c * 2

    def run(x):
        irax.vmap(lambda v, y: debug.print("v {} {y}", v, y=y), in_axes=(0, None))(xs, x)
        g = irax.grad(lambda v: (debug.print("g {}", v), v * v)[1])(x)
        c, _ = irax.lax.scan(body, x, xs)
        w = irax.lax.while_loop(lambda c: c < 10.0, cond_body, x)
        return g, c, w
    got_vals = irax.jit(run)(np.float32(1.5))
    got = _lines(capsys)

    def jbody(c, x):
        jax.debug.print("step c={} x={}", c, x)
        return c + x, None

    def jcond_body(c):
        jax.debug.print("while {}", c)
        return c * 2

    def jrun(x):
        jax.vmap(lambda v, y: jax.debug.print("v {} {y}", v, y=y), in_axes=(0, None))(xs, x)
        g = jax.grad(lambda v: (jax.debug.print("g {}", v), v * v)[1])(x)
        c, _ = jax.lax.scan(jbody, x, xs)
        w = jax.lax.while_loop(lambda c: c < 10.0, jcond_body, x)
        return g, c, w
    want_vals, want = _jax_lines(capsys, jax.jit(jrun), np.float32(1.5))
    assert sorted(got) == sorted(want)  # JAX's unordered prints may come in any order;
    assert [l.split()[0] for l in got] == ["v"] * 3 + ["g"] + ["step"] * 3 + ["while"] * 3
    assert [l for l in got if l.startswith("while")] == ["while 1.5", "while 3.0", "while 6.0"]
    assert sum(l.startswith("step") for l in got) == 3 and sum(l.startswith("v ") for l in got) == 3
    np.testing.assert_allclose([float(v) for v in got_vals], [float(v) for v in want_vals])


def test_callback_gets_pytrees_and_static_values(capsys):
    seen = []
    f = irax.jit(lambda x: debug.callback(lambda d, tag: seen.append((d, tag)),
                                          {"a": x, "b": [x * 2]}, "tag"))
    f(np.arange(2, dtype=np.float32))
    (d, tag), = seen
    assert tag == "tag" and isinstance(d["a"], np.ndarray)
    np.testing.assert_array_equal(d["b"][0], [0.0, 2.0])
    with pytest.raises(TypeError, match="expected a function"):
        debug.callback(3, 1.0)


def test_pure_callback_under_jit_vmap_and_its_errors():
    shapes = []

    def host_sin(v):
        shapes.append(v.shape)
        return np.sin(v)

    def f(x, method):
        return irax.pure_callback(host_sin, irax.ShapeDtypeStruct(x.shape, x.dtype), x,
                                  vmap_method=method)
    x = np.linspace(0, 1, 6, dtype=np.float32).reshape(2, 3)
    run = irax.jit(lambda x: (f(x, None) * 2, irax.vmap(lambda r: f(r, "sequential"))(x),
                              irax.vmap(lambda r: f(r, "expand_dims"))(x)))
    a, b, c = run(x)
    np.testing.assert_allclose(np.asarray(a), 2 * np.sin(x), rtol=1e-6)
    np.testing.assert_allclose(np.asarray(b), np.sin(x), rtol=1e-6)
    np.testing.assert_allclose(np.asarray(c), np.sin(x), rtol=1e-6)
    assert sorted(shapes) == [(2, 3), (2, 3), (3,), (3,)]  # sequential: one call per row
    eager = irax.pure_callback(lambda v: (v + 1, v.sum()),
                               (irax.ShapeDtypeStruct((3,), np.float32),
                                irax.ShapeDtypeStruct((), np.float32)), x[0])
    np.testing.assert_allclose(np.asarray(eager[0]), x[0] + 1)
    with pytest.raises(NotImplementedError, match="vmap_method"):
        irax.jit(irax.vmap(lambda r: f(r, None)))(x)
    with pytest.raises(NotImplementedError, match="do not support (JVP|VJP)"):
        irax.jit(irax.grad(lambda v: jnp.sum(f(v, None))))(x)
    with pytest.raises(TypeError, match="result_shape_dtypes"):
        irax.jit(lambda v: irax.pure_callback(lambda u: u[:1], irax.ShapeDtypeStruct(
            (3,), np.float32), v))(x[0])


def test_a_callback_that_raises_surfaces_at_the_call_site():
    calls = []

    def check(v):
        calls.append(float(v))
        if v < 0:
            raise ValueError(f"negative: {v}")
    f = irax.jit(lambda x: (debug.callback(check, x), x * 2)[1])
    assert float(f(np.float32(1.0))) == 2.0
    with pytest.raises(ValueError, match="negative: -1.0"):
        f(np.float32(-1.0))
    assert float(f(np.float32(3.0))) == 6.0  # the program still runs afterwards
    assert calls == [1.0, -1.0, 3.0]
