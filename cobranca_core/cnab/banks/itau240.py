"""Itaú Unibanco (341), CNAB 240.

Follows "Cobrança FEBRABAN 240" (Itaú, January 2017, item 3; the tables match the May 2014
edition brcobranca keeps), which changes most of FEBRABAN's positions:

- Header: agency 54-57 and account 66-70 (5 digits) with its DAC at 72, blanks at 33-52, layout
  040. Lot header: agency 55-58, account 67-71, DAC 73, layout 030.
- Segment P: carteira 38-40, nosso número 41-48 and its DAC 49, seu número 63-72 (10); no juros,
  discount or protest code fields of FEBRABAN's (118 and 142 are zeros); the juros date (nota 12:
  from which interest is charged) and the interest of one day (nota 13); protesto 221 (nota 18:
  3 = não protestar), baixa 224-226 (nota 19: 0 = sem instrução, 1 = after the days given).
- Segment Q: payer name 34-63 with 64-73 blank; nota 20 lets the two be joined, and Itaú then
  abbreviates the name to 30 ("Companhia = Cia"), so we write the name in 34-73.
- Segment R (nota 31): the fine's code (0/1/2), its date ("data que passa a incidir", not before
  the due date) and value; 2nd and 3rd discounts without codes.
- Segment T: carteira 38-40, nosso número 41-48 + DAC 49, seu número 59-68, payer name 149-178,
  up to four error codes at 214-221 (nota 23) and the liquidation channel at 222-223 (nota 29).
- Segment U: Itaú labels both 78-92 and 93-107 "valor creditado"; we read them as FEBRABAN's paid
  and net amounts, as laravel-boleto does (it derives the fee from their difference).
- Codes: remessa nota 4 (01 entrada, 02 baixa, 06 vencimento, 31 alteração de outros dados, which
  changes the amount when sent alone, every other field zero or blank); retorno nota 22.

The manual names no file-naming rule, and no Pix registration (the 400 layout has one).
"""

from __future__ import annotations

from datetime import timedelta

from ...boleto.febraban import modulo10
from .. import names
from ..cnab240 import Cnab240
from ..febraban240 import DETAIL, RECORDS
from ..fields import Record, alpha, num, value, when
from ..model import Beneficiary, Movement, Occurrence, Title
from . import itau_codes

HEADER = RECORDS["header"].replace(
    alpha(33, 52),
    num(53, 53),
    num(54, 57, "agency"),
    alpha(58, 58),
    num(59, 65),
    num(66, 70, "account"),
    alpha(71, 71),
    num(72, 72, "account_dv"),
    num(167, 171),
    alpha(172, 225),
    num(226, 228),
    alpha(229, 240),
)

LOT_HEADER = RECORDS["lot_header"].replace(
    num(12, 13),
    alpha(34, 53),
    num(54, 54),
    num(55, 58, "agency"),
    alpha(59, 59),
    num(60, 66),
    num(67, 71, "account"),
    alpha(72, 72),
    num(73, 73, "account_dv"),
    alpha(104, 183),
)

ACCOUNT = (num(18, 18), num(19, 22, "agency"), alpha(23, 23), num(24, 30), num(31, 35, "account"))
ACCOUNT += (alpha(36, 36), num(37, 37, "account_dv"))

SEGMENT_P = RECORDS["P"].replace(
    *ACCOUNT,
    num(38, 40, "carteira"),
    num(41, 48, "nosso_number"),
    num(49, 49, "nosso_dv"),
    alpha(50, 57),
    num(58, 62),
    alpha(63, 72, "document_number"),
    alpha(73, 77),
    num(106, 106, "collecting_agency_dv"),
    num(118, 118),
    num(142, 142),
    num(225, 226, "write_off_days"),
    num(227, 239),
    alpha(240, 240),
)

SEGMENT_Q = RECORDS["Q"].replace(
    alpha(34, 73, "payer_name", cut=True),
    alpha(170, 199, "guarantor_name", cut=True),
    alpha(200, 209),
    num(210, 212),
    alpha(213, 240),
)

SEGMENT_R = RECORDS["R"].replace(
    num(18, 18),
    num(42, 42),
    num(66, 66, "fine_code"),
    alpha(90, 99),
    alpha(100, 139, "payer_info", cut=True),
    alpha(140, 199),
    num(208, 215),
    alpha(216, 216),
    num(217, 228),
    alpha(229, 230),
    num(231, 231),
)

LOT_TRAILER = RECORDS["lot_trailer"].replace(num(70, 115))

