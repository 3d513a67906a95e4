"""Issue 13: no adapter can take the run down. Each misbehaving mock runs beside the real
pynacl adapter; the run must complete, its report validate, pynacl's results equal a solo run,
the mock's faults be ``error`` results naming what it did, and no process be left running."""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from helpers import load_report, processes_with, raw_controls

from conformance.cli import main

FAULT = Path(__file__).parent / "fault_adapters"
X25519 = "kat/primitives/x25519_test/*"
N_CASES = 134
TOKEN_VARIABLE = "E2EE_CONFORMANCE_TEST_TOKEN"


def _run(out: Path, *adapters: str) -> tuple[int, dict[str, Any]]:
    argv = ["run", "--case", X25519, "--out", str(out), "--no-progress", "--seed", "1"]
    for a in adapters:
        argv += ["--adapter", a]
    code = main(argv)
    return code, load_report(out)


def _records(report: dict[str, Any], adapter: str) -> list[tuple[str, str, str | None]]:
    return sorted(
        (r["check"], r["outcome"], r.get("detail"))
        for r in report["results"]
        if r["adapters"] == [adapter]
    )


@pytest.fixture(scope="module")
def pynacl_alone(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, str, str | None]]:
    _, report = _run(tmp_path_factory.mktemp("solo"), "pynacl")
    return _records(report, "pynacl")


@pytest.fixture
def token(monkeypatch: pytest.MonkeyPatch) -> str:
    """A mark every process the run starts inherits, to find any that outlive it."""
    value = uuid.uuid4().hex
    monkeypatch.setenv(TOKEN_VARIABLE, value)
    return value


