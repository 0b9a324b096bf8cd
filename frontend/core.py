"""Tracing: Python calls on tracers become irax ops in a func.func.

A `Trace` records one function.  Every primitive call goes through `bind`,
which either emits one irax op into the innermost active trace (with the
user's file:line as its location) or, with no trace active, runs the op
eagerly on device arrays.  Values from outside a trace (device arrays, or
tracers of an enclosing trace) are captured as extra function arguments.
"""
from __future__ import annotations

import contextlib
import contextvars
import os
import sys

import numpy as np
from iree.compiler.dialects import func

import irax.dialects
import irax.lowering
from irax.dialects import Aval, aval_of, emit, get_context, ir, tensor_type

# Frames in irax's own packages are skipped when looking for the user's line.
_PKG_DIRS = tuple(os.path.dirname(os.path.abspath(p)) + os.sep
                  for p in (__file__, irax.dialects.__file__, irax.lowering.__file__))


class ConcretizationTypeError(TypeError):
    """A traced value was used where Python needs a concrete one."""


class UnexpectedTracerError(RuntimeError):
    """A tracer outlived the trace that made it."""


def user_frame():
    """The innermost frame outside irax: the user's code."""
    f = sys._getframe(1)
    while f is not None and f.f_code.co_filename.startswith(_PKG_DIRS):
        f = f.f_back
    return f


# Inside api.ensure_compile_time_eval: ops on concrete values run now, even under a trace.
compile_time_eval: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "irax_compile_time_eval", default=False)

# The active `named_scope`/`named_call` names, outermost first (api.named_scope).
name_stack: contextvars.ContextVar[tuple] = contextvars.ContextVar("irax_name_stack", default=())


def user_location() -> ir.Location:
    """The location of the user's line that called into irax (a NameLoc
    "outer/inner" around it inside named scopes)."""
    f = user_frame()
    with get_context():
        loc = ir.Location.unknown() if f is None else \
            ir.Location.file(f.f_code.co_filename, f.f_lineno, 0)
        names = name_stack.get()
        return ir.Location.name("/".join(names), childLoc=loc) if names else loc


def user_line() -> str:
    f = user_frame()
    return f"{f.f_code.co_filename}:{f.f_lineno}" if f is not None else "<unknown>"


# --------------------------------------------------------------------------
# Modules and traces
# --------------------------------------------------------------------------

class IRModule:
    """An ir.Module being built, with unique function names."""

    def __init__(self):
        with get_context(), ir.Location.unknown():
            self.module = ir.Module.create()
        self.names = set()

    def unique_name(self, name: str) -> str:
        name = "".join(ch if ch.isalnum() or ch == "_" else "_" for ch in name) or "f"
        if name[0].isdigit():
            name = "f_" + name
        base, i = name, 0
        while name in self.names:
            i += 1
            name = f"{base}_{i}"
        self.names.add(name)
        return name


# The active traces, innermost last.  Per thread (and per asyncio task): a
# thread tracing one function never sees another thread's trace.  Only
# `Trace.__enter__/__exit__` and `no_traces` change it.
_trace_stack: contextvars.ContextVar[tuple] = contextvars.ContextVar("irax_trace_stack",
                                                                     default=())


def current_trace():
    stack = _trace_stack.get()
    return stack[-1] if stack else None


def active_traces() -> tuple:
    """This thread's active traces, outermost first."""
    return _trace_stack.get()


@contextlib.contextmanager
def no_traces():
    """Run with every trace suspended: ops run eagerly on concrete values (how a
    concrete trace computes the values Python control flow asks for)."""
    token = _trace_stack.set(())
    try:
        yield
    finally:
        _trace_stack.reset(token)


