"""MLP train step (784-512-512-10, batch 128, tanh, jit(grad) + SGD), in one run:

- irax: `irax.jit` of value_and_grad + SGD, through the irax dialect;
- JAX: `jax.jit` of the same step (XLA, CPU);
- IREE-on-JAX: JAX's own StableHLO for the same step compiled by IREE with
  the flags irax would use, run through irax's runtime (same CPU driver policy);
- NumPy: a hand-written forward/backward pass, as a floor.

    python benchmarks/bench_mlp.py [-n STEPS] [--rounds R] [--warm-cache]

Every candidate gets device-resident parameters and host (NumPy) batches, as
in a training loop.  Candidates are timed round-robin, R rounds of n steps,
so load from other processes on a shared machine hits them alike, with a
pause before each round so that the previous candidate's spinning worker
threads (XLA's, BLAS's) do not steal the cores (NumPy is timed after the
others, separately); the table
gives the median and the best round per step, and CPU seconds per step
(less sensitive to load than wall time).  Compile times are cold: irax's disk
cache is off unless --warm-cache.  IRAX_CPU_DRIVER=local-sync|local-task pins
the CPU driver for irax and IREE-on-JAX alike.  Needs the bench extra
(`pip install -e '.[bench]'`) for the JAX columns.
"""
from __future__ import annotations

import argparse
import os
import time

import numpy as np

SIZES = [784, 512, 512, 10]
BATCH = 128
LR = 0.01
IDLE_S = 0.25  # XLA's and BLAS's worker threads spin for a while after a call


def init(rng):
    # Scale in float64, then cast: float32 * np.float64 is float64 under NumPy 2.
    return [((rng.standard_normal((m, n)) * np.sqrt(1.0 / m)).astype(np.float32),
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


def interleaved(cands: dict, n: int, rounds: int) -> dict:
    """name -> (wall s/step per round, CPU s/step per round); cands: name -> (run, sync)."""
    for run, sync in cands.values():
        sync(run())
    out = {k: ([], []) for k in cands}
    for _ in range(rounds):
        for k, (run, sync) in cands.items():
            time.sleep(IDLE_S)  # let the previous candidate's worker threads go to sleep
            w, c = time.perf_counter(), time.process_time()
            for _ in range(n):
                res = run()
            sync(res)
            out[k][0].append((time.perf_counter() - w) / n)
            out[k][1].append((time.process_time() - c) / n)
    return out


def flat(params):
    return [a for wb in params for a in wb]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=20, help="steps per round")
    ap.add_argument("--rounds", type=int, default=7, help="round-robin rounds")
    ap.add_argument("--warm-cache", action="store_true",
                    help="let irax use its disk cache (compile time then measures a cache hit)")
    args = ap.parse_args()
    if not args.warm_cache:
        os.environ["IRAX_CACHE_DIR"] = "off"

    import irax
    import irax.numpy as jnp

    rng = np.random.default_rng(0)
    params = init(rng)
    x = rng.standard_normal((BATCH, SIZES[0])).astype(np.float32)
    y = np.eye(SIZES[-1], dtype=np.float32)[rng.integers(0, SIZES[-1], BATCH)]

    cands, compile_s, results, drivers = {}, {}, {}, {}
    step = irax.jit(make_step(jnp, irax.value_and_grad, irax.tree_util.tree_map, irax.nn))
    dev_params = irax.device_put(params)
    t0 = time.perf_counter()
    out = step(dev_params, x, y)
    np.asarray(out[1])
    compile_s["irax jit"] = time.perf_counter() - t0
    results["irax jit"] = [np.asarray(a) for a in flat(out[0])] + [np.asarray(out[1])]
    cands["irax jit"] = (lambda: step(dev_params, x, y), lambda o: np.asarray(o[1]))

    try:
        import jax
        import jax.numpy as jjnp
    except ImportError:
        jax = None
        print("(jax not installed: pip install -e '.[bench]' for the JAX columns)")
    if jax is not None:
        jstep = make_step(jjnp, jax.value_and_grad, jax.tree_util.tree_map, jax.nn)
        jax_step = jax.jit(jstep)
        jparams = jax.device_put(params)
        t0 = time.perf_counter()
        ref = jax.block_until_ready(jax_step(jparams, x, y))
        compile_s["jax jit (XLA)"] = time.perf_counter() - t0
        ref = [np.asarray(a) for a in flat(ref[0])] + [np.asarray(ref[1])]
        cands["jax jit (XLA)"] = (lambda: jax_step(jparams, x, y), jax.block_until_ready)

        # JAX's StableHLO for the same step, compiled and run by IREE.
        from irax.lowering.compiler import compile_mlir
        from irax.lowering.runtime import get_backend
        text = jax.jit(jstep).lower(params, x, y).as_text()
        t0 = time.perf_counter()
        vmfb = compile_mlir(text, "llvm-cpu", name="main", flags=("--iree-input-type=stablehlo",),
                            use_disk_cache=False)
        backend = get_backend("cpu")
        exe = backend.load(vmfb, "main")
        pbufs = [backend.put(a, "float32") for a in flat(params)]

        def iree_step():
            return exe(pbufs + [backend.put(x, "float32"), backend.put(y, "float32")], 7)
        outs = iree_step()
        compile_s["IREE on JAX's StableHLO"] = time.perf_counter() - t0
        results["IREE on JAX's StableHLO"] = [backend.get(b, r.shape, "float32")
                                             for b, r in zip(outs, ref)]
        cands["IREE on JAX's StableHLO"] = (iree_step, lambda o: backend.get(o[-1], (), "float32"))
        for name, got in results.items():
            for g, r in zip(got, ref):
                np.testing.assert_allclose(g, r, rtol=1e-4, atol=1e-5, err_msg=name)

    load0 = os.getloadavg()[0]
    times = interleaved(cands, args.n, args.rounds)
    load1 = os.getloadavg()[0]
    # NumPy is timed on its own, after: its BLAS threads spin after each call
    # and would steal the cores from whichever candidate ran next.
    times.update(interleaved({"numpy (hand-written backward)":
                              (lambda: numpy_step(params, x, y), lambda o: o)},
                             args.n, args.rounds))
    compile_s["numpy (hand-written backward)"] = 0.0
    (entry,) = step._cache.values()
    drivers["irax jit"] = entry.exe.current_driver
    if jax is not None:
        drivers["IREE on JAX's StableHLO"] = exe.current_driver

    print(f"MLP train step {SIZES}, batch {BATCH}, float32, CPU ({os.cpu_count()} cores, "
          f"load {load0:.1f} -> {load1:.1f}); {args.rounds} rounds x {args.n} steps")
    t_irax = float(np.median(times["irax jit"][0]))
    print(f"{'':32s} {'median ms':>10s} {'best ms':>8s} {'CPU ms':>7s} {'compile s':>10s} "
          f"{'vs irax':>8s}  driver")
    for name, (wall, cpu) in times.items():
        med = float(np.median(wall))
        print(f"{name:32s} {med * 1e3:10.3f} {min(wall) * 1e3:8.3f} "
              f"{float(np.median(cpu)) * 1e3:7.2f} {compile_s[name]:10.2f} "
              f"{med / t_irax:7.2f}x  {drivers.get(name, '')}")


if __name__ == "__main__":
    main()
