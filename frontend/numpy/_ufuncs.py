"""Elementwise irax.numpy functions: promotion and broadcasting, then lax."""
from __future__ import annotations

import numpy as np

from irax.dialects.types import COMPLEX, FLOATS, INEXACT, INTEGERS

from .. import dtypes, lax
from ..core import user_line
from ..custom_derivatives import custom_jvp
from ._core import asarray, broadcast_arrays, promote, promote_and_broadcast, result_type


def _to_float(x):
    """Integer and bool inputs of float (or complex) functions become the default float."""
    x = asarray(x)
    if x.aval.dtype not in INEXACT:
        weak = x.weak_type
        x = lax.convert_element_type(x, dtypes.default_float())
        x.weak_type = weak
    return x


def _float_unary(prim, name):
    def f(x, /):
        return prim(_to_float(x))
    f.__name__ = name
    return f


exp = _float_unary(lax.exp, "exp")
exp2 = _float_unary(lax.exp2, "exp2")
log = _float_unary(lax.log, "log")
log1p = _float_unary(lax.log1p, "log1p")
expm1 = _float_unary(lax.expm1, "expm1")
tanh = _float_unary(lax.tanh, "tanh")
sin = _float_unary(lax.sin, "sin")
cos = _float_unary(lax.cos, "cos")
tan = _float_unary(lax.tan, "tan")
arcsin = _float_unary(lax.asin, "arcsin")
arccos = _float_unary(lax.acos, "arccos")
arctan = _float_unary(lax.atan, "arctan")
sinh = _float_unary(lax.sinh, "sinh")
cosh = _float_unary(lax.cosh, "cosh")
arcsinh = _float_unary(lax.asinh, "arcsinh")
arccosh = _float_unary(lax.acosh, "arccosh")
arctanh = _float_unary(lax.atanh, "arctanh")
sqrt = _float_unary(lax.sqrt, "sqrt")
cbrt = _float_unary(lax.cbrt, "cbrt")


def log2(x, /):
    x = _to_float(x)
    return lax.div(lax.log(x), np.log(2.0))


def log10(x, /):
    x = _to_float(x)
    return lax.div(lax.log(x), np.log(10.0))


def _keep_int(prim, name):
    """floor/ceil/round are the identity on integers, as in NumPy."""
    def f(x, /):
        x = asarray(x)
        return x if x.aval.dtype not in FLOATS else prim(x)
    f.__name__ = name
    return f


floor = _keep_int(lax.floor, "floor")
ceil = _keep_int(lax.ceil, "ceil")
trunc = _keep_int(lambda x: lax.select(lax.lt(x, 0.0), lax.ceil(x), lax.floor(x)), "trunc")
fix = trunc


def round(a, decimals=0):
    a = asarray(a)
    if a.aval.dtype not in FLOATS:
        return a
    if decimals == 0:
        return lax.round(a, lax.RoundingMethod.TO_NEAREST_EVEN)
    factor = 10.0 ** decimals
    return lax.div(lax.round(lax.mul(a, factor), lax.RoundingMethod.TO_NEAREST_EVEN), factor)


around = round


def rint(x, /):
    """Round half to even; integers become the default float, as in JAX."""
    return lax.round(_to_float(x), lax.RoundingMethod.TO_NEAREST_EVEN)


def fabs(x, /):
    return lax.abs(_to_float(x))


def _no_bool(op, x, hint):
    """NumPy and JAX have no boolean negation or subtraction."""
    if x.aval.dtype == "bool":
        raise TypeError(f"{op} does not accept dtype bool; {hint} (at {user_line()})")
    return x


def negative(x, /):
    return lax.neg(_no_bool("negative", asarray(x), "use logical_not (the ~ operator)"))


def positive(x, /):
    return asarray(x)


def absolute(x, /):
    x = asarray(x)
    return x if x.aval.dtype == "bool" or x.aval.dtype.startswith("uint") else lax.abs(x)


abs = absolute


def sign(x, /):
    return lax.sign(_no_bool("sign", asarray(x), "convert it to a number first"))


def square(x, /):
    x = asarray(x)
    if x.aval.dtype == "bool":
        x = lax.convert_element_type(x, dtypes.default_int())
    return lax.integer_pow(x, 2)


def reciprocal(x, /):
    x = _to_float(x)
    return lax.div(1.0, x)


def _binary(prim, name, to_float=False):
    def f(x1, x2, /):
        a, b = promote_and_broadcast(x1, x2, op=name)
        if to_float and a.aval.dtype not in INEXACT:
            a, b = _to_float(a), _to_float(b)
        return prim(a, b)
    f.__name__ = name
    return f




def subtract(x1, x2, /):
    a, b = promote_and_broadcast(x1, x2, op="subtract")
    _no_bool("subtract", a, "use logical_xor (the ^ operator)")
    return lax.sub(a, b)


