"""Fine and interest of an overdue installment, as the debt statement prints them."""

from datetime import date
from decimal import Decimal

import pytest

from cobranca_core.charges import Charges, late_charges

AMOUNT = Decimal("617.28")
MONDAY = date(2026, 3, 2)
SATURDAY = date(2026, 3, 7)


def test_nothing_while_on_time():
    assert late_charges(AMOUNT, MONDAY, MONDAY, 2, 1) == Charges(0, Decimal("0.00"), Decimal("0.00"))
    assert late_charges(AMOUNT, MONDAY, date(2026, 2, 20), 2, 1).total == 0


def test_fine_once_and_interest_per_day_since_the_printed_due_date():
    charges = late_charges(AMOUNT, MONDAY, date(2026, 3, 12), 2, 1)
    assert charges.days_late == 10
    assert charges.fine == Decimal("12.35")  # 2% of 617.28 = 12.3456
    assert charges.interest == Decimal("2.06")  # 617.28 * 1% / 30 * 10 = 2.0576
    assert charges.total == Decimal("14.41")


def test_weekend_due_date_is_paid_on_monday_without_fees():
    assert late_charges(AMOUNT, SATURDAY, date(2026, 3, 9), 2, 1).total == 0
    # A day later the bank counts from the printed date: three days of interest.
    late = late_charges(AMOUNT, SATURDAY, date(2026, 3, 10), 2, 1)
    assert late.days_late == 3
    assert late.interest == Decimal("0.62")


def test_bank_holiday_is_a_day_without_fees():
    assert late_charges(AMOUNT, MONDAY, date(2026, 3, 3), 2, 1, holidays=frozenset({MONDAY})).total == 0


@pytest.mark.parametrize("fine, interest", [(0, 0), (None, None), (0.0, 0.0)])
def test_wallet_without_fine_or_interest(fine, interest):
    assert late_charges(AMOUNT, MONDAY, date(2026, 4, 1), fine, interest).total == 0


def test_float_percentages_read_as_typed():
    # 0.1 as a float is 0.1000000000000000055...: the cent must not move because of it.
    assert late_charges(Decimal("50.00"), MONDAY, date(2026, 3, 3), 0.1, 0).fine == Decimal("0.05")


def test_paid_or_credit_amounts_carry_no_charges():
    assert late_charges(Decimal("0"), MONDAY, date(2026, 4, 1), 2, 1).total == 0
    assert late_charges(Decimal("-10"), MONDAY, date(2026, 4, 1), 2, 1).total == 0
