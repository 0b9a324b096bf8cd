"""Robustness: damaged cache entries, damaged saved modules, unusable temp dirs and
malformed settings give a correct result or a clear Python error, never a crash."""
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import irax
import irax.numpy as jnp
from irax.lowering import cache, compiler

TWO = """func.func @f(%a: tensor<3xf32>) -> tensor<3xf32> {{
  %c = arith.constant dense<{c}> : tensor<3xf32>
  %0 = arith.addf %a, %c : tensor<3xf32>
  return %0 : tensor<3xf32>
}}"""


def run_f(vmfb):
    from irax.lowering.runtime import get_backend
    b = get_backend("cpu")
    (out,) = b.load(vmfb, "f")([b.put(np.zeros(3, np.float32), "float32")], 1)
    return b.get(out, (3,), "float32")


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    d = tmp_path / "cache"
    monkeypatch.setenv("IRAX_CACHE_DIR", str(d))
    return d


def _compile_fresh(text):
    compiler._memory.pop((text, tuple(compiler.target_flags("llvm-cpu"))), None)
    return compiler.compile_mlir(text)


def test_cache_entry_holding_another_programs_module_is_not_used(cache_dir):
    a, b = TWO.format(c=1.0), TWO.format(c=2.0)
    _compile_fresh(a), _compile_fresh(b)
    flags = tuple(compiler.target_flags("llvm-cpu"))
    pa, pb = (cache_dir / f"{cache.key(t, flags)}.vmfb" for t in (a, b))
    pa.write_bytes(pb.read_bytes())  # a's entry now holds b's (valid) module
    np.testing.assert_array_equal(run_f(_compile_fresh(a)), [1.0, 1.0, 1.0])
    np.testing.assert_array_equal(run_f(_compile_fresh(b)), [2.0, 2.0, 2.0])
    assert cache.get(*cache.entry_key(a, flags)) is not None  # rewritten with a's module


def test_cache_entry_that_is_not_a_module_is_recompiled(cache_dir):
    text = TWO.format(c=3.0)
    flags = tuple(compiler.target_flags("llvm-cpu"))
    digest, material = cache.entry_key(text, flags)
    cache.put(digest, b"not a module at all" * 10, material)  # intact checksum, bad payload
    calls = []
    real = compiler._compile
    compiler._compile = lambda *a: calls.append(1) or real(*a)
    try:
        vmfb = _compile_fresh(text)
        np.testing.assert_array_equal(run_f(vmfb), [3.0, 3.0, 3.0])
        assert calls == [1] and cache.get(digest, material) == vmfb
        _compile_fresh(text)
        assert calls == [1]  # the good module is reused from now on
    finally:
        compiler._compile = real


@pytest.mark.parametrize("value", ["abc", "-5", "nan", "1e"])
def test_bad_cache_size_setting_is_ignored_with_a_warning(cache_dir, monkeypatch, value):
    monkeypatch.setenv("IRAX_CACHE_MAX_MB", value)
    cache._warned.clear()
    with pytest.warns(RuntimeWarning, match=f"ignoring IRAX_CACHE_MAX_MB='{value}'"):
        assert cache.max_bytes() == 1024 << 20
    monkeypatch.setenv("IRAX_CACHE_MAX_MB", "0.5")
    assert cache.max_bytes() == 1 << 19


def _run_with_setting(tmp_path, expr, **setting):
    """Print `expr` in a fresh process with the env `setting`; (stdout, stderr)."""
    code = f"import numpy as np, irax, irax.numpy as jnp\nprint(np.asarray({expr}))"
    env = dict(os.environ, IRAX_CACHE_DIR=str(tmp_path / "c"), **setting)
    r = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                       timeout=300)
    assert r.returncode == 0, r.stderr
    return r.stdout, r.stderr


def test_bad_cache_size_setting_does_not_break_compiles(tmp_path):
    out, err = _run_with_setting(tmp_path, "irax.jit(lambda x: x * 3.0 + 1.0)(np.ones(2, np.float32))",
                                 IRAX_CACHE_MAX_MB="abc")
    assert "[4. 4.]" in out and "ignoring IRAX_CACHE_MAX_MB='abc'" in err


def test_bad_cpu_driver_setting_is_ignored_with_a_warning(tmp_path):
    out, err = _run_with_setting(tmp_path, "jnp.ones(2) + 2.0", IRAX_CPU_DRIVER="bogus")
    assert "[3. 3.]" in out and "ignoring IRAX_CPU_DRIVER='bogus'" in err


TMP_CHILD = textwrap.dedent("""
    import os, sys, warnings
    import numpy as np, irax, irax.numpy as jnp
    for i, bad in enumerate(sys.argv[1:]):
        os.environ["TMPDIR"] = bad
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            out = np.asarray(irax.jit(lambda x: jnp.sin(x) * i)(np.arange(3, dtype=np.float32)))
        np.testing.assert_allclose(out, np.sin(np.arange(3)) * i, rtol=1e-6)
        msg = " ".join(str(x.message) for x in w)
        assert f"temporary directory TMPDIR={bad!r}" in msg and "TMPDIR is set to" in msg, msg
        print("ok", bad, flush=True)
""")


