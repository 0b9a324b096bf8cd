"""More elementwise functions: NaN-aware max/min, float bit surgery (frexp, ldexp,
nextafter, spacing), integer gcd/lcm, bit counting and packing, Array API aliases."""
from __future__ import annotations

import numpy as np

from irax.dialects.types import FLOATS, INTEGERS

from .. import lax
from ..core import Array, user_line
from . import _ufuncs as uf
from ._core import asarray, canonical_axis, promote_and_broadcast

# Array API spellings (NumPy 2 has both)
acos, acosh, asin, asinh = uf.arccos, uf.arccosh, uf.arcsin, uf.arcsinh
atan, atanh, atan2 = uf.arctan, uf.arctanh, uf.arctan2
bitwise_invert = uf.bitwise_not
bitwise_left_shift = uf.left_shift
bitwise_right_shift = uf.right_shift

# float dtype -> (same-width int, mantissa bits, exponent bias)
_BITS = {"float16": ("int16", 10, 15), "bfloat16": ("int16", 7, 127),
         "float32": ("int32", 23, 127), "float64": ("int64", 52, 1023)}


def fmax(x1, x2):
    """maximum that ignores a NaN in either argument (NaN only if both are)."""
    a, b = promote_and_broadcast(x1, x2, op="fmax")
    return uf.where(uf.isnan(a), b, uf.where(uf.isnan(b), a, uf.maximum(a, b)))


def fmin(x1, x2):
    a, b = promote_and_broadcast(x1, x2, op="fmin")
    return uf.where(uf.isnan(a), b, uf.where(uf.isnan(b), a, uf.minimum(a, b)))


def isposinf(x, /, out=None):
    x = asarray(x)
    return lax.eq(x, np.inf) if x.aval.dtype in FLOATS else lax.ne(x, x)


def isneginf(x, /, out=None):
    x = asarray(x)
    return lax.eq(x, -np.inf) if x.aval.dtype in FLOATS else lax.ne(x, x)


def _float(x):
    x = uf._to_float(x)
    return x, _BITS[x.aval.dtype]


def _full(x, value, dtype):
    return lax.broadcast_in_dim(asarray(value, dtype), x.aval.shape, ())


def frexp(x, /):
    """(mantissa in [0.5, 1), exponent): read from the bits; subnormals are first scaled
    into the normal range."""
    x, (it, mant, bias) = _float(x)
    scale = float(2.0 ** (mant + 1))
    sub = lax.bitwise_and(lax.ne(x, 0.0), lax.lt(lax.abs(x), float(2.0 ** (1 - bias))))
    xs = lax.select(sub, lax.mul(x, scale), x)
    bits = lax.bitcast_convert_type(xs, it)
    emask = (1 << (np.dtype(it).itemsize * 8 - 1 - mant)) - 1
    e = lax.bitwise_and(lax.shift_right_logical(bits, mant), emask)
    special = lax.bitwise_or(lax.eq(x, 0.0), lax.bitwise_not(lax.is_finite(x)))
    keep = lax.bitwise_not(lax.shift_left(_full(x, emask, it), mant))
    mbits = lax.bitwise_or(lax.bitwise_and(bits, keep), _full(x, (bias - 1) << mant, it))
    m = lax.select(special, x, lax.bitcast_convert_type(mbits, x.aval.dtype))
    e = lax.sub(lax.convert_element_type(e, "int32"), bias - 1)
    e = lax.select(sub, lax.sub(e, mant + 1), e)
    return m, lax.select(special, _full(x, 0, "int32"), e)


def _pow2(k, dtype):
    """2**k for integer k in the normal exponent range, built from its bits."""
    it, mant, bias = _BITS[dtype]
    bits = lax.shift_left(lax.convert_element_type(lax.add(k, bias), it), mant)
    return lax.bitcast_convert_type(bits, dtype)


