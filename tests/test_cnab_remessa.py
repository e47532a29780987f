"""Writing remessas: what each bank's manual asks for, in the positions it names.

Sources of the expected values (see also test_cnab_layouts for the positions):
- Bradesco "Layout Cobrança" 4008.524.0121 pp. 17-19: the nosso número check digit examples
  (carteira 19: 00000000002 -> 8, 00000000001 -> P, 00000000006 -> 0); p. 7 and 4008.524.0339
  p. 5: file names CBDDMM??.REM / .TST.
- Santander H7815 v2.9 nota 15: the check digit examples (3147578 -> 7, 4870184 -> 0); nota 5
  (tipo de cobrança), nota 14 (movement codes), nota 27 (moeda 00).
- Itaú "Cobrança CNAB 400" (2016) Nota 23 as the boleto module's tests cite it: agency 0057,
  account 72192, carteira 109, nosso número 98712345 -> DAC 8; Itaú 240 (2017) notas 4, 18, 19.
- Sicoob workbook (2017-08-22) sheet 02 item 3.13: cooperative 0001, client 1-9, nosso número
  21 -> 21-8; sheet 05 (segment P 38-57, juros 0/1/2, the dates the due date).
- Sicredi CNAB 240 (August 2019) item 5.5 (CCCCCMDD, months 1-9, O, N, D), 13.3P ("182xxxxxD"),
  38.3P/39.3P (baixa 1, 060), 14.3R (multa in percent only).
- Caixa SIGCB 240 (MO 67118 v010) G069 (nosso número 14 + 15 digits), G022 (REMESSA-TESTE),
  C004 (47 with 17.3P = 4 or 5), C070/C071 (lot trailer totals), item 1.6 (.rem).
- Banco do Brasil 240 (August 2017) 07.0/11.1 (convênio + 0014 + carteira + variação; "TS").
"""

from datetime import date, datetime
from decimal import Decimal

import pytest

from cobranca_core.boleto import NossoNumero, Wallet
from cobranca_core.boleto import get_layout as boleto_layout
from cobranca_core.cnab import (
    Beneficiary,
    InvalidCnab,
    Movement,
    Payer,
    Title,
    get_layout,
    names,
    read_remessa,
    write_remessa,
)

WHEN = datetime(2026, 3, 2, 10, 30, 15)
COMPANY = "04.252.011/0001-10"
PAYER = Payer(
    "Maria da Silva Comércio ME",
    "11.222.333/0001-81",
    "Rua das Flores, 123 - Sala 4",
    "Centro",
    "01310-100",
    "São Paulo",
    "SP",
)

BENEFICIARIES = {
    ("001", 240): {
        "wallet": Wallet(agency="4042", account="61900", carteira="17", convenio="1234567"),
        "variation": "19",
    },
    ("033", 240): {
        "wallet": Wallet(agency="4042", account="13000123", account_dv="4", convenio="1899775", carteira="101"),
        "transmission_code": "404200001899775",
    },
    ("104", 240): {"wallet": Wallet(agency="1234", agency_dv="5", convenio="005507", carteira="RG")},
    ("237", 240): {"wallet": Wallet(agency="4042", account="61900", carteira="09"), "company_code": "1234567"},
    ("237", 400): {"wallet": Wallet(agency="4042", account="61900", carteira="09"), "company_code": "1234567"},
    ("341", 240): {"wallet": Wallet(agency="0057", account="72192", carteira="109")},
    ("341", 400): {"wallet": Wallet(agency="0057", account="72192", carteira="109")},
    ("748", 240): {"wallet": Wallet(agency="0165", posto="02", convenio="00623", carteira="1")},
    ("756", 240): {"wallet": Wallet(agency="4327", convenio="229385", carteira="1", account="12345", account_dv="6")},
}


def beneficiary(bank, size=240, **changes):
    values = {"layout": size, "company_name": "BR Company Ltda", "company_document": COMPANY}
    return Beneficiary(bank_code=bank, **{**values, **BENEFICIARIES[bank, size], **changes})


