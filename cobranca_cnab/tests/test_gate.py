from odoo.tests import tagged

from .common import CnabCommon


@tagged("post_install", "-at_install")
class TestRegistrationGate(CnabCommon):
    """A wallet that requires registration before sending: nothing e-mails a boleto the bank does not
    know yet."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.wallet.write({"email_on_post": True, "cnab_require_registration": True})
        cls.company.cobranca_dunning_enabled = True

    def _cron_trigger_count(self):
        cron = self.env.ref("cobranca_email.ir_cron_send_boleto_emails")
        return self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)])

    def _dunned_lines(self, day):
        result = (
            self.env["cobranca.dunning"]
            .with_company(self.company)
            ._run(self.company, today=day, dry_run=True, partner_ids=self.customer.ids)
        )
        entries = [outcome.entry for outcome in result.outcomes if hasattr(outcome.entry, "overdue")]
        return {item.id for entry in entries for item in (*entry.overdue, *entry.upcoming)}

    def test_the_boleto_email_waits_for_the_bank_to_register_every_boleto(self):
        invoice = self._invoice_today()
        first, second = invoice.cobranca_boleto_ids.sorted("installment")
        self.assertEqual(invoice.cobranca_mail_state, "waiting")
        self.env["account.move"]._cron_send_boleto_emails()
        self.assertEqual(invoice.cobranca_mail_state, "waiting", "the scheduled action does not take it")
        remessa = self._remessa()
        self.assertEqual(invoice.cobranca_mail_state, "waiting", "sent is not registered")
        self._import(self._retorno(remessa, [self._answer(first, "02")]))
        self.assertEqual(invoice.cobranca_mail_state, "waiting", "one of two boletos registered")
        triggers = self._cron_trigger_count()
        self._import(self._retorno(remessa, [self._answer(second, "02")]), name="R2.RET")
        self.assertEqual(invoice.cobranca_mail_state, "pending")
        self.assertEqual(invoice.cobranca_mail_user_id, self.env.user, "still requested by who posted it")
        self.assertEqual(self._cron_trigger_count(), triggers + 1, "the scheduled action is woken up")

    def test_per_wallet_the_email_leaves_once_the_remessa_is_generated(self):
        self.wallet.cnab_release_on = "sent"
        invoice = self._invoice_today()
        self.assertEqual(invoice.cobranca_mail_state, "waiting")
        self._remessa()
        self.assertEqual(invoice.cobranca_mail_state, "pending")

    def test_a_rejection_while_waiting_fails_the_email_with_the_bank_s_reason(self):
        invoice = self._invoice_today()
        first, second = invoice.cobranca_boleto_ids.sorted("installment")
        remessa = self._remessa()
        self._import(self._retorno(remessa, [self._answer(first, "02"), self._answer(second, "03", reasons="13")]))
        self.assertEqual(invoice.cobranca_mail_state, "failed")
        self.assertIn("13 ESTADO/CEP CEP INCOMPATÍVEL COM A SIGLA DO ESTADO", invoice.cobranca_mail_error)
        log = self.env["cobranca.email.log"].search([("move_ids", "in", invoice.ids)])
        self.assertEqual(log.state, "failed")

    def test_sending_by_hand_waits_too(self):
        self.wallet.email_on_post = False
        invoice = self._invoice_today()
        self.assertFalse(invoice.cobranca_mail_state)
        action = invoice.with_user(self.billing_user).action_cobranca_send_boletos_email()
        self.assertIn("wait for the bank to register their boletos", action["params"]["message"])
        self.assertEqual(invoice.cobranca_mail_state, "waiting")
        self.assertFalse(self.env["cobranca.email.log"].search([("move_ids", "in", invoice.ids)]))

    def test_cancelling_the_invoice_drops_the_waiting_email(self):
        invoice = self._invoice_today()
        invoice.button_cancel()
        self.assertFalse(invoice.cobranca_mail_state)

    def test_dunning_notices_wait_for_the_registration(self):
        invoice = self._invoice_today()
        first, second = invoice.cobranca_boleto_ids.sorted("installment")
        self.assertFalse(self._dunned_lines(first.due_date), "coming due, but the bank does not know its boleto")
        remessa = self._remessa()
        self.assertFalse(self._dunned_lines(first.due_date))
        self._import(self._retorno(remessa, [self._answer(first, "02")]))
        self.assertEqual(self._dunned_lines(first.due_date), {first.move_line_id.id})
        self.assertNotIn(second.move_line_id.id, self._dunned_lines(second.due_date))
        # Without the wallet's requirement, nothing waits.
        self.wallet.cnab_require_registration = False
        self.assertIn(second.move_line_id.id, self._dunned_lines(second.due_date))
