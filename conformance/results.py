"""One check result: the unit that streams to ``results.jsonl`` and fills ``report.json``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

__all__ = ["OUTCOMES", "CheckResult", "Outcome", "VectorRef"]

Outcome = Literal["pass", "fail", "error", "unsupported"]
OUTCOMES: tuple[Outcome, ...] = ("pass", "fail", "error", "unsupported")


@dataclass(frozen=True, slots=True)
class VectorRef:
    file: str
    tc_id: int
    id: str


@dataclass(frozen=True, slots=True)
class CheckResult:
    """``check`` is stable across runs and renumbering: ``kat/<file path>/<case id>``."""

    check: str
    family: str
    capability: str
    adapters: tuple[str, ...]
    outcome: Outcome
    vector: VectorRef | None = None
    expected: str | None = None
    flags: tuple[str, ...] = ()
    behaviour: str | None = None
    detail: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "check": self.check,
            "family": self.family,
            "capability": self.capability,
            "adapters": list(self.adapters),
            "outcome": self.outcome,
        }
        if self.vector is not None:
            out["vector"] = {
                "file": self.vector.file,
                "tcId": self.vector.tc_id,
                "id": self.vector.id,
            }
        if self.expected is not None:
            out["expected"] = self.expected
        if self.flags:
            out["flags"] = list(self.flags)
        if self.behaviour is not None:
            out["behaviour"] = self.behaviour
        if self.detail is not None:
            out["detail"] = self.detail
        return out
