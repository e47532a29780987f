from contextlib import closing
from datetime import date

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

from cobranca_core import dunning

from .common import CobrancaCommon

# What each role may do to the records of its own companies, by model ("r"ead, "w"rite, "c"reate,
# "u"nlink): never to those of another company. Boletos are written by the issuing code only.
RIGHTS = {
    "cobranca.wallet": {"user": "r", "manager": "rwcu", "auditor": "r"},
    "cobranca.boleto": {"user": "r", "manager": "r", "auditor": "r"},
    "cobranca.dunning.notice": {"user": "r", "manager": "ru"},
    "cobranca.dunning.notice.line": {"user": "r", "manager": "ru"},
    "cobranca.dunning.state": {"user": "r", "manager": "r"},
    "cobranca.email.log": {"user": "r", "manager": "r"},
    "cobranca.mail.server.company": {"user": "r", "manager": "rwcu"},
    "cobranca.dunning.preview": {"user": "rwcu", "manager": "rwcu"},
    "cobranca.dunning.preview.line": {"user": "rwcu", "manager": "rwcu"},
    "cobranca.mail.server.link.wizard": {"manager": "rwcu"},
    "cobranca.mail.server.branch.wizard": {"manager": "rwcu"},
}
WRITES = {
    "cobranca.wallet": {"instructions": "Não receber após o vencimento."},
    "cobranca.boleto": {"cancel_reason": "forged"},
    "cobranca.dunning.notice": {"recipients": "outro@example.com"},
    "cobranca.dunning.notice.line": {"days_late": 99},
    "cobranca.dunning.state": {"notice_count": 99},
    "cobranca.email.log": {"subject": "forged"},
    "cobranca.mail.server.company": {"sender_name": "Outro nome"},
    "cobranca.dunning.preview": {"send_count": 99},
    "cobranca.dunning.preview.line": {"reason": "forged"},
    "cobranca.mail.server.link.wizard": {"sender_name": "Outro nome"},
    "cobranca.mail.server.branch.wizard": {"sender_name": "Outro nome"},
}


def undone(cr):
    """A savepoint rolled back at the end of the block, whatever happened in it."""
    return closing(cr.savepoint())


