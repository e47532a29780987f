from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from cobranca_core.boleto import LAYOUTS, InvalidWallet, UnsupportedBank, Wallet, get_layout

# Wallet fields handed to the bank layout, in the order the form shows them.
LAYOUT_FIELDS = (
    "agency",
    "agency_dv",
    "account",
    "account_dv",
    "carteira",
    "convenio",
    "convenio_dv",
    "posto",
    "modalidade",
    "byte_idt",
    "free_nosso_numero",
)


class CobrancaWallet(models.Model):
    _name = "cobranca.wallet"
    _inherit = ["mail.thread"]
    _description = "Billing Wallet"
    _order = "company_id, sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, tracking=True)
    active = fields.Boolean(default=True, tracking=True)
    sequence = fields.Integer(default=10)
    company_id = fields.Many2one(
        comodel_name="res.company",
        required=True,
        default=lambda self: self.env.company,
        tracking=True,
    )
    company_partner_id = fields.Many2one(related="company_id.partner_id")
    partner_bank_id = fields.Many2one(
        comodel_name="res.partner.bank",
        string="Bank Account",
        required=True,
        check_company=True,
        tracking=True,
        domain="[('partner_id', '=', company_partner_id)]",
        help="The company's account that receives the payments. Its bank's code (COMPE) selects the "
        "boleto layout, and its Pix key, when the wallet prints one, goes into the QR code.",
    )
    bank_id = fields.Many2one(related="partner_bank_id.bank_id")
    bank_code = fields.Char(related="partner_bank_id.bank_id.cobranca_bank_code", string="Bank Code")
    bank_layout = fields.Selection(
        selection=lambda self: [(code, f"{code} {layout.name}") for code, layout in sorted(LAYOUTS.items())],
        string="Boleto Layout",
        compute="_compute_bank_layout",
        store=True,
    )
    kind = fields.Selection(
        selection=[("bank", "Bank boleto"), ("gateway", "Payment gateway")],
        required=True,
        default="bank",
        tracking=True,
        help="Bank boleto: the boletos are registered with the bank of this wallet. Payment gateway: "
        "a payment company registers and collects them on the company's behalf.",
    )
    agency = fields.Char(help="Agency (or cooperative) number without its check digit.", tracking=True)
    agency_dv = fields.Char(string="Agency Check Digit", size=1, tracking=True)
    account = fields.Char(help="Account number without its check digit.", tracking=True)
    account_dv = fields.Char(string="Account Check Digit", size=1, tracking=True)
    carteira = fields.Char(string="Carteira Code", help="The carteira (wallet) code the bank assigned.", tracking=True)
    convenio = fields.Char(
        string="Convênio / Beneficiary Code",
        help="Convênio (Banco do Brasil), código do beneficiário (Caixa, Santander, Sicredi) or código do "
        "cliente (Sicoob), as the bank wrote it.",
        tracking=True,
    )
    convenio_dv = fields.Char(string="Beneficiary Code Check Digit", size=1, tracking=True)
    posto = fields.Char(help="Sicredi: the posto (branch) of the cooperative.", tracking=True)
    modalidade = fields.Char(help="Sicoob: the modalidade of the carteira (01 when empty).", tracking=True)
    byte_idt = fields.Char(
        string="Nosso Número Byte",
        size=1,
        help="Sicredi: the generation byte of the nosso número, 2 to 9 (2 when empty).",
        tracking=True,
    )
    free_nosso_numero = fields.Boolean(
        string="17-digit Nosso Número",
        help="Banco do Brasil, 6-digit convênio: the nosso número is free with 17 digits (service 21).",
        tracking=True,
    )
    sequence_id = fields.Many2one(
        comodel_name="ir.sequence",
        string="Nosso Número Sequence",
        readonly=True,
        copy=False,
    )
    next_nosso_numero = fields.Integer(
        string="Next Nosso Número",
        compute="_compute_next_nosso_numero",
        inverse="_inverse_next_nosso_numero",
        help="The sequence number the next boleto of this wallet takes. Numbers are never given twice, "
        "even when a posting is rolled back; set it only when moving from another system.",
    )
    fine_percent = fields.Float(string="Fine (%)", digits=(5, 2), tracking=True)
    interest_monthly_percent = fields.Float(string="Monthly Interest (%)", digits=(5, 2), tracking=True)
    instructions = fields.Text(
        help="Printed in the instructions box of every boleto of this wallet, after the fine and interest text."
    )
    pix_enabled = fields.Boolean(
        string="Pix QR Code on Boletos",
        help="Print a Pix QR code on each boleto, with the Pix key of the bank account.",
        tracking=True,
    )
    pix_key_type = fields.Selection(related="partner_bank_id.proxy_type", string="Pix Key Type")
    pix_key = fields.Char(related="partner_bank_id.proxy_value", string="Pix Key")
    email_on_post = fields.Boolean(
        string="E-mail Boletos When the Invoice Is Generated",
        tracking=True,
        help="When an invoice with this wallet is posted, its boletos are e-mailed to the customer, if the "
        "customer's boleto delivery is E-mail. The e-mail leaves in the background, within minutes.",
    )
    gateway_email_confirmed = fields.Boolean(
        string="Send Anyway",
        help="Payment gateways usually e-mail the boletos they register themselves: sending them here too "
        "means the customer receives each boleto twice. Tick to send all the same.",
    )
    boleto_ids = fields.One2many(comodel_name="cobranca.boleto", inverse_name="wallet_id", string="Boletos")
    boleto_count = fields.Integer(compute="_compute_boleto_count")

    _sql_constraints = [
        (
            "fine_percent_range",
            "CHECK(fine_percent >= 0 AND fine_percent <= 100)",
            "The fine must be between 0% and 100%.",
        ),
        (
            "interest_percent_range",
            "CHECK(interest_monthly_percent >= 0 AND interest_monthly_percent <= 100)",
            "The monthly interest must be between 0% and 100%.",
        ),
    ]

    @api.depends("partner_bank_id.bank_id.cobranca_bank_code")
    def _compute_bank_layout(self):
        for wallet in self:
            code = wallet.partner_bank_id.bank_id.cobranca_bank_code
            wallet.bank_layout = code if code in LAYOUTS else False

    @api.depends("sequence_id.number_next_actual")
    def _compute_next_nosso_numero(self):
        for wallet in self:
            wallet.next_nosso_numero = wallet.sequence_id.number_next_actual or 1

    def _inverse_next_nosso_numero(self):
        for wallet in self:
            # 0 is what a form sends for a wallet not saved yet: nothing to move.
            if wallet.next_nosso_numero < 1 or wallet.next_nosso_numero == wallet.sequence_id.number_next_actual:
                continue
            # Forward only: the numbers below the sequence's next one may have been issued, e-mailed and
            # printed, even when their boletos or invoices are gone since.
            wallet.sequence_id.invalidate_recordset(["number_next_actual"])  # read from PostgreSQL, not the cache
            current = wallet.sequence_id.number_next_actual or 1
            if wallet.next_nosso_numero < current:
                raise ValidationError(
                    _(
                        "Billing wallet %(wallet)s: the Next Nosso Número can only move forward, to %(current)s or "
                        "above; the numbers below it may already be in customers' hands.",
                        wallet=wallet.display_name,
                        current=current,
                    )
                )
            wallet._get_sequence().sudo().number_next_actual = wallet.next_nosso_numero

    def _compute_boleto_count(self):
        counts = dict(
            self.env["cobranca.boleto"]._read_group([("wallet_id", "in", self.ids)], ["wallet_id"], ["__count"])
        )
        for wallet in self:
            wallet.boleto_count = counts.get(wallet, 0)

    @api.constrains("partner_bank_id", *LAYOUT_FIELDS)
    def _check_layout_fields(self):
        for wallet in self:
            try:
                layout = get_layout(wallet.bank_code or "")
            except UnsupportedBank:
                raise ValidationError(
                    _(
                        "Billing wallet %(wallet)s: the bank of account %(account)s has no boleto layout. Set its "
                        "Bank Code (COMPE) to one of: %(banks)s.",
                        wallet=wallet.display_name,
                        account=wallet.partner_bank_id.display_name,
                        banks=", ".join(f"{code} {lay.name}" for code, lay in sorted(LAYOUTS.items())),
                    )
                ) from None
            try:
                layout.validate_wallet(wallet._cobranca_wallet())
            except InvalidWallet as error:
                raise ValidationError(wallet._invalid_wallet_message(error)) from None

    @api.constrains("partner_bank_id", *LAYOUT_FIELDS)
    def _check_unique_beneficiary(self):
        """Two wallets of a company with the same bank, agency, account, carteira and beneficiary code
        would number the same boletos from two sequences: the second one is refused (archived wallets
        count)."""
        for wallet in self:
            key = wallet._cobranca_beneficiary_key()
            twins = (
                self.sudo()
                .with_context(active_test=False)
                .search(
                    [
                        ("id", "!=", wallet.id),
                        ("company_id", "=", wallet.company_id.id),
                        ("bank_code", "=", wallet.bank_code),
                    ]
                )
                .filtered(lambda other, key=key: other._cobranca_beneficiary_key() == key)
            )
            if twins:
                raise ValidationError(
                    _(
                        "Billing wallet %(wallet)s has the same bank, agency, account, carteira and beneficiary code "
                        "as wallet %(other)s: its nosso números would repeat the other's. Use (or unarchive) "
                        "%(other)s instead.",
                        wallet=wallet.display_name,
                        other=twins[0].display_name,
                    )
                )

    def _cobranca_beneficiary_key(self):
        self.ensure_one()
        fields_ = ("agency", "account", "carteira", "convenio", "posto", "modalidade", "byte_idt")
        return (self.bank_code or "", *((self[name] or "").strip().lstrip("0") for name in fields_))

    @api.constrains("pix_enabled", "partner_bank_id")
    def _check_pix_key(self):
        for wallet in self.filtered("pix_enabled"):
            bank = wallet.partner_bank_id
            if not bank.proxy_value or bank.proxy_type in (False, "none"):
                raise ValidationError(
                    _(
                        "Billing wallet %(wallet)s prints a Pix QR code, but bank account %(account)s has no Pix key: "
                        "fill its Proxy Type and Proxy Value.",
                        wallet=wallet.display_name,
                        account=bank.display_name,
                    )
                )

    @api.constrains("email_on_post", "kind", "gateway_email_confirmed")
    def _check_gateway_email(self):
        for wallet in self:
            if wallet.email_on_post and wallet.kind == "gateway" and not wallet.gateway_email_confirmed:
                raise ValidationError(wallet._gateway_email_warning())

    @api.onchange("email_on_post", "kind")
    def _onchange_email_on_post_gateway(self):
        if self.email_on_post and self.kind == "gateway" and not self.gateway_email_confirmed:
            return {"warning": {"title": _("Payment gateway wallet"), "message": self._gateway_email_warning()}}
        return None

    def _gateway_email_warning(self):
        return _(
            "Billing wallet %(wallet)s is a payment gateway: e-mailing its boletos when invoices are generated is "
            "not recommended, the gateway usually sends them itself. Tick “Send Anyway” to confirm.",
            wallet=self.display_name or self.name or "",
        )

    @api.model_create_multi
    def create(self, vals_list):
        wallets = super().create(vals_list)
        for wallet in wallets:
            wallet._get_sequence()
        return wallets

    def write(self, vals):
        if "partner_bank_id" in vals or any(name in vals for name in LAYOUT_FIELDS):
            issued = self.filtered(lambda wallet: wallet.boleto_ids)
            if issued:
                # The layout fields are inside every barcode already issued: changing them would make the
                # wallet describe boletos it never issued. A new wallet is the honest way.
                raise UserError(
                    _(
                        "Billing wallet %(wallet)s already issued boletos: its bank account and layout fields "
                        "cannot change. Archive it and create a new wallet instead.",
                        wallet=issued[0].display_name,
                    )
                )
        return super().write(vals)

    def action_view_boletos(self):
        self.ensure_one()
        # Only opens what the user may read: the wallet (its company) and boletos.
        self.check_access("read")
        self.env["cobranca.boleto"].check_access("read")
        return {
            "type": "ir.actions.act_window",
            "name": _("Boletos"),
            "res_model": "cobranca.boleto",
            "view_mode": "list,form",
            "domain": [("wallet_id", "=", self.id)],
            "context": {"default_wallet_id": self.id},
        }

    def _get_sequence(self):
        """The wallet's own nosso número sequence, created on first use.

        A PostgreSQL sequence ('standard' implementation): numbers are taken outside the transaction,
        so concurrent postings never get the same one and a rolled-back posting never gives its
        number back. Gaps are harmless for a nosso número; reuse is not.
        """
        self.ensure_one()
        if not self.sequence_id:
            self.sequence_id = (
                self.env["ir.sequence"]
                .sudo()
                .create(
                    {
                        "name": _("Nosso número of %(wallet)s", wallet=self.name),
                        "implementation": "standard",
                        "number_next": 1,
                        "number_increment": 1,
                        "padding": 0,
                        "company_id": self.company_id.id,
                    }
                )
            )
        return self.sequence_id

    def _cobranca_check_can_issue(self, move):
        """Raise a UserError naming ``move`` and the wallet's field when this wallet cannot issue boletos
        now (its bank lost its layout, a field was emptied...): checked before a number is taken, so
        that Odoo's auto-post of a batch of invoices posts the others and says why this one failed."""
        self.ensure_one()
        try:
            get_layout(self.bank_code or "").validate_wallet(self._cobranca_wallet())
        except UnsupportedBank:
            reason = _(
                "the Bank Code (COMPE) of its bank account %(account)s is %(code)s, which has no boleto layout; "
                "supported: %(banks)s",
                account=self.partner_bank_id.display_name,
                code=self.bank_code or _("empty"),
                banks=", ".join(f"{code} {layout.name}" for code, layout in sorted(LAYOUTS.items())),
            )
        except InvalidWallet as error:
            reason = self._invalid_wallet_message(error)
        else:
            return
        raise UserError(
            _(
                "Invoice %(invoice)s: no boleto can be issued from billing wallet %(wallet)s: %(reason)s",
                invoice=move.display_name,
                wallet=self.display_name,
                reason=reason,
            )
        )

    def _take_sequence(self):
        """Reserve the next nosso número sequence of this wallet."""
        self.ensure_one()
        number = int(self._get_sequence().sudo()._next())
        highest = self._layout().nosso_numero_sequence_max(self._cobranca_wallet())
        if number > highest:
            raise UserError(
                _(
                    "Billing wallet %(wallet)s used all its nosso números (up to %(highest)s). Ask the bank for a "
                    "new convênio or carteira and create a new wallet.",
                    wallet=self.display_name,
                    highest=highest,
                )
            )
        return number

    def _layout(self):
        self.ensure_one()
        return get_layout(self.bank_code or "")

    def _cobranca_wallet(self):
        """This record as the plain value the boleto rules take."""
        self.ensure_one()
        values = {name: (self[name] or "").strip() for name in LAYOUT_FIELDS if name != "free_nosso_numero"}
        return Wallet(free_nosso_numero=self.free_nosso_numero, **values)

    def _invalid_wallet_message(self, error):
        """Translate a layout's refusal of a wallet field into the user's language."""
        label = self.fields_get([error.field], ["string"])[error.field]["string"]
        expected = error.expected
        if isinstance(expected, list | tuple | set | frozenset):
            expected = ", ".join(str(value) for value in expected)
        problems = {
            "missing": _("is required by the %(bank)s layout"),
            "digits": _("must contain digits only"),
            "length": _("has too many digits for the %(bank)s layout (allowed: %(expected)s)"),
            "check digit": _("is wrong: the check digit should be %(expected)s"),
            "unsupported": _("is not accepted by the %(bank)s layout (accepted: %(expected)s)"),
            "reserved": _("is reserved by the bank (%(expected)s)"),
        }
        problem = problems.get(error.reason, _("is not valid for the %(bank)s layout (%(expected)s)")) % {
            "bank": self._layout().name,
            "expected": expected,
        }
        return _(
            "Billing wallet %(wallet)s: %(field)s %(problem)s.", wallet=self.display_name, field=label, problem=problem
        )
