"""irax.scipy: the parts of SciPy that jax.scipy has, on irax arrays."""
import importlib

_SUBMODULES = ("special", "stats", "linalg")


def __getattr__(name):
    if name in _SUBMODULES:
        module = importlib.import_module("." + name, __name__)
        globals()[name] = module
        return module
    raise AttributeError(f"module 'irax.scipy' has no attribute {name!r}")
