"""Batching: the `irax.vmap` op and its expansion, one batching rule per op.

`irax.vmap` applies its callee to every slice of its operands along the
mapped axes.  Its expansion (`expand_vmap`) inlines the callee's body with
every op replaced by its batched form, written by a rule:

    batch_rules[name](args, dims, **attrs) -> (outs, out_dims)

`args` are the already-batched operands (ir.Values) and `dims` the batch
dimension of each (an int, or None for an unbatched operand).  A rule emits
ops at the current insertion point (with `build` helpers or `emit`) and
returns its results with their batch dims.  Rules keep the batch dim where
it is when the op allows it and move it only when they must.  Ops with
regions, or that refer to other functions, use
`batch_region_rules[name](op, args, dims) -> (outs, out_dims)` (given the op
itself) and `batch_block` / `batch_function` to batch their bodies.  An op
whose operands are all unbatched is cloned unchanged, so rules only see at
least one batched operand.

The `irax.vmap` op: operands = the callee's arguments (the trailing ones are
captured closure values, unbatched); attributes `callee`, `in_axes` (one per
operand, -1 = unbatched), `out_axes` (one per result, -1 = unbatched),
`axis_size`; results = the callee's results with `axis_size` inserted at
their out axis.
"""
from __future__ import annotations

import contextvars

import numpy as np

from . import build as B
from .context import ir
from .expand import expand_only, expansion, lookup_func, module_of
from .ops import (ARITH_BINARY, BITWISE_BINARY, COMPARISONS, FLOAT_BINARY, FLOAT_UNARY,
                  INT_UNARY, NUMERIC_UNARY, IraxTypeError, RuleTable, attrs_of, define,
                  emit, from_callee, where_string)
from .types import Aval, aval_of

batch_rules = RuleTable("batching")
batch_region_rules = RuleTable("batching_region")


# --------------------------------------------------------------------------
# The op
# --------------------------------------------------------------------------

def _verify_vmap(op):
    """Every mapped operand/result axis exists and has size `axis_size`."""
    at = attrs_of(op)
    in_axes, out_axes, axis_size = at["in_axes"], at["out_axes"], at["axis_size"]
    avals = [aval_of(v) for v in op.operands]
    result_avals = [aval_of(v) for v in op.results]
    name = "irax.vmap"
    if len(in_axes) != len(avals):
        raise IraxTypeError(f"{name}: {len(in_axes)} in_axes for {len(avals)} operands")
    if len(out_axes) != len(result_avals):
        raise IraxTypeError(f"{name}: {len(out_axes)} out_axes for {len(result_avals)} results")
    bad = []
    for kind, group, axes in (("operand", avals, in_axes), ("result", result_avals, out_axes)):
        for i, (a, ax) in enumerate(zip(group, axes)):
            if ax == -1:
                continue
            if not 0 <= ax < a.ndim:
                raise IraxTypeError(f"{name}: {kind} {i} ({a.str_short()}) has no axis {ax} "
                                    f"(rank {a.ndim})")
            if a.shape[ax] != axis_size:
                bad.append(f"{kind} {i} ({a.str_short()}) has size {a.shape[ax]} along axis {ax}")
    if bad:
        raise IraxTypeError(f"{name}: mapped axes must all have size axis_size={axis_size}, but "
                            + "; ".join(bad))


define("irax.vmap", {"callee": "symbol", "in_axes": "ints", "out_axes": "ints",
                     "axis_size": "int", "axis_name": "str"},
       inferable=False, verify=_verify_vmap)(from_callee)

# The named axis the irax.vmap being expanded maps over: (axis_name, size), or
# None.  Collectives over it (dialects/collectives.py) batch into ops on the
# batch dimension; collectives over other names stay.
batched_axis = contextvars.ContextVar("irax_batched_axis", default=None)


def _over_batched_axis(op) -> bool:
    """A first-order op over the named axis being batched (a collective): it is
    batched even when no operand is (psum of a constant is size times it)."""
    current = batched_axis.get()
    return (current is not None and "axis_name" in op.attributes and op.name in batch_rules
            and ir.StringAttr(op.attributes["axis_name"]).value == current[0])


