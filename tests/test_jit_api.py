"""irax.jit's argument handling: static args, pytrees, weak scalars, closures, caching, errors."""
import collections
import functools

import numpy as np
import pytest
from conftest import assert_close

import irax
import irax.numpy as jnp
from irax import tree_util

Pair = collections.namedtuple("Pair", ["a", "b"])


class Scaled:
    def __init__(self, value, scale):
        self.value, self.scale = value, scale


tree_util.register_pytree_node(Scaled, lambda s: ((s.value,), s.scale),
                               lambda scale, c: Scaled(c[0], scale))


def counting(fn):
    calls = []

    @functools.wraps(fn)  # keeps fn's signature visible to static_argnums
    def wrapped(*args, **kwargs):
        calls.append(1)
        return fn(*args, **kwargs)
    wrapped.calls = calls
    return wrapped


def test_static_argnums_positive_negative_and_kwargs():
    f = counting(lambda x, n, scale=1.0: x * n * scale)
    g = irax.jit(f, static_argnums=(1,))
    x = np.ones(3, np.float32)
    assert_close(g(x, 2), x * 2)
    assert_close(g(x, 2), x * 2)
    assert len(f.calls) == 1
    assert_close(g(x, 3), x * 3)
    assert len(f.calls) == 2
    assert_close(g(x, n=3), x * 3)  # static argument passed by keyword
    h = counting(lambda x, n: jnp.reshape(x, (n, -1)))
    hj = irax.jit(h, static_argnums=-1)
    assert hj(np.ones(6, np.float32), 2).shape == (2, 3)
    assert hj(np.ones(6, np.float32), 3).shape == (3, 2)
    assert len(h.calls) == 2
    assert hj(np.ones(6, np.float32), n=3).shape == (3, 2)  # -1 is `n` even when passed by name
    k = irax.jit(lambda x, n, *, m: x * n * m, static_argnums=1, static_argnames="m")
    assert_close(k(np.ones(2, np.float32), 2, m=3), np.full(2, 6.0, np.float32))


def test_static_argnames():
    f = counting(lambda x, *, axis, keep=False: jnp.sum(x, axis=axis, keepdims=keep))
    g = irax.jit(f, static_argnames=("axis", "keep"))
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    assert_close(g(x, axis=0), x.sum(0))
    assert_close(g(x, axis=1, keep=True), x.sum(1, keepdims=True))
    assert_close(g(x, axis=0), x.sum(0))
    assert len(f.calls) == 2
    p = irax.jit(lambda x, mode: x * 2 if mode == "double" else x, static_argnames="mode")
    assert_close(p(x, "double"), x * 2)
    assert_close(p(x, mode="same"), x)


def test_unhashable_static_argument_errors():
    g = irax.jit(lambda x, n: x, static_argnums=1)
    with pytest.raises(ValueError, match="hashable"):
        g(np.ones(2, np.float32), [1, 2])


def test_pytrees_in_and_out():
    def f(tree):
        a, b = tree["pair"]
        return {"sum": a + b, "list": [a * 2, None, (b,)], "pair": Pair(a, b - 1),
                "scaled": Scaled(tree["scaled"].value * tree["scaled"].scale, tree["scaled"].scale)}
    x = np.arange(3, dtype=np.float32)
    tree = {"pair": Pair(x, x + 1), "scaled": Scaled(x, 3.0)}
    out = irax.jit(f)(tree)
    assert_close(out["sum"], 2 * x + 1)
    assert out["list"][1] is None and isinstance(out["list"][2], tuple)
    assert isinstance(out["pair"], Pair)
    assert_close(out["pair"].b, x)
    assert isinstance(out["scaled"], Scaled) and out["scaled"].scale == 3.0
    assert_close(out["scaled"].value, x * 3)


def test_structure_and_aux_data_are_part_of_the_key():
    f = counting(lambda t: tree_util.tree_leaves(t)[0] * 1)
    g = irax.jit(f)
    x = np.ones(2, np.float32)
    g((x, x))
    g([x, x])
    g({"a": x, "b": x})
    g(Scaled(x, 1.0))
    g(Scaled(x, 2.0))
    g((x, x))
    assert len(f.calls) == 5


