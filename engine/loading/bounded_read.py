"""Reading an open file without ever holding more than a bound: the one read loop behind every file ctax
reads (rule files, case and input files, cache entries), so a huge or growing file costs at most the
bound plus one byte."""
from __future__ import annotations

import os


def read_at_most(descriptor: int, limit: int) -> bytes:
    """Up to ``limit + 1`` bytes from ``descriptor``: a result longer than ``limit`` means the file is too large."""
    chunks, remaining = [], limit + 1
    while remaining > 0:
        chunk = os.read(descriptor, min(remaining, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)
