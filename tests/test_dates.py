"""The date machinery rule files call: business days, months or fraction, weekly periods, due dates."""
import datetime as dt
from decimal import Decimal

import pandas as pd
import pytest

import engine
from engine.errors import EvaluationError, InputError
from engine.lang import dates
from engine.lang.registry import FUNCTIONS

D = dt.date


@pytest.mark.parametrize("due, expected", [
    (D(2024, 4, 15), D(2024, 4, 15)),   # a Monday: stays
    (D(2024, 6, 15), D(2024, 6, 17)),   # Saturday -> Monday
    (D(2024, 9, 15), D(2024, 9, 16)),   # Sunday -> Monday
    (D(2013, 12, 25), D(2013, 12, 26)),  # Christmas (Wednesday) -> Thursday
    (D(2022, 12, 25), D(2022, 12, 27)),  # Christmas on Sunday, observed Monday -> Tuesday
    (D(2014, 1, 1), D(2014, 1, 2)),     # New Year's Day (Wednesday) -> Thursday
    (D(2022, 1, 1), D(2022, 1, 3)),     # New Year's Day on Saturday -> Monday
    (D(2022, 4, 15), D(2022, 4, 18)),   # Good Friday, a Connecticut legal holiday -> Monday
    (D(2014, 2, 12), D(2014, 2, 13)),   # Lincoln's Birthday, a Connecticut legal holiday
    (D(2024, 1, 15), D(2024, 1, 16)),   # Martin Luther King Jr. Day
])
def test_business_day(due, expected):
    assert dates.business_day(due) == expected


def test_holiday_calendar_is_connecticut():
    assert dates.holiday_name(D(2013, 2, 12)) == "Lincoln's Birthday"
    assert dates.holiday_name(D(2013, 3, 29)) == "Good Friday"
    assert dates.holiday_name(D(2013, 3, 28)) is None
    assert dates.is_business_day(D(2013, 3, 28)) and not dates.is_business_day(D(2013, 3, 30))


@pytest.mark.parametrize("due, paid, months", [
    (D(2024, 4, 15), D(2024, 4, 1), 0),     # early
    (D(2024, 4, 15), D(2024, 4, 15), 0),    # on the due date: not late
    (D(2024, 4, 16), D(2024, 4, 16), 0),
    (D(2024, 4, 15), D(2024, 4, 16), 1),    # one day late is one month
    (D(2024, 4, 15), D(2024, 5, 15), 1),    # exactly one month
    (D(2024, 4, 15), D(2024, 5, 16), 2),    # one month and a day
    (D(2024, 4, 15), D(2024, 10, 15), 6),   # exactly six months
    (D(2024, 4, 15), D(2024, 10, 16), 7),
    (D(2024, 4, 15), D(2025, 4, 15), 12),   # exactly a year
    (D(2023, 1, 31), D(2023, 2, 28), 1),    # month end: February's last day is a month after January 31
    (D(2023, 1, 31), D(2023, 3, 1), 2),
    (D(2024, 1, 31), D(2024, 2, 29), 1),    # leap year
])
def test_months_or_fraction(due, paid, months):
    assert dates.months_or_fraction(due, paid) == Decimal(months)


def test_months_or_fraction_accepts_iso_text_and_refuses_other_values():
    assert dates.months_or_fraction("2024-04-15", "2024-04-16") == 1
    with pytest.raises(EvaluationError, match="payment date"):
        dates.months_or_fraction(D(2024, 4, 15), None)
    with pytest.raises(EvaluationError, match="due date"):
        dates.months_or_fraction("April 15", D(2024, 4, 16))


# 2013-03-30 is a Saturday; the weekly period runs to Friday 2013-04-05.
WEEK = [D(2013, 3, 30) + dt.timedelta(days=i) for i in range(7)]


@pytest.mark.parametrize("day", WEEK, ids=[d.strftime("%A") for d in WEEK])
def test_weekly_period_is_saturday_to_friday(day):
    assert dates.weekly_period_start(day) == D(2013, 3, 30)
    assert dates.weekly_period_end(day) == D(2013, 4, 5)
    assert dates.day_of_weekly_period(day) == WEEK.index(day) + 1


@pytest.mark.parametrize("day, first, second", [
    (D(2013, 4, 2), D(2013, 4, 3), D(2013, 4, 10)),   # Tuesday
    (D(2013, 4, 3), D(2013, 4, 10), D(2013, 4, 17)),  # a Wednesday does not follow itself
    (D(2013, 4, 5), D(2013, 4, 10), D(2013, 4, 17)),  # Friday
])
def test_wednesday_following(day, first, second):
    assert dates.wednesday_following(day) == first
    assert dates.wednesday_following(day, 2) == second


@pytest.mark.parametrize("day, fifteenth, after_quarter, quarter", [
    (D(2013, 1, 1), D(2013, 2, 15), D(2013, 4, 30), 1),
    (D(2013, 3, 31), D(2013, 4, 15), D(2013, 4, 30), 1),
    (D(2013, 4, 1), D(2013, 5, 15), D(2013, 7, 31), 2),
    (D(2013, 8, 31), D(2013, 9, 15), D(2013, 10, 31), 3),
    (D(2013, 12, 31), D(2014, 1, 15), D(2014, 1, 31), 4),
])
def test_monthly_and_quarterly_dates(day, fifteenth, after_quarter, quarter):
    assert dates.fifteenth_of_following_month(day) == fifteenth
    assert dates.last_day_of_month_following_quarter(day) == after_quarter
    assert dates.quarter(day) == quarter


