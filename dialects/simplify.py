"""irax-level simplification: folding, CSE and DCE.

Upstream `canonicalize`/`cse` treat unregistered ops as side-effecting, so
irax owns these.  All irax ops are pure; an op is dead when no result is used.
Folds are small rules keyed by op name, read top to bottom in `FOLDS`;
elementwise ops whose operands are all small constants are evaluated with
NumPy by the rules in `CONSTANT_FOLDS`, with the lowering's semantics
(C-style integer division, XLA's shift and conversion rules).
"""
from __future__ import annotations

import numpy as np

from .context import ir
from .ops import RuleTable, attrs_of, emit, integer_pow_by_squaring, reduce_identity, splat_array
from .types import aval_of, host_dtype, is_complex, is_float, is_inexact


def splat_value(v: ir.Value):
    """The scalar value of `v` if it is a splat irax.constant, else None."""
    owner = v.owner
    if not isinstance(owner, ir.OpView) and not isinstance(owner, ir.Operation):
        return None
    op = owner.operation if hasattr(owner, "operation") else owner
    if op.name != "irax.constant":
        return None
    dense = ir.DenseElementsAttr(op.attributes["value"])
    if not dense.is_splat:
        return None
    value = attrs_of(op)["value"]
    return value.reshape(-1)[0] if value.size else None


def _is(v, x):
    s = splat_value(v)
    return s is not None and s == x


def _zeros_like(v):
    aval = aval_of(v)
    return emit("irax.constant", [], value=splat_array(0, aval.shape, host_dtype(aval.dtype)))[0]


def _ones_like(v):
    aval = aval_of(v)
    return emit("irax.constant", [], value=splat_array(1, aval.shape, host_dtype(aval.dtype)))[0]


def _fold_add(op):
    a, b = op.operands
    if _is(b, 0) and a.type == op.result.type:
        return a
    if _is(a, 0) and b.type == op.result.type:
        return b


def _fold_sub(op):
    a, b = op.operands
    if _is(b, 0):
        return a
    if _is(a, 0):
        return emit("irax.neg", [b])[0]


def _fold_mul(op):
    a, b = op.operands
    for x, y in ((a, b), (b, a)):
        if _is(y, 1) and x.type == op.result.type:
            return x
        # x*0 == 0 only when x cannot be inf/nan: integers or finite constants.
        if _is(y, 0) and (not is_float(aval_of(x).dtype) or _finite_splat(x)):
            return _zeros_like(op.result)


def _finite_splat(v):
    s = splat_value(v)
    return s is not None and np.isfinite(s)


def _fold_div(op):
    a, b = op.operands
    if _is(b, 1):
        return a
    return _times_reciprocal(a, b)


def _times_reciprocal(a, b):
    """a / c -> a * (1/c) for a float constant c, and a / broadcast(s) ->
    a * broadcast(1/s): XLA's algebraic simplifier makes both rewrites, so JAX's
    quotients by constants and by broadcast values are these products (they
    differ from true division by an ulp on a third of inputs)."""
    dtype = aval_of(b).dtype
    if not is_float(dtype) or _constant_array(a) is not None:
        return None  # (constant / constant is folded exactly, as true division)
    value = _constant_array(b)
    if value is not None:
        host = host_dtype(dtype)
        with np.errstate(divide="ignore", over="ignore"):
            s = splat_value(b)
            recip = (splat_array(np.divide(np.ones((), host), np.asarray(s, host)), value.shape, host)
                     if s is not None else
                     np.divide(np.ones((), host), value.astype(host)).astype(host))
        return emit("irax.mul", [a, emit("irax.constant", [], value=recip)[0]])[0]
    owner = getattr(b.owner, "operation", b.owner)
    if getattr(owner, "name", None) == "irax.broadcast_in_dim":
        small = owner.operands[0]
        recip = emit("irax.div", [_ones_like(small), small])[0]
        return emit("irax.mul", [a, emit("irax.broadcast_in_dim", [recip], **attrs_of(owner))[0]])[0]
    return None


