"""Per-example gradients with vmap(grad(loss)).

A small MLP classifier; `irax.vmap(irax.grad(loss), in_axes=(None, 0, 0))`
gives the gradient of each example's loss with respect to the shared
parameters in one compiled call (the batching turns the per-example matrix
products into batched ones, no Python loop).  Uses: per-example gradient
clipping (as in DP-SGD) and gradient-norm statistics.
"""
import numpy as np

import irax
import irax.numpy as jnp


def init(rng, sizes):
    return [(rng.standard_normal((m, n)).astype(np.float32) / np.sqrt(m), np.zeros(n, np.float32))
            for m, n in zip(sizes[:-1], sizes[1:])]


def predict(params, x):
    for w, b in params[:-1]:
        x = jnp.tanh(x @ w + b)
    w, b = params[-1]
    return x @ w + b


def loss(params, x, label):
    """Cross-entropy of ONE example (x: [features], label: int)."""
    logits = predict(params, x)
    return irax.nn.logsumexp(logits) - logits[label]


per_example_grads = irax.jit(irax.vmap(irax.grad(loss), in_axes=(None, 0, 0)))


@irax.jit
def clipped_mean_grad(params, xs, labels, clip=1.0):
    """DP-SGD style: clip each example's gradient to norm <= clip, then average."""
    grads = irax.vmap(irax.grad(loss), in_axes=(None, 0, 0))(params, xs, labels)
    leaves = irax.tree_util.tree_leaves(grads)
    norms = jnp.sqrt(sum(jnp.sum(g.reshape(g.shape[0], -1) ** 2, axis=1) for g in leaves))
    scale = jnp.minimum(1.0, clip / (norms + 1e-6))
    return irax.tree_util.tree_map(
        lambda g: jnp.mean(g * scale.reshape((-1,) + (1,) * (g.ndim - 1)), axis=0), grads), norms


def main():
    rng = np.random.default_rng(0)
    params = init(rng, [8, 16, 3])
    xs = rng.standard_normal((32, 8)).astype(np.float32)
    labels = rng.integers(0, 3, 32).astype(np.int32)

    grads = per_example_grads(params, xs, labels)
    print("per-example gradient shapes:",
          [tuple(g.shape) for g in irax.tree_util.tree_leaves(grads)])

    # Check against a Python loop of grad calls.
    one = irax.jit(irax.grad(loss))
    for i in (0, 17, 31):
        want = one(params, xs[i], labels[i])
        for g, w in zip(irax.tree_util.tree_leaves(grads), irax.tree_util.tree_leaves(want)):
            np.testing.assert_allclose(np.asarray(g)[i], np.asarray(w), rtol=1e-4, atol=1e-5)
    print("matches a loop of grad calls")

    for step in range(20):
        g, norms = clipped_mean_grad(params, xs, labels)
        params = irax.tree_util.tree_map(lambda p, d: p - 0.5 * d, params, g)
        if step % 5 == 0:
            mean_loss = float(jnp.mean(irax.vmap(loss, in_axes=(None, 0, 0))(params, xs, labels)))
            print(f"step {step:2d}  loss {mean_loss:.4f}  median grad norm "
                  f"{float(np.median(np.asarray(norms))):.3f}")


if __name__ == "__main__":
    main()
