"""Caixa Econômica Federal (104), SIGCB.

Sources:
- Caixa manual: "Especificação do Código de Barras para Boletos de Cobrança Sem Registro e Registrada
  no SIGCB", 67.119 v009, July 2014, Anexos I-VI (copy in github.com/kivanio/brcobranca docs/Caixa/).
- brcobranca spec: github.com/kivanio/brcobranca spec/brcobranca/boleto/caixa_spec.rb.
"""

from datetime import date
from decimal import Decimal

import pytest

from cobranca_core.boleto import InvalidBoleto, InvalidWallet, Wallet, get_layout, issue, read
from cobranca_core.boleto.banks.caixa import check_digit

CAIXA = get_layout("104")
MANUAL_WALLET = Wallet(agency="1234", convenio="005507", convenio_dv="7", carteira="RG")


@pytest.mark.parametrize(
    ("number", "dv"),
    [
        ("005507", "7"),  # Anexo VI: sum 59, remainder 4
        ("14000000000000019", "7"),  # Anexo IV: sum 59, remainder 4
        ("005507722213334777777777", "1"),  # Anexo III: sum 538, remainder 10
        ("245274", "0"),  # brcobranca spec: convenio_dv "0"
        ("654321", "9"),  # brcobranca spec: "2030/654321-9"
        ("14000000000000001", "4"),  # brcobranca spec: "14000000000000001-4"
    ],
)
def test_check_digit(number, dv):
    assert check_digit(number) == dv


def test_manual_example():
    # Anexo I: nosso número 14/222333777777777, factor 3242, R$ 321,12; Anexo V: its linha digitável.
    boleto, nosso = issue("104", MANUAL_WALLET, 222333777777777, date(2006, 8, 23), Decimal("321.12"))
    assert nosso.number == "14222333777777777"
    assert boleto.free_field == "0055077222133347777777771"
    assert boleto.formatted_digitable_line == "10490.05505 77222.133348 77777.777713 4 32420000032112"
    _, fields = read(boleto.barcode, reference_date=date(2006, 8, 1))
    assert fields == {
        "convenio": "005507",
        "convenio_dv": "7",
        "carteira": "RG",
        "nosso_numero": "14222333777777777",
        "nosso_numero_dv": nosso.check_digit,
    }


def test_brcobranca_free_field():
    # brcobranca spec: convenio 245274, nosso número 000000000000001, carteira 1, emissão 4.
    wallet = Wallet(agency="1825", convenio="245274", carteira="1")
    assert CAIXA.free_field(wallet, 1) == "2452740000100040000000017"
    assert CAIXA.nosso_numero(wallet, 1).formatted == "14000000000000001-4"


def test_sem_registro():
    wallet = Wallet(convenio="245274", carteira="SR")
    assert CAIXA.nosso_numero(wallet, 5).number == "24000000000000005"
    assert CAIXA.parse_free_field(CAIXA.free_field(wallet, 5))["carteira"] == "SR"


def test_amount_limit():
    issue("104", MANUAL_WALLET, 1, date(2030, 1, 1), Decimal("9999999.99"))
    with pytest.raises(InvalidBoleto, match=r"^amount: Caixa Econômica Federal accepts at most 9999999.99"):
        issue("104", MANUAL_WALLET, 1, date(2030, 1, 1), Decimal("10000000.00"))


@pytest.mark.parametrize(
    ("free_field", "message"),
    [
        ("0055087222133347777777771", "beneficiário DV is 7, expected 5"),
        ("0055077222333347777777771", "constant 1 (position 30) must be 1 or 2, got 3"),
        ("0055077222133357777777771", "constant 2 (position 34) must be 4, got 5"),
        ("0055077222133347777777772", "free-field DV is 2, expected 1"),
    ],
)
def test_parse_free_field_checks(free_field, message):
    with pytest.raises(InvalidBoleto, match=r"^free field: ") as error:
        CAIXA.parse_free_field(free_field)
    assert message in str(error.value)


@pytest.mark.parametrize(
    ("wallet", "field", "reason", "expected"),
    [
        (Wallet(convenio="005507", convenio_dv="8", carteira="RG"), "convenio_dv", "check digit", "7"),
        (Wallet(convenio="1234567", carteira="RG"), "convenio", "length", 6),
        (Wallet(carteira="RG"), "convenio", "missing", 6),
        (Wallet(convenio="005507", carteira="3"), "carteira", "unsupported", ["1", "2", "RG", "SR"]),
        (Wallet(convenio="005507"), "carteira", "missing", ["1", "2", "RG", "SR"]),
        (Wallet(convenio="005507", carteira="RG", agency="12345"), "agency", "length", 4),
    ],
)
def test_wallet_errors(wallet, field, reason, expected):
    with pytest.raises(InvalidWallet) as error:
        CAIXA.validate_wallet(wallet)
    assert (error.value.field, error.value.reason, error.value.expected) == (field, reason, expected)


def test_sequence_range():
    assert CAIXA.nosso_numero_sequence_max(MANUAL_WALLET) == 10**15 - 1
    with pytest.raises(InvalidBoleto, match=r"^nosso número: "):
        CAIXA.nosso_numero(MANUAL_WALLET, 10**15)
