"""return_due_date, 2023 and 2024 (seed 003, When to File).

"Your Connecticut income tax return is due on or before April 15, 2024. If you are not a calendar year
filer, your return is due on or before the fifteenth day of the fourth month following the close of your
taxable year. If the due date falls on a Saturday, Sunday, or legal holiday, the return will be considered
timely filed if filed by the next business day." And: "The 2023 Connecticut income tax return (and
payment) will be considered timely filed on or before Monday, April 15, 2024."
"""
import datetime as dt

import pytest

import engine

D = dt.date


def due(year, **inputs):
    return engine.evaluate(year, "return_due_date", inputs)["due_date"]


def test_calendar_year_2023_is_monday_april_15_2024():
    assert due(2023) == D(2024, 4, 15)
    assert due(2023, tax_year_end="2023-12-31") == D(2024, 4, 15)


def test_calendar_year_2024_is_april_15_2025():
    assert due(2024) == D(2025, 4, 15)   # a Tuesday


@pytest.mark.parametrize("year, year_end, expected", [
    # closes June 30, 2024: fourth month following is October; October 15, 2024 is a Tuesday
    (2023, "2024-06-30", D(2024, 10, 15)),
    # closes February 29, 2024: June 15, 2024 is a Saturday -> Monday June 17
    (2023, "2024-02-29", D(2024, 6, 17)),
    # closes November 30, 2025: March 15, 2026 is a Sunday -> Monday March 16
    (2024, "2025-11-30", D(2026, 3, 16)),
    # closes September 30, 2025: January 15, 2026 (Thursday)
    (2024, "2025-09-30", D(2026, 1, 15)),
    # closes November 30, 2024 (a year beginning December 1, 2023 is a 2023 year): March 15, 2025 is a
    # Saturday -> Monday March 17
    (2023, "2024-11-30", D(2025, 3, 17)),
    # a short year closing August 20, 2024: the fourth month following is December -> December 15, 2024, a
    # Sunday -> Monday December 16
    (2024, "2024-08-20", D(2024, 12, 16)),
])
def test_fiscal_year_fifteenth_day_of_fourth_month_next_business_day(year, year_end, expected):
    assert due(year, tax_year_end=year_end) == expected


@pytest.mark.parametrize("year, year_end", [(2024, "2025-12-31"), (2024, "2023-12-31"), (2023, "2024-12-31")])
def test_a_year_end_outside_the_taxable_year_is_refused(year, year_end):
    with pytest.raises(engine.errors.InvalidInputError, match="tax_year_end"):
        due(year, tax_year_end=year_end)
