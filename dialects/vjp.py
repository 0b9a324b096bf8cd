"""Reverse-mode AD as a dialect rewrite: `irax.vjp` and one VJP rule per primitive.

`"irax.vjp"(primals..., cotangents...) {callee = @f, argnums}` returns f's
outputs followed by the cotangent of each argument in `argnums`, given one
cotangent per output.  Its expansion is a direct adjoint sweep over f's body:
the forward ops are re-emitted, then each op's VJP rule runs in reverse
order, accumulating cotangents.  Only ops on a path from a differentiated
argument to an output take part (the "active" ops); cotangents are symbolic
(`None` = zero).  The result is first-order irax IR, so it can be
differentiated again (`grad(grad(f))`).

    vjp_rules[name](primals, outs, cts, **attrs) -> one cotangent (or None) per operand
    vjp_region_rules[name](op, primals, outs, cts) -> likewise, for region ops
"""
from __future__ import annotations

from . import build as b
from .context import ir
from .derivatives import BINARY, UNARY, ZERO_DERIVATIVE, associative_scan, broadcast_rows, \
    clamp_masks, decomposition, extremum_locations, gather_in_bounds, integer_pow_derivative, \
    linear_recurrence, product_of_others, scatter_extremum_weights, scatter_in_bounds, \
    scatter_mul_others, scatter_winners, sort_permutation
from .expand import callee_of, expansion, lookup_func
from .jvp import check_argnums, check_types, clone_with, located, signature
from .ops import RuleTable, attrs_of, define, from_callee
from .types import aval_of, is_inexact

def _verify_vjp(op):
    """operands: callee args, then one cotangent per output; results: outputs, then
    one cotangent per argnum."""
    name = attrs_of(op)["callee"]
    args, results = signature(callee_of(op))
    argnums = attrs_of(op)["argnums"]
    check_argnums("irax.vjp", argnums, len(args))
    check_types("irax.vjp", "operands", [aval_of(v) for v in op.operands], args + results, name)
    check_types("irax.vjp", "results", [aval_of(v) for v in op.results],
                results + [args[i] for i in argnums], name)


define("irax.vjp", {"callee": "symbol", "argnums": "ints"}, inferable=False,
       verify=_verify_vjp)(from_callee)

vjp_rules = RuleTable("vjp")
vjp_region_rules = RuleTable("vjp_region")


def _active_after(op, active) -> bool:
    return op.name not in ZERO_DERIVATIVE and any(v in active for v in op.operands)


def vjp_block(block, primals, argnums, cotangents, forward=None):
    """Emit f(primals) and the cotangents of `argnums` at the current insertion point.

    Returns (outputs, argument cotangents (None = zero)).  `forward(op, ins)`
    gives an op's forward values (default: a clone of it on `ins`); the
    rematerialization of irax.checkpoint reuses saved values through it.
    """
    env = dict(zip(block.arguments, primals))
    active = {block.arguments[i] for i in argnums if is_inexact(aval_of(block.arguments[i]).dtype)}
    tape = []
    outs = None
    for op in block.operations:
        if op.name in ("func.return", "irax.yield"):
            outs = list(op.operands)
            break
        ins = [env[v] for v in op.operands]
        with op.location:
            new = clone_with(op, ins) if forward is None else forward(op, ins)
        for r, v in zip(op.results, new):
            env[r] = v
        if _active_after(op, active):
            for r in op.results:
                if is_inexact(aval_of(r).dtype):
                    active.add(r)
            tape.append((op, ins, new))
    cts = {}

    def accumulate(v, ct):
        if ct is None or v not in active:
            return
        cts[v] = ct if v not in cts else b.add(cts[v], ct)

    with ir.Location.unknown():
        for v, ct in zip(outs, cotangents):
            accumulate(v, ct)
    for op, ins, new in reversed(tape):
        out_cts = [cts.pop(r, None) for r in op.results]
        if all(c is None for c in out_cts):
            continue
        with op.location, located(op):
            if op.name in vjp_region_rules:
                in_cts = vjp_region_rules[op.name](op, ins, new, out_cts)
                for r, v in zip(op.results, new):  # the rule may re-emit the forward op
                    env[r] = v
            else:
                rule = vjp_rules.get(op.name)
                if rule is None:
                    raise NotImplementedError(f"no VJP rule for '{op.name}'")
                out_cts = [c if c is not None else b.zeros_like(o) for c, o in zip(out_cts, new)]
                in_cts = rule(ins, new, out_cts, **attrs_of(op))
            for v, ct in zip(op.operands, in_cts):
                accumulate(v, ct)
    return [env[v] for v in outs], [cts.get(block.arguments[i]) for i in argnums]


