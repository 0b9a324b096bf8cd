"""irax.random's distributions beyond uniform/normal, key for key JAX's.

Each sampler follows jax.random's algorithm step by step: the same key
splits in the same order, the same rejection loops (Marsaglia-Tsang for
gamma, Knuth and Hormann's transformed rejection for poisson, inversion and
BTRS for binomial), the same float32 operations in the same order, so the
same key, shape and parameters give JAX's samples.  Where JAX calls log or
log1p, XLA's CPU polynomials (random._xla_log/_xla_log1p) are used; exp and
sqrt already agree bit for bit.  tan and pow are irax's own (a few ulp from
XLA's), so cauchy, weibull_min, generalized_normal, ball and gamma with a < 1
agree to a few ulp; gamma's c = (1/3) / sqrt(d) XLA computes with a
hardware-seeded rsqrt, 1-2 ulp from the quotient, so gamma-based samples agree
to ~1e-5 relative (most bit for bit).
"""
from __future__ import annotations


import numpy as np

from . import dtypes, lax
from . import numpy as jnp
from .api import as_operand
from .core import is_array, user_line
from .custom_derivatives import custom_jvp
from .numpy._creation import _shape
from .random import (_check_key, _compiled, _exponential, _float_dtype, _normal, _split,
                     _uniform, _xla_log, _xla_log1p, bernoulli)
from .vmap import vmap

__all__ = ["ball", "beta", "binomial", "cauchy", "chisquare", "dirichlet",
           "double_sided_maxwell", "f", "gamma", "generalized_normal", "geometric", "laplace",
           "loggamma", "logistic", "lognormal", "maxwell", "multinomial", "multivariate_normal",
           "orthogonal", "pareto", "poisson", "rademacher", "rayleigh", "t", "triangular", "wald",
           "weibull_min"]


# ------------------------------------------------------------------ arguments

def _param_shapes(name, shape, *params):
    """The sample shape: `shape`, which the parameters' shapes must broadcast to, or
    (None) their broadcast shape, as jax.random's _check_broadcast_shapes."""
    shapes = [np.shape(p) if not is_array(p) else p.aval.shape for p in params]
    if shape is None:
        return jnp.broadcast_shapes(*shapes) if shapes else ()
    shape = _shape(shape)
    _check_shape(name, shape, *shapes)
    return shape


def _check_shape(name, shape, *param_shapes):
    if not param_shapes:
        return
    try:
        got = jnp.broadcast_shapes(shape, *param_shapes)
    except (TypeError, ValueError):
        got = None
    if got != shape:
        raise ValueError(f"irax.random.{name}: parameter shapes {list(param_shapes)} must "
                         f"broadcast to the shape argument {shape} (at {user_line()})")


def _param(x, dtype):
    return lax.convert_element_type(as_operand(x), dtype)


def _int_dtype(name, dtype):
    dtype = dtypes.default_int() if dtype is None else dtypes.to_dtype(dtype)
    if not dtypes.issubdtype(dtype, np.integer):
        raise ValueError(f"irax.random.{name}: dtype must be an integer dtype, got {dtype} "
                         f"(at {user_line()})")
    return dtype


def _eps(dtype):
    return float(np.finfo(dtype).eps)


# ------------------------------------------------------------------ simple transforms

def cauchy(key, shape=(), dtype=None):
    """Standard Cauchy floats, tan(pi (u - 1/2))."""
    key = _check_key("cauchy", key)
    return _cauchy(key, _shape(shape), _float_dtype("cauchy", dtype))


@_compiled(1, 2)
def _cauchy(key, shape, dtype):
    u = _uniform(key, shape, dtype, _eps(dtype), 1.0)
    return lax.tan(lax.mul(np.float32(np.pi), lax.sub(u, np.float32(0.5))))


def laplace(key, shape=(), dtype=None):
    """Standard Laplace floats, sign(u) log1p(-|u|) with u uniform in (-1, 1)."""
    key = _check_key("laplace", key)
    return _laplace(key, _shape(shape), _float_dtype("laplace", dtype))


@_compiled(1, 2)
def _laplace(key, shape, dtype):
    u = _uniform(key, shape, dtype, -1.0 + float(np.finfo(dtype).epsneg), 1.0)
    return lax.mul(lax.sign(u), _xla_log1p(lax.neg(lax.abs(u))))


