"""`irax.conv_general_dilated` → linalg convolutions.

Every convolution is brought to one layout: input [N, spatial..., C], kernel
[spatial..., I, O], result [N, spatial..., O] (transposes), batch groups moved
into the features (a batch-grouped convolution is a feature-grouped one whose
groups are the batch groups), the input's dilation and padding made explicit
(a strided insert into a zero fill, a crop for negative padding).  Then IREE's
convolution codegen sees a named op: linalg.conv_{1,2,3}d_n*c_*cf without
groups, linalg.depthwise_conv_{1,2,3}d_*cm with one input feature per group,
and a linalg.generic over [N, spatial..., G, O/G] otherwise.  float16 and
bfloat16 accumulate in float32, as XLA's CPU convolutions do.
"""
from __future__ import annotations

from iree.compiler import ir
from iree.compiler.dialects import linalg, tensor

from irax.dialects.types import Aval

from . import builders as B
from .scalar import SCALAR_RULES, convert_scalar
from .to_linalg import _permute, _reassoc, lowering

NAMED = {1: linalg.conv_1d_nwc_wcf, 2: linalg.conv_2d_nhwc_hwcf, 3: linalg.conv_3d_ndhwc_dhwcf}
DEPTHWISE = {1: linalg.depthwise_conv_1d_nwc_wcm, 2: linalg.depthwise_conv_2d_nhwc_hwcm,
             3: linalg.depthwise_conv_3d_ndhwc_dhwcm}


def pad_dims(x, a: Aval, low, high, interior, value):
    """`x` padded per dim (negative low/high crop), `interior` holes between elements,
    all filled with the scalar constant `value`; returns (value, aval)."""
    lo_pos = [max(lo, 0) for lo in low]
    full = Aval([max(lo, 0) + max(hi, 0) + (0 if d == 0 else (d - 1) * (it + 1) + 1)
                 for d, lo, hi, it in zip(a.shape, low, high, interior)], a.dtype)
    if full.shape == a.shape:
        return x, a
    if a.size:
        x = tensor.insert_slice(x, B.filled(full, value), [], [], [], lo_pos, list(a.shape),
                                [it + 1 for it in interior])
    else:
        x = B.filled(full, value)
    crop = [max(-lo, 0) for lo in low]
    out = Aval([f - c - max(-hi, 0) for f, c, hi in zip(full.shape, crop, high)], a.dtype)
    if out.shape == full.shape:
        return x, full
    return tensor.extract_slice(B.lowered_type(out), x, [], [], [], crop, list(out.shape),
                                [1] * a.ndim), out


def _attr(values):
    return ir.DenseI64ArrayAttr.get([int(v) for v in values])


def _expand(x, a: Aval, axis, parts):
    """Split dim `axis` of `x` into `parts` (a view)."""
    shape = list(a.shape[:axis]) + list(parts) + list(a.shape[axis + 1:])
    groups = [[i] for i in range(axis)] + [list(range(axis, axis + len(parts)))] + \
        [[i + len(parts) - 1] for i in range(axis + 1, a.ndim)]
    out = Aval(shape, a.dtype)
    return tensor.expand_shape(B.lowered_type(out), x, _reassoc(groups), [], shape), out


def _collapse(x, a: Aval, axis, count):
    """Merge dims axis..axis+count-1 of `x` (a view)."""
    groups = [[i] for i in range(axis)] + [list(range(axis, axis + count))] + \
        [[i] for i in range(axis + count, a.ndim)]
    merged = 1
    for d in a.shape[axis:axis + count]:
        merged *= d
    out = Aval(list(a.shape[:axis]) + [merged] + list(a.shape[axis + count:]), a.dtype)
    return tensor.collapse_shape(B.lowered_type(out), x, _reassoc(groups)), out


