"""Fit an MLP to sin(x) with jit(value_and_grad) and SGD with momentum; plot
the data against the predictions (matplotlib is an example-only dependency:
pip install -e '.[examples]')."""
import os
import sys

import numpy as np

import irax
import irax.numpy as jnp


def init(rng, sizes):
    return [(rng.standard_normal((m, n)).astype(np.float32) * np.sqrt(1.0 / m),
             np.zeros(n, np.float32)) for m, n in zip(sizes[:-1], sizes[1:])]


def predict(params, x):
    for w, b in params[:-1]:
        x = jnp.tanh(x @ w + b)
    w, b = params[-1]
    return x @ w + b


def loss(params, x, y):
    return jnp.mean((predict(params, x) - y) ** 2)


@irax.jit
def step(params, velocity, x, y):
    value, grads = irax.value_and_grad(loss)(params, x, y)
    velocity = irax.tree_util.tree_map(lambda v, g: 0.9 * v + g, velocity, grads)
    params = irax.tree_util.tree_map(lambda p, v: p - 0.05 * v, params, velocity)
    return params, velocity, value


def main(out_png="examples/mlp_sin.png", steps=1500):
    rng = np.random.default_rng(0)
    x = np.linspace(-np.pi, np.pi, 256, dtype=np.float32)[:, None]
    y = np.sin(x)
    params = init(rng, [1, 32, 32, 1])
    velocity = irax.tree_util.tree_map(np.zeros_like, params)
    for i in range(steps):
        params, velocity, value = step(params, velocity, x, y)
        if i % 300 == 0 or i == steps - 1:
            print(f"step {i:5d}  loss {float(value):.5f}")
    pred = np.asarray(irax.jit(predict)(params, x))
    print(f"max |sin(x) - mlp(x)| = {np.abs(pred - y).max():.4f}")
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib not installed: pip install -e '.[examples]' to save the plot")
        return
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(x[:, 0], y[:, 0], label="sin(x)")
    ax.plot(x[:, 0], pred[:, 0], "--", label="MLP")
    ax.legend()
    ax.set_title("irax: MLP fit to sin(x)")
    fig.savefig(out_png, dpi=100)
    print(f"saved {os.path.abspath(out_png)}")


if __name__ == "__main__":
    main(*sys.argv[1:2])
