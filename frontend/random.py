"""irax.random: JAX's stateless PRNG, bit for bit.

Keys are uint32[2] arrays (JAX's legacy "raw" keys).  Every sampler is built
from irax ops on uint32 (add, xor, shifts), so random numbers are generated
inside compiled programs and batch under vmap like any other function.  The
algorithms follow JAX's default configuration (threefry2x32 with
`jax_threefry_partitionable=True`, the default since JAX 0.5): the same seed,
shape and dtype give the same bits as `jax.random`.  Float samplers match
JAX on CPU bit for bit too: the transcendentals they use (log, log1p, erf,
erf_inv) are built here from basic float32 ops in the order XLA's CPU backend
evaluates them (`_xla_log` etc.), with the same multiply-adds fused.  Counters
and key schedules are computed on the device, never built as host constants.
"""
from __future__ import annotations

import builtins
import functools
import math

import numpy as np

from . import config, dtypes, lax
from . import numpy as jnp
from .api import as_operand, jit
from .core import bind, current_trace, is_array, user_line
from .numpy._creation import _shape

__all__ = ["PRNGKey", "key", "key_data", "wrap_key_data", "key_impl", "key_dtype", "clone",
           "split", "fold_in", "bits",
           "uniform", "normal", "truncated_normal", "bernoulli", "randint", "categorical",
           "permutation", "choice", "gumbel", "exponential", "threefry_2x32"]

_MASK32 = 0xFFFFFFFF


def _compiled(*static_argnums):
    """Run a sampler as one compiled program when called eagerly (one compile per
    shape/dtype, not one per op, as JAX's samplers are jitted); inline under a trace."""
    def deco(fn):
        jitted = jit(fn, static_argnums=static_argnums)

        @functools.wraps(fn)
        def run(*args):
            return fn(*args) if current_trace() is not None else jitted(*args)
        return run
    return deco


# ------------------------------------------------------------------ keys

def _check_key(name, key):
    """`key` as a uint32[2] operand, or a TypeError naming `name` and the caller's line."""
    if not is_array(key):
        if not isinstance(key, (np.ndarray, list, tuple)):
            raise TypeError(f"irax.random.{name}: expected a PRNG key (a uint32[2] array from "
                            f"irax.random.key/PRNGKey/split), got {type(key).__name__} "
                            f"(at {user_line()})")
        host = np.asarray(key)
        if host.dtype != np.uint32 or host.shape != (2,):
            raise TypeError(f"irax.random.{name}: a PRNG key must be uint32[2], got "
                            f"{host.dtype}{list(host.shape)} (at {user_line()})")
        key = as_operand(host)
    aval = key.aval
    if aval.dtype != "uint32":
        raise TypeError(f"irax.random.{name}: a PRNG key must be uint32[2], got "
                        f"{aval.str_short()} (at {user_line()}); make keys with "
                        "irax.random.key(seed) or irax.random.split")
    if aval.shape != (2,):
        hint = " (for a batch of keys use irax.vmap)" if aval.shape[-1:] == (2,) else ""
        raise TypeError(f"irax.random.{name}: expected a single PRNG key of shape (2,), got "
                        f"{aval.str_short()}{hint} (at {user_line()})")
    return key


def _halves(key):
    """The two uint32 scalars of a key."""
    return (lax.reshape(lax.slice(key, (0,), (1,)), ()),
            lax.reshape(lax.slice(key, (1,), (2,)), ()))


