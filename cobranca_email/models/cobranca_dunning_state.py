from odoo import api, fields, models
from odoo.tools import SQL

from cobranca_core import dunning


class CobrancaDunningState(models.Model):
    """Where a customer's dunning cycle stands in a company; written by the dunning run only.

    Its row is also the run's lock: a run claims a customer by locking this row, so two runs at the
    same time never notify the same customer twice.

    The run's writes of the cycle are here, by SQL, a fixed number of statements a batch: the rows
    of new customers (:meth:`_insert_missing`, before the run locks them), what
    ``cobranca_core.dunning.apply`` returns (:meth:`_store`), the day each customer was planned
    (:meth:`_mark_planned`), and the notices never delivered taken out of the cycle, or delivered
    after all put back in (:meth:`_count_deliveries`). The run (``cobranca.dunning``) decides when,
    in its transaction, on the rows it holds.
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

    # The run's rows: created before it locks them, then stored

    @api.model
    def _insert_missing(self, company, partner_ids):
        """Create the rows of the customers that have none yet in ``company``, so that the run can lock
        them. Existing rows are never inserted again, so a run never waits for the rows another run
        locked."""
        self.env.execute_query(
            SQL(
                """INSERT INTO %(state)s
                          (partner_id, company_id, notice_count, create_uid, create_date, write_uid, write_date)
                   SELECT new.partner_id, %(company_id)s, 0, %(uid)s, now() at time zone 'UTC', %(uid)s,
                          now() at time zone 'UTC'
                     FROM unnest(%(partner_ids)s::int[]) AS new(partner_id)
                    WHERE NOT EXISTS (SELECT 1 FROM %(state)s state
                                       WHERE state.company_id = %(company_id)s AND state.partner_id = new.partner_id)
              ON CONFLICT (partner_id, company_id) DO NOTHING""",
                state=SQL.identifier(self._table),
                company_id=company.id,
                partner_ids=list(partner_ids),
                uid=self.env.uid,
            )
        )

    @api.model
    def _store(self, company, applied, today, partner_ids):
        """Write what ``cobranca_core.dunning.apply`` returned (``applied``), and that the claimed
        ``partner_ids`` were planned ``today``."""
        self._write_states(company, applied.partner_states.values())
        self._mark_planned(company, partner_ids, today)
        self._write_stamps(applied.installment_notice_dates)

    @api.model
    def _mark_planned(self, company, partner_ids, today):
        """Record that a run planned these customers today: the day's later runs leave them out."""
        self.env.execute_query(
            SQL(
                """INSERT INTO %(state)s
                          (partner_id, company_id, notice_count, last_run_date, create_uid, create_date, write_uid,
                           write_date)
                   SELECT partner_id, %(company_id)s, 0, %(today)s, %(uid)s, now() at time zone 'UTC', %(uid)s,
                          now() at time zone 'UTC'
                     FROM unnest(%(partner_ids)s::int[]) AS partner_id
              ON CONFLICT (partner_id, company_id) DO UPDATE SET last_run_date = EXCLUDED.last_run_date""",
                state=SQL.identifier(self._table),
                company_id=company.id,
                today=today,
                partner_ids=list(partner_ids),
                uid=self.env.uid,
            )
        )
        self.invalidate_model()
        self.env["res.partner"].invalidate_model(
            [
                "cobranca_dunning_state_ids",
                "cobranca_dunning_last_date",
                "cobranca_dunning_next_date",
                "cobranca_dunning_count",
            ]
        )

    @api.model
    def _write_states(self, company, states):
        """Write the ``dunning.PartnerState`` values ``states`` on their rows, in one statement."""
        states = list(states)
        if not states:
            return
        self.env.execute_query(
            SQL(
                """UPDATE %s state
                      SET last_notice_date = new.last_notice_date,
                          next_notice_date = new.next_notice_date,
                          notice_count = new.notice_count,
                          write_uid = %s,
                          write_date = now() at time zone 'UTC'
                     FROM unnest(%s::int[], %s::date[], %s::date[], %s::int[])
                          AS new(partner_id, last_notice_date, next_notice_date, notice_count)
                    WHERE state.company_id = %s AND state.partner_id = new.partner_id""",
                SQL.identifier(self._table),
                self.env.uid,
                [state.partner_id for state in states],
                [state.last_notice_date for state in states],
                [state.next_notice_date for state in states],
                [state.notice_count for state in states],
                company.id,
            )
        )
        self.invalidate_model()

    @api.model
    def _write_stamps(self, stamps):
        """Set the last notice date of the installments: ``{account.move.line id: date or None}``."""
        if not stamps:
            return
        Line = self.env["account.move.line"]
        self.env.execute_query(
            SQL(
                """UPDATE %s aml SET cobranca_last_notice_date = new.day
                     FROM unnest(%s::int[], %s::date[]) AS new(id, day)
                    WHERE aml.id = new.id""",
                SQL.identifier(Line._table),
                list(stamps),
                list(stamps.values()),
            )
        )
        Line.invalidate_model(["cobranca_last_notice_date"])

    # Notices never delivered no longer count

    @api.model
    def _count_deliveries(self, company, states, today, write=True):
        """Bring the claimed ``states`` (``{partner id: dunning.PartnerState}``) up to date with what
        became of their notices' e-mails, before a run plans them.

        A notice whose e-mail failed (refused for good, cancelled, deleted unsent) stops counting: the
        cycle goes back to the last notice still counted, and the debts it listed to the notice that
        listed them before, so this run sends again what never arrived (``dunning.undelivered``). A
        notice counted out whose e-mail was delivered after all (sent again by hand) counts again.
        Which e-mail failed or was delivered is the notice's own reader's answer
        (``cobranca.dunning.notice._delivery_states``), as its *E-mail* field shows it.

        Only the run writes this (``write``; a dry run only plans with it), on the rows it claimed:
        the mail queue, which learns the outcome, writes nothing but the e-mail log, so it never waits
        for a run's locks. Returns the states and ``{installment id: last notice date or None}`` of
        the installments whose stamp changed.
        """
        Notice = self.env["cobranca.dunning.notice"].sudo()
        changes = Notice._delivery_states(
            [("company_id", "=", company.id), ("partner_id", "in", list(states))], miscounted=True
        )
        if not changes:
            return states, {}
        notices = Notice.browse(list(changes)).sorted(lambda notice: (notice.date, notice.id))
        out = notices.filtered("counted")  # their e-mail failed; the others were delivered after all
        last_delivered = {}
        if out:
            last_delivered = {
                partner.id: last_date
                for partner, last_date in Notice._read_group(
                    [
                        ("company_id", "=", company.id),
                        ("partner_id", "in", out.partner_id.ids),
                        ("counted", "=", True),
                        ("id", "not in", out.ids),
                    ],
                    ["partner_id"],
                    ["date:max"],
                )
            }
        states = dict(states)
        for notice in notices:
            partner_id, state = notice.partner_id.id, states[notice.partner_id.id]
            if notice.counted:
                states[partner_id] = dunning.undelivered(state, notice.date, last_delivered.get(partner_id), today)
            else:
                states[partner_id] = dunning.delivered_after_all(state, notice.date)
        stamps = self._stamps_without(notices)
        if write:
            self._write_states(company, [states[partner_id] for partner_id in set(notices.partner_id.ids)])
            self.env.execute_query(
                SQL(
                    "UPDATE %s SET counted = id != ALL(%s) WHERE id = ANY(%s)",
                    SQL.identifier(Notice._table),
                    out.ids,
                    notices.ids,
                )
            )
            Notice.invalidate_model(["counted"])
            self._write_stamps(stamps)
        return states, stamps

    @api.model
    def _stamps_without(self, notices):
        """``{installment id: last notice date or None}`` of the installments of ``notices`` once each
        is counted out (the last other notice still counted that listed it) or in again (its own date
        when later), for the installments whose stamp changes."""
        Notice = self.env["cobranca.dunning.notice"]
        rows = self.env.execute_query(
            SQL(
                """SELECT line.notice_id, line.move_line_id,
                          CASE WHEN notice.counted
                               THEN (SELECT max(other.date)
                                       FROM %(line)s other_line
                                       JOIN %(notice)s other ON other.id = other_line.notice_id
                                      WHERE other_line.move_line_id = line.move_line_id AND other.counted
                                        AND other.id != ALL(%(out)s))
                               ELSE greatest(aml.cobranca_last_notice_date, notice.date) END
                     FROM %(line)s line
                     JOIN %(notice)s notice ON notice.id = line.notice_id
                     JOIN %(aml)s aml ON aml.id = line.move_line_id
                    WHERE line.notice_id = ANY(%(notice_ids)s)
                      AND (NOT notice.counted OR aml.cobranca_last_notice_date = notice.date)""",
                line=SQL.identifier(self.env["cobranca.dunning.notice.line"]._table),
                notice=SQL.identifier(Notice._table),
                aml=SQL.identifier(self.env["account.move.line"]._table),
                out=notices.filtered("counted").ids,
                notice_ids=notices.ids,
            )
        )
        by_notice = {}
        for notice_id, line_id, day in rows:
            by_notice.setdefault(notice_id, {})[line_id] = day
        stamps = {}
        for notice in notices:  # in the order they were sent: a later notice's stamp wins
            stamps.update(by_notice.get(notice.id, {}))
        return stamps
