"""The in-process compiler's failures and the persistent compile cache."""
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from irax.lowering import cache, compiler
from irax.lowering.runtime import get_backend

ADD = """func.func @add(%a: tensor<3xf32>, %b: tensor<3xf32>) -> tensor<3xf32> {{
  %c = arith.constant dense<{c}> : tensor<3xf32>
  %0 = arith.addf %a, %b : tensor<3xf32>
  %1 = arith.addf %0, %c : tensor<3xf32>
  return %1 : tensor<3xf32>
}}"""


def run_add(vmfb, c):
    b = get_backend("cpu")
    exe = b.load(vmfb, "add")
    x = np.array([1, 2, 3], np.float32)
    (out,) = exe([b.put(x, "float32"), b.put(x, "float32")], 1)
    np.testing.assert_allclose(b.get(out, (3,), "float32"), 2 * x + c)


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    d = tmp_path / "cache"
    monkeypatch.setenv("IRAX_CACHE_DIR", str(d))
    return d


def test_compile_error_names_function_and_ir_path():
    bad = ("func.func @f(%a: tensor<4xf32>) -> tensor<4xf32> {\n"
           "  %0 = arith.addf %a, %a : tensor<5xf32>\n  return %0 : tensor<4xf32>\n}")
    with pytest.raises(compiler.IraxCompileError) as e:
        compiler.compile_mlir(bad, name="my_function", use_disk_cache=False)
    msg = str(e.value)
    assert "IREE failed to compile function 'my_function' for llvm-cpu" in msg
    path = msg.split("the IR was written to ")[1].splitlines()[0]
    assert open(path).read() == bad
    assert f"{path}:2:" in msg and "expects different type" in msg
    os.remove(path)


def test_unknown_target():
    with pytest.raises(ValueError, match="unknown compile target 'metal'; known targets: "
                                         "llvm-cpu, vulkan-spirv, cuda"):
        compiler.compile_mlir(ADD.format(c=0), target="metal")


def test_key_depends_on_text_flags_and_target(cache_dir):
    t = ADD.format(c=1)
    keys = {cache.key(t, ("--a",)), cache.key(t, ("--b",)), cache.key(t + " ", ("--a",))}
    assert len(keys) == 3 and cache.key(t, ("--a",)) == cache.key(t, ("--a",))


def test_disabled(monkeypatch):
    monkeypatch.setenv("IRAX_CACHE_DIR", "off")
    assert cache.cache_dir() is None and cache.key("x", ()) is None


def test_default_location(monkeypatch, tmp_path):
    monkeypatch.delenv("IRAX_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache.cache_dir() == str(tmp_path / "irax")


def test_entry_round_trip_and_corruption_detected(cache_dir):
    text = ADD.format(c=2.5)
    vmfb = compiler.compile_mlir(text, use_disk_cache=False)
    k = cache.key(text, tuple(compiler.target_flags("llvm-cpu")))
    cache.put(k, vmfb)
    path = cache_dir / f"{k}.vmfb"
    assert cache.get(k) == vmfb
    for damage in (lambda b: b[: len(b) // 2],                       # truncated
                   lambda b: b[:-100] + bytes([b[-100] ^ 1]) + b[-99:],  # one bit flipped
                   lambda b: b"garbage"):
        cache.put(k, vmfb)
        path.write_bytes(damage(path.read_bytes()))
        assert cache.get(k) is None and not path.exists()
    # compile_mlir recompiles a damaged entry and writes a good one back
    cache.put(k, vmfb)
    path.write_bytes(path.read_bytes()[:-1])
    compiler._memory.pop((text, tuple(compiler.target_flags("llvm-cpu"))), None)
    again = compiler.compile_mlir(text)
    run_add(again, 2.5)
    assert cache.get(k) == again


def test_lru_eviction(cache_dir):
    payload = os.urandom(1000)
    for i in range(5):
        cache.put(f"k{i}", payload)
        os.utime(cache_dir / f"k{i}.vmfb", (1000 + i, 1000 + i))
    assert cache.get("k0") == payload  # k0 is now the most recently used
    cache.evict(3 * 1100)
    left = sorted(p.name for p in cache_dir.iterdir())
    assert left == ["k0.vmfb", "k3.vmfb", "k4.vmfb"]


def test_size_bound_applies_on_put(cache_dir, monkeypatch):
    monkeypatch.setenv("IRAX_CACHE_MAX_MB", str(2500 / (1 << 20)))
    for i in range(4):
        cache.put(f"e{i}", os.urandom(1000))
        os.utime(cache_dir / f"e{i}.vmfb", (1000 + i, 1000 + i))
    assert sorted(p.name for p in cache_dir.iterdir()) == ["e2.vmfb", "e3.vmfb"]


COMPILE_IN_CHILD = textwrap.dedent("""
    import sys
    import numpy as np
    from irax.lowering import compiler
    calls = []
    real = compiler._compile
    compiler._compile = lambda *a: calls.append(1) or real(*a)
    import irax, irax.numpy as jnp
    f = irax.jit(lambda x: jnp.sin(x) * {c} + 1.0)
    out = np.asarray(f(np.arange(4, dtype=np.float32)))
    np.testing.assert_allclose(out, np.sin(np.arange(4)) * {c} + 1.0, rtol=1e-6)
    print(len(calls))
""")


def child(script, env_dir):
    env = dict(os.environ, IRAX_CACHE_DIR=str(env_dir))
    return subprocess.Popen([sys.executable, "-c", script], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def test_second_process_reuses_compiled_module(cache_dir):
    script = COMPILE_IN_CHILD.format(c=1.25)
    outs = []
    for _ in range(2):
        p = child(script, cache_dir)
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
        outs.append(int(out.split()[-1]))
    assert outs == [1, 0]


def test_concurrent_processes_share_one_entry(cache_dir):
    script = COMPILE_IN_CHILD.format(c=2.75)
    procs = [child(script, cache_dir) for _ in range(2)]
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
    entries = [p for p in cache_dir.iterdir()]
    assert len(entries) == 1 and entries[0].suffix == ".vmfb"
    assert cache.get(entries[0].stem) is not None


HAMMER = textwrap.dedent("""
    import sys
    from irax.lowering import cache
    payload = bytes([int(sys.argv[1])]) * 200000
    for _ in range(40):
        cache.put("shared", payload)
        got = cache.get("shared")
        assert got is None or got in (bytes([1]) * 200000, bytes([2]) * 200000), "torn read"
""")


def test_concurrent_writers_never_expose_a_torn_entry(cache_dir):
    env = dict(os.environ, IRAX_CACHE_DIR=str(cache_dir))
    procs = [subprocess.Popen([sys.executable, "-c", HAMMER, str(i)], env=env,
                              stderr=subprocess.PIPE, text=True) for i in (1, 2)]
    for p in procs:
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
    assert cache.get("shared") in (bytes([1]) * 200000, bytes([2]) * 200000)
    assert [p.name for p in cache_dir.iterdir()] == ["shared.vmfb"]  # no temp files left
