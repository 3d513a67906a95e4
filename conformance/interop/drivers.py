"""Two parties of one ratcheting family, on two implementations, as a black box.

A driver knows how to set a conversation up and how to encrypt and open one message on each
side; the pair scenarios (``send``, ``receive``, ``replay``, ``exchange``: a refusal is a
:class:`PairFailure` naming the step) and everything a property check does (snapshots,
replays, tampering, reordering, on the raw ``encrypt``, ``open`` and ``deliver``) are built on
that. A party's state is what its implementation returned last, an immutable value: keeping an
old one *is* taking a snapshot, and opening a message with it is importing that snapshot into a
fresh instance (for an out-of-process adapter, literally: every call starts from the bytes).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, ClassVar, cast

from ..capabilities.megolm import Megolm
from ..capabilities.olm import Olm
from ..capabilities.signal import Signal, SignalBundle
from ..capabilities.signal_pq import SignalPq, SignalPqBundle
from ..errors import ProtocolError
from ..reference.mlkem import ML_KEM_1024, kyber_r3_keygen
from . import PairFailure, Rng, step

__all__ = [
    "DRIVERS",
    "Driver",
    "MegolmDriver",
    "OlmDriver",
    "Sent",
    "SignalDriver",
    "SignalPqDriver",
]


@dataclass(frozen=True)
class Sent:
    sender: str
    number: int
    type: int
    message: bytes
    plaintext: bytes

    @property
    def to(self) -> str:
        return "bob" if self.sender == "alice" else "alice"


def other(party: str) -> str:
    return "bob" if party == "alice" else "alice"


@dataclass
class Driver(ABC):
    """Alice on implementation ``a``, Bob on ``b``."""

    a: Any
    b: Any
    rng: Rng
    states: dict[str, Any] = field(default_factory=dict)
    sent: list[Sent] = field(default_factory=list)
    #: The parties that have received a message.
    heard: set[str] = field(default_factory=set)
    #: What the last message :meth:`attempt` saw accepted decrypted to.
    accepted_plaintext: bytes | None = None

    #: The family this driver plays.
    family: ClassVar[str] = ""
    #: Whether a party of this family can send (Megolm: only the session's owner, Alice).
    senders: tuple[str, ...] = ("alice", "bob")
    #: How many ratchet turns (messages each way) heal a compromise; 0: never, by design.
    healing_turns: int = 2
    #: Wire layout: the tag of the field holding the message counter, in the message that
    #: carries it, and the tag of the embedded message inside a first (pre-key) message.
    counter_tag: int = 0x10
    embedded_tag: int | None = 0x22
    #: Message types of first messages (pre-key messages), which carry a session's setup.
    first_types: tuple[int, ...] = (0,)

    def impl(self, party: str) -> Any:
        return self.a if party == "alice" else self.b

    @abstractmethod
    def establish(self) -> None: ...

    @abstractmethod
    def encrypt(self, sender: str) -> Sent:
        """Encrypt one new message from ``sender`` (its state moves on)."""

    @abstractmethod
    def open(self, to: str, state: Any, type: int, message: bytes) -> tuple[Any, bytes]:
        """Open a message with a given state of ``to``: (its new state, the plaintext). Raises
        a neutral error when refused; changes nothing."""

    def deliver(self, sent: Sent) -> bytes:
        """Open ``sent`` with the receiver's current state and keep the new state."""
        state, plaintext = self.open(sent.to, self.states[sent.to], sent.type, sent.message)
        self.states[sent.to] = state
        self.heard.add(sent.to)
        return plaintext

    def can_send(self, party: str) -> bool:
        """Alice can send once the session exists; Bob once he has heard from her."""
        return party in self.senders and (party == "alice" or party in self.heard)

    # --- scenario steps: messages by number, a refusal is the pair's failure -----------------

    def send(self, sender: str, count: int = 1) -> list[int]:
        """Encrypt ``count`` messages from ``sender``; their numbers."""
        return [
            step(f"{sender} encrypts message {len(self.sent)}", self.encrypt, sender).number
            for _ in range(count)
        ]

    def receive(self, *numbers: int) -> None:
        """Deliver these messages, in this order; each must decrypt to what was sent."""
        for n in numbers:
            s = self.sent[n]
            what = f"{s.to} decrypts message {n} (type {s.type}) from {s.sender}"
            got = step(what, self.deliver, s, receiver=s.to)
            if got != s.plaintext:
                raise PairFailure(f"{what}: got {got!r}, expected {s.plaintext!r}", receiver=s.to)

    def replay(self, number: int) -> None:
        """Deliver an already decrypted message again: it must be refused."""
        s = self.sent[number]
        if self.attempt(s.to, s.type, s.message) is None:
            raise PairFailure(
                f"{s.to} decrypted message {number} from {s.sender} a second time",
                receiver=s.to,
                receiver_fault=True,
            )

    def attempt(self, to: str, type: int, message: bytes) -> ProtocolError | None:
        """Deliver a message that must be refused to ``to``'s live state: the refusal, or None
        when it was accepted (its plaintext is then :attr:`accepted_plaintext`). After a refusal ``to`` goes on from the state its implementation
        returned with it (the stateful contract: ``ProtocolError.state``, the state as it
        stands after the attempt), or from the state before where the adapter returns none
        (protocol 1). Damage a bad message did to the live session therefore shows later."""
        try:
            state, plaintext = self.open(to, self.states[to], type, message)
        except ProtocolError as exc:
            if exc.state is not None:
                self.states[to] = self.after_refusal(self.states[to], exc.state)
            return exc
        self.states[to] = state
        self.accepted_plaintext = plaintext
        return None

    def after_refusal(self, before: Any, returned: bytes) -> Any:
        """A party's state from the bytes a refusal returned (the family's opaque state)."""
        return returned

    def exchange(self, sender: str, count: int) -> None:
        self.receive(*self.send(sender, count))

    # --- the family's operations -------------------------------------------------------------

    def plaintext(self, sender: str) -> bytes:
        return self.rng.plaintext(f"{sender} message {len(self.sent)}")

    def record(self, sender: str, type: int, message: bytes, plaintext: bytes) -> Sent:
        s = Sent(sender, len(self.sent), type, message, plaintext)
        self.sent.append(s)
        return s


