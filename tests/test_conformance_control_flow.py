"""Control flow against JAX 0.10 (the oracle): carry permutations in
while_loop / fori_loop / scan, fori_loop's bound rules, scan's options, and a
fixed-seed sweep of small loop bodies under jit, vmap, grad and jvp.

Many cases share one compiled function, so the file stays fast."""
import random

import numpy as np
import pytest

jax = pytest.importorskip("jax")
import jax.numpy as jjnp  # noqa: E402

import irax  # noqa: E402
import irax.numpy as ijnp  # noqa: E402
from irax import lax as ilax  # noqa: E402

LIBS = {"jax": (jax, jjnp, jax.lax), "irax": (irax, ijnp, ilax)}


def assert_like_jax(got, want, rtol=2e-5, atol=1e-6):
    g, w = irax.tree_util.tree_leaves(got), jax.tree_util.tree_leaves(want)
    assert len(g) == len(w)
    for a, b in zip(g, w):
        a, b = np.asarray(a), np.asarray(b)
        assert a.shape == b.shape and a.dtype == b.dtype, (a, b)
        np.testing.assert_allclose(a, b, rtol=rtol, atol=atol)


# --------------------------------------------------------------------------
# Carry permutations: every loop body below returns its carries permuted,
# unchanged, duplicated, or set to a loop-invariant or constant value.
# --------------------------------------------------------------------------

W = 3.0  # a closed-over loop invariant


def permuted_bodies(np_):
    w = np_.asarray(W, np_.float32)
    return [
        lambda c: (c[1], c[1] + 1.),                      # swap (c[0] unread by the body)
        lambda c: (c[1], c[2], c[0] + 1.),                # rotation of 3
        lambda c: (c[0] + c[1], c[1]),                    # one carry unchanged
        lambda c: (c[0] + 1., c[0] + 1.),                 # one value in two carries
        lambda c: (c[0] + c[2], c[1], c[1]),              # unchanged and duplicated
        lambda c: (c[0] + c[1], w),                       # a closed-over invariant
        lambda c: (c[0] + c[1], 2.),                      # a constant
        lambda c: (c[1] + 1., c[0], 2.),                  # swap and constant
        lambda c: (c[0] + 1., c[2], c[1], c[1]),          # swap and duplicate
    ]


INITS = [(0., 1.), (0., 1., 2.), (0., 1.), (0., 1.), (0., 1., 5.), (0., 1.), (0., 1.),
         (0., 1., 3.), (0., 1., 2., 3.)]


def all_permuted_loops(lib):
    """One function of x running each body in a while_loop, a fori_loop and a scan."""
    _, np_, lax = LIBS[lib]
    bodies = permuted_bodies(np_)

    def f(x):
        outs = []
        for body, init in zip(bodies, INITS):
            init = tuple(x + v for v in init)
            outs.append(lax.while_loop(lambda c: c[0] < 10. + x, body, init))
            outs.append(lax.fori_loop(0, 4, lambda i, c: body(c), init))
            outs.append(lax.scan(lambda c, xi: (body(tuple(v * xi for v in c)), c[0]),
                                 init, np_.array([1., 0.5, 2.]))[0])
        return outs
    return f


@pytest.mark.parametrize("mode", ["jit", "vmap"])
def test_carry_permutations(mode):
    fj, fi = all_permuted_loops("jax"), all_permuted_loops("irax")
    if mode == "jit":
        x = np.float32(0.25)
        assert_like_jax(irax.jit(fi)(x), jax.jit(fj)(x))
    else:
        x = np.array([0.25, 1.5], np.float32)  # every loop here ends for x >= 0
        assert_like_jax(irax.jit(irax.vmap(fi))(x), jax.vmap(fj)(x))


def test_carry_permutations_eager():
    # The reported case, run op by op (no enclosing jit).
    cond, body = (lambda c: c[0] < 10.), (lambda c: (c[1], c[1] + 1.))
    assert_like_jax(ilax.while_loop(cond, body, (0., 1.)), jax.lax.while_loop(cond, body, (0., 1.)))
    body = lambda i, c: (c[0] + 1., c[2], c[1], c[1])  # noqa: E731
    assert_like_jax(ilax.fori_loop(0, 3, body, (0., 1., 2., 3.)),
                    jax.lax.fori_loop(0, 3, body, (0., 1., 2., 3.)))


def test_loop_sharing_its_init_value():
    # Two carries start from one constant (one SSA value after CSE), under traced bounds.
    def f(lax, h):
        return lax.fori_loop(0., h, lambda i, c: c + i, 0.), \
            lax.while_loop(lambda c: c[0] < h, lambda c: (c[0] + 1., c[1] + c[0]), (0., 0.))
    assert_like_jax(irax.jit(lambda h: f(ilax, h))(2.5), jax.jit(lambda h: f(jax.lax, h))(2.5))


