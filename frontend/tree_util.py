"""Pytrees, as in `jax.tree_util`: nested containers whose leaves are arrays.

Built-in nodes: tuple, list, dict (sorted keys), None (no leaves) and
namedtuples; others via `register_pytree_node`.  A `PyTreeDef` is hashable,
so it can be part of a jit cache key.
"""
from __future__ import annotations

_registry = {}  # type -> (flatten(x) -> (children, aux), unflatten(aux, children) -> x)


def register_pytree_node(nodetype, flatten_func, unflatten_func):
    _registry[nodetype] = (flatten_func, unflatten_func)


register_pytree_node(tuple, lambda t: (t, None), lambda _, c: tuple(c))
register_pytree_node(list, lambda t: (t, None), lambda _, c: list(c))
def _sorted_keys(d):
    """Dict keys in sorted order (mixed, unorderable keys: by type name, then repr)."""
    try:
        return tuple(sorted(d))
    except TypeError:
        return tuple(sorted(d, key=lambda k: (type(k).__name__, repr(k))))


register_pytree_node(dict, lambda d: ([d[k] for k in _sorted_keys(d)], _sorted_keys(d)),
                     lambda keys, c: dict(zip(keys, c)))
register_pytree_node(type(None), lambda _: ((), None), lambda _, c: None)


def _node_kind(x):
    t = type(x)
    if t in _registry:
        return t
    if isinstance(x, tuple) and hasattr(x, "_fields"):
        return "namedtuple"
    return None


class PyTreeDef:
    """The structure of a pytree: node type, aux data, children (None = leaf)."""

    __slots__ = ("kind", "aux", "children", "num_leaves", "_hash")

    def __init__(self, kind, aux, children):
        self.kind = kind
        self.aux = aux
        self.children = children
        self.num_leaves = 1 if kind is None else sum(c.num_leaves for c in children)
        self._hash = hash((kind, aux, children))

    def __hash__(self):
        return self._hash

    def __eq__(self, other):
        return (isinstance(other, PyTreeDef) and self._hash == other._hash and self.kind == other.kind
                and self.aux == other.aux and self.children == other.children)

    def __repr__(self):
        if self.kind is None:
            return "*"
        name = self.kind.__name__ if isinstance(self.kind, type) else self.kind
        if self.kind is dict:
            inner = ", ".join(f"{k!r}: {c!r}" for k, c in zip(self.aux, self.children))
            return "PyTreeDef({" + inner + "})"
        return f"PyTreeDef({name}[{', '.join(map(repr, self.children))}])"

    def unflatten(self, leaves):
        it = iter(leaves)
        out = self._build(it)
        return out

    def _build(self, it):
        if self.kind is None:
            return next(it)
        children = [c._build(it) for c in self.children]
        if self.kind == "namedtuple":
            return self.aux(*children)
        return _registry[self.kind][1](self.aux, children)


LEAF = PyTreeDef(None, None, ())


def tree_flatten(tree, is_leaf=None):
    leaves = []
    treedef = _flatten(tree, leaves, is_leaf)
    return leaves, treedef


def _flatten(x, leaves, is_leaf):
    if is_leaf is not None and is_leaf(x):
        leaves.append(x)
        return LEAF
    kind = _node_kind(x)
    if kind is None:
        leaves.append(x)
        return LEAF
    if kind == "namedtuple":
        children, aux = list(x), type(x)
    else:
        children, aux = _registry[kind][0](x)
    return PyTreeDef(kind, aux, tuple(_flatten(c, leaves, is_leaf) for c in children))


def tree_unflatten(treedef: PyTreeDef, leaves):
    return treedef.unflatten(leaves)


def tree_leaves(tree, is_leaf=None):
    return tree_flatten(tree, is_leaf)[0]


def tree_structure(tree, is_leaf=None):
    return tree_flatten(tree, is_leaf)[1]


def tree_map(f, tree, *rest, is_leaf=None):
    leaves, treedef = tree_flatten(tree, is_leaf)
    others = [treedef.flatten_up_to(r) for r in rest] if rest else []
    return treedef.unflatten([f(*xs) for xs in zip(leaves, *others)])


def _flatten_up_to(self, tree):
    """Leaves of `tree` cut at this structure (used by tree_map and in_axes)."""
    out = []

    def go(td, x):
        if td.kind is None:
            out.append(x)
            return
        kind = _node_kind(x)
        if kind != td.kind:
            raise ValueError(f"pytree structure mismatch: expected {td!r}, got {type(x).__name__}")
        if kind == "namedtuple":
            children, aux = list(x), type(x)
        else:
            children, aux = _registry[kind][0](x)
        if aux != td.aux or len(children) != len(td.children):
            raise ValueError(f"pytree structure mismatch: expected {td!r}, got {x!r}")
        for c, t in zip(children, td.children):
            go(t, c)
    go(self, tree)
    return out


PyTreeDef.flatten_up_to = _flatten_up_to


def register_pytree_node_class(cls):
    """Class decorator: `cls.tree_flatten()` -> (children, aux) and
    `cls.tree_unflatten(aux, children)` make `cls` a pytree node."""
    register_pytree_node(cls, lambda x: x.tree_flatten(), cls.tree_unflatten)
    return cls


def tree_reduce(function, tree, initializer=None, is_leaf=None):
    import functools
    leaves = tree_leaves(tree, is_leaf)
    if initializer is None:
        return functools.reduce(function, leaves)
    return functools.reduce(function, leaves, initializer)


def tree_all(tree):
    return all(tree_leaves(tree))


def treedef_children(treedef):
    return list(treedef.children)


def all_leaves(iterable):
    return all(tree_structure(x) == LEAF for x in iterable)

