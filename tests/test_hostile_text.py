"""Adapters are hostile code (issue 13): whatever text one supplies (escape sequences that retitle
the terminal and print a fake verdict, a carriage return, a bidi override, a lone surrogate, a
megabyte of standard error), every output stays valid, bounded and inert, and the other
adapters' results are untouched.

The mocks are tests/fault_adapters/stdio_hostile_text (one manifest per mode) and
tests/fault_adapters/hostile_text_native (in-process). Each is run next to pynacl over the X25519
vectors; the escapers are also tested one by one, each with a broken twin that must be caught.
"""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from helpers import raw_controls

from conformance import untrusted
from conformance.cli import main
from conformance.progress import Progress
from conformance.report import load_report
from conformance.results import CheckResult
from conformance.runner import ResultStream
from conformance.summary import render_summary
from conformance.writers import json_text, render
from conformance.writers import markdown as markdown_writer

FAULT = Path(__file__).parent / "fault_adapters"
HOSTILE = FAULT / "stdio_hostile_text"
MOCKS = {
    "describe": HOSTILE / "describe" / "adapter.toml",
    "internal-error": HOSTILE / "internal_error" / "adapter.toml",
    "stderr-flood": HOSTILE / "stderr_flood" / "adapter.toml",
    "startup-flood": HOSTILE / "startup_flood" / "adapter.toml",
    "native": FAULT / "hostile_text_native" / "adapter.toml",
}
NAMES = {mode: f"mock-hostile-{mode}" for mode in MOCKS} | {"native": "mock-hostile-text-native"}
X25519 = "kat/primitives/x25519_test/*"
#: The RFC 7748 §5.2 case, on which each mock misbehaves.
RFC7748_CHECK = "kat/primitives/x25519_test/bc19690537322275"
MiB = 1024 * 1024


#: The attack of issue 13 first (the summary shows a detail's first line), then every other
#: character an output must not pass on raw, markup for Markdown, HTML and XML, and a second line
#: that imitates the suite's own.
EVERYTHING = (
    "\x1b]0;pwned\x07\x1b[32mverdict: PASS (exit 0)\x1b[0m \u202eevil\u202c \ud800 \x9b31m "
    + "".join(chr(c) for c in range(0x20) if chr(c) not in "\t\n")
    + "\x7f"
    + "".join(chr(c) for c in range(0x80, 0xA0))
    + "\u061c\u200e\u200f\u2028\u2029\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
    + "\ud800 \udfff \ufffe \uffff"
    + " | a|b ` ``` ```` <script>alert(1)</script> *em* _em_ [x](javascript:alert(1)) ~s~ # h &amp;"
    + "\nverdict: PASS (exit 0)"
)


def assert_inert(text: str, what: str) -> None:
    assert raw_controls(text) == [], what


def _bounded(text: str, limit: int) -> bool:
    """Within ``limit`` characters but the "… [N more characters]" marker of a cut."""
    return len(text) <= limit + len("… [9999999999 more characters]")


# --- runs ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    code: int
    out: Path
    stdout: str
    stderr: str

    @property
    def report(self) -> dict[str, Any]:
        return json.loads((self.out / "report.json").read_bytes().decode("utf-8"))

    def text(self, name: str) -> str:
        # Strict: an output that is not UTF-8 fails here.
        return (self.out / name).read_bytes().decode("utf-8")

    def results(self, adapter: str) -> list[dict[str, Any]]:
        return [r for r in self.report["results"] if r["adapters"] == [adapter]]


def run(out: Path, *adapters: str) -> Run:
    argv = ["run", "--case", X25519, "--out", str(out), "--no-progress"]
    for a in adapters:
        argv += ["--adapter", a]
    stdout, stderr = io.StringIO(), io.StringIO()
    with redirect_stdout(stdout), redirect_stderr(stderr):
        code = main(argv)
    return Run(code, out, stdout.getvalue(), stderr.getvalue())


