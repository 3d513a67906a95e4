"""Stdio adapter for python-axolotl, the Python port of libsignal-protocol-java (classic Signal).

Runs in its own environment (``python-axolotl==0.2.3`` with ``python-axolotl-curve25519``) and
speaks the adapter protocol through the bundled host library. It offers ``signal`` (X3DH, the
Double Ratchet and the version-3 wire format) and ``signal-group`` (sender keys) with every random
value injected; python-axolotl has no safety-number generator (``IdentityKey.get_fingerprint``
raises "IMPL ME"), so ``signal-fingerprint`` is not offered.

State is opaque bytes and nothing survives between calls:

- a party is a JSON object (sorted keys, hex values) holding python-axolotl's own serialized
  records: the ``IdentityKeyPair``, the registration id, the ``SignedPreKeyRecord`` and
  ``PreKeyRecord`` (by id), the ``SessionRecord`` with the one peer (recipient "peer", device 1)
  and that peer's identity key once it is known;
- a group state is python-axolotl's serialized ``SenderKeyRecord``.

Every handler loads the state into an in-memory store, lets python-axolotl work on it and
serializes the store again. The stores keep serialized records, as a persistent store would:
python-axolotl loads a record, changes it in memory and stores it back only when it is done, so
what it changed without storing is not kept.

Protocol 2 (docs/adapter-protocol.md, "State after a refusal"): a refused ``signal_initiate``,
``signal_decrypt`` or ``signal_group_decrypt`` carries the store serialized after the exception,
i.e. what python-axolotl stored (or did not) on the way. Notably ``SessionBuilder.process`` saves
the sender's identity key before the embedded message of a pre-key message is decrypted, so a
forged pre-key message pins its identity key even though it is refused; that now shows.

Library exceptions: only python-axolotl's own exception classes (``_LIBRARY_ERRORS``) become
refusals. Anything else escaping the library (``TypeError`` on an empty message, protobuf's
``DecodeError`` leaking out of ``WhisperMessage``, which wraps neither it nor struct errors, a
``ValueError`` from the PKCS#7 unpadding that ``SessionCipher`` does not wrap) propagates and is
answered as an internal error: a crash on malformed input is a finding, not a refusal.

Randomness: python-axolotl draws every random value through ``os.urandom`` inside
``axolotl.ecc.curve`` (private keys: 32 bytes, clamped by ``generatePrivateKey``; signatures: the
64-byte XEdDSA random). That module's ``os`` is replaced by :class:`_Randomness`, which hands out
only the values a handler injected and fails loudly otherwise, so no operation can quietly use the
system's randomness. ``keyhelper``'s generators are never called and are disabled the same way.
"""

from __future__ import annotations

import os

# python-axolotl's generated _pb2 modules predate protobuf 4's descriptor checks; the pure-Python
# implementation still accepts them, and it must be chosen before google.protobuf is imported.
os.environ["PROTOCOL_BUFFERS_PYTHON_IMPLEMENTATION"] = "python"

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib.metadata import version
from typing import Any, NoReturn

