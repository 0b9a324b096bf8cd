"""Dtype queries (promote_types, can_cast, isdtype), NumPy's abstract scalar types and
aliases, printing helpers, einsum_path, and the Array API's matvec/vecmat/vecdot."""
from __future__ import annotations

import numpy as np

from irax.dialects.types import FLOATS, INTEGERS, dtype_name

from .. import dtypes, lax
from ..core import user_line
from ._core import asarray, broadcast_shapes, broadcast_to, canonical_axis

# NumPy's scalar type names (JAX's jnp.double etc. stand for the same dtypes)
double = np.float64
single = np.float32
float_ = np.float64
int_ = np.int64
uint = np.uint64
number = np.number
generic = np.generic
character = np.character
flexible = np.flexible
object_ = np.object_

euler_gamma = np.euler_gamma
iterable = np.iterable
printoptions = np.printoptions
get_printoptions = np.get_printoptions
set_printoptions = np.set_printoptions


def _name(dt):
    if dt is int:
        return "int64"
    if dt is float:
        return "float64"
    if dt is bool:
        return "bool"
    return dtype_name(dt)


def promote_types(a, b):
    """JAX's lattice join of two dtypes (not canonicalized to 32 bits, as in JAX)."""
    return dtypes.np_dtype(dtypes._join(_name(a), _name(b)))


def can_cast(from_, to, casting="safe"):
    from ..core import is_array
    src = from_.dtype if is_array(from_) or isinstance(from_, np.ndarray) else from_
    return bool(np.can_cast(np.dtype(src), np.dtype(to), casting))


_KINDS = {
    "bool": lambda n: n == "bool",
    "signed integer": lambda n: n in INTEGERS and n.startswith("int"),
    "unsigned integer": lambda n: n.startswith("uint"),
    "integral": lambda n: n in INTEGERS,
    "real floating": lambda n: n in FLOATS,
    "complex floating": lambda n: n.startswith("complex"),
    "numeric": lambda n: n != "bool",
}


def isdtype(dtype, kind):
    """Array API dtype kinds ('bool', 'signed integer', 'unsigned integer', 'integral',
    'real floating', 'complex floating', 'numeric'), a dtype, or a tuple of them."""
    name = _name(dtype)
    kinds = kind if isinstance(kind, tuple) else (kind,)
    for k in kinds:
        if isinstance(k, str):
            if k not in _KINDS:
                raise ValueError(f"isdtype: unrecognized kind {k!r}; use one of {sorted(_KINDS)}")
            if _KINDS[k](name):
                return True
        elif _name(k) == name:
            return True
    return False


def array_equiv(a1, a2):
    """Equal after broadcasting; shapes that do not broadcast are a concrete False."""
    from ._reductions import all as all_
    from ._ufuncs import equal
    x, y = asarray(a1), asarray(a2)
    try:
        shape = broadcast_shapes(x.aval.shape, y.aval.shape)
    except Exception:
        return asarray(False)
    return all_(equal(broadcast_to(x, shape), broadcast_to(y, shape)))


def array_str(a, max_line_width=None, precision=None, suppress_small=None):
    return np.array_str(np.asarray(a), max_line_width, precision, suppress_small)


def array_repr(arr, max_line_width=None, precision=None, suppress_small=None):
    x = asarray(arr)
    body = np.array2string(np.asarray(x), max_line_width, precision, suppress_small,
                           separator=", ", prefix="Array(")
    return f"Array({body}, dtype={x.aval.dtype})"


def einsum_path(subscripts, /, *operands, optimize="auto"):
    """The contraction order (pairs of operand positions) and NumPy's report on it; only
    the operand shapes matter."""
    dummies = [np.empty(asarray(o).aval.shape if not isinstance(o, np.ndarray) else o.shape,
                        np.float32) for o in operands]
    if optimize in ("auto", True):  # opt_einsum's 'auto': exhaustive search for few operands
        optimize = "optimal" if len(operands) <= 4 else "greedy"
    path, report = np.einsum_path(subscripts, *dummies, optimize=optimize)
    return [tuple(p) for p in path[1:]], report


def _conj(x):
    if x.aval.dtype.startswith("complex"):
        from ._complex import conj
        return conj(x)
    return x


def vecdot(x1, x2, /, *, axis=-1, precision=None, preferred_element_type=None):
    """sum(conj(x1) * x2) over `axis`, after broadcasting."""
    from ._core import promote_and_broadcast
    from ._reductions import sum as sum_
    a, b = promote_and_broadcast(x1, x2, op="vecdot")
    ax = canonical_axis(axis, a.aval.ndim, "vecdot")
    if asarray(x1).aval.shape[axis] != asarray(x2).aval.shape[axis]:
        raise ValueError(f"vecdot: axes must match; got shapes {asarray(x1).aval.shape} and "
                         f"{asarray(x2).aval.shape} with axis={axis} (at {user_line()})")
    out = sum_(lax.mul(_conj(a), b), axis=ax)
    return out if preferred_element_type is None else lax.convert_element_type(
        out, preferred_element_type)


def matvec(x1, x2, /):
    """x1 (..., m, n) times x2 (..., n), broadcasting the leading dims."""
    from ._linalg import matmul
    a, b = asarray(x1), asarray(x2)
    if a.aval.ndim < 2 or b.aval.ndim < 1 or a.aval.shape[-1] != b.aval.shape[-1]:
        raise ValueError(f"matvec: shapes {a.aval.shape} and {b.aval.shape} are incompatible "
                         f"(at {user_line()})")
    out = matmul(a, lax.expand_dims(b, (b.aval.ndim,)))
    return lax.squeeze(out, (out.aval.ndim - 1,))


def vecmat(x1, x2, /):
    """conj(x1) (..., n) times x2 (..., n, m)."""
    from ._linalg import matmul
    a, b = asarray(x1), asarray(x2)
    if a.aval.ndim < 1 or b.aval.ndim < 2 or a.aval.shape[-1] != b.aval.shape[-2]:
        raise ValueError(f"vecmat: shapes {a.aval.shape} and {b.aval.shape} are incompatible "
                         f"(at {user_line()})")
    out = matmul(lax.expand_dims(_conj(a), (a.aval.ndim - 1,)), b)
    return lax.squeeze(out, (out.aval.ndim - 2,))


def frombuffer(buffer, dtype=float, count=-1, offset=0):
    """An array from the bytes of a buffer (read on the host, as NumPy reads them)."""
    return asarray(np.frombuffer(buffer, dtype=np.dtype(dtype), count=count, offset=offset))


def fromstring(string, dtype=float, count=-1, *, sep):
    """An array from numbers in a string separated by `sep`."""
    return asarray(np.fromstring(string, dtype=np.dtype(dtype), count=count, sep=sep))
