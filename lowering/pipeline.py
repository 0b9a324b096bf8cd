"""The pass pipeline from traced irax IR to a loaded IREE executable.

expand (higher-order ops) → simplify → to-linalg → IREE compile → load.
Every stage is also an `irax-opt` pass (see `passes.py`).
"""
from __future__ import annotations

from iree.compiler import ir

from irax.dialects import get_context, verify_module
from irax.dialects.expand import expand_all
from irax.dialects.simplify import simplify

from .compiler import compile_mlir
from .host_callback import imports_of
from .to_linalg import lower_to_linalg


def clone_module(module) -> ir.Module:
    with get_context():
        return ir.Module.parse(module.operation.get_asm(enable_debug_info=True))


def to_linalg_text(module, entry: str, target: str = "llvm-cpu") -> str:
    """Lower a traced module (mutated in place) to linalg-level MLIR text for `target`."""
    with get_context():
        verify_module(module)
        expand_all(module)
        simplify(module)
        lower_to_linalg(module, target)
        for f in module.body.operations:
            name = ir.StringAttr(f.attributes["sym_name"]).value
            if name != entry:
                f.attributes["sym_visibility"] = ir.StringAttr.get("private")
        return module.operation.get_asm(enable_debug_info=False)


def compile_to_executable(module, entry: str, backend):
    text = to_linalg_text(module, entry, backend.target)
    vmfb = compile_mlir(text, backend.target, name=entry)
    return backend.load(vmfb, entry, imports_of(text))
