"""checkpoint / remat: gradients equal the unchecked ones and JAX's, and the
backward pass keeps (and recomputes) what the policy says."""
import jax
import jax.ad_checkpoint
import jax.numpy as jjnp
import numpy as np
import pytest

import irax
import irax.numpy as jnp
from irax import ad_checkpoint as ac
from irax.dialects import get_context
from irax.dialects.expand import expand_all
from irax.dialects.simplify import simplify
from irax.lowering.pipeline import clone_module

rng = np.random.default_rng(0)
WS = [(rng.standard_normal((6, 6)) * 0.5).astype(np.float32) for _ in range(3)]
X = rng.standard_normal((4, 6)).astype(np.float32)


def _ilayer(W, h):
    pre = ac.checkpoint_name(h @ W, "pre")
    return jnp.tanh(pre) * h


def _jlayer(W, h):
    pre = jax.ad_checkpoint.checkpoint_name(h @ W, "pre")
    return jjnp.tanh(pre) * h


IPOL = {"nothing": ac.checkpoint_policies.nothing_saveable,
        "everything": ac.checkpoint_policies.everything_saveable,
        "dots": ac.checkpoint_policies.dots_saveable,
        "dots_no_batch": ac.checkpoint_policies.dots_with_no_batch_dims_saveable,
        "names": ac.checkpoint_policies.save_only_these_names("pre"),
        "names_but": ac.checkpoint_policies.save_any_names_but_these("other"),
        "both": ac.checkpoint_policies.save_from_both_policies(
            ac.checkpoint_policies.nothing_saveable,
            ac.checkpoint_policies.save_only_these_names("pre"))}
JPOL = {"nothing": jax.checkpoint_policies.nothing_saveable,
        "everything": jax.checkpoint_policies.everything_saveable,
        "dots": jax.checkpoint_policies.dots_saveable,
        "dots_no_batch": jax.checkpoint_policies.dots_with_no_batch_dims_saveable,
        "names": jax.checkpoint_policies.save_only_these_names("pre"),
        "names_but": jax.checkpoint_policies.save_any_names_but_these("other"),
        "both": jax.checkpoint_policies.save_from_both_policies(
            jax.checkpoint_policies.nothing_saveable,
            jax.checkpoint_policies.save_only_these_names("pre"))}


def _mlp(lay, np_):
    def loss(Ws, x):
        h = x
        for W in Ws:
            h = lay(W, h)
        return np_.sum(h ** 2)
    return loss


def _irax_loss(policy=None, remat=True, **kw):
    lay = irax.checkpoint(_ilayer, policy=policy, **kw) if remat else _ilayer
    return _mlp(lay, jnp)


def test_gradients_under_policies_match_jax_in_one_jit():
    def grads(Ws, x):
        return [irax.grad(_irax_loss(IPOL[n]))(Ws, x) for n in ("names", "nothing")]
    got = irax.jit(grads)(WS[:2], X)
    want = jax.grad(_mlp(_jlayer, jjnp))(WS[:2], X)  # the unchecked gradient
    for name, g in zip(("names", "nothing"), got):
        for a, w in zip(g, want):
            np.testing.assert_allclose(np.asarray(a), w, rtol=2e-5, atol=2e-5, err_msg=name)
    for n in IPOL:  # JAX's own checkpointed gradients agree, whatever the policy
        jg = jax.grad(_mlp(jax.checkpoint(_jlayer, policy=JPOL[n]), jjnp))(WS[:2], X)
        np.testing.assert_allclose(jg[0], want[0], rtol=2e-5, atol=2e-5)


def _count(policy, **kw):
    return len(ac.saved_residuals(_irax_loss(policy, **kw), WS, X))


def test_saved_residuals_follow_the_policy():
    none = len(ac.saved_residuals(_irax_loss(remat=False), WS, X))
    nothing = _count(IPOL["nothing"])
    # nothing saved but each layer's inputs (h and W) and the loss's 2*h
    assert nothing == 2 * len(WS) + 1
    # saving `pre` (named, or as the dot's output) adds one value per layer
    for n in ("names", "dots", "dots_no_batch", "names_but", "both"):
        assert _count(IPOL[n]) == nothing + len(WS), n
    # everything: the primal values the adjoint reads, but no derivative
    # coefficients (1 - tanh^2): those are computed in the backward pass
    assert nothing + len(WS) <= _count(IPOL["everything"]) < none
    # without prevent_cse the recomputation merges with the forward pass
    assert _count(IPOL["nothing"], prevent_cse=False) == none
    res = ac.saved_residuals(irax.checkpoint(_mlp(_ilayer, jnp)), WS, X)
    assert sorted(d for _, d in res) == ["from the argument [0][0]", "from the argument [0][1]",
                                         "from the argument [0][2]", "from the argument [1]"]
    assert ac.residual_bytes(irax.checkpoint(_mlp(_ilayer, jnp)), WS, X) == \
        sum(w.nbytes for w in WS) + X.nbytes


