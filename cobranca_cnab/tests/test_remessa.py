import base64
import io
import os
import tempfile
from decimal import Decimal
from pathlib import Path

from psycopg2 import errors

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger

from odoo.addons.cobranca_email.tests.common import two_transactions

from cobranca_core.charges import instruction_amounts

from ..cli import cobranca_remessa
from ..tools.remessa_generator import RemessaGenerator
from .common import CnabCommon


@tagged("post_install", "-at_install")
class TestRemessa(CnabCommon):
    def test_posted_boletos_wait_for_the_next_remessa(self):
        invoice = self._invoice_today()
        self.assertEqual(invoice.cobranca_boleto_ids.mapped("cnab_state"), ["to_register", "to_register"])
        self.assertEqual(invoice.cobranca_boleto_ids.mapped("cnab_movement"), ["entry", "entry"])
        self.assertEqual(self.wallet.cnab_to_send_count, 2)
        # A wallet without a CNAB layout registers nothing.
        self.wallet.cnab_layout = False
        other = self._invoice_today()
        self.assertEqual(other.cobranca_boleto_ids.mapped("cnab_state"), [False, False])

    def test_generate_remessa_writes_each_boleto_with_its_instructions(self):
        invoices = self._invoice_today(amount=300.0) | self._invoice_today(amount=1234.56)
        boletos = invoices.cobranca_boleto_ids
        file = self._remessa()
        self.assertEqual(
            (file.kind, file.state, file.sequence, file.wallet_id), ("remessa", "generated", 1, self.wallet)
        )
        self.assertRegex(file.name, r"^CNAB400_341_\d{8}_000001\.REM$")
        self.assertEqual(file.boleto_count, 4)
        self.assertEqual(file.amount_total, 1534.56)
        remessa = self._read(file)
        self.assertEqual((remessa.bank_code, remessa.layout), ("341", 400))
        self.assertEqual(remessa.company_document, "11222333000181")
        by_number = {title.nosso_numero.lstrip("0"): title for title in remessa.titles}
        self.assertEqual(set(by_number), {boleto.nosso_numero.lstrip("0") for boleto in boletos})
        for boleto in boletos:
            title = by_number[boleto.nosso_numero.lstrip("0")]
            amounts = instruction_amounts(Decimal(str(boleto.amount)), Decimal(2), Decimal(1))
            self.assertEqual(title.movement, "entry")
            self.assertEqual((title.due_date, title.amount), (boleto.due_date, Decimal(str(boleto.amount))))
            self.assertEqual((title.fine, title.daily_interest), (amounts.fine, amounts.daily_interest))
            self.assertEqual((title.payer_name, title.payer_document), ("MARIA DA SILVA COMERCIO ME", "4252011000110"))
            self.assertEqual(
                (title.payer_zip_code, title.payer_city, title.payer_state), ("13010000", "CAMPINAS", "SP")
            )
            # The hybrid boleto's Pix key is registered with the title (Itaú 400, carteira 109).
            self.assertEqual(title.pix_key, "71D6C6E1-64EA-4A11-9560-A10870C40CA2")
            # The seu número: the invoice's number and the installment, shortened to fit Itaú's 10 positions.
            number = boleto.move_id.name.split()[-1].split("/")[-1]
            self.assertEqual(title.document_number, f"{number}/{boleto.installment}")
        self.assertEqual(set(boletos.mapped("cnab_state")), {"sent"})
        self.assertEqual(boletos.cnab_file_id, file)
        self.assertFalse(any(boletos.mapped("cnab_movement")))
        self.assertEqual(file.line_ids.boleto_id, boletos)
        # Each title's detail line, followed by its fine (type 2) and Pix (type 3) records.
        self.assertEqual(sorted(file.line_ids.mapped("line_number")), [2, 5, 8, 11])
        # Nothing left to send: the button says so rather than writing an empty file.
        with self.assertRaisesRegex(UserError, "Nothing to send"):
            self._remessa()

    def test_file_numbers_never_repeat(self):
        self._invoice_today()
        first = self._remessa()
        self._invoice_today()
        second = self._remessa()
        self.assertEqual((first.sequence, second.sequence), (1, 2))
        self.assertNotEqual(first.name, second.name)
        self.assertEqual(self.wallet.cnab_next_sequence, 3)
        with self.assertRaisesRegex(ValidationError, "only move forward, to 3"):
            self.wallet.cnab_next_sequence = 2
        self.wallet.cnab_next_sequence = 10  # continuing another system's numbering
        self._invoice_today()
        self.assertEqual(self._remessa().sequence, 10)
        # Whatever writes a file, the database refuses a number given twice in a wallet.
        with mute_logger("odoo.sql_db"), self.assertRaises(errors.UniqueViolation), self.env.cr.savepoint():
            self.env["cobranca.cnab.file"]._create_file(
                {"name": "X.REM", "kind": "remessa", "wallet_id": self.wallet.id, "sequence": 2, "state": "generated"},
                b"x",
            )
            self.env.flush_all()

    def test_cancelled_boletos_send_a_write_off_request_only_when_the_bank_has_them(self):
        sent = self._invoice_today()
        self._remessa()
        never_sent = self._invoice_today()
        sent.button_draft()
        never_sent.button_draft()
        self.assertEqual(sent.cobranca_boleto_ids.mapped("cnab_movement"), ["write_off", "write_off"])
        self.assertEqual(never_sent.cobranca_boleto_ids.mapped("cnab_movement"), [False, False])
        self.assertEqual(never_sent.cobranca_boleto_ids.mapped("cnab_state"), [False, False])
        file = self._remessa()
        titles = self._read(file).titles
        self.assertEqual([title.movement for title in titles], ["write_off", "write_off"])
        self.assertEqual(
            {title.nosso_numero.lstrip("0") for title in titles},
            {boleto.nosso_numero.lstrip("0") for boleto in sent.cobranca_boleto_ids},
        )
        self.assertEqual(sent.cobranca_boleto_ids.cnab_file_id, file)
        # Posting again issues new boletos, which wait for their own entry.
        sent.action_post()
        new = sent.cobranca_boleto_ids.filtered(lambda boleto: boleto.state == "active")
        self.assertEqual(new.mapped("cnab_movement"), ["entry", "entry"])

    def test_a_value_the_bank_would_refuse_names_the_boleto_and_the_field_and_the_others_go(self):
        good = self._invoice_today()
        nowhere = self.customer.copy({"name": "Sem CEP Ltda", "zip": False, "vat": "11.444.777/0001-61"})
        bad = self._invoice_today(partner=nowhere)
        file = self._remessa()
        self.assertEqual(file.line_ids.boleto_id, good.cobranca_boleto_ids)
        for boleto in bad.cobranca_boleto_ids:
            self.assertEqual(boleto.cnab_state, "to_register")
            self.assertEqual(boleto.cnab_movement, "entry", "it waits for the next remessa, once corrected")
            self.assertIn(f"invoice {bad.name}, installment {boleto.installment}", boleto.cnab_error)
            self.assertIn("the customer's ZIP code (CEP) is not valid", boleto.cnab_error)
            self.assertIn(boleto.cnab_error, file.summary)
        # Nothing else to send: the button says why instead of writing a file.
        action = self.wallet.with_user(self.billing_user).action_cnab_generate_remessa()
        self.assertEqual(action["params"]["type"], "warning")
        self.assertIn("ZIP code", action["params"]["message"])
        nowhere.zip = "01310-100"
        self.assertEqual(self._remessa().line_ids.boleto_id, bad.cobranca_boleto_ids)
        self.assertFalse(any(bad.cobranca_boleto_ids.mapped("cnab_error")))

    def test_a_wallet_without_the_bank_s_code_writes_nothing(self):
        santander = self.env["res.bank"].create({"name": "Santander", "cobranca_bank_code": "033"})
        account = self.env["res.partner.bank"].create(
            {"acc_number": "4042 13000123-4", "bank_id": santander.id, "partner_id": self.company.partner_id.id}
        )
        wallet = self.env["cobranca.wallet"].create(
            {
                "name": "Santander 101",
                "partner_bank_id": account.id,
                "agency": "4042",
                "account": "13000123",
                "account_dv": "4",
                "convenio": "1899775",
                "carteira": "101",
                "cnab_layout": "240",
            }
        )
        self.customer.with_company(self.company).cobranca_wallet_id = wallet
        self._invoice_today()
        with self.assertRaisesRegex(UserError, "Santander 101: the transmission code is missing"):
            self._remessa(wallet)
        self.assertEqual(wallet.cnab_next_sequence, 1, "no number is taken for a file never written")
        with self.assertRaisesRegex(ValidationError, "no CNAB 400 layout"):
            wallet.cnab_layout = "400"

    def test_selected_boletos_go_alone(self):
        first, second = self._invoice_today(), self._invoice_today()
        action = first.cobranca_boleto_ids.with_user(self.billing_user).action_cnab_generate_remessa()
        file = self.env["cobranca.cnab.file"].browse(action["res_id"])
        self.assertEqual(file.line_ids.boleto_id, first.cobranca_boleto_ids)
        self.assertEqual(second.cobranca_boleto_ids.mapped("cnab_state"), ["to_register", "to_register"])

    def test_boletos_issued_before_the_wallet_registered_can_be_registered(self):
        self.wallet.cnab_layout = False
        invoice = self._invoice_today()
        self.wallet.cnab_layout = "400"
        invoice.cobranca_boleto_ids.with_user(self.billing_user).action_cnab_register()
        self.assertEqual(invoice.cobranca_boleto_ids.mapped("cnab_movement"), ["entry", "entry"])
        self.assertEqual(self._remessa().line_ids.boleto_id, invoice.cobranca_boleto_ids)

    def test_discarded_remessa_sends_its_boletos_again_with_a_new_number(self):
        invoice = self._invoice_today()
        file = self._remessa()
        file.action_discard()
        self.assertEqual(file.state, "discarded")
        self.assertEqual(invoice.cobranca_boleto_ids.mapped("cnab_state"), ["to_register", "to_register"])
        again = self._remessa()
        self.assertEqual((again.sequence, again.line_ids.boleto_id), (2, invoice.cobranca_boleto_ids))

    def test_scheduled_action_writes_a_file_only_for_wallets_with_something_to_send(self):
        idle = self.wallet.copy({"name": "Itaú 109 (idle)", "carteira": "112"})
        idle.cnab_layout = "400"
        self._invoice_today()
        Files = self.env["cobranca.cnab.file"]
        self.env["cobranca.wallet"]._cron_cnab_generate_remessas()
        self.assertEqual(Files.search([("wallet_id", "=", self.wallet.id)]).mapped("sequence"), [1])
        self.assertFalse(Files.search([("wallet_id", "=", idle.id)]))
        self.env["cobranca.wallet"]._cron_cnab_generate_remessas()  # run again: nothing new to send
        self.assertEqual(len(Files.search([("wallet_id", "=", self.wallet.id)])), 1)

    def test_download_gives_the_file_back(self):
        self._invoice_today()
        file = self._remessa()
        action = file.with_user(self.billing_user).action_download()
        self.assertEqual(action["url"], f"/web/content/cobranca.cnab.file/{file.id}/data/{file.name}?download=true")
        attachment = self.env["ir.attachment"].search(
            [("res_model", "=", "cobranca.cnab.file"), ("res_id", "=", file.id), ("res_field", "=", "data")]
        )
        self.assertEqual(attachment.raw, base64.b64decode(file.data))
        self.assertTrue(attachment.raw.endswith(b"\r\n"))

    def test_command_line_writes_the_file_where_asked(self):
        self._invoice_today()
        with tempfile.TemporaryDirectory() as folder:
            out = io.StringIO()
            status = cobranca_remessa.run(self.env, self.wallet.id, folder, out)
            self.assertEqual(status, cobranca_remessa.OK, out.getvalue())
            file = self.env["cobranca.cnab.file"].search([("wallet_id", "=", self.wallet.id)])
            written = Path(folder, file.name)
            self.assertEqual(written.read_bytes(), base64.b64decode(file.data))
            self.assertIn(
                f"remessa number 1, 2 boleto(s) (2 entr(ies), 0 write-off request(s)) -> {written}", out.getvalue()
            )
            out = io.StringIO()
            self.assertEqual(cobranca_remessa.run(self.env, self.wallet.id, folder, out), cobranca_remessa.OK)
            self.assertIn("nothing to send", out.getvalue())
            self.assertEqual(os.listdir(folder), [file.name])
        out = io.StringIO()
        self.assertEqual(cobranca_remessa.run(self.env, 999999, None, out), cobranca_remessa.NOT_RUN)
        self.assertIn("no billing wallet with id 999999", out.getvalue())


