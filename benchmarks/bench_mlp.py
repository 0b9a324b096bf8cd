"""MLP train step (784-512-512-10, batch 128, tanh, jit(grad) + SGD), in one run:

- irax: `irax.jit` of value_and_grad + SGD, through the irax dialect;
- JAX: `jax.jit` of the same step (XLA, CPU);
- IREE-on-JAX: JAX's own StableHLO for the same step compiled by IREE with
  the same flags irax uses, run through the same runtime path;
- NumPy: a hand-written forward/backward pass, as a floor.

Prints times per step, ratios and compile times.  Needs the bench extra
(`pip install -e '.[bench]'`) for the JAX columns.
"""
from __future__ import annotations

import argparse
import time

import numpy as np

import irax
import irax.numpy as jnp

SIZES = [784, 512, 512, 10]
BATCH = 128
LR = 0.01


def init(rng):
    return [(rng.standard_normal((m, n)).astype(np.float32) * np.sqrt(1.0 / m),
             np.zeros(n, np.float32)) for m, n in zip(SIZES[:-1], SIZES[1:])]


def make_step(np_like, value_and_grad, tree_map, nn):
    def loss(params, x, y):
        h = x
        for w, b in params[:-1]:
            h = np_like.tanh(h @ w + b)
        w, b = params[-1]
        logits = h @ w + b
        return -np_like.mean(np_like.sum(nn.log_softmax(logits) * y, axis=1))

    def step(params, x, y):
        value, grads = value_and_grad(loss)(params, x, y)
        return tree_map(lambda p, g: p - LR * g, params, grads), value
    return step


def numpy_step(params, x, y):
    hs, h = [x], x
    for w, b in params[:-1]:
        h = np.tanh(h @ w + b)
        hs.append(h)
    w, b = params[-1]
    logits = h @ w + b
    logits = logits - logits.max(axis=1, keepdims=True)
    p = np.exp(logits)
    p /= p.sum(axis=1, keepdims=True)
    g = (p - y) / x.shape[0]
    new = [None] * len(params)
    for i in reversed(range(len(params))):
        w, b = params[i]
        gw, gb = hs[i].T @ g, g.sum(axis=0)
        if i:
            g = (g @ w.T) * (1 - hs[i] ** 2)
        new[i] = (w - LR * gw, b - LR * gb)
    return new


def timeit(fn, n, sync):
    sync(fn())
    best = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        for _ in range(n):
            out = fn()
        sync(out)
        best = min(best, (time.perf_counter() - t) / n)
    return best


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=20, help="steps per timing")
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    params = init(rng)
    x = rng.standard_normal((BATCH, SIZES[0])).astype(np.float32)
    y = np.eye(SIZES[-1], dtype=np.float32)[rng.integers(0, SIZES[-1], BATCH)]

    rows = []
    step = irax.jit(make_step(jnp, irax.value_and_grad, irax.tree_util.tree_map, irax.nn))
    t0 = time.perf_counter()
    out = step(params, x, y)
    np.asarray(out[1])
    irax_compile = time.perf_counter() - t0
    dev_params = irax.device_put(params)
    t_irax = timeit(lambda: step(dev_params, x, y), args.n, lambda o: np.asarray(o[1]))
    rows.append(("irax jit", t_irax, irax_compile))
    t_np = timeit(lambda: numpy_step(params, x, y), args.n, lambda o: o)
    rows.append(("numpy (hand-written backward)", t_np, 0.0))

    ref = None
    try:
        import jax
        import jax.numpy as jjnp
        jax_step = jax.jit(make_step(jjnp, jax.value_and_grad, jax.tree_util.tree_map, jax.nn))
        t0 = time.perf_counter()
        ref = jax_step(params, x, y)
        jax.block_until_ready(ref)
        jax_compile = time.perf_counter() - t0
        jparams = jax.device_put(params)
        t_jax = timeit(lambda: jax_step(jparams, x, y), args.n, jax.block_until_ready)
        rows.append(("jax jit (XLA)", t_jax, jax_compile))
        # JAX's StableHLO for the same step, compiled and run by IREE.
        from irax.lowering.compiler import compile_mlir
        from irax.lowering.runtime import get_backend
        text = jax.jit(make_step(jjnp, jax.value_and_grad, jax.tree_util.tree_map, jax.nn)) \
            .lower(params, x, y).as_text()
        t0 = time.perf_counter()
        vmfb = compile_mlir(text, "llvm-cpu", name="main",
                            flags=("--iree-input-type=stablehlo", "--iree-opt-data-tiling"),
                            use_disk_cache=False)
        backend = get_backend("cpu")
        exe = backend.load(vmfb, "main")
        leaves = [a for wb in params for a in wb] + [x, y]
        bufs = [backend.put(a, "float32") for a in leaves]
        exe(bufs, 7)
        iree_compile = time.perf_counter() - t0
        t_iree = timeit(lambda: exe(bufs, 7), args.n,
                        lambda o: backend.get(o[-1], (), "float32"))
        rows.append(("IREE on JAX's StableHLO", t_iree, iree_compile))
    except ImportError:
        print("(jax not installed: pip install -e '.[bench]' for the JAX columns)")

    if ref is not None:
        np.testing.assert_allclose(np.asarray(out[1]), np.asarray(ref[1]), rtol=1e-4)
    print(f"MLP train step {SIZES}, batch {BATCH}, float32, CPU")
    print(f"{'':32s} {'ms/step':>10s} {'compile s':>10s} {'irax speed-up':>14s}")
    for name, t, c in rows:
        print(f"{name:32s} {t * 1e3:10.3f} {c:10.2f} {t / t_irax:13.2f}x")


if __name__ == "__main__":
    main()
