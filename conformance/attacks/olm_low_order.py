"""Low-order X25519 points wherever a peer's Curve25519 key enters Olm (issue 20):
``prop/olm/low-order-<place>``, each implementation once (plan "each") against the suite's
reference as the attacker, which holds :func:`~conformance.reference.low_order.marker` keys
and so derives every secret its victim derives from a low-order point.

The places (libolm docs/olm.md "Initial setup" and "Advancing the root key"):

* ``identity-key``: as Alice, Bob's identity key I_B (in ECDH(E_A, I_B)); as Bob, the sender's
  identity key I_A of a pre-key message (in ECDH(E_B, I_A)).
* ``one-time-key``: as Alice, Bob's one-time key E_B (in ECDH(I_A, E_B) and ECDH(E_A, E_B)). A
  fallback key reaches ``olm_outbound`` exactly as a one-time key does (Alice cannot tell
  them apart), so it is this place.
* ``base-key``: as Bob, the base key E_A of a pre-key message (in ECDH(I_B, E_A) and
  ECDH(E_B, E_A)).
* ``every-key``: every key of the peer's in the handshake at once: as Alice, Bob's identity
  and one-time keys; as Bob, the identity and base keys of a pre-key message. Then all three
  Diffie-Hellman results are zero and S (96 zero bytes), the root key and Alice's first chain
  are constants: with no secret key at all, anyone reads what Alice sends or forges Alice's
  first message to Bob (the non-contributory session key of the February 2026 vodozemac
  disclosure).
* ``ratchet-key``: as Bob, Alice's new ratchet key in a normal message; as Alice, Bob's ratchet
  key in his first reply; as Bob, Alice's first ratchet key T_0 in her pre-key message, which
  enters a Diffie-Hellman only when he replies (ECDH(T_i-1, T_i)).

No signature stands in the attacker's way: an Olm identity key comes with an Ed25519 key, and
Matrix signs the one-time keys a device uploads, but ``olm_outbound`` takes the raw Curve25519
keys (checking the upload's signature is the application's part) and a pre-key message carries
no signature at all.

Every attempt starts from fresh accounts, so one acceptance cannot affect the next. Before any
point is offered, a control plays the same attempt with an honest key in its place: the victim
must accept it and the plaintext must go through, otherwise the pair fails there (a refusal of
everything would look like a refusal of the points). Before the victim gets a point, the
attacker's construction for it is proven against the reference over an X25519 without the
all-zero check (as libolm's ``curve25519_donna``): it must accept and the plaintext must go
through, otherwise the check is an error naming the attacker's set-up, never a "rejected".

"Accepted" means the victim did every step of the attempt without a refusal; "refused later"
counts the refusals that came at a step after the one that took the key (Alice opened the
session but would not encrypt, Bob took the pre-key message but would not reply); "read" counts
the accepted attempts in which the plaintext went through (the attacker read the victim's
message, or the victim decrypted the attacker's). The behaviour is judged by the profile under
the flag ``LowOrderPublicKey``: RFC 7748 §6.1 lets a party check for the all-zero shared secret
(MAY) and docs/olm.md does not ask for it, so ``spec`` allows either, ``strict`` requires
refusal.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from ..capabilities.olm import Olm
from ..capabilities.primitives import X25519
from ..errors import ProtocolError, Unsupported
from ..interop import PairFailure, PairScenario, Played, Rng, step
from ..model import SpecRef
from ..reference import olm_wire as wire
from ..reference.low_order import LOW_ORDER_POINTS, ZERO_SECRET, marker
from ..reference.olm import OlmReference
from ..reference.primitives import Primitives
from . import attacker_primitives, reference_primitives

__all__ = [
    "SCENARIOS",
    "AttackerBroken",
    "UncheckedX25519",
    "low_order_scenarios",
    "unchecked_reference",
]

FAMILY = "olm"
FLAG = "LowOrderPublicKey"
OLM_MD = "libolm docs/olm.md"
MAY_CHECK = SpecRef("RFC 7748", "6.1", "MAY")
_LOW_ORDER = frozenset(p.encoding for p in LOW_ORDER_POINTS)
_MARKED = {marker(p): p for p in LOW_ORDER_POINTS}


class AttackerBroken(RuntimeError):
    """The suite's attacker failed to build or read its own attempt: the check cannot judge
    the victim (an ``error`` result, never a "rejected")."""


@dataclass(frozen=True)
class UncheckedX25519:
    """X25519 as libolm uses it: a low-order peer key gives the all-zero secret, unrefused
    (RFC 7748 §6.1 leaves the check to the caller)."""

    inner: X25519

    def x25519(self, private: bytes, public: bytes) -> bytes:
        if public in _LOW_ORDER:
            return ZERO_SECRET
        return self.inner.x25519(private, public)


@functools.cache
def _unchecked_primitives() -> Primitives:
    base = reference_primitives()
    return dataclasses.replace(base, x25519=UncheckedX25519(base.x25519))


def unchecked_reference() -> OlmReference:
    """The reference Olm that accepts every low-order point, as libolm does: the judge of the
    attacker's constructions."""
    return OlmReference(_unchecked_primitives())


