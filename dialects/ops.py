"""The irax op set: one definition per op.

Each definition names the op, its attribute schema (how Python values map to
MLIR attributes and back) and its result-type inference, which doubles as the
verifier: it raises `IraxTypeError` with the op name and the operand types
when the operands do not fit.  `emit` builds an op at the current insertion
point and location; `attrs_of` reads an op's attributes back into Python.
"""
from __future__ import annotations

import inspect
import re
from collections.abc import MutableMapping

import numpy as np

from .context import ir
from .types import (COMPLEX, DTYPE_OF_ELEMENT, ELEMENT_TYPES, FLOATS, INEXACT, INTEGERS, UNSIGNED,
                    Aval, aval_of, aval_of_type, complex_dtype, element_type, host_dtype,
                    is_complex, is_float, real_dtype, tensor_type)


class IraxTypeError(TypeError):
    """A shape or dtype mismatch found while building or verifying an op."""


ShapeError = IraxTypeError


# --------------------------------------------------------------------------
# Attribute kinds: Python value <-> MLIR attribute
# --------------------------------------------------------------------------

def is_splat(value: np.ndarray) -> bool:
    """All elements bitwise equal (so 0.0 and -0.0, or NaNs, are told apart).

    Splat constants decode to zero-stride broadcast views (`splat_array`),
    which answer at once; other arrays are compared as unsigned words by
    NumPy, after a cheap first-vs-last check, never element by element."""
    value = np.asarray(value)
    if value.size == 0:
        return False
    if value.size == 1 or not any(value.strides):
        return True
    if value.itemsize not in (1, 2, 4, 8):
        rows = np.ascontiguousarray(value).reshape(-1).view(np.uint8).reshape(value.size, -1)
        return bool(np.all(rows == rows[0]))
    words = value.view(f"u{value.itemsize}")
    first = words.flat[0]
    return bool(words.flat[-1] == first and np.all(words == first))


def splat_array(x, shape, dtype) -> np.ndarray:
    """A read-only array of `shape` whose every element is `x`, in O(1) memory
    (a zero-stride view), so big splat constants never fill host memory."""
    return np.broadcast_to(np.asarray(x, dtype), tuple(shape))


def _dense_of_array(value: np.ndarray, dtype: str) -> ir.Attribute:
    if is_complex(dtype):
        return _dense_of_complex(value, dtype)
    ttype = tensor_type(Aval(value.shape, dtype))
    if is_splat(value):
        return ir.DenseElementsAttr.get_splat(ttype, _scalar_attr(value.flat[0], dtype))
    if dtype == "bool":  # the bindings pack NumPy bools themselves
        return ir.DenseElementsAttr.get(np.ascontiguousarray(value.astype(np.bool_)), type=ttype)
    if dtype == "bfloat16":  # the bindings take the raw 16-bit patterns
        return ir.DenseElementsAttr.get(
            np.ascontiguousarray(value.astype(host_dtype(dtype))).view(np.uint16), type=ttype)
    return ir.DenseElementsAttr.get(np.ascontiguousarray(value.astype(dtype)), type=ttype)


def _scalar_attr(x, dtype: str) -> ir.Attribute:
    et = element_type(dtype)
    if is_float(dtype):
        return ir.FloatAttr.get(et, float(x))
    if dtype == "bool":
        return ir.IntegerAttr.get(et, int(bool(x)))
    x, bits = int(x), host_dtype(dtype).itemsize * 8
    if dtype in UNSIGNED and x >= 1 << (bits - 1):
        x -= 1 << bits  # the bindings take an int64: the same bits, read signed
    return ir.IntegerAttr.get(et, x)


COMPLEX_ENCODING = "complex"


def _dense_of_complex(value: np.ndarray, dtype: str) -> ir.Attribute:
    """A complex array as its (re, im) pairs: a float tensor with a trailing dim of 2 and
    the encoding "complex". The bindings cannot read back a complex-typed
    DenseElementsAttr (any access to such an attribute raises), so irax never makes one."""
    pairs = np.ascontiguousarray(np.asarray(value, dtype)).view(real_dtype(dtype))
    pairs = pairs.reshape(value.shape + (2,))
    ttype = ir.RankedTensorType.get(list(pairs.shape), element_type(real_dtype(dtype)),
                                    encoding=ir.StringAttr.get(COMPLEX_ENCODING))
    if is_splat(pairs):
        return ir.DenseElementsAttr.get_splat(ttype, _scalar_attr(pairs.flat[0], real_dtype(dtype)))
    return ir.DenseElementsAttr.get(pairs, type=ttype)