# --------------------------------------------------------------------------
# Moving and inserting batch dims
# --------------------------------------------------------------------------

def reshape(x, shape):
    """`B.reshape`, looking through a reshape that produced `x` (chains of
    reshapes from dropping and restoring size-1 dims collapse to one)."""
    owner = x.owner
    op = getattr(owner, "operation", owner)
    if isinstance(op, ir.Operation) and op.name == "irax.reshape":
        x = op.operands[0]
    return B.reshape(x, shape)


def permute(x, perm):
    """`transpose(x, perm)`, as a reshape when it only moves size-1 dims."""
    shape = aval_of(x).shape
    moved = [p for p in perm if shape[p] != 1]
    if moved == sorted(moved):
        return reshape(x, [shape[p] for p in perm])
    return B.transpose(x, perm)


def moveaxis(x, src, dst):
    """`x` with its dim `src` moved to position `dst` (one transpose, or none)."""
    if src == dst:
        return x
    perm = [i for i in range(aval_of(x).ndim) if i != src]
    perm.insert(dst, src)
    return permute(x, perm)


def broadcast_batch(x, size, dst):
    """Unbatched `x` with a new dim of `size` at `dst`."""
    a = aval_of(x)
    shape = list(a.shape)
    shape.insert(dst, size)
    dims = [i if i < dst else i + 1 for i in range(a.ndim)]
    return B.broadcast_in_dim(x, shape, dims)


def batch_at(x, d, dst, size):
    """`x` (batch dim `d`, or None) with its batch dim at `dst`."""
    return broadcast_batch(x, size, dst) if d is None else moveaxis(x, d, dst)


def _size(args, dims):
    for x, d in zip(args, dims):
        if d is not None:
            return aval_of(x).shape[d]
    raise ValueError("batching rule called with no batched operand")


def _rank(x, d):
    """Rank of one example of `x`."""
    return aval_of(x).ndim - (d is not None)


def _shift(axes, d):
    """Per-example axes -> axes of the batched operand (batch dim at `d`)."""
    return tuple(a + (a >= d) for a in axes)


def _first_dim(dims):
    return next(d for d in dims if d is not None)


def align(args, dims, size=None):
    """All `args` (equal per-example shapes) batched at one dim, the first
    operand's where possible: one transpose per operand whose dim differs,
    a broadcast per unbatched operand."""
    size = size or _size(args, dims)
    target = _first_dim(dims)
    return [batch_at(x, d, target, size) for x, d in zip(args, dims)], target


def rule(*names):
    def deco(fn):
        for n in names:
            batch_rules[n] = fn
        return fn
    return deco


# --------------------------------------------------------------------------
# Elementwise
# --------------------------------------------------------------------------

def _elementwise(name):
    def batch(args, dims, **attrs):
        args, d = align(args, dims)
        return emit(name, args, **attrs), [d]
    return batch


for _n in (FLOAT_UNARY + NUMERIC_UNARY + INT_UNARY + ARITH_BINARY + FLOAT_BINARY
           + BITWISE_BINARY + COMPARISONS
           + ("is_finite", "integer_pow", "convert_element_type", "bitcast_convert_type",
              "stop_gradient")):
    batch_rules[f"irax.{_n}"] = _elementwise(f"irax.{_n}")


def _with_scalars(name, scalar_positions):
    """Ops whose operands at `scalar_positions` may be per-example scalars
    (select's predicate, clamp's bounds): unbatched scalars stay scalars,
    batched ones are broadcast to the full batched shape."""
    def batch(args, dims, **attrs):
        ref = max(_rank(x, d) for x, d in zip(args, dims))
        full = [i for i in range(len(args)) if i not in scalar_positions
                or _rank(args[i], dims[i]) == ref]
        size = _size(args, dims)
        if all(dims[i] is None for i in full):
            target = 0
            shaped = [broadcast_batch(args[i], size, 0) for i in full]
        else:
            shaped, target = align([args[i] for i in full], [dims[i] for i in full], size)
        out = list(args)
        for i, v in zip(full, shaped):
            out[i] = v
        full_shape = aval_of(shaped[0]).shape
        for i in range(len(args)):
            if i not in full and dims[i] is not None:
                out[i] = B.broadcast_in_dim(args[i], full_shape, (target,))
        return emit(name, out, **attrs), [target]
    return batch


