"""The invalid MLS cases the working group's files lack (vectors/generators/mls.py adds them
to vectors/mls/): each made from a valid case by one change that RFC 9420 says a receiver
must refuse, everything else (signatures, tags, encryption) made again so that the change is
the only fault.

:func:`invalid` maps a valid case of the protocol tier to its invalid variants;
:func:`welcome_cases` makes MlsWelcome cases, valid and invalid, from a fresh group, since a
Welcome can only be changed by whoever holds its signer's key and joiner secret.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any, Literal

from conformance.capabilities.mls_protocol import join_blobs, split_blobs
from conformance.model import Case
from conformance.reference.mls import wire
from conformance.reference.mls.aead import PycaAead
from conformance.reference.mls.ciphersuites import CipherSuite, suite
from conformance.reference.mls.crypto import sign_with_label
from conformance.reference.mls.framing import (
    _sender_data_aad,
    membership_tag,
    sign_content,
)
from conformance.reference.mls.key_schedule import epoch_secrets_from_joiner, group_context
from conformance.reference.mls.pyca import PycaSignatures
from conformance.reference.mls.secret_tree import sender_data_keys
from conformance.reference.mls.welcome import (
    confirmation_tag,
    seal_welcome,
    sign_group_info,
)
from vectors.generators._common import ByteSource, NoteSpec, bit_flip
from vectors.generators.mls_wg_framing import _Generator
from vectors.generators.mls_wg_passive import story_with_extensions

__all__ = ["NOTES", "invalid", "reset", "welcome_cases"]

Fields = dict[str, Any]
Made = list[tuple[str, str, Fields]]

NOTES = {
    "WrongRatchetTree": NoteSpec(
        "AUTH_BYPASS",
        "The ratchet tree given out of band has a bit flipped in a leaf's encryption key: its "
        "tree hash is not the GroupInfo's tree_hash, so the joiner must refuse it "
        "(RFC 9420 §12.4.3.1).",
    ),
    "ReplayedCommit": NoteSpec(
        "REPLAY",
        "An epoch's proposals and commit are delivered again in the next epoch: they are of "
        "an epoch that is over (RFC 9420 §6.3.2, §12.4.2).",
    ),
    "UnsupportedRequiredCapability": NoteSpec(
        "AUTH_BYPASS",
        "The GroupContext's required_capabilities extension asks for an extension type "
        "(0xF0F0) no leaf lists: the joiner validates every leaf of the tree (RFC 9420 "
        "§12.4.3.1, §7.3) and must refuse a group its members cannot be in (§11.1).",
    ),
    "ReferenceGroup": NoteSpec(
        "BASIC",
        "A Welcome the reference made for a fresh two-member group (the GroupInfo carries the "
        "tree), with the GroupContext and epoch_authenticator the joiner must reach.",
    ),
    "TrailingData": NoteSpec(
        "MALLEABILITY",
        "A byte follows the structure: a decoder must consume the whole input (RFC 9420 §2.1).",
    ),
    "TruncatedData": NoteSpec(
        "MALLEABILITY", "The structure's last byte is missing (RFC 9420 §2.1)."
    ),
    "NonMinimalVarint": NoteSpec(
        "MALLEABILITY",
        "The first variable-size length is written in two bytes where one holds it: RFC 9420 "
        "§2.1.2 requires the smallest encoding, so that a structure has one serialisation.",
    ),
    "ReservedVarintPrefix": NoteSpec(
        "MALLEABILITY",
        "A variable-size length starts with the bits 11, which RFC 9420 §2.1.2 reserves.",
    ),
    "UnknownWireFormat": NoteSpec(
        "MALLEABILITY",
        "An MLSMessage with a wire format RFC 9420 §6 does not define (its body cannot be read).",
    ),
    "BadMembershipTag": NoteSpec(
        "AUTH_BYPASS",
        "The PublicMessage's membership tag has a bit flipped (RFC 9420 §6.2).",
    ),
    "ModifiedContentSignature": NoteSpec(
        "SIGNATURE_MALLEABILITY",
        "The FramedContent's signature has a bit flipped and, for a PublicMessage, the "
        "membership tag is made again over it: only the signature is wrong (RFC 9420 §6.1).",
    ),
    "WrongEpoch": NoteSpec(
        "AUTH_BYPASS",
        "The receiver is in the next epoch: a message of another epoch must be refused "
        "(RFC 9420 §6.3.2, §6.2; its keys and GroupContext are another epoch's).",
    ),
    "WrongGroupId": NoteSpec("AUTH_BYPASS", "The receiver is in another group (RFC 9420 §6)."),
    "ModifiedPrivateCiphertext": NoteSpec(
        "AUTH_BYPASS", "The PrivateMessage's ciphertext has a bit flipped (RFC 9420 §6.3.1)."
    ),
    "ReusedGeneration": NoteSpec(
        "REPLAY",
        "The same PrivateMessage twice: its generation's key was deleted when it was first "
        "used (RFC 9420 §9.2), so the second copy must be refused.",
    ),
    "SenderOutsideGroup": NoteSpec(
        "AUTH_BYPASS",
        "The encrypted sender data names leaf 5 of a two-member group: RFC 9420 §6.3.2 "
        "requires the sender to be a member (an implementation that derives keys for it reads "
        "outside its secret tree).",
    ),
    "ApplicationAsPublicMessage": NoteSpec(
        "AUTH_BYPASS",
        "Application data framed as a PublicMessage: RFC 9420 §6.2 allows only "
        "PrivateMessage for it.",
    ),
    "BadGroupInfoSignature": NoteSpec(
        "SIGNATURE_MALLEABILITY",
        "The GroupInfo's signature has a bit flipped (RFC 9420 §12.4.3.1).",
    ),
    "GroupInfoSignedByOtherMember": NoteSpec(
        "AUTH_BYPASS",
        "The GroupInfo names leaf 0 as its signer and is signed, validly, by the other member's "
        "key: it must verify under the signer's own key (RFC 9420 §12.4.3).",
    ),
    "BadGroupInfoConfirmationTag": NoteSpec(
        "AUTH_BYPASS",
        "The GroupInfo's confirmation tag has a bit flipped and the GroupInfo is signed again: "
        "the tag must verify under the epoch's confirmation key (RFC 9420 §12.4.3.1).",
    ),
    "BadLeafSignature": NoteSpec(
        "SIGNATURE_MALLEABILITY",
        "A leaf node's signature has a bit flipped (RFC 9420 §7.3).",
    ),
    "ParentHashMismatch": NoteSpec(
        "AUTH_BYPASS",
        "A parent node's parent_hash has a bit flipped, so no chain of parent hashes covers it "
        "(RFC 9420 §7.9.2).",
    ),
    "BlankLeafSender": NoteSpec(
        "AUTH_BYPASS",
        "The sender is a blank leaf: only a member sends proposals and UpdatePaths (RFC 9420 "
        "§12.1.2, §12.4.2).",
    ),
    "RemoveBlankLeaf": NoteSpec(
        "AUTH_BYPASS", "A Remove of a blank leaf (RFC 9420 §12.1.3: it must name a member)."
    ),
    "RemoveOutsideTree": NoteSpec(
        "AUTH_BYPASS", "A Remove of a leaf beyond the tree (RFC 9420 §12.1.3)."
    ),
    "ModifiedPathSecretCiphertext": NoteSpec(
        "AUTH_BYPASS",
        "Every encrypted path secret of the UpdatePath has a bit flipped (RFC 9420 §7.6: "
        "DecryptWithLabel must fail).",
    ),
    "PathParentHashMismatch": NoteSpec(
        "AUTH_BYPASS",
        "The UpdatePath's leaf node carries a wrong parent_hash and is signed again: the "
        "receiver must check it against the path's nodes (RFC 9420 §7.9.2, §12.4.2).",
    ),
}

_SIG = PycaSignatures(deterministic=True)


def _flip(value: bytes, src: ByteSource) -> bytes:
    return bit_flip(value, src.below(8 * len(value)))


def _message(data: bytes) -> wire.MlsMessage:
    return wire.decode(wire.MlsMessage.read, data, "MLSMessage")


# --- MlsDecodeEncode ------------------------------------------------------------------------------


def _decode_encode(f: Fields, src: ByteSource) -> Made:
    data: bytes = f["data"]
    out: Made = [
        ("a byte left over", "TrailingData", {**f, "data": data + b"\x00"}),
        ("its last byte missing", "TruncatedData", {**f, "data": data[:-1]}),
    ]
    # Structures that open with a variable-size length (every vector and opaque field is one):
    # that first length is rewritten in the two-byte form, then with the reserved prefix.
    if f["structure"] in ("RatchetTree", "GroupSecrets", "Update", "ExternalInit", "Commit") and (
        data[0] >> 6 == 0
    ):
        out.append(
            (
                "its first length in two bytes",
                "NonMinimalVarint",
                {**f, "data": bytes([0x40, data[0]]) + data[1:]},
            )
        )
        out.append(
            (
                "its first length with the prefix 11",
                "ReservedVarintPrefix",
                {**f, "data": bytes([0xC0 | data[0]]) + data[1:]},
            )
        )
    if f["structure"] == "MLSMessage":
        out.append(
            (
                "the wire format 0x0006",
                "UnknownWireFormat",
                {**f, "data": data[:2] + b"\x00\x06" + data[4:]},
            )
        )
    return out


# --- MlsUnprotect ---------------------------------------------------------------------------------


def _context(f: Fields, cs: CipherSuite) -> bytes:
    return group_context(
        cs, f["groupId"], f["epoch"], f["treeHash"], f["confirmedTranscriptHash"], b""
    )


def _unprotect(f: Fields, cs: CipherSuite, src: ByteSource) -> Made:
    (message,) = split_blobs(f["messages"])
    msg = _message(message)
    out: Made = [
        ("received in the next epoch", "WrongEpoch", {**f, "epoch": f["epoch"] + 1}),
        ("received in another group", "WrongGroupId", {**f, "groupId": _flip(f["groupId"], src)}),
    ]
    body = msg.body
    if isinstance(body, wire.PublicMessage):
        assert body.membership_tag is not None
        bad_tag = replace(body, membership_tag=_flip(body.membership_tag, src))
        auth = replace(body.auth, signature=_flip(body.auth.signature, src))
        tag = membership_tag(cs, f["membershipKey"], body.content, auth, _context(f, cs))
        bad_signature = replace(body, auth=auth, membership_tag=tag)
        for comment, flag, changed in (
            ("the membership tag with a bit flipped", "BadMembershipTag", bad_tag),
            ("the signature with a bit flipped", "ModifiedContentSignature", bad_signature),
        ):
            data = wire.MlsMessage(changed).encode()
            out.append((comment, flag, {**f, "messages": join_blobs([data])}))
    elif isinstance(body, wire.PrivateMessage):
        flipped = replace(body, ciphertext=_flip(body.ciphertext, src))
        out.append(
            (
                "the ciphertext with a bit flipped",
                "ModifiedPrivateCiphertext",
                {**f, "messages": join_blobs([wire.MlsMessage(flipped).encode()])},
            )
        )
        out.append(
            (
                "received twice",
                "ReusedGeneration",
                {**f, "messages": join_blobs([message, message])},
            )
        )
        # The sender data (§6.3.2) sealed again, naming leaf 5 of the two-member group.
        key, nonce = sender_data_keys(cs, f["senderDataSecret"], body.ciphertext)
        aad = _sender_data_aad(body.group_id, body.epoch, body.content_type)
        sealed = PycaAead().seal(
            cs.aead_id, key, nonce, aad, wire.SenderData(5, 0, src.bytes(4)).encode()
        )
        outside = replace(body, encrypted_sender_data=sealed)
        out.append(
            (
                "the sender data naming leaf 5",
                "SenderOutsideGroup",
                {**f, "messages": join_blobs([wire.MlsMessage(outside).encode()])},
            )
        )
    return out


def _application_as_public(f: Fields, cs: CipherSuite, signature_priv: bytes) -> Fields:
    """A PublicMessage from leaf 1 carrying ``content`` as application data, signed and
    tagged (§6.1, §6.2): every check but the content type's passes."""
    content = wire.FramedContent(
        f["groupId"], f["epoch"], wire.Sender(wire.MEMBER, 1), b"", wire.APPLICATION, f["content"]
    )
    context = _context(f, cs)
    signature = sign_content(cs, _SIG, signature_priv, wire.WF_PUBLIC, content, context)
    auth = wire.FramedContentAuthData(signature, None)
    tag = membership_tag(cs, f["membershipKey"], content, auth, context)
    message = wire.MlsMessage(wire.PublicMessage(content, auth, tag)).encode()
    return {**f, "messages": join_blobs([message])}


