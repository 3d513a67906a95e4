"""Crash and restart (conformance.attacks.restart, .mls_restart): the checks pass for an
implementation whose persisted state survives, and name the party whose state does not.

The broken variants (tests/fault_adapters/restart_*, named Mock*) are in-process adapters made
again from their manifests at every restart, which is what an in-process restart does: one
keeps its states behind handles into its object, one keeps its sending chain position in
memory (a restarted sender reuses a message key), one is the reference's MLS group declaring
a serialised state it does not have. The real out-of-process restart (the adapter's process
killed and started again) is tested on the bundled python-olm.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance.adapter import LoadedAdapter, load_adapter
from conformance.interop import PairTask, run_pair, scenarios
from conformance.manifest import load_manifest
from conformance.registry import known_manifests
from conformance.results import CheckResult

SEED = 20261206
FAULTS = Path(__file__).parent / "fault_adapters"


def _adapter(folder: str) -> LoadedAdapter:
    loaded = load_adapter(load_manifest(FAULTS / folder / "adapter.toml"))
    assert loaded.error is None, loaded.error
    return loaded


def _bundled(name: str) -> LoadedAdapter:
    loaded = load_adapter(known_manifests()[name])
    assert loaded.error is None, loaded.error
    return loaded


def _run(check: str, first: LoadedAdapter, second: LoadedAdapter) -> CheckResult:
    (sc,) = [s for s in scenarios() if s.check == check]
    return run_pair(PairTask(sc, first, second), SEED)


@pytest.fixture(scope="module")
def reference() -> LoadedAdapter:
    return _bundled("reference")


@pytest.mark.parametrize("family", ["olm", "megolm", "signal", "signal-pq"])
@pytest.mark.parametrize("name", ["restart", "crash-restart"])
def test_the_reference_survives_its_restarts(
    reference: LoadedAdapter, family: str, name: str
) -> None:
    kind = "pair" if name == "restart" else "prop"
    r = _run(f"{kind}/{family}/{name}", reference, reference)
    assert r.outcome == "pass", r.detail
    assert int(r.measured["restarts"]) >= 2


@pytest.mark.parametrize("name", ["pair/olm/restart", "prop/olm/crash-restart"])
def test_state_kept_in_the_object_is_charged_to_it(reference: LoadedAdapter, name: str) -> None:
    mock = _adapter("restart_forgets")
    for first, second, blamed in ((mock, reference, "mock"), (reference, mock, "mock")):
        r = _run(name, first, second)
        assert r.outcome == "fail", r.detail
        assert "did not survive" in (r.detail or ""), r.detail
        assert r.fault is not None
        assert r.fault.adapters == (mock.name,), r.fault
        assert blamed


def test_a_sending_chain_kept_in_memory_reuses_a_message_key(reference: LoadedAdapter) -> None:
    mock = _adapter("restart_reuses_keys")
    r = _run("pair/olm/restart", mock, reference)
    assert r.outcome == "fail", r.detail
    assert "a message key used twice after a restart" in (r.detail or ""), r.detail
    assert r.fault is not None
    assert r.fault.party == "sender"
    assert r.fault.adapters == (mock.name,)
    assert r.bug_types == ("KEY_REUSE",)


def test_without_restarts_the_mock_passes(reference: LoadedAdapter) -> None:
    """The control run: the same story with no restart passes for both mocks, so what the
    checks above catch is the restart alone."""
    from conformance.attacks import restart as attack
    from conformance.interop import Rng
    from conformance.interop.drivers import OlmDriver

    for folder in ("restart_forgets", "restart_reuses_keys"):
        mock = _adapter(folder)
        olm = mock.get("olm")
        d = OlmDriver(olm, reference.get("olm"), Rng("control"))
        attack._restart_story(d, attack._Ledger(d, restarting=False))


def test_mls_state_that_is_not_serialised_is_caught(reference: LoadedAdapter) -> None:
    mock = _adapter("restart_mls_lies")
    r = _run("pair/mls/restart", mock, mock)
    assert r.outcome == "fail", r.detail
    assert "did not survive" in (r.detail or ""), r.detail
    assert r.fault is not None
    assert r.fault.adapters == (mock.name,)


def test_mls_declared_process_state_is_unsupported_by_design(reference: LoadedAdapter) -> None:
    r = _run("prop/mls/crash-restart", reference, reference)
    assert r.outcome == "unsupported", r.detail
    assert "survives a restart" in (r.detail or "")


def test_an_out_of_process_adapter_is_really_restarted() -> None:
    """python-olm runs in a child process: each restart kills it and starts a new one, and the
    conversation goes on from the states it returned."""
    olm = _bundled("python-olm")
    try:
        client = olm.instance.client  # type: ignore[union-attr]
        before = client._proc.pid
        r = _run("pair/olm/restart", olm, olm)
        assert r.outcome == "pass", r.detail
        assert int(r.measured["restarts"]) >= 4
        assert client._proc.pid != before
    finally:
        olm.close()
