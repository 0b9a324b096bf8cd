"""Automatic differentiation API (JAX's names and semantics) over irax.jvp / irax.vjp.

Each transformation traces the function into a callee and applies the
higher-order op to it (see transform.py): under a trace the op stays in the
IR until the expansion passes; eagerly it is compiled (once per IR text) and
run.  Eagerly, the function is traced with concrete values, so Python
control flow on values works, as in JAX.
"""
from __future__ import annotations

import functools

import numpy as np

from irax.dialects.types import COMPLEX, FLOATS, INEXACT, host_dtype

from .api import as_operand, differentiation_modes, fun_name, leaf_aval
from .core import bind, current_trace
from .transform import apply_higher_order, trace_callee
from .tree_util import tree_flatten, tree_map, tree_structure


def stop_gradient(x):
    """The identity, with a zero derivative (applied to every leaf of a pytree)."""
    return tree_map(lambda v: bind("irax.stop_gradient", [as_operand(v)])[0], x)


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------

def _argnums_tuple(argnums, nargs, what):
    single = isinstance(argnums, int)
    nums = (argnums,) if single else tuple(argnums)
    for a in nums:
        if not -nargs <= a < nargs:
            raise ValueError(f"{what}: argnums={argnums} out of range for a function called with "
                             f"{nargs} positional arguments")
    return single, tuple(a % nargs for a in nums)


def _flatten_args(args, argnums):
    """Leaves of all args, and for each argnum the leaf index range it owns."""
    leaves, ranges = [], {}
    for i, a in enumerate(args):
        ls, _ = tree_flatten(a)
        ranges[i] = (len(leaves), len(leaves) + len(ls))
        leaves.extend(ls)
    _, in_tree = tree_flatten((tuple(args), {}))
    return leaves, in_tree, ranges


def _under_concrete_trace():
    t = current_trace()
    return t is not None and t.concrete


def _check_inputs(leaves, what, holomorphic, complex_ok=True):
    """JAX's input checks: holomorphic differentiation takes complex inputs only;
    otherwise grad/jacrev take real or complex ones and jacfwd real ones."""
    for x in leaves:
        dtype = leaf_aval(x)[0].dtype
        if holomorphic:
            if dtype not in COMPLEX:
                raise TypeError(f"{what} with holomorphic=True requires inputs with complex "
                                f"dtype, but got {dtype}.")
        elif dtype in COMPLEX and not complex_ok:
            raise TypeError(f"{what} requires real-valued inputs (input dtype that is a sub-dtype "
                            f"of np.floating), but got {dtype}. For holomorphic differentiation, "
                            "pass holomorphic=True. For differentiation of non-holomorphic "
                            "functions involving complex inputs or integer inputs, use jax.jvp "
                            "directly.")
        elif dtype not in INEXACT:
            raise TypeError(f"{what} requires real- or complex-valued inputs (input dtype that is "
                            f"a sub-dtype of np.inexact), but got {dtype}. If you want to use "
                            "Boolean- or integer-valued inputs, use vjp.")


def _check_outputs(outs, what, holomorphic):
    """Holomorphic differentiation needs complex outputs; otherwise real ones (a complex
    output's derivative is not a gradient: use vjp)."""
    for o in outs:
        dtype = o.aval.dtype
        if holomorphic and dtype not in COMPLEX:
            raise TypeError(f"{what} with holomorphic=True requires outputs with complex dtype, "
                            f"but got {dtype}.")
        if not holomorphic and dtype not in FLOATS:
            hint = (" For holomorphic differentiation, pass holomorphic=True. For "
                    "differentiation of non-holomorphic functions involving complex outputs, "
                    "use jax.vjp directly." if dtype in COMPLEX else "")
            raise TypeError(f"{what} requires real-valued outputs (output dtype that is a "
                            f"sub-dtype of np.floating), but got {dtype}.{hint}")


# --------------------------------------------------------------------------
# reverse mode
# --------------------------------------------------------------------------

