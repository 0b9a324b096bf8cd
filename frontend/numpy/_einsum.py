"""einsum: subscripts → diagonals, sums and one dot_general per pairwise contraction.

Operands are contracted left to right.  Before each contraction, labels no
later operand or the output needs are summed out, so every dot_general only
carries batch labels (shared and still needed), contracting labels (shared,
not needed) and free labels.
"""
from __future__ import annotations

import string

from irax.dialects.ops import IraxTypeError

from .. import lax
from ..core import user_line
from ._core import asarray, promote


def _parse(subscripts, ranks):
    """(input label strings, output label string), with '...' expanded."""
    spec = subscripts.replace(" ", "")
    ins, arrow, out = spec.partition("->")
    terms = ins.split(",")
    if len(terms) != len(ranks):
        raise ValueError(f"einsum: {len(terms)} subscripts in {subscripts!r} but {len(ranks)} "
                         f"operands")
    used = set(spec) - set(".,->")
    for ch in used:
        if ch not in string.ascii_letters:
            raise ValueError(f"einsum: invalid subscript {ch!r} in {subscripts!r}")
    spare = iter(ch for ch in string.ascii_letters if ch not in used)
    n_ell = max((r - len(t.replace("...", "")) for t, r in zip(terms, ranks) if "..." in t),
                default=0)
    ell = "".join(next(spare) for _ in range(n_ell))
    labels = []
    for t, r in zip(terms, ranks):
        if "..." in t:
            k = r - len(t.replace("...", ""))
            t = t.replace("...", ell[n_ell - k:] if k else "")
        if len(t) != r:
            raise ValueError(f"einsum: subscript {t!r} has {len(t)} labels but its operand has "
                             f"rank {r} (subscripts {subscripts!r})")
        labels.append(t)
    if arrow:
        out = out.replace("...", ell)
        for ch in out:
            if not any(ch in t for t in labels):
                raise ValueError(f"einsum: output label {ch!r} does not occur in an input")
        if len(set(out)) != len(out):
            raise ValueError(f"einsum: output subscript {out!r} repeats a label")
    else:
        alltext = "".join(labels)
        out = ell + "".join(sorted(ch for ch in set(alltext) - set(ell) if alltext.count(ch) == 1))
    return labels, out


def _broadcast_labels(xs, labels):
    """Size-1 dims take their label's size elsewhere (NumPy broadcasting, e.g. under '...')."""
    sizes = {}
    for x, lab in zip(xs, labels):
        for ch, d in zip(lab, x.aval.shape):
            if d != 1:
                if sizes.get(ch, d) != d:
                    raise IraxTypeError(f"einsum: label {ch!r} has size {sizes[ch]} in one operand "
                                        f"and {d} in another (at {user_line()})")
                sizes[ch] = d
    out = []
    for x, lab in zip(xs, labels):
        shape = tuple(sizes.get(ch, 1) if d == 1 else d for ch, d in zip(lab, x.aval.shape))
        out.append(lax.broadcast_in_dim(x, shape, range(x.aval.ndim)) if shape != x.aval.shape else x)
    return out


def _diagonal(x, labels):
    """Take diagonals for labels repeated within one operand ('ii' -> 'i')."""
    while len(set(labels)) != len(labels):
        ch = next(c for c in labels if labels.count(c) > 1)
        i = labels.index(ch)
        j = labels.index(ch, i + 1)
        n = x.aval.shape[i]
        rest = [d for d in range(x.aval.ndim) if d not in (i, j)]
        x = lax.transpose(x, rest + [i, j])
        lead = x.aval.shape[:-2]
        x = lax.reshape(x, lead + (n * n,))
        x = lax.slice_in_dim(x, 0, n * n, stride=n + 1, axis=len(lead)) if n else x
        labels = "".join(labels[d] for d in rest) + ch
    return x, labels


def _sum_out(x, labels, keep):
    axes = [i for i, ch in enumerate(labels) if ch not in keep]
    if not axes:
        return x, labels
    return lax.reduce_sum(x, axes), "".join(ch for ch in labels if ch in keep)


def _contract(x, xl, y, yl, keep):
    batch = [ch for ch in xl if ch in yl and ch in keep]
    contract = [ch for ch in xl if ch in yl and ch not in keep]
    for ch in batch + contract:
        if x.aval.shape[xl.index(ch)] != y.aval.shape[yl.index(ch)]:
            raise IraxTypeError(f"einsum: label {ch!r} has size {x.aval.shape[xl.index(ch)]} in one "
                                f"operand and {y.aval.shape[yl.index(ch)]} in another (at {user_line()})")
    dims = (([xl.index(c) for c in contract], [yl.index(c) for c in contract]),
            ([xl.index(c) for c in batch], [yl.index(c) for c in batch]))
    out = lax.dot_general(x, y, dims)
    labels = ("".join(batch) + "".join(c for c in xl if c not in yl)
              + "".join(c for c in yl if c not in xl))
    return out, labels


def einsum(subscripts, *operands, preferred_element_type=None):
    """Evaluate the Einstein summation `subscripts` on `operands` (no loops)."""
    if not isinstance(subscripts, str):
        raise TypeError("einsum: only the subscripts-string form is supported")
    xs = [asarray(o) for o in operands]
    labels, out = _parse(subscripts, [x.aval.ndim for x in xs])
    xs = promote(*xs, op="einsum") if len(xs) > 1 else xs
    if xs[0].aval.dtype == "bool":
        xs = [lax.convert_element_type(x, "int32") for x in xs]
    xs = _broadcast_labels(xs, labels)
    parts = []
    for k, (x, lab) in enumerate(zip(xs, labels)):
        x, lab = _diagonal(x, lab)
        needed = set(out).union(*[set(t) for j, t in enumerate(labels) if j != k])
        parts.append(_sum_out(x, lab, needed))
    acc, acc_l = parts[0]
    for k in range(1, len(parts)):
        y, yl = parts[k]
        needed = set(out).union(*[set(l) for _, l in parts[k + 1:]])
        acc, acc_l = _sum_out(acc, acc_l, needed | set(yl))
        y, yl = _sum_out(y, yl, needed | set(acc_l))
        acc, acc_l = _contract(acc, acc_l, y, yl, needed)
    acc, acc_l = _sum_out(acc, acc_l, set(out))
    acc = lax.transpose(acc, [acc_l.index(ch) for ch in out])
    if preferred_element_type is not None:
        acc = lax.convert_element_type(acc, preferred_element_type)
    return acc
