"""Santander (033).

Sources:
- Santander manual: "Código de Barras – Cobrança", version 2.9, January 2015, pages 5-7 and 13-14 (copy in
  github.com/kivanio/brcobranca docs/Santander/Layout de Código de Barras Santander Janeiro 2015v 29.pdf).
- brcobranca spec: github.com/kivanio/brcobranca spec/brcobranca/boleto/santander_spec.rb.
"""

from datetime import date
from decimal import Decimal

import pytest

from cobranca_core.boleto import InvalidBoleto, InvalidWallet, Wallet, general_check_digit, get_layout, issue, read
from cobranca_core.boleto.banks.santander import check_digit

SANTANDER = get_layout("033")
WALLET = Wallet(agency="0059", convenio="1899775", carteira="102")


@pytest.mark.parametrize(
    ("number", "dv"),
    [
        ("566612457800", "2"),  # manual page 13: sum 229, remainder 9
        ("90002720", "7"),  # brcobranca spec
        ("1961005", "0"),  # brcobranca spec
    ],
)
def test_check_digit(number, dv):
    assert check_digit(number) == dv


def test_manual_example():
    # Manual pages 6-7 (DV 6, from the weighted sum 698 over digits ending "...0102") and 10-13 (IPTE
    # 033990282.7 0335666124.3 5780020102.2 6 204600000027371): PSK 0282033, nosso número 566612457800-2,
    # carteira 102, factor 2046, R$ 273,71.
    wallet = Wallet(convenio="0282033", carteira="102")
    assert general_check_digit("0339" + "2046" + "0000027371" + "9028203356661245780020102") == "6"
    boleto, nosso = issue("033", wallet, 566612457800, date(2003, 5, 15), Decimal("273.71"))
    assert nosso.formatted == "566612457800-2"
    assert boleto.barcode == "03396204600000273719028203356661245780020102"
    assert boleto.formatted_digitable_line == "03399.02827 03356.661243 57800.201022 6 20460000027371"


@pytest.mark.parametrize(
    ("sequence", "due", "amount", "barcode", "line"),
    [
        (  # brcobranca spec "Montar código de barras"
            9000026,
            date(2011, 10, 9),
            Decimal("25.00"),
            "03399511500000025009189977500000900002690102",
            "03399.18997 77500.000904 00026.901025 9 51150000002500",
        ),
        (
            9000272,
            date(2012, 9, 8),
            Decimal("54.00"),
            "03393545000000054009189977500000900027250102",
            "03399.18997 77500.000904 00272.501024 3 54500000005400",
        ),
    ],
)
def test_issue_matches_published_pairs(sequence, due, amount, barcode, line):
    boleto, nosso = issue("033", WALLET, sequence, due, amount)
    assert boleto.barcode == barcode
    assert boleto.formatted_digitable_line == line
    _, fields = read(line, reference_date=due)
    assert fields == {
        "convenio": "1899775",
        "nosso_numero": nosso.number,
        "nosso_numero_dv": nosso.check_digit,
        "iof": "0",
        "carteira": "102",
    }


def test_nosso_numero_format():
    assert SANTANDER.nosso_numero(WALLET, 9000272).formatted == "000009000272-5"
    assert SANTANDER.nosso_numero_sequence_max(WALLET) == 999_999_999_999
    with pytest.raises(InvalidBoleto, match=r"^nosso número: "):
        SANTANDER.nosso_numero(WALLET, 10**12)


@pytest.mark.parametrize("carteira", ["101", "102", "104", "201"])
def test_carteiras(carteira):
    assert SANTANDER.free_field(Wallet(convenio="1", carteira=carteira), 1).endswith(carteira)


@pytest.mark.parametrize(
    ("free_field", "message"),
    [
        ("8189977500000900002690102", "position 20 must be 9"),
        ("9189977500000900002680102", "nosso número DV is 8, expected 9"),
    ],
)
def test_parse_free_field_checks(free_field, message):
    with pytest.raises(InvalidBoleto, match=r"^free field: ") as error:
        SANTANDER.parse_free_field(free_field)
    assert message in str(error.value)


@pytest.mark.parametrize(
    ("wallet", "field", "reason"),
    [
        (Wallet(convenio="1899775", carteira="103"), "carteira", "unsupported"),
        (Wallet(convenio="1899775"), "carteira", "missing"),
        (Wallet(convenio="18997750", carteira="102"), "convenio", "length"),
        (Wallet(carteira="102"), "convenio", "missing"),
    ],
)
def test_wallet_errors(wallet, field, reason):
    with pytest.raises(InvalidWallet) as error:
        SANTANDER.validate_wallet(wallet)
    assert (error.value.field, error.value.reason) == (field, reason)