def true_divide(x1, x2, /):
    """x1 / x2.  A divisor that is broadcast (a scalar, a row) divides as a multiply by
    its broadcast reciprocal, as XLA rewrites it under JAX (dialects/simplify.py makes
    the same rewrite in compiled code), so eager quotients are JAX's bit for bit."""
    a, b = promote(x1, x2, op="true_divide")
    if a.aval.dtype not in INEXACT:
        a, b = _to_float(a), _to_float(b)
    a, wide_b = broadcast_arrays(a, b, op="true_divide")
    if wide_b.aval.shape == b.aval.shape or b.aval.dtype not in FLOATS:
        return lax.div(a, wide_b)
    one = asarray(np.ones((), b.aval.dtype if b.aval.dtype != "bfloat16" else np.float32),
                  b.aval.dtype)
    recip = lax.div(lax.broadcast_in_dim(one, b.aval.shape, ()), b)
    recip.weak_type = b.weak_type
    wide = broadcast_arrays(a, recip, op="true_divide")[1]
    return lax.mul(a, wide)


divide = true_divide
maximum = _binary(lax.max, "maximum")
minimum = _binary(lax.min, "minimum")
arctan2 = _binary(lax.atan2, "arctan2", to_float=True)
equal = _binary(lax.eq, "equal")
not_equal = _binary(lax.ne, "not_equal")
less = _binary(lax.lt, "less")
less_equal = _binary(lax.le, "less_equal")
greater = _binary(lax.gt, "greater")
greater_equal = _binary(lax.ge, "greater_equal")
bitwise_and = _binary(lax.bitwise_and, "bitwise_and")
bitwise_or = _binary(lax.bitwise_or, "bitwise_or")
bitwise_xor = _binary(lax.bitwise_xor, "bitwise_xor")
left_shift = _binary(lax.shift_left, "left_shift")
right_shift = _binary(lambda a, b: lax.shift_right_logical(a, b) if a.aval.dtype.startswith("uint")
                      else lax.shift_right_arithmetic(a, b), "right_shift")


def _bool_or_arith(arith, logic, name):
    def f(x1, x2, /):
        a, b = promote_and_broadcast(x1, x2, op=name)
        return logic(a, b) if a.aval.dtype == "bool" else arith(a, b)
    f.__name__ = name
    return f


add = _bool_or_arith(lax.add, lax.bitwise_or, "add")
multiply = _bool_or_arith(lax.mul, lax.bitwise_and, "multiply")


def bitwise_not(x, /):
    return lax.bitwise_not(asarray(x))


invert = bitwise_not


def logical_not(x, /):
    x = asarray(x)
    return lax.bitwise_not(x) if x.aval.dtype == "bool" else lax.eq(x, 0)


def _logical(prim, name):
    def f(x1, x2, /):
        a, b = asarray(x1), asarray(x2)
        a = a if a.aval.dtype == "bool" else lax.ne(a, 0)
        b = b if b.aval.dtype == "bool" else lax.ne(b, 0)
        a, b = promote_and_broadcast(a, b, op=name)
        return prim(a, b)
    f.__name__ = name
    return f


logical_and = _logical(lax.bitwise_and, "logical_and")
logical_or = _logical(lax.bitwise_or, "logical_or")
logical_xor = _logical(lax.bitwise_xor, "logical_xor")


def _promote_numeric(x1, x2, op):
    """Promoted, broadcast operands; bools become the default int (JAX's numeric promotion)."""
    a, b = promote_and_broadcast(x1, x2, op=op)
    if a.aval.dtype == "bool":
        weak = a.weak_type
        a, b = (lax.convert_element_type(v, dtypes.default_int()) for v in (a, b))
        a.weak_type = b.weak_type = weak
    return a, b


def _nonzero_divisor(b):
    """Integer divisors of 0 become 1, so x % 0 = fmod(x, 0) = 0, as in JAX."""
    if b.aval.dtype in FLOATS:
        return b
    return lax.select(lax.eq(b, 0), _const_like(b, 1), b)


def _float_divmod(a, b):
    """(floor(a / b), a mod b) from fmod, as JAX computes them: exact, with
    floor_divide(-5, inf) = -1 and floor_divide(inf, 2) = nan."""
    mod = lax.rem(a, b)
    div = lax.div(lax.select(lax.eq(b, 0.0), a, lax.sub(a, mod)), b)  # x / 0 stays +-inf
    fix = lax.bitwise_and(lax.ne(mod, 0.0), lax.ne(lax.sign(b), lax.sign(mod)))
    mod = lax.select(fix, lax.add(mod, b), mod)
    div = lax.select(fix, lax.sub(div, 1.0), div)
    return lax.round(div, lax.RoundingMethod.TO_NEAREST_EVEN), mod


