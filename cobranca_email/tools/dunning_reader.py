"""The dunning run's reader: what a batch of customers is planned with, as ``cobranca_core`` values.

Everything is read by SQL, a fixed number of queries a batch whatever its size (the addon test
``test_selection_takes_a_fixed_number_of_queries`` holds it), and whatever the user's access rights:
the preview and Send Now check their caller first. Table names come from the models (``_table``, a
many2many field's ``relation`` and columns), never typed here.

Where the rules live: which installments are open is :meth:`DunningReader._open_installments`; who
is due a notice, with which debts and when next, ``cobranca_core.dunning``; who receives it,
``cobranca_core.recipients``. The dunning settings of customers and of their groups (both switches,
the tolerance, the restrictions by company and account) are read by one reader,
:meth:`DunningReader._read_fields` through :meth:`~DunningReader.partners` and
:meth:`~DunningReader.group_policies`, with each customer's own receivable account in the company,
and combined by ``cobranca_core.dunning.effective_policy`` (:meth:`~DunningReader.policies`), for the
run and for the customer's form alike.
"""

from decimal import Decimal

from odoo.tools import SQL, float_repr

from cobranca_core import dunning, recipients

from ..models.cobranca_overdue_policy_mixin import POLICY_FIELDS, RULE_FIELDS, overdue_policy

# The customer's own receivable account (the one on its form, company-dependent): it restricts the
# debts dunned in that company when it is not the company's default (cobranca_core.dunning.effective_policy).
BILLING_ACCOUNT_FIELD = "property_account_receivable_id"


def table(env, model_name):
    """The table of ``model_name``, as an SQL identifier."""
    return SQL.identifier(env[model_name]._table)


def one2many_rows(model, fname, columns, record_id):
    """SQL: the lines the one2many field ``fname`` of ``model`` holds for the record whose id is the SQL
    expression ``record_id``, each as the array of its ``columns`` (cast to integers), by id."""
    field = model._fields[fname]
    comodel = model.env[field.comodel_name]
    return SQL(
        "ARRAY(SELECT ARRAY[%s] FROM %s line WHERE %s = %s ORDER BY line.id)",
        SQL(", ").join(SQL("%s::int", SQL.identifier("line", column)) for column in columns),
        SQL.identifier(comodel._table),
        SQL.identifier("line", field.inverse_name),
        record_id,
    )


def many2many_ids(model, fname, record_id):
    """SQL: the ids the many2many field ``fname`` of ``model`` holds for the record whose id is the SQL
    expression ``record_id``, as a sorted array."""
    field = model._fields[fname]
    return SQL(
        "ARRAY(SELECT %s FROM %s WHERE %s = %s ORDER BY 1)",
        SQL.identifier(field.column2),
        SQL.identifier(field.relation),
        SQL.identifier(field.column1),
        record_id,
    )