@dataclass
class OlmParty:
    account: bytes
    session: bytes | None


@dataclass
class OlmDriver(Driver):
    """libolm docs/olm.md: Bob publishes a one-time key (or his fallback key), Alice opens an
    outbound session."""

    family: ClassVar[str] = "olm"
    fallback: bool = False

    def establish(self) -> None:
        a, b = cast(Olm, self.a), cast(Olm, self.b)
        accounts = {
            p: self.impl(p).olm_account(self.rng.key(), self.rng.key()) for p in ("alice", "bob")
        }
        identity = {p: self.impl(p).olm_identity_keys(accounts[p])[:32] for p in accounts}
        add = b.olm_add_fallback_key if self.fallback else b.olm_add_one_time_key
        added = add(accounts["bob"], self.rng.key())
        session = a.olm_outbound(
            accounts["alice"], identity["bob"], added["key"], self.rng.key(), self.rng.key()
        )
        self.identity: dict[str, bytes] = identity
        self.states = {
            "alice": OlmParty(accounts["alice"], session),
            "bob": OlmParty(added["account"], None),
        }

    def encrypt(self, sender: str) -> Sent:
        state = cast(OlmParty, self.states[sender])
        assert state.session is not None
        plaintext = self.plaintext(sender)
        out = self.impl(sender).olm_encrypt(state.session, plaintext, self.rng.key())
        self.states[sender] = OlmParty(state.account, out["session"])
        return self.record(sender, out["type"], out["message"], plaintext)

    def open(self, to: str, state: Any, type: int, message: bytes) -> tuple[Any, bytes]:
        party = cast(OlmParty, state)
        impl = cast(Olm, self.impl(to))
        if party.session is None:
            made = impl.olm_inbound(party.account, self.identity[other(to)], message)
            return OlmParty(made["account"], made["session"]), made["plaintext"]
        got = impl.olm_decrypt(party.session, type, message)
        return OlmParty(party.account, got["session"]), got["plaintext"]

    def after_refusal(self, before: Any, returned: bytes) -> Any:
        # Before a session exists the refused operation is olm_inbound, which returns the
        # account; after, olm_decrypt, which returns the session.
        party = cast(OlmParty, before)
        if party.session is None:
            return OlmParty(returned, None)
        return OlmParty(party.account, returned)


