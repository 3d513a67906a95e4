"""Bundled adapter for PyCryptodome, an implementation independent of OpenSSL and libsodium.

It is the second reproduction of the AES-CBC and AES-GCM vectors, which libsodium lacks here.
PyCryptodome reports every rejection as ValueError; the method it came from decides the kind.

The post-quantum family (ML-KEM, ML-DSA, X-Wing) needs PyCryptodome 4.2 or later (MLDSA arrived
in 4.1.0, MLKEM and Hybrid in 4.2.0); with an older one those capabilities are absent at run time
and the report says why. 4.2.0 and 4.5.0 were measured: the same outputs and refusals. Injected
randomness reaches the library through its private entry points (``MLKEMKey._encaps(coins)``,
``MLDSAKey._sign(..., external_mu=True)``, ``HybridKey._encaps(randomness)``), which its own HPKE
and signature objects call; ML-DSA's rnd goes through the public ``randfunc`` of
``Crypto.Signature.mldsa.new``.
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

try:  # PyCryptodome 4.2 or later
    from Crypto.PublicKey import MLDSA, MLKEM, Hybrid
    from Crypto.Signature import mldsa

    _PQ = True
except ImportError:  # pragma: no cover - an older PyCryptodome
    _PQ = False

from conformance.adapter import Adapter
from conformance.errors import (
    AuthenticationFailed,
    InvalidInput,
    InvalidKey,
    InvalidMessage,
    InvalidSignature,
)

_TAG = 16
_SEED = 32
_MU = 64


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


def _size(name: str, value: bytes, size: int) -> None:
    if len(value) != size:
        raise InvalidInput(f"{name} must be {size} bytes, not {len(value)}")


class _MlKem:
    """ML-KEM through MLKEM.construct: seed= (d || z), ek= (the §7.2 modulus check runs there)
    and expanded_dk= (the §7.3 hash check and a pairwise consistency check run there)."""

    def __init__(self, n: int) -> None:
        self._set = getattr(MLKEM, f"ML_KEM_{n}")

    def ml_kem_keygen(self, d: bytes, z: bytes) -> dict[str, bytes]:
        _size("d", d, _SEED)
        _size("z", z, _SEED)
        key = MLKEM.construct(param_set=self._set, seed=d + z)
        return {"ek": bytes(key.ek), "dk": bytes(key.expanded_dk)}

    def ml_kem_encaps(self, ek: bytes, m: bytes) -> dict[str, bytes]:
        _size("m", m, _SEED)
        try:
            key = MLKEM.construct(param_set=self._set, ek=ek)
        except ValueError as exc:
            raise InvalidKey(str(exc)) from exc
        k, c = key._encaps(coins=m)
        return {"c": bytes(c), "k": bytes(k)}

    def ml_kem_decaps(self, dk: bytes, c: bytes) -> bytes:
        try:
            key = MLKEM.construct(param_set=self._set, expanded_dk=dk)
        except ValueError as exc:
            raise InvalidKey(str(exc)) from exc
        try:
            return bytes(key._decaps(c))
        except ValueError as exc:
            raise InvalidMessage(str(exc)) from exc


class _MlDsa:
    """ML-DSA through MLDSA.construct (seed=, sk=, pk=) and the public Crypto.Signature.mldsa
    signer, whose randfunc supplies rnd; external mu through the private MLDSAKey._sign and
    _verify with external_mu=True."""

    def __init__(self, n: int) -> None:
        self._set = getattr(MLDSA, f"ML_DSA_{n}")

    def _private(self, sk: bytes):  # type: ignore[no-untyped-def]
        try:
            return MLDSA.construct(param_set=self._set, sk=sk)
        except ValueError as exc:
            raise InvalidKey(str(exc)) from exc

    def _public(self, pk: bytes):  # type: ignore[no-untyped-def]
        try:
            return MLDSA.construct(param_set=self._set, pk=pk)
        except ValueError as exc:
            raise InvalidKey(str(exc)) from exc

    def ml_dsa_keygen(self, xi: bytes) -> dict[str, bytes]:
        _size("xi", xi, _SEED)
        key = MLDSA.construct(param_set=self._set, seed=xi)
        return {"pk": bytes(key.pk), "sk": bytes(key.sk)}

    def ml_dsa_sign(self, sk: bytes, message: bytes, context: bytes, rnd: bytes) -> bytes:
        _size("rnd", rnd, _SEED)
        key = self._private(sk)
        drawn: list[int] = []

        def randfunc(n: int) -> bytes:
            drawn.append(n)
            if n != _SEED or len(drawn) > 1:
                raise RuntimeError(f"unexpected draw of {n} random bytes")
            return rnd

        try:
            signer = mldsa.new(key, context, randfunc=randfunc)
        except ValueError as exc:
            raise InvalidInput(str(exc)) from exc
        return bytes(signer.sign(message))

    def ml_dsa_verify(self, pk: bytes, message: bytes, context: bytes, signature: bytes) -> None:
        key = self._public(pk)
        try:
            verifier = mldsa.new(key, context)
        except ValueError as exc:
            raise InvalidInput(str(exc)) from exc
        try:
            verifier.verify(message, signature)
        except ValueError as exc:
            raise InvalidSignature(str(exc)) from exc

    def ml_dsa_sign_mu(self, sk: bytes, mu: bytes, rnd: bytes) -> bytes:
        _size("mu", mu, _MU)
        _size("rnd", rnd, _SEED)
        return bytes(self._private(sk)._sign(mu, rnd, external_mu=True))

    def ml_dsa_verify_mu(self, pk: bytes, mu: bytes, signature: bytes) -> None:
        _size("mu", mu, _MU)
        if not self._public(pk)._verify(mu, signature, external_mu=True):
            raise InvalidSignature("The signature is not authentic")


class _XWing:
    """X-Wing as Hybrid.MLKEM768_X25519: HybridKey(seed=) and HybridKey(pk=) (the class the
    documentation says not to instantiate directly; Hybrid.generate(randfunc=) is the public way
    to a key from a seed), and the private _encaps(randomness) / _decaps(ct)."""

    def x_wing_keygen(self, seed: bytes) -> dict[str, bytes]:
        _size("seed", seed, _SEED)
        key = Hybrid.HybridKey(param_set=Hybrid.MLKEM768_X25519, seed=seed)
        return {"ek": bytes(key.public_key()._pk), "dk": seed}

    def x_wing_encaps(self, ek: bytes, eseed: bytes) -> dict[str, bytes]:
        _size("eseed", eseed, 2 * _SEED)
        try:
            key = Hybrid.HybridKey(param_set=Hybrid.MLKEM768_X25519, pk=ek)
        except ValueError as exc:
            raise InvalidKey(str(exc)) from exc
        try:
            k, c = key._encaps(eseed)
        except ValueError as exc:
            raise InvalidKey(str(exc)) from exc
        return {"c": bytes(c), "k": bytes(k)}

    def x_wing_decaps(self, dk: bytes, c: bytes) -> bytes:
        if len(dk) != _SEED:
            raise InvalidKey(f"dk must be {_SEED} bytes, not {len(dk)}")
        key = Hybrid.HybridKey(param_set=Hybrid.MLKEM768_X25519, seed=dk)
        try:
            return bytes(key._decaps(c))
        except ValueError as exc:
            raise InvalidMessage(str(exc)) from exc


class _FixedRandomness:
    """The ``:fixed-randomness`` markers: every injected seed, m, rnd and eseed is used."""


def _pq() -> dict[str, object]:
    if not _PQ:
        return {}
    marker = _FixedRandomness()
    caps: dict[str, object] = {}
    for n in (512, 768, 1024):
        caps[f"ml-kem-{n}"] = _MlKem(n)
        caps[f"ml-kem-{n}:fixed-randomness"] = marker
    for n in (44, 65, 87):
        caps[f"ml-dsa-{n}"] = caps[f"ml-dsa-{n}:external-mu"] = _MlDsa(n)
        caps[f"ml-dsa-{n}:fixed-randomness"] = marker
    caps["x-wing"] = _XWing()
    caps["x-wing:fixed-randomness"] = marker
    return caps


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
            **_pq(),
        }
