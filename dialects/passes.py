"""The irax-level passes, by the names irax-opt knows them."""
from .batching import expand_vmap_ops
from .expand import expand_all
from .ops import verify_module
from .simplify import simplify

PASSES = {
    "irax-verify": verify_module,
    "irax-expand": expand_all,
    "irax-expand-vmap": expand_vmap_ops,
    "irax-simplify": simplify,
}
