"""The dunning calendar on a small portfolio, run day after day like the daily cron."""

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest

from cobranca_core import mail_purposes
from cobranca_core.dunning import (
    DISABLED,
    FILTERED,
    FIRST_NOTICE,
    INTERVAL,
    INTERVAL_ELAPSED,
    NOTHING_DUE,
    RESTRICTED,
    TOLERANCE,
    UPCOMING,
    AccountRule,
    CompanyPolicy,
    FilterMode,
    Installment,
    Notice,
    OverduePolicy,
    PartnerState,
    SelectionFilter,
    Skip,
    apply,
    delivered_after_all,
    effective_due_date,
    effective_policy,
    plan_notices,
    undelivered,
)
from cobranca_core.recipients import Contact, notice_recipients

# March 2026: the 7th and 8th, 14th and 15th are a weekend. Day one is Tuesday the 10th.
DAY1 = date(2026, 3, 10)
COMPANY = CompanyPolicy(
    enabled=True,
    upcoming_days=3,
    include_overdue=True,
    overdue_after_days=2,
    interval_days=5,
    contact_filter=SelectionFilter(FilterMode.INCLUDE, frozenset({"billing"})),
    debt_state_filter=SelectionFilter(FilterMode.EXCLUDE, frozenset({"protest"})),
)


def d(day, month=3):
    return date(2026, month, day)


def inst(id, partner, due, residual="100.00", company="A", account="1101", states=(), last=None):
    return Installment(id, partner, company, account, due, Decimal(residual), frozenset(states), last)


PORTFOLIO = [
    inst("ov-1", "overdue", d(2)),
    inst("ov-2", "overdue", d(20, 2)),
    inst("ov-3", "overdue", d(2), states={"protest"}),  # handed to the notary: never listed
    inst("up-1", "upcoming", d(12)),  # window 9th-12th
    inst("up-2", "upcoming", d(10, 4)),  # window opens 7 April
    inst("paid-1", "paid", d(2), residual="0.00"),
    inst("paid-2", "paid", d(2), residual="-5.00"),  # a credit, not a debt
    inst("tol-1", "tolerated", d(9)),  # Monday + 2 days: overdue from the 12th
    inst("wk-1", "weekend", d(7)),  # Saturday: counts from Monday the 9th, so overdue from the 12th too
    inst("rs-in", "restricted", d(2)),
    inst("rs-other-company", "restricted", d(2), company="B"),
    inst("rs-other-account", "restricted", d(2), account="1102"),
    inst("ob-1", "only_other", d(2), company="B"),
    inst("pr-1", "protested", d(2), states={"protest", "open"}),
    inst("vip-1", "vip", d(2)),
    inst("vu-1", "vip_upcoming", d(2)),
    inst("vu-2", "vip_upcoming", d(13)),  # window opens today
    inst("gov-1", "government", d(2)),  # group tolerance 10: overdue from the 13th
]
RESTRICT = OverduePolicy(company_ids=frozenset({"A"}), account_ids=frozenset({"1101"}))
VIP = ("VIP", OverduePolicy(enabled=False))
POLICIES = {
    "restricted": effective_policy(COMPANY, partner=RESTRICT),
    "only_other": effective_policy(COMPANY, partner=RESTRICT),
    "vip": effective_policy(COMPANY, [VIP]),
    # In VIP too, but asked for the boletos coming due.
    "vip_upcoming": effective_policy(COMPANY, [VIP], OverduePolicy(upcoming_enabled=True)),
    "government": effective_policy(COMPANY, [("Government", OverduePolicy(tolerance_days=10))]),
}
STATES = {"former": PartnerState("former", d(1, 2), None, 3)}  # paid everything since


def ids(installments):
    return [item.id for item in installments]


def run(start, days, installments=PORTFOLIO, states=STATES, policies=POLICIES, company=COMPANY):
    """Plan, send and store day after day; returns {day: plan}."""
    plans, installments, states = {}, list(installments), dict(states)
    for offset in range(days):
        today = start + timedelta(days=offset)
        plans[today] = plan = plan_notices(today, company, installments, states, policies)
        applied = apply(plan, states)
        states = applied.partner_states
        stamps = applied.installment_notice_dates
        installments = [replace(i, last_notice_date=stamps.get(i.id, i.last_notice_date)) for i in installments]
    return plans


