"""Remessa file names: the bank's rule where its manual has one, a unique neutral name otherwise.

Every name carries the wallet's file sequence (the NSA, never repeated), so two files of the same
day never share a name:

- Bradesco (CNAB 240 manual 4008.524.0339 p. 5; CNAB 400 manual 4008.524.0121 p. 7):
  ``CBDDMM??.REM``, ``??`` two letters or digits that tell the day's files apart, ``.TST`` for a
  test file. We write the sequence in base 36, so 1,296 files a day get different names.
- Sicredi (CNAB 240 manual, August 2019, item 5.5): ``CCCCCMDD.XXX``, the beneficiary code, the
  month as 1-9, O, N, D, the day, and a free extension that must not repeat during the day and
  should not be CRT (the retorno's); we use the sequence's last three digits.
- Caixa (CNAB 240 SIGCB manual MO 67118 v010, item 1.6): any name with the extension ``.rem``.
- Banco do Brasil, Santander, Itaú and Sicoob: the manuals in use set no rule; the neutral name
  ``CNAB240_BBB_AAAAMMDD_NNNNNN.REM`` names bank, date and sequence.
"""

from __future__ import annotations

from datetime import datetime

from .text import digits

BASE36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
SICREDI_MONTHS = "123456789OND"


def neutral(bank_code: str, size: int, sequence: int, when: datetime, extension: str = "REM") -> str:
    """A name for banks without a naming rule: layout, bank, date and file sequence."""
    return f"CNAB{size}_{bank_code}_{when:%Y%m%d}_{sequence:06d}.{extension}"


def bradesco(sequence: int, when: datetime, test: bool = False) -> str:
    """``CBDDMM??.REM`` (``.TST`` for tests), ``??`` the sequence modulo 1,296 in base 36."""
    variable = BASE36[sequence // 36 % 36] + BASE36[sequence % 36]
    return f"CB{when:%d%m}{variable}.{'TST' if test else 'REM'}"


def sicredi(beneficiary_code: str, sequence: int, when: datetime) -> str:
    """``CCCCCMDD.NNN``: beneficiary code, month code, day and the sequence's last three digits."""
    code = digits(beneficiary_code).zfill(5)[-5:]
    return f"{code}{SICREDI_MONTHS[when.month - 1]}{when:%d}.{sequence % 1000:03d}"


def caixa(beneficiary_code: str, sequence: int, when: datetime) -> str:
    """Caixa accepts any name with the extension ``.rem``."""
    return f"CNAB240_104_{digits(beneficiary_code).zfill(6)}_{when:%Y%m%d}_{sequence:06d}.rem"
