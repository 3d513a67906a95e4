"""``--jobs N``: run tasks (adapter x vector file), pair scenarios and properties in worker
processes on one machine.

Workers are spawned, not forked, so a native library's state in the parent never leaks into a
child. Each worker loads an adapter from its manifest path once and reuses it; a task travels as
plain names and case ids, a pair as its check id, the two manifest paths and the run's seed, and
their results come back as :class:`CheckResult` objects. Results are handed on per task and per
pair with the index of their place in the plan, so a report does not depend on ``--jobs``.

Workers never outlive the run, nor leave their adapters' processes behind: they ignore SIGINT
(Ctrl-C reaches the whole foreground process group, and the parent decides what happens), close
their adapters when they exit normally, and close them and exit on SIGTERM, which the parent
sends them when it is interrupted (:func:`stop_workers`).
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import multiprocessing
import os
import signal
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from pathlib import Path
from types import FrameType
from typing import Any

from . import interrupts, untrusted
from .adapter import LoadedAdapter, load_adapter
from .engine import Task, run_task
from .interop import PairScenario, PairTask, pair_result, run_pair, scenarios
from .manifest import load_manifest
from .model import VectorFile
from .results import CheckResult, Fault
from .stdio import kill_all

__all__ = ["WORKER_GRACE", "pair_parallel_ok", "parallel_ok", "run_parallel", "stop_workers"]


@dataclass(frozen=True)
class _Job:
    manifest: str
    #: The vector file: its path, or its name (wycheproof/...) when read from a Wycheproof checkout.
    vectors: str
    root: str | None
    #: The Wycheproof checkout (or, with ``external`` "mls", the folder of MLS working-group
    #: files) the file is read from, with that loader, not ours.
    wycheproof: str | None
    case_ids: tuple[str, ...] | None
    external: str = "wycheproof"


@dataclass(frozen=True)
class _PairJob:
    check: str
    first: str
    second: str
    seed: int
    #: A group's parties after the first two.
    others: tuple[str, ...] = ()


_ADAPTERS: dict[str, LoadedAdapter] = {}

#: How long interrupted workers get to close their adapters before they are killed.
WORKER_GRACE = 5.0


def _close_adapters() -> None:
    """Close this worker's adapters, which ends their processes."""
    for adapter in list(_ADAPTERS.values()):
        adapter.close()
    _ADAPTERS.clear()
    # An adapter still starting when the signal came is not in _ADAPTERS yet.
    kill_all()


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    # Once is enough, and a second SIGTERM (the pool sends one to every worker when it sees one
    # die) would re-enter this handler and exit before the first had closed the adapters.
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    _close_adapters()
    # Not sys.exit: the pool would catch SystemExit inside a task and send it back as a result.
    os._exit(128 + signum)


def _worker_init() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _on_sigterm)
    # Spawned workers end through sys.exit after the pool says stop, so atexit runs.
    atexit.register(_close_adapters)


def _adapter(manifest: str) -> LoadedAdapter:
    adapter = _ADAPTERS.get(manifest)
    if adapter is None:
        adapter = load_adapter(load_manifest(Path(manifest)))
        _ADAPTERS[manifest] = adapter
    return adapter


def _work(job: _Job) -> list[CheckResult]:
    from . import loader

    adapter = _adapter(job.manifest)
    if job.wycheproof is not None:
        vf = _external_files(job.external, job.wycheproof)[job.vectors]
    else:
        vf = loader.load(Path(job.vectors), Path(job.root) if job.root else None)
    cases = None
    if job.case_ids is not None:
        wanted = set(job.case_ids)
        cases = tuple((g, c) for g, c in vf.cases() if c.id in wanted)
    out: list[CheckResult] = []
    run_task(Task(vf, adapter, cases), out.append)
    return out


@functools.cache
def _scenarios() -> dict[str, PairScenario]:
    return {sc.check: sc for sc in scenarios()}


def _work_pair(job: _PairJob) -> CheckResult:
    # One manifest on both sides (a self-pair) is one adapter, as in the main process.
    first, second = _adapter(job.first), _adapter(job.second)
    others = tuple(_adapter(m) for m in job.others)
    return run_pair(PairTask(_scenarios()[job.check], first, second, others), job.seed)


@functools.cache
def _external_files(kind: str, folder: str) -> dict[str, VectorFile]:
    """The files a Wycheproof checkout or a folder of MLS working-group files gives, by name:
    one of their files may become several vector files (one per vector type)."""
    if kind == "mls":
        from .mlsvectors import load_mls_vectors

        return {vf.name: vf for vf in load_mls_vectors(Path(folder)).files}
    from .wycheproof import load_wycheproof

    return {vf.name: vf for vf in load_wycheproof(Path(folder)).files}


def parallel_ok(tasks: Sequence[Task]) -> bool:
    """Only adapters a worker can load again from disk can run there (not test objects)."""
    return all(Path(t.adapter.manifest.path).is_file() for t in tasks)


def pair_parallel_ok(pair: PairTask) -> bool:
    """A pair runs in a worker when both its adapters started here and can be loaded there from
    their manifests; one that could not start is an ``error`` result without a call, made here."""
    return all(side.error is None and Path(side.manifest.path).is_file() for side in pair.parties)


