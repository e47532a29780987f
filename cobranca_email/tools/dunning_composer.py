"""The dunning run's composer: a batch's planned notices turned into notices and queued e-mails.

For each planned notice it creates the ``cobranca.dunning.notice`` with its debts as they stand
today (fine and interest to date: ``cobranca_core.charges.late_charges``), renders the company's
template and the PDFs (``cobranca.dunning.notice._render_documents``) and queues the e-mail in the
notice's chatter through ``mail.mail._cobranca_queue_billing_mails_safely``, from the mail server of
its purpose (``cobranca_core.dunning.Notice.purpose``). Nothing is sent here and nothing committed:
the run (``cobranca.dunning``) stores the new states in the same transaction. A notice that cannot be
composed (nobody to send it to, a template or a PDF that fails for this customer) is logged as
failed in the e-mail log, in the words of :mod:`.dunning_presenter`, and does not stop the others.
"""

import logging
from decimal import Decimal

from cobranca_core.charges import late_charges

from .dunning_presenter import DunningPresenter

_logger = logging.getLogger(__name__)


class DunningComposer:
    """Composes the notices of one batch of a run (``ctx``: its :class:`~.dunning_values.RunContext`)."""

    def __init__(self, env, ctx):
        self.env = env
        self.ctx = ctx

    def send(self, outcomes):
        """Create and queue the notices of the planned ``outcomes``; set ``notice_id`` on those queued
        and ``failure`` on the others."""
        ctx, Log = self.ctx, self.env["cobranca.email.log"]
        sendable = [outcome for outcome in outcomes if outcome.sendable]
        for outcome in outcomes:
            if not outcome.sendable:
                outcome.failure = DunningPresenter(self.env).reason(outcome)
                partner = self.env["res.partner"].browse(outcome.partner_id)
                lines = self.env["account.move.line"].browse([item.id for item in outcome.installments])
                Log._log_failure(
                    purpose=outcome.entry.purpose,
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
            .create([self.notice_values(outcome, lines_by_id) for outcome in sendable])
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
                mail_values = self._mail_values(
                    outcome, notice, subjects[notice.id], bodies[notice.id], documents, senders[notice.purpose]
                )
            except Exception as error:  # one bad notice never stops the batch
                self._failed(outcome, notice, error)
                continue
            prepared.append((outcome, notice, mail_values))
        self._queue(prepared)
        sent_ids = {outcome.notice_id for outcome in sendable}
        # The notices just created for customers whose e-mail failed: their record would claim a notice.
        notices.filtered(lambda notice: notice.id not in sent_ids).sudo().unlink()

    def notice_values(self, outcome, lines_by_id):
        """The values of the ``cobranca.dunning.notice`` of a planned outcome, its debts as they stand
        on the run's day; ``lines_by_id``: the listed installments (account.move.line) by id."""
        ctx, entry = self.ctx, outcome.entry
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
            "purpose": entry.purpose,
            "overdue_count": len(entry.overdue),
            "upcoming_count": len(entry.upcoming),
            "amount_residual": float(residual),
            "amount_due": float(due),
            "next_notice_date": entry.next_notice_date,
            "line_ids": line_values,
        }

    def _failed(self, outcome, notice, error):
        _logger.warning("Dunning notice to partner %s not sent: %s", outcome.partner_id, error, exc_info=error)
        outcome.failure = DunningPresenter(self.env).composing_failed(error)
        self.env["cobranca.email.log"]._log_failure(
            purpose=notice.purpose,
            company=self.ctx.company,
            partner=notice.partner_id,
            moves=notice.line_ids.move_id,
            move_lines=notice.line_ids.move_line_id,
            reason=outcome.failure,
        )

    def _mail_values(self, outcome, notice, subject, body, documents, sender):
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
            "company": self.ctx.company,
            "partner": notice.partner_id,
            "moves": notice.line_ids.move_id,
            "move_lines": notice.line_ids.move_line_id,
        }

    def _queue(self, prepared):
        """Queue the notices' e-mails; a notice whose e-mail cannot be queued is logged as failed alone."""
        results = self.env["mail.mail"]._cobranca_queue_billing_mails_safely([values for *_item, values in prepared])
        for (outcome, notice, _values), result in zip(prepared, results, strict=True):
            if isinstance(result, Exception):
                self._failed(outcome, notice, result)
                continue
            notice.sudo().write(
                {
                    "mail_message_id": result.mail_message_id.id,
                    "attachment_ids": [(6, 0, result.attachment_ids.ids)],
                    "recipients": ", ".join(outcome.recipients),
                }
            )
            outcome.notice_id = notice.id
