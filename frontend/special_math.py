"""The special functions of `jax.lax` (lgamma, digamma, igamma, erf_inv, ...).

Each is a composition of existing elementwise irax ops, following the
algorithms XLA uses for JAX (Lanczos for lgamma/digamma, Euler-Maclaurin for
zeta, Giles for erf_inv, Cephes for erfc and the Bessel functions, series and
continued fractions in a `while_loop` for the incomplete gamma and beta
functions), so values agree with JAX to a few ulp.  Derivatives are JAX's
formulas (`custom_jvp`): differentiating the approximations themselves would be
less accurate, and a while_loop has no reverse mode.  float16/bfloat16 compute
in float32, as in XLA.
"""
from __future__ import annotations

import math

import numpy as np

from irax.dialects.types import FLOATS

from . import dtypes
from . import lax
from . import numpy as jnp
from .core import user_line
from .custom_derivatives import custom_jvp



def _where(c, a, b):  # irax.numpy imports lax, which imports this module: bind at call time
    return jnp.where(c, a, b)


def _operands(name, *args):
    """Same-dtype float operands (Python scalars weakly typed, as lax does)."""
    ops = lax._coerce_scalars(args)
    dts = {o.aval.dtype for o in ops}
    if len(dts) != 1 or next(iter(dts)) not in FLOATS:
        kinds = ", ".join(o.aval.str_short() for o in ops)
        raise TypeError(f"{name} requires floating-point operands of one dtype, got {kinds} "
                        f"(at {user_line()})")
    shapes = {o.aval.shape for o in ops}
    if len(shapes) != 1:
        kinds = ", ".join(o.aval.str_short() for o in ops)
        raise TypeError(f"{name}: operands must have equal shapes, got {kinds} "
                        f"(at {user_line()})")
    return ops


def _upcast(impl):
    """Run `impl` in float32 for narrower floats, as XLA does."""
    def f(*args):
        dt = args[0].aval.dtype
        if dt in ("float16", "bfloat16"):
            out = impl(*[lax.convert_element_type(a, "float32") for a in args])
            return lax.convert_element_type(out, dt)
        return impl(*args)
    return f


def _is64(x):
    return x.aval.dtype == "float64"


def _horner(x, coeffs):
    p = jnp.full_like(x, coeffs[0])
    for c in coeffs[1:]:
        p = p * x + c
    return p


def _chebyshev(x, coeffs):
    b0 = b1 = b2 = jnp.zeros_like(x)
    for c in coeffs:
        b2, b1 = b1, b0
        b0 = x * b1 - b2 + c
    return 0.5 * (b0 - b2)


def _finfo(x):
    return np.finfo(dtypes.np_dtype(x.aval.dtype))


# ---------------------------------------------------------------- lgamma, digamma

_LANCZOS_G = 7.0
_LANCZOS_BASE = 0.99999999999980993227684700473478
_LANCZOS = (676.520368121885098567009190444019, -1259.13921672240287047156078755283,
            771.3234287776530788486528258894, -176.61502916214059906584551354,
            12.507343278686904814458936853, -0.13857109526572011689554707,
            9.984369578019570859563e-6, 1.50563273514931155834e-7)


def _lanczos_z(x):
    """z = -x where the reflection formula is used (x < 1/2), else x - 1."""
    reflect = x < 0.5
    return reflect, _where(reflect, -x, x - 1.0)


def _log_t(z):
    # log(g + 1/2 + z), as log(g + 1/2) + log1p(z / (g + 1/2)) (accurate for small z)
    return math.log(_LANCZOS_G + 0.5) + jnp.log1p(z / (_LANCZOS_G + 0.5))


@_upcast
def _lgamma(x):
    reflect, z = _lanczos_z(x)
    a = _LANCZOS_BASE
    for i, c in enumerate(_LANCZOS):
        a = a + c / (z + float(i + 1))
    t = z + (_LANCZOS_G + 0.5)
    log_t = _log_t(z)
    # (z + 1/2) log t - t, computed so that t itself cannot overflow the product
    r = (z + 0.5 - t / log_t) * log_t
    lg = ((math.log(2) + math.log(math.pi)) / 2 + r) + jnp.log(a)
    # reflection: lgamma(x) = log(pi) - log|sin(pi x)| - lgamma(1 - x), with sin taken
    # on the fractional part folded into [0, 1/2] (exact zeros at the integers)
    ax = jnp.abs(x)
    frac = ax - jnp.floor(ax)
    frac = _where(0.5 < frac, 1.0 - frac, frac)
    denom = jnp.log(jnp.sin(math.pi * frac))
    refl = _where(jnp.isfinite(denom), (math.log(math.pi) - denom) - lg, -denom)
    lg = _where(reflect, refl, lg)
    return _where(jnp.isinf(x), jnp.inf, lg)


