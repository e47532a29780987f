from odoo import fields, models


class ResPartnerCategory(models.Model):
    _name = "res.partner.category"
    _inherit = ["res.partner.category", "cobranca.overdue.policy.mixin"]

    cobranca_overdue_company_ids = fields.Many2many(
        comodel_name="res.company",
        relation="res_partner_category_cobranca_overdue_company_rel",
        column1="category_id",
        column2="company_id",
        string="Only Debts of Companies",
        help="Dun the partners of this group only for the debts of these companies. Empty: every company.",
    )
    cobranca_overdue_account_ids = fields.Many2many(
        comodel_name="account.account",
        relation="res_partner_category_cobranca_overdue_account_rel",
        column1="category_id",
        column2="account_id",
        string="Only Debts in Accounts",
        domain="[('account_type', '=', 'asset_receivable')]",
        help="Dun the partners of this group only for the debts in these receivable accounts. Empty: every account.",
    )
    cobranca_overdue_rule_ids = fields.One2many(
        comodel_name="cobranca.overdue.account",
        inverse_name="category_id",
        string="Overdue E-mails by Company and Account",
        help="Dun the partners of this group for the debts of these companies in these receivable accounts, each "
        "line with its own switch. A customer's own lines, or its own receivable account, win over these.",
    )
