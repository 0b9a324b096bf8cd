"""Expansion of higher-order ops into first-order irax ops, innermost first.

`EXPANSIONS[name](op, module)` rewrites one higher-order op (its callee has
already been expanded).  `irax.call` is expanded by inlining.
"""
from __future__ import annotations

from .context import ir
from .ops import attrs_of

EXPANSIONS = {}


def expansion(name):
    def deco(fn):
        EXPANSIONS[name] = fn
        return fn
    return deco


def lookup_func(module, name: str):
    for f in module.body.operations:
        if ir.StringAttr(f.attributes["sym_name"]).value == name:
            return f
    raise KeyError(f"no function @{name} in module")


def inline_call(op, callee) -> list:
    """Clone `callee`'s body before `op` with its arguments bound to `op`'s operands."""
    mapping = {arg: v for arg, v in zip(callee.regions[0].blocks[0].arguments, op.operands)}
    results = None
    with ir.InsertionPoint(op):
        for inner in callee.regions[0].blocks[0].operations:
            if inner.name == "func.return":
                results = [mapping.get(v, v) for v in inner.operands]
                break
            clone = inner.clone()
            for i, v in enumerate(clone.operands):
                if v in mapping:
                    clone.operands[i] = mapping[v]
            for old, new in zip(inner.results, clone.results):
                mapping[old] = new
    return results


def _higher_order_ops(func_op):
    out = []

    def visit(op):
        if op.operation.name in EXPANSIONS:
            out.append(op.operation)
        return ir.WalkResult.ADVANCE
    func_op.operation.walk(visit)
    return out


def expand_func(module, func_op, done=None) -> None:
    """Expand every higher-order op in `func_op`, callees first."""
    done = set() if done is None else done
    key = ir.StringAttr(func_op.attributes["sym_name"]).value
    if key in done:
        return
    done.add(key)
    for op in _higher_order_ops(func_op):
        callee_name = attrs_of(op).get("callee")
        if callee_name is not None:
            expand_func(module, lookup_func(module, callee_name), done)
        with op.location:
            new = EXPANSIONS[op.name](op, module)
        for old, v in zip(op.results, new):
            old.replace_all_uses_with(v)
        op.erase()


def expand_all(module) -> None:
    """Expand all higher-order ops in every function of `module`."""
    done = set()
    for f in list(module.body.operations):
        expand_func(module, f, done)
    remove_unused_private_funcs(module)


def remove_unused_private_funcs(module):
    """Drop callees nothing refers to any more (they were inlined)."""
    text_uses = set()

    def visit(op):
        for _, attr in op.operation.attributes.items():
            if isinstance(attr, ir.FlatSymbolRefAttr) or str(attr).startswith("@"):
                text_uses.add(str(attr).lstrip("@"))
        return ir.WalkResult.ADVANCE
    for f in module.body.operations:
        f.operation.walk(visit)
    for f in list(module.body.operations):
        vis = f.attributes["sym_visibility"] if "sym_visibility" in f.attributes else None
        if vis is not None and ir.StringAttr(vis).value == "private":
            name = ir.StringAttr(f.attributes["sym_name"]).value
            if name not in text_uses:
                f.erase()


@expansion("irax.call")
def expand_call(op, module):
    return inline_call(op, lookup_func(module, attrs_of(op)["callee"]))