def PRNGKey(seed):
    """A key from an integer seed, as JAX's: [seed >> 32, seed & 0xFFFFFFFF].

    With 64-bit mode off (the default, as in JAX) the seed is first taken as a
    32-bit integer, so the high word is 0.
    """
    if isinstance(seed, (bool, float)) or (is_array(seed) and not dtypes.issubdtype(
            seed.aval.dtype, np.integer)):
        raise TypeError(f"irax.random.key: the seed must be an integer, got "
                        f"{_describe(seed)} (at {user_line()})")
    if isinstance(seed, (int, np.integer)):
        seed = int(seed)
        if not -(1 << 63) <= seed < (1 << 63):
            raise OverflowError(f"irax.random.key: seed {seed} does not fit in int64 "
                                f"(at {user_line()})")
        hi = (seed >> 32) & _MASK32 if config.x64_enabled() else 0
        return as_operand(np.array([hi, seed & _MASK32], np.uint32))
    seed = as_operand(seed)
    if seed.aval.shape != ():
        raise TypeError(f"irax.random.key: the seed must be a scalar, got "
                        f"{seed.aval.str_short()} (at {user_line()}); use irax.vmap for batches")
    hi = lax.convert_element_type(lax.shift_right_logical(seed, 32), "uint32")
    lo = lax.convert_element_type(seed, "uint32")
    return lax.concatenate([lax.reshape(hi, (1,)), lax.reshape(lo, (1,))], 0)


key = PRNGKey


def _describe(x):
    return x.aval.str_short() if is_array(x) else type(x).__name__


def key_data(keys):
    """The uint32 data of keys (irax keys are their data)."""
    return as_operand(keys)


def wrap_key_data(key_bits_array):
    return as_operand(key_bits_array)


class KeyTy:
    """The dtype JAX gives typed threefry keys (key<fry>).  irax keys are raw uint32[2]
    arrays, so this only names the implementation; no irax array has this dtype."""
    name = "key<fry>"
    impl = "threefry2x32"

    def __repr__(self):
        return self.name

    __str__ = __repr__

    def __eq__(self, other):
        return isinstance(other, KeyTy)

    def __hash__(self):
        return hash(self.name)


def key_dtype(impl_spec=None):
    """The key dtype of a PRNG implementation; irax implements threefry2x32 only."""
    if impl_spec not in (None, "threefry2x32", "threefry"):
        raise NotImplementedError(f"irax.random.key_dtype: PRNG implementation {impl_spec!r} "
                                  f"(irax implements threefry2x32) (at {user_line()})")
    return KeyTy()


def key_impl(keys):
    """The PRNG implementation of `keys` (a key or a batch of them): "threefry2x32"."""
    keys = as_operand(keys) if not is_array(keys) else keys
    if keys.aval.dtype != "uint32" or keys.aval.shape[-1:] != (2,):
        raise TypeError(f"irax.random.key_impl: expected PRNG keys (uint32[..., 2]), got "
                        f"{keys.aval.str_short()} (at {user_line()})")
    return "threefry2x32"


def clone(key):
    """The same key: JAX's clone only marks a key for its key-reuse checker, which irax
    does not have."""
    return as_operand(key)


# ------------------------------------------------------------------ threefry

def _rotate_left(x, d: int):
    return lax.bitwise_or(lax.shift_left(x, d), lax.shift_right_logical(x, 32 - d))


def threefry_2x32(k1, k2, x1, x2):
    """The Threefry-2x32 block cipher (20 rounds) on uint32 arrays of one shape; the keys
    may be scalars (broadcast).  One irax.threefry2x32 op, as JAX's primitive."""
    x1, x2 = as_operand(x1), as_operand(x2)
    shape = x1.aval.shape

    def wide(k):
        k = as_operand(k)
        return k if k.aval.shape == shape else lax.broadcast_in_dim(k, shape, ())
    return tuple(bind("irax.threefry2x32", [wide(k1), wide(k2), x1, x2]))


def _hash_counts(key, shape):
    """threefry of the 64-bit counter iota(shape) split in (hi, lo) words, as JAX's
    partitionable split and random_bits do."""
    size = math.prod(shape)
    if size >= 1 << 32:
        raise NotImplementedError(f"irax.random: {size} random values need 64-bit counters "
                                  f"(at {user_line()})")
    k1, k2 = _halves(key)
    hi = lax.broadcast_in_dim(as_operand(np.uint32(0)), shape, ())
    lo = lax.reshape(lax.iota("uint32", size), shape) if shape else hi
    return threefry_2x32(k1, k2, hi, lo)