def floor_divide(x1, x2, /):
    a, b = _promote_numeric(x1, x2, "floor_divide")
    if a.aval.dtype in FLOATS:
        return _float_divmod(a, b)[0]
    q = lax.div(a, b)
    if a.aval.dtype.startswith("uint"):
        return q
    adjust = lax.bitwise_and(lax.ne(lax.sign(a), lax.sign(b)), lax.ne(lax.rem(a, b), 0))
    return lax.select(adjust, lax.sub(q, 1), q)


def remainder(x1, x2, /):
    a, b = _promote_numeric(x1, x2, "remainder")
    b = _nonzero_divisor(b)
    r = lax.rem(a, b)
    fix_sign = lax.bitwise_and(lax.ne(r, 0), lax.ne(lax.lt(r, 0), lax.lt(b, 0)))
    return lax.select(fix_sign, lax.add(r, b), r)


mod = remainder


def fmod(x1, x2, /):
    bools = result_type(x1, x2) == "bool"
    a, b = _promote_numeric(x1, x2, "fmod")
    # JAX keeps lax.rem's x % 0 = x for bools (its zero-divisor guard checks the unpromoted type)
    return lax.rem(a, b if bools else _nonzero_divisor(b))


def divmod(x1, x2, /):
    a, b = _promote_numeric(x1, x2, "divmod")
    if a.aval.dtype in FLOATS:
        return _float_divmod(a, b)
    return floor_divide(a, b), remainder(a, b)


def power(x1, x2, /):
    if isinstance(x2, (int, np.integer)) and not isinstance(x2, (bool, np.bool_)):
        a = asarray(x1)
        if a.aval.dtype == "bool":
            a = lax.convert_element_type(a, dtypes.default_int())
        if a.aval.dtype in INTEGERS and x2 < 0:
            raise TypeError(f"power: integers cannot be raised to negative powers, got "
                            f"{a.aval.str_short()} ** {int(x2)} (at {user_line()})")
        return lax.integer_pow(a, int(x2))
    a, b = _promote_numeric(x1, x2, "power")
    return lax.pow(a, b)


pow = power


def float_power(x1, x2, /):
    return power(_to_float(x1), _to_float(x2))


def _float_pair(x1, x2, op):
    a, b = promote_and_broadcast(x1, x2, op=op)
    return _to_float(a), _to_float(b)


def _const_like(x, value):
    """A constant of x's shape and dtype (x - x + c would be NaN where x is infinite)."""
    return lax.broadcast_in_dim(asarray(value, dtype=x.aval.dtype), x.aval.shape, ())


def hypot(x1, x2, /):
    """max * sqrt(1 + (min/max)^2): no overflow or underflow in the squares."""
    a, b = _float_pair(x1, x2, "hypot")
    a, b = lax.abs(a), lax.abs(b)
    hi, lo = lax.max(a, b), lax.min(a, b)
    hi_is_zero = lax.eq(hi, 0.0)
    ratio = lax.div(lo, lax.select(hi_is_zero, _const_like(hi, 1), hi))
    r = lax.select(hi_is_zero, hi, lax.mul(hi, lax.sqrt(lax.add(1.0, lax.mul(ratio, ratio)))))
    # inf/inf above is NaN; an infinite side makes the result +inf even beside a NaN
    any_inf = lax.bitwise_or(lax.eq(a, np.inf), lax.eq(b, np.inf))
    return lax.select(any_inf, _const_like(r, np.inf), r)


def _logaddexp(a, b, log1p_exp):
    """max + log1p_exp(-|a - b|), both picked by one comparison so the derivative is
    smooth where a == b (1/2 each, second derivative 1/4, as JAX's rule gives); where
    a - b is NaN (equal infinities or a NaN) a + b gives -inf, +inf or NaN as NumPy does."""
    d = lax.sub(a, b)
    first = lax.ge(a, b)
    r = lax.add(lax.select(first, a, b), log1p_exp(lax.select(first, lax.neg(d), d)))
    return lax.select(lax.ne(d, d), lax.add(a, b), r)


def logaddexp(x1, x2, /):
    a, b = _float_pair(x1, x2, "logaddexp")
    return _logaddexp_smooth(a, b)


def _logaddexp_value(a, b):
    return _logaddexp(a, b, lambda t: lax.log1p(lax.exp(t)))


def _logaddexp_jvp(primals, tangents):
    """JAX's rule: t * exp(x - out) per side (+inf read as 0 on both sides of the
    difference), so a NaN anywhere gives a NaN tangent and ties split evenly."""
    (a, b), (ta, tb) = primals, tangents
    out = _logaddexp_smooth(a, b)

    def finite(x):
        return lax.select(lax.eq(x, _const_like(x, np.inf)), _const_like(x, 0.0), x)
    return out, lax.add(lax.mul(ta, lax.exp(lax.sub(finite(a), finite(out)))),
                        lax.mul(tb, lax.exp(lax.sub(finite(b), finite(out)))))


