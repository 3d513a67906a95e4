"""The CI gate: from observed results, an expectations file and a ``--fail-on`` policy, decide
each result's final outcome, which results block, and the run's verdict.

Policy (README, "Gate policy"): the run passes when no ``fail``, ``error`` or ``unexpected-pass``
blocks and no expectation entry is stale or expired. By default every ``fail`` and
``unexpected-pass`` blocks; ``--fail-on`` narrows that to results whose spec level or bugType it
names (the rest become warnings) and can widen it with ``unsupported``. An ``error`` always blocks:
it means the check could not be judged at all.

This works on report dicts, not engine objects, so ``merge`` re-gates joined slices with exactly
the code ``run`` uses.
"""

from __future__ import annotations

import fnmatch
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .attribution import charged
from .errors import ConfigurationError
from .expectations import Entry, Expectations
from .vectortypes import BUG_TYPES

__all__ = ["FailOn", "GateResult", "apply_gate"]

_LEVELS = {"MUST": ("MUST", "MUST NOT"), "SHOULD": ("SHOULD", "SHOULD NOT"), "MAY": ("MAY",)}
_SPECIAL = ("all", "unsupported")


@dataclass(frozen=True)
class FailOn:
    """``--fail-on`` selectors: ``all``, spec levels, bugTypes, and ``unsupported``."""

    selectors: tuple[str, ...] = ("all",)

    @classmethod
    def parse(cls, values: Iterable[str]) -> FailOn:
        picked: list[str] = []
        for value in values:
            for raw in value.split(","):
                sel = raw.strip()
                if not sel:
                    continue
                norm = sel.upper() if sel.lower() not in _SPECIAL else sel.lower()
                if norm not in _SPECIAL and norm not in _LEVELS and norm not in BUG_TYPES:
                    known = ", ".join([*_SPECIAL, *_LEVELS, *BUG_TYPES])
                    raise ConfigurationError(f"--fail-on: unknown selector {sel!r}; known: {known}")
                if norm not in picked:
                    picked.append(norm)
        if not picked or picked == ["unsupported"]:
            picked.insert(0, "all")
        return cls(tuple(picked))

    def blocks(self, result: Mapping[str, Any]) -> bool:
        outcome = result["outcome"]
        if outcome == "error":
            return True
        if outcome == "unsupported":
            return "unsupported" in self.selectors
        if "all" in self.selectors:
            return True
        level = result.get("level")
        for sel in self.selectors:
            if sel in _LEVELS and level in _LEVELS[sel]:
                return True
        return any(b in self.selectors for b in result.get("bugTypes", ()))


@dataclass
class GateResult:
    verdict: str
    blocking: int
    warnings: int
    reasons: list[str]
    entries: list[dict[str, Any]] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return 0 if self.verdict == "pass" else 1


def _reset(result: dict[str, Any]) -> None:
    """Back to the observed outcome, so gating a gated report (merge) starts clean."""
    if "observed" in result:
        result["outcome"] = result.pop("observed")
    result.pop("gate", None)
    result.pop("expectation", None)


