"""dot, matmul, einsum, outer, tensordot, vdot, inner against NumPy."""
import numpy as np
import pytest
from conftest import assert_close, rand

import irax
import irax.numpy as jnp

MATMUL_SHAPES = [((3, 4), (4, 5)), ((4,), (4, 5)), ((3, 4), (4,)), ((4,), (4,)),
                 ((2, 3, 4), (4, 5)), ((2, 1, 3, 4), (5, 4, 2)), ((3, 4), (2, 4, 5)),
                 ((1, 3, 4), (2, 4, 5)), ((5,), (2, 5, 3))]


def test_matmul_and_dot_shapes(rng):
    pairs = [(rand(rng, a), rand(rng, b)) for a, b in MATMUL_SHAPES]
    out = irax.jit(lambda ps: [(jnp.matmul(a, b), a @ b) for a, b in ps])(pairs)
    for (a, b), (m, op) in zip(pairs, out):
        assert_close(m, np.matmul(a, b), rtol=1e-5)
        assert_close(op, a @ b, rtol=1e-5)


def test_dot_family(rng):
    a2, b2 = rand(rng, (3, 4)), rand(rng, (4, 5))
    a3, b3 = rand(rng, (2, 3, 4)), rand(rng, (5, 4, 2))
    v, w = rand(rng, (4,)), rand(rng, (4,))
    m = rand(rng, (3, 4))

    def f(a2, b2, a3, b3, v, w, m):
        return (jnp.dot(a2, b2), jnp.dot(a3, b3), jnp.dot(a2, v), jnp.dot(v, w), jnp.dot(2.0, v),
                jnp.vdot(a2, m), jnp.inner(a2, m), jnp.inner(v, w), jnp.outer(v, a2),
                jnp.tensordot(a3, b3, axes=([2, 0], [1, 2])), jnp.tensordot(a2, b2, axes=1),
                jnp.tensordot(a2, m, axes=2), jnp.tensordot(v, w, axes=0))
    out = irax.jit(f)(a2, b2, a3, b3, v, w, m)
    want = (np.dot(a2, b2), np.dot(a3, b3), np.dot(a2, v), np.dot(v, w), np.dot(2.0, v).astype(np.float32),
            np.vdot(a2, m), np.inner(a2, m), np.inner(v, w), np.outer(v, a2),
            np.tensordot(a3, b3, axes=([2, 0], [1, 2])), np.tensordot(a2, b2, axes=1),
            np.tensordot(a2, m, axes=2), np.tensordot(v, w, axes=0))
    for got, w_ in zip(out, want):
        assert_close(got, w_, rtol=1e-5, atol=1e-5)


def test_integer_and_bool_matmul(rng):
    a, b = rand(rng, (3, 4), "int32"), rand(rng, (4, 2), "int32")
    ba, bb = rand(rng, (3, 4), "bool"), rand(rng, (4, 2), "bool")
    out = irax.jit(lambda a, b, ba, bb: (a @ b, jnp.dot(ba.astype(jnp.int32), bb.astype(jnp.int32))))(a, b, ba, bb)
    assert_close(out[0], a @ b)
    assert_close(out[1], ba.astype(np.int32) @ bb.astype(np.int32))


EINSUMS = [
    ("ij,jk->ik", [(3, 4), (4, 5)]),
    ("ij,jk", [(3, 4), (4, 5)]),           # implicit output: 'ik'
    ("ii->i", [(4, 4)]),
    ("ii", [(4, 4)]),                      # trace
    ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]),
    ("i,j->ij", [(3,), (4,)]),
    ("ij->", [(3, 4)]),
    ("ij->ji", [(3, 4)]),
    ("ij->j", [(3, 4)]),
    ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 5)]),
    ("ij,ij->i", [(3, 4), (3, 4)]),
    ("i,i", [(4,), (4,)]),
    ("ba,ca->bc", [(3, 4), (5, 4)]),
    ("...ij,...jk->...ik", [(2, 3, 4), (2, 4, 5)]),
    ("bii->bi", [(2, 3, 3)]),
    ("ijk,kj->i", [(2, 3, 4), (4, 3)]),
    ("ab,bc,ca->", [(2, 3), (3, 4), (4, 2)]),
    ("ij,kl->ijkl", [(2, 3), (4, 5)]),
    ("i,ij,j->", [(3,), (3, 4), (4,)]),
    ("...ij,...jk->...ik", [(1, 3, 4), (2, 4, 5)]),  # broadcast batch
    ("...ij,jk->...ik", [(2, 3, 4), (4, 5)]),
    ("ij,ij->ij", [(3, 1), (1, 4)]),
]


def test_einsum_against_numpy(rng):
    cases = [[rand(rng, s) for s in shapes] for _, shapes in EINSUMS]
    out = irax.jit(lambda cs: [jnp.einsum(spec, *ops) for (spec, _), ops in zip(EINSUMS, cs)])(cases)
    for (spec, _), ops, got in zip(EINSUMS, cases, out):
        want = np.einsum(spec, *ops).astype(np.float32)
        assert_close(got, want, rtol=2e-5, atol=2e-5)


def test_einsum_is_one_dot_general_per_pair(rng):
    text = str(irax.make_ir(lambda a, b, c: jnp.einsum("ij,jk,kl->il", a, b, c))(
        rand(rng, (2, 3)), rand(rng, (3, 4)), rand(rng, (4, 5))))
    assert text.count('"irax.dot_general"') == 2
    assert "scf." not in text
    text = str(irax.make_ir(lambda a, b: jnp.einsum("bij,bjk->bik", a, b))(
        rand(rng, (2, 3, 4)), rand(rng, (2, 4, 5))))
    assert text.count('"irax.dot_general"') == 1 and "lhs_batch = array<i64: 0>" in text


def test_einsum_errors():
    with pytest.raises(ValueError, match="2 subscripts.*1 operands"):
        jnp.einsum("ij,jk->ik", jnp.ones((2, 2)))
    with pytest.raises(ValueError, match="rank"):
        jnp.einsum("ijk->i", jnp.ones((2, 2)))
    with pytest.raises(TypeError, match=r"einsum: label 'j' has size 3.*4.*test_numpy_linalg.py"):
        jnp.einsum("ij,jk->ik", jnp.ones((2, 3)), jnp.ones((4, 2)))


def test_matmul_errors_name_shapes_and_line():
    with pytest.raises(TypeError, match=r"matmul: contracting dimensions differ: shapes \(3, 4\) "
                                        r"and \(5, 2\).*test_numpy_linalg.py:\d+"):
        jnp.ones((3, 4)) @ jnp.ones((5, 2))
    with pytest.raises(TypeError, match="scalar"):
        jnp.matmul(jnp.ones(3), 2.0)


def test_eager_matmul_and_einsum(rng):
    a, b = rand(rng, (3, 4)), rand(rng, (4, 5))
    assert_close(jnp.asarray(a) @ jnp.asarray(b), a @ b, rtol=1e-5)
    assert_close(jnp.einsum("ij,jk->ki", a, b), np.einsum("ij,jk->ki", a, b), rtol=1e-5)
    assert_close(np.asarray(a) @ jnp.asarray(b), a @ b, rtol=1e-5)  # NumPy on the left
