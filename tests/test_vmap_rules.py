"""Every batching rule against a Python loop: `vmap(f)(xs)` must equal
stacking `f(x)` over the batch (f jitted per example), with random in_axes and
out_axes, axes other than 0 included.

Each case binds the primitive directly (so the exact op is what is batched);
ops sharing a signature are grouped into one function returning a tuple, so a
case costs two IREE compiles (the per-example jit and the vmap).
"""
import zlib

import numpy as np
import pytest

import irax
from irax.api import as_operand
from irax.core import bind
from irax.dialects import OPS
from irax.dialects.batching import batch_region_rules, batch_rules
from irax.dialects.collectives import COLLECTIVES
from irax.dialects.ops import (ARITH_BINARY, BITWISE_BINARY, COMPARISONS, FLOAT_BINARY,
                               FLOAT_UNARY, INT_UNARY, NUMERIC_UNARY)
from irax.tree_util import tree_leaves, tree_structure

N = 3  # batch size


def prim(name, *args, **attrs):
    outs = bind(name, [as_operand(a) for a in args], **attrs)
    return outs[0] if len(outs) == 1 else tuple(outs)


def uniform(shape, lo=-2.0, hi=2.0, dtype="float32"):
    return lambda rng: rng.uniform(lo, hi, shape).astype(dtype)


def ints(shape, lo=-4, hi=5, dtype="int32"):
    return lambda rng: np.asarray(rng.integers(lo, hi, shape), dtype)


def bools(shape):
    return lambda rng: rng.random(shape) < 0.5


def prepare(f, gens, seed, in_axes=None, out_axes=None):
    """(examples, batched inputs, in_axes, out_axes, output dims): N examples
    and their stack along in_axes (random when None), and out_axes (random when
    None, drawn from the output shapes, which tracing f gives without running it)."""
    rng = np.random.default_rng(seed)
    first = [g(rng) for g in gens]
    if in_axes is None:
        while True:
            in_axes = [None if rng.random() < 0.3 else int(rng.integers(0, np.ndim(x) + 1))
                       for x in first]
            if any(a is not None for a in in_axes):
                break
    examples = [first] + [[gens[i](rng) if in_axes[i] is not None else first[i]
                           for i in range(len(gens))] for _ in range(N - 1)]
    traced = irax.make_ir(f)(*first)
    if out_axes is None:
        axes = [int(rng.integers(0, o.aval.ndim + 1)) for o in traced.outs]
        out_axes = traced.out_tree.unflatten(axes)
    batched = [first[i] if a is None else np.stack([ex[i] for ex in examples], axis=a)
               for i, a in enumerate(in_axes)]
    return examples, batched, tuple(in_axes), out_axes


def run(f, prepared, examples, batched):
    """(per-example outputs, vmapped outputs), traced into the caller's jit (the
    data are its arguments, never constants that simplify would fold away)."""
    _, _, in_axes, out_axes = prepared
    return [f(*ex) for ex in examples], irax.vmap(f, in_axes=in_axes, out_axes=out_axes)(*batched)


def _data(prepared):
    examples, batched, in_axes, _ = prepared
    # unbatched inputs are the same array in every example: pass them once, as None
    return examples, [None if a is None else b for b, a in zip(batched, in_axes)]


def _run_with_data(f, prepared, data):
    examples, batched = data
    batched = [examples[0][i] if b is None else b for i, b in enumerate(batched)]
    return run(f, prepared, examples, batched)


def compare(prepared, outs, got, rtol=2e-5, atol=2e-6):
    """vmap's outputs == the per-example outputs stacked along out_axes."""
    _, _, in_axes, out_axes = prepared
    refs = [[np.asarray(o) for o in tree_leaves(out)] for out in outs]
    got = tree_leaves(got)
    nout = len(refs[0])
    axes = [out_axes] * nout if isinstance(out_axes, int) else tree_leaves(out_axes)
    assert len(got) == nout
    for j in range(nout):
        want = np.stack([r[j] for r in refs], axis=axes[j])
        g = np.asarray(got[j])
        msg = f"output {j}, in_axes={in_axes}, out_axes={out_axes}"
        assert g.shape == want.shape and g.dtype == want.dtype, (msg, g.shape, want.shape, g.dtype)
        if want.dtype.kind == "f":
            np.testing.assert_allclose(g, want, rtol=rtol, atol=atol, equal_nan=True, err_msg=msg)
        else:
            np.testing.assert_array_equal(g, want, err_msg=msg)


