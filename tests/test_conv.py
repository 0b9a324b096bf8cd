"""lax.conv_general_dilated against JAX: layouts, 1-3 spatial dims, strides, paddings,
dilations, feature and batch groups; its gradients, batching and errors.

Each test traces its whole sweep into one jitted function (one IREE compile)."""
import os

import jax
import jax.numpy as jjnp
import numpy as np
import pytest

import irax
from irax import lax
from irax.lowering.pipeline import to_linalg_text

# (lhs shape, rhs shape, keyword arguments); shapes are in the layout the case names.
CASES = [
    ((2, 3, 7, 6), (4, 3, 3, 2), dict(window_strides=(1, 1), padding="VALID")),
    ((2, 3, 7, 6), (4, 3, 3, 2), dict(window_strides=(2, 3), padding="SAME")),
    ((2, 3, 8, 5), (4, 3, 2, 3), dict(window_strides=(2, 1), padding="SAME_LOWER")),
    ((2, 3, 7, 6), (4, 3, 3, 2), dict(window_strides=(2, 1), padding=((1, 2), (3, -1)),
                                      lhs_dilation=(1, 2), rhs_dilation=(2, 1))),
    ((1, 2, 5, 4), (3, 2, 2, 2), dict(window_strides=(1, 1), padding=((0, 0), (1, 1)),
                                      lhs_dilation=(3, 2))),
    ((2, 7, 6, 3), (3, 2, 3, 4), dict(window_strides=(1, 2), padding="SAME",
                                      dimension_numbers=("NHWC", "HWIO", "NHWC"))),
    ((7, 2, 6, 3), (4, 3, 3, 2), dict(window_strides=(1, 1), padding=((1, 0), (0, 2)),
                                      dimension_numbers=("HNWC", "OIWH", "CWNH"))),
    ((4, 6, 5, 5), (6, 2, 3, 3), dict(window_strides=(2, 1), padding="SAME",
                                      feature_group_count=3)),
    ((2, 5, 5, 4), (3, 3, 1, 8), dict(window_strides=(1, 1), padding="SAME",
                                      feature_group_count=4,
                                      dimension_numbers=("NHWC", "HWIO", "NHWC"))),
    ((4, 6, 5, 5), (4, 6, 3, 3), dict(window_strides=(1, 2), padding=((2, 0), (1, 1)),
                                      batch_group_count=2, rhs_dilation=(1, 2))),
    ((2, 9, 5), (3, 5, 2), dict(window_strides=(2,), padding=((1, 0),),
                                dimension_numbers=("NWC", "WIO", "NCW"))),
    ((2, 4, 9), (6, 2, 3), dict(window_strides=(1,), padding="SAME", feature_group_count=2,
                                rhs_dilation=(2,))),
    ((1, 2, 4, 5, 3), (2, 2, 2, 3, 2), dict(window_strides=(1, 2, 1), padding="SAME")),
    ((1, 4, 3, 5, 2), (2, 3, 1, 2, 2), dict(window_strides=(2, 1, 1), padding="VALID",
                                            dimension_numbers=("NDHWC", "DHWIO", "NCDHW"))),
    ((3, 4), (5, 4), dict(window_strides=(), padding=())),  # no spatial dims: a matmul
]
SPECS = jax.lax.ConvDimensionNumbers(lhs_spec=(0, 1, 2, 3), rhs_spec=(1, 0, 2, 3),
                                     out_spec=(0, 1, 3, 2))
CASES.append(((2, 3, 6, 5), (3, 4, 2, 3), dict(window_strides=(1, 1), padding="SAME",
                                                dimension_numbers=SPECS)))


def _operands(seed=0):
    rng = np.random.default_rng(seed)
    return [(rng.standard_normal(ls).astype(np.float32), rng.standard_normal(rs).astype(np.float32))
            for ls, rs, _ in CASES]


def _close(got, want, tol=2e-5):
    got, want = np.asarray(got), np.asarray(want)
    assert got.shape == want.shape and got.dtype == want.dtype, (got.shape, want.shape, got.dtype)
    np.testing.assert_allclose(got, want, rtol=tol, atol=tol)


def _dtype_cases(conv, f32):
    """int32 and bool (any(x & w)) convolutions, float16 (accumulated in float32) and
    float16 with preferred_element_type=float32."""
    rng = np.random.default_rng(5)
    xi, wi = rng.integers(-3, 4, (2, 3, 6)).astype(np.int32), rng.integers(-3, 4, (2, 3, 3)).astype(np.int32)
    xh, wh = rng.standard_normal((2, 3, 6)).astype(np.float16), rng.standard_normal((2, 3, 3)).astype(np.float16)
    kw = dict(window_strides=(1,), padding="SAME")
    return dict(i=conv(xi, wi, **kw), b=conv(xi > 0, wi > 0, **kw), h=conv(xh, wh, **kw),
                hp=conv(xh, wh, preferred_element_type=f32, **kw))


