"""IREE runtime: devices, buffers and calls into compiled modules.

Calls go through the low-level VM API (`VmContext.invoke` with variant
lists): the high-level `FunctionInvoker` costs several microseconds more per
call, which is most of a tiny jitted function's time.
"""
from __future__ import annotations

import os

import numpy as np
import iree.runtime as rt

HAL_ELEMENT_TYPES = {
    "float32": rt.HalElementType.FLOAT_32, "float64": rt.HalElementType.FLOAT_64,
    "float16": rt.HalElementType.FLOAT_16, "bfloat16": rt.HalElementType.BFLOAT_16,
    "int8": rt.HalElementType.SINT_8, "int16": rt.HalElementType.SINT_16,
    "int32": rt.HalElementType.SINT_32, "int64": rt.HalElementType.SINT_64,
    "uint8": rt.HalElementType.UINT_8, "uint32": rt.HalElementType.UINT_32,
    "bool": rt.HalElementType.BOOL_8,
}

# platform name -> (IREE driver, compiler target backend)
PLATFORMS = {
    "cpu": ("local-task", "llvm-cpu"),
    "vulkan": ("vulkan", "vulkan-spirv"),
    "cuda": ("cuda", "cuda"),
}


class Backend:
    """One IREE device and the VM instance its modules load into."""

    def __init__(self, platform: str):
        if platform not in PLATFORMS:
            raise ValueError(f"unknown backend {platform!r}; known: {sorted(PLATFORMS)}")
        self.platform = platform
        self.driver, self.target = PLATFORMS[platform]
        if platform == "cpu":
            self.driver = os.environ.get("IRAX_CPU_DRIVER", self.driver)
        self.instance = rt.VmInstance()
        self.device = rt.get_device(self.driver)
        self.hal_module = rt.create_hal_module(self.instance, self.device)
        self.allocator = self.device.allocator

    def __repr__(self):
        return f"Backend({self.platform})"

    def put(self, host: np.ndarray, dtype: str):
        """Copy a host array to a new device buffer view."""
        if dtype == "bool":
            host = host.astype(np.uint8)
        return self.allocator.allocate_buffer_copy(
            memory_type=rt.MemoryType.DEVICE_LOCAL, allowed_usage=rt.BufferUsage.DEFAULT,
            device=self.device, buffer=np.require(host, requirements="C"),
            element_type=HAL_ELEMENT_TYPES[dtype])

    def get(self, bv, shape, dtype: str) -> np.ndarray:
        """Copy a device buffer view to a new host array."""
        out = np.array(bv.map().asarray(list(shape), np.dtype(dtype)), copy=True)
        return out.reshape(shape)

    def load(self, vmfb: bytes, name: str) -> "Executable":
        return Executable(self, vmfb, name)


class Executable:
    """A compiled module loaded on a backend; calls its function `name`."""

    def __init__(self, backend: Backend, vmfb: bytes, name: str):
        self.backend = backend
        self.vmfb = vmfb
        self.module = rt.VmModule.copy_buffer(backend.instance, vmfb)
        self.context = rt.VmContext(backend.instance, modules=[backend.hal_module, self.module])
        self.function = self.module.lookup_function(name)
        if self.function is None:
            raise LookupError(f"compiled module has no function {name!r}")

    def __call__(self, buffer_views, num_results: int):
        args = rt.VmVariantList(len(buffer_views))
        for bv in buffer_views:
            args.push_ref(bv)
        rets = rt.VmVariantList(num_results)
        self.context.invoke(self.function, args, rets)
        return [rets.get_as_object(i, rt.HalBufferView) for i in range(num_results)]


_backends: dict[str, Backend] = {}


def get_backend(platform: str = "cpu") -> Backend:
    b = _backends.get(platform)
    if b is None:
        b = _backends[platform] = Backend(platform)
    return b
