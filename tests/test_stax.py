"""irax.example_libraries (stax, optimizers) against JAX's: the same seed gives the
same parameters (irax.random is JAX's bit for bit), the same params the same outputs,
the same gradients the same optimizer trajectories."""
import os

import jax
import jax.example_libraries.optimizers as jopt
import jax.example_libraries.stax as jstax
import numpy as np
import pytest

import irax
from irax.example_libraries import optimizers as iopt
from irax.example_libraries import stax as istax


def _close(got, want, tol=1e-5):
    gl, gt = jax.tree_util.tree_flatten(jax.tree_util.tree_map(np.asarray, _plain(got)))
    wl, wt = jax.tree_util.tree_flatten(jax.tree_util.tree_map(np.asarray, want))
    assert gt == wt, (gt, wt)
    for a, b in zip(gl, wl):
        assert a.shape == b.shape and a.dtype == b.dtype, (a.shape, b.shape, a.dtype, b.dtype)
        np.testing.assert_allclose(a, b, rtol=tol, atol=tol)


def _plain(tree):
    """irax containers as JAX sees them (lists and tuples stay, arrays become NumPy)."""
    return irax.tree_util.tree_map(np.asarray, tree)


@pytest.mark.skipif(not os.environ.get("IRAX_SLOW_TESTS"), reason="opt-in: eager random compiles")
def test_init_matches_jax():
    """JAX's initializers (glorot-normal kernels with the layout's fans, normal biases)
    and key splitting: the same seed gives the same parameters, bit for bit."""
    def net(stax):
        return stax.serial(stax.GeneralConv(("NCHW", "OIHW", "NCHW"), 2, (2, 3)),
                           stax.Flatten, stax.Dense(3))
    i_shape, i_params = net(istax)[0](irax.random.PRNGKey(0), (2, 3, 4, 5))
    j_params = jax.jit(lambda k: net(jstax)[0](k, (2, 3, 4, 5))[1])(jax.random.PRNGKey(0))
    assert tuple(i_shape) == (2, 3)
    _close(i_params, j_params, 1e-6)  # within an ulp (XLA fuses the stddev scaling)


def _init_shapes(init, input_shape):
    """(output shape, parameter shapes) of `init_fun`, traced without running."""
    box = {}

    def params(k):
        box["shape"], p = init(k, input_shape)
        return p
    leaves = irax.tree_util.tree_leaves(irax.eval_shape(params, irax.random.PRNGKey(0)))
    return tuple(box["shape"]), [tuple(s.shape) for s in leaves]


def _net(stax):
    return stax.serial(
        stax.Conv(4, (3, 3), padding="SAME"), stax.BatchNorm(), stax.Relu,
        stax.MaxPool((2, 2), strides=(2, 2)),
        stax.Conv(5, (2, 2), strides=(2, 1), padding="VALID"), stax.Tanh,
        stax.AvgPool((2, 2), padding="SAME"), stax.SumPool((1, 2)), stax.Flatten,
        stax.Dense(7), stax.Elu, stax.Dense(4), stax.LogSoftmax)


def test_cnn_matches_jax():
    """Output shapes, outputs and gradients of a CNN, at the same parameters."""
    shape = (2, 12, 10, 3)
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape).astype(np.float32)
    i_init, i_apply = _net(istax)
    j_init, j_apply = _net(jstax)
    # shapes come without running anything; a batch size not known yet (-1) stays
    # unknown through every layer (JAX's pooling shape rule makes it 0)
    got_shape, param_shapes = _init_shapes(i_init, shape)
    box = {}

    def j_params_of(k):
        box["shape"], p = j_init(k, shape)
        return p
    j_shapes = jax.eval_shape(j_params_of, jax.random.PRNGKey(0))
    assert param_shapes == [tuple(s.shape) for s in jax.tree_util.tree_leaves(j_shapes)]
    assert got_shape == tuple(box["shape"]) == (2, 4)
    assert _init_shapes(i_init, (-1,) + shape[1:])[0] == (-1, 4)
    params = jax.tree_util.tree_map(
        lambda s: (0.5 * rng.standard_normal(s.shape)).astype(np.float32), j_shapes)
    j_params = params
    # outputs and gradients in one compile
    got = irax.jit(irax.value_and_grad(lambda p, x: i_apply(p, x)[:, 1:].sum()))(params, x)
    want = jax.jit(jax.value_and_grad(lambda p, x: j_apply(p, x)[:, 1:].sum()))(j_params, x)
    _close(got, want, 1e-3)


