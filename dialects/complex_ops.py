"""Complex numbers: the ops that build and take apart complex values, and their rules.

complex64 / complex128 are irax dtypes like the others (`tensor<..xcomplex<f32>>`),
accepted by the ops JAX's lax defines on them (`ops.COMPLEX_OPS`). This module adds
`irax.complex(re, im)`, `irax.real`, `irax.imag` and `irax.conj`, and the complex
case of abs's derivative.

Derivatives follow JAX's convention: the tangent and cotangent of a complex value are
complex, and a linear map's transpose is its plain transpose, never conjugated (the
transpose of `mul(c, .)` is `mul(c, .)`). So the VJP of a holomorphic function
multiplies by f'(z), and the gradient of a real function of z = x + iy is
df/dx - i df/dy (which `real`'s transpose, `complex(ct, 0)`, and `imag`'s,
`complex(0, -ct)`, produce).
"""
from __future__ import annotations

import numpy as np

from . import build as b
from .batching import _elementwise, batch_rules
from .jvp import jvp_rules
from .ops import _fail, define
from .simplify import CONSTANT_FOLDS
from .types import Aval, aval_of, complex_dtype, is_complex, real_dtype
from .vjp import vjp_rules


@define("irax.complex")
def _complex(avals):
    if len(avals) != 2:
        _fail("irax.complex", "expects (real, imag) operands", avals)
    re, im = avals
    if re != im or re.dtype not in ("float32", "float64"):
        _fail("irax.complex", "operands must be float32 or float64 of one shape and dtype", avals)
    return Aval(re.shape, complex_dtype(re.dtype))


def _part(name):
    def infer(avals):
        (a,) = avals
        if not is_complex(a.dtype):
            _fail(name, "expects a complex operand", avals)
        return Aval(a.shape, real_dtype(a.dtype))
    return infer


define("irax.real")(_part("irax.real"))
define("irax.imag")(_part("irax.imag"))


@define("irax.conj")
def _conj(avals):
    (a,) = avals
    if not is_complex(a.dtype):
        _fail("irax.conj", "expects a complex operand", avals)
    return a


def complex_(re, im):
    return b.op("irax.complex", re, im)


def real(z):
    return b.op("irax.real", z)


def imag(z):
    return b.op("irax.imag", z)


def conj(z):
    return b.op("irax.conj", z)


# ---- Constant folds (exact in NumPy, so they agree with the lowering).
CONSTANT_FOLDS["irax.real"] = np.real
CONSTANT_FOLDS["irax.imag"] = np.imag
CONSTANT_FOLDS["irax.conj"] = np.conj
CONSTANT_FOLDS["irax.complex"] = lambda re, im: _complex_of_parts(re, im)


def _complex_of_parts(re, im):
    out = np.empty(np.shape(re), np.result_type(re.dtype, np.complex64))
    out.real, out.imag = re, im
    return out


# ---- JVP: all four are (real-)linear, so the tangent goes through the op itself.

def _linear(name):
    def rule(primals, tangents):
        ts = [t if t is not None else b.zeros_like(p) for p, t in zip(primals, tangents)]
        return [b.op(name, *primals)], [b.op(name, *ts)]
    return rule


for _n in ("irax.complex", "irax.real", "irax.imag", "irax.conj"):
    jvp_rules[_n] = _linear(_n)
    batch_rules[_n] = _elementwise(_n)

# ---- VJP: JAX's transposes (unconjugated pairing of real and imaginary parts).
vjp_rules["irax.real"] = lambda primals, outs, cts: [complex_(cts[0], b.zeros_like(cts[0]))]
vjp_rules["irax.imag"] = lambda primals, outs, cts: [complex_(b.zeros_like(cts[0]), b.neg(cts[0]))]
vjp_rules["irax.complex"] = lambda primals, outs, cts: [real(cts[0]), b.neg(imag(cts[0]))]
vjp_rules["irax.conj"] = lambda primals, outs, cts: [conj(cts[0])]


# ---- abs of a complex value: real output, d|z| = real(conj(z) dz) / |z| (0 at z = 0).

def _abs_direction(x, y):
    """conj(x) / |x| as a complex value, with |x| = 0 read as 1 (JAX's rule)."""
    yc = b.convert(y, aval_of(x).dtype)
    safe = b.select(b.eq(y, b.zeros_like(y)), b.ones_like(yc), yc)
    return b.div(conj(x), safe)


_real_abs_jvp, _real_abs_vjp = jvp_rules["irax.abs"], vjp_rules["irax.abs"]


def jvp_abs(primals, tangents):
    (x,), (t,) = primals, tangents
    if not is_complex(aval_of(x).dtype):
        return _real_abs_jvp(primals, tangents)
    y = b.op("irax.abs", x)
    return [y], [real(b.mul(t, _abs_direction(x, y)))]


def vjp_abs(primals, outs, cts):
    (x,) = primals
    if not is_complex(aval_of(x).dtype):
        return _real_abs_vjp(primals, outs, cts)
    ct = complex_(cts[0], b.zeros_like(cts[0]))
    return [b.mul(ct, _abs_direction(x, outs[0]))]


jvp_rules["irax.abs"] = jvp_abs
vjp_rules["irax.abs"] = vjp_abs
