"""Forward-mode AD as a dialect rewrite: `irax.jvp` and one JVP rule per primitive.

`"irax.jvp"(primals..., tangents...) {callee = @f, argnums}` returns f's
outputs followed by one tangent per output.  Its expansion inlines f's body
with each op replaced by its JVP (`jvp_block`), leaving first-order irax ops
that can be differentiated, batched or lowered again.

Tangents are symbolic: `None` means zero, so nothing is materialised for
inputs that are not differentiated.  Rules:

    jvp_rules[name](primals, tangents, **attrs) -> (primal_outs, tangent_outs)
    jvp_region_rules[name](op, primals, tangents) -> (primal_outs, tangent_outs)

A rule is only called when at least one tangent is non-zero.
"""
from __future__ import annotations

from . import build as b
from .context import ir
from .derivatives import BINARY, UNARY, ZERO_DERIVATIVE, associative_scan, clamp_masks, \
    decomposition, extremum_locations, integer_pow_derivative, linear_recurrence, \
    product_of_others, scatter_extremum_weights, scatter_mul_others, sort_permutation
from .expand import callee_of, expansion, lookup_func
from .ops import IraxTypeError, RuleTable, attrs_of, define, emit, from_callee, where_string
from .types import aval_of, aval_of_type, is_inexact

def signature(func_op):
    """(argument avals, result avals) of a func.func."""
    ftype = ir.FunctionType(ir.TypeAttr(func_op.attributes["function_type"]).value)
    return [aval_of_type(t) for t in ftype.inputs], [aval_of_type(t) for t in ftype.results]


def check_types(opname, what, got, want, callee):
    if len(got) != len(want):
        raise IraxTypeError(f"{opname}: expected {len(want)} {what} for @{callee}, got {len(got)}")
    for i, (g, w) in enumerate(zip(got, want)):
        if g != w:
            raise IraxTypeError(f"{opname}: {what} {i} has type {g.str_short()} but @{callee} "
                                f"needs {w.str_short()}")


def check_argnums(opname, argnums, n):
    if len(set(argnums)) != len(argnums) or any(not 0 <= a < n for a in argnums):
        raise IraxTypeError(f"{opname}: argnums {tuple(argnums)} must be distinct indices "
                            f"into the callee's {n} arguments")


def _verify_jvp(op):
    """operands: callee args, then one tangent per argnum; results: outputs, then their tangents."""
    name = attrs_of(op)["callee"]
    args, results = signature(callee_of(op))
    argnums = attrs_of(op)["argnums"]
    check_argnums("irax.jvp", argnums, len(args))
    check_types("irax.jvp", "operands", [aval_of(v) for v in op.operands],
                args + [args[i] for i in argnums], name)
    check_types("irax.jvp", "results", [aval_of(v) for v in op.results], results + results, name)


define("irax.jvp", {"callee": "symbol", "argnums": "ints"}, inferable=False,
       verify=_verify_jvp)(from_callee)

jvp_rules = RuleTable("jvp")
jvp_region_rules = RuleTable("jvp_region")


class located:
    """Append the op's user location to a NotImplementedError raised by a rule."""

    def __init__(self, op):
        self.op = op

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, tb):
        if kind is NotImplementedError and "(at " not in str(exc):
            raise NotImplementedError(f"{exc} (at {where_string(self.op.location)})") from None
        return False


def clone_with(op, operands):
    """Re-emit `op` (with its regions) on new operands; returns its results."""
    new = op.clone()
    for i, v in enumerate(operands):
        new.operands[i] = v
    return list(new.results)


def jvp_block(block, primals, tangents):
    """Emit the JVP of `block`'s ops at the current insertion point."""
    env = dict(zip(block.arguments, primals))
    tenv = {a: t for a, t in zip(block.arguments, tangents) if t is not None}
    for op in block.operations:
        if op.name in ("func.return", "irax.yield"):
            return [env[v] for v in op.operands], [tenv.get(v) for v in op.operands]
        ins = [env[v] for v in op.operands]
        tins = [tenv.get(v) for v in op.operands]
        with op.location, located(op):
            if all(t is None for t in tins) or op.name in ZERO_DERIVATIVE:
                outs, touts = clone_with(op, ins), [None] * len(op.results)
            elif op.name in jvp_region_rules:
                outs, touts = jvp_region_rules[op.name](op, ins, tins)
            else:
                rule = jvp_rules.get(op.name)
                if rule is None:
                    raise NotImplementedError(f"no JVP rule for '{op.name}'")
                outs, touts = rule(ins, tins, **attrs_of(op))
        for r, o, t in zip(op.results, outs, touts):
            env[r] = o
            if t is not None:
                tenv[r] = t
    raise ValueError("block has no terminator")