def _array_of_dense(attr: ir.Attribute) -> np.ndarray:
    encoding = ir.RankedTensorType(attr.type).encoding
    pairs = encoding is not None and str(encoding) == f'"{COMPLEX_ENCODING}"'
    value = _array_of_real_dense(attr)
    if not pairs:
        return value
    value = np.ascontiguousarray(value)
    return value.view(complex_dtype(value.dtype.name)).reshape(value.shape[:-1])


def _array_of_real_dense(attr: ir.Attribute) -> np.ndarray:
    aval = aval_of_type(attr.type)
    if aval.size == 0:  # dense<> (the bf16 text parser below has no elements to read)
        return np.zeros(aval.shape, host_dtype(aval.dtype))
    dense = ir.DenseElementsAttr(attr)
    if dense.is_splat:
        v = dense.get_splat_value()
        if is_float(aval.dtype):
            x = ir.FloatAttr(v).value
        else:
            x = ir.IntegerAttr(v).value
            if aval.dtype in UNSIGNED and x < 0:  # the attribute reads back signed
                x += 1 << host_dtype(aval.dtype).itemsize * 8
        return splat_array(x, aval.shape, host_dtype(aval.dtype))
    if aval.dtype == "bool":  # the bindings unpack i1 elements to NumPy bools
        return np.array(dense).astype(np.bool_).reshape(aval.shape)
    if aval.dtype == "bfloat16":
        return _parse_bfloat16(str(attr), aval.shape)
    return np.array(dense).reshape(aval.shape).astype(aval.dtype)


def _parse_bfloat16(text: str, shape) -> np.ndarray:
    """Elements of a printed bf16 dense attribute (the bindings cannot export
    them as a buffer): decimals, or 0x.... bit patterns for inf/nan."""
    body = text[text.index("<") + 1:text.index(">")].replace("[", " ").replace("]", " ")
    bits = []
    for tok in (t.strip() for t in body.split(",")):
        if tok.startswith("0x"):
            bits.append(int(tok, 16))
        else:
            bits.append(int(np.array(float(tok), host_dtype("bfloat16")).view(np.uint16)))
    return np.array(bits, np.uint16).view(host_dtype("bfloat16")).reshape(shape)


ATTR_KINDS = {
    # kind: (to_mlir(value), from_mlir(attr))
    "int": (lambda v: ir.IntegerAttr.get(ir.IntegerType.get_signless(64), int(v)),
            lambda a: int(ir.IntegerAttr(a).value)),
    "ints": (lambda v: ir.DenseI64ArrayAttr.get([int(x) for x in v]),
             lambda a: tuple(ir.DenseI64ArrayAttr(a))),
    "intss": (lambda v: ir.ArrayAttr.get([ir.DenseI64ArrayAttr.get([int(x) for x in t]) for t in v]),
              lambda a: tuple(tuple(ir.DenseI64ArrayAttr(t)) for t in ir.ArrayAttr(a))),
    "float": (lambda v: ir.FloatAttr.get_f64(float(v)), lambda a: ir.FloatAttr(a).value),
    "bool": (lambda v: ir.BoolAttr.get(bool(v)), lambda a: ir.BoolAttr(a).value),
    "str": (lambda v: ir.StringAttr.get(v), lambda a: ir.StringAttr(a).value),
    "dtype": (lambda v: ir.TypeAttr.get(element_type(v)),
              lambda a: DTYPE_OF_ELEMENT[str(ir.TypeAttr(a).value)]),
    "symbol": (lambda v: ir.FlatSymbolRefAttr.get(v), lambda a: ir.FlatSymbolRefAttr(a).value),
    "dense": (None, _array_of_dense),  # encoded by the op (needs the dtype)
}