@tagged("post_install", "-at_install")
class TestAccess(CobrancaCommon):
    """Companies A and B, each with a branch, and real users of each: a billing user, a billing
    manager and an auditor (accounting read-only) of A, a billing manager and a sales user of B.

    What each user lists, reads, writes, creates and deletes of both companies' billing records, and
    which buttons and wizards refuse them on the server, as a call over RPC reaches them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        company_a = cls.company
        company_a.cobranca_dunning_enabled = True
        company_b = cls.setup_other_company(name="Empresa B Ltda")["company"]
        cls.branch = {
            "A": env["res.company"].create({"name": "Filial A", "parent_id": company_a.id}),
            "B": env["res.company"].create({"name": "Filial B", "parent_id": company_b.id}),
        }
        cls.companies = {"A": company_a, "B": company_b}
        account_b = cls.bank_account.copy({"acc_number": "0057 12345-7 B", "partner_id": company_b.partner_id.id})
        cls.bank_accounts = {"A": cls.bank_account, "B": account_b}
        wallet_b = cls.wallet.copy({"company_id": company_b.id, "partner_bank_id": account_b.id})
        company_b.cobranca_wallet_id = wallet_b
        cls.wallets = {"A": cls.wallet, "B": wallet_b}
        cls.spare_partner = env["res.partner"].create({"name": "Cliente sem estado"})
        cls.customers, cls.invoices, cls.servers = {}, {}, {}
        for side, company in cls.companies.items():
            cls.customers[side] = env["res.partner"].create(
                {"name": f"Cliente {side}", "email": f"cliente.{side.lower()}@example.com", "company_id": company.id}
            )
            cls.invoices[side] = cls._invoice_of(company, cls.customers[side])
            cls.servers[side] = env["ir.mail_server"].create(
                {
                    "name": f"Servidor {side}",
                    "smtp_host": "127.0.0.1",
                    "test_email_to": "teste@example.com",
                    "company_link_ids": [Command.create({"company_id": company.id})],
                }
            )
        cls.records = {model: {} for model in RIGHTS}
        for side in cls.companies:
            for model in RIGHTS:  # notices and previews before their lines
                cls.records[model][side] = cls._record(model, side)

        def user(login, groups, side):
            company = cls.companies[side]
            return new_test_user(
                env,
                login=login,
                groups=f"base.group_user,{groups}",
                company_id=company.id,
                company_ids=[Command.set((company | cls.branch[side]).ids)],
            )

        # sales_team is not among the addon's dependencies: B's sales user is an internal user who may
        # edit customers (Contact Creation), as a salesman does.
        cls.user_a = user("billing_user_a", "cobranca_email.group_cobranca_user", "A")
        cls.manager_a = user("billing_manager_a", "cobranca_email.group_cobranca_manager", "A")
        cls.auditor_a = user("auditor_a", "account.group_account_readonly", "A")
        cls.manager_b = user("billing_manager_b", "cobranca_email.group_cobranca_manager", "B")
        cls.sales_b = user("sales_b", "base.group_partner_manager", "B")
        cls.admin_a = user("admin_a", "base.group_system,cobranca_email.group_cobranca_manager", "A")
        cls.users = [
            (cls.user_a, "user", "A"),
            (cls.manager_a, "manager", "A"),
            (cls.auditor_a, "auditor", "A"),
            (cls.manager_b, "manager", "B"),
            (cls.sales_b, "sales", "B"),
        ]

    @classmethod
    def _invoice_of(cls, company, partner, post=True):
        move = (
            cls.env["account.move"]
            .with_company(company)
            .create(
                {
                    "move_type": "out_invoice",
                    "partner_id": partner.id,
                    "invoice_date": date(2026, 11, 2),
                    "invoice_payment_term_id": cls.payment_term_2x.id,
                    "invoice_line_ids": [Command.create({"name": "Mensalidade", "quantity": 1, "price_unit": 300.0})],
                }
            )
        )
        if post:
            move.action_post()
        return move

    @classmethod
    def _values(cls, model, side):
        """Values of a new record of ``model`` in company ``side`` (its branch for the links)."""
        company, branch, customer = cls.companies[side], cls.branch[side], cls.customers[side]
        records = cls.records
        values = {
            "cobranca.wallet": lambda: {
                "name": f"Itaú 112 {side}",
                "company_id": company.id,
                "partner_bank_id": cls.bank_accounts[side].id,
                "agency": "0057",
                "account": "12345",
                "account_dv": "7",
                "carteira": "112",
            },
            "cobranca.boleto": lambda: {
                "move_id": cls.invoices[side].id,
                "wallet_id": cls.wallets[side].id,
                "barcode": "3" * 44,
                "state": "cancelled",
            },
            "cobranca.dunning.notice": lambda: {
                "date": date(2026, 12, 10),
                "company_id": company.id,
                "partner_id": customer.id,
                "currency_id": company.currency_id.id,
                "reason": dunning.FIRST_NOTICE,
                "purpose": "dunning",
            },
            "cobranca.dunning.notice.line": lambda: {
                "notice_id": records["cobranca.dunning.notice"][side].id,
                "currency_id": company.currency_id.id,
                "kind": "overdue",
                "due_date": date(2026, 12, 2),
                "amount": 150.0,
            },
            "cobranca.dunning.state": lambda: {
                "partner_id": cls.spare_partner.id,
                "company_id": company.id,
                "notice_count": 0,
            },
            "cobranca.email.log": lambda: {"purpose": "boleto", "company_id": company.id, "subject": "Boletos"},
            "cobranca.mail.server.company": lambda: {"mail_server_id": cls.servers[side].id, "company_id": branch.id},
            "cobranca.dunning.preview": lambda: {"company_id": company.id},
            "cobranca.dunning.preview.line": lambda: {
                "preview_id": records["cobranca.dunning.preview"][side].id,
                "partner_id": customer.id,
            },
            "cobranca.mail.server.link.wizard": lambda: {
                "mail_server_id": cls.servers[side].id,
                "company_ids": [Command.set(branch.ids)],
            },
            "cobranca.mail.server.branch.wizard": lambda: {"company_id": branch.id},
        }
        return values[model]()

    @classmethod
    def _record(cls, model, side):
        """The record of ``model`` of company ``side`` the users try to reach."""
        if model == "cobranca.wallet":
            return cls.wallets[side]
        if model == "cobranca.boleto":
            return cls.invoices[side].cobranca_boleto_ids[:1]
        if model == "cobranca.dunning.state":
            return (
                cls.env[model]
                .sudo()
                .create({"partner_id": cls.customers[side].id, "company_id": cls.companies[side].id, "notice_count": 0})
            )
        if model == "cobranca.mail.server.company":
            return cls.servers[side].company_link_ids
        if model == "cobranca.mail.server.link.wizard":
            return (
                cls.env[model]
                .sudo()
                .create({**cls._values(model, side), "company_ids": [Command.set(cls.companies[side].ids)]})
            )
        return cls.env[model].sudo().create(cls._values(model, side))

    def assertOutcome(self, allowed, action):
        """``action`` succeeds (with what it wrote) when ``allowed``, else raises an AccessError."""
        if allowed:
            action()
            self.env.flush_all()
            return
        with self.assertRaises(AccessError):
            action()
            self.env.flush_all()

    def test_each_user_reaches_the_records_of_their_companies_only(self):
        # Each company has its own record of each model, with a boleto issued by posting its invoice.
        for model, records in self.records.items():
            self.assertTrue(records["A"] and records["B"], model)
            self.assertEqual(len(records["A"] | records["B"]), 2, model)
        for model, rights in RIGHTS.items():
            Model = self.env[model]
            both = self.records[model]["A"] | self.records[model]["B"]
            for user, role, side in self.users:
                may = rights.get(role, "")
                with self.subTest(model=model, user=user.login, operation="search"), undone(self.env.cr):
                    if "r" in may:
                        # The user's company's record listed, never the other's.
                        self.assertEqual(
                            Model.with_user(user).search([("id", "in", both.ids)]), both & self.records[model][side]
                        )
                    else:
                        with self.assertRaises(AccessError):
                            Model.with_user(user).search([("id", "in", both.ids)])
                for owner in ("A", "B"):
                    record = self.records[model][owner]
                    attempts = {
                        "read": lambda record=record, user=user: record.with_user(user).read(["create_date"]),
                        "write": lambda record=record, user=user, model=model: record.with_user(user).write(
                            WRITES[model]
                        ),
                        "create": lambda user=user, model=model, owner=owner: (
                            self.env[model].with_user(user).create(self._values(model, owner))
                        ),
                        "unlink": lambda user=user, model=model, owner=owner: (
                            self.env[model].sudo().create(self._values(model, owner)).with_user(user).unlink()
                        ),
                    }
                    for operation, attempt in attempts.items():
                        allowed = owner == side and operation[0] in may
                        with (
                            self.subTest(model=model, user=user.login, operation=operation, company=owner),
                            undone(self.env.cr),
                        ):
                            self.assertOutcome(allowed, attempt)

    def test_buttons_and_wizards_refuse_on_the_server(self):
        """Every public method of the addon, called on A's records by each user: the auditor, B's
        users and those without the method's group are refused, whatever the view shows them."""
        company, branch, customer, server = (
            self.companies["A"],
            self.branch["A"],
            self.customers["A"],
            self.servers["A"],
        )
        invoice, draft = self.invoices["A"], self._invoice_of(company, customer, post=False)
        preview = self.records["cobranca.dunning.preview"]["A"]
        preview.partner_ids = customer
        link_wizard = (
            self.env["cobranca.mail.server.link.wizard"]
            .sudo()
            .create({"mail_server_id": server.id, "company_ids": [Command.set(branch.ids)]})
        )
        branch_wizard = self.env["cobranca.mail.server.branch.wizard"].sudo().create({"company_id": branch.id})
        user, manager, auditor = self.user_a, self.manager_a, self.auditor_a
        calls = [
            (invoice, "button_draft", {user, manager}),
            (draft, "button_cancel", {user, manager}),
            (invoice, "action_cobranca_reissue_boletos", {manager}),
            (invoice, "action_cobranca_send_boletos_email", {user, manager}),
            (invoice, "action_cobranca_print_boletos", {user, manager}),
            # They open what the auditor reads anyway (wallets, boletos, bank holidays).
            (self.wallets["A"], "action_view_boletos", {user, manager, auditor}),
            (company, "action_cobranca_bank_holidays", {user, manager, auditor}),
            (branch, "action_cobranca_use_parent_mail_servers", {manager}),
            (company, "action_cobranca_import_partner_mail_servers", {manager}),
            (customer, "action_view_cobranca_dunning_notices", {user, manager}),
            (customer, "action_cobranca_dunning_preview", {user, manager}),
            (customer, "action_view_cobranca_email_logs", {user, manager}),
            (preview, "action_refresh", {user, manager}),
            (preview, "action_send", {user, manager}),
            (server, "action_send_test_email", {user, manager}),
            (server, "action_cobranca_link_companies", {manager}),
            (link_wizard, "action_link", {manager}),
            (branch_wizard, "action_import", {manager}),
        ]
        for record, method, allowed in calls:
            for caller, _role, _side in self.users:
                with self.subTest(method=f"{record._name}.{method}", user=caller.login), undone(self.env.cr):
                    self.assertOutcome(
                        caller in allowed,
                        lambda record=record, method=method, caller=caller: getattr(record.with_user(caller), method)(),
                    )
        # The settings are the administrator's.
        settings = self.env["res.config.settings"].with_company(company).sudo().create({})
        for method in ("action_cobranca_bank_holidays", "action_cobranca_dunning_preview"):
            for caller in (*(caller for caller, _role, _side in self.users), self.admin_a):
                with self.subTest(method=f"res.config.settings.{method}", user=caller.login), undone(self.env.cr):
                    self.assertOutcome(
                        caller == self.admin_a,
                        lambda method=method, caller=caller: getattr(settings.with_user(caller), method)(),
                    )
        # Odoo's own connection test, which billing users reach through this addon's access rights.
        for caller, _role, _side in self.users:
            with self.subTest(method="ir.mail_server.test_smtp_connection", user=caller.login), undone(self.env.cr):
                with self.assertRaises(UserError) as caught:
                    server.with_user(caller).test_smtp_connection()
                # Allowed: it connects, and fails for want of a server (not refused).
                self.assertEqual(isinstance(caught.exception, AccessError), caller not in {user, manager})

    def test_what_the_allowed_did_and_the_refused_left(self):
        invoice = self.invoices["A"]
        issued = invoice.cobranca_boleto_ids
        for caller in (self.auditor_a, self.manager_b, self.user_a):
            with self.assertRaises(AccessError):
                invoice.with_user(caller).action_cobranca_reissue_boletos()
        self.assertEqual(invoice.cobranca_boleto_ids, issued)
        self.assertEqual(set(issued.mapped("state")), {"active"})
        invoice.with_user(self.manager_a).action_cobranca_reissue_boletos()
        self.assertEqual(set(issued.mapped("state")), {"cancelled"})
        self.assertEqual(len(invoice.cobranca_boleto_ids.filtered(lambda boleto: boleto.state == "active")), 2)

        action = invoice.with_user(self.user_a).action_cobranca_send_boletos_email()
        self.assertEqual(action["params"]["type"], "success", action["params"]["message"])
        self.assertEqual(invoice.cobranca_mail_state, "done")
        # Queued in company A's e-mail log: read by A's billing users, not by B's.
        logs = self.env["cobranca.email.log"].search([("move_ids", "in", invoice.ids)])
        self.assertEqual(len(logs), 1)
        self.assertEqual(logs.with_user(self.user_a).search([("id", "in", logs.ids)]), logs)
        self.assertFalse(logs.with_user(self.manager_b).search([("id", "in", logs.ids)]))

        action = self.customers["A"].with_user(self.user_a).action_cobranca_dunning_preview()
        preview = self.env["cobranca.dunning.preview"].browse(action["res_id"])
        self.assertEqual(preview.company_id, self.companies["A"])
        with self.assertRaises(AccessError):
            preview.with_user(self.manager_b).action_send()
        with self.assertRaises(AccessError):
            # B's manager cannot make a preview of A's notices either, to send them.
            self.env["cobranca.dunning.preview"].with_user(self.manager_b).create(
                {"company_id": self.companies["A"].id}
            )

        # A customer both companies share takes in B one of B's wallets, never A's (each of its
        # invoices in B would fail).
        shared = self.spare_partner.with_user(self.sales_b)
        with self.assertRaisesRegex(ValidationError, "must be one of Empresa B Ltda's wallets"):
            shared.cobranca_wallet_id = self.wallets["A"]
        shared.cobranca_wallet_id = self.wallets["B"]
        self.assertEqual(self.spare_partner.with_company(self.companies["B"]).cobranca_wallet_id, self.wallets["B"])

        action = self.servers["A"].with_user(self.user_a).action_send_test_email()
        self.assertEqual(action["params"]["type"], "success", action["params"]["message"])
        # Linked to A only: it does not send for A's branch, even for someone who may read it.
        in_branch = (
            self.servers["A"]
            .with_user(self.user_a)
            .with_context(allowed_company_ids=[self.branch["A"].id, self.companies["A"].id])
        )
        with self.assertRaisesRegex(UserError, "does not send for Filial A"):
            in_branch.action_send_test_email()

    def test_mail_server_links_stay_within_the_users_companies(self):
        company_a, company_b, branch_a = self.companies["A"], self.companies["B"], self.branch["A"]
        server_a, server_b = self.servers["A"], self.servers["B"]
        Server, Link = self.env["ir.mail_server"], self.env["cobranca.mail.server.company"]
        Wizard = self.env["cobranca.mail.server.link.wizard"]
        shared = Server.create({"name": "Para todas", "smtp_host": "127.0.0.1"})
        both = Server.create(
            {
                "name": "A e B",
                "smtp_host": "127.0.0.1",
                "company_link_ids": [Command.create({"company_id": company.id}) for company in (company_a, company_b)],
            }
        )
        servers = server_a | server_b | shared | both
        # Every billing user reads the servers (not their accounts: Odoo keeps those to administrators);
        # of a server two companies share, each company's users see their own company's link only.
        for caller, own in ((self.user_a, server_a), (self.manager_b, server_b)):
            self.env.invalidate_all()  # one request, one user: nothing read by another in its cache
            self.assertEqual(Server.with_user(caller).search([("id", "in", servers.ids)]), servers)
            self.assertEqual(both.with_user(caller).company_link_ids.company_id, own.company_link_ids.company_id)
            with self.assertRaises(AccessError):
                both.with_user(caller).read(["smtp_user"])
        with self.assertRaises(AccessError):
            Server.with_user(self.auditor_a).search([("id", "in", servers.ids)])

        # A manager never takes a server from the other companies, nor gives them one.
        with self.assertRaisesRegex(AccessError, "“Para todas” sends for every company"):
            Link.with_user(self.manager_a).create({"mail_server_id": shared.id, "company_id": company_a.id})
        with self.assertRaisesRegex(AccessError, "“Servidor A” would send for every company"):
            server_a.company_link_ids.with_user(self.manager_a).unlink()
        with self.assertRaises(AccessError):
            server_a.company_link_ids.with_user(self.manager_a).write({"mail_server_id": server_b.id})
        # Nor sends with another company's server, directly or through the wizard.
        with self.assertRaises(AccessError):
            Link.with_user(self.manager_b).create({"mail_server_id": server_a.id, "company_id": company_b.id})
        wizard = Wizard.with_user(self.manager_b).create(
            {"mail_server_id": server_a.id, "company_ids": [Command.set(company_b.ids)]}
        )
        with self.assertRaises(AccessError):
            wizard.action_link()
        wizard = Wizard.with_user(self.manager_a).create(
            {"mail_server_id": server_a.id, "company_ids": [Command.set((branch_a | company_b).ids)]}
        )
        with self.assertRaisesRegex(AccessError, "no access to the company"):
            wizard.action_link()
        self.assertEqual(server_a.linked_company_ids, company_a)

        # Its own companies, on a server of theirs: done. An administrator shares the common one.
        wizard.company_ids = branch_a
        wizard.action_link()
        Link.with_user(self.admin_a).create({"mail_server_id": shared.id, "company_id": company_a.id})
        self.env.invalidate_all()
        self.assertEqual(server_a.linked_company_ids, company_a | branch_a)
        self.assertEqual(shared.linked_company_ids, company_a)

    def test_refusals_are_translated(self):
        self.env["res.lang"]._activate_lang("pt_BR")
        invoice = self.invoices["A"].with_user(self.auditor_a).with_context(lang="pt_BR")
        with self.assertRaisesRegex(AccessError, "Somente usuários da cobrança por e-mail podem enviar boletos"):
            invoice.action_cobranca_send_boletos_email()
        wizard = (
            self.env["cobranca.mail.server.link.wizard"]
            .with_user(self.manager_a)
            .with_context(lang="pt_BR")
            .create(
                {
                    "mail_server_id": self.servers["A"].id,
                    "company_ids": [Command.set((self.branch["A"] | self.companies["B"]).ids)],
                }
            )
        )
        with self.assertRaisesRegex(AccessError, "Você não tem acesso à empresa a que estes registros pertencem"):
            wizard.action_link()
