"""Sicoob (756).

Sources:
- Sicoob workbook: "Instruções para montagem e validação de boletos de cobrança" (LEIAUTE COBRANCA SICOOB
  SISTEMAS DE TERCEIRO.XLSX, updated 2017-08-22), sheets "01.Contracapa" (cooperatives with their DV)
  and "02.Especificações do Boleto" item 3.13; copy in github.com/kivanio/brcobranca docs/Sicoob/.
- brcobranca spec: github.com/kivanio/brcobranca spec/brcobranca/boleto/sicoob_spec.rb.
- BoletoNetCore: github.com/BoletoNet/BoletoNetCore BoletoNetCore.Testes/Bancos/Sicoob/Carteiras/
  BancoSicoobCarteira1_01Tests.cs (cooperativa 4277-3, cliente 17227-8).
"""

from datetime import date
from decimal import Decimal

import pytest

from cobranca_core.boleto import InvalidBoleto, InvalidWallet, Wallet, get_layout, issue, read
from cobranca_core.boleto.banks.sicoob import cooperativa_dv, nosso_numero_dv

SICOOB = get_layout("756")
BRCOBRANCA_WALLET = Wallet(agency="4327", convenio="229385", carteira="1")
BOLETONET_WALLET = Wallet(agency="4277", agency_dv="3", convenio="17227", convenio_dv="8", carteira="1")


def test_nosso_numero_dv_manual_example():
    # Item 3.13: cooperativa 0001, cliente 1-9, nosso número 21 -> 000100000000190000021, sum 36 -> 21-8.
    assert nosso_numero_dv("0001", "19", "0000021") == "8"


@pytest.mark.parametrize(
    ("sequence", "dv"),
    # brcobranca spec "Montar nosso_numero_dv" for cooperativa 4327, cliente 229385
    list(zip(range(1, 14), "7419630853085", strict=True)),
)
def test_nosso_numero_dv(sequence, dv):
    assert SICOOB.nosso_numero(BRCOBRANCA_WALLET, sequence).check_digit == dv


@pytest.mark.parametrize(
    ("cooperativa", "dv"),
    # Sheet "01.Contracapa": 0001-9, 1001-4, 1003-0 (remainder 0), 2015-0 (remainder 1), 4327-3; BoletoNetCore 4277-3.
    [("0001", "9"), ("1001", "4"), ("1003", "0"), ("2015", "0"), ("4327", "3"), ("4277", "3")],
)
def test_cooperativa_dv(cooperativa, dv):
    assert cooperativa_dv(cooperativa) == dv
    SICOOB.validate_wallet(Wallet(agency=cooperativa, agency_dv=dv, convenio="1", carteira="1"))


@pytest.mark.parametrize(
    ("wallet", "sequence", "due", "amount", "barcode", "line"),
    [
        (  # brcobranca spec "modalidade 01"
            BRCOBRANCA_WALLET,
            2,
            date(2016, 2, 18),
            Decimal("50.00"),
            "75692670800000050001432701022938500000024001",
            "75691.43279 01022.938508 00000.240010 2 67080000005000",
        ),
        (  # brcobranca spec "modalidade 05"
            Wallet(agency="4134", convenio="148180", carteira="1", modalidade="05"),
            110,
            date(2017, 4, 15),
            Decimal("235.00"),
            "75694713000000235001413405014818000001104001",
            "75691.41349 05014.818008 00011.040011 4 71300000023500",
        ),
        (  # BoletoNetCore: 0000004-0
            BOLETONET_WALLET,
            4,
            date(2016, 11, 10),
            Decimal("300.00"),
            "75691697400000300001427701017227800000040001",
            "75691.42776 01017.227800 00000.400010 1 69740000030000",
        ),
        (  # BoletoNetCore: 0012349-2
            BOLETONET_WALLET,
            12349,
            date(2016, 12, 28),
            Decimal("4011.24"),
            "75697702200004011241427701017227800123492001",
            "75691.42776 01017.227800 01234.920013 7 70220000401124",
        ),
    ],
)
def test_issue_matches_published_pairs(wallet, sequence, due, amount, barcode, line):
    boleto, nosso = issue("756", wallet, sequence, due, amount)
    assert boleto.barcode == barcode
    assert boleto.formatted_digitable_line == line
    _, fields = read(barcode, reference_date=due)
    assert (fields["nosso_numero"], fields["nosso_numero_dv"]) == (nosso.number, nosso.check_digit)
    assert fields["installment"] == "001"


def test_installment():
    free = SICOOB.free_field(BOLETONET_WALLET, 4, installment=12)
    assert free.endswith("012")
    assert SICOOB.parse_free_field(free)["installment"] == "012"
    for bad in (0, 1000, "1"):
        with pytest.raises(InvalidBoleto, match=r"^installment: "):
            SICOOB.free_field(BOLETONET_WALLET, 4, installment=bad)


def test_sequence_range():
    assert SICOOB.nosso_numero_sequence_max(BRCOBRANCA_WALLET) == 9_999_999
    with pytest.raises(InvalidBoleto, match=r"^nosso número: "):
        SICOOB.nosso_numero(BRCOBRANCA_WALLET, 10_000_000)


def test_parse_free_field_checks_nosso_numero_dv():
    with pytest.raises(InvalidBoleto, match=r"^free field: nosso número DV is 1, expected 0"):
        SICOOB.parse_free_field("1427701017227800000041001")


@pytest.mark.parametrize(
    ("wallet", "field", "reason"),
    [
        (Wallet(agency="4277", agency_dv="4", convenio="172278", carteira="1"), "agency_dv", "check digit"),
        (Wallet(agency="4277", convenio="172278", carteira="2"), "carteira", "unsupported"),
        (Wallet(agency="4277", convenio="12345678", carteira="1"), "convenio", "length"),
        (Wallet(agency="4277", convenio="1234567", convenio_dv="8", carteira="1"), "convenio", "length"),
        (Wallet(agency="4277", convenio="172278", carteira="1", modalidade="123"), "modalidade", "length"),
        (Wallet(convenio="172278", carteira="1"), "agency", "missing"),
    ],
)
def test_wallet_errors(wallet, field, reason):
    with pytest.raises(InvalidWallet) as error:
        SICOOB.validate_wallet(wallet)
    assert (error.value.field, error.value.reason) == (field, reason)
