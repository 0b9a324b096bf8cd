"""jit, make_ir and the tracing helper the transformations share."""
from __future__ import annotations

import contextlib
import functools
import inspect
import types
import weakref

import numpy as np

from irax.dialects import Aval, get_context, ir
from irax.lowering.pipeline import clone_module, to_linalg_text

from . import config, dtypes
from .core import Array, IRModule, Trace, Tracer, active_traces, bind, compile_time_eval, \
    current_trace, is_array, name_stack, no_traces
from .eager import device_put_host
from .executor import executable
from .tree_util import tree_flatten


# --------------------------------------------------------------------------
# Turning user values into arrays
# --------------------------------------------------------------------------

def leaf_aval(x) -> tuple[Aval, bool]:
    """(aval, weak_type) of a function argument leaf."""
    if isinstance(x, (Array, Tracer)):
        return x.aval, x.weak_type
    if isinstance(x, (bool, int, float, complex)) and not isinstance(x, np.generic):
        return Aval((), dtypes.python_scalar_dtype(x)), not isinstance(x, bool)
    if isinstance(x, (np.ndarray, np.generic)):
        return Aval(np.shape(x), dtypes.to_dtype(x.dtype)), False
    if isinstance(x, ShapeDtypeStruct):
        return Aval(x.shape, dtypes.to_dtype(x.dtype)), x.weak_type
    raise TypeError(f"argument of type {type(x).__name__} is not a valid irax type; "
                    "pass arrays, Python scalars, or pytrees of them (or mark it static)")


def as_operand(x):
    """An Array or Tracer for `x` in the current context (constants for host values)."""
    if isinstance(x, (Array, Tracer)):
        return x
    aval, weak = leaf_aval(x)
    value = np.asarray(x, dtypes.np_dtype(aval.dtype))
    if current_trace() is None or compile_time_eval.get():
        return device_put_host(value, aval.dtype, weak)
    (t,) = bind("irax.constant", [], value=value)
    t.weak_type = weak
    return t


# --------------------------------------------------------------------------
# Tracing a Python function into a func.func
# --------------------------------------------------------------------------

class Traced:
    """A function traced into `trace.func`: its output structure and values."""

    def __init__(self, trace, out_tree, outs):
        self.trace = trace
        self.out_tree = out_tree
        self.outs = outs

    @property
    def name(self):
        return self.trace.name

    @property
    def out_avals(self):
        return [o.aval for o in self.outs]


def trace_function(irmodule, fun, name, in_tree, leaves, concrete=False, private=False,
                   concretes=None, diff_modes=None) -> Traced:
    """Trace `fun` on abstract versions of `leaves` (a flattened (args, kwargs)).

    `concrete`: the tracers carry the leaves' concrete values (or `concretes`,
    one per leaf, None for an abstract one).  `diff_modes`: the
    differentiating transforms that will differentiate this function
    (default: the enclosing trace's; see differentiation_modes).
    """
    avals_weak = [leaf_aval(x) for x in leaves]
    if diff_modes is None:
        diff_modes = differentiation_modes(inherit=True)
    trace = Trace(irmodule, name, [a for a, _ in avals_weak], concrete=concrete)
    trace.diff_modes = diff_modes
    if private:
        with get_context():
            trace.func.attributes["sym_visibility"] = ir.StringAttr.get("private")
    if concrete and concretes is None:
        concretes = [_concrete(x) for x in leaves]
    tracers = trace.arg_tracers([a for a, _ in avals_weak], [w for _, w in avals_weak],
                                concretes if concrete else None)
    with trace:
        args, kwargs = in_tree.unflatten(tracers)
        out = fun(*args, **kwargs)
        out_leaves, out_tree = tree_flatten(out)
        outs = []
        for o in out_leaves:
            if not (is_array(o) or isinstance(o, (bool, int, float, complex, np.ndarray, np.generic))):
                raise TypeError(f"function {name!r} returned a value of type {type(o).__name__}; "
                                "traced functions must return arrays or pytrees of arrays")
            outs.append(as_operand(o))
    trace.finish(outs)
    return Traced(trace, out_tree, outs)


