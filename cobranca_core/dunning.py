"""When does a partner get the next dunning notice.

The addon selects the open receivable installments, turns them into :class:`Installment` values,
asks :func:`plan_notices` who gets a notice today and with which debts, sends them, and stores what
:func:`apply` returns. Ids are opaque hashables: an addon planning company by company may key
partners by ``(company_id, partner_id)``.

One installment, seen on ``today`` (``due`` is the printed due date; the *effective* due date is
the next business day on or after it, see :func:`effective_due_date`):

- **future** before ``due - upcoming_days``;
- **upcoming** from ``due - upcoming_days`` to ``due``, both included. The window counts to the date
  the customer reads on the boleto, and a debt can still be paid without fees on its due day
  (``upcoming_days=0`` announces it on that day only);
- **tolerated** after ``due`` up to ``effective due + tolerance_days``: a boleto due on a Saturday is
  paid on Monday, and a payment takes days to clear; nobody is dunned for it yet;
- **overdue** from ``effective due + tolerance_days + 1`` on.

A debt rejected by the company's debt-state filter is never listed. Two switches of the partner's
:class:`EffectivePolicy` say which debts are e-mailed: overdue e-mails (with the tolerance and the
company/account restriction, :meth:`EffectivePolicy.in_scope`, which apply to overdue debts only)
and coming-due e-mails (upcoming debts, announced with their boletos). A partner with coming-due
e-mails off is never announced an upcoming debt, nor listed one in a notice about overdue debts.

A partner gets **one notice today** when

(a) coming-due e-mails are on for it and an upcoming installment has not been announced in its
    window yet (its ``last_notice_date`` is before the window opened). This ignores the interval: a
    boleto announced after its due date is useless, so announcements never wait for the dunning
    cycle; or
(b) it has overdue debts in scope, overdue e-mails are on for it, and it never got a notice (first
    run) or ``interval_days`` have passed since the last one.

A notice lists every overdue debt in scope (when overdue e-mails are on) and every upcoming one in
its window (when coming-due e-mails are on), and restarts the interval. Its ``next_notice_date``,
like a skipped partner's, is the first day (a) or (b) will hold if nothing is paid or invoiced
meanwhile: the earliest window opening of a future debt (coming-due e-mails on), or the day a debt
becomes overdue (or, for debts already overdue, today), pushed to the end of the interval counted
from the last notice. The stored date is for display; each run
decides again from the installments, so new invoices and payments count at once.

Who receives a notice is :func:`cobranca_core.recipients.notice_recipients` (the company's
``contact_filter``); a notice nobody can receive is planned again the next day
(:func:`no_email_reason`). Its fine and interest are :mod:`cobranca_core.charges`'s.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from enum import Enum
from functools import cached_property
from typing import Any

from cobranca_core import mail_purposes

# Why a notice was sent.
FIRST_NOTICE = "first_notice"  # overdue debts, the partner never got a notice
INTERVAL_ELAPSED = "interval_elapsed"  # overdue debts, interval_days passed since the last notice
UPCOMING = "upcoming"  # only because an upcoming debt had not been announced yet
SENT_REASONS = (FIRST_NOTICE, INTERVAL_ELAPSED, UPCOMING)

# Why not, checked in this order (the first that applies explains the skip).
# Company switch off (source "company", no `switched_off`), or, for the partner, overdue or coming-due
# e-mails off for all its debts past due or in their window (`switched_off`: which, and where).
DISABLED = "disabled"
INTERVAL = "interval"  # overdue debts, but the last notice is recent: `until` = last + interval_days
TOLERANCE = "tolerance"  # past due but within tolerance: `until` = first day one counts as overdue
RESTRICTED = "restricted"  # past-due debts, all outside the partner's companies/accounts
FILTERED = "filtered"  # debts past due or in their window, all rejected by the debt-state filter
NOTHING_DUE = "nothing_due"  # nothing overdue; upcoming ones (`installments`) already announced
# Set by the addon when recipients.notice_recipients() finds no valid address (no_email_reason()):
NO_EMAIL = "no_email"  # neither the invoice contacts nor the customer have one
NO_EMAIL_IN_GROUPS = "no_email_in_groups"  # "only the selected" contact groups: no contact in them has one
NO_EMAIL_REASONS = (NO_EMAIL, NO_EMAIL_IN_GROUPS)
SKIP_REASONS = (DISABLED, INTERVAL, TOLERANCE, RESTRICTED, FILTERED, NOTHING_DUE, *NO_EMAIL_REASONS)

# The two kinds of debts a notice lists, each with its own switch.
OVERDUE_DEBTS = "overdue"
UPCOMING_DEBTS = "upcoming"
SWITCHES = {OVERDUE_DEBTS: "enabled", UPCOMING_DEBTS: "upcoming_enabled"}  # the EffectivePolicy field of each

ONE_DAY = timedelta(days=1)


class FilterMode(str, Enum):
    """Seed 004's S / N / T: only the selected, all but the selected, all."""

    INCLUDE = "include"
    EXCLUDE = "exclude"
    ALL = "all"