batch_rules["irax.select"] = _with_scalars("irax.select", (0,))
batch_rules["irax.clamp"] = _with_scalars("irax.clamp", (0, 2))


def _nullary(name):
    """Ops without operands (constant, iota) produce unbatched values."""
    def batch(args, dims, **attrs):
        return emit(name, [], **attrs), [None]
    return batch


for _n in ("constant", "iota"):
    batch_rules[f"irax.{_n}"] = _nullary(f"irax.{_n}")


# --------------------------------------------------------------------------
# Shapes
# --------------------------------------------------------------------------

@rule("irax.broadcast_in_dim")
def _broadcast_in_dim(args, dims, shape, broadcast_dimensions):
    (x,), (d,) = args, dims
    bdims = list(broadcast_dimensions)
    p = bdims[d - 1] + 1 if d > 0 else 0
    new_dims = [b if i < d else b + 1 for i, b in enumerate(bdims)]
    new_dims.insert(d, p)
    new_shape = list(shape)
    new_shape.insert(p, aval_of(x).shape[d])
    return [B.broadcast_in_dim(x, new_shape, new_dims)], [p]


@rule("irax.reshape")
def _reshape(args, dims, new_sizes):
    """The batch dim stays where the dims before it reshape to a prefix of
    `new_sizes` (row-major order is kept); otherwise it moves to the front."""
    (x,), (d,) = args, dims
    shape = aval_of(x).shape
    size, lead = shape[d], int(np.prod(shape[:d], dtype=np.int64))
    new_sizes = list(new_sizes)
    for j in range(len(new_sizes) + 1):
        prefix = int(np.prod(new_sizes[:j], dtype=np.int64))
        if prefix == lead:
            return [reshape(x, new_sizes[:j] + [size] + new_sizes[j:])], [j]
        if prefix > lead:
            break
    return [reshape(moveaxis(x, d, 0), [size] + new_sizes)], [0]


@rule("irax.transpose")
def _transpose(args, dims, permutation):
    (x,), (d,) = args, dims
    perm = [p + (p >= d) for p in permutation]
    perm.insert(d, d)
    return [B.transpose(x, perm)], [d]


@rule("irax.rev")
def _rev(args, dims, dimensions):
    (x,), (d,) = args, dims
    return emit("irax.rev", [x], dimensions=_shift(dimensions, d)), [d]


def _reduction(name):
    def batch(args, dims, axes):
        (x,), (d,) = args, dims
        out_d = d - sum(1 for a in axes if a < d)
        return emit(name, [x], axes=_shift(axes, d)), [out_d]
    return batch


for _n in ("sum", "max", "min", "prod", "and", "or"):
    batch_rules[f"irax.reduce_{_n}"] = _reduction(f"irax.reduce_{_n}")


def _argreduce_rule(name):
    def batch(args, dims, axis, index_dtype):
        (x,), (d,) = args, dims
        return (emit(name, [x], axis=axis + (axis >= d), index_dtype=index_dtype),
                [d - (axis < d)])
    return batch


def _cumulative_rule(name):
    def batch(args, dims, axis, reverse=False):
        (x,), (d,) = args, dims
        return emit(name, [x], axis=axis + (axis >= d), reverse=reverse), [d]
    return batch


for _n in ("argmax", "argmin"):
    batch_rules[f"irax.{_n}"] = _argreduce_rule(f"irax.{_n}")
for _n in ("cumsum", "cumprod", "cummax", "cummin"):
    batch_rules[f"irax.{_n}"] = _cumulative_rule(f"irax.{_n}")


@rule("irax.slice")
def _slice(args, dims, start_indices, limit_indices, strides=None):
    (x,), (d,) = args, dims
    size = aval_of(x).shape[d]
    strides = list(strides or (1,) * len(start_indices))
    start, limit = list(start_indices), list(limit_indices)
    start.insert(d, 0)
    limit.insert(d, size)
    strides.insert(d, 1)
    return emit("irax.slice", [x], start_indices=start, limit_indices=limit, strides=strides), [d]


