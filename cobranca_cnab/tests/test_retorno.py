import base64
import io
import tempfile
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

from psycopg2 import errors

from odoo.api import call_kw
from odoo.exceptions import AccessError, UserError
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger

from odoo.addons.cobranca_email.tests.common import two_transactions

from ..cli import cobranca_retorno
from ..tools.remessa_generator import RemessaGenerator
from ..tools.retorno_importer import RetornoImporter
from . import bank
from .common import CnabCommon


@tagged("post_install", "-at_install")
class TestRetorno(CnabCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.invoice_a = cls._invoice_today(amount=300.0)
        cls.invoice_b = cls._invoice_today(amount=500.0)
        cls.a1, cls.a2 = cls.invoice_a.cobranca_boleto_ids.sorted("installment")
        cls.b1, cls.b2 = cls.invoice_b.cobranca_boleto_ids.sorted("installment")

    def _file(self, action):
        return self.env["cobranca.cnab.file"].browse(action["res_id"])

    def _payments(self):
        return self.env["account.payment"].search([("partner_id", "=", self.customer.id)])

    def _dunned_lines(self, day):
        """The installments a dunning run on ``day`` would list for the customer."""
        self.company.cobranca_dunning_enabled = True
        result = (
            self.env["cobranca.dunning"]
            .with_company(self.company)
            ._run(self.company, today=day, dry_run=True, partner_ids=self.customer.ids)
        )
        entries = [outcome.entry for outcome in result.outcomes if hasattr(outcome.entry, "overdue")]
        return {item.id for entry in entries for item in (*entry.overdue, *entry.upcoming)}

    def test_remessa_then_retorno_registers_rejects_pays_and_reconciles_once(self):
        remessa = self._remessa()
        credit_day = self.a1.due_date + timedelta(days=3)
        content = self._retorno(
            remessa,
            [
                self._answer(self.a1, "02"),
                self._answer(self.a2, "02"),
                self._answer(self.b1, "03", reasons="10"),
                self._answer(self.b2, "02"),
                # Paid three days late, with interest and fine; the bank keeps its fee.
                self._answer(self.a1, "06", interest_fine=Decimal("3.15"), fee=Decimal("2.10"), credit_date=credit_day),
                self._answer(self.a2, "06", fee=Decimal("2.10"), credit_date=credit_day),
            ],
        )
        due_that_day = {self.a1.move_line_id.id, self.b1.move_line_id.id}
        self.assertEqual(self._dunned_lines(self.a1.due_date), due_that_day)
        file = self._file(self._import(content))
        self.assertEqual((file.kind, file.state, file.wallet_id), ("retorno", "imported", self.wallet))
        self.assertEqual(file.layout, "Itaú CNAB 400")
        self.assertEqual(self.b2.cnab_state, "registered")
        # The rejection: its reason in the bank's words, on the boleto and on the invoice.
        self.assertEqual(self.b1.cnab_state, "rejected")
        self.assertEqual(self.b1.cnab_reason, "10 LOGRADOURO NÃO INFORMADO OU DESLOCADO")
        self.assertEqual(self.invoice_b.cnab_rejected_count, 1)
        self.assertIn("rejected by the bank: 10 LOGRADOURO", self.invoice_b.cnab_registration_note)
        # The liquidações: a payment each, on the credit date, for what the bank credits, reconciled.
        self.assertEqual((self.a1.cnab_state, self.a2.cnab_state), ("paid", "paid"))
        payment = self.a1.cnab_payment_id
        self.assertEqual((payment.amount, payment.date, payment.journal_id), (151.05, credit_day, self.journal))
        self.assertEqual(payment.state, "in_process")
        lines = payment.move_id.line_ids
        self.assertEqual(
            sum(lines.filtered(lambda line: line.account_id == self.interest_account).mapped("balance")), -3.15
        )
        self.assertEqual(sum(lines.filtered(lambda line: line.account_id == self.fee_account).mapped("balance")), 2.10)
        self.assertEqual(self.a2.cnab_payment_id.amount, 147.90)
        self.assertTrue(self.a1.move_line_id.reconciled and self.a2.move_line_id.reconciled)
        self.assertTrue(self.a1.paid)
        self.assertIn(self.invoice_a.payment_state, ("paid", "in_payment"))
        self.assertEqual(self.invoice_a.amount_residual, 0.0)
        # Every occurrence is kept on its boleto, with the bank's code and text.
        self.assertEqual(
            [(line.code, line.description) for line in self.a1.cnab_line_ids.filtered(lambda ln: ln.kind == "retorno")],
            [
                ("02", "ENTRADA CONFIRMADA COM POSSIBILIDADE DE MENSAGEM (NOTA 20 – TABELA 10)"),
                ("06", "LIQUIDAÇÃO NORMAL"),
            ],
        )
        self.assertIn("Registered: 3", file.summary)
        self.assertIn("Rejected: 1", file.summary)
        self.assertIn("Paid: 2", file.summary)
        # A paid boleto leaves the dunning at once; the unpaid one of the same day stays.
        self.assertEqual(self._dunned_lines(self.a1.due_date), {self.b1.move_line_id.id})
        # The same file again changes nothing.
        payments = self._payments()
        action = self._import(content)
        self.assertEqual(action["params"]["type"], "info")
        self.assertIn("was imported already", action["params"]["message"])
        self.assertEqual(self._payments(), payments)
        self.assertEqual(len(self.env["cobranca.cnab.file"].search([("kind", "=", "retorno")])), 1)
        self.assertEqual(len(self.a1.cnab_line_ids), 3)  # its remessa line and two occurrences, not more

    def test_what_is_not_applied_is_reported_and_nothing_of_it_is_half_done(self):
        remessa = self._remessa()
        content = self._retorno(
            remessa,
            [
                self._answer(self.a1, "02"),
                bank.Answer("99999999", "02", face=Decimal("10.00")),
                # Paid R$ 10 less than the boleto, with no discount or rebate to explain it.
                self._answer(self.b1, "06", paid=Decimal("240.00")),
            ],
        )
        file = self._file(self._import(content))
        self.assertEqual(file.state, "attention")
        self.assertEqual(file.attention_count, 2)
        self.assertEqual(self.a1.cnab_state, "registered")
        self.assertEqual(self.b1.cnab_state, "sent")
        self.assertFalse(self._payments())
        self.assertFalse(self.b1.move_line_id.reconciled)
        unknown = file.line_ids.filtered(lambda line: line.nosso_numero == "99999999")
        self.assertEqual(unknown.result, "not_applied")
        self.assertIn("no boleto of billing wallet Itaú 109 has nosso número 99999999", unknown.message)
        different = file.line_ids.filtered(lambda line: line.boleto_id == self.b1)
        self.assertIn("reports R$ 240.00 paid for a boleto of R$ 250.00", different.message.replace("\xa0", " "))
        self.assertIn("Needs attention", file.summary)
        self.assertIn("99999999", file.summary)

    def test_a_file_of_another_bank_account_is_refused_whole(self):
        remessa = self._remessa()
        content = self._retorno(remessa, [self._answer(self.a1, "02")], account="54321")
        file = self._file(self._import(content))
        self.assertEqual(file.state, "refused")
        self.assertIn("Refused: nothing was applied", file.summary)
        self.assertIn("54321", file.summary)
        self.assertEqual(self.a1.cnab_state, "sent")
        self.assertFalse(file.line_ids)
        # Dropped on the list without a wallet: no wallet of the company has that account.
        attachment = self.env["ir.attachment"].with_user(self.billing_user).create({"name": "X.RET", "raw": content})
        action = (
            self.env["cobranca.cnab.file"].with_user(self.billing_user).create_document_from_attachment(attachment.ids)
        )
        dropped = self._file(action)
        self.assertEqual((dropped.state, dropped.wallet_id.id), ("refused", False))
        self.assertIn(
            "No billing wallet of your companies with a CNAB layout has this file's bank account", dropped.summary
        )
        self.assertIn("account 54321", dropped.summary)

    def test_a_line_that_fails_is_rolled_back_alone(self):
        remessa = self._remessa()
        self.wallet.cnab_interest_account_id = False
        content = self._retorno(
            remessa,
            [
                self._answer(self.a1, "06", interest_fine=Decimal("1.00")),
                self._answer(self.a2, "06"),
                self._answer(self.b1, "02"),
            ],
        )
        file = self._file(self._import(content))
        failed = file.line_ids.filtered(lambda line: line.boleto_id == self.a1)
        self.assertEqual(failed.result, "not_applied")
        self.assertIn("Interest and fine received of R$", failed.message)
        self.assertIn("set its account on the CNAB tab of billing wallet Itaú 109", failed.message)
        self.assertEqual((self.a1.cnab_state, self.a1.cnab_payment_id.id), ("sent", False))
        self.assertFalse(self.a1.move_line_id.reconciled)
        self.assertEqual(self._payments(), self.a2.cnab_payment_id)
        self.assertEqual((self.a2.cnab_state, self.b1.cnab_state), ("paid", "registered"))

    def test_a_write_off_request_confirmed_writes_the_boleto_off(self):
        first = self._remessa()
        self._import(self._retorno(first, [self._answer(self.a1, "02"), self._answer(self.a2, "02")]))
        self.invoice_a.button_cancel()
        self.assertEqual(self.a1.cnab_movement, "write_off")
        second = self._remessa()
        self.assertEqual({line.movement for line in second.line_ids}, {"write_off"})
        self._import(self._retorno(second, [self._answer(self.a1, "09"), self._answer(self.a2, "09")]), name="R2.RET")
        self.assertEqual((self.a1.cnab_state, self.a1.cnab_movement), ("written_off", False))

    def test_a_rejected_boleto_is_not_emailed_and_the_invoice_shows_why(self):
        self.wallet.email_on_post = True
        invoice = self._invoice_today()
        self.assertEqual(invoice.cobranca_mail_state, "pending")
        first, second = invoice.cobranca_boleto_ids.sorted("installment")
        remessa = self._remessa()
        self._import(self._retorno(remessa, [self._answer(first, "02"), self._answer(second, "03", reasons="08")]))
        self.assertEqual(invoice.cobranca_mail_state, "failed")
        self.assertIn("was rejected by the bank: 08 NOME DO PAGADOR", invoice.cobranca_mail_error)
        self.env["account.move"]._cron_send_boleto_emails()
        self.assertEqual(invoice.cobranca_mail_state, "failed")

    def test_cnab_240_files_of_the_same_bank(self):
        self.wallet.cnab_layout = "240"
        invoice = self._invoice_today()
        first, second = invoice.cobranca_boleto_ids.sorted("installment")
        remessa = self._remessa()
        self.assertEqual(remessa.layout, "Itaú CNAB 240")
        content = self._retorno(
            remessa, [self._answer(first, "02"), self._answer(second, "06", interest_fine=Decimal("0.50"))]
        )
        file = self._file(self._import(content, name="RET240.RET"))
        self.assertEqual((file.layout, file.state), ("Itaú CNAB 240", "imported"))
        self.assertEqual((first.cnab_state, second.cnab_state), ("registered", "paid"))
        self.assertEqual(second.cnab_payment_id.amount, 150.50)

    def test_dropping_files_on_the_list_imports_each_into_its_wallet(self):
        remessa = self._remessa()
        content = self._retorno(remessa, [self._answer(self.a1, "02")])
        attachment = (
            self.env["ir.attachment"].with_user(self.billing_user).create({"name": "CN0112A.RET", "raw": content})
        )
        # As the list's drop zone calls it (account's DocumentFileUploader): on no record, over RPC.
        Files = self.env["cobranca.cnab.file"].with_user(self.billing_user)
        action = call_kw(Files, "create_document_from_attachment", ["", attachment.ids], {})
        file = self._file(action)
        self.assertEqual((file.name, file.wallet_id, file.state), ("CN0112A.RET", self.wallet, "imported"))
        self.assertEqual(self.a1.cnab_state, "registered")
        self.assertFalse(attachment.exists(), "the upload is not kept twice: the file record has its copy")

    def test_command_line_imports_and_says_what_it_did(self):
        remessa = self._remessa()
        content = self._retorno(remessa, [self._answer(self.a1, "02"), bank.Answer("88888888", "02", face=Decimal(1))])
        out = io.StringIO()
        status = cobranca_retorno.import_one(self.env, "RET1.RET", content, out)
        self.assertEqual(status, cobranca_retorno.SOME_FAILED, out.getvalue())
        self.assertIn("RET1.RET: imported into billing wallet Itaú 109", out.getvalue())
        self.assertIn("2 line(s): 1 registered, 0 rejected, 0 paid (0 payment(s), 0.00)", out.getvalue())
        self.assertIn("NOT APPLIED  line 3, nosso número 88888888: Not applied: no boleto", out.getvalue())
        self.assertEqual(self.a1.cnab_state, "registered")
        out = io.StringIO()
        self.assertEqual(cobranca_retorno.import_one(self.env, "RET1.RET", content, out), cobranca_retorno.OK)
        self.assertIn("was imported already", out.getvalue())
        with tempfile.TemporaryDirectory() as folder:
            missing = str(Path(folder, "none.ret"))
            out = io.StringIO()
            self.assertEqual(cobranca_retorno.main([missing], SimpleNamespace(), out), cobranca_retorno.NOT_RUN)
            self.assertIn(f"cannot read {missing}", out.getvalue())


@tagged("post_install", "-at_install")
class TestRetornoAccess(CnabCommon):
    def test_only_billing_users_of_the_wallet_s_company_import(self):
        invoice = self._invoice_today()
        remessa = self._remessa()
        content = self._retorno(remessa, [self._answer(invoice.cobranca_boleto_ids[0], "02")])
        with self.assertRaises(AccessError):
            self._import(content, user=self.other_user)
        with self.assertRaises(AccessError):
            self._import(content, user=self.invoicing_user)
        with self.assertRaises(AccessError):
            self.wallet.with_user(self.other_user).action_cnab_import_retorno()
        attachment = self.env["ir.attachment"].with_user(self.invoicing_user).create({"name": "R.RET", "raw": content})
        with self.assertRaises(AccessError):
            self.env["cobranca.cnab.file"].with_user(self.invoicing_user).create_document_from_attachment(
                attachment.ids
            )
        # A user of another company dropping the file finds no wallet of theirs: refused in their company.
        attachment = self.env["ir.attachment"].with_user(self.other_user).create({"name": "R.RET", "raw": content})
        action = (
            self.env["cobranca.cnab.file"].with_user(self.other_user).create_document_from_attachment(attachment.ids)
        )
        refused = self.env["cobranca.cnab.file"].browse(action["res_id"])
        self.assertEqual((refused.state, refused.company_id), ("refused", self.other_company))
        self.assertEqual(invoice.cobranca_boleto_ids.mapped("cnab_state"), ["sent", "sent"])
        self.assertFalse(self.env["cobranca.cnab.line"].with_user(self.other_user).search([]))

    def test_boletos_cannot_be_registered_by_hand(self):
        invoice = self._invoice_today()
        with self.assertRaises(AccessError):
            invoice.cobranca_boleto_ids.with_user(self.billing_user).write({"cnab_state": "registered"})
        with self.assertRaises(UserError):
            self.env["cobranca.cnab.import"].with_user(self.billing_user).create(
                {"wallet_id": self.wallet.id}
            ).action_import()


@tagged("post_install", "-at_install")
class TestRetornoWorkers(TransactionCase):
    """Two imports of the same retorno at the same time, each in its own transaction, on the demo wallet."""

    def test_a_second_import_at_the_same_time_is_refused_and_nothing_is_applied_twice(self):
        wallet = self.env.ref("cobranca_email.demo_wallet_itau")
        with two_transactions(self.env.cr.dbname) as (env_a, env_b):
            wallet_a = env_a["cobranca.wallet"].browse(wallet.id)
            remessa = RemessaGenerator(wallet_a).generate().file
            boleto = remessa.line_ids.boleto_id[0]
            content = bank.retorno(base64.b64decode(remessa.data), [bank.Answer(boleto.nosso_numero, "06")])
            first = RetornoImporter(env_a, wallet_a).import_file("R.RET", content)
            self.assertTrue(boleto.cnab_payment_id, first.file.summary)
            with self.assertRaisesRegex(UserError, "importing a retorno right now"):
                RetornoImporter(env_b, env_b["cobranca.wallet"].browse(wallet.id)).import_file("R.RET", content)
            self.assertFalse(env_b["account.payment"].search([("memo", "ilike", boleto.nosso_numero_formatted)]))


@tagged("post_install", "-at_install")
class TestRetornoOnce(CnabCommon):
    def test_the_database_refuses_the_same_retorno_twice_in_a_wallet(self):
        Files = self.env["cobranca.cnab.file"]
        values = {"name": "R.RET", "kind": "retorno", "wallet_id": self.wallet.id, "checksum": "ab" * 32}
        Files._create_file({**values, "state": "refused"}, b"x")
        Files._create_file({**values, "state": "imported"}, b"x")  # a refused import does not count
        with mute_logger("odoo.sql_db"), self.assertRaises(errors.UniqueViolation), self.env.cr.savepoint():
            Files._create_file({**values, "state": "attention"}, b"x")
            self.env.flush_all()
