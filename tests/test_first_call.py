"""What a first call costs before IREE runs: structural checks (never timings)."""
import sys

import numpy as np

import irax
import irax.numpy as jnp


class _CountingFinder:
    """A meta-path finder that only counts lookups of one module name."""

    def __init__(self, name):
        self.name, self.count = name, 0

    def find_spec(self, fullname, path=None, target=None):
        if fullname == self.name:
            self.count += 1
        return None


def test_wrapping_irax_ops_never_retries_a_failing_import():
    """The bindings look up `iree.compiler.dialects.irax` for every op they wrap;
    before irax registered an (empty) module for it, each lookup was a failed
    import: ~25k of them, a quarter of the lowering time, for a gamma sampler."""
    assert "iree.compiler.dialects.irax" in sys.modules
    finder = _CountingFinder("iree.compiler.dialects.irax")
    sys.meta_path.insert(0, finder)
    try:
        f = lambda x: jnp.sum(jnp.tanh(x @ x.T) * 2.0 + 1.0)
        text = irax.make_ir(irax.grad(f))(np.ones((3, 3), np.float32)).lowered()
    finally:
        sys.meta_path.remove(finder)
    assert "linalg" in text and finder.count == 0, finder.count