def test_first_run_notices_every_partner_with_overdue_debts_and_new_upcoming_ones():
    plan = plan_notices(DAY1, COMPANY, PORTFOLIO, STATES, POLICIES)
    sent = {n.partner_id: (ids(n.overdue), ids(n.upcoming), n.reason_sent) for n in plan.notices}
    assert sent == {
        "overdue": (["ov-2", "ov-1"], [], FIRST_NOTICE),
        "upcoming": ([], ["up-1"], UPCOMING),
        "restricted": (["rs-in"], [], FIRST_NOTICE),
        # No dunning e-mails for the VIP group, but this customer's own switch announces its boletos.
        "vip_upcoming": ([], ["vu-2"], UPCOMING),
    }
    assert plan.entries["overdue"].next_notice_date == d(15)
    # up-1 is due on Thursday the 12th, overdue from the 15th, which is also the end of the interval.
    assert plan.entries["upcoming"].next_notice_date == d(15)


def test_first_run_explains_every_skip():
    plan = plan_notices(DAY1, COMPANY, PORTFOLIO, STATES, POLICIES)
    skips = {s.partner_id: s for s in plan.skips}
    assert set(skips) == {"paid", "tolerated", "weekend", "only_other", "protested", "vip", "government", "former"}
    assert skips["paid"] == Skip("paid", NOTHING_DUE, None)
    assert skips["former"] == Skip("former", NOTHING_DUE, None)
    assert skips["tolerated"] == Skip("tolerated", TOLERANCE, d(12), d(12), 2, (PORTFOLIO[7],))
    assert (skips["weekend"].reason, skips["weekend"].until, skips["weekend"].days_left) == (TOLERANCE, d(12), 2)
    assert (skips["government"].reason, skips["government"].until, skips["government"].days_left) == (
        TOLERANCE,
        d(13),
        3,
    )
    assert (skips["only_other"].reason, ids(skips["only_other"].installments)) == (RESTRICTED, ["ob-1"])
    assert (skips["protested"].reason, ids(skips["protested"].installments)) == (FILTERED, ["pr-1"])
    assert (skips["vip"].reason, skips["vip"].source, skips["vip"].next_notice_date) == (DISABLED, "group:VIP", None)


def test_day_two_sends_nothing_and_the_interval_brings_the_next_ones():
    plans = run(DAY1, 21)
    calendar = {day: {n.partner_id: n.reason_sent for n in plan.notices} for day, plan in plans.items()}
    calendar = {day: sent for day, sent in calendar.items() if sent}
    again = {"overdue": INTERVAL_ELAPSED, "restricted": INTERVAL_ELAPSED}
    assert calendar == {
        d(10): {"overdue": FIRST_NOTICE, "upcoming": UPCOMING, "restricted": FIRST_NOTICE, "vip_upcoming": UPCOMING},
        d(12): {"tolerated": FIRST_NOTICE, "weekend": FIRST_NOTICE},
        d(13): {"government": FIRST_NOTICE},
        d(15): {**again, "upcoming": INTERVAL_ELAPSED},
        d(17): {"tolerated": INTERVAL_ELAPSED, "weekend": INTERVAL_ELAPSED},
        d(18): {"government": INTERVAL_ELAPSED},
        d(20): {**again, "upcoming": INTERVAL_ELAPSED},
        d(22): {"tolerated": INTERVAL_ELAPSED, "weekend": INTERVAL_ELAPSED},
        d(23): {"government": INTERVAL_ELAPSED},
        d(25): {**again, "upcoming": INTERVAL_ELAPSED},
        d(27): {"tolerated": INTERVAL_ELAPSED, "weekend": INTERVAL_ELAPSED},
        d(28): {"government": INTERVAL_ELAPSED},
        d(30): {**again, "upcoming": INTERVAL_ELAPSED},
    }
    day2 = plans[d(11)]
    assert day2.entries["overdue"] == Skip("overdue", INTERVAL, d(15), d(15), 4, day2.entries["overdue"].installments)
    assert ids(day2.entries["overdue"].installments) == ["ov-2", "ov-1"]
    # The upcoming debt was announced on day one: nothing new until it is overdue.
    assert day2.entries["upcoming"].reason == NOTHING_DUE
    assert ids(day2.entries["upcoming"].installments) == ["up-1"]


