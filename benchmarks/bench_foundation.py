"""Foundation benchmark: irax jit vs NumPy (and JAX when installed), in one run.

    python benchmarks/bench_foundation.py [--quick]

Workloads: a tiny function call (dispatch overhead), selu on 1e6 float32,
a 1024x1024 float32 matmul.  For the two big workloads it also compiles irax
with each candidate set of IREE flags and reports each, so flags are chosen by
measurement.  Times are the best of several repeats (this machine is shared);
ratios are irax / other, so < 1 means irax is faster.
"""
from __future__ import annotations

import argparse
import os
import platform
import sys
import timeit

import numpy as np

import irax
import irax.numpy as jnp
from irax.lowering.compiler import compile_mlir

try:
    import jax
    import jax.numpy as jjnp
    jax.config.update("jax_platforms", "cpu")
except ImportError:  # the `bench` extra: pip install -e '.[bench]'
    jax = None

FLAG_SETS = {  # "(jit)" rows use irax's own choice (lowering/compiler.py: workload_flags)
    "no-data-tiling": ("--iree-opt-data-tiling=false",),
    "data-tiling": ("--iree-opt-data-tiling",),
}


def interleaved(fns: dict, number: int, rounds: int) -> dict:
    """Best time per call of each callable, timed round-robin so that load from
    other processes on a shared machine hits every candidate alike."""
    for fn in fns.values():
        fn()
    best = {k: float("inf") for k in fns}
    for _ in range(rounds):
        for k, fn in fns.items():
            best[k] = min(best[k], timeit.timeit(fn, number=number) / number)
    return best


def fmt(seconds):
    if seconds < 1e-3:
        return f"{seconds * 1e6:8.1f} us"
    return f"{seconds * 1e3:8.2f} ms"


def tiny(x, y):
    return x * y + 1.0


def selu(x):
    alpha, scale = 1.6732632423543772, 1.0507009873554805
    return scale * jnp.where(x > 0, x, alpha * (jnp.exp(x) - 1.0))


def selu_np(x):
    alpha, scale = 1.6732632423543772, 1.0507009873554805
    return scale * np.where(x > 0, x, alpha * (np.exp(x) - 1.0))


def selu_jax(x):
    alpha, scale = 1.6732632423543772, 1.0507009873554805
    return scale * jjnp.where(x > 0, x, alpha * (jjnp.exp(x) - 1.0))


def matmul(a, b):
    return a @ b


def irax_with_flags(fun, args, flags):
    """A callable running `fun` compiled with extra IREE `flags` (device arrays in and out)."""
    text = irax.jit(fun).lower(*args)
    name = fun.__name__
    backend = irax.devices("cpu")[0]
    exe = backend.load(compile_mlir(text, "llvm-cpu", name=name, flags=flags), name)
    bufs = [a._buffer for a in args]
    return lambda: exe(bufs, 1)


def run(quick: bool):
    rounds = 5 if quick else 15
    rows = []
    print(f"machine: {platform.machine()} {os.cpu_count()} cores; irax {irax.__version__}; "
          f"numpy {np.__version__}; jax {jax.__version__ if jax else 'not installed'}")

    def add(label, fns, number, note=None):
        t = interleaved(fns, number, rounds)
        for k in fns:
            if k.startswith("irax"):
                name = label if k == "irax" else f"  {label.split()[0]} {k[5:]}"
                rows.append((name, t[k], t["numpy"], t.get("jax"), note(t[k]) if note else ""))

    # 1. tiny call: dispatch overhead
    xh = np.ones(4, np.float32)
    x = jnp.asarray(xh)
    f = irax.jit(tiny)
    fns = {"irax": lambda: f(x, x), "numpy": lambda: tiny(xh, xh)}
    if jax:
        xj = jjnp.asarray(xh)
        fj = jax.jit(tiny)
        fns["jax"] = lambda: fj(xj, xj)
    add("tiny call (f32[4])", fns, 200 if quick else 2000)

    # 2. selu on 1e6 floats
    xh = np.random.default_rng(0).standard_normal(1_000_000).astype(np.float32)
    x = jnp.asarray(xh)
    fs = irax.jit(selu)
    fns = {"irax": lambda: fs(x), "numpy": lambda: selu_np(xh)}
    fns.update({f"irax flags={k}": irax_with_flags(selu, [x], fl) for k, fl in FLAG_SETS.items()})
    if jax:
        xj = jjnp.asarray(xh)
        fj = jax.jit(selu_jax)
        fns["jax"] = lambda: fj(xj).block_until_ready()
    add("selu f32[1e6] (jit)", fns, 5 if quick else 20)

    # 3. 1024x1024 matmul
    ah = np.random.default_rng(1).standard_normal((1024, 1024)).astype(np.float32)
    a = jnp.asarray(ah)
    fm = irax.jit(matmul)
    fns = {"irax": lambda: fm(a, a), "numpy": lambda: ah @ ah}
    fns.update({f"irax flags={k}": irax_with_flags(matmul, [a, a], fl)
                for k, fl in FLAG_SETS.items()})
    if jax:
        aj = jjnp.asarray(ah)
        fj = jax.jit(matmul)
        fns["jax"] = lambda: fj(aj, aj).block_until_ready()
    add("matmul 1024^2 (jit)", fns, 1 if quick else 3,
        note=lambda t: f"{2 * 1024 ** 3 / t / 1e9:.0f} GFLOP/s")

    print(f"{'workload':28s} {'irax':>11s} {'numpy':>11s} {'jax':>11s} {'irax/np':>8s} "
          f"{'irax/jax':>8s}")
    for name, ti, tn, tj, note in rows:
        jx = fmt(tj) if tj else "        -"
        rj = f"{ti / tj:8.2f}" if tj else "       -"
        print(f"{name:28s} {fmt(ti)} {fmt(tn)} {jx} {ti / tn:8.2f} {rj}  {note}")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="fewer repeats")
    run(ap.parse_args().quick)
    sys.stdout.flush()
