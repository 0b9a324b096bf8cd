"""QR, eigh and SVD: irax (Householder / Jacobi programs) vs NumPy's LAPACK and JAX, one run.

    python benchmarks/bench_linalg_spectral.py [--sizes 64 256] [--big]

float32 square matrices (eigh: symmetric).  Times are the best of interleaved
repeats (bench_foundation.interleaved: the machine is shared); ratios are
irax / other, so < 1 means irax is faster.  --big adds n = 1024, timed once
(one Jacobi solve there takes many seconds).
"""
from __future__ import annotations

import argparse
import time

import numpy as np

import irax
import irax.numpy as jnp

from bench_foundation import fmt, interleaved, jax

if jax is not None:
    import jax.numpy as jjnp

CASES = {
    "qr": (lambda L: lambda a: L.qr(a), np.linalg.qr),
    "eigh": (lambda L: lambda a: L.eigh(a), np.linalg.eigh),
    "svd": (lambda L: lambda a: L.svd(a, full_matrices=False),
            lambda a: np.linalg.svd(a, full_matrices=False)),
}


def _block(out):
    for x in (out if isinstance(out, tuple) else (out,)):
        np.asarray(x) if not hasattr(x, "block_until_ready") else x.block_until_ready()


def _once(fn):
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def run(n, rounds, number):
    rng = np.random.default_rng(0)
    a = rng.standard_normal((n, n)).astype(np.float32)
    sym = (a + a.T) / 2
    for name, (make, numpy_fn) in CASES.items():
        x = sym if name == "eigh" else a
        xi = jnp.asarray(x)
        f_irax = irax.jit(make(jnp.linalg))
        t = time.perf_counter()
        _block(f_irax(xi))
        compile_s = time.perf_counter() - t
        fns = {"irax": lambda: _block(f_irax(xi)), "numpy": lambda: numpy_fn(x)}
        if jax is not None:
            xj = jjnp.asarray(x)
            f_jax = jax.jit(make(jjnp.linalg))
            fns["jax"] = lambda: _block(f_jax(xj))
        if rounds == 1:      # one timed call each (the first calls above were the warm-up)
            for k, fn in fns.items():
                if k != "irax":
                    fn()
            best = {k: _once(fn) for k, fn in fns.items()}
        else:
            best = interleaved(fns, number=number, rounds=rounds)
        ratios = "  ".join(f"irax/{k} {best['irax'] / v:7.2f}"
                           for k, v in best.items() if k != "irax")
        times = "  ".join(f"{k} {fmt(v)}" for k, v in best.items())
        print(f"{name:5s} n={n:5d}  {times}  {ratios}  (irax first call {compile_s:.1f} s)",
              flush=True)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--sizes", type=int, nargs="*", default=[64, 256])
    p.add_argument("--big", action="store_true", help="also n = 1024, timed once")
    args = p.parse_args()
    for n in args.sizes:
        run(n, rounds=5 if n <= 64 else 3, number=10 if n <= 64 else 1)
    if args.big:
        run(1024, rounds=1, number=1)


if __name__ == "__main__":
    main()
