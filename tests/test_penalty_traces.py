"""Golden traces (pytest-regressions) of a few date and penalty worksheets; review diffs like code."""
import pytest

import engine

CASES = {
    "late_payment_2024_seed_001": (2024, "late_payment",
                                   {"tax_due": 2000, "due_date": "2024-04-15", "payment_date": "2024-10-15"}),
    "payment_due_date_2013_weekly": (2013, "payment_due_date",
                                     {"classification": "weekly", "payment_date": "2013-12-21"}),
    "late_eft_penalty_2013": (2013, "late_eft_penalty", {"tax_due": 10000, "days_late": 6}),
    "ct_1096_2013": (2013, "ct_1096", {"ct_tax_withheld": 4000, "total_nonpayroll_amounts": 60000,
                                       "forms_submitted": 30, "first_quarter": 4000, "filed_electronically": True,
                                       "ct_945_line_3": 4000}),
    "estimated_tax_2024": (2024, "estimated_tax", {"current_year_tax": 10000, "prior_year_tax": 8000,
                                                    "prior_year_full_return": True, "withholding": 2000}),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_golden_trace(case, data_regression):
    year, sheet, inputs = CASES[case]
    data_regression.check(engine.evaluate(year, sheet, inputs).to_dict(), basename=case)
