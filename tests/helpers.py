"""Helpers for the suite's own tests: in-process adapters built from capability objects, and the
fault-injecting mocks (named Mock*) that make each kind of check see a wrong implementation."""

from __future__ import annotations

import json
import os
import re
import shlex
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conformance import loader
from conformance.adapter import Adapter, LoadedAdapter
from conformance.engine import Task, run_task
from conformance.errors import AuthenticationFailed, InvalidMessage
from conformance.manifest import Manifest
from conformance.reference.primitives import Primitives
from conformance.registry import load_adapters
from conformance.resources import report_schema_path, vectors_dir
from conformance.results import CheckResult

PRIMITIVES = vectors_dir() / "primitives"


def load_report(out: Path) -> dict[str, Any]:
    """The report.json a run wrote into ``out``, validated against the report schema."""
    import jsonschema

    report: dict[str, Any] = json.loads((out / "report.json").read_text())
    jsonschema.validate(report, json.loads(report_schema_path().read_text()))
    return report


def timeless(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``results`` without their durations: everything two runs of the same seed must agree on
    (how long a check took varies from run to run and is no part of its verdict)."""
    return [{k: v for k, v in r.items() if k != "duration"} for r in results]


def timeless_summary(summary: dict[str, Any]) -> dict[str, Any]:
    """A report's summary without the time the checks took."""
    return {k: v for k, v in summary.items() if k != "durations"}


def repro_args(report: dict[str, Any], result: dict[str, Any]) -> list[str]:
    """The arguments of ``result``'s reproduce command after the launcher the report recorded
    (``e2ee-conformance`` or ``python -m conformance``), for ``main``."""
    argv = shlex.split(result["reproduce"])
    launcher = report["run"]["launcher"]
    assert argv[: len(launcher)] == launcher, (argv, launcher)
    assert argv[len(launcher)] == "repro", argv
    return argv[len(launcher) :]


def processes_with(token: str) -> dict[int, str]:
    """pid -> command line of every live process but this one whose environment carries
    ``token`` (a test sets it before a run, so everything the run starts inherits it). Zombies
    (dead, not yet reaped) and this test process's own multiprocessing resource tracker, which
    lives as long as the test process does, are not counted."""
    marker = f"={token}".encode()
    found: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if not any(v.endswith(marker) for v in (entry / "environ").read_bytes().split(b"\0")):
                continue
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:  # gone meanwhile, or not ours to read
            continue
        if cmdline and b"resource_tracker" not in cmdline:
            found[int(entry.name)] = cmdline.replace(b"\0", b" ").decode(errors="replace")
    return found


# Written out here rather than taken from conformance.untrusted, so a gap in the suite's own list
# is not a gap in the test: C0 controls but newline and tab (ESC, BEL, CR...), DEL, C1 controls,
# bidi marks, embeddings, overrides and isolates, line and paragraph separators, lone surrogates.
_RAW = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029"
    "\ud800-\udfff]"
)


def raw_controls(text: str) -> list[str]:
    """The characters of ``text`` that a terminal, browser or XML parser would act on."""
    return sorted(set(_RAW.findall(text)))


def unavailable(reason: str) -> None:
    """Skip a test whose tool (a browser, node) is missing, except under CI=true, where CI
    installs it and a silent skip would hide a broken check."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: this check must run in CI)")
    pytest.skip(reason)


class _ObjectAdapter(Adapter):
    def __init__(self, caps: dict[str, object]) -> None:
        self._caps = caps

    def version(self) -> str:
        return "0-test"

    def capabilities(self) -> dict[str, object]:
        return dict(self._caps)


def adapter_from(
    name: str, caps: dict[str, object], quirks: dict[str, object] | None = None
) -> LoadedAdapter:
    manifest = Manifest(
        path=Path(f"<test>/{name}/adapter.toml"),
        name=name,
        implementation=f"test: {name}",
        description="",
        capabilities=frozenset(caps),
        transport="python",
        entry="adapter.py:X",
        quirks=dict(quirks or {}),
    )
    return LoadedAdapter(manifest, _ObjectAdapter(caps), None)


_REAL: dict[str, LoadedAdapter] = {}


def real(capability: str, adapter: str = "cryptography") -> Any:
    """The bundled adapter's real object for a capability."""
    if adapter not in _REAL:
        _REAL[adapter] = load_adapters([adapter])[0]
    return _REAL[adapter].get(capability)


