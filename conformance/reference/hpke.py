"""HPKE (RFC 9180) written from the RFC: DHKEM over P-256, P-384, P-521, X25519 and X448, HKDF
with SHA-256/384/512, AES-128-GCM, AES-256-GCM, ChaCha20Poly1305 and the export-only AEAD, in
all four modes, through the single-shot APIs (§6) and the secret export (§5.3).

The protocol core imports no crypto library: DH, HKDF and the AEADs arrive through
:class:`HpkePrimitives` (implemented over pyca/cryptography in
:mod:`conformance.reference.hpke_primitives`). The one random choice, the ephemeral key pair,
is injected as the ``ikm_e`` of DeriveKeyPair (§7.1.3), as Appendix A's vectors do.

Entry points: :class:`HpkeSuite` (one ciphersuite; ``derive_key_pair``, ``seal``, ``open``,
``send_export``, ``receive_export``) and :class:`HpkeReference` (the ``hpke`` capability of
:mod:`conformance.capabilities.hpke`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from ..errors import InvalidInput, InvalidKey, ProtocolError, Unsupported

__all__ = [
    "AEADS",
    "KDFS",
    "KEMS",
    "MODE_AUTH",
    "MODE_AUTH_PSK",
    "MODE_BASE",
    "MODE_PSK",
    "Aead",
    "HpkePrimitives",
    "HpkeReference",
    "HpkeSuite",
    "Kdf",
    "Kem",
    "default_primitives",
]

#: §5 Table 1: the modes.
MODE_BASE, MODE_PSK, MODE_AUTH, MODE_AUTH_PSK = 0x00, 0x01, 0x02, 0x03
_PSK_MODES = (MODE_PSK, MODE_AUTH_PSK)
_AUTH_MODES = (MODE_AUTH, MODE_AUTH_PSK)

#: The AEAD identifier of the export-only mode (§7.3).
EXPORT_ONLY = 0xFFFF


class HpkePrimitives(Protocol):
    """The primitives HPKE is built from (RFC 9180 §4, §7): named curves ``P-256``,
    ``P-384``, ``P-521``, ``X25519``, ``X448``; hashes ``SHA256``, ``SHA384``, ``SHA512``;
    AEADs ``AES-128-GCM``, ``AES-256-GCM``, ``ChaCha20Poly1305``. Keys are serialized as in
    §7.1.1-7.1.2 (big-endian scalars and SEC1 uncompressed points; raw RFC 7748 strings)."""

    def public_key(self, curve: str, sk: bytes) -> bytes:
        """The serialized public key of the serialized private key ``sk``."""
        ...

    def dh(self, curve: str, sk: bytes, pk: bytes) -> bytes:
        """DH(sk, pk) (§4.1); raises InvalidKey for a public key not on the curve."""
        ...

    def hkdf_extract(self, hash_name: str, salt: bytes, ikm: bytes) -> bytes:
        """HKDF-Extract (RFC 5869 §2.2)."""
        ...

    def hkdf_expand(self, hash_name: str, prk: bytes, info: bytes, length: int) -> bytes:
        """HKDF-Expand (RFC 5869 §2.3)."""
        ...

    def aead_seal(self, aead: str, key: bytes, nonce: bytes, aad: bytes, pt: bytes) -> bytes:
        """AEAD Seal (§7.3): ciphertext || tag."""
        ...

    def aead_open(self, aead: str, key: bytes, nonce: bytes, aad: bytes, ct: bytes) -> bytes:
        """AEAD Open (§7.3); raises AuthenticationFailed."""
        ...


@dataclass(frozen=True)
class Kem:
    """A DHKEM (§4.1, §7.1): its curve, KDF hash and sizes. ``order`` and ``bitmask`` are set
    for the NIST curves, whose DeriveKeyPair samples by rejection (§7.1.3)."""

    kem_id: int
    name: str
    curve: str
    hash_name: str
    n_secret: int
    n_enc: int
    n_pk: int
    n_sk: int
    order: int = 0
    bitmask: int = 0


@dataclass(frozen=True)
class Kdf:
    """An HKDF (§7.2): its hash and Nh."""

    kdf_id: int
    hash_name: str
    n_h: int


@dataclass(frozen=True)
class Aead:
    """An AEAD (§7.3): Nk, Nn, Nt (all zero for the export-only identifier 0xFFFF)."""

    aead_id: int
    name: str
    n_k: int
    n_n: int
    n_t: int


_P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
_P384_ORDER = int(
    "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF581A0DB248B0A77AECEC196ACCC52973",
    16,
)
_P521_ORDER = int(
    "01FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFA51868783BF2F966B7FCC0148F709A5D03BB5C9B8899C47AEBB6FB71E91386409",
    16,
)

#: §7.1 Table 2.
KEMS: dict[int, Kem] = {
    0x0010: Kem(
        0x0010, "DHKEM(P-256, HKDF-SHA256)", "P-256", "SHA256", 32, 65, 65, 32, _P256_ORDER, 0xFF
    ),
    0x0011: Kem(
        0x0011, "DHKEM(P-384, HKDF-SHA384)", "P-384", "SHA384", 48, 97, 97, 48, _P384_ORDER, 0xFF
    ),
    0x0012: Kem(
        0x0012, "DHKEM(P-521, HKDF-SHA512)", "P-521", "SHA512", 64, 133, 133, 66, _P521_ORDER, 0x01
    ),
    0x0020: Kem(0x0020, "DHKEM(X25519, HKDF-SHA256)", "X25519", "SHA256", 32, 32, 32, 32),
    0x0021: Kem(0x0021, "DHKEM(X448, HKDF-SHA512)", "X448", "SHA512", 64, 56, 56, 56),
}

#: §7.2 Table 3.
KDFS: dict[int, Kdf] = {
    0x0001: Kdf(0x0001, "SHA256", 32),
    0x0002: Kdf(0x0002, "SHA384", 48),
    0x0003: Kdf(0x0003, "SHA512", 64),
}

#: §7.3 Table 5.
AEADS: dict[int, Aead] = {
    0x0001: Aead(0x0001, "AES-128-GCM", 16, 12, 16),
    0x0002: Aead(0x0002, "AES-256-GCM", 32, 12, 16),
    0x0003: Aead(0x0003, "ChaCha20Poly1305", 32, 12, 16),
    EXPORT_ONLY: Aead(EXPORT_ONLY, "Export-only", 0, 0, 0),
}


def i2osp(n: int, length: int) -> bytes:
    """I2OSP(n, w) (§3, RFC 8017 §4.1); raises InvalidInput when n does not fit."""
    if n < 0 or n >= 1 << (8 * length):
        raise InvalidInput(f"{n} does not fit in {length} bytes")
    return n.to_bytes(length, "big")


def default_primitives() -> HpkePrimitives:
    """The pyca/cryptography primitives (:mod:`conformance.reference.hpke_primitives`)."""
    from .hpke_primitives import CryptographyHpkePrimitives

    return CryptographyHpkePrimitives()


class _Labeled:
    """LabeledExtract / LabeledExpand (§4) for one suite_id and hash."""

    def __init__(self, prims: HpkePrimitives, suite_id: bytes, hash_name: str) -> None:
        self._p, self._suite_id, self._hash = prims, suite_id, hash_name

    def extract(self, salt: bytes, label: bytes, ikm: bytes) -> bytes:
        """LabeledExtract(salt, label, ikm) = Extract(salt, "HPKE-v1" || suite_id || label ||
        ikm) (§4)."""
        return self._p.hkdf_extract(self._hash, salt, b"HPKE-v1" + self._suite_id + label + ikm)

    def expand(self, prk: bytes, label: bytes, info: bytes, length: int) -> bytes:
        """LabeledExpand(prk, label, info, L) = Expand(prk, I2OSP(L, 2) || "HPKE-v1" ||
        suite_id || label || info, L) (§4)."""
        labeled_info = i2osp(length, 2) + b"HPKE-v1" + self._suite_id + label + info
        return self._p.hkdf_expand(self._hash, prk, labeled_info, length)


@dataclass(frozen=True)
class _Context:
    """The key schedule's output (§5.1): key, base_nonce, exporter_secret."""

    key: bytes
    base_nonce: bytes
    exporter_secret: bytes


