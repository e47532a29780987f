"""What an overdue installment costs to pay on a given day: the wallet's fine and interest.

A debt statement shows, for each installment, the amount printed on its boleto and the amount the
bank collects if it is paid on the statement's date. The bank applies the boleto's instructions:

- nothing is added while the payment is on time, which includes the next business day when the due
  date falls on a weekend or bank holiday (see :func:`cobranca_core.dunning.effective_due_date`);
- after that, once, the **fine** (``fine_percent`` of the amount), and **interest** for every day
  since the printed due date, ``interest_monthly_percent`` a month pro rata over 30 days (simple
  interest, the "per day" amount printed on the boleto).

Each part is rounded to the cent on its own, as the boleto prints it.
"""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from .dunning import effective_due_date

CENT = Decimal("0.01")
DAYS_PER_MONTH = 30


@dataclass(frozen=True)
class Charges:
    days_late: int  # days since the printed due date; 0 while payable without fees
    fine: Decimal
    interest: Decimal

    @property
    def total(self) -> Decimal:
        return self.fine + self.interest


def _percent(value) -> Decimal:
    # Floats from the database become their shortest decimal, not their binary expansion.
    return value if isinstance(value, Decimal) else Decimal(str(value or 0))


def late_charges(
    amount: Decimal,
    due_date: date,
    on: date,
    fine_percent=0,
    interest_monthly_percent=0,
    holidays: frozenset[date] = frozenset(),
) -> Charges:
    """Fine and interest of ``amount`` due on ``due_date`` when paid on ``on``.

    >>> late_charges(Decimal("1000.00"), date(2026, 3, 2), date(2026, 3, 12), 2, 1)
    Charges(days_late=10, fine=Decimal('20.00'), interest=Decimal('3.33'))
    """
    if amount <= 0 or on <= effective_due_date(due_date, holidays):
        return Charges(0, Decimal("0.00"), Decimal("0.00"))
    days = (on - due_date).days
    fine = (amount * _percent(fine_percent) / 100).quantize(CENT, ROUND_HALF_UP)
    daily = amount * _percent(interest_monthly_percent) / 100 / DAYS_PER_MONTH
    interest = (daily * days).quantize(CENT, ROUND_HALF_UP)
    return Charges(days, fine, interest)
