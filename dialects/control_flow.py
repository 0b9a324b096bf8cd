"""Structured control flow: `irax.cond`, `irax.while`, `irax.scan` (region ops).

The region ops are isolated from above: every value a region uses is an
operand of the op, and each region's single block takes the operands it sees
as block arguments and ends in an `irax.yield`.  Because of that, cloning,
inlining, CSE and DCE never have to look through a region boundary.

    "irax.cond"(index, operands...)      N regions (branches), each
        ^bb(operands...) -> yield results...     index: i1 (2 branches:
        region 0 = false, region 1 = true) or i32/i64 (clamped to [0, N-1]).
    "irax.while"(consts..., carry...) {num_consts}   regions (cond, body):
        cond ^bb(consts..., carry...) -> yield tensor<i1>
        body ^bb(consts..., carry...) -> yield carry...
    "irax.scan"(consts..., carry..., xs...) {length, reverse, num_consts, num_carry}
        body ^bb(consts..., carry..., x slices...) -> yield carry..., y slices...
        results: final carry..., ys (each y slice stacked on a new axis 0).

`num_consts` keeps loop-invariant operands (closure captures such as weights)
out of the carry, so reverse mode does not store one copy per iteration.
"""
from __future__ import annotations

from . import build as b
from .batching import batch_at, batch_block, batch_region_rules
from .context import ir
from .expand import inline_body
from .jvp import jvp_block, jvp_region_rules
from .ops import OPS, IraxTypeError, attrs_of, define, where_string
from .types import Aval, aval_of, is_inexact, tensor_type
from .vjp import vjp_block, vjp_region_rules

REGION_OPS = ("irax.cond", "irax.while", "irax.scan")


def _avals_str(avals):
    return "(" + ", ".join(a.str_short() for a in avals) + ")"


def region_block(op, i=0):
    """The single block of region `i` of a region op."""
    blocks = list(op.regions[i].blocks)
    if len(blocks) != 1:
        raise IraxTypeError(f"{op.name}: region {i} must have exactly one block, has {len(blocks)}")
    return blocks[0]


def terminator(block):
    ops = list(block.operations)
    if not ops or ops[-1].name != "irax.yield":
        raise IraxTypeError("region must end in irax.yield")
    return ops[-1]


def yielded(block) -> list:
    return list(terminator(block).operands)


def _check_region(name, what, block, arg_avals, yield_avals):
    args = [aval_of(a) for a in block.arguments]
    if args != list(arg_avals):
        raise IraxTypeError(f"{name}: {what} takes {_avals_str(args)}, expected "
                            f"{_avals_str(arg_avals)}")
    try:
        ys = [aval_of(v) for v in yielded(block)]
    except IraxTypeError as e:
        raise IraxTypeError(f"{name}: {what}: {e}") from None
    if ys != list(yield_avals):
        raise IraxTypeError(f"{name}: {what} yields {_avals_str(ys)}, expected "
                            f"{_avals_str(yield_avals)}")


def _check_isolated(op):
    """Every value used in `op`'s regions is defined inside them."""
    for i, region in enumerate(op.regions):
        defined, used = set(), []

        def collect(r):
            for blk in r.blocks:
                defined.update(blk.arguments)
                for inner in blk.operations:
                    defined.update(inner.results)
                    used.extend(inner.operands)
                    for nested in inner.regions:
                        collect(nested)
        collect(region)
        if any(v not in defined for v in used):
            raise IraxTypeError(f"{op.name}: region {i} uses a value defined outside the op "
                                "(regions are isolated from above: pass it as an operand)")


# --------------------------------------------------------------------------
# Definitions
# --------------------------------------------------------------------------

def _no_inference(avals, **attrs):
    raise IraxTypeError("result types of a region op come from its regions")


def _verify_yield(op):
    parent = op.parent
    if parent is None or parent.name not in REGION_OPS:
        raise IraxTypeError("irax.yield must terminate a region of irax.cond/while/scan")


define("irax.yield", inferable=False, verify=_verify_yield)(_no_inference)


