"""Crash and restart inside an MLS group (RFC 9420; issue 20): ``pair/mls/restart`` and
``prop/mls/crash-restart``.

A member's state is what its implementation returned last (the stateful contract); restarted
(:mod:`conformance.interop.restart`: process killed, or object discarded) it must go on from
those bytes: its key package's private keys before it joins (§10: the init and leaf keys
decrypt its Welcome), its epoch secrets and tree after (§8, §9), and its place in the secret
tree, so that it never encrypts twice under one generation (§9.1: "a given key and nonce MUST
NOT be used more than once"), which its peers refuse as a reused one.

After every restart the member's epoch, epoch_authenticator and tree hash must read as before
it. Each story runs twice from one seed: without the restarts (a control: a pair that fails
there fails for a reason the pair scenarios judge) and with them; a failure only the second run
shows is the restart's, charged to the restarted member. An implementation whose manifest
declares its state a handle or a copy in its process (``[quirks.mls] state = "handle"`` or
``"process"``) keeps nothing across a restart by design: its pairs are ``unsupported``, and the report lists it as not surviving.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..errors import ProtocolError
from ..interop import ByDesign, PairFailure, PairScenario, Played, Rng
from ..interop._mls import Group, Member
from ..interop.restart import restart
from ..model import SpecRef

__all__ = ["SCENARIOS"]

FAMILY = "mls"
RFC = "RFC 9420"
#: Steps of the random program of ``crash-restart``.
STEPS = 24
#: One step in this many restarts a member.
RESTART_ODDS = 5


@dataclass
class _Restarts:
    group: Group
    restarting: bool
    count: int = 0
    last: list[Member] = field(default_factory=list)

    def __call__(self, m: Member) -> None:
        """Restart ``m``'s implementation; its epoch must read as before."""
        if not self.restarting:
            return
        # Before it joins, a member is its key package's private keys: nothing to read yet.
        before = _epoch(m) if m in self.group.members else None
        restart(m.impl)
        self.count += 1
        self.last.append(m)
        if before is None:
            return
        try:
            after = _epoch(m)
        except ProtocolError as exc:
            raise PairFailure(
                f"{m.name} reads its epoch after its restart: refused with {exc.kind}: {exc} "
                "(its persisted state did not survive)",
                receiver=m.party,
                receiver_fault=True,
            ) from None
        if after != before:
            raise PairFailure(
                f"{m.name}'s epoch after its restart is not the one before it (epoch "
                f"{before[0]} -> {after[0]}; epoch_authenticator or tree hash changed: "
                f"{before[1:] != after[1:]})",
                receiver=m.party,
                receiver_fault=True,
            )


def _epoch(m: Member) -> tuple[Any, ...]:
    got = m.impl.mls_epoch(m.state)
    return (got["epoch"], bytes(got["epoch_authenticator"]), bytes(got["tree_hash"]))


def _story(g: Group, a_impl: object, b_impl: object, again: _Restarts) -> None:
    """Restarts where a careless persister loses something: B after making its key package
    (before its Welcome), A after creating the group, each after a commit and between messages
    of one epoch (the secret tree's generations)."""
    a, _ = g.client(a_impl, 0, "A")
    b, kp_b = g.client(b_impl, 1, "B")
    again(b)
    g.create(a)
    again(a)
    g.add(a, b, kp_b)
    again(b)
    g.agree("after B joins")
    g.send(a, "A, message 1")
    again(a)
    g.send(a, "A, message 2")
    g.send(b, "B, message 1")
    again(b)
    g.send(b, "B, message 2")
    if g.update(b):
        again(b)
        g.agree("after B's update")
    if g.update(a):
        again(a)
        g.agree("after A's update")
    g.send(a, "A at the end")
    g.send(b, "B at the end")