def value_and_grad(fun, argnums=0, has_aux=False, holomorphic=False):
    """`(f(x), df/dx)` for a scalar-output `f`, like `jax.value_and_grad`: for a real `f`
    of complex `z = x + iy` that is df/dx - i df/dy; with holomorphic=True, f'(z)."""

    @functools.wraps(fun, updated=())
    def value_and_grad_f(*args):
        single, nums = _argnums_tuple(argnums, len(args), "grad")
        leaves, in_tree, ranges = _flatten_args(args, nums)
        diff = [j for i in nums for j in range(*ranges[i])]
        _check_inputs([leaves[j] for j in diff], "grad", holomorphic)
        f, in_tree, leaves, diff = _close_over_non_arrays(fun, leaves, in_tree, diff)
        traced = trace_callee(f, fun_name(fun), in_tree, leaves,
                              diff_modes=differentiation_modes(inherit=True) + ("vjp",))
        outs = traced.outs
        if has_aux:
            if traced.out_tree.kind is not tuple or len(traced.out_tree.children) != 2:
                raise TypeError("has_aux=True requires the function to return a pair (out, aux)")
            n_main = traced.out_tree.children[0].num_leaves
        else:
            n_main = len(outs)
        if n_main != 1 or outs[0].aval.shape != ():
            shapes = [o.aval.shape for o in outs[:n_main]]
            raise TypeError(f"Gradient only defined for scalar-output functions. Output had "
                            f"shape: {shapes[0] if len(shapes) == 1 else shapes}")
        _check_outputs(outs[:1], "grad", holomorphic)
        seeds = [np.ones((), host_dtype(outs[0].aval.dtype))] + \
            [np.zeros(o.aval.shape, host_dtype(o.aval.dtype)) for o in outs[1:]]
        result_avals = [o.aval for o in outs] + [leaf_aval(leaves[j])[0] for j in diff]
        res = apply_higher_order("irax.vjp", traced, leaves, result_avals, extra=seeds,
                                 argnums=diff)
        for r, o in zip(res, outs):
            r.weak_type = o.weak_type
        for r, j in zip(res[len(outs):], diff):  # a weakly typed input's gradient is weak too
            r.weak_type = leaf_aval(leaves[j])[1]
        value = traced.out_tree.unflatten(res[:len(outs)])
        grads, k = [], len(outs)
        for i in nums:
            lo, hi = ranges[i]
            grads.append(tree_structure(args[i]).unflatten(res[k:k + hi - lo]))
            k += hi - lo
        g = grads[0] if single else tuple(grads)
        if has_aux:
            return (value[0], value[1]), g
        return value, g
    return value_and_grad_f


def _close_over_non_arrays(fun, leaves, in_tree, diff):
    """`fun` of the array leaves only: leaves that are not arrays (functions,
    strings, ... in arguments not differentiated) are closed over, as JAX
    does.  Returns (function, its argument tree, the array leaves, `diff`
    renumbered among them)."""
    # Under jit (an abstract trace) Python scalars not differentiated are
    # constants of this trace anyway, so they stay Python values, as in JAX
    # (an inner static_argnums can take them); eagerly they are traced, so an
    # eager loop does not compile once per value.
    keep_scalars = current_trace() is not None and not current_trace().concrete
    static = {j: x for j, x in enumerate(leaves) if j not in diff and (
        not _is_array_like(x) or (keep_scalars and isinstance(x, (bool, int, float))
                                  and not isinstance(x, np.generic)))}
    if not static:
        return (lambda *a: fun(*a)), in_tree, leaves, diff
    dyn = [j for j in range(len(leaves)) if j not in static]

    def f(*dyn_leaves):
        full = dict(static)
        full.update(zip(dyn, dyn_leaves))
        args, _ = in_tree.unflatten([full[j] for j in range(len(leaves))])
        return fun(*args)
    dyn_leaves = [leaves[j] for j in dyn]
    return f, tree_structure((tuple(dyn_leaves), {})), dyn_leaves, [dyn.index(j) for j in diff]


def _is_array_like(x) -> bool:
    try:
        leaf_aval(x)
    except TypeError:
        return False
    return True


def grad(fun, argnums=0, has_aux=False, holomorphic=False):
    """The gradient of a scalar-output `fun`, like `jax.grad`."""
    vg = value_and_grad(fun, argnums, has_aux, holomorphic)

    @functools.wraps(fun, updated=())
    def grad_f(*args):
        (value, g) = vg(*args)
        if has_aux:
            return g, value[1]
        return g
    return grad_f


