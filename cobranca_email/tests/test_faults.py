import base64
from datetime import date
from unittest.mock import patch

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from .common import CobrancaCommon
from .common_dunning import DAY1, DunningCommon, on
from .smtp_server import Inbox, SmtpServerMixin

QUIET = mute_logger("odoo.addons.cobranca_email.models.account_move")


@tagged("post_install", "-at_install")
class TestBoletoEmailFaults(CobrancaCommon):
    """Whatever happens to an invoice or its customer, its boleto e-mail ends sent, failed with the
    reason, or no longer to send; one invoice's fault never holds the others back."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.wallet.email_on_post = True
        cls.Move = cls.env["account.move"]

    def _customers(self, count):
        return self.env["res.partner"].create(
            [{"name": f"Cliente {n}", "email": f"cliente{n}@example.com"} for n in range(count)]
        )

    def _run(self):
        """The scheduled action until it reports nothing left; fails the test if it never stops."""
        for _run in range(20):
            with patch.object(type(self.env["ir.cron"]), "_notify_progress") as progress:
                self.Move._cron_send_boleto_emails()
            if progress.call_args.kwargs["remaining"] == 0:
                return
        self.fail("the scheduled action kept reporting work it could not do")

    def _recipients_explode_for(self, bad):
        """An unforeseen error while composing ``bad``'s e-mail (finding its recipients)."""
        original = type(self.Move)._cobranca_boleto_recipients

        def recipients(move):
            if move == bad:
                raise RuntimeError("contact lookup exploded")
            return original(move)

        return patch.object(type(self.Move), "_cobranca_boleto_recipients", recipients)

    def _sent(self, invoice):
        return invoice.message_ids.filtered(lambda message: message.cobranca_purpose == "boleto")

    def test_cancelled_or_reset_to_draft_before_the_run_is_no_longer_to_send(self):
        cancelled, reset, kept = (self._invoice() for _n in range(3))
        self.assertEqual({cancelled.cobranca_mail_state, reset.cobranca_mail_state}, {"pending"})
        cancelled.button_cancel()
        reset.button_draft()
        self.assertFalse(cancelled.cobranca_mail_state)
        self.assertFalse(reset.cobranca_mail_state)
        self._run()
        self.assertFalse(self._sent(cancelled) or self._sent(reset), "cancelled boletos are never e-mailed")
        self.assertEqual(kept.cobranca_mail_state, "done")

    def test_paid_meanwhile_or_changed_behind_the_actions_back_is_dropped_by_the_run(self):
        paid, drafted = self._invoice(), self._invoice()
        self.env["account.payment.register"].with_context(active_model="account.move", active_ids=paid.ids).create(
            {"payment_date": date(2026, 11, 10), "amount": paid.amount_total}
        )._create_payments()
        self.assertIn(paid.payment_state, ("paid", "in_payment"))
        # Another addon (or SQL) put it back to draft without going through button_draft.
        self.env.cr.execute("UPDATE account_move SET state = 'draft' WHERE id = %s", [drafted.id])
        drafted.invalidate_recordset(["state"])
        self._run()
        self.assertFalse(paid.cobranca_mail_state)
        self.assertFalse(drafted.cobranca_mail_state)
        self.assertFalse(self._sent(paid) or self._sent(drafted))

    def test_a_template_failing_for_one_customer_fails_that_invoice_only(self):
        good_1, bad, good_2 = (self._invoice(partner=customer) for customer in self._customers(3))
        original = type(self.env["mail.template"])._render_field

        def render_field(template, field, res_ids, *args, **kwargs):
            if bad.id in res_ids:
                # pylint: disable=translation-required
                raise UserError("Failed to render template: 'None' has no attribute 'upper'")
            return original(template, field, res_ids, *args, **kwargs)

        with QUIET, patch.object(type(self.env["mail.template"]), "_render_field", render_field):
            self._run()
        self.assertEqual((good_1 | good_2).mapped("cobranca_mail_state"), ["done", "done"])
        self.assertEqual(bad.cobranca_mail_state, "failed")
        self.assertIn(bad.name, bad.cobranca_mail_error)
        self.assertIn("has no attribute 'upper'", bad.cobranca_mail_error)
        log = self.env["cobranca.email.log"].search([("move_ids", "in", bad.ids)])
        self.assertEqual(log.state, "failed")
        self.assertEqual(log.failure_reason, bad.cobranca_mail_error)
        self.assertFalse(self._sent(bad))

    def test_an_unforeseen_error_fails_one_invoice_and_the_run_moves_on(self):
        invoices = [self._invoice(partner=customer) for customer in self._customers(4)]
        bad = invoices[1]
        with QUIET, self._recipients_explode_for(bad):
            self._run()
        self.assertEqual(bad.cobranca_mail_state, "failed")
        self.assertIn("could not be composed", bad.cobranca_mail_error)
        self.assertIn("contact lookup exploded", bad.cobranca_mail_error)
        for invoice in invoices:
            if invoice != bad:
                self.assertEqual(invoice.cobranca_mail_state, "done")
                self.assertEqual(len(self._sent(invoice)), 1)

    def test_sending_by_hand_names_the_invoice_that_failed_and_sends_the_others(self):
        good, bad = (self._invoice(partner=customer) for customer in self._customers(2))
        with QUIET, self._recipients_explode_for(bad):
            action = (good | bad).action_cobranca_send_boletos_email()
        message = action["params"]["message"]
        self.assertEqual(action["params"]["type"], "warning")
        self.assertIn("1 boleto e-mail(s) queued; 1 failed", message)
        self.assertIn(f"{bad.name}: The boleto e-mail of invoice {bad.name} could not be composed", message)
        self.assertEqual(good.cobranca_mail_state, "done")
        self.assertEqual(len(self._sent(good)), 1)

    def test_a_server_of_another_company_is_refused_in_settings_and_at_send_time(self):
        other = self.setup_other_company(name="Outra Empresa Ltda")["company"]
        shared = self.env["ir.mail_server"].create({"name": "Compartilhado", "smtp_host": "127.0.0.1"})
        foreign = self.env["ir.mail_server"].create(
            {
                "name": "Só da outra",
                "smtp_host": "127.0.0.1",
                "company_link_ids": [Command.create({"company_id": other.id})],
            }
        )
        with self.assertRaisesRegex(ValidationError, "Só da outra.*linked to other companies only"):
            self.env["res.config.settings"].create({"cobranca_boleto_mail_server_id": foreign.id}).execute()
        self.company.cobranca_boleto_mail_server_id = shared
        invoice = self._invoice()
        # The shared server is then given to the other company only: the setting no longer holds.
        shared.company_link_ids = [Command.create({"company_id": other.id})]
        self._run()
        self.assertEqual(invoice.cobranca_mail_state, "failed")
        self.assertIn("Compartilhado", invoice.cobranca_mail_error)
        self.assertFalse(self.env["mail.mail"].search([("mail_server_id", "=", shared.id)]))


