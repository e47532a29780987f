"""Caixa Econômica Federal (104), CNAB 240 SIGCB.

Follows "Leiaute de Arquivo Eletrônico Padrão CNAB 240 - Cobrança Bancária CAIXA - SIGCB" (MO
67118 v010, in force from 29.06.2018), layouts 101 (file) and 060 (lot):

- Header: 33-52 zeros; agency 53-57 + DV; the 6-digit código do beneficiário at 59-64 (G007);
  192-211 the file's situation, "REMESSA-TESTE" while the beneficiary is in tests (G022).
- Lot header: beneficiary code at 34-39 and 60-65, model code 66-72 (zeros).
- Segment P: beneficiary code 24-29; 40 "0" (17-digit nosso número, G069A); 41-42 the modalidade
  and 43-57 the 15-digit number (G069: "14" = registered, issued by the beneficiary: the boleto
  module's kind + "4" + sequence); seu número 63-73 (11 positions, required, C011); 60 "2"
  (escritural, C008); 62 "0" (posted by the beneficiary, C010); 196-220 repeats the seu número
  (G072). Movement 47 (alteração do valor nominal) needs 61 = "5" (banco não reemite, C004).
- Juros: the date must be after the due date (C019); multa from the day after (G074).
- A title needs a protest or write-off instruction: "não protestar" (3) goes with "baixar" (1),
  days at 225-227, blank for the default D+5 (C026, C028, C029).
- Lot trailer: count and total of the titles of the lot (C070, C071: "Preencher com a
  Quantidade/Valor total de títulos informados no lote"); 93-123 blanks. File trailer 30-35 blanks.
- Segment T: beneficiary code 24-29, nosso número 40-56 (modalidade + 15 digits) and its DV at 57,
  seu número 59-69. Segment U: fee debit date 158-165, payer code 166-180.
- Codes: C004 (01, 02, 06, 47), C044, C047 (``caixa_codes``); for liquidations and write-offs, 214
  is where it was paid (C047-C) and 216 cash or cheque (C047-D).

File names: any name with the extension ``.rem`` (item 1.6).
"""

from __future__ import annotations

from .. import names
from ..cnab240 import Cnab240
from ..febraban240 import DETAIL, RECORDS
from ..fields import Record, alpha, num, value, when
from ..model import Beneficiary, Movement, Occurrence, Title
from . import caixa_codes

HEADER = RECORDS["header"].replace(
    num(33, 52, ""),
    num(59, 64, "beneficiary_code"),
    num(65, 72, ""),
    alpha(212, 215),
    alpha(216, 240),
)

LOT_HEADER = RECORDS["lot_header"].replace(
    num(12, 13),
    num(34, 39, "beneficiary_code"),
    num(40, 53),
    num(60, 65, "beneficiary_code"),
    num(66, 72, "model_code"),
    num(73, 73),
    num(200, 207),
)

SEGMENT_P = RECORDS["P"].replace(
    num(24, 29, "beneficiary_code"),
    num(30, 39),
    num(40, 40, "sinco", "0"),
    num(41, 42, "modalidade"),
    num(43, 57, "nosso_number"),
    alpha(63, 73, "document_number"),
    alpha(74, 77),
    num(230, 239),
)

SEGMENT_R = RECORDS["R"].replace(alpha(180, 240))

LOT_TRAILER = RECORDS["lot_trailer"].replace(alpha(93, 123))

TRAILER = RECORDS["trailer"].replace(alpha(30, 35))

SEGMENT_T = Record(
    "segment T",
    240,
    [
        *DETAIL,
        num(16, 17, "movement"),
        num(18, 23),
        num(24, 29, "beneficiary_code"),
        num(30, 32),
        num(33, 35, "payer_bank"),
        num(36, 36),
        alpha(37, 38),
        num(39, 39, "sinco"),
        num(40, 41, "modalidade"),
        num(42, 56, "nosso_number"),
        num(57, 57, "nosso_dv"),
        num(58, 58, "carteira_code"),
        alpha(59, 69, "document_number"),
        alpha(70, 73),
        when(74, 81, "due_date"),
        value(82, 96, "face_amount"),
        num(97, 99, "collecting_bank"),
        num(100, 104, "collecting_agency"),
        num(105, 105, "collecting_agency_dv"),
        alpha(106, 130, "company_use"),
        num(131, 132, "currency"),
        num(133, 133, "payer_doc_type"),
        num(134, 148, "payer_doc"),
        alpha(149, 188, "payer_name"),
        alpha(189, 198),
        value(199, 213, "fee"),
        alpha(214, 223, "reasons"),
        alpha(224, 240),
    ],
).with_defaults(segment="T")

