"""irax.scipy.special: jax.scipy.special's real-valued functions.

Arguments are promoted to a common float dtype and broadcast (JAX's
promote_args_inexact), then computed from the lax special functions
(irax.special_math) and irax.numpy.
"""
from __future__ import annotations

import math

import numpy as np

from .. import lax
from .. import nn as _nn
from .. import numpy as jnp
from ..core import user_line
from ..custom_derivatives import custom_jvp
from ..numpy._core import promote_and_broadcast
from ..numpy._ufuncs import _to_float

__all__ = [
    "bernoulli", "beta", "betainc", "betaln", "boxcox", "boxcox1p", "comb", "digamma", "entr",
    "erf", "erfc", "erfinv", "expit", "factorial", "gamma", "gammainc", "gammaincc",
    "gammaln", "gammasgn", "i0", "i0e", "i1", "i1e", "kl_div", "log_ndtr", "log_softmax",
    "loggamma", "logit", "logsumexp", "multigammaln", "ndtr", "ndtri", "poch", "polygamma",
    "rel_entr", "softmax", "xlog1py", "xlogy", "zeta",
]


def _inexact(name, *args):
    """JAX's promote_args_inexact: one float dtype (ints become the default float), broadcast."""
    if len(args) == 1:
        return [_to_float(args[0])]
    out = promote_and_broadcast(*args, op=name)
    return [_to_float(o) for o in out] if out[0].aval.dtype.startswith(("int", "uint", "bool")) \
        else out


def _unary(name, fn):
    def f(x):
        (x,) = _inexact(name, x)
        return fn(x)
    f.__name__ = f.__qualname__ = name
    return f


def _binary(name, fn):
    def f(a, b):
        a, b = _inexact(name, a, b)
        return fn(a, b)
    f.__name__ = f.__qualname__ = name
    return f


gammaln = _unary("gammaln", lax.lgamma)
digamma = _unary("digamma", lax.digamma)
erf = _unary("erf", lax.erf)
erfc = _unary("erfc", lax.erfc)
erfinv = _unary("erfinv", lax.erf_inv)
i0e = _unary("i0e", lax.bessel_i0e)
i1e = _unary("i1e", lax.bessel_i1e)
i0 = _unary("i0", lambda x: jnp.exp(jnp.abs(x)) * lax.bessel_i0e(x))
i1 = _unary("i1", lambda x: jnp.exp(jnp.abs(x)) * lax.bessel_i1e(x))
expit = _unary("expit", lax.logistic)
gammainc = _binary("gammainc", lax.igamma)
gammaincc = _binary("gammaincc", lax.igammac)


def betainc(a, b, x):
    a, b, x = _inexact("betainc", a, b, x)
    return lax.betainc(a, b, x)


@custom_jvp
def _logit(x):
    return jnp.log(x / (1.0 - x))


_logit.defjvps(lambda g, ans, x: g / (x * (1.0 - x)))
logit = _unary("logit", _logit)


def _gammasgn(x):
    floor_x = jnp.floor(x)
    neg = x < 0
    nan = (neg & (x == floor_x)) | jnp.isnan(x)
    minus = (neg & (jnp.remainder(floor_x, 2.0) != 0)) | ((x == 0) & jnp.signbit(x))
    return jnp.where(nan, jnp.nan, jnp.where(minus, -1.0, 1.0)).astype(x.dtype)


gammasgn = _unary("gammasgn", _gammasgn)
gamma = _unary("gamma", lambda x: _gammasgn(x) * jnp.exp(lax.lgamma(x)))
loggamma = _unary("loggamma", lambda x: jnp.where(x > 0, lax.lgamma(x), jnp.nan))


