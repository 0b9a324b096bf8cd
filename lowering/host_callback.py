"""Host callbacks at run time: `irax.host_callback` → a call of an imported function.

The op lowers to `func.call @irax_host.<key>(tensors...)` with a private
declaration of that function; IREE turns it into a VM import taking and
returning `!hal.buffer_view`s, called synchronously when the program reaches
it (its operands are ready then).  `host_module` builds the VM module named
`irax_host` that provides those imports from Python: each export copies its
operands to NumPy, calls the registered function and returns new device
buffers.  A callback that raises is not raised into IREE: the program
finishes without calling Python again and `Executable` raises that exception
when the call returns (`take_pending`).
"""
from __future__ import annotations

import re
import threading

import numpy as np
import iree.runtime as rt
from iree.compiler import ir
from iree.compiler.dialects import func

from . import builders as B
from .to_linalg import lowering

MODULE = "irax_host"
SIGNATURES = {}  # key -> (operand avals, result avals), recorded when lowered
_IMPORT = re.compile(r"@" + MODULE + r"\.(\w+)")
_pending = threading.local()


@lowering("irax.host_callback")
def lower_host_callback(c):
    key = c.attrs["callback"]
    SIGNATURES[key] = (c.in_avals, c.out_avals)
    name = f"{MODULE}.{key}"
    module = c.op.operation
    while module.name != "builtin.module":
        module = module.parent
    body = module.regions[0].blocks[0]
    if not any(ir.StringAttr(f.attributes["sym_name"]).value == name for f in body.operations):
        ftype = ir.FunctionType.get([B.lowered_type(a) for a in c.in_avals],
                                    [B.lowered_type(a) for a in c.out_avals])
        with ir.InsertionPoint.at_block_begin(body), ir.Location.unknown():
            decl = func.FuncOp(name, ftype)
            decl.attributes["sym_visibility"] = ir.StringAttr.get("private")
    call = func.CallOp([B.lowered_type(a) for a in c.out_avals], ir.FlatSymbolRefAttr.get(name),
                       c.operands)
    return list(call.results)


def imports_of(text: str) -> list:
    """The host-callback keys a lowered module's text imports."""
    return sorted(set(_IMPORT.findall(text)))


def host_module(backend, keys):
    """The `irax_host` VM module exporting the callbacks `keys` for `backend`."""
    from irax.dialects.host_callback import CALLBACKS
    iface = rt.PyModuleInterface(MODULE, lambda iface: None)
    for key in keys:
        ins, outs = SIGNATURES[key]
        cconv = "0" + "r" * len(ins) + "_" + ("r" * len(outs) or "v")
        iface.export(key, cconv, _export(backend, CALLBACKS[key], ins, outs))
    return iface.create()


def _export(backend, fn, ins, outs):
    def call(_state, *refs):
        if getattr(_pending, "error", None) is None:
            try:
                return _refs(_run(backend, fn, refs, ins, outs))
            except Exception as e:  # re-raised by Executable when the call returns
                tb = e.__traceback__  # from the user's function on: no frame holding VM refs
                while tb is not None and tb.tb_frame.f_code.co_filename == __file__:
                    tb = tb.tb_next
                _pending.error = e.with_traceback(tb)
                refs = None
        # After a failure the program runs to its end without calling Python
        # again (raising into IREE's VM would leak its frames); its results
        # are never seen.
        return _refs([backend.put(np.zeros(a.shape, _np_dtype(a.dtype)), a.dtype) for a in outs])
    return call


def _run(backend, fn, refs, ins, outs):
    """The result buffers of `fn` on the operand buffers `refs`."""
    arrays = [backend.get(r.deref(rt.HalBufferView), a.shape, a.dtype) for r, a in zip(refs, ins)]
    results = fn(*arrays)
    if not outs:
        return []
    results = list(results)
    if len(results) != len(outs):
        raise TypeError(f"host callback returned {len(results)} values; expected {len(outs)}")
    bufs = []
    for r, a in zip(results, outs):
        r = np.asarray(r)
        if r.shape != tuple(a.shape):
            raise TypeError(f"host callback returned an array of shape {r.shape}; expected "
                            f"{tuple(a.shape)} (result_shape_dtypes)")
        bufs.append(backend.put(r.astype(_np_dtype(a.dtype), copy=False), a.dtype))
    return bufs


def _refs(bufs):
    if not bufs:
        return None
    return bufs[0].ref if len(bufs) == 1 else tuple(b.ref for b in bufs)


def _np_dtype(dtype):
    if dtype == "bfloat16":
        import ml_dtypes
        return ml_dtypes.bfloat16
    return np.dtype(dtype)


def take_pending():
    """The exception a host callback raised in this thread's last call, if any."""
    e = getattr(_pending, "error", None)
    _pending.error = None
    return e
