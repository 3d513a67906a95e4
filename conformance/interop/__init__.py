"""Interop checks: scripted conversations over every ordered pair of implementations.

A pair scenario plays one conversation with implementation A as the first party (Alice, the
sender of a group session) and B as the second (Bob, a receiver). It is not a vector: its keys
and plaintexts are drawn from a generator seeded by the run's seed, the scenario and the pair,
so ``--seed`` replays it exactly. A result names both sides (``adapters`` is (A, B)) and their
versions, and its check id is ``pair/<family>/<scenario>``.

Every ordered pair is run, self-pairs included: (A, A) is the implementation talking to itself,
which is where a bug symmetrical in sending and receiving hides.
"""

from __future__ import annotations

import random
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ..adapter import LoadedAdapter
from ..errors import ProtocolError, Unsupported
from ..model import SpecRef
from ..results import CheckResult, Outcome
from ..selection import Selection
from ..stdio import AdapterFault

__all__ = [
    "ByDesign",
    "PairFailure",
    "PairScenario",
    "PairTask",
    "Rng",
    "plan_pairs",
    "run_pair",
    "scenario_ids",
    "scenarios",
    "step",
]


class PairFailure(Exception):
    """The pair disagreed: the message says at which step and how."""


def step(what: str, fn: Callable[..., Any], *args: Any) -> Any:
    """Run one step of a scenario; a refusal is the pair's failure, named by ``what``."""
    try:
        return fn(*args)
    except ProtocolError as exc:
        raise PairFailure(f"{what}: refused with {exc.kind}: {exc}") from None


class ByDesign(Exception):
    """The family does not offer this property by design: the message says why and where it
    is documented. Reported as ``unsupported`` with that reason, never as a pass."""


class Rng:
    """The scenario's source of keys and plaintexts, seeded so a run can be replayed."""

    def __init__(self, seed: str) -> None:
        self._random = random.Random(seed)

    def key(self) -> bytes:
        return self._random.randbytes(32)

    def take(self, n: int) -> bytes:
        return self._random.randbytes(n)

    def plaintext(self, label: str) -> bytes:
        return f"{label} {self._random.randbytes(6).hex()}".encode()

    def shuffle(self, items: list[int]) -> None:
        self._random.shuffle(items)


#: Plays a scenario: (implementation of A, implementation of B, randomness); raises PairFailure.
#: A scenario about a behaviour the spec leaves open returns what B did ("accepted" or
#: "rejected"), which the report shows and a profile may rule on.
PlayFn = Callable[[object, object, Rng], str | None]


@dataclass(frozen=True)
class PairScenario:
    name: str
    family: str
    capability: str
    description: str
    spec: tuple[SpecRef, ...]
    play: PlayFn
    #: Kept by the smoke tier (ci and full run every scenario).
    smoke: bool = False
    #: For a behaviour scenario, the flag its behaviour is reported under (see profiles).
    flags: tuple[str, ...] = ()
    #: "pair" (an interop scenario) or "prop" (a safety property, conformance.properties).
    kind: str = "pair"
    #: The bugType of a failure (Wycheproof's glossary plus the suite's kinds).
    bug_type: str | None = None

    @property
    def check(self) -> str:
        return f"{self.kind}/{self.family}/{self.name}"


def scenarios() -> list[PairScenario]:
    """Every interop scenario, then every safety property."""
    from ..properties import SCENARIOS as PROPERTIES
    from . import megolm, olm, signal

    return [*olm.SCENARIOS, *megolm.SCENARIOS, *signal.SCENARIOS, *PROPERTIES]


def scenario_ids() -> list[str]:
    return [s.check for s in scenarios()]


@dataclass(frozen=True)
class PairTask:
    scenario: PairScenario
    first: LoadedAdapter
    second: LoadedAdapter


def plan_pairs(
    adapters: Sequence[LoadedAdapter],
    families: Sequence[str] | None,
    selection: Selection | None = None,
) -> list[PairTask]:
    """Every selected scenario of the families over every ordered pair of adapters that declare
    its capability. Adapters that do not are left out of the pair grid (their KAT results
    already say ``unsupported``); an adapter that failed to start is kept, so its pairs are
    ``error`` results rather than absent."""
    tasks: list[PairTask] = []
    for sc in scenarios():
        if families and sc.family not in families:
            continue
        if selection is not None and not selection.keeps(sc.check, smoke=sc.smoke):
            continue
        able = [a for a in adapters if a.error is not None or a.supports(sc.capability)]
        tasks.extend(PairTask(sc, a, b) for a in able for b in able)
    return tasks


def pair_seed(run_seed: int, task: PairTask) -> str:
    return f"{run_seed}/{task.scenario.check}/{task.first.name}/{task.second.name}"


def run_pair(
    task: PairTask, run_seed: int, wrap: Callable[[str, object], object] | None = None
) -> CheckResult:
    """Play the task's scenario; ``wrap(adapter name, implementation)`` may stand in front of
    each side's implementation (``repro`` puts a call recorder there)."""
    sc, a, b = task.scenario, task.first, task.second

    def result(
        outcome: Outcome, detail: str | None = None, behaviour: str | None = None
    ) -> CheckResult:
        return CheckResult(
            check=sc.check,
            family=sc.family,
            capability=sc.capability,
            adapters=(a.name, b.name),
            outcome=outcome,
            spec=sc.spec,
            comment=f"{sc.description} First party {a.name} {a.version}; "
            f"second party {b.name} {b.version}.",
            detail=detail,
            seed=run_seed,
            flags=sc.flags,
            behaviour=behaviour,
            bug_types=(sc.bug_type,) if sc.bug_type and outcome == "fail" else (),
        )

    for side in (a, b):
        if side.error is not None:
            return result("error", f"adapter {side.name} could not start: {side.error}")
    try:
        first, second = a.get(sc.capability), b.get(sc.capability)
        if wrap is not None:
            first, second = wrap(a.name, first), wrap(b.name, second)
        behaviour = sc.play(first, second, Rng(pair_seed(run_seed, task)))
    except PairFailure as exc:
        return result("fail", str(exc))
    except ByDesign as exc:
        return result("unsupported", f"by design: {exc}")
    except Unsupported as exc:
        return result("unsupported", f"Unsupported: {exc}")
    except AdapterFault as exc:
        return result("error", str(exc))
    except ProtocolError as exc:
        # A refusal that the scenario did not turn into a PairFailure itself.
        return result("fail", f"refused with {exc.kind}: {exc}")
    except Exception as exc:
        tail = "".join(traceback.format_exception(exc)).rstrip().splitlines()[-8:]
        return result(
            "error", f"native exception {type(exc).__qualname__}: {exc}\n" + "\n".join(tail)
        )
    return result("pass", None, behaviour)
