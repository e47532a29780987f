"""FEBRABAN rules shared by every bank: check digits, due-date factor, barcode and linha digitável.

Sources of the examples (all public layout manuals):
- BB 2016: Banco do Brasil, "Especificações Técnicas para Confecção de Boleto de Cobrança do Banco do
  Brasil", January 2016 (Anexos IV, V, VI); copy in github.com/kivanio/brcobranca
  docs/Banco do Brasil/Doc5175Bloqueto.pdf.
- Itaú 2014: Itaú, "Cobrança FEBRABAN 240", May 2014, Anexos 2 and 3 (brcobranca docs/Itau/cobranca_cnab240.pdf).
- Caixa 2014: Caixa, "Especificação do Código de Barras para Boletos de Cobrança Sem Registro e
  Registrada no SIGCB", 67.119 v009, July 2014, Anexos I, II and V (brcobranca docs/Caixa/).
- Sicredi 2014: Sicredi, "Manual do Beneficiário Cobrança CNAB 400", May 2014, items 10.7-10.8
  (brcobranca docs/Sicredi/28460_Manual_Beneficiario_Cobranca_CNAB_400___18062014.pdf).
- Santander 2015: Santander, "Código de Barras – Cobrança", v2.9, January 2015, pages 4 and 10-13.
- FEBRABAN 2012: "Manual Operacional do Fator de Vencimento da Cobrança Bancária", v01, 2012-06-01
  (copy in github.com/caelum/caelum-stella stella-boleto/doc/abbc - Fator de vencimento.pdf).
"""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from cobranca_core.boleto import (
    Boleto,
    InvalidBoleto,
    barcode_to_digitable_line,
    build,
    digitable_line_to_barcode,
    due_date_factor,
    factor_to_date,
    format_digitable_line,
    general_check_digit,
    modulo10,
    modulo11,
    parse,
)

# Caixa 2014, Anexos I and V: the worked example, barcode and linha digitável of the same boleto.
CAIXA_BARCODE = "10494324200000321120055077222133347777777771"
CAIXA_LINE = "10490.05505 77222.133348 77777.777713 4 32420000032112"
# Itaú 2014, Anexos 2 and 3.
ITAU_BARCODE = "34196166700000123451101234567880057123457000"
ITAU_LINE = "34191.10121 34567.880058 71234.570001 6 16670000012345"
# BB 2016, Anexo V: "Composição do Código de Barras".
BB_BARCODE = "00193373700000001000500940144816060680935031"


def raises_part(part):
    return pytest.raises(InvalidBoleto, match=f"^{part}: ")


def digits(text):
    return "".join(char for char in text if char.isdigit())


# --- check digits -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "dv"),
    [
        ("001905009", 5),  # BB 2016, Anexo V, campo 1
        ("4014481606", 9),  # BB 2016, Anexo V, campo 2
        ("0680935031", 4),  # BB 2016, Anexo V, campo 3
        ("104900550", 5),  # Caixa 2014, Anexo V 5.5.1
        ("341911012", 1),  # Itaú 2014, Anexo 3, campo 1
        ("3456788005", 8),  # Itaú 2014, Anexo 3, campo 2
        ("7123457000", 1),  # Itaú 2014, Anexo 3, campo 3
        ("748931072", 7),  # Sicredi 2014, 10.8.3, campo 1
        ("0000310165", 6),  # Sicredi 2014, 10.8.3, campo 2
        ("0200623101", 9),  # Sicredi 2014, 10.8.3, campo 3
        ("033990282", 7),  # Santander 2015, page 10, primeiro grupo
        ("0335666124", 3),  # Santander 2015, page 11, segundo grupo
        ("5780020102", 2),  # Santander 2015, page 12, terceiro grupo
        ("0", 0),
    ],
)
def test_modulo10_published_examples(number, dv):
    assert modulo10(number) == dv


def test_modulo10_refuses_non_digits():
    with pytest.raises(InvalidBoleto):
        modulo10("12a4")


@pytest.mark.parametrize(
    ("body", "dv"),
    [
        (ITAU_BARCODE[:4] + ITAU_BARCODE[5:], "6"),  # Itaú 2014, Anexo 2: sum 742, remainder 5
        (CAIXA_BARCODE[:4] + CAIXA_BARCODE[5:], "4"),  # Caixa 2014, Anexo I: sum 788, remainder 7
    ],
)
def test_general_check_digit_published_examples(body, dv):
    assert general_check_digit(body) == dv


@pytest.mark.parametrize(
    ("body", "remainder"),
    [
        ("3419166700000123451101234567880057123457003", 0),  # 11 - 0 = 11 -> 1
        ("3419166700000123451101234567880057123457009", 1),  # 11 - 1 = 10 -> 1
        ("3419166700000123451101234567880057123457008", 10),  # 11 - 10 = 1
    ],
)
def test_general_check_digit_is_never_zero(body, remainder):
    assert modulo11(body) == remainder
    assert general_check_digit(body) == "1"


