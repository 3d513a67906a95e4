"""Scenario scripts that Olm and Signal share: a bad copy of a message Bob has not read yet is
refused, and the conversation goes on from the state he returned with the refusal, so the
genuine message (and the ones after it) must still decrypt (Double Ratchet §3.5; libolm
docs/olm.md "Decrypting messages").

Each family's generator plays them on its own reference conversation, in this order, so the
random bytes they draw (and with them the vectors) are the family's own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

__all__ = ["Conversation", "refused_then_genuine"]


class Conversation(Protocol):
    """A conversation played on a family's reference and written down as scenario steps."""

    sent: list[tuple[str, int, bytes, bytes]]

    def send(self, party: str, count: int = 1) -> list[int]: ...

    def deliver(self, *numbers: int) -> None: ...

    def attack(self, party: str, number: int, bad: bytes) -> None: ...


def refused_then_genuine(
    new: Callable[[], Any],
    mac_flipped: Callable[[bytes], bytes],
    add: Callable[[str, list[str], Any], None],
) -> None:
    """Three cases: a skipped message with its MAC flipped; a tampered message refused, the
    next one delivered, then the genuine one late; a message delivered twice, then the next.
    ``new`` starts a conversation, ``mac_flipped`` flips a bit of a message's MAC, ``add``
    writes a case (comment, flags, conversation)."""
    c: Conversation = new()
    sent = c.send("alice", 3)
    c.deliver(sent[0], sent[2])
    c.attack("bob", sent[1], mac_flipped(c.sent[sent[1]][2]))
    c.deliver(sent[1])
    add(
        "a skipped message with a bit of its MAC flipped, refused, then the genuine one",
        ["ModifiedMac", "OutOfOrder", "RefusedThenGenuine"],
        c,
    )
    c = new()
    sent = c.send("alice", 3)
    c.deliver(sent[0])
    c.attack("bob", sent[1], mac_flipped(c.sent[sent[1]][2]))
    c.deliver(sent[2], sent[1])
    add(
        "the second message tampered and refused, the third delivered, then the second",
        ["ModifiedMac", "OutOfOrder", "RefusedThenGenuine"],
        c,
    )
    c = new()
    sent = c.send("alice", 3)
    c.deliver(sent[0], sent[1])
    c.attack("bob", sent[1], c.sent[sent[1]][2])
    c.deliver(sent[2])
    add("the second message delivered twice, then the third", ["Replay", "RefusedThenGenuine"], c)
