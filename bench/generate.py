"""Realistic input columns for any worksheet, built from its input specs (``Worksheet.inputs``).

``bench/run.py`` times every worksheet as columns; the timing only means something if the rows
look like returns: incomes spread like incomes (log-normal around a median), most optional amounts
zero, most booleans at their default, dates around the tax year's filing season, counts inside the
input's own bounds. Only the public model is read (an InputSpec's name, type, default, choices,
minimum, maximum), so a worksheet added later gets columns without changes here; the few name
patterns below only make the values more typical, they never decide whether a column exists.

Money is whole dollars (int64), as in microsimulation files; ``number`` inputs are floats with
four decimals; dates are Arrow date32; an optional input whose default is "not given" is null in
part of the rows, as in real data.
"""
from __future__ import annotations

import re
from typing import Any

import numpy as np
import pyarrow as pa

# share of each filing status among Connecticut returns, roughly (single, joint, separate, head of
# household, surviving spouse); the exact mix hardly matters for speed but every status occurs
STATUS_SHARES = {"single": 0.46, "married_filing_jointly": 0.38, "married_filing_separately": 0.03,
                 "head_of_household": 0.12, "qualifying_surviving_spouse": 0.01}
RESIDENCY_SHARES = {"resident": 0.90, "part_year_resident": 0.03, "nonresident": 0.07}

# (name pattern, median dollars) for money inputs, the first match wins
MONEY_MEDIANS = (
    (r"agi|gross_income|gross_nonpayroll|ct_presence_gross_income|wages|winnings|prize|military_retirement_pay", 55_000),
    (r"pension|ira_|social_security|benefits|source_income|nonpayroll|pass_through", 18_000),
    (r"property_tax", 4_000),
    (r"eitc", 1_500),
    (r"tax|withh|payment|liability|credit|quarter|underpayment|amount", 2_500),
)
GENERIC_MONEY_MEDIAN = 5_000


def _money(spec: Any, n: int, rng: np.random.Generator) -> np.ndarray:
    median = next((m for pattern, m in MONEY_MEDIANS if re.search(pattern, spec.name)), GENERIC_MONEY_MEDIAN)
    values = np.rint(rng.lognormal(np.log(median), 1.0, n)).astype(np.int64)
    if spec.has_default and spec.default is not None and spec.default == 0:
        values[rng.random(n) < 0.7] = 0  # an optional amount is zero on most returns
    if spec.minimum is not None:
        values = np.maximum(values, int(spec.minimum))
    if spec.maximum is not None:
        values = np.minimum(values, int(spec.maximum))
    return values


def _integer(spec: Any, n: int, rng: np.random.Generator, year: int) -> np.ndarray:
    low = int(spec.minimum) if spec.minimum is not None else 0
    if spec.name.endswith("_year"):  # a calendar year, e.g. first_registered_year
        high = int(spec.maximum) if spec.maximum is not None else year
        return rng.integers(max(low, high - 10), high + 1, n)
    if spec.name == "payments_per_year":
        return rng.choice(np.array([12, 24, 26, 52]), n)
    if spec.name == "qualifying_children":
        return rng.choice(np.array([0, 1, 2, 3]), n, p=[0.55, 0.2, 0.17, 0.08])
    high = int(spec.maximum) if spec.maximum is not None else low + (300 if "forms" in spec.name
                                                                   or "statements" in spec.name else 5)
    return rng.integers(low, high + 1, n)


def _dates(spec: Any, n: int, rng: np.random.Generator, year: int) -> pa.Array:
    name = spec.name
    if name == "tax_year_end":
        ends = np.full(n, np.datetime64(f"{year}-12-31"))
        fiscal = rng.random(n) < 0.02  # a few fiscal years, begun in the tax year, ending June 30
        ends[fiscal] = np.datetime64(f"{year + 1}-06-30")
        return pa.array(ends.astype("datetime64[D]"), pa.date32())
    season = np.datetime64(f"{year + 1}-04-15")  # the filing season after the tax year
    if re.search(r"due_date$", name):
        offsets = rng.integers(-100, 1, n)
    elif re.search(r"payment_date|filed_date|paid_date|accepted_date|return_date", name):
        offsets = rng.integers(-60, 400, n)
    elif re.search(r"notice_date|request_date", name):
        offsets = rng.integers(0, 300, n)
    else:
        offsets = rng.integers(-365, 365, n)
    days = (season + offsets).astype("datetime64[D]")
    mask = None
    if spec.has_default and spec.default is None and spec.required_if is None:
        mask = rng.random(n) < 0.6  # not given on most returns (always given where it may be needed)
    return pa.array(days, pa.date32(), mask=mask)


def _choice(spec: Any, n: int, rng: np.random.Generator) -> pa.Array:
    choices = list(spec.choices)
    shares = RESIDENCY_SHARES if set(choices) == set(RESIDENCY_SHARES) else None
    p = [shares[c] for c in choices] if shares else None
    codes = rng.choice(len(choices), n, p=p)
    return pa.DictionaryArray.from_arrays(pa.array(codes.astype(np.int32)), pa.array(choices)).cast(pa.string())


