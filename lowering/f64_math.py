"""Float64 elementwise math built from arith ops and the few math ops llvm-cpu lowers in f64.

IREE's llvm-cpu backend links no libm: `math.sin` & co. on f64 become calls to
`sin`, ... that fail at link time ("undefined symbol"), and its own f64
expansions of expm1/log1p/sinh/asinh/acosh/atanh lose all precision near 0.
Here each of those functions is written out on one f64 scalar, using only
arith ops and math.exp/log/sqrt/roundeven/trunc/floor/absf/copysign (which do
lower): argument reduction with constants split into exact pieces (Cody-Waite;
Payne-Hanek for sin/cos/tan beyond 1.35e16), then Taylor series short enough to
be exact to double precision on the reduced interval. Measured: 1-3 ulp.

`wrap(name, rule)` makes an entry of scalar.SCALAR_RULES pick these for
float64 (and sinh/asinh/acosh/atanh for float32, whose IREE expansions fail
near 0 and 1), and compute float16/bfloat16 in f32 (IREE's f16 expansions are
tens of ulp off; a half result rounded from f32 is within 0.5 ulp). IREE's CPU
code flushes subnormals (DAZ/FTZ): a subnormal input may act as 0 here.
"""
from __future__ import annotations

import contextlib
import contextvars
from fractions import Fraction
from math import factorial

import numpy as np
from iree.compiler import ir
from iree.compiler.dialects import arith, math, scf, tensor

# -------------------------------------------------------------- scalar algebra


def _f64():
    return ir.F64Type.get()


def _i64():
    return ir.IntegerType.get_signless(64)


_CMP = {"==": 1, ">": 2, ">=": 3, "<": 4, "<=": 5, "uno": 14}  # ordered, and unordered


class F:
    """A float SSA value with arithmetic operators, so formulas read as formulas
    (Python numbers become f64 constants, or _CONST_TYPE's)."""

    __slots__ = ("v",)

    def __init__(self, v):
        self.v = v.v if isinstance(v, F) else v if isinstance(v, ir.Value) else _const(v)

    def _b(self, op, o):
        return F(op(self.v, F(o).v))

    def __add__(self, o): return self._b(arith.addf, o)
    def __radd__(self, o): return F(o) + self
    def __sub__(self, o): return self._b(arith.subf, o)
    def __rsub__(self, o): return F(o) - self
    def __mul__(self, o): return self._b(arith.mulf, o)
    def __rmul__(self, o): return F(o) * self
    def __truediv__(self, o): return self._b(arith.divf, o)
    def __rtruediv__(self, o): return F(o) / self
    def __neg__(self): return F(arith.negf(self.v))

    def cmp(self, kind, o):
        return arith.cmpf(ir.IntegerAttr.get(_i64(), _CMP[kind]), self.v, F(o).v)

    def __lt__(self, o): return self.cmp("<", o)
    def __le__(self, o): return self.cmp("<=", o)
    def __gt__(self, o): return self.cmp(">", o)
    def __ge__(self, o): return self.cmp(">=", o)


# The float type of Python-number constants: f64 unless a rule says.  A context
# variable, so lowerings in different threads never see each other's setting.
_CONST_TYPE = contextvars.ContextVar("irax_f64_math_const_type", default=None)


@contextlib.contextmanager
def _constants_of(make_type):
    token = _CONST_TYPE.set(make_type)
    try:
        yield
    finally:
        _CONST_TYPE.reset(token)


def _const(x):
    make_type = _CONST_TYPE.get()
    t = make_type() if make_type is not None else _f64()
    return arith.constant(t, ir.FloatAttr.get(t, float(x)))


def sel(p, a, b):
    return F(arith.select(p, F(a).v, F(b).v))


def both(p, q):
    return arith.andi(p, q)


def either(p, q):
    return arith.ori(p, q)


def isnan(x):
    return x.cmp("uno", x)


def fabs(x):
    return F(math.absf(x.v))


def copysign(x, y):
    return F(math.copysign(F(x).v, F(y).v))


def rint(x):
    return F(math.roundeven(x.v))


def trunc(x):
    return F(math.trunc(x.v))


def exp(x):
    return F(math.exp(x.v))


def log(x):
    return F(math.log(x.v))


def sqrt(x):
    return F(math.sqrt(x.v))


