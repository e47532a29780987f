"""What an overdue installment costs to pay on a given day: the wallet's fine and interest.

The boleto prints, in its instructions, the **fine** (``fine_percent`` of the amount, charged once)
and the **interest a day** (``interest_monthly_percent`` a month pro rata over 30 days, simple
interest), each rounded half up to the cent: :func:`instruction_amounts`. A debt statement shows, for
each installment, the amount printed on its boleto and the amount the bank collects if it is paid on
the statement's date, by the boleto's instructions (:func:`late_charges`):

- nothing is added while the payment is on time, which includes the next business day when the due
  date falls on a weekend or bank holiday (see :func:`cobranca_core.dunning.effective_due_date`);
- after that, the fine printed on the boleto, and the interest a day printed on it for every day
  since the printed due date.

So the boleto and the statement print the same cents for the same debt: both come from
:func:`instruction_amounts`, the one place these amounts are computed.
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


@dataclass(frozen=True)
class Instructions:
    """The amounts a boleto's instructions print."""

    fine: Decimal  # charged once, after the due date
    daily_interest: Decimal  # charged for every day since the due date


def instruction_amounts(amount: Decimal, fine_percent=0, interest_monthly_percent=0) -> Instructions:
    """The fine and the interest a day of a boleto of ``amount``, as its instructions print them.

    Each is rounded half up to the cent. The percentages may be floats read from the database.

    >>> instruction_amounts(Decimal("615.00"), 2, 1)
    Instructions(fine=Decimal('12.30'), daily_interest=Decimal('0.21'))
    """
    fine = (amount * _percent(fine_percent) / 100).quantize(CENT, ROUND_HALF_UP)
    daily = (amount * _percent(interest_monthly_percent) / 100 / DAYS_PER_MONTH).quantize(CENT, ROUND_HALF_UP)
    return Instructions(fine, daily)


def late_charges(
    amount: Decimal,
    due_date: date,
    on: date,
    fine_percent=0,
    interest_monthly_percent=0,
    holidays: frozenset[date] = frozenset(),
) -> Charges:
    """Fine and interest of ``amount`` due on ``due_date`` when paid on ``on``: the boleto's
    :func:`instruction_amounts`, the interest a day times the days late.

    >>> late_charges(Decimal("1000.00"), date(2026, 3, 2), date(2026, 3, 12), 2, 1)
    Charges(days_late=10, fine=Decimal('20.00'), interest=Decimal('3.30'))
    """
    if amount <= 0 or on <= effective_due_date(due_date, holidays):
        return Charges(0, Decimal("0.00"), Decimal("0.00"))
    days = (on - due_date).days
    instructions = instruction_amounts(amount, fine_percent, interest_monthly_percent)
    return Charges(days, instructions.fine, instructions.daily_interest * days)
