"""The dunning run: select open installments by SQL, plan with cobranca_core.dunning, send, store.

Who gets a notice, with which debts and when next is decided by ``cobranca_core.dunning``; this
model only reads the records into its values, sends the notices of the plan and stores what
``apply`` returns. A run goes through the customers in batches; each batch is one transaction (a
call of the scheduled action, which Odoo commits; the command line and Send Now commit after each
batch themselves):

1. claim: lock the customers' dunning state rows (``FOR UPDATE SKIP LOCKED``), so a second run at
   the same time skips them instead of notifying them twice;
2. read their open installments, settings and contacts (a fixed number of queries per batch);
3. plan, compose each notice (mail queued, not sent) and store the new states and stamps;
4. commit. A crash before the commit loses the whole batch, mails included; a rerun reads the
   stored states and does not notify again those already done.
"""

import logging
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

import psycopg2.errors

from odoo import _, api, fields, models
from odoo.tools import float_repr, format_date, split_every

from cobranca_core import dunning, mail_purposes, recipients
from cobranca_core.charges import late_charges

from .cobranca_overdue_policy_mixin import POLICY_FIELDS, overdue_policy

_logger = logging.getLogger(__name__)

BATCH_SIZE = 200
CLAIM_ATTEMPTS = 5
# Another run committed a customer of this batch after it started: retry it, with a fresh snapshot.
RETRY_ERRORS = (psycopg2.errors.SerializationFailure, psycopg2.errors.DeadlockDetected)

# Open receivable installments of a company: posted, not fully paid, with a due date.
OPEN_INSTALLMENTS = """
      FROM account_move_line aml
      JOIN account_account account ON account.id = aml.account_id
      JOIN res_partner partner ON partner.id = aml.partner_id
     WHERE aml.company_id = %(company_id)s
       AND account.account_type = 'asset_receivable'
       AND aml.parent_state = 'posted'
       AND NOT aml.reconciled
       AND aml.amount_residual > 0
       AND aml.date_maturity IS NOT NULL
"""


@dataclass
class Outcome:
    """What the run did, or would do, for one customer."""

    partner_id: int
    entry: dunning.Notice | dunning.Skip
    recipients: list = field(default_factory=list)  # e-mail addresses
    recipient_partner_ids: list = field(default_factory=list)
    failure: str | None = None  # why a planned notice was not sent
    notice_id: int | None = None  # the cobranca.dunning.notice sent

    @property
    def planned(self):
        return isinstance(self.entry, dunning.Notice)

    @property
    def reason(self):
        """The reason key: why sent, or why not (``NO_EMAIL`` when nobody can receive it)."""
        if self.planned:
            return dunning.NO_EMAIL if self.recipients == dunning.NO_EMAIL else self.entry.reason_sent
        return self.entry.reason

    @property
    def sendable(self):
        return self.planned and self.recipients != dunning.NO_EMAIL

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
    company: models.Model
    policy: dunning.CompanyPolicy
    today: date
    dry_run: bool
    with_pdf: bool
    group_policies: dict  # category id -> OverduePolicy, only the categories that override something


