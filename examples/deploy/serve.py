"""The deployment side: run model.vmfb with the IREE runtime alone.

    python examples/deploy/serve.py MODEL_DIR

MODEL_DIR holds model.vmfb, deploy.py (a copy of irax's loader, irax.deploy.LOADER_FILE)
and test_set.npz.  To prove that nothing else is needed, this script makes
importing `iree.compiler` and `irax` fail before it starts.
"""
import os
import sys

import numpy as np


class BlockCompiler:
    """A meta-path finder that refuses the compiler and irax."""

    def find_spec(self, name, path=None, target=None):
        if name == "iree.compiler" or name.startswith("iree.compiler.") or \
                name == "irax" or name.startswith("irax."):
            raise ImportError(f"{name} is not installed on this deployment machine")


def main(model_dir):
    sys.meta_path.insert(0, BlockCompiler())
    sys.path.insert(0, model_dir)
    import deploy  # the copied loader: numpy + iree.runtime only

    predict = deploy.load(os.path.join(model_dir, "model.vmfb"))
    print(predict)
    data = np.load(os.path.join(model_dir, "test_set.npz"))
    x, y = data["x"], data["y"]
    batch = predict.in_specs[0]["shape"][0]
    probs = np.concatenate([predict(x[i:i + batch]) for i in range(0, len(x), batch)])
    print(f"deployed accuracy: {np.mean(probs.argmax(1) == y):.3f}")
    jit_path = os.path.join(model_dir, "jit_probs.npy")
    if os.path.exists(jit_path):
        diff = float(np.max(np.abs(probs - np.load(jit_path))))
        print(f"max |deployed - jit| = {diff:.2e}")
        assert diff < 1e-5, diff
    leaked = sorted(m for m in sys.modules if m.startswith(("iree.compiler", "irax")))
    assert not leaked, leaked
    print("imported: numpy, iree.runtime, deploy — no compiler")


if __name__ == "__main__":
    main(sys.argv[1])
