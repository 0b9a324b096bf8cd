"""irax.numpy's array building/editing, index tricks, polynomials, windows, extra ufuncs
and dtype helpers against JAX (values, dtypes, shapes), batched into few compiles."""
import os

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from conftest import assert_close
from test_numpy_more_reductions import compare

import irax
import irax.numpy as inp

I6 = np.arange(6, dtype=np.int32).reshape(2, 3)
F3 = np.array([0.5, -1.0, 2.0], np.float32)

PAD_MODES = [("constant", {"constant_values": ((1, 2), (3, 4))}), ("edge", {}), ("wrap", {}),
             ("mean", {}), ("maximum", {"stat_length": 2}), ("median", {"stat_length": 2}),
             ("linear_ramp", {"end_values": (10, -3)}), ("reflect", {}),
             ("symmetric", {"reflect_type": "odd"}), ("reflect", {"reflect_type": "odd"})]


@pytest.mark.skipif(not os.environ.get("IRAX_SLOW_TESTS"), reason="opt-in sweep")
def test_pad_modes():
    modes = PAD_MODES if os.environ.get("IRAX_SLOW_TESTS") else PAD_MODES[::2] + PAD_MODES[-1:]
    cases = {(mode, repr(kw)): (lambda m, x, f, mode=mode, kw=kw:
                                (m.pad(x, ((2, 3), (4, 1)), mode=mode, **kw),
                                 m.pad(f, (4, 5), mode=mode, **{k: v[0] if k == "constant_values"
                                                                else v for k, v in kw.items()})))
             for mode, kw in modes}
    cases["callable"] = lambda m, x, f: m.pad(x, 1, mode=lambda v, w, ax, kw: v.at[:w[0]].set(-1))
    compare(cases, I6, F3)


def test_building_and_editing():
    cases = {
        "insert": lambda m, x, f: m.insert(x, m.array([2, 0]), m.array([7, 8]), axis=1),
        "put": lambda m, x, f: m.put(x, m.array([1, 2, 3]), m.array([9, 8]), mode="wrap",
                                     inplace=False),
        "select": lambda m, x, f: m.select([f > 0, f < 1], [f, 2 * f], default=-1.0),
        "piecewise": lambda m, x, f: m.piecewise(f, [f < 0, f > 1], [lambda v: v * 10, 5.0,
                                                                     lambda v: -v]),
    }
    compare(cases, I6, F3)


@pytest.mark.skipif(not os.environ.get("IRAX_SLOW_TESTS"), reason="opt-in sweep")
def test_more_building_and_editing():
    cases = {
        "insert": lambda m, x, f: (m.insert(x, 1, m.array([7, 8]), axis=1),
                                   m.insert(x, m.array([2, 0]), m.array([7, 8]), axis=1),
                                   m.insert(x, -1, f, axis=0), m.insert(x, slice(1, 3), 9)),
        "delete": lambda m, x, f: (m.delete(x, np.array([0, 0, -1]), axis=1), m.delete(x, slice(1, 4))),
        "append": lambda m, x, f: (m.append(x, x[:1], axis=0), m.append(x, 7)),
        "resize": lambda m, x, f: m.resize(f, (2, 4)),
        "block": lambda m, x, f: m.block([[x, x[:, :1]], [m.zeros((1, 4), m.int32)]]),
        "stacking": lambda m, x, f: (m.unstack(x, axis=1), m.atleast_3d(f, x), m.concat([f, f]),
                                     m.dsplit(m.ones((2, 2, 4)), 2)),
        "put": lambda m, x, f: (m.put(x, m.array([1, 9]), m.array([-5, -6]), inplace=False),
                                m.put(x, m.array([1, 2, 3]), m.array([9, 8]), mode="wrap",
                                      inplace=False)),
        "put_along": lambda m, x, f: m.put_along_axis(x, m.array([[0], [2]]), 9, axis=1,
                                                      inplace=False),
        "place": lambda m, x, f: m.place(x, x % 2 == 0, m.array([-1, -2]), inplace=False),
        "fill_diagonal": lambda m, x, f: (m.fill_diagonal(m.zeros((4, 3)), f[:2], inplace=False),
                                          m.fill_diagonal(m.zeros((2, 2, 2)), 4.0, inplace=False)),
        "select": lambda m, x, f: m.select([f > 0, f < 1], [f, 2 * f], default=-1.0),
        "piecewise": lambda m, x, f: m.piecewise(f, [f < 0, f > 1], [lambda v: v * 10, 5.0,
                                                                     lambda v: -v]),
        "choose": lambda m, x, f: (m.choose(m.array([0, 1, 5]), [x[0], x[1]], mode="wrap"),
                                   m.choose(m.array([[0, 1, 1]]), [x, -x], mode="clip")),
    }
    compare(cases, I6, F3)


