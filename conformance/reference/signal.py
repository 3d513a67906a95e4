"""The suite's reference classic Signal protocol: X3DH, the Double Ratchet and version-3 sessions.

Written from the Signal X3DH spec (§2.2 parameters, §3.3 sending the initial message, §3.4
receiving it), the Double Ratchet spec (§3.2-§3.5 the ratchets, §5.2 the recommended KDFs and
ENCRYPT) and, where both are silent, the libsignal behaviour recorded in protocols.md section 1
(``ratchet.rs``, ``ratchet/keys.rs``, ``session.rs``, ``session_cipher.rs``,
``double_ratchet.rs``, ``protocol.rs``, ``consts.rs``) as libsignal-protocol-java and
python-axolotl implemented it for message version 3:

* X3DH (protocols.md 1.2, legacy version 3): IKM = 32 x 0xFF || DH1 || DH2 || DH3 [|| DH4],
  HKDF-SHA-256 with a zero salt and info ``WhisperText``, 64 bytes = root key || chain key.
  Bob's first ratchet key is his signed pre-key; Alice keeps the handshake chain as the
  receiving chain for it and ratchets at once with her first sending ratchet key.
* KDF_RK: HKDF(salt = root key, ikm = DH, info ``WhisperRatchet``, 64); KDF_CK: HMAC(ck, 0x01)
  is the message key seed, HMAC(ck, 0x02) the next chain key; message keys HKDF(zero salt, seed,
  ``WhisperMessageKeys``, 80) = cipher key || MAC key || IV (protocols.md 1.3).
* AES-256-CBC/PKCS#7 and an 8-byte HMAC-SHA-256 over sender identity (33) || receiver identity
  (33) || version || protobuf (protocols.md 1.4), checked before the ciphertext is touched.
* Limits of ``consts.rs`` (protocols.md 1.5): a counter more than 25 000 ahead is refused before
  any key is derived, 2000 skipped keys per receiver chain (oldest dropped), 5 receiver chains
  (oldest dropped), 40 archived session states.
* Alice sends PreKeySignalMessages until she has decrypted a message from Bob. A
  PreKeySignalMessage whose base key matches a stored session is decrypted on it (protocols.md
  1.10); otherwise Bob builds a new session (the old one is archived) and removes the one-time
  pre-key once the message decrypts. Identities are trusted on first use.
* A failed operation changes nothing: every operation works on a decoded copy of the state.
"""

from __future__ import annotations

import copy
import hmac as _constant_time
from dataclasses import dataclass, field
from typing import Any

from ..capabilities.signal import SignalBundle, SignalDecrypted, SignalEncrypted
from ..errors import (
    AuthenticationFailed,
    DuplicateMessage,
    InvalidInput,
    InvalidKey,
    InvalidMessage,
    InvalidSignature,
    ProtocolError,
)
from . import signal_wire as wire
from .cbc_hmac import MessageKeys, derive_keys
from .primitives import Primitives
from .state import dump_state, from_hex, load_state, state_after
from .xeddsa import xeddsa_sign, xeddsa_verify

__all__ = [
    "DISCONTINUITY",
    "SignalLimits",
    "SignalReference",
    "SkippedKey",
    "X3dhReference",
]

#: Signal X3DH §2.2: F = 32 0xFF bytes for X25519 ("discontinuity bytes" in libsignal).
DISCONTINUITY = b"\xff" * 32
X3DH_INFO = b"WhisperText"
RATCHET_INFO = b"WhisperRatchet"
MESSAGE_KEYS_INFO = b"WhisperMessageKeys"
#: Double Ratchet spec §5.2 KDF_CK constants (libsignal ``ratchet/keys.rs``).
MESSAGE_KEY_SEED = b"\x01"
CHAIN_KEY_SEED = b"\x02"
#: CiphertextMessageType (protocols.md 1.6).
WHISPER_TYPE = 2
PREKEY_TYPE = 3


