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

from .context import ir
from .ops import IraxTypeError, define
from .types import Aval, aval_of, tensor_type

REGION_OPS = ("irax.cond", "irax.while", "irax.scan")


def _types(values):
    return "(" + ", ".join(aval_of(v).str_short() for v in values) + ")"


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
    from .ops import attrs_of
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
    from .ops import attrs_of
    at = attrs_of(op)
    k, c = at.get("num_consts", 0), at["num_carry"]
    ops = list(op.operands)
    return ops[:k], ops[k:k + c], ops[k + c:]


def verify_scan(op):
    from .ops import attrs_of
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
    from .ops import OPS
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


def clone_block(block, args) -> list:
    """Clone `block`'s ops at the current insertion point with its arguments
    bound to `args`; returns the values its terminator yields/returns."""
    mapping = dict(zip(block.arguments, args))
    for inner in block.operations:
        if inner.name in ("irax.yield", "func.return"):
            return [mapping.get(v, v) for v in inner.operands]
        clone = inner.clone()
        for i, v in enumerate(clone.operands):
            if v in mapping:
                clone.operands[i] = mapping[v]
        for old, new in zip(inner.results, clone.results):
            mapping[old] = new
    raise IraxTypeError("block has no terminator")


def cond(index, operands, branches, result_avals):
    """Emit irax.cond; `branches[i](args) -> values` builds branch i."""
    args = [aval_of(v) for v in operands]
    op = build_region_op("irax.cond", [index] + list(operands), result_avals,
                         [args] * len(branches), branches)
    return list(op.results)


def while_loop(consts, init, cond_body, body, num_consts=None):
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