def apply_gate(
    results: Sequence[dict[str, Any]],
    adapters: Sequence[Mapping[str, Any]],
    *,
    expectations: Expectations | None,
    policy: FailOn,
    today: date,
    allow_stale: bool = False,
    partial: bool = False,
    known: Callable[[Entry], bool] | None = None,
    unsupported: Sequence[dict[str, Any]] = (),
    unsupported_ids: Callable[[], Iterable[str]] | None = None,
) -> GateResult:
    """Annotate ``results`` in place and return the verdict.

    ``partial`` is set for a shard: an entry that matches nothing may match in another slice, so
    it is reported as ``outside-slice`` here and judged when the slices are merged.
    ``unsupported`` holds the run's summarised unsupported checks (conformance.unsupported):
    under ``--fail-on unsupported`` each entry blocks with its count; ``unsupported_ids`` gives
    their check ids (which need the vector files) when an entry matched nothing. ``known``
    says whether an entry covers any check of the vector set: one that covers only checks this
    run did not select (another tier, family or ``--case``) is ``not-run``, reported but not
    failing, while one that covers no check at all (a typo, a removed case) is stale.
    """
    versions = {a["name"]: a["version"] for a in adapters}
    entries = list(expectations.entries) if expectations is not None else []
    matched = [0] * len(entries)
    for r in results:
        _reset(r)
        if expectations is None:
            continue
        # An entry scoped to an adapter covers that adapter's faults only.
        entry = expectations.match(r["check"], charged(r), versions)
        if entry is None or r["outcome"] == "unsupported":
            continue
        if r["outcome"] == "pass" and entry.is_glob:
            # A glob marks where failures may occur; the passes around them are no news. An
            # entry naming one check exactly expects that check to fail.
            continue
        matched[entry.index] += 1
        r["expectation"] = {"entry": entry.index, "reason": entry.reason}
        if entry.link:
            r["expectation"]["link"] = entry.link
        r["observed"] = r["outcome"]
        r["outcome"] = "unexpected-pass" if r["outcome"] == "pass" else "expected-fail"

    ids: list[str] = []

    def ran_ids() -> list[str]:
        if not ids:
            ids.extend(dict.fromkeys(r["check"] for r in results))
            if unsupported_ids is not None:
                ids.extend(unsupported_ids())
        return ids

    blocking: dict[str, int] = {}
    at_fault: Counter[str] = Counter()
    policy_warnings = 0
    for r in results:
        if r["outcome"] in ("pass", "expected-fail"):
            continue
        if r["outcome"] == "unsupported" and not policy.blocks(r):
            continue
        if policy.blocks(r):
            r["gate"] = "block"
            blocking[r["outcome"]] = blocking.get(r["outcome"], 0) + 1
            at_fault.update(charged(r))
        else:
            r["gate"] = "warn"
            policy_warnings += 1

    for e in unsupported:
        e.pop("gate", None)
        if policy.blocks({"outcome": "unsupported"}):
            e["gate"] = "block"
            blocking["unsupported"] = blocking.get("unsupported", 0) + e["count"]
            at_fault.update(dict.fromkeys(e["adapters"], e["count"]))

    reasons = [f"{n} {outcome} result(s) block the gate" for outcome, n in blocking.items()]
    if at_fault:
        reasons.append("at fault: " + ", ".join(f"{a} {n}" for a, n in sorted(at_fault.items())))
    entry_json: list[dict[str, Any]] = []
    bad_entries = 0
    warnings = policy_warnings
    for entry in entries:
        status = "ok"
        if entry.expired(today):
            status = "expired"
        elif not matched[entry.index]:
            if partial:
                status = "outside-slice"
            elif known is not None and not _covers_any(entry, ran_ids()) and known(entry):
                status = "not-run"
            else:
                status = "stale"
        doc = entry.to_json() | {"matched": matched[entry.index], "status": status}
        entry_json.append(doc)
        if status in ("stale", "expired"):
            what = (
                f"expired on {entry.expires}"
                if status == "expired"
                else "is stale: it matches no failing check"
            )
            text = f"expectation #{entry.index + 1} ({entry.check}) {what}"
            if allow_stale:
                warnings += 1
                reasons.append(text + " [allowed by --allow-stale]")
            else:
                bad_entries += 1
                reasons.append(text)
    failed = bool(blocking) or bad_entries > 0
    if policy_warnings:
        reasons.append(f"{policy_warnings} result(s) outside the --fail-on policy, warned only")
    return GateResult(
        verdict="fail" if failed else "pass",
        blocking=sum(blocking.values()) + bad_entries,
        warnings=warnings,
        reasons=reasons,
        entries=entry_json,
    )


def _covers_any(entry: Entry, check_ids: Sequence[str]) -> bool:
    """Whether the entry's check pattern covers a check that ran, whatever its scope."""
    return bool(fnmatch.filter(check_ids, entry.check))