def default_attacker() -> OlmReference:
    return OlmReference(attacker_primitives())


@dataclass(frozen=True)
class Tried:
    accepted: bool
    #: The plaintext went through (meaningful when accepted).
    read: bool
    #: Refused at a later step, after the step that took the key returned.
    late: bool = False


REFUSED = Tried(False, False)
LATE = Tried(False, False, True)


class _Offer:
    """How an attempt calls its victim. Set-up steps (honest exchanges before the key in
    question enters) must succeed: a refusal there fails the pair. The steps the key enters
    return None on a refusal, except in the control, where the key is honest and a refusal
    fails the pair too."""

    def __init__(self, impl: object, role: str, control: bool) -> None:
        self.impl = cast(Olm, impl)
        self.role = role
        self.control = control

    def setup(self, what: str, fn: Callable[..., Any], *args: Any) -> Any:
        return step(f"{self.role}, {what}", fn, *args, receiver=self.role)

    def offer(self, what: str, fn: Callable[..., Any], *args: Any) -> Any:
        if self.control:
            return step(
                f"control with an honest key, {self.role} {what}", fn, *args, receiver=self.role
            )
        try:
            return fn(*args)
        except Unsupported:
            raise
        except ProtocolError:
            return None


def _attacker(what: str, fn: Callable[..., Any], *args: Any) -> Any:
    try:
        return fn(*args)
    except Exception as exc:
        raise AttackerBroken(f"the attacker (the suite's reference) failed to {what}") from exc


def _reads(fn: Callable[..., Any], *args: Any) -> Any:
    """The attacker reading what the victim sent: a refusal means it did not read it."""
    try:
        return fn(*args)
    except ProtocolError:
        return None
    except Exception as exc:
        raise AttackerBroken("the attacker (the suite's reference) crashed reading") from exc


def _published(what: str, key: bytes, public: bytes) -> None:
    """The attacker must have put the low-order point of its marker ``key`` where the victim
    reads it (an attacker without the marked X25519 would publish an ordinary key)."""
    point = _MARKED.get(key)
    if point is not None and public != point.encoding:
        raise AttackerBroken(f"the attacker's {what} is not the point {point.name}")


def _pre_key(data: bytes) -> wire.PreKeyMessage:
    try:
        return wire.parse_pre_key_message(data)
    except ProtocolError as exc:
        raise AttackerBroken("the attacker's pre-key message does not parse") from exc


def _ratchet_key(type: int, data: bytes) -> bytes:
    try:
        inner = _pre_key(data).message if type == 0 else data
        return wire.parse_olm_message(inner).ratchet_key
    except ProtocolError as exc:
        raise AttackerBroken("the attacker's message does not parse") from exc


#: An attempt: (victim, attacker, randomness, the attacker's private key for the place).
Attempt = Callable[[_Offer, Olm, Rng, bytes], Tried]


def _account(v: _Offer, rng: Rng) -> tuple[bytes, bytes]:
    account = v.setup("creating an account", v.impl.olm_account, rng.key(), rng.key())
    identity = v.setup("reading its identity keys", v.impl.olm_identity_keys, account)
    return account, identity[:32]


