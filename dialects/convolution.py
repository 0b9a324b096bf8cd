"""`irax.conv_general_dilated`: XLA's convolution, with its JVP, VJP and batching rules.

Layouts are attributes, as in JAX's ConvDimensionNumbers: `lhs_spec` = (batch,
feature, spatial...) dims of the input, `rhs_spec` = (out feature, in feature,
spatial...) dims of the kernel, `out_spec` = (batch, feature, spatial...) dims of
the result.  The op is linear in each operand; its transposes are convolutions
again (the input's: the cotangent lhs-dilated by the strides against the flipped
kernel; the kernel's: the input against the cotangent, with the batch dimension
contracted and feature/batch groups swapped), so grad of grad stays in the op.
Batching folds the mapped dimension into the batch or feature dimension (and the
group counts), never a loop.
"""
from __future__ import annotations

from . import build as b
from .batching import batch_rules, moveaxis
from .jvp import jvp_rules
from .ops import _fail, define
from .simplify import EMPTY_FOLDS
from .types import Aval, aval_of
from .vjp import vjp_rules

NAME = "irax.conv_general_dilated"
CONV_ATTRS = {"window_strides": "ints", "padding": "intss", "lhs_dilation": "ints",
              "rhs_dilation": "ints", "lhs_spec": "ints", "rhs_spec": "ints", "out_spec": "ints",
              "feature_group_count": "int", "batch_group_count": "int"}


def dilate_dim(d: int, dilation: int) -> int:
    """The extent of `d` elements with `dilation - 1` holes between neighbours."""
    return 0 if d == 0 else (d - 1) * dilation + 1