def assert_nothing_left(token: str) -> None:
    deadline = time.monotonic() + 5
    while (left := processes_with(token)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not left, f"processes outlived the run: {left}"


def assert_outputs_safe(out: Path) -> None:
    for name in ("report.json", "results.jsonl", "report.md", "index.html", "junit.xml"):
        text = (out / name).read_bytes().decode("utf-8")  # valid UTF-8 or this raises
        assert raw_controls(text) == [], name
    for line in (out / "results.jsonl").read_text(encoding="utf-8").splitlines():
        json.loads(line)
    import xml.etree.ElementTree as ET

    ET.parse(out / "junit.xml")


# mode -> (outcomes of the mock, words every error detail holds)
MODES: dict[str, tuple[dict[str, int], str]] = {
    "deep_describe": ({"error": N_CASES}, "could not start"),
    "deep_answer": ({"pass": N_CASES - 1, "error": 1}, "nested"),
    "kind_list": ({"pass": N_CASES - 1, "error": 1}, "failed internally"),
    "batch_wrong_ids": ({"error": N_CASES}, "unknown or repeated id"),
    "crash_two": ({"pass": N_CASES - 2, "error": 2}, "closed its standard output"),
    "grandchild": ({"pass": N_CASES}, ""),
}


@pytest.mark.parametrize("mode", sorted(MODES))
def test_a_misbehaving_adapter_costs_its_own_checks_only(
    mode: str,
    tmp_path: Path,
    token: str,
    pynacl_alone: list[tuple[str, str, str | None]],
) -> None:
    counts, words = MODES[mode]
    manifest = str(FAULT / f"stdio_{mode}" / "adapter.toml")
    code, report = _run(tmp_path / "o", manifest, "pynacl")
    assert code == (0 if "error" not in counts else 1)
    name = f"mock-stdio-{mode.replace('_', '-')}"
    got = report["summary"]["byAdapter"][name]["x25519"]
    assert {k: v for k, v in got.items() if v} == counts
    for _, outcome, detail in _records(report, name):
        if outcome == "error":
            assert detail is not None
            assert words in detail
    assert _records(report, "pynacl") == pynacl_alone
    assert_outputs_safe(tmp_path / "o")
    assert_nothing_left(token)


def test_one_bad_check_costs_one_check_with_two_crashing_inputs(tmp_path: Path) -> None:
    """Two crashes, batched: each costs its own check, and the adapter is restarted every time
    (three faults in a row once abandoned it for the rest of the run)."""
    _, report = _run(tmp_path / "o", str(FAULT / "stdio_crash_two" / "adapter.toml"))
    errors = [r for r in report["results"] if r["outcome"] == "error"]
    assert sorted(r["vector"]["tcId"] for r in errors) == [1, 2]
    assert all("FAULT-MARKER: crash-two" in r["detail"] for r in errors)


@pytest.mark.slow
def test_an_adapter_hanging_after_every_restart_is_bounded_by_its_budget(
    tmp_path: Path, token: str, pynacl_alone: list[tuple[str, str, str | None]]
) -> None:
    """It answers two requests after each start and hangs on the third: without a budget that
    is a timeout for every other check, with no end (the fault counter reset at each success)."""
    began = time.monotonic()
    code, report = _run(tmp_path / "o", str(FAULT / "stdio_hang_third" / "adapter.toml"), "pynacl")
    took = time.monotonic() - began
    assert code == 1
    mine = _records(report, "mock-stdio-hang-third")
    details = [d or "" for _, o, d in mine if o == "error"]
    assert any("budget exhausted" in d for d in details)
    assert any("hang" in d for d in details)
    # The budget is 4 s of waiting and a call's timeout 0.5 s: it may be overrun by one call.
    assert took < 60, took
    assert _records(report, "pynacl") == pynacl_alone
    assert_nothing_left(token)


def test_sys_exit_in_an_in_process_check_is_an_error_not_the_end_of_the_run(
    tmp_path: Path, pynacl_alone: list[tuple[str, str, str | None]]
) -> None:
    code, report = _run(tmp_path / "o", str(FAULT / "inprocess_exit" / "adapter.toml"), "pynacl")
    assert code == 1
    mine = _records(report, "mock-inprocess-exit")
    errors = {d.splitlines()[0] for _, o, d in mine if o == "error" and d}
    assert errors == {
        "native exception SystemExit: 0",
        "native exception GeneratorExit: ",
    }
    assert sum(o == "pass" for _, o, _ in mine) == N_CASES - 2
    assert _records(report, "pynacl") == pynacl_alone


def test_a_broken_adapter_in_a_grid_changes_no_one_elses_verdict(tmp_path: Path) -> None:
    """Pair results are settled across the grid of a check (conformance.attribution): an
    adapter that breaks in every cell is no witness, so the healthy pairs' records, the party at
    fault included, are what a run without it gives."""
    healthy = ["libsignal-protocol-typescript", "python-axolotl", "reference"]
    check = "pair/signal/no-one-time-prekey"

    def records(out: Path, *adapters: str) -> list[Any]:
        argv = ["run", "--case", check, "--out", str(out), "--no-progress", "--seed", "1"]
        for a in adapters:
            argv += ["--adapter", a]
        main(argv)
        report = load_report(out)
        return sorted(
            (r["adapters"], r["outcome"], r.get("detail"), r.get("fault"))
            for r in report["results"]
            if set(r["adapters"]) <= set(healthy)
        )

    alone = records(tmp_path / "alone", *healthy)
    broken = str(FAULT / "stdio_crash_all_signal" / "adapter.toml")
    beside = records(tmp_path / "beside", *healthy, broken)
    assert any(fault and fault["party"] == "receiver" for *_, fault in alone)
    assert beside == alone


@pytest.mark.parametrize(
    ("folder", "words"),
    [
        ("inprocess_exit_at_start", "capabilities() raised"),
        ("inprocess_undeclared", "manifest does not declare"),
    ],
)
def test_an_in_process_adapter_failing_at_start_is_its_own_error(
    folder: str, words: str, tmp_path: Path, pynacl_alone: list[tuple[str, str, str | None]]
) -> None:
    code, report = _run(tmp_path / "o", str(FAULT / folder / "adapter.toml"), "pynacl")
    assert code == 1
    (info,) = [a for a in report["adapters"] if a["name"] != "pynacl"]
    assert info["status"] == "error"
    assert words in info["error"]
    assert {o for _, o, _ in _records(report, info["name"])} == {"error"}
    assert _records(report, "pynacl") == pynacl_alone


def test_with_jobs_the_faults_are_the_same_errors(tmp_path: Path, token: str) -> None:
    """Worker processes give the same records as one process, and leave nothing running."""
    mocks = [
        str(FAULT / "stdio_crash_two" / "adapter.toml"),
        str(FAULT / "inprocess_exit" / "adapter.toml"),
        str(FAULT / "stdio_grandchild" / "adapter.toml"),
    ]
    _, one = _run(tmp_path / "one", *mocks, "pynacl")
    argv = ["run", "--case", X25519, "--out", str(tmp_path / "two"), "--no-progress"]
    argv += ["--seed", "1", "--jobs", "2"]
    for m in [*mocks, "pynacl"]:
        argv += ["--adapter", m]
    assert main(argv) == 1
    two = load_report(tmp_path / "two")
    for name in ("mock-stdio-crash-two", "mock-inprocess-exit", "pynacl"):
        assert _records(two, name) == _records(one, name)
    assert_nothing_left(token)