@rule("irax.pad")
def _pad(args, dims, low, high, interior=None):
    (x, pv), (d, pd) = args, dims
    size = _size(args, dims)
    interior = list(interior or (0,) * len(low))
    if d is None:
        x, d = broadcast_batch(x, size, 0), 0
    low, high = list(low), list(high)
    for lst in (low, high, interior):
        lst.insert(d, 0)
    if pd is None:
        return emit("irax.pad", [x, pv], low=low, high=high, interior=interior), [d]
    # A per-example padding value: pad with anything, then select it in
    # wherever a mask of the operand's extent (padded with False) is False.
    dtype = aval_of(x).dtype
    zero = B.full((), 0, dtype)
    padded = B.op("irax.pad", x, zero, low=low, high=high, interior=interior)
    inside = B.op("irax.pad", B.full(aval_of(x).shape, True, "bool"), B.full((), False, "bool"),
                  low=low, high=high, interior=interior)
    fill = B.broadcast_in_dim(pv, aval_of(padded).shape, (d,))
    return [B.select(inside, padded, fill)], [d]


@rule("irax.concatenate")
def _concatenate(args, dims, dimension):
    args, d = align(args, dims)
    return emit("irax.concatenate", args, dimension=dimension + (dimension >= d)), [d]


@rule("irax.sort")
def _sort(args, dims, dimension, num_keys=1, descending=False):
    args, d = align(args, dims)
    outs = emit("irax.sort", args, dimension=dimension + (dimension >= d), num_keys=num_keys,
                descending=descending)
    return outs, [d] * len(outs)


# --------------------------------------------------------------------------
# dot_general: one contraction with the batch dim as an extra batch (both
# operands batched) or free (one operand batched) dimension.  Never a loop.
# --------------------------------------------------------------------------

@rule("irax.dot_general")
def _dot_general(args, dims, lhs_contracting, rhs_contracting, lhs_batch=(), rhs_batch=()):
    (lhs, rhs), (ld, rd) = args, dims
    lc, rc, lb, rb = (tuple(t) for t in (lhs_contracting, rhs_contracting, lhs_batch, rhs_batch))
    if ld is not None and rd is not None:
        # [B, M, K] x [B, K, N] with batch (0, 0) lowers to linalg.batch_matmul.
        out = B.dot_general(lhs, rhs, _shift(lc, ld), _shift(rc, rd),
                            (ld,) + _shift(lb, ld), (rd,) + _shift(rb, rd))
        return [out], [0]
    if not lb and len(lc) == 1:
        folded = (_as_matmul(rhs, rd, rc[0] + (rc[0] >= rd), lhs, lc[0], False) if ld is None
                  else _as_matmul(lhs, ld, lc[0] + (lc[0] >= ld), rhs, rc[0], True))
        if folded is not None:
            return folded
    if ld is None:
        l_rank = aval_of(lhs).ndim
        lfree = [i for i in range(l_rank) if i not in lc and i not in lb]
        r_rank = aval_of(rhs).ndim - 1
        rfree = [i for i in range(r_rank) if i not in rc and i not in rb]
        if lfree and all(aval_of(rhs).shape[i + (i >= rd)] == 1 for i in rfree):
            # The rhs adds only the batch dim and size-1 dims (a matrix-vector
            # product): with the operands swapped the batch dim comes before
            # lhs's free dims, where out_axes=0 wants it, and the size-1 dims
            # go back in place by a reshape.
            out = B.dot_general(rhs, lhs, _shift(rc, rd), lc, _shift(rb, rd), lb)
            nb, nr = len(lb), len(rfree) + 1
            b_at = nb + [i for i in range(r_rank + 1)
                         if i not in _shift(rc, rd) + _shift(rb, rd)].index(rd)
            perm = list(range(nb)) + [b_at] + list(range(nb + nr, nb + nr + len(lfree))) + \
                [i for i in range(nb, nb + nr) if i != b_at]
            return [permute(out, perm)], [nb]
        rfree_b = [i for i in range(r_rank + 1) if i not in _shift(rc, rd) + _shift(rb, rd)]
        out = B.dot_general(lhs, rhs, lc, _shift(rc, rd), lb, _shift(rb, rd))
        return [out], [len(lb) + len(lfree) + rfree_b.index(rd)]
    lfree_b = [i for i in range(aval_of(lhs).ndim) if i not in _shift(lc, ld) + _shift(lb, ld)]
    out = B.dot_general(lhs, rhs, _shift(lc, ld), rc, _shift(lb, ld), rb)
    return [out], [len(lb) + lfree_b.index(ld)]