def _algdiv(a, b):
    """log(Gamma(b) / Gamma(a + b)) for b >= 8 (cdflib's algdiv, assuming a <= b)."""
    c = (0.833333333333333e-01, -0.277777777760991e-02, 0.793650666825390e-03,
         -0.595202931351870e-03, 0.837308034031215e-03, -0.165322962780713e-02)
    h = a / b
    x = h / (1.0 + h)
    d = b + (a - 0.5)
    x2 = x * x
    s3 = 1.0 + (x + x2)
    s5 = 1.0 + (x + x2 * s3)
    s7 = 1.0 + (x + x2 * s5)
    s9 = 1.0 + (x + x2 * s7)
    s11 = 1.0 + (x + x2 * s9)
    t = (1.0 / b) ** 2
    w = ((((c[5] * s11 * t + c[4] * s9) * t + c[3] * s7) * t + c[2] * s5) * t
         + c[1] * s3) * t + c[0]
    w = w * (x / b)
    u = d * jnp.log1p(a / b)
    v = a * (jnp.log(b) - 1.0)
    return jnp.where(u <= v, (w - v) - u, (w - u) - v)


def _betaln(a, b):
    # accurate for large arguments, where lgamma(a) + lgamma(b) - lgamma(a+b) cancels
    a, b = jnp.minimum(a, b), jnp.maximum(a, b)
    small_b = lax.lgamma(a) + (lax.lgamma(b) - lax.lgamma(a + b))
    large_b = lax.lgamma(a) + _algdiv(a, b)
    return jnp.where(b < 8, small_b, large_b)


betaln = _binary("betaln", _betaln)
beta = _binary("beta", lambda a, b: _gammasgn(a) * _gammasgn(b) * _gammasgn(a + b)
               * jnp.exp(_betaln(a, b)))


def factorial(n, exact=False):
    if exact:
        raise NotImplementedError("factorial with exact=True (as in JAX: only floats)")
    (n,) = _inexact("factorial", n)
    return jnp.where(n < 0, 0.0, jnp.exp(lax.lgamma(n + 1.0)))


def comb(N, k, *, repetition=False):
    N, k = _inexact("comb", N, k)
    if repetition:
        return jnp.where((k == 0) & (N >= 0), 1.0, comb(N + k - 1.0, k))
    ok = (k <= N) & (N >= 0) & (k >= 0)
    sn, sk = jnp.where(ok, N, 0.0), jnp.where(ok, k, 0.0)
    out = jnp.exp(lax.lgamma(sn + 1.0) - lax.lgamma(sk + 1.0) - lax.lgamma(sn + 1.0 - sk))
    return jnp.where(ok, out, 0.0)


@custom_jvp
def _poch(z, m):
    return jnp.where(m == 0.0, 1.0, gamma(z + m) / gamma(z)).astype(z.dtype)


def _poch_jvp(primals, tangents):
    z, m = primals
    tz, tm = tangents
    out = _poch(z, m)
    dz = (lax.digamma(z + m) - lax.digamma(z)) * out
    dm = lax.digamma(z + m) * out
    return out, tz * dz + tm * dm


_poch.defjvp(_poch_jvp)
poch = _binary("poch", _poch)


def _xlog_fn(log):
    @custom_jvp
    def f(x, y):
        return jnp.where((x != 0) | jnp.isnan(y), x * log(y), jnp.zeros_like(x))

    def jvp(primals, tangents):
        (x, y), (tx, ty) = primals, tangents
        dlog = 1.0 / y if log is jnp.log else 1.0 / (1.0 + y)
        return f(x, y), tx * log(y) + ty * x * dlog
    f.defjvp(jvp)
    return f


_xlogy = _xlog_fn(jnp.log)
_xlog1py = _xlog_fn(jnp.log1p)
xlogy = _binary("xlogy", _xlogy)
xlog1py = _binary("xlog1py", _xlog1py)


@custom_jvp
def _xlogx(x):
    return _xlogy(x, x)


_xlogx.defjvps(lambda g, ans, x: g * (jnp.log(x) + 1.0))
entr = _unary("entr", lambda x: jnp.where(x < 0, -jnp.inf, -_xlogx(x)))