@expansion("irax.jvp")
def expand_jvp(op, module):
    callee = lookup_func(module, attrs_of(op)["callee"])
    argnums = attrs_of(op)["argnums"]
    body = callee.regions[0].blocks[0]
    n = len(body.arguments)
    primals = list(op.operands)[:n]
    given = list(op.operands)[n:]
    tangents = [None] * n
    for i, t in zip(argnums, given):
        tangents[i] = t
    with ir.InsertionPoint(op):
        outs, touts = jvp_block(body, primals, tangents)
        touts = [t if t is not None else b.zeros_like(o) for o, t in zip(outs, touts)]
    return outs + touts


# --------------------------------------------------------------------------
# Rules
# --------------------------------------------------------------------------

def _zeros_for(primals, tangents):
    return [t if t is not None else b.zeros_like(p) for p, t in zip(primals, tangents)]


def _unary_rule(name):
    derivative = UNARY[name]

    def rule(primals, tangents, **attrs):
        (x,), (t,) = primals, tangents
        y = b.op(name, x, **attrs)
        return [y], [b.mul(t, derivative(x, y))]
    return rule


for _name in UNARY:
    jvp_rules[_name] = _unary_rule(_name)


def _binary_rule(name):
    partials = BINARY[name]

    def rule(primals, tangents, **attrs):
        x, y = primals
        z = b.op(name, x, y)
        dx, dy = partials(x, y, z)
        terms = [b.mul(t, d) for t, d in zip(tangents, (dx, dy)) if t is not None]
        return [z], [terms[0] if len(terms) == 1 else b.add(*terms)]
    return rule


for _name in BINARY:
    jvp_rules[_name] = _binary_rule(_name)


def _linear_rule(name):
    """Ops linear in all their (float) operands: apply the op to the tangents."""
    def rule(primals, tangents, **attrs):
        out = emit(name, primals, **attrs)
        return out, emit(name, _zeros_for(primals, tangents), **attrs)
    return rule


for _name in ("irax.add", "irax.sub", "irax.neg", "irax.broadcast_in_dim", "irax.reshape",
              "irax.transpose", "irax.rev", "irax.reduce_sum", "irax.slice", "irax.concatenate",
              "irax.pad", "irax.cumsum"):
    jvp_rules[_name] = _linear_rule(_name)


def _first_operand_linear(name):
    """Ops linear in operand 0 whose other operands are indices."""
    def rule(primals, tangents, **attrs):
        out = emit(name, primals, **attrs)
        t = tangents[0] if tangents[0] is not None else b.zeros_like(primals[0])
        return out, emit(name, [t] + list(primals[1:]), **attrs)
    return rule


jvp_rules["irax.dynamic_slice"] = _first_operand_linear("irax.dynamic_slice")
jvp_rules["irax.gather"] = _first_operand_linear("irax.gather")


def jvp_dynamic_update_slice(primals, tangents, **attrs):
    x, u, *idx = primals
    out = b.op("irax.dynamic_update_slice", *primals)
    tx, tu = _zeros_for([x, u], tangents[:2])
    return [out], [b.op("irax.dynamic_update_slice", tx, tu, *idx)]


jvp_rules["irax.dynamic_update_slice"] = jvp_dynamic_update_slice


def jvp_scatter(primals, tangents, mode):
    x, idx, u = primals
    out = b.op("irax.scatter", x, idx, u, mode=mode)
    tx, tu = _zeros_for([x, u], [tangents[0], tangents[2]])
    if mode in ("set", "add"):
        return [out], [b.op("irax.scatter", tx, idx, tu, mode=mode)]
    if mode in ("min", "max"):
        wx, wu = scatter_extremum_weights(x, idx, u, out)
        return [out], [b.add(b.mul(tx, wx), b.op("irax.scatter", b.zeros_like(x), idx,
                                                 b.mul(tu, wu), mode="add"))]
    if mode == "mul":
        # d(x * prod u) = tx * prod u + x * sum_j tu_j * prod_{others} u
        spread = b.op("irax.scatter", b.zeros_like(x), idx,
                      b.mul(tu, scatter_mul_others(x, idx, u)), mode="add")
        return [out], [b.add(b.op("irax.scatter", tx, idx, u, mode="mul"), b.mul(x, spread))]
    raise NotImplementedError(f"no JVP rule for 'irax.scatter' with mode={mode!r}")


jvp_rules["irax.scatter"] = jvp_scatter


def jvp_mul(primals, tangents):
    x, y = primals
    tx, ty = tangents
    terms = ([b.mul(tx, y)] if tx is not None else []) + ([b.mul(x, ty)] if ty is not None else [])
    return [b.mul(x, y)], [terms[0] if len(terms) == 1 else b.add(*terms)]


jvp_rules["irax.mul"] = jvp_mul


