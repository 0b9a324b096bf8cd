"""Shape manipulation: reshape, transpose, stacking, splitting, tiling."""
from __future__ import annotations

import numpy as np

from irax.dialects.ops import IraxTypeError

from .. import lax
from ..core import user_line
from ._core import asarray, canonical_axes, canonical_axis, promote


def reshape(a, shape=None, order="C", *, newshape=None):
    x = asarray(a)
    shape = newshape if shape is None else shape
    if isinstance(shape, (int, np.integer)):
        shape = (int(shape),)
    shape = [int(s) for s in shape]
    if shape.count(-1) > 1:
        raise ValueError(f"reshape: can only specify one unknown dimension; got shape "
                         f"{tuple(shape)} for an array of shape {x.aval.shape} (at {user_line()})")
    if -1 in shape:
        known = int(np.prod([s for s in shape if s != -1], dtype=np.int64))
        if known == 0 or x.aval.size % known:
            raise IraxTypeError(f"reshape: cannot reshape array of shape {x.aval.shape} into "
                                f"{tuple(shape)} (at {user_line()})")
        shape[shape.index(-1)] = x.aval.size // known
    if int(np.prod(shape, dtype=np.int64)) != x.aval.size:
        raise IraxTypeError(f"reshape: cannot reshape array of shape {x.aval.shape} (size "
                            f"{x.aval.size}) into shape {tuple(shape)} (at {user_line()})")
    if order == "F":
        x = transpose(x)
        return transpose(lax.reshape(x, shape[::-1]))
    return lax.reshape(x, shape)


def ravel(a, order="C"):
    return reshape(a, (-1,), order=order)


def transpose(a, axes=None):
    x = asarray(a)
    if axes is None:
        axes = tuple(range(x.aval.ndim))[::-1]
    axes = tuple(canonical_axis(int(i), x.aval.ndim, "transpose") for i in axes)
    if sorted(axes) != list(range(x.aval.ndim)):
        raise ValueError(f"transpose: axes {axes} are not a permutation of the dims of an "
                         f"array of shape {x.aval.shape} (at {user_line()})")
    return lax.transpose(x, axes)


def permute_dims(a, axes):
    return transpose(a, axes)


def matrix_transpose(x):
    x = asarray(x)
    perm = list(range(x.aval.ndim))
    perm[-1], perm[-2] = perm[-2], perm[-1]
    return lax.transpose(x, perm)


def swapaxes(a, axis1, axis2):
    x = asarray(a)
    perm = list(range(x.aval.ndim))
    i, j = canonical_axis(axis1, x.aval.ndim, "swapaxes"), canonical_axis(axis2, x.aval.ndim, "swapaxes")
    perm[i], perm[j] = perm[j], perm[i]
    return lax.transpose(x, perm)


