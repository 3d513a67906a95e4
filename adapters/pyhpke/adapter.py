"""Stdio adapter for pyhpke (RFC 9180 HPKE in pure Python over pyca/cryptography).

Runs in its own environment (``pyhpke==0.6.5`` and the cryptography it pulls in) and speaks the
adapter protocol through the bundled host library. Native exceptions become the suite's neutral
kinds here and nowhere else: pyhpke's OpenError is AuthenticationFailed; a ValueError while
deserializing a key or computing X25519 (cryptography refuses the all-zero output) is
InvalidKey; a ValueError or struct.error from Export's length is InvalidInput.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from importlib.metadata import version
from typing import TypeVar

from e2ee_host import Refusal, serve
from pyhpke import AEADId, CipherSuite, ContextInterface, KDFId, KEMId, KEMKeyInterface
from pyhpke.exceptions import OpenError, PyHPKEError

T = TypeVar("T")

#: (kem_id, kdf_id, aead_id) the adapter declares for the hpke capability (RFC 9180 §7).
SUITES = {(0x0020, 0x0001, 0x0001), (0x0020, 0x0001, 0x0003)}
PSK_MODES, AUTH_MODES = (1, 3), (2, 3)


def _suite(kem_id: int, kdf_id: int, aead_id: int) -> CipherSuite:
    if (kem_id, kdf_id, aead_id) not in SUITES:
        raise Refusal("Unsupported", f"suite ({kem_id:#06x}, {kdf_id:#06x}, {aead_id:#06x})")
    return CipherSuite.new(KEMId(kem_id), KDFId(kdf_id), AEADId(aead_id))


def _check_mode(mode: int, psk: bytes, psk_id: bytes, sender_key: bytes) -> None:
    """pyhpke infers the mode from its inputs: refuse a mode they do not match."""
    if mode not in (0, 1, 2, 3):
        raise Refusal("Unsupported", f"mode {mode}")
    if bool(psk) != (mode in PSK_MODES) or bool(psk_id) != (mode in PSK_MODES):
        raise Refusal("InvalidInput", f"mode {mode} and the PSK inputs disagree")
    if bool(sender_key) != (mode in AUTH_MODES):
        raise Refusal("InvalidInput", f"mode {mode} and the sender key disagree")


def _key(what: str, fn: Callable[[], T]) -> T:
    """Run a key operation (deserialization, DH); cryptography's ValueError is InvalidKey."""
    try:
        return fn()
    except (ValueError, PyHPKEError) as exc:
        raise Refusal("InvalidKey", f"{what}: {exc}") from None


def hpke_derive_key_pair(kem_id: int, ikm: bytes) -> bytes:
    kp = _suite(kem_id, 0x0001, 0x0001).kem.derive_key_pair(ikm)
    return kp.private_key.to_private_bytes() + kp.public_key.to_public_bytes()


def _recipient(
    kem_id: int,
    kdf_id: int,
    aead_id: int,
    mode: int,
    sk_r: bytes,
    enc: bytes,
    info: bytes,
    psk: bytes,
    psk_id: bytes,
    pk_s: bytes,
) -> ContextInterface:
    s = _suite(kem_id, kdf_id, aead_id)
    _check_mode(mode, psk, psk_id, pk_s)
    skr = _key("skR", lambda: s.kem.deserialize_private_key(sk_r))
    pks: KEMKeyInterface | None = None
    if pk_s:
        pks = _key("pkS", lambda: s.kem.deserialize_public_key(pk_s))
    return _key("Decap", lambda: s.create_recipient_context(enc, skr, info, pks, psk, psk_id))


def hpke_seal(
    kem_id: int,
    kdf_id: int,
    aead_id: int,
    mode: int,
    pk_r: bytes,
    info: bytes,
    aad: bytes,
    plaintext: bytes,
    ikm_e: bytes,
    psk: bytes,
    psk_id: bytes,
    sk_s: bytes,
) -> bytes:
    s = _suite(kem_id, kdf_id, aead_id)
    _check_mode(mode, psk, psk_id, sk_s)
    eks = s.kem.derive_key_pair(ikm_e)
    pkr = _key("pkR", lambda: s.kem.deserialize_public_key(pk_r))
    sks: KEMKeyInterface | None = None
    if sk_s:
        sks = _key("skS", lambda: s.kem.deserialize_private_key(sk_s))
    enc, ctx = _key("Encap", lambda: s.create_sender_context(pkr, info, sks, psk, psk_id, eks))
    return enc + ctx.seal(plaintext, aad)


def hpke_open(
    kem_id: int,
    kdf_id: int,
    aead_id: int,
    mode: int,
    sk_r: bytes,
    enc: bytes,
    info: bytes,
    aad: bytes,
    ciphertext: bytes,
    psk: bytes,
    psk_id: bytes,
    pk_s: bytes,
) -> bytes:
    ctx = _recipient(kem_id, kdf_id, aead_id, mode, sk_r, enc, info, psk, psk_id, pk_s)
    try:
        return ctx.open(ciphertext, aad)
    except OpenError as exc:
        raise Refusal("AuthenticationFailed", str(exc)) from None


def hpke_export(
    kem_id: int,
    kdf_id: int,
    aead_id: int,
    mode: int,
    sk_r: bytes,
    enc: bytes,
    info: bytes,
    exporter_context: bytes,
    length: int,
    psk: bytes,
    psk_id: bytes,
    pk_s: bytes,
) -> bytes:
    ctx = _recipient(kem_id, kdf_id, aead_id, mode, sk_r, enc, info, psk, psk_id, pk_s)
    try:
        return ctx.export(exporter_context, length)
    except (ValueError, struct.error) as exc:  # L > 255 * Nh; L >= 2^16 overflows I2OSP(L, 2)
        raise Refusal("InvalidInput", f"export length {length}: {exc}") from None


if __name__ == "__main__":
    serve(
        {
            "name": "pyhpke",
            "implementation": "pyhpke",
            "version": f"{version('pyhpke')} (cryptography {version('cryptography')})",
            "capabilities": ["hpke"],
        },
        {
            "hpke.hpke_derive_key_pair": hpke_derive_key_pair,
            "hpke.hpke_seal": hpke_seal,
            "hpke.hpke_open": hpke_open,
            "hpke.hpke_export": hpke_export,
        },
    )
