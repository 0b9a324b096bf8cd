"""The autodiff examples run and learn."""
import importlib.util
import os

import numpy as np

EXAMPLES = os.path.join(os.path.dirname(__file__), "..", "examples")


def load(name):
    spec = importlib.util.spec_from_file_location(name, os.path.join(EXAMPLES, name + ".py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_tiny_network_sgd_step_lowers_loss():
    load("tiny_network").main()


def test_mlp_fits_sin(tmp_path, capsys):
    mod = load("mlp_sin")
    mod.main(str(tmp_path / "fit.png"), steps=400)
    out = capsys.readouterr().out
    err = float(out.split("max |sin(x) - mlp(x)| = ")[1].split()[0])
    assert err < 0.1
    assert np.isfinite(err)