class Trace:
    """Records the body of one func.func in `irmodule`.

    `concrete`: tracers also carry concrete values (eager grad/jvp), so
    Python control flow on them works.
    """

    def __init__(self, irmodule: IRModule, name: str, arg_avals, concrete=False):
        self.irmodule = irmodule
        self.name = irmodule.unique_name(name)
        self.concrete = concrete
        self.captures = {}  # id(outer value) -> (outer value, block argument)
        self.finished = False
        self._tokens = []  # contextvar tokens of the enclosing __enter__s
        with get_context(), ir.Location.unknown():
            ftype = ir.FunctionType.get([tensor_type(a) for a in arg_avals], [])
            with ir.InsertionPoint(irmodule.module.body):
                self.func = func.FuncOp(self.name, ftype)
            self.block = self.func.add_entry_block()
        self.ip = ir.InsertionPoint(self.block)

    def __enter__(self):
        self._tokens.append(_trace_stack.set(_trace_stack.get() + (self,)))
        return self

    def __exit__(self, *exc):
        _trace_stack.reset(self._tokens.pop())

    def arg_tracers(self, avals, weak_types, concretes=None):
        concretes = concretes or [None] * len(avals)
        return [Tracer(self, v, a, w, c)
                for v, a, w, c in zip(self.block.arguments, avals, weak_types, concretes)]

    def lift(self, x) -> ir.Value:
        """The value of `x` inside this trace, capturing it if it is from outside."""
        if isinstance(x, Tracer):
            if x._trace is self:
                return x._value
            if x._trace.finished:
                raise UnexpectedTracerError(
                    f"a value traced in '{x._trace.name}' was used after that trace ended "
                    f"(at {user_line()}); return it from the function instead of storing it")
        elif not isinstance(x, Array):
            raise TypeError(f"cannot lift {type(x).__name__} into a trace")
        key = id(x)
        hit = self.captures.get(key)
        if hit is not None:
            return hit[1]
        with get_context(), ir.Location.unknown():
            arg = self.block.add_argument(tensor_type(x.aval), ir.Location.unknown())
        self.captures[key] = (x, arg)
        return arg

    @property
    def captured_values(self):
        return [v for v, _ in self.captures.values()]

    def finish(self, outs) -> list[Aval]:
        """Return `outs` (tracers or arrays) from the function and seal it."""
        self.seal([self.lift(o) for o in outs])
        return [o.aval for o in outs]

    def seal(self, values) -> None:
        """Return the SSA `values` and fix the function type (captures included)."""
        with get_context(), ir.Location.unknown():
            with self.ip:
                func.ReturnOp(values)
            arg_types = [a.type for a in self.block.arguments]
            self.func.attributes["function_type"] = ir.TypeAttr.get(
                ir.FunctionType.get(arg_types, [v.type for v in values]))
        self.finished = True


# --------------------------------------------------------------------------
# Array values: concrete device arrays and tracers share their methods
# --------------------------------------------------------------------------

class Tracer:
    """A traced array value: an SSA value in a trace, with shape and dtype."""

    __slots__ = ("_trace", "_value", "aval", "weak_type", "_concrete", "__weakref__")
    __array_priority__ = 100

    def __init__(self, trace, value, aval, weak_type=False, concrete=None):
        self._trace = trace
        self._value = value
        self.aval = aval
        self.weak_type = weak_type
        self._concrete = concrete

    def __repr__(self):
        return f"Traced<{self.aval.str_short()}>"

    def _concrete_value(self, what):
        if self._concrete is not None:
            return self._concrete
        raise ConcretizationTypeError(
            f"{what} of a traced value ({self.aval.str_short()}) at {user_line()}: the value is "
            "not known while tracing under jit. Use irax.lax.cond / irax.lax.while_loop / "
            "irax.numpy.where for value-dependent control flow, or mark the argument static "
            "with jit(..., static_argnums=...).")

    def __bool__(self):
        return bool(self._concrete_value("bool()"))

    def __int__(self):
        return int(self._concrete_value("int()"))

    def __float__(self):
        return float(self._concrete_value("float()"))

    def __complex__(self):
        return complex(self._concrete_value("complex()"))

    def __index__(self):
        return int(self._concrete_value("use as an index (__index__)"))

    def __array__(self, dtype=None, copy=None):
        return np.asarray(self._concrete_value("conversion to a NumPy array"), dtype=dtype)

    def item(self):
        return self._concrete_value(".item()").item()

    def tolist(self):
        return self._concrete_value(".tolist()").tolist()


