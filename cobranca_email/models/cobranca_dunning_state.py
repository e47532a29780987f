from odoo import api, fields, models

from cobranca_core import dunning


class CobrancaDunningState(models.Model):
    """Where a customer's dunning cycle stands in a company; written by the dunning run only.

    Its row is also the run's lock: a run claims a customer by locking this row, so two runs at the
    same time never notify the same customer twice.
    """

    _name = "cobranca.dunning.state"
    _description = "Dunning State of a Customer"
    _order = "next_notice_date, id"
    _rec_name = "partner_id"

    partner_id = fields.Many2one(
        comodel_name="res.partner",
        string="Customer",
        required=True,
        ondelete="cascade",
        index=True,
        readonly=True,
    )
    company_id = fields.Many2one(
        comodel_name="res.company",
        required=True,
        ondelete="cascade",
        readonly=True,
    )
    last_notice_date = fields.Date(string="Last Notice", readonly=True)
    next_notice_date = fields.Date(
        string="Next Notice",
        readonly=True,
        help="The first day a notice is due if nothing is paid or invoiced meanwhile; each run decides again.",
    )
    notice_count = fields.Integer(string="Notices Sent", readonly=True)
    last_run_date = fields.Date(
        string="Last Planned",
        readonly=True,
        help="The last day a dunning run planned this customer, whether a notice was due or not.",
    )

    _sql_constraints = [
        ("partner_company_unique", "UNIQUE(partner_id, company_id)", "One dunning state per customer and company."),
    ]

    # Notices never delivered no longer count

    @api.model
    def _count_deliveries(self, company, states, today, write=True):
        """Bring the claimed ``states`` (``{partner id: dunning.PartnerState}``) up to date with what
        became of their notices' e-mails, before a run plans them.

        A notice whose e-mail failed (refused for good, cancelled, deleted unsent) stops counting: the
        cycle goes back to the last notice still counted, and the debts it listed to the notice that
        listed them before, so this run sends again what never arrived (``dunning.undelivered``). A
        notice counted out whose e-mail was delivered after all (sent again by hand) counts again.

        Only the run writes this (``write``; a dry run only plans with it), on the rows it claimed:
        the mail queue, which learns the outcome, writes nothing but the e-mail log, so it never waits
        for a run's locks. Returns the states and ``{installment id: last notice date or None}`` of
        the installments whose stamp changed.
        """
        cr = self.env.cr
        cr.execute(
            """SELECT notice.id, notice.partner_id, notice.date, notice.counted
                 FROM cobranca_dunning_notice notice
                 JOIN cobranca_email_log log ON log.mail_message_id = notice.mail_message_id
                WHERE notice.company_id = %s AND notice.partner_id = ANY(%s)
             GROUP BY notice.id
               HAVING (notice.counted AND bool_or(log.state = 'failed'))
                   OR (NOT notice.counted AND bool_and(log.state = 'sent'))
             ORDER BY notice.date, notice.id""",
            [company.id, list(states)],
        )
        changes = cr.fetchall()
        if not changes:
            return states, {}
        states, stamps = dict(states), {}
        out = {notice_id for notice_id, _partner, _date, counted in changes if counted}
        for notice_id, partner_id, notice_date, counted in changes:
            state = states[partner_id]
            if counted:
                cr.execute(
                    """SELECT max(date) FROM cobranca_dunning_notice
                        WHERE company_id = %s AND partner_id = %s AND counted AND id != ALL(%s)""",
                    [company.id, partner_id, list(out)],
                )
                states[partner_id] = dunning.undelivered(state, notice_date, cr.fetchone()[0], today)
            else:
                states[partner_id] = dunning.delivered_after_all(state, notice_date)
            stamps.update(self._stamps_without(notice_id, notice_date, out, counted))
        if write:
            self._write_counted(company, states, changes, stamps)
        return states, stamps

    @api.model
    def _stamps_without(self, notice_id, notice_date, out, counted):
        """The last notice date of the notice's installments once it is counted out (or in again)."""
        cr = self.env.cr
        if not counted:
            cr.execute(
                """SELECT line.move_line_id, greatest(aml.cobranca_last_notice_date, %s)
                     FROM cobranca_dunning_notice_line line
                     JOIN account_move_line aml ON aml.id = line.move_line_id
                    WHERE line.notice_id = %s""",
                [notice_date, notice_id],
            )
            return dict(cr.fetchall())
        cr.execute(
            """SELECT line.move_line_id,
                      (SELECT max(other.date)
                         FROM cobranca_dunning_notice_line other_line
                         JOIN cobranca_dunning_notice other ON other.id = other_line.notice_id
                        WHERE other_line.move_line_id = line.move_line_id AND other.counted
                          AND other.id != ALL(%s))
                 FROM cobranca_dunning_notice_line line
                 JOIN account_move_line aml ON aml.id = line.move_line_id
                WHERE line.notice_id = %s AND aml.cobranca_last_notice_date = %s""",
            [list(out), notice_id, notice_date],
        )
        return dict(cr.fetchall())

    @api.model
    def _write_counted(self, company, states, changes, stamps):
        cr = self.env.cr
        changed = {partner_id for _notice, partner_id, _date, _counted in changes}
        for partner_id in changed:
            state = states[partner_id]
            cr.execute(
                """UPDATE cobranca_dunning_state
                      SET last_notice_date = %s, next_notice_date = %s, notice_count = %s
                    WHERE company_id = %s AND partner_id = %s""",
                [state.last_notice_date, state.next_notice_date, state.notice_count, company.id, partner_id],
            )
        for notice_id, _partner, _date, counted in changes:
            cr.execute("UPDATE cobranca_dunning_notice SET counted = %s WHERE id = %s", [not counted, notice_id])
        for line_id, day in stamps.items():
            cr.execute("UPDATE account_move_line SET cobranca_last_notice_date = %s WHERE id = %s", [day, line_id])
        self.invalidate_model()
        self.env["cobranca.dunning.notice"].invalidate_model(["counted"])
        self.env["account.move.line"].invalidate_model(["cobranca_last_notice_date"])