def verify_cond(op):
    _check_isolated(op)
    name = "irax.cond"
    ops = list(op.operands)
    if not ops:
        raise IraxTypeError(f"{name}: needs a predicate or index operand")
    p = aval_of(ops[0])
    n = len(op.regions)
    if p.shape != ():
        raise IraxTypeError(f"{name}: the predicate/index must be a scalar, got {p.str_short()}")
    if p.dtype == "bool":
        if n != 2:
            raise IraxTypeError(f"{name}: a bool predicate needs 2 branches, got {n}")
    elif p.dtype not in ("int32", "int64"):
        raise IraxTypeError(f"{name}: the predicate/index must be bool or int32/int64, "
                            f"got {p.str_short()}")
    if n < 1:
        raise IraxTypeError(f"{name}: needs at least one branch")
    args = [aval_of(v) for v in ops[1:]]
    res = [aval_of(r) for r in op.results]
    for i in range(n):
        _check_region(name, f"branch {i}", region_block(op, i), args, res)


define("irax.cond", regions=2, inferable=False, verify=verify_cond)(_no_inference)


def verify_while(op):
    _check_isolated(op)
    name = "irax.while"
    k = attrs_of(op).get("num_consts", 0)
    ops = [aval_of(v) for v in op.operands]
    carry = ops[k:]
    res = [aval_of(r) for r in op.results]
    if len(op.regions) != 2:
        raise IraxTypeError(f"{name}: needs 2 regions (cond, body), got {len(op.regions)}")
    if res != carry:
        raise IraxTypeError(f"{name}: results {_avals_str(res)} must match the carry "
                            f"{_avals_str(carry)}")
    _check_region(name, "cond region", region_block(op, 0), ops, [Aval((), "bool")])
    _check_region(name, "body region", region_block(op, 1), ops, carry)


define("irax.while", {"num_consts": "int"}, regions=2, inferable=False,
       verify=verify_while)(_no_inference)


def scan_layout(op):
    """(consts, carry, xs) operand lists of an irax.scan."""
    at = attrs_of(op)
    k, c = at.get("num_consts", 0), at["num_carry"]
    ops = list(op.operands)
    return ops[:k], ops[k:k + c], ops[k + c:]


def verify_scan(op):
    _check_isolated(op)
    name = "irax.scan"
    at = attrs_of(op)
    length = at["length"]
    if length < 0:
        raise IraxTypeError(f"{name}: negative length {length}")
    consts, carry, xs = scan_layout(op)
    carry_avals = [aval_of(v) for v in carry]
    x_avals = []
    for v in xs:
        a = aval_of(v)
        if a.ndim == 0 or a.shape[0] != length:
            raise IraxTypeError(f"{name}: scanned operand {a.str_short()} must have a leading "
                                f"axis of length {length}")
        x_avals.append(Aval(a.shape[1:], a.dtype))
    res = [aval_of(r) for r in op.results]
    if res[:len(carry)] != carry_avals:
        raise IraxTypeError(f"{name}: final carry {_avals_str(res[:len(carry)])} must match the "
                            f"initial carry {_avals_str(carry_avals)}")
    ys = res[len(carry):]
    for a in ys:
        if a.ndim == 0 or a.shape[0] != length:
            raise IraxTypeError(f"{name}: stacked output {a.str_short()} must have a leading "
                                f"axis of length {length}")
    block = region_block(op, 0)
    args = [aval_of(v) for v in consts] + carry_avals + x_avals
    _check_region(name, "body", block, args, carry_avals + [Aval(a.shape[1:], a.dtype) for a in ys])


define("irax.scan", {"length": "int", "reverse": "bool", "num_consts": "int", "num_carry": "int"},
       regions=1, inferable=False, verify=verify_scan)(_no_inference)


# --------------------------------------------------------------------------
# Builders (for the frontend and for transform rules)
# --------------------------------------------------------------------------

def _encode(name, attrs):
    return OPS[name].encode(attrs, None)


