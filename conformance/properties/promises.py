"""Promises the specs make that no other check held an implementation to (issue 12, part 5).

Each is a safety property over every ordered pair (A is Alice, B is Bob), registered in
:mod:`conformance.properties` as ``prop/<family>/<name>``:

* ``one-time-key-reuse`` (olm, signal): once Bob's one-time key (Olm) or one-time pre-key
  (Signal) has made a session, a *new* session on it (the same Alice, a new base key) is
  refused, and Bob's next bundle no longer offers it (Signal X3DH §3.4 "Bob deletes any
  one-time prekey private key that was used"; libolm docs/olm.md "Initial setup" and
  ``olm_remove_one_time_keys``). A replayed first message is the ``replay`` property's case
  (it goes to the session with that base key); fallback keys are kept until replaced by design
  (docs/olm.md, the ``FallbackKeyReplay`` flag) and are not tested here. An Olm account's
  published keys cannot be listed through the ``olm`` interface, so only Signal's next bundle
  is looked at.
* ``identity-key-change`` (signal): a party with a session refuses, rather than silently
  trusts, a peer whose identity key changed: Alice a bundle, Bob a PreKeySignalMessage (trust
  on first use, as libsignal's ``InMemIdentityKeyStore`` and python-axolotl's
  ``UntrustedIdentityException``; the adapters hold a trust-on-first-use store, so what is
  judged is that the library consults it).
* ``version-bytes`` (olm, signal, megolm): every version byte but the one spoken is refused,
  and the genuine message decrypts afterwards. The outer byte of an Olm pre-key message is
  authenticated by nothing and libolm ignores it: what B does there is reported under the
  ``PreKeyOuterVersion`` flag, as the vectors do.
* ``identity-binding-judged`` (olm, signal): identity binding judged by an independent party,
  the suite's reference, so a bug A shares with itself cannot hide (see
  :func:`identity_binding_judged`).
* ``signed-prekey-signature`` (signal): a bundle whose signed pre-key signature is corrupted
  or made by another identity is refused by ``signal_initiate`` (X3DH §3.3 "Alice verifies the
  prekey signature and aborts the protocol if verification fails").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cache
from typing import Any, cast

from ..capabilities.olm import Olm
from ..errors import ProtocolError
from ..interop import PairFailure, Rng
from ..interop.drivers import Driver, MegolmDriver, OlmDriver, OlmParty, Sent, SignalDriver
from ..model import SpecRef
from . import wire

__all__ = [
    "BUG_TYPES",
    "DESCRIPTIONS",
    "FAMILIES",
    "FLAGS",
    "PLAYS",
    "SPECS",
    "identity_binding_judged",
    "identity_key_change",
    "one_time_key_reuse",
    "signed_prekey_signature",
    "version_bytes",
]

_X3DH = "Signal X3DH specification"
_PQXDH = "Signal PQXDH specification (revision 3)"
_OLM = "libolm docs/olm.md"
_MEGOLM = "libolm docs/megolm.md"
_PROTOCOL_RS = "libsignal rust/protocol/src/protocol.rs"

#: The Olm pre-key message fields (docs/olm.md "Pre-key messages").
_OLM_ONE_TIME_KEY = 0x0A
#: The embedded message of a first message (Olm and Signal alike: field 4, length-delimited).
_EMBEDDED = 0x22

#: Bob's and Alice's registration and key ids, as :class:`SignalDriver` gives them.
_ALICE_IDS = (100, 5, 9)
_BOB_IDS = (101, 6, 10)


def _exchange(d: Driver, sender: str) -> None:
    """One message from ``sender``, which its peer must decrypt (the conversation goes on)."""
    s = d.encrypt(sender)
    try:
        got = d.deliver(s)
    except ProtocolError as exc:
        raise PairFailure(
            f"{s.to} refused a genuine message {s.number} afterwards: {exc.kind}: {exc}",
            receiver=s.to,
            receiver_fault=True,
        ) from None
    if got != s.plaintext:
        raise PairFailure(f"{s.to} decrypted message {s.number} to {got!r}", receiver=s.to)


def _goes_on(d: Driver, after: str) -> None:
    """The conversation still works both ways after what the receiver was made to refuse: a
    refusal that broke the live session is the receiver's fault."""
    del after
    for sender in d.senders:
        _exchange(d, sender)


