"""irax: JAX's programming model on an MLIR compiler (irax dialect → linalg → IREE).

The API is loaded on first use (PEP 562), so `import irax.deploy` on a
machine with only the IREE runtime never imports the compiler.
"""
import importlib
import sys
import types

__version__ = "0.1.0"

# public name -> module that defines it (relative to this package)
_API = {
    "Array": ".core", "ConcretizationTypeError": ".core", "UnexpectedTracerError": ".core",
    "jit": ".api", "make_ir": ".api",
    "vmap": ".vmap",
    "custom_jvp": ".custom_derivatives", "custom_vjp": ".custom_derivatives",
    "grad": ".ad", "hessian": ".ad", "jacfwd": ".ad", "jacrev": ".ad", "jvp": ".ad",
    "linearize": ".ad", "stop_gradient": ".ad", "value_and_grad": ".ad", "vjp": ".ad",
    "BackendUnavailableError": ".devices", "default_backend": ".devices",
    "device_count": ".devices", "device_put": ".devices", "devices": ".devices",
    "local_devices": ".devices",
    "Exported": ".export", "ShapeDtype": ".export", "export": ".export",
    "IraxTypeError": "irax.dialects.ops", "IraxCompileError": "irax.lowering.compiler",
    "ShapeDtypeStruct": ".api", "clear_caches": ".api", "device_get": ".api",
    "disable_jit": ".api", "eval_shape": ".api", "make_jaxpr": ".api", "named_call": ".api",
    "named_scope": ".api", "typeof": ".api", "closure_convert": ".api",
    "ensure_compile_time_eval": ".api",
    "jacobian": ".ad", "linear_transpose": ".ad",
    "checkpoint": ".ad_checkpoint", "remat": ".ad_checkpoint",
    "checkpoint_policies": ".ad_checkpoint", "pure_callback": ".debug",
}
# Functions named like the module that defines them.
_SHADOWED = ("vmap", "devices", "export")
_SUBMODULES = ("config", "lax", "nn", "numpy", "random", "optimizers", "tree_util", "deploy",
               "scipy", "tree", "ad_checkpoint", "debug")


def _load_api():
    """Import the compiler-backed API (operators on arrays are installed here)."""
    importlib.import_module("irax.dialects")
    importlib.import_module(".array_methods", __name__)
    for name in _SHADOWED:
        globals()[name] = getattr(importlib.import_module("." + name, __name__), name)


def __getattr__(name):
    if name in _API:
        _load_api()
        value = getattr(importlib.import_module(_API[name], __name__), name)
    elif name in _SUBMODULES:  # each imports what it needs (irax.deploy: the runtime only)
        value = importlib.import_module("." + name, __name__)
    else:
        raise AttributeError(f"module 'irax' has no attribute {name!r}")
    globals()[name] = value
    return value


class _Package(types.ModuleType):
    """The `irax` package object.  Importing a submodule binds it on its
    package (`setattr(irax, "devices", <module>)`), whoever imports it and
    whenever: for the modules in _SHADOWED, bind the function they define
    instead, so `irax.devices()` works whatever was imported before."""

    def __setattr__(self, name, value):
        if name in _SHADOWED and isinstance(value, types.ModuleType):
            value = getattr(value, name)
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


def __dir__():
    return sorted(list(globals()) + list(_API) + list(_SUBMODULES))


def block_until_ready(x):
    return x
