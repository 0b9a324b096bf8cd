"""The irax dialect: op definitions and the rewrites on them (no lowering)."""
from .context import get_context, ir
from .types import Aval, aval_of, aval_of_type, tensor_type, element_type
from .ops import OPS, OpDef, ShapeError, emit, attrs_of, verify_module
from . import jvp, vjp, custom_derivatives  # noqa: F401,E402  (register autodiff ops and expansions)
from . import batching  # noqa: F401,E402  (registers irax.vmap and its expansion)
from . import control_flow  # noqa: F401,E402  (registers irax.cond/while/scan and their rules)
from . import complex_ops  # noqa: F401,E402  (complex construction/parts ops and their rules)
from . import convolution, windows  # noqa: F401,E402  (irax.conv_general_dilated, irax.reduce_window and their rules)
from . import remat  # noqa: F401,E402  (registers irax.checkpoint and its rematerializing VJP)
from . import host_callback  # noqa: F401,E402  (irax.host_callback: calls into Python at run time)
from . import collectives  # noqa: F401,E402  (psum, all_gather, ... and their rules)
from . import threefry  # noqa: F401,E402  (irax.threefry2x32, the PRNG cipher as one op)
