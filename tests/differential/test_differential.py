"""Differential tests: random irax programs against JAX under every transformation.

test_sweep checks a fixed budget of seeded programs (see README.md for the
long sweep); the other tests check the machinery itself without compiling.
"""
import io

import numpy as np
import pytest

from . import gen, harness, minimize, run

CASES, SEED, EAGER_CASES = 8, 0, 2    # sized to stay inside ~90 s on a 2-core machine running the suite with -n 2


def test_sweep():
    out = io.StringIO()
    checked, reports = run.check(CASES, SEED, eager_cases=EAGER_CASES, minimize_budget=60, out=out)
    print(out.getvalue())
    assert checked >= 4 * CASES, out.getvalue()
    assert not reports, "irax differs from JAX:\n\n" + "\n\n".join(reports)


def test_generator_is_seeded_and_valid_jax():
    for seed in range(5):
        p, q = gen.generate(seed), gen.generate(seed)
        assert p.source() == q.source() and all(np.array_equal(a, b, equal_nan=True) for a, b in zip(p.args(), q.args()))
        assert gen.complete_avals(p).avals == p.avals    # every node type-checks in JAX
    assert gen.generate(0).source() != gen.generate(1).source()


def test_generator_covers_dtypes_and_shapes():
    progs = [gen.generate(s) for s in range(40)]
    avals = [a for p in progs for a in p.avals]
    assert {d for _, d in avals} >= {"float32", "int32", "bool", "float16", "bfloat16"}
    shapes = [s for s, _ in avals]
    assert () in shapes and any(0 in s for s in shapes) and any(1 in s for s in shapes)


def _prog(op, expr, x):
    return gen.complete_avals(gen.Program([gen.Input(np.asarray(x)), gen.Node(op, expr, (0,))], [1]))


def test_compare_exact_and_tolerant():
    exact = _prog("abs", "jnp.abs({0})", np.float32([1, -2]))          # exact op: bitwise equality
    ok = ("ok", [np.float32([1, 2])])
    assert harness.compare(exact, "jit", ok, ok) is None
    assert harness.compare(exact, "jit", ("ok", [np.float32([1, np.nextafter(np.float32(2), 3)])]), ok).kind == "value"
    assert harness.compare(exact, "jit", ("ok", [np.int32([1, 2])]), ok).kind == "dtype"
    assert harness.compare(exact, "jit", ("ok", [np.float32([[1, 2]])]), ok).kind == "shape"
    smooth = _prog("sin", "jnp.sin({0})", np.float32([1, -2]))         # inexact op: a few ulps pass
    want = np.sin(np.float32([1, -2]))
    assert harness.compare(smooth, "jit", ("ok", [want * np.float32(1 + 2e-7)]), ("ok", [want])) is None
    assert harness.compare(smooth, "jit", ("ok", [want * np.float32(1.01)]), ("ok", [want])).kind == "value"
    nan = np.float32([np.nan, 1])
    assert harness.compare(smooth, "jit", ("ok", [np.float32([1, 1])]), ("ok", [nan])).kind == "value"
    assert harness.compare(smooth, "jit", ("ok", [nan]), ("ok", [nan])) is None
    err = ("error", "TypeError", "TypeError: x")
    assert harness.compare(smooth, "jit", err, err) is None                # both reject: agree
    assert harness.compare(smooth, "jit", err, ok).kind == "error"
    assert harness.compare(smooth, "jit", ("crash", "died"), ok).kind == "crash"


class FakeChecker:
    """Pretends irax differs whenever the program still contains a `cos`."""

    def differences(self, items):
        return [harness.Difference(p, t, "value", "fake") for t, p in items if "cos" in p.ops()]


def test_minimizer_shrinks_and_prints_a_runnable_snippet():
    x = np.linspace(-1, 1, 12, dtype=np.float32).reshape(3, 4)
    entries = [gen.Input(x), gen.Node("sin", "jnp.sin({0})", (0,)), gen.Node("cos", "jnp.cos({0})", (1,)),
               gen.Node("sum", "jnp.sum({0}, axis=1)", (2,)), gen.Node("exp", "jnp.exp({0})", (1,))]
    prog = gen.complete_avals(gen.Program(entries, [3, 4], seed=3))
    (report,) = minimize.minimize_all([harness.Difference(prog, "grad", "value", "fake")], FakeChecker(), budget=30)
    small = minimize.minimize(harness.Difference(prog, "grad", "value", "fake"), FakeChecker(), deadline=1e18)
    assert small.prog.ops() == ["cos"] and small.prog.args()[0].size == 1
    scope = {}
    exec(report.split("for lib in")[0], scope)       # the snippet's data lines run as they are
    assert "def f(" in report and "lib.grad" in report


@pytest.mark.parametrize("t", harness.TRANSFORMS)
def test_snippet_runs_with_jax(t):
    """Every transformation's snippet is valid Python that runs (checked with JAX only)."""
    prog = _prog("sin", "jnp.sin({0})", np.float32([0.5, -2]))
    text = minimize.snippet(harness.Difference(prog, t, "value", "x")).replace("(irax, jax)", "(jax,)")
    exec(text, {})


def test_worker_crash_is_isolated_and_bisected():
    """A program that kills the irax process is reported as a crash; its batch-mates still get results."""
    x = gen.Input(np.float32([1, 2]))
    avals = [((2,), "float32")] * 2      # set by hand: JAX must not run these
    dies = gen.Program([x, gen.Node("abs", "__import__('os')._exit(3) or {0}", (0,))], [1], avals=avals)
    raises = gen.Program([x, gen.Node("abs", "{0} + int('x')", (0,))], [1], avals=avals)
    checker = run.Checker()
    try:
        got = checker.irax([("jit", raises), ("jit", dies)])
    finally:
        checker.close()
    assert got[0][:2] == ("error", "ValueError")
    assert got[1][0] == "crash" and "exit code 3" in got[1][1]


def test_generation_terminates_on_zero_size_reshapes():
    """Seed 10132 reshapes a zero-size value: factoring 0 looped forever."""
    for seed in range(10120, 10140):
        assert gen.generate(seed).outputs
