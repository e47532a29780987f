import logging
from datetime import timedelta
from decimal import Decimal

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_repr

from cobranca_core.boleto import InvalidBoleto, issue
from cobranca_core.recipients import Contact, select_recipients

from ..tools.access_checks import BILLING_MANAGER, BILLING_USER, INVOICING, check_groups
from ..tools.boleto_mail_composer import BoletoMailComposer
from ..tools.computed_search import ids_with_value
from .res_company import DELIVERY_TYPES

_logger = logging.getLogger(__name__)
# Invoices per run of the scheduled action: their boleto pages printed together, one commit.
BOLETO_BATCH_SIZE = 100


class AccountMove(models.Model):
    _inherit = "account.move"

    cobranca_wallet_id = fields.Many2one(
        comodel_name="cobranca.wallet",
        string="Billing Wallet",
        compute="_compute_cobranca_wallet_id",
        store=True,
        readonly=False,
        precompute=True,
        check_company=True,
        copy=False,
        tracking=True,
        domain="[('company_id', '=', company_id)]",
        help="Each installment of this invoice gets a boleto of this wallet when the invoice is posted. "
        "Defaults to the customer's wallet, then the company's.",
    )
    cobranca_boleto_ids = fields.One2many(
        comodel_name="cobranca.boleto",
        inverse_name="move_id",
        string="Boletos",
        copy=False,
    )
    cobranca_boleto_count = fields.Integer(string="Boleto Count", compute="_compute_cobranca_boleto_count")
    cobranca_debt_state_ids = fields.Many2many(
        comodel_name="cobranca.debt.state",
        relation="account_move_cobranca_debt_state_rel",
        column1="move_id",
        column2="state_id",
        string="Debt Situation",
        copy=False,
        help="Where the collection of this invoice stands (e.g. in negotiation, protested). The dunning "
        "settings can list or leave out the debts of chosen situations.",
    )
    cobranca_delivery_type = fields.Selection(
        selection=DELIVERY_TYPES,
        string="Boleto Delivery",
        compute="_compute_cobranca_delivery_type",
        store=True,
        readonly=False,
        precompute=True,
        copy=False,
        help="Taken from the customer (or the company default) when the invoice is created: changing the "
        "customer's choice later does not change invoices already created.",
    )
    cobranca_mail_state = fields.Selection(
        selection=[("pending", "To send"), ("done", "Sent"), ("failed", "Failed")],
        string="Boleto E-mail",
        copy=False,
        readonly=True,
        index="btree_not_null",
        help="To send: the boleto e-mail leaves with the next run of “Send generated boletos”. Sent: handed to "
        "the outgoing mail queue (the e-mail log shows its delivery). Failed: see the reason.",
    )
    cobranca_mail_error = fields.Char(string="Boleto E-mail Failure", copy=False, readonly=True)
    cobranca_mail_user_id = fields.Many2one(
        comodel_name="res.users",
        string="Boleto E-mail Requested By",
        copy=False,
        readonly=True,
        help="Who posted the invoice, or pressed Send Boletos by E-mail: the e-mail log and the chatter name "
        "this user, also when the scheduled action composes the e-mail later.",
    )
    # What became of the boleto e-mail once queued, from the e-mail log (which the mail queue writes:
    # it never writes invoices, so it never waits for their locks).
    cobranca_mail_delivery = fields.Selection(
        selection=[
            ("queued", "In the mail queue"),
            ("deferred", "Deferred by sending limits"),
            ("retry", "Waiting to retry"),
            ("sent", "Delivered"),
            ("failed", "Not delivered"),
        ],
        string="Boleto E-mail Delivery",
        compute="_compute_cobranca_mail_delivery",
        search="_search_cobranca_mail_delivery",
        help="Not delivered: the mail server refused the last boleto e-mail for good (or it was cancelled): "
        "correct the address and send the boletos again.",
    )
    cobranca_mail_delivery_error = fields.Text(string="Why Not Delivered", compute="_compute_cobranca_mail_delivery")

    def _cobranca_last_boleto_logs(self, move_ids=None):
        """``{invoice id: (state, failure reason)}`` of the last boleto e-mail queued for each invoice
        (``move_ids``; default: these invoices), from the e-mail log."""
        self.env["cobranca.email.log"].flush_model()
        query = """SELECT DISTINCT ON (rel.move_id) rel.move_id, log.state, log.failure_reason
                     FROM cobranca_email_log_account_move_rel rel
                     JOIN cobranca_email_log log ON log.id = rel.log_id
                    WHERE log.purpose = 'boleto' AND log.mail_message_id IS NOT NULL"""
        params = []
        if move_ids is not False:
            query += " AND rel.move_id = ANY(%s)"
            params.append(list(move_ids if move_ids is not None else self.ids))
        self.env.cr.execute(query + " ORDER BY rel.move_id, log.date DESC, log.id DESC", params)
        return {move_id: (state, reason) for move_id, state, reason in self.env.cr.fetchall()}

    @api.depends("cobranca_mail_state")
    def _compute_cobranca_mail_delivery(self):
        logs = self._cobranca_last_boleto_logs([move_id for move_id in self.ids if move_id])
        for move in self:
            state, reason = logs.get(move.id, (False, False))
            move.cobranca_mail_delivery = state
            move.cobranca_mail_delivery_error = reason if state == "failed" else False

    def _search_cobranca_mail_delivery(self, operator, value):
        states = {move_id: state for move_id, (state, _reason) in self._cobranca_last_boleto_logs(False).items()}
        return ids_with_value(operator, value, states)

    @api.depends("partner_id", "company_id", "move_type")
    def _compute_cobranca_wallet_id(self):
        for move in self:
            if move.state != "draft" and move.cobranca_wallet_id:
                continue
            if move.move_type != "out_invoice":
                move.cobranca_wallet_id = False
                continue
            partner = move.partner_id.commercial_partner_id.with_company(move.company_id)
            move.cobranca_wallet_id = partner.cobranca_wallet_id or move.company_id.cobranca_wallet_id

    @api.depends("partner_id", "company_id")
    def _compute_cobranca_delivery_type(self):
        for move in self:
            if move.state != "draft" and move.cobranca_delivery_type:
                continue
            move.cobranca_delivery_type = move.partner_id._cobranca_delivery_type_in(move.company_id)

    @api.depends("cobranca_boleto_ids.state")
    def _compute_cobranca_boleto_count(self):
        for move in self:
            move.cobranca_boleto_count = len(move._cobranca_active_boletos())

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        posted._cobranca_issue_boletos()
        posted._cobranca_queue_boleto_emails()
        return posted

    def button_draft(self):
        # Boletos are cancelled as superuser: only someone who may change these invoices gets there.
        self.check_access("write")
        self.cobranca_boleto_ids._cancel(_("Invoice reset to draft"))
        self._cobranca_drop_pending_email()
        return super().button_draft()

    def button_cancel(self):
        self.check_access("write")
        self.cobranca_boleto_ids._cancel(_("Invoice cancelled"))
        self._cobranca_drop_pending_email()
        return super().button_cancel()

    def _cobranca_drop_pending_email(self):
        """Boletos that were cancelled are not e-mailed: an e-mail still to send is no longer to send."""
        self.filtered(lambda move: move.cobranca_mail_state == "pending")._cobranca_set_mail_state(False)

    def action_cobranca_reissue_boletos(self):
        """Cancel the boletos of posted invoices and issue new ones, with new nosso números."""
        check_groups(self.env, [BILLING_MANAGER], _("Only billing e-mail managers can re-issue boletos."))
        self.check_access("write")
        for move in self:
            if move.state != "posted":
                raise UserError(
                    _("Invoice %(invoice)s is not posted: it has no boletos to re-issue.", invoice=move.name)
                )
        self.cobranca_boleto_ids._cancel(_("Re-issued"))
        self._cobranca_issue_boletos()

    def action_cobranca_send_boletos_email(self):
        """Send boletos by e-mail, by hand, whatever the customer's delivery choice: a few invoices at
        once, more by the scheduled action (``BoletoMailComposer.send_by_hand``)."""
        check_groups(self.env, [BILLING_USER], _("Only billing e-mail users can send boletos by e-mail."))
        self.check_access("write")
        moves = self.filtered(lambda move: move.state == "posted" and move._cobranca_active_boletos())
        if not moves:
            raise UserError(_("The selected invoices have no boleto to send."))
        return BoletoMailComposer(moves).send_by_hand()

    def action_cobranca_print_boletos(self):
        check_groups(self.env, [INVOICING], _("Only invoicing users can print boletos from invoices."))
        self.check_access("read")
        moves = self.filtered("cobranca_boleto_count")
        if not moves:
            raise UserError(_("The selected invoices have no boleto."))
        # config=False: the boleto does not use the company's document layout, no need to configure it first.
        return self.env.ref("cobranca_email.report_cobranca_boleto").report_action(moves, config=False)

    def _cobranca_active_boletos(self):
        return self.cobranca_boleto_ids.filtered(lambda boleto: boleto.state == "active")

    def _cobranca_boleto_filename(self):
        self.ensure_one()
        return _("Boletos - %s.pdf", (self.name or "").replace("/", "_"))

    def _cobranca_render_boletos(self):
        """The PDF of the active boletos of these invoices, in one report call."""
        pdf, _report_type = self.env["ir.actions.report"]._render_qweb_pdf(
            "cobranca_email.report_cobranca_boleto", self.ids
        )
        return pdf

    def _cobranca_render_boletos_by_move(self):
        """{invoice: PDF of its boletos} for many invoices.

        Each boleto's page is printed once and stored on it (cobranca.boleto._cobranca_page_pdfs):
        the pages missing for all these invoices are printed together, then each invoice's PDF is
        its pages put together.
        """
        moves = self.filtered(lambda move: move._cobranca_active_boletos())
        pages = moves._cobranca_active_boletos()._cobranca_page_pdfs(raise_on_error=True)
        return {move: move._cobranca_active_boletos()._cobranca_pages_pdf(pages) for move in moves}

    def _cobranca_report_pdfs(self):
        """The boleto report (ir.actions.report): {invoice id: PDF of its active boletos}."""
        return {move.id: pdf for move, pdf in self._cobranca_render_boletos_by_move().items()}

    def _cobranca_boleto_lang(self):
        """Boletos are a Brazilian bank document: printed in Portuguese whenever it is loaded."""
        self.ensure_one()
        if self.env["res.lang"]._lang_get("pt_BR"):
            return "pt_BR"
        return self.partner_id.lang or self.env.lang

    def _cobranca_boleto_lines(self):
        """The receivable installments that take a boleto, in due-date order."""
        self.ensure_one()
        return self.line_ids.filtered(lambda line: line.display_type == "payment_term" and line.balance > 0).sorted(
            lambda line: (line.date_maturity or line.date, line.id)
        )

    def _cobranca_issue_boletos(self):
        """Issue one boleto per receivable installment of posted customer invoices that have a wallet.

        Invoices that already have active boletos are left alone: a boleto is issued once. When an
        invoice had boletos before (reset to draft, or re-issued), the chatter says which nosso
        números replaced which.
        """
        brl = self.env.ref("base.BRL")
        to_create = []
        for move in self:
            wallet = move.cobranca_wallet_id
            if (
                move.state != "posted"
                or move.move_type != "out_invoice"
                or not wallet
                or move._cobranca_active_boletos()
            ):
                continue
            if move.currency_id != brl:
                move.message_post(
                    body=_(
                        "No boleto issued: boletos are in reais (BRL) and this invoice is in %s.",
                        move.currency_id.name,
                    )
                )
                continue
            wallet._cobranca_check_can_issue(move)
            lines = move._cobranca_boleto_lines()
            for position, line in enumerate(lines, start=1):
                to_create.append(move._cobranca_boleto_values(wallet, line, position, len(lines)))
        if not to_create:
            return self.env["cobranca.boleto"]
        # Issued as superuser: boletos are read-only to every user (see cobranca.boleto.write).
        boletos = self.env["cobranca.boleto"].sudo().create(to_create).sudo(False)
        boletos._draw_images()
        for move in boletos.move_id:
            previous = move.cobranca_boleto_ids.filtered(lambda b: b.state == "cancelled")
            if previous:
                move._cobranca_post_reissue_note(previous, boletos.filtered(lambda b, m=move: b.move_id == m))
        return boletos

    def _cobranca_boleto_values(self, wallet, line, position, count):
        amount = abs(line.amount_currency)
        sequence = wallet._take_sequence()
        # The day the boleto is generated: printed as its processing date, and the year of the nosso
        # número where the bank's layout carries one (Sicredi).
        issue_date = fields.Date.context_today(self)
        try:
            boleto, nosso = issue(
                wallet.bank_code,
                wallet._cobranca_wallet(),
                sequence,
                line.date_maturity,
                Decimal(float_repr(amount, self.currency_id.decimal_places)),
                issue_date=issue_date,
                installment=position,
            )
        except InvalidBoleto as error:
            raise UserError(
                _(
                    "Invoice %(invoice)s, installment %(position)s: no boleto can be issued (%(reason)s).",
                    invoice=self.name,
                    position=position,
                    reason=str(error),
                )
            ) from None
        return {
            "move_id": self.id,
            "move_line_id": line.id,
            "wallet_id": wallet.id,
            "partner_id": self.commercial_partner_id.id,
            "installment": position,
            "installment_count": count,
            "sequence": sequence,
            "nosso_numero": nosso.number,
            "nosso_numero_dv": nosso.check_digit,
            "nosso_numero_formatted": nosso.formatted,
            "barcode": boleto.barcode,
            "digitable_line": boleto.digitable_line,
            "amount": amount,
            "due_date": line.date_maturity,
            "issue_date": issue_date,
        }

    def _cobranca_post_reissue_note(self, previous, new):
        """Tell in the chatter which nosso número replaced which, installment by installment."""
        latest = {}
        for old in previous.sorted("id"):
            latest[old.installment] = old
        rows = Markup("").join(
            Markup("<li>%s → %s</li>")
            % (
                latest[fresh.installment].nosso_numero_formatted if fresh.installment in latest else "-",
                fresh.nosso_numero_formatted,
            )
            for fresh in new.sorted("installment")
        )
        self.message_post(body=Markup("%s<ul>%s</ul>") % (_("Boletos re-issued with new nosso números:"), rows))

    # Boleto e-mail: queued at posting, composed by the scheduled action, sent by the mail queue.

    def _cobranca_queue_boleto_emails(self):
        """Mark freshly posted invoices whose boletos go out by e-mail; the scheduled action sends them.

        Nothing is sent inside the posting transaction: a slow or failing mail server must never block
        or roll back the posting of invoices.
        """
        to_send = self.filtered(
            lambda move: (
                move.cobranca_delivery_type == "email"
                and move.cobranca_wallet_id.email_on_post
                and not move.cobranca_mail_state
                and move._cobranca_active_boletos()
            )
        )
        if to_send:
            to_send._cobranca_set_mail_state("pending")
            self.env.ref("cobranca_email.ir_cron_send_boleto_emails")._trigger()

    @api.model
    def _cron_send_boleto_emails(self, batch_size=BOLETO_BATCH_SIZE):
        """Scheduled action "Send generated boletos": one batch a call, progress reported to the cron.

        Exactly once: the batch is claimed with row locks that other workers skip, and the e-mails
        (queued ``mail.mail``) are created in the same transaction that marks the invoices as sent. A
        crash loses the whole batch's work, so a rerun redoes it; a committed batch is never redone.
        """
        moves = self._cobranca_claim_pending_boleto_emails(batch_size)
        if not moves:
            # Invoices still to send that another transaction holds (the other worker, or a user
            # posting): the scheduler counts a call without progress as the end, so ask for another
            # call soon rather than at the next interval.
            if self.search_count([("cobranca_mail_state", "=", "pending")]):
                cron = self.env.ref("cobranca_email.ir_cron_send_boleto_emails", raise_if_not_found=False)
                if cron:
                    cron.sudo()._trigger(fields.Datetime.now() + timedelta(seconds=30))
            self.env["ir.cron"]._notify_progress(done=0, remaining=0)
            return
        # Each claimed invoice leaves this batch sent, failed with its reason, or no longer to send:
        # an invoice left pending would be claimed again by every run, before the ones behind it.
        stale = moves.filtered(lambda move: not move._cobranca_boleto_email_due())
        stale._cobranca_set_mail_state(False)
        (moves - stale)._cobranca_send_boleto_emails_isolated()
        remaining = self.search_count([("cobranca_mail_state", "=", "pending")])
        self.env["ir.cron"]._notify_progress(done=len(moves), remaining=remaining)

    @api.model
    def _cobranca_claim_pending_boleto_emails(self, limit):
        self.env.flush_all()
        self.env.cr.execute(
            """SELECT id FROM account_move
                WHERE cobranca_mail_state = 'pending'
                ORDER BY id
                LIMIT %s
                  -- NO KEY: rows that others only reference meanwhile (a dunning run linking its
                  -- notice lines and e-mail log to these invoices) are not skipped.
                  FOR NO KEY UPDATE SKIP LOCKED""",
            [limit],
        )
        return self.browse([row[0] for row in self.env.cr.fetchall()])

    def _cobranca_boleto_email_due(self):
        """Whether this invoice's boleto e-mail is still to be sent: posted, with active boletos, and
        not paid meanwhile."""
        self.ensure_one()
        return (
            self.state == "posted"
            and self.payment_state not in ("paid", "in_payment", "reversed")
            and bool(self._cobranca_active_boletos())
        )

    def _cobranca_batch_or_each(self, work, failed):
        """``work(self)`` in a savepoint, for the whole batch; when it raises, ``work(move)`` for each
        invoice alone, and ``failed(move, error)`` for the ones that raise again: one invoice's fault
        stays that invoice's. ``work`` and ``failed`` return dicts (or None), merged into the result.
        """
        try:
            with self.env.cr.savepoint():
                return work(self) or {}
        except Exception:
            self.env.invalidate_all()
            _logger.info("A batch of %s invoices failed together, doing them one by one", len(self))
        results = {}
        for move in self:
            try:
                with self.env.cr.savepoint():
                    results.update(work(move) or {})
            except Exception as error:
                self.env.invalidate_all()
                _logger.warning("Invoice %s failed alone", move.name, exc_info=True)
                results.update(failed(move, error) or {})
        return results

    def _cobranca_send_boleto_emails_isolated(self):
        """Queue the boleto e-mail of each invoice (tools/boleto_mail_composer.py), where an unforeseen
        error fails one invoice, not the batch."""
        BoletoMailComposer(self).send_isolated()

    def _cobranca_set_mail_state(self, state, error=False):
        """Set the boleto e-mail state in SQL: account.move.write re-synchronizes an invoice's lines and
        checks its posted state, which a technical state of thousands of invoices must not pay for.
        Marking it to send records the current user as the one who asked for it."""
        if not self:
            return
        self.flush_recordset(["cobranca_mail_state", "cobranca_mail_error", "cobranca_mail_user_id"])
        self.env.cr.execute(
            """UPDATE account_move
                  SET cobranca_mail_state = %s, cobranca_mail_error = %s,
                      cobranca_mail_user_id = CASE WHEN %s THEN %s ELSE cobranca_mail_user_id END
                WHERE id IN %s""",
            [state or None, error or None, state == "pending", self.env.uid, tuple(self.ids)],
        )
        self.invalidate_recordset(["cobranca_mail_state", "cobranca_mail_error", "cobranca_mail_user_id"])

    def _cobranca_boleto_email_failed(self, reason):
        self.ensure_one()
        self._cobranca_set_mail_state("failed", reason)
        self.env["cobranca.email.log"]._log_failure(
            purpose="boleto",
            company=self.company_id,
            partner=self.commercial_partner_id,
            moves=self,
            move_lines=self._cobranca_active_boletos().move_line_id,
            user=self.cobranca_mail_user_id,
            reason=reason,
        )

    def _cobranca_boleto_recipients(self):
        """The partners who receive the boletos, by ``cobranca_core.recipients.select_recipients``: the
        customer's invoice contacts (all of them: the contact groups are a setting of the dunning
        notices), else the invoice's partner, else the customer; the addresses read as the dunning
        notice reads them (several in one field, names in angle brackets). Empty when nobody has a
        valid address."""
        self.ensure_one()
        customer = self.commercial_partner_id
        # The customer's invoice contacts as the dunning run reads them: active, at any depth.
        contacts = self.env["res.partner"].search(
            [("commercial_partner_id", "=", customer.id), ("type", "=", "invoice"), ("id", "!=", customer.id)],
            order="id",
        )
        chosen = select_recipients(
            [Contact(contact.id, contact.email, is_invoice_contact=True) for contact in contacts],
            [Contact(partner.id, partner.email) for partner in (self.partner_id, customer)],
        )
        return self.env["res.partner"].browse(chosen.contact_ids)
