"""IREE compile: flags per target, in-process compiler sessions, caches, readable failures.

Modules are compiled inside this process through IREE's embedding API
(`iree.compiler.api`), not by spawning `iree-compile` per call: one compiler
session (an MLIR context plus flags) is kept per (target, flags) and reused.
Results are cached in memory and on disk (`cache.py`) by (IR text, target,
flags, IREE version, host CPU); a cached module the IREE runtime cannot parse
is discarded and recompiled.  IREE's compiler crashes (SIGSEGV) when its
temporary directory is missing, read-only or full, so that is checked before
every compile (`usable_tmpdir`).

Measured on the 2-core dev machine, small module (add + sin), llvm-cpu:
`compile_str` ~385 ms, in-process ~295 ms.  The rest is IREE's own pipeline
(~270 ms even for one op, half of it codegen + linking of the dispatch), which
no flag we tried shortens; the disk cache is what makes re-runs fast.
"""
from __future__ import annotations

import ctypes
import functools
import os
import re
import tempfile
import threading
import warnings

from . import cache as disk_cache

TARGETS = ("llvm-cpu", "vulkan-spirv", "cuda")
CUDA_ARCH = os.environ.get("IRAX_CUDA_ARCH", "").strip() or "sm_80"
THREADED_IR_CHARS = 32_000

_memory: dict = {}
_sessions: dict = {}
_lock = threading.Lock()


class IraxCompileError(RuntimeError):
    """IREE failed to compile a function; the message says where its IR is."""


def check_target(target: str) -> str:
    if target not in TARGETS:
        raise ValueError(f"unknown compile target {target!r}; known targets: {', '.join(TARGETS)}")
    return target


def target_flags(target: str, cpu: str = "host") -> list[str]:
    """The flags irax always passes for `target` (`cpu`: the CPU to generate code for)."""
    check_target(target)
    # IREE demotes f64 to f32 by default, which breaks x64 mode's signatures.
    flags = [f"--iree-hal-target-backends={target}", "--iree-input-demote-f64-to-f32=false"]
    if target == "llvm-cpu":
        flags.append(f"--iree-llvmcpu-target-cpu={cpu}")
    elif target == "cuda":
        flags.append(f"--iree-cuda-target={CUDA_ARCH}")
    return flags


_CONTRACTION = re.compile(r"linalg\.(batch_)?(matmul|matvec|vecmat)\b|stablehlo\.dot(_general)?\b")
_BATCHED = re.compile(r"linalg\.batch_(matmul|matvec|vecmat)\b")
_LOOPS = re.compile(r"\bscf\.(for|while)\b|\bcf\.cond_br\b")


def workload_flags(text: str, target: str, given=()) -> tuple:
    """Flags chosen by measurement per workload (benchmarks/bench_foundation.py).

    On llvm-cpu, data tiling (packing matmul operands into the CPU's preferred
    tile layout) made every contraction we measured faster: 1024² matmul
    ~3×, MLP training steps (batch 32–256) 1.3–3× — at ~15% more compile
    time, so it is only turned on for modules that contain a contraction
    (linalg, or StableHLO handed to `compile_mlir` directly).  Flags the
    caller `given` win.
    """
    if any(f.startswith(("--iree-opt-data-tiling", "--iree-global-opt-data-tiling",
                         "--iree-dispatch-creation-data-tiling")) for f in given):
        return ()
    if (target == "llvm-cpu" and _CONTRACTION.search(text) and not _BATCHED.search(text)
            and not _LOOPS.search(text)):
        # IREE 3.13's data tiling is only used where it has been right: not for batched
        # contractions (it miscompiled a batch_matmul of a transposed sum,
        # einsum("KTS,SKH->TKH"), off by 17), not for modules with loops (it crashed
        # the process compiling a gradient through LU and expm's loops).  And not the
        # GlobalOptimization path, --iree-global-opt-data-tiling: IREE 3.13
        # miscompiled a matmul of a transposed slice with it.  The default path fails to
        # compile some programs instead, 'large vector sizes'; those compile again
        # without data tiling, see _compile_with_fallback)
        return ("--iree-opt-data-tiling",)
    return ()