# --------------------------------------------------------------------------
# fori_loop bounds
# --------------------------------------------------------------------------

@pytest.mark.parametrize("lo,hi", [(0, 2.5), (0, True), (False, 3), (np.int8(0), np.int32(3)),
                                   (0, np.float32(3))])
def test_fori_loop_mismatched_bounds(lo, hi):
    with pytest.raises(TypeError) as want:
        jax.lax.fori_loop(lo, hi, lambda i, c: c + 1., 0.)
    with pytest.raises(TypeError, match="lower and upper arguments to fori_loop must have equal "
                                        "types") as got:
        ilax.fori_loop(lo, hi, lambda i, c: c + 1., 0.)
    assert str(want.value) in str(got.value)
    assert "test_conformance_control_flow.py" in str(got.value)


def test_fori_loop_bounds_like_jax():
    def f(lax, np_, h):
        body = lambda i, c: c * 2. + i  # noqa: E731
        return [lax.fori_loop(0., 2.5, body, 1.),              # int(2.5) - int(0.) = 2 steps
                lax.fori_loop(np.int16(1), 4, body, 1.),       # weak int meets int16
                lax.fori_loop(0, np.int64(3), body, 1.),
                lax.fori_loop(np_.asarray(2), np_.asarray(5), body, 1.),
                lax.fori_loop(0, 5, body, 1., unroll=2),
                lax.fori_loop(0., h, body, 1.),                # traced float bounds: a while loop
                lax.fori_loop(0, 3, lambda i, c: c + i, np.int8(1))]  # the index is weakly typed
    assert_like_jax(irax.jit(lambda h: f(ilax, ijnp, h))(np.float32(2.5)),
                    jax.jit(lambda h: f(jax.lax, jjnp, h))(np.float32(2.5)))
    with pytest.raises(ValueError, match="unroll"):
        irax.jit(lambda n: ilax.fori_loop(0, n, lambda i, c: c + 1., 0., unroll=2))(3)
    with pytest.raises(TypeError, match="body_fun"):
        ilax.fori_loop(0, 3, None, 0.)


# --------------------------------------------------------------------------
# scan options
# --------------------------------------------------------------------------

def test_scan_options_like_jax():
    def f(lax, np_, xs):
        step = lambda c, x: (c * 0.5 + x, c * x)  # noqa: E731
        return [lax.scan(step, 1., xs, unroll=u) for u in (0, 1, 2, 3, True, False)] + [
            lax.scan(step, 1., xs, reverse=True, unroll=2),
            lax.scan(lambda c, _: (c + 1., c * 2.), 0.5, None, length=4),
            lax.scan(lambda c, _: (c + 1., None), 0.5, None, length=0),
            lax.scan(lambda c, x: (c + x[0], x[1]), 0., (xs, xs * 2.), reverse=True)]
    xs = np.array([1., -2., 0.5, 3.], np.float32)
    assert_like_jax(irax.jit(lambda xs: f(ilax, ijnp, xs))(xs),
                    jax.jit(lambda xs: f(jax.lax, jjnp, xs))(xs))
    with pytest.raises(ValueError, match="unroll"):
        ilax.scan(lambda c, x: (c, x), 0., xs, unroll=-1)
    with pytest.raises(TypeError, match="unroll"):
        ilax.scan(lambda c, x: (c, x), 0., xs, unroll=1.5)


# --------------------------------------------------------------------------
# Reported compositions
# --------------------------------------------------------------------------

def test_reported_compositions():
    def f(T, np_, lax, x):
        g = T.grad(lambda x: lax.fori_loop(0, 3, lambda i, c: np_.tanh(np_.arctan(np_.abs(c))),
                                           x).sum())(x)
        v = T.vmap(lambda x: lax.fori_loop(0, 3, lambda i, c: np_.clip(c * 2., -1., 1.), x))(x)
        h = T.hessian(lambda x: lax.cond(x[0] > 0, np_.sin, np_.cos, x).sum())(x)
        hw = T.jacfwd(T.jacfwd(lambda x: lax.while_loop(
            lambda c: c[0] < 3, lambda c: (c[0] + 1, np_.sin(c[1]) * x), (0, x))[1].sum()))(x)
        hs = T.hessian(lambda x: lax.scan(lambda c, xi: (c * xi + np_.sin(c), c), x,
                                          np_.stack([x, x * 2.]))[1].sum())(x)
        return g, v, h, hw, hs
    x = np.array([0.5, -1.25, 2.0], np.float32)
    assert_like_jax(irax.jit(lambda x: f(irax, ijnp, ilax, x))(x),
                    jax.jit(lambda x: f(jax, jjnp, jax.lax, x))(x), rtol=1e-4, atol=1e-5)


