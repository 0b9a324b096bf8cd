"""Every primitive's JVP against central finite differences (float64), and its
VJP against its JVP: <vjp(u), v> == <u, jvp(v)>."""
import zlib

import numpy as np
import pytest

import irax
import irax.numpy as jnp
from irax import lax


@pytest.fixture(scope="module", autouse=True)
def x64():
    irax.config.update("jax_enable_x64", True)
    yield
    irax.config.update("jax_enable_x64", False)


def pos(shape):
    return lambda rng: rng.uniform(0.5, 2.0, shape)


def unit(shape):
    return lambda rng: rng.uniform(-0.9, 0.9, shape)


def normal(shape):
    return lambda rng: rng.standard_normal(shape)


def gt1(shape):
    return lambda rng: rng.uniform(1.2, 3.0, shape)


def distinct(shape):
    """Values with no ties (max/min/sort derivatives are defined)."""
    return lambda rng: rng.permutation(np.prod(shape)).reshape(shape) * 0.37 + rng.uniform(0, .1, shape)


def with_zeros(shape, at):
    """Positive values with exact zeros at the flat indices `at` (products through zeros)."""
    def gen(rng):
        x = rng.uniform(0.5, 2.0, shape)
        x.flat[list(at)] = 0.0
        return x
    return gen


IDX = np.array([[2], [0], [2]], np.int32)