def _fold_neg(op):
    (a,) = op.operands
    inner = a.owner
    if hasattr(inner, "name") and inner.name == "irax.neg":
        return inner.operands[0]
    s = splat_value(a)
    if s is not None:
        aval = aval_of(a)
        return emit("irax.constant", [], value=splat_array(-s, aval.shape, host_dtype(aval.dtype)))[0]


def _fold_identity_or_splat(op):
    """An op that does not change its operand's type is the identity; applied to
    a splat constant (broadcast, reshape, convert, ...) it is a splat of its
    result type."""
    (a,) = op.operands
    if a.type == op.result.type:
        return a
    s = splat_value(a)
    aval = aval_of(op.result)
    if s is not None and aval.dtype != "bfloat16":
        one = np.asarray(convert_numpy(np.asarray(s), aval.dtype))  # the lowering's cast
        value = np.broadcast_to(one, aval.shape)
        return emit("irax.constant", [], value=value)[0]


def _fold_rev(op):
    """rev of a splat is the splat (a rev never has the identity's type test)."""
    return _fold_identity_or_splat(op) if splat_value(op.operands[0]) is not None else None


def _fold_select(op):
    p, a, b = op.operands
    if a == b:
        return a
    s = splat_value(p)  # a scalar predicate picks a whole operand too
    if s is not None:
        return a if s else b


def _fold_transpose(op):
    perm = attrs_of(op)["permutation"]
    if list(perm) == sorted(perm):
        return op.operands[0]
    return _fold_identity_or_splat(op) if splat_value(op.operands[0]) is not None else None


FOLDS = RuleTable("simplify", {
    "irax.add": _fold_add,
    "irax.sub": _fold_sub,
    "irax.mul": _fold_mul,
    "irax.div": _fold_div,
    "irax.neg": _fold_neg,
    "irax.broadcast_in_dim": _fold_identity_or_splat,
    "irax.reshape": _fold_identity_or_splat,
    "irax.convert_element_type": _fold_identity_or_splat,
    "irax.select": _fold_select,
    "irax.transpose": _fold_transpose,
    "irax.rev": _fold_rev,
    "irax.slice": _fold_identity_or_splat,
})


# --------------------------------------------------------------------------
# Constant folding: NumPy evaluation of elementwise ops on small constants
# --------------------------------------------------------------------------

MAX_FOLD_ELEMENTS = 1024


def _wrap(values, dtype):
    """Python ints -> `dtype`, wrapping modulo 2**bits like the hardware."""
    bits = dtype.itemsize * 8
    off = 1 << (bits - 1) if dtype.kind == "i" else 0
    return np.array([(int(v) + off) % (1 << bits) - off for v in values.reshape(-1)],
                    dtype).reshape(values.shape)


def _trunc_div(x, y):
    q = abs(x) // abs(y)
    return q if (x < 0) == (y < 0) else -q


def _int_div(a, b):
    """C division (toward zero), x/0 = -1, INT_MIN/-1 = INT_MIN, as lowered."""
    q = np.vectorize(lambda x, y: -1 if y == 0 else _trunc_div(int(x), int(y)),
                     otypes=[object])(a, b)
    return _wrap(q, a.dtype)


def _int_rem(a, b):
    """The remainder of C division: the sign of the dividend; x%0 = x."""
    r = np.vectorize(lambda x, y: x if y == 0 else int(x) - int(y) * _trunc_div(int(x), int(y)),
                     otypes=[object])(a, b)
    return _wrap(r, a.dtype)


def _div(a, b):
    return np.divide(a, b) if a.dtype.kind == "f" else _int_div(a, b)




def _int_pow(a, b):
    out = np.power(a, np.maximum(b, 0))
    neg = np.where(a == 1, 1, np.where(a == -1, np.where(b % 2 == 0, 1, -1), 0))
    return np.where(b < 0, neg, out).astype(a.dtype)


def _integer_pow(x, y):
    """x**y by the lowering's chain of multiplications (square and multiply)."""
    if x.dtype.kind != "f":
        return _int_pow(x, np.full(x.shape, y, x.dtype))
    return integer_pow_by_squaring(x, y, _arith(np.multiply), lambda: np.ones_like(x),
                                   lambda a: _arith(np.divide)(x.dtype.type(1), a))


