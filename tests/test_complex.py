"""complex64 / complex128 against JAX: promotion, creation, transfer, elementwise math,
data movement, reductions and contractions, derivatives (JAX's conjugation convention and
holomorphic=True), vmap, complex128 under x64, Vulkan and CUDA (compile-only).

Each group of checks is one jit (one IREE compile), compared to JAX's jit of the same
function."""
import os

import jax
import jax.numpy as J
import numpy as np
import pytest

import irax
import irax.numpy as jnp
from irax import lax
from irax.lowering.runtime import available_backends
from irax.tree_util import tree_leaves

RNG = np.random.default_rng(0)
Z = (RNG.uniform(-2, 2, 12) + 1j * RNG.uniform(-2, 2, 12)).astype(np.complex64)
W = (RNG.uniform(-2, 2, 12) + 1j * RNG.uniform(-2, 2, 12)).astype(np.complex64)
M = (RNG.normal(size=(3, 4)) + 1j * RNG.normal(size=(3, 4))).astype(np.complex64)
N = (RNG.normal(size=(4, 5)) + 1j * RNG.normal(size=(4, 5))).astype(np.complex64)
# away from branch cuts and poles, where finite differences of JAX agree with ours
ZD = (RNG.uniform(0.3, 1.5, 6) + 1j * RNG.uniform(-0.8, 0.8, 6)).astype(np.complex64)

UNARY = ["exp", "exp2", "log", "log1p", "expm1", "tanh", "sin", "cos", "tan", "arcsin", "arccos",
         "arctan", "sinh", "cosh", "arcsinh", "arccosh", "arctanh", "sqrt", "square", "reciprocal",
         "negative", "sign", "abs", "real", "imag", "conj", "angle", "isfinite",
         "isnan", "isinf", "iscomplex", "isreal"]


def assert_like_jax(got, want, rtol=2e-5, atol=2e-5):
    got, want = dict(got), dict(want)
    assert got.keys() == want.keys()
    for k in want:
        g, w = np.asarray(got[k]), np.asarray(want[k])
        assert g.dtype == w.dtype and g.shape == w.shape, (k, g.dtype, w.dtype, g.shape, w.shape)
        np.testing.assert_allclose(g, w, rtol=rtol, atol=atol, err_msg=k)


def test_promotion_matches_jax():
    cases = [(jnp.float32, 1j), (jnp.float16, 1j), (jnp.bfloat16, 1j), (jnp.int32, 1j), (jnp.int8, 1j),
             (jnp.float32, jnp.complex64), (jnp.bool_, 1j), (1j, 2.0), (1j, 2), (jnp.uint8, jnp.complex64)]
    for a, b in cases:
        ja = getattr(J, a.__name__, a) if isinstance(a, type) else a
        jb = getattr(J, b.__name__, b) if isinstance(b, type) else b
        assert jnp.result_type(a, b) == J.result_type(ja, jb), (a, b)
    assert jnp.issubdtype(jnp.complex64, jnp.complexfloating)
    assert jnp.issubdtype(jnp.complex64, jnp.inexact) and not jnp.issubdtype(jnp.complex64, jnp.floating)
    assert jnp.csingle is np.complex64 and jnp.cdouble is np.complex128


