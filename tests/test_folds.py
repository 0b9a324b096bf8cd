"""Constant folding agrees with run time, bit for bit.

Every rule in `simplify.CONSTANT_FOLDS` is run twice on the same special
values: once on constants (folded by NumPy at compile time) and once on
function arguments (computed by the compiled lowering).  A fold that
disagrees would make `f(2.0)` and `f(x)` at x = 2.0 give different answers.
"""
import numpy as np
import pytest

import irax
from irax.api import as_operand
from irax.core import bind
from irax.dialects.simplify import CONSTANT_FOLDS

F = np.array([0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 2.5, -2.5, 1e-3, 0.75, 3.0, 100.0, 1e30,
              -1e30, np.inf, -np.inf, np.nan, 3.1415927, -7.77, 88.5, 1e-40], np.float32)
I = np.array([0, 1, -1, 2, -2, 3, 7, -7, 31, 32, 33, 2**31 - 1, -2**31], np.int32)
U = np.array([0, 1, 2, 3, 7, 31, 32, 33, 2**31, 2**32 - 1], np.uint32)
B = np.array([False, True])
C = np.empty(16, np.complex64)  # complex: parts without NaN (signed zeros and infinities too)
C.real, C.imag = F[:16], F[:16][::-1]

UNARY_FLOAT = ["irax.neg", "irax.abs", "irax.sign", "irax.exp", "irax.exp2", "irax.log",
               "irax.log1p", "irax.expm1", "irax.tanh", "irax.logistic", "irax.sin", "irax.cos",
               "irax.tan", "irax.asin", "irax.acos", "irax.atan", "irax.sinh", "irax.cosh",
               "irax.asinh", "irax.acosh", "irax.atanh", "irax.sqrt", "irax.rsqrt", "irax.cbrt",
               "irax.erf", "irax.floor", "irax.ceil", "irax.round", "irax.is_finite"]
BINARY = ["irax.add", "irax.sub", "irax.mul", "irax.div", "irax.rem", "irax.pow", "irax.max",
          "irax.min", "irax.atan2", "irax.eq", "irax.ne", "irax.lt", "irax.le", "irax.gt",
          "irax.ge"]
BITWISE = ["irax.and", "irax.or", "irax.xor", "irax.shift_left", "irax.shift_right_logical",
           "irax.shift_right_arithmetic"]


def _pairs(v):
    a, b = np.meshgrid(v, v, indexing="ij")
    return a.reshape(-1), b.reshape(-1)


def _cases():
    """(name, operands, attrs) for every constant-folding rule."""
    out = []
    for name in UNARY_FLOAT:
        out.append((name, [F], {}))
    for name in ["irax.neg", "irax.abs", "irax.sign", "irax.not", "irax.population_count"]:
        out.append((name, [I], {}))
    out.append(("irax.not", [B], {}))
    for name in BINARY:
        out.append((name, list(_pairs(F)), {}))
        if name != "irax.atan2":
            out.append((name, list(_pairs(I)), {}))
            out.append((name, list(_pairs(U)), {}))
    for name in BITWISE:
        out.append((name, list(_pairs(I)), {}))
        out.append((name, list(_pairs(U)), {}))
    for name in ["irax.and", "irax.or", "irax.xor", "irax.eq", "irax.ne"]:
        out.append((name, list(_pairs(B)), {}))
    p = np.resize(B, F.size)
    out.append(("irax.select", [p, F, F[::-1].copy()], {}))
    out.append(("irax.clamp", [np.float32(-1.0), F, np.float32(2.5)], {}))
    out.append(("irax.clamp", [np.int32(-2), I, np.int32(7)], {}))
    for y in (0, 1, 2, 3, -1, -2):
        out.append(("irax.integer_pow", [F], {"y": y}))
        out.append(("irax.integer_pow", [I], {"y": y}) if y >= 0 else None)
    for dst in ("int32", "uint32", "bool", "float16", "int8"):
        out.append(("irax.convert_element_type", [F], {"new_dtype": dst}))
    for dst in ("float32", "uint32", "bool", "int8"):
        out.append(("irax.convert_element_type", [I], {"new_dtype": dst}))
    out.append(("irax.convert_element_type", [U], {"new_dtype": "float32"}))
    for name in ["irax.real", "irax.imag", "irax.conj", "irax.neg"]:
        out.append((name, [C], {}))
    out += [("irax.complex", [F, F[::-1].copy()], {}), ("irax.eq", [C, C[::-1].copy()], {}),
            ("irax.ne", [C, C[::-1].copy()], {}),
            ("irax.select", [np.resize(B, C.size), C, C[::-1].copy()], {}),
            ("irax.convert_element_type", [C], {"new_dtype": "float32"}),
            ("irax.convert_element_type", [F], {"new_dtype": "complex64"})]
    m = F[:20].reshape(4, 5)  # data movement: exact, folds on any dtype
    out += [("irax.rev", [m], {"dimensions": (0, 1)}),
            ("irax.slice", [m], {"start_indices": (1, 0), "limit_indices": (4, 5),
                                 "strides": (2, 3)}),
            ("irax.transpose", [m], {"permutation": (1, 0)}),
            ("irax.reshape", [I[:12]], {"new_sizes": (3, 4)}),
            ("irax.broadcast_in_dim", [U[:4]], {"shape": (3, 4, 2), "broadcast_dimensions": (1,)}),
            ("irax.pad", [m, np.float32(-9.0)], {"low": (-1, 2), "high": (1, -2),
                                                 "interior": (1, 0)}),
            ("irax.pad", [m, np.float32(5.0)], {"low": (2, 0), "high": (0, 1)}),  # no interior
            ("irax.concatenate", [m, m[:2] * 2], {"dimension": 0})]
    return [c for c in out if c is not None]


CASES = _cases()


def test_every_constant_fold_is_exercised():
    assert set(CONSTANT_FOLDS) <= {name for name, _, _ in CASES}


def _bits(x):
    x = np.asarray(x)
    return x.view(f"u{x.dtype.itemsize}") if x.dtype.kind in "fc" else x  # complex64: u8


def test_folds_agree_with_the_lowering():
    def run(*args):
        it = iter(args)
        outs = []
        for name, operands, attrs in CASES:
            vals = [next(it) for _ in operands]
            outs.append(bind(name, vals, **attrs)[0])
        return outs

    flat = [np.asarray(o) for _, ops, _ in CASES for o in ops]
    at_run_time = irax.jit(run)(*flat)
    folded = irax.jit(lambda: run(*[as_operand(x) for x in flat]))()
    bad = []
    for (name, ops, attrs), got, want in zip(CASES, folded, at_run_time):
        got, want = np.asarray(got), np.asarray(want)
        assert got.dtype == want.dtype and got.shape == want.shape, name
        nan = np.isnan(want) if want.dtype.kind == "f" else np.zeros(want.shape, bool)
        same = np.where(nan, np.isnan(got) if got.dtype.kind == "f" else False,
                        _bits(got) == _bits(want))
        if not same.all():
            i = int(np.argmin(same))
            bad.append(f"{name}{attrs} on {[np.asarray(o).reshape(-1)[i % max(np.size(o), 1)] for o in ops]}"
                       f" ({ops[-1].dtype}): folded {got.reshape(-1)[i]!r}, run {want.reshape(-1)[i]!r}"
                       f" ({(~same).sum()} of {same.size} differ)")
    assert not bad, "\n".join(bad)