def _attacker_account(x: Olm, rng: Rng, identity_private: bytes) -> tuple[bytes, bytes]:
    account = _attacker("create an account", x.olm_account, rng.key(), identity_private)
    identity = _attacker("read its identity keys", x.olm_identity_keys, account)
    return account, identity[:32]


# --- the victim as Alice ----------------------------------------------------------------------


def _as_alice(v: _Offer, x: Olm, rng: Rng, identity: bytes, one_time: bytes) -> Tried:
    """Alice's session to the attacker's Bob, whose identity and one-time private keys are
    given; accepted when she opens it and encrypts her first message."""
    v_account, v_identity = _account(v, rng)
    x_account, x_identity = _attacker_account(x, rng, identity)
    added = _attacker("add a one-time key", x.olm_add_one_time_key, x_account, one_time)
    _published("identity key", identity, x_identity)
    _published("one-time key", one_time, added["key"])
    session = v.offer(
        "opening a session",
        v.impl.olm_outbound,
        v_account,
        x_identity,
        added["key"],
        rng.key(),
        rng.key(),
    )
    if session is None:
        return REFUSED
    plaintext = rng.plaintext("alice")
    sent = v.offer("encrypting", v.impl.olm_encrypt, session, plaintext, rng.key())
    if sent is None:
        return LATE
    got = _reads(x.olm_inbound, added["account"], v_identity, sent["message"])
    return Tried(True, got is not None and got["plaintext"] == plaintext)


def identity_as_alice(v: _Offer, x: Olm, rng: Rng, key: bytes) -> Tried:
    return _as_alice(v, x, rng, key, rng.key())


def one_time_as_alice(v: _Offer, x: Olm, rng: Rng, key: bytes) -> Tried:
    return _as_alice(v, x, rng, rng.key(), key)


def every_key_as_alice(v: _Offer, x: Olm, rng: Rng, key: bytes) -> Tried:
    return _as_alice(v, x, rng, key, key)


def ratchet_as_alice(v: _Offer, x: Olm, rng: Rng, key: bytes) -> Tried:
    """An honest session up to Bob's first reply, whose new ratchet key is ``key``'s."""
    v_account, v_identity = _account(v, rng)
    x_account, x_identity = _attacker_account(x, rng, rng.key())
    added = _attacker("add a one-time key", x.olm_add_one_time_key, x_account, rng.key())
    session = v.setup(
        "opening a session",
        v.impl.olm_outbound,
        v_account,
        x_identity,
        added["key"],
        rng.key(),
        rng.key(),
    )
    first = rng.plaintext("alice")
    sent = v.setup("encrypting", v.impl.olm_encrypt, session, first, rng.key())
    got = _reads(x.olm_inbound, added["account"], v_identity, sent["message"])
    if got is None or got["plaintext"] != first:
        raise PairFailure(
            "the reference did not read alice's first message (an honest exchange)",
            receiver="bob",
        )
    reply = rng.plaintext("bob")
    back = _attacker("encrypt its reply", x.olm_encrypt, got["session"], reply, key)
    _published("ratchet key", key, _ratchet_key(back["type"], back["message"]))
    opened = v.offer(
        "decrypting the reply", v.impl.olm_decrypt, session, back["type"], back["message"]
    )
    if opened is None:
        return REFUSED
    return Tried(True, opened["plaintext"] == reply)


# --- the victim as Bob ------------------------------------------------------------------------


def _bob_account(v: _Offer, rng: Rng) -> tuple[bytes, bytes, bytes]:
    """Bob's account with a one-time key: (account, identity key, one-time key)."""
    account, identity = _account(v, rng)
    added = v.setup("adding a one-time key", v.impl.olm_add_one_time_key, account, rng.key())
    return added["account"], identity, added["key"]


