"""``report.json``: the one source of truth of a run (schema: reports/report.schema.json).

Everything else (the terminal summary, JUnit, Markdown, HTML) is rendered from it, and ``merge``
rebuilds one from slices, so :func:`finalize` (gate, summary, reproduction commands) works on the
report dict alone.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import os
import platform
import shlex
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from . import __version__, buildinfo, launcher, unsupported
from .adapter import AdapterInfo
from .attribution import attribute, charged
from .buildinfo import BuildInfo
from .checks.scenario import REFUSAL_MISSED
from .errors import ConformanceError
from .expectations import Entry, Expectations
from .failures import mismatch
from .gate import FailOn, apply_gate
from .measures import measured_tables
from .model import VectorFile
from .resources import adapters_dir, data_root
from .results import OUTCOMES, CheckResult
from .vectormanifest import provenance
from .writers import json_text

__all__ = [
    "REPORT_VERSION",
    "GateOptions",
    "adapter_arg",
    "build_report",
    "finalize",
    "load_report",
    "reproducer",
    "summarize",
    "unfinished_reason",
    "vectors_digest",
    "write_report",
]

#: Bumped on any change a consumer must know about: major for removals, minor for additions.
#: 1.1 added expected-fail/unexpected-pass, gate, expectations, pairs, provenance and repro fields;
#: 1.2 added suite.vectors.manifest (whether the vector files are what the generators wrote),
#: a pair result's fault (the party at fault and the evidence) and each adapter's protocol;
#: 1.3 added run.planned, run.interrupted and run.incomplete (a run that did not finish);
#: 1.4 added suite.modified (the suite's tracked files differed from its commit) and run.launcher
#: (how the suite was started, which the reproduce commands begin with), and stopped writing
#: run.hypothesis (the random conversations no longer run on Hypothesis); unsupported checks are
#: summarised in the top-level "unsupported" entries instead of one result each.
REPORT_VERSION = "1.4"


@dataclass(frozen=True)
class GateOptions:
    expectations: Expectations | None = None
    policy: FailOn = field(default_factory=FailOn)
    allow_stale: bool = False


def vectors_digest(files: Sequence[VectorFile]) -> str:
    h = hashlib.sha256()
    for name, sha in sorted((vf.name, vf.sha256) for vf in files):
        h.update(f"{name}\0{sha}\n".encode())
    return "sha256:" + h.hexdigest()


def _build() -> BuildInfo:
    """The suite's commit: from git in a checkout, else from what the build wrote."""
    found = buildinfo.from_checkout(Path(__file__).resolve().parent.parent) or buildinfo.from_file(
        data_root() / buildinfo.BUILD_FILE
    )
    return found or BuildInfo(None)


def _counts(counter: Mapping[str, int]) -> dict[str, int]:
    return {o: counter.get(o, 0) for o in OUTCOMES}


