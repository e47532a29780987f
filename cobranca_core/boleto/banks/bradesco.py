"""Bradesco (237).

Follows Bradesco's "Layout Cobrança" manual (4008.524.0121, Portuguese version): pages 17-18
(nosso número: 11 digits plus a DV by modulo 11 base 7 over carteira + nosso número; remainder 1
prints "P", remainder 0 prints "0") and 27-28 (free field: agency(4), carteira(2), nosso número(11),
account(7), "0").

The manual does not publish the agency and account check digits. We check them with the rule
used by brcobranca and by Moip's bank-account validator (agency: weights 5,4,3,2; account:
weights 2 to 7 from the right; DV = 11 - remainder, 10 -> "P", 11 -> "0"), which also matches
accounts published with their check digits. Like Moip we also accept "0" where "P" is computed:
refusing a real account would block the beneficiary, while a wrong DV here never reaches the
barcode (the free field carries agency and account without DVs).
"""

from __future__ import annotations

from ..febraban import modulo11
from ..layout import (
    BankLayout,
    NossoNumero,
    Wallet,
    check_wallet_dv,
    free_field_check,
    free_field_digits,
    wallet_digits,
)


def check_digit(number: str, max_weight: int) -> str:
    """11 - remainder of weights 2..max_weight from the right; remainder 1 -> "P", remainder 0 -> "0"."""
    remainder = modulo11(number, max_weight)
    return {0: "0", 1: "P"}.get(remainder, str(11 - remainder))


class Bradesco(BankLayout):
    bank_code = "237"
    bank_code_dv = "2"
    name = "Bradesco"

    def _fields(self, wallet: Wallet) -> dict[str, str]:
        fields = {
            "agency": wallet_digits(wallet, "agency", 4),
            "account": wallet_digits(wallet, "account", 7),
            "carteira": wallet_digits(wallet, "carteira", 2),
        }
        agency_dv, account_dv = check_digit(fields["agency"], 5), check_digit(fields["account"], 7)
        check_wallet_dv(wallet, "agency_dv", agency_dv, also=("0",) if agency_dv == "P" else ())
        check_wallet_dv(wallet, "account_dv", account_dv, also=("0",) if account_dv == "P" else ())
        return fields

    def nosso_numero_sequence_max(self, wallet: Wallet) -> int:
        return 99_999_999_999

    def nosso_numero(self, wallet, sequence, *, issue_date=None) -> NossoNumero:
        carteira = self._fields(wallet)["carteira"]
        number = f"{self._sequence(wallet, sequence):011d}"
        dv = check_digit(carteira + number, 7)
        return NossoNumero(number, dv, f"{carteira}/{number}-{dv}")

    def free_field(self, wallet, sequence, *, amount=None, issue_date=None, installment=1) -> str:
        fields = self._fields(wallet)
        number = self.nosso_numero(wallet, sequence).number
        return f"{fields['agency']}{fields['carteira']}{number}{fields['account']}0"

    def parse_free_field(self, free_field: str, wallet: Wallet | None = None) -> dict[str, str]:
        free_field = free_field_digits(free_field)
        free_field_check(free_field[24] == "0", f"position 44 must be 0, got {free_field[24]}")
        return {
            "agency": free_field[:4],
            "carteira": free_field[4:6],
            "nosso_numero": free_field[6:17],
            "nosso_numero_dv": check_digit(free_field[4:17], 7),
            "account": free_field[17:24],
        }
