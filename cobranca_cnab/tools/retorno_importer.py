"""Import a retorno: each of the bank's occurrences applied to its boleto, or reported.

Transaction model: :meth:`RetornoImporter.import_file` runs in the caller's transaction and

1. reads the file with the core (``parse_retorno``, either layout) and finds its wallet: the one
   given (the wallet's button), else the only wallet of the user's companies with the file's bank
   account. A file that is not a retorno, or not of that account, is *refused*: recorded with the
   reason, nothing applied;
2. locks the wallet's row (NOWAIT: one import or remessa of a wallet at a time) and recognises a
   file imported before by its SHA-256: nothing is done the second time. The file's record is
   inserted first: the unique index of retornos by wallet and checksum refuses a twin that another
   transaction is importing at the same moment;
3. locks the rows of the boletos the file names, so that a concurrent import of another file that
   pays the same boleto fails and is retried, and then finds it paid (never two payments);
4. applies each line in its own savepoint: a line that fails is rolled back alone and reported,
   the others go on. What each line did (or why not) is kept on the line and summed up in the
   file's summary.

Payments: a liquidação becomes an Odoo payment (``account.payment``) in the wallet's bank journal on
the credit date, for the amount the bank credits, reconciled with the installment; the interest and
fine received, the bank's fee and the discount granted are write-off lines of that payment, on the
accounts of the wallet's CNAB tab. A reconciled installment leaves the dunning run at once.
"""

import hashlib
import logging
from dataclasses import dataclass, replace
from decimal import Decimal

import psycopg2.errors
from markupsafe import Markup

from odoo import fields
from odoo.exceptions import UserError, ValidationError
from odoo.tools import mute_logger
from odoo.tools.misc import formatLang

from cobranca_core.cnab import CnabParseError, Kind, Movement, check_retorno, get_layout, parse_retorno

from .cnab_values import beneficiary, decimal

_logger = logging.getLogger(__name__)

APPLIED, RECORDED, NOT_APPLIED = "applied", "recorded", "not_applied"


@dataclass
class ImportResult:
    """What an import did: its file record (the earlier import's when ``already``)."""

    file: object
    already: bool = False
    message: str = ""

    @property
    def refused(self):
        return self.file.state == "refused"


