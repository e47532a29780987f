"""Every record type of every layout, position by position, against the bank's manual.

The expected positions are transcribed from the manuals' layout tables (1-based, inclusive), not
from the code; the constants are the tables' "Conteúdo"/"Default" column. Sources:

- FEBRABAN 240: Bradesco "Manual de Procedimentos Operacionais para Troca de Arquivos 240
  posições" 4008.524.0339 v06 (07/2017) pp. 8 and 12-20, the FEBRABAN 084/042 layout; Banco do
  Brasil "Leiaute CNAB 240 - Particularidades BB" (August 2017).
- Santander "Layout de Arquivo Padrão 240 – Cobrança" H7815 v2.9 (April 2018).
- Caixa "Leiaute de Arquivo Eletrônico Padrão CNAB 240 - SIGCB" MO 67118 v010 (29.06.2018) items 3.5-3.6.
- Itaú "Cobrança FEBRABAN 240" (January 2017) item 3; Itaú "Cobrança CNAB 400" (July 2021 v3) item 3.
- Sicredi "Manual CNAB 240" (August 2019) item 6; Sicoob workbook "LEIAUTE COBRANCA SICOOB SISTEMAS
  DE TERCEIRO.XLSX" (2017-08-22) sheets 05 and 06.
- Bradesco "Layout Cobrança" 4008.524.0121 (CNAB 400) pp. 9-16 and 38-43.
The research notes (cnab.md, section 2-3) give several of the same positions from brcobranca,
laravel-boleto and cnab_yaml; ``test_research_notes_positions`` checks those.
"""

import pytest

from cobranca_core.cnab import LAYOUTS, get_layout
from cobranca_core.cnab.febraban240 import RECORDS as FEBRABAN


def positions(record):
    return {(item.name, item.start, item.end) for item in record.fields if item.name}


def expect(record, table):
    """Every (name, start, end) of ``table`` is a field of ``record``."""
    missing = {row for row in table if row not in positions(record)}
    assert not missing, f"{record.name}: {sorted(missing, key=lambda row: row[1])}"


def blank(record):
    """The record written with no values: its constants, zeros and blanks."""
    return record.render({})


@pytest.mark.parametrize(("key", "layout"), sorted(LAYOUTS.items()))
def test_every_record_has_the_layout_length(key, layout):
    for record in layout.records.values():
        assert record.size == key[1]
        assert len(blank(record)) == key[1]


