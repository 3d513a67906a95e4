"""A known-answer result's ``results.jsonl`` text, assembled from parts (conformance.katrecords),
is the text of its record encoded whole, whatever the vector, the adapter and the outcome hold:
hostile text in any field is escaped identically, and no part made for one case or task leaks
into another's."""

from __future__ import annotations

import json
from dataclasses import fields, replace

import pytest
from helpers import PRIMITIVES, adapter_from, real

from conformance import loader
from conformance.engine import Task, run_task
from conformance.errors import AuthenticationFailed
from conformance.katrecords import TaskRecords
from conformance.model import Note, SpecRef, VectorFile
from conformance.results import CheckResult
from conformance.untrusted import json_safe, storable

# The reference: what results.jsonl held before the parts existed, with an encoder of its own.
_WHOLE = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)

# Quotes, a backslash, controls JSON escapes, DEL, C1, bidi overrides, separators, a lone
# surrogate, a noncharacter and plain non-ASCII.
HOSTILE = 'é"\\\x00\x1b[31m\x7f\x85\u202e\u2066\u2028\ud800\uffff✓'


def whole(r: CheckResult) -> str:
    return json_safe(_WHOLE.encode(r.to_json()))


def assert_same_text(results: list[CheckResult]) -> None:
    assert results
    for r in results:
        assert r.text is not None, r.check
        assert r.json_text() == whole(r), r.check


def hostile_file() -> VectorFile:
    vf = loader.load(PRIMITIVES / "aes_256_gcm_test.json")
    group = vf.groups[0]
    flag = vf.groups[0].cases[0].flags[0]
    cases = tuple(
        replace(
            case,
            id=f"{HOSTILE}{i}",
            comment=HOSTILE if i % 2 else "",
            flags=(flag, HOSTILE) if i % 3 else (),
            source=SpecRef(HOSTILE, HOSTILE, "MUST") if i % 4 == 1 else None,
        )
        for i, case in enumerate(group.cases[:8])
    )
    groups = (
        replace(group, cases=cases[:4], spec_refs=(SpecRef(HOSTILE, "§1", HOSTILE),)),
        replace(group, cases=cases[4:], spec_refs=()),
    )
    notes = {**vf.notes, HOSTILE: Note(bug_type=HOSTILE, description=HOSTILE)}
    return replace(
        vf, name=f"primitives/{HOSTILE}.json", family=HOSTILE, groups=groups, notes=notes
    )


@pytest.mark.parametrize(
    ("outcome", "detail", "behaviour", "inputs"),
    [
        ("pass", None, None, None),
        ("pass", None, "accepted", None),
        ("fail", HOSTILE, None, {"key": "00ff", HOSTILE: HOSTILE, "n": 3}),
        ("error", HOSTILE * 5000, None, {"x": 1}),  # past untrusted.DETAIL: cut the same way
        ("unsupported", "", None, {}),
    ],
)
def test_hostile_text_in_every_part(
    outcome: str, detail: str | None, behaviour: str | None, inputs: dict[str, str | int] | None
) -> None:
    vf = hostile_file()
    for adapters in [(HOSTILE,), ("a", HOSTILE)]:
        records = TaskRecords(vf, HOSTILE, adapters)
        results = [
            records.result(g, c, outcome, detail, behaviour, inputs)  # type: ignore[arg-type]
            for g, c in vf.cases()
        ]
        assert_same_text(results)
        # Every line is one valid, single-line JSON record that parses back to the fields (a
        # lone surrogate as U+FFFD: no UTF-8 file can hold one).
        for r in results:
            assert json.loads(r.json_text())["check"] == storable(r.check)
            assert "\n" not in r.json_text()


def test_parts_are_per_case_and_per_group() -> None:
    """Cases of one task share parts by flags and by group: two groups with different spec
    references, and a case with a source of its own, each keep theirs."""
    vf = hostile_file()
    records = TaskRecords(vf, "aead", ("x",))
    specs = {r.check: r.to_json().get("spec") for r in _all(records, vf)}
    assert len({json.dumps(s) for s in specs.values()}) == 3  # group 1, group 2 (none), sources
    assert_same_text(_all(records, vf))
    # The same task records asked again (the parts now cached) still give the same text.
    assert_same_text(_all(records, vf))


def _all(records: TaskRecords, vf: VectorFile) -> list[CheckResult]:
    return [records.result(g, c, "pass") for g, c in vf.cases()]


class _Wrong:
    """An AEAD that answers valid cases wrongly, refuses the rest with a hostile message, and
    raises a native exception for one case."""

    def __init__(self) -> None:
        self.real = real("aead:aes-256-gcm")

    def encrypt(self, key: bytes, iv: bytes, msg: bytes, aad: bytes) -> bytes:
        if len(msg) == 0:
            raise RuntimeError(HOSTILE)
        return self.real.encrypt(key, iv, msg, aad)[:-1] + b"\x00"

    def decrypt(self, key: bytes, iv: bytes, sealed: bytes, aad: bytes) -> bytes:
        raise AuthenticationFailed(HOSTILE)


def test_run_task_results_carry_the_whole_text() -> None:
    """Through the engine, with real outcomes of every kind on a real and a hostile file."""
    adapter = adapter_from(HOSTILE, {"aead:aes-256-gcm": _Wrong()})
    for vf in [loader.load(PRIMITIVES / "aes_256_gcm_test.json"), hostile_file()]:
        results: list[CheckResult] = []
        run_task(Task(vf, adapter), results.append)
        assert {r.outcome for r in results} >= {"pass", "fail", "error"}
        assert_same_text(results)


def test_a_replaced_result_is_encoded_again() -> None:
    """``dataclasses.replace`` (the profile turning a pass into a fail) drops the text: the
    new result is encoded from its own fields."""
    vf = hostile_file()
    g, c = vf.cases()[0]
    r = TaskRecords(vf, "aead", ("x",)).result(g, c, "pass", None, "accepted")
    failed = replace(r, outcome="fail", detail=HOSTILE)
    assert failed.text is None
    assert json.loads(failed.json_text())["outcome"] == "fail"
    assert failed.json_text() == whole(failed)


def test_known_answer_makes_the_object_init_would() -> None:
    """results.known_answer sets the slots itself: every field, with the values given."""
    vf = hostile_file()
    g, c = vf.cases()[0]
    r = TaskRecords(vf, "aead", ("x",)).result(g, c, "fail", HOSTILE, None, {"k": 1})
    again = CheckResult(**{f.name: getattr(r, f.name) for f in fields(CheckResult) if f.init})
    assert r == again
    assert repr(r) == repr(again)
    assert again.text is None
    assert r.text == whole(again)
