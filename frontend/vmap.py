"""`irax.vmap`: automatic batching (JAX's semantics) over the `irax.vmap` op.

The function is traced once on ONE example's shapes (the mapped axes
removed) into a callee; `irax.vmap` applied to it carries the axes as
attributes, and its expansion (dialects/batching.py) batches the callee op by
op.  Under a trace the op stays in the IR (so `jit`, `grad` and nested `vmap`
compose by the expansion order); eagerly it is compiled once per IR text.
"""
from __future__ import annotations

import contextlib
import functools
import inspect

from irax.dialects import Aval

from .api import fun_name, leaf_aval
from .collectives import bound_axis
from .core import Array, user_line
from .transform import apply_higher_order, trace_callee
from .tree_util import tree_flatten, tree_leaves

UNBATCHED = -1  # the irax.vmap attribute value for in_axes/out_axes None


def vmap(fun, in_axes=0, out_axes=0, axis_name=None, axis_size=None, spmd_axis_name=None):
    """Map `fun` over axes of its arguments, like `jax.vmap`.

    in_axes: an int, None, or a pytree prefix of the positional arguments
    (keyword arguments are mapped over axis 0); out_axes likewise for the
    outputs; axis_name: a name for the mapped axis, over which collectives
    (`lax.psum`, ...) in `fun` reduce; axis_size: the mapped size when no
    argument is mapped; spmd_axis_name: accepted (one device: no sharding).
    """
    if isinstance(in_axes, list):
        in_axes = tuple(in_axes)
    _check_axes_spec(in_axes, "in_axes")
    _check_axes_spec(out_axes, "out_axes")
    if axis_size is not None and (not isinstance(axis_size, int) or axis_size < 0):
        raise ValueError(f"vmap: axis_size must be a non-negative int, got {axis_size!r}")

    @functools.wraps(fun, updated=())  # never copy fun.__dict__ (e.g. a custom_jvp's fields)
    def vmapped(*args, **kwargs):
        return _vmap_call(fun, in_axes, out_axes, axis_size, args, kwargs, axis_name)
    return vmapped


def _check_axes_spec(spec, what):
    for a in tree_leaves(spec, is_leaf=lambda x: x is None):
        if a is not None and (not isinstance(a, int) or isinstance(a, bool)):
            raise TypeError(f"vmap {what} must be an int, None, or a pytree of them; got {spec!r}")


def _vmap_call(fun, in_axes, out_axes, axis_size, args, kwargs, axis_name=None):
    if isinstance(in_axes, tuple) and len(in_axes) != len(args):
        raise ValueError(f"vmap in_axes must be an int, None, or a tuple with one entry per "
                         f"positional argument, but got len(in_axes)={len(in_axes)}, "
                         f"len(args)={len(args)} (at {user_line()})")
    leaves, in_tree = tree_flatten((args, kwargs))
    names = _leaf_names(fun, args, kwargs)
    axes = (_broadcast_prefix(in_axes, args, "in_axes", "arguments")
            + [0] * len(tree_leaves(kwargs)))
    avals = [leaf_aval(x) for x in leaves]
    axes = [_normalize(ax, a.ndim, f"argument {n}", "in_axes", f"shape {a.shape}")
            for ax, (a, _), n in zip(axes, avals, names)]
    size = _axis_size(axes, avals, names, axis_size)

    examples = []
    for x, ax, (a, weak) in zip(leaves, axes, avals):
        if ax is None:
            examples.append(x)
        else:
            shape = a.shape[:ax] + a.shape[ax + 1:]
            # An abstract stand-in: tracing reads only its aval and weak type.
            examples.append(Array(None, Aval(shape, a.dtype), weak))
    with bound_axis(axis_name, size) if axis_name is not None else contextlib.nullcontext():
        traced = trace_callee(fun, fun_name(fun), in_tree, examples, concrete=False)

    outs = traced.outs
    oaxes = _broadcast_prefix(out_axes, traced.out_tree.unflatten(list(range(len(outs)))),
                              "out_axes", "outputs")
    oaxes = [_normalize(ax, o.aval.ndim + 1, f"output {i}", "out_axes",
                        f"per-example shape {o.aval.shape}, plus the mapped axis")
             for i, (ax, o) in enumerate(zip(oaxes, outs))]
    result_avals = []
    for o, ax in zip(outs, oaxes):
        shape = list(o.aval.shape)
        if ax is not None:
            shape.insert(ax, size)
        result_avals.append(Aval(shape, o.aval.dtype))

    enc = [UNBATCHED if ax is None else ax for ax in axes]
    enc += [UNBATCHED] * len(traced.trace.captured_values)
    res = apply_higher_order("irax.vmap", traced, leaves, result_avals,
                             in_axes=enc, out_axes=[UNBATCHED if a is None else a for a in oaxes],
                             axis_size=size,
                             axis_name=None if axis_name is None else str(axis_name))
    for r, o in zip(res, outs):
        r.weak_type = o.weak_type
    return traced.out_tree.unflatten(res)