def pow2(k):
    """2**k for an integral f64 k in [-1022, 1023], built from the exponent bits."""
    i = arith.fptosi(_i64(), k.v)
    bits = arith.shli(arith.addi(i, _iconst(1023)), _iconst(52))
    return F(arith.bitcast(_f64(), bits))


def _iconst(n):
    return arith.constant(_i64(), ir.IntegerAttr.get(_i64(), n))


def _bits(x):
    return arith.bitcast(_i64(), x.v)


def _bits_eq(x, n):
    """A test on the bits, immune to DAZ (which makes a subnormal compare equal to 0)."""
    return arith.cmpi(ir.IntegerAttr.get(_i64(), 0), _bits(x), _iconst(n))


def horner(z, coeffs):
    """coeffs[0] + z*(coeffs[1] + z*(...))."""
    acc = F(coeffs[-1])
    for c in reversed(coeffs[:-1]):
        acc = c + z * acc
    return acc


def two_sum(a, b):
    """a + b = s + e exactly (Knuth)."""
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


def _hex(*hs):
    return [float.fromhex(h) for h in hs]


def _taylor(first, last, step=2, sign=-1):
    """[sign**i / n! for n = first, first+step, ..., last], correctly rounded."""
    return [float(Fraction(sign ** i, factorial(n)))
            for i, n in enumerate(range(first, last + 1, step))]


# -------------------------------------------------------------- reduction

# pi/2 and ln 2 as sums of 26-bit pieces (mpmath, 400 bits): k*piece is exact for
# |k| < 2**27, so x - k*(sum of pieces) can be summed without rounding error.
PIO2_PIECES = _hex("0x1.921fb58p+0", "-0x1.dde974p-27", "0x1.1a62630p-54", "0x1.8a2e038p-81",
                   "-0x1.f1976b8p-110", "0x1.2704450p-142", "0x1.9f31d00p-169")
LN2_PIECES = _hex("0x1.62e43p-1", "-0x1.05c611p-29", "0x1.abc9e38p-56")
PIO2 = _hex("0x1.921fb54442d18p+0", "0x1.1a62633145c07p-54")  # hi, lo
PI = _hex("0x1.921fb54442d18p+1", "0x1.1a62633145c07p-53")
TWO_OVER_PI = float.fromhex("0x1.45f306dc9c883p-1")
INV_LN2 = float.fromhex("0x1.71547652b82fep+0")
LN2 = float.fromhex("0x1.62e42fefa39efp-1")
TWO_OVER_SQRTPI = float.fromhex("0x1.20dd750429b6dp+0")
TINY = 2.0 ** -1022  # the least normal double; smaller ones are read as 0 (DAZ)
INF = float("inf")
TRIG_EXACT_LIMIT = 2.0 ** 53 * 1.5  # |x| below which Cody-Waite reduces exactly
# The first 1200 bits of 2/pi (mpmath), for the Payne-Hanek reduction of larger |x|.
TWO_OVER_PI_HEX = (
    "a2f9836e4e441529fc2757d1f534ddc0db6295993c439041fe5163abdebb"
    "c561b7246e3a424dd2e006492eea09d1921cfe1deb1cb129a73ee88235f5"
    "2ebb4484e99c7026b45f7e413991d639835339f49c845f8bbdf9283b1ff8"
    "97ffde05980fef2f118b5a0a6d1f6d367ecf27cb09b74f463f669e5fea2d"
    "7527bac7ebe5f17b3d0739f78a5292ea6bfb5fb11f8d5d0856033046fc7b"
)
TWO_OVER_PI_CHUNKS = [float(int(TWO_OVER_PI_HEX[i:i + 6], 16)) for i in range(0, 288, 6)]
PH_CHUNKS = 7  # chunks of 2/pi past the first one that matters: 2**-90 absolute


def reduce(x, ks, pieces):
    """x - sum(k * pieces) as hi + lo, for integral `ks` (the parts of k, largest first,
    each short enough that k * piece is exact). Products of about the same size (one
    level) are subtracted with two_sum, their rounding errors summed in lo, and hi + lo
    renormalized after each level, so bits that the cancellation brings into hi's range
    move there: the result is exact to about eps**2 * |x| (2**-100 |x| in f64)."""
    levels = {}
    for i, k in enumerate(ks):
        for j, p in enumerate(pieces):
            levels.setdefault(i + j, []).append(k * p)
    hi, lo = x, F(0.0)
    for level in sorted(levels):
        for t in levels[level]:
            hi, e = two_sum(hi, -t)
            lo = lo + e
        hi, lo = two_sum(hi, lo)
    return hi, lo


