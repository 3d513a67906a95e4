"""Randomised conversations: a Hypothesis stateful machine per ordered pair of implementations.

Rules send either way, deliver an in-flight message (in any order), exchange one message each
way at once (a conversation's turn), drop one, replay a delivered one, tamper with one, and
snapshot a party to compromise it later. Invariants, checked as the
rules run: every genuine message delivered decrypts exactly once to what was sent; every replay
and every tampered message is refused and changes nothing; a snapshot taken before the
conversation healed (the family's healing turns: both parties' ratchets moved on) cannot read a
message sent after.

A verdict must be a function of the suite version, the adapters, the seed and the check id
alone. So Hypothesis runs from an explicit seed derived from the pair's seed, with no example
database, the built-in default settings whatever profile a caller loaded, and without the
constants it would otherwise collect from the source files of "local" modules (which ones are
local depends on how the suite was installed, and which are loaded on what ran before). Every
example starts from the same keys, drawn from the pair's seed, so an example replayed while
shrinking sees exactly what it saw the first time. A failure is shrunk to the fewest steps and
the result's detail lists them, one per line, as the replayable scenario.

The engine never imports pytest: the machine is run with Hypothesis's own runner.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any, ClassVar, cast

from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.internal.conjecture import providers
from hypothesis.stateful import RuleBasedStateMachine, precondition, rule, run_state_machine_as_test

from ..errors import ProtocolError
from ..interop import PairFailure, Rng
from ..interop.drivers import Driver, MegolmDriver, Sent
from ..stdio import AdapterFault
from . import wire

__all__ = ["EXAMPLES", "STEPS", "random_conversation", "steps_run"]

#: Hypothesis's phases: examples from the seed, then the failing one shrunk to its fewest steps.
PHASES = (Phase.generate, Phase.shrink)
#: Examples and steps per example: a few hundred steps per pair.
EXAMPLES = 10
STEPS = 30
#: Messages kept in flight per sender (libolm keeps 40 skipped keys per session).
IN_FLIGHT = 12
#: Alternations of the delivering direction after a snapshot after which a family that heals
#: must have healed (two ratchet turns each way, with margin).
HEALED_AFTER = 4
#: Alternations of the delivering direction after which a message still in flight may be
#: refused: its sender has started four newer chains since, and libsignal and libolm keep five
#: receiving chains (the current one and four older; ``MAX_RECEIVER_CHAINS``), dropping an
#: older chain with its skipped keys. Implementations that keep more are not wrong either.
STALE_AFTER = 8


class _Conversation(RuleBasedStateMachine):
    driver_class: type[Driver]
    a: Any
    b: Any
    seed: str
    #: The steps of the last example run: after a failure, the shrunk one.
    last_steps: ClassVar[list[str]] = []
    #: Steps run by every machine so far (benchmarks/bench_properties.py reads it).
    steps_run: ClassVar[int] = 0

    def __init__(self) -> None:
        super().__init__()
        self.d = self.driver_class(self.a, self.b, Rng(self.seed))
        self.steps: list[str] = []
        type(self).last_steps = self.steps
        self.d.establish()
        self.in_flight: list[Sent] = []
        self.delivered: list[Sent] = []
        #: Changes of the delivering direction so far, and when each message was sent.
        self.alternations = 0
        self.last_deliverer: str | None = None
        self.sent_at: dict[int, int] = {}
        #: [party, state, alternations seen, last deliverer, sent count when healed]
        self.snapshots: list[list[Any]] = []

    def _log(self, text: str) -> None:
        self.steps.append(text)
        _Conversation.steps_run += 1

    @rule(data=st.data())
    def send(self, data: st.DataObject) -> None:
        sender = data.draw(st.sampled_from(self.d.senders))
        if not self.d.can_send(sender):
            return
        if sum(1 for s in self.in_flight if s.sender == sender) >= IN_FLIGHT:
            return
        s = self.d.encrypt(sender)
        self._sent(s)

    def _sent(self, s: Sent) -> None:
        self.in_flight.append(s)
        self.sent_at[s.number] = self.alternations
        self._log(f"send {s.sender} #{s.number}")

    @precondition(lambda self: bool(self.in_flight))
    @rule(data=st.data())
    def deliver(self, data: st.DataObject) -> None:
        self._deliver(self.in_flight[data.draw(st.integers(0, len(self.in_flight) - 1))])

    def _deliver(self, s: Sent) -> None:
        self.in_flight.remove(s)
        self._log(f"deliver #{s.number} to {s.to}")
        self._compromised(s)
        try:
            got = self.d.deliver(s)
        except ProtocolError as exc:
            if self.alternations - self.sent_at[s.number] >= STALE_AFTER:
                self._log(f"  refused: {s.sender} has started four newer chains since")
                return
            raise PairFailure(
                f"{s.to} refused genuine message #{s.number}: {exc.kind}: {exc}", receiver=s.to
            ) from None
        if got != s.plaintext:
            raise PairFailure(
                f"{s.to} decrypted #{s.number} to {got!r}, not {s.plaintext!r}", receiver=s.to
            )
        self.delivered.append(s)
        if self.last_deliverer not in (None, s.sender):
            self.alternations += 1
        self.last_deliverer = s.sender
        for snap in self.snapshots:
            if snap[3] is not None and snap[3] != s.sender:
                snap[2] += 1
            snap[3] = s.sender
            if snap[2] >= HEALED_AFTER and snap[4] is None:
                snap[4] = len(self.d.sent)

    @precondition(lambda self: bool(self.snapshots))
    @rule()
    def exchange(self) -> None:
        """One message each way, each delivered at once: the turn of a conversation in which
        the ratchets move on, so a snapshot taken earlier must stop reading (offered once a
        snapshot exists, where it matters, so the other rules keep their share before)."""
        for sender in self.d.senders:
            if not self.d.can_send(sender):
                continue
            s = self.d.encrypt(sender)
            self._sent(s)
            self._deliver(s)

    def _compromised(self, s: Sent) -> None:
        for party, state, _, _, healed_at in self.snapshots:
            if party == s.to and healed_at is not None and s.number >= healed_at:
                try:
                    self.d.open(party, state, s.type, s.message)
                except ProtocolError:
                    continue
                raise PairFailure(
                    f"a snapshot of {party} taken before the conversation healed read #{s.number}",
                    receiver=party,
                )

    @precondition(lambda self: bool(self.in_flight))
    @rule(data=st.data())
    def drop(self, data: st.DataObject) -> None:
        s = self.in_flight.pop(data.draw(st.integers(0, len(self.in_flight) - 1)))
        self._log(f"drop #{s.number}")

    @precondition(lambda self: bool(self.delivered) and not isinstance(self.d, MegolmDriver))
    @rule(data=st.data())
    def replay(self, data: st.DataObject) -> None:
        s = data.draw(st.sampled_from(self.delivered))
        self._log(f"replay #{s.number} to {s.to}")
        if self.d.attempt(s.to, s.type, s.message) is None:
            raise PairFailure(
                f"{s.to} decrypted #{s.number} a second time", receiver=s.to, receiver_fault=True
            )

    @precondition(lambda self: bool(self.in_flight))
    @rule(data=st.data())
    def tamper(self, data: st.DataObject) -> None:
        s = data.draw(st.sampled_from(self.in_flight))
        # A first (pre-key) message is tampered inside its embedded message, which its MAC
        # covers bit for bit. Its outer fields are covered by nothing: delivered to a session
        # that exists, libraries read only the embedded message (the application matches
        # sessions; the PreKeyOuterVersion and WrongVersion vectors judge the version byte);
        # and their keys' top bits are ignored by X25519 itself (RFC 7748 §5 MUST mask the most
        # significant bit), so such a flip means the same key.
        start, end = 0, len(s.message)
        if s.type in self.d.first_types and self.d.embedded_tag is not None:
            start, end = wire.field_span(s.message, self.d.embedded_tag)
        bit = data.draw(st.integers(8 * start, 8 * end - 1))
        self._log(f"tamper #{s.number} bit {bit}")
        try:
            refused = self.d.attempt(s.to, s.type, wire.flip(s.message, bit))
        except AdapterFault as exc:
            # A crash on malformed input is the receiver's finding, as in the tampering
            # property (docs/adapter-protocol.md, "Refusal or internal error").
            raise PairFailure(
                f"{s.to} failed on #{s.number} with bit {bit} flipped: {exc}",
                receiver=s.to,
                receiver_fault=True,
            ) from None
        if refused is None:
            raise PairFailure(
                f"{s.to} accepted #{s.number} with bit {bit} flipped",
                receiver=s.to,
                receiver_fault=True,
            )

    @precondition(lambda self: len(self.snapshots) < 2 and self.d.healing_turns > 0)
    @rule(data=st.data())
    def snapshot(self, data: st.DataObject) -> None:
        party = data.draw(st.sampled_from(("alice", "bob")))
        self._log(f"snapshot {party}")
        self.snapshots.append([party, self.d.states[party], 0, None, None])


_NO_LOCAL_CONSTANTS = threading.Lock()


@contextlib.contextmanager
def _without_local_constants() -> Iterator[None]:
    """Hypothesis draws, now and then, a constant found in the source of "local" modules
    (hypothesis.internal.conjecture.providers): which modules count depends on the install
    (editable or wheel) and on what the process imported before. Draws of that kind are turned
    off while the machine runs, so a pair's examples are the same everywhere."""
    with _NO_LOCAL_CONSTANTS:
        original = getattr(providers.HypothesisProvider, "_maybe_draw_constant", None)
        if original is None:  # a Hypothesis from before local constants
            yield
            return

        def no_constant(*args: Any, **kwargs: Any) -> None:
            return None

        providers.HypothesisProvider._maybe_draw_constant = no_constant  # type: ignore[method-assign]
        try:
            yield
        finally:
            providers.HypothesisProvider._maybe_draw_constant = original  # type: ignore[method-assign]


