"""Who must file (CT Nonresident Guide 2023: Who Must File Form CT-1040NR/PY, Resident, Gross Income Test).

The guide's examples and the Form 1040-NR rules are YAML cases: tests/cases/<year>/filing_requirement_examples.yaml.
The gross income test's amounts are cases there too. What stays here is the grid of every reason for
every residency (each reason alone, 15 evaluations a year from one table of who it applies to), and the errors.
"""
from __future__ import annotations

import pytest

import engine
from engine.errors import InvalidInputError

YEARS = (2023, 2024, 2025)


def file(year, **facts):
    result = engine.evaluate(year, "filing_requirement", facts)
    return result["must_file"], result["form"], result["reasons"]


@pytest.mark.parametrize("year", YEARS)
@pytest.mark.parametrize("flag,residencies", [
    ("ct_tax_withheld", ("resident", "part_year_resident", "nonresident")),
    ("estimated_payments_made", ("resident", "part_year_resident", "nonresident")),
    ("pe_tax_credit", ("part_year_resident", "nonresident")),
    ("federal_amt_liability", ("resident", "part_year_resident")),
    ("claiming_ct_eitc", ("resident",)),
])
def test_each_reason_and_who_it_applies_to(year, flag, residencies):
    for residency in ("resident", "part_year_resident", "nonresident"):
        must, form, reasons = file(year, filing_status="single", residency=residency, **{flag: True})
        if residency in residencies:
            assert (must, reasons) == (True, [flag])
            assert form == ("CT-1040" if residency == "resident" else "CT-1040NR/PY")
        else:
            assert (must, form, reasons) == (False, None, [])


def test_unknown_residency_is_refused():
    with pytest.raises(InvalidInputError, match="residency"):
        engine.evaluate(2023, "filing_requirement", {"filing_status": "single", "residency": "visitor"})


@pytest.mark.parametrize("year", YEARS)
def test_married_form_1040nr_filer_may_not_file_jointly(year):
    # "Any married individual filing federal Form 1040NR ... must file a Connecticut income tax return
    # as a married individual filing separately" (the separate return is a case in
    # tests/cases/<year>/filing_requirement_examples.yaml): a joint return is refused, naming the
    # inputs at odds.
    with pytest.raises(InvalidInputError, match="files_federal_form_1040nr and filing_status"):
        file(year, filing_status="married_filing_jointly", residency="nonresident", gross_income=30000,
             files_federal_form_1040nr=True)