def run_parallel(
    tasks: Sequence[Task],
    jobs: int,
    root: Path | None,
    wycheproof: Path | None,
    on_done: Callable[[int, Task, list[CheckResult]], None],
    pairs: Sequence[PairTask] = (),
    seed: int = 0,
    on_pair: Callable[[int, PairTask, CheckResult], None] | None = None,
    external: str = "wycheproof",
) -> None:
    """Run ``tasks`` and then ``pairs`` (with the run's ``seed``) on ``jobs`` workers;
    ``on_done`` gets each task's index, the task and its results as it finishes, ``on_pair``
    each pair's index, the pair and its result.

    A worker that dies (a native crash in an adapter) breaks the pool: every unfinished task and
    pair is then reported as ``error`` results naming that, and the run still completes.
    """
    if pairs and on_pair is None:
        raise ValueError("pairs need on_pair")
    ctx = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=_worker_init)
    try:
        futures: dict[Future[list[CheckResult]], int] = {}
        pair_futures: dict[Future[CheckResult], int] = {}
        for i, task in enumerate(tasks):
            job = _Job(
                manifest=str(task.adapter.manifest.path),
                vectors=task.vectors.name if wycheproof is not None else str(task.vectors.path),
                root=str(root) if root is not None else None,
                wycheproof=str(wycheproof) if wycheproof is not None else None,
                case_ids=None if task.cases is None else tuple(c.id for _, c in task.cases),
                external=external,
            )
            futures[pool.submit(_work, job)] = i
        # Submitted after every task, so the workers start on them once the tasks are done;
        # last first, since the plan puts the long ones (the properties, and among them the
        # newest families' exhaustive ones) at its end, and a long one left for last keeps a
        # worker busy while the others have nothing to do. Results keep plan order anyway.
        for i, pair in reversed(list(enumerate(pairs))):
            pair_job = _PairJob(
                pair.scenario.check,
                str(pair.first.manifest.path),
                str(pair.second.manifest.path),
                seed,
                tuple(str(p.manifest.path) for p in pair.others),
            )
            pair_futures[pool.submit(_work_pair, pair_job)] = i
        every: list[Future[Any]] = [*futures, *pair_futures]
        for done in as_completed(every):
            if interrupts.received():
                # Whoever caught the interruption did not pass it on: stop anyway.
                raise interrupts.Interrupted(interrupts.received() or "SIGINT")
            if done in pair_futures:
                assert on_pair is not None
                i = pair_futures[done]
                on_pair(i, pairs[i], _pair_result(done, pairs[i], seed))
                continue
            fut: Future[list[CheckResult]] = done
            i = futures[fut]
            task = tasks[i]
            try:
                results = fut.result()
            except BrokenProcessPool:
                results = _errors(
                    task,
                    "a worker process died while running this task "
                    "(an adapter crashed the interpreter?); rerun with --jobs 1",
                )
            except BaseException as exc:
                # A worker raised outside any check (SystemExit from adapter code included, sent
                # back as the task's exception): the task's error, and the run goes on.
                if isinstance(exc, interrupts.Interrupted):
                    raise
                results = _errors(
                    task, f"worker failed: {type(exc).__name__}: {untrusted.clean(exc, 2000)}"
                )
            on_done(i, task, results)
    except BaseException:
        # Interrupted, or the parent failed: no new task starts and no worker is left behind.
        stop_workers(pool)
        raise
    # Waits for the workers to exit, and with them to close their adapters.
    pool.shutdown(wait=True)


def stop_workers(pool: ProcessPoolExecutor, grace: float = WORKER_GRACE) -> None:
    """Cancel what has not started, SIGTERM every worker (each closes its adapters and exits),
    and SIGKILL those still alive after ``grace`` seconds."""
    with interrupts.deferred():
        # The executor offers no public way to reach its processes; _processes (pid -> Process)
        # has been there since Python 3.2. Taken before shutdown, which may clear it.
        workers = list((getattr(pool, "_processes", None) or {}).values())
        pool.shutdown(wait=False, cancel_futures=True)
        for w in workers:
            with contextlib.suppress(OSError, ValueError):
                w.terminate()
        deadline = time.monotonic() + grace
        for w in workers:
            with contextlib.suppress(ValueError):
                w.join(max(0.0, deadline - time.monotonic()))
        for w in workers:
            with contextlib.suppress(OSError, ValueError):
                if w.is_alive():
                    w.kill()
                    w.join(1.0)


def _pair_result(fut: Future[CheckResult], pair: PairTask, seed: int) -> CheckResult:
    try:
        return fut.result()
    except BrokenProcessPool:
        why = (
            "a worker process died while running this pair "
            "(an adapter crashed the interpreter?); rerun with --jobs 1"
        )
    except BaseException as exc:
        if isinstance(exc, interrupts.Interrupted):
            raise
        why = f"worker failed: {type(exc).__name__}: {untrusted.clean(exc, 2000)}"
    names = tuple(dict.fromkeys(p.name for p in pair.parties))
    return pair_result(pair, seed, "error", why, fault=Fault("undetermined", names, why))


def _errors(task: Task, why: str) -> list[CheckResult]:
    out: list[CheckResult] = []
    dead = LoadedAdapter(task.adapter.manifest, None, why)
    run_task(Task(task.vectors, dead, task.cases), out.append)
    # The adapter started (the report's adapters section says so): the worker is what failed,
    # and each result says how, not "could not start".
    return [replace(r, detail=why) if r.outcome == "error" else r for r in out]