# -------------------------------------------------------------- sin cos tan

class Trig:
    """What sin/cos/tan need per float type: pi/2 in pieces of `split` bits (k is cut
    into two parts of `split` bits, so k * piece is exact), the Taylor coefficients
    (sin r = r + r^3 S(r^2), cos r = 1 - r^2/2 + r^4 C(r^2), |r| <= pi/4 + tiny), the
    bound below which sin x = x, and whether |x| >= `limit` takes Payne-Hanek (f64)
    or is left to IREE's own math op (f32)."""

    def __init__(self, pieces, split, pio2, sin_last, cos_last, tiny, limit, payne_hanek):
        self.pieces, self.split, self.pio2 = pieces, split, pio2
        self.sin_c = [-c for c in _taylor(3, sin_last)]
        self.cos_c = _taylor(4, cos_last)
        self.tiny, self.limit, self.payne_hanek = tiny, limit, payne_hanek


# f64: the first omitted Taylor terms are below 1e-19 * |result|; f32: below 1e-10.
TRIG64 = Trig(PIO2_PIECES, 26, PIO2, 19, 20, 2.0 ** -26, TRIG_EXACT_LIMIT, True)
TRIG32 = Trig(_hex("0x1.922p+0", "-0x1.2aep-18", "-0x1.deap-31", "0x1.184p-44", "0x1.a62p-58",
                   "0x1.8ccp-72"),
              12, _hex("0x1.921fb6p+0", "-0x1.777a5cp-25"), 13, 12, 2.0 ** -13,
              2.0 ** 24 * 1.5, False)


def _mod4(t):
    return t - 4.0 * F(math.floor((t * 0.25).v))


def _payne_hanek(x):
    """x * 2/pi mod 4 as (k, hi, lo), hi + lo in [-1/2, 1/2], for |x| >= 2**53.
    |x| = M 2^E with M < 2**53 an integer; with 2/pi = sum_i D_i 2^(-24(i+1)), D_i of
    24 bits, the terms M D_i 2^(E - 24(i+1)) are multiples of 4 (and vanish mod 4) for
    i < i0 = (E - 2) // 24; the next PH_CHUNKS chunks, read from a constant table, are
    multiplied exactly (M split into 29 + 24 bits), reduced mod 4 and summed with
    two_sum."""
    bits = arith.andi(_bits(x), _iconst((1 << 63) - 1))
    e = arith.subi(arith.shrui(bits, _iconst(52)), _iconst(1075))
    m = F(arith.sitofp(_f64(), arith.ori(arith.andi(bits, _iconst((1 << 52) - 1)),
                                          _iconst(1 << 52))))
    m_hi = trunc(m * 2.0 ** -24) * 2.0 ** 24
    m_lo = m - m_hi
    last = len(TWO_OVER_PI_CHUNKS) - PH_CHUNKS
    i0 = arith.floordivsi(arith.subi(e, _iconst(2)), _iconst(24))
    i0 = arith.minsi(arith.maxsi(i0, _iconst(0)), _iconst(last))  # in range for every lane
    table = arith.constant(ir.RankedTensorType.get([len(TWO_OVER_PI_CHUNKS)], _f64()),
                           ir.DenseElementsAttr.get(np.array(TWO_OVER_PI_CHUNKS)))
    s0 = arith.subi(e, arith.muli(arith.addi(i0, _iconst(1)), _iconst(24)))
    terms = []
    for j in range(PH_CHUNKS):
        idx = arith.index_cast(ir.IndexType.get(), arith.addi(i0, _iconst(j)))
        d = F(tensor.extract(table, [idx]))
        scale = pow2(F(arith.sitofp(_f64(), arith.subi(s0, _iconst(24 * j)))))
        terms += [(24 * j - 77, m_hi * d * scale), (24 * j - 48, m_lo * d * scale)]  # log2 size
    hi, lo = F(0.0), F(0.0)
    for _, t in sorted(terms, key=lambda t: t[0]):
        hi, err = two_sum(hi, _mod4(t))
        lo = lo + err
    hi = _mod4(hi)
    k = rint(hi)
    hi, lo = two_sum(hi - k, lo)
    return k, hi, lo


