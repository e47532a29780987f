"""Who may press a button or confirm a wizard, checked on the server.

A view hides a button from the users who may not press it; a call over RPC reaches the method all
the same. Every public method of the addon that acts checks its caller with these first, before any
``sudo()``: the groups that may do it, and that the companies it acts for are among the user's. The
system's own calls (``env.su``: scheduled actions, the issuing code) are not checked, as Odoo's
access rights do not check them.
"""

from odoo.exceptions import AccessError

BILLING_USER = "cobranca_email.group_cobranca_user"
BILLING_MANAGER = "cobranca_email.group_cobranca_manager"
INVOICING = "account.group_account_invoice"
SYSTEM = "base.group_system"


def check_groups(env, groups, message):
    """Raise ``AccessError(message)`` unless the user is in one of ``groups`` (XML ids)."""
    if env.su or any(env.user.has_group(group) for group in groups):
        return
    raise AccessError(message)


def check_companies(env, companies):
    """Raise an AccessError unless every one of ``companies`` is one of the user's companies.

    The other companies are not named: the user may not read them.
    """
    if env.su or not companies - env.user.company_ids:
        return
    raise AccessError(env._("You have no access to the company these records belong to."))
