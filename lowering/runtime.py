"""IREE runtime: backends (one device each), buffers, transfers and calls.

Calls go through the low-level VM API (`VmContext.invoke` with variant
lists): the high-level `FunctionInvoker` costs several microseconds more per
call, which is most of a tiny jitted function's time.

CPU driver choice, by measurement (2-core machine, see benchmarks/): a tiny
call costs ~4 µs on `local-sync` and ~15 µs on `local-task`, while a
1024×1024 matmul runs ~2× faster on `local-task` (it uses every core).  So a
CPU executable starts on `local-sync`, times its first calls, and moves to
`local-task` for good when a call takes longer than `TASK_THRESHOLD_S`.  Both
devices allocate plain host memory, so buffers pass freely between them.
IRAX_CPU_DRIVER=local-sync|local-task pins one driver.
"""
from __future__ import annotations

import functools
import os
import time

import ml_dtypes
import numpy as np
import iree.runtime as rt

from .deploy import copy_to_host
from .once_cache import OnceCache

HAL_ELEMENT_TYPES = {
    "float32": rt.HalElementType.FLOAT_32, "float64": rt.HalElementType.FLOAT_64,
    "float16": rt.HalElementType.FLOAT_16, "bfloat16": rt.HalElementType.BFLOAT_16,
    "int8": rt.HalElementType.SINT_8, "int16": rt.HalElementType.SINT_16,
    "int32": rt.HalElementType.SINT_32, "int64": rt.HalElementType.SINT_64,
    "uint8": rt.HalElementType.UINT_8, "uint16": rt.HalElementType.UINT_16,
    "uint32": rt.HalElementType.UINT_32, "uint64": rt.HalElementType.UINT_64,
    "bool": rt.HalElementType.BOOL_8,
    "complex64": rt.HalElementType.COMPLEX_64, "complex128": rt.HalElementType.COMPLEX_128,
}

# platform name -> (IREE driver, compiler target backend)
PLATFORMS = {
    "cpu": ("local-sync", "llvm-cpu"),
    "vulkan": ("vulkan", "vulkan-spirv"),
    "cuda": ("cuda", "cuda"),
}
_DEVICE_NAMES = {"cpu": "CpuDevice", "vulkan": "VulkanDevice", "cuda": "CudaDevice"}
TASK_THRESHOLD_S = 2e-4
_PROBE_CALLS = 3


class BackendUnavailableError(RuntimeError):
    """The driver or device for a backend is missing on this machine."""


class Backend:
    """One IREE device (irax has one device per platform) and its VM instance."""

    def __init__(self, platform: str):
        if platform not in PLATFORMS:
            raise ValueError(f"unknown backend {platform!r}; known backends: "
                             f"{', '.join(PLATFORMS)}")
        self.platform = platform
        self.id = 0
        self.driver, self.target = PLATFORMS[platform]
        self.pinned = None
        if platform == "cpu":
            self.pinned = os.environ.get("IRAX_CPU_DRIVER") or None
            if self.pinned not in (None, "local-sync", "local-task"):
                import warnings
                warnings.warn(f"irax: ignoring IRAX_CPU_DRIVER={self.pinned!r} (expected "
                              "local-sync or local-task)", RuntimeWarning, stacklevel=2)
                self.pinned = None
            self.driver = self.pinned or self.driver
        self.instance = rt.VmInstance()
        self.device = _open_device(platform, self.driver)
        self.hal_module = rt.create_hal_module(self.instance, self.device)
        self.allocator = self.device.allocator
        self._task = None  # (device, hal module) of local-task, made when first needed

    def __repr__(self):
        return f"{_DEVICE_NAMES[self.platform]}(id={self.id})"

    @property
    def adaptive(self) -> bool:
        """CPU executables may move from local-sync to local-task."""
        return self.platform == "cpu" and self.pinned is None

    def task_device(self):
        if self._task is None:
            dev = rt.get_device("local-task")
            self._task = (dev, rt.create_hal_module(self.instance, dev))
        return self._task

    def put(self, host: np.ndarray, dtype: str):
        """Copy a host array to a new device buffer view."""
        if dtype == "bool":
            host = host.astype(np.uint8)
        elif dtype == "bfloat16":  # rounded to nearest even by ml_dtypes
            host = np.asarray(host).astype(ml_dtypes.bfloat16).view(np.uint16)
        return self.allocator.allocate_buffer_copy(
            memory_type=rt.MemoryType.DEVICE_LOCAL, allowed_usage=rt.BufferUsage.DEFAULT,
            device=self.device, buffer=np.require(host, requirements="C"),
            element_type=HAL_ELEMENT_TYPES[dtype])

    def get(self, bv, shape, dtype: str) -> np.ndarray:
        """Copy a device buffer view to a new host array (bfloat16 as ml_dtypes.bfloat16)."""
        np_dtype = np.dtype({"bool": "uint8", "bfloat16": "uint16"}.get(dtype, dtype))
        if self.platform == "cpu":
            out = np.array(bv.map().asarray(list(shape), np_dtype), copy=True)
        else:
            out = copy_to_host(self.device, bv, shape, np_dtype)
        if dtype == "bool":
            out = out.astype(np.bool_)
        elif dtype == "bfloat16":
            out = out.view(ml_dtypes.bfloat16)
        return out.reshape(shape)

    def load(self, vmfb: bytes, name: str, host_imports=()) -> "Executable":
        return Executable(self, vmfb, name, host_imports)