def test_next_notice_date_is_the_day_the_next_notice_goes():
    plans = run(DAY1, 40)
    days = sorted(plans)
    for index, day in enumerate(days[:20]):
        for partner_id, entry in plans[day].entries.items():
            later = [x for x in days[index + 1 :] if isinstance(plans[x].entries[partner_id], Notice)]
            assert entry.next_notice_date == (later[0] if later else None), (day, partner_id)


def test_running_twice_the_same_day_sends_once():
    plan = plan_notices(DAY1, COMPANY, PORTFOLIO, STATES, POLICIES)
    applied = apply(plan, STATES)
    stamped = [
        replace(i, last_notice_date=applied.installment_notice_dates.get(i.id, i.last_notice_date)) for i in PORTFOLIO
    ]
    assert plan_notices(DAY1, COMPANY, stamped, applied.partner_states, POLICIES).notices == []


def test_apply_stamps_notices_refreshes_skips_and_keeps_unsent_partners():
    plan = plan_notices(DAY1, COMPANY, PORTFOLIO, STATES, POLICIES)
    states = {"overdue": PartnerState("overdue", d(1, 2), d(6, 2), 4), **STATES}
    before = dict(states)
    applied = apply(plan, states, not_sent={"upcoming"})
    assert states == before  # pure
    assert applied.partner_states["overdue"] == PartnerState("overdue", DAY1, d(15), 5)
    assert applied.partner_states["restricted"] == PartnerState("restricted", DAY1, d(15), 1)
    assert applied.partner_states["tolerated"] == PartnerState("tolerated", None, d(12), 0)
    assert applied.partner_states["upcoming"] == PartnerState("upcoming")  # e.g. no e-mail: planned again tomorrow
    assert applied.partner_states["former"] == STATES["former"]
    assert applied.installment_notice_dates == {"ov-2": DAY1, "ov-1": DAY1, "rs-in": DAY1, "vu-2": DAY1}


def test_weekend_due_date_is_not_dunned_before_monday_plus_tolerance():
    saturday = [inst("wk", "p", d(7))]
    for day, reason in [(d(10), TOLERANCE), (d(11), TOLERANCE), (d(12), FIRST_NOTICE)]:
        entry = plan_notices(day, COMPANY, saturday).entries["p"]
        assert getattr(entry, "reason", getattr(entry, "reason_sent", None)) == reason, day
    # The same debt due on Friday the 6th is overdue on Tuesday.
    assert plan_notices(d(9), COMPANY, [inst("fr", "p", d(6))]).notices[0].overdue[0].id == "fr"


def test_holidays_shift_like_weekends():
    carnival = CompanyPolicy(True, 3, True, 0, 5, holidays=frozenset({d(16, 2), d(17, 2)}))
    due_saturday = [inst("c", "p", d(14, 2))]  # counts from Ash Wednesday, the 18th
    assert plan_notices(d(18, 2), carnival, due_saturday).skips[0].reason == TOLERANCE
    assert plan_notices(d(19, 2), carnival, due_saturday).notices[0].reason_sent == FIRST_NOTICE


