"""irax.example_libraries: JAX's example neural-net (`stax`) and optimizer
(`optimizers`) libraries, with their APIs, over irax."""
from . import optimizers, stax  # noqa: F401
