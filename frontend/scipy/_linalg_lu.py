"""jax.scipy.linalg's triangular, LU and Cholesky functions and expm, on the
factorization programs of irax.numpy._factorizations."""
from __future__ import annotations

import numpy as np

from .. import dtypes, lax
from ..control_flow import scan
from ..core import user_line
from ..custom_derivatives import custom_jvp
from ..numpy import _factorizations as F
from ..numpy import linalg as nla
from ..numpy._core import asarray, promote
from ..numpy._creation import eye, tril, triu
from ..numpy._linalg import matmul
from ..numpy._shape import concatenate, matrix_transpose

det = nla.det
inv = nla.inv


def _promote_float(a, b, op):
    a, b = promote(asarray(a), asarray(b), op=op)
    return F.float_operand(a, op), F.float_operand(b[..., None], op)[..., 0] if b.aval.ndim < 2 \
        else F.float_operand(b, op)


def _check_square(a, op):
    if a.aval.ndim < 2 or a.aval.shape[-1] != a.aval.shape[-2]:
        raise ValueError(f"{op}: a must be a (batch of) square matrices, got shape "
                         f"{a.aval.shape} (at {user_line()})")


def _as_matrix_rhs(a, b, op):
    """b as (..., n, k) with a's batch broadcast in, and whether it was a vector
    (b.ndim == a.ndim - 1, as lax.linalg's solve shapes)."""
    vector = b.aval.ndim == a.aval.ndim - 1
    if vector:
        b = b[..., None]
    if b.aval.ndim < 2 or b.aval.shape[-2] != a.aval.shape[-1]:
        raise ValueError(f"{op}: the arguments must have shapes a=[..., m, m] and b=[..., m, k] "
                         f"or b=[..., m]; got a={a.aval.shape} and b={b.aval.shape} "
                         f"(at {user_line()})")
    a, b = F._broadcast_batch(a, b, op)
    return a, b, vector


def solve_triangular(a, b, trans=0, lower=False, unit_diagonal=False, overwrite_b=False,
                     debug=None, check_finite=True):
    """op(a) x = b with a triangular; trans 0/'N', 1/'T' or 2/'C' (real: as 'T')."""
    a, b = _promote_float(a, b, "solve_triangular")
    _check_square(a, "solve_triangular")
    if trans in (0, "N"):
        transpose_a = False
    elif trans in (1, "T", 2, "C"):
        transpose_a = True
    else:
        raise ValueError(f"solve_triangular: invalid trans {trans!r} (at {user_line()})")
    a, b, vector = _as_matrix_rhs(a, b, "solve_triangular")
    out = F._triangular_solve(True, bool(lower), transpose_a, bool(unit_diagonal), a, b)
    return out[..., 0] if vector else out


def _cholesky(a, lower):
    """The factor of a's lower (or, lower=False, upper) triangle, without symmetrizing."""
    a = F.float_operand(a, "cholesky")
    F._square(a, "cholesky")
    L = F.cholesky(a if lower else matrix_transpose(a), symmetrize_input=False)
    return L if lower else matrix_transpose(L)


def cholesky(a, lower=False, overwrite_a=False, check_finite=True):
    return _cholesky(a, lower)


def cho_factor(a, lower=False, overwrite_a=False, check_finite=True):
    return _cholesky(a, lower), lower


def _cho_solve(c, b, lower):
    """(c c^T) x = b (lower) or (c^T c) x = b, c triangular; b (..., n, k)."""
    b = F._triangular_solve(True, lower, not lower, False, c, b)
    return F._triangular_solve(True, lower, lower, False, c, b)


def cho_solve(c_and_lower, b, overwrite_b=False, check_finite=True):
    c, lower = c_and_lower
    c, b = _promote_float(c, b, "cho_solve")
    c, b, vector = _as_matrix_rhs(c, b, "cho_solve")
    out = _cho_solve(c, b, bool(lower))
    return out[..., 0] if vector else out


def lu_factor(a, overwrite_a=False, check_finite=True):
    lu_, piv, _ = F.lu(a)
    return lu_, piv


