"""Table kinds and boundary conventions, on small tables written here."""
from decimal import Decimal

import pytest

from engine.loading import schema
from engine.loading.tables import build_table
from engine.loading.yaml_reader import load_text

SOURCE = "source: {document: Test, section: Test table, page: 1}\n"


def table(text: str):
    doc, problems = load_text(text, "t.yaml")
    assert not problems, problems
    assert not schema.validate(doc, "table"), schema.validate(doc, "table")
    built, problems = build_table(doc)
    return built, problems


def test_at_least_less_than_boundaries():
    built, problems = table("""table: share
title: Share subtracted
kind: range
lookup: Federal AGI
""" + SOURCE + """at_or_below_floor: 1
rows:
  - {at_least: 0, less_than: 75000, value: 1}
  - {at_least: 75000, less_than: 77500, value: 0.85}
  - {at_least: 77500, and_up: true, value: 0}
""")
    assert not problems

    def look(x):
        return built.lookup(None, Decimal(x))[0]

    # "at least $75,000 but less than $77,500": 75,000 is in the second row, 77,500 in the third.
    assert [look(x) for x in ("74999.99", "75000", "77499.99", "77500", "-1")] == \
        [1, Decimal("0.85"), Decimal("0.85"), 0, 1]
    assert built.lookup(None, Decimal(75000))[1].description == "at least $75,000, less than $77,500"


def test_mixed_conventions_are_refused():
    _, problems = table("""table: t
title: T
kind: range
lookup: X
""" + SOURCE + """at_or_below_floor: 0
rows:
  - {more_than: 0, less_than_or_equal_to: 10, value: 1}
  - {at_least: 10, and_up: true, value: 2}
""")
    assert any("one boundary convention" in p.message for p in problems)


@pytest.mark.parametrize("fraction, amount, expected", [
    (True, "56500", 0), (True, "56500.01", 20), (True, "61500", 20), (True, "61501", 40), (True, "1000000", 200),
    (False, "61499", 0), (False, "61500", 20), (False, "66499", 20),
])
def test_stepped_formula_or_fraction_thereof(fraction, amount, expected):
    built, problems = table("""table: add_back
title: Add-back
kind: stepped
lookup: Connecticut AGI
""" + SOURCE + f"""formula:
  components:
    - {{amount: 20, for_each: 5000, or_fraction_thereof: {str(fraction).lower()}, over: 56500, up_to: 200}}
""")
    assert not problems
    assert built.lookup(None, Decimal(amount))[0] == expected


def test_stepped_formula_sum_and_subtract():
    built, _ = table("""table: exemption
title: Exemption
kind: stepped
lookup: Connecticut AGI
""" + SOURCE + """formula:
  start: 15000
  components:
    - {amount: 1000, for_each: 1000, or_fraction_thereof: true, over: 30000, up_to: 15000, effect: subtract}
""")
    assert [built.lookup(None, Decimal(x))[0] for x in (30000, 30001, 31000, 44000, 44001, 90000)] == \
        [15000, 14000, 14000, 1000, 0, 0]


def test_scalar_by_filing_status_needs_all_five():
    doc, _ = load_text("""table: threshold
title: T
kind: scalar
""" + SOURCE + """by_filing_status: {single: 1, married_filing_jointly: 2}
""", "t.yaml")
    assert any("missing" in p.message for p in schema.validate(doc, "table"))


def test_brackets_first_bracket_at_floor():
    built, problems = table("""table: b
title: B
kind: brackets
lookup: Taxable income
""" + SOURCE + """brackets:
  - {more_than: 0, less_than_or_equal_to: 10000, base_tax: 0, rate: 0.03, excess_over: 0}
  - {more_than: 10000, and_up: true, base_tax: 300, rate: 0.05, excess_over: 10000}
""")
    assert not problems
    assert [built.lookup(None, Decimal(x))[0] for x in (0, 10000, 13000)] == [0, 300, 450]