@tagged("post_install", "-at_install")
class TestRemessaAccess(CnabCommon):
    def test_only_billing_users_of_the_wallet_s_company_generate(self):
        self._invoice_today()
        with self.assertRaises(AccessError):
            self.wallet.with_user(self.invoicing_user).action_cnab_generate_remessa()
        with self.assertRaises(AccessError):
            self.wallet.with_user(self.other_user).action_cnab_generate_remessa()
        with self.assertRaises(AccessError):
            self.wallet.boleto_ids.with_user(self.other_user).action_cnab_register()
        self.assertEqual(self.wallet.cnab_to_send_count, 2, "nothing was sent")

    def test_files_are_read_only_and_seen_by_their_company_only(self):
        self._invoice_today()
        file = self._remessa()
        with self.assertRaises(AccessError):
            file.with_user(self.billing_user).write({"state": "discarded"})
        with self.assertRaises(AccessError):
            file.with_user(self.billing_user).unlink()
        with self.assertRaises(AccessError):
            file.with_user(self.billing_user).action_discard()  # a manager's decision
        self.assertFalse(self.env["cobranca.cnab.file"].with_user(self.other_user).search([("id", "=", file.id)]))
        with self.assertRaises(AccessError):
            file.with_user(self.other_user).action_download()
        with self.assertRaises(AccessError):
            self.env["cobranca.cnab.file"].with_user(self.billing_user).create(
                {"name": "X.REM", "kind": "remessa", "state": "generated"}
            )


