"""irax → linalg/tensor/arith/math on tensors: one lowering rule per op.

`LOWERINGS[name](ctx)` builds the replacement values for one op; `ctx` holds
the op's operands, attributes and operand/result avals.  The pass runs the
rules as Python rewrite patterns through MLIR's walk-based driver.
"""
from __future__ import annotations

import functools

import numpy as np
from iree.compiler import ir, rewrite
from iree.compiler.dialects import arith, func, linalg, tensor

from irax.dialects.ops import OPS, IraxTypeError, RuleTable, attrs_of, is_splat, reduce_identity, where_string
from irax.dialects.types import UNSIGNED, Aval, aval_of, is_complex, is_float, is_inexact, real_dtype

from . import builders as B
from . import f64_math
from .scalar import SCALAR_RULES, bitcast_scalar, compare, convert_scalar


class LoweringContext:
    """What a lowering rule sees of the op it replaces."""

    def __init__(self, op):
        self.op = op
        self.operands = list(op.operands)
        self.in_avals = [aval_of(v) for v in self.operands]
        self.out_avals = [aval_of(r) for r in op.results]
        self.attrs = attrs_of(op)

    @property
    def out(self) -> Aval:
        return self.out_avals[0]


LOWERINGS = RuleTable("lowering")


def lowering(*names):
    def deco(fn):
        for n in names:
            LOWERINGS[n] = fn
        return fn
    return deco


# -------------------------------------------------------------- elementwise

def elementwise_body(name: str, attrs: dict, in_avals, out: Aval):
    """The scalar computation of elementwise op `name` as a linalg.generic body,
    `body(*operand_elements, out_element)`.  Shared by the lowering below and
    the shape-polymorphic eager kernels (`eager_kernels.py`)."""
    if name in SCALAR_RULES:
        rule, dtype = SCALAR_RULES[name], in_avals[-1].dtype
        return lambda *xs: rule(dtype, *xs[:-1])
    if name == "irax.integer_pow":
        from .scalar import _integer_pow
        pow_rule = _integer_pow(attrs["y"])
        return lambda x, _: pow_rule(out.dtype, x)
    if name == "irax.convert_element_type":
        src = in_avals[0].dtype
        return lambda x, _: convert_scalar(x, src, out.dtype)
    assert name == "irax.bitcast_convert_type", name
    return lambda x, _: bitcast_scalar(x, out.dtype)


ELEMENTWISE_OPS = frozenset(SCALAR_RULES) | {
    "irax.integer_pow", "irax.convert_element_type", "irax.bitcast_convert_type"}


@lowering(*ELEMENTWISE_OPS)
def lower_elementwise(c: LoweringContext):
    # A 0-d operand (select's predicate, clamp's bounds) is broadcast by the generic's map.
    n = c.out.ndim
    maps = [B.identity_map(n) if a.ndim == n else B.affine_map(n, []) for a in c.in_avals]
    return B.generic(c.operands, maps, [B.empty(c.out)], [B.identity_map(n)], [B.PARALLEL] * n,
                     elementwise_body(c.op.name, c.attrs, c.in_avals, c.out))


# -------------------------------------------------------------- constants

@lowering("irax.constant")
def lower_constant(c):
    value = c.attrs["value"]
    aval = c.out
    if aval.dtype in UNSIGNED:
        value = value.view(value.dtype.name.replace("uint", "int"))
    ttype = B.lowered_type(aval)
    if is_complex(aval.dtype):
        return [_complex_constant(value, aval)]
    if is_splat(value):
        # A splat attribute, never linalg.fill: IREE 3.13 miscompiles a
        # reduction whose input is a fill of a constant (sum(ones(3)) gave 1).
        x = value.flat[0]
        return [arith.constant(ttype, ir.DenseElementsAttr.get_splat(ttype, _scalar_attr(aval, x)))]
    if aval.dtype == "bool":
        attr = ir.DenseElementsAttr.get(np.ascontiguousarray(value.astype(np.bool_)), type=ttype)
    else:
        attr = ir.DenseElementsAttr.get(np.ascontiguousarray(value), type=ttype)
    return [arith.constant(ttype, attr)]


def _complex_constant(value, aval):
    """A splat is one complex attribute (one element makes a splat); any other complex
    constant is built from its real and imaginary parts by an elementwise complex.create:
    vulkan-spirv cannot legalize a non-splat complex arith.constant."""
    ttype = B.lowered_type(aval)
    if is_splat(value):
        one = np.ascontiguousarray(value.reshape(-1)[:1])
        return arith.constant(ttype, ir.DenseElementsAttr.get(one, type=ttype))
    part = Aval(aval.shape, real_dtype(aval.dtype))
    re, im = (arith.constant(B.lowered_type(part), ir.DenseElementsAttr.get(
        np.ascontiguousarray(p), type=B.lowered_type(part))) for p in (value.real, value.imag))
    n = aval.ndim
    return B.generic([re, im], [B.identity_map(n)] * 2, [B.empty(aval)], [B.identity_map(n)],
                     [B.PARALLEL] * n, elementwise_body("irax.complex", {}, [part, part], aval))[0]


def _scalar_attr(aval, x):
    et = B.signless_element(aval.dtype)
    if is_float(aval.dtype):
        return ir.FloatAttr.get(et, float(x))
    return ir.IntegerAttr.get(et, int(x) if aval.dtype != "bool" else int(bool(x)))


@lowering("irax.iota")
def lower_iota(c):
    dim, dtype = c.attrs["dimension"], c.out.dtype
    n = c.out.ndim

    def body(_):
        i = arith.index_cast(ir.IntegerType.get_signless(64), B.loop_index(dim))
        return convert_scalar(i, "int64", dtype)
    return B.generic([], [], [B.empty(c.out)], [B.identity_map(n)], [B.PARALLEL] * n, body)