def test_creation_and_transfer():
    host = np.array([1 + 2j, -3.5 + 0.25j], np.complex64)
    for got, want in [(jnp.array([1 + 2j, 3]), J.array([1 + 2j, 3])),
                      (jnp.zeros(3, dtype=jnp.complex64), J.zeros(3, dtype=J.complex64)),
                      (jnp.ones((2,), complex), J.ones((2,), complex)),
                      (jnp.asarray(host.astype(np.complex128)), J.asarray(host.astype(np.complex128))),
                      (lax.complex(np.float32([1, 2]), np.float32([3, -4])),
                       jax.lax.complex(np.float32([1, 2]), np.float32([3, -4])))]:
        assert got.dtype == want.dtype and got.shape == want.shape
        np.testing.assert_array_equal(np.asarray(got), np.asarray(want))
    x = jnp.asarray(host)
    back = np.asarray(x)
    assert back.dtype == np.complex64 and np.array_equal(back, host)
    assert complex(x[1]) == complex(host[1])
    assert (jnp.ones(2, jnp.float16) * 1j).dtype == np.complex64
    assert jnp.iscomplexobj(x) and not jnp.isrealobj(x) and jnp.isrealobj(np.ones(2))
    np.testing.assert_array_equal(np.asarray(x.real), host.real)
    np.testing.assert_array_equal(np.asarray(x.imag), host.imag)
    np.testing.assert_array_equal(np.asarray(x.conj()), host.conj())


def test_elementwise_math_matches_jax():
    def f(mod, lx):
        def run(z, w):
            out = {n: getattr(mod, n)(z) for n in UNARY}
            out.update(logistic=lx.logistic(z), rsqrt=lx.rsqrt(z), add=z + w, sub=z - w,
                       mul=z * w, div=z / w, pow=mod.power(z, w), eq=z == w, ne=z != z[0],
                       ipow3=z ** 3, ipowm2=z ** -2, weak=z * 2.5 + 1j, real_op=z * mod.arange(12.0),
                       cplx=lx.complex(mod.real(w), mod.imag(z)), to_f32=z.astype(mod.float32),
                       to_int=z.astype(mod.int32), to_bool=(z * (mod.arange(12) % 2)).astype(bool),
                       from_f32=mod.real(w).astype(mod.complex64), deg=mod.angle(z, deg=True),
                       int_angle=mod.angle(mod.array([1, -1, 0])))
            return out
        return run
    assert_like_jax(irax.jit(f(jnp, lax))(Z, W), jax.jit(f(J, jax.lax))(Z, W))


def test_special_values_match_jax():
    z = np.array([complex(-4, -0.0), complex(-4, 0.0), 0, complex(-0.0, 0), complex(np.inf, 1),
                  complex(1, np.inf), complex(-np.inf, 1), complex(np.nan, 1)], np.complex64)

    def f(mod):
        return lambda z: dict(sqrt=mod.sqrt(z), log=mod.log(z[:4]), abs=mod.abs(z),
                              sign=mod.sign(z[:4]), pow0=mod.power(z[2:3] * mod.array([1, 1, 1]),
                                                                   mod.array([0, 2, 1j])))
    assert_like_jax(irax.jit(f(jnp))(z), jax.jit(f(J))(z))


def test_data_movement_reductions_contractions_match_jax():
    def f(mod):
        def run(m, n):
            return dict(
                sum=mod.sum(m), sum0=mod.sum(m, axis=0), prod=mod.prod(m, axis=1), mean=mod.mean(m),
                var=mod.var(m), std=mod.std(m, axis=0), mm=m @ n, ein=mod.einsum("ij,jk->ik", m, n),
                dot=mod.dot(m[0], m[1]), vdot=mod.vdot(m[0], m[1]), T=m.T, rs=m.reshape(4, 3),
                cat=mod.concatenate([m, m], axis=0), sl=m[1:, ::2], gather=m[mod.array([2, 0])],
                set=m.at[0, 1].set(5j), add=m.at[mod.array([0, 0])].add(1j),
                where=mod.where(m.real > 0, m, 0), bcast=mod.broadcast_to(m[0], (2, 4)),
                cumsum=mod.cumsum(m, axis=1), cumprod=mod.cumprod(m, axis=1),
                sort=mod.sort_complex(mod.concatenate([m[0], m[0][::-1].real + 0j])),
                sort_int=mod.sort_complex(mod.array([3, 1, 2])), flip=mod.flip(m, 1),
                stack=mod.stack([m, m]), isclose=mod.isclose(m, m + 1e-9),
                # longer than REDUCE_BLOCK / SCAN_BLOCK: blocked (tree) sums, as for floats
                long_sum=mod.sum(mod.tile(m, (1, 40)), axis=1),
                long_cumsum=mod.cumsum(mod.tile(m[0], 40))[::37],
                long_matvec=mod.tile(m, (1, 40)) @ mod.tile(m[1], 40))
        return run
    assert_like_jax(irax.jit(f(jnp))(M, N), jax.jit(f(J))(M, N), atol=1e-5)


