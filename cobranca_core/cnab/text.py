"""What CNAB text fields accept, and the checks of the values that go into them.

Every manual in use repeats the FEBRABAN rule for alphanumeric fields (``X(n)``): upper case, no
accents, no ``Ç``, no special characters (Itaú "Cobrança FEBRABAN 240" item 2.2, Santander H7815
"Considerações Gerais" 03, Bradesco 4008.524.0121 "Conteúdo em Caixa Alta"). Sicredi lists the
characters it accepts (CNAB 240 manual, August 2019, item 5.7): letters, digits, space and
``! * - $ ( ) [ ] { } , . ; : / \\ # % & @ + =``. We keep the characters every bank accepts:
A-Z, 0-9, space and ``. , - / ( ) & : ;``; accents are dropped (``Ç`` becomes ``C``) and anything
else becomes a space.
"""

from __future__ import annotations

import re
import unicodedata

ALLOWED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,-/()&:;")

# The 27 federative units, as CNAB's UF fields and the Correios write them.
STATES = frozenset("AC AL AM AP BA CE DF ES GO MA MG MS MT PA PB PE PI PR RJ RN RO RR RS SC SE SP TO".split())

_SPACES = re.compile(r" +")


def cnab_text(value: object) -> str:
    """``value`` as an alphanumeric CNAB field accepts it: upper case, no accents, allowed characters only."""
    if value is None or value is False:  # Odoo reads empty fields as False
        return ""
    text = unicodedata.normalize("NFKD", str(value))
    text = "".join(char for char in text if not unicodedata.combining(char)).upper()
    text = "".join(char if char in ALLOWED else " " for char in text)
    return _SPACES.sub(" ", text).strip()


def digits(value: object) -> str:
    """The digits of ``value`` ("12.345-678" -> "12345678"); '' for empty values."""
    if value is None or value is False:
        return ""
    return "".join(char for char in str(value) if char.isascii() and char.isdigit())


def _cpf_ok(cpf: str) -> bool:
    if len(set(cpf)) == 1:
        return False
    for size in (9, 10):
        total = sum(int(d) * w for d, w in zip(cpf[:size], range(size + 1, 1, -1), strict=True))
        if str(total * 10 % 11 % 10) != cpf[size]:
            return False
    return True


def _cnpj_ok(cnpj: str) -> bool:
    if len(set(cnpj)) == 1:
        return False
    weights = (6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2)  # the first DV takes the last 12
    for size in (12, 13):
        total = sum(int(d) * w for d, w in zip(cnpj[:size], weights[-size:], strict=True))
        remainder = total % 11
        if str(0 if remainder < 2 else 11 - remainder) != cnpj[size]:
            return False
    return True


def document_kind(document: str) -> str:
    """The inscription type of ``document``: "1" a valid CPF (11 digits), "2" a valid CNPJ (14), else "".

    The codes are FEBRABAN's inscription types (G005: 1 = CPF, 2 = CNPJ); the check digits are the
    Receita Federal's modulo 11 rules. Alphanumeric CNPJs are not accepted: the numeric CNAB fields
    that carry inscriptions (``9(14)``, ``9(15)``) cannot hold letters.
    """
    if len(document) == 11 and document.isdigit() and _cpf_ok(document):
        return "1"
    if len(document) == 14 and document.isdigit() and _cnpj_ok(document):
        return "2"
    return ""
