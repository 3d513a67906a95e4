"""A full run: resolve adapters, load vectors, select, execute with progress, stream results,
gate, write the report in every format and return the exit status (see :mod:`conformance.gate`).

However the checks end (all done, SIGINT or SIGTERM, or an exception inside the suite), every
adapter and worker process is ended first, then the report is written from the results that
exist, saying why it is short (``run.interrupted``, ``run.incomplete``): a CI job that keeps the
report always gets one, and a short one never passes the gate.
"""

from __future__ import annotations

import functools
import os
import secrets
import sys
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TextIO

from . import interrupts, loader, unsupported, untrusted
from .adapter import LoadedAdapter, load_adapter
from .attacks.ed25519_cases import CCTV_ENV
from .engine import Task, plan, run_task
from .errors import ConfigurationError, RunIncomplete
from .exitcodes import for_signal
from .expectations import load_expectations
from .gate import FailOn
from .interop import PairTask, plan_pairs, run_pair
from .model import VectorFile
from .outlock import out_lock
from .profiles import apply_profile, profile
from .progress import Progress
from .registry import resolve
from .report import GateOptions, build_report
from .results import CheckResult, encode
from .selection import Selection, Shard, Tier
from .stdio import kill_all
from .summary import render_summary
from .writers import FORMATS, write_outputs

__all__ = ["ResultStream", "RunOptions", "execute"]


@dataclass
class RunOptions:
    adapters: Sequence[str] = ()
    families: Sequence[str] = ()
    out: Path = Path("reports/latest")
    vectors_root: Path | None = None
    wycheproof: Path | None = None
    #: A folder of the MLS working group's test-vector files (mlswg/mls-implementations format).
    mls_vectors: Path | None = None
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


class ResultStream:
    """``results.jsonl``: each result is kept as it comes and written out after every task and
    at least every :attr:`FLUSH_EVERY` seconds within a long one, so a run that dies still leaves
    what it did."""

    FLUSH_EVERY = 1.0

    def __init__(self, path: Path) -> None:
        self._fh = path.open("w", encoding="utf-8")
        self._pending: list[str] = []
        self._unsupported: list[dict[str, Any]] = []
        self._flushed = time.monotonic()

    def write(self, r: CheckResult) -> None:
        if r.outcome == "unsupported":
            # Summarised as report.json has them (conformance.unsupported): one line per
            # adapter and file or check, written when its task or pair ends.
            self._unsupported.append(r.to_json())
            return
        # Lines are joined and written once per flush: a write call per result costs more than
        # building its line, and a full run writes tens of thousands of them.
        self._pending.append(r.json_text())
        if time.monotonic() - self._flushed >= self.FLUSH_EVERY:
            self._write_pending()

    def flush(self) -> None:
        """Write out everything so far: called as each task or pair ends."""
        if self._unsupported:
            _, entries = unsupported.split(self._unsupported)
            self._pending.extend(untrusted.json_safe(encode(e)) for e in entries)
            self._unsupported.clear()
        self._write_pending()

    def _write_pending(self) -> None:
        if self._pending:
            self._pending.append("")  # the last line's newline
            self._fh.write("\n".join(self._pending))
            self._pending.clear()
        self._fh.flush()
        self._flushed = time.monotonic()

    def close(self) -> None:
        try:
            self.flush()
        finally:
            self._fh.close()


def gate_options(expect: Path | None, fail_on: Sequence[str], allow_stale: bool) -> GateOptions:
    return GateOptions(
        expectations=load_expectations(expect) if expect is not None else None,
        policy=FailOn.parse(fail_on),
        allow_stale=allow_stale,
    )


@dataclass
class _Ending:
    """How the checks ended: ``interrupted`` names the signal, ``failure`` is the exception
    inside the suite that stopped them; neither set means they all ran."""

    interrupted: str | None = None
    failure: BaseException | None = None


