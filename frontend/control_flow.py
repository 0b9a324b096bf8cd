"""Structured control flow with JAX's signatures: cond, switch, while_loop,
fori_loop, scan, map.

Each Python function (branch, loop body) is traced once, abstractly, into a
region of an `irax.cond` / `irax.while` / `irax.scan` op.  A `RegionTrace`
records it into a temporary private func.func of the current module (so jit
callees it creates land in the module); its body is then cloned into the
op's region and the func is erased.  Values the function closes over become
trailing operands of the op and block arguments of the region, which keeps
the region ops isolated from above.

With no trace active the op runs eagerly: it is built inside a small `main`
function, compiled once per IR text and called.
"""
from __future__ import annotations

import builtins

import numpy as np

from irax.dialects import Aval, aval_of, get_context, ir
from irax.dialects import control_flow as cf
from irax.dialects.expand import inline_body
from irax.dialects.ops import IraxTypeError

from . import dtypes
from .api import as_operand, fun_name
from .core import Array, IRModule, Trace, Tracer, current_trace, is_array, no_traces, \
    user_line, user_location
from .devices import default_backend_object
from .executor import executable
from .tree_util import PyTreeDef, tree_flatten, tree_unflatten

__all__ = ["cond", "switch", "while_loop", "fori_loop", "scan", "map"]


# --------------------------------------------------------------------------
# Tracing a function into a region
# --------------------------------------------------------------------------

class RegionTrace(Trace):
    """A Trace whose function body becomes a region of a control-flow op."""

    def __init__(self, irmodule, name, arg_avals):
        super().__init__(irmodule, name, arg_avals)
        with get_context():
            self.func.attributes["sym_visibility"] = ir.StringAttr.get("private")


class Region:
    """`fun(*args)` traced on avals (`args_tree` unflattens them to the
    positional arguments); outputs flattened.

    `captured`: the outer values the function closed over, in order.
    """

    def __init__(self, fun, role, args_tree, avals, weaks):
        parent = current_trace()
        self.fun, self.role, self.name = fun, role, fun_name(fun)
        self.trace = RegionTrace(parent.irmodule, self.name, avals)
        try:
            self._trace(fun, role, args_tree, avals, weaks)
        except BaseException:
            self.erase()  # leave no half-built function in the module
            raise
        self.num_args = len(avals)

    def _trace(self, fun, role, args_tree, avals, weaks):
        tracers = self.trace.arg_tracers(avals, weaks)
        with self.trace:
            out = fun(*tree_unflatten(args_tree, tracers))
            leaves, self.out_tree = tree_flatten(out)
            outs = []
            for o in leaves:
                if not (is_array(o) or isinstance(o, (bool, int, float, complex, np.ndarray, np.generic))):
                    raise TypeError(f"{role} {self.name!r} returned a value of type "
                                    f"{type(o).__name__} (at {user_line()}); it must return "
                                    "arrays or pytrees of arrays")
                outs.append(as_operand(o))
        self.trace.finish(outs)
        self.outs = outs
        self.out_avals = [o.aval for o in outs]
        self.out_weak = [o.weak_type for o in outs]
        self.captured = self.trace.captured_values

    @property
    def block(self):
        return self.trace.func.regions[0].blocks[0]

    def builder(self, capture_slot):
        """A region-body builder: block args = (args..., all captures), where
        this function's k-th capture sits at block arg `capture_slot[k]`."""
        def body(args):
            mine = list(args[:self.num_args]) + [args[capture_slot[id(v)]] for v in self.captured]
            return inline_body(self.block, mine)
        return body

    def erase(self):
        self.trace.finished = True  # its tracers must not be captured any more
        self.trace.func.operation.erase()

    def describe(self):
        return f"{self.role} {self.name!r}"


def _args_tree(*trees):
    """The tree of a positional-argument tuple whose elements have `trees`."""
    return PyTreeDef(tuple, None, tuple(trees))


def _union_captures(regions, first_slot):
    """All regions' captures (deduplicated) and each one's block-argument slot."""
    values, slot = [], {}
    for r in regions:
        for v in r.captured:
            if id(v) not in slot:
                slot[id(v)] = first_slot + len(values)
                values.append(v)
    return values, slot


def _types(avals):
    return "(" + ", ".join(a.str_short() for a in avals) + ")"


# --------------------------------------------------------------------------
# Emitting the op: under a trace, or eagerly
# --------------------------------------------------------------------------

def _emit(build, operands, weaks):
    """Lift `operands` into the current trace and `build(values)` the op there."""
    trace = current_trace()
    with get_context(), user_location(), trace.ip:
        values = [trace.lift(x) for x in operands]
        results = build(values)
    return [Tracer(trace, v, aval_of(v), w) for v, w in zip(results, weaks)]


