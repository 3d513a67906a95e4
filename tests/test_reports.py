"""The files a run writes and what can be done with them: JUnit, Markdown, HTML, re-rendering,
provenance, shards and merge, --jobs, tiers, and repro."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from browser import visit
from conftest import BundledRun
from findings import KNOWN, KNOWN_ERRORS, total
from helpers import load_report, repro_args, timeless, timeless_summary

from conformance import loader
from conformance.cli import main
from conformance.selection import Selection

FAULT = Path(__file__).parent / "fault_adapters"


def _result_set(report: dict[str, Any]) -> set[tuple[Any, ...]]:
    return {
        (r["check"], tuple(r["adapters"]), r["outcome"], r.get("detail"), r.get("behaviour"))
        for r in report["results"]
    }


@pytest.fixture
def full(bundled_run: BundledRun) -> tuple[Path, dict[str, Any]]:
    assert bundled_run.code == 1
    return bundled_run.out, bundled_run.report


def test_run_writes_every_format(full: tuple[Path, dict[str, Any]]) -> None:
    from junitparser import Error, Failure, JUnitXml, Skipped

    out, report = full
    for name in ("report.json", "junit.xml", "report.md", "index.html", "results.jsonl"):
        assert (out / name).stat().st_size > 0, name
    xml = JUnitXml.fromfile(str(out / "junit.xml"))
    cases = [case for suite in xml for case in suite]
    # One testcase per result, and one per unsupported entry (adapter and file or check).
    assert len(cases) == len(report["results"]) + len(report["unsupported"])
    failed = [c for c in cases if any(isinstance(r, Failure) for r in c.result)]
    errors = [c for c in cases if any(isinstance(r, Error) for r in c.result)]
    skipped = [c for c in cases if any(isinstance(r, Skipped) for r in c.result)]
    # Two of the pinned findings are library crashes, recorded as errors (tests/findings.py).
    assert len(errors) == report["summary"]["outcomes"]["error"] == KNOWN_ERRORS
    assert len(failed) == report["summary"]["outcomes"]["fail"] == total() - KNOWN_ERRORS
    assert len(skipped) == len(report["unsupported"])
    assert (
        sum(e["count"] for e in report["unsupported"])
        == report["summary"]["outcomes"]["unsupported"]
    )
    repro = f"reproduce: {shlex.join(report['run']['launcher'])} repro "
    assert all(repro in (c.result[0].text or "") for c in failed)

    md = (out / "report.md").read_text()
    assert md.startswith("## e2ee-conformance: ❌ FAIL")
    assert md.index("### Blocking") < md.index("### Counts")
    # Grouped by implementation, then by vector file or check.
    hpke = KNOWN[("hpke-js", "TwoByteLength")]
    assert f"#### hpke-js: {hpke} fail" in md
    assert f"| … | hpke/hpke\\_export\\_test.json | {hpke - 3} more | | |" in md
    assert f"(the first failure of each file or check: 1 of {hpke})" in md


def test_provenance(full: tuple[Path, dict[str, Any]]) -> None:
    _, report = full
    run, suite = report["run"], report["suite"]
    assert run["seed"] == 7
    assert run["tier"] == "full"
    assert run["shard"] is None
    assert run["command"][:2] == ["e2ee-conformance", "run"]
    assert run["startedAt"] <= run["finishedAt"]
    assert suite["vectors"]["digest"].startswith("sha256:")
    assert len(suite["vectors"]["files"]) == len(loader.discover())
    assert "commit" in suite
    for a in report["adapters"]:
        assert a["version"]
        assert a["version"] != "unknown"
        assert len(a["manifestSha256"]) == 64


def test_report_re_renders_a_saved_report(
    full: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    out, _ = full
    for fmt, name in (("junit", "junit.xml"), ("md", "report.md"), ("html", "index.html")):
        target = tmp_path / name
        assert (
            main(["report", str(out / "report.json"), "--format", fmt, "--out", str(target)]) == 0
        )
        assert target.read_text() == (out / name).read_text()


def test_report_refuses_a_file_that_is_not_a_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bogus = tmp_path / "x.json"
    bogus.write_text('{"hello": 1}')
    assert main(["report", str(bogus)]) == 2
    assert f"report {bogus}: not a report of this suite" in capsys.readouterr().err


#: Every kind of work --jobs spreads over workers: primitive and HPKE known answers on
#: in-process and out-of-process adapters, Olm and Megolm pair scenarios and properties (random
#: conversations among them). Signal is left out only for time (its random conversations are
#: most of a full run) and takes the same code paths.
JOBS_SELECTION = (
    *("--family", "primitives", "--family", "hpke", "--family", "olm", "--family", "megolm"),
    *("--adapter", "reference", "--adapter", "cryptography", "--adapter", "noble"),
    *("--adapter", "pyhpke", "--adapter", "hpke-js"),
    *("--adapter", "python-olm", "--adapter", "vodozemac"),
)


@pytest.mark.slow
def test_shards_run_with_jobs_merge_to_the_unsharded_report(tmp_path: Path) -> None:
    """Two slices, each run with --jobs 2, merge to exactly the records of the unsharded
    --jobs 1 run of the same selection."""
    common = [*JOBS_SELECTION, "--no-progress", "--seed", "7"]
    assert main(["run", "--jobs", "1", "--out", str(tmp_path / "whole"), *common]) == 1
    whole = load_report(tmp_path / "whole")
    slices = []
    for k in (1, 2):
        out = tmp_path / f"s{k}"
        main(["run", "--shard", f"{k}/2", "--jobs", "2", "--out", str(out), *common])
        slices.append(load_report(out))
    assert [s["run"]["jobs"] for s in slices] == [2, 2]
    a, b = (_result_set(s) for s in slices)
    assert a
    assert b
    assert not a & b
    assert {r["family"] for r in whole["results"]} == {"primitives", "hpke", "olm", "megolm"}
    assert any(r["check"].startswith("prop/") for r in whole["results"])
    merged = tmp_path / "merged"
    code = main(
        [
            "merge",
            str(tmp_path / "s1/report.json"),
            str(tmp_path / "s2/report.json"),
            "--out",
            str(merged),
        ]
    )
    report = load_report(merged)
    assert code == 1
    assert _result_set(report) == _result_set(whole)
    # Merged in the order a single run writes, every record as the --jobs 1 run wrote it.
    assert timeless(report["results"]) == timeless(whole["results"])
    assert report["unsupported"] == whole["unsupported"]
    assert timeless_summary(report["summary"]) == timeless_summary(whole["summary"])
    assert [m["shard"] for m in report["run"]["merged"]] == ["1/2", "2/2"]
    assert (merged / "index.html").exists()
    assert (merged / "junit.xml").exists()


def test_merge_refuses_mismatched_slices(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    s1 = tmp_path / "s1"
    main(["run", "--shard", "1/2", "--adapter", "pynacl", "--out", str(s1), "--no-progress"])
    one = str(s1 / "report.json")
    # The same slice twice.
    assert main(["merge", one, one, "--out", str(tmp_path / "m")]) == 2
    assert "both shard 1/2" in capsys.readouterr().err
    # A slice of another vector set.
    other = json.loads((s1 / "report.json").read_text())
    other["run"]["shard"]["index"] = 2
    other["suite"]["vectors"]["digest"] = "sha256:" + "0" * 64
    (tmp_path / "other.json").write_text(json.dumps(other))
    assert main(["merge", one, str(tmp_path / "other.json"), "--out", str(tmp_path / "m")]) == 2
    assert "different vector sets" in capsys.readouterr().err
    # A missing slice.
    three = tmp_path / "t1"
    main(["run", "--shard", "1/3", "--adapter", "pynacl", "--out", str(three), "--no-progress"])
    t2 = tmp_path / "t2"
    main(["run", "--shard", "2/3", "--adapter", "pynacl", "--out", str(t2), "--no-progress"])
    assert (
        main(
            [
                "merge",
                str(three / "report.json"),
                str(t2 / "report.json"),
                "--out",
                str(tmp_path / "m"),
            ]
        )
        == 2
    )
    assert "missing shard(s) 3/3" in capsys.readouterr().err


def test_stale_expectation_is_judged_on_the_merged_report(tmp_path: Path) -> None:
    """An entry matching a check in slice 2 only is not stale in slice 1, and one matching
    nothing anywhere is stale once merged."""
    expect = tmp_path / "e.toml"
    expect.write_text(
        '[[expect]]\ncheck = "kat/primitives/ed25519_test/*"\nadapter = "cryptography"\n'
        'reason = "OpenSSL y >= p"\n'
        '[[expect]]\ncheck = "kat/nowhere/*"\nreason = "gone"\n'
    )
    paths = []
    for k in (1, 2):
        out = tmp_path / f"s{k}"
        main(
            [
                "run",
                "--shard",
                f"{k}/2",
                "--adapter",
                "cryptography",
                "--family",
                "primitives",
                "--expect",
                str(expect),
                "--out",
                str(out),
                "--no-progress",
            ]
        )
        report = load_report(out)
        assert {e["status"] for e in report["expectations"]["entries"]} <= {"ok", "outside-slice"}
        paths.append(str(out / "report.json"))
    assert main(["merge", *paths, "--out", str(tmp_path / "m")]) == 1
    merged = load_report(tmp_path / "m")
    assert [e["status"] for e in merged["expectations"]["entries"]] == ["ok", "stale"]
    assert merged["summary"]["outcomes"]["expected-fail"] == 3


def test_tiers_nest_and_smoke_covers_every_kind_of_case() -> None:
    files = loader.load_many(loader.discover())
    picked = {}
    for tier in ("smoke", "ci", "full"):
        sel = Selection(tier)  # type: ignore[arg-type]
        picked[tier] = {(vf.name, c.id) for vf in files for _, c in (sel.pick(vf) or vf.cases())}
    assert picked["smoke"] < picked["ci"] < picked["full"]
    kinds = {(vf.name, c.result, frozenset(c.flags)) for vf in files for _, c in vf.cases()}
    by_id = {(vf.name, c.id): c for vf in files for _, c in vf.cases()}
    smoke_kinds = {
        (f, by_id[(f, i)].result, frozenset(by_id[(f, i)].flags)) for f, i in picked["smoke"]
    }
    assert smoke_kinds == kinds
    # Every edge case survives into ci; only bulk random cases are capped there.
    dropped = picked["full"] - picked["ci"]
    assert dropped
    assert all("Pseudorandom" in by_id[k].flags for k in dropped)


def test_repro_reproduces_a_failure(
    full: tuple[Path, dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    _, report = full
    failure = next(r for r in report["results"] if r["outcome"] == "fail")
    assert main(repro_args(report, failure)) == 1
    out = capsys.readouterr().out
    assert failure["detail"] in out
    assert f"tcId {failure['vector']['tcId']}" in out
    assert "inputs" in out
    assert "ed25519_verify(" in out
    # The other implementations pass the same case.
    assert main(["repro", failure["check"], "--adapter", "pynacl"]) == 0
    assert "outcome: PASS" in capsys.readouterr().out


@pytest.mark.parametrize("how", ["python -m conformance", "the script by its path"])
def test_a_printed_reproduce_command_runs_as_printed(tmp_path: Path, how: str) -> None:
    """After the Quick start the venv is not on PATH: the reproduce line the run prints must
    still run when pasted into a shell (the way the suite was started, not a bare name the shell
    would not find, or would find in another installation)."""
    bin_dir = Path(sys.executable).parent
    script = bin_dir / "e2ee-conformance"
    if how != "python -m conformance" and not script.is_file():
        pytest.skip("no console script beside this interpreter")
    start = (
        [sys.executable, "-m", "conformance"] if how == "python -m conformance" else [str(script)]
    )
    path = os.pathsep.join(
        p for p in os.environ.get("PATH", "").split(os.pathsep) if p and Path(p) != bin_dir
    )
    env = {**os.environ, "PATH": path}
    manifest = str(FAULT / "x25519_wrong_output" / "adapter.toml")
    args = ["run", "--adapter", manifest, "--tier", "smoke", "--out", "o", "--no-progress"]
    run = subprocess.run(
        [*start, *args], capture_output=True, text=True, env=env, cwd=tmp_path, check=False
    )
    assert run.returncode == 1, run.stderr[-2000:]
    printed = [
        line.split("reproduce: ", 1)[1] for line in run.stdout.splitlines() if "reproduce: " in line
    ]
    assert printed, run.stdout
    assert not printed[0].startswith("e2ee-conformance ")
    again = subprocess.run(
        printed[0], shell=True, capture_output=True, text=True, env=env, cwd=tmp_path, check=False
    )
    assert again.returncode == 1, again.stderr[-2000:]
    assert "x25519(" in again.stdout
    assert load_report(tmp_path / "o")["run"]["launcher"] == shlex.split(printed[0])[: len(start)]


def test_badge_gives_the_verdict_and_the_passes(tmp_path: Path) -> None:
    broken = str(FAULT / "x25519_wrong_output" / "adapter.toml")
    assert main(["run", "--adapter", broken, "--tier", "smoke", "--out", str(tmp_path / "f")]) == 1
    failing = json.loads((tmp_path / "f" / "badge.json").read_text())
    report = load_report(tmp_path / "f")
    outcomes = report["summary"]["outcomes"]
    ran = report["summary"]["total"] - outcomes["unsupported"]
    assert failing == {
        "schemaVersion": 1,
        "label": "e2ee conformance",
        "message": f"fail · {report['gate']['blocking']} blocking, {outcomes['pass']} of {ran} "
        "passed",
        "color": "red",
    }
    assert (
        main(["run", "--adapter", "pynacl", "--tier", "smoke", "--out", str(tmp_path / "p")]) == 0
    )
    passing = json.loads((tmp_path / "p" / "badge.json").read_text())
    assert passing["color"] == "brightgreen"
    assert passing["message"].startswith("pass · ")
    # Only what was asked for: --format badge writes report.json and badge.json alone.
    only = tmp_path / "only"
    main(["run", "--adapter", "pynacl", "--tier", "smoke", "--format", "badge", "--out", str(only)])
    assert sorted(p.name for p in only.iterdir() if not p.name.startswith(".")) == [
        "badge.json",
        "report.json",
        "results.jsonl",
    ]


def test_repro_of_a_broken_adapter_shows_both_outputs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    manifest = str(FAULT / "x25519_wrong_output" / "adapter.toml")
    out = tmp_path / "o"
    assert (
        main(["run", "--adapter", manifest, "--tier", "smoke", "--out", str(out), "--no-progress"])
        == 1
    )
    report = load_report(out)
    failure = next(r for r in report["results"] if r["outcome"] == "fail")
    assert manifest in failure["reproduce"]
    assert main(repro_args(report, failure)) == 1
    text = capsys.readouterr().out
    assert "x25519(" in text
    assert "expected" in text
    # Where the two values part, not only both of them in full.
    assert "(first difference at byte 31; 32 bytes)" in text
    assert "got" in text


def test_repro_unknown_check_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["repro", "kat/primitives/x25519_test/nope"]) == 2
    assert "no case with id 'nope'" in capsys.readouterr().err


def test_hostile_adapter_renders_as_text(tmp_path: Path) -> None:
    """An adapter's name, implementation and messages reach every format escaped."""
    folder = tmp_path / "hostile"
    shutil.copytree(FAULT / "x25519_wrong_output", folder)
    toml = (folder / "adapter.toml").read_text()
    toml = toml.replace('name = "mock-x25519-wrong-output"', 'name = "<script>alert(1)</script>"')
    toml = toml.replace(
        'implementation = "mock: pyca/cryptography with a corrupted X25519"',
        'implementation = "<img src=x onerror=alert(2)>"',
    )
    (folder / "adapter.toml").write_text(toml)
    out = tmp_path / "o"
    assert (
        main(
            [
                "run",
                "--adapter",
                str(folder / "adapter.toml"),
                "--tier",
                "smoke",
                "--out",
                str(out),
                "--no-progress",
            ]
        )
        == 1
    )
    page = (out / "index.html").read_text()
    assert "<script>alert(1)</script>" not in page
    assert "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    md = (out / "report.md").read_text()
    assert "<script>" not in md
    assert "<img" not in md

    with visit(out / "index.html") as v:
        assert v.page.locator("#matrix").count() == 1
        assert v.page.locator("#matrix tbody tr").count() >= 1
        text = v.page.locator("body").text_content() or ""
        assert "<script>alert(1)</script>" in text
        assert "<img src=x onerror=alert(2)>" in text
    assert v.problems == []
    assert v.dialogs == []