def execute(options: RunOptions, stdout: TextIO | None = None) -> tuple[int, dict[str, Any]]:
    """Run, write the report, return the exit status and the report.

    An interrupted run returns 130 or 143 after writing its report. An exception inside the
    suite (even an adapter's ``SystemExit``) becomes :class:`RunIncomplete`, raised once the
    report of what did run is written.
    """
    out = stdout if stdout is not None else sys.stdout
    started = now()
    if options.wycheproof is not None and options.vectors_root is not None:
        raise ConfigurationError("--wycheproof runs a Wycheproof checkout instead of --vectors")
    if options.mls_vectors is not None and (
        options.vectors_root is not None or options.wycheproof is not None
    ):
        raise ConfigurationError(
            "--mls-vectors runs the MLS working group's files instead of --vectors or --wycheproof"
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
    files, skipped_files = _vector_files(options)

    # The lock covers the report too: it is the report's files another run must not mix into.
    with out_lock(options.out), interrupts.trap():
        with _adapters(options.adapters) as adapters:
            tasks = plan(files, adapters, selection)
            pairs = (
                plan_pairs(adapters, options.families or None, selection)
                if options.wycheproof is None and options.mls_vectors is None
                else []
            )
            total = sum(t.size for t in tasks) + len(pairs)
            if options.cases and total == 0:
                raise ConfigurationError(f"--case {' '.join(options.cases)} matches no check")
            by_task: list[list[CheckResult]] = [[] for _ in tasks]
            ending = _run_checks(options, tasks, pairs, seed, total, by_task)
        # The adapters are closed (and their processes ended) before the report is written.

        # A signal that came while adapters were being closed still interrupted the run.
        interrupted = ending.interrupted or interrupts.received()
        run: dict[str, Any] = {
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
            "mlsVectors": str(options.mls_vectors) if options.mls_vectors is not None else None,
            # Set by --cctv (conformance.attacks.ed25519_cases.use_cctv) for every process.
            "cctv": os.environ.get(CCTV_ENV) or None,
            "skippedFiles": skipped_files,
            "planned": total,
        }
        if interrupted is not None:
            run["interrupted"] = interrupted
        elif ending.failure is not None:
            run["incomplete"] = _name(ending.failure)
        try:
            code, report = build_report(
                results=apply_profile([r for rs in by_task for r in rs], chosen_profile),
                adapters=[a.info() for a in adapters],
                files=files,
                run=run,
                gate=gate,
                today=options.today,
            )
            write_outputs(report, options.out, options.formats)
        except Exception as exc:
            if ending.failure is None:
                raise
            ending.failure.add_note(f"the report could not be written either: {_name(exc)}")
            raise RunIncomplete(ending.failure, None) from ending.failure
    out.write(render_summary(report, str(options.out)))
    if interrupted is not None:
        return for_signal(interrupted), report
    if ending.failure is not None:
        raise RunIncomplete(ending.failure, str(options.out)) from ending.failure
    return code, report


def _name(exc: BaseException) -> str:
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _vector_files(options: RunOptions) -> tuple[list[VectorFile], list[dict[str, str]]]:
    """The vector files to run, and those found but skipped (with why)."""
    if options.mls_vectors is not None:
        from .mlsvectors import load_mls_vectors

        mls = load_mls_vectors(options.mls_vectors)
        if not mls.files:
            raise ConfigurationError(
                f"--mls-vectors {options.mls_vectors}: no file this suite can run "
                f"({len(mls.skipped)} skipped: "
                + "; ".join(f"{f}: {why}" for f, why in mls.skipped[:5])
                + ")"
            )
        return list(mls.files), [{"file": f, "reason": why} for f, why in mls.skipped]
    if options.wycheproof is not None:
        from .wycheproof import load_wycheproof

        found = load_wycheproof(options.wycheproof)
        if not found.files:
            raise ConfigurationError(
                f"--wycheproof {options.wycheproof}: no file this suite can run "
                f"({len(found.skipped)} skipped)"
            )
        files = list(found.files)
        if options.families:
            # --family picks the files whose vector types are that family's (pq: ML-KEM, ML-DSA).
            from .wycheproof import suite_family

            files = [vf for vf in files if suite_family(vf) in options.families]
            if not files:
                known = sorted({suite_family(vf) for vf in found.files})
                raise ConfigurationError(
                    f"--wycheproof {options.wycheproof}: no file of family "
                    f"{', '.join(options.families)} (its files are of: {', '.join(known)})"
                )
        return files, [{"file": f, "reason": why} for f, why in found.skipped]
    root = options.vectors_root
    if root is not None and not root.is_dir():
        raise ConfigurationError(f"--vectors {root}: not a folder of vector files")
    paths = loader.discover(root, options.families or None)
    if not paths:
        known = sorted({p.parent.name for p in loader.discover(root)})
        wanted = ", ".join(options.families) or "any family"
        raise ConfigurationError(
            f"no vector files for {wanted}; known families: {', '.join(known) or 'none'}"
        )
    return list(loader.load_many(paths, root)), []


#: Adapters started at once: most of a start is waiting for a child process (an interpreter or
#: Node.js loading its library), so a few in parallel take the time of about one.
STARTERS = 4


@contextmanager
def _adapters(specs: Sequence[str]) -> Iterator[list[LoadedAdapter]]:
    """The adapters, started a few at a time (:data:`STARTERS`) and kept in the order given;
    however the block ends (an interruption while some are starting included), every one that
    started is closed (which ends its processes) before it is left."""
    manifests = resolve(specs)
    adapters: list[LoadedAdapter] = []
    pool = ThreadPoolExecutor(max_workers=max(1, min(STARTERS, len(manifests))))
    futures = [pool.submit(load_adapter, m) for m in manifests]
    try:
        for f in futures:
            adapters.append(f.result())
        yield adapters
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
        with interrupts.deferred():
            for a in adapters:
                a.close()
            for f in futures:
                # Started after the one that failed or was interrupted: not in the list.
                started = f.done() and not f.cancelled() and f.exception() is None
                if started and f.result() not in adapters:
                    f.result().close()
            if interrupts.received() is not None:
                # Some may have been starting when the signal came: nothing holds them yet.
                kill_all()


def _run_checks(
    options: RunOptions,
    tasks: Sequence[Task],
    pairs: Sequence[PairTask],
    seed: int,
    total: int,
    by_task: list[list[CheckResult]],
) -> _Ending:
    """Run every task and pair into ``by_task`` (one list per task, then one per pair) and
    ``results.jsonl``, in worker processes with ``--jobs`` > 1; stop at the first interruption
    or at an exception inside the suite."""
    stream = ResultStream(options.out / "results.jsonl")
    progress = Progress(total, enabled=options.progress)

    def record(i: int, r: CheckResult) -> None:
        by_task[i].append(r)
        stream.write(r)
        progress.result(r)

    def stop_if_interrupted() -> None:
        # A handler between the signal and here (adapter code catching BaseException) may
        # have swallowed the exception; the flag it cannot swallow.
        name = interrupts.received()
        if name is not None:
            raise interrupts.Interrupted(name)

    # One list per pair after the tasks' lists: the report keeps plan order however the pairs
    # finish.
    first_pair = len(by_task)
    by_task.extend([] for _ in pairs)

    def run_here(i: int, pair: PairTask) -> None:
        stop_if_interrupted()
        progress.begin(pair.label, pair.scenario.check)
        record(first_pair + i, run_pair(pair, seed))
        stream.flush()

    try:
        from .parallel import pair_parallel_ok, parallel_ok, run_parallel

        remote = [i for i, p in enumerate(pairs) if pair_parallel_ok(p)]
        if options.jobs > 1 and len(tasks) + len(remote) > 1 and parallel_ok(tasks):

            def done(i: int, task: Task, results: list[CheckResult]) -> None:
                progress.task(task)
                for r in results:
                    record(i, r)
                stream.flush()

            def pair_done(k: int, pair: PairTask, r: CheckResult) -> None:
                progress.begin(pair.label, pair.scenario.check)
                record(first_pair + remote[k], r)
                stream.flush()

            run_parallel(
                tasks,
                options.jobs,
                options.vectors_root,
                options.wycheproof or options.mls_vectors,
                done,
                pairs=[pairs[i] for i in remote],
                seed=seed,
                on_pair=pair_done,
                external="mls" if options.mls_vectors is not None else "wycheproof",
            )
            # Those a worker cannot load (an adapter that could not start: an error result
            # without a call) run here.
            kept = set(remote)
            for i, pair in enumerate(pairs):
                if i not in kept:
                    run_here(i, pair)
        else:
            for i, task in enumerate(tasks):
                stop_if_interrupted()
                progress.task(task)
                run_task(task, functools.partial(record, i))
                stream.flush()
            # Pairs run after the known-answer tests: they reuse the adapters (and their child
            # processes) already started.
            for i, pair in enumerate(pairs):
                run_here(i, pair)
        stop_if_interrupted()
        return _Ending()
    except BaseException as exc:
        # BaseException: an in-process adapter's SystemExit or KeyboardInterrupt that escaped
        # the engine must not end the run without a report either.
        name = exc.signal_name if isinstance(exc, interrupts.Interrupted) else interrupts.received()
        return _Ending(interrupted=name) if name is not None else _Ending(failure=exc)
    finally:
        stream.close()
        progress.close()
