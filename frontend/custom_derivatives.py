"""`custom_jvp` and `custom_vjp` decorators (JAX's interface).

Where no differentiating transform (grad, vjp, jvp) encloses the call, the
function simply runs (under jit or vmap, it is traced like any other code,
and its rules are never called), as in JAX.  Under one, the call becomes
one `irax.custom_jvp_call` / `irax.custom_vjp_call` op whose callees are
traced from the rules only: the JVP rule, or `fwd` and `bwd`, each traced
one differentiation level down (an outer grad differentiates them) and,
under an eager grad, on the concrete primal values (so Python control flow
on them works).  The op's primal callee computes the primal outputs from
the rule (as JAX takes them from the rule under differentiation), so the
function itself is not traced there at all.  A custom_vjp function under
forward mode (jvp innermost) is a TypeError, as in JAX.
"""
from __future__ import annotations

import functools

import numpy as np

from .api import as_operand, differentiation_modes, fun_name, leaf_aval
from .core import bind, current_trace, user_line
from .dtypes import np_dtype
from .transform import trace_callee
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


def _differentiated():
    """True where an enclosing transform differentiates the call."""
    return current_trace() is not None and bool(differentiation_modes())


def _trace_rule(fun, name, tree, leaves, concretes):
    """Trace a user rule one differentiation level down; concretely (with
    `concretes`, None for abstract leaves) under a concrete trace."""
    concrete = current_trace().concrete
    return trace_callee(fun, name, tree, leaves, concrete=concrete,
                        concretes=concretes if concrete else None,
                        diff_modes=differentiation_modes()[:-1])


def _primal_callee(rule, leaves, num_zeros, n_out, name):
    """A callee of `leaves` returning `rule`'s first `n_out` outputs, called
    with `num_zeros` zero arguments after the leaves (the tangents of a JVP
    rule): the primal function the op inlines when no transform is left."""
    zeros = [leaf_aval(x)[0] for x in leaves[:num_zeros]]

    def primal(*args):
        extra = [as_operand(np.zeros(a.shape, np_dtype(a.dtype))) for a in zeros]
        outs = bind("irax.call", list(args) + extra + rule.trace.captured_values,
                    results=[o.aval for o in rule.outs], callee=rule.name)
        return outs[:n_out]
    _, tree = tree_flatten((tuple(leaves), {}))
    return trace_callee(primal, name, tree, leaves, concrete=False, diff_modes=())


def _concretes_of(leaves):
    return [x if not hasattr(x, "_concrete") else x._concrete for x in leaves]


def _outputs(outs, rule_outs, out_tree):
    for o, r in zip(outs, rule_outs):
        o.weak_type = r.weak_type
    return out_tree.unflatten(outs)


def _concrete_outs(trace, rule_outs):
    return [o._concrete for o in rule_outs] if trace.concrete else None


class custom_jvp:
    """A function with a user-defined JVP: `f.defjvp(lambda primals, tangents: (out, t_out))`."""

    def __init__(self, fun, nondiff_argnums=()):
        functools.update_wrapper(self, fun, updated=())
        self.fun = fun
        self.nondiff_argnums = tuple(nondiff_argnums)
        self.jvp = None

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
        if not _differentiated():
            return self.fun(*args)
        nums = self.nondiff_argnums
        nondiff, diff = _static_split(args, nums)
        leaves = [as_operand(x) for x in tree_flatten(diff)[0]]
        name = fun_name(self.fun)
        _, pt_tree = tree_flatten((tuple(diff) + tuple(diff), {}))
        out_tree = []

        def jvp_flat(*d_and_t):
            primals, tangents = d_and_t[:len(diff)], d_and_t[len(diff):]
            out, t_out = self.jvp(*nondiff, tuple(primals), tuple(tangents))
            if tree_structure(out) != tree_structure(t_out):
                raise TypeError(f"custom_jvp rule of {name} returned primal and tangent outputs "
                                f"of different structures: {tree_structure(out)} vs "
                                f"{tree_structure(t_out)}")
            out_leaves, tree = tree_flatten(out)
            out_tree.append(tree)
            return list(out_leaves) + list(tree_flatten(t_out)[0])

        jv = _trace_rule(jvp_flat, name + "_jvp", pt_tree, leaves + leaves,
                         _concretes_of(leaves) + [None] * len(leaves))
        n_out = len(jv.outs) // 2
        for p, t in zip(jv.outs[:n_out], jv.outs[n_out:]):
            if p.aval != t.aval:
                raise TypeError(f"custom_jvp rule of {name}: tangent output {t.aval.str_short()} "
                                f"does not match primal output {p.aval.str_short()}")
        f = _primal_callee(jv, leaves, len(leaves), n_out, name)
        trace = current_trace()
        outs = bind("irax.custom_jvp_call", leaves + f.trace.captured_values
                    + jv.trace.captured_values, results=[o.aval for o in f.outs],
                    concretes=_concrete_outs(trace, jv.outs[:n_out]), callee=f.name,
                    jvp_callee=jv.name, num_args=len(leaves),
                    num_callee_captures=len(f.trace.captured_values))
        return _outputs(outs, jv.outs[:n_out], out_tree[0])