@expansion("irax.vjp")
def expand_vjp(op, module):
    attrs = attrs_of(op)
    callee = lookup_func(module, attrs["callee"])
    argnums = list(attrs["argnums"])
    body = callee.regions[0].blocks[0]
    n = len(body.arguments)
    primals, cotangents = list(op.operands)[:n], list(op.operands)[n:]
    with ir.InsertionPoint(op):
        outs, arg_cts = vjp_block(body, primals, argnums, cotangents)
        arg_cts = [c if c is not None else b.zeros_like(primals[i])
                   for i, c in zip(argnums, arg_cts)]
    return outs + arg_cts


# --------------------------------------------------------------------------
# Rules
# --------------------------------------------------------------------------

def _unary_rule(name):
    derivative = UNARY[name]
    return lambda primals, outs, cts, **attrs: [b.mul(cts[0], derivative(primals[0], outs[0]))]


for _name in UNARY:
    vjp_rules[_name] = _unary_rule(_name)


def _binary_rule(name):
    partials = BINARY[name]

    def rule(primals, outs, cts, **attrs):
        dx, dy = partials(primals[0], primals[1], outs[0])
        return [b.mul(cts[0], dx), b.mul(cts[0], dy)]
    return rule


for _name in BINARY:
    vjp_rules[_name] = _binary_rule(_name)

vjp_rules["irax.add"] = lambda primals, outs, cts: [cts[0], cts[0]]
vjp_rules["irax.sub"] = lambda primals, outs, cts: [cts[0], b.neg(cts[0])]
vjp_rules["irax.neg"] = lambda primals, outs, cts: [b.neg(cts[0])]
vjp_rules["irax.mul"] = lambda primals, outs, cts: [b.mul(cts[0], primals[1]),
                                                    b.mul(cts[0], primals[0])]
vjp_rules["irax.integer_pow"] = lambda primals, outs, cts, y: [
    b.mul(cts[0], integer_pow_derivative(primals[0], outs[0], y))]


def vjp_select(primals, outs, cts):
    p, x, _ = primals
    zero = b.zeros_like(x)
    return [None, b.select(p, cts[0], zero), b.select(p, zero, cts[0])]


vjp_rules["irax.select"] = vjp_select


def vjp_clamp(primals, outs, cts):
    lo, x, hi = primals
    shape = aval_of(x).shape
    full = [b.broadcast_in_dim(v, shape, ()) if aval_of(v).shape != shape else v
            for v in (lo, hi)]
    zero = b.zeros_like(x)
    out = []
    for ref, mask in zip((lo, x, hi), clamp_masks(full[0], x, full[1])):
        ct = b.select(mask, cts[0], zero)
        out.append(b.reduce_sum(ct, list(range(len(shape)))) if aval_of(ref).shape != shape else ct)
    return out


vjp_rules["irax.clamp"] = vjp_clamp


def vjp_convert(primals, outs, cts, new_dtype):
    src = aval_of(primals[0]).dtype
    return [b.convert(cts[0], src) if is_inexact(src) else None]


vjp_rules["irax.convert_element_type"] = vjp_convert


def vjp_broadcast_in_dim(primals, outs, cts, shape, broadcast_dimensions):
    x = aval_of(primals[0])
    dims = list(broadcast_dimensions)
    summed = [d for d in range(len(shape)) if d not in dims]
    summed += [d for i, d in enumerate(dims) if x.shape[i] == 1 and shape[d] != 1]
    return [b.reshape(b.reduce_sum(cts[0], sorted(summed)), x.shape)]


vjp_rules["irax.broadcast_in_dim"] = vjp_broadcast_in_dim
vjp_rules["irax.reshape"] = lambda primals, outs, cts, new_sizes: [
    b.reshape(cts[0], aval_of(primals[0]).shape)]
vjp_rules["irax.transpose"] = lambda primals, outs, cts, permutation: [
    b.transpose(cts[0], b.inverse_permutation(permutation))]
vjp_rules["irax.rev"] = lambda primals, outs, cts, dimensions: [
    b.op("irax.rev", cts[0], dimensions=dimensions)]


def vjp_reduce_sum(primals, outs, cts, axes):
    x = aval_of(primals[0])
    kept = [i for i in range(x.ndim) if i not in axes]
    return [b.broadcast_in_dim(cts[0], x.shape, kept)]


vjp_rules["irax.reduce_sum"] = vjp_reduce_sum


