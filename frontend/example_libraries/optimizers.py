"""irax.example_libraries.optimizers: JAX's example optimizers library.

Each optimizer is an `(init_fun, update_fun, get_params)` triple over pytrees:

    opt_init, opt_update, get_params = optimizers.adam(1e-3)
    state = opt_init(params)
    state = opt_update(step, grads, state)      # under jit too: the state is a pytree
    params = get_params(state)

An optimizer is written per array (`@optimizer`): `init(x0) -> state`,
`update(i, g, state) -> state`, `get_params(state) -> x`; the decorator maps them
over the leaves of the parameter pytree.  Step sizes are numbers or schedules
(functions of the step number).
"""
from __future__ import annotations

import functools
from collections import namedtuple
from typing import Any, Callable, NamedTuple

import irax.numpy as jnp
from irax.tree_util import register_pytree_node, tree_flatten, tree_map, tree_unflatten

OptimizerState = namedtuple("OptimizerState", ["packed_state", "tree_def", "subtree_defs"])
# Only the per-leaf states are traced; the tree structures are static.
register_pytree_node(OptimizerState,
                     lambda s: ((s.packed_state,), (s.tree_def, s.subtree_defs)),
                     lambda aux, children: OptimizerState(children[0], aux[0], aux[1]))

Schedule = Callable[[int], float]


class Optimizer(NamedTuple):
    init_fn: Callable
    update_fn: Callable
    params_fn: Callable


def optimizer(opt_maker):
    """Turn a maker of per-array (init, update, get_params) into one over pytrees."""
    @functools.wraps(opt_maker)
    def tree_opt_maker(*args, **kwargs):
        init, update, get_params = opt_maker(*args, **kwargs)

        @functools.wraps(init)
        def tree_init(x0_tree):
            leaves, tree = tree_flatten(x0_tree)
            flat = [tree_flatten(init(x0)) for x0 in leaves]
            return OptimizerState([f[0] for f in flat], tree, tuple(f[1] for f in flat))

        @functools.wraps(update)
        def tree_update(i, grad_tree, opt_state):
            states_flat, tree, subtrees = opt_state
            grads, grad_tree_def = tree_flatten(grad_tree)
            if grad_tree_def != tree:
                raise TypeError("optimizer update function was passed a gradient tree that did "
                                "not match the parameter tree structure with which it was "
                                f"initialized: parameter tree {tree} and grad tree "
                                f"{grad_tree_def}.")
            new_flat, new_subtrees = [], []
            for g, leaves, sub in zip(grads, states_flat, subtrees):
                leaves2, sub2 = tree_flatten(update(i, g, tree_unflatten(sub, leaves)))
                if sub2 != sub:
                    raise TypeError("optimizer update function produced an output structure "
                                    f"that did not match its input structure: input {sub} and "
                                    f"output {sub2}.")
                new_flat.append(leaves2)
                new_subtrees.append(sub2)
            return OptimizerState(new_flat, tree, tuple(new_subtrees))

        @functools.wraps(get_params)
        def tree_get_params(opt_state):
            states_flat, tree, subtrees = opt_state
            return tree_unflatten(tree, [get_params(tree_unflatten(sub, leaves))
                                         for sub, leaves in zip(subtrees, states_flat)])
        return Optimizer(tree_init, tree_update, tree_get_params)
    return tree_opt_maker


# --------------------------------------------------------------------------
# Optimizers
# --------------------------------------------------------------------------

@optimizer
def sgd(step_size):
    """Plain gradient descent."""
    step_size = make_schedule(step_size)
    return (lambda x0: x0), (lambda i, g, x: x - step_size(i) * g), (lambda x: x)


def _with_slots(n, update):
    """init: x0 and `n` zero accumulators; get_params: the first entry."""
    return (lambda x0: (x0,) + tuple(jnp.zeros_like(x0) for _ in range(n))), update, \
        (lambda state: state[0])


