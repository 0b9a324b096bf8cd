"""Local derivatives of the elementwise primitives, shared by JVP and VJP.

For an elementwise op the JVP multiplies the tangent by the local
derivative and the VJP multiplies the cotangent by the same factor, so each
op states its derivative once here:

- `UNARY[name](x, y)`: dy/dx, where y = op(x);
- `BINARY[name](x, y, z)`: (dz/dx, dz/dy), where z = op(x, y).

Ops whose outputs are piecewise constant (sign, floor, comparisons, ...) are
listed in `ZERO_DERIVATIVE`: their tangents and cotangents are symbolic zeros.
"""
from __future__ import annotations

import numpy as np

from . import build as b
from .ops import emit
from .types import aval_of


def _c(x, v):
    return b.scalar_like(x, v)


def _square(x):
    return b.mul(x, x)


UNARY = {
    "irax.exp": lambda x, y: y,
    "irax.exp2": lambda x, y: b.mul(y, _c(x, np.log(2.0))),
    "irax.log": lambda x, y: b.div(_c(x, 1.0), x),
    "irax.log1p": lambda x, y: b.div(_c(x, 1.0), b.add(x, _c(x, 1.0))),
    "irax.expm1": lambda x, y: b.add(y, _c(x, 1.0)),
    "irax.tanh": lambda x, y: b.sub(_c(x, 1.0), _square(y)),
    "irax.logistic": lambda x, y: b.mul(y, b.sub(_c(x, 1.0), y)),
    "irax.sin": lambda x, y: b.op("irax.cos", x),
    "irax.cos": lambda x, y: b.neg(b.op("irax.sin", x)),
    "irax.tan": lambda x, y: b.add(_c(x, 1.0), _square(y)),
    "irax.asin": lambda x, y: b.op("irax.rsqrt", b.sub(_c(x, 1.0), _square(x))),
    "irax.acos": lambda x, y: b.neg(b.op("irax.rsqrt", b.sub(_c(x, 1.0), _square(x)))),
    "irax.atan": lambda x, y: b.div(_c(x, 1.0), b.add(_c(x, 1.0), _square(x))),
    "irax.sinh": lambda x, y: b.op("irax.cosh", x),
    "irax.cosh": lambda x, y: b.op("irax.sinh", x),
    "irax.asinh": lambda x, y: b.op("irax.rsqrt", b.add(_square(x), _c(x, 1.0))),
    "irax.acosh": lambda x, y: b.op("irax.rsqrt", b.sub(_square(x), _c(x, 1.0))),
    "irax.atanh": lambda x, y: b.div(_c(x, 1.0), b.sub(_c(x, 1.0), _square(x))),
    "irax.sqrt": lambda x, y: b.div(_c(x, 0.5), y),
    "irax.rsqrt": lambda x, y: b.mul(_c(x, -0.5), b.div(y, x)),
    "irax.cbrt": lambda x, y: b.div(y, b.mul(_c(x, 3.0), x)),
    "irax.erf": lambda x, y: b.mul(_c(x, 2.0 / np.sqrt(np.pi)), b.op("irax.exp", b.neg(_square(x)))),
    "irax.abs": lambda x, y: b.op("irax.sign", x),
}


def integer_pow_derivative(x, y, n):
    if n == 0:
        return _c(x, 0.0)
    if n == 1:
        return _c(x, 1.0)
    return b.mul(_c(x, float(n)), b.op("irax.integer_pow", x, y=n - 1))


def _max_partials(x, y, z):
    # Ties split the derivative evenly, as in JAX.
    half = _c(x, 0.5)
    dx = b.select(b.op("irax.gt", x, y), _c(x, 1.0), b.select(b.eq(x, y), half, _c(x, 0.0)))
    return dx, b.sub(_c(x, 1.0), dx)


def _min_partials(x, y, z):
    half = _c(x, 0.5)
    dx = b.select(b.op("irax.lt", x, y), _c(x, 1.0), b.select(b.eq(x, y), half, _c(x, 0.0)))
    return dx, b.sub(_c(x, 1.0), dx)


def _pow_partials(x, y, z):
    # d/dx x^y = y x^(y-1); d/dy x^y = log(x) x^y (taken as 0 where x == 0).
    zero = _c(x, 0.0)
    dx = b.mul(y, b.op("irax.pow", x, b.sub(y, _c(y, 1.0))))
    safe_x = b.select(b.eq(x, zero), _c(x, 1.0), x)
    dy = b.select(b.eq(x, zero), zero, b.mul(b.op("irax.log", safe_x), z))
    return dx, dy


def _atan2_partials(x, y, z):
    denom = b.add(_square(x), _square(y))
    return b.div(y, denom), b.div(b.neg(x), denom)


def _rem_partials(x, y, z):
    q = b.div(x, y)
    trunc = b.mul(b.op("irax.sign", q), b.op("irax.floor", b.op("irax.abs", q)))
    return _c(x, 1.0), b.neg(trunc)


