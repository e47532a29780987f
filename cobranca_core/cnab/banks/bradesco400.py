"""Bradesco (237), CNAB 400.

Follows "Layout Cobrança" (Bradesco 4008.524.0121, Portuguese version, pages 9-22 and 38-54):

- Remessa header: the company code Bradesco gives (27-46, zero-filled on the left), "MX" at
  109-110, the remessa number at 111-117 ("não podendo, em hipótese alguma, ser repetida ou
  zerada").
- Detail (1): 21-37 "0" + carteira (3) + agency (5) + account (7) + its DV; uso da empresa 38-62;
  multa 66-70 (code 2 and the percentage with two decimals: this layout takes no amount); nosso
  número 71-81 + DV 82 (the boleto module's modulo 11 base 7); 93 "2" (the client prints the
  boleto); occurrence 109-110; seu número 111-120; due date, amount, espécie 148-149 (01 DM, 12
  DS...), aceite "N" (150, "Sempre = N"); instructions 157-160 ("00": none; "18" and the days for
  a write-off after N days, "Decurso de Prazo"); mora a day 161-173; payer 219-334: name and
  address have 40 positions each, the CEP 327-334 and no city or state.
- Occurrences: 01 remessa, 02 pedido de baixa, 06 alteração de vencimento, 20 alteração de valor
  (the manual: "Somente deverá ser enviada essa ocorrência, se a Empresa contratou o serviço").
- Retorno: the nosso número at 71-82 (11 + DV), the occurrence 109-110, up to five reasons at
  319-328 whose meaning depends on the occurrence (``bradesco400_codes``), the amount paid
  254-266 ("valor total recebido"), mora 267-279, the fee 176-188 (the registration fee, charged on
  02; Bradesco credits what the payer paid).

File names: ``CBDDMM??.REM`` (see ``names.bradesco``).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from ...boleto.banks.bradesco import check_digit
from .. import names
from ..cnab400 import ZERO, Cnab400
from ..fields import Record, alpha, num, value, when
from ..model import Beneficiary, Movement, RemittedTitle, ReturnEntry, ReturnFile, Title
from ..text import digits, document_kind
from . import bradesco400_codes

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
        num(27, 46, "company_code"),
        alpha(47, 76, "company_name", cut=True),
        num(77, 79, "bank_code", "237"),
        alpha(80, 94, "bank_name", "BRADESCO"),
        when(95, 100, "file_date"),
        alpha(101, 108),
        alpha(109, 110, "system", "MX"),
        num(111, 117, "sequence"),
        alpha(118, 394),
        SEQUENCE,
    ],
)

COMPANY_ID = (num(21, 21), num(22, 24, "carteira"), num(25, 29, "agency"), num(30, 36, "account"))
COMPANY_ID += (alpha(37, 37, "account_dv"),)

DETAIL = Record(
    "detail",
    400,
    [
        num(1, 1, "record_type", "1"),
        alpha(2, 20),
        *COMPANY_ID,
        alpha(38, 62, "company_use", cut=True),
        num(63, 65, "debit_bank"),
        num(66, 66, "fine_code"),
        value(67, 70, "fine"),
        num(71, 81, "nosso_number"),
        alpha(82, 82, "nosso_dv"),
        value(83, 92, "daily_discount"),
        num(93, 93, "issuer", "2"),
        alpha(94, 94),
        alpha(95, 104),
        alpha(105, 105),
        num(106, 106, "debit_notice", "2"),
        alpha(107, 108),
        num(109, 110, "movement"),
        alpha(111, 120, "document_number"),
        when(121, 126, "due_date"),
        value(127, 139, "amount"),
        num(140, 142, "collecting_bank"),
        num(143, 147, "collecting_agency"),
        num(148, 149, "especie"),
        alpha(150, 150, "acceptance", "N"),
        when(151, 156, "issue_date"),
        num(157, 158, "instruction1"),
        num(159, 160, "instruction2"),
        value(161, 173, "interest"),
        when(174, 179, "discount_date"),
        value(180, 192, "discount"),
        value(193, 205, "iof"),
        value(206, 218, "rebate"),
        num(219, 220, "payer_doc_type"),
        num(221, 234, "payer_doc"),
        alpha(235, 274, "payer_name", cut=True),
        alpha(275, 314, "payer_address", cut=True),
        alpha(315, 326, "message1", cut=True),
        num(327, 331, "payer_zip"),
        num(332, 334, "payer_zip_suffix"),
        alpha(335, 394, "guarantor_or_message", cut=True),
        SEQUENCE,
    ],
)

TRAILER = Record("trailer", 400, [num(1, 1, "record_type", "9"), alpha(2, 394), SEQUENCE])

RETURN_HEADER = HEADER.replace(
    num(2, 2, "operation", "2"),
    alpha(3, 9, "literal", "RETORNO"),
    num(101, 108, "density"),
    num(109, 113, "notice"),
    alpha(114, 379),
    when(380, 385, "credit_date"),
    alpha(386, 394),
    name="return header",
)

RETURN_DETAIL = Record(
    "return detail",
    400,
    [
        num(1, 1, "record_type", "1"),
        num(2, 3, "company_doc_type"),
        num(4, 17, "company_doc"),
        num(18, 20),
        *COMPANY_ID,
        alpha(38, 62, "company_use"),
        num(63, 70),
        num(71, 81, "nosso_number"),
        alpha(82, 82, "nosso_dv"),
        num(83, 92),
        num(93, 104),
        alpha(105, 105, "apportionment"),
        num(106, 107, "installments"),
        alpha(108, 108, "carteira_code"),
        num(109, 110, "movement"),
        when(111, 116, "occurrence_date"),
        alpha(117, 126, "document_number"),
        alpha(127, 146, "nosso_numero_20"),
        when(147, 152, "due_date"),
        value(153, 165, "face_amount"),
        num(166, 168, "collecting_bank"),
        num(169, 173, "collecting_agency"),
        alpha(174, 175, "especie"),
        value(176, 188, "fee"),
        value(189, 201, "other_expenses"),
        value(202, 214, "late_interest"),
        value(215, 227, "iof"),
        value(228, 240, "rebate"),
        value(241, 253, "discount"),
        value(254, 266, "paid"),
        value(267, 279, "interest_fine"),
        value(280, 292, "other_credits"),
        alpha(293, 294),
        alpha(295, 295, "protest_reason"),
        when(296, 301, "credit_date"),
        num(302, 304, "payment_origin"),
        alpha(305, 314),
        num(315, 318, "cheque_bank"),
        alpha(319, 328, "reasons"),
        alpha(329, 368),
        num(369, 370, "notary"),
        alpha(371, 380, "protocol"),
        alpha(381, 394),
        SEQUENCE,
    ],
)

ESPECIES = {"DM": "01", "NP": "02", "NS": "03", "RC": "05", "LC": "10", "ND": "11", "DS": "12", "OU": "99"}


class Bradesco400(Cnab400):
    bank_code = "237"
    name = "Bradesco CNAB 400"
    max_sequence = 9_999_999
    records = {
        "header": HEADER,
        "detail": DETAIL,
        "trailer": TRAILER,
        "return_header": RETURN_HEADER,
        "return_detail": RETURN_DETAIL,
    }
    movement_codes = {
        Movement.ENTRY: "01",
        Movement.WRITE_OFF: "02",
        Movement.CHANGE_DUE_DATE: "06",
        Movement.CHANGE_AMOUNT: "20",
    }
    return_codes = bradesco400_codes.RETURN_CODES
    reason_tables = bradesco400_codes.REASONS
    especies = ESPECIES

    def check_beneficiary(self, beneficiary: Beneficiary) -> None:
        super().check_beneficiary(beneficiary)
        self.require_code(beneficiary, "company_code", 20)

    def expected_convenio(self, beneficiary: Beneficiary) -> str:
        return beneficiary.company_code

    def header_values(self, beneficiary: Beneficiary, sequence: int, when: datetime) -> dict:
        return {
            "company_code": beneficiary.company_code,
            "company_name": beneficiary.company_name,
            "file_date": when.date(),
            "sequence": sequence,
        }

    def title_values(self, beneficiary: Beneficiary, title: Title, when: datetime) -> dict:
        wallet = beneficiary.wallet
        account = wallet.account.zfill(7)
        values = {
            "carteira": wallet.carteira,
            "agency": wallet.agency,
            "account": account,
            "account_dv": wallet.account_dv or check_digit(account, 7),
            "company_use": title.company_use or title.nosso_numero.number,
            "nosso_number": title.nosso_numero.number,
            "nosso_dv": title.nosso_numero.check_digit,
            "movement": self.movement_codes[title.movement],
            "document_number": title.document_number,
            "due_date": title.due_date,
            "amount": title.amount,
            "fine_code": "0",
            "instruction1": "00",
            "instruction2": "00",
        }
        if title.movement != Movement.ENTRY:
            return values
        payer = title.payer
        document, zip_code = digits(payer.document), digits(payer.zip_code)
        fine = Decimal(str(title.fine_percent))
        values.update(
            {
                "fine_code": "2" if fine else "0",
                "fine": fine or None,
                "especie": self.especies[title.especie],
                "issue_date": title.issue_date or when.date(),
                "interest": title.daily_interest or None,
                "discount_date": title.discount_date if title.discount else None,
                "discount": title.discount or None,
                "payer_doc_type": "0" + document_kind(document),
                "payer_doc": document,
                "payer_name": payer.name,
                "payer_address": payer.address,
                "payer_zip": zip_code[:5],
                "payer_zip_suffix": zip_code[5:],
            }
        )
        if beneficiary.write_off_days is not None:
            values.update(instruction1="18", instruction2=f"{beneficiary.write_off_days:02d}")
        return values

    def remitted(self, number: int, values: dict) -> RemittedTitle:
        zip_code = values["payer_zip"] + values["payer_zip_suffix"]
        return RemittedTitle(
            line=number,
            movement=self.movement_of(values["movement"]),
            nosso_numero=values["nosso_number"],
            nosso_numero_dv=values["nosso_dv"],
            document_number=values["document_number"],
            due_date=values["due_date"],
            amount=values["amount"],
            issue_date=values["issue_date"],
            payer_name=values["payer_name"],
            payer_document=values["payer_doc"].lstrip("0"),
            payer_address=values["payer_address"],
            payer_zip_code=zip_code if zip_code.strip("0") else "",
            daily_interest=values["interest"],
            fine=values["fine"],
            fine_is_percent=values["fine_code"] == "2",
            discount=values["discount"],
            discount_date=values["discount_date"],
        )

    def entry(self, number: int, values: dict) -> ReturnEntry:
        movement, kind = self.occurrence(values["movement"])
        paid = values["paid"]
        return ReturnEntry(
            line=number,
            nosso_numero=values["nosso_number"],
            nosso_numero_dv=values["nosso_dv"],
            movement=movement,
            kind=kind,
            reasons=self.reasons(values["movement"], values["reasons"]),
            carteira=values["carteira"],
            document_number=values["document_number"],
            company_use=values["company_use"],
            due_date=values["due_date"],
            face_amount=values["face_amount"],
            paid_amount=paid,
            credited_amount=paid if paid else ZERO,
            interest_fine=values["interest_fine"],
            discount=values["discount"],
            rebate=values["rebate"],
            iof=values["iof"],
            fee=values["fee"],
            other_expenses=values["other_expenses"],
            other_credits=values["other_credits"],
            occurrence_date=values["occurrence_date"],
            credit_date=values["credit_date"],
        )

    def return_file(self, header: dict, details: list[dict], entries: list[ReturnEntry], problems: list[str]):
        first = details[0] if details else {}
        return ReturnFile(
            bank_code=self.bank_code,
            layout=400,
            company_document=first.get("company_doc", "").lstrip("0"),
            agency=first.get("agency", "").lstrip("0"),
            account=first.get("account", "").lstrip("0"),
            convenio=header["company_code"].lstrip("0"),
            generated_on=header["file_date"],
            sequence=header["notice"],
            entries=tuple(entries),
            problems=tuple(problems),
        )

    def file_name(self, beneficiary, sequence, when):
        return names.bradesco(sequence, when, beneficiary.test)
