"""irax.numpy / irax.lax edge cases, each asserted against JAX itself (the oracle).

Every case runs the same code on `jax.numpy` and `irax.numpy` (values, dtypes,
signed zeros, NaNs) or checks that irax raises JAX's exception type.  Checks are
batched into few jitted functions to keep compiles down.
"""
import jax
import jax.numpy as jjnp
import numpy as np
import pytest

import irax
import irax.nn
import irax.numpy as jnp
from irax import lax

jax.config.update("jax_platforms", "cpu")


@pytest.fixture
def x64():
    irax.config.update("jax_enable_x64", True)
    jax.config.update("jax_enable_x64", True)
    yield
    irax.config.update("jax_enable_x64", False)
    jax.config.update("jax_enable_x64", False)


IRAX = (jnp, lax, irax)
JAX = (jjnp, jax.lax, jax)


def same(got, want, rtol=0.0):
    """Equal shapes, dtypes and values; NaN equals NaN and the signs of zeros and
    infinities must agree; `rtol` allows last-bit differences in finite values."""
    got, want = jax.tree_util.tree_leaves(got), jax.tree_util.tree_leaves(want)
    assert len(got) == len(want)
    for i, (g, w) in enumerate(zip(got, want)):
        g, w = np.asarray(g), np.asarray(w)
        assert (g.shape, g.dtype) == (w.shape, w.dtype), (i, g.shape, g.dtype, w.shape, w.dtype)
        if w.dtype.kind != "f":
            np.testing.assert_array_equal(g, w, err_msg=f"output {i}")
            continue
        np.testing.assert_allclose(g, w, rtol=rtol, atol=0, equal_nan=True, err_msg=f"output {i}")
        exact = ~np.isfinite(w) | (w == 0)
        np.testing.assert_array_equal(g[exact], w[exact], err_msg=f"output {i}")
        np.testing.assert_array_equal(np.signbit(g[exact & ~np.isnan(w)]),
                                      np.signbit(w[exact & ~np.isnan(w)]), err_msg=f"output {i}")


def both(f, *args, rtol=0.0):
    """f(numpy-module, lax-module, transforms-module, *args) under irax and under JAX."""
    same(f(*IRAX, *args), f(*JAX, *args), rtol=rtol)


def raises_like_jax(f, match=None):
    """irax raises (an instance of) the builtin exception class JAX raises, naming the
    caller's line when `match` is None."""
    with pytest.raises(Exception) as jax_err:
        f(*JAX)
    kind = next(c for c in type(jax_err.value).__mro__ if c.__module__ == "builtins")
    with pytest.raises(kind, match=match or r"test_conformance_numpy\.py:\d+"):
        f(*IRAX)


# --------------------------------------------------------------------------
# powers
# --------------------------------------------------------------------------

SPECIAL = np.array([0., -0., 1., -1., 0.5, -0.5, 2., -2., 3., -3., np.inf, -np.inf, np.nan, 1.5,
                    -1.5], np.float32)


def test_float_powers_special_values():
    a, b = (v.ravel() for v in np.meshgrid(SPECIAL, SPECIAL, indexing="ij"))
    both(lambda m, l, t: t.jit(lambda a, b: [m.power(a, b), a ** 0.0, m.power(a, 0.), a ** 1.0,
                                              l.pow(a, b), a ** -1.0, m.float_power(a, b)])(a, b),
         rtol=2e-6)


def test_float64_and_half_powers_special_values(x64):
    a, b = (v.ravel() for v in np.meshgrid(SPECIAL, SPECIAL, indexing="ij"))
    for dt in ("float64", "float16", "bfloat16"):
        both(lambda m, l, t: t.jit(lambda a, b: [m.power(a, b), a ** 0.0])(
            m.asarray(a, dt), m.asarray(b, dt)), rtol=1e-2 if dt != "float64" else 1e-14)


def test_integer_powers():
    base = np.array([0, 1, -1, 2, -2, 3, 7], np.int32)
    both(lambda m, l, t: t.jit(lambda x: [x ** 0, x ** 1, x ** 3,
                                          m.power(x, m.asarray([0, 1, 2, 3, 2, 3, 1])),
                                          m.power(x > 0, 2), m.power(x > 0, x > 1),
                                          l.integer_pow(x, 0), m.square(x > 0),
                                          m.asarray(x, "uint8") ** 2, 2 ** x, x ** 2.0])(base))


