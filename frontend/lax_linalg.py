"""irax.lax.linalg: JAX's lax.linalg entry points (the programs live in numpy/_factorizations.py)."""
from .numpy._factorizations import (cholesky, lu, lu_pivots_to_permutation,  # noqa: F401
                                    symmetrize, triangular_solve)
