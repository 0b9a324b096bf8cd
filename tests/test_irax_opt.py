"""irax-opt: passes in order, output, and clean diagnostics (file:line, exit 1, no traceback)."""
import io
import os
import shutil
import subprocess
import sys

import pytest

from irax.lowering.opt import main, split_pipeline

GOOD = """func.func @f(%a: tensor<4xf32>) -> tensor<4xf32> {
  %z = "irax.constant"() {value = dense<0.0> : tensor<4xf32>} : () -> tensor<4xf32>
  %0 = "irax.add"(%a, %z) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %1 = "irax.exp"(%0) : (tensor<4xf32>) -> tensor<4xf32>
  return %1 : tensor<4xf32>
}
"""

BAD_RESULT = """func.func @f(%a: tensor<4xf32>) -> tensor<5xf32> {
  %0 = "irax.sin"(%a) : (tensor<4xf32>) -> tensor<5xf32>
  return %0 : tensor<5xf32>
}
"""


def write(tmp_path, text, name="in.mlir"):
    p = tmp_path / name
    p.write_text(text)
    return str(p)


def run(capsys, *argv):
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


def test_lowers_to_linalg(tmp_path, capsys):
    rc, out, err = run(capsys, write(tmp_path, GOOD), "--irax-to-linalg")
    assert rc == 0 and err == ""
    assert "linalg.generic" in out and "math.exp" in out and "arith.addf" in out
    assert "irax." not in out


def test_passes_run_in_command_line_order(tmp_path, capsys):
    path = write(tmp_path, GOOD)
    # simplify first: x + 0 is folded away before lowering
    rc, out, _ = run(capsys, path, "--irax-simplify", "--irax-to-linalg")
    assert rc == 0 and "arith.addf" not in out and "math.exp" in out
    # lowering first: nothing irax is left for simplify to fold
    rc, out, _ = run(capsys, path, "--irax-to-linalg", "--irax-simplify")
    assert rc == 0 and "arith.addf" in out


def test_pass_pipeline_mixes_irax_and_mlir_passes(tmp_path, capsys):
    rc, out, _ = run(capsys, write(tmp_path, GOOD),
                     "--pass-pipeline=irax-simplify,irax-to-linalg,func.func(cse,canonicalize)")
    assert rc == 0 and "math.exp" in out and "arith.addf" not in out


def test_split_pipeline_respects_parentheses():
    assert split_pipeline("a, b,func.func(c,d(e,f)),g") == ["a", "b", "func.func(c,d(e,f))", "g"]


def test_stdin_and_output_file(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO(GOOD))
    out_path = tmp_path / "out.mlir"
    rc, out, _ = run(capsys, "-", "--irax-simplify", "-o", str(out_path))
    assert rc == 0 and out == ""
    text = out_path.read_text()
    assert '"irax.exp"(%arg0)' in text and "irax.add" not in text


def test_verifier_error_names_file_line(tmp_path, capsys):
    path = write(tmp_path, BAD_RESULT)
    rc, out, err = run(capsys, path)
    assert rc == 1 and out == ""
    assert err == (f"{path}:2: error: irax.sin: result types ['f32[5]'] do not match the "
                   "inferred ['f32[4]']\n")


@pytest.mark.parametrize("body, message", [
    ('%0 = "irax.reduce_sum"(%a) {axes = 0 : i64} : (tensor<4xf32>) -> tensor<f32>',
     "irax.reduce_sum: attribute 'axes' must be array<i64: ...>, got 0 : i64"),
    ('%0 = "irax.reduce_sum"(%a) : (tensor<4xf32>) -> tensor<f32>',
     "irax.reduce_sum: missing attribute 'axes'"),
    ('%0 = "irax.nope"(%a) : (tensor<4xf32>) -> tensor<f32>', "unknown op 'irax.nope'"),
    ('%0 = "irax.exp"(%a, %a) : (tensor<4xf32>, tensor<4xf32>) -> tensor<f32>',
     "irax.exp: wrong number of operands (2); got (f32[4], f32[4])"),
])
def test_verifier_error_families(tmp_path, capsys, body, message):
    path = write(tmp_path, "func.func @f(%a: tensor<4xf32>) {\n  " + body + "\n  return\n}\n")
    rc, _, err = run(capsys, path, "--irax-verify")
    assert rc == 1 and err == f"{path}:2: error: {message}\n"


