"""Lowering of the region ops to `scf` on tensors.

The pattern driver walks post-order, so by the time a region op is lowered
the ops inside its regions already are.  Each rule builds the scf op, then
moves the region's ops into it (`_splice`): block arguments are replaced by
the values they stand for (scf regions are not isolated, so loop-invariant
operands are used directly) and `irax.yield` becomes the scf terminator.

    irax.cond (i1, 2 branches)  -> scf.if
    irax.cond (index)           -> nested scf.if on the index clamped to [0, N-1]
    irax.while                  -> scf.while with tensor iter_args
    irax.scan                   -> scf.for with tensor iter_args; x slices are
                                   rank-reducing extract_slices at the step index,
                                   y slices insert_slices into the stacked outputs
"""
from __future__ import annotations

from iree.compiler import ir, passmanager
from iree.compiler.dialects import arith, scf, tensor

from irax.dialects.control_flow import region_block, yielded

from . import builders as B
from .scalar import convert_scalar
from .to_linalg import lowering


def _splice(src_block, args, dest_block, make_term):
    """Move `src_block`'s ops to the end of `dest_block`, its arguments bound to
    `args`; `make_term(yielded values)` builds the ops after them and the terminator."""
    vals = yielded(src_block)
    anchor_at = len(list(dest_block.operations))
    with ir.InsertionPoint(dest_block):
        make_term(vals)
    anchor = list(dest_block.operations)[anchor_at]
    for a, v in zip(src_block.arguments, args):
        a.replace_all_uses_with(v)
    for o in list(src_block.operations)[:-1]:
        o.move_before(anchor)


def _varying(block, k, init):
    """(indices of the carries `block` changes, carry(values of those) -> every carry).

    A carry the body yields back unchanged stays its initial value, so it is
    left out of the loop: IREE's VM loses a value that a back edge passes to
    its own slot and to another one too."""
    args = list(block.arguments)[k:k + len(init)]
    loop = [i for i, (y, a) in enumerate(zip(yielded(block), args)) if y != a]

    def carry(values):
        at = dict(zip(loop, values))
        return [at.get(i, x) for i, x in enumerate(init)]
    return loop, carry


def _result_types(op):
    return [r.type for r in op.results]


@lowering("irax.cond")
def lower_cond(c):
    op = c.op
    index, operands = c.operands[0], c.operands[1:]
    n = len(op.regions)
    types = _result_types(op)
    p = tensor.extract(index, [])
    if c.in_avals[0].dtype == "bool":
        if_op = scf.IfOp(p, types, has_else=True)
        _splice(region_block(op, 1), operands, if_op.then_block, lambda vs: scf.YieldOp(vs))
        _splice(region_block(op, 0), operands, if_op.else_block, lambda vs: scf.YieldOp(vs))
        return list(if_op.results)
    dtype = c.in_avals[0].dtype
    i = convert_scalar(p, dtype, "int64") if dtype != "int64" else p
    i = arith.maxsi(i, B.scalar_const("int64", 0))
    i = arith.minsi(i, B.scalar_const("int64", n - 1))
    return _switch_chain(op, operands, i, 0, n, types)


def _switch_chain(op, operands, i, k, n, types):
    """Branches k..n-1 as nested scf.if on `i == k` (IREE's stream conversion
    does not handle scf.index_switch)."""
    flag = arith.cmpi(arith.CmpIPredicate.eq, i, B.scalar_const("int64", k))
    if_op = scf.IfOp(flag, types, has_else=True)
    _splice(region_block(op, k), operands, if_op.then_block, lambda vs: scf.YieldOp(vs))
    if k + 2 == n:
        _splice(region_block(op, n - 1), operands, if_op.else_block, lambda vs: scf.YieldOp(vs))
    else:
        with ir.InsertionPoint(if_op.else_block):
            scf.YieldOp(_switch_chain(op, operands, i, k + 1, n, types))
    return list(if_op.results)


@lowering("irax.while")
def lower_while(c):
    op = c.op
    k = c.attrs.get("num_consts", 0)
    consts, init = c.operands[:k], c.operands[k:]
    body = region_block(op, 1)
    loop, carry = _varying(body, k, init)
    types = [_result_types(op)[i] for i in loop]
    w = scf.WhileOp(types, [init[i] for i in loop])
    if _rotation_hazard(body, k, loop):
        w.operation.attributes[TO_CFG] = ir.UnitAttr.get()
    loc = ir.Location.current
    before = w.before.blocks.append(*types, arg_locs=[loc] * len(types))
    after = w.after.blocks.append(*types, arg_locs=[loc] * len(types))

    def condition(vs):
        flag = tensor.extract(vs[0], [])
        scf.ConditionOp(flag, list(before.arguments))
    _splice(region_block(op, 0), consts + carry(before.arguments), before, condition)
    _splice(body, consts + carry(after.arguments), after,
            lambda vs: scf.YieldOp([vs[i] for i in loop]))
    return carry(list(w.results))


