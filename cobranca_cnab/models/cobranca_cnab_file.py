"""A CNAB file exchanged with the bank: a remessa this addon generated, or a retorno it imported.

The file itself is kept as an attachment (``data``), to download again; its lines are the boletos it
carried (remessa) or the bank's occurrences and what the import did with each (retorno). Files are
written by the generator and the importer only (as superuser, after checking their caller): users
read them. Two constraints hold what must never happen twice, whatever runs at the same time: a file
number used twice in a wallet, and the same retorno imported twice into a wallet.
"""

import base64
import logging

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.cobranca_email.tools.access_checks import BILLING_MANAGER, BILLING_USER, check_groups

from ..tools.retorno_importer import RetornoImporter

_logger = logging.getLogger(__name__)


class CobrancaCnabFile(models.Model):
    _name = "cobranca.cnab.file"
    _description = "CNAB File"
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char(string="File Name", required=True, readonly=True)
    kind = fields.Selection(
        selection=[("remessa", "Remessa (to the bank)"), ("retorno", "Retorno (from the bank)")],
        required=True,
        readonly=True,
        index=True,
    )
    wallet_id = fields.Many2one(
        comodel_name="cobranca.wallet",
        string="Billing Wallet",
        readonly=True,
        index=True,
        check_company=True,
        ondelete="restrict",
    )
    company_id = fields.Many2one(
        comodel_name="res.company",
        required=True,
        readonly=True,
        index=True,
        default=lambda self: self.env.company,
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    state = fields.Selection(
        selection=[
            ("generated", "Generated"),
            ("imported", "Imported"),
            ("attention", "Imported, needs attention"),
            ("refused", "Refused"),
            ("discarded", "Discarded"),
        ],
        required=True,
        readonly=True,
        index=True,
    )
    date = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now)
    user_id = fields.Many2one(comodel_name="res.users", string="By", readonly=True, default=lambda self: self.env.user)
    sequence = fields.Integer(string="File Number", readonly=True, aggregator=None)
    bank_sequence = fields.Char(string="Bank's File Number", readonly=True)
    file_date = fields.Date(readonly=True)
    layout = fields.Char(readonly=True)
    data = fields.Binary(string="File", attachment=True, readonly=True)
    checksum = fields.Char(readonly=True, index=True, help="SHA-256 of the file: a retorno is imported once.")
    line_ids = fields.One2many(comodel_name="cobranca.cnab.line", inverse_name="file_id", string="Lines", readonly=True)
    boleto_count = fields.Integer(string="Boletos", compute="_compute_counts", store=True)
    attention_count = fields.Integer(string="Not Applied", compute="_compute_counts", store=True)
    amount_total = fields.Monetary(string="Total", readonly=True)
    summary = fields.Html(readonly=True, sanitize_overridable=False)

    def init(self):
        # A file number is given once per wallet, discarded files included: the bank may have seen them.
        self.env.cr.execute(
            """CREATE UNIQUE INDEX IF NOT EXISTS cobranca_cnab_file_remessa_sequence
               ON cobranca_cnab_file (wallet_id, sequence) WHERE kind = 'remessa'"""
        )
        # The same retorno is imported once per wallet (a refused one may be imported again).
        self.env.cr.execute(
            """CREATE UNIQUE INDEX IF NOT EXISTS cobranca_cnab_file_retorno_checksum
               ON cobranca_cnab_file (wallet_id, checksum) WHERE kind = 'retorno' AND state != 'refused'"""
        )

    @api.depends("line_ids.boleto_id", "line_ids.result")
    def _compute_counts(self):
        for file in self:
            file.boleto_count = len(file.line_ids.boleto_id)
            file.attention_count = len(file.line_ids.filtered(lambda line: line.result == "not_applied"))

    def action_download(self):
        self.ensure_one()
        self.check_access("read")
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{self._name}/{self.id}/data/{self.name}?download=true",
            "target": "download",
        }

    def action_view_boletos(self):
        self.ensure_one()
        self.check_access("read")
        return {
            "type": "ir.actions.act_window",
            "name": _("Boletos of %s", self.name),
            "res_model": "cobranca.boleto",
            "view_mode": "list,form",
            "domain": [("id", "in", self.line_ids.boleto_id.ids)],
        }

    def action_discard(self):
        """Discard a remessa the bank never received: its boletos wait for the next one again. The file
        keeps its number, which is never given again."""
        check_groups(self.env, [BILLING_MANAGER], _("Only billing e-mail managers can discard a remessa."))
        self.check_access("read")
        for file in self:
            if file.kind != "remessa" or file.state != "generated":
                raise UserError(_("Only a generated remessa can be discarded (%s is not one).", file.name))
            file.sudo().wallet_id._cnab_lock()
            for line in file.sudo().line_ids.filtered(lambda ln, file=file: ln.boleto_id.cnab_file_id == file):
                boleto = line.boleto_id
                if line.movement == "entry" and boleto.state == "active" and boleto.cnab_state == "sent":
                    boleto.write({"cnab_movement": "entry", "cnab_state": "to_register"})
                elif line.movement == "write_off" and boleto.cnab_state in ("sent", "registered"):
                    boleto.write({"cnab_movement": "write_off"})
            file.sudo().write({"state": "discarded"})
            file.sudo()._append_summary(
                _("Discarded by %(user)s: its boletos wait for the next remessa.", user=self.env.user.name)
            )

    def create_document_from_attachment(self, attachment_ids):
        """The CNAB files list's upload button and drop zone (account's ``file_upload_list``, which
        calls it on no record, as ``account.journal``'s): import each file as a retorno; returns the
        files imported (the attachments uploaded are removed, the files keep their own copy)."""
        check_groups(self.env, [BILLING_USER], _("Only billing e-mail users can import retornos."))
        attachments = self.env["ir.attachment"].browse(attachment_ids)
        attachments.check_access("read")
        files = self.browse()
        for attachment in attachments:
            files |= RetornoImporter(self.env).import_file(attachment.name, attachment.raw).file
        attachments.unlink()
        return self._action_open(files)

    @api.model
    def _action_open(self, files):
        action = self.env["ir.actions.act_window"]._for_xml_id("cobranca_cnab.cobranca_cnab_file_action")
        if len(files) == 1:
            action.update({"res_id": files.id, "view_mode": "form", "views": [(False, "form")]})
        else:
            action["domain"] = [("id", "in", files.ids)]
        return action

    @api.model
    def _cnab_remessa_outcome(self, results):
        """What the Generate Remessa buttons show: the files generated, or why there is none."""
        files = self.browse([result.file.id for result in results if result.file])
        if files:
            return self._action_open(files)
        problems = [message for result in results for message in result.left_out.values()]
        if not problems:
            raise UserError(_("Nothing to send: no boleto of these wallets waits for the bank."))
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": _("No remessa generated"),
                "message": "\n".join(problems),
                "type": "warning",
                "sticky": True,
            },
        }

    def _append_summary(self, text):
        self.ensure_one()
        self.summary = (self.summary or Markup("")) + Markup("<p>%s</p>") % text

    @api.model
    def _create_file(self, values, content):
        """A file record with ``content`` (bytes) as its attachment."""
        return self.sudo().create({**values, "data": base64.b64encode(content)})
