"""The suite's reference Megolm (libolm docs/megolm.md), over capability interfaces only.

The ratchet R_i = (R_i,0, R_i,1, R_i,2, R_i,3) and its advance rules follow docs/megolm.md
"The Megolm ratchet algorithm" and libolm's ``megolm.c`` exactly, including the 32-bit counter
wrapping from 0xFFFFFFFF to 0; the message keys follow "Encryption"; the formats follow
"Message format", "Session-sharing format" and "Session export format" (see olm_wire).
"""

from __future__ import annotations

import hmac as _constant_time
from dataclasses import dataclass

from ..capabilities.megolm import MegolmDecrypted, MegolmEncrypted
from ..errors import AuthenticationFailed, InvalidInput, InvalidKey, InvalidMessage
from . import olm_wire as wire
from .cbc_hmac import MessageKeys, derive_keys
from .primitives import Primitives
from .state import dump_state, from_hex, load_state, state_after

__all__ = [
    "MEGOLM_KEYS_INFO",
    "MegolmRatchet",
    "MegolmReference",
    "advance",
    "advance_to",
]

MEGOLM_KEYS_INFO = b"MEGOLM_KEYS"
_PARTS = 4
_PART_LENGTH = 32
RATCHET_LENGTH = _PARTS * _PART_LENGTH
_U32 = 1 << 32
_HALF = 1 << 31


@dataclass(frozen=True)
class MegolmRatchet:
    """R_i as four 32-byte parts, and i (a 32-bit counter)."""

    parts: tuple[bytes, bytes, bytes, bytes]
    counter: int

    @classmethod
    def from_bytes(cls, data: bytes, counter: int) -> MegolmRatchet:
        if len(data) != RATCHET_LENGTH:
            raise InvalidKey(f"a Megolm ratchet is {RATCHET_LENGTH} bytes")
        if not 0 <= counter < _U32:
            raise InvalidInput("a Megolm index is a 32-bit unsigned integer")
        p = [data[i * _PART_LENGTH : (i + 1) * _PART_LENGTH] for i in range(_PARTS)]
        return cls((p[0], p[1], p[2], p[3]), counter)

    @property
    def data(self) -> bytes:
        return b"".join(self.parts)


def _rehash(p: Primitives, parts: list[bytes], source: int, target: int) -> None:
    """docs/megolm.md: H_target(R_source) = HMAC-SHA-256(key R_source, data byte ``target``)."""
    parts[target] = p.hmac.hmac_sha256(parts[source], bytes([target]))


def _frozen(parts: list[bytes]) -> tuple[bytes, bytes, bytes, bytes]:
    return (parts[0], parts[1], parts[2], parts[3])


def advance(p: Primitives, ratchet: MegolmRatchet) -> MegolmRatchet:
    """One step (libolm ``megolm_advance``): reseed from the highest part whose period ended."""
    counter = (ratchet.counter + 1) % _U32
    h = 0
    mask = 0x00FFFFFF
    while h < _PARTS and counter & mask:
        h += 1
        mask >>= 8
    parts = list(ratchet.parts)
    # Downwards, so R_h still holds its old value while it seeds the parts after it.
    for i in range(_PARTS - 1, h - 1, -1):
        _rehash(p, parts, h, i)
    return MegolmRatchet(_frozen(parts), counter)


def advance_to(p: Primitives, ratchet: MegolmRatchet, target: int) -> MegolmRatchet:
    """Jump to index ``target`` (libolm ``megolm_advance_to``): at most 255 rehashes of each
    part plus the reseeds, so at most 1020 HMACs; a target below the counter wraps around."""
    if not 0 <= target < _U32:
        raise InvalidInput("a Megolm index is a 32-bit unsigned integer")
    parts = list(ratchet.parts)
    counter = ratchet.counter
    for j in range(_PARTS):
        shift = (_PARTS - j - 1) * 8
        mask = (0xFFFFFFFF << shift) & 0xFFFFFFFF
        steps = ((target >> shift) - (counter >> shift)) & 0xFF
        if steps == 0:
            # Equal bytes while the target lies below the counter: only possible for R_0 and
            # means the counter wraps, which takes a full 256 steps of R_0.
            if target < counter:
                steps = 0x100
            else:
                continue
        for _ in range(steps - 1):
            _rehash(p, parts, j, j)
        for k in range(_PARTS - 1, j - 1, -1):
            _rehash(p, parts, j, k)
        counter = target & mask
    return MegolmRatchet(_frozen(parts), counter)


