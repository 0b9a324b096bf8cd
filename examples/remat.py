"""How much memory a deep network's gradient keeps, with and without checkpoint.

    python examples/remat.py

`irax.checkpoint` (`jax.checkpoint`) makes the backward pass recompute a
block's intermediate values from the block's inputs instead of keeping them
from the forward pass; a policy chooses what is still kept.  The residuals
printed are the values the backward pass reads from the forward pass
(`irax.ad_checkpoint.saved_residuals`), found in the compiled program's IR.
"""
import numpy as np

import irax
import irax.numpy as jnp
from irax import ad_checkpoint as ac

DEPTH, WIDTH, BATCH = 12, 128, 256


def block(h, W):
    pre = ac.checkpoint_name(h @ W, "pre")
    return h + jnp.tanh(pre) * pre


def network(step):
    def loss(Ws, x):
        h = x
        for W in Ws:
            h = step(h, W)
        return jnp.mean(h ** 2)
    return loss


def main():
    rng = np.random.default_rng(0)
    Ws = [rng.standard_normal((WIDTH, WIDTH)).astype(np.float32) / np.sqrt(WIDTH)
          for _ in range(DEPTH)]
    x = rng.standard_normal((BATCH, WIDTH)).astype(np.float32)
    variants = {
        "no checkpoint": block,
        "checkpoint, saving the named pre-activations":
            irax.checkpoint(block, policy=ac.checkpoint_policies.save_only_these_names("pre")),
        "checkpoint, saving the matmuls":
            irax.checkpoint(block, policy=ac.checkpoint_policies.dots_saveable),
        "checkpoint, saving nothing": irax.checkpoint(block),
    }
    reference = None
    print(f"{DEPTH} layers of {WIDTH} units, batch {BATCH}: one activation is "
          f"{x.nbytes / 2**10:.0f} KiB, the weights {sum(W.nbytes for W in Ws) / 2**20:.1f} MiB")
    for name, step in variants.items():
        loss = network(step)
        kept = ac.residual_bytes(loss, Ws, x)
        grads = irax.jit(irax.grad(loss))(Ws, x)
        flat = np.concatenate([np.asarray(g).ravel() for g in grads])
        reference = flat if reference is None else reference
        same = np.allclose(flat, reference, rtol=1e-4, atol=1e-6)
        print(f"  {name:46s} keeps {kept / 2**20:5.2f} MiB for the backward pass "
              f"(same gradient: {same})")


if __name__ == "__main__":
    main()
