"""Write a remessa (plain values in, a file out) and read one back.

``write_remessa`` checks everything first (the beneficiary, the sequence, each title), so a file
is either complete and valid for its layout or not written at all: the first problem raises
:class:`~cobranca_core.cnab.fields.InvalidCnab` naming the boleto and the field. The file has CRLF
line ends, also after the last line (Sicredi's manual item 5.6, Bradesco's "delimitadores de
registro no final de cada registro (0D0A)"), and only ASCII characters.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from .banks import LAYOUTS, get_layout
from .fields import CnabParseError, InvalidCnab
from .layout import WALLET, CnabLayout
from .model import Beneficiary, Movement, Remessa, RemessaFile, Title


def write_remessa(
    beneficiary: Beneficiary, titles: list[Title], sequence: int, when: datetime | None = None
) -> RemessaFile:
    """The remessa of ``titles`` for ``beneficiary``, file number ``sequence`` (never repeated per wallet).

    ``when`` (default now) dates the file and names it. Raises InvalidCnab on the first value the
    bank would refuse.
    """
    when = when or datetime.now()
    layout = get_layout(beneficiary.bank_code, beneficiary.layout)
    layout.check_beneficiary(beneficiary)
    layout.check_sequence(sequence)
    titles = list(titles)
    if not titles:
        raise InvalidCnab(WALLET, "titles", "missing", "a remessa needs at least one title")
    seen: dict[str, str] = {}
    for title in titles:
        layout.check_title(title)
        key = title.nosso_numero.number
        if key in seen:
            detail = f"nosso número {title.nosso_numero.formatted} is also in {seen[key]}; one line per title and file"
            raise InvalidCnab(title.reference, "nosso_numero", "duplicated", detail)
        seen[key] = title.reference
    lines = layout.write(beneficiary, titles, sequence, when)
    assert all(len(line) == layout.size for line in lines)
    entries = [title for title in titles if title.movement == Movement.ENTRY]
    return RemessaFile(
        name=layout.file_name(beneficiary, sequence, when),
        content="".join(line + "\r\n" for line in lines),
        bank_code=layout.bank_code,
        layout=layout.size,
        sequence=sequence,
        titles=len(titles),
        total=sum((title.amount for title in entries), start=Decimal("0.00")),
    )


def split_lines(content: str | bytes, size: int | None = None) -> list[str]:
    """The lines of a CNAB file: CRLF or LF, an end-of-file byte (1A) ignored, blank lines dropped.

    Lines shorter than ``size`` are padded with blanks (some channels trim trailing blanks);
    longer lines are refused.
    """
    if isinstance(content, bytes):
        content = content.decode("latin-1")  # the banks' "ANSI"
    lines = [line.rstrip("\r\x1a") for line in content.replace("\x1a", "").split("\n")]
    lines = [line for line in lines if line.strip()]
    if size:
        for number, line in enumerate(lines, start=1):
            if len(line) > size:
                raise CnabParseError(number, "line", f"has {len(line)} characters, a CNAB {size} line has {size}")
        lines = [line.ljust(size) for line in lines]
    return lines


def detect_layout(first_line: str, returned: bool) -> CnabLayout:
    """The layout of a file by its header: CNAB 400 starts "01REMESSA"/"02RETORNO", CNAB 240 has
    record type 0 at position 8 and 1 (remessa) or 2 (retorno) at 143."""
    literal = "02RETORNO" if returned else "01REMESSA"
    if first_line.startswith(literal):
        bank, size = first_line[76:79], 400
    elif first_line[7:8] == "0" and first_line[142:143] == ("2" if returned else "1"):
        bank, size = first_line[:3], 240
    else:
        kind = "retorno" if returned else "remessa"
        raise CnabParseError(1, "header", f"not the header of a CNAB 240 or 400 {kind}: {first_line[:20]!r}")
    if (bank, size) not in LAYOUTS:
        raise CnabParseError(1, "bank_code", f"no CNAB {size} layout for bank {bank!r}")
    return LAYOUTS[bank, size]


def read_remessa(content: str | bytes) -> Remessa:
    """Read a remessa back into its titles (what the bank will register), e.g. to check a file."""
    lines = split_lines(content)
    if not lines:
        raise CnabParseError(1, "file", "the file is empty")
    layout = detect_layout(lines[0], returned=False)
    return layout.read(split_lines(content, layout.size))
