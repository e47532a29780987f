"""Read a retorno into typed entries, and check it against the boletos it should name.

``parse_retorno`` recognises the bank and the layout from the header and gives one
:class:`~cobranca_core.cnab.model.ReturnEntry` per title occurrence, with the bank's code and text
and what it means (:class:`~cobranca_core.cnab.model.Kind`). ``check_retorno`` reports, without
deciding anything, what the addon must look at: a file of another account or wallet, a nosso
número no boleto has, a payment that differs from the boleto's amount.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from .banks import LAYOUTS
from .fields import CnabParseError
from .model import Beneficiary, Kind, ReturnFile, ReturnIssue
from .remessa import detect_layout, split_lines
from .text import digits


def parse_retorno(content: str | bytes) -> ReturnFile:
    """The entries of a retorno of any supported bank, in CNAB 240 or 400."""
    lines = split_lines(content)
    if not lines:
        raise CnabParseError(1, "file", "the file is empty")
    layout = detect_layout(lines[0], returned=True)
    return layout.parse(split_lines(content, layout.size))


def _same(found: str, expected: str) -> bool:
    """Codes compared as numbers (zero padding differs between layouts); empty matches anything."""
    found, expected = digits(found), digits(expected)
    return not found or not expected or int(found) == int(expected)


def check_retorno(retorno: ReturnFile, beneficiary: Beneficiary, boletos: Mapping[str, Decimal]) -> list[ReturnIssue]:
    """What the addon must look at in ``retorno`` for the wallet of ``beneficiary``.

    ``boletos`` maps the nosso número of each boleto of the wallet (``NossoNumero.number``) to its
    amount. Issues: "account" (the file, or an entry's carteira, is not this beneficiary's),
    "unknown" (a nosso número no boleto has), "amount" (a payment differs from the boleto's
    amount; the message says whether the interest, fine and discounts the bank reports explain it).
    """
    issues: list[ReturnIssue] = []
    wallet = beneficiary.wallet
    layout = LAYOUTS.get((beneficiary.bank_code, retorno.layout))
    checks = (
        ("bank", retorno.bank_code, beneficiary.bank_code),
        ("company document", retorno.company_document, beneficiary.company_document),
        ("agency", retorno.agency, wallet.agency),
        ("account", retorno.account, wallet.account),
        ("beneficiary code", retorno.convenio, layout.expected_convenio(beneficiary) if layout else ""),
    )
    for label, found, expected in checks:
        if not _same(found, expected):
            message = f"the file's {label} is {found}, the wallet's is {digits(expected)}: a file of another account"
            issues.append(ReturnIssue("account", 1, "", message, expected, found))
    known = {number.lstrip("0"): amount for number, amount in boletos.items()}
    for entry in retorno.entries:
        if entry.carteira and wallet.carteira and not _same(entry.carteira, wallet.carteira):
            message = f"carteira {entry.carteira} is not the wallet's {wallet.carteira}"
            issues.append(
                ReturnIssue("account", entry.line, entry.nosso_numero, message, wallet.carteira, entry.carteira)
            )
        expected = known.get(entry.nosso_numero.lstrip("0"))
        if expected is None:
            message = f"no boleto has nosso número {entry.nosso_numero} ({entry.movement})"
            issues.append(ReturnIssue("unknown", entry.line, entry.nosso_numero, message))
            continue
        if entry.kind == Kind.PAID and entry.paid_amount != expected:
            explained = expected + entry.interest_fine - entry.discount - entry.rebate
            why = (
                "explained by the interest/fine and discounts the bank reports"
                if explained == entry.paid_amount
                else f"not explained by the interest/fine ({entry.interest_fine}) and discounts "
                f"({entry.discount + entry.rebate}) the bank reports"
            )
            message = f"paid {entry.paid_amount}, the boleto is {expected}: {why}"
            issues.append(ReturnIssue("amount", entry.line, entry.nosso_numero, message, expected, entry.paid_amount))
    return issues
