"""Train a small CNN on synthetic MNIST-shaped data (28x28 grayscale, 10 classes).

The network is built with irax.example_libraries.stax (JAX's stax layers:
convolutions, max pooling, dense), trained with its optimizers.adam; each step is
one compiled program (jit of value_and_grad and the optimizer update), with the
convolutions lowered to linalg convolutions and their gradients to convolutions
again.  No download: each class is a fixed random stroke pattern, drawn at a
random shift with noise.  Prints the loss every few steps and the final accuracy.
"""
import sys
import time

import numpy as np

import irax
import irax.numpy as jnp
from irax import random
from irax.example_libraries import optimizers, stax

STEPS = 30
BATCH = 32
CLASSES = 10


def make_data(rng, n, templates):
    """Images of the class templates, shifted by up to 2 pixels, plus noise."""
    labels = rng.integers(0, CLASSES, n)
    images = np.zeros((n, 28, 28, 1), np.float32)
    for i, c in enumerate(labels):
        dy, dx = rng.integers(-2, 3, 2)
        images[i, :, :, 0] = np.roll(templates[c], (dy, dx), axis=(0, 1))
    images += 0.3 * rng.standard_normal(images.shape).astype(np.float32)
    return images, labels.astype(np.int32)


def make_templates(rng):
    """Per class: a few thick random strokes on a 28x28 canvas."""
    out = np.zeros((CLASSES, 28, 28), np.float32)
    for c in range(CLASSES):
        for _ in range(3):
            y0, x0, y1, x1 = rng.integers(4, 24, 4)
            for t in np.linspace(0, 1, 20):
                y, x = int(y0 + t * (y1 - y0)), int(x0 + t * (x1 - x0))
                out[c, y - 1:y + 2, x - 1:x + 2] = 1.0
    return out


init_fun, apply_fun = stax.serial(
    stax.Conv(8, (3, 3), padding="SAME"), stax.Relu, stax.MaxPool((2, 2), strides=(2, 2)),
    stax.Conv(16, (3, 3), padding="SAME"), stax.Relu, stax.MaxPool((2, 2), strides=(2, 2)),
    stax.Flatten, stax.Dense(CLASSES), stax.LogSoftmax)
opt_init, opt_update, get_params = optimizers.adam(2e-3)


def loss(params, images, labels):
    logp = apply_fun(params, images)
    return -jnp.mean(jnp.take_along_axis(logp, labels[:, None], axis=1))


@irax.jit
def update(step, opt_state, images, labels):
    value, grads = irax.value_and_grad(loss)(get_params(opt_state), images, labels)
    return opt_update(step, grads, opt_state), value


@irax.jit
def accuracy(params, images, labels):
    return jnp.mean(jnp.argmax(apply_fun(params, images), axis=1) == labels)


def main():
    rng = np.random.default_rng(0)
    templates = make_templates(rng)
    test_x, test_y = make_data(rng, 256, templates)
    out_shape, params = init_fun(random.PRNGKey(0), (-1, 28, 28, 1))
    print(f"network output shape {out_shape}, "
          f"{sum(p.size for p in irax.tree_util.tree_leaves(params))} parameters")
    opt_state = opt_init(params)
    start = time.time()
    for step in range(STEPS):
        x, y = make_data(rng, BATCH, templates)
        opt_state, value = update(jnp.asarray(step, jnp.int32), opt_state, x, y)
        if step % 5 == 0 or step == STEPS - 1:
            print(f"step {step:3d}  loss {float(value):.4f}")
    acc = float(accuracy(get_params(opt_state), test_x, test_y))
    print(f"final test accuracy: {acc:.3f} ({time.time() - start:.1f} s for {STEPS} steps, "
          "including the first compile)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
