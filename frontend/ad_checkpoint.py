"""`checkpoint` / `remat`, its policies, `checkpoint_name` and `saved_residuals`
(JAX's `jax.checkpoint`, `jax.checkpoint_policies`, `jax.ad_checkpoint`).

`checkpoint(f)` traces `f` into an `irax.checkpoint` op; the rematerialization
itself is the op's VJP rule (dialects/remat.py): the backward pass recomputes
what the policy does not save.  A policy is `policy(prim, *avals, **attrs) ->
bool` as in JAX, with `prim.name` the op's name ("dot_general", "name" for a
checkpoint_name, ...) and `attrs` irax's attributes of the op.
"""
from __future__ import annotations

import functools
import types

import numpy as np

from irax.dialects.remat import register_policy

from .api import ShapeDtypeStruct, _StaticArgs, as_operand, eval_shape, fun_name, make_ir
from .core import Tracer, bind, current_trace
from .transform import apply_higher_order, trace_callee
from .tree_util import keystr, tree_flatten, tree_flatten_with_path, tree_map

__all__ = ["checkpoint", "checkpoint_name", "checkpoint_policies", "print_saved_residuals",
           "remat", "saved_residuals"]


# --------------------------------------------------------------------------
# Policies: which values the forward pass saves for the backward pass
# --------------------------------------------------------------------------

def everything_saveable(prim, *avals, **params) -> bool:
    return True


def nothing_saveable(prim, *avals, **params) -> bool:
    return False


def dots_saveable(prim, *avals, **params) -> bool:
    return prim.name == "dot_general"


def dots_with_no_batch_dims_saveable(prim, *avals, **params) -> bool:
    return prim.name == "dot_general" and not params.get("lhs_batch") and \
        not params.get("rhs_batch")


def save_only_these_names(*names):
    """Save only the values named (checkpoint_name) with one of `names`."""
    names = frozenset(names)

    def policy(prim, *avals, **params):
        return prim.name == "name" and params["name"] in names
    policy.__name__ = f"save_only_these_names({','.join(sorted(names))})"
    return policy


def save_any_names_but_these(*names):
    """Save the named values, except those named with one of `names`."""
    names = frozenset(names)

    def policy(prim, *avals, **params):
        return prim.name == "name" and params["name"] not in names
    policy.__name__ = f"save_any_names_but_these({','.join(sorted(names))})"
    return policy


def save_anything_except_these_names(*names):
    """Save every value except those named with one of `names`."""
    names = frozenset(names)

    def policy(prim, *avals, **params):
        return not (prim.name == "name" and params["name"] in names)
    policy.__name__ = f"save_anything_except_these_names({','.join(sorted(names))})"
    return policy


def save_from_both_policies(policy_1, policy_2):
    """Save what either policy saves."""
    def policy(prim, *avals, **params):
        return policy_1(prim, *avals, **params) or policy_2(prim, *avals, **params)
    policy.__name__ = f"save_from_both_policies({getattr(policy_1, '__name__', 'p1')}," \
                      f"{getattr(policy_2, '__name__', 'p2')})"
    return policy


checkpoint_policies = types.SimpleNamespace(
    everything_saveable=everything_saveable, nothing_saveable=nothing_saveable,
    dots_saveable=dots_saveable, checkpoint_dots=dots_saveable,
    dots_with_no_batch_dims_saveable=dots_with_no_batch_dims_saveable,
    checkpoint_dots_with_no_batch_dims=dots_with_no_batch_dims_saveable,
    save_only_these_names=save_only_these_names,
    save_any_names_but_these=save_any_names_but_these,
    save_anything_except_these_names=save_anything_except_these_names,
    save_from_both_policies=save_from_both_policies)

for _p in (everything_saveable, nothing_saveable, dots_saveable,
           dots_with_no_batch_dims_saveable):
    register_policy(_p, _p.__name__)


# --------------------------------------------------------------------------
# checkpoint / remat
# --------------------------------------------------------------------------

