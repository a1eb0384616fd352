"""Text printed to a terminal carries no control characters: each is shown as a visible escape.

Input names, CSV headers, YAML keys, file names and labels can hold escape sequences
(``\\x1b]0;TITLE\\x07`` retitles a terminal, others move the cursor or rewrite lines). Every
message ctax prints goes through ``terminal_text``, which writes each C0/C1 control character,
DEL (a tab excepted) and each Unicode bidirectional override as ``\\xNN`` or ``\\uNNNN``; newlines are kept only
where the caller asks (multi-line messages such as the list of rule-file problems).
"""
from __future__ import annotations

import re

# C0 controls, DEL, C1 controls, and the bidirectional overrides and isolates (which reorder text)
# (a tab is harmless and stays)
_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_CONTROL_BUT_NEWLINE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match) -> str:
    code = ord(match.group(0))
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal_text(text: object, keep_newlines: bool = False) -> str:
    """``text`` with every control character written as a visible escape (``\\x1b``, ``\\u202e``)."""
    pattern = _CONTROL_BUT_NEWLINE if keep_newlines else _CONTROL
    return pattern.sub(_escape, str(text))
