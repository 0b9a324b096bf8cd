"""irax-level simplification: folding, CSE and DCE.

Upstream `canonicalize`/`cse` treat unregistered ops as side-effecting, so
irax owns these.  All irax ops are pure; an op is dead when no result is used.
Folds are small rules keyed by op name, read top to bottom in `FOLDS`.
"""
from __future__ import annotations

import numpy as np

from .context import ir
from .ops import attrs_of, emit
from .types import aval_of, is_float


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
    return emit("irax.constant", [], value=np.zeros(aval.shape, _np_dtype(aval.dtype)))[0]


def _np_dtype(dtype):
    return np.float32 if dtype == "bfloat16" else np.dtype(dtype)


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


def _fold_neg(op):
    (a,) = op.operands
    inner = a.owner
    if hasattr(inner, "name") and inner.name == "irax.neg":
        return inner.operands[0]
    s = splat_value(a)
    if s is not None:
        aval = aval_of(a)
        return emit("irax.constant", [], value=np.full(aval.shape, -s, _np_dtype(aval.dtype)))[0]


def _fold_identity_shape(op):
    (a,) = op.operands
    if a.type == op.result.type:
        return a
    s = splat_value(a)
    if s is not None:
        aval = aval_of(op.result)
        return emit("irax.constant", [], value=np.full(aval.shape, s, _np_dtype(aval.dtype)))[0]


def _fold_convert(op):
    (a,) = op.operands
    if a.type == op.result.type:
        return a
    s = splat_value(a)
    if s is not None:
        aval = aval_of(op.result)
        if aval.dtype != "bfloat16":
            return emit("irax.constant", [], value=np.full(aval.shape, s).astype(aval.dtype))[0]


def _fold_select(op):
    p, a, b = op.operands
    if a == b:
        return a
    s = splat_value(p)
    if s is not None and aval_of(p).shape == aval_of(a).shape:
        return a if s else b


def _fold_transpose(op):
    perm = attrs_of(op)["permutation"]
    if list(perm) == sorted(perm):
        return op.operands[0]
    return _fold_identity_shape(op) if splat_value(op.operands[0]) is not None else None


FOLDS = {
    "irax.add": _fold_add,
    "irax.sub": _fold_sub,
    "irax.mul": _fold_mul,
    "irax.div": _fold_div,
    "irax.neg": _fold_neg,
    "irax.broadcast_in_dim": _fold_identity_shape,
    "irax.reshape": _fold_identity_shape,
    "irax.convert_element_type": _fold_convert,
    "irax.select": _fold_select,
    "irax.transpose": _fold_transpose,
}


def _ops_of(block):
    return list(block.operations)


def fold_block(block) -> bool:
    changed = False
    for op in _ops_of(block):
        for region in op.regions:
            for inner in region.blocks:
                changed |= fold_block(inner)
        rule = FOLDS.get(op.name)
        if rule is None:
            continue
        with ir.InsertionPoint(op), op.location:
            new = rule(op)
        if new is not None and new != op.result:
            op.result.replace_all_uses_with(new)
            op.erase()
            changed = True
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
