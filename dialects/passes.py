"""The irax-level passes, by the names irax-opt knows them."""
from .batching import expand_vmap_ops
from .expand import expand_all, expand_only
from .ops import verify_module
from .simplify import simplify

PASSES = {
    "irax-verify": verify_module,
    "irax-expand": expand_all,
    "irax-expand-vmap": expand_vmap_ops,
    "irax-expand-jvp": lambda module: expand_only(module, ["irax.jvp"]),
    "irax-expand-vjp": lambda module: expand_only(module, ["irax.vjp"]),
    "irax-simplify": simplify,
}