# -------------------------------------------------------------- shapes

@lowering("irax.broadcast_in_dim")
def lower_broadcast_in_dim(c):
    a, out = c.in_avals[0], c.out
    dims = c.attrs["broadcast_dimensions"]
    exprs = [("c", 0) if a.shape[i] == 1 and out.shape[d] != 1 else d for i, d in enumerate(dims)]
    n = out.ndim
    return B.generic(c.operands, [B.affine_map(n, exprs)], [B.empty(out)], [B.identity_map(n)],
                     [B.PARALLEL] * n, lambda x, _: x)


@lowering("irax.reshape")
def lower_reshape(c):
    return [reshape_value(c.operands[0], c.in_avals[0], c.out)]


def reshape_value(x, a: Aval, out: Aval):
    """collapse_shape to rank 1 (or 0), then expand_shape to the target shape."""
    if a.shape == out.shape:
        return x
    if a.ndim > 1 or (a.ndim == 1 and out.ndim == 0):
        flat = Aval((a.size,), a.dtype) if out.ndim else Aval((), a.dtype)
        reassoc = [list(range(a.ndim))] if out.ndim else []
        x = tensor.collapse_shape(B.lowered_type(flat), x, _reassoc(reassoc))
        a = flat
    if out.ndim == a.ndim:
        return x
    reassoc = [list(range(out.ndim))] if a.ndim == 1 else []
    return tensor.expand_shape(B.lowered_type(out), x, _reassoc(reassoc), [], list(out.shape))


def _reassoc(groups):
    return ir.ArrayAttr.get([ir.ArrayAttr.get([ir.IntegerAttr.get(ir.IntegerType.get_signless(64), i)
                                               for i in g]) for g in groups])


@lowering("irax.transpose")
def lower_transpose(c):
    perm = list(c.attrs["permutation"])
    if perm == sorted(perm):
        return [c.operands[0]]
    return [linalg.transpose(c.operands[0], outs=[B.empty(c.out)], permutation=perm).results[0]]


@lowering("irax.rev")
def lower_rev(c):
    return [reverse_value(c.operands[0], c.out, c.attrs["dimensions"])]


def reverse_value(x, a: Aval, dims):
    """Reverse `dims` of `x`: a generic that reads x[.., size-1-i, ..] with
    tensor.extract.

    The direct form, a generic whose input map is `d -> size-1-d`, breaks
    IREE's tiling once it fuses with a consumer (e.g. `sum(x[::-1] * x)`)."""
    n = a.ndim

    def body(_):
        coords = [arith.subi(B.index_const(a.shape[i] - 1), B.loop_index(i)) if i in dims
                  else B.loop_index(i) for i in range(n)]
        return tensor.extract(x, coords)
    return B.generic([], [], [B.empty(a)], [B.identity_map(n)], [B.PARALLEL] * n, body)[0]


REDUCE_COMBINE = {
    "irax.reduce_sum": "irax.add", "irax.reduce_prod": "irax.mul", "irax.reduce_max": "irax.max",
    "irax.reduce_min": "irax.min", "irax.reduce_and": "irax.and", "irax.reduce_or": "irax.or",
}
REDUCE_INIT = {name: (lambda dt, name=name: reduce_identity(name, dt)) for name in REDUCE_COMBINE}


# Float sums and products longer than this are accumulated as a tree of
# blocks (XLA's CPU backend does likewise): a running float32 sum stalls at
# 2**24 and its error grows with the length.  Shorter reductions (an MLP's
# batch, a softmax row) stay one linalg reduction.
REDUCE_BLOCK = 128
_TREE_REDUCTIONS = ("irax.reduce_sum", "irax.reduce_prod")


@lowering(*REDUCE_INIT)
def lower_reduce(c):
    a, axes = c.in_avals[0], c.attrs["axes"]
    if not axes:
        return [c.operands[0]]
    reduced = int(np.prod([a.shape[i] for i in axes], dtype=np.int64))
    tree = c.op.name in _TREE_REDUCTIONS and is_inexact(a.dtype) and reduced > REDUCE_BLOCK
    if tree or len(axes) > 1:
        # One axis per linalg reduction, adjacent reduced axes collapsed first: IREE
        # 3.13 fails to vectorize a multi-axis reduction of a broadcast product
        # (sum(x * c) with c broadcast: "'vector.contract' op invalid accumulator").
        return [_tree_reduce(c.op.name, c.operands[0], a, axes, tree)]
    return [_reduce_dims(c.op.name, c.operands[0], a, axes)]


def _reduce_dims(name, x, a: Aval, axes, init=None):
    """One linalg reduction of `axes` of `x`, into `init` (default: the identity)."""
    out = Aval([d for i, d in enumerate(a.shape) if i not in axes], a.dtype)
    combine = SCALAR_RULES[REDUCE_COMBINE[name]]
    if init is None:
        init = B.filled(out, REDUCE_INIT[name](a.dtype))
    n = a.ndim
    iters = [B.REDUCTION if i in axes else B.PARALLEL for i in range(n)]
    out_map = B.affine_map(n, [i for i in range(n) if i not in axes])
    return B.generic([x], [B.identity_map(n)], [init], [out_map], iters,
                     lambda v, acc: combine(a.dtype, acc, v))[0]


