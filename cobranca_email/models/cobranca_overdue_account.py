from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class CobrancaOverdueAccount(models.Model):
    """A line of a customer's or partner group's restriction by company and receivable account: the
    overdue debts of that company in that account are e-mailed, or not (``cobranca_core.dunning.AccountRule``).

    The dunning run reads these lines by SQL with the customers (``tools/dunning_reader.py``); a customer's
    lines replace its groups'.
    """

    _name = "cobranca.overdue.account"
    _description = "Overdue E-mails by Company and Account"
    _order = "company_id, account_id, id"
    _check_company_auto = True

    partner_id = fields.Many2one(comodel_name="res.partner", string="Customer", index=True, ondelete="cascade")
    category_id = fields.Many2one(
        comodel_name="res.partner.category",
        string="Partner Group",
        index=True,
        ondelete="cascade",
    )
    company_id = fields.Many2one(
        comodel_name="res.company",
        required=True,
        default=lambda self: self.env.company,
    )
    account_id = fields.Many2one(
        comodel_name="account.account",
        string="Receivable Account",
        required=True,
        check_company=True,
        domain="[('account_type', '=', 'asset_receivable')]",
    )
    send = fields.Boolean(
        string="E-mail About Overdue Debts",
        default=True,
        help="Send the overdue debts of this company in this account in the dunning notices. When some line says "
        "Send, only the debts of the lines that say Send are dunned; lines that only say not to leave the other "
        "debts in.",
    )

    _sql_constraints = [
        (
            "partner_or_group",
            "CHECK((partner_id IS NULL) != (category_id IS NULL))",
            "A line of overdue e-mails by company and account belongs to one customer or to one partner group.",
        ),
    ]

    @api.constrains("partner_id", "category_id", "company_id", "account_id")
    def _check_once_per_company_and_account(self):
        for line in self:
            owner = line.partner_id or line.category_id
            pairs = [(other.company_id.id, other.account_id.id) for other in owner.sudo().cobranca_overdue_rule_ids]
            if pairs.count((line.company_id.id, line.account_id.id)) > 1:
                raise ValidationError(
                    _(
                        "%(owner)s: company %(company)s and account %(account)s are listed twice in the overdue "
                        "e-mails by company and account.",
                        owner=owner.display_name,
                        company=line.company_id.display_name,
                        account=line.account_id.display_name,
                    )
                )

    @api.constrains("account_id")
    def _check_receivable_account(self):
        for line in self:
            if line.account_id.account_type != "asset_receivable":
                raise ValidationError(
                    _(
                        "Account %(account)s is not a receivable account: only receivable accounts hold debts to dun.",
                        account=line.account_id.display_name,
                    )
                )
