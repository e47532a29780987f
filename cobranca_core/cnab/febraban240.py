"""FEBRABAN's CNAB 240 for cobrança: the records every bank starts from.

The records follow FEBRABAN's layout 084/042 as Bradesco's "Manual de Procedimentos Operacionais
para Troca de Arquivos 240 posições" (4008.524.0339 v06, 07/2017, pages 8-21) and Banco do
Brasil's "Leiaute CNAB 240 - Particularidades BB" (August 2017) print it: file header (0), lot
header (1), segments P, Q and R of the remessa, T and U of the retorno, lot trailer (5) and file
trailer (9). A bank's module replaces the positions its manual changes (``Record.replace``) and
the values it fills differently (the hooks of ``cnab240.Cnab240``).

"""

from __future__ import annotations

from .fields import Record, alpha, num, value, when

CONTROL = [num(1, 3, "bank_code"), num(4, 7, "lot")]
DETAIL = [*CONTROL, num(8, 8, "record_type", "3"), num(9, 13, "sequence"), alpha(14, 14, "segment"), alpha(15, 15)]
ACCOUNT_P = [  # positions 18-37 of P and T: the beneficiary's agency and account
    num(18, 22, "agency"),
    alpha(23, 23, "agency_dv"),
    num(24, 35, "account"),
    alpha(36, 36, "account_dv"),
    alpha(37, 37, "agency_account_dv"),
]

HEADER = Record(
    "header",
    240,
    [
        num(1, 3, "bank_code"),
        num(4, 7, "lot", "0000"),
        num(8, 8, "record_type", "0"),
        alpha(9, 17),
        num(18, 18, "company_doc_type"),
        num(19, 32, "company_doc"),
        alpha(33, 52, "convenio"),
        num(53, 57, "agency"),
        alpha(58, 58, "agency_dv"),
        num(59, 70, "account"),
        alpha(71, 71, "account_dv"),
        alpha(72, 72, "agency_account_dv"),
        alpha(73, 102, "company_name", cut=True),
        alpha(103, 132, "bank_name"),
        alpha(133, 142),
        num(143, 143, "file_code"),
        when(144, 151, "file_date"),
        num(152, 157, "file_time"),
        num(158, 163, "file_sequence"),
        num(164, 166, "layout_version"),
        num(167, 171, "density"),
        alpha(172, 191, "bank_reserved"),
        alpha(192, 211, "company_reserved"),
        alpha(212, 240),
    ],
)

LOT_HEADER = Record(
    "lot header",
    240,
    [
        *CONTROL,
        num(8, 8, "record_type", "1"),
        alpha(9, 9, "operation"),
        num(10, 11, "service", "01"),
        alpha(12, 13),
        num(14, 16, "lot_layout_version"),
        alpha(17, 17),
        num(18, 18, "company_doc_type"),
        num(19, 33, "company_doc"),
        alpha(34, 53, "convenio"),
        num(54, 58, "agency"),
        alpha(59, 59, "agency_dv"),
        num(60, 71, "account"),
        alpha(72, 72, "account_dv"),
        alpha(73, 73, "agency_account_dv"),
        alpha(74, 103, "company_name", cut=True),
        alpha(104, 143, "message1", cut=True),
        alpha(144, 183, "message2", cut=True),
        num(184, 191, "remittance_number"),
        when(192, 199, "recording_date"),
        when(200, 207, "credit_date"),
        alpha(208, 240),
    ],
)

SEGMENT_P = Record(
    "segment P",
    240,
    [
        *DETAIL,
        num(16, 17, "movement"),
        *ACCOUNT_P,
        alpha(38, 57, "nosso_numero"),
        num(58, 58, "carteira_code"),
        num(59, 59, "registration"),
        alpha(60, 60, "document_type"),
        num(61, 61, "issuer"),
        alpha(62, 62, "distributor"),
        alpha(63, 77, "document_number"),
        when(78, 85, "due_date"),
        value(86, 100, "amount"),
        num(101, 105, "collecting_agency"),
        alpha(106, 106, "collecting_agency_dv"),
        num(107, 108, "especie"),
        alpha(109, 109, "acceptance"),
        when(110, 117, "issue_date"),
        num(118, 118, "interest_code"),
        when(119, 126, "interest_date"),
        value(127, 141, "interest"),
        num(142, 142, "discount_code"),
        when(143, 150, "discount_date"),
        value(151, 165, "discount"),
        value(166, 180, "iof"),
        value(181, 195, "rebate"),
        alpha(196, 220, "company_use", cut=True),
        num(221, 221, "protest_code"),
        num(222, 223, "protest_days"),
        num(224, 224, "write_off_code"),
        alpha(225, 227, "write_off_days"),
        num(228, 229, "currency", "09"),
        num(230, 239, "contract"),
        alpha(240, 240, "partial_payment"),
    ],
).with_defaults(segment="P")