# name -> (function of float arrays, input generators)
CASES = {
    "neg": (lax.neg, [normal((3,))]),
    "exp": (lax.exp, [normal((3,))]),
    "exp2": (lax.exp2, [normal((3,))]),
    "log": (lax.log, [pos((3,))]),
    "log1p": (lax.log1p, [pos((3,))]),
    "expm1": (lax.expm1, [normal((3,))]),
    "tanh": (lax.tanh, [normal((3,))]),
    "logistic": (lax.logistic, [normal((3,))]),
    "sin": (lax.sin, [normal((3,))]),
    "cos": (lax.cos, [normal((3,))]),
    "tan": (lax.tan, [unit((3,))]),
    "asin": (lax.asin, [unit((3,))]),
    "acos": (lax.acos, [unit((3,))]),
    "atan": (lax.atan, [normal((3,))]),
    "sinh": (lax.sinh, [normal((3,))]),
    "cosh": (lax.cosh, [normal((3,))]),
    "asinh": (lax.asinh, [normal((3,))]),
    "acosh": (lax.acosh, [gt1((3,))]),
    "atanh": (lax.atanh, [unit((3,))]),
    "sqrt": (lax.sqrt, [pos((3,))]),
    "rsqrt": (lax.rsqrt, [pos((3,))]),
    "cbrt": (lax.cbrt, [pos((3,))]),
    "erf": (lax.erf, [normal((3,))]),
    "abs": (lax.abs, [pos((3,))]),
    "integer_pow": (lambda x: lax.integer_pow(x, 3), [normal((3,))]),
    "integer_pow_neg": (lambda x: lax.integer_pow(x, -2), [pos((3,))]),
    "add": (lax.add, [normal((3,)), normal((3,))]),
    "sub": (lax.sub, [normal((3,)), normal((3,))]),
    "mul": (lax.mul, [normal((3,)), normal((3,))]),
    "div": (lax.div, [normal((3,)), pos((3,))]),
    "pow": (lax.pow, [pos((3,)), normal((3,))]),
    "max": (lax.max, [distinct((3,)), normal((3,))]),
    "min": (lax.min, [distinct((3,)), normal((3,))]),
    "atan2": (lax.atan2, [normal((3,)), pos((3,))]),
    "rem": (lax.rem, [pos((3,)), lambda rng: np.full((3,), 0.3)]),
    "select": (lambda x, y: lax.select(x > 0, x * 2.0, y), [normal((4,)), normal((4,))]),
    "clamp": (lambda x: lax.clamp(-0.5, x, 0.5), [normal((5,))]),
    "convert": (lambda x: lax.convert_element_type(x, "float32").astype("float64"), [normal((3,))]),
    "broadcast_in_dim": (lambda x: lax.broadcast_in_dim(x, (2, 3, 4), (1, 2)), [normal((3, 1))]),
    "reshape": (lambda x: lax.reshape(x, (3, 2)), [normal((2, 3))]),
    "transpose": (lambda x: lax.transpose(x, (2, 0, 1)), [normal((2, 3, 4))]),
    "rev": (lambda x: lax.rev(x, (1,)), [normal((2, 3))]),
    "reduce_sum": (lambda x: lax.reduce_sum(x, (0, 2)), [normal((2, 3, 4))]),
    "reduce_max": (lambda x: lax.reduce_max(x, (1,)), [distinct((2, 3))]),
    "reduce_min": (lambda x: lax.reduce_min(x, (0,)), [distinct((2, 3))]),
    "reduce_prod": (lambda x: lax.reduce_prod(x, (1,)), [pos((2, 3))]),
    # rows: one zero, two zeros, zeros at both ends
    "reduce_prod_zeros": (lambda x: lax.reduce_prod(x, (1,)), [with_zeros((3, 4), [1, 4, 6, 8, 11])]),
    "reduce_prod_axes_zeros": (lambda x: lax.reduce_prod(x, (0, 2)),
                               [with_zeros((2, 3, 2), [0, 3, 9, 4, 5])]),
    "cumprod_zeros": (lambda x: lax.cumprod(x, axis=1), [with_zeros((3, 5), [2, 6, 8, 10, 14])]),
    "cumprod_rev_zeros": (lambda x: lax.cumprod(x, axis=0, reverse=True),
                          [with_zeros((5, 3), [6, 1, 10, 0, 14])]),
    "cumsum": (lambda x: lax.cumsum(x, axis=1), [normal((2, 4))]),
    "cumsum_rev": (lambda x: lax.cumsum(x, axis=0, reverse=True), [normal((3, 2))]),
    "cumprod": (lambda x: lax.cumprod(x, axis=0), [pos((4,))]),
    "cummax": (lambda x: lax.cummax(x, axis=1), [distinct((2, 5))]),
    "cummin_rev": (lambda x: lax.cummin(x, axis=0, reverse=True), [distinct((5, 2))]),
    "sort": (lambda x: jnp.sort(x, axis=1), [distinct((3, 4))]),
    "sort_keyed": (lambda x, y: lax.sort((x, y), dimension=0, num_keys=1)[1],
                   [distinct((5,)), normal((5,))]),
    "dot_general": (lambda x, y: lax.dot_general(x, y, (((2,), (1,)), ((0,), (0,)))),
                    [normal((2, 3, 4)), normal((2, 4, 5))]),
    "dot_general_odd": (lambda x, y: lax.dot_general(x, y, (((0,), (2,)), ((2,), (0,)))),
                        [normal((4, 3, 2)), normal((2, 5, 4))]),
    "matmul": (lambda x, y: x @ y, [normal((3, 4)), normal((4, 2))]),
    "slice": (lambda x: lax.slice(x, (1, 0), (4, 3), (2, 2)), [normal((5, 4))]),
    "pad": (lambda x, v: lax.pad(x, v, [(1, -1, 1), (0, 2, 0)]), [normal((3, 2)), normal(())]),
    "concatenate": (lambda x, y: lax.concatenate([x, y, x], 1), [normal((2, 2)), normal((2, 3))]),
    "dynamic_slice": (lambda x: lax.dynamic_slice(x, (1, 2), (2, 2)), [normal((4, 4))]),
    "dynamic_update_slice": (lambda x, u: lax.dynamic_update_slice(x, u, (2, 1)),
                             [normal((4, 4)), normal((2, 3))]),
    "gather": (lambda x: x[IDX[:, 0]], [normal((4, 2))]),
    "scatter_add": (lambda x, u: x.at[IDX[:, 0]].add(u), [normal((4, 2)), normal((3, 2))]),
    "scatter_set": (lambda x, u: x.at[np.array([3, 0])].set(u), [normal((4, 2)), normal((2, 2))]),
    "scatter_max": (lambda x, u: x.at[IDX[:, 0]].max(u), [distinct((4, 2)), distinct((3, 2))]),
    "scatter_min": (lambda x, u: x.at[IDX[:, 0]].min(u), [distinct((4, 2)), distinct((3, 2))]),
    "mean_var": (lambda x: jnp.var(x, axis=0) + jnp.mean(x), [normal((4, 3))]),
    "logsumexp": (lambda x: irax.nn.logsumexp(x, axis=1), [normal((2, 5))]),
    "softmax": (lambda x: irax.nn.softmax(x), [normal((2, 5))]),
    "where": (lambda x: jnp.where(x > 0, jnp.sin(x), x ** 2), [normal((6,))]),
    "stop_gradient": (lambda x: x * lax.stop_gradient(x), [normal((3,))]),
}


EPS = 1e-6  # central differences in float64


def _inputs(name, seed=None):
    gens = CASES[name][1]
    rng = np.random.default_rng(zlib.crc32(name.encode()) if seed is None else seed)
    xs = [np.asarray(g(rng), np.float64) for g in gens]
    return xs, [rng.standard_normal(x.shape) for x in xs]


CHUNK = 8  # cases per compiled module: few compiles, each still small enough to compile fast


def _chunked(compute, names):
    """compute(names) for the chunk of `names` holding each name, run once per chunk:
    one compile per CHUNK cases instead of two or three per case on a cold cache."""
    done = {}

    def result(name):
        i = names.index(name) // CHUNK
        if i not in done:
            done[i] = compute(names[i * CHUNK:(i + 1) * CHUNK])
        return done[i][name]
    return result