def test_modulo11_weights_restart_after_max_weight():
    # Bradesco 4008.524.0121 page 17: carteira 19 + nosso número 00000000002, weights 2..7, sum 69.
    assert modulo11("1900000000002", max_weight=7) == 69 % 11
    assert modulo11("9" * 9) == (9 * sum((2, 3, 4, 5, 6, 7, 8, 9, 2))) % 11


# --- due-date factor ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("due", "factor"),
    [
        (date(2000, 7, 3), 1000),  # BB 2016 Anexo IV, Caixa 2014 Anexo II
        (date(2000, 7, 4), 1001),  # BB 2016 Anexo IV
        (date(2000, 7, 5), 1002),
        (date(2000, 12, 6), 1156),  # Santander 2015, page 4
        (date(2002, 5, 1), 1667),  # BB 2016, Caixa 2014, FEBRABAN 2012
        (date(2007, 12, 20), 3726),  # Sicredi 2014, 10.7.5
        (date(2010, 11, 17), 4789),
        (date(2012, 4, 27), 5316),  # FEBRABAN 2012
        (date(2014, 3, 12), 6000),  # FEBRABAN 2012, start of the range control
        (date(2020, 7, 14), 8316),  # FEBRABAN 2012
        (date(2025, 2, 20), 9998),
        (date(2025, 2, 21), 9999),  # last day of the first cycle
        (date(2025, 2, 22), 1000),  # FEBRABAN 2012 and BB 2016: the count restarts
        (date(2025, 2, 23), 1001),
        (date(2025, 2, 24), 1002),
        (date(2025, 2, 26), 1004),  # FEBRABAN 2012, item IV
        (date(2029, 5, 20), 2548),  # brcobranca spec/brcobranca/boleto/itau_spec.rb (Itaú carteira 109)
        (date(2034, 1, 1), 4235),
        (date(2049, 10, 13), 9999),  # second rollover, 9000 days after the first
        (date(2049, 10, 14), 1000),
    ],
)
def test_due_date_factor(due, factor):
    assert due_date_factor(due) == factor


def test_due_date_factor_accepts_datetime():
    assert due_date_factor(datetime(2025, 2, 22, 23, 59)) == 1000


@pytest.mark.parametrize("bad", [date(2000, 7, 2), date(1997, 10, 7)])
def test_due_date_factor_before_first_factor(bad):
    with raises_part("due date"):
        due_date_factor(bad)


def test_due_date_factor_refuses_strings():
    with raises_part("due date"):
        due_date_factor("2025-02-22")


@pytest.mark.parametrize(
    ("factor", "reference", "due"),
    [
        # Around the rollover both readings of 9999 and 1000 are the nearby dates.
        (9999, date(2025, 2, 21), date(2025, 2, 21)),
        (1000, date(2025, 2, 21), date(2025, 2, 22)),
        (9999, date(2025, 2, 22), date(2025, 2, 21)),
        (1000, date(2025, 2, 22), date(2025, 2, 22)),
        (1000, date(2024, 6, 1), date(2025, 2, 22)),  # not 2000-07-03, which is 8700 days back
        (1000, date(2016, 1, 1), date(2025, 2, 22)),
        (9999, date(2025, 3, 1), date(2025, 2, 21)),
        (1500, date(2025, 3, 1), date(2026, 7, 7)),
        (4789, date(2010, 11, 1), date(2010, 11, 17)),
        (2548, date(2029, 1, 1), date(2029, 5, 20)),
        (4235, date(2033, 12, 1), date(2034, 1, 1)),
        (9999, date(2034, 1, 1), date(2049, 10, 13)),  # 2025-02-21 is 3236 days back: next cycle
        (9999, date(2001, 1, 1), date(2025, 2, 21)),  # never before 2000-07-03
    ],
)
def test_factor_to_date(factor, reference, due):
    assert factor_to_date(factor, reference) == due


def test_factor_to_date_window_edges():
    reference = date(2030, 1, 1)
    for offset in (-3000, 0, 5999):
        due = reference + timedelta(days=offset)
        assert factor_to_date(due_date_factor(due), reference) == due
    # One day past either edge reads as the other end of the 9000-day window.
    assert factor_to_date(due_date_factor(reference - timedelta(days=3001)), reference) == reference + timedelta(5999)
    assert factor_to_date(due_date_factor(reference + timedelta(days=6000)), reference) == reference - timedelta(3000)


def test_factor_to_date_defaults_to_today():
    today = date.today()
    assert factor_to_date(due_date_factor(today)) == today