@_upcast
def _digamma(x):
    reflect, z = _lanczos_z(x)
    a, da = _LANCZOS_BASE, 0.0
    for i, c in enumerate(_LANCZOS):
        zi = z + float(i + 1)
        da = da - c / (zi * zi)
        a = a + c / zi
    t = z + (_LANCZOS_G + 0.5)
    dg = (_log_t(z) + da / a) - _LANCZOS_G / t
    # reflection: digamma(x) = digamma(1 - x) - pi cot(pi x), x moved into [-1/2, 1/2]
    reduced = x + jnp.abs(jnp.floor(x + 0.5))
    px = math.pi * reduced
    refl = dg - (math.pi * jnp.cos(px)) / jnp.sin(px)
    dg = _where(reflect, refl, dg)
    return _where((x <= 0) & (x == jnp.floor(x)), jnp.nan, dg)


# ---------------------------------------------------------------- zeta, polygamma

_ZETA_TERMS = (-7.1661652561756670113e18, 1.8152105401943546773e17,
               -4.5979787224074726105e15, 1.1646782814350067249e14,
               -2.950130727918164224e12, 7.47242496e10, -1.8924375803183791606e9,
               47900160.0, -1209600.0, 30240.0, -720.0, 12.0)


@_upcast
def _zeta(x, q):
    """Hurwitz zeta: 9 direct terms, then a 12-term Euler-Maclaurin tail (Johansson)."""
    acc = q
    power_sum = q ** (-x)
    for _ in range(9):
        acc = acc + 1.0
        power_sum = power_sum + acc ** (-x)
    acc = acc + 1.0
    q_neg_power = acc ** (-x)
    correction = (q_neg_power * acc) / (x - 1.0)
    inv_acc2 = 1.0 / (acc * acc)
    horner = jnp.zeros_like(q)
    n = 2 * len(_ZETA_TERMS) - 1
    for i in range(len(_ZETA_TERMS) - 1):
        factor = (x + float(n - 1 - 2 * i)) * (x + float(n - 2 - 2 * i))
        horner = factor * (inv_acc2 * (horner + 1.0 / _ZETA_TERMS[i]))
    tail = q_neg_power * (0.5 + (x / acc) * (1.0 / _ZETA_TERMS[-1] + horner))
    accurate = (power_sum + correction) + tail
    tiny = float(_finfo(q).smallest_subnormal)
    out = _where(jnp.abs(q_neg_power) < jnp.abs(power_sum) * tiny, power_sum, accurate)
    out = _where(x < 1.0, jnp.nan, out)
    q_le_0 = q <= 0.0
    x_int = x == jnp.floor(x)
    out = _where(q_le_0 & ~x_int, jnp.nan, out)
    even_int = x_int & (lax.rem(x, jnp.full_like(x, 2.0)) == 0.0)
    out = _where(q_le_0 & (q == jnp.floor(q)), _where(even_int, jnp.inf, jnp.nan), out)
    return _where(x == 1.0, jnp.inf, out)


@_upcast
def _polygamma(n, x):
    sign = 2.0 * lax.rem(n, jnp.full_like(n, 2.0)) - 1.0
    np1 = n + 1.0
    out = (sign * jnp.exp(_lgamma(np1))) * _zeta(np1, x)
    out = _where(n == 0.0, _digamma(x), out)
    return _where((n != jnp.floor(n)) | (n < 0.0), jnp.nan, out)


# ---------------------------------------------------------------- erf_inv, erfc

_ERFINV32_LT5 = (2.81022636e-08, 3.43273939e-07, -3.5233877e-06, -4.39150654e-06,
                 0.00021858087, -0.00125372503, -0.00417768164, 0.246640727, 1.50140941)
_ERFINV32_GE5 = (-0.000200214257, 0.000100950558, 0.00134934322, -0.00367342844,
                 0.00573950773, -0.0076224613, 0.00943887047, 1.00167406, 2.83297682)