def _as_matmul(p, pd, pc, q, qc, p_is_lhs):
    """One operand batched (`p`, batch dim `pd`, contracting dim `pc`), one
    contracting dim: fold the batch dim into the rows of a 2-D product that
    lowers to linalg.matmul (size-1 dims dropped and restored by reshapes,
    the unbatched `q` transposed if needed).  Returns ([out], [dim]) or None
    when that would need a transpose of `p` or of the result."""
    ps, qs = aval_of(p).shape, aval_of(q).shape
    pkeep = [i for i in range(len(ps)) if i in (pd, pc) or ps[i] != 1]
    qkeep = [j for j in range(len(qs)) if j == qc or qs[j] != 1]
    if pkeep.index(pc) not in (0, len(pkeep) - 1) or qkeep.index(qc) not in (0, len(qkeep) - 1):
        return None
    k_first = pkeep[0] == pc
    rows = [("B",) if i == pd else ("p", i) for i in pkeep if i != pc]
    cols = [("q", j) for j in qkeep if j != qc]
    size = {("B",): ps[pd], **{("p", i): ps[i] for i in range(len(ps))},
            **{("q", j): qs[j] for j in range(len(qs))}}
    nrows = int(np.prod([size[t] for t in rows], dtype=np.int64))
    ncols = int(np.prod([size[t] for t in cols], dtype=np.int64))
    k = ps[pc]
    out_tags = cols + rows if k_first else rows + cols
    pfree = [("p", i) for i in range(len(ps)) if i not in (pd, pc)]
    qfree = [("q", j) for j in range(len(qs)) if j != qc]
    want = pfree + qfree if p_is_lhs else qfree + pfree
    big = [t for t in out_tags if t == ("B",) or size[t] != 1]
    if [t for t in big if t != ("B",)] != [t for t in want if size[t] != 1]:
        return None
    q_k_first = qkeep[0] == qc
    q2 = reshape(q, (k, ncols) if q_k_first else (ncols, k))
    if k_first:  # [cols, K] x [K, rows]
        p2 = reshape(p, (k, nrows))
        out = B.dot_general(B.transpose(q2, (1, 0)) if q_k_first else q2, p2, (1,), (0,))
    else:  # [rows, K] x [K, cols]
        p2 = reshape(p, (nrows, k))
        out = B.dot_general(p2, q2 if q_k_first else B.transpose(q2, (1, 0)), (1,), (0,))
    t = big.index(("B",))
    wbig = [i for i, w in enumerate(want) if size[w] != 1]
    at = 0 if t == 0 else wbig[t - 1] + 1
    shape = [size[w] for w in want]
    shape.insert(at, ps[pd])
    return [reshape(out, shape)], [at]


# --------------------------------------------------------------------------
# Indexing.  Batched start indices turn dynamic_slice/dynamic_update_slice
# into one gather/scatter over all elements of the slice (no loops).
# --------------------------------------------------------------------------

INDEX_DTYPE = "int32"


def _stack_last(coords):
    """Equal-shaped integer arrays stacked along a new last axis."""
    shape = aval_of(coords[0]).shape
    cols = [reshape(c, shape + (1,)) for c in coords]
    if len(cols) == 1:
        return cols[0]
    return B.op("irax.concatenate", *cols, dimension=len(shape))


