"""The MLS protocol tier's checks (conformance/checks/mls_protocol.py) and its reader of the
working group's files (conformance/mlsvectors.py): each check kind passes an implementation
that answers with the case's own expected values (Mock...Echo) and fails one broken on purpose;
the reader turns small files in the working group's format, built here from made-up values,
into the cases, ids and skipped list it documents.

The judges the checks call for randomised output (the reference's mls-message-protection,
mls-treekem and mls-crypto-basics) are replaced by toy ones (MockJudge...): these tests are
about the checks, not the reference."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest
from helpers import adapter_from

from conformance.capabilities.mls_protocol import join_blobs, split_blobs
from conformance.checks import CHECKS, Verdict
from conformance.checks import mls_protocol as checks
from conformance.engine import Task, run_task
from conformance.errors import InvalidMessage, ProtocolError
from conformance.mlsvectors import FAMILY, NOT_YET, load_mls_vectors
from conformance.model import Case, Group, Result, Value
from conformance.results import CheckResult
from conformance.selection import check_prefix
from conformance.vectortypes import VECTOR_TYPES

SUITE = 1


def make(
    type_name: str, fields: dict[str, Value], result: Result = "valid", suite: int | None = SUITE
) -> tuple[Group, Case]:
    case = Case(
        tc_id=1,
        id="0",
        comment="made here",
        flags=(),
        result=result,
        fields=MappingProxyType(fields),
    )
    params: dict[str, Value] = {} if suite is None else {"cipherSuite": suite}
    return Group(VECTOR_TYPES[type_name], MappingProxyType(params), (), (case,)), case


def run(type_name: str, group: Group, case: Case, impl: object) -> Verdict:
    return CHECKS[type_name](group, case, impl)


def flip(data: bytes, at: int = 0) -> bytes:
    return data[:at] + bytes([data[at] ^ 1]) + data[at + 1 :]


def h(*parts: bytes) -> bytes:
    return hashlib.sha256(b"".join(parts)).digest()


def test_every_new_type_has_its_check() -> None:
    new = {
        "MlsDecodeEncode",
        "MlsUnprotect",
        "MlsProtect",
        "MlsWelcome",
        "MlsTreeHash",
        "MlsResolution",
        "MlsVerifyTree",
        "MlsApplyProposal",
        "MlsTreeKemReceive",
        "MlsTreeKemSend",
        "MlsPassiveClient",
    }
    assert new <= set(CHECKS)
    assert new <= set(VECTOR_TYPES)
    assert {CHECKS[n].__module__ for n in new} == {checks.__name__}
    for n in new:
        assert all(f.name[0].islower() and "_" not in f.name for f in VECTOR_TYPES[n].case_fields)


# --- Messages ------------------------------------------------------------------------------------


class MockDecodeEncodeEcho:
    """Decodes anything and encodes it back unchanged, as a parser of every structure would."""

    def mls_decode_encode(self, structure: bytes, data: bytes) -> bytes:
        return data


class MockDecodeEncodeDropsLastByte(MockDecodeEncodeEcho):
    def mls_decode_encode(self, structure: bytes, data: bytes) -> bytes:
        return data[:-1]


class MockDecodeEncodeStrict(MockDecodeEncodeEcho):
    """Refuses data whose first byte is a varint prefix 0b11 (RFC 9420 §2.1.2)."""

    def mls_decode_encode(self, structure: bytes, data: bytes) -> bytes:
        if structure != b"Remove" or data[0] >> 6 == 3:
            raise InvalidMessage("not a Remove")
        return data


def test_decode_encode() -> None:
    group, case = make("MlsDecodeEncode", {"structure": "Remove", "data": b"\x00\x00\x00\x05"})
    assert run("MlsDecodeEncode", group, case, MockDecodeEncodeEcho()).outcome == "pass"
    assert run("MlsDecodeEncode", group, case, MockDecodeEncodeStrict()).outcome == "pass"
    broken = run("MlsDecodeEncode", group, case, MockDecodeEncodeDropsLastByte())
    assert broken.outcome == "fail"
    assert "Remove" in (broken.detail or "")
    group, bad = make("MlsDecodeEncode", {"structure": "Remove", "data": b"\xc0"}, "invalid")
    assert run("MlsDecodeEncode", group, bad, MockDecodeEncodeStrict()).outcome == "pass"
    assert run("MlsDecodeEncode", group, bad, MockDecodeEncodeEcho()).outcome == "fail"


# --- Message protection --------------------------------------------------------------------------

PROTECTION: dict[str, Value] = {
    "groupId": b"group",
    "epoch": 7,
    "treeHash": b"\x01" * 32,
    "confirmedTranscriptHash": b"\x02" * 32,
    "encryptionSecret": b"\x03" * 32,
    "senderDataSecret": b"\x04" * 32,
    "membershipKey": b"\x05" * 32,
}


def toy_message(wire_format: int, content_type: int, content: bytes) -> bytes:
    """A stand-in MLSMessage: version mls10, wire_format, then the content type and content."""
    return b"\x00\x01" + wire_format.to_bytes(2, "big") + bytes([content_type]) + content


class MockProtectionEcho:
    """Protects into toy messages and unprotects them, refusing anything else; returns what
    the last message of the blob carries."""

    def mls_protect(self, *args: Any) -> bytes:
        wire_format, content_type, content = args[-3:]
        if wire_format == 1 and content_type == 1:
            raise InvalidMessage("application data as a PublicMessage")
        return toy_message(wire_format, content_type, content)

    def mls_unprotect(self, *args: Any) -> dict[str, object]:
        messages = split_blobs(args[-1])
        last = messages[-1]
        if last[:2] != b"\x00\x01" or last[2:4] not in (b"\x00\x01", b"\x00\x02"):
            raise InvalidMessage("not a toy MLSMessage")
        return {"content_type": last[4], "content": last[5:]}


class MockProtectionFlipsContent(MockProtectionEcho):
    def mls_protect(self, *args: Any) -> bytes:
        return flip(super().mls_protect(*args), 5)

    def mls_unprotect(self, *args: Any) -> dict[str, object]:
        got = super().mls_unprotect(*args)
        content = got["content"]
        assert isinstance(content, bytes)
        return {**got, "content": flip(content)}


class MockUnprotectAcceptsAnything(MockProtectionEcho):
    """Returns the last message's tail without checking it is a message at all."""

    def mls_unprotect(self, *args: Any) -> dict[str, object]:
        last = split_blobs(args[-1])[-1]
        return {"content_type": 2, "content": last[5:]}


