"""Properties of every layout, checked with hypothesis over random titles and retorno values.

- A remessa read back gives what went in (the text as the CNAB rules write it: upper case, no
  accents, cut where the layout cuts).
- Every written line is exactly as long as its layout, and every field re-reads to the same text:
  numeric fields are digits right-aligned with zeros, alphanumeric ones upper case, allowed
  characters, left-aligned with blanks (``record.render(record.parse(line)) == line``).
- Trailers count what the file holds; CNAB 400 lines are numbered 1, 2, 3...
- A retorno line written from values is read back into the same values.
"""

import string
from datetime import date, datetime, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from cobranca_core.boleto import Wallet
from cobranca_core.boleto import get_layout as boleto_layout
from cobranca_core.cnab import LAYOUTS, Beneficiary, Kind, Movement, Payer, Title, read_remessa, write_remessa
from cobranca_core.cnab.text import ALLOWED, STATES, cnab_text

settings.register_profile("cnab-properties", deadline=None, max_examples=60)
settings.load_profile("cnab-properties")

BENEFICIARIES = {
    ("001", 240): {
        "wallet": Wallet(agency="4042", account="61900", carteira="17", convenio="1234567"),
        "variation": "19",
    },
    ("033", 240): {
        "wallet": Wallet(agency="4042", account="13000123", account_dv="4", convenio="1899775", carteira="101"),
        "transmission_code": "404200001899775",
    },
    ("104", 240): {"wallet": Wallet(agency="1234", agency_dv="5", convenio="005507", carteira="RG")},
    ("237", 240): {"wallet": Wallet(agency="4042", account="61900", carteira="09"), "company_code": "1234567"},
    ("237", 400): {"wallet": Wallet(agency="4042", account="61900", carteira="09"), "company_code": "1234567"},
    ("341", 240): {"wallet": Wallet(agency="0057", account="72192", carteira="109")},
    ("341", 400): {"wallet": Wallet(agency="0057", account="72192", carteira="109")},
    ("748", 240): {"wallet": Wallet(agency="0165", posto="02", convenio="00623", carteira="1")},
    ("756", 240): {"wallet": Wallet(agency="4327", convenio="229385", carteira="1", account="12345", account_dv="6")},
}
assert set(BENEFICIARIES) == set(LAYOUTS)  # every layout is exercised
WHEN = datetime(2026, 3, 2, 8, 0, 0)
DOCUMENTS = ["11.222.333/0001-81", "04.252.011/0001-10", "111.444.777-35", "529.982.247-25"]
ESPECIE = {"748": "DMI"}

words = st.text(alphabet=string.ascii_letters + "áéíóúâêôãõçÁÉÍÓÚÇ .,-/&'ºª", min_size=1, max_size=70).filter(
    lambda text: cnab_text(text)
)
cents = st.integers(100, 9_999_999)
rates = st.integers(0, 1000).map(lambda n: Decimal(n).scaleb(-2))


def beneficiary(key):
    return Beneficiary(
        bank_code=key[0], layout=key[1], company_name="BR Company", company_document=DOCUMENTS[1], **BENEFICIARIES[key]
    )


@st.composite
def titles(draw, key):
    ben = beneficiary(key)
    count = draw(st.integers(1, 4))
    sequences = draw(st.lists(st.integers(1, 99_999), min_size=count, max_size=count, unique=True))
    out = []
    for index, sequence in enumerate(sequences):
        amount = Decimal(draw(cents)).scaleb(-2)
        due = date(2026, 4, 1) + timedelta(draw(st.integers(0, 1500)))
        discount = draw(st.sampled_from([Decimal(0), (amount / 10).quantize(Decimal("0.01"))]))
        movement = draw(st.sampled_from([Movement.ENTRY, Movement.ENTRY, Movement.WRITE_OFF, Movement.CHANGE_DUE_DATE]))
        payer = Payer(
            name=draw(words),
            document=draw(st.sampled_from(DOCUMENTS)),
            address=draw(words),
            district=draw(st.one_of(st.just(""), words)),
            zip_code=draw(st.from_regex(r"[0-9]{5}-?[0-9]{3}", fullmatch=True).filter(lambda cep: cep.strip("0-"))),
            city=draw(words),
            state=draw(st.sampled_from(sorted(STATES))).lower(),
        )
        out.append(
            Title(
                reference=f"T{index}",
                nosso_numero=boleto_layout(key[0]).nosso_numero(ben.wallet, sequence, issue_date=date(2026, 3, 1)),
                due_date=due,
                amount=amount,
                movement=movement,
                document_number=draw(st.from_regex(r"[A-Za-z0-9/-]{1,10}", fullmatch=True)),
                issue_date=date(2026, 3, 1),
                payer=payer,
                fine_percent=draw(rates),
                interest_monthly_percent=draw(rates),
                discount=discount,
                discount_date=due - timedelta(3) if discount else None,
                especie=ESPECIE.get(key[0], "DM"),
            )
        )
    return ben, out


def payer_width(layout):
    record = layout.records.get("Q") or layout.records["detail"]
    return record.by_name["payer_name"].width


