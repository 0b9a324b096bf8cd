"""irax.optimizers against NumPy references of the same updates, over pytrees, under jit."""
import numpy as np
import pytest

import irax
import irax.numpy as jnp
from irax import optimizers as optim

STEPS = 5
RNG = np.random.default_rng(0)
PARAMS = {"w": RNG.standard_normal((3, 2)).astype(np.float32),
          "b": RNG.standard_normal((2,)).astype(np.float32)}
GRADS = [{k: RNG.standard_normal(v.shape).astype(np.float32) for k, v in PARAMS.items()}
         for _ in range(STEPS)]


# ------------------------------------------------------------ NumPy references (one leaf)

def ref_sgd(p, gs, lr, momentum=None, nesterov=False):
    t = np.zeros_like(p)
    for i, g in enumerate(gs):
        if momentum is not None:
            t = g + momentum * t
            g = g + momentum * t if nesterov else t
        p = p - _lr(lr, i) * g
    return p


def ref_adam(p, gs, lr, b1=0.9, b2=0.999, eps=1e-8, weight_decay=None):
    m, v = np.zeros_like(p), np.zeros_like(p)
    for i, g in enumerate(gs, start=1):
        m = (1 - b1) * g + b1 * m
        v = (1 - b2) * g * g + b2 * v
        u = (m / (1 - b1**i)) / (np.sqrt(v / (1 - b2**i)) + eps)
        if weight_decay is not None:
            u = u + weight_decay * p
        p = p - _lr(lr, i - 1) * u
    return p


def ref_rmsprop(p, gs, lr, decay=0.9, eps=1e-8, centered=False, momentum=None):
    nu, mu, t = np.zeros_like(p), np.zeros_like(p), np.zeros_like(p)
    for i, g in enumerate(gs):
        nu = (1 - decay) * g * g + decay * nu
        if centered:
            mu = (1 - decay) * g + decay * mu
            u = _lr(lr, i) * g / np.sqrt(nu - mu * mu + eps)
        else:
            u = _lr(lr, i) * g / np.sqrt(nu + eps)
        if momentum is not None:
            t = u + momentum * t
            u = t
        p = p - u
    return p


def _lr(lr, step):
    return lr(step) if callable(lr) else lr


def np_exponential(step):
    return 0.1 * 0.5 ** (step / 2)


def np_cosine(step):
    return 0.1 * (0.5 * (1 + np.cos(np.pi * min(step, 3) / 3)))


CONFIGS = [
    ("sgd", lambda: optim.sgd(0.1), lambda p, gs: ref_sgd(p, gs, 0.1)),
    ("sgd-momentum", lambda: optim.sgd(0.1, momentum=0.9),
     lambda p, gs: ref_sgd(p, gs, 0.1, 0.9)),
    ("sgd-nesterov", lambda: optim.sgd(0.1, momentum=0.9, nesterov=True),
     lambda p, gs: ref_sgd(p, gs, 0.1, 0.9, True)),
    ("adam", lambda: optim.adam(0.01), lambda p, gs: ref_adam(p, gs, 0.01)),
    ("adam-b1", lambda: optim.adam(0.05, b1=0.5, b2=0.9, eps=1e-3),
     lambda p, gs: ref_adam(p, gs, 0.05, 0.5, 0.9, 1e-3)),
    ("adamw", lambda: optim.adamw(0.01, weight_decay=0.1),
     lambda p, gs: ref_adam(p, gs, 0.01, weight_decay=0.1)),
    ("rmsprop", lambda: optim.rmsprop(0.01), lambda p, gs: ref_rmsprop(p, gs, 0.01)),
    ("rmsprop-centered-momentum", lambda: optim.rmsprop(0.01, centered=True, momentum=0.5),
     lambda p, gs: ref_rmsprop(p, gs, 0.01, centered=True, momentum=0.5)),
    ("sgd-exponential-decay",
     lambda: optim.sgd(optim.exponential_decay(0.1, transition_steps=2, decay_rate=0.5)),
     lambda p, gs: ref_sgd(p, gs, np_exponential)),
    ("adam-cosine", lambda: optim.adam(optim.cosine_decay(0.1, decay_steps=3)),
     lambda p, gs: ref_adam(p, gs, np_cosine)),
]


