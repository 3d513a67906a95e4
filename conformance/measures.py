"""The report's tables of what checks measured (issue 20), built from results' ``measured``:

* ``healing``: per family, ordered pair and traffic pattern, the messages a thief holding both
  states read after the theft, and the Double Ratchet's bound
  (:mod:`conformance.properties.healing`);
* ``restarts``: per implementation, the restart checks it passed and failed as a party, the
  ones whose failure charges it (its persisted state did not survive), the families where a
  declared limitation (``[quirks.mls] state``) makes them unsupported, and what that says;
* ``lowOrder``: per family and place (``prop/<family>/low-order-<place>``), what each
  implementation did with the low-order and non-canonical X25519 encodings it was offered;
* ``ed25519Rules``: the Ed25519 rule set each implementation follows
  (:mod:`conformance.ed25519table`).

Every value here is the suite's own (names, counts); adapter text never reaches them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from .ed25519table import ed25519_rule_rows

__all__ = ["measured_tables"]

_BOUND = " bound"


def _pattern_rows(r: Mapping[str, Any]) -> list[dict[str, Any]]:
    m = r.get("measured") or {}
    rows = []
    for key, value in m.items():
        if key.endswith(_BOUND) or f"{key}{_BOUND}" not in m:
            continue
        rows.append(
            {
                "first": r["adapters"][0],
                "second": r["adapters"][1],
                "pattern": key,
                "read": value,
                "bound": m[f"{key}{_BOUND}"],
                "outcome": r["outcome"],
            }
        )
    return rows


def healing(results: Sequence[Mapping[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in results:
        if r["check"].endswith("/post-compromise-security") and len(r["adapters"]) == 2:
            rows = _pattern_rows(r)
            if rows:
                out[r["family"]].extend(rows)
    return dict(sorted(out.items()))


def _is_restart(check: str) -> bool:
    return check.endswith(("/restart", "/crash-restart"))


def restarts(
    results: Sequence[Mapping[str, Any]], unsupported: Sequence[Mapping[str, Any]]
) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}

    def row(adapter: str) -> dict[str, Any]:
        return out.setdefault(
            adapter, {"passed": 0, "failed": 0, "charged": 0, "declared": [], "families": []}
        )

    for r in results:
        if not _is_restart(r["check"]):
            continue
        fault = r.get("fault") or {}
        charged = set(fault.get("adapters", ())) if fault.get("party") != "undetermined" else set()
        for a in dict.fromkeys(r["adapters"]):
            entry = row(a)
            if r["family"] not in entry["families"]:
                entry["families"].append(r["family"])
            if r["outcome"] == "pass":
                entry["passed"] += 1
            elif r["outcome"] in ("fail", "error"):
                entry["failed"] += 1
                # Only a failure of the run with restarts measured them; the control's
                # failure (the pair fails without any restart) says nothing of the state.
                if a in charged and "restarts" in (r.get("measured") or {}):
                    entry["charged"] += 1
    for e in unsupported:
        if not _is_restart(e["check"]) or not e.get("detail", "").startswith("by design:"):
            continue
        for a in dict.fromkeys(e["adapters"]):
            if a in e["detail"] and e["family"] not in row(a)["declared"]:
                row(a)["declared"].append(e["family"])
    for entry in out.values():
        entry["families"].sort()
        entry["declared"].sort()
        entry["state"] = state(entry)
    return dict(sorted(out.items()))


def state(entry: Mapping[str, Any]) -> str:
    """What a restarts row says about the implementation's persisted state."""
    declared = ", ".join(entry["declared"])
    if entry["charged"]:
        return "lost" + (f"; not kept in {declared} (declared)" if declared else "")
    if entry["passed"]:
        return "survives" + (f"; not kept in {declared} (declared)" if declared else "")
    if declared:
        return f"not kept in {declared} (declared)"
    return "not shown (every pair failed without a restart too)"


def low_order(results: Sequence[Mapping[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in results:
        name = r["check"].rsplit("/", 1)[-1]
        if not r["check"].startswith("prop/") or not name.startswith("low-order-"):
            continue
        m = r.get("measured") or {}
        # "accepted", or "<position>: accepted" where a check tries several positions.
        names: dict[str, None] = {}
        for key, value in m.items():
            if key == "accepted" or key.endswith(": accepted"):
                for point in str(value).split(", "):
                    if point and point != "none":
                        names[point] = None
        out[r["family"]].append(
            {
                "place": name[len("low-order-") :],
                "adapter": r["adapters"][-1],
                "outcome": r["outcome"],
                "behaviour": r.get("behaviour"),
                "accepted": len(names),
                "points": ", ".join(names),
            }
        )
    return dict(sorted(out.items()))


def measured_tables(
    results: Sequence[Mapping[str, Any]], unsupported: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    """The summary's measured tables (only those with rows)."""
    tables = {
        "healing": healing(results),
        "restarts": restarts(results, unsupported),
        "lowOrder": low_order(results),
        "ed25519Rules": ed25519_rule_rows(results),
    }
    return {k: v for k, v in tables.items() if v}