@dataclass
class SignalDriver(Driver):
    """Signal X3DH + Double Ratchet: Bob publishes a bundle, Alice initiates.

    The family's device operations (:meth:`new_party`, :meth:`bundle_of`,
    :meth:`initiate_with`, :meth:`encrypt_with`) are methods so that the properties written
    for Signal run unchanged on current Signal (:class:`SignalPqDriver`)."""

    family: ClassVar[str] = "signal"
    first_types: tuple[int, ...] = (3,)
    #: Whether Bob's bundle carries a one-time pre-key (X3DH §3.3: DH4).
    one_time_prekey: bool = True
    #: Pre-key message fields a tamperer aims at besides the embedded message: the base key
    #: and the identity key (X25519 keys, whose top bit X25519 ignores).
    prekey_key_tags: tuple[int, ...] = (0x12, 0x1A)
    #: Further pre-key message fields whose every bit matters (current Signal: the Kyber
    #: ciphertext).
    prekey_other_tags: tuple[int, ...] = ()

    def new_party(
        self,
        impl: Any,
        ids: tuple[int, int, int],
        *,
        prekey: bool = True,
        signed_private: bytes | None = None,
        prekey_private: bytes | None = None,
        same_kyber_as: bytes | None = None,
        identity_private: bytes | None = None,
    ) -> bytes:
        """A device on ``impl`` with (registration, signed pre-key, one-time pre-key) ids;
        keys not given are drawn, in the order identity, signed pre-key, signature nonce,
        one-time pre-key. ``same_kyber_as`` (a party this driver made) is for current Signal."""
        del same_kyber_as
        registration, signed_id, prekey_id = ids
        identity = self.rng.key() if identity_private is None else identity_private
        signed = self.rng.key() if signed_private is None else signed_private
        nonce = self.rng.take(64)
        one_time = b""
        if prekey:
            one_time = self.rng.key() if prekey_private is None else prekey_private
        return cast(Signal, impl).signal_party(
            identity, registration, signed_id, signed, nonce, prekey_id if prekey else 0, one_time
        )

    def bundle_of(self, impl: Any, party: bytes) -> dict[str, Any]:
        return dict(cast(Signal, impl).signal_bundle(party))

    def initiate_with(
        self,
        impl: Any,
        party: bytes,
        bundle: dict[str, Any],
        *,
        base_private: bytes | None = None,
        ratchet_private: bytes | None = None,
        **changed: Any,
    ) -> bytes:
        """Alice's session on ``impl`` from ``bundle`` with some fields ``changed`` (the
        bundle's fields are the initiation's parameters, in the bundle type's order); her base
        key and first ratchet key are drawn unless given."""
        f = {**bundle, **changed}
        fields = [f[name] for name in SignalBundle.__annotations__]
        initiate: Any = cast(Signal, impl).signal_initiate
        base, ratchet = self.rng.key(), self.rng.key()
        return bytes(
            initiate(
                party,
                *fields,
                base if base_private is None else base_private,
                ratchet if ratchet_private is None else ratchet_private,
            )
        )

    def encrypt_with(self, impl: Any, party: bytes, plaintext: bytes) -> dict[str, Any]:
        return dict(cast(Signal, impl).signal_encrypt(party, plaintext))

    def establish(self) -> None:
        for n, p in enumerate(("alice", "bob")):
            prekey = self.one_time_prekey or p == "alice"
            self.states[p] = self.new_party(self.impl(p), (100 + n, 5 + n, 9 + n), prekey=prekey)
        bundle = self.bundle_of(self.b, self.states["bob"])
        self.states["alice"] = self.initiate_with(self.a, self.states["alice"], bundle)

    def encrypt(self, sender: str) -> Sent:
        plaintext = self.plaintext(sender)
        out = self.encrypt_with(self.impl(sender), self.states[sender], plaintext)
        self.states[sender] = out["party"]
        return self.record(sender, out["type"], out["message"], plaintext)

    def decrypt_with(
        self,
        impl: Any,
        party: bytes,
        type: int,
        message: bytes,
        ratchet_private: bytes | None = None,
    ) -> dict[str, Any]:
        """Decrypt on ``impl``; the receiver's next sending ratchet key (used when the message
        brings a new one, Double Ratchet §3.5) is drawn unless given."""
        ratchet = self.rng.key()
        decrypt = cast(Signal, impl).signal_decrypt
        return dict(
            decrypt(party, type, message, ratchet if ratchet_private is None else ratchet_private)
        )

    def open(self, to: str, state: Any, type: int, message: bytes) -> tuple[Any, bytes]:
        got = self.decrypt_with(self.impl(to), state, type, message)
        return got["party"], got["plaintext"]


#: PreKeySignalMessage field 8, kyber_ciphertext (libsignal wire.proto), as a protobuf tag.
KYBER_CIPHERTEXT_TAG = 0x42