SEGMENT_Q = Record(
    "segment Q",
    240,
    [
        *DETAIL,
        num(16, 17, "movement"),
        num(18, 18, "payer_doc_type"),
        num(19, 33, "payer_doc"),
        alpha(34, 73, "payer_name", cut=True),
        alpha(74, 113, "payer_address", cut=True),
        alpha(114, 128, "payer_district", cut=True),
        num(129, 133, "payer_zip"),
        num(134, 136, "payer_zip_suffix"),
        alpha(137, 151, "payer_city", cut=True),
        alpha(152, 153, "payer_state"),
        num(154, 154, "guarantor_doc_type"),
        num(155, 169, "guarantor_doc"),
        alpha(170, 209, "guarantor_name", cut=True),
        num(210, 212, "correspondent_bank"),
        alpha(213, 232, "correspondent_nosso_numero"),
        alpha(233, 240),
    ],
).with_defaults(segment="Q")

SEGMENT_R = Record(
    "segment R",
    240,
    [
        *DETAIL,
        num(16, 17, "movement"),
        num(18, 18, "discount2_code"),
        when(19, 26, "discount2_date"),
        value(27, 41, "discount2"),
        num(42, 42, "discount3_code"),
        when(43, 50, "discount3_date"),
        value(51, 65, "discount3"),
        alpha(66, 66, "fine_code"),
        when(67, 74, "fine_date"),
        value(75, 89, "fine"),
        alpha(90, 99, "payer_info"),
        alpha(100, 139, "message3", cut=True),
        alpha(140, 179, "message4", cut=True),
        alpha(180, 199),
        num(200, 207, "payer_occurrence"),
        num(208, 210, "debit_bank"),
        num(211, 215, "debit_agency"),
        alpha(216, 216, "debit_agency_dv"),
        num(217, 228, "debit_account"),
        alpha(229, 229, "debit_account_dv"),
        alpha(230, 230, "debit_agency_account_dv"),
        num(231, 231, "debit_notice"),
        alpha(232, 240),
    ],
).with_defaults(segment="R")

LOT_TRAILER = Record(
    "lot trailer",
    240,
    [
        *CONTROL,
        num(8, 8, "record_type", "5"),
        alpha(9, 17),
        num(18, 23, "lot_records"),
        num(24, 29, "simple_count"),
        value(30, 46, "simple_total"),
        num(47, 52, "linked_count"),
        value(53, 69, "linked_total"),
        num(70, 75, "pledged_count"),
        value(76, 92, "pledged_total"),
        num(93, 98, "discounted_count"),
        value(99, 115, "discounted_total"),
        alpha(116, 123, "notice"),
        alpha(124, 240),
    ],
)

TRAILER = Record(
    "trailer",
    240,
    [
        num(1, 3, "bank_code"),
        num(4, 7, "lot", "9999"),
        num(8, 8, "record_type", "9"),
        alpha(9, 17),
        num(18, 23, "lots"),
        num(24, 29, "records"),
        num(30, 35, "accounts"),
        alpha(36, 240),
    ],
)

SEGMENT_T = Record(
    "segment T",
    240,
    [
        *DETAIL,
        num(16, 17, "movement"),
        *ACCOUNT_P,
        alpha(38, 57, "nosso_numero"),
        num(58, 58, "carteira_code"),
        alpha(59, 73, "document_number"),
        when(74, 81, "due_date"),
        value(82, 96, "face_amount"),
        num(97, 99, "collecting_bank"),
        num(100, 104, "collecting_agency"),
        alpha(105, 105, "collecting_agency_dv"),
        alpha(106, 130, "company_use"),
        num(131, 132, "currency"),
        num(133, 133, "payer_doc_type"),
        num(134, 148, "payer_doc"),
        alpha(149, 188, "payer_name"),
        num(189, 198, "contract"),
        value(199, 213, "fee"),
        alpha(214, 223, "reasons"),
        alpha(224, 240),
    ],
).with_defaults(segment="T")

SEGMENT_U = Record(
    "segment U",
    240,
    [
        *DETAIL,
        num(16, 17, "movement"),
        value(18, 32, "interest_fine"),
        value(33, 47, "discount"),
        value(48, 62, "rebate"),
        value(63, 77, "iof"),
        value(78, 92, "paid"),
        value(93, 107, "credited"),
        value(108, 122, "other_expenses"),
        value(123, 137, "other_credits"),
        when(138, 145, "occurrence_date"),
        when(146, 153, "credit_date"),
        alpha(154, 157, "payer_occurrence"),
        alpha(158, 165, "payer_occurrence_date"),
        value(166, 180, "payer_occurrence_value"),
        alpha(181, 210, "payer_occurrence_complement"),
        num(211, 213, "correspondent_bank"),
        alpha(214, 233, "correspondent_nosso_numero"),
        alpha(234, 240),
    ],
).with_defaults(segment="U")

RECORDS = {
    "header": HEADER,
    "lot_header": LOT_HEADER,
    "P": SEGMENT_P,
    "Q": SEGMENT_Q,
    "R": SEGMENT_R,
    "lot_trailer": LOT_TRAILER,
    "trailer": TRAILER,
    "T": SEGMENT_T,
    "U": SEGMENT_U,
}