def logistic(key, shape=(), dtype=None):
    """Standard logistic floats, log(u) - log1p(-u)."""
    key = _check_key("logistic", key)
    return _logistic(key, _shape(shape), _float_dtype("logistic", dtype))


@_compiled(1, 2)
def _logistic(key, shape, dtype):
    x = _uniform(key, shape, dtype, float(np.finfo(dtype).tiny), 1.0)
    return lax.sub(_xla_log(x), _xla_log1p(lax.neg(x)))


def rademacher(key, shape=(), dtype=None):
    """-1 or +1 with equal probability (integers by default)."""
    key = _check_key("rademacher", key)
    dtype = dtypes.default_int() if dtype is None else dtypes.to_dtype(dtype)
    return _rademacher(key, _shape(shape), dtype)


@_compiled(1, 2)
def _rademacher(key, shape, dtype):
    b = lax.convert_element_type(bernoulli(key, 0.5, shape), dtype)
    return lax.convert_element_type(2 * b - 1, dtype)


def maxwell(key, shape=(), dtype=None):
    """Maxwell floats: the length of a standard normal 3-vector."""
    key = _check_key("maxwell", key)
    return _maxwell(key, _shape(shape), _float_dtype("maxwell", dtype))


@_compiled(1, 2)
def _maxwell(key, shape, dtype):
    z = _normal(key, shape + (3,), dtype)
    return lax.sqrt(jnp.sum(z * z, axis=-1))


def double_sided_maxwell(key, loc, scale, shape=(), dtype=None):
    """Maxwell floats with a random sign, scaled and shifted.  As JAX's, the parameters'
    broadcast shape is appended to `shape` (and is `shape` when that is empty)."""
    key = _check_key("double_sided_maxwell", key)
    dtype = _float_dtype("double_sided_maxwell", dtype)
    return _double_sided_maxwell(key, as_operand(loc), as_operand(scale), _shape(shape),
                                 dtype)


@_compiled(3, 4)
def _double_sided_maxwell(key, loc, scale, shape, dtype):
    params = jnp.broadcast_shapes(loc.aval.shape, scale.aval.shape)
    shape = (shape or params) + params
    maxwell_key, sign_key = _split(key, (2,))
    m = _maxwell(maxwell_key, shape, dtype)
    sign = _rademacher(sign_key, shape, dtype)
    return sign * m * scale + loc


def weibull_min(key, scale, concentration, shape=(), dtype=None):
    """Weibull floats by the inverse CDF, (-log1p(-u)) ** (1 / concentration) * scale."""
    key = _check_key("weibull_min", key)
    dtype = _float_dtype("weibull_min", dtype)
    inv = 1.0 / _param(concentration, dtype)  # in float32, as JAX's (traced) division
    return _weibull_min(key, as_operand(scale), inv, _shape(shape), dtype)


@_compiled(3, 4)
def _weibull_min(key, scale, inv_concentration, shape, dtype):
    u = _uniform(key, shape, dtype, 0.0, 1.0)
    return jnp.power(lax.neg(_xla_log1p(lax.neg(u))), inv_concentration) * scale


def pareto(key, b, shape=None, dtype=None):
    """Pareto floats of shape `b`, exp(e / b) with e standard exponential."""
    key = _check_key("pareto", key)
    dtype = _float_dtype("pareto", dtype)
    shape = _param_shapes("pareto", shape, b)
    return _pareto(key, _param(b, dtype), shape, dtype)


@_compiled(2, 3)
def _pareto(key, b, shape, dtype):
    return lax.exp(_exponential(key, shape, dtype) / b)


def rayleigh(key, scale, shape=None, dtype=None):
    """Rayleigh floats, scale * sqrt(-2 log u)."""
    key = _check_key("rayleigh", key)
    dtype = _float_dtype("rayleigh", dtype)
    shape = _param_shapes("rayleigh", shape, scale)
    return _rayleigh(key, _param(scale, dtype), shape, dtype)


@_compiled(2, 3)
def _rayleigh(key, scale, shape, dtype):
    u = _uniform(key, shape, dtype, 0.0, 1.0)
    scale = jnp.broadcast_to(scale, shape)
    return lax.mul(scale, lax.sqrt(lax.mul(_xla_log(u), np.float32(-2))))


def wald(key, mean, shape=None, dtype=None):
    """Wald (inverse Gaussian) floats by Michael, Schucany and Haas' transformation."""
    key = _check_key("wald", key)
    dtype = _float_dtype("wald", dtype)
    shape = _param_shapes("wald", shape, mean)
    return _wald(key, _param(mean, dtype), shape, dtype)


