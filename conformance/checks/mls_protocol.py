"""Known-answer checks of the ``mls`` family's protocol tier (RFC 9420 §6-§12; mlswg/mls-
implementations test-vectors.md), one check per vector type of
:mod:`conformance.vectortypes.mls_protocol`.

Where RFC 9420 lets the sender draw randomness (ECDSA signatures, HPKE ephemerals, reuse guards,
the generation it sends at), what the implementation sends is received by the suite's reference
(``adapters/reference``), which stands as the judge, as in :mod:`conformance.checks.mls`: a
message or UpdatePath the reference does not accept, or reads differently, is the
implementation's failure. Every invalid case must be refused; any neutral kind will do, as in
the crypto tier.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import cast

from ..capabilities.mls import MlsCryptoBasics
from ..capabilities.mls_protocol import (
    BlobError,
    MlsMessageProtection,
    MlsMessages,
    MlsPassiveClient,
    MlsTreeKem,
    MlsTreeOperations,
    MlsTreeValidation,
    MlsWelcome,
    join_blobs,
    split_blobs,
)
from ..errors import ProtocolError
from ..model import Case, Group
from . import PASS, CheckFn, Verdict, attempt, judge, mismatch, refusal
from .mls import _fields, _judge, _suite

__all__ = ["CHECKS", "LeafPrivate", "leaves_private", "pack_leaves_private"]

#: RFC 9420 §6: ProtocolVersion mls10, the first two bytes of every MLSMessage and GroupContext.
_MLS10 = b"\x00\x01"
#: How far the judge follows the chain of path secrets (§7.4): one step per level of a tree of
#: up to 2**32 leaves, and one for the commit secret.
_CHAIN_LIMIT = 33

LeafPrivate = tuple[int, bytes, bytes]


def pack_leaves_private(leaves: list[LeafPrivate]) -> bytes:
    """The ``leavesPrivate`` field of MlsTreeKemSend: per leaf, a blob of its index (uint32),
    HPKE private key and path-secret blob (items ``uint32 node || path_secret``)."""
    return join_blobs(
        join_blobs([index.to_bytes(4, "big"), priv, path_secrets])
        for index, priv, path_secrets in leaves
    )


def leaves_private(blob: bytes) -> list[LeafPrivate]:
    """The inverse of :func:`pack_leaves_private`; BlobError when it is not of that layout."""
    out = []
    for item in split_blobs(blob):
        parts = split_blobs(item)
        if len(parts) != 3 or len(parts[0]) != 4:
            raise BlobError("a leavesPrivate item is not (uint32 index, key, path secrets)")
        out.append((int.from_bytes(parts[0], "big"), parts[1], parts[2]))
    return out


def decode_encode(group: Group, case: Case, impl: object) -> Verdict:
    """A structure decoded and encoded again is the same bytes (§2.1); malformed data (§2.1.2:
    non-minimal or malformed varints, bytes left over) is refused."""
    data = case.bytes("data")
    got = attempt(
        cast(MlsMessages, impl).mls_decode_encode, case.str("structure").encode("ascii"), data
    )
    return judge(case, got, data, f"mls_decode_encode {case.str('structure')}")


def _protection(group: Group, case: Case) -> tuple[int, bytes, int, bytes, bytes]:
    return (
        _suite(group),
        case.bytes("groupId"),
        case.int("epoch"),
        case.bytes("treeHash"),
        case.bytes("confirmedTranscriptHash"),
    )


def _epoch_secrets(case: Case) -> tuple[bytes, bytes, bytes]:
    return (
        case.bytes("encryptionSecret"),
        case.bytes("senderDataSecret"),
        case.bytes("membershipKey"),
    )


_CONTENT = {"content_type": "contentType", "content": "content"}


def unprotect(group: Group, case: Case, impl: object) -> Verdict:
    """PublicMessage verification (signature, membership tag; §6.2) and PrivateMessage
    decryption (sender data, secret tree, signature; §6.3) as leaf 0."""
    got = attempt(
        cast(MlsMessageProtection, impl).mls_unprotect,
        *_protection(group, case),
        case.bytes("signaturePub"),
        *_epoch_secrets(case),
        case.bytes("messages"),
    )
    return _fields(case, got, _CONTENT, "mls_unprotect")


def protect(group: Group, case: Case, impl: object) -> Verdict:
    """A PublicMessage (§6.2) or PrivateMessage (§6.3) from leaf 1, received by the reference as
    leaf 0: it must be an mls10 MLSMessage of the asked wire format carrying the content."""
    wire_format = case.int("wireFormat")
    made = attempt(
        cast(MlsMessageProtection, impl).mls_protect,
        *_protection(group, case),
        case.bytes("signaturePriv"),
        *_epoch_secrets(case),
        wire_format,
        case.int("contentType"),
        case.bytes("content"),
    )
    verdict = judge(case, made, None, "mls_protect")
    if not case.valid or verdict.outcome != "pass":
        return verdict
    message = cast(bytes, made.value)
    # The reference would read a PrivateMessage where a PublicMessage was asked for just as
    # well: the wire format is checked here, from the MLSMessage's header (§6).
    header = _MLS10 + wire_format.to_bytes(2, "big")
    if message[:4] != header:
        return Verdict(
            "fail", mismatch("mls_protect, MLSMessage version and wire_format", header, message[:4])
        )
    reference = cast(MlsMessageProtection, _judge("mls-message-protection"))
    try:
        back = reference.mls_unprotect(
            *_protection(group, case),
            case.bytes("signaturePub"),
            *_epoch_secrets(case),
            join_blobs([message]),
        )
    except ProtocolError as exc:
        return Verdict("fail", f"mls_protect: the reference refuses its message ({refusal(exc)})")
    received = cast(Mapping[str, object], back)
    for key, field in _CONTENT.items():
        want = case.fields[field]
        if received.get(key) != want:
            return Verdict(
                "fail", mismatch(f"mls_protect, received {key}", want, received.get(key))
            )
    return PASS


def welcome(group: Group, case: Case, impl: object) -> Verdict:
    """Welcome processing (§12.4.3.1): EncryptedGroupSecrets opened with init_priv, GroupInfo
    decrypted, its signature and confirmation tag verified; the epoch's GroupContext and
    epoch_authenticator (§8.7) where the case gives them."""
    suite = _suite(group)
    got = attempt(
        cast(MlsWelcome, impl).mls_process_welcome,
        suite,
        case.bytes("initPriv"),
        case.bytes("keyPackage"),
        case.bytes("signerPub"),
        case.bytes("welcome"),
    )
    expected = {
        key: field
        for key, field in (
            ("group_context", "groupContext"),
            ("epoch_authenticator", "epochAuthenticator"),
        )
        if case.bytes(field)
    }
    verdict = _fields(case, got, expected, "mls_process_welcome")
    if not case.valid or verdict.outcome != "pass":
        return verdict
    # Without an expected GroupContext, at least its version and cipher suite (§8.1) are known.
    context = cast(Mapping[str, object], got.value).get("group_context")
    header = _MLS10 + suite.to_bytes(2, "big")
    if not isinstance(context, bytes) or context[:4] != header:
        return Verdict(
            "fail",
            mismatch(
                "mls_process_welcome group_context version and cipher_suite",
                header,
                context[:4] if isinstance(context, bytes) else context,
            ),
        )
    return verdict


def tree_hash(group: Group, case: Case, impl: object) -> Verdict:
    """The tree hash of a subtree (§7.8)."""
    got = attempt(
        cast(MlsTreeValidation, impl).mls_tree_hash,
        _suite(group),
        case.bytes("tree"),
        case.int("node"),
    )
    return judge(case, got, case.bytes("treeHash"), f"mls_tree_hash of node {case.int('node')}")


def resolution(group: Group, case: Case, impl: object) -> Verdict:
    """The resolution of a node (§4.1.1), as uint32 node indices."""
    got = attempt(
        cast(MlsTreeValidation, impl).mls_resolution,
        _suite(group),
        case.bytes("tree"),
        case.int("node"),
    )
    return judge(case, got, case.bytes("resolution"), f"mls_resolution of node {case.int('node')}")


def verify_tree(group: Group, case: Case, impl: object) -> Verdict:
    """Parent-hash chains (§7.9.2) and leaf signatures (§7.3): a valid tree is accepted, an
    invalid one refused."""
    got = attempt(
        cast(MlsTreeValidation, impl).mls_verify_tree,
        _suite(group),
        case.bytes("groupId"),
        case.bytes("tree"),
    )
    return judge(case, got, None, "mls_verify_tree")


def apply_proposal(group: Group, case: Case, impl: object) -> Verdict:
    """Add, Update or Remove applied to the tree (§12.1.1-§12.1.3), truncated (§7.7)."""
    got = attempt(
        cast(MlsTreeOperations, impl).mls_apply_proposal,
        _suite(group),
        case.bytes("tree"),
        case.bytes("proposal"),
        case.int("sender"),
    )
    return _fields(
        case, got, {"tree": "treeAfter", "tree_hash": "treeHashAfter"}, "mls_apply_proposal"
    )


def _treekem_epoch(group: Group, case: Case) -> tuple[int, bytes, int, bytes, bytes]:
    return (
        _suite(group),
        case.bytes("groupId"),
        case.int("epoch"),
        case.bytes("confirmedTranscriptHash"),
        case.bytes("tree"),
    )


def treekem_receive(group: Group, case: Case, impl: object) -> Verdict:
    """An UpdatePath decrypted at the lowest common ancestor (§7.5, §12.4.2), the commit
    secret derived up the path (§7.4), and the provisional tree hashed (§7.8)."""
    got = attempt(
        cast(MlsTreeKem, impl).mls_treekem_receive,
        *_treekem_epoch(group, case),
        case.int("receiver"),
        case.bytes("encryptionPriv"),
        case.bytes("pathSecrets"),
        case.int("sender"),
        case.bytes("updatePath"),
    )
    expected = {
        "path_secret": "pathSecret",
        "commit_secret": "commitSecret",
        "tree_hash_after": "treeHashAfter",
    }
    return _fields(case, got, expected, "mls_treekem_receive")


def _path_chain(suite: int, leaf_secret: bytes) -> list[bytes]:
    """path_secret[0] = leaf_secret, path_secret[n] = DeriveSecret(path_secret[n-1], "path")
    (§7.4), under the reference."""
    basics = cast(MlsCryptoBasics, _judge("mls-crypto-basics"))
    chain = [leaf_secret]
    while len(chain) < _CHAIN_LIMIT:
        chain.append(bytes(basics.mls_derive_secret(suite, chain[-1], b"path")))
    return chain


def treekem_send(group: Group, case: Case, impl: object) -> Verdict:
    """An UpdatePath from path_secret[0] = leafSecret (§7.4-§7.6), received by the reference as
    every other leaf: each must find the implementation's commit secret and provisional tree
    hash, and decrypt a path secret of the chain from leafSecret, the commit secret being the
    chain's next step after every path secret received."""
    epoch = _treekem_epoch(group, case)
    suite, sender, leaf_secret = epoch[0], case.int("sender"), case.bytes("leafSecret")
    made = attempt(
        cast(MlsTreeKem, impl).mls_treekem_send,
        *epoch,
        sender,
        case.bytes("signaturePriv"),
        leaf_secret,
    )
    verdict = judge(case, made, None, "mls_treekem_send")
    if not case.valid or verdict.outcome != "pass":
        return verdict
    out = cast(Mapping[str, bytes], made.value)
    chain = _path_chain(suite, leaf_secret)
    if out["commit_secret"] not in chain[1:]:
        return Verdict(
            "fail",
            "mls_treekem_send: the commit secret is not on the chain of path secrets from "
            f"leafSecret (RFC 9420 §7.4): {out['commit_secret'].hex()}",
        )
    commit_step = chain.index(out["commit_secret"], 1)
    reference = cast(MlsTreeKem, _judge("mls-treekem"))
    for leaf, priv, path_secrets in leaves_private(case.bytes("leavesPrivate")):
        what = f"mls_treekem_send, received by leaf {leaf}"
        try:
            got = reference.mls_treekem_receive(
                *epoch, leaf, priv, path_secrets, sender, out["update_path"]
            )
        except ProtocolError as exc:
            return Verdict("fail", f"{what}: the reference refuses the path ({refusal(exc)})")
        for key in ("commit_secret", "tree_hash_after"):
            if got[key] != out[key]:
                return Verdict("fail", mismatch(f"{what}: {key}", out[key], got[key]))
        if got["path_secret"] not in chain[:commit_step]:
            return Verdict(
                "fail",
                f"{what}: the path secret it decrypts is not on the chain from leafSecret "
                f"before the commit secret (RFC 9420 §7.4): {got['path_secret'].hex()}",
            )
    return PASS


