"""Itaú Unibanco (341), CNAB 400, with the Boleto Pix.

Follows "Cobrança CNAB 400" (Itaú, July 2021 v3, item 3 and notas 1-41):

- Remessa: header (0); detail (1): company inscription 2-17, agency/account/DAC 18-29, uso da
  empresa 38-62, nosso número 63-70, carteira 84-86, carteira code 108 (nota 5: "I" for the
  carteiras this project issues, "U" for 150, "E" for 147), occurrence 109-110, seu número 111-120,
  due date 121-126 (DDMMAA), amount 127-139, espécie 148-149, juros de 1 dia 161-173, discount
  174-192, payer 219-351 (name 235-264 joined with the blanks 265-274, nota 15), data de mora
  386-391, prazo 392-393; multa (2, nota 35-37: code, DDMMAAAA date after which it is charged,
  value); Boleto Pix (3, notas 38-39: the Pix key, else the account's CNPJ key; only with
  occurrence 71 and carteira 109); trailer (9).
- Occurrences (nota 6): 01 remessa, 71 remessa with Boleto Pix, 02 baixa, 06 vencimento, 31
  alteração de outros dados (the amount, alone). Instructions 157-160: "00" (none, as
  laravel-boleto writes), 92 "devolver após XX dias" with the days at 392-393 when the wallet
  sets write_off_days.
- Retorno: detail (1) with the nosso número at 86-93 + DAC 94, occurrence 109-110 (nota 17),
  errors 378-385 (nota 20: up to four codes of two digits), the liquidation channel 393-394
  (nota 28). "Valor principal" (254-266) is what the account is credited, net of the fee (176-188)
  as OCA l10n-brazil PR#1737 and laravel-boleto#403 found: the payer paid principal + fee. Record 3
  carries the Pix copy-and-paste code the bank generated (390 positions) or its error (nota 41).

The manual names no file-naming rule; the remessa header carries no file sequence.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from .. import names
from ..cnab400 import ZERO, Cnab400
from ..fields import InvalidCnab, Record, alpha, num, value, when
from ..model import Beneficiary, Movement, Occurrence, RemittedTitle, ReturnEntry, ReturnFile, Title
from ..text import digits, document_kind
from . import itau_codes
from .itau240 import ESPECIES, account_values

SEQUENCE = num(395, 400, "line_number")

HEADER = Record(
    "header",
    400,
    [
        num(1, 1, "record_type", "0"),
        num(2, 2, "operation", "1"),
        alpha(3, 9, "literal", "REMESSA"),
        num(10, 11, "service", "01"),
        alpha(12, 26, "service_literal", "COBRANCA"),
        num(27, 30, "agency"),
        num(31, 32),
        num(33, 37, "account"),
        num(38, 38, "account_dv"),
        alpha(39, 46),
        alpha(47, 76, "company_name", cut=True),
        num(77, 79, "bank_code", "341"),
        alpha(80, 94, "bank_name", "BANCO ITAU SA"),
        when(95, 100, "file_date"),
        alpha(101, 394),
        SEQUENCE,
    ],
)

DETAIL = Record(
    "detail",
    400,
    [
        num(1, 1, "record_type", "1"),
        num(2, 3, "company_doc_type"),
        num(4, 17, "company_doc"),
        num(18, 21, "agency"),
        num(22, 23),
        num(24, 28, "account"),
        num(29, 29, "account_dv"),
        alpha(30, 33),
        num(34, 37, "cancelled_instruction"),
        alpha(38, 62, "company_use", cut=True),
        num(63, 70, "nosso_number"),
        num(71, 83, "currency_quantity"),
        num(84, 86, "carteira"),
        alpha(87, 107),
        alpha(108, 108, "carteira_code"),
        num(109, 110, "movement"),
        alpha(111, 120, "document_number"),
        when(121, 126, "due_date"),
        value(127, 139, "amount"),
        num(140, 142, "bank_code", "341"),
        num(143, 147, "collecting_agency"),
        alpha(148, 149, "especie"),
        alpha(150, 150, "acceptance"),
        when(151, 156, "issue_date"),
        alpha(157, 158, "instruction1"),
        alpha(159, 160, "instruction2"),
        value(161, 173, "interest"),
        when(174, 179, "discount_date"),
        value(180, 192, "discount"),
        value(193, 205, "iof"),
        value(206, 218, "rebate"),
        num(219, 220, "payer_doc_type"),
        num(221, 234, "payer_doc"),
        alpha(235, 274, "payer_name", cut=True),
        alpha(275, 314, "payer_address", cut=True),
        alpha(315, 326, "payer_district", cut=True),
        num(327, 334, "payer_zip_code"),
        alpha(335, 349, "payer_city", cut=True),
        alpha(350, 351, "payer_state"),
        alpha(352, 381, "guarantor_name", cut=True),
        alpha(382, 385),
        when(386, 391, "interest_date"),
        num(392, 393, "days"),
        alpha(394, 394),
        SEQUENCE,
    ],
)

FINE = Record(
    "multa",
    400,
    [
        num(1, 1, "record_type", "2"),
        num(2, 2, "fine_code"),
        when(3, 10, "fine_date"),
        value(11, 23, "fine"),
        alpha(24, 394),
        SEQUENCE,
    ],
)

PIX = Record(
    "boleto pix",
    400,
    [num(1, 1, "record_type", "3"), alpha(2, 78, "pix_key"), alpha(79, 142, "pix_location"), alpha(143, 394), SEQUENCE],
)

TRAILER = Record("trailer", 400, [num(1, 1, "record_type", "9"), alpha(2, 394), SEQUENCE])

RETURN_HEADER = HEADER.replace(
    num(2, 2, "operation", "2"),
    alpha(3, 9, "literal", "RETORNO"),
    num(101, 105, "density"),
    alpha(106, 108, "density_unit"),
    num(109, 113, "sequence"),
    when(114, 119, "credit_date"),
    alpha(120, 394),
    name="return header",
)

RETURN_DETAIL = Record(
    "return detail",
    400,
    [
        num(1, 1, "record_type", "1"),
        num(2, 3, "company_doc_type"),
        num(4, 17, "company_doc"),
        num(18, 21, "agency"),
        num(22, 23),
        num(24, 28, "account"),
        num(29, 29, "account_dv"),
        alpha(30, 37),
        alpha(38, 62, "company_use"),
        num(63, 70, "nosso_number_63"),
        alpha(71, 82),
        num(83, 85, "carteira"),
        num(86, 93, "nosso_number"),
        num(94, 94, "nosso_dv"),
        alpha(95, 107),
        alpha(108, 108, "carteira_code"),
        num(109, 110, "movement"),
        when(111, 116, "occurrence_date"),
        alpha(117, 126, "document_number"),
        num(127, 134, "nosso_number_confirmed"),
        alpha(135, 146),
        when(147, 152, "due_date"),
        value(153, 165, "face_amount"),
        num(166, 168, "collecting_bank"),
        num(169, 172, "collecting_agency"),
        num(173, 173, "collecting_agency_dv"),
        num(174, 175, "especie"),
        value(176, 188, "fee"),
        alpha(189, 214),
        value(215, 227, "iof"),
        value(228, 240, "rebate"),
        value(241, 253, "discount"),
        value(254, 266, "credited"),
        value(267, 279, "interest_fine"),
        value(280, 292, "other_credits"),
        alpha(293, 293, "dda"),
        alpha(294, 295),
        when(296, 301, "credit_date"),
        num(302, 305, "cancelled_instruction"),
        alpha(306, 311),
        num(312, 324),
        alpha(325, 354, "payer_name"),
        alpha(355, 377),
        alpha(378, 385, "reasons"),
        alpha(386, 392),
        alpha(393, 394, "liquidation"),
        SEQUENCE,
    ],
)

RETURN_PIX = Record(
    "boleto pix (retorno)",
    400,
    [num(1, 1, "record_type", "3"), alpha(2, 391, "pix_emv"), alpha(392, 394, "pix_error"), SEQUENCE],
)

RETURN_TRAILER = Record(
    "return trailer",
    400,
    [
        num(1, 1, "record_type", "9"),
        num(2, 2, "operation", "2"),
        num(3, 4, "service", "01"),
        num(5, 7, "bank_code", "341"),
        alpha(8, 17),
        num(18, 25, "simple_count"),
        value(26, 39, "simple_total"),
        alpha(40, 47, "simple_notice"),
        alpha(48, 57),
        num(58, 65, "linked_count"),
        value(66, 79, "linked_total"),
        alpha(80, 87, "linked_notice"),
        alpha(88, 177),
        num(178, 185, "direct_count"),
        value(186, 199, "direct_total"),
        alpha(200, 207, "direct_notice"),
        num(208, 212, "sequence"),
        num(213, 220, "details"),
        value(221, 234, "total"),
        alpha(235, 394),
        SEQUENCE,
    ],
)

REASON_TABLES = {
    "03": itau_codes.TABLE1_400,
    "60": itau_codes.TABLE1_400,
    "17": itau_codes.TABLE2_400,
    "16": itau_codes.TABLE3_400,
    "15": itau_codes.TABLE4_400,
    "18": itau_codes.TABLE5_400,
}

PIX_CARTEIRA = "109"  # nota on record 3: "Válido somente para a carteira 109 (direta)"


class Itau400(Cnab400):
    bank_code = "341"
    name = "Itaú CNAB 400"
    registers_pix = True
    records = {
        "header": HEADER,
        "detail": DETAIL,
        "fine": FINE,
        "pix": PIX,
        "trailer": TRAILER,
        "return_header": RETURN_HEADER,
        "return_detail": RETURN_DETAIL,
        "return_pix": RETURN_PIX,
        "return_trailer": RETURN_TRAILER,
    }
    movement_codes = {
        Movement.ENTRY: "01",
        Movement.WRITE_OFF: "02",
        Movement.CHANGE_DUE_DATE: "06",
        Movement.CHANGE_AMOUNT: "31",
    }
    pix_movement = "71"
    return_codes = itau_codes.RETURN_400
    reason_tables = REASON_TABLES
    especies = ESPECIES

    def header_values(self, beneficiary: Beneficiary, sequence: int, when: datetime) -> dict:
        return {**account_values(beneficiary), "company_name": beneficiary.company_name, "file_date": when.date()}

    def details(self, title: Title) -> list[str]:
        records = ["detail"]
        if title.movement == Movement.ENTRY and title.fine:
            records.append("fine")
        if title.movement == Movement.ENTRY and title.pix_key:
            records.append("pix")
        return records

    def title_values(self, beneficiary: Beneficiary, title: Title, when: datetime) -> dict:
        carteira = beneficiary.wallet.carteira
        if title.pix_key and carteira != PIX_CARTEIRA:
            detail = f"Itaú registers a Boleto Pix in carteira {PIX_CARTEIRA} only, the wallet's is {carteira}"
            raise InvalidCnab(title.reference, "pix_key", "unsupported", detail)
        document = digits(beneficiary.company_document)
        movement = self.movement_codes[title.movement]
        if title.movement == Movement.ENTRY and title.pix_key:
            movement = self.pix_movement
        values = {
            **account_values(beneficiary),
            "company_doc_type": "0" + document_kind(document),
            "company_doc": document,
            "company_use": title.company_use or title.nosso_numero.number,
            "nosso_number": title.nosso_numero.number,
            "carteira": carteira,
            "carteira_code": {"150": "U", "147": "E"}.get(carteira, "I"),
            "movement": movement,
            "document_number": title.document_number,
            "due_date": None if title.movement == Movement.CHANGE_AMOUNT else title.due_date,
            "amount": title.amount,
            "instruction1": "00",
            "instruction2": "00",
        }
        if title.movement != Movement.ENTRY:
            return values
        payer = title.payer
        payer_document = digits(payer.document)
        values.update(
            {
                "especie": self.especies[title.especie],
                "acceptance": "N",
                "issue_date": title.issue_date or when.date(),
                "interest": title.daily_interest or None,
                "discount_date": title.discount_date if title.discount else None,
                "discount": title.discount or None,
                "payer_doc_type": "0" + document_kind(payer_document),
                "payer_doc": payer_document,
                "payer_name": payer.name,
                "payer_address": payer.address,
                "payer_district": payer.district,
                "payer_zip_code": digits(payer.zip_code),
                "payer_city": payer.city,
                "payer_state": payer.state,
                "fine_code": "1",
                "fine_date": title.due_date,  # nota 36: charged after this date
                "fine": title.fine,
                "pix_key": title.pix_key,
            }
        )
        if beneficiary.write_off_days is not None:
            values.update(instruction1="92", days=f"{beneficiary.write_off_days:02d}")
        return values

    def remitted(self, number: int, values: dict) -> RemittedTitle:
        zip_code = values.get("payer_zip_code", "")
        return RemittedTitle(
            line=number,
            movement={self.pix_movement: Movement.ENTRY}.get(values["movement"])
            or self.movement_of(values["movement"]),
            nosso_numero=values["nosso_number"],
            nosso_numero_dv="",
            document_number=values["document_number"],
            due_date=values["due_date"],
            amount=values["amount"],
            issue_date=values["issue_date"],
            payer_name=values["payer_name"],
            payer_document=values["payer_doc"].lstrip("0"),
            payer_address=values["payer_address"],
            payer_district=values["payer_district"],
            payer_zip_code=zip_code if zip_code.strip("0") else "",
            payer_city=values["payer_city"],
            payer_state=values["payer_state"],
            daily_interest=values["interest"],
            discount=values["discount"],
            discount_date=values["discount_date"],
        )

    def extra(self, title: RemittedTitle, record_type: str, line: str, number: int) -> RemittedTitle:
        if record_type == "2":
            values = self.records["fine"].parse(line, number)
            return replace(title, fine=values["fine"], fine_is_percent=values["fine_code"] == "2")
        if record_type == "3":
            return replace(title, pix_key=self.records["pix"].parse(line, number)["pix_key"])
        return title

    def entry(self, number: int, values: dict) -> ReturnEntry:
        movement, kind = self.occurrence(values["movement"])
        reasons = self.reasons(values["movement"], values["reasons"])
        channel = values["liquidation"].strip()
        if channel:
            reasons += (Occurrence(channel, itau_codes.LIQUIDATION_400.get(channel, f"Canal {channel}")),)
        credited = values["credited"]
        return ReturnEntry(
            line=number,
            nosso_numero=values["nosso_number"],
            nosso_numero_dv=values["nosso_dv"],
            movement=movement,
            kind=kind,
            reasons=reasons,
            carteira=values["carteira"],
            document_number=values["document_number"],
            company_use=values["company_use"],
            due_date=values["due_date"],
            face_amount=values["face_amount"],
            paid_amount=credited + values["fee"] if credited else ZERO,
            credited_amount=credited,
            interest_fine=values["interest_fine"],
            discount=values["discount"],
            rebate=values["rebate"],
            iof=values["iof"],
            fee=values["fee"],
            other_credits=values["other_credits"],
            occurrence_date=values["occurrence_date"],
            credit_date=values["credit_date"],
        )

    def return_extra(self, entry: ReturnEntry, record_type: str, line: str, number: int) -> ReturnEntry:
        if record_type != "3":
            return entry  # type 4 (rateio de crédito) and the cheque records are not this project's
        values = self.records["return_pix"].parse(line, number)
        error = values["pix_error"]
        pix_error = Occurrence(error, itau_codes.PIX_ERRORS.get(error, f"Erro {error}")) if error.strip("0 ") else None
        return replace(entry, pix_emv=values["pix_emv"], pix_error=pix_error)

    def return_file(self, header: dict, details: list[dict], entries: list[ReturnEntry], problems: list[str]):
        return ReturnFile(
            bank_code=self.bank_code,
            layout=400,
            company_document=details[0]["company_doc"].lstrip("0") if details else "",
            agency=header["agency"].lstrip("0"),
            account=header["account"].lstrip("0"),
            convenio="",
            generated_on=header["file_date"],
            sequence=header["sequence"],
            entries=tuple(entries),
            problems=tuple(problems),
        )

    def file_name(self, beneficiary, sequence, when):
        return names.neutral(self.bank_code, 400, sequence, when)
