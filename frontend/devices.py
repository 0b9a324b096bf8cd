"""Backends (platforms), devices and placement.

irax has one device per platform: `cpu` (IREE `llvm-cpu`), `vulkan`
(`vulkan-spirv`) and `cuda`.  The default platform is the first available one
listed in $IRAX_PLATFORMS (or $JAX_PLATFORMS), e.g. `IRAX_PLATFORMS=vulkan,cpu`;
else cpu.

Placement rule: arrays remember their device.  A computation (eager op or
jitted call) runs on the device of its arguments.  Arguments on the default
device are copied to the device of the others; arguments on two different
non-default devices raise `ValueError` naming both.  `jit(f, backend=...)` (or
`device=`) copies every argument to its own device.
"""
from __future__ import annotations

import functools
import os

from irax.lowering.runtime import (PLATFORMS, Backend, BackendUnavailableError,  # noqa: F401
                                   available_backends, get_backend)


def _requested_platforms() -> list[str]:
    env = os.environ.get("IRAX_PLATFORMS") or os.environ.get("JAX_PLATFORMS") or "cpu"
    names = [n.strip() for n in env.split(",") if n.strip()] or ["cpu"]
    for n in names:
        if n not in PLATFORMS:
            raise ValueError(f"unknown platform {n!r} in IRAX_PLATFORMS={env!r}; known "
                             f"platforms: {', '.join(PLATFORMS)}")
    return names


def default_backend() -> str:
    """The default platform's name ('cpu', 'vulkan' or 'cuda')."""
    return default_backend_object().platform


@functools.cache
def default_backend_object() -> Backend:
    names = _requested_platforms()
    for n in names:
        if n in available_backends():
            return get_backend(n)
    return get_backend(names[0])  # raises BackendUnavailableError listing what there is


def backend_object(backend=None) -> Backend:
    """A Backend from a platform name, a device, or None (the default)."""
    if backend is None:
        return default_backend_object()
    if isinstance(backend, Backend):
        return backend
    if isinstance(backend, str):
        return get_backend(backend)
    raise TypeError(f"expected a platform name ({', '.join(PLATFORMS)}) or an irax device, "
                    f"got {type(backend).__name__}")


def devices(backend=None) -> list[Backend]:
    """The devices of `backend` (a platform name; default: the default platform)."""
    return [backend_object(backend)]


def local_devices(backend=None) -> list[Backend]:
    return devices(backend)


def device_count(backend=None) -> int:
    return len(devices(backend))


def device_put(x, device=None):
    """Copy `x` (array, scalar or pytree of them) to `device` (default: the default device)."""
    import numpy as np
    from .api import as_operand, leaf_aval
    from .core import Array, current_trace
    from .eager import device_put_host
    from .tree_util import tree_map
    if current_trace() is not None:
        return tree_map(as_operand, x)
    target = backend_object(device)

    def put(v):
        if isinstance(v, Array):
            return move(v, target)
        aval, weak = leaf_aval(v)
        return device_put_host(np.asarray(v), aval.dtype, weak, target)
    return tree_map(put, x)


def move(x, backend: Backend):
    """`x` (an Array) copied to `backend` (through host memory)."""
    from .core import Array
    if x.backend is backend:
        return x
    return Array(backend.put(x._value(), x.aval.dtype), x.aval, x.weak_type, backend)


def common_backend(arrays, what: str) -> Backend:
    """The device a computation on `arrays` runs on (see the placement rule above)."""
    default = default_backend_object()
    found = None
    for a in arrays:
        b = a.backend
        if b is default or b is found:
            continue
        if found is not None:
            raise ValueError(f"{what}: arguments live on different devices ({found!r} and "
                             f"{b!r}); move them to one with irax.device_put(x, device)")
        found = b
    return found or default
