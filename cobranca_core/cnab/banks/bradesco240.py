"""Bradesco (237), CNAB 240.

Follows "Manual de Procedimentos Operacionais para Troca de Arquivos 240 posições" (4008.524.0339,
version 06, 07/2017): layouts 084 (file) and 042 (lot), FEBRABAN's records with Bradesco's
identification of the title in segments P and T (positions 38-40 the carteira, 41-45 zeros,
46-56 the nosso número, 57 its check digit) and FEBRABAN's code tables C004, C044 and C047
(``codes``). The convênio (header 33-52, lot header 34-53) is the company code Bradesco gives,
which this manual does not describe further; laravel-boleto writes it zero-filled on the left.

The manual's C004 has no amount alteration (its 47 excludes a negativação), so an amount change
is refused: write the boleto off and issue a new one. Espécies are FEBRABAN's C015 (02 DM, 04
DS); laravel-boleto writes 01 and 12 for them, which is C015 of Bradesco's CNAB 400, not this
manual's.
"""

from __future__ import annotations

from ...boleto.banks.bradesco import check_digit
from .. import names
from ..cnab240 import Cnab240
from ..febraban240 import RECORDS
from ..fields import alpha, num
from ..model import Beneficiary, Title
from ..text import digits

IDENTIFICATION = (num(38, 40, "carteira"), num(41, 45), num(46, 56, "nosso_number"), alpha(57, 57, "nosso_dv"))


class Bradesco240(Cnab240):
    bank_code = "237"
    name = "Bradesco CNAB 240"
    bank_name = "BRADESCO"
    layout_version = "084"
    lot_layout_version = "042"
    density = "01600"  # G020: 1600 or 6250 BPI
    records = {
        **RECORDS,
        "P": RECORDS["P"].replace(*IDENTIFICATION),
        "T": RECORDS["T"].replace(*IDENTIFICATION),
    }

    def account_values(self, beneficiary: Beneficiary) -> dict:
        wallet = beneficiary.wallet
        agency, account = wallet.agency.zfill(4), wallet.account.zfill(7)
        return {
            "agency": agency,
            "agency_dv": wallet.agency_dv or check_digit(agency, 5),
            "account": account,
            "account_dv": wallet.account_dv or check_digit(account, 7),
            "convenio": digits(beneficiary.company_code).zfill(20),
        }

    def expected_convenio(self, beneficiary: Beneficiary) -> str:
        return beneficiary.company_code

    def nosso_numero_values(self, beneficiary: Beneficiary, title: Title) -> dict:
        number = title.nosso_numero
        return {"carteira": beneficiary.wallet.carteira, "nosso_number": number.number, "nosso_dv": number.check_digit}

    def nosso_numero_from(self, values: dict) -> tuple[str, str]:
        return values["nosso_number"], values["nosso_dv"]

    def check_beneficiary(self, beneficiary: Beneficiary) -> None:
        super().check_beneficiary(beneficiary)
        self.require_code(beneficiary, "company_code", 20)

    def file_name(self, beneficiary, sequence, when):
        return names.bradesco(sequence, when, beneficiary.test)
