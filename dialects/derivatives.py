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

import contextlib

import numpy as np

from . import build as b
from .context import ir
from .ops import emit
from .types import aval_of, host_dtype, tensor_type


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
    # 1 at x == 0 (either zero), as in JAX: select(x >= 0, t, -t).
    "irax.abs": lambda x, y: b.select(b.op("irax.ge", x, _c(x, 0.0)), _c(x, 1.0), _c(x, -1.0)),
}


def integer_pow_derivative(x, y, n):
    if n == 0:
        return _c(x, 0.0)
    if n == 1:
        return _c(x, 1.0)
    return b.mul(_c(x, float(n)), b.op("irax.integer_pow", x, y=n - 1))


def _balanced_partials(x, y, z):
    """JAX's rule for max/min: each operand equal to the result z gets 1, halved on a
    tie; neither gets anything where z is NaN."""
    one, half, zero = _c(x, 1.0), _c(x, 0.5), _c(x, 0.0)
    ex, ey = b.eq(x, z), b.eq(y, z)
    return (b.select(ex, b.select(ey, half, one), zero),
            b.select(ey, b.select(ex, half, one), zero))


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
    "irax.max": _balanced_partials,
    "irax.min": _balanced_partials,
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


@contextlib.contextmanager
def decomposition(fn, *like):
    """A scratch block computing `fn(*args)` (args typed like `like`), for a rule that
    differentiates a primitive through an equivalent composite with `jvp_block` or
    `vjp_block`; the block is erased on exit."""
    avals = [aval_of(v) for v in like]
    scratch = ir.Operation.create("irax.scratch", regions=1)
    blk = scratch.regions[0].blocks.append(*[tensor_type(a) for a in avals],
                                           arg_locs=[ir.Location.current] * len(avals))
    try:
        with ir.InsertionPoint(blk):
            outs = fn(*blk.arguments)
            ir.Operation.create("irax.yield", results=[], operands=list(outs))
        yield blk
    finally:
        scratch.erase()


def slice_along(x, axis, start, limit, stride=1):
    a = aval_of(x)
    lo, hi, st = [0] * a.ndim, list(a.shape), [1] * a.ndim
    lo[axis], hi[axis], st[axis] = start, limit, stride
    return b.op("irax.slice", x, start_indices=lo, limit_indices=hi, strides=st)


def _interleave(even, odd, axis):
    """[e0, o0, e1, o1, ...] along `axis`; `even` is as long as `odd` or one longer."""
    ea, oa = aval_of(even), aval_of(odd)
    m = oa.shape[axis]
    head = slice_along(even, axis, 0, m) if ea.shape[axis] > m else even
    split = oa.shape[:axis + 1] + (1,) + oa.shape[axis + 1:]
    pairs = b.op("irax.concatenate", b.reshape(head, split), b.reshape(odd, split),
                 dimension=axis + 1)
    out = b.reshape(pairs, oa.shape[:axis] + (2 * m,) + oa.shape[axis + 1:])
    if ea.shape[axis] > m:
        out = b.op("irax.concatenate", out, slice_along(even, axis, m, m + 1), dimension=axis)
    return out


def associative_scan(combine, x, axis, reverse=False):
    """Inclusive scan of `combine` along `axis` by the same pairwise tree as JAX's
    `lax.associative_scan`, which is how JAX differentiates cummax/cummin/...: the
    tree decides how ties share a derivative, so following it gives JAX's values."""
    if reverse:
        x = b.op("irax.rev", x, dimensions=(axis,))

    def scan(e):
        n = aval_of(e).shape[axis]
        if n < 2:
            return e
        odd = scan(combine(slice_along(e, axis, 0, n - 1, 2), slice_along(e, axis, 1, n, 2)))
        m = aval_of(odd).shape[axis]
        rest = (n - 1) // 2  # elements 2, 4, ... of e
        first = slice_along(e, axis, 0, 1)
        if rest == 0:
            return _interleave(first, odd, axis)
        prev = slice_along(odd, axis, 0, rest) if m > rest else odd
        even = combine(prev, slice_along(e, axis, 2, n, 2))
        return _interleave(b.op("irax.concatenate", first, even, dimension=axis), odd, axis)

    y = scan(x)
    return b.op("irax.rev", y, dimensions=(axis,)) if reverse else y


def scatter_in_bounds(idx, shape):
    """Which rows of scatter/gather indices [..., k] lie inside shape[:k] (bool [...]):
    a scatter drops the others, so they get no derivative."""
    a = aval_of(idx)
    k = a.shape[-1]
    dims = b.op("irax.constant", value=np.asarray(shape[:k], host_dtype(a.dtype)))
    ok = b.op("irax.and", b.op("irax.ge", idx, b.zeros_like(idx)),
              b.op("irax.lt", idx, b.broadcast_in_dim(dims, a.shape, (a.ndim - 1,))))
    return b.op("irax.reduce_and", ok, axes=(a.ndim - 1,))


