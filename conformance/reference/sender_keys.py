"""Signal sender keys in the classic format (protocols.md 1.7; libsignal ``sender_keys.rs`` and
``group_cipher.rs``; libsignal-protocol-java ``groups/``, as python-axolotl implements it).

* Chain: message seed = HMAC-SHA-256(chain key, 0x01), next chain key = HMAC-SHA-256(chain key,
  0x02) with the iteration + 1.
* Message key: HKDF-SHA-256(zero salt, seed, info "WhisperGroup", 48) = IV (16) || cipher key
  (32) - the IV first, unlike WhisperMessageKeys.
* AES-256-CBC/PKCS#7 with no MAC; the SenderKeyMessage (version 0x33, {id, iteration,
  ciphertext}) is signed with XEdDSA by the sender's signing key over everything before the
  signature, and the signature is checked before any key is derived.
* Limits (protocols.md 1.5): an iteration more than 25 000 ahead is InvalidMessage, at most 2000
  skipped message keys are kept (oldest dropped), a used or passed iteration is DuplicateMessage.

The state is one sender-key chain with its signing key (the private half only on the sender's
side); the sender's own state can decrypt too, as libsignal's record can.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from ..capabilities.signal import SignalGroupCreated, SignalGroupDecrypted, SignalGroupEncrypted
from ..errors import DuplicateMessage, InvalidInput, InvalidKey, InvalidMessage, InvalidSignature
from . import signal_wire as wire
from .primitives import Primitives
from .signal import SignalLimits
from .state import dump_state, from_hex, load_state, state_after
from .xeddsa import xeddsa_sign, xeddsa_verify

__all__ = ["GROUP_INFO", "SenderMessageKey", "SignalGroupReference"]

GROUP_INFO = b"WhisperGroup"
MESSAGE_KEY_SEED = b"\x01"
CHAIN_KEY_SEED = b"\x02"
_MAX_ITERATION = (1 << 32) - 1


@dataclass(frozen=True)
class SenderMessageKey:
    """libsignal ``SenderMessageKey``: the iteration, its seed, and the derived IV and key."""

    iteration: int
    seed: bytes
    iv: bytes
    cipher_key: bytes


@dataclass
class _State:
    key_id: int
    iteration: int
    chain_key: bytes
    signing_private: bytes  # empty on a receiver
    signing_public: bytes  # 32 bytes
    skipped: list[tuple[int, bytes]]  # (iteration, seed), oldest first


def _dump(s: _State) -> bytes:
    return dump_state(
        "signal-sender-key",
        {
            "key_id": s.key_id,
            "iteration": s.iteration,
            "chain_key": s.chain_key.hex(),
            "signing_private": s.signing_private.hex(),
            "signing_public": s.signing_public.hex(),
            "skipped": [[i, seed.hex()] for i, seed in s.skipped],
        },
    )


def _load(data: bytes) -> _State:
    doc = load_state(data, "signal-sender-key")
    try:
        return _State(
            key_id=int(doc["key_id"]),
            iteration=int(doc["iteration"]),
            chain_key=from_hex(doc["chain_key"]),
            signing_private=from_hex(doc["signing_private"]),
            signing_public=from_hex(doc["signing_public"]),
            skipped=[(int(i), from_hex(seed)) for i, seed in doc["skipped"]],
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidInput("malformed signal-sender-key state") from exc


class SignalGroupReference:
    """The reference ``signal-group`` capability (classic sender keys, see the module doc)."""

    def __init__(self, primitives: Primitives, limits: SignalLimits | None = None) -> None:
        self.p = primitives
        self.limits = limits if limits is not None else SignalLimits()

    def message_seed(self, chain_key: bytes) -> bytes:
        """libsignal ``SenderChainKey::sender_message_key``: HMAC(chain key, 0x01)."""
        return self.p.hmac.hmac_sha256(chain_key, MESSAGE_KEY_SEED)

    def next_chain_key(self, chain_key: bytes) -> bytes:
        """libsignal ``SenderChainKey::next``: HMAC(chain key, 0x02)."""
        return self.p.hmac.hmac_sha256(chain_key, CHAIN_KEY_SEED)

    def message_key(self, iteration: int, seed: bytes) -> SenderMessageKey:
        """libsignal ``SenderMessageKey::new``: HKDF(None, seed, "WhisperGroup", 48) = IV ||
        cipher key."""
        okm = self.p.hkdf.hkdf_sha256(seed, b"", GROUP_INFO, 48)
        return SenderMessageKey(iteration, seed, okm[:16], okm[16:48])

    def signal_group_create(
        self, key_id: int, iteration: int, chain_key: bytes, signing_private: bytes
    ) -> SignalGroupCreated:
        """libsignal ``create_sender_key_distribution_message`` with the given id (a 31-bit
        random in libsignal-protocol-java), chain key and signing key."""
        if not 0 <= key_id <= _MAX_ITERATION or not 0 <= iteration <= _MAX_ITERATION:
            raise InvalidInput("the id and iteration are uint32")
        if len(chain_key) != 32 or len(signing_private) != 32:
            raise InvalidKey("the chain key and the signing key are 32 bytes")
        public = self.p.curve25519_public(signing_private)
        state = _State(key_id, iteration, chain_key, signing_private, public, [])
        distribution = wire.encode_sender_key_distribution(key_id, iteration, chain_key, public)
        return {"state": _dump(state), "distribution": distribution}

    def signal_group_join(self, distribution: bytes) -> bytes:
        """libsignal ``process_sender_key_distribution_message``: a receiving state."""
        d = wire.parse_sender_key_distribution(distribution)
        return _dump(_State(d.key_id, d.iteration, d.chain_key, b"", d.signing_key, []))

    def signal_group_encrypt(
        self, state: bytes, plaintext: bytes, signature_random: bytes
    ) -> SignalGroupEncrypted:
        """libsignal ``group_encrypt``: encrypt at the current iteration, sign, advance."""
        s = _load(state)
        if not s.signing_private:
            raise InvalidInput("a receiving sender-key state cannot encrypt")
        if len(signature_random) != 64:
            raise InvalidInput("the XEdDSA random is 64 bytes")
        if s.iteration >= _MAX_ITERATION:
            raise InvalidInput("the sender chain iteration would overflow")
        key = self.message_key(s.iteration, self.message_seed(s.chain_key))
        ciphertext = self.p.cbc.aes_256_cbc_encrypt(key.cipher_key, key.iv, plaintext, True)
        body = wire.encode_sender_key_message_body(s.key_id, s.iteration, ciphertext)
        message = body + xeddsa_sign(s.signing_private, body, signature_random)
        s.chain_key, s.iteration = self.next_chain_key(s.chain_key), s.iteration + 1
        return {"state": _dump(s), "message": message}

    def _key_for(self, s: _State, iteration: int) -> SenderMessageKey:
        """libsignal ``group_cipher.rs`` ``get_sender_key``."""
        if iteration < s.iteration:
            for i, (it, seed) in enumerate(s.skipped):
                if it == iteration:
                    del s.skipped[i]
                    return self.message_key(it, seed)
            raise DuplicateMessage(f"sender-key iteration {iteration} already used")
        jumps = self.limits.max_forward_jumps
        if iteration - s.iteration > jumps:
            raise InvalidMessage(f"sender-key iteration {iteration} is more than {jumps} ahead")
        chain, at = s.chain_key, s.iteration
        while at < iteration:
            s.skipped.append((at, self.message_seed(chain)))
            chain, at = self.next_chain_key(chain), at + 1
        del s.skipped[: max(0, len(s.skipped) - self.limits.max_message_keys)]
        s.chain_key, s.iteration = self.next_chain_key(chain), at + 1
        return self.message_key(at, self.message_seed(chain))

    def signal_group_decrypt(self, state: bytes, message: bytes) -> SignalGroupDecrypted:
        """libsignal ``group_decrypt``: the signature first, then the key and AES-256-CBC."""
        s = _load(state)
        # libsignal stores the record only once the plaintext is out: the chain walks on a copy.
        work = dataclasses.replace(s, skipped=list(s.skipped))
        with state_after(lambda: _dump(s)):
            msg = wire.parse_sender_key_message(message)
            if msg.key_id != s.key_id:
                raise InvalidMessage(f"no sender-key state for id {msg.key_id}")
            if not xeddsa_verify(s.signing_public, msg.signed, msg.signature):
                raise InvalidSignature("SenderKeyMessage signature does not verify")
            key = self._key_for(work, msg.iteration)
            plaintext = self.p.cbc.aes_256_cbc_decrypt(key.cipher_key, key.iv, msg.ciphertext, True)
        return {"state": _dump(work), "plaintext": plaintext}