import axolotl.ecc.curve as _curve_module  # type: ignore[import-not-found,unused-ignore]
import axolotl.util.keyhelper as _keyhelper_module  # type: ignore[import-not-found,unused-ignore]
import axolotl_curve25519 as _curve25519  # type: ignore[import-not-found,unused-ignore]
from axolotl.duplicatemessagexception import DuplicateMessageException  # type: ignore[import-not-found,unused-ignore]
from axolotl.ecc.curve import Curve  # type: ignore[import-not-found,unused-ignore]
from axolotl.ecc.djbec import DjbECPrivateKey, DjbECPublicKey  # type: ignore[import-not-found,unused-ignore]
from axolotl.ecc.eckeypair import ECKeyPair  # type: ignore[import-not-found,unused-ignore]
from axolotl.groups.groupcipher import GroupCipher  # type: ignore[import-not-found,unused-ignore]
from axolotl.groups.state.senderkeyrecord import SenderKeyRecord  # type: ignore[import-not-found,unused-ignore]
from axolotl.identitykey import IdentityKey  # type: ignore[import-not-found,unused-ignore]
from axolotl.identitykeypair import IdentityKeyPair  # type: ignore[import-not-found,unused-ignore]
from axolotl.invalidkeyexception import InvalidKeyException  # type: ignore[import-not-found,unused-ignore]
from axolotl.invalidkeyidexception import InvalidKeyIdException  # type: ignore[import-not-found,unused-ignore]
from axolotl.invalidmessageexception import InvalidMessageException  # type: ignore[import-not-found,unused-ignore]
from axolotl.invalidversionexception import InvalidVersionException  # type: ignore[import-not-found,unused-ignore]
from axolotl.legacymessageexception import LegacyMessageException  # type: ignore[import-not-found,unused-ignore]
from axolotl.nosessionexception import NoSessionException  # type: ignore[import-not-found,unused-ignore]
from axolotl.protocol.prekeywhispermessage import PreKeyWhisperMessage  # type: ignore[import-not-found,unused-ignore]
from axolotl.protocol.senderkeydistributionmessage import (  # type: ignore[import-not-found,unused-ignore]
    SenderKeyDistributionMessage,
)
from axolotl.protocol.whispermessage import WhisperMessage  # type: ignore[import-not-found,unused-ignore]
from axolotl.sessionbuilder import SessionBuilder  # type: ignore[import-not-found,unused-ignore]
from axolotl.sessioncipher import SessionCipher  # type: ignore[import-not-found,unused-ignore]
from axolotl.state.prekeybundle import PreKeyBundle  # type: ignore[import-not-found,unused-ignore]
from axolotl.state.prekeyrecord import PreKeyRecord  # type: ignore[import-not-found,unused-ignore]
from axolotl.state.sessionrecord import SessionRecord  # type: ignore[import-not-found,unused-ignore]
from axolotl.state.signedprekeyrecord import SignedPreKeyRecord  # type: ignore[import-not-found,unused-ignore]
from axolotl.untrustedidentityexception import UntrustedIdentityException  # type: ignore[import-not-found,unused-ignore]
from e2ee_host import Refusal, serve
from google.protobuf.message import DecodeError  # type: ignore[import-untyped,unused-ignore]

_PEER = "peer"
_DEVICE = 1
_KEY = 32
_PUBLIC = 33
_SIGNATURE = 64
_UINT32 = 0xFFFFFFFF
_PREKEY_ID_MAX = 0xFFFFFF  # python-axolotl's Medium.MAX_VALUE: pre-key ids are 24-bit
_STATE_VERSION = 1


class _Randomness:
    """Stands in for the ``os`` module of ``axolotl.ecc.curve``: its only use there is urandom."""

    def __init__(self) -> None:
        self.queue: list[bytes] = []
        self.repeat: bytes | None = None

    def urandom(self, size: int) -> bytes:
        if self.queue:
            value = self.queue.pop(0)
        elif self.repeat is not None:
            value = self.repeat
        else:
            raise RuntimeError(f"python-axolotl drew {size} random bytes that were not injected")
        if len(value) != size:
            # Sizes are checked before the library runs, except for decrypt's ratchet_key,
            # which is only needed when a message brings a new ratchet key.
            raise Refusal("InvalidInput", f"an injected random value must be {size} bytes")
        return value


def _no_randomness(*_args: object, **_kwargs: object) -> NoReturn:
    raise RuntimeError("python-axolotl's keyhelper randomness is not used by this adapter")


class _NoSystemRandom:
    def __init__(self, *_args: object) -> None:
        _no_randomness()


class _KeyhelperOs:
    urandom = staticmethod(_no_randomness)


_RANDOM = _Randomness()
_curve_module.os = _RANDOM
_keyhelper_module.os = _KeyhelperOs
_keyhelper_module.SystemRandom = _NoSystemRandom


@contextmanager
def _injected(*values: bytes, repeat: bytes | None = None, exact: bool = True) -> Iterator[None]:
    """Let python-axolotl draw ``values`` in order (then ``repeat`` any number of times)."""
    _RANDOM.queue = list(values)
    _RANDOM.repeat = repeat
    try:
        yield
        if exact and _RANDOM.queue:
            raise RuntimeError(f"python-axolotl left {len(_RANDOM.queue)} injected values unused")
    finally:
        _RANDOM.queue = []
        _RANDOM.repeat = None


