"""Applying a higher-order irax op (irax.jvp, irax.vjp, irax.vmap, ...) to a
Python function, under a trace or eagerly.

`apply_higher_order` traces the function into a callee `func.func`, then:
- under a trace, emits the higher-order op there (the expansion passes turn
  it into first-order ops later, innermost first);
- eagerly, wraps the op in a small `main` function, compiles it (cached by
  the module's text, so an eager training loop compiles once) and runs it.
"""
from __future__ import annotations

from irax.dialects import emit, get_context, ir
from irax.lowering.pipeline import compile_to_executable

from .api import Traced, as_operand, trace_function
from . import core
from .core import Array, IRModule, Trace, Tracer, bind, current_trace
from .tree_util import tree_flatten
from .devices import default_backend_object

_executables: dict = {}


def trace_callee(fun, name, in_tree, leaves, concrete=None) -> Traced:
    """Trace `fun` into a private callee of the current module (or a new one)."""
    parent = current_trace()
    irm = parent.irmodule if parent is not None else IRModule()
    if concrete is None:
        concrete = parent is None or parent.concrete
    return trace_function(irm, fun, name, in_tree, leaves, concrete=concrete, private=True)


def apply_higher_order(op_name, traced: Traced, operands, result_avals, concretes=None,
                       extra=(), **attrs):
    """Apply `op_name` (callee = traced function) to `operands`; returns outputs.

    `operands` are the callee's arguments (arrays/tracers); the values the
    callee captured are appended after them (it takes them as trailing
    arguments), then `extra` operands of the op itself (tangents, cotangents).
    """
    operands = ([as_operand(x) for x in operands] + traced.trace.captured_values
                + [as_operand(x) for x in extra])
    if current_trace() is not None:
        return bind(op_name, operands, results=result_avals, concretes=concretes,
                    callee=traced.name, **attrs)
    return _run_eagerly(op_name, traced, operands, result_avals, attrs)


def _run_eagerly(op_name, traced, operands, result_avals, attrs):
    irm = traced.trace.irmodule
    values = [_concrete_array(x) for x in operands]
    main = Trace(irm, f"{op_name.split('.')[-1]}_{traced.name}", [v.aval for v in values])
    with get_context(), ir.Location.unknown(), main.ip:
        outs = emit(op_name, list(main.block.arguments), results=result_avals,
                    callee=traced.name, **attrs)
    main.seal(outs)
    backend = values[0].backend if values else default_backend_object()
    with get_context():
        text = irm.module.operation.get_asm(enable_debug_info=True)
        main.func.operation.erase()  # the callee stays usable (e.g. by a later pullback)
    irm.names.discard(main.name)
    key = (text, main.name, backend.platform)
    exe = _executables.get(key)
    if exe is None:
        with get_context():
            module = ir.Module.parse(text)
        exe = _executables[key] = compile_to_executable(module, main.name, backend)
    bufs = exe([v._buffer if v.backend is backend else backend.put(v.__array__(), v.aval.dtype)
                for v in values], len(result_avals))
    return [Array(b, av, False, backend) for b, av in zip(bufs, result_avals)]


def _concrete_array(x) -> Array:
    if isinstance(x, Array):
        return x
    if isinstance(x, Tracer) and x._concrete is not None:
        return x._concrete
    raise TypeError("a traced value without a concrete value reached an eager computation")


def concrete_tree(tree):
    """`tree` with tracers replaced by their concrete values (None if any lacks one)."""
    leaves, treedef = tree_flatten(tree)
    out = []
    for x in leaves:
        if isinstance(x, Tracer):
            if x._concrete is None:
                return None
            x = x._concrete
        out.append(x)
    return treedef.unflatten(out)


def eager_values(fn, *args, **kwargs):
    """`fn` run on the concrete values of its arguments with every trace suspended
    (how a transform under an eager grad gets its concrete outputs); None when
    some argument has no concrete value."""
    cargs = concrete_tree((args, kwargs))
    if cargs is None:
        return None
    with core.no_traces():
        return fn(*cargs[0], **cargs[1])
