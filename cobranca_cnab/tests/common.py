import base64
from datetime import date

from odoo import Command

from odoo.addons.cobranca_email.tests.common import CobrancaCommon

from cobranca_core.cnab import read_remessa

from . import bank


class CnabCommon(CobrancaCommon):
    """The Itaú wallet of ``CobrancaCommon`` registering its boletos in CNAB 400, with a bank journal
    and the accounts a retorno books to; a billing user of the company, one of another company, and
    an invoicing user who is not a billing user."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.partner_id.vat = cls.company.vat
        cls.customer.street2 = "Centro"
        cls.journal = cls.env["account.journal"].create(
            {
                "name": "Itaú",
                "code": "ITAU",
                "type": "bank",
                "bank_account_id": cls.bank_account.id,
                "company_id": cls.company.id,
            }
        )
        cls.interest_account = cls.env["account.account"].create(
            {"name": "Juros e multas recebidos", "code": "3.9.1.01", "account_type": "income_other"}
        )
        cls.fee_account = cls.env["account.account"].create(
            {"name": "Tarifas bancárias", "code": "4.9.1.01", "account_type": "expense"}
        )
        cls.wallet.write(
            {
                "cnab_layout": "400",
                "cnab_journal_id": cls.journal.id,
                "cnab_interest_account_id": cls.interest_account.id,
                "cnab_fee_account_id": cls.fee_account.id,
            }
        )
        cls.billing_user = cls._user("cnab_billing", cls.company, "cobranca_email.group_cobranca_user")
        cls.invoicing_user = cls._user("cnab_invoicing", cls.company, "account.group_account_invoice")
        cls.other_company = cls.setup_other_company(name="Outra Empresa Ltda")["company"]
        cls.other_user = cls._user("cnab_other", cls.other_company, "cobranca_email.group_cobranca_manager")

    @classmethod
    def _user(cls, login, company, group):
        return cls.env["res.users"].create(
            {
                "name": login,
                "login": login,
                "email": f"{login}@example.com",
                "company_id": company.id,
                "company_ids": [Command.set(company.ids)],
                "groups_id": [Command.set([cls.env.ref("base.group_user").id, cls.env.ref(group).id])],
            }
        )

    @classmethod
    def _invoice_today(cls, **values):
        """A posted invoice dated today (its boletos are issued today and fall due in 30 and 60 days)."""
        return cls._invoice(invoice_date=date.today(), **values)

    def _remessa(self, wallet=None):
        """Generate the wallet's remessa with its button (as the billing user): the file record."""
        action = (wallet or self.wallet).with_user(self.billing_user).action_cnab_generate_remessa()
        return self.env["cobranca.cnab.file"].browse(action["res_id"])

    @staticmethod
    def _content(file):
        return base64.b64decode(file.data)

    def _read(self, file):
        return read_remessa(self._content(file))

    def _import(self, content, name="RETORNO.RET", user=None, wallet=None):
        """Import a retorno through the upload wizard (as the billing user): the action it returns."""
        user = user or self.billing_user
        attachment = self.env["ir.attachment"].with_user(user).create({"name": name, "raw": content})
        wizard = (
            self.env["cobranca.cnab.import"]
            .with_user(user)
            .create({"wallet_id": (wallet or self.wallet).id, "attachment_ids": [Command.set(attachment.ids)]})
        )
        return wizard.action_import()

    @staticmethod
    def _answer(boleto, code, **values):
        return bank.Answer(boleto.nosso_numero, code, **values)

    @staticmethod
    def _retorno(file, answers, when=date(2026, 12, 10), **header):
        return bank.retorno(base64.b64decode(file.data), answers, when, **header)
