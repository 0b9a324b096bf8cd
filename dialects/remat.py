"""Rematerialization: `irax.checkpoint`, `irax.checkpoint_name`, `irax.optimization_barrier`.

    "irax.checkpoint_name"(x) {label = "name"}   (JAX's checkpoint_name)

    "irax.checkpoint"(args..., captures...) {callee = @f, policy = "key", prevent_cse}

computes `@f`.  Its VJP rule is where rematerialization happens: the forward
sweep inlines `@f`; the backward sweep recomputes `@f`'s ops from the
checkpoint's inputs, except the ops whose outputs the policy says to save
(those are reused from the forward sweep: they are the residuals), and then
runs `@f`'s adjoint on the recomputed values.  With `prevent_cse`, the
recomputation starts from `irax.optimization_barrier(inputs..., saved...,
cotangents...)`, so it depends on the cotangents and can be neither merged
with the forward ops (CSE) nor scheduled before the backward pass.

A policy is a Python predicate `policy(prim, *avals, **attrs) -> bool`
(`prim.name`: the op's name without "irax.", "name" for checkpoint_name, as
JAX names its primitives), registered here under the string key the op
carries.  Other transforms keep the op (vmap batches its callee) or see
through it (JVP); it expands late into its callee's body.
"""
from __future__ import annotations

from .batching import _rebatch_call, batch_region_rules, batch_rules
from .context import ir
from .expand import callee_of, expansion, inline_body, lookup_func
from .jvp import clone_with, jvp_block, jvp_region_rules, jvp_rules
from .ops import attrs_of, define, emit, from_callee
from .types import aval_of
from .vjp import vjp_block, vjp_region_rules, vjp_rules

define("irax.checkpoint", {"callee": "symbol", "policy": "str", "prevent_cse": "bool"},
       inferable=False)(from_callee)


@define("irax.checkpoint_name", {"label": "str"})
def _checkpoint_name(avals, label):
    """The identity, naming its value for save_only_these_names-style policies."""
    (a,) = avals
    return a


@define("irax.optimization_barrier")
def _optimization_barrier(avals):
    """The identity on all its operands at once: nothing computed from its results
    can move before it or merge with a computation from its operands."""
    return list(avals)


POLICIES = {}  # key -> policy(prim, *avals, **attrs) -> bool
_KEYS = {}  # id(policy) -> key


def register_policy(policy, key=None) -> str:
    """The key `policy` is known by in irax.checkpoint's `policy` attribute."""
    if id(policy) in _KEYS:
        return _KEYS[id(policy)]
    key = key or f"{getattr(policy, '__name__', 'policy')}#{len(POLICIES)}"
    POLICIES[key] = policy
    _KEYS[id(policy)] = key
    return key


class Primitive:
    """What a policy sees of an op: its name, as JAX names the primitive."""

    __slots__ = ("name",)

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return self.name


def _saveable(policy, op) -> bool:
    if op.name in ("irax.constant",) or len(op.regions):
        return False
    attrs = attrs_of(op)
    if op.name == "irax.checkpoint_name":  # JAX's name_p, whose parameter is `name`
        name, attrs = "name", {"name": attrs["label"]}
    else:
        name = op.name.removeprefix("irax.")
    return bool(policy(Primitive(name), *[aval_of(v) for v in op.operands], **attrs))


def _body(op):
    return callee_of(op).regions[0].blocks[0]


def _inline_with_env(body, operands):
    """Inline `body`; returns (its results, {body value: inlined value})."""
    env = dict(zip(body.arguments, operands))
    for inner in body.operations:
        if inner.name in ("func.return", "irax.yield"):
            return [env[v] for v in inner.operands], env
        for old, new in zip(inner.results, clone_with(inner, [env[v] for v in inner.operands])):
            env[old] = new
    raise ValueError("function body has no return")