def vjp(fun, *primals, has_aux=False):
    """`(f(primals), pullback)` like `jax.vjp`; `pullback(ct)` returns one cotangent per primal."""
    leaves, in_tree, ranges = _flatten_args(primals, range(len(primals)))
    traced = trace_callee(lambda *a: fun(*a), fun_name(fun), in_tree, leaves,
                          diff_modes=differentiation_modes(inherit=True) + ("vjp",))
    outs = traced.outs
    concretes = [o._concrete for o in outs] if _under_concrete_trace() else None
    values = apply_higher_order("irax.call", traced, leaves, [o.aval for o in outs],
                                concretes=concretes)
    for v, o in zip(values, outs):
        v.weak_type = o.weak_type
    out_tree = traced.out_tree
    if has_aux:
        main_tree, aux_tree = out_tree.children
        n_main = main_tree.num_leaves
    else:
        main_tree, n_main = out_tree, len(outs)
    diff = [j for j, x in enumerate(leaves) if leaf_aval(x)[0].dtype in INEXACT]

    def pullback(ct):
        ct_leaves, ct_tree = tree_flatten(ct)
        if ct_tree != main_tree:
            raise TypeError(f"vjp pullback: cotangent structure {ct_tree} does not match the "
                            f"output structure {main_tree}")
        cts = []
        for c, o in zip(ct_leaves, outs[:n_main]):
            c = as_operand(c)
            if c.aval.shape != o.aval.shape:
                raise TypeError(f"vjp pullback: cotangent shape {c.aval.shape} does not match "
                                f"primal output shape {o.aval.shape}")
            cts.append(c)
        cts += [np.zeros(o.aval.shape, host_dtype(o.aval.dtype)) for o in outs[n_main:]]
        result_avals = [o.aval for o in outs] + [leaf_aval(leaves[j])[0] for j in diff]
        # The function traced once, at the primals (Python control flow on
        # their values included); under a later trace (jit, or vmap in
        # jacrev) its callee is copied into that trace's module.
        res = apply_higher_order("irax.vjp", traced, leaves, result_avals, extra=cts, argnums=diff)
        grads = dict(zip(diff, res[len(outs):]))
        flat = []
        for j, x in enumerate(leaves):
            if j in grads:
                grads[j].weak_type = leaf_aval(x)[1]
                flat.append(grads[j])
            else:  # integer inputs have zero cotangents
                aval = leaf_aval(x)[0]
                flat.append(as_operand(np.zeros(aval.shape, host_dtype(aval.dtype))))
        return tuple(tree_structure(p).unflatten(flat[ranges[i][0]:ranges[i][1]])
                     for i, p in enumerate(primals))

    value = out_tree.unflatten(values)
    if has_aux:
        return value[0], pullback, value[1]
    return value, pullback


# --------------------------------------------------------------------------
# forward mode
# --------------------------------------------------------------------------

def jvp(fun, primals, tangents, has_aux=False):
    """`(f(primals), df(primals)·tangents)` like `jax.jvp`."""
    if not isinstance(primals, (tuple, list)) or not isinstance(tangents, (tuple, list)):
        raise TypeError("jvp: primals and tangents must be tuples or lists with one entry per "
                        f"positional argument; got {type(primals).__name__} and "
                        f"{type(tangents).__name__}")
    if len(primals) != len(tangents):
        raise TypeError(f"jvp: {len(primals)} primals but {len(tangents)} tangents")
    traced, leaves = _trace_for_jvp(fun, primals)
    primal_out, tangent_out = _push_forward(traced, leaves, primals, tangents)
    if has_aux:
        return primal_out[0], tangent_out[0], primal_out[1]
    return primal_out, tangent_out


def _trace_for_jvp(fun, primals):
    leaves, in_tree, _ = _flatten_args(primals, ())
    traced = trace_callee(lambda *a: fun(*a), fun_name(fun), in_tree, leaves,
                          diff_modes=differentiation_modes(inherit=True) + ("jvp",))
    return traced, leaves


