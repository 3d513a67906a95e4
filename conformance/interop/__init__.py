"""Interop checks: scripted conversations over every ordered pair of implementations.

A pair scenario plays one conversation with implementation A as the first party (Alice, the
sender of a group session) and B as the second (Bob, a receiver). It is not a vector: its keys
and plaintexts are drawn from a generator seeded by the run's seed, the scenario and the pair,
so ``--seed`` replays it exactly. A result names both sides (``adapters`` is (A, B)) and their
versions, and its check id is ``pair/<family>/<scenario>``.

Every ordered pair is run, self-pairs included: (A, A) is the implementation talking to itself,
which is where a bug symmetrical in sending and receiving hides.

A group scenario (check id ``group/<family>/<scenario>``) has more parties than two; its
``plan`` says which tuples of implementations play it without running every one of the n^k:
``triples`` is a Latin square (:func:`latin_triples`), ``rotations`` one group of every
implementation per implementation as the first party (:func:`rotations`). A pair check too
costly for n^2 pairs may play the ``cycle`` (:func:`cycle_pairs`: each with the next by name).
An attack in which the suite's reference plays the attacker inside the scenario plays ``each``:
every implementation once, as both parties, since the other side is not an implementation
under test.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .. import interrupts
from ..adapter import LoadedAdapter
from ..engine import implementation_for, native_error
from ..errors import ProtocolError, Unsupported
from ..model import SpecRef
from ..results import CheckResult, Fault, Outcome
from ..selection import Selection
from ..stdio import AdapterFault
from .restart import Restarter

__all__ = [
    "ByDesign",
    "PairFailure",
    "PairScenario",
    "PairTask",
    "Played",
    "Rng",
    "cycle_pairs",
    "latin_triples",
    "plan_pairs",
    "quirks_of",
    "rotations",
    "run_pair",
    "scenario_ids",
    "scenarios",
    "smoke_pairs",
    "step",
]


ROLES = ("alice", "bob")
#: A party of a pair or group: a role of a pair, or the party's index (0 is the first).
Party = str | int


def _index(party: Party) -> int:
    return ROLES.index(party) if isinstance(party, str) else party


class PairFailure(Exception):
    """The pair disagreed: the message says at which step and how.

    It also says what the evidence points at (see :mod:`conformance.attribution`):
    ``receiver`` is the role ("alice" is the first party A, "bob" the second B) that received
    the message the failure is about. With ``receiver_fault=True`` the receiver alone is at
    fault, whoever sent the message: it accepted what it must refuse (a replay, a message the
    suite tampered with or forged, a message its own old state must not read), crashed on it, or
    lost a genuine message because of it. With ``sender_fault=True`` the sender alone is at
    fault: it produced what an independent judge (the suite's reference) refuses or must refuse,
    whoever received it. Otherwise (it refused or misread a genuine message,
    or a stolen state read a new one) the sender or the receiver is at fault, decided across
    every pair of the check. No ``receiver``: the pair as a whole, undetermined.

    In a group, parties are named by index (0 is the first) and ``sender`` says who sent the
    message (in a pair it is the other role).
    """

    def __init__(
        self,
        message: str,
        *,
        receiver: Party | None = None,
        receiver_fault: bool = False,
        sender_fault: bool = False,
        sender: Party | None = None,
        allowed: str | None = None,
        evidence: str | None = None,
        measured: Mapping[str, str | int] | None = None,
    ):
        super().__init__(message)
        for party in (receiver, sender):
            if isinstance(party, str) and party not in ROLES:
                raise ValueError(f"a party must be one of {ROLES} or an index, not {party!r}")
            if isinstance(party, int) and party < 0:
                raise ValueError("a party's index is not negative")
        if sender_fault and (receiver is None or receiver_fault):
            raise ValueError("sender_fault needs a receiver and excludes receiver_fault")
        self.receiver = receiver
        self.receiver_fault = receiver_fault
        self.sender_fault = sender_fault
        self.sender = sender
        #: The receiver refused as its manifest declares, and the spec (this section) lets it:
        #: the pair cannot work, which is a finding against the receiver, not a violation.
        self.allowed = allowed
        #: Why the party named at fault is (a group's own evidence), instead of the reason
        #: receiver_fault and sender_fault otherwise stand for.
        self.evidence = evidence
        #: What the scenario measured before it failed (see :class:`Played`).
        self.measured: Mapping[str, str | int] = dict(measured or {})


@dataclass(frozen=True)
class Played:
    """What a scenario that measures something returns instead of a bare behaviour: the
    behaviour (or None) and the values the result's ``measured`` holds (integers and names the
    suite makes, never an adapter's text)."""

    behaviour: str | None = None
    measured: Mapping[str, str | int] = field(default_factory=dict)


def step(
    what: str,
    fn: Callable[..., Any],
    *args: Any,
    receiver: Party | None = None,
    receiver_fault: bool = False,
    sender: Party | None = None,
) -> Any:
    """Run one step of a scenario; a refusal is the pair's failure, named by ``what``; the
    step's ``receiver`` (a role) refused something genuine, alone at fault with
    ``receiver_fault`` (a refusal of the suite's own inputs, say)."""
    try:
        return fn(*args)
    except Unsupported:
        raise  # the implementation cannot do this step at all: the pair is unsupported
    except ProtocolError as exc:
        raise PairFailure(
            f"{what}: refused with {exc.kind}: {exc}",
            receiver=receiver,
            receiver_fault=receiver_fault,
            sender=sender,
        ) from None


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
#: "rejected"), which the report shows and a profile may rule on; one that measures something
#: returns a :class:`Played`. A group scenario gets every
#: party's implementation in order, then the randomness.
PlayFn = Callable[..., "str | Played | None"]
#: How a scenario's tuples of implementations are chosen (see the module's docstring).
PLANS = ("pairs", "cycle", "each", "triples", "rotations")


@dataclass(frozen=True)
class PairScenario:
    name: str
    family: str
    capability: str
    description: str
    spec: tuple[SpecRef, ...]
    play: PlayFn
    #: Kept by the smoke tier (ci and full run every scenario but the full-only ones).
    smoke: bool = False
    #: Run by the full tier only: an exhaustive variant of what a ci check covers in part.
    full_only: bool = False
    #: For a behaviour scenario, the flag its behaviour is reported under (see profiles).
    flags: tuple[str, ...] = ()
    #: "pair" (an interop scenario), "group" (more than two parties) or "prop" (a safety
    #: property, conformance.properties).
    kind: str = "pair"
    #: The bugType of a failure (Wycheproof's glossary plus the suite's kinds).
    bug_type: str | None = None
    #: "pairs" (every ordered pair; the smoke tier's :func:`smoke_pairs`), "cycle"
    #: (:func:`cycle_pairs`: an exhaustive check too costly for n^2), "each" (every
    #: implementation paired with itself only: the suite's reference plays the other side,
    #: an attacker, inside the scenario), or for a group (kind "group") "triples" or
    #: "rotations".
    plan: str = "pairs"

    def __post_init__(self) -> None:
        if self.plan not in PLANS:
            raise ValueError(f"plan must be one of {PLANS}, not {self.plan!r}")

    @property
    def check(self) -> str:
        return f"{self.kind}/{self.family}/{self.name}"


def scenarios() -> list[PairScenario]:
    """Every interop scenario, then every safety property."""
    from ..properties import SCENARIOS as PROPERTIES

    return [*(s for module in _family_modules() for s in module.SCENARIOS), *PROPERTIES]


#: The order of the families' scenarios in a run (a new family's module is found by itself
#: and comes after these).
_ORDER = ("olm", "megolm", "signal", "pq")


def _family_modules() -> list[Any]:
    """Every module of this package that lists ``SCENARIOS`` (one per family)."""
    import importlib
    import pkgutil

    names = [m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_")]
    names.sort(key=lambda n: (_ORDER.index(n) if n in _ORDER else len(_ORDER), n))
    modules = [importlib.import_module(f"{__name__}.{n}") for n in names]
    return [m for m in modules if hasattr(m, "SCENARIOS")]


def scenario_ids() -> list[str]:
    return [s.check for s in scenarios()]


@dataclass(frozen=True)
class PairTask:
    scenario: PairScenario
    first: LoadedAdapter
    second: LoadedAdapter
    #: A group's parties after the first two.
    others: tuple[LoadedAdapter, ...] = ()

    @property
    def parties(self) -> tuple[LoadedAdapter, ...]:
        return (self.first, self.second, *self.others)

    @property
    def label(self) -> str:
        return "→".join(p.name for p in self.parties)


def plan_pairs(
    adapters: Sequence[LoadedAdapter],
    families: Sequence[str] | None,
    selection: Selection | None = None,
) -> list[PairTask]:
    """Every selected scenario of the families over every ordered pair of adapters that declare
    its capability (the smoke tier: :func:`smoke_pairs`). Adapters that do not are left out of the pair grid (their KAT results
    already say ``unsupported``); an adapter that failed to start is kept, so its pairs are
    ``error`` results rather than absent."""
    tasks: list[PairTask] = []
    for sc in scenarios():
        if families and sc.family not in families:
            continue
        if selection is not None and not selection.keeps(
            sc.check, smoke=sc.smoke, full_only=sc.full_only
        ):
            continue
        able = [a for a in adapters if a.error is not None or a.supports(sc.capability)]
        tasks.extend(_in_run_order(_planned(sc, able, selection), able))
    return tasks


def _in_run_order(tasks: list[PairTask], able: Sequence[LoadedAdapter]) -> list[PairTask]:
    """A scenario's tasks ordered by their parties' places in the run's adapter list, the
    order ``merge`` restores (a plan picks its tuples by name, which may be another order)."""
    at = {id(a): i for i, a in enumerate(able)}
    return sorted(tasks, key=lambda t: tuple(at[id(p)] for p in t.parties))


def _planned(
    sc: PairScenario, able: list[LoadedAdapter], selection: Selection | None
) -> list[PairTask]:
    """The tuples of implementations the scenario's plan picks (see :class:`PairScenario`)."""
    if sc.plan == "triples":
        return [PairTask(sc, a, b, (c,)) for a, b, c in latin_triples(able)]
    if sc.plan == "rotations":
        return [PairTask(sc, g[0], g[1], g[2:]) for g in rotations(able) if len(g) > 1]
    if sc.plan == "cycle":
        return [PairTask(sc, a, b) for a, b in cycle_pairs(able)]
    if sc.plan == "each":
        return [PairTask(sc, a, a) for a in able]
    if selection is not None and selection.tier == "smoke":
        return [PairTask(sc, a, b) for a, b in smoke_pairs(able)]
    return [PairTask(sc, a, b) for a in able for b in able]


def cycle_pairs(able: Sequence[LoadedAdapter]) -> list[tuple[LoadedAdapter, LoadedAdapter]]:
    """Each implementation with the next one by name (a cycle; one implementation: itself), so
    every implementation is the first party once and the second once, with another, in n pairs:
    the grid of a check exhaustive enough that n^2 pairs would not fit a tier's budget."""
    ranked = sorted(able, key=lambda a: a.name)
    n = len(ranked)
    if n == 1:
        return [(ranked[0], ranked[0])]
    return [(ranked[i], ranked[(i + 1) % n]) for i in range(n)]


def latin_triples(
    able: Sequence[LoadedAdapter],
) -> list[tuple[LoadedAdapter, LoadedAdapter, LoadedAdapter]]:
    """The groups of three a three-party scenario plays: with the n implementations ranked by
    name, the triples (i, j, (i + j) mod n) for every i and j. That is a Latin square, an
    orthogonal array of strength 2: every ordered pair of implementations (an implementation
    with itself included) meets in every pair of roles exactly once, so every implementation
    takes every role with every other, in n^2 groups rather than n^3 (25 of 125 for five
    implementations, 36 of 216 for six)."""
    ranked = sorted(able, key=lambda a: a.name)
    n = len(ranked)
    return [(ranked[i], ranked[j], ranked[(i + j) % n]) for i in range(n) for j in range(n)]


def rotations(able: Sequence[LoadedAdapter]) -> list[tuple[LoadedAdapter, ...]]:
    """The groups an all-implementations scenario plays: every implementation once as the
    first party, the others after it in name order (a rotation), so n groups for n
    implementations."""
    ranked = sorted(able, key=lambda a: a.name)
    return [tuple(ranked[i:] + ranked[:i]) for i in range(len(ranked))]


def smoke_pairs(able: Sequence[LoadedAdapter]) -> list[tuple[LoadedAdapter, LoadedAdapter]]:
    """The smoke tier's pair grid: each adapter with itself, and with the next one by name (a
    cycle), so every implementation is the first party once and the second once with another,
    in 2n pairs rather than n^2 (with two adapters that is every ordered pair). The growth of
    the grid with the adapters installed is what the smoke tier's time budget cannot absorb."""
    ranked = sorted(able, key=lambda a: a.name)
    n = len(ranked)
    grid = [(a, a) for a in ranked]
    if n == 2:
        grid += [(ranked[0], ranked[1]), (ranked[1], ranked[0])]
    elif n > 2:
        grid += [(ranked[i], ranked[(i + 1) % n]) for i in range(n)]
    return grid


class _Blamed:
    """Stands in front of one side's implementation and marks every exception its calls raise
    (a refusal, an adapter fault, a native exception) with that side's adapter, so a result
    can name the party at fault."""

    def __init__(
        self,
        adapter: str,
        inner: object,
        quirks: dict[str, object],
        restarter: Callable[[], object] | None = None,
        wrap: Callable[[str, object], object] | None = None,
    ) -> None:
        self._adapter = adapter
        self._inner = inner
        self.e2ee_name = adapter
        #: The adapter's declared quirks (conformance.quirks), which a scenario plans around.
        self.e2ee_quirks = quirks
        self._restarter = restarter
        self._wrap = wrap

    def e2ee_restart(self) -> None:
        """Restart this party's implementation (:mod:`.restart`): later calls go to the new
        process or object."""
        if self._restarter is None:
            raise Unsupported(f"{self._adapter} cannot be restarted here")
        try:
            inner = self._restarter()
        except BaseException as exc:
            if not hasattr(exc, "e2ee_adapter"):
                exc.e2ee_adapter = self._adapter  # type: ignore[attr-defined]
            raise
        self._inner = inner if self._wrap is None else self._wrap(self._adapter, inner)
        # The kept call wrappers hold the old object's methods.
        for name in [n for n, v in self.__dict__.items() if callable(v) and not n.startswith("_")]:
            del self.__dict__[name]

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._inner, name)
        if not callable(value):
            return value
        adapter = self._adapter

        def call(*args: Any, **kwargs: Any) -> Any:
            try:
                return value(*args, **kwargs)
            except BaseException as exc:
                if not hasattr(exc, "e2ee_adapter"):
                    exc.e2ee_adapter = adapter  # type: ignore[attr-defined]
                raise

        # Kept, so the next call of this method finds it without __getattr__ and a new
        # closure: a property check makes thousands of calls per pair, some as short as a
        # parse that fails, where building the wrapper each time was a measurable share.
        self.__dict__[name] = call
        return call


def _raised_by(exc: BaseException) -> str | None:
    return getattr(exc, "e2ee_adapter", None)


def quirks_of(impl: object) -> dict[str, object]:
    """The quirks the adapter behind a scenario's party declared (conformance.quirks)."""
    found = getattr(impl, "e2ee_quirks", None)
    return found if isinstance(found, dict) else {}


def _role(party: Party, n: int) -> str:
    i = _index(party)
    return ROLES[i] if n == 2 else f"party {i + 1}"


def failure_fault(exc: PairFailure, names: Sequence[str]) -> Fault:
    """Who a scenario's failure charges, from what the failure says (see :class:`PairFailure`);
    ``names`` are the parties' adapters in order. An ``undetermined`` one of a pair is settled
    across every pair of the check by :func:`conformance.attribution.attribute`."""
    n = len(names)
    if exc.receiver is None or _index(exc.receiver) >= n:
        return Fault(
            "both" if len(set(names)) == 1 else "undetermined",
            tuple(dict.fromkeys(names)),
            "the scenario failed as a whole; no single message is to blame",
        )
    at = _index(exc.receiver)
    receiver, role = names[at], _role(at, n)
    if exc.sender is not None and _index(exc.sender) < n:
        by = _index(exc.sender)
    elif n == 2:
        by = 1 - at
    else:
        by = at  # a group failure that names no sender: the receiver's own step
    sender, sender_role = names[by], _role(by, n)
    what = str(exc).splitlines()[0][:200] if str(exc) else "it failed"
    if exc.allowed is not None:
        return Fault(
            "receiver",
            (receiver,),
            f"{receiver} as {role} refused what {sender} sent, as its manifest declares and "
            f"{exc.allowed} allows: the two cannot work together, though neither violates it",
            sender=sender,
            receiver=receiver,
        )
    if exc.evidence is not None and (exc.receiver_fault or exc.sender_fault):
        blamed = receiver if exc.receiver_fault else sender
        return Fault(
            "receiver" if exc.receiver_fault else "sender",
            (blamed,),
            f"{what}; {exc.evidence}",
            sender=sender,
            receiver=receiver,
        )
    if exc.receiver_fault:
        return Fault(
            "receiver",
            (receiver,),
            f"{receiver} as {role}: {what}; the suite made that message itself (a "
            "replay, tampering, forgery or an old state), so whoever sent the original is not to "
            "blame",
            sender=sender,
            receiver=receiver,
        )
    if exc.sender_fault:
        return Fault(
            "sender",
            (sender,),
            f"{sender} (as {sender_role}) sent what an "
            "independent judge refuses, whoever the receiver: that is the sender's alone",
            sender=sender,
        )
    if sender == receiver:
        return Fault(
            "both",
            (receiver,),
            f"{receiver} both sent and received the message",
            sender=sender,
            receiver=receiver,
        )
    return Fault(
        "undetermined",
        (sender, receiver),
        f"{receiver} (as {role}) refused or misread a message {sender} sent: the sender "
        "or the receiver is wrong",
        sender=sender,
        receiver=receiver,
    )


def pair_seed(run_seed: int, task: PairTask) -> str:
    return "/".join((str(run_seed), task.scenario.check, *(p.name for p in task.parties)))


def pair_result(
    task: PairTask,
    run_seed: int,
    outcome: Outcome,
    detail: str | None = None,
    behaviour: str | None = None,
    fault: Fault | None = None,
    duration: float | None = None,
    measured: Mapping[str, str | int] | None = None,
) -> CheckResult:
    """The result record of a pair task, whoever settled it (the scenario, or a worker that
    died under it)."""
    sc, a, b = task.scenario, task.first, task.second
    if task.others:
        comment = "Parties in order: " + ", ".join(f"{p.name} {p.version}" for p in task.parties)
    else:
        comment = f"First party {a.name} {a.version}; second party {b.name} {b.version}"
    return CheckResult(
        check=sc.check,
        family=sc.family,
        capability=sc.capability,
        adapters=tuple(p.name for p in task.parties),
        outcome=outcome,
        spec=sc.spec,
        comment=f"{sc.description} {comment}.",
        detail=detail,
        seed=run_seed,
        flags=sc.flags,
        behaviour=behaviour,
        bug_types=(sc.bug_type,) if sc.bug_type and outcome == "fail" else (),
        fault=fault,
        measured=dict(measured or {}),
        duration=None if duration is None else round(duration, 6),
    )


def run_pair(
    task: PairTask, run_seed: int, wrap: Callable[[str, object], object] | None = None
) -> CheckResult:
    """Play the task's scenario; ``wrap(adapter name, implementation)`` may stand in front of
    each side's implementation (``repro`` puts a call recorder there)."""
    sc, parties = task.scenario, task.parties
    names = tuple(p.name for p in parties)
    began = time.perf_counter()

    def result(
        outcome: Outcome,
        detail: str | None = None,
        behaviour: str | None = None,
        fault: Fault | None = None,
        measured: Mapping[str, str | int] | None = None,
    ) -> CheckResult:
        took = time.perf_counter() - began
        return pair_result(task, run_seed, outcome, detail, behaviour, fault, took, measured)

    def adapter_fault(exc: BaseException, what: str) -> Fault:
        name = _raised_by(exc)
        if name is None:
            return Fault("undetermined", tuple(dict.fromkeys(names)), what)
        return Fault("adapter", (name,), f"{name}'s {what}")

    for side in parties:
        if side.error is not None:
            return result(
                "error",
                # Its error is kept once, in the report's adapters section, not in every pair.
                f"adapter {side.name} could not start (its error is in the report's adapters "
                "section)",
                fault=Fault("adapter", (side.name,), f"adapter {side.name} could not start"),
            )
    try:
        impls = [implementation_for(p, sc.capability) for p in parties]
        if wrap is not None:
            impls = [wrap(p.name, impl) for p, impl in zip(parties, impls, strict=True)]
        restarters = [Restarter(p, sc.capability) for p in parties]
        blamed = [
            _Blamed(p.name, impl, p.manifest.quirks, again, wrap)
            for p, impl, again in zip(parties, impls, restarters, strict=True)
        ]
        try:
            played = sc.play(*blamed, Rng(pair_seed(run_seed, task)))
        finally:
            for again in restarters:
                again.close()
    except PairFailure as exc:
        return result("fail", str(exc), fault=failure_fault(exc, names), measured=exc.measured)
    except ByDesign as exc:
        return result("unsupported", f"by design: {exc}")
    except Unsupported as exc:
        return result("unsupported", f"Unsupported: {exc}")
    except AdapterFault as exc:
        return result("error", str(exc), fault=adapter_fault(exc, "adapter failed"))
    except ProtocolError as exc:
        # A refusal that the scenario did not turn into a PairFailure itself.
        return result(
            "fail",
            f"refused with {exc.kind}: {exc}",
            fault=Fault(
                "undetermined",
                tuple(dict.fromkeys(names)),
                f"{_raised_by(exc) or 'one side'} refused a step the scenario expected to succeed",
            ),
        )
    except BaseException as exc:
        if interrupts.is_interruption(exc):
            raise
        # BaseException too: an in-process adapter calling sys.exit(0) must not end the run.
        return result(
            "error",
            native_error(exc),
            fault=adapter_fault(exc, "implementation raised a native exception"),
        )
    if isinstance(played, Played):
        return result("pass", None, played.behaviour, measured=played.measured)
    return result("pass", None, played)
