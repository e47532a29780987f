import base64
import io

import qrcode
from PIL import Image

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import formatLang
from odoo.tools.image import image_data_uri

from cobranca_core.boleto import format_digitable_line

# Fields that are the boleto: once issued, only cancelling (and issuing a new one) may change them.
IMMUTABLE_FIELDS = {
    "move_id",
    "wallet_id",
    "sequence",
    "nosso_numero",
    "nosso_numero_dv",
    "nosso_numero_formatted",
    "barcode",
    "digitable_line",
    "amount",
    "due_date",
}


class CobrancaBoleto(models.Model):
    _name = "cobranca.boleto"
    _description = "Boleto"
    _order = "move_id desc, installment, id"
    _rec_name = "nosso_numero_formatted"
    _check_company_auto = True

    move_id = fields.Many2one(
        comodel_name="account.move",
        string="Invoice",
        required=True,
        ondelete="cascade",
        index=True,
        readonly=True,
    )
    move_line_id = fields.Many2one(
        comodel_name="account.move.line",
        string="Receivable Item",
        ondelete="set null",
        index="btree_not_null",
        readonly=True,
    )
    wallet_id = fields.Many2one(
        comodel_name="cobranca.wallet",
        string="Billing Wallet",
        required=True,
        ondelete="restrict",
        index=True,
        readonly=True,
    )
    company_id = fields.Many2one(related="move_id.company_id", store=True, index=True)
    partner_id = fields.Many2one(
        comodel_name="res.partner",
        string="Payer",
        readonly=True,
        index=True,
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    installment = fields.Integer(
        string="Installment",
        readonly=True,
        help="Position of the installment in the invoice's payment terms.",
    )
    installment_count = fields.Integer(string="Installments", readonly=True)
    sequence = fields.Integer(string="Sequence Number", readonly=True, help="Nosso número sequence in the wallet.")
    nosso_numero = fields.Char(string="Nosso Número", readonly=True, index="trigram")
    nosso_numero_dv = fields.Char(string="Nosso Número Check Digit", readonly=True)
    nosso_numero_formatted = fields.Char(string="Nosso Número (printed)", readonly=True)
    barcode = fields.Char(readonly=True, help="The 44 digits of the barcode.")
    digitable_line = fields.Char(string="Linha Digitável", readonly=True, index="btree_not_null")
    digitable_line_formatted = fields.Char(
        string="Linha Digitável (printed)",
        compute="_compute_digitable_line_formatted",
    )
    amount = fields.Monetary(readonly=True)
    due_date = fields.Date(readonly=True)
    issue_date = fields.Date(readonly=True, default=fields.Date.context_today)
    state = fields.Selection(
        selection=[("active", "Active"), ("cancelled", "Cancelled")],
        default="active",
        required=True,
        readonly=True,
        index=True,
    )
    cancel_reason = fields.Char(readonly=True)
    paid = fields.Boolean(compute="_compute_paid", help="The installment of this boleto is fully paid.")
    # The barcode and Pix QR code images, drawn once when the boleto is issued: a boleto is printed,
    # e-mailed and attached to dunning notices many times, and drawing a QR code costs milliseconds.
    barcode_image = fields.Binary(
        string="Barcode Image", attachment=False, readonly=True, copy=False, prefetch="cobranca_images"
    )
    pix_qr_payload = fields.Char(
        string="Pix Code of the QR Image", readonly=True, copy=False, prefetch="cobranca_images"
    )
    pix_qr_image = fields.Binary(
        string="Pix QR Code Image", attachment=False, readonly=True, copy=False, prefetch="cobranca_images"
    )

    _sql_constraints = [
        (
            "wallet_sequence_unique",
            "UNIQUE(wallet_id, sequence)",
            "A nosso número is never issued twice in the same billing wallet.",
        ),
    ]

    def init(self):
        # At most one valid boleto per installment; cancelled ones stay as history.
        self.env.cr.execute(
            """CREATE UNIQUE INDEX IF NOT EXISTS cobranca_boleto_one_active_per_line
               ON cobranca_boleto (move_line_id) WHERE state = 'active' AND move_line_id IS NOT NULL"""
        )

    @api.depends("digitable_line")
    def _compute_digitable_line_formatted(self):
        for boleto in self:
            line = boleto.digitable_line
            boleto.digitable_line_formatted = format_digitable_line(line) if line else False

    @api.depends("move_line_id.reconciled")
    def _compute_paid(self):
        for boleto in self:
            boleto.paid = bool(boleto.move_line_id) and boleto.move_line_id.reconciled

    def write(self, vals):
        changed = IMMUTABLE_FIELDS.intersection(vals)
        if changed:
            labels = sorted(self._fields[name].get_description(self.env)["string"] for name in changed)
            raise UserError(
                _(
                    "Boleto %(boleto)s was issued: its %(fields)s cannot change. Re-issue the invoice's boletos to get "
                    "new ones.",
                    boleto=self[:1].display_name,
                    fields=", ".join(labels),
                )
            )
        return super().write(vals)

    def _cancel(self, reason):
        active = self.filtered(lambda boleto: boleto.state == "active")
        active.write({"state": "cancelled", "cancel_reason": reason})
        # Flush now: the replacing boletos are inserted next, and the database allows one active per line.
        active.flush_recordset(["state"])

    # Rendering helpers, used by the QWeb report and the e-mail templates.

    def _draw_images(self):
        """Draw and keep the barcode and Pix QR code images of these boletos (done at issue)."""
        for boleto in self:
            payload = boleto._pix_payload()
            boleto.write(
                {
                    "barcode_image": base64.b64encode(boleto._barcode_png()),
                    "pix_qr_payload": payload or False,
                    "pix_qr_image": base64.b64encode(_qr_png(payload)) if payload else False,
                }
            )

    def _barcode_png(self):
        self.ensure_one()
        return self.env["ir.actions.report"].barcode("boleto", self.barcode, module=2, height=100)

    def _barcode_data_uri(self):
        """The barcode as a PNG data URI (FEBRABAN interleaved 2 of 5, wide bars three narrow ones)."""
        self.ensure_one()
        return image_data_uri(self.barcode_image or base64.b64encode(self._barcode_png()))

    def _pix_payload(self):
        """The Pix copy-and-paste code (EMV) of this boleto, or '' when the wallet prints no Pix."""
        self.ensure_one()
        bank = self.wallet_id.partner_bank_id
        if not self.wallet_id.pix_enabled or not bank:
            return ""
        error = bank._check_for_qr_code_errors(
            "emv_qr", self.amount, self.currency_id, self.partner_id, self.move_id.name, self.nosso_numero
        )
        if error:
            return ""
        return bank._get_qr_vals(
            "emv_qr", self.amount, self.currency_id, self.partner_id, self.move_id.name, self.nosso_numero
        )

    def _pix_qr_data_uri(self, payload=None):
        """The Pix QR code of the payload above (``payload`` when already computed), as a PNG data URI.

        Drawn with python-qrcode (an Odoo requirement) rather than reportlab's QR widget, which
        takes ~0.2 s a code: in a monthly run of thousands of boletos that was most of the time.
        """
        self.ensure_one()
        payload = self._pix_payload() if payload is None else payload
        if not payload:
            return ""
        if payload == self.pix_qr_payload and self.pix_qr_image:
            # Drawn at issue; the code still holds (same key, amount, beneficiary name and city).
            return image_data_uri(self.pix_qr_image)
        return image_data_uri(base64.b64encode(_qr_png(payload)))

    def _report_pages(self):
        """``(boleto, lang)`` pairs as the boleto reports print them: invoice by invoice, by installment,
        each boleto in its invoice's boleto language (for its context and ``t-lang``). Cancelled boletos
        are not printed: they can no longer be paid."""
        by_move = {}
        for boleto in self.filtered(lambda b: b.state == "active"):
            by_move.setdefault(boleto.move_id, []).append(boleto)
        pages = []
        for move, boletos in by_move.items():
            lang = move._cobranca_boleto_lang()
            for boleto in sorted(boletos, key=lambda b: (b.installment, b.id)):
                pages.append((boleto.with_context(lang=lang), lang))
        return pages

    def _interest_text(self):
        """The fine and interest sentences printed in the boleto's instructions, in the env's language."""
        self.ensure_one()
        wallet, currency = self.wallet_id, self.currency_id
        texts = []
        if wallet.fine_percent:
            texts.append(
                _(
                    "After the due date, charge a fine of %(percent)s%% (%(amount)s).",
                    percent=formatLang(self.env, wallet.fine_percent),
                    amount=formatLang(self.env, self.amount * wallet.fine_percent / 100, currency_obj=currency),
                )
            )
        if wallet.interest_monthly_percent:
            texts.append(
                _(
                    "After the due date, charge interest of %(percent)s%% a month (%(amount)s a day).",
                    percent=formatLang(self.env, wallet.interest_monthly_percent),
                    amount=formatLang(
                        self.env, self.amount * wallet.interest_monthly_percent / 100 / 30, currency_obj=currency
                    ),
                )
            )
        return texts


def _qr_png(payload):
    """The QR code of ``payload`` as a PNG, 4 pixels a module.

    A fixed mask spares trying all eight (any mask is valid for a reader); the modules go into a
    1-bit image at once instead of being drawn one rectangle at a time: ~2 ms instead of 30.
    """
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2, mask_pattern=2)
    code.add_data(payload)
    code.make(fit=True)
    matrix = code.get_matrix()
    image = Image.new("1", (len(matrix), len(matrix)))
    image.putdata([0 if dark else 1 for row in matrix for dark in row])
    image = image.resize((len(matrix) * 4, len(matrix) * 4), Image.NEAREST)
    png = io.BytesIO()
    image.save(png, format="PNG")
    return png.getvalue()