def _rel_entr(p, q):
    both = (p > 0) & (q > 0)
    one_zero = (p == 0) & (q >= 0)
    sp, sq = jnp.where(both, p, 1.0), jnp.where(both, q, 1.0)
    val = _xlogx(sp) - _xlogy(sp, sq)
    return jnp.where(both, val, jnp.where(one_zero, 0.0, jnp.inf))


rel_entr = _binary("rel_entr", _rel_entr)
kl_div = _binary("kl_div", lambda p, q: _rel_entr(p, q) - p + q)


def boxcox(x, lmbda):
    x, lmbda = _inexact("boxcox", x, lmbda)
    return _boxcox(jnp.log(x), lmbda)


def boxcox1p(x, lmbda):
    x, lmbda = _inexact("boxcox1p", x, lmbda)
    return _boxcox(jnp.log1p(x), lmbda)


def _boxcox(log_x, lmbda):
    zero = lmbda == 0
    safe = jnp.where(zero, 1.0, lmbda)
    return jnp.where(zero, log_x, jnp.expm1(safe * log_x) / safe)


def multigammaln(a, d):
    if not isinstance(d, (int, np.integer)) or isinstance(d, bool):
        raise TypeError(f"multigammaln: d must be a concrete Python int, got {d!r} "
                        f"(at {user_line()})")
    (a,) = _inexact("multigammaln", a)
    d = int(d)
    const = 0.25 * d * (d - 1) * math.log(math.pi)
    b = jnp.arange(d, dtype=a.dtype) / 2.0
    return jnp.sum(lax.lgamma(jnp.expand_dims(a, -1) - b), axis=-1) + const


# ---------------------------------------------------------------- zeta, polygamma

@custom_jvp
def _zeta(x, q):
    return lax.zeta(x, q)


def _zeta_jvp(primals, tangents):
    # no closed form in x: JAX differentiates the Euler-Maclaurin series in both arguments
    from ..ad import jvp
    return jvp(_zeta_series, primals, tangents)


def _zeta_series(s, a):
    """Hurwitz zeta by Johansson's Euler-Maclaurin formula, with N = M = 8 (float32) or
    16 (float64) terms, differentiable in s."""
    n = 8 if a.dtype == np.float32 else 16
    k = jnp.arange(n, dtype=a.dtype)
    big_s = jnp.sum((jnp.expand_dims(a, -1) + k) ** -jnp.expand_dims(s, -1), -1)
    integral = (a + n) ** (1.0 - s) / (s - 1.0)
    t0 = (a + n) ** -s
    m = jnp.arange(2 * n, dtype=a.dtype)
    ratio = (jnp.expand_dims(s, -1) + m) / (jnp.expand_dims(a, -1) + n)
    t1 = jnp.cumprod(ratio, -1)[..., ::2]
    t1 = jnp.minimum(t1, float(np.finfo(np.dtype(str(a.dtype))).max))
    t1 = t1 / np.array(_BERNOULLI_COEFS[:n], dtype=np.dtype(str(a.dtype)))
    return big_s + integral + t0 * (0.5 + jnp.sum(t1, -1))


# (2k)! / B_{2k} for the Bernoulli numbers B_{2k}, k = 1..16
_BERNOULLI_COEFS = tuple(float(math.factorial(2 * k)) / b for k, b in enumerate(
    [1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6, -3617 / 510,
     43867 / 798, -174611 / 330, 854513 / 138, -236364091 / 2730, 8553103 / 6,
     -23749461029 / 870, 8615841276005 / 14322, -7709321041217 / 510], start=1))

_zeta.defjvp(_zeta_jvp)


def zeta(x, q=None):
    if q is None:
        raise NotImplementedError("zeta: the Riemann zeta function (q=None) is not "
                                  "implemented, as in JAX; pass q for the Hurwitz zeta function")
    x, q = _inexact("zeta", x, q)
    return _zeta(x, q)