@optimizer
def momentum(step_size: Schedule, mass: float):
    """Heavy-ball momentum: v <- mass v + g; x <- x - step v."""
    step_size = make_schedule(step_size)

    def update(i, g, state):
        x, v = state
        v = mass * v + g
        return x - step_size(i) * v, v
    return _with_slots(1, update)


@optimizer
def nesterov(step_size: Schedule, mass: float):
    """Nesterov momentum: v <- mass v + g; x <- x - step (mass v + g)."""
    step_size = make_schedule(step_size)

    def update(i, g, state):
        x, v = state
        v = mass * v + g
        return x - step_size(i) * (mass * v + g), v
    return _with_slots(1, update)


@optimizer
def adagrad(step_size, momentum=0.9):
    """Adagrad (with momentum on the scaled gradient)."""
    step_size = make_schedule(step_size)

    def update(i, g, state):
        x, g_sq, m = state
        g_sq = g_sq + jnp.square(g)
        scale = jnp.where(g_sq > 0, 1.0 / jnp.sqrt(g_sq), 0.0)
        m = (1.0 - momentum) * (g * scale) + momentum * m
        return x - step_size(i) * m, g_sq, m
    return _with_slots(2, update)


@optimizer
def rmsprop(step_size, gamma=0.9, eps=1e-8):
    """RMSProp: steps scaled by a running root mean square of the gradients."""
    step_size = make_schedule(step_size)

    def update(i, g, state):
        x, avg_sq = state
        avg_sq = avg_sq * gamma + jnp.square(g) * (1.0 - gamma)
        return x - step_size(i) * g / jnp.sqrt(avg_sq + eps), avg_sq
    return _with_slots(1, update)


@optimizer
def rmsprop_momentum(step_size, gamma=0.9, eps=1e-8, momentum=0.9):
    """RMSProp with momentum on the scaled steps."""
    step_size = make_schedule(step_size)

    def update(i, g, state):
        x, avg_sq, mom = state
        avg_sq = avg_sq * gamma + jnp.square(g) * (1.0 - gamma)
        mom = momentum * mom + step_size(i) * g / jnp.sqrt(avg_sq + eps)
        return x - mom, avg_sq, mom
    return _with_slots(2, update)


def _power(b, i, like):
    """b ** (i + 1) in the dtype of `like` (the bias corrections of adam/adamax)."""
    return jnp.asarray(b, like.dtype) ** (i + 1)


@optimizer
def adam(step_size, b1=0.9, b2=0.999, eps=1e-8):
    """Adam: bias-corrected first and second moment estimates."""
    step_size = make_schedule(step_size)

    def update(i, g, state):
        x, m, v = state
        m = (1 - b1) * g + b1 * m
        v = (1 - b2) * jnp.square(g) + b2 * v
        mhat = m / (1 - _power(b1, i, m))
        vhat = v / (1 - _power(b2, i, m))
        return x - step_size(i) * mhat / (jnp.sqrt(vhat) + eps), m, v
    return _with_slots(2, update)


@optimizer
def adamax(step_size, b1=0.9, b2=0.999, eps=1e-8):
    """Adamax: Adam with an exponentially weighted infinity norm."""
    step_size = make_schedule(step_size)

    def update(i, g, state):
        x, m, u = state
        m = (1 - b1) * g + b1 * m
        u = jnp.maximum(b2 * u, jnp.abs(g))
        return x - (step_size(i) / (1 - _power(b1, i, m))) * m / (u + eps), m, u
    return _with_slots(2, update)