FEBRABAN_TABLES = {
    "header": [
        ("bank_code", 1, 3),
        ("lot", 4, 7),
        ("record_type", 8, 8),
        ("company_doc_type", 18, 18),
        ("company_doc", 19, 32),
        ("convenio", 33, 52),
        ("agency", 53, 57),
        ("agency_dv", 58, 58),
        ("account", 59, 70),
        ("account_dv", 71, 71),
        ("agency_account_dv", 72, 72),
        ("company_name", 73, 102),
        ("bank_name", 103, 132),
        ("file_code", 143, 143),
        ("file_date", 144, 151),
        ("file_time", 152, 157),
        ("file_sequence", 158, 163),
        ("layout_version", 164, 166),
        ("density", 167, 171),
        ("bank_reserved", 172, 191),
        ("company_reserved", 192, 211),
    ],
    "lot_header": [
        ("operation", 9, 9),
        ("service", 10, 11),
        ("lot_layout_version", 14, 16),
        ("company_doc_type", 18, 18),
        ("company_doc", 19, 33),
        ("convenio", 34, 53),
        ("agency", 54, 58),
        ("agency_dv", 59, 59),
        ("account", 60, 71),
        ("account_dv", 72, 72),
        ("agency_account_dv", 73, 73),
        ("company_name", 74, 103),
        ("message1", 104, 143),
        ("message2", 144, 183),
        ("remittance_number", 184, 191),
        ("recording_date", 192, 199),
        ("credit_date", 200, 207),
    ],
    "P": [
        ("sequence", 9, 13),
        ("segment", 14, 14),
        ("movement", 16, 17),
        ("agency", 18, 22),
        ("account", 24, 35),
        ("nosso_numero", 38, 57),
        ("carteira_code", 58, 58),
        ("registration", 59, 59),
        ("document_type", 60, 60),
        ("issuer", 61, 61),
        ("distributor", 62, 62),
        ("document_number", 63, 77),
        ("due_date", 78, 85),
        ("amount", 86, 100),
        ("collecting_agency", 101, 105),
        ("especie", 107, 108),
        ("acceptance", 109, 109),
        ("issue_date", 110, 117),
        ("interest_code", 118, 118),
        ("interest_date", 119, 126),
        ("interest", 127, 141),
        ("discount_code", 142, 142),
        ("discount_date", 143, 150),
        ("discount", 151, 165),
        ("iof", 166, 180),
        ("rebate", 181, 195),
        ("company_use", 196, 220),
        ("protest_code", 221, 221),
        ("protest_days", 222, 223),
        ("write_off_code", 224, 224),
        ("write_off_days", 225, 227),
        ("currency", 228, 229),
        ("contract", 230, 239),
    ],
    "Q": [
        ("payer_doc_type", 18, 18),
        ("payer_doc", 19, 33),
        ("payer_name", 34, 73),
        ("payer_address", 74, 113),
        ("payer_district", 114, 128),
        ("payer_zip", 129, 133),
        ("payer_zip_suffix", 134, 136),
        ("payer_city", 137, 151),
        ("payer_state", 152, 153),
        ("guarantor_doc_type", 154, 154),
        ("guarantor_doc", 155, 169),
        ("guarantor_name", 170, 209),
        ("correspondent_bank", 210, 212),
        ("correspondent_nosso_numero", 213, 232),
    ],
    "R": [
        ("discount2_code", 18, 18),
        ("discount2_date", 19, 26),
        ("discount2", 27, 41),
        ("discount3_code", 42, 42),
        ("discount3_date", 43, 50),
        ("discount3", 51, 65),
        ("fine_code", 66, 66),
        ("fine_date", 67, 74),
        ("fine", 75, 89),
        ("payer_info", 90, 99),
        ("message3", 100, 139),
        ("message4", 140, 179),
        ("payer_occurrence", 200, 207),
        ("debit_bank", 208, 210),
        ("debit_agency", 211, 215),
        ("debit_account", 217, 228),
        ("debit_notice", 231, 231),
    ],
    "lot_trailer": [
        ("lot_records", 18, 23),
        ("simple_count", 24, 29),
        ("simple_total", 30, 46),
        ("linked_count", 47, 52),
        ("linked_total", 53, 69),
        ("pledged_count", 70, 75),
        ("pledged_total", 76, 92),
        ("discounted_count", 93, 98),
        ("discounted_total", 99, 115),
        ("notice", 116, 123),
    ],
    "trailer": [("lot", 4, 7), ("record_type", 8, 8), ("lots", 18, 23), ("records", 24, 29), ("accounts", 30, 35)],
    "T": [
        ("movement", 16, 17),
        ("nosso_numero", 38, 57),
        ("carteira_code", 58, 58),
        ("document_number", 59, 73),
        ("due_date", 74, 81),
        ("face_amount", 82, 96),
        ("collecting_bank", 97, 99),
        ("collecting_agency", 100, 104),
        ("company_use", 106, 130),
        ("currency", 131, 132),
        ("payer_doc_type", 133, 133),
        ("payer_doc", 134, 148),
        ("payer_name", 149, 188),
        ("contract", 189, 198),
        ("fee", 199, 213),
        ("reasons", 214, 223),
    ],
    "U": [
        ("interest_fine", 18, 32),
        ("discount", 33, 47),
        ("rebate", 48, 62),
        ("iof", 63, 77),
        ("paid", 78, 92),
        ("credited", 93, 107),
        ("other_expenses", 108, 122),
        ("other_credits", 123, 137),
        ("occurrence_date", 138, 145),
        ("credit_date", 146, 153),
        ("payer_occurrence", 154, 157),
        ("payer_occurrence_date", 158, 165),
        ("payer_occurrence_value", 166, 180),
        ("payer_occurrence_complement", 181, 210),
        ("correspondent_bank", 211, 213),
        ("correspondent_nosso_numero", 214, 233),
    ],
}