@tagged("post_install", "-at_install")
class TestBoletoIntegrity(CobrancaCommon):
    """Issued boletos are written by the issuing code only, and their numbers are never given twice."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.billing_user, cls.billing_manager = (
            new_test_user(
                cls.env,
                login=login,
                groups=groups,
                company_id=cls.company.id,
                company_ids=[Command.set(cls.company.ids)],
            )
            for login, groups in (
                ("cobranca_user", "cobranca_email.group_cobranca_user"),
                ("cobranca_manager", "cobranca_email.group_cobranca_manager,account.group_account_manager"),
            )
        )

    def test_nobody_rewrites_an_issued_boleto(self):
        boleto = self._invoice().cobranca_boleto_ids[0]
        forged = base64.b64encode(b"forged image")
        for user in (self.billing_user, self.billing_manager, self.env.user):
            for values in (
                {"barcode_image": forged},
                {"pix_qr_image": forged},
                {"pix_qr_payload": "00020126forged"},
                {"page_pdf": base64.b64encode(b"%PDF-1.4 forged")},
                {"digitable_line": "0" * 47},
                {"state": "cancelled"},
            ):
                with self.subTest(user=user.login, field=next(iter(values))), self.assertRaises(AccessError):
                    boleto.with_user(user).write(values)
            with self.assertRaises(AccessError):
                self.env["cobranca.boleto"].with_user(user).create(
                    {"move_id": boleto.move_id.id, "wallet_id": self.wallet.id, "barcode": "1" * 44}
                )
        # Not even the issuing code replaces the images it drew.
        with self.assertRaisesRegex(UserError, "Barcode Image"):
            boleto.sudo().write({"barcode_image": forged})
        self.assertNotEqual(boleto.barcode_image, forged)

    def test_the_stored_page_cannot_be_replaced_through_its_attachment(self):
        boleto = self._invoice().cobranca_boleto_ids[0]
        boleto._store_pages({boleto.id: b"%PDF-1.4 the real page"}, {boleto.id: "key"})
        attachment = self.env["ir.attachment"].sudo().search(boleto._page_attachment_domain())
        self.assertTrue(attachment)
        with self.assertRaises(AccessError):
            attachment.with_user(self.billing_user).write({"raw": b"%PDF-1.4 forged"})
        self.assertEqual(boleto._stored_pages()[boleto.id], b"%PDF-1.4 the real page")

    def test_a_second_wallet_with_the_same_bank_data_is_refused(self):
        with self.assertRaisesRegex(ValidationError, "same bank, agency, account, carteira.*Itaú 109"):
            self.wallet.copy({"name": "Itaú 109 de novo"})
        self.wallet.active = False  # archived wallets still hold their numbers
        with self.assertRaisesRegex(ValidationError, "unarchive"):
            self.wallet.copy({"name": "Itaú 109 de novo", "agency": "57"})
        self.wallet.copy({"name": "Itaú 112", "carteira": "112"})  # another carteira numbers on its own

    def test_a_wallet_that_cannot_issue_names_the_invoice_and_the_field(self):
        invoice = self._invoice(post=False)
        self.wallet.flush_recordset()
        # A wallet damaged outside the form (its constraints refuse an empty agency).
        self.env.cr.execute("UPDATE cobranca_wallet SET agency = NULL WHERE id = %s", [self.wallet.id])
        self.wallet.invalidate_recordset(["agency"])
        with self.assertRaises(UserError) as caught:
            invoice.action_post()
        message = str(caught.exception)
        self.assertRegex(message, r"^Invoice \S+ \S+: no boleto can be issued from billing wallet Itaú 109")
        self.assertIn("Agency is required", message)

    def test_a_bank_without_layout_fails_its_invoice_not_the_auto_post_batch(self):
        issued = self._invoice()
        barcode = issued.cobranca_boleto_ids.mapped("barcode")
        other_bank = self.env["res.bank"].create({"name": "Banco Mudado", "cobranca_bank_code": "341"})
        account = self.bank_account.copy({"acc_number": "0057 12345-7 (2)", "bank_id": other_bank.id})
        broken = self.wallet.copy({"name": "Carteira 112", "partner_bank_id": account.id, "carteira": "112"})
        stranger = self.customer.copy({"name": "Cliente da carteira quebrada"})
        stranger.with_company(self.company).cobranca_wallet_id = broken
        other_bank.cobranca_bank_code = "998"  # the bank's code changed after the wallet was made
        draft_ok = self._invoice(post=False, invoice_date=date(2026, 11, 1))
        draft_bad = self._invoice(partner=stranger, post=False, invoice_date=date(2026, 11, 1))
        (draft_ok | draft_bad).write({"auto_post": "at_date"})
        self.env["account.move"]._autopost_draft_entries()
        self.assertEqual(draft_ok.state, "posted")
        self.assertEqual(len(draft_ok.cobranca_boleto_ids), 2)
        self.assertEqual(draft_bad.state, "draft")
        note = draft_bad.message_ids[:1].body
        self.assertIn("billing wallet Carteira 112", note)
        self.assertIn("Bank Code (COMPE) of its bank account 0057 12345-7 (2) - Banco Mudado is 998", note)
        self.assertEqual(issued.cobranca_boleto_ids.mapped("barcode"), barcode, "issued boletos never change")


@tagged("post_install", "-at_install")
class TestMissingMailServer(DunningCommon):
    """Billing switched on and no mail server for it: said before anything is due, everywhere the
    clerk looks, rather than discovered in failed e-mails."""

    def test_no_server_for_a_purpose_is_warned_in_settings_preview_and_run(self):
        Server = self.env["ir.mail_server"]
        # Servers other companies' billing e-mail leaves from are no server for this one.
        Server.search([]).filtered(lambda server: server._cobranca_serves(self.company)).active = False
        self.wallet.email_on_post = True
        settings = self.env["res.config.settings"].with_company(self.company).create({})
        warning = settings.cobranca_mail_server_warning
        self.assertIn("Boletos, Dunning letters, Boleto notices (due and overdue)", warning)
        self.assertIn(self.company.name, warning)
        with on(DAY1):
            action = self.env["res.partner"].action_cobranca_dunning_preview()
        preview = self.env["cobranca.dunning.preview"].browse(action["res_id"])
        self.assertIn("Dunning letters, Boleto notices", preview.mail_server_warning)
        self.assertNotIn("Boletos,", preview.mail_server_warning, "the preview is about notices")
        with on(DAY1), mute_logger("odoo.addons.cobranca_email.models.cobranca_dunning"):
            result = self.dunning()._run(self.company, today=DAY1, dry_run=True)
        self.assertEqual(result.warnings, [preview.mail_server_warning])

        # A server for notices, linked only to another company, serves nobody here.
        other = self.setup_other_company(name="Outra Empresa Ltda")["company"]
        notices = Server.create(
            {"name": "Avisos", "smtp_host": "127.0.0.1", "smtp_port": 2525, "purpose_dunning": True,
             "purpose_notice": True, "company_link_ids": [Command.create({"company_id": other.id})]}
        )  # fmt: skip
        self.assertIn("Boletos, Dunning letters", self.company._cobranca_mail_server_warning())
        # Linked to this company too: it sends its notices and, by Odoo's choice, its boletos.
        notices.company_link_ids = [Command.create({"company_id": self.company.id})]
        self.assertFalse(
            self.env["res.config.settings"].with_company(self.company).create({}).cobranca_mail_server_warning
        )
        self.assertFalse(self.dunning()._run(self.company, today=DAY1, dry_run=True).warnings)
        # Switched off, dunning notices need no server: the settings form says so before it is saved.
        notices.active = False
        settings = self.env["res.config.settings"].with_company(self.company).create({})
        self.assertIn("Dunning letters", settings.cobranca_mail_server_warning)
        settings.cobranca_dunning_enabled = False
        self.assertNotIn("Dunning letters", settings.cobranca_mail_server_warning)


@tagged("post_install", "-at_install")
class TestUndeliveredBoletoEmail(SmtpServerMixin, CobrancaCommon):
    """A boleto e-mail the server refuses for good is shown as such on its invoice, not as sent."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_smtp()
        cls.wallet.email_on_post = True
        cls.env["mail.mail"].search([]).unlink()

    def test_refused_for_good_shows_on_the_invoice_with_the_servers_words(self):
        other = self.env["res.partner"].create({"name": "Outro Cliente", "email": "outro@example.com"})
        inbox = Inbox(refuse={"contas@mariacomercio.com.br"})
        with self.smtpd(inbox=inbox) as (port, _inbox):
            self.create_server(port, name="Boletos", purpose_boleto=True)
            refused, delivered = self._invoice(), self._invoice(partner=other)
            self.env["account.move"]._cron_send_boleto_emails()
            self.assertEqual((refused.cobranca_mail_state, refused.cobranca_mail_delivery), ("done", "queued"))
            self.env["mail.mail"].process_email_queue()
        self.assertEqual([entry["rcpt_tos"] for entry in inbox.messages], [["outro@example.com"]])
        self.assertEqual(delivered.cobranca_mail_delivery, "sent")
        self.assertEqual(refused.cobranca_mail_delivery, "failed")
        self.assertIn("mailbox unavailable", refused.cobranca_mail_delivery_error)
        failed_filter = ["|", ("cobranca_mail_state", "=", "failed"), ("cobranca_mail_delivery", "=", "failed")]
        self.assertEqual(self.env["account.move"].search(failed_filter), refused, "filter Boleto E-mail Failed")