@_compiled(2, 3)
def _wald(key, mean, shape, dtype):
    k1, k2 = _split(key, (2,))
    mean = jnp.broadcast_to(mean, shape)
    v = _normal(k1, shape, dtype)
    z = _uniform(k2, shape, dtype, 0.0, 1.0)
    y = lax.integer_pow(v, 2)
    y_sq = lax.integer_pow(y, 2)
    mean_sq = lax.integer_pow(mean, 2)
    sqrt_term = lax.sqrt(4 * mean * y + mean_sq * y_sq)
    x = mean + mean_sq * y / 2 - mean / 2 * sqrt_term
    return lax.select(lax.le(z, mean / (mean + x)), x, mean_sq / x)


def geometric(key, p, shape=None, dtype=None):
    """Geometric integers >= 1: the number of trials up to the first success."""
    key = _check_key("geometric", key)
    dtype = _int_dtype("geometric", dtype)
    shape = _param_shapes("geometric", shape, p)
    p = jnp.asarray(p)
    if not dtypes.issubdtype(p.aval.dtype, np.floating):
        p = p.astype(dtypes.default_float())
    _float_dtype("geometric", p.aval.dtype)
    return _geometric(key, p, shape, dtype)


@_compiled(2, 3)
def _geometric(key, p, shape, dtype):
    u = _uniform(key, shape, p.aval.dtype, 0.0, 1.0)
    u = jnp.where(u == 0, np.float32(1), u)
    log_one_minus_p = jnp.broadcast_to(_xla_log1p(lax.neg(p)), shape)
    g = lax.floor(lax.div(_xla_log(u), log_one_minus_p)) + 1
    return g.astype(dtype)


def triangular(key, left, mode, right, shape=None, dtype=None):
    """Triangular floats on [left, right] peaking at `mode`, by the inverse CDF."""
    key = _check_key("triangular", key)
    dtype = _float_dtype("triangular", dtype)
    shape = _param_shapes("triangular", shape, left, mode, right)
    return _triangular(key, _param(left, dtype), _param(mode, dtype), _param(right, dtype),
                       shape, dtype)


@_compiled(4, 5)
def _triangular(key, left, mode, right, shape, dtype):
    left, mode, right = (jnp.broadcast_to(v, shape) for v in (left, mode, right))
    fc = (mode - left) / (right - left)
    u = _uniform(key, shape, dtype, 0.0, 1.0)
    out1 = left + lax.sqrt(u * (right - left) * (mode - left))
    out2 = right - lax.sqrt((1 - u) * (right - left) * (right - mode))
    return lax.select(u < fc, out1, out2)


def lognormal(key, sigma=np.float32(1), shape=None, dtype=None):
    """Log-normal floats, exp(sigma * z)."""
    key = _check_key("lognormal", key)
    dtype = _float_dtype("lognormal", dtype)
    shape = _param_shapes("lognormal", shape, sigma)
    return _lognormal(key, _param(sigma, dtype), shape, dtype)


@_compiled(2, 3)
def _lognormal(key, sigma, shape, dtype):
    return lax.exp(_normal(key, shape, dtype) * sigma)


# ------------------------------------------------------------------ gamma family

