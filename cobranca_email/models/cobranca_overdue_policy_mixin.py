from odoo import fields, models

from cobranca_core.dunning import OverduePolicy

# What a partner group or a partner overrides; the dunning run reads the same columns by SQL.
POLICY_FIELDS = (
    "cobranca_overdue_email",
    "cobranca_overdue_tolerance_days",
    "cobranca_overdue_company_ids",
    "cobranca_overdue_account_ids",
)


class CobrancaOverduePolicyMixin(models.AbstractModel):
    """Seed 003's "e-mail about overdue debts" on a partner group or a partner.

    Each value left empty inherits: a partner's from its groups, a group's from the company. The
    companies and accounts fields are declared by each model (their relation tables differ).
    """

    _name = "cobranca.overdue.policy.mixin"
    _description = "Overdue debts e-mail settings"

    cobranca_overdue_email = fields.Selection(
        selection=[("yes", "Send"), ("no", "Do not send")],
        string="E-mail About Overdue Debts",
        help="Send, or not, the overdue debts in the dunning notices. Empty: as the group, or the company, says. "
        "Debts coming due are always announced.",
    )
    cobranca_overdue_tolerance_days = fields.Integer(
        string="Tolerance (days)",
        help="Days after the due date before a debt counts as overdue; applies when overdue e-mails are set to "
        "Send here.",
    )

    def _cobranca_overdue_policy(self):
        """The override as ``cobranca_core.dunning.OverduePolicy`` (``None``: inherited)."""
        self.ensure_one()
        return overdue_policy(
            self.cobranca_overdue_email,
            self.cobranca_overdue_tolerance_days,
            self.cobranca_overdue_company_ids.ids,
            self.cobranca_overdue_account_ids.ids,
        )


def overdue_policy(email, tolerance_days, company_ids, account_ids):
    """Build the override from stored values (also used with values read by SQL)."""
    return OverduePolicy(
        enabled={"yes": True, "no": False}.get(email),
        # The tolerance goes with the switch, as on seed 003's screen.
        tolerance_days=max(tolerance_days or 0, 0) if email == "yes" else None,
        company_ids=frozenset(company_ids or ()) or None,
        account_ids=frozenset(account_ids or ()) or None,
    )
