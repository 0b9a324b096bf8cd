"""Run programs under each transformation in both libraries and compare.

Transformations: eager (op by op), jit, grad, jvp, vmap, vmap_grad
(jit(vmap(grad))) and hessian.  All but eager are evaluated in ONE jitted
function per batch of programs that returns every program's outputs, so one
IREE compile checks dozens of programs; a program whose trace raises is
recorded as that error without spoiling the batch.  irax runs in a worker
subprocess (`worker.py`): a crash or hang kills only the worker, and the batch
is bisected down to the program that caused it.
"""
from __future__ import annotations

import dataclasses

import numpy as np

from . import gen

TRANSFORMS = ("eager", "jit", "grad", "jvp", "vmap", "vmap_grad", "hessian")
DERIVATIVE = {"grad": 8, "jvp": 8, "vmap_grad": 8, "hessian": 32}   # tolerance factor
ERROR_CLASSES = (NotImplementedError, IndexError, KeyError, ZeroDivisionError, AttributeError,
                 TypeError, ValueError, ArithmeticError)


class Lib:
    """The namespace a program runs in (`jnp`, `lax`, `nn`) plus the library's transforms."""

    def __init__(self, name):
        self.name = name
        self.ns = gen.namespace(name)
        mod = __import__(name)
        for t in ("jit", "grad", "jvp", "vmap", "hessian"):
            setattr(self, t, getattr(mod, t))
        self.jnp = self.ns["jnp"]


# --------------------------------------------------------------------------
# What each transformation computes, and its arguments (all NumPy, derived
# deterministically from the program so a shrunk program keeps its meaning)
# --------------------------------------------------------------------------

def float_inputs(prog):
    return [k for k, i in enumerate(prog.inputs) if gen.kind(prog.avals[i][1]) == "f"]


def float_outputs(prog):
    return [k for k, o in enumerate(prog.outputs) if gen.kind(prog.avals[o][1]) == "f"]


def weights(shape):
    n = int(np.prod(shape, dtype=np.int64))
    return np.linspace(0.5, 1.5, n).reshape(shape).astype(np.float32)


def tangent(x):
    return np.linspace(-1.0, 1.0, x.size).reshape(x.shape).astype(x.dtype)


def in_axes(prog):
    rng = np.random.default_rng(prog.seed + 1)
    axes = [None if rng.random() < 0.2 else (x.ndim if rng.random() < 0.2 else 0) for x in prog.args()]
    if all(a is None for a in axes):
        axes[0] = 0
    return axes, 1 + prog.seed % 3


def batched(x, axis, size):
    if axis is None:
        return x
    flat = x.reshape(-1)
    return np.stack([np.roll(flat, b).reshape(x.shape) for b in range(size)], axis=axis)


def applies(prog, t):
    if t in ("eager", "jit", "vmap"):
        return True
    if not float_inputs(prog) or not float_outputs(prog):
        return False
    if t == "hessian":
        return prog.args()[float_inputs(prog)[0]].size <= 16
    return True


def transform_args(prog, t):
    args = prog.args()
    if t == "jvp":
        return args + [tangent(args[k]) for k in float_inputs(prog)]
    if t in ("vmap", "vmap_grad"):
        axes, size = in_axes(prog)
        return [batched(x, a, size) for x, a in zip(args, axes)]
    return args


def make_fn(L, prog, t):
    """The function of transform_args(prog, t) that transformation t computes, in library L."""
    f = gen.build(prog, L.ns)
    fl_in, fl_out = float_inputs(prog), float_outputs(prog)
    ws = [weights(prog.avals[prog.outputs[k]][0]) for k in fl_out]

    def loss(*a):
        outs = f(*a)
        return sum(L.jnp.sum(outs[k] * w) for k, w in zip(fl_out, ws))

    if t in ("eager", "jit"):
        return f
    if t == "vmap":
        return L.vmap(f, in_axes=in_axes(prog)[0])
    if t == "grad":
        return L.grad(loss, argnums=tuple(fl_in))
    if t == "vmap_grad":
        return L.vmap(L.grad(loss, argnums=tuple(fl_in)), in_axes=in_axes(prog)[0])
    if t == "hessian":
        return L.hessian(loss, argnums=fl_in[0])
    if t == "jvp":
        n = len(prog.inputs)

        def jvp(*a):
            def g(*fl):
                full = list(a[:n])
                for k, v in zip(fl_in, fl):
                    full[k] = v
                outs = f(*full)
                return tuple(outs[k] for k in fl_out)
            return L.jvp(g, tuple(a[k] for k in fl_in), tuple(a[n:]))
        return jvp
    raise ValueError(t)