def _gamma_one(key, alpha, log_space):
    """One Gamma(alpha) sample by Marsaglia and Tsang's squeeze-and-reject method, alpha < 1
    boosted to alpha + 1 and scaled by u ** (1 / alpha); its key splits as JAX's."""
    one, zero = np.float32(1), np.float32(0)
    third = np.float32(1.0 / 3.0)
    boost_mask = lax.ge(alpha, one)
    alpha_orig = alpha
    alpha = lax.select(boost_mask, alpha, lax.add(alpha, one))
    d = lax.sub(alpha, third)
    c = lax.div(third, lax.sqrt(d))
    dtype = alpha.aval.dtype

    def rejected(state):
        _, X, V, U = state
        squeeze = lax.ge(U, lax.sub(one, lax.mul(np.float32(0.0331), lax.mul(X, X))))
        bound = lax.add(lax.mul(X, np.float32(0.5)),
                        lax.mul(d, lax.add(lax.sub(one, V), _xla_log(V))))
        return lax.bitwise_and(squeeze, lax.ge(_xla_log(U), bound))

    def propose(state):
        keys = _split(state[0], (3,))

        def next_x(kxv):
            k, sub = _split(kxv[0], (2,))
            x = _normal(sub, (), dtype)
            return k, x, lax.add(one, lax.mul(x, c))
        _, x, v = lax.while_loop(lambda kxv: lax.le(kxv[2], zero), next_x, next_x((keys[1],)))
        U = _uniform(keys[2], (), dtype, 0.0, 1.0)
        return keys[0], lax.mul(x, x), lax.mul(lax.mul(v, v), v), U

    # JAX starts both loops from a state that fails the test (v = -1; U = 2); here the
    # first step is taken before the loop instead, so no test runs on constants.
    key, subkey = _split(key, (2,))
    V = lax.while_loop(rejected, propose, propose((key,)))[2]
    if log_space:
        log_samples = lax.neg(_exponential(subkey, (), dtype))
        log_boost = lax.select(lax.bitwise_or(boost_mask, log_samples == zero), zero,
                               lax.mul(log_samples, lax.div(one, alpha_orig)))
        return lax.add(lax.add(_xla_log(d), _xla_log(V)), log_boost)
    samples = 1 - _uniform(subkey, (), dtype, 0.0, 1.0)
    boost = lax.select(boost_mask, one, lax.pow(samples, lax.div(one, alpha_orig)))
    return lax.mul(lax.mul(d, V), boost)


@_compiled(2)
def _gamma_impl(key, a, log_space):
    """Gamma(a) samples of a's shape: one key per element (split(key, a.size)), each
    element's loop run under vmap, as JAX's random_gamma lowering."""
    keys = _split(key, (a.aval.size,))
    flat = lax.reshape(a, (a.aval.size,))
    samples = vmap(lambda k, x: _gamma_one(k, x, log_space))(keys, flat)
    return lax.reshape(samples, a.aval.shape)


def _gamma_grad(sample, a, log_space):
    """d sample / d a by implicit reparameterisation (lax.random_gamma_grad)."""
    grad_fn = lax.random_gamma_grad
    if log_space:
        # d log(x) = dx / x, with x = exp(log x) kept off 0 as JAX does
        x = lax.exp(sample)
        x = lax.select(x == 0, jnp.full_like(x, np.finfo(x.aval.dtype).tiny), x)
        return grad_fn(a, x) / x
    return grad_fn(a, sample)


def _gamma(key, a, log_space):
    @custom_jvp
    def sample(a):
        return _gamma_impl(key, a, log_space)

    @sample.defjvp
    def sample_jvp(primals, tangents):
        (a,), (t,) = primals, tangents
        out = sample(a)
        return out, t * _gamma_grad(out, a, log_space)
    return sample(a)


def _gamma_args(name, key, a, shape, dtype):
    key = _check_key(name, key)
    dtype = _float_dtype(name, dtype)
    a = _param(a, dtype)
    shape = a.aval.shape if shape is None else _shape(shape)
    _check_shape(name, shape, a.aval.shape)
    if a.aval.shape != shape:
        a = jnp.broadcast_to(a, shape)
    return key, a, shape, dtype


def gamma(key, a, shape=None, dtype=None):
    """Gamma(a) floats (unit scale); differentiable in `a` (implicit reparameterisation)."""
    key, a, _, _ = _gamma_args("gamma", key, a, shape, dtype)
    return _gamma(key, a, False)


def loggamma(key, a, shape=None, dtype=None):
    """log of Gamma(a) floats, computed in log space (accurate for small a)."""
    key, a, _, _ = _gamma_args("loggamma", key, a, shape, dtype)
    return _gamma(key, a, True)


def beta(key, a, b, shape=None, dtype=None):
    """Beta(a, b) floats, from two log-gamma samples."""
    key = _check_key("beta", key)
    dtype = _float_dtype("beta", dtype)
    shape = _param_shapes("beta", shape, a, b)
    key_a, key_b = _split(key, (2,))
    a = jnp.broadcast_to(_param(a, dtype), shape)
    b = jnp.broadcast_to(_param(b, dtype), shape)
    log_a, log_b = _gamma(key_a, a, True), _gamma(key_b, b, True)
    log_max = lax.max(log_a, log_b)
    ga, gb = jnp.exp(log_a - log_max), jnp.exp(log_b - log_max)
    return ga / (ga + gb)