def differentiation_modes(inherit=False) -> tuple:
    """The differentiating transforms enclosing the current trace, outermost
    first: "vjp" (grad, vjp) or "jvp" (jvp, jacfwd); the `diff_modes` of the
    innermost trace that has them (traces made elsewhere, e.g. control-flow
    regions, inherit their enclosing one's).  A custom_jvp/custom_vjp
    function traces its rules only under one, and only its primal function
    where there is none, as JAX does: so asking (unless only to `inherit`
    them) marks the active traces as depending on them (see _call_traced)."""
    stack = active_traces()
    if not inherit:
        for t in stack:
            t.depends_on_modes = True
    for t in reversed(stack):
        d = getattr(t, "diff_modes", None)
        if d is not None:
            return d
    return ()


def _concrete(x):
    if isinstance(x, Tracer):
        return x._concrete
    if isinstance(x, Array):
        return x
    return as_operand(x) if current_trace() is None else None


def fun_name(fun) -> str:
    while isinstance(fun, functools.partial):
        fun = fun.func
    return getattr(fun, "__name__", "fn").replace("<lambda>", "lambda")


# --------------------------------------------------------------------------
# jit
# --------------------------------------------------------------------------

class _Compiled:
    __slots__ = ("exe", "out_tree", "out_avals", "out_weak", "captured", "backend", "traced_text",
                 "num_out", "single")

    def __init__(self, exe, out_tree, out_avals, out_weak, captured, backend):
        self.exe = exe
        self.out_tree = out_tree
        self.out_avals = out_avals
        self.out_weak = out_weak
        self.captured = captured
        self.backend = backend
        self.num_out = len(out_avals)
        self.single = out_tree.kind is None  # the function returns one array


class _StaticArgs:
    """Splits a call's arguments into static (hashable, part of the key) and dynamic."""

    def __init__(self, fun, static_argnums, static_argnames):
        if isinstance(static_argnums, int):
            static_argnums = (static_argnums,)
        if isinstance(static_argnames, str):
            static_argnames = (static_argnames,)
        self.argnums = tuple(static_argnums or ())
        self.argnames = tuple(static_argnames or ())
        if self.argnums or self.argnames:
            try:
                sig = inspect.signature(fun).parameters.values()
            except (TypeError, ValueError):
                sig = []
            positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
            params = [p.name for p in sig if p.kind in positional]
            if not any(p.kind == inspect.Parameter.VAR_POSITIONAL for p in sig) and params:
                # negative argnums count from the end of the signature, as in JAX
                self.argnums = tuple(n + len(params) if n < 0 else n for n in self.argnums)
            for n in self.argnums:
                if 0 <= n < len(params) and params[n] not in self.argnames:
                    self.argnames += (params[n],)
            for name in self.argnames:
                if name in params and params.index(name) not in self.argnums:
                    self.argnums += (params.index(name),)

    def split(self, args, kwargs):
        if not self.argnums and not self.argnames:
            return args, kwargs, ()
        n = len(args)
        argnums = tuple(i if i >= 0 else i + n for i in self.argnums)
        static = tuple((i, args[i]) for i in argnums if i < n)
        static += tuple(sorted((k, v) for k, v in kwargs.items() if k in self.argnames))
        for _, v in static:
            try:
                hash(v)
            except TypeError:
                raise ValueError(f"static argument {v!r} must be hashable") from None
        dyn_args = tuple(a for i, a in enumerate(args) if i not in argnums)
        dyn_kwargs = {k: v for k, v in kwargs.items() if k not in self.argnames}
        return dyn_args, dyn_kwargs, static

    def bind(self, fun, static):
        """`fun` with the static arguments put back in place."""
        if not static:
            return fun
        pos = {k: v for k, v in static if isinstance(k, int)}
        kw = {k: v for k, v in static if isinstance(k, str)}

        def with_static(*dyn, **dkw):
            args, it = [], iter(dyn)
            total = len(dyn) + len(pos)
            for i in range(total):
                args.append(pos[i] if i in pos else next(it))
            return fun(*args, **dkw, **kw)
        return with_static


# The compiled traces of each function, shared by every jit of it (as JAX
# caches traces by the function's identity: a new `jit(f)` does not re-read
# the globals or closure cells `f` reads).  Weakly keyed, so the cache never
# keeps a function alive; the key inside adds everything else that decides
# the trace (see Jitted.__call__).
_traces: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _traces_of(fun) -> dict:
    try:
        return _traces.setdefault(fun, {})
    except TypeError:  # not weakly referenceable or not hashable: this jit's own cache
        return {}


