"""Properties of the dunning calendar over random portfolios and policies."""

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from cobranca_core.dunning import (
    SENT_REASONS,
    SKIP_REASONS,
    UPCOMING,
    AccountRule,
    CompanyPolicy,
    FilterMode,
    Installment,
    Notice,
    OverduePolicy,
    PartnerState,
    SelectionFilter,
    apply,
    effective_policy,
    plan_notices,
)

TODAY = date(2026, 3, 10)
PARTNERS = range(4)
STATES = ("open", "protest", "renegotiated")

days_around = st.integers(-45, 45).map(lambda n: TODAY + timedelta(days=n))
companies = st.builds(
    CompanyPolicy,
    enabled=st.sampled_from([True, True, True, False]),
    upcoming_days=st.integers(0, 10),
    include_overdue=st.booleans(),
    overdue_after_days=st.integers(0, 5),
    interval_days=st.integers(1, 15),
    debt_state_filter=st.builds(SelectionFilter, st.sampled_from(FilterMode), st.frozensets(st.sampled_from(STATES))),
    holidays=st.frozensets(days_around, max_size=5),
    include_upcoming=st.sampled_from([True, True, False]),
)
account_rules = st.frozensets(st.builds(AccountRule, st.integers(0, 2), st.integers(0, 2), st.booleans()), max_size=3)
overrides = st.builds(
    OverduePolicy,
    enabled=st.none() | st.booleans(),
    tolerance_days=st.none() | st.integers(0, 10),
    company_ids=st.none() | st.frozensets(st.integers(0, 2), max_size=2),
    account_ids=st.none() | st.frozensets(st.integers(0, 2), max_size=2),
    upcoming_enabled=st.none() | st.booleans(),
    account_rules=st.none() | account_rules,
)
billing_accounts = st.dictionaries(st.integers(0, 2), st.integers(0, 2), max_size=2)
past_days = st.none() | st.integers(1, 60).map(lambda n: TODAY - timedelta(days=n))
installment_lists = st.lists(
    st.builds(
        Installment,
        id=st.none(),  # numbered below
        partner_id=st.sampled_from(PARTNERS),
        company_id=st.integers(0, 2),
        account_id=st.integers(0, 2),
        due_date=days_around,
        residual=st.integers(-3, 500).map(Decimal),
        debt_states=st.frozensets(st.sampled_from(STATES), max_size=2),
        last_notice_date=past_days,
    ),
    max_size=25,
)


def portfolios(with_history=True):
    """Installments of a few partners; with history, notices already sent before today."""
    states = st.fixed_dictionaries(
        {p: st.builds(PartnerState, st.just(p), past_days, st.none(), st.integers(1, 9)) for p in PARTNERS}
    )

    def number(installments, states):
        installments = [replace(item, id=n) for n, item in enumerate(installments)]
        if not with_history:
            return [replace(item, last_notice_date=None) for item in installments], {}
        return installments, {p: s if s.last_notice_date else PartnerState(p) for p, s in states.items()}

    return st.builds(number, installment_lists, states)


# Per partner: its groups' overrides, its own and its own receivable accounts.
partner_overrides = st.fixed_dictionaries(
    {
        p: st.tuples(
            st.lists(st.tuples(st.sampled_from("ABC"), overrides), max_size=2), st.none() | overrides, billing_accounts
        )
        for p in PARTNERS
    }
)


def policies(company, overrides_by_partner):
    return {p: effective_policy(company, *settings) for p, settings in overrides_by_partner.items()}


def stamp(installments, applied):
    dates = applied.installment_notice_dates
    return [replace(item, last_notice_date=dates.get(item.id, item.last_notice_date)) for item in installments]


@given(companies, portfolios(), partner_overrides)
def test_applying_a_plan_then_planning_again_the_same_day_sends_nothing(company, portfolio, overrides_by_partner):
    installments, states = portfolio
    by_partner = policies(company, overrides_by_partner)
    plan = plan_notices(TODAY, company, installments, states, by_partner)
    applied = apply(plan, states)
    again = plan_notices(TODAY, company, stamp(installments, applied), applied.partner_states, by_partner)
    assert again.notices == []
    assert all(entry.reason in SKIP_REASONS for entry in again.skips)
    assert all(notice.reason_sent in SENT_REASONS for notice in plan.notices)


@given(companies, portfolios(), partner_overrides)
def test_a_paid_installment_is_never_listed(company, portfolio, overrides_by_partner):
    installments, states = portfolio
    plan = plan_notices(TODAY, company, installments, states, policies(company, overrides_by_partner))
    for notice in plan.notices:
        assert all(item.residual > 0 for item in notice.overdue + notice.upcoming)
        assert notice.overdue or notice.upcoming


def simulate(company, installments, by_partner, days):
    """Run the daily plan from TODAY on a fixed portfolio; yields (day, plan, installments before)."""
    states = {}
    for offset in range(days):
        today = TODAY + timedelta(days=offset)
        plan = plan_notices(today, company, installments, states, by_partner)
        yield today, plan, installments
        applied = apply(plan, states)
        states, installments = applied.partner_states, stamp(installments, applied)


