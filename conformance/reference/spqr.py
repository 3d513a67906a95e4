"""SPQR, Signal's Sparse Post-Quantum Ratchet, V1, as libsignal 0.103.0 runs it.

Written from the behaviour of the Rust crate ``spqr`` v1.5.3 (signalapp/SparsePostQuantumRatchet,
tag v1.5.3, commit fd320484), which libsignal 0.103.0 pins. Section references name its files:

* ``lib.rs``: ``initial_state``, ``send``, ``recv`` and version negotiation. libsignal
  (``rust/protocol/src/ratchet.rs``) creates the state with ``version = V1``, ``min_version =
  V1`` and chain parameters max_jump 25000 (u32::MAX for a session with oneself) and
  max_ooo_keys 2000; Alice's direction is A2B, Bob's B2A. The auth key is the third 32-byte
  output of PQXDH's HKDF. libsignal calls ``send`` once per encrypted message and puts the
  message in SignalMessage field 5 (``pq_ratchet``); the key is the HKDF salt of the message
  keys: ``HKDF(salt=key, ikm=HMAC(chain key, 0x01), "WhisperMessageKeys", 80)`` (salt None,
  i.e. 32 zero bytes, when the key is None). On receipt it calls ``recv`` on a copy of the
  session state after the Double Ratchet's counter checks and before the MAC check, and keeps
  the new SPQR state only if the message decrypts; a ``recv`` error is an InvalidMessage
  ("post-quantum ratchet error").
* ``chain.rs``: the symmetric key chains, one pair (send, recv) per epoch, with out-of-order
  key history; the epoch secrets the SCKA yields are mixed in by ``add_epoch``.
* ``v1/chunked/states.rs`` (+ ``states/serialize.rs`` for the wire format),
  ``v1/chunked/send_ek.rs``, ``v1/chunked/send_ct.rs``, ``v1/unchunked/*``: the SCKA, an
  incremental ML-KEM-768 exchange whose header, encapsulation key and ciphertexts travel as
  erasure-coded 32-byte chunks (:mod:`.spqr_gf16`), one chunk per message.
* ``authenticator.rs``: the MACs over the header and the ciphertext.
* ``incremental_mlkem768.rs`` over libcrux's incremental ML-KEM-768: header
  ``rho || H(ek)`` (64 bytes), encapsulation key ``ByteEncode12(t_hat)`` (1152 bytes), ciphertext
  halves ``c1`` (960 bytes, ``u``) and ``c2`` (128 bytes, ``v``); ``c1 || c2`` and the shared key
  are FIPS 203 ML-KEM-768's, ``(K, r) = G(m || H(ek))`` with ``m`` 32 random bytes.

Message (``states/serialize.rs``): ``0x01 || varint(epoch) || varint(index) || type`` then, for
the chunk types, ``varint(chunk index) || 32 data bytes``; types None 0, Hdr 1, Ek 2, EkCt1Ack 3,
Ct1Ack 4, Ct1 5, Ct2 6. Trailing bytes are allowed. An empty message is protocol version 0; a
first byte above 1 is refused (:class:`UnsupportedVersion`; see :func:`recv`).

Version: libsignal 0.103.0's npm build lists spqr 1.6.0 in its acknowledgments; the source read
is v1.5.3. Fed the same randomness, this module reproduced libsignal 0.103.0's SPQR messages byte
for byte and its message keys over 1500 messages and 13 epochs; where the two versions might
differ on malformed input, the behaviour observed from libsignal 0.103.0 is followed (unknown
versions, 11-byte varints).

Randomness: :func:`send` takes 64 bytes and draws every random value of the step from them, in
the order the Rust code asks its RNG: the bytes themselves first, then, if ever more were needed,
SHAKE256 of them. A step draws at most once: the 64-byte ML-KEM key-generation seed ``d || z``
(``KeysUnsampled``) or the 32-byte encapsulation randomness ``m`` (``HeaderReceived``).

Limits (``chain.rs``, ``states.rs``): a receive key more than ``max_jump`` (25000) past the
chain's counter is ``KeyJump``; skipped keys are kept, per epoch and direction, back to
``ctr - MAX_OOO_KEYS`` (2000; older: ``KeyTrimmed``), the history being trimmed once it holds
2201 keys; a key is handed out once (``KeyAlreadyRequested``). The chain keeps every epoch from
one before the current send epoch on (older: ``EpochOutOfRange``). The SCKA accepts messages of
its own epoch or older (older ones only give a key); a newer epoch is ``EpochOutOfRange``,
except epoch + 1 in ``Ct2Sampled``, which starts the next epoch with the roles swapped.

States are opaque bytes: JSON with sorted keys and hex strings (:mod:`.state`). Primitives
(HKDF-SHA-256, HMAC-SHA-256 and the SHA-3 family of ML-KEM) come in through
:class:`SpqrPrimitives`; :data:`HASHLIB_PRIMITIVES` is a default over :mod:`hashlib`/:mod:`hmac`.
"""

from __future__ import annotations

import hashlib
import hmac as _hmac
from dataclasses import dataclass
from typing import Any, Protocol

from ..errors import AuthenticationFailed, InvalidInput, InvalidMessage
from . import mlkem
from . import spqr_gf16 as gf
from .state import dump_state, from_hex, load_state

