"""A full run: resolve adapters, load vectors, plan, execute with progress, stream results, write
``report.json`` and return the exit status (0 nothing failed or errored, 1 otherwise)."""

from __future__ import annotations

import fnmatch
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from . import loader
from .engine import Task, plan, run_tasks
from .errors import ConfigurationError
from .progress import Progress
from .registry import load_adapters
from .report import build_report, write_report
from .results import CheckResult
from .summary import render_summary

__all__ = ["ResultStream", "RunOptions", "execute"]


@dataclass
class RunOptions:
    adapters: Sequence[str] = ()
    families: Sequence[str] = ()
    out: Path = Path("reports/latest")
    vectors_root: Path | None = None
    cases: Sequence[str] = ()
    progress: bool = True
    command: Sequence[str] = field(default_factory=lambda: list(sys.argv))


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _selector(patterns: Sequence[str]) -> Callable[[str], bool] | None:
    if not patterns:
        return None
    return lambda cid: any(fnmatch.fnmatchcase(cid, p) for p in patterns)


_LINE = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)


class ResultStream:
    """``results.jsonl``: each result is written as it comes, flushed after every task."""

    def __init__(self, path: Path) -> None:
        self._fh = path.open("w", encoding="utf-8")

    def write(self, r: CheckResult) -> None:
        # One shared encoder: json.dumps with options builds a new one per call.
        self._fh.write(_LINE.encode(r.to_json()) + "\n")

    def flush(self) -> None:
        self._fh.flush()

    def close(self) -> None:
        self._fh.close()


def execute(options: RunOptions, stdout: TextIO | None = None) -> tuple[int, dict[str, Any]]:
    out = stdout if stdout is not None else sys.stdout
    started = _now()
    root = options.vectors_root
    paths = loader.discover(root, options.families or None)
    if not paths:
        known = sorted({p.parent.name for p in loader.discover(root)})
        wanted = ", ".join(options.families) or "any family"
        raise ConfigurationError(
            f"no vector files for {wanted}; known families: {', '.join(known) or 'none'}"
        )
    files = loader.load_many(paths, root)
    adapters = load_adapters(options.adapters)
    tasks = plan(files, adapters, _selector(options.cases))
    total = sum(t.size for t in tasks)
    if options.cases and total == 0:
        raise ConfigurationError(f"--case {' '.join(options.cases)} matches no check")

    options.out.mkdir(parents=True, exist_ok=True)
    stream = ResultStream(options.out / "results.jsonl")
    progress = Progress(total, enabled=options.progress)
    results: list[CheckResult] = []

    def sink(r: CheckResult) -> None:
        results.append(r)
        stream.write(r)
        progress.result(r)

    def on_task(task: Task) -> None:
        stream.flush()
        progress.task(task)

    try:
        run_tasks(tasks, sink, on_task)
    finally:
        stream.close()
        progress.close()
        for a in adapters:
            a.close()

    report = build_report(
        results=results,
        adapters=[a.info() for a in adapters],
        files=files,
        command=options.command,
        families=sorted({vf.family for vf in files}),
        started=started,
        finished=_now(),
    )
    write_report(options.out / "report.json", report)
    out.write(render_summary(report, str(options.out / "report.json")))
    return (0 if report["verdict"] == "pass" else 1), report
