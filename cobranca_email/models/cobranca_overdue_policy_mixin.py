from odoo import fields, models

from cobranca_core.dunning import AccountRule, OverduePolicy

# What a partner group or a partner overrides, in the order overdue_policy() takes them: the dunning
# run reads these columns of both models by SQL, with one reader (tools/dunning_reader.py).
POLICY_FIELDS = (
    "cobranca_overdue_email",
    "cobranca_overdue_tolerance_days",
    "cobranca_overdue_company_ids",
    "cobranca_overdue_account_ids",
    "cobranca_upcoming_email",
    "cobranca_overdue_rule_ids",
)
# The columns of a cobranca.overdue.account line the run reads, in AccountRule's order.
RULE_FIELDS = ("company_id", "account_id", "send")

SWITCH = [("yes", "Send"), ("no", "Do not send")]


class CobrancaOverduePolicyMixin(models.AbstractModel):
    """The dunning e-mail settings of a partner group or a partner: "E-mail About Overdue Debts" and
    "E-mail About Debts Coming Due", the tolerance and the restriction by company and account.

    Each value left empty inherits: a partner's from its groups, a group's from the company
    (``cobranca_core.dunning.effective_policy``). The companies, accounts and company-and-account fields
    are declared by each model (their relation tables and inverse fields differ); the run reads them
    through each field's relation.
    """

    _name = "cobranca.overdue.policy.mixin"
    _description = "Dunning e-mail settings"

    cobranca_overdue_email = fields.Selection(
        selection=SWITCH,
        string="E-mail About Overdue Debts",
        help="Send, or not, the overdue debts in the dunning notices. Empty: as the group, or the company, says. "
        "Do not send also stops the e-mails about debts coming due, unless E-mail About Debts Coming Due says Send.",
    )
    cobranca_overdue_tolerance_days = fields.Integer(
        string="Tolerance (days)",
        help="Days after the due date before a debt counts as overdue; applies when overdue e-mails are set to "
        "Send here.",
    )
    cobranca_upcoming_email = fields.Selection(
        selection=SWITCH,
        string="E-mail About Debts Coming Due",
        help="Announce, or not, the debts coming due with their boletos. Empty: Do not send when overdue e-mails are "
        "set to Do not send here; otherwise as the group, or the company, says.",
    )

    def _cobranca_overdue_policy(self):
        """The override as ``cobranca_core.dunning.OverduePolicy`` (``None``: inherited)."""
        self.ensure_one()
        return overdue_policy(
            self.cobranca_overdue_email,
            self.cobranca_overdue_tolerance_days,
            self.cobranca_overdue_company_ids.ids,
            self.cobranca_overdue_account_ids.ids,
            self.cobranca_upcoming_email,
            [
                (line.company_id.id, line.account_id.id, line.send)
                for line in self.cobranca_overdue_rule_ids
                if line.company_id and line.account_id
            ],
        )


def overdue_policy(email, tolerance_days, company_ids, account_ids, upcoming_email=None, rules=()):
    """Build the override from stored values (also used with values read by SQL): ``rules`` are
    ``(company id, account id, send)`` rows of the company-and-account lines."""
    return OverduePolicy(
        enabled=SWITCH_VALUES.get(email),
        # The tolerance goes with the switch, as the form shows it: it is set only with "Send".
        tolerance_days=max(tolerance_days or 0, 0) if email == "yes" else None,
        company_ids=frozenset(company_ids or ()) or None,
        account_ids=frozenset(account_ids or ()) or None,
        upcoming_enabled=SWITCH_VALUES.get(upcoming_email),
        account_rules=frozenset(AccountRule(company, account, bool(send)) for company, account, send in rules or ())
        or None,
    )


SWITCH_VALUES = {"yes": True, "no": False}
