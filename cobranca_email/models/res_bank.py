from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from cobranca_core.boleto import LAYOUTS


class ResBank(models.Model):
    _inherit = "res.bank"

    cobranca_bank_code = fields.Char(
        string="Bank Code (COMPE)",
        size=3,
        help="The 3-digit code of the bank in the Brazilian payment system (e.g. 001 Banco do Brasil, "
        "341 Itaú). It selects the boleto layout of the billing wallets of this bank.",
    )
    cobranca_boleto_supported = fields.Boolean(
        string="Boleto Layout Available",
        compute="_compute_cobranca_boleto_supported",
    )

    @api.depends("cobranca_bank_code")
    def _compute_cobranca_boleto_supported(self):
        for bank in self:
            bank.cobranca_boleto_supported = bank.cobranca_bank_code in LAYOUTS

    @api.constrains("cobranca_bank_code")
    def _check_cobranca_bank_code(self):
        for bank in self.filtered("cobranca_bank_code"):
            code = bank.cobranca_bank_code
            if len(code) != 3 or not code.isdigit():
                raise ValidationError(
                    _(
                        "Bank %(bank)s: the Bank Code (COMPE) must have 3 digits, not “%(code)s”.",
                        bank=bank.name,
                        code=code,
                    )
                )