__all__ = [
    "HASHLIB_PRIMITIVES",
    "MAX_JUMP",
    "MAX_OOO_KEYS",
    "MSG_CT1",
    "MSG_CT1_ACK",
    "MSG_CT2",
    "MSG_EK",
    "MSG_EK_CT1_ACK",
    "MSG_HDR",
    "MSG_NONE",
    "ChainNotAvailable",
    "EpochOutOfRange",
    "ErroneousDataReceived",
    "HashlibSpqrPrimitives",
    "KeyAlreadyRequested",
    "KeyJump",
    "KeyTrimmed",
    "MacVerifyFailed",
    "MessageDecodeFailed",
    "MinimumVersion",
    "SendKeyEpochDecreased",
    "SpqrError",
    "SpqrPrimitives",
    "SpqrRecv",
    "SpqrSend",
    "UnsupportedVersion",
    "VersionMismatch",
    "chain_key",
    "decode_message",
    "encode_message",
    "initial_state",
    "recv",
    "send",
]

# --------------------------------------------------------------------------------------------
# Errors (lib.rs ``Error``)


class SpqrError(InvalidMessage, ValueError):
    """A message spqr refuses (base of the refusals below; the state is left unchanged)."""


class MessageDecodeFailed(SpqrError):
    """``Error::MsgDecode``: not a V1 message, a truncated chunk, a bad varint or type."""


class EpochOutOfRange(SpqrError):
    """``Error::EpochOutOfRange``: the message's epoch is ahead of what this side can accept, or
    its chain epoch is no longer kept."""


class KeyJump(SpqrError):
    """``Error::KeyJump``: the index is more than ``MAX_JUMP`` past the chain's counter."""


class KeyTrimmed(SpqrError):
    """``Error::KeyTrimmed``: the index is more than ``MAX_OOO_KEYS`` behind the counter."""


class KeyAlreadyRequested(SpqrError):
    """``Error::KeyAlreadyRequested``: this index's key was already handed out (a replay)."""


class ErroneousDataReceived(SpqrError):
    """``Error::ErroneousDataReceived``: the encapsulation key does not match the header (hash
    or modulus check of libcrux's ``validate_pk_bytes``)."""


class UnsupportedVersion(SpqrError):
    """A message whose first byte (its protocol version) is above 1."""


class VersionMismatch(SpqrError):
    """``Error::VersionMismatch``: a lower-version message once negotiation is over."""


class MinimumVersion(SpqrError):
    """``Error::MinimumVersion``: a lower-version message below the negotiated minimum."""


class SendKeyEpochDecreased(SpqrError):
    """``Error::SendKeyEpochDecreased`` (internal; cannot happen through :func:`send`)."""


class ChainNotAvailable(SpqrError):
    """``Error::ChainNotAvailable``: a state with neither a chain nor a negotiation record."""


class MacVerifyFailed(AuthenticationFailed, ValueError):
    """``Error::MacVerifyFailed``: the header MAC or the ciphertext MAC did not verify."""


# --------------------------------------------------------------------------------------------
# Primitives


class SpqrPrimitives(Protocol):
    """HKDF-SHA-256 (RFC 5869), HMAC-SHA-256 and ML-KEM's hash functions."""

    def hkdf_sha256(self, ikm: bytes, salt: bytes, info: bytes, length: int) -> bytes: ...

    def hmac_sha256(self, key: bytes, message: bytes) -> bytes: ...

    @property
    def kem_hashes(self) -> mlkem.KemHashes: ...


class HashlibSpqrPrimitives:
    """:class:`SpqrPrimitives` over :mod:`hashlib` and :mod:`hmac`."""

    def hkdf_sha256(self, ikm: bytes, salt: bytes, info: bytes, length: int) -> bytes:
        prk = _hmac.new(salt if salt else bytes(32), ikm, hashlib.sha256).digest()
        out = b""
        block = b""
        counter = 1
        while len(out) < length:
            block = _hmac.new(prk, block + info + bytes([counter]), hashlib.sha256).digest()
            out += block
            counter += 1
        return out[:length]

    def hmac_sha256(self, key: bytes, message: bytes) -> bytes:
        return _hmac.new(key, message, hashlib.sha256).digest()

    @property
    def kem_hashes(self) -> mlkem.KemHashes:
        return mlkem.HASHLIB


HASHLIB_PRIMITIVES: SpqrPrimitives = HashlibSpqrPrimitives()

# --------------------------------------------------------------------------------------------
# Constants

#: chain.rs ``DEFAULT_CHAIN_PARAMS``: a key more than MAX_JUMP past the counter is refused; keys
#: are kept back to ``ctr - MAX_OOO_KEYS``; the history is trimmed once it holds TRIM_SIZE keys.
MAX_JUMP = 25_000
MAX_OOO_KEYS = 2_000
TRIM_SIZE = MAX_OOO_KEYS * 11 // 10 + 1
#: chain.rs: epochs kept before the current send epoch.
EPOCHS_TO_KEEP_PRIOR_TO_SEND_EPOCH = 1

CHAIN_START = b"Signal PQ Ratchet V1 Chain  Start"
CHAIN_NEXT = b"Signal PQ Ratchet V1 Chain Next"
CHAIN_ADD_EPOCH = b"Signal PQ Ratchet V1 Chain Add Epoch"
SCKA_KEY = b"Signal_PQCKA_V1_MLKEM768:SCKA Key"
AUTH_UPDATE = b"Signal_PQCKA_V1_MLKEM768:Authenticator Update"
AUTH_CT = b"Signal_PQCKA_V1_MLKEM768:ciphertext"
AUTH_HDR = b"Signal_PQCKA_V1_MLKEM768:ekheader"

