"""`custom_jvp` and `custom_vjp` decorators (JAX's interface).

Under a trace the call becomes one `irax.custom_jvp_call` /
`irax.custom_vjp_call` op referring to traced callees for the function and
its rules; transforms use the rules, and without a transform the op inlines
the function.  Called eagerly with no transform active, the function simply
runs.
"""
from __future__ import annotations

import functools

from .api import as_operand, fun_name, leaf_aval
from .core import bind, current_trace
from .transform import eager_values, trace_callee
from .tree_util import tree_flatten, tree_structure


def _static_split(args, nondiff_argnums):
    nondiff = tuple(args[i] for i in nondiff_argnums)
    diff = tuple(a for i, a in enumerate(args) if i not in nondiff_argnums)
    return nondiff, diff


def _rebuild(nondiff_argnums, nondiff, diff):
    full, it_n, it_d = [], iter(nondiff), iter(diff)
    for i in range(len(nondiff) + len(diff)):
        full.append(next(it_n) if i in nondiff_argnums else next(it_d))
    return full


def _trace_primal(custom, args):
    """Split the static (nondiff) arguments off and trace the primal function."""
    nums = custom.nondiff_argnums
    nondiff, diff = _static_split(args, nums)
    leaves, in_tree = tree_flatten((diff, {}))
    leaves = [as_operand(x) for x in leaves]
    name = fun_name(custom.fun)
    f = trace_callee(lambda *d: custom.fun(*_rebuild(nums, nondiff, d)), name, in_tree, leaves)
    return nums, nondiff, diff, leaves, in_tree, name, f


def _concrete_values(fn, args):
    vals = eager_values(fn, *args)
    return None if vals is None else tree_flatten(vals)[0]


class custom_jvp:
    """A function with a user-defined JVP: `f.defjvp(lambda primals, tangents: (out, t_out))`."""

    def __init__(self, fun, nondiff_argnums=()):
        functools.update_wrapper(self, fun, updated=())
        self.fun = fun
        self.nondiff_argnums = tuple(nondiff_argnums)
        self.jvp = None
        self._tracing_rule = False  # calls from inside our own rule use the plain function

    def defjvp(self, jvp):
        self.jvp = jvp
        return jvp

    def defjvps(self, *jvps):
        """One JVP per argument: `jvps[i](t_i, out, *primals)`; None for a zero tangent."""
        def jvp(primals, tangents):
            out = self.fun(*primals)
            t_out = None
            for j, t in zip(jvps, tangents):
                if j is None:
                    continue
                term = j(t, out, *primals)
                t_out = term if t_out is None else t_out + term
            return out, t_out
        self.jvp = jvp
        return jvp

    def __call__(self, *args):
        if self.jvp is None:
            raise AttributeError(f"No JVP defined for custom_jvp function {fun_name(self.fun)} "
                                 "using defjvp.")
        if current_trace() is None or self._tracing_rule:
            return self.fun(*args)
        nums, nondiff, diff, leaves, in_tree, name, f = _trace_primal(self, args)
        n = len(leaves)
        _, pt_tree = tree_flatten((tuple(diff) + tuple(diff), {}))

        def jvp_flat(*d_and_t):
            primals, tangents = d_and_t[:len(diff)], d_and_t[len(diff):]
            out, t_out = self.jvp(*nondiff, tuple(primals), tuple(tangents))
            if tree_structure(out) != tree_structure(t_out):
                raise TypeError(f"custom_jvp rule of {name} returned primal and tangent outputs "
                                f"of different structures: {tree_structure(out)} vs "
                                f"{tree_structure(t_out)}")
            return list(tree_flatten(out)[0]) + list(tree_flatten(t_out)[0])

        self._tracing_rule = True
        try:
            jv = trace_callee(jvp_flat, name + "_jvp", pt_tree, leaves + leaves, concrete=False)
        finally:
            self._tracing_rule = False
        n_out = len(f.outs)
        for p, t in zip(jv.outs[:n_out], jv.outs[n_out:]):
            if p.aval != t.aval:
                raise TypeError(f"custom_jvp rule of {name}: tangent output {t.aval.str_short()} "
                                f"does not match primal output {p.aval.str_short()}")
        operands = leaves + f.trace.captured_values + jv.trace.captured_values
        concretes = None
        if current_trace().concrete:
            concretes = _concrete_values(self.fun, args)
        outs = bind("irax.custom_jvp_call", operands, results=[o.aval for o in f.outs],
                    concretes=concretes, callee=f.name, jvp_callee=jv.name, num_args=n,
                    num_callee_captures=len(f.trace.captured_values))
        return f.out_tree.unflatten(outs)