class Array:
    """An immutable array in device memory."""

    __slots__ = ("_buf", "aval", "weak_type", "backend", "_host", "__weakref__")
    __array_priority__ = 100

    def __init__(self, buffer, aval, weak_type=False, backend=None, host=None):
        self._buf = buffer
        self.aval = aval
        self.weak_type = weak_type
        self.backend = backend
        self._host = host

    @property
    def _buffer(self):
        if self._buf is None:
            shape = ",".join(map(str, self.aval.shape))
            raise RuntimeError(f"Array has been deleted with shape={self.aval.dtype}[{shape}].")
        return self._buf

    def delete(self):
        """Free the device buffer (as jit's donate_argnums does); later uses raise."""
        self._buf = self._host = None

    def is_deleted(self) -> bool:
        return self._buf is None

    def _value(self) -> np.ndarray:
        if self._host is None:
            self._host = self.backend.get(self._buffer, self.aval.shape, self.aval.dtype)
            self._host.flags.writeable = False
        return self._host

    def __array__(self, dtype=None, copy=None):
        v = self._value()
        if dtype is not None:
            return v.astype(dtype)
        return v.copy() if copy else v

    def __repr__(self):
        body = np.array2string(self._value(), separator=", ", prefix="Array(")
        weak = ", weak_type=True" if self.weak_type else ""
        return f"Array({body}, dtype={self.aval.dtype}{weak})"

    def __str__(self):
        return str(self._value())

    def __bool__(self):
        return bool(self._value())

    def __int__(self):
        return int(self._value())

    def __float__(self):
        return float(self._value())

    def __complex__(self):
        return complex(self._value())

    def __index__(self):
        return int(self._value())

    def item(self):
        return self._value().item()

    def tolist(self):
        return self._value().tolist()

    def block_until_ready(self):
        return self

    @property
    def device(self):
        """The device holding this array (an irax backend), as `jax.Array.device`."""
        return self.backend

    def devices(self):
        return {self.backend}

    def __reduce__(self):
        from . import numpy as jnp
        return (jnp.asarray, (self._value(),))

    def __hash__(self):
        raise TypeError("unhashable type: 'irax.Array'")

    def __iter__(self):
        if self.aval.ndim == 0:
            raise TypeError("iteration over a 0-d array")
        for i in range(self.aval.shape[0]):
            yield self[i]

    def __len__(self):
        if self.aval.ndim == 0:
            raise TypeError("len() of unsized object")
        return self.aval.shape[0]

    def __format__(self, spec):
        if self.aval.ndim == 0:
            return format(self._value().item(), spec)
        return format(str(self), spec)

    def __setitem__(self, idx, value):
        raise TypeError("irax arrays are immutable: instead of x[idx] = y, use "
                        "x = x.at[idx].set(y)")


def is_array(x) -> bool:
    return isinstance(x, (Array, Tracer))


# --------------------------------------------------------------------------
# bind: one primitive call
# --------------------------------------------------------------------------

def bind(name: str, args, results=None, concretes=None, **attrs):
    """Apply primitive `name` to arrays/tracers `args`; returns a list of outputs.

    `results` gives the result avals of ops typed by a callee; `concretes`
    their concrete values when the caller already knows them.
    """
    trace = current_trace()
    if trace is None or (results is None and compile_time_eval.get()
                         and not any(isinstance(a, Tracer) for a in args)):
        from .eager import execute
        return execute(name, [_concrete_of(a) if isinstance(a, Tracer) else a for a in args],
                       attrs, results)
    weak = bool(args) and all(a.weak_type for a in args)
    with get_context(), user_location(), trace.ip:
        values = [trace.lift(a) for a in args]
        outs = emit(name, values, results=results, **attrs)
    if concretes is None:
        concretes = [None] * len(outs)
        if trace.concrete and all(_concrete_of(a) is not None for a in args):
            from .eager import execute
            concretes = execute(name, [_concrete_of(a) for a in args], attrs, results)
    return [Tracer(trace, v, aval_of(v), weak, c) for v, c in zip(outs, concretes)]


def _concrete_of(x):
    if isinstance(x, Array):
        return x
    return x._concrete
