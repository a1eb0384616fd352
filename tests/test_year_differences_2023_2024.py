"""The 2023 and 2024 rule sets differ exactly where the sources say, and nowhere else.

What's New for 2024 (CT Nonresident Guide 2023) and the 2024 tables: the 3%/5% rates become
2%/4.5% (Table B), the phase-out add-back grows (Table C), a recapture starting at
$105,000 / $168,000 / $210,000 joins Table D, the pension subtraction phases out by federal AGI,
and the IRA share rises from 25% to 50%. Every other table and every worksheet must be the same
once the year-dependent wording (titles, labels, citations, notes) is set aside.
"""
from __future__ import annotations

from decimal import Decimal as D

from rule_files import rule_documents

import engine

WORDING = {"title", "label", "source", "note", "text", "description", "value_label", "review"}
EXPECTED_TABLE_CHANGES = {"table_b", "table_c", "table_d", "pension_annuity_share", "ira_distribution_share",
                          # the taxable year's first day (residency, Group B portions)
                          "taxable_year_first_day"}


def _substance(data):
    """A rule file's data without its wording, so only figures, names and expressions remain."""
    if isinstance(data, dict):
        return {k: _substance(v) for k, v in data.items() if k not in WORDING}
    if isinstance(data, list):
        return [_substance(v) for v in data]
    return data


def _documents(year: int, kind: str) -> dict[str, dict]:
    return {name.split("/")[-1]: _substance(doc.data) for name, doc in rule_documents(year).items()
            if f"/{kind}/" in name}


# The files of the income-tax rule sets (issue 3). Other files in the year folders (penalties,
# notices, and the 2024-only estimated-tax figures of the seed's "Estimated Tax Payments for Tax
# Year 2024") belong to another issue; those present in both years are compared too.
ISSUE_TABLES = {"table_a", "table_b", "table_c", "table_d", "table_e", "pension_annuity_share",
                "ira_distribution_share", "social_security_threshold", "social_security_benefit_share",
                "gross_income_threshold", "statutory_resident_days", "group_a_max_ct_days",
                "group_b_min_foreign_days", "group_b_period_days", "group_b_max_ct_days",
                "casual_presence_income_limit", "pass_through_member_income_floor"}
ISSUE_WORKSHEETS = {"tax_calculation", "modifications", "residency", "filing_requirement", "nonresident_tax",
                    "casual_isolated_test", "income_tax_return"}


def test_the_issue_files_exist_in_both_years():
    for year in (2023, 2024):
        assert {n.removesuffix(".yaml") for n in _documents(year, "tables")} >= ISSUE_TABLES
        assert {n.removesuffix(".yaml") for n in _documents(year, "worksheets")} >= ISSUE_WORKSHEETS


def _changed(kind: str) -> set[str]:
    old, new = _documents(2023, kind), _documents(2024, kind)
    return {name.removesuffix(".yaml") for name in set(old) & set(new) if old[name] != new[name]}


# The estimated-tax and return dates of each taxable year (issue 10): the same rule, one year later.
YEARLY_DATE_TABLES = {"calendar_year_end", "calendar_year_return_due_date", "estimated_tax_first_installment_due_date",
                      "estimated_tax_second_installment_due_date", "estimated_tax_third_installment_due_date",
                      "estimated_tax_fourth_installment_due_date", "estimated_tax_interest_end_date",
                      "farmer_fisherman_installment_due_date", "farmer_fisherman_return_exception_date",
                      "january_return_exception_date"}


def _date(year: int, table: str):
    (value,) = engine.load(year).tables[table].scalar.values()
    return value


def test_tables_differ_exactly_where_the_sources_say():
    # a dated table is written either as a date or as a date rule ("January 15 of the year after the tax
    # year", identical in both years): either way its date is one year later and nothing else differs
    assert _changed("tables") - YEARLY_DATE_TABLES == EXPECTED_TABLE_CHANGES
    old, new = _documents(2023, "tables"), _documents(2024, "tables")
    for name in YEARLY_DATE_TABLES:
        before, after = old[name + ".yaml"], new[name + ".yaml"]
        assert {k: v for k, v in before.items() if k != "value"} == \
            {k: v for k, v in after.items() if k != "value"}, name
        assert _date(2024, name) == _date(2023, name).replace(year=_date(2023, name).year + 1), name


def test_worksheets_are_the_same_apart_from_wording():
    assert _changed("worksheets") == {"estimated_tax", "return_due_date"}
    # these differ only in their default taxable year end, December 31 of their own year
    for name in ("estimated_tax.yaml", "return_due_date.yaml"):
        old, new = _documents(2023, "worksheets")[name], _documents(2024, "worksheets")[name]
        assert (old["inputs"]["tax_year_end"]["default"], new["inputs"]["tax_year_end"]["default"]) == \
            ("2023-12-31", "2024-12-31")
        old["inputs"]["tax_year_end"]["default"] = new["inputs"]["tax_year_end"]["default"]
        assert old == new, name


def _columns(year: int, table: str):
    return engine.load(year).tables[table].columns


def test_table_b_only_the_two_lowest_rates_change():
    for status in _columns(2023, "table_b"):
        before, after = _columns(2023, "table_b")[status].brackets, _columns(2024, "table_b")[status].brackets
        assert [(b.lo, b.hi, b.excess_over) for b in before] == [(b.lo, b.hi, b.excess_over) for b in after]
        assert [b.rate for b in before][:2] == [D("0.03"), D("0.05")]
        assert [b.rate for b in after][:2] == [D("0.02"), D("0.045")]
        assert [b.rate for b in before][2:] == [b.rate for b in after][2:]


def test_table_c_same_thresholds_and_steps_larger_add_back():
    for status in _columns(2023, "table_c"):
        (c23,) = _columns(2023, "table_c")[status].formula.components
        (c24,) = _columns(2024, "table_c")[status].formula.components
        assert (c23.for_each, c23.over) == (c24.for_each, c24.over)
        assert c24.amount > c23.amount and c24.up_to > c23.up_to


def test_table_d_2024_is_2023_plus_the_new_recapture():
    starts = {"single": 105000, "married_filing_separately": 105000, "head_of_household": 168000,
              "married_filing_jointly": 210000, "qualifying_surviving_spouse": 210000}
    for status, start in starts.items():
        before = _columns(2023, "table_d")[status].formula.components
        after = _columns(2024, "table_d")[status].formula.components
        assert after[1:] == before
        assert after[0].over == start


def test_pension_phase_out_and_ira_share():
    assert engine.load(2023).tables["ira_distribution_share"].scalar[None] == D("0.25")
    assert engine.load(2024).tables["ira_distribution_share"].scalar[None] == D("0.50")
    assert len(_columns(2023, "pension_annuity_share")["single"].rows) == 2
    assert len(_columns(2024, "pension_annuity_share")["single"].rows) == 10