# --- 1. one-time keys are used once --------------------------------------------------------


def one_time_key_reuse(d: Driver, rng: Rng) -> str | None:
    """After Bob's one-time key made a first session, a second session on it is refused.

    Alice (on A) starts a second session with the same one-time key and a new base key: Bob
    (on B) must refuse it, since the key's private part is gone (X3DH §3.4; docs/olm.md). A
    receiver that decrypts it still held the private key: ``receiver_fault``. Signal: Bob's
    next bundle must not offer the key again (X3DH §3.2: the server hands each one-time prekey
    out once, and Bob deletes it once used); current Signal: nor his one-time Kyber pre-key
    (PQXDH §3.4), and a device left without any Kyber pre-key may publish no bundle at all. The
    live session goes on afterwards."""
    if isinstance(d, OlmDriver):
        return _olm_one_time_key_reuse(d, rng)
    assert isinstance(d, SignalDriver)
    d.establish()
    bundle = d.bundle_of(d.b, d.states["bob"])
    if not bundle["prekey"]:
        raise PairFailure(
            "bob's bundle offers no one-time pre-key although he was given one",
            receiver="bob",
            receiver_fault=True,
        )
    _exchange(d, "alice")
    try:
        after = d.bundle_of(d.b, d.states["bob"])
    except ProtocolError:
        # Current Signal: with its one-time Kyber pre-key used, a device given no other has
        # no bundle to publish (PQXDH §3.2 requires a Kyber pre-key), which offers nothing.
        after = {}
    if after.get("prekey") and (
        after["prekey"] == bundle["prekey"] or after["prekey_id"] == bundle["prekey_id"]
    ):
        raise PairFailure(
            f"bob's bundle still offers one-time pre-key {bundle['prekey_id']} after a session "
            "used it",
            receiver="bob",
            receiver_fault=True,
        )
    if after.get("kyber_prekey") and (
        after["kyber_prekey"] == bundle["kyber_prekey"]
        or after["kyber_prekey_id"] == bundle["kyber_prekey_id"]
    ):
        raise PairFailure(
            f"bob's bundle still offers one-time Kyber pre-key {bundle['kyber_prekey_id']} "
            "after a session used it",
            receiver="bob",
            receiver_fault=True,
        )
    # The same Alice, a new base key, the consumed one-time pre-key: a new session.
    second = d.initiate_with(d.a, d.states["alice"], bundle)
    out = d.encrypt_with(d.a, second, d.plaintext("alice"))
    if d.attempt("bob", out["type"], out["message"]) is None:
        raise PairFailure(
            f"bob accepted a new session on one-time pre-key {bundle['prekey_id']}, which an "
            "earlier session had used",
            receiver="bob",
            receiver_fault=True,
        )
    _goes_on(d, "bob")
    return None


def _olm_one_time_key_reuse(d: OlmDriver, rng: Rng) -> str | None:
    d.establish()
    first = d.encrypt("alice")
    d.deliver(first)
    start, end = wire.field_span(first.message, _OLM_ONE_TIME_KEY)
    one_time_key = first.message[start:end]
    alice = cast(OlmParty, d.states["alice"])
    a = cast(Olm, d.a)
    session = a.olm_outbound(alice.account, d.identity["bob"], one_time_key, rng.key(), rng.key())
    out = a.olm_encrypt(session, d.plaintext("alice"), rng.key())
    bob = cast(OlmParty, d.states["bob"])
    try:
        cast(Olm, d.b).olm_inbound(bob.account, d.identity["alice"], out["message"])
    except ProtocolError:
        pass
    else:
        raise PairFailure(
            "bob accepted a new session on a one-time key an earlier session had used",
            receiver="bob",
            receiver_fault=True,
        )
    _goes_on(d, "bob")
    return None