def check(f, gens, seed, in_axes=None, out_axes=None, rtol=2e-5, atol=2e-6):
    """vmap(f, in_axes, out_axes) == stack of f per example, in one compiled module."""
    prepared = prepare(f, gens, seed, in_axes, out_axes)
    outs, got = irax.jit(lambda data: _run_with_data(f, prepared, data))(_data(prepared))
    compare(prepared, outs, got, rtol, atol)


def seed_of(name):
    return zlib.crc32(name.encode())


CASES = {}  # case id -> (ops it covers, f, gens[, kwargs])


def case(cid, covers, f, gens, **kw):
    CASES[cid] = (tuple(covers), f, gens, kw)


def _group(names, *args_fn):
    return lambda *xs: tuple(prim(f"irax.{n}", *args_fn(n, xs)) for n in names)


# Elementwise -----------------------------------------------------------------

_safe = {"acosh": lambda x: x * x + 1.5, "log": abs, "sqrt": abs, "rsqrt": lambda x: abs(x) + 0.5,
         "log1p": abs, "asin": lambda x: x * 0.4, "acos": lambda x: x * 0.4,
         "atanh": lambda x: x * 0.4}
case("float_unary", ["irax." + n for n in FLOAT_UNARY],
     lambda x: tuple(prim(f"irax.{n}", _safe.get(n, lambda v: v)(x)) for n in FLOAT_UNARY),
     [uniform((2, 3))], rtol=1e-4, atol=1e-5)
case("numeric_unary_f",
     ["irax." + n for n in NUMERIC_UNARY] + ["irax.is_finite", "irax.stop_gradient"],
     lambda x: tuple(prim(f"irax.{n}", x) for n in NUMERIC_UNARY + ("is_finite", "stop_gradient")),
     [uniform((4,))])
case("int_unary", ["irax." + n for n in NUMERIC_UNARY + INT_UNARY],
     lambda x: tuple(prim(f"irax.{n}", x) for n in NUMERIC_UNARY + INT_UNARY), [ints((2, 3))])
case("not_bool", ["irax.not"], lambda p: prim("irax.not", p), [bools((3,))])
case("complex_parts", ["irax.complex", "irax.real", "irax.imag", "irax.conj"],
     lambda x, y: (prim("irax.real", prim("irax.conj", prim("irax.complex", x, y))),
                   prim("irax.imag", prim("irax.conj", prim("irax.complex", x, y)))),
     [uniform((2, 3)), uniform((2, 3))])
case("integer_pow_convert", ["irax.integer_pow", "irax.convert_element_type",
                             "irax.bitcast_convert_type"],
     lambda x: (prim("irax.integer_pow", x, y=3), prim("irax.convert_element_type", x,
                                                        new_dtype="int32"),
                prim("irax.bitcast_convert_type", x, new_dtype="int32")),
     [uniform((2, 2))])
case("arith_float", ["irax." + n for n in ARITH_BINARY + FLOAT_BINARY + COMPARISONS],
     lambda x, y: tuple(prim(f"irax.{n}", abs(x) + 0.5 if n == "pow" else x, y)
                        for n in ARITH_BINARY + FLOAT_BINARY + COMPARISONS),
     [uniform((2, 3)), uniform((2, 3), 0.5, 2.0)])
case("arith_int", ["irax." + n for n in ARITH_BINARY if n != "pow"],
     lambda x, y: tuple(prim(f"irax.{n}", x, y) for n in ARITH_BINARY if n != "pow"),
     [ints((3, 2)), ints((3, 2), 1, 4)])
