"""The suite's reference current Signal: PQXDH with a round-3 Kyber1024 pre-key, the Double Ratchet
with SPQR keys mixed in (the "triple ratchet") and the version-4 wire format (``signal-pq``).

Written against libsignal 0.103.0 (``rust/protocol/src``; that release builds ``pqxdh.rs``,
``session.rs``, ``session_management.rs``, ``triple_ratchet.rs``, ``double_ratchet.rs``,
``ratchet/keys.rs`` and ``protocol.rs``, and pins ``spqr`` 1.6.0) and Signal's PQXDH
specification (revision 3). It extends the classic reference (:mod:`.signal`): the Double Ratchet,
the receiver-chain and skipped-key rules, the MAC, the session archive and its hooks are that
module's, with these differences:

* PQXDH (PQXDH §3.3, libsignal ``ratchet.rs`` ``derive_keys``): the secret is the X3DH one,
  32 x 0xFF || DH1 || DH2 || DH3 [|| DH4], followed by the Kyber1024 shared secret; HKDF-SHA-256
  with no salt and info ``WhisperText_X25519_SHA-256_CRYSTALS-KYBER-1024`` gives 96 bytes: root
  key, first chain key, and the SPQR authentication key (``InitialPQRKey``).
* SPQR (:mod:`.spqr`): each session holds an SPQR state (``spqr::initial_state``, A2B for Alice
  and B2A for Bob, from the third HKDF output). Sending calls ``spqr.send`` and puts its message
  in SignalMessage field 5 (``pq_ratchet``); receiving calls ``spqr.recv`` on that field after the
  Double Ratchet found the message key and before the MAC is checked, and the new SPQR state is
  kept only if the message decrypts (``triple_ratchet.rs`` ``TripleRatchet::decrypt``).
* Message keys (``ratchet/keys.rs`` ``MessageKeyGenerator::generate_keys``,
  ``MessageKeys::derive_keys``): HKDF-SHA-256(salt = the SPQR key, ikm = HMAC(CK, 0x01), info
  ``WhisperMessageKeys``, 80); when SPQR returns no key the salt is absent (HKDF's HashLen zero
  bytes), the classic derivation.
* The wire format is version 4 (:mod:`.signal_pq_wire`); Alice repeats the Kyber pre-key id and
  ciphertext in every PreKeySignalMessage until she has decrypted a message from Bob.
* Bob (``session.rs`` ``process_prekey_impl``): a PreKeySignalMessage whose base key matches a
  stored session is decrypted on it. Otherwise the signed pre-key, then the Kyber pre-key, then
  the one-time EC pre-key are looked up (an unknown id is InvalidKey:
  ``InvalidSignedPreKeyId``, ``InvalidKyberPreKeyId``, ``InvalidPreKeyId``); a missing Kyber id
  or ciphertext is InvalidMessage. Once the message decrypts (``session_management.rs``
  ``message_decrypt_prekey``) the Kyber pre-key is marked used (a one-time one is removed, a
  last-resort one kept, as the capability specifies of the store) and the one-time EC pre-key is
  removed.
* Limits (``consts.rs``, applied by ``double_ratchet.rs``): a counter more than
  MAX_FORWARD_JUMPS = 25 000 ahead is InvalidMessage, MAX_MESSAGE_KEYS = 2000 skipped keys per
  receiver chain (``store_skipped_key``: the oldest dropped), MAX_RECEIVER_CHAINS = 5
  (``dh_ratchet_step``: the oldest dropped), ARCHIVED_STATES_MAX_LENGTH = 40 previous sessions
  (``state/session.rs`` ``archive_current_state``). libsignal passes MAX_FORWARD_JUMPS and
  MAX_MESSAGE_KEYS to SPQR's chain too (``ratchet.rs`` ``spqr_chain_params``): that is
  :mod:`.spqr`'s to apply.

Deviations, on purpose: libsignal reports every failed decryption as InvalidMessage ("decryption
failed", ``session_management.rs`` ``try_decrypt_from_record``); the capability asks for the
cause, so a bad MAC is AuthenticationFailed and the current session's error is raised. libsignal
does not try archived sessions for a PreKeySignalMessage's inner message; this reference does, as
the classic one (the same outcome unless an archived session shares the base key). The
self-session exception (no forward-jump limit when both identities are the same account) and
MAX_UNACKNOWLEDGED_SESSION_AGE (a time limit) are not modelled.

A failed operation changes nothing: every operation works on a decoded copy of the state.

Checked against libsignal 0.103.0 (``@signalapp/libsignal-client`` for Node, whose bundled
acknowledgments list ``spqr`` 1.6.0) with scratch drivers, not part of the suite: with either side
as Alice, conversations of up to 60 turns (SPQR past epoch 3), bursts of 45 messages, messages
held back across DH ratchet steps, a second session with the first one's late message (archived,
then promoted) all decrypt both ways; its PreKeySignalMessage and SignalMessage bytes re-encode
identically here; every malformed or tampered message tried is refused by both.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, fields
from typing import Any

from ..capabilities.signal import SignalDecrypted, SignalEncrypted
from ..capabilities.signal_pq import SignalPqBundle
from ..errors import (
    InvalidInput,
    InvalidKey,
    InvalidMessage,
    InvalidSignature,
    ProtocolError,
)
from . import signal_pq_wire as pqwire
from . import signal_wire as wire
from . import spqr
from .cbc_hmac import MessageKeys
from .mlkem import ML_KEM_1024, kyber_r3_decaps, kyber_r3_encaps
from .primitives import Primitives
from .signal import (
    MESSAGE_KEYS_INFO,
    PREKEY_TYPE,
    WHISPER_TYPE,
    KeyPair,
    SignalLimits,
    SignalReference,
    _Chain,
    _id32,
    _int,
    _pair,
    _pair_json,
    _Party,
    _Pending,
    _PreKey,
    _Receiver,
    _Sender,
    _Session,
    _session,
    _session_json,
)
from .state import dump_state, from_hex, load_state, state_after
from .xeddsa import xeddsa_sign, xeddsa_verify

__all__ = ["PQXDH_INFO", "SignalPqReference"]

#: libsignal ``ratchet.rs`` ``derive_keys`` with a Kyber pre-key (PQXDH §2.2 info string).
PQXDH_INFO = b"WhisperText_X25519_SHA-256_CRYSTALS-KYBER-1024"
#: The round-3 Kyber1024 secret key s || pk || H(pk) || z and where pk sits in it.
KYBER_SECRET_LENGTH = 3168
_KYBER_PK = slice(1536, 1536 + pqwire.KYBER1024_PUBLIC_LENGTH)


@dataclass
class _PqPending(_Pending):
    """What Alice repeats in every PreKeySignalMessage until Bob answers, with PQXDH's Kyber
    pre-key id and the serialised ciphertext (``session.rs`` ``set_unacknowledged_pre_key_message``
    with ``KyberPayload``)."""

    kyber_prekey_id: int = 0
    kyber_ciphertext: bytes = b""


@dataclass
class _PqSession(_Session):
    """A version-4 session: the classic one and its SPQR state (``pq_ratchet_state``)."""

    pq_state: bytes = b""


@dataclass
class _KyberPreKey:
    id: int
    secret: bytes  # 3,168 bytes, the public key inside
    signature: bytes
    last_resort: bool

    @property
    def public(self) -> bytes:
        return self.secret[_KYBER_PK]


@dataclass
class _PqParty(_Party):
    kyber_prekey_signature: bytes = b""
    kyber_prekeys: list[_KyberPreKey] = field(default_factory=list)


# --- state encoding --------------------------------------------------------------------------


def _pq_session_json(s: _Session) -> dict[str, Any]:
    assert isinstance(s, _PqSession)
    doc = _session_json(s)
    doc["pq_state"] = s.pq_state.hex()
    if s.pending is not None:
        assert isinstance(s.pending, _PqPending)
        doc["pending"] += [s.pending.kyber_prekey_id, s.pending.kyber_ciphertext.hex()]
    return doc


def _pq_session(doc: Any) -> _PqSession:
    base = _session({**doc, "pending": None})
    values = {f.name: getattr(base, f.name) for f in fields(_Session)}
    p = doc["pending"]
    if p is not None:
        values["pending"] = _PqPending(
            None if p[0] is None else _int(p[0]),
            _int(p[1]),
            from_hex(p[2]),
            _int(p[3]),
            from_hex(p[4]),
        )
    return _PqSession(**values, pq_state=from_hex(doc["pq_state"]))


_KIND = "signal-pq-party"


def _dump_party(p: _PqParty) -> bytes:
    return dump_state(
        _KIND,
        {
            "identity": _pair_json(p.identity),
            "registration_id": p.registration_id,
            "signed_prekey": [p.signed_prekey.id, _pair_json(p.signed_prekey.pair)],
            "signed_prekey_signature": p.signed_prekey_signature.hex(),
            "prekeys": [[k.id, _pair_json(k.pair)] for k in p.prekeys],
            "kyber_prekeys": [
                [k.id, k.secret.hex(), k.signature.hex(), k.last_resort] for k in p.kyber_prekeys
            ],
            "trusted_identity": None if p.trusted_identity is None else p.trusted_identity.hex(),
            "sessions": [_pq_session_json(s) for s in p.sessions],
        },
    )


def _load_party(data: bytes) -> _PqParty:
    doc = load_state(data, _KIND)
    try:
        trusted = doc["trusted_identity"]
        return _PqParty(
            identity=_pair(doc["identity"]),
            registration_id=_int(doc["registration_id"]),
            signed_prekey=_PreKey(_int(doc["signed_prekey"][0]), _pair(doc["signed_prekey"][1])),
            signed_prekey_signature=from_hex(doc["signed_prekey_signature"]),
            prekeys=[_PreKey(_int(i), _pair(k)) for i, k in doc["prekeys"]],
            kyber_prekeys=[
                _KyberPreKey(_int(i), from_hex(sk), from_hex(sig), bool(last))
                for i, sk, sig, last in doc["kyber_prekeys"]
            ],
            trusted_identity=None if trusted is None else from_hex(trusted),
            sessions=[_pq_session(s) for s in doc["sessions"]],
        )
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise InvalidInput("malformed signal-pq-party state") from exc


# --- the reference ---------------------------------------------------------------------------


class SignalPqReference(SignalReference):
    """The reference implementation of ``signal-pq`` (and ``signal-pq:fixed-randomness``: every
    random value is the one passed in; SPQR draws its randomness from ``pq_random``).

    Besides the classic reference's hooks (:meth:`mac_input`, :meth:`verify_mac`,
    :meth:`consume_message_key`, :meth:`x3dh_secret`), a broken variant may override
    :meth:`pqxdh_secret` (leave the Kyber secret out), :meth:`message_keys` (ignore the SPQR
    key) or :meth:`prekey_signature_ok` (skip a signature check)."""

    def __init__(self, primitives: Primitives, limits: SignalLimits | None = None) -> None:
        super().__init__(primitives, limits)

    # --- hooks -------------------------------------------------------------------------------

    def pqxdh_secret(self, x3dh_secret: bytes, kyber_secret: bytes) -> bytes:
        """PQXDH §3.3: KDF input F || DH1 || DH2 || DH3 [|| DH4] || SS (``ratchet.rs``
        ``initialize_alice_session`` / ``initialize_bob_session`` append the KEM secret)."""
        return x3dh_secret + kyber_secret

    def prekey_signature_ok(self, identity: bytes, key: bytes, signature: bytes) -> bool:
        """PQXDH §3.3: Sig(IK_B, Encode(key)) verifies, for the signed pre-key and the Kyber
        pre-key alike (XEdDSA over the serialised key, type byte included)."""
        return xeddsa_verify(identity, key, signature)

    def message_keys(self, seed: bytes, pq_key: bytes | None) -> MessageKeys:
        """``ratchet/keys.rs`` ``MessageKeys::derive_keys(seed, optional_salt)``: HKDF with the
        SPQR key as salt (None: no salt, HKDF's zero salt), info WhisperMessageKeys, 80 bytes =
        cipher key || MAC key || IV."""
        okm = self.p.hkdf.hkdf_sha256(seed, pq_key or b"", MESSAGE_KEYS_INFO, 80)
        return MessageKeys(okm[:32], okm[32:64], okm[64:80])

    # --- key schedule ------------------------------------------------------------------------

    def _pqxdh_keys(self, secret: bytes) -> tuple[bytes, bytes, bytes]:
        """``ratchet.rs`` ``derive_keys_with_label``: HKDF(no salt, secret, PQXDH_INFO, 96) =
        root key || chain key || SPQR authentication key."""
        okm = self.p.hkdf.hkdf_sha256(secret, b"", PQXDH_INFO, 96)
        return okm[:32], okm[32:64], okm[64:96]

    def _receive_message_keys(
        self, s: _Session, msg: wire.SignalMessage, seed: bytes
    ) -> MessageKeys:
        """``triple_ratchet.rs`` ``TripleRatchet::decrypt``: SPQR ``recv`` on the message's
        pq_ratchet field (any SPQR refusal is InvalidMessage, "post-quantum ratchet error"), its
        state kept on ``s`` (a copy, stored only if the MAC and decryption succeed), its key the
        salt of the message keys."""
        assert isinstance(s, _PqSession)
        assert isinstance(msg, pqwire.PqSignalMessage)
        try:
            received = spqr.recv(s.pq_state, msg.pq_ratchet)
        except InvalidInput:
            raise
        except ProtocolError as exc:
            raise InvalidMessage(f"post-quantum ratchet error: {exc}") from exc
        s.pq_state = received.state
        return self.message_keys(seed, received.key)

    # --- parties -----------------------------------------------------------------------------

    def signal_pq_party(
        self,
        identity_private: bytes,
        registration_id: int,
        signed_prekey_id: int,
        signed_prekey_private: bytes,
        prekey_id: int,
        prekey_private: bytes,
        kyber_prekey_id: int,
        kyber_prekey_secret: bytes,
        kyber_last_resort: bool,
        signature_random: bytes,
    ) -> bytes:
        """PQXDH §3.2: both pre-key signatures are XEdDSA by the identity key over the
        serialised public key (0x05 || u, 0x08 || pk), with ``signature_random[:64]`` and
        ``[64:128]`` as Z."""
        identity = self._pair(identity_private, "the identity private key")
        signed = self._pair(signed_prekey_private, "the signed pre-key private key")
        if len(signature_random) != 128:
            raise InvalidInput("signature_random is 128 bytes (two XEdDSA Z)")
        if len(kyber_prekey_secret) != KYBER_SECRET_LENGTH:
            raise InvalidKey(f"a round-3 Kyber1024 secret key is {KYBER_SECRET_LENGTH} bytes")
        kyber = _KyberPreKey(
            _id32(kyber_prekey_id, "the Kyber pre-key id"), kyber_prekey_secret, b"", False
        )
        kyber.last_resort = bool(kyber_last_resort)
        kyber.signature = xeddsa_sign(
            identity.private,
            pqwire.encode_kyber_public_key(kyber.public),
            signature_random[64:128],
        )
        return _dump_party(
            _PqParty(
                identity=identity,
                registration_id=_id32(registration_id, "the registration id"),
                signed_prekey=_PreKey(_id32(signed_prekey_id, "the signed pre-key id"), signed),
                signed_prekey_signature=xeddsa_sign(
                    identity.private, wire.encode_public_key(signed.public), signature_random[:64]
                ),
                prekeys=self._one_time_prekeys(prekey_id, prekey_private),
                kyber_prekeys=[kyber],
                trusted_identity=None,
                sessions=[],
            )
        )

    def signal_pq_bundle(self, party: bytes) -> SignalPqBundle:
        """PQXDH §3.2: the published bundle (the first one-time EC pre-key, if any, and the
        Kyber pre-key)."""
        a = _load_party(party)
        prekey = a.prekeys[0] if a.prekeys else None
        if not a.kyber_prekeys:
            raise InvalidInput("no Kyber pre-key left to publish")
        kyber = a.kyber_prekeys[0]
        return {
            "registration_id": a.registration_id,
            "identity_key": wire.encode_public_key(a.identity.public),
            "signed_prekey_id": a.signed_prekey.id,
            "signed_prekey": wire.encode_public_key(a.signed_prekey.pair.public),
            "signed_prekey_signature": a.signed_prekey_signature,
            "prekey_id": prekey.id if prekey else 0,
            "prekey": wire.encode_public_key(prekey.pair.public) if prekey else b"",
            "kyber_prekey_id": kyber.id,
            "kyber_prekey": pqwire.encode_kyber_public_key(kyber.public),
            "kyber_prekey_signature": kyber.signature,
        }

    def signal_pq_initiate(
        self,
        party: bytes,
        registration_id: int,
        identity_key: bytes,
        signed_prekey_id: int,
        signed_prekey: bytes,
        signed_prekey_signature: bytes,
        prekey_id: int,
        prekey: bytes,
        kyber_prekey_id: int,
        kyber_prekey: bytes,
        kyber_prekey_signature: bytes,
        base_key: bytes,
        ratchet_key: bytes,
        kyber_random: bytes,
        pq_random: bytes,
    ) -> bytes:
        """PQXDH §3.3 as libsignal ``session.rs`` ``process_prekey_bundle`` and ``ratchet.rs``
        ``initialize_alice_session``: the keys are decoded (a wrong type byte is InvalidKey,
        ``PreKeyBundle::new``), the identity checked (another one than a trusted one is
        InvalidKey), then the signed pre-key's signature and the Kyber pre-key's
        (InvalidSignature, in that order), the Kyber pre-key encapsulated with
        ``kyber_random`` as m; the handshake chain becomes the receiving chain for Bob's signed
        pre-key and the first sending chain comes from ``ratchet_key`` at once. SPQR's initial
        state draws no randomness: ``pq_random`` is not used here."""
        committed = _load_party(party)
        a = copy.deepcopy(committed)
        with state_after(lambda: _dump_party(committed)):
            their_identity = wire.decode_public_key(identity_key)
            their_signed = wire.decode_public_key(signed_prekey)
            their_prekey = wire.decode_public_key(prekey) if prekey else None
            their_kyber = pqwire.decode_kyber_public_key(kyber_prekey)
            self._trust(a, their_identity)
            if not self.prekey_signature_ok(their_identity, signed_prekey, signed_prekey_signature):
                raise InvalidSignature("the signed pre-key signature does not verify")
            if not self.prekey_signature_ok(their_identity, kyber_prekey, kyber_prekey_signature):
                raise InvalidSignature("the Kyber pre-key signature does not verify")
            base = self._pair(base_key, "the base key")
            ratchet = self._pair(ratchet_key, "the ratchet key")
            if len(kyber_random) != 32:
                raise InvalidInput("kyber_random is 32 bytes")
            kyber = kyber_r3_encaps(ML_KEM_1024, their_kyber, kyber_random)
            secret = self.pqxdh_secret(
                self._initiator_secret(
                    a.identity.private, base.private, their_identity, their_signed, their_prekey
                ),
                kyber.k,
            )
            root, chain_key, pq_auth = self._pqxdh_keys(secret)
            root, sending = self._kdf_rk(root, ratchet.private, their_signed)
            self._store_session(
                a,
                _PqSession(
                    local_identity=a.identity.public,
                    remote_identity=their_identity,
                    local_registration_id=a.registration_id,
                    remote_registration_id=_id32(registration_id, "the registration id"),
                    alice_base_key=base.public,
                    root_key=root,
                    sender=_Sender(ratchet, sending),
                    previous_counter=0,
                    receivers=[_Receiver(their_signed, _Chain(chain_key, 0))],
                    pending=_PqPending(
                        _id32(prekey_id, "the pre-key id") if their_prekey is not None else None,
                        _id32(signed_prekey_id, "the signed pre-key id"),
                        base.public,
                        _id32(kyber_prekey_id, "the Kyber pre-key id"),
                        pqwire.encode_kyber_ciphertext(kyber.c),
                    ),
                    pq_state=spqr.initial_state(pq_auth, True),
                ),
            )
            return _dump_party(a)

    # --- encryption --------------------------------------------------------------------------

    def signal_pq_encrypt(
        self, party: bytes, plaintext: bytes, pq_random: bytes
    ) -> SignalEncrypted:
        """``triple_ratchet.rs`` ``OutgoingTripleRatchet::encrypt``: SPQR ``send`` with
        ``pq_random``, message keys from the sender chain's seed salted with its key, the
        SignalMessage carrying its message; wrapped in a PreKeySignalMessage (with the Kyber
        pre-key id and ciphertext) while Bob has not answered (``session_management.rs``
        ``message_encrypt``)."""
        a = _load_party(party)
        if not a.sessions:
            raise InvalidInput("no session to encrypt with")
        s = a.sessions[0]
        assert isinstance(s, _PqSession)
        sent = spqr.send(s.pq_state, pq_random)
        chain = s.sender.chain
        keys = self.message_keys(self._message_seed(chain.key), sent.key)
        ciphertext = self.p.cbc.aes_256_cbc_encrypt(keys.encryption_key, keys.iv, plaintext, True)
        body = pqwire.encode_pq_signal_message_body(
            s.sender.ratchet.public, chain.index, s.previous_counter, ciphertext, sent.message
        )
        message = body + self.compute_mac(
            keys.mac_key, self.mac_input(s.local_identity, s.remote_identity, body)
        )
        s.sender.chain = self._next_chain(chain)
        s.pq_state = sent.state
        if s.pending is None:
            return {"party": _dump_party(a), "type": WHISPER_TYPE, "message": message}
        assert isinstance(s.pending, _PqPending)
        outer = pqwire.encode_pq_pre_key_signal_message(
            s.local_registration_id,
            s.pending.prekey_id,
            s.pending.signed_prekey_id,
            s.pending.kyber_prekey_id,
            s.pending.kyber_ciphertext,
            s.pending.base_key,
            s.local_identity,
            message,
        )
        return {"party": _dump_party(a), "type": PREKEY_TYPE, "message": outer}

    # --- decryption --------------------------------------------------------------------------

    def _pq_bob_session(
        self, a: _PqParty, pre: pqwire.PqPreKeySignalMessage
    ) -> tuple[_PqSession, int | None, _KyberPreKey]:
        """``session.rs`` ``process_prekey_impl`` and ``ratchet.rs`` ``initialize_bob_session``:
        the pre-keys looked up in libsignal's order, the Kyber ciphertext decapsulated, Bob's
        sending chain the handshake chain with his signed pre-key as ratchet key."""
        if pre.signed_pre_key_id != a.signed_prekey.id:
            raise InvalidKey(f"no signed pre-key {pre.signed_pre_key_id}")
        kyber = next((k for k in a.kyber_prekeys if k.id == pre.kyber_pre_key_id), None)
        if kyber is None:
            raise InvalidKey(f"no Kyber pre-key {pre.kyber_pre_key_id}")
        one_time: KeyPair | None = None
        if pre.pre_key_id is not None:
            found = next((k for k in a.prekeys if k.id == pre.pre_key_id), None)
            if found is None:
                raise InvalidKey(f"no one-time pre-key {pre.pre_key_id}")
            one_time = found.pair
        kyber_secret = kyber_r3_decaps(
            ML_KEM_1024, kyber.secret, pqwire.decode_kyber_ciphertext(pre.kyber_ciphertext)
        )
        secret = self.pqxdh_secret(
            self._responder_secret(
                a.identity.private,
                a.signed_prekey.pair.private,
                None if one_time is None else one_time.private,
                pre.identity_key,
                pre.base_key,
            ),
            kyber_secret,
        )
        root, chain_key, pq_auth = self._pqxdh_keys(secret)
        session = _PqSession(
            local_identity=a.identity.public,
            remote_identity=pre.identity_key,
            local_registration_id=a.registration_id,
            remote_registration_id=pre.registration_id,
            alice_base_key=pre.base_key,
            root_key=root,
            sender=_Sender(a.signed_prekey.pair, _Chain(chain_key, 0)),
            previous_counter=0,
            receivers=[],
            pending=None,
            pq_state=spqr.initial_state(pq_auth, False),
        )
        return session, pre.pre_key_id, kyber

    def signal_pq_decrypt(
        self, party: bytes, type: int, message: bytes, ratchet_key: bytes, pq_random: bytes
    ) -> SignalDecrypted:
        """Decrypt a PreKeySignalMessage (type 3) or a SignalMessage (type 2). SPQR's ``recv``
        draws no randomness: ``pq_random`` is not used."""
        committed = _load_party(party)
        # libsignal message_decrypt_prekey: the identity is saved, the record stored and the
        # pre-keys marked used only once the message decrypts; until then a copy is worked on.
        a = copy.deepcopy(committed)
        with state_after(lambda: _dump_party(committed)):
            return self._pq_decrypt(a, type, message, ratchet_key)

    def _pq_decrypt(
        self, a: _PqParty, type: int, message: bytes, ratchet_key: bytes
    ) -> SignalDecrypted:
        if type == WHISPER_TYPE:
            msg = pqwire.parse_pq_signal_message(message)
            plaintext = self._decrypt_record(a, msg, ratchet_key)
            return {"party": _dump_party(a), "plaintext": plaintext}
        if type != PREKEY_TYPE:
            raise InvalidInput(f"unknown Signal message type {type}")
        pre = pqwire.parse_pq_pre_key_signal_message(message)
        inner = pqwire.parse_pq_signal_message(pre.message)
        self._trust(a, pre.identity_key)
        remove: int | None = None
        kyber: _KyberPreKey | None = None
        if not any(s.alice_base_key == pre.base_key for s in a.sessions):
            session, remove, kyber = self._pq_bob_session(a, pre)
            self._store_session(a, session)
        plaintext = self._decrypt_record(a, inner, ratchet_key)
        if kyber is not None and not kyber.last_resort:
            a.kyber_prekeys = [k for k in a.kyber_prekeys if k.id != kyber.id]
        if remove is not None:
            a.prekeys = [k for k in a.prekeys if k.id != remove]
        return {"party": _dump_party(a), "plaintext": plaintext}
