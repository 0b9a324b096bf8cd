"""Sorting: sort, argsort (stable; NaNs last, as in NumPy)."""
from __future__ import annotations

from .. import lax
from ..core import bind
from ._core import asarray, canonical_axis


def _prepare(a, axis, op):
    x = asarray(a)
    if axis is None:
        x = lax.reshape(x, (x.aval.size,))
        axis = 0
    if x.aval.ndim == 0:
        raise ValueError(f"{op}: cannot sort a 0-d array; give axis=None to sort it flattened")
    return x, canonical_axis(axis, x.aval.ndim, op)


def sort(a, axis=-1, *, kind=None, order=None, stable=True, descending=False):
    """Sorted copy of `a` along `axis` (axis=None sorts the flattened array).  Descending
    is the ascending sort reversed, as in JAX, so equal keys (0.0 and -0.0 too) come out in
    reverse order and a gradient goes to the same ones as in JAX."""
    x, axis = _prepare(a, axis, "sort")
    out = bind("irax.sort", [x], dimension=axis, num_keys=1, descending=False)[0]
    return lax.rev(out, (axis,)) if descending else out


def argsort(a, axis=-1, *, kind=None, order=None, stable=True, descending=False):
    """Indices that sort `a` along `axis`; ties keep their original order."""
    from .. import dtypes
    x, axis = _prepare(a, axis, "argsort")
    idx = lax.broadcasted_iota(dtypes.default_int(), x.aval.shape, axis)
    return bind("irax.sort", [x, idx], dimension=axis, num_keys=1,
                descending=bool(descending))[1]
