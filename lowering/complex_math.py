"""Scalar semantics of the elementwise ops on complex elements.

Complex values stay `complex<f32>` / `complex<f64>` through the lowering: tensors,
data movement, matmuls and reductions carry MLIR's complex type, and IREE lowers
the `complex` dialect on every target. Arithmetic (add sub mul div neg conj eq ne
abs) is the dialect's own ops. The other functions are written here on the real and
imaginary parts with irax's real scalar rules, for three reasons found by compiling
each `complex.*` op with IREE 3.13: `complex.pow` and `complex.sign` fail on
vulkan-spirv; the dialect has no asin/acos/atan/sinh/cosh/asinh/acosh/atanh/exp2;
and composing on the parts reuses the real rules' fixes (f64 functions llvm-cpu has
no libm for, see f64_math.py), so complex128 compiles where float64 does.

`install(table)` makes each rule of `table` (SCALAR_RULES) dispatch complex dtypes
here; `convert` is convert_element_type to or from a complex dtype.
"""
from __future__ import annotations

import math as pymath

from iree.compiler import ir
from iree.compiler.dialects import arith
from iree.compiler.dialects import complex as cx

from irax.dialects.types import element_type, is_complex, real_dtype

_REAL = {}  # the real scalar rules (SCALAR_RULES before complex dispatch was added)


def _r(name, dtype, *xs):
    return _REAL[f"irax.{name}"](real_dtype(dtype), *xs)


def const(dtype: str, z) -> ir.Value:
    z = complex(z)
    ft = element_type(real_dtype(dtype))
    parts = ir.ArrayAttr.get([ir.FloatAttr.get(ft, z.real), ir.FloatAttr.get(ft, z.imag)])
    return cx.constant(element_type(dtype), parts)


def _rconst(dtype, x):
    ft = element_type(real_dtype(dtype))
    return arith.constant(ft, ir.FloatAttr.get(ft, float(x)))


def parts(z):
    return cx.re(z), cx.im(z)


def make(dtype, re, im):
    return cx.create_(element_type(dtype), re, im)


def select(dtype, p, a, b):
    """arith.select part by part (vulkan-spirv cannot legalize a select of complex values)."""
    (ar, ai), (br, bi) = parts(a), parts(b)
    return make(dtype, arith.select(p, ar, br), arith.select(p, ai, bi))


# ---- functions on the parts (x + iy)

def _exp(dtype, z):
    x, y = parts(z)
    e = _r("exp", dtype, x)
    return make(dtype, _r("mul", dtype, e, _r("cos", dtype, y)), _r("mul", dtype, e, _r("sin", dtype, y)))


def _log(dtype, z):
    x, y = parts(z)
    return make(dtype, _r("log", dtype, cx.abs(z)), _r("atan2", dtype, y, x))


def _log1p(dtype, z):
    """log|1 + z| as 0.5 log1p(2x + x^2 + y^2), accurate near z = 0."""
    x, y = parts(z)
    m = _r("add", dtype, _r("mul", dtype, _rconst(dtype, 2.0), x),
           _r("add", dtype, _r("mul", dtype, x, x), _r("mul", dtype, y, y)))
    small = _r("lt", dtype, _r("abs", dtype, m), _rconst(dtype, 0.5))
    re_small = _r("mul", dtype, _rconst(dtype, 0.5), _r("log1p", dtype, m))
    one = _r("add", dtype, x, _rconst(dtype, 1.0))
    re_big = _r("log", dtype, cx.abs(make(dtype, one, y)))
    return make(dtype, arith.select(small, re_small, re_big), _r("atan2", dtype, y, one))


def _expm1(dtype, z):
    """expm1(x) cos y - 2 sin^2(y/2) + i e^x sin y: exact near z = 0."""
    x, y = parts(z)
    s = _r("sin", dtype, _r("mul", dtype, y, _rconst(dtype, 0.5)))
    re = _r("sub", dtype, _r("mul", dtype, _r("expm1", dtype, x), _r("cos", dtype, y)),
            _r("mul", dtype, _rconst(dtype, 2.0), _r("mul", dtype, s, s)))
    return make(dtype, re, _r("mul", dtype, _r("exp", dtype, x), _r("sin", dtype, y)))


def _sinh(dtype, z):
    x, y = parts(z)
    return make(dtype, _r("mul", dtype, _r("sinh", dtype, x), _r("cos", dtype, y)),
                _r("mul", dtype, _r("cosh", dtype, x), _r("sin", dtype, y)))


def _cosh(dtype, z):
    x, y = parts(z)
    return make(dtype, _r("mul", dtype, _r("cosh", dtype, x), _r("cos", dtype, y)),
                _r("mul", dtype, _r("sinh", dtype, x), _r("sin", dtype, y)))


