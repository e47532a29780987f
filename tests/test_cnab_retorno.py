"""Reading retornos: typed entries, the banks' codes and texts, and what the addon must look at.

Two kinds of vectors:

- Files of brcobranca's test suite (tests/data/cnab/README.md says which), with the values
  brcobranca's own specs expect of them (spec/brcobranca/retorno/...: e.g. Itaú 400 first
  payment "valor_titulo 0000000004000, valor_tarifa 0000000000210, valor_recebido 0000000003790").
- Lines written here position by position from the manuals' retorno tables (``place``), for the
  banks without such a file: Caixa SIGCB 240 (MO 67118 v010, items 3.6.1-3.6.8, C044, C047),
  Itaú 240 (January 2017, item 3.2, notas 22, 23, 29), Bradesco 240 (4008.524.0339 v06, pp. 18-19
  and C044/C047), Sicoob 240 (workbook sheet 06), Itaú 400 (July 2021, record 3 of the Boleto Pix,
  notas 40-41).
"""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from cobranca_core.boleto import Wallet
from cobranca_core.cnab import (
    LAYOUTS,
    Beneficiary,
    CnabParseError,
    Kind,
    check_retorno,
    parse_retorno,
    supported_layouts,
)

DATA = Path(__file__).parent / "data" / "cnab"


def place(size, fields):
    """A line of ``size`` blanks with each text of ``fields`` ({start position: text}) in place."""
    line = [" "] * size
    for start, text in fields.items():
        line[start - 1 : start - 1 + len(text)] = text
    assert len(line) == size
    return "".join(line)


def header_240(bank, extra=None):
    return place(240, {1: bank, 4: "0000", 8: "0", 143: "2", 144: "03042026", 158: "000123", **(extra or {})})


def trailer_240(bank, lot_records, records):
    return [
        place(240, {1: bank, 4: "0001", 8: "5", 18: f"{lot_records:06d}"}),
        place(240, {1: bank, 4: "9999", 8: "9", 18: "000001", 24: f"{records:06d}"}),
    ]


def segment(bank, number, letter):
    """Positions 1-14 of a detail: bank, lot 0001, record type 3, sequence in the lot, segment."""
    return f"{bank}00013{number:05d}{letter}"


def lot_header_240(bank):
    return place(240, {1: bank, 4: "0001", 8: "1", 9: "T", 10: "01"})


def test_banco_do_brasil_240_brcobranca_file():
    ret = parse_retorno((DATA / "brcobranca-bb-cnab240.ret").read_bytes())
    assert (ret.bank_code, ret.layout, ret.company_document) == ("001", 240, "35643899000145")
    assert (ret.generated_on, ret.sequence, len(ret.entries), ret.problems) == (date(2011, 12, 29), "002108", 35, ())
    first = ret.entries[0]
    # brcobranca spec/brcobranca/retorno/retorno_cnab_240_spec.rb, first payment
    assert first.nosso_numero.endswith("00020673") and first.face_amount == Decimal("344.00")
    assert (first.paid_amount, first.fee, first.interest_fine) == (Decimal("344.00"), Decimal("1.03"), Decimal("0.09"))
    assert (first.discount, first.rebate, first.other_expenses, first.other_credits) == (
        Decimal("0.01"),
        Decimal("0.02"),
        Decimal("0.04"),
        Decimal("0.05"),
    )
    assert first.credit_date == date(2012, 1, 2)
    assert (first.movement.code, first.kind) == ("17", Kind.PAID)  # C044 17: liquidação após baixa
    assert [str(reason) for reason in first.reasons] == ["03 Liquidação no Guichê de Caixa em Dinheiro"]  # C047-C
    assert first.credited_amount == Decimal("342.97")  # G078: paid less the fee


def test_santander_240_brcobranca_file_and_its_hand_edited_lot_trailer():
    ret = parse_retorno((DATA / "brcobranca-santander-cnab240.ret").read_text())
    assert (ret.bank_code, ret.company_document, ret.generated_on) == ("033", "15680668000102", date(2016, 4, 1))
    entry, payment = ret.entries
    # brcobranca spec/brcobranca/retorno/cnab240/santander_spec.rb: nosso número 0000000001406, tarifa 3.92
    assert (entry.nosso_numero, entry.nosso_numero_dv, entry.kind, entry.fee) == (
        "000000000140",
        "6",
        Kind.REGISTERED,
        Decimal("3.92"),
    )
    assert entry.carteira == ""  # T 54 is the tipo de cobrança (nota 5: 2 = simples com registro), not the carteira
    assert (payment.kind, payment.paid_amount, payment.credit_date) == (Kind.PAID, Decimal("10.00"), date(2016, 4, 4))
    assert [str(r) for r in payment.reasons] == ["04 Compensação eletrônica"]  # nota 41-C
    assert ret.problems == ("line 7: the lot trailer counts 4 records, the lot has 6",)


