"""Registry of the bank layouts, and the calls that need one: ``issue`` and ``read``."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ..febraban import Boleto, InvalidBoleto, build, parse
from ..layout import BankLayout, NossoNumero, Wallet
from .banco_do_brasil import BancoDoBrasil
from .bradesco import Bradesco
from .caixa import Caixa
from .itau import Itau
from .santander import Santander
from .sicoob import Sicoob
from .sicredi import Sicredi

LAYOUTS: dict[str, BankLayout] = {
    layout.bank_code: layout
    for layout in (BancoDoBrasil(), Santander(), Caixa(), Bradesco(), Itau(), Sicredi(), Sicoob())
}


class UnsupportedBank(ValueError):
    """No layout is known for ``bank_code``."""

    def __init__(self, bank_code: object):
        supported = ", ".join(f"{code} {layout.name}" for code, layout in sorted(LAYOUTS.items()))
        super().__init__(f"bank {bank_code!r} is not supported; supported banks: {supported}")
        self.bank_code = bank_code


def get_layout(bank_code: str | int) -> BankLayout:
    """Return the layout of a bank, by its 3-digit code ("341") or number (341)."""
    key = f"{bank_code:03d}" if isinstance(bank_code, int) and not isinstance(bank_code, bool) else bank_code
    try:
        return LAYOUTS[key]
    except (KeyError, TypeError):
        raise UnsupportedBank(bank_code) from None


def issue(
    bank_code: str | int,
    wallet: Wallet,
    sequence: int,
    due_date: date | None,
    amount: Decimal,
    *,
    issue_date: date | None = None,
    installment: int = 1,
) -> tuple[Boleto, NossoNumero]:
    """Make boleto number ``sequence`` of ``wallet``: check the wallet, then build nosso número and barcode.

    ``issue_date`` (default today) only matters to Sicredi, whose nosso número carries the year;
    ``installment`` only to Sicoob's parcela.
    """
    layout = get_layout(bank_code)
    layout.validate_wallet(wallet)
    nosso = layout.nosso_numero(wallet, sequence, issue_date=issue_date)
    free = layout.free_field(wallet, sequence, amount=amount, issue_date=issue_date, installment=installment)
    boleto = build(layout.bank_code, due_date, amount, free)
    if boleto.amount > layout.max_amount:
        raise InvalidBoleto("amount", f"{layout.name} accepts at most {layout.max_amount}, got {boleto.amount}")
    return boleto, nosso


def read(code: str, *, wallet: Wallet | None = None, reference_date: date | None = None) -> tuple[Boleto, dict]:
    """Parse a barcode or linha digitável of a supported bank and read its free field back.

    Checks the bank's own check digits too; raises UnsupportedBank for other banks (``parse``
    alone reads any bank's boleto). ``wallet`` only disambiguates Banco do Brasil's convênio.
    """
    boleto = parse(code, reference_date)
    return boleto, get_layout(boleto.bank_code).parse_free_field(boleto.free_field, wallet)