# --- 2. a changed identity key is not trusted silently -------------------------------------


def identity_key_change(d: Driver, rng: Rng) -> str | None:
    """A peer's identity key that changes under an existing session is refused.

    Alice (on A), with a session with Bob, is handed a bundle for Bob's address (his
    registration id and key ids) under another identity key, made on B: ``signal_initiate``
    must refuse it (libsignal ``session_builder.rs`` ``process_prekey_bundle``:
    UntrustedIdentity). A fresh Alice on A accepts that same bundle (so the bundle is sound).
    Bob (on B), who started a session with Alice from her bundle (so his own one-time
    pre-key is unused), receives a PreKeySignalMessage made on A for Alice's address under
    another identity key, on his current bundle: refused (``process_prekey``); the same
    message is accepted by Bob as he was before he trusted anyone (so it is sound). Either
    acceptance is the receiver's fault. Both sessions go on afterwards."""
    assert isinstance(d, SignalDriver)
    d.establish()
    for sender in ("alice", "bob"):
        _exchange(d, sender)
    a, b = d.a, d.b

    # Alice: Bob's address, another identity.
    impostor = d.bundle_of(b, d.new_party(b, _BOB_IDS))
    fresh_alice = d.new_party(a, _ALICE_IDS)
    try:
        d.initiate_with(a, fresh_alice, impostor)
    except ProtocolError as exc:
        raise PairFailure(
            f"a new alice refused the bundle of bob's second identity ({exc.kind}: {exc}): "
            "the check cannot judge alice's trust",
            receiver="alice",
        ) from None
    try:
        d.initiate_with(a, d.states["alice"], impostor)
    except ProtocolError as exc:
        if exc.state is not None:
            d.states["alice"] = exc.state
    else:
        raise PairFailure(
            "alice, with a session with bob, accepted a bundle for bob under another identity key",
            receiver="alice",
            receiver_fault=True,
        )

    _goes_on(d, "alice")

    # Bob: he starts the session this time (so his one-time pre-key is still there and a
    # first message to him can use it), and trusts Alice's identity from her bundle.
    alice = d.new_party(a, _ALICE_IDS)
    fresh_bob = d.new_party(b, _BOB_IDS)
    d2 = type(d)(d.a, d.b, rng)
    d2.states = {"alice": alice, "bob": d.initiate_with(b, fresh_bob, d.bundle_of(a, alice))}
    for sender in ("bob", "alice"):
        _exchange(d2, sender)
    # Alice's address (her registration id), another identity key, Bob's current bundle.
    mallory = d.initiate_with(a, d.new_party(a, _ALICE_IDS), d.bundle_of(b, d2.states["bob"]))
    forged = d.encrypt_with(a, mallory, d2.plaintext("alice"))
    try:
        d2.open("bob", fresh_bob, forged["type"], forged["message"])
    except ProtocolError as exc:
        raise PairFailure(
            f"a new bob refused the first message of alice's second identity ({exc.kind}: "
            f"{exc}): the check cannot judge bob's trust",
            receiver="bob",
        ) from None
    if d2.attempt("bob", forged["type"], forged["message"]) is None:
        raise PairFailure(
            "bob, with a session with alice, accepted a PreKeySignalMessage from alice's "
            "address under another identity key",
            receiver="bob",
            receiver_fault=True,
        )
    _goes_on(d2, "bob")
    return None


# --- 3. the version byte --------------------------------------------------------------------


def _with_byte(message: bytes, at: int, value: int) -> bytes:
    return message[:at] + bytes([value]) + message[at + 1 :]


def _all_versions_refused(
    d: Driver, s: Sent, at: int, what: str, values: Iterable[int] = range(256)
) -> None:
    """Each other value of the byte at ``at`` (of ``values``) is refused by the live state
    (``Driver.attempt``: the refusal's returned state is where it goes on)."""
    spoken = s.message[at]
    for value in values:
        if value == spoken:
            continue
        if d.attempt(s.to, s.type, _with_byte(s.message, at, value)) is None:
            raise PairFailure(
                f"{s.to} accepted {what} with version byte {value:#04x} (it speaks {spoken:#04x})",
                receiver=s.to,
                receiver_fault=True,
            )


