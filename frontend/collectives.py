"""JAX's collectives (`lax.psum`, `all_gather`, `ppermute`, ...) over named axes.

A map binds an axis name while it traces its function (`vmap(f, axis_name=)`,
later `pmap`); a collective looks its axis up here, so an unbound name is an
error where the user wrote it, as in JAX.  The ops and their rules are in
dialects/collectives.py.
"""
from __future__ import annotations

import contextlib
import contextvars

import numpy as np

from irax.dialects.types import is_inexact

from .core import bind, user_line
from .dtypes import default_float
from .tree_util import tree_map

# ((axis_name, size), ...), innermost last: the named axes of the maps being traced.
_bound_axes = contextvars.ContextVar("irax_bound_axes", default=())


@contextlib.contextmanager
def bound_axis(name, size: int):
    """Bind axis `name` (of `size` instances) while a map traces its function."""
    token = _bound_axes.set(_bound_axes.get() + ((name, size),))
    try:
        yield
    finally:
        _bound_axes.reset(token)


def axis_size(axis_name) -> int:
    """The number of instances of the named axis (a product for a tuple of names)."""
    if isinstance(axis_name, (tuple, list)):
        return int(np.prod([axis_size(n) for n in axis_name], dtype=np.int64))
    for name, size in reversed(_bound_axes.get()):
        if name == axis_name:
            return size
    bound = [n for n, _ in _bound_axes.get()]
    raise NameError(f"unbound axis name: {axis_name}. The axis names bound by the enclosing "
                    f"vmap/pmap are: {bound} (at {user_line()})")


def _names(axis_name):
    names = tuple(axis_name) if isinstance(axis_name, (tuple, list)) else (axis_name,)
    for n in names:
        axis_size(n)  # raises for an unbound name
    return names


def _operand(x):
    from .api import as_operand
    return as_operand(x)


def _check_groups(fn, axis_index_groups):
    if axis_index_groups is not None:
        raise NotImplementedError(f"{fn}: axis_index_groups is not supported by irax")


def _over_names(op, x, axis_name):
    for name in _names(axis_name):
        x = bind(op, [x], axis_name=str(name))[0]
    return x


def psum(x, axis_name, *, axis_index_groups=None):
    """Sum of `x` over every instance of the named axis (or axes); a pytree maps leafwise."""
    _check_groups("psum", axis_index_groups)
    return tree_map(lambda v: _over_names("irax.psum", _operand(v), axis_name), x)


def pmean(x, axis_name, *, axis_index_groups=None):
    _check_groups("pmean", axis_index_groups)
    n = axis_size(axis_name)

    def mean(v):
        v = _operand(v)
        if not is_inexact(v.aval.dtype):  # the mean of integers is a float, as in JAX
            v = bind("irax.convert_element_type", [v], new_dtype=default_float())[0]
        return _over_names("irax.psum", v, axis_name) / n
    return tree_map(mean, x)


def pmax(x, axis_name, *, axis_index_groups=None):
    _check_groups("pmax", axis_index_groups)
    return tree_map(lambda v: _over_names("irax.pmax", _operand(v), axis_name), x)


def pmin(x, axis_name, *, axis_index_groups=None):
    _check_groups("pmin", axis_index_groups)
    return tree_map(lambda v: _over_names("irax.pmin", _operand(v), axis_name), x)


def _single(fn, axis_name):
    if isinstance(axis_name, (tuple, list)):
        if len(axis_name) != 1:
            raise NotImplementedError(f"{fn} over several axes at once ({axis_name}) is not "
                                      f"supported by irax (at {user_line()})")
        axis_name = axis_name[0]
    return axis_name, axis_size(axis_name)


def _axis(fn, axis, ndim, what):
    if not -ndim <= axis < ndim:
        raise ValueError(f"{fn}: {what} {axis} is out of bounds for rank {ndim} "
                         f"(at {user_line()})")
    return axis % ndim