# ---------------------------------------------------------------------------------------------
# Keys and checks


def _size(name: str, value: bytes, size: int, kind: str = "InvalidInput") -> None:
    if len(value) != size:
        raise Refusal(kind, f"{name} must be {size} bytes, not {len(value)}")


def _uint(name: str, value: object, top: int = _UINT32) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= top:
        raise Refusal("InvalidInput", f"{name} must be an integer in 0..{top}")
    return value


def _key_pair(private: bytes) -> ECKeyPair:
    """The key pair of a raw private key, clamped the way python-axolotl stores its own."""
    clamped = _curve25519.generatePrivateKey(private)
    public = _curve25519.generatePublicKey(clamped)
    return ECKeyPair(DjbECPublicKey(public), DjbECPrivateKey(clamped))


def _public(name: str, data: bytes) -> DjbECPublicKey:
    """A 33-byte 0x05-prefixed key. Curve.decodePoint checks only the type byte and silently
    truncates or shortens the rest, so the length is checked here."""
    if len(data) != _PUBLIC or data[0] != Curve.DJB_TYPE:
        raise Refusal("InvalidKey", f"{name} must be 33 bytes starting with 0x05")
    return DjbECPublicKey(bytes(data[1:]))


def _check_point(name: str, key: Any) -> None:
    """A key parsed from a message: python-axolotl accepts a short one and then fails in the
    C extension, so it is screened first."""
    if len(key.getPublicKey()) != _KEY:
        raise Refusal("InvalidMessage", f"{name} in the message is not a 33-byte key")


# ---------------------------------------------------------------------------------------------
# The party: a store python-axolotl works on, loaded from and saved to opaque bytes


