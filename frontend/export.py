"""`irax.export`: a function compiled to a standalone IREE module (.vmfb).

The module's public function is named after the Python function (or
`name=`), takes the flattened array arguments and returns the flattened
results, so `iree-run-module --module=f.vmfb --function=f --input=...` runs
it.  Arrays the function closes over (trained weights, say) become constants
in the module.  The signature (shapes, dtypes, pytree structure) is stored in
the function's `iree.reflection` attribute, where the runtime-only loader
`irax.deploy.load` reads it back.  `.save` writes the module with a checksum
trailer that `irax.deploy.load` verifies (IREE tools ignore it); `.vmfb` and
`irax.deploy.read_module(path)` give the bare module bytes.
"""
from __future__ import annotations

import json
import os

import numpy as np

from irax.dialects import emit, get_context, ir
from irax.lowering.compiler import check_target, compile_mlir
from irax.lowering.deploy import SIGNATURE_KEY, with_checksum
from irax.lowering.pipeline import to_linalg_text

from .api import Jitted, fun_name, leaf_aval, trace_function
from .core import Array, IRModule, Tracer, current_trace
from .tree_util import PyTreeDef, tree_flatten

CPU_DRIVER_FOR_TARGET = {"llvm-cpu": "local-task", "vulkan-spirv": "vulkan", "cuda": "cuda"}


class Exported:
    """A compiled, standalone module: `.vmfb` bytes, its signature, `.save(path)`."""

    def __init__(self, vmfb: bytes, signature: dict):
        self.vmfb = vmfb
        self.signature = signature

    name = property(lambda self: self.signature["name"])
    target = property(lambda self: self.signature["target"])
    in_shapes = property(lambda self: [tuple(s["shape"]) for s in self.signature["inputs"]])
    in_dtypes = property(lambda self: [s["dtype"] for s in self.signature["inputs"]])
    out_shapes = property(lambda self: [tuple(s["shape"]) for s in self.signature["outputs"]])
    out_dtypes = property(lambda self: [s["dtype"] for s in self.signature["outputs"]])

    def __repr__(self):
        def specs(ss):
            return ", ".join(f"{s['dtype']}[{','.join(map(str, s['shape']))}]" for s in ss)
        return (f"Exported({self.name}({specs(self.signature['inputs'])}) -> "
                f"({specs(self.signature['outputs'])}), target={self.target}, "
                f"{len(self.vmfb)} bytes)")

    def save(self, path: str) -> str:
        """Write the .vmfb (signature included) and its checksum trailer atomically;
        returns `path`."""
        tmp = f"{path}.tmp{os.getpid()}"
        try:
            with open(tmp, "wb") as f:
                f.write(with_checksum(self.vmfb))
            os.replace(tmp, path)
        except BaseException:
            if os.path.exists(tmp):
                os.remove(tmp)
            raise
        return path

    def iree_run_module_args(self) -> list[str]:
        """`iree-run-module` flags for this module (add `--input=` per argument)."""
        return [f"--function={self.name}", f"--device={CPU_DRIVER_FOR_TARGET[self.target]}"]


def export(fun, *example_args, target: str = "llvm-cpu", name: str | None = None,
           flags=(), cpu: str = "host", **example_kwargs) -> Exported:
    """Compile `fun` at the shapes/dtypes of the example arguments into a standalone module.

    Example arguments may be arrays, NumPy arrays, Python scalars or
    `ShapeDtype(shape, dtype)` placeholders, in pytrees.  Any transformed
    function can be exported: `export(jit(grad(loss)), params, x)`.  `cpu`: the
    CPU an llvm-cpu module is compiled for ("host", or e.g. "x86-64-v3" to run
    it on other machines); `flags`: extra iree-compile flags.
    """
    check_target(target)
    if current_trace() is not None:
        raise RuntimeError("irax.export cannot be called inside a traced function")
    if isinstance(fun, Jitted):
        if fun.static.argnums or fun.static.argnames:
            raise NotImplementedError(
                "export of a jit with static arguments: bind them with functools.partial first")
        fun = fun.fun
    entry = name if name is not None else fun_name(fun)
    if not entry.isidentifier():
        raise ValueError(f"export: entry function name {entry!r} is not an identifier; "
                         "pass name=")
    leaves, in_tree = tree_flatten((example_args, example_kwargs))
    leaves = [_example(x) for x in leaves]
    irm = IRModule()
    traced = trace_function(irm, fun, entry, in_tree, leaves)
    if traced.name != entry:
        raise ValueError(f"export: entry function name {entry!r} is taken; pass another name=")
    _inline_captures(traced.trace)
    signature = {
        "format": 1,
        "name": entry,
        "target": target,
        "inputs": [_spec(leaf_aval(x)[0]) for x in leaves],
        "outputs": [_spec(a) for a in traced.out_avals],
        "in_tree": tree_to_json(in_tree),
        "out_tree": tree_to_json(traced.out_tree),
    }
    signature["cpu"] = cpu if target == "llvm-cpu" else None
    text = _with_signature(to_linalg_text(irm.module, entry, target), entry, signature)
    return Exported(compile_mlir(text, target, name=entry, flags=tuple(flags), cpu=cpu), signature)


