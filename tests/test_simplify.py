"""irax-level simplification: algebraic folds, CSE, DCE and constant folding.

Constant folding must agree with the compiled lowering, so the folded values
are checked against the same ops run by IREE on non-constant arguments.
"""
import numpy as np
import pytest

import irax
import irax.numpy as jnp
from irax import lax
from irax.dialects import get_context, ir
from irax.dialects.ops import attrs_of
from irax.dialects.simplify import MAX_FOLD_ELEMENTS, simplify


def simplified(text):
    with get_context():
        m = ir.Module.parse(text)
        simplify(m)
        return m, m.operation.get_asm()


def body_ops(module):
    f = module.body.operations[0]
    return [op.name for op in f.regions[0].blocks[0].operations]


def func(args, body, results):
    return (f"func.func @f({args}) -> ({results}) {{\n{body}\n}}\n")


T = "tensor<4xf32>"
I = "tensor<4xi32>"


@pytest.mark.parametrize("body, kept", [
    # x + 0, 0 + x, x - 0, x * 1, x / 1 are x
    (f'%z = "irax.constant"() {{value = dense<0.0> : {T}}} : () -> {T}\n'
     f'%0 = "irax.add"(%z, %a) : ({T}, {T}) -> {T}\n'
     f'%1 = "irax.sub"(%0, %z) : ({T}, {T}) -> {T}\n'
     f'%o = "irax.constant"() {{value = dense<1.0> : {T}}} : () -> {T}\n'
     f'%2 = "irax.mul"(%1, %o) : ({T}, {T}) -> {T}\n'
     f'%3 = "irax.div"(%2, %o) : ({T}, {T}) -> {T}\n'
     f'return %3 : {T}', ["func.return"]),
    # neg(neg x) is x
    (f'%0 = "irax.neg"(%a) : ({T}) -> {T}\n%1 = "irax.neg"(%0) : ({T}) -> {T}\nreturn %1 : {T}',
     ["func.return"]),
    # x * 0 is not 0 for floats (inf, nan): kept
    (f'%z = "irax.constant"() {{value = dense<0.0> : {T}}} : () -> {T}\n'
     f'%0 = "irax.mul"(%a, %z) : ({T}, {T}) -> {T}\nreturn %0 : {T}',
     ["irax.constant", "irax.mul", "func.return"]),
    # identical ops merge (CSE), unused ops go (DCE)
    (f'%0 = "irax.exp"(%a) : ({T}) -> {T}\n%1 = "irax.exp"(%a) : ({T}) -> {T}\n'
     f'%2 = "irax.sin"(%a) : ({T}) -> {T}\n%3 = "irax.mul"(%0, %1) : ({T}, {T}) -> {T}\n'
     f'return %3 : {T}', ["irax.exp", "irax.mul", "func.return"]),
    # different attributes do not merge
    ('%0 = "irax.reduce_sum"(%a) {axes = array<i64: 0>} : (tensor<4xf32>) -> tensor<f32>\n'
     '%1 = "irax.reduce_max"(%a) {axes = array<i64: 0>} : (tensor<4xf32>) -> tensor<f32>\n'
     '%2 = "irax.add"(%0, %1) : (tensor<f32>, tensor<f32>) -> tensor<f32>\n'
     'return %2 : tensor<f32>', ["irax.reduce_sum", "irax.reduce_max", "irax.add", "func.return"]),
])
def test_algebraic_folds_cse_dce(body, kept):
    ret = "tensor<f32>" if "reduce_sum" in body else T
    m, _ = simplified(func(f"%a: {T}", body, ret))
    assert body_ops(m) == kept


def test_int_mul_by_zero_folds_to_zeros():
    body = (f'%z = "irax.constant"() {{value = dense<0> : {I}}} : () -> {I}\n'
            f'%0 = "irax.mul"(%a, %z) : ({I}, {I}) -> {I}\nreturn %0 : {I}')
    m, text = simplified(func(f"%a: {I}", body, I))
    assert body_ops(m) == ["irax.constant", "func.return"]
    assert "dense<0> : tensor<4xi32>" in text


def test_splat_broadcast_and_select_with_constant_predicate():
    body = ('%s = "irax.constant"() {value = dense<2.5> : tensor<f32>} : () -> tensor<f32>\n'
            '%b = "irax.broadcast_in_dim"(%s) {shape = array<i64: 2, 3>, broadcast_dimensions = '
            'array<i64>} : (tensor<f32>) -> tensor<2x3xf32>\n'
            '%p = "irax.constant"() {value = dense<false> : tensor<i1>} : () -> tensor<i1>\n'
            '%0 = "irax.select"(%p, %b, %a) : (tensor<i1>, tensor<2x3xf32>, tensor<2x3xf32>) '
            '-> tensor<2x3xf32>\n'
            '%1 = "irax.select"(%p, %a, %b) : (tensor<i1>, tensor<2x3xf32>, tensor<2x3xf32>) '
            '-> tensor<2x3xf32>\n'
            '%2 = "irax.add"(%0, %1) : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>\n'
            'return %2 : tensor<2x3xf32>')
    m, text = simplified(func("%a: tensor<2x3xf32>", body, "tensor<2x3xf32>"))
    # the broadcast of a splat is a splat; select(false, x, y) is y
    assert body_ops(m) == ["irax.constant", "irax.add", "func.return"]
    assert "dense<2.500000e+00> : tensor<2x3xf32>" in text
    assert '"irax.add"(%arg0, %0)' in text


