import logging

from odoo import _, api, fields, models
from odoo.tools import SQL

from cobranca_core import dunning

from ..tools.computed_search import ids_with_value
from ..tools.pdf_pipeline import PdfPipeline
from .report_formats import ReportFormats

_logger = logging.getLogger(__name__)

# Statement rows per page. Every row is one line high (long texts are cut), so a page never
# overflows; the closing block (totals, the text under them) takes the height of this many rows.
ROWS_FIRST_PAGE = 36
ROWS_NEXT_PAGES = 52
ROWS_CLOSING = 9
# The report whose paper format statements are printed with (tools/pdf_pipeline.py).
STATEMENT_REPORT = "cobranca_email.report_cobranca_dunning_statement"


class CobrancaDunningNotice(models.Model):
    """One dunning notice sent to a customer: the debts it listed, as they stood that day.

    Its e-mail is posted in the notice's own chatter, not the customer's: a customer shared by
    several companies is read by every internal user of each of them, while a notice (its message
    and its PDFs with it) is read only by the billing users of its company.

    ``state`` follows its e-mail: a notice whose e-mail is never delivered (refused for good by the
    server, cancelled, deleted unsent) is *Not delivered*, with the reason, and no longer counts in
    the customer's dunning cycle (see ``cobranca.dunning.state._count_deliveries``): the next run sends it
    again.
    """

    _name = "cobranca.dunning.notice"
    _inherit = ["mail.thread"]
    _description = "Dunning Notice"
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name")
    date = fields.Date(required=True, readonly=True, index=True)
    company_id = fields.Many2one(comodel_name="res.company", required=True, readonly=True)
    partner_id = fields.Many2one(
        comodel_name="res.partner",
        string="Customer",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
    )
    currency_id = fields.Many2one(
        comodel_name="res.currency",
        required=True,
        readonly=True,
        default=lambda self: self.env.company.currency_id,
    )
    reason = fields.Selection(
        selection=[
            (dunning.FIRST_NOTICE, "First notice of overdue debts"),
            (dunning.INTERVAL_ELAPSED, "Interval since the last notice elapsed"),
            (dunning.UPCOMING, "Debts coming due"),
        ],
        string="Sent Because",
        required=True,
        readonly=True,
    )
    purpose = fields.Selection(
        selection=[("dunning", "Dunning letter"), ("notice", "Boleto notice")],
        string="Kind",
        required=True,
        readonly=True,
        help="Dunning letter: the notice lists overdue debts. Boleto notice: only debts coming due.",
    )
    line_ids = fields.One2many(
        comodel_name="cobranca.dunning.notice.line",
        inverse_name="notice_id",
        string="Debts",
        readonly=True,
    )
    overdue_count = fields.Integer(string="Overdue Debts", readonly=True)
    upcoming_count = fields.Integer(string="Debts Coming Due", readonly=True)
    amount_residual = fields.Monetary(string="Amount Open", readonly=True)
    amount_due = fields.Monetary(
        string="Amount Due Today",
        readonly=True,
        help="The open amount with the fine and interest of the overdue debts on the notice's date.",
    )
    next_notice_date = fields.Date(string="Next Notice", readonly=True)
    recipients = fields.Char(readonly=True)
    state = fields.Selection(
        selection=[("queued", "In the mail queue"), ("sent", "Delivered"), ("failed", "Not delivered")],
        string="E-mail",
        compute="_compute_state",
        search="_search_state",
        help="Not delivered: the mail server refused the e-mail for good, or it was cancelled. The notice no "
        "longer counts as the customer's last one, and the next run sends a new one.",
    )
    failure_reason = fields.Text(string="Why Not Delivered", compute="_compute_state")
    # Whether the customer's cycle counts this notice; written by the dunning run only
    # (cobranca.dunning.state._count_deliveries). ``state`` is read from the e-mail log, which the
    # mail queue writes: the queue never writes a notice, so it never waits for a run.
    counted = fields.Boolean(string="Counted in the Cycle", default=True, readonly=True, copy=False)
    mail_message_id = fields.Many2one(comodel_name="mail.message", string="Message", readonly=True)
    attachment_ids = fields.Many2many(
        comodel_name="ir.attachment",
        relation="cobranca_dunning_notice_attachment_rel",
        column1="notice_id",
        column2="attachment_id",
        string="Attachments",
        readonly=True,
    )

    @api.depends("mail_message_id")
    def _compute_state(self):
        states = self._delivery_states([("id", "in", [notice_id for notice_id in self.ids if notice_id])])
        for notice in self:
            notice.state, notice.failure_reason = states.get(notice.id, ("queued", False))

    def _search_state(self, operator, value):
        states = {notice_id: state for notice_id, (state, _reason) in self._delivery_states().items()}
        return ids_with_value(operator, value, states)

    @api.model
    def _delivery_states(self, domain=None, miscounted=False):
        """``{notice id: (state, failure reason)}`` of the notices of ``domain`` (default: every
        notice), from the e-mail log rows of each notice's message: failed when one failed, sent when
        all were sent, else queued.

        The one reader of the rule: the ``state`` field and the dunning run, which counts the notices
        out of their customer's cycle or in again (``cobranca.dunning.state._count_deliveries``), read
        it here. ``miscounted``: only the notices whose state and ``counted`` disagree (counted but
        failed, or counted out but sent after all).
        """
        Log = self.env["cobranca.email.log"]
        Log.flush_model(["mail_message_id", "state", "failure_reason"])
        query = self._where_calc(domain or [])
        notice = query.table
        query.add_join(
            "LEFT JOIN",
            "log",
            Log._table,
            SQL("log.mail_message_id = %s", SQL.identifier(notice, "mail_message_id")),
        )
        state = SQL(
            """CASE WHEN bool_or(log.state = 'failed') THEN 'failed'
                    WHEN count(log.id) > 0 AND bool_and(log.state = 'sent') THEN 'sent'
                    ELSE 'queued' END"""
        )
        query.groupby = SQL.identifier(notice, "id")
        if miscounted:
            query.having = SQL(
                "%s = CASE WHEN %s THEN 'failed' ELSE 'sent' END", state, SQL.identifier(notice, "counted")
            )
        rows = self.env.execute_query(
            query.select(
                SQL.identifier(notice, "id"),
                state,
                SQL("string_agg(log.failure_reason, E'\\n' ORDER BY log.id) FILTER (WHERE log.state = 'failed')"),
            )
        )
        return {notice_id: (state, reason or False) for notice_id, state, reason in rows}

    @api.depends("partner_id", "date")
    def _compute_name(self):
        for notice in self:
            notice.name = _(
                "%(partner)s, %(date)s",
                partner=notice.partner_id.display_name,
                date=fields.Date.to_string(notice.date) if notice.date else "",
            )

    def _statement_lang(self):
        self.ensure_one()
        return self.partner_id.lang or self.env.lang

    def _statement_formats(self):
        """Dates and amounts as the statement prints them, in the customer's language."""
        self.ensure_one()
        return ReportFormats(self.with_context(lang=self._statement_lang()).env)

    def _statement_filename(self):
        self.ensure_one()
        return _("Debt statement - %(partner)s - %(date)s.pdf", partner=self.partner_id.name, date=self.date)

    def _boletos_filename(self):
        self.ensure_one()
        return _("Boletos - %(partner)s - %(date)s.pdf", partner=self.partner_id.name, date=self.date)

    def _boletos(self):
        """The active boletos of the debts this notice lists, in its order."""
        return self.line_ids.boleto_id.filtered(lambda boleto: boleto.state == "active")

    def _statement_pages(self):
        """The statement's rows, page by page: ``("section", kind)`` or ``("line", notice line)``.

        The last page keeps room for the closing block; a section title never ends a page.
        """
        self.ensure_one()
        rows = []
        for kind in ("overdue", "upcoming"):
            lines = self.line_ids.filtered(lambda line, kind=kind: line.kind == kind)
            if lines:
                rows.append(("section", kind))
                rows += [("line", line) for line in lines]
        pages, capacity = [[]], ROWS_FIRST_PAGE
        for position, row in enumerate(rows):
            room = capacity - len(pages[-1])
            if room == 0 or (room == 1 and row[0] == "section" and position + 1 < len(rows)):
                pages.append([])
                capacity = ROWS_NEXT_PAGES
            pages[-1].append(row)
        if len(pages[-1]) > capacity - ROWS_CLOSING:
            pages.append([])
        return pages

    # PDF documents: the statements of many notices in a few wkhtmltopdf calls, the boletos' stored pages

    def _render_documents(self):
        """``{notice id: (statement PDF, boletos PDF or None)}``, or an exception for a notice whose
        documents could not be rendered.

        The boletos PDF is made of the pages stored on the boletos (printed once, when missing or
        out of date: cobranca.boleto._cobranca_page_pdfs); the statements are printed together
        (:meth:`_render_statements`), and each notice's boletos are put together while the next
        statements print.
        """
        pages = self._boletos()._cobranca_page_pdfs()
        boletos = {}

        def merge_boletos(notices, _statements):
            for notice in notices:
                boletos[notice.id] = notice._boletos()._cobranca_pages_pdf(pages)

        statements = self._render_statements(printed=merge_boletos)
        documents = {}
        for notice, statement in zip(self, statements, strict=True):
            parts = (statement, boletos.get(notice.id))
            error = next((part for part in parts if isinstance(part, Exception)), None)
            documents[notice.id] = error or parts
        return documents

    def _render_statements(self, printed=None):
        """The debt statement of each notice, in order: its PDF, or the exception that kept it from
        being printed (``printed``: see ``PdfPipeline.print``).

        Printed by the PDF pipeline (tools/pdf_pipeline.py), many statements a wkhtmltopdf call:
        every page of a statement starts on a new sheet and holds a fixed number of one-line rows
        (:meth:`_statement_pages`), so the pipeline knows its page count before printing. A statement
        that takes more sheets than planned is printed alone and taken as it comes.
        """
        pipeline = PdfPipeline(self.env, STATEMENT_REPORT)
        return pipeline.print(
            list(self),
            lambda notices: self.browse().union(*notices)._documents_html(parts="s"),
            pages=lambda notice: len(notice._statement_pages()),
            printed=printed,
        )

    def _cobranca_report_pdfs(self):
        """Print > Debt Statement (ir.actions.report): {notice id: its statement}; raises what kept one
        from being printed."""
        statements = self._render_statements()
        error = next((statement for statement in statements if isinstance(statement, Exception)), None)
        if error:
            raise error
        return dict(zip(self.ids, statements, strict=True))

    def _documents_html(self, parts="sb"):
        """One HTML document with these notices' statements ("s") and boletos ("b")."""
        return self.env["ir.qweb"]._render("cobranca_email.dunning_documents", {"notices": self, "parts": parts})