def test_sicredi_240_brcobranca_file():
    ret = parse_retorno((DATA / "brcobranca-sicredi-cnab240.crt").read_text())
    registered, fee = ret.entries
    # brcobranca spec/brcobranca/retorno/cnab240/sicredi_spec.rb: nosso número 172000595, motivo A4
    assert (registered.nosso_numero, registered.nosso_numero_dv) == ("17200059", "5")
    assert registered.kind == Kind.REGISTERED and registered.face_amount == Decimal("9.95")
    assert [str(r) for r in registered.reasons] == ["A4 Pagador DDA"]
    assert (fee.movement.text, fee.kind, fee.fee) == ("Débito de tarifas custas", Kind.FEE, Decimal("3.80"))
    assert [str(r) for r in fee.reasons] == ["05 Tarifa de Outras Instruções"]


def test_itau_400_brcobranca_file():
    ret = parse_retorno((DATA / "brcobranca-itau-cnab400.ret").read_bytes())
    assert (ret.bank_code, ret.layout, ret.agency, ret.account, ret.company_document) == (
        "341",
        400,
        "730",
        "3511",
        "16733872000107",
    )
    assert len(ret.entries) == 52 and ret.problems == ()
    first = ret.entries[0]
    # brcobranca spec/brcobranca/retorno/cnab400/itau_spec.rb
    assert (first.nosso_numero, first.carteira, first.movement.code, first.kind) == ("00000011", "109", "06", Kind.PAID)
    assert (first.face_amount, first.fee, first.credited_amount) == (
        Decimal("40.00"),
        Decimal("2.10"),
        Decimal("37.90"),
    )
    assert first.paid_amount == Decimal("40.00")  # principal + fee: the payer paid the face amount
    assert (first.occurrence_date, first.credit_date) == (date(2013, 5, 20), date(2013, 5, 21))
    assert [str(r) for r in first.reasons] == ["B5 OUTROS BANCOS – CORRESPONDENTE"]  # nota 28


def test_bradesco_400_brcobranca_file():
    ret = parse_retorno((DATA / "brcobranca-bradesco-cnab400.ret").read_bytes())
    assert (ret.bank_code, ret.convenio, ret.agency, ret.account) == ("237", "4540691", "1467", "19669")
    first = ret.entries[0]
    # brcobranca spec/brcobranca/retorno/cnab400/bradesco_spec.rb: nosso número 000000000303, carteira 009
    assert (first.nosso_numero, first.nosso_numero_dv, first.carteira) == ("00000000030", "3", "009")
    assert (first.movement.code, first.movement.text, first.kind) == ("02", "Entrada Confirmada", Kind.REGISTERED)
    assert (first.face_amount, first.fee, first.due_date) == (Decimal("1450.00"), Decimal("1.60"), date(2015, 5, 25))
    assert ret.entries[1].nosso_numero_dv == "P"


def caixa_pair(movement, reasons="", paid="000000000061500", credit="07042026"):
    t = place(
        240,
        {
            1: segment("104", 1, "T"),
            16: movement,
            18: "000000",
            24: "005507",
            30: "000",
            33: "000",
            36: "0",
            39: "0" + "14" + "000000000000123" + "1",  # SINCO, modalidade, nosso número (15), DV
            58: "1",
            59: "12345      ",
            74: "10042026",
            82: "000000000061500",
            97: "104",
            100: "012340",
            106: "12345".ljust(25),
            131: "09",
            199: "000000000000150",
            214: reasons.ljust(10),
        },
    )
    u = place(
        240,
        {
            1: segment("104", 2, "U"),
            16: movement,
            18: "0" * 15 * 4,
            78: paid,
            93: "000000000061350",
            108: "0" * 30,
            138: "06042026",
            146: credit,
        },
    )
    return [t, u]