class RetornoImporter:
    """Imports retornos as the user of ``env``, into ``wallet`` when given (else the file's own)."""

    def __init__(self, env, wallet=None):
        self.env = env
        self.wallet = wallet

    # The file

    def import_file(self, name, content):
        """Import the retorno ``content`` (bytes) named ``name``: an :class:`ImportResult`."""
        _ = self.env._
        content = bytes(content or b"")
        checksum = hashlib.sha256(content).hexdigest()
        try:
            retorno = parse_retorno(content)
        except (CnabParseError, UnicodeDecodeError) as error:
            reason = _("This is not a CNAB retorno of a supported bank and layout: %s", error)
            return self._refuse(name, content, checksum, self.wallet, reason)
        wallet = self.wallet
        if not wallet:
            wallet, reason = self._find_wallet(retorno)
            if not wallet:
                return self._refuse(name, content, checksum, None, reason)
        wallet = wallet.sudo().with_company(wallet.company_id)
        wallet._cnab_lock()
        File = self.env["cobranca.cnab.file"].sudo()
        earlier = File.search(
            [
                ("kind", "=", "retorno"),
                ("wallet_id", "=", wallet.id),
                ("checksum", "=", checksum),
                ("state", "!=", "refused"),
            ],
            limit=1,
        )
        if earlier:
            return ImportResult(earlier, True, self._already_message(earlier))
        ben = beneficiary(wallet)
        issues = check_retorno(replace(retorno, entries=()), ben, {})
        if issues:
            reasons = "; ".join(
                _(
                    "the file has %(found)s where the wallet has %(expected)s",
                    found=issue.found,
                    expected=issue.expected,
                )
                for issue in issues
            )
            reason = _(
                "The file is not of billing wallet %(wallet)s's bank account: %(reasons)s.",
                wallet=wallet.display_name,
                reasons=reasons,
            )
            return self._refuse(name, content, checksum, wallet, reason)
        layout = get_layout(retorno.bank_code, retorno.layout)
        try:
            with mute_logger("odoo.sql_db"), self.env.cr.savepoint():
                file = self.env["cobranca.cnab.file"]._create_file(
                    {
                        "name": name,
                        "kind": "retorno",
                        "wallet_id": wallet.id,
                        "company_id": wallet.company_id.id,
                        "state": "imported",
                        "checksum": checksum,
                        "bank_sequence": retorno.sequence,
                        "file_date": retorno.generated_on,
                        "layout": layout.name,
                    },
                    content,
                )
                file.flush_recordset()
        except psycopg2.errors.UniqueViolation:
            return ImportResult(
                File.browse(), True, _("This retorno is being imported by someone else right now: nothing done.")
            )
        FileImport(wallet, file, retorno).run()
        return ImportResult(file)

    def _already_message(self, earlier):
        return self.env._(
            "%(file)s was imported already, on %(date)s: nothing changed.",
            file=earlier.name,
            date=fields.Datetime.context_timestamp(earlier, earlier.date).strftime("%Y-%m-%d %H:%M"),
        )

    def _refuse(self, name, content, checksum, wallet, reason):
        company = wallet.company_id if wallet else self.env.company
        file = self.env["cobranca.cnab.file"]._create_file(
            {
                "name": name or "retorno",
                "kind": "retorno",
                "wallet_id": wallet.id if wallet else False,
                "company_id": company.id,
                "state": "refused",
                "checksum": checksum,
                "summary": Markup("<p>%s</p><p>%s</p>") % (self.env._("Refused: nothing was applied."), reason),
            },
            content,
        )
        return ImportResult(file, message=reason)

    def _find_wallet(self, retorno):
        """The wallet of the user's companies whose bank account the file is of: (wallet, '') or
        (None, why not)."""
        _ = self.env._
        wallets = self.env["cobranca.wallet"].search([("cnab_layout", "!=", False)])
        header = replace(retorno, entries=())
        matching = wallets.filtered(
            lambda wallet: wallet.bank_code == retorno.bank_code and not check_retorno(header, beneficiary(wallet), {})
        )
        if len(matching) > 1:
            numbers = [entry.nosso_numero.lstrip("0") for entry in retorno.entries]
            counts = {wallet: len(self._boleto_ids(wallet, numbers)) for wallet in matching}
            best = max(counts.values())
            matching = matching.filtered(lambda wallet: counts[wallet] == best)
        if len(matching) == 1:
            return matching, ""
        if matching:
            return None, _(
                "Billing wallets %(wallets)s all have this file's bank account: import it from the wallet's Import "
                "Retorno button.",
                wallets=", ".join(matching.mapped("display_name")),
            )
        return None, _(
            "No billing wallet of your companies with a CNAB layout has this file's bank account (bank %(bank)s, "
            "agency %(agency)s, account %(account)s).",
            bank=retorno.bank_code,
            agency=retorno.agency,
            account=retorno.account,
        )

    def _boleto_ids(self, wallet, numbers):
        self.env["cobranca.boleto"].flush_model(["wallet_id", "nosso_numero"])
        self.env.cr.execute(
            "SELECT id FROM cobranca_boleto WHERE wallet_id = %s AND ltrim(nosso_numero, '0') = ANY(%s)",
            [wallet.id, list(numbers)],
        )
        return [row[0] for row in self.env.cr.fetchall()]


