"""Lowering irax to linalg, IREE compile and runtime."""