def dirichlet(key, alpha, shape=None, dtype=None):
    """Dirichlet(alpha) float vectors (alpha's last axis), a softmax of log-gamma samples."""
    from .nn import softmax
    key = _check_key("dirichlet", key)
    dtype = _float_dtype("dirichlet", dtype)
    alpha = _param(alpha, dtype)
    if alpha.aval.ndim < 1:
        raise ValueError(f"irax.random.dirichlet: alpha must have at least one dimension, got "
                         f"{alpha.aval.str_short()} (at {user_line()})")
    batch = alpha.aval.shape[:-1]
    shape = batch if shape is None else _shape(shape)
    _check_shape("dirichlet", shape, batch)
    full = shape + alpha.aval.shape[-1:]
    return softmax(_gamma(key, jnp.broadcast_to(alpha, full), True), -1)


def chisquare(key, df, shape=None, dtype=None):
    """Chi-square floats with `df` degrees of freedom, 2 Gamma(df / 2)."""
    key = _check_key("chisquare", key)
    dtype = _float_dtype("chisquare", dtype)
    shape = _param_shapes("chisquare", shape, df)
    return _chisquare(key, _param(df, dtype), shape)


def _chisquare(key, df, shape):
    half = lax.div(df, np.float32(2))
    return lax.mul(jnp.exp(_gamma(key, jnp.broadcast_to(half, shape), True)), np.float32(2))


def f(key, dfnum, dfden, shape=None, dtype=None):
    """F floats, the ratio of two scaled chi-square samples."""
    key = _check_key("f", key)
    dtype = _float_dtype("f", dtype)
    shape = _param_shapes("f", shape, dfnum, dfden)
    dfnum, dfden = _param(dfnum, dtype), _param(dfden, dtype)
    key_dfd, key_dfn = _split(key, (2,))
    num = _chisquare(key_dfn, dfnum, shape) / dfnum
    den = _chisquare(key_dfd, dfden, shape) / dfden
    return num / den


def t(key, df, shape=None, dtype=None):
    """Student's t floats, z sqrt((df / 2) / Gamma(df / 2))."""
    key = _check_key("t", key)
    dtype = _float_dtype("t", dtype)
    shape = _param_shapes("t", shape, df)
    df = _param(df, dtype)
    key_n, key_g = _split(key, (2,))
    n = _normal(key_n, shape, dtype)
    half_df = lax.div(df, np.float32(2))
    g = _gamma(key_g, jnp.broadcast_to(half_df, shape), False)
    return n * jnp.sqrt(half_df / g)


def generalized_normal(key, p, shape=(), dtype=None):
    """Generalized normal floats with exponent p: a random sign times Gamma(1/p) ** (1/p)."""
    key = _check_key("generalized_normal", key)
    dtype = _float_dtype("generalized_normal", dtype)
    return _generalized_normal(key, p, _shape(shape), dtype)


def _generalized_normal(key, p, shape, dtype):
    k1, k2 = _split(key, (2,))
    inv = 1 / _param(p, dtype)  # in float32, as JAX's (traced) division
    g = _gamma(k1, jnp.broadcast_to(inv, shape), False)
    r = _rademacher(k2, shape, dtype)
    return r * g ** inv


def ball(key, d, p=2, shape=(), dtype=None):
    """Points uniform in the d-dimensional unit p-norm ball."""
    key = _check_key("ball", key)
    dtype = _float_dtype("ball", dtype)
    shape = _shape(shape)
    d = int(d)
    k1, k2 = _split(key, (2,))
    g = _generalized_normal(k1, p, (*shape, d), dtype)
    e = _exponential(k2, shape, dtype)
    inv = 1 / _param(p, dtype)
    return g / (((jnp.abs(g) ** p).sum(-1) + e) ** inv)[..., None]


# ------------------------------------------------------------------ counts

def poisson(key, lam, shape=None, dtype=None):
    """Poisson integers: Knuth's product of uniforms for lam < 10, Hormann's transformed
    rejection above, both loops run over the whole array as JAX's."""
    key = _check_key("poisson", key)
    dtype = _int_dtype("poisson", dtype)
    lam = as_operand(lam)
    shape = lam.aval.shape if shape is None else _shape(shape)
    _check_shape("poisson", shape, lam.aval.shape)
    lam = lax.convert_element_type(jnp.broadcast_to(lam, shape), "float32")
    return _poisson(key, lam, dtype)


@_compiled(2)
def _poisson(key, lam, dtype):
    use_knuth = jnp.isnan(lam) | (lam < 10)
    knuth = _poisson_knuth(key, jnp.where(use_knuth, lam, np.float32(0)), dtype)
    rejection = _poisson_rejection(key, jnp.where(use_knuth, np.float32(1e5), lam), dtype)
    result = lax.select(use_knuth, knuth, rejection)
    return lax.select(lam == 0, jnp.zeros_like(result), result)