@dataclass(frozen=True)
class SelectionFilter:
    """Which contact groups or debt states qualify; ``mode`` may be given as its string."""

    mode: FilterMode = FilterMode.ALL
    values: frozenset = frozenset()

    def accepts(self, values_of_item: Iterable) -> bool:
        """Include: the item has a selected value; exclude: it has none; all: always.

        "Include" with nothing selected accepts nothing, as the finance team selected nothing.
        """
        if self.mode == FilterMode.ALL:
            return True
        return self.values.isdisjoint(values_of_item) != (self.mode == FilterMode.INCLUDE)


@dataclass(frozen=True)
class CompanyPolicy:
    """Seed 004's screen: the master switch, the window, the overdue settings, the filters.

    ``include_overdue`` and ``include_upcoming`` are the company's two switches, the defaults of its
    partners: with only one of them on, the company duns overdue debts only, or only announces the
    debts coming due; groups and partners may switch either on or off for themselves.
    """

    enabled: bool
    upcoming_days: int
    include_overdue: bool
    overdue_after_days: int
    interval_days: int
    contact_filter: SelectionFilter = SelectionFilter()
    debt_state_filter: SelectionFilter = SelectionFilter()
    holidays: frozenset[date] = frozenset()  # bank holidays, shifted like weekends
    include_upcoming: bool = True

    def __post_init__(self):
        for name in ("upcoming_days", "overdue_after_days"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be zero or positive, not {getattr(self, name)}")
        # With 0, a second run on the same day would send the overdue notice again.
        if self.interval_days < 1:
            raise ValueError(f"interval_days must be at least 1, not {self.interval_days}")


@dataclass(frozen=True)
class AccountRule:
    """A line of a companies-and-accounts restriction: the overdue debts of ``company_id`` in the
    receivable account ``account_id`` are e-mailed (``send``) or not."""

    company_id: Any
    account_id: Any
    send: bool = True


@dataclass(frozen=True)
class OverduePolicy:
    """A group's or partner's override of the company's switches; ``None`` (or an empty set) inherits.

    ``enabled`` switches overdue e-mails, ``upcoming_enabled`` coming-due e-mails (each turned off
    here turns off both, see :func:`effective_policy`). ``account_rules`` holds :class:`AccountRule`
    values.
    """

    enabled: bool | None = None
    tolerance_days: int | None = None
    company_ids: frozenset | None = None
    account_ids: frozenset | None = None
    upcoming_enabled: bool | None = None
    account_rules: frozenset | None = None

    def __post_init__(self):
        if self.tolerance_days is not None and self.tolerance_days < 0:
            raise ValueError(f"tolerance_days must be zero or positive, not {self.tolerance_days}")

    def own(self, name: str):
        """The value this group or partner sets for ``name``, None when it inherits it."""
        value = getattr(self, name)
        # An empty many2many on the form means "not restricted here", like None.
        return None if value == frozenset() else value


@dataclass(frozen=True)
class EffectivePolicy:
    """The settings in force for one partner.

    ``sources[name]`` says where each comes from: "company", "group:<key>" (between groups, several:
    "group:<key>, group:<key>"), "partner", and for ``billing_accounts`` "billing_account".
    """

    enabled: bool  # overdue e-mails
    tolerance_days: int
    company_ids: frozenset | None  # None: every company
    account_ids: frozenset | None  # None: every account
    upcoming_enabled: bool = True  # coming-due e-mails
    account_rules: frozenset | None = None  # AccountRule values; None: no such restriction
    # (company, account) pairs: the partner's own receivable account in that company.
    billing_accounts: frozenset = frozenset()
    sources: Mapping[str, str] = field(default_factory=dict, compare=False)

    def in_scope(self, installment: "Installment") -> bool:
        """Whether the overdue installment is dunned as far as its company and account go.

        Every restriction must let it through: its company must be among ``company_ids``; in a
        company where the partner has a receivable account of its own (``billing_accounts``), only
        that account is dunned, whatever the restrictions by account below; otherwise its account
        must be among ``account_ids``, and an :class:`AccountRule` naming its company and account
        decides. An installment that no rule names is dunned only when no rule says "send": rules
        that only exclude leave everything else in.
        """
        company, account = installment.company_id, installment.account_id
        if self.company_ids is not None and company not in self.company_ids:
            return False
        billing = self._billing_by_company.get(company)
        if billing is not None:
            return account == billing
        if self.account_ids is not None and account not in self.account_ids:
            return False
        if not self.account_rules:
            return True
        send = self._rules_by_pair.get((company, account))
        return send if send is not None else not any(self._rules_by_pair.values())

    # Not fields: computed once per policy (a policy is shared by the installments of a partner).
    @cached_property
    def _billing_by_company(self):
        return dict(self.billing_accounts)

    @cached_property
    def _rules_by_pair(self):
        return {(rule.company_id, rule.account_id): rule.send for rule in self.account_rules or ()}


def _first_with(chosen, value):
    return value, next(f"group:{key}" for key, v in chosen if v == value)


def _union(chosen):
    return frozenset().union(*(v for _, v in chosen)), ", ".join(f"group:{k}" for k, _ in chosen)


def _merge_rules(chosen):
    send = {}
    for _key, rules in chosen:
        for rule in rules:
            pair = (rule.company_id, rule.account_id)
            send[pair] = send.get(pair, False) or rule.send
    return frozenset(AccountRule(*pair, value) for pair, value in send.items()), _union(chosen)[1]


# When a partner's groups disagree, the group that duns more wins: any group switching e-mails on,
# the smallest tolerance, the union of the restrictions (a company and account some group sends
# and another does not: sent). A partner can still override.
_GROUP_RULES = {
    "enabled": lambda chosen: _first_with(chosen, any(v for _, v in chosen)),
    "tolerance_days": lambda chosen: _first_with(chosen, min(v for _, v in chosen)),
    "company_ids": _union,
    "account_ids": _union,
    "upcoming_enabled": lambda chosen: _first_with(chosen, any(v for _, v in chosen)),
    "account_rules": _merge_rules,
}


def effective_policy(
    company: CompanyPolicy,
    groups: Sequence[tuple[Any, OverduePolicy]] = (),
    partner: OverduePolicy | None = None,
    billing_accounts: Mapping[Any, Any] | None = None,
) -> EffectivePolicy:
    """Settings of a partner: partner over its groups over the company, value by value.

    ``groups`` are ``(key, policy)`` pairs; the key (the group's name or id) appears in the sources.
    Between groups see ``_GROUP_RULES``; on a tie the first group in ``groups`` is the source.

    Overdue e-mails turned off also turn off the coming-due ones, unless a coming-due switch as
    specific says otherwise: a customer (or group) set not to receive dunning e-mails gets no
    announcements either, while a company that does not dun overdue debts still announces the ones
    coming due, and a customer set not to receive coming-due e-mails may still be dunned. ``billing_accounts``:
    ``{company: account}``, the partner's own receivable account in each company where it has one;
    it wins over every restriction by account, the partner's and its groups' alike
    (:meth:`EffectivePolicy.in_scope`).
    """
    values = {
        "enabled": company.include_overdue,
        "tolerance_days": company.overdue_after_days,
        "company_ids": None,
        "account_ids": None,
        "upcoming_enabled": company.include_upcoming,
        "account_rules": None,
    }
    sources = dict.fromkeys(values, "company")
    for name, combine in _GROUP_RULES.items():
        chosen = [(key, policy.own(name)) for key, policy in groups if policy.own(name) is not None]
        if chosen:
            values[name], sources[name] = combine(chosen)
    for name in values:
        if partner is not None and partner.own(name) is not None:
            values[name], sources[name] = partner.own(name), "partner"
    if not values["enabled"] and _specificity(sources["enabled"]) > _specificity(sources["upcoming_enabled"]):
        values["upcoming_enabled"], sources["upcoming_enabled"] = False, sources["enabled"]
    billing = frozenset((billing_accounts or {}).items())
    if billing:
        sources["billing_accounts"] = "billing_account"
    return EffectivePolicy(**values, billing_accounts=billing, sources=sources)


def _specificity(source):
    return 2 if source == "partner" else 1 if source.startswith("group:") else 0


@dataclass(frozen=True, slots=True)
class Installment:
    """An open receivable installment; ``last_notice_date`` is the last notice that listed it."""

    id: Any
    partner_id: Any
    company_id: Any
    account_id: Any
    due_date: date
    residual: Decimal
    debt_states: frozenset = frozenset()
    last_notice_date: date | None = None


@dataclass(frozen=True, slots=True)
class PartnerState:
    """What is stored per partner between runs."""

    partner_id: Any
    last_notice_date: date | None = None
    next_notice_date: date | None = None
    notice_count: int = 0


@dataclass(frozen=True)
class Notice:
    partner_id: Any
    overdue: tuple[Installment, ...]
    upcoming: tuple[Installment, ...]
    reason_sent: str  # one of SENT_REASONS
    next_notice_date: date | None

    @property
    def purpose(self) -> str:
        """What the e-mail is for, which chooses its mail server: a dunning letter
        (:data:`~cobranca_core.mail_purposes.DUNNING`) when it lists overdue debts, else a boleto
        notice (:data:`~cobranca_core.mail_purposes.NOTICE`), which only announces debts coming due."""
        return mail_purposes.DUNNING if self.overdue else mail_purposes.NOTICE


@dataclass(frozen=True)
class Skip:
    partner_id: Any
    reason: str  # one of SKIP_REASONS
    next_notice_date: date | None
    until: date | None = None  # interval: when it ends; tolerance: first day a debt is overdue
    days_left: int | None = None  # from the plan's day to `until`
    installments: tuple[Installment, ...] = ()  # the debts the reason is about
    source: str | None = None  # disabled: where the (first) switch was turned off
    # disabled for the partner: ((OVERDUE_DEBTS or UPCOMING_DEBTS, source), ...), the switches that
    # left its debts out; empty when the company's dunning notices are off.
    switched_off: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Plan:
    today: date
    entries: dict  # partner_id -> Notice | Skip, in the order partners were first seen

    @property
    def notices(self) -> list[Notice]:
        return [entry for entry in self.entries.values() if isinstance(entry, Notice)]

    @property
    def skips(self) -> list[Skip]:
        return [entry for entry in self.entries.values() if isinstance(entry, Skip)]


def effective_due_date(due_date: date, holidays: frozenset[date] = frozenset()) -> date:
    """The day a boleto due on ``due_date`` is paid without fees: the next business day on or after it.

    Banks accept on the next business day a payment due on a Saturday, Sunday or bank holiday.
    """
    while due_date.weekday() >= 5 or due_date in holidays:
        due_date += ONE_DAY
    return due_date


def no_email_reason(contact_filter: SelectionFilter) -> str:
    """Why a planned notice has nobody to go to (:func:`cobranca_core.recipients.notice_recipients`
    found no valid address): :data:`NO_EMAIL_IN_GROUPS` when only the contacts in the selected
    groups may receive it, else :data:`NO_EMAIL`."""
    return NO_EMAIL_IN_GROUPS if FilterMode(contact_filter.mode) == FilterMode.INCLUDE else NO_EMAIL


def plan_notices(
    today: date,
    company_policy: CompanyPolicy,
    installments: Iterable[Installment],
    partner_states: Mapping[Any, PartnerState] | None = None,
    policies_by_partner: Mapping[Any, EffectivePolicy] | None = None,
) -> Plan:
    """Who gets a notice on ``today`` and with which debts, and why the others do not.

    Every partner with an installment or a state gets an entry; a partner missing from
    ``policies_by_partner`` follows the company's policy. See the module docstring for the rules.
    """
    partner_states = partner_states or {}
    policies_by_partner = policies_by_partner or {}
    company_default = effective_policy(company_policy)
    by_partner: dict[Any, list[Installment]] = {}
    for installment in installments:
        by_partner.setdefault(installment.partner_id, []).append(installment)
    for partner_id in partner_states:
        by_partner.setdefault(partner_id, [])
    due_cache: dict[date, date] = {}

    def effective_due(due: date) -> date:
        if due not in due_cache:
            due_cache[due] = effective_due_date(due, company_policy.holidays)
        return due_cache[due]

    entries = {
        partner_id: _plan_partner(
            today,
            company_policy,
            policies_by_partner.get(partner_id, company_default),
            partner_states.get(partner_id) or PartnerState(partner_id),
            partner_installments,
            effective_due,
        )
        for partner_id, partner_installments in by_partner.items()
    }
    return Plan(today, entries)


def _plan_partner(today, company, policy, state, installments, effective_due):
    partner_id, last = state.partner_id, state.last_notice_date
    if not company.enabled:
        return Skip(partner_id, DISABLED, None, source="company")
    new_upcoming, announced, overdue, tolerated, restricted, filtered = [], [], [], [], [], []
    switched_off = {OVERDUE_DEBTS: [], UPCOMING_DEBTS: []}  # past due / in the window, its switch off
    window_opens = []  # of future debts: each will be announced that day, whatever the interval
    becomes_overdue = []  # of debts in scope not overdue yet: dunned that day, subject to the interval
    for item in installments:
        if item.residual <= 0:  # paid or cancelled; the caller should not pass them, but never list them
            continue
        opens = item.due_date - timedelta(days=company.upcoming_days)
        if not company.debt_state_filter.accepts(item.debt_states):
            if today >= opens:
                filtered.append(item)
            continue
        dunned_from = effective_due(item.due_date) + timedelta(days=policy.tolerance_days + 1)
        dunnable = policy.enabled and policy.in_scope(item)
        if today < opens:
            # Announced the day its window opens (the day it becomes overdue is later); with coming-due
            # e-mails off, dunned the day it becomes overdue.
            if policy.upcoming_enabled:
                window_opens.append(opens)
            elif dunnable:
                becomes_overdue.append(dunned_from)
        elif today <= item.due_date:
            if not policy.upcoming_enabled:
                switched_off[UPCOMING_DEBTS].append(item)
            elif item.last_notice_date and item.last_notice_date >= opens:
                announced.append(item)
            else:
                new_upcoming.append(item)
            if dunnable:
                becomes_overdue.append(dunned_from)
        elif not policy.enabled:
            switched_off[OVERDUE_DEBTS].append(item)
        elif not dunnable:
            restricted.append(item)
        elif today < dunned_from:
            tolerated.append(item)
            becomes_overdue.append(dunned_from)
        else:
            overdue.append(item)

    interval_over = last is None or today >= last + timedelta(days=company.interval_days)
    send = bool(new_upcoming) or (bool(overdue) and interval_over)
    cycle_start = today if send else last
    gate = cycle_start + timedelta(days=company.interval_days) if cycle_start else None
    candidates = window_opens + [max(day, gate) if gate else day for day in becomes_overdue]
    if overdue:
        candidates.append(gate)  # not None: overdue debts without a notice would have been sent now
    next_date = min(candidates, default=None)

    if send:
        reason = UPCOMING if not (overdue and interval_over) else FIRST_NOTICE if last is None else INTERVAL_ELAPSED
        return Notice(partner_id, _by_due(overdue), _by_due(new_upcoming + announced), reason, next_date)
    if overdue:
        return _skip(today, partner_id, INTERVAL, next_date, overdue, until=gate)
    if tolerated:
        return _skip(today, partner_id, TOLERANCE, next_date, tolerated, until=min(becomes_overdue))
    if any(switched_off.values()):
        kinds = tuple(
            (kind, policy.sources.get(SWITCHES[kind], "company")) for kind, items in switched_off.items() if items
        )
        items = switched_off[OVERDUE_DEBTS] + switched_off[UPCOMING_DEBTS]
        return _skip(today, partner_id, DISABLED, next_date, items, source=kinds[0][1], switched_off=kinds)
    if restricted:
        return _skip(today, partner_id, RESTRICTED, next_date, restricted)
    if filtered:
        return _skip(today, partner_id, FILTERED, next_date, filtered)
    return _skip(today, partner_id, NOTHING_DUE, next_date, announced)


def _skip(today, partner_id, reason, next_date, items, until=None, source=None, switched_off=()):
    days_left = (until - today).days if until else None
    return Skip(partner_id, reason, next_date, until, days_left, _by_due(items), source, switched_off)


def _by_due(items):
    return tuple(sorted(items, key=lambda item: item.due_date))


@dataclass(frozen=True)
class Applied:
    partner_states: dict  # partner_id -> PartnerState, for every partner of the plan
    installment_notice_dates: dict  # installment id -> date, only the installments listed today


def apply(plan: Plan, partner_states: Mapping[Any, PartnerState] | None = None, not_sent: Iterable = ()) -> Applied:
    """The states to store once the plan's notices are sent; pure, the inputs are not changed.

    A notice sets the partner's last notice to the plan's day, counts it and stamps its installments;
    a skip only refreshes the next notice date. Partners in ``not_sent`` (the notice could not be
    composed, e.g. no e-mail) keep their state untouched, so the next run plans them again.
    """
    partner_states = partner_states or {}
    not_sent = frozenset(not_sent)
    states, stamped = {}, {}
    for partner_id, entry in plan.entries.items():
        state = partner_states.get(partner_id) or PartnerState(partner_id)
        if partner_id in not_sent:
            states[partner_id] = state
        elif isinstance(entry, Notice):
            states[partner_id] = PartnerState(partner_id, plan.today, entry.next_notice_date, state.notice_count + 1)
            stamped.update((item.id, plan.today) for item in entry.overdue + entry.upcoming)
        else:
            states[partner_id] = replace(state, next_notice_date=entry.next_notice_date)
    return Applied(states, stamped)


def undelivered(state: PartnerState, notice_date: date, last_delivered: date | None, today: date) -> PartnerState:
    """The state once the notice sent on ``notice_date`` turns out never delivered (refused for good).

    It no longer counts: when it was the partner's last notice, the last one becomes
    ``last_delivered`` (the latest notice still counted, or None) and the next notice is due
    ``today`` at the latest, so the next run plans the partner as if that notice had not been sent;
    a later notice, when there is one, stays the last.
    """
    count = max(state.notice_count - 1, 0)
    if state.last_notice_date != notice_date:
        return replace(state, notice_count=count)
    next_date = min(state.next_notice_date, today) if state.next_notice_date else today
    return PartnerState(state.partner_id, last_delivered, next_date, count)


def delivered_after_all(state: PartnerState, notice_date: date) -> PartnerState:
    """The state once a notice counted as undelivered is delivered after all (sent again by hand)."""
    last = max(state.last_notice_date, notice_date) if state.last_notice_date else notice_date
    return replace(state, last_notice_date=last, notice_count=state.notice_count + 1)
