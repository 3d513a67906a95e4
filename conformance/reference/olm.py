"""The suite's reference Olm (libolm docs/olm.md), over capability interfaces only.

Accounts ("Initial setup"), the triple Diffie-Hellman handshake, the root and chain ratchets
("Advancing the root key", "Advancing the chain key", "Creating a message key"), AES-256-CBC with
a truncated HMAC-SHA-256 ("Olm Authenticated Encryption") and the message formats (olm_wire).
Where docs/olm.md leaves a choice open (limits, which key a pre-key message may use, when Alice
stops sending pre-key messages) the reference does what libolm 3.2.x does.
"""

from __future__ import annotations

import hmac as _constant_time
from dataclasses import dataclass, field
from typing import Any

from ..capabilities.olm import OlmDecrypted, OlmEncrypted, OlmInbound, OlmKey
from ..errors import (
    AuthenticationFailed,
    DuplicateMessage,
    InvalidInput,
    InvalidKey,
    InvalidMessage,
)
from . import olm_wire as wire
from .cbc_hmac import derive_keys
from .primitives import Primitives
from .state import dump_state, from_hex, load_state, state_after

__all__ = [
    "OLM_KEYS_INFO",
    "OLM_RATCHET_INFO",
    "OLM_ROOT_INFO",
    "ChainKey",
    "OlmLimits",
    "OlmReference",
    "SkippedKey",
]

OLM_ROOT_INFO = b"OLM_ROOT"
OLM_RATCHET_INFO = b"OLM_RATCHET"
OLM_KEYS_INFO = b"OLM_KEYS"
#: docs/olm.md "Advancing the chain key" / "Creating a message key": HMAC data bytes.
CHAIN_KEY_SEED = b"\x02"
MESSAGE_KEY_SEED = b"\x01"
PRE_KEY = 0
NORMAL = 1


@dataclass(frozen=True)
class OlmLimits:
    """Receiver limits docs/olm.md leaves to implementations; the defaults are libolm's
    (``ratchet.cpp`` MAX_MESSAGE_GAP, ``ratchet.hh`` MAX_RECEIVER_CHAINS and
    MAX_SKIPPED_MESSAGE_KEYS, the latter one list for the whole session)."""

    max_message_gap: int = 2000
    max_receiver_chains: int = 5
    max_skipped_message_keys: int = 40


@dataclass(frozen=True)
class KeyPair:
    private: bytes
    public: bytes


@dataclass(frozen=True)
class ChainKey:
    """C_i,j: the key and its index j."""

    key: bytes
    index: int


@dataclass(frozen=True)
class SkippedKey:
    """A message key M_i,j kept for a message not yet received, found by T_i and j."""

    ratchet_key: bytes
    index: int
    message_key: bytes


@dataclass
class _Account:
    ed25519_seed: bytes
    identity: KeyPair
    one_time_keys: list[KeyPair] = field(default_factory=list)
    fallback: KeyPair | None = None
    prev_fallback: KeyPair | None = None


@dataclass
class _ReceiverChain:
    ratchet_key: bytes
    chain: ChainKey


@dataclass
class _SenderChain:
    ratchet: KeyPair
    chain: ChainKey


@dataclass
class _Session:
    root_key: bytes
    sender: _SenderChain | None
    receivers: list[_ReceiverChain]  # newest first, as libolm's List::insert() keeps them
    skipped: list[SkippedKey]  # newest first; the oldest falls off the end
    received_message: bool
    alice_identity_key: bytes
    alice_base_key: bytes
    bob_one_time_key: bytes


# --- state encoding --------------------------------------------------------------------------


def _pair_to_json(pair: KeyPair | None) -> list[str] | None:
    return None if pair is None else [pair.private.hex(), pair.public.hex()]


def _pair_from_json(value: Any) -> KeyPair | None:
    if value is None:
        return None
    if not isinstance(value, list) or len(value) != 2:
        raise InvalidInput("malformed key pair in state")
    return KeyPair(from_hex(value[0]), from_hex(value[1]))


def _some_pair(value: Any) -> KeyPair:
    pair = _pair_from_json(value)
    if pair is None:
        raise InvalidInput("missing key pair in state")
    return pair


def _dump_account(a: _Account) -> bytes:
    return dump_state(
        "olm-account",
        {
            "ed25519_seed": a.ed25519_seed.hex(),
            "identity": _pair_to_json(a.identity),
            "one_time_keys": [_pair_to_json(k) for k in a.one_time_keys],
            "fallback": _pair_to_json(a.fallback),
            "prev_fallback": _pair_to_json(a.prev_fallback),
        },
    )


