"""`irax.deploy`: run exported modules with the IREE runtime alone.

The loader lives in `irax.lowering.deploy`, a single file that imports only
the standard library, numpy and `iree.runtime`; `LOADER_FILE` is its path, to copy next to an
application on a machine that has only `iree-base-runtime` installed.
"""
from irax.lowering import deploy as _loader
from irax.lowering.deploy import (  # noqa: F401
    CorruptModuleError, Loaded, load, read_module, read_signature)

LOADER_FILE = _loader.__file__