def split(key, num=2):
    """`num` (an int or a shape) new keys: an array of shape (*num, 2)."""
    return _split(_check_key("split", key), _shape(num))


@_compiled(1)
def _split(key, shape):
    b1, b2 = _hash_counts(key, shape)
    return jnp.stack([b1, b2], axis=len(shape))


def fold_in(key, data):
    """A new key from `key` and a 32-bit integer `data`."""
    key = _check_key("fold_in", key)
    if isinstance(data, (int, np.integer)) and not isinstance(data, bool):
        data = as_operand(np.uint32(int(data) & _MASK32))
    else:
        data = as_operand(data)
        if data.aval.shape != () or not dtypes.issubdtype(data.aval.dtype, np.integer):
            raise TypeError(f"irax.random.fold_in: data must be an integer scalar, got "
                            f"{data.aval.str_short()} (at {user_line()})")
        data = lax.convert_element_type(data, "uint32")
    return _fold_in(key, data)


@_compiled()
def _fold_in(key, data):
    k1, k2 = _halves(key)
    zero = as_operand(np.uint32(0))
    o1, o2 = threefry_2x32(k1, k2, zero, data)
    return lax.concatenate([lax.reshape(o1, (1,)), lax.reshape(o2, (1,))], 0)


@_compiled(1, 2)
def _random_bits(key, bit_width, shape):
    b1, b2 = _hash_counts(key, shape)
    if bit_width == 64:  # JAX's: the two threefry words side by side, not xor-ed
        hi, lo = (lax.convert_element_type(b, "uint64") for b in (b1, b2))
        return lax.bitwise_or(lax.shift_left(hi, np.uint64(32)), lo)
    out = lax.bitwise_xor(b1, b2)
    if bit_width == 32:
        return out
    return lax.convert_element_type(out, f"uint{bit_width}")


def bits(key, shape=(), dtype=None):
    """Uniform random bits of an unsigned dtype (uint32 by default)."""
    key = _check_key("bits", key)
    dtype = "uint32" if dtype is None else dtypes.to_dtype(dtype)
    if dtype not in ("uint8", "uint16", "uint32", "uint64"):
        raise ValueError(f"irax.random.bits: dtype must be unsigned, got {dtype} "
                         f"(at {user_line()})")
    return _random_bits(key, np.dtype(dtype).itemsize * 8, _shape(shape))


# ------------------------------------------------------------------ floats

def _float_dtype(name, dtype):
    dtype = dtypes.default_float() if dtype is None else dtypes.to_dtype(dtype)
    if dtype != "float32":
        if dtypes.issubdtype(dtype, np.floating):
            raise NotImplementedError(f"irax.random.{name}: {dtype} samples (irax generates "
                                      f"float32 only) (at {user_line()})")
        raise ValueError(f"irax.random.{name}: dtype must be a float dtype, got {dtype} "
                         f"(at {user_line()})")
    return dtype


@_compiled(1, 2)
def _uniform(key, shape, dtype, minval, maxval):
    minval = lax.convert_element_type(as_operand(minval), dtype)
    maxval = lax.convert_element_type(as_operand(maxval), dtype)
    nmant = np.finfo(dtype).nmant
    bits = _random_bits(key, 32, shape)
    one = int(np.array(1.0, np.float32).view(np.uint32))
    floats = lax.bitcast_convert_type(
        lax.bitwise_or(lax.shift_right_logical(bits, 32 - nmant), one), dtype)
    floats = lax.sub(floats, 1.0)
    return jnp.maximum(minval, jnp.broadcast_to(floats * (maxval - minval) + minval, shape))


def uniform(key, shape=(), dtype=None, minval=0.0, maxval=1.0):
    """Uniform floats in [minval, maxval)."""
    key = _check_key("uniform", key)
    return _uniform(key, _shape(shape), _float_dtype("uniform", dtype), minval, maxval)