_logaddexp_smooth = custom_jvp(_logaddexp_value)
_logaddexp_smooth.defjvp(_logaddexp_jvp)


def logaddexp2(x1, x2, /):
    a, b = _float_pair(x1, x2, "logaddexp2")
    return _logaddexp(a, b, lambda t: lax.div(lax.log1p(lax.exp2(t)), np.log(2.0)))


def isclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    a, b = promote_and_broadcast(a, b, op="isclose")
    if a.aval.dtype not in INEXACT:
        return lax.eq(a, b)
    close = lax.le(lax.abs(lax.sub(a, b)), lax.add(lax.mul(lax.abs(b), rtol), atol))
    close = lax.bitwise_or(close, lax.eq(a, b))  # equal infinities
    if equal_nan:
        close = lax.bitwise_or(close, lax.bitwise_and(isnan(a), isnan(b)))
    return close


def isfinite(x, /):
    x = asarray(x)
    if x.aval.dtype in COMPLEX:
        return lax.bitwise_and(isfinite(lax.real(x)), isfinite(lax.imag(x)))
    if x.aval.dtype not in FLOATS:
        return lax.eq(x, x)
    return lax.is_finite(x)


def isnan(x, /):
    x = asarray(x)
    return lax.ne(x, x)


def isinf(x, /):
    x = asarray(x)
    if x.aval.dtype in COMPLEX:
        return lax.bitwise_or(isinf(lax.real(x)), isinf(lax.imag(x)))
    if x.aval.dtype not in FLOATS:
        return lax.ne(x, x)
    return lax.eq(lax.abs(x), np.inf)


def signbit(x, /):
    x = asarray(x)
    return lax.lt(x, 0) if x.aval.dtype not in FLOATS else lax.lt(lax.bitcast_convert_type(
        x, {"float32": "int32", "float64": "int64", "float16": "int16", "bfloat16": "int16"}[x.aval.dtype]), 0)


def deg2rad(x, /):
    return lax.mul(_to_float(x), np.pi / 180)


def rad2deg(x, /):
    return lax.mul(_to_float(x), 180 / np.pi)


radians, degrees = deg2rad, rad2deg


def sinc(x, /):
    x = _to_float(x)
    px = lax.mul(x, np.pi)
    safe = lax.select(lax.eq(x, 0.0), lax.add(lax.mul(x, 0.0), 1.0), px)
    return lax.select(lax.eq(x, 0.0), lax.add(lax.mul(x, 0.0), 1.0), lax.div(lax.sin(safe), safe))


def where(condition, x=None, y=None, /):
    if x is None and y is None:
        raise ValueError("where(condition) with one argument has a data-dependent shape; "
                         "use where(condition, x, y), or nonzero(..., size=...)")
    c = asarray(condition)
    if c.aval.dtype != "bool":
        c = lax.ne(c, 0)
    a, b = promote(x, y, op="where")
    c, a, b = _broadcast3(c, a, b)
    out = lax.select(c, a, b)
    out.weak_type = a.weak_type and b.weak_type  # the condition's type does not count
    return out


def _broadcast3(c, a, b):
    from ._core import broadcast_arrays
    weak = a.weak_type and b.weak_type
    c, a, b = broadcast_arrays(c, a, b, op="where")
    a.weak_type = b.weak_type = weak
    return c, a, b


def clip(arr=None, /, min=None, max=None):
    """JAX 0.10's signature: the NumPy-1 spellings a=, a_min=, a_max= are gone (a
    TypeError, so a bound is never silently ignored); max wins where min > max."""
    if arr is None:
        raise ValueError(f"clip: no array given to clip (at {user_line()})")
    x = asarray(arr)
    if min is not None:
        x = maximum(x, min)
    if max is not None:
        x = minimum(x, max)
    return x


def nan_to_num(x, copy=True, nan=0.0, posinf=None, neginf=None):
    x = asarray(x)
    if x.aval.dtype not in FLOATS:
        return x
    info = np.finfo(dtypes.np_dtype(x.aval.dtype))
    posinf = info.max if posinf is None else posinf
    neginf = info.min if neginf is None else neginf
    x = where(isnan(x), nan, x)
    x = where(lax.eq(x, np.inf), posinf, x)
    return where(lax.eq(x, -np.inf), neginf, x)


def heaviside(x1, x2, /):
    a, b = _float_pair(x1, x2, "heaviside")
    zero, one = _const_like(a, 0), _const_like(a, 1)
    return lax.select(lax.lt(a, 0.0), zero, lax.select(lax.gt(a, 0.0), one, b))


def copysign(x1, x2, /):
    a, b = _float_pair(x1, x2, "copysign")
    return where(signbit(b), lax.neg(lax.abs(a)), lax.abs(a))