def _load_account(data: bytes) -> _Account:
    doc = load_state(data, "olm-account")
    try:
        return _Account(
            ed25519_seed=from_hex(doc["ed25519_seed"]),
            identity=_some_pair(doc["identity"]),
            one_time_keys=[_some_pair(k) for k in doc["one_time_keys"]],
            fallback=_pair_from_json(doc["fallback"]),
            prev_fallback=_pair_from_json(doc["prev_fallback"]),
        )
    except (KeyError, TypeError) as exc:
        raise InvalidInput("malformed olm-account state") from exc


def _chain_to_json(c: ChainKey) -> list[Any]:
    return [c.key.hex(), c.index]


def _chain_from_json(value: Any) -> ChainKey:
    if not isinstance(value, list) or len(value) != 2 or not isinstance(value[1], int):
        raise InvalidInput("malformed chain key in state")
    return ChainKey(from_hex(value[0]), value[1])


def _dump_session(s: _Session) -> bytes:
    sender = None
    if s.sender is not None:
        sender = {
            "ratchet": _pair_to_json(s.sender.ratchet),
            "chain": _chain_to_json(s.sender.chain),
        }
    return dump_state(
        "olm-session",
        {
            "root_key": s.root_key.hex(),
            "sender": sender,
            "receivers": [[r.ratchet_key.hex(), _chain_to_json(r.chain)] for r in s.receivers],
            "skipped": [[k.ratchet_key.hex(), k.index, k.message_key.hex()] for k in s.skipped],
            "received_message": s.received_message,
            "alice_identity_key": s.alice_identity_key.hex(),
            "alice_base_key": s.alice_base_key.hex(),
            "bob_one_time_key": s.bob_one_time_key.hex(),
        },
    )