def _program(rng: Rng) -> Callable[[Group, object, object, _Restarts], None]:
    """:data:`STEPS` random steps over a two-member group: a message from either member, an
    update by either, and at one step in :data:`RESTART_ODDS` a restart of either."""

    def play(g: Group, a_impl: object, b_impl: object, again: _Restarts) -> None:
        a, _ = g.client(a_impl, 0, "A")
        b, kp_b = g.client(b_impl, 1, "B")
        g.create(a)
        g.add(a, b, kp_b)
        members = (a, b)
        for i in range(STEPS):
            roll = rng.take(2)
            who = members[roll[1] % 2]
            if roll[0] % RESTART_ODDS == 0:
                again(who)
            elif roll[0] % 4 == 1:
                if g.update(who):
                    g.agree(f"after step {i}, an update by {who.name}")
            else:
                g.send(who, f"step {i} from {who.name}")
        g.agree("at the end")

    return play


Story = Callable[[Group, object, object, _Restarts], None]


def _play(story: Callable[[Rng], Story]) -> Callable[[object, object, Rng], Played]:
    def play(a_impl: object, b_impl: object, rng: Rng) -> Played:
        for impl in (a_impl, b_impl):
            probe = Member(impl, 0, "")
            if not probe.quirks.survives_restart:
                raise ByDesign(
                    f"{probe.implementation} declares its members' state a {probe.quirks.state} "
                    "([quirks.mls] state): nothing it keeps survives a restart"
                )
        seed = rng.take(16).hex()
        control = Group(Rng(seed))
        try:
            story(control.rng)(control, a_impl, b_impl, _Restarts(control, False))
        except PairFailure as exc:
            raise PairFailure(
                f"without any restart: {exc}",
                receiver=exc.receiver,
                receiver_fault=exc.receiver_fault,
                sender_fault=exc.sender_fault,
                sender=exc.sender,
                allowed=exc.allowed,
                evidence=exc.evidence,
            ) from None
        g = Group(Rng(seed))
        again = _Restarts(g, True)
        try:
            story(g.rng)(g, a_impl, b_impl, again)
        except PairFailure as exc:
            if exc.receiver_fault or exc.sender_fault or not again.last:
                exc.measured = {"restarts": again.count}
                raise
            # Only the restarts differ from the control, which passed.
            blamed = _blamed(exc, again.last)
            raise PairFailure(
                f"{exc} (the same story without restarts passed: {blamed.name}'s persisted "
                "state did not survive its restart)",
                receiver=blamed.party,
                receiver_fault=True,
                measured={"restarts": again.count},
            ) from None
        return Played(None, {"restarts": again.count})

    return play


def _blamed(exc: PairFailure, restarted: list[Member]) -> Member:
    """The restarted member the failing step involves (its receiver first), else the last one
    restarted."""
    for party in (exc.receiver, exc.sender):
        for m in reversed(restarted):
            if party == m.party:
                return m
    return restarted[-1]


def _scripted(rng: Rng) -> Story:
    del rng
    return _story


def _spec(*sections: str) -> tuple[SpecRef, ...]:
    return tuple(SpecRef(RFC, s) for s in sections)


SCENARIOS = [
    PairScenario(
        "restart",
        FAMILY,
        "mls-group",
        "A and B restarted from their last returned states (process killed, or object "
        "discarded): B before its Welcome, A after creating the group, each between messages of "
        "one epoch and after its update. Epoch, authenticator and tree hash unchanged by every "
        "restart; every message read; no generation used twice.",
        _spec("8", "9.1", "10", "12.4.3.1"),
        _play(_scripted),
        bug_type="KEY_REUSE",
        # What a restart loses is the restarted member's own: each implementation in both
        # roles with another (n pairs) shows it, at a process start per restart.
        plan="cycle",
    ),
    PairScenario(
        "crash-restart",
        FAMILY,
        "mls-group",
        f"{STEPS} random steps (messages, updates) with a restart of either member at one step "
        f"in {RESTART_ODDS}: every message read, the members agreeing at the end.",
        _spec("8", "9.1", "12.4"),
        _play(_program),
        kind="prop",
        bug_type="KEY_REUSE",
        plan="cycle",
    ),
]