class OpDef:
    """One irax op: name, attribute schema, result-type inference."""

    def __init__(self, name, infer, attrs=None, regions=0, inferable=True, verify=None):
        self.name = name
        self.infer = infer
        self.attrs = dict(attrs or {})
        self.regions = regions
        self.inferable = inferable  # False: result types come from a callee or region
        self.verify = verify  # verify(op): whole-op check (region signatures) for such ops
        self.rules = {}  # kind -> rule: every transform, fold and lowering of this op
        self._signature = None

    def encode(self, attrs: dict, results) -> dict:
        out = {}
        for k, v in attrs.items():
            kind = self.attrs.get(k)
            if kind is None:
                raise IraxTypeError(f"{self.name}: unknown attribute '{k}'")
            if v is None:
                continue
            if isinstance(v, ir.Attribute):
                out[k] = v
            elif kind == "dense":
                out[k] = _dense_of_array(np.asarray(v), results[0].dtype)
            else:
                out[k] = ATTR_KINDS[kind][0](v)
        return out

    def decode(self, op) -> dict:
        out = {}
        for key, attr in op.attributes.items():
            kind = self.attrs.get(key)
            if kind is not None:
                try:
                    out[key] = ATTR_KINDS[kind][1](attr)
                except (ValueError, TypeError):
                    raise IraxTypeError(f"{self.name}: attribute '{key}' must be "
                                        f"{ATTR_SPELLING[kind]}, got {attr}") from None
        return out

    def infer_checked(self, avals, attrs):
        """`infer`, with a wrong operand count or a missing attribute reported
        as an IraxTypeError naming the op (not a Python unpacking error)."""
        if self._signature is None:
            self._signature = inspect.signature(self.infer)
        try:
            sig = self._signature.bind(avals, **attrs)
        except TypeError as e:
            missing = [p.name for p in list(self._signature.parameters.values())[1:]
                       if p.default is inspect.Parameter.empty and p.name not in attrs]
            what = (f"missing attribute '{missing[0]}'" if missing else f"bad attributes ({e})")
            raise IraxTypeError(f"{self.name}: {what}") from None
        try:
            return self.infer(*sig.args, **sig.kwargs)
        except ValueError as e:
            if "unpack" not in str(e):
                raise
            types = ", ".join(a.str_short() for a in avals)
            raise IraxTypeError(f"{self.name}: wrong number of operands ({len(avals)}); "
                                f"got ({types})") from None


ATTR_SPELLING = {
    "int": "an integer (e.g. 1 : i64)", "ints": "array<i64: ...>",
    "intss": "[array<i64: ...>, ...]", "float": "a float (e.g. 1.0 : f64)",
    "bool": "true or false", "str": "a string", "dtype": "a type (e.g. f32)",
    "symbol": "a symbol (@name)", "dense": "a dense<...> elements attribute",
}


OPS: dict[str, OpDef] = {}


class RuleTable(MutableMapping):
    """The rules of one kind (jvp, vjp, batching, lowering, ...) as a mapping
    from op name to rule, stored on the ops' own records: each op is one
    `OpDef` holding its definition and every rule registered for it, so
    `OPS[name].rules` says all that is known about an op, and a rule for an
    op that was never defined fails where it is registered."""

    def __init__(self, kind: str, rules: dict | None = None):
        self.kind = kind
        RULE_KINDS.append(kind)
        self.update(rules or {})

    def __getitem__(self, name):
        record = OPS.get(name)
        if record is None or self.kind not in record.rules:
            raise KeyError(name)
        return record.rules[self.kind]

    def get(self, name, default=None):
        record = OPS.get(name)
        return default if record is None else record.rules.get(self.kind, default)

    def __contains__(self, name):
        record = OPS.get(name)
        return record is not None and self.kind in record.rules

    def __setitem__(self, name, rule):
        record = OPS.get(name)
        if record is None:
            raise KeyError(f"a {self.kind} rule for {name!r}, which is not a defined irax op")
        record.rules[self.kind] = rule

    def __delitem__(self, name):
        del OPS[name].rules[self.kind]

    def __iter__(self):
        return (name for name, record in OPS.items() if self.kind in record.rules)

    def __len__(self):
        return sum(self.kind in record.rules for record in OPS.values())

    def __repr__(self):
        return f"RuleTable({self.kind!r}: {len(self)} ops)"


RULE_KINDS: list[str] = []  # every kind of rule a RuleTable was made for


def define(name, attrs=None, regions=0, inferable=True, verify=None):
    def deco(infer):
        OPS[name] = OpDef(name, infer, attrs, regions, inferable, verify)
        return infer
    return deco


def attrs_of(op) -> dict:
    return OPS[op.name].decode(op)


def where_string(loc=None) -> str:
    """The user's file:line of a location, for error messages."""
    loc = loc if loc is not None else ir.Location.current
    s = str(loc)
    # the first "file":line of a file, name, callsite or fused location
    m = _FILE_LINE.search(s)
    return f"{m.group(1)}:{m.group(2)}" if m else s


_FILE_LINE = re.compile(r'"((?:[^"\\]|\\.)*)":(\d+)')


def emit(name: str, operands, results=None, **attrs):
    """Create `name` at the current insertion point; returns its results.

    Result types are inferred from the operand types unless `results`
    (a list of Avals) is given, as for ops whose types come from a callee.
    """
    opdef = OPS[name]
    operands = list(operands)
    if results is None:
        avals = [aval_of(v) for v in operands]
        try:
            results = opdef.infer_checked(avals, attrs)
        except IraxTypeError as e:
            raise IraxTypeError(f"{e} (at {where_string()})") from None
        if isinstance(results, Aval):
            results = [results]
    attributes = opdef.encode(attrs, results)
    op = ir.Operation.create(name, results=[tensor_type(a) for a in results],
                             operands=operands, attributes=attributes, regions=opdef.regions)
    return list(op.results)