def _expanded(fun, *args):
    text = irax.make_ir(fun)(*args)
    with get_context():
        m = clone_module(text.module)
        expand_all(m)
        simplify(m)
        return m.operation.get_asm(enable_debug_info=False)


def test_backward_pass_recomputes_behind_a_barrier():
    f = lambda x: jnp.sum(jnp.tanh(jnp.tanh(x)))  # noqa: E731
    plain = _expanded(irax.value_and_grad(f), X)
    remat = _expanded(irax.value_and_grad(irax.checkpoint(f)), X)
    assert plain.count('"irax.tanh"') == 2 and "optimization_barrier" not in plain
    assert remat.count('"irax.tanh"') == 4 and remat.count("irax.optimization_barrier") == 1
    saved = _expanded(irax.value_and_grad(irax.checkpoint(
        f, policy=ac.checkpoint_policies.everything_saveable)), X)
    assert saved.count('"irax.tanh"') == 2


def test_checkpoint_under_vmap_jvp_scan_and_second_order():
    ck = irax.checkpoint(lambda x, y: jnp.sum(jnp.tanh(x * y) * x),
                         policy=ac.checkpoint_policies.dots_saveable)
    jck = jax.checkpoint(lambda x, y: jjnp.sum(jjnp.tanh(x * y) * x))
    x = np.linspace(0.1, 1.0, 5).astype(np.float32)
    xs = np.stack([x, 2 * x])

    def body(c, w):
        return irax.checkpoint(lambda c, w: jnp.tanh(c * w + 0.5))(c, w), None

    def jbody(c, w):
        return jax.checkpoint(lambda c, w: jjnp.tanh(c * w + 0.5))(c, w), None

    def cases(x, xs):
        return (irax.vmap(irax.grad(ck), (0, None))(xs, 1.3),
                irax.grad(lambda v: jnp.sum(irax.vmap(ck, (0, None))(v, 1.3)))(xs),
                irax.jvp(ck, (x, 1.3), (x, 1.0))[1],
                irax.grad(lambda v: jnp.sum(irax.grad(ck)(v, 1.3)))(x),
                irax.grad(lambda c: irax.lax.scan(body, c, x)[0])(0.5))
    got = irax.jit(cases)(x, xs)
    want = (jax.vmap(jax.grad(jck), (0, None))(xs, 1.3),
            jax.grad(lambda v: jjnp.sum(jax.vmap(jck, (0, None))(v, 1.3)))(xs),
            jax.jvp(jck, (x, 1.3), (x, 1.0))[1],
            jax.grad(lambda v: jjnp.sum(jax.grad(jck)(v, 1.3)))(x),
            jax.grad(lambda c: jax.lax.scan(jbody, c, x)[0])(0.5))
    for g, w in zip(got, want):
        np.testing.assert_allclose(np.asarray(g), np.asarray(w), rtol=1e-5, atol=1e-6)


def test_static_argnums_custom_policy_and_eager_use():
    seen = []

    def policy(prim, *avals, **params):
        seen.append(prim.name)
        return prim.name == "exp"
    f = irax.remat(lambda x, n: jnp.exp(x) ** n, static_argnums=1, policy=policy)
    g = irax.jit(irax.grad(f), static_argnums=1)(0.5, 3)
    assert float(g) == pytest.approx(3 * np.exp(1.5), rel=1e-6)
    assert "exp" in seen and "integer_pow" in seen
    # eagerly, with no derivative taken, checkpoint just calls the function
    assert float(f(0.5, 2)) == pytest.approx(np.exp(1.0), rel=1e-6)
    assert ac.checkpoint_name(3.0, "c") == 3.0
    with pytest.raises(TypeError, match="name must be a string"):
        ac.checkpoint_name(1.0, 3)
    with pytest.raises(TypeError, match="expected a function"):
        irax.checkpoint(3)
