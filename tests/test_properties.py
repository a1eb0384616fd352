"""Property-based tests (Hypothesis) over random inputs, every year with rules and every filing status."""
from __future__ import annotations

import datetime as dt
import json
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import engine
from engine.model.status import FILING_STATUSES

YEARS = [y for y in engine.years() if "tax_calculation" in engine.worksheets(y)]
SHEETS = [(y, name) for y in engine.years() for name in engine.worksheets(y)]
QUICK = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

years = st.sampled_from(YEARS)
statuses = st.sampled_from(FILING_STATUSES)
# any amount in cents from -$1m to $100m, plus every whole dollar near the tables' range
amounts = st.one_of(st.integers(-100_000_000, 10_000_000_000).map(lambda c: Decimal(c).scaleb(-2)),
                    st.integers(0, 1_200_000).map(Decimal))


def tax(year, status, agi, trace=False):
    return engine.evaluate(year, "tax_calculation", {"filing_status": status, "ct_agi": agi}, trace=trace)


@QUICK
@given(years, statuses, amounts)
def test_tax_is_never_negative_and_whole_dollars(year, status, agi):
    result = tax(year, status, agi)
    assert result["ct_income_tax"] >= 0
    assert result["ct_income_tax"] == result["ct_income_tax"].to_integral_value()
    assert result["taxable_income"] >= 0


@QUICK
@given(years, statuses, amounts, amounts)
def test_exemption_non_increasing_and_taxable_income_non_decreasing_in_agi(year, status, a, b):
    low, high = sorted((a, b))
    first, second = tax(year, status, low), tax(year, status, high)
    assert first["exemption"] >= second["exemption"]
    assert first["taxable_income"] <= second["taxable_income"]


@QUICK
@given(years, statuses, amounts)
def test_same_result_repeated_and_from_several_threads(year, status, agi):
    expected = tax(year, status, agi, trace=True).to_dict()
    assert tax(year, status, agi, trace=True).to_dict() == expected
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: tax(year, status, agi, trace=True).to_dict(), range(8)))
    assert all(r == expected for r in results)


@QUICK
@given(years, statuses, amounts)
def test_to_dict_round_trips_through_json(year, status, agi):
    data = tax(year, status, agi, trace=True).to_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["outputs"]["ct_income_tax"] == str(tax(year, status, agi)["ct_income_tax"])


# ---------------------------------------------------------------- fuzzing the input layer

junk = st.one_of(
    st.none(), st.booleans(), st.integers(), st.integers(-10 ** 40, 10 ** 40),
    st.floats(allow_nan=True, allow_infinity=True), st.floats(min_value=-1e-300, max_value=1e-300),
    st.decimals(allow_nan=True, allow_infinity=True), st.text(max_size=30), st.binary(max_size=10),
    st.sampled_from(["60000", "$60,000.50", "1e5", "1e400", "-0", "NaN", "inf", "", " ", "2024-13-45",
                     "15/04/2024", "2024-04-15", "yes", "single", "SINGLE", "married_filing_jointly "]),
    st.dates(), st.datetimes(), st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=3),
                                                                                    st.integers(), max_size=2),
    st.tuples(st.integers()), st.just(object()), st.just(dt.timedelta(days=1)), st.complex_numbers(),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(SHEETS), st.data())
def test_every_input_evaluates_or_raises_the_packages_own_error(sheet, data):
    year, name = sheet
    inputs = engine.load(year).worksheets[name].inputs
    given_inputs = {}
    for field in inputs:
        choice = data.draw(st.sampled_from(["omit", "junk", "plausible"]))
        if choice == "junk":
            given_inputs[field] = data.draw(junk)
        elif choice == "plausible":
            given_inputs[field] = data.draw(st.one_of(statuses, amounts, st.integers(1, 52),
                                                      st.sampled_from(["resident", "nonresident"])))
    if data.draw(st.booleans()):
        given_inputs[data.draw(st.text(max_size=8))] = data.draw(junk)
    try:
        result = engine.evaluate(year, name, given_inputs, trace=data.draw(st.booleans()))
    except engine.CtaxError as error:
        assert str(error)
        if isinstance(error, engine.InputError):
            assert isinstance(error.field, str)
        return
    json.dumps(result.to_dict())  # whatever evaluated is plain data


@settings(max_examples=100, deadline=None)
@given(junk, junk)
def test_year_and_worksheet_arguments_are_fuzzed_too(year, worksheet):
    try:
        engine.evaluate(year, worksheet, {"filing_status": "single", "ct_agi": 1})
    except engine.CtaxError:
        pass


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(junk, junk), min_size=1, max_size=6))
def test_batch_input_layer_gives_results_or_row_errors(rows):
    import pandas as pd

    from engine.batch.evaluate import evaluate_batch

    frame = pd.DataFrame({"filing_status": pd.Series([r[0] for r in rows], dtype=object),
                          "ct_agi": pd.Series([r[1] for r in rows], dtype=object)})
    report = evaluate_batch(2013, "tax_calculation", frame, errors="report")
    for i, (status, agi) in enumerate(rows):
        try:
            expected = engine.evaluate(2013, "tax_calculation", {"filing_status": status, "ct_agi": agi},
                                       trace=False)["ct_income_tax"]
        except engine.CtaxError:
            assert report["error"].iloc[i] is not None and not pd.isna(report["error"].iloc[i])
        else:
            assert report["ct_income_tax"].iloc[i] == expected
