"""A recurrent network over a sequence with `lax.scan`, trained with `grad`.

The task: read a noisy sine wave one sample at a time and predict the next
sample.  The RNN step is an ordinary Python function; `lax.scan` runs it over
the time axis inside one compiled loop (an `irax.scan` op lowered to
`scf.for`), so the program does not grow with the sequence length.  The
gradient goes backwards through the scan: a forward scan stores the hidden
state of every step, then a reverse scan recomputes each step and applies its
derivative.  `vmap` runs the RNN over a batch of sequences.
"""
import numpy as np

import irax
import irax.numpy as jnp
from irax import lax

HIDDEN = 16


def init(rng):
    def mat(m, n):
        return (rng.standard_normal((m, n)) / np.sqrt(m)).astype(np.float32)
    return {"w_in": mat(1, HIDDEN), "w_h": mat(HIDDEN, HIDDEN) * 0.5,
            "b": np.zeros(HIDDEN, np.float32), "w_out": mat(HIDDEN, 1),
            "b_out": np.zeros(1, np.float32)}


def rnn(params, xs):
    """Predict xs[t + 1] from xs[:t + 1], for one sequence xs of shape [T]."""
    def step(h, x):
        h = jnp.tanh(x * params["w_in"][0] + h @ params["w_h"] + params["b"])
        return h, h @ params["w_out"][:, 0] + params["b_out"][0]
    _, preds = lax.scan(step, jnp.zeros(HIDDEN), xs)
    return preds


def loss(params, batch):
    preds = irax.vmap(rnn, in_axes=(None, 0))(params, batch[:, :-1])
    return jnp.mean((preds - batch[:, 1:]) ** 2)


@irax.jit
def train_step(params, batch, lr):
    value, grads = irax.value_and_grad(loss)(params, batch)
    return irax.tree_util.tree_map(lambda p, g: p - lr * g, params, grads), value


def make_batch(rng, n=32, length=40):
    t = np.arange(length, dtype=np.float32) * 0.3
    phase = rng.uniform(0, 2 * np.pi, (n, 1)).astype(np.float32)
    return np.sin(t + phase) + 0.05 * rng.standard_normal((n, length)).astype(np.float32)


def main(steps=60):
    rng = np.random.default_rng(0)
    params = init(rng)
    losses = []
    for i in range(steps):
        params, value = train_step(params, make_batch(rng), np.float32(0.1))
        losses.append(float(value))
        if i % 10 == 0 or i == steps - 1:
            print(f"step {i:3d}  loss {losses[-1]:.4f}")
    assert losses[-1] < 0.5 * losses[0], "the loss should go down"
    return losses


if __name__ == "__main__":
    main()