def summarize(
    results: Sequence[Mapping[str, Any]], unsupported: Sequence[Mapping[str, Any]] = ()
) -> dict[str, Any]:
    """Counts of ``results`` and of the ``unsupported`` entries (conformance.unsupported) they
    stand beside, every entry counting as many checks as it stands for."""
    outcomes: Counter[str] = Counter(r["outcome"] for r in results)
    by_adapter: dict[str, dict[str, Counter[str]]] = defaultdict(lambda: defaultdict(Counter))
    acceptable: dict[str, dict[str, Counter[str]]] = defaultdict(lambda: defaultdict(Counter))
    pairs: dict[str, dict[str, dict[str, Counter[str]]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(Counter))
    )
    # Safety properties by family, property and receiver (the party each one judges).
    properties: dict[str, dict[str, dict[str, Counter[str]]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(Counter))
    )
    by_design: dict[str, dict[str, str]] = {}
    # Group scenarios: one row per group of implementations, in plan order.
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in results:
        # A pair result counts against the party at fault only: the other side behaved
        # correctly in it, and is counted as passing.
        blamed = charged(r)
        for a in dict.fromkeys(r["adapters"]):
            by_adapter[a][r["capability"]][r["outcome"] if a in blamed else "pass"] += 1
        if r.get("behaviour") is not None:
            # In a pair the behaviour is the receiver's (the second party's).
            chooser = r["adapters"][-1]
            for flag in r.get("flags") or ("(no flag)",):
                acceptable[chooser][flag][r["behaviour"]] += 1
        if r["check"].startswith("group/"):
            groups[r["family"]].append(
                {
                    "check": r["check"],
                    "adapters": list(r["adapters"]),
                    "outcome": r["outcome"],
                    "blamed": list(blamed) if r["outcome"] in ("fail", "error") else [],
                    "party": (r.get("fault") or {}).get("party")
                    if r["outcome"] in ("fail", "error")
                    else None,
                }
            )
        elif len(r["adapters"]) == 2:
            sender, receiver = r["adapters"]
            if r["check"].startswith("prop/"):
                # A property judges the receiver; a failure counts against the party at fault.
                name = r["check"].split("/", 2)[2]
                failed = r.get("observed", r["outcome"]) in ("fail", "error")
                judged = blamed if r.get("fault") and failed else (receiver,)
                for a in dict.fromkeys(judged):
                    properties[r["family"]][name][a][r["outcome"]] += 1
                detail = r.get("detail") or ""
                if r["outcome"] == "unsupported" and detail.startswith("by design:"):
                    by_design.setdefault(r["family"], {})[name] = detail
            else:
                pairs[r["family"]][sender][receiver][r["outcome"]] += 1
    for e in unsupported:
        n = e["count"]
        outcomes["unsupported"] += n
        for a in dict.fromkeys(e["adapters"]):
            by_adapter[a][e["capability"]]["unsupported"] += n
        if e["check"].startswith("group/"):
            groups[e["family"]].append(
                {
                    "check": e["check"],
                    "adapters": list(e["adapters"]),
                    "outcome": "unsupported",
                    "blamed": [],
                    "party": None,
                }
            )
        elif len(e["adapters"]) == 2:
            sender, receiver = e["adapters"]
            if e["check"].startswith("prop/"):
                name = e["check"].split("/", 2)[2]
                properties[e["family"]][name][receiver]["unsupported"] += n
                if e.get("detail", "").startswith("by design:"):
                    by_design.setdefault(e["family"], {})[name] = e["detail"]
            else:
                pairs[e["family"]][sender][receiver]["unsupported"] += n
    return (
        {
            "total": len(results) + sum(e["count"] for e in unsupported),
            "outcomes": _counts(outcomes),
            "byAdapter": {
                a: {c: _counts(n) for c, n in sorted(caps.items())}
                for a, caps in by_adapter.items()
            },
            "acceptable": {
                a: {f: dict(sorted(n.items())) for f, n in sorted(flags.items())}
                for a, flags in acceptable.items()
            },
            "pairs": {
                fam: {s: {r: _counts(n) for r, n in rs.items()} for s, rs in senders.items()}
                for fam, senders in sorted(pairs.items())
            },
            "properties": {
                fam: {p: {a: _counts(n) for a, n in rs.items()} for p, rs in props.items()}
                for fam, props in sorted(properties.items())
            },
            "groups": dict(sorted(groups.items())),
            "byDesign": by_design,
            "disagreements": disagreements(results),
        }
        | measured_tables(results, unsupported)
        | _durations(results)
    )


#: The slowest checks a summary lists.
SLOWEST = 10


