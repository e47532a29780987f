import contextvars
import logging
import smtplib
from collections import defaultdict

import psycopg2
import psycopg2.errors
import psycopg2.extensions

from odoo import _, api, fields, models
from odoo.tools import format_datetime

from cobranca_core.mail_retry import classify, next_attempt

from ..tools.smtp_hints import explain
from .ir_mail_server import LAST_DELIVERY_ERROR

_logger = logging.getLogger(__name__)

# Namespace (first key) of the PostgreSQL advisory locks by which a worker claims the mails it is
# about to send: session locks survive the commit the queue makes after each mail, unlike row locks.
CLAIM_LOCK_NAMESPACE = 0x43424D4C  # "CBML"

# Mails passed to _postprocess_sent_message during the current send() of this thread: the one the
# server hung up on is the last mail touched that never got there.
_POSTPROCESSED = contextvars.ContextVar("mail_outgoing_delivery_postprocessed", default=None)


class MailMail(models.Model):
    """Odoo fails an e-mail for good at the first error. Here an e-mail the server refused for now (4xx,
    connection refused, timed out or lost) goes back to the queue, scheduled for a later attempt with
    its count and the server's answer, until its server's last attempt; a permanent failure (5xx)
    fails at once, with the server's words, as in Odoo."""

    _inherit = "mail.mail"

    delivery_attempts = fields.Integer(
        string="Failed attempts",
        readonly=True,
        copy=False,
        help="Attempts that failed for a reason that may pass (the server said to try later, or could not be "
        "reached). The e-mail is tried again at its scheduled date, up to its server's number of attempts.",
    )
    delivery_last_answer = fields.Char(string="Last answer", readonly=True, copy=False)

    def send(self, auto_commit=False, raise_exception=False, post_send_callback=None):
        """Odoo's sending, plus for mails of servers with sending limits (and those other modules
        claim, ``_delivery_claimed``):

        - each mail is claimed before sending (advisory lock + row lock, skipping mails another
          worker holds), so two queue runs never send the same mail;
        - ``_delivery_refuse`` may fail mails that must not leave (another module's rule);
        - mails over the per-minute, hourly or daily limit of their server stay outgoing, scheduled
          for the next window (deferred), in their original order;
        - a server hanging up in the middle of a message does not stop the batch: that message is
          tried once more through a new connection, then fails this attempt (a temporary failure:
          retried later), and the rest goes.
        """
        # An error of an earlier call (a connection test) is not these mails'.
        LAST_DELIVERY_ERROR.set(None)
        plan = self._delivery_sending_plan()
        if not plan:
            return super().send(
                auto_commit=auto_commit, raise_exception=raise_exception, post_send_callback=post_send_callback
            )
        in_scope = self.browse(list(plan))
        claimed = in_scope._delivery_claim(auto_commit)
        try:
            allowed = claimed._delivery_refuse(plan)
            allowed = allowed._delivery_apply_limits(plan, auto_commit)
            allowed_ids = set(allowed.ids)
            to_send = self.filtered(lambda mail: mail.id not in plan or mail.id in allowed_ids)
            return to_send._delivery_send_resilient(auto_commit, raise_exception, post_send_callback)
        finally:
            claimed._delivery_release()

    @api.model
    def search(self, domain, offset=0, limit=None, order=None):
        if order is None and self.env.context.get("mail_queue_fifo"):
            order = "id"
        return super().search(domain, offset=offset, limit=limit, order=order)

    @api.model
    def process_email_queue(self, ids=None, batch_size=1000):
        # Odoo picks the newest mails first (mail.mail is ordered by id desc): with more mails than
        # one batch, mails deferred by sending limits would wait behind newer ones. Oldest first.
        return super(MailMail, self.with_context(mail_queue_fifo=True)).process_email_queue(
            ids=ids, batch_size=batch_size
        )

    def _split_by_mail_configuration(self):
        """Odoo's batches (one connection each), cut to the messages per connection of their server."""
        servers = self.env["ir.mail_server"].sudo()
        for server_id, alias_domain_id, smtp_from, batch_ids in super()._split_by_mail_configuration():
            limit = servers.browse(server_id).limit_per_connection if server_id else 0
            if not limit:
                yield server_id, alias_domain_id, smtp_from, batch_ids
                continue
            chunk, messages = [], 0
            for mail in self.browse(batch_ids):
                count = mail._delivery_smtp_messages()
                if chunk and messages + count > limit:
                    yield server_id, alias_domain_id, smtp_from, chunk
                    chunk, messages = [], 0
                chunk.append(mail.id)
                messages += count
            if chunk:
                yield server_id, alias_domain_id, smtp_from, chunk

    def _delivery_smtp_messages(self):
        """How many SMTP messages this mail makes: Odoo sends one per recipient partner, and one for
        its plain addresses (To and CC together)."""
        self.ensure_one()
        return max(1, len(self.recipient_ids) + bool(self.email_to or self.email_cc))

    def mark_outgoing(self):
        # Retry by hand: the server's number of attempts starts again.
        self.write({"delivery_attempts": 0})
        return super().mark_outgoing()

    def _postprocess_sent_message(self, success_pids, failure_reason=False, failure_type=None):
        postprocessed = _POSTPROCESSED.get()
        if postprocessed is not None:
            postprocessed.update(self.ids)
        later = self._delivery_retry_later()
        settled = self - later
        if not settled:
            return True
        settled._delivery_settled(failure_reason, failure_type)
        return super(MailMail, settled)._postprocess_sent_message(
            success_pids, failure_reason=failure_reason, failure_type=failure_type
        )

    def _delivery_settled(self, failure_reason, failure_type):
        """Called with the mails of this send whose outcome is final (sent, or failed for good, its
        reason written), before Odoo's post-processing (which may delete them): other modules read
        the outcome here. Mails put back in the queue for a later attempt are not passed."""

    def _delivery_retry_later(self):
        """Put back in the queue, for a later attempt, the failed mails of this call whose error was
        temporary and whose server allows another attempt; returns them."""
        recorded = LAST_DELIVERY_ERROR.get()
        failed = self.filtered(lambda mail: mail.state == "exception")
        if not recorded or not failed:
            return self.browse()
        message_id, error, server_id = recorded
        concerned = failed if message_id is None else failed.filtered(lambda mail: mail.message_id == message_id)
        if not concerned:
            return self.browse()
        LAST_DELIVERY_ERROR.set(None)
        failure = classify(error)
        hint = False
        if message_id is None:
            # Could not connect: what to do about it comes first in the reason of a mail failed for good.
            server = self.env["ir.mail_server"].sudo().browse(server_id or [])
            hint = explain(self.env, server or concerned[:1].mail_server_id.sudo(), error)[0]
        if not failure.temporary:
            for mail in concerned:  # fails at once, as in Odoo
                reason = mail.failure_reason or failure.answer
                values = {"delivery_last_answer": failure.answer}
                if hint:
                    values["failure_reason"] = f"{hint}\n{reason}"
                mail.write(values)
            return self.browse()
        now = fields.Datetime.now()
        later = self.browse()
        for mail in concerned:
            server = mail.mail_server_id.sudo()
            policy = server._retry_policy()
            attempts = mail.delivery_attempts + 1
            when = next_attempt(policy, attempts, now)
            if when is None:
                mail.write(
                    {
                        "delivery_attempts": attempts,
                        "delivery_last_answer": failure.answer,
                        "failure_reason": "\n".join(
                            filter(
                                None,
                                [
                                    hint,
                                    _(
                                        "Not delivered after %(attempts)s attempts; the server's last answer: "
                                        "%(answer)s",
                                        attempts=attempts,
                                        answer=failure.answer,
                                    ),
                                ],
                            )
                        ),
                    }
                )
                continue
            mail.write(
                {
                    "state": "outgoing",
                    "scheduled_date": when,
                    "delivery_attempts": attempts,
                    "delivery_last_answer": failure.answer,
                    "failure_type": False,
                    "failure_reason": _(
                        "Temporary failure (attempt %(attempt)s of %(attempts)s), tried again on %(when)s: %(answer)s",
                        attempt=attempts,
                        attempts=policy.max_attempts,
                        when=format_datetime(self.env, when),
                        answer=failure.answer,
                    ),
                }
            )
            later |= mail
        if later:
            _logger.info("%s e-mail(s) to try again after a temporary failure: %s", len(later), failure.answer)
            self.env.ref("mail.ir_cron_mail_scheduler_action").sudo()._trigger(min(later.mapped("scheduled_date")))
        return later

    # ------------------------------------------------------------------------------------------
    # queue: claims, limits, hang-ups
    # ------------------------------------------------------------------------------------------

    def _delivery_sending_plan(self):
        """``{mail id: id of the server it will leave through (or False)}`` of the mails this module
        takes care of: mails of servers with sending limits, and those ``_delivery_claimed`` names.
        Empty when there is none, and then nothing changes for Odoo's other mails."""
        if not self:
            return {}
        limited = self.env["ir.mail_server"]._delivery_limited_server_ids()
        claimed = self._delivery_claimed()
        if not claimed and not limited:
            return {}
        billing_ids = set(claimed.ids)
        outgoing = self.filtered(lambda mail: mail.state == "outgoing")
        plan = {}
        for server_id, _alias_domain_id, _smtp_from, batch_ids in outgoing._split_by_mail_configuration():
            for mail_id in batch_ids:
                if server_id in limited or mail_id in billing_ids:
                    plan[mail_id] = server_id
        return plan

    def _delivery_claim(self, auto_commit):
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
            claimed = set(self._delivery_lock_rows(locked))
        except Exception:
            self.browse(locked)._delivery_release()
            raise
        self.browse([mail_id for mail_id in locked if mail_id not in claimed])._delivery_release()
        self.invalidate_recordset(["state", "scheduled_date"])
        return self.filtered(lambda mail: mail.id in claimed)

    def _delivery_lock_rows(self, mail_ids):
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

    def _delivery_release(self):
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

    def _delivery_claimed(self):
        """The mails of these that are claimed and planned even without sending limits (another
        module's mails that ``_delivery_refuse`` checks); none here."""
        return self.browse()

    def _delivery_refuse(self, plan):
        """The claimed mails that may leave, after failing those that must not (``plan``: mail id ->
        server id); all of them here."""
        return self

    def _delivery_apply_limits(self, plan, auto_commit):
        """Defer the mails over the sending limits of their server; returns the ones that may leave now."""
        limited = self.env["ir.mail_server"]._delivery_limited_server_ids()
        mail_ids_by_server = defaultdict(list)
        for mail in self.sorted("id"):
            if plan.get(mail.id) in limited:
                mail_ids_by_server[plan[mail.id]].append((mail.id, mail._delivery_smtp_messages()))
        if not mail_ids_by_server:
            return self
        cr = self.env.cr
        servers = self.env["ir.mail_server"].sudo().browse(list(mail_ids_by_server))
        deferred = None
        for _attempt in range(3):
            try:
                with cr.savepoint(flush=False):
                    deferred = servers._delivery_reserve_slots(mail_ids_by_server)
                break
            except psycopg2.errors.SerializationFailure:
                # Another worker updated the counters after this transaction began: with the queue's
                # own transactions, start a fresh one and try again; otherwise leave these mails to
                # the queue (they stay outgoing).
                if not auto_commit:
                    break
                cr.rollback()
        if deferred is None:
            skipped = {mail_id for pairs in mail_ids_by_server.values() for mail_id, _count in pairs}
            return self.filtered(lambda mail: mail.id not in skipped)
        if deferred:
            self._delivery_defer(deferred)
        if auto_commit:
            cr.commit()  # pylint: disable=invalid-commit
        return self.filtered(lambda mail: mail.id not in deferred)

    def _delivery_defer(self, deferred):
        """Keep the mails outgoing, scheduled for the end of the window that refused them."""
        by_date = defaultdict(list)
        for mail_id, until in deferred.items():
            by_date[until.replace(tzinfo=None)].append(mail_id)
        cron = self.env.ref("mail.ir_cron_mail_scheduler_action", raise_if_not_found=False)
        for until, mail_ids in by_date.items():
            mails = self.browse(mail_ids)
            mails.write({"scheduled_date": until})
            if cron:
                cron.sudo()._trigger(at=until)
        _logger.info("Deferred %s e-mail(s) over the sending limits of their mail server", len(deferred))

    def _delivery_send_resilient(self, auto_commit, raise_exception, post_send_callback):
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
                interrupted = self._delivery_interrupted(order, postprocessed)
                if interrupted.id in retried:
                    interrupted._delivery_fail_interrupted(error)
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

    def _delivery_interrupted(self, order, postprocessed):
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

    def _delivery_fail_interrupted(self, error):
        # Odoo's quit() on the dead session raises again: the first hang-up says more.
        while isinstance(error.__context__, smtplib.SMTPServerDisconnected):
            error = error.__context__
        reason = self._delivery_hang_up_reason(error)
        _logger.info("Mail %s failed: the SMTP server hung up (%s)", self.id, error)
        self.write({"state": "exception", "failure_type": "mail_smtp", "failure_reason": reason})
        self._postprocess_sent_message(success_pids=[], failure_reason=reason, failure_type="mail_smtp")

    def _delivery_hang_up_reason(self, error):
        """What the e-mail's failure says when the server hung up on it twice."""
        self.ensure_one()
        hint, diagnosis = explain(self.env, self.mail_server_id.sudo(), error)
        return _(
            "%(hint)s\nThe server closed the connection while this e-mail was being sent: %(detail)s",
            hint=hint,
            detail=diagnosis.detail,
        )
