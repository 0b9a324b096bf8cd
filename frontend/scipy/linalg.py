"""irax.scipy.linalg: jax.scipy.linalg on irax arrays."""
# QR, eigh, SVD and the polar decomposition: Jacobi/Householder programs (numpy/_spectral.py)
from ..numpy._spectral import (polar, scipy_eigh as eigh, scipy_qr as qr,  # noqa: F401
                               scipy_svd as svd)
# triangular, LU and Cholesky: blocked programs (numpy/_factorizations.py)
from ._linalg_lu import (block_diag, cho_factor, cho_solve, cholesky, det, expm, inv,  # noqa: F401,E402
                         lu, lu_factor, lu_solve, solve, solve_triangular)
