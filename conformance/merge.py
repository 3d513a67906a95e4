"""``e2ee-conformance merge``: join the reports of ``--shard K/N`` slices into one.

Slices must come from the same suite version, vector set and selection (tier, ``--case``), with
the same adapters at the same versions, and must not overlap; anything else is refused, since a
merged report that mixed them would claim a run that never happened. The joined results are
gated again as a whole: an expectation that matched nothing in one slice may match in another.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from . import launcher, unsupported
from .errors import ConfigurationError
from .expectations import Expectations
from .interop import scenario_ids
from .quoting import file_name
from .report import REPORT_VERSION, GateOptions, finalize, load_report, unfinished_reason

__all__ = ["merge_reports"]


def _same(reports: Sequence[tuple[Path, Mapping[str, Any]]], what: str, get: Any) -> Any:
    first_path, first = reports[0]
    value = get(first)
    for path, report in reports[1:]:
        other = get(report)
        if other != value:
            raise ConfigurationError(
                f"cannot merge {path} with {first_path}: different {what} ({other!r} vs {value!r})"
            )
    return value


def _adapters(reports: Sequence[tuple[Path, Mapping[str, Any]]]) -> list[dict[str, Any]]:
    merged: dict[str, dict[str, Any]] = {}
    for path, report in reports:
        for a in report["adapters"]:
            known = merged.get(a["name"])
            if known is None:
                merged[a["name"]] = dict(a)
                continue
            for key in ("version", "manifestSha256", "implementation"):
                if known[key] != a[key]:
                    raise ConfigurationError(
                        f"cannot merge {path}: adapter {a['name']!r} has {key} {a[key]!r} there "
                        f"but {known[key]!r} in an earlier slice"
                    )
    return list(merged.values())


def _expectations(
    reports: Sequence[tuple[Path, Mapping[str, Any]]], given: Expectations | None
) -> Expectations | None:
    if given is not None:
        return given
    carried = _same(
        reports,
        "expectations files",
        lambda r: (r.get("expectations") or {}).get("sha256"),
    )
    if carried is None:
        return None
    path, report = reports[0]
    try:
        return Expectations.from_json(report["expectations"])
    except ValueError as exc:
        raise ConfigurationError(
            f"report {file_name(path)}: the expectations it carries: {exc}"
        ) from None


def merge_reports(
    paths: Sequence[Path], gate: GateOptions, command: Sequence[str], today: date | None = None
) -> tuple[int, dict[str, Any]]:
    if len(paths) < 2:
        raise ConfigurationError("merge needs at least two reports")
    reports = [(p, load_report(p)) for p in paths]
    for path, report in reports:
        unfinished = unfinished_reason(report)
        if unfinished is not None:
            raise ConfigurationError(
                f"cannot merge {path}: that run did not finish ({unfinished}); run the slice "
                "again, or the merged report would claim checks that never ran"
            )
    _same(reports, "suite versions", lambda r: r["suite"]["version"])
    _same(reports, "vector sets", lambda r: r["suite"]["vectors"]["digest"])
    _same(reports, "tiers", lambda r: r["run"]["tier"])
    _same(reports, "--case selections", lambda r: sorted(r["run"].get("cases", [])))
    counts = _same(reports, "shard counts", lambda r: (r["run"]["shard"] or {}).get("count"))
    if counts is not None:
        seen: dict[int, Path] = {}
        for path, report in reports:
            index = report["run"]["shard"]["index"]
            if index in seen:
                raise ConfigurationError(
                    f"{path} and {seen[index]} are both shard {index}/{counts}"
                )
            seen[index] = path
        missing = sorted(set(range(1, counts + 1)) - set(seen))
        if missing:
            raise ConfigurationError(
                "cannot merge: missing shard(s) "
                + ", ".join(f"{k}/{counts}" for k in missing)
                + "; the merged report would claim checks that never ran"
            )

    adapters = _adapters(reports)
    results: list[dict[str, Any]] = []
    owner: dict[tuple[str, tuple[str, ...]], Path] = {}
    normal = [unsupported.normalised(report) for _, report in reports]
    for (path, _), (kept, _) in zip(reports, normal, strict=True):
        for r in kept:
            key = (r["check"], tuple(r["adapters"]))
            if key in owner:
                raise ConfigurationError(
                    f"{path} and {owner[key]} overlap: both hold {r['check']} for "
                    f"{', '.join(r['adapters'])}"
                )
            owner[key] = path
            results.append(dict(r))
    entries = [listed for _, listed in normal]
    for (path, _), listed in zip(reports, entries, strict=True):
        for e in listed:
            for check in unsupported.cases(e):
                key = (check, tuple(e["adapters"]))
                if key in owner:
                    raise ConfigurationError(
                        f"{path} and {owner[key]} overlap: both hold {check} for "
                        f"{', '.join(e['adapters'])}"
                    )
                owner[key] = path

    # The order a single run would have produced: adapter by adapter, file by file, case by case.
    first = reports[0][1]
    adapter_pos = {a["name"]: i for i, a in enumerate(adapters)}
    file_pos = {f["file"]: i for i, f in enumerate(first["suite"]["vectors"]["files"])}

    pair_pos = {check: i for i, check in enumerate(scenario_ids())}

    def order(r: Mapping[str, Any]) -> tuple[Any, ...]:
        v = r.get("vector") or {}
        adapters_at = tuple(adapter_pos.get(a, len(adapter_pos)) for a in r["adapters"])
        if r["check"] in pair_pos:
            # Pairs come after every known-answer result, scenario by scenario.
            return (1, pair_pos[r["check"]], adapters_at)
        return (
            0,
            adapters_at,
            file_pos.get(v.get("file", ""), len(file_pos)),
            v.get("tcId", 0),
            r["check"],
        )

    results.sort(key=order)

    def entry_order(e: Mapping[str, Any]) -> tuple[Any, ...]:
        adapters_at = tuple(adapter_pos.get(a, len(adapter_pos)) for a in e["adapters"])
        if e["check"] in pair_pos:
            return (1, pair_pos[e["check"]], adapters_at)
        file = e.get("file") or ""
        return (0, adapters_at, file_pos.get(file, len(file_pos)), e["check"])

    merged_entries = sorted(unsupported.merge_entries(entries), key=entry_order)
    runs = [report["run"] for _, report in reports]
    merged: dict[str, Any] = {
        "reportVersion": REPORT_VERSION,
        "suite": first["suite"],
        "run": {
            "command": list(command),
            "families": sorted({f for run in runs for f in run["families"]}),
            "startedAt": min(run["startedAt"] for run in runs),
            "finishedAt": max(run["finishedAt"] for run in runs),
            "python": first["run"]["python"],
            "implementation": first["run"].get("implementation", ""),
            "platform": first["run"]["platform"],
            # The reproduce lines are for whoever merged, on this machine.
            "launcher": launcher.launcher(),
            "seed": first["run"]["seed"],
            "tier": first["run"]["tier"],
            "cases": list(first["run"].get("cases", [])),
            "shard": None,
            "jobs": max(run["jobs"] for run in runs),
            "vectorsRoot": first["run"].get("vectorsRoot"),
            "merged": [
                {
                    "file": str(path),
                    "shard": None
                    if not report["run"]["shard"]
                    else f"{report['run']['shard']['index']}/{report['run']['shard']['count']}",
                    "startedAt": report["run"]["startedAt"],
                    "finishedAt": report["run"]["finishedAt"],
                }
                for path, report in reports
            ],
        },
        "adapters": adapters,
        "results": results,
        "unsupported": merged_entries,
    }
    gate = GateOptions(
        expectations=_expectations(reports, gate.expectations),
        policy=gate.policy,
        allow_stale=gate.allow_stale,
    )
    code = finalize(merged, gate, today)
    return code, merged
