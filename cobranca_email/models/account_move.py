from decimal import Decimal

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_repr

from cobranca_core.boleto import InvalidBoleto, issue


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

    @api.depends("cobranca_boleto_ids.state")
    def _compute_cobranca_boleto_count(self):
        for move in self:
            move.cobranca_boleto_count = len(move._cobranca_active_boletos())

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        posted._cobranca_issue_boletos()
        return posted

    def button_draft(self):
        self.cobranca_boleto_ids._cancel(_("Invoice reset to draft"))
        return super().button_draft()

    def button_cancel(self):
        self.cobranca_boleto_ids._cancel(_("Invoice cancelled"))
        return super().button_cancel()

    def action_cobranca_reissue_boletos(self):
        """Cancel the boletos of posted invoices and issue new ones, with new nosso números."""
        if not self.env.user.has_group("cobranca_email.group_cobranca_manager"):
            raise UserError(_("Only billing e-mail managers can re-issue boletos."))
        for move in self:
            if move.state != "posted":
                raise UserError(
                    _("Invoice %(invoice)s is not posted: it has no boletos to re-issue.", invoice=move.name)
                )
        self.cobranca_boleto_ids._cancel(_("Re-issued"))
        self._cobranca_issue_boletos()

    def action_cobranca_print_boletos(self):
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
            lines = move._cobranca_boleto_lines()
            for position, line in enumerate(lines, start=1):
                to_create.append(move._cobranca_boleto_values(wallet, line, position, len(lines)))
        if not to_create:
            return self.env["cobranca.boleto"]
        boletos = self.env["cobranca.boleto"].create(to_create)
        for move in boletos.move_id:
            previous = move.cobranca_boleto_ids.filtered(lambda b: b.state == "cancelled")
            if previous:
                move._cobranca_post_reissue_note(previous, boletos.filtered(lambda b, m=move: b.move_id == m))
        return boletos

    def _cobranca_boleto_values(self, wallet, line, position, count):
        amount = abs(line.amount_currency)
        sequence = wallet._take_sequence()
        try:
            boleto, nosso = issue(
                wallet.bank_code,
                wallet._cobranca_wallet(),
                sequence,
                line.date_maturity,
                Decimal(float_repr(amount, self.currency_id.decimal_places)),
                issue_date=self.invoice_date or fields.Date.context_today(self),
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