TO_CFG = "irax.to_cfg"


def _rotation_hazard(block, k, loop):
    """Whether IREE's rotated form of this loop loses a carry (see
    `while_loops_to_cfg`): the body leaves a carry unread, yields a value
    that does not depend on the carries, or yields one value twice."""
    args = list(block.arguments)
    ys = [yielded(block)[i] for i in loop]
    seen = {}

    def varies(v):
        owner = v.owner
        if isinstance(owner, ir.Block):
            return any(v == args[k + i] for i in loop)
        owner = getattr(owner, "operation", owner)
        if owner not in seen:
            seen[owner] = bool(len(owner.regions)) or any(varies(o) for o in owner.operands)
        return seen[owner]
    return (any(not list(args[k + i].uses) for i in loop)
            or any(not varies(y) for y in ys)
            or any(y == z for n, y in enumerate(ys) for z in ys[n + 1:]))


@lowering("irax.scan")
def lower_scan(c):
    op = c.op
    at = c.attrs
    length, reverse = at["length"], at.get("reverse", False)
    k, nc = at.get("num_consts", 0), at["num_carry"]
    consts, carry, xs = c.operands[:k], c.operands[k:k + nc], c.operands[k + nc:]
    types = _result_types(op)
    # Stacked outputs nobody reads are not accumulated (their steps become dead code).
    used = [bool(list(r.uses)) for r in list(op.results)[nc:]]
    ys_init = [tensor.empty(list(ir.RankedTensorType(t).shape), ir.RankedTensorType(t).element_type)
               for t in types[nc:]]
    src = region_block(op, 0)
    varying, full = _varying(src, k, carry)
    nv = len(varying)
    loop = scf.ForOp(B.index_const(0), B.index_const(length), B.index_const(1),
                     [carry[i] for i in varying] + [y for y, u in zip(ys_init, used) if u])
    body = loop.body
    iters = list(loop.inner_iter_args)
    dyn = ir.ShapedType.get_dynamic_stride_or_offset()
    with ir.InsertionPoint(body):
        iv = loop.induction_variable
        idx = arith.subi(B.index_const(length - 1), iv) if reverse else iv
        slices = []
        for x in xs:
            t = ir.RankedTensorType(x.type)
            shape = list(t.shape)
            st = ir.RankedTensorType.get(shape[1:], t.element_type)
            slices.append(tensor.extract_slice(st, x, [idx], [], [], [dyn] + [0] * (len(shape) - 1),
                                               [1] + shape[1:], [1] * len(shape)))

    def step(vs):
        outs = [vs[i] for i in varying]
        for y, acc in zip([y for y, u in zip(vs[nc:], used) if u], iters[nv:]):
            shape = list(ir.RankedTensorType(acc.type).shape)
            outs.append(tensor.insert_slice(y, acc, [idx], [], [], [dyn] + [0] * (len(shape) - 1),
                                            [1] + shape[1:], [1] * len(shape)))
        scf.YieldOp(outs)
    _splice(src, list(consts) + full(iters[:nv]) + slices, body, step)
    results = iter(list(loop.results)[nv:])
    return full(list(loop.results)[:nv]) + [next(results) if u else y
                                            for y, u in zip(ys_init, used)]


def while_loops_to_cfg(module):
    """Rewrite each function that holds a marked scf.while into a CFG (cf.br /
    cf.cond_br), the form IREE itself lowers loops to.

    IREE rotates scf.while loops into if + do-while and canonicalizes away
    carries the body does not read, yields twice or sets to a loop-invariant
    value; its stream conversion then fails on the loop, whose condition now
    forwards other types than its before region takes ("unresolved source
    materialization").  A CFG has no such canonicalizations.  Only loops
    with such a carry (`_rotation_hazard`) are marked: IREE's scheduling of
    structured loops is the better-trodden path (a whole-function CFG lost
    buffers next to conds in a jvp).

    The conversion takes every scf op of the function, so a function whose
    linalg bodies hold scalar loops (float64 fmod) keeps its structured loops:
    a linalg.generic body must stay one block.
    """
    pm = None
    for f in module.body.operations:
        loops, scalar_loops = [], []

        def visit(op):
            if op.name.startswith("scf."):
                (scalar_loops if _in_linalg_body(op) else loops).append(op)
            return ir.WalkResult.ADVANCE
        f.walk(visit)
        if any(TO_CFG in op.attributes for op in loops) and not scalar_loops:
            pm = pm or passmanager.PassManager.parse("func.func(convert-scf-to-cf)")
            pm.run(f)


def _in_linalg_body(op) -> bool:
    parent = op.operation.parent
    while parent is not None and parent.name != "func.func":
        if parent.name.startswith("linalg."):
            return True
        parent = parent.parent
    return False
