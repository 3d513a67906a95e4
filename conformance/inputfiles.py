"""Reading the files a user hands the suite: bounded, strictly decoded, shallow.

Vector files (and a vector root's schemas and ``MANIFEST.json``), Wycheproof files, adapter
manifests, expectations files and saved reports all come from outside the suite. Reading and
parsing one can fail in more ways than ``json`` and ``tomllib`` advertise: RecursionError on a
document nested 100,000 deep, ValueError past Python's integer digit limit, UnicodeDecodeError,
OSError (a directory, a symlink loop, no permission), a memory blow-up on a huge file or on a
TOML key of 100,000 dotted parts (tomllib's cost grows with the square of its length). Every
one of them is turned here into :class:`Unreadable`, whose one-line ``problem`` each file kind's
loader wraps in its own error naming the file. So a malformed input file gives exit status 2 and
one line, while an exception from anywhere else still shows as the bug it is.

What is refused, beyond syntax (docs/formats.md, "Malformed files"): a file larger than its
kind's :data:`MAX_BYTES` (before it is read), text that is not UTF-8 (a leading byte order mark
is ignored), nesting deeper than :data:`MAX_DEPTH`, and in JSON a duplicate key, ``NaN`` or
``Infinity``, a number too large for a double, and a string holding a lone surrogate (no UTF-8
report could store it).
"""

from __future__ import annotations

import json
import math
import os
import re
import stat
import tomllib
from pathlib import Path
from typing import Any, Literal

from .quoting import one_line, shown

__all__ = [
    "MAX_BYTES",
    "MAX_DEPTH",
    "Kind",
    "Unreadable",
    "load_json",
    "load_toml",
    "parse_json",
    "parse_toml",
    "read_bytes",
]

Kind = Literal[
    "vector file",
    "vector schema",
    "vector manifest",
    "adapter manifest",
    "expectations file",
    "report",
]

_MiB = 1024 * 1024

#: The largest file of each kind the suite reads, in bytes; a larger one is refused before it is
#: read. Each is far above what the suite writes or bundles: its largest vector file is 0.3 MiB
#: (Wycheproof's largest testvectors_v1 file 2.5 MiB), schema 10 KiB, MANIFEST.json 40 KiB,
#: adapter.toml 6 KiB, an expectations entry some 300 bytes, and a full run's report.json
#: 18 MiB. Looked up when a file is read, so a test can lower one. docs/formats.md lists them.
MAX_BYTES: dict[Kind, int] = {
    "vector file": 64 * _MiB,
    "vector schema": 4 * _MiB,
    "vector manifest": 16 * _MiB,
    "adapter manifest": 1 * _MiB,
    "expectations file": 16 * _MiB,
    "report": 256 * _MiB,
}

#: The deepest nesting of arrays and objects (tables, and parts of a dotted TOML key) accepted.
#: The suite's own files are at most 7 deep; 64 keeps every later recursive step (repr, JSON
#: Schema validation, json.dumps) far from Python's recursion limit.
MAX_DEPTH = 64