class ShapeDtype:
    """An example argument given only by shape and dtype (like jax.ShapeDtypeStruct)."""

    def __init__(self, shape, dtype="float32"):
        self.shape = tuple(int(d) for d in shape)
        self.dtype = np.dtype(dtype).name if dtype != "bfloat16" else "bfloat16"

    def __repr__(self):
        return f"ShapeDtype({self.shape}, {self.dtype})"


def _example(x):
    if isinstance(x, ShapeDtype):
        from . import dtypes
        return np.zeros(x.shape, dtypes.np_dtype(x.dtype))
    if isinstance(x, Tracer):
        raise TypeError("export: example arguments must be concrete values, not tracers")
    return x


def _spec(aval) -> dict:
    return {"shape": list(aval.shape), "dtype": aval.dtype}


def _inline_captures(trace) -> None:
    """Turn the arrays the function closed over into constants (a module takes no extras)."""
    captures = list(trace.captures.values())
    if not captures:
        return
    with get_context(), ir.Location.unknown():
        ip = ir.InsertionPoint.at_block_begin(trace.block)
        with ip:
            for value, arg in captures:
                if not isinstance(value, Array):
                    raise TypeError("export: a traced value from another trace leaked into "
                                    "the exported function")
                (const,) = emit("irax.constant", [], value=np.asarray(value))
                arg.replace_all_uses_with(const)
        for _, arg in sorted(captures, key=lambda c: -c[1].arg_number):
            trace.block.erase_argument(arg.arg_number)
        ftype = ir.FunctionType(ir.TypeAttr(trace.func.attributes["function_type"]).value)
        trace.func.attributes["function_type"] = ir.TypeAttr.get(ir.FunctionType.get(
            [a.type for a in trace.block.arguments], list(ftype.results)))
    trace.captures.clear()


def _with_signature(text: str, entry: str, signature: dict) -> str:
    """`text` with the signature attached to the entry function as reflection metadata."""
    with get_context():
        module = ir.Module.parse(text)
        for f in module.body.operations:
            if ir.StringAttr(f.attributes["sym_name"]).value == entry:
                f.attributes["iree.reflection"] = ir.DictAttr.get(
                    {SIGNATURE_KEY: ir.StringAttr.get(json.dumps(signature, sort_keys=True))})
        return module.operation.get_asm(enable_debug_info=False)


def tree_to_json(tree: PyTreeDef) -> dict:
    """A PyTreeDef in the JSON form `irax.deploy` reads (built-in node types only)."""
    kind = tree.kind
    if kind is None:
        return {"t": "leaf"}
    if kind is type(None):
        return {"t": "none"}
    children = [tree_to_json(c) for c in tree.children]
    if kind is tuple:
        return {"t": "tuple", "c": children}
    if kind is list:
        return {"t": "list", "c": children}
    if kind is dict:
        keys = list(tree.aux)
        if not all(isinstance(k, (str, int)) and not isinstance(k, bool) for k in keys):
            raise TypeError(f"export: dict keys must be str or int to be saved, got {keys}")
        return {"t": "dict", "k": keys, "c": children}
    if kind == "namedtuple":
        return {"t": "namedtuple", "n": tree.aux.__name__, "f": list(tree.aux._fields),
                "c": children}
    raise TypeError(f"export: pytree node type {getattr(kind, '__name__', kind)} cannot be "
                    "saved in a module signature; use tuples, lists, dicts or namedtuples")