def _sin_cos_reduced(x, t):
    """(sin r, cos r, quadrant k mod 4) with x = k*pi/2 + r, |r| <= pi/4 (+ rounding)."""
    k = rint(x * TWO_OVER_PI)
    kh = trunc(k * 2.0 ** -t.split) * 2.0 ** t.split
    kl = k - kh
    hi, lo = reduce(x, [kh, kl], t.pieces)
    # Beyond 2**(mantissa - 1), x * 2/pi cannot round to the nearest integer: one more
    # step by pi/2 (exact: hi - pio2 has no rounding error when pi/4 <= |hi| <= pi).
    k2 = rint(hi * TWO_OVER_PI)
    hi, lo = two_sum(hi - k2 * t.pio2[0], lo - k2 * t.pio2[1])
    kl = kl + k2
    if t.payne_hanek:  # |x| beyond that: r = (f_hi + f_lo) * pi/2 (to ~1 ulp)
        sign = copysign(1.0, x)
        pk, f_hi, f_lo = _payne_hanek(x)
        huge = fabs(x) >= t.limit
        p_hi = sign * (f_hi * PIO2[0])
        p_lo = sign * (f_hi * PIO2[1] + f_lo * PIO2[0])
        hi, lo, kl = sel(huge, p_hi, hi), sel(huge, p_lo, lo), sel(huge, sign * pk, kl)
    z = hi * hi
    s = hi + (hi * z * horner(z, t.sin_c) + lo * (1.0 - 0.5 * z))
    hz = 0.5 * z
    w = 1.0 - hz
    c = w + (((1.0 - w) - hz) + (z * z * horner(z, t.cos_c) - hi * lo))
    return s, c, _mod4(kl)


def _finish(x, v, t, fn, native, tiny_is_x=True):
    """inf -> NaN; sin x = x for tiny x (keeps -0); beyond t.limit without Payne-Hanek
    (float32), `fn` by the float64 algorithm, rounded once — or, on a target without
    float64, its `native` math op."""
    v = sel(fabs(x).cmp("==", INF), float("nan"), v)
    if not t.payne_hanek:
        wide = _in_f64(fn, x.v) if FLOAT64_TARGET.get() else native(x.v)
        v = sel(fabs(x) >= t.limit, F(wide), v)
    return sel(fabs(x) < t.tiny, x, v) if tiny_is_x else v


# Whether the target being lowered for computes in float64 (Vulkan's SPIR-V
# baseline has neither f64 nor i64); set by `for_target`.
FLOAT64_TARGET = contextvars.ContextVar("irax_float64_target", default=True)


@contextlib.contextmanager
def for_target(target: str):
    """Lower scalar math for compile target `target`."""
    token = FLOAT64_TARGET.set(target != "vulkan-spirv")
    try:
        yield
    finally:
        FLOAT64_TARGET.reset(token)


def _in_f64(fn, x32):
    """fn(x) for a float32 x, computed in float64 (exact Payne-Hanek reduction, where
    float32 pieces of pi/2 run out) and rounded to float32."""
    with _constants_of(_f64):
        return arith.truncf(ir.F32Type.get(), fn(F(arith.extf(_f64(), x32))).v)


def sin(x, t=TRIG64):
    s, c, q = _sin_cos_reduced(x, t)
    v = sel(_is(q, 0), s, sel(_is(q, 1), c, sel(_is(q, 2), -s, -c)))
    return _finish(x, v, t, sin, math.sin)


def cos(x, t=TRIG64):
    s, c, q = _sin_cos_reduced(x, t)
    v = sel(_is(q, 0), c, sel(_is(q, 1), -s, sel(_is(q, 2), -c, s)))
    return _finish(x, v, t, cos, math.cos, tiny_is_x=False)


def tan(x, t=TRIG64):
    s, c, q = _sin_cos_reduced(x, t)
    odd = either(_is(q, 1), _is(q, 3))
    v = sel(odd, -c / s, s / c)
    return _finish(x, v, t, tan, math.tan)


def _is(q, n):
    return q.cmp("==", float(n))


# -------------------------------------------------------------- atan atan2 asin acos

# atan(j/8) as hi + lo (mpmath), the breakpoints of the atan reduction.
ATAN_J8 = [_hex(h, l) for h, l in (
    ("0x0.0p+0", "0x0.0p+0"),
    ("0x1.fd5ba9aac2f6ep-4", "-0x1.cd37686760c17p-59"),
    ("0x1.f5b75f92c80ddp-3", "0x1.8ab6e3cf7afbdp-57"),
    ("0x1.6f61941e4def1p-2", "-0x1.c63aae6f6e918p-56"),
    ("0x1.dac670561bb4fp-2", "0x1.a2b7f222f65e2p-56"),
    ("0x1.1e00babdefeb4p-1", "-0x1.928df287a668fp-58"),
    ("0x1.4978fa3269ee1p-1", "0x1.2419a87f2a458p-56"),
    ("0x1.700a7c5784634p-1", "-0x1.8c34d25aadef6p-56"),
    ("0x1.921fb54442d18p-1", "0x1.1a62633145c07p-55"))]
