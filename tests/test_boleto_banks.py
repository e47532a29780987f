"""The bank registry and what every layout shares: get_layout, issue, read, Wallet checks."""

import subprocess
import sys
from datetime import date
from decimal import Decimal

import pytest

from cobranca_core.boleto import (
    LAYOUTS,
    BankLayout,
    Boleto,
    InvalidBoleto,
    InvalidWallet,
    NossoNumero,
    UnsupportedBank,
    Wallet,
    build,
    get_layout,
    issue,
    modulo11,
    parse,
    read,
)

# One valid wallet per bank, reused by the property tests too.
WALLETS = {
    "001": Wallet(agency="4042", account="61900", carteira="18", convenio="1238"),
    "033": Wallet(convenio="1899775", carteira="101"),
    "104": Wallet(convenio="005507", carteira="RG"),
    "237": Wallet(agency="4042", account="61900", carteira="09"),
    "341": Wallet(agency="0810", account="53678", carteira="109"),
    "748": Wallet(agency="0165", posto="02", convenio="00623", carteira="1"),
    "756": Wallet(agency="4327", convenio="229385", carteira="1"),
}
NAMES = {
    "001": "Banco do Brasil",
    "033": "Santander",
    "104": "Caixa Econômica Federal",
    "237": "Bradesco",
    "341": "Itaú Unibanco",
    "748": "Sicredi",
    "756": "Sicoob",
}


def test_registry():
    assert {code: layout.name for code, layout in LAYOUTS.items()} == NAMES
    for code, layout in LAYOUTS.items():
        assert isinstance(layout, BankLayout)
        assert layout.bank_code == code
        assert get_layout(code) is layout
        assert get_layout(int(code)) is layout


@pytest.mark.parametrize("code", ["999", "1", 999, None, "00l"])
def test_unsupported_bank(code):
    with pytest.raises(UnsupportedBank) as error:
        get_layout(code)
    assert isinstance(error.value, ValueError)
    assert error.value.bank_code == code
    assert repr(code) in str(error.value)
    assert "341 Itaú Unibanco" in str(error.value)


@pytest.mark.parametrize("code", sorted(WALLETS))
def test_issue_and_read_every_bank(code):
    wallet = WALLETS[code]
    boleto, nosso = issue(code, wallet, 42, date(2031, 3, 4), Decimal("1234.56"))
    assert isinstance(boleto, Boleto)
    assert isinstance(nosso, NossoNumero)
    assert (boleto.bank_code, boleto.due_date, boleto.amount) == (code, date(2031, 3, 4), Decimal("1234.56"))
    assert nosso.number in boleto.free_field or code == "104"  # Caixa interleaves constants into it
    parsed, fields = read(boleto.formatted_digitable_line, reference_date=date(2030, 1, 1))
    assert parsed == boleto
    assert fields["nosso_numero"] == nosso.number
    text = str(boleto)
    assert f"{code} {NAMES[code]}" in text
    assert "2031-03-04" in text
    assert "R$ 1.234,56" in text


def test_issue_without_due_date():
    boleto, _ = issue("341", WALLETS["341"], 1, None, Decimal("10.00"))
    assert (boleto.due_date, boleto.factor, boleto.barcode[5:9]) == (None, 0, "0000")


def test_issue_checks_wallet_first():
    with pytest.raises(InvalidWallet, match=r"^carteira: "):
        issue("341", Wallet(agency="0810", account="53678"), 1, date(2030, 1, 1), Decimal("1.00"))


@pytest.mark.parametrize("amount", [Decimal("-1"), Decimal("0.001"), 1.0])
def test_issue_checks_amount(amount):
    with pytest.raises(InvalidBoleto, match=r"^amount: "):
        issue("237", WALLETS["237"], 1, date(2030, 1, 1), amount)


def test_issue_unsupported_bank():
    with pytest.raises(UnsupportedBank):
        issue("422", WALLETS["341"], 1, date(2030, 1, 1), Decimal("1.00"))


def test_read_refuses_unsupported_bank_but_parse_reads_it():
    boleto = build("422", date(2030, 1, 1), Decimal("1.00"), "0" * 25)
    assert parse(boleto.barcode, date(2030, 1, 1)) == boleto
    with pytest.raises(UnsupportedBank):
        read(boleto.barcode)