def test_every_result_records_its_time_and_the_outputs_list_the_slowest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "o"
    args = ["run", "--adapter", "pynacl", "--adapter", "reference", "--tier", "smoke"]
    main([*args, "--family", "primitives", "--family", "olm", "--out", str(out), "--seed", "1"])
    printed = capsys.readouterr().out
    report = load_report(out)
    results = report["results"]
    assert results
    assert all(r["duration"] >= 0 for r in results)
    assert any(r["check"].startswith("prop/") for r in results)
    durations = report["summary"]["durations"]
    slowest = durations["slowest"]
    assert [s["duration"] for s in slowest] == sorted(
        (s["duration"] for s in slowest), reverse=True
    )
    assert slowest[0]["duration"] == max(r["duration"] for r in results)
    assert durations["total"] == pytest.approx(sum(r["duration"] for r in results), abs=1e-4)
    assert set(durations["byAdapter"]) == {"pynacl", "reference"}
    assert "time per adapter: " in printed
    assert f"{slowest[0]['duration']:8.3f} s" in printed
    from junitparser import JUnitXml

    xml = JUnitXml.fromfile(str(out / "junit.xml"))
    timed = [
        case.time for suite in xml for case in suite if case.name in {r["check"] for r in results}
    ]
    assert len(timed) >= len(results)
    assert max(timed) == pytest.approx(slowest[0]["duration"], abs=1e-6)
