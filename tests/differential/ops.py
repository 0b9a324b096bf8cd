"""The op table of the program generator: name -> Op(family, builder, dtypes, cost, needs_exact).

A builder gets the generator `g` and an operand id `x` and returns the node's
expression ("{0}" is x, "{1}".. the extra operands it picked or created) and
the extra operand ids, or None when the op does not apply to x.
"""
import numpy as np

from .gen import Op


def _shape(g, x):
    return g.avals[x][0]


def _dt(g, x):
    return g.avals[x][1]


def fixed(expr):
    return lambda g, x: (expr, ())


def unary(family, expr, dtypes="f", cost=2, needs_exact=False):
    return Op(family, fixed(expr), dtypes, cost, needs_exact)


def _other(g, x, same_shape=False):
    """A second operand for a binary op: a broadcastable value or a weak Python scalar."""
    shape, dt = _shape(g, x), _dt(g, x)
    if not same_shape and g.rng.random() < 0.25:
        return g.const(dt), ()
    other_dt = g.dtype(like=dt)
    other = g.operand(shape if same_shape else g.broadcastable(shape), other_dt, exact=True)
    return "{1}", (other,)


def binary(family, fmt, dtypes="f", cost=1, needs_exact=False, swap=True):
    def build(g, x):
        rhs, extra = _other(g, x)
        a, b = "{0}", rhs
        if swap and g.rng.random() < 0.3:
            a, b = b, a
        return fmt.format(a=a, b=b), extra
    return Op(family, build, dtypes, cost, needs_exact)


def reduction(fn, family="reduce", dtypes="f", cost=4, needs_exact=False, tuple_axis=True):
    def build(g, x):
        axis = g.axis(len(_shape(g, x)), allow_tuple=tuple_axis)
        keep = ", keepdims=True" if g.rng.random() < 0.3 else ""
        return f"{fn}({{0}}, axis={axis!r}{keep})", ()
    return Op(family, build, dtypes, cost, needs_exact)


def along_axis(fn, family, dtypes="f", cost=4, needs_exact=False, kw="axis"):
    def build(g, x):
        r = len(_shape(g, x))
        if r == 0:
            return None
        return f"{fn}({{0}}, {kw}={int(g.rng.integers(-r, r))})", ()
    return Op(family, build, dtypes, cost, needs_exact)


def astype(g, x):
    target = str(g.rng.choice(["float32", "int32", "bool", "float16", "bfloat16"]))
    if target == _dt(g, x):
        return None
    return f"{{0}}.astype(jnp.{target}{'_' if target == 'bool' else ''})", ()


def where(g, x):
    shape = _shape(g, x)
    cond_shape = g.broadcastable(shape)
    c = g.operand(cond_shape, "bool", exact=True)
    other, extra = _other(g, x)
    return "jnp.where({1}, {0}, %s)" % other.replace("{1}", "{2}"), (c,) + extra


def clip(g, x):
    lo = g.const(_dt(g, x))
    hi = repr(type(eval(lo))(eval(lo) + 2))
    return f"jnp.clip({{0}}, {lo}, {hi})", ()


def _factor(g, size, rank):
    """A random shape with `size` elements and `rank` dims."""
    if rank == 0:
        return () if size == 1 else None
    dims = [1] * rank
    if size == 0:  # (0 is divisible by everything: factoring it never ends)
        dims[int(g.rng.integers(rank))] = 0
        return tuple(dims)
    rest = size
    for p in (2, 3, 5):
        while rest % p == 0:
            dims[int(g.rng.integers(rank))] *= p
            rest //= p
    if rest != 1:
        dims[int(g.rng.integers(rank))] *= rest
    return tuple(dims)


def reshape(g, x):
    shape = _factor(g, int(np.prod(_shape(g, x), dtype=np.int64)), int(g.rng.integers(0, 4)))
    if shape is None:
        return None
    if shape and 0 not in shape and g.rng.random() < 0.3:
        shape = (-1,) + shape[1:]
    return f"jnp.reshape({{0}}, {shape!r})", ()