# ------------------------------------------------------------------ XLA's float32 math
# JAX's samplers call log, log1p, erf and erf_inv; on CPU, XLA evaluates them
# with the polynomials below, in this order of float32 operations, fusing each
# `a * b + c` written here into one multiply-add (as IREE's backend does too).
# Building them from basic ops makes irax's samples JAX's samples, bit for bit.

_LOG_P = (7.0376836292e-2, -1.1514610310e-1, 1.1676998740e-1, -1.2420140846e-1,
          1.4249322787e-1, -1.6668057665e-1, 2.0000714765e-1, -2.4999993993e-1,
          3.3333331174e-1)  # Cephes' logf
_LOG_Q1, _LOG_Q2 = -2.12194440e-4, 0.693359375  # ln 2 = Q2 + Q1, split for exactness
_LOG1P_NUM = (4.5270000862445199635215e-5, 4.9854102823193375972212e-1,
              6.5787325942061044846969e0, 2.9911919328553073277375e1,
              6.0949667980987787057556e1, 5.7112963590585538103336e1,
              2.0039553499201281259648e1)
_LOG1P_DEN = (1.0, 1.5062909083469192043167e1, 8.3047565967967209469434e1,
              2.2176239823732856465394e2, 3.0909872225312059774938e2,
              2.1642788614495947685003e2, 6.0118660497603843919306e1)
_ERF_ALPHA = (0.00022905065861350646, 0.0034082910107109506, 0.050955695062380861,
              0.18520832239976145, 1.128379143519084)
_ERF_BETA = (-1.1791602954361697e-7, 0.000023547966471313185, 0.0010179625278914885,
             0.014070470171167667, 0.11098505178285362, 0.49746925110067538, 1.0)
# M. Giles' erf_inv polynomials, for w < 5 and w >= 5
_ERFINV_W_LT_5 = (2.81022636e-08, 3.43273939e-07, -3.5233877e-06, -4.39150654e-06,
                  0.00021858087, -0.00125372503, -0.00417768164, 0.246640727, 1.50140941)
_ERFINV_W_GE_5 = (-0.000200214257, 0.000100950558, 0.00134934322, -0.00367342844,
                  0.00573950773, -0.0076224613, 0.00943887047, 1.00167406, 2.83297682)


def _c(x, value):
    """A float32 constant shaped like `x` (rounded to float32 as XLA's are)."""
    return jnp.full_like(x, np.float32(value))


def _horner(x, coeffs):
    """c0 x^n + ... + cn, one multiply-add per coefficient."""
    p = _c(x, coeffs[0])
    for c in coeffs[1:]:
        p = lax.add(lax.mul(p, x), _c(x, c))
    return p


def _xla_log(v):
    """float32 log(v): exponent and mantissa in [sqrt(1/2), sqrt(2)), then Cephes'
    polynomial in three interleaved chains."""
    tiny = np.float32(np.finfo(np.float32).tiny)
    b = lax.bitcast_convert_type(lax.max(v, _c(v, tiny)), "uint32")
    e = lax.sub(lax.convert_element_type(lax.shift_right_logical(b, np.uint32(23)), "float32"),
                _c(v, 126.0))
    m = lax.bitcast_convert_type(lax.bitwise_or(lax.bitwise_and(b, np.uint32(0x807FFFFF)),
                                                np.uint32(0x3F000000)), "float32")
    low = lax.lt(m, _c(v, np.array(0x3F3504F3, np.uint32).view(np.float32)))  # sqrt(1/2)
    zero = _c(v, 0.0)
    x = lax.add(lax.sub(m, _c(v, 1.0)), lax.select(low, m, zero))
    e = lax.sub(e, lax.select(low, _c(v, 1.0), zero))
    x2 = lax.mul(x, x)
    x3 = lax.mul(x2, x)
    P = [_c(v, p) for p in _LOG_P]
    y = lax.add(lax.mul(x, P[0]), P[1])
    y1 = lax.add(lax.mul(x, P[3]), P[4])
    y2 = lax.add(lax.mul(x, P[6]), P[7])
    y = lax.add(lax.mul(y, x), P[2])
    y1 = lax.add(lax.mul(y1, x), P[5])
    y2 = lax.add(lax.mul(y2, x), P[8])
    y = lax.add(lax.mul(y, x3), y1)
    y = lax.add(lax.mul(y, x3), y2)
    y = lax.add(lax.mul(y, x3), lax.mul(_c(v, _LOG_Q1), e))
    r = lax.add(lax.sub(x, lax.mul(_c(v, 0.5), x2)), y)
    r = lax.add(r, lax.mul(_c(v, _LOG_Q2), e))
    r = lax.select(lax.gt(v, zero), r, _c(v, np.nan))
    r = lax.select(lax.eq(v, _c(v, np.inf)), v, r)
    return lax.select(lax.eq(v, zero), _c(v, -np.inf), r)


