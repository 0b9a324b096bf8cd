"""Every irax op has every rule: a JVP, a VJP and a batching rule, and a lowering.

An op is covered by a rule table of each kind, or by one of the stated
reasons it needs none: its outputs are piecewise constant (ZERO_DERIVATIVE),
it is a higher-order op that expansion replaces before the rules run
(EXPANSIONS, LATE_EXPANSIONS), or it is a region terminator.  A new op that
forgets a rule fails here, naming the op and the missing kind.
"""
import pytest

import irax  # noqa: F401  (imports every module that registers rules)
from irax.dialects import batching, expand, jvp, vjp
from irax.dialects.derivatives import ZERO_DERIVATIVE
from irax.dialects.ops import OPS
from irax.lowering.to_linalg import LOWERINGS

TERMINATORS = {"irax.yield"}  # ends a region; its operands are handled by the region's rule
EXPANDED = set(expand.EXPANSIONS) | set(expand.LATE_EXPANSIONS)

RULES = {
    "jvp": set(jvp.jvp_rules) | set(jvp.jvp_region_rules) | ZERO_DERIVATIVE,
    "vjp": set(vjp.vjp_rules) | set(vjp.vjp_region_rules) | ZERO_DERIVATIVE,
    "batching": set(batching.batch_rules) | set(batching.batch_region_rules),
    "lowering": set(LOWERINGS),
}


@pytest.mark.parametrize("kind", list(RULES))
def test_every_op_has_a_rule_of_each_kind(kind):
    missing = sorted(set(OPS) - RULES[kind] - EXPANDED - TERMINATORS)
    assert not missing, f"ops without a {kind} rule: {missing}"


def test_rule_tables_name_only_defined_ops():
    for kind, names in RULES.items():
        unknown = sorted(set(names) - set(OPS))
        assert not unknown, f"{kind} rules for undefined ops: {unknown}"


def test_zero_derivative_ops_have_no_rules_of_their_own():
    both = sorted(ZERO_DERIVATIVE & (set(jvp.jvp_rules) | set(vjp.vjp_rules)))
    assert not both, f"ops both piecewise constant and with derivative rules: {both}"
