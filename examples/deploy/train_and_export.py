"""Train a small classifier with irax, export its predict function, deploy it.

    python examples/deploy/train_and_export.py [OUT_DIR]

1. trains a 2-layer MLP on three Gaussian blobs with jit(value_and_grad);
2. exports `predict` (the trained weights become constants of the module) to
   OUT_DIR/model.vmfb, and copies the runtime-only loader next to it;
3. runs serve.py in a fresh process in which importing `iree.compiler` (or any
   of irax) fails: only numpy, iree.runtime and the loader file are used.
"""
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np

import irax
import irax.numpy as jnp
from irax import nn

BATCH = 64


def make_data(rng, n):
    centers = np.array([[0.0, 2.0], [-2.0, -1.0], [2.0, -1.0]], np.float32)
    labels = rng.integers(0, 3, n)
    x = centers[labels] + rng.standard_normal((n, 2)).astype(np.float32) * 0.7
    return x.astype(np.float32), labels.astype(np.int32)


def init(rng):
    return {"w1": rng.standard_normal((2, 16)).astype(np.float32) * 0.5,
            "b1": np.zeros(16, np.float32),
            "w2": rng.standard_normal((16, 3)).astype(np.float32) * 0.5,
            "b2": np.zeros(3, np.float32)}


def predict(params, x):
    h = jnp.tanh(x @ params["w1"] + params["b1"])
    return nn.softmax(h @ params["w2"] + params["b2"], axis=-1)


def loss(params, x, y):
    logits = jnp.log(predict(params, x) + 1e-7)
    return -jnp.mean(jnp.sum(nn.one_hot(y, 3) * logits, axis=-1))


@irax.jit
def sgd_step(params, x, y):
    value, grads = irax.value_and_grad(loss)(params, x, y)
    return value, {k: params[k] - 0.5 * grads[k] for k in params}


def main(out_dir):
    rng = np.random.default_rng(0)
    x, y = make_data(rng, 1024)
    params = init(rng)
    for epoch in range(5):
        for i in range(0, len(x), BATCH):
            value, params = sgd_step(params, x[i:i + BATCH], y[i:i + BATCH])
        print(f"epoch {epoch}: loss {float(value):.4f}")

    x_test, y_test = make_data(rng, 4 * BATCH)
    exported = irax.export(lambda x: predict(params, x), x_test[:BATCH], name="predict")
    print(exported)
    os.makedirs(out_dir, exist_ok=True)
    exported.save(os.path.join(out_dir, "model.vmfb"))
    shutil.copy(irax.deploy.LOADER_FILE, os.path.join(out_dir, "deploy.py"))
    np.savez(os.path.join(out_dir, "test_set.npz"), x=x_test, y=y_test)
    jit_probs = np.concatenate([np.asarray(irax.jit(predict)(params, x_test[i:i + BATCH]))
                                for i in range(0, len(x_test), BATCH)])
    np.save(os.path.join(out_dir, "jit_probs.npy"), jit_probs)
    print(f"irax jit accuracy: {np.mean(jit_probs.argmax(1) == y_test):.3f}")

    serve = os.path.join(os.path.dirname(os.path.abspath(__file__)), "serve.py")
    subprocess.run([sys.executable, serve, out_dir], check=True)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else tempfile.mkdtemp(prefix="irax-deploy-"))
