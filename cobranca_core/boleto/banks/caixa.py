"""Caixa Econômica Federal (104), SIGCB.

Follows "Especificação do Código de Barras para Boletos de Cobrança Sem Registro e Registrada no
SIGCB" (Caixa manual 67.119 v009, July 2014): item 4.2.10.1.1 and Anexo III (free field: código do
beneficiário(6) + DV, nosso número digits 3-5, constant 1, digits 6-8, constant 2, digits 9-17,
free-field DV), Anexo IV (nosso número DV) and Anexo VI (beneficiário DV). All three DVs are
modulo 11 with weights 2 to 9, DV = 11 - remainder, and 0 when that is above 9.

The 17-digit nosso número is kind ("1" registrada, "2" sem registro) + "4" (issued by the
beneficiary) + a 15-digit sequence. Wallet.carteira gives the kind: "1"/"RG" or "2"/"SR".
The manual caps the amount at R$ 9.999.999,99 (items 3.2 and 4.2.5.6). Caixa's account check
digit depends on the operation code and is not part of this layout, so it is not checked.
"""

from __future__ import annotations

from decimal import Decimal

from ..febraban import modulo11
from ..layout import (
    BankLayout,
    NossoNumero,
    Wallet,
    check_wallet_dv,
    choose,
    free_field_check,
    free_field_digits,
    wallet_digits,
)

KINDS = {"1": "1", "RG": "1", "2": "2", "SR": "2"}


def check_digit(number: str) -> str:
    """Anexos III, IV and VI: 11 - remainder, 0 when above 9."""
    dv = 11 - modulo11(number)
    return "0" if dv > 9 else str(dv)


class Caixa(BankLayout):
    bank_code = "104"
    bank_code_dv = "0"
    name = "Caixa Econômica Federal"
    max_amount = Decimal("9999999.99")

    def beneficiary_code(self, wallet: Wallet) -> str:
        fields = self._fields(wallet)
        code = f"{fields['convenio']}-{fields['convenio_dv']}"
        return f"{wallet.agency.zfill(4)}/{code}" if wallet.agency else code

    def _fields(self, wallet: Wallet) -> dict[str, str]:
        wallet_digits(wallet, "agency", 4, required=False)  # printed only; must still be a valid agency
        fields = {"convenio": wallet_digits(wallet, "convenio", 6), "kind": choose(wallet, "carteira", KINDS)}
        fields["convenio_dv"] = check_digit(fields["convenio"])
        check_wallet_dv(wallet, "convenio_dv", fields["convenio_dv"])
        return fields

    def nosso_numero_sequence_max(self, wallet: Wallet) -> int:
        return 10**15 - 1

    def nosso_numero(self, wallet, sequence, *, issue_date=None) -> NossoNumero:
        number = f"{self._fields(wallet)['kind']}4{self._sequence(wallet, sequence):015d}"
        dv = check_digit(number)
        return NossoNumero(number, dv, f"{number}-{dv}")

    def free_field(self, wallet, sequence, *, amount=None, issue_date=None, installment=1) -> str:
        fields = self._fields(wallet)
        n = self.nosso_numero(wallet, sequence).number
        body = f"{fields['convenio']}{fields['convenio_dv']}{n[2:5]}{n[0]}{n[5:8]}{n[1]}{n[8:17]}"
        return body + check_digit(body)

    def parse_free_field(self, free_field: str, wallet: Wallet | None = None) -> dict[str, str]:
        free_field = free_field_digits(free_field)
        convenio, convenio_dv = free_field[:6], free_field[6]
        number = free_field[10] + free_field[14] + free_field[7:10] + free_field[11:14] + free_field[15:24]
        expected = check_digit(convenio)
        free_field_check(convenio_dv == expected, f"beneficiário DV is {convenio_dv}, expected {expected}")
        free_field_check(number[0] in "12", f"constant 1 (position 30) must be 1 or 2, got {number[0]}")
        free_field_check(number[1] == "4", f"constant 2 (position 34) must be 4, got {number[1]}")
        expected = check_digit(free_field[:24])
        free_field_check(free_field[24] == expected, f"free-field DV is {free_field[24]}, expected {expected}")
        return {
            "convenio": convenio,
            "convenio_dv": convenio_dv,
            "carteira": "RG" if number[0] == "1" else "SR",
            "nosso_numero": number,
            "nosso_numero_dv": check_digit(number),
        }