def _run(name, impl, operands):
    """`impl(operand tracers) -> output tracers`, under the current trace or,
    with none, compiled inside a `main` function and run now."""
    operands = [as_operand(x) for x in operands]
    trace = current_trace()
    if trace is not None:
        outs = impl(operands)
        if trace.concrete:
            _attach_concretes(name, impl, operands, outs)
        return outs
    avals = [x.aval for x in operands]
    irm = IRModule()
    main = Trace(irm, name, avals)
    with main:
        outs = impl(main.arg_tracers(avals, [x.weak_type for x in operands]))
    main.finish(outs)
    values = operands + main.captured_values
    backend = next((v.backend for v in values if isinstance(v, Array)), None) \
        or default_backend_object()
    exe = executable(irm.module, main.name, backend)
    bufs = [_buffer(v, backend) for v in values]
    res = exe(bufs, len(outs))
    return [Array(b, o.aval, o.weak_type, backend) for b, o in zip(res, outs)]


class _NotConcrete(Exception):
    """An operand of an eagerly run op has no concrete value."""


def _attach_concretes(name, impl, operands, outs):
    """Under a concrete trace (eager grad/jvp), also run the op on the concrete
    values, so Python control flow on its results works there too."""
    if any(isinstance(x, Tracer) and x._concrete is None for x in operands):
        return
    try:
        with no_traces():
            values = _run(name, impl, [x._concrete if isinstance(x, Tracer) else x
                                       for x in operands])
    except _NotConcrete:
        return
    for o, v in zip(outs, values):
        o._concrete = v


def _buffer(v, backend):
    if isinstance(v, Tracer):
        if v._concrete is None:
            raise _NotConcrete()
        v = v._concrete
    if v.backend is backend:
        return v._buffer
    return backend.put(np.asarray(v), v.aval.dtype)


# --------------------------------------------------------------------------
# cond / switch
# --------------------------------------------------------------------------

def cond(pred, true_fun, false_fun, *operands, operand=None):
    """`true_fun(*operands)` if `pred` else `false_fun(*operands)`; only one runs."""
    if operand is not None:
        operands = operands + (operand,)
    p = as_operand(pred)
    if p.aval.shape != ():
        raise IraxTypeError(f"cond: pred must be a scalar, got {p.aval.str_short()} "
                            f"(at {user_line()})")
    if p.aval.dtype != "bool":
        if not dtypes.issubdtype(p.aval.dtype, np.integer):
            raise IraxTypeError(f"cond: pred must be a bool or integer scalar, got "
                                f"{p.aval.str_short()} (at {user_line()})")
        from . import lax
        p = lax.ne(p, 0)
    return _branches("cond", p, [false_fun, true_fun], ["false_fun", "true_fun"], operands)


def switch(index, branches, *operands, operand=None):
    """`branches[clamp(index, 0, len(branches) - 1)](*operands)`."""
    if operand is not None:
        operands = operands + (operand,)
    branches = list(branches)
    if not branches:
        raise ValueError(f"switch: needs at least one branch (at {user_line()})")
    i = as_operand(index)
    if i.aval.shape != () or not (dtypes.issubdtype(i.aval.dtype, np.integer)
                                  or i.aval.dtype == "bool"):
        raise IraxTypeError(f"switch: index must be an integer scalar, got {i.aval.str_short()} "
                            f"(at {user_line()})")
    if len(branches) == 1:
        return branches[0](*operands)
    from . import lax
    if i.aval.dtype not in ("int32", "int64"):
        i = lax.convert_element_type(i, "int32")
    return _branches("switch", i, branches, [f"branches[{k}]" for k in range(len(branches))],
                     operands)


def _branches(api, index, funs, roles, operands):
    leaves, in_tree = tree_flatten(tuple(operands))
    where = user_line()
    result = {}

    def impl(flat):
        idx, args = flat[0], flat[1:]
        avals, weaks = [a.aval for a in args], [a.weak_type for a in args]
        regions = []
        try:
            for f, r in zip(funs, roles):
                regions.append(Region(f, r, in_tree, avals, weaks))
            first = regions[0]
            for r in regions[1:]:
                if (r.out_tree, r.out_avals) != (first.out_tree, first.out_avals):
                    raise IraxTypeError(
                        f"{api}: the branches must return the same types, but "
                        f"{first.describe()} returns {_show(first)} and {r.describe()} returns "
                        f"{_show(r)} (at {where})")
            captures, slot = _union_captures(regions, len(args))
            weak = [builtins.all(r.out_weak[k] for r in regions) for k in range(len(first.outs))]
            outs = _emit(lambda vs: cf.cond(vs[0], vs[1:], [r.builder(slot) for r in regions],
                                            first.out_avals),
                         [idx] + list(args) + captures, weak)
        finally:
            for r in regions:
                r.erase()
        result["tree"] = first.out_tree
        return outs

    outs = _run(api, impl, [index] + leaves)
    return tree_unflatten(result["tree"], outs)