def test_power_errors():
    raises_like_jax(lambda m, l, t: m.arange(3) ** -1)
    raises_like_jax(lambda m, l, t: l.integer_pow(m.arange(3.), 1.5))


def test_gradients_of_zero_powers():
    pts = np.array([0., 2., -2., np.inf, 0.5], np.float32)
    both(lambda m, l, t: t.jit(lambda p: [
        t.vmap(t.grad(lambda x: x ** 0.0))(p), t.vmap(t.grad(lambda x: m.power(x, 0.)))(p),
        t.vmap(t.grad(lambda x: x ** 0))(p), t.vmap(t.grad(lambda x: x ** 1.0))(p),
        t.vmap(t.grad(lambda y: m.power(p[1], y)))(p[:3] * 0),
        t.vmap(t.grad(lambda y: m.power(0.0, y)))(p[:3] * 0 + 1)])(pts), rtol=1e-6)


# --------------------------------------------------------------------------
# dynamic_slice / dynamic_update_slice: negative starts count from the end
# --------------------------------------------------------------------------

def test_dynamic_slice_negative_starts():
    def f(m, l, t):
        def g(x, y, i, j):
            return [l.dynamic_slice(x, (-2,), (2,)), l.dynamic_slice(x, (-9,), (2,)),
                    l.dynamic_slice(x, (3,), (2,)), l.dynamic_slice(y, (-1, -3), (2, 2)),
                    l.dynamic_slice(y, (i, j), (2, 2)),
                    l.dynamic_update_slice(x, m.asarray([9, 9]), (-1,)),
                    l.dynamic_update_slice(y, m.ones((2, 2), "int32"), (-2, -1)),
                    l.dynamic_update_slice(y, m.zeros((1, 2), "int32"), (i, j)),
                    t.vmap(lambda k: l.dynamic_slice(x, (k,), (2,)))(m.asarray([-4, -3, -1, 0, 2])),
                    t.vmap(lambda k: l.dynamic_update_slice(x, m.asarray([7]), (k,)))(
                        m.asarray([-4, -1, 0, 2])),
                    t.vmap(lambda r, k: l.dynamic_slice(r, (k,), (2,)))(y, m.asarray([-1, -3, 1])),
                    l.dynamic_index_in_dim(y, -1, 0, keepdims=False)]
        return t.jit(g)(m.arange(1, 5), m.arange(12).reshape(3, 4), -1, -3)
    both(f)


# --------------------------------------------------------------------------
# take / take_along_axis: JAX's modes and fill values
# --------------------------------------------------------------------------

def test_take_modes_and_fill_values():
    idx = np.array([0, 5, -1, -3, -4, 2], np.int32)

    def f(m, l, t):
        def g(xf, xi, i):
            xb, xu = xi > 1, m.asarray(xi, "uint8")
            x2 = m.arange(6.).reshape(2, 3)
            return [m.take(xf, i), m.take(xi, i), m.take(xb, i), m.take(xu, i),
                    m.take(xf, i, mode="clip"), m.take(xf, i, mode="wrap"),
                    m.take(xf, i, mode="fill", fill_value=7), m.take(xi, i, fill_value=-1),
                    m.take(xf, 5), m.take(x2, m.asarray([[5, 7], [-1, 0]])),
                    m.take(x2, i, axis=1), m.take(x2, i[:2], axis=-2, mode="clip"),
                    m.take(xf, i[:0]),
                    m.take_along_axis(x2, m.asarray([[5, -1, 0], [-4, 2, 3]]), axis=1),
                    m.take_along_axis(x2, m.asarray([[5, -1, 0], [-4, 2, 3]]), axis=1, mode="clip"),
                    m.take_along_axis(x2, m.asarray([[5, -1, 0], [-4, 2, 3]]), axis=1, fill_value=-1),
                    m.take_along_axis(x2, m.asarray([[5, -1, 0]]), axis=0),
                    m.take_along_axis(x2, m.asarray([5, -1, 7]), axis=None),
                    m.take_along_axis(x2, m.asarray([[1], [2]]), axis=1),
                    m.take_along_axis(xi, i, axis=0)]
        return t.jit(g)(m.arange(1., 4.), m.arange(1, 4), m.asarray(idx))
    both(f)