def test_forward_matches_jax():
    ops = _operands()

    @irax.jit
    def run(ops):
        return ([lax.conv_general_dilated(x, w, **kw) for (x, w), (_, _, kw) in zip(ops, CASES)],
                _dtype_cases(lax.conv_general_dilated, irax.numpy.float32))
    got, got_dtypes = run(ops)
    want_all = jax.jit(lambda ops: [jax.lax.conv_general_dilated(x, w, **kw)
                                    for (x, w), (_, _, kw) in zip(ops, CASES)])(ops)
    for i, (out, want, (_, _, kw)) in enumerate(zip(got, want_all, CASES)):
        try:
            _close(out, want)
        except AssertionError as e:
            raise AssertionError(f"case {i}: {kw}: {e}") from None
    want = jax.jit(lambda: _dtype_cases(jax.lax.conv_general_dilated, jjnp.float32))()
    for k in want:
        _close(got_dtypes[k], want[k], 2e-3)


def _check_gradients(picks):
    cases = [CASES[i] for i in picks]
    ops = [_operands(1)[i] for i in picks]
    rng = np.random.default_rng(2)
    cts = [rng.standard_normal(jax.eval_shape(lambda x, w: jax.lax.conv_general_dilated(
        x, w, **kw), x, w).shape).astype(np.float32) for (x, w), (_, _, kw) in zip(ops, cases)]

    def loss(conv, ops):
        return sum((conv(x, w, **kw) * ct).sum() for (x, w), (_, _, kw), ct in zip(ops, cases, cts))
    got = irax.jit(irax.grad(lambda ops: loss(lax.conv_general_dilated, ops)))(ops)
    want = jax.jit(jax.grad(lambda ops: loss(jax.lax.conv_general_dilated, ops)))(ops)
    for i, g, w_ in zip(picks, got, want):
        for part, a, b in zip(("lhs", "rhs"), g, w_):
            try:
                _close(a, b, 1e-4)
            except AssertionError as e:
                raise AssertionError(f"case {i} d{part}: {CASES[i][2]}: {e}") from None


def test_gradients_match_jax():
    """Strides with padding that leaves input unread, both dilations with negative
    padding, a layout permutation, feature groups, batch groups, 1-d and 3-d."""
    _check_gradients([1, 3, 6, 7, 9, 10, 13])


@pytest.mark.skipif(not os.environ.get("IRAX_SLOW_TESTS"), reason="opt-in sweep")
def test_gradients_match_jax_every_case():
    _check_gradients(list(range(len(CASES))))


def test_second_order_and_jvp():
    """grad of a function of the input gradient (transposes of transposes), and jvp."""
    (x, w), kw = _operands(3)[7], CASES[7][2]
    (x2, w2), kw2 = _operands(3)[9], CASES[9][2]

    def f(conv, grad, x, w, x2, w2):
        gx = grad(lambda x: (conv(x, w, **kw) ** 2).sum())(x)
        return (gx * x).sum() + (conv(x2, w2, **kw2) ** 3).sum()
    tx, tw = np.ones_like(x), np.full_like(w, 0.5)

    def both(conv, grad, jvp, x, w, x2, w2):
        return (grad(lambda *a: f(conv, grad, *a), (1, 3))(x, w, x2, w2),
                jvp(lambda x, w: conv(x, w, **kw), (x, w), (tx, tw)))
    got = irax.jit(lambda *a: both(lax.conv_general_dilated, irax.grad, irax.jvp, *a))(
        x, w, x2, w2)
    want = jax.jit(lambda *a: both(jax.lax.conv_general_dilated, jax.grad, jax.jvp, *a))(
        x, w, x2, w2)
    for a, b in zip(got[0], want[0]):
        _close(a, b, 2e-3)
    for a, b in zip(got[1], want[1]):
        _close(a, b, 1e-4)


# (case index, lhs batch axis or None, rhs batch axis or None)
VMAPS = [(0, 2, 1), (5, None, 0), (7, 0, None), (7, None, 3), (7, 1, 1), (9, 0, None),
         (9, None, 0), (9, 4, 2), (14, 1, 0)]