def _vjp_extremum(primals, outs, cts, axes):
    # ct / count at the places x attains its extremum and exact zeros elsewhere (a
    # select: a NaN or infinite ct must not leak into unselected places as 0 * ct).
    x = primals[0]
    a = aval_of(x)
    kept = [i for i in range(a.ndim) if i not in axes]
    mask, count = extremum_locations(x, outs[0], axes)
    share = b.broadcast_in_dim(b.div(cts[0], count), a.shape, kept)
    return [b.select(mask, share, b.zeros_like(x))]


vjp_rules["irax.reduce_max"] = _vjp_extremum
vjp_rules["irax.reduce_min"] = _vjp_extremum


def vjp_reduce_prod(primals, outs, cts, axes):
    x = primals[0]
    a = aval_of(x)
    kept = [i for i in range(a.ndim) if i not in axes]
    return [b.mul(b.broadcast_in_dim(cts[0], a.shape, kept), product_of_others(x, axes))]


vjp_rules["irax.reduce_prod"] = vjp_reduce_prod


def vjp_cumsum(primals, outs, cts, axis, reverse=False):
    return [b.op("irax.cumsum", cts[0], axis=axis, reverse=not reverse)]


vjp_rules["irax.cumsum"] = vjp_cumsum


def vjp_cumprod(primals, outs, cts, axis, reverse=False):
    # The transpose of jvp_cumprod: g_j = ct_j + x_{j+1} g_{j+1}, then ct_x_j = y_{j-1} g_j.
    step = -1 if reverse else 1
    g = linear_recurrence(b.shift(primals[0], axis, -step, 1), cts[0], axis, not reverse)
    return [b.mul(b.shift(outs[0], axis, step, 1), g)]


vjp_rules["irax.cumprod"] = vjp_cumprod


def vjp_slice(primals, outs, cts, start_indices, limit_indices, strides=None):
    x = aval_of(primals[0])
    out = aval_of(outs[0])
    strides = strides or (1,) * x.ndim
    low = list(start_indices)
    interior = [s - 1 for s in strides]
    high = [d - (lo + (n - 1) * s + 1) if n else d - lo
            for d, lo, n, s in zip(x.shape, low, out.shape, strides)]
    zero = b.full((), 0, x.dtype)
    return [b.op("irax.pad", cts[0], zero, low=low, high=high, interior=interior)]


vjp_rules["irax.slice"] = vjp_slice


def vjp_pad(primals, outs, cts, low, high, interior=None):
    """The operand's cotangent is the strided slice of ct where it landed;
    the padding value's is everything else."""
    x = aval_of(primals[0])
    interior = interior or (0,) * x.ndim
    ct = cts[0]
    # Undo negative padding (cropping) by padding the cotangent back with zeros.
    if any(lo < 0 or hi < 0 for lo, hi in zip(low, high)):
        zero = b.full((), 0, x.dtype)
        ct = b.op("irax.pad", ct, zero, low=[max(-lo, 0) for lo in low],
                  high=[max(-hi, 0) for hi in high], interior=[0] * x.ndim)
        low = [max(lo, 0) for lo in low]
    start = list(low)
    limit = [lo + (d - 1) * (it + 1) + 1 if d else lo for lo, d, it in zip(low, x.shape, interior)]
    ct_x = b.op("irax.slice", ct, start_indices=start, limit_indices=limit,
                strides=[it + 1 for it in interior])
    total = b.reduce_sum(cts[0], list(range(x.ndim)))
    ct_pv = b.sub(total, b.reduce_sum(ct_x, list(range(x.ndim))))
    return [ct_x, ct_pv]


vjp_rules["irax.pad"] = vjp_pad


def vjp_concatenate(primals, outs, cts, dimension):
    out, start = [], 0
    shape = aval_of(cts[0]).shape
    for p in primals:
        n = aval_of(p).shape[dimension]
        lo = [0] * len(shape)
        hi = list(shape)
        lo[dimension], hi[dimension] = start, start + n
        out.append(b.op("irax.slice", cts[0], start_indices=lo, limit_indices=hi,
                        strides=[1] * len(shape)))
        start += n
    return out


vjp_rules["irax.concatenate"] = vjp_concatenate


def vjp_dynamic_slice(primals, outs, cts, slice_sizes):
    x, *idx = primals
    return [b.op("irax.dynamic_update_slice", b.zeros_like(x), cts[0], *idx)] + [None] * len(idx)


vjp_rules["irax.dynamic_slice"] = vjp_dynamic_slice


