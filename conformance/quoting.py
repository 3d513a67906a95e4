"""Quoting what an input file holds inside a one-line error message.

A malformed file's keys and values end up in the message that names it, and a broken or hostile
file can put anything there: a newline (the message would read as two lines), a terminal escape
sequence, a lone surrogate, a megabyte-long string, a list nested so deep that its ``repr`` alone
raises RecursionError. :func:`one_line` and :func:`shown` bound and escape such text, so the
message stays one short line whatever the file held.
"""

from __future__ import annotations

import re
import reprlib
from collections.abc import Iterable

__all__ = ["file_name", "names", "one_line", "shown"]

#: Characters kept of one quoted piece of text (a key, a value's repr).
LIMIT = 120
#: Characters kept of a file's name: in full, as a name cut short names no file (Linux's
#: PATH_MAX is 4096).
PATH_LIMIT = 4096

# Every C0 and C1 control (newline and tab included: the message must stay one line), DEL, the
# bidirectional overrides that reorder what a reader sees, the Unicode line separators, and
# lone surrogates, which no UTF-8 terminal or file can take.
_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff]"
)

_REPR = reprlib.Repr()
_REPR.maxlevel = 2
_REPR.maxstring = 60
_REPR.maxother = 60
_REPR.maxlong = 40
_REPR.maxlist = _REPR.maxtuple = _REPR.maxdict = _REPR.maxset = 4


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def one_line(text: str, limit: int = LIMIT) -> str:
    """``text`` cut to ``limit`` characters, with every character that would break the line or
    act on a terminal shown as an escape (``\\n``, ``\\x1b``, ``\\ud800``)."""
    if len(text) > limit:
        text = text[:limit] + "…"
    return _UNSAFE.sub(_escape, text)


def file_name(path: object) -> str:
    """The name of a file for a message: whole, escaped like :func:`one_line` (a file name may
    hold a newline too)."""
    return one_line(str(path), PATH_LIMIT)


def shown(value: object) -> str:
    """A short, one-line ``repr`` of a value read from a file: strings quoted, containers shown
    two levels deep and a few items long, so neither size nor nesting reaches the message."""
    try:
        text = _REPR.repr(value)
    except ValueError:
        # repr of an int past sys.get_int_max_str_digits() raises rather than print it.
        return f"<an integer of {int.bit_length(value) if isinstance(value, int) else '?'} bits>"
    return one_line(text)


def names(keys: Iterable[object]) -> str:
    """Keys as a sorted, comma-separated list for a message (unknown or missing fields), each
    quoted like :func:`one_line`; more than ten are counted rather than listed."""
    listed = sorted(one_line(str(k), 60) for k in keys)
    if len(listed) > 10:
        return ", ".join(listed[:10]) + f" and {len(listed) - 10} more"
    return ", ".join(listed)
