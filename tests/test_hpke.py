"""The HPKE family (RFC 9180): its vector files load and validate, a correct implementation passes
them, and each kind of broken implementation (a Mock*) is caught.

The correct implementation here is the suite's reference, ``HpkeReference``
(conformance/reference/hpke.py, in process, so these tests run without pyhpke or Node.js); the
real implementations are the stdio adapters ``pyhpke`` and ``hpke-js``. The broken ones each
change one thing in it (a step of :class:`HpkeSuite`, or what its primitives are given): a flipped output bit, an all-zero X25519 output accepted, enc re-encoded
before it enters kem_context, and I2OSP(L, 2) written as one byte (the hpke-js 1.9.0 export bug).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, cast

import jsonschema
import pytest
from helpers import MockFlippedOutput, MockNativeException, adapter_from, outcomes, run_file

from conformance import loader
from conformance.adapter import LoadedAdapter
from conformance.capabilities import family_of
from conformance.capabilities.hpke import HPKE_SUITES, Hpke
from conformance.checks import CHECKS
from conformance.errors import InvalidKey
from conformance.reference.hpke import HpkePrimitives, HpkeReference, HpkeSuite, default_primitives
from conformance.resources import vectors_dir
from conformance.results import CheckResult

ROOT = Path(__file__).resolve().parent.parent
HPKE = vectors_dir() / "hpke"
FILES = ("hpke_test.json", "hpke_export_test.json")
LOW_ORDER_FLAGS = {"LowOrderEnc", "LowOrderSenderKey", "LowOrderRecipientKey"}


# ---------------------------------------------------------------------------------------------
# A reference implementation (correct) and its broken variants
# ---------------------------------------------------------------------------------------------


class _AcceptsZeroDh(HpkeSuite):
    def _dh(self, sk: bytes, pk: bytes) -> bytes:
        try:
            return super()._dh(sk, pk)
        except InvalidKey:
            return bytes(32)


class MockHpkeAcceptsZeroDh(HpkeReference):
    """Skips the §7.1.4 check: an all-zero X25519 output is used instead of refused."""

    suite_class = _AcceptsZeroDh


class _ReencodesEnc(HpkeSuite):
    def decap(self, enc: bytes, sk_r: bytes, pk_s: bytes = b"") -> bytes:
        canonical = enc[:31] + bytes([enc[31] & 0x7F]) if len(enc) == 32 else enc
        return super().decap(canonical, sk_r, pk_s)


class MockHpkeReencodesEnc(HpkeReference):
    """Builds kem_context from the canonical re-encoding of pkE (bit 255 cleared), not from enc
    as received: a second encoding of the same enc opens the same message."""

    suite_class = _ReencodesEnc


class _OneByteLength:
    """Primitives whose HKDF-Expand receives LabeledExpand's info with I2OSP(L, 2) rewritten
    as [0, L mod 256]."""

    def __init__(self, inner: HpkePrimitives) -> None:
        self._inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def hkdf_expand(self, hash_name: str, prk: bytes, info: bytes, length: int) -> bytes:
        if info[2:9] == b"HPKE-v1":
            info = bytes([0, length % 256]) + info[2:]
        return self._inner.hkdf_expand(hash_name, prk, info, length)


class MockHpkeOneByteLength(HpkeReference):
    """Writes I2OSP(L, 2) in LabeledExpand as [0, L mod 256] (@hpke/common 1.10.1's bug)."""

    def __init__(self) -> None:
        super().__init__(cast(HpkePrimitives, _OneByteLength(default_primitives())))


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
    assert isinstance(HpkeReference(), Hpke)


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
    results = run(file, hpke(HpkeReference()))
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
    results = run(file, hpke(MockFlippedOutput(HpkeReference(), method)))
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