def _element_indices(starts, sdims, operand_shape, slice_sizes, size, with_batch):
    """Indices [B, *slice_sizes, k] of every element of a per-example slice:
    (b,) (if `with_batch`) then clamp(start_j, 0, d_j - s_j) + i_j per dim."""
    shape = (size,) + tuple(slice_sizes)
    coords = [B.op("irax.iota", shape=shape, dtype=INDEX_DTYPE, dimension=0)] if with_batch else []
    for j, (s, sd) in enumerate(zip(starts, sdims)):
        s = B.convert(s, INDEX_DTYPE)
        hi = operand_shape[j] - slice_sizes[j]
        s = B.op("irax.clamp", B.full((), 0, INDEX_DTYPE), s, B.full((), hi, INDEX_DTYPE))
        s = B.broadcast_in_dim(s, shape, () if sd is None else (0,))
        coords.append(B.add(s, B.op("irax.iota", shape=shape, dtype=INDEX_DTYPE, dimension=j + 1)))
    return _stack_last(coords)


def _index_zero(starts):
    dtype = aval_of(starts[0]).dtype if starts else INDEX_DTYPE
    return B.full((), 0, dtype)


@rule("irax.dynamic_slice")
def _dynamic_slice(args, dims, slice_sizes):
    (x, *starts), (d, *sdims) = args, dims
    size = _size(args, dims)
    if all(sd is None for sd in sdims):
        starts.insert(d, _index_zero(starts))
        sizes = list(slice_sizes)
        sizes.insert(d, size)
        return emit("irax.dynamic_slice", [x] + starts, slice_sizes=sizes), [d]
    shape = aval_of(x).shape
    if d is not None:
        x = moveaxis(x, d, 0)
        shape = aval_of(x).shape[1:]
    idx = _element_indices(starts, sdims, shape, slice_sizes, size, with_batch=d is not None)
    return [B.op("irax.gather", x, idx)], [0]


@rule("irax.dynamic_update_slice")
def _dynamic_update_slice(args, dims, **attrs):
    (x, u, *starts), (d, ud, *sdims) = args, dims
    size = _size(args, dims)
    if all(sd is None for sd in sdims):
        (x, u), d = align([x, u], [d, ud], size)
        starts.insert(d, _index_zero(starts))
        return emit("irax.dynamic_update_slice", [x, u] + starts), [d]
    x, u = batch_at(x, d, 0, size), batch_at(u, ud, 0, size)
    ushape = aval_of(u).shape[1:]
    idx = _element_indices(starts, sdims, aval_of(x).shape[1:], ushape, size, with_batch=True)
    return [B.op("irax.scatter", x, idx, u, mode="set")], [0]


def _with_batch_coordinate(idx, size):
    """Indices batched at 0, [B, ..., k] -> [B, ..., k+1] led by the batch index."""
    shape = aval_of(idx).shape
    lead = B.op("irax.iota", shape=shape[:-1] + (1,), dtype=aval_of(idx).dtype, dimension=0)
    return B.op("irax.concatenate", lead, idx, dimension=len(shape) - 1)


@rule("irax.gather")
def _gather(args, dims):
    (x, idx), (d, idd) = args, dims
    size = _size(args, dims)
    k = aval_of(idx).shape[-1]
    if idd is None:
        # The operand's batch dim rides along as one of its trailing dims.
        if d < k:
            x, d = moveaxis(x, d, k), k
        return [B.op("irax.gather", x, idx)], [aval_of(idx).ndim - 1 + d - k]
    if idd == aval_of(idx).ndim - 1:
        idx, idd = moveaxis(idx, idd, 0), 0
    if d is None:
        return [B.op("irax.gather", x, idx)], [idd]
    idx = _with_batch_coordinate(moveaxis(idx, idd, 0), size)
    return [B.op("irax.gather", moveaxis(x, d, 0), idx)], [0]


@rule("irax.scatter")
def _scatter(args, dims, mode):
    (x, idx, upd), (d, idd, ud) = args, dims
    size = _size(args, dims)
    k = aval_of(idx).shape[-1]
    m = aval_of(idx).ndim
    if idd is None:
        p = d if d is not None and d >= k else k
        x = batch_at(x, d, p, size)
        upd = batch_at(upd, ud, m - 1 + p - k, size)
        return [B.op("irax.scatter", x, idx, upd, mode=mode)], [p]
    idx = _with_batch_coordinate(moveaxis(idx, idd, 0), size)
    x, upd = batch_at(x, d, 0, size), batch_at(upd, ud, 0, size)
    return [B.op("irax.scatter", x, idx, upd, mode=mode)], [0]