def reference_primitives() -> Primitives:
    """The primitives the suite's reference runs on: the bundled cryptography adapter's."""
    return Primitives.of(real)


def run_file(file: str, adapter: LoadedAdapter, folder: Path = PRIMITIVES) -> list[CheckResult]:
    results: list[CheckResult] = []
    run_task(Task(loader.load(folder / file), adapter), results.append)
    return results


def outcomes(results: list[CheckResult]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for r in results:
        counts[r.outcome] = counts.get(r.outcome, 0) + 1
    return counts


def _flip(b: bytes) -> bytes:
    # The first byte, so that truncated outputs (8-byte tags) carry the fault too.
    return bytes([b[0] ^ 0x01]) + b[1:] if b else b"\x01"


class MockFlippedOutput:
    """Wraps a real object; the named methods return their output with one bit flipped."""

    def __init__(self, inner: Any, *methods: str) -> None:
        self._inner = inner
        self._methods = set(methods)

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._inner, name)
        if name not in self._methods:
            return attr

        def wrapped(*args: Any) -> Any:
            return _flip(attr(*args))

        return wrapped


class MockLenientEd25519Verifier:
    """Ed25519 whose verifier accepts everything (the CVE-2024-45193 class of bug, and worse)."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def ed25519_public_key(self, private: bytes) -> bytes:
        return bytes(self._inner.ed25519_public_key(private))

    def ed25519_sign(self, private: bytes, message: bytes) -> bytes:
        return bytes(self._inner.ed25519_sign(private, message))

    def ed25519_verify(self, public: bytes, message: bytes, signature: bytes) -> None:
        return None


class MockHkdfIgnoresInfo:
    """HKDF that drops the info string."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def hkdf_sha256(self, ikm: bytes, salt: bytes, info: bytes, length: int) -> bytes:
        return bytes(self._inner.hkdf_sha256(ikm, salt, b"", length))


class MockHkdfNoLengthLimit:
    """HKDF that returns output for any length instead of refusing L > 255 * HashLen."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def hkdf_sha256(self, ikm: bytes, salt: bytes, info: bytes, length: int) -> bytes:
        return bytes(self._inner.hkdf_sha256(ikm, salt, info, min(length, 255 * 32)))


class MockHmacPrefixVerify:
    """HMAC verification that compares only as many bytes as the tag has (accepts truncation)."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def hmac_sha256(self, key: bytes, message: bytes) -> bytes:
        return bytes(self._inner.hmac_sha256(key, message))

    def hmac_sha256_verify(self, key: bytes, message: bytes, tag: bytes) -> None:
        if self.hmac_sha256(key, message)[: len(tag)] != tag:
            raise AuthenticationFailed("mismatch")


class MockAeadSwallowsTagFailure:
    """An AEAD whose decrypt returns empty plaintext instead of failing on a bad tag."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def encrypt(self, key: bytes, nonce: bytes, plaintext: bytes, aad: bytes) -> bytes:
        return bytes(self._inner.encrypt(key, nonce, plaintext, aad))

    def decrypt(self, key: bytes, nonce: bytes, ciphertext: bytes, aad: bytes) -> bytes:
        try:
            return bytes(self._inner.decrypt(key, nonce, ciphertext, aad))
        except AuthenticationFailed:
            return b""


class MockCbcIgnoresPadding:
    """AES-CBC whose decrypt returns the raw blocks when the padding is bad."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def aes_256_cbc_encrypt(self, key: bytes, iv: bytes, plaintext: bytes, padding: bool) -> bytes:
        return bytes(self._inner.aes_256_cbc_encrypt(key, iv, plaintext, padding))

    def aes_256_cbc_decrypt(self, key: bytes, iv: bytes, ciphertext: bytes, padding: bool) -> bytes:
        try:
            return bytes(self._inner.aes_256_cbc_decrypt(key, iv, ciphertext, padding))
        except InvalidMessage:
            if not ciphertext or len(ciphertext) % 16:
                raise
            return bytes(self._inner.aes_256_cbc_decrypt(key, iv, ciphertext, False))


class MockNativeException:
    """Every method raises a native exception that is not a neutral error kind."""

    def __getattr__(self, name: str) -> Callable[..., Any]:
        def boom(*args: Any) -> Any:
            raise KeyError("native failure inside the library")

        return boom
