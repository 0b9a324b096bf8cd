"""Abstract values (shape + dtype) and their mapping to MLIR builtin types.

Transforms and shape inference work on `Aval`s, which are cheap to build and
hash; MLIR `RankedTensorType`s are made only where IR is built.
"""
from __future__ import annotations

import ml_dtypes
import numpy as np

from .context import ir

# dtype name -> MLIR element type spelling.  Unsigned types keep their
# signedness in the irax dialect; the lowering maps them to signless ints.
ELEMENT_TYPES = {
    "float32": "f32", "float64": "f64", "float16": "f16", "bfloat16": "bf16",
    "int8": "i8", "int16": "i16", "int32": "i32", "int64": "i64",
    "uint8": "ui8", "uint16": "ui16", "uint32": "ui32", "uint64": "ui64", "bool": "i1",
    "complex64": "complex<f32>", "complex128": "complex<f64>",
}
DTYPE_OF_ELEMENT = {v: k for k, v in ELEMENT_TYPES.items()}
FLOATS = ("float16", "bfloat16", "float32", "float64")
SIGNED = ("int8", "int16", "int32", "int64")
UNSIGNED = ("uint8", "uint16", "uint32", "uint64")
INTEGERS = SIGNED + UNSIGNED
COMPLEX = ("complex64", "complex128")
INEXACT = FLOATS + COMPLEX  # the dtypes that have derivatives


def is_float(dtype: str) -> bool:
    return dtype in FLOATS


def is_complex(dtype: str) -> bool:
    return dtype in COMPLEX


def is_inexact(dtype: str) -> bool:
    return dtype in INEXACT


def real_dtype(dtype: str) -> str:
    """The dtype of a complex dtype's parts (a real dtype is its own)."""
    return {"complex64": "float32", "complex128": "float64"}.get(dtype, dtype)


def complex_dtype(dtype: str) -> str:
    """The complex dtype whose parts are `dtype` (float16/bfloat16 widen to complex64, as in JAX)."""
    return "complex128" if dtype in ("float64", "complex128") else "complex64"


def host_dtype(dtype: str) -> np.dtype:
    """The NumPy dtype host values of `dtype` are held in (bfloat16 comes from
    ml_dtypes, which iree-base-runtime depends on, as in JAX)."""
    return np.dtype(ml_dtypes.bfloat16) if dtype == "bfloat16" else np.dtype(dtype)


def dtype_name(dt) -> str:
    """Canonical dtype name from a NumPy dtype, a type, or a name."""
    if isinstance(dt, str) and dt in ELEMENT_TYPES:
        return dt
    name = np.dtype(dt).name
    if name not in ELEMENT_TYPES:
        raise TypeError(f"irax does not support dtype {name}")
    return name


class Aval:
    """The static type of an array value: shape and dtype."""

    __slots__ = ("shape", "dtype")

    def __init__(self, shape, dtype: str):
        self.shape = tuple(int(d) for d in shape)
        self.dtype = dtype

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def size(self) -> int:
        n = 1
        for d in self.shape:
            n *= d
        return n

    def __eq__(self, other):
        return isinstance(other, Aval) and self.shape == other.shape and self.dtype == other.dtype

    def __hash__(self):
        return hash((self.shape, self.dtype))

    def __repr__(self):
        return f"{self.dtype}{list(self.shape)}"

    def str_short(self) -> str:
        return f"{ELEMENT_TYPES[self.dtype]}[{','.join(map(str, self.shape))}]"


def element_type(dtype: str) -> ir.Type:
    return ir.Type.parse(ELEMENT_TYPES[dtype])


def tensor_type(aval: Aval) -> ir.RankedTensorType:
    return ir.RankedTensorType.get(list(aval.shape), element_type(aval.dtype))


def aval_of_type(t: ir.Type) -> Aval:
    rt = ir.RankedTensorType(t)
    return Aval(rt.shape, DTYPE_OF_ELEMENT[str(rt.element_type)])


def aval_of(v: ir.Value) -> Aval:
    return aval_of_type(v.type)
