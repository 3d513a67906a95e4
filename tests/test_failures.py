"""Failures as listed on the terminal and in report.md: grouped by implementation and by file or
check, details brought to one line at the first difference, nothing cut without saying so."""

from __future__ import annotations

from typing import Any

import pytest

from conformance.failures import brief, cut, group_failures, mismatch
from conformance.summary import render_summary


def test_a_mismatch_is_shown_around_its_first_difference() -> None:
    expected = bytes(range(32)).hex()
    got = (bytes(range(31)) + b"\xff").hex()
    line = brief(f"x25519: expected {expected}, got {got}", 300)
    assert line == (
        "x25519: expected …1b1c1d1e1f, got …1b1c1d1eff (first difference at byte 31; 32 bytes)"
    )
    # Lengths that differ, and a value the check cut short.
    m = mismatch(f"export: expected {expected}... (300 bytes), got {expected[:20]}")
    assert m is not None
    assert m.first_difference == 10
    assert "300 and 10 bytes, values cut by the check" in m.brief()
    # Equal values or other details are not mismatches.
    assert mismatch(f"x: expected {expected}, got {expected}") is None
    assert mismatch("ed25519_verify: accepted an invalid input") is None


def test_a_cut_is_marked_and_counted() -> None:
    text = "a" * 500
    shown = cut(text, 100)
    assert len(shown) == 100
    kept = shown.index("…")
    assert shown.endswith(f"… (+{500 - kept} chars)")
    assert len(shown) == 100
    assert cut("short", 100) == "short"
    assert brief("first line\nsecond\nthird", 100) == "first line (+2 lines)"


def _r(adapters: list[str], check: str, outcome: str = "fail", **extra: Any) -> dict[str, Any]:
    return {"adapters": adapters, "check": check, "outcome": outcome, **extra}


def test_failures_group_by_the_implementation_at_fault_then_by_file_or_check() -> None:
    kat = [_r(["b"], f"kat/p/f/{i}", vector={"file": "p/f.json", "tcId": i}) for i in range(1, 4)]
    pair = _r(
        ["a", "b"],
        "prop/x/tampering",
        fault={"adapters": ["b"], "party": "receiver"},
    )
    open_pair = _r(["a", "c"], "prop/x/replay")
    groups = group_failures([*kat, pair, open_pair, _r(["a"], "kat/p/g/1")])
    assert [g.implementation for g in groups] == ["b", "a", "a, c"]
    assert [(s.label, len(s.results)) for s in groups[0].sources] == [
        ("p/f.json", 3),
        ("prop/x/tampering", 1),
    ]


@pytest.fixture
def report() -> dict[str, Any]:
    long = "y" * 900
    results = [
        _r(
            ["lib"],
            f"kat/p/f/{i}",
            vector={"file": "p/f.json", "tcId": i},
            detail=f"op: expected {'00' * 300}, got {'00' * 299}01",
            gate="block",
            reproduce=f"e2ee-conformance repro kat/p/f/{i} --adapter lib",
        )
        for i in range(1, 30)
    ]
    results.append(
        _r(
            ["ref", "lib"],
            "prop/x/random-conversation",
            detail=f"lib accepted {long}\nshrunk scenario (2 steps):\n  send\n  tamper",
            gate="block",
            fault={"adapters": ["lib"], "party": "receiver"},
            reproduce="e2ee-conformance repro prop/x/random-conversation --adapter ref --adapter lib",
        )
    )
    outcomes = {"pass": 0, "fail": 30, "error": 0, "unsupported": 0}
    return {
        "adapters": [{"name": "lib", "status": "ok"}, {"name": "ref", "status": "ok"}],
        "results": results,
        "summary": {"total": 30, "outcomes": outcomes, "byAdapter": {}, "acceptable": {}},
        "gate": {"policy": {"failOn": ["all"], "allowStale": False}, "reasons": []},
        "verdict": "fail",
        "run": {},
    }


def test_the_terminal_shows_pair_failures_beside_known_answers_and_cuts_nothing_silently(
    report: dict[str, Any],
) -> None:
    text = render_summary(report)
    block = text[text.index("failures and errors") :]
    assert "  lib: 30 fail" in block
    assert "    p/f.json: 29 fail" in block
    assert "      … 27 more here" in block
    assert "    prop/x/random-conversation: 1 fail" in block
    assert "at fault: lib (receiver)" in block
    assert "(first difference at byte 299; 300 bytes)" in block
    for line in block.splitlines():
        detail = line.strip()
        if len(detail) >= 290 and not detail.startswith("reproduce:"):
            assert "… (+" in detail, line
    assert "(+3 lines)" in block


def test_disagreements_tell_a_wrong_output_from_a_wrong_refusal_or_acceptance() -> None:
    from conformance.report import disagreements

    def kat(adapter: str, outcome: str, detail: str | None = None) -> dict[str, Any]:
        r = {"check": "kat/p/f/1", "capability": "c", "adapters": [adapter]}
        return r | {"outcome": outcome, "expected": "valid", "detail": detail}

    (d,) = disagreements(
        [
            kat("right", "pass"),
            kat("wrong-output", "fail", f"x: expected {'00' * 4}, got {'00' * 3}01"),
            kat("refuses", "fail", "AuthenticationFailed: bad tag"),
            kat("accepts", "fail", "step 2 (bob decrypt): accepted what must be refused"),
        ]
    )
    assert d["choices"] == {
        "right": "accepted",
        "wrong-output": "wrong output",
        "refuses": "rejected (wrongly)",
        "accepts": "accepted (wrongly)",
    }