def _epoch_name(index: int) -> str:
    return "the epoch joined" if index == 0 else f"epoch {index} after the one joined"


def passive_client(group: Group, case: Case, impl: object) -> Verdict:
    """Join by Welcome (§12.4.3.1), then process each epoch's proposals and commit (§12.1,
    §12.4.2): every epoch_authenticator (§8.7) must be the expected one."""
    got = attempt(
        cast(MlsPassiveClient, impl).mls_passive_client,
        _suite(group),
        case.bytes("keyPackage"),
        case.bytes("signaturePriv"),
        case.bytes("encryptionPriv"),
        case.bytes("initPriv"),
        case.bytes("welcome"),
        case.bytes("ratchetTree"),
        case.bytes("externalPsks"),
        case.bytes("epochs"),
    )
    verdict = judge(case, got, None, "mls_passive_client")
    if not case.valid or verdict.outcome != "pass":
        return verdict
    expected = split_blobs(case.bytes("epochAuthenticators"))
    try:
        answered = split_blobs(cast(bytes, got.value))
    except BlobError as exc:
        return Verdict("fail", f"mls_passive_client: its answer is not a blob ({exc})")
    for index, (want, have) in enumerate(zip(expected, answered, strict=False)):
        if want != have:
            return Verdict(
                "fail", mismatch(f"mls_passive_client, {_epoch_name(index)}", want, have)
            )
    if len(answered) != len(expected):
        first = min(len(answered), len(expected))
        return Verdict(
            "fail",
            f"mls_passive_client: {len(answered)} epoch_authenticators for {len(expected)} "
            f"epochs; {_epoch_name(first)} is "
            + ("missing" if len(answered) < len(expected) else "one too many"),
        )
    return verdict


CHECKS: dict[str, CheckFn] = {
    "MlsDecodeEncode": decode_encode,
    "MlsUnprotect": unprotect,
    "MlsProtect": protect,
    "MlsWelcome": welcome,
    "MlsTreeHash": tree_hash,
    "MlsResolution": resolution,
    "MlsVerifyTree": verify_tree,
    "MlsApplyProposal": apply_proposal,
    "MlsTreeKemReceive": treekem_receive,
    "MlsTreeKemSend": treekem_send,
    "MlsPassiveClient": passive_client,
}