_ERFINV64_LT625 = (
    -3.6444120640178196996e-21, -1.685059138182016589e-19, 1.2858480715256400167e-18,
    1.115787767802518096e-17, -1.333171662854620906e-16, 2.0972767875968561637e-17,
    6.6376381343583238325e-15, -4.0545662729752068639e-14, -8.1519341976054721522e-14,
    2.6335093153082322977e-12, -1.2975133253453532498e-11, -5.4154120542946279317e-11,
    1.051212273321532285e-09, -4.1126339803469836976e-09, -2.9070369957882005086e-08,
    4.2347877827932403518e-07, -1.3654692000834678645e-06, -1.3882523362786468719e-05,
    0.0001867342080340571352, -0.00074070253416626697512, -0.0060336708714301490533,
    0.24015818242558961693, 1.6536545626831027356)
_ERFINV64_LT16 = (
    2.2137376921775787049e-09, 9.0756561938885390979e-08, -2.7517406297064545428e-07,
    1.8239629214389227755e-08, 1.5027403968909827627e-06, -4.013867526981545969e-06,
    2.9234449089955446044e-06, 1.2475304481671778723e-05, -4.7318229009055733981e-05,
    6.8284851459573175448e-05, 2.4031110387097893999e-05, -0.0003550375203628474796,
    0.00095328937973738049703, -0.0016882755560235047313, 0.0024914420961078508066,
    -0.0037512085075692412107, 0.005370914553590063617, 1.0052589676941592334,
    3.0838856104922207635)
_ERFINV64_GE16 = (
    -2.7109920616438573243e-11, -2.5556418169965252055e-10, 1.5076572693500548083e-09,
    -3.7894654401267369937e-09, 7.6157012080783393804e-09, -1.4960026627149240478e-08,
    2.9147953450901080826e-08, -6.7711997758452339498e-08, 2.2900482228026654717e-07,
    -9.9298272942317002539e-07, 4.5260625972231537039e-06, -1.9681778105531670567e-05,
    7.5995277030017761139e-05, -0.00021503011930044477347, -0.00013871931833623122026,
    1.0103004648645343977, 4.8499064014085844221)


@_upcast
def _erf_inv(x):
    w = -jnp.log1p(x * -x)
    if _is64(x):
        lt625, lt16 = w < 6.25, w < 16.0
        w = _where(lt625, w - 3.125, jnp.sqrt(w) - _where(lt16, 3.25, 5.0))
        p = _where(lt625, _horner(w, _ERFINV64_LT625),
                   _where(lt16, _horner(w, _ERFINV64_LT16), _horner(w, _ERFINV64_GE16)))
    else:
        lt5 = w < 5.0
        w = _where(lt5, w - 2.5, jnp.sqrt(w) - 3.0)
        p = _where(lt5, _horner(w, _ERFINV32_LT5), _horner(w, _ERFINV32_GE5))
    return _where(jnp.abs(x) == 1.0, x * jnp.inf, p * x)


_ERFC32_P = (2.326819970068386e-2, -1.387039388740657e-1, 3.687424674597105e-1,
             -5.824733027278666e-1, 6.210004621745983e-1, -4.944515323274145e-1,
             3.404879937665872e-1, -2.741127028184656e-1, 5.638259427386472e-1)
_ERFC32_R = (-1.047766399936249e+1, 1.297719955372516e+1, -7.495518717768503e+0,
             2.921019019210786e+0, -1.015265279202700e+0, 4.218463358204948e-1,
             -2.820767439740514e-1, 5.641895067754075e-1)
_ERF32_T = (7.853861353153693e-5, -8.010193625184903e-4, 5.188327685732524e-3,
            -2.685381193529856e-2, 1.128358514861418e-1, -3.761262582423300e-1,
            1.128379165726710e+0)
_ERFC64_P = (2.46196981473530512524e-10, 5.64189564831068821977e-1, 7.46321056442269912687e0,
             4.86371970985681366614e1, 1.96520832956077098242e2, 5.26445194995477358631e2,
             9.34528527171957607540e2, 1.02755188689515710272e3, 5.57535335369399327526e2)