def ldexp(x1, x2, /):
    """x1 * 2**x2 as three exact power-of-two products, so intermediate results neither
    overflow nor underflow before the last one."""
    n = asarray(x2)
    if n.aval.dtype not in INTEGERS:
        raise ValueError(f"ldexp: the exponent must be integers, got {n.aval.dtype} "
                         f"(at {user_line()})")
    x = asarray(x1)
    if x.aval.dtype not in FLOATS:
        x = uf._to_float(x)
    x, n = promote_and_broadcast(x, lax.convert_element_type(n, "int32"), op="ldexp")
    it, mant, bias = _BITS[x.aval.dtype]
    lim = bias - 1
    n = lax.convert_element_type(n, "int32")
    n = lax.clamp(-3 * lim, n, 3 * lim)
    parts = []
    for _ in range(3):
        p = lax.clamp(-lim, n, lim)
        parts.append(p)
        n = lax.sub(n, p)
    out = x
    for p in parts:
        out = lax.mul(out, _pow2(p, x.aval.dtype))
    return out


def modf(x, /, out=None):
    """(fractional part, integral part), both with the sign of x."""
    x = uf._to_float(x)
    whole = uf.trunc(x)
    return lax.sub(x, whole), whole


def nextafter(x, y, /):
    """The next representable float after x towards y (one step of the bit pattern)."""
    a, b = promote_and_broadcast(uf._to_float(x), y, op="nextafter")
    a, b = (lax.convert_element_type(v, a.aval.dtype) for v in (a, b))
    it, _, _ = _BITS[a.aval.dtype]
    bits = lax.bitcast_convert_type(a, it)
    up = lax.bitwise_xor(lax.lt(a, b), lax.lt(a, 0.0))  # magnitude grows
    step = lax.select(up, _full(a, 1, it), _full(a, -1, it))
    moved = lax.bitcast_convert_type(lax.add(bits, step), a.aval.dtype)
    tiny = lax.bitcast_convert_type(_full(a, 1, it), a.aval.dtype)
    from_zero = lax.select(lax.lt(b, 0.0), lax.neg(tiny), tiny)
    out = lax.select(lax.eq(a, 0.0), from_zero, moved)
    out = lax.select(lax.eq(a, b), b, out)
    nan = lax.bitwise_or(lax.ne(a, a), lax.ne(b, b))
    return lax.select(nan, lax.add(a, b), out)


def spacing(x, /):
    """Distance from x to the next float away from zero (negative for negative x)."""
    x = uf._to_float(x)
    away = lax.select(uf.signbit(x), _full(x, -np.inf, x.aval.dtype), _full(x, np.inf, x.aval.dtype))
    return lax.sub(nextafter(x, away), x)


def _int_pair(x1, x2, op):
    a, b = promote_and_broadcast(x1, x2, op=op)
    if a.aval.dtype not in INTEGERS:
        raise ValueError(f"{op}: arguments must be integers, got {a.aval.dtype} (at {user_line()})")
    return a, b


def gcd(x1, x2):
    """Euclid's algorithm in a while loop over all elements at once."""
    a, b = _int_pair(x1, x2, "gcd")
    weak = a.weak_type and b.weak_type
    a, b = uf.absolute(a), uf.absolute(b)

    def cond(c):
        return lax.reduce_or(lax.ne(c[1], 0), tuple(range(c[1].aval.ndim)))

    def body(c):
        x, y = c
        nz = lax.ne(y, 0)
        safe = lax.select(nz, y, lax.add(lax.mul(y, 0), 1))
        return lax.select(nz, y, x), lax.select(nz, lax.rem(x, safe), y)

    out = lax.while_loop(cond, body, (a, b))[0]
    out.weak_type = weak
    return out


def lcm(x1, x2):
    a, b = _int_pair(x1, x2, "lcm")
    d = gcd(a, b)
    zero = lax.eq(d, 0)
    q = lax.div(b, lax.select(zero, lax.add(lax.mul(d, 0), 1), d))
    return lax.select(zero, lax.mul(d, 0), uf.absolute(lax.mul(a, q)))


def i0(x):
    """Modified Bessel function of order 0: exp(|x|) * i0e(x)."""
    x = uf._to_float(x)
    return lax.mul(lax.exp(lax.abs(x)), lax.bessel_i0e(x))