def title(ben, sequence=123, **changes):
    number = boleto_layout(ben.bank_code).nosso_numero(ben.wallet, sequence, issue_date=date(2026, 3, 1))
    values = {
        "reference": "INV/2026/0001 1/2",
        "nosso_numero": number,
        "due_date": date(2026, 4, 10),
        "amount": Decimal("615.00"),
        "document_number": "12345",
        "issue_date": date(2026, 3, 1),
        "payer": PAYER,
        "fine_percent": Decimal(2),
        "interest_monthly_percent": Decimal(1),
        "especie": "DMI" if ben.bank_code == "748" else "DM",
    }
    return Title(**{**values, **changes})


def lines(remessa):
    assert remessa.content.endswith("\r\n")
    return remessa.content.split("\r\n")[:-1]


def at(line, start, end):
    return line[start - 1 : end]


@pytest.mark.parametrize(("bank", "size"), sorted(BENEFICIARIES))
def test_every_line_has_the_layout_length_and_crlf(bank, size):
    ben = beneficiary(bank, size)
    remessa = write_remessa(ben, [title(ben), title(ben, 124, movement=Movement.WRITE_OFF)], 7, WHEN)
    assert all(len(line) == size for line in lines(remessa))
    assert remessa.data.decode("ascii") == remessa.content
    assert remessa.content.count("\r\n") == remessa.content.count("\n")
    assert (remessa.titles, remessa.total, remessa.sequence) == (2, Decimal("615.00"), 7)


@pytest.mark.parametrize(("bank", "size"), [key for key in sorted(BENEFICIARIES) if key[1] == 240])
def test_240_file_structure_counts_and_sequences(bank, size):
    ben = beneficiary(bank)
    remessa = write_remessa(ben, [title(ben), title(ben, 124)], 7, WHEN)
    out = lines(remessa)
    assert [line[7] for line in out] == ["0", "1", "3", "3", "3", "3", "3", "3", "5", "9"]
    assert [line[13] for line in out[2:8]] == ["P", "Q", "R", "P", "Q", "R"]
    assert [int(line[8:13]) for line in out[2:8]] == [1, 2, 3, 4, 5, 6]  # G038: restarts at 1 in the lot
    assert {line[3:7] for line in out[1:9]} == {"0001"} and out[0][3:7] == "0000" and out[-1][3:7] == "9999"
    assert at(out[8], 18, 23) == "000008"  # G057: lot header + 6 details + lot trailer
    assert at(out[9], 18, 23) == "000001" and at(out[9], 24, 29) == "000010"  # G049, G056


def test_240_header_dates_the_file_and_carries_the_sequence():
    ben = beneficiary("237")
    header, lot = lines(write_remessa(ben, [title(ben)], 42, WHEN))[:2]
    assert at(header, 143, 143) == "1" and at(header, 144, 157) == "02032026103015"
    assert at(header, 158, 163) == "000042" and at(lot, 184, 191) == "00000042"
    assert at(header, 18, 32) == "204252011000110" and at(header, 73, 102).rstrip() == "BR COMPANY LTDA"
    assert at(header, 164, 166) == "084" and at(lot, 14, 16) == "042"


def test_lot_trailer_totals_where_the_bank_asks_for_them():
    ben = beneficiary("104")
    out = lines(write_remessa(ben, [title(ben), title(ben, 124, amount=Decimal("10.50"))], 1, WHEN))
    assert at(out[-2], 24, 29) == "000002" and at(out[-2], 30, 46) == "00000000000062550"  # C070, C071
    ben = beneficiary("237")
    out = lines(write_remessa(ben, [title(ben)], 1, WHEN))
    assert at(out[-2], 24, 46) == "0" * 23  # FEBRABAN: "Só serão utilizados para informação do arquivo retorno"


