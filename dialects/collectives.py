"""Collectives: ops that combine the values of all the instances of a named
mapped axis (`psum`, `all_gather`, `ppermute`, ...), with their rules.

A collective names the axis it runs over (`axis_name`); it is only meaningful
inside a map that binds that name.  `vmap(f, axis_name="i")` gives them JAX's
meaning: the instances are the batch elements, so batching a collective over
its own axis turns it into ordinary ops on the batch dimension (psum: a sum
over it, all_gather: the whole batch, ppermute: a static shuffle of it).
Batching over some other axis keeps the collective, on the batched operand.
Collectives therefore never reach the lowering: the expansion of the map that
binds their axis replaces them.

Derivatives follow JAX: psum, all_gather, psum_scatter, ppermute and
all_to_all are linear (their transposes are psum, psum_scatter, all_gather,
the inverse ppermute and the swapped all_to_all); pmax and pmin have none.
"""
from __future__ import annotations

from . import build as B
from .batching import batch_at, batch_rules, batched_axis
from .derivatives import ZERO_DERIVATIVE
from .jvp import jvp_rules
from .ops import IraxTypeError, _fail, define, emit
from .types import Aval, aval_of
from .vjp import vjp_rules

COLLECTIVES = ("irax.psum", "irax.pmax", "irax.pmin", "irax.all_gather", "irax.psum_scatter",
               "irax.ppermute", "irax.all_to_all", "irax.axis_index")
NOT_DIFFERENTIABLE = ("irax.pmax", "irax.pmin")  # as in JAX: no JVP, no VJP

# --------------------------------------------------------------------------
# Definitions
# --------------------------------------------------------------------------

def _same(name):
    def infer(avals, axis_name):
        (a,) = avals
        return a
    return infer


for _n in ("psum", "pmax", "pmin"):
    define(f"irax.{_n}", {"axis_name": "str"})(_same(f"irax.{_n}"))


def _check_dim(name, d, ndim, avals, what):
    if not 0 <= d < ndim:
        _fail(name, f"{what} {d} out of range for rank {ndim}", avals)


@define("irax.all_gather", {"axis_name": "str", "axis_size": "int", "axis": "int",
                            "tiled": "bool"})
def _all_gather(avals, axis_name, axis_size, axis, tiled=False):
    (a,) = avals
    shape = list(a.shape)
    if tiled:
        _check_dim("irax.all_gather", axis, a.ndim, avals, "axis")
        shape[axis] *= axis_size
    else:
        _check_dim("irax.all_gather", axis, a.ndim + 1, avals, "axis")
        shape.insert(axis, axis_size)
    return Aval(shape, a.dtype)


@define("irax.psum_scatter", {"axis_name": "str", "axis_size": "int",
                              "scatter_dimension": "int", "tiled": "bool"})
def _psum_scatter(avals, axis_name, axis_size, scatter_dimension, tiled=False):
    (a,) = avals
    _check_dim("irax.psum_scatter", scatter_dimension, a.ndim, avals, "scatter_dimension")
    shape, n = list(a.shape), a.shape[scatter_dimension]
    if tiled:
        if n % axis_size:
            _fail("irax.psum_scatter", f"dimension {scatter_dimension} (size {n}) must be a "
                                       f"multiple of the axis size {axis_size}", avals)
        shape[scatter_dimension] = n // axis_size
    else:
        if n != axis_size:
            _fail("irax.psum_scatter", f"dimension {scatter_dimension} (size {n}) must equal "
                                       f"the axis size {axis_size}", avals)
        del shape[scatter_dimension]
    return Aval(shape, a.dtype)


@define("irax.ppermute", {"axis_name": "str", "perm": "ints"})
def _ppermute(avals, axis_name, perm):
    """perm: flattened (source, destination) pairs."""
    (a,) = avals
    if len(perm) % 2:
        _fail("irax.ppermute", "perm must be (source, destination) pairs", avals)
    return a


@define("irax.all_to_all", {"axis_name": "str", "axis_size": "int", "split_axis": "int",
                            "concat_axis": "int", "tiled": "bool"})