def polygamma(n, x):
    n = jnp.asarray(n)
    if not str(n.dtype).startswith(("int", "uint")):
        raise ValueError(f"Argument `n` to polygamma must be of integer type. Got dtype "
                         f"{n.dtype}. (at {user_line()})")
    n, x = _inexact("polygamma", n, x)
    return lax.polygamma(n, x)


def bernoulli(n):
    """The Bernoulli numbers B_0 .. B_n (B_1 = -1/2), as a float array."""
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool):
        raise TypeError(f"bernoulli: n must be a concrete int, got {n!r} (at {user_line()})")
    n = int(n)
    if n < 0:
        raise ValueError(f"n must be a non-negative integer, got {n} (at {user_line()})")
    from fractions import Fraction
    b = [Fraction(1)]
    for m in range(1, n + 1):
        b.append(-sum(math.comb(m + 1, k) * b[k] for k in range(m)) / (m + 1))
    return jnp.asarray(np.array([float(v) for v in b], dtype=np.float64).astype(
        np.dtype(str(jnp.zeros(()).dtype))))


# ---------------------------------------------------------------- normal distribution

def _float_only(name, x):
    x = jnp.asarray(x)
    if str(x.dtype) not in ("float32", "float64"):
        raise TypeError(f"x.dtype={x.dtype} is not supported, see docstring for supported "
                        f"types. ({name}, at {user_line()})")
    return x


def _ndtr(x):
    half_sqrt2 = 0.5 * math.sqrt(2.0)
    w = x * half_sqrt2
    z = jnp.abs(w)
    y = jnp.where(z < half_sqrt2, 1.0 + lax.erf(w),
                  jnp.where(w > 0, 2.0 - lax.erfc(z), lax.erfc(z)))
    return 0.5 * y


def ndtr(x):
    return _ndtr(_float_only("ndtr", x))


_NDTRI_P0 = (-5.99633501014107895267E1, 9.80010754185999661536E1, -5.66762857469070293439E1,
             1.39312609387279679503E1, -1.23916583867381258016E0)
_NDTRI_Q0 = (1.0, 1.95448858338141759834E0, 4.67627912898881538453E0, 8.63602421390890590575E1,
             -2.25462687854119370527E2, 2.00260212380060660359E2, -8.20372256168333339912E1,
             1.59056225126211695515E1, -1.18331621121330003142E0)
_NDTRI_P1 = (4.05544892305962419923E0, 3.15251094599893866154E1, 5.71628192246421288162E1,
             4.40805073893200834700E1, 1.46849561928858024014E1, 2.18663306850790267539E0,
             -1.40256079171354495875E-1, -3.50424626827848203418E-2, -8.57456785154685413611E-4)
_NDTRI_Q1 = (1.0, 1.57799883256466749731E1, 4.53907635128879210584E1, 4.13172038254672030440E1,
             1.50425385692907503408E1, 2.50464946208309415979E0, -1.42182922854787788574E-1,
             -3.80806407691578277194E-2, -9.33259480895457427372E-4)
_NDTRI_P2 = (3.23774891776946035970E0, 6.91522889068984211695E0, 3.93881025292474443415E0,
             1.33303460815807542389E0, 2.01485389549179081538E-1, 1.23716634817820021358E-2,
             3.01581553508235416007E-4, 2.65806974686737550832E-6, 6.23974539184983293730E-9)
_NDTRI_Q2 = (1.0, 6.02427039364742014255E0, 3.67983563856160859403E0, 1.37702099489081330271E0,
             2.16236993594496635890E-1, 1.34204006088543189037E-2, 3.28014464682127739104E-4,
             2.89247864745380683936E-6, 6.79019408009981274425E-9)


