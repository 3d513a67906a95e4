"""One check result: the unit that streams to ``results.jsonl`` and fills ``report.json``.

The engine produces the *observed* outcome (pass, fail, error, unsupported). The gate
(:mod:`conformance.gate`) may later turn it into ``expected-fail`` or ``unexpected-pass`` under an
expectations file; those two never come out of the engine.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from . import untrusted
from .model import SpecRef

__all__ = [
    "GATED_OUTCOMES",
    "OBSERVED_OUTCOMES",
    "OUTCOMES",
    "CheckResult",
    "Fault",
    "Outcome",
    "VectorRef",
]

Outcome = Literal["pass", "fail", "error", "unsupported"]
OBSERVED_OUTCOMES: tuple[Outcome, ...] = ("pass", "fail", "error", "unsupported")
#: Outcomes only an expectations file produces.
GATED_OUTCOMES: tuple[str, ...] = ("expected-fail", "unexpected-pass")
#: Every outcome a report can hold, in display order.
OUTCOMES: tuple[str, ...] = (*OBSERVED_OUTCOMES, *GATED_OUTCOMES)


@dataclass(frozen=True, slots=True)
class VectorRef:
    file: str
    tc_id: int
    id: str


#: Who a pair or group result charges: the receiver of the message in question, its sender,
#: both, the party whose adapter failed, or nobody yet (see :mod:`conformance.attribution`).
FAULT_PARTIES = ("receiver", "sender", "both", "adapter", "undetermined")


@dataclass(frozen=True, slots=True)
class Fault:
    """The party at fault in a pair result, and the evidence.

    ``adapters`` are the implementations charged (counts, matrices, gate reasons and
    expectations use them); ``sender`` and ``receiver`` name the adapters on each side of the
    message the failure is about, where one is."""

    party: str
    adapters: tuple[str, ...]
    evidence: str
    sender: str | None = None
    receiver: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "party": self.party,
            "adapters": list(self.adapters),
            "evidence": self.evidence,
        }
        if self.sender is not None:
            out["sender"] = self.sender
        if self.receiver is not None:
            out["receiver"] = self.receiver
        return out


@dataclass(frozen=True, slots=True)
class CheckResult:
    """``check`` is stable across runs and renumbering: ``kat/<file path>/<case id>``.

    ``inputs`` is filled for non-pass results only (what ``repro`` and the HTML report show);
    ``seed`` only by checks that draw random choices.
    """

    check: str
    family: str
    capability: str
    adapters: tuple[str, ...]
    outcome: Outcome
    vector: VectorRef | None = None
    expected: str | None = None
    flags: tuple[str, ...] = ()
    bug_types: tuple[str, ...] = ()
    spec: tuple[SpecRef, ...] = ()
    comment: str | None = None
    behaviour: str | None = None
    detail: str | None = None
    inputs: Mapping[str, str | int] = field(default_factory=dict)
    seed: int | None = None
    #: Pair and group results that are not a pass: who is at fault, and why.
    fault: Fault | None = None

    @property
    def level(self) -> str | None:
        """The strongest RFC 2119 level among the spec references."""
        return strongest_level(self.spec)

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
        if self.bug_types:
            out["bugTypes"] = list(self.bug_types)
        if self.spec:
            spec, level = _spec_part(self.spec)
            out["spec"] = list(spec)
            if level is not None:
                out["level"] = level
        if self.comment:
            out["comment"] = self.comment
        if self.behaviour is not None:
            out["behaviour"] = self.behaviour
        if self.detail is not None:
            # A detail may quote an adapter (an error message, a stderr tail): bounded here as
            # well as where it entered, since an in-process adapter's text enters anywhere.
            out["detail"] = untrusted.clean(self.detail, untrusted.DETAIL)
        if self.inputs:
            out["inputs"] = dict(self.inputs)
        if self.seed is not None:
            out["seed"] = self.seed
        if self.fault is not None:
            out["fault"] = self.fault.to_json()
        return out


_LEVEL_ORDER = ("MUST", "MUST NOT", "SHOULD", "SHOULD NOT", "MAY")


def strongest_level(spec: tuple[SpecRef, ...]) -> str | None:
    levels = [s.level for s in spec if s.level in _LEVEL_ORDER]
    return min(levels, key=_LEVEL_ORDER.index) if levels else None


@functools.lru_cache(maxsize=4096)
def _spec_part(spec: tuple[SpecRef, ...]) -> tuple[tuple[dict[str, str], ...], str | None]:
    """The JSON of a spec tuple and its strongest level, worked out once per tuple: a file's
    cases share a handful of them, and this runs for every result (the harness's hot path).
    The dicts are shared between results: nothing changes them after serialisation."""
    return tuple(_spec_json(s) for s in spec), strongest_level(spec)


def _spec_json(s: SpecRef) -> dict[str, str]:
    out = {"document": s.document, "section": s.section}
    if s.level:
        out["level"] = s.level
    return out
