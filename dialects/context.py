"""The one MLIR context irax builds all IR in.

irax ops belong to an unregistered dialect (the bundled bindings cannot
register a Python-defined dialect), so the context must allow them.
"""
from iree.compiler import ir

_context = None


def get_context() -> ir.Context:
    global _context
    if _context is None:
        _context = ir.Context()
        _context.allow_unregistered_dialects = True
    return _context