@pytest.mark.parametrize(
    ("sequence", "expected"),
    [(2, "000000000028"), (1, "00000000001P"), (6, "000000000060")],  # Bradesco 400 manual, carteira 19
)
def test_bradesco_nosso_numero_check_digit_examples(sequence, expected):
    ben = beneficiary("237", 400, wallet=Wallet(agency="4042", account="61900", carteira="19"))
    detail = lines(write_remessa(ben, [title(ben, sequence)], 1, WHEN))[1]
    assert at(detail, 71, 82) == expected
    assert at(detail, 21, 37) == "0" + "019" + "04042" + "0061900" + "0"  # zero, carteira, agency, account, DV
    p = lines(write_remessa(beneficiary("237", wallet=ben.wallet), [title(ben, sequence)], 1, WHEN))[2]
    assert at(p, 38, 57) == "019" + "00000" + expected


@pytest.mark.parametrize(("sequence", "expected"), [(3147578, "0000031475787"), (4870184, "0000048701840")])
def test_santander_nosso_numero_check_digit_examples(sequence, expected):
    ben = beneficiary("033")
    p = lines(write_remessa(ben, [title(ben, sequence)], 1, WHEN))[2]
    assert at(p, 45, 57) == expected
    assert at(p, 58, 58) == "5"  # nota 5: 101 = cobrança simples rápida com registro
    assert at(p, 228, 229) == "00"  # nota 27


def test_itau_dac_example_in_240_and_400():
    ben = beneficiary("341")
    p = lines(write_remessa(ben, [title(ben, 98712345)], 1, WHEN))[2]
    assert at(p, 38, 49) == "109987123458"
    assert at(p, 19, 22) == "0057" and at(p, 31, 35) == "72192"
    ben = beneficiary("341", 400)
    detail = lines(write_remessa(ben, [title(ben, 98712345)], 1, WHEN))[1]
    assert at(detail, 63, 70) == "98712345" and at(detail, 84, 86) == "109" and at(detail, 108, 108) == "I"


def test_sicoob_nosso_numero_example():
    wallet = Wallet(agency="0001", convenio="1", convenio_dv="9", carteira="1", account="12345", account_dv="6")
    ben = beneficiary("756", wallet=wallet)
    p = lines(write_remessa(ben, [title(ben, 21)], 1, WHEN))[2]
    assert at(p, 38, 57) == "0000000218" + "01" + "01" + "4" + "     "
    assert at(p, 118, 126) == "110042026"  # juros 1 (value a day), from the due date
    ben_plain = beneficiary("756")
    p = lines(write_remessa(ben_plain, [title(ben_plain, interest_monthly_percent=0)], 1, WHEN))[2]
    assert at(p, 118, 118) == "0"  # isento


def test_sicredi_nosso_numero_baixa_and_percent_fine():
    ben = beneficiary("748")
    out = lines(write_remessa(ben, [title(ben)], 1, WHEN))
    nosso = boleto_layout("748").nosso_numero(ben.wallet, 123, issue_date=date(2026, 3, 1))
    assert at(out[2], 38, 57).rstrip() == nosso.number + nosso.check_digit
    assert at(out[2], 38, 40) == "262"  # year 26, byte 2 ("182xxxxxD" in 2018)
    assert at(out[2], 224, 227) == "1060"
    assert at(out[2], 107, 108) == "03"  # DMI
    assert at(out[4], 66, 89) == "2" + "10042026" + "000000000000200"  # 2 %, the due date


def test_caixa_nosso_numero_beneficiary_and_alteration_code():
    ben = beneficiary("104")
    out = lines(write_remessa(ben, [title(ben)], 1, WHEN))
    assert at(out[0], 59, 64) == "005507" and at(out[0], 33, 52) == "0" * 20
    assert at(out[2], 24, 29) == "005507" and at(out[2], 40, 57) == "0" + "14" + "000000000000123"
    assert at(out[2], 63, 73) == "12345      " and at(out[2], 196, 220).rstrip() == "12345"  # G072
    assert at(out[2], 221, 229) == "3001   09"  # não protestar, baixar after the default D+5
    change = lines(write_remessa(ben, [title(ben, movement=Movement.CHANGE_AMOUNT)], 2, WHEN))[2]
    assert at(change, 16, 17) == "47" and at(change, 61, 61) == "5"