def column(spec: Any, n: int, rng: np.random.Generator, year: int) -> pa.Array:
    """One input column of ``n`` typical values for ``spec``."""
    kind = spec.type
    if kind == "filing_status":
        statuses = list(STATUS_SHARES)
        codes = rng.choice(len(statuses), n, p=list(STATUS_SHARES.values()))
        return pa.DictionaryArray.from_arrays(pa.array(codes.astype(np.int32)), pa.array(statuses)).cast(pa.string())
    if kind == "choice":
        return _choice(spec, n, rng)
    if kind == "money":
        values = _money(spec, n, rng)
        mask = rng.random(n) < 0.5 if spec.has_default and spec.default is None else None
        return pa.array(values, pa.int64(), mask=mask)
    if kind == "integer":
        return pa.array(_integer(spec, n, rng, year), pa.int64())
    if kind == "number":
        low = float(spec.minimum) if spec.minimum is not None else 0.0
        high = float(spec.maximum) if spec.maximum is not None else 1.0
        values = np.round(rng.uniform(low, high, n), 4)
        if spec.has_default and spec.default is not None:
            values[rng.random(n) < 0.8] = float(spec.default)
        return pa.array(values, pa.float64())
    if kind == "boolean":
        if spec.has_default and spec.default is None:
            return pa.array(rng.random(n) < 0.5, pa.bool_(), mask=rng.random(n) < 0.7)
        share_true = 0.9 if spec.has_default and spec.default is True else 0.1
        return pa.array(rng.random(n) < share_true, pa.bool_())
    if kind == "date":
        return _dates(spec, n, rng, year)
    raise ValueError(f"bench/generate.py has no generator for input type {kind!r} ({spec.name})")


def _consistent(columns: dict[str, pa.Array]) -> None:
    """Remove the combinations the worksheets refuse as contradictions (real returns have none)."""
    import pyarrow.compute as pc

    def where(condition: Any, name: str, value: Any) -> None:
        if name in columns:
            columns[name] = pc.if_else(condition, pa.scalar(value, columns[name].type), columns[name])

    if "files_federal_form_1040nr" in columns and "filing_status" in columns:
        # a Form 1040-NR filer does not file jointly
        joint = pc.is_in(columns["filing_status"], pa.array(["married_filing_jointly", "qualifying_surviving_spouse"]))
        where(joint, "files_federal_form_1040nr", False)
    if "joint_federal_return" in columns:
        if "filing_status" in columns:  # a joint federal return beside a separate Connecticut one
            separate = pc.equal(columns["filing_status"], "married_filing_separately")
            columns["joint_federal_return"] = pc.and_(columns["joint_federal_return"], separate)
        # the joint return's federal AGI, which the CT EITC divides by, is more than $0, and where there
        # is a federal earned income credit it is below the credit's limit (2024: $66,819 at most)
        where(pc.less_equal(columns["joint_federal_agi"], 0), "joint_federal_agi", 55_000)
        for name in ("joint_federal_agi", "separate_federal_agi"):
            if name in columns:
                columns[name] = pc.min_element_wise(columns[name], pa.scalar(66_819, columns[name].type))
    if "credit_for_taxes_paid" in columns and "residency" in columns:
        # the credit for income taxes paid to qualifying jurisdictions is for residents and part-year residents
        where(pc.equal(columns["residency"], "nonresident"), "credit_for_taxes_paid", 0)
    if "no_prior_year_return_no_liability" in columns:
        # no prior-year return for want of a liability: no such return, no prior-year tax, and (for a
        # nonresident) prior-year Connecticut-sourced income
        none_filed = columns["no_prior_year_return_no_liability"]
        where(none_filed, "prior_year_full_return", False)
        where(none_filed, "prior_year_tax", 0)
        where(none_filed, "nonresident_without_prior_ct_income", False)
    if "domiciled_in_ct" in columns:
        where(columns["domiciled_in_ct"], "moved_during_year", False)  # domiciled all year: no move
    if "permanent_place_of_abode_in_ct" in columns:
        # an abode kept all year is one kept at some time in the year: leave that answer out
        where(columns["permanent_place_of_abode_in_ct"], "permanent_place_of_abode_in_ct_any_time", None)
    if "group_b_period_start" in columns:
        # the Group B period's start would fix the first nonresident portion's day count: not given
        columns["group_b_period_start"] = pa.nulls(len(columns["group_b_period_start"]), pa.date32())


def table(sheet: Any, n: int, year: int, seed: int = 0) -> pa.Table:
    """An Arrow table with one typical column per input of ``sheet`` (every input given or null)."""
    rng = np.random.default_rng(seed)
    columns = {name: column(spec, n, rng, year) for name, spec in sheet.inputs.items()}
    _consistent(columns)
    return pa.table(columns)
