"""One check result: the unit that streams to ``results.jsonl`` and fills ``report.json``.

The engine produces the *observed* outcome (pass, fail, error, unsupported). The gate
(:mod:`conformance.gate`) may later turn it into ``expected-fail`` or ``unexpected-pass`` under an
expectations file; those two never come out of the engine.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any, Literal

from . import untrusted
from .model import SpecRef

__all__ = [
    "GATED_OUTCOMES",
    "OBSERVED_OUTCOMES",
    "OUTCOMES",
    "CheckResult",
    "Fault",
    "Outcome",
    "VectorRef",
    "case_part",
    "encode",
    "known_answer",
    "outcome_part",
]

Outcome = Literal["pass", "fail", "error", "unsupported"]
OBSERVED_OUTCOMES: tuple[Outcome, ...] = ("pass", "fail", "error", "unsupported")
#: Outcomes only an expectations file produces.
GATED_OUTCOMES: tuple[str, ...] = ("expected-fail", "unexpected-pass")
#: Every outcome a report can hold, in display order.
OUTCOMES: tuple[str, ...] = (*OBSERVED_OUTCOMES, *GATED_OUTCOMES)


@dataclass(frozen=True, slots=True)
class VectorRef:
    file: str
    tc_id: int
    id: str


#: Who a pair or group result charges: the receiver of the message in question, its sender,
#: both, the party whose adapter failed, or nobody yet (see :mod:`conformance.attribution`).
FAULT_PARTIES = ("receiver", "sender", "both", "adapter", "undetermined")


@dataclass(frozen=True, slots=True)
class Fault:
    """The party at fault in a pair result, and the evidence.

    ``adapters`` are the implementations charged (counts, matrices, gate reasons and
    expectations use them); ``sender`` and ``receiver`` name the adapters on each side of the
    message the failure is about, where one is."""

    party: str
    adapters: tuple[str, ...]
    evidence: str
    sender: str | None = None
    receiver: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "party": self.party,
            "adapters": list(self.adapters),
            "evidence": self.evidence,
        }
        if self.sender is not None:
            out["sender"] = self.sender
        if self.receiver is not None:
            out["receiver"] = self.receiver
        return out


@dataclass(frozen=True, slots=True)
class CheckResult:
    """``check`` is stable across runs and renumbering: ``kat/<file path>/<case id>``.

    ``inputs`` is filled for non-pass results only (what ``repro`` and the HTML report show);
    ``seed`` only by checks that draw random choices.
    """

    check: str
    family: str
    capability: str
    adapters: tuple[str, ...]
    outcome: Outcome
    vector: VectorRef | None = None
    expected: str | None = None
    flags: tuple[str, ...] = ()
    bug_types: tuple[str, ...] = ()
    spec: tuple[SpecRef, ...] = ()
    comment: str | None = None
    behaviour: str | None = None
    detail: str | None = None
    inputs: Mapping[str, str | int] = field(default_factory=dict)
    seed: int | None = None
    #: Pair and group results that are not a pass: who is at fault, and why.
    fault: Fault | None = None
    #: What a check measured beyond its outcome, made by the suite (never adapter text): how
    #: many messages a thief read after a compromise, the verification rules an Ed25519
    #: implementation follows. The report's tables are built from it.
    measured: Mapping[str, str | int] = field(default_factory=dict)
    #: Seconds the check took (its share of a batch included). Not part of what a result
    #: says about the implementation, so results that differ only in it compare equal.
    duration: float | None = field(default=None, compare=False)
    #: The result's :meth:`json_text` when its producer built it. Never passed in (``init=False``),
    #: so ``dataclasses.replace`` cannot carry it over to a result it no longer describes.
    text: str | None = field(default=None, init=False, compare=False, repr=False)

    @property
    def level(self) -> str | None:
        """The strongest RFC 2119 level among the spec references."""
        return strongest_level(self.spec)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "check": self.check,
            "family": self.family,
            "capability": self.capability,
            "adapters": list(self.adapters),
            "outcome": self.outcome,
        }
        out.update(
            case_part(
                self.vector, self.expected, self.flags, self.bug_types, self.spec, self.comment
            )
        )
        out.update(
            outcome_part(
                self.behaviour,
                self.detail,
                self.inputs,
                self.seed,
                self.fault,
                self.duration,
                self.measured,
            )
        )
        return out

    def json_text(self) -> str:
        """:meth:`to_json` as one line of ``results.jsonl`` (without the newline), passed through
        :func:`untrusted.json_safe`. The engine hands known-answer results over with this text
        already built from per-case parts (:mod:`conformance.katrecords`); any other result,
        and one made by ``dataclasses.replace``, which starts without it, is encoded here."""
        if self.text is not None:
            return self.text
        return untrusted.json_safe(encode(self.to_json()))


def case_part(
    vector: VectorRef | None,
    expected: str | None,
    flags: tuple[str, ...],
    bug_types: tuple[str, ...],
    spec: tuple[SpecRef, ...],
    comment: str | None,
) -> dict[str, Any]:
    """The record's keys that follow ``outcome`` and depend only on the vector case: the
    engine encodes them once per case (:mod:`conformance.katrecords`), so they are one function
    for both paths."""
    out: dict[str, Any] = {}
    if vector is not None:
        out["vector"] = {"file": vector.file, "tcId": vector.tc_id, "id": vector.id}
    if expected is not None:
        out["expected"] = expected
    if flags:
        out["flags"] = list(flags)
    if bug_types:
        out["bugTypes"] = list(bug_types)
    if spec:
        spec_json, level = _spec_part(spec)
        out["spec"] = list(spec_json)
        if level is not None:
            out["level"] = level
    if comment:
        out["comment"] = comment
    return out


def outcome_part(
    behaviour: str | None,
    detail: str | None,
    inputs: Mapping[str, str | int],
    seed: int | None,
    fault: Fault | None,
    duration: float | None = None,
    measured: Mapping[str, str | int] | None = None,
) -> dict[str, Any]:
    """The record's keys after the case's: what this run observed, and how long it took."""
    out: dict[str, Any] = {}
    if behaviour is not None:
        out["behaviour"] = behaviour
    if detail is not None:
        # A detail may quote an adapter (an error message, a stderr tail): bounded here as
        # well as where it entered, since an in-process adapter's text enters anywhere.
        out["detail"] = untrusted.clean(detail, untrusted.DETAIL)
    if inputs:
        out["inputs"] = dict(inputs)
    if seed is not None:
        out["seed"] = seed
    if fault is not None:
        out["fault"] = fault.to_json()
    if measured:
        out["measured"] = dict(measured)
    if duration is not None:
        out["duration"] = duration
    return out


_LINE = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)


def _c_encoder() -> Callable[[object], str]:
    """``_LINE.encode`` without its per-call set-up: ``JSONEncoder.encode`` builds a new C
    encoder for every object, which costs more than encoding a result. Same options, so the
    same text; the circular-reference check is left out since records are trees. Falls back to
    ``_LINE.encode`` where the C accelerator is missing."""
    from json import encoder as json_encoder

    make = getattr(json_encoder, "c_make_encoder", None)
    if make is None:
        return _LINE.encode
    chunks = make(
        None,
        _LINE.default,
        json_encoder.encode_basestring,
        None,
        _LINE.key_separator,
        _LINE.item_separator,
        False,
        False,
        True,
    )

    def encode(obj: object) -> str:
        return "".join(chunks(obj, 0))

    return encode


#: JSON text of a record (or any part of one) as ``results.jsonl`` writes it: compact, not
#: ASCII-escaped (see :func:`untrusted.json_safe` for what is escaped afterwards).
encode: Callable[[object], str] = _c_encoder()


# The slots known_answer sets, in the order it unpacks their setters; every field, or importing
# this module fails rather than leave one unset.
_KNOWN_ANSWER_SLOTS = (
    "check",
    "family",
    "capability",
    "adapters",
    "outcome",
    "vector",
    "expected",
    "flags",
    "bug_types",
    "spec",
    "comment",
    "behaviour",
    "detail",
    "inputs",
    "seed",
    "fault",
    "measured",
    "duration",
    "text",
)
#: Shared by every known-answer result (which measures nothing) and never changed. A plain dict,
#: not a MappingProxyType: results travel between worker processes by pickle.
_NOTHING_MEASURED: Mapping[str, str | int] = {}

if set(_KNOWN_ANSWER_SLOTS) != {f.name for f in fields(CheckResult)}:
    raise ImportError("results.known_answer does not set every field of CheckResult")
_SETTERS = tuple(vars(CheckResult)[name].__set__ for name in _KNOWN_ANSWER_SLOTS)


def known_answer(
    check: str,
    family: str,
    capability: str,
    adapters: tuple[str, ...],
    outcome: Outcome,
    vector: VectorRef,
    expected: str,
    flags: tuple[str, ...],
    bug_types: tuple[str, ...],
    spec: tuple[SpecRef, ...],
    comment: str | None,
    behaviour: str | None,
    detail: str | None,
    inputs: Mapping[str, str | int],
    duration: float | None,
    text: str,
) -> CheckResult:
    """A known-answer result with the :meth:`~CheckResult.json_text` its producer built.

    Not through the frozen ``__init__``: it sets each field by ``object.__setattr__``, which
    for a result's 17 fields cost about what a fast adapter takes to answer the case. This sets
    the same slots through their descriptors, as ``__init__`` does past the frozen guard; the
    class has no ``__post_init__`` to run. Known-answer results have no seed and no fault."""
    (
        s_check,
        s_family,
        s_capability,
        s_adapters,
        s_outcome,
        s_vector,
        s_expected,
        s_flags,
        s_bug_types,
        s_spec,
        s_comment,
        s_behaviour,
        s_detail,
        s_inputs,
        s_seed,
        s_fault,
        s_measured,
        s_duration,
        s_text,
    ) = _SETTERS
    r: CheckResult = object.__new__(CheckResult)
    s_check(r, check)
    s_family(r, family)
    s_capability(r, capability)
    s_adapters(r, adapters)
    s_outcome(r, outcome)
    s_vector(r, vector)
    s_expected(r, expected)
    s_flags(r, flags)
    s_bug_types(r, bug_types)
    s_spec(r, spec)
    s_comment(r, comment)
    s_behaviour(r, behaviour)
    s_detail(r, detail)
    s_inputs(r, inputs)
    s_seed(r, None)
    s_fault(r, None)
    s_measured(r, _NOTHING_MEASURED)
    s_duration(r, duration)
    s_text(r, text)
    return r


_LEVEL_ORDER = ("MUST", "MUST NOT", "SHOULD", "SHOULD NOT", "MAY")


def strongest_level(spec: tuple[SpecRef, ...]) -> str | None:
    levels = [s.level for s in spec if s.level in _LEVEL_ORDER]
    return min(levels, key=_LEVEL_ORDER.index) if levels else None


@functools.lru_cache(maxsize=4096)
def _spec_part(spec: tuple[SpecRef, ...]) -> tuple[tuple[dict[str, str], ...], str | None]:
    """The JSON of a spec tuple and its strongest level, worked out once per tuple: a file's
    cases share a handful of them, and this runs for every result (the harness's hot path).
    The dicts are shared between results: nothing changes them after serialisation."""
    return tuple(_spec_json(s) for s in spec), strongest_level(spec)


def _spec_json(s: SpecRef) -> dict[str, str]:
    out = {"document": s.document, "section": s.section}
    if s.level:
        out["level"] = s.level
    return out