def test_test_files_are_marked():
    caixa = lines(write_remessa(beneficiary("104", test=True), [title(beneficiary("104"))], 1, WHEN))
    assert at(caixa[0], 192, 211).rstrip() == "REMESSA-TESTE"
    bb = lines(write_remessa(beneficiary("001", test=True), [title(beneficiary("001"))], 1, WHEN))
    assert at(bb[1], 34, 53) == "001234567" + "0014" + "17" + "019" + "TS"
    assert at(bb[0], 33, 52) == "001234567" + "0014" + "17" + "019" + "  "
    assert write_remessa(beneficiary("237", test=True), [title(beneficiary("237"))], 1, WHEN).name.endswith(".TST")


def test_banco_do_brasil_nosso_numero_by_convenio_length():
    seven = beneficiary("001")
    p = lines(write_remessa(seven, [title(seven)], 1, WHEN))[2]
    assert at(p, 38, 57) == "12345670000000123   "  # left-aligned, 17 digits without DV
    assert at(p, 58, 62) == "71122"  # carteira 17: code 7, client prints and delivers
    four = beneficiary("001", wallet=Wallet(agency="4042", account="61900", carteira="18", convenio="1238"))
    p = lines(write_remessa(four, [title(four)], 1, WHEN))[2]
    nosso = boleto_layout("001").nosso_numero(four.wallet, 123)
    assert at(p, 38, 57) == (nosso.number + nosso.check_digit).ljust(20)
    assert at(p, 224, 227) == "0000"  # "Campo não tratado pelo sistema. Informar 'zeros'"


def test_interest_and_fine_are_the_amounts_the_boleto_prints():
    ben = beneficiary("237")
    out = lines(write_remessa(ben, [title(ben)], 1, WHEN))
    # 615.00 at 2 % fine and 1 % a month: R$ 12,30 once and R$ 0,21 a day (charges.instruction_amounts).
    assert at(out[2], 118, 141) == "1" + "11042026" + "000000000000021"  # C018 1, C019 after the due date
    assert at(out[4], 66, 89) == "1" + "11042026" + "000000000001230"  # G073 1, G074
    ben = beneficiary("033")
    out = lines(write_remessa(ben, [title(ben)], 1, WHEN))
    assert at(out[2], 118, 126) == "110042026" and at(out[4], 66, 74) == "110042026"  # notas 22 and 33


def test_discount_until_a_date():
    ben = beneficiary("237")
    item = title(ben, discount=Decimal("15.00"), discount_date=date(2026, 4, 5))
    p = lines(write_remessa(ben, [item], 1, WHEN))[2]
    assert at(p, 142, 165) == "1" + "05042026" + "000000000001500"


@pytest.mark.parametrize(
    ("bank", "size", "code"),
    [("001", 240, "02"), ("237", 240, "02"), ("341", 240, "02"), ("748", 240, "02"), ("756", 240, "02")],
)
def test_write_off_sends_the_baixa_code_and_no_r_segment(bank, size, code):
    ben = beneficiary(bank, size)
    out = lines(write_remessa(ben, [title(ben, movement=Movement.WRITE_OFF, payer=None)], 1, WHEN))
    assert [line[13] for line in out[2:-2]] == ["P", "Q"]
    assert at(out[2], 16, 17) == code and at(out[3], 16, 17) == code


def test_due_date_change():
    ben = beneficiary("341", 400)
    detail = lines(write_remessa(ben, [title(ben, movement=Movement.CHANGE_DUE_DATE, due_date=date(2026, 5, 1))], 1))[1]
    assert at(detail, 109, 110) == "06" and at(detail, 121, 126) == "010526"


def test_itau_amount_change_is_sent_alone():
    ben = beneficiary("341")
    p = lines(write_remessa(ben, [title(ben, movement=Movement.CHANGE_AMOUNT, amount=Decimal("600.00"))], 1, WHEN))[2]
    assert at(p, 16, 17) == "31" and at(p, 78, 85) == "00000000" and at(p, 86, 100) == "000000000060000"