class DunningReader:
    """Reads the customers of a company for a dunning run."""

    def __init__(self, env):
        self.env = env

    def _open_installments(self, company):
        """FROM and WHERE of the open receivable installments of ``company``: posted, not fully paid,
        with a due date. ``aml`` is the installment, ``partner`` its partner."""
        return SQL(
            """
              FROM %(aml)s aml
              JOIN %(account)s account ON account.id = aml.account_id
              JOIN %(partner)s partner ON partner.id = aml.partner_id
             WHERE aml.company_id = %(company_id)s
               AND account.account_type = 'asset_receivable'
               AND aml.parent_state = 'posted'
               AND NOT aml.reconciled
               AND aml.amount_residual > 0
               AND aml.date_maturity IS NOT NULL""",
            aml=table(self.env, "account.move.line"),
            account=table(self.env, "account.account"),
            partner=table(self.env, "res.partner"),
            company_id=company.id,
        )

    def candidate_partner_ids(self, company, partner_ids=None, today=None, pending_only=False, limit=None):
        """Customers (commercial partners) with an open receivable installment in ``company``, by id;
        ``pending_only``: those no run planned yet on ``today``."""
        self.env.flush_all()
        query = SQL("SELECT DISTINCT partner.commercial_partner_id %s", self._open_installments(company))
        if partner_ids is not None:
            query = SQL("%s AND partner.commercial_partner_id = ANY(%s)", query, list(partner_ids))
        if pending_only:
            query = SQL(
                """%s AND NOT EXISTS (SELECT 1 FROM %s state
                                       WHERE state.company_id = %s
                                         AND state.partner_id = partner.commercial_partner_id
                                         AND state.last_run_date >= %s)""",
                query,
                table(self.env, "cobranca.dunning.state"),
                company.id,
                today,
            )
        rows = self.env.execute_query(SQL("%s ORDER BY 1 LIMIT %s", query, limit))
        return [partner_id for (partner_id,) in rows]

    def states(self, company, partner_ids, lock=False):
        """``{partner id: dunning.PartnerState}`` of the customers that have a state row.

        ``lock``: lock the rows for this transaction, leaving out of the result the rows another run
        holds (``SKIP LOCKED``). A row another run changed after this transaction began makes Postgres
        refuse the lock (serialization failure): the run retries with a fresh snapshot.
        """
        rows = self.env.execute_query(
            SQL(
                """SELECT partner_id, last_notice_date, next_notice_date, notice_count
                     FROM %s
                    WHERE company_id = %s AND partner_id = ANY(%s)
                    %s""",
                table(self.env, "cobranca.dunning.state"),
                company.id,
                list(partner_ids),
                SQL("FOR UPDATE SKIP LOCKED") if lock else SQL(),
            )
        )
        return {row[0]: dunning.PartnerState(*row) for row in rows}

    def installments(self, company, partner_ids, restamped=None):
        """The open installments of the customers, as ``dunning.Installment``, by due date.

        ``restamped``: ``{installment id: last notice date}`` that replace the stored ones (the
        notices a dry run counts out or in again without writing it).
        """
        digits = company.currency_id.decimal_places  # before the query: reading it may query too
        Move = self.env["account.move"]
        rows = self.env.execute_query(
            SQL(
                """SELECT aml.id, partner.commercial_partner_id, aml.company_id, aml.account_id,
                          aml.date_maturity, aml.amount_residual, aml.cobranca_last_notice_date, %s
                   %s
                      AND partner.commercial_partner_id = ANY(%s)
                 ORDER BY aml.date_maturity, aml.id""",
                many2many_ids(Move, "cobranca_debt_state_ids", SQL.identifier("aml", "move_id")),
                self._open_installments(company),
                list(partner_ids),
            )
        )
        restamped = restamped or {}
        return [
            dunning.Installment(
                line_id,
                partner_id,
                company_id,
                account_id,
                due,
                Decimal(float_repr(residual, digits)),
                frozenset(debt_states),
                restamped[line_id] if line_id in restamped else last,
            )
            for line_id, partner_id, company_id, account_id, due, residual, last, debt_states in rows
        ]

    def contacts(self, partner_ids):
        """``{commercial partner id: [recipients.Contact]}``: the customers' other active contacts, of any
        type (the company's contact groups may choose any of them), by id."""
        rows = self._read_fields(
            "res.partner",
            ("commercial_partner_id", "email", "category_id", "type"),
            SQL(
                """rec.commercial_partner_id = ANY(%s)
                   AND rec.id <> rec.commercial_partner_id
                   AND rec.active""",
                list(partner_ids),
            ),
        )
        contacts = {}
        for contact_id, partner_id, email, category_ids, contact_type in rows:
            contacts.setdefault(partner_id, []).append(
                recipients.Contact(contact_id, email, frozenset(category_ids), contact_type == "invoice")
            )
        return contacts

    # The dunning settings: one reader for customers and groups

    def default_receivable_id(self, company):
        """The id of ``company``'s default receivable account for customers (a customer with another one
        has an account of its own), or None."""
        # As the system: a run may go through a company the user is not in (the command line, the tests).
        Partner = self.env["res.partner"].sudo().with_company(company)
        return Partner._fields[BILLING_ACCOUNT_FIELD].get_company_dependent_fallback(Partner).id or None

    def partners(self, partner_ids, company=None, default_receivable_id=None):
        """``{partner id: {"email", "policy", "category_ids", "billing_accounts"}}``: the e-mail, the own
        dunning settings (``OverduePolicy``), the groups (by id, sorted) of the customers and, with
        ``company``, their own receivable account in it (``{company id: account id}``, empty when it is
        the company's default, ``default_receivable_id``)."""
        if not partner_ids:
            return {}
        billing = (
            SQL(
                "(%s ->> %s)::int",
                SQL.identifier("rec", BILLING_ACCOUNT_FIELD),
                str(company.id),
            )
            if company
            else SQL("NULL::int")
        )
        rows = self._read_fields(
            "res.partner",
            (*POLICY_FIELDS, "email", "category_id"),
            SQL("rec.id = ANY(%s)", list(partner_ids)),
            extra=billing,
        )
        return {
            partner_id: {
                "email": email,
                "policy": overdue_policy(*settings),
                "category_ids": category_ids,
                "billing_accounts": {company.id: account_id}
                if account_id and account_id != default_receivable_id
                else {},
            }
            for partner_id, *settings, email, category_ids, account_id in rows
        }

    def group_policies(self):
        """``{category id: OverduePolicy}`` of the active partner groups that set something."""
        groups = {}
        for category_id, *settings in self._read_fields("res.partner.category", POLICY_FIELDS, SQL("rec.active")):
            policy = overdue_policy(*settings)
            if policy != dunning.OverduePolicy():
                groups[category_id] = policy
        return groups

    def _read_fields(self, model_name, fnames, where, extra=None):
        """``[(id, value, ..., extra)]`` of the records of ``model_name`` (alias ``rec``) matching
        ``where``, by id: a many2many field as the sorted list of its ids, a one2many field (the
        company-and-account lines) as the list of its lines' ``RULE_FIELDS``, any other field as its
        column; ``extra``, an SQL expression, last."""
        Model = self.env[model_name]
        Model.flush_model()
        for fname in fnames:
            if Model._fields[fname].type == "one2many":
                self.env[Model._fields[fname].comodel_name].flush_model()
        record_id = SQL.identifier("rec", "id")
        columns = [
            many2many_ids(Model, fname, record_id)
            if Model._fields[fname].type == "many2many"
            else one2many_rows(Model, fname, RULE_FIELDS, record_id)
            if Model._fields[fname].type == "one2many"
            else SQL.identifier("rec", fname)
            for fname in fnames
        ]
        if extra is not None:
            columns.append(extra)
        return self.env.execute_query(
            SQL(
                "SELECT rec.id, %s FROM %s rec WHERE %s ORDER BY rec.id",
                SQL(", ").join(columns),
                SQL.identifier(Model._table),
                where,
            )
        )

    @staticmethod
    def policies(company_policy, partners, group_policies):
        """``{partner id: EffectivePolicy}`` of the ``partners`` (rows of :meth:`partners`) that
        override something, have a receivable account of their own or are in a group that overrides
        something; the others follow ``company_policy``."""
        policies = {}
        for partner_id, row in partners.items():
            # Groups that set nothing are not in group_policies: they leave the company's settings alone.
            groups = [(key, group_policies[key]) for key in row["category_ids"] if key in group_policies]
            billing = row.get("billing_accounts")
            if groups or billing or row["policy"] != dunning.OverduePolicy():
                policies[partner_id] = dunning.effective_policy(company_policy, groups, row["policy"], billing)
        return policies

    def effective_policies(self, company, partners):
        """``{partner id: EffectivePolicy}`` of ``partners`` (records) in ``company``, as the run reads them.

        Saved partners are read as a batch of the run is; a partner being edited in a form (a new
        record) with its unsaved values, so that the form shows what a change does before it is saved.
        """
        company_policy = company._cobranca_dunning_policy()
        default_receivable_id = self.default_receivable_id(company)
        saved = partners.filtered("id")
        rows = self.partners(saved.ids, company, default_receivable_id)
        for partner in partners - saved:
            account = partner.with_company(company)[BILLING_ACCOUNT_FIELD]
            rows[partner.id] = {
                "policy": partner._cobranca_overdue_policy(),
                "category_ids": sorted(partner.category_id._origin.ids),
                "billing_accounts": {company.id: account.id} if account and account.id != default_receivable_id else {},
            }
        policies = self.policies(company_policy, rows, self.group_policies())
        default = dunning.effective_policy(company_policy)
        return {partner.id: policies.get(partner.id, default) for partner in partners}
