"""The runtime-only loader for modules written by `irax.export(...).save(path)`.

This file imports only the standard library, numpy and `iree.runtime` (never
`iree.compiler`, nor the rest of irax), so a deployment machine needs only
`pip install numpy iree-base-runtime` and this one file:

    import deploy                      # a copy of this file (irax.deploy.__file__)
    predict = deploy.load("model.vmfb")
    probs = predict(params, images)    # numpy in, numpy (pytrees) out

The module's entry function carries its signature (argument and result
shapes, dtypes and pytree structure) as JSON in its `iree.reflection`
attribute `irax.signature`, so the .vmfb is the only file to ship.

Saved files are checksummed: `.save` appends a 48-byte trailer (SHA-256 of
everything before it, that length, and a magic) that `load` verifies before
IREE sees a byte, so a damaged file raises `CorruptModuleError` instead of
crashing the process or computing wrong answers.  IREE ignores trailing
bytes, and the trailer is written as the module's ZIP archive comment, so
`iree-run-module` and `unzip -l` still read the file as it is.
`read_module(path)` returns the verified module bytes (what `export(...).vmfb`
holds); a module without a trailer (from `iree-compile`) loads unverified.
"""
from __future__ import annotations

import collections
import hashlib
import json
import struct

import numpy as np
import iree.runtime as rt

SIGNATURE_KEY = "irax.signature"
DRIVERS = {"llvm-cpu": "local-task", "vulkan-spirv": "vulkan", "cuda": "cuda"}

_HAL_TYPES = {
    "float32": "FLOAT_32", "float64": "FLOAT_64", "float16": "FLOAT_16", "bfloat16": "BFLOAT_16",
    "int8": "SINT_8", "int16": "SINT_16", "int32": "SINT_32", "int64": "SINT_64",
    "uint8": "UINT_8", "uint16": "UINT_16", "uint32": "UINT_32", "uint64": "UINT_64",
    "bool": "BOOL_8",
}


TRAILER_MAGIC = b"IRAXSUM1"
_TRAILER = struct.Struct("<32sQ8s")  # sha256(module), len(module), magic
_EOCD = b"PK\x05\x06"  # a ZIP end-of-central-directory record (22 bytes, then its comment)


class CorruptModuleError(ValueError):
    """A saved module failed its checksum: the file is damaged or truncated."""


def with_checksum(vmfb: bytes) -> bytes:
    """`vmfb` followed by the checksum trailer, as `Exported.save` writes it.

    When the module is a ZIP archive (IREE's usual layout) whose comment is
    empty, the trailer becomes that comment, so the file stays a valid ZIP."""
    if len(vmfb) >= 22 and vmfb[-22:-18] == _EOCD and vmfb[-2:] == b"\0\0":
        vmfb = vmfb[:-2] + struct.pack("<H", _TRAILER.size)
    return vmfb + _TRAILER.pack(hashlib.sha256(vmfb).digest(), len(vmfb), TRAILER_MAGIC)


def verified(blob: bytes, origin: str = "module") -> bytes:
    """The module bytes of a saved file, checked against its trailer.

    Raises CorruptModuleError when the checksum, the length or the trailer
    itself is damaged, or when a file without a trailer does not end like a
    complete IREE module (truncated)."""
    tail = blob[-8:]
    damaged = sum(bin(a ^ b).count("1") for a, b in zip(tail, TRAILER_MAGIC))
    if len(blob) >= _TRAILER.size and tail == TRAILER_MAGIC:
        checksum, length, _ = _TRAILER.unpack(blob[-_TRAILER.size:])
        body = blob[:-_TRAILER.size]
        if length != len(body):
            raise CorruptModuleError(
                f"{origin}: the module is truncated or corrupt (its trailer records "
                f"{length} bytes, the file holds {len(body)}); write it again with "
                "irax.export(...).save()")
        if hashlib.sha256(body).digest() != checksum:
            raise CorruptModuleError(f"{origin}: checksum mismatch, the module file is "
                                     "corrupt; write it again with irax.export(...).save()")
        return body
    if len(tail) == 8 and damaged <= 16:  # the magic itself, with a few bits flipped
        raise CorruptModuleError(f"{origin}: the module's checksum trailer is corrupt")
    if _complete_zip(blob):
        return blob  # a plain module from iree-compile: loaded unverified
    raise CorruptModuleError(f"{origin}: not a complete IREE module (truncated, corrupt, or "
                             "not a .vmfb)")