class Jitted:
    """The function `jit` returns: traced once per signature, compiled once per IR."""

    def __init__(self, fun, static_argnums=(), static_argnames=(), backend=None, device=None,
                 donate_argnums=(), donate_argnames=()):
        if backend is not None and device is not None:
            raise ValueError("jit: pass backend= or device=, not both")
        self.fun = fun
        self.static = _StaticArgs(fun, static_argnums, static_argnames)
        self.placement = backend if backend is not None else device
        self._fixed = None
        self.donate = _Donation(fun, donate_argnums, donate_argnames, self.static)
        self._plain = not (self.static.argnums or self.static.argnames or self.donate)
        self._options = (self.static.argnums, self.static.argnames)
        self._cache = _traces_of(fun)
        self._fast = {}  # (shape, dtype, weak, ... , backend, x64) of all-Array positional calls
        _jitted.add(self)
        functools.update_wrapper(self, fun, updated=())

    def __get__(self, obj, objtype=None):
        """A method: bind `obj` as the first argument, as a function would."""
        if obj is None:
            return self
        return types.MethodType(self, obj)

    def _fixed_backend(self):
        """The backend jit(..., backend=/device=) pins, or None (follow the arguments)."""
        if self._fixed is None and self.placement is not None:
            from .devices import backend_object
            self._fixed = backend_object(self.placement)
        return self._fixed

    def __call__(self, *args, **kwargs):
        if current_trace() is not None:
            return self._call_traced(args, kwargs)
        if config._values["jax_disable_jit"]:
            return self.fun(*args, **kwargs)
        fast = _fast_key(args) if self._plain and not kwargs else None
        if fast is not None:
            entry = self._fast.get(fast)
            if entry is not None:
                bufs = [x._buffer for x in args]
                bufs.extend(entry.captured)
                outs = entry.exe(bufs, entry.num_out)
                backend = entry.backend
                if entry.single:
                    return Array(outs[0], entry.out_avals[0], entry.out_weak[0], backend)
                return entry.out_tree.unflatten(
                    [Array(b, av, w, backend)
                     for b, av, w in zip(outs, entry.out_avals, entry.out_weak)])
        dyn_args, dyn_kwargs, static = self.static.split(args, kwargs)
        leaves, in_tree = tree_flatten((dyn_args, dyn_kwargs))
        sig = []
        arrays = []
        for x in leaves:
            if isinstance(x, Array):
                sig.append((x.aval, x.weak_type))  # as leaf_aval gives for host values
                arrays.append(x)
            else:
                sig.append(leaf_aval(x))
        backend = self._fixed_backend()
        if backend is None:
            from .devices import common_backend
            backend = common_backend(arrays, f"jit({fun_name(self.fun)})")
        key = (in_tree, static, tuple(sig), backend, self._options, config.x64_enabled())
        entry = self._cache.get(key)
        if entry is None:
            entry = self._cache[key] = self._compile(in_tree, static, leaves, backend)
        if fast is not None and fast[-2] is backend:
            self._fast[fast] = entry
        bufs = [x._buffer if isinstance(x, Array) and x.backend is backend else _to_buffer(x, backend)
                for x in leaves]
        bufs.extend(entry.captured)
        donated = self.donate.arrays(args, kwargs) if self.donate else ()
        outs = entry.exe(bufs, len(entry.out_avals))
        for x in donated:  # as in JAX, a donated array is gone once the call has it
            x.delete()
        return entry.out_tree.unflatten(
            [Array(b, av, w, backend) for b, av, w in zip(outs, entry.out_avals, entry.out_weak)])

    def _compile(self, in_tree, static, leaves, backend):
        irm = IRModule()
        traced = trace_function(irm, self.static.bind(self.fun, static), fun_name(self.fun),
                                in_tree, leaves)
        captured = []
        for v in traced.trace.captured_values:
            if not isinstance(v, Array):
                raise TypeError("a traced value from another trace leaked into a jitted function")
            captured.append(v._buffer if v.backend is backend else _to_buffer(v, backend))
        exe = executable(irm.module, traced.name, backend)
        return _Compiled(exe, traced.out_tree, traced.out_avals,
                         [o.weak_type for o in traced.outs], captured, backend)

    def _call_traced(self, args, kwargs):
        """Under another trace: trace into a callee and emit `irax.call`.

        Under an abstract trace the callee is cached with the function's
        other traces (a copy of it, with the functions it calls, in a module
        of its own) and copied into later traces instead of tracing the
        function again, as JAX reuses a jitted function's trace.  A concrete
        trace (eager grad) traces it on its values, each time."""
        parent = current_trace()
        dyn_args, dyn_kwargs, static = self.static.split(args, kwargs)
        leaves, in_tree = tree_flatten((dyn_args, dyn_kwargs))
        leaves = [as_operand(x) for x in leaves]
        key = None
        if not parent.concrete:
            # A trace that asked for the differentiation modes (it calls a
            # custom_jvp/custom_vjp function) is kept for those modes only.
            key = ("under a trace", in_tree, static, tuple((x.aval, x.weak_type) for x in leaves),
                   self._options, config.x64_enabled())
            modes = differentiation_modes(inherit=True)
            hit = self._cache.get(key) or self._cache.get(key + (modes,))
            if hit is not None:
                return hit.call(parent, leaves)
        traced = trace_function(parent.irmodule, self.static.bind(self.fun, static),
                                fun_name(self.fun), in_tree, leaves, concrete=parent.concrete,
                                private=True)
        if key is not None and all(isinstance(v, Array) for v in traced.trace.captured_values):
            if getattr(traced.trace, "depends_on_modes", False):
                key += (modes,)
            self._cache[key] = _TracedCallee(parent.irmodule, traced)
        operands = leaves + traced.trace.captured_values
        outs = bind("irax.call", operands, results=traced.out_avals, callee=traced.name,
                    concretes=[o._concrete for o in traced.outs] if parent.concrete else None)
        for o, inner in zip(outs, traced.outs):
            o.weak_type = inner.weak_type
        return traced.out_tree.unflatten(outs)

    def lower(self, *args, **kwargs):
        """The linalg-level MLIR this call compiles to (text)."""
        return make_ir(self.fun, static_argnums=self.static.argnums,
                       static_argnames=self.static.argnames)(*args, **kwargs).lowered()


