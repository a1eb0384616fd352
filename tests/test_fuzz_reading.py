"""Issue 11: a quick fuzz of what ctax reads; only the package's own errors may come out.

Mutations of the shipped rule files and case files, and random amount text (tests/fuzz_rules.py
holds the mutations and runs them for longer on demand). Bounded to finish in well under 30 s.
"""
from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parent))

import fuzz_rules

from engine import CtaxError
from engine.errors import InvalidAmountError
from engine.model.inputs import to_decimal


def _fuzz(examples: int) -> settings:
    return settings(max_examples=examples, deadline=None, suppress_health_check=[HealthCheck.too_slow],
                    derandomize=True)


@_fuzz(20)
@given(st.integers(min_value=0, max_value=2**32))
def test_mutated_rule_files_give_only_the_packages_errors(seed):
    import random

    fuzz_rules.rule_case(random.Random(seed))  # raises anything but CtaxError on a finding


@_fuzz(10)
@given(st.integers(min_value=0, max_value=2**32))
def test_mutated_case_files_give_only_the_packages_errors(seed):
    import random

    fuzz_rules.case_file_case(random.Random(seed))


@_fuzz(300)
@given(st.one_of(st.text(alphabet="0123456789,.$-+eE _", max_size=30), st.text(max_size=30),
                 st.sampled_from(fuzz_rules.HOSTILE)))
def test_amount_text_is_a_decimal_or_invalid_amount_error(text):
    try:
        value = to_decimal("ct_agi", text)
    except InvalidAmountError as error:
        assert error.field == "ct_agi"
    else:
        assert isinstance(value, Decimal) and value.is_finite()
        # what is accepted is what was written: digits and the point, never a comma moved or dropped
        written = text.strip().replace("$", "").replace(",", "")
        assert value == Decimal(written)


def test_the_harness_loads_and_evaluates_an_unmutated_year(monkeypatch):
    # control: without mutations every year loads and its worksheets run, so a mutation that the
    # engine takes in its stride is evaluated, not silently skipped
    import random

    monkeypatch.setattr(fuzz_rules, "mutate", lambda data, rng: data)
    assert {fuzz_rules.rule_case(random.Random(seed)).split(": ")[1] for seed in range(3)} == {"loaded"}


def test_only_ctax_errors_are_expected():
    assert issubclass(InvalidAmountError, CtaxError)