def _push_forward(traced, leaves, primals, tangents):
    """(primal outputs, tangent outputs) of `traced` at `leaves` along `tangents`."""
    t_leaves, t_tree = tree_flatten(tuple(tangents))
    if tree_structure(tuple(primals)) != t_tree:
        raise TypeError(f"jvp: primal and tangent arguments must have the same tree structure; "
                        f"got {tree_structure(tuple(primals))} and {t_tree}")
    diff = []
    tans = []
    for j, (p, t) in enumerate(zip(leaves, t_leaves)):
        pa, ta = leaf_aval(p)[0], leaf_aval(t)[0]
        if pa.shape != ta.shape:
            raise TypeError(f"jvp: primal and tangent shapes differ: {pa.shape} vs {ta.shape}")
        if pa.dtype in INEXACT:
            if ta.dtype != pa.dtype:
                raise TypeError(f"jvp: primal dtype {pa.dtype} and tangent dtype {ta.dtype} "
                                "differ")
            diff.append(j)
            tans.append(t)
    outs = traced.outs
    result_avals = [o.aval for o in outs] * 2
    res = apply_higher_order("irax.jvp", traced, leaves, result_avals, extra=tans, argnums=diff)
    n = len(outs)
    for r, o in zip(res[:n], outs):
        r.weak_type = o.weak_type
    return traced.out_tree.unflatten(res[:n]), traced.out_tree.unflatten(res[n:])


def linearize(fun, *primals):
    """`(f(primals), f_jvp)` where `f_jvp(*tangents)` is the JVP at `primals`:
    `fun` is traced once, here; each f_jvp call pushes tangents through that
    trace (copied into a later trace's module, as a vjp pullback is)."""
    traced, leaves = _trace_for_jvp(fun, primals)
    out, _ = _push_forward(traced, leaves, primals, tree_map(_zeros_like_leaf, primals))

    def f_jvp(*tangents):
        if len(tangents) != len(primals):
            raise TypeError(f"linearize: f_jvp takes {len(primals)} tangents (one per primal), "
                            f"got {len(tangents)}")
        return _push_forward(traced, leaves, primals, tangents)[1]
    return out, f_jvp


def _zeros_like_leaf(x):
    aval = leaf_aval(x)[0]
    return np.zeros(aval.shape, host_dtype(aval.dtype))


# --------------------------------------------------------------------------
# Jacobians and Hessians (vmap over jvp / vjp)
# --------------------------------------------------------------------------

def _std_basis(leaves):
    """Identity rows spanning the flattened inputs, split per leaf."""
    sizes = [leaf_aval(x)[0].size for x in leaves]
    n = sum(sizes)
    dtype = leaf_aval(leaves[0])[0].dtype
    eye = np.eye(n, dtype=host_dtype(dtype))
    out, k = [], 0
    for x, s in zip(leaves, sizes):
        out.append(eye[:, k:k + s].reshape((n,) + leaf_aval(x)[0].shape))
        k += s
    return out


def jacfwd(fun, argnums=0, has_aux=False, holomorphic=False):
    """The Jacobian by forward mode: one (vmapped) JVP per input basis vector."""
    from .vmap import vmap

    def jac(*args):
        single, nums = _argnums_tuple(argnums, len(args), "jacfwd")
        dyn = [args[i] for i in nums]
        d_leaves, d_tree = tree_flatten(tuple(dyn))
        _check_inputs(d_leaves, "jacfwd", holomorphic, complex_ok=False)

        def f_dyn(*dargs):
            full = list(args)
            for i, a in zip(nums, dargs):
                full[i] = a
            return fun(*full)

        basis = _std_basis(d_leaves)

        def push(*t_leaves):
            tangents = d_tree.unflatten(list(t_leaves))
            return jvp(f_dyn, tuple(dyn), tuple(tangents), has_aux=has_aux)

        if has_aux:
            y, jt, aux = vmap(push, out_axes=(None, -1, None))(*basis)
        else:
            y, jt = vmap(push, out_axes=(None, -1))(*basis)
        _check_outputs(tree_flatten(y)[0], "jacfwd", holomorphic)
        jac_tree = _split_jacobian(jt, d_leaves, single, nums, args, axis_last=True)
        return (jac_tree, aux) if has_aux else jac_tree
    return jac