@pytest.mark.parametrize(("bank", "size"), [("001", 240), ("033", 240), ("237", 240), ("748", 240), ("756", 240)])
def test_amount_change_refused_where_the_bank_has_no_instruction(bank, size):
    ben = beneficiary(bank, size)
    with pytest.raises(InvalidCnab, match="write it off and issue a new boleto") as caught:
        write_remessa(ben, [title(ben, movement=Movement.CHANGE_AMOUNT)], 1, WHEN)
    assert (caught.value.reference, caught.value.field, caught.value.reason) == (
        "INV/2026/0001 1/2",
        "movement",
        "unsupported",
    )


def test_itau_400_boleto_pix():
    ben = beneficiary("341", 400)
    out = lines(write_remessa(ben, [title(ben, pix_key="financeiro@brcompany.example.com")], 1, WHEN))
    assert [line[0] for line in out] == ["0", "1", "2", "3", "9"]
    assert at(out[1], 109, 110) == "71"  # nota 6: remessa - Boleto Pix
    assert at(out[3], 2, 78).rstrip() == "FINANCEIRO BRCOMPANY.EXAMPLE.COM"
    assert [int(line[394:]) for line in out] == [1, 2, 3, 4, 5]
    other = beneficiary("341", 400, wallet=Wallet(agency="0057", account="72192", carteira="112"))
    with pytest.raises(InvalidCnab, match="carteira 109 only"):
        write_remessa(other, [title(other, pix_key="x@y.z")], 1, WHEN)
    with pytest.raises(InvalidCnab, match="does not carry a Pix key"):
        write_remessa(beneficiary("341"), [title(beneficiary("341"), pix_key="x@y.z")], 1, WHEN)


def test_itau_400_fine_record_and_trailer():
    ben = beneficiary("341", 400)
    out = lines(write_remessa(ben, [title(ben)], 1, WHEN))
    assert out[2] == "2" + "1" + "10042026" + "0000000001230" + " " * 371 + "000003"  # notas 35-37
    assert out[3] == "9" + " " * 393 + "000004"


def test_bradesco_400_header_detail_and_write_off_days():
    ben = beneficiary("237", 400, write_off_days=30)
    out = lines(write_remessa(ben, [title(ben)], 15, WHEN))
    assert at(out[0], 27, 46) == "00000000000001234567" and at(out[0], 111, 117) == "0000015"
    assert at(out[1], 66, 70) == "20200"  # multa 2 %, two decimals
    assert at(out[1], 157, 160) == "1830"  # "18" decurso de prazo, 30 days
    assert at(out[1], 148, 150) == "01N" and at(out[1], 219, 234) == "0211222333000181"
    assert at(out[1], 327, 334) == "01310100"


