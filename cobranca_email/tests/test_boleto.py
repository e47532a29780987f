from datetime import date, datetime

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import TransactionCase, tagged

from cobranca_core.boleto import parse

from .common import CobrancaCommon, two_transactions


@tagged("post_install", "-at_install")
class TestBoletoIssue(CobrancaCommon):
    def test_posting_issues_one_boleto_per_installment(self):
        invoice = self._invoice(amount=300.0)
        boletos = invoice.cobranca_boleto_ids
        self.assertEqual(len(boletos), 2)
        installments = invoice.line_ids.filtered(lambda line: line.display_type == "payment_term")
        self.assertEqual(set(boletos.move_line_id.ids), set(installments.ids))
        for boleto in boletos:
            line = boleto.move_line_id
            self.assertEqual(boleto.amount, 150.0)
            self.assertEqual(boleto.due_date, line.date_maturity)
            # What a bank reads back from the barcode is this installment: bank, due date, amount, nosso número.
            read = parse(boleto.digitable_line, reference_date=date(2026, 11, 2))
            self.assertEqual(read.barcode, boleto.barcode)
            self.assertEqual(read.bank_code, "341")
            self.assertEqual(read.due_date, line.date_maturity)
            self.assertEqual(str(read.amount), "150.00")
            self.assertIn(boleto.nosso_numero, read.free_field)
        self.assertEqual(boletos.sorted("installment").mapped("due_date"), [date(2026, 12, 2), date(2027, 1, 1)])

    def test_issued_on_the_day_of_posting(self):
        """An invoice of 30 December posted on 2 January: its boletos are generated in the new year, and
        Sicredi's nosso número carries the year it was generated in."""
        sicredi = self.env["res.bank"].create({"name": "Sicredi", "cobranca_bank_code": "748"})
        account = self.env["res.partner.bank"].create(
            {"acc_number": "0165 02 00623", "bank_id": sicredi.id, "partner_id": self.company.partner_id.id}
        )
        wallet = self.env["cobranca.wallet"].create(
            {"name": "Sicredi 1", "partner_bank_id": account.id, "agency": "0165", "posto": "02",
             "convenio": "00623", "carteira": "1"}
        )  # fmt: skip
        self.customer.with_company(self.company).cobranca_wallet_id = wallet
        with freeze_time(datetime(2027, 1, 2, 15)):
            invoice = self._invoice(invoice_date=date(2026, 12, 30))
        for boleto in invoice.cobranca_boleto_ids:
            self.assertEqual(boleto.issue_date, date(2027, 1, 2))
            self.assertTrue(boleto.nosso_numero_formatted.startswith("27/"), boleto.nosso_numero_formatted)

    def test_nosso_numero_never_reused(self):
        first = self._invoice()
        second = self._invoice()
        numbers = (first.cobranca_boleto_ids | second.cobranca_boleto_ids).mapped("nosso_numero")
        self.assertEqual(len(numbers), len(set(numbers)), "each installment has its own nosso número")
        first.button_draft()
        self.assertEqual(set(first.cobranca_boleto_ids.mapped("state")), {"cancelled"})
        first.action_post()
        active = first.cobranca_boleto_ids.filtered(lambda b: b.state == "active")
        self.assertEqual(len(active), 2)
        self.assertFalse(set(active.mapped("nosso_numero")) & set(numbers), "re-issuing takes new nosso números")
        note = first.message_ids.filtered(lambda m: "re-issued" in (m.body or ""))
        self.assertTrue(note, "re-issuing leaves a trace in the chatter")
        for old in first.cobranca_boleto_ids.filtered(lambda b: b.state == "cancelled"):
            self.assertIn(old.nosso_numero_formatted, note[0].body)

    def test_rolled_back_posting_never_gives_its_number_back(self):
        # Numbers come from a PostgreSQL sequence: taken outside the transaction, so a posting that fails
        # (or a concurrent one) never hands the same nosso número out again.
        with self.assertRaises(UserError), self.env.cr.savepoint():
            lost = self.wallet._take_sequence()
            raise UserError("posting failed")  # a simulated failure  # pylint: disable=translation-required
        self.assertGreater(self.wallet._take_sequence(), lost)

    def test_cancelling_invoice_cancels_boletos(self):
        invoice = self._invoice()
        invoice.button_cancel()
        self.assertEqual(set(invoice.cobranca_boleto_ids.mapped("state")), {"cancelled"})
        self.assertEqual(invoice.cobranca_boleto_count, 0)

    def test_boleto_never_changed_silently(self):
        boleto = self._invoice().cobranca_boleto_ids[0]
        with self.assertRaisesRegex(AccessError, "cannot be changed by hand"):
            boleto.amount = 1.0
        # Not even the code that writes boletos (as superuser) changes what was issued.
        with self.assertRaisesRegex(UserError, "Amount.*cannot change"):
            boleto.sudo().amount = 1.0
        with self.assertRaisesRegex(UserError, "Due Date.*cannot change"):
            boleto.sudo().due_date = date(2030, 1, 1)

    def test_manager_reissues_with_chatter_trace(self):
        invoice = self._invoice()
        old = invoice.cobranca_boleto_ids
        invoice.action_cobranca_reissue_boletos()
        self.assertEqual(set(old.mapped("state")), {"cancelled"})
        new = invoice.cobranca_boleto_ids - old
        self.assertEqual(len(new), 2)
        self.assertIn(new[0].nosso_numero_formatted, invoice.message_ids[0].body)

    def test_no_wallet_no_boleto(self):
        partner = self.customer.copy({"name": "Sem carteira"})
        invoice = self._invoice(partner=partner, post=False)
        invoice.cobranca_wallet_id = False
        invoice.action_post()
        self.assertFalse(invoice.cobranca_boleto_ids)

    def test_customer_wallet_wins_over_company_default(self):
        other = self.wallet.copy({"name": "Itaú 112 (filial)", "carteira": "112"})
        partner = self.customer.copy({"name": "Cliente da filial"})
        partner.with_company(self.company).cobranca_wallet_id = other
        invoice = self._invoice(partner=partner)
        self.assertEqual(invoice.cobranca_wallet_id, other)
        self.assertEqual(invoice.cobranca_boleto_ids.wallet_id, other)

    def test_duplicated_invoice_gets_its_own_boletos(self):
        invoice = self._invoice()
        copy = invoice.copy()
        self.assertFalse(copy.cobranca_boleto_ids, "duplicating an invoice never copies its boletos")
        copy.invoice_date = invoice.invoice_date
        copy.action_post()
        copied = set(copy.cobranca_boleto_ids.mapped("nosso_numero"))
        self.assertFalse(copied & set(invoice.cobranca_boleto_ids.mapped("nosso_numero")))


