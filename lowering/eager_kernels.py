"""Shape-polymorphic eager kernels: one executable per (op, attributes, dtypes).

Run eagerly, every new operand shape of an op would pay a full IREE compile
(~0.3 s, most of it LLVM and linking), where JAX pays ~0.02 s.  Elementwise
ops do not depend on the shape, so their eager kernel takes its operands
flattened to 1-D with a dynamic length (a reshape of a buffer view is free)
and serves every shape and rank; 0-d operands (select's predicate, clamp's
bounds) stay 0-d.  A reshape (or stop_gradient) is a new view of the same
buffer, with no kernel at all.  A broadcast of a 0-d value — how `ones(n)` and `x * 2.0`
start — is a fill whose length is a function argument.  These kernels are
compiled once per process, or loaded from the disk cache.
"""
from __future__ import annotations

from iree.compiler.dialects import func, linalg, tensor

from irax.dialects import Aval, get_context, ir

from . import builders as B
from . import f64_math
from .to_linalg import ELEMENTWISE_OPS, elementwise_body

ENTRY = "kernel"


# Ops that only relabel their operand's buffer: eagerly, a new view of it, no kernel.
VIEW_OPS = {"irax.reshape", "irax.stop_gradient"}


def polymorphic_kind(name: str, in_avals, out_avals) -> str | None:
    """'view', 'elementwise' or 'fill' when op `name` on these avals runs without
    a compile for its shapes, else None (compile it for them)."""
    if name in VIEW_OPS:
        return "view"
    if len(out_avals) != 1 or out_avals[0].size == 0 or out_avals[0].ndim == 0:
        return None
    shape = out_avals[0].shape
    if name in ELEMENTWISE_OPS and all(a.ndim == 0 or a.shape == shape for a in in_avals):
        return "elementwise"
    # (IREE cannot fill a dynamic shape with a 128-bit complex128: its splat takes <= 64 bits)
    if name == "irax.broadcast_in_dim" and in_avals[0].ndim == 0 and in_avals[0].dtype != "complex128":
        return "fill"
    return None


def _dynamic(dtype: str, rank: int) -> ir.RankedTensorType:
    return ir.RankedTensorType.get([ir.ShapedType.get_dynamic_size()] * rank,
                                   B.signless_element(dtype))


def elementwise_kernel(name: str, attrs: dict, in_avals, out: Aval, target: str) -> str:
    """linalg MLIR of @kernel: op `name` over 1-D operands of any one length."""
    ranks = [0 if a.ndim == 0 else 1 for a in in_avals]

    def body(args):
        length = tensor.dim(args[ranks.index(1)], B.index_const(0))
        init = tensor.empty([length], B.signless_element(out.dtype))
        maps = [B.identity_map(1) if r else B.affine_map(1, []) for r in ranks]
        with f64_math.for_target(target):
            return B.generic(args, maps, [init], [B.identity_map(1)], [B.PARALLEL],
                             elementwise_body(name, attrs, in_avals, out))
    return _module([(a.dtype, r) for a, r in zip(in_avals, ranks)], [(out.dtype, 1)], body)


def fill_kernel(dtype: str) -> str:
    """linalg MLIR of @kernel(x: 0-d, n: index): a 1-D tensor of n copies of x."""
    def body(args):
        x, length = args
        init = tensor.empty([length], B.signless_element(dtype))
        return [linalg.fill(tensor.extract(x, []), outs=[init])]
    return _module([(dtype, 0), "index"], [(dtype, 1)], body)


def _module(ins, outs, body) -> str:
    """A module with one function @kernel of (dtype, rank) / "index" arguments."""
    with get_context(), ir.Location.unknown():
        in_types = [ir.IndexType.get() if t == "index" else _dynamic(*t) for t in ins]
        out_types = [_dynamic(*t) for t in outs]
        module = ir.Module.create()
        with ir.InsertionPoint(module.body):
            f = func.FuncOp(ENTRY, ir.FunctionType.get(in_types, out_types))
            with ir.InsertionPoint(f.add_entry_block()):
                func.ReturnOp(body(list(f.entry_block.arguments)))
        return module.operation.get_asm(enable_debug_info=False)