# --------------------------------------------------------------------------
# Batching a block, and the expansion of irax.vmap
# --------------------------------------------------------------------------

# Value maps of the blocks being batched, innermost last.  A context variable
# (holding a tuple), so two threads batching at once keep separate scopes.
_scopes = contextvars.ContextVar("irax_batching_scopes", default=())


def _lookup(v):
    for scope in reversed(_scopes.get()):
        hit = scope.get(v)
        if hit is not None:
            return hit
    return v, None


def batch_block(block, args, dims, axis_size):
    """Emit the batched ops of `block` (its arguments bound to `args`, batched
    at `dims`) at the current insertion point; returns the batched operands of
    its terminator and their batch dims.  Values of enclosing blocks being
    batched are visible, so region-op rules can batch nested bodies."""
    scope = {a: (v, d) for a, v, d in zip(block.arguments, args, dims)}
    token = _scopes.set(_scopes.get() + (scope,))
    try:
        ops = list(block.operations)
        for inner in ops[:-1]:
            _batch_op(inner, scope, axis_size)
        term = ops[-1]
        found = [_lookup(v) for v in term.operands]
        return [v for v, _ in found], [d for _, d in found]
    finally:
        _scopes.reset(token)


def _batch_op(inner, scope, axis_size):
    found = [_lookup(v) for v in inner.operands]
    vals, dims = [v for v, _ in found], [d for _, d in found]
    if all(d is None for d in dims) and not _over_batched_axis(inner):
        clone = inner.clone()
        for i, v in enumerate(vals):
            clone.operands[i] = v
        for old, new in zip(inner.results, clone.results):
            scope[old] = (new, None)
        return
    name = inner.name
    with inner.location:
        if name in batch_region_rules:
            outs, out_dims = batch_region_rules[name](inner, vals, dims)
        elif name in batch_rules and not len(inner.regions):
            outs, out_dims = batch_rules[name](vals, dims, **attrs_of(inner))
        else:
            raise NotImplementedError(f"no batching rule for '{name}' "
                                      f"(at {where_string(inner.location)})")
    for old, new, d in zip(inner.results, outs, out_dims):
        want = list(aval_of(old).shape)
        if d is not None:
            want.insert(d, axis_size)
        if list(aval_of(new).shape) != want:
            raise AssertionError(f"batching rule for '{name}' returned {aval_of(new).str_short()} "
                                 f"batched at {d}; expected shape {want}")
        scope[old] = (new, d)


def _match(v, d, want, size):
    """`v` (batch dim `d`) with its batch dim at `want`; None: summed over the
    batch (the cotangent of an unbatched input is the sum over examples)."""
    if want is None:
        return v if d is None else B.reduce_sum(v, (d,))
    return batch_at(v, d, want, size)


def batch_function(module, name, dims, size, out_dims):
    """A new private function: `@name` batched with its arguments at `dims`
    and its results moved to `out_dims` (None: summed over the batch)."""
    from iree.compiler.dialects import func
    callee = lookup_func(module, name)
    body = callee.regions[0].blocks[0]
    arg_types = []
    for a, d in zip(body.arguments, dims):
        shape = list(aval_of(a).shape)
        if d is not None:
            shape.insert(d, size)
        arg_types.append(ir.RankedTensorType.get(shape, ir.RankedTensorType(a.type).element_type))
    taken = {ir.StringAttr(f.attributes["sym_name"]).value for f in module.regions[0].blocks[0]}
    new_name, i = f"{name}_batched", 0
    while new_name in taken:
        i += 1
        new_name = f"{name}_batched_{i}"
    with ir.InsertionPoint(module.regions[0].blocks[0]):
        f = func.FuncOp(new_name, ir.FunctionType.get(arg_types, []))
    f.attributes["sym_visibility"] = ir.StringAttr.get("private")
    block = f.add_entry_block()
    with ir.InsertionPoint(block):
        outs, got = batch_block(body, list(block.arguments), dims, size)
        outs = [_match(v, d, w, size) for v, d, w in zip(outs, got, out_dims)]
        func.ReturnOp(outs)
    f.attributes["function_type"] = ir.TypeAttr.get(
        ir.FunctionType.get(arg_types, [v.type for v in outs]))
    return new_name, outs