def _xla_log1p(x):
    """float32 log1p: log(1 + x), or near 0 Cephes' rational approximation."""
    x2 = lax.mul(x, x)
    t = lax.mul(lax.mul(x, x2), lax.div(_horner(x, _LOG1P_NUM), _horner(x, _LOG1P_DEN)))
    small = lax.add(x, lax.add(lax.mul(_c(x, -0.5), x2), t))
    # XLA rounds t before adding it.  A product with a second use is never fused
    # into a multiply-add by LLVM, so `t == t` (true unless x is not finite, when
    # the other branch is taken anyway) keeps IREE from fusing it too.
    near0 = lax.bitwise_and(lax.lt(lax.abs(x), _c(x, 0.41421356237309504880)),  # sqrt(2) - 1
                            lax.eq(t, t))
    return lax.select(near0, small, _xla_log(lax.add(x, _c(x, 1.0))))


def _xla_erf(x):
    """float32 erf: an odd/even rational in x^2, +-1 beyond |x| = 3.8325."""
    x2 = lax.mul(x, x)
    p = lax.mul(x, _horner(x2, _ERF_ALPHA))
    q = _horner(x2, _ERF_BETA)
    one = lax.select(lax.lt(x, _c(x, 0.0)), _c(x, -1.0), _c(x, 1.0))
    return lax.select(lax.le(_c(x, 3.832506856900711), lax.abs(x)), one, lax.div(p, q))


def _erf_inv(x):
    """float32 erf_inv (XLA's: Giles' polynomials in w = -log1p(-x^2))."""
    w = lax.neg(_xla_log1p(lax.mul(x, lax.neg(x))))
    small = lax.lt(w, _c(x, 5.0))
    w = lax.select(small, lax.sub(w, _c(x, 2.5)), lax.sub(lax.sqrt(w), _c(x, 3.0)))

    def coeff(i):
        return lax.select(small, _c(x, _ERFINV_W_LT_5[i]), _c(x, _ERFINV_W_GE_5[i]))
    p = coeff(0)
    for i in range(1, len(_ERFINV_W_LT_5)):
        p = lax.add(coeff(i), lax.mul(p, w))
    return lax.select(lax.eq(lax.abs(x), _c(x, 1.0)), lax.mul(x, _c(x, np.inf)), lax.mul(p, x))


def normal(key, shape=(), dtype=None):
    """Standard normal floats: sqrt(2) * erf_inv(u), u uniform in (-1, 1)."""
    return _normal(_check_key("normal", key), _shape(shape), _float_dtype("normal", dtype))


@_compiled(1, 2)
def _normal(key, shape, dtype):
    lo = np.nextafter(np.float32(-1.0), np.float32(0.0))
    u = _uniform(key, shape, dtype, lo, 1.0)
    return lax.mul(np.float32(np.sqrt(2)), _erf_inv(u))