def test_vmap_matches_jax():
    def f(mod):
        return lambda a, b: mod.sum(a * mod.conj(b)) + mod.exp(a[0]) * mod.abs(b[1])
    got = irax.jit(irax.vmap(f(jnp)))(Z.reshape(4, 3), W.reshape(4, 3))
    want = jax.vmap(f(J))(Z.reshape(4, 3), W.reshape(4, 3))
    np.testing.assert_allclose(np.asarray(got), np.asarray(want), rtol=2e-5, atol=2e-5)


# the derivative formulas are the real ones (dialects/derivatives.py): a few stand for all
DIFF_FNS = ["exp", "log1p", "arcsinh", "reciprocal"]


def _real_losses(mod, lx):
    """Real functions of complex z, one per term, weighted so any wrong term shows."""
    def f(z):
        terms = []
        for n in DIFF_FNS:
            y = getattr(mod, n)(z)
            terms.append(mod.sum(mod.abs(y) ** 2 + mod.real(y) * 0.5 - mod.imag(y) + mod.angle(y)))
        terms.append(mod.sum(mod.abs(z)) + mod.sum(mod.real(z * mod.conj(z))))
        terms.append(mod.sum(mod.power(z, 1.5 + 0.5j)).real + mod.sum(z ** 3).imag)
        terms.append(mod.var(z) + (mod.dot(z, z) / (z[0] + 2)).real)
        terms.append(mod.abs(lx.complex(mod.real(z[0]), 2.0 * mod.imag(z[1]))))
        return sum(t * (i + 1) for i, t in enumerate(terms))
    return f


def test_grad_of_real_function_of_complex_matches_jax():
    # JAX's convention: for real f of z = x + iy, grad gives df/dx - i df/dy
    g = irax.jit(irax.grad(lambda z: jnp.abs(z) ** 2))(jnp.complex64(1 + 2j))
    assert complex(g) == pytest.approx(2 - 4j)
    got = irax.jit(irax.value_and_grad(_real_losses(jnp, lax)))(ZD)
    want = jax.jit(jax.value_and_grad(_real_losses(J, jax.lax)))(ZD)
    for a, b in zip(got, want):
        assert np.asarray(a).dtype == np.asarray(b).dtype
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-4, atol=1e-3)


def test_holomorphic_derivatives_match_jax():
    def f(mod):
        return lambda z: mod.sum(mod.sin(z) * mod.exp(z) / (z + 2) + mod.sqrt(z) * mod.log(z)
                                 + z ** 3 + mod.tanh(z) * mod.arctan(z))

    def both(grad, jacfwd, jacrev, jvp, vjp, mod):
        def run(z, t):
            cube = lambda v: v ** 3 + mod.sin(v)  # noqa: E731
            _, pull = vjp(cube, z)
            return dict(grad=grad(f(mod), holomorphic=True)(z),
                        jacfwd=jacfwd(cube, holomorphic=True)(z[:3]),
                        jacrev=jacrev(cube, holomorphic=True)(z[:3]),
                        jvp=jvp(cube, (z,), (t,))[1], vjp=pull(t)[0])
        return run
    t = W[:6]
    got = irax.jit(both(irax.grad, irax.jacfwd, irax.jacrev, irax.jvp, irax.vjp, jnp))(ZD, t)
    want = jax.jit(both(jax.grad, jax.jacfwd, jax.jacrev, jax.jvp, jax.vjp, J))(ZD, t)
    assert_like_jax(got, want, rtol=1e-4, atol=1e-4)


