"""Playing a scenario case: ordered steps, each run against the implementation and compared.

A scenario case is judged as a whole. Every step but the last must succeed with exactly its
expected output (a refusal there is a failure of a valid operation, whatever the case's result).
The last step is judged by the case's result: a valid case must succeed, an invalid case must
be refused, and an acceptable case may do either (the choice is recorded). A step before the
last one that carries ``result: invalid`` must be refused instead, and the scenario goes on
from the state the implementation returned with the refusal (the stateful contract:
``ProtocolError.state``; the state before the step when it returns none): a bad message that
damages the party's state shows at the next step, which delivers the genuine message (Double
Ratchet §3.5: a failed decryption discards its changes to the state). The detail of a failure
names the step, so a report shows the first place where two implementations diverge.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from ..errors import ProtocolError, Unsupported
from ..model import Case, Group, Step
from ..vectortypes import STEP_RESULTS
from . import PASS, Attempt, CheckFn, Verdict, _hex, refusal

__all__ = ["REFUSAL_MISSED", "Outcome", "Refused", "StepFn", "play", "setup_refusals"]

#: How a step that had to be refused and was not is reported (report.py's disagreement view
#: reads it to tell an acceptance from a refusal in a case that is valid as a whole).
REFUSAL_MISSED = "accepted what must be refused"


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a step produced (``got``) next to what the vector expects (``expected``); a step
    with nothing to compare leaves both None."""

    got: object = None
    expected: object = None


#: Runs one step on the implementation; raises a neutral error when the step is refused.
StepFn = Callable[[Step], Outcome]
#: Keeps the state a refusal returned (``error.state``) as the state of the step's party.
Refused = Callable[[Step, ProtocolError], None]


def setup_refusals(check: CheckFn) -> CheckFn:
    """A refusal while setting a scenario up (building accounts from the case's keys, say) is a
    failure of a valid operation, or ``unsupported`` when the refusal says so."""

    @functools.wraps(check)
    def run(group: Group, case: Case, impl: object) -> Verdict:
        try:
            return check(group, case, impl)
        except Unsupported as exc:
            return Verdict("unsupported", f"setting up: {refusal(exc)}")
        except ProtocolError as exc:
            return Verdict("fail", f"setting up: refused with {refusal(exc)}")

    return run


def _label(index: int, step: Step) -> str:
    what = f"step {index + 1} ({step.party} {step.op}"
    if step.has("index"):
        what += f" at index {step.int('index')}"
    return what + ")"


def _differs(what: str, outcome: Outcome) -> str:
    return f"{what}: expected {_hex(outcome.expected)}, got {_hex(outcome.got)}"


def _must_refuse(case: Case, index: int, last: int, step: Step) -> bool:
    result = step.fields.get("result")
    if result is None:
        return False
    if result not in STEP_RESULTS or index == last:
        # The last step is judged by the case's result; anything else is bad data.
        raise ValueError(f"tcId {case.tc_id}: step {index + 1} has result {result!r}")
    return True


def play(
    case: Case,
    steps: tuple[Step, ...],
    ops: Mapping[str, StepFn],
    refused: Refused | None = None,
) -> Verdict:
    """Run ``steps`` in order with the handler of each step's ``op`` and judge the case;
    ``refused`` keeps the state returned with the refusal of a ``result: invalid`` step."""
    last = len(steps) - 1
    for i, step in enumerate(steps):
        what = _label(i, step)
        fn = ops.get(step.op)
        if fn is None:
            raise ValueError(f"tcId {case.tc_id}: no handler for scenario op {step.op!r}")
        must_refuse = _must_refuse(case, i, last, step)
        try:
            outcome = Attempt(fn(step))
        except ProtocolError as exc:
            outcome = Attempt(error=exc)
        if isinstance(outcome.error, Unsupported):
            return Verdict("unsupported", f"{what}: {refusal(outcome.error)}")
        if must_refuse:
            if outcome.error is None:
                return Verdict("fail", f"{what}: {REFUSAL_MISSED}")
            if refused is not None and outcome.error.state is not None:
                refused(step, outcome.error)
            continue
        result = outcome.value
        assert result is None or isinstance(result, Outcome)
        wrong = result is not None and result.got != result.expected
        if i < last or case.valid:
            if outcome.error is not None:
                return Verdict("fail", f"{what}: refused with {refusal(outcome.error)}")
            if wrong:
                assert result is not None
                return Verdict("fail", _differs(what, result))
            continue
        if case.invalid:
            if outcome.error is not None:
                return PASS
            return Verdict("fail", f"{what}: {REFUSAL_MISSED}")
        # acceptable: either behaviour, but what is produced must still be right.
        if outcome.error is not None:
            return Verdict("pass", None, "rejected")
        if wrong:
            assert result is not None
            return Verdict("fail", _differs(what, result))
        return Verdict("pass", None, "accepted")
    return PASS
