"""FEBRABAN boleto de cobrança: barcode, linha digitável, due-date factor and check digits.

The rules are the ones every bank manual repeats, e.g. Banco do Brasil, "Especificações Técnicas para
Confecção de Boleto de Cobrança do Banco do Brasil" (January 2016), items 2.3.2 to 2.3.4 and Anexos IV
to VI, and FEBRABAN's "Manual Operacional do Fator de Vencimento da Cobrança Bancária" (v01, 2012)
for the factor that restarted at 1000 on 2025-02-22.

Barcode (44 digits)::

    bank(3) currency(1) DV(1) factor(4) amount in cents(10) free field(25)

Linha digitável (47 digits), printed ``AAABC.CCCCX DDDDD.DDDDDY EEEEE.EEEEEZ K UUUUVVVVVVVVVV``::

    campo 1 = bank + currency + free[0:5] + mod10   campo 2 = free[5:15] + mod10
    campo 3 = free[15:25] + mod10                    campo 4 = DV   campo 5 = factor + amount

Decoding a factor needs a reference date, because factors repeat every 9000 days. The factor is read
as the one date in ``[reference - 3000 days, reference + 5999 days]`` (FEBRABAN's 3000 days of
"vencidos" and 5500 "a vencer", plus its 500-day safety range counted on the future side), and
never before 2000-07-03 (factor 1000 of the first cycle). The reference defaults to today.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

BASE_DATE = date(1997, 10, 7)
FIRST_FACTOR_DATE = date(2000, 7, 3)  # factor 1000
FACTOR_CYCLE_DAYS = 9000
PAST_WINDOW_DAYS = 3000
FUTURE_WINDOW_DAYS = FACTOR_CYCLE_DAYS - PAST_WINDOW_DAYS - 1
MAX_AMOUNT = Decimal("99999999.99")
CENT = Decimal("0.01")

_SEPARATORS = re.compile(r"[.\s-]+")


class InvalidBoleto(ValueError):
    """A boleto, or a value meant for one, breaks a FEBRABAN or bank rule.

    ``part`` is a short machine key naming what failed ("length", "characters", "campo 1",
    "campo 2", "campo 3", "DV geral", "currency", "arrecadação", "amount", "due date", "bank",
    "free field", "nosso número", "installment"); the message starts with it.
    """

    def __init__(self, part: str, detail: str):
        super().__init__(f"{part}: {detail}")
        self.part = part
        self.detail = detail


def _require_digits(value: str, part: str, length: int | None = None) -> str:
    if not isinstance(value, str) or not value.isascii() or not value.isdigit():
        raise InvalidBoleto(part, f"expected digits, got {value!r}")
    if length is not None and len(value) != length:
        raise InvalidBoleto(part, f"expected {length} digits, got {len(value)}")
    return value


def modulo10(digits: str) -> int:
    """Return the FEBRABAN modulo 10 check digit of ``digits``.

    Weights 2, 1, 2, 1... from the right; products above 9 count as the sum of their digits;
    the check digit is ``(10 - sum % 10) % 10``.
    """
    _require_digits(digits, "digits")
    total = 0
    for position, char in enumerate(reversed(digits)):
        product = int(char) * (2 if position % 2 == 0 else 1)
        total += product - 9 if product > 9 else product
    return (10 - total % 10) % 10


def modulo11(digits: str, max_weight: int = 9) -> int:
    """Return the remainder (0-10) of ``digits`` weighted 2, 3 ... ``max_weight``, 2, 3 ... from the right.

    Banks agree on the weighted sum but not on how the remainder becomes a check digit, so each
    caller applies its own mapping (e.g. the barcode's DV is ``11 - remainder``, 0/10/11 becoming 1).
    """
    _require_digits(digits, "digits")
    span = max_weight - 1
    total = sum(int(char) * (2 + position % span) for position, char in enumerate(reversed(digits)))
    return total % 11


def general_check_digit(digits43: str) -> str:
    """Return the DV geral (barcode position 5) of the other 43 barcode digits."""
    _require_digits(digits43, "DV geral", 43)
    dv = 11 - modulo11(digits43)
    return "1" if dv in (0, 10, 11) else str(dv)


def due_date_factor(due_date: date) -> int:
    """Return the due-date factor (1000-9999) of ``due_date``.

    Counted in days from 1997-10-07; 2025-02-21 is 9999 and 2025-02-22 starts again at 1000, so
    factors repeat every 9000 days. Dates before 2000-07-03 (factor 1000) have no factor.
    """
    due_date = _as_date(due_date)
    if due_date < FIRST_FACTOR_DATE:
        raise InvalidBoleto("due date", f"{due_date.isoformat()} is before 2000-07-03, the first due-date factor")
    days = (due_date - BASE_DATE).days
    return (days - 1000) % FACTOR_CYCLE_DAYS + 1000


def factor_to_date(factor: int | str, reference_date: date | None = None) -> date | None:
    """Return the due date a factor stands for, or None for factor 0 (no due date).

    The factor is read as the one date within 3000 days before and 5999 days after
    ``reference_date`` (default: today), never before 2000-07-03.
    """
    if isinstance(factor, str):
        factor = int(_require_digits(factor, "due date", 4))
    if isinstance(factor, bool) or not isinstance(factor, int) or not (factor == 0 or 1000 <= factor <= 9999):
        raise InvalidBoleto("due date", f"factor must be 0 or 1000-9999, got {factor!r}")
    if factor == 0:
        return None
    reference = _as_date(reference_date or date.today())
    first_cycle = FIRST_FACTOR_DATE + timedelta(days=factor - 1000)
    behind = (reference - timedelta(days=PAST_WINDOW_DAYS) - first_cycle).days
    cycles = max(0, -(-behind // FACTOR_CYCLE_DAYS))
    return first_cycle + timedelta(days=cycles * FACTOR_CYCLE_DAYS)


def amount_in_cents(amount: Decimal | int) -> int:
    """Return ``amount`` (a Decimal or int, in reais) as whole cents.

    Floats are refused (binary fractions are not money) and so are fractions of a cent: rounding
    would make the boleto ask for a different amount than the invoice.
    """
    if isinstance(amount, bool) or not isinstance(amount, Decimal | int):
        raise InvalidBoleto("amount", f"must be a Decimal, got {type(amount).__name__} {amount!r}")
    amount = Decimal(amount)
    if not amount.is_finite():
        raise InvalidBoleto("amount", f"must be a finite number, got {amount}")
    if amount < 0:
        raise InvalidBoleto("amount", f"must not be negative, got {amount}")
    if amount > MAX_AMOUNT:
        raise InvalidBoleto("amount", f"{amount} is above 99999999.99, the most the 10-digit amount field holds")
    if amount != amount.quantize(CENT):
        raise InvalidBoleto("amount", f"{amount} has fractions of a cent")
    return int(amount * 100)


def _as_date(value: date) -> date:
    if isinstance(value, datetime):
        return value.date()
    if not isinstance(value, date):
        raise InvalidBoleto("due date", f"expected a date, got {type(value).__name__} {value!r}")
    return value


def barcode_to_digitable_line(barcode: str) -> str:
    """Return the 47-digit linha digitável of a 44-digit barcode (check digits computed, not checked)."""
    _require_digits(barcode, "length", 44)
    fields = (barcode[0:4] + barcode[19:24], barcode[24:34], barcode[34:44])
    return "".join(field + str(modulo10(field)) for field in fields) + barcode[4] + barcode[5:19]


def digitable_line_to_barcode(line: str) -> str:
    """Return the 44-digit barcode of a 47-digit linha digitável (campo check digits are dropped, not checked)."""
    _require_digits(line, "length", 47)
    return line[0:4] + line[32:47] + line[4:9] + line[10:20] + line[21:31]


def format_digitable_line(line: str) -> str:
    """Return a 47-digit linha digitável as printed: ``AAABC.CCCCX DDDDD.DDDDDY EEEEE.EEEEEZ K UUUUVVVVVVVVVV``."""
    _require_digits(line, "length", 47)
    return f"{line[0:5]}.{line[5:10]} {line[10:15]}.{line[15:21]} {line[21:26]}.{line[26:32]} {line[32]} {line[33:]}"


@dataclass(frozen=True)
class Boleto:
    """A checked boleto; make one with ``build`` or ``parse``, which keep the fields consistent."""

    bank_code: str
    due_date: date | None
    amount: Decimal
    free_field: str
    barcode: str
    digitable_line: str
    factor: int  # 0 when the boleto has no due-date factor

    @property
    def formatted_digitable_line(self) -> str:
        """The linha digitável with FEBRABAN's dots and spaces."""
        return format_digitable_line(self.digitable_line)

    @property
    def check_digit(self) -> str:
        """The DV geral, barcode position 5 and campo 4 of the linha digitável."""
        return self.barcode[4]

    def __str__(self) -> str:
        # Imported here because the bank layouts import this module; only the bank's name is wanted.
        from .banks import LAYOUTS  # noqa: PLC0415

        layout = LAYOUTS.get(self.bank_code)
        bank = f"{self.bank_code} {layout.name}" if layout else self.bank_code
        due = self.due_date.isoformat() if self.due_date else "none"
        reais = f"{self.amount:,.2f}".translate(str.maketrans(",.", ".,"))
        return f"Boleto bank {bank}, due date {due}, amount R$ {reais}\n{self.formatted_digitable_line}"


def build(bank_code: str, due_date: date | None, amount: Decimal | int, free_field: str) -> Boleto:
    """Assemble a boleto from its parts; ``due_date=None`` gives factor 0000 (no due date)."""
    _require_digits(bank_code, "bank", 3)
    if bank_code.startswith("8"):
        raise InvalidBoleto("bank", "bank codes never start with 8, which marks arrecadação/convênio slips")
    factor = 0 if due_date is None else due_date_factor(due_date)
    cents = amount_in_cents(amount)
    _require_digits(free_field, "free field", 25)
    body = f"{bank_code}9{factor:04d}{cents:010d}{free_field}"
    barcode = body[:4] + general_check_digit(body) + body[4:]
    return Boleto(
        bank_code=bank_code,
        due_date=None if due_date is None else _as_date(due_date),
        amount=Decimal(cents).scaleb(-2),
        free_field=free_field,
        barcode=barcode,
        digitable_line=barcode_to_digitable_line(barcode),
        factor=factor,
    )


def parse(code: str, reference_date: date | None = None) -> Boleto:
    """Read and check a barcode (44 digits) or linha digitável (47 digits).

    Dots, spaces and dashes are ignored. Every check digit is verified. The due date is decoded
    around ``reference_date`` (default today), see ``factor_to_date``.
    """
    if not isinstance(code, str):
        raise InvalidBoleto("characters", f"expected a string, got {type(code).__name__}")
    digits = _SEPARATORS.sub("", code)
    for position, char in enumerate(digits, start=1):
        if not ("0" <= char <= "9"):
            raise InvalidBoleto(
                "characters", f"{char!r} at position {position} is not a digit (only digits, dots, spaces, dashes)"
            )
    if digits.startswith("8"):
        raise InvalidBoleto(
            "arrecadação", "codes starting with 8 are arrecadação/convênio slips (utilities, taxes), not bank boletos"
        )
    if len(digits) == 47:
        barcode = _line_to_checked_barcode(digits)
    elif len(digits) == 44:
        barcode = digits
        _check_currency(barcode[3])
    else:
        raise InvalidBoleto("length", f"expected 44 digits (barcode) or 47 (linha digitável), got {len(digits)}")
    expected = general_check_digit(barcode[:4] + barcode[5:])
    if barcode[4] != expected:
        raise InvalidBoleto("DV geral", f"check digit is {barcode[4]}, expected {expected}")
    value = barcode[5:19]
    if value.startswith("0"):
        # No factor: FEBRABAN lets amounts above 99.999.999,99 spill over the factor's digits.
        factor, due_date, cents = 0, None, int(value)
    else:
        factor, cents = int(value[:4]), int(value[4:])
        due_date = factor_to_date(factor, reference_date)
    return Boleto(
        bank_code=barcode[:3],
        due_date=due_date,
        amount=Decimal(cents).scaleb(-2),
        free_field=barcode[19:],
        barcode=barcode,
        digitable_line=barcode_to_digitable_line(barcode),
        factor=factor,
    )


def _check_currency(currency: str) -> None:
    if currency != "9":
        raise InvalidBoleto("currency", f"currency code is {currency}, expected 9 (real)")


def _line_to_checked_barcode(line: str) -> str:
    _check_currency(line[3])
    for number, (start, end) in enumerate(((0, 9), (10, 20), (21, 31)), start=1):
        expected = modulo10(line[start:end])
        if line[end] != str(expected):
            raise InvalidBoleto(f"campo {number}", f"check digit is {line[end]}, expected {expected}")
    return digitable_line_to_barcode(line)
