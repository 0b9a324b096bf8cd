"""The numeric sample on Vulkan (lavapipe on a machine without a GPU) against CPU."""
import types

import numpy as np
import pytest

import irax
import irax.numpy as jnp
from irax.lowering.runtime import available_backends
from irax.tree_util import tree_leaves

from sample_programs import PROGRAMS

pytestmark = pytest.mark.skipif(
    "vulkan" not in available_backends(),
    reason="no Vulkan device (install mesa-vulkan-drivers for lavapipe)")


def assert_same(got, want):
    got_leaves, want_leaves = tree_leaves(got), tree_leaves(want)
    assert len(got_leaves) == len(want_leaves)
    for g, w in zip(got_leaves, want_leaves):
        assert g.dtype == w.dtype and g.shape == w.shape
        if np.issubdtype(np.asarray(w).dtype, np.floating):
            np.testing.assert_allclose(np.asarray(g), np.asarray(w), rtol=2e-5, atol=2e-6)
        else:
            np.testing.assert_array_equal(np.asarray(g), np.asarray(w))


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_program_matches_cpu(name):
    fun, args = PROGRAMS[name]
    on_vulkan = irax.jit(fun, backend="vulkan")(*args)
    on_cpu = irax.jit(fun, backend="cpu")(*args)
    assert all(x.backend.platform == "vulkan" for x in tree_leaves(on_vulkan))
    assert_same(on_vulkan, on_cpu)


def test_eager_ops_run_where_their_operands_live():
    vk = irax.devices("vulkan")[0]
    x = irax.device_put(np.linspace(-1, 1, 6, dtype=np.float32), vk)
    y = jnp.sin(x) * 2.0 + 1  # the scalars start on the default device and follow x
    assert y.backend is vk
    np.testing.assert_allclose(y, np.sin(np.linspace(-1, 1, 6)) * 2 + 1, rtol=1e-5)
    b = x > 0
    assert b.backend is vk and b.dtype == "bool"
    np.testing.assert_array_equal(b, np.linspace(-1, 1, 6) > 0)


def test_placement_rule():
    vk, cpu = irax.devices("vulkan")[0], irax.devices("cpu")[0]
    if irax.default_backend() != "cpu":
        pytest.skip("the placement cases assume cpu is the default backend")
    xv = irax.device_put(np.arange(4, dtype=np.float32), vk)
    xc = irax.device_put(np.ones(4, np.float32), cpu)
    f = irax.jit(lambda a, b: a * 10 + b)
    # no backend= : runs where the non-default argument lives, the other is copied there
    r = f(xv, xc)
    assert r.backend is vk
    np.testing.assert_allclose(r, [1, 11, 21, 31])
    # backend= pins the computation; arguments are copied to it
    r = irax.jit(lambda a, b: a * 10 + b, backend="cpu")(xv, xc)
    assert r.backend is cpu
    np.testing.assert_allclose(r, [1, 11, 21, 31])
    # explicit transfers
    back = irax.device_put(r, vk)
    assert back.backend is vk and np.asarray(back).tolist() == [1, 11, 21, 31]


def test_two_non_default_devices_raise():
    from irax.devices import common_backend
    vk = irax.devices("vulkan")[0]
    other = types.SimpleNamespace(platform="cuda")
    arrays = [types.SimpleNamespace(backend=vk), types.SimpleNamespace(backend=other)]
    with pytest.raises(ValueError, match=r"jit\(f\): arguments live on different devices "
                                         r"\(VulkanDevice\(id=0\) and .*irax.device_put"):
        common_backend(arrays, "jit(f)")


def test_device_to_host_copies_for_every_dtype():
    vk = irax.devices("vulkan")[0]
    for value in (np.arange(5, dtype=np.int32) - 2, np.array([True, False, True]),
                  np.float32(3.5), np.zeros((0, 3), np.float32), np.arange(3, dtype=np.uint8)):
        x = irax.device_put(value, vk)
        np.testing.assert_array_equal(np.asarray(x), np.asarray(value))