@settings(deadline=None)
@given(companies, portfolios(with_history=False), partner_overrides)
def test_within_the_interval_only_a_newly_announced_upcoming_debt_brings_a_notice(
    company, portfolio, overrides_by_partner
):
    installments, _ = portfolio
    last_notice = {}
    for today, plan, before in simulate(company, installments, policies(company, overrides_by_partner), 60):
        for notice in plan.notices:
            previous = last_notice.get(notice.partner_id)
            if previous and today < previous + timedelta(days=company.interval_days):
                assert notice.reason_sent == UPCOMING
                window = timedelta(days=company.upcoming_days)
                announced_before = {
                    i.id for i in before if i.last_notice_date and i.last_notice_date >= i.due_date - window
                }
                assert any(item.id not in announced_before for item in notice.upcoming)
            last_notice[notice.partner_id] = today


@settings(deadline=None)
@given(companies, portfolios(with_history=False), partner_overrides)
def test_next_notice_date_is_exact_while_nothing_is_paid(company, portfolio, overrides_by_partner):
    installments, _ = portfolio
    days = list(simulate(company, installments, policies(company, overrides_by_partner), 90))
    notice_days = {p: [day for day, plan, _ in days if isinstance(plan.entries.get(p), Notice)] for p in PARTNERS}
    for today, plan, _ in days[:30]:  # far enough from the end that every predicted date is simulated
        for partner_id, entry in plan.entries.items():
            later = [day for day in notice_days[partner_id] if day > today]
            assert entry.next_notice_date == (later[0] if later else None)


@settings(deadline=None)
@given(companies.filter(lambda company: company.enabled), portfolios(with_history=False), partner_overrides)
def test_every_open_debt_the_filter_accepts_is_announced_before_it_is_due(company, portfolio, overrides_by_partner):
    installments, _ = portfolio
    by_partner = policies(company, overrides_by_partner)
    listed = {}
    for today, plan, _ in simulate(company, installments, by_partner, 60):
        for notice in plan.notices:
            for item in notice.upcoming:
                listed.setdefault(item.id, today)
    for item in installments:
        opens = item.due_date - timedelta(days=company.upcoming_days)
        if item.residual > 0 and company.debt_state_filter.accepts(item.debt_states) and opens >= TODAY:
            if item.due_date < TODAY + timedelta(days=60) and by_partner[item.partner_id].upcoming_enabled:
                assert opens <= listed[item.id] <= item.due_date


@given(companies, portfolios(), partner_overrides)
def test_a_notice_lists_only_the_debts_the_partners_switches_let_through(company, portfolio, overrides_by_partner):
    installments, states = portfolio
    by_partner = policies(company, overrides_by_partner)
    plan = plan_notices(TODAY, company, installments, states, by_partner)
    for notice in plan.notices:
        policy = by_partner[notice.partner_id]
        assert policy.upcoming_enabled or not notice.upcoming
        assert all(policy.enabled and policy.in_scope(item) for item in notice.overdue)
    for partner_id, policy in by_partner.items():
        if not policy.enabled and not policy.upcoming_enabled:
            assert not isinstance(plan.entries.get(partner_id), Notice)


@given(companies, st.lists(st.tuples(st.sampled_from("ABC"), overrides), max_size=3), overrides)
def test_an_opt_out_is_an_opt_out_unless_a_coming_due_switch_as_specific_says_otherwise(company, groups, own):
    policy = effective_policy(company, groups, own)
    upcoming = (policy.upcoming_enabled, policy.sources["upcoming_enabled"])
    if own.upcoming_enabled is not None:
        assert upcoming == (own.upcoming_enabled, "partner")
    elif own.enabled is False:
        assert upcoming == (False, "partner")
    if all(group.upcoming_enabled is None for _, group in groups) and own.upcoming_enabled is None:
        if not policy.enabled and policy.sources["enabled"] != "company":
            assert upcoming == (False, policy.sources["enabled"])  # the customer's or its groups' opt-out
        elif all(group.enabled is not False for _, group in groups) and own.enabled is not False:
            assert upcoming == (company.include_upcoming, "company")


@given(overrides, billing_accounts, st.integers(0, 2), st.integers(0, 2))
def test_the_own_receivable_account_alone_is_dunned_in_its_company(own, billing, company_id, account_id):
    company = CompanyPolicy(True, 3, True, 2, 5)
    policy = effective_policy(company, [], own, billing)
    item = Installment(1, 0, company_id, account_id, TODAY, Decimal(1))
    if company_id in billing and (own.own("company_ids") is None or company_id in own.company_ids):
        assert policy.in_scope(item) == (account_id == billing[company_id])
    without = effective_policy(company, [], own)
    # The receivable account only narrows what the restrictions by account let through to its own.
    if company_id not in billing:
        assert policy.in_scope(item) == without.in_scope(item)