class Runs:
    """Each mock's run next to pynacl, made once for the module when first asked for."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._done: dict[str, Run] = {}

    def __getitem__(self, mode: str) -> Run:
        if mode not in self._done:
            out = self.root / mode
            self._done[mode] = run(out, str(MOCKS[mode]), "pynacl")
        return self._done[mode]


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Runs:
    return Runs(tmp_path_factory.mktemp("hostile"))


def _records(results: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return sorted((r["check"], r["outcome"], r.get("detail")) for r in results)


@pytest.fixture(scope="module")
def solo(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[Any, ...]]:
    """pynacl's results when it runs alone."""
    alone = run(tmp_path_factory.mktemp("solo"), "pynacl")
    assert alone.code == 0
    return _records(alone.results("pynacl"))


# --- every mode: the run completes and every output is valid and inert ------------------------


@pytest.mark.parametrize("mode", list(MOCKS))
def test_run_completes_and_every_output_is_valid_and_inert(mode: str, runs: Runs) -> None:
    done = runs[mode]
    assert done.code == 1
    report = load_report(done.out / "report.json")  # valid UTF-8, valid against the schema
    lines = [json.loads(line) for line in done.text("results.jsonl").splitlines()]
    assert sum(line.get("count", 1) for line in lines) == report["summary"]["total"] == 2 * 134
    ET.fromstring(done.text("junit.xml").encode("utf-8"))
    for name in ("report.json", "results.jsonl", "report.md", "index.html", "junit.xml"):
        assert_inert(done.text(name), name)
    assert_inert(done.stdout, "standard output")
    assert_inert(done.stderr, "standard error")
    assert "verdict: FAIL (exit 1)" in done.stdout


@pytest.mark.parametrize("mode", list(MOCKS))
def test_the_other_adapter_is_untouched(mode: str, runs: Runs, solo: list[tuple[Any, ...]]) -> None:
    assert _records(runs[mode].results("pynacl")) == solo


@pytest.mark.parametrize("mode", list(MOCKS))
def test_reports_stay_small(mode: str, runs: Runs) -> None:
    """A megabyte from the adapter is kept at most once, cut: never once per result."""
    done = runs[mode]
    for name in ("report.json", "results.jsonl", "index.html", "junit.xml", "report.md"):
        assert (done.out / name).stat().st_size < 2 * MiB, name
    for r in done.results(NAMES[mode]):
        assert _bounded(r.get("detail") or "", untrusted.DETAIL)


# --- what each mode leaves in the report --------------------------------------------------------


def test_describe_fields_are_bounded_and_valid(runs: Runs) -> None:
    done = runs["describe"]
    (info,) = [a for a in done.report["adapters"] if a["name"] == "mock-hostile-describe"]
    for text in (info["implementation"], info["version"], info["notes"]["x25519"]):
        assert "\ufffd" in text  # the lone surrogate, replaced
        assert "\x1b]0;pwned" in text  # report.json keeps the text as sent
    # Shown, not acted on, in each format that displays it.
    assert "\\x1b]0;pwned\\x07" in done.text("index.html")
    assert "\\\\x1b\\]0;pwned\\\\x07" in done.text("report.md")
    assert "\\x1b]0;pwned\\x07" in done.text("junit.xml")
    # The refusal's message reaches the detail, and the summary shows its first line escaped.
    (failed,) = [r for r in done.results("mock-hostile-describe") if r["outcome"] != "pass"]
    assert failed["check"] == RFC7748_CHECK
    assert "FAULT-MARKER" in failed["detail"]
    assert "FAULT-MARKER \\x1b]0;pwned\\x07\\x1b[32mverdict: PASS" in done.stdout


def test_internal_error_message_is_kept_valid_and_shown_escaped(runs: Runs) -> None:
    done = runs["internal-error"]
    (error,) = [r for r in done.results("mock-hostile-internal-error") if r["outcome"] != "pass"]
    assert error["outcome"] == "error"
    assert "failed internally (-32603): FAULT-MARKER \x1b]0;pwned" in error["detail"]
    assert "\ufffd" in error["detail"]
    assert "\\x1b[32mverdict: PASS (exit 0)\\x1b[0m" in done.stdout


