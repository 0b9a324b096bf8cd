"""IREE compile: flags per target, an in-memory cache, readable failures."""
from __future__ import annotations

import os
import tempfile

import iree.compiler as ic

_cache: dict = {}


class IraxCompileError(RuntimeError):
    """IREE failed to compile a function; the message says where its IR is."""


def target_flags(target: str) -> list[str]:
    if target == "llvm-cpu":
        return ["--iree-llvmcpu-target-cpu=host"]
    if target == "cuda":
        return ["--iree-cuda-target=sm_80"]
    return []


def compile_mlir(text: str, target: str = "llvm-cpu", name: str = "main", flags=()) -> bytes:
    """Compile linalg-level MLIR text to a .vmfb, cached by (text, target, flags)."""
    key = (text, target, tuple(flags))
    vmfb = _cache.get(key)
    if vmfb is not None:
        return vmfb
    args = target_flags(target) + list(flags)
    try:
        vmfb = ic.compile_str(text, target_backends=[target], extra_args=args)
    except ic.CompilerToolError as e:
        fd, path = tempfile.mkstemp(prefix=f"irax-{name}-", suffix=".mlir")
        with os.fdopen(fd, "w") as f:
            f.write(text)
        lines = [l for l in str(e).splitlines() if "error" in l][:5]
        raise IraxCompileError(
            f"IREE failed to compile function '{name}' for {target}; the IR was written to "
            f"{path}\n" + "\n".join(lines)) from None
    _cache[key] = vmfb
    return vmfb
