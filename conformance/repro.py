"""``e2ee-conformance repro CHECK_ID``: run one check again and show what went in and came out.

The check's vector case is found from its id, run on each adapter through a recorder that logs
every call the check makes (arguments, returned value or raised error), and judged exactly as in
a run. Exit status 0 when every adapter passes, 1 when one fails or errors.

What is printed quotes the adapters (versions, error messages, details) and the suite prints no
escape sequence of its own, so every write goes through :func:`conformance.untrusted.terminal`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

from . import loader, untrusted
from .adapter import LoadedAdapter
from .engine import (
    cannot_run,
    case_inputs,
    case_spec,
    check_prefix,
    implementation_for,
    judge_case,
)
from .errors import ConfigurationError, ProtocolError
from .failures import mismatch
from .model import Case, Group, VectorFile
from .registry import load_adapters
from .resources import vectors_dir

__all__ = ["find_case", "repro", "repro_pair"]

_SHOW = 200


def _show(value: object) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_show(v)}" for k, v in value.items()) + "}"
    if isinstance(value, bytes):
        text = value.hex()
        return text if len(text) <= _SHOW else f"{text[:_SHOW]}... ({len(value)} bytes)"
    text = repr(value)
    return text if len(text) <= _SHOW else text[:_SHOW] + "..."


def _writer(out: TextIO) -> Callable[[str], object]:
    def write(text: str) -> object:
        return out.write(untrusted.terminal(text))

    return write


def _raised(exc: BaseException) -> str:
    # An adapter's exception may be huge, or fail to turn into text at all.
    return untrusted.clean(exc, untrusted.ERROR_MESSAGE)


class Recorder:
    """Wraps a capability object; every method call is logged with its outcome."""

    def __init__(self, inner: object) -> None:
        self._inner = inner
        self.calls: list[str] = []

    def __getattr__(self, name: str) -> Any:
        target = getattr(self._inner, name)
        if not callable(target):
            return target

        def call(*args: object) -> object:
            shown = ", ".join(_show(a) for a in args)
            try:
                value = target(*args)
            except ProtocolError as exc:
                self.calls.append(f"{name}({shown})\n      -> refused: {exc.kind}: {_raised(exc)}")
                raise
            except Exception as exc:
                self.calls.append(
                    f"{name}({shown})\n      -> raised {type(exc).__name__}: {_raised(exc)}"
                )
                raise
            self.calls.append(f"{name}({shown})\n      -> {_show(value)}")
            return value

        return call


def find_case(
    check_id: str,
    root: Path | None,
    wycheproof: Path | None = None,
    mls_vectors: Path | None = None,
) -> tuple[VectorFile, Group, Case]:
    """The vector file and case a ``kat/<family>/<file stem>/<case id>`` check id names."""
    if mls_vectors is not None:
        from .mlsvectors import load_mls_vectors

        for vf in load_mls_vectors(mls_vectors).files:
            for group, case in vf.cases():
                if check_prefix(vf) + case.id == check_id:
                    return vf, group, case
        raise ConfigurationError(f"check {check_id}: not in the MLS vector files of {mls_vectors}")
    if wycheproof is not None:
        from .wycheproof import load_wycheproof

        for vf in load_wycheproof(wycheproof).files:
            for group, case in vf.cases():
                if check_prefix(vf) + case.id == check_id:
                    return vf, group, case
        raise ConfigurationError(f"check {check_id}: not in the Wycheproof files of {wycheproof}")
    parts = check_id.split("/")
    if len(parts) < 4 or parts[0] != "kat":
        raise ConfigurationError(
            f"{check_id!r} is not a check id: known-answer checks are kat/<family>/<file>/<case "
            "id>, pair scenarios pair/<family>/<name> and properties prop/<family>/<name> (give "
            "those two sides with --adapter FIRST --adapter SECOND and --seed N); a failure's "
            "reproduce line in the report has them all"
        )
    family, stem, case_id = parts[1], parts[2], "/".join(parts[3:])
    path = (root if root is not None else vectors_dir()) / family / f"{stem}.json"
    if not path.is_file():
        raise ConfigurationError(f"check {check_id}: vector file {path} not found")
    vf = loader.load(path, root)
    for group, case in vf.cases():
        if check_prefix(vf) + case.id == check_id:
            return vf, group, case
    raise ConfigurationError(
        f"check {check_id}: no case with id {case_id!r} in {vf.name} (was the vector set changed?)"
    )


def _run_one(
    adapter: LoadedAdapter, vf: VectorFile, group: Group, case: Case
) -> tuple[str, str, list[str]]:
    cannot = cannot_run(adapter, vf.capability)
    if cannot is not None:
        # No report to point to here: the start-up error itself is what to show.
        if adapter.error is not None:
            return cannot[0], adapter.error, []
        return cannot[0], cannot[1], []
    recorder = Recorder(implementation_for(adapter, vf.capability))
    outcome, detail, behaviour = judge_case(group, case, recorder)
    shown = detail or (f"behaviour: {behaviour}" if behaviour else "")
    return outcome, shown, recorder.calls


def repro(
    check_id: str,
    adapter_specs: Sequence[str],
    root: Path | None,
    out: TextIO,
    wycheproof: Path | None = None,
    mls_vectors: Path | None = None,
) -> int:
    vf, group, case = find_case(check_id, root, wycheproof, mls_vectors)
    adapters = load_adapters(adapter_specs)
    if not adapter_specs:
        adapters = [a for a in adapters if a.supports(vf.capability)]
    w = _writer(out)
    w(f"check    {check_id}\n")
    w(f"vector   {vf.name} tcId {case.tc_id}: {case.comment}\n")
    w(f"expected {case.result}")
    if case.flags:
        notes = [f"{f} ({vf.notes[f].bug_type})" if f in vf.notes else f for f in case.flags]
        w(f"   flags: {', '.join(notes)}")
    w("\n")
    spec = case_spec(group, case)
    if spec:
        w(f"spec     {'; '.join(str(s) for s in spec)}\n")
    w("inputs\n")
    for name, value in case_inputs(group, case).items():
        w(f"  {name} = {value}\n")
    worst = 0
    try:
        for adapter in adapters:
            info = adapter.info()
            outcome, detail, calls = _run_one(adapter, vf, group, case)
            w(f"\n{adapter.name} ({info.implementation} {info.version})\n")
            for c in calls:
                w(f"  {c}\n")
            w(f"  outcome: {outcome.upper()}")
            w(f"  {detail}\n" if detail else "\n")
            wrong = mismatch(detail) if detail else None
            if wrong is not None:
                # The two values can be kilobytes of hex: where they part is what to look at.
                w(f"  {wrong.brief()}\n")
            if outcome in ("fail", "error"):
                worst = 1
    finally:
        for adapter in adapters:
            adapter.close()
    if not adapters:
        w(f"\nno adapter declares {vf.capability}\n")
    return worst


def repro_pair(check_id: str, adapter_specs: Sequence[str], seed: int | None, out: TextIO) -> int:
    """Replay a pair scenario or safety property (``pair/...`` or ``prop/<family>/<name>``) for
    two adapters (first party, second party) with the run's seed, logging every call both sides
    make."""
    from .interop import PairTask, run_pair, scenarios

    found = [s for s in scenarios() if s.check == check_id]
    if not found:
        known = ", ".join(s.check for s in scenarios())
        raise ConfigurationError(f"no pair scenario {check_id!r}; known: {known}")
    sc = found[0]
    if seed is None or len(adapter_specs) < 2 or (sc.kind != "group" and len(adapter_specs) != 2):
        raise ConfigurationError(
            f"{check_id}: give the sides in order with --adapter FIRST --adapter SECOND (and "
            "every further party of a group), and --seed N (the report's reproduce command has "
            "them all)"
        )
    # One adapter per distinct name: a party named twice is one adapter, as in a run.
    distinct = list(dict.fromkeys(adapter_specs))
    loaded = dict(zip(distinct, load_adapters(distinct), strict=True))
    adapters = list(loaded.values())
    w = _writer(out)
    try:
        parties = [loaded[spec] for spec in adapter_specs]
        first, second = parties[0], parties[1]
        w(f"check    {check_id}: {sc.description}\n")
        w(f"parties  {' -> '.join(f'{p.name} {p.version}' for p in parties)}\n")
        w(f"seed     {seed}\n")
        w(f"spec     {'; '.join(str(s) for s in sc.spec)}\n")
        recorders: dict[str, Recorder] = {}

        def record(name: str, impl: object) -> object:
            # One recorder per adapter: a self-pair's calls are logged once, in order.
            return recorders.setdefault(name, Recorder(impl))

        result = run_pair(PairTask(sc, first, second, tuple(parties[2:])), seed, wrap=record)
        for name, rec in recorders.items():
            w(f"\n{name} calls\n")
            for c in rec.calls:
                w(f"  {c}\n")
        w(f"\noutcome: {result.outcome.upper()}")
        w(f"  {result.detail}\n" if result.detail else "\n")
    finally:
        for adapter in adapters:
            adapter.close()
    return 1 if result.outcome in ("fail", "error") else 0
