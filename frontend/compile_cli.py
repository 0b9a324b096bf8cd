"""irax-compile: export a Python function to a standalone .vmfb from the command line.

    irax-compile model.py:predict --arg f32[128,784] --arg f32[784,10] \\
        --target cuda -o model.vmfb

Each `--arg DTYPE[D0,D1,...]` is one positional argument (`f32[]` is a
scalar).  The module is loaded as a file (or, without `.py`, imported by its
dotted name) and `function` may be a dotted attribute path.  Errors (a bad
spec, a missing function, an unknown target, a compile failure) print one
line `irax-compile: error: ...` and exit with status 2 (1 for a compile
failure).
"""
from __future__ import annotations

import argparse
import importlib
import importlib.util
import os
import re
import sys

DTYPES = {
    "f32": "float32", "f64": "float64", "f16": "float16", "bf16": "bfloat16",
    "i8": "int8", "i16": "int16", "i32": "int32", "i64": "int64",
    "u8": "uint8", "u32": "uint32", "i1": "bool", "bool": "bool",
}
TARGETS = {"llvm-cpu": "llvm-cpu", "cpu": "llvm-cpu", "vulkan-spirv": "vulkan-spirv",
           "vulkan": "vulkan-spirv", "cuda": "cuda"}
_SPEC = re.compile(r"^\s*([A-Za-z0-9_]+)\s*\[\s*([0-9,\s]*)\]\s*$")


class UsageError(Exception):
    """A bad command line; printed as one line."""


def parse_spec(spec: str):
    """'f32[128,784]' -> ((128, 784), 'float32')."""
    m = _SPEC.match(spec)
    names = set(DTYPES) | set(DTYPES.values())
    if m is None or m.group(1) not in names:
        raise UsageError(f"bad --arg {spec!r}: expected DTYPE[D0,D1,...] such as f32[128,784] "
                         f"or i32[] (dtypes: {', '.join(DTYPES)})")
    dims = [d.strip() for d in m.group(2).split(",") if d.strip()]
    if len(dims) != m.group(2).count(",") + (1 if dims else 0):
        raise UsageError(f"bad --arg {spec!r}: empty dimension")
    return tuple(int(d) for d in dims), DTYPES.get(m.group(1), m.group(1))


def load_function(ref: str):
    """'path/to/model.py:fn' (or 'pkg.module:obj.fn') -> the function."""
    if ":" not in ref:
        raise UsageError(f"bad function reference {ref!r}: expected path/to/model.py:function")
    where, _, attr = ref.rpartition(":")
    if where.endswith(".py") or os.sep in where:
        if not os.path.isfile(where):
            raise UsageError(f"no such file: {where}")
        name = "_irax_compile_" + re.sub(r"\W", "_", os.path.splitext(os.path.basename(where))[0])
        spec = importlib.util.spec_from_file_location(name, where)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        sys.path.insert(0, os.path.dirname(os.path.abspath(where)))
        spec.loader.exec_module(module)
    else:
        try:
            module = importlib.import_module(where)
        except ImportError as e:
            raise UsageError(f"cannot import module {where!r}: {e}") from None
    obj = module
    for part in attr.split("."):
        if not hasattr(obj, part):
            funcs = sorted(n for n, v in vars(module).items()
                           if callable(v) and not n.startswith("_") and
                           getattr(v, "__module__", None) == module.__name__)
            raise UsageError(f"{where} has no function {attr!r}; functions defined there: "
                             f"{', '.join(funcs) or 'none'}")
        obj = getattr(obj, part)
    if not callable(obj):
        raise UsageError(f"{where}:{attr} is a {type(obj).__name__}, not a function")
    return obj


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="irax-compile", description=__doc__.split("\n\n")[0])
    p.add_argument("function", help="path/to/model.py:function")
    p.add_argument("--arg", action="append", default=[], metavar="DTYPE[DIMS]",
                   help="one positional argument, e.g. f32[128,784]; repeat per argument")
    p.add_argument("--target", default="llvm-cpu",
                   help="llvm-cpu (cpu), vulkan-spirv (vulkan) or cuda; default llvm-cpu")
    p.add_argument("-o", "--output", required=True, help="the .vmfb to write")
    p.add_argument("--name", default=None, help="entry function name (default: the function's)")
    p.add_argument("--cpu", default="host",
                   help="llvm-cpu: the CPU to compile for (host, generic, x86-64-v3, ...)")
    p.add_argument("--iree-flag", action="append", default=[], metavar="FLAG",
                   help="an extra iree-compile flag, e.g. --iree-flag=--iree-opt-data-tiling")
    args = p.parse_args(argv)
    try:
        target = TARGETS.get(args.target)
        if target is None:
            raise UsageError(f"unknown target {args.target!r}; known targets: llvm-cpu (cpu), "
                             "vulkan-spirv (vulkan), cuda")
        specs = [parse_spec(s) for s in args.arg]
        fun = load_function(args.function)
    except UsageError as e:
        print(f"irax-compile: error: {e}", file=sys.stderr)
        return 2
    import irax
    examples = [irax.ShapeDtype(shape, dtype) for shape, dtype in specs]
    try:
        exported = irax.export(fun, *examples, target=target, name=args.name, cpu=args.cpu,
                               flags=tuple(args.iree_flag))
    except irax.IraxCompileError as e:
        print(f"irax-compile: error: {e}", file=sys.stderr)
        return 1
    except (TypeError, ValueError) as e:
        print(f"irax-compile: error: {e}", file=sys.stderr)
        return 2
    exported.save(args.output)
    print(f"wrote {args.output}: {exported}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