@pytest.mark.parametrize(
    ("due", "expected"),
    [
        (d(6), d(6)),  # Friday
        (d(7), d(9)),  # Saturday
        (d(8), d(9)),  # Sunday
        (d(14, 2), d(18, 2)),  # Saturday before carnival
        (d(17, 2), d(18, 2)),  # Carnival Tuesday
    ],
)
def test_effective_due_date(due, expected):
    assert effective_due_date(due, frozenset({d(16, 2), d(17, 2)})) == expected


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (d(8), (NOTHING_DUE, d(9))),  # the window opens on the 9th, three days before the 12th
        (d(9), UPCOMING),
        (d(12), UPCOMING),  # the due day itself is still in the window
        (d(13), (TOLERANCE, d(15))),
        (d(15), FIRST_NOTICE),
    ],
)
def test_upcoming_window_runs_to_the_due_date_included(today, expected):
    entry = plan_notices(today, COMPANY, [inst("t", "p", d(12))]).entries["p"]
    if isinstance(entry, Notice):
        assert entry.reason_sent == expected
    else:
        assert (entry.reason, entry.next_notice_date) == expected


def test_upcoming_debt_is_announced_once_but_listed_with_each_notice_in_its_window():
    announced = inst("u", "p", d(12), last=d(9))
    assert plan_notices(d(10), COMPANY, [announced]).skips[0] == Skip(
        "p", NOTHING_DUE, d(15), installments=(announced,)
    )
    # An overdue notice within the window lists it again, with its boleto.
    state = {"p": PartnerState("p", d(4), d(9), 1)}
    notice = plan_notices(d(10), COMPANY, [announced, inst("o", "p", d(1))], state).notices[0]
    assert (ids(notice.overdue), ids(notice.upcoming), notice.reason_sent) == (["o"], ["u"], INTERVAL_ELAPSED)
    # Renegotiated to a later date: announced again in the new window.
    moved = replace(announced, due_date=d(30))
    assert plan_notices(d(27), COMPANY, [moved]).notices[0].upcoming == (moved,)


def test_new_upcoming_debt_does_not_wait_for_the_interval():
    # Dunned yesterday; a boleto's window opens today: it goes now, with the overdue debts, and
    # the interval restarts from today.
    state = {"p": PartnerState("p", d(9), d(14), 2)}
    debts = [inst("o", "p", d(1), last=d(9)), inst("u", "p", d(13))]
    notice = plan_notices(d(10), COMPANY, debts, state).notices[0]
    assert (ids(notice.overdue), ids(notice.upcoming), notice.reason_sent) == (["o"], ["u"], UPCOMING)
    assert notice.next_notice_date == d(15)


def test_debt_state_filter_applies_to_upcoming_debts_too():
    protested = [inst("u", "p", d(12), states={"protest"})]
    assert plan_notices(d(10), COMPANY, protested).skips[0].reason == FILTERED
    include_open = replace(COMPANY, debt_state_filter=SelectionFilter(FilterMode.INCLUDE, frozenset({"open"})))
    debts = [inst("a", "p", d(1), states={"open"}), inst("b", "p", d(1), states={"renegotiated"}), inst("c", "p", d(1))]
    assert ids(plan_notices(d(10), include_open, debts).notices[0].overdue) == ["a"]


def test_company_switch_off_sends_nothing():
    off = replace(COMPANY, enabled=False)
    plan = plan_notices(DAY1, off, PORTFOLIO, STATES, POLICIES)
    assert plan.notices == []
    assert {(s.reason, s.source, s.next_notice_date) for s in plan.skips} == {(DISABLED, "company", None)}


def test_company_without_overdue_emails_still_duns_partners_who_opted_in():
    no_overdue = replace(COMPANY, include_overdue=False)
    debts = [inst("a", "in", d(1)), inst("b", "out", d(1))]
    policies = {"in": effective_policy(no_overdue, [("Monthly", OverduePolicy(enabled=True))])}
    plan = plan_notices(DAY1, no_overdue, debts, {}, policies)
    assert [n.partner_id for n in plan.notices] == ["in"]
    assert (plan.entries["out"].reason, plan.entries["out"].source) == (DISABLED, "company")