HEADER_SIZE = 64
EK_SIZE = 1152
CT1_SIZE = 960
CT2_SIZE = 128
MAC_SIZE = 32

MSG_NONE, MSG_HDR, MSG_EK, MSG_EK_CT1_ACK, MSG_CT1_ACK, MSG_CT1, MSG_CT2 = range(7)
_CHUNK_TYPES = {MSG_HDR, MSG_EK, MSG_EK_CT1_ACK, MSG_CT1, MSG_CT2}

_ZERO32 = bytes(32)
_U64 = 1 << 64


def _be64(n: int) -> bytes:
    return n.to_bytes(8, "big")


def _be32(n: int) -> bytes:
    return n.to_bytes(4, "big")


def _hkdf0(p: SpqrPrimitives, ikm: bytes, info: bytes, length: int) -> bytes:
    return p.hkdf_sha256(ikm, _ZERO32, info, length)


# --------------------------------------------------------------------------------------------
# Message codec (v1/chunked/states/serialize.rs)


@dataclass(frozen=True)
class _Message:
    epoch: int
    index: int
    kind: int
    chunk_index: int = 0
    chunk: bytes = b""


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(0x80 | b)
        else:
            out.append(b)
            return bytes(out)


def _read_varint(data: bytes, at: int) -> tuple[int, int]:
    """``decode_varint``: 7 bits a byte, least significant first, until a byte without the top
    bit; running out of bytes is ``MsgDecode``. Bits shifted past bit 63 are dropped (Rust's
    ``<<`` on u64), and an 11th byte, whose shift would be 70, is refused: libsignal 0.103.0
    accepts 10-byte varints, also with bits past 63 in the last byte, and refuses 11-byte ones
    (observed; a Rust shift overflow)."""
    out = 0
    shift = 0
    while at < len(data):
        if shift >= 64:
            raise MessageDecodeFailed("varint longer than 10 bytes")
        b = data[at]
        at += 1
        out = (out | ((b & 0x7F) << shift)) & (_U64 - 1)
        if not b & 0x80:
            return out, at
        shift += 7
    raise MessageDecodeFailed("truncated varint")


def encode_message(
    epoch: int, index: int, kind: int, chunk_index: int = 0, chunk: bytes = b""
) -> bytes:
    """``Message::serialize``: version 1, varint epoch, varint index, type, then for the chunk
    types varint chunk index and the 32 chunk bytes."""
    out = bytes([1]) + _varint(epoch) + _varint(index) + bytes([kind])
    if kind in _CHUNK_TYPES:
        out += _varint(chunk_index) + chunk
    return out


def decode_message(data: bytes) -> tuple[int, int, int, int | None, bytes | None]:
    """``Message::deserialize``: ``(epoch, index, type, chunk index, chunk)``; the chunk fields
    are None for the types without one. Trailing bytes are ignored. Raises
    :class:`MessageDecodeFailed`. (Rust indexes the type byte without a bounds check, so a
    message that ends before it panics there; here it is refused.)"""
    m = _decode(data)
    if m.kind in _CHUNK_TYPES:
        return m.epoch, m.index, m.kind, m.chunk_index, m.chunk
    return m.epoch, m.index, m.kind, None, None


def _decode(data: bytes) -> _Message:
    if not data or data[0] != 1:
        raise MessageDecodeFailed("not a V1 SPQR message")
    epoch, at = _read_varint(data, 1)
    index, at = _read_varint(data, at)
    if index >= 1 << 32:
        raise MessageDecodeFailed("index does not fit 32 bits")
    if at >= len(data):
        raise MessageDecodeFailed("message ends before its type")
    kind = data[at]
    at += 1
    if kind > MSG_CT2:
        raise MessageDecodeFailed(f"unknown message type {kind}")
    if kind not in _CHUNK_TYPES:
        return _Message(epoch, index, kind)
    chunk_index, at = _read_varint(data, at)
    if at + 32 > len(data) or chunk_index > 0xFFFF:
        raise MessageDecodeFailed("bad chunk")
    return _Message(epoch, index, kind, chunk_index, data[at : at + 32])


# --------------------------------------------------------------------------------------------
# Chain (chain.rs)


def chain_key(p: SpqrPrimitives, next_key: bytes, ctr: int) -> tuple[bytes, bytes]:
    """``ChainEpochDirection::next_key_internal`` for counter ``ctr`` (already incremented):
    ``HKDF(salt=0^32, ikm=next, info=be32(ctr) || "Signal PQ Ratchet V1 Chain Next", 64)`` gives
    ``(new next, key)``."""
    g = _hkdf0(p, next_key, _be32(ctr) + CHAIN_NEXT, 64)
    return g[:32], g[32:]


def _new_direction(key: bytes) -> dict[str, Any]:
    return {"ctr": 0, "next": key.hex(), "prev": []}


def _link(gen: bytes, a2b: bool) -> dict[str, Any]:
    """``Chain::ced_for_direction``: A2B keys from gen[32:64], B2A from gen[64:96]."""
    a, b = gen[32:64], gen[64:96]
    return {"send": _new_direction(a if a2b else b), "recv": _new_direction(b if a2b else a)}


