"""Seeded random programs over the irax.numpy / irax.lax / irax.nn surface.

A program is a small expression DAG: input arrays, then nodes, each one
Python expression over earlier values (`"jnp.sum({0}, axis=1)"`), and a few
output nodes.  `source()` renders it as `def f(x0, x1): v2 = ...; return (...)`
and `build(prog, ns)` executes that text with `jnp`, `lax`, `nn` bound to
either library, so the same program runs on irax and on JAX — and the
failing one prints as a standalone snippet.

Every proposed node is checked with `jax.eval_shape` (JAX is the spec), so
programs are valid JAX.  Ops whose result jumps at a point (comparisons,
floor, argmax, division near 0, log near 0, ...) only take "exact" operands
— inputs and values derived from them by exact ops — so a 1-ulp difference
upstream cannot flip them; `cost` (in ulps) is the tolerance budget.
"""
from __future__ import annotations

import dataclasses

import numpy as np

FLOATS = ("float32", "float16", "bfloat16")
DTYPES = ("float32", "int32", "bool", "float16", "bfloat16")
DTYPE_WEIGHTS = (0.62, 0.16, 0.08, 0.07, 0.07)
SPECIALS = (0.0, 1.0, -1.0, 0.5, 2.0, -2.0)


@dataclasses.dataclass(frozen=True)
class Op:
    family: str       # the op family (generator options select/exclude families)
    build: object     # (gen, x) -> (expr, extra operand ids) or None
    dtypes: str       # which operand dtypes: "f" float, "i" int32, "b" bool
    cost: float = 0   # rounding error it adds, in ulps (0: exact)
    needs_exact: bool = False   # discontinuous or singular: exact operands only


@dataclasses.dataclass
class Input:
    data: np.ndarray


@dataclasses.dataclass
class Node:
    op: str
    expr: str          # "{0}", "{1}": the operand names
    args: tuple


@dataclasses.dataclass
class Program:
    entries: list      # Input / Node, in order; entry i is named x{i} or v{i}
    outputs: list      # entry ids
    seed: int = 0
    avals: list = None  # (shape, dtype name) per entry, from jax.eval_shape

    def name(self, i):
        return ("x%d" if isinstance(self.entries[i], Input) else "v%d") % i

    @property
    def inputs(self):
        return [i for i, e in enumerate(self.entries) if isinstance(e, Input)]

    def source(self, fname="f"):
        lines = [f"def {fname}({', '.join(self.name(i) for i in self.inputs)}):"]
        for i, e in enumerate(self.entries):
            if isinstance(e, Node):
                lines.append(f"    {self.name(i)} = " + e.expr.format(*(self.name(a) for a in e.args)))
        lines.append("    return (" + "".join(self.name(o) + ", " for o in self.outputs) + ")")
        return "\n".join(lines)

    def args(self):
        return [self.entries[i].data for i in self.inputs]

    def ops(self):
        return [e.op for e in self.entries if isinstance(e, Node)]


def namespace(lib):
    """`jnp`, `lax`, `nn`, `np` for lib "irax" or "jax"."""
    if lib == "jax":
        import jax.nn as nn
        import jax.numpy as jnp
        from jax import lax
    else:
        import irax.nn as nn
        import irax.numpy as jnp
        from irax import lax
    return {"jnp": jnp, "lax": lax, "nn": nn, "np": np}


def build(prog, ns, fname="f"):
    scope = dict(ns)
    exec(prog.source(fname), scope)
    return scope[fname]


def np_dtype(name):
    if name == "bfloat16":
        import ml_dtypes
        return np.dtype(ml_dtypes.bfloat16)
    return np.dtype(name)


def kind(dtype):
    return "f" if dtype in FLOATS else "b" if dtype == "bool" else "i"


def eps(dtype):
    return {"float16": 2.0 ** -10, "bfloat16": 2.0 ** -7}.get(dtype, 2.0 ** -23)


def random_data(rng, shape, dtype):
    if dtype == "bool":
        return rng.random(shape) < 0.5
    if dtype == "int32":
        return rng.integers(-4, 6, shape).astype(np.int32)
    x = rng.uniform(-3, 3, shape)
    x = np.where(rng.random(shape) < 0.15, rng.choice(SPECIALS, shape), x)
    if x.size and rng.random() < 0.03:
        x.flat[rng.integers(x.size)] = rng.choice([np.nan, np.inf, -np.inf])
    return np.asarray(x).astype(np_dtype(dtype))


def infer(prog, ids=None):
    """(shape, dtype) per entry via jax.eval_shape; raises what JAX raises."""
    import jax
    f = build(prog, namespace("jax"), "f_all")
    ids = ids if ids is not None else range(len(prog.entries))
    specs = [jax.ShapeDtypeStruct(e.data.shape, e.data.dtype) for e in prog.entries if isinstance(e, Input)]
    outs = jax.eval_shape(f, *specs)
    return [(tuple(o.shape), str(o.dtype)) for o in outs]


def infer_node(expr, avals):
    """(shape, dtype) of one expression over operands of the given avals."""
    import jax
    names = [f"a{i}" for i in range(len(avals))]
    f = eval(f"lambda {', '.join(names)}: " + expr.format(*names), namespace("jax"))
    out = jax.eval_shape(f, *(jax.ShapeDtypeStruct(s, np_dtype(d)) for s, d in avals))
    return tuple(out.shape), str(out.dtype)