def build_region_op(name, operands, result_avals, region_args, bodies, **attrs):
    """Create region op `name` at the current insertion point and location.

    `region_args[i]`: the avals of region i's block arguments; `bodies[i]`
    is called with those block arguments (insertion point in the block) and
    returns the values to yield.  Returns the op.
    """
    op = ir.Operation.create(name, results=[tensor_type(a) for a in result_avals],
                             operands=list(operands), attributes=_encode(name, attrs),
                             regions=len(bodies))
    loc = ir.Location.current
    for region, avals, body in zip(op.regions, region_args, bodies):
        block = region.blocks.append(*[tensor_type(a) for a in avals],
                                     arg_locs=[loc] * len(avals))
        with ir.InsertionPoint(block):
            outs = body(list(block.arguments))
            ir.Operation.create("irax.yield", results=[], operands=list(outs))
    return op


def cond(index, operands, branches, result_avals):
    """Emit irax.cond; `branches[i](args) -> values` builds branch i."""
    args = [aval_of(v) for v in operands]
    op = build_region_op("irax.cond", [index] + list(operands), result_avals,
                         [args] * len(branches), branches)
    return list(op.results)


def while_loop(consts, init, cond_body, body):
    """Emit irax.while; `cond_body(consts + carry) -> [i1 scalar]`, `body(...) -> carry`."""
    args = [aval_of(v) for v in list(consts) + list(init)]
    carry = [aval_of(v) for v in init]
    op = build_region_op("irax.while", list(consts) + list(init), carry, [args, args],
                         [cond_body, body], num_consts=len(consts))
    return list(op.results)


def scan(consts, init, xs, body, length, reverse, y_avals):
    """Emit irax.scan; `body(consts + carry + x slices) -> carry + y slices`.

    `y_avals` are the per-step output avals (without the length axis).
    """
    x_avals = [Aval(aval_of(v).shape[1:], aval_of(v).dtype) for v in xs]
    args = [aval_of(v) for v in list(consts) + list(init)] + x_avals
    results = [aval_of(v) for v in init] + [Aval((length,) + a.shape, a.dtype) for a in y_avals]
    op = build_region_op("irax.scan", list(consts) + list(init) + list(xs), results, [args],
                         [body], length=length, reverse=reverse, num_consts=len(consts),
                         num_carry=len(init))
    return list(op.results)


# --------------------------------------------------------------------------
# Transforms.  Rules follow the conventions of jvp.py, vjp.py and batching.py;
# region bodies are transformed with their block-level helpers.
# --------------------------------------------------------------------------



def _float(v):
    return is_inexact(aval_of(v).dtype)


def _zeros_if_none(ts, like):
    return [t if t is not None else b.zeros_like(x) for t, x in zip(ts, like)]


# ---- JVP: each region computes (primals, tangents); tangents of float
# results/carries are always materialised so all regions agree on types.

def jvp_cond(op, primals, tangents):
    index, args = primals[0], primals[1:]
    targs = tangents[1:]
    live = [i for i, t in enumerate(targs) if t is not None]
    res = [aval_of(r) for r in op.results]
    tres = [a for a in res if is_inexact(a.dtype)]
    n = len(args)

    def branch(k):
        def body(vals):
            ts = [None] * n
            for j, i in enumerate(live):
                ts[i] = vals[n + j]
            outs, touts = jvp_block(region_block(op, k), vals[:n], ts)
            touts = [t if t is not None else b.zeros_like(o)
                     for o, t in zip(outs, touts) if _float(o)]
            return outs + touts
        return body
    new = cond(index, list(args) + [targs[i] for i in live],
               [branch(k) for k in range(len(op.regions))], res + tres)
    outs, touts = new[:len(res)], iter(new[len(res):])
    return outs, [next(touts) if is_inexact(a.dtype) else None for a in res]


jvp_region_rules["irax.cond"] = jvp_cond


def _tangent_layout(values, tangents, always):
    """Which values get a tangent slot: all float ones if `always`, else the
    ones with a non-zero tangent."""
    if always:
        return [i for i, v in enumerate(values) if _float(v)]
    return [i for i, t in enumerate(tangents) if t is not None]