def _accepted_versions(
    d: Driver, s: Sent, at: int, values: Iterable[int] = range(256)
) -> list[int]:
    """The other values of the byte at ``at`` (of ``values``) the receiver's live state
    accepts (each tried on that state without keeping what it returns)."""
    accepted = []
    for value in values:
        if value == s.message[at]:
            continue
        try:
            d.open(s.to, d.states[s.to], s.type, _with_byte(s.message, at, value))
        except ProtocolError:
            continue
        accepted.append(value)
    return accepted


def _genuine_after(d: Driver, s: Sent, what: str) -> None:
    try:
        intact = d.deliver(s) == s.plaintext
    except ProtocolError as exc:
        raise PairFailure(
            f"{s.to} no longer decrypts the genuine {what} after the other versions: refused "
            f"with {exc.kind}: {exc}",
            receiver=s.to,
            receiver_fault=True,
        ) from None
    if not intact:
        raise PairFailure(
            f"{s.to} decrypted the genuine {what} wrongly after the other versions",
            receiver=s.to,
            receiver_fault=True,
        )


def version_bytes(d: Driver, rng: Rng) -> str | None:
    """Every version byte other than the one spoken is refused, and the genuine message
    decrypts afterwards: Olm 0x03 (docs/olm.md "Normal messages", "Pre-key messages"), Signal
    0x33 (libsignal ``protocol.rs``: the high nibble is the message version, the low nibble the
    current version; anything else is Legacy- or UnrecognizedCiphertextVersion), Megolm 0x03
    (docs/megolm.md "Message format").

    First messages: the version byte of the embedded message and, for Signal, the outer one's
    high nibble (the WrongVersion vectors). The outer byte of an Olm pre-key message, and the
    low nibble of a PreKeySignalMessage's (the sender's current version, which libsignal's
    ``PreKeySignalMessage::try_from`` does not read), are authenticated by nothing: what B
    does with them is returned ("accepted" when any other value decrypted) and reported under
    ``PreKeyOuterVersion`` (Olm) and ``PreKeyCurrentVersion`` (Signal). The first messages are the
    second of two Alice sends before hearing back, delivered to the session the first made."""
    d.establish()
    behaviour: str | None = None
    if not isinstance(d, MegolmDriver):
        first, second = d.encrypt("alice"), d.encrypt("alice")
        d.deliver(first)
        start, _ = wire.field_span(second.message, _EMBEDDED)
        if isinstance(d, OlmDriver):
            behaviour = "accepted" if _accepted_versions(d, second, 0) else "rejected"
        else:
            # The high nibble is the message version, the low one the sender's current
            # version, which libsignal does not read and nothing authenticates here.
            spoken = second.message[0] >> 4
            same = [spoken << 4 | low for low in range(16)]
            behaviour = "accepted" if _accepted_versions(d, second, 0, same) else "rejected"
            others = [v for v in range(256) if v >> 4 != spoken]
            _all_versions_refused(d, second, 0, "a PreKeySignalMessage", others)
        _all_versions_refused(d, second, start, "a first message's embedded message")
        _genuine_after(d, second, "first message")
        _exchange(d, "bob")
    s = d.encrypt("alice")
    _all_versions_refused(d, s, 0, "a message")
    _genuine_after(d, s, "message")
    return behaviour


# --- 4. identity binding, judged ------------------------------------------------------------


@cache
def _reference_adapter() -> Any:
    from ..registry import load_adapters

    loaded = load_adapters(["reference"])[0]
    if loaded.error is not None:
        raise RuntimeError(f"the reference adapter did not load: {loaded.error}")
    return loaded


def judge(family: str) -> Any:
    """The independent judge of a family: the suite's reference implementation, in-process
    over pyca/cryptography (adapters/reference). Tests may replace this function."""
    return _reference_adapter().get(family)


