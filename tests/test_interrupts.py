"""Runs that do not finish: SIGINT and SIGTERM, an adapter calling sys.exit, a busy --out.

Adapters are hostile code, and CI gates on the exit status: an interrupted or broken run must end
its child processes, write the report of what it did (saying so), and never exit 0. The signal
tests run the suite as a real process over a slow mock adapter that leaves a grandchild behind
(fault_adapters/stdio_slow.py); every process they start carries a token in its environment, so
anything left over afterwards is found in /proc.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import signal
import subprocess
import sys
import time
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from helpers import processes_with

from conformance import interrupts
from conformance.cli import main
from conformance.outlock import LOCK_NAME
from conformance.report import load_report

FAULT = Path(__file__).parent / "fault_adapters"
SLOW = str(FAULT / "stdio_slow" / "adapter.toml")
SLOW_TWIN = str(FAULT / "stdio_slow_twin" / "adapter.toml")
X25519 = "kat/primitives/x25519_test/*"
TOKEN_VARIABLE = "E2EE_CONFORMANCE_TEST_TOKEN"
ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs /proc")


def _wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.05)


@dataclass
class Run:
    proc: subprocess.Popen[bytes]
    out: Path
    marks: Path
    token: str
    log: Path

    def stderr(self) -> str:
        return (self.log / "stderr").read_text(errors="replace")

    def leftovers(self, grace: float = 3.0) -> dict[int, str]:
        """What the run left running, after ``grace`` seconds for processes still exiting."""
        deadline = time.monotonic() + grace
        while True:
            left = processes_with(self.token)
            if not left or time.monotonic() > deadline:
                return left
            time.sleep(0.1)


@pytest.fixture
def start(tmp_path: Path) -> Iterator[Callable[..., Run]]:
    """Start ``e2ee-conformance run`` as its own process over the slow mock; afterwards, kill
    whatever is left (the test has judged it by then) so the machine stays clean."""
    runs: list[Run] = []

    def _start(*args: str, delay: float = 0.2) -> Run:
        token = uuid.uuid4().hex
        log = tmp_path / f"log{len(runs)}"
        marks = tmp_path / f"marks{len(runs)}"
        log.mkdir()
        marks.mkdir()
        out = tmp_path / f"out{len(runs)}"
        env = dict(os.environ)
        env[TOKEN_VARIABLE] = token
        env["E2EE_SLOW_MARKS"] = str(marks)
        env["E2EE_SLOW_DELAY"] = str(delay)
        env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(":")
        argv = [sys.executable, "-m", "conformance", "run", "--case", X25519, "--no-progress"]
        with (log / "stdout").open("wb") as so, (log / "stderr").open("wb") as se:
            proc = subprocess.Popen(
                [*argv, "--out", str(out), *args],
                env=env,
                cwd=ROOT,
                stdout=so,
                stderr=se,
                # A test runner started in the background inherits SIGINT ignored, and the
                # suite (rightly) keeps an ignored SIGINT ignored: give it the default back.
                preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
            )
        run = Run(proc, out, marks, token, log)
        runs.append(run)
        return run

    yield _start
    for run in runs:
        if run.proc.poll() is None:
            run.proc.kill()
            run.proc.wait()
        for pid in processes_with(run.token):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def _interrupt(run: Run, sig: signal.Signals) -> int:
    run.proc.send_signal(sig)
    try:
        return run.proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        pytest.fail(f"the run did not end within 15 s of {sig.name}; stderr:\n{run.stderr()}")


def _assert_reported_interrupted(run: Run, sig: signal.Signals) -> dict[str, Any]:
    report = load_report(run.out / "report.json")
    assert report["run"]["interrupted"] == sig.name
    assert report["verdict"] == "fail"
    ran = len(report["results"])
    assert ran < report["run"]["planned"]
    assert (
        f"interrupted by {sig.name}: {ran} of {report['run']['planned']} checks ran"
        in (report["gate"]["reasons"][0])
    )
    partial = f"Partial report: interrupted by {sig.name}"
    assert partial in (run.out / "index.html").read_text()
    assert partial in (run.out / "report.md").read_text()
    assert f"exit {128 + sig}" in (run.out / "report.md").read_text()
    junit = ET.parse(run.out / "junit.xml").getroot()
    (finished,) = [c for c in junit.iter("testcase") if c.get("name") == "run/finished"]
    assert finished.find("failure") is not None
    summary = (run.log / "stdout").read_text()
    assert f"interrupted by {sig.name}" in summary
    assert f"(exit {128 + sig})" in summary
    return report


def _assert_nothing_left(run: Run) -> None:
    left = run.leftovers()
    # The mock's own child (`sleep 1000`) is reached only through the adapter's process group.
    grandchildren = {p: c for p, c in left.items() if c.startswith("sleep ")}
    others = {p: c for p, c in left.items() if p not in grandchildren}
    assert not others, f"processes of the run left running: {others}"
    assert not grandchildren, f"adapters' children left running: {grandchildren}"


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_ends_the_run_with_a_report_and_no_process_left(
    start: Callable[..., Run], sig: signal.Signals
) -> None:
    run = start("--adapter", SLOW)
    results = run.out / "results.jsonl"
    _wait_for(
        lambda: results.is_file() and results.stat().st_size > 0,
        timeout=15,
        what="the first results in results.jsonl",
    )
    code = _interrupt(run, sig)
    assert code == 128 + sig, run.stderr()
    report = _assert_reported_interrupted(run, sig)
    assert report["results"], "results that finished before the signal belong in the report"
    # Every result written before the signal is in the report, none twice.
    lines = results.read_text().splitlines()
    assert len(lines) == len(report["results"])
    _assert_nothing_left(run)


def test_sigterm_with_jobs_leaves_no_worker_or_adapter_running(
    start: Callable[..., Run],
) -> None:
    run = start("--jobs", "2", "--adapter", SLOW, "--adapter", SLOW_TWIN)
    # Both workers' adapters are answering checks (the parent's own copies make no calls).
    _wait_for(lambda: len(list(run.marks.iterdir())) >= 2, timeout=15, what="both workers' checks")
    workers = [p for p, c in processes_with(run.token).items() if "spawn_main" in c]
    assert len(workers) == 2
    code = _interrupt(run, signal.SIGTERM)
    assert code == 143, run.stderr()
    report = _assert_reported_interrupted(run, signal.SIGTERM)
    assert report["run"]["jobs"] == 2
    _assert_nothing_left(run)


def test_a_finished_jobs_run_leaves_no_worker_or_adapter_running(
    start: Callable[..., Run],
) -> None:
    # Workers close their adapters as they exit, not only when they are told to stop.
    run = start("--jobs", "2", "--adapter", SLOW, "--adapter", SLOW_TWIN, delay=0)
    assert run.proc.wait(timeout=60) == 0, run.stderr()
    assert "interrupted" not in load_report(run.out / "report.json")["run"]
    _assert_nothing_left(run)


def test_sigint_in_the_pair_phase_with_jobs_leaves_no_worker_or_adapter_running(
    start: Callable[..., Run],
) -> None:
    """Pairs run in the workers too: interrupted among them, the run reports the pairs that
    finished and ends every worker and every adapter process the workers started (here the
    TypeScript Signal adapter's node processes, whose random conversations take seconds)."""
    run = start(
        *("--family", "signal", "--case", "prop/signal/random-conversation", "--jobs", "2"),
        *("--adapter", "reference", "--adapter", "libsignal-protocol-typescript"),
    )
    results = run.out / "results.jsonl"
    _wait_for(
        lambda: results.is_file() and "prop/signal/" in results.read_text(),
        # Seconds once the adapter's environment is built; minutes on a machine where this run
        # (or the bundled run beside it) builds it first.
        timeout=600,
        what="the first pair's result",
    )
    assert any("node" in c for c in processes_with(run.token).values()), "no adapter running"
    code = _interrupt(run, signal.SIGINT)
    assert code == 130, run.stderr()
    report = _assert_reported_interrupted(run, signal.SIGINT)
    assert report["run"]["planned"] == 4
    assert all(r["check"] == "prop/signal/random-conversation" for r in report["results"])
    _assert_nothing_left(run)


def _exit_run(tmp_path: Path, fault_adapter: Callable[[str], str]) -> tuple[int, Path]:
    out = tmp_path / "o"
    argv = ["run", "--case", X25519, "--out", str(out), "--no-progress"]
    code = main([*argv, "--adapter", fault_adapter("exit_in_check")])
    return code, out


def test_an_adapter_calling_sys_exit_0_never_makes_the_run_exit_0(
    tmp_path: Path, fault_adapter: Callable[[str], str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = _exit_run(tmp_path, fault_adapter)
    assert code != 0
    report = load_report(out / "report.json")
    assert report["verdict"] == "fail"
    err = capsys.readouterr().err
    if report["run"].get("incomplete"):
        # The exception escaped the checks: the suite says so, and the report is marked.
        assert code == 3
        assert "sys.exit(0)" in err.splitlines()[0]
        assert "Traceback" in err
        # A slice that did not finish cannot be merged into a whole run.
        slices = [str(out / "report.json")] * 2
        assert main(["merge", *slices, "--out", str(tmp_path / "m")]) == 2


def test_an_adapter_calling_sys_exit_in_a_check_is_an_error_result(
    tmp_path: Path, fault_adapter: Callable[[str], str]
) -> None:
    code, out = _exit_run(tmp_path, fault_adapter)
    report = load_report(out / "report.json")
    assert code == 1
    assert "incomplete" not in report["run"]
    assert {r["outcome"] for r in report["results"]} == {"error"}
    assert len(report["results"]) == report["run"]["planned"]


def test_a_second_run_into_a_busy_out_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "o"
    out.mkdir()
    (out / "results.jsonl").write_text("the other run's\n")
    with (out / LOCK_NAME).open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        code = main(["run", "--case", X25519, "--adapter", "pynacl", "--out", str(out)])
    assert code == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1
    assert str(out) in err[0]
    assert (out / "results.jsonl").read_text() == "the other run's\n"
    assert not (out / "report.json").exists()


def _until(done: Callable[[], bool]) -> None:
    # Poll rather than sleep a fixed time: on a loaded machine a signal's Python handler can run
    # later than 50 ms after os.kill (it failed once that way with the full suite on 2 cores).
    for _ in range(200):
        if done():
            return
        time.sleep(0.01)


def _sigterm_then_sigint() -> None:
    with interrupts.trap():
        with interrupts.deferred():
            os.kill(os.getpid(), signal.SIGTERM)
            # Recorded, not raised: clean-up is not cut short.
            _until(lambda: interrupts.received() == "SIGTERM")
        assert interrupts.received() == "SIGTERM"
        os.kill(os.getpid(), signal.SIGINT)
        _until(lambda: False)  # the handler raises Interrupted out of this wait


def test_trap_records_the_signal_and_restores_handlers() -> None:
    before = signal.getsignal(signal.SIGTERM)
    with pytest.raises(interrupts.Interrupted) as caught:
        _sigterm_then_sigint()
    # A second signal while stopping: SIGINT still aborts (an impatient user), as SIGINT.
    assert caught.value.signal_name == "SIGINT"
    assert caught.value.exit_code == 130
    assert interrupts.received() == "SIGTERM"
    assert signal.getsignal(signal.SIGTERM) is before


def test_results_stream_is_flushed_within_a_long_task(tmp_path: Path) -> None:
    from conformance.results import CheckResult
    from conformance.runner import ResultStream

    path = tmp_path / "results.jsonl"
    stream = ResultStream(path)
    stream.FLUSH_EVERY = 0.0
    r = CheckResult(
        check="kat/x", family="primitives", capability="x25519", adapters=("a",), outcome="pass"
    )
    stream.write(r)
    assert json.loads(path.read_text())["check"] == "kat/x"
    stream.close()