def vjp_dynamic_update_slice(primals, outs, cts):
    x, u, *idx = primals
    ct_x = b.op("irax.dynamic_update_slice", cts[0], b.zeros_like(u), *idx)
    ct_u = b.op("irax.dynamic_slice", cts[0], *idx, slice_sizes=aval_of(u).shape)
    return [ct_x, ct_u] + [None] * len(idx)


vjp_rules["irax.dynamic_update_slice"] = vjp_dynamic_update_slice


def vjp_gather(primals, outs, cts):
    x, idx = primals
    return [b.op("irax.scatter", b.zeros_like(x), idx, cts[0], mode="add"), None]


vjp_rules["irax.gather"] = vjp_gather


def vjp_scatter(primals, outs, cts, mode):
    """Updates whose index is out of bounds were dropped, so get a zero cotangent."""
    x, idx, u = primals
    ct = cts[0]
    if mode == "add":
        return [ct, None, gather_in_bounds(ct, idx)]
    zero_u = b.zeros_like(u)
    if mode == "set":
        ct_x = b.op("irax.scatter", ct, idx, zero_u, mode="set")
        return [ct_x, None, b.select(scatter_winners(x, idx, u), b.op("irax.gather", ct, idx),
                                     zero_u)]
    if mode in ("min", "max"):
        wx, wu = scatter_extremum_weights(x, idx, u, outs[0])
        return [b.mul(ct, wx), None, b.mul(gather_in_bounds(ct, idx), wu)]
    if mode == "mul":
        inb = broadcast_rows(scatter_in_bounds(idx, aval_of(x).shape), u)
        ct_u = b.mul(b.op("irax.gather", b.mul(ct, x), idx), scatter_mul_others(x, idx, u))
        return [b.op("irax.scatter", ct, idx, u, mode="mul"), None, b.select(inb, ct_u, zero_u)]
    raise NotImplementedError(f"no VJP rule for 'irax.scatter' with mode={mode!r}")


vjp_rules["irax.scatter"] = vjp_scatter


def vjp_dot_general(primals, outs, cts, lhs_contracting, rhs_contracting, lhs_batch=(),
                    rhs_batch=()):
    x, y = primals
    ct = cts[0]
    xa, ya = aval_of(x), aval_of(y)
    lb, lc, rb, rc = list(lhs_batch), list(lhs_contracting), list(rhs_batch), list(rhs_contracting)
    lf = [i for i in range(xa.ndim) if i not in lb and i not in lc]
    rf = [i for i in range(ya.ndim) if i not in rb and i not in rc]
    nb = len(lb)
    # ct dims: batch, lhs free, rhs free.
    ct_lf = list(range(nb, nb + len(lf)))
    ct_rf = list(range(nb + len(lf), nb + len(lf) + len(rf)))
    batch = list(range(nb))
    # d lhs: contract ct's rhs-free dims with y's free dims -> [batch, lf, rc sorted].
    dx = b.dot_general(ct, y, ct_rf, rf, batch, rb)
    src = lb + lf + [lc[rc.index(r)] for r in sorted(rc)]
    dx = b.transpose(dx, [src.index(d) for d in range(xa.ndim)])
    # d rhs: contract x's free dims with ct's lhs-free dims -> [batch, lc sorted, rf]
    # (x first, so a weight gradient comes out in the weight's own layout).
    dy = b.dot_general(x, ct, lf, ct_lf, lb, batch)
    src = rb + [rc[lc.index(l)] for l in sorted(lc)] + rf
    dy = b.transpose(dy, [src.index(d) for d in range(ya.ndim)])
    return [dx, dy]


vjp_rules["irax.dot_general"] = vjp_dot_general


def vjp_sort(primals, outs, cts, dimension, num_keys=1, descending=False):
    _, perm = sort_permutation(primals, dimension, num_keys, descending)
    return [b.put_along_axis_add(p, perm, c, dimension) for p, c in zip(primals, cts)]


vjp_rules["irax.sort"] = vjp_sort


def _vjp_running_extremum(combine):
    def rule(primals, outs, cts, axis, reverse=False):
        # The VJP of JAX's associative-scan tree (see jvp._running_extremum).
        x = primals[0]
        with decomposition(lambda v: [associative_scan(combine, v, axis, reverse)], x) as blk:
            _, (ct,) = vjp_block(blk, [x], [0], cts)
        return [ct]
    return rule


vjp_rules["irax.cummax"] = _vjp_running_extremum(b.maximum)
vjp_rules["irax.cummin"] = _vjp_running_extremum(b.minimum)