_ERFC64_Q = (1.0, 1.32281951154744992508e1, 8.67072140885989742329e1,
             3.54937778887819891062e2, 9.75708501743205489753e2, 1.82390916687909736289e3,
             2.24633760818710981792e3, 1.65666309194161350182e3, 5.57535340817727675546e2)
_ERFC64_R = (5.64189583547755073984e-1, 1.27536670759978104416e0, 5.01905042251180477414e0,
             6.16021097993053585195e0, 7.40974269950448939160e0, 2.97886665372100240670e0)
_ERFC64_S = (1.0, 2.26052863220117276590e0, 9.39603524938001434673e0,
             1.20489539808096656605e1, 1.70814450747565897222e1, 9.60896809063285878198e0,
             3.36907645100081516050e0)
_ERF64_T = (9.60497373987051638749e0, 9.00260197203842689217e1, 2.23200534594684319226e3,
            7.00332514112805075473e3, 5.55923013010394962768e4)
_ERF64_U = (1.0, 3.35617141647503099647e1, 5.21357949780152679795e2,
            4.59432382970980127987e3, 2.26290000613890934246e4, 4.92673942608635921086e4)


@_upcast
def _erfc(x):
    ax = jnp.abs(x)
    z = -(x * x)
    ez = jnp.exp(z)
    if _is64(x):
        mid = (ez * _horner(ax, _ERFC64_P)) / _horner(ax, _ERFC64_Q)
        far = (ez * _horner(ax, _ERFC64_R)) / _horner(ax, _ERFC64_S)
        big = _where(ax < 8.0, mid, far)
        maxlog = 7.09782712893383996843e2
        x2 = x * x
        small = 1.0 - (x * _horner(x2, _ERF64_T)) / _horner(x2, _ERF64_U)
    else:
        rx2 = 1.0 / (x * x)
        poly = _where(ax < 2.0, _horner(rx2, _ERFC32_P), _horner(rx2, _ERFC32_R))
        big = (ez * (1.0 / ax)) * poly
        maxlog = 88.72283905206835
        small = 1.0 - x * _horner(x * x, _ERF32_T)
    big = _where(z < -maxlog, 0.0, big)
    big = _where(x < 0.0, 2.0 - big, big)
    return _where(ax < 1.0, small, big)


# ---------------------------------------------------------------- Bessel i0e, i1e

_I0E32_A = (-1.30002500998624804212e-8, 6.04699502254191894932e-8,
            -2.67079385394061173391e-7, 1.11738753912010371815e-6,
            -4.41673835845875056359e-6, 1.64484480707288970893e-5,
            -5.75419501008210370398e-5, 1.88502885095841655729e-4,
            -5.76375574538582365885e-4, 1.63947561694133579842e-3,
            -4.32430999505057594430e-3, 1.05464603945949983183e-2,
            -2.37374148058994688156e-2, 4.93052842396707084878e-2,
            -9.49010970480476444210e-2, 1.71620901522208775349e-1,
            -3.04682672343198398683e-1, 6.76795274409476084995e-1)
_I0E32_B = (3.39623202570838634515e-9, 2.26666899049817806459e-8,
            2.04891858946906374183e-7, 2.89137052083475648297e-6,
            6.88975834691682398426e-5, 3.36911647825569408990e-3,
            8.04490411014108831608e-1)
_I0E64_A = (-4.41534164647933937950e-18, 3.33079451882223809783e-17,
            -2.43127984654795469359e-16, 1.71539128555513303061e-15,
            -1.16853328779934516808e-14, 7.67618549860493561688e-14,
            -4.85644678311192946090e-13, 2.95505266312963983461e-12,
            -1.72682629144155570723e-11, 9.67580903537323691224e-11,
            -5.18979560163526290666e-10, 2.65982372468238665035e-9) + _I0E32_A
_I0E64_B = (-7.23318048787475395456e-18, -4.83050448594418207126e-18,
            4.46562142029675999901e-17, 3.46122286769746109310e-17,
            -2.82762398051658348494e-16, -3.42548561967721913462e-16,
            1.77256013305652638360e-15, 3.81168066935262242075e-15,
            -9.55484669882830764870e-15, -4.15056934728722208663e-14,
            1.54008621752140982691e-14, 3.85277838274214270114e-13,
            7.18012445138366623367e-13, -1.79417853150680611778e-12,
            -1.32158118404477131188e-11, -3.14991652796324136454e-11,
            1.18891471078464383424e-11, 4.94060238822496958910e-10) + _I0E32_B