class Unreadable(Exception):
    """A file that cannot be read or parsed; ``problem`` says why in one line, without the
    file's name, which the loader of each kind adds in its own words."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


def _size(n: int) -> str:
    return f"{n // _MiB} MiB" if n >= _MiB and n % _MiB == 0 else f"{n:,} bytes"


def read_bytes(path: Path, kind: Kind) -> bytes:
    """The bytes of ``path``, at most ``MAX_BYTES[kind]`` of them. A regular file over the cap is
    refused from its size alone; anything else (a pipe, a device) is read one byte past the cap
    so that an endless one is refused too."""
    limit = MAX_BYTES[kind]
    too_big = f"larger than the limit of {_size(limit)} for {kind}s"
    try:
        with open(path, "rb") as fh:
            info = os.fstat(fh.fileno())
            if stat.S_ISREG(info.st_mode) and info.st_size > limit:
                raise Unreadable(f"{_size(info.st_size)}, {too_big}")
            data = fh.read(limit + 1)
    except OSError as exc:
        raise Unreadable(f"cannot read: {one_line(exc.strerror or str(exc))}") from None
    if len(data) > limit:
        raise Unreadable(too_big)
    return data


def _text(raw: bytes) -> str:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Unreadable(f"not UTF-8 text: {exc.reason} at byte {exc.start}") from None
    # RFC 8259 §8.1 lets a parser ignore a byte order mark; editors on Windows still write one.
    return text.removeprefix("\ufeff")


def _check_depth(doc: Any) -> None:
    """Walk without recursion, so the check itself cannot overflow."""
    stack: list[tuple[Any, int]] = [(doc, 1)]
    while stack:
        value, depth = stack.pop()
        if not isinstance(value, dict | list):
            continue
        if depth > MAX_DEPTH:
            raise Unreadable(f"nested deeper than {MAX_DEPTH} levels")
        children = value.values() if isinstance(value, dict) else value
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))


# --- JSON --------------------------------------------------------------------------------------


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise Unreadable(f"duplicate key {shown(key)} in an object")
            seen.add(key)
    return obj


def _no_constant(name: str) -> Any:
    raise Unreadable(f"{name} is not a JSON number")


def _finite(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise Unreadable(f"the number {one_line(text, 40)} is too large for a double")
    return value


# A lone surrogate can only come from a \uD800-\uDFFF escape (the text was decoded strictly);
# only when one is present is the parsed document checked for a surrogate left unpaired.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def parse_json(raw: bytes) -> Any:
    """The JSON document in ``raw``; every way it can be malformed raises :class:`Unreadable`."""
    text = _text(raw)
    try:
        doc = json.loads(
            text,
            object_pairs_hook=_unique_keys,
            parse_constant=_no_constant,
            parse_float=_finite,
        )
    except json.JSONDecodeError as exc:
        raise Unreadable(
            f"invalid JSON at line {exc.lineno} column {exc.colno}: {one_line(exc.msg)}"
        ) from None
    except RecursionError:
        raise Unreadable(f"nested deeper than {MAX_DEPTH} levels") from None
    except ValueError as exc:
        # int() past sys.get_int_max_str_digits() (4300 digits by default).
        raise Unreadable(f"invalid JSON: {one_line(str(exc))}") from None
    _check_depth(doc)
    if _SURROGATE_ESCAPE.search(text):
        try:
            json.dumps(doc, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError as exc:
            bad = exc.object[exc.start : exc.end]
            raise Unreadable(
                f"a string holds the lone surrogate {shown(bad)}, which is not Unicode text"
            ) from None
    return doc


def load_json(path: Path, kind: Kind) -> tuple[Any, bytes]:
    """The parsed JSON document of ``path`` and the bytes it was parsed from."""
    raw = read_bytes(path, kind)
    return parse_json(raw), raw


# --- TOML --------------------------------------------------------------------------------------

# A key part: bare, "basic" or 'literal'. The look-behind starts a chain only at the start of a
# word (and the possessive ++ keeps a long word from being rescanned), so the search stays
# linear in the length of the text.
_PART = r"""(?:[A-Za-z0-9_-]++|"(?:[^"\\\n]|\\.)*"|'[^'\n]*')"""
_LONG_KEY = re.compile(rf"(?<![A-Za-z0-9_.-]){_PART}(?:[ \t]*\.[ \t]*{_PART}){{{MAX_DEPTH},}}")


def parse_toml(raw: bytes) -> dict[str, Any]:
    """The TOML document in ``raw``; every way it can be malformed raises :class:`Unreadable`."""
    text = _text(raw)
    # Searched in the whole text, strings included: a string of more than MAX_DEPTH dotted
    # words is refused with it, a price paid for never handing tomllib such a key.
    if _LONG_KEY.search(text):
        raise Unreadable(f"a dotted key of more than {MAX_DEPTH} parts (nested too deep)")
    try:
        doc = tomllib.loads(text)
    except RecursionError:
        raise Unreadable(f"nested deeper than {MAX_DEPTH} levels") from None
    except ValueError as exc:
        # TOMLDecodeError, or int() past the integer digit limit.
        raise Unreadable(f"not valid TOML: {one_line(str(exc))}") from None
    _check_depth(doc)
    return doc


def load_toml(path: Path, kind: Kind) -> tuple[dict[str, Any], bytes]:
    """The parsed TOML document of ``path`` and the bytes it was parsed from."""
    raw = read_bytes(path, kind)
    return parse_toml(raw), raw
