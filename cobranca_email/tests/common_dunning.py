"""A portfolio for the dunning tests: one customer per case of seeds 003 and 004.

The company duns with seed 004's screen: debts announced 3 days before the due date, overdue 2 days
after it, notices every 5 days, contact groups "all but" the contacts tagged "Sales" (the invoice
contacts not tagged "Sales", else the customer), and never the debts of protested invoices. Day one
is Tuesday 10 March 2026 (the 7th and 8th, 14th and 15th are a weekend).
"""

from contextlib import contextmanager
from datetime import date, datetime, time

from freezegun import freeze_time

from odoo import Command

from .common import CobrancaCommon

DAY1 = date(2026, 3, 10)


def day(number, month=3):
    return date(2026, month, number)


@contextmanager
def on(some_day):
    """Freeze the clock at noon in Brasília on ``some_day`` (15:00 UTC)."""
    with freeze_time(datetime.combine(some_day, time(15, 0))):
        yield


class DunningCommon(CobrancaCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        # Runs of the scheduled action here are about this company only.
        demo_company = env.ref("base.demo_company_br", raise_if_not_found=False)
        if demo_company:
            demo_company.cobranca_dunning_enabled = False
        cls.billing_tag = env["res.partner.category"].create({"name": "Billing"})
        cls.sales_tag = env["res.partner.category"].create({"name": "Sales"})
        cls.vip_group = env["res.partner.category"].create({"name": "VIP", "cobranca_overdue_email": "no"})
        cls.protested = env["cobranca.debt.state"].create({"name": "Sent to the notary"})
        cls.company.write(
            {
                "cobranca_dunning_enabled": True,
                "cobranca_dunning_upcoming_days": 3,
                "cobranca_dunning_include_overdue": True,
                "cobranca_dunning_overdue_after_days": 2,
                "cobranca_dunning_interval_days": 5,
                "cobranca_dunning_contact_filter": "exclude",
                "cobranca_dunning_contact_category_ids": [Command.set(cls.sales_tag.ids)],
                "cobranca_dunning_debt_state_filter": "exclude",
                "cobranca_dunning_debt_state_ids": [Command.set(cls.protested.ids)],
            }
        )
        cls.immediate = env.ref("account.account_payment_term_immediate")
        receivable = cls.company_data["default_account_receivable"]
        cls.other_receivable = receivable.copy({"code": "1.1.2.01.999", "name": "Receivable from group companies"})

        def customer(name, **values):
            return env["res.partner"].create(
                {
                    "name": name,
                    "email": f"{name.split()[0].lower()}@example.com",
                    "vat": "529.982.247-25",
                    "city": "Campinas",
                    "country_id": env.ref("base.br").id,
                    **values,
                }
            )

        # Overdue since 2 March and since 9 February; one installment due on 11 March (announced).
        cls.olga = customer("Olga Overdue")
        cls.olga_march = cls._invoice(cls.olga, 100.0, cls.immediate, invoice_date=day(2))
        cls.olga_january = cls._invoice(cls.olga, 400.0, invoice_date=day(10, 1))  # due 9 Feb and 11 Mar
        # Due on Thursday 12 March: announced from Monday the 9th.
        cls.ulisses = customer("Ulisses Upcoming")
        cls.ulisses_invoice = cls._invoice(cls.ulisses, 250.0, cls.immediate, invoice_date=day(12))
        # Paid: never listed.
        cls.paula = customer("Paula Paid")
        cls.paula_invoice = cls._invoice(cls.paula, 90.0, cls.immediate, invoice_date=day(2))
        env["account.payment.register"].with_context(
            active_model="account.move", active_ids=cls.paula_invoice.ids
        ).create({"payment_date": day(3)})._create_payments()
        # Due on Monday 9 March: tolerated until the 11th, overdue from the 12th.
        cls.tiago = customer("Tiago Tolerated")
        cls.tiago_invoice = cls._invoice(cls.tiago, 120.0, cls.immediate, invoice_date=day(9))
        # Dunned only for debts in another receivable account: this one is not.
        cls.rita = customer("Rita Restricted", cobranca_overdue_account_ids=[Command.set(cls.other_receivable.ids)])
        cls.rita_invoice = cls._invoice(cls.rita, 130.0, cls.immediate, invoice_date=day(2))
        # In a group without overdue e-mails.
        cls.gabriel = customer("Gabriel Group", category_id=[Command.set(cls.vip_group.ids)])
        cls.gabriel_invoice = cls._invoice(cls.gabriel, 140.0, cls.immediate, invoice_date=day(2))
        # Overdue, but nobody to send to.
        cls.nelson = customer("Nelson No-Email", email=False)
        cls.nelson_invoice = cls._invoice(cls.nelson, 150.0, cls.immediate, invoice_date=day(2))
        # A company: its billing invoice contact receives the notice, not the one tagged "Sales" nor itself.
        cls.carla = customer("Carla Comércio Ltda", is_company=True, vat="04.252.011/0001-10")
        cls.carla_billing = env["res.partner"].create(
            {
                "name": "Carla Billing",
                "parent_id": cls.carla.id,
                "type": "invoice",
                "email": "billing@carla.example.com",
                "category_id": [Command.set(cls.billing_tag.ids)],
            }
        )
        cls.carla_sales = env["res.partner"].create(
            {
                "name": "Carla Sales",
                "parent_id": cls.carla.id,
                "type": "invoice",
                "email": "sales@carla.example.com",
                "category_id": [Command.set(cls.sales_tag.ids)],
            }
        )
        cls.carla_invoice = cls._invoice(cls.carla, 160.0, cls.immediate, invoice_date=day(2))
        # Protested: left out by the debt-situation filter.
        cls.pedro = customer("Pedro Protested")
        cls.pedro_invoice = cls._invoice(cls.pedro, 170.0, cls.immediate, invoice_date=day(2))
        cls.pedro_invoice.cobranca_debt_state_ids = cls.protested

    def cron(self, some_day):
        """Run "Send dunning notices" on ``some_day`` as the scheduler does: call after call until done.

        Returns the notices it sent, by customer.
        """
        Notice = self.env["cobranca.dunning.notice"]
        before = Notice.search([])
        with on(some_day):
            for _call in range(20):
                # Called at least once, even with nobody pending: a rerun must send nothing again.
                Dunning = self.env["cobranca.dunning"]
                Dunning._cron_send_dunning_notices(batch_size=4)
                if not Dunning._candidate_partner_ids(self.company, today=some_day, pending_only=True):
                    break
            else:
                self.fail("the scheduled action never finished")
        return {notice.partner_id: notice for notice in Notice.search([]) - before}

    def dunning(self):
        return self.env["cobranca.dunning"].with_company(self.company)

    def plan(self, some_day=DAY1, **kwargs):
        """The dry run of ``some_day``: {partner: outcome}."""
        result = self.dunning()._run(self.company, today=some_day, dry_run=True, **kwargs)
        return {self.env["res.partner"].browse(o.partner_id): o for o in result.outcomes}

    def receivable_lines(self, *invoices):
        lines = self.env["account.move.line"]
        for invoice in invoices:
            lines |= invoice.line_ids.filtered(lambda line: line.account_id.account_type == "asset_receivable")
        return lines
