"""Itaú Unibanco (341).

Sources:
- Itaú 2014: "Cobrança FEBRABAN 240", May 2014, Anexos 2-4 (copy in github.com/kivanio/brcobranca
  docs/Itau/cobranca_cnab240.pdf); Itaú 2016: "Cobrança CNAB 400", February 2016, Nota 23 and
  item 7.3 (docs/Itau/layout_cobranca_400bytes_cnab_itau.pdf).
- brcobranca spec: github.com/kivanio/brcobranca spec/brcobranca/boleto/itau_spec.rb.
"""

from datetime import date
from decimal import Decimal

import pytest

from cobranca_core.boleto import InvalidBoleto, InvalidWallet, Wallet, get_layout, issue, read

ITAU = get_layout("341")


@pytest.mark.parametrize(
    ("wallet", "sequence", "formatted"),
    [
        (Wallet(agency="0057", account="72192", carteira="109"), 98712345, "109/98712345-8"),  # Itaú 2016, Nota 23
        (Wallet(agency="0057", account="12345", carteira="110"), 12345678, "110/12345678-8"),  # Itaú 2014, Anexo 2
        (Wallet(agency="0607", account="15255", carteira="175"), 12345678, "175/12345678-4"),  # brcobranca spec
        (Wallet(agency="0810", account="53678", carteira="175"), 15448, "175/00015448-6"),  # brcobranca spec
        (Wallet(agency="0810", account="53678", carteira="175"), 258281, "175/00258281-7"),  # brcobranca spec
        # Anexo 4 exception, by hand: modulo 10 of "16800258281" only, sum 40 -> 0 (the full formula gives 2;
        # brcobranca's spec shows 2 because it passes carteira 168 as an integer, missing its own exception list).
        (Wallet(agency="0810", account="53678", carteira="168"), 258281, "168/00258281-0"),
        # Nota 23, escritural carteira, by hand: modulo 10 of "11200012345", sum 22 -> 8 (full formula: 0).
        (Wallet(agency="0810", account="53678", carteira="112"), 12345, "112/00012345-8"),
    ],
)
def test_nosso_numero(wallet, sequence, formatted):
    assert ITAU.nosso_numero(wallet, sequence).formatted == formatted


@pytest.mark.parametrize(
    ("agency", "account", "dac"),
    [
        ("0057", "12345", "7"),  # Itaú 2014, Anexo 2: "0057/12345-7"
        ("0607", "15255", "0"),  # brcobranca spec
        ("1547", "85547", "6"),
        ("1547", "10207", "7"),
        ("0811", "53678", "8"),
    ],
)
def test_account_dac(agency, account, dac):
    ITAU.validate_wallet(Wallet(agency=agency, account=account, account_dv=dac, carteira="109"))
    wrong = str((int(dac) + 1) % 10)
    with pytest.raises(InvalidWallet) as error:
        ITAU.validate_wallet(Wallet(agency=agency, account=account, account_dv=wrong, carteira="109"))
    assert (error.value.field, error.value.reason, error.value.expected) == ("account_dv", "check digit", dac)


def test_manual_example_reads_back():
    # Itaú 2014, Anexos 2 and 3: same boleto as barcode and linha digitável.
    boleto, fields = read("34191.10121 34567.880058 71234.570001 6 16670000012345", reference_date=date(2002, 1, 1))
    assert boleto.barcode == "34196166700000123451101234567880057123457000"
    assert fields == {
        "carteira": "110",
        "nosso_numero": "12345678",
        "nosso_numero_dv": "8",
        "agency": "0057",
        "account": "12345",
        "account_dv": "7",
    }


@pytest.mark.parametrize(
    ("wallet", "sequence", "due", "amount", "barcode", "line"),
    [
        (  # brcobranca spec "Gerar boleto"
            Wallet(agency="0810", account="53678", carteira="175"),
            12345678,
            date(2009, 8, 14),
            Decimal("0"),
            "34191432900000000001751234567840810536789000",
            "34191.75124 34567.840813 05367.890000 1 43290000000000",
        ),
        (
            Wallet(agency="0810", account="53678", carteira="175"),
            258281,
            date(2008, 2, 2),
            Decimal("135.00"),
            "34191377000000135001750025828170810536789000",
            "34191.75009 25828.170818 05367.890000 1 37700000013500",
        ),
        (  # due after the 2025 rollover: factor 2548
            Wallet(agency="1248", account="02124", carteira="109"),
            10152,
            date(2029, 5, 20),
            Decimal("6757.87"),
            "34194254800006757871090001015271248021246000",
            "34191.09008 01015.271248 80212.460002 4 25480000675787",
        ),
    ],
)
def test_issue_matches_published_pairs(wallet, sequence, due, amount, barcode, line):
    boleto, nosso = issue(341, wallet, sequence, due, amount)
    assert boleto.barcode == barcode
    assert boleto.formatted_digitable_line == line
    parsed, fields = read(barcode, reference_date=due)
    assert parsed.due_date == due
    assert fields["nosso_numero"] == nosso.number


def test_sequence_range():
    wallet = Wallet(agency="0810", account="53678", carteira="109")
    assert ITAU.nosso_numero_sequence_max(wallet) == 99_999_999
    assert ITAU.nosso_numero(wallet, 99_999_999).number == "99999999"
    with pytest.raises(InvalidBoleto, match=r"^nosso número: "):
        ITAU.nosso_numero(wallet, 100_000_000)


@pytest.mark.parametrize(
    ("free_field", "message"),
    [
        ("1751234567850810536789000", "nosso número DAC is 5, expected 4"),
        ("1751234567840810536788000", "agency/account DAC is 8, expected 9"),
        ("1751234567840810536789001", "positions 42-44 must be 000"),
        ("1980025828112345671234550", "carteira 198 uses the 15-digit layout"),
        ("1461234567840810536789000", "carteira 146's DAC rule is ambiguous"),
    ],
)
def test_parse_free_field_checks(free_field, message):
    with pytest.raises(InvalidBoleto, match=r"^free field: ") as error:
        ITAU.parse_free_field(free_field)
    assert message in str(error.value)


@pytest.mark.parametrize(
    ("wallet", "field", "reason"),
    [
        (Wallet(account="53678", carteira="109"), "agency", "missing"),
        (Wallet(agency="08100", account="53678", carteira="109"), "agency", "length"),
        (Wallet(agency="0810", account="536780", carteira="109"), "account", "length"),
        (Wallet(agency="0810", account="53678"), "carteira", "missing"),
        (Wallet(agency="0810", account="53678", carteira="198"), "carteira", "unsupported"),
        (Wallet(agency="0810", account="53678", carteira="145"), "carteira", "unsupported"),
        (Wallet(agency="0810", account="53678", carteira="146"), "carteira", "unsupported"),
        (Wallet(agency="0810", account="5367-8", carteira="109"), "account", "digits"),
    ],
)
def test_wallet_errors(wallet, field, reason):
    with pytest.raises(InvalidWallet) as error:
        ITAU.validate_wallet(wallet)
    assert (error.value.field, error.value.reason) == (field, reason)
