"""Expansion of higher-order ops into first-order irax ops, innermost first.

`EXPANSIONS[name](op, module)` rewrites one higher-order op (its callee has
already been expanded).  `irax.call` is expanded by inlining.
"""
from __future__ import annotations

from .context import ir
from .ops import RuleTable, attrs_of

EXPANSIONS = RuleTable("expansion")
# Ops carrying user-defined derivatives (custom_jvp/custom_vjp calls) must
# survive until every transform around them has used their rules, so they are
# expanded (inlined) last, after all other expansions.
LATE_EXPANSIONS = RuleTable("late_expansion")


def expansion(name, late=False):
    def deco(fn):
        (LATE_EXPANSIONS if late else EXPANSIONS)[name] = fn
        return fn
    return deco


def referenced_symbols(op):
    """Names of the functions an op refers to (callee, jvp_callee, fwd, ...)."""
    out = []
    for _, attr in op.attributes.items():
        if isinstance(attr, ir.FlatSymbolRefAttr):
            out.append(attr.value)
        else:
            try:
                out.append(ir.FlatSymbolRefAttr(attr).value)
            except (ValueError, TypeError):
                pass
    return out


def lookup_func(module, name: str):
    body = module.body if hasattr(module, "body") else module.regions[0].blocks[0]
    for f in body.operations:
        if ir.StringAttr(f.attributes["sym_name"]).value == name:
            return f
    raise KeyError(f"no function @{name} in module")


def module_of(op):
    """The builtin.module enclosing `op`."""
    op = op.operation if hasattr(op, "operation") else op
    while op.name != "builtin.module":
        op = op.parent
    return op


def callee_of(op, attr="callee"):
    """The func.func an op refers to through symbol attribute `attr`."""
    return lookup_func(module_of(op), attrs_of(op)[attr])


def inline_body(body, operands) -> list:
    """Clone a function body or region block at the current insertion point with
    its arguments bound to `operands`; returns the values it returns/yields."""
    env = dict(zip(body.arguments, operands))
    for inner in body.operations:
        if inner.name in ("func.return", "irax.yield"):
            return [env.get(v, v) for v in inner.operands]
        clone = inner.clone()
        for i, v in enumerate(clone.operands):
            if v in env:
                clone.operands[i] = env[v]
        for old, new in zip(inner.results, clone.results):
            env[old] = new
    raise ValueError("function body has no return")


def _higher_order_ops(func_op, table):
    out = []

    def visit(op):
        if op.operation.name in table:
            out.append(op.operation)
        return ir.WalkResult.ADVANCE
    func_op.operation.walk(visit)
    return out


def expand_func(module, func_op, done=None, table=None) -> None:
    """Expand every higher-order op in `func_op` (those in `table`), callees first."""
    table = EXPANSIONS if table is None else table
    done = set() if done is None else done
    key = ir.StringAttr(func_op.attributes["sym_name"]).value
    if key in done:
        return
    done.add(key)
    for op in _higher_order_ops(func_op, EXPANSIONS) + _higher_order_ops(func_op, LATE_EXPANSIONS):
        for name in referenced_symbols(op):
            expand_func(module, lookup_func(module, name), done, table)
    for op in _higher_order_ops(func_op, table):
        _expand_one(op, module, table)


def _replace(op, new):
    for old, v in zip(op.results, new):
        old.replace_all_uses_with(v)
    op.erase()


def _expand_one(op, module, table):
    with op.location:
        _replace(op, table[op.name](op, module))


def expand_all(module) -> None:
    """Expand all higher-order ops in every function of `module`, innermost first;
    custom-derivative calls last."""
    done = set()
    for f in list(module.body.operations):
        expand_func(module, f, done)
    pending = True
    while pending:  # inlined bodies may hold further custom calls
        pending = False
        for f in list(module.body.operations):
            for op in _higher_order_ops(f, LATE_EXPANSIONS):
                _expand_one(op, module, LATE_EXPANSIONS)
                pending = True
    remove_unused_private_funcs(module)


def expand_only(module, names) -> None:
    """Expand just the higher-order ops named in `names`, callees first (the
    per-transform passes, e.g. irax-expand-jvp)."""
    table = {n: EXPANSIONS[n] for n in names}
    done = set()
    for f in list(module.body.operations):
        expand_func(module, f, done, table)
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
    callee = lookup_func(module, attrs_of(op)["callee"])
    with ir.InsertionPoint(op):
        return inline_body(callee.regions[0].blocks[0], list(op.operands))
