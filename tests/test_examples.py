"""The examples a new user starts from run and learn (each in a fresh process)."""
import os
import re
import subprocess
import sys

import pytest

ROOT = os.path.join(os.path.dirname(__file__), "..")


def run_example(name, *args):
    out = subprocess.run([sys.executable, os.path.join("examples", name), *args], cwd=ROOT,
                         capture_output=True, text=True, timeout=900)
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout


def losses(text):
    return [float(v) for v in re.findall(r"loss ([0-9.]+)", text)]


def test_quickstart():
    out = run_example("quickstart.py")
    assert '"irax.exp"' in out and "linalg.generic" in out


def test_per_example_gradients_train():
    seq = losses(run_example("per_example_grads.py"))
    assert len(seq) >= 2 and seq[-1] < seq[0]


def test_rnn_scan_trains():
    seq = losses(run_example("rnn_scan.py"))
    assert len(seq) >= 2 and seq[-1] < 0.5 * seq[0]


def test_digits_mlp_reaches_95_percent(tmp_path):
    pytest.importorskip("sklearn", reason="example-only dependency: pip install -e '.[examples]'")
    out = run_example("digits_mlp.py")
    acc = float(re.search(r"final test accuracy: ([0-9.]+)", out).group(1))
    assert acc >= 0.95


def test_cnn_mnist_like_trains():
    seq = losses(run_example("cnn_mnist_like.py"))
    assert len(seq) >= 2 and seq[-1] < 0.5 * seq[0]
