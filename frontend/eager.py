"""Eager execution: one primitive on device arrays, compiled once and reused.

Elementwise ops and scalar broadcasts run shape-polymorphic kernels
(`irax.lowering.eager_kernels`), compiled once per (op, attributes, dtypes)
for every shape; other ops are compiled once per (op, attributes, operand
types, backend)."""
from __future__ import annotations

import numpy as np

from irax.dialects import Aval, aval_of, emit, get_context, ir
from irax.dialects.ops import OPS, IraxTypeError
from irax.lowering import eager_kernels
from irax.lowering.compiler import compile_mlir
from irax.lowering.once_cache import OnceCache
from irax.lowering.runtime import reshaped

from . import dtypes
from .core import Array, IRModule, Trace, user_location
from .executor import executable

_plans = OnceCache()    # (op, attributes, operand types, ...) -> how to run it
_kernels = OnceCache()  # shape-polymorphic kernels, by (op, attributes, dtypes)


def _freeze(v):
    if isinstance(v, np.ndarray):
        return ("nd", v.shape, v.dtype.str, v.tobytes())
    if isinstance(v, (list, tuple)):
        return tuple(_freeze(x) for x in v)
    return v


def default_backend():
    from .devices import default_backend_object
    return default_backend_object()


def device_put_host(value: np.ndarray, dtype: str, weak_type=False, backend=None) -> Array:
    backend = backend or default_backend()
    host = np.asarray(value, dtypes.np_dtype(dtype))
    return Array(backend.put(host, dtype), Aval(host.shape, dtype), weak_type, backend)


def execute(name: str, args, attrs: dict, results=None):
    """Run primitive `name` on concrete arrays now."""
    if name == "irax.constant":
        value = attrs["value"]
        return [device_put_host(value, value.dtype.name)]
    backend = args[0].backend if args else default_backend()
    if any(a.backend is not backend for a in args):
        from .devices import common_backend, move
        backend = common_backend(args, name)
        args = [move(a, backend) for a in args]
    weak = bool(args) and all(a.weak_type for a in args)
    key = (name, tuple(sorted((k, _freeze(v)) for k, v in attrs.items())),
           tuple(a.aval for a in args), tuple(results or ()), backend.platform)
    run, out_avals = _plans.get_or_build(key, lambda: _plan(name, args, attrs, key[1], results,
                                                            backend))
    outs = run([a._buffer for a in args])
    return [Array(b, av, weak, backend) for b, av in zip(outs, out_avals)]


def _plan(name, args, attrs, frozen, results, backend):
    """(run(buffers) -> buffers, result avals) for op `name` on these operand types:
    its shape-polymorphic kernel where it has one, else a compile for these shapes."""
    in_avals = [a.aval for a in args]
    if results is None:
        try:
            out_avals = OPS[name].infer_checked(in_avals, attrs)
        except IraxTypeError:
            out_avals = None  # the per-shape path raises it with the full message
        if isinstance(out_avals, Aval):
            out_avals = [out_avals]
        kind = out_avals and eager_kernels.polymorphic_kind(name, in_avals, out_avals)
        if kind:
            return _polymorphic_plan(kind, name, in_avals, attrs, frozen, out_avals[0], backend)
    exe, out_avals = _compile_op(name, args, attrs, results, backend)
    n = len(out_avals)
    return (lambda buffers: exe(buffers, n)), out_avals


def _polymorphic_plan(kind, name, in_avals, attrs, frozen, out, backend):
    if kind == "view":
        return (lambda buffers: [reshaped(buffers[0], out.shape)]), [out]
    if kind == "elementwise":
        key = (kind, name, frozen, tuple((a.dtype, a.ndim == 0) for a in in_avals),
               _size_class(out), backend.platform)
        exe = _kernels.get_or_build(key, lambda: _load_kernel(
            eager_kernels.elementwise_kernel(name, attrs, in_avals, out, backend.target), backend))
        flat = [a.ndim != 0 for a in in_avals]

        def run(buffers):
            (buf,) = exe([reshaped(b, (out.size,)) if f else b for b, f in zip(buffers, flat)], 1)
            return [reshaped(buf, out.shape)]
    else:
        key = (kind, out.dtype, _size_class(out), backend.platform)
        exe = _kernels.get_or_build(
            key, lambda: _load_kernel(eager_kernels.fill_kernel(out.dtype), backend))

        def run(buffers):
            (buf,) = exe([buffers[0], out.size], 1)
            return [reshaped(buf, out.shape)]
    return run, [out]


def _size_class(aval) -> int:
    """Sizes within a factor of 16 share a loaded kernel, so each class picks its
    CPU driver by its own timings (one thread for small arrays, all for big ones);
    the compiled module is the same for all of them."""
    return min(aval.size.bit_length() // 4, 6)


def _load_kernel(text, backend):
    return backend.load(compile_mlir(text, backend.target, name=eager_kernels.ENTRY),
                        eager_kernels.ENTRY)


def _compile_op(name, args, attrs, results, backend):
    irm = IRModule()
    trace = Trace(irm, name.replace("irax.", ""), [a.aval for a in args])
    with get_context(), user_location(), trace.ip:  # errors name the user's line
        outs = emit(name, list(trace.block.arguments), results=results, **attrs)
    out_avals = [aval_of(v) for v in outs]
    trace.seal(outs)
    exe = executable(irm.module, trace.name, backend)
    return exe, out_avals
