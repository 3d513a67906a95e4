"""Randomised conversations: random programs of steps per ordered pair of implementations.

Rules send either way, deliver an in-flight message (in any order), exchange one message each
way at once (a conversation's turn), drop one, replay a delivered one, tamper with one, and
snapshot a party to compromise it later. Invariants, checked as the
rules run: every genuine message delivered decrypts exactly once to what was sent; every replay
and every tampered message is refused and changes nothing; a snapshot taken before the
conversation healed (the family's healing turns: both parties' ratchets moved on) cannot read a
message sent after.

A verdict must be a function of the suite version, the adapters, the seed and the check id
alone. So each example's program (its rules and their choices) is drawn up front from one
:class:`random.Random` seeded from the pair's seed, and every example starts from the same keys,
drawn from the pair's seed too, so a program replayed while shrinking sees exactly what it saw
the first time. A failure is shrunk (:func:`_shrink`) to a short program and the result's detail
lists its steps, one per line, as the replayable scenario. Half the tampering flips go to the
message's structural bytes (:func:`.positions.structural_bytes`), where parsers go wrong.

This was a Hypothesis stateful machine. Hypothesis's bookkeeping (a choice-tree node, spans and
a filtered rule draw per step, a source digest of the machine per run) cost about twice what the
implementations spent in the calls it drove, for no coverage the conversation needs: a step's
choices are a rule among the enabled ones and an index into a list the machine holds. What it
did for the conversation is kept: swarm testing (each example enables a random subset of the
rules, so long runs of one kind of step happen), a fresh machine per example, and shrinking
(greedy here: to a program no single deletion, expansion or lowered choice makes smaller,
within SHRINK_RUNS replays).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from ..errors import ProtocolError
from ..interop import PairFailure, Rng
from ..interop.drivers import Driver, MegolmDriver, Sent
from ..stdio import AdapterFault
from . import positions, wire

__all__ = ["EXAMPLES", "SHRINK", "STEPS", "random_conversation", "steps_run"]

#: Examples and steps per example: a few hundred steps per pair.
EXAMPLES = 10
STEPS = 30
#: Whether a failing program is shrunk (tests that only need the failure turn it off).
SHRINK = True
#: Programs run while shrinking one failure, at most (each is at most STEPS steps).
SHRINK_RUNS = 400
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
#: A choice is an index into whatever the rule picks from, taken modulo its length.
_CHOICES = 1 << 32

#: The bytes after a message's fields: Olm's and Signal's MAC; Megolm's MAC and signature.
_MAC = 8
_MEGOLM_TRAILER = 8 + 64

#: One step of a program: (rule, first choice, second choice).
Step = tuple[str, int, int]

_steps_run = 0


class _Conversation:
    """One example: a fresh conversation from the pair's keys, driven step by step."""

    def __init__(self, driver_class: type[Driver], a: Any, b: Any, seed: str) -> None:
        self.d = driver_class(a, b, Rng(seed))
        self.steps: list[str] = []
        self.d.establish()
        self.in_flight: list[Sent] = []
        self.delivered: list[Sent] = []
        #: Changes of the delivering direction so far, and when each message was sent.
        self.alternations = 0
        self.last_deliverer: str | None = None
        self.sent_at: dict[int, int] = {}
        #: [party, state, alternations seen, last deliverer, sent count when healed]
        self.snapshots: list[list[Any]] = []
        #: Whether a replay is an attack (a Megolm receiver may accept one: MegolmIndexReplay)
        #: and whether a conversation heals (the snapshot rule's precondition).
        self.replays = not isinstance(self.d, MegolmDriver)
        self.heals = self.d.healing_turns > 0
        #: Structural bytes of the messages tampered with, by message number.
        self.structural: dict[int, list[int]] = {}
        #: The last exchange as single steps.
        self.expansion: list[Step] = []
        self.rules: dict[str, Callable[[int, int], tuple[int, int]]] = {
            "send": self.send,
            "deliver": self.deliver,
            "exchange": self.exchange,
            "drop": self.drop,
            "replay": self.replay,
            "tamper": self.tamper,
            "snapshot": self.snapshot,
        }

    def enabled(self) -> set[str]:
        """The rules whose precondition holds now (one pass, not one test per rule: it runs
        before every step)."""
        out = {"send"}
        if self.in_flight:
            out.update(("deliver", "drop", "tamper"))
        if self.snapshots:
            # Offered once a snapshot exists, where it matters, so the other rules keep their
            # share before.
            out.add("exchange")
        if self.delivered and self.replays:
            out.add("replay")
        if len(self.snapshots) < 2 and self.heals:
            out.add("snapshot")
        return out

    def _log(self, text: str) -> None:
        global _steps_run
        self.steps.append(text)
        _steps_run += 1

    # --- the rules: each takes its two choices and returns them reduced to what it used ------

    def send(self, c: int, _: int) -> tuple[int, int]:
        senders = self.d.senders
        sender = senders[c % len(senders)]
        if not self.d.can_send(sender):
            return c % len(senders), 0
        if sum(1 for s in self.in_flight if s.sender == sender) >= IN_FLIGHT:
            return c % len(senders), 0
        self._sent(self.d.encrypt(sender))
        return c % len(senders), 0

    def _sent(self, s: Sent) -> None:
        self.in_flight.append(s)
        self.sent_at[s.number] = self.alternations
        self._log(f"send {s.sender} #{s.number}")

    def deliver(self, c: int, _: int) -> tuple[int, int]:
        i = c % len(self.in_flight)
        self._deliver(self.in_flight[i])
        return i, 0

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

    def exchange(self, _: int, __: int) -> tuple[int, int]:
        """One message each way, each delivered at once: the turn of a conversation in which
        the ratchets move on, so a snapshot taken earlier must stop reading. The same steps as
        single sends and deliveries are kept in :attr:`expansion`, which shrinking tries in
        its place (those need no snapshot to be offered)."""
        self.expansion = []
        for n, sender in enumerate(self.d.senders):
            if not self.d.can_send(sender):
                continue
            self.expansion.append(("send", n, 0))
            s = self.d.encrypt(sender)
            self._sent(s)
            self.expansion.append(("deliver", len(self.in_flight) - 1, 0))
            self._deliver(s)
        return 0, 0

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

    def drop(self, c: int, _: int) -> tuple[int, int]:
        i = c % len(self.in_flight)
        s = self.in_flight.pop(i)
        self._log(f"drop #{s.number}")
        return i, 0

    def replay(self, c: int, _: int) -> tuple[int, int]:
        i = c % len(self.delivered)
        s = self.delivered[i]
        self._log(f"replay #{s.number} to {s.to}")
        if self.d.attempt(s.to, s.type, s.message) is None:
            raise PairFailure(
                f"{s.to} decrypted #{s.number} a second time", receiver=s.to, receiver_fault=True
            )
        return i, 0

    def tamper(self, c: int, c2: int) -> tuple[int, int]:
        i = c % len(self.in_flight)
        s = self.in_flight[i]
        # A first (pre-key) message is tampered inside its embedded message, which its MAC
        # covers bit for bit. Its outer fields are covered by nothing: delivered to a session
        # that exists, libraries read only the embedded message (the application matches
        # sessions; the PreKeyOuterVersion and WrongVersion vectors judge the version byte);
        # and their keys' top bits are ignored by X25519 itself (RFC 7748 §5 MUST mask the most
        # significant bit), so such a flip means the same key.
        start, end = 0, len(s.message)
        if s.type in self.d.first_types and self.d.embedded_tag is not None:
            start, end = wire.field_span(s.message, self.d.embedded_tag)
        # Half the flips go to the structural bytes (the version byte, tags, lengths, varints:
        # where parsers go wrong, see .positions), half anywhere in the span; the lowest choice
        # is the version byte's lowest bit, where a shrunk tampering lands when it can.
        if c2 & 1 == 0:
            structural = self._structural(s, start, end)
            offset = (c2 >> 1) % (8 * len(structural))
            bit = 8 * structural[offset // 8] + offset % 8
        else:
            offset = (c2 >> 1) % (8 * (end - start))
            bit = 8 * start + offset
        used = offset << 1 | c2 & 1
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
        return i, used

    def _structural(self, s: Sent, start: int, end: int) -> list[int]:
        """The structural bytes of the message in ``s.message[start:end]`` (kept per message:
        a message is tampered with many times)."""
        found = self.structural.get(s.number)
        if found is None:
            trailer = _MEGOLM_TRAILER if isinstance(self.d, MegolmDriver) else _MAC
            try:
                found = positions.structural_bytes(s.message, start, end, trailer)
            except (ValueError, IndexError, ProtocolError):
                # Not the family's layout (a sender's bug, judged by the receivers): the
                # version byte, and flips anywhere.
                found = [start]
            self.structural[s.number] = found
        return found

    def snapshot(self, c: int, _: int) -> tuple[int, int]:
        party = ("alice", "bob")[c % 2]
        self._log(f"snapshot {party}")
        self.snapshots.append([party, self.d.states[party], 0, None, None])
        return c % 2, 0


_RULES = ("send", "deliver", "exchange", "drop", "replay", "tamper", "snapshot")


class _Failed:
    """A program failed: the exception, the program up to and including the failing step (its
    choices reduced to what the rules used), the steps logged, and each exchange step's
    expansion into single steps (by its position in the program)."""

    def __init__(
        self,
        exc: Exception,
        program: list[Step],
        steps: list[str],
        expansions: dict[int, list[Step]],
    ) -> None:
        self.exc = exc
        self.program = program
        self.steps = steps
        self.expansions = expansions
        #: Failures of one kind: a smaller program shrinks to the same bug, not another one.
        self.kind = (type(exc), program[-1][0] if program else "")
        #: Smaller is better: fewer steps reported, then fewer compound steps, then a shorter
        #: program, then smaller choices.
        self.size = (len(steps), sum(r == "exchange" for r, _, _ in program), len(program), program)


class _Player:
    """Plays steps on one fresh conversation, keeping what ran."""

    def __init__(self, driver_class: type[Driver], a: Any, b: Any, keys: str) -> None:
        self.machine = _Conversation(driver_class, a, b, keys)
        self.ran: list[Step] = []
        self.expansions: dict[int, list[Step]] = {}

    def step(self, rule: str, c1: int, c2: int) -> _Failed | None:
        machine = self.machine
        try:
            used = machine.rules[rule](c1, c2)
        except Exception as exc:
            self._ran(rule, (c1, c2))
            return _Failed(exc, self.ran, machine.steps, self.expansions)
        self._ran(rule, used)
        return None

    def _ran(self, rule: str, used: tuple[int, int]) -> None:
        if rule == "exchange":
            self.expansions[len(self.ran)] = self.machine.expansion
        self.ran.append((rule, *used))


def _run(
    driver_class: type[Driver], a: Any, b: Any, keys: str, program: list[Step]
) -> _Failed | None:
    """Play a program on a fresh conversation; steps whose rule is not enabled then are left
    out (a shrunk program can make them so)."""
    player = _Player(driver_class, a, b, keys)
    for rule, c1, c2 in program:
        if rule in player.machine.enabled():
            failed = player.step(rule, c1, c2)
            if failed is not None:
                return failed
    return None


def _example(
    source: random.Random, driver_class: type[Driver], a: Any, b: Any, keys: str
) -> _Failed | None:
    """Draw and play one example: swarm testing, as Hypothesis's stateful machines do (each
    rule is enabled with a probability drawn per example, at least one of them), then at each
    step a rule drawn uniformly among the enabled ones whose precondition holds (any that
    holds, if none of those does), and two choices."""
    keep = source.random()
    swarm = [r for r in _RULES if source.random() >= keep] or [source.choice(_RULES)]
    player = _Player(driver_class, a, b, keys)
    for _ in range(STEPS):
        enabled = player.machine.enabled()
        able = [r for r in swarm if r in enabled] or [r for r in _RULES if r in enabled]
        rule = able[0] if len(able) == 1 else able[source.randrange(len(able))]
        failed = player.step(rule, source.randrange(_CHOICES), source.randrange(_CHOICES))
        if failed is not None:
            return failed
    return None


def _choice(step: Step, field: int) -> int:
    return step[1] if field == 1 else step[2]


def _shrink(driver_class: type[Driver], a: Any, b: Any, keys: str, failed: _Failed) -> _Failed:
    """The failure's program made smaller (:attr:`_Failed.size`) while it fails the same way
    (the same exception type at the same rule): runs of steps deleted, longest first; each
    exchange replaced by its single steps; each choice lowered to 0 or bit by bit; until nothing
    more helps or SHRINK_RUNS programs have run. Deterministic: the candidates depend on the
    program alone."""
    best = failed
    runs = 0

    def attempt(program: list[Step]) -> bool:
        nonlocal best, runs
        runs += 1
        got = _run(driver_class, a, b, keys, program)
        if got is None or got.kind != best.kind or got.size >= best.size:
            return False
        best = got
        return True

    def budget() -> bool:
        return runs < SHRINK_RUNS

    improved = True
    while improved and budget():
        improved = False
        size = len(best.program) // 2 or 1
        while size >= 1 and budget():
            i = 0
            # The last step is the failing one: deleting it leaves nothing to fail.
            while i + size <= len(best.program) - 1 and budget():
                program = best.program
                if attempt(program[:i] + program[i + size :]):
                    improved = True
                else:
                    i += 1
            size //= 2
        for i in sorted(best.expansions, reverse=True):
            if not budget():
                break
            program = best.program
            if i < len(program) and attempt(program[:i] + best.expansions[i] + program[i + 1 :]):
                improved = True
                break
        for i in range(len(best.program)):
            # Each choice made as small as it goes: 0, else each of its bits cleared from the
            # highest down (an index into a list, a bit of a message: a few runs each).
            for field in (1, 2):
                if i >= len(best.program):
                    break
                value = _choice(best.program[i], field)
                for k in (None, *reversed(range(value.bit_length()))):
                    if not budget() or i >= len(best.program):
                        break
                    current = _choice(best.program[i], field)
                    smaller = 0 if k is None else current & ~(1 << k)
                    if smaller == current:
                        continue
                    rule, c1, c2 = best.program[i]
                    program = list(best.program)
                    program[i] = (rule, smaller, c2) if field == 1 else (rule, c1, smaller)
                    if attempt(program):
                        improved = True
    return best


def random_conversation(driver_class: type[Driver], a: object, b: object, rng: Rng) -> None:
    """Run EXAMPLES random programs; a violated invariant is re-raised as a PairFailure whose
    message ends with the shrunk, replayable list of steps (any other exception is re-raised
    as the shrunk program raised it)."""
    keys = rng.take(8).hex()
    source = random.Random(int.from_bytes(rng.take(8), "big"))
    for _ in range(EXAMPLES):
        failed = _example(source, driver_class, a, b, keys)
        if failed is not None:
            break
    else:
        return
    if SHRINK:
        failed = _shrink(driver_class, a, b, keys, failed)
    exc = failed.exc
    if isinstance(exc, PairFailure):
        steps = "\n".join(f"  {s}" for s in failed.steps)
        raise PairFailure(
            f"{exc}\nshrunk scenario ({len(failed.steps)} steps):\n{steps}",
            receiver=exc.receiver,
            receiver_fault=exc.receiver_fault,
            sender_fault=exc.sender_fault,
        ) from None
    raise exc


def steps_run() -> int:
    """Steps run by every random-conversation program in this process so far."""
    return _steps_run
