"""Lowering of the rematerialization ops (dialects/remat.py).

`irax.checkpoint_name` is the identity; `irax.optimization_barrier` becomes
IREE's `util.optimization_barrier`, one per operand, which keeps IREE from
merging the recomputation with the forward pass.  (One barrier over all the
operands would also order it after the cotangents, but IREE 3.13's stream
conversion rejects a barrier whose operands mix constant and transient
resources: "all of {operands, results} have same type".)
"""
from __future__ import annotations

from iree.compiler import ir

from . import builders as B
from .to_linalg import lowering


@lowering("irax.checkpoint_name")
def lower_checkpoint_name(c):
    return [c.operands[0]]


@lowering("irax.optimization_barrier")
def lower_optimization_barrier(c):
    return [ir.Operation.create("util.optimization_barrier", results=[B.lowered_type(a)],
                                operands=[v]).results[0]
            for v, a in zip(c.operands, c.out_avals)]
