"""What every bank's CNAB layout shares: the checks of titles and beneficiaries, and the code tables.

A layout (one bank, 240 or 400 positions) is a ``CnabLayout`` subclass: records (see
``fields.Record``), movement codes, retorno code tables and a few hooks. The checks below refuse,
before anything is written, what the bank would reject: a title without the payer's CPF/CNPJ or
address, an amount of zero, a discount without its date... each with a message naming the boleto
(``Title.reference``) and the field.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from ..boleto.banks import get_layout as get_boleto_layout
from ..boleto.layout import InvalidWallet
from .fields import InvalidCnab, Record
from .model import Beneficiary, Kind, Movement, Occurrence, Payer, Title
from .text import STATES, cnab_text, digits, document_kind

WALLET = "wallet"  # the reference of errors about the beneficiary rather than a title


class CnabLayout:
    """One bank's remessa and retorno in one layout (240 or 400 positions)."""

    bank_code = ""
    size = 240
    name = ""
    registers_pix = False  # a hybrid boleto's Pix key goes with the title
    # Movement -> the bank's remessa code; None where the bank has no such instruction.
    movement_codes: dict[str, str | None] = {}
    return_codes: dict[str, tuple[str, str]] = {}
    reason_tables: dict[str, dict[str, str]] = {}
    especies: dict[str, str] = {}
    max_sequence = 999_999
    records: dict[str, Record] = {}

    # -- remessa --------------------------------------------------------------------------------

    def write(self, beneficiary: Beneficiary, titles: list[Title], sequence: int, when: datetime) -> list[str]:
        """The lines of a remessa (without line ends)."""
        raise NotImplementedError

    def file_name(self, beneficiary: Beneficiary, sequence: int, when: datetime) -> str:
        """The remessa's file name by the bank's rule (see ``names``)."""
        raise NotImplementedError

    @property
    def document_number_width(self) -> int:
        """How many characters of ``Title.document_number`` (the seu número) this layout carries: a
        longer one is refused, so the caller chooses one that fits."""
        record = self.records.get("P") or self.records["detail"]
        return record.by_name["document_number"].width

    def check_beneficiary(self, beneficiary: Beneficiary) -> None:
        """Raise InvalidCnab (reference "wallet") when the beneficiary lacks what this layout needs."""
        if beneficiary.bank_code != self.bank_code:
            raise InvalidCnab(WALLET, "bank_code", "invalid", f"is {beneficiary.bank_code}, this layout is {self.name}")
        try:
            get_boleto_layout(self.bank_code).validate_wallet(beneficiary.wallet)
        except InvalidWallet as error:
            raise InvalidCnab(WALLET, error.field, error.reason, str(error)) from None
        if not document_kind(digits(beneficiary.company_document)):
            detail = f"{beneficiary.company_document!r} is not a valid CPF or CNPJ"
            raise InvalidCnab(WALLET, "company_document", "invalid", detail)
        if not cnab_text(beneficiary.company_name):
            raise InvalidCnab(WALLET, "company_name", "missing", "is required")

    def require_code(self, beneficiary: Beneficiary, name: str, width: int) -> str:
        """A code of ``beneficiary`` the bank requires: digits, at most ``width`` of them."""
        return self._required(getattr(beneficiary, name), name, width)

    def require_wallet(self, beneficiary: Beneficiary, name: str, width: int) -> str:
        """A wallet field this layout requires even where the boleto does not (e.g. the account)."""
        return self._required(getattr(beneficiary.wallet, name), name, width)

    def _required(self, code: object, name: str, width: int) -> str:
        if not code or not str(code).isdigit():
            raise InvalidCnab(WALLET, name, "missing", f"{self.name} needs it (digits, at most {width}), got {code!r}")
        if len(str(code)) > width:
            raise InvalidCnab(WALLET, name, "too long", f"has {len(str(code))} digits, at most {width} fit")
        return str(code)

    def expected_convenio(self, beneficiary: Beneficiary) -> str:
        """The code a retorno of this beneficiary carries as ``ReturnFile.convenio`` ('' where none)."""
        return ""

    def check_title(self, title: Title) -> None:
        """Raise InvalidCnab naming the title and the field the bank would refuse."""
        ref = title.reference or title.nosso_numero.formatted
        if title.movement not in Movement.ALL:
            raise InvalidCnab(ref, "movement", "invalid", f"{title.movement!r} is not one of {Movement.ALL}")
        if self.movement_codes.get(title.movement) is None:
            detail = f"{self.name} has no remessa instruction for {title.movement}; write it off and issue a new boleto"
            raise InvalidCnab(ref, "movement", "unsupported", detail)
        if not isinstance(title.due_date, date):
            raise InvalidCnab(ref, "due_date", "missing", "a registered boleto needs a due date")
        if not isinstance(title.amount, Decimal) or title.amount <= 0:
            raise InvalidCnab(ref, "amount", "invalid", f"must be a positive Decimal, got {title.amount!r}")
        if title.movement != Movement.ENTRY:
            return
        if not cnab_text(title.document_number):
            raise InvalidCnab(ref, "document_number", "missing", "the seu número (document number) is required")
        if title.issue_date and title.issue_date > title.due_date:
            raise InvalidCnab(
                ref, "issue_date", "invalid", f"{title.issue_date} is after the due date {title.due_date}"
            )
        if title.discount:
            if title.discount < 0 or title.discount >= title.amount:
                raise InvalidCnab(ref, "discount", "invalid", f"{title.discount} must be between 0 and the amount")
            if not title.discount_date or title.discount_date > title.due_date:
                raise InvalidCnab(ref, "discount_date", "invalid", "a discount needs a date on or before the due date")
        if not Decimal(0) <= Decimal(str(title.fine_percent)) < 100:
            raise InvalidCnab(
                ref, "fine_percent", "invalid", f"must be from 0 to less than 100, got {title.fine_percent}"
            )
        if title.especie not in self.especies:
            options = ", ".join(sorted(self.especies))
            raise InvalidCnab(
                ref, "especie", "unsupported", f"{title.especie!r} is not one of {self.name}'s: {options}"
            )
        if title.pix_key and not self.registers_pix:
            detail = f"{self.name}'s layout does not carry a Pix key; register the boleto without it"
            raise InvalidCnab(ref, "pix_key", "unsupported", detail)
        self.check_payer(ref, title.payer)

    def check_payer(self, ref: str, payer: Payer | None) -> None:
        """The payer data every bank needs to register a title (FEBRABAN rejections 45-48, 52)."""
        if payer is None:
            raise InvalidCnab(ref, "payer", "missing", "a new boleto needs its payer")
        if not document_kind(digits(payer.document)):
            detail = "is missing" if not digits(payer.document) else f"{payer.document!r} is not a valid CPF or CNPJ"
            raise InvalidCnab(ref, "payer_document", "missing" if not digits(payer.document) else "invalid", detail)
        for name, label in (("name", "payer_name"), ("address", "payer_address"), ("city", "payer_city")):
            if not cnab_text(getattr(payer, name)):
                raise InvalidCnab(ref, label, "missing", "is required to register the boleto")
        if len(digits(payer.zip_code)) != 8 or not digits(payer.zip_code).strip("0"):
            raise InvalidCnab(ref, "payer_zip_code", "invalid", f"a CEP has 8 digits, got {payer.zip_code!r}")
        if cnab_text(payer.state) not in STATES:
            raise InvalidCnab(ref, "payer_state", "invalid", f"{payer.state!r} is not a Brazilian state (UF)")

    def check_sequence(self, sequence: int) -> None:
        if isinstance(sequence, bool) or not isinstance(sequence, int) or not 1 <= sequence <= self.max_sequence:
            detail = f"the file sequence must be an integer from 1 to {self.max_sequence}, got {sequence!r}"
            raise InvalidCnab(WALLET, "sequence", "invalid", detail)

    # -- retorno --------------------------------------------------------------------------------

    def occurrence(self, code: str) -> tuple[Occurrence, str]:
        """The bank's text and the Kind of a retorno movement code (unknown codes are kept, as OTHER)."""
        text, kind = self.return_codes.get(code, (f"Código {code} não consta da tabela do banco", Kind.OTHER))
        return Occurrence(code, text), kind

    def reasons(self, movement: str, codes: str, width: int = 2) -> tuple[Occurrence, ...]:
        """The reasons of a retorno line: ``codes`` holds them ``width`` characters each, blanks/zeros for none."""
        table = self.reason_tables.get(movement, {})
        found = []
        for start in range(0, len(codes) - width + 1, width):
            code = codes[start : start + width]
            if code.strip() and set(code) != {"0"}:
                found.append(Occurrence(code, table.get(code, f"Motivo {code} não consta da tabela do banco")))
        return tuple(found)


def payer_values(payer: Payer | None) -> dict:
    """The payer fields of a remessa, from ``payer`` (empty when there is none)."""
    if payer is None:
        return {}
    document = digits(payer.document)
    zip_code = digits(payer.zip_code)
    return {
        "payer_doc_type": document_kind(document) or None,
        "payer_doc": document or None,
        "payer_name": payer.name,
        "payer_address": payer.address,
        "payer_district": payer.district,
        "payer_zip_code": zip_code or None,
        "payer_zip": zip_code[:5] or None,
        "payer_zip_suffix": zip_code[5:] or None,
        "payer_city": payer.city,
        "payer_state": payer.state,
    }
