import logging
from collections import defaultdict

from odoo import _, api, fields, models
from odoo.tools.mail import email_normalize, email_split_and_format
from odoo.tools.misc import clean_context

_logger = logging.getLogger(__name__)


class MailMail(models.Model):
    _inherit = "mail.mail"

    @api.model_create_multi
    def create(self, vals_list):
        self._cobranca_route_other_purposes(vals_list)
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

    def _delivery_settled(self, failure_reason, failure_type):
        # Before Odoo's post-processing, which may delete the mails the log points to.
        billing = self.filtered("cobranca_purpose")
        if billing:
            billing._cobranca_log_outcome(failure_reason, failure_type)
        return super()._delivery_settled(failure_reason, failure_type)

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
    @api.model
    def _cobranca_route_other_purposes(self, vals_list):
        """E-mails of the documents a purpose of seed 000 sends (``cobranca.mail.purpose.model``:
        contracts, sales orders, expense reports) leave through the server marked as the default for
        that purpose and the document's company, and are logged with that purpose. Mails that already
        have a server, or whose company has none for the purpose, keep Odoo's choice."""
        purposes = dict(self.env["cobranca.mail.purpose.model"]._purpose_of_models())
        message_ids = {
            vals["mail_message_id"]
            for vals in vals_list
            if vals.get("mail_message_id") and not vals.get("mail_server_id")
        }
        if not purposes or not message_ids:
            return
        Server = self.env["ir.mail_server"]
        routed, servers = {}, {}
        for message in self.env["mail.message"].sudo().browse(message_ids):
            purpose = purposes.get(message.model)
            if not purpose or not message.res_id or message.cobranca_purpose or message.mail_server_id:
                continue
            company = message.record_company_id
            if not company:
                record = self.env[message.model].sudo().browse(message.res_id)
                company = record.company_id if "company_id" in record._fields else self.env.company
            key = (purpose, company or self.env.company)
            if key not in servers:  # the documents of one company in a batch resolve once
                servers[key] = Server._cobranca_resolve(*key)
            server = servers[key]
            if server:
                message.cobranca_purpose = purpose
                routed[message.id] = server.id
        for vals in vals_list:
            server_id = routed.get(vals.get("mail_message_id"))
            if server_id and not vals.get("mail_server_id"):
                vals["mail_server_id"] = server_id

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
        """Sent or failed for good, with the reason the mail keeps (mail_outgoing_delivery puts what
        to do about a connection failure first)."""
        failure_types = dict(self._fields["failure_type"]._description_selection(self.env))
        logs = self._cobranca_logs()
        sent = logs.filtered(lambda log: log.mail_mail_id.state in ("sent", "received"))
        sent.write(
            {"state": "sent", "sent_date": fields.Datetime.now(), "failure_reason": False, "scheduled_date": False}
        )
        for log in logs - sent:
            mail = log.mail_mail_id
            reason = mail.failure_reason or failure_reason or failure_types.get(mail.failure_type or failure_type) or ""
            log.write({"state": "failed", "failure_reason": reason})

    # ------------------------------------------------------------------------------------------
    # queue: claims, company check, limits, hang-ups
    # ------------------------------------------------------------------------------------------

    def _delivery_claimed(self):
        # Billing mails are claimed and checked even through servers without sending limits.
        return super()._delivery_claimed() | self.filtered("cobranca_purpose")

    def _delivery_refuse(self, plan):
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
        return super(MailMail, self - refused)._delivery_refuse(plan)

    def _delivery_defer(self, deferred):
        result = super()._delivery_defer(deferred)
        by_date = defaultdict(list)
        for mail_id, until in deferred.items():
            by_date[until.replace(tzinfo=None)].append(mail_id)
        Log = self.env["cobranca.email.log"].sudo()
        for until, mail_ids in by_date.items():
            Log.search([("mail_mail_id", "in", mail_ids)]).write({"state": "deferred", "scheduled_date": until})
        return result