_I1E32_A = (9.38153738649577178388e-9, -4.44505912879632808065e-8,
            2.00329475355213526229e-7, -8.56872026469545474066e-7,
            3.47025130813767847674e-6, -1.32731636560394358279e-5,
            4.78156510755005422638e-5, -1.61760815825896745588e-4,
            5.12285956168575772895e-4, -1.51357245063125314899e-3,
            4.15642294431288815669e-3, -1.05640848946261981558e-2,
            2.47264490306265168283e-2, -5.29459812080949914269e-2,
            1.02643658689847095384e-1, -1.76416518357834055153e-1,
            2.52587186443633654823e-1)
_I1E32_B = (-3.83538038596423702205e-9, -2.63146884688951950684e-8,
            -2.51223623787020892529e-7, -3.88256480887769039346e-6,
            -1.10588938762623716291e-4, -9.76109749136146840777e-3,
            7.78576235018280120474e-1)
_I1E64_A = (2.77791411276104639959e-18, -2.11142121435816608115e-17,
            1.55363195773620046921e-16, -1.10559694773538630805e-15,
            7.60068429473540693410e-15, -5.04218550472791168711e-14,
            3.22379336594557470981e-13, -1.98397439776494371520e-12,
            1.17361862988909016308e-11, -6.66348972350202774223e-11,
            3.62559028155211703701e-10, -1.88724975172282928790e-9) + _I1E32_A
_I1E64_B = (7.51729631084210481353e-18, 4.41434832307170791151e-18,
            -4.65030536848935832153e-17, -3.20952592199342395980e-17,
            2.96262899764595013876e-16, 3.30820231092092828324e-16,
            -1.88035477551078244854e-15, -3.81440307243700780478e-15,
            1.04202769841288027642e-14, 4.27244001671195135429e-14,
            -2.10154184277266431302e-14, -4.08355111109219731823e-13,
            -7.19855177624590851209e-13, 2.03562854414708950722e-12,
            1.41258074366137813316e-11, 3.25260358301548823856e-11,
            -1.89749581235054123450e-11, -5.58974346219658380687e-10) + _I1E32_B


@_upcast
def _i0e(x):
    a, b = (_I0E64_A, _I0E64_B) if _is64(x) else (_I0E32_A, _I0E32_B)
    ax = jnp.abs(x)
    near = _chebyshev(0.5 * ax - 2.0, a)
    far = _chebyshev(32.0 / ax - 2.0, b) / jnp.sqrt(ax)
    return _where(ax <= 8.0, near, far)


@_upcast
def _i1e(x):
    a, b = (_I1E64_A, _I1E64_B) if _is64(x) else (_I1E32_A, _I1E32_B)
    ax = jnp.abs(x)
    near = ax * _chebyshev(0.5 * ax - 2.0, a)
    far = _chebyshev(32.0 / ax - 2.0, b) / jnp.sqrt(ax)
    return jnp.sign(x) * _where(ax <= 8.0, near, far)


# ---------------------------------------------------------------- incomplete gamma

_VALUE, _DERIVATIVE, _SAMPLE_DERIVATIVE = "value", "derivative", "sample_derivative"


def _any(mask):
    return lax.reduce_or(mask, tuple(range(mask.aval.ndim)))


def _igamma_series(ax, x, a, enabled, mode):
    """P(a, x) by its power series (Cephes igam), with d/da carried alongside."""
    eps = float(_finfo(x).eps)

    def body(vals):
        on, r, c, ans, dc, dans = vals
        r1 = r + 1.0
        dc1 = dc * (x / r1) - (c * x) / (r1 * r1)
        dans1 = dans + dc1
        c1 = c * (x / r1)
        ans1 = ans + c1
        more = (c1 / ans1 > eps) if mode == _VALUE else (jnp.abs(dc1 / dans1) > eps)
        keep = lambda new, old: _where(on, new, old)  # noqa: E731
        return (on & more, keep(r1, r), keep(c1, c), keep(ans1, ans), keep(dc1, dc),
                keep(dans1, dans))

    one, zero = jnp.ones_like(a), jnp.zeros_like(a)
    _, _, _, ans, _, dans = lax.while_loop(lambda v: _any(v[0]), body,
                                           (enabled, a, one, one, zero, zero))
    if mode == _VALUE:
        return (ans * ax) / a
    dlogax = jnp.log(x) - _digamma(a + 1.0)
    if mode == _DERIVATIVE:
        return ax * (ans * dlogax + dans) / a
    return -(dans + ans * dlogax) * x / a