def message_keys(p: Primitives, ratchet: MegolmRatchet) -> MessageKeys:
    """docs/megolm.md "Encryption": HKDF(salt 0, R_i (128 bytes), "MEGOLM_KEYS") -> 32|32|16."""
    return derive_keys(p.cbc_hmac, ratchet.data, MEGOLM_KEYS_INFO)


class MegolmReference:
    """The reference implementation of the ``megolm`` capability.

    Outbound state: the current ratchet and the Ed25519 seed. Inbound state: the initial ratchet
    (the first index known, never moved) and the latest ratchet (libolm's cache of the highest
    index decrypted), the sender's Ed25519 key, and whether it came from a signed session key.

    Hooks a test may override to build a deliberately broken variant:

    * :meth:`verify_mac` - the truncated HMAC check of a message.
    * :meth:`verify_signature` - the Ed25519 check of a message or session key.
    """

    def __init__(self, primitives: Primitives) -> None:
        self.p = primitives

    # --- hooks -------------------------------------------------------------------------------

    def verify_mac(self, mac_key: bytes, body: bytes, mac: bytes) -> None:
        """docs/megolm.md "Message format": HMAC-SHA-256 over version and payload, 8 bytes."""
        expected = self.p.hmac.hmac_sha256(mac_key, body)[: wire.OLM_MAC_LENGTH]
        if not _constant_time.compare_digest(expected, mac):
            raise AuthenticationFailed("Megolm message MAC mismatch")

    def verify_signature(self, public: bytes, message: bytes, signature: bytes) -> None:
        self.p.ed25519.ed25519_verify(public, message, signature)

    # --- outbound ----------------------------------------------------------------------------

    def _outbound(self, session: bytes) -> tuple[MegolmRatchet, bytes]:
        doc = load_state(session, "megolm-outbound")
        try:
            ratchet = MegolmRatchet.from_bytes(from_hex(doc["ratchet"]), int(doc["counter"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise InvalidInput("malformed megolm-outbound state") from exc
        return ratchet, from_hex(doc.get("signing_seed"))

    def _dump_outbound(self, ratchet: MegolmRatchet, seed: bytes) -> bytes:
        return dump_state(
            "megolm-outbound",
            {"ratchet": ratchet.data.hex(), "counter": ratchet.counter, "signing_seed": seed.hex()},
        )

    def megolm_outbound(self, ratchet: bytes, signing_seed: bytes) -> bytes:
        """docs/megolm.md "Initial setup": R_0 and the Ed25519 key pair, at index 0."""
        if len(signing_seed) != 32:
            raise InvalidKey("an Ed25519 seed is 32 bytes")
        return self._dump_outbound(MegolmRatchet.from_bytes(ratchet, 0), signing_seed)

    def megolm_session_key(self, session: bytes) -> bytes:
        """docs/megolm.md "Session-sharing format": version 2, signed, 229 bytes."""
        ratchet, seed = self._outbound(session)
        public = self.p.ed25519.ed25519_public_key(seed)
        body = wire.encode_megolm_session_key_body(ratchet.counter, ratchet.data, public)
        return body + self.p.ed25519.ed25519_sign(seed, body)

    def megolm_encrypt(self, session: bytes, plaintext: bytes) -> MegolmEncrypted:
        """docs/megolm.md "Encryption" then "Advancing the ratchet"."""
        ratchet, seed = self._outbound(session)
        keys = message_keys(self.p, ratchet)
        ciphertext = self.p.cbc.aes_256_cbc_encrypt(keys.encryption_key, keys.iv, plaintext, True)
        body = wire.encode_megolm_message_body(ratchet.counter, ciphertext)
        mac = self.p.hmac.hmac_sha256(keys.mac_key, body)[: wire.OLM_MAC_LENGTH]
        signature = self.p.ed25519.ed25519_sign(seed, body + mac)
        return {
            "session": self._dump_outbound(advance(self.p, ratchet), seed),
            "message": body + mac + signature,
        }

    # --- inbound -----------------------------------------------------------------------------

    def _inbound(self, session: bytes) -> tuple[MegolmRatchet, MegolmRatchet, bytes, bool]:
        doc = load_state(session, "megolm-inbound")
        try:
            initial = MegolmRatchet.from_bytes(from_hex(doc["initial"]), int(doc["initial_index"]))
            latest = MegolmRatchet.from_bytes(from_hex(doc["latest"]), int(doc["latest_index"]))
            verified = bool(doc["verified"])
        except (KeyError, TypeError, ValueError) as exc:
            raise InvalidInput("malformed megolm-inbound state") from exc
        return initial, latest, from_hex(doc.get("signing_key")), verified

    def _dump_inbound(
        self, initial: MegolmRatchet, latest: MegolmRatchet, signing_key: bytes, verified: bool
    ) -> bytes:
        return dump_state(
            "megolm-inbound",
            {
                "initial": initial.data.hex(),
                "initial_index": initial.counter,
                "latest": latest.data.hex(),
                "latest_index": latest.counter,
                "signing_key": signing_key.hex(),
                "verified": verified,
            },
        )

    def megolm_inbound(self, session_key: bytes) -> bytes:
        """docs/megolm.md "Session-sharing format": the signature must verify."""
        key = wire.parse_megolm_session_key(session_key)
        self.verify_signature(key.signing_key, key.signed, key.signature)
        ratchet = MegolmRatchet.from_bytes(key.ratchet, key.index)
        return self._dump_inbound(ratchet, ratchet, key.signing_key, True)

    def megolm_import(self, exported: bytes) -> bytes:
        """docs/megolm.md "Session export format" (unsigned: the key is not marked verified)."""
        key = wire.parse_megolm_export(exported)
        ratchet = MegolmRatchet.from_bytes(key.ratchet, key.index)
        return self._dump_inbound(ratchet, ratchet, key.signing_key, False)

    def _ratchet_for(
        self, initial: MegolmRatchet, latest: MegolmRatchet, index: int
    ) -> tuple[MegolmRatchet, bool]:
        """libolm's choice: ahead of the latest ratchet (mod 2^32, within 2^31) advance that one,
        else from the initial ratchet if ahead of it, else the index is unknown. The flag says
        whether the result may replace the latest ratchet."""
        if (index - latest.counter) % _U32 < _HALF:
            return advance_to(self.p, latest, index), True
        if (index - initial.counter) % _U32 < _HALF:
            return advance_to(self.p, initial, index), False
        raise InvalidMessage(f"message index {index} is before the first known index")

    def megolm_decrypt(self, session: bytes, message: bytes) -> MegolmDecrypted:
        """docs/megolm.md "Message format": signature, then MAC, then AES-256-CBC. The state only
        changes once a message decrypts. Replays decrypt again ("Limitations")."""
        initial, latest, signing_key, verified = self._inbound(session)
        with state_after(lambda: self._dump_inbound(initial, latest, signing_key, verified)):
            msg = wire.parse_megolm_message(message)
            self.verify_signature(signing_key, msg.signed, msg.signature)
            ratchet, is_latest = self._ratchet_for(initial, latest, msg.index)
            keys = message_keys(self.p, ratchet)
            self.verify_mac(keys.mac_key, msg.body, msg.mac)
            plaintext = self.p.cbc.aes_256_cbc_decrypt(
                keys.encryption_key, keys.iv, msg.ciphertext, True
            )
        new_latest = ratchet if is_latest else latest
        # Decrypting proves the sender holds the signing key (libolm's signing_key_verified).
        return {
            "session": self._dump_inbound(initial, new_latest, signing_key, True),
            "plaintext": plaintext,
            "index": msg.index,
        }

    def megolm_export(self, session: bytes, index: int) -> bytes:
        """docs/megolm.md "Session export format" at ``index``. The ratchet is chosen as for
        decryption (libolm does the same), so an index before the first known one is refused."""
        initial, latest, signing_key, _ = self._inbound(session)
        if not 0 <= index < _U32:
            raise InvalidInput("a Megolm index is a 32-bit unsigned integer")
        ratchet, _ = self._ratchet_for(initial, latest, index)
        return wire.encode_megolm_export(ratchet.counter, ratchet.data, signing_key)
