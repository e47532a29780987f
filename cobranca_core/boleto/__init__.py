"""FEBRABAN boletos: build, parse and check barcodes and linhas digitáveis, per-bank nosso número.

``febraban`` holds the rules common to all banks; ``banks`` one module per bank for the free field
and the nosso número; ``layout`` the wallet and the interface the bank modules implement.
"""

from .banks import LAYOUTS, UnsupportedBank, get_layout, issue, read
from .febraban import (
    Boleto,
    InvalidBoleto,
    amount_in_cents,
    barcode_to_digitable_line,
    build,
    digitable_line_to_barcode,
    due_date_factor,
    factor_to_date,
    format_digitable_line,
    general_check_digit,
    modulo10,
    modulo11,
    parse,
)
from .layout import BankLayout, InvalidWallet, NossoNumero, Wallet

__all__ = [
    "LAYOUTS",
    "BankLayout",
    "Boleto",
    "InvalidBoleto",
    "InvalidWallet",
    "NossoNumero",
    "UnsupportedBank",
    "Wallet",
    "amount_in_cents",
    "barcode_to_digitable_line",
    "build",
    "digitable_line_to_barcode",
    "due_date_factor",
    "factor_to_date",
    "format_digitable_line",
    "general_check_digit",
    "get_layout",
    "issue",
    "modulo10",
    "modulo11",
    "parse",
    "read",
]
