"""engine.batch.evaluate._Output: each chunk's values land in their own slice of one buffer per output."""
from decimal import Decimal

import numpy as np

from engine.batch.evaluate import _Output
from engine.lang.fixed import Bool, Cat, Num


def test_decimal_output_filled_chunk_by_chunk_with_nulls_and_scalar_overrides():
    output = _Output(5)
    # chunk 1: rows 0-1 in cents (-$1.50 and $0.02); the scalar path's $12.34 replaces row 1
    output.put(slice(0, 2), Num(np.array([-150, 2]), 2, 150), None, {1: Decimal("12.34")})
    # chunk 2: rows 2-4; row 3 is bad (null); one value for every row of the chunk
    output.put(slice(2, 5), Num(np.int64(-1), 2, 1), np.array([True, False, True]))
    assert output.array().to_pylist() == [Decimal("-1.50"), Decimal("12.34"), Decimal("-0.01"), None,
                                          Decimal("-0.01")]


def test_whole_amount_boolean_and_choice_outputs():
    whole, flag, choice = _Output(3), _Output(3), _Output(3)
    whole.put(slice(0, 1), Num(np.array([-7]), 0, 7))
    whole.put(slice(1, 3), Num(np.array([8, 9]), 0, 9), np.array([False, True]))
    flag.put(slice(0, 3), Bool(np.array([True, False, True])), None, {2: False})
    choice.put(slice(0, 3), Cat(np.array([1, -1, 0]), ("a", "b")), np.array([True, False, True]))
    assert whole.array().to_pylist() == [-7, None, 9]
    assert flag.array().to_pylist() == [True, False, False]
    assert choice.array().to_pylist() == ["b", None, "a"]


def test_empty_output_keeps_its_type():
    output = _Output(0)
    output.put(slice(0, 0), Num(np.zeros(0, dtype=np.int64), 2, 0))
    array = output.array()
    assert len(array) == 0 and str(array.type) == "decimal128(38, 2)"
