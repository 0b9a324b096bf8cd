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
`@f`.  The VJP of a custom_jvp function is the VJP of `@f_jvp` with respect
to its tangent arguments (the tangent outputs are linear in them).  Once no
transform is left, the ops expand late into a call of `@f`.
"""
from __future__ import annotations

from . import build as b
from .context import ir
from .expand import callee_of, expansion, inline_body, lookup_func
from .jvp import jvp_region_rules
from .ops import attrs_of, define, from_callee, where_string
from .vjp import vjp_block, vjp_region_rules

# `function` (optional): the user's function, for error messages.
define("irax.custom_jvp_call", {"callee": "symbol", "jvp_callee": "symbol", "num_args": "int",
                                "num_callee_captures": "int", "function": "str"},
       inferable=False)(from_callee)
define("irax.custom_vjp_call", {"callee": "symbol", "fwd": "symbol", "bwd": "symbol",
                                "num_args": "int", "num_callee_captures": "int",
                                "num_fwd_captures": "int", "function": "str"},
       inferable=False)(from_callee)


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
    """A TypeError, as in JAX: a custom_vjp function has no forward mode."""
    a = attrs_of(op)
    raise TypeError(f"can't apply forward-mode autodiff (jvp) to a custom_vjp function "
                    f"({a.get('function', a['callee'])}); define it with custom_jvp to use it in "
                    f"forward mode (jvp, jacfwd) (at {where_string(op.location)})")


def vjp_custom_vjp_call(op, primals, outs, cts):
    a = attrs_of(op)
    n, nc, nf = a["num_args"], a["num_callee_captures"], a["num_fwd_captures"]
    args = primals[:n]
    fwd_caps = primals[n + nc:n + nc + nf]
    bwd_caps = primals[n + nc + nf:]
    fwd_res = inline_body(_body(op, "fwd"), args + fwd_caps)
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