def _poisson_knuth(key, lam, dtype):
    shape = lam.aval.shape

    def body(carry):
        k, key, log_prod = carry
        key, sub = _split(key, (2,))
        k = lax.select(log_prod > -lam, k + 1, k)
        return k, key, log_prod + _xla_log(_uniform(sub, shape, "float32", 0.0, 1.0))
    init = (jnp.zeros(shape, dtype), key, jnp.zeros(shape, "float32"))
    k = lax.while_loop(lambda c: jnp.any(c[2] > -lam), body, init)[0]
    return (k - 1).astype(dtype)


def _poisson_rejection(key, lam, dtype):
    shape = lam.aval.shape
    log_lam = _xla_log(lam)
    b = 0.931 + 2.53 * lax.sqrt(lam)
    a = -0.059 + 0.02483 * b
    inv_alpha = 1.1239 + 1.1328 / (b - 3.4)
    v_r = 0.9277 - 3.6224 / (b - 2)

    def body(carry):
        k_out, accepted, key = carry
        keys = _split(key, (3,))
        u = _uniform(keys[1], shape, "float32", 0.0, 1.0) - 0.5
        v = _uniform(keys[2], shape, "float32", 0.0, 1.0)
        u_shifted = 0.5 - abs(u)
        k = lax.floor((2 * a / u_shifted + b) * u + lam + 0.43)
        s = _xla_log(v * inv_alpha / (a / (u_shifted * u_shifted) + b))
        t = -lam + k * log_lam - lax.lgamma(k + 1)
        accept1 = (u_shifted >= 0.07) & (v <= v_r)
        reject = (k < 0) | ((u_shifted < 0.013) & (v > u_shifted))
        accept = accept1 | (~reject & (s <= t))
        return lax.select(accept, k, k_out), accepted | accept, keys[0]
    init = (jnp.full(shape, -1.0, "float32"), jnp.zeros(shape, bool), key)
    k = lax.while_loop(lambda c: jnp.any(~c[1]), body, body(init))[0]  # the first always runs
    return k.astype(dtype)


def binomial(key, n, p, shape=None, dtype=None):
    """Binomial(n, p) counts as floats: inversion (a sum of geometric gaps) for n p <= 10,
    Hormann's BTRS rejection above, both loops over the whole array as JAX's."""
    key = _check_key("binomial", key)
    dtype = _float_dtype("binomial", dtype)
    n, p = jnp.asarray(n), jnp.asarray(p)
    shape = _param_shapes("binomial", shape, n, p)
    if not dtypes.issubdtype(p.aval.dtype, np.floating):
        p = p.astype(dtypes.default_float())
    _float_dtype("binomial", p.aval.dtype)
    return _binomial(key, lax.convert_element_type(n, p.aval.dtype), p, shape, dtype)


_STIRLING_TAIL = (0.0810614667953272, 0.0413406959554092, 0.0276779256849983,
                  0.02079067210376509, 0.0166446911898211, 0.0138761288230707,
                  0.0118967099458917, 0.0104112652619720, 0.00925546218271273,
                  0.00833056343336287)  # log k! - Stirling's log k!, k = 0..9


def _stirling_approx_tail(k):
    """log(k!) minus Stirling's approximation: a table for k <= 9, a series above."""
    table = jnp.asarray(np.array(_STIRLING_TAIL, np.float32))
    small = k <= 9
    k = lax.clamp(np.float32(0), k, np.float32(9))
    kp1sq = (k + 1) * (k + 1)
    approx = (1.0 / 12 - (1.0 / 360 - 1.0 / 1260 / kp1sq) / kp1sq) / (k + 1)
    return lax.select(small, jnp.take(table, jnp.floor(k).astype("int32")), approx)


