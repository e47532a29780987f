"""The CNAB field engine: pictures, text rules, record coverage, and their properties.

The rules are FEBRABAN's, as every manual in use repeats them: Itaú "Cobrança FEBRABAN 240"
(January 2017) item 2.2 ("Alfanumérico (picture X): alinhados a esquerda com brancos a direita...
maiúsculos... Numérico (picture 9): alinhado a direita com zeros a esquerda... '9(5)V9(2)', o
número '876,54' será representado por '0087654'"), Sicredi's CNAB 240 manual (August 2019) item
5.7 (the characters it accepts; dates DDMMAAAA and DDMMAA).
"""

import string
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cobranca_core.cnab.fields import (
    ALPHA,
    CnabParseError,
    Field,
    InvalidCnab,
    Record,
    alpha,
    num,
    value,
    when,
)
from cobranca_core.cnab.text import ALLOWED, cnab_text, digits, document_kind

settings.register_profile("cnab", deadline=None, max_examples=150)
settings.load_profile("cnab")


def test_itau_example_of_an_implied_decimal_comma():
    # Itaú 240 item 2.2: "9(5)V9(2)", 876,54 -> "0087654".
    assert value(1, 7, "v").render(Decimal("876.54"), "t") == "0087654"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("São João d'Ávila", "SAO JOAO D AVILA"),
        ("Comércio & Cia. Ltda.", "COMERCIO & CIA. LTDA."),
        ("Praça da Sé, nº 1 – apto 2", "PRACA DA SE, NO 1 APTO 2"),
        ("  many   spaces  ", "MANY SPACES"),
        ("Ação/Reação (teste): ok;", "ACAO/REACAO (TESTE): OK;"),
        (None, ""),
        (False, ""),
    ],
)
def test_text_is_upper_case_without_accents(raw, expected):
    assert cnab_text(raw) == expected


def test_numeric_fields_right_aligned_with_zeros():
    assert num(1, 6, "n").render("123", "t") == "000123"
    assert num(1, 6, "n").render(None, "t") == "000000"
    assert num(1, 3, "n", "341").render(None, "t") == "341"


def test_alphanumeric_fields_left_aligned_with_blanks():
    assert alpha(1, 8, "a").render("ab", "t") == "AB      "
    assert alpha(1, 3, "a").render(None, "t") == "   "


def test_dates_in_eight_or_six_positions_zeros_when_absent():
    assert when(1, 8, "d").render(date(2026, 4, 10), "t") == "10042026"
    assert when(1, 6, "d").render(date(2026, 4, 10), "t") == "100426"
    assert when(1, 8, "d").render(None, "t") == "00000000"
    assert when(1, 8, "d").parse("00000000", 1) is None
    assert when(1, 6, "d").parse("100426", 1) == date(2026, 4, 10)


def test_a_value_that_does_not_fit_names_the_title_and_the_field():
    with pytest.raises(InvalidCnab, match="INV/1: document_number: 'ABCDEFGHIJK' has 11 characters") as caught:
        alpha(1, 10, "document_number").render("abcdefghijk", "INV/1")
    assert (caught.value.reference, caught.value.field, caught.value.reason) == ("INV/1", "document_number", "too long")
    with pytest.raises(InvalidCnab, match=r"amount: 100000000\.00 does not fit 10 digits"):
        value(1, 10, "amount").render(Decimal("100000000.00"), "INV/1")
    with pytest.raises(InvalidCnab, match="more than two decimals"):
        value(1, 10, "amount").render(Decimal("1.001"), "INV/1")
    with pytest.raises(InvalidCnab, match="must not be negative"):
        value(1, 10, "amount").render(Decimal("-1"), "INV/1")
    with pytest.raises(InvalidCnab, match="expected a Decimal amount"):
        value(1, 10, "amount").render(1.5, "INV/1")
    with pytest.raises(InvalidCnab, match="digits only"):
        num(1, 5, "payer_zip").render("01A10", "INV/1")
    with pytest.raises(InvalidCnab, match="6 digits, at most 5 fit"):
        num(1, 5, "payer_zip").render("123456", "INV/1")


