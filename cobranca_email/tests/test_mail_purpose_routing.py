from odoo.exceptions import AccessError
from odoo.tests import tagged

from .smtp_server import SmtpCase


@tagged("post_install", "-at_install")
class TestOtherPurposes(SmtpCase):
    """Seed 000's other purposes do something: a server marked as the default for contract approval
    sends the e-mails of the company's contracts (OCA contract), one for another purpose those of
    the documents an administrator maps to it; a purpose with no such documents is not offered."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if "contract.contract" not in cls.env:
            raise AssertionError("the addon tier installs OCA's contract (make setup)")
        Company = cls.env["res.company"]
        cls.company_a = Company.create({"name": "ACME Contratos", "email": "contratos@acme.com.br"})
        cls.company_b = Company.create({"name": "Outra Sem Servidor", "email": "outra@example.com"})
        cls.approver = cls.env["res.partner"].create({"name": "Aprovador", "email": "aprovador@acme.com.br"})

    def contract_of(self, company):
        return self.env["contract.contract"].create(
            {"name": f"Contrato {company.name}", "partner_id": self.approver.id, "company_id": company.id}
        )

    def notify(self, record):
        """A message to the approver on ``record``, as a module asking for an approval posts it."""
        message = record.with_context(mail_notify_force_send=False).message_post(
            body="Aprove o contrato, por favor.",
            subject=f"Aprovação: {record.display_name}",
            partner_ids=self.approver.ids,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
        return self.env["mail.mail"].search([("mail_message_id", "=", message.id)])

    def test_contract_emails_leave_through_the_contract_approval_server_of_their_company(self):
        with self.smtpd("none") as (port, inbox):
            server = self.create_server(
                port,
                "none",
                name="Contratos",
                purpose_contract_approval=True,
                sender_email="contratos@acme.com.br",
                cc_emails="juridico@acme.com.br",
                company_link_ids=[(0, 0, {"company_id": self.company_a.id})],
            )
            self.assertTrue(server.cobranca_offers_contract_approval)
            mail_a = self.notify(self.contract_of(self.company_a))
            mail_b = self.notify(self.contract_of(self.company_b))
            self.assertEqual(mail_a.mail_server_id, server)
            self.assertEqual(mail_a.cobranca_purpose, "contract_approval")
            self.assertFalse(mail_b.mail_server_id, "no server of that purpose for B: Odoo's own choice")
            self.assertFalse(mail_b.cobranca_purpose)
            log = self.env["cobranca.email.log"].search([("mail_mail_id", "=", mail_a.id)])
            self.assertRecordValues(log, [{"purpose": "contract_approval", "company_id": self.company_a.id}])
            mail_a.send()
        # The approver, and the server's copy list (Odoo sends its copy as a second SMTP message).
        received = sorted(rcpt for entry in inbox.messages for rcpt in entry["rcpt_tos"])
        self.assertEqual(received, ["aprovador@acme.com.br", "juridico@acme.com.br"])
        self.assertEqual(set(inbox.subjects()), {f"Aprovação: Contrato {self.company_a.name}"})
        self.assertEqual(log.state, "sent")

    def test_an_administrator_maps_other_documents_and_unused_purposes_are_not_offered(self):
        with self.smtpd("none") as (port, inbox):
            server = self.create_server(port, "none", name="Acordos")
            self.assertFalse(server.cobranca_offers_agreement_approval, "no document is mapped to it")
            self.assertEqual(server.cobranca_offers_expense_approval, "hr.expense.sheet" in self.env)
            self.assertEqual(server.cobranca_offers_sales_notification, "sale.order" in self.env)
            # The administrator sends the journals' e-mails (say, where agreements are recorded) through it.
            mapping = self.env["cobranca.mail.purpose.model"].create(
                {"purpose": "agreement_approval", "model": "account.journal"}
            )
            self.assertTrue(mapping.installed)
            server.invalidate_recordset()
            self.assertTrue(server.cobranca_offers_agreement_approval)
            server.write(
                {"purpose_agreement_approval": True, "company_link_ids": [(0, 0, {"company_id": self.company.id})]}
            )
            journal = self.env["account.journal"].search([("company_id", "=", self.company.id)], limit=1)
            mail = self.notify(journal)
            self.assertEqual((mail.mail_server_id, mail.cobranca_purpose), (server, "agreement_approval"))
            mail.send()
        self.assertEqual(len(inbox.messages), 1)
        # Only system administrators map documents; billing users read the mapping, over RPC too.
        Mapping = self.env["cobranca.mail.purpose.model"].with_user(self.billing_user)
        self.assertEqual(Mapping.browse(mapping.id).model, "account.journal")
        with self.assertRaises(AccessError):
            Mapping.create({"purpose": "expense_approval", "model": "account.move"})
        with self.assertRaises(AccessError):
            Mapping.browse(mapping.id).write({"model": "account.move"})
        # A mapping to documents no module provides offers nothing.
        ghost = self.env["cobranca.mail.purpose.model"].create({"purpose": "expense_approval", "model": "x_nothing"})
        self.assertFalse(ghost.installed)
        self.assertEqual(server.cobranca_offers_expense_approval, "hr.expense.sheet" in self.env)
