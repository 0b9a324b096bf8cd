"""Lowering irax to linalg, IREE compile and runtime."""
from . import control_flow  # noqa: F401,E402  (registers the scf lowerings of the region ops)
