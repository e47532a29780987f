from contextlib import contextmanager
from datetime import date

import odoo
from odoo import Command, api
from odoo.tests import HttpCase

from odoo.addons.account.tests.common import AccountTestInvoicingCommon


@contextmanager
def two_transactions(dbname):
    """Two superuser environments, each in its own database transaction (two workers), rolled back at
    the end. A lock wait longer than 5 s fails the test instead of hanging it."""
    with odoo.sql_db.db_connect(dbname).cursor() as cr_a, odoo.sql_db.db_connect(dbname).cursor() as cr_b:
        try:
            for cr in (cr_a, cr_b):
                cr.execute("SET LOCAL lock_timeout = '5s'")
            yield api.Environment(cr_a, odoo.SUPERUSER_ID, {}), api.Environment(cr_b, odoo.SUPERUSER_ID, {})
        finally:
            cr_a.rollback()
            cr_b.rollback()


class CobrancaCommon(AccountTestInvoicingCommon):
    """A Brazilian company with an Itaú billing wallet (with Pix) and customers who pay by boleto."""

    @classmethod
    @AccountTestInvoicingCommon.setup_country("br")
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_data["company"]
        cls.env.user.groups_id |= cls.env.ref("cobranca_email.group_cobranca_manager")
        cls.company.write(
            {
                "name": "Cobrança Teste Ltda",
                "vat": "11.222.333/0001-81",
                "street": "Avenida Paulista, 1000",
                "city": "São Paulo",
                "zip": "01310-100",
                "state_id": cls.env.ref("base.state_br_sp").id,
                "email": "financeiro@cobranca-teste.com.br",
            }
        )
        cls.bank_itau = cls.env["res.bank"].create({"name": "Itaú Unibanco", "cobranca_bank_code": "341"})
        cls.bank_account = cls.env["res.partner.bank"].create(
            {
                "acc_number": "0057 12345-7",
                "bank_id": cls.bank_itau.id,
                "partner_id": cls.company.partner_id.id,
                "proxy_type": "br_random",
                "proxy_value": "71d6c6e1-64ea-4a11-9560-a10870c40ca2",
                "allow_out_payment": True,
            }
        )
        cls.wallet = cls.env["cobranca.wallet"].create(
            {
                "name": "Itaú 109",
                "partner_bank_id": cls.bank_account.id,
                "agency": "0057",
                "account": "12345",
                "account_dv": "7",
                "carteira": "109",
                "fine_percent": 2.0,
                "interest_monthly_percent": 1.0,
                "instructions": "Não receber após 60 dias do vencimento.",
                "pix_enabled": True,
            }
        )
        cls.company.cobranca_wallet_id = cls.wallet
        cls.customer = cls.env["res.partner"].create(
            {
                "name": "Maria da Silva Comércio ME",
                "vat": "04.252.011/0001-10",
                "email": "contas@mariacomercio.com.br",
                "street": "Rua das Flores, 12",
                "city": "Campinas",
                "zip": "13010-000",
                "state_id": cls.env.ref("base.state_br_sp").id,
                "country_id": cls.env.ref("base.br").id,
            }
        )
        cls.payment_term_2x = cls.env["account.payment.term"].create(
            {
                "name": "30/60",
                "line_ids": [
                    Command.create({"value": "percent", "value_amount": 50.0, "nb_days": 30}),
                    Command.create({"value": "percent", "value_amount": 50.0, "nb_days": 60}),
                ],
            }
        )

    @classmethod
    def _invoice(cls, partner=None, amount=300.0, payment_term=None, post=True, invoice_date=date(2026, 11, 2)):
        move = cls.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": (partner or cls.customer).id,
                "invoice_date": invoice_date,
                "invoice_payment_term_id": (payment_term or cls.payment_term_2x).id,
                "invoice_line_ids": [Command.create({"name": "Mensalidade", "quantity": 1, "price_unit": amount})],
            }
        )
        if post:
            move.action_post()
        return move


class CobrancaHttpCommon(CobrancaCommon, HttpCase):
    """The same data, with Odoo's HTTP server running (wkhtmltopdf fetches the report assets from it)."""
