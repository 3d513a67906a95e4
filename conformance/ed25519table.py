"""The report's "Ed25519 verification rules" table (``summary.ed25519Rules``): one row per
implementation that ran ``prop/primitives/ed25519-rules``, from that result's ``measured``
values (conformance.attacks.ed25519_rules), which the suite computes, never an adapter."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["CHECK", "ed25519_rule_rows"]

CHECK = "prop/primitives/ed25519-rules"


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def ed25519_rule_rows(results: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """``adapter, outcome, rules, closest, differs, accepted, cases, source`` per result of
    :data:`CHECK` that measured something (an error before measuring has no row), by adapter."""
    rows = []
    for r in results:
        measured = r.get("measured")
        if r.get("check") != CHECK or not isinstance(measured, Mapping) or not measured:
            continue
        rows.append(
            {
                "adapter": str(r["adapters"][0]),
                "outcome": str(r["outcome"]),
                "rules": str(measured.get("rules", "")),
                "closest": str(measured.get("closest", "")),
                "differs": _int(measured.get("differs")),
                "accepted": _int(measured.get("accepted")),
                "cases": _int(measured.get("cases")),
                "source": str(measured.get("source", "")),
            }
        )
    return sorted(rows, key=lambda row: row["adapter"])
