"""Cholesky, solve and LU: irax (blocked programs) vs NumPy's LAPACK and JAX, one run.

    python benchmarks/bench_linalg.py [--sizes 64 256 1024]

float32 square matrices (Cholesky: symmetric positive definite; solve: 8
right-hand sides).  Times are the best of interleaved repeats
(bench_foundation.interleaved: the machine is shared); ratios are irax / other,
so < 1 means irax is faster.  n >= 1024 is timed with few repeats.
"""
from __future__ import annotations

import argparse
import time

import numpy as np

import irax
import irax.numpy as jnp
from irax import lax

from bench_foundation import fmt, interleaved, jax

if jax is not None:
    import jax.numpy as jjnp

CASES = {
    "cholesky": (lambda a, b: jnp.linalg.cholesky(a), lambda a, b: np.linalg.cholesky(a),
                 lambda a, b: jjnp.linalg.cholesky(a)),
    "solve": (lambda a, b: jnp.linalg.solve(a, b), np.linalg.solve,
              lambda a, b: jjnp.linalg.solve(a, b)),
    "lu": (lambda a, b: lax.linalg.lu(a), None, lambda a, b: jax.lax.linalg.lu(a)),
}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--sizes", type=int, nargs="+", default=[64, 256, 1024])
    args = p.parse_args()
    rng = np.random.default_rng(0)
    print(f"{'case':10s} {'n':>5s} {'irax':>11s} {'numpy':>11s} {'jax':>11s} "
          f"{'/numpy':>7s} {'/jax':>7s} {'compile':>8s}")
    for n in args.sizes:
        x = rng.standard_normal((n, n)).astype(np.float32)
        a = (x @ x.T + n * np.eye(n, dtype=np.float32)).astype(np.float32)
        b = rng.standard_normal((n, 8)).astype(np.float32)
        ia, ib = jnp.asarray(a), jnp.asarray(b)
        for name, (f_irax, f_np, f_jax) in CASES.items():
            fi = irax.jit(f_irax)
            t0 = time.perf_counter()
            irax.tree_util.tree_map(np.asarray, fi(ia, ib))
            compile_s = time.perf_counter() - t0
            fns = {"irax": lambda: irax.tree_util.tree_map(np.asarray, fi(ia, ib))}
            if f_np is not None:
                fns["numpy"] = lambda: f_np(a, b)
            if jax is not None:
                fj = jax.jit(f_jax)
                ja, jb = jjnp.asarray(a), jjnp.asarray(b)
                fns["jax"] = lambda: jax.block_until_ready(fj(ja, jb))
            number, rounds = (1, 3) if n >= 1024 else (5, 5)
            best = interleaved(fns, number, rounds)
            npt, jt = best.get("numpy"), best.get("jax")
            print(f"{name:10s} {n:5d} {fmt(best['irax'])} "
                  f"{fmt(npt) if npt else '         -'} {fmt(jt) if jt else '         -'} "
                  f"{best['irax'] / npt if npt else float('nan'):7.2f} "
                  f"{best['irax'] / jt if jt else float('nan'):7.2f} {compile_s:7.1f}s", flush=True)


if __name__ == "__main__":
    main()
