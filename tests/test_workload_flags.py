"""Per-workload IREE flags (lowering/compiler.py: workload_flags), chosen by benchmarks/."""
import numpy as np

from irax.lowering.compiler import compile_mlir, workload_flags
from irax.lowering.runtime import get_backend

DT = ("--iree-opt-data-tiling",)

STABLEHLO_DOT = """func.func @main(%a: tensor<3x4xf32>, %b: tensor<4x2xf32>) -> tensor<3x2xf32> {
  %0 = stablehlo.dot_general %a, %b, contracting_dims = [1] x [0] : (tensor<3x4xf32>, tensor<4x2xf32>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}"""


def test_contractions_get_data_tiling_on_cpu_only():
    mm = "%0 = linalg.matmul ins(%a, %b : tensor<2x2xf32>, tensor<2x2xf32>)"
    assert workload_flags(mm, "llvm-cpu") == DT
    assert workload_flags("%0 = linalg.batch_matmul ins(%a, %b", "llvm-cpu") == ()  # miscompiled
    assert workload_flags(mm + "\n%1 = scf.for %i = %c0 to %c4", "llvm-cpu") == ()  # crashed
    assert workload_flags(STABLEHLO_DOT, "llvm-cpu") == DT
    assert workload_flags("%0 = stablehlo.dot %a, %b", "llvm-cpu") == DT
    assert workload_flags(mm, "vulkan-spirv") == ()
    assert workload_flags("%0 = math.sin %a : f32", "llvm-cpu") == ()
    assert workload_flags("%0 = stablehlo.dot_product_like %a", "llvm-cpu") == ()


def test_flags_the_caller_gives_win():
    mm = "%0 = linalg.matmul ins(%a, %b"
    assert workload_flags(mm, "llvm-cpu", ("--iree-opt-data-tiling=false",)) == ()


def test_stablehlo_contraction_compiles_and_runs_with_data_tiling():
    vmfb = compile_mlir(STABLEHLO_DOT, "llvm-cpu", name="main",
                        flags=("--iree-input-type=stablehlo",), use_disk_cache=False)
    rng = np.random.default_rng(0)
    a = rng.standard_normal((3, 4)).astype(np.float32)
    b = rng.standard_normal((4, 2)).astype(np.float32)
    backend = get_backend("cpu")
    (out,) = backend.load(vmfb, "main")([backend.put(a, "float32"), backend.put(b, "float32")], 1)
    np.testing.assert_allclose(backend.get(out, (3, 2), "float32"), a @ b, rtol=1e-5)


def test_a_compile_that_fails_with_workload_flags_is_retried_without_them(monkeypatch):
    from irax.lowering import compiler
    real, seen = compiler._compile, []

    def picky(text, flags, target, name):
        seen.append(any(f in flags for f in DT))
        if any(f in flags for f in DT):
            raise compiler.IraxCompileError("large vector sizes (simulated)")
        return real(text, flags, target, name)

    monkeypatch.setattr(compiler, "_compile", picky)
    vmfb = compile_mlir(STABLEHLO_DOT.replace("@main", "@retried"), "llvm-cpu", name="retried",
                        flags=("--iree-input-type=stablehlo",), use_disk_cache=False)
    assert seen == [True, False] and compiler.loadable(vmfb)


def test_matmul_of_a_transposed_slice_is_right_with_data_tiling():
    """IREE 3.13's GlobalOptimization data tiling (--iree-global-opt-data-tiling)
    returned this product off by up to 3.2; irax uses the default path."""
    import irax
    import irax.numpy as jnp
    rng = np.random.default_rng(1)
    x = rng.standard_normal((5, 3)).astype(np.float32)
    q = rng.standard_normal((5, 3)).astype(np.float32)
    got = irax.jit(lambda x, q: jnp.matmul(jnp.swapaxes(x[:, 2:3], 0, 1), q))(x, q)
    np.testing.assert_allclose(np.asarray(got), x[:, 2:3].T @ q, rtol=1e-5, atol=1e-6)


def test_batched_contraction_of_a_transposed_sum_is_right():
    """IREE 3.13 data tiling miscompiled this batch_matmul (off by 17; found through
    nn.dot_product_attention): modules with batched contractions are not data-tiled."""
    import irax
    import irax.numpy as jnp
    rng = np.random.default_rng(0)
    p = rng.standard_normal((2, 3, 4)).astype(np.float32)
    v = rng.standard_normal((4, 2, 5)).astype(np.float32)
    f = lambda p, v: jnp.einsum("KTS,SKH->TKH", p + jnp.sum(p, -1, keepdims=True), v)
    want = np.einsum("KTS,SKH->TKH", p + p.sum(-1, keepdims=True), v)
    np.testing.assert_allclose(np.asarray(irax.jit(f)(p, v)), want, rtol=1e-5, atol=1e-5)