def _ieee_max(a, b):
    """IEEE maximum, as arith.maximumf: NaN wins, +0 > -0."""
    if a.dtype.kind != "f":
        return np.maximum(a, b)
    out = np.where(a > b, a, np.where(b > a, b, np.where(np.signbit(a), b, a)))
    return np.where(np.isnan(a) | np.isnan(b), np.nan, out).astype(a.dtype)


def _ieee_min(a, b):
    if a.dtype.kind != "f":
        return np.minimum(a, b)
    out = np.where(a < b, a, np.where(b < a, b, np.where(np.signbit(a), a, b)))
    return np.where(np.isnan(a) | np.isnan(b), np.nan, out).astype(a.dtype)


def _sign(x):
    """As lowered: compares pick +-1; zeros (of either sign) and NaN pass through."""
    if x.dtype.kind == "u":
        return (x > 0).astype(x.dtype)
    one = x.dtype.type(1)
    return np.where(x > 0, one, np.where(x < 0, -one, x)).astype(x.dtype)


def _shift(kind):
    def f(a, b):
        bits = a.dtype.itemsize * 8
        u = a.view(f"uint{bits}")
        ok = (b >= 0) & (b < bits) if a.dtype.kind == "i" else b < bits
        sb = np.where(ok, b, 0).astype(u.dtype)
        if kind == "left":
            out = (u << sb).view(a.dtype)
            return np.where(ok, out, 0).astype(a.dtype)
        if kind == "logical":
            return np.where(ok, (u >> sb).view(a.dtype), 0).astype(a.dtype)
        s = a.view(f"int{bits}")  # arithmetic on the bits, whatever the signedness (as XLA)
        fill = np.where(s < 0, -1, 0).astype(s.dtype)
        return np.where(ok, s >> sb.astype(s.dtype), fill).astype(s.dtype).view(a.dtype)
    return f


def _popcount(a):
    bits = a.dtype.itemsize * 8
    return np.bitwise_count(a.view(f"uint{bits}") if a.dtype.kind == "i" else a).astype(a.dtype)


def convert_numpy(x: np.ndarray, dtype: str) -> np.ndarray:
    """convert_element_type as lowered: float -> int saturates, NaN -> 0, complex -> real
    keeps the real part."""
    if x.dtype.kind == "c" and not dtype.startswith("complex"):
        x = x.real
    if x.dtype.kind == "f" and dtype.startswith(("int", "uint")):
        info = np.iinfo(dtype)
        out = np.where(np.isnan(x), 0, x)
        big, small = out >= float(info.max) + 1, out < float(info.min)
        out = np.trunc(np.where(big | small, 0, out)).astype(dtype)
        return np.where(big, info.max, np.where(small, info.min, out)).astype(dtype)
    if dtype == "bool":
        return x != 0
    return x.astype(dtype)


def _ftz(x):
    """float32/float64 subnormals as (signed) zeros: the CPU's arithmetic reads and
    writes them so (flush-to-zero, as XLA on CPU).  float16 and bfloat16 are
    computed in float32, where their subnormals are normal numbers."""
    x = np.asarray(x)
    if x.dtype.kind != "f" or x.dtype.itemsize < 4:
        return x
    return np.where(np.abs(x) < np.finfo(x.dtype).tiny, np.copysign(np.zeros_like(x), x), x)


def _arith(fn):
    """`fn` as the hardware runs it: subnormal operands and results flushed."""
    return lambda *xs, **attrs: _ftz(fn(*[_ftz(x) for x in xs], **attrs))


def _broadcast_in_dim(x, shape, broadcast_dimensions):
    dims = list(broadcast_dimensions)
    kept = [x.shape[dims.index(i)] if i in dims else 1 for i in range(len(shape))]
    return np.broadcast_to(x.reshape(kept), tuple(shape))


def _slice(x, start_indices, limit_indices, strides=None):
    strides = strides or [1] * x.ndim
    return x[tuple(slice(a, b, c) for a, b, c in zip(start_indices, limit_indices, strides))]


