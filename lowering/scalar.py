"""Scalar semantics of the elementwise irax ops, as arith/math on one element.

`SCALAR_RULES[name](dtype, *xs)` builds the scalar computation of op `name`
inside a linalg.generic body; `dtype` is the operands' irax dtype (which says
signed, unsigned or float).  `convert_scalar` is shared with the reductions.
"""
from __future__ import annotations

from iree.compiler import ir
from iree.compiler.dialects import arith, math

from irax.dialects.ops import RuleTable, integer_pow_by_squaring
from irax.dialects.types import UNSIGNED, is_complex, is_float

from . import complex_math, f64_math, xla_f32_math
from .builders import scalar_const, signless_element


def _pred(name):
    return ir.IntegerAttr.get(ir.IntegerType.get_signless(64), name)


CMPF = {"eq": 1, "gt": 2, "ge": 3, "lt": 4, "le": 5, "ne": 13}  # oeq ogt oge olt ole une
CMPI_S = {"eq": 0, "ne": 1, "lt": 2, "le": 3, "gt": 4, "ge": 5}
CMPI_U = {"eq": 0, "ne": 1, "lt": 6, "le": 7, "gt": 8, "ge": 9}


def compare(kind: str, dtype: str, a, b):
    if is_float(dtype):
        return arith.cmpf(_pred(CMPF[kind]), a, b)
    table = CMPI_U if dtype in UNSIGNED or dtype == "bool" else CMPI_S
    return arith.cmpi(_pred(table[kind]), a, b)


def _by_kind(f, s, u=None):
    """Pick the float / signed / unsigned arith op by dtype."""
    def rule(dtype, *xs):
        if is_float(dtype):
            return f(*xs)
        if dtype in UNSIGNED or dtype == "bool":
            return (u or s)(*xs)
        return s(*xs)
    return rule


def _float_only(f):
    return lambda dtype, *xs: f(*xs)


def _neg(dtype, x):
    if is_float(dtype):
        return arith.negf(x)
    return arith.subi(scalar_const(dtype, 0), x)


def _sign(dtype, x):
    zero, one, mone = (scalar_const(dtype, v) for v in (0, 1, -1))
    if dtype in UNSIGNED:
        return arith.select(compare("gt", dtype, x, zero), one, zero)
    pos = arith.select(compare("gt", dtype, x, zero), one, x)
    return arith.select(compare("lt", dtype, x, zero), mone, pos)


def _is_finite(dtype, x):
    """|x| < inf (false for NaN), by a compare: math.isfinite lowers to LLVM's
    is.fpclass, which IREE's CPU codegen rejects on 2-D vectors."""
    return compare("lt", dtype, math.absf(x), scalar_const(dtype, float("inf")))


def _logistic(dtype, x):
    one = scalar_const(dtype, 1.0)
    return arith.divf(one, arith.addf(one, math.exp(arith.negf(x))))


def _not(dtype, x):
    return arith.xori(x, scalar_const(dtype, -1 if dtype != "bool" else 1))


def _int_division(dtype, a, b, signed_op, unsigned_op, on_zero, on_overflow):
    """Integer div/rem without UB, as XLA defines them: x/0 = -1, x%0 = x,
    INT_MIN/-1 = INT_MIN, INT_MIN%-1 = 0 (the hardware would trap or give poison)."""
    zero, one = scalar_const(dtype, 0), scalar_const(dtype, 1)
    by_zero = compare("eq", dtype, b, zero)
    if dtype in UNSIGNED or dtype == "bool":
        safe = arith.select(by_zero, one, b)
        return arith.select(by_zero, on_zero(a), unsigned_op(a, safe))
    bits = ir.IntegerType(signless_element(dtype)).width
    overflow = arith.andi(compare("eq", dtype, a, scalar_const(dtype, -(1 << (bits - 1)))),
                          compare("eq", dtype, b, scalar_const(dtype, -1)))
    bad = arith.ori(by_zero, overflow)
    out = signed_op(a, arith.select(bad, one, b))
    return arith.select(by_zero, on_zero(a), arith.select(overflow, on_overflow(a), out))


def _div(dtype, a, b):
    if is_float(dtype):
        return arith.divf(a, b)
    return _int_division(dtype, a, b, arith.divsi, arith.divui,
                         lambda a: scalar_const(dtype, -1), lambda a: a)


def _rem(dtype, a, b):
    """C's fmod / remainder: the result takes the sign of the dividend."""
    if is_float(dtype):
        return arith.remf(a, b)
    return _int_division(dtype, a, b, arith.remsi, arith.remui,
                         lambda a: a, lambda a: scalar_const(dtype, 0))


def _pow(dtype, a, b):
    if is_float(dtype):
        return _float_pow(dtype, a, b)
    return _int_pow(dtype, a, b)