def lu(a, permute_l=False, overwrite_a=False, check_finite=True):
    """(p, l, u) with a = p @ l @ u, or (p @ l, u) with permute_l=True."""
    a = F.float_operand(a, "lu")
    lu_, _, perm = F.lu(a)
    m, n = a.aval.shape[-2:]
    k = min(m, n)
    dt = a.aval.dtype
    p = lax.convert_element_type(
        lax.eq(lax.broadcast_in_dim(perm, perm.aval.shape + (m,), tuple(range(perm.aval.ndim))),
               lax.broadcasted_iota("int32", perm.aval.shape + (m,), perm.aval.ndim)), dt)
    p = matrix_transpose(p)
    l = tril(lu_[..., :, :k], -1) + eye(m, k, dtype=dt)
    u = triu(lu_[..., :k, :])
    if permute_l:
        return matmul(p, l), u
    return p, l, u


def lu_solve(lu_and_piv, b, trans=0, overwrite_b=False, check_finite=True):
    """Solve with lu_factor's output: a x = b (trans 0) or a^T x = b (1 or 2)."""
    lu_, piv = lu_and_piv
    lu_, b = _promote_float(lu_, b, "lu_solve")
    if trans not in (0, 1, 2):
        raise ValueError(f"lu_solve: invalid trans {trans!r}; use 0, 1 or 2 (at {user_line()})")
    perm = F.lu_pivots_to_permutation(piv, lu_.aval.shape[-2])
    lu_, b, vector = _as_matrix_rhs(lu_, b, "lu_solve")
    perm = lax.broadcast_in_dim(perm, lu_.aval.shape[:-1],
                                tuple(range(lu_.aval.ndim - 1 - perm.aval.ndim, lu_.aval.ndim - 1)))
    out = nla._lu_solve(lu_, perm, b, 0 if trans == 0 else 1)
    return out[..., 0] if vector else out


def _pos_solve(lower, a, b):
    return _cho_solve(_cholesky(a, lower), b, lower)


_pos_solve = custom_jvp(_pos_solve, nondiff_argnums=(0,))


@_pos_solve.defjvp
def _pos_solve_jvp(lower, primals, tangents):
    """x = a^-1 b  =>  dx = a^-1 (db - da x), by the one Cholesky factor (JAX
    differentiates its assume_a='pos' solve implicitly, through all of a)."""
    a, b = primals
    da, db = tangents
    c = _cholesky(a, lower)
    x = _cho_solve(c, b, lower)
    return x, _cho_solve(c, db - matmul(da, x), lower)


def solve(a, b, lower=False, overwrite_a=False, overwrite_b=False, debug=False,
          check_finite=True, assume_a="gen"):
    """a x = b; assume_a 'gen'/'sym'/'her' by LU, 'pos' by Cholesky of one triangle."""
    if assume_a not in ("gen", "sym", "her", "pos"):
        raise ValueError(f"solve: expected assume_a to be one of 'gen', 'sym', 'her' or 'pos'; "
                         f"got {assume_a!r} (at {user_line()})")
    if assume_a != "pos":
        return nla.solve(a, b)
    a, b = _promote_float(a, b, "solve")
    _check_square(a, "solve")
    a, b, vector = _as_matrix_rhs(a, b, "solve")
    out = _pos_solve(bool(lower), a, b)
    return out[..., 0] if vector else out


def block_diag(*arrs):
    """The arrays (each made at least 2-d) along the diagonal of one matrix."""
    if not arrs:
        return asarray(np.zeros((1, 0), dtypes.np_dtype(dtypes.default_float())))
    xs = promote(*[asarray(x) for x in arrs], op="block_diag")
    xs = [x.reshape(1, -1) if x.aval.ndim < 2 else x for x in xs]
    for x in xs:
        if x.aval.ndim != 2:
            raise ValueError(f"block_diag: the arrays must have at most 2 dimensions, got shape "
                             f"{x.aval.shape} (at {user_line()})")
    total = sum(x.aval.shape[1] for x in xs)
    rows, col = [], 0
    zero = asarray(np.zeros((), dtypes.np_dtype(xs[0].aval.dtype)))
    for x in xs:
        c = x.aval.shape[1]
        rows.append(lax.pad(x, zero, [(0, 0, 0), (col, total - col - c, 0)]))
        col += c
    return concatenate(rows, axis=0)