def _nextafter(x, toward_inf: bool):
    """The next float32 after `x` toward +inf (or -inf), by stepping its bits."""
    b = lax.bitcast_convert_type(x, "int32")
    step = lax.select(lax.gt(x, 0.0) if toward_inf else lax.lt(x, 0.0),
                      jnp.full_like(b, 1), jnp.full_like(b, -1))
    tiny = np.int32(1) if toward_inf else np.int32(-2147483647)  # +/- smallest subnormal
    nb = lax.select(lax.eq(x, 0.0), jnp.full_like(b, tiny), lax.add(b, step))
    return lax.bitcast_convert_type(nb, "float32")


def truncated_normal(key, lower, upper, shape=None, dtype=None):
    """Normal floats truncated to (lower, upper)."""
    key = _check_key("truncated_normal", key)
    dtype = _float_dtype("truncated_normal", dtype)
    lower = lax.convert_element_type(as_operand(lower), dtype)
    upper = lax.convert_element_type(as_operand(upper), dtype)
    out_shape = jnp.broadcast_shapes(lower.aval.shape, upper.aval.shape) if shape is None \
        else _shape(shape)
    return _truncated_normal(key, lower, upper, out_shape, dtype)


@_compiled(3, 4)
def _truncated_normal(key, lower, upper, out_shape, dtype):
    sqrt2 = np.float32(np.sqrt(2))
    rsqrt2 = np.float32(1) / sqrt2  # XLA turns x / constant into x * (1 / constant)
    a = _xla_erf(lax.mul(lower, rsqrt2))
    b = _xla_erf(lax.mul(upper, rsqrt2))
    out = lax.mul(sqrt2, _erf_inv(_uniform(key, out_shape, dtype, a, b)))
    return jnp.clip(out, _nextafter(lower, True), _nextafter(upper, False))


def bernoulli(key, p=0.5, shape=None):
    """Booleans that are True with probability `p`."""
    key = _check_key("bernoulli", key)
    p = as_operand(p)
    if not dtypes.issubdtype(p.aval.dtype, np.floating):
        raise TypeError(f"irax.random.bernoulli: p must be a float, got {p.aval.str_short()} "
                        f"(at {user_line()})")
    shape = p.aval.shape if shape is None else _shape(shape)
    return uniform(key, shape, p.aval.dtype) < p


def gumbel(key, shape=(), dtype=None, mode=None):
    """Standard Gumbel floats, -log(-log(u)); mode "high" resolves small u better."""
    key = _check_key("gumbel", key)
    return _gumbel(key, _shape(shape), _float_dtype("gumbel", dtype), mode or "low")


@_compiled(1, 2, 3)
def _gumbel(key, shape, dtype, mode):
    info = np.finfo(dtype)
    if mode == "low":
        u = _uniform(key, shape, dtype, float(info.tiny), 1.0)
        return lax.neg(_xla_log(lax.neg(_xla_log(u))))
    if mode == "high":
        both = _uniform(key, (2,) + shape, dtype, 0.0, 1.0)
        high, low = both[0], both[1]
        x = jnp.where(high >= 0.5, high, high + 2.0 ** -info.nmant * low + float(info.tiny))
        return lax.neg(_xla_log(lax.neg(_xla_log1p(lax.neg(x)))))
    raise ValueError(f"irax.random.gumbel: mode must be 'low' or 'high', got {mode!r} "
                     f"(at {user_line()})")


def exponential(key, shape=(), dtype=None):
    """Standard exponential floats, -log1p(-u)."""
    key = _check_key("exponential", key)
    return _exponential(key, _shape(shape), _float_dtype("exponential", dtype))


@_compiled(1, 2)
def _exponential(key, shape, dtype):
    return lax.neg(_xla_log1p(lax.neg(_uniform(key, shape, dtype, 0.0, 1.0))))