def _polyval(coeffs, x):
    p = jnp.zeros_like(x)
    for c in coeffs:
        p = p * x + c
    return p


def _ndtri(p):
    """Cephes ndtri: a rational approximation near the middle, and in z = sqrt(-2 log p)
    in the tails."""
    e2 = math.exp(-2.0)
    mcp = jnp.where(p > -math.expm1(-2.0), 1.0 - p, p)
    mcp = jnp.where(mcp == 0.0, 0.5, mcp)
    w = mcp - 0.5
    ww = w * w
    big = (w + w * ww * (_polyval(_NDTRI_P0, ww) / _polyval(_NDTRI_Q0, ww))) \
        * -math.sqrt(2.0 * math.pi)
    z = jnp.sqrt(-2.0 * jnp.log(mcp))
    first = z - jnp.log(z) / z
    iz = 1.0 / z
    small = first - _polyval(_NDTRI_P2, iz) / _polyval(_NDTRI_Q2, iz) / z
    other = first - _polyval(_NDTRI_P1, iz) / _polyval(_NDTRI_Q1, iz) / z
    x = jnp.where(mcp > e2, big, jnp.where(z >= 8.0, small, other))
    x = jnp.where(p > 1.0 - e2, x, -x)
    return jnp.where(p == 0.0, -jnp.inf, jnp.where(p == 1.0, jnp.inf, x))


def ndtri(p):
    return _ndtri(_float_only("ndtri", p))


_LOG_SQRT_2PI = 0.5 * math.log(2.0 * math.pi)


def _log_ndtr_series(x, order):
    x2 = x * x
    even, odd = jnp.zeros_like(x), jnp.zeros_like(x)
    x2n = x2
    for n in range(1, order + 1):
        y = float(np.prod(np.arange(2 * n - 1, 1, -2))) / x2n
        if n % 2:
            odd = odd + y
        else:
            even = even + y
        x2n = x2n * x2
    return 1.0 + even - odd


def _log_ndtr(x, series_order):
    lower, upper = (-20.0, 8.0) if x.dtype == jnp.float64 else (-10.0, 5.0)
    above = x > upper
    res = _ndtr(jnp.where(above, -x, jnp.maximum(x, lower)))
    xl = jnp.minimum(x, lower)
    low = (-0.5 * (xl * xl) - jnp.log(-xl) - _LOG_SQRT_2PI) \
        + jnp.log(_log_ndtr_series(xl, series_order))
    return jnp.where(above, -res, jnp.where(x > lower, jnp.log(res), low))


_log_ndtr_c = custom_jvp(_log_ndtr, nondiff_argnums=(1,))


def _log_ndtr_jvp(series_order, primals, tangents):
    (x,), (t,) = primals, tangents
    out = _log_ndtr_c(x, series_order)
    return out, t * jnp.exp((-0.5 * (x * x) - _LOG_SQRT_2PI) - out)


_log_ndtr_c.defjvp(_log_ndtr_jvp)


def log_ndtr(x, series_order=3):
    if not isinstance(series_order, int):
        raise TypeError("series_order must be a Python integer.")
    if series_order < 0:
        raise ValueError("series_order must be non-negative.")
    if series_order > 30:
        raise ValueError("series_order must be <= 30.")
    return _log_ndtr_c(_float_only("log_ndtr", x), series_order)


# ---------------------------------------------------------------- reductions

def logsumexp(a, axis=None, b=None, keepdims=False, return_sign=False, where=None):
    """log(sum(b * exp(a))) over `axis`, only where `where` is true (JAX's semantics)."""
    if where is not None:
        a = jnp.where(where, a, -jnp.inf)
    return _nn.logsumexp(a, axis=axis, b=b, keepdims=keepdims, return_sign=return_sign)


def softmax(x, /, *, axis=None):
    return _nn.softmax(x, axis=axis)


def log_softmax(x, /, *, axis=None):
    return _nn.log_softmax(x, axis=axis)