def _chain_new(
    p: SpqrPrimitives, auth_key: bytes, a2b: bool, max_jump: int = MAX_JUMP
) -> dict[str, Any]:
    """``Chain::new``: ``gen = HKDF(salt=0^32, ikm=auth_key, "...Chain  Start", 96)``."""
    gen = _hkdf0(p, auth_key, CHAIN_START, 96)
    return {
        "max_jump": max_jump,
        "a2b": a2b,
        "current_epoch": 0,
        "send_epoch": 0,
        "links": [_link(gen, a2b)],
        "next_root": gen[:32].hex(),
    }


def _chain_add_epoch(p: SpqrPrimitives, chain: dict[str, Any], epoch: int, secret: bytes) -> None:
    """``Chain::add_epoch``: ``gen = HKDF(salt=next_root, ikm=secret, "...Add Epoch", 96)``."""
    if epoch != chain["current_epoch"] + 1:
        raise AssertionError("epoch secrets come in order")
    gen = p.hkdf_sha256(secret, from_hex(chain["next_root"]), CHAIN_ADD_EPOCH, 96)
    chain["current_epoch"] = epoch
    chain["next_root"] = gen[:32].hex()
    chain["links"].append(_link(gen, chain["a2b"]))


def _epoch_idx(chain: dict[str, Any], epoch: int) -> int:
    current: int = chain["current_epoch"]
    if epoch > current:
        raise EpochOutOfRange(f"epoch not in valid range: {epoch}")
    back = current - epoch
    links = len(chain["links"])
    if back >= links:
        raise EpochOutOfRange(f"epoch not in valid range: {epoch}")
    return links - 1 - back


def _next_key(p: SpqrPrimitives, d: dict[str, Any]) -> tuple[int, bytes]:
    d["ctr"] += 1
    nxt, key = chain_key(p, from_hex(d["next"]), d["ctr"])
    d["next"] = nxt.hex()
    return d["ctr"], key


def _chain_send_key(p: SpqrPrimitives, chain: dict[str, Any], epoch: int) -> tuple[int, bytes]:
    """``Chain::send_key``: the next key of the send chain of ``epoch``. Moving the send epoch
    forward drops all but one older epoch and erases the older send chains."""
    if epoch < chain["send_epoch"]:
        raise SendKeyEpochDecreased(f"send key epoch decreased ({chain['send_epoch']} -> {epoch})")
    idx = _epoch_idx(chain, epoch)
    links: list[dict[str, Any]] = chain["links"]
    if chain["send_epoch"] != epoch:
        chain["send_epoch"] = epoch
        while idx > EPOCHS_TO_KEEP_PRIOR_TO_SEND_EPOCH:
            links.pop(0)
            idx -= 1
        for i in range(idx):
            links[i]["send"]["next"] = ""
    return _next_key(p, links[idx]["send"])


def _history_remove(prev: list[list[Any]], i: int) -> None:
    """``KeyHistory::remove``: the last entry takes the removed one's place."""
    last = prev.pop()
    if i < len(prev):
        prev[i] = last


def _recv_key_at(p: SpqrPrimitives, d: dict[str, Any], at: int, max_jump: int = MAX_JUMP) -> bytes:
    """``ChainEpochDirection::key``: the key of index ``at`` of a receive chain."""
    ctr: int = d["ctr"]
    prev: list[list[Any]] = d["prev"]
    if at > ctr:
        if at - ctr > max_jump:
            raise KeyJump(f"key jump: {ctr} - {at}")
    elif at < ctr:
        # KeyHistory::get
        if at + MAX_OOO_KEYS < ctr:
            raise KeyTrimmed(f"key trimmed: {at}")
        for i, (idx, key) in enumerate(prev):
            if idx == at:
                _history_remove(prev, i)
                return from_hex(key)
        raise KeyAlreadyRequested(f"key already requested: {at}")
    else:
        raise KeyAlreadyRequested(f"key already requested: {at}")
    if at > ctr + MAX_OOO_KEYS:
        prev.clear()
    while at > d["ctr"] + 1:
        k_idx, k = _next_key(p, d)
        if k_idx + MAX_OOO_KEYS >= at:
            prev.append([k_idx, k.hex()])
    # KeyHistory::gc
    if len(prev) >= TRIM_SIZE:
        horizon = d["ctr"] - MAX_OOO_KEYS
        i = 0
        while i < len(prev):
            if prev[i][0] < horizon:
                _history_remove(prev, i)
            else:
                i += 1
    return _next_key(p, d)[1]


def _chain_recv_key(p: SpqrPrimitives, chain: dict[str, Any], epoch: int, index: int) -> bytes:
    idx = _epoch_idx(chain, epoch)
    return _recv_key_at(p, chain["links"][idx]["recv"], index, int(chain["max_jump"]))


# --------------------------------------------------------------------------------------------
# Authenticator (authenticator.rs)


def _auth_new(p: SpqrPrimitives, auth_key: bytes) -> dict[str, str]:
    """``Authenticator::new(auth_key, 1)``: zero keys, then ``update(1, auth_key)``."""
    auth = {"root": _ZERO32.hex(), "mac": _ZERO32.hex()}
    _auth_update(p, auth, 1, auth_key)
    return auth


def _auth_update(p: SpqrPrimitives, auth: dict[str, str], epoch: int, key: bytes) -> None:
    out = _hkdf0(p, from_hex(auth["root"]) + key, AUTH_UPDATE + _be64(epoch), 64)
    auth["root"] = out[:32].hex()
    auth["mac"] = out[32:].hex()