@dataclass(frozen=True)
class SignalLimits:
    """libsignal ``consts.rs`` (protocols.md 1.5)."""

    max_forward_jumps: int = 25_000
    max_message_keys: int = 2000
    max_receiver_chains: int = 5
    archived_states_max_length: int = 40


@dataclass(frozen=True)
class KeyPair:
    private: bytes
    public: bytes  # the 32-byte u-coordinate


@dataclass(frozen=True)
class SkippedKey:
    """A message key kept for a message of a receiver chain not yet received: its counter and
    the message key seed HMAC(CK, 0x01) it is derived from."""

    index: int
    seed: bytes


@dataclass
class _Chain:
    key: bytes
    index: int


@dataclass
class _Receiver:
    ratchet_key: bytes
    chain: _Chain
    skipped: list[SkippedKey] = field(default_factory=list)  # oldest first


@dataclass
class _Sender:
    ratchet: KeyPair
    chain: _Chain


@dataclass
class _Pending:
    """What Alice repeats in every PreKeySignalMessage until Bob answers."""

    prekey_id: int | None
    signed_prekey_id: int
    base_key: bytes


@dataclass
class _Session:
    local_identity: bytes
    remote_identity: bytes
    local_registration_id: int
    remote_registration_id: int
    alice_base_key: bytes
    root_key: bytes
    sender: _Sender
    previous_counter: int
    receivers: list[_Receiver]  # oldest first
    pending: _Pending | None


@dataclass
class _PreKey:
    id: int
    pair: KeyPair


@dataclass
class _Party:
    identity: KeyPair
    registration_id: int
    signed_prekey: _PreKey
    signed_prekey_signature: bytes
    prekeys: list[_PreKey]
    trusted_identity: bytes | None
    sessions: list[_Session]  # the current session first, then the archived ones


# --- state encoding --------------------------------------------------------------------------


def _pair_json(p: KeyPair) -> list[str]:
    return [p.private.hex(), p.public.hex()]


def _pair(value: Any) -> KeyPair:
    if not isinstance(value, list) or len(value) != 2:
        raise InvalidInput("malformed key pair in state")
    return KeyPair(from_hex(value[0]), from_hex(value[1]))


