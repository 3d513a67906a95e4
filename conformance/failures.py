"""Failures as a reader takes them in: grouped by the implementation they count against, then by
vector file (known answers) or check (pair scenarios and properties), with each detail brought
down to one line that shows where an expected and a got value differ.

The terminal summary and report.md list failures through this module, so both group, order and
shorten the same way; index.html shows every detail in full and marks the same difference.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .attribution import charged

__all__ = [
    "Group",
    "Mismatch",
    "Source",
    "brief",
    "cut",
    "group_failures",
    "mismatch",
    "outcome_counts",
]

#: "<what>: expected <hex>, got <hex>" as the checks word a wrong output
#: (conformance.checks.mismatch); a value cut by the check ends with "... (N bytes)".
_MISMATCH = re.compile(
    r"(?P<what>[^\n]*?): expected (?P<expected>[0-9a-f]*)(?:\.\.\. \((?P<elen>\d+) bytes\))?"
    r", got (?P<got>[0-9a-f]*)(?:\.\.\. \((?P<glen>\d+) bytes\))?(?P<rest>[^\n]*)"
)
#: Bytes shown on each side of the first difference in a one-line mismatch.
_BEFORE = 4
_AFTER = 8


@dataclass(frozen=True)
class Mismatch:
    """An expected and a got value (hex) that differ, and where."""

    what: str
    expected: str
    got: str
    #: Set when the check cut a value (only its start is known).
    cut: bool
    rest: str
    #: The values' whole lengths in bytes (more than shown when the check cut them).
    expected_length: int = 0
    got_length: int = 0

    @property
    def first_difference(self) -> int:
        """The index of the first byte that differs (the shorter length when one is a prefix
        of the other)."""
        n = min(len(self.expected), len(self.got)) // 2
        for i in range(n):
            if self.expected[2 * i : 2 * i + 2] != self.got[2 * i : 2 * i + 2]:
                return i
        return n

    def brief(self) -> str:
        """One line: the bytes around the first difference, its offset and both lengths."""
        at = self.first_difference
        lo = max(0, at - _BEFORE)

        def around(value: str) -> str:
            shown = value[2 * lo : 2 * (at + _AFTER)]
            return ("…" if lo else "") + shown + ("…" if len(value) > 2 * (at + _AFTER) else "")

        e = self.expected_length or len(self.expected) // 2
        g = self.got_length or len(self.got) // 2
        sizes = f"{e} bytes" if e == g else f"{e} and {g} bytes"
        cut = ", values cut by the check" if self.cut else ""
        return (
            f"{self.what}: expected {around(self.expected)}, got {around(self.got)} "
            f"(first difference at byte {at}; {sizes}{cut}){self.rest}"
        )


def mismatch(detail: str) -> Mismatch | None:
    """The expected/got pair in the first line of ``detail``, if it holds one."""
    first = detail.split("\n", 1)[0]
    m = _MISMATCH.fullmatch(first)
    if m is None or m["expected"] == m["got"]:
        return None
    return Mismatch(
        m["what"],
        m["expected"],
        m["got"],
        bool(m["elen"] or m["glen"]),
        m["rest"] or "",
        int(m["elen"] or len(m["expected"]) // 2),
        int(m["glen"] or len(m["got"]) // 2),
    )


def cut(text: str, width: int) -> str:
    """``text`` at most ``width`` characters, a cut marked with "…" and how much was left out."""
    if len(text) <= width:
        return text
    keep = width
    for _ in range(3):  # the note's length depends on the count it gives
        note = f"… (+{len(text) - keep} chars)"
        keep = max(0, width - len(note))
    return text[:keep] + f"… (+{len(text) - keep} chars)"


def brief(detail: str | None, width: int) -> str:
    """A result's detail as one line of at most ``width`` characters: an expected/got mismatch
    around its first difference, else the first line, with what was left out counted."""
    if not detail:
        return ""
    lines = detail.strip("\n").splitlines() or [""]
    found = mismatch(detail)
    first = found.brief() if found is not None else lines[0]
    more = f" (+{len(lines) - 1} lines)" if len(lines) > 1 else ""
    return cut(first, width - len(more)) + more


@dataclass(frozen=True)
class Source:
    """The failures of one group from one vector file, or of one pair or property check."""

    label: str
    results: tuple[Mapping[str, Any], ...]


@dataclass(frozen=True)
class Group:
    """The failures that count against one implementation (or, when a pair's party at fault
    is not settled, against the pair)."""

    implementation: str
    sources: tuple[Source, ...]

    @property
    def results(self) -> list[Mapping[str, Any]]:
        return [r for s in self.sources for r in s.results]

    def counts(self) -> dict[str, int]:
        return outcome_counts(self.results)


def outcome_counts(results: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """How many of ``results`` have each outcome, in the order the outcomes first come."""
    out: dict[str, int] = {}
    for r in results:
        out[str(r["outcome"])] = out.get(str(r["outcome"]), 0) + 1
    return out


def _source(r: Mapping[str, Any]) -> str:
    v = r.get("vector")
    if isinstance(v, Mapping) and v.get("file"):
        return str(v["file"])
    return str(r["check"])


def group_failures(results: Iterable[Mapping[str, Any]]) -> list[Group]:
    """``results`` grouped by implementation (most results first, then by name) and, within
    one, by vector file or check in the order they came (the report's order)."""
    by: dict[str, dict[str, list[Mapping[str, Any]]]] = {}
    for r in results:
        who = ", ".join(charged(r) or r["adapters"])
        by.setdefault(who, {}).setdefault(_source(r), []).append(r)
    groups = [
        Group(who, tuple(Source(label, tuple(rs)) for label, rs in sources.items()))
        for who, sources in by.items()
    ]
    return sorted(groups, key=lambda g: (-len(g.results), g.implementation))


def counted(counts: Mapping[str, int], order: Sequence[str] = ("fail", "error")) -> str:
    """``{"fail": 3, "error": 1}`` as "3 fail, 1 error"."""
    known = [k for k in order if counts.get(k)]
    known += sorted(k for k in counts if k not in order and counts[k])
    return ", ".join(f"{counts[k]} {k}" for k in known)