def test_take_errors():
    x = np.arange(3.)
    for f in [lambda m, l, t: m.take(m.asarray(x), m.asarray([0]), axis=1),
              lambda m, l, t: m.take(m.asarray(x), m.asarray([0]), axis=-2),
              lambda m, l, t: m.take(m.asarray(x), m.asarray([1.0])),
              lambda m, l, t: m.take(m.asarray(x), m.asarray([1]), mode="raise"),
              lambda m, l, t: m.take(m.asarray(x), m.asarray([1]), mode="foo"),
              lambda m, l, t: m.take(m.zeros((0,)), m.asarray([0, 1])),
              lambda m, l, t: m.take_along_axis(m.ones((2, 3)), m.asarray([[0]]), axis=2),
              lambda m, l, t: m.take_along_axis(m.ones((2, 3)), m.asarray([1]), axis=0),
              lambda m, l, t: m.take_along_axis(m.ones((2, 3)), m.asarray([[1.]]), axis=0),
              lambda m, l, t: m.take_along_axis(m.ones((2, 3)), m.asarray([[1, 2]]), axis=0),
              lambda m, l, t: m.take_along_axis(m.ones((2, 3)), m.asarray([[1]]), axis=0, mode="wrap")]:
        raises_like_jax(f, match=".")


# --------------------------------------------------------------------------
# indexing: float indexers, static out-of-range indices
# --------------------------------------------------------------------------

def test_float_indexers_raise_type_error():
    for f in [lambda m, l, t: m.arange(4)[1.5], lambda m, l, t: m.arange(4)[np.float32(2.9)],
              lambda m, l, t: m.arange(4)[m.asarray([1.5])], lambda m, l, t: m.arange(4)[np.array([1.])],
              lambda m, l, t: m.arange(4).at[1.5].set(0), lambda m, l, t: m.arange(4).at[1.0].get(),
              lambda m, l, t: m.arange(4).at[m.asarray([1.])].add(1),
              lambda m, l, t: m.arange(4)[[0, 1]], lambda m, l, t: m.arange(4).at[[0, 1]].set(9)]:
        raises_like_jax(f)


def test_static_out_of_range_indices_clamp():
    def f(m, l, t):
        def g(x):
            y = x.reshape(2, 5)
            return [x[11], x[-11], x[-12], y[1, 7], y[-3, -9], y[5], x[11:], x[-20:3], y[None, 5],
                    y[..., 7], x[m.asarray([11, -11, -12, -1])], y.at[5].get(), y[:, [0, 9]]]
        return [g(m.arange(10)), t.jit(g)(m.arange(10))]
    both(f)
    raises_like_jax(lambda m, l, t: m.arange(0)[0])


# --------------------------------------------------------------------------
# bool arithmetic and division edge cases
# --------------------------------------------------------------------------

def test_bool_subtract_and_negative_raise():
    t_, f_ = np.array([True, False]), np.array([True, True])
    for f in [lambda m, l, t: m.asarray(t_) - m.asarray(f_), lambda m, l, t: m.subtract(t_, f_),
              lambda m, l, t: -m.asarray(t_), lambda m, l, t: m.negative(t_),
              lambda m, l, t: m.sign(t_), lambda m, l, t: True - m.asarray(t_)]:
        raises_like_jax(f)
    for f in [lambda m, l, t: l.sub(m.asarray(t_), m.asarray(f_)),
              lambda m, l, t: l.add(m.asarray(t_), m.asarray(f_)),
              lambda m, l, t: l.mul(m.asarray(t_), m.asarray(f_))]:
        raises_like_jax(f, match="bool|i1")