class _TracedCallee:
    """A jitted function's trace under another trace, kept for reuse: its
    callee (and what it calls) copied out of the module it was traced in."""

    def __init__(self, irmodule, traced):
        from .transform import import_callee
        self.irmodule = IRModule()
        self.name = import_callee(self.irmodule, irmodule.module, traced.name)
        self.out_tree = traced.out_tree
        self.out_avals = traced.out_avals
        self.out_weak = [o.weak_type for o in traced.outs]
        self.captured = traced.trace.captured_values  # device arrays only

    def call(self, parent, leaves):
        from .transform import import_callee
        name = import_callee(parent.irmodule, self.irmodule.module, self.name)
        outs = bind("irax.call", leaves + self.captured, results=self.out_avals, callee=name)
        for o, w in zip(outs, self.out_weak):
            o.weak_type = w
        return self.out_tree.unflatten(outs)


class _Donation:
    """Which arguments a call donates (`donate_argnums`, `donate_argnames`, as JAX
    counts them: positions among all arguments, static ones included)."""

    def __init__(self, fun, donate_argnums, donate_argnames, static):
        nums = (donate_argnums,) if isinstance(donate_argnums, int) else \
            tuple(donate_argnums or ())
        names = (donate_argnames,) if isinstance(donate_argnames, str) else \
            tuple(donate_argnames or ())
        try:
            params = [p.name for p in inspect.signature(fun).parameters.values()
                      if p.kind in (inspect.Parameter.POSITIONAL_ONLY,
                                    inspect.Parameter.POSITIONAL_OR_KEYWORD)]
        except (TypeError, ValueError):
            params = []
        for n in nums:  # each also donates its name when passed by keyword, and vice versa
            if 0 <= n < len(params) and params[n] not in names:
                names += (params[n],)
        for name in names:
            if name in params and params.index(name) not in nums:
                nums += (params.index(name),)
        bad = [n for n in nums if n in static.argnums] + [n for n in names if n in static.argnames]
        if bad:
            raise ValueError(f"jit: static arguments cannot be donated: {bad}")
        self.argnums, self.argnames = nums, names

    def __bool__(self):
        return bool(self.argnums or self.argnames)

    def arrays(self, args, kwargs) -> list:
        """The irax arrays a call donates; an array donated twice, or donated and
        also passed undonated, is an error (its buffer cannot be both)."""
        donated = {}
        for i, a in enumerate(args):
            if i in self.argnums:
                for x in tree_flatten(a)[0]:
                    if isinstance(x, Array):
                        donated[id(x)] = x
        for k, a in kwargs.items():
            if k in self.argnames:
                for x in tree_flatten(a)[0]:
                    if isinstance(x, Array):
                        donated[id(x)] = x
        n_uses = {}
        for x in tree_flatten((args, kwargs))[0]:
            if isinstance(x, Array):
                n_uses[id(x)] = n_uses.get(id(x), 0) + 1
        for k, x in donated.items():
            if n_uses[k] > 1:
                raise ValueError(f"jit: an array ({x.aval.str_short()}) is donated and also passed "
                                 f"again in the same call (at {_user_line()})")
        return list(donated.values())