def _pad(x, value, low, high, interior=None):
    """lax.pad: `interior` fill between elements; negative low/high crop."""
    interior = interior or (0,) * x.ndim  # optional, as in the op's definition
    shape = [lo + n + max(n - 1, 0) * it + hi for n, lo, hi, it in zip(x.shape, low, high, interior)]
    out = np.full(shape, value, x.dtype)
    where = [lo + np.arange(n) * (it + 1) for n, lo, it in zip(x.shape, low, interior)]
    keep = [(w >= 0) & (w < m) for w, m in zip(where, shape)]
    out[np.ix_(*[w[k] for w, k in zip(where, keep)])] = x[np.ix_(*[np.flatnonzero(k) for k in keep])]
    return out


# Data movement is exact: shape ops on small constants always fold.
DATA_MOVEMENT_FOLDS = RuleTable("data_movement_fold", {
    "irax.rev": lambda x, dimensions: np.flip(x, tuple(dimensions)),
    "irax.slice": _slice,
    "irax.transpose": lambda x, permutation: np.transpose(x, permutation),
    "irax.reshape": lambda x, new_sizes: x.reshape(new_sizes),
    "irax.broadcast_in_dim": _broadcast_in_dim,
    "irax.pad": _pad,
    "irax.concatenate": lambda *xs, dimension: np.concatenate(xs, dimension),
})


# Only ops that NumPy computes exactly as the lowering does fold: IEEE-exact
# arithmetic, comparisons, integer ops and conversions.  Transcendental
# functions (exp, sin, atan2, erf, pow and rem on floats, ...) are not: their
# lowerings are irax's own polynomials, which NumPy's libm would not match bit
# for bit (tests/test_folds.py runs every rule against the compiled lowering).
CONSTANT_FOLDS = RuleTable("constant_fold", {
    # name: fn(*operand arrays, **attrs) -> array of the result's dtype
    "irax.add": _arith(np.add), "irax.sub": _arith(np.subtract), "irax.mul": _arith(np.multiply),
    "irax.div": _arith(_div),
    "irax.rem": lambda a, b: None if a.dtype.kind == "f" else _int_rem(a, b),
    "irax.max": _arith(_ieee_max), "irax.min": _arith(_ieee_min),
    "irax.and": np.bitwise_and, "irax.or": np.bitwise_or, "irax.xor": np.bitwise_xor,
    "irax.shift_left": _shift("left"), "irax.shift_right_logical": _shift("logical"),
    "irax.shift_right_arithmetic": _shift("arithmetic"),
    "irax.eq": _arith(np.equal), "irax.ne": _arith(np.not_equal), "irax.lt": _arith(np.less),
    "irax.le": _arith(np.less_equal), "irax.gt": _arith(np.greater),
    "irax.ge": _arith(np.greater_equal),
    "irax.select": np.where,
    "irax.clamp": _arith(lambda lo, x, hi: _ieee_min(_ieee_max(x, lo), hi)),
    "irax.neg": np.negative, "irax.abs": np.abs, "irax.not": np.invert,
    "irax.sign": lambda x: _sign(_ftz(x)) if x.dtype.kind != "f" else np.where(
        _ftz(x) == 0, x, _sign(_ftz(x))),
    "irax.population_count": _popcount,
    "irax.sqrt": _arith(np.sqrt), "irax.floor": _arith(np.floor), "irax.ceil": _arith(np.ceil),
    "irax.round": _arith(np.round), "irax.is_finite": np.isfinite,
    "irax.integer_pow": _integer_pow,
    "irax.convert_element_type": lambda x, new_dtype: convert_numpy(_ftz(x), new_dtype),
    "irax.pow": lambda a, b: None if a.dtype.kind == "f" else _int_pow(a, b),
    **DATA_MOVEMENT_FOLDS,
})


def _constant_array(v):
    """The value of `v` if an irax.constant defines it, else None."""
    owner = v.owner
    op = getattr(owner, "operation", owner)
    if not hasattr(op, "name") or op.name != "irax.constant":
        return None
    return attrs_of(op)["value"]


def _exact_on_complex(name, out_dtype):
    """Folds NumPy computes on complex values exactly as the lowering does: moving and
    taking apart values, negation, comparison, and conversions to inexact dtypes."""
    return (name in DATA_MOVEMENT_FOLDS or name in (
        "irax.real", "irax.imag", "irax.conj", "irax.neg", "irax.eq", "irax.ne", "irax.select")
        or (name == "irax.convert_element_type" and is_inexact(out_dtype)))


