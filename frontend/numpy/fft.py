"""irax.numpy.fft: discrete Fourier transforms as irax programs (JAX's names and conventions).

IREE has no FFT library call, so a transform is written with existing ops: along one
axis of length n, an even n is split (a reshape, no gather) into its even and odd
samples, both halves are transformed together as one batch, and combined with twiddle
factors (radix-2 decimation in time, log2 n levels of whole-array ops); an odd or short
length is a matrix product with its DFT matrix (twiddles and matrices are constants
computed in float64). Gradients, vmap and every backend come from that composition, and
its transposes are JAX's (the DFT matrix is symmetric: fft's transpose is fft).
"""
from __future__ import annotations

import numpy as np

from irax.dialects.types import COMPLEX, complex_dtype

from .. import dtypes, lax
from ..core import user_line
from ._core import asarray

_DIRECT = 16  # lengths up to this (and odd ones) are one matrix product

_NORMS = (None, "backward", "ortho", "forward")


def _check_norm(norm):
    if norm not in _NORMS:
        raise ValueError(f'Invalid norm value {norm}; should be "backward","ortho" or "forward".')


def _complex(x):
    """x as the complex dtype of its precision (integers and bools as the default float)."""
    x = asarray(x)
    dt = x.aval.dtype
    if dt in COMPLEX:
        return x
    base = dt if dt in ("float32", "float64") else dtypes.default_float()
    return lax.convert_element_type(x, complex_dtype(base))


def _const(value, dtype):
    return asarray(np.asarray(value).astype(dtypes.np_dtype(dtype)))


def _dft_last(x, inverse):
    """The unnormalized DFT along the last axis of complex x."""
    n = x.aval.shape[-1]
    sign = 1.0 if inverse else -1.0
    dt = x.aval.dtype
    if n <= _DIRECT or n % 2:
        k = np.arange(n)
        w = np.exp(sign * 2j * np.pi * (np.outer(k, k) % n) / n) if n else np.zeros((0, 0))
        return lax.dot_general(x, _const(w, dt), (((x.aval.ndim - 1,), (0,)), ((), ())))
    lead = x.aval.shape[:-1]
    half = n // 2
    # x[..., 2j + r] -> (..., r, j): the even and odd samples as a batch of two
    pairs = lax.transpose(lax.reshape(x, lead + (half, 2)),
                          tuple(range(len(lead))) + (len(lead) + 1, len(lead)))
    y = _dft_last(pairs, inverse)
    even = lax.reshape(lax.slice_in_dim(y, 0, 1, axis=len(lead)), lead + (half,))
    odd = lax.reshape(lax.slice_in_dim(y, 1, 2, axis=len(lead)), lead + (half,))
    twiddle = _const(np.exp(sign * 2j * np.pi * np.arange(half) / n), dt)
    t = lax.mul(odd, lax.broadcast_in_dim(twiddle, lead + (half,), (len(lead),)))
    return lax.concatenate([lax.add(even, t), lax.sub(even, t)], len(lead))


def _resize(x, axis, n):
    """Truncate or zero-pad `axis` to length n (the `n` / `s` argument)."""
    size = x.aval.shape[axis]
    if n == size:
        return x
    if n < size:
        return lax.slice_in_dim(x, 0, n, axis=axis)
    pad = [(0, 0, 0)] * x.aval.ndim
    pad[axis] = (0, n - size, 0)
    return lax.pad(x, _const(0, x.aval.dtype), pad)


def _scale(x, n, norm, inverse):
    if norm == "ortho":
        factor = 1 / np.sqrt(n)
    elif (norm == "forward") != inverse:  # forward with "forward", inverse with "backward"/None
        factor = 1.0 / n
    else:
        return x
    return lax.mul(x, lax.broadcast_in_dim(_const(factor, x.aval.dtype), x.aval.shape, ()))


def _axis(axis, ndim, name):
    if not -ndim <= axis < ndim:
        raise ValueError(f"{name}: axis {axis} is out of bounds for array of dimension {ndim} "
                         f"(at {user_line()})")
    return axis % ndim


def _c2c(x, n, axis, norm, inverse, name):
    """fft / ifft along one axis of complex x."""
    _check_norm(norm)
    axis = _axis(axis, x.aval.ndim, name)
    if n is not None:
        if int(n) < 1:
            raise ValueError(f"{name}: invalid number of data points ({n}) specified "
                             f"(at {user_line()})")
        x = _resize(x, axis, int(n))
    size = x.aval.shape[axis]
    last = x.aval.ndim - 1
    y = lax.transpose(x, _swap(x.aval.ndim, axis, last)) if axis != last else x
    y = _dft_last(y, inverse)
    y = lax.transpose(y, _swap(x.aval.ndim, axis, last)) if axis != last else y
    return _scale(y, size, norm, inverse)


def _swap(ndim, a, b):
    perm = list(range(ndim))
    perm[a], perm[b] = perm[b], perm[a]
    return tuple(perm)


def fft(a, n=None, axis=-1, norm=None):
    return _c2c(_complex(a), n, axis, norm, False, "fft")


def ifft(a, n=None, axis=-1, norm=None):
    return _c2c(_complex(a), n, axis, norm, True, "ifft")


def _real_input(a, name):
    x = asarray(a)
    if x.aval.dtype in COMPLEX:  # a ValueError, as JAX's
        raise ValueError(f"only real valued inputs supported for {name}, got {x.aval.dtype} "
                         f"(at {user_line()})")
    return _complex(x)


def rfft(a, n=None, axis=-1, norm=None):
    return _rfft(_real_input(a, "rfft"), n, axis, norm)