# --------------------------------------------------------------------------
# A fixed-seed sweep of small bodies: elementwise ops, clip, where, abs, dot,
# carries of mixed shapes (0-d, size 1, size 3).
# --------------------------------------------------------------------------

UNARY = ["sin", "tanh", "abs", "clip", "where", "arctan", "square"]
SHAPES = [(), (1,), (3,)]


def _unary(np_, name, x):
    if name == "clip":
        return np_.clip(x, -0.8, 0.9)
    if name == "where":
        return np_.where(x > 0.1, x, -0.5 * x)
    if name == "square":
        return x * x * 0.5
    return getattr(np_, name)(x)


def _random_case(rng):
    n = rng.randint(1, 3)
    shapes = [rng.choice(SHAPES) for _ in range(n)]
    spec = [(rng.choice(UNARY), rng.randrange(n), rng.choice(["sum", "dot", "none"]),
             rng.randrange(n)) for _ in range(n)]
    return shapes, spec


def _body(np_, spec):
    def body(c):
        out = []
        for i, (u, j, how, src) in enumerate(spec):
            y = _unary(np_, u, c[src] if c[src].shape == c[i].shape else c[i])
            if how == "sum":
                y = y + 0.3 * np_.sum(np_.sin(c[j]))
            elif how == "dot" and c[j].ndim == 1:
                y = y * (0.5 + 0.1 * np_.dot(c[j], c[j]))
            out.append(y)
        return tuple(out)
    return body


def _sweep_program(lib, spec, differentiable):
    """All loop kinds on one body, as one function of the carries."""
    _, np_, lax = LIBS[lib]
    body = _body(np_, spec)

    def f(*c):
        outs = [lax.fori_loop(0, 3, lambda i, c: body(c), c),
                lax.scan(lambda c, x: (body(tuple(v * x for v in c)), c[0]), c,
                         np_.array([1., 0.9, 1.1])),
                lax.scan(lambda c, x: (body(tuple(v + x for v in c)), np_.sum(c[-1])), c,
                         np_.array([0.1, -0.2, 0.3]), reverse=True),
                lax.scan(lambda c, _: (body(c), None), c, None, length=2, unroll=2)[0],
                lax.cond(np_.sum(c[0]) > 0, body, lambda c: tuple(np_.cos(v) for v in c), c),
                lax.switch((np_.sum(c[0]) > 0).astype(np_.int32) + 1,
                           [lambda c: tuple(-v for v in c), body, lambda c: body(body(c))], c)]
        if not differentiable:
            outs.append(lax.while_loop(lambda s: s[0] < 3, lambda s: (s[0] + 1,) + body(s[1:]),
                                       (0,) + c)[1:])
            outs.append(lax.fori_loop(0, np_.asarray(3), lambda i, c: body(c), c))
        return outs
    return f


def _total(lib, f):
    tl = jax.tree_util if lib == "jax" else irax.tree_util
    _, np_, _ = LIBS[lib]
    return lambda *c: sum(np_.sum(v * (k + 1)) for k, v in enumerate(tl.tree_leaves(f(*c))))


def _run_sweep(lib, spec, mode, args):
    T, _, _ = LIBS[lib]
    f = _sweep_program(lib, spec, mode in ("grad", "jit_vmap_grad"))
    batched = [np.stack([a, a * 0.7 - 0.2]) for a in args]
    grad = lambda: T.grad(_total(lib, f), argnums=tuple(range(len(args))))  # noqa: E731
    if mode == "jit":
        return T.jit(f)(*args)
    if mode == "vmap":
        return T.jit(T.vmap(f))(*batched)
    if mode == "jvp":
        return T.jit(lambda *a: T.jvp(f, a, tuple(v * 0. + 0.5 for v in a)))(*args)
    if mode == "grad":
        return T.jit(grad())(*args)
    return T.jit(T.vmap(grad()))(*batched)


@pytest.mark.parametrize("seed", [0])
@pytest.mark.parametrize("mode", ["jit", "vmap", "jvp", "grad", "jit_vmap_grad"])
def test_random_bodies(seed, mode):
    shapes, spec = _random_case(random.Random(seed))
    args = [np.asarray(np.linspace(-0.7, 0.9, int(np.prod(s))).reshape(s) + 0.1 * seed,
                       np.float32) for s in shapes]
    assert_like_jax(_run_sweep("irax", spec, mode, args), _run_sweep("jax", spec, mode, args),
                    rtol=2e-4, atol=2e-5)