def _stranger_identity(d: Driver, rng: Rng) -> bytes:
    """A third party's identity key, as first messages carry it (Olm: the Curve25519 identity
    key, docs/olm.md "Initial setup"; Signal: the bundle's identity key, X3DH §3.2), made on
    ``d``'s Bob. Only the party is made: a whole session (a second party and the initiation)
    was made here once, for nothing but this key, which doubled the judge's work."""
    if isinstance(d, OlmDriver):
        olm = cast(Olm, d.b)
        account = olm.olm_account(rng.key(), rng.key())
        return bytes(olm.olm_identity_keys(account)[:32])
    assert isinstance(d, SignalDriver)
    return bytes(d.bundle_of(d.b, d.new_party(d.b, _ALICE_IDS))["identity_key"])


def _open_claimed(d: Driver, state: Any, message: bytes, claimed: bytes, type: int) -> None:
    """Bob opens a first message that claims to come from ``claimed`` (for Olm, Bob is told
    so: the receiver's comparison of the identity field with the sender it expects cannot
    stand in for the key agreement binding it)."""
    if isinstance(d, OlmDriver):
        party = cast(OlmParty, state)
        cast(Olm, d.b).olm_inbound(party.account, claimed, message)
        return
    d.open("bob", state, type, message)


def identity_binding_judged(d: Driver, rng: Rng) -> str | None:
    """A first message whose sender identity key is swapped for a stranger's is refused, with
    the suite's reference as an independent judge, so a bug an implementation shares with
    itself (it neither binds the identity when sending nor checks it when receiving, beyond
    comparing the field) cannot pass a self-pair.

    1. A sends to the judge: the judge decrypts A's genuine first message and refuses it with
       the identity swapped. Either failing means A's first message is not bound to its
       identity key as the key agreement requires (X3DH §3.3 DH1 and DH2; docs/olm.md
       "Initial setup" ECDH(I_A, E_B)): the sender, A, is at fault (``sender_fault``).
    2. The judge sends to B: B refuses the judge's swapped message and decrypts the genuine
       one. Accepting the swapped one is B's fault (``receiver_fault``: a receiver that binds
       the identity cannot derive the sender's keys without the stranger's private key); so,
       with the judge taken as right, is refusing the genuine one (B's key agreement is not
       the spec's), the mirror of 1.
    3. A sends to B: the same, B judged as in 2.
    Olm receivers are told the stranger is the sender (see :func:`_open_claimed`)."""
    referee = judge(d.family)

    to_judge = type(d)(d.a, referee, rng)
    to_judge.establish()
    first = to_judge.encrypt("alice")
    stranger = _stranger_identity(to_judge, rng)
    swapped = wire.swap_identity(to_judge, first.message, stranger)
    try:
        _open_claimed(to_judge, to_judge.states["bob"], swapped, stranger, first.type)
    except ProtocolError:
        pass
    else:
        raise PairFailure(
            "the reference decrypted alice's first message with her identity key swapped for "
            "a stranger's: alice's first message is not bound to her identity key",
            receiver="bob",
            sender_fault=True,
        )
    try:
        to_judge.deliver(first)
    except ProtocolError as exc:
        raise PairFailure(
            f"the reference refused alice's genuine first message ({exc.kind}: {exc}): her "
            "key agreement is not the spec's, so it cannot bind her identity key as specified",
            receiver="bob",
            sender_fault=True,
        ) from None

    for sender in (referee, d.a):
        pair = type(d)(sender, d.b, rng)
        pair.establish()
        first = pair.encrypt("alice")
        stranger = _stranger_identity(pair, rng)
        swapped = wire.swap_identity(pair, first.message, stranger)
        try:
            _open_claimed(pair, pair.states["bob"], swapped, stranger, first.type)
        except ProtocolError:
            pass
        else:
            who = "the reference's" if sender is referee else "alice's"
            raise PairFailure(
                f"bob accepted {who} first message with the sender identity key swapped for a "
                "stranger's",
                receiver="bob",
                receiver_fault=True,
            )
        try:
            pair.deliver(first)
        except ProtocolError as exc:
            if sender is not referee:
                raise PairFailure(
                    f"bob refused alice's genuine first message ({exc.kind}: {exc})",
                    receiver="bob",
                ) from None
            raise PairFailure(
                f"bob refused the reference's genuine first message ({exc.kind}: {exc}): his key "
                "agreement is not the spec's, so it cannot bind the sender's identity key as "
                "specified",
                receiver="bob",
                receiver_fault=True,
            ) from None
    return None