# --- trees ----------------------------------------------------------------------------------------


def _tree(data: bytes) -> list[wire.Node | None]:
    return list(wire.decode(wire.read_tree, data, "ratchet tree"))


def _verify_tree(f: Fields, src: ByteSource) -> Made:
    nodes = _tree(f["tree"])
    out: Made = []
    leaves = [x for x, n in enumerate(nodes) if n is not None and x % 2 == 0]
    x = leaves[src.below(len(leaves))]
    leaf = nodes[x]
    assert leaf is not None
    assert isinstance(leaf.value, wire.LeafNode)
    changed = list(nodes)
    changed[x] = wire.Node(replace(leaf.value, signature=_flip(leaf.value.signature, src)))
    out.append(
        (
            f"leaf {x // 2}'s signature with a bit flipped",
            "BadLeafSignature",
            {**f, "tree": wire.encode_tree(changed)},
        )
    )
    parents = [
        x
        for x, n in enumerate(nodes)
        if n is not None and isinstance(n.value, wire.ParentNode) and n.value.parent_hash
    ]
    if parents:
        x = parents[src.below(len(parents))]
        node = nodes[x]
        assert node is not None
        assert isinstance(node.value, wire.ParentNode)
        changed = list(nodes)
        changed[x] = wire.Node(replace(node.value, parent_hash=_flip(node.value.parent_hash, src)))
        out.append(
            (
                f"node {x}'s parent_hash with a bit flipped",
                "ParentHashMismatch",
                {**f, "tree": wire.encode_tree(changed)},
            )
        )
    return out