def _as_bob(
    v: _Offer, x: Olm, rng: Rng, keys: tuple[bytes, bytes, bytes], *, offered: bool = True
) -> tuple[Tried, Any, Any]:
    """The attacker's pre-key message to Bob with these private keys (identity, base and
    first ratchet key): (what Bob did, Bob's session, the attacker's session). Not
    ``offered``: the message is an honest set-up step, which Bob must take."""
    identity, base, ratchet = keys
    v_account, v_identity, one_time = _bob_account(v, rng)
    x_account, x_identity = _attacker_account(x, rng, identity)
    session = _attacker(
        "open a session", x.olm_outbound, x_account, v_identity, one_time, base, ratchet
    )
    plaintext = rng.plaintext("alice")
    sent = _attacker("encrypt", x.olm_encrypt, session, plaintext, rng.key())
    pre = _pre_key(sent["message"])
    _published("identity key", identity, x_identity)
    _published("identity key in the pre-key message", identity, pre.identity_key or b"")
    _published("base key", base, pre.base_key)
    _published("first ratchet key", ratchet, _ratchet_key(0, sent["message"]))
    take = v.offer if offered else v.setup
    got = take(
        "taking the pre-key message", v.impl.olm_inbound, v_account, x_identity, sent["message"]
    )
    if got is None:
        return REFUSED, None, sent["session"]
    return Tried(True, got["plaintext"] == plaintext), got["session"], sent["session"]


def identity_as_bob(v: _Offer, x: Olm, rng: Rng, key: bytes) -> Tried:
    return _as_bob(v, x, rng, (key, rng.key(), rng.key()))[0]


def base_as_bob(v: _Offer, x: Olm, rng: Rng, key: bytes) -> Tried:
    return _as_bob(v, x, rng, (rng.key(), key, rng.key()))[0]


def every_key_as_bob(v: _Offer, x: Olm, rng: Rng, key: bytes) -> Tried:
    return _as_bob(v, x, rng, (key, key, rng.key()))[0]


def first_ratchet_as_bob(v: _Offer, x: Olm, rng: Rng, key: bytes) -> Tried:
    """Alice's T_0 is ``key``'s; Bob's first reply ratchets on it, and the attacker reads it."""
    tried, session, x_session = _as_bob(v, x, rng, (rng.key(), rng.key(), key))
    if not tried.accepted:
        return tried
    reply = rng.plaintext("bob")
    sent = v.offer("encrypting the reply", v.impl.olm_encrypt, session, reply, rng.key())
    if sent is None:
        return LATE
    got = _reads(x.olm_decrypt, x_session, sent["type"], sent["message"])
    return Tried(True, tried.read and got is not None and got["plaintext"] == reply)


def ratchet_as_bob(v: _Offer, x: Olm, rng: Rng, key: bytes) -> Tried:
    """An honest session with one reply from Bob; Alice's next message has ``key``'s ratchet
    key."""
    keys = (rng.key(), rng.key(), rng.key())
    tried, session, x_session = _as_bob(v, x, rng, keys, offered=False)
    reply = rng.plaintext("bob")
    sent = v.setup("encrypting the reply", v.impl.olm_encrypt, session, reply, rng.key())
    got = _reads(x.olm_decrypt, x_session, sent["type"], sent["message"])
    if not tried.read or got is None or got["plaintext"] != reply:
        raise PairFailure(
            "an honest first exchange between the reference and bob did not go through",
            receiver="bob",
        )
    plaintext = rng.plaintext("alice")
    out = _attacker("encrypt", x.olm_encrypt, got["session"], plaintext, key)
    _published("ratchet key", key, _ratchet_key(out["type"], out["message"]))
    opened = v.offer("decrypting", v.impl.olm_decrypt, sent["session"], out["type"], out["message"])
    if opened is None:
        return REFUSED
    return Tried(True, opened["plaintext"] == plaintext)


# --- the checks -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Position:
    """Where in a check the key enters: the victim's role and the attempt."""

    label: str
    role: str
    attempt: Attempt


def _judge_attacker(
    attempt: Attempt, judge: Olm, x: Olm, rng: Rng, key: bytes, role: str, point: str
) -> None:
    """The attacker's attempt with ``point`` against a victim that accepts every low-order
    point must be accepted and read: else the attacker's set-up is broken."""
    try:
        tried = attempt(_Offer(judge, role, control=False), x, rng, key)
    except AttackerBroken:
        raise
    except Exception as exc:
        raise AttackerBroken(
            f"the attacker's set-up for point {point} with {role} as the victim failed against "
            "the unchecked reference"
        ) from exc
    if tried != Tried(True, True):
        raise AttackerBroken(
            f"the attacker's set-up for point {point} with {role} as the victim did not go "
            "through against the unchecked reference (accepted "
            f"{tried.accepted}, read {tried.read})"
        )