# --------------------------------------------------------------------------
# Inference helpers
# --------------------------------------------------------------------------

def _fail(name, msg, avals):
    types = ", ".join(a.str_short() for a in avals)
    raise IraxTypeError(f"{name}: {msg}; got ({types})")


def _same_types(name, avals):
    a = avals[0]
    for b in avals[1:]:
        if b.shape != a.shape:
            _fail(name, "operands must have equal shapes", avals)
        if b.dtype != a.dtype:
            _fail(name, "operands must have equal dtypes", avals)
    return a


def _check_axes(name, axes, ndim, avals):
    for ax in axes:
        if not 0 <= ax < ndim:
            _fail(name, f"axis {ax} out of range for rank {ndim}", avals)
    if len(set(axes)) != len(axes):
        _fail(name, f"repeated axes {tuple(axes)}", avals)


# --------------------------------------------------------------------------
# Elementwise
# --------------------------------------------------------------------------

FLOAT_UNARY = ("exp", "exp2", "log", "log1p", "expm1", "tanh", "logistic", "sin", "cos",
               "tan", "asin", "acos", "atan", "sinh", "cosh", "asinh", "acosh", "atanh",
               "sqrt", "rsqrt", "cbrt", "erf", "floor",
               "ceil", "round")
NUMERIC_UNARY = ("neg", "abs", "sign")
INT_UNARY = ("not", "population_count")
ARITH_BINARY = ("add", "sub", "mul", "div", "rem", "max", "min", "pow")
FLOAT_BINARY = ("atan2",)
BITWISE_BINARY = ("and", "or", "xor", "shift_left", "shift_right_logical",
                  "shift_right_arithmetic")
COMPARISONS = ("eq", "ne", "lt", "le", "gt", "ge")
# The ops JAX's lax also defines on complex operands (abs's result is real).
COMPLEX_OPS = frozenset(("exp", "exp2", "log", "log1p", "expm1", "tanh", "logistic", "sin", "cos",
                         "tan", "asin", "acos", "atan", "sinh", "cosh", "asinh", "acosh", "atanh",
                         "sqrt", "rsqrt", "neg", "abs", "sign", "add", "sub", "mul", "div", "pow",
                         "eq", "ne"))


def _unary(name, allowed):
    def infer(avals):
        (a,) = avals
        if a.dtype not in allowed:
            _fail(name, f"expects a {allowed_name(allowed)} operand", avals)
        return a
    return infer


def allowed_name(allowed):
    if allowed == FLOATS:
        return "floating-point"
    if allowed == INTEGERS + ("bool",):
        return "integer or boolean"
    if allowed == INEXACT:
        return "floating-point or complex"
    return "numeric"


for _n in FLOAT_UNARY:
    define(f"irax.{_n}")(_unary(f"irax.{_n}", INEXACT if _n in COMPLEX_OPS else FLOATS))
for _n in NUMERIC_UNARY:
    define(f"irax.{_n}")(_unary(f"irax.{_n}", FLOATS + INTEGERS + COMPLEX))


@define("irax.abs")
def _abs(avals):
    a = _unary("irax.abs", FLOATS + INTEGERS + COMPLEX)(avals)
    return Aval(a.shape, real_dtype(a.dtype))
for _n in INT_UNARY:
    define(f"irax.{_n}")(_unary(f"irax.{_n}", INTEGERS + ("bool",)))


@define("irax.is_finite")
def _is_finite(avals):
    (a,) = avals
    if not is_float(a.dtype):
        _fail("irax.is_finite", "expects a floating-point operand", avals)
    return Aval(a.shape, "bool")


def integer_pow_by_squaring(x, y: int, mul, one, reciprocal):
    """x**y as square-and-multiply: the order of the roundings is part of the op, so
    its lowering and its constant fold both build it here (`mul(a, b)`, `one()`,
    `reciprocal(a)` are theirs)."""
    acc, base, n = None, x, abs(y)
    while n:
        if n & 1:
            acc = base if acc is None else mul(acc, base)
        n >>= 1
        if n:
            base = mul(base, base)
    acc = one() if acc is None else acc
    return reciprocal(acc) if y < 0 else acc


@define("irax.integer_pow", {"y": "int"})
def _integer_pow(avals, y):
    a = _unary("irax.integer_pow", FLOATS + INTEGERS + COMPLEX)(avals)
    if y < 0 and a.dtype in INTEGERS:
        _fail("irax.integer_pow", f"integers cannot be raised to the negative power {y}", avals)
    return a


def _binary(name, allowed=None):
    def infer(avals):
        if len(avals) != 2:
            _fail(name, "expects 2 operands", avals)
        a = _same_types(name, avals)
        if allowed is not None and a.dtype not in allowed:
            _fail(name, f"expects {allowed_name(allowed)} operands", avals)
        return a
    return infer


