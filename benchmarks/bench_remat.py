"""The memory a deep MLP's gradient keeps, by checkpoint policy.

`python benchmarks/bench_remat.py [--depth 16 --width 256 --batch 1024]`

For each way of checkpointing the layers it prints
- the residuals: the bytes the backward pass reads from the forward pass,
  counted in the expanded, simplified IR (`irax.ad_checkpoint.saved_residuals`;
  the network's inputs and weights included);
- the IREE allocator's peak device bytes over one jitted gradient call,
  measured in a fresh process per policy (the statistic only grows), minus
  the bytes of the arguments and of the gradients returned;
- the time of one gradient call (compiled without data tiling: see
  measure_one), and that the gradient equals the unchecked one.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np

POLICIES = ["none", "everything_saveable", "dots_saveable", "save_only_these_names('pre')",
            "nothing_saveable", "nothing_saveable, blocks of 4"]


def build(policy: str, depth: int):
    import irax
    import irax.numpy as jnp
    from irax import ad_checkpoint as ac

    def layer(h, W, b):
        pre = ac.checkpoint_name(h @ W + b, "pre")
        return h + jnp.tanh(pre) * pre

    def block(h, params):
        for W, b in params:
            h = layer(h, W, b)
        return h

    group = 4 if policy.endswith("blocks of 4") else 1
    if policy == "none":
        step = block
    else:
        name = policy.split(",")[0]
        pol = eval(name, {**vars(ac.checkpoint_policies)}) if "(" in name else \
            getattr(ac.checkpoint_policies, name)
        step = irax.checkpoint(block, policy=pol)

    def loss(params, x):
        h = x
        for i in range(0, depth, group):
            h = step(h, params[i:i + group])
        return jnp.mean(h ** 2)
    return loss


def data(depth, width, batch):
    rng = np.random.default_rng(0)
    params = [(rng.standard_normal((width, width)).astype(np.float32) / np.sqrt(width),
               np.zeros(width, np.float32)) for _ in range(depth)]
    x = rng.standard_normal((batch, width)).astype(np.float32)
    return params, x


def measure_one(policy, depth, width, batch):
    """Run in a fresh process: the allocator peak and time of one gradient call."""
    import irax
    from irax.devices import default_backend_object
    from irax.lowering import compiler
    # IREE 3.13's CPU data tiling fails on several of these gradients ("One or
    # more operations with large vector sizes (32768 bytes) were found"), so
    # every policy is compiled without it, alike.
    compiler.workload_flags = lambda text, target, given=(): ()
    params, x = data(depth, width, batch)
    loss = build(policy, depth)
    grad = irax.jit(irax.grad(loss))
    params_d = irax.device_put(params)
    x_d = irax.device_put(x)
    g = grad(params_d, x_d)  # compile and warm up
    irax.block_until_ready(g)
    del g
    alloc = default_backend_object().allocator
    before = alloc.statistics["device_bytes_peak"]
    t0 = time.perf_counter()
    g = grad(params_d, x_d)
    flat = [np.asarray(a) for p in g for a in p]
    seconds = time.perf_counter() - t0
    peak = alloc.statistics["device_bytes_peak"]
    io_bytes = 2 * sum(a.nbytes for a in flat) + x.nbytes
    return {"peak": peak, "before": before, "io": io_bytes, "seconds": seconds,
            "grad": [float(np.abs(a).sum()) for a in flat]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--depth", type=int, default=16)
    ap.add_argument("--width", type=int, default=256)
    ap.add_argument("--batch", type=int, default=1024)
    ap.add_argument("--one", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.one:
        print(json.dumps(measure_one(a.one, a.depth, a.width, a.batch)))
        return
    from irax import ad_checkpoint as ac
    params, x = data(a.depth, a.width, a.batch)
    print(f"MLP depth {a.depth}, width {a.width}, batch {a.batch} (float32); "
          f"one activation = {x.nbytes / 2**20:.1f} MiB, weights = "
          f"{sum(W.nbytes + b.nbytes for W, b in params) / 2**20:.1f} MiB")
    print(f"{'policy':34s} {'residuals':>14s} {'IREE peak - io':>15s} {'grad call':>10s}  "
          f"grad == unchecked")
    ref = None
    for policy in POLICIES:
        res = ac.saved_residuals(build(policy, a.depth), params, x)
        nbytes = sum(s.size * s.dtype.itemsize for s, _ in res)
        out = subprocess.run([sys.executable, __file__, "--one", policy, "--depth", str(a.depth),
                              "--width", str(a.width), "--batch", str(a.batch)],
                             capture_output=True, text=True, env=os.environ)
        if out.returncode:
            raise SystemExit(out.stderr)
        m = json.loads(out.stdout.strip().splitlines()[-1])
        ref = m["grad"] if ref is None else ref
        same = np.allclose(m["grad"], ref, rtol=1e-4)
        print(f"{policy:34s} {len(res):4d} {nbytes / 2**20:7.1f} MiB "
              f"{(m['peak'] - m['io']) / 2**20:11.1f} MiB {m['seconds'] * 1e3:8.1f} ms  {same}")


if __name__ == "__main__":
    main()
