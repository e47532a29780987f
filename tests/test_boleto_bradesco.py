"""Bradesco (237).

Sources:
- Bradesco manual: "Layout Cobrança" 4008.524.0121, Portuguese version, pages 17-18 and 27-28 (copy in
  github.com/kivanio/brcobranca docs/Bradesco/4008-524-0121-layout-cobranca-versao-portugues.pdf).
- brcobranca spec: github.com/kivanio/brcobranca spec/brcobranca/boleto/bradesco_spec.rb.
- Agency/account DV rule: brcobranca lib/brcobranca/boleto/bradesco.rb and Moip's
  github.com/wirecardBrasil/bank-account-validator-js (src/bradesco_validator.js).
"""

from datetime import date
from decimal import Decimal

import pytest

from cobranca_core.boleto import InvalidBoleto, InvalidWallet, Wallet, get_layout, issue, read

BRADESCO = get_layout("237")
WALLET = Wallet(agency="4042", account="61900", carteira="03")


@pytest.mark.parametrize(
    ("carteira", "sequence", "formatted"),
    [
        ("19", 2, "19/00000000002-8"),  # manual page 17: sum 69, remainder 3
        ("19", 1, "19/00000000001-P"),  # manual page 18: remainder 1 -> "P"
        ("19", 6, "19/00000000006-0"),  # manual page 18: sum 77, remainder 0 -> "0"
        ("06", 525, "06/00000000525-P"),  # brcobranca spec
        ("09", 1, "09/00000000001-1"),  # brcobranca spec
    ],
)
def test_nosso_numero(carteira, sequence, formatted):
    wallet = Wallet(agency="4042", account="61900", carteira=carteira)
    assert BRADESCO.nosso_numero(wallet, sequence).formatted == formatted


@pytest.mark.parametrize(
    ("agency", "dv"),
    # brcobranca spec "#agencia_dv" and "agencia_conta_boleto"
    [
        ("0255", "0"),
        ("0943", "1"),
        ("1467", "2"),
        ("0794", "3"),
        ("0155", "4"),
        ("0650", "5"),
        ("0199", "6"),
        ("1425", "7"),
        ("4042", "8"),
        ("0719", "6"),
        ("0548", "7"),
    ],
)
def test_agency_dv(agency, dv):
    BRADESCO.validate_wallet(Wallet(agency=agency, agency_dv=dv, account="1", carteira="09"))
    with pytest.raises(InvalidWallet) as error:
        BRADESCO.validate_wallet(Wallet(agency=agency, agency_dv="9" if dv != "9" else "8", account="1", carteira="09"))
    assert (error.value.field, error.value.reason, error.value.expected) == ("agency_dv", "check digit", dv)


@pytest.mark.parametrize(("account", "dv"), [("0061900", "0"), ("0001448", "6")])  # brcobranca spec
def test_account_dv(account, dv):
    BRADESCO.validate_wallet(Wallet(agency="4042", account=account, account_dv=dv, carteira="09"))
    with pytest.raises(InvalidWallet, match=r"^account_dv: check digit is 5, expected"):
        BRADESCO.validate_wallet(Wallet(agency="4042", account=account, account_dv="5", carteira="09"))


def test_p_check_digit_may_be_typed_as_zero():
    # Remainder 1 gives "P"; validators in use (Moip) also accept "0" for those agencies and accounts.
    for dv in ("P", "p", "0"):
        BRADESCO.validate_wallet(Wallet(agency="0006", agency_dv=dv, account="0000006", account_dv=dv, carteira="09"))
    with pytest.raises(InvalidWallet) as error:
        BRADESCO.validate_wallet(Wallet(agency="0006", agency_dv="1", account="1", carteira="09"))
    assert error.value.expected == "P or 0"


@pytest.mark.parametrize(
    ("wallet", "sequence", "due", "amount", "barcode", "line"),
    [
        (  # brcobranca spec "carteira número 06"
            Wallet(agency="1172", account="0403005", carteira="06"),
            75896452,
            date(2009, 4, 30),
            Decimal("2952.95"),
            "23795422300002952951172060007589645204030050",
            "23791.17209 60007.589645 52040.300502 5 42230000295295",
        ),
        (  # brcobranca spec "carteira número 03"
            WALLET,
            777700168,
            date(2008, 2, 2),
            Decimal("135.00"),
            "23791377000000135004042030077770016800619000",
            "23794.04201 30077.770011 68006.190000 1 37700000013500",
        ),
    ],
)
def test_issue_matches_published_pairs(wallet, sequence, due, amount, barcode, line):
    boleto, nosso = issue("237", wallet, sequence, due, amount)
    assert boleto.barcode == barcode
    assert boleto.formatted_digitable_line == line
    _, fields = read(line, reference_date=due)
    assert fields == {
        "agency": wallet.agency,
        "carteira": wallet.carteira,
        "nosso_numero": nosso.number,
        "nosso_numero_dv": nosso.check_digit,
        "account": wallet.account.zfill(7),
    }


def test_sequence_range():
    assert BRADESCO.nosso_numero_sequence_max(WALLET) == 99_999_999_999
    with pytest.raises(InvalidBoleto, match=r"^nosso número: "):
        BRADESCO.nosso_numero(WALLET, 10**11)


def test_parse_free_field_last_digit():
    with pytest.raises(InvalidBoleto, match=r"^free field: position 44 must be 0"):
        BRADESCO.parse_free_field("4042030077770016800619001")


@pytest.mark.parametrize(
    ("wallet", "field", "reason"),
    [
        (Wallet(agency="4042", account="12345678", carteira="09"), "account", "length"),
        (Wallet(agency="4042", account="61900"), "carteira", "missing"),
        (Wallet(agency="4042", account="61900", carteira="109"), "carteira", "length"),
        (Wallet(account="61900", carteira="09"), "agency", "missing"),
    ],
)
def test_wallet_errors(wallet, field, reason):
    with pytest.raises(InvalidWallet) as error:
        BRADESCO.validate_wallet(wallet)
    assert (error.value.field, error.value.reason) == (field, reason)