def _auth_mac(
    p: SpqrPrimitives, auth: dict[str, str], label: bytes, epoch: int, data: bytes
) -> bytes:
    return p.hmac_sha256(from_hex(auth["mac"]), label + _be64(epoch) + data)


def _auth_verify(
    p: SpqrPrimitives, auth: dict[str, str], label: bytes, epoch: int, data: bytes, mac: bytes
) -> None:
    if not _hmac.compare_digest(_auth_mac(p, auth, label, epoch, data), mac):
        what = "Ciphertext" if label == AUTH_CT else "Encapsulation key"
        raise MacVerifyFailed(f"{what} MAC is invalid")


# --------------------------------------------------------------------------------------------
# Incremental ML-KEM-768 (incremental_mlkem768.rs over libcrux)

_P768 = mlkem.ML_KEM_768


def _kem_generate(p: SpqrPrimitives, seed: bytes) -> tuple[bytes, bytes, bytes]:
    """``generate``: ML-KEM-768 KeyGen_internal(d = seed[:32], z = seed[32:]); returns
    ``(hdr = rho || H(ek), ek = ByteEncode12(t_hat), dk)``."""
    kp = mlkem.keygen(_P768, seed[:32], seed[32:], p.kem_hashes)
    rho = kp.ek[EK_SIZE:]
    return rho + p.kem_hashes.sha3_256(kp.ek), kp.ek[:EK_SIZE], kp.dk


def _kem_encaps1(p: SpqrPrimitives, hdr: bytes, m: bytes) -> tuple[bytes, bytes]:
    """``encaps1``: ``(K, r) = G(m || H(ek))`` with ``H(ek)`` from the header, and ``c1``, the
    ``u`` half of K-PKE.Encrypt, which depends on ``rho`` only. Returns ``(c1, K)``."""
    h = p.kem_hashes
    g = h.sha3_512(m + hdr[32:])
    # u does not depend on t_hat, so a zero t_hat gives the true c1.
    c = mlkem._k_pke_encrypt(_P768, h, bytes(EK_SIZE) + hdr[:32], m, g[32:])
    return c[:CT1_SIZE], g[:32]


def _kem_encaps2(p: SpqrPrimitives, ek: bytes, rho: bytes, m: bytes) -> bytes:
    """``encaps2``: the ``v`` half, c2, of ML-KEM-768.Encaps(ek || rho, m)."""
    return mlkem.encaps(_P768, ek + rho, m, p.kem_hashes).c[CT1_SIZE:]


def _kem_ek_matches_header(p: SpqrPrimitives, ek: bytes, hdr: bytes) -> bool:
    """``ek_matches_header`` (libcrux ``validate_pk_bytes``): ``H(ek || rho)`` is the header's
    hash and ``ek`` passes FIPS 203's modulus check."""
    full = ek + hdr[:32]
    if p.kem_hashes.sha3_256(full) != hdr[32:]:
        return False
    try:
        mlkem.check_encapsulation_key(_P768, full)
    except mlkem.InvalidEncapsulationKey:
        return False
    return True


def _scka_secret(p: SpqrPrimitives, ss: bytes, epoch: int) -> bytes:
    """``HKDF(salt=0^32, ikm=ss, "Signal_PQCKA_V1_MLKEM768:SCKA Key" || be64(epoch), 32)``."""
    return _hkdf0(p, ss, SCKA_KEY + _be64(epoch), 32)


# --------------------------------------------------------------------------------------------
# The V1 state machine (v1/chunked/states.rs, send_ek.rs, send_ct.rs, v1/unchunked/*)


class _Rng:
    """The step's random bytes: ``random`` itself, then SHAKE256(random) past its end."""

    def __init__(self, random: bytes, p: SpqrPrimitives) -> None:
        self._random = random
        self._p = p
        self._at = 0

    def read(self, n: int) -> bytes:
        end = self._at + n
        if end <= len(self._random):
            out = self._random[self._at : end]
        else:
            stream = self._random + self._p.kem_hashes.shake256(self._random, end)
            out = stream[self._at : end]
        self._at = end
        return out


def _encoder(data: bytes) -> dict[str, Any]:
    return {"data": data.hex(), "idx": 0}


def _next_chunk(enc: dict[str, Any]) -> tuple[int, bytes]:
    """``PolyEncoder::next_chunk`` (the index wraps at 2^16, as Rust's ``as u16``)."""
    index = enc["idx"] % 0x10000
    enc["idx"] = (enc["idx"] + 1) % (1 << 32)
    return index, gf.encoder_chunk(from_hex(enc["data"]), index)


def _add_and_decode(dec: dict[str, Any], m: _Message) -> bytes | None:
    gf.decoder_add_chunk(dec, m.chunk_index, m.chunk)
    return gf.decoder_decoded(dec)