def _igammac_fraction(ax, x, a, enabled, mode):
    """Q(a, x) by its continued fraction (Cephes igamc), with d/da carried alongside."""
    eps = float(_finfo(x).eps)
    big_inv = 1.0 / eps

    def cond(v):
        return (v[5] < 2000.0) & _any(v[0])

    def body(v):
        on, ans, t, y, z, c, pkm1, qkm1, pkm2, qkm2, dpkm2, dqkm2, dpkm1, dqkm1, dans = v
        c1 = c + 1.0
        y1 = y + 1.0
        z1 = z + 2.0
        yc = y1 * c1
        pk = pkm1 * z1 - pkm2 * yc
        qk = qkm1 * z1 - qkm2 * yc
        nz = qk != 0.0
        r = pk / qk
        t1 = _where(nz, jnp.abs((ans - r) / r), 1.0)
        ans1 = _where(nz, r, ans)
        dpk = dpkm1 * z1 - pkm1 - dpkm2 * yc + pkm2 * c1
        dqk = dqkm1 * z1 - qkm1 - dqkm2 * yc + qkm2 * c1
        dans1 = _where(nz, (dpk - ans1 * dqk) / qk, dans)
        grad_change = _where(nz, jnp.abs(dans1 - dans), 1.0)
        rescale = jnp.abs(pk) > big_inv
        sc = lambda u: _where(rescale, u * eps, u)  # noqa: E731
        n_pkm2, n_pkm1, n_qkm2, n_qkm1 = sc(pkm1), sc(pk), sc(qkm1), sc(qk)
        n_dpkm2, n_dqkm2, n_dpkm1, n_dqkm1 = sc(dpkm1), sc(dqkm1), sc(dpk), sc(dqk)
        more = (t1 > eps) if mode == _VALUE else (grad_change > eps)
        keep = lambda new, old: _where(on, new, old)  # noqa: E731
        return (on & more, keep(ans1, ans), keep(t1, t), keep(y1, y), keep(z1, z), c1,
                keep(n_pkm1, pkm1), keep(n_qkm1, qkm1), keep(n_pkm2, pkm2), keep(n_qkm2, qkm2),
                keep(n_dpkm2, dpkm2), keep(n_dqkm2, dqkm2), keep(n_dpkm1, dpkm1),
                keep(n_dqkm1, dqkm1), keep(dans1, dans))

    y = 1.0 - a
    z = x + y + 1.0
    pkm1 = x + 1.0
    qkm1 = z * x
    ans = pkm1 / qkm1
    zero = jnp.zeros_like(x)
    dqkm1 = -x
    dans = (zero - ans * dqkm1) / qkm1
    init = (enabled, ans, jnp.ones_like(x), y, z, jnp.zeros((), x.aval.dtype), pkm1, qkm1,
            jnp.ones_like(x), x, zero, zero, zero, dqkm1, dans)
    out = lax.while_loop(cond, body, init)
    ans, dans = out[1], out[14]
    if mode == _VALUE:
        return ans * ax
    dlogax = jnp.log(x) - _digamma(a)
    if mode == _DERIVATIVE:
        return ax * (ans * dlogax + dans)
    return -(dans + ans * dlogax) * x


def _log_ax(a, x):
    """log(x^a e^-x / Gamma(a)) and whether it underflows."""
    lax_ = a * jnp.log(x) - x - _lgamma(a)
    return lax_, lax_ < -math.log(float(_finfo(x).max))


@_upcast
def _igamma(a, x):
    nan_in = jnp.isnan(a) | jnp.isnan(x)
    x_inf, x_zero = x == jnp.inf, x == 0.0
    domain = (x < 0.0) | (a < 0.0) | ((a == 0.0) & x_zero) | nan_in
    use_c = (x >= 1.0) & (x > a)
    log_ax, under = _log_ax(a, x)
    ax = jnp.exp(log_ax)
    on = ~(x_zero | domain | under | x_inf)
    out = _where(use_c, 1.0 - _igammac_fraction(ax, x, a, on & use_c, _VALUE),
                 _igamma_series(ax, x, a, on & ~use_c, _VALUE))
    out = _where(x_zero, 0.0, out)
    out = _where(x_inf, 1.0, out)
    return _where(domain, jnp.nan, out)


