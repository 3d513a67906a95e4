"""The MLS group safety properties (conformance/properties/mls.py) on the suite's reference, in
process: the healthy reference passes each, the insider's forgeries (conformance/reference/mls/
forge.py) are refused for the reason each was made for, and what a property needs from a
manifest it says when it is missing. Broken variants that fail each property are rows of
tests/test_scenarios_catch_broken.py."""

from __future__ import annotations

import os
from dataclasses import replace

import pytest
from helpers import adapter_from

from conformance.adapter import LoadedAdapter
from conformance.errors import AuthenticationFailed, InvalidMessage
from conformance.interop import PairTask, run_pair, scenarios
from conformance.properties import SCENARIOS as PROPERTIES
from conformance.properties.mls import FRAMING, SCENARIOS, flips
from conformance.quirks import mls as mls_quirks
from conformance.reference.mls import forge
from conformance.reference.mls.group_api import MlsGroupReference
from conformance.registry import known_manifests

SEED = 7


def _party(name: str, **quirks: object) -> LoadedAdapter:
    adapter = adapter_from(name, {"mls-group": MlsGroupReference()})
    declared = known_manifests()["reference"].quirks
    if quirks:
        declared = {"mls": replace(mls_quirks.of(declared), **quirks)}  # type: ignore[arg-type]
    adapter.manifest = replace(adapter.manifest, quirks=declared)
    return adapter


def _run(check: str, first: LoadedAdapter, second: LoadedAdapter) -> tuple[str, str | None]:
    sc = next(s for s in scenarios() if s.check == check)
    r = run_pair(PairTask(sc, first, second), SEED)
    return r.outcome, r.detail


def test_the_properties_are_registered() -> None:
    names = {s.name for s in SCENARIOS}
    assert names == {
        "forward-secrecy",
        "post-compromise-security",
        "removed-member",
        "replay",
        "tampering",
        "tampering-every-bit",
        "forged-commits",
        "out-of-order",
    }
    assert all(s.kind == "prop" and s.capability == "mls-group" for s in SCENARIOS)
    assert set(SCENARIOS) <= set(PROPERTIES)
    assert [s.name for s in SCENARIOS if s.full_only] == ["tampering-every-bit"]


@pytest.mark.parametrize("check", [s.check for s in SCENARIOS])
def test_the_reference_keeps_every_property(check: str) -> None:
    outcome, detail = _run(check, _party("first"), _party("second"))
    assert outcome == "pass", detail


def test_flips() -> None:
    assert len(flips(10, every_bit=True)) == 80
    some = flips(200, every_bit=False)
    # One bit per byte, every bit of the framing bytes.
    assert len(some) == 200 + FRAMING * 7
    assert (100, 100 % 8) in some
    assert (101, 0) not in some
    assert all((i, bit) in some for i in range(FRAMING) for bit in range(8))


def test_out_of_order_needs_a_declared_window() -> None:
    outcome, detail = _run(
        "prop/mls/out-of-order", _party("first"), _party("second", out_of_order_window=None)
    )
    assert outcome == "unsupported"
    assert "declares no out-of-order window" in (detail or "")


def test_a_handle_state_cannot_be_stolen() -> None:
    outcome, detail = _run(
        "prop/mls/post-compromise-security", _party("first", state="handle"), _party("second")
    )
    assert outcome == "unsupported"
    assert "behind a handle" in (detail or "")


def _group() -> tuple[MlsGroupReference, bytes, bytes, bytes, int]:
    """Alice (creator) adds Nick then Bob, then removes Nick (his leaf, 1, stays in the tree,
    blank): (ref, alice, bob, Nick's signature key, Nick's leaf)."""
    ref = MlsGroupReference()
    keys = {who: os.urandom(32) for who in ("alice", "bob", "nick")}
    made = {
        who: ref.mls_key_package(1, who.encode(), key, os.urandom(64)) for who, key in keys.items()
    }
    alice = ref.mls_create(made["alice"]["member"], b"group", os.urandom(64))
    alice = ref.mls_add(alice, made["nick"]["key_package"], 1, os.urandom(64))["member"]
    added = ref.mls_add(alice, made["bob"]["key_package"], 1, os.urandom(64))
    bob = ref.mls_join(made["bob"]["member"], added["welcome"])
    removed = ref.mls_remove(added["member"], 1, 1, os.urandom(64))
    bob = ref.mls_process(bob, removed["commit"])["member"]
    return ref, removed["member"], bob, keys["nick"], 1


def test_a_wrong_confirmation_tag_is_what_is_refused() -> None:
    ref, alice, bob, _, _ = _group()
    forged = forge.wrong_confirmation_tag(ref, bob, os.urandom(64))
    # The membership tag and signature pass: the confirmation tag is what fails (§12.4.2).
    with pytest.raises(AuthenticationFailed, match="confirmation tag"):
        ref.mls_process(alice, forged)


def test_a_blank_leaf_sender_is_what_is_refused() -> None:
    ref, alice, bob, nick_key, leaf = _group()
    joiner = ref.mls_key_package(1, b"joiner", os.urandom(32), os.urandom(64))["key_package"]
    forged = forge.blank_leaf_sender(ref, bob, leaf, nick_key, joiner)
    with pytest.raises(InvalidMessage, match="not a member"):
        ref.mls_process(alice, forged)
    with pytest.raises(ValueError, match="not a blank leaf"):
        forge.blank_leaf_sender(ref, bob, 0, nick_key, joiner)