def test_read_checks_bank_check_digits():
    boleto, _ = issue("341", WALLETS["341"], 7, date(2030, 1, 1), Decimal("1.00"))
    free = boleto.free_field[:11] + str((int(boleto.free_field[11]) + 1) % 10) + boleto.free_field[12:]
    forged = build("341", date(2030, 1, 1), Decimal("1.00"), free)  # FEBRABAN-valid, bank-invalid
    with pytest.raises(InvalidBoleto, match=r"^free field: nosso número DAC"):
        read(forged.barcode, reference_date=date(2030, 1, 1))


def test_validate_wallet_needs_a_wallet():
    with pytest.raises(TypeError):
        get_layout("001").validate_wallet({"agency": "1"})


def test_wallet_fields_must_be_strings():
    with pytest.raises(InvalidWallet) as error:
        get_layout("237").validate_wallet(Wallet(agency=4042, account="1", carteira="09"))
    assert (error.value.field, error.value.reason) == ("agency", "digits")


def test_empty_odoo_fields_read_as_empty():
    # Odoo reads empty Char fields as False; optional fields may come through unchanged.
    wallet = Wallet(agency="4042", agency_dv=False, account="61900", account_dv=False, carteira="09", posto=False)
    get_layout("237").validate_wallet(wallet)
    with pytest.raises(InvalidWallet) as error:
        get_layout("237").validate_wallet(Wallet(agency=False, account="61900", carteira="09"))
    assert (error.value.field, error.value.reason) == ("agency", "missing")


def test_nosso_numero_sequence_must_be_an_integer():
    for bad in ("1", 1.0, True, None):
        with pytest.raises(InvalidBoleto, match=r"^nosso número: sequence must be an integer"):
            get_layout("237").nosso_numero(WALLETS["237"], bad)


def test_command_line_print():
    code = "10490.05505 77222.133348 77777.777713 4 32420000032112"  # Caixa SIGCB manual, Anexo V
    script = f"from cobranca_core.boleto import parse; print(parse({code!r}))"
    output = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert "104 Caixa Econômica Federal" in output
    assert "R$ 321,12" in output
    assert "due date " in output


# The code and check digit printed in the boleto's header, as every bank publishes it ("341-7").
@pytest.mark.parametrize(
    ("bank_code", "printed"),
    [
        ("001", "001-9"),
        ("033", "033-7"),
        ("104", "104-0"),
        ("237", "237-2"),
        ("341", "341-7"),
        ("748", "748-X"),
        ("756", "756-0"),
    ],
)
def test_bank_code_with_check_digit(bank_code, printed):
    layout = get_layout(bank_code)
    assert f"{layout.bank_code}-{layout.bank_code_dv}" == printed
    # The digit is modulo 11 of the code (weights 2..9); each bank maps the result 10 its own way.
    expected = 11 - modulo11(bank_code)
    assert layout.bank_code_dv == {10: "X" if bank_code == "748" else "0", 11: "0"}.get(expected, str(expected))


@pytest.mark.parametrize(
    ("bank_code", "wallet", "printed"),
    [
        (
            "001",
            Wallet(agency="1234", agency_dv="3", account="00012345", account_dv="9", convenio="1234567", carteira="18"),
            "1234-3/00012345-9",
        ),
        ("341", Wallet(agency="0057", account="12345", account_dv="7", carteira="109"), "0057/12345-7"),
        ("237", Wallet(agency="1172", account="0403005", carteira="06"), "1172/0403005"),
        ("104", Wallet(agency="1234", convenio="005507", carteira="1"), "1234/005507-7"),
        ("033", Wallet(agency="4042", convenio="0282033", carteira="102"), "4042/0282033"),
        ("756", Wallet(agency="4327", convenio="229385", carteira="1"), "4327/0229385"),
        ("748", Wallet(agency="0710", posto="02", convenio="12345", carteira="1"), "0710.02.12345"),
    ],
)
def test_beneficiary_code_as_printed(bank_code, wallet, printed):
    assert get_layout(bank_code).beneficiary_code(wallet) == printed