def test_caixa_240_entries_from_the_manual_tables():
    lines = [header_240("104", {19: "04252011000110", 53: "01234", 59: "005507"}), lot_header_240("104")]
    lines += caixa_pair("02", reasons="A4")
    lines += caixa_pair("06", reasons="0301")  # C047-C 03: agências CAIXA; C047-D 01: dinheiro
    lines += caixa_pair("03", reasons="4845", paid="0" * 15, credit="00000000")
    lines += trailer_240("104", 8, 10)
    ret = parse_retorno("\r\n".join(lines) + "\r\n")
    assert (ret.company_document, ret.agency, ret.problems) == ("4252011000110", "1234", ())
    registered, paid, rejected = ret.entries
    assert (registered.nosso_numero, registered.nosso_numero_dv) == ("14000000000000123", "1")
    assert [str(r) for r in registered.reasons] == ["A4 Pagador DDA"]
    assert (paid.kind, paid.paid_amount, paid.credited_amount, paid.fee) == (
        Kind.PAID,
        Decimal("615.00"),
        Decimal("613.50"),
        Decimal("1.50"),
    )
    assert [str(r) for r in paid.reasons] == ["03 Agências CAIXA", "01 Dinheiro"]
    assert paid.credit_date == date(2026, 4, 7) and paid.document_number == "12345"
    assert rejected.kind == Kind.REJECTED
    assert [str(r) for r in rejected.reasons] == ["48 CEP Inválido", "45 Nome do Pagador Não Informado"]


def test_itau_240_entries_from_the_manual_tables():
    lines = [header_240("341", {19: "04252011000110", 54: "0057", 66: "72192", 72: "7"}), lot_header_240("341")]
    t = {1: segment("341", 1, "T"), 16: "06", 18: "0", 19: "0057", 31: "72192", 37: "7", 38: "109" + "98712345" + "8"}
    t.update({59: "12345", 74: "10042026", 82: "000000000061500", 199: "000000000000210", 222: "B1"})
    u = {1: segment("341", 2, "U"), 16: "06", 18: "000000000000021", 78: "000000000061521", 93: "000000000061311"}
    u.update({138: "10042026", 146: "11042026"})
    rejected = {1: segment("341", 3, "T"), 16: "03", 38: "109" + "00000124" + "5", 214: "0810"}
    lines += [place(240, t), place(240, u), place(240, rejected)]
    lines += trailer_240("341", 5, 7)
    ret = parse_retorno("\n".join(lines))
    paid, refused = ret.entries
    assert (paid.nosso_numero, paid.nosso_numero_dv, paid.carteira) == ("98712345", "8", "109")
    assert (paid.movement.text, paid.kind) == ("LIQUIDAÇÃO NORMAL", Kind.PAID)  # nota 22
    assert (paid.paid_amount, paid.credited_amount, paid.interest_fine) == (
        Decimal("615.21"),
        Decimal("613.11"),
        Decimal("0.21"),
    )
    assert [str(r) for r in paid.reasons] == ["B1 OUTROS BANCOS – PELO CÓDIGO DE BARRAS"]  # nota 29
    assert refused.kind == Kind.REJECTED and refused.paid_amount == 0  # a T without its U
    assert [r.text for r in refused.reasons] == [
        "NOME DO PAGADOR NÃO INFORMADO OU DESLOCADO",
        "LOGRADOURO NÃO INFORMADO OU DESLOCADO",
    ]  # nota 23, table 1: 08 and 10
    assert ret.problems == ()


def test_bradesco_and_sicoob_240_nosso_numero_positions():
    bradesco = [header_240("237"), lot_header_240("237")]
    bradesco += [
        place(240, {1: segment("237", 1, "T"), 16: "09", 38: "009" + "00000" + "00000000002" + "8", 214: "10"})
    ]
    bradesco += trailer_240("237", 3, 5)
    entry = parse_retorno("\n".join(bradesco)).entries[0]
    assert (entry.nosso_numero, entry.nosso_numero_dv, entry.carteira, entry.kind) == (
        "00000000002",
        "8",
        "009",
        Kind.WRITTEN_OFF,
    )
    assert [str(r) for r in entry.reasons] == ["10 Comandada Cliente Arquivo"]  # C047-C
    sicoob = [header_240("756"), lot_header_240("756")]
    sicoob += [place(240, {1: segment("756", 1, "T"), 16: "02", 38: "0000000218" + "01" + "01" + "4"})]
    sicoob += trailer_240("756", 3, 5)
    entry = parse_retorno("\n".join(sicoob)).entries[0]
    assert (entry.nosso_numero, entry.nosso_numero_dv, entry.kind) == ("0000021", "8", Kind.REGISTERED)


