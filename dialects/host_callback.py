"""Host callbacks: `irax.host_callback`, a call from the compiled program into Python.

    "irax.host_callback"(args...) {callback = "cb7"} : (...) -> (results...)

`CALLBACKS[key]` is the Python function (NumPy arrays in, NumPy arrays out,
one per result) registered by the frontend (debug.print, debug.callback,
pure_callback); each emission has its own key, so two calls are never
merged.  The op lowers to a call of an imported function `@irax_host.<key>`
that the runtime provides from Python (lowering/host_callback.py), so it
runs when the program reaches it: once per loop step inside scan/while.

Transforms: an op without results (a debug callback) is re-emitted on the
primal values by JVP and VJP (it prints the primal, as in JAX) and batched by
a new callback that calls the original once per batch element.  An op with
results (pure_callback) has no derivative (as in JAX: use custom_jvp) and is
batched according to its `vmap_method`.
"""
from __future__ import annotations

import itertools

import numpy as np

from .batching import batch_at, batch_rules
from .jvp import jvp_rules
from .ops import define, emit, from_callee
from .types import Aval, aval_of
from .vjp import vjp_rules

define("irax.host_callback", {"callback": "str", "vmap_method": "str"},
       inferable=False)(from_callee)

CALLBACKS = {}  # key -> fn(*numpy arrays) -> tuple of numpy arrays (one per result)
_ids = itertools.count()


def register_callback(fn) -> str:
    key = f"cb{next(_ids)}"
    CALLBACKS[key] = fn
    return key


def emit_callback(fn, operands, result_avals, vmap_method="sequential"):
    """Emit a call of Python `fn` on `operands` returning `result_avals`."""
    return emit("irax.host_callback", list(operands), results=list(result_avals),
                callback=register_callback(fn), vmap_method=vmap_method)


def _jvp_host_callback(primals, tangents, callback, vmap_method=None):
    fn = CALLBACKS[callback]
    if getattr(fn, "num_results", 0):
        raise NotImplementedError("pure_callback: pure callbacks do not support JVP; use "
                                  "irax.custom_jvp to use callbacks while taking gradients")
    emit_callback(fn, primals, [], vmap_method or "sequential")
    return [], []


def _vjp_host_callback(primals, outs, cts, callback, vmap_method=None):
    raise NotImplementedError("pure_callback: pure callbacks do not support VJP; use "
                              "irax.custom_vjp to use callbacks while taking gradients")


def _batch_host_callback(args, dims, callback, vmap_method=None):
    fn = CALLBACKS[callback]
    n_out = getattr(fn, "num_results", 0)
    size = next(aval_of(a).shape[d] for a, d in zip(args, dims) if d is not None)
    if n_out and vmap_method not in ("sequential", "expand_dims", "broadcast_all"):
        raise NotImplementedError(
            "vmap of pure_callback needs vmap_method='sequential', 'expand_dims' or "
            f"'broadcast_all'; got vmap_method={vmap_method!r}")
    moved = [batch_at(a, d, 0, size) if d is not None else a for a, d in zip(args, dims)]
    batched = [d is not None for d in dims]
    out_avals = []
    if n_out:
        out_avals = [Aval((size,) + a.shape, a.dtype) for a in fn.result_avals]

    if vmap_method in ("expand_dims", "broadcast_all") and n_out:
        def call(*xs):
            xs = [x if b else (np.broadcast_to(x, (size,) + x.shape) if vmap_method ==
                               "broadcast_all" else x[None]) for x, b in zip(xs, batched)]
            return fn(*xs)
    else:
        def call(*xs):
            rows = [fn(*[x[i] if b else x for x, b in zip(xs, batched)]) for i in range(size)]
            if not n_out:
                return ()
            return tuple(np.stack([r[k] for r in rows]) for k in range(n_out))
    call.num_results = n_out
    call.result_avals = out_avals
    outs = emit_callback(call, moved, out_avals, vmap_method or "sequential")
    return outs, [0] * len(outs)


jvp_rules["irax.host_callback"] = _jvp_host_callback
vjp_rules["irax.host_callback"] = _vjp_host_callback
batch_rules["irax.host_callback"] = _batch_host_callback