def _rebatch_call(op, args, dims, plans):
    """Re-emit a custom-derivative call on batched copies of the functions it
    refers to.  `plans`: {attribute: (argument dims, result dims)}; the op's
    own results come out batched at 0."""
    at = attrs_of(op)
    module = module_of(op)
    size = _size(args, dims)
    new = {attr: batch_function(module, at[attr], a, size, o)[0]
           for attr, (a, o) in plans.items()}
    results = [Aval((size,) + aval_of(r).shape, aval_of(r).dtype) for r in op.results]
    outs = emit(op.name, list(args), results=results, **{**at, **new})
    return outs, [0] * len(outs)


def _batch_custom_jvp_call(op, args, dims):
    """@f and @f_jvp(args, tangents, captures) batched; tangents are batched
    like their primals, all outputs at 0, so the JVP rule lines up."""
    at = attrs_of(op)
    n, nc, nout = at["num_args"], at["num_callee_captures"], len(op.results)
    a = list(dims[:n])
    return _rebatch_call(op, args, dims, {
        "callee": (list(dims[:n + nc]), [0] * nout),
        "jvp_callee": (a + a + list(dims[n + nc:]), [0] * (2 * nout))})


def _batch_custom_vjp_call(op, args, dims):
    """@f, @f_fwd (outputs and residuals at 0) and @f_bwd(residuals,
    cotangents, captures) batched; each argument cotangent comes out batched
    like its argument, summed over the batch for an unbatched argument."""
    at = attrs_of(op)
    n, nc, nf = at["num_args"], at["num_callee_captures"], at["num_fwd_captures"]
    nout = len(op.results)
    fwd = lookup_func(module_of(op), at["fwd"]).regions[0].blocks[0]
    nres = len(list(fwd.operations)[-1].operands) - nout
    return _rebatch_call(op, args, dims, {
        "callee": (list(dims[:n + nc]), [0] * nout),
        "fwd": (list(dims[:n]) + list(dims[n + nc:n + nc + nf]), [0] * (nout + nres)),
        "bwd": ([0] * (nres + nout) + list(dims[n + nc + nf:]), list(dims[:n]))})


batch_region_rules["irax.custom_jvp_call"] = _batch_custom_jvp_call
batch_region_rules["irax.custom_vjp_call"] = _batch_custom_vjp_call


@expansion("irax.vmap")
def expand_vmap(op, module):
    """Inline the callee batched along `in_axes`; results moved to `out_axes`."""
    at = attrs_of(op)
    callee = lookup_func(module, at["callee"])
    size = at["axis_size"]
    dims = [None if a < 0 else a for a in at["in_axes"]]
    token = batched_axis.set((at["axis_name"], size) if "axis_name" in at else None)
    try:
        with ir.InsertionPoint(op):
            outs, out_dims = batch_block(callee.regions[0].blocks[0], list(op.operands), dims,
                                         size)
    finally:
        batched_axis.reset(token)
    with ir.InsertionPoint(op):
        results = []
        for i, (v, d, want) in enumerate(zip(outs, out_dims, at["out_axes"])):
            if want < 0:
                if d is not None:
                    raise ValueError(f"irax.vmap: out_axes is None for result {i} of "
                                     f"@{at['callee']}, but it depends on a mapped input "
                                     f"(at {where_string(op.location)})")
                results.append(v)
            else:
                results.append(batch_at(v, d, want, size))
    return results




def expand_vmap_ops(module) -> None:
    """The `irax-expand-vmap` pass: expand only the irax.vmap ops (callees first)."""
    expand_only(module, ["irax.vmap"])
