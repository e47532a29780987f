"""The CNAB 240 file of cobrança, FEBRABAN's frame: one lot of P, Q and R segments, T and U back.

A remessa is one lot: header, lot header, then for each title P, Q and (new titles with a fine)
R, lot trailer, trailer. Counts follow G056/G057 (Bradesco 4008.524.0339 v06, "Campos
Genéricos"): the lot trailer counts its records from lot header to lot trailer, the file trailer
every line. A retorno gives each title a T and a U segment (C044: "Confirmação/Rejeição...,
Liquidação... T, U"), read here as one entry. The records are ``febraban240.RECORDS``; a bank's
module replaces the ones its manual changes and overrides the hooks below.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from . import codes
from .febraban240 import RECORDS
from .fields import CnabParseError
from .layout import CnabLayout, payer_values
from .model import Beneficiary, Movement, Remessa, RemittedTitle, ReturnEntry, ReturnFile, Title
from .text import digits, document_kind


class Cnab240(CnabLayout):
    """The FEBRABAN 240 file. Subclasses set the constants and replace the records and hooks they must."""

    size = 240
    bank_name = ""
    layout_version = "084"
    lot_layout_version = "042"
    density = "00000"
    records = RECORDS
    movement_codes = {
        Movement.ENTRY: "01",
        Movement.WRITE_OFF: "02",
        Movement.CHANGE_DUE_DATE: "06",
        Movement.CHANGE_AMOUNT: None,  # C004 has no amount alteration; banks that allow it say so
    }
    return_codes = codes.RETURN_CODES
    reason_tables = codes.REASON_TABLES
    especies = codes.ESPECIES
    carteira_code = "1"  # C006: cobrança simples
    registration = "1"  # C007: com cadastramento (registrada)
    document_type = "1"  # C008: tradicional
    issuer = "2"  # C009: the beneficiary prints the boleto (this project does)
    distributor = "2"  # C010: the beneficiary delivers it
    interest_code = "1"  # C018: valor por dia (the amount the boleto prints)
    interest_exempt_code = "3"  # C018: isento
    interest_offset = 1  # C019: the date from which interest runs must be after the due date
    fine_code = "1"  # G073: valor fixo (the amount the boleto prints)
    fine_offset = 1  # G074: the date from which the fine is charged
    protest_code = "3"  # C026: não protestar
    write_off_code = "1"  # C028: baixar/devolver, with write_off_days
    no_write_off_code = "2"  # C028: não baixar/não devolver
    lot_totals_in_remessa = False  # C070/C071: "só serão utilizados para informação do arquivo retorno"

    # -- hooks ----------------------------------------------------------------------------------

    def account_values(self, beneficiary: Beneficiary) -> dict:
        """The beneficiary's fields shared by header, lot header and segments (agency, account, convênio)."""
        wallet = beneficiary.wallet
        return {
            "agency": wallet.agency,
            "agency_dv": wallet.agency_dv,
            "account": wallet.account,
            "account_dv": wallet.account_dv,
            "convenio": wallet.convenio,
        }

    def nosso_numero_values(self, beneficiary: Beneficiary, title: Title) -> dict:
        """The segment P fields naming the title in the bank (positions 38-57 by default)."""
        raise NotImplementedError

    def nosso_numero_from(self, values: dict) -> tuple[str, str]:
        """(number, check digit) of a segment T or P as the boleto module writes NossoNumero."""
        raise NotImplementedError

    def write_off_values(self, beneficiary: Beneficiary) -> dict:
        days = beneficiary.write_off_days
        if days is None:
            return {"write_off_code": self.no_write_off_code, "write_off_days": "000"}
        return {"write_off_code": self.write_off_code, "write_off_days": f"{days:03d}"}

    def especie_code(self, title: Title) -> str:
        return self.especies[title.especie]

    def fine_values(self, title: Title) -> dict:
        if not title.fine:
            return {"fine_code": "0"}
        return {
            "fine_code": self.fine_code,
            "fine_date": title.due_date + timedelta(self.fine_offset),
            "fine": title.fine,
        }

    def read_fine(self, values: dict) -> tuple[Decimal, bool]:
        return values.get("fine") or Decimal("0.00"), values.get("fine_code") == "2"

    def segments(self, title: Title) -> list[str]:
        """The segments written for ``title``: P and Q, and R for a new title with a fine."""
        fine = title.movement == Movement.ENTRY and self.fine_values(title)["fine_code"] != "0"
        return ["P", "Q", "R"] if fine else ["P", "Q"]

    # -- remessa --------------------------------------------------------------------------------

    def company_values(self, beneficiary: Beneficiary) -> dict:
        document = digits(beneficiary.company_document)
        return {
            "bank_code": self.bank_code,
            "company_doc_type": document_kind(document),
            "company_doc": document,
            "company_name": beneficiary.company_name,
            "bank_name": self.bank_name,
            **self.account_values(beneficiary),
        }

    def title_values(self, beneficiary: Beneficiary, title: Title, when: datetime) -> dict:
        """The values of P, Q and R for ``title``: everything for a new title, the title's identity
        with the changed value for an instruction."""
        values = {
            "movement": self.movement_codes[title.movement],
            "carteira_code": self.carteira_code,
            "registration": self.registration,
            "document_type": self.document_type,
            "issuer": self.issuer,
            "distributor": self.distributor,
            "document_number": title.document_number,
            "due_date": title.due_date,
            "amount": title.amount,
            "acceptance": "N",
            **self.nosso_numero_values(beneficiary, title),
            **payer_values(title.payer),
        }
        if title.movement != Movement.ENTRY:
            return values
        interest = title.daily_interest
        values.update(
            {
                "especie": self.especie_code(title),
                "issue_date": title.issue_date or when.date(),
                "interest_code": self.interest_code if interest else self.interest_exempt_code,
                "interest_date": title.due_date + timedelta(self.interest_offset) if interest else None,
                "interest": interest or None,
                "discount_code": "1" if title.discount else "0",
                "discount_date": title.discount_date if title.discount else None,
                "discount": title.discount or None,
                "company_use": title.company_use or title.nosso_numero.number,
                "protest_code": self.protest_code,
                **self.write_off_values(beneficiary),
                **self.fine_values(title),
            }
        )
        return values

    def write(self, beneficiary: Beneficiary, titles: list[Title], sequence: int, when: datetime) -> list[str]:
        company = self.company_values(beneficiary)
        header = {
            **company,
            "file_code": "1",
            "file_date": when.date(),
            "file_time": when.strftime("%H%M%S"),
            "file_sequence": sequence,
            "layout_version": self.layout_version,
            "density": self.density,
        }
        lot = {**company, "lot": 1, "operation": "R", "lot_layout_version": self.lot_layout_version}
        lot.update({"remittance_number": sequence, "recording_date": when.date()})
        lines = [self.records["header"].render(header), self.records["lot_header"].render(lot)]
        number = 0
        for title in titles:
            values = {**company, **self.title_values(beneficiary, title, when), "lot": 1}
            for segment in self.segments(title):
                number += 1
                lines.append(self.records[segment].render({**values, "sequence": number}, title.reference))
        entries = [title for title in titles if title.movement == Movement.ENTRY]
        trailer_lot = {"bank_code": self.bank_code, "lot": 1, "lot_records": number + 2}
        if self.lot_totals_in_remessa:
            trailer_lot.update({"simple_count": len(entries), "simple_total": sum(t.amount for t in entries)})
        lines.append(self.records["lot_trailer"].render(trailer_lot))
        lines.append(
            self.records["trailer"].render({"bank_code": self.bank_code, "lots": 1, "records": len(lines) + 1})
        )
        return lines

    def read(self, lines: list[str]) -> Remessa:
        """A remessa of this layout read back into its titles (the inverse of ``write``)."""
        header = self.records["header"].parse(lines[0], 1)
        titles: list[RemittedTitle] = []
        pending: dict | None = None
        for number, line in enumerate(lines[1:], start=2):
            if line[7] != "3":
                continue
            segment = line[13]
            if segment == "P":
                if pending:
                    titles.append(self._remitted(pending))
                pending = {"line": number, **self.records["P"].parse(line, number)}
            elif segment in ("Q", "R") and pending is not None:
                values = self.records[segment].parse(line, number)
                pending.update({k: v for k, v in values.items() if k not in ("movement", "sequence", "segment")})
        if pending:
            titles.append(self._remitted(pending))
        return Remessa(
            bank_code=self.bank_code,
            layout=240,
            sequence=int(header["file_sequence"] or 0),
            generated_on=header["file_date"],
            company_document=header["company_doc"].lstrip("0"),
            titles=tuple(titles),
        )

    def _remitted(self, values: dict) -> RemittedTitle:
        number, dv = self.nosso_numero_from(values)
        movement = {code: name for name, code in self.movement_codes.items() if code}.get(values["movement"], "")
        fine, fine_is_percent = self.read_fine(values)
        zip_code = (values.get("payer_zip") or "") + (values.get("payer_zip_suffix") or "")
        return RemittedTitle(
            line=values["line"],
            movement=movement,
            nosso_numero=number,
            nosso_numero_dv=dv,
            document_number=values["document_number"],
            due_date=values["due_date"],
            amount=values["amount"],
            issue_date=values["issue_date"],
            payer_name=values.get("payer_name", ""),
            payer_document=(values.get("payer_doc") or "").lstrip("0"),
            payer_address=values.get("payer_address", ""),
            payer_district=values.get("payer_district", ""),
            payer_zip_code=zip_code.strip("0") and zip_code,
            payer_city=values.get("payer_city", ""),
            payer_state=values.get("payer_state", ""),
            daily_interest=values["interest"],
            fine=fine,
            fine_is_percent=fine_is_percent,
            discount=values["discount"],
            discount_date=values["discount_date"],
        )

    # -- retorno --------------------------------------------------------------------------------

    def parse(self, lines: list[str]) -> ReturnFile:
        """A retorno of this layout: header, then each title's T and U segments as one entry."""
        header = self.records.get("return_header", self.records["header"]).parse(lines[0], 1)
        entries: list[ReturnEntry] = []
        problems: list[str] = []
        t_values: dict | None = None
        lot_lines = 0
        for number, line in enumerate(lines[1:], start=2):
            record_type = line[7]
            if record_type == "1":
                lot_lines = 1
                continue
            lot_lines += 1
            if record_type == "3" and line[13] == "T":
                if t_values is not None:
                    entries.append(self.entry(t_values, {}))
                t_values = {"line": number, **self.records["T"].parse(line, number)}
            elif record_type == "3" and line[13] == "U":
                if t_values is None:
                    raise CnabParseError(number, "segment U", "segment U without its segment T")
                entries.append(self.entry(t_values, self.records["U"].parse(line, number)))
                t_values = None
            elif record_type == "5":
                declared = int(line[17:23] or 0) if line[17:23].isdigit() else -1
                if declared != lot_lines:
                    problems.append(
                        f"line {number}: the lot trailer counts {declared} records, the lot has {lot_lines}"
                    )
            elif record_type == "9":
                declared = int(line[23:29]) if line[23:29].isdigit() else -1
                if declared != number:
                    problems.append(f"line {number}: the trailer counts {declared} records, the file has {number}")
        if t_values is not None:
            entries.append(self.entry(t_values, {}))
        return ReturnFile(
            bank_code=self.bank_code,
            layout=240,
            company_document=(header.get("company_doc") or "").lstrip("0"),
            agency=(header.get("agency") or "").lstrip("0"),
            account=(header.get("account") or "").lstrip("0"),
            convenio=self.return_convenio(header),
            generated_on=header.get("file_date"),
            sequence=header.get("file_sequence", ""),
            entries=tuple(entries),
            problems=tuple(problems),
        )

    def return_convenio(self, header: dict) -> str:
        """The beneficiary's code in a retorno header, as ``ReturnFile.convenio``."""
        return header.get("convenio", "").strip()

    def entry_reasons(self, t: dict) -> tuple:
        return self.reasons(t["movement"], t.get("reasons", ""))

    def entry(self, t: dict, u: dict) -> ReturnEntry:
        """One ReturnEntry from a segment T and its U (``u`` empty when the bank sent no U)."""
        movement, kind = self.occurrence(t["movement"])
        number, dv = self.nosso_numero_from(t)
        zero = Decimal("0.00")
        return ReturnEntry(
            line=t["line"],
            nosso_numero=number,
            nosso_numero_dv=dv,
            movement=movement,
            kind=kind,
            reasons=self.entry_reasons(t),
            carteira=t.get("carteira", ""),
            document_number=t.get("document_number", ""),
            company_use=t.get("company_use", ""),
            due_date=t.get("due_date"),
            face_amount=t.get("face_amount", zero),
            paid_amount=u.get("paid", zero),
            credited_amount=u.get("credited", zero),
            interest_fine=u.get("interest_fine", zero),
            discount=u.get("discount", zero),
            rebate=u.get("rebate", zero),
            iof=u.get("iof", zero),
            fee=t.get("fee", zero),
            other_expenses=u.get("other_expenses", zero),
            other_credits=u.get("other_credits", zero),
            occurrence_date=u.get("occurrence_date"),
            credit_date=u.get("credit_date"),
        )