def _broadcast_prefix(prefix, tree, what, of):
    """One axis per leaf of `tree`, from `prefix` (a pytree prefix of it)."""
    ax_leaves, ax_tree = tree_flatten(prefix, is_leaf=lambda x: x is None)
    try:
        subtrees = ax_tree.flatten_up_to(tree)
    except ValueError:
        raise ValueError(f"vmap {what} specification must be a tree prefix of the {of}; "
                         f"got {what}={prefix!r} (at {user_line()})") from None
    out = []
    for ax, sub in zip(ax_leaves, subtrees):
        out += [ax] * len(tree_leaves(sub))
    return out


def _normalize(ax, rank, who, what, note):
    if ax is None:
        return None
    if not -rank <= ax < rank:
        msg = (f"vmap {what}={ax} is out of range for {who} of rank {rank} "
               f"({note}); valid axes are -{rank}..{rank - 1}" if rank else
               f"vmap {what}={ax} cannot map {who}: it has rank 0 (a scalar); "
               f"use {what}=None for it")
        raise ValueError(f"{msg} (at {user_line()})")
    return ax % rank


def _axis_size(axes, avals, names, axis_size):
    mapped = [(n, ax, a) for n, ax, (a, _) in zip(names, axes, avals) if ax is not None]
    sizes = {a.shape[ax] for _, ax, a in mapped}
    if axis_size is not None:
        sizes.add(axis_size)
    if len(sizes) > 1:
        lines = "\n".join(f"  argument {n} of shape {a.shape} has size {a.shape[ax]} along axis "
                          f"{ax}" for n, ax, a in mapped)
        given = f" (axis_size={axis_size})" if axis_size is not None else ""
        raise ValueError(f"vmap got inconsistent sizes for array axes to be mapped{given} "
                         f"(at {user_line()}):\n" + lines)
    if not sizes:
        raise ValueError("vmap must have at least one non-None value in in_axes, or be given "
                         f"axis_size (at {user_line()})")
    return sizes.pop()


def _leaf_names(fun, args, kwargs):
    """A readable name per argument leaf: the parameter name plus a path."""
    try:
        params = list(inspect.signature(fun).parameters)
    except (TypeError, ValueError):
        params = []
    names = []
    for i, a in enumerate(args):
        base = params[i] if i < len(params) and not params[i].startswith("*") else f"args[{i}]"
        names += _paths(a, base)
    for k in sorted(kwargs):
        names += _paths(kwargs[k], k)
    return names


def _paths(x, base):
    if isinstance(x, dict):
        return [p for k in sorted(x) for p in _paths(x[k], f"{base}[{k!r}]")]
    if isinstance(x, (tuple, list)):
        return [p for i, c in enumerate(x) for p in _paths(c, f"{base}[{i}]")]
    n = len(tree_leaves(x))
    return [base] if n == 1 else [f"{base}<{j}>" for j in range(n)]