@_upcast
def _igammac(a, x):
    nan_in = jnp.isnan(a) | jnp.isnan(x)
    a_zero, x_zero = a == 0.0, x == 0.0
    x_inf = x == jnp.inf
    domain = (x < 0.0) | (a < 0.0) | (a_zero & x_zero) | nan_in
    use_p = (x < 1.0) | (x < a)
    log_ax, under = _log_ax(a, x)
    on = ~(domain | under | x_inf | a_zero)
    ax = jnp.exp(log_ax)
    out = _where(use_p, 1.0 - _igamma_series(ax, x, a, on & use_p, _VALUE),
                 _igammac_fraction(ax, x, a, on & ~use_p, _VALUE))
    out = _where(x_inf | a_zero, 0.0, out)
    return _where(domain, jnp.nan, out)


def _igamma_derivative(mode):
    @_upcast
    def impl(a, x):
        nan_in = jnp.isnan(a) | jnp.isnan(x)
        x_zero = x == 0.0
        domain = (x < 0.0) | (a <= 0.0)
        use_c = (x > 1.0) & (x > a)
        log_ax, under = _log_ax(a, x)
        ax = jnp.exp(log_ax)
        on = ~(x_zero | domain | under | nan_in)
        out = _where(use_c, -_igammac_fraction(ax, x, a, on & use_c, mode),
                     _igamma_series(ax, x, a, on & ~use_c, mode))
        out = _where(x_zero, 0.0, out)
        return _where(domain | nan_in, jnp.nan, out)
    return impl


_igamma_grad_a = _igamma_derivative(_DERIVATIVE)
_random_gamma_grad = _igamma_derivative(_SAMPLE_DERIVATIVE)


# ---------------------------------------------------------------- incomplete beta

@_upcast
def _betainc(a, b, x):
    dt = x.aval.dtype
    fi = _finfo(x)
    a_zero = (a == 0.0) | (b == jnp.inf)
    b_zero = (b == 0.0) | (a == jnp.inf)
    x_zero, x_one = x == 0.0, x == 1.0
    nan_in = jnp.isnan(a) | jnp.isnan(b) | jnp.isnan(x)
    is_zero = (b_zero & ~x_one) | (a_zero & x_zero)
    is_one = (a_zero & ~x_zero) | (b_zero & x_one)
    is_nan = (a < 0.0) | (b < 0.0) | (x < 0.0) | (x > 1.0) | (a_zero & b_zero) | nan_in
    # the continued fraction (DLMF 8.17.22) converges fast for x < (a+1)/(a+b+2);
    # elsewhere use I_x(a, b) = 1 - I_{1-x}(b, a)
    fast = x < (a + 1.0) / (a + b + 2.0)
    a, b, x = _where(fast, a, b), _where(fast, b, a), _where(fast, x, 1.0 - x)
    small = float(fi.eps) / 2

    def numerator(it):
        m = lax.convert_element_type(lax.div(it - 1, 2), dt)
        zero_m = -(a + b) * x / (a + 1.0)
        even = _where(m == 0.0, zero_m,
                      -(a + m) * (a + b + m) * x / ((a + 2.0 * m) * (a + 2.0 * m + 1.0)))
        odd = m * (b - m) * x / ((a + 2.0 * m - 1.0) * (a + 2.0 * m))
        return _where(it == 1, 1.0, _where(lax.rem(it, 2) == 0, even, odd))

    def cond(v):
        return (v[0] < (200 if dt == "float32" else 600)) & v[1]

    def body(v):
        it, _, c, d, h = v
        num = numerator(it)
        c1 = 1.0 + num / c
        c1 = _where(jnp.abs(c1) < small, small, c1)
        d1 = 1.0 + num * d
        d1 = _where(jnp.abs(d1) < small, small, d1)
        d1 = 1.0 / d1
        delta = c1 * d1
        return (it + 1, _any(jnp.abs(delta - 1.0) >= small), c1, d1, h * delta)

    h0 = jnp.full_like(x, small)  # the zeroth partial denominator is 0
    fraction = lax.while_loop(cond, body, (np.int32(1), np.bool_(True), h0,
                                           jnp.zeros_like(x), h0))[4]
    tiny = float(fi.tiny) * 2
    lbeta_small_a = _lgamma(b) - _lgamma(a + b)
    lbeta = _lgamma(a) + lbeta_small_a
    factor = _where(a < tiny, jnp.exp(jnp.log1p(-x) * b - lbeta_small_a),
                    jnp.exp(jnp.log(x) * a + jnp.log1p(-x) * b - lbeta) / a)
    out = fraction * factor
    out = _where(fast, out, 1.0 - out)
    out = _where(is_zero, 0.0, out)
    out = _where(is_one, 1.0, out)
    return _where(is_nan, jnp.nan, out)