def bitwise_count(x, /):
    """Set bits in |x|, as uint8 (NumPy 2 / JAX)."""
    x = asarray(x)
    if x.aval.dtype not in INTEGERS:
        raise TypeError(f"bitwise_count: requires an integer input, got {x.aval.dtype} "
                        f"(at {user_line()})")
    if not x.aval.dtype.startswith("uint"):
        x = lax.abs(x)
    return lax.convert_element_type(lax.population_count(x), "uint8")


def copy(a, order=None):
    """A new array with a's values (concrete arrays get a new buffer)."""
    x = asarray(a)
    if isinstance(x, Array):
        from ..api import as_operand
        out = as_operand(np.array(x))
        out.weak_type = x.weak_type
        return out
    return x


def _bit_shifts(bitorder, op):
    if bitorder not in ("big", "little"):
        raise ValueError(f"{op}: bitorder must be 'big' or 'little', got {bitorder!r} "
                         f"(at {user_line()})")
    return list(range(7, -1, -1)) if bitorder == "big" else list(range(8))


def packbits(a, axis=None, bitorder="big"):
    """Groups of 8 booleans along `axis` as uint8 (the last group zero-padded)."""
    x = asarray(a)
    if x.aval.dtype not in INTEGERS and x.aval.dtype != "bool":
        raise TypeError(f"packbits: expected an integer or boolean array, got {x.aval.dtype} "
                        f"(at {user_line()})")
    shifts = _bit_shifts(bitorder, "packbits")
    bits = lax.convert_element_type(lax.ne(x, 0) if x.aval.dtype != "bool" else x, "uint8")
    if axis is None:
        bits, axis = lax.reshape(bits, (bits.aval.size,)), 0
    axis = canonical_axis(axis, bits.aval.ndim, "packbits")
    bits = lax.transpose(bits, [d for d in range(bits.aval.ndim) if d != axis] + [axis])
    n = bits.aval.shape[-1]
    pad = -n % 8
    bits = lax.pad(bits, np.uint8(0), [(0, 0, 0)] * (bits.aval.ndim - 1) + [(0, pad, 0)])
    bits = lax.reshape(bits, bits.aval.shape[:-1] + ((n + pad) // 8, 8))
    weights = asarray(np.array([1 << s for s in shifts], np.uint8))
    packed = lax.reduce_sum(lax.mul(bits, lax.broadcast_in_dim(weights, bits.aval.shape,
                                                               (bits.aval.ndim - 1,))),
                            (bits.aval.ndim - 1,))
    nd = packed.aval.ndim
    return lax.transpose(packed, list(range(axis)) + [nd - 1] + list(range(axis, nd - 1)))


def unpackbits(a, axis=None, count=None, bitorder="big"):
    x = asarray(a)
    if x.aval.dtype != "uint8":
        raise TypeError(f"unpackbits: expected an array of uint8, got {x.aval.dtype} "
                        f"(at {user_line()})")
    shifts = _bit_shifts(bitorder, "unpackbits")
    if axis is None:
        x, axis = lax.reshape(x, (x.aval.size,)), 0
    axis = canonical_axis(axis, x.aval.ndim, "unpackbits")
    sh = asarray(np.array(shifts, np.uint8))
    xb = lax.broadcast_in_dim(x, x.aval.shape + (8,), tuple(range(x.aval.ndim)))
    bits = lax.bitwise_and(lax.shift_right_logical(
        xb, lax.broadcast_in_dim(sh, xb.aval.shape, (x.aval.ndim,))), np.uint8(1))
    shape = list(x.aval.shape)
    shape[axis] *= 8
    bits = lax.transpose(bits, list(range(axis + 1)) + [x.aval.ndim] +
                         list(range(axis + 1, x.aval.ndim)))
    bits = lax.reshape(bits, shape)
    if count is not None:
        n = shape[axis]
        count = int(count)
        keep = count if count >= 0 else max(n + count, 0)
        if keep <= n:
            bits = lax.slice_in_dim(bits, 0, keep, axis=axis)
        else:
            cfg = [(0, 0, 0)] * len(shape)
            cfg[axis] = (0, keep - n, 0)
            bits = lax.pad(bits, np.uint8(0), cfg)
    return bits