def jacrev(fun, argnums=0, has_aux=False, holomorphic=False):
    """The Jacobian by reverse mode: one (vmapped) VJP per output basis vector."""
    from .vmap import vmap

    def jac(*args):
        single, nums = _argnums_tuple(argnums, len(args), "jacrev")
        dyn = [args[i] for i in nums]
        _check_inputs(tree_flatten(tuple(dyn))[0], "jacrev", holomorphic)

        def f_dyn(*dargs):
            full = list(args)
            for i, a in zip(nums, dargs):
                full[i] = a
            return fun(*full)

        if has_aux:
            y, pullback, aux = vjp(f_dyn, *dyn, has_aux=True)
        else:
            y, pullback = vjp(f_dyn, *dyn)
        y_leaves, y_tree = tree_flatten(y)
        _check_outputs([as_operand(v) for v in y_leaves], "jacrev", holomorphic)
        basis = _std_basis(y_leaves)
        rows = vmap(lambda *cts: pullback(y_tree.unflatten(list(cts))))(*basis)
        # rows: tuple over dyn args of trees with leading axis = flattened output size.
        out = _rows_to_jacobian(rows, y_leaves, y_tree, single)
        return (out, aux) if has_aux else out
    return jac


def _split_jacobian(jt, d_leaves, single, nums, args, axis_last):
    """jt: output tree whose leaves have a trailing axis over all input elements."""
    from . import numpy as jnp
    sizes = [leaf_aval(x)[0].size for x in d_leaves]
    shapes = [leaf_aval(x)[0].shape for x in d_leaves]

    def split_leaf(y):
        parts, k = [], 0
        for s, shp in zip(sizes, shapes):
            part = y[..., k:k + s]
            parts.append(jnp.reshape(part, y.shape[:-1] + shp))
            k += s
        return parts

    out_leaves, out_tree = tree_flatten(jt)
    per_out = [split_leaf(y) for y in out_leaves]
    # Rebuild: for each output leaf, a tuple over dyn args (each a tree like the arg).
    dyn_trees = [tree_structure(args[i]) for i in nums]

    def for_output(parts):
        res, k = [], 0
        for t in dyn_trees:
            res.append(t.unflatten(parts[k:k + t.num_leaves]))
            k += t.num_leaves
        return res[0] if single else tuple(res)
    return out_tree.unflatten([for_output(p) for p in per_out])


def _rows_to_jacobian(rows, y_leaves, y_tree, single):
    from . import numpy as jnp
    sizes = [leaf_aval(y)[0].size for y in y_leaves]
    shapes = [leaf_aval(y)[0].shape for y in y_leaves]
    args_rows = rows[0] if single else rows

    def split(r):
        parts, k = [], 0
        for s, shp in zip(sizes, shapes):
            parts.append(jnp.reshape(r[k:k + s], shp + r.shape[1:]))
            k += s
        return parts

    if single:
        per_leaf = [split(r) for r in tree_flatten(args_rows)[0]]
        a_tree = tree_structure(args_rows)
        return y_tree.unflatten([a_tree.unflatten([p[i] for p in per_leaf])
                                 for i in range(len(y_leaves))])
    outs = []
    for i in range(len(y_leaves)):
        outs.append(tuple(tree_structure(a).unflatten([split(r)[i] for r in tree_flatten(a)[0]])
                          for a in args_rows))
    return y_tree.unflatten(outs)


def hessian(fun, argnums=0, has_aux=False, holomorphic=False):
    """jacfwd(jacrev(f)), like `jax.hessian`."""
    return jacfwd(jacrev(fun, argnums, has_aux=has_aux, holomorphic=holomorphic), argnums,
                  has_aux=has_aux, holomorphic=holomorphic)



def jacobian(fun, argnums=0, has_aux=False, holomorphic=False, allow_int=False):
    """`jax.jacobian`: the Jacobian by reverse mode (jacrev)."""
    if allow_int:
        raise NotImplementedError("jacobian: allow_int=True (float0 cotangents of integer "
                                  "inputs) is not supported by irax")
    return jacrev(fun, argnums, has_aux=has_aux, holomorphic=holomorphic)


# --------------------------------------------------------------------------
# linear_transpose: the VJP of a linear function, checked to be linear
# --------------------------------------------------------------------------