def test_a_partner_without_email_is_planned_again_the_next_day():
    debts = [inst("o", "p", d(1))]
    plan = plan_notices(DAY1, COMPANY, debts)
    assert not notice_recipients(Contact("p", "sem e-mail"), [], COMPANY.contact_filter)
    applied = apply(plan, {}, not_sent={"p"})
    assert applied.installment_notice_dates == {}
    tomorrow = plan_notices(DAY1 + timedelta(days=1), COMPANY, debts, applied.partner_states)
    assert tomorrow.notices[0].reason_sent == FIRST_NOTICE


def test_an_opted_out_partner_is_announced_nothing_either():
    debts = [inst("u", "vip", d(12)), inst("f", "vip", d(30))]  # in its window; announced on the 27th
    plan = plan_notices(DAY1, COMPANY, debts, {}, {"vip": effective_policy(COMPANY, [VIP])})
    skip = plan.entries["vip"]
    assert (skip.reason, skip.source, skip.switched_off) == (DISABLED, "group:VIP", (("upcoming", "group:VIP"),))
    assert (ids(skip.installments), skip.next_notice_date) == (["u"], None)
    # Once past due, its overdue e-mails are off too.
    later = plan_notices(d(20), COMPANY, debts, {}, {"vip": effective_policy(COMPANY, [VIP])}).entries["vip"]
    assert later.switched_off == (("overdue", "group:VIP"),)


def test_both_switches_off_name_where_each_was_turned_off():
    policy = effective_policy(replace(COMPANY, include_upcoming=False), partner=OverduePolicy(enabled=False))
    assert policy.sources["upcoming_enabled"] == "partner"  # the customer's opt-out, more specific
    monthly = ("Monthly", OverduePolicy(enabled=False))
    policy = effective_policy(COMPANY, [monthly], OverduePolicy(upcoming_enabled=False))
    debts = [inst("o", "p", d(2)), inst("u", "p", d(12))]
    skip = plan_notices(DAY1, COMPANY, debts, {}, {"p": policy}).entries["p"]
    assert skip.switched_off == (("overdue", "group:Monthly"), ("upcoming", "partner"))
    assert ids(skip.installments) == ["o", "u"]


def test_without_coming_due_emails_a_partner_is_dunned_for_overdue_debts_only():
    no_upcoming = effective_policy(COMPANY, partner=OverduePolicy(upcoming_enabled=False))
    debts = [inst("o", "p", d(2)), inst("u", "p", d(12)), inst("f", "p", d(20))]
    plans = run(DAY1, 21, debts, {}, {"p": no_upcoming})
    notices = {day: plan.entries["p"] for day, plan in plans.items() if isinstance(plan.entries["p"], Notice)}
    # The debts coming due are never announced: each is dunned once overdue, in the interval's rhythm.
    assert {day: (ids(n.overdue), ids(n.upcoming)) for day, n in notices.items()} == {
        d(10): (["o"], []),
        d(15): (["o", "u"], []),
        d(20): (["o", "u"], []),
        d(25): (["o", "u", "f"], []),
        d(30): (["o", "u", "f"], []),
    }
    assert plans[d(10)].entries["p"].next_notice_date == d(15)
    # Alone, a debt coming due is no reason for a notice.
    skip = plan_notices(DAY1, COMPANY, debts[1:], {}, {"p": no_upcoming}).entries["p"]
    assert (skip.reason, skip.switched_off, skip.next_notice_date) == (DISABLED, (("upcoming", "partner"),), d(15))


def test_overdue_only_and_upcoming_only_companies():
    debts = [inst("o", "p", d(2)), inst("u", "p", d(12))]
    overdue_only = replace(COMPANY, include_upcoming=False)
    notice = plan_notices(DAY1, overdue_only, debts).notices[0]
    assert (ids(notice.overdue), ids(notice.upcoming)) == (["o"], [])
    upcoming_only = replace(COMPANY, include_overdue=False)
    notice = plan_notices(DAY1, upcoming_only, debts).notices[0]
    assert (ids(notice.overdue), ids(notice.upcoming), notice.reason_sent) == ([], ["u"], UPCOMING)