def test_stderr_flood_is_attached_to_the_fault_cut_short(runs: Runs) -> None:
    done = runs["stderr-flood"]
    (error,) = [r for r in done.results("mock-hostile-stderr-flood") if r["outcome"] != "pass"]
    assert error["check"] == RFC7748_CHECK
    assert "stderr (tail):" in error["detail"]
    assert "FAULT-MARKER" in error["detail"]
    assert _bounded(error["detail"], untrusted.DETAIL)


def test_stderr_tail_lines_are_cut_where_they_come_in(runs: Runs) -> None:
    done = runs["stderr-flood"]
    (error,) = [r for r in done.results("mock-hostile-stderr-flood") if r["outcome"] != "pass"]
    tail = error["detail"].split("stderr (tail):\n", 1)[1].splitlines()
    assert len(tail) <= untrusted.STDERR_LINES
    assert all(_bounded(line, untrusted.STDERR_LINE) for line in tail)


def test_start_up_failure_is_stored_once_not_in_every_result(runs: Runs) -> None:
    done = runs["startup-flood"]
    report = done.report
    (info,) = [a for a in report["adapters"] if a["name"] == "mock-hostile-startup-flood"]
    assert info["status"] == "error"
    assert "START-UP" in info["error"]
    assert _bounded(info["error"], untrusted.START_ERROR)
    results = done.results("mock-hostile-startup-flood")
    assert len(results) == 134
    for r in results:
        assert r["outcome"] == "error"
        assert r["detail"] == (
            "adapter mock-hostile-startup-flood could not start; its error is in the report's "
            "adapters section"
        )
    # The error is shown once, in the adapters section of each format.
    assert done.text("report.json").count("START-UP") == 1
    assert done.text("index.html").count("START-UP") == 1
    md = done.text("report.md")
    assert md.count("START-UP") == 1
    assert md.index("### Adapters that could not start") < md.index("START-UP")
    junit = ET.fromstring(done.text("junit.xml").encode("utf-8"))
    (stderr,) = junit.iter("system-err")
    assert "START-UP" in (stderr.text or "")
    assert "adapter mock-hostile-startup-flood could not start:" in done.stdout
    assert "its full error is in the report's adapters section" in done.stdout


def test_in_process_adapter_text_is_bounded(runs: Runs) -> None:
    done = runs["native"]
    (info,) = [a for a in done.report["adapters"] if a["name"] == "mock-hostile-text-native"]
    assert info["version"].startswith("FAULT-MARKER \x1b]0;pwned")  # not a str: made one
    assert _bounded(info["version"], untrusted.VERSION)
    assert _bounded(info["implementation"], untrusted.IMPLEMENTATION)
    notes = info["notes"]
    assert len(notes) == untrusted.NOTES + 1
    assert notes["…"] == f"{200 - untrusted.NOTES} more note(s) not kept"
    assert all(_bounded(n, untrusted.NOTE) for n in notes.values())
    (error,) = [r for r in done.results("mock-hostile-text-native") if r["outcome"] != "pass"]
    assert error["detail"].startswith("native exception RuntimeError: FAULT-MARKER \x1b]0;pwned")
    assert "\ufffd" in error["detail"]


# --- the other terminal outputs: adapters, repro, progress --------------------------------------