@dataclass
class SignalPqDriver(SignalDriver):
    """Current Signal (PQXDH + the triple ratchet, version 4): Bob's bundle also carries a
    signed Kyber pre-key, one-time unless ``last_resort``. Kyber key pairs are drawn from the
    scenario's generator and made with the suite's round-3 Kyber1024 (no implementation can
    be asked to derive one from a seed the same way; see ``SignalPq``)."""

    family: ClassVar[str] = "signal-pq"
    last_resort: bool = False
    prekey_other_tags: tuple[int, ...] = (KYBER_CIPHERTEXT_TAG,)
    #: The Kyber seed of each party this driver made.
    kyber_seeds: dict[bytes, bytes] = field(default_factory=dict)

    def new_party(
        self,
        impl: Any,
        ids: tuple[int, int, int],
        *,
        prekey: bool = True,
        signed_private: bytes | None = None,
        prekey_private: bytes | None = None,
        same_kyber_as: bytes | None = None,
        identity_private: bytes | None = None,
    ) -> bytes:
        """As :meth:`SignalDriver.new_party`, then the Kyber pre-key's seed (d, z), unless
        it is the one of ``same_kyber_as``, and the two signatures' nonces; the Kyber
        pre-key's id is the signed pre-key's plus 20."""
        registration, signed_id, prekey_id = ids
        identity = self.rng.key() if identity_private is None else identity_private
        signed = self.rng.key() if signed_private is None else signed_private
        one_time = b""
        if prekey:
            one_time = self.rng.key() if prekey_private is None else prekey_private
        seed = self.rng.take(64) if same_kyber_as is None else self.kyber_seeds[same_kyber_as]
        kyber = kyber_r3_keygen(ML_KEM_1024, seed[:32], seed[32:])
        party = cast(SignalPq, impl).signal_pq_party(
            identity,
            registration,
            signed_id,
            signed,
            prekey_id if prekey else 0,
            one_time,
            signed_id + 20,
            kyber.dk,
            self.last_resort,
            self.rng.take(128),
        )
        self.kyber_seeds[party] = seed
        return party

    def bundle_of(self, impl: Any, party: bytes) -> dict[str, Any]:
        return dict(cast(SignalPq, impl).signal_pq_bundle(party))

    def initiate_with(
        self,
        impl: Any,
        party: bytes,
        bundle: dict[str, Any],
        *,
        base_private: bytes | None = None,
        ratchet_private: bytes | None = None,
        **changed: Any,
    ) -> bytes:
        f = {**bundle, **changed}
        fields = [f[name] for name in SignalPqBundle.__annotations__]
        initiate: Any = cast(SignalPq, impl).signal_pq_initiate
        base, ratchet = self.rng.key(), self.rng.key()
        return bytes(
            initiate(
                party,
                *fields,
                base if base_private is None else base_private,
                ratchet if ratchet_private is None else ratchet_private,
                self.rng.take(32),
                self.rng.take(64),
            )
        )

    def encrypt_with(self, impl: Any, party: bytes, plaintext: bytes) -> dict[str, Any]:
        return dict(cast(SignalPq, impl).signal_pq_encrypt(party, plaintext, self.rng.take(64)))

    def decrypt_with(
        self,
        impl: Any,
        party: bytes,
        type: int,
        message: bytes,
        ratchet_private: bytes | None = None,
    ) -> dict[str, Any]:
        ratchet, spqr = self.rng.key(), self.rng.take(64)
        decrypt = cast(SignalPq, impl).signal_pq_decrypt
        return dict(
            decrypt(
                party, type, message, ratchet if ratchet_private is None else ratchet_private, spqr
            )
        )


@dataclass
class MegolmDriver(Driver):
    """docs/megolm.md: Alice owns the outbound session, Bob holds an inbound one."""

    family: ClassVar[str] = "megolm"
    senders: tuple[str, ...] = ("alice",)
    first_types: tuple[int, ...] = ()
    healing_turns: int = 0
    counter_tag: int = 0x08
    embedded_tag: int | None = None

    def establish(self) -> None:
        a, b = cast(Megolm, self.a), cast(Megolm, self.b)
        outbound = a.megolm_outbound(self.rng.take(128), self.rng.key())
        self.states = {
            "alice": outbound,
            "bob": b.megolm_inbound(a.megolm_session_key(outbound)),
        }

    def encrypt(self, sender: str) -> Sent:
        plaintext = self.plaintext(sender)
        out = cast(Megolm, self.a).megolm_encrypt(self.states["alice"], plaintext)
        self.states["alice"] = out["session"]
        return self.record(sender, 0, out["message"], plaintext)

    def open(self, to: str, state: Any, type: int, message: bytes) -> tuple[Any, bytes]:
        got = cast(Megolm, self.b).megolm_decrypt(state, message)
        return got["session"], got["plaintext"]


#: family -> (capability, driver class)
DRIVERS: dict[str, tuple[str, type[Driver]]] = {
    "olm": ("olm", OlmDriver),
    "signal": ("signal", SignalDriver),
    "signal-pq": ("signal-pq", SignalPqDriver),
    "megolm": ("megolm", MegolmDriver),
}