def _v1_send(
    p: SpqrPrimitives, st: dict[str, Any], rng: _Rng
) -> tuple[int, int, int, bytes, tuple[int, bytes] | None]:
    """``States::send``: changes ``st`` in place; returns ``(epoch, type, chunk index, chunk,
    epoch secret or None)``."""
    name = st["name"]
    epoch: int = st["epoch"]
    if name == "KeysUnsampled":
        # send_ek::KeysUnsampled::send_hdr_chunk / unchunked send_header
        hdr, ek, dk = _kem_generate(p, rng.read(64))
        mac = _auth_mac(p, st["auth"], AUTH_HDR, epoch, hdr)
        enc = _encoder(hdr + mac)
        ci, chunk = _next_chunk(enc)
        st.update(name="KeysSampled", ek=ek.hex(), dk=dk.hex(), sending_hdr=enc)
        return epoch, MSG_HDR, ci, chunk, None
    if name == "KeysSampled":
        ci, chunk = _next_chunk(st["sending_hdr"])
        return epoch, MSG_HDR, ci, chunk, None
    if name == "HeaderSent":
        ci, chunk = _next_chunk(st["sending_ek"])
        return epoch, MSG_EK, ci, chunk, None
    if name == "Ct1Received":
        ci, chunk = _next_chunk(st["sending_ek"])
        return epoch, MSG_EK_CT1_ACK, ci, chunk, None
    if name == "EkSentCt1Received":
        return epoch, MSG_CT1_ACK, 0, b"", None
    if name == "NoHeaderReceived":
        return epoch, MSG_NONE, 0, b"", None
    if name == "HeaderReceived":
        # send_ct::HeaderReceived::send_ct1_chunk / unchunked send_ct1
        m = rng.read(32)
        hdr = from_hex(st["hdr"])
        ct1, ss = _kem_encaps1(p, hdr, m)
        secret = _scka_secret(p, ss, epoch)
        _auth_update(p, st["auth"], epoch, secret)
        enc = _encoder(ct1)
        ci, chunk = _next_chunk(enc)
        st.update(name="Ct1Sampled", m=m.hex(), ct1=ct1.hex(), sending_ct1=enc)
        return epoch, MSG_CT1, ci, chunk, (epoch, secret)
    if name in ("Ct1Sampled", "EkReceivedCt1Sampled"):
        ci, chunk = _next_chunk(st["sending_ct1"])
        return epoch, MSG_CT1, ci, chunk, None
    if name == "Ct1Acknowledged":
        return epoch, MSG_NONE, 0, b"", None
    if name == "Ct2Sampled":
        ci, chunk = _next_chunk(st["sending_ct2"])
        return epoch, MSG_CT2, ci, chunk, None
    raise InvalidInput(f"unknown SPQR state {name!r}")


def _send_ct2(p: SpqrPrimitives, st: dict[str, Any], ek: bytes) -> None:
    """unchunked ``Ct1SentEkReceived::send_ct2``, then the Ct2Sampled encoder of ct2 || mac."""
    epoch: int = st["epoch"]
    ct1 = from_hex(st["ct1"])
    ct2 = _kem_encaps2(p, ek, from_hex(st["hdr"])[:32], from_hex(st["m"]))
    mac = _auth_mac(p, st["auth"], AUTH_CT, epoch, ct1 + ct2)
    _replace(st, "Ct2Sampled", epoch, st["auth"], sending_ct2=_encoder(ct2 + mac))


def _replace(
    st: dict[str, Any], name: str, epoch: int, auth: dict[str, str], **fields: Any
) -> None:
    st.clear()
    st.update(name=name, epoch=epoch, auth=auth, **fields)


def _recv_ek(p: SpqrPrimitives, st: dict[str, Any], ek: bytes) -> None:
    """unchunked ``Ct1Sent::recv_ek``."""
    if not _kem_ek_matches_header(p, ek, from_hex(st["hdr"])):
        raise ErroneousDataReceived("Erroneous data received from remote party")