def _first_order(names):
    """Each case's value, finite-difference points, JVP and VJP, in one module."""
    def all_cases(data):
        out = {}
        for name, (xs, vs) in data.items():
            f = CASES[name][0]
            plus = f(*[x + EPS * v for x, v in zip(xs, vs)])
            minus = f(*[x - EPS * v for x, v in zip(xs, vs)])
            y_jvp, t = irax.jvp(f, tuple(xs), tuple(vs))
            y, pullback = irax.vjp(f, *xs)
            u = 0.7 * y + 0.3  # any cotangent will do; this one is not constant
            out[name] = (f(*xs), plus, minus, y_jvp, t, u, pullback(u))
        return out
    data = {name: _inputs(name) for name in names}
    return {name: (data[name], r) for name, r in irax.jit(all_cases)(data).items()}


@pytest.fixture(scope="module")
def first_order(x64):
    return _chunked(_first_order, sorted(CASES))


@pytest.mark.parametrize("name", sorted(CASES))
def test_jvp_matches_finite_differences_and_vjp_is_its_transpose(name, first_order):
    (xs, vs), results = first_order(name)
    y, plus, minus, y_jvp, t, u, cts = (np.asarray(r) if not isinstance(r, (list, tuple)) else r
                                        for r in results)
    np.testing.assert_allclose(y_jvp, y, rtol=1e-12, atol=1e-12)
    expected = (plus - minus) / (2 * EPS)
    if name == "stop_gradient":
        expected = np.asarray(xs[0]) * vs[0]  # only the unstopped factor contributes
    if name == "convert":
        expected = vs[0]  # finite differences through float32 are too coarse
    np.testing.assert_allclose(t, expected, rtol=1e-5, atol=1e-6)
    lhs = sum(np.vdot(np.asarray(c), v) for c, v in zip(cts, vs))
    tol = 1e-6 if name == "convert" else 1e-9  # convert rounds the tangents to float32
    np.testing.assert_allclose(lhs, np.vdot(u, t), rtol=tol, atol=tol)


SMOOTH = ["exp", "tanh", "sin", "logistic", "log", "sqrt", "mul", "div", "pow", "dot_general",
          "logsumexp", "softmax", "reduce_prod", "cumprod", "erf", "atan"]


def _scalar(name):
    f = CASES[name][0]
    return lambda *a: jnp.sum(jnp.exp(0.3 * f(*a)))


SECOND_EPS = 1e-5


def _second_order(names):
    """For each smooth case: the gradient at x +- eps*v and the forward-over-reverse
    Hessian-vector product at x, in one module."""
    def all_cases(data):
        out = {}
        for name, (xs, v) in data.items():
            g = irax.grad(_scalar(name), argnums=tuple(range(len(xs))))
            hv = irax.jvp(lambda *a: g(*a), tuple(xs), tuple(v))[1]
            out[name] = (hv, g(*[x + SECOND_EPS * d for x, d in zip(xs, v)]),
                         g(*[x - SECOND_EPS * d for x, d in zip(xs, v)]))
        return out
    return irax.jit(all_cases)({name: _inputs(name, seed=7) for name in names})


@pytest.fixture(scope="module")
def second_order(x64):
    return _chunked(_second_order, SMOOTH)


@pytest.mark.parametrize("name", SMOOTH)
def test_second_derivative_matches_finite_differences(name, second_order):
    # d/de <grad(scalar)(x + e v), v>  vs  finite differences of the gradient
    hv, gp, gm = second_order(name)
    for h, a, b in zip(hv, gp, gm):
        np.testing.assert_allclose(h, (np.asarray(a) - np.asarray(b)) / (2 * SECOND_EPS),
                                   rtol=1e-4, atol=1e-5)


PROD_INPUTS = [[2., 0., 3., 5.], [0., 0., 3., 5.], [0., 2., 3., 0.], [2., 4., 3., 5.]]


@pytest.mark.parametrize("x", PROD_INPUTS)
def test_prod_gradient_through_zeros_is_the_product_of_the_others(x):
    x = np.array(x)
    expected = [np.prod(np.delete(x, i)) for i in range(x.size)]
    np.testing.assert_array_equal(irax.jit(irax.grad(lambda v: jnp.prod(v)))(x), expected)


@pytest.mark.parametrize("x", PROD_INPUTS)
def test_cumprod_jacobian_through_zeros(x):
    x = np.array(x)
    n = x.size
    # J[i, j] = prod_{k <= i, k != j} x_k for j <= i
    expected = np.array([[np.prod([x[k] for k in range(i + 1) if k != j]) if j <= i else 0.0
                          for j in range(n)] for i in range(n)])
    f = lambda v: jnp.cumprod(v)
    np.testing.assert_array_equal(irax.jit(irax.jacfwd(f))(x), expected)
    np.testing.assert_array_equal(irax.jit(irax.jacrev(f))(x), expected)