def test_add_months_clamps_to_month_end():
    assert dates.add_months(D(2013, 11, 30), 3) == D(2014, 2, 28)
    assert dates.add_months(D(2013, 12, 15), -12) == D(2012, 12, 15)


def test_first_listed_date_on_or_after():
    listed = "01-01, 05-01, 07-01, 10-01"
    assert dates.first_listed_date_on_or_after(D(2013, 5, 1), listed) == D(2013, 5, 1)
    assert dates.first_listed_date_on_or_after(D(2013, 5, 2), listed) == D(2013, 7, 1)
    assert dates.first_listed_date_on_or_after(D(2013, 10, 2), listed) == D(2014, 1, 1)
    with pytest.raises(EvaluationError, match="MM-DD"):
        dates.first_listed_date_on_or_after(D(2013, 5, 2), "May 1")


def test_earliest_and_due_schedule():
    assert dates.earliest(None, D(2025, 4, 15)) == D(2025, 4, 15)
    assert dates.earliest(D(2025, 1, 2), D(2025, 4, 15)) == D(2025, 1, 2)
    assert dates.due_schedule() == []
    assert dates.due_schedule("2024-04-15", Decimal(5)) == [{"due_date": D(2024, 4, 15), "amount": Decimal(5)}]
    with pytest.raises(EvaluationError):
        dates.due_schedule(D(2024, 4, 15))


def test_date_table_with_a_non_iso_value_is_a_located_problem(tmp_path):
    import shutil

    from engine.loading.ruleset import check_ruleset

    shutil.copytree("rules/2013", tmp_path / "rules" / "2013")
    table = tmp_path / "rules" / "2013" / "tables" / "ct_945_due_date.yaml"
    table.write_text(table.read_text().replace("'2014-01-31'", "January 31, 2014"))
    ruleset, problems = check_ruleset(tmp_path / "rules" / "2013")
    assert ruleset is None
    assert any("ct_945_due_date.yaml" in p.file and "ISO dates" in p.message for p in problems)


def test_date_table_values_are_dates():
    import engine

    table = engine.load(2013).tables["ct_945_due_date"]
    value, match = table.lookup(None, None)
    assert value == D(2014, 1, 31) and match.to_dict()["value"] == "2014-01-31"


# ---------------------------------------------------------------- NaT and dates outside years 1-9999


@pytest.mark.parametrize("function,args", [
    (FUNCTIONS["business_day"].exact, (pd.NaT,)), (dates.is_business_day, (pd.NaT,)),
    (FUNCTIONS["add_months"].exact, (pd.NaT, Decimal(1))), (FUNCTIONS["year_of"].exact, (pd.NaT,)),
    (FUNCTIONS["days_between"].exact, (pd.NaT, dt.date(2024, 1, 1)))])
def test_nat_is_not_a_date(function, args):
    # pandas.NaT subclasses datetime; business_day used to loop forever on it
    with pytest.raises(EvaluationError, match="must be a date, not NaT"):
        function(*args)


def test_nat_as_a_date_input_is_the_input_error():
    with pytest.raises(InputError) as error:
        engine.evaluate(2013, "payment_due_date", {"classification": "monthly", "payment_date": pd.NaT})
    assert error.value.field == "payment_date"


def test_a_pandas_timestamp_is_still_its_date():
    result = engine.evaluate(2013, "payment_due_date", {"classification": "monthly",
                                                        "payment_date": pd.Timestamp("2013-03-05 17:30")})
    # "Monthly remitter: Fifteenth day of the month following the month during which the nonpayroll
    # amounts were paid": 2013-04-15, a Monday and no holiday
    assert result["due_date"] == dt.date(2013, 4, 15)


@pytest.mark.parametrize("function,args", [
    ("add_months", (dt.date(9999, 12, 1), Decimal(1))), ("add_months", (dt.date(1, 1, 1), Decimal(-1))),
    ("add_days", (dt.date(9999, 12, 31), Decimal(1))), ("business_day", (dt.date(9999, 12, 31),)),
    ("fifteenth_of_following_month", (dt.date(9999, 12, 20),)),
    ("last_day_of_month_following_quarter", (dt.date(9999, 11, 1),)),
    ("wednesday_following", (dt.date(9999, 12, 30), Decimal(1))),
    ("make_date", (Decimal(10000), Decimal(1), Decimal(1)))])
def test_dates_beyond_year_9999_are_evaluation_errors(function, args):
    try:
        FUNCTIONS[function].exact(*args)
    except EvaluationError:
        pass  # any other exception fails the test; a result inside the calendar is fine too


@pytest.mark.parametrize("count", [Decimal("1e999999"), Decimal("-1e30"), 10 ** 100, Decimal("Infinity"),
                                   Decimal("NaN")])
def test_huge_counts_in_date_functions_are_refused_quickly(count):
    for name in ("add_days", "add_months", "wednesday_following"):
        with pytest.raises(EvaluationError, match="whole number"):
            FUNCTIONS[name].exact(dt.date(2024, 1, 1), count)


def test_a_date_near_9999_is_one_bad_row_not_an_aborted_batch():
    frame = pd.DataFrame({"tax_due": ["1000", "1000"], "due_date": ["2024-04-15", "9999-10-01"],
                          "payment_date": ["2024-05-01", "9999-10-02"]})
    out = engine.evaluate_batch(2024, "late_payment", frame, errors="report", fallback=True)
    assert out["error"].isna().tolist() == [True, False]
    assert "outside years 1 to 9999" in out["error"][1]
    # 2024-04-15 is a Monday; paid 2024-05-01: "1% per month or fraction of a month": one month
    assert out["months_late"][0] == 1
