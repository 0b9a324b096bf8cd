"""First-call latency, irax against JAX in one run: each case in a fresh process,
with a cold compile cache and then a warm one.

    python benchmarks/bench_latency.py [--cases a,b,...] [--repeat R]

Cases (the targets of the one-executor work, as irax/JAX time ratios):
- eager_shapes: `ones(n) * 2.0`, `sin(x) + x`, `sum` on ten new shapes, eagerly;
- eager_mlp: an eager MLP training loop (784-512-512-10, batch 128): loss op by
  op, `value_and_grad` (not jitted), SGD update op by op; iteration 0, then the
  median of iterations 1-5 ("eager_mlp_steady");
- jit_mlp: the first call of the jitted train step of that MLP;
- normal_2000, normal_3000: `random.normal(key, (n, n))`, first call;
- digits: a whole run of examples/digits_mlp.py (irax only; JAX has no such file).

"Cold" is a fresh process with an empty cache directory (irax: IRAX_CACHE_DIR;
JAX: no persistent cache).  "Warm" is a second fresh process sharing that
directory (JAX: its persistent compilation cache with every threshold at 0).
Each number is the median of R runs.  Needs the bench extra for JAX.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SIZES = [784, 512, 512, 10]
BATCH = 128


def _lib(name):
    if name == "irax":
        import irax
        import irax.numpy as jnp
        from irax import nn, random, tree_util
        return irax, jnp, nn, random, tree_util.tree_map
    import jax
    import jax.numpy as jnp
    return jax, jnp, jax.nn, jax.random, jax.tree_util.tree_map


def _block(x):
    import numpy as np
    return np.asarray(x)


def case_eager_shapes(name):
    _, jnp, _, _, _ = _lib(name)
    t = time.perf_counter()
    for n in range(3, 13):
        x = jnp.ones(n * 7) * 2.0
        y = jnp.sin(x) + x
        _block(jnp.sum(y))
    return {"eager_shapes": time.perf_counter() - t}


def _mlp(name):
    import numpy as np
    lib, jnp, nn, _, tree_map = _lib(name)
    rng = np.random.default_rng(0)
    params = [(jnp.asarray((rng.standard_normal((m, n)) / np.sqrt(m)).astype(np.float32)),
               jnp.zeros(n)) for m, n in zip(SIZES[:-1], SIZES[1:])]
    x = jnp.asarray(rng.standard_normal((BATCH, SIZES[0])).astype(np.float32))
    y = jnp.asarray(np.eye(10, dtype=np.float32)[rng.integers(0, 10, BATCH)])

    def loss(params, x, y):
        h = x
        for w, b in params[:-1]:
            h = jnp.tanh(h @ w + b)
        w, b = params[-1]
        return -jnp.mean(jnp.sum(nn.log_softmax(h @ w + b) * y, axis=1))
    return lib, tree_map, loss, params, x, y


def case_eager_mlp(name):
    lib, tree_map, loss, params, x, y = _mlp(name)
    times = []
    for _ in range(6):
        t = time.perf_counter()
        _block(loss(params, x, y))  # the forward pass, op by op
        value, grads = lib.value_and_grad(loss)(params, x, y)
        params = tree_map(lambda p, g: p - 0.01 * g, params, grads)
        _block(value)
        _block(params[0][0])
        times.append(time.perf_counter() - t)
    return {"eager_mlp": times[0], "eager_mlp_steady": statistics.median(times[1:])}


def case_jit_mlp(name):
    lib, tree_map, loss, params, x, y = _mlp(name)

    @lib.jit
    def step(params, x, y):
        value, grads = lib.value_and_grad(loss)(params, x, y)
        return tree_map(lambda p, g: p - 0.01 * g, params, grads), value
    t = time.perf_counter()
    _block(step(params, x, y)[1])
    return {"jit_mlp": time.perf_counter() - t}


def _normal(n):
    def case(name):
        _, _, _, random, _ = _lib(name)
        t = time.perf_counter()
        _block(random.normal(random.PRNGKey(0), (n, n)))
        return {f"normal_{n}": time.perf_counter() - t}
    return case


def case_digits(name):
    if name != "irax":
        return {}
    t = time.perf_counter()
    subprocess.run([sys.executable, os.path.join(HERE, "..", "examples", "digits_mlp.py")],
                   check=True, stdout=subprocess.DEVNULL, env=dict(os.environ, MPLBACKEND="Agg"))
    return {"digits": time.perf_counter() - t}


CASES = {"eager_shapes": case_eager_shapes, "eager_mlp": case_eager_mlp,
         "jit_mlp": case_jit_mlp, "normal_2000": _normal(2000), "normal_3000": _normal(3000),
         "digits": case_digits}


def _child(case, lib):
    print(json.dumps(CASES[case](lib)))


def _run(case, lib, cache_dir):
    env = dict(os.environ)
    if lib == "irax":
        env["IRAX_CACHE_DIR"] = cache_dir
    else:
        env.update(JAX_PLATFORMS="cpu", JAX_COMPILATION_CACHE_DIR=cache_dir,
                   JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS="0",
                   JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES="0")
    out = subprocess.run([sys.executable, __file__, "--child", case, lib], env=env, check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--cases", default=",".join(CASES))
    p.add_argument("--repeat", type=int, default=1)
    p.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        return _child(*args.child)
    rows = {}
    for _ in range(args.repeat):
        for case in args.cases.split(","):
            for lib in ("irax", "jax"):  # interleaved, so load hits both alike
                with tempfile.TemporaryDirectory() as d:
                    for temp in ("cold", "warm"):
                        for k, v in _run(case, lib, d).items():
                            rows.setdefault((k, temp), {}).setdefault(lib, []).append(v)
    print(f"{'case':18s} {'cache':5s} {'irax s':>9s} {'JAX s':>9s} {'irax/JAX':>9s}")
    for (k, temp), libs in rows.items():
        ir = statistics.median(libs["irax"])
        jx = statistics.median(libs["jax"]) if "jax" in libs else float("nan")
        print(f"{k:18s} {temp:5s} {ir:9.3f} {jx:9.3f} {ir / jx:9.2f}")


if __name__ == "__main__":
    main()
