"""irax-opt: run irax passes on a .mlir file, like mlir-opt.

    irax-opt input.mlir --irax-expand --irax-simplify --irax-to-linalg
    irax-opt input.mlir --pass-pipeline=irax-simplify,irax-to-linalg,canonicalize

The module is verified after parsing and after every pass.  Passes run in the
order given; names that are not irax passes go to MLIR's own pass manager
(e.g. canonicalize, cse, func.func(cse)).  Diagnostics go to stderr as
`file:line: error: message`, naming the op's location, and the exit code is 1.
"""
from __future__ import annotations

import argparse
import os
import re
import sys

from iree.compiler import ir, passmanager

from irax.dialects import get_context, verify_module
from irax.dialects.ops import IraxTypeError
from irax.dialects.passes import PASSES as DIALECT_PASSES

from .to_linalg import lower_to_linalg

PASSES = dict(DIALECT_PASSES)
PASSES["irax-to-linalg"] = lower_to_linalg


class PassError(Exception):
    """A failure to report as `where: error: message`."""

    def __init__(self, where, message):
        super().__init__(message)
        self.where = where
        self.message = message


def split_pipeline(text: str) -> list[str]:
    """Split 'a,b,func.func(c,d)' at top-level commas."""
    names, depth, cur = [], 0, ""
    for ch in text:
        if ch == "," and depth == 0:
            names.append(cur.strip())
            cur = ""
            continue
        depth += (ch == "(") - (ch == ")")
        cur += ch
    names.append(cur.strip())
    return [n for n in names if n]


def run_pipeline(module, names) -> None:
    for name in names:
        if name in PASSES:
            PASSES[name](module)
        else:
            try:
                pm = passmanager.PassManager.parse(f"builtin.module({name})")
            except ValueError as e:
                raise PassError(None, f"unknown pass '{name}': {_first_line(e)}") from None
            pm.run(module.operation)
        module.operation.verify()


class _PassAction(argparse.Action):
    """--irax-X flags and --pass-pipeline append to one list, in command-line order."""

    def __call__(self, parser, namespace, values, option_string=None):
        names = getattr(namespace, "passes", None) or []
        if self.const is not None:
            names.append(self.const)
        else:
            names.extend(split_pipeline(values))
        namespace.passes = names


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="irax-opt", description=__doc__.splitlines()[0])
    parser.add_argument("input", nargs="?", default="-", help="input .mlir file ('-' for stdin)")
    parser.add_argument("-o", dest="output", default="-", help="output file")
    parser.add_argument("--pass-pipeline", action=_PassAction, dest="passes",
                        help="comma-separated pass names, run in order; names that are not "
                        "irax passes are MLIR passes (canonicalize, func.func(cse), ...)")
    parser.add_argument("--mlir-print-debuginfo", action="store_true", help="print locations")
    parser.add_argument("--split-input-file", action="store_true",
                        help="process each '// -----' chunk on its own (for error tests)")
    parser.add_argument("--list-ops", action="store_true",
                        help="print every irax op with its attributes and the kinds of rule "
                        "registered for it, then exit")
    for name, fn in PASSES.items():
        doc = (fn.__doc__ or "").strip().splitlines()
        parser.add_argument(f"--{name}", action=_PassAction, nargs=0, const=name, dest="passes",
                            help=doc[0] if doc and fn.__name__ != "<lambda>" else None)
    return parser.parse_args(argv)


def process(text, source: str, names, debug_info=False) -> str:
    """Parse (`text`, or the file `source` when text is None), verify, run
    `names`, print; raises PassError / MLIRError / IraxTypeError on failure."""
    with get_context(), ir.Location.unknown():
        if text is not None:
            module = ir.Module.parse(text)
        else:
            module = ir.Module.parseFile(source)
        verify_module(module)
        run_pipeline(module, names)
        return module.operation.get_asm(enable_debug_info=debug_info)


_AT = re.compile(r"^(.*) \(at ([^()]*)\)$", re.S)


