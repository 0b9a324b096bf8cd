"""irax.tree and the key-path half of irax.tree_util, against jax.tree / jax.tree_util."""
import collections
import dataclasses

import jax
import jax.tree_util as jtu
import numpy as np
import pytest

import irax
from irax import tree_util as tu

Point = collections.namedtuple("Point", ["x", "y"])


class Node:
    """Registered without keys: its children get FlattenedIndexKeys."""

    def __init__(self, a, b):
        self.a, self.b = a, b


def _node_flatten(n):
    return (n.a, n.b), None


tu.register_pytree_node(Node, _node_flatten, lambda _, c: Node(*c))
jtu.register_pytree_node(Node, _node_flatten, lambda _, c: Node(*c))


class Keyed:
    def __init__(self, w, b):
        self.w, self.b = w, b


def _keyed_flatten(k):
    return ((tu.GetAttrKey("w"), k.w), (tu.GetAttrKey("b"), k.b)), None


def _jkeyed_flatten(k):
    return ((jtu.GetAttrKey("w"), k.w), (jtu.GetAttrKey("b"), k.b)), None


tu.register_pytree_with_keys(Keyed, _keyed_flatten, lambda _, c: Keyed(*c))
jtu.register_pytree_with_keys(Keyed, _jkeyed_flatten, lambda _, c: Keyed(*c))


@dataclasses.dataclass
class Params:
    w: object
    b: object
    name: str = dataclasses.field(default="p", metadata=dict(static=True))


tu.register_dataclass(Params)
jax.tree_util.register_dataclass(Params)

TREES = [
    {"x": [1, (2, 3)], "y": Point(4, None), "z": 5},
    [Node(1, [2, 3]), {"k": Keyed(4, 5)}],
    (Params(1, 2, "a"), {3: 6, 1: [7]}),
    [],
    7,
]



@pytest.mark.parametrize("tree", TREES)
def test_paths_match_jax(tree):
    ours = tu.tree_flatten_with_path(tree)[0]
    theirs = jtu.tree_flatten_with_path(tree)[0]
    assert [(tu.keystr(p), v) for p, v in ours] == [(jtu.keystr(p), v) for p, v in theirs]
    assert [tu.keystr(p, simple=True, separator="/") for p, _ in ours] == \
        [jtu.keystr(p, simple=True, separator="/") for p, _ in theirs]
    assert [repr(p) for p, _ in ours] == [repr(p) for p, _ in theirs]
    assert [v for _, v in irax.tree.leaves_with_path(tree)] == jax.tree.leaves(tree)
    assert irax.tree.leaves(tree) == jax.tree.leaves(tree)


def test_map_with_path_and_is_leaf_taking_path():
    a, b = {"a": 1, "b": [2, 3]}, {"a": 10, "b": [20, 30]}
    f = lambda p, x, y: (tu.keystr(p), x + y)  # noqa: E731
    jf = lambda p, x, y: (jtu.keystr(p), x + y)  # noqa: E731
    assert irax.tree.map_with_path(f, a, b) == jax.tree.map_with_path(jf, a, b)
    tree = [1, [2, [3]]]
    ours = irax.tree.leaves_with_path(tree, is_leaf=lambda p, x: len(p) == 2,
                                      is_leaf_takes_path=True)
    theirs = jax.tree.leaves_with_path(tree, is_leaf=lambda p, x: len(p) == 2,
                                       is_leaf_takes_path=True)
    assert [(tu.keystr(p), v) for p, v in ours] == [(jtu.keystr(p), v) for p, v in theirs]


def test_dataclass_roundtrip_keeps_static_fields():
    leaves, td = irax.tree.flatten(Params(1.0, 2.0, "lyr"))
    assert leaves == [1.0, 2.0]
    back = irax.tree.unflatten(td, [3.0, 4.0])
    assert back == Params(3.0, 4.0, "lyr")
    assert irax.tree.structure(Params(0, 0, "a")) != irax.tree.structure(Params(0, 0, "b"))


def test_transpose_broadcast_reduce_all():
    outer, inner = tu.tree_structure([0, 0, 0]), tu.tree_structure((0, 0))
    t = [(1, 2), (3, 4), (5, 6)]
    assert irax.tree.transpose(outer, inner, t) == \
        jax.tree.transpose(jtu.tree_structure([0, 0, 0]), jtu.tree_structure((0, 0)), t)
    assert irax.tree.transpose(outer, None, t) == ([1, 3, 5], [2, 4, 6])
    with pytest.raises(TypeError, match="mismatch"):
        irax.tree.transpose(outer, inner, [(1, 2), (3, 4, 5), (6, 7)])
    full = [(3, 4), {"a": [5, 6]}]
    assert irax.tree.broadcast([1, {"a": 2}], full) == jax.tree.broadcast([1, {"a": 2}], full)
    assert irax.tree.reduce(lambda a, b: a + b, [1, [2, 3]]) == 6
    assert irax.tree.reduce(lambda a, b: a + [b], [1, 2], []) == [1, 2]
    assert irax.tree.reduce_associative(lambda a, b: a * b, [1, 2, [3, 4, 5]]) == 120
    assert irax.tree.reduce_associative(lambda a, b: a + b, [], identity=0) == 0
    with pytest.raises(TypeError):
        irax.tree.reduce(lambda a, b: a + b, [])
    assert irax.tree.all([True, {"a": 1}]) and not irax.tree.all([True, (0,)])


def test_partial_is_a_pytree_through_jit():
    import irax.numpy as jnp
    p = tu.Partial(lambda a, x: a * x, jnp.float32(3.0))
    assert len(tu.tree_leaves(p)) == 1
    (path, _), = tu.tree_flatten_with_path(p)[0]
    assert tu.keystr(path) == jtu.keystr(jtu.tree_flatten_with_path(
        jtu.Partial(lambda a, x: a * x, 3.0))[0][0][0])
    out = irax.jit(lambda f, x: f(x))(p, jnp.float32(2.0))
    assert float(out) == 6.0


def test_flatten_one_level_and_helpers():
    assert tu.flatten_one_level({"b": 1, "a": 2}) == ([2, 1], ("a", "b"))
    with pytest.raises(ValueError):
        tu.flatten_one_level(3)
    assert tu.treedef_is_leaf(tu.tree_structure(1))
    td = tu.treedef_tuple([tu.tree_structure(1), tu.tree_structure([1, 2])])
    assert td == tu.tree_structure((0, [0, 0]))
    assert np.array_equal(irax.tree.map(lambda x: x + 1, np.arange(3)), np.arange(1, 4))
