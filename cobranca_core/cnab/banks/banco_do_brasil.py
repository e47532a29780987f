"""Banco do Brasil (001), CNAB 240.

Follows "Leiaute CNAB 240 - Particularidades BB" (August 2017), which keeps FEBRABAN's positions
and says what BB fills or ignores:

- Header 33-52 and lot header 34-53: convênio (9 digits) + "0014" (cobrança cedente) + carteira (2)
  + variação da carteira (3) + two blanks; in the lot header the blanks become "TS" for a test file.
- Segment P 38-57: the nosso número left-aligned, as the convênio's length makes it (7 digits:
  convênio + 10-digit sequence, no DV; 4 or 6 digits: 11 digits + DV), the same rules as the
  boleto module's Anexos VII-IX. The 17-digit free nosso número (Anexo X) is not in this manual,
  so it is refused.
- P 58: 7 for carteira 17, 1 for 11/12 (simples). P 61-62: carteira 17 lets the client print and
  deliver (2/2); 11/12 take "1 - Banco emite" only. P 224-227 (baixa): not treated, zeros.
- Movement codes 01, 02, 04-10, 30, 31, 40 (no amount alteration); retorno codes FEBRABAN's C044;
  reasons FEBRABAN's C047 except 52, which BB uses for "Registro de Título já liquidado Cart. 17".
- Espécies for carteiras 11 and 17 simples: 01, 02, 04, 06, 07, 12, 17, 19.

The manual names no file-naming rule.
"""

from __future__ import annotations

from .. import codes, names
from ..cnab240 import Cnab240
from ..febraban240 import RECORDS
from ..fields import InvalidCnab, alpha, num
from ..layout import WALLET
from ..model import Beneficiary, Movement, Title

CONVENIO_HEADER = (num(33, 41, "bb_convenio"), num(42, 45, "bb_service", "0014"), num(46, 47, "bb_carteira"))
CONVENIO_HEADER += (num(48, 50, "bb_variation"), alpha(51, 52))
CONVENIO_LOT = (num(34, 42, "bb_convenio"), num(43, 46, "bb_service", "0014"), num(47, 48, "bb_carteira"))
CONVENIO_LOT += (num(49, 51, "bb_variation"), alpha(52, 53, "bb_test"))

REJECTIONS = {**codes.REJECTIONS, "52": "Registro de Título já liquidado Cart. 17", "A4": "Sacado DDA"}


class BancoDoBrasil240(Cnab240):
    bank_code = "001"
    name = "Banco do Brasil CNAB 240"
    bank_name = "BANCO DO BRASIL S.A."
    layout_version = "083"
    lot_layout_version = "042"
    records = {
        **RECORDS,
        "header": RECORDS["header"].replace(*CONVENIO_HEADER),
        "lot_header": RECORDS["lot_header"].replace(*CONVENIO_LOT),
    }
    reason_tables = {
        code: REJECTIONS if table is codes.REJECTIONS else table for code, table in codes.REASON_TABLES.items()
    }
    especies = {"CH": "01", "DM": "02", "DS": "04", "DR": "06", "LC": "07", "NP": "12", "RC": "17", "ND": "19"}

    def check_beneficiary(self, beneficiary: Beneficiary) -> None:
        super().check_beneficiary(beneficiary)
        if beneficiary.wallet.free_nosso_numero:
            detail = "the 17-digit free nosso número is not in BB's CNAB 240 layout"
            raise InvalidCnab(WALLET, "free_nosso_numero", "unsupported", detail)
        self.require_code(beneficiary, "variation", 3)
        self.require_wallet(beneficiary, "agency", 5)
        self.require_wallet(beneficiary, "account", 12)
        self.require_wallet(beneficiary, "carteira", 2)

    def account_values(self, beneficiary: Beneficiary) -> dict:
        wallet = beneficiary.wallet
        return {
            "agency": wallet.agency,
            "agency_dv": wallet.agency_dv,
            "account": wallet.account,
            "account_dv": wallet.account_dv,
            "bb_convenio": wallet.convenio,
            "bb_carteira": wallet.carteira,
            "bb_variation": beneficiary.variation,
            "bb_test": "TS" if beneficiary.test else "",
        }

    def title_values(self, beneficiary: Beneficiary, title: Title, when) -> dict:
        values = super().title_values(beneficiary, title, when)
        own = beneficiary.wallet.carteira == "17"
        values.update(
            carteira_code="7" if own else "1",
            issuer="2" if own else "1",
            distributor="2" if own else "1",
        )
        if title.movement == Movement.ENTRY:
            values.update(write_off_code="0", write_off_days="000")  # "Campo não tratado pelo sistema"
        return values

    def return_convenio(self, header: dict) -> str:
        return header.get("bb_convenio", "").lstrip("0")

    def expected_convenio(self, beneficiary: Beneficiary) -> str:
        return beneficiary.wallet.convenio

    def nosso_numero_values(self, beneficiary: Beneficiary, title: Title) -> dict:
        number = title.nosso_numero
        return {"nosso_numero": number.number + number.check_digit}

    def nosso_numero_from(self, values: dict) -> tuple[str, str]:
        text = values["nosso_numero"].strip()
        return (text, "") if len(text) == 17 else (text[:-1], text[-1:])

    def file_name(self, beneficiary, sequence, when):
        return names.neutral(self.bank_code, 240, sequence, when)
