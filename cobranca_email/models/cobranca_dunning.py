"""The dunning run's driver: batches, locks and commits.

Who gets a notice, with which debts and when next is decided by ``cobranca_core.dunning``; this
model drives a run through the customers in batches and holds its transaction model. Each batch is
one transaction (a call of the scheduled action, which Odoo commits; the command line and Send Now
commit after each batch themselves):

1. claim: lock the customers' dunning state rows (``FOR UPDATE SKIP LOCKED``), so a second run at
   the same time skips them instead of notifying them twice;
2. read their open installments, settings and contacts (a fixed number of queries per batch);
3. plan, compose each notice (mail queued, not sent) and store the new states and stamps;
4. commit. A crash before the commit loses the whole batch, mails included; a rerun reads the
   stored states and does not notify again those already done.

Where the rest lives: reading the records into ``cobranca_core`` values,
``tools/dunning_reader.py``; composing and queueing the notices, ``tools/dunning_composer.py``;
writing the cycle (state rows, stamps, notices counted out or in), ``cobranca.dunning.state``; the
sentences of the reasons (preview, command line, e-mail log), ``tools/dunning_presenter.py``; the
values passed between them and returned (``RunResult``), ``tools/dunning_values.py``.
"""

import logging

import psycopg2.errors

from odoo import _, api, fields, models
from odoo.tools import split_every

from cobranca_core import dunning, mail_purposes, recipients

from ..tools.dunning_composer import DunningComposer
from ..tools.dunning_presenter import DunningPresenter
from ..tools.dunning_reader import DunningReader
from ..tools.dunning_values import Outcome, RunContext, RunResult

_logger = logging.getLogger(__name__)

BATCH_SIZE = 200
CLAIM_ATTEMPTS = 5
# Another run committed a customer of this batch after it started: retry it, with a fresh snapshot.
RETRY_ERRORS = (psycopg2.errors.SerializationFailure, psycopg2.errors.DeadlockDetected)


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
        :return: :class:`~odoo.addons.cobranca_email.tools.dunning_values.RunResult`
        """
        today = today or self._today(company)
        if commit is None:
            commit = not dry_run and self.env["account.move.send"]._can_commit()
        result = RunResult(company.id, today, dry_run)
        if not company.cobranca_dunning_enabled and not dry_run:
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
    def _candidate_partner_ids(self, company, partner_ids=None, today=None, pending_only=False, limit=None):
        """The customers a run of ``company`` goes through, by id; ``pending_only``: those no run
        planned yet on ``today`` (``DunningReader.candidate_partner_ids``)."""
        return DunningReader(self.env).candidate_partner_ids(company, partner_ids, today, pending_only, limit)

    @api.model
    def _context_for(self, company, today, dry_run=False, with_pdf=True):
        """What every batch of a run of ``company`` on ``today`` shares: the company's settings, the
        groups' dunning settings and the company's default receivable account, read once a run."""
        policy, reader = company._cobranca_dunning_policy(today), DunningReader(self.env)
        return RunContext(
            company,
            policy,
            today,
            dry_run,
            with_pdf,
            reader.group_policies(),
            reader.default_receivable_id(company),
        )

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
        customers = self.env["res.partner"].browse(partner_ids)
        reason = DunningPresenter(self.env).batch_failed(customers, error)
        if not ctx.dry_run:
            try:
                with self.env.cr.savepoint():
                    if len(customers) == 1:
                        # Seen in the e-mail log (and so on the customer's form), not only in the run's result.
                        self.env["cobranca.email.log"]._log_failure(
                            purpose=mail_purposes.DUNNING, company=ctx.company, partner=customers, reason=reason
                        )
                    self.env["cobranca.dunning.state"]._mark_planned(ctx.company, partner_ids, ctx.today)
            except RETRY_ERRORS as conflict:  # another run planned them meanwhile: theirs stands
                self.env.invalidate_all()
                return self._left_to_another_run(ctx, partner_ids, conflict, result)
        result.errors.append(reason)
        return []

    def _run_batch(self, ctx, partner_ids):
        """Plan the customers of one batch, then (unless a dry run) send their notices and store their
        states: the outcomes, one a customer this run holds."""
        reader, State = DunningReader(self.env), self.env["cobranca.dunning.state"]
        if ctx.dry_run:
            states = reader.states(ctx.company, partner_ids)
        else:
            states = self._claim(ctx.company, partner_ids)
            partner_ids = [partner_id for partner_id in partner_ids if partner_id in states]
        states, restamped = State._count_deliveries(ctx.company, states, ctx.today, write=not ctx.dry_run)
        installments = self._installments_to_plan(ctx, reader.installments(ctx.company, partner_ids, restamped))
        partners = reader.partners(partner_ids, ctx.company, ctx.default_receivable_id)
        contacts = reader.contacts(partner_ids)
        policies = reader.policies(ctx.policy, partners, ctx.group_policies)
        plan = dunning.plan_notices(ctx.today, ctx.policy, installments, states, policies)
        outcomes = [Outcome(partner_id, entry) for partner_id, entry in plan.entries.items()]
        contact_filter = ctx.policy.contact_filter
        for outcome in outcomes:
            if outcome.planned:
                row = partners[outcome.partner_id]
                customer = recipients.Contact(outcome.partner_id, row["email"], frozenset(row["category_ids"]))
                chosen = recipients.notice_recipients(customer, contacts.get(outcome.partner_id, ()), contact_filter)
                outcome.recipients = list(chosen.addresses)
                outcome.recipient_partner_ids = list(chosen.contact_ids)
                outcome.no_recipient = None if chosen else dunning.no_email_reason(contact_filter)
        if ctx.dry_run:
            return outcomes
        DunningComposer(self.env, ctx).send([outcome for outcome in outcomes if outcome.planned])
        not_sent = {outcome.partner_id for outcome in outcomes if outcome.planned and not outcome.notice_id}
        State._store(ctx.company, dunning.apply(plan, states, not_sent=not_sent), ctx.today, partner_ids)
        return outcomes

    @api.model
    def _claim(self, company, partner_ids):
        """Lock the dunning state rows of ``partner_ids`` for this transaction, creating those of new
        customers first: ``{partner id: dunning.PartnerState}`` of the customers claimed, without the
        ones another run holds (it notifies them)."""
        self.env["cobranca.dunning.state"]._insert_missing(company, partner_ids)
        return DunningReader(self.env).states(company, partner_ids, lock=True)

    # Read by the customer's form: its effective dunning settings, as the run reads them

    @api.model
    def _effective_policies(self, company, partners):
        """``{partner id: EffectivePolicy}`` of ``partners`` in ``company`` (``DunningReader.effective_policies``)."""
        return DunningReader(self.env).effective_policies(company, partners)

    @api.model
    def _installments_to_plan(self, ctx, installments):
        """Hook: the open installments (``dunning.Installment``) a run plans with. Other addons hold
        some back for now (``cobranca_cnab``: those whose boleto the bank has not registered yet)."""
        return installments
