"""irax: JAX's programming model on an MLIR compiler (irax dialect → linalg → IREE)."""
import irax.dialects  # noqa: F401  (imported first: core needs its location)

from . import config  # noqa: F401
from .core import Array, ConcretizationTypeError, UnexpectedTracerError  # noqa: F401
from . import array_methods  # noqa: F401  (installs operators on Array and tracers)
from . import lax, nn, tree_util  # noqa: F401
from . import numpy  # noqa: F401
from . import random  # noqa: F401
from . import optimizers  # noqa: F401
from .api import jit, make_ir  # noqa: F401
from .vmap import vmap  # noqa: F401
from .custom_derivatives import custom_jvp, custom_vjp  # noqa: F401
from .ad import grad, hessian, jacfwd, jacrev, jvp, linearize, stop_gradient, value_and_grad, vjp  # noqa: F401
from .devices import (BackendUnavailableError, default_backend, device_count, device_put,  # noqa: F401
                      devices, local_devices)
from irax.dialects.ops import IraxTypeError  # noqa: F401
from irax.lowering.compiler import IraxCompileError  # noqa: F401
from .export import Exported, ShapeDtype, export  # noqa: F401
from . import deploy  # noqa: F401


def block_until_ready(x):
    return x


__version__ = "0.1.0"
