"""``hpke`` (RFC 9180): one interface over the ciphersuites named by their IANA identifiers, with
every random choice (the ephemeral key) injected by the caller."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

__all__ = ["HPKE_MODES", "HPKE_SUITES", "Hpke"]

FAMILY = "hpke"

#: RFC 9180 §5 modes: mode_base, mode_psk, mode_auth, mode_auth_psk.
HPKE_MODES: dict[int, str] = {0: "Base", 1: "PSK", 2: "Auth", 3: "AuthPSK"}

#: The ciphersuites (kem_id, kdf_id, aead_id) that an adapter declaring ``hpke`` supports, with
#: their RFC 9180 names (§7.1-7.3) and the Appendix A section of their test vectors.
HPKE_SUITES: dict[tuple[int, int, int], tuple[str, str]] = {
    (0x0020, 0x0001, 0x0001): ("DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-128-GCM", "A.1"),
    (0x0020, 0x0001, 0x0003): ("DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, ChaCha20Poly1305", "A.2"),
}


@runtime_checkable
class Hpke(Protocol):
    """RFC 9180 Hybrid Public Key Encryption through its single-shot APIs (§6).

    A ciphersuite is named by its IANA identifiers: ``kem_id`` (0x0020 DHKEM(X25519,
    HKDF-SHA256)), ``kdf_id`` (0x0001 HKDF-SHA256) and ``aead_id`` (0x0001 AES-128-GCM, 0x0003
    ChaCha20Poly1305); declaring ``hpke`` means supporting every suite in :data:`HPKE_SUITES` in
    all four modes. ``mode`` is 0 (Base), 1 (PSK), 2 (Auth) or 3 (AuthPSK) and must agree with
    the inputs: ``psk`` and ``psk_id`` are non-empty exactly in modes 1 and 3, ``sk_s`` /
    ``pk_s`` exactly in modes 2 and 3; raise InvalidInput when they do not (the suite's vectors
    never ask for that). Keys are in their serialized form (§7.1.1-7.1.2: 32 raw bytes for
    X25519). The only random choice, the ephemeral key pair, is injected as the input keying
    material ``ikm_e`` of DeriveKeyPair (§7.1.3), exactly as RFC 9180 Appendix A does.

    Refusals: a Diffie-Hellman output of all zeros (a low-order ``enc``, ``pk_r`` or ``pk_s``)
    raises InvalidKey (§7.1.4: "recipients MUST check whether the Diffie-Hellman shared secret
    is the all-zero value and abort"), as does a key that cannot be deserialized; an AEAD open
    failure raises AuthenticationFailed; an export length above 255 * Nh (§5.3) raises
    InvalidInput; an unknown suite or mode raises Unsupported.
    """

    def hpke_derive_key_pair(self, kem_id: int, ikm: bytes) -> bytes:
        """DeriveKeyPair(ikm) (§7.1.3): SerializePrivateKey(sk) || SerializePublicKey(pk)."""
        ...

    def hpke_seal(
        self,
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
        """Seal<MODE>(pkR, info, aad, pt, ...) (§6.1) with the ephemeral key pair
        DeriveKeyPair(ikm_e): returns enc || ct (enc is Nenc = 32 bytes for X25519)."""
        ...

    def hpke_open(
        self,
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
        """Open<MODE>(enc, skR, info, aad, ct, ...) (§6.1): the plaintext."""
        ...

    def hpke_export(
        self,
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
        """ReceiveExport<MODE>(enc, skR, info, exporter_context, L, ...) (§6.2, §5.3): the
        ``length``-byte exported secret."""
        ...


CAPABILITIES: dict[str, type] = {"hpke": Hpke}
COMPOSITES: dict[str, tuple[str, ...]] = {}