for _n in ARITH_BINARY:  # bool has no arithmetic (as in lax): only max/min order it
    define(f"irax.{_n}")(_binary(f"irax.{_n}", FLOATS + INTEGERS + ("bool",) if _n in ("max", "min")
                                 else FLOATS + INTEGERS + COMPLEX if _n in COMPLEX_OPS
                                 else FLOATS + INTEGERS))
for _n in FLOAT_BINARY:
    define(f"irax.{_n}")(_binary(f"irax.{_n}", FLOATS))
for _n in BITWISE_BINARY:
    define(f"irax.{_n}")(_binary(f"irax.{_n}", INTEGERS + ("bool",)))


def _compare(name):
    def infer(avals):
        a = _binary(name)(avals)
        if is_complex(a.dtype) and name[5:] not in COMPLEX_OPS:
            _fail(name, "complex numbers have no order", avals)
        return Aval(a.shape, "bool")
    return infer


for _n in COMPARISONS:
    define(f"irax.{_n}")(_compare(f"irax.{_n}"))


@define("irax.select")
def _select(avals):
    if len(avals) != 3:
        _fail("irax.select", "expects (pred, on_true, on_false)", avals)
    p, a, b = avals
    if p.dtype != "bool":
        _fail("irax.select", "predicate must be bool", avals)
    if p.shape != a.shape and p.shape != ():
        _fail("irax.select", "predicate shape must match the operands or be scalar", avals)
    return _same_types("irax.select", [a, b])


@define("irax.clamp")
def _clamp(avals):
    lo, x, hi = avals
    for b in (lo, hi):
        if b.dtype != x.dtype or (b.shape != () and b.shape != x.shape):
            _fail("irax.clamp", "bounds must be scalars or match the operand", avals)
    if is_complex(x.dtype):
        _fail("irax.clamp", "complex numbers have no order", avals)
    return x


@define("irax.convert_element_type", {"new_dtype": "dtype"})
def _convert(avals, new_dtype):
    (a,) = avals
    return Aval(a.shape, new_dtype)


@define("irax.bitcast_convert_type", {"new_dtype": "dtype"})
def _bitcast(avals, new_dtype):
    (a,) = avals
    if is_complex(a.dtype) or is_complex(new_dtype):
        _fail("irax.bitcast_convert_type", f"cannot bitcast complex values (to {new_dtype})", avals)
    if _bits(a.dtype) != _bits(new_dtype):
        _fail("irax.bitcast_convert_type", f"cannot bitcast to {new_dtype} (bit widths differ)", avals)
    return Aval(a.shape, new_dtype)


def _bits(dtype):
    return {"bool": 1, "int8": 8, "uint8": 8, "int16": 16, "uint16": 16, "float16": 16,
            "bfloat16": 16, "int32": 32, "uint32": 32, "float32": 32, "int64": 64, "uint64": 64,
            "float64": 64}[dtype]


# --------------------------------------------------------------------------
# Shapes
# --------------------------------------------------------------------------

@define("irax.constant", {"value": "dense"})
def _constant(avals, value):
    value = np.asarray(value)
    return Aval(value.shape, _dtype_of_numpy(value))


def _dtype_of_numpy(value):
    name = value.dtype.name
    if name not in ELEMENT_TYPES:
        raise IraxTypeError(f"irax.constant: unsupported dtype {name}")
    return name


@define("irax.iota", {"shape": "ints", "dtype": "dtype", "dimension": "int"})
def _iota(avals, shape, dtype, dimension):
    if not 0 <= dimension < len(shape):
        _fail("irax.iota", f"dimension {dimension} out of range for shape {tuple(shape)}", avals)
    return Aval(shape, dtype)


@define("irax.broadcast_in_dim", {"shape": "ints", "broadcast_dimensions": "ints"})
def _broadcast_in_dim(avals, shape, broadcast_dimensions):
    (a,) = avals
    dims = tuple(broadcast_dimensions)
    if len(dims) != a.ndim:
        _fail("irax.broadcast_in_dim",
              f"broadcast_dimensions {dims} must have one entry per operand dim", avals)
    for i, d in enumerate(dims):
        if not 0 <= d < len(shape) or a.shape[i] not in (1, shape[d]):
            _fail("irax.broadcast_in_dim",
                  f"cannot broadcast to shape {tuple(shape)} with dimensions {dims}", avals)
    if list(dims) != sorted(dims):
        _fail("irax.broadcast_in_dim", f"broadcast_dimensions {dims} must be increasing", avals)
    return Aval(shape, a.dtype)