def test_payer_name_too_long_is_cut_to_the_field():
    ben = beneficiary("237")
    long_name = "Comercial de Produtos Alimentícios e Bebidas do Vale do Paraíba Ltda"
    q = lines(write_remessa(ben, [title(ben, payer=PAYER.__class__(**{**PAYER.__dict__, "name": long_name}))], 1))[3]
    assert at(q, 34, 73) == "COMERCIAL DE PRODUTOS ALIMENTICIOS E BEB"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"document": ""}, "payer_document", "is missing"),
        ({"document": "111.444.777-36"}, "payer_document", "not a valid CPF or CNPJ"),
        ({"address": " "}, "payer_address", "is required"),
        ({"city": ""}, "payer_city", "is required"),
        ({"name": ""}, "payer_name", "is required"),
        ({"zip_code": "0131-100"}, "payer_zip_code", "8 digits"),
        ({"zip_code": "00000-000"}, "payer_zip_code", "8 digits"),
        ({"state": "XX"}, "payer_state", "not a Brazilian state"),
    ],
)
def test_missing_payer_data_is_refused_naming_the_boleto_and_the_field(changes, field, message):
    ben = beneficiary("341")
    payer = Payer(**{**PAYER.__dict__, **changes})
    with pytest.raises(InvalidCnab, match=message) as caught:
        write_remessa(ben, [title(ben, payer=payer)], 1, WHEN)
    assert (caught.value.reference, caught.value.field) == ("INV/2026/0001 1/2", field)
    assert str(caught.value).startswith(f"INV/2026/0001 1/2: {field}: ")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"document_number": "INV/2026/00012-1"}, "document_number"),  # Itaú: X(10)
        ({"document_number": ""}, "document_number"),
        ({"amount": Decimal("0")}, "amount"),
        ({"amount": 10.5}, "amount"),
        ({"discount": Decimal("5"), "discount_date": None}, "discount_date"),
        ({"discount": Decimal("615.00"), "discount_date": date(2026, 4, 1)}, "discount"),
        ({"issue_date": date(2026, 5, 1)}, "issue_date"),
        ({"especie": "XYZ"}, "especie"),
        ({"payer": None}, "payer"),
        ({"movement": "protest"}, "movement"),
        ({"fine_percent": Decimal(100)}, "fine_percent"),
    ],
)
def test_title_values_the_bank_would_refuse(changes, field):
    ben = beneficiary("341")
    with pytest.raises(InvalidCnab) as caught:
        write_remessa(ben, [title(ben, **changes)], 1, WHEN)
    assert caught.value.field == field


def test_sicredi_refuses_the_especies_it_does_not_have():
    ben = beneficiary("748")
    with pytest.raises(InvalidCnab, match="'DM' is not one of Sicredi CNAB 240's"):
        write_remessa(ben, [title(ben, especie="DM")], 1, WHEN)


def test_a_fine_percentage_with_more_decimals_than_sicredi_takes():
    ben = beneficiary("748")
    with pytest.raises(InvalidCnab, match=r"fine: 2\.125 has more than two decimals"):
        write_remessa(ben, [title(ben, fine_percent=Decimal("2.125"))], 1, WHEN)


@pytest.mark.parametrize(
    ("bank", "size", "changes", "field"),
    [
        ("033", 240, {"transmission_code": ""}, "transmission_code"),
        ("001", 240, {"variation": ""}, "variation"),
        ("237", 400, {"company_code": ""}, "company_code"),
        ("237", 240, {"company_code": "1" * 21}, "company_code"),
        ("756", 240, {"wallet": Wallet(agency="4327", convenio="229385", carteira="1")}, "account"),
        ("033", 240, {"wallet": Wallet(agency="4042", account="1", convenio="1899775", carteira="102")}, "carteira"),
        ("341", 240, {"wallet": Wallet(agency="0057", account="72192", account_dv="1", carteira="109")}, "account_dv"),
        ("341", 240, {"company_document": "12.345.678/0001-00"}, "company_document"),
        ("341", 240, {"company_name": " "}, "company_name"),
    ],
)
def test_beneficiary_codes_the_bank_needs(bank, size, changes, field):
    ben = beneficiary(bank, size, **changes)
    with pytest.raises(InvalidCnab) as caught:
        write_remessa(ben, [title(beneficiary(bank, size))], 1, WHEN)
    assert (caught.value.reference, caught.value.field) == ("wallet", field)


def test_file_level_checks():
    ben = beneficiary("341")
    with pytest.raises(InvalidCnab, match="at least one title"):
        write_remessa(ben, [], 1, WHEN)
    with pytest.raises(InvalidCnab, match="from 1 to 999999"):
        write_remessa(ben, [title(ben)], 1_000_000, WHEN)
    with pytest.raises(InvalidCnab, match="is also in INV/2026/0001 1/2") as caught:
        write_remessa(ben, [title(ben), title(ben, reference="INV/2026/0002")], 1, WHEN)
    assert caught.value.reference == "INV/2026/0002"
    with pytest.raises(InvalidCnab, match="no CNAB 400 layout for bank '033'"):
        write_remessa(beneficiary("033", layout=400), [title(ben)], 1, WHEN)
    assert (
        write_remessa(beneficiary("237", 400), [title(beneficiary("237", 400))], 9_999_999, WHEN).sequence == 9_999_999
    )


