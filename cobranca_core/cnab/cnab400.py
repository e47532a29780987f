"""The CNAB 400 file: a header (0), detail records (1 and the bank's optional ones), a trailer (9).

CNAB 400 is not a FEBRABAN standard: each bank defines its records (cnab.md, section 1), and each
bank module declares them. What they share is the frame: 400 positions a line, the record type in
position 1, and the line's sequence number in 395-400 (the header is 000001, each line the one
before plus one). This module writes and reads that frame; the bank module fills the values.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from .fields import CnabParseError
from .layout import CnabLayout
from .model import Beneficiary, Remessa, RemittedTitle, ReturnEntry, ReturnFile, Title


class Cnab400(CnabLayout):
    """A CNAB 400 layout. Subclasses declare ``records`` (header, detail, trailer, return_header,
    return_detail, and the optional ones) and the hooks below."""

    size = 400

    def header_values(self, beneficiary: Beneficiary, sequence: int, when: datetime) -> dict:
        raise NotImplementedError

    def title_values(self, beneficiary: Beneficiary, title: Title, when: datetime) -> dict:
        raise NotImplementedError

    def details(self, title: Title) -> list[str]:
        """The records written for ``title`` (names in ``records``), "detail" first."""
        return ["detail"]

    def write(self, beneficiary: Beneficiary, titles: list[Title], sequence: int, when: datetime) -> list[str]:
        lines = [self.records["header"].render({**self.header_values(beneficiary, sequence, when), "line_number": 1})]
        for title in titles:
            values = self.title_values(beneficiary, title, when)
            for name in self.details(title):
                lines.append(self.records[name].render({**values, "line_number": len(lines) + 1}, title.reference))
        lines.append(self.records["trailer"].render({"line_number": len(lines) + 1}))
        return lines

    # -- reading ----------------------------------------------------------------------------------

    def remitted(self, number: int, values: dict) -> RemittedTitle:
        """A RemittedTitle from the detail values of a remessa (see ``read``)."""
        raise NotImplementedError

    def extra(self, title: RemittedTitle, record_type: str, line: str, number: int) -> RemittedTitle:
        """Fold an optional record of a remessa (the fine, the Pix key) into the title before it."""
        return title

    def read(self, lines: list[str]) -> Remessa:
        """A remessa of this layout read back into its titles (the inverse of ``write``)."""
        header = self.records["header"].parse(lines[0], 1)
        titles: list[RemittedTitle] = []
        company_doc = header.get("company_doc", "")
        for number, line in enumerate(lines[1:], start=2):
            if line[0] == "1":
                values = self.records["detail"].parse(line, number)
                # Where the header has no inscription (Itaú), each detail carries the company's.
                company_doc = company_doc or values.get("company_doc", "")
                titles.append(self.remitted(number, values))
            elif line[0] != "9" and titles:
                titles[-1] = self.extra(titles[-1], line[0], line, number)
        return Remessa(
            bank_code=self.bank_code,
            layout=400,
            sequence=int(header.get("sequence") or 0),
            generated_on=header["file_date"],
            company_document=company_doc.lstrip("0"),
            titles=tuple(titles),
        )

    def entry(self, number: int, values: dict) -> ReturnEntry:
        raise NotImplementedError

    def return_extra(self, entry: ReturnEntry, record_type: str, line: str, number: int) -> ReturnEntry:
        """Fold an optional record of a retorno into the entry before it (default: ignore it)."""
        return entry

    def return_file(self, header: dict, details: list[dict], entries: list[ReturnEntry], problems: list[str]):
        """The ReturnFile of the parsed header and details (``details``: the detail values, in order)."""
        raise NotImplementedError

    def parse(self, lines: list[str]) -> ReturnFile:
        """A retorno of this layout: one entry per detail record (type 1)."""
        header = self.records["return_header"].parse(lines[0], 1)
        entries: list[ReturnEntry] = []
        details: list[dict] = []
        problems: list[str] = []
        for number, line in enumerate(lines, start=1):
            sequence = line[394:400]
            if not sequence.isdigit() or int(sequence) != number:
                problems.append(f"line {number}: its sequence number is {sequence!r}, expected {number:06d}")
            if number == 1:
                continue
            if line[0] == "1":
                details.append(self.records["return_detail"].parse(line, number))
                entries.append(self.entry(number, details[-1]))
            elif line[0] == "9":
                continue
            elif entries:
                entries[-1] = self.return_extra(entries[-1], line[0], line, number)
            else:
                raise CnabParseError(number, "record type", f"record {line[0]!r} before any detail")
        return self.return_file(header, details, entries, problems)

    def movement_of(self, code: str) -> str:
        return {value: key for key, value in self.movement_codes.items() if value}.get(code, "")


ZERO = Decimal("0.00")
