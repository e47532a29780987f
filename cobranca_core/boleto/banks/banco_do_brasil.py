"""Banco do Brasil (001).

Follows "Especificações Técnicas para Confecção de Boleto de Cobrança do Banco do Brasil" (January
2016): Anexo VII (convênio of 4 digits: nosso número = convênio + 7-digit sequence + DV), VIII
(6 digits: convênio + 5-digit sequence + DV), IX (7 digits: convênio + 10-digit sequence, no DV,
free field "000000" + nosso número + carteira), X (6-digit convênio with a free 17-digit nosso
número and code "21" in place of the carteira) and XI (modulo 11 with weights 9 to 2 for the
nosso número, agency and account check digits; remainder 10 prints as "X").

The length of the convênio as the bank wrote it selects the layout, so its leading zeros matter.
Carteira "21" is refused for 4- and 6-digit convênios: the bank reads "21" as Anexo X.
8-digit convênios (brcobranca knows them; this manual does not) are refused.
"""

from __future__ import annotations

from ..febraban import modulo11
from ..layout import BankLayout, InvalidWallet, NossoNumero, Wallet, check_wallet_dv, free_field_digits, wallet_digits


def check_digit(number: str) -> str:
    """Anexo XI: weights 9..2 from the right and DV = remainder, which equals (11 - r) with weights 2..9."""
    remainder = (11 - modulo11(number)) % 11
    return "X" if remainder == 10 else str(remainder)


class BancoDoBrasil(BankLayout):
    bank_code = "001"
    bank_code_dv = "9"
    name = "Banco do Brasil"

    def _fields(self, wallet: Wallet) -> dict[str, str]:
        convenio = wallet.convenio
        if not (isinstance(convenio, str) and convenio.isascii() and convenio.isdigit() and len(convenio) in (4, 6, 7)):
            raise InvalidWallet("convenio", "length", (4, 6, 7), f"must be 4, 6 or 7 digits, got {convenio!r}")
        if int(convenio) == 0:
            raise InvalidWallet("convenio", "digits", (4, 6, 7), "must not be all zeros")
        if wallet.free_nosso_numero and len(convenio) != 6:
            detail = "the free 17-digit nosso número needs a 6-digit convênio"
            raise InvalidWallet("free_nosso_numero", "unsupported", 6, detail)
        classic = len(convenio) != 7 and not wallet.free_nosso_numero  # agency and account go in the barcode
        fields = {
            "convenio": convenio,
            "carteira": wallet_digits(wallet, "carteira", 2, required=not wallet.free_nosso_numero),
            "agency": wallet_digits(wallet, "agency", 4, required=classic),
            "account": wallet_digits(wallet, "account", 8, required=classic),
        }
        if classic and fields["carteira"] == "21":
            raise InvalidWallet("carteira", "reserved", "not 21", "21 marks the 17-digit nosso número (Anexo X)")
        if fields["agency"]:
            check_wallet_dv(wallet, "agency_dv", check_digit(fields["agency"]))
        if fields["account"]:
            check_wallet_dv(wallet, "account_dv", check_digit(fields["account"]))
        return fields

    def nosso_numero_sequence_max(self, wallet: Wallet) -> int:
        size = len(self._fields(wallet)["convenio"])
        return 10 ** {4: 7, 6: 17 if wallet.free_nosso_numero else 5, 7: 10}[size] - 1

    def nosso_numero(self, wallet, sequence, *, issue_date=None) -> NossoNumero:
        convenio = self._fields(wallet)["convenio"]
        sequence = self._sequence(wallet, sequence)
        if wallet.free_nosso_numero:
            return NossoNumero(f"{sequence:017d}", "", f"{sequence:017d}")
        # 4 and 6 digits fill an 11-digit number; 7 digits a 17-digit one (Anexos VII to IX).
        number = convenio + str(sequence).zfill((17 if len(convenio) == 7 else 11) - len(convenio))
        if len(convenio) == 7:
            return NossoNumero(number, "", number)
        dv = check_digit(number)
        return NossoNumero(number, dv, f"{number}-{dv}")

    def free_field(self, wallet, sequence, *, amount=None, issue_date=None, installment=1) -> str:
        fields = self._fields(wallet)
        number = self.nosso_numero(wallet, sequence).number
        if wallet.free_nosso_numero:
            return fields["convenio"] + number + "21"
        if len(fields["convenio"]) == 7:
            return "000000" + number + fields["carteira"]
        return number + fields["agency"] + fields["account"] + fields["carteira"]

    def parse_free_field(self, free_field: str, wallet: Wallet | None = None) -> dict[str, str]:
        free_field = free_field_digits(free_field)
        if free_field.startswith("000000"):
            return {"convenio": free_field[6:13], "nosso_numero": free_field[6:23], "carteira": free_field[23:]}
        if free_field.endswith("21"):
            return {"convenio": free_field[:6], "nosso_numero": free_field[6:23], "carteira": "21"}
        fields = {
            "nosso_numero": free_field[:11],
            "nosso_numero_dv": check_digit(free_field[:11]),
            "agency": free_field[11:15],
            "account": free_field[15:23],
            "carteira": free_field[23:],
        }
        if wallet is not None and len(wallet.convenio) in (4, 6):  # 4 and 6 digits look alike in the barcode
            fields["convenio"] = free_field[: len(wallet.convenio)]
        return fields