def categorical(key, logits, axis=-1, shape=None, mode=None):
    """Indices sampled from the softmax of `logits` along `axis` (Gumbel-max)."""
    key = _check_key("categorical", key)
    logits = jnp.asarray(logits)
    nd = logits.aval.ndim
    axis = axis % nd
    batch_shape = tuple(d for i, d in enumerate(logits.aval.shape) if i != axis)
    shape = batch_shape if shape is None else _shape(shape)
    if shape[len(shape) - len(batch_shape):] != batch_shape:
        raise ValueError(f"irax.random.categorical: shape {shape} does not end with the batch "
                         f"shape {batch_shape} of the logits (at {user_line()})")
    dtype = _float_dtype("categorical", logits.aval.dtype)
    return _categorical(key, logits, axis, shape[:len(shape) - len(batch_shape)], dtype,
                        mode or "low")


@_compiled(2, 3, 4, 5)
def _categorical(key, logits, axis, prefix, dtype, mode):
    batch_shape = tuple(d for i, d in enumerate(logits.aval.shape) if i != axis)
    logits_shape = list(batch_shape)
    logits_shape.insert(axis, logits.aval.shape[axis])
    g = _gumbel(key, (*prefix, *logits_shape), dtype, mode)
    expanded = lax.reshape(logits, (1,) * len(prefix) + logits.aval.shape)
    return jnp.argmax(g + expanded, axis=len(prefix) + axis)


# ------------------------------------------------------------------ integers

def randint(key, shape, minval, maxval, dtype=None):
    """Integers in [minval, maxval), from 64 random bits per value as JAX does."""
    key = _check_key("randint", key)
    shape = _shape(shape)
    dtype = dtypes.default_int() if dtype is None else dtypes.to_dtype(dtype)
    if not dtypes.issubdtype(dtype, np.integer):
        raise TypeError(f"irax.random.randint: dtype must be an integer dtype, got {dtype} "
                        f"(at {user_line()})")
    info = np.iinfo(dtype)
    if info.bits > 32:
        raise NotImplementedError(f"irax.random.randint: {dtype} needs 64-bit random bits "
                                  f"(at {user_line()})")
    return _randint(key, shape, minval, maxval, dtype)


@_compiled(1, 4)
def _randint(key, shape, minval, maxval, dtype):
    info = np.iinfo(dtype)
    sample = "int32" if info.bits < 32 else dtype
    lo_lim, hi_lim = builtins.max(int(info.min), -(1 << 31)), int(info.max)
    minval = _clip_int(minval, sample, lo_lim, hi_lim)
    maxval_in = jnp.asarray(maxval)
    if not dtypes.issubdtype(maxval_in.aval.dtype, np.integer):
        maxval_in = maxval_in.astype(dtypes.default_int())
    # maxval beyond the dtype (randint(k, s, 0, 256, uint8)) makes the span one larger.
    out_of_range = maxval_in > hi_lim if info.bits < 32 else None
    maxval = _clip_int(maxval_in, sample, lo_lim, hi_lim)
    keys = _split(key, (2,))
    k1, k2 = keys[0], keys[1]
    higher, lower = _random_bits(k1, 32, shape), _random_bits(k2, 32, shape)
    span = lax.convert_element_type(maxval - minval, "uint32")
    span = jnp.where(maxval <= minval, np.uint32(1), span)
    if out_of_range is not None:
        span = jnp.where(out_of_range & (maxval > minval), span + np.uint32(1), span)
    span = jnp.broadcast_to(span, shape)
    multiplier = lax.rem(jnp.full_like(span, 1 << 16), span)
    multiplier = lax.rem(lax.mul(multiplier, multiplier), span)
    offset = lax.add(lax.mul(lax.rem(higher, span), multiplier), lax.rem(lower, span))
    offset = lax.rem(offset, span)
    out = jnp.broadcast_to(minval, shape) + lax.convert_element_type(offset, sample)
    return lax.convert_element_type(out, dtype)


def _clip_int(x, dtype, lo, hi):
    x = jnp.asarray(x)
    if not dtypes.issubdtype(x.aval.dtype, np.integer):
        x = x.astype(dtypes.default_int())
    if x.aval.dtype != dtype:
        x = jnp.clip(x, lo, hi)
    return lax.convert_element_type(x, dtype)


