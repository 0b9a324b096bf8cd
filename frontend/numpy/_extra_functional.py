"""Functions that map a Python function over arrays with vmap, as JAX defines them:
apply_along_axis, apply_over_axes, vectorize, fromfunction."""
from __future__ import annotations

import functools
import re

from .. import dtypes, lax
from ..core import user_line
from ._core import asarray, broadcast_shapes, broadcast_to, canonical_axis


def _vmap():
    from ..vmap import vmap
    return vmap


def apply_along_axis(func1d, axis, arr, *args, **kwargs):
    """func1d on every 1-d slice along axis: one vmap per other axis."""
    vmap = _vmap()
    x = asarray(arr)
    nd = x.aval.ndim
    axis = canonical_axis(axis, nd, "apply_along_axis")

    def func(v):
        return func1d(v, *args, **kwargs)

    for i in range(1, nd - axis):
        func = vmap(func, in_axes=i, out_axes=-1)
    for _ in range(axis):
        func = vmap(func, in_axes=0, out_axes=0)
    return func(x)


def apply_over_axes(func, a, axes):
    """func(a, axis) for each axis in turn; a reduced axis is put back with size 1."""
    from ._shape import expand_dims
    x = asarray(a)
    for axis in axes:
        b = asarray(func(x, axis))
        if b.aval.ndim == x.aval.ndim - 1:
            b = expand_dims(b, axis)
        elif b.aval.ndim != x.aval.ndim:
            raise ValueError(f"apply_over_axes: function is not returning an array of the "
                             f"correct shape (got {b.aval.shape} from {x.aval.shape}) "
                             f"(at {user_line()})")
        x = b
    return x


_DIM = r"\w+"
_CORE = rf"\((?:{_DIM}(?:,{_DIM})*)?\)"
_ARGS = rf"{_CORE}(?:,{_CORE})*"
_SIGNATURE = re.compile(rf"^{_ARGS}->{_ARGS}$")


def _parse_signature(signature):
    sig = signature.replace(" ", "")
    if not _SIGNATURE.match(sig):
        raise ValueError(f"vectorize: not a valid gufunc signature: {signature!r}")
    ins, outs = sig.split("->")
    parse = lambda part: [tuple(re.findall(_DIM, arg)) for arg in re.findall(_CORE, part)]
    return parse(ins), parse(outs)


def vectorize(pyfunc, *, excluded=frozenset(), signature=None):
    """NumPy's vectorize with JAX's meaning: broadcast the loop dimensions, then vmap
    pyfunc over each of them (pyfunc sees core-shaped arrays, scalars without signature)."""
    vmap = _vmap()
    core_in, core_out = _parse_signature(signature) if signature is not None else (None, None)

    @functools.wraps(pyfunc)
    def wrapped(*args, **kwargs):
        static_kw = {k: v for k, v in kwargs.items() if k in excluded}
        dyn_kw = {k: v for k, v in kwargs.items() if k not in excluded}
        if dyn_kw:
            names = sorted(dyn_kw)
            args = args + tuple(dyn_kw[k] for k in names)
        else:
            names = []
        n_pos = len(args) - len(names)
        dyn = [i for i in range(len(args)) if i not in excluded]
        xs = [asarray(args[i]) for i in dyn]
        cores = core_in if core_in is not None else [()] * len(xs)
        if len(cores) != len(xs):
            raise TypeError(f"vectorize: wrong number of positional arguments: expected "
                            f"{len(cores)}, got {len(xs)} (at {user_line()})")
        sizes = {}
        loop_shapes = []
        for x, core in zip(xs, cores):
            if x.aval.ndim < len(core):
                raise ValueError(f"vectorize: input with shape {x.aval.shape} does not have "
                                 f"enough dimensions for its core dimensions {core} "
                                 f"(at {user_line()})")
            cshape = x.aval.shape[x.aval.ndim - len(core):]
            for name, d in zip(core, cshape):
                if sizes.setdefault(name, d) != d:
                    raise ValueError(f"vectorize: inconsistent size for core dimension "
                                     f"{name!r}: {sizes[name]} vs {d} (at {user_line()})")
            loop_shapes.append(x.aval.shape[:x.aval.ndim - len(core)])
        loop = broadcast_shapes(*loop_shapes) if loop_shapes else ()
        xs = [broadcast_to(x, loop + x.aval.shape[x.aval.ndim - len(c):])
              for x, c in zip(xs, cores)]

        def call(*dyn_vals):
            full = list(args)
            for i, v in zip(dyn, dyn_vals):
                full[i] = v
            kw = dict(static_kw)
            kw.update(zip(names, full[n_pos:]))
            out = pyfunc(*full[:n_pos], **kw)
            if core_out is not None and len(core_out) > 1 and not isinstance(out, tuple):
                raise ValueError(f"vectorize: the function returned one value, but the "
                                 f"signature has {len(core_out)} outputs")
            return out

        f = call
        for _ in loop:
            f = vmap(f, in_axes=0, out_axes=0)
        return f(*xs)

    return wrapped


def fromfunction(function, shape, *, dtype=float, **kwargs):
    """function applied to every index tuple (as scalars of `dtype`), vmapped."""
    vmap = _vmap()
    shape = tuple(int(d) for d in shape)
    dt = dtypes.to_dtype(dtype)

    f = functools.partial(function, **kwargs)
    nd = len(shape)
    for i in reversed(range(nd)):
        f = vmap(f, in_axes=tuple(0 if j == i else None for j in range(nd)), out_axes=0)
    return f(*[lax.iota(dt, d) for d in shape])
