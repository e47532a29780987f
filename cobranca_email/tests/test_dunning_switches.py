from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged

from odoo.addons.cobranca_email.tools.dunning_presenter import DunningPresenter
from odoo.addons.cobranca_email.tools.dunning_reader import DunningReader

from cobranca_core import dunning

from .common_dunning import DAY1, DunningCommon, day


@tagged("post_install", "-at_install")
class TestDunningSwitches(DunningCommon):
    """Who is e-mailed what: the overdue and coming-due switches, the contact groups, the restriction
    by company and account."""

    def reason(self, outcome):
        return DunningPresenter(self.env).reason(outcome)

    # Overdue and coming-due e-mails, each with its switch

    def test_an_opted_out_customer_is_announced_nothing_unless_its_own_switch_says_so(self):
        # Gabriel is in VIP (overdue e-mails: do not send); an invoice of his falls due on the 12th.
        upcoming = self._invoice(self.gabriel, 60.0, self.immediate, invoice_date=day(12))
        gabriel = self.gabriel.with_company(self.company)
        self.assertEqual(gabriel.cobranca_effective_overdue, "Not sent (from group VIP)")
        self.assertEqual(gabriel.cobranca_effective_upcoming, "Not sent (from group VIP)")
        outcome, vip = self.plan()[self.gabriel], f"group:{self.vip_group.id}"
        self.assertEqual(outcome.reason, dunning.DISABLED)
        self.assertEqual(outcome.entry.switched_off, (("overdue", vip), ("upcoming", vip)))
        self.assertEqual(
            self.reason(outcome),
            "Neither overdue debts (set on group VIP) nor debts coming due (set on group VIP) are e-mailed to this "
            "customer.",
        )
        self.assertNotIn(self.gabriel, self.cron(DAY1), "an opt-out is an opt-out: no boleto notice either")

        # Its own coming-due switch: the boletos coming due are announced, the overdue debt still not.
        with Form(gabriel) as form:
            form.cobranca_upcoming_email = "yes"
            self.assertEqual(form.cobranca_effective_upcoming, "Sent (from this customer)")
        notice = self.cron(day(11))[self.gabriel]
        self.assertEqual(notice.line_ids.move_id, upcoming)
        self.assertEqual((notice.reason, notice.purpose), (dunning.UPCOMING, "notice"))

    def test_a_group_opt_out_leaves_a_customer_who_turns_overdue_emails_back_on_announced(self):
        self.gabriel.cobranca_overdue_email = "yes"
        gabriel = self.gabriel.with_company(self.company)
        self.assertEqual(gabriel.cobranca_effective_overdue, "Sent (from this customer)")
        self.assertEqual(gabriel.cobranca_effective_upcoming, "Sent (from company settings)")
        self.assertEqual(self.plan()[self.gabriel].reason, dunning.FIRST_NOTICE)

    def test_overdue_only_and_upcoming_only_companies(self):
        settings = self.env["res.config.settings"].create({"cobranca_dunning_include_upcoming": False})
        settings.execute()
        self.assertFalse(self.company.cobranca_dunning_include_upcoming)
        plan = self.plan()
        # Olga's debt due on the 11th is not announced; her overdue debts are.
        self.assertEqual((len(plan[self.olga].entry.overdue), len(plan[self.olga].entry.upcoming)), (2, 0))
        self.assertEqual(plan[self.ulisses].reason, dunning.DISABLED)
        self.assertEqual(
            self.reason(plan[self.ulisses]),
            "Debts coming due are not e-mailed to this customer (set on company settings).",
        )
        # A group that asks for the announcements gets them.
        monthly = self.env["res.partner.category"].create({"name": "Monthly", "cobranca_upcoming_email": "yes"})
        self.ulisses.category_id = monthly
        self.assertEqual(self.plan()[self.ulisses].reason, dunning.UPCOMING)
        self.assertEqual(
            self.ulisses.with_company(self.company).cobranca_effective_upcoming, "Sent (from group Monthly)"
        )

        self.company.write({"cobranca_dunning_include_upcoming": True, "cobranca_dunning_include_overdue": False})
        plan = self.plan()
        self.assertEqual((len(plan[self.olga].entry.overdue), len(plan[self.olga].entry.upcoming)), (0, 1))
        self.assertEqual(plan[self.olga].entry.purpose, "notice")
        self.assertEqual(
            self.reason(plan[self.carla]), "Overdue debts are not e-mailed to this customer (set on company settings)."
        )

    # Who receives it: the contact groups

    def test_only_the_selected_contact_groups_receive_it_and_nobody_else(self):
        self.company.write(
            {
                "cobranca_dunning_contact_filter": "include",
                "cobranca_dunning_contact_category_ids": [Command.set(self.billing_tag.ids)],
            }
        )
        # Any type of contact in the group: Carla's manager is a plain contact, not an invoice address.
        manager = self.env["res.partner"].create(
            {
                "name": "Carla Manager",
                "parent_id": self.carla.id,
                "type": "contact",
                "email": "manager@carla.example.com",
                "category_id": [Command.set(self.billing_tag.ids)],
            }
        )
        plan = self.plan()
        self.assertEqual(plan[self.carla].recipients, ["billing@carla.example.com", "manager@carla.example.com"])
        self.assertEqual(plan[self.carla].recipient_partner_ids, (self.carla_billing | manager).ids)
        # Olga has no contact in the group: her notice fails, it does not go to her main address.
        self.assertEqual(plan[self.olga].reason, dunning.NO_EMAIL_IN_GROUPS)
        self.assertFalse(plan[self.olga].recipients)
        sent = self.cron(DAY1)
        self.assertEqual(sent[self.carla].mail_message_id.partner_ids, self.carla_billing | manager)
        self.assertNotIn(self.olga, sent)
        log = self.env["cobranca.email.log"].search([("partner_id", "=", self.olga.id), ("state", "=", "failed")])
        self.assertEqual(
            log.failure_reason,
            "No valid e-mail address: no contact of the customer in the selected contact groups has one (the notice "
            "goes only to them).",
        )
        # The customer itself, when it is in the group, receives it.
        self.olga.category_id = self.billing_tag
        self.assertEqual(self.plan(day(11))[self.olga].recipients, ["olga@example.com"])

    def test_all_contact_groups_the_invoice_contacts_else_the_customer(self):
        self.company.cobranca_dunning_contact_filter = "all"
        self.env["res.partner"].create(
            {"name": "Olga Manager", "parent_id": self.olga.id, "type": "contact", "email": "manager@olga.example.com"}
        )
        plan = self.plan()
        self.assertEqual(plan[self.carla].recipients, ["billing@carla.example.com", "sales@carla.example.com"])
        self.assertEqual(plan[self.olga].recipients, ["olga@example.com"], "a plain contact is no invoice contact")
        self.assertEqual(plan[self.nelson].reason, dunning.NO_EMAIL)

    # The restriction by company and receivable account

    def test_pairs_of_company_and_account_and_the_customers_own_receivable_account(self):
        company, default, other = self.company, self.company_data["default_account_receivable"], self.other_receivable
        self.assertEqual(DunningReader(self.env).default_receivable_id(company), default.id)
        hugo = self.env["res.partner"].create({"name": "Hugo Holding", "email": "hugo@example.com"})
        in_default = self._invoice(hugo, 100.0, self.immediate, invoice_date=day(2))
        hugo.with_company(company).property_account_receivable_id = other
        in_other = self._invoice(hugo, 200.0, self.immediate, invoice_date=day(3))
        hugo.with_company(company).property_account_receivable_id = default  # the company's: no account of its own
        self.assertEqual(self.receivable_lines(in_other).account_id, other)
        holding = self.env["res.partner.category"].create(
            {
                "name": "Holding",
                "cobranca_overdue_rule_ids": [
                    Command.create({"company_id": company.id, "account_id": other.id, "send": False})
                ],
            }
        )
        hugo.category_id = holding

        def overdue_moves():
            outcome = self.plan()[hugo]
            return outcome.reason, self.env["account.move.line"].browse([i.id for i in outcome.installments]).move_id

        # The group's line keeps the other account out; the debts in the others are dunned.
        self.assertEqual(overdue_moves(), (dunning.FIRST_NOTICE, in_default))
        self.assertEqual(
            hugo.with_company(company).cobranca_effective_scope,
            f"every company; every receivable account; {company.name} / {other.display_name}: not sent "
            "(from group Holding)",
        )
        # Each line its own switch: only the lines that say send are dunned.
        holding.cobranca_overdue_rule_ids = [
            Command.create({"company_id": company.id, "account_id": default.id, "send": True})
        ]
        self.assertEqual(overdue_moves(), (dunning.FIRST_NOTICE, in_default))
        holding.cobranca_overdue_rule_ids.filtered("send").send = False
        self.assertEqual(overdue_moves()[0], dunning.RESTRICTED)
        # The customer's lines replace its group's.
        hugo.cobranca_overdue_rule_ids = [Command.create({"company_id": company.id, "account_id": other.id})]
        self.assertEqual(overdue_moves(), (dunning.FIRST_NOTICE, in_other))
        hugo.cobranca_overdue_rule_ids = [Command.clear()]
        # The customer's own receivable account (its form's) wins over its group's lines.
        with Form(hugo.with_company(company)) as form:
            form.property_account_receivable_id = other
            self.assertEqual(
                form.cobranca_effective_scope,
                f"every company; only {other.display_name} (from this customer's receivable account)",
            )
        self.assertEqual(overdue_moves(), (dunning.FIRST_NOTICE, in_other))
        self.assertEqual(self.cron(DAY1)[hugo].line_ids.move_id, in_other)

    def test_a_company_and_account_is_listed_once(self):
        line = {"company_id": self.company.id, "account_id": self.other_receivable.id}
        with self.assertRaisesRegex(ValidationError, "listed twice"):
            self.olga.cobranca_overdue_rule_ids = [Command.create(line), Command.create(line)]
        with self.assertRaisesRegex(ValidationError, "not a receivable account"):
            self.olga.cobranca_overdue_rule_ids = [
                Command.create({**line, "account_id": self.company_data["default_account_revenue"].id})
            ]
