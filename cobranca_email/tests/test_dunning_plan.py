from datetime import datetime

from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged

from odoo.addons.cobranca_email.tools.dunning_presenter import DunningPresenter

from cobranca_core import dunning

from .common_dunning import DAY1, DunningCommon, day, on


@tagged("post_install", "-at_install")
class TestDunningPlan(DunningCommon):
    """What the run would do today, as the preview and the dry run show it (nothing is sent)."""

    def test_day_one_plan_explains_every_customer(self):
        plan = self.plan()
        reasons = {partner: outcome.reason for partner, outcome in plan.items()}
        self.assertEqual(
            reasons,
            {
                self.olga: dunning.FIRST_NOTICE,
                self.ulisses: dunning.UPCOMING,
                self.carla: dunning.FIRST_NOTICE,
                self.tiago: dunning.TOLERANCE,
                self.rita: dunning.RESTRICTED,
                self.gabriel: dunning.DISABLED,
                self.nelson: dunning.NO_EMAIL,
                self.pedro: dunning.FILTERED,
            },
        )
        self.assertNotIn(self.paula, plan, "a paid invoice is no debt")
        olga = plan[self.olga].entry
        january = self.receivable_lines(self.olga_january).sorted("date_maturity")
        self.assertEqual([item.id for item in olga.overdue], [january[0].id, self.receivable_lines(self.olga_march).id])
        self.assertEqual([item.id for item in olga.upcoming], [january[1].id])
        self.assertEqual([item.due_date for item in olga.overdue], [day(9, 2), day(2)])
        self.assertEqual([item.due_date for item in olga.upcoming], [day(11)])
        self.assertEqual(plan[self.carla].recipients, ["billing@carla.example.com"])
        self.assertEqual(plan[self.olga].recipients, ["olga@example.com"])
        self.assertEqual(plan[self.tiago].entry.until, day(12))
        self.assertEqual(plan[self.gabriel].entry.source, f"group:{self.vip_group.id}")

    def test_reasons_read_as_sentences(self):
        plan = self.plan()
        text = DunningPresenter(self.env).reason
        self.assertEqual(text(plan[self.olga]), "First notice: 2 overdue debt(s) and 1 coming due.")
        self.assertEqual(
            text(plan[self.tiago]), "Past due but within the tolerance: overdue from 03/12/2026 (2 day(s) left)."
        )
        self.assertEqual(
            text(plan[self.gabriel]), "Overdue debts are not e-mailed to this customer (set on group VIP)."
        )
        self.assertIn("No valid e-mail address", text(plan[self.nelson]))
        self.assertEqual(text(plan[self.pedro]), "Its debts are left out by the debt situation filter.")

    def test_a_dry_run_changes_nothing(self):
        self.plan()
        self.plan()
        self.assertFalse(self.env["cobranca.dunning.state"].search([("company_id", "=", self.company.id)]))
        self.assertFalse(self.env["cobranca.dunning.notice"].search([("company_id", "=", self.company.id)]))
        self.assertFalse(
            any(self.receivable_lines(self.olga_march, self.olga_january).mapped("cobranca_last_notice_date"))
        )

    def test_tolerance_ends_and_weekends_count_from_monday(self):
        self.assertEqual(self.plan(day(12))[self.tiago].reason, dunning.FIRST_NOTICE)
        # Due on Saturday the 14th: paid on Monday the 16th without fees, so overdue only from the 19th.
        sandra = self.env["res.partner"].create({"name": "Sandra Saturday", "email": "sandra@example.com"})
        saturday = self.receivable_lines(self._invoice(sandra, 50.0, self.immediate, invoice_date=day(14)))
        self.assertEqual(self.plan(day(18))[sandra].reason, dunning.TOLERANCE)
        self.assertEqual(self.plan(day(18))[sandra].entry.until, day(19))
        self.assertEqual([item.id for item in self.plan(day(19))[sandra].entry.overdue], saturday.ids)

    def test_bank_holidays_of_the_working_schedule_count_like_weekends(self):
        # Monday 9 March is a municipal holiday: Tiago's debt due that day is paid on Tuesday without fees.
        calendar = self.company.resource_calendar_id
        calendar.tz = "America/Sao_Paulo"
        action = self.env["res.config.settings"].create({}).action_cobranca_bank_holidays()
        self.env[action["res_model"]].with_context(**action["context"]).create(
            {"name": "Feriado municipal", "date_from": datetime(2026, 3, 9, 3), "date_to": datetime(2026, 3, 10, 2, 59)}
        )  # the whole day in Brasília
        self.assertEqual(self.env[action["res_model"]].search(action["domain"]).mapped("name"), ["Feriado municipal"])
        self.assertEqual(self.company._cobranca_bank_holidays(day(1), day(31)), frozenset({day(9)}))
        self.assertEqual(self.plan(day(12))[self.tiago].reason, dunning.TOLERANCE)
        self.assertEqual(self.plan(day(12))[self.tiago].entry.until, day(13))
        self.assertEqual(self.plan(day(13))[self.tiago].reason, dunning.FIRST_NOTICE)
        # Another company's holiday changes nothing here.
        other = self.env["res.company"].create({"name": "Filial Recife"})
        self.env["resource.calendar.leaves"].create(
            {"name": "Feriado em Recife", "company_id": other.id, "calendar_id": other.resource_calendar_id.id,
             "date_from": datetime(2026, 3, 6, 3), "date_to": datetime(2026, 3, 7, 2, 59)}
        )  # fmt: skip
        self.assertEqual(self.company._cobranca_bank_holidays(day(1), day(31)), frozenset({day(9)}))

    def test_selection_takes_a_fixed_number_of_queries(self):
        """Twice the customers, the same queries: the plan reads by batch, never by customer."""
        partners = self.env["res.partner"].create(
            [{"name": f"Extra {number}", "email": f"extra{number}@example.com"} for number in range(20)]
        )
        for partner in partners:
            self._invoice(partner, 10.0, self.immediate, invoice_date=day(2))
        Dunning = self.dunning()
        self.env.invalidate_all()
        Dunning._run(self.company, today=DAY1, dry_run=True, partner_ids=(self.olga | partners[:2]).ids)  # warm-up
        self.env.invalidate_all()
        # 24 per run: 14 for the selection, 2 for the company's bank holidays, 1 for the notices never
        # delivered, 7 to check that a mail server sends the notices (the warning of the preview).
        with self.assertQueryCount(24):
            small = Dunning._run(self.company, today=DAY1, dry_run=True, partner_ids=partners[:5].ids)
        self.env.invalidate_all()
        with self.assertQueryCount(24):
            large = Dunning._run(self.company, today=DAY1, dry_run=True, partner_ids=(partners | self.olga).ids)
        self.assertEqual((len(small.to_send), len(large.to_send)), (5, 21))

    def test_preview_wizard_from_a_partner_selection(self):
        partners = self.olga | self.tiago | self.paula
        with on(DAY1):
            action = partners.action_cobranca_dunning_preview()
        preview = self.env["cobranca.dunning.preview"].browse(action["res_id"])
        self.assertEqual(preview.date, DAY1)
        self.assertEqual((preview.send_count, preview.skip_count), (1, 2))
        lines = {line.partner_id: line for line in preview.line_ids}
        self.assertTrue(lines[self.olga].will_send)
        self.assertEqual(lines[self.olga].purpose, "dunning")
        self.assertEqual((lines[self.olga].overdue_count, lines[self.olga].upcoming_count), (2, 1))
        self.assertEqual(lines[self.olga].recipients, "olga@example.com")
        self.assertFalse(lines[self.tiago].will_send)
        self.assertIn("tolerance", lines[self.tiago].reason)
        self.assertEqual(lines[self.paula].reason, "No open debt to notify today.")

    def test_preview_wizard_from_settings(self):
        settings = self.env["res.config.settings"].create({})
        with on(DAY1):
            action = settings.action_cobranca_dunning_preview()
        preview = self.env["cobranca.dunning.preview"].browse(action["res_id"])
        self.assertEqual(set(preview.line_ids.filtered("will_send").partner_id), {self.olga, self.ulisses, self.carla})
        self.assertEqual(preview.send_count, 3)

    def test_effective_policy_on_the_partner_form(self):
        partner = self.olga.with_company(self.company)
        self.assertEqual(partner.cobranca_effective_overdue, "Sent (from company settings)")
        self.assertEqual(partner.cobranca_effective_tolerance, "2 days after the due date (from company settings)")
        self.assertEqual(partner.cobranca_effective_scope, "every company; every receivable account")
        gabriel = self.gabriel.with_company(self.company)
        self.assertEqual(gabriel.cobranca_effective_overdue, "Not sent (from group VIP)")
        with Form(self.gabriel.with_company(self.company)) as form:
            form.cobranca_overdue_email = "yes"
            form.cobranca_overdue_tolerance_days = 7
            self.assertEqual(form.cobranca_effective_overdue, "Sent (from this customer)")
            self.assertEqual(form.cobranca_effective_tolerance, "7 days after the due date (from this customer)")
        self.assertEqual(self.plan()[self.gabriel].reason, dunning.FIRST_NOTICE)

    def test_group_tolerance_and_partner_restriction(self):
        government = self.env["res.partner.category"].create(
            {"name": "Government", "cobranca_overdue_email": "yes", "cobranca_overdue_tolerance_days": 10}
        )
        self.carla.category_id = government
        self.assertEqual(self.plan()[self.carla].reason, dunning.TOLERANCE)  # 2 March + 10 days
        self.assertEqual(self.plan()[self.carla].entry.until, day(13))
        self.assertEqual(
            self.carla.with_company(self.company).cobranca_effective_tolerance,
            "10 days after the due date (from group Government)",
        )
        self.rita.cobranca_overdue_account_ids = [Command.set(self.company_data["default_account_receivable"].ids)]
        self.assertEqual(self.plan()[self.rita].reason, dunning.FIRST_NOTICE)

    def test_a_plain_tag_beside_an_overriding_group_changes_nothing(self):
        # Gabriel is in VIP (no overdue e-mails) and also tagged with a group that sets nothing.
        self.gabriel.category_id = [Command.link(self.billing_tag.id)]
        self.assertEqual(self.plan()[self.gabriel].entry.source, f"group:{self.vip_group.id}")
        self.assertEqual(self.plan()[self.gabriel].reason, dunning.DISABLED)

    def test_settings_refuse_a_zero_interval(self):
        with self.assertRaisesRegex(ValidationError, "Interval Between Notices must be at least one day"):
            self.company.cobranca_dunning_interval_days = 0
