"""Every bundled adapter honours its declarations (the quic-interop-runner compliance idea)."""

from __future__ import annotations

import pytest

from conformance.capabilities import interface_of
from conformance.errors import Unsupported
from conformance.registry import known_manifests, load_adapters

BUNDLED = sorted(known_manifests())


def test_the_two_named_backends_are_bundled() -> None:
    assert {"cryptography", "pynacl"} <= set(BUNDLED)


@pytest.mark.parametrize("name", BUNDLED)
def test_adapter_reports_a_real_version_and_typed_capabilities(name: str) -> None:
    (adapter,) = load_adapters([name])
    info = adapter.info()
    assert info.status == "ok", info.error
    assert info.version
    assert info.version != "unknown"
    assert info.capabilities
    for cap in info.capabilities:
        iface = interface_of(cap)
        assert iface is not None
        assert isinstance(adapter.get(cap), iface)
    with pytest.raises(Unsupported):
        adapter.get("x448")
    missing = set(adapter.manifest.capabilities) - set(info.capabilities)
    assert missing == set(adapter.unavailable())


def test_offering_an_undeclared_capability_is_the_adapters_error() -> None:
    """The adapter's error (its checks are ``error`` results), not the run's end (issue 13)."""
    from dataclasses import replace

    from conformance.adapter import LoadedAdapter

    (real,) = load_adapters(["cryptography"])
    narrowed = replace(real.manifest, capabilities=frozenset({"x25519"}))
    loaded = LoadedAdapter(narrowed, real.instance, None)
    assert loaded.error is not None
    assert "does not declare it" in loaded.error
    assert not loaded.supports("x25519")
