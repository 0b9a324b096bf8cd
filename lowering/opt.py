"""irax-opt: run irax passes on a .mlir file, like mlir-opt.

    irax-opt input.mlir --irax-expand --irax-simplify --irax-to-linalg
    irax-opt input.mlir --pass-pipeline=irax-simplify,irax-to-linalg,canonicalize

Passes run in the order given; names that are not irax passes go to MLIR's
own pass manager (e.g. canonicalize, cse).  Diagnostics go to stderr with
their source location and the exit code is 1.
"""
from __future__ import annotations

import argparse
import sys

from iree.compiler import ir, passmanager

from irax.dialects import get_context, verify_module
from irax.dialects.passes import PASSES as DIALECT_PASSES

from .to_linalg import lower_to_linalg

PASSES = dict(DIALECT_PASSES)
PASSES["irax-to-linalg"] = lower_to_linalg


def run_pipeline(module, names) -> None:
    for name in names:
        if name in PASSES:
            PASSES[name](module)
        else:
            pm = passmanager.PassManager.parse(f"builtin.module({name})")
            pm.run(module.operation)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="irax-opt", description=__doc__.splitlines()[0])
    parser.add_argument("input", nargs="?", default="-", help="input .mlir file ('-' for stdin)")
    parser.add_argument("-o", dest="output", default="-", help="output file")
    parser.add_argument("--pass-pipeline", default=None,
                        help="comma-separated pass names, run in order")
    parser.add_argument("--mlir-print-debuginfo", action="store_true",
                        help="print locations")
    for name in PASSES:
        parser.add_argument(f"--{name}", dest="passes", action="append_const", const=name)
    args = parser.parse_args(argv)

    text = sys.stdin.read() if args.input == "-" else open(args.input).read()
    names = list(args.passes or [])
    if args.pass_pipeline:
        names += [n.strip() for n in args.pass_pipeline.split(",") if n.strip()]
    ctx = get_context()
    try:
        with ctx, ir.Location.unknown():
            module = ir.Module.parse(text)
            verify_module(module)
            run_pipeline(module, names)
            out = module.operation.get_asm(enable_debug_info=args.mlir_print_debuginfo)
    except ir.MLIRError as e:
        for d in e.error_diagnostics:
            print(f"{_where(d.location)}: error: {d.message}", file=sys.stderr)
        if not e.error_diagnostics:
            print(f"error: {e}", file=sys.stderr)
        return 1
    except (TypeError, ValueError, NotImplementedError, KeyError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    if args.output == "-":
        sys.stdout.write(out)
    else:
        with open(args.output, "w") as f:
            f.write(out)
    return 0


def _where(loc) -> str:
    s = str(loc)
    if s.startswith('loc("'):
        return s[5:-1].replace('"', "")
    return s


if __name__ == "__main__":
    sys.exit(main())
