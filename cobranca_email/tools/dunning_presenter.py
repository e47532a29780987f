"""Why a customer gets a dunning notice today, or why not, in the user's words and language.

The one presenter of a run's reasons: the preview wizard's *Why* column, the command line's
``SKIP``/``FAILED``/``ERROR`` lines, the errors Send Now raises, the e-mail log of a notice that
could not leave (nobody to send it to, a notice or a batch that failed), and the customer form's
"(from group VIP)" all read their sentences here. The reasons themselves (which one applies, the
day an interval or a tolerance ends) are decided by ``cobranca_core.dunning``.
"""

from odoo.tools import format_date

from cobranca_core import dunning


class DunningPresenter:
    """Sentences about a run's :class:`~.dunning_values.Outcome`, in the language of ``env``."""

    def __init__(self, env):
        self.env = env

    def reason(self, outcome):
        """Why this customer gets a notice today, or why not."""
        entry, reason, _ = outcome.entry, outcome.reason, self.env._
        if reason == dunning.NO_EMAIL:
            return _(
                "No valid e-mail address: neither the customer nor its invoice contacts in the chosen contact groups "
                "have one."
            )
        if reason == dunning.NO_EMAIL_IN_GROUPS:
            return _(
                "No valid e-mail address: no contact of the customer in the selected contact groups has one (the "
                "notice goes only to them)."
            )
        if reason in dunning.SENT_REASONS:
            debts = self.debts(entry)
            if reason == dunning.FIRST_NOTICE:
                return _("First notice: %s.", debts)
            if reason == dunning.INTERVAL_ELAPSED:
                return _("The interval since the last notice elapsed: %s.", debts)
            return _("Debts coming due, announced with their boletos: %s.", debts)
        if reason == dunning.DISABLED:
            switched_off = dict(entry.switched_off)
            if not switched_off:
                return _("Dunning notices are disabled for the company.")
            if dunning.UPCOMING_DEBTS not in switched_off:
                return _(
                    "Overdue debts are not e-mailed to this customer (set on %(origin)s).",
                    origin=self.origin(switched_off[dunning.OVERDUE_DEBTS]),
                )
            if dunning.OVERDUE_DEBTS not in switched_off:
                return _(
                    "Debts coming due are not e-mailed to this customer (set on %(origin)s).",
                    origin=self.origin(switched_off[dunning.UPCOMING_DEBTS]),
                )
            return _(
                "Neither overdue debts (set on %(overdue)s) nor debts coming due (set on %(upcoming)s) are e-mailed to "
                "this customer.",
                overdue=self.origin(switched_off[dunning.OVERDUE_DEBTS]),
                upcoming=self.origin(switched_off[dunning.UPCOMING_DEBTS]),
            )
        if reason == dunning.INTERVAL:
            return _(
                "Overdue debts, but the last notice is recent: next one on %(date)s (%(days)s day(s) left).",
                date=self._date(entry.until),
                days=entry.days_left,
            )
        if reason == dunning.TOLERANCE:
            return _(
                "Past due but within the tolerance: overdue from %(date)s (%(days)s day(s) left).",
                date=self._date(entry.until),
                days=entry.days_left,
            )
        if reason == dunning.RESTRICTED:
            return _("Its past-due debts are outside the companies or accounts dunned for this customer.")
        if reason == dunning.FILTERED:
            return _("Its debts are left out by the debt situation filter.")
        if entry.installments:
            return _("Nothing overdue; the debts coming due were already announced.")
        if entry.next_notice_date:
            return _("Nothing overdue or coming due yet: next notice on %s.", self._date(entry.next_notice_date))
        return _("No open debt to notify today.")

    def composing_failed(self, error):
        """Why a planned notice was not sent: it could not be composed (its template, its PDFs, the
        mail layer refused it)."""
        return self.env._("The notice could not be composed: %s", error)

    def batch_failed(self, customers, error):
        """Why the customers (res.partner) of a batch that failed whole were not processed: the
        run's ``errors``, which Send Now and the command line show."""
        if len(customers) == 1:
            return self.env._(
                "The dunning notice of %(customer)s could not be composed: %(error)s",
                customer=customers.display_name,
                error=str(error),
            )
        return self.env._("%(count)s customers were not processed: %(error)s", count=len(customers), error=str(error))

    def debts(self, notice):
        """What a ``dunning.Notice`` lists: "2 overdue debt(s) and 1 coming due"."""
        overdue, upcoming = len(notice.overdue), len(notice.upcoming)
        if overdue and upcoming:
            return self.env._(
                "%(overdue)s overdue debt(s) and %(upcoming)s coming due", overdue=overdue, upcoming=upcoming
            )
        if overdue:
            return self.env._("%s overdue debt(s)", overdue)
        return self.env._("%s debt(s) coming due", upcoming)

    # The customer form's effective settings (``cobranca_core.dunning.EffectivePolicy``)

    def switch(self, enabled, source):
        """A switch in force and where it comes from: "Sent (from group VIP)"."""
        _ = self.env._
        return _(
            "%(value)s (from %(origin)s)", value=_("Sent") if enabled else _("Not sent"), origin=self.origin(source)
        )

    def tolerance(self, policy):
        """The tolerance in force: "2 days after the due date (from company settings)"."""
        return self.env._(
            "%(days)s days after the due date (from %(origin)s)",
            days=policy.tolerance_days,
            origin=self.origin(policy.sources["tolerance_days"]),
        )

    def scope(self, policy):
        """Which overdue debts the restrictions let through, by company and by account, and where each
        restriction comes from: "every company; every receivable account"."""
        _, sudo = self.env._, self.env(su=True)
        scope = []
        restrictions = [(policy.company_ids, "res.company", _("every company"), "company_ids")]
        if not policy.billing_accounts:
            restrictions.append((policy.account_ids, "account.account", _("every receivable account"), "account_ids"))
        for ids, model, everything, field in restrictions:
            if ids is None:
                scope.append(everything)
            else:
                scope.append(
                    _(
                        "%(names)s (from %(origin)s)",
                        names=", ".join(sudo[model].browse(sorted(ids)).mapped("display_name")),
                        origin=self.origin(policy.sources[field]),
                    )
                )
        if policy.billing_accounts:
            accounts = sudo["account.account"].browse(sorted(account for _company, account in policy.billing_accounts))
            scope.append(
                _(
                    "only %(names)s (from %(origin)s)",
                    names=", ".join(accounts.mapped("display_name")),
                    origin=self.origin(policy.sources["billing_accounts"]),
                )
            )
        elif policy.account_rules:
            rules = sorted(policy.account_rules, key=lambda rule: (rule.company_id, rule.account_id))
            companies = sudo["res.company"].browse([rule.company_id for rule in rules])
            accounts = sudo["account.account"].browse([rule.account_id for rule in rules])
            lines = [
                _(
                    "%(company)s / %(account)s: %(switch)s",
                    company=company.display_name,
                    account=account.display_name,
                    switch=_("sent") if rule.send else _("not sent"),
                )
                for rule, company, account in zip(rules, companies, accounts, strict=True)
            ]
            scope.append(
                _(
                    "%(names)s (from %(origin)s)",
                    names=", ".join(lines),
                    origin=self.origin(policy.sources["account_rules"]),
                )
            )
        return "; ".join(scope)

    def origin(self, source):
        """Where an effective setting comes from: ``source`` is "company", "partner", "billing_account"
        or "group:<id>[, group:<id>]" (``cobranca_core.dunning.EffectivePolicy.sources``)."""
        if source == "partner":
            return self.env._("this customer")
        if source == "company":
            return self.env._("company settings")
        if source == "billing_account":
            return self.env._("this customer's receivable account")
        keys = [part.strip()[len("group:") :] for part in source.split(",") if part.strip().startswith("group:")]
        groups = self.env["res.partner.category"].browse([int(key) for key in keys if key.isdigit()]).exists()
        return ", ".join(self.env._("group %s", group.display_name) for group in groups)

    def _date(self, value):
        return format_date(self.env, value) if value else ""