def checkpoint(fun, *, prevent_cse=True, policy=None, static_argnums=(), static_argnames=()):
    """`fun`, whose gradient recomputes the values `policy` does not save
    (default: saves nothing but its inputs) instead of keeping them from the
    forward pass.  `prevent_cse=False` lets the recomputation be merged with
    the forward pass (then nothing is recomputed); a sequence means True if
    any entry is."""
    if not callable(fun):
        raise TypeError(f"checkpoint: expected a function, got {type(fun).__name__}")
    static = _StaticArgs(fun, static_argnums, static_argnames)
    key = register_policy(policy if policy is not None else nothing_saveable)
    if not isinstance(prevent_cse, bool):
        prevent_cse = any(prevent_cse)

    @functools.wraps(fun)
    def remat_f(*args, **kwargs):
        if current_trace() is None:  # no derivative will be taken: nothing to save
            return fun(*args, **kwargs)
        args, kwargs = _concrete_statics(static, args, kwargs)
        dyn_args, dyn_kwargs, st = static.split(args, kwargs)
        leaves, in_tree = tree_flatten((dyn_args, dyn_kwargs))
        traced = trace_callee(static.bind(fun, st), fun_name(fun), in_tree, leaves)
        outs = apply_higher_order("irax.checkpoint", traced, leaves,
                                  [o.aval for o in traced.outs], policy=key,
                                  prevent_cse=prevent_cse)
        for o, inner in zip(outs, traced.outs):
            o.weak_type = inner.weak_type
        return traced.out_tree.unflatten(outs)
    return remat_f


remat = checkpoint


def _concrete_statics(static, args, kwargs):
    """Static arguments that an eager transform traced (concrete 0-d tracers) as
    the Python scalars they stand for."""
    def plain(x):
        if isinstance(x, Tracer) and x._concrete is not None and x.aval.ndim == 0:
            return np.asarray(x._concrete).item()
        return x
    args = tuple(plain(a) if i in static.argnums else a for i, a in enumerate(args))
    kwargs = {k: plain(v) if k in static.argnames else v for k, v in kwargs.items()}
    return args, kwargs


def checkpoint_name(x, name: str):
    """`x`, named `name` for the save_*_names policies (each leaf of a pytree)."""
    if not isinstance(name, str):
        raise TypeError(f"checkpoint_name: name must be a string, got {type(name).__name__}")
    if current_trace() is None:
        return x
    return tree_map(lambda v: bind("irax.checkpoint_name", [as_operand(v)], label=name)[0], x)


# --------------------------------------------------------------------------
# What the backward pass keeps: saved_residuals
# --------------------------------------------------------------------------

def saved_residuals(f, *args, **kwargs) -> list:
    """[(ShapeDtypeStruct, description)] of the values `f`'s backward pass reads
    from its forward pass (its residuals), found in the expanded, simplified
    IR of `vjp(f, *args)`'s pullback: the values computed without the
    cotangent that an op depending on the cotangent uses (constants excluded)."""
    from irax.dialects import get_context
    from irax.dialects.expand import expand_all, lookup_func
    from irax.dialects.simplify import simplify
    from irax.lowering.pipeline import clone_module
    from .ad import vjp
    out = eval_shape(f, *args, **kwargs)
    ct = tree_map(lambda s: np.zeros(s.shape, s.dtype), out)

    def pullback_at(primals, cotangent):
        return vjp(lambda *a: f(*a, **kwargs), *primals)[1](cotangent)
    ir_text = make_ir(pullback_at)(args, ct)
    paths = [keystr(p) for p, _ in tree_flatten_with_path(args)[0]]
    n_ct = len(tree_flatten(ct)[0])
    with get_context():
        m = clone_module(ir_text.module)
        expand_all(m)
        simplify(m)
        return _residuals(lookup_func(m, ir_text.entry), paths, n_ct)


def _residuals(func_op, arg_paths, n_ct):
    from irax.dialects import aval_of
    from irax.dialects.ops import where_string
    block = func_op.regions[0].blocks[0]
    args = list(block.arguments)
    n_p = len(arg_paths)
    backward = set(args[n_p:n_p + n_ct])
    constant = set()
    found, seen = [], set()

    def describe(v):
        if v in args[:n_p]:
            return f"from the argument {arg_paths[args.index(v)] or 'x'}"
        if v in args:
            return "from a captured array"
        owner = v.owner
        return f"output of {owner.name.removeprefix('irax.')} from {where_string(owner.location)}"

    for op in block.operations:
        if op.name == "func.return":
            break
        ins = list(op.operands)
        if not any(v in backward for v in ins):
            if all(v in constant for v in ins):
                constant.update(op.results)
            continue
        backward.update(op.results)
        for v in ins:
            if v in backward or v in constant or v in seen:
                continue
            seen.add(v)
            a = aval_of(v)
            found.append((ShapeDtypeStruct(a.shape, a.dtype), describe(v)))
    return found


def residual_bytes(f, *args, **kwargs) -> int:
    """The total size of `saved_residuals(f, *args)` in bytes."""
    return sum(s.size * s.dtype.itemsize for s, _ in saved_residuals(f, *args, **kwargs))


def print_saved_residuals(f, *args, **kwargs) -> None:
    for s, what in saved_residuals(f, *args, **kwargs):
        print(f"{s.dtype.name}{list(s.shape)} {what}")