class MockProtectionWrongWireFormat(MockProtectionEcho):
    """Sends every message as a PrivateMessage, whatever was asked."""

    def mls_protect(self, *args: Any) -> bytes:
        return toy_message(2, args[-2], args[-1])


class MockProtectionAcceptsPublicApplication(MockProtectionEcho):
    def mls_protect(self, *args: Any) -> bytes:
        return toy_message(*args[-3:])


@pytest.fixture
def toy_judges(monkeypatch: pytest.MonkeyPatch) -> None:
    """The reference replaced, for the checks that call it, by toy judges."""
    judges = {
        "mls-message-protection": MockProtectionEcho(),
        "mls-treekem": MockJudgeTreeKem(),
        "mls-crypto-basics": MockJudgeDeriveSecret(),
    }
    monkeypatch.setattr(checks, "_judge", judges.__getitem__)


def test_unprotect() -> None:
    content = b"\x00\x03\x00\x00\x00\x02"
    fields: dict[str, Value] = {
        **PROTECTION,
        "signaturePub": b"\x06" * 32,
        "messages": join_blobs([toy_message(1, 2, content)]),
        "contentType": 2,
        "content": content,
    }
    group, case = make("MlsUnprotect", fields)
    assert run("MlsUnprotect", group, case, MockProtectionEcho()).outcome == "pass"
    broken = run("MlsUnprotect", group, case, MockProtectionFlipsContent())
    assert broken.outcome == "fail"
    assert "content" in (broken.detail or "")
    group, bad = make("MlsUnprotect", {**fields, "messages": join_blobs([b"\x00\x07"])}, "invalid")
    assert run("MlsUnprotect", group, bad, MockProtectionEcho()).outcome == "pass"
    lax = run("MlsUnprotect", group, bad, MockUnprotectAcceptsAnything())
    assert lax.outcome == "fail"
    assert "accepted an invalid input" in (lax.detail or "")


@pytest.mark.usefixtures("toy_judges")
@pytest.mark.parametrize(("wire_format", "content_type"), [(1, 2), (1, 3), (2, 1), (2, 2), (2, 3)])
def test_protect(wire_format: int, content_type: int) -> None:
    fields: dict[str, Value] = {
        **PROTECTION,
        "signaturePriv": b"\x07" * 32,
        "signaturePub": b"\x06" * 32,
        "wireFormat": wire_format,
        "contentType": content_type,
        "content": b"content",
    }
    group, case = make("MlsProtect", fields)
    assert run("MlsProtect", group, case, MockProtectionEcho()).outcome == "pass"
    broken = run("MlsProtect", group, case, MockProtectionFlipsContent())
    assert broken.outcome == "fail"
    assert "received content" in (broken.detail or "")
    wrong = run("MlsProtect", group, case, MockProtectionWrongWireFormat())
    assert wrong.outcome == ("pass" if wire_format == 2 else "fail")


@pytest.mark.usefixtures("toy_judges")
def test_protect_refuses_application_data_as_a_public_message() -> None:
    fields: dict[str, Value] = {
        **PROTECTION,
        "signaturePriv": b"\x07" * 32,
        "signaturePub": b"\x06" * 32,
        "wireFormat": 1,
        "contentType": 1,
        "content": b"hello",
    }
    group, case = make("MlsProtect", fields, "invalid")
    assert run("MlsProtect", group, case, MockProtectionEcho()).outcome == "pass"
    lax = run("MlsProtect", group, case, MockProtectionAcceptsPublicApplication())
    assert lax.outcome == "fail"
    assert "accepted an invalid input" in (lax.detail or "")


