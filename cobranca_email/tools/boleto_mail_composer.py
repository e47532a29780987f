"""The boleto e-mails of a batch of invoices: their PDFs, their messages, their queued mails.

``account.move._cron_send_boleto_emails`` (the scheduled action) and the Send Boletos by E-mail
button hand a claimed batch of invoices to :class:`BoletoMailComposer`, which prints the boletos of
the whole batch at once (each boleto's stored page, printed when missing: see
``cobranca.boleto._cobranca_page_pdfs``), writes each e-mail from its company's template, and
queues them all in one go (``mail.mail._cobranca_queue_billing_mails_safely``: attachments,
messages in the invoices' chatter, mails, e-mail log). Nothing is sent and nothing committed here:
the caller's transaction marks the invoices sent with their mails.

An invoice that cannot be sent (no valid address, a template or a PDF failing for it, an unforeseen
error) is marked failed with its reason and logged (``account.move._cobranca_boleto_email_failed``);
the others go on.
"""

import logging

import psycopg2.errors

from odoo.exceptions import UserError
from odoo.tools import mute_logger

from .compiled_once import compiled_once

_logger = logging.getLogger(__name__)
# Invoices composed at once when a user sends boletos by hand; more go to the scheduled action.
MANUAL_SEND_NOW_LIMIT = 20


