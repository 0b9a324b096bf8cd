"""Pytrees, as in `jax.tree_util`: nested containers whose leaves are arrays.

Built-in nodes: tuple, list, dict (sorted keys), None (no leaves) and
namedtuples; others via `register_pytree_node` (or `register_pytree_with_keys`,
`register_dataclass`).  A `PyTreeDef` is hashable, so it can be part of a jit
cache key.  Key paths (`tree_flatten_with_path`) name each leaf by the keys
leading to it: `SequenceKey`, `DictKey`, `GetAttrKey`, or `FlattenedIndexKey`
for a node registered without keys.
"""
from __future__ import annotations

import dataclasses
import functools
from typing import Any, NamedTuple

_registry = {}  # type -> (flatten(x) -> (children, aux), unflatten(aux, children) -> x)
_key_registry = {}  # type -> flatten_with_keys(x) -> ([(key, child)], aux)


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
    """functools.reduce over the leaves (`initializer=None`: none, as before jax.tree)."""
    if initializer is None:
        return _reduce(function, tree, is_leaf=is_leaf)
    return _reduce(function, tree, initializer, is_leaf)


def treedef_children(treedef):
    return list(treedef.children)


def all_leaves(iterable):
    return all(tree_structure(x) == LEAF for x in iterable)



def tree_all(tree, *, is_leaf=None):
    return all(tree_leaves(tree, is_leaf))


def treedef_is_leaf(treedef) -> bool:
    return treedef.kind is None


def treedef_tuple(treedefs):
    """The structure of a tuple whose children have structures `treedefs`."""
    return PyTreeDef(tuple, None, tuple(treedefs))


def is_tree_node(x) -> bool:
    return _node_kind(x) is not None


# --------------------------------------------------------------------------
# Key paths
# --------------------------------------------------------------------------

class SequenceKey(NamedTuple):
    idx: int

    def __str__(self):
        return f"[{self.idx!r}]"


class DictKey(NamedTuple):
    key: Any

    def __str__(self):
        return f"[{self.key!r}]"


class GetAttrKey(NamedTuple):
    name: str

    def __str__(self):
        return f".{self.name}"


class FlattenedIndexKey(NamedTuple):
    key: int

    def __str__(self):
        return f"[<flat index {self.key}>]"


_KEY_TYPES = (SequenceKey, DictKey, GetAttrKey, FlattenedIndexKey)


def _simple_key(k) -> str:
    return str(k[0]) if isinstance(k, _KEY_TYPES) else str(k)


def keystr(keys, *, simple=False, separator=""):
    """A key path as text: `['x'][0].a`, or with `simple` the bare keys joined by `separator`."""
    if simple:
        return separator.join(_simple_key(k) for k in keys)
    return separator.join(str(k) for k in keys)


def register_pytree_with_keys(nodetype, flatten_with_keys, unflatten_func, flatten_func=None):
    """A node type whose `flatten_with_keys(x) -> ([(key, child)], aux)` names its children."""
    if flatten_func is None:
        def flatten_func(x):
            pairs, aux = flatten_with_keys(x)
            return [c for _, c in pairs], aux
    register_pytree_node(nodetype, flatten_func, unflatten_func)
    _key_registry[nodetype] = flatten_with_keys


def register_pytree_with_keys_class(cls):
    """Class decorator: `cls.tree_flatten_with_keys()` and `cls.tree_unflatten(aux, children)`."""
    flatten = getattr(cls, "tree_flatten", None)
    register_pytree_with_keys(cls, lambda x: x.tree_flatten_with_keys(), cls.tree_unflatten,
                              (lambda x: x.tree_flatten()) if flatten is not None else None)
    return cls


def register_dataclass(nodetype, data_fields=None, meta_fields=None, drop_fields=()):
    """A dataclass as a node: `data_fields` are children, `meta_fields` part of the
    structure (by default the fields marked `field(metadata=dict(static=True))`)."""
    if data_fields is None and meta_fields is None:
        if not dataclasses.is_dataclass(nodetype):
            raise TypeError(f"register_dataclass: {nodetype.__name__} is not a dataclass; pass "
                            "data_fields and meta_fields")
        fields = [f for f in dataclasses.fields(nodetype) if f.init and f.name not in drop_fields]
        meta_fields = [f.name for f in fields if f.metadata.get("static", False)]
        data_fields = [f.name for f in fields if not f.metadata.get("static", False)]
    elif data_fields is None or meta_fields is None:
        raise TypeError("register_dataclass: pass both data_fields and meta_fields, or neither")
    data_fields, meta_fields = tuple(data_fields), tuple(meta_fields)

    def flatten_with_keys(x):
        return ([(GetAttrKey(n), getattr(x, n)) for n in data_fields],
                tuple(getattr(x, n) for n in meta_fields))

    def unflatten(meta, children):
        return nodetype(**dict(zip(meta_fields, meta)), **dict(zip(data_fields, children)))
    register_pytree_with_keys(nodetype, flatten_with_keys, unflatten,
                              lambda x: ([getattr(x, n) for n in data_fields],
                                         tuple(getattr(x, n) for n in meta_fields)))
    return nodetype


def _keyed_children(x, kind):
    """([(key, child)], aux) of a node of `kind`."""
    if kind == "namedtuple":
        return [(GetAttrKey(f), c) for f, c in zip(x._fields, x)], type(x)
    if kind in (tuple, list):
        return [(SequenceKey(i), c) for i, c in enumerate(x)], None
    if kind is dict:
        keys = _sorted_keys(x)
        return [(DictKey(k), x[k]) for k in keys], keys
    if kind in _key_registry:
        pairs, aux = _key_registry[kind](x)
        return list(pairs), aux
    children, aux = _registry[kind][0](x)
    return [(FlattenedIndexKey(i), c) for i, c in enumerate(children)], aux