def _combinators(stax):
    block = stax.serial(stax.FanOut(3),
                        stax.parallel(stax.Dense(5), stax.serial(stax.Dense(5), stax.Sigmoid),
                                      stax.Identity),
                        stax.FanInConcat())
    res = stax.serial(stax.FanOut(2), stax.parallel(stax.serial(stax.Dense(6), stax.Softplus),
                                                    stax.Dense(6)), stax.FanInSum)
    return stax.serial(block, stax.LeakyRelu, res, stax.Gelu,
                       stax.shape_dependent(lambda s: stax.Dense(s[-1])), stax.Selu,
                       stax.Dropout(0.75), stax.Tanh, stax.Exp, stax.Softmax,
                       stax.Dropout(0.5, mode="test"))


def test_combinators_and_dropout_match_jax():
    x = np.random.default_rng(1).standard_normal((3, 4)).astype(np.float32)
    i_init, i_apply = _combinators(istax)
    j_init, j_apply = _combinators(jstax)
    j_params = jax.jit(lambda k: j_init(k, (3, 4))[1])(jax.random.PRNGKey(1))
    i_params = jax.tree_util.tree_map(np.asarray, j_params)
    got = irax.jit(lambda p, x, k: i_apply(p, x, rng=k))(i_params, x, irax.random.PRNGKey(2))
    want = jax.jit(lambda p, x, k: j_apply(p, x, rng=k))(j_params, x, jax.random.PRNGKey(2))
    _close(got, want, 1e-5)
    with pytest.raises(ValueError, match="Dropout layer requires apply_fun"):
        istax.Dropout(0.5)[1]((), x)


def _optimizers(opt):
    sched = [opt.exponential_decay(0.1, 2, 0.5), opt.inverse_time_decay(0.1, 2, 0.5, True),
             opt.polynomial_decay(0.1, 3, 0.01), opt.piecewise_constant([1, 2], [0.1, 0.05, 0.01])]
    return {"sgd": opt.sgd(0.1), "momentum": opt.momentum(0.1, 0.9),
            "nesterov": opt.nesterov(sched[0], 0.9), "adagrad": opt.adagrad(0.1),
            "rmsprop": opt.rmsprop(sched[1]), "rmsprop_momentum": opt.rmsprop_momentum(0.01),
            "adam": opt.adam(sched[2]), "adamax": opt.adamax(0.1), "sm3": opt.sm3(sched[3])}


def _trajectories(lib, grad, jit, params, steps=2):
    def loss(p):
        return ((p["w"] - 1.0) ** 2).sum() + (p["b"] ** 4).sum() + (p["w"].sum() * p["b"]).sum()

    def run(params):
        out = {}
        for name, (init, update, get_params) in _optimizers(lib).items():
            state = init(params)
            for i in range(steps):
                state = update(i, grad(loss)(get_params(state)), state)
            out[name] = get_params(state)
        return out
    return jit(run)(params)


def test_optimizers_match_jax():
    rng = np.random.default_rng(3)
    params = {"w": rng.standard_normal((3, 2)).astype(np.float32),
              "b": rng.standard_normal((2,)).astype(np.float32)}
    got = _trajectories(iopt, irax.grad, irax.jit, params)
    want = _trajectories(jopt, jax.grad, jax.jit, params)
    for name in want:
        _close(got[name], want[name], 1e-5)


def test_optimizer_state_utilities():
    init, update, get_params = iopt.momentum(0.5, 0.9)
    params = {"a": np.ones(2, np.float32), "b": (np.zeros(1, np.float32),)}
    state = init(params)
    packed = iopt.pack_optimizer_state(iopt.unpack_optimizer_state(state))
    assert packed.tree_def == state.tree_def and packed.subtree_defs == state.subtree_defs
    with pytest.raises(TypeError, match="did not match the parameter tree"):
        update(0, {"a": np.ones(2, np.float32)}, state)
    # the state is a pytree: it goes through jit (one compile for the utilities too)

    @irax.jit
    def step(s, g, v):
        return get_params(update(0, g, s)), iopt.l2_norm(v), iopt.clip_grads(v, 1.0)
    new, norm, clipped = step(state, {"a": np.ones(2, np.float32), "b": (np.ones(1, np.float32),)},
                              {"x": np.array([3.0, 4.0], np.float32)})
    np.testing.assert_allclose(np.asarray(new["a"]), [0.5, 0.5])
    np.testing.assert_allclose(np.asarray(norm), 5.0)
    np.testing.assert_allclose(np.asarray(clipped["x"]), [0.6, 0.8], rtol=1e-6)