case("bitwise", ["irax." + n for n in BITWISE_BINARY],
     lambda x, y: tuple(prim(f"irax.{n}", x, y) for n in BITWISE_BINARY),
     [ints((4,), -50, 50), ints((4,), 0, 4)])
case("bool_logic", ["irax.and", "irax.or", "irax.xor"],
     lambda p, q: tuple(prim(f"irax.{n}", p, q) for n in ("and", "or", "xor")),
     [bools((2, 2)), bools((2, 2))])
case("select_full", ["irax.select"], lambda p, a, b: prim("irax.select", p, a, b),
     [bools((2, 3)), uniform((2, 3)), uniform((2, 3))])
case("select_scalar_pred", ["irax.select"], lambda p, a, b: prim("irax.select", p, a, b),
     [bools(()), uniform((2, 3)), uniform((2, 3))])
case("clamp_scalar", ["irax.clamp"], lambda lo, x, hi: prim("irax.clamp", lo, x, hi),
     [uniform((), -1.0, 0.0), uniform((3, 2)), uniform((), 0.0, 1.0)])
case("clamp_full", ["irax.clamp"], lambda lo, x, hi: prim("irax.clamp", lo, x, hi),
     [uniform((3,), -1.0, 0.0), uniform((3,)), uniform((3,), 0.0, 1.0)])
case("iota_constant", ["irax.iota", "irax.constant"],
     lambda x: prim("irax.add", x, prim("irax.iota", shape=(2, 3), dtype="float32", dimension=1)),
     [uniform((2, 3))])

# Shapes --------------------------------------------------------------------

case("broadcast_in_dim", ["irax.broadcast_in_dim"],
     lambda x, y: (prim("irax.broadcast_in_dim", x, shape=(2, 3, 4), broadcast_dimensions=(1,)),
                   prim("irax.broadcast_in_dim", y, shape=(4, 2, 3), broadcast_dimensions=(1, 2))),
     [uniform((3,)), uniform((1, 3))])
case("reshape", ["irax.reshape"],
     lambda x: (prim("irax.reshape", x, new_sizes=(3, 2, 2)),
                prim("irax.reshape", x, new_sizes=(12,)),
                prim("irax.reshape", x, new_sizes=(2, 1, 6))),
     [uniform((2, 6))])
case("transpose_rev", ["irax.transpose", "irax.rev"],
     lambda x: (prim("irax.transpose", x, permutation=(2, 0, 1)),
                prim("irax.rev", x, dimensions=(0, 2))),
     [uniform((2, 3, 4))])
case("reductions", ["irax.reduce_sum", "irax.reduce_max", "irax.reduce_min", "irax.reduce_prod"],
     lambda x: tuple(prim(f"irax.reduce_{n}", x, axes=ax) for n in ("sum", "max", "min", "prod")
                     for ax in ((0, 2), (1,))),
     [uniform((2, 3, 2))], rtol=1e-4)
case("bool_reductions", ["irax.reduce_and", "irax.reduce_or"],
     lambda p: tuple(prim(f"irax.reduce_{n}", p, axes=(1,)) for n in ("and", "or")),
     [bools((3, 4))])
# Fixed axes: an argmax followed by a transpose does not compile (see
# test_argmax_then_transpose below), so these keep the batch dim in place.
for _ia, _oa in ((0, 0), (2, 1)):
    case(f"argreduce_{_ia}", ["irax.argmax", "irax.argmin"],
         lambda x: tuple(prim(f"irax.{n}", x, axis=ax, index_dtype="int32")
                         for n in ("argmax", "argmin") for ax in (0, 1)),
         [uniform((3, 4))], in_axes=[_ia], out_axes=_oa)
case("cumulative", ["irax.cumsum", "irax.cumprod", "irax.cummax", "irax.cummin"],
     lambda x: tuple(prim(f"irax.{n}", x, axis=1, reverse=rev)
                     for n in ("cumsum", "cumprod", "cummax", "cummin")
                     for rev in (False, True)),
     [uniform((2, 4), 0.5, 1.5)], rtol=1e-4)
case("slice", ["irax.slice"],
     lambda x: prim("irax.slice", x, start_indices=(1, 0), limit_indices=(4, 5), strides=(2, 2)),
     [uniform((5, 5))])
