"""irax in five minutes: arrays, jit, the irax dialect, and the linalg IREE compiles."""
import numpy as np

import irax
import irax.numpy as jnp

# Arrays live on the device; NumPy interop is free in both directions.
x = jnp.arange(12.0).reshape(3, 4)
print("x =\n", x)
print("x.T @ x =\n", x.T @ x)
print("np.asarray(x).sum() =", np.asarray(x).sum())


# jit traces once per argument signature and compiles with IREE.
@irax.jit
def selu(x, alpha=1.67, lmbda=1.05):
    return lmbda * jnp.where(x > 0, x, alpha * jnp.exp(x) - alpha)


print("selu(x) =\n", selu(x - 5.0))

# The traced program in the irax dialect (like jax.make_jaxpr)...
print("--- irax dialect ---")
print(irax.make_ir(selu.__wrapped__)(x))
# ...and the linalg-on-tensors module handed to IREE.
print("--- lowered to linalg ---")
print(selu.lower(x))
