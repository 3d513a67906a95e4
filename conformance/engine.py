"""Plan and execute: vector files x adapters declaring the file's capability.

The engine streams each result to its sinks as it is produced and never imports pytest; the CLI
and the pytest plugin both drive it.
"""

from __future__ import annotations

import contextlib
import json
import time
import traceback
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from . import interrupts, untrusted
from .adapter import LoadedAdapter
from .capabilities import COMPOSITES, is_marker
from .checks import CHECKS
from .errors import ConfigurationError
from .katrecords import TaskRecords, case_spec
from .model import Case, Group, Step, VectorFile
from .reference.cbc_hmac import CbcHmacPrimitives
from .results import CheckResult, Outcome
from .selection import Selected, Selection, check_prefix
from .stdio import AdapterFault, RpcCapability

__all__ = [
    "Task",
    "cannot_run",
    "case_inputs",
    "case_spec",
    "check_prefix",
    "implementation_for",
    "judge_case",
    "plan",
    "run_task",
]

Sink = Callable[[CheckResult], None]


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
    selection: Selection | None = None,
) -> list[Task]:
    """Every file against every adapter; a file no adapter can run still yields ``unsupported``
    results, so a capability nobody declares is visible in the report rather than absent.

    ``selection`` (tier, ``--case`` patterns, shard) is applied once per file here, and files
    with no selected case are left out. Tasks come adapter by adapter, files in the given order.
    """
    for vf in files:
        for group in vf.groups:
            if group.type.name not in CHECKS:
                raise ConfigurationError(f"{vf.name}: no check knows group type {group.type.name}")
    chosen: list[tuple[VectorFile, Selected | None]] = []
    for vf in files:
        picked = selection.pick(vf) if selection is not None else None
        if picked is None or picked:
            chosen.append((vf, picked))
    return [Task(vf, ad, cases) for ad in adapters for vf, cases in chosen]


def implementation_for(adapter: LoadedAdapter, capability: str) -> object:
    if capability == "aes-256-cbc-hmac-sha256":
        hkdf, cbc, mac = (adapter.get(c) for c in COMPOSITES[capability])
        return CbcHmacPrimitives(hkdf, cbc, mac)  # type: ignore[arg-type]
    if capability in COMPOSITES:
        # A capability plus markers about it (olm-send is olm with the randomness injected), and
        # possibly a second interface over the same keys (ML-DSA's external mu).
        parts = [adapter.get(c) for c in COMPOSITES[capability] if not is_marker(c)]
        return parts[0] if len(parts) == 1 else Joined(tuple(parts))
    return adapter.get(capability)


class Joined:
    """The operations of several capability objects of one adapter as one object: an attribute
    is looked up in each in turn (a composite such as ``ml-dsa-65-sign-mu`` needs key generation
    from ``ml-dsa-65`` and signing from ``ml-dsa-65:external-mu``)."""

    def __init__(self, parts: tuple[object, ...]) -> None:
        self._parts = parts

    def __getattr__(self, name: str) -> object:
        for part in self._parts:
            with contextlib.suppress(AttributeError):
                return getattr(part, name)
        raise AttributeError(name)


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
    records = TaskRecords(vf, capability, (adapter.name,))

    def emit(
        group: Group,
        case: Case,
        took: float | None,
        outcome: Outcome,
        detail: str | None = None,
        behaviour: str | None = None,
    ) -> None:
        # Inputs only where someone will look at them: a full run stays small.
        inputs = case_inputs(group, case) if outcome in ("fail", "error") else None
        duration = None if took is None else round(took, 6)
        sink(records.result(group, case, outcome, detail, behaviour, inputs, duration))

    cases = task.selected()
    cannot = cannot_run(adapter, capability)
    if cannot is not None:
        for group, case in cases:
            emit(group, case, None, *cannot)
        return

    impl = implementation_for(adapter, capability)
    batched = impl if isinstance(impl, RpcCapability) and impl.batching else None
    clock = time.perf_counter
    for start in range(0, len(cases), BATCH):
        chunk = cases[start : start + BATCH]
        began = clock()
        batch_fault = _prefetch(batched, chunk) if batched is not None else None
        # A case's time includes its share of the batch that fetched its answers.
        share = (clock() - began) / len(chunk) if batched is not None else 0.0
        if batch_fault is None:
            # Each result goes out as soon as it is known (progress, results.jsonl).
            for group, case in chunk:
                began = clock()
                verdict = judge_case(group, case, impl)
                emit(group, case, clock() - began + share, *verdict)
        else:
            began = clock()
            verdicts = _after_batch_fault(batch_fault, chunk, impl)
            each = (clock() - began) / len(chunk) + share
            for (group, case), verdict in zip(chunk, verdicts, strict=True):
                emit(group, case, each, *verdict)
        if batched is not None:
            batched.drop_prefetched()