def compile_mlir(text: str, target: str = "llvm-cpu", name: str = "main", flags=(),
                 use_disk_cache: bool = True, cpu: str = "host") -> bytes:
    """Compile linalg-level MLIR text to a .vmfb, cached in memory and on disk.

    `cpu`: the CPU llvm-cpu code is generated for ("host", or e.g. "x86-64-v3"
    / "generic" for a module that runs on other machines)."""
    flags = tuple(flags)
    all_flags = tuple(target_flags(target, cpu)) + workload_flags(text, target, flags) + flags
    key = (text, all_flags)
    vmfb = _memory.get(key)
    if vmfb is not None:
        return vmfb
    entry = disk_cache.entry_key(text, all_flags) if use_disk_cache else None
    if entry is not None:
        vmfb = disk_cache.get(*entry)
        if vmfb is not None and not loadable(vmfb):
            disk_cache.discard(entry[0])  # intact bytes, but no module: never reuse them
            vmfb = None
    if vmfb is None:
        vmfb = _compile_with_fallback(text, all_flags, target, name,
                                      tuple(target_flags(target, cpu)) + flags)
        if entry is not None:
            disk_cache.put(entry[0], vmfb, entry[1])
    _memory[key] = vmfb
    return vmfb


def _compile_with_fallback(text, all_flags, target, name, without_workload_flags):
    """Compile with the flags chosen for the workload; if IREE fails with them, compile
    again without them (they are speed heuristics: data tiling has failed on some
    contraction-heavy gradients with "operations with large vector sizes")."""
    try:
        return _compile(text, all_flags, target, name)
    except IraxCompileError:
        if tuple(all_flags) == tuple(without_workload_flags):
            raise
        return _compile(text, without_workload_flags, target, name)


@functools.cache
def _vm_instance():
    import iree.runtime as rt
    return rt.VmInstance()


def loadable(vmfb: bytes) -> bool:
    """Whether the IREE runtime accepts `vmfb` as a module (its verifier runs on load)."""
    import iree.runtime as rt
    try:
        return bool(rt.VmModule.copy_buffer(_vm_instance(), vmfb).function_names)
    except Exception:  # noqa: BLE001 - iree raises RuntimeError/ValueError by cause
        return False


# --------------------------------------------------------------------------
# The temporary directory IREE writes to
# --------------------------------------------------------------------------

TMP_ENV = ("TMPDIR", "TMP", "TEMP", "TEMPDIR")  # LLVM reads the first one that is set
MIN_TMP_FREE = 64 << 20


def _tmp_problem(d: str) -> str | None:
    """Why directory `d` cannot hold IREE's temporary files, or None if it can."""
    if not os.path.isdir(d):
        return "does not exist" if not os.path.exists(d) else "is not a directory"
    try:
        fd, probe = tempfile.mkstemp(dir=d, prefix=".irax-probe-")
    except OSError as e:
        return f"is not writable ({e.strerror})"
    try:
        os.write(fd, b"\0" * 4096)
    except OSError as e:
        return f"is not writable ({e.strerror})"
    finally:
        os.close(fd)
        os.remove(probe)
    try:
        st = os.statvfs(d)
    except OSError:
        return None
    if st.f_bavail * st.f_frsize < MIN_TMP_FREE:
        return f"is full ({st.f_bavail * st.f_frsize >> 20} MiB free)"
    return None


