"""The values a dunning run passes between its parts and returns to its callers.

The run (``cobranca.dunning``) reads with :mod:`.dunning_reader`, plans with ``cobranca_core.dunning``,
composes with :mod:`.dunning_composer`; the preview, the command line and the scheduled action read
the :class:`RunResult`, and explain it with :mod:`.dunning_presenter`.
"""

from dataclasses import dataclass, field
from datetime import date

from cobranca_core import dunning


@dataclass
class Outcome:
    """What the run did, or would do, for one customer."""

    partner_id: int
    entry: dunning.Notice | dunning.Skip
    recipients: list = field(default_factory=list)  # e-mail addresses
    recipient_partner_ids: list = field(default_factory=list)
    no_recipient: str | None = None  # planned, but nobody to send it to: one of dunning.NO_EMAIL_REASONS
    failure: str | None = None  # why a planned notice was not sent
    notice_id: int | None = None  # the cobranca.dunning.notice sent

    @property
    def planned(self):
        return isinstance(self.entry, dunning.Notice)

    @property
    def reason(self):
        """The reason key: why sent, or why not (``no_recipient`` when nobody can receive it)."""
        if self.planned:
            return self.no_recipient or self.entry.reason_sent
        return self.entry.reason

    @property
    def sendable(self):
        return self.planned and not self.no_recipient

    @property
    def installments(self):
        if self.planned:
            return self.entry.overdue + self.entry.upcoming
        return self.entry.installments


@dataclass
class RunResult:
    company_id: int
    today: date
    dry_run: bool
    outcomes: list = field(default_factory=list)
    errors: list = field(default_factory=list)  # batches that failed as a whole
    # Customers another run was at work on at the same time: left to it (or to the next call), never
    # marked planned, so nobody loses the day's notice.
    busy: list = field(default_factory=list)
    warnings: list = field(default_factory=list)  # e.g. no mail server for these notices

    @property
    def sent(self):
        return [outcome for outcome in self.outcomes if outcome.notice_id]

    @property
    def failed(self):
        """Planned notices not sent: no e-mail address, or (in a real run) the notice failed."""
        if self.dry_run:
            return [outcome for outcome in self.outcomes if outcome.planned and not outcome.sendable]
        return [outcome for outcome in self.outcomes if outcome.planned and not outcome.notice_id]

    @property
    def to_send(self):
        return [outcome for outcome in self.outcomes if outcome.sendable]


@dataclass
class RunContext:
    """What every batch of a run shares: read once a run."""

    company: object  # the res.company record
    policy: dunning.CompanyPolicy  # with the bank holidays around ``today``
    today: date
    dry_run: bool
    with_pdf: bool
    group_policies: dict  # category id -> OverduePolicy, only the categories that override something
    default_receivable_id: int | None = None  # a customer's receivable account other than this one is its own