class HpkeSuite:
    """One HPKE ciphersuite (kem_id, kdf_id, aead_id) (§7) over ``primitives``.

    Unknown identifiers raise InvalidInput. Keys are serialized (§7.1.1-7.1.2); the ephemeral
    key pair of every sender operation is DeriveKeyPair(ikm_e) (§7.1.3).
    """

    def __init__(
        self,
        kem_id: int,
        kdf_id: int,
        aead_id: int,
        primitives: HpkePrimitives | None = None,
    ) -> None:
        if kem_id not in KEMS or kdf_id not in KDFS or aead_id not in AEADS:
            raise InvalidInput(f"unknown suite ({kem_id:#06x}, {kdf_id:#06x}, {aead_id:#06x})")
        self.kem, self.kdf, self.aead = KEMS[kem_id], KDFS[kdf_id], AEADS[aead_id]
        self._p = primitives if primitives is not None else default_primitives()
        #: §4.1: suite_id = "KEM" || I2OSP(kem_id, 2).
        self._kem_labeled = _Labeled(self._p, b"KEM" + i2osp(kem_id, 2), self.kem.hash_name)
        #: §5.1: suite_id = "HPKE" || I2OSP(kem_id, 2) || I2OSP(kdf_id, 2) || I2OSP(aead_id, 2).
        hpke_suite_id = b"HPKE" + i2osp(kem_id, 2) + i2osp(kdf_id, 2) + i2osp(aead_id, 2)
        self._labeled = _Labeled(self._p, hpke_suite_id, self.kdf.hash_name)

    # --- the KEM (§4.1, §7.1) ---------------------------------------------------------------

    def derive_key_pair(self, ikm: bytes) -> tuple[bytes, bytes]:
        """DeriveKeyPair(ikm) (§7.1.3): (SerializePrivateKey(sk), SerializePublicKey(pk)).

        X25519/X448: sk = LabeledExpand(dkp_prk, "sk", "", Nsk). NIST curves: rejection
        sampling over LabeledExpand(dkp_prk, "candidate", I2OSP(counter, 1), Nsk) with the
        first byte masked (0xff for P-256/P-384, 0x01 for P-521) until 0 < sk < order;
        more than 256 candidates is DeriveKeyPairError (InvalidKey here).
        """
        kem, lab = self.kem, self._kem_labeled
        dkp_prk = lab.extract(b"", b"dkp_prk", ikm)
        if not kem.order:
            sk = lab.expand(dkp_prk, b"sk", b"", kem.n_sk)
            return sk, self._p.public_key(kem.curve, sk)
        for counter in range(256):
            candidate = bytearray(lab.expand(dkp_prk, b"candidate", i2osp(counter, 1), kem.n_sk))
            candidate[0] &= kem.bitmask
            scalar = int.from_bytes(candidate, "big")
            if 0 < scalar < kem.order:
                sk = bytes(candidate)
                return sk, self._p.public_key(kem.curve, sk)
        raise InvalidKey("DeriveKeyPairError: no candidate below the group order")

    def public_key(self, sk: bytes) -> bytes:
        """SerializePublicKey(pk(DeserializePrivateKey(sk))) (§4, §7.1.2)."""
        return self._p.public_key(self.kem.curve, self._check_private(sk))

    def _check_private(self, sk: bytes) -> bytes:
        """DeserializePrivateKey (§7.1.2): Nsk bytes; for a NIST curve a scalar in [1, n)."""
        if len(sk) != self.kem.n_sk:
            raise InvalidKey(
                f"{self.kem.curve} private key of {len(sk)} bytes, not {self.kem.n_sk}"
            )
        if self.kem.order and not 0 < int.from_bytes(sk, "big") < self.kem.order:
            raise InvalidKey(f"{self.kem.curve} private key out of range")
        return sk

    def _check_public(self, pk: bytes) -> bytes:
        """DeserializePublicKey (§7.1.1): Npk bytes; for a NIST curve a SEC1 uncompressed
        point (0x04 || x || y), whose on-curve check the DH primitive makes (§7.1.4)."""
        if len(pk) != self.kem.n_pk:
            raise InvalidKey(f"{self.kem.curve} public key of {len(pk)} bytes, not {self.kem.n_pk}")
        if self.kem.order and pk[0] != 0x04:
            raise InvalidKey(f"{self.kem.curve} public key is not SEC1 uncompressed")
        return pk

    def _dh(self, sk: bytes, pk: bytes) -> bytes:
        """DH(sk, pk) (§4.1) with the all-zero check of §7.1.4."""
        try:
            out = self._p.dh(self.kem.curve, sk, pk)
        except ProtocolError:
            raise
        except ValueError as exc:
            raise InvalidKey(f"{self.kem.curve} DH: {exc}") from None
        if not any(out):
            raise InvalidKey(f"{self.kem.curve} DH output is all zero (§7.1.4)")
        return out

    def _extract_and_expand(self, dh: bytes, kem_context: bytes) -> bytes:
        """ExtractAndExpand(dh, kem_context) (§4.1)."""
        lab = self._kem_labeled
        eae_prk = lab.extract(b"", b"eae_prk", dh)
        return lab.expand(eae_prk, b"shared_secret", kem_context, self.kem.n_secret)

    def encap(self, pk_r: bytes, ikm_e: bytes, sk_s: bytes = b"") -> tuple[bytes, bytes]:
        """Encap(pkR) or, with ``sk_s``, AuthEncap(pkR, skS) (§4.1), the ephemeral key pair
        DeriveKeyPair(ikm_e): (shared_secret, enc)."""
        self._check_public(pk_r)
        sk_e, enc = self.derive_key_pair(ikm_e)
        dh = self._dh(sk_e, pk_r)
        kem_context = enc + pk_r
        if sk_s:
            self._check_private(sk_s)
            dh += self._dh(sk_s, pk_r)
            kem_context += self._p.public_key(self.kem.curve, sk_s)
        return self._extract_and_expand(dh, kem_context), enc

    def decap(self, enc: bytes, sk_r: bytes, pk_s: bytes = b"") -> bytes:
        """Decap(enc, skR) or, with ``pk_s``, AuthDecap(enc, skR, pkS) (§4.1):
        shared_secret."""
        self._check_public(enc)
        self._check_private(sk_r)
        dh = self._dh(sk_r, enc)
        kem_context = enc + self._p.public_key(self.kem.curve, sk_r)
        if pk_s:
            self._check_public(pk_s)
            dh += self._dh(sk_r, pk_s)
            kem_context += pk_s
        return self._extract_and_expand(dh, kem_context)

    # --- the key schedule (§5.1) ------------------------------------------------------------

    def key_schedule(
        self, mode: int, shared_secret: bytes, info: bytes, psk: bytes, psk_id: bytes
    ) -> _Context:
        """KeySchedule<ROLE>(mode, shared_secret, info, psk, psk_id) (§5.1), with
        VerifyPSKInputs."""
        if mode not in (MODE_BASE, MODE_PSK, MODE_AUTH, MODE_AUTH_PSK):
            raise InvalidInput(f"unknown mode {mode}")
        if bool(psk) != bool(psk_id):
            raise InvalidInput("inconsistent PSK inputs (§5.1)")
        if bool(psk) != (mode in _PSK_MODES):
            raise InvalidInput(f"mode {mode} and the PSK inputs disagree (§5.1)")
        lab = self._labeled
        psk_id_hash = lab.extract(b"", b"psk_id_hash", psk_id)
        info_hash = lab.extract(b"", b"info_hash", info)
        ks_context = i2osp(mode, 1) + psk_id_hash + info_hash
        secret = lab.extract(shared_secret, b"secret", psk)
        key = base_nonce = b""
        if self.aead.aead_id != EXPORT_ONLY:
            key = lab.expand(secret, b"key", ks_context, self.aead.n_k)
            base_nonce = lab.expand(secret, b"base_nonce", ks_context, self.aead.n_n)
        exporter_secret = lab.expand(secret, b"exp", ks_context, self.kdf.n_h)
        return _Context(key, base_nonce, exporter_secret)

    def _check_mode(self, mode: int, sender_key: bytes) -> None:
        if mode not in (MODE_BASE, MODE_PSK, MODE_AUTH, MODE_AUTH_PSK):
            raise InvalidInput(f"unknown mode {mode}")
        if bool(sender_key) != (mode in _AUTH_MODES):
            raise InvalidInput(f"mode {mode} and the sender key disagree")

    def setup_s(
        self,
        mode: int,
        pk_r: bytes,
        info: bytes,
        ikm_e: bytes,
        psk: bytes = b"",
        psk_id: bytes = b"",
        sk_s: bytes = b"",
    ) -> tuple[bytes, _Context]:
        """Setup<MODE>S (§5.1.1-5.1.4): (enc, context)."""
        self._check_mode(mode, sk_s)
        shared_secret, enc = self.encap(pk_r, ikm_e, sk_s)
        return enc, self.key_schedule(mode, shared_secret, info, psk, psk_id)

    def setup_r(
        self,
        mode: int,
        enc: bytes,
        sk_r: bytes,
        info: bytes,
        psk: bytes = b"",
        psk_id: bytes = b"",
        pk_s: bytes = b"",
    ) -> _Context:
        """Setup<MODE>R (§5.1.1-5.1.4): the recipient's context."""
        self._check_mode(mode, pk_s)
        shared_secret = self.decap(enc, sk_r, pk_s)
        return self.key_schedule(mode, shared_secret, info, psk, psk_id)

    # --- single-shot APIs (§6) --------------------------------------------------------------

    def _require_aead(self) -> None:
        if self.aead.aead_id == EXPORT_ONLY:
            raise InvalidInput("the export-only AEAD cannot seal or open (§7.3)")

    def seal(
        self,
        pk_r: bytes,
        info: bytes,
        aad: bytes,
        pt: bytes,
        ikm_e: bytes,
        mode: int = MODE_BASE,
        psk: bytes = b"",
        psk_id: bytes = b"",
        sk_s: bytes = b"",
    ) -> tuple[bytes, bytes]:
        """Seal<MODE>(pkR, info, aad, pt, ...) (§6.1): (enc, ct), the first message of the
        context, so its nonce is base_nonce xor I2OSP(0, Nn) = base_nonce (§5.2)."""
        self._require_aead()
        enc, ctx = self.setup_s(mode, pk_r, info, ikm_e, psk, psk_id, sk_s)
        ct = self._p.aead_seal(self.aead.name, ctx.key, ctx.base_nonce, aad, pt)
        return enc, ct

    def open(
        self,
        enc: bytes,
        sk_r: bytes,
        info: bytes,
        aad: bytes,
        ct: bytes,
        mode: int = MODE_BASE,
        psk: bytes = b"",
        psk_id: bytes = b"",
        pk_s: bytes = b"",
    ) -> bytes:
        """Open<MODE>(enc, skR, info, aad, ct, ...) (§6.1): the plaintext; a failed AEAD open
        raises AuthenticationFailed."""
        self._require_aead()
        ctx = self.setup_r(mode, enc, sk_r, info, psk, psk_id, pk_s)
        return self._p.aead_open(self.aead.name, ctx.key, ctx.base_nonce, aad, ct)

    def _export(self, ctx: _Context, exporter_context: bytes, length: int) -> bytes:
        """Context.Export(exporter_context, L) (§5.3); L above 255 * Nh is InvalidInput."""
        if not 0 <= length <= 255 * self.kdf.n_h:
            raise InvalidInput(f"export length {length} outside [0, 255 * Nh] (§5.3)")
        return self._labeled.expand(ctx.exporter_secret, b"sec", exporter_context, length)

    def send_export(
        self,
        pk_r: bytes,
        info: bytes,
        exporter_context: bytes,
        length: int,
        ikm_e: bytes,
        mode: int = MODE_BASE,
        psk: bytes = b"",
        psk_id: bytes = b"",
        sk_s: bytes = b"",
    ) -> tuple[bytes, bytes]:
        """SendExport<MODE> (§6.2): (enc, exported secret)."""
        enc, ctx = self.setup_s(mode, pk_r, info, ikm_e, psk, psk_id, sk_s)
        return enc, self._export(ctx, exporter_context, length)

    def receive_export(
        self,
        enc: bytes,
        sk_r: bytes,
        info: bytes,
        exporter_context: bytes,
        length: int,
        mode: int = MODE_BASE,
        psk: bytes = b"",
        psk_id: bytes = b"",
        pk_s: bytes = b"",
    ) -> bytes:
        """ReceiveExport<MODE> (§6.2): the exported secret."""
        ctx = self.setup_r(mode, enc, sk_r, info, psk, psk_id, pk_s)
        return self._export(ctx, exporter_context, length)


