from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestBillingResolution(TransactionCase):
    """Which server, sender and copy list billing e-mail gets: the one rule of every feature."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Company = cls.env["res.company"]
        cls.company_a = Company.create({"name": "ACME Matriz", "email": "matriz@acme.com.br"})
        cls.company_b = Company.create({"name": "ACME Filial", "email": "filial@acme.com.br"})
        cls.company_c = Company.create({"name": "Terceira", "email": "contato@terceira.com.br"})
        cls.Server = cls.env["ir.mail_server"]
        cls.env["mail.mail"].search([]).unlink()
        cls.customer_b = cls.env["res.partner"].create(
            {"name": "Cliente B", "email": "cliente.b@example.com", "company_id": cls.company_b.id}
        )

    def server(self, name, companies=(), **values):
        links = [(0, 0, {"company_id": company.id, "sender_name": sender}) for company, sender in companies]
        return self.Server.create({"name": name, "smtp_host": "127.0.0.1", "company_link_ids": links, **values})

    def test_linked_default_then_shared_default_then_odoo(self):
        own_a = self.server("Boletos A", [(self.company_a, "ACME Cobrança")], purpose_boleto=True)
        shared = self.server("Boletos padrão", purpose_boleto=True)
        self.assertEqual(self.Server._cobranca_resolve("boleto", self.company_a), own_a)
        self.assertEqual(self.Server._cobranca_resolve("boleto", self.company_b), shared)
        # Archived servers are never chosen: B falls back to Odoo's choice.
        shared.active = False
        self.assertFalse(self.Server._cobranca_resolve("boleto", self.company_b))
        # A server linked to another company is never chosen, whatever it is the default for.
        self.assertFalse(self.Server._cobranca_resolve("boleto", self.company_c))
        self.assertEqual(self.Server._cobranca_resolve("boleto", self.company_a), own_a)
        self.assertFalse(self.Server._cobranca_resolve("dunning", self.company_a))
        with self.assertRaises(ValueError):
            self.Server._cobranca_resolve("invoice", self.company_a)

    def test_one_server_two_companies_two_sender_names(self):
        server = self.server(
            "Compartilhado",
            [(self.company_a, "ACME Cobrança Matriz"), (self.company_b, "ACME Cobrança Filial")],
            purpose_boleto=True,
            sender_email="cobranca@acme.com.br",
            cc_emails="copia@acme.com.br, auditoria@acme.com.br",
        )
        values_a = self.Server._cobranca_resolve("boleto", self.company_a)._cobranca_message_values(
            "boleto", self.company_a
        )
        values_b = self.Server._cobranca_resolve("boleto", self.company_b)._cobranca_message_values(
            "boleto", self.company_b
        )
        self.assertEqual(
            values_a,
            {
                "mail_server_id": server.id,
                "email_from": '"ACME Cobrança Matriz" <cobranca@acme.com.br>',
                "email_cc": "copia@acme.com.br, auditoria@acme.com.br",
            },
        )
        self.assertEqual(values_b["mail_server_id"], server.id)
        self.assertEqual(values_b["email_from"], '"ACME Cobrança Filial" <cobranca@acme.com.br>')
        # Without a sender name on the link: the server's, then the company's.
        server.company_link_ids.sender_name = False
        self.assertEqual(server._cobranca_message_values("boleto", self.company_b)["email_from"],
                         '"ACME Filial" <cobranca@acme.com.br>')  # fmt: skip
        server.sender_name = "Financeiro"
        self.assertEqual(server._cobranca_message_values("boleto", self.company_b)["email_from"],
                         '"Financeiro" <cobranca@acme.com.br>')  # fmt: skip

    def test_fallback_never_picks_another_companys_server(self):
        self.server("Só da Matriz", [(self.company_a, False)])
        values = self.Server._cobranca_resolve("dunning", self.company_b)._cobranca_message_values(
            "dunning", self.company_b
        )
        self.assertEqual(values, {"mail_server_id": False, "email_from": '"ACME Filial" <filial@acme.com.br>',
                                  "email_cc": ""})  # fmt: skip
        # With a server open to every company, Odoo's normal choice is made among the allowed ones.
        open_server = self.server("Geral")
        values = self.Server._cobranca_resolve("dunning", self.company_b)._cobranca_message_values(
            "dunning", self.company_b
        )
        self.assertEqual(values["mail_server_id"], open_server.id)

    def test_billing_message_gets_the_copy_list_on_every_email(self):
        server = self.server(
            "Boletos B",
            [(self.company_b, "ACME Filial Cobrança")],
            purpose_boleto=True,
            sender_email="cobranca@acme.com.br",
            cc_emails="copia@acme.com.br",
        )
        other = self.env["res.partner"].create({"name": "Contador", "email": "contador@example.com"})
        values = self.Server._cobranca_resolve("boleto", self.company_b)._cobranca_message_values(
            "boleto", self.company_b
        )
        message = self.customer_b.with_context(mail_notify_force_send=False).message_post(
            body="Segue o boleto.",
            subject="Boleto",
            partner_ids=(self.customer_b | other).ids,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            cobranca_purpose="boleto",
            mail_server_id=values["mail_server_id"],
            email_from=values["email_from"],
        )
        self.assertEqual(message.cobranca_purpose, "boleto")
        mails = self.env["mail.mail"].search([("mail_message_id", "=", message.id)])
        self.assertTrue(mails)
        for mail in mails:
            # Notification e-mails have no CC of their own: the server's copy list is added.
            self.assertEqual(mail.email_cc, "copia@acme.com.br")
            self.assertEqual(mail.mail_server_id, server)
            self.assertEqual(mail.email_from, '"ACME Filial Cobrança" <cobranca@acme.com.br>')
        logs = self.env["cobranca.email.log"]._log_message(message, partner=self.customer_b)
        self.assertEqual(len(logs), len(mails))
        self.assertRecordValues(
            logs[:1],
            [
                {
                    "purpose": "boleto",
                    "state": "queued",
                    "company_id": self.company_b.id,
                    "partner_id": self.customer_b.id,
                    "mail_server_id": server.id,
                }
            ],
        )
        self.assertIn("copia@acme.com.br", logs[0].recipients)
        self.assertIn("cliente.b@example.com", logs[0].recipients)
        # A plain (non billing) message is left alone.
        plain = self.customer_b.with_context(mail_notify_force_send=False).message_post(
            body="Olá", partner_ids=self.customer_b.ids, message_type="comment", subtype_xmlid="mail.mt_comment"
        )
        plain_mails = self.env["mail.mail"].search([("mail_message_id", "=", plain.id)])
        self.assertFalse(plain_mails.email_cc)
        self.assertFalse(self.env["cobranca.email.log"].search([("mail_message_id", "=", plain.id)]))

    def test_mail_through_a_server_of_another_company_is_refused(self):
        only_a = self.server("Só da Matriz", [(self.company_a, False)])
        message = self.customer_b.with_context(mail_notify_force_send=False).message_post(
            body="Segue o boleto.",
            partner_ids=self.customer_b.ids,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            cobranca_purpose="boleto",
            mail_server_id=only_a.id,
        )
        log = self.env["cobranca.email.log"]._log_message(message, partner=self.customer_b)
        mail = log.mail_mail_id
        self.env["mail.mail"].process_email_queue()
        self.assertEqual(mail.state, "exception")
        self.assertIn("does not send for ACME Filial", mail.failure_reason)
        self.assertEqual(log.state, "failed")
        self.assertIn("does not send for ACME Filial", log.failure_reason)
