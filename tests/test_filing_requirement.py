"""Who must file (CT Nonresident Guide 2023: Who Must File Form CT-1040NR/PY, Resident, Gross Income Test)."""
from __future__ import annotations

import pytest

import engine
from engine.errors import InvalidInputError

YEARS = (2023, 2024, 2025)


def file(year, **facts):
    result = engine.evaluate(year, "filing_requirement", facts)
    return result["must_file"], result["form"], result["reasons"]


@pytest.mark.parametrize("year", YEARS)
@pytest.mark.parametrize("status,threshold", [
    ("married_filing_separately", 12000), ("single", 15000), ("head_of_household", 19000),
    ("married_filing_jointly", 24000), ("qualifying_surviving_spouse", 24000),
])
def test_gross_income_test_exceeds_the_amount(year, status, threshold):
    assert file(year, filing_status=status, residency="resident", gross_income=threshold) == (False, None, [])
    assert file(year, filing_status=status, residency="resident", gross_income=threshold + 1) == (
        True, "CT-1040", ["gross_income_test"])


@pytest.mark.parametrize("year", YEARS)
def test_seed_example_1_sole_proprietor_nonresident(year):
    # Gross income $100,000 (net $8,000) from a Connecticut sole proprietorship: must file.
    assert file(year, filing_status="single", residency="nonresident", gross_income=100000,
                has_ct_source_income=True) == (True, "CT-1040NR/PY", ["gross_income_test"])


@pytest.mark.parametrize("year", YEARS)
def test_seed_example_2_part_year_resident_below_the_test(year):
    # $8,000 nontaxable Social Security is not gross income; $11,000 interest does not exceed $15,000.
    assert file(year, filing_status="single", residency="part_year_resident", gross_income=11000) == (
        False, None, [])
    # ... unless Connecticut tax was withheld or estimated payments were made.
    assert file(year, filing_status="single", residency="part_year_resident", gross_income=11000,
                ct_tax_withheld=True) == (True, "CT-1040NR/PY", ["ct_tax_withheld"])
    assert file(year, filing_status="single", residency="part_year_resident", gross_income=11000,
                estimated_payments_made=True) == (True, "CT-1040NR/PY", ["estimated_payments_made"])


@pytest.mark.parametrize("year", YEARS)
def test_seed_example_3_wages_plus_other_state_bond_interest(year):
    # $15,000 CT wages + $1,000 California bond interest (a CT addition) = $16,000 > $15,000.
    assert file(year, filing_status="single", residency="nonresident", gross_income=15000 + 1000,
                has_ct_source_income=True) == (True, "CT-1040NR/PY", ["gross_income_test"])


@pytest.mark.parametrize("year", YEARS)
def test_nonresident_without_ct_source_income_does_not_meet_the_income_tests(year):
    assert file(year, filing_status="single", residency="nonresident", gross_income=500000,
                federal_amt_liability=True) == (False, None, [])
    assert file(year, filing_status="single", residency="nonresident", gross_income=500000,
                federal_amt_liability=True, has_ct_source_income=True) == (
        True, "CT-1040NR/PY", ["gross_income_test", "federal_amt_liability"])


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


def test_every_reason_that_applies_is_listed_in_order():
    assert file(2024, filing_status="married_filing_jointly", residency="resident", gross_income=30000,
                ct_tax_withheld=True, estimated_payments_made=True, pe_tax_credit=True,
                federal_amt_liability=True, claiming_ct_eitc=True) == (
        True, "CT-1040", ["ct_tax_withheld", "estimated_payments_made", "gross_income_test",
                          "federal_amt_liability", "claiming_ct_eitc"])


def test_unknown_residency_is_refused():
    with pytest.raises(InvalidInputError, match="residency"):
        engine.evaluate(2023, "filing_requirement", {"filing_status": "single", "residency": "visitor"})


@pytest.mark.parametrize("year", YEARS)
def test_nonresident_alien_treaty_income_counts_for_the_gross_income_test(year):
    # "In determining whether you meet the gross income test, you must take into account any income
    # not subject to federal income tax under an income tax treaty": a single Form 1040-NR filer
    # with $10,000 of Connecticut wages and $6,000 of treaty-exempt income has $16,000 > $15,000.
    facts = dict(filing_status="single", residency="nonresident", gross_income=10000, has_ct_source_income=True,
                 files_federal_form_1040nr=True)
    assert file(year, **facts) == (False, None, [])
    assert file(year, **facts, treaty_exempt_income=6000) == (True, "CT-1040NR/PY", ["gross_income_test"])
    # $5,000 of treaty income: $15,000 does not exceed $15,000.
    assert file(year, **facts, treaty_exempt_income=5000) == (False, None, [])
    result = engine.evaluate(year, "filing_requirement", {**facts, "treaty_exempt_income": 6000})
    assert result.line("gross_income_with_treaty_income").value == 16000


@pytest.mark.parametrize("year", YEARS)
def test_married_form_1040nr_filer_files_separately(year):
    # "Any married individual filing federal Form 1040NR ... must file a Connecticut income tax return
    # as a married individual filing separately": the $12,000 amount; $9,000 + $4,000 treaty income
    # = $13,000 > $12,000.
    assert file(year, filing_status="married_filing_separately", residency="nonresident", gross_income=9000,
                treaty_exempt_income=4000, has_ct_source_income=True, files_federal_form_1040nr=True) == (
        True, "CT-1040NR/PY", ["gross_income_test"])
    # A joint return is refused, naming the inputs at odds.
    with pytest.raises(InvalidInputError, match="files_federal_form_1040nr and filing_status"):
        file(year, filing_status="married_filing_jointly", residency="nonresident", gross_income=30000,
             files_federal_form_1040nr=True)