def _complex_from_float(op, out_dtype):
    """float -> complex conversions keep subnormal parts when lowered (no flush): not folded."""
    return (op.name == "irax.convert_element_type" and is_complex(out_dtype)
            and is_float(aval_of(op.operands[0]).dtype))


def fold_constants(op):
    """Evaluate `op` with NumPy when every operand is a small constant."""
    fn = CONSTANT_FOLDS.get(op.name)
    if fn is None or len(op.results) != 1 or not op.operands:
        return None
    out = aval_of(op.result)
    if out.size > MAX_FOLD_ELEMENTS or out.dtype == "bfloat16" or _complex_from_float(op, out.dtype):
        return None
    args = []
    for v in op.operands:
        if aval_of(v).dtype == "bfloat16":
            return None
        if is_complex(aval_of(v).dtype) and not _exact_on_complex(op.name, out.dtype):
            return None  # NumPy's complex functions are not the lowering's (complex_math.py)
        a = _constant_array(v)
        if a is None:
            return None
        args.append(a)
    attrs = attrs_of(op)
    with np.errstate(all="ignore"):
        value = fn(*args, **attrs)
    if value is None:  # this rule does not fold these dtypes
        return None
    value = np.asarray(value)
    if out.dtype == "bool":
        value = value.astype(np.bool_)
    else:
        value = value.astype(out.dtype)
    value = np.broadcast_to(value, out.shape)
    return emit("irax.constant", [], value=np.array(value, order="C"))[0]


# --------------------------------------------------------------------------
# Zero-size arrays: nothing to compute, so none reaches code generation
# (IREE's tiling divides by zero-length loops).  Every zero-size value
# becomes an empty constant; an op that computes a non-empty result from an
# empty operand folds to what it means with nothing to read.
# --------------------------------------------------------------------------

def _const(aval, x):
    return emit("irax.constant", [], value=np.full(aval.shape, x, host_dtype(aval.dtype)))[0]


def _empty_reduce(op):
    """A reduction over a zero-length axis is its combine's identity."""
    a, axes = aval_of(op.operands[0]), attrs_of(op)["axes"]
    if any(a.shape[i] == 0 for i in axes):
        return _const(aval_of(op.result), reduce_identity(op.name, a.dtype))


def _empty_dot(op):
    """A contraction over a zero-length dimension is zeros."""
    lhs = aval_of(op.operands[0])
    if any(lhs.shape[d] == 0 for d in attrs_of(op)["lhs_contracting"]):
        return _const(aval_of(op.result), 0)


def _empty_update(op):
    """Scattering (or inserting) an empty update leaves the operand."""
    upd = op.operands[2] if op.name == "irax.scatter" else op.operands[1]
    if aval_of(upd).size == 0:
        return op.operands[0]


def _empty_pad(op):
    """Padding an empty array is all padding value."""
    if aval_of(op.operands[0]).size == 0:
        out = aval_of(op.result)
        return emit("irax.broadcast_in_dim", [op.operands[1]], shape=out.shape,
                    broadcast_dimensions=())[0]


def _empty_concatenate(op):
    """Empty pieces contribute nothing."""
    keep = [v for v in op.operands if aval_of(v).size]
    if len(keep) == 1:
        return keep[0]
    if len(keep) < len(op.operands):
        return emit("irax.concatenate", keep, **attrs_of(op))[0]


def _empty_gather(op):
    """Gathering from an empty operand reads nothing: zeros (JAX refuses the
    indexing; a lax.gather-level program gets a defined value)."""
    if aval_of(op.operands[0]).size == 0:
        return _const(aval_of(op.result), 0)


def _empty_argreduce(op):
    """arg{max,min} over a zero-length axis (JAX raises): index 0."""
    a = aval_of(op.operands[0])
    if a.shape[attrs_of(op)["axis"]] == 0:
        return _const(aval_of(op.result), 0)