class _Party:
    """All four python-axolotl stores for one device and its one peer."""

    def __init__(
        self,
        identity: IdentityKeyPair,
        registration_id: int,
        signed_prekeys: dict[int, bytes],
        prekeys: dict[int, bytes],
        session: bytes,
        peer_identity: bytes,
    ) -> None:
        self.identity = identity
        self.registration_id = registration_id
        self.signed_prekeys = signed_prekeys
        self.prekeys = prekeys
        self.session = session
        self.peer_identity = peer_identity

    @classmethod
    def load(cls, state: bytes) -> _Party:
        try:
            data = json.loads(state)
            if data["v"] != _STATE_VERSION:
                raise ValueError("unknown state version")
            return cls(
                IdentityKeyPair(serialized=bytes.fromhex(data["identity"])),
                int(data["registration_id"]),
                {int(k): bytes.fromhex(v) for k, v in data["signed_prekeys"].items()},
                {int(k): bytes.fromhex(v) for k, v in data["prekeys"].items()},
                bytes.fromhex(data["session"]),
                bytes.fromhex(data["peer_identity"]),
            )
        except (ValueError, KeyError, TypeError, AttributeError, DecodeError) as exc:
            raise Refusal("InvalidInput", f"not a party state of this adapter: {exc}") from None

    def dump(self) -> bytes:
        data = {
            "v": _STATE_VERSION,
            "identity": self.identity.serialize().hex(),
            "registration_id": self.registration_id,
            "signed_prekeys": {str(k): v.hex() for k, v in sorted(self.signed_prekeys.items())},
            "prekeys": {str(k): v.hex() for k, v in sorted(self.prekeys.items())},
            "session": self.session.hex(),
            "peer_identity": self.peer_identity.hex(),
        }
        return json.dumps(data, sort_keys=True, separators=(",", ":")).encode("ascii")

    # IdentityKeyStore: trust on first use, one peer.
    def getIdentityKeyPair(self) -> IdentityKeyPair:
        return self.identity

    def getLocalRegistrationId(self) -> int:
        return self.registration_id

    def saveIdentity(self, recipientId: str, identityKey: IdentityKey) -> None:
        self.peer_identity = identityKey.serialize()

    def isTrustedIdentity(self, recipientId: str, identityKey: IdentityKey) -> bool:
        return not self.peer_identity or self.peer_identity == identityKey.serialize()

    # PreKeyStore
    def loadPreKey(self, preKeyId: int) -> PreKeyRecord:
        if preKeyId not in self.prekeys:
            raise InvalidKeyIdException(f"no pre-key with id {preKeyId}")
        return PreKeyRecord(serialized=self.prekeys[preKeyId])

    def storePreKey(self, preKeyId: int, preKeyRecord: PreKeyRecord) -> None:
        self.prekeys[preKeyId] = preKeyRecord.serialize()

    def containsPreKey(self, preKeyId: int) -> bool:
        return preKeyId in self.prekeys

    def removePreKey(self, preKeyId: int) -> None:
        self.prekeys.pop(preKeyId, None)

    # SignedPreKeyStore
    def loadSignedPreKey(self, signedPreKeyId: int) -> SignedPreKeyRecord:
        if signedPreKeyId not in self.signed_prekeys:
            raise InvalidKeyIdException(f"no signed pre-key with id {signedPreKeyId}")
        return SignedPreKeyRecord(serialized=self.signed_prekeys[signedPreKeyId])

    def loadSignedPreKeys(self) -> list[SignedPreKeyRecord]:
        return [SignedPreKeyRecord(serialized=v) for _, v in sorted(self.signed_prekeys.items())]

    def storeSignedPreKey(self, signedPreKeyId: int, record: SignedPreKeyRecord) -> None:
        self.signed_prekeys[signedPreKeyId] = record.serialize()

    def containsSignedPreKey(self, signedPreKeyId: int) -> bool:
        return signedPreKeyId in self.signed_prekeys

    def removeSignedPreKey(self, signedPreKeyId: int) -> None:
        self.signed_prekeys.pop(signedPreKeyId, None)

    # SessionStore: the one peer of the scenario.
    def loadSession(self, recipientId: str, deviceId: int) -> SessionRecord:
        if self.session:
            return SessionRecord(serialized=self.session)
        return SessionRecord()

    def storeSession(self, recipientId: str, deviceId: int, sessionRecord: SessionRecord) -> None:
        self.session = sessionRecord.serialize()

    def containsSession(self, recipientId: str, deviceId: int) -> bool:
        return bool(self.session)

    def getSubDeviceSessions(self, recipientId: str) -> list[int]:
        return [_DEVICE] if self.session else []

    def deleteSession(self, recipientId: str, deviceId: int) -> None:
        self.session = b""

    def deleteAllSessions(self, recipientId: str) -> None:
        self.session = b""

    def builder(self) -> SessionBuilder:
        return SessionBuilder(self, self, self, self, _PEER, _DEVICE)

    def cipher(self) -> SessionCipher:
        return SessionCipher(self, self, self, self, _PEER, _DEVICE)


@contextmanager
def _state_after(export: Callable[[], bytes]) -> Iterator[None]:
    """A refusal raised inside carries ``export()``: the store serialized after the attempt."""
    try:
        yield
    except Refusal as exc:
        if exc.state is None:
            exc.state = export()
        raise


def _type_name(exc: BaseException) -> str:
    """The class name of ``exc`` (``type`` is a parameter name of signal_decrypt)."""
    return exc.__class__.__name__


def _refuse_exception(exc: Exception) -> NoReturn:
    """python-axolotl's exceptions as neutral kinds (raised from ``exc``'s handler)."""
    text = str(exc)
    if isinstance(exc, DuplicateMessageException):
        raise Refusal("DuplicateMessage", text) from None
    if isinstance(exc, InvalidMessageException):
        # One class for everything: a bad MAC ("Bad Mac!", possibly after "No valid sessions"
        # when the record's archived states were tried too) and a bad sender-key signature are
        # told apart by their text.
        if "Bad Mac" in text:
            raise Refusal("AuthenticationFailed", text) from None
        if "Invalid signature" in text:
            raise Refusal("InvalidSignature", text) from None
        raise Refusal("InvalidMessage", text) from None
    if isinstance(exc, (LegacyMessageException, InvalidVersionException)):
        raise Refusal("InvalidMessage", f"{_type_name(exc)}: {text}") from None
    if isinstance(exc, NoSessionException):
        raise Refusal("InvalidMessage", f"no session: {text}") from None
    if isinstance(exc, (InvalidKeyIdException, InvalidKeyException, UntrustedIdentityException)):
        raise Refusal("InvalidKey", f"{_type_name(exc)}: {text}") from None
    raise exc


