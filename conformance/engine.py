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
from .model import VectorFile
from .reference.cbc_hmac import CbcHmacPrimitives
from .results import CheckResult, Outcome, VectorRef

__all__ = ["Task", "check_id", "implementation_for", "plan", "run_task", "run_tasks"]

Sink = Callable[[CheckResult], None]


@dataclass(frozen=True)
class Task:
    """All cases of one vector file against one adapter."""

    vectors: VectorFile
    adapter: LoadedAdapter

    @property
    def size(self) -> int:
        return self.vectors.number_of_tests


def plan(files: Sequence[VectorFile], adapters: Sequence[LoadedAdapter]) -> list[Task]:
    """Every file against every adapter; a file no adapter can run still yields ``unsupported``
    results, so a capability nobody declares is visible in the report rather than absent."""
    for vf in files:
        for group in vf.groups:
            if group.type.name not in CHECKS:
                raise ConfigurationError(f"{vf.name}: no check knows group type {group.type.name}")
    return [Task(vf, ad) for ad in adapters for vf in files]


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


def run_task(task: Task, sink: Sink, select: Callable[[str], bool] | None = None) -> None:
    """Run every case of the task's file on its adapter, sending each result to ``sink``.

    ``select``, given a check id, says whether to run that case (``--case`` patterns).
    """
    vf, adapter = task.vectors, task.adapter
    capability = vf.capability
    names = (adapter.name,)

    def emit(
        case_ref: VectorRef,
        expected: str,
        flags: tuple[str, ...],
        outcome: Outcome,
        detail: str | None = None,
        behaviour: str | None = None,
    ) -> None:
        sink(
            CheckResult(
                check=prefix + case_ref.id,
                family=vf.family,
                capability=capability,
                adapters=names,
                outcome=outcome,
                vector=case_ref,
                expected=expected,
                flags=flags,
                behaviour=behaviour,
                detail=detail,
            )
        )

    prefix = check_prefix(vf)
    cases = [(g, c) for g, c in vf.cases() if select is None or select(prefix + c.id)]
    if adapter.error is not None:
        for _, case in cases:
            emit(
                VectorRef(vf.name, case.tc_id, case.id),
                case.result,
                case.flags,
                "error",
                f"adapter {adapter.name} could not start: {adapter.error}",
            )
        return
    if not adapter.supports(capability):
        why = _why_unsupported(adapter, capability)
        for _, case in cases:
            emit(
                VectorRef(vf.name, case.tc_id, case.id), case.result, case.flags, "unsupported", why
            )
        return

    impl = implementation_for(adapter, capability)
    for group, case in cases:
        check = CHECKS[group.type.name]
        ref = VectorRef(vf.name, case.tc_id, case.id)
        try:
            verdict = check(group, case, impl)
        except Exception as exc:
            # A native exception escaped the adapter: neither a pass nor a fail.
            emit(ref, case.result, case.flags, "error", _native_error(exc))
            continue
        emit(ref, case.result, case.flags, verdict.outcome, verdict.detail, verdict.behaviour)


def run_tasks(
    tasks: Iterable[Task],
    sink: Sink,
    on_task: Callable[[Task], None] | None = None,
    select: Callable[[str], bool] | None = None,
) -> None:
    for task in tasks:
        if on_task is not None:
            on_task(task)
        run_task(task, sink, select)


def _native_error(exc: BaseException) -> str:
    frames = traceback.format_exception(type(exc), exc, exc.__traceback__)
    tail = "".join(frames).rstrip().splitlines()[-8:]
    return f"native exception {type(exc).__qualname__}: {exc}\n" + "\n".join(tail)
