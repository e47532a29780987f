import logging
import re

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import email_normalize, formataddr

from cobranca_core import mail_purposes
from cobranca_core.recipients import invalid_entries, split_emails

from ..tools.access_checks import BILLING_MANAGER, BILLING_USER, SYSTEM, check_groups

_logger = logging.getLogger(__name__)

#: purpose key -> boolean field marking a server as the default for it
PURPOSE_FIELDS = {key: f"purpose_{key}" for key in mail_purposes.SERVER_PURPOSE_KEYS}


class IrMailServer(models.Model):
    _inherit = "ir.mail_server"

    sender_name = fields.Char(
        string="Sender name",
        help="Name customers see as sender of billing e-mail. Each linked company can have its own; "
        "when both are empty, the company's name is used.",
    )
    sender_email = fields.Char(
        string="Sender e-mail",
        help="Address billing e-mail is sent from (usually the account's own address). Empty: the company's e-mail.",
    )
    cc_emails = fields.Char(
        string="Copy to (CC)",
        help="Addresses, separated by commas, that receive a copy of every billing e-mail sent through this server.",
    )
    # Billing managers configure the billing servers without being system administrators: Odoo keeps
    # the account's user name and password for administrators. The user name is shown; the password
    # is written only, never read back (not even by administrators through this field).
    cobranca_smtp_user = fields.Char(
        string="Username (billing)",
        compute="_compute_cobranca_smtp_password",
        inverse="_inverse_cobranca_smtp_user",
        groups="cobranca_email.group_cobranca_manager",
    )
    cobranca_smtp_password = fields.Char(
        string="New password",
        compute="_compute_cobranca_smtp_password",
        inverse="_inverse_cobranca_smtp_password",
        groups="cobranca_email.group_cobranca_manager",
        help="Type the account's password to replace it. The saved password is never shown.",
    )
    cobranca_has_password = fields.Boolean(
        string="Password saved",
        compute="_compute_cobranca_smtp_password",
        groups="cobranca_email.group_cobranca_manager",
    )
    purpose_boleto = fields.Boolean(
        string="Default for boletos",
        help="Boletos of the linked companies are sent through this server.",
    )
    purpose_dunning = fields.Boolean(
        string="Default for dunning letters",
        help="Dunning letters (cartas de cobrança) of the linked companies are sent through this server.",
    )
    purpose_notice = fields.Boolean(
        string="Default for boleto notices",
        help="Notices of boletos coming due and overdue are sent through this server.",
    )
    purpose_contract_approval = fields.Boolean(
        string="Default for contract approval",
        help="E-mails asking approvers to approve contracts are sent through this server.",
    )
    purpose_sales_notification = fields.Boolean(
        string="Default for overdue sales notification",
        help="Notifications of overdue sales are sent through this server.",
    )
    purpose_agreement_approval = fields.Boolean(
        string="Default for agreement approval",
        help="E-mails asking approvers to approve payment agreements (acordos) are sent through this server.",
    )
    purpose_expense_approval = fields.Boolean(
        string="Default for expense approval",
        help="E-mails asking approvers to approve expenses are sent through this server.",
    )
    # Seed 000's purposes of other modules' documents are offered only when such documents exist here.
    cobranca_offers_contract_approval = fields.Boolean(compute="_compute_cobranca_offered_purposes")
    cobranca_offers_sales_notification = fields.Boolean(compute="_compute_cobranca_offered_purposes")
    cobranca_offers_agreement_approval = fields.Boolean(compute="_compute_cobranca_offered_purposes")
    cobranca_offers_expense_approval = fields.Boolean(compute="_compute_cobranca_offered_purposes")
    company_link_ids = fields.One2many(
        comodel_name="cobranca.mail.server.company",
        inverse_name="mail_server_id",
        string="Companies",
        copy=False,
    )
    linked_company_ids = fields.Many2many(
        comodel_name="res.company",
        string="Linked companies",
        compute="_compute_linked_company_ids",
        search="_search_linked_company_ids",
    )
    cobranca_purposes = fields.Char(
        string="Default for",
        compute="_compute_cobranca_purposes",
        help="The billing e-mail this server sends by default.",
    )
    company_count = fields.Integer(
        string="Companies served",
        compute="_compute_linked_company_ids",
    )
    company_vat = fields.Char(
        string="Company CNPJ",
        compute="_compute_company_vat",
        search="_search_company_vat",
    )

    def _compute_cobranca_smtp_password(self):
        for server in self:
            server.cobranca_smtp_user = server.sudo().smtp_user
            server.cobranca_smtp_password = False
            server.cobranca_has_password = bool(server.sudo().smtp_pass)

    def _inverse_cobranca_smtp_user(self):
        for server in self:
            server.sudo().smtp_user = server.cobranca_smtp_user

    def _inverse_cobranca_smtp_password(self):
        for server in self:
            if server.cobranca_smtp_password:
                server.sudo().smtp_pass = server.cobranca_smtp_password

    @api.depends(*PURPOSE_FIELDS.values())
    def _compute_cobranca_purposes(self):
        labels = dict(self.env["cobranca.email.log"]._fields["purpose"]._description_selection(self.env))
        for server in self:
            server.cobranca_purposes = ", ".join(
                labels[purpose] for purpose, field_name in PURPOSE_FIELDS.items() if server[field_name]
            )

    def _compute_cobranca_offered_purposes(self):
        offered = {purpose for _model, purpose in self.env["cobranca.mail.purpose.model"]._purpose_of_models()}
        for server in self:
            for purpose in mail_purposes.OTHER_PURPOSE_KEYS:
                # A server already marked keeps showing it, so that it can be unmarked.
                server[f"cobranca_offers_{purpose}"] = purpose in offered or server[PURPOSE_FIELDS[purpose]]

    @api.depends("company_link_ids.company_id")
    def _compute_linked_company_ids(self):
        for server in self:
            server.linked_company_ids = server.company_link_ids.company_id
            server.company_count = len(server.company_link_ids)

    def _search_linked_company_ids(self, operator, value):
        return [("company_link_ids.company_id", operator, value)]

    def _compute_company_vat(self):
        for server in self:
            server.company_vat = ", ".join(filter(None, server.company_link_ids.company_id.mapped("vat")))

    def _search_company_vat(self, operator, value):
        if operator not in ("ilike", "like", "=", "=ilike") or not isinstance(value, str):
            return [("company_link_ids.company_id.vat", operator, value)]
        # Match the digits, whatever punctuation the CNPJ was typed or stored with.
        digits = re.sub(r"\D", "", value)
        if not digits:
            return [("company_link_ids.company_id.vat", operator, value)]
        companies = self.env["res.company"].sudo().search([("vat", "!=", False)])
        matching = companies.filtered(lambda company: digits in re.sub(r"\D", "", company.vat))
        return [("company_link_ids.company_id", "in", matching.ids)]

    @api.constrains("cc_emails", "sender_email")
    def _check_cobranca_addresses(self):
        for server in self:
            for field_name in ("cc_emails", "sender_email"):
                invalid = invalid_entries(server[field_name])
                if invalid:
                    raise ValidationError(
                        _(
                            "%(field)s of the mail server “%(server)s” has invalid e-mail addresses: %(addresses)s",
                            field=self._fields[field_name]._description_string(self.env),
                            server=server.name,
                            addresses=", ".join(invalid),
                        )
                    )
            if len(split_emails(server.sender_email)) > 1:
                raise ValidationError(
                    _("The mail server “%(server)s” can have only one sender e-mail.", server=server.name)
                )

    @api.constrains("active", "company_link_ids", *PURPOSE_FIELDS.values())
    def _check_purpose_default_unique(self):
        """At most one active default server per purpose and company (and one without company)."""
        purpose_labels = dict(self.env["cobranca.email.log"]._fields["purpose"]._description_selection(self.env))
        for server in self.sudo().filtered("active"):
            companies = server.company_link_ids.company_id
            for purpose, field_name in PURPOSE_FIELDS.items():
                if not server[field_name]:
                    continue
                domain = [("id", "!=", server.id), (field_name, "=", True)]
                if companies:
                    other = self.sudo().search([*domain, ("company_link_ids.company_id", "in", companies.ids)], limit=1)
                    if other:
                        company = (other.company_link_ids.company_id & companies)[:1]
                        raise ValidationError(
                            _(
                                "The mail server “%(other)s” is already the default for %(purpose)s of %(company)s, "
                                "so “%(server)s” cannot be. Uncheck it on “%(other)s” first, or unlink %(company)s "
                                "from one of them.",
                                other=other.name,
                                purpose=purpose_labels[purpose],
                                company=company.name,
                                server=server.name,
                            )
                        )
                else:
                    other = self.sudo().search([*domain, ("company_link_ids", "=", False)], limit=1)
                    if other:
                        raise ValidationError(
                            _(
                                "The mail server “%(other)s” is already the default for %(purpose)s of the companies "
                                "without a linked server, so “%(server)s” cannot be. Uncheck it on “%(other)s” "
                                "first, or link “%(server)s” to its companies.",
                                other=other.name,
                                purpose=purpose_labels[purpose],
                                server=server.name,
                            )
                        )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_linked_to_companies(self):
        for server in self.sudo():
            if server.company_link_ids:
                raise UserError(
                    _(
                        "The mail server “%(server)s” still sends for %(companies)s. Unlink these companies first, "
                        "or archive the server to stop using it.",
                        server=server.name,
                        companies=", ".join(server.company_link_ids.company_id.mapped("name")),
                    )
                )

    def unlink(self):
        result = super().unlink()
        self.env.registry.clear_cache()
        return result

    def action_cobranca_link_companies(self):
        self.ensure_one()
        check_groups(
            self.env, [BILLING_MANAGER, SYSTEM], _("Only billing e-mail managers can link companies to mail servers.")
        )
        self._cobranca_check_serves_user()
        return {
            "type": "ir.actions.act_window",
            "name": _("Link companies"),
            "res_model": "cobranca.mail.server.link.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_mail_server_id": self.id},
        }

    def test_smtp_connection(self, autodetect_max_email_size=False):
        # Billing users read mail servers (this addon's access rights) and Odoo's test connects with the
        # server's account as superuser: only through a server of their companies.
        self.check_access("read")
        self._cobranca_check_serves_user()
        return super().test_smtp_connection(autodetect_max_email_size=autodetect_max_email_size)

    @api.model
    def _cobranca_resolve(self, purpose, company):
        """The mail server billing e-mail of ``purpose`` leaves from for ``company``.

        The one rule every feature that sends billing e-mail uses:

        1. the active server marked as default for ``purpose`` and linked to ``company``;
        2. otherwise the active server marked as default for ``purpose`` and linked to no company
           (the default of every company without its own);
        3. otherwise nothing (an empty recordset): Odoo's normal choice of server applies, limited by
           :meth:`_cobranca_message_values` to servers not linked to other companies.

        A server linked only to other companies is never returned. Constraints keep at most one
        server per purpose and company in 1., and one in 2.

        :param str purpose: a key of ``cobranca_core.mail_purposes.SERVER_PURPOSE_KEYS``
        :param company: ``res.company`` record
        :return: ``ir.mail_server`` record, possibly empty
        """
        field_name = PURPOSE_FIELDS.get(purpose)
        if not field_name:
            raise ValueError(f"unknown billing purpose {purpose!r}")
        candidates = self.sudo().search([(field_name, "=", True)], order="sequence, id")
        linked = candidates.filtered(lambda server: company in server.company_link_ids.company_id)
        chosen = linked[:1] or candidates.filtered(lambda server: not server.company_link_ids)[:1]
        return self.browse(chosen.ids)

    def _cobranca_serves(self, company):
        """Whether this server may send for ``company``: linked to it, or to no company at all."""
        self.ensure_one()
        # Every link, also those to companies the user may not read.
        links = self.sudo().company_link_ids
        return not links or company in links.company_id

    def _cobranca_check_serves_user(self):
        """Refuse these servers unless each sends for one of the user's companies (or for every company):
        the buttons and wizards that call this use the server's account as superuser. Billing users
        read every server (not its account); administrators may use any."""
        if self.env.su or self.env.user.has_group(SYSTEM):
            return
        companies = self.env.user.company_ids
        for server in self:
            links = server.sudo().company_link_ids
            if links and not links.company_id & companies:
                raise AccessError(
                    _(
                        "The mail server “%(server)s” sends for other companies than yours: you cannot use it.",
                        server=server.name,
                    )
                )

    @api.model
    def _cobranca_sender(self, purpose, company, server=None):
        """``mail_server_id`` and ``email_from`` of billing e-mail of ``purpose`` for ``company``, for
        the billing mail queue: through ``server`` when the company chose one in its settings, else
        through the server :meth:`_cobranca_resolve` gives. Unset values are left out; the mail layer
        adds the server's copy list itself (the purpose is on the message)."""
        if server and not server._cobranca_serves(company):
            # Checked again here, not only when the setting is saved: the server's links may have
            # changed since.
            raise UserError(
                _(
                    "Mail server %(server)s, chosen in the settings of %(company)s, is linked to other companies "
                    "only: the e-mail was not sent. Choose one of the company's servers in Settings > Billing "
                    "E-mail, or link this server to the company.",
                    server=server.display_name,
                    company=company.display_name,
                )
            )
        values = (server or self._cobranca_resolve(purpose, company))._cobranca_message_values(purpose, company)
        return {key: values[key] for key in ("mail_server_id", "email_from") if values[key]}

    def _cobranca_message_values(self, purpose, company):
        """Sending values of billing e-mail of ``purpose`` for ``company`` through this server.

        Call it on the result of :meth:`_cobranca_resolve` (a server, or an empty recordset). Returns::

            {
                "mail_server_id": int or False,
                "email_from": '"Sender name" <sender@e-mail>' or False,
                "email_cc": "a@x.com, b@y.com" (the server's copy list, possibly ""),
            }

        The sender name is the one of ``company``'s link to the server, else the server's, else the
        company's name; the address is the server's sender e-mail, else the company's. With no server,
        the company's address is used and Odoo's normal choice of server is made among the servers
        that are not linked to other companies (``mail_server_id`` False when there is none left).

        Pass ``mail_server_id``, ``email_from`` and ``cobranca_purpose=purpose`` to
        ``record.message_post()`` (or ``mail.template.send_mail(email_values=...)``): every mail.mail of
        a message with a billing purpose gets the server's copy list in its CC automatically, and the
        server's sending limits apply to it.
        """
        server = self.sudo()[:1]
        if server:
            link = server.company_link_ids.filtered(lambda link: link.company_id == company)[:1]
            name = link.sender_name or server.sender_name or company.name
            address = email_normalize(server.sender_email or company.email or "")
            return {
                "mail_server_id": server.id,
                "email_from": formataddr((name, address)) if address else False,
                "email_cc": ", ".join(server._cobranca_cc_list()),
            }
        email_from = company.email_formatted or False
        allowed = self.sudo().search([], order="sequence, id").filtered(lambda server: server._cobranca_serves(company))
        chosen = False
        if allowed:
            chosen = allowed._find_mail_server(email_from or self.env.user.email, allowed)[0]
        return {"mail_server_id": chosen.id if chosen else False, "email_from": email_from, "email_cc": ""}

    def _cobranca_cc_list(self):
        """The server's copy addresses, normalized, without duplicates."""
        self.ensure_one()
        return list(dict.fromkeys(filter(None, map(email_normalize, split_emails(self.cc_emails)))))

    # ------------------------------------------------------------------------------------------
    # test e-mail (mail_outgoing_delivery): billing users, through their companies' servers, logged
    # ------------------------------------------------------------------------------------------

    def _delivery_check_test_email(self):
        """Billing users may send it: the account (user name, password) is read with sudo and never
        shown. Only through a server of the current company."""
        check_groups(self.env, [BILLING_USER, SYSTEM], _("Only billing e-mail users can send test e-mails."))
        self._cobranca_check_serves_user()
        if not self._cobranca_serves(self.env.company):
            raise UserError(
                _(
                    "The mail server “%(server)s” does not send for %(company)s: switch to a company it is linked "
                    "to before sending the test e-mail.",
                    server=self.name,
                    company=self.env.company.name,
                )
            )

    def _delivery_test_recipient(self):
        # Seed 001: without a test recipient, the test goes to the account's own address.
        return self.test_email_to or email_normalize(self.sender_email or "") or super()._delivery_test_recipient()

    def _delivery_test_sender(self):
        values = self._cobranca_message_values(mail_purposes.TEST, self.env.company)
        return values["email_from"] or super()._delivery_test_sender()

    def _delivery_test_email_done(self, email_from, recipient, subject, failure):
        """The attempt is recorded in the e-mail log (purpose ``test``)."""
        values = {
            "purpose": mail_purposes.TEST,
            "company_id": self.env.company.id,
            "mail_server_id": self.id,
            "email_from": email_from,
            "recipients": recipient,
            "subject": subject,
        }
        if failure:
            values.update(state="failed", failure_reason="\n".join(failure))
        else:
            values.update(state="sent", sent_date=fields.Datetime.now())
        self.env["cobranca.email.log"].sudo().create(values)
        return super()._delivery_test_email_done(email_from, recipient, subject, failure)