def test_adapters_listing_is_inert(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["adapters", "--adapter", str(MOCKS["describe"]), "--adapter", str(MOCKS["native"])]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert_inert(out, "adapters")
    assert "\\x1b]0;pwned\\x07" in out
    assert "note note-0\\x1b[2J: " in out
    # One line per field: the describe mock's name, capabilities and one note; the native
    # mock's name, capabilities, the notes kept and the note saying how many were not.
    assert len(out.splitlines()) == 3 + 2 + untrusted.NOTES + 1


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        ("internal-error", "FAULT-MARKER \\x1b]0;pwned"),
        ("native", "raised RuntimeError: FAULT-MARKER \\x1b]0;pwned"),
        ("startup-flood", "could not start: adapter mock-hostile-startup-flood"),
    ],
)
def test_repro_output_is_inert(
    mode: str, expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["repro", RFC7748_CHECK, "--adapter", str(MOCKS[mode])]) == 1
    out = capsys.readouterr().out
    assert_inert(out, "repro")
    assert expected in out


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("stream", [io.StringIO, _Terminal])
def test_progress_escapes_the_names_it_shows(stream: Callable[[], io.StringIO]) -> None:
    out = stream()
    progress = Progress(2, stream=out)
    progress.begin("evil\x1b]0;pwned\x07\n", "file\r\u202e")
    progress.begin("next", "file")
    progress.close()
    # On a terminal the line is redrawn with the suite's own carriage return and erase.
    text = out.getvalue().replace("\r\x1b[K", "")
    assert_inert(text, "progress")
    assert "evil\\x1b]0;pwned\\x07\\x0a" in text


# --- each escaper, and a broken twin that the same check catches --------------------------------


@pytest.fixture(scope="module")
def hostile_report(runs: Runs) -> dict[str, Any]:
    """The internal-error run's report with EVERYTHING in each adapter-supplied field, and an
    adapter that could not start, as a writer may be handed it (``report`` re-renders any
    saved report, and an in-process adapter's text reaches it without any ingestion check)."""
    report = runs["internal-error"].report
    mock = report["adapters"][0]
    mock.update(implementation=EVERYTHING, version=EVERYTHING, notes={"x25519": EVERYTHING})
    report["adapters"].append(
        {**mock, "name": "mock-dead", "status": "error", "error": EVERYTHING, "capabilities": []}
    )
    for r in report["results"]:
        if r["outcome"] == "error":
            r["detail"] = EVERYTHING
    return report


def _identity(text: str, **_: object) -> str:
    return text


def _summary(report: dict[str, Any]) -> str:
    return render_summary(report, "out")


OUTPUTS: dict[str, tuple[Callable[[dict[str, Any]], str], str]] = {
    # output -> (renderer, the module attribute holding its escaper)
    "terminal": (_summary, "conformance.untrusted.terminal"),
    "md": (lambda r: render(r, "md"), "conformance.writers.markdown.visible"),
    "html": (lambda r: render(r, "html"), "conformance.writers.html.visible"),
    "junit": (lambda r: render(r, "junit"), "conformance.writers.junit.visible"),
}


def _check(output: str, text: str) -> None:
    assert_inert(text, output)
    if output == "junit":
        ET.fromstring(text.encode("utf-8"))
    for escape in ("\\x1b", "\\u202e"):
        assert escape in text, f"{output}: {escape} shown, not dropped"


@pytest.mark.parametrize("output", list(OUTPUTS))
def test_escaper_makes_the_output_inert(output: str, hostile_report: dict[str, Any]) -> None:
    renderer, _ = OUTPUTS[output]
    _check(output, renderer(hostile_report))