#: python-axolotl's own exception classes: its deliberate rejections of bad input.
_LIBRARY_ERRORS = (
    DuplicateMessageException,
    InvalidMessageException,
    LegacyMessageException,
    InvalidVersionException,
    NoSessionException,
    InvalidKeyIdException,
    InvalidKeyException,
    UntrustedIdentityException,
)


# ---------------------------------------------------------------------------------------------
# signal


def signal_party(
    identity_private: bytes,
    registration_id: int,
    signed_prekey_id: int,
    signed_prekey_private: bytes,
    signature_random: bytes,
    prekey_id: int,
    prekey_private: bytes,
) -> bytes:
    _size("identity_private", identity_private, _KEY)
    _size("signed_prekey_private", signed_prekey_private, _KEY)
    _size("signature_random", signature_random, _SIGNATURE)
    _uint("registration_id", registration_id)
    _uint("signed_prekey_id", signed_prekey_id)
    _uint("prekey_id", prekey_id, _PREKEY_ID_MAX)
    identity = _key_pair(identity_private)
    identity_pair = IdentityKeyPair(IdentityKey(identity.getPublicKey()), identity.getPrivateKey())
    signed = _key_pair(signed_prekey_private)
    # What Curve.calculateSignature does, with the random given instead of os.urandom(64).
    signature = _curve25519.calculateSignature(
        signature_random,
        identity.getPrivateKey().getPrivateKey(),
        signed.getPublicKey().serialize(),
    )
    # The timestamp is fixed so that equal inputs give equal states.
    record = SignedPreKeyRecord(signed_prekey_id, 0, signed, signature)
    prekeys: dict[int, bytes] = {}
    if prekey_private:
        _size("prekey_private", prekey_private, _KEY)
        prekeys[prekey_id] = PreKeyRecord(prekey_id, _key_pair(prekey_private)).serialize()
    party = _Party(
        identity_pair,
        registration_id,
        {signed_prekey_id: record.serialize()},
        prekeys,
        b"",
        b"",
    )
    return party.dump()


def signal_bundle(party: bytes) -> dict[str, object]:
    me = _Party.load(party)
    spk_id, spk_bytes = next(iter(sorted(me.signed_prekeys.items())))
    spk = SignedPreKeyRecord(serialized=spk_bytes)
    prekey_id, prekey = 0, b""
    if me.prekeys:
        prekey_id, prekey_bytes = next(iter(sorted(me.prekeys.items())))
        prekey = PreKeyRecord(serialized=prekey_bytes).getKeyPair().getPublicKey().serialize()
    return {
        "registration_id": me.registration_id,
        "identity_key": me.identity.getPublicKey().serialize(),
        "signed_prekey_id": spk_id,
        "signed_prekey": spk.getKeyPair().getPublicKey().serialize(),
        "signed_prekey_signature": bytes(spk.getSignature()),
        "prekey_id": prekey_id,
        "prekey": prekey,
    }


