"""Backends, devices, placement, missing drivers and the CPU call path."""
import os
import subprocess
import sys

import numpy as np
import pytest

import irax
import irax.numpy as jnp
from irax.lowering.runtime import available_backends

HAS_CUDA = "cuda" in available_backends()


def test_devices_and_default_backend():
    assert irax.default_backend() in available_backends()
    (d,) = irax.devices()
    assert d.platform == irax.default_backend() and irax.device_count() == 1
    (cpu,) = irax.devices("cpu")
    assert repr(cpu) == "CpuDevice(id=0)" and irax.devices(cpu) == [cpu]


def test_device_put_places_pytrees():
    cpu = irax.devices("cpu")[0]
    tree = irax.device_put({"a": np.arange(3, dtype=np.int32), "b": [2.0, None]}, cpu)
    assert tree["a"].backend is cpu and tree["a"].dtype == "int32"
    assert tree["b"][0].weak_type and tree["b"][1] is None
    np.testing.assert_array_equal(tree["a"], [0, 1, 2])
    x = irax.device_put(np.ones(2, np.float64), "cpu")
    assert x.dtype == "float32"  # float64 is canonicalised as in JAX without x64
    assert irax.device_put(x, cpu) is x


def test_device_put_under_jit_is_identity_on_values():
    f = irax.jit(lambda x: irax.device_put(x) * 2)
    np.testing.assert_allclose(f(np.array([1.5], np.float32)), [3.0])


def test_unknown_backend_names():
    with pytest.raises(ValueError,
                       match="unknown backend 'tpu'; known backends: cpu, vulkan, cuda"):
        irax.devices("tpu")
    with pytest.raises(ValueError, match="pass backend= or device=, not both"):
        irax.jit(lambda x: x, backend="cpu", device=irax.devices("cpu")[0])


@pytest.mark.skipif(HAS_CUDA, reason="needs a machine without CUDA")
def test_missing_driver_lists_available_backends():
    with pytest.raises(irax.BackendUnavailableError,
                       match=r"irax backend 'cuda' \(IREE driver 'cuda'\) is not available on "
                             r"this machine: .*Available backends: cpu"):
        irax.devices("cuda")
    with pytest.raises(irax.BackendUnavailableError, match="Available backends: cpu"):
        irax.jit(lambda x: x + 1, backend="cuda")(np.ones(2, np.float32))


def run_child(code, **env):
    r = subprocess.run([sys.executable, "-c", code], env=dict(os.environ, **env),
                       capture_output=True, text=True, timeout=300)
    return r.returncode, r.stdout.strip(), r.stderr


def test_irax_platforms_env_var():
    code = "import irax; print(irax.default_backend())"
    rc, out, err = run_child(code, IRAX_PLATFORMS="bogus")
    assert rc != 0 and "unknown platform 'bogus' in IRAX_PLATFORMS='bogus'; known platforms: " \
                       "cpu, vulkan, cuda" in err
    if not HAS_CUDA:
        rc, out, err = run_child(code, IRAX_PLATFORMS="cuda,cpu")
        assert (rc, out) == (0, "cpu"), err
        rc, out, err = run_child(code, IRAX_PLATFORMS="cuda")
        assert rc != 0 and "BackendUnavailableError" in err and "Available backends: cpu" in err
    rc, out, err = run_child(code + "; import irax.numpy as jnp; print(jnp.ones(2).backend)",
                             IRAX_PLATFORMS="cpu")
    assert (rc, out.split()) == (0, ["cpu", "CpuDevice(id=0)"]), err


def test_jit_signature_cache_and_fast_path():
    f = irax.jit(lambda x, y: x * y + 1)
    a = jnp.asarray(np.array([1.0, 2.0], np.float32))
    i = jnp.asarray(np.array([3, 4], np.int32))
    for _ in range(2):  # the second round goes through the fast path
        np.testing.assert_allclose(f(a, a), [2.0, 5.0])
        r = f(i, i)
        assert r.dtype == "int32"
        np.testing.assert_array_equal(r, [10, 17])
        assert f(a, 2.0).dtype == "float32"  # Python scalar: weakly typed
        np.testing.assert_allclose(f(np.array([1.0, 2.0], np.float32), a), [2.0, 5.0])
    assert len(f._fast) == 2  # (a, a) and (i, i); mixed calls use the general path


def test_jit_pytree_outputs_through_fast_path():
    f = irax.jit(lambda x: {"s": x.sum(), "t": (x, x * 2)})
    a = jnp.arange(3.0)
    for _ in range(2):
        out = f(a)
        np.testing.assert_allclose(out["t"][1], [0.0, 2.0, 4.0])
        assert float(out["s"]) == 3.0


@pytest.mark.skipif(bool(os.environ.get("IRAX_CPU_DRIVER")), reason="CPU driver pinned")
@pytest.mark.parametrize("threshold,driver,c", [(0.0, "local-task", 0.25),
                                                 (1e9, "local-sync", 0.75)])
def test_slow_cpu_functions_move_to_the_multithreaded_driver(monkeypatch, threshold, driver, c):
    """A function whose probe calls all take longer than the threshold moves to
    local-task; the threshold is pinned, so the test does not depend on timing."""
    from irax.lowering import runtime
    if runtime.get_backend("cpu").pinned:
        pytest.skip("IRAX_CPU_DRIVER pins the driver")
    monkeypatch.setattr(runtime, "TASK_THRESHOLD_S", threshold)
    rng = np.random.default_rng(0)
    a = rng.standard_normal((64, 64)).astype(np.float32)
    mm = irax.jit(lambda a, b: a @ b + c)  # c: a program no other test has compiled
    x = jnp.asarray(a)
    results = [np.asarray(mm(x, x)) for _ in range(5)]
    (entry,) = mm._fast.values()
    assert entry.exe.current_driver == driver
    for r in results:
        np.testing.assert_allclose(r, a @ a + c, rtol=1e-4, atol=1e-3)
