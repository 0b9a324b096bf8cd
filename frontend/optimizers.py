"""irax.optimizers: optax-style gradient transformations over pytrees.

An optimizer is a `GradientTransformation(init, update)`:

    opt = adam(1e-3)
    state = opt.init(params)
    updates, state = opt.update(grads, state, params)
    params = apply_updates(params, updates)

States are pytrees of arrays (namedtuples), so `update` runs under `jit` and
the state can be passed in and out of compiled steps.  Optimizers are chains
of small transformations, as in optax; a learning rate may be a number or a
schedule, a function of the step count.
"""
from __future__ import annotations

from typing import Any, Callable, NamedTuple

import numpy as np

from . import numpy as jnp
from .tree_util import tree_leaves, tree_map

__all__ = ["GradientTransformation", "chain", "scale", "scale_by_schedule",
           "scale_by_learning_rate", "trace", "scale_by_adam", "add_decayed_weights",
           "scale_by_rms", "scale_by_stddev", "sgd", "adam", "adamw", "rmsprop",
           "apply_updates", "constant_schedule", "exponential_decay", "cosine_decay_schedule",
           "constant", "cosine_decay", "global_norm"]


class GradientTransformation(NamedTuple):
    """`init(params) -> state`; `update(updates, state, params=None) -> (updates, state)`."""
    init: Callable
    update: Callable


class EmptyState(NamedTuple):
    pass


class ScaleByScheduleState(NamedTuple):
    count: Any


class TraceState(NamedTuple):
    trace: Any


class ScaleByAdamState(NamedTuple):
    count: Any
    mu: Any
    nu: Any


class ScaleByRmsState(NamedTuple):
    nu: Any


class ScaleByRStdDevState(NamedTuple):
    mu: Any
    nu: Any


def _zeros_like(tree):
    return tree_map(jnp.zeros_like, tree)


def _count0():
    return jnp.zeros((), jnp.int32)


def chain(*transforms) -> GradientTransformation:
    """Apply `transforms` in order; the state is the tuple of their states."""
    def init(params):
        return tuple(t.init(params) for t in transforms)

    def update(updates, state, params=None):
        new_state = []
        for t, s in zip(transforms, state):
            updates, s = t.update(updates, s, params)
            new_state.append(s)
        return updates, tuple(new_state)
    return GradientTransformation(init, update)


def scale(step_size) -> GradientTransformation:
    def update(updates, state, params=None):
        return tree_map(lambda u: u * step_size, updates), state
    return GradientTransformation(lambda params: EmptyState(), update)


def scale_by_schedule(step_size_fn) -> GradientTransformation:
    """Scale by `step_size_fn(count)`, count starting at 0."""
    def update(updates, state, params=None):
        step = step_size_fn(state.count)
        updates = tree_map(lambda u: u * jnp.asarray(step, u.dtype), updates)
        return updates, ScaleByScheduleState(state.count + 1)
    return GradientTransformation(lambda params: ScaleByScheduleState(_count0()), update)


def scale_by_learning_rate(learning_rate, flip_sign=True) -> GradientTransformation:
    sign = -1 if flip_sign else 1
    if callable(learning_rate):
        return scale_by_schedule(lambda count: sign * learning_rate(count))
    return scale(sign * learning_rate)


def trace(decay, nesterov=False) -> GradientTransformation:
    """Momentum: t <- g + decay * t; updates t (or g + decay * t with Nesterov)."""
    def update(updates, state, params=None):
        new = tree_map(lambda g, t: g + decay * t, updates, state.trace)
        out = tree_map(lambda g, t: g + decay * t, updates, new) if nesterov else new
        return out, TraceState(new)
    return GradientTransformation(lambda params: TraceState(_zeros_like(params)), update)


def _moment(updates, moments, decay, order):
    return tree_map(lambda g, t: (1 - decay) * (g if order == 1 else g * g) + decay * t,
                    updates, moments)


def _bias_correction(moments, decay, count):
    return tree_map(lambda t: t / (1 - jnp.power(decay, count)).astype(t.dtype), moments)


def scale_by_adam(b1=0.9, b2=0.999, eps=1e-8, eps_root=0.0) -> GradientTransformation:
    """Adam's direction: bias-corrected first moment over root second moment."""
    def init(params):
        return ScaleByAdamState(_count0(), _zeros_like(params), _zeros_like(params))

    def update(updates, state, params=None):
        mu = _moment(updates, state.mu, b1, 1)
        nu = _moment(updates, state.nu, b2, 2)
        count = state.count + 1
        mu_hat = _bias_correction(mu, b1, count)
        nu_hat = _bias_correction(nu, b2, count)
        out = tree_map(lambda m, v: m / (jnp.sqrt(v + eps_root) + eps), mu_hat, nu_hat)
        return out, ScaleByAdamState(count, mu, nu)
    return GradientTransformation(init, update)


