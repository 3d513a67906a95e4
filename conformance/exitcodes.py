"""The process exit status, in one place: the CLI returns it, the terminal summary prints it, and
CI recipes branch on it (README "Gate policy", docs/ci.md "Exit status").

A CI job treats 0 as a pass, so 0 must only ever mean "the gate passed and the report is
written"; every way a run can end short of that has its own non-zero status.
"""

from __future__ import annotations

import signal
from collections.abc import Mapping
from typing import Any

__all__ = [
    "EXIT_FAILED",
    "EXIT_INCOMPLETE",
    "EXIT_OK",
    "EXIT_SIGINT",
    "EXIT_SIGTERM",
    "EXIT_USAGE",
    "for_report",
    "for_signal",
]

EXIT_OK = 0
#: The gate failed (a blocking result or a stale or expired expectation).
EXIT_FAILED = 1
#: A usage or configuration error: nothing was judged.
EXIT_USAGE = 2
#: The suite itself could not finish: an unexpected exception inside it, or something (an
#: in-process adapter) calling ``sys.exit``.
EXIT_INCOMPLETE = 3
#: Interrupted: the shell convention 128 + signal number, as if the signal had ended the process.
EXIT_SIGINT = 128 + signal.SIGINT
EXIT_SIGTERM = 128 + signal.SIGTERM


def for_signal(name: str) -> int:
    """``"SIGTERM"`` -> 143."""
    return 128 + int(signal.Signals[name])


def for_report(report: Mapping[str, Any]) -> int:
    """The status a run that wrote ``report`` exits with."""
    run = report.get("run", {})
    if run.get("interrupted"):
        return for_signal(run["interrupted"])
    if run.get("incomplete"):
        return EXIT_INCOMPLETE
    return EXIT_OK if report.get("verdict") == "pass" else EXIT_FAILED