def _f32_pair(hi, lo):
    """A double-double constant as a pair of floats."""
    h = float(np.float32(hi))
    return h, float(np.float32((hi - h) + lo))


class Atan:
    """atan's constants per float type: atan(j/8), pi/2 and pi as hi + lo pairs, the
    series u + u^3 A(u^2) on |u| <= 1/16 (to u^17 in f64: next term < 2**-72 u; to
    u^9 in f32), and the least normal number (below it DAZ reads 0)."""

    def __init__(self, table, pio2, pi, terms, tiny):
        self.table, self.pio2, self.pi, self.tiny = table, pio2, pi, tiny
        self.coeffs = [(-1) ** n / (2 * n + 1) for n in range(1, terms + 1)]


ATAN64 = Atan(ATAN_J8, PIO2, PI, 8, TINY)
ATAN32 = Atan([_f32_pair(*p) for p in ATAN_J8], _f32_pair(*PIO2), _f32_pair(*PI), 4, 2.0 ** -126)


def _atan01(t, k):
    """atan t for t in [0, 1] as hi + lo: atan t = atan c + atan((t - c) / (1 + t c))
    with c = j/8 the nearest breakpoint, so the series runs on |u| <= 1/16."""
    j = rint(t * 8.0)
    c = j * 0.125
    u = (t - c) / (1.0 + t * c)
    z = u * u
    hi, lo = F(0.0), F(0.0)
    for n, (h, l) in enumerate(k.table):
        hit = _is(j, n)
        hi, lo = sel(hit, h, hi), sel(hit, l, lo)
    return hi, lo + (u + u * z * horner(z, k.coeffs))


def atan2(y, x, k=ATAN64):
    """C/NumPy atan2, signed zeros and infinities included: the angle of the smaller
    over the larger of |y|, |x| in [0, 1], then moved to its octant."""
    ay, ax = fabs(y), fabs(x)
    swap = ay > ax
    t = sel(swap, ax, ay) / sel(swap, ay, ax)
    t = sel(both(ay.cmp("==", INF), ax.cmp("==", INF)), 1.0, t)
    t = sel(both(ay < k.tiny, ax < k.tiny), 0.0, t)
    h, l = _atan01(t, k)
    xneg = copysign(1.0, x) < 0.0
    # angle = C + s * atan t:  C in {0, pi/2, pi}, s = -1 when exactly one of swap, xneg
    c_hi = sel(swap, k.pio2[0], sel(xneg, k.pi[0], 0.0))
    c_lo = sel(swap, k.pio2[1], sel(xneg, k.pi[1], 0.0))
    s = sel(arith.xori(swap, xneg), -1.0, 1.0)
    a, e = two_sum(c_hi, s * h)
    angle = a + (e + (c_lo + s * l))
    return sel(either(isnan(x), isnan(y)), x + y, copysign(angle, y))


def atan(x, k=ATAN64):
    return tiny_is_x(x, atan2(x, F(1.0), k))


def tiny_is_x(x, v, bound=2.0 ** -28):
    """f(x) = x to double precision for |x| < bound (and keeps -0, subnormals)."""
    return sel(fabs(x) < bound, x, v)


def _sqrt_1mx2(x):
    """sqrt(1 - x*x) without the cancellation of 1 - x*x near |x| = 1."""
    return sqrt((1.0 - x) * (1.0 + x))


def asin(x):
    return tiny_is_x(x, atan2(x, _sqrt_1mx2(x)))


def acos(x):
    return atan2(_sqrt_1mx2(x), x)


# -------------------------------------------------------------- exponential family

EXPM1_C = _taylor(2, 16, step=1, sign=1)  # expm1 r = r + r^2 * E(r), E = 1/2! + r/3! + ...


