"""Text that comes from an adapter, made bounded and valid before the suite keeps it.

Every string an adapter supplies (its version, implementation name and notes, an error message,
its standard error, a value shown in a detail) is hostile: it may hold lone surrogates, which no
UTF-8 file can store; it may be megabytes long and then copied into thousands of results; it may
hold terminal escape sequences. :func:`clean` is applied where such text enters the suite, so
every later stage holds valid, bounded text. No output relies on that alone (an in-process
adapter hands over Python strings directly): each one shows control characters with
:func:`visible` (:func:`terminal` for the terminal) and escapes the rest for its own syntax in
its writer, and JSON passes through :func:`json_safe`. docs/adapter-protocol.md ("Limits on what
an adapter sends") lists the bounds and the escaping of each output.
"""

from __future__ import annotations

import re

__all__ = [
    "DETAIL",
    "ERROR_MESSAGE",
    "IMPLEMENTATION",
    "NOTE",
    "NOTES",
    "START_ERROR",
    "STDERR_LINE",
    "STDERR_LINES",
    "VERSION",
    "clean",
    "json_safe",
    "storable",
    "terminal",
    "visible",
]

#: Characters kept of an adapter's ``version`` and ``implementation``.
VERSION = 200
IMPLEMENTATION = 200
#: Characters kept of each note, and the number of notes kept.
NOTE = 2000
NOTES = 64
#: Characters kept of one error message (a refusal's or an internal failure's).
ERROR_MESSAGE = 4000
#: Characters kept of the reason an adapter could not start (its traceback or stderr tail). It is
#: stored once, in the report's adapters section, never copied into each result.
START_ERROR = 8000
#: Characters kept of one result's detail, whatever put them there: room for an error message and
#: a full standard-error tail, and a bound even if a writer upstream forgot one.
DETAIL = 16_000
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
    return storable(text)


# C0 controls but newline and tab, DEL, C1 controls (CSI and OSC have 8-bit forms), the
# bidirectional marks, overrides and isolates that reorder what a reader sees (CVE-2021-42574),
# the line and paragraph separators, lone surrogates (no UTF-8 output can encode them) and the
# two noncharacters XML 1.0 forbids. One set serves every output: what a terminal would act on is
# also what XML cannot carry or a browser would reorder.
_UNSAFE_CLASS = (
    "\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
    "\ud800-\udfff\ufffe\uffff"
)
_UNSAFE = re.compile(f"[{_UNSAFE_CLASS}]")
# The same, and newline and tab too: for a field shown on one line, where a newline could start
# a line that looks like the suite's own ("verdict: PASS").
_UNSAFE_ONE_LINE = re.compile(f"[\t\n{_UNSAFE_CLASS}]")


def _shown(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str, *, one_line: bool = False) -> str:
    """``text`` with every character that a terminal, a browser or an XML parser would act on,
    refuse or reorder shown as an escape (``\\x1b``, ``\\u202e``, ``\\ud800``), so that what
    a reader sees is what the adapter sent. Newline and tab are kept unless ``one_line``.

    A backslash is not doubled, so an adapter can spell ``\\x1b`` itself; that only makes it
    look like an escape, it can never act as one, and doubling would garble every Windows path
    in a traceback."""
    return (_UNSAFE_ONE_LINE if one_line else _UNSAFE).sub(_shown, text)


def terminal(text: str, *, one_line: bool = False) -> str:
    """``text`` made safe to print: it cannot move the cursor, recolour, retitle or reorder
    anything, nor make the write fail (:func:`visible`). The terminal outputs (summary,
    progress, ``adapters``, ``repro``) call this through the module, so a test can break it."""
    return visible(text, one_line=one_line)


# What json.dumps(ensure_ascii=False) leaves raw but a terminal or browser acts on: the unsafe
# set above minus C0 (JSON escapes those itself) and surrogates (replaced, see storable).
_JSON_RAW = re.compile(
    "[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufffe\uffff]"
)


def _json_escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def json_safe(text: str) -> str:
    """JSON text (as ``json.dumps(..., ensure_ascii=False)`` writes it) made valid UTF-8 and
    inert: lone surrogates become U+FFFD, and the control and bidi characters JSON leaves raw
    are written as ``\\u`` escapes, which parse back to the very same string. So ``cat
    report.json`` or ``tail results.jsonl`` cannot act on a terminal either. Such characters can
    only stand inside JSON strings, so one pass over the whole text is exact."""
    if text.isascii() and "\x7f" not in text:
        # The common case, checked in C: the JSON encoder already escaped every other ASCII
        # control character, and there is nothing non-ASCII to look at.
        return text
    return _JSON_RAW.sub(_json_escape, storable(text))


def storable(text: str) -> str:
    """``text`` with lone surrogates replaced by U+FFFD, so it can be written as UTF-8. For data
    (JSON) rather than display: a JSON reader gets a valid string, not an escape sequence."""
    return _SURROGATE.sub("\ufffd", text)
