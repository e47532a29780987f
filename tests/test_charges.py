"""Fine and interest of an overdue installment, as the boleto's instructions and the debt statement print them."""

from datetime import date
from decimal import Decimal

import pytest

from cobranca_core.charges import Charges, Instructions, instruction_amounts, late_charges

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
    # The boleto prints 0.21 a day (617.28 * 1% / 30 = 0.20576): ten days are 2.10, not 2.0576 rounded.
    assert charges.interest == Decimal("2.10")
    assert charges.total == Decimal("14.45")


def test_weekend_due_date_is_paid_on_monday_without_fees():
    assert late_charges(AMOUNT, SATURDAY, date(2026, 3, 9), 2, 1).total == 0
    # A day later the bank counts from the printed date: three days of interest.
    late = late_charges(AMOUNT, SATURDAY, date(2026, 3, 10), 2, 1)
    assert late.days_late == 3
    assert late.interest == Decimal("0.63")


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


@pytest.mark.parametrize(
    ("amount", "fine", "daily"),
    [
        # Regression cases found by brute force over the amounts from 1.00 to 3000.00 at 2% and 1% a
        # month: the boleto printed its float amounts rounded half to even, the statement rounded half
        # up, and they printed different cents for the same debt.
        (Decimal("500.25"), Decimal("10.01"), Decimal("0.17")),  # fine 10.005: the boleto printed 10.00
        (Decimal("615.00"), Decimal("12.30"), Decimal("0.21")),  # a day 0.205: the boleto printed 0.20
        (Decimal("617.28"), Decimal("12.35"), Decimal("0.21")),
    ],
)
def test_the_statement_charges_what_the_boleto_instructions_print(amount, fine, daily):
    assert instruction_amounts(amount, 2, 1) == Instructions(fine, daily)
    for days in (1, 2, 10, 45):
        # Tuesday 3 March is a day late for a debt due on Monday the 2nd, and so on.
        charges = late_charges(amount, MONDAY, date.fromordinal(MONDAY.toordinal() + days), 2, 1)
        assert (charges.days_late, charges.fine, charges.interest) == (days, fine, daily * days)


def test_instruction_amounts_without_fine_or_interest():
    assert instruction_amounts(AMOUNT) == Instructions(Decimal("0.00"), Decimal("0.00"))
    assert instruction_amounts(AMOUNT, None, 0.0) == Instructions(Decimal("0.00"), Decimal("0.00"))
