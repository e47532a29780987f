"""Whose settings apply to a partner and the S/N/T filters (who receives the notice: test_recipients.py)."""

import pytest

from cobranca_core.dunning import (
    CompanyPolicy,
    EffectivePolicy,
    FilterMode,
    OverduePolicy,
    SelectionFilter,
    effective_policy,
)

COMPANY = CompanyPolicy(enabled=True, upcoming_days=3, include_overdue=True, overdue_after_days=2, interval_days=7)
ALL_FROM_COMPANY = dict.fromkeys(("enabled", "tolerance_days", "company_ids", "account_ids"), "company")


def test_company_values_when_nothing_overrides():
    policy = effective_policy(COMPANY)
    assert policy == EffectivePolicy(True, 2, None, None)
    assert policy.sources == ALL_FROM_COMPANY


def test_partner_over_group_over_company_value_by_value():
    group = ("Revenda", OverduePolicy(enabled=False, tolerance_days=5, account_ids=frozenset({11})))
    partner = OverduePolicy(enabled=True, company_ids=frozenset({1}))
    policy = effective_policy(COMPANY, [group], partner)
    assert policy == EffectivePolicy(True, 5, frozenset({1}), frozenset({11}))
    assert policy.sources == {
        "enabled": "partner",
        "tolerance_days": "group:Revenda",
        "company_ids": "partner",
        "account_ids": "group:Revenda",
    }


def test_several_groups_the_one_that_duns_more_wins():
    groups = [
        ("Governo", OverduePolicy(enabled=False, tolerance_days=10, company_ids=frozenset({1}))),
        ("Postos", OverduePolicy(enabled=True, tolerance_days=3, company_ids=frozenset({2}))),
        ("Frotas", OverduePolicy(tolerance_days=3)),
    ]
    policy = effective_policy(COMPANY, groups)
    assert (policy.enabled, policy.tolerance_days, policy.company_ids) == (True, 3, frozenset({1, 2}))
    assert policy.sources["enabled"] == "group:Postos"
    assert policy.sources["tolerance_days"] == "group:Postos"  # a tie: the first group listed
    assert policy.sources["company_ids"] == "group:Governo, group:Postos"
    # All groups switching off: off, from the first of them.
    off = effective_policy(COMPANY, [("A", OverduePolicy(enabled=False)), ("B", OverduePolicy(enabled=False))])
    assert (off.enabled, off.sources["enabled"]) == (False, "group:A")


def test_none_and_empty_sets_inherit():
    group = ("Revenda", OverduePolicy(company_ids=frozenset({1})))
    policy = effective_policy(COMPANY, [group], OverduePolicy(company_ids=frozenset(), account_ids=None))
    assert (policy.company_ids, policy.sources["company_ids"]) == (frozenset({1}), "group:Revenda")
    assert policy.sources["enabled"] == "company"


def test_company_without_overdue_emails_is_the_default_a_group_can_switch_on():
    policy = effective_policy(CompanyPolicy(True, 3, False, 2, 7), [("Mensalistas", OverduePolicy(enabled=True))])
    assert (policy.enabled, policy.sources["enabled"]) == (True, "group:Mensalistas")


@pytest.mark.parametrize(
    ("mode", "item", "accepted"),
    [
        (FilterMode.INCLUDE, {"a"}, True),  # S: has a selected value
        (FilterMode.INCLUDE, {"a", "z"}, True),
        (FilterMode.INCLUDE, {"z"}, False),
        (FilterMode.INCLUDE, set(), False),
        (FilterMode.EXCLUDE, {"a"}, False),  # N: has none of them
        (FilterMode.EXCLUDE, {"a", "z"}, False),
        (FilterMode.EXCLUDE, {"z"}, True),
        (FilterMode.EXCLUDE, set(), True),
        (FilterMode.ALL, {"a"}, True),  # T: always
        (FilterMode.ALL, set(), True),
    ],
)
def test_selection_filter(mode, item, accepted):
    assert SelectionFilter(mode, frozenset({"a", "b"})).accepts(item) is accepted


def test_selection_filter_with_nothing_selected():
    assert not SelectionFilter(FilterMode.INCLUDE).accepts({"a"})
    assert SelectionFilter(FilterMode.EXCLUDE).accepts({"a"})
    assert SelectionFilter(FilterMode("all")).accepts(iter(["a"]))  # modes are the strings the addon stores
