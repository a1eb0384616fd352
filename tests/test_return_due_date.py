"""return_due_date, 2023 and 2024 (seed 003, When to File).

"Your Connecticut income tax return is due on or before April 15, 2024. If you are not a calendar year
filer, your return is due on or before the fifteenth day of the fourth month following the close of your
taxable year. If the due date falls on a Saturday, Sunday, or legal holiday, the return will be considered
timely filed if filed by the next business day." And: "The 2023 Connecticut income tax return (and
payment) will be considered timely filed on or before Monday, April 15, 2024."

The due dates worked by hand are YAML cases: tests/cases/2023 and 2024/return_due_date.yaml. What stays
here is the refusal of a year end outside the taxable year.
"""
import pytest

import engine


def due(year, **inputs):
    return engine.evaluate(year, "return_due_date", inputs)["due_date"]


@pytest.mark.parametrize("year, year_end", [(2024, "2025-12-31"), (2024, "2023-12-31"), (2023, "2024-12-31")])
def test_a_year_end_outside_the_taxable_year_is_refused(year, year_end):
    with pytest.raises(engine.errors.InvalidInputError, match="tax_year_end"):
        due(year, tax_year_end=year_end)