def _v1_recv(p: SpqrPrimitives, st: dict[str, Any], m: _Message) -> tuple[int, bytes] | None:
    """``States::recv``: changes ``st`` in place; returns the epoch secret it yields, if any."""
    name = st["name"]
    epoch: int = st["epoch"]
    if m.epoch > epoch:
        if name == "Ct2Sampled" and m.epoch == epoch + 1:
            # send_ct::Ct2Sampled::recv_next_epoch: the roles swap.
            _replace(st, "KeysUnsampled", epoch + 1, st["auth"])
            return None
        raise EpochOutOfRange(f"epoch not in valid range: {m.epoch}")
    if m.epoch < epoch:
        return None
    kind = m.kind
    if name == "KeysSampled":
        if kind == MSG_CT1:
            dec = gf.new_decoder(CT1_SIZE)
            gf.decoder_add_chunk(dec, m.chunk_index, m.chunk)
            _replace(
                st,
                "HeaderSent",
                epoch,
                st["auth"],
                dk=st["dk"],
                sending_ek=_encoder(from_hex(st["ek"])),
                receiving_ct1=dec,
            )
    elif name == "HeaderSent":
        if kind == MSG_CT1:
            ct1 = _add_and_decode(st["receiving_ct1"], m)
            if ct1 is not None:
                _replace(
                    st,
                    "Ct1Received",
                    epoch,
                    st["auth"],
                    dk=st["dk"],
                    ct1=ct1.hex(),
                    sending_ek=st["sending_ek"],
                )
    elif name == "Ct1Received":
        if kind == MSG_CT2:
            dec = gf.new_decoder(CT2_SIZE + MAC_SIZE)
            gf.decoder_add_chunk(dec, m.chunk_index, m.chunk)
            _replace(
                st,
                "EkSentCt1Received",
                epoch,
                st["auth"],
                dk=st["dk"],
                ct1=st["ct1"],
                receiving_ct2=dec,
            )
    elif name == "EkSentCt1Received":
        if kind == MSG_CT2:
            data = _add_and_decode(st["receiving_ct2"], m)
            if data is not None:
                # unchunked EkSentCt1Received::recv_ct2
                ct2, mac = data[:CT2_SIZE], data[CT2_SIZE:]
                ct1 = from_hex(st["ct1"])
                ss = mlkem.decaps(_P768, from_hex(st["dk"]), ct1 + ct2, p.kem_hashes)
                secret = _scka_secret(p, ss, epoch)
                auth = dict(st["auth"])
                _auth_update(p, auth, epoch, secret)
                _auth_verify(p, auth, AUTH_CT, epoch, ct1 + ct2, mac)
                _replace(
                    st,
                    "NoHeaderReceived",
                    epoch + 1,
                    auth,
                    receiving_hdr=gf.new_decoder(HEADER_SIZE + MAC_SIZE),
                )
                return epoch, secret
    elif name == "NoHeaderReceived":
        if kind == MSG_HDR:
            data = _add_and_decode(st["receiving_hdr"], m)
            if data is not None:
                hdr, mac = data[:HEADER_SIZE], data[HEADER_SIZE:]
                _auth_verify(p, st["auth"], AUTH_HDR, epoch, hdr, mac)
                _replace(
                    st,
                    "HeaderReceived",
                    epoch,
                    st["auth"],
                    hdr=hdr.hex(),
                    receiving_ek=gf.new_decoder(EK_SIZE),
                )
    elif name == "Ct1Sampled":
        if kind in (MSG_EK, MSG_EK_CT1_ACK):
            ack = kind == MSG_EK_CT1_ACK
            ek = _add_and_decode(st["receiving_ek"], m)
            if ek is not None:
                _recv_ek(p, st, ek)
                if ack:
                    _send_ct2(p, st, ek)
                else:
                    _replace(
                        st,
                        "EkReceivedCt1Sampled",
                        epoch,
                        st["auth"],
                        hdr=st["hdr"],
                        m=st["m"],
                        ct1=st["ct1"],
                        ek=ek.hex(),
                        sending_ct1=st["sending_ct1"],
                    )
            elif ack:
                _replace(
                    st,
                    "Ct1Acknowledged",
                    epoch,
                    st["auth"],
                    hdr=st["hdr"],
                    m=st["m"],
                    ct1=st["ct1"],
                    receiving_ek=st["receiving_ek"],
                )
    elif name == "EkReceivedCt1Sampled":
        if kind in (MSG_CT1_ACK, MSG_EK_CT1_ACK):
            _send_ct2(p, st, from_hex(st["ek"]))
    elif name == "Ct1Acknowledged":
        if kind in (MSG_EK, MSG_EK_CT1_ACK):
            ek = _add_and_decode(st["receiving_ek"], m)
            if ek is not None:
                _recv_ek(p, st, ek)
                _send_ct2(p, st, ek)
    elif name not in ("KeysUnsampled", "HeaderReceived", "Ct2Sampled"):
        raise InvalidInput(f"unknown SPQR state {name!r}")
    return None


# --------------------------------------------------------------------------------------------
# lib.rs: the public API


@dataclass(frozen=True)
class SpqrSend:
    """``spqr::Send``: the new state, the message for SignalMessage's ``pq_ratchet`` field and
    the 32-byte key mixed into the message keys (None only for a version-0 state)."""

    state: bytes
    message: bytes
    key: bytes | None


@dataclass(frozen=True)
class SpqrRecv:
    """``spqr::Recv``: the new state and the message's key (None: mix nothing in)."""

    state: bytes
    key: bytes | None


_KIND = "spqr"


def _load(state: bytes) -> dict[str, Any]:
    if not state:
        # lib.rs decode_state: an empty state is version 0.
        return {"v1": None, "vn": None, "chain": None}
    doc = load_state(state, _KIND)
    for key in ("v1", "vn", "chain"):
        if key not in doc:
            raise InvalidInput("not an spqr state")
    return doc


def _dump(doc: dict[str, Any]) -> bytes:
    return dump_state(_KIND, {"v1": doc["v1"], "vn": doc["vn"], "chain": doc["chain"]})


def initial_state(
    auth_key: bytes,
    is_alice: bool,
    *,
    self_session: bool = False,
    primitives: SpqrPrimitives = HASHLIB_PRIMITIVES,
) -> bytes:
    """``spqr::initial_state`` as libsignal calls it (ratchet.rs ``initialize_alice_session`` /
    ``initialize_bob_session``): version V1, min_version V1 ("Require that all clients speak
    SPQR"), direction A2B for Alice (send_ek first: ``KeysUnsampled``) and B2A for Bob (send_ct
    first: ``NoHeaderReceived``), both at epoch 1 with an authenticator keyed by ``auth_key``.
    Chain parameters (ratchet.rs ``spqr_chain_params``): max_ooo_keys = MAX_MESSAGE_KEYS = 2000;
    max_jump = MAX_FORWARD_JUMPS = 25000, or u32::MAX for a session with oneself
    (``self_session``: local identity == remote identity). The chain is created on first use
    from the negotiation record."""
    if len(auth_key) != 32:
        raise InvalidInput("the SPQR auth key is 32 bytes")
    p = primitives
    max_jump = 0xFFFFFFFF if self_session else MAX_JUMP
    return _dump(
        {
            "v1": _init_inner(p, auth_key, is_alice),
            "vn": {
                "auth_key": auth_key.hex(),
                "a2b": is_alice,
                "min_version": 1,
                "max_jump": max_jump,
            },
            "chain": None,
        }
    )


