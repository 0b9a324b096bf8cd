"""User-defined derivatives: `irax.custom_jvp_call` and `irax.custom_vjp_call`.

    "irax.custom_jvp_call"(args..., callee_captures..., jvp_captures...)
        {callee = @f, jvp_callee = @f_jvp, num_args, num_callee_captures}
    "irax.custom_vjp_call"(args..., callee_captures..., fwd_captures..., bwd_captures...)
        {callee = @f, fwd = @f_fwd, bwd = @f_bwd, num_args, num_callee_captures,
         num_fwd_captures}

`@f_jvp(args, tangents, captures) -> (outs, tangent_outs)`;
`@f_fwd(args, captures) -> (outs, residuals)`;
`@f_bwd(residuals, cotangents, captures) -> arg cotangents`.

Their JVP/VJP rules call the user's functions instead of differentiating
`@f` (the JVP of a custom_vjp call differentiates `@f_fwd`).  The VJP of a
custom_jvp function is the VJP of `@f_jvp` with respect to its tangent
arguments (the tangent outputs are linear in them).  Once no
transform is left, the ops expand late into a call of `@f`.
"""
from __future__ import annotations

from . import build as b
from .context import ir
from .expand import callee_of, expansion, inline_body, lookup_func
from .jvp import jvp_block, jvp_region_rules
from .ops import attrs_of, define, from_callee
from .vjp import vjp_block, vjp_region_rules

define("irax.custom_jvp_call", {"callee": "symbol", "jvp_callee": "symbol", "num_args": "int",
                                "num_callee_captures": "int"}, inferable=False)(from_callee)
define("irax.custom_vjp_call", {"callee": "symbol", "fwd": "symbol", "bwd": "symbol",
                                "num_args": "int", "num_callee_captures": "int",
                                "num_fwd_captures": "int"}, inferable=False)(from_callee)


def _body(op, attr):
    return callee_of(op, attr).regions[0].blocks[0]


def _split_jvp_operands(op, operands):
    a = attrs_of(op)
    n, nc = a["num_args"], a["num_callee_captures"]
    return operands[:n], operands[n:n + nc], operands[n + nc:]


def jvp_custom_jvp_call(op, primals, tangents):
    args, _, jvp_caps = _split_jvp_operands(op, primals)
    arg_tangents = [t if t is not None else b.zeros_like(p)
                    for p, t in zip(args, tangents[:len(args)])]
    res = inline_body(_body(op, "jvp_callee"), args + arg_tangents + jvp_caps)
    n_out = len(op.results)
    return res[:n_out], res[n_out:]


def vjp_custom_jvp_call(op, primals, outs, cts):
    args, callee_caps, jvp_caps = _split_jvp_operands(op, primals)
    body = _body(op, "jvp_callee")
    zero_tangents = [b.zeros_like(a) for a in args]
    n = len(args)
    out_cts = [b.zeros_like(o) for o in outs] + [c if c is not None else b.zeros_like(o)
                                                 for c, o in zip(cts, outs)]
    _, tangent_cts = vjp_block(body, args + zero_tangents + jvp_caps,
                               list(range(n, 2 * n)), out_cts)
    return tangent_cts + [None] * (len(callee_caps) + len(jvp_caps))


jvp_region_rules["irax.custom_jvp_call"] = jvp_custom_jvp_call
vjp_region_rules["irax.custom_jvp_call"] = vjp_custom_jvp_call


def jvp_custom_vjp_call(op, primals, tangents):
    """The JVP of @f_fwd's primal outputs.  The frontend rejects jvp applied
    directly to a custom_vjp function (a TypeError, as in JAX); the op meets
    a JVP only outside a reverse transform that did not consume it (the
    primal outputs of `vjp` under jacfwd: hessian), where JAX too
    differentiates the user's fwd."""
    a = attrs_of(op)
    n, nc, nf = a["num_args"], a["num_callee_captures"], a["num_fwd_captures"]
    fwd_ins = primals[:n] + primals[n + nc:n + nc + nf]
    fwd_tans = tangents[:n] + tangents[n + nc:n + nc + nf]
    outs, touts = jvp_block(_body(op, "fwd"), fwd_ins, fwd_tans)
    n_out = len(op.results)
    return outs[:n_out], touts[:n_out]


def vjp_custom_vjp_call(op, primals, outs, cts):
    """@f_bwd on @f_fwd's residuals.  `fwd` replaces the forward sweep's copy
    of the call (`outs` are its results; vjp_block takes the new ones from the
    list), so a transform outside this one (jvp over grad) differentiates
    the user's fwd, as in JAX, instead of meeting a custom_vjp call."""
    a = attrs_of(op)
    n, nc, nf = a["num_args"], a["num_callee_captures"], a["num_fwd_captures"]
    args = primals[:n]
    fwd_caps = primals[n + nc:n + nc + nf]
    bwd_caps = primals[n + nc + nf:]
    forward = outs[0].owner
    with ir.InsertionPoint(forward):
        fwd_res = inline_body(_body(op, "fwd"), args + fwd_caps)
    for old, new in zip(outs, fwd_res):
        old.replace_all_uses_with(new)
    forward.erase()
    outs[:] = fwd_res[:len(outs)]
    residuals = fwd_res[len(outs):]
    cts = [c if c is not None else b.zeros_like(o) for c, o in zip(cts, outs)]
    arg_cts = inline_body(_body(op, "bwd"), residuals + cts + bwd_caps)
    return arg_cts + [None] * (len(primals) - n)


jvp_region_rules["irax.custom_vjp_call"] = jvp_custom_vjp_call
vjp_region_rules["irax.custom_vjp_call"] = vjp_custom_vjp_call


def _expand_to_callee(op, module):
    a = attrs_of(op)
    n = a["num_args"] + a["num_callee_captures"]
    callee = lookup_func(module, a["callee"])
    with ir.InsertionPoint(op):
        return inline_body(callee.regions[0].blocks[0], list(op.operands)[:n])


expansion("irax.custom_jvp_call", late=True)(_expand_to_callee)
expansion("irax.custom_vjp_call", late=True)(_expand_to_callee)