def transpose(g, x):
    r = len(_shape(g, x))
    if r < 2:
        return None
    return ("{0}.T", ()) if g.rng.random() < 0.3 else (f"jnp.transpose({{0}}, {tuple(int(i) for i in g.rng.permutation(r))!r})", ())


def expand_dims(g, x):
    r = len(_shape(g, x))
    return f"jnp.expand_dims({{0}}, {int(g.rng.integers(-r - 1, r + 1))})", ()


def squeeze(g, x):
    ones = [i for i, d in enumerate(_shape(g, x)) if d == 1]
    if not ones:
        return None
    axis = None if g.rng.random() < 0.3 else int(g.rng.choice(ones))
    return f"jnp.squeeze({{0}}, axis={axis!r})", ()


def concatenate(g, x):
    shape = _shape(g, x)
    if not shape:
        return None
    axis = int(g.rng.integers(len(shape)))
    other = list(shape)
    other[axis] = int(g.rng.integers(0, 4))
    y = g.operand(other, g.dtype(like=_dt(g, x)), exact=True)
    return f"jnp.concatenate([{{0}}, {{1}}], axis={axis})", (y,)


def stack(g, x):
    r = len(_shape(g, x))
    y = g.operand(_shape(g, x), _dt(g, x), exact=True)
    return f"jnp.stack([{{0}}, {{1}}], axis={int(g.rng.integers(-r - 1, r + 1))})", (y,)


def _slice(g, d):
    kind = g.rng.random()
    if kind < 0.25:
        return ":"
    if kind < 0.4 and d > 0:
        return str(int(g.rng.integers(-d, d)))
    start, stop = (int(g.rng.integers(-d - 1, d + 2)) for _ in range(2))
    step = int(g.rng.choice([1, 1, 2, -1, -2]))
    return f"{start}:{stop}:{step}"


def basic_index(g, x):
    shape = _shape(g, x)
    if not shape:
        return ("{0}[None]", ()) if g.rng.random() < 0.5 else ("{0}[...]", ())
    parts = [_slice(g, d) for d in shape[:int(g.rng.integers(1, len(shape) + 1))]]
    if g.rng.random() < 0.2:
        parts.insert(int(g.rng.integers(len(parts) + 1)), "None")
    if g.rng.random() < 0.2:
        parts.append("...")
    return "{0}[" + ", ".join(parts) + "]", ()


def _indices(g, d, n=None):
    n = int(g.rng.integers(0, 5)) if n is None else n
    return [int(i) for i in g.rng.integers(-d, d, n)] if d else []


def gather(g, x):
    shape = _shape(g, x)
    if not shape or shape[0] == 0:
        return None
    idx = _indices(g, shape[0])
    if g.rng.random() < 0.5 and len(shape) > 1 and shape[1]:
        return f"{{0}}[jnp.asarray({idx!r}, jnp.int32), jnp.asarray({_indices(g, shape[1], len(idx))!r}, jnp.int32)]", ()
    return f"{{0}}[jnp.asarray({idx!r}, jnp.int32)]", ()


def take(g, x):
    shape = _shape(g, x)
    if not shape:
        return None
    axis = int(g.rng.integers(len(shape)))
    if shape[axis] == 0:
        return None
    idx = [i % shape[axis] for i in _indices(g, shape[axis])]
    return f"jnp.take({{0}}, jnp.asarray({idx!r}, jnp.int32), axis={axis})", ()


def scatter(g, x):
    shape = _shape(g, x)
    if not shape:
        return None
    method = str(g.rng.choice(["set", "add", "max", "min"]))
    if g.rng.random() < 0.5:
        where = _slice(g, shape[0])
    else:
        where = f"jnp.asarray({_indices(g, shape[0]) if shape[0] else []!r}, jnp.int32)"
    if g.rng.random() < 0.5:
        return f"{{0}}.at[{where}].{method}({g.const(_dt(g, x))})", ()
    y = g.operand((), _dt(g, x), exact=True)
    return f"{{0}}.at[{where}].{method}({{1}})", (y,)


def flip(g, x):
    r = len(_shape(g, x))
    return f"jnp.flip({{0}}, axis={g.axis(r, allow_tuple=True)!r})", ()


