"""Low-order X25519 inputs in the HPKE vectors (issue 20; RFC 9180 §7.1.4): every one of the 14
encodings of :data:`conformance.reference.low_order.LOW_ORDER_POINTS` is an ``enc`` and a ``pkR``
in Base mode and a ``pkS`` in Auth mode, the honest reference refuses each, and an
implementation that skips the all-zero check for one of those inputs fails exactly those cases.
"""

from __future__ import annotations

import pytest
from helpers import adapter_from, run_file

from conformance import loader
from conformance.adapter import LoadedAdapter
from conformance.errors import InvalidKey
from conformance.reference.hpke import HpkeReference, HpkeSuite
from conformance.reference.low_order import LOW_ORDER_POINTS
from conformance.resources import vectors_dir
from conformance.results import CheckResult

FILE = vectors_dir() / "hpke" / "hpke_test.json"
ENCODINGS = {p.encoding for p in LOW_ORDER_POINTS}
MODE_BASE, MODE_AUTH = 0, 2
#: (flag, the case field that carries the point, the mode in which all 14 appear)
PLACES = (
    ("LowOrderEnc", "enc", MODE_BASE),
    ("LowOrderRecipientKey", "pkR", MODE_BASE),
    ("LowOrderSenderKey", "pkS", MODE_AUTH),
)


class _AcceptsZeroDhWithSenderKey(HpkeSuite):
    """Skips the §7.1.4 check for DH(skR, pkS) only (the sender-authentication half of
    AuthDecap), as an implementation that validates enc but trusts a configured pkS."""

    _pk_s = b""

    def decap(self, enc: bytes, sk_r: bytes, pk_s: bytes = b"") -> bytes:
        self._pk_s = pk_s
        try:
            return super().decap(enc, sk_r, pk_s)
        finally:
            self._pk_s = b""

    def _dh(self, sk: bytes, pk: bytes) -> bytes:
        try:
            return super()._dh(sk, pk)
        except InvalidKey:
            if self._pk_s and pk == self._pk_s:
                return bytes(32)
            raise


class MockHpkeAcceptsLowOrderSenderKey(HpkeReference):
    """Opens with a low-order pkS: AuthDecap uses the all-zero DH(skR, pkS)."""

    suite_class = _AcceptsZeroDhWithSenderKey


class _AcceptsZeroDhWithRecipientKey(HpkeSuite):
    """Skips the §7.1.4 check in Encap only: Seal encrypts to a low-order pkR."""

    def encap(self, pk_r: bytes, ikm_e: bytes, sk_s: bytes = b"") -> tuple[bytes, bytes]:
        self._sealing = True
        try:
            return super().encap(pk_r, ikm_e, sk_s)
        finally:
            self._sealing = False

    _sealing = False

    def _dh(self, sk: bytes, pk: bytes) -> bytes:
        try:
            return super()._dh(sk, pk)
        except InvalidKey:
            if self._sealing:
                return bytes(32)
            raise


class MockHpkeSealsToLowOrderKey(HpkeReference):
    """Seals to a low-order pkR under the all-zero DH value."""

    suite_class = _AcceptsZeroDhWithRecipientKey


def _run(impl: HpkeReference) -> list[CheckResult]:
    adapter: LoadedAdapter = adapter_from(type(impl).__name__, {"hpke": impl})
    return run_file(FILE.name, adapter, FILE.parent)


def _low_order_cases(flag: str, field: str, mode: int) -> set[bytes]:
    vf = loader.load(FILE)
    return {
        bytes(case.fields[field])  # type: ignore[arg-type]
        for group, case in vf.cases()
        if group.int("mode") == mode and flag in case.flags
    }


@pytest.mark.parametrize(("flag", "field", "mode"), PLACES)
def test_every_low_order_encoding_is_offered_in_each_place(
    flag: str, field: str, mode: int
) -> None:
    assert _low_order_cases(flag, field, mode) == ENCODINGS


def test_the_reference_refuses_every_low_order_input() -> None:
    results = _run(HpkeReference())
    low = [r for r in results if {f for f, _, _ in PLACES} & set(r.flags)]
    assert len(low) == 52 + 46 + 34
    assert all(r.outcome == "pass" for r in low), [r.comment for r in low if r.outcome != "pass"]


@pytest.mark.parametrize(
    ("mock", "flag"),
    [
        (MockHpkeAcceptsLowOrderSenderKey, "LowOrderSenderKey"),
        (MockHpkeSealsToLowOrderKey, "LowOrderRecipientKey"),
    ],
)
def test_skipping_the_check_in_one_place_fails_exactly_that_place(
    mock: type[HpkeReference], flag: str
) -> None:
    results = _run(mock())
    failed = [r for r in results if r.outcome == "fail"]
    assert failed
    assert all(flag in r.flags for r in failed), {f for r in failed for f in r.flags}
    assert len(failed) == sum(flag in r.flags for r in results)
    # Each of the 14 encodings is among the failures (the names the generator gives them).
    assert sum("NonCanonicalPublic" in r.flags for r in failed) >= 10