EMPTY_FOLDS = {  # ops that can make a non-empty result from an empty operand
    **{f"irax.reduce_{k}": _empty_reduce for k in ("sum", "prod", "max", "min", "and", "or")},
    "irax.dot_general": _empty_dot,
    "irax.scatter": _empty_update,
    "irax.dynamic_update_slice": _empty_update,
    "irax.pad": _empty_pad,
    "irax.concatenate": _empty_concatenate,
    "irax.gather": _empty_gather,
    "irax.argmax": _empty_argreduce,
    "irax.argmin": _empty_argreduce,
}


def _is_empty(v) -> bool:
    try:
        return 0 in ir.RankedTensorType(v.type).shape
    except ValueError:  # not a ranked tensor
        return False


def fold_empty_arguments(block) -> bool:
    """Uses of a zero-size block argument read an empty constant instead."""
    changed = False
    for arg in block.arguments:
        if _is_empty(arg) and list(arg.uses):
            with ir.InsertionPoint.at_block_begin(block), ir.Location.unknown():
                arg.replace_all_uses_with(_const(aval_of(arg), 0))
            changed = True
    return changed


def fold_empty(op) -> bool:
    """Replace `op`'s used zero-size results by empty constants, or all of `op`
    by its EMPTY_FOLDS rule when an operand is empty; True if anything changed."""
    if op.name == "irax.constant" or not op.name.startswith("irax."):
        return False
    changed = False
    with ir.InsertionPoint(op), op.location:
        for r in op.results:
            if _is_empty(r) and list(r.uses):
                r.replace_all_uses_with(_const(aval_of(r), 0))
                changed = True
        rule = EMPTY_FOLDS.get(op.name)
        if rule is None or _is_empty(op.result) or not any(_is_empty(v) for v in op.operands):
            return changed
        new = rule(op)
    return _replace(op, new) or changed


def _replace(op, new) -> bool:
    """Replace `op`'s one result by `new` (when it is a different value) and erase op."""
    if new is None or new == op.result:
        return False
    op.result.replace_all_uses_with(new)
    op.erase()
    return True


def _ops_of(block):
    return list(block.operations)


def fold_block(block) -> bool:
    changed = fold_empty_arguments(block)
    for op in _ops_of(block):
        for region in op.regions:
            for inner in region.blocks:
                changed |= fold_block(inner)
        if fold_empty(op):
            changed = True
            continue
        rule = FOLDS.get(op.name)
        if rule is None and op.name not in CONSTANT_FOLDS:
            continue
        with ir.InsertionPoint(op), op.location:
            new = fold_constants(op)
            if new is None and rule is not None:
                new = rule(op)
        changed |= _replace(op, new)
    return changed


def cse_block(block) -> bool:
    """Merge identical irax ops (same name, operands, attributes, types)."""
    seen = {}
    changed = False
    for op in _ops_of(block):
        if op.regions and len(op.regions):
            for region in op.regions:
                for inner in region.blocks:
                    changed |= cse_block(inner)
            continue
        if not op.name.startswith("irax."):
            continue
        key = (op.name, tuple(op.operands), _attr_key(op), tuple(str(r.type) for r in op.results))
        prev = seen.get(key)
        if prev is None:
            seen[key] = op
            continue
        for r_old, r_new in zip(op.results, prev.results):
            r_old.replace_all_uses_with(r_new)
        op.erase()
        changed = True
    return changed


def _attr_key(op):
    return tuple(sorted((k, str(v)) for k, v in op.attributes.items()))


def dce_block(block) -> bool:
    changed = False
    for op in reversed(_ops_of(block)):
        for region in op.regions:
            for inner in region.blocks:
                changed |= dce_block(inner)
        # (an op without results, i.e. the irax.yield terminator, is never dead)
        if op.name.startswith("irax.") and len(op.results) and \
                all(not list(r.uses) for r in op.results):
            op.erase()
            changed = True
    return changed


def _func_blocks(module):
    for f in module.body.operations:
        for region in f.regions:
            for block in region.blocks:
                yield block


def simplify(module) -> None:
    """Fold, CSE and DCE every function until nothing changes."""
    for block in _func_blocks(module):
        for _ in range(10):
            changed = fold_block(block)
            changed |= cse_block(block)
            changed |= dce_block(block)
            if not changed:
                break
