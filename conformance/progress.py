"""Progress on stderr: one redrawn line on a terminal, one line per finished task otherwise
(so CI logs show steady progress without carriage-return noise).

The redrawn line is the suite's own carriage return and erase sequence, so the text cannot be
escaped as a whole: the names in it (an adapter's, from its manifest) are escaped on their own.
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from typing import TextIO

from . import untrusted
from .engine import Task
from .results import CheckResult

__all__ = ["Progress"]


class Progress:
    def __init__(self, total: int, stream: TextIO | None = None, enabled: bool = True) -> None:
        self.total = total
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = enabled
        self.tty = enabled and self.stream.isatty()
        self.done = 0
        self._task: tuple[str, str] | None = None
        self._counts: Counter[str] = Counter()
        self._last = 0.0

    def task(self, task: Task) -> None:
        self.begin(task.adapter.name, task.vectors.name)

    def begin(self, who: str, what: str) -> None:
        """A new unit of work: ``who`` runs ``what`` (an adapter and a vector file, or a pair
        and a scenario)."""
        self._finish_task()
        self._task = (
            untrusted.terminal(who, one_line=True),
            untrusted.terminal(what, one_line=True),
        )
        self._counts = Counter()
        self._draw(force=True)

    def result(self, r: CheckResult) -> None:
        self.done += 1
        self._counts[r.outcome] += 1
        if self.tty and not self.done % 256:
            self._draw()

    def close(self) -> None:
        self._finish_task()
        if self.tty:
            self.stream.write("\r\033[K")
            self.stream.flush()

    def _finish_task(self) -> None:
        if self._task is None or not self.enabled or self.tty:
            return
        counts = ", ".join(f"{n} {o}" for o, n in sorted(self._counts.items()))
        self.stream.write(
            f"[{self.done:>{len(str(self.total))}}/{self.total}] "
            f"{self._task[0]:<14} {self._task[1]}: {counts}\n"
        )
        self.stream.flush()

    def _draw(self, force: bool = False) -> None:
        if not self.tty or self._task is None:
            return
        now = time.monotonic()
        if not force and now - self._last < 0.1:
            return
        self._last = now
        pct = 100 * self.done // max(self.total, 1)
        line = f"[{pct:3d}%] {self.done}/{self.total} checks  {self._task[0]}  {self._task[1]}"
        self.stream.write("\r\033[K" + line[:200])
        self.stream.flush()