def _tree_reduce(name, x, a: Aval, axes, blocked=True):
    """Each run of adjacent reduced axes is collapsed (a view) and reduced, innermost
    run first: as a tree with REDUCE_BLOCK-wide nodes when `blocked`, else in one go."""
    groups = []
    for i in range(a.ndim):
        if i in axes and i - 1 in axes:
            groups[-1].append(i)
        else:
            groups.append([i])
    shape = [int(np.prod([a.shape[i] for i in g], dtype=np.int64)) for g in groups]
    if len(groups) < a.ndim:
        x = tensor.collapse_shape(B.lowered_type(Aval(shape, a.dtype)), x, _reassoc(groups))
    dims = [k for k, g in enumerate(groups) if g[0] in axes]
    cur = Aval(shape, a.dtype)
    for k in reversed(dims):
        if blocked:
            x, cur = _tree_reduce_axis(name, x, cur, k, None)
        else:
            x, cur = _reduce_dims(name, x, cur, [k]), _without_dim(cur, k)
    return x


def _tree_reduce_axis(name, x, a: Aval, axis, init):
    """Reduce `axis`: blocks of REDUCE_BLOCK elements, then their partial
    results, and so on; a ragged tail is reduced on its own into the seed of
    the last level.  Returns (value, aval)."""
    r = a.shape[axis]
    out = _without_dim(a, axis)
    if r <= REDUCE_BLOCK:
        return _reduce_dims(name, x, a, [axis], init), out
    q, t = divmod(r, REDUCE_BLOCK)
    if t:
        init = _reduce_dims(name, _slice_axis(x, a, axis, q * REDUCE_BLOCK, r),
                            _with_dim(a, axis, t), [axis], init)
        x = _slice_axis(x, a, axis, 0, q * REDUCE_BLOCK)
    blocks = Aval(a.shape[:axis] + (q, REDUCE_BLOCK) + a.shape[axis + 1:], a.dtype)
    groups = [[i] for i in range(axis)] + [[axis, axis + 1]] + [[i + 1] for i in range(axis + 1, a.ndim)]
    x = tensor.expand_shape(B.lowered_type(blocks), x, _reassoc(groups), [], list(blocks.shape))
    partial = _reduce_dims(name, x, blocks, [axis + 1])
    return _tree_reduce_axis(name, partial, _with_dim(a, axis, q), axis, init)


def _without_dim(a: Aval, axis) -> Aval:
    return Aval(a.shape[:axis] + a.shape[axis + 1:], a.dtype)


def _with_dim(a: Aval, axis, size) -> Aval:
    return Aval(a.shape[:axis] + (size,) + a.shape[axis + 1:], a.dtype)


def _slice_axis(x, a: Aval, axis, lo, hi):
    out = _with_dim(a, axis, hi - lo)
    offsets = [0] * a.ndim
    offsets[axis] = lo
    return tensor.extract_slice(B.lowered_type(out), x, [], [], [], offsets, list(out.shape),
                                [1] * a.ndim)


@lowering("irax.argmax", "irax.argmin")
def lower_argreduce(c):
    """Two single-result reductions (IREE cannot fuse a two-result argmax generic
    into consumers such as a transpose): the extremum m, then the first index
    where x == m (where x is NaN, if m is: the first NaN wins, as in NumPy)."""
    a, out, axis = c.in_avals[0], c.out, c.attrs["axis"]
    n = a.ndim
    red = "irax.reduce_max" if c.op.name == "irax.argmax" else "irax.reduce_min"
    combine = SCALAR_RULES[REDUCE_COMBINE[red]]
    iters = [B.REDUCTION if i == axis else B.PARALLEL for i in range(n)]
    out_map = B.affine_map(n, [i for i in range(n) if i != axis])
    (m,) = B.generic(c.operands, [B.identity_map(n)], [B.filled(Aval(out.shape, a.dtype),
                                                                 REDUCE_INIT[red](a.dtype))],
                     [out_map], iters, lambda x, acc: combine(a.dtype, acc, x))
    size = a.shape[axis]

    def first_index(x, best, acc):
        hit = compare("eq", a.dtype, x, best)
        if is_float(a.dtype):
            both_nan = arith.andi(compare("ne", a.dtype, x, x), compare("ne", a.dtype, best, best))
            hit = arith.ori(hit, both_nan)
        i = convert_scalar(arith.index_cast(ir.IntegerType.get_signless(64), B.loop_index(axis)),
                           "int64", out.dtype)
        return SCALAR_RULES["irax.min"](out.dtype, acc, arith.select(hit, i, B.scalar_const(out.dtype, size)))
    return B.generic([c.operands[0], m], [B.identity_map(n), out_map], [B.filled(out, size)],
                     [out_map], iters, first_index)


CUM_COMBINE = {  # name: (identity(dtype), combine(dtype, a, b))
    name: (REDUCE_INIT[red], SCALAR_RULES[REDUCE_COMBINE[red]]) for name, red in (
        ("irax.cumsum", "irax.reduce_sum"), ("irax.cumprod", "irax.reduce_prod"),
        ("irax.cummax", "irax.reduce_max"), ("irax.cummin", "irax.reduce_min"))}


@lowering(*CUM_COMBINE)
def lower_cumulative(c):
    """An inclusive iree_linalg_ext.scan along `axis` (O(n), sequential along the
    axis, parallel across the others), its accumulator seeded with the combine's
    identity; reverse=True scans the reversed operand and reverses the result.
    Long float sums and products scan in blocks (`_blocked_scan`)."""
    a, axis, reverse = c.in_avals[0], c.attrs["axis"], c.attrs.get("reverse", False)
    x = c.operands[0]
    if reverse:
        x = reverse_value(x, a, (axis,))
    if c.op.name in ("irax.cumsum", "irax.cumprod") and is_inexact(a.dtype):
        out = _blocked_scan(c.op.name, x, a, axis)
    else:
        out = _scan(c.op.name, x, a, axis)[0]
    return [reverse_value(out, a, (axis,)) if reverse else out]


