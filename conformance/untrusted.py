"""Text that comes from an adapter, made bounded and valid before the suite keeps it.

Every string an adapter supplies (its version, implementation name and notes, an error message,
its standard error, a value shown in a detail) is hostile: it may hold lone surrogates, which no
UTF-8 file can store; it may be megabytes long and then copied into thousands of results; it may
hold terminal escape sequences. :func:`clean` is applied where such text enters the suite, so
every later stage holds valid, bounded text; each output then escapes it for its own syntax
(:func:`terminal` here, the writers for Markdown, HTML and XML). docs/adapter-protocol.md
("Limits") lists the bounds.
"""

from __future__ import annotations

import re

__all__ = [
    "ERROR_MESSAGE",
    "IMPLEMENTATION",
    "NOTE",
    "NOTES",
    "STDERR_LINE",
    "STDERR_LINES",
    "VERSION",
    "clean",
    "terminal",
]

#: Characters kept of an adapter's ``version`` and ``implementation``.
VERSION = 200
IMPLEMENTATION = 200
#: Characters kept of each note, and the number of notes kept.
NOTE = 2000
NOTES = 64
#: Characters kept of one error message (a refusal's or an internal failure's).
ERROR_MESSAGE = 4000
#: The standard-error tail attached to a fault: this many lines, each cut to this many characters.
STDERR_LINES = 15
STDERR_LINE = 500

_SURROGATE = re.compile("[\ud800-\udfff]")


def clean(value: object, limit: int) -> str:
    """``value`` as text with lone surrogates replaced by U+FFFD and at most ``limit``
    characters, the cut said at the end. Never raises: an in-process adapter may hand over an
    object whose ``__str__`` does."""
    if isinstance(value, str):
        text = value
    else:
        try:
            text = str(value)
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # adapter code: nothing it raises may escape
            text = f"<unprintable {type(value).__name__}: {type(exc).__name__}>"
        if not isinstance(text, str):  # a str subclass whose __str__ lies
            text = "<unprintable>"
    if len(text) > limit:
        text = text[:limit] + f"… [{len(text) - limit} more characters]"
    return _SURROGATE.sub("\ufffd", text)


# C0 controls but newline and tab, DEL, C1 controls (CSI and OSC have 8-bit forms), and the
# bidirectional overrides and isolates that reorder what a reader sees (CVE-2021-42574).
_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]"
)


def _shown(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal(text: str) -> str:
    """``text`` with every control character that a terminal would act on shown as an escape
    (``\\x1b``, ``\\u202e``), so it cannot move the cursor, recolour or retitle anything."""
    return _UNSAFE.sub(_shown, text)