def add_decayed_weights(weight_decay=0.0) -> GradientTransformation:
    """updates + weight_decay * params (decoupled weight decay)."""
    def update(updates, state, params=None):
        if params is None:
            raise ValueError("add_decayed_weights (adamw) needs params: "
                             "call opt.update(grads, state, params)")
        return tree_map(lambda u, p: u + weight_decay * p, updates, params), state
    return GradientTransformation(lambda params: EmptyState(), update)


def scale_by_rms(decay=0.9, eps=1e-8, initial_scale=0.0) -> GradientTransformation:
    """g / sqrt(nu + eps), nu the running mean of g**2."""
    def init(params):
        return ScaleByRmsState(tree_map(lambda p: jnp.full_like(p, initial_scale), params))

    def update(updates, state, params=None):
        nu = _moment(updates, state.nu, decay, 2)
        return tree_map(lambda g, n: g / jnp.sqrt(n + eps), updates, nu), ScaleByRmsState(nu)
    return GradientTransformation(init, update)


def scale_by_stddev(decay=0.9, eps=1e-8, initial_scale=0.0) -> GradientTransformation:
    """Centered RMS: g / sqrt(nu - mu**2 + eps)."""
    def init(params):
        return ScaleByRStdDevState(_zeros_like(params),
                                   tree_map(lambda p: jnp.full_like(p, initial_scale), params))

    def update(updates, state, params=None):
        mu = _moment(updates, state.mu, decay, 1)
        nu = _moment(updates, state.nu, decay, 2)
        out = tree_map(lambda g, m, n: g / jnp.sqrt(n - m * m + eps), updates, mu, nu)
        return out, ScaleByRStdDevState(mu, nu)
    return GradientTransformation(init, update)


def _identity():
    return GradientTransformation(lambda params: EmptyState(), lambda u, s, p=None: (u, s))


def sgd(learning_rate, momentum=None, nesterov=False) -> GradientTransformation:
    return chain(trace(momentum, nesterov) if momentum is not None else _identity(),
                 scale_by_learning_rate(learning_rate))


def adam(learning_rate, b1=0.9, b2=0.999, eps=1e-8, eps_root=0.0) -> GradientTransformation:
    return chain(scale_by_adam(b1, b2, eps, eps_root), scale_by_learning_rate(learning_rate))


def adamw(learning_rate, b1=0.9, b2=0.999, eps=1e-8, eps_root=0.0,
          weight_decay=1e-4) -> GradientTransformation:
    return chain(scale_by_adam(b1, b2, eps, eps_root), add_decayed_weights(weight_decay),
                 scale_by_learning_rate(learning_rate))


def rmsprop(learning_rate, decay=0.9, eps=1e-8, initial_scale=0.0, centered=False,
            momentum=None, nesterov=False) -> GradientTransformation:
    rms = (scale_by_stddev if centered else scale_by_rms)(decay, eps, initial_scale)
    return chain(rms, scale_by_learning_rate(learning_rate),
                 trace(momentum, nesterov) if momentum is not None else _identity())


def apply_updates(params, updates):
    """params + updates, leaf by leaf, keeping each parameter's dtype."""
    return tree_map(lambda p, u: jnp.add(p, u).astype(jnp.asarray(p).dtype), params, updates)


# ------------------------------------------------------------------ schedules

def constant_schedule(value):
    return lambda count: value


def exponential_decay(init_value, transition_steps, decay_rate, transition_begin=0,
                      staircase=False, end_value=None):
    """init_value * decay_rate ** ((count - transition_begin) / transition_steps)."""
    if transition_steps <= 0:
        raise ValueError(f"exponential_decay: transition_steps must be positive, "
                         f"got {transition_steps}")

    def schedule(count):
        steps = jnp.asarray(count).astype(jnp.float32) - transition_begin
        p = steps / transition_steps
        if staircase:
            p = jnp.floor(p)
        value = init_value * jnp.power(decay_rate, p)
        if transition_begin > 0:
            value = jnp.where(steps <= 0, init_value, value)
        if end_value is not None:
            value = jnp.maximum(value, end_value) if decay_rate < 1 else \
                jnp.minimum(value, end_value)
        return value
    return schedule


def cosine_decay_schedule(init_value, decay_steps, alpha=0.0, exponent=1.0):
    """init_value * ((1 - alpha) * (0.5 (1 + cos(pi t / T))) ** exponent + alpha), t <= T."""
    if decay_steps <= 0:
        raise ValueError(f"cosine_decay_schedule: decay_steps must be positive, got {decay_steps}")

    def schedule(count):
        t = jnp.minimum(jnp.asarray(count).astype(jnp.float32), decay_steps)
        cosine = 0.5 * (1 + jnp.cos(np.pi * t / decay_steps))
        return init_value * ((1 - alpha) * cosine ** exponent + alpha)
    return schedule


constant = constant_schedule
cosine_decay = cosine_decay_schedule


def global_norm(tree):
    """sqrt of the sum of squares of every leaf."""
    return jnp.sqrt(sum(jnp.sum(jnp.square(x)) for x in tree_leaves(tree)))