@_compiled(2)
def _shuffle(key, x, axis):
    """Sort by fresh random 32-bit keys, enough rounds to make ties unlikely (JAX's)."""
    n = x.aval.size
    rounds = int(np.ceil(3 * np.log(builtins.max(1, n)) / np.log(_MASK32)))
    for _ in range(rounds):
        keys = _split(key, (2,))
        key, sub = keys[0], keys[1]
        sort_keys = _random_bits(sub, 32, x.aval.shape)
        _, x = lax.sort((sort_keys, x), dimension=axis, num_keys=1)
    return x


def permutation(key, x, axis=0, independent=False):
    """A random permutation of range(x) (an int) or of `x` along `axis`."""
    key = _check_key("permutation", key)
    if isinstance(x, (int, np.integer)):
        return _permuted_range(key, int(x))
    x = jnp.asarray(x)
    if x.aval.ndim == 0:
        raise TypeError(f"irax.random.permutation: x must be an integer or at least "
                        f"1-dimensional, got {x.aval.str_short()} (at {user_line()})")
    axis = axis % x.aval.ndim
    if independent or x.aval.ndim == 1:
        return _shuffle(key, x, axis)
    return _permute_along(key, x, axis)


@_compiled(1)
def _permuted_range(key, n):
    return _shuffle(key, jnp.arange(n), 0)


@_compiled(2)
def _permute_along(key, x, axis):
    return jnp.take(x, _shuffle(key, jnp.arange(x.aval.shape[axis]), 0), axis=axis)


def choice(key, a, shape=(), replace=True, p=None, axis=0):
    """Samples of range(a) (an int) or of `a` along `axis`, optionally weighted by `p`."""
    key = _check_key("choice", key)
    shape = _shape(shape)
    scalar = isinstance(a, (int, np.integer))
    arr = None if scalar else jnp.asarray(a)
    if not scalar:
        axis = axis % arr.aval.ndim
    n = int(a) if scalar else arr.aval.shape[axis]
    draws = math.prod(shape)
    if n <= 0:
        raise ValueError(f"irax.random.choice: a must be positive, got {n} (at {user_line()})")
    if not replace and draws > n:
        raise ValueError(f"irax.random.choice: cannot take {draws} samples from {n} without "
                         f"replacement (at {user_line()})")
    if p is None:
        if replace:
            ind = randint(key, shape, 0, n)
            result = ind if scalar else jnp.take(arr, ind, axis=axis)
        else:
            perm = permutation(key, n if scalar else arr, axis)
            result = lax.slice_in_dim(perm, 0, draws, axis=0 if scalar else axis)
    else:
        p = jnp.asarray(p)
        if not dtypes.issubdtype(p.aval.dtype, np.floating):
            p = p.astype(dtypes.default_float())
        if p.aval.shape != (n,):
            raise ValueError(f"irax.random.choice: p must have shape ({n},), got "
                             f"{p.aval.str_short()} (at {user_line()})")
        if replace:
            cdf = jnp.cumsum(p)
            r = cdf[-1] * (1 - uniform(key, shape, p.aval.dtype))
            # searchsorted(cdf, r, side="left"): how many entries lie below r
            ind = jnp.sum(lax.reshape(cdf, (1,) * len(shape) + (n,)) < r[..., None], axis=-1,
                          dtype=dtypes.default_int())
        else:
            g = gumbel(key, (n,), p.aval.dtype) + jnp.log(p)
            ind = lax.slice_in_dim(jnp.argsort(g, descending=True), 0, draws)
            ind = ind.astype(dtypes.default_int())
        result = ind if scalar else jnp.take(arr, ind, axis=axis)
    out_shape = shape if scalar else arr.aval.shape[:axis] + shape + arr.aval.shape[axis + 1:]
    return jnp.reshape(result, out_shape)


from .random_distributions import *  # noqa: E402,F401,F403  (samplers built on the above)
from .random_distributions import __all__ as _distributions  # noqa: E402

__all__ += _distributions
