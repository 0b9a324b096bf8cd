"""End-to-end: trace → irax → linalg → IREE, eager and jit."""
import numpy as np
import pytest

import irax
import irax.numpy as jnp


def test_eager_matches_numpy(rng):
    a = rng.standard_normal((3, 4)).astype(np.float32)
    b = rng.standard_normal((4, 5)).astype(np.float32)
    out = jnp.tanh(jnp.asarray(a) @ jnp.asarray(b)) * 2.0 + 1
    np.testing.assert_allclose(out, np.tanh(a @ b) * 2 + 1, rtol=1e-5, atol=1e-6)


def test_jit_equals_eager(rng):
    def f(x, y):
        return jnp.sum(jnp.exp(x) * y, axis=1) - jnp.max(y)
    x = rng.standard_normal((5, 6)).astype(np.float32)
    y = rng.standard_normal((5, 6)).astype(np.float32)
    np.testing.assert_allclose(irax.jit(f)(x, y), f(jnp.asarray(x), jnp.asarray(y)), rtol=1e-5)


def test_jit_traces_once_per_signature():
    calls = []

    def f(x):
        calls.append(1)
        return x * 2
    g = irax.jit(f)
    g(jnp.ones(3))
    g(jnp.zeros(3))
    assert len(calls) == 1
    g(jnp.ones(4))
    assert len(calls) == 2


def test_make_ir_shows_irax_ops():
    text = str(irax.make_ir(lambda x: jnp.sin(x) + 1.0)(jnp.ones(3)))
    assert '"irax.sin"' in text and '"irax.add"' in text


def test_shape_mismatch_names_op_shapes_and_line():
    with pytest.raises(TypeError, match=r"add: incompatible shapes.*\(3,\), \(4,\).*test_smoke.py:\d+"):
        jnp.ones(3) + jnp.ones(4)


def test_concretization_error_under_jit():
    def f(x):
        if x > 0:
            return x
        return -x
    with pytest.raises(irax.ConcretizationTypeError, match=r"test_smoke.py:\d+.*lax.cond.*static_argnums"):
        irax.jit(f)(1.0)