def moveaxis(a, source, destination):
    x = asarray(a)
    src = canonical_axes(source, x.aval.ndim, "moveaxis")
    dst = canonical_axes(destination, x.aval.ndim, "moveaxis")
    if len(src) != len(dst):
        raise ValueError(f"moveaxis: source {source} and destination {destination} must have "
                         f"the same number of axes (array of shape {x.aval.shape}, at {user_line()})")
    order = [i for i in range(x.aval.ndim) if i not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return lax.transpose(x, order)


def rollaxis(a, axis, start=0):
    x = asarray(a)
    axis = canonical_axis(axis, x.aval.ndim, "rollaxis")
    if start > axis:
        start -= 1
    return moveaxis(x, axis, start)


def expand_dims(a, axis):
    x = asarray(a)
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    out_ndim = x.aval.ndim + len(axes)
    axes = sorted(canonical_axis(int(ax), out_ndim, "expand_dims") for ax in axes)
    return lax.expand_dims(x, axes)


def squeeze(a, axis=None):
    x = asarray(a)
    if axis is None:
        axes = tuple(i for i, d in enumerate(x.aval.shape) if d == 1)
    else:
        axes = canonical_axes(axis, x.aval.ndim, "squeeze")
        for i in axes:
            if x.aval.shape[i] != 1:
                raise ValueError(f"squeeze: cannot select an axis to squeeze out which has size "
                                 f"not equal to one (axis {i} of shape {x.aval.shape}, at "
                                 f"{user_line()})")
    return lax.squeeze(x, axes)


def atleast_1d(*arys):
    out = [reshape(a, (1,)) if asarray(a).aval.ndim == 0 else asarray(a) for a in arys]
    return out[0] if len(out) == 1 else out


def atleast_2d(*arys):
    out = []
    for a in arys:
        x = asarray(a)
        out.append(reshape(x, (1,) * (2 - x.aval.ndim) + x.aval.shape) if x.aval.ndim < 2 else x)
    return out[0] if len(out) == 1 else out


def concatenate(arrays, axis=0, dtype=None):
    if axis is None:
        arrays = [ravel(a) for a in arrays]
        axis = 0
    if not len(arrays):
        raise ValueError(f"concatenate: need at least one array to concatenate (at {user_line()})")
    xs = promote(*arrays, op="concatenate")
    if dtype is not None:
        xs = [lax.convert_element_type(x, dtype) for x in xs]
    nd = xs[0].aval.ndim
    if nd == 0:
        raise ValueError(f"concatenate: zero-dimensional arrays cannot be concatenated; got "
                         f"shapes {[y.aval.shape for y in xs]} (at {user_line()})")
    for x in xs:
        if x.aval.ndim != nd:
            raise IraxTypeError(f"concatenate: all input arrays must have the same number of "
                                f"dimensions; got shapes {[y.aval.shape for y in xs]} (at {user_line()})")
    axis = canonical_axis(axis, nd, "concatenate")
    for x in xs:
        if any(a != b for i, (a, b) in enumerate(zip(x.aval.shape, xs[0].aval.shape)) if i != axis):
            raise IraxTypeError(f"concatenate: shapes {[y.aval.shape for y in xs]} differ outside "
                                f"axis {axis} (at {user_line()})")
    return lax.concatenate(xs, axis)


def stack(arrays, axis=0, dtype=None):
    xs = [asarray(a) for a in arrays]
    if not xs:
        raise ValueError(f"stack: need at least one array to stack (at {user_line()})")
    shape = xs[0].aval.shape
    for x in xs:
        if x.aval.shape != shape:
            raise IraxTypeError(f"stack: all input arrays must have the same shape; got "
                                f"{[y.aval.shape for y in xs]} (at {user_line()})")
    axis = canonical_axis(axis, len(shape) + 1, "stack")
    return concatenate([expand_dims(x, axis) for x in xs], axis=axis, dtype=dtype)


def vstack(tup):
    return concatenate([atleast_2d(a) for a in tup], axis=0)


def hstack(tup):
    xs = [atleast_1d(a) for a in tup]
    return concatenate(xs, axis=0 if xs[0].aval.ndim == 1 else 1)


def dstack(tup):
    xs = []
    for a in tup:
        x = atleast_2d(a)
        xs.append(reshape(x, x.aval.shape + (1,)) if x.aval.ndim == 2 else x)
    return concatenate(xs, axis=2)


def column_stack(tup):
    xs = [asarray(a) for a in tup]
    xs = [reshape(x, (-1, 1)) if x.aval.ndim < 2 else x for x in xs]
    return concatenate(xs, axis=1)


def split(ary, indices_or_sections, axis=0):
    x = asarray(ary)
    axis = canonical_axis(axis, x.aval.ndim, "split")
    n = x.aval.shape[axis]
    if isinstance(indices_or_sections, (int, np.integer)):
        k = int(indices_or_sections)
        if n % k:
            raise ValueError(f"split: array of shape {x.aval.shape} (size {n} along axis {axis}) "
                             f"does not divide into {k} equal sections (at {user_line()})")
        bounds = [i * (n // k) for i in range(k + 1)]
    else:
        bounds = [0] + [min(max(int(i), 0), n) for i in indices_or_sections] + [n]
    return [lax.slice_in_dim(x, s, max(s, e), axis=axis) for s, e in zip(bounds[:-1], bounds[1:])]


def array_split(ary, indices_or_sections, axis=0):
    x = asarray(ary)
    if isinstance(indices_or_sections, (int, np.integer)):
        n = x.aval.shape[canonical_axis(axis, x.aval.ndim, "array_split")]
        k = int(indices_or_sections)
        sizes = [n // k + (1 if i < n % k else 0) for i in range(k)]
        return split(x, list(np.cumsum(sizes)[:-1]), axis)
    return split(x, indices_or_sections, axis)


def hsplit(ary, sections):
    return split(ary, sections, axis=1 if asarray(ary).aval.ndim > 1 else 0)


def vsplit(ary, sections):
    return split(ary, sections, axis=0)


def tile(A, reps):
    x = asarray(A)
    reps = lax.canonicalize_shape(reps, "tile")
    nd = max(len(reps), x.aval.ndim)
    reps = (1,) * (nd - len(reps)) + reps
    x = reshape(x, (1,) * (nd - x.aval.ndim) + x.aval.shape)
    # broadcast to [r0, d0, r1, d1, ...] then merge pairs
    shape = []
    dims = []
    for i, (r, d) in enumerate(zip(reps, x.aval.shape)):
        shape += [r, d]
        dims.append(2 * i + 1)
    y = lax.broadcast_in_dim(x, shape, dims)
    return lax.reshape(y, [r * d for r, d in zip(reps, x.aval.shape)])


def repeat(a, repeats, axis=None, total_repeat_length=None):
    x = asarray(a)
    if axis is None:
        x = ravel(x)
        axis = 0
    axis = canonical_axis(axis, x.aval.ndim, "repeat")
    if not isinstance(repeats, (int, np.integer)):
        reps = np.asarray(repeats)
        if reps.ndim == 0:
            repeats = int(reps)
        elif (reps < 0).any():
            raise ValueError(f"repeat: repeats may not contain negative values, got {reps.tolist()} "
                             f"(at {user_line()})")
        else:
            from ._indexing import take
            idx = np.repeat(np.arange(x.aval.shape[axis]), reps)
            return take(x, idx, axis=axis)
    r = int(repeats)
    if r < 0:
        raise TypeError(f"repeat: negative repeats are not allowed, got {r} for an array of "
                        f"shape {x.aval.shape} (at {user_line()})")
    shape = list(x.aval.shape)
    bshape = shape[:axis + 1] + [r] + shape[axis + 1:]
    dims = list(range(axis + 1)) + list(range(axis + 2, len(bshape)))
    y = lax.broadcast_in_dim(x, bshape, dims)
    shape[axis] *= r
    return lax.reshape(y, shape)


def flip(m, axis=None):
    x = asarray(m)
    axes = canonical_axes(axis, x.aval.ndim, "flip")
    return lax.rev(x, axes)


def fliplr(m):
    return flip(m, 1)


def flipud(m):
    return flip(m, 0)


def roll(a, shift, axis=None):
    x = asarray(a)
    if axis is None:
        return reshape(roll(ravel(x), shift, 0), x.aval.shape)
    shifts = (shift,) if isinstance(shift, (int, np.integer)) else tuple(shift)
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    for s, ax in zip(shifts, axes):
        ax = canonical_axis(ax, x.aval.ndim, "roll")
        n = x.aval.shape[ax]
        if n == 0:
            continue
        s = int(s) % n
        if s:
            x = concatenate([lax.slice_in_dim(x, n - s, n, axis=ax),
                             lax.slice_in_dim(x, 0, n - s, axis=ax)], axis=ax)
    return x


def rot90(m, k=1, axes=(0, 1)):
    x = asarray(m)
    k %= 4
    a0, a1 = axes
    if k == 0:
        return x
    if k == 2:
        return flip(flip(x, a0), a1)
    perm = list(range(x.aval.ndim))
    perm[a0], perm[a1] = perm[a1], perm[a0]
    if k == 1:
        return transpose(flip(x, a1), perm)
    return flip(transpose(x, perm), a1)


def broadcast_to(array, shape):
    from ._core import broadcast_to as _bt
    return _bt(array, shape)
