"""Properties of the boleto engine, checked with hypothesis over random boletos and wallets."""

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from cobranca_core.boleto import (
    InvalidBoleto,
    InvalidWallet,
    Wallet,
    barcode_to_digitable_line,
    build,
    digitable_line_to_barcode,
    due_date_factor,
    factor_to_date,
    general_check_digit,
    get_layout,
    issue,
    modulo10,
    modulo11,
    parse,
    read,
)
from cobranca_core.boleto.banks.itau import AMBIGUOUS_CARTEIRAS, FIFTEEN_DIGIT_CARTEIRAS

settings.register_profile("boleto", deadline=None)
settings.load_profile("boleto")


def digits(size, max_size=None):
    return st.text("0123456789", min_size=size, max_size=size if max_size is None else max_size)


bank_codes = st.from_regex(r"[0-79][0-9]{2}", fullmatch=True)  # a leading 8 marks arrecadação
free_fields = digits(25)
cents = st.integers(0, 9_999_999_999)
due_dates = st.dates(min_value=date(2000, 7, 3), max_value=date(2099, 12, 31))
# A reference date the due date falls in the window of: reference - 3000 <= due <= reference + 5999.
window_offsets = st.integers(-3000, 5999)


@st.composite
def boletos(draw):
    due = draw(st.one_of(st.none(), due_dates))
    amount = Decimal(draw(cents)).scaleb(-2)
    return build(draw(bank_codes), due, amount, draw(free_fields)), due, amount


@given(boletos(), window_offsets)
def test_build_then_parse_gives_everything_back(made, offset):
    boleto, due, amount = made
    reference = (due or date(2030, 1, 1)) - timedelta(days=offset)
    for code in (boleto.barcode, boleto.digitable_line, boleto.formatted_digitable_line):
        parsed = parse(code, reference)
        assert parsed == boleto
        assert (parsed.due_date, parsed.amount) == (due, amount)


@given(digits(44))
def test_barcode_line_conversion_round_trips(barcode):
    line = barcode_to_digitable_line(barcode)
    assert len(line) == 47
    assert digitable_line_to_barcode(line) == barcode


@given(boletos(), st.data())
def test_single_digit_changes_are_refused_except_dv_geral_blind_spot(made, data):
    """Campos 1-3 are guarded by modulo 10, which catches every single substitution. Everything else
    relies on the DV geral, whose modulo 11 maps remainders 0, 1 and 10 all to "1": a change that
    moves the remainder within that set goes unnoticed, and nothing else does."""
    boleto, due, _ = made
    code = data.draw(st.sampled_from([boleto.barcode, boleto.digitable_line]))
    position = data.draw(st.integers(0, len(code) - 1))
    digit = data.draw(st.sampled_from([d for d in "0123456789" if d != code[position]]))
    mutated = code[:position] + digit + code[position + 1 :]
    try:
        parsed = parse(mutated, due or date(2030, 1, 1))
    except InvalidBoleto:
        return
    guarded_by_modulo10 = len(code) == 47 and position < 32
    assert not guarded_by_modulo10
    assert position != (4 if len(code) == 44 else 32)  # the DV geral itself
    assert boleto.check_digit == parsed.check_digit == "1"
    assert modulo11(boleto.barcode[:4] + boleto.barcode[5:]) in (0, 1, 10)
    assert modulo11(parsed.barcode[:4] + parsed.barcode[5:]) in (0, 1, 10)


def test_dv_geral_blind_spot_example():
    # Remainder 0 and remainder 1 both give DV "1": changing the last digit 3 -> 9 keeps a valid code.
    body = "3419166700000123451101234567880057123457003"
    changed = body[:-1] + "9"
    assert general_check_digit(body) == general_check_digit(changed) == "1"
    parse(changed[:4] + "1" + changed[4:], date(2002, 1, 1))


@given(digits(1, 60), st.data())
def test_modulo10_catches_every_single_substitution(number, data):
    position = data.draw(st.integers(0, len(number) - 1))
    digit = data.draw(st.sampled_from([d for d in "0123456789" if d != number[position]]))
    assert modulo10(number[:position] + digit + number[position + 1 :]) != modulo10(number)


@given(digits(1, 60), st.data(), st.sampled_from([5, 7, 9]))
def test_modulo11_remainder_changes_on_every_single_substitution(number, data, max_weight):
    position = data.draw(st.integers(0, len(number) - 1))
    digit = data.draw(st.sampled_from([d for d in "0123456789" if d != number[position]]))
    changed = number[:position] + digit + number[position + 1 :]
    assert modulo11(changed, max_weight) != modulo11(number, max_weight)


@given(st.integers(1000, 9999), st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)))
def test_factor_to_date_inverts_due_date_factor(factor, reference):
    due = factor_to_date(factor, reference)
    assert due_date_factor(due) == factor
    in_window = reference - timedelta(days=3000) <= due <= reference + timedelta(days=5999)
    assert in_window or due < date(2025, 2, 22)  # first cycle, when the window reaches before 2000-07-03


