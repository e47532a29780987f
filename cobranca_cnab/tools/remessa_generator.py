"""Generate a wallet's remessa: the boletos waiting for the bank, in one CNAB file.

Transaction model: :meth:`RemessaGenerator.generate` runs in the caller's transaction (the button's
request, the scheduled action's savepoint, the command line's cursor) and

1. locks the wallet's row (NOWAIT: a second generation or import at the same time is told the wallet
   is busy) and then the rows of the boletos it sends, so a boleto cancelled meanwhile makes one of
   the two transactions fail and be retried rather than send a stale instruction;
2. checks each title alone with the core (``write_remessa`` of that title), so that a boleto with a
   value the bank would refuse is left out with a message naming it and the field, and the others go;
3. takes the file number (never given again, also when the transaction is rolled back later: the
   unique index of files by wallet and number refuses a repeat) and writes the file with the rest;
4. records the file, its lines, and on each boleto the file it went in and its new state.

Nothing is written when the wallet's own codes are wrong: the whole wallet fails with a UserError.
"""

from dataclasses import dataclass, field

from markupsafe import Markup

from odoo.exceptions import UserError
from odoo.tools.misc import formatLang

from cobranca_core.cnab import InvalidCnab, Movement, get_layout, read_remessa, write_remessa

from .cnab_values import beneficiary, invalid_message, title


@dataclass
class RemessaResult:
    """What a generation did: the file (an empty recordset when none) and the boletos it left out
    ({boleto: why})."""

    file: object
    left_out: dict = field(default_factory=dict)


class RemessaGenerator:
    """The remessa of one billing wallet (``cobranca.wallet``, as superuser: callers check access)."""

    def __init__(self, wallet):
        wallet.ensure_one()
        self.wallet = wallet
        self.env = wallet.env

    def generate(self, boletos=None):
        """A remessa of ``boletos`` (default: every boleto of the wallet with an instruction waiting)."""
        wallet = self.wallet
        Boleto = self.env["cobranca.boleto"].sudo()
        wallet._cnab_lock()
        layout, ben = self._layout()
        candidates = Boleto.browse(boletos.ids) if boletos is not None else wallet._cnab_boletos_to_send()
        candidates = self._lock(candidates)
        titles, by_reference, left_out = [], {}, {}
        when = wallet._cnab_now()
        for boleto in candidates:
            try:
                item = title(boleto, layout, boleto.cnab_movement)
                write_remessa(ben, [item], 1, when)  # this title alone: what the bank would refuse of it
            except InvalidCnab as error:
                left_out[boleto] = invalid_message(self.env, error, wallet, {str(boleto.id): boleto})
                continue
            titles.append(item)
            by_reference[item.reference] = boleto
        for boleto, message in left_out.items():
            boleto.write({"cnab_error": message})
        if not titles:
            return RemessaResult(self.env["cobranca.cnab.file"], left_out)
        sequence = wallet._cnab_take_sequence(layout.max_sequence)
        try:
            remessa = write_remessa(ben, titles, sequence, when)
        except InvalidCnab as error:  # checked title by title above: only a file-level refusal is left
            raise UserError(invalid_message(self.env, error, wallet, by_reference)) from None
        file = self._record(remessa, titles, by_reference, left_out)
        sent = Boleto.browse([boleto.id for boleto in by_reference.values()])
        entries = sent.filtered(lambda boleto: boleto.cnab_movement == Movement.ENTRY)
        entries.write({"cnab_state": "sent"})
        sent.write({"cnab_movement": False, "cnab_file_id": file.id, "cnab_error": False})
        if wallet.cnab_require_registration and wallet.cnab_release_on == "sent":
            entries.move_id._cnab_release_boleto_emails()
        return RemessaResult(file, left_out)

    def _layout(self):
        wallet = self.wallet
        try:
            layout = get_layout(wallet.bank_code or "", int(wallet.cnab_layout or 0))
            ben = beneficiary(wallet)
            layout.check_beneficiary(ben)
        except InvalidCnab as error:
            raise UserError(invalid_message(self.env, error, wallet)) from None
        return layout, ben

    def _lock(self, boletos):
        """Lock the boletos' rows, then keep those of this wallet still waiting for an instruction."""
        if not boletos:
            return boletos
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT id FROM cobranca_boleto WHERE id IN %s ORDER BY id FOR NO KEY UPDATE", [tuple(boletos.ids)]
        )
        boletos.invalidate_recordset()
        return boletos.filtered(lambda boleto: boleto.wallet_id == self.wallet and boleto.cnab_movement).sorted("id")

    def _record(self, remessa, titles, by_reference, left_out):
        """The CNAB file record of ``remessa`` with one line per title, numbered as the file has them."""
        wallet = self.wallet
        env = self.env
        lines_read = {item.nosso_numero.lstrip("0"): item.line for item in read_remessa(remessa.content).titles}
        currency = wallet.company_id.currency_id
        lines = []
        for item in titles:
            boleto = by_reference[item.reference]
            lines.append(
                {
                    "boleto_id": boleto.id,
                    "line_number": lines_read.get(item.nosso_numero.number.lstrip("0"), 0),
                    "nosso_numero": boleto.nosso_numero_formatted,
                    "movement": item.movement,
                    "amount": boleto.amount,
                    "result": "applied",
                }
            )
        summary = Markup("<p>%s</p>") % env._(
            "%(count)s boleto(s): %(entries)s entr(ies) for %(total)s, %(write_offs)s write-off request(s).",
            count=len(titles),
            entries=sum(1 for item in titles if item.movement == Movement.ENTRY),
            total=formatLang(env, float(remessa.total), currency_obj=currency),
            write_offs=sum(1 for item in titles if item.movement == Movement.WRITE_OFF),
        )
        if left_out:
            summary += Markup("<p>%s</p><ul>%s</ul>") % (
                env._("Left out, to be sent once corrected:"),
                Markup("").join(Markup("<li>%s</li>") % message for message in left_out.values()),
            )
        return env["cobranca.cnab.file"]._create_file(
            {
                "name": remessa.name,
                "kind": "remessa",
                "wallet_id": wallet.id,
                "company_id": wallet.company_id.id,
                "state": "generated",
                "sequence": remessa.sequence,
                "file_date": wallet._cnab_now().date(),
                "layout": get_layout(remessa.bank_code, remessa.layout).name,
                "amount_total": float(remessa.total),
                "summary": summary,
                "line_ids": [(0, 0, values) for values in lines],
            },
            remessa.data,
        )