def jvp_dot_general(primals, tangents, **dims):
    x, y = primals
    tx, ty = tangents
    out = b.op("irax.dot_general", x, y, **dims)
    terms = ([b.op("irax.dot_general", tx, y, **dims)] if tx is not None else []) + \
        ([b.op("irax.dot_general", x, ty, **dims)] if ty is not None else [])
    return [out], [terms[0] if len(terms) == 1 else b.add(*terms)]


jvp_rules["irax.dot_general"] = jvp_dot_general


def jvp_integer_pow(primals, tangents, y):
    (x,), (t,) = primals, tangents
    out = b.op("irax.integer_pow", x, y=y)
    return [out], [b.mul(t, integer_pow_derivative(x, out, y))]


jvp_rules["irax.integer_pow"] = jvp_integer_pow


def jvp_select(primals, tangents):
    p, x, y = primals
    out = b.op("irax.select", p, x, y)
    tx, ty = _zeros_for([x, y], tangents[1:])
    return [out], [b.op("irax.select", p, tx, ty)]


jvp_rules["irax.select"] = jvp_select


def jvp_clamp(primals, tangents):
    lo, x, hi = primals
    out = b.op("irax.clamp", lo, x, hi)
    shape = aval_of(x).shape
    full = [b.broadcast_in_dim(v, shape, ()) if aval_of(v).shape != shape else v
            for v in (lo, hi)]
    masks = clamp_masks(full[0], x, full[1])
    zero = b.zeros_like(x)
    tout = None
    for t, mask in zip(tangents, masks):
        if t is not None:
            t = b.broadcast_in_dim(t, shape, ()) if aval_of(t).shape != shape else t
            t = b.select(mask, t, zero)
            tout = t if tout is None else b.add(tout, t)
    return [out], [tout]


jvp_rules["irax.clamp"] = jvp_clamp


def jvp_convert(primals, tangents, new_dtype):
    (x,), (t,) = primals, tangents
    out = b.convert(x, new_dtype)
    if is_inexact(aval_of(x).dtype) and is_inexact(new_dtype):
        return [out], [b.convert(t, new_dtype)]
    return [out], [None]


jvp_rules["irax.convert_element_type"] = jvp_convert


def _reduce_extremum(name):
    def rule(primals, tangents, axes):
        # the mean tangent over the places x attains y, as in JAX (a select, not a
        # multiply by a mask, so a NaN tangent elsewhere does not leak in)
        (x,), (t,) = primals, tangents
        y = b.op(name, x, axes=axes)
        mask, count = extremum_locations(x, y, axes)
        return [y], [b.div(b.reduce_sum(b.select(mask, t, b.zeros_like(t)), axes), count)]
    return rule


jvp_rules["irax.reduce_max"] = _reduce_extremum("irax.reduce_max")
jvp_rules["irax.reduce_min"] = _reduce_extremum("irax.reduce_min")


def jvp_reduce_prod(primals, tangents, axes):
    # d prod = sum_i t_i * prod_{j != i} x_j (no division: exact where x has zeros).
    (x,), (t,) = primals, tangents
    y = b.op("irax.reduce_prod", x, axes=axes)
    return [y], [b.reduce_sum(b.mul(t, product_of_others(x, axes)), axes)]


jvp_rules["irax.reduce_prod"] = jvp_reduce_prod


def jvp_cumprod(primals, tangents, axis, reverse=False):
    # dy_i = sum_{j<=i} t_j y_{j-1} x_{j+1}...x_i, i.e. dy_i = x_i dy_{i-1} + t_i y_{i-1}.
    (x,), (t,) = primals, tangents
    y = b.op("irax.cumprod", x, axis=axis, reverse=reverse)
    before = b.shift(y, axis, -1 if reverse else 1, 1)
    return [y], [linear_recurrence(x, b.mul(t, before), axis, reverse)]


jvp_rules["irax.cumprod"] = jvp_cumprod


def jvp_sort(primals, tangents, dimension, num_keys=1, descending=False):
    outs, perm = sort_permutation(primals, dimension, num_keys, descending)
    return outs, [b.take_along_axis(t, perm, dimension) if t is not None else None
                  for t in tangents]


jvp_rules["irax.sort"] = jvp_sort


def _running_extremum(name, combine):
    def rule(primals, tangents, axis, reverse=False):
        # Differentiated through JAX's associative-scan tree of max/min, so that ties
        # share the tangent exactly as they do in JAX.
        (x,), (t,) = primals, tangents
        y = b.op(name, x, axis=axis, reverse=reverse)
        with decomposition(lambda v: [associative_scan(combine, v, axis, reverse)], x) as blk:
            _, (ty,) = jvp_block(blk, [x], [t])
        return [y], [ty]
    return rule


jvp_rules["irax.cummax"] = _running_extremum("irax.cummax", b.maximum)
jvp_rules["irax.cummin"] = _running_extremum("irax.cummin", b.minimum)