@given(due_dates, window_offsets)
def test_due_date_read_back_within_window(due, offset):
    assert factor_to_date(due_date_factor(due), due - timedelta(days=offset)) == due


# --- bank layouts -------------------------------------------------------------------------------


def dv_of(layout_code, field, wallet):
    """Every other digit typed in ``field`` must be refused; returns the accepted ones."""
    layout = get_layout(layout_code)
    accepted = set()
    for typed in "0123456789XP":
        try:
            layout.validate_wallet(replace(wallet, **{field: typed}))
        except InvalidWallet as error:
            assert error.field == field
            assert error.reason == "check digit"
        else:
            accepted.add(typed)
    return accepted


@st.composite
def wallets(draw):
    code = draw(st.sampled_from(["001", "033", "104", "237", "341", "748", "756"]))
    if code == "001":
        size = draw(st.sampled_from([4, 6, 7]))
        convenio = str(draw(st.integers(1, 10**size - 1))).zfill(size)
        wallet = Wallet(
            agency=draw(digits(1, 4)),
            account=draw(digits(1, 8)),
            carteira=draw(digits(2).filter(lambda c: c != "21")),
            convenio=convenio,
            free_nosso_numero=size == 6 and draw(st.booleans()),
        )
    elif code == "341":
        carteira = draw(digits(3).filter(lambda c: c not in FIFTEEN_DIGIT_CARTEIRAS | AMBIGUOUS_CARTEIRAS))
        wallet = Wallet(agency=draw(digits(4)), account=draw(digits(5)), carteira=carteira)
    elif code == "237":
        wallet = Wallet(agency=draw(digits(1, 4)), account=draw(digits(1, 7)), carteira=draw(digits(2)))
    elif code == "104":
        wallet = Wallet(convenio=draw(digits(6)), carteira=draw(st.sampled_from(["1", "2", "RG", "SR"])))
    elif code == "033":
        wallet = Wallet(convenio=draw(digits(7)), carteira=draw(st.sampled_from(["101", "102", "104", "201"])))
    elif code == "756":
        wallet = Wallet(
            agency=draw(digits(4)),
            convenio=draw(digits(1, 7)),
            carteira=draw(st.sampled_from(["1", "3"])),
            modalidade=draw(digits(2)),
        )
    else:
        wallet = Wallet(
            agency=draw(digits(4)),
            posto=draw(digits(2)),
            convenio=draw(digits(5)),
            carteira=draw(st.sampled_from(["1", "3"])),
            byte_idt=draw(st.sampled_from("23456789")),
        )
    layout = get_layout(code)
    sequence = draw(st.integers(layout.nosso_numero_sequence_min, layout.nosso_numero_sequence_max(wallet)))
    return code, wallet, sequence


@given(wallets(), due_dates, st.integers(0, 999_999_999), st.dates(date(2000, 1, 1), date(2099, 12, 31)))
def test_issue_then_read_gives_the_nosso_numero_back(made, due, amount_cents, issue_date):
    code, wallet, sequence = made
    amount = Decimal(amount_cents).scaleb(-2)
    boleto, nosso = issue(code, wallet, sequence, due, amount, issue_date=issue_date)
    parsed, fields = read(boleto.digitable_line, wallet=wallet, reference_date=due)
    assert parsed == boleto
    assert fields["nosso_numero"] == nosso.number
    if "nosso_numero_dv" in fields:
        assert fields["nosso_numero_dv"] == nosso.check_digit
    for name in ("agency", "account", "carteira", "convenio"):
        typed = getattr(wallet, name)
        # Caixa maps "1"/"2" to "RG"/"SR"; BB's free nosso número puts "21" where the carteira was.
        printed_only = name == "carteira" and (code == "104" or wallet.free_nosso_numero)
        if name in fields and typed and not printed_only:
            assert fields[name].lstrip("0") == typed.lstrip("0")
    assert nosso.number in nosso.formatted.replace("/", "")
    assert nosso.formatted.endswith(f"-{nosso.check_digit}" if nosso.check_digit else nosso.number[-1])


@given(st.sampled_from(["001", "237", "341"]), digits(4), digits(5))
def test_account_check_digit_has_one_answer(code, agency, account):
    carteira = {"001": "18", "237": "09", "341": "109"}[code]
    wallet = Wallet(agency=agency, account=account, carteira=carteira, convenio="1238")
    accepted = dv_of(code, "account_dv", wallet)
    # Bradesco accepts "0" besides "P" (see bradesco.py); every other bank exactly one character.
    assert len(accepted) == 1 or (code == "237" and accepted == {"P", "0"})


@given(digits(4))
def test_agency_check_digit_has_one_answer(agency):
    assert len(dv_of("001", "agency_dv", Wallet(agency=agency, account="1", carteira="18", convenio="1238"))) == 1
    assert len(dv_of("756", "agency_dv", Wallet(agency=agency, convenio="1", carteira="1"))) == 1
    accepted = dv_of("237", "agency_dv", Wallet(agency=agency, account="1", carteira="09"))
    assert len(accepted) == 1 or accepted == {"P", "0"}