def _split_where(message: str):
    """'msg (at file.py:12)' -> ('file.py:12', 'msg')."""
    m = _AT.match(message)
    return (m.group(2), m.group(1)) if m else (None, message)


def _first_line(e) -> str:
    return str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__


def _where(loc) -> str:
    s = str(loc)
    m = re.match(r'^loc\("([^"]*)":(\d+):(\d+)\)$', s)
    if m:
        return f"{m.group(1)}:{m.group(2)}:{m.group(3)}"
    m = re.search(r'"([^"]*)":(\d+):(\d+)', s)
    return f"{m.group(1)}:{m.group(2)}:{m.group(3)}" if m else s


def report(e, source: str) -> list[str]:
    """The stderr lines for exception `e`."""
    prefix = "<stdin>" if source == "-" else source
    if isinstance(e, ir.MLIRError):
        lines = []
        for d in e.error_diagnostics:
            lines.append(f"{_where(d.location)}: error: {d.message}")
            for n in d.notes:
                lines.append(f"{_where(n.location)}: note: {n.message}")
        if not lines:
            lines.append(f"{prefix}: error: {_first_line(e)}")
        return [prefix + ln[1:] if ln.startswith("-:") else ln for ln in lines]
    if isinstance(e, PassError):
        return [f"{e.where or prefix}: error: {e.message}"]
    text = e.args[0] if isinstance(e, KeyError) and e.args else str(e)
    where, message = _split_where(str(text))
    if where is not None and where.startswith("-:"):
        where = prefix + where[1:]
    return [f"{where or prefix}: error: {message}"]


def split_chunks(text: str) -> list[str]:
    """'// -----' separated chunks, each padded with blank lines so that its
    line numbers are those of the whole file."""
    chunks, start, lines = [], 0, text.split("\n")
    for i, line in enumerate(lines + ["// -----"]):
        if line.strip().startswith("// -----"):
            chunks.append("\n" * start + "\n".join(lines[start:i]))
            start = i + 1
    return chunks


def run_one(text, source, args):
    """Process one input; returns (output or None, stderr lines)."""
    try:
        return process(text, source, args.passes or [], args.mlir_print_debuginfo), []
    except (ir.MLIRError, PassError, IraxTypeError, NotImplementedError, KeyError, ValueError,
            TypeError) as e:
        return None, report(e, source)
    except Exception as e:  # a bug in a pass: still one line, not a traceback
        if os.environ.get("IRAX_OPT_TRACEBACK"):
            raise
        return None, [f"irax-opt: internal error: {type(e).__name__}: {_first_line(e)} "
                      "(set IRAX_OPT_TRACEBACK=1 for the traceback)"]


def list_ops() -> str:
    """One line per op record: name, attributes, and its rule kinds in table order."""
    from irax.dialects.ops import OPS, RULE_KINDS
    lines = []
    for name in sorted(OPS):
        record = OPS[name]
        attrs = ", ".join(f"{k}: {v}" for k, v in record.attrs.items())
        kinds = " ".join(k for k in RULE_KINDS if k in record.rules)
        lines.append(f"{name} {{{attrs}}} {kinds}".replace(" {} ", " "))
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.list_ops:
        sys.stdout.write(list_ops())
        return 0
    source = args.input
    if source != "-" and not os.path.isfile(source):
        print(f"irax-opt: error: cannot open input file '{source}'", file=sys.stderr)
        return 1
    if source == "-" or args.split_input_file:
        text = sys.stdin.read() if source == "-" else open(source).read()
        chunks = split_chunks(text) if args.split_input_file else [text]
    else:
        chunks = [None]  # parse the file itself: locations name it
    outs, failed = [], False
    for chunk in chunks:
        out, errors = run_one(chunk, source, args)
        for line in errors:
            print(line, file=sys.stderr)
        failed |= bool(errors)
        if out is not None:
            outs.append(out)
    out = "// -----\n".join(outs)
    if args.output == "-":
        sys.stdout.write(out)
    else:
        with open(args.output, "w") as f:
            f.write(out)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
