"""The jax.nn functions added with the scipy work, against JAX."""
import jax
import jax.nn as jnn
import numpy as np
import pytest

import irax
import irax.nn as inn

F32 = np.float32


def _close(got, want, rtol=1e-5, atol=1e-6):
    for g, w in zip(jax.tree_util.tree_leaves(got), jax.tree_util.tree_leaves(want)):
        g, w = np.asarray(g), np.asarray(w)
        assert g.dtype == w.dtype and g.shape == w.shape, (g.dtype, w.dtype, g.shape, w.shape)
        np.testing.assert_allclose(g, w, rtol=rtol, atol=atol, equal_nan=True)


def test_activations_and_their_grads(rng):
    x = np.concatenate([rng.uniform(-6, 6, 40), [0, 1, -1, 1e-3, np.inf, -np.inf, np.nan]])
    x = x.astype(F32)
    names = ["identity", "log1mexp", "mish", "soft_sign", "sparse_plus", "sparse_sigmoid",
             "squareplus"]
    g = x[np.isfinite(x) & (np.abs(np.abs(x) - 1) > 1e-2) & (x > 0.01)]

    def f(nn, grad, vmap, x, g):
        out = {n: getattr(nn, n)(x) for n in names}
        out["squareplus_b"] = nn.squareplus(x, 0.5)
        out["glu"] = nn.glu(x[:40].reshape(4, 10))
        out["glu0"] = nn.glu(x[:40].reshape(4, 10), axis=0)
        out["logmeanexp"] = nn.logmeanexp(x[:40].reshape(4, 10), axis=1,
                                          where=x[:40].reshape(4, 10) > 0)
        out["logmeanexp_all"] = nn.logmeanexp(x[:40].reshape(4, 10))
        out.update({"d_" + n: vmap(grad(getattr(nn, n)))(g) for n in names})
        return out
    got = irax.jit(lambda x, g: f(inn, irax.grad, irax.vmap, x, g))(x, g)
    want = jax.jit(lambda x, g: f(jnn, jax.grad, jax.vmap, x, g))(x, g)
    for k in want:
        _close(got[k], want[k])


def test_dot_product_attention(rng):
    q = rng.standard_normal((2, 5, 4, 8)).astype(F32)
    k = rng.standard_normal((2, 6, 2, 8)).astype(F32)
    v = rng.standard_normal((2, 6, 2, 8)).astype(F32)
    bias = rng.standard_normal((2, 1, 5, 6)).astype(F32)
    mask = rng.uniform(size=(2, 4, 5, 6)) > 0.3
    lens = dict(query_seq_lengths=np.array([4, 2], np.int32),
                key_value_seq_lengths=np.array([3, 5], np.int32))

    def f(nn, q, k, v, bias, mask):
        return [nn.dot_product_attention(q, k, v, bias, mask, is_causal=True),
                nn.dot_product_attention(q, k, v, scale=0.3, local_window_size=(1, 2), **lens),
                nn.dot_product_attention(q, k[:, :, :1], v[:, :, :1], return_residual=True)]
    got = irax.jit(lambda *a: f(inn, *a))(q, k, v, bias, mask)
    want = jax.jit(lambda *a: f(jnn, *a))(q, k, v, bias, mask)
    _close(got, want, rtol=2e-5, atol=2e-6)
    dq = irax.grad(lambda q: inn.dot_product_attention(q, k, v, is_causal=True).sum())(q)
    _close(dq, jax.grad(lambda q: jnn.dot_product_attention(q, k, v, is_causal=True).sum())(q),
           rtol=1e-4, atol=1e-5)


def test_dot_product_attention_errors():
    q = np.ones((1, 2, 3, 4), F32)
    with pytest.raises(ValueError, match="multiple of key/value heads"):
        inn.dot_product_attention(q, np.ones((1, 2, 2, 4), F32), np.ones((1, 2, 2, 4), F32))
    with pytest.raises(ValueError, match="mask dtype"):
        inn.dot_product_attention(q, q, q, mask=np.ones((1, 1, 2, 2), F32))
    with pytest.raises(ValueError, match="Unsupported implementation"):
        inn.dot_product_attention(q, q, q, implementation="pallas")
    with pytest.raises(ValueError, match="divisible by 2"):
        inn.glu(np.ones(3, F32))
