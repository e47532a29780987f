"""What every bank layout shares: the billing wallet, the nosso número and the layout interface.

A bank's free field (barcode positions 20 to 44) and nosso número are its own; each module under
``banks/`` implements ``BankLayout`` for one bank, following that bank's manual.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .febraban import MAX_AMOUNT, InvalidBoleto


@dataclass(frozen=True)
class Wallet:
    """A beneficiary's billing wallet (carteira de cobrança) as the bank set it up.

    Values are strings of digits as the bank wrote them; agency, account and codes shorter than
    the bank's width are padded with zeros on the left (Banco do Brasil's convênio is not: its
    length selects the layout). Check-digit fields are optional; when filled they must be right.
    """

    agency: str = ""
    agency_dv: str = ""
    account: str = ""
    account_dv: str = ""
    carteira: str = ""
    convenio: str = ""  # convênio, código do beneficiário, código do cedente or código do cliente
    convenio_dv: str = ""
    posto: str = ""  # Sicredi: posto of the cooperative
    modalidade: str = ""  # Sicoob: modalidade of the carteira (default "01")
    byte_idt: str = ""  # Sicredi: nosso número generation byte 2-9 (default "2")
    free_nosso_numero: bool = False  # Banco do Brasil: 6-digit convênio with a free 17-digit nosso número


@dataclass(frozen=True)
class NossoNumero:
    """The beneficiary's number for one boleto: digits without DV, the DV ('' if none), as printed."""

    number: str
    check_digit: str
    formatted: str


class InvalidWallet(ValueError):
    """A wallet field does not fit the bank's layout.

    ``field`` is the Wallet attribute, ``reason`` a short key ("missing", "digits", "length",
    "check digit", "unsupported", "reserved") and ``expected`` what would be accepted.
    """

    def __init__(self, field: str, reason: str, expected: object, detail: str):
        super().__init__(f"{field}: {detail}")
        self.field = field
        self.reason = reason
        self.expected = expected


def wallet_digits(wallet: Wallet, field: str, width: int, *, required: bool = True) -> str:
    """Return a wallet field left-padded with zeros to ``width``, or '' when optional and empty."""
    value = getattr(wallet, field)
    if value is None or value is False:  # Odoo reads empty fields as False
        value = ""
    if not isinstance(value, str):
        raise InvalidWallet(field, "digits", width, f"expected a string of digits, got {value!r}")
    if not value:
        if required:
            raise InvalidWallet(field, "missing", width, f"is required ({width} digits)")
        return ""
    if not (value.isascii() and value.isdigit()):
        raise InvalidWallet(field, "digits", width, f"must contain digits only, got {value!r}")
    if len(value) > width:
        raise InvalidWallet(field, "length", width, f"has {len(value)} digits, at most {width} allowed")
    return value.zfill(width)


def check_wallet_dv(wallet: Wallet, field: str, expected: str, *, also: tuple[str, ...] = ()) -> None:
    """Refuse a typed check digit (``field``) that is neither ``expected`` nor one of ``also``."""
    typed = getattr(wallet, field)
    if typed and str(typed).upper() not in (expected, *also):
        accepted = " or ".join((expected, *also))
        raise InvalidWallet(field, "check digit", accepted, f"check digit is {typed}, expected {accepted}")


def choose(wallet: Wallet, field: str, allowed: dict[str, str] | set[str]) -> str:
    """Return the wallet value if it is one of ``allowed`` (mapped when ``allowed`` is a dict)."""
    value = getattr(wallet, field)
    if value not in allowed:
        options = ", ".join(sorted(allowed))
        if not value:
            raise InvalidWallet(field, "missing", sorted(allowed), f"is required, one of {options}")
        raise InvalidWallet(field, "unsupported", sorted(allowed), f"{value!r} is not one of {options}")
    return allowed[value] if isinstance(allowed, dict) else value


def with_dv(number: str, dv: str) -> str:
    """``number-dv``, or ``number`` alone when the bank (or the user) gave no check digit."""
    return f"{number}-{dv}" if dv else number


def free_field_digits(free_field: str) -> str:
    """Return ``free_field`` if it is 25 digits, else raise InvalidBoleto(part="free field")."""
    if not isinstance(free_field, str) or len(free_field) != 25 or not (free_field.isascii() and free_field.isdigit()):
        raise InvalidBoleto("free field", f"expected 25 digits, got {free_field!r}")
    return free_field


def free_field_check(ok: bool, detail: str) -> None:
    """Raise InvalidBoleto(part="free field") with ``detail`` unless ``ok``."""
    if not ok:
        raise InvalidBoleto("free field", detail)


class BankLayout:
    """One bank's nosso número and free field. Subclasses set the class attributes and implement
    ``_fields`` (validate a wallet, return its padded values), ``nosso_numero``, ``free_field``
    and ``parse_free_field``.
    """

    bank_code: str = ""
    bank_code_dv: str = ""  # the bank's own check digit, printed after its code ("341-7")
    name: str = ""
    nosso_numero_sequence_min: int = 1
    max_amount: Decimal = MAX_AMOUNT

    def _fields(self, wallet: Wallet) -> dict[str, str]:
        raise NotImplementedError

    def beneficiary_code(self, wallet: Wallet) -> str:
        """The "Agência / Código do beneficiário" box as this bank prints it (default: agency-DV/account-DV)."""
        return f"{with_dv(wallet.agency, wallet.agency_dv)}/{with_dv(wallet.account, wallet.account_dv)}"

    def validate_wallet(self, wallet: Wallet) -> None:
        """Raise InvalidWallet naming the first wallet field that does not fit this bank."""
        if not isinstance(wallet, Wallet):
            raise TypeError(f"expected a Wallet, got {type(wallet).__name__}")
        self._fields(wallet)

    def nosso_numero_sequence_max(self, wallet: Wallet) -> int:
        """Return the largest sequence that fits this wallet's nosso número."""
        raise NotImplementedError

    def nosso_numero(self, wallet: Wallet, sequence: int, *, issue_date: date | None = None) -> NossoNumero:
        """Return the nosso número of boleto number ``sequence`` of this wallet."""
        raise NotImplementedError

    def free_field(
        self,
        wallet: Wallet,
        sequence: int,
        *,
        amount: Decimal | None = None,
        issue_date: date | None = None,
        installment: int = 1,
    ) -> str:
        """Return the 25-digit free field (barcode positions 20-44) of boleto ``sequence``.

        ``amount``, ``issue_date`` (default today) and ``installment`` matter only to the banks
        that put them in the free field or the nosso número (Sicredi, Sicoob).
        """
        raise NotImplementedError

    def parse_free_field(self, free_field: str, wallet: Wallet | None = None) -> dict[str, str]:
        """Read a free field back into its parts, checking the check digits it carries."""
        raise NotImplementedError

    def _sequence(self, wallet: Wallet, sequence: int) -> int:
        highest = self.nosso_numero_sequence_max(wallet)
        if isinstance(sequence, bool) or not isinstance(sequence, int):
            raise InvalidBoleto("nosso número", f"sequence must be an integer, got {sequence!r}")
        if not self.nosso_numero_sequence_min <= sequence <= highest:
            raise InvalidBoleto(
                "nosso número",
                f"sequence {sequence} is outside {self.nosso_numero_sequence_min}-{highest} for {self.name}",
            )
        return sequence