def _rfft(x, n, axis, norm):
    """rfft of a real signal already held as complex."""
    y = _c2c(x, n, axis, norm, False, "rfft")
    axis = _axis(axis, y.aval.ndim, "rfft")
    return lax.slice_in_dim(y, 0, y.aval.shape[axis] // 2 + 1, axis=axis)


def irfft(a, n=None, axis=-1, norm=None):
    """The inverse of rfft: the Hermitian spectrum is completed (X[n-k] = conj(X[k])),
    transformed back, and its real part kept."""
    _check_norm(norm)
    x = _complex(a)
    axis = _axis(axis, x.aval.ndim, "irfft")
    n = 2 * (x.aval.shape[axis] - 1) if n is None else int(n)
    if n < 1:
        raise ValueError(f"irfft: invalid number of data points ({n}) specified (at {user_line()})")
    half = _resize(x, axis, n // 2 + 1)
    rest = n - (n // 2 + 1)  # X[n//2+1 .. n-1] = conj(X[rest .. 1])
    if rest:
        mirror = lax.rev(lax.slice_in_dim(half, 1, rest + 1, axis=axis), (axis,))
        half = lax.concatenate([half, lax.conj(mirror)], axis)
    return lax.real(_c2c(half, None, axis, norm, True, "irfft"))


_SWAPPED = {None: "forward", "backward": "forward", "forward": "backward", "ortho": "ortho"}


def hfft(a, n=None, axis=-1, norm=None):
    """The FFT of a signal with Hermitian symmetry (given by its first half): real output."""
    _check_norm(norm)
    return irfft(lax.conj(_complex(a)), n, axis, _SWAPPED[norm])


def ihfft(a, n=None, axis=-1, norm=None):
    _check_norm(norm)
    return lax.conj(rfft(a, n, axis, _SWAPPED[norm]))


def _axes_and_sizes(x, s, axes, name):
    ndim = x.aval.ndim
    if axes is None:
        axes = tuple(range(ndim - len(s), ndim)) if s is not None else tuple(range(ndim))
    axes = tuple(_axis(int(ax), ndim, name) for ax in axes)
    if len(set(axes)) != len(axes):
        raise ValueError(f"{name}: repeated axes {axes} (at {user_line()})")
    if s is not None and len(s) != len(axes):
        raise ValueError(f"{name}: shape and axes have different lengths: {tuple(s)} and {axes} "
                         f"(at {user_line()})")
    return axes, (tuple(s) if s is not None else (None,) * len(axes))


def fftn(a, s=None, axes=None, norm=None):
    x = _complex(a)
    axes, sizes = _axes_and_sizes(x, s, axes, "fftn")
    for ax, n in zip(axes[::-1], sizes[::-1]):
        x = _c2c(x, n, ax, norm, False, "fftn")
    return x


def ifftn(a, s=None, axes=None, norm=None):
    x = _complex(a)
    axes, sizes = _axes_and_sizes(x, s, axes, "ifftn")
    for ax, n in zip(axes[::-1], sizes[::-1]):
        x = _c2c(x, n, ax, norm, True, "ifftn")
    return x


def rfftn(a, s=None, axes=None, norm=None):
    x = _real_input(a, "rfftn")
    axes, sizes = _axes_and_sizes(x, s, axes, "rfftn")
    x = _rfft(x, sizes[-1], axes[-1], norm)
    for ax, n in zip(axes[-2::-1], sizes[-2::-1]):
        x = _c2c(x, n, ax, norm, False, "rfftn")
    return x


def irfftn(a, s=None, axes=None, norm=None):
    x = _complex(a)
    axes, sizes = _axes_and_sizes(x, s, axes, "irfftn")
    for ax, n in zip(axes[:-1], sizes[:-1]):
        x = _c2c(x, n, ax, norm, True, "irfftn")
    return irfft(x, sizes[-1], axes[-1], norm)


def fft2(a, s=None, axes=(-2, -1), norm=None):
    return fftn(a, s, axes, norm)


def ifft2(a, s=None, axes=(-2, -1), norm=None):
    return ifftn(a, s, axes, norm)


def rfft2(a, s=None, axes=(-2, -1), norm=None):
    return rfftn(a, s, axes, norm)


def irfft2(a, s=None, axes=(-2, -1), norm=None):
    return irfftn(a, s, axes, norm)


def fftfreq(n, d=1.0, *, dtype=None, device=None):
    """Sample frequencies [0, 1, ..., -1] / (d n), as JAX's (in the default float)."""
    dtype = dtypes.to_dtype(dtype) if dtype is not None else dtypes.default_float()
    k = np.concatenate([np.arange(0, (n - 1) // 2 + 1), np.arange(-(n // 2), 0)])
    return _over(_const(k, dtype), n, d)


def _over(k, n, d):
    """k / (d n), as JAX computes it."""
    from ._ufuncs import multiply, true_divide
    return true_divide(k, multiply(d, _const(n, k.aval.dtype)))


def rfftfreq(n, d=1.0, *, dtype=None, device=None):
    dtype = dtypes.to_dtype(dtype) if dtype is not None else dtypes.default_float()
    return _over(_const(np.arange(n // 2 + 1), dtype), n, d)


def _shift(x, axes, inverse):
    from ._shape import roll
    x = asarray(x)
    if axes is None:
        axes = tuple(range(x.aval.ndim))
    elif isinstance(axes, int):
        axes = (axes,)
    shifts = [(-(x.aval.shape[ax] // 2) if inverse else x.aval.shape[ax] // 2) for ax in axes]
    return roll(x, tuple(shifts), tuple(axes))


def fftshift(x, axes=None):
    return _shift(x, axes, False)


def ifftshift(x, axes=None):
    return _shift(x, axes, True)