class custom_vjp:
    """A function with user-defined reverse mode: `f.defvjp(fwd, bwd)`."""

    def __init__(self, fun, nondiff_argnums=()):
        functools.update_wrapper(self, fun, updated=())
        self.fun = fun
        self.nondiff_argnums = tuple(nondiff_argnums)
        self.fwd = self.bwd = None
        self._tracing_rule = False

    def defvjp(self, fwd, bwd):
        self.fwd, self.bwd = fwd, bwd

    def __call__(self, *args):
        if self.fwd is None:
            raise AttributeError(f"No VJP defined for custom_vjp function {fun_name(self.fun)} "
                                 "using defvjp.")
        if current_trace() is None or self._tracing_rule:
            return self.fun(*args)
        nums, nondiff, diff, leaves, in_tree, name, f = _trace_primal(self, args)
        res_tree = []

        def fwd_flat(*d):
            out, res = self.fwd(*_rebuild(nums, nondiff, d))
            r_leaves, r_tree = tree_flatten(res)
            res_tree.append(r_tree)
            return list(tree_flatten(out)[0]) + list(r_leaves)

        self._tracing_rule = True
        try:
            fw = trace_callee(fwd_flat, name + "_fwd", in_tree, leaves, concrete=False)
        finally:
            self._tracing_rule = False
        n_out = len(f.outs)
        residuals = fw.outs[n_out:]
        out_avals = [o.aval for o in f.outs]

        def bwd_flat(*r_and_ct):
            res = res_tree[0].unflatten(list(r_and_ct[:len(residuals)]))
            ct = f.out_tree.unflatten(list(r_and_ct[len(residuals):]))
            cts = self.bwd(*nondiff, res, ct)
            if not isinstance(cts, tuple) or len(cts) != len(diff):
                raise TypeError(f"custom_vjp bwd of {name} must return a tuple with one "
                                f"cotangent per differentiable argument ({len(diff)}); got "
                                f"{type(cts).__name__}")
            flat = tree_flatten(cts)[0]
            for c, x in zip(flat, leaves):
                if leaf_aval(c)[0].shape != x.aval.shape:
                    raise TypeError(f"custom_vjp bwd of {name}: cotangent shape "
                                    f"{leaf_aval(c)[0].shape} does not match argument shape "
                                    f"{x.aval.shape}")
            return flat

        r_and_ct = list(residuals) + [_placeholder(a) for a in out_avals]
        _, rc_tree = tree_flatten((tuple(r_and_ct), {}))
        bw = trace_callee(bwd_flat, name + "_bwd", rc_tree, r_and_ct, concrete=False)
        operands = (leaves + f.trace.captured_values + fw.trace.captured_values
                    + bw.trace.captured_values)
        concretes = None
        if current_trace().concrete:
            concretes = _concrete_values(self.fun, args)
        outs = bind("irax.custom_vjp_call", operands, results=out_avals, concretes=concretes,
                    callee=f.name, fwd=fw.name, bwd=bw.name, num_args=len(leaves),
                    num_callee_captures=len(f.trace.captured_values),
                    num_fwd_captures=len(fw.trace.captured_values))
        return f.out_tree.unflatten(outs)


def _placeholder(aval):
    import numpy as np
    from .dtypes import np_dtype
    return np.zeros(aval.shape, np_dtype(aval.dtype))