def all_gather(x, axis_name, *, axis_index_groups=None, axis=0, tiled=False):
    """Every instance's `x`, stacked (or, tiled, concatenated) along `axis`."""
    _check_groups("all_gather", axis_index_groups)
    name, size = _single("all_gather", axis_name)

    def gather(v):
        v = _operand(v)
        ax = _axis("all_gather", axis, v.aval.ndim + (not tiled), "axis")
        return bind("irax.all_gather", [v], axis_name=str(name), axis_size=size, axis=ax,
                    tiled=bool(tiled))[0]
    return tree_map(gather, x)


def psum_scatter(x, axis_name, *, scatter_dimension=0, axis_index_groups=None, tiled=False):
    """psum, with instance i keeping block i of `scatter_dimension`."""
    _check_groups("psum_scatter", axis_index_groups)
    name, size = _single("psum_scatter", axis_name)

    def scatter(v):
        v = _operand(v)
        d = _axis("psum_scatter", scatter_dimension, v.aval.ndim, "scatter_dimension")
        return bind("irax.psum_scatter", [v], axis_name=str(name), axis_size=size,
                    scatter_dimension=d, tiled=bool(tiled))[0]
    return tree_map(scatter, x)


def ppermute(x, axis_name, perm):
    """Instance `dst` receives `x` of instance `src` for each (src, dst) in `perm`;
    instances that receive nothing get zeros."""
    name, size = _single("ppermute", axis_name)
    pairs = [(int(s), int(d)) for s, d in perm]
    srcs, dsts = [s for s, _ in pairs], [d for _, d in pairs]
    if len(set(srcs)) != len(srcs) or len(set(dsts)) != len(dsts):
        raise ValueError(f"ppermute: perm sources and destinations must be unique, got {perm} "
                         f"(at {user_line()})")
    if any(not 0 <= i < size for i in srcs + dsts):
        raise ValueError(f"ppermute: perm {perm} names an instance outside axis "
                         f"'{name}' of size {size} (at {user_line()})")
    flat = [i for pair in pairs for i in pair]
    return tree_map(lambda v: bind("irax.ppermute", [_operand(v)], axis_name=str(name),
                                   perm=flat)[0], x)


def pshuffle(x, axis_name, perm):
    """Instance i receives `x` of instance perm[i] (perm a permutation)."""
    name, size = _single("pshuffle", axis_name)
    if sorted(int(p) for p in perm) != list(range(size)):
        raise ValueError(f"pshuffle: perm must be a permutation of range({size}), got "
                         f"{list(perm)} (at {user_line()})")
    return ppermute(x, axis_name, [(int(src), dst) for dst, src in enumerate(perm)])


def all_to_all(x, axis_name, split_axis, concat_axis, *, axis_index_groups=None, tiled=False):
    """Split `split_axis` into one block per instance, send block j to instance j,
    and stack (tiled: concatenate) the received blocks along `concat_axis`."""
    _check_groups("all_to_all", axis_index_groups)
    name, size = _single("all_to_all", axis_name)

    def exchange(v):
        v = _operand(v)
        s = _axis("all_to_all", split_axis, v.aval.ndim, "split_axis")
        c = _axis("all_to_all", concat_axis, v.aval.ndim, "concat_axis")
        return bind("irax.all_to_all", [v], axis_name=str(name), axis_size=size,
                    split_axis=s, concat_axis=c, tiled=bool(tiled))[0]
    return tree_map(exchange, x)


def axis_index(axis_name):
    """This instance's position along the named axis (int32)."""
    names = _names(axis_name)
    index = None
    for n in names:  # row-major over several names, as JAX
        i = bind("irax.axis_index", [], axis_name=str(n))[0]
        index = i if index is None else index * axis_size(n) + i
    return index


__all__ = ["psum", "pmean", "pmax", "pmin", "all_gather", "psum_scatter", "ppermute",
           "pshuffle", "all_to_all", "axis_index", "axis_size"]
