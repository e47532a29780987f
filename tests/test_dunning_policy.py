"""Whose settings apply to a partner and the S/N/T filters (who receives the notice: test_recipients.py)."""

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from cobranca_core.dunning import (
    AccountRule,
    CompanyPolicy,
    EffectivePolicy,
    FilterMode,
    Installment,
    OverduePolicy,
    SelectionFilter,
    effective_policy,
)

COMPANY = CompanyPolicy(enabled=True, upcoming_days=3, include_overdue=True, overdue_after_days=2, interval_days=7)
ALL_FROM_COMPANY = dict.fromkeys(
    ("enabled", "tolerance_days", "company_ids", "account_ids", "upcoming_enabled", "account_rules"), "company"
)


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
        # The customer asked for overdue e-mails: its group's opt-out no longer applies to it.
        "upcoming_enabled": "company",
        "account_rules": "company",
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


# The two switches: overdue e-mails and coming-due e-mails.

OPT_OUT = ("VIP", OverduePolicy(enabled=False))


def switches(policy):
    return (policy.enabled, policy.sources["enabled"]), (policy.upcoming_enabled, policy.sources["upcoming_enabled"])


def test_an_opt_out_turns_coming_due_emails_off_too():
    assert switches(effective_policy(COMPANY, [OPT_OUT])) == ((False, "group:VIP"), (False, "group:VIP"))
    assert switches(effective_policy(COMPANY, [], OverduePolicy(enabled=False))) == (
        (False, "partner"),
        (False, "partner"),
    )


def test_a_coming_due_switch_as_specific_as_the_opt_out_says_otherwise():
    own = effective_policy(COMPANY, [OPT_OUT], OverduePolicy(upcoming_enabled=True))
    assert switches(own) == ((False, "group:VIP"), (True, "partner"))
    in_the_group = effective_policy(COMPANY, [("VIP", OverduePolicy(enabled=False, upcoming_enabled=True))])
    assert switches(in_the_group) == ((False, "group:VIP"), (True, "group:VIP"))
    # Another group announcing the debts coming due: between groups, the one that duns more wins.
    beside = effective_policy(COMPANY, [OPT_OUT, ("Monthly", OverduePolicy(upcoming_enabled=True))])
    assert switches(beside) == ((False, "group:VIP"), (True, "group:Monthly"))
    # A group's coming-due switch does not undo the customer's own opt-out.
    monthly = ("Monthly", OverduePolicy(upcoming_enabled=True))
    customer_out = effective_policy(COMPANY, [monthly], OverduePolicy(enabled=False))
    assert switches(customer_out) == ((False, "partner"), (False, "partner"))


def test_a_customer_dunned_despite_its_group_gets_the_companys_announcements():
    policy = effective_policy(COMPANY, [OPT_OUT], OverduePolicy(enabled=True))
    assert switches(policy) == ((True, "partner"), (True, "company"))


def test_overdue_only_and_upcoming_only_companies():
    overdue_only = replace(COMPANY, include_upcoming=False)
    assert switches(effective_policy(overdue_only)) == ((True, "company"), (False, "company"))
    upcoming_only = replace(COMPANY, include_overdue=False)
    assert switches(effective_policy(upcoming_only)) == ((False, "company"), (True, "company"))
    # Customers and groups switch either one for themselves.
    policy = effective_policy(overdue_only, [("Monthly", OverduePolicy(upcoming_enabled=True))])
    assert switches(policy) == ((True, "company"), (True, "group:Monthly"))
    quiet = effective_policy(upcoming_only, [], OverduePolicy(upcoming_enabled=False))
    assert switches(quiet) == ((False, "company"), (False, "partner"))


# The companies-and-accounts restriction.


def debt(company, account):
    return Installment(1, "p", company, account, date(2026, 3, 2), Decimal(10))


def test_account_rules_name_pairs_of_company_and_account_each_with_its_switch():
    rules = frozenset({AccountRule("A", "1101", True), AccountRule("B", "1102", True), AccountRule("A", "1102", False)})
    policy = effective_policy(COMPANY, partner=OverduePolicy(account_rules=rules))
    assert policy.sources["account_rules"] == "partner"
    scope = {(c, a): policy.in_scope(debt(c, a)) for c in "AB" for a in ("1101", "1102")}
    # Only the pairs sent: B's account 1101 is not A's.
    assert scope == {("A", "1101"): True, ("A", "1102"): False, ("B", "1101"): False, ("B", "1102"): True}


def test_account_rules_that_only_exclude_leave_the_rest_in():
    policy = effective_policy(
        COMPANY, partner=OverduePolicy(account_rules=frozenset({AccountRule("A", "1102", False)}))
    )
    assert not policy.in_scope(debt("A", "1102"))
    assert policy.in_scope(debt("A", "1101")) and policy.in_scope(debt("B", "1102"))


def test_account_rules_between_groups_and_with_the_other_restrictions():
    groups = [
        ("Postos", OverduePolicy(account_rules=frozenset({AccountRule("A", "1101", False)}))),
        (
            "Frotas",
            OverduePolicy(account_rules=frozenset({AccountRule("A", "1101", True), AccountRule("B", "9", True)})),
        ),
    ]
    policy = effective_policy(COMPANY, groups)
    # The union; a pair one group sends and another does not: sent.
    assert policy.account_rules == frozenset({AccountRule("A", "1101", True), AccountRule("B", "9", True)})
    assert policy.sources["account_rules"] == "group:Postos, group:Frotas"
    # The customer's own rules replace its groups'; every restriction applies.
    own = OverduePolicy(company_ids=frozenset({"A"}), account_rules=frozenset({AccountRule("B", "9", True)}))
    policy = effective_policy(COMPANY, groups, own)
    assert policy.account_rules == frozenset({AccountRule("B", "9", True)})
    assert not policy.in_scope(debt("B", "9"))  # not among the customer's companies
    assert not policy.in_scope(debt("A", "1101"))  # not among its rules


def test_the_customers_own_receivable_account_wins_over_the_restrictions_by_account():
    groups = [("Postos", OverduePolicy(account_rules=frozenset({AccountRule("A", "1101", True)})))]
    own = OverduePolicy(account_ids=frozenset({"1103"}), company_ids=frozenset({"A", "B"}))
    policy = effective_policy(COMPANY, groups, own, billing_accounts={"A": "1102"})
    assert policy.sources["billing_accounts"] == "billing_account"
    assert policy.billing_accounts == frozenset({("A", "1102")})
    # In company A, only the customer's own receivable account.
    assert [policy.in_scope(debt("A", account)) for account in ("1101", "1102", "1103")] == [False, True, False]
    # In B, where it has none, the restrictions by account apply (here: the customer's account 1103 and
    # the group's rules, which name A's account 1101 only).
    assert [policy.in_scope(debt("B", account)) for account in ("1101", "1103")] == [False, False]
    # The companies still restrict.
    assert not effective_policy(COMPANY, [], own, {"C": "1102"}).in_scope(debt("C", "1102"))
    assert effective_policy(COMPANY, billing_accounts={"C": "1102"}).in_scope(debt("C", "1102"))


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