def _user_line():
    from .core import user_line
    return user_line()


# Every jit wrapper, so clear_caches can empty their per-call tables too.
_jitted: weakref.WeakSet = weakref.WeakSet()


def _fast_key(args):
    """The signature of a call with positional irax arrays all on one device, else None.

    Such calls (the common case) skip pytree flattening: a jitted tiny
    function's overhead is mostly this bookkeeping (see benchmarks/)."""
    if not args or type(args[0]) is not Array:
        return None
    backend = args[0].backend
    key = []
    for x in args:
        if type(x) is not Array or x.backend is not backend:
            return None
        key += (x.aval.shape, x.aval.dtype, x.weak_type)
    key += (backend, config.x64_enabled())
    return tuple(key)


def _to_buffer(x, backend):
    if isinstance(x, Array):
        return backend.put(np.asarray(x), x.aval.dtype)
    aval, _ = leaf_aval(x)
    return backend.put(np.asarray(x, dtypes.np_dtype(aval.dtype)), aval.dtype)


def jit(fun=None, *, static_argnums=(), static_argnames=(), backend=None, device=None,
        donate_argnums=(), donate_argnames=()):
    """Compile `fun` with IREE: traced once per argument signature.  Donated
    arguments' arrays are deleted by the call (later uses raise, as in JAX)."""
    if fun is None:
        return functools.partial(jit, static_argnums=static_argnums,
                                 static_argnames=static_argnames, backend=backend, device=device,
                                 donate_argnums=donate_argnums, donate_argnames=donate_argnames)
    return Jitted(fun, static_argnums, static_argnames, backend, device, donate_argnums,
                  donate_argnames)


# --------------------------------------------------------------------------
# make_ir
# --------------------------------------------------------------------------

class IRModuleText:
    """The irax-dialect module of a traced function (as `jax.make_jaxpr` gives a jaxpr)."""

    def __init__(self, module, entry, out_tree, outs=()):
        self.module = module
        self.entry = entry
        self.out_tree = out_tree
        self.outs = list(outs)

    def text(self, debug_info=False) -> str:
        with get_context():
            return self.module.operation.get_asm(enable_debug_info=debug_info)

    def __str__(self):
        return self.text()

    def __repr__(self):
        return self.text()

    def expanded(self) -> str:
        """The module after expanding higher-order ops and simplifying."""
        from irax.dialects.expand import expand_all
        from irax.dialects.simplify import simplify
        m = clone_module(self.module)
        with get_context():
            expand_all(m)
            simplify(m)
            return m.operation.get_asm(enable_debug_info=False)

    def lowered(self, target: str = "llvm-cpu") -> str:
        """The linalg-level module handed to IREE for compile target `target`."""
        return to_linalg_text(clone_module(self.module), self.entry, target)