def roll(g, x):
    r = len(_shape(g, x))
    if r == 0:
        return None
    return f"jnp.roll({{0}}, {int(g.rng.integers(-3, 4))}, axis={int(g.rng.integers(r))})", ()


def broadcast_to(g, x):
    shape = tuple(d if d != 1 or g.rng.random() < 0.5 else int(g.rng.integers(0, 4)) for d in _shape(g, x))
    lead = tuple(int(d) for d in g.rng.integers(1, 4, int(g.rng.integers(0, 2))))
    return f"jnp.broadcast_to({{0}}, {lead + shape!r})", ()


def swapaxes(g, x):
    r = len(_shape(g, x))
    if r < 2:
        return None
    a, b = (int(i) for i in g.rng.integers(-r, r, 2))
    return f"jnp.swapaxes({{0}}, {a}, {b})", ()


def tile(g, x):
    reps = tuple(int(i) for i in g.rng.integers(1, 3, int(g.rng.integers(1, 3))))
    return f"jnp.tile({{0}}, {reps!r})", ()


def repeat(g, x):
    r = len(_shape(g, x))
    axis = int(g.rng.integers(r)) if r else None
    return f"jnp.repeat({{0}}, {int(g.rng.integers(0, 3))}, axis={axis!r})", ()


def pad(g, x):
    cfg = [(int(g.rng.integers(-1, 3)), int(g.rng.integers(-1, 3)), int(g.rng.integers(0, 2))) for _ in _shape(g, x)]
    value = "0" if _dt(g, x) in ("int32", "bool") else "0.0"
    if _dt(g, x) == "bool":
        value = "False"
    return f"lax.pad({{0}}, jnp.asarray({value}, {{0}}.dtype), {cfg!r})", ()


def dynamic_slice(g, x):
    shape = _shape(g, x)
    if not shape:
        return None
    sizes = tuple(int(g.rng.integers(0, d + 1)) for d in shape)
    starts = tuple(int(g.rng.integers(-2, d + 3)) for d in shape)
    return f"lax.dynamic_slice({{0}}, {starts!r}, {sizes!r})", ()


def dynamic_update_slice(g, x):
    shape = _shape(g, x)
    if not shape:
        return None
    upd = tuple(int(g.rng.integers(0, d + 1)) for d in shape)
    y = g.operand(upd, _dt(g, x), exact=True)
    starts = tuple(int(g.rng.integers(-2, d + 3)) for d in shape)
    return f"lax.dynamic_update_slice({{0}}, {{1}}, {starts!r})", (y,)


def matmul(g, x):
    shape = _shape(g, x)
    if not shape or len(shape) > 3:
        return None
    k = shape[-1]
    other = (k,) if g.rng.random() < 0.3 else (k, int(g.rng.integers(0, 5)))
    if len(shape) == 3 and len(other) == 2 and g.rng.random() < 0.5:
        other = (shape[0],) + other
    y = g.operand(other, g.dtype(like=_dt(g, x)))
    fn = str(g.rng.choice(["{0} @ {1}", "jnp.matmul({0}, {1})", "jnp.dot({0}, {1})"]))
    if fn.startswith("jnp.dot") and len(shape) == 3 and len(other) == 3:
        fn = "{0} @ {1}"
    return fn, (y,)


def einsum(g, x):
    shape = _shape(g, x)
    if len(shape) > 3:
        return None
    letters = "abcdefg"
    lhs = letters[:len(shape)]
    sizes = dict(zip(lhs, shape))
    rhs = "".join(c for c in lhs if g.rng.random() < 0.6) + "".join(letters[len(shape):len(shape) + int(g.rng.integers(0, 2))])
    for c in rhs:
        sizes.setdefault(c, int(g.rng.integers(0, 5)))
    used = sorted(set(lhs + rhs))
    out = "".join(c for c in used if g.rng.random() < 0.5)
    y = g.operand(tuple(sizes[c] for c in rhs), g.dtype(like=_dt(g, x)))
    return f"jnp.einsum('{lhs},{rhs}->{out}', {{0}}, {{1}})", (y,)


def outer(g, x):
    y = g.operand((int(g.rng.integers(0, 4)),), _dt(g, x))
    return "jnp.outer({0}, {1})", (y,)