def test_only_the_companies_and_accounts_sent_are_dunned():
    rules = frozenset({AccountRule("A", "1101", True), AccountRule("B", "1102", False)})
    policy = effective_policy(COMPANY, partner=OverduePolicy(account_rules=rules))
    debts = [inst("in", "p", d(2)), inst("out", "p", d(2), account="1102"), inst("up", "p", d(12), account="1102")]
    notice = plan_notices(DAY1, COMPANY, debts, {}, {"p": policy}).notices[0]
    # The restriction is about overdue debts; the ones coming due are announced in any account.
    assert (ids(notice.overdue), ids(notice.upcoming)) == (["in"], ["up"])
    # Its own receivable account wins: only the debts in it are dunned.
    billing = effective_policy(COMPANY, partner=OverduePolicy(account_rules=rules), billing_accounts={"A": "1102"})
    assert ids(plan_notices(DAY1, COMPANY, debts, {}, {"p": billing}).notices[0].overdue) == ["out"]


@pytest.mark.parametrize(
    ("field", "value"),
    [("upcoming_days", -1), ("overdue_after_days", -1), ("interval_days", 0)],
)
def test_company_policy_refuses_impossible_values(field, value):
    with pytest.raises(ValueError, match=field):
        replace(COMPANY, **{field: value})


def test_override_refuses_negative_tolerance():
    with pytest.raises(ValueError, match="tolerance_days"):
        OverduePolicy(tolerance_days=-1)


def test_an_undelivered_notice_no_longer_counts_and_the_next_run_sends_again():
    debts = [inst("ov-1", 1, d(2))]
    before = PartnerState(1, d(5), d(10), 1)
    plan = plan_notices(DAY1, COMPANY, debts, {1: before})
    assert isinstance(plan.entries[1], Notice)
    sent = apply(plan, {1: before}).partner_states[1]
    assert (sent.last_notice_date, sent.notice_count) == (DAY1, 2)
    refused = undelivered(sent, DAY1, last_delivered=d(5), today=d(11))
    assert refused == PartnerState(1, d(5), d(11), 1)
    # The next day's run: five days since the last notice delivered, so the customer is dunned again.
    again = plan_notices(d(11), COMPANY, debts, {1: refused}).entries[1]
    assert isinstance(again, Notice)
    assert again.reason_sent == INTERVAL_ELAPSED


def test_an_undelivered_first_notice_makes_the_next_one_a_first_notice_again():
    sent = PartnerState(1, DAY1, DAY1 + timedelta(days=5), 1)
    refused = undelivered(sent, DAY1, last_delivered=None, today=DAY1)
    assert refused == PartnerState(1, None, DAY1, 0)
    again = plan_notices(d(11), COMPANY, [inst("ov-1", 1, d(2))], {1: refused}).entries[1]
    assert again.reason_sent == FIRST_NOTICE


def test_an_undelivered_notice_older_than_the_last_only_lowers_the_count():
    state = PartnerState(1, DAY1, DAY1 + timedelta(days=5), 3)
    assert undelivered(state, DAY1 - timedelta(days=5), last_delivered=DAY1, today=DAY1) == replace(
        state, notice_count=2
    )
    assert undelivered(PartnerState(1), DAY1, None, DAY1).notice_count == 0, "never below zero"


def test_a_notice_delivered_after_all_counts_again():
    refused = PartnerState(1, d(5), DAY1, 1)
    assert delivered_after_all(refused, DAY1) == PartnerState(1, DAY1, DAY1, 2)
    later = PartnerState(1, DAY1 + timedelta(days=5), None, 2)
    assert delivered_after_all(later, DAY1).last_notice_date == DAY1 + timedelta(days=5), "the later one stays last"
    assert delivered_after_all(PartnerState(1), DAY1) == PartnerState(1, DAY1, None, 1)


def test_a_notice_listing_overdue_debts_is_a_dunning_letter_else_a_boleto_notice():
    plan = plan_notices(DAY1, COMPANY, PORTFOLIO, STATES, POLICIES)
    assert plan.entries["overdue"].purpose == mail_purposes.DUNNING
    assert plan.entries["upcoming"].purpose == mail_purposes.NOTICE, "only debts coming due"