def _float_pow(dtype, a, b):
    """C99/XLA pow: powf on |a|, then the special cases its exp(b log a) expansion gets
    wrong: x^0 = 1 and 1^y = 1 (even for NaN and infinities), (-1)^+-inf = 1, the sign
    of an odd integral power of a negative base (-0 included), and NaN for a finite
    negative base to a non-integral power."""
    zero, half, one = scalar_const(dtype, 0.0), scalar_const(dtype, 0.5), scalar_const(dtype, 1.0)
    inf = scalar_const(dtype, float("inf"))
    sign_bit = arith.cmpi(_pred(CMPI_S["lt"]), arith.bitcast(_int_type(dtype), a),
                          arith.constant(_int_type(dtype), 0))
    mag = _pow_magnitude(dtype, math.absf(a), b)
    integral = compare("eq", dtype, math.floor(b), b)
    bh = arith.mulf(b, half)
    odd = arith.andi(integral, compare("ne", dtype, math.floor(bh), bh))
    out = arith.select(arith.andi(sign_bit, odd), arith.negf(mag), mag)
    finite_neg = arith.andi(compare("lt", dtype, a, zero), compare("gt", dtype, a, arith.negf(inf)))
    out = arith.select(arith.andi(finite_neg, arith.xori(integral, _true())),
                       scalar_const(dtype, float("nan")), out)
    is_one = arith.ori(compare("eq", dtype, b, zero), compare("eq", dtype, a, one))
    minus_one_inf = arith.andi(compare("eq", dtype, a, arith.negf(one)),
                               compare("eq", dtype, math.absf(b), inf))
    return arith.select(arith.ori(is_one, minus_one_inf), one, out)


def _pow_magnitude(dtype, a, b):
    """a**b for a >= 0.  float32 is computed in float64 and rounded once where the
    target has float64 (libm's powf, which XLA calls, is correctly rounded almost
    always; IREE's float32 powf was 1-2 ulp off on two thirds of inputs)."""
    if dtype == "float32" and f64_math.FLOAT64_TARGET.get():
        f32, f64 = ir.F32Type.get(), ir.F64Type.get()
        return arith.truncf(f32, math.powf(arith.extf(f64, a), arith.extf(f64, b)))
    return math.powf(a, b)


def _int_type(dtype):
    return ir.IntegerType.get_signless(_fwidth(dtype))


def _true():
    return arith.constant(ir.IntegerType.get_signless(1), 1)


def _int_pow(dtype, a, b):
    """Square-and-multiply over the exponent's bits (IREE cannot lower math.ipowi).
    Negative exponents give 0, except for bases 1 and -1, as in XLA."""
    bits = ir.IntegerType(signless_element(dtype)).width
    one, zero = scalar_const(dtype, 1), scalar_const(dtype, 0)
    acc, base, e = one, a, b
    n = bits - (0 if dtype in UNSIGNED else 1)  # the sign bit is handled below
    for i in range(n):
        bit = compare("ne", dtype, arith.andi(e, one), zero)
        acc = arith.select(bit, arith.muli(acc, base), acc)
        if i + 1 < n:
            base = arith.muli(base, base)
            e = arith.shrui(e, one)
    if dtype in UNSIGNED or dtype == "bool":
        return acc
    odd = compare("ne", dtype, arith.andi(b, one), zero)
    mone = scalar_const(dtype, -1)
    on_neg = arith.select(compare("eq", dtype, a, one), one,
                          arith.select(compare("eq", dtype, a, mone),
                                       arith.select(odd, mone, one), zero))
    return arith.select(compare("lt", dtype, b, zero), on_neg, acc)


def _shift(op):
    """Shifts by >= the bit width give 0 (or the sign for arithmetic), as in XLA."""
    def rule(dtype, a, b):
        bits = ir.IntegerType(signless_element(dtype)).width
        width = scalar_const(dtype, bits)
        # unsigned compare: negative shift amounts are out of range too
        in_range = arith.cmpi(_pred(CMPI_U["lt"]), b, width)
        shifted = op(a, b)
        if op is arith.shrsi:
            fill = arith.shrsi(a, scalar_const(dtype, bits - 1))
        else:
            fill = scalar_const(dtype, 0)
        return arith.select(in_range, shifted, fill)
    return rule


def _integer_pow(y):
    def rule(dtype, x):
        if is_complex(dtype):
            return complex_math.integer_pow(y, dtype, x)
        one = scalar_const(dtype, 1)
        mul = arith.mulf if is_float(dtype) else arith.muli
        div = arith.divf if is_float(dtype) else arith.divsi
        return integer_pow_by_squaring(x, y, mul, lambda: one, lambda a: div(one, a))
    return rule


def _round(dtype, x):
    return math.roundeven(x)


