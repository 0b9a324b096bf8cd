"""The one MLIR context irax builds all IR in.

irax ops belong to an unregistered dialect (the bundled bindings cannot
register a Python-defined dialect), so the context must allow them.
"""
from iree.compiler import ir


def _make_context() -> ir.Context:
    context = ir.Context()
    context.allow_unregistered_dialects = True
    return context


# Made at import, not on first use: two threads racing a lazy first use could
# each make a context, and IR types from two contexts never match.
_context = _make_context()


def get_context() -> ir.Context:
    return _context
