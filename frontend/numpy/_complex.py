"""Complex-number functions of irax.numpy (JAX's names, dtypes and conventions)."""
from __future__ import annotations

import numpy as np

from irax.dialects.types import COMPLEX

from .. import lax
from ..core import is_array
from ._core import asarray
from ._creation import full_like, zeros_like

complex64 = csingle = np.complex64
complex128 = cdouble = np.complex128
complex_ = np.complex128
complexfloating = np.complexfloating


def _is_complex(x) -> bool:
    return x.aval.dtype in COMPLEX


def real(val, /):
    """The real part; a real array is returned as it is."""
    x = asarray(val)
    return lax.real(x) if _is_complex(x) else x


def imag(val, /):
    """The imaginary part; zeros (of the input's dtype) for a real array."""
    x = asarray(val)
    return lax.imag(x) if _is_complex(x) else zeros_like(x)


def conjugate(x, /):
    """The complex conjugate; a real array is returned as it is (unlike lax.conj)."""
    x = asarray(x)
    return lax.conj(x) if _is_complex(x) else x


conj = conjugate


def angle(z, deg=False):
    """The argument atan2(imag, real), in radians (or degrees); real inputs give 0 or pi,
    integers as the default float."""
    from ._ufuncs import _to_float
    z = asarray(z)
    re, im = (lax.real(z), lax.imag(z)) if _is_complex(z) else (_to_float(z), None)
    out = lax.atan2(zeros_like(re) if im is None else im, re)
    return lax.mul(out, 180.0 / np.pi) if deg else out


def iscomplexobj(x) -> bool:
    """Whether x has a complex dtype (its values are not looked at)."""
    if is_array(x):
        return _is_complex(x)
    return np.iscomplexobj(x)


def isrealobj(x) -> bool:
    return not iscomplexobj(x)


def iscomplex(x):
    """Elementwise: a non-zero imaginary part."""
    x = asarray(x)
    if not _is_complex(x):
        return zeros_like(x, dtype="bool")
    return lax.ne(lax.imag(x), 0.0)


def isreal(x):
    """Elementwise: a zero imaginary part (every element of a real array)."""
    x = asarray(x)
    if not _is_complex(x):
        return full_like(x, True, dtype="bool")
    return lax.eq(lax.imag(x), 0.0)


def sort_complex(a):
    """Sorted along the last axis by real part, then imaginary part; the result is complex."""
    from ..dtypes import result_type
    x = asarray(a)
    if not _is_complex(x):
        x = lax.convert_element_type(x, result_type((x.aval.dtype, False), ("complex64", True))[0])
    # the parts are the sort's operands: IREE miscompiled a sort carrying complex values
    re, im = lax.sort((lax.real(x), lax.imag(x)), dimension=-1, num_keys=2)
    return lax.complex(re, im)
