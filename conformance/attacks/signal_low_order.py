"""Low-order X25519 points wherever a peer key enters classic Signal (X3DH and the Double
Ratchet, family ``signal``) and current Signal (PQXDH and the triple ratchet, ``signal-pq``)
(issue 20).

The suite's reference plays the attacker over :func:`conformance.attacks.attacker_primitives`:
given :func:`conformance.reference.low_order.marker` as one of its private keys, it publishes
the low-order point and derives every secret its victim derives, since the victim's X25519
with that point is 32 zero bytes whatever its own key (RFC 7748 §6.1). Each check plays one
place against the implementation under test (plan ``each``), once with an honest key (the
control: it must succeed, so a broken set-up never passes for a refusal) and then once per
low-order encoding, each from a fresh set-up. Accepted means the victim's operation returned
without a refusal; where it did, the check also shows it matters: the attacker decrypts what
the victim sent, or the victim decrypts what the attacker made ("shown").

Neither the X3DH nor the PQXDH nor the Double Ratchet specification requires a check, and
RFC 7748 §6.1 makes it a MAY: under ``spec`` either behaviour passes, under ``strict`` an
acceptance fails (flag ``LowOrderPublicKey``). The Kyber pre-key of ``signal-pq`` stays honest,
so there the session key still has the KEM secret in it: the checks measure the X25519 part.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar, cast

from ..capabilities.signal import SignalDecrypted, SignalEncrypted
from ..errors import ProtocolError
from ..interop import PairFailure, PairScenario, Played, Rng
from ..interop.drivers import SignalDriver, SignalPqDriver
from ..model import SpecRef
from ..reference.low_order import LOW_ORDER_POINTS, LowOrderPoint, marker
from ..reference.signal import SignalReference
from ..reference.signal_pq import SignalPqReference
from . import attacker_primitives
from .xeddsa_low_order import forge_signature

__all__ = ["SCENARIOS", "SignalPqSide", "SignalSide"]

#: (registration id, signed pre-key id, one-time pre-key id) of each party.
ALICE_IDS = (100, 5, 9)
BOB_IDS = (101, 6, 10)


class SignalSide:
    """One device's operations in the classic family: the pair driver's
    (:class:`conformance.interop.drivers.SignalDriver`, every random value drawn from the
    scenario's generator in a fixed order, so a seed replays an attempt), with the keys of
    the place under attack given instead of drawn."""

    family: ClassVar[str] = "signal"
    #: The bundle's signed keys and their signatures (by the identity key).
    signed: ClassVar[tuple[tuple[str, str], ...]] = (("signed_prekey", "signed_prekey_signature"),)
    driver: ClassVar[type[SignalDriver]] = SignalDriver

    def attacker(self) -> Any:
        """The suite's reference over the attacker's X25519."""
        return SignalReference(attacker_primitives())

    def _with(self, rng: Rng | None) -> SignalDriver:
        # The driver's device operations take the implementation as an argument; its parties
        # are not used.
        return self.driver(None, None, cast(Rng, rng))

    def party(
        self,
        impl: Any,
        rng: Rng,
        ids: tuple[int, int, int],
        *,
        identity: bytes | None = None,
        signed: bytes | None = None,
        prekey: bytes | None = None,
    ) -> bytes:
        """A device with a one-time pre-key (X3DH §3.2; PQXDH §3.2 adds the Kyber pre-key)."""
        return bytes(
            self._with(rng).new_party(
                impl, ids, identity_private=identity, signed_private=signed, prekey_private=prekey
            )
        )

    def bundle(self, impl: Any, party: bytes) -> dict[str, Any]:
        return self._with(None).bundle_of(impl, party)

    def initiate(
        self,
        impl: Any,
        party: bytes,
        bundle: dict[str, Any],
        rng: Rng,
        *,
        base: bytes | None = None,
        ratchet: bytes | None = None,
    ) -> bytes:
        """X3DH / PQXDH §3.3: Alice's session from ``bundle``; the base key EK_A and her first
        ratchet key are drawn unless given."""
        return self._with(rng).initiate_with(
            impl, party, bundle, base_private=base, ratchet_private=ratchet
        )

    def encrypt(self, impl: Any, party: bytes, plaintext: bytes, rng: Rng) -> SignalEncrypted:
        return cast(SignalEncrypted, self._with(rng).encrypt_with(impl, party, plaintext))

    def decrypt(
        self,
        impl: Any,
        party: bytes,
        sent: SignalEncrypted,
        rng: Rng,
        *,
        ratchet: bytes | None = None,
    ) -> SignalDecrypted:
        """Double Ratchet §3.5: ``ratchet`` is the receiver's next sending ratchet key, used
        when the message brings a new one."""
        got = self._with(rng).decrypt_with(impl, party, sent["type"], sent["message"], ratchet)
        return cast(SignalDecrypted, got)


class SignalPqSide(SignalSide):
    """Current Signal: the same places, with a signed Kyber pre-key (honest) in every bundle and
    the KEM and SPQR randomness drawn too."""

    family: ClassVar[str] = "signal-pq"
    signed: ClassVar[tuple[tuple[str, str], ...]] = (
        ("signed_prekey", "signed_prekey_signature"),
        ("kyber_prekey", "kyber_prekey_signature"),
    )
    driver: ClassVar[type[SignalDriver]] = SignalPqDriver

    def attacker(self) -> Any:
        return SignalPqReference(attacker_primitives())


@dataclass(frozen=True)
class Attempt:
    """What one attempt measured: whether the victim accepted, and whether the attacker then
    read what the victim sent (or the victim what the attacker made); the refusal's kind."""

    accepted: bool
    shown: bool = False
    refusal: str | None = None


def _setup(what: str, victim: str, fn: Callable[..., Any], *args: Any, **kw: Any) -> Any:
    """A step of the honest set-up: a refusal is a failure of the pair, not a measurement."""
    try:
        return fn(*args, **kw)
    except ProtocolError as exc:
        raise PairFailure(
            f"set-up: {what} refused with {exc.kind}: {exc}", receiver=victim
        ) from None


def _victim_step(fn: Callable[..., Any], *args: Any, **kw: Any) -> Any:
    """The victim's step at the place under attack: its refusal is what is measured."""
    try:
        return fn(*args, **kw), None
    except ProtocolError as exc:
        return None, exc.kind


#: Plays one attempt: (side, victim implementation, rng, the attacker's private key at the
#: place, the low-order point it stands for or None for the honest control).
AttemptFn = Callable[[SignalSide, Any, Rng, bytes, "LowOrderPoint | None"], Attempt]


def _against_alice(key_of: str) -> AttemptFn:
    """The victim initiates (Alice) from a bundle the attacker (Bob) made with ``key_of``
    ("identity", "signed" or "prekey") being the attacker's key; then sends a first message,
    which the attacker decrypts.

    A low-order identity key cannot sign: the bundle's signatures (the signed pre-key's, and
    the Kyber pre-key's in current Signal) are forged ones that verify under it
    (:mod:`.xeddsa_low_order`), so the check measures the key agreement, not the signature
    check. The exception is u = p - 1 (both encodings), which libsignal's and the reference's
    XEdDSA conversion refuse: there the victim refuses at the signature (InvalidSignature) and
    an implementation that maps u = -1 to y = 0 (libsignal-protocol-c's) accepts it."""

    def attempt(
        side: SignalSide, victim: Any, rng: Rng, key: bytes, point: LowOrderPoint | None
    ) -> Attempt:
        attacker = side.attacker()
        bob = side.party(
            attacker,
            rng,
            BOB_IDS,
            identity=key if key_of == "identity" else None,
            signed=key if key_of == "signed" else None,
            prekey=key if key_of == "prekey" else None,
        )
        bundle = side.bundle(attacker, bob)
        if key_of == "identity" and point is not None:
            # The reference cannot sign with a low-order identity key; a forged signature
            # verifies under it (xeddsa_low_order), except for u = p - 1 where the XEdDSA
            # conversion refuses the key itself.
            for signed, signature in side.signed:
                bundle[signature] = forge_signature(point.encoding, bundle[signed], rng)
        alice = _setup("a new device", "alice", side.party, victim, rng, ALICE_IDS)
        session, refusal = _victim_step(side.initiate, victim, alice, bundle, rng)
        if session is None:
            return Attempt(False, refusal=refusal)
        plaintext = rng.plaintext("alice")
        sent, _ = _victim_step(side.encrypt, victim, session, plaintext, rng)
        if sent is None:
            return Attempt(True)
        got, _ = _victim_step(side.decrypt, attacker, bob, sent, rng)
        return Attempt(True, got is not None and got["plaintext"] == plaintext)

    return attempt


def _against_bob(key_of: str) -> AttemptFn:
    """The attacker (Alice) initiates from the victim's bundle with ``key_of`` ("identity",
    "base" or "ratchet") being the attacker's key, and sends a PreKeySignalMessage the victim
    (Bob) decrypts."""

    def attempt(
        side: SignalSide, victim: Any, rng: Rng, key: bytes, point: LowOrderPoint | None
    ) -> Attempt:
        del point
        attacker = side.attacker()
        bob = _setup("a new device", "bob", side.party, victim, rng, BOB_IDS)
        bundle = _setup("its bundle", "bob", side.bundle, victim, bob)
        identity = key if key_of == "identity" else None
        alice = side.party(attacker, rng, ALICE_IDS, identity=identity)
        alice = _setup(
            "the victim's bundle, at the suite's reference",
            "bob",
            side.initiate,
            attacker,
            alice,
            bundle,
            rng,
            base=key if key_of == "base" else None,
            ratchet=key if key_of == "ratchet" else None,
        )
        plaintext = rng.plaintext("alice")
        sent = side.encrypt(attacker, alice, plaintext, rng)
        got, refusal = _victim_step(side.decrypt, victim, bob, sent, rng)
        if got is None:
            return Attempt(False, refusal=refusal)
        return Attempt(True, got["plaintext"] == plaintext)

    return attempt


def _ratchet_in_session(
    side: SignalSide, victim: Any, rng: Rng, key: bytes, point: LowOrderPoint | None
) -> Attempt:
    """A session up (the victim initiated and sent; the attacker, Bob, decrypted with ``key``
    as his next sending ratchet key), the attacker's reply brings that ratchet key and the
    victim decrypts it (Double Ratchet §3.5 DHRatchet)."""
    del point
    attacker = side.attacker()
    bob = side.party(attacker, rng, BOB_IDS)
    bundle = side.bundle(attacker, bob)
    alice = _setup("a new device", "alice", side.party, victim, rng, ALICE_IDS)
    alice = _setup("an honest bundle", "alice", side.initiate, victim, alice, bundle, rng)
    first = _setup(
        "its first message", "alice", side.encrypt, victim, alice, rng.plaintext("alice"), rng
    )
    opened = _setup(
        "the victim's first message, at the suite's reference",
        "alice",
        side.decrypt,
        attacker,
        bob,
        first,
        rng,
        ratchet=key,
    )
    plaintext = rng.plaintext("bob")
    reply = side.encrypt(attacker, opened["party"], plaintext, rng)
    got, refusal = _victim_step(side.decrypt, victim, first["party"], reply, rng)
    if got is None:
        return Attempt(False, refusal=refusal)
    return Attempt(True, got["plaintext"] == plaintext)


@dataclass(frozen=True)
class Place:
    """Where the peer key enters: the check's name, the victim's role, the attempt, what the
    description says and the section of each family's specification that takes the key."""

    name: str
    victim: str
    attempt: AttemptFn
    what: str
    sections: dict[str, tuple[SpecRef, ...]]


_X3DH = "Signal X3DH specification"
_PQXDH = "Signal PQXDH specification (revision 3)"
_RATCHET = "Signal Double Ratchet specification"
_RATCHET_4 = "Signal Double Ratchet specification (revision 4)"
#: RFC 7748 §6.1: checking for the all-zero shared secret is a MAY.
_MAY = SpecRef("RFC 7748", "6.1", "MAY")


def _handshake(section: str) -> dict[str, tuple[SpecRef, ...]]:
    return {
        "signal": (SpecRef(_X3DH, section), _MAY),
        "signal-pq": (SpecRef(_PQXDH, section), _MAY),
    }


def _ratchet(section: str) -> dict[str, tuple[SpecRef, ...]]:
    return {
        "signal": (SpecRef(_RATCHET, section), _MAY),
        "signal-pq": (SpecRef(_RATCHET_4, section), _MAY),
    }


PLACES = (
    Place(
        "low-order-identity-key",
        "alice",
        _against_alice("identity"),
        "Bob's identity key IK_B in the bundle Alice initiates from (DH2); the bundle's "
        "signatures are forged XEdDSA signatures that verify under the low-order key (u = p - 1 "
        "excepted, which XEdDSA's conversion refuses, so there the signature check refuses "
        "first)",
        _handshake("3.3"),
    ),
    Place(
        "low-order-signed-prekey",
        "alice",
        _against_alice("signed"),
        "Bob's signed pre-key SPK_B, validly signed by his identity key, in the bundle Alice "
        "initiates from (DH1, DH3 and her first ratchet step)",
        _handshake("3.3"),
    ),
    Place(
        "low-order-one-time-prekey",
        "alice",
        _against_alice("prekey"),
        "Bob's one-time pre-key OPK_B in the bundle Alice initiates from (DH4)",
        _handshake("3.3"),
    ),
    Place(
        "low-order-sender-identity-key",
        "bob",
        _against_bob("identity"),
        "Alice's identity key IK_A in the PreKeySignalMessage Bob receives (DH1)",
        _handshake("3.4"),
    ),
    Place(
        "low-order-base-key",
        "bob",
        _against_bob("base"),
        "Alice's base key EK_A in the PreKeySignalMessage Bob receives (DH2, DH3, DH4)",
        _handshake("3.4"),
    ),
    Place(
        "low-order-initial-ratchet-key",
        "bob",
        _against_bob("ratchet"),
        "Alice's first ratchet key, in the message inside the PreKeySignalMessage Bob "
        "receives (his first DH ratchet step)",
        _ratchet("3.5"),
    ),
    Place(
        "low-order-ratchet-key",
        "alice",
        _ratchet_in_session,
        "Bob's new ratchet key in his reply, in a session Alice started (her DH ratchet step)",
        _ratchet("3.5"),
    ),
)


def _play(side: SignalSide, place: Place) -> Callable[[Any, Any, Rng], Played]:
    def play(a: Any, b: Any, rng: Rng) -> Played:
        victim = a if place.victim == "alice" else b
        control = place.attempt(side, victim, rng, rng.key(), None)
        if not (control.accepted and control.shown):
            how = f"refused with {control.refusal}" if control.refusal else "did not complete"
            raise PairFailure(
                f"control: the same exchange with an honest key in place of {place.what} "
                f"{how}, so the low-order attempts cannot be measured",
                receiver=place.victim,
            )
        accepted: list[str] = []
        shown = 0
        refusals: dict[str, int] = {}
        for point in LOW_ORDER_POINTS:
            got = place.attempt(side, victim, rng, marker(point), point)
            if got.accepted:
                accepted.append(point.name)
                shown += got.shown
            else:
                kind = got.refusal or "ProtocolError"
                refusals[kind] = refusals.get(kind, 0) + 1
        measured: dict[str, str | int] = {
            "accepted": ", ".join(accepted) if accepted else "none",
            "refused": len(LOW_ORDER_POINTS) - len(accepted),
            "shown": shown,
        }
        if refusals:
            measured["refused as"] = ", ".join(f"{k} {n}" for k, n in sorted(refusals.items()))
        return Played("accepted" if accepted else "rejected", measured)

    return play


def _scenarios() -> list[PairScenario]:
    out = []
    for side in (SignalSide(), SignalPqSide()):
        for place in PLACES:
            out.append(
                PairScenario(
                    place.name,
                    side.family,
                    side.family,
                    f"Each of the {len(LOW_ORDER_POINTS)} low-order X25519 encodings (and "
                    f"non-canonical ones) as {place.what}, from an attacker who knows the "
                    "all-zero shared secret it gives; after an honest control exchange, each "
                    "attempt from a fresh set-up. Accepted: the victim's operation returned "
                    "(shown: the attacker then read the victim's message, or the victim the "
                    "attacker's).",
                    place.sections[side.family],
                    _play(side, place),
                    flags=("LowOrderPublicKey",),
                    kind="prop",
                    bug_type="CONFIDENTIALITY",
                    plan="each",
                )
            )
    return out


SCENARIOS: list[PairScenario] = _scenarios()
