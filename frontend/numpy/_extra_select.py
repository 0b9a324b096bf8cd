"""Choosing among several arrays elementwise: select, piecewise, choose."""
from __future__ import annotations

from .. import lax
from ..core import ConcretizationTypeError, user_line
from . import _ufuncs as uf
from ._core import asarray, broadcast_arrays, promote


def select(condlist, choicelist, default=0):
    """The choice of the first true condition at each element (else `default`)."""
    if len(condlist) != len(choicelist):
        raise ValueError(f"select: condlist must have length matching choicelist; got "
                         f"{len(condlist)} and {len(choicelist)} (at {user_line()})")
    if not condlist:
        raise ValueError(f"select: condlist must be non-empty (at {user_line()})")
    conds = [asarray(c) for c in condlist]
    conds = [c if c.aval.dtype == "bool" else lax.ne(c, 0) for c in conds]
    choices = promote(*choicelist, default, op="select")
    out = choices[-1]
    for c, x in zip(reversed(conds), reversed(choices[:-1])):
        out = uf.where(c, x, out)
    return out


def piecewise(x, condlist, funclist, *args, **kw):
    """funclist[i] (a function of x, or a constant) where condlist[i] holds, a later
    condition winning; an extra last function covers the rest (default 0).  Each function
    is evaluated on all of x, then selected, so it traces once."""
    xs = asarray(x)
    conds = [asarray(c) for c in (condlist if isinstance(condlist, (list, tuple)) else
                                  ([condlist] if asarray(condlist).aval.ndim == xs.aval.ndim
                                   else list(asarray(condlist))))]
    n = len(conds)
    if len(funclist) not in (n, n + 1):
        raise ValueError(f"piecewise: with {n} condition(s), either {n} or {n + 1} functions "
                         f"are needed; got {len(funclist)} (at {user_line()})")

    def value(f):
        v = f(xs, *args, **kw) if callable(f) else f
        v = lax.convert_element_type(asarray(v), xs.aval.dtype)
        return broadcast_arrays(v, xs)[0]

    out = value(funclist[n]) if len(funclist) == n + 1 else value(0)
    for c, f in zip(conds, funclist[:n]):
        out = uf.where(c, value(f), out)
    return lax.convert_element_type(out, xs.aval.dtype)


def choose(a, choices, out=None, mode="raise"):
    """choices[a[i]][i]; mode='raise' checks the indices, so it needs concrete ones."""
    from ._shape import stack
    if out is not None:
        raise NotImplementedError(f"choose: irax arrays are immutable: out= is not supported "
                                  f"(at {user_line()})")
    idx = asarray(a)
    cs = promote(*choices, op="choose")
    n = len(cs)
    if mode == "raise":
        import numpy as np
        try:
            host = np.asarray(a)  # the caller's value (a NumPy array stays concrete)
        except (TypeError, ConcretizationTypeError):
            raise ConcretizationTypeError(
                f"choose: mode='raise' needs concrete indices, but they are traced; use "
                f"mode='wrap' or mode='clip' under jit (at {user_line()})") from None
        if host.size and (host.min() < 0 or host.max() >= n):
            raise ValueError(f"choose: invalid entry in choice array (indices must be in "
                             f"[0, {n})) (at {user_line()})")
    elif mode == "wrap":
        idx = uf.remainder(idx, n)
    elif mode == "clip":
        idx = uf.clip(idx, 0, n - 1)
    else:
        raise ValueError(f"choose: invalid mode {mode!r}; use 'raise', 'wrap' or 'clip' "
                         f"(at {user_line()})")
    parts = broadcast_arrays(idx, *cs)
    idx, cs = parts[0], parts[1:]
    stacked = stack(cs, axis=0)
    from ._indexing import take_along_axis
    picked = take_along_axis(stacked, lax.expand_dims(lax.convert_element_type(idx, "int32"), (0,)),
                             axis=0, mode="clip")
    return lax.squeeze(picked, (0,))
