"""irax.scipy.linalg: jax.scipy.linalg on irax arrays."""
# QR, eigh, SVD and the polar decomposition: Jacobi/Householder programs (numpy/_spectral.py)
from ..numpy._spectral import (polar, scipy_eigh as eigh, scipy_qr as qr,  # noqa: F401
                               scipy_svd as svd)
