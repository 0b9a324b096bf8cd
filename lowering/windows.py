"""`irax.reduce_window` → linalg pooling.

The operand is padded and base-dilated with the combine's identity (a strided
insert into a fill), then reduced over the window: linalg.pooling_nhwc_{sum,
max,min} when only dims 1 and 2 of a float 4-d operand have windows (the
pooling layout IREE's codegen knows), else one linalg.generic over
[out..., window...] whose window extent comes from an empty window-shaped
operand, as in the named pooling ops.
"""
from __future__ import annotations

from iree.compiler import ir
from iree.compiler.dialects import linalg

from irax.dialects.ops import reduce_identity
from irax.dialects.types import Aval, is_float

from . import builders as B
from .convolution import pad_dims
from .scalar import SCALAR_RULES
from .to_linalg import lowering

COMBINE = {"sum": "irax.add", "max": "irax.max", "min": "irax.min", "prod": "irax.mul"}
POOLING = {"sum": linalg.pooling_nhwc_sum, "max": linalg.pooling_nhwc_max,
           "min": linalg.pooling_nhwc_min}


@lowering("irax.reduce_window")
def lower_reduce_window(c):
    at = c.attrs
    a, out = c.in_avals[0], c.out
    kind = at["kind"]
    identity = reduce_identity(f"reduce_{kind}", a.dtype)
    window = list(at["window_dimensions"])
    if 0 in window:
        return [B.filled(out, identity)]
    x, xa = pad_dims(c.operands[0], a, [p[0] for p in at["padding"]],
                     [p[1] for p in at["padding"]], [d - 1 for d in at["base_dilation"]],
                     identity)
    strides, wdil = list(at["window_strides"]), list(at["window_dilation"])
    windowed = [i for i, w in enumerate(window) if w != 1]
    if (kind in POOLING and a.ndim == 4 and is_float(a.dtype) and set(windowed) <= {1, 2}
            and strides[0] == strides[3] == 1):
        shape = B.empty(Aval(window[1:3], a.dtype))
        return [POOLING[kind](x, shape, outs=[B.filled(out, identity)],
                              strides=_attr(strides[1:3]), dilations=_attr(wdil[1:3]))]
    n, m = a.ndim, len(windowed)
    d = ir.AffineDimExpr.get
    exprs = []
    for i in range(n):
        e = d(i) * strides[i]
        if i in windowed:
            e = e + d(n + windowed.index(i)) * wdil[i]
        exprs.append(e)
    x_map = ir.AffineMap.get(n + m, 0, exprs)
    w_map = B.affine_map(n + m, [n + j for j in range(m)])
    o_map = B.affine_map(n + m, list(range(n)))
    combine = SCALAR_RULES[COMBINE[kind]]
    shape = B.empty(Aval([window[i] for i in windowed], a.dtype))
    return B.generic([x, shape], [x_map, w_map], [B.filled(out, identity)], [o_map],
                     [B.PARALLEL] * n + [B.REDUCTION] * m,
                     lambda v, _, acc: combine(a.dtype, acc, v))


def _attr(values):
    return ir.DenseI64ArrayAttr.get([int(v) for v in values])
