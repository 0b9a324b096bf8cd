"""`irax.debug.print`, `irax.debug.callback` and `irax.pure_callback`: Python called
from a running program.

Eagerly the function is just called.  Under a trace (jit, grad, vmap, scan,
while_loop) the call becomes an `irax.host_callback` op that the compiled
program performs when it gets there (dialects/host_callback.py): printed at
run time, once per loop step, with the values of that step.  Callbacks see
NumPy arrays (JAX's debug callbacks see jax Arrays).  `ordered=` is accepted;
IREE makes the calls synchronously, in the program's order, either way.
"""
from __future__ import annotations

import atexit
import builtins
import gc
import string

import numpy as np

from irax.dialects import get_context
from irax.dialects.host_callback import emit_callback

from .api import ShapeDtypeStruct, as_operand, leaf_aval
from .core import Array, Tracer, current_trace, no_traces, user_location
from .tree_util import tree_flatten

__all__ = ["breakpoint", "callback", "print"]


@atexit.register
def _release_host_modules():
    """Drop the executables (and the Python VM modules they hold) before the IREE
    bindings are torn down, which otherwise report them as leaked."""
    from .api import clear_caches
    clear_caches()
    gc.collect()


def _split(args, kwargs):
    """(array leaves, rebuild(arrays) -> (args, kwargs)): the other leaves stay put."""
    leaves, tree = tree_flatten((args, kwargs))
    where = [i for i, x in enumerate(leaves) if isinstance(x, (Array, Tracer))]

    def rebuild(arrays):
        full = list(leaves)
        for i, a in zip(where, arrays):
            full[i] = a
        return tree.unflatten(full)
    return [leaves[i] for i in where], rebuild


def _emit(fn, arrays, result_avals, vmap_method):
    """An irax.host_callback of `fn` on `arrays` in the current trace; its outputs."""
    trace = current_trace()
    with get_context(), user_location(), trace.ip:
        operands = [trace.lift(a) for a in arrays]
        values = emit_callback(fn, operands, result_avals, vmap_method)
    return [Tracer(trace, v, av, False) for v, av in zip(values, result_avals)]


def callback(callback, *args, ordered=False, partitioned=False, **kwargs):
    """Call `callback(*args, **kwargs)` for its side effect when the program runs
    (JAX's debug.callback); returns None."""
    if not callable(callback):
        raise TypeError(f"debug.callback: expected a function, got {type(callback).__name__}")
    arrays, rebuild = _split(args, kwargs)
    if current_trace() is None:
        a, kw = rebuild([np.asarray(x) for x in arrays])
        callback(*a, **kw)
        return None

    def host(*values):
        a, kw = rebuild(list(values))
        callback(*a, **kw)
    host.num_results = 0
    _emit(host, arrays, [], "sequential")
    return None


def print(fmt: str, *args, ordered=False, **kwargs):  # noqa: A001  (JAX's name)
    """Print `fmt.format(*args, **kwargs)` with the arrays' values at run time."""
    if not isinstance(fmt, str):
        raise TypeError(f"debug.print: the format must be a string, got {type(fmt).__name__}")
    _check_format(fmt, args, kwargs)
    callback(lambda *a, **kw: builtins.print(fmt.format(*a, **kw)), *args, ordered=ordered,
             **kwargs)


def _check_format(fmt, args, kwargs):
    """The format's fields must name given arguments (checked when traced, not when run)."""
    auto, numbered = 0, False
    for _, field, _, _ in string.Formatter().parse(fmt):
        if field is None:
            continue
        name = field.split(".")[0].split("[")[0]
        if name == "":
            if auto >= len(args):
                raise ValueError(f"debug.print: format {fmt!r} has more {{}} fields than the "
                                 f"{len(args)} positional arguments given")
            auto += 1
        elif name.isdigit():
            numbered = True
            if int(name) >= len(args):
                raise ValueError(f"debug.print: format {fmt!r} refers to argument {name}, but "
                                 f"{len(args)} were given")
        elif name not in kwargs:
            raise ValueError(f"debug.print: format {fmt!r} refers to {name!r}, which is not a "
                             "keyword argument")
        if auto and numbered:
            raise ValueError(f"debug.print: format {fmt!r} mixes automatic field numbering "
                             "({}) with manual ({0})")


def pure_callback(callback, result_shape_dtypes, *args, sharding=None, vmap_method=None,
                  **kwargs):
    """`callback(*args, **kwargs)` computed on the host, returning arrays shaped like
    `result_shape_dtypes` (a pytree of ShapeDtypeStructs), as JAX's pure_callback:
    it may be skipped when its results are unused, and has no derivative."""
    if not callable(callback):
        raise TypeError(f"pure_callback: expected a function, got {type(callback).__name__}")
    if vmap_method not in (None, "sequential", "expand_dims", "broadcast_all"):
        raise ValueError(f"pure_callback: vmap_method={vmap_method!r}; expected 'sequential', "
                         "'expand_dims' or 'broadcast_all'")
    specs, out_tree = tree_flatten(result_shape_dtypes)
    out_avals = []
    for s in specs:
        if not hasattr(s, "shape") or not hasattr(s, "dtype"):
            raise TypeError("pure_callback: result_shape_dtypes must be a pytree of objects with "
                            f".shape and .dtype (ShapeDtypeStruct), got {type(s).__name__}")
        out_avals.append(leaf_aval(ShapeDtypeStruct(s.shape, s.dtype))[0])
    arrays, rebuild = _split(args, kwargs)

    def host(*values):
        a, kw = rebuild(list(values))
        got, tree = tree_flatten(callback(*a, **kw))
        if tree != out_tree:
            raise TypeError(f"pure_callback: the callback returned structure {tree}; "
                            f"result_shape_dtypes has {out_tree}")
        return tuple(np.asarray(g, dtype=_host_dtype(av.dtype)) for g, av in zip(got, out_avals))
    host.num_results = len(out_avals)
    host.result_avals = out_avals
    trace = current_trace()
    if trace is None:
        outs = host(*[np.asarray(x) for x in arrays])
        for o, av in zip(outs, out_avals):
            _check_shape(o, av)
        return out_tree.unflatten([as_operand(o) for o in outs])
    outs = _emit(host, arrays, out_avals, vmap_method or "none")
    if trace.concrete and all(_concrete(x) is not None for x in arrays):
        # an eager transform's trace: the values Python sees now, computed on the host
        values = host(*[np.asarray(_concrete(x)) for x in arrays])
        with no_traces():
            for o, v, av in zip(outs, values, out_avals):
                _check_shape(v, av)
                o._concrete = as_operand(v)
    return out_tree.unflatten(outs)


def _concrete(x):
    return x if isinstance(x, Array) else x._concrete


def _check_shape(value, aval):
    if np.shape(value) != tuple(aval.shape):
        raise TypeError(f"pure_callback: the callback returned an array of shape "
                        f"{np.shape(value)}; result_shape_dtypes says {tuple(aval.shape)}")


def _host_dtype(dtype):
    from . import dtypes
    return dtypes.np_dtype(dtype)


def breakpoint(*args, **kwargs):  # noqa: A001
    raise NotImplementedError("irax.debug.breakpoint is not supported (use debug.callback with "
                              "a function that calls Python's breakpoint())")

