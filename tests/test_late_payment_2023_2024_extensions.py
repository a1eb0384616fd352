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
"""
import pytest

import engine

YEARS = (2023, 2024)


def late(year, **inputs):
    return dict(engine.evaluate(year, "late_payment", inputs).outputs)


def failure_to_file(year, **inputs):
    return dict(engine.evaluate(year, "failure_to_file_penalty", inputs).outputs)


# --- Form CT-1127 ------------------------------------------------------------------------------

@pytest.mark.parametrize("year", YEARS)
def test_ct_1127_no_penalty_when_paid_by_the_end_of_the_six_months(year):
    base = dict(tax_due=2000, due_date="2024-04-15")
    # paid October 15, 2024, six months after April 15: no penalty; interest 6 x 1% x 2,000 = 120
    assert late(year, **base, payment_date="2024-10-15", payment_extension_granted=True) == \
        {"months_late": 6, "penalty": 0, "interest": 120, "total_due": 2120}
    # without the extension: penalty 10% x 2,000 = 200 as well
    assert late(year, **base, payment_date="2024-10-15")["penalty"] == 200
    # one day after the extension ends: 7 months; the penalty applies again (200), interest 140
    assert late(year, **base, payment_date="2024-10-16", payment_extension_granted=True) == \
        {"months_late": 7, "penalty": 200, "interest": 140, "total_due": 2340}


# --- e-filed return, balance paid by check -----------------------------------------------------

SAFE_HARBOUR = dict(tax_due=2000, paid_by_original_due_date=1800, due_date="2024-04-15", extension_granted=True,
                    return_filed_date="2024-06-03")   # 1,800 = 90% of 2,000 paid on time; balance 200


@pytest.mark.parametrize("year", YEARS)
def test_check_for_an_e_filed_return_postmarked_by_acceptance(year):
    efile = dict(SAFE_HARBOUR, return_filed_electronically=True, balance_paid_by_check=True,
                 electronic_return_accepted_date="2024-06-04")
    # postmarked on the acceptance date: safe harbour, no penalty; interest April 15 -> June 4 = 2 months x 1% x 200 = 4
    assert late(year, **efile, payment_date="2024-06-04") == \
        {"months_late": 2, "penalty": 0, "interest": 4, "total_due": 204}
    # postmarked the day after acceptance, still long before the extended due date (October 15): penalty 10% x 200
    assert late(year, **efile, payment_date="2024-06-05") == \
        {"months_late": 2, "penalty": 20, "interest": 4, "total_due": 224}
    # the same day's payment with a paper return, or paid electronically, is inside the safe harbour
    assert late(year, **SAFE_HARBOUR, payment_date="2024-06-05")["penalty"] == 0
    assert late(year, **dict(efile, balance_paid_by_check=False), payment_date="2024-06-05")["penalty"] == 0


@pytest.mark.parametrize("year", YEARS)
def test_acceptance_date_is_required_for_an_e_filed_return_paid_by_check(year):
    with pytest.raises(engine.errors.MissingInputError, match="electronic_return_accepted_date"):
        late(year, **SAFE_HARBOUR, payment_date="2024-06-04", return_filed_electronically=True,
             balance_paid_by_check=True)


# --- combat zone -------------------------------------------------------------------------------

@pytest.mark.parametrize("year", YEARS)
def test_combat_zone_due_180_days_after_returning(year):
    base = dict(tax_due=2000, due_date="2024-04-15", combat_zone_return_date="2024-03-01")
    # March 1, 2024 + 180 days = August 28, 2024 (30 + 30 + 31 + 30 + 31 + 28), a Wednesday: no penalty or interest
    assert late(year, **base, payment_date="2024-08-28") == \
        {"months_late": 0, "penalty": 0, "interest": 0, "total_due": 2000}
    # a day later: one month late from August 28: penalty 200, interest 20
    assert late(year, **base, payment_date="2024-08-29") == \
        {"months_late": 1, "penalty": 200, "interest": 20, "total_due": 2220}
    # returned March 4: the 180th day is Saturday August 31; Monday September 2 is Labor Day -> Tuesday September 3
    moved = dict(base, combat_zone_return_date="2024-03-04")
    assert late(year, **moved, payment_date="2024-09-03")["penalty"] == 0
    assert late(year, **moved, payment_date="2024-09-04")["penalty"] == 200


@pytest.mark.parametrize("year", YEARS)
def test_combat_zone_180_days_ending_before_the_due_date_change_nothing(year):
    # returned September 1, 2023: the 180 days end February 28, 2024, before April 15; paid April 16: 1 month late
    result = late(year, tax_due=2000, due_date="2024-04-15", combat_zone_return_date="2023-09-01",
                  payment_date="2024-04-16")
    assert result == {"months_late": 1, "penalty": 200, "interest": 20, "total_due": 2220}


@pytest.mark.parametrize("year", YEARS)
def test_combat_zone_failure_to_file(year):
    # "10% of the balance due or $50, whichever is greater": 10% of 3,000 = 300 without the combat zone rule
    assert failure_to_file(year, balance_due=3000)["penalty"] == 300
    zone = dict(combat_zone_return_date="2024-03-01")   # due August 28, 2024
    assert failure_to_file(year, balance_due=3000, **zone, return_filed_date="2024-08-28")["penalty"] == 0
    assert failure_to_file(year, balance_due=3000, **zone, return_filed_date="2024-08-29")["penalty"] == 300
    assert failure_to_file(year, balance_due=3000, **zone)["penalty"] == 300          # never filed: no relief
    # no tax due: the $50 late filing penalty is not charged within the 180 days either
    assert failure_to_file(year, balance_due=0, **zone, return_filed_date="2024-08-28")["late_filing_penalty"] == 0
    assert failure_to_file(year, balance_due=0, **zone, return_filed_date="2024-08-29")["late_filing_penalty"] == 50