def expm1(x):
    """x = k ln2 + r, |r| <= ln2/2; expm1 x = 2^k expm1(r) + (2^k - 1)."""
    k = rint(x * INV_LN2)
    hi, lo = reduce(x, [k], LN2_PIECES)
    p = hi + hi * hi * horner(hi, EXPM1_C)
    p = p + lo * (1.0 + p)
    big, small = x > 40.0, x < -40.0
    k = sel(either(big, small), 0.0, k)
    s = pow2(k)
    v = s * p + (s - 1.0)
    v = sel(big, exp(x), sel(small, -1.0, v))
    return sel(fabs(x) < 2.0 ** -54, x, v)


def tanh(x):
    """tanh |x| = -t / (t + 2) with t = expm1(-2|x|) below 0.75, 1 - 2 / (t + 2) with
    t = expm1(2|x|) above (where the result's ulp no longer shrinks with it)."""
    a = fabs(x)
    small = a < 0.75
    t = expm1(sel(small, -2.0, 2.0) * a)
    v = sel(a > 22.0, 1.0, sel(small, -t / (t + 2.0), 1.0 - 2.0 / (t + 2.0)))
    return tiny_is_x(x, sel(isnan(x), x, copysign(v, x)))


def sinh(x, expm1=expm1):
    """sinh |x| = (t + t / (t + 1)) / 2 with t = expm1|x|; exp(|x|/2)^2 / 2 beyond 22."""
    a = fabs(x)
    t = expm1(a)
    h = exp(0.5 * a)
    v = sel(a > 22.0, h * (0.5 * h), 0.5 * (t + t / (t + 1.0)))
    return tiny_is_x(x, sel(isnan(x), x, copysign(v, x)))


def log1p(x):
    """log(u) * x / (u - 1) with u = 1 + x corrects the rounding of u (Goldberg)."""
    u = 1.0 + x
    v = log(u) * (x / (u - 1.0))
    v = sel(u.cmp("==", 1.0), x, v)
    return tiny_is_x(x, sel(x > 2.0 ** 53, log(x), v), 2.0 ** -54)


def asinh(x, log1p=log1p):
    a = fabs(x)
    a2 = a * a
    v = log1p(a + a2 / (1.0 + sqrt(1.0 + a2)))
    v = sel(a > 2.0 ** 28, log(a) + LN2, v)
    return tiny_is_x(x, sel(isnan(x), x, copysign(v, x)))


def acosh(x, log1p=log1p):
    t = x - 1.0
    v = log1p(t + sqrt(2.0 * t + t * t))
    v = sel(x > 2.0 ** 28, log(x) + LN2, v)
    return sel(x < 1.0, float("nan"), v)


def atanh(x, log1p=log1p):
    """atanh |x| = log1p(2|x| / (1 - |x|)) / 2, the small-|x| form avoiding the division's loss."""
    a = fabs(x)
    small = 0.5 * log1p(2.0 * a + 2.0 * a * a / (1.0 - a))
    large = 0.5 * log1p(2.0 * a / (1.0 - a))
    return tiny_is_x(x, copysign(sel(a < 0.5, small, large), x))


def cbrt(x):
    """exp(log|x| / 3), then one Newton step (error squared: ~2**-90 before rounding)."""
    a = fabs(x)
    # a subnormal a = m 2^-1074 (read as 0 by DAZ arithmetic): cbrt a = cbrt(m) 2^-358
    sub = a < TINY
    m = sel(sub, F(arith.sitofp(_f64(), _bits(a))), a)
    y = exp(log(m) * (1.0 / 3.0))
    y = y - (y - m / (y * y)) * (1.0 / 3.0)
    y = y * sel(sub, 2.0 ** -358, 1.0)
    special = either(_bits_eq(a, 0), a.cmp("==", INF))
    return copysign(sel(special, a, y), x)


# -------------------------------------------------------------- erf