def test_a_name_too_long_is_cut_where_the_layout_allows_it():
    name = alpha(1, 10, "payer_name", cut=True)
    assert name.render("Maria da Silva Comércio", "t") == "MARIA DA S"
    assert name.render("Maria da  Silva", "t") == "MARIA DA S"


def test_records_must_cover_their_length_exactly():
    with pytest.raises(ValueError, match="starts at 5, expected 4"):
        Record("gap", 10, [num(1, 3, "a"), num(5, 10, "b")])
    with pytest.raises(ValueError, match="starts at 3, expected 4"):
        Record("overlap", 10, [num(1, 3, "a"), num(3, 10, "b")])
    with pytest.raises(ValueError, match="fields end at 9, expected 10"):
        Record("short", 10, [num(1, 9, "a")])
    record = Record("ok", 10, [num(1, 3, "a"), alpha(4, 10, "b")])
    with pytest.raises(ValueError, match="expected 10"):
        record.replace(num(4, 6, "c"))  # 7-10 left uncovered
    assert [f.name for f in record.replace(num(4, 6, "c"), alpha(7, 10)).fields] == ["a", "c", ""]


def test_parse_refuses_a_line_of_another_length():
    record = Record("r", 10, [num(1, 3, "a"), alpha(4, 10, "b")])
    with pytest.raises(CnabParseError, match="line 7: r: expected 10 characters, got 9"):
        record.parse("123456789", 7)


def test_parse_refuses_garbage_in_values_and_dates():
    with pytest.raises(CnabParseError, match="expected digits"):
        value(1, 5, "paid").parse("12A45", 3)
    with pytest.raises(CnabParseError, match="is not a date"):
        when(1, 8, "due").parse("31022026", 3)


@pytest.mark.parametrize(
    ("document", "kind"),
    [
        ("11.222.333/0001-81", "2"),
        ("04.252.011/0001-10", "2"),
        ("111.444.777-35", "1"),
        ("111.444.777-36", ""),  # wrong check digit
        ("11.111.111/1111-11", ""),  # repeated digits pass the modulo but are no CNPJ
        ("", ""),
        ("123", ""),
    ],
)
def test_cpf_and_cnpj_are_checked(document, kind):
    assert document_kind(digits(document)) == kind


# -- properties of the format rules -----------------------------------------------------------

texts = st.text(alphabet=string.printable + "áéíóúâêôãõçÁÉÍÓÚÂÊÔÃÕÇºª–", max_size=60)


@given(texts, st.integers(1, 40))
def test_alphanumeric_output_is_the_field_width_upper_case_and_allowed_characters(text, width):
    item = Field(1, width, "x", ALPHA, cut=True)
    rendered = item.render(text, "t")
    assert len(rendered) == width
    assert set(rendered) <= ALLOWED
    assert rendered == rendered.upper()
    assert rendered.rstrip() == cnab_text(text)[:width].rstrip()  # left-aligned, blanks on the right
    assert not rendered.startswith(" ") or not cnab_text(text)


@given(st.integers(0, 10**12 - 1), st.integers(12, 20))
def test_numeric_output_is_right_aligned_zero_filled_and_reads_back(number, width):
    rendered = num(1, width, "n").render(str(number), "t")
    assert len(rendered) == width
    assert rendered.isdigit()
    assert int(rendered) == number
    assert rendered.lstrip("0") == str(number).lstrip("0")


@given(st.integers(0, 10**13 - 1))
def test_values_keep_their_cents(cents):
    amount = Decimal(cents).scaleb(-2)
    rendered = value(1, 15, "v").render(amount, "t")
    assert len(rendered) == 15 and rendered.isdigit()
    assert value(1, 15, "v").parse(rendered, 1) == amount


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)), st.sampled_from([6, 8]))
def test_dates_read_back(day, width):
    item = when(1, width, "d")
    assert item.parse(item.render(day, "t"), 1) == day


@given(st.text(max_size=30), st.integers(1, 20))
def test_a_value_either_fits_or_is_refused_never_silently_cut(text, width):
    item = alpha(1, width, "document_number")  # not a "cut" field
    normalized = cnab_text(text)
    if len(normalized) <= width:
        assert item.render(text, "t").rstrip() == normalized
    else:
        with pytest.raises(InvalidCnab):
            item.render(text, "t")