def test_constant_folding_chain_and_size_limit():
    body = ('%x = "irax.constant"() {value = dense<[1.0, 4.0, 9.0]> : tensor<3xf32>} : () -> tensor<3xf32>\n'
            '%0 = "irax.sqrt"(%x) : (tensor<3xf32>) -> tensor<3xf32>\n'
            '%1 = "irax.neg"(%0) : (tensor<3xf32>) -> tensor<3xf32>\n'
            '%2 = "irax.mul"(%1, %0) : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>\n'
            'return %2 : tensor<3xf32>')
    m, text = simplified(func("", body, "tensor<3xf32>"))
    assert body_ops(m) == ["irax.constant", "func.return"]
    assert "dense<[-1.000000e+00, -4.000000e+00, -9.000000e+00]>" in text
    n = MAX_FOLD_ELEMENTS + 1
    big = (f'%x = "irax.constant"() {{value = dense<2.0> : tensor<{n}xf32>}} : () -> tensor<{n}xf32>\n'
           f'%0 = "irax.sqrt"(%x) : (tensor<{n}xf32>) -> tensor<{n}xf32>\n'
           f'return %0 : tensor<{n}xf32>')
    m, _ = simplified(func("", big, f"tensor<{n}xf32>"))
    assert body_ops(m) == ["irax.constant", "irax.sqrt", "func.return"]


# ---------------------------------------------------------------------------
# Folded values == compiled values
# ---------------------------------------------------------------------------

def _folded(fun, args):
    """`fun(*args)` with the args as constants, simplified: the returned constants."""
    ir_text = irax.make_ir(lambda: fun(*[jnp.asarray(a) for a in args]))()
    from irax.lowering.pipeline import clone_module
    m = clone_module(ir_text.module)
    with get_context():
        simplify(m)
        f = m.body.operations[0]
        ret = list(f.regions[0].blocks[0].operations)[-1]
        out = []
        for v in ret.operands:
            owner = v.owner
            op = getattr(owner, "operation", owner)
            assert op.name == "irax.constant", f"not folded: {op.name}"
            out.append(attrs_of(op)["value"])
    return out


FOLD_CASES = {
    "int": (
        lambda a, b: [lax.div(a, b), lax.rem(a, b), lax.add(a, b), lax.mul(a, b),
                      lax.max(a, b), lax.shift_left(a, b), lax.shift_right_logical(a, b),
                      lax.shift_right_arithmetic(a, b), lax.pow(a, lax.abs(b)), lax.lt(a, b),
                      lax.population_count(a), lax.bitwise_not(a), lax.sign(a),
                      lax.integer_pow(a, 3), lax.convert_element_type(a, "float32"),
                      lax.convert_element_type(a, "bool"), lax.select(lax.ge(a, b), a, b),
                      lax.clamp(np.int32(-3), a, np.int32(5))],
        (np.array([7, -7, 7, -7, 5, -2**31, -2**31, 2**31 - 1, 1, -1, 0, 3], np.int32),
         np.array([2, 2, -2, -2, 0, -1, 2, 31, 32, -5, 3, 40], np.int32))),
    "float": (
        # (transcendental functions, float pow and rem are not folded: see test_folds.py)
        lambda a, b: [lax.div(a, b), lax.max(a, b), lax.min(a, b),
                      lax.ne(a, b), lax.round(a), lax.floor(a), lax.sign(a),
                      lax.convert_element_type(a, "int32"), lax.convert_element_type(a, "int8"),
                      lax.convert_element_type(a, "bool"), lax.sqrt(lax.abs(a)),
                      lax.integer_pow(a, -2), lax.is_finite(a)],
        (np.array([2.5, -2.5, -7.5, 0.5, 3e9, -3e9, np.nan, 1.5, -0.0, np.inf, 4.0, -8.0],
                  np.float32),
         np.array([2.0, 2.0, 2.0, -1.5, 1.0, 1.0, 1.0, np.nan, 3.0, 2.0, 0.5, 3.0], np.float32))),
}


@pytest.mark.parametrize("case", list(FOLD_CASES))
def test_constant_folding_matches_compiled_lowering(case):
    fun, args = FOLD_CASES[case]
    folded = _folded(fun, args)
    compiled = irax.jit(fun)(*args)
    assert len(folded) == len(compiled)
    for i, (f, c) in enumerate(zip(folded, compiled)):
        c = np.asarray(c)
        assert f.dtype == c.dtype, (i, f.dtype, c.dtype)
        if f.dtype.kind == "f":
            np.testing.assert_allclose(f, c, rtol=2e-6, atol=1e-30, equal_nan=True,
                                       err_msg=f"output {i}")
        else:
            np.testing.assert_array_equal(f, c, err_msg=f"output {i}")
