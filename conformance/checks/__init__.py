"""Check kinds: how one vector case is run against one implementation and judged.

Each vector type has one check function ``(group, case, impl) -> Verdict``. The function calls the
implementation and judges what came back against the case's ``result``:

- ``valid``: the operation must succeed with exactly the expected bytes;
- ``invalid``: the operation must be refused with one of the neutral error kinds;
- ``acceptable``: either, and the choice is recorded as the verdict's ``behaviour``; output that
  is produced must still be the expected one.

A valid or acceptable case refused with ``Unsupported`` (a parameter set the implementation does
not offer, e.g. an HMAC key size) is ``unsupported``, not a failure; an invalid one is
``unsupported`` too, not a pass: the input was never checked.

Neutral errors are caught here; any other exception is left to the engine, which records an
``error`` outcome for it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, TypeVar

from ..errors import ProtocolError, Unsupported
from ..model import Case, Group

__all__ = ["CHECKS", "Attempt", "CheckFn", "Verdict", "attempt", "judge", "mismatch"]

Outcome = Literal["pass", "fail", "unsupported"]
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Verdict:
    outcome: Outcome
    detail: str | None = None
    behaviour: Literal["accepted", "rejected"] | None = None


# Verdicts are immutable, so the passing ones are shared rather than made for every operation.
PASS = Verdict("pass")
_ACCEPTED = Verdict("pass", None, "accepted")
_REJECTED = Verdict("pass", None, "rejected")


@dataclass(slots=True)
class Attempt:
    """What an operation produced: a value, or the neutral error it was refused with.

    Not frozen: one is made for every call a check makes, a frozen ``__init__`` costs twice as
    much, and nothing keeps one past the check that made it."""

    value: object = None
    error: ProtocolError | None = None

    @property
    def refused(self) -> bool:
        return self.error is not None


def attempt(fn: Callable[..., object], *args: object) -> Attempt:
    try:
        return Attempt(fn(*args))
    except ProtocolError as exc:
        return Attempt(error=exc)


def _hex(value: object, limit: int = 512) -> str:
    if isinstance(value, bytes):
        text = value.hex()
        return text if len(text) <= limit else f"{text[:limit]}... ({len(value)} bytes)"
    return repr(value)


def mismatch(what: str, expected: object, got: object) -> str:
    return f"{what}: expected {_hex(expected)}, got {_hex(got)}"


def refusal(error: ProtocolError) -> str:
    return f"{error.kind}: {error}" if str(error) else error.kind


def judge(case: Case, outcome: Attempt, expected: object, what: str) -> Verdict:
    """Judge one operation whose success must produce ``expected``.

    ``expected`` is ignored for ``invalid`` cases (only the refusal matters) and may be None when
    the operation returns nothing on success (a verification).
    """
    if isinstance(outcome.error, Unsupported) and not case.valid:
        # Not a refusal of this input: the implementation cannot do the operation at all (a
        # key format it does not take, say), so nothing was checked.
        return Verdict("unsupported", f"{what}: {refusal(outcome.error)}")
    if case.invalid:
        if outcome.refused:
            return PASS
        returned = "" if outcome.value is None else f" (returned {_hex(outcome.value)})"
        return Verdict("fail", f"{what}: accepted an invalid input{returned}")
    if isinstance(outcome.error, Unsupported):
        # The implementation does not do this parameter set (a key size, say): not a wrong
        # answer, but not a pass either; `--fail-on unsupported` makes it block.
        return Verdict("unsupported", f"{what}: {refusal(outcome.error)}")
    if outcome.error is not None:
        if case.acceptable:
            return _REJECTED
        return Verdict("fail", f"{what}: refused a valid input with {refusal(outcome.error)}")
    if expected is not None and outcome.value != expected:
        return Verdict("fail", mismatch(what, expected, outcome.value))
    return _ACCEPTED if case.acceptable else PASS


def first_failure(*verdicts: Verdict) -> Verdict:
    """Combine the verdicts of several operations on one case: the first failure wins."""
    behaviours: set[str] = set()
    for v in verdicts:
        if v.outcome != "pass":
            return v
        if v.behaviour:
            behaviours.add(v.behaviour)
    if not behaviours:
        return PASS
    if len(behaviours) > 1:
        return Verdict(
            "fail", "inconsistent: one operation accepted the case and another refused it"
        )
    return _ACCEPTED if behaviours.pop() == "accepted" else _REJECTED


CheckFn = Callable[[Group, Case, object], Verdict]


def _registry() -> dict[str, CheckFn]:
    """Every family module's ``CHECKS`` (a module without one holds shared helpers)."""
    import importlib
    import pkgutil

    out: dict[str, CheckFn] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        out.update(getattr(module, "CHECKS", {}))
    return out


#: Vector type name -> check function.
CHECKS: dict[str, CheckFn] = _registry()
