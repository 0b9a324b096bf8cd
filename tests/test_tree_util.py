"""Pytrees: flatten/unflatten, tree_map over several trees, registered nodes."""
import collections

import numpy as np
import pytest

from irax import tree_util as tu

Point = collections.namedtuple("Point", ["x", "y"])


class Box:
    def __init__(self, value, label):
        self.value, self.label = value, label

    def __eq__(self, other):
        return isinstance(other, Box) and self.value == other.value and self.label == other.label


tu.register_pytree_node(Box, lambda b: ((b.value,), b.label), lambda label, c: Box(c[0], label))


def test_flatten_unflatten_roundtrip():
    tree = {"b": [1, (2, 3)], "a": Point(4, None), "c": Box(5, "lbl"), "d": {}}
    leaves, treedef = tu.tree_flatten(tree)
    assert leaves == [4, 1, 2, 3, 5]  # dict keys sorted; None has no leaves
    back = tu.tree_unflatten(treedef, leaves)
    assert back == tree and list(back) == ["a", "b", "c", "d"]
    assert isinstance(back["a"], Point) and back["a"].y is None
    assert treedef.num_leaves == 5
    assert tu.tree_leaves(tree) == leaves
    assert tu.tree_structure(tree) == treedef
    assert hash(tu.tree_structure(tree)) == hash(treedef)


def test_dict_insertion_order_does_not_matter():
    a = {"z": 1, "a": 2}
    b = {"a": 2, "z": 1}
    assert tu.tree_structure(a) == tu.tree_structure(b)
    assert tu.tree_leaves(a) == [2, 1] == tu.tree_leaves(b)
    assert tu.tree_map(lambda x, y: x - y, a, {"a": 10, "z": 20}) == {"a": -8, "z": -19}


def test_tree_map_multiple_trees_and_is_leaf():
    t1 = (1, [2, 3], {"k": 4})
    t2 = (10, [20, 30], {"k": 40})
    assert tu.tree_map(lambda a, b: a + b, t1, t2) == (11, [22, 33], {"k": 44})
    out = tu.tree_map(lambda x: len(x), [(1, 2), (3,)], is_leaf=lambda x: isinstance(x, tuple))
    assert out == [2, 1]
    assert tu.tree_map(lambda x: x * 2, None) is None
    assert tu.tree_map(lambda x: x, Point(1, 2)) == Point(1, 2)
    with pytest.raises(ValueError, match="structure mismatch"):
        tu.tree_map(lambda a, b: a, (1, 2), [1, 2])
    with pytest.raises(ValueError, match="structure mismatch"):
        tu.tree_map(lambda a, b: a, {"a": 1}, {"b": 1})


def test_leaves_are_arrays_and_scalars():
    x = np.ones(3)
    leaves, td = tu.tree_flatten([x, 2.0, "s"])
    assert leaves[0] is x and leaves[1] == 2.0 and leaves[2] == "s"
    assert tu.tree_flatten(5)[1] == tu.tree_flatten(6)[1]
    assert tu.tree_flatten((1,))[1] != tu.tree_flatten([1])[1]
    assert tu.tree_flatten((1, 2))[1] != tu.tree_flatten((1,))[1]
    assert tu.tree_flatten(Box(1, "a"))[1] != tu.tree_flatten(Box(1, "b"))[1]


def test_repr_and_children():
    td = tu.tree_structure({"a": (1, 2), "b": None})
    assert "PyTreeDef" in repr(td)
    assert len(tu.treedef_children(td)) == 2
    assert tu.all_leaves([1, 2.0]) and not tu.all_leaves([(1,)])


@tu.register_pytree_node_class
class Linear:
    def __init__(self, w, b, name="lin"):
        self.w, self.b, self.name = w, b, name

    def tree_flatten(self):
        return (self.w, self.b), self.name

    @classmethod
    def tree_unflatten(cls, name, children):
        return cls(*children, name=name)


def test_register_pytree_node_class_and_reduce():
    lin = Linear(2, 3, "a")
    out = tu.tree_map(lambda x: x * 10, lin)
    assert isinstance(out, Linear) and (out.w, out.b, out.name) == (20, 30, "a")
    assert tu.tree_reduce(lambda a, b: a + b, {"x": lin, "y": [4]}) == 9
    assert tu.tree_reduce(lambda a, b: a * b, [2, 3], 5) == 30
    assert tu.tree_all([True, (1, True)]) and not tu.tree_all([True, 0])