def _show(region):
    if region.out_tree.num_leaves == 1 and region.out_tree.kind is None:
        return region.out_avals[0].str_short()
    return f"{_types(region.out_avals)} with structure {region.out_tree}"


# --------------------------------------------------------------------------
# while_loop / fori_loop
# --------------------------------------------------------------------------

def while_loop(cond_fun, body_fun, init_val):
    """Repeat `val = body_fun(val)` while `cond_fun(val)`; returns the final `val`."""
    leaves, tree = tree_flatten(init_val)
    where = user_line()

    def impl(carry):
        avals, weaks = [a.aval for a in carry], [a.weak_type for a in carry]
        regions = []
        try:
            c = Region(cond_fun, "cond_fun", _args_tree(tree), avals, weaks)
            regions.append(c)
            body = Region(body_fun, "body_fun", _args_tree(tree), avals, weaks)
            regions.append(body)
            if c.out_tree.num_leaves != 1 or c.out_avals[0] != Aval((), "bool"):
                raise IraxTypeError(
                    f"while_loop: cond_fun {c.name!r} must return a bool scalar, got "
                    f"{_types(c.out_avals)} (at {where})")
            _check_carry("while_loop", body, body.out_tree, body.out_avals, tree, avals, where)
            consts, slot = _union_captures([c, body], 0)
            k = len(consts)
            cond_b, body_b = _consts_first(c, slot, k), _consts_first(body, slot, k)
            weak = [w and bw for w, bw in zip(weaks, body.out_weak)]
            outs = _emit(lambda vs: cf.while_loop(vs[:k], vs[k:], cond_b, body_b),
                         consts + list(carry), weak)
        finally:
            for r in regions:
                r.erase()
        return outs

    return tree_unflatten(tree, _run("while_loop", impl, leaves))


def _consts_first(region, slot, k):
    """A builder for block args (consts..., carry...) of a region traced on the carry."""
    def body(args):
        mine = list(args[k:k + region.num_args]) + [args[slot[id(v)]] for v in region.captured]
        return inline_body(region.block, mine)
    return body


def _check_carry(api, region, out_tree, out_avals, tree, avals, where):
    _check_same(api, region.describe(), out_tree, out_avals, tree, avals, where)


def _check_same(api, who, out_tree, out_avals, tree, avals, where):
    """A loop body must return its carry with the type it was given."""
    if out_tree != tree:
        raise IraxTypeError(
            f"{api}: {who} must return a carry with the structure of its input carry: "
            f"the input is {tree} but it returns {out_tree} (at {where})")
    if list(out_avals) != list(avals):
        raise IraxTypeError(
            f"{api}: {who} must return a carry of the same type as its input carry: "
            f"the input is {_types(avals)} but it returns {_types(out_avals)} (at {where})")


def _checked_body(body_fun, where):
    """fori_loop's body with its carry type checked against its input's."""
    def body(i, val):
        out = body_fun(i, val)
        vl, vt = tree_flatten(val)
        ol, ot = tree_flatten(out)
        _check_same("fori_loop", f"body_fun {fun_name(body_fun)!r}", ot,
                    [as_operand(x).aval for x in ol], vt, [x.aval for x in vl], where)
        return out
    return body


def fori_loop(lower, upper, body_fun, init_val, *, unroll=None):
    """`for i in range(lower, upper): val = body_fun(i, val)`.

    Concrete bounds make it a scan of `int(upper) - int(lower)` steps (so it
    is reverse-differentiable); traced bounds make it a while_loop.
    """
    where = user_line()
    if not callable(body_fun):
        raise TypeError(f"lax.fori_loop: body_fun argument should be callable (at {where})")
    dtype = _bounds_dtype(lower, upper, where)
    body_fun = _checked_body(body_fun, where)
    bounds = _concrete_int(lower), _concrete_int(upper)
    if None not in bounds:
        lo, hi = bounds

        def step(carry, _):
            i, val = carry
            return (i + 1, body_fun(i, val)), None
        (_, out), _ = scan(step, (lo, init_val), None, length=builtins.max(hi - lo, 0),
                           unroll=1 if unroll is None else unroll)
        return out
    if unroll not in (None, False, 1):
        raise ValueError("Can only use `unroll` in `fori_loop` if the loop bounds are "
                         f"statically known (at {where})")
    from . import lax
    lo, hi = lax.convert_element_type(lower, dtype), lax.convert_element_type(upper, dtype)

    def keep_going(carry):
        return carry[0] < carry[1]

    def step(carry):
        i, n, val = carry
        return i + 1, n, body_fun(i, val)
    return while_loop(keep_going, step, (lo, hi, init_val))[2]


