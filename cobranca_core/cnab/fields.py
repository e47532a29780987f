"""One CNAB line: its fields by position, written from values and read back into them.

A ``Record`` lists its ``Field``s by the positions of the bank's layout table (1-based,
inclusive), and refuses at import any gap or overlap, so that every record is exactly as long as
its layout (240 or 400). Writing follows the FEBRABAN picture rules every manual repeats:

- ``NUM`` ``9(n)``: digits, right-aligned, zero-filled; an empty value is zeros.
- ``ALPHA`` ``X(n)``: :func:`~cobranca_core.cnab.text.cnab_text`, left-aligned, blank-filled.
- ``DATE``: DDMMAAAA in 8 positions, DDMMAA in 6; an absent date is zeros.
- ``VALUE`` ``9(n)V99``: an amount in cents, or a percentage with two decimals.

A value that does not fit is refused with :class:`InvalidCnab` naming the title and the field,
except in fields marked ``cut`` (names, addresses, messages), which the layouts allow to be cut.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from .text import cnab_text

NUM, ALPHA, DATE, VALUE = "num", "alpha", "date", "value"


class InvalidCnab(ValueError):
    """A value cannot be written into a CNAB field, or a title misses what the bank needs.

    ``reference`` names the title (the boleto) or "file"; ``field`` the field (``payer_name``,
    ``due_date``...); ``reason`` a short key ("missing", "too long", "invalid", "unsupported").
    """

    def __init__(self, reference: str, field: str, reason: str, detail: str):
        super().__init__(f"{reference}: {field}: {detail}")
        self.reference = reference
        self.field = field
        self.reason = reason
        self.detail = detail


class CnabParseError(ValueError):
    """A line of a CNAB file does not follow its layout; ``line`` is 1-based."""

    def __init__(self, line: int, field: str, detail: str):
        super().__init__(f"line {line}: {field}: {detail}")
        self.line = line
        self.field = field
        self.detail = detail


@dataclass(frozen=True)
class Field:
    """Positions ``start``-``end`` (1-based, inclusive) of a record; ``name`` '' is a filler."""

    start: int
    end: int
    name: str = ""
    kind: str = ALPHA
    default: object = None
    cut: bool = False  # an alphanumeric value longer than the field is cut instead of refused

    @property
    def width(self) -> int:
        return self.end - self.start + 1

    def render(self, value: object, reference: str) -> str:
        """Write ``value`` in this field's picture, or raise InvalidCnab."""
        if value is None or value == "":
            value = self.default
        writer = {NUM: self._num, ALPHA: self._alpha, DATE: self._date, VALUE: self._value}[self.kind]
        text = writer(value, reference)
        assert len(text) == self.width, (self, text)
        return text

    def parse(self, text: str, line: int) -> object:
        """Read this field from its ``text``: str for NUM and ALPHA, date or None, Decimal."""
        if self.kind == ALPHA:
            return text.strip()
        if self.kind == NUM:
            return text.strip()
        if not text.strip() or set(text) == {"0"}:
            return None if self.kind == DATE else Decimal("0.00")
        if not (text.isascii() and text.isdigit()):
            raise CnabParseError(line, self.name, f"expected digits at {self.start}-{self.end}, got {text!r}")
        if self.kind == VALUE:
            return Decimal(int(text)).scaleb(-2)
        try:
            if self.width == 8:
                return date(int(text[4:]), int(text[2:4]), int(text[:2]))
            return date(2000 + int(text[4:]), int(text[2:4]), int(text[:2]))
        except ValueError:
            raise CnabParseError(line, self.name, f"{text!r} is not a date (DDMMAAAA / DDMMAA)") from None

    def _fail(self, reference: str, reason: str, detail: str):
        raise InvalidCnab(reference, self.name or f"positions {self.start}-{self.end}", reason, detail)

    def _num(self, value: object, reference: str) -> str:
        if value is None:
            return "0" * self.width
        text = str(value)
        if isinstance(value, bool) or not (text.isascii() and text.isdigit()):
            self._fail(reference, "invalid", f"must contain digits only, got {value!r}")
        if len(text) > self.width:
            self._fail(reference, "too long", f"{text} has {len(text)} digits, at most {self.width} fit")
        return text.zfill(self.width)

    def _alpha(self, value: object, reference: str) -> str:
        text = cnab_text(value)
        if len(text) > self.width:
            if not self.cut:
                self._fail(reference, "too long", f"{text!r} has {len(text)} characters, at most {self.width} fit")
            text = text[: self.width].rstrip()
        return text.ljust(self.width)

    def _date(self, value: object, reference: str) -> str:
        if value is None:
            return "0" * self.width
        if isinstance(value, datetime):
            value = value.date()
        if not isinstance(value, date):
            self._fail(reference, "invalid", f"expected a date, got {value!r}")
        return value.strftime("%d%m%Y" if self.width == 8 else "%d%m%y")

    def _value(self, value: object, reference: str) -> str:
        if value is None:
            return "0" * self.width
        try:
            amount = value if isinstance(value, Decimal) else Decimal(str(value))
        except (InvalidOperation, ValueError):
            self._fail(reference, "invalid", f"expected an amount, got {value!r}")
        if isinstance(value, float | bool) or not amount.is_finite():
            self._fail(reference, "invalid", f"expected a Decimal amount, got {value!r}")
        if amount < 0:
            self._fail(reference, "invalid", f"must not be negative, got {amount}")
        if amount != amount.quantize(Decimal("0.01")):
            self._fail(reference, "invalid", f"{amount} has more than two decimals")
        cents = str(int(amount * 100))
        if len(cents) > self.width:
            self._fail(reference, "too long", f"{amount} does not fit {self.width} digits with two decimals")
        return cents.zfill(self.width)


