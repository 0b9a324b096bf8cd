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


def best(fn, number, repeat):
    fn()
    return min(timeit.repeat(fn, number=number, repeat=repeat)) / number


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
    number = 200 if quick else 2000
    rows = []
    print(f"machine: {platform.machine()} {os.cpu_count()} cores; irax {irax.__version__}; "
          f"numpy {np.__version__}; jax {jax.__version__ if jax else 'not installed'}")

    # 1. tiny call: dispatch overhead
    xh = np.ones(4, np.float32)
    x = jnp.asarray(xh)
    f = irax.jit(tiny)
    t_irax = best(lambda: f(x, x), number, 7)
    t_np = best(lambda: tiny(xh, xh), number, 7)
    t_jax = None
    if jax:
        xj = jjnp.asarray(xh)
        fj = jax.jit(tiny)
        t_jax = best(lambda: fj(xj, xj), number, 7)
    rows.append(("tiny call (f32[4])", t_irax, t_np, t_jax, ""))

    # 2. selu on 1e6 floats
    n = 1_000_000
    xh = np.random.default_rng(0).standard_normal(n).astype(np.float32)
    x = jnp.asarray(xh)
    reps = 20 if quick else 100
    variants = {k: best(irax_with_flags(selu, [x], fl), reps, 5) for k, fl in FLAG_SETS.items()}
    t_np = best(lambda: selu_np(xh), reps // 2, 3)
    t_jax = None
    if jax:
        xj = jjnp.asarray(xh)
        fj = jax.jit(selu_jax)
        t_jax = best(lambda: fj(xj).block_until_ready(), reps, 5)
    f = irax.jit(selu)
    t_irax = best(lambda: f(x), reps, 5)
    rows.append(("selu f32[1e6] (jit)", t_irax, t_np, t_jax, ""))
    for k, t in variants.items():
        rows.append((f"  selu flags={k}", t, t_np, t_jax, ""))

    # 3. 1024x1024 matmul
    ah = np.random.default_rng(1).standard_normal((1024, 1024)).astype(np.float32)
    a = jnp.asarray(ah)
    reps = 3 if quick else 10
    gflop = 2 * 1024 ** 3 / 1e9
    variants = {k: best(irax_with_flags(matmul, [a, a], fl), reps, 5)
                for k, fl in FLAG_SETS.items()}
    t_np = best(lambda: ah @ ah, reps, 5)
    t_jax = None
    if jax:
        aj = jjnp.asarray(ah)
        fj = jax.jit(matmul)
        t_jax = best(lambda: fj(aj, aj).block_until_ready(), reps, 5)
    f = irax.jit(matmul)
    t_irax = best(lambda: f(a, a), reps, 5)
    rows.append(("matmul 1024^2 (jit)", t_irax, t_np, t_jax, f"{gflop / t_irax:.0f} GFLOP/s"))
    for k, t in variants.items():
        rows.append((f"  matmul flags={k}", t, t_np, t_jax, f"{gflop / t:.0f} GFLOP/s"))

    print(f"{'workload':26s} {'irax':>11s} {'numpy':>11s} {'jax':>11s} {'irax/np':>8s} "
          f"{'irax/jax':>8s}")
    for name, ti, tn, tj, note in rows:
        jx = fmt(tj) if tj else "        -"
        rj = f"{ti / tj:8.2f}" if tj else "       -"
        print(f"{name:26s} {fmt(ti)} {fmt(tn)} {jx} {ti / tn:8.2f} {rj}  {note}")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="fewer repeats")
    run(ap.parse_args().quick)
    sys.stdout.flush()