def test_unusable_tmpdir_falls_back_with_a_warning(tmp_path):
    # IREE's compiler segfaults when its TMPDIR is missing, not a directory or read-only.
    # /proc refuses new files even for root: it stands in for a read-only file system.
    (tmp_path / "file").write_text("x")
    bad = [str(tmp_path / "gone"), str(tmp_path / "file"), "/proc"]
    env = dict(os.environ, IRAX_CACHE_DIR="off")
    r = subprocess.run([sys.executable, "-c", TMP_CHILD, *bad], env=env, capture_output=True,
                       text=True, timeout=300)
    assert r.returncode == 0, (r.returncode, r.stdout, r.stderr[-2000:])
    assert r.stdout.split() == [w for d in bad for w in ("ok", d)]


def test_full_tmpdir_is_detected_and_no_fallback_raises(tmp_path, monkeypatch):
    real = os.statvfs

    class Full:
        f_bavail, f_frsize = 10, 4096

    monkeypatch.setattr(os, "statvfs", lambda d: Full() if str(d) == str(tmp_path) else real(d))
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    with pytest.warns(RuntimeWarning, match=r"is full \(0 MiB free\)"):
        fallback = compiler.usable_tmpdir()
    assert fallback != str(tmp_path) and os.environ["TMPDIR"] == fallback
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr(compiler, "_tmp_problem", lambda d: "is full (0 MiB free)")
    with pytest.raises(compiler.IraxCompileError, match="needs a temporary directory"):
        compiler.usable_tmpdir()


# ------------------------------------------------------------------ saved modules

FLIPS = textwrap.dedent("""
    import sys
    import numpy as np
    import irax.deploy as deploy
    path, n = sys.argv[1], int(sys.argv[2])
    blob = open(path, "rb").read()
    x = np.arange(4, dtype=np.float32)
    want = deploy.load(path)(x)
    bits = len(blob) * 8
    for i in range(n):
        bit = (i * bits) // n + i % 8          # spread over the file, every bit position
        bad = bytearray(blob)
        bad[bit // 8] ^= 1 << (bit % 8)
        open(path + ".bad", "wb").write(bad)
        print("flip", bit, flush=True)
        try:
            got = deploy.load(path + ".bad")(x)
        except deploy.CorruptModuleError as e:
            assert str(e).startswith(path + ".bad: "), e
            continue
        raise SystemExit(f"flip of bit {bit} went undetected (result {got}, want {want})")
    for cut in (1, 48, 49, len(blob) // 2, len(blob) - 10):
        open(path + ".bad", "wb").write(blob[:-cut])
        try:
            deploy.load(path + ".bad")
        except deploy.CorruptModuleError:
            continue
        raise SystemExit(f"truncation by {cut} bytes went undetected")
    print("ok")
""")


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    d = tmp_path_factory.mktemp("saved")
    e = irax.export(lambda x: jnp.sin(x) * 2.0 + x, np.zeros(4, np.float32), name="f")
    return e, e.save(str(d / "f.vmfb"))


def test_every_bit_flip_of_a_saved_module_raises_a_clear_error(saved):
    _, path = saved
    r = subprocess.run([sys.executable, "-c", FLIPS, path, "64"], capture_output=True,
                       text=True, timeout=300)
    last = (r.stdout.strip().splitlines() or ["(nothing)"])[-1]
    assert r.returncode == 0, f"rc={r.returncode} after {last!r}: {r.stderr[-2000:]}"
    assert last == "ok"


def test_saved_module_still_runs_with_iree_tools_and_reads_back_bare(saved, tmp_path):
    e, path = saved
    blob = open(path, "rb").read()
    assert len(blob) == len(e.vmfb) + 48 and irax.deploy.read_module(path) != blob
    import zipfile
    assert zipfile.ZipFile(path).namelist()  # still a valid ZIP archive
    exe = os.path.join(os.path.dirname(sys.executable), "iree-run-module")
    r = subprocess.run([exe if os.path.exists(exe) else "iree-run-module", f"--module={path}",
                        *e.iree_run_module_args(), "--input=4xf32=0,1,2,3"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    want = np.sin(np.arange(4.0)) * 2 + np.arange(4.0)
    got = np.array(r.stdout.split("4xf32=")[1].split(), np.float32)
    np.testing.assert_allclose(got, want, rtol=1e-5)
    # a bare module (what iree-compile writes) still loads, unverified
    bare = tmp_path / "bare.vmfb"
    bare.write_bytes(e.vmfb)
    np.testing.assert_allclose(irax.deploy.load(str(bare))(np.arange(4, dtype=np.float32)),
                               want, rtol=1e-5)