def _play(
    positions: tuple[Position, ...],
    attacker: Callable[[], Olm],
    judge: Callable[[], Olm],
) -> Callable[[object, object, Rng], Played]:
    def play(a: object, b: object, rng: Rng) -> Played:
        x, j = attacker(), judge()
        measured: dict[str, str | int] = {}
        anything = False
        for pos in positions:
            impl = a if pos.role == "alice" else b
            honest = rng.key()
            _judge_attacker(pos.attempt, j, x, rng, honest, pos.role, "none (the control)")
            control = pos.attempt(_Offer(impl, pos.role, control=True), x, rng, honest)
            if control != Tried(True, True):
                raise PairFailure(
                    f"control ({pos.label}): with an honest key the plaintext did not go "
                    "through; the low-order points cannot be judged",
                    receiver=pos.role,
                )
            accepted: list[str] = []
            read = late = 0
            for point in LOW_ORDER_POINTS:
                key = marker(point)
                _judge_attacker(pos.attempt, j, x, rng, key, pos.role, point.name)
                tried = pos.attempt(_Offer(impl, pos.role, control=False), x, rng, key)
                if tried.accepted:
                    accepted.append(point.name)
                    read += tried.read
                late += tried.late
            anything = anything or bool(accepted)
            measured[f"{pos.label}: accepted"] = ", ".join(accepted) or "none"
            measured[f"{pos.label}: refused"] = len(LOW_ORDER_POINTS) - len(accepted)
            measured[f"{pos.label}: refused later"] = late
            measured[f"{pos.label}: read"] = read
        return Played("accepted" if anything else "rejected", measured)

    return play


ROOT = SpecRef(OLM_MD, "Initial setup")
RATCHET = SpecRef(OLM_MD, "Advancing the root key")

#: name -> (description, sections, positions)
PLACES: dict[str, tuple[str, tuple[SpecRef, ...], tuple[Position, ...]]] = {
    "low-order-identity-key": (
        "Low-order identity keys: Bob's (to Alice) and a pre-key message's sender's (to Bob).",
        (ROOT, MAY_CHECK),
        (
            Position("as alice", "alice", identity_as_alice),
            Position("as bob", "bob", identity_as_bob),
        ),
    ),
    "low-order-one-time-key": (
        "A low-order one-time (or fallback) key of Bob's, to Alice.",
        (ROOT, MAY_CHECK),
        (Position("as alice", "alice", one_time_as_alice),),
    ),
    "low-order-base-key": (
        "A pre-key message with a low-order base key, to Bob.",
        (ROOT, MAY_CHECK),
        (Position("as bob", "bob", base_as_bob),),
    ),
    "low-order-every-key": (
        "Every handshake key of the peer low-order at once: the session key is a constant.",
        (ROOT, MAY_CHECK),
        (
            Position("as alice", "alice", every_key_as_alice),
            Position("as bob", "bob", every_key_as_bob),
        ),
    ),
    "low-order-ratchet-key": (
        "Low-order ratchet keys: in a message to Bob, in Bob's reply to Alice, and Alice's first.",
        (RATCHET, MAY_CHECK),
        (
            Position("as bob", "bob", ratchet_as_bob),
            Position("as alice", "alice", ratchet_as_alice),
            Position("as bob, first ratchet key", "bob", first_ratchet_as_bob),
        ),
    ),
}


def low_order_scenarios(
    attacker: Callable[[], Olm] = default_attacker,
    judge: Callable[[], Olm] = unchecked_reference,
) -> list[PairScenario]:
    """The checks, with this attacker (a test breaks it on purpose) and this judge of the
    attacker's constructions."""
    return [
        PairScenario(
            name,
            FAMILY,
            "olm",
            description,
            spec,
            _play(positions, attacker, judge),
            flags=(FLAG,),
            kind="prop",
            bug_type="CONFIDENTIALITY",
            plan="each",
        )
        for name, (description, spec, positions) in PLACES.items()
    ]


SCENARIOS: list[PairScenario] = low_order_scenarios()
