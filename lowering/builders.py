"""Small builders for the linalg/tensor/arith IR the lowering emits."""
from __future__ import annotations

from iree.compiler import ir
from iree.compiler.dialects import arith, linalg, tensor

from irax.dialects.types import Aval, ELEMENT_TYPES, is_complex, is_float

from . import complex_math

PARALLEL = "parallel"
REDUCTION = "reduction"


def signless_element(dtype: str) -> ir.Type:
    """Element type after lowering: arith works on signless integers only."""
    name = ELEMENT_TYPES[dtype]
    return ir.Type.parse(name[1:] if name.startswith("ui") else name)


def lowered_type(aval: Aval) -> ir.RankedTensorType:
    return ir.RankedTensorType.get(list(aval.shape), signless_element(aval.dtype))


def index_const(i: int) -> ir.Value:
    return arith.constant(ir.IndexType.get(), int(i))


def scalar_const(dtype: str, x) -> ir.Value:
    et = signless_element(dtype)
    if is_complex(dtype):
        return complex_math.const(dtype, x)
    if is_float(dtype):
        return arith.constant(et, ir.FloatAttr.get(et, float(x)))
    if dtype == "bool":
        return arith.constant(et, ir.IntegerAttr.get(et, int(bool(x))))
    bits = ir.IntegerType(et).width
    x = int(x)
    if x >= 1 << (bits - 1):
        x -= 1 << bits
    return arith.constant(et, ir.IntegerAttr.get(et, x))


def empty(aval: Aval) -> ir.Value:
    return tensor.empty(list(aval.shape), signless_element(aval.dtype))


def filled(aval: Aval, x) -> ir.Value:
    """A tensor of `aval` filled with the scalar constant `x`."""
    return linalg.fill(scalar_const(aval.dtype, x), outs=[empty(aval)])


def affine_map(ndims: int, exprs) -> ir.AffineMap:
    """`exprs`: an int i means dim i; ('c', k) means the constant k."""
    out = []
    for e in exprs:
        if isinstance(e, tuple):
            out.append(ir.AffineConstantExpr.get(e[1]))
        else:
            out.append(ir.AffineDimExpr.get(e))
    return ir.AffineMap.get(ndims, 0, out)


def identity_map(ndims: int) -> ir.AffineMap:
    return ir.AffineMap.get_identity(ndims)


def generic(inputs, input_maps, outputs, output_maps, iterators, body):
    """Build a linalg.generic; `body(*scalars)` returns one scalar per output.

    `outputs` are init tensors (their types are the result types).
    """
    ndims = len(iterators)
    maps = ir.ArrayAttr.get([ir.AffineMapAttr.get(m) for m in list(input_maps) + list(output_maps)])
    iters = ir.ArrayAttr.get([ir.Attribute.parse(f"#linalg.iterator_type<{it}>") for it in iterators])
    op = linalg.GenericOp([o.type for o in outputs], list(inputs), list(outputs), maps, iters)
    elem_types = [ir.RankedTensorType(v.type).element_type for v in list(inputs) + list(outputs)]
    block = op.regions[0].blocks.append(*elem_types)
    with ir.InsertionPoint(block):
        res = body(*block.arguments)
        if not isinstance(res, (list, tuple)):
            res = [res]
        linalg.YieldOp(list(res))
    del ndims
    return list(op.results)


def loop_index(dim: int) -> ir.Value:
    """`linalg.index` inside a generic body."""
    return ir.Operation.create(
        "linalg.index", results=[ir.IndexType.get()],
        attributes={"dim": ir.IntegerAttr.get(ir.IntegerType.get_signless(64), dim)}).result


def elementwise(inputs, in_avals, out_aval, body):
    """Elementwise generic over `out_aval`'s shape (inputs have that shape)."""
    n = len(out_aval.shape)
    ident = identity_map(n)
    return generic(inputs, [ident] * len(inputs), [empty(out_aval)], [ident], [PARALLEL] * n, body)[0]
