"""Sicredi (748).

Sources:
- Sicredi manual: "Manual do Beneficiário Cobrança CNAB 400", May 2014, items 5.3-5.4 and 10.7-10.8 (copy
  in github.com/kivanio/brcobranca docs/Sicredi/28460_Manual_Beneficiario_Cobranca_CNAB_400___18062014.pdf).
- brcobranca spec: github.com/kivanio/brcobranca spec/brcobranca/boleto/sicredi_spec.rb.
"""

from datetime import date
from decimal import Decimal

import pytest

from cobranca_core.boleto import InvalidBoleto, InvalidWallet, Wallet, get_layout, issue, read

SICREDI = get_layout("748")
MANUAL_WALLET = Wallet(agency="0165", posto="02", convenio="00623", carteira="3")
SPEC_WALLET = Wallet(agency="0710", posto="65", convenio="129", carteira="1")  # brcobranca spec


def test_manual_nosso_numero():
    # Item 5.4: cooperativa 0165, posto 02, beneficiário 00623, year 07, byte 2, sequence 00003.
    nosso = SICREDI.nosso_numero(MANUAL_WALLET, 3, issue_date=date(2007, 8, 26))
    assert (nosso.number, nosso.check_digit, nosso.formatted) == ("07200003", "1", "07/200003-1")


def test_manual_boleto():
    # Items 10.7.2 (free field DV 1) and 10.8.3 (linha digitável).
    boleto, _ = issue("748", MANUAL_WALLET, 3, date(2007, 12, 20), Decimal("150.35"), issue_date=date(2007, 8, 26))
    assert boleto.free_field == "3107200003101650200623101"
    assert boleto.formatted_digitable_line == "74893.10727 00003.101656 02006.231019 1 37260000015035"
    _, fields = read(boleto.barcode, reference_date=date(2007, 12, 1))
    assert fields == {
        "carteira": "3",
        "nosso_numero": "07200003",
        "nosso_numero_dv": "1",
        "agency": "0165",
        "posto": "02",
        "convenio": "00623",
        "has_amount": "1",
    }


@pytest.mark.parametrize(
    ("wallet", "sequence", "due", "amount", "line"),
    [
        # brcobranca spec (processing date 2016-08-22, byte 2).
        (SPEC_WALLET, 8879, date(2016, 8, 22), "195.57", "74891.11620 08879.307109 65001.291015 1 68940000019557"),
        (
            Wallet(agency="0710", posto="65", convenio="129", carteira="3"),
            8879,
            date(2016, 8, 22),
            "195.57",
            "74893.11626 08879.307109 65001.291056 1 68940000019557",
        ),
        (SPEC_WALLET, 8902, date(2016, 7, 25), "700.00", "74891.11620 08902.107104 65001.291007 3 68660000070000"),
        (SPEC_WALLET, 8896, date(2016, 7, 25), "700.00", "74891.11620 08896.307108 65001.291072 1 68660000070000"),
        (SPEC_WALLET, 8899, date(2016, 7, 25), "700.00", "74891.11620 08899.807104 65001.291031 6 68660000070000"),
        (SPEC_WALLET, 8878, date(2016, 7, 25), "195.58", "74891.11620 08878.507105 65001.291064 1 68660000019558"),
        (SPEC_WALLET, 9048, date(2016, 8, 26), "222.00", "74891.11620 09048.807102 65001.291031 8 68980000022200"),
    ],
)
def test_issue_matches_published_pairs(wallet, sequence, due, amount, line):
    boleto, nosso = issue("748", wallet, sequence, due, Decimal(amount), issue_date=date(2016, 8, 22))
    assert boleto.formatted_digitable_line == line
    assert nosso.formatted[:3] == "16/"
    assert read(line, reference_date=due)[1]["nosso_numero"] == nosso.number


def test_brcobranca_nosso_numero():
    assert SICREDI.nosso_numero(SPEC_WALLET, 8879, issue_date=date(2016, 8, 22)).formatted == "16/208879-3"


def test_amount_flag():
    assert SICREDI.free_field(MANUAL_WALLET, 3, amount=Decimal("0"), issue_date=date(2007, 1, 1))[22] == "0"
    assert SICREDI.free_field(MANUAL_WALLET, 3, amount=Decimal("0.01"), issue_date=date(2007, 1, 1))[22] == "1"
    with pytest.raises(InvalidBoleto, match=r"^amount: "):
        SICREDI.free_field(MANUAL_WALLET, 3)


def test_byte_and_year():
    wallet = Wallet(agency="0165", posto="02", convenio="00623", carteira="1", byte_idt="9")
    assert SICREDI.nosso_numero(wallet, 3, issue_date=date(2031, 1, 1)).number == "31900003"
    assert SICREDI.nosso_numero(wallet, 7).number.startswith(f"{date.today().year % 100:02d}9")


def test_sequence_range():
    assert SICREDI.nosso_numero(MANUAL_WALLET, 0, issue_date=date(2007, 1, 1)).number == "07200000"
    assert SICREDI.nosso_numero_sequence_max(MANUAL_WALLET) == 99_999
    for bad in (100_000, -1):
        with pytest.raises(InvalidBoleto, match=r"^nosso número: "):
            SICREDI.nosso_numero(MANUAL_WALLET, bad)


@pytest.mark.parametrize(
    ("free_field", "message"),
    [
        ("2107200003101650200623101", "tipo de cobrança must be 1 or 3, got 2"),
        ("3107200003101650200623201", "amount flag must be 0 or 1, got 2"),
        ("3107200003101650200623111", "filler must be 0, got 1"),
        ("3107200003201650200623101", "nosso número DV is 2, expected 1"),
        ("3107200003101650200623102", "free-field DV is 2, expected 1"),
    ],
)
def test_parse_free_field_checks(free_field, message):
    with pytest.raises(InvalidBoleto, match=r"^free field: ") as error:
        SICREDI.parse_free_field(free_field)
    assert message in str(error.value)


@pytest.mark.parametrize(
    ("wallet", "field", "reason"),
    [
        (Wallet(agency="0165", posto="02", convenio="00623", carteira="2"), "carteira", "unsupported"),
        (Wallet(agency="0165", convenio="00623", carteira="1"), "posto", "missing"),
        (Wallet(agency="0165", posto="02", convenio="006231", carteira="1"), "convenio", "length"),
        (Wallet(agency="0165", posto="02", convenio="00623", carteira="1", byte_idt="1"), "byte_idt", "unsupported"),
        (Wallet(posto="02", convenio="00623", carteira="1"), "agency", "missing"),
    ],
)
def test_wallet_errors(wallet, field, reason):
    with pytest.raises(InvalidWallet) as error:
        SICREDI.validate_wallet(wallet)
    assert (error.value.field, error.value.reason) == (field, reason)
