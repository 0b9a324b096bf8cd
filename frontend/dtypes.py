"""JAX's type promotion: a lattice join, with weak types for Python scalars.

With 64-bit mode off (the default, as in JAX) 64-bit types are canonicalized
to their 32-bit counterparts.
"""
from __future__ import annotations

import functools

import numpy as np

from irax.dialects.types import COMPLEX, ELEMENT_TYPES, FLOATS, INTEGERS, dtype_name, host_dtype

from . import config

# Lattice edges (JAX's): '*i', '*f' and '*c' are weak int / float / complex.
_LATTICE = {
    "bool": ["*i"],
    "*i": ["uint8", "int8"],
    "uint8": ["int16", "uint16"], "uint16": ["int32", "uint32"], "uint32": ["int64", "uint64"],
    "uint64": ["*f"],
    "int8": ["int16"], "int16": ["int32"], "int32": ["int64"], "int64": ["*f"],
    "*f": ["bfloat16", "float16", "*c"], "bfloat16": ["float32"], "float16": ["float32"],
    "float32": ["float64", "complex64"], "float64": ["complex128"],
    "*c": ["complex64"], "complex64": ["complex128"], "complex128": [],
}


@functools.lru_cache(maxsize=None)
def _upper_bounds(t):
    out = {t}
    for n in _LATTICE[t]:
        out |= _upper_bounds(n)
    return frozenset(out)


@functools.lru_cache(maxsize=None)
def _join(a, b):
    common = _upper_bounds(a) & _upper_bounds(b)
    for c in common:
        if all(d in _upper_bounds(c) for d in common):
            return c
    raise TypeError(f"no common type for {a} and {b}")


def canonicalize(dtype: str) -> str:
    if not config.x64_enabled():
        return {"int64": "int32", "float64": "float32", "uint64": "uint32",
                "complex128": "complex64"}.get(dtype, dtype)
    return dtype


def default_float() -> str:
    return "float64" if config.x64_enabled() else "float32"


def default_complex() -> str:
    return "complex128" if config.x64_enabled() else "complex64"


def default_int() -> str:
    return "int64" if config.x64_enabled() else "int32"


def result_type(*typed) -> tuple[str, bool]:
    """Join (dtype, weak) pairs; returns the promoted (dtype, weak)."""
    node = None
    weak_all = True
    for dtype, weak in typed:
        if weak:
            key = ("*f" if dtype in FLOATS else "*c" if dtype in COMPLEX else
                   "*i" if dtype in INTEGERS else "bool")
        else:
            key = dtype
            weak_all = False
        node = key if node is None else _join(node, key)
    if node == "*f":
        return default_float(), True
    if node == "*c":
        return default_complex(), True
    if node == "*i":
        return default_int(), True
    return canonicalize(node), False


def python_scalar_dtype(x) -> str:
    if isinstance(x, bool):
        return "bool"
    if isinstance(x, int):
        return default_int()
    if isinstance(x, float):
        return default_float()
    if isinstance(x, complex):
        return default_complex()
    raise TypeError(f"not a Python scalar: {type(x).__name__}")


def to_dtype(dt) -> str:
    """A user-given dtype (np.float32, 'int32', float, jnp.bfloat16...) as a canonical name."""
    if dt is float:
        return default_float()
    if dt is int:
        return default_int()
    if dt is bool:
        return "bool"
    if dt is complex:
        return default_complex()
    if isinstance(dt, str) and dt in ELEMENT_TYPES:
        return canonicalize(dt)
    return canonicalize(dtype_name(dt))


np_dtype = host_dtype


def issubdtype(dtype, category) -> bool:
    name = to_dtype(dtype)
    if category is np.floating:
        return name in FLOATS
    if category is np.inexact:
        return name in FLOATS + COMPLEX
    if category is np.complexfloating:
        return name in COMPLEX
    if category is np.integer:
        return name in INTEGERS
    if category is np.signedinteger:
        return name.startswith("int")
    if category is np.unsignedinteger:
        return name.startswith("uint")
    if category in (np.bool_, bool):
        return name == "bool"
    return np.issubdtype(np_dtype(name), category)
