"""irax.numpy.fft against jax.numpy.fft: values, dtypes and shapes (n / s, axis / axes,
every norm; power-of-two lengths take the radix-2 path, others the DFT-matrix one),
gradients through the composition, vmap, and JAX's errors."""
import jax
import jax.numpy as J
import numpy as np
import pytest

import irax
import irax.numpy as jnp

RNG = np.random.default_rng(0)
X = RNG.normal(size=(3, 40)).astype(np.float32)
C = (RNG.normal(size=(4, 32)) + 1j * RNG.normal(size=(4, 32))).astype(np.complex64)
D = (RNG.normal(size=(5, 6)) + 1j * RNG.normal(size=(5, 6))).astype(np.complex64)
E = np.tile(C, (1, 4))  # length 128: radix-2 levels down to the 16-point matrices


def _cases(F):
    def run(x, c, d, e):
        return dict(
            fft=F.fft(c), ifft=F.ifft(c, norm="ortho"), fft_n=F.fft(c, n=20),
            fft_ax0=F.fft(c, axis=0, norm="forward"), ifft_fwd=F.ifft(d, norm="forward"),
            fft_int=F.fft(np.arange(6)), fft128=F.fft(e), rfft=F.rfft(x), rfft_n=F.rfft(x, n=33),
            rfft_ortho=F.rfft(x, axis=0, norm="ortho"), irfft=F.irfft(c), irfft_n=F.irfft(c[:, :9], n=17),
            fft2=F.fft2(d), ifft2=F.ifft2(d), rfft2=F.rfft2(x.reshape(6, 20)), irfft2=F.irfft2(d),
            fftn=F.fftn(c.reshape(4, 4, 8), s=(3, 5), axes=(0, 2)), ifftn=F.ifftn(d),
            rfftn=F.rfftn(x.reshape(3, 5, 8)), irfftn=F.irfftn(d, s=(4, 7)), hfft=F.hfft(d),
            hfft_n=F.hfft(d, n=7, norm="ortho"), ihfft=F.ihfft(x), freq=F.fftfreq(7, 0.5),
            freq_even=F.fftfreq(8), rfreq=F.rfftfreq(9, 2.0), shift=F.fftshift(d),
            ishift=F.ifftshift(d, axes=1), shift_odd=F.fftshift(x[0, :7]))
    return run


def test_transforms_match_jax():
    got = irax.jit(_cases(jnp.fft))(X, C, D, E)
    want = jax.jit(_cases(J.fft))(X, C, D, E)
    assert got.keys() == want.keys()
    for k in want:
        g, w = np.asarray(got[k]), np.asarray(want[k])
        assert g.dtype == w.dtype and g.shape == w.shape, (k, g.dtype, w.dtype, g.shape, w.shape)
        np.testing.assert_allclose(g, w, rtol=1e-4, atol=2e-5 * max(1.0, np.abs(w).max()), err_msg=k)


def test_gradients_and_vmap_match_jax():
    def loss(F, S):
        return lambda x, c: (S.sum(S.abs(F.rfft(x)) ** 2) + S.sum(S.real(F.fft(c) * F.ifft(c[::-1])))
                             + S.sum(F.irfft(c, n=30) ** 3) + S.sum(F.fft2(c[:, :6], norm="ortho").imag))
    got = irax.jit(irax.grad(loss(jnp.fft, jnp), argnums=(0, 1)))(X, C)
    want = jax.jit(jax.grad(loss(J.fft, J), argnums=(0, 1)))(X, C)
    for g, w in zip(got, want):
        assert np.asarray(g).dtype == np.asarray(w).dtype
        np.testing.assert_allclose(np.asarray(g), np.asarray(w), rtol=1e-4, atol=1e-4 * np.abs(w).max())
    v = irax.jit(irax.vmap(lambda r: jnp.fft.ifft(jnp.fft.fft(r) * 2)))(C)
    np.testing.assert_allclose(np.asarray(v), 2 * C, rtol=1e-5, atol=1e-5)


def test_errors_match_jax():
    with pytest.raises(ValueError, match="Invalid norm value"):
        jnp.fft.fft(np.ones(4), norm="bad")
    with pytest.raises(ValueError, match="invalid number of data points"):
        jnp.fft.fft(np.ones(4), n=0)
    with pytest.raises(ValueError, match="only real valued inputs supported for rfft"):
        jnp.fft.rfft(np.ones(4, np.complex64))
    with pytest.raises(ValueError, match="axis 3 is out of bounds for array of dimension 1"):
        jnp.fft.fft(np.ones(4), axis=3)
