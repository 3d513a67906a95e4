"""The reference MLS protocol tier's messages, message protection and Welcome
(conformance/reference/mls: framing.py, welcome.py, protocol_framing.py; RFC 9420 §6,
§9.2, §12.4.3.1): round trips per cipher suite, the refusals the capability contract names,
and the determinism of the vector generator. No network: every group is made here."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conformance.capabilities.mls_protocol import (
    MlsMessageProtection,
    MlsMessages,
    MlsWelcome,
    join_blobs,
)
from conformance.errors import (
    AuthenticationFailed,
    DuplicateMessage,
    InvalidInput,
    InvalidMessage,
    InvalidSignature,
    ProtocolError,
    Unsupported,
)
from conformance.reference.mls import framing, wire
from conformance.reference.mls.aead import PycaAead
from conformance.reference.mls.ciphersuites import SUITES, CipherSuite, suite
from conformance.reference.mls.crypto import verify_with_label
from conformance.reference.mls.framing import Epoch, membership_tag, protect_private
from conformance.reference.mls.hpke_binding import ReferenceHpke
from conformance.reference.mls.key_package import key_package, signed_leaf_node
from conformance.reference.mls.key_schedule import epoch_secrets_from_joiner, group_context
from conformance.reference.mls.protocol_framing import MlsFramingReference
from conformance.reference.mls.pyca import PycaSignatures
from conformance.reference.mls.secret_tree import sender_data_keys
from conformance.reference.mls.welcome import (
    confirmation_tag,
    seal_welcome,
    sign_group_info,
)
from vectors.generators._common import ByteSource
from vectors.generators.mls_wg_framing import _Generator, generate

ALL_SUITES = sorted(SUITES)
PROPOSAL = wire.Proposal(wire.Remove(0)).encode()
COMMIT = wire.Commit((), None).encode()
APPLICATION = b"a message for leaf 0"


def reference(seed: str = "framing tests") -> MlsFramingReference:
    src = ByteSource(seed)
    return MlsFramingReference(
        PycaSignatures(deterministic=True), ReferenceHpke(random=src.bytes), PycaAead(), src.bytes
    )


class Group:
    """The message-protection category's group (two leaves, the sender at leaf 1) for one
    suite, with its inputs drawn from a seeded byte source."""

    def __init__(self, code: int) -> None:
        self.gen = _Generator(ByteSource(f"framing group {code}").bytes)
        cs = self.cs = suite(code)
        b = self.gen.random
        self.group_id, self.epoch = b(16), 7
        self.tree_hash, self.confirmed = b(cs.nh), b(cs.nh)
        self.sig_priv, self.sig_pub = self.gen.signature_key_pair(cs)
        self.keys: tuple[bytes, bytes, bytes] = (b(cs.nh), b(cs.nh), b(cs.nh))
        self.ref = reference(f"protect {code}")

    def head(
        self, group_id: bytes | None = None, epoch: int | None = None
    ) -> tuple[int, bytes, int, bytes, bytes]:
        return (
            self.cs.code,
            self.group_id if group_id is None else group_id,
            self.epoch if epoch is None else epoch,
            self.tree_hash,
            self.confirmed,
        )

    def protect(self, wire_format: int, content_type: int, content: bytes) -> bytes:
        return self.ref.mls_protect(
            *self.head(), self.sig_priv, *self.keys, wire_format, content_type, content
        )

    def unprotect(self, *messages: bytes, **where: Any) -> Any:
        return self.ref.mls_unprotect(
            *self.head(**where), self.sig_pub, *self.keys, join_blobs(messages)
        )

    def epoch_view(self) -> Epoch:
        context = group_context(
            self.cs, self.group_id, self.epoch, self.tree_hash, self.confirmed, b""
        )
        return Epoch(self.cs, self.group_id, self.epoch, context, *self.keys, 2, {})


@pytest.fixture(scope="module", params=ALL_SUITES)
def group(request: pytest.FixtureRequest) -> Group:
    return Group(request.param)


def test_the_reference_offers_the_three_capabilities() -> None:
    ref = reference()
    assert isinstance(ref, MlsMessages)
    assert isinstance(ref, MlsMessageProtection)
    assert isinstance(ref, MlsWelcome)


# --- message protection: round trips (§6.2, §6.3) ---------------------------------------------


@pytest.mark.parametrize(
    ("wire_format", "content_type", "content"),
    [(1, 2, PROPOSAL), (1, 3, COMMIT), (2, 1, APPLICATION), (2, 2, PROPOSAL), (2, 3, COMMIT)],
)
def test_protect_then_unprotect(
    group: Group, wire_format: int, content_type: int, content: bytes
) -> None:
    message = group.protect(wire_format, content_type, content)
    assert wire.decode(wire.MlsMessage.read, message).wire_format == wire_format
    assert group.unprotect(message) == {"content_type": content_type, "content": content}


def test_application_data_is_never_a_public_message(group: Group) -> None:
    with pytest.raises(ProtocolError):
        group.protect(1, 1, APPLICATION)


def test_a_blob_of_messages_returns_the_last_content(group: Group) -> None:
    first = group.protect(1, 2, PROPOSAL)
    last = group.protect(2, 1, APPLICATION)
    assert group.unprotect(first, last) == {"content_type": 1, "content": APPLICATION}


# --- message protection: refusals -----------------------------------------------------------


def _flip(data: bytes, at: int) -> bytes:
    return data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1 :]


def test_a_flipped_membership_tag_is_refused(group: Group) -> None:
    message = group.protect(1, 2, PROPOSAL)
    with pytest.raises(AuthenticationFailed):
        group.unprotect(_flip(message, len(message) - 1))


def test_a_flipped_signature_is_refused(group: Group) -> None:
    """The signature's byte is flipped and the membership tag made again over it, so only the
    signature is wrong (§6.1)."""
    msg = wire.decode(wire.MlsMessage.read, group.protect(1, 2, PROPOSAL)).body
    assert isinstance(msg, wire.PublicMessage)
    auth = wire.FramedContentAuthData(_flip(msg.auth.signature, 5), msg.auth.confirmation_tag)
    view = group.epoch_view()
    tag = membership_tag(group.cs, view.membership_key, msg.content, auth, view.group_context)
    forged = wire.MlsMessage(wire.PublicMessage(msg.content, auth, tag)).encode()
    with pytest.raises(InvalidSignature):
        group.unprotect(forged)


def test_a_private_message_signed_by_another_key_is_refused(group: Group) -> None:
    other_priv, _ = group.gen.signature_key_pair(group.cs)
    content = wire.FramedContent(
        group.group_id, group.epoch, wire.Sender(wire.MEMBER, 1), b"", 1, APPLICATION
    )
    private = protect_private(
        group.epoch_view(),
        PycaSignatures(),
        PycaAead(),
        other_priv,
        content,
        None,
        3,
        b"\x01\x02\x03\x04",
        5,
    )
    with pytest.raises(InvalidSignature):
        group.unprotect(wire.MlsMessage(private).encode())


@pytest.mark.parametrize("wire_format", [1, 2])
def test_a_message_of_another_epoch_is_refused(group: Group, wire_format: int) -> None:
    message = group.protect(wire_format, 2, PROPOSAL)
    with pytest.raises(ProtocolError) as info:
        group.unprotect(message, epoch=group.epoch + 1)
    assert type(info.value) is InvalidMessage


@pytest.mark.parametrize("wire_format", [1, 2])
def test_a_message_of_another_group_is_refused(group: Group, wire_format: int) -> None:
    message = group.protect(wire_format, 2, PROPOSAL)
    with pytest.raises(ProtocolError) as info:
        group.unprotect(message, group_id=b"another group")
    assert type(info.value) is InvalidMessage


def test_a_flipped_private_ciphertext_is_refused(group: Group) -> None:
    message = group.protect(2, 1, APPLICATION)
    with pytest.raises(AuthenticationFailed):
        group.unprotect(_flip(message, len(message) - 3))


def test_a_replayed_private_message_is_refused(group: Group) -> None:
    """The key of the generation was deleted when it opened the first copy (§9.2)."""
    message = group.protect(2, 1, APPLICATION)
    assert group.unprotect(message)["content"] == APPLICATION
    with pytest.raises(DuplicateMessage):
        group.unprotect(message, message)


def test_an_earlier_unused_generation_still_opens(group: Group) -> None:
    view = group.epoch_view()
    messages = []
    for generation in (4, 2):
        content = wire.FramedContent(
            group.group_id, group.epoch, wire.Sender(wire.MEMBER, 1), b"", 1, b"%d" % generation
        )
        private = protect_private(
            view, PycaSignatures(), PycaAead(), group.sig_priv, content, None, generation,
            b"\x00\x00\x00\x09", 0,
        )  # fmt: skip
        messages.append(wire.MlsMessage(private).encode())
    assert group.unprotect(*messages) == {"content_type": 1, "content": b"2"}


@pytest.mark.parametrize("leaf", [2, 9])
def test_a_sender_outside_the_two_member_group_is_refused(group: Group, leaf: int) -> None:
    """Leaf ``leaf`` does not exist in a tree of two leaves; the PrivateMessage is otherwise
    sound (its keys are those of leaf 1's ratchet, so only the sender data is wrong)."""
    view = group.epoch_view()
    wide = Epoch(
        view.cs,
        view.group_id,
        view.epoch,
        view.group_context,
        view.encryption_secret,
        view.sender_data_secret,
        view.membership_key,
        16,
        {},
    )
    content = wire.FramedContent(
        group.group_id, group.epoch, wire.Sender(wire.MEMBER, leaf), b"", 1, APPLICATION
    )
    private = protect_private(
        wide, PycaSignatures(), PycaAead(), group.sig_priv, content, None, 0, b"\x00" * 4, 0
    )
    with pytest.raises(ProtocolError) as info:
        group.unprotect(wire.MlsMessage(private).encode())
    assert type(info.value) is InvalidMessage


def test_a_public_message_from_a_leaf_outside_the_group_is_refused(group: Group) -> None:
    msg = wire.decode(wire.MlsMessage.read, group.protect(1, 2, PROPOSAL)).body
    assert isinstance(msg, wire.PublicMessage)
    c = msg.content
    moved = wire.FramedContent(
        c.group_id, c.epoch, wire.Sender(wire.MEMBER, 5), b"", c.content_type, c.content
    )
    forged = wire.MlsMessage(wire.PublicMessage(moved, msg.auth, msg.membership_tag)).encode()
    with pytest.raises(ProtocolError) as info:
        group.unprotect(forged)
    assert type(info.value) is InvalidMessage


def test_non_zero_padding_is_malformed(group: Group) -> None:
    """Padding is what follows the auth data and must be all zero (§6.3.1): a content whose
    application_data length is one short leaves a non-zero byte there."""
    view = group.epoch_view()
    key, nonce = framing._message_key(view, 1, 1, 0)
    plaintext = b"\x02ab" + b"\x00" + b"\x07"  # application_data "ab", empty signature, pad 7
    aad = framing._content_aad(group.group_id, group.epoch, 1, b"")
    ciphertext = PycaAead().seal(group.cs.aead_id, key, nonce, aad, plaintext)
    sd_key, sd_nonce = sender_data_keys(group.cs, view.sender_data_secret, ciphertext)
    sender_data = wire.SenderData(1, 0, b"\x00" * 4).encode()
    encrypted = PycaAead().seal(
        group.cs.aead_id,
        sd_key,
        sd_nonce,
        framing._sender_data_aad(group.group_id, group.epoch, 1),
        sender_data,
    )
    private = wire.PrivateMessage(group.group_id, group.epoch, 1, b"", encrypted, ciphertext)
    with pytest.raises(InvalidMessage):
        group.unprotect(wire.MlsMessage(private).encode())


def test_a_malformed_message_or_blob_is_refused(group: Group) -> None:
    message = group.protect(1, 2, PROPOSAL)
    with pytest.raises(InvalidMessage):
        group.unprotect(message + b"\x00")
    with pytest.raises(InvalidInput):
        group.ref.mls_unprotect(*group.head(), group.sig_pub, *group.keys, b"\x00\x00\x00\x09ab")


# --- mls-messages (§2.1) --------------------------------------------------------------------


def test_decode_encode_round_trips_every_generated_structure(tmp_path: Path) -> None:
    fields = {
        "mls_welcome": "MLSMessage",
        "mls_group_info": "MLSMessage",
        "mls_key_package": "MLSMessage",
        "ratchet_tree": "RatchetTree",
        "group_secrets": "GroupSecrets",
        "add_proposal": "Add",
        "update_proposal": "Update",
        "remove_proposal": "Remove",
        "pre_shared_key_proposal": "PreSharedKey",
        "re_init_proposal": "ReInit",
        "external_init_proposal": "ExternalInit",
        "group_context_extensions_proposal": "GroupContextExtensions",
        "commit": "Commit",
        "public_message_application": "MLSMessage",
        "public_message_proposal": "MLSMessage",
        "public_message_commit": "MLSMessage",
        "private_message": "MLSMessage",
    }
    ref = reference()
    entries = _generated(tmp_path, "messages.json")
    assert len(entries) == 2 * len(ALL_SUITES)
    for entry in entries:
        for name, structure in fields.items():
            data = bytes.fromhex(entry[name])
            assert ref.mls_decode_encode(structure.encode(), data) == data, name


def test_decode_encode_refusals() -> None:
    ref = reference()
    with pytest.raises(InvalidMessage):  # a Remove with a byte left over
        ref.mls_decode_encode(b"Remove", b"\x00\x00\x00\x01\x00")
    with pytest.raises(InvalidMessage):  # a length not in its minimal encoding (§2.1.2)
        ref.mls_decode_encode(b"ExternalInit", b"\x40\x01\xaa")
    with pytest.raises(InvalidMessage):  # an unknown proposal type
        ref.mls_decode_encode(b"Proposal", b"\x00\x63\x00")
    with pytest.raises(Unsupported):
        ref.mls_decode_encode(b"FramedContent", b"")


# --- Welcome (§12.4.3.1) --------------------------------------------------------------------


class Joiner:
    """Alice (leaf 0) welcomes Bob for one suite, with the GroupInfo's parts open to change."""

    def __init__(self, code: int) -> None:
        self.gen = _Generator(ByteSource(f"welcome {code}").bytes)
        self.g = self.gen.group(suite(code))
        self.cs: CipherSuite = suite(code)
        self.ref = reference(f"welcome ref {code}")

    def join(self, welcome: wire.Welcome) -> Any:
        bob = self.g["bob"]
        return self.ref.mls_process_welcome(
            self.cs.code,
            bob.init_priv,
            wire.MlsMessage(bob.key_package).encode(),
            self.g["alice"].signature_pub,
            wire.MlsMessage(welcome).encode(),
        )

    def resealed(self, *, signer_priv: bytes | None = None, tag: bytes | None = None,
                 corrupt_signature: bool = False) -> wire.Welcome:  # fmt: skip
        g, cs = self.g, self.cs
        context: wire.GroupContext = g["context"]
        secrets = epoch_secrets_from_joiner(cs, g["joiner_secret"], bytes(cs.nh), context.encode())
        if tag is None:
            tag = confirmation_tag(cs, secrets.confirmation_key, context.confirmed_transcript_hash)
        info = sign_group_info(
            cs,
            PycaSignatures(),
            signer_priv or g["alice"].signature_priv,
            context,
            g["extensions"],
            tag,
            0,
        )
        if corrupt_signature:
            info = wire.GroupInfo(
                info.group_context,
                info.extensions,
                info.confirmation_tag,
                info.signer,
                _flip(info.signature, 3),
            )
        return seal_welcome(
            cs, ReferenceHpke(), PycaAead(), info, g["joiner_secret"], [g["bob"].key_package]
        )


@pytest.fixture(scope="module", params=ALL_SUITES)
def joiner(request: pytest.FixtureRequest) -> Joiner:
    return Joiner(request.param)


def test_process_a_welcome_the_reference_made(joiner: Joiner) -> None:
    info = joiner.join(joiner.g["welcome"])
    assert info["group_context"] == joiner.g["context"].encode()
    assert info["epoch_authenticator"] == joiner.g["secrets"].epoch_authenticator
    assert joiner.join(joiner.resealed()) == info


def test_a_group_info_with_a_bad_signature_is_refused(joiner: Joiner) -> None:
    with pytest.raises(InvalidSignature):
        joiner.join(joiner.resealed(corrupt_signature=True))


def test_a_group_info_signed_by_another_key_is_refused(joiner: Joiner) -> None:
    other, _ = joiner.gen.signature_key_pair(joiner.cs)
    with pytest.raises(InvalidSignature):
        joiner.join(joiner.resealed(signer_priv=other))


def test_a_group_info_with_a_bad_confirmation_tag_is_refused(joiner: Joiner) -> None:
    with pytest.raises(AuthenticationFailed):
        joiner.join(joiner.resealed(tag=bytes(joiner.cs.nh)))


def test_a_welcome_for_another_key_package_or_garbled_is_refused(joiner: Joiner) -> None:
    g, cs = joiner.g, joiner.cs
    carol = joiner.gen.member(cs, b"carol")
    with pytest.raises(ProtocolError):
        joiner.ref.mls_process_welcome(
            cs.code,
            carol.init_priv,
            wire.MlsMessage(carol.key_package).encode(),
            g["alice"].signature_pub,
            wire.MlsMessage(g["welcome"]).encode(),
        )
    w: wire.Welcome = g["welcome"]
    garbled = wire.Welcome(w.cipher_suite, w.secrets, _flip(w.encrypted_group_info, 9))
    with pytest.raises(AuthenticationFailed):  # the HPKE context binds encrypted_group_info
        joiner.join(garbled)


def test_a_key_package_and_leaf_node_sign_what_they_carry() -> None:
    cs = suite(1)
    gen = _Generator(ByteSource("kp").bytes)
    sk, pk = gen.signature_key_pair(cs)
    leaf = signed_leaf_node(cs, PycaSignatures(), sk, encryption_key=b"e" * 32,
                            signature_key=pk, identity=b"dave")  # fmt: skip
    kp = key_package(cs, PycaSignatures(), sk, b"i" * 32, leaf)
    verify_with_label(cs, PycaSignatures(), pk, b"LeafNodeTBS", leaf.tbs(b"", 0), leaf.signature)
    verify_with_label(cs, PycaSignatures(), pk, b"KeyPackageTBS", kp.tbs(), kp.signature)


# --- the vector generator -------------------------------------------------------------------


_CACHE: dict[str, Any] = {}


def _generated(tmp_path: Path, name: str) -> list[dict[str, Any]]:
    if not _CACHE:
        written = generate(tmp_path / "a", ByteSource("generator seed").bytes)
        _CACHE.update({p.name: p.read_bytes() for p in written})
    return json.loads(_CACHE[name])  # type: ignore[no-any-return]


def test_generate_is_deterministic_for_a_seed(tmp_path: Path) -> None:
    _generated(tmp_path, "welcome.json")
    again = generate(tmp_path / "b", ByteSource("generator seed").bytes)
    assert {p.name: p.read_bytes() for p in again} == _CACHE
    other = generate(tmp_path / "c", ByteSource("another seed").bytes)
    assert {p.name: p.read_bytes() for p in other} != _CACHE


def test_generated_files_have_the_working_groups_fields(tmp_path: Path) -> None:
    protection = _generated(tmp_path, "message-protection.json")
    welcome = _generated(tmp_path, "welcome.json")
    assert {e["cipher_suite"] for e in protection} == set(ALL_SUITES)
    assert set(protection[0]) == {
        "cipher_suite", "group_id", "epoch", "tree_hash", "confirmed_transcript_hash",
        "signature_priv", "signature_pub", "encryption_secret", "sender_data_secret",
        "membership_key", "proposal", "proposal_priv", "proposal_pub", "commit", "commit_priv",
        "commit_pub", "application", "application_priv",
    }  # fmt: skip
    assert set(welcome[0]) == {"cipher_suite", "init_priv", "signer_pub", "key_package", "welcome"}


def test_generated_message_protection_unprotects(tmp_path: Path) -> None:
    ref = reference("verify")
    h: Callable[[str], bytes] = bytes.fromhex
    for e in _generated(tmp_path, "message-protection.json"):
        head: tuple[int, bytes, int, bytes, bytes, bytes, bytes, bytes, bytes]
        head = (e["cipher_suite"], h(e["group_id"]), e["epoch"], h(e["tree_hash"]),
                h(e["confirmed_transcript_hash"]), h(e["signature_pub"]),
                h(e["encryption_secret"]), h(e["sender_data_secret"]), h(e["membership_key"]))  # fmt: skip
        for name, content_type in (("proposal", 2), ("commit", 3), ("application", 1)):
            for suffix in ("_pub", "_priv"):
                if name + suffix not in e:
                    continue
                out = ref.mls_unprotect(*head, join_blobs([h(e[name + suffix])]))
                assert out == {"content_type": content_type, "content": h(e[name])}


def test_generated_welcomes_are_processed(tmp_path: Path) -> None:
    ref = reference("verify")
    for e in _generated(tmp_path, "welcome.json"):
        info = ref.mls_process_welcome(
            e["cipher_suite"],
            bytes.fromhex(e["init_priv"]),
            bytes.fromhex(e["key_package"]),
            bytes.fromhex(e["signer_pub"]),
            bytes.fromhex(e["welcome"]),
        )
        context = wire.decode(wire.GroupContext.read, info["group_context"])
        assert context.cipher_suite == e["cipher_suite"]