@tagged("post_install", "-at_install")
class TestWallet(CobrancaCommon):
    def test_wrong_check_digit_names_field_and_wallet(self):
        with self.assertRaises(ValidationError) as caught:
            self.wallet.copy({"name": "Itaú errado", "account_dv": "3"})
        message = str(caught.exception)
        self.assertIn("Itaú errado", message)
        self.assertIn("Account Check Digit", message)
        self.assertIn("7", message, "the message gives the right check digit")

    def test_field_too_long_for_layout(self):
        with self.assertRaisesRegex(ValidationError, "Agency"):
            self.wallet.copy({"name": "Agência longa", "agency": "123456"})

    def test_bank_without_layout_refused(self):
        bank = self.env["res.bank"].create({"name": "Banco Sem Layout", "cobranca_bank_code": "999"})
        account = self.bank_account.copy({"acc_number": "999-1", "bank_id": bank.id})
        with self.assertRaisesRegex(ValidationError, "has no boleto layout"):
            self.wallet.copy({"name": "Sem layout", "partner_bank_id": account.id})

    def test_bank_code_is_three_digits(self):
        with self.assertRaisesRegex(ValidationError, "3 digits"):
            self.env["res.bank"].create({"name": "Banco X", "cobranca_bank_code": "34"})

    def test_pix_needs_a_key(self):
        account = self.bank_account.copy({"acc_number": "0057 99999-1", "proxy_type": "none", "proxy_value": False})
        with self.assertRaisesRegex(ValidationError, "no Pix key"):
            self.wallet.copy({"name": "Pix sem chave", "partner_bank_id": account.id})

    def test_layout_frozen_once_boletos_issued(self):
        self._invoice()
        with self.assertRaisesRegex(UserError, "already issued boletos"):
            self.wallet.carteira = "112"

    def test_next_nosso_numero_cannot_go_back(self):
        wallet = self.wallet.copy({"name": "Migrada", "carteira": "112"})
        wallet.next_nosso_numero = 5000
        partner = self.customer.copy({"name": "Cliente migrado"})
        partner.with_company(self.company).cobranca_wallet_id = wallet
        invoice = self._invoice(partner=partner)
        self.assertEqual(sorted(invoice.cobranca_boleto_ids.mapped("sequence")), [5000, 5001])
        with self.assertRaisesRegex(ValidationError, "can only move forward, to 5002"):
            wallet.next_nosso_numero = 4000
        # Not even once the invoice is gone: its nosso números were e-mailed to the customer.
        invoice.button_cancel()
        with self.assertRaisesRegex(ValidationError, "can only move forward"):
            wallet.next_nosso_numero = 5001
        invoice.button_draft()
        invoice.with_context(force_delete=True).unlink()
        self.assertFalse(invoice.exists())
        with self.assertRaisesRegex(ValidationError, "can only move forward"):
            wallet.next_nosso_numero = 5000
        wallet.next_nosso_numero = 6000  # forward is fine
        self.assertEqual(wallet.next_nosso_numero, 6000)

    def test_wallets_and_boletos_stay_in_their_company(self):
        self._invoice()
        other = self.setup_other_company(name="Outra Empresa Ltda")["company"]
        outsider = self.env["res.users"].create(
            {
                "name": "Usuário da outra empresa",
                "login": "outsider",
                "company_id": other.id,
                "company_ids": [(6, 0, other.ids)],
                "groups_id": [(6, 0, self.env.ref("cobranca_email.group_cobranca_manager").ids)],
            }
        )
        self.assertFalse(self.env["cobranca.wallet"].with_user(outsider).search([]))
        self.assertFalse(self.env["cobranca.boleto"].with_user(outsider).search([]))
        self.assertTrue(self.env["cobranca.boleto"].search([("company_id", "=", self.company.id)]))


@tagged("post_install", "-at_install")
class TestNossoNumeroWorkers(TransactionCase):
    """Two postings at the same time, each in its own database transaction, on the demo wallet."""

    def test_two_transactions_take_different_numbers_without_waiting(self):
        wallet = self.env.ref("cobranca_email.demo_wallet_itau", raise_if_not_found=False)
        if not wallet or not wallet.sequence_id:
            self.skipTest("needs the demo data (an Itaú wallet that issued boletos)")
        with two_transactions(self.env.cr.dbname) as (env_a, env_b):
            wallet_a, wallet_b = env_a["cobranca.wallet"].browse(wallet.id), env_b["cobranca.wallet"].browse(wallet.id)
            taken = [wallet_a._take_sequence(), wallet_b._take_sequence(), wallet_a._take_sequence()]
            self.assertEqual(len(set(taken)), 3, taken)
            # Neither has committed: the numbers are taken all the same, never to be handed out again.
            env_a.cr.rollback()
            self.assertGreater(wallet_b._take_sequence(), max(taken))