@tagged("post_install", "-at_install")
class TestRemessaWorkers(TransactionCase):
    """Two generations at the same time, each in its own database transaction, on the demo wallet."""

    def test_a_second_generation_at_the_same_time_is_refused_and_the_numbers_stay_unique(self):
        wallet = self.env.ref("cobranca_email.demo_wallet_itau")
        self.assertTrue(wallet._cnab_boletos_to_send(), "the demo's boletos wait for their first remessa")
        with two_transactions(self.env.cr.dbname) as (env_a, env_b):
            first = RemessaGenerator(env_a["cobranca.wallet"].browse(wallet.id)).generate()
            self.assertTrue(first.file)
            number = first.file.sequence
            with self.assertRaisesRegex(UserError, "generating a remessa or importing a retorno right now"):
                RemessaGenerator(env_b["cobranca.wallet"].browse(wallet.id)).generate()
            # The scheduled action in the other worker leaves the busy wallet alone.
            env_b["cobranca.wallet"]._cron_cnab_generate_remessas()
            self.assertFalse(env_b["cobranca.cnab.file"].search([("wallet_id", "=", wallet.id)]))
            env_a.cr.rollback()
            # Once the first is gone (rolled back), the second generates, and its number is its own.
            second = RemessaGenerator(env_b["cobranca.wallet"].browse(wallet.id)).generate()
            self.assertTrue(second.file)
            self.assertEqual(second.file.sequence, number)  # the rolled-back file never existed