def _init_inner(p: SpqrPrimitives, auth_key: bytes, is_alice: bool) -> dict[str, Any]:
    """``States::init_a`` / ``init_b``."""
    auth = _auth_new(p, auth_key)
    if is_alice:
        return {"name": "KeysUnsampled", "epoch": 1, "auth": auth}
    return {
        "name": "NoHeaderReceived",
        "epoch": 1,
        "auth": auth,
        "receiving_hdr": gf.new_decoder(HEADER_SIZE + MAC_SIZE),
    }


def _chain_from(p: SpqrPrimitives, doc: dict[str, Any]) -> dict[str, Any]:
    """lib.rs ``chain_from``: the stored chain, else one made from the negotiation record."""
    if doc["chain"] is not None:
        return dict(doc["chain"])
    vn = doc["vn"]
    if vn is None:
        raise ChainNotAvailable("Chain not available")
    return _chain_new(p, from_hex(vn["auth_key"]), bool(vn["a2b"]), int(vn["max_jump"]))


def send(
    state: bytes, random: bytes, *, primitives: SpqrPrimitives = HASHLIB_PRIMITIVES
) -> SpqrSend:
    """``spqr::send``: one SCKA step, then the chain's next send key for the epoch before the
    message's (``msg.epoch - 1``), whose index goes into the message. A new epoch secret (Bob,
    on his first Ct1 chunk of an epoch) is mixed into the chain first. ``random``: 64 bytes (see
    the module docstring)."""
    if len(random) != 64:
        raise InvalidInput("send takes 64 random bytes")
    try:
        return _send(primitives, state, random)
    except (KeyError, TypeError, IndexError, AttributeError) as exc:
        raise InvalidInput("malformed spqr state") from exc


def _send(p: SpqrPrimitives, state: bytes, random: bytes) -> SpqrSend:
    doc = _load(state)
    if doc["v1"] is None:
        return SpqrSend(b"", b"", None)
    inner = dict(doc["v1"])
    epoch, kind, ci, chunk, secret = _v1_send(p, inner, _Rng(random, p))
    chain: dict[str, Any] | None
    if doc["chain"] is None and doc["vn"] is not None and doc["vn"]["min_version"] == 0:
        chain = None
    else:
        chain = _chain_from(p, doc)
    if chain is None:
        index, key = 0, b""
    else:
        if secret is not None:
            _chain_add_epoch(p, chain, secret[0], secret[1])
        index, key = _chain_send_key(p, chain, epoch - 1)
    msg = encode_message(epoch, index, kind, ci, chunk)
    new = _dump({"v1": inner, "vn": doc["vn"], "chain": chain})
    return SpqrSend(new, msg, key or None)


def recv(
    state: bytes, message: bytes, *, primitives: SpqrPrimitives = HASHLIB_PRIMITIVES
) -> SpqrRecv:
    """``spqr::recv``: version negotiation, then one SCKA step and the chain's receive key for
    ``(msg.epoch - 1, msg.index)``; an epoch secret the step yields (Alice, on the last Ct2
    chunk) is mixed into the chain first. Key None: a V1 message with epoch 1 and index 0
    (what a sender without a chain sends; libsignal 0.103.0 accepts it with unsalted keys).
    A refusal raises a :class:`SpqrError` (or :class:`MacVerifyFailed`) whose ``state`` is the
    unchanged state."""
    try:
        return _recv(primitives, state, message)
    except (SpqrError, MacVerifyFailed) as exc:
        exc.state = state
        raise
    except (KeyError, TypeError, IndexError, AttributeError) as exc:
        raise InvalidInput("malformed spqr state") from exc


def _recv(p: SpqrPrimitives, state: bytes, message: bytes) -> SpqrRecv:
    pre = _load(state)
    if not message:
        version = 0
    elif message[0] in (0, 1):
        version = message[0]
    else:
        # spqr v1.5.3's lib.rs ignores a version it does not know (state unchanged, no key);
        # libsignal 0.103.0, which builds spqr 1.6.0, refuses such a message (observed for
        # first bytes 2, 3 and 0xFF), and this module follows libsignal.
        raise UnsupportedVersion(f"unsupported SPQR message version {message[0]}")
    ours = 0 if pre["v1"] is None else 1
    doc = pre
    if version < ours:
        vn = pre["vn"]
        if vn is None:
            raise VersionMismatch("Version mismatch after negotiation")
        if version < vn["min_version"]:
            raise MinimumVersion("Minimum version")
        doc = {"v1": None, "vn": None, "chain": _chain_from(p, pre)}
    if doc["v1"] is None:
        return SpqrRecv(b"", None)
    m = _decode(message)
    inner = dict(doc["v1"])
    secret = _v1_recv(p, inner, m)
    chain = _chain_from(p, doc)
    if secret is not None:
        _chain_add_epoch(p, chain, secret[0], secret[1])
    if m.epoch == 0:
        # Rust computes epoch - 1 in u64: it wraps and the chain has no such epoch.
        raise EpochOutOfRange(f"epoch not in valid range: {m.epoch}")
    key_epoch = m.epoch - 1
    key = b"" if key_epoch == 0 and m.index == 0 else _chain_recv_key(p, chain, key_epoch, m.index)
    new = _dump({"v1": inner, "vn": None, "chain": chain})
    return SpqrRecv(new, key or None)
