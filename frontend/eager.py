"""Eager execution: one primitive on device arrays, compiled once per
(op, attributes, operand types, backend) and reused."""
from __future__ import annotations

import numpy as np

from irax.dialects import Aval, aval_of, emit, get_context, ir
from irax.lowering.once_cache import OnceCache
from irax.lowering.pipeline import compile_to_executable

from . import dtypes
from .core import Array, IRModule, Trace

_executables = OnceCache()


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
    key = (name, tuple(sorted((k, _freeze(v)) for k, v in attrs.items())),
           tuple(a.aval for a in args), tuple(results or ()), backend.platform)
    exe, out_avals = _executables.get_or_build(
        key, lambda: _compile_op(name, args, attrs, results, backend))
    outs = exe([a._buffer for a in args], len(out_avals))
    weak = bool(args) and all(a.weak_type for a in args)
    return [Array(b, av, weak, backend) for b, av in zip(outs, out_avals)]


def _compile_op(name, args, attrs, results, backend):
    irm = IRModule()
    trace = Trace(irm, name.replace("irax.", ""), [a.aval for a in args])
    with get_context(), ir.Location.unknown(), trace.ip:
        outs = emit(name, list(trace.block.arguments), results=results, **attrs)
    out_avals = [aval_of(v) for v in outs]
    trace.seal(outs)
    exe = compile_to_executable(irm.module, trace.name, backend)
    return exe, out_avals