def usable_tmpdir() -> str:
    """The directory IREE's compiler will write temporary files to, made usable.

    When the one the environment names (or /tmp) is missing, read-only or
    full, TMPDIR is pointed at a usable one with a warning; when there is
    none, IraxCompileError says so (instead of the compiler crashing)."""
    var = next((v for v in TMP_ENV if os.environ.get(v)), None)
    current = os.environ[var] if var else "/tmp"
    problem = _tmp_problem(current)
    if problem is None:
        return current
    cache = disk_cache.cache_dir()
    candidates = ["/tmp", "/var/tmp", "/usr/tmp", os.path.join(cache, "tmp") if cache else None,
                  os.path.join(os.path.expanduser("~"), ".cache", "irax", "tmp"), os.getcwd()]
    for d in candidates:
        if not d or d == current:
            continue
        try:
            os.makedirs(d, exist_ok=True)
        except OSError:
            continue
        if _tmp_problem(d) is None:
            what = f"{var}={current!r}" if var else f"{current!r}"
            warnings.warn(f"irax: the temporary directory {what} {problem}; IREE's compiler "
                          f"needs one, so TMPDIR is set to {d!r}", RuntimeWarning, stacklevel=4)
            os.environ["TMPDIR"] = d
            tempfile.tempdir = None  # let Python's tempfile choose again too
            return d
    raise IraxCompileError(f"IREE's compiler needs a temporary directory, but "
                           f"{var + '=' if var else ''}{current!r} {problem} and no fallback "
                           f"({', '.join(d for d in candidates if d)}) is usable; set TMPDIR "
                           "to a writable directory with free space")


# --------------------------------------------------------------------------
# The in-process compiler
# --------------------------------------------------------------------------

_DiagCallback = ctypes.CFUNCTYPE(None, ctypes.c_int, ctypes.c_void_p, ctypes.c_size_t,
                                 ctypes.c_void_p)
_SEVERITY_ERROR = 2  # iree_compiler_diagnostic_severity_t: note, warning, error, remark


def _api():
    from iree.compiler.api import Output, Session, Source, ctypes_dl
    fn = ctypes_dl._dylib.ireeCompilerInvocationEnableCallbackDiagnostics
    fn.argtypes = [ctypes.c_void_p, ctypes.c_int, _DiagCallback, ctypes.c_void_p]
    fn.restype = None
    return Session, Source, Output, fn


def _session(flags: tuple):
    """A compiler session configured with `flags`, made once and reused."""
    s = _sessions.get(flags)
    if s is None:
        Session, _, _, _ = _api()
        s = Session()
        try:
            s.set_flags("--iree-input-type=auto", *flags)
        except ValueError as e:
            raise IraxCompileError(f"IREE rejected the compile flags {list(flags)}: {e}") from None
        _sessions[flags] = s
    return s


def _threaded(text: str) -> bool:
    """Compile on several threads only for big modules on machines with cores to spare.

    A one-op module compiled ~10% faster single-threaded (thread hand-offs
    cost more than they save); a big module's executables are compiled in
    parallel by MLIR when threading is on.
    """
    return len(text) > THREADED_IR_CHARS and (os.cpu_count() or 1) > 2


def _compile(text: str, flags: tuple, target: str, name: str) -> bytes:
    usable_tmpdir()
    Session, Source, Output, enable_diagnostics = _api()
    messages = []

    @_DiagCallback
    def on_diagnostic(severity, message, size, _user):
        if severity == _SEVERITY_ERROR:
            messages.append(ctypes.string_at(message, size).decode(errors="replace"))

    source_name = f"{name}.mlir"
    with _lock:
        session = _session(flags)
        session.context.enable_multithreading(_threaded(text))
        inv = session.invocation()
        try:
            enable_diagnostics(inv._inv_p, 0, on_diagnostic, None)
            source = Source.wrap_buffer(session, text.encode(), buffer_name=source_name)
            ok = inv.parse_source(source) and inv.execute()
            if ok:
                out = Output.open_membuffer()
                try:
                    inv.output_vm_bytecode(out)
                    return bytes(out.map_memory())
                finally:
                    out.close()
        finally:
            inv.close()
    raise _failure(text, target, name, source_name, messages)


def _failure(text, target, name, source_name, messages) -> IraxCompileError:
    try:
        fd, path = tempfile.mkstemp(prefix=f"irax-{name}-", suffix=".mlir")
        with os.fdopen(fd, "w") as f:
            f.write(text)
    except OSError as e:
        path = f"<nowhere: {e}>"
    lines = [m.replace(source_name, path).splitlines()[0] for m in messages if m][:5]
    return IraxCompileError(
        f"IREE failed to compile function '{name}' for {target}; the IR was written to "
        f"{path}\n" + "\n".join(lines))