def _bounds_dtype(lower, upper, where):
    """The loop index dtype, as JAX picks it: both bounds' dtype, or the strong
    one's when a weak and a strong signed integer meet."""
    from .api import leaf_aval
    (la, lw), (ua, uw) = leaf_aval(lower), leaf_aval(upper)
    if la.dtype == ua.dtype:
        return la.dtype
    if lw != uw and all(dtypes.issubdtype(a.dtype, np.signedinteger) for a in (la, ua)):
        return ua.dtype if lw else la.dtype
    raise TypeError(f"lower and upper arguments to fori_loop must have equal types, got "
                    f"{la.dtype} and {ua.dtype} (at {where})")


def _concrete_int(x):
    """`int(x)` for a bound whose value is known now, else None."""
    if isinstance(x, Tracer):
        x = x._concrete
        if x is None:
            return None
    try:
        return int(x)
    except TypeError:
        return None


# --------------------------------------------------------------------------
# scan / map
# --------------------------------------------------------------------------

def scan(f, init, xs=None, length=None, reverse=False, unroll=1):
    """`carry, y = f(carry, x)` over the leading axis of `xs`; returns
    `(final carry, ys stacked on axis 0)`.

    `unroll` is a scheduling hint (checked, as in JAX); the loop is left to
    IREE, which gives the same values."""
    where = user_line()
    _check_unroll(unroll, where)
    carry_leaves, carry_tree = tree_flatten(init)
    x_leaves, x_tree = tree_flatten(xs)
    x_leaves = [as_operand(x) for x in x_leaves]
    sizes = []
    for x in x_leaves:
        if x.aval.ndim == 0:
            raise IraxTypeError(f"scan: scanned inputs must have a leading axis, got "
                                f"{x.aval.str_short()} (at {where})")
        sizes.append(x.aval.shape[0])
    if length is not None:
        length = int(length)
        sizes.append(length)
    if not sizes:
        raise ValueError(f"scan: with no xs, pass length= (at {where})")
    if len(set(sizes)) != 1:
        raise IraxTypeError(f"scan: scanned inputs have different leading sizes "
                            f"{tuple(sizes)} (at {where})")
    n = sizes[0]
    nc = len(carry_leaves)
    result = {}

    def impl(flat):
        carry, xs_ = flat[:nc], flat[nc:]
        avals = [a.aval for a in carry] + [Aval(x.aval.shape[1:], x.aval.dtype) for x in xs_]
        weaks = [a.weak_type for a in carry] + [x.weak_type for x in xs_]
        body = Region(f, "body_fun", _args_tree(carry_tree, x_tree), avals, weaks)
        try:
            if body.out_tree.kind is not tuple or len(body.out_tree.children) != 2:
                raise IraxTypeError(f"scan: body_fun {body.name!r} must return a pair "
                                    f"(carry, y), got structure {body.out_tree} (at {where})")
            c_tree, y_tree = body.out_tree.children
            n_out = c_tree.num_leaves
            c_avals, y_avals = body.out_avals[:n_out], body.out_avals[n_out:]
            _check_carry("scan", body, c_tree, c_avals, carry_tree, avals[:nc], where)
            consts, slot = _union_captures([body], 0)
            k = len(consts)
            body_b = _consts_first(body, slot, k)
            weak = [w and bw for w, bw in zip(weaks[:nc], body.out_weak)] + \
                body.out_weak[nc:]
            outs = _emit(lambda vs: cf.scan(vs[:k], vs[k:k + nc], vs[k + nc:], body_b, n,
                                            bool(reverse), y_avals),
                         consts + list(carry) + list(xs_), weak)
        finally:
            body.erase()
        result["trees"] = (c_tree, y_tree)
        return outs

    outs = _run("scan", impl, carry_leaves + x_leaves)
    c_tree, y_tree = result["trees"]
    return (tree_unflatten(c_tree, outs[:nc]), tree_unflatten(y_tree, outs[nc:]))


def _check_unroll(unroll, where):
    if isinstance(unroll, (bool, np.bool_)):
        return
    if not isinstance(unroll, (int, np.integer)):
        raise TypeError(f"scan: `unroll` must be a `bool` or a non-negative `int`, got "
                        f"{type(unroll).__name__} (at {where})")
    if unroll < 0:
        raise ValueError(f"scan: `unroll` must be a `bool` or a non-negative `int`, got "
                         f"{unroll} (at {where})")


def map(f, xs):
    """`stack([f(x) for x in xs])` computed sequentially (a scan without carry)."""
    _, ys = scan(lambda _, x: ((), f(x)), (), xs)
    return ys