def field(start: int, end: int, name: str = "", kind: str = ALPHA, default: object = None, *, cut: bool = False):
    """Shorthand for a ``Field``."""
    return Field(start, end, name, kind, default, cut)


def num(start: int, end: int, name: str = "", default: object = None) -> Field:
    return Field(start, end, name, NUM, default)


def alpha(start: int, end: int, name: str = "", default: object = None, *, cut: bool = False) -> Field:
    return Field(start, end, name, ALPHA, default, cut)


def when(start: int, end: int, name: str) -> Field:
    return Field(start, end, name, DATE)


def value(start: int, end: int, name: str) -> Field:
    return Field(start, end, name, VALUE)


class Record:
    """A CNAB record (line) type: its fields, which must cover positions 1 to ``size`` exactly once."""

    def __init__(self, name: str, size: int, fields: list[Field] | tuple[Field, ...]):
        self.name = name
        self.size = size
        self.fields = tuple(sorted(fields, key=lambda f: f.start))
        expected = 1
        for item in self.fields:
            if item.start != expected or item.end < item.start:
                raise ValueError(f"{name}: field {item.name or 'filler'} starts at {item.start}, expected {expected}")
            expected = item.end + 1
        if expected != size + 1:
            raise ValueError(f"{name}: fields end at {expected - 1}, expected {size}")
        self.by_name = {item.name: item for item in self.fields if item.name}

    def __repr__(self) -> str:
        return f"Record({self.name!r}, {self.size})"

    def replace(self, *fields: Field, name: str | None = None) -> Record:
        """A copy with ``fields`` in place of the fields they overlap (which they must cover exactly)."""
        kept = [old for old in self.fields if not any(old.start <= new.end and new.start <= old.end for new in fields)]
        return Record(name or self.name, self.size, [*kept, *fields])

    def with_defaults(self, **defaults: object) -> Record:
        """A copy where the named fields default to the given constants."""
        unknown = set(defaults) - set(self.by_name)
        if unknown:
            raise ValueError(f"{self.name}: no field {sorted(unknown)}")
        fields = [replace(item, default=defaults[item.name]) if item.name in defaults else item for item in self.fields]
        return Record(self.name, self.size, fields)

    def render(self, values: dict, reference: str = "file") -> str:
        """The line for ``values`` (names the record does not have are ignored)."""
        line = "".join(item.render(values.get(item.name) if item.name else None, reference) for item in self.fields)
        assert len(line) == self.size
        return line

    def parse(self, line: str, line_number: int = 0) -> dict:
        """The values of the named fields of ``line``."""
        if len(line) != self.size:
            raise CnabParseError(line_number, self.name, f"expected {self.size} characters, got {len(line)}")
        return {item.name: item.parse(line[item.start - 1 : item.end], line_number) for item in self.by_name.values()}
