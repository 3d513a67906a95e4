"""Current Signal (family ``signal-pq``) with the real libsignal: sealed sender, which only
libsignal implements here (the suite has no reference of it to break), so its broken variants
wrap the bundled libsignal-client adapter's real objects (Mock*: one behaviour changed); and
the reference and libsignal talking to each other both ways, with the party at fault named when
one side is broken.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from helpers import adapter_from, reference_primitives
from signal_pq_breaks import MockSignalPqKyberLeftOut

from conformance.adapter import LoadedAdapter
from conformance.capabilities.signal_pq import SignalUnsealed
from conformance.interop import PairTask, run_pair, scenarios
from conformance.reference.signal_pq import SignalPqReference
from conformance.registry import load_adapters
from conformance.results import CheckResult

SEED = 20261205


@pytest.fixture(scope="module")
def libsignal() -> Iterator[LoadedAdapter]:
    (adapter,) = load_adapters(["libsignal-client"])
    assert adapter.error is None, adapter.error
    yield adapter
    adapter.close()


class _Wrapped:
    """A real capability object with some methods replaced."""

    def __init__(self, real: Any) -> None:
        self._real = real

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


class MockSealedSenderNoExpiry(_Wrapped):
    """Opens sealed messages as at time 0, whatever the time: an expired sender certificate is
    accepted. Breaks libsignal sealed_sender.rs (SenderCertificate::validate: the certificate
    must not have expired at the time given)."""

    def sealed_sender_decrypt(
        self, party: bytes, message: bytes, trust_root: bytes, timestamp: int
    ) -> SignalUnsealed:
        return self._real.sealed_sender_decrypt(party, message, trust_root, 0)  # type: ignore[no-any-return]


class MockSealedSenderWrongSender(_Wrapped):
    """Reports the sender's device as one more than the certificate says (it reads the wrong
    field). Breaks sealed_sender.rs (the sender is the certificate's)."""

    def sealed_sender_decrypt(
        self, party: bytes, message: bytes, trust_root: bytes, timestamp: int
    ) -> SignalUnsealed:
        got: SignalUnsealed = self._real.sealed_sender_decrypt(
            party, message, trust_root, timestamp
        )
        got["sender_device_id"] += 1
        return got


def _sealed(name: str, real: LoadedAdapter, mock: type[_Wrapped] | None) -> LoadedAdapter:
    sealed = real.get("signal-sealed-sender")
    return adapter_from(
        name,
        {
            "signal-pq": real.get("signal-pq"),
            "signal-sealed-sender": sealed if mock is None else mock(sealed),
        },
    )


def _run(check: str, first: LoadedAdapter, second: LoadedAdapter) -> CheckResult:
    (sc,) = [s for s in scenarios() if s.check == check]
    return run_pair(PairTask(sc, first, second), SEED)


def test_sealed_sender_passes_between_two_libsignal_parties(libsignal: LoadedAdapter) -> None:
    r = _run(
        "pair/signal-pq/sealed-sender",
        _sealed("first", libsignal, None),
        _sealed("second", libsignal, None),
    )
    assert r.outcome == "pass", r.detail


@pytest.mark.parametrize(
    ("mock", "detail"),
    [
        (MockSealedSenderNoExpiry, "bob opened a sealed message after its certificate expired"),
        (MockSealedSenderWrongSender, "bob read the sender of a version-1 sealed message as"),
    ],
)
def test_sealed_sender_catches_a_broken_receiver(
    libsignal: LoadedAdapter, mock: type[_Wrapped], detail: str
) -> None:
    r = _run(
        "pair/signal-pq/sealed-sender",
        _sealed("first", libsignal, None),
        _sealed("second", libsignal, mock),
    )
    assert r.outcome == "fail", r.detail
    assert detail in (r.detail or ""), r.detail


def _reference(name: str, cls: type[SignalPqReference] = SignalPqReference) -> LoadedAdapter:
    return adapter_from(name, {"signal-pq": cls(reference_primitives())})


@pytest.mark.parametrize("check", ["pair/signal-pq/converse", "prop/signal-pq/replay"])
def test_the_reference_and_libsignal_interoperate_both_ways(
    libsignal: LoadedAdapter, check: str
) -> None:
    for first, second in ((_reference("reference"), libsignal), (libsignal, _reference("ref"))):
        r = _run(check, first, second)
        assert r.outcome == "pass", (first.name, second.name, r.detail)


def test_a_broken_reference_fails_against_libsignal_in_both_roles(
    libsignal: LoadedAdapter,
) -> None:
    broken = _reference("broken", MockSignalPqKyberLeftOut)
    as_alice = _run("pair/signal-pq/converse", broken, libsignal)
    as_bob = _run("pair/signal-pq/converse", libsignal, broken)
    assert as_alice.outcome == as_bob.outcome == "fail", (as_alice.detail, as_bob.detail)
    # Broken as Alice, her first message is refused by libsignal's Bob; broken as Bob, he
    # refuses libsignal's.
    assert "bob decrypts message 0" in (as_alice.detail or ""), as_alice.detail
    assert "bob decrypts message 0" in (as_bob.detail or ""), as_bob.detail