def jvp_while(op, primals, tangents):
    k = attrs_of(op).get("num_consts", 0)
    consts, carry = primals[:k], primals[k:]
    tc, tcarry = tangents[:k], tangents[k:]
    lc = _tangent_layout(consts, tc, False)
    lk = _tangent_layout(carry, tcarry, True)
    nk, nc = len(consts), len(carry)
    new_consts = list(consts) + [tc[i] for i in lc]
    init = list(carry) + _zeros_if_none([tcarry[i] for i in lk], [carry[i] for i in lk])

    def split(vals):
        cv, kv = vals[:len(new_consts)], vals[len(new_consts):]
        ts = [None] * (nk + nc)
        for j, i in enumerate(lc):
            ts[i] = cv[nk + j]
        for j, i in enumerate(lk):
            ts[nk + i] = kv[nc + j]
        return list(cv[:nk]) + list(kv[:nc]), ts

    def cond_body(vals):
        ps, _ = split(vals)
        return inline_body(region_block(op, 0), ps)

    def body(vals):
        ps, ts = split(vals)
        outs, touts = jvp_block(region_block(op, 1), ps, ts)
        return outs + _zeros_if_none([touts[i] for i in lk], [outs[i] for i in lk])
    new = while_loop(new_consts, init, cond_body, body)
    touts = [None] * nc
    for j, i in enumerate(lk):
        touts[i] = new[nc + j]
    return new[:nc], touts


jvp_region_rules["irax.while"] = jvp_while


def jvp_scan(op, primals, tangents):
    at = attrs_of(op)
    k, nc, length = at.get("num_consts", 0), at["num_carry"], at["length"]
    consts, carry, xs = primals[:k], primals[k:k + nc], primals[k + nc:]
    tc, tk, tx = tangents[:k], tangents[k:k + nc], tangents[k + nc:]
    lc, lk, lx = (_tangent_layout(consts, tc, False), _tangent_layout(carry, tk, True),
                  _tangent_layout(xs, tx, False))
    nx = len(xs)
    block = region_block(op, 0)
    y_avals = [aval_of(v) for v in yielded(block)[nc:]]
    ly = [i for i, a in enumerate(y_avals) if is_inexact(a.dtype)]
    new_consts = list(consts) + [tc[i] for i in lc]
    init = list(carry) + _zeros_if_none([tk[i] for i in lk], [carry[i] for i in lk])
    new_xs = list(xs) + [tx[i] for i in lx]

    def body(vals):
        cv = vals[:len(new_consts)]
        kv = vals[len(new_consts):len(new_consts) + len(init)]
        xv = vals[len(new_consts) + len(init):]
        ts = [None] * (k + nc + nx)
        for j, i in enumerate(lc):
            ts[i] = cv[k + j]
        for j, i in enumerate(lk):
            ts[k + i] = kv[nc + j]
        for j, i in enumerate(lx):
            ts[k + nc + i] = xv[nx + j]
        outs, touts = jvp_block(block, list(cv[:k]) + list(kv[:nc]) + list(xv[:nx]), ts)
        touts = _zeros_if_none(touts, outs)
        return (outs[:nc] + [touts[i] for i in lk] + outs[nc:]
                + [touts[nc + i] for i in ly])
    new = scan(new_consts, init, new_xs, body, length, at.get("reverse", False),
               y_avals + [y_avals[i] for i in ly])
    n_init = len(init)
    touts = [None] * (nc + len(y_avals))
    for j, i in enumerate(lk):
        touts[i] = new[nc + j]
    for j, i in enumerate(ly):
        touts[nc + i] = new[n_init + len(y_avals) + j]
    return new[:nc] + new[n_init:n_init + len(y_avals)], touts


jvp_region_rules["irax.scan"] = jvp_scan


# ---- VJP

def vjp_cond(op, primals, outs, cts):
    index, args = primals[0], primals[1:]
    n = len(args)
    diff = [i for i, v in enumerate(args) if _float(v)]
    given = [i for i, c in enumerate(cts) if c is not None]

    def branch(k):
        def body(vals):
            seeds = [None] * len(cts)
            for j, i in enumerate(given):
                seeds[i] = vals[n + j]
            _, arg_cts = vjp_block(region_block(op, k), vals[:n], diff, seeds)
            return _zeros_if_none(arg_cts, [vals[i] for i in diff])
        return body
    new = cond(index, list(args) + [cts[i] for i in given],
               [branch(k) for k in range(len(op.regions))], [aval_of(args[i]) for i in diff])
    out = [None] * (n + 1)
    for j, i in enumerate(diff):
        out[1 + i] = new[j]
    return out