def _durations(results: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """How long the checks took: in all, per adapter (a pair's time counts for both of its
    adapters), and the slowest ones. Nothing for a report whose results have no durations."""
    timed = [r for r in results if r.get("duration") is not None]
    if not timed:
        return {}
    by_adapter: dict[str, float] = defaultdict(float)
    for r in timed:
        for a in dict.fromkeys(r["adapters"]):
            by_adapter[a] += r["duration"]
    slowest = sorted(timed, key=lambda r: (-r["duration"], r["check"], r["adapters"]))[:SLOWEST]
    return {
        "durations": {
            "total": round(sum(r["duration"] for r in timed), 6),
            "byAdapter": {a: round(t, 6) for a, t in by_adapter.items()},
            "slowest": [
                {
                    "check": r["check"],
                    "adapters": list(r["adapters"]),
                    "outcome": r["outcome"],
                    "duration": r["duration"],
                }
                for r in slowest
            ],
        }
    }


def _choice(r: Mapping[str, Any]) -> str:
    """What an implementation did with a case, comparable across implementations."""
    observed = r.get("observed", r["outcome"])
    if observed == "pass":
        if r.get("behaviour"):
            return str(r["behaviour"])
        return "rejected" if r.get("expected") == "invalid" else "accepted"
    if observed == "fail":
        # A wrong answer and a wrong refusal are different bugs; neither reads as a refusal.
        detail = str(r.get("detail") or "")
        if mismatch(detail) is not None:
            return "wrong output"
        # A valid scenario case can hold a step that must be refused (RefusedThenGenuine).
        if r.get("expected") == "valid" and not detail.endswith(REFUSAL_MISSED):
            return "rejected (wrongly)"
        return "accepted (wrongly)"
    return str(observed)


def disagreements(results: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The differential view: single-implementation checks on which the implementations that
    ran them did not all do the same (an ``acceptable`` case accepted by one and refused by
    another, or one implementation failing where the others pass), side by side."""
    by_check: dict[str, dict[str, Mapping[str, Any]]] = defaultdict(dict)
    for r in results:
        if len(r["adapters"]) == 1 and r.get("observed", r["outcome"]) != "unsupported":
            by_check[r["check"]][r["adapters"][0]] = r
    out: list[dict[str, Any]] = []
    for check, per in by_check.items():
        if len(per) < 2:
            continue
        choices = {a: _choice(r) for a, r in per.items()}
        if len(set(choices.values())) < 2:
            continue
        first = next(iter(per.values()))
        entry: dict[str, Any] = {
            "check": check,
            "capability": first["capability"],
            "expected": first.get("expected"),
            "flags": list(first.get("flags", [])),
            "choices": choices,
        }
        if first.get("vector"):
            entry["vector"] = first["vector"]
        if first.get("comment"):
            entry["comment"] = first["comment"]
        out.append(entry)
    return out


def adapter_arg(name: str, manifest: str | Path) -> str:
    """The ``--adapter`` value that finds an adapter again: its name when bundled, else the
    path of its manifest."""
    try:
        Path(manifest).resolve().relative_to(adapters_dir().resolve())
    except (ValueError, OSError):
        return str(manifest)
    return name


def reproducer(report: Mapping[str, Any]) -> Callable[[Mapping[str, Any]], str]:
    """A function giving each result of ``report`` the one-line command that re-runs it; what
    depends only on the report (adapter arguments, vector options) is worked out once."""
    args = {a["name"]: adapter_arg(a["name"], a["manifest"]) for a in report["adapters"]}
    prefix = report["run"].get("launcher")
    tail: list[str] = []
    for option, key in (
        ("--vectors", "vectorsRoot"),
        ("--wycheproof", "wycheproof"),
        ("--mls-vectors", "mlsVectors"),
        ("--cctv", "cctv"),
    ):
        if report["run"].get(key):
            tail += [option, report["run"][key]]

    def command(result: Mapping[str, Any]) -> str:
        parts = launcher.join(prefix, ["repro", result["check"]])
        for name in result["adapters"]:
            parts += ["--adapter", args.get(name, name)]
        parts += tail
        if result.get("seed") is not None:
            parts += ["--seed", str(result["seed"])]
        return shlex.join(parts)

    return command


def finalize(report: dict[str, Any], gate: GateOptions, today: date | None = None) -> int:
    """Gate the report's results, then fill ``summary``, ``gate``, ``expectations``, the
    reproduction commands and ``verdict``. Returns the exit status (0 pass, 1 fail)."""
    shard = report["run"].get("shard")
    unfinished = unfinished_reason(report)
    # Unsupported checks are summarised (a report from before that keeps them as records).
    report["results"], report["unsupported"] = unsupported.normalised(report)
    attribute(report["results"])
    files = _vector_files(report)
    outcome = apply_gate(
        report["results"],
        report["adapters"],
        known=_known_checks(files),
        expectations=gate.expectations,
        policy=gate.policy,
        today=today or date.today(),
        allow_stale=gate.allow_stale,
        partial=shard is not None,
        unsupported=report["unsupported"],
        unsupported_ids=_unsupported_ids(report, files),
    )
    if unfinished is not None:
        # Checks that never ran cannot have failed, so a short run must not pass.
        outcome.verdict = "fail"
        outcome.reasons.insert(0, unfinished)
    reproduce = reproducer(report)
    for r in report["results"]:
        if r["outcome"] in ("pass", "unsupported"):
            r.pop("reproduce", None)
        else:
            r["reproduce"] = reproduce(r)
    report["summary"] = summarize(report["results"], report["unsupported"])
    report["summary"]["noRefusalState"] = no_refusal_state(report["adapters"])
    report["gate"] = {
        "verdict": outcome.verdict,
        "policy": {"failOn": list(gate.policy.selectors), "allowStale": gate.allow_stale},
        "blocking": outcome.blocking,
        "warnings": outcome.warnings,
        "reasons": outcome.reasons,
    }
    if gate.expectations is not None:
        report["expectations"] = gate.expectations.to_json() | {"entries": outcome.entries}
    else:
        report.pop("expectations", None)
    report["verdict"] = outcome.verdict
    return outcome.exit_code


def unfinished_reason(report: Mapping[str, Any]) -> str | None:
    """Why the run did not finish (interrupted, or the suite failed), with how far it got; None
    for a run that finished."""
    run = report["run"]
    if run.get("interrupted"):
        why = f"interrupted by {run['interrupted']}"
    elif run.get("incomplete"):
        why = f"the suite could not finish ({run['incomplete']})"
    else:
        return None
    planned = run.get("planned")
    ran = len(report["results"])
    return f"{why}: {ran} of {planned} checks ran" if planned is not None else why


def _vector_files(report: Mapping[str, Any]) -> Callable[[], dict[str, VectorFile]]:
    """The report's vector files by name, read once and only when asked (the gate needs them
    only when an expectation matched nothing, which is rare); none when they cannot be read."""
    loaded: list[dict[str, VectorFile]] = []

    def files() -> dict[str, VectorFile]:
        if not loaded:
            from . import loader

            root = report["run"].get("vectorsRoot")
            try:
                found = loader.load_many(loader.discover(Path(root) if root else None))
            except ConformanceError:
                found = []
            loaded.append({vf.name: vf for vf in found})
        return loaded[0]

    return files


def _unsupported_ids(
    report: Mapping[str, Any], files: Callable[[], dict[str, VectorFile]]
) -> Callable[[], list[str]]:
    """The check ids the report's unsupported entries stand for, read from the vector files
    (an entry keeps each file's tcIds, not its case ids)."""

    def ids() -> list[str]:
        from .selection import check_prefix

        out: list[str] = []
        for e in report["unsupported"]:
            if not e.get("file"):
                out.append(e["check"])
            elif (vf := files().get(e["file"])) is not None:
                wanted = {n for a, b in e.get("tcIds", ()) for n in range(a, b + 1)}
                out.extend(check_prefix(vf) + c.id for _, c in vf.cases() if c.tc_id in wanted)
        return out

    return ids


def _known_checks(files: Callable[[], dict[str, VectorFile]]) -> Callable[[Entry], bool]:
    """Whether an expectation entry covers any check of the report's vector set."""
    ids: list[str] = []

    def known(entry: Entry) -> bool:
        if not ids:
            from .interop import scenario_ids
            from .selection import check_prefix

            found = files()
            if not found:
                return False
            ids.extend(check_prefix(vf) + c.id for vf in found.values() for _, c in vf.cases())
            ids.extend(scenario_ids())
        return any(fnmatch.fnmatchcase(i, entry.check) for i in ids)

    return known


def build_report(
    *,
    results: Sequence[CheckResult],
    adapters: Sequence[AdapterInfo],
    files: Sequence[VectorFile],
    run: Mapping[str, Any],
    gate: GateOptions,
    today: date | None = None,
) -> tuple[int, dict[str, Any]]:
    """``run`` holds the invocation's provenance (command, families, times, seed, tier, shard,
    jobs, vectorsRoot); interpreter and platform are added here."""
    build = _build()
    report: dict[str, Any] = {
        "reportVersion": REPORT_VERSION,
        "suite": {
            "name": "e2ee-conformance",
            "version": __version__,
            "commit": build.commit,
            "modified": build.modified,
            "vectors": {
                "digest": vectors_digest(files),
                "manifest": provenance((vf.path, vf.sha256) for vf in files),
                "files": [
                    {"file": vf.name, "sha256": vf.sha256, "numberOfTests": vf.number_of_tests}
                    for vf in files
                ],
            },
        },
        "run": dict(run)
        | {
            "python": platform.python_version(),
            "implementation": sys.implementation.name,
            "platform": platform.platform(),
            "launcher": launcher.launcher(),
        },
        "adapters": [adapter_json(a) for a in adapters],
        "results": [r.to_json() for r in results],
    }
    code = finalize(report, gate, today)
    return code, report


#: Capabilities whose operations take and return a party's state (the stateful contract).
STATEFUL = frozenset({"olm", "megolm", "signal", "signal-group"})


def no_refusal_state(adapters: Sequence[Mapping[str, Any]]) -> list[str]:
    """Adapters of stateful families on protocol 1: a refusal returns no state, so the suite
    goes on from the state before a bad message and cannot see damage it did."""
    return [
        str(a["name"])
        for a in adapters
        if a.get("protocol", 1) < 2 and STATEFUL & set(a.get("capabilities", ()))
    ]


def adapter_json(a: AdapterInfo) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": a.name,
        "implementation": a.implementation,
        "version": a.version,
        "capabilities": list(a.capabilities),
        "manifest": a.manifest,
        "manifestSha256": a.manifest_sha256,
        "status": a.status,
        "protocol": a.protocol,
    }
    if a.error:
        out["error"] = a.error
    if a.notes:
        out["notes"] = dict(a.notes)
    return out


def write_report(path: Path, report: Mapping[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # Unique per process: two writers must not share (and truncate) one temporary file.
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json_text(report), encoding="utf-8")
    tmp.replace(path)


def load_report(path: Path) -> dict[str, Any]:
    """A saved report, checked against the schema so writers and merge can trust its shape."""
    import jsonschema

    from .errors import ConfigurationError
    from .inputfiles import Unreadable, load_json
    from .quoting import file_name, one_line, shown
    from .resources import report_schema_path

    name = f"report {file_name(path)}"
    try:
        report, _ = load_json(path, "report")
    except Unreadable as exc:
        raise ConfigurationError(f"{name}: {exc.problem}") from None
    schema = json.loads(report_schema_path().read_text(encoding="utf-8"))
    try:
        # Of the formats the schema names, only "date" (an expectation's expiry) is checked:
        # merge parses it, and the others need packages the suite does not depend on.
        jsonschema.validate(report, schema, format_checker=jsonschema.FormatChecker(["date"]))
    except jsonschema.ValidationError as exc:
        where = one_line("/".join(str(p) for p in exc.absolute_path) or "(top)")
        version = shown(report.get("reportVersion")) if isinstance(report, dict) else "?"
        raise ConfigurationError(
            f"{name}: not a report of this suite (reportVersion {version}) at {where}: "
            f"{one_line(exc.message, 300)}"
        ) from None
    return dict(report)