def _apply_proposal(f: Fields, src: ByteSource) -> Made:
    nodes = _tree(f["tree"])
    n_leaves = (len(nodes) + 2) // 2
    blank = [i for i in range(n_leaves) if 2 * i >= len(nodes) or nodes[2 * i] is None]
    proposal = wire.decode(wire.Proposal.read, f["proposal"], "Proposal")
    out: Made = []
    if blank and isinstance(proposal.body, wire.Update):
        out.append((f"sent by blank leaf {blank[0]}", "BlankLeafSender", {**f, "sender": blank[0]}))
    if isinstance(proposal.body, wire.Remove):
        if blank:
            remove = wire.Proposal(wire.Remove(blank[0])).encode()
            out.append(
                (f"a Remove of blank leaf {blank[0]}", "RemoveBlankLeaf", {**f, "proposal": remove})
            )
        remove = wire.Proposal(wire.Remove(n_leaves + 3)).encode()
        out.append(
            (
                f"a Remove of leaf {n_leaves + 3}, beyond the tree",
                "RemoveOutsideTree",
                {**f, "proposal": remove},
            )
        )
    return out


def _treekem_receive(
    f: Fields, cs: CipherSuite, src: ByteSource, signature_priv: bytes | None
) -> Made:
    path = wire.decode(wire.UpdatePath.read, f["updatePath"], "UpdatePath")
    nodes = tuple(
        replace(
            n,
            encrypted_path_secret=tuple(
                replace(c, ciphertext=_flip(c.ciphertext, src)) for c in n.encrypted_path_secret
            ),
        )
        for n in path.nodes
    )
    out: Made = [
        (
            "every encrypted path secret with a bit flipped",
            "ModifiedPathSecretCiphertext",
            {**f, "updatePath": replace(path, nodes=nodes).encode()},
        )
    ]
    if signature_priv is not None and path.leaf_node.parent_hash:
        leaf = replace(path.leaf_node, parent_hash=_flip(path.leaf_node.parent_hash, src))
        signature = sign_with_label(
            cs, _SIG, signature_priv, b"LeafNodeTBS", leaf.tbs(f["groupId"], f["sender"])
        )
        changed = replace(path, leaf_node=replace(leaf, signature=signature))
        out.append(
            (
                "the path's leaf node with a wrong parent_hash, signed again",
                "PathParentHashMismatch",
                {**f, "updatePath": changed.encode()},
            )
        )
    tree = _tree(f["tree"])
    blank = [i for i in range(len(tree) // 2 + 1) if 2 * i < len(tree) and tree[2 * i] is None]
    if blank:
        out.append(
            (f"sent from blank leaf {blank[0]}", "BlankLeafSender", {**f, "sender": blank[0]})
        )
    return out


def _passive_client(f: Fields, src: ByteSource) -> Made:
    out: Made = []
    if f["ratchetTree"]:
        nodes = _tree(f["ratchetTree"])
        leaf = nodes[0]
        assert leaf is not None
        assert isinstance(leaf.value, wire.LeafNode)
        changed = list(nodes)
        key = _flip(leaf.value.encryption_key, src)
        changed[0] = wire.Node(replace(leaf.value, encryption_key=key))
        out.append(
            (
                "a ratchet tree whose hash is not the GroupInfo's",
                "WrongRatchetTree",
                {**f, "ratchetTree": wire.encode_tree(changed)},
            )
        )
    epochs = split_blobs(f["epochs"])
    if len(epochs) >= 2:
        replayed = join_blobs([*epochs[:2], epochs[1], *epochs[2:]])
        out.append(
            (
                "the second epoch's messages again in the third",
                "ReplayedCommit",
                {**f, "epochs": replayed},
            )
        )
    return out


# --- dispatch -------------------------------------------------------------------------------------


#: (type, cipher suite, flag) already made: the tree categories make each invalid variant
#: once per suite (they repeat a whole tree per case, and one variant shows the fault).
_ONCE = ("MlsApplyProposal", "MlsVerifyTree")
_made: set[tuple[str, int | None, str]] = set()


def reset() -> None:
    """Forget the variants made: a new generation starts."""
    _made.clear()


def invalid(
    type_name: str,
    case: Case,
    cipher_suite: int | None,
    src: ByteSource,
    signature_priv: Callable[[Case], bytes | None],
) -> Made:
    """The invalid variants of a valid protocol-tier case: (comment, flag, fields).
    ``signature_priv`` finds the key a variant must be signed again with, where the case's
    source file has it."""
    f: Fields = dict(case.fields)
    cs = suite(cipher_suite) if cipher_suite else None
    if type_name == "MlsDecodeEncode":
        return _decode_encode(f, src)
    if type_name == "MlsUnprotect" and cs is not None:
        out = _unprotect(f, cs, src)
        key = signature_priv(case)
        if key is not None and f["contentType"] == wire.APPLICATION:
            out.append(
                (
                    "the application data as a PublicMessage",
                    "ApplicationAsPublicMessage",
                    _application_as_public(f, cs, key),
                )
            )
        return out
    if type_name in _ONCE:
        made = _verify_tree(f, src) if type_name == "MlsVerifyTree" else _apply_proposal(f, src)

        fresh = [m for m in made if (type_name, cipher_suite, m[1]) not in _made]
        _made.update((type_name, cipher_suite, m[1]) for m in fresh)
        return fresh
    if type_name == "MlsPassiveClient":
        return _passive_client(f, src)
    if type_name == "MlsTreeKemReceive" and cs is not None:
        # One receiver per UpdatePath gets the variants (they change the path, not the
        # receiver).
        path = (type_name, cipher_suite, case.id.rsplit(".", 1)[0])
        if path in _made:
            return []
        _made.add(path)
        return _treekem_receive(f, cs, src, signature_priv(case))
    return []


# --- MlsWelcome -----------------------------------------------------------------------------------


Result = Literal["valid", "invalid", "acceptable"]


def welcome_cases(
    cs: CipherSuite, random: Callable[[int], bytes], src: ByteSource
) -> list[tuple[str, list[str], Result, Fields]]:
    """MlsWelcome cases of one suite from a fresh group (Alice welcomes Bob, the GroupInfo
    carrying the tree): the valid Welcome with its GroupContext and epoch_authenticator, and
    the invalid ones (comment, flags, result, fields)."""
    gen = _Generator(random)
    g = gen.group(cs)
    alice, bob = g["alice"], g["bob"]
    context: wire.GroupContext = g["context"]
    extensions, joiner = g["extensions"], g["joiner_secret"]
    secrets = epoch_secrets_from_joiner(cs, joiner, bytes(cs.nh), context.encode())
    tag = confirmation_tag(cs, secrets.confirmation_key, context.confirmed_transcript_hash)
    base: Fields = {
        "initPriv": bob.init_priv,
        "keyPackage": wire.MlsMessage(bob.key_package).encode(),
        "signerPub": alice.signature_pub,
        "groupContext": context.encode(),
        "epochAuthenticator": secrets.epoch_authenticator,
    }

    def sealed(info: wire.GroupInfo) -> bytes:
        welcome = seal_welcome(cs, gen.hpke, gen.aead, info, joiner, [bob.key_package])
        return wire.MlsMessage(welcome).encode()

    good = sign_group_info(cs, gen.sig, alice.signature_priv, context, extensions, tag, 0)
    by_bob = sign_group_info(cs, gen.sig, bob.signature_priv, context, extensions, tag, 0)
    bad_tag = sign_group_info(
        cs, gen.sig, alice.signature_priv, context, extensions, _flip(tag, src), 0
    )
    bad_signature = replace(good, signature=_flip(good.signature, src))
    return [
        ("Alice welcomes Bob", ["ReferenceGroup"], "valid", {**base, "welcome": sealed(good)}),
        (
            "the GroupInfo's signature with a bit flipped",
            ["BadGroupInfoSignature"],
            "invalid",
            {**base, "welcome": sealed(bad_signature)},
        ),
        (
            "the GroupInfo signed by Bob, naming Alice (leaf 0) as its signer",
            ["GroupInfoSignedByOtherMember"],
            "invalid",
            {**base, "welcome": sealed(by_bob)},
        ),
        (
            "the GroupInfo's confirmation tag with a bit flipped, signed again",
            ["BadGroupInfoConfirmationTag"],
            "invalid",
            {**base, "welcome": sealed(bad_tag)},
        ),
    ]


#: §11.1 RequiredCapabilities { extension_types = [0xF0F0]; proposal_types = [];
#: credential_types = [] }: an extension type nobody's leaf lists.
_UNMET = wire.Extension(3, bytes([0x02, 0xF0, 0xF0, 0x00, 0x00]))


def required_capability_case(cs: CipherSuite, random: Callable[[int], bytes]) -> Fields:
    """A passive client's join (MlsPassiveClient) into a group whose GroupContext requires an
    extension type no leaf lists: Alice creates it so (the reference does not check its own
    creation) and adds Bob with a path; his join must be refused (§7.3, §12.4.3.1)."""
    return story_with_extensions(cs, random, (_UNMET,))
