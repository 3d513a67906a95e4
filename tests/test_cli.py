"""The command line as a user meets it: exit codes, messages, and the report it writes."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import BundledRun
from findings import KNOWN, at_fault, expected_at_fault, findings
from helpers import load_report

from conformance.cli import main


def test_full_run_of_bundled_adapters(bundled_run: BundledRun) -> None:
    code, out, report = bundled_run.code, bundled_run.stdout, bundled_run.report
    names = {a["name"] for a in report["adapters"]}
    assert {"cryptography", "pynacl"} <= names
    by = report["summary"]["byAdapter"]
    # Both bundled backends really ran every primitive they have.
    for adapter in ("cryptography", "pynacl"):
        for cap in ("x25519", "ed25519", "hkdf-sha256", "hmac-sha256", "aead:chacha20-poly1305"):
            assert by[adapter][cap]["pass"] > 0, (adapter, cap)
    # Every bundled adapter started (its environment built) and reported its real version; at
    # least ten primitive backends and two HPKE implementations really ran.
    assert all(a["status"] == "ok" for a in report["adapters"]), [
        (a["name"], a.get("error")) for a in report["adapters"] if a["status"] != "ok"
    ]
    assert all(a["version"] not in ("", "unknown") for a in report["adapters"])
    primitive = {
        a
        for a, caps in by.items()
        if any(counts["pass"] for cap, counts in caps.items() if cap != "hpke")
    }
    assert len(primitive) >= 10, primitive
    assert len([a for a, caps in by.items() if caps.get("hpke", {}).get("pass")]) >= 2
    assert by["pynacl"]["aes-256-cbc"]["unsupported"] > 0
    assert by["cryptography"]["aead:xchacha20-poly1305"]["unsupported"] > 0
    # The deviations the bundled run finds today (tests/findings.py): anything else failing, or
    # one of these being fixed, makes this test fail.
    assert findings(report) == Counter(KNOWN)
    # Each pair and property finding is charged to the party at fault, and only to it.
    assert at_fault(report) == expected_at_fault(report)
    assert code == 1
    assert report["verdict"] == "fail"
    assert "verdict: FAIL" in out
    # results.jsonl has every result, and every unsupported entry once, as report.json does.
    lines = [json.loads(x) for x in (bundled_run.out / "results.jsonl").read_text().splitlines()]
    assert sum(line.get("count", 1) for line in lines) == report["summary"]["total"]
    assert sum("count" in line for line in lines) == len(report["unsupported"])


def test_a_random_conversation_failure_from_the_full_run_replays_with_repro(
    bundled_run: BundledRun,
) -> None:
    """The machine once numbered its runs from a process-wide counter, so a failure seen in a
    full run drew other keys when replayed alone. Its reproduce command must replay it exactly:
    the same outcome and the same shrunk steps."""
    import io

    from conformance.repro import repro_pair

    failed = [
        r
        for r in bundled_run.report["results"]
        if r["check"].endswith("/random-conversation") and r["outcome"] == "fail"
    ]
    assert failed, "seed 7 finds random-conversation failures (tests/findings.py)"
    r = min(failed, key=lambda r: len(r["detail"]))
    out = io.StringIO()
    code = repro_pair(r["check"], r["adapters"], r["seed"], out)
    assert code == 1
    assert out.getvalue().rstrip().endswith(r["detail"].rstrip())
    assert r["reproduce"].endswith(f"--seed {r['seed']}")


def test_changed_expected_value_fails_and_names_file_and_case(
    vector_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = vector_copy / "primitives" / "x25519_test.json"
    doc = json.loads(path.read_text())
    case = doc["testGroups"][0]["tests"][0]
    assert case["result"] == "valid"
    case["shared"] = ("00" if case["shared"][:2] != "00" else "01") + case["shared"][2:]
    path.write_text(json.dumps(doc, indent=2))

    out_dir = tmp_path / "out"
    code = main(
        [
            "run",
            "--vectors",
            str(vector_copy),
            "--adapter",
            "pynacl",
            "--family",
            "primitives",
            "--out",
            str(out_dir),
            "--no-progress",
        ]
    )
    out = capsys.readouterr().out
    assert code == 1
    report = load_report(out_dir)
    failed = [r for r in report["results"] if r["outcome"] == "fail"]
    assert len(failed) == 1
    assert failed[0]["vector"]["file"] == "primitives/x25519_test.json"
    assert failed[0]["vector"]["tcId"] == case["tcId"]
    listing = out[out.index("failures and errors") :]
    assert "    primitives/x25519_test.json: 1 fail\n" in listing
    assert f"      FAIL  tcId {case['tcId']}" in listing


def test_json_syntax_error_exits_2_with_one_line_naming_the_file(
    vector_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = vector_copy / "primitives" / "hkdf_sha256_test.json"
    path.write_text(path.read_text()[:-20])
    code = main(["run", "--vectors", str(vector_copy), "--out", str(tmp_path), "--no-progress"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1
    assert "primitives/hkdf_sha256_test.json" in err
    assert "invalid JSON" in err


def test_unknown_flag_is_an_error_naming_the_case(
    vector_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = vector_copy / "primitives" / "x25519_test.json"
    doc = json.loads(path.read_text())
    doc["testGroups"][0]["tests"][2]["flags"].append("NoSuchFlag")
    path.write_text(json.dumps(doc))
    code = main(["run", "--vectors", str(vector_copy), "--out", str(tmp_path), "--no-progress"])
    err = capsys.readouterr().err
    assert code == 2
    assert "x25519_test.json (tcId 3)" in err
    assert "NoSuchFlag" in err


def test_unknown_adapter_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", "--adapter", "nope", "--out", str(tmp_path)]) == 2
    assert "unknown adapter 'nope'" in capsys.readouterr().err


def test_unknown_family_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", "--family", "nope", "--out", str(tmp_path)]) == 2
    assert (
        "known families: hpke, megolm, mls, olm, pq, primitives, signal, signal-pq"
        in capsys.readouterr().err
    )


def test_wrong_answer_fails_only_that_capability(
    tmp_path: Path, fault_adapter: Callable[[str], str], capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "run",
            "--adapter",
            fault_adapter("x25519_wrong_output"),
            "--out",
            str(tmp_path),
            "--no-progress",
        ]
    )
    assert code == 1
    by = load_report(tmp_path)["summary"]["byAdapter"]["mock-x25519-wrong-output"]
    assert by["x25519"]["fail"] > 0
    assert by["hmac-sha256"]["fail"] == 0
    assert by["hmac-sha256"]["pass"] > 0
    assert all(
        c["pass"] == c["fail"] == 0 for k, c in by.items() if k not in ("x25519", "hmac-sha256")
    )


def test_native_exception_is_error(
    tmp_path: Path, fault_adapter: Callable[[str], str], capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "run",
            "--adapter",
            fault_adapter("hmac_native_exception"),
            "--family",
            "primitives",
            "--out",
            str(tmp_path),
            "--no-progress",
        ]
    )
    assert code == 1
    by = load_report(tmp_path)["summary"]["byAdapter"]["mock-hmac-native-exception"]["hmac-sha256"]
    assert by["error"] > 0
    assert by["pass"] == 0
    assert by["fail"] == 0


def test_adapter_that_cannot_start_yields_errors_and_the_run_goes_on(
    tmp_path: Path, fault_adapter: Callable[[str], str], capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "run",
            "--adapter",
            fault_adapter("cannot_import"),
            "--adapter",
            "cryptography",
            "--out",
            str(tmp_path),
            "--no-progress",
        ]
    )
    assert code == 1
    report = load_report(tmp_path)
    status = {a["name"]: a for a in report["adapters"]}
    assert status["mock-cannot-import"]["status"] == "error"
    assert "ModuleNotFoundError" in status["mock-cannot-import"]["error"]
    by = report["summary"]["byAdapter"]
    assert by["mock-cannot-import"]["x25519"]["error"] > 0
    assert by["cryptography"]["x25519"]["pass"] > 0


def test_case_filter_reruns_one_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(
            [
                "run",
                "--adapter",
                "pynacl",
                "--out",
                str(tmp_path),
                "--no-progress",
                "--case",
                "kat/primitives/x25519_test/*",
            ]
        )
        == 0
    )
    report = load_report(tmp_path)
    assert {r["capability"] for r in report["results"]} == {"x25519"}
    one = report["results"][0]["check"]
    assert (
        main(["run", "--adapter", "pynacl", "--out", str(tmp_path), "--no-progress", "--case", one])
        == 0
    )
    assert len(load_report(tmp_path)["results"]) == 1


def test_adapters_lists_versions_and_capabilities(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["adapters"]) == 0
    out = capsys.readouterr().out
    assert "cryptography" in out
    assert "pynacl" in out
    assert "x25519" in out


def test_vectors_check_passes_on_bundled_vectors(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["vectors", "check"]) == 0
    assert "0 problem(s)" in capsys.readouterr().out


def test_vectors_check_catches_a_hand_edit(
    vector_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = vector_copy / "primitives" / "hmac_sha256_test.json"
    doc = json.loads(path.read_text())
    doc["testGroups"][0]["tests"][0]["msg"] += "00"
    path.write_text(json.dumps(doc, indent=2))
    assert main(["vectors", "check", str(path)]) == 1
    assert "edited by hand" in capsys.readouterr().err


def test_help_is_fast_and_lazy() -> None:
    code = (
        "import sys, conformance.cli as c\n"
        "try:\n    c.main(['--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('cryptography', 'nacl', 'jsonschema', 'conformance.engine') if m in sys.modules]\n"
        "print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"