@pytest.mark.parametrize("name,make,ref", CONFIGS, ids=[c[0] for c in CONFIGS])
def test_matches_numpy_reference_under_jit(name, make, ref):
    opt = make()
    state = opt.init(PARAMS)

    @irax.jit
    def step(params, state, grads):
        updates, state = opt.update(grads, state, params)
        return optim.apply_updates(params, updates), state
    params = PARAMS
    for g in GRADS:
        params, state = step(params, state, g)
    for k in PARAMS:
        want = ref(PARAMS[k].astype(np.float64), [g[k].astype(np.float64) for g in GRADS])
        got = np.asarray(params[k])
        assert got.dtype == np.float32
        np.testing.assert_allclose(got, want, rtol=2e-5, atol=2e-6, err_msg=f"{name}[{k}]")


def test_eager_update_equals_jit():
    opt = optim.adam(0.01)
    state = opt.init(PARAMS)
    updates, state2 = opt.update(GRADS[0], state, PARAMS)
    j_updates, j_state = irax.jit(opt.update)(GRADS[0], state, PARAMS)
    for k in PARAMS:
        np.testing.assert_allclose(np.asarray(updates[k]), np.asarray(j_updates[k]), rtol=1e-6)
    assert int(state2[0].count) == int(j_state[0].count) == 1


def test_schedules():
    steps = np.arange(8, dtype=np.int32)
    exp = irax.jit(optim.exponential_decay(1.0, 3, 0.5, transition_begin=2, staircase=True,
                                           end_value=0.3))
    cos = irax.jit(optim.cosine_decay_schedule(2.0, 5, alpha=0.1, exponent=2.0))
    want_exp = [1.0 if s <= 2 else max(0.5 ** np.floor((s - 2) / 3), 0.3) for s in steps]
    want_cos = [2.0 * (0.9 * (0.5 * (1 + np.cos(np.pi * min(s, 5) / 5))) ** 2 + 0.1)
                for s in steps]
    np.testing.assert_allclose([float(exp(s)) for s in steps], want_exp, rtol=1e-6)
    np.testing.assert_allclose([float(cos(s)) for s in steps], want_cos, rtol=1e-5, atol=1e-6)
    assert optim.constant_schedule(0.5)(7) == 0.5
    with pytest.raises(ValueError, match="transition_steps must be positive"):
        optim.exponential_decay(1.0, 0, 0.5)


def test_adam_minimizes_a_quadratic_with_grad():
    target = np.array([1.0, -2.0, 3.0], np.float32)
    loss = lambda p: jnp.sum((p["x"] - target) ** 2)  # noqa: E731
    opt = optim.adam(0.1)

    @irax.jit
    def step(params, state):
        value, grads = irax.value_and_grad(loss)(params)
        updates, state = opt.update(grads, state, params)
        return optim.apply_updates(params, updates), state, value
    params = {"x": np.zeros(3, np.float32)}
    state = opt.init(params)
    for _ in range(300):
        params, state, value = step(params, state)
    np.testing.assert_allclose(np.asarray(params["x"]), target, atol=1e-2)


def test_adamw_needs_params_and_keeps_dtypes():
    opt = optim.adamw(0.1)
    state = opt.init(PARAMS)
    with pytest.raises(ValueError, match="needs params"):
        opt.update(GRADS[0], state)
    half = {"w": np.ones(2, np.float16)}
    out = optim.apply_updates(half, {"w": jnp.full(2, 0.5)})
    assert np.asarray(out["w"]).dtype == np.float16
    np.testing.assert_array_equal(np.asarray(out["w"]), np.full(2, 1.5, np.float16))
