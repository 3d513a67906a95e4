"""Healing as a number: how many messages a thief who stole both parties' states can still read
after the theft, per traffic pattern (issue 20; Signal's SPQR work measures the same).

The thief is passive and sees all traffic: it keeps a copy of each party's state and opens every
message to that party with it, keeping the copy's new state when it opens one. A message counts
as read when the copy returns the plaintext that was sent.

The bound is the Double Ratchet specification's (§3.5 "Diffie-Hellman ratchet"; §1.2 and
§2.3 on post-compromise security), for a theft right after Bob's message reached Alice: a
message is readable while the thief knows one of the two ratchet private keys its chain comes
from. Everything of the first run of messages after the theft (Alice's, on Bob's stolen key)
and of the second (Bob's, on a fresh key of his but Alice's key, which a receiver generates
as it receives (§3.5) and the thief stole) may be read; from the third run on, both keys are
fresh. Implementations that draw the sender's new key only when it sends (libolm) heal one run
earlier. Olm's ratchet (libolm docs/olm.md "Advancing the root key") and current Signal's
(whose message keys also take the SPQR key, so they heal no later) have the same bound.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping

from ..errors import ProtocolError
from ..interop import PairFailure
from ..interop.drivers import Driver

__all__ = ["PATTERNS", "bound", "measure"]

#: Who sends each message after the theft.
PATTERNS: dict[str, tuple[str, ...]] = {
    "alternating": ("alice", "bob") * 6,
    "bursts": ("alice",) * 4 + ("bob",) * 4 + ("alice",) * 4,
    "long silence": ("alice",) * 10 + ("bob", "alice", "bob"),
}


def runs(pattern: tuple[str, ...]) -> list[int]:
    """The lengths of the pattern's runs of messages by one sender."""
    out: list[int] = []
    for i, sender in enumerate(pattern):
        if i and sender == pattern[i - 1]:
            out[-1] += 1
        else:
            out.append(1)
    return out


def bound(pattern: tuple[str, ...]) -> int:
    """The most messages of ``pattern`` the specification lets the thief read (the module's
    docstring): the first two runs."""
    return sum(runs(pattern)[:2])


def measure(new_driver: Callable[[], Driver]) -> Mapping[str, int]:
    """For each pattern, a fresh conversation (a message each way, then the theft, then the
    pattern): messages read, and the bound, as ``{pattern: read, "<pattern> bound": bound}``.
    Raises a PairFailure when a message past the bound is read (either party may be the one
    that kept an old ratchet key: the pair grid decides)."""
    out: dict[str, int] = {}
    for name, pattern in PATTERNS.items():
        d = new_driver()
        d.establish()
        for sender in d.senders:
            s = d.encrypt(sender)
            if d.deliver(s) != s.plaintext:
                raise PairFailure(f"{s.to} decrypted message {s.number} wrongly", receiver=s.to)
        stolen = dict(d.states)
        read, limit, first_late = 0, bound(pattern), None
        for i, sender in enumerate(pattern):
            s = d.encrypt(sender)
            with contextlib.suppress(ProtocolError):
                state, got = d.open(s.to, stolen[s.to], s.type, s.message)
                stolen[s.to] = state
                if got == s.plaintext:
                    read += 1
                    if i >= limit and first_late is None:
                        first_late = i
            if d.deliver(s) != s.plaintext:
                raise PairFailure(f"{s.to} decrypted message {s.number} wrongly", receiver=s.to)
        out[name] = read
        out[f"{name} bound"] = limit
        if first_late is not None:
            late = pattern[first_late]
            raise PairFailure(
                f"traffic pattern {name!r}: a thief holding both states from before read "
                f"{read} of the {len(pattern)} messages after the theft, message {first_late + 1} "
                f"(from {late}) among them; the Double Ratchet heals within the first {limit} "
                f"(§3.5): its chain still comes from a ratchet key from before the theft",
                # Its sender did not draw a fresh ratchet key, or its receiver never sent one
                # for the sender's chain to use: decided across pairs.
                receiver="bob" if late == "alice" else "alice",
                measured=out,
            )
    return out
