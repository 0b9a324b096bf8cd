"""Tracing and compiling from many threads at once (JAX allows both).

The trace stack is per thread, so a thread tracing never sees another's
trace; compile caches build each key once while the other threads wait.
"""
import sys
import threading

import numpy as np

import irax
import irax.numpy as jnp
from irax import lax
from irax.lowering.once_cache import OnceCache

N_THREADS = 8


def _race(fn, n=N_THREADS):
    """Run fn(i) for i < n in n threads started together; return results or raise the first error."""
    start = threading.Barrier(n)
    results, errors = [None] * n, []

    def run(i):
        start.wait()
        try:
            results[i] = np.asarray(fn(i))
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append((i, e))

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    return results


def _loss(w, x):
    return jnp.sum(jnp.tanh(x @ w) ** 2)


def test_first_calls_of_one_jitted_function():
    f = irax.jit(lambda x: jnp.sin(x) * 2.0 + 1.0)
    out = _race(lambda i: f(jnp.full(5, float(i))))
    for i, o in enumerate(out):
        np.testing.assert_allclose(o, np.sin(np.full(5, i, np.float32)) * 2 + 1, rtol=1e-6)


def test_first_calls_of_different_jitted_functions_and_transforms():
    w = np.linspace(-1, 1, 6, dtype=np.float32).reshape(3, 2)
    x = np.linspace(-2, 2, 12, dtype=np.float32).reshape(4, 3)

    def case(i):
        kind = i % 4
        if kind == 0:
            return irax.jit(lambda v: jnp.cos(v) * i)(jnp.ones(3 + i))
        if kind == 1:
            return irax.jit(irax.grad(_loss))(w, x * i)
        if kind == 2:
            return irax.jit(irax.vmap(irax.grad(_loss), in_axes=(None, 0)))(w, np.stack([x, x * i]))
        return lax.fori_loop(0, 3, lambda k, c: lax.cond(c > 2.0, lambda c: c - 1.0,
                                                         lambda c: c + 2.0, c), float(i))

    out = _race(case)
    for i, o in enumerate(out):
        np.testing.assert_allclose(o, np.asarray(case(i)), rtol=1e-6)  # the same run alone


def test_eager_ops_and_eager_grad_race():
    def case(i):
        if i % 2:
            return jnp.exp(jnp.ones(7 + i)) + i
        return irax.grad(lambda v: jnp.sum(jnp.sin(v) ** 2) if i >= 0 else 0.0)(jnp.ones(3) * i)

    out = _race(case)
    for i, o in enumerate(out):
        want = (np.exp(np.ones(7 + i)) + i if i % 2
                else 2 * np.sin(np.ones(3) * i) * np.cos(np.ones(3) * i))
        np.testing.assert_allclose(o, want, rtol=1e-5, atol=1e-6)


def test_compiled_calls_while_another_thread_traces_a_long_function():
    f = irax.jit(lambda v: v * 3.0)
    f(jnp.ones(4))  # compiled before the race

    def long_fn(v):
        for k in range(1500):  # 3000 ops
            v = v * 1.0001 + 1e-4
        return v

    tracing = threading.Event()
    finished = []

    def tracer():
        tracing.set()
        finished.append(np.asarray(irax.make_ir(long_fn)(jnp.ones(4)).text()))

    t = threading.Thread(target=tracer)
    t.start()
    tracing.wait()
    calls = 0
    while t.is_alive() or calls < 20:
        np.testing.assert_array_equal(np.asarray(f(jnp.ones(4))), np.full(4, 3.0, np.float32))
        calls += 1
    t.join()
    assert finished and "irax.mul" in str(finished[0])


def test_once_cache_builds_each_key_once_and_retries_failures():
    cache, builds = OnceCache(), []
    gate = threading.Event()

    def build():
        builds.append(1)
        gate.wait(5)
        return len(builds)

    threads = [threading.Thread(target=lambda: cache.get_or_build("k", build)) for _ in range(8)]
    for t in threads:
        t.start()
    gate.set()
    for t in threads:
        t.join()
    assert builds == [1] and cache.get("k") == 1

    def failing():
        raise ValueError("no")

    for _ in range(2):  # a failed build is not cached
        try:
            cache.get_or_build("bad", failing)
        except ValueError:
            pass
    assert "bad" not in cache


def test_lowerings_in_different_threads_keep_their_own_settings():
    """Lowering state (the float type of f32 math's constants, the scopes of the
    blocks being batched) is per thread: with thread switches forced every
    microsecond, each thread's lowered IR is what it is alone.  (It once was a
    module-global stack, and a CI run compiled a `mulf` of f32 by f64.)"""
    cos32 = irax.make_ir(lambda v: jnp.cos(v) * 3.0)
    batched = irax.make_ir(irax.vmap(irax.grad(lambda v, c: jnp.sum(jnp.sin(v * c) ** 2)),
                                     in_axes=(0, None)))
    x32, c = np.linspace(-2, 2, 6, dtype=np.float32).reshape(2, 3), np.float32(1.5)

    def lowered(i):
        return (cos32(x32[0]) if i % 2 else batched(x32, c)).lowered()

    alone = [lowered(i) for i in range(2)]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        out = _race(lambda i: [lowered(i) for _ in range(3)])
    finally:
        sys.setswitchinterval(interval)
    for i, texts in enumerate(out):
        assert all(t == alone[i % 2] for t in texts), f"thread {i} lowered differently"