@pytest.mark.skipif(not os.environ.get("IRAX_SLOW_TESTS"), reason="opt-in sweep")
def test_index_tricks():
    cases = {
        "tri": lambda m: (m.tril_indices(3, 1, 4) + m.triu_indices(3, -1)
                          + m.triu_indices_from(m.ones((2, 5))) + m.diag_indices(3, 3)
                          + m.diag_indices_from(m.ones((2, 2)))),
        "grids": lambda m: (m.mgrid[0:3, 0:2], m.mgrid[0:1:3j, 0:2], tuple(m.ogrid[0:3, 0:2]),
                            m.indices((2, 3)), m.indices((2, 3), sparse=True),
                            m.ix_(m.array([0, 1]), m.array([2, 3, 4]))),
        "concat": lambda m: (m.r_[1:4, 0, m.array([7, 8])], m.r_["0,2", m.array([1, 2]), m.array([3, 4])],
                             m.r_[-1:1:5j], m.c_[m.array([1, 2]), m.array([3, 4])]),
        "ravel": lambda m: (m.ravel_multi_index((m.array([1, 5]), m.array([2, -1])), (3, 4), mode="clip"),
                            m.ravel_multi_index((m.array([1, 2]), m.array([2, 1])), (3, 4), mode="wrap",
                                                order="F"),
                            m.unravel_index(m.array([-1, 100, 5]), (3, 4))),
        "mask": lambda m: m.mask_indices(3, m.triu, 1, size=3),
        "windows": lambda m: (m.bartlett(5), m.blackman(6), m.hamming(5), m.hanning(1),
                              m.kaiser(6, 3.0)),
        "creation": lambda m: (m.geomspace(1.0, 1000.0, 4), m.geomspace(-1.0, -100.0, 3, endpoint=False),
                               m.vander(m.array([1, 2, 3])), m.diagflat(m.array([[1, 2], [3, 4]]), 1),
                               m.fromfunction(lambda i, j: i * 2 + j, (2, 3), dtype=m.int32)),
    }
    compare(cases, rtol=1e-5, atol=1e-5)
    assert inp.s_[1:2, ::3] == np.s_[1:2, ::3] and inp.index_exp[2] == (2,)


@pytest.mark.skipif(not os.environ.get("IRAX_SLOW_TESTS"), reason="opt-in sweep")
def test_polynomials():
    xs = np.linspace(0, 1, 8).astype(np.float32)
    cases = {
        "arith": lambda m, p, q, x: (m.polyadd(p, q[:2]), m.polysub(q, p), m.polymul(p, q),
                                     m.polymul(m.array([0, 1, 2]), m.array([3, 4]))),
        "calc": lambda m, p, q, x: (m.polyder(p), m.polyder(m.array([1, 2, 3, 4]), 2),
                                    m.polyint(p), m.polyint(p, m=2, k=m.array([5.0, 6.0]))),
        "div": lambda m, p, q, x: m.polydiv(q, p[:2]),
        "val": lambda m, p, q, x: (m.polyval(p, x), m.polyval(m.array([1, 2, 3]), 2),
                                   m.poly(m.array([1.0, 2.0, 3.0]))),
        "fit": lambda m, p, q, x: m.polyfit(x, 3 * x ** 2 - 2 * x + 0.5, 2),
    }
    compare(cases, F3, np.array([1.0, 3.0, 5.0, 7.0], np.float32), xs, rtol=2e-3, atol=2e-3)


def test_extra_ufuncs():
    x = np.array([0.0, -0.0, 1.5, -3.0, np.inf, -np.inf, np.nan, 3e38], np.float32)
    cases = {
        "float_bits": lambda m, x, i, j: (m.frexp(x), m.modf(x), m.nextafter(x, m.float32(0)),
                                          m.ldexp(x[2:4], m.array([3, -2]))),
        "nan_aware": lambda m, x, i, j: (m.fmax(x, x[::-1]), m.isposinf(x)),
        "int": lambda m, x, i, j: (m.gcd(i, j), m.lcm(i, j), m.bitwise_count(i)),
    }
    compare(cases, x, np.array([12, -18, 0, 7], np.int32), np.array([8, 12, 0, 0], np.int32),
            rtol=1e-5, atol=1e-6)