# erf(j/4), j = 0..24, as hi + lo (mpmath): the centres of erf's Taylor expansions.
ERF_J4 = [_hex(h, l) for h, l in (
    ("0x0.0p+0", "0x0.0p+0"),
    ("0x1.1af54e232d609p-2", "-0x1.bee921fa4172bp-56"),
    ("0x1.0a7ef5c18edd2p-1", "0x1.5e809f1a31a28p-56"),
    ("0x1.6c1c9759d0e5fp-1", "0x1.b1432f2cbc455p-55"),
    ("0x1.af767a741088bp-1", "-0x1.c97f778122797p-56"),
    ("0x1.d8865d98abe01p-1", "-0x1.fcec4afb974d9p-55"),
    ("0x1.eea5557137ae0p-1", "-0x1.385e445f2c96dp-55"),
    ("0x1.f92d077f8d56dp-1", "0x1.8b55ef493fce7p-56"),
    ("0x1.fd9ae142795e3p-1", "0x1.972801904b9a3p-56"),
    ("0x1.ff404760319b4p-1", "0x1.f142071432025p-56"),
    ("0x1.ffcaa8f4c9beap-1", "0x1.b0cee160116f9p-55"),
    ("0x1.fff2cfb0453d9p-1", "0x1.9a913686042a3p-55"),
    ("0x1.fffd1ac4135f9p-1", "0x1.eeafa1ecd6cefp-55"),
    ("0x1.ffff6f9f67e55p-1", "0x1.e1e4483ba034bp-55"),
    ("0x1.ffffe710d565ep-1", "0x1.c9ea52d76dc04p-55"),
    ("0x1.fffffc2f171e3p-1", "0x1.85edd0395f475p-55"),
    ("0x1.ffffff7b91176p-1", "0x1.0b2865615db40p-56"),
    ("0x1.fffffff01a8b6p-1", "0x1.23370eca5ca6ap-60"),
    ("0x1.fffffffe4fa30p-1", "0x1.d166bcb681c7bp-57"),
    ("0x1.ffffffffd759dp-1", "0x1.f7bee7eb23420p-55"),
    ("0x1.fffffffffc9e8p-1", "-0x1.a759f7738935fp-56"),
    ("0x1.ffffffffffc05p-1", "0x1.07ba96a6b2e1ap-55"),
    ("0x1.fffffffffffbep-1", "-0x1.182b326b228dcp-55"),
    ("0x1.ffffffffffffcp-1", "0x1.8115fd1b12786p-56"),
    ("0x1.0000000000000p+0", "-0x1.8cf81557d20b6p-56"),
)]
ERF_TERMS = 14  # |h| <= 1/8: the first omitted term is below 2**-60 * erf


def erf(x):
    """erf(c + h) = erf(c) + 2/sqrt(pi) sum_n b_n h^(n+1) / (n+1) around the nearest
    c = j/4, where b_n, the Taylor coefficients of exp(-t^2) at c, follow the Hermite
    recurrence (n+1) b_(n+1) = -2c b_n - 2 b_(n-1) from b_0 = exp(-c^2) (c^2 is exact).
    erf(c) comes from a table as hi + lo; |x| >= 6 gives +-1."""
    a = fabs(x)
    j = rint(sel(a < 6.0, a, 0.0) * 4.0)
    c = j * 0.25
    h = a - c
    b = [exp(-(c * c))]
    b.append(-2.0 * c * b[0])
    for n in range(1, ERF_TERMS):
        b.append((-2.0 * c * b[n] - 2.0 * b[n - 1]) * (1.0 / (n + 1)))
    p = b[-1] * (1.0 / len(b))
    for n in range(len(b) - 2, -1, -1):
        p = b[n] * (1.0 / (n + 1)) + h * p
    hi, lo = F(0.0), F(0.0)
    for n, (eh, el) in enumerate(ERF_J4):
        hit = _is(j, n)
        hi, lo = sel(hit, eh, hi), sel(hit, el, lo)
    v = sel(a < 6.0, hi + (lo + TWO_OVER_SQRTPI * (h * p)), 1.0)
    return sel(isnan(x), x, copysign(v, x))


# -------------------------------------------------------------- rem (fmod)


def _subtract_multiples(r, y):
    """r mod y for finite r >= 0 and normal y > 0, exactly: while r >= y, subtract the
    largest y * 2^j <= r (exact, as y 2^j <= r < 2 y 2^j). One pass per bit of r / y,
    so a scalar loop (scf.while) rather than a fixed unrolled count."""
    exp_mask, mant_mask = _iconst(0x7FF << 52), _iconst((1 << 52) - 1)
    loop = scf.WhileOp([_f64()], [r.v])
    before = loop.before.blocks.append(_f64())
    with ir.InsertionPoint(before):
        cur = F(before.arguments[0])
        scf.ConditionOp((cur >= y), [cur.v])
    after = loop.after.blocks.append(_f64())
    with ir.InsertionPoint(after):
        cur = F(after.arguments[0])
        bits = arith.ori(arith.andi(_bits(cur), exp_mask), arith.andi(_bits(y), mant_mask))
        yk = F(arith.bitcast(_f64(), bits))
        yk = sel(yk > cur, yk * 0.5, yk)
        scf.YieldOp([(cur - yk).v])
    return F(loop.results[0])


