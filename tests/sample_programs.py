"""A representative sample of irax programs, shared by the Vulkan and CUDA suites.

Each entry: name -> (function, arguments).  The arguments are NumPy arrays
so every backend starts from the same host data.
"""
import numpy as np

import irax
import irax.numpy as jnp
from irax import lax, nn

_rng = np.random.default_rng(42)
A = _rng.standard_normal((4, 5)).astype(np.float32)
B = _rng.standard_normal((5, 3)).astype(np.float32)
V = _rng.standard_normal(6).astype(np.float32)
I = np.array([[3, -1, 7], [0, 5, -2]], np.int32)
IDX = np.array([2, 0, 3], np.int32)


def mlp_loss(params, x, y):
    h = jnp.tanh(x @ params["w1"] + params["b1"])
    logits = h @ params["w2"]
    return -jnp.mean(jnp.sum(nn.log_softmax(logits) * y, axis=-1))


PARAMS = {"w1": _rng.standard_normal((5, 8)).astype(np.float32) * 0.5,
          "b1": np.zeros(8, np.float32),
          "w2": _rng.standard_normal((8, 3)).astype(np.float32) * 0.5}
X = _rng.standard_normal((4, 5)).astype(np.float32)
Y = np.eye(3, dtype=np.float32)[[0, 2, 1, 0]]


def _while(x):
    return lax.while_loop(lambda c: c[0] < 5, lambda c: (c[0] + 1, c[1] * 1.5), (0, x))[1]


def _scan(x):
    return lax.scan(lambda c, v: (c + v, c * v), jnp.zeros(()), x)


PROGRAMS = {
    "elementwise": (lambda x: jnp.where(x > 0, jnp.exp(-x) * jnp.sin(x), jnp.tanh(x) ** 2), (A,)),
    "compare_bool": (lambda x, y: (x > 0.5) & (y < 0.0), (A, -A)),
    "integer_ops": (lambda i: (i * 3 + 1) // 2 - jnp.abs(i) % 3, (I,)),
    "reductions": (lambda x: (x.sum(0), x.max(1), jnp.argmax(x, axis=1), x.mean()), (A,)),
    "matmul": (lambda a, b: a @ b, (A, B)),
    "shapes": (lambda x: jnp.concatenate([x.T.reshape(5, 2, 2), x.T.reshape(5, 2, 2)], 1), (A,)),
    "indexing": (lambda x, i: (x[i], x[1:3, ::2], x.at[0, 1].set(7.0)), (A, IDX)),
    "softmax": (lambda x: nn.softmax(x, axis=-1), (A,)),
    "cumsum": (lambda v: jnp.cumsum(v), (V,)),
    "grad_mlp": (irax.grad(mlp_loss), (PARAMS, X, Y)),
    "vmap_dot": (irax.vmap(lambda a, b: jnp.dot(a, b), in_axes=(0, None)), (A, B)),
    "vmap_of_grad": (irax.vmap(irax.grad(lambda w, x: jnp.sum(jnp.tanh(x @ w))),
                               in_axes=(None, 0)), (B, A.reshape(4, 1, 5))),
    "cond": (lambda x: lax.cond(x.sum() > 0, lambda v: v * 2.0, lambda v: -v, x), (V,)),
    "while_loop": (_while, (V,)),
    "scan": (_scan, (V,)),
}