def broadcast_rows(mask, like):
    """A per-row bool mask [...] broadcast over the window dims of `like` [..., w...]."""
    return b.broadcast_in_dim(mask, aval_of(like).shape, tuple(range(aval_of(mask).ndim)))


def gather_in_bounds(x, idx):
    """gather(x, idx) with 0 for out-of-bounds rows: the transpose of scatter-add
    (JAX's FILL_OR_DROP), where irax.gather alone would clamp."""
    g = b.op("irax.gather", x, idx)
    return b.select(broadcast_rows(scatter_in_bounds(idx, aval_of(x).shape), g), g, b.zeros_like(g))


def scatter_winners(x, idx, u):
    """For scatter-set: which updates (bool, u's shape) are the ones left in the output,
    by scattering each update's row number the same way (JAX's rule for duplicates)."""
    ua, ia = aval_of(u), aval_of(idx)
    nb = ia.ndim - 1
    rows = int(np.prod(ia.shape[:-1], dtype=np.int64))
    ids = b.add(b.reshape(b.op("irax.iota", shape=(rows,), dtype="int32", dimension=0),
                          ia.shape[:-1]), b.full(ia.shape[:-1], 1, "int32"))
    ids = b.broadcast_in_dim(ids, ua.shape, tuple(range(nb)))
    landed = b.op("irax.scatter", b.full(aval_of(x).shape, 0, "int32"), idx, ids, mode="set")
    return b.op("irax.and", b.eq(b.op("irax.gather", landed, idx), ids),
                broadcast_rows(scatter_in_bounds(idx, aval_of(x).shape), u))


def scatter_extremum_weights(x, idx, u, out):
    """For out = scatter(x, idx, u, min|max): how much each operand element and each
    update contributes to the output it lands on, as JAX defines it: the operand keeps
    weight 1 where no update lands; elsewhere the operand (if it equals the result) and
    each update equal to the result share it evenly; dropped updates get 0."""
    dtype = aval_of(x).dtype
    zero, one = b.zeros_like(x), b.ones_like(x)
    inb = broadcast_rows(scatter_in_bounds(idx, aval_of(x).shape), u)
    won = b.op("irax.and", b.eq(u, b.op("irax.gather", out, idx)), inb)
    touched = b.op("irax.gt", b.op("irax.scatter", zero, idx, b.ones_like(u), mode="add"), zero)
    winners = b.op("irax.scatter", zero, idx, b.convert(won, dtype), mode="add")
    kept = b.eq(x, out)
    share = b.div(one, b.add(winners, b.convert(kept, dtype)))
    wx = b.select(touched, b.select(kept, share, zero), one)
    wu = b.select(won, b.op("irax.gather", share, idx), b.zeros_like(u))
    return wx, wu


def scatter_mul_others(x, idx, u):
    """For out = scatter(x, idx, u, mul): for each update, the product of the other
    updates landing on the same element (1 where its index is unique), exact where
    updates are zero (counted apart, never divided by)."""
    dtype = aval_of(x).dtype
    zero, one = b.zeros_like(x), b.ones_like(u)
    is_zero = b.eq(u, b.zeros_like(u))
    refs = b.op("irax.gather", b.op("irax.scatter", zero, idx, one, mode="add"), idx)
    zeros = b.op("irax.gather", b.op("irax.scatter", zero, idx, b.convert(is_zero, dtype),
                                     mode="add"), idx)
    nonzero = b.select(is_zero, one, u)
    prod = b.op("irax.gather", b.op("irax.scatter", b.ones_like(x), idx, nonzero, mode="mul"), idx)
    rest = b.select(is_zero, b.select(b.eq(zeros, one), prod, b.zeros_like(u)),
                    b.select(b.eq(zeros, b.zeros_like(u)), b.div(prod, u), b.zeros_like(u)))
    return b.select(b.eq(refs, one), one, rest)


def clamp_masks(lo, x, hi):
    """Where the derivative of clamp(lo, x, hi) goes to lo, x and hi (bool masks), as
    JAX defines it: to x strictly inside (lo, hi), to lo where lo > x (and lo < hi), to hi
    where x > hi; a boundary value gets none."""
    lt = lambda p, q: b.op("irax.lt", p, q)
    return (b.op("irax.and", lt(x, lo), lt(lo, hi)), b.op("irax.and", lt(lo, x), lt(x, hi)),
            lt(hi, x))


def extremum_locations(x, y, axes):
    """For y = reduce_max|min(x, axes): where x attains y (bool, x's shape) and how many
    times per output (y's shape, x's dtype); ties share the derivative evenly."""
    a = aval_of(x)
    kept = [i for i in range(a.ndim) if i not in axes]
    mask = b.eq(x, b.broadcast_in_dim(y, a.shape, kept))
    return mask, b.reduce_sum(b.convert(mask, a.dtype), axes)


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