def test_itau_400_boleto_pix_record():
    header = place(400, {1: "02RETORNO01COBRANCA", 27: "0057" + "00" + "72192" + "8", 77: "341", 95: "030426"})
    header = header[:394] + "000001"
    detail = place(400, {1: "1", 2: "02", 4: "04252011000110", 83: "109" + "00000123" + "1", 108: "I", 109: "02"})
    detail = detail[:394] + "000002"
    emv = "00020101021226830014br.gov.bcb.pix2561qrpix.example.com/qr/v2/cobv/abc5204000053039865802BR"
    pix = place(400, {1: "3", 2: emv, 392: "000"})[:394] + "000003"
    refused = place(400, {1: "3", 392: "004"})[:394] + "000003"
    trailer = place(400, {1: "92010341"})[:394] + "000004"
    ret = parse_retorno("\r\n".join([header, detail, pix, trailer]))
    assert ret.entries[0].pix_emv == emv and ret.entries[0].pix_error is None and ret.problems == ()
    ret = parse_retorno("\r\n".join([header, detail, refused, trailer]))
    assert str(ret.entries[0].pix_error) == "004 CHAVE SEM CADASTRO NA DICT"  # nota 41
    ret = parse_retorno("\r\n".join([header, detail, trailer]))
    assert ret.problems == ("line 3: its sequence number is '000004', expected 000003",)


def test_unknown_codes_are_kept_with_a_text_saying_so():
    lines = [header_240("237"), lot_header_240("237"), place(240, {1: segment("237", 1, "T"), 16: "99", 214: "ZZ"})]
    lines += trailer_240("237", 3, 5)
    entry = parse_retorno("\n".join(lines)).entries[0]
    assert (entry.movement.code, entry.kind) == ("99", Kind.OTHER)
    assert "não consta da tabela" in entry.movement.text


def test_files_that_are_not_retornos():
    with pytest.raises(CnabParseError, match="empty"):
        parse_retorno("")
    with pytest.raises(CnabParseError, match="not the header of a CNAB 240 or 400 retorno"):
        parse_retorno("hello\n")
    with pytest.raises(CnabParseError, match="no CNAB 240 layout for bank '999'"):
        parse_retorno(header_240("999"))
    with pytest.raises(CnabParseError, match="line 2: line: has 241 characters"):
        parse_retorno(header_240("237") + "\n" + "x" * 241)
    with pytest.raises(CnabParseError, match="segment U without its segment T"):
        parse_retorno("\n".join([header_240("237"), place(240, {1: segment("237", 1, "U"), 16: "06"})]))


# -- check_retorno ----------------------------------------------------------------------------------------

ITAU = Beneficiary(
    bank_code="341",
    layout=400,
    wallet=Wallet(agency="0730", account="03511", carteira="109"),
    company_name="PLUTO",
    company_document="16.733.872/0001-07",
)


def test_check_retorno_reports_late_payments_and_titles_of_another_carteira():
    ret = parse_retorno((DATA / "brcobranca-itau-cnab400.ret").read_bytes())
    boletos = {entry.nosso_numero: entry.face_amount for entry in ret.entries}
    issues = check_retorno(ret, ITAU, boletos)
    late = [e.line for e in ret.entries if e.kind == Kind.PAID and e.paid_amount != e.face_amount]
    assert [issue.line for issue in issues if issue.kind == "amount"] == late == [42, 46, 48, 52]
    assert issues[0].message == (
        "paid 49.77, the boleto is 48.75: explained by the interest/fine and discounts the bank reports"
    )
    # The file also holds two titles of carteira 157: matched by nosso número and wallet, they are not this wallet's.
    assert [(issue.line, issue.message) for issue in issues if issue.kind == "account"] == [
        (52, "carteira 157 is not the wallet's 109"),
        (53, "carteira 157 is not the wallet's 109"),
    ]


def test_check_retorno_reports_unknown_nosso_numero_and_amounts():
    ret = parse_retorno((DATA / "brcobranca-itau-cnab400.ret").read_bytes())
    boletos = {entry.nosso_numero: entry.face_amount for entry in ret.entries[1:]}
    boletos[ret.entries[1].nosso_numero] = Decimal("45.00")
    issues = check_retorno(ret, ITAU, boletos)[:2]
    assert [(issue.kind, issue.line) for issue in issues] == [("unknown", 2), ("amount", 3)]
    assert issues[0].message == "no boleto has nosso número 00000011 (06 LIQUIDAÇÃO NORMAL)"
    assert (issues[1].expected, issues[1].found) == (Decimal("45.00"), Decimal("40.00"))
    assert "not explained by the interest/fine (0.00) and discounts (0.00)" in issues[1].message


