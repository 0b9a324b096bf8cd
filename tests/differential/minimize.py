"""Shrink a differing program and print it as a standalone snippet.

Greedy passes, repeated until none helps (each candidate must still be valid
JAX and still differ the same way, checked in the irax worker):
keep one output; return an output's operand instead; cut an intermediate value into an input (its value computed
by JAX); bypass an op by one of its same-typed operands; shrink an input's
dimensions; simplify input data (round, zeros, ones).
"""
from __future__ import annotations

import dataclasses
import re
import time
from collections import Counter

import numpy as np

from . import gen, harness


def _valid(prog):
    try:
        return gen.complete_avals(gen.prune(prog))
    except Exception:
        return None


def _values(prog):
    """Every entry's value (JAX, eager)."""
    f = gen.build(gen.with_outputs(prog, range(len(prog.entries))), gen.namespace("jax"))
    return [np.asarray(v) for v in f(*prog.args())]


def candidates(prog):
    """Smaller variants of prog, most promising first."""
    if len(prog.outputs) > 1:
        for o in prog.outputs:
            yield gen.with_outputs(prog, [o])
    nodes = [i for i, e in enumerate(prog.entries) if isinstance(e, gen.Node)]
    try:
        values = _values(prog)
    except Exception:
        values = None
    for o in prog.outputs:     # return an output's operand instead
        for a in prog.entries[o].args if isinstance(prog.entries[o], gen.Node) else ():
            if isinstance(prog.entries[a], gen.Node):
                yield gen.with_outputs(prog, [a if p == o else p for p in prog.outputs])
    for k in nodes:        # bypass node k by an operand of the same shape and dtype
        for a in prog.entries[k].args:
            if prog.avals[a] == prog.avals[k]:
                yield _rewire(prog, k, a)
    if values is not None:
        for k in reversed(nodes):   # cut: node k becomes an input holding its value
            if k not in prog.outputs:
                entries = list(prog.entries)
                entries[k] = gen.Input(values[k])
                yield dataclasses.replace(prog, entries=entries)
    for i in prog.inputs:
        x = prog.entries[i].data
        for axis, d in enumerate(x.shape):
            for n in sorted({1, d // 2} - {0, d}) if d > 1 else ():
                yield _with_input(prog, i, np.take(x, range(n), axis=axis))
        if x.size:
            for y in _simpler(x):
                yield _with_input(prog, i, y)


def _simpler(x):
    if x.dtype == np.bool_:
        return [np.zeros_like(x), np.ones_like(x)]
    out = [np.zeros_like(x), np.ones_like(x)]
    if x.dtype.kind == "f":
        r = np.round(x.astype(np.float32)).astype(x.dtype)
        out.append(r)
    return [y for y in out if not np.array_equal(x, y, equal_nan=True)]


def _rewire(prog, k, a):
    entries = [gen.Node(e.op, e.expr, tuple(a if b == k else b for b in e.args)) if isinstance(e, gen.Node) else e
               for e in prog.entries]
    return dataclasses.replace(prog, entries=entries, outputs=[a if o == k else o for o in prog.outputs])


def _with_input(prog, i, data):
    entries = list(prog.entries)
    entries[i] = gen.Input(data)
    return dataclasses.replace(prog, entries=entries)


def _size(prog):
    """Nodes, entries, input elements, then elements other than 0 and 1: smaller is simpler."""
    data = [prog.entries[i].data for i in prog.inputs]
    plain = sum(int(np.sum((x == 0) | (x == 1))) for x in data)
    total = sum(x.size for x in data)
    return (len(prog.entries) - len(data), len(prog.entries), total, total - plain)


def minimize(diff, checker, deadline, per_round=16):
    """A smaller Difference of the same kind under the same transformation.

    Each round checks up to `per_round` candidates in one batch (one compile)
    and keeps the smallest that still differs."""
    best = diff
    while time.time() < deadline:
        seen, cands = set(), []
        for cand in candidates(best.prog):
            cand = _valid(cand)
            if cand is not None and _size(cand) < _size(best.prog) and cand.source() + repr(cand.args()) not in seen:
                seen.add(cand.source() + repr(cand.args()))
                cands.append(cand)
        cands = sorted(cands, key=_size)[:per_round]
        found = [d for d in checker.differences([(diff.transform, c) for c in cands]) if d.kind == diff.kind]
        if not found:
            break
        best = min(found, key=lambda d: _size(d.prog))
    return best


def signature(d):
    """Errors and crashes group by their irax message (numbers and types blanked)."""
    if d.kind not in ("error", "crash"):
        return None
    msg = re.sub(r" \(at [^)]*\)", "", d.detail.splitlines()[0])
    return d.kind, re.sub(r"[0-9]+", "#", re.sub(r"tensor<[^>]*>|'[^']*'", "T", msg))


def minimize_all(diffs, checker, budget=120.0, out=None):
    """Minimize each difference (until `budget` seconds are spent); group identical causes.

    A difference joins an earlier group when its error message matches, or
    when its program contains every op of the group's minimized program under
    the same transformation and kind; only a group's first one is minimized."""
    deadline = time.time() + budget
    groups = []      # [minimized diff, signature, count, seeds]
    for d in diffs:
        ops, sig = Counter(d.prog.ops()), signature(d)
        g = next((g for g in groups if (sig is not None and g[1] == sig) or (
            sig is None and g[0].transform == d.transform and g[0].kind == d.kind
            and not Counter(g[0].prog.ops()) - ops)), None)
        if g is None:
            m = minimize(d, checker, min(deadline, time.time() + budget / 4)) if time.time() < deadline else d
            g = [m, sig, 0, []]
            groups.append(g)
        g[2] += 1
        g[3].append(f"{d.prog.seed}:{d.transform}")
        if out is not None:
            print(f"  difference: seed {d.prog.seed} {d.transform} {d.kind}", file=out, flush=True)
    return [f"# {n} difference(s): {', '.join(where[:8])}\n{snippet(m)}" for m, _, n, where in groups]


# --------------------------------------------------------------------------
# The standalone snippet
# --------------------------------------------------------------------------

def _array(x):
    dt = "ml_dtypes.bfloat16" if x.dtype.name == "bfloat16" else f"np.{x.dtype.name}"
    if x.size == 0:
        return f"np.zeros({x.shape!r}, {dt})"
    vals = repr(x.astype(np.float32).tolist() if x.dtype.name == "bfloat16" else x.tolist())
    vals = vals.replace("nan", "np.nan").replace("inf", "np.inf")
    if x.dtype.name == "bfloat16":
        return f"np.array({vals}, np.float32).astype({dt})"
    return f"np.array({vals}, {dt})"


def _call(prog, t):
    names = [prog.name(i) for i in prog.inputs]
    fl_in, fl_out = harness.float_inputs(prog), harness.float_outputs(prog)
    loss = "lambda *a: sum(jnp.sum(f(*a)[k] * w) for k, w in zip(%r, W))" % (fl_out,)
    if t == "eager":
        return f"f({', '.join(names)})"
    if t == "jit":
        return f"lib.jit(f)({', '.join(names)})"
    if t == "vmap":
        return f"lib.jit(lib.vmap(f, in_axes={tuple(harness.in_axes(prog)[0])!r}))({', '.join('b' + n for n in names)})"
    if t == "grad":
        return f"lib.jit(lib.grad({loss}, argnums={tuple(fl_in)!r}))({', '.join(names)})"
    if t == "vmap_grad":
        return (f"lib.jit(lib.vmap(lib.grad({loss}, argnums={tuple(fl_in)!r}), "
                f"in_axes={tuple(harness.in_axes(prog)[0])!r}))({', '.join('b' + n for n in names)})")
    if t == "hessian":
        return f"lib.jit(lib.hessian({loss}, argnums={fl_in[0]}))({', '.join(names)})"
    if t == "jvp":
        p = [names[k] for k in fl_in]
        full = ", ".join(names)
        inner = f"lambda {', '.join(p)}: tuple(f({full})[k] for k in {fl_out!r})"
        return (f"lib.jit(lambda {', '.join(p)}: lib.jvp({inner}, ({', '.join(p)},), "
                f"({', '.join('t' + n for n in p)},)))({', '.join(p)})")
    raise ValueError(t)


def snippet(diff):
    """A standalone script printing both libraries' results for the difference."""
    prog, t = diff.prog, diff.transform
    detail = "\n".join("# " + line for line in diff.detail.splitlines()[:6])
    lines = [f"# {t}: {diff.kind} difference", detail,
             "import numpy as np, ml_dtypes, jax, irax, irax.numpy, irax.lax, irax.nn",
             "import jax.numpy, jax.lax, jax.nn"]
    names = [prog.name(i) for i in prog.inputs]
    for n, x in zip(names, prog.args()):
        lines.append(f"{n} = {_array(x)}")
    if t in ("vmap", "vmap_grad"):
        for n, x in zip(names, harness.transform_args(prog, t)):
            lines.append(f"b{n} = {_array(x)}")
    if t == "jvp":
        for k in harness.float_inputs(prog):
            lines.append(f"t{names[k]} = {_array(harness.tangent(prog.args()[k]))}")
    if t in harness.DERIVATIVE:
        shapes = [prog.avals[prog.outputs[k]][0] for k in harness.float_outputs(prog)]
        lines.append("W = [np.linspace(0.5, 1.5, int(np.prod(s))).reshape(s).astype(np.float32) for s in %r]" % (shapes,))
    lines.append("for lib in (irax, jax):")
    lines.append("    jnp, lax, nn = lib.numpy, lib.lax, lib.nn")
    lines += ["    " + line for line in prog.source().splitlines()]
    lines.append(f"    print(lib.__name__, {_call(prog, t)})")
    return "\n".join(lines)
