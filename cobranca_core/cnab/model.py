"""The plain values a remessa is written from and a retorno is read into.

In: a :class:`Beneficiary` (the company and the billing wallet as the bank set up its CNAB
exchange) and :class:`Title`\\ s (one boleto each, with the :class:`Movement` to send). Out of a
retorno: a :class:`ReturnFile` of :class:`ReturnEntry`\\ s, each with the bank's code and text
(:class:`Occurrence`) and what it means for the boleto (:class:`Kind`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from ..boleto.layout import NossoNumero, Wallet
from ..charges import instruction_amounts


class Movement:
    """What a remessa line asks the bank to do with a title."""

    ENTRY = "entry"  # entrada de título: register a new boleto
    WRITE_OFF = "write_off"  # pedido de baixa: the boleto was cancelled
    CHANGE_DUE_DATE = "change_due_date"  # alteração de vencimento
    CHANGE_AMOUNT = "change_amount"  # alteração do valor nominal, where the bank allows it
    ALL = (ENTRY, WRITE_OFF, CHANGE_DUE_DATE, CHANGE_AMOUNT)


class Kind:
    """What a retorno occurrence means for the boleto it names."""

    REGISTERED = "registered"  # entrada confirmada
    REJECTED = "rejected"  # entrada rejeitada (see the reasons)
    PAID = "paid"  # liquidação: see the amounts and the credit date
    WRITTEN_OFF = "written_off"  # baixa (by request, by the bank, after protest...)
    CHANGED = "changed"  # an instruction confirmed (due date or amount changed, write-off request taken)
    INSTRUCTION_REJECTED = "instruction_rejected"  # a write-off or change refused (see the reasons)
    REVERSED = "reversed"  # a payment undone: estorno, cheque devolvido, pagamento cancelado
    FEE = "fee"  # débito de tarifas/custas
    OTHER = "other"  # anything else (protest, DDA, payer's claims...): kept with its text


@dataclass(frozen=True)
class Payer:
    """The pagador. ``document`` is a CPF or CNPJ, with or without punctuation; ``zip_code`` the CEP."""

    name: str
    document: str
    address: str = ""  # street, number and complement
    district: str = ""  # bairro
    zip_code: str = ""
    city: str = ""
    state: str = ""  # UF


@dataclass(frozen=True)
class Beneficiary:
    """The company and its billing wallet, with the codes the bank gave for the CNAB exchange.

    ``wallet`` is the boleto module's :class:`~cobranca_core.boleto.layout.Wallet` (agency,
    account, carteira, convênio...). The other codes exist for some banks only:
    ``transmission_code`` Santander's código de transmissão (15 digits); ``variation`` Banco do
    Brasil's variação da carteira (3 digits); ``company_code`` Bradesco's código da empresa /
    convênio (up to 20 digits). ``write_off_days``: days after the due date after which the bank
    writes an unpaid title off (None: the bank's or the account's default).
    """

    bank_code: str
    wallet: Wallet
    company_name: str
    company_document: str
    layout: int = 240
    transmission_code: str = ""
    variation: str = ""
    company_code: str = ""
    write_off_days: int | None = None
    test: bool = False  # a test file, where the bank marks them (Caixa, Banco do Brasil, Bradesco)


@dataclass(frozen=True)
class Title:
    """One boleto, as a remessa line carries it.

    ``reference`` names the boleto in error messages (e.g. the invoice and installment).
    ``fine_percent`` and ``interest_monthly_percent`` are the wallet's rates; the remessa sends the
    amounts the boleto prints (:func:`cobranca_core.charges.instruction_amounts`), or the rate where
    a bank only takes a percentage. ``discount`` is granted when paid until ``discount_date``.
    ``especie``: the title's kind by its FEBRABAN initials (DM, DS, RC, NP...); each bank maps it to
    its own code. ``pix_key``: the Pix key of a hybrid boleto, registered where the layout carries
    it (``CnabLayout.registers_pix``).
    """

    reference: str
    nosso_numero: NossoNumero
    due_date: date
    amount: Decimal
    movement: str = Movement.ENTRY
    document_number: str = ""
    issue_date: date | None = None
    payer: Payer | None = None
    fine_percent: Decimal = Decimal(0)
    interest_monthly_percent: Decimal = Decimal(0)
    discount: Decimal = Decimal(0)
    discount_date: date | None = None
    especie: str = "DM"
    company_use: str = ""
    pix_key: str = ""

    @property
    def fine(self) -> Decimal:
        """The fine the boleto prints (charged once after the due date)."""
        return instruction_amounts(self.amount, self.fine_percent, self.interest_monthly_percent).fine

    @property
    def daily_interest(self) -> Decimal:
        """The interest a day the boleto prints."""
        return instruction_amounts(self.amount, self.fine_percent, self.interest_monthly_percent).daily_interest


@dataclass(frozen=True)
class RemessaFile:
    """A remessa ready to upload: its file name, its text (CRLF lines) and what it holds."""

    name: str
    content: str
    bank_code: str
    layout: int
    sequence: int
    titles: int
    total: Decimal

    @property
    def data(self) -> bytes:
        """The file's bytes (every character is ASCII after the CNAB text rules)."""
        return self.content.encode("ascii")