vjp_region_rules["irax.cond"] = vjp_cond


def vjp_while(op, primals, outs, cts):
    raise NotImplementedError(
        "reverse-mode differentiation of irax.while (lax.while_loop, or lax.fori_loop with "
        "traced bounds) is not supported: its trip count depends on values, so the backward "
        "pass cannot know how many steps to store. Use lax.fori_loop with Python int bounds "
        f"or lax.scan, or forward mode (jvp/jacfwd) (at {where_string(op.location)})")


vjp_region_rules["irax.while"] = vjp_while


def vjp_scan(op, primals, outs, cts):
    """Reverse mode with rematerialisation.

    A forward scan (emitted in place of the forward copy) also stacks the
    carry each step starts from; a reverse scan then recomputes each step's
    body from its stored carry and applies the body's VJP, accumulating the
    cotangents of the loop invariants in its carry.  Memory: one carry per
    step; the body's intermediates are recomputed, not stored.
    """
    at = attrs_of(op)
    k, nc, length = at.get("num_consts", 0), at["num_carry"], at["length"]
    reverse = at.get("reverse", False)
    consts, carry, xs = primals[:k], primals[k:k + nc], primals[k + nc:]
    nx = len(xs)
    block = region_block(op, 0)
    y_avals = [aval_of(v) for v in yielded(block)[nc:]]
    carry_avals = [aval_of(v) for v in carry]

    # Forward again, stacking the carries; it replaces the forward copy.
    def fwd(vals):
        res = inline_body(block, vals)
        return res + list(vals[k:k + nc])
    with ir.InsertionPoint(outs[0].owner):
        stacked = scan(consts, carry, xs, fwd, length, reverse, y_avals + carry_avals)
    for i, s in enumerate(stacked[:len(outs)]):
        outs[i].replace_all_uses_with(s)
        outs[i] = s  # for a caller that re-reads the forward values after the rule
    carries = stacked[nc + len(y_avals):]

    dc = [i for i, v in enumerate(consts) if _float(v)]
    dk = [i for i, v in enumerate(carry) if _float(v)]
    dx = [i for i, v in enumerate(xs) if _float(v)]
    dy = [i for i, a in enumerate(y_avals) if is_inexact(a.dtype)]
    ct_carry = _zeros_if_none([cts[i] for i in dk], [outs[i] for i in dk])
    ct_ys = _zeros_if_none([cts[nc + i] for i in dy], [outs[nc + i] for i in dy])
    acc0 = [b.zeros_like(consts[i]) for i in dc]
    argnums = dc + [k + i for i in dk] + [k + nc + i for i in dx]

    def bwd(vals):
        cv = vals[:k]
        acc = vals[k:k + len(dc)]
        ctk = vals[k + len(dc):k + len(dc) + len(dk)]
        rest = vals[k + len(dc) + len(dk):]
        xv, kv, cty = rest[:nx], rest[nx:nx + nc], rest[nx + nc:]
        seeds = [None] * (nc + len(y_avals))
        for j, i in enumerate(dk):
            seeds[i] = ctk[j]
        for j, i in enumerate(dy):
            seeds[nc + i] = cty[j]
        _, arg_cts = vjp_block(block, list(cv) + list(kv) + list(xv), argnums, seeds)
        like = [cv[i] for i in dc] + [kv[i] for i in dk] + [xv[i] for i in dx]
        arg_cts = _zeros_if_none(arg_cts, like)
        g_c, g_k, g_x = (arg_cts[:len(dc)], arg_cts[len(dc):len(dc) + len(dk)],
                         arg_cts[len(dc) + len(dk):])
        return [b.add(a, g) for a, g in zip(acc, g_c)] + list(g_k) + list(g_x)
    res = scan(consts, acc0 + ct_carry, list(xs) + carries + ct_ys, bwd, length, not reverse,
               [Aval(aval_of(xs[i]).shape[1:], aval_of(xs[i]).dtype) for i in dx])
    out = [None] * (k + nc + nx)
    for j, i in enumerate(dc):
        out[i] = res[j]
    for j, i in enumerate(dk):
        out[k + i] = res[len(dc) + j]
    for j, i in enumerate(dx):
        out[k + nc + i] = res[len(dc) + len(dk) + j]
    return out


