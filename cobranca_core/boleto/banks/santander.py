"""Santander (033).

Follows Santander's "Código de Barras – Cobrança" manual, version 2.9 (January 2015), pages 5 and
13-14: free field "9" + código do beneficiário(7) + nosso número(12) with its DV + IOF ("0" for
everyone but insurers) + carteira(3). Nosso número DV: modulo 11 with weights 2 to 9; remainder 0
or 1 gives 0, remainder 10 gives 1, otherwise 11 - remainder.

Carteiras: 101 (cobrança simples rápida com registro), 102 (simples sem registro) and 201 (penhor)
are in the manual; 104 is accepted as well because it was requested for this project, although
manual 2.9 does not list it. The manual publishes no agency or account check-digit rule, so those
are not checked. CNAB 400 wallets use 7 digits + DV; they are the same numbers padded with zeros.
"""

from __future__ import annotations

from ..febraban import modulo11
from ..layout import (
    BankLayout,
    NossoNumero,
    Wallet,
    choose,
    free_field_check,
    free_field_digits,
    wallet_digits,
    with_dv,
)

CARTEIRAS = frozenset({"101", "102", "104", "201"})


def check_digit(number: str) -> str:
    """Manual page 14: remainder 0 or 1 -> 0, 10 -> 1, else 11 - remainder."""
    remainder = modulo11(number)
    return "0" if remainder in (0, 1) else str(11 - remainder)


class Santander(BankLayout):
    bank_code = "033"
    bank_code_dv = "7"
    name = "Santander"

    def beneficiary_code(self, wallet: Wallet) -> str:
        code = self._fields(wallet)["convenio"]
        return f"{with_dv(wallet.agency.zfill(4), wallet.agency_dv)}/{code}" if wallet.agency else code

    def _fields(self, wallet: Wallet) -> dict[str, str]:
        wallet_digits(wallet, "agency", 4, required=False)  # printed only; must still be a valid agency
        return {"convenio": wallet_digits(wallet, "convenio", 7), "carteira": choose(wallet, "carteira", CARTEIRAS)}

    def nosso_numero_sequence_max(self, wallet: Wallet) -> int:
        return 999_999_999_999

    def nosso_numero(self, wallet, sequence, *, issue_date=None) -> NossoNumero:
        self._fields(wallet)
        number = f"{self._sequence(wallet, sequence):012d}"
        dv = check_digit(number)
        return NossoNumero(number, dv, f"{number}-{dv}")

    def free_field(self, wallet, sequence, *, amount=None, issue_date=None, installment=1) -> str:
        fields = self._fields(wallet)
        nosso = self.nosso_numero(wallet, sequence)
        return f"9{fields['convenio']}{nosso.number}{nosso.check_digit}0{fields['carteira']}"

    def parse_free_field(self, free_field: str, wallet: Wallet | None = None) -> dict[str, str]:
        free_field = free_field_digits(free_field)
        number, dv = free_field[8:20], free_field[20]
        free_field_check(free_field[0] == "9", f"position 20 must be 9, got {free_field[0]}")
        free_field_check(dv == check_digit(number), f"nosso número DV is {dv}, expected {check_digit(number)}")
        return {
            "convenio": free_field[1:8],
            "nosso_numero": number,
            "nosso_numero_dv": dv,
            "iof": free_field[21],
            "carteira": free_field[22:],
        }
