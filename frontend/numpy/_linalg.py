"""Products: dot, matmul, vdot, inner, outer, tensordot, einsum."""
from __future__ import annotations

from irax.dialects.ops import IraxTypeError

from .. import lax
from ..core import user_line
from ._core import asarray, broadcast_shapes, promote


def _promoted(a, b, op):
    x, y = promote(a, b, op=op)
    if x.aval.dtype == "bool":
        x, y = lax.convert_element_type(x, "int32"), lax.convert_element_type(y, "int32")
    return x, y


def matmul(a, b, *, precision=None, preferred_element_type=None):
    x, y = _promoted(a, b, "matmul")
    if x.aval.ndim == 0 or y.aval.ndim == 0:
        raise IraxTypeError(f"matmul: operands must not be scalars; got shapes {x.aval.shape} and "
                            f"{y.aval.shape} (at {user_line()})")
    xv, yv = x.aval.ndim == 1, y.aval.ndim == 1
    if xv:
        x = lax.reshape(x, (1,) + x.aval.shape)
    if yv:
        y = lax.reshape(y, y.aval.shape + (1,))
    if x.aval.shape[-1] != y.aval.shape[-2]:
        raise IraxTypeError(f"matmul: contracting dimensions differ: shapes {asarray(a).aval.shape} "
                            f"and {asarray(b).aval.shape} (at {user_line()})")
    batch = broadcast_shapes(x.aval.shape[:-2], y.aval.shape[:-2], op="matmul")
    nb = len(batch)
    if nb:
        x = lax.broadcast_in_dim(x, batch + x.aval.shape[-2:],
                                 range(nb - (x.aval.ndim - 2), nb + 2)) if x.aval.shape[:-2] != batch else x
        y = lax.broadcast_in_dim(y, batch + y.aval.shape[-2:],
                                 range(nb - (y.aval.ndim - 2), nb + 2)) if y.aval.shape[:-2] != batch else y
    out = lax.dot_general(x, y, (((nb + 1,), (nb,)), (tuple(range(nb)), tuple(range(nb)))),
                          preferred_element_type=preferred_element_type)
    if xv:
        out = lax.reshape(out, out.aval.shape[:-2] + out.aval.shape[-1:])
    if yv:
        out = lax.reshape(out, out.aval.shape[:-1])
    return out


def dot(a, b, *, precision=None, preferred_element_type=None):
    x, y = _promoted(a, b, "dot")
    if x.aval.ndim == 0 or y.aval.ndim == 0:
        return lax.mul(*_broadcast_pair(x, y))
    if y.aval.ndim == 1:
        return tensordot(x, y, ((x.aval.ndim - 1,), (0,)))
    return tensordot(x, y, ((x.aval.ndim - 1,), (y.aval.ndim - 2,)))


def _broadcast_pair(x, y):
    from ._core import broadcast_arrays
    return broadcast_arrays(x, y, op="dot")


def vdot(a, b):
    """The dot product of the flattened arrays, the first conjugated (as NumPy's)."""
    from ._complex import conjugate
    return dot(conjugate(asarray(a)).reshape(-1), asarray(b).reshape(-1))


def inner(a, b):
    x, y = _promoted(a, b, "inner")
    if x.aval.ndim == 0 or y.aval.ndim == 0:
        return lax.mul(*_broadcast_pair(x, y))
    return tensordot(x, y, ((x.aval.ndim - 1,), (y.aval.ndim - 1,)))


def outer(a, b):
    x, y = _promoted(asarray(a).reshape(-1), asarray(b).reshape(-1), "outer")
    return lax.dot_general(x, y, (((), ()), ((), ())))


def tensordot(a, b, axes=2):
    x, y = _promoted(a, b, "tensordot")
    if isinstance(axes, int):
        ax_a = tuple(range(x.aval.ndim - axes, x.aval.ndim))
        ax_b = tuple(range(axes))
    else:
        ax_a, ax_b = axes
        ax_a = (ax_a,) if isinstance(ax_a, int) else tuple(ax_a)
        ax_b = (ax_b,) if isinstance(ax_b, int) else tuple(ax_b)
    ax_a = tuple(i % x.aval.ndim for i in ax_a)
    ax_b = tuple(i % y.aval.ndim for i in ax_b)
    for i, j in zip(ax_a, ax_b):
        if x.aval.shape[i] != y.aval.shape[j]:
            raise IraxTypeError(f"tensordot: shape mismatch: {x.aval.shape} axis {i} vs "
                                f"{y.aval.shape} axis {j} (at {user_line()})")
    return lax.dot_general(x, y, ((ax_a, ax_b), ((), ())))


def einsum(subscripts, *operands, optimize=None, precision=None, preferred_element_type=None):
    from ._einsum import einsum as _einsum
    return _einsum(subscripts, *operands, preferred_element_type=preferred_element_type)