def _sin(dtype, z):
    x, y = parts(z)
    return make(dtype, _r("mul", dtype, _r("sin", dtype, x), _r("cosh", dtype, y)),
                _r("mul", dtype, _r("cos", dtype, x), _r("sinh", dtype, y)))


def _cos(dtype, z):
    x, y = parts(z)
    return make(dtype, _r("mul", dtype, _r("cos", dtype, x), _r("cosh", dtype, y)),
                _r("neg", dtype, _r("mul", dtype, _r("sin", dtype, x), _r("sinh", dtype, y))))


def _tanh(dtype, z):
    """(tanh x (1 + tan^2 y) + i tan y (1 - tanh^2 x)) / (1 + tanh^2 x tan^2 y):
    finite for large |x| (sinh/cosh would overflow)."""
    x, y = parts(z)
    t, u = _r("tanh", dtype, x), _r("tan", dtype, y)
    one = _rconst(dtype, 1.0)
    t2, u2 = _r("mul", dtype, t, t), _r("mul", dtype, u, u)
    d = _r("add", dtype, one, _r("mul", dtype, t2, u2))
    return make(dtype, _r("div", dtype, _r("mul", dtype, t, _r("add", dtype, one, u2)), d),
                _r("div", dtype, _r("mul", dtype, u, _r("sub", dtype, one, t2)), d))


def _tan(dtype, z):
    return _mul_i(dtype, _tanh(dtype, _mul_i(dtype, z)), -1)  # tan z = -i tanh(iz)


def _mul_i(dtype, z, sign=1):
    """z * (sign * i)."""
    x, y = parts(z)
    if sign > 0:
        return make(dtype, _r("neg", dtype, y), x)
    return make(dtype, y, _r("neg", dtype, x))


def _sqrt(dtype, z):
    """sqrt(z) = s + i y/(2s) with s = sqrt((|z| + |x|) / 2), the parts swapped for x < 0
    (no cancellation), as XLA's: sqrt(0) = +0 and an infinite y gives (inf, y)."""
    x, y = parts(z)
    zero, half, inf = _rconst(dtype, 0.0), _rconst(dtype, 0.5), _rconst(dtype, float("inf"))
    s = _r("sqrt", dtype, _r("mul", dtype, half, _r("add", dtype, cx.abs(z), _r("abs", dtype, x))))
    is_zero = _r("eq", dtype, s, zero)
    d = _r("div", dtype, y, _r("mul", dtype, _rconst(dtype, 2.0), arith.select(is_zero, _rconst(dtype, 1.0), s)))
    neg = _r("lt", dtype, x, zero)
    re = arith.select(neg, _r("abs", dtype, d), s)
    im = arith.select(neg, arith.select(_r("lt", dtype, y, zero), _r("neg", dtype, s), s), d)
    im = arith.select(is_zero, zero, im)
    y_inf = _r("eq", dtype, _r("abs", dtype, y), inf)
    return make(dtype, arith.select(y_inf, inf, re), arith.select(y_inf, y, im))


def _rsqrt(dtype, z):
    return cx.div(const(dtype, 1), _sqrt(dtype, z))


def _pow(dtype, a, b):
    """exp(b log a); a zero base gives 1 for b = 0, 0 for a real b > 0, NaN else (XLA's)."""
    out = _exp(dtype, cx.mul(b, _log(dtype, a)))
    br, bi = parts(b)
    zero = _rconst(dtype, 0.0)
    base0 = cx.eq(a, const(dtype, 0))
    pos_real = arith.andi(_r("gt", dtype, br, zero), _r("eq", dtype, bi, zero))
    at0 = select(dtype, cx.eq(b, const(dtype, 0)), const(dtype, 1),
                 select(dtype, pos_real, const(dtype, 0), const(dtype, complex("nan+nanj"))))
    return select(dtype, base0, at0, out)


def _sign(dtype, z):
    a = cx.abs(z)
    zero = _rconst(dtype, 0.0)
    safe = arith.select(_r("eq", dtype, a, zero), _rconst(dtype, 1.0), a)
    x, y = parts(z)
    return make(dtype, _r("div", dtype, x, safe), _r("div", dtype, y, safe))


def _exp2(dtype, z):
    return _exp(dtype, cx.mul(z, const(dtype, pymath.log(2.0))))


def _logistic(dtype, z):
    one = const(dtype, 1)
    return cx.div(one, cx.add(one, _exp(dtype, cx.neg(z))))


