"""irax.numpy: NumPy's API on irax arrays, with JAX's semantics."""
import ml_dtypes as _ml_dtypes
import numpy as _np

from ..core import Array as ndarray  # noqa: F401  (isinstance checks, as jax.Array)
from ..dtypes import issubdtype  # noqa: F401
from ._core import (array, asarray, broadcast_arrays, broadcast_shapes, isscalar, ndim,  # noqa: F401
                    result_type, shape, size)
from ._creation import (arange, diag, diagonal, empty, empty_like, eye, full, full_like,  # noqa: F401
                        identity, linspace, logspace, meshgrid, ones, ones_like, trace, tri, tril,
                        triu, zeros, zeros_like)
from ._indexing import take, take_along_axis  # noqa: F401
from ._io import ComplexWarning, from_dlpack, fromfile, fromiter, load, save, savez  # noqa: F401
from ._complex import (angle, cdouble, complex64, complex128, complex_, complexfloating,  # noqa: F401
                       conj, conjugate, csingle, imag, iscomplex, iscomplexobj, isreal, isrealobj,
                       real, sort_complex)
from . import fft  # noqa: F401,E402  (irax.numpy.fft)
from ._extra_nan import (nanargmax, nanargmin, nancumprod, nancumsum, nanmax, nanmean,  # noqa: F401
                         nanmin, nanprod, nanstd, nansum, nanvar)
from ._extra_sorting import argpartition, digitize, lexsort, partition, searchsorted  # noqa: F401
from ._extra_creation import (bartlett, blackman, diagflat, geomspace, hamming,  # noqa: F401
                              hanning, kaiser, vander)
from ._extra_functional import apply_along_axis, apply_over_axes, fromfunction, vectorize  # noqa: F401
from ._extra_index_tricks import (c_, diag_indices, diag_indices_from, index_exp,  # noqa: F401
                                  indices, ix_, mask_indices, mgrid, ogrid, r_,
                                  ravel_multi_index, s_, tril_indices, tril_indices_from,
                                  triu_indices, triu_indices_from, unravel_index)
from ._extra_misc import (array_equiv, array_repr, array_str, can_cast, character,  # noqa: F401
                          double, einsum_path, euler_gamma, flexible, float_, frombuffer,
                          fromstring, generic,
                          get_printoptions, int_, isdtype, iterable, matvec, number, object_,
                          printoptions, promote_types, set_printoptions, single, uint, vecdot,
                          vecmat)
from ._extra_pad import pad  # noqa: F401
from ._extra_polynomial import (poly, polyadd, polyder, polydiv, polyfit, polyint,  # noqa: F401
                                polymul, polysub, polyval)
from ._extra_select import choose, piecewise, select  # noqa: F401
from ._extra_shape import (append, atleast_3d, block, concat, delete, dsplit,  # noqa: F401
                           fill_diagonal, insert, place, put, put_along_axis, resize, trim_zeros,
                           unstack)
from ._extra_calculus import (convolve, correlate, cross, cumulative_prod,  # noqa: F401
                              cumulative_sum, diff, ediff1d, gradient, interp, kron, trapezoid,
                              unwrap)
from ._extra_ufuncs import (acos, acosh, asin, asinh, atan, atan2, atanh,  # noqa: F401
                            bitwise_count, bitwise_invert, bitwise_left_shift,
                            bitwise_right_shift, copy, fmax, fmin, frexp, gcd, i0, isneginf,
                            isposinf, lcm, ldexp, modf, nextafter, packbits, spacing, unpackbits)
from ._extra_sets import (argwhere, compress, extract, flatnonzero, intersect1d, isin,  # noqa: F401
                          nonzero, setdiff1d, setxor1d, union1d, unique, unique_all,
                          unique_counts, unique_inverse, unique_values)
from ._extra_statistics import (bincount, corrcoef, cov, histogram, histogram2d,  # noqa: F401
                                histogram_bin_edges, histogramdd, median, nanmedian,
                                nanpercentile, nanquantile, percentile, quantile)
from ._linalg import dot, einsum, inner, matmul, outer, tensordot, vdot  # noqa: F401
from ._reductions import (all, allclose, amax, amin, any, argmax, argmin,  # noqa: F401
                          array_equal, average, count_nonzero, cumprod, cumsum, max, mean, min,
                          prod, ptp, std, sum, var)
from ._shape import (array_split, atleast_1d, atleast_2d, broadcast_to, column_stack,  # noqa: F401
                     concatenate, dstack, expand_dims, flip, fliplr, flipud, hsplit, hstack,
                     matrix_transpose, moveaxis, permute_dims, ravel, repeat, reshape, roll,
                     rollaxis, rot90, split, squeeze, stack, swapaxes, tile, transpose, vsplit,
                     vstack)