@pytest.mark.parametrize("output", list(OUTPUTS))
def test_a_broken_escaper_is_caught(
    output: str, hostile_report: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """No test that cannot fail: with the escaper replaced by the identity, the same check
    fails (or the output cannot even be written)."""
    renderer, where = OUTPUTS[output]
    monkeypatch.setattr(where, _identity)
    with pytest.raises((AssertionError, ET.ParseError, UnicodeEncodeError)):
        _check(output, renderer(hostile_report).encode("utf-8").decode("utf-8"))


def test_a_broken_terminal_escaper_is_caught_in_a_real_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(untrusted, "terminal", _identity)
    done = run(tmp_path, str(MOCKS["internal-error"]), "pynacl")
    assert done.code == 1
    with pytest.raises(AssertionError):
        assert_inert(done.stdout, "standard output")


def test_markdown_cells_and_fences_cannot_be_broken_out_of() -> None:
    esc = markdown_writer._esc
    assert esc("a|b\nc\r\nd") == "a\\|b c d"
    assert esc("`x` *y* _z_ [l](u) ~s~ # h") == "\\`x\\` \\*y\\* \\_z\\_ \\[l\\](u) \\~s\\~ \\# h"
    assert esc("<img src=x onerror=alert(1)> &") == "&lt;img src=x onerror=alert(1)&gt; &amp;"
    assert esc("\x1b[31m\u202e") == "\\\\x1b\\[31m\\\\u202e"
    assert esc("x" * 300, 10) == "x" * 9 + "…"
    # No mention: report.md is posted as a pull-request comment.
    assert esc("ping @octocat and @org/team") == "ping @&#8203;octocat and @&#8203;org/team"
    fenced = markdown_writer._fenced(["a ``` b", "c ````` d", "\x1b"])
    assert fenced[0] == fenced[-1] == "`" * 6
    assert fenced[1:-1] == ["a ``` b", "c ````` d", "\\x1b"]
    assert markdown_writer._fenced(["plain"], "sh")[0] == "```sh"


def test_visible_shows_every_unsafe_character_and_keeps_the_rest() -> None:
    shown = untrusted.visible(EVERYTHING)
    assert raw_controls(shown) == []
    for raw in ("\ufffe", "\uffff"):
        assert raw not in shown
    for escape in ("\\x1b", "\\x9b", "\\u202e", "\\ud800", "\\ufffe"):
        assert escape in shown
    assert "\nverdict" in shown  # a newline is kept...
    assert "\\x0averdict" in untrusted.visible(EVERYTHING, one_line=True)  # ...unless one line
    kept = "tab\there é 中文 🙂 \\x1b"
    assert untrusted.visible(kept) == kept


def test_clean_bounds_and_never_raises() -> None:
    class Unprintable:
        def __str__(self) -> str:
            raise RuntimeError("no")

    assert untrusted.clean("a\ud800b", 10) == "a\ufffdb"
    assert untrusted.clean("x" * 50, 10) == "x" * 10 + "… [40 more characters]"
    assert untrusted.clean(12, 10) == "12"
    assert untrusted.clean(Unprintable(), 100) == "<unprintable Unprintable: RuntimeError>"


def test_json_is_valid_utf8_and_inert_whatever_strings_reach_it(tmp_path: Path) -> None:
    text = json_text({"version": "1\ud800", "k": ["\udfff"], "raw": EVERYTHING})
    assert_inert(text, "report.json")
    parsed = json.loads(text.encode("utf-8"))
    assert parsed["version"] == "1\ufffd"
    assert parsed["k"] == ["\ufffd"]
    # Every other character is escaped in JSON's own way: it parses back unchanged.
    assert parsed["raw"] == untrusted.storable(EVERYTHING)
    # A result whose text entered nowhere the ingestion checks (a comment quoting a version).
    stream = ResultStream(tmp_path / "results.jsonl")
    stream.write(
        CheckResult(
            check="c",
            family="f",
            capability="x25519",
            adapters=("a",),
            outcome="error",
            comment="v\ud800\u202e\x9b",
            detail="d\udc00",
        )
    )
    stream.close()
    text = (tmp_path / "results.jsonl").read_bytes().decode("utf-8")
    assert_inert(text, "results.jsonl")
    line = json.loads(text)
    assert (line["comment"], line["detail"]) == ("v\ufffd\u202e\x9b", "d\ufffd")


@pytest.mark.parametrize("broken", ["storable", "json_safe"])
def test_a_broken_json_cleaner_is_caught(broken: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(untrusted, broken, _identity)
    text = json_text({"version": "1\ud800", "raw": EVERYTHING})
    with pytest.raises((UnicodeEncodeError, AssertionError)):
        assert_inert(text.encode("utf-8").decode("utf-8"), "report.json")