def _all_to_all(avals, axis_name, axis_size, split_axis, concat_axis, tiled=False):
    (a,) = avals
    name = "irax.all_to_all"
    _check_dim(name, split_axis, a.ndim, avals, "split_axis")
    n = a.shape[split_axis]
    shape = list(a.shape)
    if tiled:
        _check_dim(name, concat_axis, a.ndim, avals, "concat_axis")
        if n % axis_size:
            _fail(name, f"split_axis {split_axis} (size {n}) must be a multiple of the axis "
                        f"size {axis_size}", avals)
        shape[split_axis] = n // axis_size
        shape[concat_axis] *= axis_size
    else:
        if n != axis_size:
            _fail(name, f"split_axis {split_axis} (size {n}) must equal the axis size "
                        f"{axis_size}", avals)
        del shape[split_axis]
        _check_dim(name, concat_axis, len(shape) + 1, avals, "concat_axis")
        shape.insert(concat_axis, axis_size)
    return Aval(shape, a.dtype)


@define("irax.axis_index", {"axis_name": "str"})
def _axis_index(avals, axis_name):
    if avals:
        raise IraxTypeError(f"irax.axis_index: takes no operands; got {len(avals)}")
    return Aval((), "int32")


ZERO_DERIVATIVE.add("irax.axis_index")


# --------------------------------------------------------------------------
# Batching: over the collective's own axis it becomes ops on the batch dim
# --------------------------------------------------------------------------

def _own_axis(axis_name):
    """The size of the axis being batched if the collective runs over it, else None."""
    current = batched_axis.get()
    return current[1] if current is not None and current[0] == axis_name else None


def _over_another_axis(name, v, d, **attrs):
    """The collective over another map's axis, kept, on `v` with its batch dim moved
    to 0 (so the per-example dims its attributes name shift by one)."""
    v = batch_at(v, d, 0, aval_of(v).shape[d])
    return emit(name, [v], **attrs), [0]


def _reduce(kind):
    def rule(args, dims, axis_name):
        (v,), (d,) = args, dims
        size = _own_axis(axis_name)
        if size is None:  # another map's axis: the collective stays, per batch element
            return emit(f"irax.{kind}", [v], axis_name=axis_name), [d]
        if d is None:  # every instance holds the same value
            if kind != "psum":
                return [v], [None]
            return [B.mul(v, B.full_like(v, size))], [None]
        reduce = {"psum": "irax.reduce_sum", "pmax": "irax.reduce_max",
                  "pmin": "irax.reduce_min"}[kind]
        return emit(reduce, [v], axes=(d,)), [None]
    return rule


for _k in ("psum", "pmax", "pmin"):
    batch_rules[f"irax.{_k}"] = _reduce(_k)


def _merge(x, axis):
    """Merge dims axis and axis+1 of x into one."""
    shape = list(aval_of(x).shape)
    shape[axis:axis + 2] = [shape[axis] * shape[axis + 1]]
    return B.reshape(x, shape)