def _asinh(dtype, z):
    """log(z + sqrt(z^2 + 1)), on the right half plane (asinh is odd), so the sum never cancels."""
    x, _ = parts(z)
    neg = _r("lt", dtype, x, _rconst(dtype, 0.0))
    w = select(dtype, neg, cx.neg(z), z)
    r = _log(dtype, cx.add(w, _sqrt(dtype, cx.add(cx.mul(w, w), const(dtype, 1)))))
    return select(dtype, neg, cx.neg(r), r)


def _acosh(dtype, z):
    one = const(dtype, 1)
    return _log(dtype, cx.add(z, cx.mul(_sqrt(dtype, cx.add(z, one)), _sqrt(dtype, cx.sub(z, one)))))


def _atanh(dtype, z):
    return cx.mul(const(dtype, 0.5), cx.sub(_log1p(dtype, z), _log1p(dtype, cx.neg(z))))


def _asin(dtype, z):
    return _mul_i(dtype, _asinh(dtype, _mul_i(dtype, z)), -1)  # asin z = -i asinh(iz)


def _acos(dtype, z):
    return cx.sub(const(dtype, pymath.pi / 2), _asin(dtype, z))


def _atan(dtype, z):
    return _mul_i(dtype, _atanh(dtype, _mul_i(dtype, z)), -1)  # atan z = -i atanh(iz)


def _integer_pow(y):
    from irax.dialects.ops import integer_pow_by_squaring

    def rule(dtype, x):
        return integer_pow_by_squaring(x, y, cx.mul, lambda: const(dtype, 1),
                                       lambda a: cx.div(const(dtype, 1), a))
    return rule


RULES = {
    "irax.add": lambda dt, a, b: cx.add(a, b),
    "irax.sub": lambda dt, a, b: cx.sub(a, b),
    "irax.mul": lambda dt, a, b: cx.mul(a, b),
    "irax.div": lambda dt, a, b: cx.div(a, b),
    "irax.neg": lambda dt, a: cx.neg(a),
    "irax.abs": lambda dt, a: cx.abs(a),
    "irax.select": select,
    "irax.eq": lambda dt, a, b: cx.eq(a, b),
    "irax.ne": lambda dt, a, b: cx.neq(a, b),
    "irax.pow": _pow, "irax.sign": _sign,
    "irax.exp": _exp, "irax.exp2": _exp2, "irax.log": _log, "irax.log1p": _log1p,
    "irax.expm1": _expm1, "irax.logistic": _logistic,
    "irax.sin": _sin, "irax.cos": _cos, "irax.tan": _tan,
    "irax.sinh": _sinh, "irax.cosh": _cosh, "irax.tanh": _tanh,
    "irax.asin": _asin, "irax.acos": _acos, "irax.atan": _atan,
    "irax.asinh": _asinh, "irax.acosh": _acosh, "irax.atanh": _atanh,
    "irax.sqrt": _sqrt, "irax.rsqrt": _rsqrt,
    # the construction and parts ops (dialects/complex_ops.py); `dt` is the last operand's
    "irax.real": lambda dt, z: cx.re(z),
    "irax.imag": lambda dt, z: cx.im(z),
    "irax.conj": lambda dt, z: cx.conj(z),
    "irax.complex": lambda dt, re, im: make("complex128" if dt == "float64" else "complex64",
                                            re, im),
}
_ONLY_COMPLEX = ("irax.real", "irax.imag", "irax.conj", "irax.complex")


def _dispatch(name, real_rule):
    rule = RULES[name]

    def dispatched(dtype, *xs):
        if is_complex(dtype):
            return rule(dtype, *xs)
        return real_rule(dtype, *xs)
    return dispatched


def install(table: dict) -> None:
    """Make `table`'s rules handle complex operands (and add the complex-only ops)."""
    _REAL.update(table)
    for name in RULES:
        table[name] = RULES[name] if name in _ONLY_COMPLEX else _dispatch(name, table[name])


def integer_pow(y, dtype, x):
    """x**y for a complex x, by integer_pow's square-and-multiply order."""
    return _integer_pow(y)(dtype, x)


def convert(x, src: str, dst: str, real_convert):
    """convert_element_type with a complex side: real -> complex gets a zero imaginary
    part; complex -> real keeps the real part (as XLA converts)."""
    if is_complex(src) and is_complex(dst):
        re, im = parts(x)
        rs, rd = real_dtype(src), real_dtype(dst)
        return make(dst, real_convert(re, rs, rd), real_convert(im, rs, rd))
    if dst == "bool":
        return cx.neq(x, const(src, 0))
    if is_complex(src):
        return real_convert(cx.re(x), real_dtype(src), dst)
    rd = real_dtype(dst)
    re = real_convert(x, src, rd)
    return make(dst, re, _rconst(dst, 0.0))