# --- 5. the signed pre-key signature ---------------------------------------------------------

#: Bits of the 64-byte signature always flipped: the ends of R and s, and s's top bits (which
#: a verifier checking s < L looks at first).
_SIGNATURE_BITS = (0, 7, 255, 256, 263, 504, 509, 510, 511)


def signed_prekey_signature(d: Driver, rng: Rng) -> str | None:
    """A bundle whose signed pre-key signature does not verify under its identity key is
    refused by ``signal_initiate`` (X3DH §3.3: "Alice verifies the prekey signature and aborts
    the protocol if verification fails"; libsignal ``session_builder.rs``): single bit flips,
    an all-zero signature, and a valid signature of the same signed pre-key by another
    identity (made on B). Current Signal: the same for the Kyber pre-key's signature (PQXDH
    §3.3: Alice verifies both, and aborts if either fails). Alice, on A, is judged
    (``receiver_fault``); the genuine bundle is then accepted and the conversation works."""
    assert isinstance(d, SignalDriver)
    a, b = d.a, d.b
    alice = d.new_party(a, _ALICE_IDS)
    signed_private, prekey_private = rng.key(), rng.key()
    bob = d.new_party(b, _BOB_IDS, signed_private=signed_private, prekey_private=prekey_private)
    bundle = d.bundle_of(b, bob)
    signature = bytes(bundle["signed_prekey_signature"])
    kyber_signature = bundle.get("kyber_prekey_signature")
    bits = sorted({*_SIGNATURE_BITS, *(int.from_bytes(rng.take(2), "big") % 512 for _ in range(7))})
    variants = [("signed", f"bit {bit} flipped", wire.flip(signature, bit)) for bit in bits]
    variants.append(("signed", "all zero", bytes(len(signature))))
    other = d.bundle_of(
        b, d.new_party(b, _BOB_IDS, signed_private=signed_private, same_kyber_as=bob)
    )
    variants.append(
        ("signed", "made by another identity key", bytes(other["signed_prekey_signature"]))
    )
    if kyber_signature is not None:
        kyber_signature = bytes(kyber_signature)
        variants += [
            ("kyber", f"bit {bit} flipped", wire.flip(kyber_signature, bit)) for bit in bits
        ]
        variants.append(("kyber", "all zero", bytes(len(kyber_signature))))
        variants.append(
            ("kyber", "made by another identity key", bytes(other["kyber_prekey_signature"]))
        )
    for which, what, bad in variants:
        field = f"{which}_prekey_signature"
        try:
            d.initiate_with(a, alice, bundle, **{field: bad})
        except ProtocolError:
            continue
        name = "signed pre-key" if which == "signed" else "Kyber pre-key"
        raise PairFailure(
            f"alice accepted a bundle whose {name} signature was {what}",
            receiver="alice",
            receiver_fault=True,
        )
    try:
        d.states = {"alice": d.initiate_with(a, alice, bundle), "bob": bob}
    except ProtocolError as exc:
        raise PairFailure(
            f"alice refused bob's genuine bundle ({exc.kind}: {exc})", receiver="alice"
        ) from None
    _goes_on(d, "bob")
    return None


Play = Callable[[Driver, Rng], "str | None"]

#: name -> play
PLAYS: dict[str, Play] = {
    "one-time-key-reuse": one_time_key_reuse,
    "identity-key-change": identity_key_change,
    "version-bytes": version_bytes,
    "identity-binding-judged": identity_binding_judged,
    "signed-prekey-signature": signed_prekey_signature,
}

