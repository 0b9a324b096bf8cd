"""The one MLIR context irax builds all IR in.

irax ops belong to an unregistered dialect (the bundled bindings cannot
register a Python-defined dialect), so the context must allow them.
"""
import sys
import types

from iree.compiler import ir

# When the bindings wrap an op of dialect D they import `iree.compiler.dialects.D`
# for its OpView classes, and retry on every op while the import fails: ~25k
# failed imports (a quarter of the lowering time) for a gamma sampler.  irax has
# no OpView classes; an empty module for the dialect makes the lookup succeed once.
sys.modules.setdefault("iree.compiler.dialects.irax",
                       types.ModuleType("iree.compiler.dialects.irax",
                                        "The irax dialect: no Python OpView classes."))


def _make_context() -> ir.Context:
    context = ir.Context()
    context.allow_unregistered_dialects = True
    return context


# Made at import, not on first use: two threads racing a lazy first use could
# each make a context, and IR types from two contexts never match.
_context = _make_context()


def get_context() -> ir.Context:
    return _context