def test_protect_blames_the_sender_when_the_reference_refuses(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class MockJudgeRefusesAll(MockProtectionEcho):
        def mls_unprotect(self, *args: Any) -> dict[str, object]:
            raise InvalidMessage("bad membership tag")

    monkeypatch.setattr(checks, "_judge", lambda capability: MockJudgeRefusesAll())
    fields: dict[str, Value] = {
        **PROTECTION,
        "signaturePriv": b"",
        "signaturePub": b"",
        "wireFormat": 1,
        "contentType": 2,
        "content": b"p",
    }
    group, case = make("MlsProtect", fields)
    verdict = run("MlsProtect", group, case, MockProtectionEcho())
    assert verdict.outcome == "fail"
    assert "reference refuses" in (verdict.detail or "")


# --- Welcome --------------------------------------------------------------------------------------

GROUP_CONTEXT = b"\x00\x01\x00\x01" + b"\x05group" + b"\x00" * 8


class MockWelcomeEcho:
    """Answers with the GroupContext and epoch_authenticator it was built with; refuses a
    Welcome that is not b"welcome"."""

    def __init__(self, group_context: bytes, epoch_authenticator: bytes) -> None:
        self.answer = {"group_context": group_context, "epoch_authenticator": epoch_authenticator}

    def mls_process_welcome(self, *args: Any) -> dict[str, bytes]:
        if args[-1] != b"welcome":
            raise ProtocolError("no EncryptedGroupSecrets for this key package")
        return self.answer


def test_welcome() -> None:
    fields: dict[str, Value] = {
        "initPriv": b"\x01" * 32,
        "keyPackage": b"kp",
        "signerPub": b"\x02" * 32,
        "welcome": b"welcome",
        "groupContext": GROUP_CONTEXT,
        "epochAuthenticator": b"\x09" * 32,
    }
    group, case = make("MlsWelcome", fields)
    healthy = run("MlsWelcome", group, case, MockWelcomeEcho(GROUP_CONTEXT, b"\x09" * 32))
    assert healthy.outcome == "pass"
    broken = run("MlsWelcome", group, case, MockWelcomeEcho(GROUP_CONTEXT, b"\x08" + b"\x09" * 31))
    assert broken.outcome == "fail"
    assert "epoch_authenticator" in (broken.detail or "")
    # Without expected values (the working group's welcome.json), the GroupContext's version
    # and cipher suite are still checked.
    group, open_case = make(
        "MlsWelcome", {**fields, "groupContext": b"", "epochAuthenticator": b""}
    )
    assert run("MlsWelcome", group, open_case, MockWelcomeEcho(GROUP_CONTEXT, b"x")).outcome == (
        "pass"
    )
    other_suite = GROUP_CONTEXT[:3] + b"\x02" + GROUP_CONTEXT[4:]
    wrong = run("MlsWelcome", group, open_case, MockWelcomeEcho(other_suite, b"x"))
    assert wrong.outcome == "fail"
    assert "cipher_suite" in (wrong.detail or "")
    group, bad = make("MlsWelcome", {**fields, "welcome": b"tampered"}, "invalid")
    assert run("MlsWelcome", group, bad, MockWelcomeEcho(GROUP_CONTEXT, b"x")).outcome == "pass"


# --- Tree validation and operations ---------------------------------------------------------------


class MockTreeEcho:
    """Answers every tree question from a table of the case's own values."""

    def __init__(self, hashes: dict[int, bytes], resolutions: dict[int, bytes]) -> None:
        self.hashes, self.resolutions = hashes, resolutions

    def mls_tree_hash(self, cipher_suite: int, tree: bytes, node: int) -> bytes:
        return self.hashes[node]

    def mls_resolution(self, cipher_suite: int, tree: bytes, node: int) -> bytes:
        return self.resolutions[node]

    def mls_verify_tree(self, cipher_suite: int, group_id: bytes, tree: bytes) -> None:
        if tree.startswith(b"bad"):
            raise ProtocolError("parent hash does not chain")


class MockTreeAcceptsAll(MockTreeEcho):
    def mls_verify_tree(self, cipher_suite: int, group_id: bytes, tree: bytes) -> None:
        return None


def test_tree_hash_resolution_and_verify_tree() -> None:
    hashes = {0: b"\x10" * 32, 1: b"\x11" * 32}
    resolutions = {0: (0).to_bytes(4, "big"), 1: (0).to_bytes(4, "big") + (2).to_bytes(4, "big")}
    healthy = MockTreeEcho(hashes, resolutions)
    broken = MockTreeEcho(
        {n: flip(v) for n, v in hashes.items()}, {1: (0).to_bytes(4, "big"), 0: b""}
    )
    for node in (0, 1):
        group, case = make("MlsTreeHash", {"tree": b"t", "node": node, "treeHash": hashes[node]})
        assert run("MlsTreeHash", group, case, healthy).outcome == "pass"
        assert run("MlsTreeHash", group, case, broken).outcome == "fail"
        fields: dict[str, Value] = {"tree": b"t", "node": node, "resolution": resolutions[node]}
        group, case = make("MlsResolution", fields)
        assert run("MlsResolution", group, case, healthy).outcome == "pass"
        failed = run("MlsResolution", group, case, broken)
        assert failed.outcome == "fail"
        assert f"node {node}" in (failed.detail or "")
    group, case = make("MlsVerifyTree", {"groupId": b"g", "tree": b"good"})
    assert run("MlsVerifyTree", group, case, healthy).outcome == "pass"
    group, bad = make("MlsVerifyTree", {"groupId": b"g", "tree": b"bad tree"}, "invalid")
    assert run("MlsVerifyTree", group, bad, healthy).outcome == "pass"
    assert run("MlsVerifyTree", group, bad, MockTreeAcceptsAll({}, {})).outcome == "fail"


class MockApplyProposalEcho:
    def __init__(self, tree: bytes, tree_hash: bytes) -> None:
        self.answer = {"tree": tree, "tree_hash": tree_hash}

    def mls_apply_proposal(self, *args: Any) -> dict[str, bytes]:
        return self.answer


def test_apply_proposal() -> None:
    fields: dict[str, Value] = {
        "tree": b"before",
        "proposal": b"\x00\x03\x00\x00\x00\x01",
        "sender": 0,
        "treeAfter": b"after",
        "treeHashAfter": b"\x12" * 32,
    }
    group, case = make("MlsApplyProposal", fields)
    healthy = MockApplyProposalEcho(b"after", b"\x12" * 32)
    assert run("MlsApplyProposal", group, case, healthy).outcome == "pass"
    untruncated = MockApplyProposalEcho(b"after\x00", b"\x12" * 32)
    failed = run("MlsApplyProposal", group, case, untruncated)
    assert failed.outcome == "fail"
    assert "tree" in (failed.detail or "")
    stale = run("MlsApplyProposal", group, case, MockApplyProposalEcho(b"after", b"\x13" * 32))
    assert stale.outcome == "fail"
    assert "tree_hash" in (stale.detail or "")


# --- TreeKEM --------------------------------------------------------------------------------------


def toy_derive(secret: bytes) -> bytes:
    return h(secret, b"path")


class MockJudgeDeriveSecret:
    def mls_derive_secret(self, cipher_suite: int, secret: bytes, label: bytes) -> bytes:
        return h(secret, label)


class MockJudgeTreeKem:
    """A toy TreeKEM: an update path is the path secret every receiver decrypts; the commit
    secret is the next step of the chain, the tree hash the path's hash."""

    def mls_treekem_receive(self, *args: Any) -> dict[str, bytes]:
        update_path = args[-1]
        if not update_path:
            raise ProtocolError("empty UpdatePath")
        return {
            "path_secret": update_path,
            "commit_secret": toy_derive(update_path),
            "tree_hash_after": h(update_path),
        }

    def mls_treekem_send(self, *args: Any) -> dict[str, bytes]:
        leaf_secret = args[-1]
        return {
            "update_path": leaf_secret,
            "commit_secret": toy_derive(leaf_secret),
            "tree_hash_after": h(leaf_secret),
        }


class MockTreeKemIgnoresLeafSecret(MockJudgeTreeKem):
    """Draws its own path secret instead of starting from leafSecret (§7.4)."""

    def mls_treekem_send(self, *args: Any) -> dict[str, bytes]:
        return super().mls_treekem_send(*args[:-1], b"its own")


class MockTreeKemFlippedCommitSecret(MockJudgeTreeKem):
    def mls_treekem_receive(self, *args: Any) -> dict[str, bytes]:
        got = super().mls_treekem_receive(*args)
        return {**got, "commit_secret": flip(got["commit_secret"])}

    def mls_treekem_send(self, *args: Any) -> dict[str, bytes]:
        got = super().mls_treekem_send(*args)
        return {**got, "commit_secret": flip(got["commit_secret"])}


class MockTreeKemStaleTreeHash(MockJudgeTreeKem):
    """Reports the tree hash of the tree before the path was merged."""

    def mls_treekem_send(self, *args: Any) -> dict[str, bytes]:
        return {**super().mls_treekem_send(*args), "tree_hash_after": h(args[4])}


TREEKEM: dict[str, Value] = {
    "groupId": b"",
    "epoch": 28061,
    "confirmedTranscriptHash": b"\x0a" * 32,
    "tree": b"tree before",
}


def test_treekem_receive() -> None:
    path = b"\x21" * 32
    fields: dict[str, Value] = {
        **TREEKEM,
        "receiver": 1,
        "encryptionPriv": b"\x22" * 32,
        "pathSecrets": join_blobs([(1).to_bytes(4, "big") + b"\x23" * 32]),
        "sender": 0,
        "updatePath": path,
        "pathSecret": path,
        "commitSecret": toy_derive(path),
        "treeHashAfter": h(path),
    }
    group, case = make("MlsTreeKemReceive", fields)
    assert run("MlsTreeKemReceive", group, case, MockJudgeTreeKem()).outcome == "pass"
    broken = run("MlsTreeKemReceive", group, case, MockTreeKemFlippedCommitSecret())
    assert broken.outcome == "fail"
    assert "commit_secret" in (broken.detail or "")
    group, bad = make("MlsTreeKemReceive", {**fields, "updatePath": b""}, "invalid")
    assert run("MlsTreeKemReceive", group, bad, MockJudgeTreeKem()).outcome == "pass"


def test_leaves_private_round_trip() -> None:
    leaves = [(1, b"\x01" * 32, b""), (4, b"\x02" * 32, join_blobs([b"\x00\x00\x00\x03" + b"s"]))]
    assert checks.leaves_private(checks.pack_leaves_private(leaves)) == leaves
    with pytest.raises(ValueError, match="leavesPrivate"):
        checks.leaves_private(join_blobs([join_blobs([b"\x01", b"k", b""])]))


@pytest.mark.usefixtures("toy_judges")
def test_treekem_send() -> None:
    fields: dict[str, Value] = {
        **TREEKEM,
        "sender": 0,
        "signaturePriv": b"\x24" * 32,
        "leafSecret": b"\x25" * 32,
        "leavesPrivate": checks.pack_leaves_private(
            [(1, b"\x26" * 32, b""), (2, b"\x27" * 32, b"")]
        ),
    }
    group, case = make("MlsTreeKemSend", fields)
    assert run("MlsTreeKemSend", group, case, MockJudgeTreeKem()).outcome == "pass"
    own = run("MlsTreeKemSend", group, case, MockTreeKemIgnoresLeafSecret())
    assert own.outcome == "fail"
    assert "chain" in (own.detail or "")
    flipped = run("MlsTreeKemSend", group, case, MockTreeKemFlippedCommitSecret())
    assert flipped.outcome == "fail"
    stale = run("MlsTreeKemSend", group, case, MockTreeKemStaleTreeHash())
    assert stale.outcome == "fail"
    assert "received by leaf 1: tree_hash_after" in (stale.detail or "")


# --- Passive client -------------------------------------------------------------------------------

AUTHENTICATORS = [bytes([n]) * 32 for n in range(4)]


class MockPassiveClientEcho:
    def __init__(self, answer: list[bytes]) -> None:
        self.answer = answer

    def mls_passive_client(self, *args: Any) -> bytes:
        return join_blobs(self.answer)


def passive_case() -> tuple[Group, Case]:
    epochs = [join_blobs([b"proposal", b"commit"]), join_blobs([b"commit"]), join_blobs([b"c"])]
    fields: dict[str, Value] = {
        "keyPackage": b"kp",
        "signaturePriv": b"\x01" * 32,
        "encryptionPriv": b"\x02" * 32,
        "initPriv": b"\x03" * 32,
        "welcome": b"welcome",
        "ratchetTree": b"",
        "externalPsks": join_blobs([b"psk id", b"\x00" * 32]),
        "epochs": join_blobs(epochs),
        "epochAuthenticators": join_blobs(AUTHENTICATORS),
    }
    return make("MlsPassiveClient", fields)


def test_passive_client() -> None:
    group, case = passive_case()
    assert run("MlsPassiveClient", group, case, MockPassiveClientEcho(AUTHENTICATORS)).outcome == (
        "pass"
    )
    wrong = [*AUTHENTICATORS[:2], flip(AUTHENTICATORS[2]), AUTHENTICATORS[3]]
    verdict = run("MlsPassiveClient", group, case, MockPassiveClientEcho(wrong))
    assert verdict.outcome == "fail"
    assert "epoch 2 after the one joined" in (verdict.detail or "")
    verdict = run("MlsPassiveClient", group, case, MockPassiveClientEcho(wrong[:1]))
    assert verdict.outcome == "fail"
    assert "epoch 1 after the one joined is missing" in (verdict.detail or "")
    joined = run("MlsPassiveClient", group, case, MockPassiveClientEcho([b"\xff" * 32]))
    assert "the epoch joined" in (joined.detail or "")


def test_passive_client_answer_that_is_not_a_blob_fails() -> None:
    class MockPassiveClientRaw(MockPassiveClientEcho):
        def mls_passive_client(self, *args: Any) -> bytes:
            return b"".join(self.answer)

    group, case = passive_case()
    verdict = run("MlsPassiveClient", group, case, MockPassiveClientRaw(AUTHENTICATORS))
    assert verdict.outcome == "fail"
    assert "not a blob" in (verdict.detail or "")


# --- the working group's files --------------------------------------------------------------------


def hexs(data: bytes) -> str:
    return data.hex()


def messages_entry() -> dict[str, str]:
    names = [
        "mls_welcome",
        "mls_group_info",
        "mls_key_package",
        "ratchet_tree",
        "group_secrets",
        "add_proposal",
        "update_proposal",
        "remove_proposal",
        "pre_shared_key_proposal",
        "re_init_proposal",
        "external_init_proposal",
        "group_context_extensions_proposal",
        "commit",
        "public_message_application",
        "public_message_proposal",
        "public_message_commit",
        "private_message",
    ]
    return {name: hexs(name.encode()) for name in names}


def protection_entry(suite: int) -> dict[str, object]:
    return {
        "cipher_suite": suite,
        "group_id": hexs(b"group"),
        "epoch": 1184274,
        "tree_hash": hexs(b"\x01" * 32),
        "confirmed_transcript_hash": hexs(b"\x02" * 32),
        "signature_priv": hexs(b"\x03" * 32),
        "signature_pub": hexs(b"\x04" * 32),
        "encryption_secret": hexs(b"\x05" * 32),
        "sender_data_secret": hexs(b"\x06" * 32),
        "membership_key": hexs(b"\x07" * 32),
        "confirmation_tag": hexs(b"\x08" * 32),
        "proposal": "000300000002",
        "proposal_priv": hexs(b"proposal_priv"),
        "proposal_pub": hexs(b"proposal_pub"),
        "commit": "0000",
        "commit_priv": hexs(b"commit_priv"),
        "commit_pub": hexs(b"commit_pub"),
        "application": hexs(b"hello"),
        "application_priv": hexs(b"application_priv"),
    }


def treekem_entry() -> dict[str, object]:
    def leaf(index: int, nodes: list[int]) -> dict[str, object]:
        return {
            "encryption_priv": hexs(bytes([index]) * 32),
            "index": index,
            "path_secrets": [{"node": n, "path_secret": hexs(bytes([n]) * 32)} for n in nodes],
            "signature_priv": hexs(bytes([0x40 + index]) * 32),
        }

    return {
        "cipher_suite": 1,
        "confirmed_transcript_hash": hexs(b"\x0c" * 32),
        "epoch": 28061,
        "group_id": "",
        "leaves_private": [leaf(0, [1, 3]), leaf(1, [1, 3]), leaf(2, [3])],
        "ratchet_tree": hexs(b"tree"),
        "update_paths": [
            {
                "commit_secret": hexs(b"\x50" * 32),
                "path_secrets": [None, hexs(b"\x51" * 32), hexs(b"\x52" * 32)],
                "sender": 0,
                "tree_hash_after": hexs(b"\x53" * 32),
                "update_path": hexs(b"path from 0"),
            },
            {
                "commit_secret": hexs(b"\x60" * 32),
                "path_secrets": [hexs(b"\x61" * 32), hexs(b"\x62" * 32), None],
                "sender": 2,
                "tree_hash_after": hexs(b"\x63" * 32),
                "update_path": hexs(b"path from 2"),
            },
        ],
    }


def passive_entry(ratchet_tree: str | None) -> dict[str, object]:
    return {
        "cipher_suite": 3,
        "external_psks": [{"psk_id": hexs(b"external psk"), "psk": hexs(b"\x00" * 32)}],
        "key_package": hexs(b"kp"),
        "signature_priv": hexs(b"\x01" * 32),
        "encryption_priv": hexs(b"\x02" * 32),
        "init_priv": hexs(b"\x03" * 32),
        "welcome": hexs(b"welcome"),
        "ratchet_tree": ratchet_tree,
        "initial_epoch_authenticator": hexs(b"\xa0" * 32),
        "epochs": [
            {
                "proposals": [hexs(b"p1"), hexs(b"p2")],
                "commit": hexs(b"c1"),
                "epoch_authenticator": hexs(b"\xa1" * 32),
            },
            {"proposals": [], "commit": hexs(b"c2"), "epoch_authenticator": hexs(b"\xa2" * 32)},
        ],
    }


@pytest.fixture
def wg(tmp_path: Path) -> Path:
    """One file of each protocol-tier category, in the working group's format."""
    files: dict[str, list[dict[str, Any]]] = {
        "messages.json": [messages_entry()],
        "message-protection.json": [protection_entry(1), protection_entry(2)],
        "welcome.json": [
            {
                "cipher_suite": 1,
                "init_priv": hexs(b"\x01" * 32),
                "key_package": hexs(b"kp"),
                "signer_pub": hexs(b"\x02" * 32),
                "welcome": hexs(b"welcome"),
            }
        ],
        "tree-validation.json": [
            {
                "cipher_suite": 1,
                "tree": hexs(b"tree"),
                "group_id": hexs(b"group"),
                "resolutions": [[0], [0, 2], [2]],
                "tree_hashes": [hexs(b"\x10" * 32), hexs(b"\x11" * 32), hexs(b"\x12" * 32)],
            }
        ],
        "tree-operations.json": [
            {
                "cipher_suite": 1,
                "tree_before": hexs(b"before"),
                "proposal": "000300000001",
                "proposal_sender": 0,
                "tree_hash_before": hexs(b"\x20" * 32),
                "tree_after": hexs(b"after"),
                "tree_hash_after": hexs(b"\x21" * 32),
            }
        ],
        "treekem.json": [treekem_entry()],
        "passive-client-welcome.json": [passive_entry(None)],
        "passive-client-random.json": [passive_entry(hexs(b"tree"))],
    }
    for name, entries in files.items():
        (tmp_path / name).write_text(json.dumps(entries))
    return tmp_path


def by_type(folder: Path) -> dict[str, list[tuple[str, Group, Case]]]:
    found = load_mls_vectors(folder)
    assert found.skipped == []
    out: dict[str, list[tuple[str, Group, Case]]] = {}
    for vf in found.files:
        for group, case in vf.cases():
            out.setdefault(group.type.name, []).append((check_prefix(vf) + case.id, group, case))
    return out


def test_no_category_is_left_for_later() -> None:
    assert NOT_YET == {}


def test_messages_file(wg: Path) -> None:
    cases = by_type(wg)["MlsDecodeEncode"]
    assert len(cases) == 17
    ids = {cid: case for cid, _, case in cases}
    prefix = f"kat/{FAMILY}/messages/MlsDecodeEncode/"
    commit = ids[prefix + "0.commit"]
    assert commit.str("structure") == "Commit"
    assert commit.bytes("data") == b"commit"
    assert ids[prefix + "0.re_init_proposal"].str("structure") == "ReInit"
    assert ids[prefix + "0.private_message"].str("structure") == "MLSMessage"
    assert ids[prefix + "0.group_context_extensions_proposal"].str("structure") == (
        "GroupContextExtensions"
    )
    assert all(group.params == {} for _, group, _ in cases)


def test_message_protection_file(wg: Path) -> None:
    types = by_type(wg)
    unprotect = {cid: (group, case) for cid, group, case in types["MlsUnprotect"]}
    protect = {cid: (group, case) for cid, group, case in types["MlsProtect"]}
    assert len(unprotect) == len(protect) == 10
    group, case = unprotect[f"kat/{FAMILY}/message-protection/MlsUnprotect/1.commit_priv"]
    assert group.int("cipherSuite") == 2
    assert split_blobs(case.bytes("messages")) == [b"commit_priv"]
    assert (case.int("contentType"), case.bytes("content")) == (3, b"\x00\x00")
    assert case.int("epoch") == 1184274
    assert case.bytes("signaturePub") == b"\x04" * 32
    _, app = protect[f"kat/{FAMILY}/message-protection/MlsProtect/0.application_priv"]
    assert (app.int("wireFormat"), app.int("contentType"), app.bytes("content")) == (
        2,
        1,
        b"hello",
    )
    assert app.bytes("signaturePriv") == b"\x03" * 32
    _, pub = protect[f"kat/{FAMILY}/message-protection/MlsProtect/0.proposal_pub"]
    assert (pub.int("wireFormat"), pub.int("contentType")) == (1, 2)
    assert not any(cid.endswith("application_pub") for cid in protect)


def test_welcome_and_tree_files(wg: Path) -> None:
    types = by_type(wg)
    ((cid, _, welcome),) = types["MlsWelcome"]
    assert cid == f"kat/{FAMILY}/welcome/MlsWelcome/0"
    assert welcome.bytes("groupContext") == welcome.bytes("epochAuthenticator") == b""
    resolutions = {cid.rsplit("/", 1)[1]: case for cid, _, case in types["MlsResolution"]}
    assert resolutions["0.1"].bytes("resolution") == bytes.fromhex("0000000000000002")
    hashes = {cid.rsplit("/", 1)[1]: case for cid, _, case in types["MlsTreeHash"]}
    assert sorted(hashes) == ["0.0", "0.1", "0.2"]
    assert hashes["0.2"].bytes("treeHash") == (b"\x12" * 32)
    ((_, _, verify),) = types["MlsVerifyTree"]
    assert verify.bytes("groupId") == b"group"
    assert verify.bytes("tree") == b"tree"
    ((cid, _, apply),) = types["MlsApplyProposal"]
    assert cid == f"kat/{FAMILY}/tree-operations/MlsApplyProposal/0"
    assert apply.bytes("treeAfter") == b"after"
    assert apply.int("sender") == 0


def test_treekem_file(wg: Path) -> None:
    types = by_type(wg)
    receive = {cid.rsplit("/", 1)[1]: case for cid, _, case in types["MlsTreeKemReceive"]}
    assert sorted(receive) == ["0.0.1", "0.0.2", "0.1.0", "0.1.1"]
    r = receive["0.1.0"]
    assert (r.int("sender"), r.int("receiver")) == (2, 0)
    assert r.bytes("pathSecret") == b"\x61" * 32
    assert r.bytes("commitSecret") == b"\x60" * 32
    assert r.bytes("encryptionPriv") == b"\x00" * 32
    assert split_blobs(r.bytes("pathSecrets")) == [
        (1).to_bytes(4, "big") + b"\x01" * 32,
        (3).to_bytes(4, "big") + b"\x03" * 32,
    ]
    send = {cid.rsplit("/", 1)[1]: case for cid, _, case in types["MlsTreeKemSend"]}
    assert sorted(send) == ["0.0", "0.1", "0.2"]
    s = send["0.1"]
    assert s.int("sender") == 1
    assert s.bytes("signaturePriv") == b"\x41" * 32
    others = checks.leaves_private(s.bytes("leavesPrivate"))
    assert [leaf for leaf, _, _ in others] == [0, 2]
    assert others[1] == (2, b"\x02" * 32, join_blobs([(3).to_bytes(4, "big") + b"\x03" * 32]))
    assert len(s.bytes("leafSecret")) == 32
    assert s.bytes("leafSecret") != send["0.0"].bytes("leafSecret")
    # The same every run: the id names the case, the leaf secret must not change under it.
    again = {cid.rsplit("/", 1)[1]: case for cid, _, case in by_type(wg)["MlsTreeKemSend"]}
    assert again["0.1"].bytes("leafSecret") == s.bytes("leafSecret")


def test_passive_client_files(wg: Path) -> None:
    cases = {cid: case for cid, _, case in by_type(wg)["MlsPassiveClient"]}
    welcome = cases[f"kat/{FAMILY}/passive-client-welcome/MlsPassiveClient/0"]
    random = cases[f"kat/{FAMILY}/passive-client-random/MlsPassiveClient/0"]
    assert welcome.bytes("ratchetTree") == b""
    assert random.bytes("ratchetTree") == b"tree"
    assert split_blobs(welcome.bytes("externalPsks")) == [b"external psk", b"\x00" * 32]
    epochs = [split_blobs(e) for e in split_blobs(welcome.bytes("epochs"))]
    assert epochs == [[b"p1", b"p2", b"c1"], [b"c2"]]
    assert split_blobs(welcome.bytes("epochAuthenticators")) == [
        b"\xa0" * 32,
        b"\xa1" * 32,
        b"\xa2" * 32,
    ]


def test_malformed_and_unknown_files_are_skipped_with_why(wg: Path) -> None:
    entry = treekem_entry()
    del entry["update_paths"][1]["tree_hash_after"]  # type: ignore[index]
    (wg / "treekem.json").write_text(json.dumps([entry]))
    entry = treekem_entry()
    entry["update_paths"][0]["path_secrets"].append(hexs(b"\x54" * 32))  # type: ignore[index]
    (wg / "tree-operations.json").write_text(json.dumps([{"cipher_suite": 1}]))
    (wg / "passive-client-handling-commit.json").write_text(
        json.dumps([{**passive_entry(None), "epochs": [{"commit": "00"}]}])
    )
    (wg / "deserialization.json").write_text("[]")
    skipped = dict(load_mls_vectors(wg).skipped)
    assert skipped["treekem.json"] == (
        "malformed: treekem.json[0].update_paths[1]: no 'tree_hash_after'"
    )
    assert skipped["tree-operations.json"].startswith("malformed: tree-operations.json[0]: no ")
    assert skipped["passive-client-handling-commit.json"] == (
        "malformed: passive-client-handling-commit.json[0].epochs[0]: no 'proposals'"
    )
    assert skipped["deserialization.json"] == "not a category this suite reads"
    (wg / "treekem.json").write_text(json.dumps([entry]))
    skipped = dict(load_mls_vectors(wg).skipped)
    assert skipped["treekem.json"] == (
        "malformed: treekem.json[0].update_paths[0].path_secrets[3]: leaf 3 is not in "
        "leaves_private"
    )


def engine_results(folder: Path, caps: dict[str, object]) -> Iterator[CheckResult]:
    for vf in load_mls_vectors(folder).files:
        if vf.capability in caps:
            out: list[CheckResult] = []
            run_task(
                Task(vf, adapter_from("mock", {vf.capability: caps[vf.capability]})), out.append
            )
            yield from out


def test_the_engine_runs_them_under_their_ids(wg: Path) -> None:
    results = list(engine_results(wg, {"mls-messages": MockDecodeEncodeEcho()}))
    assert len(results) == 17
    assert {r.outcome for r in results} == {"pass"}
    assert f"kat/{FAMILY}/messages/MlsDecodeEncode/0.mls_welcome" in {r.check for r in results}
    broken = list(engine_results(wg, {"mls-messages": MockDecodeEncodeDropsLastByte()}))
    assert {r.outcome for r in broken} == {"fail"}