def _after_batch_fault(
    fault: AdapterFault, chunk: Selected, impl: object
) -> list[tuple[Outcome, str | None, str | None]]:
    """The chunk's verdicts once its batch line failed: each check asked alone, so the input
    that causes a crash or a hang gets the error; when every call alone is answered, no input
    explains the fault, the batch answer itself broke the protocol, and none of its checks can
    stand (docs/adapter-protocol.md, "What the suite does when an adapter misbehaves")."""
    judged = [judge_case(group, case, impl) for group, case in chunk]
    if any(outcome == "error" for outcome, _, _ in judged):
        return judged
    why = f"{fault}\n(the batch held this check's calls; asked one by one, every call was answered)"
    return [("error", why, None)] * len(chunk)


def cannot_run(adapter: LoadedAdapter, capability: str) -> tuple[Outcome, str] | None:
    """Why none of a capability's cases can run on this adapter (its outcome and detail), or
    None when they can.

    The start-up error itself is not in the detail: it is the adapter's, kept once in the
    report's adapters section, and may be kilobytes long (a traceback, a standard-error tail)
    that every one of the adapter's results would otherwise copy."""
    if adapter.error is not None:
        return "error", (
            f"adapter {adapter.name} could not start; its error is in the report's adapters section"
        )
    if not adapter.supports(capability):
        return "unsupported", _why_unsupported(adapter, capability)
    return None


def judge_case(group: Group, case: Case, impl: object) -> tuple[Outcome, str | None, str | None]:
    """Run one case's check on an implementation: (outcome, detail, behaviour)."""
    try:
        verdict = CHECKS[group.type.name](group, case, impl)
    except AdapterFault as exc:
        return "error", str(exc), None
    except BaseException as exc:
        if interrupts.is_interruption(exc):
            raise
        # A native exception escaped the adapter: neither a pass nor a fail. BaseException
        # too: an in-process adapter calling sys.exit(0) must not end the run as a pass.
        return "error", native_error(exc), None
    return verdict.outcome, verdict.detail, verdict.behaviour


#: Cases whose calls an out-of-process adapter gets in one batch line.
BATCH = 256


class _PlanStop(Exception):
    pass


class _Planner:
    """Stands in for an implementation to learn which calls a check will make: every call is
    recorded and answered with a placeholder, and a call that depends on a placeholder (an
    iterated check feeding outputs back in) ends the plan, since its input is not known yet."""

    def __init__(self, names: Iterable[str]) -> None:
        self.names = set(names)
        self.calls: list[tuple[str, tuple[object, ...]]] = []

    def __getattr__(self, name: str) -> Callable[..., object]:
        if name not in self.__dict__.get("names", ()):
            raise AttributeError(name)

        def call(*args: object) -> object:
            if any(a is _PLACEHOLDER for a in args):
                raise _PlanStop
            self.calls.append((name, args))
            return _PLACEHOLDER

        return call


_PLACEHOLDER = b"\x00placeholder"


def _prefetch(impl: RpcCapability, chunk: Selected) -> AdapterFault | None:
    """Dry-run the chunk's checks to learn their calls, then fetch all answers in one batch.
    Calls the plan missed simply go out one by one when the check really runs. Returns the
    batch's fault, if it had one."""
    calls: list[tuple[str, tuple[object, ...]]] = []
    for group, case in chunk:
        planner = _Planner(impl.method_names)
        with contextlib.suppress(Exception):
            CHECKS[group.type.name](group, case, planner)
        calls.extend(planner.calls)
    if not calls:
        return None
    try:
        impl.prefetch(calls)
    except AdapterFault as exc:
        # Each check then calls on its own, so the fault lands on the case that causes it.
        impl.drop_prefetched()
        return exc
    return None


def native_error(exc: BaseException) -> str:
    """An exception raised by adapter code, as an ``error`` detail: cleaned and bounded, since
    its message and its frames' source lines are the adapter's text."""
    try:
        frames = traceback.format_exception(type(exc), exc, exc.__traceback__)
        tail = "\n".join("".join(frames).rstrip().splitlines()[-8:])
    except Exception:  # a hostile __str__ must not escape either
        tail = "(traceback unavailable)"
    head = f"native exception {type(exc).__qualname__}: {untrusted.clean(exc, 1000)}"
    return untrusted.clean(head + "\n" + tail, untrusted.ERROR_MESSAGE)


def case_inputs(group: Group, case: Case) -> dict[str, str | int]:
    """The group parameters and case fields a check fed the implementation, bytes as hex."""
    out: dict[str, str | int] = {}
    for source in (group.params, case.fields):
        for name, value in source.items():
            if isinstance(value, tuple):
                out[name] = json.dumps([step_json(s) for s in value], separators=(",", ":"))
            else:
                out[name] = value.hex() if isinstance(value, bytes) else value
    return out


def step_json(step: Step) -> dict[str, str | int]:
    """A scenario step as it is written in a vector file."""
    out: dict[str, str | int] = {"op": step.op, "party": step.party}
    for name, value in step.fields.items():
        out[name] = value.hex() if isinstance(value, bytes) else value
    return out
