"""irax.vmap's Python API: axes specs, nesting, jit, grad, errors."""
import numpy as np
import pytest

import irax
import irax.numpy as jnp
from conftest import assert_close


def rand(*shape, seed=0):
    return np.random.default_rng(seed + len(shape)).uniform(-1, 1, shape).astype(np.float32)


def test_in_axes_none_and_negative():
    x, w = rand(2, 3, 4), rand(2, 4)
    f = irax.vmap(lambda x, w: jnp.tanh(x) * w, in_axes=(1, None), out_axes=-1)
    want = np.stack([np.tanh(x[:, i]) * w for i in range(3)], axis=-1)
    assert_close(f(x, w), want)


def test_pytree_in_axes_prefix_and_kwargs():
    params = {"b": rand(4), "w": rand(5, 4)}
    xs, ys = rand(3, 5), rand(4, 3)

    def f(p, x, y, scale=None):
        return {"out": x @ p["w"] + p["b"] + y * scale, "n": jnp.sum(x)}

    s = rand(3)
    got = irax.vmap(f, in_axes=({"b": None, "w": None}, 0, 1))(params, xs, ys, scale=s)
    for i in range(3):
        assert_close(got["out"][i], xs[i] @ params["w"] + params["b"] + ys[:, i] * s[i], rtol=1e-5)
        assert_close(got["n"][i], np.sum(xs[i]), rtol=1e-5)


def test_out_axes_pytree_and_none():
    x, c = rand(3, 2), rand(2)
    f = irax.vmap(lambda x, c: (x * 2, jnp.sin(c)), in_axes=(0, None), out_axes=(1, None))
    a, b = f(x, c)
    assert_close(a, (x * 2).T)
    assert_close(b, np.sin(c), rtol=1e-6)


def test_out_axes_none_for_a_batched_output_fails():
    with pytest.raises(ValueError, match="out_axes is None for result 0"):
        irax.vmap(lambda x: x + 1, out_axes=None)(rand(3, 2))


def test_axis_size_without_mapped_arguments():
    c = rand(2)
    out = irax.vmap(lambda c: c * 3, in_axes=None, axis_size=4)(c)
    assert_close(out, np.broadcast_to(c * 3, (4, 2)))
    with pytest.raises(ValueError, match="at least one non-None value in in_axes"):
        irax.vmap(lambda c: c, in_axes=None)(c)


def test_closure_over_arrays_is_unbatched():
    w = rand(4, 4)
    f = irax.vmap(lambda x: jnp.dot(w, x))
    xs = rand(3, 4)
    assert_close(f(xs), xs @ w.T, rtol=1e-5)


def test_nested_vmap_outer_product_and_axes():
    xs, ys = rand(3, 2), rand(2, 4, seed=1)
    # inner over ys' axis 1, outer over xs' axis 0; inner closes over the outer x
    f = irax.vmap(lambda x: irax.vmap(lambda y: x * y, in_axes=1, out_axes=1)(ys), out_axes=2)
    want = np.stack([np.stack([xs[i] * ys[:, j] for j in range(4)], axis=1) for i in range(3)],
                    axis=2)
    assert_close(f(xs), want)


def test_nested_vmap_matmul_is_one_dot_general():
    a, b = rand(3, 4, 5), rand(3, 5, 2)
    mv = lambda m, v: m @ v
    f = irax.vmap(irax.vmap(mv, in_axes=(None, 1), out_axes=1))
    assert_close(f(a, b), np.einsum("bij,bjk->bik", a, b), rtol=1e-5)
    text = irax.make_ir(f)(a, b).expanded()
    assert text.count('"irax.dot_general"') == 1, text


def test_jit_of_vmap_and_vmap_of_jit():
    xs, w = rand(3, 4), rand(4, 2)
    g = lambda x, w: jnp.tanh(x @ w)
    want = np.tanh(xs @ w)
    jv = irax.jit(irax.vmap(g, in_axes=(0, None)))
    assert_close(jv(xs, w), want, rtol=1e-5)
    assert_close(jv(xs * 2, w), np.tanh((xs * 2) @ w), rtol=1e-5)
    assert_close(irax.vmap(irax.jit(g), in_axes=(0, None))(xs, w), want, rtol=1e-5)


