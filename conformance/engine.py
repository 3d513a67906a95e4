"""Plan and execute: vector files x adapters declaring the file's capability.

The engine streams each result to its sinks as it is produced and never imports pytest; the CLI
and the pytest plugin both drive it.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from .adapter import LoadedAdapter
from .capabilities import COMPOSITES
from .checks import CHECKS
from .errors import ConfigurationError
from .model import Case, Group, VectorFile
from .reference.cbc_hmac import CbcHmacPrimitives
from .results import CheckResult, Outcome, VectorRef

__all__ = ["Task", "check_id", "implementation_for", "plan", "run_task", "run_tasks"]

Sink = Callable[[CheckResult], None]


Selected = tuple[tuple[Group, Case], ...]


@dataclass(frozen=True)
class Task:
    """The cases of one vector file to run against one adapter (all of them unless ``cases``
    holds a selection)."""

    vectors: VectorFile
    adapter: LoadedAdapter
    cases: Selected | None = None

    def selected(self) -> Selected:
        return self.cases if self.cases is not None else tuple(self.vectors.cases())

    @property
    def size(self) -> int:
        return len(self.cases) if self.cases is not None else self.vectors.number_of_tests


def plan(
    files: Sequence[VectorFile],
    adapters: Sequence[LoadedAdapter],
    select: Callable[[str], bool] | None = None,
) -> list[Task]:
    """Every file against every adapter; a file no adapter can run still yields ``unsupported``
    results, so a capability nobody declares is visible in the report rather than absent.

    ``select``, given a check id, says whether to run that case (``--case`` patterns); it is
    applied once per file here, and files with no selected case are left out.
    """
    for vf in files:
        for group in vf.groups:
            if group.type.name not in CHECKS:
                raise ConfigurationError(f"{vf.name}: no check knows group type {group.type.name}")
    chosen: list[tuple[VectorFile, Selected | None]] = []
    for vf in files:
        if select is None:
            chosen.append((vf, None))
            continue
        prefix = check_prefix(vf)
        picked = tuple((g, c) for g, c in vf.cases() if select(prefix + c.id))
        if picked:
            chosen.append((vf, picked))
    return [Task(vf, ad, cases) for ad in adapters for vf, cases in chosen]


def check_prefix(vf: VectorFile) -> str:
    return f"kat/{vf.name.removesuffix('.json')}/"


def check_id(vf: VectorFile, case_id: str) -> str:
    """The stable id of a known-answer check: ``kat/<family>/<file stem>/<case id>``."""
    return check_prefix(vf) + case_id


def implementation_for(adapter: LoadedAdapter, capability: str) -> object:
    if capability == "aes-256-cbc-hmac-sha256":
        hkdf, cbc, mac = (adapter.get(c) for c in COMPOSITES[capability])
        return CbcHmacPrimitives(hkdf, cbc, mac)  # type: ignore[arg-type]
    return adapter.get(capability)


def _why_unsupported(adapter: LoadedAdapter, capability: str) -> str:
    needed = COMPOSITES.get(capability, (capability,))
    missing = [c for c in needed if not adapter.supports(c)]
    notes = adapter.unavailable()
    parts = [f"{c} ({notes[c]})" if c in notes else c for c in missing]
    return f"{adapter.name} does not declare {', '.join(parts)}"


def run_task(task: Task, sink: Sink) -> None:
    """Run the task's cases on its adapter, sending each result to ``sink``."""
    vf, adapter = task.vectors, task.adapter
    capability = vf.capability
    names = (adapter.name,)
    prefix = check_prefix(vf)

    def emit(
        case: Case, outcome: Outcome, detail: str | None = None, behaviour: str | None = None
    ) -> None:
        sink(
            CheckResult(
                check=prefix + case.id,
                family=vf.family,
                capability=capability,
                adapters=names,
                outcome=outcome,
                vector=VectorRef(vf.name, case.tc_id, case.id),
                expected=case.result,
                flags=case.flags,
                behaviour=behaviour,
                detail=detail,
            )
        )

    cases = task.selected()
    if adapter.error is not None:
        why = f"adapter {adapter.name} could not start: {adapter.error}"
        for _, case in cases:
            emit(case, "error", why)
        return
    if not adapter.supports(capability):
        why = _why_unsupported(adapter, capability)
        for _, case in cases:
            emit(case, "unsupported", why)
        return

    impl = implementation_for(adapter, capability)
    for group, case in cases:
        try:
            verdict = CHECKS[group.type.name](group, case, impl)
        except Exception as exc:
            # A native exception escaped the adapter: neither a pass nor a fail.
            emit(case, "error", _native_error(exc))
            continue
        emit(case, verdict.outcome, verdict.detail, verdict.behaviour)


def run_tasks(
    tasks: Iterable[Task], sink: Sink, on_task: Callable[[Task], None] | None = None
) -> None:
    for task in tasks:
        if on_task is not None:
            on_task(task)
        run_task(task, sink)


def _native_error(exc: BaseException) -> str:
    frames = traceback.format_exception(type(exc), exc, exc.__traceback__)
    tail = "".join(frames).rstrip().splitlines()[-8:]
    return f"native exception {type(exc).__qualname__}: {exc}\n" + "\n".join(tail)