def random_conversation(driver_class: type[Driver], a: object, b: object, rng: Rng) -> None:
    """Run the machine; a violated invariant is re-raised as a PairFailure whose message ends
    with the shrunk, replayable list of steps."""
    keys = rng.take(8)
    machine = cast(
        "type[_Conversation]",
        type(
            "RandomConversation",
            (_Conversation,),
            {
                "driver_class": driver_class,
                "a": a,
                "b": b,
                "seed": keys.hex(),
                # What hypothesis.seed() sets: the examples come from this seed alone.
                "_hypothesis_internal_use_seed": int.from_bytes(rng.take(8), "big"),
            },
        ),
    )
    try:
        with _without_local_constants():
            run_state_machine_as_test(
                machine,
                settings=settings(
                    # The built-in defaults, not whatever profile the caller loaded.
                    parent=settings.get_profile("default"),
                    max_examples=EXAMPLES,
                    stateful_step_count=STEPS,
                    derandomize=False,
                    phases=PHASES,
                    database=None,
                    deadline=None,
                    suppress_health_check=list(HealthCheck),
                    report_multiple_bugs=False,
                    print_blob=False,
                ),
            )
    except PairFailure as exc:
        steps = "\n".join(f"  {s}" for s in machine.last_steps)
        raise PairFailure(
            f"{exc}\nshrunk scenario ({len(machine.last_steps)} steps):\n{steps}",
            receiver=exc.receiver,
            receiver_fault=exc.receiver_fault,
        ) from None


def steps_run() -> int:
    """Steps run by every random-conversation machine in this process so far."""
    return _Conversation.steps_run
