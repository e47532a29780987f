"""Sicoob (756), CNAB 240.

Follows Sicoob's workbook "LEIAUTE COBRANCA SICOOB SISTEMAS DE TERCEIRO.XLSX" (updated
2017-08-22, the same file the boleto module follows), sheets "05.Remessa - Opção CNAB240" and
"06.Retorno - Opção CNAB240":

- Layouts 081 (file) and 040 (lot); convênio blank; agency fields: the cooperative (prefixo) and
  its DV; account fields: the conta corrente (``Wallet.account``) and its DV.
- Segment P 38-57: the nosso número with its DV in 10 positions, parcela (2, "01"), modalidade
  (2, the wallet's, default "01"), tipo de formulário (1; "4" = A4 sem envelopamento, as
  brcobranca and laravel-boleto write it) and 5 blanks. 58: the carteira; 59 "0"; 60 blank;
  61-62 "2"/"2" (the beneficiary prints and delivers).
- Juros: 0 = isento, 1 = value a day, the date is the due date; multa (R): 0 / 1 (value) / 2 (%),
  the date is the due date; protesto 3; baixa "0" with blanks.
- Remessa codes 01, 02, 06, 09, 10, 11, 31 (no amount alteration); the retorno's C044 list adds
  55-60, 85 and 86 to FEBRABAN's; reasons: FEBRABAN's C047, which the workbook refers to.
- Lot trailer: count and total of the titles (brcobranca fills them; the workbook does not say
  "retorno only" as FEBRABAN does).

The workbook sets no file-naming rule.
"""

from __future__ import annotations

from .. import codes, names
from ..cnab240 import Cnab240
from ..febraban240 import RECORDS
from ..fields import alpha, num
from ..model import Beneficiary, Kind, Title

NOSSO_NUMERO = (
    num(38, 47, "nosso_with_dv"),
    num(48, 49, "installment", "01"),
    num(50, 51, "modalidade"),
    num(52, 52, "form", "4"),
    alpha(53, 57),
)

RETURN_CODES = {
    **codes.RETURN_CODES,
    "55": ("Confirmação de Pedido de Dispensa de Multa", Kind.CHANGED),
    "56": ("Confirmação do Pedido de Cobrança de Multa", Kind.CHANGED),
    "57": ("Confirmação do Pedido de Alteração de Cobrança de Juros", Kind.CHANGED),
    "58": ("Confirmação do Pedido de Alteração do Valor/Data de Desconto", Kind.CHANGED),
    "59": ("Confirmação do Pedido de Alteração do Beneficiário do Título", Kind.CHANGED),
    "60": ("Confirmação do Pedido de Dispensa de Juros de Mora", Kind.CHANGED),
    "85": ("Confirmação de Desistência de Protesto", Kind.OTHER),
    "86": ("Confirmação de cancelamento do Protesto", Kind.OTHER),
}
del RETURN_CODES["73"]


class Sicoob240(Cnab240):
    bank_code = "756"
    name = "Sicoob CNAB 240"
    bank_name = "SICOOB"
    layout_version = "081"
    lot_layout_version = "040"
    records = {
        **RECORDS,
        "P": RECORDS["P"].replace(*NOSSO_NUMERO, num(59, 59, "registration")),
        "T": RECORDS["T"].replace(*NOSSO_NUMERO),
    }
    return_codes = RETURN_CODES
    especies = {**{k: v for k, v in codes.ESPECIES.items() if k != "OU"}, "OU": "99"}
    registration = "0"
    document_type = ""
    interest_exempt_code = "0"
    interest_offset = 0  # "preencher com a Data de Vencimento do Título"
    fine_offset = 0  # idem
    lot_totals_in_remessa = True

    def check_beneficiary(self, beneficiary: Beneficiary) -> None:
        super().check_beneficiary(beneficiary)
        self.require_wallet(beneficiary, "account", 12)

    def account_values(self, beneficiary: Beneficiary) -> dict:
        wallet = beneficiary.wallet
        return {
            "agency": wallet.agency,
            "agency_dv": wallet.agency_dv,
            "account": wallet.account,
            "account_dv": wallet.account_dv,
        }

    def write_off_values(self, beneficiary: Beneficiary) -> dict:
        return {"write_off_code": "0", "write_off_days": ""}

    def title_values(self, beneficiary: Beneficiary, title: Title, when) -> dict:
        values = super().title_values(beneficiary, title, when)
        values["carteira_code"] = beneficiary.wallet.carteira
        values["modalidade"] = beneficiary.wallet.modalidade or "01"
        return values

    def nosso_numero_values(self, beneficiary: Beneficiary, title: Title) -> dict:
        return {"nosso_with_dv": title.nosso_numero.number + title.nosso_numero.check_digit}

    def nosso_numero_from(self, values: dict) -> tuple[str, str]:
        text = values["nosso_with_dv"].lstrip("0").zfill(8)
        return text[:-1], text[-1:]

    def file_name(self, beneficiary, sequence, when):
        return names.neutral(self.bank_code, 240, sequence, when)
