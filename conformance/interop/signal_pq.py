"""Current Signal pair scenarios (family ``signal-pq``): A is Alice, B is Bob, as for classic
Signal (:mod:`.signal`), with PQXDH bundles that carry a signed Kyber pre-key and the triple
ratchet's version-4 messages; plus a last-resort Kyber pre-key shared by two sessions and
sealed sender between implementations that declare ``signal-sealed-sender``.
"""

from __future__ import annotations

import uuid
from typing import cast

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from ..capabilities.signal_pq import SignalSealedSender
from ..errors import ProtocolError
from ..model import SpecRef
from . import PairFailure, PairScenario, Rng, step
from .drivers import SignalPqDriver
from .signal import session_scenarios

__all__ = ["SCENARIOS"]

PQXDH = "Signal PQXDH specification (revision 3)"
DR = "Signal Double Ratchet specification (revision 4)"
SEALED = "libsignal rust/protocol/src/sealed_sender.rs"

#: Far in the future (milliseconds since the epoch): certificates that must not expire.
NEVER = 4_000_000_000_000


def _last_resort(a: object, b: object, rng: Rng) -> str | None:
    """Alice (on A) starts a session from Bob's bundle with a last-resort Kyber pre-key, then
    a second one from his next bundle: Bob (on B) kept the last-resort key after the first
    session (PQXDH §3.2: it is used when no one-time Kyber pre-key is left, and not deleted
    on use) and offers it again, with no one-time EC pre-key (that one was used); he accepts
    the second session, and the conversation goes on there. (A device of these scenarios has
    one peer: the second session is the same Alice's, as after a reinstall of her session.)"""
    p = SignalPqDriver(a, b, rng, last_resort=True)
    step("setting the first session up", p.establish)
    first = step("bob's bundle", p.bundle_of, b, p.states["bob"])
    p.exchange("alice", 2)
    p.exchange("bob", 1)
    bundle = step("bob's bundle after the first session", p.bundle_of, b, p.states["bob"])
    if bundle["prekey"]:
        raise PairFailure(
            f"bob's bundle still offers one-time pre-key {bundle['prekey_id']} after a session "
            "used it",
            receiver="bob",
            receiver_fault=True,
        )
    if bundle["kyber_prekey_id"] != first["kyber_prekey_id"]:
        raise PairFailure(
            f"bob's bundle offers Kyber pre-key {bundle['kyber_prekey_id']}, not his last-resort "
            f"one ({first['kyber_prekey_id']})",
            receiver="bob",
            receiver_fault=True,
        )
    p.states["alice"] = step(
        "alice initiates a second session", p.initiate_with, a, p.states["alice"], bundle
    )
    p.exchange("alice", 2)
    p.exchange("bob", 1)
    p.exchange("alice", 1)
    return None


def _public(private: bytes) -> bytes:
    """The 33-byte serialised public key (0x05 and the X25519 u-coordinate)."""
    key = X25519PrivateKey.from_private_bytes(private).public_key()
    return b"\x05" + key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def _sealed_sender(a: object, b: object, rng: Rng) -> str | None:
    """A server (on A) issues Alice a sender certificate under a trust root; Alice (on A)
    seals messages of her session with Bob in versions 1 and 2, and Bob (on B) opens them with
    the trust root's public key, learning Alice's UUID and device. A certificate from another
    trust root, and an expired one, are refused."""
    p = SignalPqDriver(a, b, rng)
    step("setting the session up", p.establish)
    p.exchange("alice", 1)
    p.exchange("bob", 1)
    sa, sb = cast(SignalSealedSender, a), cast(SignalSealedSender, b)
    root, server = rng.key(), rng.key()
    sender = bytes(uuid.UUID(bytes=rng.take(16), version=4).bytes)
    identity = bytes(p.bundle_of(a, p.states["alice"])["identity_key"])
    expiration = NEVER
    certificate = step(
        "A issues alice's sender certificate",
        sa.sealed_sender_certificate,
        root,
        1,
        server,
        sender,
        1,
        identity,
        expiration,
    )
    for version in (1, 2):
        plaintext = rng.plaintext(f"sealed message, version {version}")
        sealed = step(
            f"alice seals a message (version {version})",
            sa.sealed_sender_encrypt,
            p.states["alice"],
            certificate,
            plaintext,
            version,
        )
        p.states["alice"] = sealed["party"]
        got = step(
            f"bob opens the sealed message (version {version})",
            sb.sealed_sender_decrypt,
            p.states["bob"],
            sealed["message"],
            _public(root),
            NEVER - 1,
            receiver="bob",
        )
        p.states["bob"] = got["party"]
        if got["plaintext"] != plaintext:
            raise PairFailure(
                f"bob opened a version-{version} sealed message to {got['plaintext']!r}",
                receiver="bob",
            )
        if bytes(got["sender_uuid"]) != sender or got["sender_device_id"] != 1:
            raise PairFailure(
                f"bob read the sender of a version-{version} sealed message as "
                f"{bytes(got['sender_uuid']).hex()}.{got['sender_device_id']}, not "
                f"{sender.hex()}.1",
                receiver="bob",
            )
    for what, trust_root, now in (
        ("under another trust root", _public(rng.key()), NEVER - 1),
        ("after its certificate expired", _public(root), NEVER + 1),
    ):
        sealed = step(
            "alice seals another message",
            sa.sealed_sender_encrypt,
            p.states["alice"],
            certificate,
            rng.plaintext("sealed message, refused"),
            1,
        )
        try:
            sb.sealed_sender_decrypt(p.states["bob"], sealed["message"], trust_root, now)
        except ProtocolError:
            continue
        raise PairFailure(
            f"bob opened a sealed message {what}", receiver="bob", receiver_fault=True
        )
    return None


def _spec(document: str, *sections: str) -> tuple[SpecRef, ...]:
    return tuple(SpecRef(document, s) for s in sections)


SCENARIOS = [
    *session_scenarios(
        "signal-pq", "signal-pq", SignalPqDriver, _spec(PQXDH, "3.3", "3.4"), _spec(DR, "3.5", "5")
    ),
    PairScenario(
        "last-resort-kyber-prekey",
        "signal-pq",
        "signal-pq",
        "A second session from the same last-resort Kyber pre-key is accepted and converses.",
        _spec(PQXDH, "3.2"),
        _last_resort,
    ),
    PairScenario(
        "sealed-sender",
        "signal-pq",
        "signal-pq-sealed",
        "Sealed sender v1 and v2 opened with the trust root; foreign root and expiry refused.",
        _spec(SEALED, "sealed_sender_encrypt", "sealed_sender_multi_recipient_encrypt"),
        _sealed_sender,
    ),
]
