from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, TransactionCase, new_test_user, tagged

from cobranca_core.mail_purposes import SERVER_PURPOSE_KEYS


@tagged("post_install", "-at_install")
class TestMailServerConfig(TransactionCase):
    """Purposes, companies, deletion and less typing on Odoo's outgoing mail servers."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Company = cls.env["res.company"]
        cls.matriz = Company.create({"name": "ACME Matriz", "vat": "11.222.333/0001-81"})
        cls.filial = Company.create({"name": "ACME Filial SP", "parent_id": cls.matriz.id})
        cls.other = Company.create({"name": "Outra Empresa", "vat": "45997418000153"})
        cls.Server = cls.env["ir.mail_server"]
        cls.admin = new_test_user(cls.env, login="cfg_admin", groups="base.group_user,base.group_system")
        cls.manager = new_test_user(
            cls.env,
            login="cfg_manager",
            groups="base.group_user,cobranca_email.group_cobranca_manager,account.group_account_manager",
            company_ids=[(6, 0, (cls.env.company | cls.matriz | cls.filial | cls.other).ids)],
        )

    def server(self, name, companies=(), **values):
        return self.Server.create(
            {
                "name": name,
                "smtp_host": f"smtp.{name.lower().replace(' ', '')}.com.br",
                "smtp_port": 587,
                "smtp_encryption": "starttls",
                "company_link_ids": [(0, 0, {"company_id": company.id}) for company in companies],
                **values,
            }
        )

    def test_every_purpose_has_its_default_flag(self):
        for purpose in SERVER_PURPOSE_KEYS:
            self.assertIn(f"purpose_{purpose}", self.Server._fields)

    def test_second_default_for_a_purpose_and_company_is_refused_naming_the_holder(self):
        self.server("Boletos Matriz", [self.matriz], purpose_boleto=True)
        with self.assertRaises(ValidationError) as error, self.cr.savepoint():
            self.server("Boletos Grupo", [self.matriz, self.other], purpose_boleto=True)
        message = str(error.exception)
        self.assertIn("Boletos Matriz", message)
        self.assertIn("ACME Matriz", message)
        self.assertIn("Boletos", message)
        # Another purpose, or another company, is fine.
        self.server("Cartas Grupo", [self.matriz, self.other], purpose_dunning=True)
        self.server("Boletos Outra", [self.other], purpose_boleto=True)
        # Linking a company afterwards is checked too.
        server = self.server("Boletos Livre", [], purpose_boleto=True)
        with self.assertRaisesRegex(ValidationError, "Boletos Matriz"), self.cr.savepoint():
            self.env["cobranca.mail.server.company"].create({"mail_server_id": server.id, "company_id": self.matriz.id})

    def test_one_default_for_companies_without_their_own(self):
        first = self.server("Padrão", purpose_notice=True)
        with (
            self.assertRaisesRegex(ValidationError, "“Padrão” is already the default for Boleto notices"),
            self.cr.savepoint(),
        ):
            self.server("Outro padrão", purpose_notice=True)
        # An archived default does not count, and cannot come back while another holds the purpose.
        first.active = False
        second = self.server("Outro padrão", purpose_notice=True)
        with self.assertRaisesRegex(ValidationError, "Outro padrão"), self.cr.savepoint():
            first.active = True
        self.assertTrue(second.purpose_notice)

    def test_linked_server_cannot_be_deleted_but_can_be_archived(self):
        server = self.server("Compartilhado", [self.matriz, self.other])
        with self.assertRaises(UserError) as error, self.cr.savepoint():
            server.unlink()
        self.assertIn("ACME Matriz", str(error.exception))
        self.assertIn("archive", str(error.exception))
        server.active = False
        self.assertFalse(server.active)
        server.company_link_ids.unlink()
        server.unlink()
        self.assertFalse(server.exists())

    def test_list_counts_companies_and_search_filters(self):
        shared = self.server("Compartilhado", [self.matriz, self.other], sender_email="cobranca@acme.com.br")
        alone = self.server("Sozinho", [self.other], smtp_user="financeiro@outra.com.br")
        self.server("Sem empresa")
        self.assertEqual((shared.company_count, alone.company_count), (2, 1))

        def names(domain):
            return set(self.Server.search(domain).mapped("name"))

        # CNPJ typed with or without punctuation, whatever way it was stored.
        self.assertEqual(names([("company_vat", "ilike", "11222333")]), {"Compartilhado"})
        self.assertEqual(names([("company_vat", "ilike", "45.997.418/0001-53")]), {"Compartilhado", "Sozinho"})
        self.assertEqual(names([("linked_company_ids.name", "ilike", "matriz")]), {"Compartilhado"})
        self.assertEqual(names([("sender_email", "ilike", "cobranca@acme")]), {"Compartilhado"})
        self.assertEqual(
            set(self.Server.with_user(self.admin).search([("smtp_user", "ilike", "financeiro@")]).mapped("name")),
            {"Sozinho"},
        )

    def test_link_companies_action(self):
        server = self.server("Compartilhado", [self.matriz])
        action = server.action_cobranca_link_companies()
        wizard = (
            self.env[action["res_model"]]
            .with_user(self.manager)
            .with_context(**action["context"])
            .create({"company_ids": [(6, 0, (self.matriz | self.other).ids)], "sender_name": "Cobrança ACME"})
        )
        wizard.action_link()
        self.assertEqual(server.linked_company_ids, self.matriz | self.other)
        link = server.company_link_ids.filtered(lambda link: link.company_id == self.other)
        self.assertEqual(link.sender_name, "Cobrança ACME")

    def test_branch_takes_its_parents_servers_changing_only_the_sender_name(self):
        boletos = self.server("Boletos Matriz", [self.matriz], purpose_boleto=True, sender_email="boleto@acme.com.br")
        cartas = self.server("Cartas Matriz", [self.matriz], purpose_dunning=True)
        action = self.filial.action_cobranca_use_parent_mail_servers()
        form = Form(self.env[action["res_model"]].with_user(self.manager).with_context(**action["context"]))
        self.assertEqual(form.sender_name, "ACME Filial SP")
        self.assertEqual(form.parent_company_id, self.matriz)
        form.sender_name = "ACME Filial SP - Cobrança"
        form.save().action_import()
        for server in (boletos, cartas):
            link = server.company_link_ids.filtered(lambda link: link.company_id == self.filial)
            self.assertEqual(link.sender_name, "ACME Filial SP - Cobrança")
        self.assertEqual(self.Server._cobranca_resolve("boleto", self.filial), boletos)
        values = boletos._cobranca_message_values("boleto", self.filial)
        self.assertEqual(values["email_from"], '"ACME Filial SP - Cobrança" <boleto@acme.com.br>')

    def test_branch_import_needs_a_parent_with_servers(self):
        Wizard = self.env["cobranca.mail.server.branch.wizard"]
        with self.assertRaisesRegex(UserError, "ACME Matriz has no billing mail server linked"):
            Wizard.create({"company_id": self.filial.id}).action_import()
        with self.assertRaisesRegex(UserError, "not a branch"):
            Wizard.create({"company_id": self.other.id}).action_import()

    def test_a_company_imports_chosen_servers_of_a_partner_company(self):
        """Seed 001's "Importar do Parceiro": the accounting office's mailboxes, the ones chosen, with
        the company's own sender name; the office's other servers are left out."""
        office = self.env["res.company"].create({"name": "Contabilidade Parceira"})
        self.manager.company_ids = [(4, office.id)]
        boletos = self.server("Boletos Escritorio", [office], purpose_boleto=True, sender_email="envio@contab.com.br")
        cartas = self.server("Cartas Escritorio", [office], purpose_dunning=True)
        action = self.other.with_user(self.manager).action_cobranca_import_partner_mail_servers()
        form = Form(self.env[action["res_model"]].with_user(self.manager).with_context(**action["context"]))
        self.assertFalse(form.source_company_id, "the partner company is chosen by the user")
        form.source_company_id = office
        offered = self.env["cobranca.mail.server.company"].concat(*form.source_link_ids).mail_server_id
        self.assertEqual(offered, boletos | cartas, "all of them, to choose from")
        form.source_link_ids.remove(id=cartas.company_link_ids.id)
        form.sender_name = "Outra Empresa Cobrança"
        form.save().action_import()
        self.assertEqual(self.Server._cobranca_resolve("boleto", self.other), boletos)
        self.assertFalse(self.Server._cobranca_resolve("dunning", self.other), "not chosen, not linked")
        values = boletos._cobranca_message_values("boleto", self.other)
        self.assertEqual(values["email_from"], '"Outra Empresa Cobrança" <envio@contab.com.br>')
        office_from = boletos._cobranca_message_values("boleto", office)["email_from"]
        self.assertEqual(office_from, '"Contabilidade Parceira" <envio@contab.com.br>', "the office keeps its own")

    def test_a_server_the_partner_unlinked_meanwhile_is_not_imported(self):
        office = self.env["res.company"].create({"name": "Contabilidade Mutante"})
        self.manager.company_ids = [(4, office.id)]
        kept = self.server("Mantido", [office], purpose_boleto=True)
        gone = self.server("Desvinculado", [office], purpose_dunning=True)
        Wizard = self.env["cobranca.mail.server.branch.wizard"].with_user(self.manager)
        wizard = Wizard.create({"company_id": self.other.id, "source": "partner", "source_company_id": office.id})
        self.assertEqual(wizard.source_link_ids.mail_server_id, kept | gone)
        gone.company_link_ids.unlink()  # the office stops using it while the wizard is open
        wizard.action_import()
        self.assertEqual(self.Server._cobranca_resolve("boleto", self.other), kept)
        self.assertFalse(gone.company_link_ids, "not linked to the company through a stale choice")
        # Nothing left to import: said, nothing linked.
        kept.company_link_ids.filtered(lambda link: link.company_id == office).unlink()
        with self.assertRaisesRegex(UserError, "has no billing mail server linked"):
            Wizard.create(
                {"company_id": self.filial.id, "source": "partner", "source_company_id": office.id}
            ).action_import()

    def test_partner_import_needs_a_company_of_the_user_with_servers(self):
        office = self.env["res.company"].create({"name": "Escritorio Alheio"})
        self.server("Servidor Alheio", [office], purpose_boleto=True)
        Wizard = self.env["cobranca.mail.server.branch.wizard"].with_user(self.manager)
        with self.assertRaisesRegex(UserError, "Choose the partner company"):
            Wizard.create({"company_id": self.other.id, "source": "partner"}).action_import()
        # A company the manager does not work for: its servers are not theirs to take.
        wizard = Wizard.sudo().create(
            {"company_id": self.other.id, "source": "partner", "source_company_id": office.id}
        )
        with self.assertRaises(AccessError):
            wizard.with_user(self.manager).action_import()
        self.assertFalse(self.Server._cobranca_resolve("boleto", self.other))
        # A partner company without servers says so.
        empty = Wizard.create({"company_id": self.other.id, "source": "partner", "source_company_id": self.matriz.id})
        with self.assertRaisesRegex(UserError, "ACME Matriz has no billing mail server linked"):
            empty.action_import()

    def test_addresses_are_validated(self):
        server = self.server("Cópias")
        server.cc_emails = "financeiro@acme.com.br; gerente@acme.com.br,financeiro@acme.com.br"
        self.assertEqual(server._cobranca_cc_list(), ["financeiro@acme.com.br", "gerente@acme.com.br"])
        with self.assertRaisesRegex(ValidationError, "Copy to \\(CC\\).*gerente.acme.com.br"), self.cr.savepoint():
            server.cc_emails = "financeiro@acme.com.br, gerente.acme.com.br"
        with self.assertRaisesRegex(ValidationError, "only one sender e-mail"), self.cr.savepoint():
            server.sender_email = "a@acme.com.br, b@acme.com.br"

    def test_configure_email_beside_each_server_choice_opens_the_servers_of_that_purpose(self):
        """Seed 000's "Conf. Email": the server list filtered on the purpose; a new server from there
        is the default for it, for this company."""
        settings = self.env["res.config.settings"].create({})
        action = settings.with_context(cobranca_purpose="dunning").action_cobranca_mail_servers()
        self.assertEqual(action["res_model"], "ir.mail_server")
        self.assertEqual(action["context"]["search_default_purpose_dunning"], 1)
        server = (
            self.env["ir.mail_server"]
            .with_context(**action["context"])
            .create({"name": "Cobrança da filial", "smtp_host": "127.0.0.1"})
        )
        self.assertTrue(server.purpose_dunning)
        self.assertFalse(server.purpose_boleto)
        self.assertEqual(server.company_link_ids.company_id, self.env.company)
        self.assertEqual(self.env["ir.mail_server"]._cobranca_resolve("dunning", self.env.company), server)
        clerk = new_test_user(self.env, login="clerk_configure", groups="cobranca_email.group_cobranca_user")
        with self.assertRaises(AccessError):
            settings.with_user(clerk).with_context(cobranca_purpose="boleto").action_cobranca_mail_servers()

    def test_the_company_form_lists_its_servers_and_the_shared_ones(self):
        """Seed 000 from the company's side: its own servers with their purposes and its sender name,
        the shared ones; a server added there is linked to the company."""
        company = self.env.company
        Server = self.env["ir.mail_server"]
        own = Server.create(
            {"name": "Própria", "smtp_host": "127.0.0.1", "purpose_boleto": True, "purpose_notice": True}
        )
        shared = Server.create({"name": "Compartilhada", "smtp_host": "127.0.0.1", "purpose_dunning": True})
        company.cobranca_mail_server_link_ids = [(0, 0, {"mail_server_id": own.id, "sender_name": "ACME Filial"})]
        self.assertEqual(own.company_link_ids.company_id, company)
        self.assertEqual(own.company_link_ids.sender_name, "ACME Filial")
        self.assertEqual(company.cobranca_mail_server_link_ids.purposes, "Boletos, Boleto notices (due and overdue)")
        self.assertIn(shared, company.cobranca_shared_mail_server_ids)
        self.assertNotIn(own, company.cobranca_shared_mail_server_ids, "linked: no longer shared")
        self.assertEqual(shared.cobranca_purposes, "Dunning letters")