vjp_region_rules["irax.scan"] = vjp_scan


# ---- Batching

def _batch_size(args, dims):
    return next(aval_of(v).shape[d] for v, d in zip(args, dims) if d is not None)


def _batched(a: Aval, size):
    return Aval((size,) + a.shape, a.dtype)


def _trial_dims(block, avals, dims, size):
    """The batch dims of `block`'s yields with its arguments batched at `dims`
    (a dry run in a scratch op that is then erased)."""
    scratch = ir.Operation.create("irax.scratch", regions=1)
    loc = ir.Location.current
    blk = scratch.regions[0].blocks.append(*[tensor_type(a) for a in avals],
                                           arg_locs=[loc] * len(avals))
    try:
        with ir.InsertionPoint(blk):
            _, out = batch_block(block, list(blk.arguments), dims, size)
    finally:
        scratch.erase()
    return out


def _to_front(vals, dims, keep, size):
    """Batched values (batch dim at `dims`) moved to dim 0 where `keep`; the
    others must be unbatched."""
    return [batch_at(v, d, 0, size) if k else v for v, d, k in zip(vals, dims, keep)]


def _select_lanes(pred, new, old):
    """Per batch lane (dim 0): `new` where `pred`, else `old`."""
    shape = aval_of(new).shape
    return b.select(b.broadcast_in_dim(pred, shape, (0,)), new, old)


def batch_cond(op, args, dims):
    """Unbatched predicate: one irax.cond over batched branches.  Batched
    predicate: every branch runs on the whole batch, then a per-lane select."""
    size = _batch_size(args, dims)
    index, idim, ops_, odims = args[0], dims[0], args[1:], dims[1:]
    n = len(op.regions)
    res = [_batched(aval_of(r), size) for r in op.results]
    if idim is None:
        # A result is batched only if some branch makes it so (JVP primals
        # stay unbatched under the tangents' vmap, as jacfwd's out_axes want).
        avals = [aval_of(v) for v in ops_]
        batched = [False] * len(res)
        for k in range(n):
            ods = _trial_dims(region_block(op, k), avals, odims, size)
            batched = [bt or d is not None for bt, d in zip(batched, ods)]
        res = [a if bt else aval_of(r) for a, r, bt in zip(res, op.results, batched)]

        def branch(k):
            def body(vals):
                outs, ods = batch_block(region_block(op, k), vals, odims, size)
                return _to_front(outs, ods, batched, size)
            return body
        return (cond(index, ops_, [branch(k) for k in range(n)], res),
                [0 if bt else None for bt in batched])
    results = []
    for k in range(n):
        outs, ods = batch_block(region_block(op, k), ops_, odims, size)
        results.append(_to_front(outs, ods, [True] * len(outs), size))
    idx = batch_at(index, idim, 0, size)
    if aval_of(idx).dtype == "bool":
        return [_select_lanes(idx, t, f) for t, f in zip(results[1], results[0])], [0] * len(res)
    dt = aval_of(idx).dtype
    idx = b.op("irax.clamp", b.full((), 0, dt), idx, b.full((), n - 1, dt))
    out = results[n - 1]
    for k in reversed(range(n - 1)):
        hit = b.eq(idx, b.full_like(idx, k))
        out = [_select_lanes(hit, v, o) for v, o in zip(results[k], out)]
    return out, [0] * len(res)


batch_region_rules["irax.cond"] = batch_cond