@_compiled(3, 4)
def _binomial(key, count, prob, shape, dtype):
    count = jnp.broadcast_to(count, shape)
    prob = jnp.broadcast_to(prob, shape)
    p_lt_half = prob < 0.5
    q = lax.select(p_lt_half, prob, 1.0 - prob)
    count_nan_or_neg = jnp.isnan(count) | (count < 0.0)
    count_inf = jnp.isinf(count)
    q_is_nan = jnp.isnan(q)
    q_l_0 = q < 0.0
    q = lax.select(q_is_nan | q_l_0, jnp.full_like(q, 0.01), q)
    use_inversion = count_nan_or_neg | (count * q <= 10.0)
    count = jnp.floor(count)
    count_inv = lax.select(use_inversion, count, jnp.zeros_like(count))
    count_btrs = lax.select(use_inversion, jnp.full_like(count, 1e4), count)
    q_btrs = lax.select(use_inversion, jnp.full_like(q, 0.5), q)
    samples = lax.select(use_inversion, _binomial_inversion(key, count_inv, q, dtype),
                         _btrs(key, count_btrs, q_btrs, dtype))
    invalid = q_l_0 | q_is_nan | count_nan_or_neg
    samples = lax.select(invalid, jnp.full_like(samples, np.nan), samples)
    samples = lax.select(count_inf & ~invalid, jnp.full_like(samples, np.inf), samples)
    return lax.select(p_lt_half | count_nan_or_neg | q_is_nan | count_inf, samples,
                      count.astype(dtype) - samples)


def _binomial_inversion(key, count, prob, dtype):
    shape = prob.aval.shape
    log1minusprob = _xla_log1p(-prob)

    def body(carry):
        num_geom, geom_sum, key = carry
        sub, key = _split(key, (2,))
        num_geom = lax.select(geom_sum <= count, num_geom + 1, num_geom)
        u = _uniform(sub, shape, prob.aval.dtype, 0.0, 1.0)
        geom = jnp.ceil(_xla_log(u) / log1minusprob)
        return num_geom, geom_sum + geom, key
    init = (jnp.zeros_like(prob), jnp.zeros_like(prob), key)
    k = lax.while_loop(lambda c: jnp.any(c[1] <= count), body, init)[0]
    return (k - 1).astype(dtype)


def _btrs(key, count, prob, dtype):
    shape = prob.aval.shape
    stddev = jnp.sqrt(count * prob * (1 - prob))
    b = 1.15 + 2.53 * stddev
    a = -0.0873 + 0.0248 * b + 0.01 * prob
    c = count * prob + 0.5
    v_r = 0.92 - 4.2 / b
    r = prob / (1 - prob)
    alpha = (2.83 + 5.1 / b) * stddev
    m = jnp.floor((count + 1) * prob)

    def body(carry):
        k_out, accepted, key = carry
        keys = _split(key, (3,))
        u = _uniform(keys[1], shape, prob.aval.dtype, 0.0, 1.0)
        v = _uniform(keys[2], shape, prob.aval.dtype, 0.0, 1.0)
        u = u - 0.5
        us = 0.5 - jnp.abs(u)
        accept1 = (us >= 0.07) & (v <= v_r)
        k = jnp.floor((2 * a / us + b) * u + c)
        reject = (k < 0) | (k > count)
        v = _xla_log(v * alpha / (a / (us * us) + b))
        ub = ((m + 0.5) * _xla_log((m + 1) / (r * (count - m + 1)))
              + (count + 1) * _xla_log((count - m + 1) / (count - k + 1))
              + (k + 0.5) * _xla_log(r * (count - k + 1) / (k + 1))
              + _stirling_approx_tail(m) + _stirling_approx_tail(count - m)
              - _stirling_approx_tail(k) - _stirling_approx_tail(count - k))
        accept = accept1 | (~reject & (v <= ub))
        return lax.select(accept, k, k_out), accepted | accept, keys[0]
    init = (jnp.full_like(prob, -1), jnp.zeros(shape, bool), key)
    return lax.while_loop(lambda c: jnp.any(~c[1]), body, body(init))[0].astype(dtype)