@pytest.mark.skipif(not os.environ.get("IRAX_SLOW_TESTS"), reason="opt-in sweep")
def test_more_extra_ufuncs():
    x = np.array([0.0, -0.0, 1.5, -3.0, np.inf, -np.inf, np.nan, 3e38], np.float32)
    cases = {
        "bits": lambda m, x, i, j: (m.packbits(i > 0), m.packbits(m.array([[1, 0, 1], [0, 1, 1]]),
                                                                   axis=0, bitorder="little"),
                                    m.unpackbits(m.array([5, 255], m.uint8), count=-3)),
        "aliases": lambda m, x, i, j: (m.acos(x[2:3] / 4), m.atan2(x[2:4], x[3:5]), m.i0(x[:4]),
                                       m.spacing(x[2:]), m.fmin(x, 1.0), m.isneginf(x),
                                       m.bitwise_left_shift(j, 1), m.bitwise_invert(i)),
        "vec": lambda m, x, i, j: (m.vecdot(m.ones((2, 3)), m.arange(3.0)),
                                   m.matvec(m.ones((2, 3, 4)), m.arange(4.0)),
                                   m.vecmat(m.arange(3.0), m.ones((2, 3, 4))),
                                   m.array_equiv(m.ones((2, 3)), m.ones(3))),
    }
    compare(cases, x, np.array([12, -18, 0, 7], np.int32), np.array([8, 12, 0, 0], np.int32),
            rtol=1e-5, atol=1e-6)


@pytest.mark.skipif(not os.environ.get("IRAX_SLOW_TESTS"), reason="opt-in sweep")
def test_functional_vmap_based():
    cases = {
        "vectorize": lambda m, a: (m.vectorize(lambda u, v: u @ v, signature="(n),(n)->()")(a, a[0]),
                                   m.vectorize(lambda u, v: u * 2 + v)(a[:, :1], a[0]),
                                   m.vectorize(lambda u: (u.sum(), u * 2),
                                               signature="(n)->(),(n)")(a)),
        "apply": lambda m, a: (m.apply_along_axis(lambda v: v[::2] * 2, 1, a),
                               m.apply_along_axis(m.sum, 0, a),
                               m.apply_over_axes(m.sum, a.reshape(2, 3, 2), [0, 2])),
    }
    compare(cases, np.arange(12.0, dtype=np.float32).reshape(3, 4))
    g = irax.grad(lambda v: inp.pad(v, 2, mode="reflect").sum() + inp.insert(v, 1, 3.0).prod())(F3)
    w = jax.grad(lambda v: jnp.pad(v, 2, mode="reflect").sum() + jnp.insert(v, 1, 3.0).prod())(F3)
    assert_close(g, np.asarray(w))


def test_dtype_helpers_and_errors():
    assert inp.promote_types(int, float) == jnp.promote_types(int, float)
    assert inp.promote_types(np.int64, np.float32) == jnp.promote_types(np.int64, np.float32)
    assert inp.promote_types(inp.bfloat16, inp.float16) == jnp.promote_types(jnp.bfloat16, jnp.float16)
    for a, b, c in [(np.int32, np.float32, "safe"), (np.float32, np.int32, "same_kind"),
                    (inp.bfloat16, np.float32, "safe")]:
        assert inp.can_cast(a, b, c) == jnp.can_cast(a, b, c)
    for dt, kind in [(np.float32, "real floating"), (inp.bfloat16, "real floating"),
                     (np.int8, ("bool", "signed integer")), (np.uint8, "signed integer"),
                     (np.int8, np.int8), (np.bool_, "numeric")]:
        assert inp.isdtype(dt, kind) == jnp.isdtype(dt, kind), (dt, kind)
    assert inp.einsum_path("ij,jk,kl->il", np.ones((2, 3)), np.ones((3, 4)), np.ones((4, 5)))[0] \
        == jnp.einsum_path("ij,jk,kl->il", np.ones((2, 3)), np.ones((3, 4)), np.ones((4, 5)))[0]
    assert inp.array_str(np.arange(3.0)) == jnp.array_str(np.arange(3.0))
    assert inp.double is np.float64 and inp.int_ is np.int64 and inp.generic is np.generic
    assert inp.euler_gamma == np.euler_gamma and inp.iterable([1]) and not inp.iterable(1)
    with pytest.raises(ValueError, match="inplace=False"):
        inp.put(I6, np.array([0]), 1)
    with pytest.raises(TypeError, match="requires ndarray"):
        inp.pad([1, 2], 1)
    with pytest.raises(ValueError, match="integers"):
        inp.gcd(np.float32(1.0), 2)
    with pytest.raises(irax.ConcretizationTypeError, match="mode='wrap'"):
        irax.jit(lambda i: inp.choose(i, [F3, F3]))(np.array([0, 1, 0], np.int32))
    assert_close(inp.trim_zeros(np.array([0, 0, 1, 2, 0], np.int32), "b"),
                 np.asarray(jnp.trim_zeros(np.array([0, 0, 1, 2, 0], np.int32), "b")))