def test_factor_zero_means_no_due_date():
    assert factor_to_date(0) is None
    assert factor_to_date("0000") is None
    assert factor_to_date("1667", date(2002, 1, 1)) == date(2002, 5, 1)


@pytest.mark.parametrize("bad", [999, 10000, -1, True, 1000.0, "999", "12a4"])
def test_factor_to_date_refuses_bad_factors(bad):
    with raises_part("due date"):
        factor_to_date(bad, date(2025, 1, 1))


# --- barcode and linha digitável ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("barcode", "line"),
    [
        (CAIXA_BARCODE, CAIXA_LINE),
        (ITAU_BARCODE, ITAU_LINE),
        # Sicredi 2014, 10.8.3: linha digitável of the sem-registro example.
        ("74891372600000150353107200003101650200623101", "74893.10727 00003.101656 02006.231019 1 37260000015035"),
        # BB 2016, Anexo V (digits of the linha computed from campo DVs 5, 9 and 4).
        (BB_BARCODE, "00190.50095 40144.816069 06809.350314 3 37370000000100"),
    ],
)
def test_barcode_and_line_convert_both_ways(barcode, line):
    assert barcode_to_digitable_line(barcode) == digits(line)
    assert digitable_line_to_barcode(digits(line)) == barcode
    assert format_digitable_line(digits(line)) == line


def test_parse_barcode_and_line_agree():
    from_barcode = parse(CAIXA_BARCODE, date(2006, 8, 1))
    from_line = parse(CAIXA_LINE, date(2006, 8, 1))
    assert from_barcode == from_line
    assert from_line.bank_code == "104"
    assert from_line.due_date == date(2006, 8, 23)  # Caixa 2014, Anexo I: factor 3242
    assert from_line.factor == 3242
    assert from_line.amount == Decimal("321.12")
    assert from_line.free_field == "0055077222133347777777771"
    assert from_line.barcode == CAIXA_BARCODE
    assert from_line.formatted_digitable_line == CAIXA_LINE
    assert from_line.check_digit == "4"


@pytest.mark.parametrize(
    "written",
    [
        "10490055057722213334877777777713432420000032112",
        "10490.05505 77222.133348 77777.777713 4 32420000032112",
        "10490-05505-77222-133348-77777-777713-4-32420000032112",
        " 10490.05505\t77222.133348\n77777.777713  4  32420000032112 ",
    ],
)
def test_parse_ignores_dots_spaces_and_dashes(written):
    assert parse(written, date(2006, 8, 1)).barcode == CAIXA_BARCODE


def test_parse_itau_manual_example():
    boleto = parse(ITAU_LINE, date(2002, 1, 1))
    assert (boleto.bank_code, boleto.due_date, boleto.amount) == ("341", date(2002, 5, 1), Decimal("123.45"))


def test_parse_uses_reference_date_across_rollover():
    boleto = build("341", date(2025, 2, 22), Decimal("10.00"), "1" * 25)
    assert boleto.factor == 1000
    assert parse(boleto.barcode, date(2025, 2, 21)).due_date == date(2025, 2, 22)
    assert parse(boleto.barcode, date(2010, 1, 1)).due_date == date(2025, 2, 22)
    assert parse(boleto.barcode, date(2040, 1, 1)).due_date == date(2049, 10, 14)


def test_parse_without_due_date_and_with_large_amount():
    no_due = build("237", None, Decimal("15.00"), "0" * 25)
    assert no_due.barcode[5:9] == "0000"
    parsed = parse(no_due.digitable_line)
    assert (parsed.due_date, parsed.factor, parsed.amount) == (None, 0, Decimal("15.00"))
    # BB 2016 Anexo IV: amounts above 99.999.999,99 take over the factor; a leading 0 means no factor.
    body = "0019" + "01234567890123" + "0" * 25
    barcode = body[:4] + general_check_digit(body) + body[4:]
    parsed = parse(barcode)
    assert (parsed.due_date, parsed.factor, parsed.amount) == (None, 0, Decimal("12345678901.23"))


def test_str_shows_bank_due_date_and_amount():
    text = str(parse(CAIXA_LINE, date(2006, 8, 1)))
    assert "104 Caixa Econômica Federal" in text
    assert "2006-08-23" in text
    assert "R$ 321,12" in text
    assert CAIXA_LINE in text
    assert "due date none" in str(build("999", None, Decimal("1234567.8"), "0" * 25))
    assert "R$ 1.234.567,80" in str(build("999", None, Decimal("1234567.8"), "0" * 25))


# --- rejections ---------------------------------------------------------------------------------


@pytest.mark.parametrize("length", [0, 43, 45, 46, 48])
def test_parse_refuses_wrong_length(length):
    with raises_part("length") as error:
        parse("1" * length)
    assert f"got {length}" in str(error.value)