SCALAR_RULES = RuleTable("scalar", {
    "irax.add": _by_kind(arith.addf, arith.addi),
    "irax.sub": _by_kind(arith.subf, arith.subi),
    "irax.mul": _by_kind(arith.mulf, arith.muli),
    "irax.div": _div,
    "irax.rem": _rem,
    "irax.pow": _pow,
    "irax.max": _by_kind(arith.maximumf, arith.maxsi, arith.maxui),
    "irax.min": _by_kind(arith.minimumf, arith.minsi, arith.minui),
    "irax.atan2": _float_only(math.atan2),
    "irax.and": _by_kind(None, arith.andi),
    "irax.or": _by_kind(None, arith.ori),
    "irax.xor": _by_kind(None, arith.xori),
    "irax.shift_left": _shift(arith.shli),
    "irax.shift_right_logical": _shift(arith.shrui),
    "irax.shift_right_arithmetic": _shift(arith.shrsi),
    "irax.neg": _neg,
    "irax.abs": _by_kind(math.absf, math.absi),
    "irax.sign": _sign,
    "irax.not": _not,
    "irax.population_count": lambda dtype, x: math.ctpop(x),
    "irax.exp": _float_only(math.exp),
    "irax.exp2": _float_only(math.exp2),
    "irax.log": _float_only(math.log),
    "irax.log1p": _float_only(math.log1p),
    "irax.expm1": _float_only(math.expm1),
    "irax.tanh": _float_only(math.tanh),
    "irax.logistic": _logistic,
    "irax.sin": _float_only(math.sin),
    "irax.cos": _float_only(math.cos),
    "irax.tan": _float_only(math.tan),
    "irax.asin": _float_only(math.asin),
    "irax.acos": _float_only(math.acos),
    "irax.atan": _float_only(math.atan),
    "irax.sinh": _float_only(math.sinh),
    "irax.cosh": _float_only(math.cosh),
    "irax.asinh": _float_only(math.asinh),
    "irax.acosh": _float_only(math.acosh),
    "irax.atanh": _float_only(math.atanh),
    "irax.sqrt": _float_only(math.sqrt),
    "irax.rsqrt": _float_only(math.rsqrt),
    "irax.cbrt": _float_only(math.cbrt),  # every float dtype takes f64_math's rule
    "irax.erf": _float_only(math.erf),
    "irax.floor": _float_only(math.floor),
    "irax.ceil": _float_only(math.ceil),
    "irax.round": _round,
    "irax.is_finite": _is_finite,
})
f64_math.F32_RULES.update(xla_f32_math.RULES)  # float32 log/log1p/expm1/erf as XLA's CPU
# f64 functions llvm-cpu has no libm for, and halves computed in f32 (f64_math.py)
for _name in f64_math.RULES.keys() | f64_math.IN_F32_FOR_HALVES:
    SCALAR_RULES[_name] = f64_math.wrap(_name, SCALAR_RULES[_name])
for _k in CMPF:
    SCALAR_RULES[f"irax.{_k}"] = (lambda k: lambda dtype, a, b: compare(k, dtype, a, b))(_k)
SCALAR_RULES["irax.select"] = lambda dtype, p, a, b: arith.select(p, a, b)


def clamp_rule(dtype, lo, x, hi):
    mx, mn = SCALAR_RULES["irax.max"], SCALAR_RULES["irax.min"]
    return mn(dtype, mx(dtype, x, lo), hi)


SCALAR_RULES["irax.clamp"] = clamp_rule
complex_math.install(SCALAR_RULES)  # complex operands dispatch to complex_math.py


def convert_scalar(x, src: str, dst: str):
    """convert_element_type on one element."""
    if src == dst:
        return x
    if is_complex(src) or is_complex(dst):
        return complex_math.convert(x, src, dst, convert_scalar)
    st, dt = signless_element(src), signless_element(dst)
    if dst == "bool":
        return compare("ne", src, x, scalar_const(src, 0))
    if is_float(src) and is_float(dst):
        sw, dw = _fwidth(src), _fwidth(dst)
        if sw == dw:  # f16 <-> bf16
            return arith.truncf(dt, arith.extf(ir.F32Type.get(), x))
        return arith.extf(dt, x) if dw > sw else arith.truncf(dt, x)
    if is_float(dst):
        return (arith.uitofp if src in UNSIGNED or src == "bool" else arith.sitofp)(dt, x)
    if is_float(src):
        return _saturating_fptoi(x, src, dst)
    sw, dw = ir.IntegerType(st).width, ir.IntegerType(dt).width
    if sw == dw:
        return x
    if dw < sw:
        return arith.trunci(dt, x)
    return (arith.extui if src in UNSIGNED or src == "bool" else arith.extsi)(dt, x)


def _saturating_fptoi(x, src: str, dst: str):
    """float -> int as XLA converts: out-of-range values saturate to the type's
    limits, NaN gives 0 (a bare fptosi/fptoui is poison there)."""
    bits = ir.IntegerType(signless_element(dst)).width
    unsigned = dst in UNSIGNED
    lo, hi = (0, 2 ** bits) if unsigned else (-2 ** (bits - 1), 2 ** (bits - 1))
    r = (arith.fptoui if unsigned else arith.fptosi)(signless_element(dst), x)
    r = arith.select(compare("ge", src, x, scalar_const(src, float(hi))), scalar_const(dst, hi - 1), r)
    r = arith.select(compare("lt", src, x, scalar_const(src, float(lo))), scalar_const(dst, lo), r)
    return arith.select(compare("ne", src, x, x), scalar_const(dst, 0), r)


def _fwidth(dtype):
    return {"float16": 16, "bfloat16": 16, "float32": 32, "float64": 64}[dtype]


def bitcast_scalar(x, dst: str):
    return arith.bitcast(signless_element(dst), x)