def test_integer_division_edge_cases():
    a = np.array([5, -5, 0, 7, -7, -2**31, -2**31, 3], np.int32)
    b = np.array([0, 0, 0, -2, 2, -1, 0, 3], np.int32)
    both(lambda m, l, t: t.jit(lambda a, b: [
        a % b, m.remainder(a, b), m.fmod(a, b), m.floor_divide(a, b), a // b, m.mod(a, b),
        m.divmod(a, b), a % 0, a // 0, m.remainder(a > 0, b > 0), m.floor_divide(a > 0, b != 0),
        m.fmod(a > 0, b > 0), m.asarray(a, "uint32") % m.asarray(b, "uint32"),
        m.asarray(a, "uint32") // m.asarray(b, "uint32"), m.asarray(a, "int8") % m.asarray(b, "int8")])(a, b))


def test_float_division_edge_cases():
    a = np.array([-5., 5., -5., 0., np.inf, np.nan, -0., 5., 5.5, -0., 7., -7., np.inf], np.float32)
    b = np.array([np.inf, np.inf, -np.inf, 0., 2., 1., 3., -3., -2., 2., 0., 0.5, -np.inf], np.float32)
    both(lambda m, l, t: t.jit(lambda a, b: [
        m.floor_divide(a, b), a // b, m.remainder(a, b), a % b, m.divmod(a, b), m.fmod(a, b),
        m.floor_divide(a, 2.), m.remainder(2.5, b)])(a, b))


# --------------------------------------------------------------------------
# signatures and argument checks
# --------------------------------------------------------------------------

def test_clip_signature():
    x = np.arange(5.)
    both(lambda m, l, t: [m.clip(x, 1, 3), m.clip(x, min=1.5), m.clip(x, max=2), m.clip(x),
                          m.clip(x, 3, 1), m.clip(m.arange(5), 1.5, 3.5), m.asarray(x).clip(1, 3),
                          m.asarray(x).clip(min=1, max=3)])
    for f in [lambda m, l, t: m.clip(x, min=1.5, a_min=0.), lambda m, l, t: m.clip(x, a_min=1.),
              lambda m, l, t: m.clip(x, a_max=1.), lambda m, l, t: m.clip(a=x, min=1),
              lambda m, l, t: m.clip()]:
        raises_like_jax(f, match=".")


def test_lists_are_not_arrays():
    L = [1., 2., 3.]
    for f in [lambda m, l, t: m.sum(L), lambda m, l, t: m.sum((1, 2)), lambda m, l, t: m.sum(a=L),
              lambda m, l, t: m.add(L, 1.), lambda m, l, t: m.add(m.ones(3), L),
              lambda m, l, t: m.exp(L), lambda m, l, t: m.where(L, 1., 0.),
              lambda m, l, t: m.take(m.ones(3), [0, 1]), lambda m, l, t: m.mean(L),
              lambda m, l, t: m.reshape(L, (3,)), lambda m, l, t: m.clip(L, 0, 1),
              lambda m, l, t: m.concatenate([[1., 2.], [3.]]), lambda m, l, t: m.stack([L, L]),
              lambda m, l, t: m.repeat(m.ones(3), [1, 0, 2]), lambda m, l, t: m.full((3,), L),
              lambda m, l, t: m.dot(m.ones(3), L), lambda m, l, t: m.ones(3).dot(L),
              lambda m, l, t: m.isclose(L, L), lambda m, l, t: m.broadcast_arrays(L, L),
              lambda m, l, t: m.ones(3) + L, lambda m, l, t: L * m.ones(3),
              lambda m, l, t: m.ones(3) == L]:
        raises_like_jax(f, match=".")
    # ... but the sequence arguments of asarray and of the stacking functions are fine
    both(lambda m, l, t: t.jit(lambda: [
        m.asarray(L), m.array([L, L]), m.concatenate((m.ones(2), m.ones(1))),
        m.stack([m.ones(2), m.zeros(2)]), m.roll(m.arange(3), (1,)), m.array_equal(L, L),
        m.sum(np.ones(3)), m.ones(3).at[m.asarray([0, 1])].set([1., 2.])])())


def test_axis_out_of_range_raises():
    x = np.ones((2, 3))
    for f in [lambda m, l, t: m.take(m.asarray(x), m.asarray([0]), axis=2),
              lambda m, l, t: m.sum(x, axis=2), lambda m, l, t: m.concatenate([x, x], axis=2),
              lambda m, l, t: m.flip(x, 3), lambda m, l, t: m.expand_dims(x, 4)]:
        raises_like_jax(f)


# --------------------------------------------------------------------------
# shapes: negative sizes, empty inputs
# --------------------------------------------------------------------------

def test_negative_sizes_raise_jax_errors():
    x = np.arange(3.)
    for f, name in [(lambda m, l, t: m.zeros((-1,)), "zeros"), (lambda m, l, t: m.zeros(-2), "zeros"),
                    (lambda m, l, t: m.ones((2, -1)), "ones"), (lambda m, l, t: m.full((-1,), 1.), "full"),
                    (lambda m, l, t: m.empty((-3,)), "empty"), (lambda m, l, t: m.eye(-1), "eye"),
                    (lambda m, l, t: m.eye(2, -1), "eye"), (lambda m, l, t: m.identity(-1), "identity"),
                    (lambda m, l, t: m.tri(-1), "tri"), (lambda m, l, t: m.repeat(x, -1), "repeat"),
                    (lambda m, l, t: m.broadcast_to(x, (-1, 3)), "broadcast_to"),
                    (lambda m, l, t: m.zeros_like(x, shape=(-1,)), "zeros_like"),
                    (lambda m, l, t: m.full_like(x, 1, shape=(-2,)), "full_like"),
                    (lambda m, l, t: m.zeros((2.5,)), "zeros"), (lambda m, l, t: m.eye(2.5), "eye"),
                    (lambda m, l, t: m.linspace(0, 1, -1), "linspace"),
                    (lambda m, l, t: m.concatenate([]), "concatenate"),
                    (lambda m, l, t: l.broadcast_in_dim(1., (-1,), ()), "broadcast_in_dim")]:
        raises_like_jax(f, match=rf"{name}.*test_conformance_numpy\.py:\d+")
    for f in [lambda m, l, t: m.arange(0, 5, 0), lambda m, l, t: m.arange(0, np.nan),
              lambda m, l, t: m.arange(0, np.inf)]:
        raises_like_jax(f, match=".")
    both(lambda m, l, t: [m.arange(5, 0, -1), m.arange(5, 0), m.arange(-3), m.arange(0, 1, 0.3),
                          m.zeros(np.array([2, 3])), m.zeros((np.int64(2),)), m.zeros((m.asarray(2),))])


def test_empty_reductions_and_pieces():
    E, E2, E3 = np.zeros((0,), np.float32), np.zeros((2, 0), np.float32), np.zeros((0, 3), np.float32)
    both(lambda m, l, t: t.jit(lambda E, E2, E3: [
        m.sum(E2, axis=1), m.sum(E2, axis=0), m.prod(E2, axis=1), m.sum(m.zeros((0, 2), "int32")),
        m.max(E2, axis=0), m.max(E2, axis=1, initial=-5.), m.min(E3, axis=0, initial=5.),
        m.argmax(E2, axis=0), m.mean(E), m.var(E2, axis=1), m.any(E2, axis=1), m.all(E2, axis=1),
        m.cumsum(E2, axis=1), m.take(m.asarray([1., 2.]), m.zeros((0,), "int32")),
        m.take(m.asarray(E3), m.asarray([0]), axis=1),
        m.concatenate([m.asarray([1., 2.]), E, m.asarray([3.])]), m.concatenate([E, E]),
        m.concatenate([m.ones((2, 3)), E3], axis=0), m.stack([E, E]), m.count_nonzero(E),
        m.sort(E), m.matmul(m.ones((2, 0)), m.ones((0, 3))), E[0:0]])(E, E2, E3))
    both(lambda m, l, t: [m.sum(E2, axis=1), m.max(E2, axis=1, initial=-1.)])  # eager too
    for f in [lambda m, l, t: m.max(E2, axis=1), lambda m, l, t: m.argmax(E),
              lambda m, l, t: m.argmax(E2, axis=1), lambda m, l, t: m.argmin(E3, axis=0),
              lambda m, l, t: m.ptp(E), lambda m, l, t: l.argmax(E2, 1, np.int32),
              lambda m, l, t: l.argmin(E3, 0, np.int32)]:
        raises_like_jax(f, match="empty|zero-size|non-empty reduced dimension")


def test_logsumexp_of_empty_is_minus_inf():
    import jax.scipy.special
    E2 = np.zeros((2, 0), np.float32)
    got = irax.jit(lambda a: [irax.nn.logsumexp(a[0]), irax.nn.logsumexp(a, axis=1),
                              irax.nn.logsumexp(a.T, axis=0), irax.nn.logsumexp(a[:, :0] + 1.)])(E2)
    want = [jax.nn.logsumexp(E2[0]), jax.scipy.special.logsumexp(E2, axis=1),
            jax.nn.logsumexp(E2.T, axis=0), jax.nn.logsumexp(E2[:, :0] + 1.)]
    same(got, want)
    got, want = irax.nn.logsumexp(jnp.zeros((0,))), jax.nn.logsumexp(jjnp.zeros((0,)))  # eager
    same(got, want, rtol=1e-6)


# --------------------------------------------------------------------------
# uint16 / uint64
# --------------------------------------------------------------------------

def _unsigned_cases(m, l, t):
    u64 = m.asarray(np.array([1, 2**63 + 5, 2**64 - 1], np.uint64))
    u16 = m.asarray(np.array([1, 40000, 65535], np.uint16))
    f = t.jit(lambda u64, u16, f64: [
        u64 + 1, u64 * 2, u64 // 3, u64 % 7, u64 >> 1, u64 > np.uint64(2**63), m.max(u64),
        m.sum(u64), u64.astype(m.float64), u64.astype(m.int64), f64.astype(m.uint64),
        u16 + 1, u16 * 2, m.sum(u16), m.cumsum(u16), u16.astype(m.float32),
        u16[:2] - u16[1:], u16 + m.asarray([1, 2, 3], m.int8), u16 + m.asarray([1, 2, 3], m.uint32),
        m.zeros(2, m.uint64), m.arange(3, dtype=m.uint16), m.full((2,), 2**64 - 1, m.uint64),
        m.where(u64 > 5, u64, 0), m.take(u64, m.asarray([0, 7])), m.take(u16, m.asarray([0, 7])),
        m.argmax(u64), m.sort(u64)])
    return [u64, u16, u64 * 3, f(u64, u16, m.asarray([1.5, 3e19, -1.], m.float64)),
            t.device_put(u64), t.device_put(np.uint16(7))]


def test_uint64_and_uint16_end_to_end(x64):
    both(_unsigned_cases)


def test_uint16_without_x64():
    u16 = np.array([1, 40000, 65535], np.uint16)
    both(lambda m, l, t: t.jit(lambda b: [b + 1, m.sum(b), m.prod(b), b // 7, b.astype("int32"),
                                          b - np.uint16(2)])(m.asarray(u16)))


def test_differential_suite_finds():
    """Differences tests/differential found: zero-size bfloat16 values, softmax over
    an empty axis, gelu keeping bfloat16, jnp.bool."""
    import jax
    import jax.numpy as jjnp
    import ml_dtypes
    e = np.zeros((2, 0), ml_dtypes.bfloat16)
    got = irax.jit(lambda x: x * 2)(e)
    assert got.shape == (2, 0) and got.dtype == ml_dtypes.bfloat16
    z = np.zeros((0,), np.float32)
    for f in ("softmax", "log_softmax"):
        out = getattr(irax.nn, f)(z, axis=0)
        want = getattr(jax.nn, f)(z, axis=0)
        assert out.shape == want.shape and out.dtype == want.dtype
    x = np.linspace(-3, 3, 7).astype(ml_dtypes.bfloat16)
    for approximate in (True, False):
        out = irax.jit(lambda v: irax.nn.gelu(v, approximate=approximate))(x)
        want = jax.jit(lambda v: jax.nn.gelu(v, approximate=approximate))(x)
        assert out.dtype == want.dtype == ml_dtypes.bfloat16
        np.testing.assert_allclose(np.asarray(out, np.float32), np.asarray(want, np.float32),
                                   rtol=1e-2, atol=1e-2)
    assert irax.numpy.bool is jjnp.bool_ or np.dtype(irax.numpy.bool) == np.dtype(jjnp.bool)


def test_var_with_nothing_to_average_is_a_constant_nan():
    """As JAX: NaN where no element remains, with derivative 0 (0/0 gave NaN tangents)."""
    x = np.zeros((4, 0), np.float32)
    y = np.arange(6.0, dtype=np.float32).reshape(2, 3)
    w = np.array([[True, False, False], [False, False, False]])
    got = [irax.jvp(lambda x: jnp.var(x, axis=1), (x,), (x,))[1],
           jnp.var(y, axis=1, where=w), jnp.var(y, axis=1, ddof=3),
           irax.grad(lambda y: jnp.sum(jnp.var(y, axis=1, where=w)))(y)]
    want = [jax.jvp(lambda x: jjnp.var(x, axis=1), (x,), (x,))[1],
            jjnp.var(y, axis=1, where=w), jjnp.var(y, axis=1, ddof=3),
            jax.grad(lambda y: jjnp.sum(jjnp.var(y, axis=1, where=w)))(y)]
    for g, v in zip(got, want):
        np.testing.assert_array_equal(np.asarray(g), np.asarray(v))
