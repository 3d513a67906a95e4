"""The CI gate as a user meets it: expectations, --fail-on, exit codes, baseline files."""

from __future__ import annotations

import json
import shlex
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from findings import KNOWN

from conformance.cli import main

ED25519 = "kat/primitives/ed25519_test/*"
# The three real findings of the bundled run: OpenSSL (through pyca/cryptography) accepts an
# Ed25519 public key with y >= p (RFC 8032 §5.1.3). They are this file's failing checks.
N_FINDINGS = KNOWN[("cryptography", "NonCanonicalPublicKey")]


def _run(tmp_path: Path, *extra: str, name: str = "out") -> tuple[int, dict[str, Any]]:
    out = tmp_path / name
    code = main(
        [
            "run",
            "--adapter",
            "cryptography",
            "--case",
            ED25519,
            "--out",
            str(out),
            "--no-progress",
            *extra,
        ]
    )
    return code, json.loads((out / "report.json").read_text())


def _failing_ids(report: dict[str, Any]) -> list[str]:
    return [r["check"] for r in report["results"] if r.get("observed", r["outcome"]) == "fail"]


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    _, report = _run(tmp_path_factory.mktemp("baseline"))
    assert len(_failing_ids(report)) == N_FINDINGS
    return report


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "expect.toml"
    path.write_text(text)
    return path


def test_without_expectations_findings_fail_the_gate(baseline: dict[str, Any]) -> None:
    assert baseline["verdict"] == "fail"
    assert baseline["gate"]["blocking"] == N_FINDINGS
    assert all(r["gate"] == "block" for r in baseline["results"] if r["outcome"] == "fail")
    assert all(
        r["reproduce"].startswith(shlex.join(baseline["run"]["launcher"]) + " repro ")
        for r in baseline["results"]
        if r["outcome"] == "fail"
    )