def test_retrace_once_per_signature():
    f = counting(lambda x, y: x + y)
    g = irax.jit(f)
    a32, b32 = np.ones(3, np.float32), np.ones(3, np.float32)
    g(a32, b32)
    g(a32 * 2, b32)
    g(jnp.asarray(a32), jnp.asarray(b32))  # device arrays: same signature
    assert len(f.calls) == 1
    g(np.ones(4, np.float32), np.ones(4, np.float32))  # new shape
    g(np.ones(3, np.int32), np.ones(3, np.int32))      # new dtype
    g(a32, 1.0)                                        # weak scalar
    g(a32, 2.0)
    g(a32, np.float32(2.0))                            # strong scalar: a new signature
    assert len(f.calls) == 5


def test_python_scalars_are_weak():
    out = irax.jit(lambda x, s: (x * s, s))(np.ones(2, np.float16), 2.0)
    assert out[0].dtype == np.float16
    assert out[1].dtype == np.float32 and out[1].weak_type
    i = irax.jit(lambda x, k: x + k)(np.ones(2, np.int8), 3)
    assert i.dtype == np.int8
    assert_close(i, np.full(2, 4, np.int8))
    b = irax.jit(lambda x, flag: x & flag)(np.array([True, False]), True)
    assert_close(b, np.array([True, False]))


def test_closure_over_arrays_is_captured_not_retraced():
    w = jnp.asarray(np.arange(3, dtype=np.float32))
    c = np.full(3, 2.0, np.float32)
    f = counting(lambda x: x * w + c)
    g = irax.jit(f)
    x = np.ones(3, np.float32)
    assert_close(g(x), x * np.asarray(w) + c)
    assert_close(g(x + 1), (x + 1) * np.asarray(w) + c)
    assert len(f.calls) == 1
    text = str(irax.make_ir(f)(x))
    assert text.count("%arg") >= 2  # the captured array is an argument, not a constant


def test_returning_python_scalars_and_constants():
    out = irax.jit(lambda x: (1.0, 2, True, x.shape[0]))(np.ones(4, np.float32))
    assert [type(o) for o in out] == [irax.Array] * 4
    assert float(out[0]) == 1.0 and out[0].weak_type and out[0].dtype == np.float32
    assert int(out[1]) == 2 and out[1].dtype == np.int32
    assert bool(out[2]) is True and out[2].dtype == np.bool_
    assert int(out[3]) == 4
    none = irax.jit(lambda x: None)(np.ones(1, np.float32))
    assert none is None
    empty = irax.jit(lambda: jnp.arange(3) * 2)()
    assert_close(empty, np.arange(3, dtype=np.int32) * 2)


def test_nested_jit_and_kwargs():
    inner = irax.jit(lambda x, y=1.0: x * y)
    outer = irax.jit(lambda x: inner(x, y=3.0) + inner(x))
    x = np.arange(3, dtype=np.float32)
    assert_close(outer(x), x * 3 + x)
    assert_close(inner(x, y=np.float32(2.0)), x * 2)


def test_invalid_argument_type_errors():
    with pytest.raises(TypeError, match="str is not a valid irax type.*static"):
        irax.jit(lambda x: x)("hello")
    with pytest.raises(TypeError, match="returned a value of type object"):
        irax.jit(lambda x: object())(1.0)


def test_shape_error_names_op_shapes_and_line():
    def f(x, y):
        return jnp.dot(x, y) + y  # noqa: the line named in the error
    with pytest.raises(TypeError, match=r"add: incompatible shapes for broadcasting: \(3,\), \(4,\) "
                                        r"\(at .*test_jit_api.py:\d+\)"):
        irax.jit(f)(np.ones((3, 4), np.float32), np.ones(4, np.float32))


def test_concretization_error_names_line_and_fixes():
    def f(x):
        if x.sum() > 0:
            return x
        return -x
    with pytest.raises(irax.ConcretizationTypeError) as info:
        irax.jit(f)(np.ones(2, np.float32))
    msg = str(info.value)
    assert "test_jit_api.py:" in msg and "irax.lax.cond" in msg and "static_argnums" in msg
    assert msg.startswith("bool() of a traced value")
    g = irax.jit(lambda x, flag: x if flag else -x, static_argnums=1)
    assert_close(g(np.ones(2, np.float32), True), np.ones(2, np.float32))


def test_jit_as_decorator_with_options():
    @irax.jit
    def f(x):
        return x + 1

    @irax.jit(static_argnums=1)
    def g(x, n):
        return x * n
    assert_close(f(np.zeros(2, np.float32)), np.ones(2, np.float32))
    assert_close(g(np.ones(2, np.float32), 4), np.full(2, 4.0, np.float32))
    assert f.__name__ == "f"
    k = irax.jit(static_argnames="n")(lambda x, n: x[:n])
    assert k(np.arange(5, dtype=np.float32), n=2).shape == (2,)