@pytest.mark.parametrize("name", sorted(FEBRABAN_TABLES))
def test_febraban_240_records(name):
    expect(FEBRABAN[name], FEBRABAN_TABLES[name])


def test_febraban_240_constants():
    assert blank(FEBRABAN["header"])[3:8] == "00000"  # lote 0000, registro 0
    assert blank(FEBRABAN["trailer"])[3:8] == "99999"  # lote 9999, registro 9
    p = blank(FEBRABAN["P"])
    assert (p[7], p[13], p[227:229]) == ("3", "P", "09")  # registro 3, segmento P, moeda 09 (G065: Real)
    assert blank(FEBRABAN["lot_header"])[7:11] == "1 01"  # registro 1, serviço 01 (cobrança)
    assert blank(FEBRABAN["Q"])[13] == "Q" and blank(FEBRABAN["R"])[13] == "R"


# Bank tables: only the positions each manual changes or names differently; the others are
# FEBRABAN's and covered above through the records the banks keep.
BANK_TABLES = {
    ("001", 240): {
        "header": [("bb_convenio", 33, 41), ("bb_service", 42, 45), ("bb_carteira", 46, 47), ("bb_variation", 48, 50)],
        "lot_header": [
            ("bb_convenio", 34, 42),
            ("bb_service", 43, 46),
            ("bb_carteira", 47, 48),
            ("bb_variation", 49, 51),
            ("bb_test", 52, 53),
        ],
    },
    ("237", 240): {
        "P": [("carteira", 38, 40), ("nosso_number", 46, 56), ("nosso_dv", 57, 57)],
        "T": [("carteira", 38, 40), ("nosso_number", 46, 56), ("nosso_dv", 57, 57)],
    },
    ("033", 240): {
        "header": [
            ("company_doc_type", 17, 17),
            ("company_doc", 18, 32),
            ("transmission_code", 33, 47),
            ("company_name", 73, 102),
            ("file_date", 144, 151),
            ("file_sequence", 158, 163),
            ("layout_version", 164, 166),
        ],
        "return_header": [("agency", 33, 36), ("agency_dv", 37, 37), ("account", 38, 46), ("convenio", 53, 61)],
        "lot_header": [("transmission_code", 54, 68), ("company_name", 74, 103), ("remittance_number", 184, 191)],
        "P": [
            ("agency", 18, 21),
            ("agency_dv", 22, 22),
            ("account", 23, 31),
            ("account_dv", 32, 32),
            ("collection_account", 33, 41),
            ("collection_account_dv", 42, 42),
            ("nosso_number", 45, 56),
            ("nosso_dv", 57, 57),
            ("carteira_code", 58, 58),
            ("document_number", 63, 77),
            ("collecting_agency", 101, 104),
            ("write_off_code", 224, 224),
            ("write_off_days", 226, 227),
            ("currency", 228, 229),
        ],
        "Q": [("payer_name", 34, 73), ("carne", 210, 221)],
        "R": [("discount2_code", 18, 18), ("fine_code", 66, 66), ("fine_date", 67, 74), ("message4", 140, 179)],
        "lot_trailer": [("lot_records", 18, 23)],
        "T": [
            ("agency", 18, 21),
            ("account", 23, 31),
            ("nosso_number", 41, 52),
            ("nosso_dv", 53, 53),
            ("carteira_code", 54, 54),
            ("document_number", 55, 69),
            ("due_date", 70, 77),
            ("face_amount", 78, 92),
            ("collecting_bank", 93, 95),
            ("collecting_agency", 96, 99),
            ("company_use", 101, 125),
            ("payer_doc", 129, 143),
            ("payer_name", 144, 183),
            ("fee", 194, 208),
            ("reasons", 209, 218),
        ],
        "U": [("paid", 78, 92), ("credited", 93, 107), ("credit_date", 146, 153), ("correspondent_bank", 211, 213)],
    },
    ("104", 240): {
        "header": [("agency", 53, 57), ("beneficiary_code", 59, 64), ("company_reserved", 192, 211)],
        "lot_header": [("beneficiary_code", 34, 39), ("beneficiary_code", 60, 65), ("model_code", 66, 72)],
        "P": [
            ("beneficiary_code", 24, 29),
            ("sinco", 40, 40),
            ("modalidade", 41, 42),
            ("nosso_number", 43, 57),
            ("document_number", 63, 73),
            ("write_off_days", 225, 227),
        ],
        "lot_trailer": [("lot_records", 18, 23), ("simple_count", 24, 29), ("simple_total", 30, 46)],
        "T": [
            ("beneficiary_code", 24, 29),
            ("sinco", 39, 39),
            ("modalidade", 40, 41),
            ("nosso_number", 42, 56),
            ("nosso_dv", 57, 57),
            ("document_number", 59, 69),
            ("fee", 199, 213),
            ("reasons", 214, 223),
        ],
        "U": [("fee_date", 158, 165), ("payer_code", 166, 180)],
    },
    ("341", 240): {
        "header": [("agency", 54, 57), ("account", 66, 70), ("account_dv", 72, 72), ("layout_version", 164, 166)],
        "lot_header": [("agency", 55, 58), ("account", 67, 71), ("account_dv", 73, 73)],
        "P": [
            ("agency", 19, 22),
            ("account", 31, 35),
            ("account_dv", 37, 37),
            ("carteira", 38, 40),
            ("nosso_number", 41, 48),
            ("nosso_dv", 49, 49),
            ("document_number", 63, 72),
            ("interest_date", 119, 126),
            ("interest", 127, 141),
            ("discount_date", 143, 150),
            ("write_off_code", 224, 224),
            ("write_off_days", 225, 226),
        ],
        "Q": [("payer_name", 34, 73), ("guarantor_name", 170, 199)],
        "R": [("fine_code", 66, 66), ("fine_date", 67, 74), ("fine", 75, 89), ("payer_info", 100, 139)],
        "T": [
            ("carteira", 38, 40),
            ("nosso_number", 41, 48),
            ("nosso_dv", 49, 49),
            ("document_number", 59, 68),
            ("payer_name", 149, 178),
            ("fee", 199, 213),
            ("reasons", 214, 221),
            ("liquidation", 222, 223),
        ],
        "U": [("payer_occurrence", 154, 157), ("payer_occurrence_date", 158, 165)],
    },
    ("748", 240): {"P": [("nosso_numero", 38, 57)]},
    ("756", 240): {
        "P": [
            ("nosso_with_dv", 38, 47),
            ("installment", 48, 49),
            ("modalidade", 50, 51),
            ("form", 52, 52),
            ("registration", 59, 59),
        ],
        "T": [("nosso_with_dv", 38, 47), ("installment", 48, 49), ("modalidade", 50, 51)],
    },
    ("341", 400): {
        "header": [
            ("agency", 27, 30),
            ("account", 33, 37),
            ("account_dv", 38, 38),
            ("company_name", 47, 76),
            ("bank_code", 77, 79),
            ("bank_name", 80, 94),
            ("file_date", 95, 100),
            ("line_number", 395, 400),
        ],
        "detail": [
            ("company_doc_type", 2, 3),
            ("company_doc", 4, 17),
            ("agency", 18, 21),
            ("account", 24, 28),
            ("account_dv", 29, 29),
            ("cancelled_instruction", 34, 37),
            ("company_use", 38, 62),
            ("nosso_number", 63, 70),
            ("currency_quantity", 71, 83),
            ("carteira", 84, 86),
            ("carteira_code", 108, 108),
            ("movement", 109, 110),
            ("document_number", 111, 120),
            ("due_date", 121, 126),
            ("amount", 127, 139),
            ("bank_code", 140, 142),
            ("collecting_agency", 143, 147),
            ("especie", 148, 149),
            ("acceptance", 150, 150),
            ("issue_date", 151, 156),
            ("instruction1", 157, 158),
            ("instruction2", 159, 160),
            ("interest", 161, 173),
            ("discount_date", 174, 179),
            ("discount", 180, 192),
            ("iof", 193, 205),
            ("rebate", 206, 218),
            ("payer_doc_type", 219, 220),
            ("payer_doc", 221, 234),
            ("payer_name", 235, 274),  # nota 15: 235-264 joined with the blanks 265-274
            ("payer_address", 275, 314),
            ("payer_district", 315, 326),
            ("payer_zip_code", 327, 334),
            ("payer_city", 335, 349),
            ("payer_state", 350, 351),
            ("guarantor_name", 352, 381),
            ("interest_date", 386, 391),
            ("days", 392, 393),
            ("line_number", 395, 400),
        ],
        "fine": [("fine_code", 2, 2), ("fine_date", 3, 10), ("fine", 11, 23)],
        "pix": [("pix_key", 2, 78), ("pix_location", 79, 142)],
        "trailer": [("line_number", 395, 400)],
        "return_header": [("sequence", 109, 113), ("credit_date", 114, 119)],
        "return_detail": [
            ("company_use", 38, 62),
            ("carteira", 83, 85),
            ("nosso_number", 86, 93),
            ("nosso_dv", 94, 94),
            ("carteira_code", 108, 108),
            ("movement", 109, 110),
            ("occurrence_date", 111, 116),
            ("document_number", 117, 126),
            ("due_date", 147, 152),
            ("face_amount", 153, 165),
            ("fee", 176, 188),
            ("iof", 215, 227),
            ("rebate", 228, 240),
            ("discount", 241, 253),
            ("credited", 254, 266),
            ("interest_fine", 267, 279),
            ("other_credits", 280, 292),
            ("credit_date", 296, 301),
            ("payer_name", 325, 354),
            ("reasons", 378, 385),
            ("liquidation", 393, 394),
        ],
        "return_pix": [("pix_emv", 2, 391), ("pix_error", 392, 394)],
        "return_trailer": [
            ("simple_count", 18, 25),
            ("simple_total", 26, 39),
            ("details", 213, 220),
            ("total", 221, 234),
        ],
    },
    ("237", 400): {
        "header": [
            ("company_code", 27, 46),
            ("company_name", 47, 76),
            ("bank_code", 77, 79),
            ("bank_name", 80, 94),
            ("file_date", 95, 100),
            ("system", 109, 110),
            ("sequence", 111, 117),
        ],
        "detail": [
            ("carteira", 22, 24),
            ("agency", 25, 29),
            ("account", 30, 36),
            ("account_dv", 37, 37),
            ("company_use", 38, 62),
            ("debit_bank", 63, 65),
            ("fine_code", 66, 66),
            ("fine", 67, 70),
            ("nosso_number", 71, 81),
            ("nosso_dv", 82, 82),
            ("issuer", 93, 93),
            ("movement", 109, 110),
            ("document_number", 111, 120),
            ("due_date", 121, 126),
            ("amount", 127, 139),
            ("especie", 148, 149),
            ("acceptance", 150, 150),
            ("issue_date", 151, 156),
            ("instruction1", 157, 158),
            ("instruction2", 159, 160),
            ("interest", 161, 173),
            ("discount_date", 174, 179),
            ("discount", 180, 192),
            ("iof", 193, 205),
            ("rebate", 206, 218),
            ("payer_doc_type", 219, 220),
            ("payer_doc", 221, 234),
            ("payer_name", 235, 274),
            ("payer_address", 275, 314),
            ("message1", 315, 326),
            ("payer_zip", 327, 331),
            ("payer_zip_suffix", 332, 334),
            ("guarantor_or_message", 335, 394),
        ],
        "return_header": [("company_code", 27, 46), ("notice", 109, 113), ("credit_date", 380, 385)],
        "return_detail": [
            ("company_doc", 4, 17),
            ("carteira", 22, 24),
            ("nosso_number", 71, 81),
            ("nosso_dv", 82, 82),
            ("movement", 109, 110),
            ("occurrence_date", 111, 116),
            ("document_number", 117, 126),
            ("nosso_numero_20", 127, 146),
            ("due_date", 147, 152),
            ("face_amount", 153, 165),
            ("fee", 176, 188),
            ("other_expenses", 189, 201),
            ("iof", 215, 227),
            ("rebate", 228, 240),
            ("discount", 241, 253),
            ("paid", 254, 266),
            ("interest_fine", 267, 279),
            ("credit_date", 296, 301),
            ("reasons", 319, 328),
        ],
    },
}