def test_derivative_errors_match_jax():
    z = jnp.complex64(1 + 2j)
    with pytest.raises(TypeError, match="grad requires real-valued outputs.*holomorphic=True"):
        irax.grad(lambda z: z * z)(z)
    with pytest.raises(TypeError, match="jacfwd requires real-valued inputs.*holomorphic=True"):
        irax.jacfwd(jnp.abs)(z)
    with pytest.raises(TypeError, match="holomorphic=True requires inputs with complex dtype"):
        irax.grad(lambda x: x * x, holomorphic=True)(1.0)
    with pytest.raises(TypeError, match="holomorphic=True requires outputs with complex dtype"):
        irax.grad(jnp.abs, holomorphic=True)(z)
    with pytest.raises(TypeError, match="irax.lt: complex numbers have no order"):
        jnp.less(z, z)
    with pytest.raises(TypeError, match="irax.complex: operands must be float32 or float64"):
        lax.complex(np.int32(1), np.int32(2))


@pytest.fixture
def x64():
    irax.config.update("jax_enable_x64", True)
    jax.config.update("jax_enable_x64", True)
    yield
    irax.config.update("jax_enable_x64", False)
    jax.config.update("jax_enable_x64", False)


def test_complex128_under_x64(x64):
    z = Z.astype(np.complex128)

    def f(mod):
        return lambda z: dict(dtype_of_scalar=z * 1j, exp=mod.exp(z), sqrt=mod.sqrt(z),
                              atanh=mod.arctanh(z * 0.3), abs=mod.abs(z), mm=z[:4] @ z[4:8],
                              sum=mod.sum(z), bc=mod.broadcast_to(z[0], (3,)), pow=z ** 2.5)
    got, want = irax.jit(f(jnp))(z), jax.jit(f(J))(z)
    assert_like_jax(got, want, rtol=1e-12, atol=1e-12)
    assert jnp.array([1j]).dtype == np.complex128


def _device_program(z, m):
    """The ops that needed care on a GPU target: vulkan-spirv cannot compile complex.pow,
    complex.sign, a select of complex values (complex_math.py writes them on the parts) or
    a non-splat complex constant (W here; to_linalg builds it from its parts)."""
    return (z * z / (z + 3), jnp.exp(z), jnp.sqrt(z), jnp.abs(z), jnp.sign(z),
            jnp.power(z, 0.5 + 1j), m @ m, jnp.sum(m, axis=0), jnp.conj(z),
            jnp.where(jnp.abs(z) > 1, z, 0), z * W, jnp.fft.fft(z))


@pytest.mark.skipif("vulkan" not in available_backends(),
                    reason="no Vulkan device (install mesa-vulkan-drivers for lavapipe)")
def test_runs_on_vulkan_like_cpu():
    z, m = Z, M[:, :3]
    on_vk = irax.jit(_device_program, backend="vulkan")(z, m)
    want = (z * z / (z + 3), np.exp(z), np.sqrt(z), np.abs(z), z / np.abs(z), z ** (0.5 + 1j),
            m @ m, m.sum(axis=0), np.conj(z), np.where(np.abs(z) > 1, z, 0), z * W,
            np.fft.fft(z).astype(np.complex64))
    for a, b in zip(tree_leaves(on_vk), want):
        assert a.backend.platform == "vulkan" and a.dtype == b.dtype
        np.testing.assert_allclose(np.asarray(a), b, rtol=2e-5, atol=2e-5)


@pytest.mark.skipif(not os.environ.get("IRAX_SLOW_TESTS"), reason="opt-in sweep (a CUDA compile)")
def test_compiles_for_cuda():
    import iree.runtime as rt
    from irax.lowering.compiler import compile_mlir
    ir = irax.make_ir(_device_program)(Z, M[:, :3])
    vmfb = compile_mlir(ir.lowered(), target="cuda", name=ir.entry)
    assert ir.entry in rt.VmModule.copy_buffer(rt.VmInstance(), vmfb).function_names