def multinomial(key, n, p, *, shape=None, dtype=None, unroll=1):
    """Multinomial(n, p) counts along p's last axis, as a scan of conditional binomials."""
    key = _check_key("multinomial", key)
    n, p = jnp.asarray(n), jnp.asarray(p)
    float_dtype = dtypes.default_float()
    n = n if dtypes.issubdtype(n.aval.dtype, np.floating) else n.astype(float_dtype)
    p = p if dtypes.issubdtype(p.aval.dtype, np.floating) else p.astype(float_dtype)
    n = lax.convert_element_type(n, dtypes.result_type((n.aval.dtype, False),
                                                           (p.aval.dtype, False))[0])
    p = lax.convert_element_type(p, n.aval.dtype)
    shape = p.aval.shape if shape is None else _shape(shape)
    if not shape:
        raise ValueError(f"irax.random.multinomial: p must have at least one dimension "
                         f"(at {user_line()})")
    n = jnp.broadcast_to(n, shape[:-1])
    p = jnp.moveaxis(jnp.broadcast_to(p, shape), -1, 0)
    remaining = jnp.flip(jnp.cumsum(jnp.flip(p, 0), 0), 0)
    ratios = p / jnp.where(remaining == 0, np.float32(1), remaining)
    keys = _split(key, (ratios.aval.shape[0],))

    def step(remainder, ratio_key):
        ratio, k = ratio_key
        count = _binomial(k, remainder, jnp.clip(ratio, 0, 1), remainder.aval.shape,
                          remainder.aval.dtype)
        return remainder - count, count
    _, counts = lax.scan(step, n, (ratios, keys), unroll=unroll)
    out_dtype = dtypes.default_float() if dtype is None else dtypes.to_dtype(dtype)
    return jnp.moveaxis(counts, 0, -1).astype(out_dtype)


# ------------------------------------------------------------------ matrices

def multivariate_normal(key, mean, cov, shape=None, dtype=None, method="cholesky"):
    """Normal vectors with mean `mean` (..., n) and covariance `cov` (..., n, n): mean plus
    a factor of cov (Cholesky, or eigh/SVD scaled by root eigenvalues) times a standard
    normal vector."""
    key = _check_key("multivariate_normal", key)
    if method not in ("svd", "eigh", "cholesky"):
        raise ValueError(f"irax.random.multivariate_normal: method must be one of 'svd', "
                         f"'eigh' or 'cholesky', got {method!r} (at {user_line()})")
    mean, cov = jnp.asarray(mean), jnp.asarray(cov)
    float_dtype = dtypes.default_float()
    mean = mean if dtypes.issubdtype(mean.aval.dtype, np.floating) else mean.astype(float_dtype)
    cov = cov if dtypes.issubdtype(cov.aval.dtype, np.floating) else cov.astype(float_dtype)
    common = dtypes.result_type((mean.aval.dtype, False), (cov.aval.dtype, False))[0]
    mean, cov = mean.astype(common), cov.astype(common)
    dtype = _float_dtype("multivariate_normal", mean.aval.dtype if dtype is None else dtype)
    if mean.aval.ndim < 1:
        raise ValueError(f"irax.random.multivariate_normal: mean must have at least one "
                         f"dimension, got {mean.aval.str_short()} (at {user_line()})")
    if cov.aval.ndim < 2:
        raise ValueError(f"irax.random.multivariate_normal: cov must have at least two "
                         f"dimensions, got {cov.aval.str_short()} (at {user_line()})")
    n = mean.aval.shape[-1]
    if cov.aval.shape[-2:] != (n, n):
        raise ValueError(f"irax.random.multivariate_normal: cov must have shape (..., {n}, "
                         f"{n}) for mean {mean.aval.str_short()}, got {cov.aval.str_short()} "
                         f"(at {user_line()})")
    batch = (mean.aval.shape[:-1], cov.aval.shape[:-2])
    shape = jnp.broadcast_shapes(*batch) if shape is None else _shape(shape)
    _check_shape("multivariate_normal", shape, *batch)
    if method == "svd":
        from .numpy._spectral import svd
        u, s_, _ = svd(cov)
        factor = u * jnp.sqrt(s_[..., None, :])
    elif method == "eigh":
        from .numpy._spectral import eigh
        w, v = eigh(cov)
        factor = v * jnp.sqrt(w[..., None, :])
    else:
        from .numpy._factorizations import cholesky
        factor = cholesky(cov)
    z = _normal(key, shape + (n,), dtype)
    return mean + jnp.matmul(factor, z[..., None])[..., 0]


def orthogonal(key, n, shape=(), dtype=None, m=None):
    """Haar-random orthogonal n x m matrices: Q of the QR of a normal matrix, its columns'
    signs fixed by R's diagonal."""
    from .numpy._spectral import qr
    key = _check_key("orthogonal", key)
    dtype = _float_dtype("orthogonal", dtype)
    shape = _shape(shape)
    n = int(n)
    m = n if m is None else int(m)
    z = _normal(key, (*shape, max(n, m), min(n, m)), dtype)
    q, r = qr(z)
    d = jnp.diagonal(r, axis1=-2, axis2=-1)
    x = q * jnp.expand_dims(jnp.sign(d), -2)
    return jnp.swapaxes(x, -1, -2) if n < m else x
