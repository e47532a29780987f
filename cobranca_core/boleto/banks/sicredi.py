"""Sicredi (748).

Follows Sicredi's "Manual do Beneficiário – Cobrança CNAB 400" (May 2014): items 5.3-5.4 (nosso
número "AA/BXXXXX-D": year(2) + byte 2-9 + sequence(5) + DV by modulo 11 over cooperativa(4) +
posto(2) + beneficiário(5) + the 8 digits; DV = 11 - remainder, 0 when above 9) and 10.7.1-10.7.2
(free field: tipo de cobrança, carteira "1" (simples), nosso número(9), cooperativa(4), posto(2),
beneficiário(5), "1" when the boleto carries an amount else "0", filler "0", DV by the same
modulo 11).

Wallet.carteira is the tipo de cobrança: "1" com registro or "3" sem registro. The manual's
sample VB code writes "00" for every sem-registro boleto; we follow the layout table and its
worked example (a sem-registro boleto with an amount and "10"). The nosso número year comes
from ``issue_date`` (default today), so the free field also needs the amount.
"""

from __future__ import annotations

from datetime import date

from ..febraban import InvalidBoleto, amount_in_cents, modulo11
from ..layout import (
    BankLayout,
    NossoNumero,
    Wallet,
    choose,
    free_field_check,
    free_field_digits,
    wallet_digits,
)


def check_digit(number: str) -> str:
    """Items 5.4 and 10.7.2: 11 - remainder, 0 when above 9."""
    dv = 11 - modulo11(number)
    return "0" if dv > 9 else str(dv)


class Sicredi(BankLayout):
    bank_code = "748"
    bank_code_dv = "X"
    name = "Sicredi"
    nosso_numero_sequence_min = 0  # "Número livre de 00000 a 99999"

    def beneficiary_code(self, wallet: Wallet) -> str:
        code = self._fields(wallet)["beneficiario"]
        return f"{code[:4]}.{code[4:6]}.{code[6:]}"

    def _fields(self, wallet: Wallet) -> dict[str, str]:
        return {
            "tipo": choose(wallet, "carteira", {"1", "3"}),
            "beneficiario": wallet_digits(wallet, "agency", 4)
            + wallet_digits(wallet, "posto", 2)
            + wallet_digits(wallet, "convenio", 5),
            "byte": choose(Wallet(byte_idt=wallet.byte_idt or "2"), "byte_idt", set("23456789")),
        }

    def nosso_numero_sequence_max(self, wallet: Wallet) -> int:
        return 99_999

    def nosso_numero(self, wallet, sequence, *, issue_date=None) -> NossoNumero:
        fields = self._fields(wallet)
        year = f"{(issue_date or date.today()).year % 100:02d}"
        number = f"{year}{fields['byte']}{self._sequence(wallet, sequence):05d}"
        dv = check_digit(fields["beneficiario"] + number)
        return NossoNumero(number, dv, f"{year}/{number[2:]}-{dv}")

    def free_field(self, wallet, sequence, *, amount=None, issue_date=None, installment=1) -> str:
        if amount is None:
            raise InvalidBoleto("amount", "Sicredi's free field records whether the boleto has an amount; pass it")
        fields = self._fields(wallet)
        nosso = self.nosso_numero(wallet, sequence, issue_date=issue_date)
        has_amount = "1" if amount_in_cents(amount) else "0"
        body = f"{fields['tipo']}1{nosso.number}{nosso.check_digit}{fields['beneficiario']}{has_amount}0"
        return body + check_digit(body)

    def parse_free_field(self, free_field: str, wallet: Wallet | None = None) -> dict[str, str]:
        free_field = free_field_digits(free_field)
        number, dv, beneficiario = free_field[2:10], free_field[10], free_field[11:22]
        free_field_check(free_field[0] in "13", f"tipo de cobrança must be 1 or 3, got {free_field[0]}")
        free_field_check(free_field[22] in "01", f"amount flag must be 0 or 1, got {free_field[22]}")
        free_field_check(free_field[23] == "0", f"filler must be 0, got {free_field[23]}")
        expected = check_digit(beneficiario + number)
        free_field_check(dv == expected, f"nosso número DV is {dv}, expected {expected}")
        expected = check_digit(free_field[:24])
        free_field_check(free_field[24] == expected, f"free-field DV is {free_field[24]}, expected {expected}")
        return {
            "carteira": free_field[0],
            "nosso_numero": number,
            "nosso_numero_dv": dv,
            "agency": beneficiario[:4],
            "posto": beneficiario[4:6],
            "convenio": beneficiario[6:],
            "has_amount": free_field[22],
        }