@pytest.mark.parametrize(
    ("key", "name"), [(key, name) for key, tables in sorted(BANK_TABLES.items()) for name in sorted(tables)]
)
def test_bank_records(key, name):
    expect(get_layout(*key).records[name], BANK_TABLES[key][name])


def test_bank_constants():
    """The "Conteúdo" column of the tables: literals and fixed codes."""
    itau = get_layout("341", 400).records
    assert blank(itau["header"]).startswith("01REMESSA01COBRANCA      ")
    assert blank(itau["header"])[76:94] == "341BANCO ITAU SA  "
    assert blank(itau["fine"])[0] == "2" and blank(itau["pix"])[0] == "3" and blank(itau["trailer"])[0] == "9"
    bradesco = get_layout("237", 400).records
    assert blank(bradesco["header"]).startswith("01REMESSA01COBRANCA      ")
    assert blank(bradesco["header"])[76:94] == "237BRADESCO       "
    assert blank(bradesco["header"])[108:110] == "MX"
    assert blank(bradesco["detail"])[92] == "2"  # 093: cliente emite
    assert blank(bradesco["detail"])[149] == "N"  # 150: "Sempre = N"
    assert blank(get_layout("001").records["header"])[41:45] == "0014"  # BB2: cobrança cedente
    assert blank(get_layout("033").records["P"])[224:229] == "00000"  # 225 "Zero Fixo", moeda 00 (nota 27)
    assert blank(get_layout("104").records["P"])[39] == "0"  # 40: nosso número of 17 positions (G069A)
    assert blank(get_layout("756").records["P"])[47:52] == "01004"  # parcela 01, form 4 (no modalidade yet)


