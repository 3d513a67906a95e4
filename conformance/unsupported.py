"""Unsupported checks, summarised: one entry per adapter, capability and vector file (or pair or
property check) instead of one record per case.

Most of a full run is checks an adapter cannot run (17,000 of 24,000 in the bundled run): one
record each made report.json 18 MB and junit.xml 9 MB, every record saying the same thing. An
entry keeps what those records said: how many there were, the adapter's reason, and which
cases (their tcIds, as ranges), so nothing is lost and every count still adds up.

An entry:
``{"adapters", "family", "capability", "file", "check", "count", "tcIds", "detail"}``
where ``check`` is ``kat/<family>/<stem>/*`` for a vector file (``file`` names it, ``tcIds``
its cases as ranges: with the file, whose digest the report records, they give every case) or
the pair or property check id (``file`` is None).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

__all__ = ["cases", "merge_entries", "normalised", "split"]


def _key(r: Mapping[str, Any]) -> tuple[Any, ...]:
    v = r.get("vector") or {}
    source = f"{v['file']}" if v.get("file") else r["check"]
    return (tuple(r["adapters"]), r["family"], r["capability"], source, r.get("detail") or "")


def _ranges(numbers: Iterable[int]) -> list[list[int]]:
    out: list[list[int]] = []
    for n in sorted(set(numbers)):
        if out and n == out[-1][1] + 1:
            out[-1][1] = n
        else:
            out.append([n, n])
    return out


def _glob(r: Mapping[str, Any]) -> str:
    if not r.get("vector"):
        return str(r["check"])
    return str(r["check"]).rsplit("/", 1)[0] + "/*"


def split(results: Iterable[Mapping[str, Any]]) -> tuple[list[Any], list[dict[str, Any]]]:
    """``results`` without their ``unsupported`` records, and those records as entries (in
    the order their first record came)."""
    kept: list[Any] = []
    grouped: dict[tuple[Any, ...], list[Mapping[str, Any]]] = {}
    for r in results:
        if r["outcome"] == "unsupported":
            grouped.setdefault(_key(r), []).append(r)
        else:
            kept.append(r)
    return kept, [_entry(rs) for rs in grouped.values()]


def _entry(records: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    first = records[0]
    v = first.get("vector") or {}
    entry: dict[str, Any] = {
        "adapters": list(first["adapters"]),
        "family": first["family"],
        "capability": first["capability"],
        "file": v.get("file"),
        "check": _glob(first),
        "count": len(records),
        "detail": first.get("detail") or "",
    }
    if v:
        entry["tcIds"] = _ranges(r["vector"]["tcId"] for r in records)
    return entry


def normalised(report: Mapping[str, Any]) -> tuple[list[Any], list[dict[str, Any]]]:
    """A report's results without unsupported records, and its entries, whichever way the
    report was written."""
    results, entries = split(report["results"])
    if not entries:
        return results, list(report.get("unsupported", ()))
    return results, merge_entries([report.get("unsupported", ()), entries])


def cases(entry: Mapping[str, Any]) -> list[str]:
    """A key for every check an entry stands for: ``file#tcId`` for a vector file's cases,
    the check id for a pair or property."""
    if not entry.get("file"):
        return [str(entry["check"])]
    return [f"{entry['file']}#{n}" for a, b in entry.get("tcIds", ()) for n in range(a, b + 1)]


def merge_entries(lists: Iterable[Sequence[Mapping[str, Any]]]) -> list[dict[str, Any]]:
    """The entries of several slices of one run as one list: entries for the same adapter,
    file or check and reason are joined, their counts added and their cases united."""
    joined: dict[tuple[Any, ...], dict[str, Any]] = {}
    for entries in lists:
        for e in entries:
            key = (
                tuple(e["adapters"]),
                e["family"],
                e["capability"],
                e.get("file") or e["check"],
                e.get("detail", ""),
            )
            have = joined.get(key)
            if have is None:
                joined[key] = dict(e) | {"adapters": list(e["adapters"])}
                continue
            have["count"] += e["count"]
            if "tcIds" in e:
                spans = [*have.get("tcIds", ()), *e.get("tcIds", ())]
                have["tcIds"] = _ranges(n for a, b in spans for n in range(a, b + 1))
    return list(joined.values())