class HpkeReference:
    """The ``hpke`` capability (:class:`conformance.capabilities.hpke.Hpke`) over
    :class:`HpkeSuite`: every suite of :data:`KEMS` x :data:`KDFS` x :data:`AEADS`. An
    unknown identifier or mode is Unsupported, as the capability asks."""

    #: The suite class the operations run on: a broken variant (tests/test_hpke.py) may change
    #: one step of the RFC in a subclass of :class:`HpkeSuite`.
    suite_class: type[HpkeSuite] = HpkeSuite

    def __init__(self, primitives: HpkePrimitives | None = None) -> None:
        self._p = primitives if primitives is not None else default_primitives()

    def _suite(self, kem_id: int, kdf_id: int, aead_id: int, mode: int = 0) -> HpkeSuite:
        if kem_id not in KEMS or kdf_id not in KDFS or aead_id not in AEADS:
            raise Unsupported(f"suite ({kem_id:#06x}, {kdf_id:#06x}, {aead_id:#06x})")
        if mode not in (MODE_BASE, MODE_PSK, MODE_AUTH, MODE_AUTH_PSK):
            raise Unsupported(f"mode {mode}")
        return self.suite_class(kem_id, kdf_id, aead_id, self._p)

    def hpke_derive_key_pair(self, kem_id: int, ikm: bytes) -> bytes:
        """DeriveKeyPair(ikm) (§7.1.3): SerializePrivateKey(sk) || SerializePublicKey(pk)."""
        if kem_id not in KEMS:
            raise Unsupported(f"KEM {kem_id:#06x}")
        sk, pk = HpkeSuite(kem_id, 0x0001, 0x0001, self._p).derive_key_pair(ikm)
        return sk + pk

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
        """Seal<MODE> (§6.1) with the ephemeral key pair DeriveKeyPair(ikm_e): enc || ct."""
        suite = self._suite(kem_id, kdf_id, aead_id, mode)
        enc, ct = suite.seal(pk_r, info, aad, plaintext, ikm_e, mode, psk, psk_id, sk_s)
        return enc + ct

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
        """Open<MODE> (§6.1): the plaintext."""
        suite = self._suite(kem_id, kdf_id, aead_id, mode)
        return suite.open(enc, sk_r, info, aad, ciphertext, mode, psk, psk_id, pk_s)

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
        """ReceiveExport<MODE> (§6.2, §5.3): the ``length``-byte exported secret."""
        suite = self._suite(kem_id, kdf_id, aead_id, mode)
        return suite.receive_export(
            enc, sk_r, info, exporter_context, length, mode, psk, psk_id, pk_s
        )