@settings(max_examples=40)
@given(st.data())
def test_a_remessa_read_back_gives_what_went_in(data):
    key = data.draw(st.sampled_from(sorted(LAYOUTS)))
    ben, items = data.draw(titles(key))
    layout = LAYOUTS[key]
    remessa = read_remessa(write_remessa(ben, items, 7, WHEN).content)
    assert (remessa.bank_code, remessa.layout, remessa.generated_on) == (key[0], key[1], WHEN.date())
    assert len(remessa.titles) == len(items)
    for sent, read in zip(items, remessa.titles, strict=True):
        assert read.movement == sent.movement
        assert read.nosso_numero.lstrip("0") == sent.nosso_numero.number.lstrip("0")
        assert read.nosso_numero_dv in ("", sent.nosso_numero.check_digit)
        assert read.document_number == cnab_text(sent.document_number)
        assert read.amount == sent.amount
        if sent.movement == Movement.CHANGE_AMOUNT:
            continue
        assert read.due_date == sent.due_date
        if sent.movement != Movement.ENTRY:
            continue
        assert read.issue_date == sent.issue_date
        assert read.payer_name == cnab_text(sent.payer.name)[: payer_width(layout)].rstrip()
        assert read.payer_zip_code == sent.payer.zip_code.replace("-", "")
        assert read.daily_interest == sent.daily_interest
        assert (read.discount, read.discount_date) == (sent.discount, sent.discount_date)
        if read.fine_is_percent:  # Sicredi 240 and Bradesco 400 take the rate, the bank computes the amount
            assert read.fine == sent.fine_percent
        else:
            assert read.fine == sent.fine


@settings(max_examples=40)
@given(st.data())
def test_every_line_has_its_length_and_every_field_reads_back_to_the_same_text(data):
    key = data.draw(st.sampled_from(sorted(LAYOUTS)))
    ben, items = data.draw(titles(key))
    layout = LAYOUTS[key]
    lines = write_remessa(ben, items, data.draw(st.integers(1, 999_999)), WHEN).content.split("\r\n")[:-1]
    for number, line in enumerate(lines, start=1):
        assert len(line) == layout.size
        assert set(line) <= ALLOWED
        record = record_of(layout, line, number, len(lines))
        assert record.render(record.parse(line, number)) == line
        for item in record.fields:
            text = line[item.start - 1 : item.end]
            if item.kind in ("num", "value", "date"):
                assert text.isdigit(), (record.name, item)
            else:
                assert text == text.upper() and (not text.strip() or not text.startswith(" ")), (record.name, item)


def record_of(layout, line, number, total):
    """The record type of a remessa line (by its layout's markers)."""
    if layout.size == 240:
        kind = {"0": "header", "1": "lot_header", "5": "lot_trailer", "9": "trailer"}.get(line[7])
        return layout.records[kind or line[13]]
    if number == 1:
        return layout.records["header"]
    if number == total:
        return layout.records["trailer"]
    return layout.records[{"1": "detail", "2": "fine", "3": "pix"}[line[0]]]


@given(st.data())
def test_trailers_count_what_the_file_holds(data):
    key = data.draw(st.sampled_from(sorted(LAYOUTS)))
    ben, items = data.draw(titles(key))
    lines = write_remessa(ben, items, 1, WHEN).content.split("\r\n")[:-1]
    if key[1] == 400:
        assert [int(line[394:]) for line in lines] == list(range(1, len(lines) + 1))
        assert sum(line[0] == "1" for line in lines) == len(items)
        return
    assert int(lines[-1][23:29]) == len(lines) and int(lines[-1][17:23]) == 1
    assert int(lines[-2][17:23]) == len(lines) - 2
    assert sum(line[13] == "P" for line in lines[2:-2]) == len(items)


@given(st.integers(1, 999_999), st.integers(1, 1295))
def test_two_files_of_the_same_day_never_share_a_name(sequence, step):
    for key, layout in LAYOUTS.items():
        ben = beneficiary(key)
        if sequence + step > layout.max_sequence:
            continue
        assert layout.file_name(ben, sequence, WHEN) != layout.file_name(ben, sequence + step, WHEN)


amounts = st.integers(0, 99_999_999).map(lambda n: Decimal(n).scaleb(-2))
dates = st.one_of(st.none(), st.dates(min_value=date(2001, 1, 1), max_value=date(2099, 12, 28)))


@given(st.data())
def test_a_retorno_line_reads_back_into_its_values(data):
    key = data.draw(st.sampled_from(sorted(LAYOUTS)))
    layout = LAYOUTS[key]
    code = data.draw(st.sampled_from(sorted(layout.return_codes)))
    values = {
        "movement": code,
        "due_date": data.draw(dates),
        "face_amount": data.draw(amounts),
        "fee": data.draw(amounts),
        "document_number": cnab_text(data.draw(st.from_regex(r"[A-Z0-9]{0,10}", fullmatch=True))),
    }
    if key[1] == 240:
        t = {**values, "bank_code": key[0], "lot": 1, "sequence": 1}
        u = {
            "bank_code": key[0],
            "lot": 1,
            "sequence": 2,
            "movement": code,
            "paid": data.draw(amounts),
            "credited": data.draw(amounts),
            "interest_fine": data.draw(amounts),
            "credit_date": data.draw(dates),
        }
        line_t, line_u = layout.records["T"].render(t), layout.records["U"].render(u)
        entry = layout.entry({"line": 3, **layout.records["T"].parse(line_t, 3)}, layout.records["U"].parse(line_u, 4))
        assert (entry.paid_amount, entry.credited_amount, entry.interest_fine, entry.credit_date) == (
            u["paid"],
            u["credited"],
            u["interest_fine"],
            u["credit_date"],
        )
    else:
        paid = data.draw(amounts)
        detail = {**values, "paid": paid, "credited": paid}
        line = layout.records["return_detail"].render(detail)
        entry = layout.entry(2, layout.records["return_detail"].parse(line, 2))
    assert (entry.movement.code, entry.kind) == (code, layout.return_codes[code][1])
    assert entry.movement.text == layout.return_codes[code][0]
    assert (entry.due_date, entry.face_amount, entry.fee, entry.document_number) == (
        values["due_date"],
        values["face_amount"],
        values["fee"],
        values["document_number"],
    )
    assert entry.kind in {value for name, value in vars(Kind).items() if name.isupper()}