class FileImport:
    """The lines of one retorno applied to the boletos of its wallet (superuser, the user's uid)."""

    def __init__(self, wallet, file, retorno):
        self.env = wallet.env
        self.wallet = wallet
        self.file = file
        self.retorno = retorno
        self.currency = wallet.company_id.currency_id
        self.to_release = self.env["account.move"]

    def run(self):
        boletos = self._lock_boletos()
        amounts = {number: decimal(boleto.amount, self.currency) for number, boleto in boletos.items()}
        issues = {}
        for issue in check_retorno(self.retorno, beneficiary(self.wallet), amounts):
            issues.setdefault(issue.line, []).append(issue)
        lines = []
        for entry in self.retorno.entries:
            boleto = boletos.get(entry.nosso_numero.lstrip("0"))
            lines.append(self._line(entry, boleto, issues.get(entry.line, [])))
        self.file.write({"line_ids": [(0, 0, values) for values in lines]})
        if self.to_release:
            self.to_release._cnab_release_boleto_emails()
        self._summarize(lines)

    def _lock_boletos(self):
        """``{nosso número without leading zeros: boleto}`` of the file's lines, their rows locked."""
        numbers = list({entry.nosso_numero.lstrip("0") for entry in self.retorno.entries})
        Boleto = self.env["cobranca.boleto"]
        if not numbers:
            return {}
        Boleto.flush_model()
        self.env.cr.execute(
            """SELECT id FROM cobranca_boleto
                WHERE wallet_id = %s AND ltrim(nosso_numero, '0') = ANY(%s)
                ORDER BY id FOR NO KEY UPDATE""",
            [self.wallet.id, numbers],
        )
        found = Boleto.browse([row[0] for row in self.env.cr.fetchall()])
        # The last issued wins where a number repeats (it never does within a wallet's sequence).
        return {boleto.nosso_numero.lstrip("0"): boleto for boleto in found.sorted("id")}

    def _line(self, entry, boleto, issues):
        values = {
            "boleto_id": boleto.id if boleto else False,
            "line_number": entry.line,
            "nosso_numero": boleto.nosso_numero_formatted if boleto else entry.nosso_numero,
            "code": entry.movement.code,
            "description": entry.movement.text,
            "occurrence_kind": entry.kind,
            "reasons": "\n".join(str(reason) for reason in entry.reasons) or False,
            "amount": float(entry.face_amount),
            "paid_amount": float(entry.paid_amount),
            "credited_amount": float(entry.credited_amount),
            "interest_fine": float(entry.interest_fine),
            "discount": float(entry.discount + entry.rebate),
            "fee": float(entry.fee),
            "occurrence_date": entry.occurrence_date,
            "credit_date": entry.credit_date,
        }
        try:
            with self.env.cr.savepoint():
                result, message, payment = self._apply(entry, boleto, issues)
        except (UserError, ValidationError) as error:
            self.env.invalidate_all()
            result, message, payment = NOT_APPLIED, self.env._("Not applied: %s", error), None
        except Exception as error:  # one line's fault stays that line's: the others are applied
            self.env.invalidate_all()
            _logger.warning("Retorno %s, line %s failed", self.file.name, entry.line, exc_info=True)
            result, message, payment = NOT_APPLIED, self.env._("Not applied, unforeseen error: %s", error), None
        values.update(result=result, message=message, payment_id=payment.id if payment else False)
        return values

    def _money(self, amount):
        return formatLang(self.env, float(amount), currency_obj=self.currency)

    # One line

    def _apply(self, entry, boleto, issues):
        """(result, message, payment or None) of one line, applied to ``boleto``."""
        _ = self.env._
        for issue in issues:
            if issue.kind == "account":
                message = _(
                    "Not applied: the line's carteira is %(found)s, the wallet's is %(expected)s.",
                    found=issue.found,
                    expected=issue.expected,
                )
                return NOT_APPLIED, message, None
        if not boleto:
            message = _(
                "Not applied: no boleto of billing wallet %(wallet)s has nosso número %(number)s.",
                wallet=self.wallet.display_name,
                number=entry.nosso_numero,
            )
            return NOT_APPLIED, message, None
        handler = {
            Kind.REGISTERED: self._registered,
            Kind.REJECTED: self._rejected,
            Kind.PAID: self._paid,
            Kind.WRITTEN_OFF: self._written_off,
            Kind.INSTRUCTION_REJECTED: self._instruction_rejected,
            Kind.REVERSED: self._reversed,
            Kind.FEE: self._fee,
        }.get(entry.kind)
        if handler:
            return handler(entry, boleto)
        return RECORDED, _("Recorded."), None

    def _reasons(self, entry):
        return "; ".join(str(reason) for reason in entry.reasons) or str(entry.movement)

    def _registered(self, entry, boleto):
        if boleto.cnab_state not in (False, "to_register", "sent", "rejected"):
            return RECORDED, self.env._("Already %s: nothing changed.", self._state_label(boleto)), None
        boleto.write({"cnab_state": "registered", "cnab_reason": False})
        self.to_release |= boleto.move_id
        return APPLIED, self.env._("Registered."), None

    def _rejected(self, entry, boleto):
        _ = self.env._
        if boleto.cnab_state in ("registered", "paid", "written_off"):
            message = _(
                "The bank refused an entry of a boleto it holds already (%s): nothing changed.", self._reasons(entry)
            )
            return RECORDED, message, None
        reason = self._reasons(entry)
        values = {"cnab_state": "rejected", "cnab_reason": reason}
        if boleto.cnab_movement == Movement.WRITE_OFF:
            values["cnab_movement"] = False  # the bank never held it: nothing to write off
        boleto.write(values)
        move = boleto.move_id
        if boleto.state == "active" and move.cobranca_mail_state in ("pending", "waiting"):
            move._cobranca_boleto_email_failed(
                _(
                    "Boleto %(boleto)s was rejected by the bank: %(reason)s",
                    boleto=boleto.nosso_numero_formatted,
                    reason=reason,
                )
            )
        return APPLIED, _("Rejected: %s", reason), None

    def _written_off(self, entry, boleto):
        if boleto.cnab_state == "paid":
            return RECORDED, self.env._("Already paid: nothing changed."), None
        values = {"cnab_state": "written_off"}
        if boleto.cnab_movement == Movement.WRITE_OFF:
            values["cnab_movement"] = False
        boleto.write(values)
        return APPLIED, self.env._("Written off."), None

    def _instruction_rejected(self, entry, boleto):
        reason = self._reasons(entry)
        boleto.write({"cnab_reason": reason})
        return RECORDED, self.env._("The bank refused an instruction: %s", reason), None

    def _reversed(self, entry, boleto):
        message = self.env._(
            "Not applied: the bank reversed a payment of this boleto (%(reason)s); cancel its payment %(payment)s by "
            "hand.",
            reason=self._reasons(entry),
            payment=boleto.cnab_payment_id.name or "-",
        )
        return NOT_APPLIED, message, None

    def _fee(self, entry, boleto):
        message = self.env._(
            "Bank fee of %s: recorded, not booked (book it with the bank statement).", self._money(entry.fee)
        )
        return RECORDED, message, None

    def _state_label(self, boleto):
        return dict(boleto._fields["cnab_state"]._description_selection(self.env)).get(boleto.cnab_state, "")

    def _paid(self, entry, boleto):
        """A liquidação: a payment for what the bank credits, reconciled with the installment, with the
        interest/fine, fee and discount on the wallet's accounts; or why not."""
        _ = self.env._
        if boleto.cnab_payment_id:
            return RECORDED, _("Already paid by %s: nothing changed.", boleto.cnab_payment_id.name), None
        face = decimal(boleto.amount, self.currency)
        discount = entry.discount + entry.rebate
        if entry.paid_amount != face + entry.interest_fine - discount:
            message = _(
                "Not applied: the bank reports %(paid)s paid for a boleto of %(amount)s, which the interest and fine "
                "(%(interest)s) and discounts (%(discount)s) it reports do not explain. Register the payment by hand.",
                paid=self._money(entry.paid_amount),
                amount=self._money(face),
                interest=self._money(entry.interest_fine),
                discount=self._money(discount),
            )
            return NOT_APPLIED, message, None
        credited = entry.credited_amount or entry.paid_amount - entry.fee
        if credited + entry.fee != entry.paid_amount:
            message = _(
                "Not applied: the bank credits %(credited)s of %(paid)s paid with a fee of %(fee)s: the amounts do not "
                "add up. Register the payment by hand.",
                credited=self._money(credited),
                paid=self._money(entry.paid_amount),
                fee=self._money(entry.fee),
            )
            return NOT_APPLIED, message, None
        installment = boleto.move_line_id
        if not installment or installment.reconciled or installment.parent_state != "posted":
            message = _(
                "Not applied: the installment of boleto %(boleto)s is paid already or its invoice is not posted; "
                "register the bank's credit of %(credited)s by hand.",
                boleto=boleto.nosso_numero_formatted,
                credited=self._money(credited),
            )
            return NOT_APPLIED, message, None
        if self.currency.compare_amounts(installment.amount_residual, float(face)):
            message = _(
                "Not applied: the installment's open amount is %(residual)s, the boleto's %(amount)s; register the "
                "payment by hand.",
                residual=self._money(installment.amount_residual),
                amount=self._money(face),
            )
            return NOT_APPLIED, message, None
        payment = self._payment(entry, boleto, installment, credited, discount)
        boleto.write({"cnab_state": "paid", "cnab_payment_id": payment.id})
        message = _(
            "Paid: payment %(payment)s of %(credited)s on %(date)s (paid %(paid)s, interest and fine %(interest)s, "
            "fee %(fee)s).",
            payment=payment.name,
            credited=self._money(credited),
            date=payment.date.strftime("%d/%m/%Y"),
            paid=self._money(entry.paid_amount),
            interest=self._money(entry.interest_fine),
            fee=self._money(entry.fee),
        )
        return APPLIED, message, payment

    def _payment(self, entry, boleto, installment, credited, discount):
        _ = self.env._
        wallet = self.wallet
        journal = wallet.cnab_journal_id
        if not journal:
            raise UserError(_("set the Bank Journal on the CNAB tab of billing wallet %s.", wallet.display_name))
        partner = boleto.move_id.commercial_partner_id
        write_offs = []
        for amount, account, label, sign in (
            (entry.interest_fine, wallet.cnab_interest_account_id, _("Interest and fine received"), -1),
            (entry.fee, wallet.cnab_fee_account_id, _("Bank fee"), 1),
            (discount, wallet.cnab_discount_account_id, _("Discount granted"), 1),
        ):
            if not amount:
                continue
            if not account:
                raise UserError(
                    _(
                        "%(what)s of %(amount)s: set its account on the CNAB tab of billing wallet %(wallet)s.",
                        what=label,
                        amount=self._money(amount),
                        wallet=wallet.display_name,
                    )
                )
            balance = sign * float(amount)
            write_offs.append(
                {
                    "name": f"{label} - {boleto.nosso_numero_formatted}",
                    "account_id": account.id,
                    "partner_id": partner.id,
                    "currency_id": self.currency.id,
                    "amount_currency": balance,
                    "balance": balance,
                }
            )
        payment = self.env["account.payment"].create(
            {
                "payment_type": "inbound",
                "partner_type": "customer",
                "partner_id": partner.id,
                "amount": float(credited),
                "currency_id": self.currency.id,
                "date": entry.credit_date or entry.occurrence_date or fields.Date.context_today(wallet),
                "journal_id": journal.id,
                "company_id": wallet.company_id.id,
                "destination_account_id": installment.account_id.id,
                "memo": _(
                    "Boleto %(boleto)s - %(invoice)s", boleto=boleto.nosso_numero_formatted, invoice=boleto.move_id.name
                ),
                "write_off_line_vals": write_offs,
            }
        )
        payment.action_post()
        counterpart = payment.move_id.line_ids.filtered(
            lambda line: line.account_id == installment.account_id and not line.reconciled
        )
        (counterpart + installment).reconcile()
        if not installment.reconciled:
            raise UserError(
                _("the payment did not settle the installment of boleto %s.", boleto.nosso_numero_formatted)
            )
        return payment

    # The summary

    def _summarize(self, lines):
        _ = self.env._
        count = {
            result: sum(1 for line in lines if line["result"] == result) for result in (APPLIED, RECORDED, NOT_APPLIED)
        }
        by_kind = {}
        for line in lines:
            if line["result"] == APPLIED:
                by_kind[line["occurrence_kind"]] = by_kind.get(line["occurrence_kind"], 0) + 1
        paid_total = sum(
            Decimal(str(line["credited_amount"])) for line in lines if line["result"] == APPLIED and line["payment_id"]
        )
        items = [
            (_("Registered"), by_kind.get(Kind.REGISTERED, 0)),
            (_("Rejected"), by_kind.get(Kind.REJECTED, 0)),
            (_("Paid"), by_kind.get(Kind.PAID, 0)),
            (_("Written off"), by_kind.get(Kind.WRITTEN_OFF, 0)),
            (_("Recorded only"), count[RECORDED]),
            (_("Not applied"), count[NOT_APPLIED]),
        ]
        summary = Markup("<p>%s</p>") % _(
            "%(lines)s line(s) of %(layout)s, file number %(number)s of %(date)s; payments: %(total)s.",
            lines=len(lines),
            layout=self.file.layout,
            number=self.retorno.sequence or "-",
            date=self.retorno.generated_on.strftime("%d/%m/%Y") if self.retorno.generated_on else "-",
            total=self._money(paid_total),
        )
        summary += Markup("<ul>%s</ul>") % Markup("").join(
            Markup("<li>%s: %s</li>") % (label, number) for label, number in items
        )
        problems = [
            _(
                "Line %(line)s, nosso número %(number)s: %(message)s",
                line=line["line_number"],
                number=line["nosso_numero"],
                message=line["message"],
            )
            for line in lines
            if line["result"] == NOT_APPLIED
        ] + list(self.retorno.problems)
        if problems:
            summary += Markup("<p>%s</p><ul>%s</ul>") % (
                _("Needs attention:"),
                Markup("").join(Markup("<li>%s</li>") % problem for problem in problems),
            )
        self.file.write(
            {"summary": summary, "state": "attention" if problems else "imported", "amount_total": float(paid_total)}
        )