def test_unbatched_operands_are_not_broadcast():
    """x @ w with w unbatched: one dot_general, no broadcast_in_dim or transpose of w."""
    f = irax.vmap(lambda x, w: jnp.tanh(x @ w), in_axes=(0, None))
    text = irax.make_ir(f)(rand(3, 4), rand(4, 2)).expanded()
    assert "broadcast_in_dim" not in text and "transpose" not in text, text
    assert text.count('"irax.dot_general"') == 1


def test_elementwise_keeps_batch_dim_in_place():
    """Batched at axis 1 in and out: no transposes anywhere."""
    f = irax.vmap(lambda x, y: jnp.exp(x) * y + x, in_axes=1, out_axes=1)
    text = irax.make_ir(f)(rand(2, 3, 4), rand(2, 3, 4)).expanded()
    assert "transpose" not in text, text


# --------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------

def test_inconsistent_sizes_name_the_arguments():
    def f(x, y):
        return x + y
    with pytest.raises(ValueError) as e:
        irax.vmap(f)(rand(3, 2), rand(4, 2))
    msg = str(e.value)
    assert "inconsistent sizes" in msg and "test_vmap.py:" in msg
    assert "argument x of shape (3, 2) has size 3 along axis 0" in msg
    assert "argument y of shape (4, 2) has size 4 along axis 0" in msg


def test_inconsistent_axis_size():
    with pytest.raises(ValueError, match=r"(?s)axis_size=5.*argument x of shape \(3,\) has size 3"):
        irax.vmap(lambda x: x, axis_size=5)(rand(3))


def test_out_of_range_axis_names_argument_and_rank():
    def f(x, params):
        return x
    with pytest.raises(ValueError, match=r"in_axes=2 is out of range for argument "
                                         r"params\['w'\] of rank 2"):
        irax.vmap(f, in_axes=(0, {"w": 2}))(rand(3), {"w": rand(3, 2)})
    with pytest.raises(ValueError, match="cannot map argument x: it has rank 0"):
        irax.vmap(f, in_axes=(0, None))(np.float32(1.0), None)
    with pytest.raises(ValueError, match="out_axes=3 is out of range for output 0 of rank 2"):
        irax.vmap(lambda x: x, out_axes=3)(rand(3, 2))


def test_bad_in_axes_specs():
    with pytest.raises(ValueError, match=r"len\(in_axes\)=1, len\(args\)=2"):
        irax.vmap(lambda x, y: x, in_axes=(0,))(rand(3), rand(3))
    with pytest.raises(ValueError, match="tree prefix of the arguments"):
        irax.vmap(lambda p: p, in_axes=({"a": 0},))({"b": rand(3)})
    with pytest.raises(TypeError, match="in_axes must be an int, None"):
        irax.vmap(lambda x: x, in_axes="0")


# --------------------------------------------------------------------------
# With autodiff
# --------------------------------------------------------------------------

def _loss(params, x, y):
    w, b = params
    h = jnp.tanh(x @ w + b)
    return jnp.sum((h - y) ** 2)


def _data():
    params = (rand(4, 3, seed=3), rand(3, seed=4))
    xs, ys = rand(5, 4, seed=5), rand(5, 3, seed=6)
    return params, xs, ys


def test_per_example_gradients_match_loop_of_grads():
    params, xs, ys = _data()
    g = irax.grad(_loss)
    per_ex = irax.jit(irax.vmap(g, in_axes=(None, 0, 0)))(params, xs, ys)
    gj = irax.jit(g)
    for i in range(5):
        want = gj(params, xs[i], ys[i])
        for got_leaf, want_leaf in zip(per_ex, want):
            assert_close(got_leaf[i], np.asarray(want_leaf), rtol=1e-5, atol=1e-6)


def test_grad_of_summed_vmap_is_sum_of_grads():
    params, xs, ys = _data()
    total = lambda p: jnp.sum(irax.vmap(_loss, in_axes=(None, 0, 0))(p, xs, ys))
    got = irax.jit(irax.grad(total))(params)
    gj = irax.jit(irax.grad(_loss))
    want = [sum(np.asarray(gj(params, xs[i], ys[i])[k]) for i in range(5)) for k in range(2)]
    for a, b in zip(got, want):
        assert_close(a, b, rtol=1e-5, atol=1e-5)