@lowering("irax.conv_general_dilated")
def lower_conv(c):
    at = c.attrs
    lhs, rhs = c.in_avals
    ls, rs, os_ = list(at["lhs_spec"]), list(at["rhs_spec"]), list(at["out_spec"])
    nsp = lhs.ndim - 2
    strides, rdil = list(at["window_strides"]), list(at["rhs_dilation"])
    g, bg = at.get("feature_group_count", 1), at.get("batch_group_count", 1)
    # input [N, S..., C], kernel [K..., I, O]
    perm = [ls[0]] + ls[2:] + [ls[1]]
    x, xa = _permute(c.operands[0], lhs, perm), Aval([lhs.shape[p] for p in perm], lhs.dtype)
    perm = rs[2:] + [rs[1], rs[0]]
    w, wa = _permute(c.operands[1], rhs, perm), Aval([rhs.shape[p] for p in perm], rhs.dtype)
    if bg > 1:  # [B*Nb, S..., C] -> [Nb, S..., B*C]: the batch groups are feature groups
        x, xa = _expand(x, xa, 0, (bg, xa.shape[0] // bg))
        order = list(range(1, nsp + 2)) + [0, nsp + 2]
        x, xa = _permute(x, xa, order), Aval([xa.shape[p] for p in order], xa.dtype)
        x, xa = _collapse(x, xa, nsp + 1, 2)
        g = bg
    pads = list(at["padding"])
    x, xa = pad_dims(x, xa, [0] + [p[0] for p in pads] + [0], [0] + [p[1] for p in pads] + [0],
                     [0] + [d - 1 for d in at["lhs_dilation"]] + [0], 0)
    dtype = lhs.dtype
    acc_dtype = "float32" if dtype in ("float16", "bfloat16") else dtype
    ksp = list(wa.shape[:nsp])
    osp = [(xs - ((k - 1) * r + 1)) // s + 1 for xs, k, r, s in zip(xa.shape[1:-1], ksp, rdil, strides)]
    n, cin, cout = xa.shape[0], xa.shape[-1], wa.shape[-1]
    acc = Aval([n] + osp + [cout], acc_dtype)
    if g == 1 and nsp in NAMED:
        out = NAMED[nsp](x, w, outs=[B.filled(acc, 0)], strides=_attr(strides),
                         dilations=_attr(rdil))
    elif g == cin and nsp in DEPTHWISE:  # one input feature per group: [K..., 1, G*M] -> [K..., G, M]
        w, wa = _collapse(w, wa, nsp, 2)
        w, wa = _expand(w, wa, nsp, (g, cout // g))
        dacc = Aval([n] + osp + [g, cout // g], acc_dtype)
        out = DEPTHWISE[nsp](x, w, outs=[B.filled(dacc, 0)], strides=_attr(strides),
                             dilations=_attr(rdil))
        out, _ = _collapse(out, dacc, nsp + 1, 2)
    else:
        out = _grouped_generic(x, xa, w, wa, acc, g, strides, rdil)
    if acc_dtype != dtype:
        out = B.elementwise([out], None, Aval(acc.shape, dtype),
                            lambda v, _: convert_scalar(v, acc_dtype, dtype))
    # [N, S..., O] -> the result's layout
    order = [os_[0]] + os_[2:] + [os_[1]]
    inv = [order.index(j) for j in range(len(order))]
    return [_permute(out, Aval(acc.shape, dtype), inv)]


def _grouped_generic(x, xa, w, wa, acc, g, strides, rdil):
    """A grouped convolution as one linalg.generic over the loops
    [n, y..., g, o, k..., c] with input [N, S..., G, C/G], kernel [K..., C/G, G, O/G]."""
    nsp = len(strides)
    cg, og = xa.shape[-1] // g, wa.shape[-1] // g
    x, _ = _expand(x, xa, nsp + 1, (g, cg))
    w, _ = _expand(w, wa, nsp + 1, (g, og))
    out_shape = Aval(list(acc.shape[:-1]) + [g, og], acc.dtype)
    # loops: 0 n | 1..nsp y | nsp+1 g | nsp+2 o | nsp+3.. k | last c
    nl = 2 * nsp + 4
    y = [1 + i for i in range(nsp)]
    k = [nsp + 3 + i for i in range(nsp)]
    gl, ol, cl = nsp + 1, nsp + 2, nl - 1
    xy = [ir.AffineDimExpr.get(yi) * s + ir.AffineDimExpr.get(ki) * r
          for yi, ki, s, r in zip(y, k, strides, rdil)]
    d = ir.AffineDimExpr.get
    x_map = ir.AffineMap.get(nl, 0, [d(0)] + xy + [d(gl), d(cl)])
    w_map = ir.AffineMap.get(nl, 0, [d(ki) for ki in k] + [d(cl), d(gl), d(ol)])
    o_map = B.affine_map(nl, [0] + y + [gl, ol])
    iters = [B.PARALLEL] * (nsp + 3) + [B.REDUCTION] * (nsp + 1)
    dtype = acc.dtype
    add, mul = SCALAR_RULES["irax.add"], SCALAR_RULES["irax.mul"]
    src = xa.dtype

    def body(a, b_, out):
        if src != dtype:
            a, b_ = convert_scalar(a, src, dtype), convert_scalar(b_, src, dtype)
        return add(dtype, out, mul(dtype, a, b_))
    (out,) = B.generic([x, w], [x_map, w_map], [B.filled(out_shape, 0)], [o_map], iters, body)
    return _collapse(out, out_shape, nsp + 1, 2)[0]

