"""Methods and operators shared by `irax.Array` and tracers.

Each forwards to the irax.numpy function of the same meaning, so traced and
concrete arrays behave alike.
"""
from __future__ import annotations

import numpy as np

from . import numpy as jnp
from .core import Array, Tracer, user_line
from .numpy._indexing import IndexUpdateHelper, getitem


def _dtype(self):
    return np.dtype(jnp.bfloat16) if self.aval.dtype == "bfloat16" else np.dtype(self.aval.dtype)


def _swap(f):
    return lambda self, other: f(other, self)


def _not_implemented_for_other(f, symbol, reflected=False):
    def method(self, other):
        if isinstance(other, (list, tuple)):  # not arrays, as in JAX (== included)
            types = ["'Array'", f"'{type(other).__name__}'"]
            raise TypeError(f"unsupported operand type(s) for {symbol}: "
                            f"{' and '.join(types[::-1] if reflected else types)} (at {user_line()})")
        if not _operand_like(other):
            return NotImplemented
        return f(self, other)
    return method


def _operand_like(x):
    return isinstance(x, (Array, Tracer, int, float, complex, bool, np.ndarray, np.generic))


_BINARY = {
    "add": jnp.add, "sub": jnp.subtract, "mul": jnp.multiply, "truediv": jnp.true_divide,
    "floordiv": jnp.floor_divide, "mod": jnp.remainder, "pow": jnp.power, "matmul": jnp.matmul,
    "and": jnp.bitwise_and, "or": jnp.bitwise_or, "xor": jnp.bitwise_xor,
    "lshift": jnp.left_shift, "rshift": jnp.right_shift, "divmod": jnp.divmod,
}
_SYMBOL = {"add": "+", "sub": "-", "mul": "*", "truediv": "/", "floordiv": "//", "mod": "%",
           "pow": "**", "matmul": "@", "and": "&", "or": "|", "xor": "^", "lshift": "<<",
           "rshift": ">>", "divmod": "divmod()", "eq": "==", "ne": "!=", "lt": "<", "le": "<=",
           "gt": ">", "ge": ">="}
_COMPARE = {"eq": jnp.equal, "ne": jnp.not_equal, "lt": jnp.less, "le": jnp.less_equal,
            "gt": jnp.greater, "ge": jnp.greater_equal}


def _install(cls):
    for name, f in _BINARY.items():
        setattr(cls, f"__{name}__", _not_implemented_for_other(f, _SYMBOL[name]))
        setattr(cls, f"__r{name}__", _not_implemented_for_other(_swap(f), _SYMBOL[name], True))
    for name, f in _COMPARE.items():
        setattr(cls, f"__{name}__", _not_implemented_for_other(f, _SYMBOL[name]))
    cls.__neg__ = lambda self: jnp.negative(self)
    cls.__pos__ = lambda self: self
    cls.__abs__ = lambda self: jnp.abs(self)
    cls.__invert__ = lambda self: jnp.invert(self)
    cls.__getitem__ = getitem
    cls.__setitem__ = _setitem
    cls.shape = property(lambda self: self.aval.shape)
    cls.dtype = property(_dtype)
    cls.ndim = property(lambda self: self.aval.ndim)
    cls.size = property(lambda self: self.aval.size)
    cls.T = property(lambda self: jnp.transpose(self))
    cls.mT = property(lambda self: jnp.matrix_transpose(self))
    cls.at = property(lambda self: IndexUpdateHelper(self))
    cls.astype = lambda self, dtype: jnp.astype(self, dtype)
    cls.reshape = lambda self, *shape, order="C": jnp.reshape(
        self, shape[0] if len(shape) == 1 else shape, order=order)
    cls.transpose = lambda self, *axes: jnp.transpose(
        self, (axes[0] if len(axes) == 1 and not isinstance(axes[0], int) else axes) or None)
    cls.ravel = lambda self, order="C": jnp.ravel(self, order)
    cls.flatten = cls.ravel
    cls.squeeze = lambda self, axis=None: jnp.squeeze(self, axis)
    cls.swapaxes = lambda self, a, b: jnp.swapaxes(self, a, b)
    cls.repeat = lambda self, repeats, axis=None: jnp.repeat(self, repeats, axis)
    cls.dot = lambda self, b: jnp.dot(self, b)
    cls.clip = lambda self, min=None, max=None: jnp.clip(self, min, max)
    cls.round = lambda self, decimals=0: jnp.round(self, decimals)
    cls.conj = cls.conjugate = lambda self: jnp.conjugate(self)
    cls.real = property(lambda self: jnp.real(self))
    cls.imag = property(lambda self: jnp.imag(self))
    for red in ("sum", "mean", "max", "min", "prod", "any", "all", "argmax", "argmin", "std",
                "var", "cumsum", "cumprod", "ptp"):
        setattr(cls, red, getattr(jnp, red))
    cls.__len__ = getattr(cls, "__len__", None) or _len
    cls.__iter__ = getattr(cls, "__iter__", None) or _iter


def _setitem(self, idx, value):
    raise TypeError(f"irax arrays are immutable: instead of x[idx] = y, use x = x.at[idx].set(y) "
                    f"(at {user_line()})")


def _len(self):
    if self.aval.ndim == 0:
        raise TypeError("len() of unsized object")
    return self.aval.shape[0]


def _iter(self):
    if self.aval.ndim == 0:
        raise TypeError("iteration over a 0-d array")
    for i in range(self.aval.shape[0]):
        yield self[i]


_install(Array)
_install(Tracer)
Tracer.__hash__ = None
