"""SIGINT and SIGTERM during a command: stop it cleanly instead of dying mid-way.

Dying on the default SIGTERM action would skip every ``finally``: adapter processes and
``--jobs`` workers would be left running and no report written. While :func:`trap` is active,
the first SIGINT or SIGTERM raises :class:`Interrupted` in the main thread, so the run unwinds,
ends its child processes, and writes what it has, marked as interrupted.

Code that catches ``BaseException`` around adapter code (an adapter may raise anything, even
``KeyboardInterrupt``) must re-raise when :func:`received` is set: that is how a real interruption
is told apart from an adapter's own ``KeyboardInterrupt`` or ``SystemExit``.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import FrameType

from .exitcodes import for_signal

__all__ = ["Interrupted", "deferred", "is_interruption", "received", "trap"]

_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Interrupted(KeyboardInterrupt):
    """The run received SIGINT or SIGTERM.

    A ``KeyboardInterrupt`` so code that already stops on Ctrl-C stops on SIGTERM too.
    """

    def __init__(self, signal_name: str) -> None:
        super().__init__(signal_name)
        self.signal_name = signal_name

    @property
    def exit_code(self) -> int:
        return for_signal(self.signal_name)


@dataclass
class _State:
    received: str | None = None
    trapped: bool = False
    deferring: int = 0


_state = _State()


def received() -> str | None:
    """``"SIGINT"`` or ``"SIGTERM"`` once the current (or last) trapped command got one, else
    None. Set by the handler before it raises, so it is already set wherever the exception
    lands."""
    return _state.received


def is_interruption(exc: BaseException) -> bool:
    """Whether ``exc``, caught around adapter code, is the run being stopped (re-raise it) rather
    than the adapter's own doing (an ``error`` result). A ``KeyboardInterrupt`` with no signal
    received is the adapter's while :func:`trap` is active; outside it nothing tells the two
    apart, and Ctrl-C must still stop a run."""
    if isinstance(exc, Interrupted):
        return True
    return isinstance(exc, KeyboardInterrupt) and (
        _state.received is not None or not _state.trapped
    )


def _handle(signum: int, frame: FrameType | None) -> None:
    name = signal.Signals(signum).name
    first = _state.received is None
    if first:
        _state.received = name
    if _state.deferring:
        return
    # A second SIGTERM changes nothing (the run is already stopping); a second Ctrl-C is an
    # impatient user, who may cut short even the writing of the report.
    if first or signum == signal.SIGINT:
        raise Interrupted(name)


@contextmanager
def trap() -> Iterator[None]:
    """Turn SIGINT and SIGTERM into :class:`Interrupted` for the duration; the previous
    handlers come back afterwards. Nested uses and other threads (where Python cannot install
    handlers) leave things as they are."""
    if _state.trapped:
        yield
        return
    if threading.current_thread() is not threading.main_thread():
        _state.received = None  # whatever an earlier command got is not this one's
        yield
        return
    previous = {s: signal.getsignal(s) for s in _SIGNALS}
    _state.received = None
    _state.trapped = True
    try:
        for s in _SIGNALS:
            # An ignored signal stays ignored: a shell starts background jobs with SIGINT
            # ignored so that Ctrl-C at the prompt does not reach them.
            if previous[s] is not signal.SIG_IGN:
                signal.signal(s, _handle)
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler if handler is not None else signal.SIG_DFL)
        _state.trapped = False


@contextmanager
def deferred() -> Iterator[None]:
    """Inside, a signal is only recorded (see :func:`received`), not raised: for clean-up that
    must not be cut short, such as ending child processes. The caller checks :func:`received`
    afterwards."""
    _state.deferring += 1
    try:
        yield
    finally:
        _state.deferring -= 1