def test_research_notes_positions():
    """cnab.md section 2-3 (brcobranca, laravel-boleto, cnab_yaml): the same positions."""
    generic = {name: positions(record) for name, record in FEBRABAN.items()}
    assert ("convenio", 33, 52) in generic["header"] and ("file_sequence", 158, 163) in generic["header"]
    assert ("nosso_numero", 38, 57) in generic["P"] and ("company_use", 196, 220) in generic["P"]
    assert ("reasons", 214, 223) in generic["T"] and ("fee", 199, 213) in generic["T"]
    assert ("paid", 78, 92) in generic["U"] and ("credit_date", 146, 153) in generic["U"]
    santander = get_layout("033").records
    assert ("transmission_code", 33, 47) in positions(santander["header"])
    assert ("transmission_code", 54, 68) in positions(santander["lot_header"])
    assert {("fee", 194, 208), ("reasons", 209, 218)} <= positions(santander["T"])
    assert ("beneficiary_code", 59, 64) in positions(get_layout("104").records["header"])
    assert ("beneficiary_code", 24, 29) in positions(get_layout("104").records["P"])
    assert {("carteira", 38, 40), ("nosso_number", 41, 48), ("nosso_dv", 49, 49)} <= positions(
        get_layout("341").records["P"]
    )
    assert ("carteira", 38, 40) in positions(get_layout("237").records["P"])
    itau400 = get_layout("341", 400).records
    assert {("nosso_number", 63, 70), ("carteira", 84, 86), ("movement", 109, 110)} <= positions(itau400["detail"])
    assert {("fee", 176, 188), ("credited", 254, 266), ("reasons", 378, 385)} <= positions(itau400["return_detail"])
    bradesco400 = get_layout("237", 400).records
    assert {("company_code", 27, 46), ("sequence", 111, 117)} <= positions(bradesco400["header"])
    assert ("reasons", 319, 328) in positions(bradesco400["return_detail"])
