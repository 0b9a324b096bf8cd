"""`irax.tree`: JAX's short names for the pytree utilities (`jax.tree`)."""
from __future__ import annotations

from .tree_util import _UNSPECIFIED, _reduce, tree_all, tree_broadcast, tree_flatten, \
    tree_flatten_with_path, tree_leaves, tree_leaves_with_path, tree_map, tree_map_with_path, \
    tree_reduce_associative, tree_structure, tree_transpose, tree_unflatten

__all__ = ["all", "broadcast", "flatten", "flatten_with_path", "leaves", "leaves_with_path",
           "map", "map_with_path", "reduce", "reduce_associative", "structure", "transpose",
           "unflatten"]

flatten = tree_flatten
flatten_with_path = tree_flatten_with_path
leaves = tree_leaves
leaves_with_path = tree_leaves_with_path
map = tree_map  # noqa: A001  (JAX's name)
map_with_path = tree_map_with_path
reduce_associative = tree_reduce_associative
structure = tree_structure
transpose = tree_transpose
unflatten = tree_unflatten
broadcast = tree_broadcast
all = tree_all  # noqa: A001


def reduce(function, tree, initializer=_UNSPECIFIED, is_leaf=None):  # noqa: A001
    """functools.reduce over the leaves; an `initializer` of None is a value here, as in JAX."""
    return _reduce(function, tree, initializer, is_leaf)