class CobrancaDunning(models.AbstractModel):
    _name = "cobranca.dunning"
    _description = "Dunning Notices Run"

    @api.model
    def _cron_send_dunning_notices(self, batch_size=BATCH_SIZE):
        """Scheduled action "Send dunning notices": one batch of customers a call.

        Each call runs the next batch of customers not yet planned today, in the first company that
        has some, and reports its progress: the scheduler commits after each call and calls again
        until none is left (Odoo's cron progress), so a day's run survives the cron time limit and
        a worker's crash loses one batch at most, which the next call redoes.
        """
        companies = self.env["res.company"].sudo().search([("cobranca_dunning_enabled", "=", True)])
        for company in companies:
            today = self._today(company)
            batch = self._candidate_partner_ids(company, today=today, pending_only=True, limit=batch_size)
            if not batch:
                continue
            result = self.with_company(company)._run(company, today=today, partner_ids=batch, commit=False)
            for warning in result.warnings:
                _logger.warning("Dunning notices of %s: %s", company.name, warning)
            _logger.info(
                "Dunning notices of %s on %s: %s queued, %s not sent, %s batch error(s)",
                company.name,
                today,
                len(result.sent),
                len(result.failed),
                len(result.errors),
            )
            remaining = sum(
                len(self._candidate_partner_ids(other, today=self._today(other), pending_only=True))
                for other in companies
            )
            self.env["ir.cron"]._notify_progress(done=len(batch), remaining=remaining)
            return
        self.env["ir.cron"]._notify_progress(done=0, remaining=0)

    @api.model
    def _today(self, company):
        """Today where the company is: the user's time zone, else the company's, else Brasília's."""
        tz = self.env.context.get("tz") or self.env.user.tz or company.partner_id.tz or "America/Sao_Paulo"
        return fields.Date.context_today(self.with_context(tz=tz))

    @api.model
    def _run(
        self, company, today=None, partner_ids=None, dry_run=False, with_pdf=True, commit=None, pending_only=False
    ):
        """Send (or, with ``dry_run``, only plan) the dunning notices of ``company`` for ``today``.

        :param partner_ids: only these customers (commercial partners); default: every customer with
            an open receivable installment in the company
        :param with_pdf: attach the debt statement and the boletos (the benchmark measures without)
        :param commit: commit after each batch; default: outside tests, when not a dry run
        :param pending_only: leave out the customers a run already planned today (the command line
            resumes the day's run this way, as the scheduled action does)
        :return: :class:`RunResult`
        """
        today = today or self._today(company)
        if commit is None:
            commit = not dry_run and self.env["account.move.send"]._can_commit()
        result = RunResult(company.id, today, dry_run)
        policy = company._cobranca_dunning_policy()
        if not policy.enabled and not dry_run:
            return result
        warning = company._cobranca_mail_server_warning([mail_purposes.DUNNING, mail_purposes.NOTICE])
        if warning:
            result.warnings.append(warning)
        self.env.flush_all()
        ctx = self._context_for(company, today, dry_run=dry_run, with_pdf=with_pdf)
        candidates = self._candidate_partner_ids(company, partner_ids, today=today, pending_only=pending_only)
        for batch in split_every(BATCH_SIZE, candidates, list):
            result.outcomes += self._run_batch_safely(ctx, batch, commit, result)
        return result

    @api.model
    def _context_for(self, company, today, dry_run=False, with_pdf=True):
        """What every batch of a run of ``company`` on ``today`` shares."""
        policy = company._cobranca_dunning_policy(today)
        return RunContext(company, policy, today, dry_run, with_pdf, self._group_policies())

    def _run_batch_safely(self, ctx, partner_ids, commit, result):
        """Run a batch in its own transaction (``commit``) or savepoint. A batch that fails is rolled
        back whole and run again customer by customer, so that one customer's fault (a template that
        fails for it, a broken address) stays that customer's; a customer that fails alone is
        logged and left for tomorrow rather than retried in a loop.

        A customer another run changed meanwhile (Postgres refuses the lock: serialization failure)
        is no fault: outside a transaction of its own (the scheduled action's call), it is left out
        unmarked and the next call, with a fresh snapshot, plans it; with ``commit`` the batch is
        retried with a fresh snapshot first."""
        # Committing per batch is the point here (the scheduled action's exactly-once guarantee);
        # ``commit`` is false inside tests and dry runs.
        # pylint: disable=invalid-commit
        cr = self.env.cr
        if not commit:
            try:
                with cr.savepoint():
                    return self._run_batch(ctx, partner_ids)
            except Exception as error:  # one bad batch never stops the run
                self.env.invalidate_all()
                if len(partner_ids) > 1:
                    return self._run_one_by_one(ctx, partner_ids, commit, result)
                if isinstance(error, RETRY_ERRORS):
                    return self._left_to_another_run(ctx, partner_ids, error, result)
                return self._batch_failed(ctx, partner_ids, error, result)
        for attempt in range(1, CLAIM_ATTEMPTS + 1):
            cr.commit()  # each batch starts with a fresh snapshot, so it sees what other runs committed
            try:
                outcomes = self._run_batch(ctx, partner_ids)
                cr.commit()
                return outcomes
            except RETRY_ERRORS as error:
                cr.rollback()
                self.env.invalidate_all()
                _logger.info("Dunning batch retried (attempt %s): %s", attempt, error)
            except Exception as error:  # one bad batch never stops the run
                cr.rollback()
                self.env.invalidate_all()
                if len(partner_ids) > 1:
                    return self._run_one_by_one(ctx, partner_ids, commit, result)
                outcomes = self._batch_failed(ctx, partner_ids, error, result)
                cr.commit()
                return outcomes
        if len(partner_ids) > 1:
            return self._run_one_by_one(ctx, partner_ids, commit, result)
        return self._left_to_another_run(ctx, partner_ids, _("other runs kept changing this customer"), result)

    def _left_to_another_run(self, ctx, partner_ids, error, result):
        _logger.info(
            "Dunning notices of %s: customer(s) %s changed by another transaction meanwhile (another run, "
            "the boleto e-mails of their invoices): left to the next call: %s",
            ctx.company.name,
            partner_ids,
            error,
        )
        result.busy += partner_ids
        return []

    def _run_one_by_one(self, ctx, partner_ids, commit, result):
        _logger.info("Dunning notices of %s: a batch failed, running its customers one by one", ctx.company.name)
        return [
            outcome
            for partner_id in partner_ids
            for outcome in self._run_batch_safely(ctx, [partner_id], commit, result)
        ]

    def _batch_failed(self, ctx, partner_ids, error, result):
        _logger.error(
            "Dunning notices of %s: a batch of %s customers failed: %s",
            ctx.company.name,
            len(partner_ids),
            error,
            exc_info=isinstance(error, Exception),
        )
        if len(partner_ids) == 1:
            customer = self.env["res.partner"].browse(partner_ids)
            reason = _(
                "The dunning notice of %(customer)s could not be composed: %(error)s",
                customer=customer.display_name,
                error=str(error),
            )
        else:
            reason = _("%(count)s customers were not processed: %(error)s", count=len(partner_ids), error=str(error))
        if not ctx.dry_run:
            try:
                with self.env.cr.savepoint():
                    if len(partner_ids) == 1:
                        # Seen in the e-mail log (and so on the customer's form), not only in the run's result.
                        self.env["cobranca.email.log"]._log_failure(
                            purpose="dunning", company=ctx.company, partner=customer, reason=reason
                        )
                    self._mark_planned(ctx.company, partner_ids, ctx.today)
            except RETRY_ERRORS as conflict:  # another run planned them meanwhile: theirs stands
                self.env.invalidate_all()
                return self._left_to_another_run(ctx, partner_ids, conflict, result)
        result.errors.append(reason)
        return []

    def _run_batch(self, ctx, partner_ids):
        states = self._read_states(ctx.company, partner_ids, claim=not ctx.dry_run)
        if not ctx.dry_run:
            partner_ids = [partner_id for partner_id in partner_ids if partner_id in states]
        states, restamped = self.env["cobranca.dunning.state"]._count_deliveries(
            ctx.company, states, ctx.today, write=not ctx.dry_run
        )
        installments = self._read_installments(ctx.company, partner_ids)
        if restamped:  # a dry run does not write them
            installments = [
                replace(item, last_notice_date=restamped[item.id]) if item.id in restamped else item
                for item in installments
            ]
        partners = self._read_partners(partner_ids)
        contacts = self._read_contacts(partner_ids)
        policies = self._overridden_policies(ctx.policy, partners, ctx.group_policies)
        plan = dunning.plan_notices(ctx.today, ctx.policy, installments, states, policies)
        outcomes = [Outcome(partner_id, entry) for partner_id, entry in plan.entries.items()]
        for outcome in outcomes:
            if outcome.planned:
                customer = recipients.Contact(outcome.partner_id, partners[outcome.partner_id]["email"])
                chosen = recipients.select_recipients(
                    contacts.get(outcome.partner_id, ()), [customer], ctx.policy.contact_filter
                )
                outcome.recipients = list(chosen.addresses) or dunning.NO_EMAIL
                outcome.recipient_partner_ids = list(chosen.contact_ids)
        if ctx.dry_run:
            return outcomes
        self._send(ctx, [outcome for outcome in outcomes if outcome.planned])
        not_sent = {outcome.partner_id for outcome in outcomes if outcome.planned and not outcome.notice_id}
        self._store(ctx.company, dunning.apply(plan, states, not_sent=not_sent), ctx.today, partner_ids)
        return outcomes

    # Selection (SQL: a fixed number of queries per batch, whatever its size)

    @api.model
    def _candidate_partner_ids(self, company, partner_ids=None, today=None, pending_only=False, limit=None):
        """Customers (commercial partners) with an open receivable installment in ``company``;
        ``pending_only``: those not planned yet on ``today``."""
        self.env.flush_all()
        query = f"SELECT DISTINCT partner.commercial_partner_id {OPEN_INSTALLMENTS}"
        params = {"company_id": company.id, "today": today, "limit": limit}
        if partner_ids is not None:
            query += " AND partner.commercial_partner_id = ANY(%(partner_ids)s)"
            params["partner_ids"] = list(partner_ids)
        if pending_only:
            query += """ AND NOT EXISTS (SELECT 1 FROM cobranca_dunning_state state
                                          WHERE state.company_id = %(company_id)s
                                            AND state.partner_id = partner.commercial_partner_id
                                            AND state.last_run_date >= %(today)s)"""
        self.env.cr.execute(query + " ORDER BY 1 LIMIT %(limit)s", params)
        return [partner_id for (partner_id,) in self.env.cr.fetchall()]

    @api.model
    def _read_states(self, company, partner_ids, claim=False):
        """Stored states by partner id. ``claim``: lock the customers' rows, skipping (leaving out of
        the result) the rows another run holds, and create the rows of new customers.

        Existing rows are never inserted again, so a run never waits for the rows another run locked;
        a row another run changed after this transaction began makes Postgres refuse the lock
        (serialization failure), and the batch is retried with a fresh snapshot.
        """
        cr = self.env.cr
        if claim:
            cr.execute(
                """INSERT INTO cobranca_dunning_state
                          (partner_id, company_id, notice_count, create_uid, create_date, write_uid, write_date)
                   SELECT new.partner_id, %(company_id)s, 0, %(uid)s, now() at time zone 'UTC', %(uid)s,
                          now() at time zone 'UTC'
                     FROM unnest(%(partner_ids)s::int[]) AS new(partner_id)
                    WHERE NOT EXISTS (SELECT 1 FROM cobranca_dunning_state state
                                       WHERE state.company_id = %(company_id)s AND state.partner_id = new.partner_id)
              ON CONFLICT (partner_id, company_id) DO NOTHING""",
                {"company_id": company.id, "partner_ids": partner_ids, "uid": self.env.uid},
            )
        cr.execute(
            f"""SELECT partner_id, last_notice_date, next_notice_date, notice_count
                  FROM cobranca_dunning_state
                 WHERE company_id = %s AND partner_id = ANY(%s)
                 {"FOR UPDATE SKIP LOCKED" if claim else ""}""",
            [company.id, partner_ids],
        )
        return {row[0]: dunning.PartnerState(*row) for row in cr.fetchall()}

    @api.model
    def _read_installments(self, company, partner_ids):
        digits = company.currency_id.decimal_places  # before the query: reading it may query too
        self.env.cr.execute(
            f"""SELECT aml.id, partner.commercial_partner_id, aml.company_id, aml.account_id, aml.date_maturity,
                       aml.amount_residual, aml.cobranca_last_notice_date,
                       ARRAY(SELECT state_id FROM account_move_cobranca_debt_state_rel
                              WHERE move_id = aml.move_id)
                {OPEN_INSTALLMENTS}
                   AND partner.commercial_partner_id = ANY(%(partner_ids)s)
              ORDER BY aml.date_maturity, aml.id""",
            {"company_id": company.id, "partner_ids": partner_ids},
        )
        return [
            dunning.Installment(
                line_id,
                partner_id,
                company_id,
                account_id,
                due,
                Decimal(float_repr(residual, digits)),
                frozenset(states),
                last,
            )
            for line_id, partner_id, company_id, account_id, due, residual, last, states in self.env.cr.fetchall()
        ]

    @api.model
    def _read_contacts(self, partner_ids):
        """Invoice contacts by commercial partner, as ``cobranca_core.recipients.Contact`` values."""
        self.env.cr.execute(
            """SELECT c.commercial_partner_id, c.id, c.email,
                      ARRAY(SELECT category_id FROM res_partner_res_partner_category_rel WHERE partner_id = c.id)
                 FROM res_partner c
                WHERE c.commercial_partner_id = ANY(%s)
                  AND c.id <> c.commercial_partner_id
                  AND c.active
                  AND c.type = 'invoice'
             ORDER BY c.commercial_partner_id, c.id""",
            [partner_ids],
        )
        contacts = {}
        for partner_id, contact_id, email, category_ids in self.env.cr.fetchall():
            contacts.setdefault(partner_id, []).append(
                recipients.Contact(contact_id, email, frozenset(category_ids), is_invoice_contact=True)
            )
        return contacts

    # The overdue settings, read once: by the run for each batch, by the partner form

    @api.model
    def _read_partners(self, partner_ids):
        """``{partner id: {"email", "policy", "category_ids"}}``: the e-mail, the own overdue settings
        (``OverduePolicy``) and the groups (by id) of ``partner_ids``, in one query.

        With :meth:`_group_policies`, the one reader of the overdue settings: the run reads each batch
        with them, the partner form's "effective" fields too (:meth:`_effective_policies`).
        """
        if not partner_ids:
            return {}
        self.env["res.partner"].flush_model([*POLICY_FIELDS, "email", "category_id"])
        self.env.cr.execute(
            """SELECT p.id, p.email, p.cobranca_overdue_email, p.cobranca_overdue_tolerance_days,
                      ARRAY(SELECT company_id FROM res_partner_cobranca_overdue_company_rel WHERE partner_id = p.id),
                      ARRAY(SELECT account_id FROM res_partner_cobranca_overdue_account_rel WHERE partner_id = p.id),
                      ARRAY(SELECT category_id FROM res_partner_res_partner_category_rel
                             WHERE partner_id = p.id ORDER BY category_id)
                 FROM res_partner p
                WHERE p.id = ANY(%s)""",
            [list(partner_ids)],
        )
        return {
            partner_id: {
                "email": email,
                "policy": overdue_policy(overdue_email, tolerance, company_ids, account_ids),
                "category_ids": category_ids,
            }
            for partner_id, email, overdue_email, tolerance, company_ids, account_ids, category_ids in (
                self.env.cr.fetchall()
            )
        }

    @api.model
    def _group_policies(self):
        """Overrides of the active partner groups (res.partner.category) that set something, by group id."""
        self.env["res.partner.category"].flush_model([*POLICY_FIELDS, "active"])
        self.env.cr.execute(
            """SELECT c.id, c.cobranca_overdue_email, c.cobranca_overdue_tolerance_days,
                      ARRAY(SELECT company_id FROM res_partner_category_cobranca_overdue_company_rel
                             WHERE category_id = c.id),
                      ARRAY(SELECT account_id FROM res_partner_category_cobranca_overdue_account_rel
                             WHERE category_id = c.id)
                 FROM res_partner_category c
                WHERE c.active"""
        )
        groups = {}
        for category_id, overdue_email, tolerance, company_ids, account_ids in self.env.cr.fetchall():
            policy = overdue_policy(overdue_email, tolerance, company_ids, account_ids)
            if policy != dunning.OverduePolicy():
                groups[category_id] = policy
        return groups

    @api.model
    def _overridden_policies(self, company_policy, partners, group_policies):
        """``{partner id: EffectivePolicy}`` of the ``partners`` (rows of :meth:`_read_partners`) that
        override something or are in a group that does; the others follow ``company_policy``."""
        policies = {}
        for partner_id, row in partners.items():
            # Groups that set nothing are not in group_policies: they leave the company's settings alone.
            groups = [(key, group_policies[key]) for key in row["category_ids"] if key in group_policies]
            if groups or row["policy"] != dunning.OverduePolicy():
                policies[partner_id] = dunning.effective_policy(company_policy, groups, row["policy"])
        return policies

    @api.model
    def _effective_policies(self, company, partners):
        """Effective overdue settings of ``partners`` in ``company``, as the run reads them:
        ``{partner id: EffectivePolicy}``.

        Saved partners are read as a batch of the run is; a partner being edited in a form (a new
        record) with its unsaved values, so that the form shows what a change does before it is saved.
        """
        company_policy = company._cobranca_dunning_policy()
        saved = partners.filtered("id")
        rows = self._read_partners(saved.ids)
        for partner in partners - saved:
            rows[partner.id] = {
                "policy": partner._cobranca_overdue_policy(),
                "category_ids": sorted(partner.category_id._origin.ids),
            }
        policies = self._overridden_policies(company_policy, rows, self._group_policies())
        default = dunning.effective_policy(company_policy)
        return {partner.id: policies.get(partner.id, default) for partner in partners}

    # Storing what apply() returns

    @api.model
    def _store(self, company, applied, today, partner_ids):
        """Write what ``apply`` returned, and that the claimed ``partner_ids`` were planned ``today``."""
        cr = self.env.cr
        states = list(applied.partner_states.values())
        if states:
            cr.execute(
                """UPDATE cobranca_dunning_state state
                      SET last_notice_date = new.last_notice_date,
                          next_notice_date = new.next_notice_date,
                          notice_count = new.notice_count,
                          write_uid = %s,
                          write_date = now() at time zone 'UTC'
                     FROM unnest(%s::int[], %s::date[], %s::date[], %s::int[])
                          AS new(partner_id, last_notice_date, next_notice_date, notice_count)
                    WHERE state.company_id = %s AND state.partner_id = new.partner_id""",
                [
                    self.env.uid,
                    [state.partner_id for state in states],
                    [state.last_notice_date for state in states],
                    [state.next_notice_date for state in states],
                    [state.notice_count for state in states],
                    company.id,
                ],
            )
        self._mark_planned(company, partner_ids, today)
        by_date = {}
        for line_id, day in applied.installment_notice_dates.items():
            by_date.setdefault(day, []).append(line_id)
        for day, line_ids in by_date.items():
            cr.execute(
                "UPDATE account_move_line SET cobranca_last_notice_date = %s WHERE id = ANY(%s)", [day, line_ids]
            )
        if by_date:
            self.env["account.move.line"].invalidate_model(["cobranca_last_notice_date"])

    @api.model
    def _mark_planned(self, company, partner_ids, today):
        """Record that a run planned these customers today: the day's later runs leave them out."""
        self.env.cr.execute(
            """INSERT INTO cobranca_dunning_state
                      (partner_id, company_id, notice_count, last_run_date, create_uid, create_date, write_uid,
                       write_date)
               SELECT partner_id, %(company_id)s, 0, %(today)s, %(uid)s, now() at time zone 'UTC', %(uid)s,
                      now() at time zone 'UTC'
                 FROM unnest(%(partner_ids)s::int[]) AS partner_id
          ON CONFLICT (partner_id, company_id) DO UPDATE SET last_run_date = EXCLUDED.last_run_date""",
            {"company_id": company.id, "today": today, "partner_ids": list(partner_ids), "uid": self.env.uid},
        )
        self.env["cobranca.dunning.state"].invalidate_model()
        self.env["res.partner"].invalidate_model(
            [
                "cobranca_dunning_state_ids",
                "cobranca_dunning_last_date",
                "cobranca_dunning_next_date",
                "cobranca_dunning_count",
            ]
        )

    # Composing and sending

    def _send(self, ctx, outcomes):
        """Create and queue the notices; a partner whose notice fails is logged and left for the next run."""
        Log = self.env["cobranca.email.log"]
        sendable = [outcome for outcome in outcomes if outcome.sendable]
        for outcome in outcomes:
            if not outcome.sendable:
                outcome.failure = self._reason_text(outcome)
                partner = self.env["res.partner"].browse(outcome.partner_id)
                lines = self.env["account.move.line"].browse([item.id for item in outcome.installments])
                Log._log_failure(
                    purpose=self._purpose(outcome.entry),
                    company=ctx.company,
                    partner=partner,
                    moves=lines.move_id,
                    move_lines=lines,
                    reason=outcome.failure,
                )
        if not sendable:
            return
        lines = self.env["account.move.line"].browse([item.id for outcome in sendable for item in outcome.installments])
        lines_by_id = {line.id: line for line in lines}  # iterating keeps the batch's prefetch
        # Notices and their lines are written by the run only (users read them): created as the system,
        # then read as the run's user.
        notices = (
            self.env["cobranca.dunning.notice"]
            .sudo()
            .create([self._notice_values(ctx, outcome, lines_by_id) for outcome in sendable])
            .sudo(False)
        )
        documents = notices._render_documents() if ctx.with_pdf else {}
        template = ctx.company._cobranca_dunning_mail_template()
        subjects = template._render_field("subject", notices.ids, compute_lang=True)
        bodies = template._render_field("body_html", notices.ids, compute_lang=True)
        senders = {
            purpose: self.env["ir.mail_server"]._cobranca_sender(
                purpose, ctx.company, ctx.company.cobranca_dunning_mail_server_id
            )
            for purpose in set(notices.mapped("purpose"))
        }
        prepared = []
        for outcome, notice in zip(sendable, notices, strict=True):
            try:
                mail_values = self._notice_mail_values(
                    ctx, outcome, notice, subjects[notice.id], bodies[notice.id], documents, senders[notice.purpose]
                )
            except Exception as error:  # one bad notice never stops the batch
                self._notice_failed(ctx, outcome, notice, error)
                continue
            prepared.append((outcome, notice, mail_values))
        self._queue_notices(ctx, prepared)
        sent_ids = {outcome.notice_id for outcome in sendable}
        # The notices just created for customers whose e-mail failed: their record would claim a notice.
        notices.filtered(lambda notice: notice.id not in sent_ids).sudo().unlink()

    def _notice_failed(self, ctx, outcome, notice, error):
        _logger.warning("Dunning notice to partner %s not sent: %s", outcome.partner_id, error, exc_info=error)
        outcome.failure = _("The notice could not be composed: %s", error)
        self.env["cobranca.email.log"]._log_failure(
            purpose=notice.purpose,
            company=ctx.company,
            partner=notice.partner_id,
            moves=notice.line_ids.move_id,
            move_lines=notice.line_ids.move_line_id,
            reason=outcome.failure,
        )

    def _notice_mail_values(self, ctx, outcome, notice, subject, body, documents, sender):
        """The e-mail of a notice, for ``mail.mail._cobranca_queue_billing_mails``."""
        attachments = []
        if notice.id in documents:
            if isinstance(documents[notice.id], Exception):
                raise documents[notice.id]
            statement, boletos = documents[notice.id]
            named = notice.with_context(lang=notice._statement_lang())  # file names in the customer's language
            attachments.append((named._statement_filename(), statement))
            if boletos:
                attachments.append((named._boletos_filename(), boletos))
        return {
            # Shown in the notice's chatter (read by the billing users of its company only, where the
            # customer may be shared); the run's user is the author. Queued as the billing system: a
            # billing user may send notices without the right to edit customers.
            "record": notice,
            "partners": self.env["res.partner"].browse(outcome.recipient_partner_ids),
            "subject": subject,
            "body": body,
            "attachments": attachments,
            "purpose": notice.purpose,
            **sender,
            "company": ctx.company,
            "partner": notice.partner_id,
            "moves": notice.line_ids.move_id,
            "move_lines": notice.line_ids.move_line_id,
        }

    def _queue_notices(self, ctx, prepared):
        """Queue the notices' e-mails; a notice whose e-mail cannot be queued is logged as failed alone."""
        results = self.env["mail.mail"]._cobranca_queue_billing_mails_safely([values for *_item, values in prepared])
        for (outcome, notice, _values), result in zip(prepared, results, strict=True):
            if isinstance(result, Exception):
                self._notice_failed(ctx, outcome, notice, result)
                continue
            notice.sudo().write(
                {
                    "mail_message_id": result.mail_message_id.id,
                    "attachment_ids": [(6, 0, result.attachment_ids.ids)],
                    "recipients": ", ".join(outcome.recipients),
                }
            )
            outcome.notice_id = notice.id

    @staticmethod
    def _purpose(entry):
        """ "dunning" (carta de cobrança) when the notice lists overdue debts, else "notice" (aviso)."""
        overdue = entry.overdue if isinstance(entry, dunning.Notice) else ()
        return "dunning" if overdue else "notice"

    def _notice_values(self, ctx, outcome, lines_by_id):
        entry = outcome.entry
        line_values, residual, due = [], Decimal(0), Decimal(0)
        for kind, items in (("overdue", entry.overdue), ("upcoming", entry.upcoming)):
            for item in items:
                line = lines_by_id[item.id]
                boleto = line.cobranca_boleto_ids.filtered(lambda b: b.state == "active")[:1]
                wallet = boleto.wallet_id or line.move_id.cobranca_wallet_id or ctx.company.cobranca_wallet_id
                charges = late_charges(
                    item.residual,
                    item.due_date,
                    ctx.today,
                    wallet.fine_percent,
                    wallet.interest_monthly_percent,
                    ctx.policy.holidays,
                )
                residual += item.residual
                due += item.residual + charges.total
                line_values.append(
                    (
                        0,
                        0,
                        {
                            "currency_id": ctx.company.currency_id.id,
                            "move_line_id": line.id,
                            "move_id": line.move_id.id,
                            "boleto_id": boleto.id,
                            "kind": kind,
                            "due_date": item.due_date,
                            "days_late": charges.days_late,
                            "amount": float(item.residual),
                            "fine": float(charges.fine),
                            "interest": float(charges.interest),
                            "amount_due": float(item.residual + charges.total),
                        },
                    )
                )
        return {
            "company_id": ctx.company.id,
            "currency_id": ctx.company.currency_id.id,
            "partner_id": outcome.partner_id,
            "date": ctx.today,
            "reason": entry.reason_sent,
            "purpose": self._purpose(entry),
            "overdue_count": len(entry.overdue),
            "upcoming_count": len(entry.upcoming),
            "amount_residual": float(residual),
            "amount_due": float(due),
            "next_notice_date": entry.next_notice_date,
            "line_ids": line_values,
        }

    # Explaining the plan (preview wizard, CLI)

    @api.model
    def _reason_text(self, outcome):
        """Why this customer gets a notice today, or why not, in the user's language."""
        entry, reason = outcome.entry, outcome.reason
        fmt = self._format_date
        if reason == dunning.NO_EMAIL:
            return _(
                "No valid e-mail address: neither the customer nor its invoice contacts in the chosen contact groups "
                "have one."
            )
        if reason in dunning.SENT_REASONS:
            debts = self._debts_text(entry)
            if reason == dunning.FIRST_NOTICE:
                return _("First notice: %s.", debts)
            if reason == dunning.INTERVAL_ELAPSED:
                return _("The interval since the last notice elapsed: %s.", debts)
            return _("Debts coming due, announced with their boletos: %s.", debts)
        if reason == dunning.DISABLED:
            if entry.source == "company":
                return _("Dunning notices are disabled for the company.")
            return _(
                "Overdue debts are not e-mailed to this customer (set on %(origin)s).",
                origin=self._origin_text(entry.source),
            )
        if reason == dunning.INTERVAL:
            return _(
                "Overdue debts, but the last notice is recent: next one on %(date)s (%(days)s day(s) left).",
                date=fmt(entry.until),
                days=entry.days_left,
            )
        if reason == dunning.TOLERANCE:
            return _(
                "Past due but within the tolerance: overdue from %(date)s (%(days)s day(s) left).",
                date=fmt(entry.until),
                days=entry.days_left,
            )
        if reason == dunning.RESTRICTED:
            return _("Its past-due debts are outside the companies or accounts dunned for this customer.")
        if reason == dunning.FILTERED:
            return _("Its debts are left out by the debt situation filter.")
        if entry.installments:
            return _("Nothing overdue; the debts coming due were already announced.")
        if entry.next_notice_date:
            return _("Nothing overdue or coming due yet: next notice on %s.", fmt(entry.next_notice_date))
        return _("No open debt to notify today.")

    @api.model
    def _debts_text(self, notice):
        overdue, upcoming = len(notice.overdue), len(notice.upcoming)
        if overdue and upcoming:
            return _("%(overdue)s overdue debt(s) and %(upcoming)s coming due", overdue=overdue, upcoming=upcoming)
        if overdue:
            return _("%s overdue debt(s)", overdue)
        return _("%s debt(s) coming due", upcoming)

    def _format_date(self, value):
        return format_date(self.env, value) if value else ""

    @api.model
    def _origin_text(self, source):
        """Where an effective setting comes from: "company", "partner" or "group:<id>[, group:<id>]"."""
        if source == "partner":
            return _("this customer")
        if source == "company":
            return _("company settings")
        keys = [part.strip()[len("group:") :] for part in source.split(",") if part.strip().startswith("group:")]
        groups = self.env["res.partner.category"].browse([int(key) for key in keys if key.isdigit()]).exists()
        names = []
        for group in groups:  # not a generator: _() finds the language in this frame
            names.append(_("group %s", group.display_name))
        return ", ".join(names)