@optimizer
def sm3(step_size, momentum=0.9):
    """SM3: one accumulator per dimension (memory-efficient Adagrad)."""
    step_size = make_schedule(step_size)

    def along(ndim, v, axis):
        return v[tuple(slice(None) if d == axis else None for d in range(ndim))]

    def init(x0):
        shape = jnp.shape(x0)
        x0 = jnp.atleast_1d(x0)
        return x0, jnp.zeros_like(x0), [jnp.zeros(d, x0.dtype) for d in x0.shape], shape

    def update(i, g, state):
        x, m, vs, shape = state
        g = jnp.reshape(g, x.shape)
        accum = functools.reduce(jnp.minimum, [along(g.ndim, v, k) for k, v in enumerate(vs)])
        accum = accum + jnp.square(g)
        scale = jnp.where(accum > 0, 1.0 / jnp.sqrt(accum), 0)
        m = (1.0 - momentum) * (g * scale) + momentum * m
        x = x - step_size(i) * m
        vs = [jnp.max(accum, axis=tuple(d for d in range(x.ndim) if d != k))
              for k in range(x.ndim)]
        return x, m, vs, shape

    def get_params(state):
        x, _, _, shape = state
        return jnp.reshape(x, shape)
    return init, update, get_params


# --------------------------------------------------------------------------
# Step-size schedules
# --------------------------------------------------------------------------

def constant(step_size) -> Schedule:
    return lambda i: step_size


def exponential_decay(step_size, decay_steps, decay_rate):
    return lambda i: step_size * decay_rate ** (i / decay_steps)


def inverse_time_decay(step_size, decay_steps, decay_rate, staircase=False):
    if staircase:
        return lambda i: step_size / (1 + decay_rate * jnp.floor(i / decay_steps))
    return lambda i: step_size / (1 + decay_rate * i / decay_steps)


def polynomial_decay(step_size, decay_steps, final_step_size, power=1.0):
    def schedule(step_num):
        step_num = jnp.minimum(step_num, decay_steps)
        return (1 - step_num / decay_steps) ** power * (step_size - final_step_size) + \
            final_step_size
    return schedule


def piecewise_constant(boundaries: Any, values: Any):
    boundaries, values = jnp.array(boundaries), jnp.array(values)
    if not boundaries.ndim == values.ndim == 1:
        raise ValueError("boundaries and values must be sequences")
    if not boundaries.shape[0] == values.shape[0] - 1:
        raise ValueError("boundaries length must be one shorter than values length")
    return lambda i: values[jnp.sum(i > boundaries)]


def make_schedule(scalar_or_schedule) -> Schedule:
    if callable(scalar_or_schedule):
        return scalar_or_schedule
    if jnp.ndim(scalar_or_schedule) == 0:
        return constant(scalar_or_schedule)
    raise TypeError(type(scalar_or_schedule))


# --------------------------------------------------------------------------
# Utilities
# --------------------------------------------------------------------------

def l2_norm(tree):
    """The l2 norm of a pytree of arrays."""
    leaves, _ = tree_flatten(tree)
    return jnp.sqrt(sum(jnp.vdot(x, x) for x in leaves))


def clip_grads(grad_tree, max_norm):
    """Scale the gradients down to l2 norm `max_norm` when they are longer."""
    norm = l2_norm(grad_tree)
    return tree_map(lambda g: jnp.where(norm < max_norm, g, g * (max_norm / norm)), grad_tree)


class JoinPoint:
    """Marks where an optimizer state's per-leaf pytree joins the parameter pytree."""

    def __init__(self, subtree):
        self.subtree = subtree

    def __iter__(self):
        yield self.subtree


def unpack_optimizer_state(opt_state):
    """An OptimizerState as a pytree of JoinPoint leaves (for serialization)."""
    states_flat, tree_def, subtree_defs = opt_state
    return tree_unflatten(tree_def, [JoinPoint(tree_unflatten(sub, leaves))
                                     for sub, leaves in zip(subtree_defs, states_flat)])


def pack_optimizer_state(marked_pytree):
    """The inverse of `unpack_optimizer_state`."""
    sentinels, tree_def = tree_flatten(marked_pytree, is_leaf=lambda x: isinstance(x, JoinPoint))
    if not all(isinstance(s, JoinPoint) for s in sentinels):
        raise TypeError("pack_optimizer_state expects a pytree of JoinPoints")
    flat = [tree_flatten(s.subtree) for s in sentinels]
    return OptimizerState([f[0] for f in flat], tree_def, tuple(f[1] for f in flat))