class BoletoMailComposer:
    """Queues the boleto e-mail of each invoice of ``moves`` (``account.move`` records)."""

    def __init__(self, moves):
        self.moves = moves
        self.env = moves.env

    def send_by_hand(self):
        """Send Boletos by E-mail: compose a few invoices right away (the chatter shows the e-mail at
        once), leave larger selections to the scheduled action, as posted invoices are; returns the
        notification that says so."""
        _ = self.env._
        moves = self.moves
        # The scheduled action may be composing some of them right now: never twice at once.
        try:
            with mute_logger("odoo.sql_db"), self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    "SELECT id FROM account_move WHERE id IN %s FOR NO KEY UPDATE NOWAIT", [tuple(moves.ids)]
                )
        except psycopg2.errors.LockNotAvailable:
            raise UserError(
                _("These boletos are being e-mailed right now by the scheduled action. Try again in a minute.")
            ) from None
        moves._cobranca_set_mail_state("pending")
        if len(moves) <= MANUAL_SEND_NOW_LIMIT:
            self.send_isolated()
            failed = moves.filtered(lambda move: move.cobranca_mail_state == "failed")
            if failed:
                message = _(
                    "%(sent)s boleto e-mail(s) queued; %(failed)s failed: %(reasons)s",
                    sent=len(moves - failed),
                    failed=len(failed),
                    reasons="; ".join(f"{move.name}: {move.cobranca_mail_error}" for move in failed),
                )
                kind = "warning"
            else:
                message = _("%s boleto e-mail(s) queued for sending.", len(moves))
                kind = "success"
        else:
            self.env.ref("cobranca_email.ir_cron_send_boleto_emails")._trigger()
            message = _("%s invoices will have their boletos e-mailed within minutes.", len(moves))
            kind = "info"
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {"message": message, "type": kind, "sticky": kind == "warning"},
        }

    def send_isolated(self):
        """:meth:`send`, where an unforeseen error fails one invoice, not the batch."""

        def failed(move, error):
            move._cobranca_boleto_email_failed(
                self.env._(
                    "The boleto e-mail of invoice %(invoice)s could not be composed: %(error)s",
                    invoice=move.name,
                    error=error,
                )
            )

        self.moves._cobranca_batch_or_each(lambda moves: BoletoMailComposer(moves).send(), failed)

    def send(self):
        """Queue the boleto e-mail of each invoice: boletos attached, chatter, e-mail log."""
        pdfs = self._pdfs()
        moves = self.moves.filtered(lambda move: move in pdfs)
        self._ensure_access_tokens(moves)
        rendered, senders = self._messages(moves)
        values, ready = [], moves.browse()
        for move in moves:
            # A reason (str) instead of the rendered message or of the company's sending values.
            prepared = (rendered[move.id], senders[move.company_id])
            failure = next((item for item in prepared if isinstance(item, str)), None)
            if failure:
                move._cobranca_boleto_email_failed(failure)
                continue
            recipients = move._cobranca_boleto_recipients()
            if not recipients:
                move._cobranca_boleto_email_failed(
                    self.env._(
                        "Customer %(customer)s has no valid e-mail address (neither an invoice contact nor its own).",
                        customer=move.commercial_partner_id.display_name,
                    )
                )
                continue
            subject, body = rendered[move.id]
            values.append(
                {
                    "record": move,
                    "partners": recipients,
                    "subject": subject,
                    "body": body,
                    "attachments": [(move._cobranca_boleto_filename(), pdfs[move])],
                    "purpose": "boleto",
                    **senders[move.company_id],
                    # The log's company: the scheduled action runs in another company than the invoice's.
                    "company": move.company_id,
                    "partner": move.commercial_partner_id,
                    "moves": move,
                    "move_lines": move._cobranca_active_boletos().move_line_id,
                    "user": move.cobranca_mail_user_id,
                }
            )
            ready |= move
        self._queue(ready, values)

    def _pdfs(self):
        """{invoice: boleto PDF}; invoices whose boletos cannot be printed are marked failed instead."""

        def failed(move, error):
            move._cobranca_boleto_email_failed(self.env._("The boleto PDF could not be generated: %s", error))

        return self.moves._cobranca_batch_or_each(lambda moves: moves._cobranca_render_boletos_by_move(), failed)

    def _queue(self, moves, values):
        """Queue the prepared e-mails; an invoice whose e-mail cannot be queued is marked failed alone."""
        results = self.env["mail.mail"]._cobranca_queue_billing_mails_safely(values)
        failed = moves.browse()
        for move, result in zip(moves, results, strict=True):
            if isinstance(result, Exception):
                _logger.warning("Boleto e-mail of %s failed: %s", move.name, result)
                move._cobranca_boleto_email_failed(str(result))
                failed |= move
        (moves - failed)._cobranca_set_mail_state("done")

    def _messages(self, moves):
        """{invoice id: (subject, body)} from each company's template, and {company: sending values}.

        Where a company's server cannot send for it, its sending values are the reason instead; where
        the template fails for an invoice, that invoice's entry is the reason instead.
        """
        senders, by_template = {}, {}
        for move in moves:
            company = move.company_id
            template = company.cobranca_boleto_mail_template_id or self.env.ref(
                "cobranca_email.mail_template_cobranca_boleto"
            )
            by_template.setdefault(template, moves.browse())
            by_template[template] |= move
            if company not in senders:
                try:
                    senders[company] = self.env["ir.mail_server"]._cobranca_sender(
                        "boleto", company, company.cobranca_boleto_mail_server_id
                    )
                except UserError as error:
                    senders[company] = str(error)
        rendered = {}
        for template, template_moves in by_template.items():
            rendered.update(self._render_template(template, template_moves))
        return rendered, senders

    def _render_template(self, template, moves):
        """{invoice id: (subject, body)} of ``template``, rendered for the whole batch at once; when
        that fails, invoice by invoice, the ones that fail getting the reason instead."""

        def render(records):
            with compiled_once():
                subjects = template._render_field("subject", records.ids, compute_lang=True)
                bodies = template._render_field("body_html", records.ids, compute_lang=True)
            return {move_id: (subjects[move_id], bodies[move_id]) for move_id in records.ids}

        def failed(move, error):
            reason = self.env._(
                "E-mail template %(template)s could not be written for invoice %(invoice)s: %(error)s",
                template=template.name,
                invoice=move.name,
                error=error,
            )
            return {move.id: reason}

        return moves._cobranca_batch_or_each(render, failed)

    def _ensure_access_tokens(self, moves):
        """Give the batch's invoices their portal access token in one statement.

        The e-mail's "View invoice" button needs one; Odoo creates it while notifying, one
        account.move.write per invoice, the slowest step of a large billing run.
        """
        missing = moves.filtered(lambda move: not move.access_token)
        if missing:
            self.env.cr.execute(
                """UPDATE account_move SET access_token = gen_random_uuid()::text
                    WHERE id IN %s AND access_token IS NULL""",
                [tuple(missing.ids)],
            )
            missing.invalidate_recordset(["access_token"])