def test_file_names_by_the_banks_rules():
    assert names.bradesco(1, datetime(2026, 5, 1)) == "CB010501.REM"  # the manual's example
    assert names.bradesco(36 * 10 + 11, datetime(2026, 5, 1)) == "CB0105AB.REM"
    assert names.bradesco(1, datetime(2026, 5, 1), test=True) == "CB010501.TST"
    assert names.sicredi("00623", 7, datetime(2026, 10, 3)) == "00623O03.007"  # October is "O"
    assert names.sicredi("623", 1007, datetime(2026, 12, 25)) == "00623D25.007"
    assert names.caixa("005507", 7, WHEN).endswith(".rem")
    assert names.neutral("341", 400, 12, WHEN) == "CNAB400_341_20260302_000012.REM"
    same_day = {write_remessa(beneficiary("237"), [title(beneficiary("237"))], n, WHEN).name for n in range(1, 1297)}
    assert len(same_day) == 1296  # two files of the same day never share a name


def test_read_remessa_gives_back_what_went_in():
    ben = beneficiary("033")
    items = [title(ben), title(ben, 124, discount=Decimal("5.00"), discount_date=date(2026, 4, 1))]
    remessa = read_remessa(write_remessa(ben, items, 5, WHEN).content)
    assert (remessa.bank_code, remessa.layout, remessa.sequence, remessa.generated_on) == ("033", 240, 5, WHEN.date())
    first, second = remessa.titles
    assert (first.nosso_numero, first.nosso_numero_dv) == (items[0].nosso_numero.number, "6")
    assert (first.amount, first.due_date, first.daily_interest, first.fine) == (
        Decimal("615.00"),
        date(2026, 4, 10),
        Decimal("0.21"),
        Decimal("12.30"),
    )
    assert (first.payer_name, first.payer_city, first.payer_zip_code) == (
        "MARIA DA SILVA COMERCIO ME",
        "SAO PAULO",
        "01310100",
    )
    assert (second.discount, second.discount_date) == (Decimal("5.00"), date(2026, 4, 1))


@pytest.mark.parametrize(("bank", "size"), sorted(BENEFICIARIES))
def test_read_remessa_names_the_company_in_every_layout(bank, size):
    """The company's CNPJ is read back from the header, or from the details where the header has none
    (Itaú 400: header 1-100 without inscription, detail 2-17). Bradesco 400 names the company by the
    code the bank gave it (header 27-46) and carries no CNPJ."""
    ben = beneficiary(bank, size)
    remessa = read_remessa(write_remessa(ben, [title(ben)], 7, WHEN).content)
    expected = "" if (bank, size) == ("237", 400) else "4252011000110"
    assert (remessa.company_document, remessa.layout) == (expected, size)


def test_layouts_say_whether_they_register_pix():
    assert [key for key, layout in get_layout.__globals__["LAYOUTS"].items() if layout.registers_pix] == [("341", 400)]
    assert NossoNumero  # the boleto module's type is what titles carry


@pytest.mark.parametrize(
    ("bank", "size", "width"),
    [("001", 240, 15), ("104", 240, 11), ("237", 400, 10), ("341", 240, 10), ("341", 400, 10), ("748", 240, 15)],
)
def test_document_number_width_is_what_the_layout_accepts(bank, size, width):
    """Itaú 400 item 111-120 and 240 P 63-72 (10), Caixa P 63-73 (11), FEBRABAN P 63-77 (15): one
    character more is refused naming the field."""
    ben = beneficiary(bank, size)
    assert get_layout(bank, size).document_number_width == width
    assert write_remessa(ben, [title(ben, document_number="9" * width)], 1, WHEN).titles == 1
    with pytest.raises(InvalidCnab) as error:
        write_remessa(ben, [title(ben, document_number="9" * (width + 1))], 1, WHEN)
    assert error.value.field == "document_number"