case("pad", ["irax.pad"],
     lambda x, v: (prim("irax.pad", x, v, low=(1, -1), high=(0, 2), interior=(1, 0)),
                   prim("irax.pad", x, v, low=(2, 0), high=(0, 1))),
     [uniform((3, 4)), uniform(())])
case("concatenate", ["irax.concatenate"],
     lambda a, b, c: prim("irax.concatenate", a, b, c, dimension=1),
     [uniform((2, 1)), uniform((2, 3)), uniform((2, 2))])
case("sort", ["irax.sort"],
     lambda k, v: (prim("irax.sort", k, v, dimension=1, num_keys=1),
                   prim("irax.sort", k, dimension=0, num_keys=1, descending=True)),
     [ints((3, 4), 0, 3), uniform((3, 4))])

# dot_general -----------------------------------------------------------------

_DOT = ["irax.dot_general"]
case("matmul", _DOT, lambda a, b: prim("irax.dot_general", a, b, lhs_contracting=(1,),
                                       rhs_contracting=(0,)),
     [uniform((2, 3)), uniform((3, 4))], rtol=1e-5)
case("matvec", _DOT, lambda a, v: prim("irax.dot_general", a, v, lhs_contracting=(1,),
                                       rhs_contracting=(0,)),
     [uniform((4, 3)), uniform((3,))])
case("vecmat_t", _DOT, lambda v, a: prim("irax.dot_general", v, a, lhs_contracting=(0,),
                                         rhs_contracting=(1,)),
     [uniform((3,)), uniform((4, 3))])
case("batched_dot", _DOT,
     lambda a, b: prim("irax.dot_general", a, b, lhs_contracting=(2,), rhs_contracting=(1,),
                       lhs_batch=(0,), rhs_batch=(0,)),
     [uniform((2, 3, 4)), uniform((2, 4, 2))])
case("outer_and_inner", _DOT,
     lambda a, b: (prim("irax.dot_general", a, b, lhs_contracting=(), rhs_contracting=()),
                   prim("irax.dot_general", a, b, lhs_contracting=(0,), rhs_contracting=(0,))),
     [uniform((3,)), uniform((3,))])

# Indexing ------------------------------------------------------------------

_ix = ints((), -1, 5)
case("dynamic_slice", ["irax.dynamic_slice"],
     lambda x, i, j: prim("irax.dynamic_slice", x, i, j, slice_sizes=(2, 3)),
     [uniform((4, 5)), _ix, _ix])
case("dynamic_update_slice", ["irax.dynamic_update_slice"],
     lambda x, u, i, j: prim("irax.dynamic_update_slice", x, u, i, j),
     [uniform((4, 5)), uniform((2, 3)), _ix, _ix])
case("gather_rows", ["irax.gather"], lambda x, idx: prim("irax.gather", x, idx),
     [uniform((5, 3)), ints((4, 1), -1, 6)])
case("gather_points", ["irax.gather"], lambda x, idx: prim("irax.gather", x, idx),
     [uniform((4, 3, 2)), ints((2, 2), 0, 3)])
# In-bounds indices only: an out-of-bounds scatter index crashes the process
# (lower_scatter does not drop it), and see test_scatter_out_of_bounds_batched_indices.
for _mode in ("set", "add", "mul", "min", "max"):
    case(f"scatter_{_mode}", ["irax.scatter"],
         lambda x, idx, u, _m=_mode: prim("irax.scatter", x, idx, u, mode=_m),
         [uniform((5, 2)), ints((3, 1), 0, 5), uniform((3, 2))])
case("scatter_unbatched_indices", ["irax.scatter"],
     lambda x, idx, u: prim("irax.scatter", x, idx, u, mode="add"),
     [uniform((5, 2)), ints((4, 1), 0, 5), uniform((4, 2))], in_axes=[1, None, 0])


CHUNK = 8  # cases per compiled module