@define("irax.reshape", {"new_sizes": "ints"})
def _reshape(avals, new_sizes):
    (a,) = avals
    if int(np.prod(new_sizes, dtype=np.int64)) != a.size:
        _fail("irax.reshape", f"cannot reshape to {tuple(new_sizes)}", avals)
    return Aval(new_sizes, a.dtype)


@define("irax.transpose", {"permutation": "ints"})
def _transpose(avals, permutation):
    (a,) = avals
    if sorted(permutation) != list(range(a.ndim)):
        _fail("irax.transpose", f"permutation {tuple(permutation)} is not a permutation of the dims", avals)
    return Aval([a.shape[p] for p in permutation], a.dtype)


@define("irax.rev", {"dimensions": "ints"})
def _rev(avals, dimensions):
    (a,) = avals
    _check_axes("irax.rev", dimensions, a.ndim, avals)
    return a


def _reduce(name, allowed=None):
    def infer(avals, axes):
        (a,) = avals
        _check_axes(name, axes, a.ndim, avals)
        if allowed is not None and a.dtype not in allowed:
            _fail(name, "unsupported operand dtype", avals)
        if is_complex(a.dtype) and name[-3:] in ("max", "min"):
            _fail(name, "complex numbers have no order", avals)
        return Aval([d for i, d in enumerate(a.shape) if i not in axes], a.dtype)
    return infer


def reduce_identity(name: str, dtype: str):
    """The identity of reduction `name`'s combine: an empty reduction's value
    (JAX's), and the seed of every lowered one."""
    kind = name.rsplit("_", 1)[-1]
    if kind in ("max", "min"):
        lo = kind == "max"
        if is_float(dtype):
            return -np.inf if lo else np.inf
        if dtype == "bool":
            return 0 if lo else 1
        info = np.iinfo(dtype)
        return info.min if lo else info.max
    return {"sum": 0, "prod": 1, "and": 1, "or": 0}[kind]


for _n in ("sum", "max", "min", "prod"):
    define(f"irax.reduce_{_n}", {"axes": "ints"})(_reduce(f"irax.reduce_{_n}"))
for _n in ("and", "or"):
    define(f"irax.reduce_{_n}", {"axes": "ints"})(_reduce(f"irax.reduce_{_n}", ("bool",)))


def _argreduce(name):
    def infer(avals, axis, index_dtype):
        (a,) = avals
        _check_axes(name, (axis,), a.ndim, avals)
        if is_complex(a.dtype):
            _fail(name, "complex numbers have no order", avals)
        return Aval([d for i, d in enumerate(a.shape) if i != axis], index_dtype)
    return infer


for _n in ("argmax", "argmin"):
    define(f"irax.{_n}", {"axis": "int", "index_dtype": "dtype"})(_argreduce(f"irax.{_n}"))


for _n in ("cumsum", "cumprod", "cummax", "cummin"):
    def _cum(avals, axis, reverse=False, _n=_n):
        (a,) = avals
        _check_axes(f"irax.{_n}", (axis,), a.ndim, avals)
        if is_complex(a.dtype) and _n in ("cummax", "cummin"):
            _fail(f"irax.{_n}", "complex numbers have no order", avals)
        return a
    define(f"irax.{_n}", {"axis": "int", "reverse": "bool"})(_cum)


@define("irax.dot_general", {"lhs_contracting": "ints", "rhs_contracting": "ints",
                             "lhs_batch": "ints", "rhs_batch": "ints"})
def _dot_general(avals, lhs_contracting, rhs_contracting, lhs_batch=(), rhs_batch=()):
    lhs, rhs = avals
    name = "irax.dot_general"
    if lhs.dtype != rhs.dtype:
        _fail(name, "operands must have equal dtypes", avals)
    if len(lhs_contracting) != len(rhs_contracting) or len(lhs_batch) != len(rhs_batch):
        _fail(name, "contracting/batch dimension lists differ in length", avals)
    _check_axes(name, tuple(lhs_contracting) + tuple(lhs_batch), lhs.ndim, avals)
    _check_axes(name, tuple(rhs_contracting) + tuple(rhs_batch), rhs.ndim, avals)
    for l, r in zip(lhs_contracting, rhs_contracting):
        if lhs.shape[l] != rhs.shape[r]:
            _fail(name, f"contracting dimensions differ: lhs dim {l} has size {lhs.shape[l]}, "
                        f"rhs dim {r} has size {rhs.shape[r]}", avals)
    for l, r in zip(lhs_batch, rhs_batch):
        if lhs.shape[l] != rhs.shape[r]:
            _fail(name, f"batch dimensions differ: lhs dim {l} vs rhs dim {r}", avals)
    batch = [lhs.shape[d] for d in lhs_batch]
    lfree = [d for i, d in enumerate(lhs.shape) if i not in lhs_contracting and i not in lhs_batch]
    rfree = [d for i, d in enumerate(rhs.shape) if i not in rhs_contracting and i not in rhs_batch]
    return Aval(batch + lfree + rfree, lhs.dtype)


