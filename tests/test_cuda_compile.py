"""Every sample program compiles for CUDA (no GPU needed); it runs where there is one."""
import iree.runtime as rt
import numpy as np
import pytest

import irax
from irax.lowering.compiler import compile_mlir
from irax.lowering.deploy import read_signature
from irax.lowering.runtime import available_backends
from irax.tree_util import tree_leaves

from sample_programs import PROGRAMS

HAS_CUDA = "cuda" in available_backends()


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_compiles_for_cuda(name):
    fun, args = PROGRAMS[name]
    ir = irax.make_ir(fun)(*args)
    vmfb = compile_mlir(ir.lowered(), target="cuda", name=ir.entry)
    module = rt.VmModule.copy_buffer(rt.VmInstance(), vmfb)  # parses without a GPU
    assert ir.entry in module.function_names
    if HAS_CUDA:
        got = irax.jit(fun, backend="cuda")(*args)
        want = irax.jit(fun, backend="cpu")(*args)
        for g, w in zip(tree_leaves(got), tree_leaves(want)):
            assert g.backend.platform == "cuda"
            np.testing.assert_allclose(np.asarray(g), np.asarray(w), rtol=1e-4, atol=1e-5)


def test_export_for_cuda():
    fun, args = PROGRAMS["grad_mlp"]
    e = irax.export(fun, *args, target="cuda", name="mlp_grad")
    sig = read_signature(e.vmfb)
    assert sig["target"] == "cuda" and sig["name"] == "mlp_grad"
    assert [tuple(s["shape"]) for s in sig["outputs"]] == [(8,), (5, 8), (8, 3)]