def _load_session(data: bytes) -> _Session:
    doc = load_state(data, "olm-session")
    try:
        raw_sender = doc["sender"]
        sender = None
        if raw_sender is not None:
            sender = _SenderChain(
                _some_pair(raw_sender["ratchet"]), _chain_from_json(raw_sender["chain"])
            )
        return _Session(
            root_key=from_hex(doc["root_key"]),
            sender=sender,
            receivers=[
                _ReceiverChain(from_hex(k), _chain_from_json(c)) for k, c in doc["receivers"]
            ],
            skipped=[SkippedKey(from_hex(k), int(i), from_hex(m)) for k, i, m in doc["skipped"]],
            received_message=bool(doc["received_message"]),
            alice_identity_key=from_hex(doc["alice_identity_key"]),
            alice_base_key=from_hex(doc["alice_base_key"]),
            bob_one_time_key=from_hex(doc["bob_one_time_key"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidInput("malformed olm-session state") from exc


def _key32(value: bytes, what: str) -> bytes:
    if len(value) != 32:
        raise InvalidKey(f"{what} is {len(value)} bytes instead of 32")
    return value


# --- the reference ---------------------------------------------------------------------------


class OlmReference:
    """The reference implementation of the ``olm`` capability (and ``olm:fixed-randomness``:
    every random value is the one passed in).

    Behaviour where docs/olm.md leaves a choice, as libolm 3.2.x: the receiver limits of
    :class:`OlmLimits`; a chain index more than ``max_message_gap`` ahead is refused before any
    key is derived; no new receiver chain is accepted while the session's own sender chain is
    empty; Alice sends pre-key messages until she has decrypted one from Bob; a pre-key message
    may use a one-time key (removed once the message decrypts) or the current or previous
    fallback key (kept). A failed decryption changes nothing. The only deviation: a
    Diffie-Hellman result the ``x25519`` capability refuses (all zero) is InvalidKey, where
    libolm uses it.

    Hooks a test may override, one small method each, to build a deliberately broken variant:

    * :meth:`verify_mac` - the truncated MAC check (docs/olm.md "Olm Authenticated Encryption").
    * :meth:`next_chain_key` - the chain key advance C_i,j -> C_i,j+1.
    * :meth:`message_key` - the message key M_i,j from C_i,j.
    * :meth:`consume_message_key` - called with every key that decrypted a message, to forget
      it; the default drops it from the skipped keys (a chain key already moved past it).
    """

    def __init__(self, primitives: Primitives, limits: OlmLimits | None = None) -> None:
        self.p = primitives
        self.limits = limits if limits is not None else OlmLimits()

    # --- hooks -------------------------------------------------------------------------------

    def verify_mac(self, mac_key: bytes, body: bytes, mac: bytes) -> None:
        """HMAC-SHA-256 over the message before the MAC (version and payload), 8 bytes."""
        expected = self.p.hmac.hmac_sha256(mac_key, body)[: wire.OLM_MAC_LENGTH]
        if not _constant_time.compare_digest(expected, mac):
            raise AuthenticationFailed("Olm message MAC mismatch")

    def next_chain_key(self, chain_key: bytes) -> bytes:
        """docs/olm.md "Advancing the chain key": C_i,j = HMAC(C_i,j-1, 0x02)."""
        return self.p.hmac.hmac_sha256(chain_key, CHAIN_KEY_SEED)

    def message_key(self, chain_key: bytes) -> bytes:
        """docs/olm.md "Creating a message key": M_i,j = HMAC(C_i,j, 0x01)."""
        return self.p.hmac.hmac_sha256(chain_key, MESSAGE_KEY_SEED)

    def consume_message_key(self, skipped: list[SkippedKey], used: SkippedKey) -> list[SkippedKey]:
        """The skipped keys once ``used`` has decrypted its message: without it."""
        return [k for k in skipped if (k.ratchet_key, k.index) != (used.ratchet_key, used.index)]

    # --- key schedule ------------------------------------------------------------------------

    def _pair(self, private: bytes) -> KeyPair:
        return KeyPair(private, self.p.curve25519_public(private))

    def _root(self, secret: bytes) -> tuple[bytes, ChainKey]:
        """docs/olm.md "Initial setup": R_0 || C_0,0 = HKDF(salt 0, S, "OLM_ROOT", 64)."""
        okm = self.p.hkdf.hkdf_sha256(secret, b"", OLM_ROOT_INFO, 64)
        return okm[:32], ChainKey(okm[32:], 0)

    def _ratchet_step(self, root: bytes, ours: bytes, theirs: bytes) -> tuple[bytes, ChainKey]:
        """docs/olm.md "Advancing the root key":
        R_i || C_i,0 = HKDF(salt R_i-1, ECDH(T_i-1, T_i), "OLM_RATCHET", 64)."""
        okm = self.p.hkdf.hkdf_sha256(self.p.ecdh(ours, theirs), root, OLM_RATCHET_INFO, 64)
        return okm[:32], ChainKey(okm[32:], 0)

    def _walk(
        self, chain: ChainKey, ratchet_key: bytes, to: int
    ) -> tuple[ChainKey, list[SkippedKey]]:
        """Advance ``chain`` to index ``to``, keeping the message keys passed over."""
        skipped: list[SkippedKey] = []
        while chain.index < to:
            skipped.append(SkippedKey(ratchet_key, chain.index, self.message_key(chain.key)))
            chain = ChainKey(self.next_chain_key(chain.key), chain.index + 1)
        return chain, skipped

    def _open(self, message_key: bytes, msg: wire.OlmMessage) -> bytes:
        """docs/olm.md "Olm Authenticated Encryption": the MAC first, then CBC and padding."""
        keys = derive_keys(self.p.cbc_hmac, message_key, OLM_KEYS_INFO)
        self.verify_mac(keys.mac_key, msg.body, msg.mac)
        return self.p.cbc.aes_256_cbc_decrypt(keys.encryption_key, keys.iv, msg.ciphertext, True)

    def _remember(self, s: _Session, new: list[SkippedKey]) -> None:
        for key in new:
            s.skipped.insert(0, key)
        del s.skipped[self.limits.max_skipped_message_keys :]

    def _decrypt(self, s: _Session, data: bytes) -> bytes:
        """Decrypt a normal message, updating ``s`` (a private copy) only on success."""
        msg = wire.parse_olm_message(data)
        gap = self.limits.max_message_gap
        chain = next((c for c in s.receivers if c.ratchet_key == msg.ratchet_key), None)
        if chain is None:
            if s.sender is None:
                # libolm: "They shouldn't move to a new chain until we've sent them a message
                # acknowledging the last one".
                raise InvalidMessage("a new receiver chain before we have sent on ours")
            if msg.counter > gap:
                raise InvalidMessage(f"chain index {msg.counter} is more than {gap} ahead")
            root, start = self._ratchet_step(s.root_key, s.sender.ratchet.private, msg.ratchet_key)
            at, passed = self._walk(start, msg.ratchet_key, msg.counter)
            key = self.message_key(at.key)
            plaintext = self._open(key, msg)
            s.root_key = root
            s.sender = None
            s.receivers.insert(
                0,
                _ReceiverChain(
                    msg.ratchet_key, ChainKey(self.next_chain_key(at.key), at.index + 1)
                ),
            )
            del s.receivers[self.limits.max_receiver_chains :]
            self._remember(s, passed)
            used = SkippedKey(msg.ratchet_key, msg.counter, key)
        elif msg.counter < chain.chain.index:
            found = next(
                (
                    k
                    for k in s.skipped
                    if (k.ratchet_key, k.index) == (msg.ratchet_key, msg.counter)
                ),
                None,
            )
            if found is None:
                raise DuplicateMessage(f"no message key left for chain index {msg.counter}")
            plaintext = self._open(found.message_key, msg)
            used = found
        else:
            if msg.counter - chain.chain.index > gap:
                raise InvalidMessage(f"chain index {msg.counter} is more than {gap} ahead")
            at, passed = self._walk(chain.chain, msg.ratchet_key, msg.counter)
            key = self.message_key(at.key)
            plaintext = self._open(key, msg)
            chain.chain = ChainKey(self.next_chain_key(at.key), at.index + 1)
            self._remember(s, passed)
            used = SkippedKey(msg.ratchet_key, msg.counter, key)
        s.skipped = self.consume_message_key(s.skipped, used)
        s.received_message = True
        return plaintext

    # --- accounts ----------------------------------------------------------------------------

    def olm_account(self, ed25519_seed: bytes, curve25519_private: bytes) -> bytes:
        """docs/olm.md "Initial setup": the identity keys I (Curve25519) and the Ed25519 key."""
        _key32(ed25519_seed, "the Ed25519 seed")
        return _dump_account(_Account(ed25519_seed, self._pair(_key32(curve25519_private, "I"))))

    def olm_identity_keys(self, account: bytes) -> bytes:
        a = _load_account(account)
        return a.identity.public + self.p.ed25519.ed25519_public_key(a.ed25519_seed)

    def olm_add_one_time_key(self, account: bytes, private: bytes) -> OlmKey:
        a = _load_account(account)
        pair = self._pair(_key32(private, "a one-time key"))
        a.one_time_keys.append(pair)
        return {"account": _dump_account(a), "key": pair.public}

    def olm_add_fallback_key(self, account: bytes, private: bytes) -> OlmKey:
        """libolm keeps the previous fallback key usable until the next one replaces it."""
        a = _load_account(account)
        pair = self._pair(_key32(private, "a fallback key"))
        a.prev_fallback, a.fallback = a.fallback, pair
        return {"account": _dump_account(a), "key": pair.public}

    # --- sessions ----------------------------------------------------------------------------

    def olm_outbound(
        self,
        account: bytes,
        identity_key: bytes,
        one_time_key: bytes,
        base_key: bytes,
        ratchet_key: bytes,
    ) -> bytes:
        """docs/olm.md "Initial setup", Alice's side:
        S = ECDH(I_A, E_B) || ECDH(E_A, I_B) || ECDH(E_A, E_B); her first sending chain is
        C_0,0 with the ratchet key T_0."""
        a = _load_account(account)
        their_identity = _key32(identity_key, "the identity key")
        their_one_time = _key32(one_time_key, "the one-time key")
        base = self._pair(_key32(base_key, "the base key"))
        ratchet = self._pair(_key32(ratchet_key, "the ratchet key"))
        secret = (
            self.p.ecdh(a.identity.private, their_one_time)
            + self.p.ecdh(base.private, their_identity)
            + self.p.ecdh(base.private, their_one_time)
        )
        root, chain = self._root(secret)
        return _dump_session(
            _Session(
                root_key=root,
                sender=_SenderChain(ratchet, chain),
                receivers=[],
                skipped=[],
                received_message=False,
                alice_identity_key=a.identity.public,
                alice_base_key=base.public,
                bob_one_time_key=their_one_time,
            )
        )

    def _lookup(self, a: _Account, public: bytes) -> KeyPair:
        for pair in (*a.one_time_keys, a.fallback, a.prev_fallback):
            if pair is not None and pair.public == public:
                return pair
        raise InvalidKey("the pre-key message names a one-time key this account does not hold")

    def olm_inbound(self, account: bytes, identity_key: bytes, message: bytes) -> OlmInbound:
        """docs/olm.md "Initial setup", Bob's side:
        S = ECDH(E_B, I_A) || ECDH(I_B, E_A) || ECDH(E_B, E_A); his first receiving chain is
        (T_0, C_0,0). The embedded message must decrypt before the one-time key is removed."""
        a = _load_account(account)
        with state_after(lambda: _dump_account(a)):
            return self._inbound(a, identity_key, message)

    def _inbound(self, a: _Account, identity_key: bytes, message: bytes) -> OlmInbound:
        their_identity = _key32(identity_key, "the identity key")
        pre = wire.parse_pre_key_message(message)
        if pre.identity_key is None:
            # The field is part of the format (docs/olm.md "Pre-key messages"); vodozemac and
            # libolm's olm_create_inbound_session both refuse a message without it.
            raise InvalidMessage("the pre-key message carries no identity key")
        if pre.identity_key != their_identity:
            raise InvalidKey("the pre-key message comes from another identity key")
        inner = wire.parse_olm_message(pre.message)
        ours = self._lookup(a, pre.one_time_key)
        secret = (
            self.p.ecdh(ours.private, their_identity)
            + self.p.ecdh(a.identity.private, pre.base_key)
            + self.p.ecdh(ours.private, pre.base_key)
        )
        root, chain = self._root(secret)
        s = _Session(
            root_key=root,
            sender=None,
            receivers=[_ReceiverChain(inner.ratchet_key, chain)],
            skipped=[],
            received_message=False,
            alice_identity_key=their_identity,
            alice_base_key=pre.base_key,
            bob_one_time_key=pre.one_time_key,
        )
        plaintext = self._decrypt(s, pre.message)
        # libolm's remove_one_time_keys looks in the one-time keys only: fallback keys stay.
        for i, pair in enumerate(a.one_time_keys):
            if pair.public == pre.one_time_key:
                del a.one_time_keys[i]
                break
        return {"account": _dump_account(a), "session": _dump_session(s), "plaintext": plaintext}

    def olm_encrypt(self, session: bytes, plaintext: bytes, ratchet_key: bytes) -> OlmEncrypted:
        """docs/olm.md "Advancing the root key" (only when the session has no sending chain),
        "Creating a message key", "Olm Authenticated Encryption" and the message formats."""
        s = _load_session(session)
        if s.sender is None:
            if not s.receivers:
                raise InvalidInput("the session has neither a sending nor a receiving chain")
            ratchet = self._pair(_key32(ratchet_key, "the ratchet key"))
            s.root_key, chain = self._ratchet_step(
                s.root_key, ratchet.private, s.receivers[0].ratchet_key
            )
            s.sender = _SenderChain(ratchet, chain)
        chain = s.sender.chain
        keys = derive_keys(self.p.cbc_hmac, self.message_key(chain.key), OLM_KEYS_INFO)
        s.sender.chain = ChainKey(self.next_chain_key(chain.key), chain.index + 1)
        ciphertext = self.p.cbc.aes_256_cbc_encrypt(keys.encryption_key, keys.iv, plaintext, True)
        body = wire.encode_olm_message_body(s.sender.ratchet.public, chain.index, ciphertext)
        inner = body + self.p.hmac.hmac_sha256(keys.mac_key, body)[: wire.OLM_MAC_LENGTH]
        if s.received_message:
            return {"session": _dump_session(s), "type": NORMAL, "message": inner}
        outer = wire.encode_pre_key_message(
            s.bob_one_time_key, s.alice_base_key, s.alice_identity_key, inner
        )
        return {"session": _dump_session(s), "type": PRE_KEY, "message": outer}

    def olm_decrypt(self, session: bytes, type: int, message: bytes) -> OlmDecrypted:
        """A pre-key message (type 0) is decrypted through the message it embeds, as libolm's
        ``Session::decrypt`` does."""
        s = _load_session(session)
        with state_after(lambda: _dump_session(s)):
            if type == PRE_KEY:
                message = wire.parse_pre_key_message(message).message
            elif type != NORMAL:
                raise InvalidInput(f"unknown Olm message type {type}")
            plaintext = self._decrypt(s, message)
        return {"session": _dump_session(s), "plaintext": plaintext}
