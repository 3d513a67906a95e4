"""A full run: resolve adapters, load vectors, select, execute with progress, stream results,
gate, write the report in every format and return the exit status (see :mod:`conformance.gate`).
"""

from __future__ import annotations

import functools
import json
import secrets
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TextIO

from . import loader
from .engine import Task, plan, run_task
from .errors import ConfigurationError
from .expectations import load_expectations
from .gate import FailOn
from .interop import plan_pairs, run_pair
from .profiles import apply_profile, profile
from .progress import Progress
from .registry import load_adapters
from .report import GateOptions, build_report
from .results import CheckResult
from .selection import Selection, Shard, Tier
from .summary import render_summary
from .untrusted import json_safe
from .writers import FORMATS, write_outputs

__all__ = ["ResultStream", "RunOptions", "execute"]


@dataclass
class RunOptions:
    adapters: Sequence[str] = ()
    families: Sequence[str] = ()
    out: Path = Path("reports/latest")
    vectors_root: Path | None = None
    wycheproof: Path | None = None
    cases: Sequence[str] = ()
    tier: Tier = "full"
    shard: str | None = None
    jobs: int = 1
    seed: int | None = None
    expect: Path | None = None
    allow_stale: bool = False
    fail_on: Sequence[str] = ()
    profile: str = "spec"
    formats: Sequence[str] = tuple(FORMATS)
    progress: bool = True
    today: date | None = None
    command: Sequence[str] = field(default_factory=lambda: list(sys.argv))


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


_LINE = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)


class ResultStream:
    """``results.jsonl``: each result is written as it comes, flushed after every task, so a run
    that dies still leaves what it did."""

    def __init__(self, path: Path) -> None:
        self._fh = path.open("w", encoding="utf-8")

    def write(self, r: CheckResult) -> None:
        # One shared encoder: json.dumps with options builds a new one per call.
        self._fh.write(json_safe(_LINE.encode(r.to_json())) + "\n")

    def flush(self) -> None:
        self._fh.flush()

    def close(self) -> None:
        self._fh.close()


def gate_options(expect: Path | None, fail_on: Sequence[str], allow_stale: bool) -> GateOptions:
    return GateOptions(
        expectations=load_expectations(expect) if expect is not None else None,
        policy=FailOn.parse(fail_on),
        allow_stale=allow_stale,
    )


def execute(options: RunOptions, stdout: TextIO | None = None) -> tuple[int, dict[str, Any]]:
    out = stdout if stdout is not None else sys.stdout
    started = now()
    if options.wycheproof is not None and (options.vectors_root is not None or options.families):
        raise ConfigurationError(
            "--wycheproof runs a Wycheproof checkout instead of --vectors/--family"
        )
    if options.jobs < 1:
        raise ConfigurationError(f"--jobs must be at least 1, got {options.jobs}")
    # Everything that can be wrong with the invocation fails here, before any check runs.
    selection = Selection(
        tier=options.tier,
        patterns=tuple(options.cases),
        shard=Shard.parse(options.shard) if options.shard else None,
    )
    gate = gate_options(options.expect, options.fail_on, options.allow_stale)
    chosen_profile = profile(options.profile)
    seed = options.seed if options.seed is not None else secrets.randbelow(2**32)
    root = options.vectors_root
    skipped_files: list[dict[str, str]] = []
    if options.wycheproof is not None:
        from .wycheproof import load_wycheproof

        found = load_wycheproof(options.wycheproof)
        files = found.files
        skipped_files = [{"file": f, "reason": why} for f, why in found.skipped]
        if not files:
            raise ConfigurationError(
                f"--wycheproof {options.wycheproof}: no file this suite can run "
                f"({len(found.skipped)} skipped)"
            )
    else:
        paths = loader.discover(root, options.families or None)
        if not paths:
            known = sorted({p.parent.name for p in loader.discover(root)})
            wanted = ", ".join(options.families) or "any family"
            raise ConfigurationError(
                f"no vector files for {wanted}; known families: {', '.join(known) or 'none'}"
            )
        files = loader.load_many(paths, root)
    adapters = load_adapters(options.adapters)
    tasks = plan(files, adapters, selection)
    pairs = (
        plan_pairs(adapters, options.families or None, selection)
        if options.wycheproof is None
        else []
    )
    total = sum(t.size for t in tasks) + len(pairs)
    if options.cases and total == 0:
        raise ConfigurationError(f"--case {' '.join(options.cases)} matches no check")

    options.out.mkdir(parents=True, exist_ok=True)
    stream = ResultStream(options.out / "results.jsonl")
    progress = Progress(total, enabled=options.progress)
    by_task: list[list[CheckResult]] = [[] for _ in tasks]

    def record(i: int, r: CheckResult) -> None:
        by_task[i].append(r)
        stream.write(r)
        progress.result(r)

    try:
        from .parallel import parallel_ok, run_parallel

        if options.jobs > 1 and len(tasks) > 1 and parallel_ok(tasks):

            def done(i: int, task: Task, results: list[CheckResult]) -> None:
                progress.task(task)
                for r in results:
                    record(i, r)
                stream.flush()

            run_parallel(tasks, options.jobs, root, options.wycheproof, done)
        else:
            for i, task in enumerate(tasks):
                progress.task(task)
                run_task(task, functools.partial(record, i))
                stream.flush()
        # Pairs run in this process, after the known-answer tests: they reuse the adapters
        # (and their child processes) already started.
        by_task.append([])
        for pair in pairs:
            progress.begin(f"{pair.first.name}→{pair.second.name}", pair.scenario.check)
            record(len(by_task) - 1, run_pair(pair, seed))
            stream.flush()
    finally:
        stream.close()
        progress.close()
        for a in adapters:
            a.close()

    code, report = build_report(
        results=apply_profile([r for rs in by_task for r in rs], chosen_profile),
        adapters=[a.info() for a in adapters],
        files=files,
        run={
            "command": list(options.command),
            "families": sorted({vf.family for vf in files} | {p.scenario.family for p in pairs}),
            "startedAt": started,
            "finishedAt": now(),
            "seed": seed,
            **selection.describe(),
            "jobs": options.jobs,
            "profile": chosen_profile.to_json(),
            "vectorsRoot": str(root) if root is not None else None,
            "wycheproof": str(options.wycheproof) if options.wycheproof is not None else None,
            "skippedFiles": skipped_files,
        },
        gate=gate,
        today=options.today,
    )
    write_outputs(report, options.out, options.formats)
    out.write(render_summary(report, str(options.out)))
    return code, report
