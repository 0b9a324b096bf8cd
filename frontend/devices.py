"""Backends (platforms) and device placement."""
from __future__ import annotations

import os

from irax.lowering.runtime import PLATFORMS, get_backend

_default = None


def default_backend() -> str:
    """The default platform: $IRAX_PLATFORMS (or $JAX_PLATFORMS), first entry; else cpu."""
    env = os.environ.get("IRAX_PLATFORMS") or os.environ.get("JAX_PLATFORMS") or "cpu"
    name = env.split(",")[0].strip() or "cpu"
    if name not in PLATFORMS:
        raise ValueError(f"unknown platform {name!r} in IRAX_PLATFORMS; known: {sorted(PLATFORMS)}")
    return name


def default_backend_object():
    global _default
    if _default is None:
        _default = get_backend(default_backend())
    return _default
