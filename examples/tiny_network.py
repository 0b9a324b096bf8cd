"""The tiny network from the JAX introduction: two dense layers (ReLU, then a
sigmoid), binary cross-entropy, and one SGD step with grad(loss, argnums=2)."""
import numpy as np

import irax
import irax.numpy as jnp


def predict(params, inputs):
    (w1, b1), (w2, b2) = params
    hidden = irax.nn.relu(inputs @ w1 + b1)
    return irax.nn.sigmoid(hidden @ w2 + b2)


def loss(inputs, targets, params):
    p = predict(params, inputs)
    eps = 1e-7
    return -jnp.mean(targets * jnp.log(p + eps) + (1 - targets) * jnp.log(1 - p + eps))


def main():
    rng = np.random.default_rng(0)
    inputs = rng.standard_normal((8, 3)).astype(np.float32)
    targets = (inputs.sum(axis=1, keepdims=True) > 0).astype(np.float32)
    params = [(0.5 * rng.standard_normal((3, 4)).astype(np.float32), np.zeros(4, np.float32)),
              (0.5 * rng.standard_normal((4, 1)).astype(np.float32), np.zeros(1, np.float32))]
    grad_loss = irax.jit(irax.grad(loss, argnums=2))
    before = float(loss(inputs, targets, params))
    grads = grad_loss(inputs, targets, params)
    params = irax.tree_util.tree_map(lambda p, g: p - 0.5 * g, params, grads)
    after = float(loss(inputs, targets, params))
    print(f"loss before one SGD step: {before:.4f}, after: {after:.4f}")
    assert after < before


if __name__ == "__main__":
    main()