def make_ir(fun, static_argnums=(), static_argnames=()):
    """`make_ir(f)(*args)`: the irax-dialect module of `f` at these arguments."""
    static = _StaticArgs(fun, static_argnums, static_argnames)

    def make(*args, **kwargs):
        dyn_args, dyn_kwargs, st = static.split(args, kwargs)
        leaves, in_tree = tree_flatten((dyn_args, dyn_kwargs))
        irm = IRModule()
        with no_traces():
            traced = trace_function(irm, static.bind(fun, st), fun_name(fun), in_tree, leaves)
        return IRModuleText(irm.module, traced.name, traced.out_tree, traced.outs)
    return make


def make_jaxpr(fun, static_argnums=(), axis_env=None, return_shape=False):
    """`jax.make_jaxpr`: `make_jaxpr(f)(*args)` is the irax-dialect module of `f`
    (irax's IR stands in for a jaxpr); with `return_shape`, also the outputs'
    ShapeDtypeStructs."""
    if axis_env is not None:
        raise NotImplementedError("make_jaxpr: axis_env (named axes) is not supported by irax")
    make = make_ir(fun, static_argnums=static_argnums)

    @functools.wraps(fun, updated=())
    def make_jaxpr_f(*args, **kwargs):
        text = make(*args, **kwargs)
        if not return_shape:
            return text
        return text, text.out_tree.unflatten([ShapeDtypeStruct(o.aval.shape, o.aval.dtype,
                                                               weak_type=o.weak_type)
                                              for o in text.outs])
    return make_jaxpr_f


# --------------------------------------------------------------------------
# Shapes without running: ShapeDtypeStruct, eval_shape, typeof
# --------------------------------------------------------------------------

class ShapeDtypeStruct:
    """An array's shape, dtype and weak type, standing in for it (jax.ShapeDtypeStruct)."""

    __slots__ = ("shape", "dtype", "weak_type", "sharding")

    def __init__(self, shape, dtype, *, sharding=None, weak_type=False):
        self.shape = tuple(int(d) for d in shape)
        try:
            self.dtype = dtypes.np_dtype(dtype) if dtype == "bfloat16" else np.dtype(dtype)
        except TypeError:
            self.dtype = dtypes.np_dtype(dtypes.to_dtype(dtype))
        self.weak_type = bool(weak_type)
        self.sharding = sharding

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def size(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64))

    def __len__(self):
        if not self.shape:
            raise TypeError("len() of unsized object")
        return self.shape[0]

    def __eq__(self, other):
        return (isinstance(other, ShapeDtypeStruct) and self.shape == other.shape
                and self.dtype == other.dtype and self.weak_type == other.weak_type)

    def __hash__(self):
        return hash((self.shape, self.dtype, self.weak_type))

    def __repr__(self):
        weak = ", weak_type=True" if self.weak_type else ""
        return f"ShapeDtypeStruct(shape={self.shape}, dtype={self.dtype.name}{weak})"


def _struct_of(value) -> ShapeDtypeStruct:
    aval, weak = leaf_aval(value)
    return ShapeDtypeStruct(aval.shape, aval.dtype, weak_type=weak)


def eval_shape(fun, *args, **kwargs):
    """The ShapeDtypeStructs of `fun(*args, **kwargs)`: `fun` is traced on abstract
    values (arrays or ShapeDtypeStructs), never compiled or run."""
    leaves, in_tree = tree_flatten((args, kwargs))
    for x in leaves:
        leaf_aval(x)  # a TypeError naming the bad argument type
    with no_traces():
        traced = trace_function(IRModule(), fun, fun_name(fun), in_tree, leaves)
    return traced.out_tree.unflatten([ShapeDtypeStruct(o.aval.shape, o.aval.dtype,
                                                       weak_type=o.weak_type)
                                      for o in traced.outs])


def typeof(x) -> ShapeDtypeStruct:
    """The abstract type of `x` (shape, dtype, weak type), as `jax.typeof`."""
    return _struct_of(x)


# --------------------------------------------------------------------------
# Host transfers, caches, disabling jit
# --------------------------------------------------------------------------

def device_get(x):
    """Every irax array in pytree `x` as a NumPy array (other leaves unchanged)."""
    def get(v):
        if isinstance(v, Tracer):
            return v.__array__()  # a ConcretizationTypeError under jit, as in JAX
        return np.asarray(v) if isinstance(v, Array) else v
    from .tree_util import tree_map
    return tree_map(get, x)