def test_check_retorno_explains_a_late_payment():
    lines = [header_240("341"), lot_header_240("341")]
    lines += [place(240, {1: segment("341", 1, "T"), 16: "06", 38: "109" + "98712345" + "8"})]
    lines += [place(240, {1: segment("341", 2, "U"), 16: "06", 18: "000000000001251", 78: "000000000062751"})]
    lines += trailer_240("341", 4, 6)
    ben = Beneficiary("341", Wallet(agency="0057", account="72192", carteira="109"), "X", "04.252.011/0001-10")
    (issue,) = check_retorno(parse_retorno("\n".join(lines)), ben, {"98712345": Decimal("615.00")})
    assert issue.kind == "amount"
    assert (
        issue.message
        == "paid 627.51, the boleto is 615.00: explained by the interest/fine and discounts the bank reports"
    )


def test_check_retorno_reports_a_file_of_another_account_or_wallet():
    ret = parse_retorno((DATA / "brcobranca-itau-cnab400.ret").read_bytes())
    boletos = {entry.nosso_numero: entry.face_amount for entry in ret.entries}
    other = Beneficiary("341", Wallet(agency="0731", account="03511", carteira="112"), "X", "16.733.872/0001-07", 400)
    issues = check_retorno(ret, other, boletos)
    assert issues[0].kind == "account" and issues[0].message == (
        "the file's agency is 730, the wallet's is 0731: a file of another account"
    )
    assert {issue.kind for issue in issues} == {"account", "amount"}
    assert sum(issue.message.startswith("carteira 109 is not the wallet's 112") for issue in issues) == 50
    wrong_bank = Beneficiary("237", ITAU.wallet, "X", ITAU.company_document)
    assert check_retorno(ret, wrong_bank, boletos)[0].message.startswith("the file's bank is 341")


def test_check_retorno_compares_the_beneficiary_code_where_the_header_has_one():
    ret = parse_retorno((DATA / "brcobranca-bb-cnab240.ret").read_bytes())
    assert ret.convenio == "1999957"  # header 33-41 (BB1), zeros on the left dropped
    ben = Beneficiary(
        "001", Wallet(agency="1234", account="5432", carteira="17", convenio="1234567"), "X", "35.643.899/0001-45"
    )
    issues = check_retorno(ret, ben, {e.nosso_numero: e.face_amount for e in ret.entries})
    assert [issue.message for issue in issues if issue.kind == "account"] == [
        "the file's beneficiary code is 1999957, the wallet's is 1234567: a file of another account"
    ]


def test_a_reversed_payment_is_its_own_kind():
    lines = [header_240("104"), lot_header_240("104"), *caixa_pair("44"), *trailer_240("104", 4, 6)]
    entry = parse_retorno("\n".join(lines)).entries[0]
    assert (entry.movement.text, entry.kind) == ("Estorno de Baixa / Liquidação", Kind.REVERSED)  # C044 44


def test_supported_layouts_per_bank():
    assert {bank: supported_layouts(bank) for bank in ("001", "033", "104", "237", "341", "748", "756", "999")} == {
        "001": [240],
        "033": [240],
        "104": [240],
        "237": [240, 400],
        "341": [240, 400],
        "748": [240],
        "756": [240],
        "999": [],
    }


@pytest.mark.parametrize(
    ("key", "code"),
    [(key, code) for key, layout in sorted(LAYOUTS.items()) for code in sorted(layout.return_codes)],
)
def test_every_code_of_every_table_reads_back(key, code):
    """Each code of a bank's table fits its movement fields (Santander's "A4" included)."""
    layout = LAYOUTS[key]
    if key[1] == 240:
        t = layout.records["T"].render({"bank_code": key[0], "lot": 1, "sequence": 1, "movement": code})
        u = layout.records["U"].render({"bank_code": key[0], "lot": 1, "sequence": 2, "movement": code})
        entry = layout.entry({"line": 3, **layout.records["T"].parse(t, 3)}, layout.records["U"].parse(u, 4))
    else:
        line = layout.records["return_detail"].render({"movement": code})
        entry = layout.entry(2, layout.records["return_detail"].parse(line, 2))
    assert (entry.movement.code, entry.movement.text, entry.kind) == (code, *layout.return_codes[code])
