"""Known-answer results and their ``results.jsonl`` text, assembled from parts made once.

Most of a known-answer record is fixed before its check runs: the task fixes the check id's
prefix, the family, the capability and the adapter, and a file's cases share a handful of flag
sets and spec references. Only the case's id, ``tcId`` and comment, the outcome and, rarely, a
behaviour, a detail and the inputs differ from one result to the next. Encoding the whole record
for every result cost several times what a fast adapter takes to answer, so the shared parts are
encoded once per task and a result's text is their concatenation with the few that differ.

That is exact: JSON escapes a string character by character, so the text of ``prefix + id`` is
the text of ``prefix`` followed by that of ``id``, and :func:`untrusted.json_safe` too maps each
character on its own, so applying it to each part equals applying it to the line (every escape
and bound on adapter text, a detail above all, is still applied: ``outcome_part`` cleans it as
``to_json`` does). The parts come from the functions :meth:`CheckResult.to_json` uses
(``case_part``, ``outcome_part``) and its encoder, except the few members that differ for every
case (check id, vector reference, comment), spelled out here for speed;
tests/test_katrecords.py holds the two paths to the same text, hostile text included.
"""

from __future__ import annotations

import json.encoder
from collections.abc import Callable, Mapping

from .model import Case, Group, SpecRef, VectorFile
from .results import (
    CheckResult,
    Outcome,
    VectorRef,
    case_part,
    encode,
    known_answer,
    outcome_part,
)
from .selection import check_prefix
from .untrusted import json_safe

__all__ = ["TaskRecords", "case_spec"]


def case_spec(group: Group, case: Case) -> tuple[SpecRef, ...]:
    """The spec sections a case answers to: its own source if it has one, else its group's."""
    return (case.source,) if case.source is not None else group.spec_refs


def _members(part: Mapping[str, object]) -> str:
    """``part``'s JSON members with a comma before them, to follow members already written;
    made safe."""
    return json_safe("," + encode(part)[1:-1]) if part else ""


#: A string as JSON, quoted: the function results.encode calls for every string it meets (the
#: C one where there is one), so the text is the same.
_quoted: Callable[[str], str] = json.encoder.encode_basestring

_OUTCOME_TEXT = {o: encode(o) for o in ("pass", "fail", "error", "unsupported")}
_NO_INPUTS: Mapping[str, str | int] = {}


class TaskRecords:
    """Results of one task (one vector file on one adapter) with their text, from its parts.

    Parts shared by several cases are kept only for the task, so nothing outlives the objects
    whose identity keys them."""

    def __init__(self, vf: VectorFile, capability: str, adapters: tuple[str, ...]) -> None:
        self.vf = vf
        self.family = vf.family
        self.capability = capability
        self.adapters = adapters
        self.prefix = check_prefix(vf)
        # Everything before the case id, and everything between it and the outcome.
        self._head = json_safe('{"check":"' + _quoted(self.prefix)[1:-1])
        self._middle = json_safe(
            '","family":'
            + encode(vf.family)
            + ',"capability":'
            + encode(capability)
            + ',"adapters":'
            + encode(list(adapters))
            + ',"outcome":'
        )
        # case_part's "vector" member up to the tcId.
        self._vector = json_safe(',"vector":{"file":' + encode(vf.name) + ',"tcId":')
        self._expected: dict[str, str] = {}
        self._flags: dict[tuple[str, ...], tuple[tuple[str, ...], str]] = {}
        self._group_spec: dict[int, tuple[Group, tuple[SpecRef, ...], str]] = {}
        self._spec: dict[SpecRef, tuple[tuple[SpecRef, ...], str]] = {}

    def result(
        self,
        group: Group,
        case: Case,
        outcome: Outcome,
        detail: str | None = None,
        behaviour: str | None = None,
        inputs: Mapping[str, str | int] | None = None,
        duration: float | None = None,
    ) -> CheckResult:
        """The result of ``case`` (of ``group``), its ``text`` set."""
        expected = self._expected.get(case.result)
        if expected is None:
            expected = self._expected[case.result] = _members({"expected": case.result})
        flagged = self._flags.get(case.flags)
        if flagged is None:
            flagged = self._flags[case.flags] = self._flag_part(case.flags)
        bug_types, flags_text = flagged
        spec, spec_text = self._spec_part(group, case)
        comment = case.comment or None
        if behaviour is None and detail is None and not inputs:
            observed = ""  # a plain pass: nothing to encode
        else:
            observed = _members(outcome_part(behaviour, detail, inputs or _NO_INPUTS, None, None))
        quoted_id = json_safe(_quoted(case.id))
        text = "".join(
            (
                self._head,
                quoted_id[1:-1],
                self._middle,
                _OUTCOME_TEXT.get(outcome) or json_safe(_quoted(outcome)),
                self._vector,
                # What the encoder writes for a plain int; anything else (a bool from a
                # hand-made case) it is asked to write.
                str(case.tc_id) if type(case.tc_id) is int else encode(case.tc_id),
                ',"id":',
                quoted_id,
                "}",
                expected,
                flags_text,
                spec_text,
                ',"comment":' + json_safe(_quoted(comment)) if comment else "",
                observed,
                # outcome_part's last member; a float as the encoder writes it.
                "" if duration is None else ',"duration":' + encode(duration),
                "}",
            )
        )
        return known_answer(
            self.prefix + case.id,
            self.family,
            self.capability,
            self.adapters,
            outcome,
            VectorRef(self.vf.name, case.tc_id, case.id),
            case.result,
            case.flags,
            bug_types,
            spec,
            comment,
            behaviour,
            detail,
            inputs if inputs is not None else {},
            duration,
            text,
        )

    def _flag_part(self, flags: tuple[str, ...]) -> tuple[tuple[str, ...], str]:
        """The bug types the file's notes give ``flags``, and the two as record members."""
        seen: dict[str, None] = {}
        for flag in flags:
            note = self.vf.notes.get(flag)
            if note is not None:
                seen[note.bug_type] = None
        bug_types = tuple(seen)
        return bug_types, _members(case_part(None, None, flags, bug_types, (), None))

    def _spec_part(self, group: Group, case: Case) -> tuple[tuple[SpecRef, ...], str]:
        """:func:`case_spec` and it (with its level) as record members: worked out once per
        group, and once per case source for the cases that have their own."""
        source = case.source
        if source is None:
            found = self._group_spec.get(id(group))
            if found is None or found[0] is not group:
                spec = group.spec_refs
                found = self._group_spec[id(group)] = (group, spec, self._spec_members(spec))
            return found[1], found[2]
        own = self._spec.get(source)
        if own is None:
            spec = (source,)
            own = self._spec[source] = (spec, self._spec_members(spec))
        return own

    @staticmethod
    def _spec_members(spec: tuple[SpecRef, ...]) -> str:
        return _members(case_part(None, None, (), (), spec, None))
