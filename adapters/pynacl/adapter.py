"""Bundled adapter for PyNaCl and the libsodium it bundles.

libsodium has no AES-CBC, so ``aes-256-cbc`` (and the CBC+HMAC composite) is not declared. Its
HMAC-SHA-256 is exported by PyNaCl's extension module but not wrapped, so it is reached through
ctypes; HKDF is composed here over that HMAC (RFC 5869 §2.2-2.3), as the manifest notes say.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable

import nacl
import nacl._sodium
import nacl.bindings as sodium
import nacl.exceptions
import nacl.signing

from conformance.adapter import Adapter
from conformance.errors import (
    AuthenticationFailed,
    InvalidInput,
    InvalidKey,
    InvalidSignature,
)

_HASH_LEN = 32
_TAG_SIZE = 16


class _Libsodium:
    """The HMAC-SHA-256 functions of PyNaCl's bundled libsodium, through ctypes."""

    def __init__(self) -> None:
        lib = ctypes.CDLL(nacl._sodium.__file__)
        self._state_size = lib.crypto_auth_hmacsha256_statebytes()
        self._init = lib.crypto_auth_hmacsha256_init
        self._update = lib.crypto_auth_hmacsha256_update
        self._final = lib.crypto_auth_hmacsha256_final
        self._init.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t]
        self._update.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_ulonglong]
        self._final.argtypes = [ctypes.c_void_p, ctypes.c_void_p]

    def hmac_sha256(self, key: bytes, message: bytes) -> bytes:
        state = ctypes.create_string_buffer(self._state_size)
        out = ctypes.create_string_buffer(_HASH_LEN)
        if (
            self._init(state, key, len(key)) != 0
            or self._update(state, message, len(message)) != 0
            or self._final(state, out) != 0
        ):
            raise InvalidInput("crypto_auth_hmacsha256 failed")
        return out.raw


class _X25519:
    def x25519(self, private: bytes, public: bytes) -> bytes:
        try:
            return bytes(sodium.crypto_scalarmult(private, public))
        except nacl.exceptions.CryptoError as exc:
            # crypto_scalarmult fails on an all-zero result (a low-order public value).
            raise InvalidKey(str(exc) or "crypto_scalarmult failed") from exc


class _Ed25519:
    def ed25519_public_key(self, private: bytes) -> bytes:
        try:
            return bytes(nacl.signing.SigningKey(private).verify_key)
        except nacl.exceptions.CryptoError as exc:
            raise InvalidKey(str(exc)) from exc

    def ed25519_sign(self, private: bytes, message: bytes) -> bytes:
        try:
            return bytes(nacl.signing.SigningKey(private).sign(message).signature)
        except nacl.exceptions.CryptoError as exc:
            raise InvalidKey(str(exc)) from exc

    def ed25519_verify(self, public: bytes, message: bytes, signature: bytes) -> None:
        try:
            key = nacl.signing.VerifyKey(public)
        except nacl.exceptions.CryptoError as exc:
            raise InvalidKey(str(exc)) from exc
        try:
            key.verify(message, signature)
        except nacl.exceptions.CryptoError as exc:
            # BadSignatureError, or ValueError for a signature that is not 64 bytes.
            raise InvalidSignature(str(exc) or "signature did not verify") from exc


class _Hmac:
    def __init__(self, lib: _Libsodium) -> None:
        self._lib = lib

    def hmac_sha256(self, key: bytes, message: bytes) -> bytes:
        return self._lib.hmac_sha256(key, message)

    def hmac_sha256_verify(self, key: bytes, message: bytes, tag: bytes) -> None:
        expected = self._lib.hmac_sha256(key, message)
        if len(tag) != len(expected) or not sodium.sodium_memcmp(expected, tag):
            raise AuthenticationFailed("HMAC tag mismatch")


class _Hkdf:
    """RFC 5869 §2.2 (extract) and §2.3 (expand) over libsodium's HMAC-SHA-256."""

    def __init__(self, lib: _Libsodium) -> None:
        self._lib = lib

    def hkdf_sha256(self, ikm: bytes, salt: bytes, info: bytes, length: int) -> bytes:
        if not 0 <= length <= 255 * _HASH_LEN:
            raise InvalidInput(f"length {length} exceeds 255 * HashLen")
        prk = self._lib.hmac_sha256(salt or bytes(_HASH_LEN), ikm)
        okm, block = b"", b""
        for counter in range(1, -(-length // _HASH_LEN) + 1):
            block = self._lib.hmac_sha256(prk, block + info + bytes([counter]))
            okm += block
        return okm[:length]


_Encrypt = Callable[[bytes, bytes, bytes, bytes], bytes]


class _Aead:
    def __init__(
        self, encrypt: _Encrypt, decrypt: _Encrypt, key_size: int, nonce_size: int
    ) -> None:
        self._encrypt = encrypt
        self._decrypt = decrypt
        self._key_size = key_size
        self._nonce_size = nonce_size

    def _check(self, key: bytes, nonce: bytes) -> None:
        # PyNaCl reports wrong sizes with the same exception family as a bad tag.
        if len(key) != self._key_size:
            raise InvalidInput(f"key must be {self._key_size} bytes")
        if len(nonce) != self._nonce_size:
            raise InvalidInput(f"nonce must be {self._nonce_size} bytes")

    def encrypt(self, key: bytes, nonce: bytes, plaintext: bytes, aad: bytes) -> bytes:
        self._check(key, nonce)
        return bytes(self._encrypt(plaintext, aad, nonce, key))

    def decrypt(self, key: bytes, nonce: bytes, ciphertext: bytes, aad: bytes) -> bytes:
        self._check(key, nonce)
        if len(ciphertext) < _TAG_SIZE:
            # PyNaCl's binding computes a negative plaintext length and cffi raises a bare
            # ValueError ("negative array length") before libsodium sees the input.
            raise AuthenticationFailed("ciphertext shorter than the tag")
        try:
            return bytes(self._decrypt(ciphertext, aad, nonce, key))
        except nacl.exceptions.CryptoError as exc:
            raise AuthenticationFailed(str(exc) or "decryption failed") from exc


class PyNaClAdapter(Adapter):
    implementation = "PyNaCl (libsodium)"
    #: Stateless primitives only: contract 2 asks nothing more of them than 1.
    protocol = 2

    def version(self) -> str:
        return f"{nacl.__version__} (bundled libsodium)"

    def capabilities(self) -> dict[str, object]:
        lib = _Libsodium()
        caps: dict[str, object] = {
            "x25519": _X25519(),
            "ed25519": _Ed25519(),
            "hmac-sha256": _Hmac(lib),
            "hkdf-sha256": _Hkdf(lib),
            "aead:chacha20-poly1305": _Aead(
                sodium.crypto_aead_chacha20poly1305_ietf_encrypt,
                sodium.crypto_aead_chacha20poly1305_ietf_decrypt,
                32,
                12,
            ),
            "aead:xchacha20-poly1305": _Aead(
                sodium.crypto_aead_xchacha20poly1305_ietf_encrypt,
                sodium.crypto_aead_xchacha20poly1305_ietf_decrypt,
                32,
                24,
            ),
        }
        if nacl._sodium.lib.crypto_aead_aes256gcm_is_available():
            caps["aead:aes-256-gcm"] = _Aead(
                sodium.crypto_aead_aes256gcm_encrypt,
                sodium.crypto_aead_aes256gcm_decrypt,
                32,
                12,
            )
        return caps
