import base64
import hashlib
from decimal import Decimal

from lxml import etree

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import float_repr
from odoo.tools.image import image_data_uri

from cobranca_core.boleto import format_digitable_line
from cobranca_core.charges import instruction_amounts

from ..tools.access_checks import BILLING_USER, check_groups
from ..tools.boleto_images import qr_png
from ..tools.pdf_pipeline import PdfPipeline
from .report_formats import ReportFormats

# Fields that are the boleto: once issued, only cancelling (and issuing a new one) may change them.
IMMUTABLE_FIELDS = {
    "move_id",
    "move_line_id",
    "wallet_id",
    "partner_id",
    "installment",
    "installment_count",
    "sequence",
    "nosso_numero",
    "nosso_numero_dv",
    "nosso_numero_formatted",
    "barcode",
    "digitable_line",
    "amount",
    "due_date",
    "issue_date",
}
# Drawn once, right after issue (they need the record): set when empty, never replaced.
IMAGE_FIELDS = {"barcode_image", "pix_qr_payload", "pix_qr_image"}
# The views a boleto page is printed from: a change to any of them (an upgrade, a customization in the
# report editor, a translation) makes the stored pages print again.
PAGE_VIEWS = (
    "cobranca_email.report_boleto_pages_document",
    "cobranca_email.report_boleto_pages",
    "cobranca_email.report_boleto_page",
    "cobranca_email.report_boleto_header",
    "cobranca_email.report_boleto_styles",
)
# The report whose paper format boleto pages are printed with (tools/pdf_pipeline.py).
PAGE_REPORT = "cobranca_email.report_cobranca_boleto_selected"


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
    barcode_image = fields.Binary(attachment=False, readonly=True, copy=False, prefetch="cobranca_images")
    pix_qr_payload = fields.Char(
        string="Pix Code of the QR Image", readonly=True, copy=False, prefetch="cobranca_images"
    )
    pix_qr_image = fields.Binary(
        string="Pix QR Code Image", attachment=False, readonly=True, copy=False, prefetch="cobranca_images"
    )

    # The boleto's page as printed (PDF), kept to be sent again: in each dunning notice, reprints.
    # It is printed again when anything it shows changed (``page_pdf_key``: see _cobranca_page_pdfs).
    page_pdf = fields.Binary(string="Boleto PDF", attachment=True, readonly=True, copy=False)
    page_pdf_key = fields.Char(string="Boleto PDF Key", readonly=True, copy=False)

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

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            # Boletos are issued by posting invoices (which issues them as superuser), never typed in.
            raise AccessError(_("Boletos are issued by posting invoices; they cannot be created by hand."))
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            # Everything a boleto holds is written by the issuing code (as superuser): its number, its
            # images, its stored page and its state. Users read boletos; access rights say so too.
            raise AccessError(
                _(
                    "Boleto %(boleto)s cannot be changed by hand: cancel or re-issue the invoice's boletos.",
                    boleto=self[:1].display_name,
                )
            )
        redrawn = IMAGE_FIELDS.intersection(vals) and self.filtered(
            lambda boleto: any(boleto[name] for name in IMAGE_FIELDS)
        )
        changed = IMMUTABLE_FIELDS.intersection(vals) | (IMAGE_FIELDS.intersection(vals) if redrawn else set())
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
        active = self.sudo().filtered(lambda boleto: boleto.state == "active")
        active.write({"state": "cancelled", "cancel_reason": reason})
        # Flush now: the replacing boletos are inserted next, and the database allows one active per line.
        active.flush_recordset(["state"])

    # Rendering helpers, used by the QWeb report and the e-mail templates.

    def _draw_images(self):
        """Draw and keep the barcode and Pix QR code images of these boletos (done at issue)."""
        for boleto in self.sudo():
            payload = boleto._pix_payload()
            boleto.write(
                {
                    "barcode_image": base64.b64encode(boleto._barcode_png()),
                    "pix_qr_payload": payload or False,
                    "pix_qr_image": base64.b64encode(qr_png(payload)) if payload else False,
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
        qr_args = ("emv_qr", self.amount, self.currency_id, self.partner_id, self.move_id.name, self.nosso_numero)
        return "" if bank._check_for_qr_code_errors(*qr_args) else bank._get_qr_vals(*qr_args)

    def _pix_qr_data_uri(self, payload=None):
        """The Pix QR code of the payload above (``payload`` when already computed), as a PNG data URI
        (``tools.boleto_images.qr_png``)."""
        self.ensure_one()
        payload = self._pix_payload() if payload is None else payload
        if not payload:
            return ""
        if payload == self.pix_qr_payload and self.pix_qr_image:
            # Drawn at issue; the code still holds (same key, amount, beneficiary name and city).
            return image_data_uri(self.pix_qr_image)
        return image_data_uri(base64.b64encode(qr_png(payload)))

    def _report_order(self):
        """``(boleto, lang)`` pairs as the boleto reports print them: invoice by invoice, by installment,
        each boleto in its invoice's boleto language (in its context). Cancelled boletos are not
        printed: they can no longer be paid."""
        by_move = {}
        for boleto in self.filtered(lambda b: b.state == "active"):
            by_move.setdefault(boleto.move_id, []).append(boleto)
        pages = []
        for move, boletos in by_move.items():
            lang = move._cobranca_boleto_lang()
            for boleto in sorted(boletos, key=lambda b: (b.installment, b.id)):
                pages.append((boleto.with_context(lang=lang), lang))
        return pages

    def _report_pages(self):
        """``(boleto, lang, values)`` of the pages to print (``values``: see _page_values)."""
        formats = {}
        pages = []
        for boleto, lang in self._report_order():
            if lang not in formats:
                formats[lang] = ReportFormats(boleto.env)
            pages.append((boleto, lang, boleto._page_values(formats[lang])))
        return pages

    def _page_values(self, formats=None):
        """Everything a boleto's page prints, as text in the environment's language.

        The page template prints these values and nothing else, so that they also tell whether a
        stored page is still right (``page_pdf_key``).
        """
        self.ensure_one()
        formats = formats or ReportFormats(self.env)
        wallet, company, payer = self.wallet_id, self.move_id.company_id, self.partner_id
        layout = wallet._layout()
        pix_payload = self._pix_payload()
        return {
            "bank_name": wallet.bank_id.name or "",
            "bank_code": f"{wallet.bank_code or ''}-{layout.bank_code_dv}",
            "digitable_line": self.digitable_line_formatted or "",
            "company_name": company.name or "",
            "company_vat": company.vat or "",
            "company_address": company.partner_id._cobranca_one_line_address(),
            "agency_code": layout.beneficiary_code(wallet._cobranca_wallet()),
            "due_date": formats.date(self.due_date),
            "payer_name": payer.name or "",
            "payer_vat": payer.vat or "",
            "payer_address": payer._cobranca_one_line_address() if payer else "",
            "move_name": self.move_id.name or "",
            "installment": self.installment if self.installment_count > 1 else 0,
            "installment_count": self.installment_count,
            "nosso_numero": self.nosso_numero_formatted or "",
            "amount": formats.money(self.amount, self.currency_id),
            "document_date": formats.date(self.move_id.invoice_date),
            "issue_date": formats.date(self.issue_date),
            "carteira": wallet.carteira or "",
            "interest_texts": self._interest_text(formats),
            "instructions": wallet.instructions or "",
            "pix_payload": pix_payload,
            "pix_qr": self._pix_qr_data_uri(pix_payload),
            "barcode": self._barcode_data_uri(),
        }

    # The stored pages

    def _cobranca_page_pdfs(self, raise_on_error=False):
        """``{boleto id: its page as a one-page PDF}`` for the active boletos among these.

        A page is printed once and stored on the boleto with a key: a hash of what it prints (its
        values), of its language and of the views and paper format it is printed with. It is printed
        again only when that key changed: a boleto printed when its e-mail was sent goes out in every
        dunning notice without wkhtmltopdf running again. Missing pages are printed together, a few
        wkhtmltopdf calls for thousands. A page that cannot be printed maps to the exception, or
        raises it with ``raise_on_error``.
        """
        pages = self._report_pages()
        if not pages:
            return {}
        pipeline = PdfPipeline(self.env, PAGE_REPORT)
        versions = {}
        keys = {}
        for boleto, lang, values in pages:
            if lang not in versions:
                versions[lang] = self._page_version(lang, pipeline.version)
            text = repr((versions[lang], sorted(values.items())))
            keys[boleto.id] = hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()
        current = self.browse(keys).filtered(lambda boleto: boleto.page_pdf_key == keys[boleto.id])
        pdfs = current._stored_pages()
        missing = [page for page in pages if page[0].id not in pdfs]
        if missing:
            pdfs.update(self._render_pages(pipeline, missing, keys))
        if raise_on_error:
            error = next((pdf for pdf in pdfs.values() if isinstance(pdf, Exception)), None)
            if error:
                raise error
        return pdfs

    def action_cobranca_send_by_email(self):
        """Send the chosen boletos by e-mail (seed 002's "Emissão de Boletos"): one e-mail per invoice
        with all its active boletos, by the same rules as the invoice's Send Boletos by E-mail."""
        check_groups(self.env, [BILLING_USER], _("Only billing e-mail users can send boletos by e-mail."))
        moves = self.filtered(lambda boleto: boleto.state == "active" and not boleto.paid).move_id
        if not moves:
            raise UserError(_("None of the selected boletos can be sent: they are cancelled or paid."))
        return moves.action_cobranca_send_boletos_email()

    def _cobranca_report_pdfs(self):
        """The report on chosen boletos (ir.actions.report): {boleto id: its page}; cancelled ones are
        not printed."""
        return self._cobranca_page_pdfs(raise_on_error=True)

    def _cobranca_pages_pdf(self, pages):
        """These boletos' PDF made of their ``pages`` (from _cobranca_page_pdfs), in print order: None
        without an active boleto, the exception when one of their pages could not be printed."""
        parts = [pages[boleto.id] for boleto, _lang in self._report_order()]
        error = next((part for part in parts if isinstance(part, Exception)), None)
        if error or not parts:
            return error
        return PdfPipeline(self.env, PAGE_REPORT).merge(parts)

    @api.model
    def _page_version(self, lang, printer):
        """What every page in ``lang`` depends on: the views it is printed from, and ``printer`` (how the
        pipeline prints: wkhtmltopdf's command with the paper format)."""
        views = self.env["ir.ui.view"].sudo().with_context(lang=lang)
        archs = [etree.tostring(views._get(key)._get_combined_arch(), encoding="unicode") for key in PAGE_VIEWS]
        return hashlib.sha1(repr((lang, printer, archs)).encode(), usedforsecurity=False).hexdigest()

    def _page_attachment_domain(self):
        """The attachments that hold these boletos' stored pages (``page_pdf``)."""
        return [("res_model", "=", self._name), ("res_field", "=", "page_pdf"), ("res_id", "in", self.ids)]

    def _stored_pages(self):
        if not self:
            return {}
        attachments = self.env["ir.attachment"].sudo().search_fetch(self._page_attachment_domain(), ["res_id", "raw"])
        return {attachment.res_id: attachment.raw for attachment in attachments if attachment.raw}

    @api.model
    def _render_pages(self, pipeline, pages, keys):
        """Print and store ``pages`` (``(boleto, lang, values)``) with their ``keys``:
        ``{boleto id: one-page PDF or the exception}``.

        Printed by the PDF pipeline (tools/pdf_pipeline.py), many pages a wkhtmltopdf call; each
        chunk's pages are stored while the next chunks print. A page that overflows its sheet fails
        alone.
        """

        def store(printed, pdfs):
            self.browse([page[0].id for page in printed])._store_pages(
                {page[0].id: pdf for page, pdf in zip(printed, pdfs, strict=True)}, keys
            )

        def too_long(page):
            return UserError(_("The page of boleto %(boleto)s does not fit on one sheet.", boleto=page[0].display_name))

        pdfs = pipeline.print(pages, self._pages_html, printed=store, too_long=too_long)
        return {page[0].id: pdf for page, pdf in zip(pages, pdfs, strict=True)}

    @api.model
    def _pages_html(self, pages):
        return self.env["ir.qweb"]._render(
            "cobranca_email.report_boleto_pages_document", {"pages": pages, "page_break_first": False}
        )

    def _store_pages(self, pdfs, keys):
        """Keep the printed pages of these boletos, replacing what they had.

        A stored page only saves printing it again: the boletos another transaction is storing
        (or writing) right now are left alone rather than waited for.
        """
        if not self:
            return
        self.flush_recordset(["page_pdf_key"])
        self.env.cr.execute(
            "SELECT id FROM cobranca_boleto WHERE id IN %s ORDER BY id FOR NO KEY UPDATE SKIP LOCKED",
            [tuple(self.ids)],
        )
        boletos = self.browse([row[0] for row in self.env.cr.fetchall()])
        if not boletos:
            return
        Attachment = self.env["ir.attachment"].sudo()
        Attachment.search(boletos._page_attachment_domain()).unlink()
        Attachment.create(
            [
                {
                    "name": f"boleto-{boleto.nosso_numero or boleto.id}.pdf",
                    "res_model": self._name,
                    "res_field": "page_pdf",
                    "res_id": boleto.id,
                    "raw": pdfs[boleto.id],
                    "mimetype": "application/pdf",
                }
                for boleto in boletos
            ]
        )
        self.env.cr.execute(
            """UPDATE cobranca_boleto AS boleto SET page_pdf_key = page.key
                 FROM (SELECT unnest(%s::int[]) AS id, unnest(%s::varchar[]) AS key) AS page
                WHERE boleto.id = page.id""",
            [boletos.ids, [keys[boleto_id] for boleto_id in boletos.ids]],
        )
        self.invalidate_recordset(["page_pdf", "page_pdf_key"])

    @api.autovacuum
    def _gc_page_pdfs(self):
        """Drop the stored pages of boletos that will not be sent again: cancelled, or paid."""
        self.flush_model(["state", "page_pdf_key", "move_line_id"])
        self.env["account.move.line"].flush_model(["reconciled"])
        self.env.cr.execute(
            """SELECT boleto.id
                 FROM cobranca_boleto boleto
                 LEFT JOIN account_move_line line ON line.id = boleto.move_line_id
                WHERE boleto.page_pdf_key IS NOT NULL AND (boleto.state != 'active' OR line.reconciled)"""
        )
        boletos = self.browse([row[0] for row in self.env.cr.fetchall()])
        if boletos:
            self.env["ir.attachment"].sudo().search(boletos._page_attachment_domain()).unlink()
            boletos.sudo().write({"page_pdf_key": False})

    def _interest_text(self, formats=None):
        """The fine and interest sentences printed in the boleto's instructions, in the env's language.

        Their amounts are ``cobranca_core.charges.instruction_amounts``, which the debt statement
        charges too: the boleto and the statement print the same cents for the same debt.
        """
        self.ensure_one()
        formats = formats or ReportFormats(self.env)
        wallet, currency = self.wallet_id, self.currency_id
        amounts = instruction_amounts(
            Decimal(float_repr(self.amount, currency.decimal_places)),
            wallet.fine_percent,
            wallet.interest_monthly_percent,
        )
        texts = []
        if wallet.fine_percent:
            fine = formats.text(
                "fine", lambda: self.env._("After the due date, charge a fine of %(percent)s%% (%(amount)s).")
            )
            texts.append(
                fine
                % {
                    "percent": formats.number(wallet.fine_percent),
                    "amount": formats.money(float(amounts.fine), currency),
                }
            )
        if wallet.interest_monthly_percent:
            interest = formats.text(
                "interest",
                lambda: self.env._("After the due date, charge interest of %(percent)s%% a month (%(amount)s a day)."),
            )
            texts.append(
                interest
                % {
                    "percent": formats.number(wallet.interest_monthly_percent),
                    "amount": formats.money(float(amounts.daily_interest), currency),
                }
            )
        return texts
