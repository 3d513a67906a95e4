"""The progress display: a redrawn line on a terminal, one line per task in a log."""

from __future__ import annotations

import io

from helpers import PRIMITIVES, adapter_from, real

from conformance import loader
from conformance.engine import Task, run_task
from conformance.progress import Progress


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _drive(stream: io.StringIO) -> str:
    vf = loader.load(PRIMITIVES / "x25519_test.json")
    task = Task(vf, adapter_from("real", {"x25519": real("x25519")}))
    progress = Progress(vf.number_of_tests, stream=stream)
    progress.task(task)
    run_task(task, progress.result)
    progress.close()
    return stream.getvalue()


def test_log_gets_one_line_per_task_with_counts() -> None:
    text = _drive(io.StringIO())
    assert text.count("\n") == 1
    assert "real" in text
    assert "primitives/x25519_test.json" in text
    assert "pass" in text


def test_terminal_gets_a_redrawn_line_that_is_cleared_at_the_end() -> None:
    text = _drive(_Terminal())
    assert "\r\033[K[" in text
    assert "checks" in text
    assert text.endswith("\r\033[K")