def _scan(name, x, a: Aval, axis):
    """(inclusive scan of `x` along `axis`, its last element per line)."""
    identity, combine = CUM_COMBINE[name]
    acc = Aval([d for i, d in enumerate(a.shape) if i != axis], a.dtype)
    et = B.signless_element(a.dtype)
    op = ir.Operation.create(
        "iree_linalg_ext.scan", results=[B.lowered_type(a), B.lowered_type(acc)],
        operands=[x, B.empty(a), B.filled(acc, identity(a.dtype))],
        attributes={"dimension": ir.IntegerAttr.get(ir.IntegerType.get_signless(64), axis),
                    "inclusive": ir.BoolAttr.get(True)},
        regions=1)
    block = op.regions[0].blocks.append(et, et)
    with ir.InsertionPoint(block):
        ir.Operation.create("iree_linalg_ext.yield",
                            operands=[combine(a.dtype, *block.arguments)])
    return op.results[0], op.results[1]


SCAN_BLOCK = 32  # as accurate as JAX's cumsum on CPU (measured, 1e7 uniform f32)


def _blocked_scan(name, x, a: Aval, axis):
    """A scan longer than SCAN_BLOCK, as a tree (the running float sum of a
    plain scan stalls at 2**24): pad the axis with the identity to blocks of
    SCAN_BLOCK, scan within blocks, scan the block totals (recursively), and
    combine each block with the total of the blocks before it."""
    r = a.shape[axis]
    if r <= SCAN_BLOCK:
        return _scan(name, x, a, axis)[0]
    identity, combine = CUM_COMBINE[name]
    q = -(-r // SCAN_BLOCK)
    padded = _with_dim(a, axis, q * SCAN_BLOCK)
    if padded.shape != a.shape:
        x = tensor.insert_slice(x, B.filled(padded, identity(a.dtype)), [], [], [],
                                [0] * a.ndim, list(a.shape), [1] * a.ndim)
    blocks = Aval(a.shape[:axis] + (q, SCAN_BLOCK) + a.shape[axis + 1:], a.dtype)
    groups = [[i] for i in range(axis)] + [[axis, axis + 1]] + [[i + 1] for i in range(axis + 1, a.ndim)]
    inner, totals = _scan(name, tensor.expand_shape(B.lowered_type(blocks), x, _reassoc(groups), [],
                                                    list(blocks.shape)), blocks, axis + 1)
    tot = _with_dim(a, axis, q)
    before = _blocked_scan(name, totals, tot, axis)  # through block j, shifted to j+1:
    offsets = [0] * a.ndim
    offsets[axis] = 1
    before = tensor.insert_slice(_slice_axis(before, tot, axis, 0, q - 1), B.filled(tot, identity(a.dtype)),
                                 [], [], [], offsets, list(_with_dim(a, axis, q - 1).shape), [1] * a.ndim)
    n = blocks.ndim
    (out,) = B.generic([inner, before], [B.identity_map(n), B.affine_map(n, [i for i in range(n) if i != axis + 1])],
                       [B.empty(blocks)], [B.identity_map(n)], [B.PARALLEL] * n,
                       lambda s, p, _: combine(a.dtype, p, s))
    out = tensor.collapse_shape(B.lowered_type(padded), out, _reassoc(groups))
    return out if padded.shape == a.shape else _slice_axis(out, padded, axis, 0, r)


@lowering("irax.dot_general")
def lower_dot_general(c):
    """Every contraction becomes a linalg.matmul / batch_matmul: operands are
    transposed to [batch, free, contracting] / [batch, contracting, free] and
    their dim groups collapsed, so IREE's matmul codegen (and data tiling, which
    folds the transposes into its packing) handles backward-pass shapes too."""
    lhs, rhs = c.in_avals
    at = c.attrs
    lc, rc = list(at["lhs_contracting"]), list(at["rhs_contracting"])
    lb, rb = list(at.get("lhs_batch", ())), list(at.get("rhs_batch", ()))
    if c.out.dtype == "bool" or all(lhs.shape[d] == 1 for d in lc):
        return _dot_general_generic(c, lc, rc, lb, rb)
    lfree = [i for i in range(lhs.ndim) if i not in lc and i not in lb]
    rfree = [i for i in range(rhs.ndim) if i not in rc and i not in rb]

    def size(a, dims):
        return int(np.prod([a.shape[d] for d in dims], dtype=np.int64))
    nb, m, k, n = size(lhs, lb), size(lhs, lfree), size(lhs, lc), size(rhs, rfree)
    x = _permute(c.operands[0], lhs, lb + lfree + lc)
    y = _permute(c.operands[1], rhs, rb + rc + rfree)
    lead = (nb,) if lb else ()
    x = reshape_value(x, Aval([lhs.shape[d] for d in lb + lfree + lc], lhs.dtype),
                      Aval(lead + (m, k), lhs.dtype))
    y = reshape_value(y, Aval([rhs.shape[d] for d in rb + rc + rfree], rhs.dtype),
                      Aval(lead + (k, n), rhs.dtype))
    acc = Aval(lead + (m, n), c.out.dtype)
    if is_inexact(c.out.dtype) and k > REDUCE_BLOCK and min(m, n) == 1:
        return [reshape_value(_tree_dot(x, y, lead, m, k, n, c.out.dtype), acc, c.out)]
    out = (linalg.batch_matmul if lb else linalg.matmul)(x, y, outs=[B.filled(acc, 0)])
    return [reshape_value(out, acc, c.out)]


def _tree_dot(x, y, lead, m, k, n, dtype):
    """A long dot or matrix-vector product as products summed by `_tree_reduce`
    (a matmul accumulates along k one element at a time, like a plain sum;
    the product generic fuses into the first level)."""
    prod = Aval(lead + (m, n, k), dtype)
    nd = prod.ndim
    b = list(range(len(lead)))
    mul = SCALAR_RULES["irax.mul"]
    (p,) = B.generic([x, y], [B.affine_map(nd, b + [nd - 3, nd - 1]), B.affine_map(nd, b + [nd - 1, nd - 2])],
                     [B.empty(prod)], [B.identity_map(nd)], [B.PARALLEL] * nd,
                     lambda u, v, _: mul(dtype, u, v))
    return _tree_reduce("irax.reduce_sum", p, prod, [nd - 1])


def _permute(x, a: Aval, perm):
    if perm == sorted(perm):
        return x
    out = Aval([a.shape[p] for p in perm], a.dtype)
    return linalg.transpose(x, outs=[B.empty(out)], permutation=perm).results[0]


def _dot_general_generic(c, lc, rc, lb, rb):
    """One linalg.generic contraction: for bool, where matmul has no meaning, and
    for products with nothing to contract (an outer product is a broadcasting
    multiply; as a K=1 matmul IREE's data tiling failed on it in fused dispatches).
    Size-1 contracting dims hold nothing to sum: they are read at index 0."""
    lhs, rhs = c.in_avals
    lfree = [i for i in range(lhs.ndim) if i not in lc and i not in lb]
    rfree = [i for i in range(rhs.ndim) if i not in rc and i not in rb]
    unit = [(l, r) for l, r in zip(lc, rc) if lhs.shape[l] == 1]
    lc, rc = [l for l in lc if lhs.shape[l] != 1], [r for r in rc if rhs.shape[r] != 1]
    nb, nl, nr, nk = len(lb), len(lfree), len(rfree), len(lc)
    n = nb + nl + nr + nk
    lmap, rmap = [None] * lhs.ndim, [None] * rhs.ndim
    for j, (l, r) in enumerate(zip(lb, rb)):
        lmap[l], rmap[r] = j, j
    for j, l in enumerate(lfree):
        lmap[l] = nb + j
    for j, r in enumerate(rfree):
        rmap[r] = nb + nl + j
    for j, (l, r) in enumerate(zip(lc, rc)):
        lmap[l], rmap[r] = nb + nl + nr + j, nb + nl + nr + j
    for l, r in unit:
        lmap[l], rmap[r] = ("c", 0), ("c", 0)
    iters = [B.PARALLEL] * (nb + nl + nr) + [B.REDUCTION] * nk
    dtype = c.out.dtype
    add, mul = ((SCALAR_RULES["irax.or"], SCALAR_RULES["irax.and"]) if dtype == "bool" else
                (SCALAR_RULES["irax.add"], SCALAR_RULES["irax.mul"]))
    if not nk:
        return B.generic(c.operands, [B.affine_map(n, lmap), B.affine_map(n, rmap)],
                         [B.empty(c.out)], [B.identity_map(n)], iters,
                         lambda x, y, _: mul(dtype, x, y))
    return B.generic(c.operands, [B.affine_map(n, lmap), B.affine_map(n, rmap)],
                     [B.filled(c.out, 0)], [B.affine_map(n, list(range(nb + nl + nr)))], iters,
                     lambda x, y, acc: add(dtype, acc, mul(dtype, x, y)))


@lowering("irax.slice")
def lower_slice(c):
    at = c.attrs
    strides = at.get("strides") or [1] * c.out.ndim
    return [tensor.extract_slice(B.lowered_type(c.out), c.operands[0], [], [], [],
                                 list(at["start_indices"]), list(c.out.shape), list(strides))]


def _clamped_index(v, dtype, hi):
    """A scalar index tensor -> `index`, clamped to [0, hi] as XLA does."""
    x = tensor.extract(v, [])
    x = convert_scalar(x, dtype, "int64") if dtype != "int64" else x
    i64 = "int64"
    x = arith.maxsi(x, B.scalar_const(i64, 0))
    x = arith.minsi(x, B.scalar_const(i64, hi))
    return arith.index_cast(ir.IndexType.get(), x)


@lowering("irax.dynamic_slice")
def lower_dynamic_slice(c):
    a = c.in_avals[0]
    sizes = c.attrs["slice_sizes"]
    offs = [_clamped_index(v, av.dtype, d - s)
            for v, av, d, s in zip(c.operands[1:], c.in_avals[1:], a.shape, sizes)]
    dyn = ir.ShapedType.get_dynamic_stride_or_offset()
    return [tensor.extract_slice(B.lowered_type(c.out), c.operands[0], offs, [], [],
                                 [dyn] * a.ndim, list(sizes), [1] * a.ndim)]


@lowering("irax.dynamic_update_slice")
def lower_dynamic_update_slice(c):
    a, u = c.in_avals[0], c.in_avals[1]
    offs = [_clamped_index(v, av.dtype, d - s)
            for v, av, d, s in zip(c.operands[2:], c.in_avals[2:], a.shape, u.shape)]
    if u.size == 0:
        return [c.operands[0]]
    if not _views_function_argument(c.operands[0]):
        dyn = ir.ShapedType.get_dynamic_stride_or_offset()
        return [tensor.insert_slice(c.operands[1], c.operands[0], offs, [], [],
                                    [dyn] * a.ndim, list(u.shape), [1] * a.ndim)]
    # IREE updates a function argument (or a view of one) in place, clobbering
    # the caller's array: build the result as a fresh tensor instead, each
    # element read from the update inside the window and from the operand outside.
    n = a.ndim

    def body(x, _):
        inside, coords = None, []
        for k in range(n):
            rel = arith.subi(B.loop_index(k), offs[k])
            ok = arith.andi(arith.cmpi(_pred(9), rel, B.index_const(0)),  # uge
                            arith.cmpi(_pred(6), rel, B.index_const(u.shape[k])))  # ult
            inside = ok if inside is None else arith.andi(inside, ok)
            coords.append(arith.select(ok, rel, B.index_const(0)))
        return arith.select(inside, tensor.extract(c.operands[1], coords), x)
    return B.generic([c.operands[0]], [B.identity_map(n)], [B.empty(a)], [B.identity_map(n)],
                     [B.PARALLEL] * n, body)


_VIEW_OPS = ("tensor.collapse_shape", "tensor.expand_shape", "tensor.extract_slice",
             "tensor.cast", "tensor.reshape", "tensor.bitcast")


def _views_function_argument(v) -> bool:
    """Whether `v` is a function's argument, or a view of one."""
    while True:
        owner = v.owner
        if isinstance(owner, ir.Block):
            parent = owner.owner
            return parent is not None and parent.operation.name == "func.func"
        op = getattr(owner, "operation", owner)
        if op.name not in _VIEW_OPS:
            return False
        v = op.operands[0]


def _scalar_value(v):
    """The element of a 0-d tensor: the constant itself when `v` is a splat
    arith.constant (no tensor read in the fill), else a tensor.extract."""
    owner = getattr(v.owner, "operation", v.owner)
    # signless, as the fills it feeds are (an unsigned operand's ui* type goes at the end)
    et = _signless(ir.RankedTensorType(v.type).element_type)
    # (the bindings cannot read a complex attribute back: those constants are extracted)
    if not isinstance(owner, ir.Block) and owner.name == "arith.constant" \
            and et.typeid != ir.ComplexType.static_typeid:
        dense = ir.DenseElementsAttr(owner.attributes["value"])
        if dense.is_splat:
            return arith.constant(et, dense.get_splat_value())
    x = tensor.extract(v, [])
    x.set_type(et)
    return x


def _pred(p):
    return ir.IntegerAttr.get(ir.IntegerType.get_signless(64), p)


@lowering("irax.concatenate")
def lower_concatenate(c):
    dim = c.attrs["dimension"]
    out = B.empty(c.out)
    off = 0
    for v, a in zip(c.operands, c.in_avals):
        if a.size == 0:  # nothing to insert (and offset 0 of an empty dim is out of bounds)
            continue
        offsets = [0] * a.ndim
        offsets[dim] = off
        out = tensor.insert_slice(v, out, [], [], [], offsets, list(a.shape), [1] * a.ndim)
        off += a.shape[dim]
    return [out]


@lowering("irax.pad")
def lower_pad(c):
    """A strided insert (interior padding) at the non-negative low offsets into a
    fill of the padding value; negative low/high then crop with one slice."""
    a, out = c.in_avals[0], c.out
    low, high = list(c.attrs["low"]), list(c.attrs["high"])
    interior = list(c.attrs.get("interior") or [0] * a.ndim)
    lo_pos = [max(lo, 0) for lo in low]
    full = Aval([max(lo, 0) + max(hi, 0) + d + max(d - 1, 0) * it
                 for d, lo, hi, it in zip(a.shape, low, high, interior)], a.dtype)
    pv = _scalar_value(c.operands[1])
    init = linalg.fill(pv, outs=[B.empty(full)])
    x = tensor.insert_slice(c.operands[0], init, [], [], [], lo_pos, list(a.shape),
                            [it + 1 for it in interior])
    if full.shape == out.shape:
        return [x]
    crop = [max(-lo, 0) for lo in low]
    return [tensor.extract_slice(B.lowered_type(out), x, [], [], [], crop, list(out.shape),
                                 [1] * a.ndim)]


@lowering("irax.gather")
def lower_gather(c):
    a, idx = c.in_avals
    out = c.out
    k = idx.shape[-1]
    nb = idx.ndim - 1
    n = out.ndim

    def body(_):
        coords = []
        for j in range(k):
            pos = [B.loop_index(d) for d in range(nb)] + [B.index_const(j)]
            v = tensor.extract(c.operands[1], pos)
            v = convert_scalar(v, idx.dtype, "int64") if idx.dtype != "int64" else v
            v = arith.maxsi(v, B.scalar_const("int64", 0))
            v = arith.minsi(v, B.scalar_const("int64", a.shape[j] - 1))
            coords.append(arith.index_cast(ir.IndexType.get(), v))
        coords += [B.loop_index(nb + d) for d in range(a.ndim - k)]
        return tensor.extract(c.operands[0], coords)
    return B.generic([], [], [B.empty(out)], [B.identity_map(n)], [B.PARALLEL] * n, body)


SCATTER_IDENTITY = {"add": "irax.reduce_sum", "mul": "irax.reduce_prod",
                    "min": "irax.reduce_min", "max": "irax.reduce_max"}


@lowering("irax.scatter")
def lower_scatter(c):
    """iree_linalg_ext.scatter into a fresh identity-filled tensor, then
    combined with the operand elementwise.

    IREE lets a linalg_ext op write in place into a function argument used as
    its destination, so the operand is never the scatter's destination.
    """
    a, idx, upd = c.in_avals
    mode = c.attrs["mode"]
    k = idx.shape[-1]
    nrows = int(np.prod(idx.shape[:-1], dtype=np.int64))
    rows_idx, rows_upd = Aval((nrows, k), "int32"), Aval((nrows,) + a.shape[k:], upd.dtype)
    idx2 = reshape_value(c.operands[1], idx, Aval(rows_idx.shape, idx.dtype))
    if idx.dtype != "int32":
        idx2 = B.elementwise([idx2], None, rows_idx, lambda x, _: convert_scalar(x, idx.dtype, "int32"))
    upd2 = reshape_value(c.operands[2], upd, rows_upd)
    # Out-of-bounds rows are dropped (JAX's scatter semantics): they are sent to
    # an extra row appended to dim 0 of the destination, sliced off afterwards.
    idx2 = _redirect_out_of_bounds(idx2, a.shape[:k])
    padded = Aval((a.shape[0] + 1,) + a.shape[1:], a.dtype)

    def crop(v, dtype):
        return tensor.extract_slice(B.lowered_type(Aval(a.shape, dtype)), v, [], [], [],
                                    [0] * a.ndim, list(a.shape), [1] * a.ndim)
    if mode == "set":
        written = _scatter_rows(B.filled(Aval(padded.shape, "bool"), 0), idx2,
                                B.filled(Aval(rows_upd.shape, "bool"), 1), "bool", None)
        values = _scatter_rows(B.filled(padded, 0), idx2, upd2, a.dtype, None)
        return [B.elementwise([crop(written, "bool"), crop(values, a.dtype), c.operands[0]], None, a,
                              lambda w, v, x, _: arith.select(w, v, x))]
    red = SCATTER_IDENTITY[mode]
    combine = REDUCE_COMBINE[red]
    scattered = _scatter_rows(B.filled(padded, REDUCE_INIT[red](a.dtype)), idx2, upd2, a.dtype,
                              combine)
    rule = SCALAR_RULES[combine]
    return [B.elementwise([c.operands[0], crop(scattered, a.dtype)], None, a,
                          lambda x, s, _: rule(a.dtype, x, s))]


def _redirect_out_of_bounds(indices, dims):
    """Rows of `indices` [N, k] with any coordinate outside `dims` become (dims[0], 0, ...)."""
    n, k = ir.RankedTensorType(indices.type).shape
    i32 = "int32"

    def bound(j):
        b = B.scalar_const(i32, dims[-1])
        for d in reversed(range(k - 1)):
            is_d = arith.cmpi(ir.IntegerAttr.get(ir.IntegerType.get_signless(64), 0), j,
                              B.index_const(d))
            b = arith.select(is_d, B.scalar_const(i32, dims[d]), b)
        return b

    def in_bounds(x, acc):
        ok = arith.andi(compare("ge", i32, x, B.scalar_const(i32, 0)),
                        compare("lt", i32, x, bound(B.loop_index(1))))
        return arith.andi(acc, ok)
    (row_ok,) = B.generic([indices], [B.identity_map(2)], [B.filled(Aval((n,), "bool"), 1)],
                          [B.affine_map(2, [0])], [B.PARALLEL, B.REDUCTION], in_bounds)

    def redirect(x, ok, _):
        first = arith.cmpi(ir.IntegerAttr.get(ir.IntegerType.get_signless(64), 0), B.loop_index(1),
                           B.index_const(0))
        dummy = arith.select(first, B.scalar_const(i32, dims[0]), B.scalar_const(i32, 0))
        return arith.select(ok, x, dummy)
    return B.generic([indices, row_ok], [B.identity_map(2), B.affine_map(2, [0])],
                     [B.empty(Aval((n, k), i32))], [B.identity_map(2)], [B.PARALLEL] * 2,
                     redirect)[0]


def _scatter_rows(dest, indices, updates, dtype, combine):
    """Rows of `updates` combined into `dest` at `indices` [N, k]; out-of-bounds rows dropped."""
    k = ir.RankedTensorType(indices.type).shape[-1]
    et = B.signless_element(dtype)
    op = ir.Operation.create(
        "iree_linalg_ext.scatter", results=[dest.type], operands=[updates, indices, dest],
        attributes={"dimension_map": ir.DenseI64ArrayAttr.get(list(range(k))),
                    "unique_indices": ir.BoolAttr.get(False),
                    "operandSegmentSizes": ir.DenseI32ArrayAttr.get([2, 1])},
        regions=1)
    block = op.regions[0].blocks.append(et, et)
    with ir.InsertionPoint(block):
        new, old = block.arguments
        r = new if combine is None else SCALAR_RULES[combine](dtype, old, new)
        ir.Operation.create("iree_linalg_ext.yield", operands=[r])
    return op.result


@lowering("irax.sort")
def lower_sort(c):
    """iree_linalg_ext.sort on fresh copies, with the positions as a last operand.

    The copies come from one generic that also writes the positions (an iota),
    so IREE cannot fold them into the arguments and sort those in place.  Ties
    on the keys compare positions, which makes the sort stable on any backend;
    NaNs sort last, as in NumPy.
    """
    a = c.in_avals[0]
    dim, num_keys = c.attrs["dimension"], c.attrs.get("num_keys", 1)
    if a.shape[dim] <= 1:  # nothing to order; IREE cannot sort along a unit dim of rank >= 2
        return list(c.operands)
    descending = c.attrs.get("descending", False)
    n = a.ndim
    pos = Aval(a.shape, "int32")

    def copy_body(*xs):
        i = arith.index_cast(ir.IntegerType.get_signless(32), B.loop_index(dim))
        return list(xs[:len(c.operands)]) + [i]
    copies = B.generic(c.operands, [B.identity_map(n)] * len(c.operands),
                       [B.empty(v) for v in c.in_avals] + [B.empty(pos)],
                       [B.identity_map(n)] * (len(c.operands) + 1), [B.PARALLEL] * n, copy_body)
    avals = list(c.in_avals) + [pos]
    op = ir.Operation.create(
        "iree_linalg_ext.sort", results=[v.type for v in copies], operands=copies,
        attributes={"dimension": ir.IntegerAttr.get(ir.IntegerType.get_signless(64), dim),
                    "operandSegmentSizes": ir.DenseI32ArrayAttr.get([0, len(copies)])},
        regions=1)
    block = op.regions[0].blocks.append(*[t for v in avals for t in (B.signless_element(v.dtype),) * 2])
    with ir.InsertionPoint(block):
        args = block.arguments
        less = compare("lt", "int32", args[-2], args[-1])
        for k in reversed(range(num_keys)):
            x, y = args[2 * k], args[2 * k + 1]
            if descending:
                x, y = y, x
            lt, eq = _total_order(avals[k].dtype, x, y)
            less = arith.ori(lt, arith.andi(eq, less))
        ir.Operation.create("iree_linalg_ext.yield", operands=[less])
    return list(op.results)[:-1]


def _total_order(dtype, x, y):
    """(x < y, x == y) with NaN above every number and equal to itself."""
    lt, eq = compare("lt", dtype, x, y), compare("eq", dtype, x, y)
    if is_float(dtype):
        x_nan, y_nan = compare("ne", dtype, x, x), compare("ne", dtype, y, y)
        true = B.scalar_const("bool", 1)
        lt = arith.ori(lt, arith.andi(y_nan, arith.xori(x_nan, true)))
        eq = arith.ori(eq, arith.andi(x_nan, y_nan))
    return lt, eq


@lowering("irax.stop_gradient")
def lower_stop_gradient(c):
    return [c.operands[0]]


@lowering("irax.call")
def lower_call(c):
    return list(func.CallOp([B.lowered_type(a) for a in c.out_avals], c.attrs["callee"],
                            c.operands).results)


# -------------------------------------------------------------- the pass

def _pattern(op, rewriter):
    rule = LOWERINGS.get(op.name)
    if rule is None:
        return True  # not ours: leave it
    with op.location:
        with rewriter.ip:
            try:
                new = rule(LoweringContext(op))
            except IraxTypeError:
                raise
            except NotImplementedError as e:
                raise NotImplementedError(f"{e} (at {where_string(op.location)})") from None
    for v, r in zip(new, op.results):  # later rules read signedness off the operand types
        if v.type != r.type and v.type == _signless(r.type):
            v.set_type(r.type)
    rewriter.replace_op(op, new)
    return None


def _signless(t: ir.Type) -> ir.Type:
    """`t` with unsigned integers (irax's uint32 PRNG bits...) made signless for arith."""
    t = t.maybe_downcast()
    if isinstance(t, ir.RankedTensorType):
        et = _signless(t.element_type)
        if et == t.element_type:
            return t
        return ir.RankedTensorType.get(t.shape, et, loc=ir.Location.unknown())
    if isinstance(t, ir.IntegerType) and t.is_unsigned:
        return ir.IntegerType.get_signless(t.width)
    return t


def _make_signless(module) -> None:
    """After the rules ran: every unsigned type in the module (signatures, block
    arguments, op results) becomes its signless twin, as arith requires."""
    def visit(op):
        op = op.operation
        for r in op.results:
            if _signless(r.type) != r.type:
                r.set_type(_signless(r.type))
        for region in op.regions:
            for block in region.blocks:
                for a in block.arguments:
                    if _signless(a.type) != a.type:
                        a.set_type(_signless(a.type))
        if op.name == "func.func":
            ft = ir.FunctionType(ir.TypeAttr(op.attributes["function_type"]).value)
            op.attributes["function_type"] = ir.TypeAttr.get(ir.FunctionType.get(
                [_signless(t) for t in ft.inputs], [_signless(t) for t in ft.results]))
        return ir.WalkResult.ADVANCE
    module.operation.walk(visit)


@functools.cache
def _patterns():
    patterns = rewrite.RewritePatternSet()
    for name in LOWERINGS:
        patterns.add(name, _pattern)
    return patterns.freeze()


def lower_to_linalg(module, target: str = "llvm-cpu") -> None:
    """Rewrite every first-order irax op in `module` to linalg and friends, for
    compile target `target` (which says whether float64 math is available)."""
    with f64_math.for_target(target):
        rewrite.walk_and_apply_patterns(module.operation, _patterns())
    _make_signless(module)
    control_flow.while_loops_to_cfg(module)
    remaining = []

    def find(op):
        if op.operation.name.startswith("irax."):
            remaining.append(op.operation)
        return ir.WalkResult.ADVANCE
    module.operation.walk(find)
    if remaining:
        op = remaining[0]
        if op.name in OPS and OPS[op.name].inferable and op.name not in LOWERINGS:
            raise NotImplementedError(f"no lowering to linalg for '{op.name}' "
                                      f"(at {where_string(op.location)})")
        raise IraxTypeError(f"'{op.name}' was not lowered; expand higher-order ops first "
                            f"(--irax-expand) (at {where_string(op.location)})")


from . import control_flow  # noqa: E402,F401  (registers the scf lowerings of the region ops)
from . import convolution, windows  # noqa: E402,F401  (lowerings of irax.conv_general_dilated, irax.reduce_window)
from . import remat  # noqa: E402,F401  (registers the lowerings of the rematerialization ops)
from . import host_callback  # noqa: E402,F401  (lowers irax.host_callback to an imported function)
from . import threefry  # noqa: E402,F401  (lowers irax.threefry2x32 to one elementwise generic)