def test_parse_error(tmp_path, capsys):
    path = write(tmp_path, GOOD.replace('"irax.exp"(%0)', '"irax.exp"(%0'))
    rc, _, err = run(capsys, path)
    assert rc == 1 and err.startswith(f"{path}:4:")
    assert "error: expected ')' to end operand list" in err


def test_lowering_error_names_the_op(tmp_path, capsys):
    text = """func.func private @g(%x: tensor<f32>) -> tensor<f32> {
  return %x : tensor<f32>
}
func.func @f(%x: tensor<3xf32>) -> tensor<3xf32> {
  %0 = "irax.vmap"(%x) {callee = @g, in_axes = array<i64: 0>, out_axes = array<i64: 0>, axis_size = 3 : i64} : (tensor<3xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}
"""
    path = write(tmp_path, text)
    rc, _, err = run(capsys, path, "--irax-to-linalg")
    assert rc == 1
    assert err == (f"{path}:5: error: 'irax.vmap' was not lowered; expand higher-order ops "
                   "first (--irax-expand)\n")
    rc, out, err = run(capsys, path, "--irax-expand-vmap", "--irax-to-linalg")
    assert rc == 0 and "irax." not in out, err


def test_unknown_pass_and_missing_file(tmp_path, capsys):
    rc, _, err = run(capsys, write(tmp_path, GOOD), "--pass-pipeline=no-such-pass")
    assert rc == 1 and "error: unknown pass 'no-such-pass'" in err
    rc, _, err = run(capsys, str(tmp_path / "missing.mlir"))
    assert rc == 1 and err.startswith("irax-opt: error: cannot open input file")


def test_split_input_file_reports_every_chunk(tmp_path, capsys):
    text = BAD_RESULT + "// -----\n" + GOOD + "// -----\n" + BAD_RESULT
    path = write(tmp_path, text)
    rc, out, err = run(capsys, path, "--split-input-file")
    assert rc == 1
    assert err.splitlines() == [
        f"{path}:2: error: irax.sin: result types ['f32[5]'] do not match the inferred ['f32[4]']",
        f"{path}:14: error: irax.sin: result types ['f32[5]'] do not match the inferred ['f32[4]']"]
    assert out.count("func.func @f") == 1


def _console_script():
    exe = shutil.which("irax-opt", path=os.path.dirname(sys.executable))
    return [exe] if exe else [sys.executable, "-m", "irax.lowering.opt"]


def test_console_script_errors_without_traceback(tmp_path):
    path = write(tmp_path, BAD_RESULT)
    p = subprocess.run(_console_script() + [path, "--irax-to-linalg"], capture_output=True,
                       text=True, timeout=120)
    assert p.returncode == 1 and p.stdout == ""
    assert "Traceback" not in p.stderr
    assert p.stderr.startswith(f"{path}:2: error: irax.sin: result types")


def test_console_script_lowers(tmp_path):
    p = subprocess.run(_console_script() + [write(tmp_path, GOOD), "--irax-expand",
                                            "--irax-simplify", "--irax-to-linalg"],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    assert "linalg.generic" in p.stdout and "math.exp" in p.stdout


def test_debuginfo_keeps_the_input_locations(tmp_path, capsys):
    text = GOOD.replace('"irax.exp"(%0) : (tensor<4xf32>) -> tensor<4xf32>',
                        '"irax.exp"(%0) : (tensor<4xf32>) -> tensor<4xf32> loc("model.py":7:0)')
    rc, out, _ = run(capsys, write(tmp_path, text), "--irax-to-linalg", "--mlir-print-debuginfo")
    assert rc == 0
    # the lowered exp generic carries the user's line
    assert 'loc("model.py":7:0)' in out and "math.exp" in out