def test_eager_grad_of_vmap_and_vmap_of_grad():
    """Eagerly, grad traces with concrete values: vmap inside it must provide them."""
    x = rand(3, 2)
    f = lambda x: jnp.sum(irax.vmap(lambda r: jnp.sin(r) * r)(x))
    assert_close(irax.grad(f)(x), np.cos(x) * x + np.sin(x), rtol=1e-5)
    per = irax.vmap(irax.grad(lambda r: jnp.sum(jnp.sin(r) * r)))(x)
    assert_close(per, np.cos(x) * x + np.sin(x), rtol=1e-5)


def test_vmap_of_jvp_forward_mode():
    xs, v = rand(3, 2), rand(2)
    f = lambda x: irax.jvp(jnp.sin, (x,), (v,))[1]
    assert_close(irax.vmap(f)(xs), np.cos(xs) * v, rtol=1e-5)


# --------------------------------------------------------------------------
# Custom derivatives under vmap: the rules survive batching
# --------------------------------------------------------------------------

@irax.custom_jvp
def _sin_jvp10(x):
    return jnp.sin(x)


@_sin_jvp10.defjvp
def _sin_jvp10_rule(primals, tangents):
    (x,), (t,) = primals, tangents
    return jnp.sin(x), 10.0 * jnp.cos(x) * t  # deliberately 10x, to see the rule is used


@irax.custom_vjp
def _scaled(w, x):
    return w * x


def _scaled_fwd(w, x):
    return w * x, (w, x)


def _scaled_bwd(res, g):
    w, x = res
    return (3.0 * g * x, g * w)  # the w-cotangent deliberately 3x


_scaled.defvjp(_scaled_fwd, _scaled_bwd)


def test_vmap_of_custom_jvp_keeps_the_rule_under_grad():
    x = rand(3, 2)
    f = irax.vmap(_sin_jvp10)
    assert_close(f(x), np.sin(x), rtol=1e-6)
    g = irax.jit(irax.grad(lambda x: jnp.sum(f(x))))(x)
    assert_close(g, 10 * np.cos(x), rtol=1e-5)
    t = irax.jvp(f, (x,), (np.ones_like(x),))[1]
    assert_close(t, 10 * np.cos(x), rtol=1e-5)


def test_vmap_of_custom_vjp_sums_cotangents_of_unbatched_inputs():
    w, xs = rand(2), rand(4, 2)
    f = irax.vmap(_scaled, in_axes=(None, 0))
    assert_close(f(w, xs), w * xs, rtol=1e-6)
    gw, gx = irax.jit(irax.grad(lambda w, xs: jnp.sum(f(w, xs)), argnums=(0, 1)))(w, xs)
    assert_close(gw, 3 * xs.sum(0), rtol=1e-5)
    assert_close(gx, np.broadcast_to(w, xs.shape), rtol=1e-6)


def test_vmap_over_prng_keys():
    """uint32 key arithmetic batches like any elementwise code."""
    from irax import random
    keys = random.split(random.PRNGKey(0), 3)
    f = lambda k: random.normal(k, (2,))
    want = np.stack([np.asarray(f(k)) for k in keys])
    assert_close(irax.vmap(f)(keys), want)


def test_numpy_indexing_with_batched_indices():
    """x[i] and x.at[i].set with a batched i: gathers/scatters, no loops."""
    x = np.arange(12.0, dtype=np.float32).reshape(4, 3)
    i = np.array([0, 3, 2])
    assert_close(irax.vmap(lambda x, i: x[i], in_axes=(1, 0))(x, i), x[i, [0, 1, 2]])
    assert_close(irax.vmap(lambda i: jnp.asarray(x)[i])(i), x[i])
    got = irax.vmap(lambda r, i: r.at[i].set(-1.0))(x[:3], i[:3] % 3)
    want = x[:3].copy()
    want[np.arange(3), i[:3] % 3] = -1.0
    assert_close(got, want)
    s = irax.vmap(lambda x, i: irax.lax.dynamic_slice(x, (i, 0), (2, 3)))(np.stack([x] * 3), i)
    assert_close(s, np.stack([x[min(k, 2):min(k, 2) + 2] for k in i]))


def test_eager_vmap_compiles_once_per_signature():
    from irax import executor
    f = irax.vmap(lambda x: jnp.cos(x) * 2.0)
    x = rand(3, 5)
    assert_close(f(x), np.cos(x) * 2, rtol=1e-6)
    n = len(executor._executables)
    assert_close(f(x + 1), np.cos(x + 1) * 2, rtol=1e-6)
    assert len(executor._executables) == n