def test_vmap_matches_jax():
    rng = np.random.default_rng(4)
    args, axes = [], []
    for i, la, ra in VMAPS:
        ls, rs, _ = CASES[i]
        for shape, ax in ((ls, la), (rs, ra)):
            shape = list(shape)
            if ax is not None:
                shape.insert(ax, 3)
            args.append(rng.standard_normal(shape).astype(np.float32))
            axes.append(ax)

    def f(conv):
        def run(*args):
            return [conv(args[2 * j], args[2 * j + 1], **CASES[i][2])
                    for j, (i, _, _) in enumerate(VMAPS)]
        return run
    got = irax.jit(irax.vmap(f(lax.conv_general_dilated), tuple(axes)))(*args)
    want = jax.jit(jax.vmap(f(jax.lax.conv_general_dilated), tuple(axes)))(*args)
    for j, (a, b) in enumerate(zip(got, want)):
        try:
            _close(a, b)
        except AssertionError as e:
            raise AssertionError(f"vmap {VMAPS[j]}: {e}") from None


def test_lowering_uses_named_convolutions():
    """IREE's convolution codegen matches named ops: plain, depthwise and 1-d/3-d cases
    lower to them, other groups to one generic."""
    ops = _operands()
    picks = {0: "linalg.conv_2d_nhwc_hwcf", 8: "linalg.depthwise_conv_2d_nhwc_hwcm",
             11: "linalg.generic", 12: "linalg.conv_3d_ndhwc_dhwcf", 10: "linalg.conv_1d_nwc_wcf"}
    for i, name in picks.items():
        (x, w), (_, _, kw) = ops[i], CASES[i]
        text = irax.make_ir(lambda x, w: lax.conv_general_dilated(x, w, **kw))(x, w)
        linalg = to_linalg_text(text.module, text.entry)
        assert name in linalg, (i, name)


def test_errors_name_the_op_and_line():
    x, w = np.ones((1, 2, 5), np.float32), np.ones((3, 2, 3), np.float32)
    with pytest.raises(TypeError, match="same dtypes"):
        lax.conv_general_dilated(x, w.astype(np.float16), (1,), "VALID")
    with pytest.raises(ValueError, match="window_strides needs 1 entries.*test_conv.py"):
        lax.conv_general_dilated(x, w, (1, 1), "VALID")
    with pytest.raises(TypeError, match=r"feature dimension \(2\).*\(1\).*test_conv.py"):
        lax.conv_general_dilated(x, w[:, :1], (1,), "VALID")
    with pytest.raises(RuntimeError, match="Unrecognized padding type"):
        lax.conv_general_dilated(x, w, (1,), "FOO")
    with pytest.raises(TypeError, match="explicit pads"):
        lax.conv_general_dilated(x, w, (1,), ((1, 1), (1, 1)))
    with pytest.raises(TypeError, match=r"dimension_numbers\[2\] must contain"):
        lax.conv_general_dilated(x, w, (1,), "VALID", dimension_numbers=("NCW", "OIW", "NWQ"))
    with pytest.raises(ValueError, match="String padding is not implemented"):
        lax.conv_general_dilated(x, w, (1,), "SAME", lhs_dilation=(2,))
    with pytest.raises(TypeError, match="must be positive"):
        lax.conv_general_dilated(x, w, (0,), "VALID")
    with pytest.raises(TypeError, match="negative padding"):
        lax.conv_general_dilated(x, w, (1,), ((-6, 0),))


def test_dimension_numbers_pair_spatial_dims_by_letter():
    from irax.lax_windows import conv_specs
    want = jax.lax.conv_dimension_numbers((2, 3, 4, 5), (6, 7, 8, 9), ("NWHC", "OHWI", "CNHW"))
    got = conv_specs((2, 3, 4, 5), (6, 7, 8, 9), ("NWHC", "OHWI", "CNHW"))
    assert tuple(got) == tuple(tuple(s) for s in want)


def test_shape_tuples_match_jax():
    for lhs, rhs, strides, padding, dn in [((2, 3, 9, 8), (4, 3, 3, 2), (2, 1), "SAME",
                                            ("NCHW", "OIHW", "NCHW")),
                                           ((2, 9, 8, 3), (3, 2, 3, 4), (1, 3), "VALID",
                                            ("NHWC", "HWIO", "NHWC")),
                                           ((2, 5, 7), (4, 5, 2), (2,), ((1, 2),),
                                            ("NCH", "OIH", "NCH"))]:
        want = jax.lax.conv_general_shape_tuple(lhs, rhs, strides, padding, dn)
        assert lax.conv_general_shape_tuple(lhs, rhs, strides, padding, dn) == tuple(want)
    want = jax.lax.reduce_window_shape_tuple((5, 7), (2, 3), (2, 1), ((1, 0), (0, 2)), (1, 2),
                                             (2, 1))
    assert lax.reduce_window_shape_tuple((5, 7), (2, 3), (2, 1), ((1, 0), (0, 2)), (1, 2),
                                         (2, 1)) == tuple(want)