@define("irax.slice", {"start_indices": "ints", "limit_indices": "ints", "strides": "ints"})
def _slice(avals, start_indices, limit_indices, strides=None):
    (a,) = avals
    strides = strides or (1,) * a.ndim
    if not (len(start_indices) == len(limit_indices) == len(strides) == a.ndim):
        _fail("irax.slice", "start/limit/strides must have one entry per dim", avals)
    shape = []
    for s, l, st, d in zip(start_indices, limit_indices, strides, a.shape):
        if not (0 <= s <= l <= d) or st < 1:
            _fail("irax.slice", f"invalid slice [{s}:{l}:{st}] of a dim of size {d}", avals)
        shape.append((l - s + st - 1) // st)
    return Aval(shape, a.dtype)


@define("irax.dynamic_slice", {"slice_sizes": "ints"})
def _dynamic_slice(avals, slice_sizes):
    a, *idx = avals
    if len(idx) != a.ndim or len(slice_sizes) != a.ndim:
        _fail("irax.dynamic_slice", "needs one start index and one size per dim", avals)
    for i in idx:
        if i.shape != () or i.dtype not in INTEGERS:
            _fail("irax.dynamic_slice", "start indices must be integer scalars", avals)
    for s, d in zip(slice_sizes, a.shape):
        if not 0 <= s <= d:
            _fail("irax.dynamic_slice", f"slice size {s} larger than dim {d}", avals)
    return Aval(slice_sizes, a.dtype)


@define("irax.dynamic_update_slice")
def _dynamic_update_slice(avals):
    a, u, *idx = avals
    if len(idx) != a.ndim or u.ndim != a.ndim or u.dtype != a.dtype:
        _fail("irax.dynamic_update_slice", "update must match operand rank and dtype, one index per dim",
              avals)
    if any(us > d for us, d in zip(u.shape, a.shape)):
        _fail("irax.dynamic_update_slice", "update larger than operand", avals)
    for i in idx:
        if i.shape != () or i.dtype not in INTEGERS:
            _fail("irax.dynamic_update_slice", "start indices must be integer scalars", avals)
    return a


@define("irax.concatenate", {"dimension": "int"})
def _concatenate(avals, dimension):
    a = avals[0]
    _check_axes("irax.concatenate", (dimension,), a.ndim, avals)
    total = 0
    for b in avals:
        if b.dtype != a.dtype or b.ndim != a.ndim or any(
                x != y for i, (x, y) in enumerate(zip(a.shape, b.shape)) if i != dimension):
            _fail("irax.concatenate", f"operands must agree except along dimension {dimension}", avals)
        total += b.shape[dimension]
    shape = list(a.shape)
    shape[dimension] = total
    return Aval(shape, a.dtype)


@define("irax.pad", {"low": "ints", "high": "ints", "interior": "ints"})
def _pad(avals, low, high, interior=None):
    a, pv = avals
    interior = interior or (0,) * a.ndim
    if pv.shape != () or pv.dtype != a.dtype:
        _fail("irax.pad", "padding value must be a scalar of the operand's dtype", avals)
    if not len(low) == len(high) == len(interior) == a.ndim:
        _fail("irax.pad", f"padding config needs one (low, high, interior) per dim; got "
                          f"{len(low)} for rank {a.ndim}", avals)
    shape = []
    for d, lo, hi, it in zip(a.shape, low, high, interior):
        n = lo + hi + d + max(d - 1, 0) * it
        if n < 0 or it < 0:
            _fail("irax.pad", "negative padded size", avals)
        shape.append(n)
    return Aval(shape, a.dtype)


@define("irax.gather")
def _gather(avals):
    """Index the leading k dims of `operand` with `indices[..., k]` (clamped)."""
    a, idx = avals
    if idx.ndim < 1 or idx.dtype not in INTEGERS or idx.shape[-1] > a.ndim:
        _fail("irax.gather", "indices must be integers of shape [..., k] with k <= operand rank",
              avals)
    k = idx.shape[-1]
    return Aval(idx.shape[:-1] + a.shape[k:], a.dtype)


SCATTER_MODES = ("set", "add", "mul", "min", "max")


@define("irax.scatter", {"mode": "str"})
def _scatter(avals, mode):
    """Combine `updates` into the leading k dims of `operand` at `indices`
    (out-of-bounds updates are dropped)."""
    a, idx, upd = avals
    if mode not in SCATTER_MODES:
        _fail("irax.scatter", f"unknown mode {mode!r}", avals)
    k = idx.shape[-1] if idx.ndim else -1
    if idx.ndim < 1 or idx.dtype not in INTEGERS or k > a.ndim:
        _fail("irax.scatter", "indices must be integers of shape [..., k] with k <= operand rank",
              avals)
    if upd.shape != idx.shape[:-1] + a.shape[k:] or upd.dtype != a.dtype:
        _fail("irax.scatter", "updates must have shape indices.shape[:-1] + operand.shape[k:]",
              avals)
    return a


@define("irax.sort", {"dimension": "int", "num_keys": "int", "descending": "bool"})
def _sort(avals, dimension, num_keys=1, descending=False):
    a = avals[0]
    _check_axes("irax.sort", (dimension,), a.ndim, avals)
    for b in avals:
        if b.shape != a.shape:
            _fail("irax.sort", "all operands must have the same shape", avals)
    if any(is_complex(k.dtype) for k in avals[:num_keys]):
        _fail("irax.sort", "complex keys are not supported (sort by real and imaginary parts)",
              avals)
    return list(avals)


# --------------------------------------------------------------------------
# Calls and higher-order ops.  Their result types come from the callee, so
# `emit` is given them; `verify_module` checks them against the callee.
# --------------------------------------------------------------------------

def from_callee(avals, **attrs):
    raise IraxTypeError("result types must be given for an op typed by its callee")


define("irax.call", {"callee": "symbol"}, inferable=False)(from_callee)


@define("irax.stop_gradient")
def _stop_gradient(avals):
    """Identity whose derivative is zero (JAX's stop_gradient)."""
    (a,) = avals
    return a


def aval_of_checked(v) -> Aval:
    """The aval of an irax op's operand or result; other types are an error."""
    try:
        return aval_of(v)
    except (ValueError, KeyError):
        raise IraxTypeError(f"irax ops take and return ranked tensors of "
                            f"{', '.join(ELEMENT_TYPES.values())}; got {v.type}") from None


def verify_module(module) -> None:
    """Check every irax op against its definition; raise with its location."""
    def check(op):
        op = op.operation if hasattr(op, "operation") else op
        name = op.name
        if name.startswith("irax."):
            opdef = OPS.get(name)
            if opdef is None:
                raise IraxTypeError(f"unknown op '{name}' (at {where_string(op.location)})")
            if opdef.inferable:
                try:
                    avals = [aval_of_checked(v) for v in op.operands]
                    unknown = [k for k in op.attributes.keys() if k not in opdef.attrs]
                    if unknown:
                        raise IraxTypeError(f"{name}: unknown attribute '{unknown[0]}' (known: "
                                            f"{', '.join(sorted(opdef.attrs)) or 'none'})")
                    want = opdef.infer_checked(avals, opdef.decode(op))
                    for r in op.results:
                        aval_of_checked(r)
                except IraxTypeError as e:
                    raise IraxTypeError(f"{e} (at {where_string(op.location)})") from None
                want = [want] if isinstance(want, Aval) else want
                got = [aval_of(r) for r in op.results]
                if got != want:
                    raise IraxTypeError(
                        f"{name}: result types {[a.str_short() for a in got]} do not match the "
                        f"inferred {[a.str_short() for a in want]} (at {where_string(op.location)})")
            else:
                try:
                    _check_callee(op, functions)
                    if opdef.verify is not None:
                        opdef.verify(op)
                except IraxTypeError as e:
                    raise IraxTypeError(f"{e} (at {where_string(op.location)})") from None
        for region in op.regions:
            for block in region.blocks:
                for inner in block.operations:
                    check(inner)
    functions = {ir.StringAttr(f.attributes["sym_name"]).value: f
                 for f in module.body.operations if "sym_name" in f.attributes}
    for op in module.body.operations:
        check(op)


def _check_callee(op, functions) -> None:
    """An op naming a `callee` needs that function; irax.call also its types."""
    if "callee" not in op.attributes:
        return
    callee = ir.FlatSymbolRefAttr(op.attributes["callee"]).value
    f = functions.get(callee)
    if f is None:
        raise IraxTypeError(f"{op.name}: no function @{callee} in the module")
    if op.name != "irax.call":
        return
    ft = ir.FunctionType(ir.TypeAttr(f.attributes["function_type"]).value)
    ins, outs = [str(t) for t in ft.inputs], [str(t) for t in ft.results]
    got_in, got_out = [str(v.type) for v in op.operands], [str(r.type) for r in op.results]
    if ins != got_in or outs != got_out:
        raise IraxTypeError(f"irax.call: @{callee} has type ({', '.join(ins)}) -> "
                            f"({', '.join(outs)}), called as ({', '.join(got_in)}) -> "
                            f"({', '.join(got_out)})")
