"""irax.export, the runtime-only loader, iree-run-module and irax-compile."""
import collections
import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import irax
import irax.numpy as jnp
from irax import compile_cli

Out = collections.namedtuple("Out", ["logits", "norm"])


def predict(params, x):
    h = jnp.tanh(x @ params["w"] + params["b"])
    return Out(h @ params["v"], jnp.sqrt((h * h).sum()))


def make_params(rng):
    return {"w": rng.standard_normal((4, 8)).astype(np.float32),
            "b": rng.standard_normal(8).astype(np.float32),
            "v": rng.standard_normal((8, 3)).astype(np.float32)}


@pytest.fixture(scope="module")
def exported():
    rng = np.random.default_rng(0)
    params = make_params(rng)
    x = rng.standard_normal((5, 4)).astype(np.float32)
    return irax.export(predict, params, x), params, x


def run_module_binary():
    exe = os.path.join(os.path.dirname(sys.executable), "iree-run-module")
    return exe if os.path.exists(exe) else "iree-run-module"


def test_signature(exported):
    e, params, x = exported
    assert e.name == "predict" and e.target == "llvm-cpu"
    assert e.in_shapes == [(8,), (8, 3), (4, 8), (5, 4)]  # dict leaves in sorted key order
    assert e.out_shapes == [(5, 3), ()] and e.out_dtypes == ["float32", "float32"]
    assert e.signature["out_tree"]["t"] == "namedtuple"
    assert e.vmfb[:64] and isinstance(e.vmfb, bytes)


def test_load_matches_jit(exported, tmp_path):
    e, params, x = exported
    path = e.save(str(tmp_path / "predict.vmfb"))
    f = irax.deploy.load(path)
    got = f(params, x)
    want = irax.jit(predict)(params, x)
    assert type(got).__name__ == "Out"
    np.testing.assert_allclose(got.logits, np.asarray(want.logits), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got.norm, np.asarray(want.norm), rtol=1e-5)
    h = np.tanh(x @ params["w"] + params["b"])
    np.testing.assert_allclose(got.logits, h @ params["v"], rtol=1e-4, atol=1e-5)


def test_load_errors(exported, tmp_path):
    e, params, x = exported
    f = irax.deploy.load(e.save(str(tmp_path / "p.vmfb")))
    with pytest.raises(ValueError, match=r"predict: argument args\[1\] has shape \[2, 4\], "
                                         r"expected float32\[5,4\]"):
        f(params, x[:2])
    with pytest.raises(TypeError, match=r"predict: argument args\[0\]: expected a dict with "
                                        r"keys \['b', 'v', 'w'\]"):
        f({"w": params["w"]}, x)
    with pytest.raises(TypeError, match=r"args\[1\] has dtype int32, expected float32"):
        f(params, x.astype(np.int32))
    bad = tmp_path / "plain.vmfb"
    bad.write_bytes(irax.lowering.compiler.compile_mlir(
        "func.func @g(%a: tensor<2xf32>) -> tensor<2xf32> { return %a : tensor<2xf32> }"))
    with pytest.raises(ValueError, match="no function with an irax signature"):
        irax.deploy.load(str(bad))


