"""Bundled adapter for PyCryptodome, an implementation independent of OpenSSL and libsodium.

It is the second reproduction of the AES-CBC and AES-GCM vectors, which libsodium lacks here.
PyCryptodome reports every rejection as ValueError; the method it came from decides the kind.
"""

from __future__ import annotations

import Crypto
from Crypto.Cipher import AES, ChaCha20_Poly1305
from Crypto.Hash import HMAC, SHA256
from Crypto.Protocol import DH
from Crypto.Protocol.KDF import HKDF
from Crypto.PublicKey import ECC
from Crypto.Signature import eddsa
from Crypto.Util.Padding import pad, unpad

from conformance.adapter import Adapter
from conformance.errors import (
    AuthenticationFailed,
    InvalidInput,
    InvalidKey,
    InvalidMessage,
    InvalidSignature,
)

_TAG = 16


def _identity(secret: bytes) -> bytes:
    return secret


class _X25519:
    def x25519(self, private: bytes, public: bytes) -> bytes:
        try:
            return bytes(
                DH.key_agreement(
                    static_priv=DH.import_x25519_private_key(private),
                    static_pub=DH.import_x25519_public_key(public),
                    kdf=_identity,
                )
            )
        except ValueError as exc:
            raise InvalidKey(str(exc)) from exc


class _Ed25519:
    def _key(self, private: bytes) -> ECC.EccKey:
        try:
            return ECC.construct(curve="Ed25519", seed=private)
        except ValueError as exc:
            raise InvalidKey(str(exc)) from exc

    def ed25519_public_key(self, private: bytes) -> bytes:
        return bytes(self._key(private).public_key().export_key(format="raw"))

    def ed25519_sign(self, private: bytes, message: bytes) -> bytes:
        return bytes(eddsa.new(self._key(private), "rfc8032").sign(message))

    def ed25519_verify(self, public: bytes, message: bytes, signature: bytes) -> None:
        try:
            key = eddsa.import_public_key(public)
        except ValueError as exc:
            raise InvalidKey(str(exc)) from exc
        try:
            eddsa.new(key, "rfc8032").verify(message, signature)
        except ValueError as exc:
            raise InvalidSignature(str(exc)) from exc


class _Hkdf:
    def hkdf_sha256(self, ikm: bytes, salt: bytes, info: bytes, length: int) -> bytes:
        if length == 0:
            return b""
        try:
            out = HKDF(ikm, length, salt or None, SHA256, 1, info)
        except ValueError as exc:
            raise InvalidInput(str(exc)) from exc
        assert isinstance(out, bytes)
        return out


class _Hmac:
    def hmac_sha256(self, key: bytes, message: bytes) -> bytes:
        return bytes(HMAC.new(key, message, SHA256).digest())

    def hmac_sha256_verify(self, key: bytes, message: bytes, tag: bytes) -> None:
        # PyCryptodome's verify compares MACs of the tag and the digest, so a short tag fails too.
        try:
            HMAC.new(key, message, SHA256).verify(tag)
        except ValueError as exc:
            raise AuthenticationFailed(str(exc)) from exc


class _Aead:
    """ChaCha20-Poly1305 picks its variant from the nonce length, and GCM takes any nonce
    length, so each capability pins the one nonce size it stands for."""

    def __init__(self, kind: str, nonce_size: int) -> None:
        self._kind = kind
        self._nonce_size = nonce_size

    def _cipher(self, key: bytes, nonce: bytes):  # type: ignore[no-untyped-def]
        if len(nonce) != self._nonce_size:
            raise InvalidInput(f"nonce must be {self._nonce_size} bytes")
        if len(key) != 32:
            raise InvalidInput("key must be 32 bytes")
        if self._kind == "gcm":
            return AES.new(key, AES.MODE_GCM, nonce=nonce, mac_len=_TAG)
        return ChaCha20_Poly1305.new(key=key, nonce=nonce)

    def encrypt(self, key: bytes, nonce: bytes, plaintext: bytes, aad: bytes) -> bytes:
        cipher = self._cipher(key, nonce)
        cipher.update(aad)
        ct, tag = cipher.encrypt_and_digest(plaintext)
        return bytes(ct + tag)

    def decrypt(self, key: bytes, nonce: bytes, ciphertext: bytes, aad: bytes) -> bytes:
        cipher = self._cipher(key, nonce)
        if len(ciphertext) < _TAG:
            raise AuthenticationFailed("ciphertext shorter than the tag")
        cipher.update(aad)
        try:
            return bytes(cipher.decrypt_and_verify(ciphertext[:-_TAG], ciphertext[-_TAG:]))
        except ValueError as exc:
            raise AuthenticationFailed(str(exc)) from exc


class _Cbc:
    def aes_256_cbc_encrypt(self, key: bytes, iv: bytes, plaintext: bytes, padding: bool) -> bytes:
        if len(key) != 32 or len(iv) != 16:
            raise InvalidInput("AES-256-CBC needs a 32-byte key and a 16-byte IV")
        data = pad(plaintext, 16, style="pkcs7") if padding else plaintext
        try:
            return bytes(AES.new(key, AES.MODE_CBC, iv=iv).encrypt(data))
        except ValueError as exc:
            raise InvalidInput(str(exc)) from exc

    def aes_256_cbc_decrypt(self, key: bytes, iv: bytes, ciphertext: bytes, padding: bool) -> bytes:
        if len(key) != 32 or len(iv) != 16:
            raise InvalidInput("AES-256-CBC needs a 32-byte key and a 16-byte IV")
        if len(ciphertext) % 16 or (padding and not ciphertext):
            raise InvalidMessage("ciphertext length is not a positive multiple of 16")
        data = bytes(AES.new(key, AES.MODE_CBC, iv=iv).decrypt(ciphertext))
        if not padding:
            return data
        try:
            return bytes(unpad(data, 16, style="pkcs7"))
        except ValueError as exc:
            raise InvalidMessage("bad padding") from exc


class PyCryptodomeAdapter(Adapter):
    implementation = "PyCryptodome"
    #: Stateless primitives only: contract 2 asks nothing more of them than 1.
    protocol = 2

    def version(self) -> str:
        return str(Crypto.__version__)

    def capabilities(self) -> dict[str, object]:
        return {
            "x25519": _X25519(),
            "ed25519": _Ed25519(),
            "hkdf-sha256": _Hkdf(),
            "hmac-sha256": _Hmac(),
            "aead:chacha20-poly1305": _Aead("chacha", 12),
            "aead:xchacha20-poly1305": _Aead("chacha", 24),
            "aead:aes-256-gcm": _Aead("gcm", 12),
            "aes-256-cbc": _Cbc(),
        }