def _split(x, axis, outer):
    """Split dim `axis` of x into (outer, rest)."""
    shape = list(aval_of(x).shape)
    shape[axis:axis + 1] = [outer, shape[axis] // outer]
    return B.reshape(x, shape)


def batch_all_gather(args, dims, axis_name, axis_size, axis, tiled=False):
    (v,), (d,) = args, dims
    size = _own_axis(axis_name)
    if size is None:
        return _over_another_axis("irax.all_gather", v, d, axis_name=axis_name,
                                  axis_size=axis_size, axis=axis + 1, tiled=tiled)
    gathered = batch_at(v, d, axis, size)  # the whole batch, the same in every instance
    return [_merge(gathered, axis) if tiled else gathered], [None]


def batch_psum_scatter(args, dims, axis_name, axis_size, scatter_dimension, tiled=False):
    (v,), (d,) = args, dims
    size = _own_axis(axis_name)
    if size is None:
        return _over_another_axis("irax.psum_scatter", v, d, axis_name=axis_name,
                                  axis_size=axis_size, scatter_dimension=scatter_dimension + 1,
                                  tiled=tiled)
    total = _reduce("psum")([v], [d], axis_name)[0][0]
    # instance i holds block i of `scatter_dimension`
    return [_split(total, scatter_dimension, size) if tiled else total], [scatter_dimension]


def _pairs(perm):
    return list(zip(perm[0::2], perm[1::2]))


def batch_ppermute(args, dims, axis_name, perm):
    (v,), (d,) = args, dims
    size = _own_axis(axis_name)
    if size is None:
        return emit("irax.ppermute", [v], axis_name=axis_name, perm=perm), [d]
    v = batch_at(v, d, 0, size)
    source = dict((dst, src) for src, dst in _pairs(perm))
    shape = aval_of(v).shape
    pieces = []
    for dst in range(size):  # instance dst receives from source[dst], or zeros
        if dst in source:
            src = source[dst]
            pieces.append(emit("irax.slice", [v], start_indices=(src,) + (0,) * (len(shape) - 1),
                               limit_indices=(src + 1,) + tuple(shape[1:]),
                               strides=(1,) * len(shape))[0])
        else:
            pieces.append(B.full((1,) + tuple(shape[1:]), 0, aval_of(v).dtype))
    return emit("irax.concatenate", pieces, dimension=0), [0]


def batch_all_to_all(args, dims, axis_name, axis_size, split_axis, concat_axis, tiled=False):
    (v,), (d,) = args, dims
    size = _own_axis(axis_name)
    if size is None:
        return _over_another_axis("irax.all_to_all", v, d, axis_name=axis_name,
                                  axis_size=axis_size, split_axis=split_axis + 1,
                                  concat_axis=concat_axis + 1, tiled=tiled)
    v = batch_at(v, d, 0, size)  # dims: (instance i, per-example dims...)
    if tiled:  # split `split_axis` into (destination, chunk): chunk stays in place
        v = _split(v, split_axis + 1, size)
    # instance j gets, at concat_axis, the chunks every instance i sent to j
    dst = split_axis + 1
    rest = [k for k in range(1, aval_of(v).ndim) if k != dst]  # one per output dim
    perm = [dst] + rest[:concat_axis] + [0] + rest[concat_axis:]
    out = B.transpose(v, perm)  # (destination j, ..., source i at concat_axis, ...)
    return [_merge(out, concat_axis + 1) if tiled else out], [0]


def batch_axis_index(args, dims, axis_name):
    size = _own_axis(axis_name)
    if size is None:
        return emit("irax.axis_index", [], axis_name=axis_name), [None]
    return emit("irax.iota", [], shape=(size,), dimension=0, dtype="int32"), [0]


batch_rules["irax.all_gather"] = batch_all_gather
batch_rules["irax.psum_scatter"] = batch_psum_scatter
batch_rules["irax.ppermute"] = batch_ppermute
batch_rules["irax.all_to_all"] = batch_all_to_all
batch_rules["irax.axis_index"] = batch_axis_index


# --------------------------------------------------------------------------
# Derivatives: the linear collectives and their transposes
# --------------------------------------------------------------------------

def _linear(name):
    def rule(primals, tangents, **attrs):
        t = tangents[0] if tangents[0] is not None else B.zeros_like(primals[0])
        return emit(name, primals, **attrs), emit(name, [t], **attrs)
    return rule


for _n in ("irax.psum", "irax.all_gather", "irax.psum_scatter", "irax.ppermute",
           "irax.all_to_all"):
    jvp_rules[_n] = _linear(_n)

vjp_rules["irax.psum"] = lambda primals, outs, cts, axis_name: emit(
    "irax.psum", [cts[0]], axis_name=axis_name)
vjp_rules["irax.all_gather"] = lambda primals, outs, cts, axis_name, axis_size, axis, tiled=False: \
    emit("irax.psum_scatter", [cts[0]], axis_name=axis_name, axis_size=axis_size,
         scatter_dimension=axis, tiled=tiled)
vjp_rules["irax.psum_scatter"] = (
    lambda primals, outs, cts, axis_name, axis_size, scatter_dimension, tiled=False:
    emit("irax.all_gather", [cts[0]], axis_name=axis_name, axis_size=axis_size,
         axis=scatter_dimension, tiled=tiled))
vjp_rules["irax.ppermute"] = lambda primals, outs, cts, axis_name, perm: emit(
    "irax.ppermute", [cts[0]], axis_name=axis_name,
    perm=[x for src, dst in _pairs(perm) for x in (dst, src)])
vjp_rules["irax.all_to_all"] = (
    lambda primals, outs, cts, axis_name, axis_size, split_axis, concat_axis, tiled=False:
    emit("irax.all_to_all", [cts[0]], axis_name=axis_name, axis_size=axis_size,
         split_axis=concat_axis, concat_axis=split_axis, tiled=tiled))
