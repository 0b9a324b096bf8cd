"""`irax.threefry2x32(k1, k2, x1, x2) -> (y1, y2)`: the Threefry-2x32 block cipher
(20 rounds) on uint32 tensors of one shape, as JAX's threefry2x32 primitive.

One op rather than its ~130 uint32 adds, xors and shifts: it lowers to one
linalg.generic whose body is the whole cipher on one element, so a sampler's
program stays small (IREE compile time grows with the op count, and every
split, fold_in and random_bits is a threefry).  Its outputs are integers, so it
has no derivative; it batches elementwise.
"""
from __future__ import annotations

from .batching import align, rule
from .derivatives import ZERO_DERIVATIVE
from .ops import _fail, define, emit

NAME = "irax.threefry2x32"


@define(NAME)
def _threefry(avals):
    if len(avals) != 4:
        _fail(NAME, "expects four operands (k1, k2, x1, x2)", avals)
    if any(a.dtype != "uint32" for a in avals) or len({a.shape for a in avals}) != 1:
        _fail(NAME, "operands must be uint32 tensors of one shape", avals)
    return [avals[2], avals[2]]


ZERO_DERIVATIVE.add(NAME)  # integer outputs: symbolic zero tangents and cotangents


@rule(NAME)
def _batch(args, dims):
    args, d = align(args, dims)
    return emit(NAME, args), [d, d]