def cumulative(fn, cost=4, needs_exact=False, dtypes="f"):
    def build(g, x):
        r = len(_shape(g, x))
        if r == 0:
            return None
        return f"{fn}({{0}}, axis={int(g.rng.integers(-r, r))})", ()
    return Op("cumulative", build, dtypes, cost, needs_exact)


def lax_cummax(g, x):
    r = len(_shape(g, x))
    if r == 0:
        return None
    return f"lax.cummax({{0}}, axis={int(g.rng.integers(r))}, reverse={bool(g.rng.random() < 0.3)})", ()


OPS = {
    # elementwise float math (continuous)
    "sin": unary("unary", "jnp.sin({0})"), "cos": unary("unary", "jnp.cos({0})"),
    "tanh": unary("unary", "jnp.tanh({0})"), "exp": unary("unary", "jnp.exp({0})"),
    "expm1": unary("unary", "jnp.expm1({0})"), "arctan": unary("unary", "jnp.arctan({0})"),
    "sinh": unary("unary", "jnp.sinh({0})"), "cosh": unary("unary", "jnp.cosh({0})"),
    "erf": unary("unary", "lax.erf({0})", cost=3), "cbrt": unary("unary", "jnp.cbrt({0})"),
    "square": unary("unary", "jnp.square({0})", "fi", 1), "pow2": unary("unary", "{0} ** 2", "fi", 1),
    "pow3": unary("unary", "{0} ** 3", "fi", 2),
    "sigmoid": unary("nn", "nn.sigmoid({0})", cost=3), "softplus": unary("nn", "nn.softplus({0})", cost=3),
    "silu": unary("nn", "nn.silu({0})", cost=3), "gelu": unary("nn", "nn.gelu({0})", cost=4),
    "gelu_exact": unary("nn", "nn.gelu({0}, approximate=False)", cost=4),
    "elu": unary("nn", "nn.elu({0})", cost=3), "log_sigmoid": unary("nn", "nn.log_sigmoid({0})", cost=3),
    "relu": unary("nn", "nn.relu({0})", cost=0), "leaky_relu": unary("nn", "nn.leaky_relu({0})", cost=1),
    # exact elementwise
    "negative": unary("unary", "-{0}", "fi", 0), "abs": unary("unary", "jnp.abs({0})", "fi", 0),
    "invert": unary("unary", "~{0}", "ib", 0), "logical_not": unary("unary", "jnp.logical_not({0})", "fib", 0),
    "astype": Op("astype", astype, "fib", 0),
    "clip": Op("binary", clip, "fi", 0),
    # singular or discontinuous: exact operands only
    "log": unary("unary", "jnp.log({0})", needs_exact=True), "sqrt": unary("unary", "jnp.sqrt({0})", needs_exact=True),
    "rsqrt": unary("unary", "lax.rsqrt({0})", needs_exact=True),
    "reciprocal": unary("unary", "jnp.reciprocal({0})", cost=1, needs_exact=True),
    "tan": unary("unary", "jnp.tan({0})", needs_exact=True), "arcsin": unary("unary", "jnp.arcsin({0})", needs_exact=True),
    "arccos": unary("unary", "jnp.arccos({0})", needs_exact=True),
    "arctanh": unary("unary", "jnp.arctanh({0})", needs_exact=True),
    "log1p": unary("unary", "jnp.log1p({0})", needs_exact=True),
    "floor": unary("unary", "jnp.floor({0})", cost=0, needs_exact=True),
    "ceil": unary("unary", "jnp.ceil({0})", cost=0, needs_exact=True),
    "round": unary("unary", "jnp.round({0})", cost=0, needs_exact=True),
    "sign": unary("unary", "jnp.sign({0})", "fi", 0, True),
    "isnan": unary("unary", "jnp.isnan({0})", cost=0), "isfinite": unary("unary", "jnp.isfinite({0})", cost=0),
    # binary elementwise with broadcasting and weak scalars
    "add": binary("binary", "{a} + {b}", "fi"), "subtract": binary("binary", "{a} - {b}", "fi"),
    "multiply": binary("binary", "{a} * {b}", "fi"),
    "logaddexp": binary("binary", "jnp.logaddexp({a}, {b})", cost=3),
    "hypot": binary("binary", "jnp.hypot({a}, {b})", cost=2),
    "maximum": binary("binary", "jnp.maximum({a}, {b})", "fi", 0),
    "minimum": binary("binary", "jnp.minimum({a}, {b})", "fi", 0),
    "int_add": binary("binary", "{a} + {b}", "ib", 0), "int_mul": binary("binary", "{a} * {b}", "i", 0),
    "divide": binary("binary", "{a} / {b}", "fi", 1, True),
    "power": binary("binary", "jnp.power({a}, {b})", "fi", 3, True),
    "arctan2": binary("binary", "jnp.arctan2({a}, {b})", "f", 2, True),
    "floor_divide": binary("binary", "{a} // {b}", "fi", 0, True),
    "remainder": binary("binary", "{a} % {b}", "fi", 0, True),
    "greater": binary("compare", "{a} > {b}", "fib", 0, True), "less_equal": binary("compare", "{a} <= {b}", "fib", 0, True),
    "equal": binary("compare", "{a} == {b}", "fib", 0, True), "not_equal": binary("compare", "jnp.not_equal({a}, {b})", "fib", 0, True),
    "bit_and": binary("binary", "{a} & {b}", "ib", 0), "bit_or": binary("binary", "{a} | {b}", "ib", 0),
    "bit_xor": binary("binary", "{a} ^ {b}", "ib", 0),
    "where": Op("where", where, "fib", 0),
    # reductions (axis None / int / tuple, keepdims)
    "sum": reduction("jnp.sum", dtypes="fib"), "prod": reduction("jnp.prod", dtypes="fi"),
    "mean": reduction("jnp.mean", dtypes="fi"), "max": reduction("jnp.max", dtypes="fib", cost=0),
    "min": reduction("jnp.min", dtypes="fi", cost=0), "var": reduction("jnp.var", cost=8),
    "any": reduction("jnp.any", dtypes="fib", cost=0, needs_exact=True),
    "all": reduction("jnp.all", dtypes="fib", cost=0, needs_exact=True),
    "argmax": along_axis("jnp.argmax", "reduce", "fib", 0, True),
    "argmin": along_axis("jnp.argmin", "reduce", "fi", 0, True),
    "logsumexp": reduction("nn.logsumexp", "nn", cost=6),
    "softmax": along_axis("nn.softmax", "nn", cost=6), "log_softmax": along_axis("nn.log_softmax", "nn", cost=6),
    "cumsum": cumulative("jnp.cumsum", dtypes="fi"), "cumprod": cumulative("jnp.cumprod", dtypes="fi"),
    "cummax": Op("cumulative", lax_cummax, "fi", 0),
    "sort": along_axis("jnp.sort", "sort", "fi", 0),
    "argsort": along_axis("jnp.argsort", "sort", "fi", 0, True),
    # shapes and indexing
    "reshape": Op("shape", reshape, "fib"), "transpose": Op("shape", transpose, "fib"),
    "expand_dims": Op("shape", expand_dims, "fib"), "squeeze": Op("shape", squeeze, "fib"),
    "concatenate": Op("shape", concatenate, "fib"), "stack": Op("shape", stack, "fib"),
    "flip": Op("shape", flip, "fib"), "roll": Op("shape", roll, "fib"),
    "broadcast_to": Op("shape", broadcast_to, "fib"), "swapaxes": Op("shape", swapaxes, "fib"),
    "tile": Op("shape", tile, "fib"), "repeat": Op("shape", repeat, "fib"),
    "pad": Op("shape", pad, "fib"),
    "index": Op("index", basic_index, "fib"), "gather": Op("index", gather, "fib"),
    "take": Op("index", take, "fib"), "scatter": Op("scatter", scatter, "fi"),
    "dynamic_slice": Op("index", dynamic_slice, "fib"),
    "dynamic_update_slice": Op("index", dynamic_update_slice, "fib"),
    # contractions
    "matmul": Op("contract", matmul, "fi", 6), "einsum": Op("contract", einsum, "fi", 6),
    "outer": Op("contract", outer, "fi", 1),
}
