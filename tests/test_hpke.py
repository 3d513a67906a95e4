"""The HPKE family (RFC 9180): its vector files load and validate, a correct implementation passes
them, and each kind of broken implementation (a Mock*) is caught.

The correct implementation here is ``MockReferenceHpke``, a small single-shot HPKE over
pyca/cryptography written for these tests only (so they run without pyhpke or Node.js); the
real implementations are the stdio adapters ``pyhpke`` and ``hpke-js``. The broken ones each
change one thing in it: a flipped output bit, an all-zero X25519 output accepted, enc re-encoded
before it enters kem_context, and I2OSP(L, 2) written as one byte (the hpke-js 1.9.0 export bug).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import struct
from pathlib import Path

import jsonschema
import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM, ChaCha20Poly1305
from helpers import MockFlippedOutput, MockNativeException, adapter_from, outcomes, run_file

from conformance import loader
from conformance.adapter import LoadedAdapter
from conformance.capabilities import family_of
from conformance.capabilities.hpke import HPKE_SUITES, Hpke
from conformance.checks import CHECKS
from conformance.errors import AuthenticationFailed, InvalidInput, InvalidKey, Unsupported
from conformance.resources import vectors_dir
from conformance.results import CheckResult

ROOT = Path(__file__).resolve().parent.parent
HPKE = vectors_dir() / "hpke"
FILES = ("hpke_test.json", "hpke_export_test.json")
LOW_ORDER_FLAGS = {"LowOrderEnc", "LowOrderSenderKey", "LowOrderRecipientKey"}


# ---------------------------------------------------------------------------------------------
# A reference implementation (correct) and its broken variants
# ---------------------------------------------------------------------------------------------


class MockReferenceHpke:
    """RFC 9180 single-shot HPKE for DHKEM(X25519, HKDF-SHA256), HKDF-SHA256 and AES-128-GCM or
    ChaCha20Poly1305, all four modes, over pyca/cryptography. Correct unless a subclass says."""

    def _i2osp_length(self, length: int) -> bytes:
        return struct.pack(">H", length)

    def _dh(self, sk: bytes, pk: bytes) -> bytes:
        try:
            return X25519PrivateKey.from_private_bytes(sk).exchange(
                X25519PublicKey.from_public_bytes(pk)
            )
        except ValueError as exc:  # OpenSSL refuses the all-zero output
            raise InvalidKey(str(exc)) from None

    def _kem_enc(self, enc: bytes) -> bytes:
        """The enc bytes that go into kem_context: as received (§4.1)."""
        return enc

    @staticmethod
    def _public(sk: bytes) -> bytes:
        return X25519PrivateKey.from_private_bytes(sk).public_key().public_bytes_raw()

    def _extract(self, suite_id: bytes, salt: bytes, label: bytes, ikm: bytes) -> bytes:
        data = b"HPKE-v1" + suite_id + label + ikm
        return hmac.new(salt or bytes(32), data, hashlib.sha256).digest()

    def _expand(self, suite_id: bytes, prk: bytes, label: bytes, info: bytes, n: int) -> bytes:
        if n > 255 * 32:
            raise InvalidInput(f"L = {n} is above 255 * Nh")
        labeled = self._i2osp_length(n) + b"HPKE-v1" + suite_id + label + info
        out, block = b"", b""
        for counter in range(1, -(-n // 32) + 1):
            block = hmac.new(prk, block + labeled + bytes([counter]), hashlib.sha256).digest()
            out += block
        return out[:n]

    @staticmethod
    def _check(
        kem_id: int, kdf_id: int, aead_id: int, mode: int, psk: bytes, sender: bytes
    ) -> None:
        if (kem_id, kdf_id, aead_id) not in HPKE_SUITES or mode not in (0, 1, 2, 3):
            raise Unsupported("suite or mode")
        if bool(psk) != (mode in (1, 3)) or bool(sender) != (mode in (2, 3)):
            raise InvalidInput("mode and inputs disagree")

    def _shared(self, dh: bytes, kem_context: bytes) -> bytes:
        kem = b"KEM\x00\x20"
        prk = self._extract(kem, b"", b"eae_prk", dh)
        return self._expand(kem, prk, b"shared_secret", kem_context, 32)

    def _schedule(
        self, aead_id: int, mode: int, shared: bytes, info: bytes, psk: bytes, psk_id: bytes
    ) -> tuple[AESGCM | ChaCha20Poly1305, bytes, bytes]:
        sid = b"HPKE" + struct.pack(">HHH", 0x20, 1, aead_id)
        context = (
            bytes([mode])
            + self._extract(sid, b"", b"psk_id_hash", psk_id)
            + self._extract(sid, b"", b"info_hash", info)
        )
        secret = self._extract(sid, shared, b"secret", psk)
        nk = 16 if aead_id == 1 else 32
        key = self._expand(sid, secret, b"key", context, nk)
        aead = AESGCM(key) if aead_id == 1 else ChaCha20Poly1305(key)
        nonce = self._expand(sid, secret, b"base_nonce", context, 12)
        return aead, nonce, self._expand(sid, secret, b"exp", context, 32)

    def hpke_derive_key_pair(self, kem_id: int, ikm: bytes) -> bytes:
        if kem_id != 0x20:
            raise Unsupported("KEM")
        kem = b"KEM\x00\x20"
        sk = self._expand(kem, self._extract(kem, b"", b"dkp_prk", ikm), b"sk", b"", 32)
        return sk + self._public(sk)

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
        self._check(kem_id, kdf_id, aead_id, mode, psk, sk_s)
        pair = self.hpke_derive_key_pair(kem_id, ikm_e)
        sk_e, enc = pair[:32], pair[32:]
        dh, kem_context = self._dh(sk_e, pk_r), enc + pk_r
        if sk_s:
            dh, kem_context = dh + self._dh(sk_s, pk_r), kem_context + self._public(sk_s)
        shared = self._shared(dh, kem_context)
        aead, nonce, _ = self._schedule(aead_id, mode, shared, info, psk, psk_id)
        return enc + aead.encrypt(nonce, plaintext, aad)

    def _recipient(
        self,
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
    ) -> tuple[AESGCM | ChaCha20Poly1305, bytes, bytes]:
        self._check(kem_id, kdf_id, aead_id, mode, psk, pk_s)
        dh, kem_context = self._dh(sk_r, enc), self._kem_enc(enc) + self._public(sk_r)
        if pk_s:
            dh, kem_context = dh + self._dh(sk_r, pk_s), kem_context + pk_s
        shared = self._shared(dh, kem_context)
        return self._schedule(aead_id, mode, shared, info, psk, psk_id)

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
        aead, nonce, _ = self._recipient(
            kem_id, kdf_id, aead_id, mode, sk_r, enc, info, psk, psk_id, pk_s
        )
        try:
            return bytes(aead.decrypt(nonce, ciphertext, aad))
        except InvalidTag:
            raise AuthenticationFailed("OpenError") from None

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
        _, _, exporter_secret = self._recipient(
            kem_id, kdf_id, aead_id, mode, sk_r, enc, info, psk, psk_id, pk_s
        )
        sid = b"HPKE" + struct.pack(">HHH", 0x20, 1, aead_id)
        return self._expand(sid, exporter_secret, b"sec", exporter_context, length)


class MockHpkeAcceptsZeroDh(MockReferenceHpke):
    """Skips the §7.1.4 check: an all-zero X25519 output is used instead of refused."""

    def _dh(self, sk: bytes, pk: bytes) -> bytes:
        try:
            return super()._dh(sk, pk)
        except InvalidKey:
            return bytes(32)


class MockHpkeReencodesEnc(MockReferenceHpke):
    """Builds kem_context from the canonical re-encoding of pkE (bit 255 cleared), not from enc
    as received: a second encoding of the same enc opens the same message."""

    def _kem_enc(self, enc: bytes) -> bytes:
        return enc[:31] + bytes([enc[31] & 0x7F]) if len(enc) == 32 else enc


class MockHpkeOneByteLength(MockReferenceHpke):
    """Writes I2OSP(L, 2) in LabeledExpand as [0, L mod 256] (@hpke/common 1.10.1's bug)."""

    def _i2osp_length(self, length: int) -> bytes:
        return bytes([0, length % 256])


# ---------------------------------------------------------------------------------------------


def run(file: str, adapter: LoadedAdapter) -> list[CheckResult]:
    return run_file(file, adapter, HPKE)


def hpke(impl: object) -> LoadedAdapter:
    adapter: LoadedAdapter = adapter_from(type(impl).__name__, {"hpke": impl})
    return adapter


def failed_flags(results: list[CheckResult]) -> set[str]:
    return {f for r in results if r.outcome == "fail" for f in r.flags}


def test_the_capability_and_check_kinds_are_registered() -> None:
    assert family_of("hpke") == "hpke"
    assert {"HpkeTest", "HpkeExport"} <= set(CHECKS)
    assert isinstance(MockReferenceHpke(), Hpke)


@pytest.mark.parametrize("file", FILES)
def test_the_vector_file_loads_and_matches_its_schema(file: str) -> None:
    vf = loader.load(HPKE / file)
    assert vf.family == "hpke"
    assert vf.capability == "hpke"
    doc = json.loads((HPKE / file).read_text(encoding="utf-8"))
    schema = json.loads((ROOT / "vectors" / "schemas" / doc["schema"]).read_text("utf-8"))
    jsonschema.Draft202012Validator(schema).validate(doc)
    suites = {(g.int("kemId"), g.int("kdfId"), g.int("aeadId")) for g in vf.groups}
    assert suites == set(HPKE_SUITES)
    assert {g.int("mode") for g in vf.groups} == {0, 1, 2, 3}
    # Every RFC 9180 Appendix A.1 / A.2 section is there, cited by section.
    cited = {c.source.section for _, c in vf.cases() if c.source is not None}
    sub = "1" if file == "hpke_test.json" else "2"
    assert cited == {f"A.{s}.{m}.{sub}" for s in (1, 2) for m in (1, 2, 3, 4)}


@pytest.mark.parametrize("file", FILES)
def test_a_correct_implementation_passes_every_case(file: str) -> None:
    results = run(file, hpke(MockReferenceHpke()))
    fails = [(r.comment, r.detail) for r in results if r.outcome != "pass"]
    assert not fails, fails[:3]


@pytest.mark.parametrize(
    ("file", "method"),
    [
        ("hpke_test.json", "hpke_seal"),
        ("hpke_test.json", "hpke_open"),
        ("hpke_test.json", "hpke_derive_key_pair"),
        ("hpke_export_test.json", "hpke_export"),
    ],
)
def test_one_flipped_output_bit_is_caught(file: str, method: str) -> None:
    results = run(file, hpke(MockFlippedOutput(MockReferenceHpke(), method)))
    failed = [r for r in results if r.outcome == "fail"]
    assert failed, f"{method} with a flipped bit passed {file}"
    assert all(r.detail and method in r.detail for r in failed)
    # Every valid case that calls the method fails; refusals are unaffected.
    assert {r.expected for r in failed} == {"valid"}


@pytest.mark.parametrize("file", FILES)
def test_accepting_an_all_zero_dh_output_is_caught(file: str) -> None:
    results = run(file, hpke(MockHpkeAcceptsZeroDh()))
    failed = [r for r in results if r.outcome == "fail"]
    assert failed
    # Exactly the low-order cases fail, and each of them: the ciphertexts are valid under the
    # all-zero DH value, so skipping the check means opening them, not failing by accident.
    assert all(set(r.flags) & LOW_ORDER_FLAGS for r in failed)
    low_order = [r for r in results if set(r.flags) & LOW_ORDER_FLAGS]
    assert len(failed) == len(low_order)
    if file == "hpke_test.json":
        assert failed_flags(results) >= LOW_ORDER_FLAGS
        opened = [r for r in failed if "LowOrderEnc" in r.flags]
        assert all("accepted an invalid input (returned" in (r.detail or "") for r in opened)


def test_re_encoding_enc_before_kem_context_is_caught() -> None:
    results = run("hpke_test.json", hpke(MockHpkeReencodesEnc()))
    assert failed_flags(results) == {"NonCanonicalEnc"}


def test_a_one_byte_length_in_labeled_expand_is_caught() -> None:
    results = run("hpke_export_test.json", hpke(MockHpkeOneByteLength()))
    failed = [r for r in results if r.outcome == "fail"]
    assert failed
    assert all("TwoByteLength" in r.flags for r in failed)
    assert len(failed) == sum("TwoByteLength" in r.flags for r in results)
    # Seal/Open only expand to at most 32 bytes: the bug does not show there.
    assert outcomes(run("hpke_test.json", hpke(MockHpkeOneByteLength()))).get("fail", 0) == 0


def test_a_native_exception_is_an_error_not_a_pass_or_fail() -> None:
    results = run("hpke_test.json", hpke(MockNativeException()))
    assert outcomes(results) == {"error": len(results)}
