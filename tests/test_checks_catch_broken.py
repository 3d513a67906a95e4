"""Every kind of check must be able to fail: for each one, a deliberately broken implementation
(a Mock*) is fed to it and must be caught, while the real implementation passes the same file."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from helpers import (
    MockAeadSwallowsTagFailure,
    MockCbcIgnoresPadding,
    MockFlippedOutput,
    MockHkdfIgnoresInfo,
    MockHkdfNoLengthLimit,
    MockHmacPrefixVerify,
    MockLenientEd25519Verifier,
    MockNativeException,
    adapter_from,
    outcomes,
    real,
    run_file,
)

CBC_HMAC = ("hkdf-sha256", "aes-256-cbc", "hmac-sha256")

# (vector file, capability, the real adapter to start from, how to break it, flags that must fail)
CASES: list[tuple[str, str, str, Callable[[Any], Any], set[str]]] = [
    ("x25519_test.json", "x25519", "cryptography", lambda r: MockFlippedOutput(r, "x25519"), set()),
    (
        "x25519_iterated_test.json",
        "x25519",
        "cryptography",
        lambda r: MockFlippedOutput(r, "x25519"),
        set(),
    ),
    (
        "ed25519_test.json",
        "ed25519",
        "pynacl",
        MockLenientEd25519Verifier,
        {"SignatureMalleability"},
    ),
    (
        "ed25519_test.json",
        "ed25519",
        "pynacl",
        lambda r: MockFlippedOutput(r, "ed25519_sign"),
        set(),
    ),
    ("hkdf_sha256_test.json", "hkdf-sha256", "cryptography", MockHkdfIgnoresInfo, set()),
    (
        "hkdf_sha256_test.json",
        "hkdf-sha256",
        "cryptography",
        MockHkdfNoLengthLimit,
        {"SizeTooLarge"},
    ),
    (
        "hmac_sha256_test.json",
        "hmac-sha256",
        "cryptography",
        MockHmacPrefixVerify,
        {"TruncatedTag"},
    ),
    (
        "hmac_sha256_test.json",
        "hmac-sha256",
        "cryptography",
        lambda r: MockFlippedOutput(r, "hmac_sha256"),
        set(),
    ),
    (
        "chacha20_poly1305_test.json",
        "aead:chacha20-poly1305",
        "cryptography",
        MockAeadSwallowsTagFailure,
        {"ModifiedTag"},
    ),
    (
        "xchacha20_poly1305_test.json",
        "aead:xchacha20-poly1305",
        "pycryptodome",
        MockAeadSwallowsTagFailure,
        {"ModifiedTag"},
    ),
    (
        "aes_256_gcm_test.json",
        "aead:aes-256-gcm",
        "cryptography",
        lambda r: MockFlippedOutput(r, "encrypt"),
        set(),
    ),
    ("aes_256_cbc_test.json", "aes-256-cbc", "cryptography", MockCbcIgnoresPadding, {"BadPadding"}),
]


@pytest.mark.parametrize("case", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_real_passes_and_broken_fails(
    case: tuple[str, str, str, Callable[[Any], Any], set[str]],
) -> None:
    file, capability, source, breaker, must_fail_flags = case
    good = run_file(file, adapter_from("real", {capability: real(capability, source)}))
    assert outcomes(good).get("fail", 0) == 0, [r.detail for r in good if r.outcome == "fail"][:3]
    assert outcomes(good).get("error", 0) == 0

    bad = run_file(file, adapter_from("broken", {capability: breaker(real(capability, source))}))
    failed = [r for r in bad if r.outcome == "fail"]
    assert failed, f"{file}: the check did not catch the broken implementation"
    assert all(r.detail for r in failed)
    for flag in must_fail_flags:
        assert any(flag in r.flags for r in failed), f"no {flag} case failed"


def test_cbc_hmac_catches_a_padding_oracle() -> None:
    caps = {c: real(c) for c in CBC_HMAC}
    good = run_file("aes_256_cbc_hmac_sha256_test.json", adapter_from("real", caps))
    assert outcomes(good) == {"pass": len(good)}

    caps["aes-256-cbc"] = MockCbcIgnoresPadding(caps["aes-256-cbc"])
    bad = run_file("aes_256_cbc_hmac_sha256_test.json", adapter_from("broken", caps))
    assert {f for r in bad if r.outcome == "fail" for f in r.flags} >= {"BadPaddingValidMac"}


def test_cbc_hmac_catches_a_wrong_mac() -> None:
    caps = {c: real(c) for c in CBC_HMAC}
    caps["hmac-sha256"] = MockFlippedOutput(caps["hmac-sha256"], "hmac_sha256")
    bad = run_file("aes_256_cbc_hmac_sha256_test.json", adapter_from("broken", caps))
    assert outcomes(bad).get("fail", 0) > 0


@pytest.mark.parametrize(
    ("file", "capability"),
    [
        ("x25519_test.json", "x25519"),
        ("hmac_sha256_test.json", "hmac-sha256"),
        ("aes_256_gcm_test.json", "aead:aes-256-gcm"),
    ],
)
def test_native_exception_is_an_error_not_a_pass_or_fail(file: str, capability: str) -> None:
    results = run_file(file, adapter_from("leaky", {capability: MockNativeException()}))
    assert outcomes(results) == {"error": len(results)}
    assert "KeyError" in (results[0].detail or "")


def test_undeclared_capability_is_unsupported_never_guessed() -> None:
    results = run_file(
        "x25519_test.json", adapter_from("no-x25519", {"hmac-sha256": real("hmac-sha256")})
    )
    assert outcomes(results) == {"unsupported": len(results)}
    assert "does not declare x25519" in (results[0].detail or "")


def test_composite_needs_every_part_declared() -> None:
    caps = {c: real(c) for c in ("hkdf-sha256", "hmac-sha256")}
    results = run_file("aes_256_cbc_hmac_sha256_test.json", adapter_from("no-cbc", caps))
    assert outcomes(results) == {"unsupported": len(results)}
    assert "aes-256-cbc" in (results[0].detail or "")


class MockHmacOnly32ByteKeys:
    """Mock (fault injection): a real HMAC that refuses every key not 32 bytes long with
    Unsupported, as libsodium's one-shot HMAC-SHA-256 API does."""

    def __init__(self) -> None:
        self.inner = real("hmac-sha256")

    def hmac_sha256(self, key: bytes, message: bytes) -> bytes:
        self._check(key)
        return bytes(self.inner.hmac_sha256(key, message))

    def hmac_sha256_verify(self, key: bytes, message: bytes, tag: bytes) -> None:
        self._check(key)
        self.inner.hmac_sha256_verify(key, message, tag)

    @staticmethod
    def _check(key: bytes) -> None:
        from conformance.errors import Unsupported

        if len(key) != 32:
            raise Unsupported(f"{len(key)}-byte keys")


def test_unsupported_parameter_set_is_unsupported_not_a_failure() -> None:
    results = run_file(
        "hmac_sha256_test.json", adapter_from("m", {"hmac-sha256": MockHmacOnly32ByteKeys()})
    )
    got = outcomes(results)
    assert "fail" not in got
    assert got["unsupported"] > 0
    assert got["pass"] > 0
    unsupported = [r for r in results if r.outcome == "unsupported"]
    assert all("Unsupported" in (r.detail or "") for r in unsupported)