def _carry_fixed_point(block, const_avals, const_dims, carry_avals, batched, extra_avals,
                       extra_dims, size):
    """Which carries end up batched: a carry is batched if its initial value
    is, or the body makes it so given the others; iterate to a fixed point."""
    while True:
        avals = (list(const_avals) + [_batched(a, size) if bt else a
                                      for a, bt in zip(carry_avals, batched)] + list(extra_avals))
        dims = list(const_dims) + [0 if bt else None for bt in batched] + list(extra_dims)
        out = _trial_dims(block, avals, dims, size)
        new = [bt or d is not None for bt, d in zip(batched, out)]
        if new == batched:
            return batched, avals, dims, out
        batched = new


def batch_while(op, args, dims):
    """Unbatched predicate: one loop with batched carries.  Batched predicate:
    the loop runs until every lane is done; finished lanes keep their carry."""
    size = _batch_size(args, dims)
    k = attrs_of(op).get("num_consts", 0)
    consts, carry, cd, kd = args[:k], args[k:], dims[:k], dims[k:]
    carry_avals = [aval_of(v) for v in list(op.operands)[k:]]
    const_avals = [aval_of(v) for v in consts]
    cond_blk, body_blk = region_block(op, 0), region_block(op, 1)
    batched, avals, all_dims, _ = _carry_fixed_point(
        body_blk, const_avals, cd, carry_avals, [d is not None for d in kd], [], [], size)
    pred_dim = _trial_dims(cond_blk, avals, all_dims, size)[0]
    if pred_dim is not None:
        batched = [True] * len(carry)
        all_dims = list(cd) + [0] * len(carry)
    init = _to_front(carry, kd, batched, size)

    def pred_of(vals):
        outs, ods = batch_block(cond_blk, vals, all_dims, size)
        return outs[0], ods[0]

    def step(vals):
        outs, ods = batch_block(body_blk, vals, all_dims, size)
        return _to_front(outs, ods, batched, size)

    if pred_dim is None:
        new = while_loop(consts, init, lambda vals: [pred_of(vals)[0]], step)
    else:
        def any_lane(vals):
            p, d = pred_of(vals)
            return [b.op("irax.reduce_or", batch_at(p, d, 0, size), axes=(0,))]

        def masked_step(vals):
            p, d = pred_of(vals)
            p = batch_at(p, d, 0, size)
            return [_select_lanes(p, n, o) for n, o in zip(step(vals), vals[k:])]
        new = while_loop(consts, init, any_lane, masked_step)
    return new, [0 if bt else None for bt in batched]


batch_region_rules["irax.while"] = batch_while


def batch_scan(op, args, dims):
    """The carry is batched at dim 0 (where it must be), scanned inputs at dim 1
    (so each slice is batched at 0), stacked outputs at dim 1."""
    size = _batch_size(args, dims)
    at = attrs_of(op)
    k, nc, length = at.get("num_consts", 0), at["num_carry"], at["length"]
    consts, carry, xs = args[:k], args[k:k + nc], args[k + nc:]
    cd, kd, xd = dims[:k], dims[k:k + nc], dims[k + nc:]
    block = region_block(op, 0)
    orig = list(op.operands)
    carry_avals = [aval_of(v) for v in orig[k:k + nc]]
    xs_b = [batch_at(v, d, 1, size) if d is not None else v for v, d in zip(xs, xd)]
    x_avals = [Aval(aval_of(v).shape[1:], aval_of(v).dtype) for v in xs_b]
    x_dims = [0 if d is not None else None for d in xd]
    batched, _, all_dims, out = _carry_fixed_point(
        block, [aval_of(v) for v in consts], cd, carry_avals, [d is not None for d in kd],
        x_avals, x_dims, size)
    y_batched = [d is not None for d in out[nc:]]
    y_avals = [aval_of(v) for v in yielded(block)[nc:]]
    y_avals = [_batched(a, size) if yb else a for a, yb in zip(y_avals, y_batched)]
    init = _to_front(carry, kd, batched, size)

    def body(vals):
        outs, ods = batch_block(block, vals, all_dims, size)
        return _to_front(outs, ods, batched + y_batched, size)
    new = scan(consts, init, xs_b, body, length, at.get("reverse", False), y_avals)
    return new, [0 if bt else None for bt in batched] + [1 if yb else None for yb in y_batched]


batch_region_rules["irax.scan"] = batch_scan
