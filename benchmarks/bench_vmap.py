"""vmap benchmarks, irax against JAX (CPU) in the same run.

1. Per-example gradients of an MLP (784-512-512-10, tanh, batch 128):
   `jit(vmap(grad(loss), in_axes=(None, 0, 0)))`.
2. `vmap` of a matrix-vector product against the hand-batched matmul
   (target: within 1.1x of the hand-batched version).

    python benchmarks/bench_vmap.py [--repeats N]
"""
from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np

import irax
import irax.numpy as jnp
from irax import lax

try:
    os.environ.setdefault("JAX_PLATFORMS", "cpu")
    import jax
    import jax.numpy as jjnp
except ImportError:  # JAX is optional (pip install "jax[cpu]")
    jax = None

SIZES = (784, 512, 512, 10)
BATCH = 128


def timed(fn, args, repeats):
    """(first call seconds, median seconds of `repeats` later calls)."""
    t0 = time.perf_counter()
    out = fn(*args)
    _block(out)
    first = time.perf_counter() - t0
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        _block(fn(*args))
        times.append(time.perf_counter() - t0)
    return first, statistics.median(times), out


def _block(out):
    for leaf in (jax.tree_util.tree_leaves(out) if jax else irax.tree_util.tree_leaves(out)):
        if hasattr(leaf, "block_until_ready"):
            leaf.block_until_ready()


def mlp_data():
    rng = np.random.default_rng(0)
    params = [(rng.standard_normal((m, n)).astype(np.float32) / np.sqrt(m),
               np.zeros(n, np.float32)) for m, n in zip(SIZES[:-1], SIZES[1:])]
    xs = rng.standard_normal((BATCH, SIZES[0])).astype(np.float32)
    ys = np.eye(SIZES[-1], dtype=np.float32)[rng.integers(0, SIZES[-1], BATCH)]
    return params, xs, ys


def make_loss(np_):
    """The per-example loss, written once for irax.numpy and jax.numpy."""
    def loss(params, x, y):
        h = x
        for w, b in params[:-1]:
            h = np_.tanh(h @ w + b)
        w, b = params[-1]
        logits = h @ w + b
        m = np_.max(logits)
        lse = m + np_.log(np_.sum(np_.exp(logits - m)))
        return lse - np_.sum(y * logits)
    return loss


def bench_per_example_grads(repeats):
    params, xs, ys = mlp_data()
    rows = []
    f = irax.jit(irax.vmap(irax.grad(make_loss(jnp)), in_axes=(None, 0, 0)))
    first, t, out = timed(f, (params, xs, ys), repeats)
    rows.append(("irax", first, t))
    if jax is not None:
        jp = jax.tree_util.tree_map(jax.device_put, params)
        jx, jy = jax.device_put(xs), jax.device_put(ys)
        g = jax.jit(jax.vmap(jax.grad(make_loss(jjnp)), in_axes=(None, 0, 0)))
        jfirst, jt, jout = timed(g, (jp, jx, jy), repeats)
        rows.append(("jax", jfirst, jt))
        for a, b in zip(irax.tree_util.tree_leaves(out), jax.tree_util.tree_leaves(jout)):
            np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=2e-3, atol=2e-5)
    return rows


def bench_matvec(repeats, m=1024, k=1024, batch=256):
    rng = np.random.default_rng(1)
    a = rng.standard_normal((m, k)).astype(np.float32)
    xs = rng.standard_normal((batch, k)).astype(np.float32)
    want = xs @ a.T
    cases = {
        "vmap(A @ x)": irax.jit(irax.vmap(lambda a, x: a @ x, in_axes=(None, 0))),
        "hand-batched X @ A.T": irax.jit(lambda a, xs: xs @ a.T),
        "hand-batched dot_general": irax.jit(
            lambda a, xs: lax.dot_general(xs, a, (((1,), (1,)), ((), ())))),
    }
    args = {name: (a, xs) for name in cases}
    if jax is not None:
        cases["jax vmap(A @ x)"] = jax.jit(jax.vmap(lambda a, x: a @ x, in_axes=(None, 0)))
        args["jax vmap(A @ x)"] = (jax.device_put(a), jax.device_put(xs))
    firsts, times = {}, {name: [] for name in cases}
    for name, f in cases.items():
        t0 = time.perf_counter()
        out = f(*args[name])
        _block(out)
        firsts[name] = time.perf_counter() - t0
        np.testing.assert_allclose(np.asarray(out), want, rtol=1e-3, atol=1e-3)
    for _ in range(repeats):  # interleaved, so load changes hit every variant alike
        for name, f in cases.items():
            t0 = time.perf_counter()
            _block(f(*args[name]))
            times[name].append(time.perf_counter() - t0)
    same = (cases["vmap(A @ x)"].lower(a, xs) == cases["hand-batched X @ A.T"].lower(a, xs))
    print(f"\nlinalg IR of vmap(A @ x) identical to the hand-batched X @ A.T: {same}")
    return [(name, firsts[name], statistics.median(times[name])) for name in cases]


def report(title, rows, base):
    print(f"\n{title}")
    ref = dict((n, t) for n, _, t in rows)[base]
    for name, first, t in rows:
        print(f"  {name:28s} {t * 1e3:9.3f} ms   ({t / ref:5.2f}x {base})   "
              f"first call (trace+compile) {first:6.2f} s")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeats", type=int, default=50)
    args = p.parse_args()
    if jax is None:
        print("JAX not installed: irax timings only (pip install 'jax[cpu]')")
    report(f"per-example grads, MLP {'-'.join(map(str, SIZES))} tanh, batch {BATCH}: "
           "jit(vmap(grad(loss), in_axes=(None, 0, 0)))",
           bench_per_example_grads(args.repeats), "jax" if jax is not None else "irax")
    report("vmap of a matrix-vector product (1024x1024 matrix, 256 vectors)",
           bench_matvec(args.repeats), "hand-batched X @ A.T")


if __name__ == "__main__":
    main()
