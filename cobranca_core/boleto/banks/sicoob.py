"""Sicoob (756).

Follows Sicoob's "Instruções para montagem e validação de boletos de cobrança" workbook (LEIAUTE
COBRANCA SICOOB SISTEMAS DE TERCEIRO.XLSX, updated 2017-08-22), sheet "02.Especificações do Boleto":
free field carteira(1) + cooperativa(4) + modalidade(2) + código do cliente(7) + nosso número(7) +
its DV + parcela(3). Nosso número DV (item 3.13): cooperativa(4) + cliente(10) + nosso número(7)
weighted 3, 1, 9, 7 from the left; DV = 11 - remainder, 0 when the remainder is 0 or 1.

The cooperative's check digit is not described in words, but all 714 cooperatives listed with
their DV in sheet "01.Contracapa" follow modulo 11 with weights 5, 4, 3, 2 and DV = 11 - remainder,
0 for remainders 0 and 1; we check Wallet.agency_dv with that rule. Wallet.convenio is the código
do cliente as Sicoob prints it, its own check digit included (or put that digit in convenio_dv);
that digit's rule is not published, so it is not checked. Carteira is 1 or 3 (item 3.15).
"""

from __future__ import annotations

from itertools import cycle

from ..febraban import InvalidBoleto, modulo11
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


def nosso_numero_dv(cooperativa: str, cliente: str, number: str) -> str:
    """Item 3.13: constant 3197 repeated from the left over cooperativa + cliente(10) + nosso número."""
    total = sum(int(d) * w for d, w in zip(cooperativa + cliente.zfill(10) + number, cycle((3, 1, 9, 7))))
    remainder = total % 11
    return "0" if remainder in (0, 1) else str(11 - remainder)


def cooperativa_dv(cooperativa: str) -> str:
    """Sheet "01.Contracapa": weights 5, 4, 3, 2; DV = 11 - remainder, 0 for remainders 0 and 1."""
    remainder = modulo11(cooperativa, 5)
    return "0" if remainder in (0, 1) else str(11 - remainder)


class Sicoob(BankLayout):
    bank_code = "756"
    bank_code_dv = "0"
    name = "Sicoob"

    def beneficiary_code(self, wallet: Wallet) -> str:
        fields = self._fields(wallet)
        return f"{fields['cooperativa']}/{fields['cliente']}"

    def _fields(self, wallet: Wallet) -> dict[str, str]:
        fields = {"cooperativa": wallet_digits(wallet, "agency", 4), "carteira": choose(wallet, "carteira", {"1", "3"})}
        check_wallet_dv(wallet, "agency_dv", cooperativa_dv(fields["cooperativa"]))
        joined = Wallet(convenio=(wallet.convenio or "") + (wallet.convenio_dv or ""))
        fields["cliente"] = wallet_digits(joined, "convenio", 7)
        fields["modalidade"] = wallet_digits(Wallet(modalidade=wallet.modalidade or "01"), "modalidade", 2)
        return fields

    def nosso_numero_sequence_max(self, wallet: Wallet) -> int:
        return 9_999_999

    def nosso_numero(self, wallet, sequence, *, issue_date=None) -> NossoNumero:
        fields = self._fields(wallet)
        number = f"{self._sequence(wallet, sequence):07d}"
        dv = nosso_numero_dv(fields["cooperativa"], fields["cliente"], number)
        return NossoNumero(number, dv, f"{number}-{dv}")

    def free_field(self, wallet, sequence, *, amount=None, issue_date=None, installment=1) -> str:
        fields = self._fields(wallet)
        if isinstance(installment, bool) or not isinstance(installment, int) or not 1 <= installment <= 999:
            raise InvalidBoleto("installment", f"parcela must be 1-999, got {installment!r}")
        nosso = self.nosso_numero(wallet, sequence)
        return (
            f"{fields['carteira']}{fields['cooperativa']}{fields['modalidade']}{fields['cliente']}"
            f"{nosso.number}{nosso.check_digit}{installment:03d}"
        )

    def parse_free_field(self, free_field: str, wallet: Wallet | None = None) -> dict[str, str]:
        free_field = free_field_digits(free_field)
        cooperativa, cliente, number, dv = free_field[1:5], free_field[7:14], free_field[14:21], free_field[21]
        expected = nosso_numero_dv(cooperativa, cliente, number)
        free_field_check(dv == expected, f"nosso número DV is {dv}, expected {expected}")
        return {
            "carteira": free_field[0],
            "agency": cooperativa,
            "modalidade": free_field[5:7],
            "convenio": cliente,
            "nosso_numero": number,
            "nosso_numero_dv": dv,
            "installment": free_field[22:],
        }
