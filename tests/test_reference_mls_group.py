"""The reference MLS member (conformance/reference/mls/group.py, group_send.py): groups it
runs agree with themselves and refuse tampered commits, the passive-client files it writes are
deterministic and read back by its own passive client, and the reader fixes the working
group's short P-521 keys."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from conformance.capabilities.mls_protocol import join_blobs, split_blobs
from conformance.errors import AuthenticationFailed, InvalidMessage, ProtocolError
from conformance.mlsvectors import load_mls_vectors
from conformance.reference.mls import wire
from conformance.reference.mls.aead import PycaAead
from conformance.reference.mls.ciphersuites import SUITES
from conformance.reference.mls.framing import membership_tag
from conformance.reference.mls.group import Member, Toolkit, join
from conformance.reference.mls.group_send import commit, create
from conformance.reference.mls.hpke_binding import ReferenceHpke
from conformance.reference.mls.passive import MlsPassiveReference
from conformance.reference.mls.pyca import PycaSignatures
from vectors.generators._common import ByteSource
from vectors.generators.mls_invalid import required_capability_case
from vectors.generators.mls_wg_framing import _Generator
from vectors.generators.mls_wg_passive import generate


def _two_members(code: int, seed: str) -> tuple[Member, Member, Toolkit, Callable[[int], bytes]]:
    random = ByteSource(seed).bytes
    gen = _Generator(random)
    kit = Toolkit(gen.sig, gen.hpke, gen.aead)
    cs = SUITES[code]
    alice, bob = gen.member(cs, b"alice"), gen.member(cs, b"bob")
    a = create(
        kit, alice.key_package, alice.encryption_priv, alice.signature_priv, b"g", {}, random
    )
    a.signature_priv = alice.signature_priv
    done = commit(
        a,
        [wire.Proposal(wire.Add(bob.key_package))],
        [],
        path=True,
        wire_format=wire.WF_PUBLIC,
        random=random,
    )
    assert done.welcome is not None
    b = join(
        kit,
        wire.MlsMessage(bob.key_package).encode(),
        bob.init_priv,
        bob.encryption_priv,
        done.welcome,
        None,
        {},
    )
    b.signature_priv = bob.signature_priv
    return a, b, kit, random


@pytest.mark.parametrize("code", sorted(SUITES))
def test_members_commit_to_each_other_in_every_suite(code: int) -> None:
    a, b, _, random = _two_members(code, f"group {code}")
    assert a.epoch_authenticator == b.epoch_authenticator
    for sender, receiver, wire_format in ((b, a, wire.WF_PRIVATE), (a, b, wire.WF_PUBLIC)):
        done = commit(sender, [], [], path=True, wire_format=wire_format, random=random)
        receiver.process(done.commit)
        assert receiver.epoch_authenticator == sender.epoch_authenticator
        assert receiver.context.epoch == sender.context.epoch


def test_a_commit_with_a_flipped_confirmation_tag_is_refused() -> None:
    a, b, _, random = _two_members(1, "tampered")
    before = b.epoch_authenticator
    done = commit(a, [], [], path=True, wire_format=wire.WF_PUBLIC, random=random)
    msg = wire.decode(wire.MlsMessage.read, done.commit)
    body = msg.body
    assert isinstance(body, wire.PublicMessage)
    assert body.auth.confirmation_tag is not None
    tag = bytes([body.auth.confirmation_tag[0] ^ 1]) + body.auth.confirmation_tag[1:]
    auth = wire.FramedContentAuthData(body.auth.signature, tag)
    tagged = membership_tag(
        b.cs,
        b.secrets.membership_key,
        body.content,
        auth,
        b.context.encode(),
    )
    forged = wire.MlsMessage(wire.PublicMessage(body.content, auth, tagged)).encode()
    with pytest.raises(AuthenticationFailed):
        b.process(forged)
    assert b.epoch_authenticator == before
    b.process(done.commit)
    assert b.epoch_authenticator == a.epoch_authenticator
    with pytest.raises(InvalidMessage):
        b.process(done.commit)  # its epoch is over


def test_the_passive_client_files_are_deterministic_and_read_back(tmp_path: Path) -> None:
    first, second, other = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    generate(first)
    generate(second)
    generate(other, ByteSource("another seed").bytes)
    for name in ("passive-client-welcome.json", "passive-client-handling-commit.json"):
        assert (first / name).read_bytes() == (second / name).read_bytes()
        assert (first / name).read_bytes() != (other / name).read_bytes()
    reference = MlsPassiveReference(PycaSignatures(), ReferenceHpke(), PycaAead())
    found = load_mls_vectors(first)
    cases = [(g, c) for vf in found.files for g, c in vf.cases()]
    assert len(cases) == 21
    for group, case in cases:
        got = reference.mls_passive_client(
            group.int("cipherSuite"),
            *(
                case.bytes(k)
                for k in (
                    "keyPackage",
                    "signaturePriv",
                    "encryptionPriv",
                    "initPriv",
                    "welcome",
                    "ratchetTree",
                    "externalPsks",
                    "epochs",
                )
            ),
        )
        assert got == case.bytes("epochAuthenticators"), case.id


def test_a_replayed_epoch_is_refused_by_the_passive_client(tmp_path: Path) -> None:
    generate(tmp_path)
    entry = json.loads((tmp_path / "passive-client-handling-commit.json").read_text())[0]
    h = bytes.fromhex
    epochs = [join_blobs([*map(h, e["proposals"]), h(e["commit"])]) for e in entry["epochs"]]
    psks = join_blobs([x for p in entry["external_psks"] for x in (h(p["psk_id"]), h(p["psk"]))])
    reference = MlsPassiveReference(PycaSignatures(), ReferenceHpke(), PycaAead())

    def run(chosen: list[bytes]) -> list[bytes]:
        out = reference.mls_passive_client(
            1,
            h(entry["key_package"]),
            h(entry["signature_priv"]),
            h(entry["encryption_priv"]),
            h(entry["init_priv"]),
            h(entry["welcome"]),
            b"",
            psks,
            join_blobs(chosen),
        )
        return split_blobs(out)

    assert len(run(epochs)) == len(epochs) + 1
    with pytest.raises(ProtocolError):
        run([epochs[0], epochs[0]])


def test_the_reader_pads_short_p521_private_keys(tmp_path: Path) -> None:
    generate(tmp_path)
    entries = json.loads((tmp_path / "passive-client-welcome.json").read_text())
    entry = next(e for e in entries if e["cipher_suite"] == 5)
    short = entry["encryption_priv"][2:]  # 65 bytes, as the official files carry some
    entry["encryption_priv"] = short
    folder = tmp_path / "official"
    folder.mkdir()
    (folder / "passive-client-welcome.json").write_text(json.dumps([entry]))
    (case,) = [c for vf in load_mls_vectors(folder).files for _, c in vf.cases()]
    assert case.bytes("encryptionPriv") == b"\x00" + bytes.fromhex(short)


def test_a_group_whose_required_capabilities_no_leaf_meets_is_refused() -> None:
    fields = required_capability_case(SUITES[1], ByteSource("unmet").bytes)
    reference = MlsPassiveReference(PycaSignatures(), ReferenceHpke(), PycaAead())
    keys = ("keyPackage", "signaturePriv", "encryptionPriv", "initPriv", "welcome")
    with pytest.raises(InvalidMessage, match="required extension types"):
        reference.mls_passive_client(1, *(fields[k] for k in keys), b"", b"", b"")