BINARY = {
    "irax.mul": lambda x, y, z: (y, x),
    "irax.div": lambda x, y, z: (b.div(_c(x, 1.0), y), b.neg(b.div(z, y))),
    "irax.pow": _pow_partials,
    "irax.max": _max_partials,
    "irax.min": _min_partials,
    "irax.atan2": _atan2_partials,
    "irax.rem": _rem_partials,
}

ZERO_DERIVATIVE = {
    "irax.sign", "irax.floor", "irax.ceil", "irax.round", "irax.is_finite", "irax.not",
    "irax.population_count", "irax.and", "irax.or", "irax.xor", "irax.shift_left",
    "irax.shift_right_logical", "irax.shift_right_arithmetic", "irax.eq", "irax.ne",
    "irax.lt", "irax.le", "irax.gt", "irax.ge", "irax.argmax", "irax.argmin", "irax.iota",
    "irax.constant", "irax.bitcast_convert_type", "irax.stop_gradient", "irax.reduce_and",
    "irax.reduce_or",
}


def sort_permutation(primals, dimension, num_keys, descending):
    """Sorted outputs and the permutation (int32 indices along `dimension`)."""
    a = aval_of(primals[0])
    iota = b.op("irax.iota", shape=a.shape, dtype="int32", dimension=dimension)
    outs = emit("irax.sort", list(primals) + [iota], dimension=dimension, num_keys=num_keys,
                descending=descending)
    return outs[:-1], outs[-1]


def running_extremum_source(x, y, axis, reverse):
    """For cummax/cummin output y: the index along `axis` each y_i was taken from."""
    a = aval_of(x)
    n = a.shape[axis]
    iota = b.op("irax.iota", shape=a.shape, dtype="int32", dimension=axis)
    miss = b.full(a.shape, n if reverse else -1, "int32")
    hit = b.select(b.eq(x, y), iota, miss)
    # the latest hit so far (earliest when reversed)
    return b.op("irax.cummin" if reverse else "irax.cummax", hit, axis=axis, reverse=reverse)


def scatter_extremum_weights(x, idx, u, out):
    """For out = scatter(x, idx, u, min|max): how much each operand element and
    each update contributes to the output it lands on (1 for the winner, ties
    split evenly, as reduce_max's derivative does)."""
    dtype = aval_of(x).dtype
    from_x = b.convert(b.eq(out, x), dtype)
    from_u = b.convert(b.eq(u, b.op("irax.gather", out, idx)), dtype)
    count = b.add(from_x, b.op("irax.scatter", b.zeros_like(x), idx, from_u, mode="add"))
    return b.div(from_x, count), b.div(from_u, b.op("irax.gather", count, idx))


def clamp_masks(lo, x, hi):
    """(x < lo, lo <= x <= hi, x > hi) as float masks of x's dtype."""
    dtype = aval_of(x).dtype
    below = b.convert(b.op("irax.lt", x, lo), dtype)
    above = b.convert(b.op("irax.gt", x, hi), dtype)
    inside = b.sub(b.sub(_c(x, 1.0), below), above)
    return below, inside, above


def extremum_mask(x, y, axes):
    """Where x attains its reduced extremum y, normalised to sum to 1 per output."""
    a = aval_of(x)
    kept = [i for i in range(a.ndim) if i not in axes]
    yb = b.broadcast_in_dim(y, a.shape, kept)
    mask = b.convert(b.eq(x, yb), a.dtype)
    count = b.broadcast_in_dim(b.reduce_sum(mask, axes), a.shape, kept)
    return b.div(mask, count)



def product_of_others(x, axes):
    """For each element of x, the product of the other elements reduced with it over `axes`.

    An exclusive prefix product times an exclusive suffix product over the reduced axes
    flattened into one, so it is exact where x has zeros (prod / x would give nan).
    """
    a = aval_of(x)
    axes = sorted(axes)
    kept = [i for i in range(a.ndim) if i not in axes]
    perm = kept + axes
    n = int(np.prod([a.shape[i] for i in axes], dtype=np.int64))
    last = len(kept)
    flat = b.reshape(b.transpose(x, perm), tuple(a.shape[i] for i in kept) + (n,))
    before = b.shift(b.op("irax.cumprod", flat, axis=last), last, 1, 1)
    after = b.shift(b.op("irax.cumprod", flat, axis=last, reverse=True), last, -1, 1)
    others = b.reshape(b.mul(before, after), tuple(a.shape[i] for i in perm))
    return b.transpose(others, b.inverse_permutation(perm))


def linear_recurrence(a, c, axis, reverse=False):
    """h[i] = a[i] * h[i-1] + c[i] along `axis` (h[i+1] when `reverse`), zero before the start.

    Solved by doubling over the affine maps h -> a*h + c (ceil(log2 n) rounds of shift,
    multiply, add), so it needs no division and stays first-order irax ops.
    """
    n = aval_of(a).shape[axis]
    step = -1 if reverse else 1
    d = 1
    while d < n:
        c_next = b.add(c, b.mul(a, b.shift(c, axis, step * d, 0)))
        if 2 * d < n:
            a = b.mul(a, b.shift(a, axis, step * d, 1))
        c, d = c_next, 2 * d
    return c
