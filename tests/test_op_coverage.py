"""Every irax op has every rule: a JVP, a VJP and a batching rule, and a lowering.

Each op is one record (`OPS[name]`, an `OpDef`) holding its definition and
every rule registered for it; the rule tables (`jvp_rules`, `LOWERINGS`, ...)
are views of those records.  An op is covered for a kind by a rule of that
kind, or by one of the stated reasons it needs none: its outputs are
piecewise constant (ZERO_DERIVATIVE), it is a higher-order op that expansion
replaces before the rules run, or it is a region terminator.  A new op that
forgets a rule fails here, naming the op and the missing kind.
"""
import pytest

import irax  # noqa: F401  (imports every module that registers rules)
import irax.lowering.to_linalg  # noqa: F401  (registers the lowerings)
from irax.dialects import jvp
from irax.dialects.collectives import COLLECTIVES, NOT_DIFFERENTIABLE
from irax.dialects.derivatives import ZERO_DERIVATIVE
from irax.dialects.ops import OPS, RuleTable

TERMINATORS = {"irax.yield"}  # ends a region; its operands are handled by the region's rule

# kind -> the rule kinds that cover it (a first-order rule or a region rule)
REQUIRED = {
    "jvp": ("jvp", "jvp_region"),
    "vjp": ("vjp", "vjp_region"),
    "batching": ("batching", "batching_region"),
    "lowering": ("lowering",),
}


def _exempt(record, kind):
    expanded = "expansion" in record.rules or "late_expansion" in record.rules
    piecewise_constant = kind in ("jvp", "vjp") and record.name in ZERO_DERIVATIVE
    # collectives are replaced by the expansion of the map that binds their axis
    bound_by_a_map = kind == "lowering" and record.name in COLLECTIVES
    not_differentiable = kind in ("jvp", "vjp") and record.name in NOT_DIFFERENTIABLE  # as JAX
    return (expanded or piecewise_constant or bound_by_a_map or not_differentiable
            or record.name in TERMINATORS)


@pytest.mark.parametrize("kind", list(REQUIRED))
def test_every_op_has_a_rule_of_each_kind(kind):
    missing = sorted(name for name, record in OPS.items()
                     if not any(k in record.rules for k in REQUIRED[kind])
                     and not _exempt(record, kind))
    assert not missing, f"ops without a {kind} rule: {missing}"


def test_a_rule_for_an_undefined_op_fails_where_it_is_registered():
    with pytest.raises(KeyError, match="irax.no_such_op.*not a defined irax op"):
        jvp.jvp_rules["irax.no_such_op"] = lambda primals, tangents: None
    assert "irax.no_such_op" not in jvp.jvp_rules


def test_tables_are_views_of_the_op_records():
    assert jvp.jvp_rules["irax.sin"] is OPS["irax.sin"].rules["jvp"]
    table = RuleTable("coverage_test_kind")
    table["irax.sin"] = rule = object()
    assert OPS["irax.sin"].rules["coverage_test_kind"] is rule and list(table) == ["irax.sin"]
    del table["irax.sin"]
    assert "coverage_test_kind" not in OPS["irax.sin"].rules and len(table) == 0


def test_zero_derivative_ops_have_no_rules_of_their_own():
    both = sorted(name for name in ZERO_DERIVATIVE
                  if {"jvp", "vjp"} & set(OPS[name].rules))
    assert not both, f"ops both piecewise constant and with derivative rules: {both}"
