"""float32 log, log1p, expm1, erf, sinh and cosh as XLA's CPU backend computes them.

JAX users compare against JAX on CPU, where XLA evaluates these functions
with its own formulas: Cephes' logf polynomial, log1p's rational
approximation near 0, expm1 as tanh(x/2) * (exp(x) + 1) for |x| <= 1/2, and
an odd/even rational for erf, sinh and cosh from exp(x + log 1/2).  IREE's own float32 versions differ from them
by 1–5 ulp on a third of all inputs, so these rules build XLA's formulas from
arithmetic, in XLA's order of operations (each `a * b + c` becomes one fused
multiply-add, as in XLA; IREE's LLVM backend contracts them the same way),
which makes irax's values JAX's values bit for bit on CPU.  exp and tanh are
IREE's (already identical to XLA's).
"""
from __future__ import annotations

import numpy as np
from iree.compiler import ir
from iree.compiler.dialects import arith, math

from .f64_math import F, fabs, sel

_LOG_P = (7.0376836292e-2, -1.1514610310e-1, 1.1676998740e-1, -1.2420140846e-1,
          1.4249322787e-1, -1.6668057665e-1, 2.0000714765e-1, -2.4999993993e-1,
          3.3333331174e-1)  # Cephes' logf
_LOG_Q1, _LOG_Q2 = -2.12194440e-4, 0.693359375  # ln 2 = Q2 + Q1, split for exactness
_LOG1P_NUM = (4.5270000862445199635215e-5, 4.9854102823193375972212e-1,
              6.5787325942061044846969e0, 2.9911919328553073277375e1,
              6.0949667980987787057556e1, 5.7112963590585538103336e1,
              2.0039553499201281259648e1)
_LOG1P_DEN = (1.0, 1.5062909083469192043167e1, 8.3047565967967209469434e1,
              2.2176239823732856465394e2, 3.0909872225312059774938e2,
              2.1642788614495947685003e2, 6.0118660497603843919306e1)
_ERF_ALPHA = (0.00022905065861350646, 0.0034082910107109506, 0.050955695062380861,
              0.18520832239976145, 1.128379143519084)
_ERF_BETA = (-1.1791602954361697e-7, 0.000023547966471313185, 0.0010179625278914885,
             0.014070470171167667, 0.11098505178285362, 0.49746925110067538, 1.0)


def _c(value):
    """A float32 constant, rounded to float32 first (as XLA's are)."""
    return F(float(np.float32(value)))


def _i32(value):
    t = ir.IntegerType.get_signless(32)
    return arith.constant(t, ir.IntegerAttr.get(t, int(np.array(value, np.uint32).view(np.int32))))


def _horner(x, coeffs):
    p = _c(coeffs[0])
    for c in coeffs[1:]:
        p = p * x + _c(c)
    return p


def log(v):
    """Exponent and mantissa in [sqrt(1/2), sqrt(2)), then Cephes' polynomial in three
    interleaved chains."""
    i32, f32 = ir.IntegerType.get_signless(32), ir.F32Type.get()
    tiny = _c(np.finfo(np.float32).tiny)
    b = arith.bitcast(i32, F(arith.maximumf(v.v, tiny.v)).v)
    e = F(arith.uitofp(f32, arith.shrui(b, _i32(23)))) - _c(126.0)
    m = F(arith.bitcast(f32, arith.ori(arith.andi(b, _i32(0x807FFFFF)), _i32(0x3F000000))))
    low = m < F(float(np.array(0x3F3504F3, np.uint32).view(np.float32)))  # sqrt(1/2)
    x = (m - _c(1.0)) + sel(low, m, _c(0.0))
    e = e - sel(low, _c(1.0), _c(0.0))
    x2 = x * x
    x3 = x2 * x
    p = [_c(c) for c in _LOG_P]
    y, y1, y2 = x * p[0] + p[1], x * p[3] + p[4], x * p[6] + p[7]
    y, y1, y2 = y * x + p[2], y1 * x + p[5], y2 * x + p[8]
    y = y * x3 + y1
    y = y * x3 + y2
    y = y * x3 + _c(_LOG_Q1) * e
    r = (x - _c(0.5) * x2) + y
    r = r + _c(_LOG_Q2) * e
    r = sel(v > _c(0.0), r, _c(np.nan))
    r = sel(v.cmp("==", _c(np.inf)), v, r)
    return sel(v.cmp("==", _c(0.0)), _c(-np.inf), r)


def log1p(x):
    """log(1 + x); near 0 (|x| < sqrt(2) - 1) Cephes' rational approximation."""
    x2 = x * x
    t = (x * x2) * (_horner(x, _LOG1P_NUM) / _horner(x, _LOG1P_DEN))
    # XLA rounds t before adding it: fma(-0.5, x2, t), never a fma of t's product
    small = x + F(math.fma(_c(-0.5).v, x2.v, t.v))
    return sel(fabs(x) < _c(0.41421356237309504880), small, log(x + _c(1.0)))


def expm1(x):
    """exp(x) - 1 for |x| > 1/2, else tanh(x/2) * (exp(x) + 1); x where x/2 underflows."""
    half = x * _c(0.5)
    e = F(math.exp(x.v))
    small = F(math.tanh(half.v)) * (e + _c(1.0))
    r = sel(fabs(x) > _c(0.5), e - _c(1.0), small)
    return sel(half.cmp("==", _c(0.0)), x, r)


_LOG_HALF = float(np.float32(np.log(0.5)))


def cosh(x):
    """e^(x + log 1/2) + e^(-x + log 1/2): finite up to |x| = 89.4, where e^x is not."""
    return F(math.exp((x + F(_LOG_HALF)).v)) + F(math.exp((F(_LOG_HALF) - x).v))


def sinh(x):
    """(e + e / (e + 1)) / 2 with e = expm1(x) for |x| < 1; else cosh's two halves."""
    e = expm1(x)
    small = (e + e / (e + _c(1.0))) * _c(0.5)
    large = F(math.exp((x + F(_LOG_HALF)).v)) - F(math.exp((F(_LOG_HALF) - x).v))
    return sel(fabs(x) < _c(1.0), small, large)


def erf(x):
    """An odd/even rational in x^2; +-1 beyond |x| = 3.8325."""
    x2 = x * x
    p = x * _horner(x2, _ERF_ALPHA)
    q = _horner(x2, _ERF_BETA)
    one = sel(x < _c(0.0), _c(-1.0), _c(1.0))
    return sel(_c(3.832506856900711) <= fabs(x), one, p / q)


RULES = {"irax.log": log, "irax.log1p": log1p, "irax.expm1": expm1, "irax.erf": erf,
         "irax.sinh": sinh, "irax.cosh": cosh}