def test_iree_run_module(exported, tmp_path):
    e, params, x = exported
    path = e.save(str(tmp_path / "predict.vmfb"))
    inputs = []
    for i, leaf in enumerate([params["b"], params["v"], params["w"], x]):
        np.save(tmp_path / f"in{i}.npy", leaf)
        inputs.append(f"--input=@{tmp_path / f'in{i}.npy'}")
    r = subprocess.run([run_module_binary(), f"--module={path}", *e.iree_run_module_args(),
                        *inputs, f"--output=@{tmp_path / 'out0.npy'}",
                        f"--output=@{tmp_path / 'out1.npy'}"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    got = predict(params, x)
    np.testing.assert_allclose(np.load(tmp_path / "out0.npy"), np.asarray(got.logits),
                               rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(np.load(tmp_path / "out1.npy"), np.asarray(got.norm), rtol=1e-5)


BLOCKED_RUNNER = textwrap.dedent("""
    import importlib.util, json, sys
    import numpy as np

    class Block:
        def find_spec(self, name, path=None, target=None):
            if name == "iree.compiler" or name.startswith(("iree.compiler.", "irax")):
                raise ImportError(f"blocked import of {name} on a deployment machine")
    sys.meta_path.insert(0, Block())

    loader_file, module, inputs, output = sys.argv[1:5]
    spec = importlib.util.spec_from_file_location("deploy", loader_file)
    deploy = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(deploy)
    f = deploy.load(module)
    args = list(np.load(inputs, allow_pickle=True)["args"][0])
    out = f(*args)
    leaves = list(out) if isinstance(out, tuple) else [out]
    np.savez(output, *leaves)
    bad = [m for m in sys.modules if m.startswith(("iree.compiler", "irax"))]
    print(json.dumps({"bad": bad}))
""")


def run_blocked(tmp_path, module_path, args):
    """Run a saved module with the loader file in a process where iree.compiler can't import."""
    runner = tmp_path / "runner.py"
    runner.write_text(BLOCKED_RUNNER)
    inputs = tmp_path / "inputs.npz"
    holder = np.empty(1, dtype=object)
    holder[0] = list(args)
    np.savez(inputs, args=holder)
    out = tmp_path / "out.npz"
    r = subprocess.run([sys.executable, str(runner), irax.deploy.LOADER_FILE, module_path,
                        str(inputs), str(out)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout.strip().splitlines()[-1]) == {"bad": []}
    data = np.load(out)
    return [data[f"arr_{i}"] for i in range(len(data.files))]


def test_runtime_only_loader_in_blocked_process(exported, tmp_path):
    e, params, x = exported
    path = e.save(str(tmp_path / "predict.vmfb"))
    logits, norm = run_blocked(tmp_path, path, [params, x])
    want = irax.jit(predict)(params, x)
    np.testing.assert_allclose(logits, np.asarray(want.logits), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(norm, np.asarray(want.norm), rtol=1e-5)


def test_loader_imports_nothing_of_irax_or_the_compiler():
    src = open(irax.deploy.LOADER_FILE).read()
    imports = [l.split()[1] for l in src.splitlines() if l.startswith(("import ", "from "))]
    assert sorted(set(imports)) == ["__future__", "collections", "hashlib", "iree.runtime", "json",
                                  "numpy", "struct"]


def test_export_grad_and_vmap(tmp_path):
    rng = np.random.default_rng(1)
    w = rng.standard_normal((3, 2)).astype(np.float32)
    xs = rng.standard_normal((4, 3)).astype(np.float32)

    def loss(w, x):
        return jnp.sum(jnp.tanh(x @ w) ** 2)

    g = irax.export(irax.jit(irax.grad(loss)), w, xs, name="loss_grad")
    assert g.name == "loss_grad"
    got = irax.deploy.load(g.save(str(tmp_path / "g.vmfb")))(w, xs)
    t = np.tanh(xs @ w)
    np.testing.assert_allclose(got, xs.T @ (2 * t * (1 - t * t)), rtol=1e-4, atol=1e-5)

    per_row = irax.vmap(lambda w, x: jnp.tanh(x @ w).sum(), in_axes=(None, 0))
    v = irax.export(per_row, w, xs, name="per_row")
    (out,) = run_blocked(tmp_path, v.save(str(tmp_path / "v.vmfb")), [w, xs])
    np.testing.assert_allclose(out, np.tanh(xs @ w).sum(axis=1), rtol=1e-5, atol=1e-6)


def test_export_inlines_closed_over_arrays(tmp_path):
    scale = jnp.asarray(np.array([1.0, 2.0, 3.0], np.float32))
    e = irax.export(lambda x: x * scale + 1.0, np.zeros(3, np.float32), name="affine")
    assert len(e.in_shapes) == 1
    got = irax.deploy.load(e.save(str(tmp_path / "a.vmfb")))(np.ones(3, np.float32))
    np.testing.assert_allclose(got, [2.0, 3.0, 4.0])


def test_export_errors():
    with pytest.raises(ValueError, match="unknown compile target 'tpu'"):
        irax.export(predict, {}, np.zeros(2), target="tpu")
    with pytest.raises(ValueError, match="not an identifier"):
        irax.export(lambda x: x, np.zeros(2), name="my fn")


MODEL = textwrap.dedent("""
    import irax.numpy as jnp

    def predict(w, x):
        return jnp.tanh(x @ w)
""")


def test_irax_compile_cli(tmp_path, capsys):
    model = tmp_path / "model.py"
    model.write_text(MODEL)
    out = tmp_path / "m.vmfb"
    assert compile_cli.main([f"{model}:predict", "--arg", "f32[4,3]", "--arg", "f32[2,4]",
                             "-o", str(out)]) == 0
    f = irax.deploy.load(str(out))
    w = np.linspace(-1, 1, 12, dtype=np.float32).reshape(4, 3)
    x = np.linspace(0, 1, 8, dtype=np.float32).reshape(2, 4)
    np.testing.assert_allclose(f(w, x), np.tanh(x @ w), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("argv, message", [
    (["{model}:nope", "--arg", "f32[2]"], "has no function 'nope'; functions defined there: "
                                          "predict"),
    (["{model}:predict", "--arg", "f32[4,x]"], "bad --arg 'f32[4,x]': expected DTYPE"),
    (["{model}:predict", "--arg", "q8[4]"], "bad --arg 'q8[4]'"),
    (["{model}:predict", "--arg", "f32[4]", "--target", "tpu"], "unknown target 'tpu'; known "
                                                                 "targets: llvm-cpu"),
    (["{missing}:predict"], "no such file"),
    (["predict"], "bad function reference"),
])
def test_irax_compile_cli_errors(tmp_path, capsys, argv, message):
    model = tmp_path / "model.py"
    model.write_text(MODEL)
    argv = [a.format(model=model, missing=tmp_path / "missing.py") for a in argv]
    assert compile_cli.main(argv + ["-o", str(tmp_path / "x.vmfb")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("irax-compile: error: ") and message in err
    assert not (tmp_path / "x.vmfb").exists()


def test_deploy_example(tmp_path):
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    r = subprocess.run([sys.executable, os.path.join(root, "examples", "deploy",
                                                     "train_and_export.py"), str(tmp_path)],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr
    acc = [float(l.split()[-1]) for l in r.stdout.splitlines() if "accuracy" in l]
    assert len(acc) == 2 and acc[0] == acc[1] > 0.9
    assert "no compiler" in r.stdout