def test_right_stale_and_expired_entries(
    tmp_path: Path, baseline: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    first, second, third = _failing_ids(baseline)
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    expect = _write(
        tmp_path,
        f"""
[[expect]]
check = "{first}"
adapter = "cryptography"
versions = ">=42"
reason = "OpenSSL decodes y >= p"
link = "https://example.org/1"

[[expect]]
check = "kat/primitives/x25519_test/no-such-case"
reason = "fixed long ago"

[[expect]]
check = "{second}"
reason = "temporary"
expires = {yesterday}

[[expect]]
check = "{third}"
reason = "OpenSSL again"
""",
    )
    code, report = _run(tmp_path, "--expect", str(expect))
    out = capsys.readouterr().out
    assert code == 1
    by_check = {r["check"]: r for r in report["results"]}
    assert by_check[first]["outcome"] == "expected-fail"
    assert by_check[first]["observed"] == "fail"
    assert by_check[first]["expectation"] == {
        "entry": 0,
        "reason": "OpenSSL decodes y >= p",
        "link": "https://example.org/1",
    }
    assert [r for r in report["results"] if r["outcome"] in ("fail", "error")] == []
    # Exactly the stale and the expired entries fail the gate, each named.
    reasons = report["gate"]["reasons"]
    assert len(reasons) == 2
    assert "expectation #2" in reasons[0]
    assert "stale" in reasons[0]
    assert "expectation #3" in reasons[1]
    assert "expired" in reasons[1]
    statuses = [e["status"] for e in report["expectations"]["entries"]]
    assert statuses == ["ok", "stale", "expired", "ok"]
    assert "expectation #2 stale" in out
    assert "verdict: FAIL" in out

    code, report = _run(tmp_path, "--expect", str(expect), "--allow-stale", name="relaxed")
    assert code == 0
    assert report["verdict"] == "pass"
    assert report["gate"]["warnings"] == 2


def test_expectation_scope_by_adapter_and_version(tmp_path: Path) -> None:
    expect = _write(
        tmp_path,
        f"""
[[expect]]
check = "{ED25519}"
adapter = "cryptography"
versions = "<1"
reason = "only for ancient versions"
""",
    )
    code, report = _run(tmp_path, "--expect", str(expect))
    assert code == 1
    assert report["summary"]["outcomes"]["fail"] == N_FINDINGS
    assert report["expectations"]["entries"][0]["status"] == "stale"


def test_matching_pass_is_an_unexpected_pass(tmp_path: Path, baseline: dict[str, Any]) -> None:
    passing = next(r["check"] for r in baseline["results"] if r["outcome"] == "pass")
    expect = _write(
        tmp_path,
        f'[[expect]]\ncheck = "{passing}"\nreason = "was broken"\n'
        f'[[expect]]\ncheck = "{ED25519}"\nreason = "the findings"\n',
    )
    code, report = _run(tmp_path, "--expect", str(expect))
    assert code == 1
    unexpected = [r for r in report["results"] if r["outcome"] == "unexpected-pass"]
    assert [r["check"] for r in unexpected] == [passing]
    assert unexpected[0]["gate"] == "block"
    assert report["summary"]["outcomes"]["expected-fail"] == N_FINDINGS


@pytest.mark.parametrize(
    ("fail_on", "code"),
    [
        ("all", 1),
        ("MUST", 1),  # the findings' spec level (RFC 8032 §5.1.7, MUST)
        ("EDGE_CASE", 1),  # their bugType
        ("SHOULD", 0),
        ("CONFIDENTIALITY,AUTH_BYPASS", 0),
    ],
)
def test_fail_on_narrows_the_gate(tmp_path: Path, fail_on: str, code: int) -> None:
    got, report = _run(tmp_path, "--fail-on", fail_on)
    assert got == code
    gates = {r["gate"] for r in report["results"] if r["outcome"] == "fail"}
    assert gates == {"block" if code else "warn"}
    assert report["gate"]["policy"]["failOn"] == fail_on.split(",")


def test_fail_on_unsupported_widens_the_gate(tmp_path: Path) -> None:
    out = tmp_path / "o"
    args = ["run", "--adapter", "cryptography", "--case", "kat/primitives/xchacha20*"]
    assert main([*args, "--out", str(out), "--no-progress"]) == 0
    assert main([*args, "--out", str(out), "--no-progress", "--fail-on", "all,unsupported"]) == 1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[expect]]\nreason = 'no check'\n", "entry #1: 'check' is required"),
        ("[[expect]]\ncheck = 'x'\nreason = 'r'\ncolour = 'red'\n", "unknown key(s) colour"),
        ("[[expect]]\ncheck = 'x'\nreason = 'r'\nversions = 'newest'\n", "not a PEP 440 range"),
        ("[[expect]]\ncheck = 'x'\nreason = 'r'\nexpires = 'soon'\n", "expires must be a TOML"),
        ("[[expect]\n", "not valid TOML"),
    ],
)
def test_bad_expectations_file_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, message: str
) -> None:
    expect = _write(tmp_path, text)
    code = main(
        [
            "run",
            "--adapter",
            "pynacl",
            "--tier",
            "smoke",
            "--expect",
            str(expect),
            "--out",
            str(tmp_path / "o"),
            "--no-progress",
        ]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert str(expect) in err
    assert message in err
    assert not (tmp_path / "o" / "report.json").exists()


def test_unknown_fail_on_selector_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--fail-on", "MOSTLY", "--no-progress"]) == 2
    assert "unknown selector 'MOSTLY'" in capsys.readouterr().err


def test_baseline_from_report_makes_the_gate_pass(
    tmp_path: Path, baseline: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    saved = tmp_path / "report.json"
    saved.write_text(json.dumps(baseline))
    expect = tmp_path / "baseline.toml"
    assert (
        main(
            ["expectations", "--from", str(saved), "--out", str(expect), "--expires", "2099-01-01"]
        )
        == 0
    )
    text = expect.read_text()
    assert text.count("[[expect]]") == N_FINDINGS
    assert 'versions = "==' in text
    assert "expires = 2099-01-01" in text
    code, report = _run(tmp_path, "--expect", str(expect))
    assert code == 0
    assert report["summary"]["outcomes"]["expected-fail"] == N_FINDINGS


def test_entry_for_a_check_this_tier_did_not_run_is_not_stale(tmp_path: Path) -> None:
    """A baseline from a full run used in a smoke run: entries for checks smoke does not select
    are reported as not-run and do not fail the gate; a typo still does."""
    from conformance import loader
    from conformance.selection import Selection, check_prefix

    vf = loader.load(loader.discover(None, ["primitives"])[0])
    smoke = {c.id for _, c in Selection("smoke").pick(vf) or ()}
    skipped = next(c.id for _, c in vf.cases() if c.id not in smoke)
    expect = _write(
        tmp_path,
        f'[[expect]]\ncheck = "{check_prefix(vf)}{skipped}"\nreason = "full tier only"\n'
        '[[expect]]\ncheck = "kat/primitives/x25519_tets/*"\nreason = "typo"\n',
    )
    out = tmp_path / "o"
    code = main(
        [
            "run",
            "--adapter",
            "pynacl",
            "--tier",
            "smoke",
            "--expect",
            str(expect),
            "--out",
            str(out),
            "--no-progress",
        ]
    )
    report = json.loads((out / "report.json").read_text())
    assert [e["status"] for e in report["expectations"]["entries"]] == ["not-run", "stale"]
    assert code == 1
    assert len(report["gate"]["reasons"]) == 1
    assert "#2" in report["gate"]["reasons"][0]
