"""A bank that answers a remessa: the retorno it would send back, line by line.

The lines are written with the layouts' own records (``cobranca_core.cnab``): a retorno detail for
CNAB 400 (Itaú), segments T and U for CNAB 240, with the values each answer gives; what the
remessa said of each title (nosso número, seu número, due date, amount) is copied from the remessa
as the bank would. ``Answer.number`` names the title by its nosso número (without check digit).
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from cobranca_core.cnab.remessa import detect_layout, split_lines


@dataclass
class Answer:
    """What the bank says of one title: its occurrence ``code`` (the bank's table), the reasons
    (two characters each), and for a liquidação the amounts (default: the face amount paid, no fee)."""

    number: str
    code: str
    reasons: str = ""
    paid: Decimal | None = None
    interest_fine: Decimal = Decimal("0.00")
    discount: Decimal = Decimal("0.00")
    fee: Decimal = Decimal("0.00")
    credit_date: date | None = None
    face: Decimal | None = None  # for a title the remessa does not have
    extra: dict = field(default_factory=dict)


def _titles(remessa):
    """{nosso número: values of its detail (400) or P segment (240)} of ``remessa`` (bytes)."""
    lines = split_lines(remessa)
    layout = detect_layout(lines[0], returned=False)
    lines = split_lines(remessa, layout.size)
    header = layout.records["header"].parse(lines[0], 1)
    titles = {}
    for number, line in enumerate(lines[1:], start=2):
        if layout.size == 400 and line[0] == "1":
            values = layout.records["detail"].parse(line, number)
            titles[values["nosso_number"].lstrip("0")] = values
        elif layout.size == 240 and line[7] == "3" and line[13] == "P":
            values = layout.records["P"].parse(line, number)
            titles[layout.nosso_numero_from(values)[0].lstrip("0")] = values
    return layout, header, titles


def retorno(remessa, answers, when=date(2026, 12, 10), **header):
    """The retorno answering ``remessa`` (bytes) with ``answers``; ``header`` changes header values
    (e.g. another ``account``)."""
    layout, remessa_header, titles = _titles(remessa)
    if layout.size == 400:
        return _retorno_400(layout, remessa_header, titles, answers, when, header)
    return _retorno_240(layout, remessa_header, titles, answers, when, header)


def _amounts(answer, face):
    paid = answer.paid if answer.paid is not None else face + answer.interest_fine - answer.discount
    return paid, paid - answer.fee


def _retorno_400(layout, remessa_header, titles, answers, when, header):
    records = layout.records
    first = next(iter(titles.values()), {})
    head = {
        **remessa_header,
        "operation": "2",
        "literal": "RETORNO",
        "file_date": when,
        "credit_date": when,
        "sequence": "00001",
        "line_number": 1,
        **header,
    }
    lines = [records["return_header"].render(head)]
    total = Decimal("0.00")
    for answer in answers:
        title = titles.get(answer.number.lstrip("0"), {})
        face = answer.face if answer.face is not None else title.get("amount", Decimal("0.00"))
        _paid, credited = _amounts(answer, face)
        is_payment = answer.code in ("06", "07", "08", "10")
        values = {
            "company_doc_type": first.get("company_doc_type", "02"),
            "company_doc": first.get("company_doc"),
            "agency": head.get("agency"),
            "account": head.get("account"),
            "account_dv": head.get("account_dv"),
            "company_use": title.get("company_use", ""),
            "carteira": title.get("carteira", "109"),
            "nosso_number": answer.number,
            "nosso_dv": "0",
            "carteira_code": "I",
            "movement": answer.code,
            "occurrence_date": when,
            "document_number": title.get("document_number", ""),
            "nosso_number_confirmed": answer.number,
            "due_date": title.get("due_date"),
            "face_amount": face,
            "collecting_bank": "341",
            "especie": "01",
            "fee": answer.fee or None,
            "credited": credited if is_payment else None,
            "interest_fine": answer.interest_fine or None,
            "discount": answer.discount or None,
            "credit_date": (answer.credit_date or when) if is_payment else None,
            "reasons": answer.reasons,
            "line_number": len(lines) + 1,
            **answer.extra,
        }
        total += face
        lines.append(records["return_detail"].render(values))
    trailer = {"simple_count": len(answers), "simple_total": total, "details": len(answers), "total": total}
    lines.append(records["return_trailer"].render({**trailer, "sequence": "00001", "line_number": len(lines) + 1}))
    return "".join(line + "\r\n" for line in lines).encode("ascii")


def _retorno_240(layout, remessa_header, titles, answers, when, header):
    records = layout.records
    head = {**remessa_header, "file_code": "2", "file_date": when, "file_sequence": 1, **header}
    lines = [records.get("return_header", records["header"]).render(head)]
    account = {key: head.get(key) for key in ("agency", "agency_dv", "account", "account_dv", "convenio")}
    lot = {**head, "lot": 1, "record_type": "1", "operation": "T", "service": "01"}
    lines.append(records["lot_header"].render(lot))
    number = 0
    for answer in answers:
        title = titles.get(answer.number.lstrip("0"), {})
        face = answer.face if answer.face is not None else title.get("amount", Decimal("0.00"))
        paid, credited = _amounts(answer, face)
        is_payment = answer.code in ("06", "17")
        shared = {key: value for key, value in title.items() if key in records["T"].by_name}
        t = {
            **shared,
            **account,
            "bank_code": layout.bank_code,
            "lot": 1,
            "movement": answer.code,
            "face_amount": face,
            "fee": answer.fee or None,
            "reasons": answer.reasons,
            **answer.extra,
        }
        if not title:
            t.update(layout_nosso(layout, answer.number))
        u = {
            "bank_code": layout.bank_code,
            "lot": 1,
            "movement": answer.code,
            "interest_fine": answer.interest_fine or None,
            "discount": answer.discount or None,
            "paid": paid if is_payment else None,
            "credited": credited if is_payment else None,
            "occurrence_date": when,
            "credit_date": (answer.credit_date or when) if is_payment else None,
        }
        for segment, values in (("T", t), ("U", u)):
            number += 1
            lines.append(records[segment].render({**values, "sequence": number, "segment": segment}))
    lines.append(records["lot_trailer"].render({"bank_code": layout.bank_code, "lot": 1, "lot_records": number + 2}))
    lines.append(records["trailer"].render({"bank_code": layout.bank_code, "lots": 1, "records": len(lines) + 1}))
    return "".join(line + "\r\n" for line in lines).encode("ascii")


def layout_nosso(layout, number):
    """The T segment's nosso número fields of a title the remessa does not have (Itaú 240)."""
    return {"carteira": "109", "nosso_number": number, "nosso_dv": "0"}
