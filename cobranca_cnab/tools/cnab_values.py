"""Records to ``cobranca_core.cnab`` values and back: the wallet as a Beneficiary, a boleto as a
Title, and the core's refusals (``InvalidCnab``) as sentences in the user's language.

The rules (what fits where, which codes a bank needs) are the core's; this module only reads the
records and names what the core refused with the labels the user sees on the forms.
"""

import re
from datetime import timedelta
from decimal import Decimal

from odoo.tools import float_repr

from cobranca_core.boleto import NossoNumero
from cobranca_core.cnab import Beneficiary, Movement, Payer, Title

# The espécie every boleto of this project is: a duplicata mercantil (DMI where the bank names it so).
ESPECIES = ("DM", "DMI")


def decimal(amount, currency):
    """A float amount of ``currency`` as the Decimal the core takes."""
    return Decimal(float_repr(amount, currency.decimal_places))


def beneficiary(wallet):
    """The billing wallet ``wallet`` as the core's Beneficiary, with the codes of its CNAB page."""
    company = wallet.company_id
    return Beneficiary(
        bank_code=wallet.bank_code or "",
        wallet=wallet._cobranca_wallet(),
        company_name=company.name or "",
        company_document=company.vat or "",
        layout=int(wallet.cnab_layout or 240),
        transmission_code=(wallet.cnab_transmission_code or "").strip(),
        variation=(wallet.cnab_variation or "").strip(),
        company_code=(wallet.cnab_company_code or "").strip(),
        write_off_days=wallet.cnab_write_off_days or None,
        test=wallet.cnab_test,
    )


def payer(partner):
    """The boleto's payer (its commercial partner) as the core's Payer."""
    return Payer(
        name=partner.name or "",
        document=partner.vat or "",
        address=partner.street or "",
        district=partner.street2 or "",
        zip_code=partner.zip or "",
        city=partner.city or "",
        state=partner.state_id.code or "",
    )


def document_number(boleto, width):
    """The seu número of ``boleto``: the invoice number with the installment, or the shorter forms
    the layout's ``width`` takes (the invoice's own sequence, then the nosso número)."""
    name = boleto.move_id.name or ""
    suffix = f"/{boleto.installment}" if boleto.installment_count > 1 else ""
    number = re.split(r"[\s/]+", name.strip())[-1]  # "NFe 00000012", "INV/2026/00012": the sequence
    for candidate in (name + suffix, number + suffix, boleto.nosso_numero or ""):
        if candidate and len(candidate) <= width:
            return candidate
    return (boleto.nosso_numero or "")[-width:]


def title(boleto, layout, movement):
    """``boleto`` as the core's Title carrying ``movement``, for the CNAB ``layout`` of its wallet.

    The fine and interest are the wallet's rates (the amounts the boleto prints); the discount, the
    wallet's CNAB discount when it has one; the Pix key, the wallet's when it prints a Pix and the
    layout registers it with the title.
    """
    wallet = boleto.wallet_id
    currency = boleto.currency_id
    amount = decimal(boleto.amount, currency)
    discount, discount_date = Decimal(0), None
    if movement == Movement.ENTRY and wallet.cnab_discount_percent:
        discount = (amount * Decimal(str(wallet.cnab_discount_percent)) / 100).quantize(Decimal("0.01"))
        discount_date = boleto.due_date - timedelta(days=wallet.cnab_discount_days or 0)
    especie = next((code for code in ESPECIES if code in layout.especies), "DM")
    return Title(
        reference=str(boleto.id),
        nosso_numero=NossoNumero(boleto.nosso_numero, boleto.nosso_numero_dv or "", boleto.nosso_numero_formatted),
        due_date=boleto.due_date,
        amount=amount,
        movement=movement,
        document_number=document_number(boleto, layout.document_number_width),
        issue_date=boleto.issue_date,
        payer=payer(boleto.partner_id),
        fine_percent=Decimal(str(wallet.fine_percent or 0)),
        interest_monthly_percent=Decimal(str(wallet.interest_monthly_percent or 0)),
        discount=discount,
        discount_date=discount_date,
        especie=especie,
        pix_key=(wallet.pix_key or "") if wallet.pix_enabled and layout.registers_pix else "",
    )


def field_labels(env):
    """The core's field names (``InvalidCnab.field``) as the user reads them."""
    _ = env._
    return {
        "bank_code": _("the bank code"),
        "layout": _("the CNAB layout"),
        "titles": _("the boletos"),
        "sequence": _("the file number"),
        "company_document": _("the company's CNPJ"),
        "company_name": _("the company's name"),
        "agency": _("the agency"),
        "agency_dv": _("the agency check digit"),
        "account": _("the account"),
        "account_dv": _("the account check digit"),
        "carteira": _("the carteira"),
        "convenio": _("the convênio / beneficiary code"),
        "convenio_dv": _("the beneficiary code check digit"),
        "posto": _("the posto"),
        "modalidade": _("the modalidade"),
        "byte_idt": _("the nosso número byte"),
        "transmission_code": _("the transmission code"),
        "variation": _("the carteira variation"),
        "company_code": _("the company code"),
        "write_off_days": _("the write-off days"),
        "movement": _("the instruction"),
        "nosso_numero": _("the nosso número"),
        "due_date": _("the due date"),
        "amount": _("the amount"),
        "document_number": _("the document number (seu número)"),
        "issue_date": _("the issue date"),
        "discount": _("the discount"),
        "discount_date": _("the discount date"),
        "fine_percent": _("the fine"),
        "especie": _("the espécie"),
        "pix_key": _("the Pix key"),
        "payer": _("the customer"),
        "payer_document": _("the customer's CPF/CNPJ"),
        "payer_name": _("the customer's name"),
        "payer_address": _("the customer's street"),
        "payer_district": _("the customer's neighborhood"),
        "payer_zip_code": _("the customer's ZIP code (CEP)"),
        "payer_zip": _("the customer's ZIP code (CEP)"),
        "payer_city": _("the customer's city"),
        "payer_state": _("the customer's state"),
        "company_use": _("the company's reference"),
    }


def invalid_message(env, error, wallet, boletos=None):
    """The core's refusal ``error`` (``InvalidCnab``) as a sentence naming the boleto (by its
    invoice, installment and nosso número: ``boletos`` maps ``Title.reference`` to the boleto) or
    the wallet, and the field."""
    _ = env._
    problems = {
        "missing": _("is missing"),
        "too long": _("does not fit the bank's field"),
        "invalid": _("is not valid"),
        "unsupported": _("is not accepted by this bank's layout"),
        "duplicated": _("appears twice"),
    }
    label = field_labels(env).get(error.field, error.field)
    problem = problems.get(error.reason, _("is refused"))
    boleto = (boletos or {}).get(error.reference)
    if boleto:
        return _(
            "Boleto %(boleto)s (invoice %(invoice)s, installment %(installment)s): %(field)s %(problem)s: %(detail)s",
            boleto=boleto.nosso_numero_formatted,
            invoice=boleto.move_id.name,
            installment=boleto.installment,
            field=label,
            problem=problem,
            detail=error.detail,
        )
    return _(
        "Billing wallet %(wallet)s: %(field)s %(problem)s: %(detail)s",
        wallet=wallet.display_name,
        field=label,
        problem=problem,
        detail=error.detail,
    )