def _complete_zip(blob: bytes) -> bool:
    """Whether `blob` ends exactly where its ZIP end record (and comment) says it does."""
    at = blob.rfind(_EOCD, max(0, len(blob) - 22 - 0xFFFF))
    return at >= 0 and at + 22 <= len(blob) and \
        at + 22 + struct.unpack_from("<H", blob, at + 20)[0] == len(blob)


def read_module(path: str) -> bytes:
    """The verified module bytes of a file written by `irax.export(...).save(path)`."""
    with open(path, "rb") as f:
        return verified(f.read(), path)


def load(path: str, driver: str | None = None) -> "Loaded":
    """Load a saved module; returns a callable taking and returning pytrees of arrays.

    The file's checksum is verified first (CorruptModuleError if it fails)."""
    return Loaded(read_module(path), driver=driver, origin=path)


def read_signature(vmfb: bytes) -> dict:
    """The signature stored in a module's entry function (no device needed)."""
    instance = rt.VmInstance()
    return _find_entry(rt.VmModule.copy_buffer(instance, vmfb), "module")[1]


def _find_entry(module, origin):
    for name in module.function_names:
        fn = module.lookup_function(name)
        sig = (fn.reflection or {}).get(SIGNATURE_KEY) if fn is not None else None
        if sig is not None:
            return fn, json.loads(sig)
    raise ValueError(f"{origin}: no function with an irax signature; was it written by "
                     "irax.export(...).save() or irax-compile?")


class Loaded:
    """A deployed module's entry function as a Python callable."""

    def __init__(self, vmfb: bytes, driver: str | None = None, origin: str = "module"):
        self.instance = rt.VmInstance()
        self.module = rt.VmModule.copy_buffer(self.instance, vmfb)
        self.function, self.signature = _find_entry(self.module, origin)
        self.name = self.signature["name"]
        target = self.signature["target"]
        self.driver = driver or DRIVERS.get(target)
        if self.driver is None:
            raise ValueError(f"{origin}: unknown target {target!r}; pass driver=")
        try:
            self.device = rt.get_device(self.driver)
        except Exception as e:
            raise RuntimeError(f"{origin} was compiled for {target}, but IREE driver "
                               f"{self.driver!r} is not usable here: {e}") from None
        hal = rt.create_hal_module(self.instance, self.device)
        self.context = rt.VmContext(self.instance, modules=[hal, self.module])
        self.in_specs = self.signature["inputs"]
        self.out_specs = self.signature["outputs"]

    def __repr__(self):
        ins = ", ".join(_spec_str(s) for s in self.in_specs)
        outs = ", ".join(_spec_str(s) for s in self.out_specs)
        return f"<deployed {self.name}({ins}) -> ({outs}) on {self.driver}>"

    def __call__(self, *args, **kwargs):
        leaves = []
        args_tree, kwargs_tree = self.signature["in_tree"]["c"]
        try:
            _flatten_as(args_tree, args, "args", leaves)
            _flatten_as(kwargs_tree, kwargs, "kwargs", leaves)
        except TypeError as e:
            raise TypeError(f"{self.name}: {e}") from None
        if len(leaves) != len(self.in_specs):
            raise TypeError(f"{self.name}: expected {len(self.in_specs)} array arguments, "
                            f"got {len(leaves)}")
        inputs = rt.VmVariantList(len(leaves))
        for i, ((where, x), spec) in enumerate(zip(leaves, self.in_specs)):
            inputs.push_ref(self._put(_check_input(self.name, i, where, x, spec), spec["dtype"]))
        results = rt.VmVariantList(len(self.out_specs))
        self.context.invoke(self.function, inputs, results)
        outs = [self._get(results.get_as_object(i, rt.HalBufferView), spec)
                for i, spec in enumerate(self.out_specs)]
        return _unflatten(self.signature["out_tree"], iter(outs))

    def _put(self, host: np.ndarray, dtype: str):
        if dtype == "bool":
            host = host.astype(np.uint8)
        return self.device.allocator.allocate_buffer_copy(
            memory_type=rt.MemoryType.DEVICE_LOCAL, allowed_usage=rt.BufferUsage.DEFAULT,
            device=self.device, buffer=np.require(host, requirements="C"),  # keeps 0-d arrays 0-d
            element_type=getattr(rt.HalElementType, _HAL_TYPES[dtype]))

    def _get(self, bv, spec) -> np.ndarray:
        dtype = spec["dtype"]
        out = copy_to_host(self.device, bv, spec["shape"], np.dtype("uint8" if dtype == "bool"
                                                                    else dtype))
        return out.astype(np.bool_) if dtype == "bool" else out