class custom_vjp:
    """A function with user-defined reverse mode: `f.defvjp(fwd, bwd)`."""

    def __init__(self, fun, nondiff_argnums=()):
        functools.update_wrapper(self, fun, updated=())
        self.fun = fun
        self.nondiff_argnums = tuple(nondiff_argnums)
        self.fwd = self.bwd = None

    def defvjp(self, fwd, bwd):
        self.fwd, self.bwd = fwd, bwd

    def __call__(self, *args):
        if self.fwd is None:
            raise AttributeError(f"No VJP defined for custom_vjp function {fun_name(self.fun)} "
                                 "using defvjp.")
        if not _differentiated():
            return self.fun(*args)
        if differentiation_modes()[-1] == "jvp":
            raise TypeError(f"can't apply forward-mode autodiff (jvp) to a custom_vjp function "
                            f"({fun_name(self.fun)}, called at {user_line()}); define it with "
                            "custom_jvp to use it in forward mode (jvp, jacfwd)")
        nums = self.nondiff_argnums
        nondiff, diff = _static_split(args, nums)
        d_leaves, in_tree = tree_flatten((diff, {}))
        leaves = [as_operand(x) for x in d_leaves]
        name = fun_name(self.fun)
        trees = []  # (output tree, residual tree), found while tracing fwd

        def fwd_flat(*d):
            out, res = self.fwd(*_rebuild(nums, nondiff, d))
            o_leaves, o_tree = tree_flatten(out)
            r_leaves, r_tree = tree_flatten(res)
            trees.append((o_tree, r_tree))
            return list(o_leaves) + list(r_leaves)

        fw = _trace_rule(fwd_flat, name + "_fwd", in_tree, leaves, _concretes_of(leaves))
        out_tree, res_tree = trees[0]
        n_out = out_tree.num_leaves
        residuals = fw.outs[n_out:]
        out_avals = [o.aval for o in fw.outs[:n_out]]

        def bwd_flat(*r_and_ct):
            res = res_tree.unflatten(list(r_and_ct[:len(residuals)]))
            ct = out_tree.unflatten(list(r_and_ct[len(residuals):]))
            cts = self.bwd(*nondiff, res, ct)
            if not isinstance(cts, (tuple, list)) or len(cts) != len(diff):
                raise TypeError(f"custom_vjp bwd of {name} must return a tuple with one "
                                f"cotangent per differentiable argument ({len(diff)}); got "
                                f"{type(cts).__name__}")
            return [c for i, (ct_i, arg) in enumerate(zip(cts, diff))
                    for c in _arg_cotangents(ct_i, arg, i, name)]

        r_and_ct = list(residuals) + [_zeros(a) for a in out_avals]
        _, rc_tree = tree_flatten((tuple(r_and_ct), {}))
        bw = _trace_rule(bwd_flat, name + "_bwd", rc_tree, r_and_ct,
                         _concretes_of(residuals) + [None] * n_out)
        f = _primal_callee(fw, leaves, 0, n_out, name)
        trace = current_trace()
        operands = (leaves + f.trace.captured_values + fw.trace.captured_values
                    + bw.trace.captured_values)
        outs = bind("irax.custom_vjp_call", operands, results=out_avals,
                    concretes=_concrete_outs(trace, fw.outs[:n_out]), callee=f.name,
                    fwd=fw.name, bwd=bw.name, num_args=len(leaves),
                    num_callee_captures=len(f.trace.captured_values),
                    num_fwd_captures=len(fw.trace.captured_values))
        return _outputs(outs, fw.outs[:n_out], out_tree)


def _arg_cotangents(ct, arg, i, name):
    """The cotangent leaves for argument `arg` from bwd's `ct` for it: None
    (anywhere a subtree of `arg` sits) is a zero cotangent, as in JAX."""
    arg_leaves, arg_tree = tree_flatten(arg)
    if ct is None:
        parts = [None] * len(arg_leaves)
    else:
        try:
            parts = arg_tree.flatten_up_to(ct)
        except (ValueError, TypeError):
            raise TypeError(f"custom_vjp bwd of {name}: the cotangent for argument {i} has "
                            f"structure {tree_structure(ct)}, which does not match the "
                            f"argument's structure {arg_tree}") from None
    out = []
    for c, x in zip(parts, arg_leaves):
        aval = leaf_aval(x)[0]
        if c is None:
            out.append(as_operand(_zeros(aval)))
            continue
        if leaf_aval(c)[0].shape != aval.shape:
            raise TypeError(f"custom_vjp bwd of {name}: cotangent shape {leaf_aval(c)[0].shape} "
                            f"does not match argument {i}'s shape {aval.shape}")
        out.append(c)
    return out


def _zeros(aval):
    return np.zeros(aval.shape, np_dtype(aval.dtype))