SEGMENT_U = RECORDS["U"].replace(
    num(154, 157),
    when(158, 165, "fee_date"),
    num(166, 180, "payer_code"),
    num(181, 210),
)


class Caixa240(Cnab240):
    bank_code = "104"
    name = "Caixa CNAB 240 SIGCB"
    bank_name = "CAIXA ECONOMICA FEDERAL"
    layout_version = "101"
    lot_layout_version = "060"
    records = {
        **RECORDS,
        "header": HEADER,
        "lot_header": LOT_HEADER,
        "P": SEGMENT_P,
        "R": SEGMENT_R,
        "lot_trailer": LOT_TRAILER,
        "trailer": TRAILER,
        "T": SEGMENT_T,
        "U": SEGMENT_U,
    }
    movement_codes = {**Cnab240.movement_codes, Movement.CHANGE_AMOUNT: "47"}
    return_codes = caixa_codes.RETURN_CODES
    reason_tables = {
        **dict.fromkeys(("02", "03", "26", "30"), caixa_codes.OCCURRENCES),
        "28": caixa_codes.FEES,
        **dict.fromkeys(("06", "09", "17", "46"), caixa_codes.SETTLEMENTS),
    }
    document_type = "2"  # C008: fixo 2
    distributor = "0"  # C010: postagem pelo beneficiário
    lot_totals_in_remessa = True

    def check_beneficiary(self, beneficiary: Beneficiary) -> None:
        super().check_beneficiary(beneficiary)
        self.require_wallet(beneficiary, "agency", 5)

    def account_values(self, beneficiary: Beneficiary) -> dict:
        wallet = beneficiary.wallet
        return {
            "agency": wallet.agency,
            "agency_dv": wallet.agency_dv,
            "beneficiary_code": wallet.convenio,
            "company_reserved": "REMESSA-TESTE" if beneficiary.test else "",
        }

    def write_off_values(self, beneficiary: Beneficiary) -> dict:
        days = beneficiary.write_off_days
        return {"write_off_code": "1", "write_off_days": "" if days is None else f"{days:03d}"}

    def title_values(self, beneficiary: Beneficiary, title: Title, when) -> dict:
        values = super().title_values(beneficiary, title, when)
        values["company_use"] = title.document_number
        if title.movement == Movement.CHANGE_AMOUNT:
            values["issuer"] = "5"  # C004: alterations need "4" or "5"; the beneficiary prints the new boleto
        return values

    def return_convenio(self, header: dict) -> str:
        return header.get("beneficiary_code", "")

    def expected_convenio(self, beneficiary: Beneficiary) -> str:
        return beneficiary.wallet.convenio

    def nosso_numero_values(self, beneficiary: Beneficiary, title: Title) -> dict:
        number = title.nosso_numero.number  # the boleto module's kind + "4" + 15 digits: G069's CC + 15
        return {"modalidade": number[:2], "nosso_number": number[2:]}

    def nosso_numero_from(self, values: dict) -> tuple[str, str]:
        return values["modalidade"] + values["nosso_number"], values.get("nosso_dv", "")

    def entry_reasons(self, t: dict) -> tuple:
        codes = t.get("reasons", "")
        if t["movement"] not in ("06", "09", "17", "46"):
            return self.reasons(t["movement"], codes)
        found = self.reasons(t["movement"], codes[:2])
        if codes[2:4].strip() in caixa_codes.MEANS:
            found += (Occurrence(codes[2:4], caixa_codes.MEANS[codes[2:4]]),)
        return found

    def file_name(self, beneficiary, sequence, when):
        return names.caixa(beneficiary.wallet.convenio, sequence, when)