def _int(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidInput("malformed integer in state")
    return value


def _chain_json(c: _Chain) -> list[Any]:
    return [c.key.hex(), c.index]


def _chain(value: Any) -> _Chain:
    if not isinstance(value, list) or len(value) != 2:
        raise InvalidInput("malformed chain in state")
    return _Chain(from_hex(value[0]), _int(value[1]))


def _session_json(s: _Session) -> dict[str, Any]:
    return {
        "local_identity": s.local_identity.hex(),
        "remote_identity": s.remote_identity.hex(),
        "local_registration_id": s.local_registration_id,
        "remote_registration_id": s.remote_registration_id,
        "alice_base_key": s.alice_base_key.hex(),
        "root_key": s.root_key.hex(),
        "sender": [_pair_json(s.sender.ratchet), _chain_json(s.sender.chain)],
        "previous_counter": s.previous_counter,
        "receivers": [
            [
                r.ratchet_key.hex(),
                _chain_json(r.chain),
                [[k.index, k.seed.hex()] for k in r.skipped],
            ]
            for r in s.receivers
        ],
        "pending": None
        if s.pending is None
        else [s.pending.prekey_id, s.pending.signed_prekey_id, s.pending.base_key.hex()],
    }


def _session(doc: Any) -> _Session:
    pending = doc["pending"]
    return _Session(
        local_identity=from_hex(doc["local_identity"]),
        remote_identity=from_hex(doc["remote_identity"]),
        local_registration_id=_int(doc["local_registration_id"]),
        remote_registration_id=_int(doc["remote_registration_id"]),
        alice_base_key=from_hex(doc["alice_base_key"]),
        root_key=from_hex(doc["root_key"]),
        sender=_Sender(_pair(doc["sender"][0]), _chain(doc["sender"][1])),
        previous_counter=_int(doc["previous_counter"]),
        receivers=[
            _Receiver(from_hex(k), _chain(c), [SkippedKey(_int(i), from_hex(v)) for i, v in sk])
            for k, c, sk in doc["receivers"]
        ],
        pending=None
        if pending is None
        else _Pending(
            None if pending[0] is None else _int(pending[0]), _int(pending[1]), from_hex(pending[2])
        ),
    )


def _dump_party(p: _Party) -> bytes:
    return dump_state(
        "signal-party",
        {
            "identity": _pair_json(p.identity),
            "registration_id": p.registration_id,
            "signed_prekey": [p.signed_prekey.id, _pair_json(p.signed_prekey.pair)],
            "signed_prekey_signature": p.signed_prekey_signature.hex(),
            "prekeys": [[k.id, _pair_json(k.pair)] for k in p.prekeys],
            "trusted_identity": None if p.trusted_identity is None else p.trusted_identity.hex(),
            "sessions": [_session_json(s) for s in p.sessions],
        },
    )


def _load_party(data: bytes) -> _Party:
    doc = load_state(data, "signal-party")
    try:
        trusted = doc["trusted_identity"]
        return _Party(
            identity=_pair(doc["identity"]),
            registration_id=_int(doc["registration_id"]),
            signed_prekey=_PreKey(_int(doc["signed_prekey"][0]), _pair(doc["signed_prekey"][1])),
            signed_prekey_signature=from_hex(doc["signed_prekey_signature"]),
            prekeys=[_PreKey(_int(i), _pair(k)) for i, k in doc["prekeys"]],
            trusted_identity=None if trusted is None else from_hex(trusted),
            sessions=[_session(s) for s in doc["sessions"]],
        )
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise InvalidInput("malformed signal-party state") from exc


def _key32(value: bytes, what: str) -> bytes:
    if len(value) != 32:
        raise InvalidKey(f"{what} is {len(value)} bytes instead of 32")
    return value


def _id32(value: int, what: str) -> int:
    if not 0 <= value < 1 << 32:
        raise InvalidInput(f"{what} does not fit a uint32")
    return value


# --- X3DH ------------------------------------------------------------------------------------


class _X3dhCore:
    """The X3DH secret and its KDF, shared by :class:`SignalReference` and
    :class:`X3dhReference`."""

    p: Primitives

    def x3dh_secret(self, dh1: bytes, dh2: bytes, dh3: bytes, dh4: bytes | None) -> bytes:
        """Signal X3DH §3.3: the HKDF input F || DH1 || DH2 || DH3 [|| DH4] (§2.2 F = 32 x
        0xFF). Hook: a broken variant may leave a DH out (both sides call this)."""
        return DISCONTINUITY + dh1 + dh2 + dh3 + (dh4 if dh4 is not None else b"")

    def x3dh_kdf(self, secret: bytes, length: int) -> bytes:
        """Signal X3DH §2.2 KDF: HKDF-SHA-256 with a zero salt and info "WhisperText"
        (libsignal ``ratchet.rs`` ``derive_keys``: 64 bytes = root key || chain key)."""
        return self.p.hkdf.hkdf_sha256(secret, b"", X3DH_INFO, length)

    def _initiator_secret(
        self,
        identity_private: bytes,
        ephemeral_private: bytes,
        identity_key: bytes,
        signed_prekey: bytes,
        prekey: bytes | None,
    ) -> bytes:
        """Signal X3DH §3.3: DH1 = DH(IK_A, SPK_B), DH2 = DH(EK_A, IK_B), DH3 = DH(EK_A,
        SPK_B), DH4 = DH(EK_A, OPK_B)."""
        return self.x3dh_secret(
            self.p.ecdh(identity_private, signed_prekey),
            self.p.ecdh(ephemeral_private, identity_key),
            self.p.ecdh(ephemeral_private, signed_prekey),
            None if prekey is None else self.p.ecdh(ephemeral_private, prekey),
        )

    def _responder_secret(
        self,
        identity_private: bytes,
        signed_prekey_private: bytes,
        prekey_private: bytes | None,
        identity_key: bytes,
        ephemeral_key: bytes,
    ) -> bytes:
        """Signal X3DH §3.4: the same DHs from Bob's private keys."""
        return self.x3dh_secret(
            self.p.ecdh(signed_prekey_private, identity_key),
            self.p.ecdh(identity_private, ephemeral_key),
            self.p.ecdh(signed_prekey_private, ephemeral_key),
            None if prekey_private is None else self.p.ecdh(prekey_private, ephemeral_key),
        )


class X3dhReference(_X3dhCore):
    """The ``x3dh`` capability: SK = the first 32 bytes of the X3DH KDF output, which is the
    session's initial root key (HKDF's output is a prefix of the longer output)."""

    def __init__(self, primitives: Primitives) -> None:
        self.p = primitives

    def x3dh_initiate(
        self,
        identity_private: bytes,
        ephemeral_private: bytes,
        identity_key: bytes,
        signed_prekey: bytes,
        prekey: bytes,
    ) -> bytes:
        """Signal X3DH §3.3, Alice's SK."""
        secret = self._initiator_secret(
            _key32(identity_private, "the identity private key"),
            _key32(ephemeral_private, "the ephemeral private key"),
            _key32(identity_key, "the identity key"),
            _key32(signed_prekey, "the signed pre-key"),
            _key32(prekey, "the one-time pre-key") if prekey else None,
        )
        return self.x3dh_kdf(secret, 32)

    def x3dh_respond(
        self,
        identity_private: bytes,
        signed_prekey_private: bytes,
        prekey_private: bytes,
        identity_key: bytes,
        ephemeral_key: bytes,
    ) -> bytes:
        """Signal X3DH §3.4, Bob's SK."""
        secret = self._responder_secret(
            _key32(identity_private, "the identity private key"),
            _key32(signed_prekey_private, "the signed pre-key private key"),
            _key32(prekey_private, "the one-time pre-key private key") if prekey_private else None,
            _key32(identity_key, "the identity key"),
            _key32(ephemeral_key, "the ephemeral key"),
        )
        return self.x3dh_kdf(secret, 32)


# --- the reference ---------------------------------------------------------------------------


class SignalReference(_X3dhCore):
    """The reference implementation of the ``signal`` capability (and
    ``signal:fixed-randomness``: every random value is the one passed in).

    Hooks a test may override, one small method each, to build a deliberately broken variant:

    * :meth:`verify_mac` - the truncated MAC comparison (protocols.md 1.4).
    * :meth:`mac_input` - what the MAC covers: sender identity || receiver identity || body (a
      variant may leave the identities out, the unknown key-share of protocols.md 5 #13).
    * :meth:`consume_message_key` - called with every skipped key that decrypted a message, to
      forget it; a variant that keeps it accepts replays.
    * :meth:`x3dh_secret` - the X3DH input key material (a variant may leave DH3 out).
    """

    def __init__(self, primitives: Primitives, limits: SignalLimits | None = None) -> None:
        self.p = primitives
        self.limits = limits if limits is not None else SignalLimits()

    # --- hooks -------------------------------------------------------------------------------

    def mac_input(self, sender_identity: bytes, receiver_identity: bytes, body: bytes) -> bytes:
        """libsignal ``protocol.rs`` ``compute_mac``: the 33-byte serialized identity keys of
        sender and receiver, then the version byte and protobuf."""
        return (
            wire.encode_public_key(sender_identity)
            + wire.encode_public_key(receiver_identity)
            + body
        )

    def compute_mac(self, mac_key: bytes, data: bytes) -> bytes:
        """HMAC-SHA-256 truncated to 8 bytes (protocols.md 1.4, MAC_LENGTH)."""
        return self.p.hmac.hmac_sha256(mac_key, data)[: wire.MAC_LENGTH]

    def verify_mac(self, mac_key: bytes, data: bytes, mac: bytes) -> None:
        """Constant-time comparison of the 8-byte MAC (protocols.md 1.4)."""
        if not _constant_time.compare_digest(self.compute_mac(mac_key, data), mac):
            raise AuthenticationFailed("SignalMessage MAC mismatch")

    def consume_message_key(self, skipped: list[SkippedKey], used: SkippedKey) -> list[SkippedKey]:
        """libsignal ``double_ratchet.rs``: a stored key is removed once it has been used."""
        return [k for k in skipped if k.index != used.index]

    # --- key schedule ------------------------------------------------------------------------

    def _pair(self, private: bytes, what: str) -> KeyPair:
        return KeyPair(private, self.p.curve25519_public(_key32(private, what)))

    def _kdf_rk(self, root_key: bytes, ours: bytes, theirs: bytes) -> tuple[bytes, _Chain]:
        """Double Ratchet §5.2 KDF_RK (libsignal ``RootKey::create_chain``)."""
        okm = self.p.hkdf.hkdf_sha256(self.p.ecdh(ours, theirs), root_key, RATCHET_INFO, 64)
        return okm[:32], _Chain(okm[32:], 0)

    def _message_seed(self, chain_key: bytes) -> bytes:
        """Double Ratchet §5.2 KDF_CK, message key part: HMAC(CK, 0x01)."""
        return self.p.hmac.hmac_sha256(chain_key, MESSAGE_KEY_SEED)

    def _next_chain(self, chain: _Chain) -> _Chain:
        """Double Ratchet §5.2 KDF_CK, chain key part: HMAC(CK, 0x02)."""
        return _Chain(self.p.hmac.hmac_sha256(chain.key, CHAIN_KEY_SEED), chain.index + 1)

    def _x3dh_root(self, secret: bytes) -> tuple[bytes, _Chain]:
        okm = self.x3dh_kdf(secret, 64)
        return okm[:32], _Chain(okm[32:], 0)

    # --- parties -----------------------------------------------------------------------------

    def signal_party(
        self,
        identity_private: bytes,
        registration_id: int,
        signed_prekey_id: int,
        signed_prekey_private: bytes,
        signature_random: bytes,
        prekey_id: int,
        prekey_private: bytes,
    ) -> bytes:
        """Signal X3DH §3.2 (publishing keys): the signature is XEdDSA (XEdDSA spec §3) by the
        identity key over the 33-byte serialized signed pre-key (protocols.md 1.1)."""
        identity = self._pair(identity_private, "the identity private key")
        signed = self._pair(signed_prekey_private, "the signed pre-key private key")
        if len(signature_random) != 64:
            raise InvalidInput("the XEdDSA random is 64 bytes")
        signature = xeddsa_sign(
            identity.private, wire.encode_public_key(signed.public), signature_random
        )
        return _dump_party(
            _Party(
                identity=identity,
                registration_id=_id32(registration_id, "the registration id"),
                signed_prekey=_PreKey(_id32(signed_prekey_id, "the signed pre-key id"), signed),
                signed_prekey_signature=signature,
                prekeys=self._one_time_prekeys(prekey_id, prekey_private),
                trusted_identity=None,
                sessions=[],
            )
        )

    def _one_time_prekeys(self, prekey_id: int, prekey_private: bytes) -> list[_PreKey]:
        """A new device's one-time pre-keys: the one given, or none when ``prekey_private``
        is empty."""
        if not prekey_private:
            return []
        return [
            _PreKey(
                _id32(prekey_id, "the pre-key id"),
                self._pair(prekey_private, "the one-time pre-key private key"),
            )
        ]

    def signal_bundle(self, party: bytes) -> SignalBundle:
        """Signal X3DH §3.2: the published pre-key bundle (the first one-time pre-key, if any)."""
        a = _load_party(party)
        prekey = a.prekeys[0] if a.prekeys else None
        return {
            "registration_id": a.registration_id,
            "identity_key": wire.encode_public_key(a.identity.public),
            "signed_prekey_id": a.signed_prekey.id,
            "signed_prekey": wire.encode_public_key(a.signed_prekey.pair.public),
            "signed_prekey_signature": a.signed_prekey_signature,
            "prekey_id": prekey.id if prekey else 0,
            "prekey": wire.encode_public_key(prekey.pair.public) if prekey else b"",
        }

    def _trust(self, a: _Party, identity: bytes) -> None:
        """Trust on first use, as libsignal's in-memory identity store."""
        if a.trusted_identity is not None and a.trusted_identity != identity:
            raise InvalidKey("untrusted identity key")
        a.trusted_identity = identity

    def _store_session(self, a: _Party, s: _Session) -> None:
        """The new session becomes current; the previous ones are archived (session_record.rs
        ``archive_current_state``, at most ARCHIVED_STATES_MAX_LENGTH)."""
        a.sessions.insert(0, s)
        del a.sessions[1 + self.limits.archived_states_max_length :]

    def signal_initiate(
        self,
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
        """Signal X3DH §3.3 and Double Ratchet §3.3 (RatchetInitAlice), as libsignal
        ``ratchet.rs`` ``initialize_alice_session``: the handshake chain is Alice's receiving
        chain for Bob's signed pre-key, and her first sending chain comes from KDF_RK with the
        ``ratchet_key`` at once."""
        committed = _load_party(party)
        # libsignal saves the identity and stores the session only at the end: a copy works.
        a = copy.deepcopy(committed)
        with state_after(lambda: _dump_party(committed)):
            return self._initiate(
                a,
                registration_id,
                identity_key,
                signed_prekey_id,
                signed_prekey,
                signed_prekey_signature,
                prekey_id,
                prekey,
                base_key,
                ratchet_key,
            )

    def _initiate(
        self,
        a: _Party,
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
        their_identity = wire.decode_public_key(identity_key)
        their_signed = wire.decode_public_key(signed_prekey)
        their_prekey = wire.decode_public_key(prekey) if prekey else None
        if not xeddsa_verify(their_identity, signed_prekey, signed_prekey_signature):
            raise InvalidSignature("the signed pre-key signature does not verify")
        self._trust(a, their_identity)
        base = self._pair(base_key, "the base key")
        ratchet = self._pair(ratchet_key, "the ratchet key")
        secret = self._initiator_secret(
            a.identity.private, base.private, their_identity, their_signed, their_prekey
        )
        root, handshake_chain = self._x3dh_root(secret)
        root, sending = self._kdf_rk(root, ratchet.private, their_signed)
        self._store_session(
            a,
            _Session(
                local_identity=a.identity.public,
                remote_identity=their_identity,
                local_registration_id=a.registration_id,
                remote_registration_id=_id32(registration_id, "the registration id"),
                alice_base_key=base.public,
                root_key=root,
                sender=_Sender(ratchet, sending),
                previous_counter=0,
                receivers=[_Receiver(their_signed, handshake_chain)],
                pending=_Pending(
                    _id32(prekey_id, "the pre-key id") if their_prekey is not None else None,
                    _id32(signed_prekey_id, "the signed pre-key id"),
                    base.public,
                ),
            ),
        )
        return _dump_party(a)

    def signal_encrypt(self, party: bytes, plaintext: bytes) -> SignalEncrypted:
        """Double Ratchet §3.4 RatchetEncrypt with §5.2 ENCRYPT, the SignalMessage of
        protocols.md 1.4/1.6, wrapped in a PreKeySignalMessage while Bob has not answered."""
        a = _load_party(party)
        if not a.sessions:
            raise InvalidInput("no session to encrypt with")
        s = a.sessions[0]
        chain = s.sender.chain
        keys = derive_keys(self.p.cbc_hmac, self._message_seed(chain.key), MESSAGE_KEYS_INFO)
        ciphertext = self.p.cbc.aes_256_cbc_encrypt(keys.encryption_key, keys.iv, plaintext, True)
        body = wire.encode_signal_message_body(
            s.sender.ratchet.public, chain.index, s.previous_counter, ciphertext
        )
        message = body + self.compute_mac(
            keys.mac_key, self.mac_input(s.local_identity, s.remote_identity, body)
        )
        s.sender.chain = self._next_chain(chain)
        if s.pending is None:
            return {"party": _dump_party(a), "type": WHISPER_TYPE, "message": message}
        outer = wire.encode_pre_key_signal_message(
            s.local_registration_id,
            s.pending.prekey_id,
            s.pending.signed_prekey_id,
            s.pending.base_key,
            s.local_identity,
            message,
        )
        return {"party": _dump_party(a), "type": PREKEY_TYPE, "message": outer}

    # --- decryption --------------------------------------------------------------------------

    def _store_skipped(self, r: _Receiver, key: SkippedKey) -> None:
        r.skipped.append(key)
        del r.skipped[: max(0, len(r.skipped) - self.limits.max_message_keys)]

    def _decrypt_state(self, s: _Session, msg: wire.SignalMessage, ratchet_key: bytes) -> bytes:
        """Double Ratchet §3.5 RatchetDecrypt on ``s`` (a private copy, changed only by a
        successful decryption), with libsignal's ``consume_message_key`` rules."""
        jumps = self.limits.max_forward_jumps
        receiver = next((r for r in s.receivers if r.ratchet_key == msg.ratchet_key), None)
        if receiver is None:
            if msg.counter > jumps:
                raise InvalidMessage(f"counter {msg.counter} is more than {jumps} ahead")
            # Double Ratchet §3.5 DHRatchet: a receiving chain, then our next sending chain.
            root, receiving = self._kdf_rk(s.root_key, s.sender.ratchet.private, msg.ratchet_key)
            ours = self._pair(ratchet_key, "the ratchet key")
            root, sending = self._kdf_rk(root, ours.private, msg.ratchet_key)
            receiver = _Receiver(msg.ratchet_key, receiving)
            s.receivers.append(receiver)
            del s.receivers[: max(0, len(s.receivers) - self.limits.max_receiver_chains)]
            s.previous_counter = max(s.sender.chain.index - 1, 0)
            s.sender = _Sender(ours, sending)
            s.root_key = root
        if msg.counter < receiver.chain.index:
            found = next((k for k in receiver.skipped if k.index == msg.counter), None)
            if found is None:
                raise DuplicateMessage(f"no message key left for counter {msg.counter}")
            used = found
        else:
            if msg.counter - receiver.chain.index > jumps:
                raise InvalidMessage(f"counter {msg.counter} is more than {jumps} ahead")
            chain = receiver.chain
            while chain.index < msg.counter:
                self._store_skipped(
                    receiver, SkippedKey(chain.index, self._message_seed(chain.key))
                )
                chain = self._next_chain(chain)
            used = SkippedKey(chain.index, self._message_seed(chain.key))
            receiver.chain = self._next_chain(chain)
        keys = self._receive_message_keys(s, msg, used.seed)
        self.verify_mac(
            keys.mac_key, self.mac_input(s.remote_identity, s.local_identity, msg.body), msg.mac
        )
        plaintext = self.p.cbc.aes_256_cbc_decrypt(
            keys.encryption_key, keys.iv, msg.ciphertext, True
        )
        receiver.skipped = self.consume_message_key(receiver.skipped, used)
        s.pending = None
        return plaintext

    def _receive_message_keys(
        self, s: _Session, msg: wire.SignalMessage, seed: bytes
    ) -> MessageKeys:
        """Double Ratchet §5.2 ENCRYPT's keys for a received message from its key seed (the
        triple ratchet of :mod:`.signal_pq` mixes its SPQR key in here, on ``s``, a copy)."""
        return derive_keys(self.p.cbc_hmac, seed, MESSAGE_KEYS_INFO)

    def _decrypt_record(self, a: _Party, msg: wire.SignalMessage, ratchet_key: bytes) -> bytes:
        """libsignal ``session_cipher.rs`` ``decrypt_message_with_record``: the current session,
        then the archived ones (a success promotes that one); a duplicate stops the search; when
        all fail, the current session's error is raised."""
        if not a.sessions:
            raise InvalidMessage("no session for this message")
        first: ProtocolError | None = None
        for i, stored in enumerate(a.sessions):
            s = copy.deepcopy(stored)  # a private copy
            try:
                plaintext = self._decrypt_state(s, msg, ratchet_key)
            except DuplicateMessage:
                raise
            except ProtocolError as exc:
                if first is None:
                    first = exc
                continue
            del a.sessions[i]
            a.sessions.insert(0, s)
            return plaintext
        assert first is not None
        raise first

    def _bob_session(self, a: _Party, pre: wire.PreKeySignalMessage) -> tuple[_Session, int | None]:
        """Signal X3DH §3.4 and Double Ratchet §3.3 (RatchetInitBob), as libsignal
        ``ratchet.rs`` ``initialize_bob_session``: Bob's sending chain is the handshake chain
        with his signed pre-key as ratchet key. Returns the one-time pre-key id to remove."""
        if pre.signed_pre_key_id != a.signed_prekey.id:
            raise InvalidKey(f"no signed pre-key {pre.signed_pre_key_id}")
        one_time: KeyPair | None = None
        if pre.pre_key_id is not None:
            found = next((k for k in a.prekeys if k.id == pre.pre_key_id), None)
            if found is None:
                raise InvalidKey(f"no one-time pre-key {pre.pre_key_id}")
            one_time = found.pair
        secret = self._responder_secret(
            a.identity.private,
            a.signed_prekey.pair.private,
            None if one_time is None else one_time.private,
            pre.identity_key,
            pre.base_key,
        )
        root, chain = self._x3dh_root(secret)
        session = _Session(
            local_identity=a.identity.public,
            remote_identity=pre.identity_key,
            local_registration_id=a.registration_id,
            remote_registration_id=pre.registration_id,
            alice_base_key=pre.base_key,
            root_key=root,
            sender=_Sender(a.signed_prekey.pair, chain),
            previous_counter=0,
            receivers=[],
            pending=None,
        )
        return session, pre.pre_key_id

    def signal_decrypt(
        self, party: bytes, type: int, message: bytes, ratchet_key: bytes
    ) -> SignalDecrypted:
        """Decrypt a PreKeySignalMessage (type 3: Signal X3DH §3.4, protocols.md 1.10) or a
        SignalMessage (type 2: Double Ratchet §3.5)."""
        committed = _load_party(party)
        # libsignal message_decrypt: the identity is saved, the record stored and the one-time
        # pre-key removed only once the message decrypts; until then a copy is worked on.
        a = copy.deepcopy(committed)
        with state_after(lambda: _dump_party(committed)):
            return self._decrypt(a, type, message, ratchet_key)

    def _decrypt(self, a: _Party, type: int, message: bytes, ratchet_key: bytes) -> SignalDecrypted:
        if type == WHISPER_TYPE:
            plaintext = self._decrypt_record(a, wire.parse_signal_message(message), ratchet_key)
            return {"party": _dump_party(a), "plaintext": plaintext}
        if type != PREKEY_TYPE:
            raise InvalidInput(f"unknown Signal message type {type}")
        pre = wire.parse_pre_key_signal_message(message)
        inner = wire.parse_signal_message(pre.message)
        self._trust(a, pre.identity_key)
        remove: int | None = None
        if not any(s.alice_base_key == pre.base_key for s in a.sessions):
            session, remove = self._bob_session(a, pre)
            self._store_session(a, session)
        plaintext = self._decrypt_record(a, inner, ratchet_key)
        if remove is not None:
            a.prekeys = [k for k in a.prekeys if k.id != remove]
        return {"party": _dump_party(a), "plaintext": plaintext}