def _open_device(platform: str, driver: str):
    try:
        return rt.get_device(driver)
    except Exception as e:  # iree raises ValueError/RuntimeError depending on the driver
        avail = [p for p in available_backends() if p != platform]
        raise BackendUnavailableError(
            f"irax backend {platform!r} (IREE driver {driver!r}) is not available on this "
            f"machine: {str(e).splitlines()[0] if str(e) else type(e).__name__}. "
            f"Available backends: {', '.join(avail) or 'none'}") from None


def reshaped(bv, shape):
    """The same device buffer viewed with another shape (no copy)."""
    return rt.HalBufferView(bv.get_buffer(), list(shape), bv.element_type)


class Executable:
    """A compiled module loaded on a backend; calls its function `name`."""

    def __init__(self, backend: Backend, vmfb: bytes, name: str, host_imports=()):
        self.backend = backend
        self.vmfb = vmfb
        self.name = name
        self.module = rt.VmModule.copy_buffer(backend.instance, vmfb)
        self._host = []  # the Python module providing its host callbacks (host_callback.py)
        if host_imports:
            from .host_callback import host_module
            self._host = [host_module(backend, host_imports)]
        self.context = rt.VmContext(backend.instance,
                                    modules=[backend.hal_module, *self._host, self.module])
        self.function = self.module.lookup_function(name)
        if self.function is None:
            raise LookupError(f"compiled module has no function {name!r}")
        self._probe = _PROBE_CALLS if backend.adaptive else 0
        self._fastest = float("inf")

    def __call__(self, buffer_views, num_results: int):
        args = rt.VmVariantList(len(buffer_views))
        for bv in buffer_views:
            if type(bv) is int:  # an index argument (eager kernels' lengths)
                args.push_int(bv)
            else:
                args.push_ref(bv)
        rets = rt.VmVariantList(num_results)
        if self._probe:
            t = time.perf_counter()
            self.context.invoke(self.function, args, rets)
            self._observe(time.perf_counter() - t)
        else:
            self.context.invoke(self.function, args, rets)
        if self._host:  # a host callback that raised: its exception, at the call site
            from .host_callback import take_pending
            error = take_pending()
            if error is not None:
                try:
                    raise error
                finally:
                    error = None  # no cycle through this frame
        return [rets.get_as_object(i, rt.HalBufferView) for i in range(num_results)]

    def _observe(self, seconds: float):
        """After the probe calls, move a slow function to the multi-threaded driver."""
        self._fastest = min(self._fastest, seconds)
        self._probe -= 1
        if self._probe == 0 and self._fastest > TASK_THRESHOLD_S:
            _, hal = self.backend.task_device()
            self.context = rt.VmContext(self.backend.instance,
                                        modules=[hal, *self._host, self.module])
            self.driver = "local-task"

    @property
    def current_driver(self) -> str:
        return getattr(self, "driver", self.backend.driver)


_backends = OnceCache()  # platform -> Backend; concurrent first calls open one device


def get_backend(platform: str = "cpu") -> Backend:
    return _backends.get_or_build(platform, lambda: Backend(platform))


def available_backends() -> list[str]:
    """The platforms whose IREE driver finds a device on this machine."""
    return list(_available_backends())


@functools.cache
def _available_backends() -> tuple[str, ...]:
    found = []
    for platform, (driver, _) in PLATFORMS.items():
        if platform in _backends:
            found.append(platform)
            continue
        try:
            if driver.startswith("local") or rt.get_driver(driver).query_available_devices():
                found.append(platform)
        except Exception:  # noqa: BLE001 - a driver that cannot even be queried is absent
            pass
    return tuple(found)