def tree_flatten_with_path(tree, is_leaf=None, is_leaf_takes_path=False):
    """([(key path, leaf)], treedef); `is_leaf(path, x)` with `is_leaf_takes_path`."""
    out = []

    def go(x, path):
        if is_leaf is not None and (is_leaf(path, x) if is_leaf_takes_path else is_leaf(x)):
            out.append((path, x))
            return LEAF
        kind = _node_kind(x)
        if kind is None:
            out.append((path, x))
            return LEAF
        pairs, aux = _keyed_children(x, kind)
        return PyTreeDef(kind, aux, tuple(go(c, path + (k,)) for k, c in pairs))
    treedef = go(tree, ())
    return out, treedef


def tree_leaves_with_path(tree, is_leaf=None, is_leaf_takes_path=False):
    return tree_flatten_with_path(tree, is_leaf, is_leaf_takes_path)[0]


def tree_map_with_path(f, tree, *rest, is_leaf=None, is_leaf_takes_path=False):
    """`f(path, leaf, *others)` for each leaf of `tree`; `rest` trees have its structure."""
    pairs, treedef = tree_flatten_with_path(tree, is_leaf, is_leaf_takes_path)
    others = [treedef.flatten_up_to(r) for r in rest]
    return treedef.unflatten([f(p, x, *xs) for (p, x), *xs in zip(pairs, *others)])


def flatten_one_level(tree):
    """(children, aux) of a node; ValueError for a leaf."""
    kind = _node_kind(tree)
    if kind is None:
        raise ValueError(f"can't tree-flatten type: {type(tree).__name__}")
    pairs, aux = _keyed_children(tree, kind)
    return [c for _, c in pairs], aux


def flatten_one_level_with_keys(tree):
    kind = _node_kind(tree)
    if kind is None:
        raise ValueError(f"can't tree-flatten type: {type(tree).__name__}")
    return _keyed_children(tree, kind)


# --------------------------------------------------------------------------
# Transposing, broadcasting, reducing
# --------------------------------------------------------------------------

def tree_transpose(outer_treedef, inner_treedef, pytree_to_transpose):
    """An outer-of-inner tree turned into an inner-of-outer tree (as jax.tree_util)."""
    subtrees = outer_treedef.flatten_up_to(pytree_to_transpose)
    if inner_treedef is None:
        if not subtrees:
            raise ValueError("tree_transpose: inner_treedef=None needs a non-empty outer tree")
        inner_treedef = tree_structure(subtrees[0])
    cols = []
    for sub in subtrees:
        leaves, td = tree_flatten(sub)
        if td != inner_treedef:
            raise TypeError(f"tree_transpose: mismatch: {td!r} != {inner_treedef!r} (expected "
                            f"every outer leaf to have the inner structure)")
        cols.append(leaves)
    rows = [outer_treedef.unflatten([c[i] for c in cols])
            for i in range(inner_treedef.num_leaves)]
    return inner_treedef.unflatten(rows)


def tree_broadcast(prefix_tree, full_tree, is_leaf=None):
    """`prefix_tree` with each leaf repeated over the subtree of `full_tree` at its place."""
    leaves, treedef = tree_flatten(prefix_tree, is_leaf)
    subtrees = treedef.flatten_up_to(full_tree)
    return treedef.unflatten([tree_map(lambda _, v=v: v, sub, is_leaf=is_leaf)
                              for v, sub in zip(leaves, subtrees)])


class _Unspecified:
    def __repr__(self):
        return "<unspecified>"


_UNSPECIFIED = _Unspecified()


def _reduce(function, tree, initializer=_UNSPECIFIED, is_leaf=None):
    leaves = tree_leaves(tree, is_leaf)
    if initializer is _UNSPECIFIED:
        return functools.reduce(function, leaves)
    return functools.reduce(function, leaves, initializer)


def tree_reduce_associative(operation, tree, *, identity=_UNSPECIFIED, is_leaf=None):
    """Reduce the leaves pairwise (a balanced tree of `operation` calls)."""
    leaves = tree_leaves(tree, is_leaf)
    if not leaves:
        if identity is _UNSPECIFIED:
            raise TypeError("tree_reduce_associative: empty tree and no identity given")
        return identity
    while len(leaves) > 1:
        pairs = [operation(a, b) for a, b in zip(leaves[::2], leaves[1::2])]
        leaves = pairs + ([leaves[-1]] if len(leaves) % 2 else [])
    return leaves[0]


# --------------------------------------------------------------------------
# Partial: a functools.partial that is a pytree
# --------------------------------------------------------------------------

class Partial(functools.partial):
    """functools.partial whose bound arguments are pytree children (the function is
    static), so it can be passed to and returned from jitted functions."""

    def __new__(cls, func, *args, **kw):
        if isinstance(func, functools.partial):  # its bound arguments stay static
            func = _PartialShim(func)
        return super().__new__(cls, func, *args, **kw)


class _PartialShim:
    """A functools.partial hidden from partial's own flattening of nested partials."""

    def __init__(self, partial):
        self.partial = partial

    def __call__(self, *args, **kw):
        return self.partial(*args, **kw)

    def __eq__(self, other):
        a, b = self.partial, getattr(other, "partial", None)
        return isinstance(other, _PartialShim) and (a.func, a.args, a.keywords) == \
            (b.func, b.args, b.keywords)

    def __hash__(self):
        return hash(self.partial.func)


register_pytree_node(Partial, lambda p: ((p.args, p.keywords), p.func),
                     lambda func, children: Partial(func, *children[0], **children[1]))