def signal_initiate(
    party: bytes,
    registration_id: int,
    identity_key: bytes,
    signed_prekey_id: int,
    signed_prekey: bytes,
    signed_prekey_signature: bytes,
    prekey_id: int,
    prekey: bytes,
    base_key: bytes,
    ratchet_key: bytes,
) -> bytes:
    me = _Party.load(party)
    with _state_after(me.dump):
        _uint("registration_id", registration_id)
        _uint("signed_prekey_id", signed_prekey_id)
        _size("base_key", base_key, _KEY)
        _size("ratchet_key", ratchet_key, _KEY)
        their_identity = IdentityKey(_public("identity_key", identity_key))
        their_signed = _public("signed_prekey", signed_prekey)
        # The C extension raises ValueError for any other length; it cannot be a valid signature.
        _size("signed_prekey_signature", signed_prekey_signature, _SIGNATURE, "InvalidSignature")
        their_prekey = None
        their_prekey_id = None
        if prekey:
            their_prekey = _public("prekey", prekey)
            their_prekey_id = _uint("prekey_id", prekey_id, _PREKEY_ID_MAX)
        bundle = PreKeyBundle(
            registration_id,
            _DEVICE,
            their_prekey_id,
            their_prekey,
            signed_prekey_id,
            their_signed,
            bytes(signed_prekey_signature),
            their_identity,
        )
        try:
            # processPreKeyBundle draws the base key, then initializeSessionAsAlice draws the
            # first sending ratchet key (checked against X25519(base_key) in the message).
            with _injected(base_key, ratchet_key):
                me.builder().processPreKeyBundle(bundle)
        except InvalidKeyException as exc:
            if "signature" in str(exc).lower():
                raise Refusal("InvalidSignature", str(exc)) from None
            _refuse_exception(exc)
        except _LIBRARY_ERRORS as exc:
            _refuse_exception(exc)
    return me.dump()


def signal_encrypt(party: bytes, plaintext: bytes) -> dict[str, object]:
    me = _Party.load(party)
    if not me.session:
        raise Refusal("InvalidInput", "no session with the peer")
    record = SessionRecord(serialized=me.session)
    if not record.getSessionState().hasSenderChain():
        # python-axolotl would encrypt under an empty chain key rather than refuse.
        raise Refusal("InvalidInput", "the session has no sending chain")
    with _injected():
        message = me.cipher().encrypt(bytes(plaintext))
    return {"party": me.dump(), "type": message.getType(), "message": message.serialize()}


def _parse_whisper(message: bytes) -> WhisperMessage:
    try:
        parsed = WhisperMessage(serialized=bytes(message))
    except _LIBRARY_ERRORS as exc:
        _refuse_exception(exc)
    _check_point("ratchet key", parsed.getSenderRatchetKey())
    return parsed


def _parse_prekey(message: bytes) -> PreKeyWhisperMessage:
    try:
        parsed = PreKeyWhisperMessage(serialized=bytes(message))
    except _LIBRARY_ERRORS as exc:
        _refuse_exception(exc)
    _check_point("base key", parsed.getBaseKey())
    _check_point("identity key", parsed.getIdentityKey().getPublicKey())
    _check_point("ratchet key", parsed.getWhisperMessage().getSenderRatchetKey())
    return parsed


def signal_decrypt(
    party: bytes, type: int, message: bytes, ratchet_key: bytes
) -> dict[str, object]:
    me = _Party.load(party)
    with _state_after(me.dump):
        if isinstance(type, bool) or type not in (2, 3):
            raise Refusal("InvalidInput", f"message type must be 2 or 3, not {type!r}")
        try:
            # A new ratchet key makes python-axolotl draw our next sending ratchet key (before
            # the MAC is checked, once per session state it tries): every draw gets ratchet_key.
            with _injected(repeat=ratchet_key, exact=False):
                if type == 3:
                    plaintext = me.cipher().decryptPkmsg(_parse_prekey(message))
                else:
                    plaintext = me.cipher().decryptMsg(_parse_whisper(message))
        except _LIBRARY_ERRORS as exc:
            _refuse_exception(exc)
    return {"party": me.dump(), "plaintext": bytes(plaintext)}


# ---------------------------------------------------------------------------------------------
# signal-group


class _SenderKeyStore:
    """The one sender-key record of a group state, kept serialized as a persistent store keeps
    it: what GroupCipher changes in a loaded record without storing it is not kept."""

    def __init__(self, state: bytes) -> None:
        self.state = state

    @property
    def record(self) -> SenderKeyRecord:
        return SenderKeyRecord(serialized=self.state)

    def loadSenderKey(self, senderKeyName: object) -> SenderKeyRecord:
        return self.record

    def storeSenderKey(self, senderKeyName: object, record: SenderKeyRecord) -> None:
        self.state = bytes(record.serialize())

    def dump(self) -> bytes:
        return self.state