@dataclass(frozen=True)
class Occurrence:
    """A code of the bank and its text in Portuguese, as the bank's manual prints it."""

    code: str
    text: str

    def __str__(self) -> str:
        return f"{self.code} {self.text}"


@dataclass(frozen=True)
class ReturnEntry:
    """One title's occurrence in a retorno, with typed values (0 where the bank sent none).

    ``nosso_numero`` is the number without its check digit, as ``NossoNumero.number`` holds it, so
    that it matches the boleto it names; ``nosso_numero_dv`` the check digit the bank sent, if any.
    ``paid_amount`` is what the payer paid, ``credited_amount`` what the bank credits (paid minus
    the fee where the bank says so), ``interest_fine`` the interest and fine received.
    """

    line: int
    nosso_numero: str
    nosso_numero_dv: str
    movement: Occurrence
    kind: str
    reasons: tuple[Occurrence, ...] = ()
    carteira: str = ""
    document_number: str = ""
    company_use: str = ""
    due_date: date | None = None
    face_amount: Decimal = Decimal("0.00")
    paid_amount: Decimal = Decimal("0.00")
    credited_amount: Decimal = Decimal("0.00")
    interest_fine: Decimal = Decimal("0.00")
    discount: Decimal = Decimal("0.00")
    rebate: Decimal = Decimal("0.00")  # abatimento
    iof: Decimal = Decimal("0.00")
    fee: Decimal = Decimal("0.00")
    other_expenses: Decimal = Decimal("0.00")
    other_credits: Decimal = Decimal("0.00")
    occurrence_date: date | None = None
    credit_date: date | None = None
    pix_emv: str = ""  # the Pix copy-and-paste code the bank generated (Itaú 400 record 3)
    pix_error: Occurrence | None = None


@dataclass(frozen=True)
class ReturnFile:
    """A parsed retorno: who it is for, when, and its entries; ``problems`` lists trailer mismatches."""

    bank_code: str
    layout: int
    company_document: str
    agency: str
    account: str
    convenio: str
    generated_on: date | None
    sequence: str
    entries: tuple[ReturnEntry, ...]
    problems: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class RemittedTitle:
    """A title as a remessa carries it, read back from the file (see ``read_remessa``)."""

    line: int
    movement: str
    nosso_numero: str
    nosso_numero_dv: str
    document_number: str
    due_date: date | None
    amount: Decimal
    issue_date: date | None = None
    payer_name: str = ""
    payer_document: str = ""
    payer_address: str = ""
    payer_district: str = ""
    payer_zip_code: str = ""
    payer_city: str = ""
    payer_state: str = ""
    daily_interest: Decimal = Decimal("0.00")
    fine: Decimal = Decimal("0.00")  # the amount, or the percentage where the bank takes one (fine_is_percent)
    fine_is_percent: bool = False
    discount: Decimal = Decimal("0.00")
    discount_date: date | None = None
    pix_key: str = ""


@dataclass(frozen=True)
class Remessa:
    """A remessa read back: its header values and its titles."""

    bank_code: str
    layout: int
    sequence: int
    generated_on: date | None
    company_document: str
    titles: tuple[RemittedTitle, ...]


@dataclass(frozen=True)
class ReturnIssue:
    """Something in a retorno the addon must look at.

    ``kind``: "account" (the file or entry is not of this beneficiary's account or wallet),
    "unknown" (no boleto has this nosso número), "amount" (paid differs from the boleto's amount).
    """

    kind: str
    line: int
    nosso_numero: str
    message: str
    expected: object = None
    found: object = None