def vjp_checkpoint(op, primals, outs, cts):
    a = attrs_of(op)
    body = _body(op)
    policy = POLICIES[a["policy"]]
    # Forward sweep: the body inlined in place of the forward copy of the op,
    # so the values the policy saves are the forward pass's own.
    forward = outs[0].owner
    with ir.InsertionPoint(forward):
        fwd_outs, fwd_env = _inline_with_env(body, list(primals))
    for old, new in zip(outs, fwd_outs):
        old.replace_all_uses_with(new)
    forward.erase()
    outs[:] = fwd_outs
    cts = [c if c is not None else _zeros(o) for c, o in zip(cts, outs)]
    saved = [r for inner in list(body.operations)[:-1] if _saveable(policy, inner)
             for r in inner.results]
    ins, kept = list(primals), [fwd_env[r] for r in saved]
    if a.get("prevent_cse", True):
        # The saved values pass the barrier too: an op recomputed from them
        # alone must not merge with its forward twin either.
        fenced = emit("irax.optimization_barrier", ins + kept + cts)
        ins, kept, cts = (fenced[:len(ins)], fenced[len(ins):len(ins) + len(kept)],
                          fenced[len(ins) + len(kept):])
    reuse = dict(zip(saved, kept))

    def recompute(inner, inner_ins):
        if len(inner.results) and inner.results[0] in reuse:
            return [reuse[r] for r in inner.results]
        return clone_with(inner, inner_ins)
    _, arg_cts = vjp_block(body, ins, list(range(len(ins))), cts, forward=recompute)
    if a.get("prevent_cse", True):
        _prune_barrier(fenced[0].owner, len(fenced) - len(cts))
    return arg_cts


def _prune_barrier(barrier, n_fenced):
    """Drop the barrier's inputs and saved values that the backward pass did not
    use (they are not residuals); the cotangents (its last operands) stay."""
    results = list(barrier.results)
    live = [i for i, r in enumerate(results) if i >= n_fenced or list(r.uses)]
    if len(live) == len(results):
        return
    with ir.InsertionPoint(barrier):
        new = emit("irax.optimization_barrier", [barrier.operands[i] for i in live])
    for i, v in zip(live, new):
        results[i].replace_all_uses_with(v)
    barrier.erase()


def _zeros(v):
    from . import build as b
    return b.zeros_like(v)


def jvp_checkpoint(op, primals, tangents):
    """Forward mode saves nothing, so there is nothing to rematerialize: the body's JVP."""
    return jvp_block(_body(op), list(primals), list(tangents))


def batch_checkpoint(op, args, dims):
    """The op again, on its callee batched (results at 0), so a gradient outside
    the vmap still rematerializes."""
    return _rebatch_call(op, args, dims, {"callee": (list(dims), [0] * len(op.results))})


vjp_region_rules["irax.checkpoint"] = vjp_checkpoint
jvp_region_rules["irax.checkpoint"] = jvp_checkpoint
batch_region_rules["irax.checkpoint"] = batch_checkpoint


@expansion("irax.checkpoint", late=True)
def _expand_checkpoint(op, module):
    callee = lookup_func(module, attrs_of(op)["callee"])
    with ir.InsertionPoint(op):
        return inline_body(callee.regions[0].blocks[0], list(op.operands))


# checkpoint_name and the barrier are identities to every transform.
jvp_rules["irax.checkpoint_name"] = lambda primals, tangents, label: (
    emit("irax.checkpoint_name", primals, label=label), tangents)
vjp_rules["irax.checkpoint_name"] = lambda primals, outs, cts, label: [cts[0]]
batch_rules["irax.checkpoint_name"] = lambda args, dims, label: (
    emit("irax.checkpoint_name", args, label=label), dims)


def _jvp_barrier(primals, tangents):
    n = len(primals)
    live = [t for t in tangents if t is not None]
    fenced = emit("irax.optimization_barrier", list(primals) + live)
    it = iter(fenced[n:])
    return fenced[:n], [next(it) if t is not None else None for t in tangents]


jvp_rules["irax.optimization_barrier"] = _jvp_barrier
vjp_rules["irax.optimization_barrier"] = lambda primals, outs, cts: list(cts)
batch_rules["irax.optimization_barrier"] = lambda args, dims: (
    emit("irax.optimization_barrier", args), list(dims))
