"""Arrow arrays to and from numpy through their buffers, so that the batch path never imports pandas.

pyarrow's own bridges (``pa.array``, ``pa.scalar``, ``Array.to_numpy``, ``pc.fill_null`` with a
Python value) ask pandas whether the value is one of its types, and so import it (about 0.3 s and
tens of MB) even for a plain numpy array. The buffers are what those bridges read anyway.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa

_TYPES = {np.dtype(np.int64): pa.int64(), np.dtype(np.float64): pa.float64(), np.dtype(np.uint8): pa.uint8(),
          np.dtype(np.int32): pa.int32()}

_NUMPY = {pa.from_numpy_dtype(t): np.dtype(t) for t in (np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16,
                                                         np.uint32, np.uint64, np.float16, np.float32, np.float64)}


def _bitmap(flags: np.ndarray) -> Any:
    return pa.py_buffer(np.packbits(flags.astype(bool, copy=False), bitorder="little"))


def from_numpy(values: np.ndarray, valid: np.ndarray | None = None) -> Any:
    """An Arrow array of a 1-D numpy array of int64, int32, uint8, float64 or bool; null where not ``valid``."""
    values = np.ascontiguousarray(values)
    n = len(values)
    validity, nulls = None, 0
    if valid is not None and not valid.all():
        validity, nulls = _bitmap(valid), int(n - np.count_nonzero(valid))
    if values.dtype == bool:
        return pa.Array.from_buffers(pa.bool_(), n, [validity, _bitmap(values)], null_count=nulls)
    return pa.Array.from_buffers(_TYPES[values.dtype], n, [validity, pa.py_buffer(values)], null_count=nulls)


def to_numpy(array: Any) -> np.ndarray:
    """The values of a fixed-width or boolean Arrow array as numpy (whatever a null slot holds: mask it)."""
    if isinstance(array, pa.ChunkedArray):
        array = pa.concat_arrays(array.chunks) if array.num_chunks != 1 else array.chunk(0)
    n, offset = len(array), array.offset
    data = array.buffers()[1]
    if pa.types.is_boolean(array.type):
        if data is None or n == 0:
            return np.zeros(n, dtype=bool)
        bits = np.unpackbits(np.frombuffer(data, dtype=np.uint8), bitorder="little")
        return bits[offset:offset + n].astype(bool)
    dtype = _NUMPY[array.type]
    if data is None or n == 0:
        return np.zeros(n, dtype=dtype)
    return np.frombuffer(data, dtype=dtype, count=n, offset=offset * dtype.itemsize)


def strings(texts: list[str] | tuple[str, ...], valid: np.ndarray | None = None) -> Any:
    """An Arrow string array of Python strings (null where not ``valid``)."""
    encoded = [t.encode("utf-8") for t in texts]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int32)
    np.cumsum([len(b) for b in encoded], out=offsets[1:])
    validity, nulls = None, 0
    if valid is not None and not valid.all():
        validity, nulls = _bitmap(valid), int(len(valid) - np.count_nonzero(valid))
    return pa.Array.from_buffers(pa.string(), len(encoded), [validity, pa.py_buffer(offsets),
                                                              pa.py_buffer(b"".join(encoded))], null_count=nulls)


def text_scalar(text: str, kind: Any = None) -> Any:
    """One Arrow string scalar (of ``kind``, string or large_string)."""
    array = strings([text])
    return (array if kind is None or kind == array.type else array.cast(kind))[0]


def objects_to_strings(values: np.ndarray) -> Any:
    """An Arrow string array of a numpy array of str or None."""
    valid = np.fromiter((v is not None for v in values), dtype=bool, count=len(values))
    return strings(["" if v is None else v for v in values], valid)
