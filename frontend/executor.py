"""The one place a traced module becomes a loaded executable.

Jitted functions, eager transformations (grad/jvp/vmap on concrete arrays)
and eager control flow all hand a module with an entry function here: it is
lowered and compiled once per (IR text, entry, platform) — concurrent first
calls of one key compile once, the others wait — and cached in memory (IREE's
compiler adds its own disk cache).  Eager primitives plan their own calls
(`eager.py`) but compile through `executable` too.
"""
from __future__ import annotations

from irax.dialects import get_context
from irax.lowering.once_cache import OnceCache
from irax.lowering.pipeline import compile_to_executable

_executables = OnceCache()


def executable(module, entry: str, backend):
    """The loaded executable of `module`'s function `entry` on `backend`."""
    with get_context():
        text = module.operation.get_asm(enable_debug_info=False)
    return _executables.get_or_build(
        (text, entry, backend.platform), lambda: compile_to_executable(module, entry, backend))


def buffers_on(values, backend):
    """Device buffers of concrete Arrays `values` on `backend` (copied there if elsewhere)."""
    return [v._buffer if v.backend is backend else backend.put(v.__array__(), v.aval.dtype)
            for v in values]