def _group(state: bytes) -> _SenderKeyStore:
    try:
        record = SenderKeyRecord(serialized=bytes(state))
    except Exception as exc:  # the adapter's own check of its state, not a verdict on input
        raise Refusal("InvalidInput", f"not a group state: {_type_name(exc)}") from None
    if record.isEmpty():
        raise Refusal("InvalidInput", "empty group state")
    return _SenderKeyStore(bytes(state))


def signal_group_create(
    key_id: int, iteration: int, chain_key: bytes, signing_private: bytes
) -> dict[str, object]:
    _uint("key_id", key_id)
    _uint("iteration", iteration)
    _size("chain_key", chain_key, _KEY)
    _size("signing_private", signing_private, _KEY)
    signing = _key_pair(signing_private)
    record = SenderKeyRecord()
    # GroupSessionBuilder.create with our values in place of KeyHelper's random ones.
    record.setSenderKeyState(key_id, iteration, bytes(chain_key), signing)
    state = record.getSenderKeyState()
    distribution = SenderKeyDistributionMessage(
        state.getKeyId(),
        state.getSenderChainKey().getIteration(),
        bytes(state.getSenderChainKey().getSeed()),
        state.getSigningKeyPublic(),
    )
    return {"state": record.serialize(), "distribution": distribution.serialize()}


def signal_group_join(distribution: bytes) -> bytes:
    try:
        message = SenderKeyDistributionMessage(serialized=bytes(distribution))
    except _LIBRARY_ERRORS as exc:
        _refuse_exception(exc)
    _check_point("signing key", message.getSignatureKey())
    record = SenderKeyRecord()
    # GroupSessionBuilder.process on an empty record.
    record.addSenderKeyState(
        message.getId(),
        message.getIteration(),
        bytes(message.getChainKey()),
        message.getSignatureKey(),
    )
    return bytes(record.serialize())


def signal_group_encrypt(
    state: bytes, plaintext: bytes, signature_random: bytes
) -> dict[str, object]:
    store = _group(state)
    _size("signature_random", signature_random, _SIGNATURE)
    if not store.record.getSenderKeyState().getStructure().senderSigningKey.private:
        raise Refusal("InvalidInput", "a joined group state cannot send (no signing key)")
    try:
        with _injected(signature_random):
            message = GroupCipher(store, None).encrypt(bytes(plaintext))
    except _LIBRARY_ERRORS as exc:
        _refuse_exception(exc)
    return {"state": store.dump(), "message": bytes(message)}


def signal_group_decrypt(state: bytes, message: bytes) -> dict[str, object]:
    store = _group(state)
    with _state_after(store.dump):
        try:
            with _injected():
                plaintext = GroupCipher(store, None).decrypt(bytes(message))
        except _LIBRARY_ERRORS as exc:
            _refuse_exception(exc)
    return {"state": store.dump(), "plaintext": bytes(plaintext)}


CAPABILITIES = ["signal", "signal:fixed-randomness", "signal-group"]

HANDLERS = {
    "signal.signal_party": signal_party,
    "signal.signal_bundle": signal_bundle,
    "signal.signal_initiate": signal_initiate,
    "signal.signal_encrypt": signal_encrypt,
    "signal.signal_decrypt": signal_decrypt,
    "signal-group.signal_group_create": signal_group_create,
    "signal-group.signal_group_join": signal_group_join,
    "signal-group.signal_group_encrypt": signal_group_encrypt,
    "signal-group.signal_group_decrypt": signal_group_decrypt,
}


if __name__ == "__main__":
    serve(
        {
            "name": "python-axolotl",
            "implementation": "python-axolotl (classic libsignal-protocol-java port)",
            "version": (
                f"python-axolotl {version('python-axolotl')}, "
                f"python-axolotl-curve25519 {version('python-axolotl-curve25519')}, "
                f"protobuf {version('protobuf')} (pure Python)"
            ),
            "capabilities": CAPABILITIES,
        },
        HANDLERS,
    )