@pytest.mark.parametrize(
    "code", [CAIXA_LINE.replace("7", "x", 1), CAIXA_BARCODE[:10] + "O" + CAIXA_BARCODE[11:], "١٠٤", "341²"]
)
def test_parse_refuses_other_characters(code):
    with raises_part("characters"):
        parse(code)


def test_parse_refuses_non_strings():
    with raises_part("characters"):
        parse(10494324200000321120055077222133347777777771)


@pytest.mark.parametrize(
    "code",
    [
        "8" + "0" * 47,  # 48-digit arrecadação code
        "84670000001-7 43590024020-9 02405000243-5 84221010811-9",
        "8" + "0" * 43,
    ],
)
def test_parse_refuses_arrecadacao(code):
    with raises_part("arrecadação") as error:
        parse(code)
    assert "arrecadação/convênio" in str(error.value)
    assert "not bank boletos" in str(error.value)


def test_parse_refuses_other_currency():
    body = "1040" + CAIXA_BARCODE[5:]
    barcode = body[:4] + general_check_digit(body) + body[4:]
    with raises_part("currency"):
        parse(barcode)
    with raises_part("currency"):
        parse(barcode_to_digitable_line(barcode))


@pytest.mark.parametrize(("position", "part"), [(9, "campo 1"), (20, "campo 2"), (31, "campo 3")])
def test_parse_refuses_wrong_campo_check_digit(position, part):
    line = digits(CAIXA_LINE)
    typed = str((int(line[position]) + 4) % 10)
    with raises_part(part) as error:
        parse(line[:position] + typed + line[position + 1 :])
    assert str(error.value) == f"{part}: check digit is {typed}, expected {line[position]}"


def test_parse_refuses_wrong_dv_geral():
    with raises_part("DV geral") as error:
        parse(CAIXA_BARCODE[:4] + "5" + CAIXA_BARCODE[5:])
    assert str(error.value) == "DV geral: check digit is 5, expected 4"
    line = digits(CAIXA_LINE)
    with raises_part("DV geral"):
        parse(line[:32] + "5" + line[33:])
    with raises_part("DV geral"):  # the amount is covered by the DV geral only
        parse(line[:46] + "3")


# --- build --------------------------------------------------------------------------------------


def test_build_reproduces_manual_example():
    boleto = build("104", date(2006, 8, 23), Decimal("321.12"), "0055077222133347777777771")
    assert boleto.barcode == CAIXA_BARCODE
    assert boleto.formatted_digitable_line == CAIXA_LINE
    assert isinstance(boleto, Boleto)


@pytest.mark.parametrize(
    ("amount", "cents"),
    [
        (Decimal("0"), "0000000000"),
        (Decimal("1.5"), "0000000150"),
        (Decimal("10.500"), "0000001050"),  # more digits, but still whole cents
        (7, "0000000700"),
    ],
)
def test_build_amounts(amount, cents):
    boleto = build("033", date(2030, 1, 1), amount, "9" * 25)
    assert boleto.barcode[9:19] == cents
    assert boleto.amount == Decimal(int(cents)) / 100


def test_build_largest_amount():
    assert build("001", None, Decimal("99999999.99"), "0" * 25).barcode[9:19] == "9999999999"


@pytest.mark.parametrize(
    "amount",
    [
        Decimal("-0.01"),
        Decimal("100000000.00"),
        Decimal("1.001"),
        Decimal("0.005"),
        1.5,
        "10.00",
        Decimal("NaN"),
        Decimal("Infinity"),
        True,
    ],
)
def test_build_refuses_bad_amounts(amount):
    with raises_part("amount"):
        build("001", date(2030, 1, 1), amount, "0" * 25)


@pytest.mark.parametrize("free", ["0" * 24, "0" * 26, "0" * 24 + "a", 1234, ""])
def test_build_refuses_bad_free_field(free):
    with raises_part("free field"):
        build("001", date(2030, 1, 1), Decimal("1.00"), free)


@pytest.mark.parametrize("bank", ["34", "3411", "abc", "836", 341])
def test_build_refuses_bad_bank_code(bank):
    with raises_part("bank"):
        build(bank, date(2030, 1, 1), Decimal("1.00"), "0" * 25)


@pytest.mark.parametrize("due", [date(2000, 7, 2), "2030-01-01"])
def test_build_refuses_bad_due_date(due):
    with raises_part("due date"):
        build("001", due, Decimal("1.00"), "0" * 25)


def test_invalid_boleto_is_a_value_error_with_part():
    with pytest.raises(ValueError) as error:
        parse("123")
    assert error.value.part == "length"
    assert error.value.detail.startswith("expected 44 digits")