def prune(prog):
    """Drop entries no output depends on (inputs too) and renumber."""
    live = set(prog.outputs)
    for i in range(len(prog.entries) - 1, -1, -1):
        if i in live and isinstance(prog.entries[i], Node):
            live.update(prog.entries[i].args)
    keep = sorted(live)
    new = {old: k for k, old in enumerate(keep)}
    entries = [prog.entries[i] if isinstance(prog.entries[i], Input) else
               Node(prog.entries[i].op, prog.entries[i].expr, tuple(new[a] for a in prog.entries[i].args))
               for i in keep]
    avals = [prog.avals[i] for i in keep] if prog.avals else None
    return Program(entries, [new[o] for o in prog.outputs], prog.seed, avals)


def with_outputs(prog, outputs):
    return dataclasses.replace(prog, outputs=list(outputs), avals=None)


def complete_avals(prog):
    """Fill prog.avals for every entry (inputs and nodes)."""
    avals = infer(with_outputs(prog, range(len(prog.entries))))
    prog.avals = avals
    return prog


def costs(prog):
    """Accumulated rounding cost (ulps) per entry: an upper bound for its tolerance."""
    from .ops import OPS
    c = []
    for e in prog.entries:
        c.append(0.0 if isinstance(e, Input) else OPS[e.op].cost + sum(c[a] for a in e.args))
    return c


class Gen:
    """Builds one program; op builders call its helpers to pick or add operands."""

    def __init__(self, seed, families=None, exclude=(), max_ops=8):
        from .ops import OPS
        self.rng = np.random.default_rng(seed)
        self.seed = seed
        self.ops = {n: op for n, op in OPS.items()
                    if (families is None or op.family in families) and op.family not in exclude}
        self.names = sorted(self.ops)
        self.entries, self.avals, self.exact = [], [], []
        self.n_ops = int(self.rng.integers(2, max_ops + 1))

    # ----- helpers for builders
    def shape(self, max_rank=3):
        p = np.array([0.15, 0.35, 0.35, 0.15][:max_rank + 1])
        r = int(self.rng.choice(max_rank + 1, p=p / p.sum()))
        return tuple(int(self.rng.choice([0, 1, 2, 3, 4, 5], p=[0.05, 0.2, 0.25, 0.25, 0.15, 0.1])) for _ in range(r))

    def dtype(self, like=None):
        if like is not None and self.rng.random() < 0.8:
            return like
        return str(self.rng.choice(DTYPES, p=DTYPE_WEIGHTS))

    def new_input(self, shape, dtype):
        self.entries.append(Input(random_data(self.rng, shape, dtype)))
        self.avals.append((tuple(shape), dtype))
        self.exact.append(True)
        return len(self.entries) - 1

    def operand(self, shape, dtype, exact=False):
        """An existing value of exactly this shape/dtype (sometimes), else a new input."""
        same = [i for i, a in enumerate(self.avals) if a == (tuple(shape), dtype) and (self.exact[i] or not exact)]
        if same and self.rng.random() < 0.4:
            return int(self.rng.choice(same))
        return self.new_input(shape, dtype)

    def broadcastable(self, shape):
        """A shape that broadcasts with `shape`: a suffix with some dims set to 1."""
        k = int(self.rng.integers(0, len(shape) + 1)) if self.rng.random() < 0.4 else len(shape)
        out = [1 if self.rng.random() < 0.25 else d for d in shape[len(shape) - k:]]
        if self.rng.random() < 0.1:
            out = [int(self.rng.integers(1, 3))] + out if not shape else out
        return tuple(out)

    def axis(self, rank, allow_none=True, allow_tuple=True):
        if rank == 0 or (allow_none and self.rng.random() < 0.2):
            return None
        if allow_tuple and rank > 1 and self.rng.random() < 0.25:
            k = int(self.rng.integers(1, rank + 1))
            return tuple(sorted(int(a) for a in self.rng.choice(rank, k, replace=False)))
        a = int(self.rng.integers(0, rank))
        return a - rank if self.rng.random() < 0.3 else a

    def const(self, dtype):
        if dtype == "int32" or dtype == "bool":
            return repr(int(self.rng.integers(-3, 4)))
        return repr(float(self.rng.choice([0.5, 1.5, -2.0, 3.0, 0.25, -0.75])))

    # ----- the program
    def _try(self, name, x):
        op = self.ops[name]
        n = len(self.entries)
        built = op.build(self, x)
        if built is not None:
            expr, extra = built
            args = (x,) + tuple(extra)
            if not op.needs_exact or all(self.exact[a] for a in args):
                node = Node(name, expr, args)
                try:
                    aval = infer_node(expr, [self.avals[a] for a in args])
                except Exception:
                    aval = None
                if aval is not None and np.prod(aval[0], dtype=np.int64) <= 4096:
                    self.entries.append(node)
                    self.avals.append(aval)
                    self.exact.append(op.cost == 0 and all(self.exact[a] for a in args))
                    return True
        del self.entries[n:], self.avals[n:], self.exact[n:]   # drop inputs the builder added
        return False

    def program(self):
        self.new_input(self.shape(), self.dtype())
        made, tries = 0, 0
        while made < self.n_ops and tries < 40 * self.n_ops:
            tries += 1
            name = self.names[int(self.rng.integers(len(self.names)))]
            op = self.ops[name]
            cands = [i for i, a in enumerate(self.avals) if kind(a[1]) in op.dtypes
                     and (self.exact[i] or not op.needs_exact)]
            if not cands:
                continue
            recent = [i for i in cands if i >= len(self.entries) - 2]
            x = int(self.rng.choice(recent if recent and self.rng.random() < 0.7 else cands))
            made += self._try(name, x)
        used = {a for e in self.entries if isinstance(e, Node) for a in e.args}
        nodes = [i for i, e in enumerate(self.entries) if isinstance(e, Node)]
        outs = [i for i in nodes if i not in used][-3:] or [len(self.entries) - 1]
        return prune(Program(self.entries, outs, self.seed, list(self.avals)))


def generate(seed, **options):
    return Gen(seed, **options).program()