def fmod(x, y):
    """C fmod (NumPy's np.fmod), exact: the sign of x, NaN for x = +-inf or y = 0.
    IREE's CPU code flushes subnormals to zero (DAZ), so a subnormal y counts as 0."""
    ax, ay = fabs(x), fabs(y)
    bad = either(either(isnan(x), isnan(y)), either(ax.cmp("==", INF), ay < TINY))
    r = _subtract_multiples(sel(bad, 0.0, ax), sel(bad, 1.0, ay))
    return sel(bad, float("nan"), copysign(r, x))


RULES = {
    "irax.sin": sin, "irax.cos": cos, "irax.tan": tan,
    "irax.asin": asin, "irax.acos": acos, "irax.atan": atan, "irax.atan2": atan2,
    "irax.tanh": tanh, "irax.expm1": expm1, "irax.log1p": log1p, "irax.sinh": sinh,
    "irax.asinh": asinh, "irax.acosh": acosh, "irax.atanh": atanh,
    "irax.cbrt": cbrt, "irax.erf": erf, "irax.rem": fmod,
}
# ops IREE evaluates natively in f16 with poor polynomials: compute halves in f32
IN_F32_FOR_HALVES = {
    "irax.exp", "irax.exp2", "irax.log", "irax.log1p", "irax.expm1", "irax.tanh",
    "irax.logistic", "irax.sin", "irax.cos", "irax.tan", "irax.asin", "irax.acos",
    "irax.atan", "irax.atan2", "irax.sinh", "irax.cosh", "irax.asinh", "irax.acosh",
    "irax.atanh", "irax.rsqrt", "irax.cbrt", "irax.erf", "irax.pow",
}


# IREE's f32 sin/cos/tan have absolute errors (6e-8 near 0: sin(-8e-6) is 0.6% off;
# 3e-5 at 1e3, 0.3 at 1e7), its atan ~35 ulp; its sinh/asinh/atanh are (e^x - e^-x)/2, ...: 1e-3 relative
# error at 1e-5, 100% below 1e-7; acosh ~1000 ulp near 1. The formulas above, on f32
# (with IREE's f32 expm1/log1p, ~2 ulp), are accurate to a few ulp.
def _native(op):
    return lambda x: F(op(x.v))


F32_RULES = {
    "irax.sin": lambda x: sin(x, TRIG32),
    "irax.cos": lambda x: cos(x, TRIG32),
    "irax.tan": lambda x: tan(x, TRIG32),
    "irax.atan": lambda x: atan(x, ATAN32),
    "irax.atan2": lambda y, x: atan2(y, x, ATAN32),
    "irax.asinh": lambda x: asinh(x, log1p=_native(math.log1p)),
    "irax.acosh": lambda x: acosh(x, log1p=_native(math.log1p)),
    "irax.atanh": lambda x: atanh(x, log1p=_native(math.log1p)),
    "irax.cbrt": lambda x: _cbrt32(x),
}


def _cbrt32(x):
    """IREE's float32 cbrt is up to 11 ulp off (libm's, which XLA calls, <= 1): the
    float64 algorithm rounded once, or on a target without float64 one Newton step."""
    if FLOAT64_TARGET.get():
        return F(_in_f64(cbrt, x.v))
    y = F(math.cbrt(x.v))
    y = y - (y - x / (y * y)) * (1.0 / 3.0)
    return sel(either(x.cmp("==", 0.0), fabs(x).cmp("==", INF)), x, y)


def wrap(name, rule):
    """The SCALAR_RULES entry for `name`: RULES[name] on float64, F32_RULES[name] on
    float32, float16/bfloat16 computed as float32 and rounded, `rule` otherwise."""
    f64, f32 = RULES.get(name), F32_RULES.get(name)

    def wrapped(dtype, *xs):
        if dtype == "float64" and f64 is not None:
            return f64(*(F(x) for x in xs)).v
        if dtype == "float32" and f32 is not None:
            with _constants_of(ir.F32Type.get):
                return f32(*(F(x) for x in xs)).v
        if dtype in ("float16", "bfloat16") and name in IN_F32_FOR_HALVES:
            half, wide = xs[0].type, ir.F32Type.get()
            return arith.truncf(half, wrapped("float32", *(arith.extf(wide, x) for x in xs)))
        return rule(dtype, *xs)
    wrapped.__name__ = getattr(rule, "__name__", name)
    return wrapped
