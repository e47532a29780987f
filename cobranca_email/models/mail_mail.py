import contextvars
import logging
import smtplib
from collections import defaultdict

import psycopg2
import psycopg2.errors
import psycopg2.extensions

from odoo import _, api, fields, models
from odoo.tools.mail import email_normalize, email_split_and_format
from odoo.tools.misc import clean_context

from odoo.addons.mail_outgoing_delivery.models.ir_mail_server import LAST_DELIVERY_ERROR

from cobranca_core import smtp_presets

from .ir_mail_server import LAST_CONNECT_FAILURE

_logger = logging.getLogger(__name__)

# Namespace (first key) of the PostgreSQL advisory locks by which a worker claims the mails it is
# about to send: session locks survive the commit the queue makes after each mail, unlike row locks.
CLAIM_LOCK_NAMESPACE = 0x43424D4C  # "CBML"

# Mails passed to _postprocess_sent_message during the current send() of this thread: the one the
# server hung up on is the last mail touched that never got there.
_POSTPROCESSED = contextvars.ContextVar("cobranca_email_postprocessed", default=None)


class MailMail(models.Model):
    _inherit = "mail.mail"

    @api.model_create_multi
    def create(self, vals_list):
        self._cobranca_add_server_cc(vals_list)
        mails = super().create(vals_list)
        billing = mails.filtered("cobranca_purpose")
        if billing:
            # What the caller knows of each mail (partner, invoices, installments), in vals_list order.
            described = self.env.context.get("cobranca_log_values")
            if described and len(described) != len(billing):
                described = None
            self.env["cobranca.email.log"]._create_for_mails(billing, described)
        return mails

    def write(self, vals):
        result = super().write(vals)
        # Sending outcomes are logged in _postprocess_sent_message; these are the user's own moves
        # (retry, cancel). Odoo's own "exception" guard write before sending is not an outcome.
        if vals.get("state") in ("outgoing", "cancel"):
            self.filtered("cobranca_purpose")._cobranca_log_state(vals["state"])
        return result

    def unlink(self):
        unsent = self.filtered(lambda mail: mail.cobranca_purpose and mail.state == "outgoing")
        if unsent:
            logs = self.env["cobranca.email.log"].sudo().search([("mail_mail_id", "in", unsent.ids)])
            logs.write({"state": "failed", "failure_reason": _("The e-mail was deleted before it was sent.")})
        return super().unlink()

    @api.model
    def search(self, domain, offset=0, limit=None, order=None):
        if order is None and self.env.context.get("cobranca_mail_queue_fifo"):
            order = "id"
        return super().search(domain, offset=offset, limit=limit, order=order)

    @api.model
    def process_email_queue(self, ids=None, batch_size=1000):
        # Odoo picks the newest mails first (mail.mail is ordered by id desc): with more mails than
        # one batch, mails deferred by sending limits would wait behind newer ones. Oldest first.
        return super(MailMail, self.with_context(cobranca_mail_queue_fifo=True)).process_email_queue(
            ids=ids, batch_size=batch_size
        )

    def send(self, auto_commit=False, raise_exception=False, post_send_callback=None):
        """Odoo's sending, plus for billing mails and mails of servers with sending limits:

        - each mail is claimed before sending (advisory lock + row lock, skipping mails another
          worker holds), so two queue runs never send the same mail;
        - a billing mail is never sent through a server linked only to other companies;
        - mails over the hourly or daily limit of their server stay outgoing, scheduled for the
          next window (deferred), in their original order;
        - a server hanging up in the middle of a message does not stop the batch: that message is
          tried once more through a new connection, then failed with the reason, and the rest goes.
        """
        LAST_CONNECT_FAILURE.set(None)
        # Before the company check below fails mails: an error of an earlier call (a test e-mail) is
        # not theirs, and must not make the transport retry them.
        LAST_DELIVERY_ERROR.set(None)
        plan = self._cobranca_sending_plan()
        if not plan:
            return super().send(
                auto_commit=auto_commit, raise_exception=raise_exception, post_send_callback=post_send_callback
            )
        in_scope = self.browse(list(plan))
        claimed = in_scope._cobranca_claim(auto_commit)
        try:
            allowed = claimed._cobranca_refuse_other_company_servers(plan)
            allowed = allowed._cobranca_apply_limits(plan, auto_commit)
            allowed_ids = set(allowed.ids)
            to_send = self.filtered(lambda mail: mail.id not in plan or mail.id in allowed_ids)
            return to_send._cobranca_send_resilient(auto_commit, raise_exception, post_send_callback)
        finally:
            claimed._cobranca_release()

    def _postprocess_sent_message(self, success_pids, failure_reason=False, failure_type=None):
        postprocessed = _POSTPROCESSED.get()
        if postprocessed is not None:
            postprocessed.update(self.ids)
        billing = self.filtered("cobranca_purpose")
        if billing:
            billing._cobranca_log_outcome(failure_reason, failure_type)
        return super()._postprocess_sent_message(success_pids, failure_reason=failure_reason, failure_type=failure_type)

    # ------------------------------------------------------------------------------------------
    # queueing billing e-mails in bulk
    # ------------------------------------------------------------------------------------------

    @api.model
    def _cobranca_queue_billing_mails_safely(self, mails_values):
        """``_cobranca_queue_billing_mails`` for a batch in which one bad e-mail must not stop the others.

        Queues them at once; should that fail, one by one, each in its savepoint.

        :return: one entry per ``mails_values``, in order: the ``mail.mail``, or the exception that
            kept that e-mail from being queued
        """
        try:
            with self.env.cr.savepoint():
                return list(self._cobranca_queue_billing_mails(mails_values))
        except Exception as error:
            _logger.info("Queueing %s billing e-mails at once failed (%s); one by one now", len(mails_values), error)
        results = []
        for values in mails_values:
            try:
                with self.env.cr.savepoint():
                    results.append(self._cobranca_queue_billing_mails([values]))
            except Exception as error:  # one bad e-mail never stops the batch
                results.append(error)
        return results

    @api.model
    def _cobranca_queue_billing_mails(self, mails_values):
        """Queue many billing e-mails at once, each shown in its record's chatter and logged.

        ``message_post`` costs ~35 ms a message (notification routing, portal tokens, layout
        rendering); a monthly run sends thousands of billing e-mails whose recipients and content
        are already decided. This creates, in a handful of queries per batch, what a posted e-mail
        leaves behind: the attachments, one outgoing ``mail.mail`` per e-mail whose message stays in
        the record's chatter after sending (``is_notification``), the delivery notifications the
        chatter shows per recipient, the server's copy list, and the e-mail log rows (with the
        partner, invoices and installments given). Nothing is sent here: the mail queue sends, woken up
        for it.

        :param mails_values: list of dicts with ``record`` (whose chatter shows the e-mail),
            ``partners`` (``res.partner`` recipients), ``subject``, ``body`` (rendered HTML),
            ``attachments`` (list of ``(name, bytes)``), ``purpose``, ``mail_server_id``,
            ``email_from``, and for the log ``company``, ``partner``, ``moves``, ``move_lines``, ``user``
            (who asked for the e-mail; default: the current user, also the chatter's author)
        :return: the ``mail.mail`` records, in the order of ``mails_values``
        """
        if not mails_values:
            return self.browse()
        author = self.env.user.partner_id
        attachment_values, owners = [], []
        for index, values in enumerate(mails_values):
            for name, content in values.get("attachments") or ():
                record = values["record"]
                attachment_values.append({"name": name, "raw": content, "res_model": record._name, "res_id": record.id})
                owners.append(index)
        attachments = self.env["ir.attachment"].sudo().create(attachment_values)
        attachment_ids = defaultdict(list)
        for index, attachment in zip(owners, attachments, strict=True):
            attachment_ids[index].append(attachment.id)
        described = [
            {
                key: value
                for key, value in (
                    ("company_id", values.get("company") and values["company"].id),
                    ("partner_id", values.get("partner") and values["partner"].id),
                    ("move_ids", values.get("moves") and [(6, 0, values["moves"].ids)]),
                    ("move_line_ids", values.get("move_lines") and [(6, 0, values["move_lines"].ids)]),
                    ("user_id", values.get("user") and values["user"].id),
                )
                if value
            }
            for values in mails_values
        ]
        # The reply-to address of each record, asked once per model and sender (mail.message would
        # ask it one message at a time).
        reply_to = {}
        by_sender = defaultdict(list)
        for values in mails_values:
            email_from = values.get("email_from") or author.email_formatted
            by_sender[values["record"]._name, email_from].append(values["record"].id)
        for (model, email_from), res_ids in by_sender.items():
            replies = self.env[model].browse(res_ids)._notify_get_reply_to(default=email_from)
            reply_to.update({(model, res_id, email_from): reply for res_id, reply in replies.items()})
        comment = self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_comment")
        senders = [values.get("email_from") or author.email_formatted for values in mails_values]
        # The messages first, then their mails: a mail created with its message's values would
        # sanitize the HTML body once more, for nothing (the mail sends ``body_html``).
        messages = (
            self.env["mail.message"]
            .sudo()
            .with_context(**clean_context(self.env.context))  # no default_* of the caller on the messages
            .create(
                [
                    {
                        "model": values["record"]._name,
                        "res_id": values["record"].id,
                        "record_name": values["record"].display_name,
                        "message_type": "email_outgoing",
                        "subtype_id": comment,
                        # Who asked for it (posted the invoice, pressed Send), else the current user.
                        "author_id": (values.get("user") or self.env.user).partner_id.id,
                        "email_from": email_from,
                        "reply_to": reply_to[values["record"]._name, values["record"].id, email_from],
                        "mail_server_id": values.get("mail_server_id") or False,
                        "subject": values["subject"],
                        "body": values["body"],
                        "partner_ids": [(6, 0, values["partners"].ids)],
                        "attachment_ids": [(6, 0, attachment_ids[index])],
                        "cobranca_purpose": values["purpose"],
                    }
                    for index, (values, email_from) in enumerate(zip(mails_values, senders, strict=True))
                ]
            )
        )
        mails = (
            self.sudo()
            .with_context(mail_create_nolog=True, mail_notify_force_send=False, cobranca_log_values=described)
            .create(
                [
                    {
                        "mail_message_id": message.id,
                        "body_html": values["body"],
                        "recipient_ids": [(6, 0, values["partners"].ids)],
                        # The chatter keeps the message when the sent mail is deleted.
                        "is_notification": True,
                        "auto_delete": True,
                    }
                    for message, values in zip(messages, mails_values, strict=True)
                ]
            )
        )
        self.env["mail.notification"].sudo().create(
            [
                {
                    "mail_message_id": mail.mail_message_id.id,
                    "mail_mail_id": mail.id,
                    "res_partner_id": partner.id,
                    "notification_type": "email",
                    "notification_status": "ready",
                    "is_read": True,
                }
                for mail, values in zip(mails, mails_values, strict=True)
                for partner in values["partners"]
            ]
        )
        # The queue runs hourly: wake it up, so that the e-mails leave once this transaction commits.
        self.env.ref("mail.ir_cron_mail_scheduler_action").sudo()._trigger()
        return self.browse(mails.ids)

    # ------------------------------------------------------------------------------------------
    # copy list and log
    # ------------------------------------------------------------------------------------------

    @api.model
    def _cobranca_add_server_cc(self, vals_list):
        """Add the copy list of the mail server to every mail of a billing message (notifications too)."""
        message_ids = {vals["mail_message_id"] for vals in vals_list if vals.get("mail_message_id")}
        messages = self.env["mail.message"].sudo().browse(message_ids)
        targets = []
        for vals in vals_list:
            message = messages.browse(vals["mail_message_id"]) if vals.get("mail_message_id") else messages.browse()
            purpose = vals.get("cobranca_purpose") or message.cobranca_purpose
            server_id = vals.get("mail_server_id") or message.mail_server_id.id
            if purpose and server_id:
                targets.append((vals, server_id))
        servers = self.env["ir.mail_server"].sudo().browse({server_id for _vals, server_id in targets})
        for vals, server_id in targets:
            copies = servers.browse(server_id)._cobranca_cc_list()
            if not copies:
                continue
            current = email_split_and_format(vals.get("email_cc") or "")
            known = {email_normalize(address) for address in current}
            vals["email_cc"] = ", ".join(current + [address for address in copies if address not in known])

    def _cobranca_logs(self):
        return self.env["cobranca.email.log"].sudo().search([("mail_mail_id", "in", self.ids)])

    def _cobranca_log_state(self, state):
        for log in self._cobranca_logs():
            mail = log.mail_mail_id
            if state == "outgoing" and mail.delivery_attempts:
                # Put back in the queue after a temporary failure (mail_outgoing_delivery): the reason
                # says which attempt failed and when the next one is.
                log.write(
                    {"state": "retry", "failure_reason": mail.failure_reason, "scheduled_date": mail.scheduled_date}
                )
            elif state == "outgoing":
                log.write({"state": "queued", "failure_reason": False, "scheduled_date": mail.scheduled_date})
            else:
                log.write({"state": "failed", "failure_reason": _("The e-mail was cancelled before it was sent.")})

    def _cobranca_log_outcome(self, failure_reason, failure_type):
        hint = False
        failure = LAST_CONNECT_FAILURE.get() if failure_type == "mail_smtp" and not failure_reason else None
        if failure:
            server_id, error = failure
            server = self.env["ir.mail_server"].sudo().browse(server_id).exists()
            if server:
                diagnosis = smtp_presets.diagnose(error, server.smtp_host, server.smtp_port, server.smtp_encryption)
                hint = server._cobranca_hint_message(diagnosis)
        failure_types = dict(self._fields["failure_type"]._description_selection(self.env))
        logs = self._cobranca_logs()
        sent = logs.filtered(lambda log: log.mail_mail_id.state in ("sent", "received"))
        sent.write(
            {"state": "sent", "sent_date": fields.Datetime.now(), "failure_reason": False, "scheduled_date": False}
        )
        for log in logs - sent:
            mail = log.mail_mail_id
            reason = mail.failure_reason or failure_reason or failure_types.get(mail.failure_type or failure_type) or ""
            if hint:
                reason = f"{hint}\n{reason}"
                mail.failure_reason = reason
            log.write({"state": "failed", "failure_reason": reason})

    # ------------------------------------------------------------------------------------------
    # queue: claims, company check, limits, hang-ups
    # ------------------------------------------------------------------------------------------

    def _cobranca_sending_plan(self):
        """``{mail id: id of the server it will leave through (or False)}`` of the mails this module
        takes care of: billing mails, and mails of servers with sending limits. Empty when there is
        none, and then nothing changes for Odoo's other mails."""
        if not self:
            return {}
        limited = self.env["ir.mail_server"]._cobranca_limited_server_ids()
        billing = self.filtered("cobranca_purpose")
        if not billing and not limited:
            return {}
        billing_ids = set(billing.ids)
        outgoing = self.filtered(lambda mail: mail.state == "outgoing")
        plan = {}
        for server_id, _alias_domain_id, _smtp_from, batch_ids in outgoing._split_by_mail_configuration():
            for mail_id in batch_ids:
                if server_id in limited or mail_id in billing_ids:
                    plan[mail_id] = server_id
        return plan

    def _cobranca_claim(self, auto_commit):
        """Claim these mails for this worker; returns the ones claimed, still outgoing.

        A mail another worker has claimed or is writing is skipped: it is that worker's. With
        ``auto_commit`` (the queue), the claim is committed at once so the state read afterwards is
        fresh; otherwise the row locks taken here last until the caller's transaction ends.
        """
        if not self:
            return self
        cr = self.env.cr
        self.env.flush_all()
        cr.execute(
            "SELECT id FROM unnest(%s::int[]) AS t(id) WHERE pg_try_advisory_lock(%s, id)",
            [sorted(self.ids), CLAIM_LOCK_NAMESPACE],
        )
        locked = [row[0] for row in cr.fetchall()]
        try:
            if auto_commit:  # Odoo's own mail queue commits like this (mail.mail.send, auto_commit)
                cr.commit()  # pylint: disable=invalid-commit
            claimed = set(self._cobranca_lock_rows(locked))
        except Exception:
            self.browse(locked)._cobranca_release()
            raise
        self.browse([mail_id for mail_id in locked if mail_id not in claimed])._cobranca_release()
        self.invalidate_recordset(["state", "scheduled_date"])
        return self.filtered(lambda mail: mail.id in claimed)

    def _cobranca_lock_rows(self, mail_ids):
        cr = self.env.cr
        query = "SELECT id FROM mail_mail WHERE id = ANY(%s) AND state = 'outgoing' FOR NO KEY UPDATE SKIP LOCKED"
        try:
            with cr.savepoint(flush=False):
                cr.execute(query, [mail_ids], log_exceptions=False)
                return [row[0] for row in cr.fetchall()]
        except psycopg2.errors.SerializationFailure:
            _logger.debug("Mails changed by another worker meanwhile: locking them one by one")
        # Some mails changed since this transaction started (another worker sent them): take the
        # others one by one.
        claimed = []
        for mail_id in mail_ids:
            try:
                with cr.savepoint(flush=False):
                    cr.execute(query, [[mail_id]], log_exceptions=False)
                    claimed += [row[0] for row in cr.fetchall()]
            except psycopg2.errors.SerializationFailure:
                continue
        return claimed

    def _cobranca_release(self):
        if not self:
            return
        cr = self.env.cr
        ids = list(self.ids)
        query = "SELECT pg_advisory_unlock(%s, id) FROM unnest(%s::int[]) AS t(id)"
        if cr._cnx.get_transaction_status() == psycopg2.extensions.TRANSACTION_STATUS_INERROR:
            # The transaction failed: release on the connection once it is rolled back.
            connection = cr._cnx

            def release():
                with connection.cursor() as raw:
                    raw.execute(query, [CLAIM_LOCK_NAMESPACE, ids])

            cr.postrollback.add(release)
            return
        cr.execute(query, [CLAIM_LOCK_NAMESPACE, ids])

    def _cobranca_refuse_other_company_servers(self, plan):
        """Fail the billing mails that would leave through a server linked only to other companies."""
        servers = self.env["ir.mail_server"].sudo()
        refused = self.browse()
        for mail in self.filtered("cobranca_purpose"):
            server = servers.browse(plan.get(mail.id) or [])
            company = mail.record_company_id
            if server and company and not server._cobranca_serves(company):
                reason = _(
                    "The mail server “%(server)s” does not send for %(company)s. Link a mail server to %(company)s "
                    "(Invoicing > Configuration > Billing e-mail > Mail servers), or make one the default for "
                    "companies without their own.",
                    server=server.name,
                    company=company.name,
                )
                mail.write({"state": "exception", "failure_type": "mail_smtp", "failure_reason": reason})
                mail._postprocess_sent_message(success_pids=[], failure_reason=reason, failure_type="mail_smtp")
                refused |= mail
        return self - refused

    def _cobranca_apply_limits(self, plan, auto_commit):
        """Defer the mails over the sending limits of their server; returns the ones that may leave now."""
        limited = self.env["ir.mail_server"]._cobranca_limited_server_ids()
        mail_ids_by_server = defaultdict(list)
        for mail in self.sorted("id"):
            if plan.get(mail.id) in limited:
                mail_ids_by_server[plan[mail.id]].append(mail.id)
        if not mail_ids_by_server:
            return self
        cr = self.env.cr
        servers = self.env["ir.mail_server"].sudo().browse(list(mail_ids_by_server))
        deferred = None
        for _attempt in range(3):
            try:
                with cr.savepoint(flush=False):
                    deferred = servers._cobranca_reserve_slots(mail_ids_by_server)
                break
            except psycopg2.errors.SerializationFailure:
                # Another worker updated the counters after this transaction began: with the queue's
                # own transactions, start a fresh one and try again; otherwise leave these mails to
                # the queue (they stay outgoing).
                if not auto_commit:
                    break
                cr.rollback()
        if deferred is None:
            skipped = {mail_id for ids in mail_ids_by_server.values() for mail_id in ids}
            return self.filtered(lambda mail: mail.id not in skipped)
        if deferred:
            self._cobranca_defer(deferred)
        if auto_commit:
            cr.commit()  # pylint: disable=invalid-commit
        return self.filtered(lambda mail: mail.id not in deferred)

    def _cobranca_defer(self, deferred):
        """Keep the mails outgoing, scheduled for the end of the window that refused them."""
        by_date = defaultdict(list)
        for mail_id, until in deferred.items():
            by_date[until.replace(tzinfo=None)].append(mail_id)
        cron = self.env.ref("mail.ir_cron_mail_scheduler_action", raise_if_not_found=False)
        Log = self.env["cobranca.email.log"].sudo()
        for until, mail_ids in by_date.items():
            mails = self.browse(mail_ids)
            mails.write({"scheduled_date": until})
            Log.search([("mail_mail_id", "in", mail_ids)]).write({"state": "deferred", "scheduled_date": until})
            if cron:
                cron.sudo()._trigger(at=until)
        _logger.info("Deferred %s e-mail(s) over the sending limits of their mail server", len(deferred))

    def _cobranca_send_resilient(self, auto_commit, raise_exception, post_send_callback):
        """Odoo's send(), surviving a server that hangs up.

        Odoo lets the hang-up abort the whole run. Here the mail being sent when it happened is
        tried once more through a new connection (servers that end a session after N messages
        hang up between two messages); if the server hangs up on it again, it fails this attempt
        (mail_outgoing_delivery then schedules a later one: a lost connection may pass) and the
        rest of the batch goes on.
        """
        remaining = self
        retried = set()
        while True:
            order = [
                mail_id
                for *_config, batch_ids in remaining.filtered(
                    lambda mail: mail.state == "outgoing"
                )._split_by_mail_configuration()
                for mail_id in batch_ids
            ]
            postprocessed = set()
            token = _POSTPROCESSED.set(postprocessed)
            try:
                return super(MailMail, remaining).send(
                    auto_commit=auto_commit, raise_exception=raise_exception, post_send_callback=post_send_callback
                )
            except smtplib.SMTPServerDisconnected as error:
                if raise_exception:
                    raise
                interrupted = self._cobranca_interrupted(order, postprocessed)
                if interrupted.id in retried:
                    interrupted._cobranca_fail_interrupted(error)
                elif interrupted:
                    _logger.info("The SMTP server hung up while sending mail %s: trying it again", interrupted.id)
                    retried.add(interrupted.id)
                    interrupted.write({"state": "outgoing", "failure_reason": False})
                if auto_commit:
                    self.env.cr.commit()  # pylint: disable=invalid-commit
                # Not those put back in the queue for later (a temporary failure, mail_outgoing_delivery).
                now = fields.Datetime.now()
                still_outgoing = (
                    self.browse(order)
                    .exists()
                    .filtered(
                        lambda mail, now=now: (
                            mail.state == "outgoing" and not (mail.scheduled_date and mail.scheduled_date > now)
                        )
                    )
                )
                if not still_outgoing:
                    return True
                if not interrupted and set(still_outgoing.ids) == set(order):
                    raise  # nothing moved: not a hang-up this loop can get past
                remaining = still_outgoing
            finally:
                _POSTPROCESSED.reset(token)

    def _cobranca_interrupted(self, order, postprocessed):
        """The mail being sent when the server hung up: the last one touched without an outcome."""
        mails = self.browse(order).exists()
        state = {mail.id: mail.state for mail in mails}
        interrupted = False
        for mail_id in order:
            # Not reached yet: still outgoing and never processed (a mail put back in the queue after a
            # temporary failure, mail_outgoing_delivery, is outgoing again but was processed).
            if state.get(mail_id) == "outgoing" and mail_id not in postprocessed:
                break
            if mail_id in state and mail_id not in postprocessed:
                interrupted = mail_id
        return self.browse(interrupted or [])

    def _cobranca_fail_interrupted(self, error):
        # Odoo's quit() on the dead session raises again: the first hang-up says more.
        while isinstance(error.__context__, smtplib.SMTPServerDisconnected):
            error = error.__context__
        server = self.mail_server_id.sudo()
        diagnosis = smtp_presets.diagnose(error, server.smtp_host, server.smtp_port, server.smtp_encryption)
        detail = diagnosis.detail
        reason = _(
            "%(hint)s\nThe server closed the connection while this e-mail was being sent: %(detail)s",
            hint=server._cobranca_hint_message(diagnosis),
            detail=detail,
        )
        _logger.info("Mail %s failed: the SMTP server hung up (%s)", self.id, detail)
        self.write({"state": "exception", "failure_type": "mail_smtp", "failure_reason": reason})
        self._postprocess_sent_message(success_pids=[], failure_reason=reason, failure_type="mail_smtp")