def window_output_size(size, lo, hi, window, stride, base_dilation=1, window_dilation=1):
    """Window positions along one dim (XLA's rule, shared with reduce_window);
    None when the negative padding is larger than the dimension."""
    padded = dilate_dim(size, base_dilation) + lo + hi
    if padded < 0:
        return None
    return max(0, (padded - dilate_dim(window, window_dilation)) // stride + 1)


def check_window(name, avals, nsp, window_strides, padding, base, window_dilation):
    """The per-dimension window parameters have one entry per windowed dim and are positive."""
    for what, v in (("window_strides", window_strides), ("padding", padding),
                    (_dilation_names(name)[0], base), (_dilation_names(name)[1], window_dilation)):
        if len(v) != nsp:
            _fail(name, f"{what} needs {nsp} entries, got {tuple(v)}", avals)
    for what, v in (("window_strides", window_strides), (_dilation_names(name)[0], base),
                    (_dilation_names(name)[1], window_dilation)):
        if any(x < 1 for x in v):
            _fail(name, f"{what} must be positive, got {tuple(v)}", avals)
    if any(len(p) != 2 for p in padding):
        _fail(name, f"padding must be (low, high) pairs, got {tuple(padding)}", avals)


def _dilation_names(name):
    return ("lhs_dilation", "rhs_dilation") if name == NAME else ("base_dilation", "window_dilation")


@define(NAME, CONV_ATTRS)
def _conv_general_dilated(avals, window_strides, padding, lhs_dilation, rhs_dilation, lhs_spec,
                          rhs_spec, out_spec, feature_group_count=1, batch_group_count=1):
    lhs, rhs = avals
    if lhs.dtype != rhs.dtype:
        _fail(NAME, "lhs and rhs must have equal dtypes", avals)
    if lhs.dtype == "bool":
        _fail(NAME, "expects numeric operands", avals)
    n = lhs.ndim
    if n < 2 or rhs.ndim != n:
        _fail(NAME, "lhs and rhs must have the same rank, at least 2", avals)
    for what, spec in (("lhs_spec", lhs_spec), ("rhs_spec", rhs_spec), ("out_spec", out_spec)):
        if sorted(spec) != list(range(n)):
            _fail(NAME, f"{what} {tuple(spec)} is not a permutation of the {n} dims", avals)
    nsp = n - 2
    check_window(NAME, avals, nsp, window_strides, padding, lhs_dilation, rhs_dilation)
    g, bg = feature_group_count, batch_group_count
    if g < 1 or bg < 1 or (g > 1 and bg > 1):
        _fail(NAME, f"feature_group_count={g} and batch_group_count={bg} must be positive and "
                    "not both above 1", avals)
    batch, feat = lhs.shape[lhs_spec[0]], lhs.shape[lhs_spec[1]]
    out_feat, in_feat = rhs.shape[rhs_spec[0]], rhs.shape[rhs_spec[1]]
    if feat != in_feat * g:
        _fail(NAME, f"lhs feature dimension ({feat}) must equal rhs input feature dimension "
                    f"({in_feat}) times feature_group_count ({g})", avals)
    if out_feat % g or out_feat % bg:
        _fail(NAME, f"rhs output feature dimension ({out_feat}) must be a multiple of "
                    f"feature_group_count ({g}) and batch_group_count ({bg})", avals)
    if batch % bg:
        _fail(NAME, f"lhs batch dimension ({batch}) must be a multiple of batch_group_count "
                    f"({bg})", avals)
    spatial = []
    for i in range(nsp):
        d = window_output_size(lhs.shape[lhs_spec[2 + i]], *padding[i], rhs.shape[rhs_spec[2 + i]],
                               window_strides[i], lhs_dilation[i], rhs_dilation[i])
        if d is None:
            _fail(NAME, f"negative padding {tuple(padding[i])} is larger than spatial dimension "
                        f"{i}", avals)
        spatial.append(d)
    shape = [0] * n
    shape[out_spec[0]], shape[out_spec[1]] = batch // bg, out_feat
    for i, d in enumerate(spatial):
        shape[out_spec[2 + i]] = d
    return Aval(shape, lhs.dtype)


def conv(lhs, rhs, **attrs):
    return b.op(NAME, lhs, rhs, **attrs)


# --------------------------------------------------------------------------
# JVP: linear in each operand
# --------------------------------------------------------------------------

def jvp_conv(primals, tangents, **attrs):
    lhs, rhs = primals
    tl, tr = tangents
    terms = ([conv(tl, rhs, **attrs)] if tl is not None else []) + \
        ([conv(lhs, tr, **attrs)] if tr is not None else [])
    return [conv(lhs, rhs, **attrs)], [terms[0] if len(terms) == 1 else b.add(*terms)]


jvp_rules[NAME] = jvp_conv


# --------------------------------------------------------------------------
# VJP.  Both transposes are written in the canonical layouts (lhs/out
# [N, C, spatial...], rhs [O, I, spatial...]), reached by transposes.
# --------------------------------------------------------------------------

def _split_dim(x, axis, parts):
    shape = list(aval_of(x).shape)
    return b.reshape(x, shape[:axis] + list(parts) + shape[axis + 1:])


def _merge_dims(x, axis, count=2):
    shape = list(aval_of(x).shape)
    merged = 1
    for d in shape[axis:axis + count]:
        merged *= d
    return b.reshape(x, shape[:axis] + [merged] + shape[axis + count:])


def _swap_adjacent(x, axis):
    perm = list(range(aval_of(x).ndim))
    perm[axis], perm[axis + 1] = perm[axis + 1], perm[axis]
    return b.transpose(x, perm)


def _transpose_lhs(ct, rhs, lhs_aval, window_strides, padding, lhs_dilation, rhs_dilation,
                   lhs_spec, rhs_spec, out_spec, feature_group_count=1, batch_group_count=1):
    """d lhs: the cotangent, dilated by the strides, against the flipped kernel with its
    feature dims swapped within each group; strided by the lhs dilation."""
    nsp = len(window_strides)
    groups = max(feature_group_count, batch_group_count)
    ct_c = b.transpose(ct, out_spec)
    w = b.transpose(rhs, rhs_spec)  # [O, I, K...]
    o = aval_of(w).shape[0]
    # [O, I, K...] -> [G, O/G, I, K...] -> [G, I, O/G, K...] -> [G*I, O/G, K...]
    w = _merge_dims(_swap_adjacent(_split_dim(w, 0, (groups, o // groups)), 1), 0)
    w = b.op("irax.rev", w, dimensions=tuple(range(2, nsp + 2))) if nsp else w
    x_sp = [lhs_aval.shape[d] for d in lhs_spec[2:]]
    k_sp = [aval_of(rhs).shape[d] for d in rhs_spec[2:]]
    y_sp = aval_of(ct_c).shape[2:]
    pads = []
    for x, k, y, s, (lo, _), ld, rd in zip(x_sp, k_sp, y_sp, window_strides, padding,
                                          lhs_dilation, rhs_dilation):
        kd = dilate_dim(k, rd)
        lo2 = kd - 1 - lo
        pads.append((lo2, (x - 1) * ld + kd - dilate_dim(y, s) - lo2))
    canon = tuple(range(nsp + 2))
    out = conv(ct_c, w, window_strides=tuple(lhs_dilation), padding=pads,
               lhs_dilation=tuple(window_strides), rhs_dilation=tuple(rhs_dilation),
               lhs_spec=canon, rhs_spec=canon, out_spec=canon, feature_group_count=groups,
               batch_group_count=1)
    if batch_group_count > 1:  # [Nb, B*C, ...] -> [Nb, B, C, ...] -> [B*Nb, C, ...]
        out = _split_dim(out, 1, (groups, aval_of(out).shape[1] // groups))
        out = _merge_dims(_swap_adjacent(out, 0), 0)
    return b.transpose(out, b.inverse_permutation(lhs_spec))


def _transpose_rhs(ct, lhs, rhs_aval, window_strides, padding, lhs_dilation, rhs_dilation,
                   lhs_spec, rhs_spec, out_spec, feature_group_count=1, batch_group_count=1):
    """d rhs: the input against the cotangent as a kernel, the batch dimension
    contracted (lhs batch/feature roles swapped), strided by the rhs dilation;
    feature groups become batch groups and vice versa."""
    nsp = len(window_strides)
    x_c = b.transpose(lhs, lhs_spec)   # [N, C, X...]
    ct_c = b.transpose(ct, out_spec)   # [Nout, O, Y...]
    x_sp = aval_of(x_c).shape[2:]
    y_sp = aval_of(ct_c).shape[2:]
    k_sp = [rhs_aval.shape[d] for d in rhs_spec[2:]]
    pads = [(lo, dilate_dim(k, rd) - 1 + dilate_dim(y, s) - dilate_dim(x, ld) - lo)
            for x, k, y, s, (lo, _), ld, rd in zip(x_sp, k_sp, y_sp, window_strides, padding,
                                                  lhs_dilation, rhs_dilation)]
    swapped = (1, 0) + tuple(range(2, nsp + 2))
    out = conv(x_c, ct_c, window_strides=tuple(rhs_dilation), padding=pads,
               lhs_dilation=tuple(lhs_dilation), rhs_dilation=tuple(window_strides),
               lhs_spec=swapped, rhs_spec=swapped, out_spec=swapped,
               feature_group_count=batch_group_count, batch_group_count=feature_group_count)
    return b.transpose(out, b.inverse_permutation(rhs_spec))  # out is [O, I, K...]


def vjp_conv(primals, outs, cts, **attrs):
    lhs, rhs = primals
    ct = cts[0]
    if aval_of(ct).size == 0:
        return [b.zeros_like(lhs), b.zeros_like(rhs)]
    return [_transpose_lhs(ct, rhs, aval_of(lhs), **attrs),
            _transpose_rhs(ct, lhs, aval_of(rhs), **attrs)]


vjp_rules[NAME] = vjp_conv


# --------------------------------------------------------------------------
# Batching: the mapped dim joins a dim of the op (and, with groups, its groups)
# --------------------------------------------------------------------------

def merge_batch(x, d, at, groups=1):
    """`x` batched at `d`, with its mapped dim folded into per-example dim `at`:
    laid out (mapped, at) when groups == 1, else (groups, mapped, at / groups)."""
    x = moveaxis(x, d, at)  # the mapped dim just before `at`
    if groups > 1:
        x = _split_dim(x, at + 1, (groups, aval_of(x).shape[at + 1] // groups))
        return _merge_dims(_swap_adjacent(x, at), at, 3)
    return _merge_dims(x, at, 2)


def split_batch(y, at, size, groups=1):
    """The inverse of `merge_batch` on a result: dim `at` laid out (mapped, rest) or
    (groups, mapped, rest) becomes the mapped dim (returned at `at`) and the rest."""
    n = aval_of(y).shape[at]
    if groups > 1:
        y = _split_dim(y, at, (groups, size, n // (groups * size)))
        return _merge_dims(_swap_adjacent(y, at), at + 1), at
    return _split_dim(y, at, (size, n // size)), at


def batch_conv(args, dims, **attrs):
    (lhs, rhs), (ld, rd) = args, dims
    ls, rs, os_ = attrs["lhs_spec"], attrs["rhs_spec"], attrs["out_spec"]
    g, bg = attrs.get("feature_group_count", 1), attrs.get("batch_group_count", 1)
    size = aval_of(lhs if ld is not None else rhs).shape[ld if ld is not None else rd]
    if rd is None:  # the examples are more images of the batch
        out = conv(merge_batch(lhs, ld, ls[0], bg), rhs, **attrs)
        return [split_batch(out, os_[0], size)[0]], [os_[0]]
    if ld is None:  # the examples are more output features, within each group
        groups = max(g, bg)
        out = conv(lhs, merge_batch(rhs, rd, rs[0], groups), **attrs)
        return [split_batch(out, os_[1], size, groups)[0]], [os_[1]]
    rhs2 = merge_batch(rhs, rd, rs[0])
    if bg > 1:  # one batch group per (example, group)
        out = conv(merge_batch(lhs, ld, ls[0]), rhs2, **{**attrs, "batch_group_count": size * bg})
    else:  # one feature group per (example, group)
        out = conv(merge_batch(lhs, ld, ls[1]), rhs2, **{**attrs, "feature_group_count": size * g})
    return [split_batch(out, os_[1], size)[0]], [os_[1]]


batch_rules[NAME] = batch_conv


def _empty_conv(op):
    """A convolution with nothing to contract (no features, or an empty window) is zeros."""
    if any(aval_of(v).size == 0 for v in op.operands):
        out = aval_of(op.result)
        return b.full(out.shape, 0, out.dtype)


EMPTY_FOLDS[NAME] = _empty_conv
