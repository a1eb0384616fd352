"""values_where(): the general helper that gives a worksheet a list output (every reason that applies)."""
from __future__ import annotations

from decimal import Decimal

import pytest

from engine.errors import EvaluationError
from engine.lang.expressions import Scope
from engine.lang.registry import FUNCTIONS
from engine.run.scalar import compile_expression

values_where = FUNCTIONS["values_where"].exact


def test_keeps_the_values_whose_condition_is_true_in_order():
    assert values_where(True, "a", False, "b", True, "c") == ["a", "c"]


def test_nothing_true_gives_an_empty_list():
    assert values_where(False, "a", False, "b") == []


def test_an_odd_number_of_arguments_is_an_evaluation_error():
    with pytest.raises(EvaluationError, match="pairs of condition and value"):
        values_where(True, "a", False)


def test_registered_for_expressions_and_usable_with_inputs():
    assert "values_where" in FUNCTIONS
    compiled = compile_expression("values_where(x > 5, 'big', x < 0, 'negative', x == 7, 'seven')",
                                  Scope(values={"x"}, tables={}))
    assert compiled.run({"x": Decimal(7)}, None) == ["big", "seven"]
    assert compiled.run({"x": Decimal(-1)}, None) == ["negative"]
