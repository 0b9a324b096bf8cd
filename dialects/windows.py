"""`irax.reduce_window`: a sum/max/min/prod over sliding windows (XLA's ReduceWindow
with the combine's identity as its initial and padding value), and its rules.

Sum is linear; its transpose is a window sum again (the cotangent dilated by the
strides, padded, summed over the same window).  Max and min are differentiated
as JAX defines them, through the first extremal element of each window (XLA's
select-and-scatter): for the derivative the op is rewritten as a gather of that
element from the flattened padded operand (its index from an argmax over the
window's strided slices, with no derivative of its own), and that composite is
differentiated
(`decomposition`): the JVP gathers the tangent, the VJP scatter-adds the
cotangent, and both differentiate again.  Prod is differentiated through the
product of the slices.  Batching adds a window dimension of size 1 along the
mapped dim.
"""
from __future__ import annotations

import itertools

import numpy as np

from . import build as b
from .batching import batch_rules
from .convolution import check_window, dilate_dim, window_output_size
from .derivatives import decomposition
from .jvp import jvp_block, jvp_rules
from .ops import _fail, define, reduce_identity
from .simplify import EMPTY_FOLDS
from .types import Aval, aval_of
from .vjp import vjp_block, vjp_rules

NAME = "irax.reduce_window"
KINDS = ("sum", "max", "min", "prod")


@define(NAME, {"kind": "str", "window_dimensions": "ints", "window_strides": "ints",
               "padding": "intss", "base_dilation": "ints", "window_dilation": "ints"})
def _reduce_window(avals, kind, window_dimensions, window_strides, padding, base_dilation,
                   window_dilation):
    (a,) = avals
    if kind not in KINDS:
        _fail(NAME, f"unknown kind {kind!r} (one of {', '.join(KINDS)})", avals)
    if kind in ("sum", "prod") and a.dtype == "bool":
        _fail(NAME, f"kind {kind!r} expects a numeric operand", avals)
    if len(window_dimensions) != a.ndim:
        _fail(NAME, f"window_dimensions {tuple(window_dimensions)} needs one entry per operand "
                    f"dim ({a.ndim})", avals)
    if any(w < 0 for w in window_dimensions):
        _fail(NAME, f"window_dimensions {tuple(window_dimensions)} must be non-negative", avals)
    check_window(NAME, avals, a.ndim, window_strides, padding, base_dilation, window_dilation)
    shape = []
    for i, d in enumerate(a.shape):
        n = window_output_size(d, *padding[i], window_dimensions[i], window_strides[i],
                               base_dilation[i], window_dilation[i])
        if n is None:
            _fail(NAME, f"negative padding {tuple(padding[i])} is larger than dimension {i}",
                  avals)
        shape.append(n)
    return Aval(shape, a.dtype)


def reduce_window(x, kind, window_dimensions, window_strides, padding, base_dilation,
                  window_dilation):
    return b.op(NAME, x, kind=kind, window_dimensions=tuple(window_dimensions),
                window_strides=tuple(window_strides), padding=tuple(tuple(p) for p in padding),
                base_dilation=tuple(base_dilation), window_dilation=tuple(window_dilation))


# --------------------------------------------------------------------------
# The composite the derivatives of max/min/prod go through
# --------------------------------------------------------------------------

def _padded(x, kind, padding, base_dilation):
    """x base-dilated and padded with the identity of `kind`."""
    a = aval_of(x)
    fill = b.full((), reduce_identity(f"reduce_{kind}", a.dtype), a.dtype)
    return b.op("irax.pad", x, fill, low=[p[0] for p in padding], high=[p[1] for p in padding],
                interior=[d - 1 for d in base_dilation])


def window_slices(xp, out, window_dimensions, window_strides, window_dilation):
    """[W, out...]: the element of padded `xp` at each of the W window offsets (row-major
    window order) of every output position."""
    parts = []
    for offs in itertools.product(*[range(w) for w in window_dimensions]):
        start = [k * wd for k, wd in zip(offs, window_dilation)]
        limit = [s0 + (n - 1) * s + 1 if n else s0 for s0, n, s in zip(start, out, window_strides)]
        sl = b.op("irax.slice", xp, start_indices=start, limit_indices=limit,
                  strides=list(window_strides))
        parts.append(b.reshape(sl, (1,) + tuple(out)))
    return parts[0] if len(parts) == 1 else b.op("irax.concatenate", *parts, dimension=0)