def clear_caches():
    """Drop every in-memory trace and compiled executable (IREE's disk cache stays)."""
    from . import eager, executor
    for j in list(_jitted):
        j._fast.clear()
    for d in list(_traces.values()):
        d.clear()
    executor._executables.clear()
    eager._plans.clear()
    eager._kernels.clear()


@contextlib.contextmanager
def disable_jit(disable: bool = True):
    """Within the block, jitted functions run their Python eagerly (op by op)."""
    before = config._values["jax_disable_jit"]
    config._values["jax_disable_jit"] = bool(disable)
    try:
        yield
    finally:
        config._values["jax_disable_jit"] = before


@contextlib.contextmanager
def ensure_compile_time_eval():
    """Within the block, ops whose operands are all concrete run now, even under
    jit (their results are concrete arrays, usable in Python control flow);
    ops on traced values are still traced."""
    token = compile_time_eval.set(True)
    try:
        yield
    finally:
        compile_time_eval.reset(token)


# --------------------------------------------------------------------------
# Names in the IR: named_scope / named_call
# --------------------------------------------------------------------------

@contextlib.contextmanager
def named_scope(name: str):
    """Ops traced in the block get MLIR location `loc("outer/name"(file:line))`."""
    if not isinstance(name, str):
        raise TypeError(f"named_scope name must be a string, got {type(name).__name__}")
    token = name_stack.set(name_stack.get() + (name,))
    try:
        yield
    finally:
        name_stack.reset(token)


def named_call(fun, *, name: str | None = None):
    """`fun` with the ops it traces named `name` (default: its __name__)."""
    scope = name if name is not None else fun_name(fun)

    @functools.wraps(fun)
    def named(*args, **kwargs):
        with named_scope(scope):
            return fun(*args, **kwargs)
    return named


# --------------------------------------------------------------------------
# closure_convert
# --------------------------------------------------------------------------

class _Hoisted:
    """A trace seen without its captures: they are passed explicitly instead."""

    def __init__(self, trace):
        self.irmodule = trace.irmodule
        self.name = trace.name
        self.captured_values = []


def closure_convert(fun, *example_args):
    """`(f, consts)` with `f(*args, *consts) == fun(*args)`: the traced values
    `fun` closes over, made explicit (as `jax.closure_convert`, e.g. for a
    custom_vjp function that closes over traced values; closed-over concrete
    arrays stay inside).  `fun` is traced once, at the shapes of `example_args`."""
    from .transform import apply_higher_order, trace_callee
    leaves, in_tree = tree_flatten((tuple(example_args), {}))
    traced = trace_callee(fun, fun_name(fun), in_tree, leaves, concrete=False)
    captured = list(traced.trace.captured_values)
    hoist = [i for i, c in enumerate(captured) if isinstance(c, Tracer)]  # as JAX: traced ones
    consts = [captured[i] for i in hoist]
    n_args = len(example_args)
    hoisted = Traced(_Hoisted(traced.trace), traced.out_tree, traced.outs)

    @functools.wraps(fun)
    def converted(*args):
        if len(args) != n_args + len(consts):
            raise TypeError(f"closure_convert: the converted {fun_name(fun)} takes {n_args} "
                            f"arguments and {len(consts)} constants, got {len(args)} values")
        arg_leaves, tree = tree_flatten((tuple(args[:n_args]), {}))
        if tree != in_tree:
            raise TypeError(f"closure_convert: argument structure {tree} differs from the "
                            f"example arguments' {in_tree}")
        full = list(captured)
        for i, c in zip(hoist, args[n_args:]):
            full[i] = c
        operands = [as_operand(x) for x in arg_leaves] + [as_operand(c) for c in full]
        wants = [leaf_aval(v)[0] for v in leaves] + [c.aval for c in captured]
        for x, want in zip(operands, wants):
            if x.aval != want:
                raise TypeError(f"closure_convert: got {x.aval.str_short()} where the trace has "
                                f"{want.str_short()}")
        outs = apply_higher_order("irax.call", hoisted, operands, traced.out_avals)
        for o, inner in zip(outs, traced.outs):
            o.weak_type = inner.weak_type
        return traced.out_tree.unflatten(outs)
    return converted, consts
