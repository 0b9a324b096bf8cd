"""Lowering irax to linalg, IREE compile and runtime.

Nothing is imported here, so `irax.lowering.deploy` (runtime only) loads
without the compiler.
"""