@pytest.fixture(scope="module")
def batched_results():
    """Every case's per-example and vmapped outputs, CHUNK cases per compiled
    module (one compile per chunk instead of two per case on a cold cache)."""
    names, done = sorted(CASES), {}

    def result(cid):
        i = names.index(cid) // CHUNK
        if i not in done:
            chunk = names[i * CHUNK:(i + 1) * CHUNK]
            prepared = {c: prepare(CASES[c][1], CASES[c][2], seed_of(c), **_axes(CASES[c][3]))
                        for c in chunk}
            outs = irax.jit(lambda data: {c: _run_with_data(CASES[c][1], prepared[c], data[c])
                                          for c in chunk})({c: _data(prepared[c]) for c in chunk})
            done[i] = {c: (prepared[c], outs[c]) for c in chunk}
        return done[i][cid]
    return result


def _axes(kw):
    return {k: v for k, v in kw.items() if k in ("in_axes", "out_axes")}


@pytest.mark.parametrize("cid", sorted(CASES))
def test_batching_rule(cid, batched_results):
    prepared, (outs, got) = batched_results(cid)
    tolerances = {k: v for k, v in CASES[cid][3].items() if k in ("rtol", "atol")}
    compare(prepared, outs, got, **tolerances)


@pytest.mark.parametrize("in_axes,out_axes", [((1, None), 2), ((None, 2), 0), ((2, 1), 1)])
def test_matmul_axes(in_axes, out_axes):
    """dot_general with the batch dim on either side or both, not at 0."""
    f = lambda a, b: prim("irax.dot_general", a, b, lhs_contracting=(1,), rhs_contracting=(0,))
    check(f, [uniform((2, 3)), uniform((3, 4))], 7, in_axes=list(in_axes), out_axes=out_axes)


def test_dynamic_slice_unbatched_indices():
    """Unbatched starts keep dynamic_slice a dynamic_slice (one more index)."""
    check(lambda x, i: prim("irax.dynamic_slice", x, i, i, slice_sizes=(2, 2)),
          [uniform((3, 4)), _ix], 3, in_axes=[1, None], out_axes=2)


def test_every_first_order_op_is_covered():
    first_order = {n for n, o in OPS.items() if o.inferable}
    missing = sorted(first_order - set(batch_rules))
    assert not missing, f"ops without a batching rule: {missing}"
    covered = {op for covers, *_ in CASES.values() for op in covers}
    covered |= set(COLLECTIVES)  # batched over their own axis: tests/test_collectives.py
    # batched in their own suites: test_conv.py, test_reduce_window.py, test_checkpoint.py,
    # test_random_distributions.py / test_vmap.py (keys)
    covered |= {"irax.conv_general_dilated", "irax.reduce_window", "irax.checkpoint_name",
                "irax.optimization_barrier", "irax.threefry2x32"}
    untested = sorted(first_order - covered)
    assert not untested, f"ops without a vmap test case: {untested}"
    regioned = sorted(n for n, o in OPS.items() if o.regions and n not in batch_region_rules)
    assert not regioned, f"region ops without a batching rule: {regioned}"


def test_missing_rule_raises():
    from irax.dialects import batching
    saved = batching.batch_rules.pop("irax.sin")
    try:
        with pytest.raises(NotImplementedError, match="no batching rule for 'irax.sin'"):
            f = irax.vmap(lambda x: prim("irax.sin", x))
            irax.make_ir(f)(np.ones((3, 2), np.float32)).expanded()
    finally:
        batching.batch_rules["irax.sin"] = saved


def test_argmax_then_transpose():
    """argmax lowers to single-result reductions, which IREE fuses into a transpose."""
    check(lambda x: prim("irax.argmax", x, axis=1, index_dtype="int32"), [uniform((3, 4))], 1,
          in_axes=[1], out_axes=0)


def test_scatter_out_of_bounds_batched_indices():
    """Out-of-bounds rows are dropped, as in JAX (not wrapped, not a crash)."""
    check(lambda x, idx, u: prim("irax.scatter", x, idx, u, mode="add"),
          [uniform((5, 2)), ints((3, 1), 5, 6), uniform((3, 2))], 2, in_axes=[0, 0, None],
          out_axes=0)