# ---------------------------------------------------------------- public functions

def _public(name, impl, nargs):
    def f(*args):
        if len(args) != nargs:
            raise TypeError(f"{name}() takes {nargs} positional arguments but {len(args)} "
                            f"were given")
        return impl(*_operands(name, *args))
    f.__name__ = f.__qualname__ = name
    return f


def _jvp(fn, *partials):
    """A custom_jvp of `fn`; `partials[i](out, *args)` is d out / d arg_i (None: zero)."""
    c = custom_jvp(fn)

    def rule(primals, tangents):
        out = c(*primals)
        t_out = None
        for p, t in zip(partials, tangents):
            if p is None:
                continue
            term = p(out, *primals) * t
            t_out = term if t_out is None else t_out + term
        return out, t_out if t_out is not None else jnp.zeros_like(out)
    c.defjvp(rule)
    return c


_lgamma_d = _jvp(_lgamma, lambda out, x: digamma(x))
_digamma_d = _jvp(_digamma, lambda out, x: polygamma(jnp.ones_like(x), x))
_polygamma_d = _jvp(_polygamma, None, lambda out, n, x: polygamma(n + 1.0, x))
_erf_inv_d = _jvp(_erf_inv, lambda out, x: (math.sqrt(math.pi) / 2) * jnp.exp(out * out))
_erfc_d = _jvp(_erfc, lambda out, x: (-2 / math.sqrt(math.pi)) * jnp.exp(-(x * x)))
_i0e_d = _jvp(_i0e, lambda out, x: bessel_i1e(x) - jnp.sign(x) * out)


def _i1e_partial(out, x):
    eps = float(_finfo(x).eps)
    big = jnp.abs(x) > eps
    safe = _where(big, x, eps)
    return _where(big, bessel_i0e(safe) - out * (jnp.sign(safe) + 1.0 / safe), 0.5)


_i1e_d = _jvp(_i1e, _i1e_partial)


def _igamma_partial_x(out, a, x):
    return jnp.exp(-x + (a - 1.0) * jnp.log(x) - lgamma(a))


_igamma_d = _jvp(_igamma, lambda out, a, x: igamma_grad_a(a, x), _igamma_partial_x)
_igammac_d = _jvp(_igammac, lambda out, a, x: -igamma_grad_a(a, x),
                  lambda out, a, x: -_igamma_partial_x(out, a, x))


def _betainc_partial_x(out, a, b, x):
    lbeta = lgamma(a) + lgamma(b) - lgamma(a + b)
    return jnp.exp((b - 1.0) * jnp.log1p(-x) + (a - 1.0) * jnp.log(x) - lbeta)


_betainc_d = _jvp(_betainc, None, None, _betainc_partial_x)

lgamma = _public("lgamma", _lgamma_d, 1)
digamma = _public("digamma", _digamma_d, 1)
polygamma = _public("polygamma", _polygamma_d, 2)
zeta = _public("zeta", _zeta, 2)
erf_inv = _public("erf_inv", _erf_inv_d, 1)
erfc = _public("erfc", _erfc_d, 1)
bessel_i0e = _public("bessel_i0e", _i0e_d, 1)
bessel_i1e = _public("bessel_i1e", _i1e_d, 1)
igamma = _public("igamma", _igamma_d, 2)
igammac = _public("igammac", _igammac_d, 2)
igamma_grad_a = _public("igamma_grad_a", _igamma_grad_a, 2)
random_gamma_grad = _public("random_gamma_grad", _random_gamma_grad, 2)
betainc = _public("betainc", _betainc_d, 3)