FAMILIES: dict[str, tuple[str, ...]] = {
    "one-time-key-reuse": ("olm", "signal", "signal-pq"),
    "identity-key-change": ("signal", "signal-pq"),
    "version-bytes": ("olm", "signal", "signal-pq", "megolm"),
    "identity-binding-judged": ("olm", "signal", "signal-pq"),
    "signed-prekey-signature": ("signal", "signal-pq"),
}

BUG_TYPES: dict[str, str] = {
    "one-time-key-reuse": "REPLAY",
    "identity-key-change": "AUTH_BYPASS",
    "version-bytes": "MODIFIED_PARAMETER",
    "identity-binding-judged": "AUTH_BYPASS",
    "signed-prekey-signature": "AUTH_BYPASS",
}

#: (name, family) -> the spec references of the check.
SPECS: dict[tuple[str, str], tuple[SpecRef, ...]] = {
    ("one-time-key-reuse", "olm"): (
        SpecRef(_OLM, "Initial setup", "MUST"),
        SpecRef("libolm include/olm/olm.h", "olm_remove_one_time_keys", "MUST"),
    ),
    ("one-time-key-reuse", "signal"): (
        SpecRef(_X3DH, "3.4", "MUST"),
        SpecRef(_X3DH, "3.2", "MUST"),
        SpecRef(_X3DH, "4.2", "SHOULD"),
    ),
    ("identity-key-change", "signal"): (
        SpecRef(_X3DH, "4.1", "SHOULD"),
        SpecRef("libsignal rust/protocol/src/session.rs", "process_prekey", "MUST"),
    ),
    ("version-bytes", "olm"): (
        SpecRef(_OLM, "Normal messages", "MUST"),
        SpecRef(_OLM, "Pre-key messages"),
    ),
    ("version-bytes", "signal"): (SpecRef(_PROTOCOL_RS, "SignalMessage::try_from", "MUST"),),
    ("version-bytes", "megolm"): (SpecRef(_MEGOLM, "Message format", "MUST"),),
    ("identity-binding-judged", "olm"): (SpecRef(_OLM, "Initial setup", "MUST"),),
    ("identity-binding-judged", "signal"): (
        SpecRef(_X3DH, "3.3", "MUST"),
        SpecRef("Signal Double Ratchet specification", "3.5", "MUST"),
    ),
    ("signed-prekey-signature", "signal"): (SpecRef(_X3DH, "3.3", "MUST"),),
    ("one-time-key-reuse", "signal-pq"): (
        SpecRef(_PQXDH, "3.4", "MUST"),
        SpecRef(_PQXDH, "3.2", "MUST"),
    ),
    ("identity-key-change", "signal-pq"): (
        SpecRef(_PQXDH, "4.1", "SHOULD"),
        SpecRef("libsignal rust/protocol/src/session.rs", "process_prekey", "MUST"),
    ),
    ("version-bytes", "signal-pq"): (SpecRef(_PROTOCOL_RS, "SignalMessage::try_from", "MUST"),),
    ("identity-binding-judged", "signal-pq"): (
        SpecRef(_PQXDH, "3.3", "MUST"),
        SpecRef("Signal Double Ratchet specification", "3.5", "MUST"),
    ),
    ("signed-prekey-signature", "signal-pq"): (SpecRef(_PQXDH, "3.3", "MUST"),),
}

#: (name, family) -> the flag a behaviour is reported under (see conformance.profiles).
FLAGS: dict[tuple[str, str], tuple[str, ...]] = {
    ("version-bytes", "olm"): ("PreKeyOuterVersion",),
    ("version-bytes", "signal"): ("PreKeyCurrentVersion",),
    ("version-bytes", "signal-pq"): ("PreKeyCurrentVersion",),
}

DESCRIPTIONS = {
    "one-time-key-reuse": "A one-time key used once cannot start a second session.",
    "identity-key-change": "A peer's identity key changed under a session is refused.",
    "version-bytes": "Every other version byte is refused; the genuine message still decrypts.",
    "identity-binding-judged": "An identity-swapped first message is refused, judged by the "
    "reference both ways.",
    "signed-prekey-signature": "A bundle with a bad signed pre-key signature is refused.",
}
