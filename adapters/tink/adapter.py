"""Stdio adapter for Tink (Python), Google's misuse-resistant crypto library.

Tink exposes primitives, not algorithms: keys live in keysets, a ciphertext or tag may carry a
5-byte key-id prefix, and the AEADs choose their own random nonce. Keys are imported here as
cleartext keysets (``tink.proto_keyset_format.parse`` with ``secret_key_access.TOKEN``) holding
one key with output prefix ``RAW``, so outputs are the bare algorithm outputs. Declared is only
what gives known-answer behaviour that way:

- ``hmac-sha256``: ``tink.mac`` with an ``HmacKey`` (SHA256, 32-byte tag). Tink refuses HMAC keys
  shorter than 16 bytes; those are refused here as Unsupported.
- ``hkdf-sha256``: ``tink.prf`` with an ``HkdfPrfKey`` (SHA256): the key is the IKM, the salt is a
  key parameter and the PRF input is the info. Tink refuses an IKM shorter than 32 bytes
  (Unsupported) and an output longer than 255 * 32 bytes (InvalidInput).

Not declared (see the manifest's notes): the AEADs (Tink picks the nonce, so only decryption of a
given nonce || ciphertext || tag can be checked; IETF ChaCha20-Poly1305 has no key manager in Tink
Python at all), Ed25519 (signing from a seed and verifying are exact, but Tink offers no way to
derive a public key from a seed), X25519 (only inside HPKE/ECIES).
"""

from __future__ import annotations

import importlib.metadata
from typing import Protocol

import tink
from e2ee_host import Refusal, serve
from tink import mac, prf, secret_key_access
from tink.proto import common_pb2, hkdf_prf_pb2, hmac_pb2, tink_pb2

mac.register()
prf.register()

_TYPE_URL = "type.googleapis.com/google.crypto.tink."
_HMAC_SIZE = 32


class _KeyProto(Protocol):
    """The one method of a protobuf key message used here (protobuf ships no type stubs)."""

    def SerializeToString(self) -> bytes: ...


def _raw_keyset(key_type: str, key: _KeyProto) -> tink.KeysetHandle:
    """A keyset holding ``key`` alone, enabled, primary, with no output prefix."""
    keyset = tink_pb2.Keyset(primary_key_id=1)
    entry = keyset.key.add()
    entry.key_data.type_url = _TYPE_URL + key_type
    entry.key_data.value = key.SerializeToString()
    entry.key_data.key_material_type = tink_pb2.KeyData.SYMMETRIC
    entry.status = tink_pb2.ENABLED
    entry.key_id = 1
    entry.output_prefix_type = tink_pb2.RAW
    return tink.proto_keyset_format.parse(keyset.SerializeToString(), secret_key_access.TOKEN)


def _mac(key: bytes) -> mac.Mac:
    params = hmac_pb2.HmacParams(hash=common_pb2.SHA256, tag_size=_HMAC_SIZE)
    try:
        handle = _raw_keyset("HmacKey", hmac_pb2.HmacKey(version=0, key_value=key, params=params))
        return handle.primitive(mac.Mac)
    except tink.TinkError as exc:  # "key_value is too short" below 16 bytes
        raise Refusal("Unsupported", f"Tink refuses this HMAC key: {exc}") from exc


def hmac_sha256(key: bytes, message: bytes) -> bytes:
    return bytes(_mac(key).compute_mac(message))


def hmac_sha256_verify(key: bytes, message: bytes, tag: bytes) -> None:
    primitive = _mac(key)
    try:
        primitive.verify_mac(tag, message)
    except tink.TinkError as exc:
        raise Refusal("AuthenticationFailed", str(exc) or "invalid MAC") from exc


def hkdf_sha256(ikm: bytes, salt: bytes, info: bytes, length: int) -> bytes:
    if length < 0:
        raise Refusal("InvalidInput", f"negative length {length}")
    params = hkdf_prf_pb2.HkdfPrfParams(hash=common_pb2.SHA256, salt=salt)
    try:
        handle = _raw_keyset(
            "HkdfPrfKey", hkdf_prf_pb2.HkdfPrfKey(version=0, key_value=ikm, params=params)
        )
        primitive = handle.primitive(prf.PrfSet).primary()
    except tink.TinkError as exc:  # "key_value is too short" below 32 bytes
        raise Refusal("Unsupported", f"Tink refuses this HKDF key (IKM): {exc}") from exc
    try:
        return bytes(primitive.compute(info, length))
    except tink.TinkError as exc:  # OUT_OF_RANGE above 255 * HashLen
        raise Refusal("InvalidInput", str(exc)) from exc


_VERSIONS = {name: importlib.metadata.version(name) for name in ("tink", "protobuf")}

DESCRIBE = {
    "name": "tink",
    "implementation": "Tink (Python)",
    "version": f"{_VERSIONS['tink']} (protobuf {_VERSIONS['protobuf']})",
    "capabilities": ["hmac-sha256", "hkdf-sha256"],
    "notes": {
        "hmac-sha256": "tink.mac with a RAW-prefix HmacKey (SHA256, 32-byte tag); Tink refuses "
        "keys shorter than 16 bytes (refused as Unsupported)",
        "hkdf-sha256": "tink.prf's HKDF PRF with a RAW-prefix HkdfPrfKey: key = IKM, salt = key "
        "parameter, input = info; Tink refuses an IKM shorter than 32 bytes (refused as "
        "Unsupported)",
    },
}

HANDLERS = {
    "hmac-sha256.hmac_sha256": hmac_sha256,
    "hmac-sha256.hmac_sha256_verify": hmac_sha256_verify,
    "hkdf-sha256.hkdf_sha256": hkdf_sha256,
}

if __name__ == "__main__":
    serve(DESCRIBE, HANDLERS)