# --------------------------------------------------------------------------
# expm: Pade approximants with scaling and squaring (Higham 2005), as JAX
# --------------------------------------------------------------------------

_PADE = {
    3: (120., 60., 12., 1.),
    5: (30240., 15120., 3360., 420., 30., 1.),
    7: (17297280., 8648640., 1995840., 277200., 25200., 1512., 56., 1.),
    9: (17643225600., 8821612800., 2075673600., 302702400., 30270240., 2162160., 110880.,
        3960., 90., 1.),
    13: (64764752532480000., 32382376266240000., 7771770303897600., 1187353796428800.,
         129060195264000., 10559470521600., 670442572800., 33522128640., 1323241920.,
         40840800., 960960., 16380., 182., 1.),
}


def _pade_uv(a, orders):
    """(U, V) of each [m/m] Pade approximant in `orders` (U odd, V even in a), sharing
    the even powers of a."""
    ident = eye(a.aval.shape[-1], dtype=a.aval.dtype)
    powers = [ident, matmul(a, a)]
    while len(powers) <= min(max(orders), 9) // 2:
        powers.append(matmul(powers[-1], powers[1]))
    out = []
    for m in orders:
        b = _PADE[m]
        if m == 13:
            a2, a4, a6 = powers[1], powers[2], powers[3]
            u = matmul(a, matmul(a6, b[13] * a6 + b[11] * a4 + b[9] * a2)
                       + b[7] * a6 + b[5] * a4 + b[3] * a2 + b[1] * ident)
            v = (matmul(a6, b[12] * a6 + b[10] * a4 + b[8] * a2)
                 + b[6] * a6 + b[4] * a4 + b[2] * a2 + b[0] * ident)
        else:
            u = matmul(a, sum(b[2 * i + 1] * powers[i] for i in range(m // 2 + 1)))
            v = sum(b[2 * i] * powers[i] for i in range(m // 2 + 1))
        out.append((u, v))
    return out


def _expm2(a, upper_triangular, max_squarings):
    from ..numpy._extra_sorting import digitize
    from ..numpy._ufuncs import floor, log2, maximum
    norm1 = nla.norm(a, 1)
    if a.aval.dtype == "float64":
        maxnorm, conds, orders = 5.371920351148152, (1.495585217958292e-002,
                                                     2.539398330063230e-001,
                                                     9.504178996162932e-001,
                                                     2.097847961257068e+000), (3, 5, 7, 9, 13)
    else:
        maxnorm, conds, orders = 3.925724783138660, (4.258730016922831e-001,
                                                     1.880152677804762e+000), (3, 5, 7)
    s = maximum(0, floor(log2(norm1 / maxnorm)))
    a = a / lax.convert_element_type(2 ** s, a.aval.dtype)
    idx = digitize(norm1, asarray(np.array(conds, dtypes.np_dtype(a.aval.dtype))))
    # every order, then a select (not lax.switch: IREE failed to schedule the reverse
    # pass of switch + solve + the squaring scan, 'cyclic dependencies')
    from ..numpy._ufuncs import where
    uvs = _pade_uv(a, orders)
    u, v = uvs[-1]
    for k in range(len(orders) - 2, -1, -1):
        u, v = where(idx == k, uvs[k][0], u), where(idx == k, uvs[k][1], v)
    p, q = u + v, v - u
    r = solve_triangular(q, p) if upper_triangular else nla.solve(q, p)

    def square(c, i):
        from ..control_flow import cond
        return cond(i < s, lambda x: matmul(x, x), lambda x: x, c), None
    r, _ = scan(square, r, asarray(np.arange(max_squarings, dtype=dtypes.np_dtype(s.aval.dtype))))
    return where(s > max_squarings, np.nan, r)


def expm(A, *, upper_triangular=False, max_squarings=16):
    """The matrix exponential: Pade 3..13 chosen by the 1-norm, scaled by 2^-s and
    squared back s times (NaN past max_squarings), as JAX's."""
    a = F.float_operand(A, "expm")
    _check_square(a, "expm")
    if a.aval.ndim > 2:
        from ..vmap import vmap
        f = lambda x: _expm2(x, upper_triangular, max_squarings)
        for _ in range(a.aval.ndim - 2):
            f = vmap(f)
        return f(a)
    return _expm2(a, upper_triangular, max_squarings)