def linear_transpose(fun, *primals, reduce_axes=()):
    """`f_transpose(ct)`: the transpose of linear `fun` at arguments shaped like
    `primals` (arrays or ShapeDtypeStructs), one cotangent per primal.  It is
    the VJP, whose value is the same at every point of a linear function;
    `fun` is checked to be linear (its VJP may not depend on its inputs, and
    it may not add constants), else a TypeError."""
    from .api import ShapeDtypeStruct
    if reduce_axes:
        raise NotImplementedError("linear_transpose: reduce_axes (named axes) is not supported")
    points = [tree_map(_zero_point, p) for p in primals]
    structs = tree_map(lambda x: ShapeDtypeStruct(leaf_aval(x)[0].shape, leaf_aval(x)[0].dtype),
                       tuple(primals))
    _check_linear(fun, points)
    out_structs = tree_flatten(_eval_out(fun, points))

    def transposed(out_cotangent):
        ct_leaves, ct_tree = tree_flatten(out_cotangent)
        if ct_tree != out_structs[1]:
            raise TypeError(f"linear_transpose: cotangent structure {ct_tree} does not match "
                            f"the output structure {out_structs[1]}")
        for c, o in zip(ct_leaves, out_structs[0]):
            aval = leaf_aval(c)[0]
            if aval.shape != o.shape or aval.dtype != leaf_aval(o)[0].dtype:
                raise TypeError(f"linear_transpose: cotangent {aval.dtype}{list(aval.shape)} does "
                                f"not match the output {leaf_aval(o)[0].dtype}{list(o.shape)}")
        _, pullback = vjp(fun, *points)
        return pullback(out_cotangent)
    transposed.primal_structs = structs
    return transposed


def _zero_point(x):
    """A zero like `x`; a Python scalar stays one (weakly typed, as JAX types it)."""
    if isinstance(x, (int, float)) and not isinstance(x, (bool, np.generic)):
        return type(x)(0)
    return _zeros_like_leaf(x)


def _eval_out(fun, points):
    from .api import eval_shape
    return eval_shape(fun, *points)


def _check_linear(fun, points):
    """Raise a TypeError unless `fun` is linear in all its float inputs."""
    from irax.dialects import get_context
    from irax.dialects.expand import expand_all, lookup_func
    from irax.dialects.simplify import simplify
    from irax.lowering.pipeline import clone_module
    from .api import make_ir
    out = _eval_out(fun, points)
    cts = tree_map(lambda s: np.zeros(s.shape, s.dtype), out)
    n_in = len(tree_flatten(tuple(points))[0])

    def transpose_at(x, ct):
        return vjp(fun, *x)[1](ct)
    text = make_ir(transpose_at)(tuple(points), cts)
    fwd = make_ir(fun)(*points)
    name = fun_name(fun)
    with get_context():
        m = clone_module(text.module)
        expand_all(m)
        simplify(m)
        deps = _dependencies(lookup_func(m, text.entry))
        if any(d & set(range(n_in)) for d in deps):
            raise TypeError(f"linear_transpose: {name} is not linear: its transpose depends on "
                            "the value of its inputs")
        m = clone_module(fwd.module)
        expand_all(m)
        simplify(m)
        affine = _adds_constant(lookup_func(m, fwd.entry))
        if affine:
            raise TypeError(f"linear_transpose: {name} is not linear: {affine} adds a constant "
                            "to a value that depends on its inputs")


def _dependencies(func_op) -> list:
    """For each result of `func_op`, the indices of the arguments it depends on."""
    block = func_op.regions[0].blocks[0]
    dep = {a: {i} for i, a in enumerate(block.arguments)}
    for op in block.operations:
        if op.name == "func.return":
            return [dep.get(v, set()) for v in op.operands]
        used = set()
        for v in op.operands:
            used |= dep.get(v, set())
        for r in op.results:
            dep[r] = used
    return []


_AFFINE_OPS = ("irax.add", "irax.sub")


def _adds_constant(func_op):
    """The first op adding an input-independent, nonzero value to an input-dependent
    one (the function is affine, not linear), as 'op at file:line', else None."""
    from irax.dialects.ops import where_string
    block = func_op.regions[0].blocks[0]
    live = set(block.arguments)
    for op in block.operations:
        if op.name == "func.return":
            return None
        flags = [v in live for v in op.operands]
        if op.name in _AFFINE_OPS and any(flags) and not all(flags):
            other = op.operands[flags.index(False)]
            if not _is_zero_constant(other):
                return f"'{op.name}' at {where_string(op.location)}"
        if any(flags):
            live.update(op.results)
    return None


def _is_zero_constant(v) -> bool:
    from irax.dialects.ops import attrs_of
    owner = v.owner
    while hasattr(owner, "name") and owner.name == "irax.broadcast_in_dim":
        owner = owner.operands[0].owner
    if not hasattr(owner, "name") or owner.name != "irax.constant":
        return False
    value = attrs_of(owner)["value"]
    return not np.any(np.asarray(value))
