"""Applying a higher-order irax op (irax.jvp, irax.vjp, irax.vmap, ...) to a
Python function, under a trace or eagerly.

`trace_callee` traces the function into a callee `func.func`;
`apply_higher_order` then:
- under a trace, emits the higher-order op there (the expansion passes turn
  it into first-order ops later, innermost first);
- eagerly, copies the callee into a module of its own, wraps the op in a
  small `main` function, compiles it (cached by the module's text, so an
  eager training loop compiles once) and runs it.
"""
from __future__ import annotations

import functools

from irax.dialects import emit, get_context, ir
from irax.dialects.expand import referenced_symbols
from irax.dialects.ops import OPS

from .api import Traced, as_operand, trace_function
from .core import Array, IRModule, Trace, Tracer, bind, current_trace
from .devices import default_backend_object
from .executor import buffers_on, executable


def trace_callee(fun, name, in_tree, leaves, concrete=None, concretes=None,
                 diff_modes=None) -> Traced:
    """Trace `fun` into a private callee of the current module (or a new one)."""
    parent = current_trace()
    irm = parent.irmodule if parent is not None else IRModule()
    if concrete is None:
        concrete = parent is None or parent.concrete
    return trace_function(irm, fun, name, in_tree, leaves, concrete=concrete, private=True,
                          concretes=concretes, diff_modes=diff_modes)


def apply_higher_order(op_name, traced: Traced, operands, result_avals, concretes=None,
                       extra=(), **attrs):
    """Apply `op_name` (callee = traced function) to `operands`; returns outputs.

    `operands` are the callee's arguments (arrays/tracers); the values the
    callee captured are appended after them (it takes them as trailing
    arguments), then `extra` operands of the op itself (tangents, cotangents).
    A callee traced into another module (a pullback called under a later
    jit or vmap) is copied into the current one, not traced again.
    Under a concrete trace, the outputs' concrete values are computed by
    running the op on the operands' concrete values (never by calling the
    Python function again), unless `concretes` gives them.
    """
    operands = ([as_operand(x) for x in operands] + traced.trace.captured_values
                + [as_operand(x) for x in extra])
    src = traced.trace.irmodule.module
    trace = current_trace()
    if trace is None:
        return _run_eagerly(op_name, src, traced.name, operands, result_avals, attrs)
    callee = traced.name
    if trace.irmodule is not traced.trace.irmodule:
        callee = import_callee(trace.irmodule, src, callee)
    if concretes is None and trace.concrete and \
            all(_concrete_array(x) is not None for x in operands):
        concretes = _run_eagerly(op_name, src, traced.name, operands, result_avals, attrs)
    return bind(op_name, operands, results=result_avals, concretes=concretes, callee=callee,
                **attrs)


def _run_eagerly(op_name, src_module, callee, operands, result_avals, attrs):
    """Compile `op_name` over `callee` (with the functions it refers to, copied
    into a module of their own) and run it on the operands' concrete values."""
    values = [_concrete_array(x) for x in operands]
    if any(v is None for v in values):
        raise TypeError("a traced value without a concrete value reached an eager computation")
    irm = IRModule()
    callee = import_callee(irm, src_module, callee)
    main = Trace(irm, f"{op_name.split('.')[-1]}_{callee}", [v.aval for v in values])
    with get_context(), ir.Location.unknown(), main.ip:
        outs = emit(op_name, list(main.block.arguments), results=result_avals,
                    callee=callee, **attrs)
    main.seal(outs)
    backend = values[0].backend if values else default_backend_object()
    exe = executable(irm.module, main.name, backend)
    bufs = exe(buffers_on(values, backend), len(result_avals))
    return [Array(b, av, False, backend) for b, av in zip(bufs, result_avals)]


def _concrete_array(x):
    """The concrete Array behind `x` (an Array, or a tracer of a concrete trace), or None."""
    if isinstance(x, Array):
        return x
    if isinstance(x, Tracer):
        return x._concrete
    return None


@functools.cache
def _symbol_ops() -> frozenset:
    """The irax ops with a symbol attribute (a callee): only they refer to functions."""
    return frozenset(name for name, d in OPS.items() if "symbol" in d.attrs.values())


def import_callee(dst: IRModule, src_module, name: str) -> str:
    """Copy function `name` of `src_module`, and every function it refers to,
    into `dst` (renamed where `dst` has the name already); its name in `dst`."""
    funcs = {ir.StringAttr(f.attributes["sym_name"]).value: f for f in src_module.body.operations}
    order, todo = [], [name]
    while todo:
        n = todo.pop()
        if n in order:
            continue
        order.append(n)

        def visit(op):
            if op.name in _symbol_ops():
                todo.extend(s for s in referenced_symbols(op) if s in funcs)
            return ir.WalkResult.ADVANCE
        funcs[n].operation.walk(visit)
    # Renamed in two steps, so that no new name is ever taken for an old one.
    tmp = [f"__irax_import_{i}" for i in range(len(order))]
    final = [dst.unique_name(n) for n in order]
    with get_context(), ir.Location.unknown():
        clones = [funcs[n].operation.clone(ip=ir.InsertionPoint(dst.module.body)) for n in order]
        for old, to in ((order, tmp), (tmp, final)):
            for c in clones:
                for o, t in zip(old, to):
                    ir.SymbolTable.replace_all_symbol_uses(o, t, c)
            for c, t in zip(clones, to):
                c.attributes["sym_name"] = ir.StringAttr.get(t)
    return final[0]