def _first_extremum_index(patches, kind, padded_shape, out, window_dimensions, window_strides,
                          window_dilation):
    """[out..., 1]: the row-major index into the flattened padded operand of each
    window's first maximum (minimum): the window's start plus the offset, looked up
    in a table, of the argmax over its slices."""
    pick = "irax.argmax" if kind == "max" else "irax.argmin"
    first = b.op(pick, b.op("irax.stop_gradient", patches), axis=0, index_dtype="int32")
    row = [int(np.prod(padded_shape[i + 1:], dtype=np.int64)) for i in range(len(out))]
    table = np.array([sum(k * wd * r for k, wd, r in zip(offs, window_dilation, row))
                      for offs in itertools.product(*[range(w) for w in window_dimensions])],
                     np.int32)
    index = b.op("irax.gather", b.op("irax.constant", value=table),
                 b.reshape(first, tuple(out) + (1,)))
    for i, (n, s, r) in enumerate(zip(out, window_strides, row)):
        if n > 1:
            start = b.op("irax.iota", shape=tuple(out), dtype="int32", dimension=i)
            index = b.add(index, b.mul(start, b.full(out, s * r, "int32")))
    return b.reshape(index, tuple(out) + (1,))


def _composite(kind, attrs):
    """reduce_window as ops that have derivative rules (see the module docstring): a
    product of the window's slices, or a gather of each window's first extremum."""
    def fn(x):
        out = _reduce_window([aval_of(x)], kind, **attrs).shape
        xp = _padded(x, kind, attrs["padding"], attrs["base_dilation"])
        win = (attrs["window_dimensions"], attrs["window_strides"], attrs["window_dilation"])
        patches = window_slices(xp, out, *win)
        if kind == "prod":
            return [b.op("irax.reduce_prod", patches, axes=(0,))]
        flat = b.reshape(xp, (aval_of(xp).size,))
        return [b.op("irax.gather", flat,
                     _first_extremum_index(patches, kind, aval_of(xp).shape, out, *win))]
    return fn


def _window_attrs(attrs):
    return {k: v for k, v in attrs.items() if k != "kind"}


# --------------------------------------------------------------------------
# JVP and VJP
# --------------------------------------------------------------------------

def jvp_reduce_window(primals, tangents, kind, **attrs):
    (x,), (t,) = primals, tangents
    y = reduce_window(x, kind, **attrs)
    if kind == "sum":
        return [y], [reduce_window(t, kind, **attrs)]
    with decomposition(_composite(kind, attrs), x) as blk:
        _, (ty,) = jvp_block(blk, [x], [t])
    return [y], [ty]


def transpose_window_sum(ct, x_aval, window_dimensions, window_strides, padding, base_dilation,
                         window_dilation):
    """The transpose of a window sum: each operand element collects the cotangent of
    every window it is in, itself a window sum of the stride-dilated cotangent,
    strided by the base dilation."""
    pads = []
    for xs, w, y, s, (lo, _), bd, wd in zip(x_aval.shape, window_dimensions, aval_of(ct).shape,
                                           window_strides, padding, base_dilation,
                                           window_dilation):
        lo2 = dilate_dim(w, wd) - 1 - lo
        pads.append((lo2, (xs - 1) * bd + dilate_dim(w, wd) - dilate_dim(y, s) - lo2))
    return reduce_window(ct, "sum", window_dimensions, base_dilation, pads, window_strides,
                         window_dilation)


def vjp_reduce_window(primals, outs, cts, kind, **attrs):
    x = primals[0]
    if aval_of(cts[0]).size == 0 or 0 in attrs["window_dimensions"]:
        return [b.zeros_like(x)]
    if kind == "sum":
        return [transpose_window_sum(cts[0], aval_of(x), **attrs)]
    with decomposition(_composite(kind, attrs), x) as blk:
        _, (ct,) = vjp_block(blk, [x], [0], cts)
    return [ct]


jvp_rules[NAME] = jvp_reduce_window
vjp_rules[NAME] = vjp_reduce_window


def batch_reduce_window(args, dims, kind, window_dimensions, window_strides, padding,
                        base_dilation, window_dilation):
    """The mapped dim is one more operand dim, with a window of 1 along it."""
    (x,), (d,) = args, dims

    def ins(v, one):
        v = list(v)
        v.insert(d, one)
        return v
    return [reduce_window(x, kind, ins(window_dimensions, 1), ins(window_strides, 1),
                          ins(padding, (0, 0)), ins(base_dilation, 1),
                          ins(window_dilation, 1))], [d]


batch_rules[NAME] = batch_reduce_window


def _empty_window(op):
    """Windows over an empty operand (or empty windows) hold only the identity."""
    from .ops import attrs_of
    out = aval_of(op.result)
    kind = attrs_of(op)["kind"]
    return b.full(out.shape, reduce_identity(f"reduce_{kind}", out.dtype), out.dtype)


EMPTY_FOLDS[NAME] = _empty_window