SEGMENT_T = Record(
    "segment T",
    240,
    [
        *DETAIL[:-1],
        alpha(15, 15, "dda"),
        num(16, 17, "movement"),
        num(18, 18),
        num(19, 22, "agency"),
        num(23, 30),
        num(31, 35, "account"),
        num(36, 36),
        num(37, 37, "account_dv"),
        num(38, 40, "carteira"),
        num(41, 48, "nosso_number"),
        num(49, 49, "nosso_dv"),
        alpha(50, 57),
        num(58, 58),
        alpha(59, 68, "document_number"),
        alpha(69, 73),
        when(74, 81, "due_date"),
        value(82, 96, "face_amount"),
        num(97, 99),
        num(100, 104, "collecting_agency"),
        num(105, 105, "collecting_agency_dv"),
        alpha(106, 130, "company_use"),
        num(131, 132),
        num(133, 133, "payer_doc_type"),
        num(134, 148, "payer_doc"),
        alpha(149, 178, "payer_name"),
        alpha(179, 188),
        num(189, 198),
        value(199, 213, "fee"),
        alpha(214, 221, "reasons"),
        alpha(222, 223, "liquidation"),
        alpha(224, 240),
    ],
).with_defaults(segment="T")

SEGMENT_U = RECORDS["U"].replace(
    num(108, 137),
    num(154, 157, "payer_occurrence"),
    when(158, 165, "payer_occurrence_date"),
    alpha(181, 210),
    num(211, 233),
)

REASON_TABLES = {
    "03": itau_codes.TABLE1_240,
    "17": itau_codes.TABLE2_240,
    "16": itau_codes.TABLE3_240,
    "15": itau_codes.TABLE4_240,
    "18": itau_codes.TABLE5_240,
}


def account_values(beneficiary: Beneficiary) -> dict:
    """Agency, account and the account's DAC (modulo 10 of agency + account, as the boleto module checks it)."""
    wallet = beneficiary.wallet
    agency, account = wallet.agency.zfill(4), wallet.account.zfill(5)
    return {"agency": agency, "account": account, "account_dv": wallet.account_dv or str(modulo10(agency + account))}


ESPECIES = {"DM": "01", "NP": "02", "NS": "03", "ME": "04", "RC": "05", "DS": "08", "LC": "09", "ND": "13", "DD": "15"}
ESPECIES["OU"] = "99"


class Itau240(Cnab240):
    bank_code = "341"
    name = "Itaú CNAB 240"
    bank_name = "BANCO ITAU SA"
    layout_version = "040"
    lot_layout_version = "030"
    records = {
        **RECORDS,
        "header": HEADER,
        "lot_header": LOT_HEADER,
        "P": SEGMENT_P,
        "Q": SEGMENT_Q,
        "R": SEGMENT_R,
        "lot_trailer": LOT_TRAILER,
        "T": SEGMENT_T,
        "U": SEGMENT_U,
    }
    movement_codes = {**Cnab240.movement_codes, Movement.CHANGE_AMOUNT: "31"}
    return_codes = itau_codes.RETURN_240
    reason_tables = REASON_TABLES
    especies = ESPECIES

    def account_values(self, beneficiary: Beneficiary) -> dict:
        return account_values(beneficiary)

    def write_off_values(self, beneficiary: Beneficiary) -> dict:
        days = beneficiary.write_off_days
        if days is None:
            return {"write_off_code": "0", "write_off_days": None}
        return {"write_off_code": "1", "write_off_days": f"{days:02d}"}

    def title_values(self, beneficiary: Beneficiary, title: Title, when) -> dict:
        values = super().title_values(beneficiary, title, when)
        if title.movement == Movement.CHANGE_AMOUNT:
            values["due_date"] = None  # nota 4 (B): the amount alone, the fields left unchanged are zeros
        if title.movement == Movement.ENTRY and title.fine:
            values["fine_date"] = title.due_date + timedelta(1)
        return values

    def nosso_numero_values(self, beneficiary: Beneficiary, title: Title) -> dict:
        number = title.nosso_numero
        return {"carteira": beneficiary.wallet.carteira, "nosso_number": number.number, "nosso_dv": number.check_digit}

    def nosso_numero_from(self, values: dict) -> tuple[str, str]:
        return values["nosso_number"], values["nosso_dv"]

    def entry_reasons(self, t: dict) -> tuple:
        found = self.reasons(t["movement"], t.get("reasons", ""))
        channel = t.get("liquidation", "").strip()
        if channel:
            found += (Occurrence(channel, itau_codes.LIQUIDATION_240.get(channel, f"Canal {channel}")),)
        return found

    def file_name(self, beneficiary, sequence, when):
        return names.neutral(self.bank_code, 240, sequence, when)