def copy_to_host(device, bv, shape, np_dtype) -> np.ndarray:
    """Device → host through a mappable staging buffer.

    Works on every driver: GPU results are not host-mappable, and IREE's
    `DeviceArray.to_host()` imports numpy memory, which Vulkan drivers such as
    lavapipe reject (minImportedHostPointerAlignment 4096).
    """
    src = bv.get_buffer()
    n = src.byte_length()
    if n == 0:
        return np.zeros(shape, np_dtype)
    staging = device.allocator.allocate_buffer(
        memory_type=rt.MemoryType.HOST_LOCAL | rt.MemoryType.DEVICE_VISIBLE,
        allowed_usage=rt.BufferUsage.TRANSFER_TARGET | rt.BufferUsage.MAPPING_SCOPED,
        allocation_size=n)
    sem = device.create_semaphore(0)
    device.queue_copy(src, staging, [], [(sem, 1)])
    sem.wait(1)
    out = np.array(staging.map().asarray([n // np_dtype.itemsize], np_dtype), copy=True)
    return out[:int(np.prod(shape, dtype=np.int64))].reshape(shape)


def _spec_str(spec) -> str:
    return f"{spec['dtype']}[{','.join(map(str, spec['shape']))}]"


def _check_input(name, i, where, x, spec) -> np.ndarray:
    want = np.dtype("bool" if spec["dtype"] == "bool" else spec["dtype"]) \
        if spec["dtype"] != "bfloat16" else None
    arr = np.asarray(x)
    if want is not None and arr.dtype != want:
        if isinstance(x, (bool, int, float)) or arr.dtype.kind == want.kind:  # f64 -> f32 ok
            arr = arr.astype(want)
        else:
            raise TypeError(f"{name}: argument {where} has dtype {arr.dtype}, expected "
                            f"{spec['dtype']}")
    if list(arr.shape) != list(spec["shape"]):
        raise ValueError(f"{name}: argument {where} has shape {list(arr.shape)}, expected "
                         f"{_spec_str(spec)}")
    return arr


# --------------------------------------------------------------------------
# Pytree structure as JSON: {"t": "leaf" | "none" | "tuple" | "list" | "dict" |
# "namedtuple", "c": children, "k": dict keys, "n"/"f": namedtuple name/fields}
# --------------------------------------------------------------------------

def _flatten_as(tree, x, where, leaves):
    t = tree["t"]
    if t == "leaf":
        leaves.append((where, x))
        return
    if t == "none":
        if x is not None:
            raise TypeError(f"argument {where}: expected None, got {type(x).__name__}")
        return
    if t == "dict":
        if not isinstance(x, dict) or sorted(map(repr, x)) != sorted(map(repr, tree["k"])):
            raise TypeError(f"argument {where}: expected a dict with keys "
                            f"{tree['k']}, got {_describe(x)}")
        items = [(f"{where}[{k!r}]", x[k]) for k in tree["k"]]
    else:
        want = {"tuple": tuple, "list": list, "namedtuple": tuple}[t]
        if not isinstance(x, want) or len(x) != len(tree["c"]):
            raise TypeError(f"argument {where}: expected a {t} of length "
                            f"{len(tree['c'])}, got {_describe(x)}")
        items = [(f"{where}[{i}]", v) for i, v in enumerate(x)]
    for child, (w, v) in zip(tree["c"], items):
        _flatten_as(child, v, w, leaves)


def _describe(x) -> str:
    if isinstance(x, dict):
        return f"a dict with keys {list(x)}"
    if isinstance(x, (list, tuple)):
        return f"a {type(x).__name__} of length {len(x)}"
    return type(x).__name__


def _unflatten(tree, it):
    t = tree["t"]
    if t == "leaf":
        return next(it)
    if t == "none":
        return None
    children = [_unflatten(c, it) for c in tree["c"]]
    if t == "tuple":
        return tuple(children)
    if t == "list":
        return children
    if t == "dict":
        return dict(zip(tree["k"], children))
    if t == "namedtuple":
        return collections.namedtuple(tree["n"], tree["f"])(*children)
    raise ValueError(f"unknown pytree node {t!r} in the module's signature")