from ._sorting import argsort, sort  # noqa: F401
from ._ufuncs import (abs, absolute, add, arccos, arccosh, arcsin, arcsinh, arctan, arctan2,  # noqa: F401
                      arctanh, around, bitwise_and, bitwise_not, bitwise_or, bitwise_xor, cbrt,
                      ceil, clip, copysign, cos, cosh, deg2rad, degrees, divide, divmod, equal,
                      exp, exp2, expm1, fabs, fix, float_power, floor, floor_divide, fmod,
                      greater, greater_equal, heaviside, hypot, invert, isclose, isfinite,
                      isinf, isnan, left_shift, less, less_equal, log, log1p, log2, log10,
                      logaddexp, logaddexp2, logical_and, logical_not, logical_or, logical_xor,
                      maximum, minimum, mod, multiply, nan_to_num, negative, not_equal,
                      positive, pow, power, rad2deg, radians, reciprocal, remainder,
                      right_shift, rint, round, sign, signbit, sin, sinc, sinh, sqrt, square,
                      subtract, tan, tanh, true_divide, trunc, where)

pi = _np.pi
e = _np.e
inf = _np.inf
nan = _np.nan
newaxis = None

float32 = _np.float32
float64 = _np.float64
float16 = _np.float16
int8 = _np.int8
int16 = _np.int16
int32 = _np.int32
int64 = _np.int64
uint8 = _np.uint8
uint16 = _np.uint16
uint32 = _np.uint32
uint64 = _np.uint64
bool_ = _np.bool_
bool = _np.bool_  # jnp.bool, as JAX spells it (NumPy 2)
integer = _np.integer
floating = _np.floating
inexact = _np.inexact
signedinteger = _np.signedinteger
unsignedinteger = _np.unsignedinteger


bfloat16 = _ml_dtypes.bfloat16  # NumPy has none; JAX uses ml_dtypes' too


def dtype(x):
    return _np.dtype(x)


def finfo(dt):
    return _np.finfo(dt)


def iinfo(dt):
    return _np.iinfo(dt)


def astype(x, dtype):
    from .. import lax
    return lax.convert_element_type(asarray(x), dtype)


def _check_array_args():
    """Lists and tuples are not arrays in irax.numpy's functions (JAX's check_arraylike);
    the check wraps the public names, so irax's own calls between modules skip it."""
    from ._core import arraylike_args
    table = {
        (0,): "abs absolute arccos arccosh arcsin arcsinh arctan arctanh around bitwise_not "
              "cbrt ceil cos cosh deg2rad degrees exp exp2 expm1 fabs fix floor invert isfinite "
              "isinf isnan log log1p log2 log10 logical_not negative positive rad2deg radians "
              "reciprocal rint round sign signbit sin sinc sinh sqrt square tan tanh trunc "
              "nan_to_num all amax amin any argmax argmin count_nonzero cumprod cumsum max mean "
              "min prod ptp std sum var broadcast_to expand_dims flip fliplr flipud "
              "matrix_transpose moveaxis permute_dims ravel reshape roll rollaxis rot90 squeeze "
              "swapaxes tile transpose split array_split hsplit vsplit diag diagonal trace tril "
              "triu empty_like ones_like zeros_like argsort sort astype"
              " nansum nanprod nanmax nanmin nanmean nanvar nanstd nanargmax nanargmin nancumsum "
              "nancumprod median nanmedian diff ediff1d cumulative_sum cumulative_prod bincount "
              "histogram histogram_bin_edges histogramdd unique unique_all unique_counts "
              "unique_inverse unique_values nonzero argwhere flatnonzero pad resize trim_zeros "
              "unstack frexp modf spacing isposinf isneginf i0 copy bitwise_count bitwise_invert "
              "acos acosh asin asinh atan atanh packbits unpackbits partition argpartition "
              "polyder polyint poly vander diagflat unwrap cov corrcoef trapezoid gradient delete "
              "unravel_index diag_indices_from tril_indices_from triu_indices_from fill_diagonal "
              "choose piecewise",
        (0, 1): "add arctan2 bitwise_and bitwise_or bitwise_xor copysign divide divmod equal "
                "float_power floor_divide fmod greater greater_equal heaviside hypot left_shift "
                "less less_equal logaddexp logaddexp2 logical_and logical_or logical_xor maximum "
                "minimum mod multiply not_equal power pow remainder right_shift subtract "
                "true_divide isclose allclose dot inner matmul outer tensordot vdot take "
                "take_along_axis full_like repeat linspace logspace"
                " quantile percentile nanquantile nanpercentile isin union1d intersect1d setdiff1d "
                "setxor1d searchsorted digitize convolve correlate kron cross fmax fmin ldexp "
                "nextafter gcd lcm bitwise_left_shift bitwise_right_shift atan2 polyval polyadd "
                "polysub polymul polydiv polyfit vecdot matvec vecmat append compress extract "
                "histogram2d geomspace",
        (0, 1, 2): "where clip interp put place put_along_axis",
        (1,): "full",
        (0, 2): "average insert",
        "*": "broadcast_arrays meshgrid atleast_1d atleast_2d atleast_3d ix_",
        (2,): "apply_along_axis",
        "seq": "concatenate stack vstack hstack dstack column_stack",
    }
    for positions, names in table.items():
        for name in names.split():
            globals()[name] = arraylike_args(globals()[name], positions)


_check_array_args()

from .. import array_methods  # noqa: E402,F401  (operators on arrays forward to this module)
from . import linalg  # noqa: E402,F401  (irax.numpy.linalg)
