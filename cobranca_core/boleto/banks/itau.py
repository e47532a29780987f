"""Itaú Unibanco (341).

Follows Itaú's "Cobrança CNAB 400" manual (February 2016): item 7.3 (free field carteira(3), nosso
número(8), its DAC, agency(4), account(5), agency/account DAC, "000") and Nota 23 (nosso número DAC:
modulo 10 of agency + account + carteira + nosso número, "except the escritural carteiras and, among
the direct ones, 126, 131, 145, 150 and 168", whose DAC covers carteira + nosso número only). The
account DAC is modulo 10 of agency + account (FEBRABAN 240 manual, May 2014, Anexo 3).

Sources disagree on one exception: Nota 23 (and Nota 27 of the 240 manual) says 145, Anexo 4 of
the 240 manual says 146 and leaves the escriturais out (it covers numbers the beneficiary makes up,
which escriturais only do in carteira 115). Neither 145 nor 146 is in the current carteira tables,
so both are refused rather than guessed. Escritural carteiras (from the tables of both manuals)
follow Nota 23, as brcobranca does for 112; except in 115, Itaú assigns their nosso número, so pass
that number as the sequence. Carteiras 106, 107, 122, 142, 143, 195, 196 and 198
use a different free field (15-digit nosso número with seu número and client code): refused.
"""

from __future__ import annotations

from ..febraban import modulo10
from ..layout import (
    BankLayout,
    InvalidWallet,
    NossoNumero,
    Wallet,
    check_wallet_dv,
    free_field_check,
    free_field_digits,
    wallet_digits,
)

FIFTEEN_DIGIT_CARTEIRAS = frozenset({"106", "107", "122", "142", "143", "195", "196", "198"})
ESCRITURAL_CARTEIRAS = frozenset(
    {"104", "105", "112", "113", "115", "116", "117", "119", "134", "135", "136", "147", "166", "188", "212"}
)
CARTEIRA_ONLY_DAC = ESCRITURAL_CARTEIRAS | {"126", "131", "150", "168"}
AMBIGUOUS_CARTEIRAS = frozenset({"145", "146"})  # Nota 23 and Anexo 4 disagree, see above


def nosso_numero_dac(agency: str, account: str, carteira: str, number: str) -> str:
    """Nota 23: the DAC printed after the nosso número ("109/12345678-D")."""
    return str(modulo10(carteira + number if carteira in CARTEIRA_ONLY_DAC else agency + account + carteira + number))


class Itau(BankLayout):
    bank_code = "341"
    bank_code_dv = "7"
    name = "Itaú Unibanco"

    def beneficiary_code(self, wallet: Wallet) -> str:
        fields = self._fields(wallet)
        return f"{fields['agency']}/{fields['account']}-{fields['account_dac']}"

    def _fields(self, wallet: Wallet) -> dict[str, str]:
        fields = {
            "agency": wallet_digits(wallet, "agency", 4),
            "account": wallet_digits(wallet, "account", 5),
            "carteira": wallet_digits(wallet, "carteira", 3),
        }
        if fields["carteira"] in FIFTEEN_DIGIT_CARTEIRAS:
            others = sorted(FIFTEEN_DIGIT_CARTEIRAS)
            raise InvalidWallet("carteira", "unsupported", f"not {others}", "uses the 15-digit layout, not supported")
        if fields["carteira"] in AMBIGUOUS_CARTEIRAS:
            detail = "Itaú's manuals disagree on its nosso número DAC (Nota 23 vs Anexo 4), not supported"
            raise InvalidWallet("carteira", "unsupported", "not 145 or 146", detail)
        fields["account_dac"] = str(modulo10(fields["agency"] + fields["account"]))
        check_wallet_dv(wallet, "account_dv", fields["account_dac"])
        return fields

    def nosso_numero_sequence_max(self, wallet: Wallet) -> int:
        return 99_999_999

    def nosso_numero(self, wallet, sequence, *, issue_date=None) -> NossoNumero:
        fields = self._fields(wallet)
        number = f"{self._sequence(wallet, sequence):08d}"
        dac = nosso_numero_dac(fields["agency"], fields["account"], fields["carteira"], number)
        return NossoNumero(number, dac, f"{fields['carteira']}/{number}-{dac}")

    def free_field(self, wallet, sequence, *, amount=None, issue_date=None, installment=1) -> str:
        fields = self._fields(wallet)
        nosso = self.nosso_numero(wallet, sequence)
        account = fields["agency"] + fields["account"] + fields["account_dac"]
        return f"{fields['carteira']}{nosso.number}{nosso.check_digit}{account}000"

    def parse_free_field(self, free_field: str, wallet: Wallet | None = None) -> dict[str, str]:
        free_field = free_field_digits(free_field)
        carteira, number, dac = free_field[:3], free_field[3:11], free_field[11]
        agency, account, account_dac = free_field[12:16], free_field[16:21], free_field[21]
        free_field_check(carteira not in FIFTEEN_DIGIT_CARTEIRAS, f"carteira {carteira} uses the 15-digit layout")
        free_field_check(carteira not in AMBIGUOUS_CARTEIRAS, f"carteira {carteira}'s DAC rule is ambiguous")
        expected = nosso_numero_dac(agency, account, carteira, number)
        free_field_check(dac == expected, f"nosso número DAC is {dac}, expected {expected}")
        expected = str(modulo10(agency + account))
        free_field_check(account_dac == expected, f"agency/account DAC is {account_dac}, expected {expected}")
        free_field_check(free_field[22:] == "000", f"positions 42-44 must be 000, got {free_field[22:]}")
        return {
            "carteira": carteira,
            "nosso_numero": number,
            "nosso_numero_dv": dac,
            "agency": agency,
            "account": account,
            "account_dv": account_dac,
        }
