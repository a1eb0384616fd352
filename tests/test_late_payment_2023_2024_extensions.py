"""late_payment and failure_to_file_penalty, 2023 and 2024: Form CT-1127, the e-file postmark rule, combat zone.

Seed 003 (CT Nonresident Guide 2023):
- Extension of Time to Pay: "You may be eligible for a six-month extension of time to pay ... If an
  extension of time to pay is granted and you pay all the tax due in full by the end of the extension
  period, a penalty will not be imposed. However, interest will accrue on any unpaid tax from the original
  due date."
- Penalty for Late Payment or Late Filing: "If you file your return electronically and pay your balance
  due by check, then your check must be postmarked on whichever is earlier: the date of acceptance of the
  electronic return or the extended due date."
- Combat Zone: "... is due 180 days after returning. There will be no penalty or interest charged."
Penalty 10% of the tax paid late; interest 1% per month or fraction of a month.

The figures worked by hand are YAML cases: tests/cases/2023 and 2024/late_payment_extensions.yaml and
failure_to_file_penalty_combat_zone.yaml. What stays here is the error a case cannot express.
"""
import pytest

import engine

YEARS = (2023, 2024)


def late(year, **inputs):
    return dict(engine.evaluate(year, "late_payment", inputs).outputs)


# --- e-filed return, balance paid by check -----------------------------------------------------

SAFE_HARBOUR = dict(tax_due=2000, paid_by_original_due_date=1800, due_date="2024-04-15", extension_granted=True,
                    return_filed_date="2024-06-03")   # 1,800 = 90% of 2,000 paid on time; balance 200


@pytest.mark.parametrize("year", YEARS)
def test_acceptance_date_is_required_for_an_e_filed_return_paid_by_check(year):
    with pytest.raises(engine.errors.MissingInputError, match="electronic_return_accepted_date"):
        late(year, **SAFE_HARBOUR, payment_date="2024-06-04", return_filed_electronically=True,
             balance_paid_by_check=True)