# --------------------------------------------------------------------------
# Running a batch in one library
# --------------------------------------------------------------------------

def error_class(e):
    return next((c.__name__ for c in ERROR_CLASSES if isinstance(e, c)), "Exception")


def as_error(e):
    return ("error", error_class(e), f"{type(e).__name__}: {str(e)[:400]}")


def leaves(tree):
    if isinstance(tree, (tuple, list)):
        return [x for t in tree for x in leaves(t)]
    if isinstance(tree, dict):
        return [x for k in sorted(tree) for x in leaves(tree[k])]
    return [np.asarray(tree)]


def run_batch(lib, items):
    """Results of (transform, program) items: per item ("ok", [arrays]) or ("error",
    class, message); or one ("batch_error", class, message) if the batch failed as a whole.

    Eager items run one by one; all others are traced into one jitted function."""
    L = Lib(lib) if isinstance(lib, str) else lib
    results = [None] * len(items)
    for i, (t, p) in enumerate(items):
        if t == "eager":
            try:
                results[i] = ("ok", leaves(make_fn(L, p, t)(*transform_args(p, t))))
            except Exception as e:
                results[i] = as_error(e)
    jitted = [i for i, (t, _) in enumerate(items) if t != "eager"]

    def body(all_args):
        outs = []
        for i, a in zip(jitted, all_args):
            try:
                outs.append(make_fn(L, items[i][1], items[i][0])(*a))
            except Exception as e:
                results[i] = as_error(e)
                outs.append(None)
        return outs

    if jitted:
        try:
            outs = L.jit(body)([transform_args(items[i][1], items[i][0]) for i in jitted])
            for i, o in zip(jitted, outs):
                results[i] = results[i] or ("ok", leaves(o))
        except Exception as e:
            return ("batch_error",) + as_error(e)[1:]
    return results


# --------------------------------------------------------------------------
# Comparison
# --------------------------------------------------------------------------

@dataclasses.dataclass
class Difference:
    prog: gen.Program
    transform: str
    kind: str        # "value", "dtype", "shape", "error", "crash", "count"
    detail: str


def tolerance(prog, t):
    """(rtol, atol scale): eps of the least precise float in the program times its op cost."""
    e = max([gen.eps(d) for _, d in prog.avals if gen.kind(d) == "f"] or [gen.eps("float32")])
    cost = max(gen.costs(prog)[o] for o in prog.outputs)
    if cost == 0 and t not in DERIVATIVE:
        return 0.0
    return e * (4 + 2 * cost) * DERIVATIVE.get(t, 1)


def compare_arrays(got, want, rtol):
    """None if `got` matches `want`, else (kind, detail)."""
    if got.shape != want.shape:
        return "shape", f"shape {got.shape} != {want.shape}"
    if got.dtype != want.dtype:
        return "dtype", f"dtype {got.dtype} != {want.dtype}"
    if want.dtype.kind in "biu" or want.size == 0:
        if not np.array_equal(got, want):
            return "value", f"values differ:\n  irax {got!r}\n  jax  {want!r}"
        return None
    g, w = got.astype(np.float64), want.astype(np.float64)
    fin = np.isfinite(w)
    scale = max(1.0, float(np.max(np.abs(w[fin]))) if fin.any() else 1.0)
    with np.errstate(invalid="ignore", over="ignore"):
        ok = np.where(fin, np.abs(g - w) <= rtol * (scale + np.abs(w)), (g == w) | (np.isnan(g) & np.isnan(w)))
    if not ok.all():
        bad = np.argwhere(~ok)[:3].tolist() if got.ndim else [[]]
        return "value", (f"values differ at {bad} (rtol {rtol:.2g}):\n  irax {got!r}\n  jax  {want!r}")
    return None


def compare(prog, t, got, want):
    """A Difference, or None when the libraries agree (both raising the same error class agrees)."""
    def diff(kind, detail):
        return Difference(prog, t, kind, detail)
    if got[0] == "crash":
        return diff("crash", got[1])
    if want[0] == "error" or got[0] == "error":
        if got[0] == want[0] == "error" and got[1] == want[1]:
            return None
        return diff("error", f"irax: {got[2] if got[0] == 'error' else 'ok'}\n  jax: "
                    f"{want[2] if want[0] == 'error' else 'ok'}")
    g, w = got[1], want[1]
    if len(g) != len(w):
        return diff("count", f"{len(g)} outputs != {len(w)}")
    rtol = tolerance(prog, t)
    for k, (a, b) in enumerate(zip(g, w)):
        bad = compare_arrays(a, b, rtol)
        if bad:
            return diff(bad[0], f"output {k}: {bad[1]}")
    return None
