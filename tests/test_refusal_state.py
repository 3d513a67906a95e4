"""Protocol 2, "State after a refusal": every bundled stateful adapter's refusal carries the
party's state after the attempt, and that state is usable (the genuine message decrypts with it).

Alice is the reference, Bob the adapter under test. The stdio adapters run over real pipes, so
``ProtocolError.state`` arriving as bytes is checked through the suite's own client too.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from conformance.adapter import LoadedAdapter
from conformance.errors import ProtocolError
from conformance.interop import Rng
from conformance.interop.drivers import DRIVERS, Driver, OlmParty, Sent
from conformance.registry import load_adapters

#: adapter -> the families whose refusals must carry the state.
STATEFUL = {
    "reference": ("olm", "megolm", "signal"),
    "python-olm": ("olm", "megolm"),
    "vodozemac": ("olm", "megolm"),
    "python-axolotl": ("signal",),
    "libsignal-protocol-typescript": ("signal",),
}
BUNDLE_FIELDS = (
    "registration_id",
    "identity_key",
    "signed_prekey_id",
    "signed_prekey",
    "signed_prekey_signature",
    "prekey_id",
    "prekey",
)
CASES = [(adapter, family) for adapter, families in STATEFUL.items() for family in families]


@pytest.fixture(scope="module")
def adapters() -> Iterator[dict[str, LoadedAdapter]]:
    loaded = {a.name: a for a in load_adapters(list(STATEFUL))}
    yield loaded
    for a in loaded.values():
        a.close()


def _adapter(adapters: dict[str, LoadedAdapter], name: str) -> LoadedAdapter:
    adapter = adapters[name]
    assert adapter.error is None, adapter.error
    assert adapter.protocol == 2
    return adapter


def _driver(adapters: dict[str, LoadedAdapter], name: str, family: str) -> Driver:
    capability, driver_class = DRIVERS[family]
    alice = _adapter(adapters, "reference").get(capability)
    bob = _adapter(adapters, name).get(capability)
    return driver_class(alice, bob, Rng(f"refusal-state-{name}-{family}"))


def _tampered(message: bytes) -> bytes:
    """The genuine message with a bit of its MAC (the last bytes in every family) flipped; for
    Megolm the last bytes are the signature, refused before the MAC."""
    return message[:-1] + bytes([message[-1] ^ 0x01])


def _continue_from(family: str, before: Any, state: bytes) -> Any:
    """The receiver's driver state with the refusal's state in place of the one refused."""
    if family == "olm":
        party: OlmParty = before
        if party.session is None:
            return OlmParty(state, None)
        return OlmParty(party.account, state)
    return state


def _refuse_then_deliver(d: Driver, family: str, genuine: Sent) -> ProtocolError:
    before = d.states[genuine.to]
    with pytest.raises(ProtocolError) as refused:
        d.open(genuine.to, before, genuine.type, _tampered(genuine.message))
    state = refused.value.state
    assert isinstance(state, bytes), f"{refused.value.kind} refusal carried no state"
    assert state
    d.states[genuine.to] = _continue_from(family, before, state)
    assert d.deliver(genuine) == genuine.plaintext
    return refused.value


@pytest.mark.parametrize(("name", "family"), CASES)
def test_a_refused_message_returns_a_state_the_genuine_one_decrypts_with(
    adapters: dict[str, LoadedAdapter], name: str, family: str
) -> None:
    d = _driver(adapters, name, family)
    d.establish()
    if family != "megolm":
        # The first message: olm_inbound (the account) or a pre-key signal_decrypt (the party).
        _refuse_then_deliver(d, family, d.encrypt("alice"))
        d.deliver(d.encrypt("bob"))
    # A normal message: olm_decrypt, megolm_decrypt or signal_decrypt.
    refusal = _refuse_then_deliver(d, family, d.encrypt("alice"))
    assert refusal.kind in {"AuthenticationFailed", "InvalidSignature", "InvalidMessage"}


@pytest.mark.parametrize("name", ["reference", "python-axolotl"])
def test_a_refused_group_message_returns_the_group_state(
    adapters: dict[str, LoadedAdapter], name: str
) -> None:
    sender = _adapter(adapters, "reference").get("signal-group")
    receiver = _adapter(adapters, name).get("signal-group")
    created = sender.signal_group_create(7, 0, b"\x01" * 32, b"\x02" * 32)
    state = receiver.signal_group_join(created["distribution"])
    sent = sender.signal_group_encrypt(created["state"], b"to the group", b"\x03" * 64)
    with pytest.raises(ProtocolError) as refused:
        receiver.signal_group_decrypt(state, _tampered(sent["message"]))
    assert isinstance(refused.value.state, bytes)
    got = receiver.signal_group_decrypt(refused.value.state, sent["message"])
    assert got["plaintext"] == b"to the group"


@pytest.mark.parametrize("name", ["reference", "python-axolotl", "libsignal-protocol-typescript"])
def test_a_refused_initiate_returns_the_party(
    adapters: dict[str, LoadedAdapter], name: str
) -> None:
    d = _driver(adapters, name, "signal")
    rng = Rng(f"initiate-{name}")
    bob = d.a.signal_party(rng.key(), 2, 3, rng.key(), rng.take(64), 4, rng.key())
    alice = d.b.signal_party(rng.key(), 1, 1, rng.key(), rng.take(64), 1, rng.key())
    bundle = d.a.signal_bundle(bob)
    fields = [bundle[f] for f in BUNDLE_FIELDS]
    keys = [rng.key(), rng.key()]
    forged = [
        _tampered(v) if f == "signed_prekey_signature" else v
        for f, v in zip(BUNDLE_FIELDS, fields, strict=True)
    ]
    with pytest.raises(ProtocolError) as refused:
        d.b.signal_initiate(alice, *forged, *keys)
    assert refused.value.kind == "InvalidSignature"
    assert isinstance(refused.value.state, bytes)
    d.b.signal_initiate(refused.value.state, *fields, *keys)


def test_a_refused_state_itself_carries_no_state(adapters: dict[str, LoadedAdapter]) -> None:
    olm = _adapter(adapters, "python-olm").get("olm")
    with pytest.raises(ProtocolError) as refused:
        olm.olm_decrypt(b"not a pickle", 1, b"\x03" * 40)
    assert refused.value.kind == "InvalidInput"
    assert refused.value.state is None
