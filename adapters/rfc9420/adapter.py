"""Stdio adapter for rfc9420, a pure-Python MLS (RFC 9420) over ``cryptography`` and ``rfc9180``.

Runs in its own environment (``rfc9420==1.3.0``) and speaks the adapter protocol through the
bundled host library. It offers the six ``mls-*`` capabilities of
``conformance/capabilities/mls.py`` (the working group's crypto-tier vector categories) for the
seven RFC cipher suites, and the seven of the protocol tier (below), each through the library's
own functions:

- tree math: ``rfc9420.protocol.tree.tree_math`` (node_width, root, level, left, right, parent,
  sibling); -1 where the relation does not exist (a leaf's children, the root's parent and
  sibling: the library would raise ``RFC9420Error`` there).
- crypto basics: ``DefaultCryptoProvider`` (expand_with_label, derive_secret, sign_with_label,
  verify_with_label, hash), ``messages.refs.encode_ref_hash_input`` and
  ``crypto.hpke_labels.encrypt_with_label`` / ``decrypt_with_label``. DeriveTreeSecret has no
  function of its own: it is ``expand_with_label(secret, label, uint32(generation), length)``,
  the call ``SecretTree._ratchet_step`` makes.
- secret tree: ``KeySchedule.sender_data_key_from_sample`` / ``sender_data_nonce_from_sample``
  and ``SecretTree.handshake_for`` / ``application_for``.
- key schedule: ``GroupContext``, ``KeySchedule`` (and its ``export``), and
  ``DefaultCryptoProvider.derive_key_pair(external_secret)`` for external_pub, the call
  ``MLSGroup._update_external_key_pair`` makes.
- PSK secret: one step of ``messages.messages.derive_psk_secret``, composed from the same calls
  (``PreSharedKeyID``, ``PSKLabel``, ``kdf_extract``, ``expand_with_label``), because the
  library's function always starts from the zero secret and runs the whole chain.
- transcript hashes: ``AuthenticatedContent.deserialize``, ``TranscriptState`` and
  ``validate_confirmation_tag``, in the order ``MLSGroup`` applies a commit.

KeySchedule methods that read one secret of the schedule (the exporter, the sender-data key and
nonce) are called on an instance made with ``object.__new__`` and given only that secret and the
provider, as the library's own ``KeySchedule.from_epoch_secret`` makes its instances.

Protocol tier (``conformance/capabilities/mls_protocol.py``), each through the library's own
functions, composed as its own code composes them (the manifest's notes say which):

- messages: ``MLSMessage`` and the structures' ``deserialize`` / ``serialize``; the ratchet tree
  through ``RatchetTree.load_full_tree_from_welcome_bytes`` / ``serialize_full_tree_for_welcome``.
- message protection: ``sign_authenticated_content``, ``attach_membership_tag``,
  ``verify_plaintext``, ``protect_content_*`` / ``unprotect_content_*`` over a ``SecretTree`` of
  two leaves.
- Welcome and passive client: ``MLSGroup.from_welcome`` (``group.mls_group.processing``),
  ``process_proposal``, ``process_commit``, ``get_epoch_authenticator``.
- trees: ``RatchetTree`` (hashes, ``resolve_indices``, ``verify_parent_hash_chains``,
  ``add_leaf`` / ``update_leaf`` / ``remove_leaf``, ``merge_update_path``,
  ``create_update_path``).

Live groups (``mls-group``, ``conformance/capabilities/mls_group.py``) are in ``group.py``,
through ``rfc9420.api.session.MLSGroupSession``; it uses this module's refusal mapping.

Refusals: an unknown cipher suite is Unsupported (``UnsupportedCipherSuiteError``); a signature
that does not verify is InvalidSignature (``InvalidSignatureError``); an HPKE open failure is
AuthenticationFailed (the library's ``InvalidTag``); a key rfc9420 or rfc9180 refuses to decode
is InvalidKey (``RFC9420Error`` from the EC key loaders, rfc9180's ``DeserializeError``,
``ValidationError``, ``EncapError``, ``DecapError``); a confirmation tag that does not verify is
AuthenticationFailed (``CommitValidationError``). In the protocol tier a structure that does not
decode is InvalidMessage, a MAC or AEAD failure AuthenticationFailed, a bad signature
InvalidSignature, and the library's other ``ProtocolError`` / ``CommitValidationError`` refusals
InvalidMessage (what RFC 9420 forbids, conformance/capabilities/mls_protocol.py). Anything else
propagates (an internal error).
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.metadata import version
from typing import Any

from cryptography.exceptions import InvalidTag
from e2ee_host import Refusal, serve
from rfc9180.exceptions import (  # type: ignore[import-untyped,import-not-found,unused-ignore]
    DecapError,
    DeserializeError,
    EncapError,
    OpenError,
    ValidationError,
)
from rfc9420 import DefaultCryptoProvider  # type: ignore[import-untyped,import-not-found,unused-ignore]
from rfc9420.codec.tls import (  # type: ignore[import-untyped,import-not-found,unused-ignore]
    TLSDecodeError,
    read_opaque_varint,
    read_uint16,
    write_opaque_varint,
    write_uint32,
)
from rfc9420.crypto.hpke_labels import (  # type: ignore[import-untyped,import-not-found,unused-ignore]
    decrypt_with_label,
    encrypt_with_label,
)
from rfc9420.group.mls_group.processing import (  # type: ignore[import-untyped,import-not-found,unused-ignore]
    MLSGroup as MLSGroupCore,
)
from rfc9420.messages.data_structures import (  # type: ignore[import-untyped,import-not-found,unused-ignore]
    AddProposal,
    Commit,
    ExternalInitProposal,
    GroupContext,
    GroupContextExtensionsProposal,
    GroupInfo,
    GroupSecrets,
    PreSharedKeyID,
    PreSharedKeyProposal,
    Proposal,
    PSKType,
    ReInitProposal,
    RemoveProposal,
    Sender,
    SenderType,
    UpdatePath,
    UpdateProposal,
    Welcome,
)
from rfc9420.messages.key_packages import (  # type: ignore[import-untyped,import-not-found,unused-ignore]
    KeyPackage,
    LeafNode,
)
from rfc9420.messages.messages import (  # type: ignore[import-untyped,import-not-found,unused-ignore]
    AuthenticatedContent,
    AuthenticatedContentTBS,
    ContentType,
    FramedContent,
    FramedContentAuthData,
    MLSMessage,
    MLSPlaintext,
    PSKLabel,
    WireFormat,
    attach_membership_tag,
    protect_content_application,
    protect_content_handshake,
    sign_application_framed_content,
    sign_authenticated_content,
    unprotect_content_application,
    unprotect_content_handshake,
    verify_plaintext,
)
from rfc9420.messages.refs import encode_ref_hash_input  # type: ignore[import-untyped,import-not-found,unused-ignore]
from rfc9420.mls.exceptions import (  # type: ignore[import-untyped,import-not-found,unused-ignore]
    CommitValidationError,
    InvalidSignatureError,
    MalformedMessageError,
    RFC9420Error,
    UnsupportedCipherSuiteError,
)
from rfc9420.mls.exceptions import (  # type: ignore[import-untyped,import-not-found,unused-ignore]
    ProtocolError as LibraryProtocolError,
)
from rfc9420.protocol import transcripts  # type: ignore[import-untyped,import-not-found,unused-ignore]
from rfc9420.protocol.schedule.key_schedule import KeySchedule  # type: ignore[import-untyped,import-not-found,unused-ignore]
from rfc9420.protocol.tree import tree_math  # type: ignore[import-untyped,import-not-found,unused-ignore]
from rfc9420.protocol.tree.ratchet_tree import RatchetTree  # type: ignore[import-untyped,import-not-found,unused-ignore]
from rfc9420.protocol.tree.secret_tree import SecretTree  # type: ignore[import-untyped,import-not-found,unused-ignore]
from rfc9420.protocol.validations import (  # type: ignore[import-untyped,import-not-found,unused-ignore]
    validate_confirmation_tag,
    validate_proposals_server_rules,
)

_KEY_ERRORS = (DeserializeError, ValidationError, EncapError, DecapError)


def _crypto(cipher_suite: int) -> Any:
    """The library's provider for one suite; a suite it does not know is Unsupported."""
    try:
        return DefaultCryptoProvider(cipher_suite)
    except UnsupportedCipherSuiteError as exc:
        raise Refusal("Unsupported", str(exc)) from exc


def _schedule_holding(crypto: Any, **secrets: bytes) -> Any:
    """A KeySchedule holding only the given secrets (as ``from_epoch_secret`` builds one)."""
    ks = object.__new__(KeySchedule)
    ks._crypto_provider = crypto
    ks._wiped = False
    for name, value in secrets.items():
        setattr(ks, f"_{name}", value)
    return ks


def _ec_key_error(exc: RFC9420Error) -> bool:
    # DefaultCryptoProvider._load_ec_private / _load_ec_public raise plain RFC9420Error.
    return type(exc) is RFC9420Error and "key encoding" in str(exc)


# --- mls-tree-math -------------------------------------------------------------------------


def mls_tree_math(n_leaves: int, node: int) -> dict[str, int]:
    # -1 exactly where Appendix C has no relation (a leaf's children, the root's parent and
    # sibling), decided with the library's own level() and root(); anything the library raises
    # otherwise propagates.
    root = tree_math.root(n_leaves)
    leaf = tree_math.level(node) == 0
    return {
        "n_nodes": tree_math.node_width(n_leaves),
        "root": root,
        "left": -1 if leaf else tree_math.left(node),
        "right": -1 if leaf else tree_math.right(node, n_leaves),
        "parent": -1 if node == root else tree_math.parent(node, n_leaves),
        "sibling": -1 if node == root else tree_math.sibling(node, n_leaves),
    }


# --- mls-crypto-basics ---------------------------------------------------------------------


def mls_ref_hash(cipher_suite: int, label: bytes, value: bytes) -> bytes:
    # RefHash takes its label verbatim (the library's constants carry "MLS 1.0 " themselves).
    return bytes(_crypto(cipher_suite).hash(encode_ref_hash_input(label, value)))


def _expand(crypto: Any, secret: bytes, label: bytes, context: bytes, length: int) -> bytes:
    try:
        return bytes(crypto.expand_with_label(secret, label, context, length))
    except ValueError as exc:
        # rfc9180's KDF refuses a length over 255 * Nh with this ValueError.
        if "exceeds maximum" in str(exc):
            raise Refusal("InvalidInput", str(exc)) from exc
        raise


def mls_expand_with_label(
    cipher_suite: int, secret: bytes, label: bytes, context: bytes, length: int
) -> bytes:
    return _expand(_crypto(cipher_suite), secret, label, context, length)


def mls_derive_secret(cipher_suite: int, secret: bytes, label: bytes) -> bytes:
    return bytes(_crypto(cipher_suite).derive_secret(secret, label))


def mls_derive_tree_secret(
    cipher_suite: int, secret: bytes, label: bytes, generation: int, length: int
) -> bytes:
    # As SecretTree._ratchet_step: ExpandWithLabel(secret, label, uint32(generation), length).
    return _expand(_crypto(cipher_suite), secret, label, write_uint32(generation), length)


def mls_sign_with_label(
    cipher_suite: int, private_key: bytes, label: bytes, content: bytes
) -> bytes:
    crypto = _crypto(cipher_suite)
    try:
        return bytes(crypto.sign_with_label(private_key, label, content))
    except RFC9420Error as exc:
        if _ec_key_error(exc):
            raise Refusal("InvalidKey", str(exc)) from exc
        raise


def mls_verify_with_label(
    cipher_suite: int, public_key: bytes, label: bytes, content: bytes, signature: bytes
) -> None:
    crypto = _crypto(cipher_suite)
    try:
        crypto.verify_with_label(public_key, label, content, signature)
    except InvalidSignatureError as exc:
        raise Refusal("InvalidSignature", str(exc)) from exc
    except RFC9420Error as exc:
        if _ec_key_error(exc):
            raise Refusal("InvalidKey", str(exc)) from exc
        raise


def mls_encrypt_with_label(
    cipher_suite: int, public_key: bytes, label: bytes, context: bytes, plaintext: bytes
) -> dict[str, bytes]:
    crypto = _crypto(cipher_suite)
    try:
        # EncryptWithLabel seals with empty aad (RFC 9420 §5.1.3).
        kem_output, ciphertext = encrypt_with_label(
            crypto, public_key, label, context, b"", plaintext
        )
    except _KEY_ERRORS as exc:
        raise Refusal("InvalidKey", f"{type(exc).__name__}: {exc}") from exc
    return {"kem_output": bytes(kem_output), "ciphertext": bytes(ciphertext)}


def mls_decrypt_with_label(
    cipher_suite: int,
    private_key: bytes,
    label: bytes,
    context: bytes,
    kem_output: bytes,
    ciphertext: bytes,
) -> bytes:
    crypto = _crypto(cipher_suite)
    try:
        return bytes(
            decrypt_with_label(crypto, private_key, kem_output, label, context, b"", ciphertext)
        )
    except InvalidTag as exc:  # the library's mapping of rfc9180's OpenError
        raise Refusal("AuthenticationFailed", "HPKE open failed") from exc
    except _KEY_ERRORS as exc:
        raise Refusal("InvalidKey", f"{type(exc).__name__}: {exc}") from exc


# --- mls-secret-tree -----------------------------------------------------------------------


def mls_sender_data_keys(
    cipher_suite: int, sender_data_secret: bytes, ciphertext: bytes
) -> dict[str, bytes]:
    crypto = _crypto(cipher_suite)
    # As unprotect_content_*: the sample is ciphertext[:KDF.Nh].
    sample = ciphertext[: crypto.kdf_hash_len()]
    ks = _schedule_holding(crypto, sender_data_secret=sender_data_secret)
    return {
        "key": bytes(ks.sender_data_key_from_sample(sample)),
        "nonce": bytes(ks.sender_data_nonce_from_sample(sample)),
    }


def mls_leaf_keys(
    cipher_suite: int, encryption_secret: bytes, n_leaves: int, leaf: int, generation: int
) -> dict[str, bytes]:
    crypto = _crypto(cipher_suite)

    def tree() -> Any:
        # A fresh tree per ratchet, as a receiver's; the generation gap (default 1000) is
        # widened so that any generation can be asked for.
        return SecretTree(
            encryption_secret, crypto, n_leaves=n_leaves, max_generation_gap=generation + 1
        )

    hs_key, hs_nonce, _ = tree().handshake_for(leaf, generation)
    app_key, app_nonce, _ = tree().application_for(leaf, generation)
    return {
        "handshake_key": bytes(hs_key),
        "handshake_nonce": bytes(hs_nonce),
        "application_key": bytes(app_key),
        "application_nonce": bytes(app_nonce),
    }


# --- mls-key-schedule ----------------------------------------------------------------------


def mls_group_context(
    cipher_suite: int,
    group_id: bytes,
    epoch: int,
    tree_hash: bytes,
    confirmed_transcript_hash: bytes,
    extensions: bytes,
) -> bytes:
    _crypto(cipher_suite)
    # ``extensions`` is the serialised Extension vector with its length prefix; the library's
    # GroupContext holds the vector's content and writes the prefix itself.
    try:
        content, end = read_opaque_varint(extensions, 0)
    except TLSDecodeError as exc:
        raise Refusal("InvalidInput", f"extensions: {exc}") from exc
    if end != len(extensions):
        raise Refusal("InvalidInput", "extensions: bytes after the extension vector")
    gc = GroupContext(
        group_id, epoch, tree_hash, confirmed_transcript_hash, content, cipher_suite_id=cipher_suite
    )
    return bytes(gc.serialize())


def mls_key_schedule(
    cipher_suite: int,
    init_secret: bytes,
    commit_secret: bytes,
    psk_secret: bytes,
    group_context: bytes,
) -> dict[str, bytes]:
    crypto = _crypto(cipher_suite)
    try:
        # Lax: trailing bytes are ignored and a missing extensions field reads as empty; the
        # schedule then uses the re-serialised GroupContext.
        gc = GroupContext.deserialize(group_context)
    except TLSDecodeError as exc:
        raise Refusal("InvalidMessage", f"GroupContext: {exc}") from exc
    ks = KeySchedule(init_secret, commit_secret, gc, psk_secret, crypto)
    _, external_pub = crypto.derive_key_pair(ks.external_secret)
    return {
        "joiner_secret": bytes(ks.joiner_secret),
        "welcome_secret": bytes(ks.welcome_secret),
        "init_secret": bytes(ks.init_secret),
        "sender_data_secret": bytes(ks.sender_data_secret),
        "encryption_secret": bytes(ks.encryption_secret),
        "exporter_secret": bytes(ks.exporter_secret),
        "epoch_authenticator": bytes(ks.epoch_authenticator),
        "external_secret": bytes(ks.external_secret),
        "confirmation_key": bytes(ks.confirmation_key),
        "membership_key": bytes(ks.membership_key),
        "resumption_psk": bytes(ks.resumption_psk),
        "external_pub": bytes(external_pub),
    }


def mls_export(
    cipher_suite: int, exporter_secret: bytes, label: bytes, context: bytes, length: int
) -> bytes:
    crypto = _crypto(cipher_suite)
    ks = _schedule_holding(crypto, exporter_secret=exporter_secret)
    return bytes(ks.export(label, context, length))


# --- mls-psk-secret ------------------------------------------------------------------------


def mls_psk_secret_step(
    cipher_suite: int,
    previous: bytes,
    psk_id: bytes,
    psk: bytes,
    psk_nonce: bytes,
    index: int,
    count: int,
) -> bytes:
    crypto = _crypto(cipher_suite)
    hash_len = crypto.kdf_hash_len()
    pid = PreSharedKeyID(PSKType.EXTERNAL, psk_id=psk_id, psk_nonce=psk_nonce)
    # The loop body of derive_psk_secret, including its fallback for an empty PSK value.
    psk_val = psk if psk else crypto.kdf_extract(b"psk", pid.serialize())
    psk_extracted = crypto.kdf_extract(bytes(hash_len), psk_val)
    label = PSKLabel(psk_id=pid, index=index, count=count)
    psk_input = crypto.expand_with_label(psk_extracted, b"derived psk", label.serialize(), hash_len)
    return bytes(crypto.kdf_extract(psk_input, previous))


# --- mls-transcript-hashes -----------------------------------------------------------------


def mls_transcript_hashes(
    cipher_suite: int,
    confirmation_key: bytes,
    authenticated_content: bytes,
    interim_transcript_hash_before: bytes,
) -> dict[str, bytes]:
    crypto = _crypto(cipher_suite)
    # AuthenticatedContent = wire_format || FramedContent || FramedContentAuthData; the library
    # parses the part after wire_format (a PublicMessage body) and takes wire_format apart.
    try:
        wire_format, off = read_uint16(authenticated_content, 0)
        content = AuthenticatedContent.deserialize(
            authenticated_content[off:], wire_format=wire_format
        )
    except TLSDecodeError as exc:  # the library's decode error; anything else propagates
        raise Refusal("InvalidMessage", f"AuthenticatedContent: {exc}") from exc
    if content.membership_tag is not None:
        raise Refusal("InvalidMessage", "bytes after the AuthenticatedContent")
    tag = content.confirmation_tag
    if not tag:
        raise Refusal("InvalidMessage", "no confirmation tag (not a commit)")
    state = transcripts.TranscriptState(crypto, interim=interim_transcript_hash_before)
    confirmed = state.update_with_handshake(MLSPlaintext(content))
    try:
        # As MLSGroup applies a commit: compute, finalise, then check the sender's tag.
        state.finalize_confirmed(state.compute_confirmation_tag(confirmation_key))
        validate_confirmation_tag(crypto, confirmation_key, confirmed, tag)
    except CommitValidationError as exc:
        raise Refusal("AuthenticationFailed", str(exc)) from exc
    return {
        "confirmed_transcript_hash": bytes(state.confirmed),
        "interim_transcript_hash": bytes(state.interim),
    }


# --- protocol tier: shared helpers ----------------------------------------------------------

#: Errors rfc9420's decoders raise on malformed input: its TLSDecodeError (a
#: MalformedMessageError), plain RFC9420Error ("Unknown proposal type"), ValueError (an IntEnum
#: given an unknown value, KeyPackage's "trailing bytes"), and struct/index errors from slicing.
_DECODE_ERRORS = (MalformedMessageError, RFC9420Error, ValueError, IndexError, struct.error)


def _protocol_error(text: str) -> Refusal:
    """What RFC 9420 forbids beyond the narrower kinds: InvalidMessage."""
    return Refusal("InvalidMessage", text)


def _refuse_decode(what: str, exc: Exception) -> Refusal:
    return Refusal("InvalidMessage", f"{what}: {type(exc).__name__}: {exc}")


def _tree(crypto: Any, tree: bytes, rand: Any = None) -> Any:
    """The library's array ratchet tree loaded from ``optional<Node> ratchet_tree<V>``."""
    rt = RatchetTree(crypto, rand)
    try:
        rt.load_full_tree_from_welcome_bytes(tree)
    except _DECODE_ERRORS as exc:
        raise _refuse_decode("ratchet tree", exc) from exc
    return rt


def _mls_message(data: bytes, *wire_formats: int) -> Any:
    """MLSMessage.deserialize and get_parsed_content, refused unless of ``wire_formats``."""
    try:
        msg = MLSMessage.deserialize(data)
        body = msg.get_parsed_content()
    except _DECODE_ERRORS as exc:
        raise _refuse_decode("MLSMessage", exc) from exc
    if wire_formats and int(msg.wire_format) not in wire_formats:
        raise Refusal("InvalidMessage", f"unexpected wire_format {int(msg.wire_format)}")
    return msg, body


# --- mls-messages ----------------------------------------------------------------------------


def _encode_mls_message(data: bytes) -> bytes:
    msg, body = _mls_message(data)
    return bytes(MLSMessage(msg.version, msg.wire_format, body.serialize()).serialize())


def _encode_ratchet_tree(data: bytes) -> bytes:
    # The codec hashes the tree as it loads it; the suite is irrelevant to the encoding.
    return bytes(_tree(DefaultCryptoProvider(1), data).serialize_full_tree_for_welcome())


def _body(cls: Any) -> Any:
    # A proposal body: the library's Proposal subclasses parse the body and serialise with
    # the uint16 ProposalType in front.
    return lambda data: bytes(cls.deserialize(data).serialize()[2:])


def _whole(cls: Any) -> Any:
    return lambda data: bytes(cls.deserialize(data).serialize())


def _partial(cls: Any) -> Any:
    def codec(data: bytes) -> bytes:
        obj, consumed = cls.deserialize_partial(data)
        if consumed != len(data):
            raise Refusal(
                "InvalidMessage", f"{len(data) - consumed} bytes after the {cls.__name__}"
            )
        return bytes(obj.serialize())

    return codec


_CODECS: dict[str, Any] = {
    "MLSMessage": _encode_mls_message,
    "RatchetTree": _encode_ratchet_tree,
    "GroupSecrets": _whole(GroupSecrets),
    "Add": _body(AddProposal),
    "Update": _body(UpdateProposal),
    "Remove": _body(RemoveProposal),
    "PreSharedKey": _body(PreSharedKeyProposal),
    "ReInit": _body(ReInitProposal),
    "ExternalInit": _body(ExternalInitProposal),
    "GroupContextExtensions": _body(GroupContextExtensionsProposal),
    "Proposal": _whole(Proposal),
    "Commit": _whole(Commit),
    "UpdatePath": _whole(UpdatePath),
    "LeafNode": _partial(LeafNode),
    "KeyPackage": _whole(KeyPackage),
    "GroupInfo": _whole(GroupInfo),
    "Welcome": _whole(Welcome),
}


def mls_decode_encode(structure: bytes, data: bytes) -> bytes:
    codec = _CODECS.get(structure.decode("ascii", "replace"))
    if codec is None:
        raise Refusal("Unsupported", f"structure {structure!r} is not modelled")
    try:
        return bytes(codec(data))
    except _DECODE_ERRORS as exc:
        raise _refuse_decode(structure.decode("ascii", "replace"), exc) from exc


# --- mls-message-protection --------------------------------------------------------------------


class _Group:
    """The two-member group of the Message Protection vectors, as rfc9420's objects: its
    GroupContext, a KeySchedule holding sender_data_secret, and a SecretTree of two leaves."""

    def __init__(
        self,
        cipher_suite: int,
        group_id: bytes,
        epoch: int,
        tree_hash: bytes,
        confirmed_transcript_hash: bytes,
        encryption_secret: bytes,
        sender_data_secret: bytes,
        membership_key: bytes,
    ) -> None:
        self.crypto = _crypto(cipher_suite)
        self.group_id, self.epoch, self.membership_key = group_id, epoch, membership_key
        self.context = bytes(
            GroupContext(
                group_id,
                epoch,
                tree_hash,
                confirmed_transcript_hash,
                b"",
                cipher_suite_id=cipher_suite,
            ).serialize()
        )
        self.confirmed_transcript_hash = confirmed_transcript_hash
        self.schedule = _schedule_holding(self.crypto, sender_data_secret=sender_data_secret)
        self.secrets = SecretTree(encryption_secret, self.crypto, n_leaves=2)


_SENDER = 1


def mls_protect(
    cipher_suite: int,
    group_id: bytes,
    epoch: int,
    tree_hash: bytes,
    confirmed_transcript_hash: bytes,
    signature_priv: bytes,
    encryption_secret: bytes,
    sender_data_secret: bytes,
    membership_key: bytes,
    wire_format: int,
    content_type: int,
    content: bytes,
) -> bytes:
    g = _Group(
        cipher_suite,
        group_id,
        epoch,
        tree_hash,
        confirmed_transcript_hash,
        encryption_secret,
        sender_data_secret,
        membership_key,
    )
    ctype = ContentType(content_type)
    # No confirmation_key is given: a commit's tag is the provider's MAC of the confirmed
    # transcript hash under the membership key, a stand-in the receiver does not check.
    tag = bytes(g.crypto.hmac_sign(membership_key, confirmed_transcript_hash))
    if wire_format == WireFormat.PUBLIC_MESSAGE:
        try:
            pt = sign_authenticated_content(
                group_id,
                epoch,
                _SENDER,
                b"",
                ctype,
                content,
                signature_priv,
                g.crypto,
                group_context=g.context,
                wire_format=WireFormat.PUBLIC_MESSAGE,
            )
        except ValueError as exc:  # application content as a PublicMessage (§6.2)
            raise Refusal("InvalidInput", str(exc)) from exc
        if ctype == ContentType.COMMIT:
            # As MLSGroup.create_commit: the signed content with the tag in its auth data.
            auth = FramedContentAuthData(pt.auth_content.signature, tag)
            pt = MLSPlaintext(AuthenticatedContent(pt.auth_content.tbs, auth))
        pt = attach_membership_tag(pt, membership_key, g.crypto)
        return bytes(MLSMessage.from_public_message(pt.auth_content).serialize())
    if wire_format != WireFormat.PRIVATE_MESSAGE:
        raise Refusal("InvalidInput", f"wire_format {wire_format}")
    if ctype == ContentType.APPLICATION:
        # As MLSGroup.protect with a signing key.
        sig = sign_application_framed_content(
            group_id,
            epoch,
            _SENDER,
            b"",
            write_opaque_varint(content),
            g.context,
            signature_priv,
            g.crypto,
        )
        ct = protect_content_application(
            group_id, epoch, _SENDER, b"", content, sig, g.schedule, g.secrets, g.crypto
        )
    else:
        signed = sign_authenticated_content(
            group_id,
            epoch,
            _SENDER,
            b"",
            ctype,
            content,
            signature_priv,
            g.crypto,
            group_context=g.context,
            wire_format=WireFormat.PRIVATE_MESSAGE,
        )
        ct = protect_content_handshake(
            group_id,
            epoch,
            _SENDER,
            b"",
            content,
            signed.auth_content.signature,
            g.schedule,
            g.secrets,
            g.crypto,
            confirmation_tag=tag if ctype == ContentType.COMMIT else None,
            content_type=ctype,
        )
    return bytes(MLSMessage.from_private_message(ct).serialize())


def _verify_framed(
    g: _Group, signature_pub: bytes, framed: Any, auth: Any, wire_format: int, tag_key: Any
) -> None:
    plaintext = MLSPlaintext(
        AuthenticatedContent(AuthenticatedContentTBS(wire_format, framed), auth, None)
    )
    verify_plaintext(plaintext, signature_pub, tag_key, g.crypto, group_context=g.context)


def _unprotect_one(g: _Group, signature_pub: bytes, data: bytes) -> dict[str, Any]:
    msg, body = _mls_message(data, WireFormat.PUBLIC_MESSAGE, WireFormat.PRIVATE_MESSAGE)
    if msg.wire_format == WireFormat.PUBLIC_MESSAGE:
        framed = body.tbs.framed_content
        if framed.sender.sender_type != SenderType.MEMBER or framed.sender.sender != _SENDER:
            raise _protocol_error(f"sender {framed.sender} is not leaf {_SENDER}")
        if framed.content_type == ContentType.APPLICATION:
            # The library's API reads a PublicMessage only as a proposal or a commit; it
            # reads application data only from a PrivateMessage (unprotect_application).
            raise _protocol_error("application data in a PublicMessage (§6.2)")
        # As MLSGroup.process_proposal / process_commit for a member sender.
        verify_plaintext(
            MLSPlaintext(body), signature_pub, g.membership_key, g.crypto, group_context=g.context
        )
        return {"content_type": int(framed.content_type), "content": bytes(framed.content)}
    if body.content_type == ContentType.APPLICATION:
        sender, content, auth = unprotect_content_application(body, g.schedule, g.secrets, g.crypto)
    else:
        sender, content, auth = unprotect_content_handshake(body, g.schedule, g.secrets, g.crypto)
    if sender != _SENDER:
        raise _protocol_error(f"sender leaf {sender} is not leaf {_SENDER}")
    # As MLSGroup.unprotect: the FramedContentTBS rebuilt from the decrypted content.
    framed = FramedContent(
        body.group_id,
        body.epoch,
        Sender(sender, SenderType.MEMBER),
        body.authenticated_data,
        body.content_type,
        content,
    )
    _verify_framed(g, signature_pub, framed, auth, WireFormat.PRIVATE_MESSAGE, None)
    return {"content_type": int(body.content_type), "content": bytes(content)}


def mls_unprotect(
    cipher_suite: int,
    group_id: bytes,
    epoch: int,
    tree_hash: bytes,
    confirmed_transcript_hash: bytes,
    signature_pub: bytes,
    encryption_secret: bytes,
    sender_data_secret: bytes,
    membership_key: bytes,
    messages: bytes,
) -> dict[str, Any]:
    g = _Group(
        cipher_suite,
        group_id,
        epoch,
        tree_hash,
        confirmed_transcript_hash,
        encryption_secret,
        sender_data_secret,
        membership_key,
    )
    items = _blobs(messages)
    if not items:
        raise Refusal("InvalidInput", "no messages")
    result: dict[str, Any] = {}
    for item in items:
        with _refusals():
            result = _unprotect_one(g, signature_pub, item)
    return result


# --- mls-welcome -------------------------------------------------------------------------------


def _welcome_group(
    crypto: Any, init_priv: bytes, key_package: bytes, welcome: bytes, **kwargs: Any
) -> tuple[Any, Any]:
    _, kp = _mls_message(key_package, WireFormat.KEY_PACKAGE)
    _, wel = _mls_message(welcome, WireFormat.WELCOME)
    with _refusals():
        group = MLSGroupCore.from_welcome(wel, init_priv, crypto, key_package=kp, **kwargs)
    return group, wel


def mls_process_welcome(
    cipher_suite: int, init_priv: bytes, key_package: bytes, signer_pub: bytes, welcome: bytes
) -> dict[str, bytes]:
    crypto = _crypto(cipher_suite)
    group, wel = _welcome_group(crypto, init_priv, key_package, welcome)
    ks = group._key_schedule
    # from_welcome verifies the GroupInfo signature only with keys found in its ratchet_tree
    # or external_pub extension; with signer_pub given, the GroupInfo is opened again with the
    # calls from_welcome makes and verified as it verifies.
    key = crypto.expand_with_label(ks.welcome_secret, b"key", b"", crypto.aead_key_size())
    nonce = crypto.expand_with_label(ks.welcome_secret, b"nonce", b"", crypto.aead_nonce_size())
    with _refusals():
        gi = GroupInfo.deserialize(crypto.aead_decrypt(key, nonce, wel.encrypted_group_info, b""))
        crypto.verify_with_label(
            signer_pub, b"GroupInfoTBS", gi.tbs_serialize(), gi.signature.value
        )
    return {
        "group_context": bytes(group._group_context.serialize()),
        "epoch_authenticator": bytes(group.get_epoch_authenticator()),
    }


# --- mls-tree-validation -----------------------------------------------------------------------


def _node(rt: Any, node: int) -> int:
    if not 0 <= node < rt.node_width():
        raise Refusal("InvalidInput", f"node {node} is outside the tree of {rt.node_width()} nodes")
    return node


def mls_tree_hash(cipher_suite: int, tree: bytes, node: int) -> bytes:
    rt = _tree(_crypto(cipher_suite), tree)
    rt._ensure_hash_bottom_up(_node(rt, node))
    return bytes(rt.get_node(node).hash)


def mls_resolution(cipher_suite: int, tree: bytes, node: int) -> bytes:
    rt = _tree(_crypto(cipher_suite), tree)
    return b"".join(write_uint32(i) for i in rt.resolve_indices(_node(rt, node)))


def mls_verify_tree(cipher_suite: int, group_id: bytes, tree: bytes) -> None:
    crypto = _crypto(cipher_suite)
    rt = _tree(crypto, tree)
    # The checks MLSGroup.from_welcome makes of a received tree, in its order.
    with _refusals():
        rt.verify_parent_hash_chains()
        for leaf in range(rt.n_leaves):
            node = rt.get_node(leaf * 2)
            stated = node.leaf_node.parent_hash if node.leaf_node else b""
            if stated and rt._compute_parent_hash_for_leaf(leaf) != stated:
                raise CommitValidationError(f"invalid parent_hash for leaf {leaf}")
        for leaf in range(rt.n_leaves):
            node = rt.get_node(leaf * 2)
            if node.leaf_node:
                try:
                    node.leaf_node.validate(crypto, group_id=group_id, leaf_index=leaf)
                except ValueError as exc:
                    raise CommitValidationError(f"LeafNode at leaf {leaf}: {exc}") from exc


# --- mls-tree-operations -----------------------------------------------------------------------


def mls_apply_proposal(
    cipher_suite: int, tree: bytes, proposal: bytes, sender: int
) -> dict[str, bytes]:
    crypto = _crypto(cipher_suite)
    rt = _tree(crypto, tree)
    try:
        prop = Proposal.deserialize(proposal)
        # As MLSGroup's commit processing does (processing.py): the proposal rules of §12.2
        # (a Remove must name a non-blank leaf inside the tree), then the tree edit it makes.
        try:
            validate_proposals_server_rules(
                [prop],
                sender,
                rt.n_leaves,
                ratchet_tree=rt,
                kdf_hash_len=crypto.kdf_hash_len(),
                allow_reinit_psk=False,
                allow_branch_psk=False,
                current_version=None,
            )
        except CommitValidationError as exc:
            raise _protocol_error(str(exc)) from exc
        if isinstance(prop, AddProposal):
            rt.add_leaf(KeyPackage.deserialize(prop.key_package))
        elif isinstance(prop, UpdateProposal):
            rt.update_leaf(sender, LeafNode.deserialize(prop.leaf_node))
        elif isinstance(prop, RemoveProposal):
            rt.remove_leaf(prop.removed)
        else:
            raise Refusal("InvalidInput", f"{type(prop).__name__} does not change the tree")
    except _DECODE_ERRORS as exc:
        raise _refuse_decode("Proposal", exc) from exc
    return {
        "tree": bytes(rt.serialize_full_tree_for_welcome()),
        "tree_hash": bytes(rt.calculate_tree_hash()),
    }


# --- mls-treekem -------------------------------------------------------------------------------


class _OpenRecorder(DefaultCryptoProvider):  # type: ignore[misc]
    """The library's provider, keeping what each HPKE open returns: merge_update_path decrypts
    the path secret through it and keeps the value to itself."""

    def __init__(self, cipher_suite: int) -> None:
        super().__init__(cipher_suite)
        self.opened: list[bytes] = []

    def hpke_open(self, *args: Any, **kwargs: Any) -> bytes:
        plaintext = bytes(super().hpke_open(*args, **kwargs))
        self.opened.append(plaintext)
        return plaintext


class _FixedRand:
    """A RandProvider whose first draw is ``first`` (the path secret create_update_path draws)."""

    def __init__(self, first: bytes) -> None:
        self.first: bytes | None = first

    def random_bytes(self, length: int) -> bytes:
        if self.first is not None:
            out, self.first = self.first, None
            if len(out) != length:
                raise Refusal("InvalidInput", f"leaf_secret of {len(out)} bytes, not {length}")
            return out
        return os.urandom(length)


def _provisional_context(
    cipher_suite: int, group_id: bytes, epoch: int, confirmed_transcript_hash: bytes
) -> bytes:
    # merge_update_path / create_update_path replace tree_hash with the merged tree's.
    return bytes(
        GroupContext(
            group_id, epoch, b"", confirmed_transcript_hash, b"", cipher_suite_id=cipher_suite
        ).serialize()
    )


def mls_treekem_receive(
    cipher_suite: int,
    group_id: bytes,
    epoch: int,
    confirmed_transcript_hash: bytes,
    tree: bytes,
    receiver: int,
    encryption_priv: bytes,
    path_secrets: bytes,
    sender: int,
    update_path: bytes,
) -> dict[str, bytes]:
    _crypto(cipher_suite)
    crypto = _OpenRecorder(cipher_suite)
    rt = _tree(crypto, tree)
    rt.get_node(receiver * 2).private_key = encryption_priv
    for item in _blobs(path_secrets):
        node, secret = int.from_bytes(item[:4], "big"), item[4:]
        # The node key pair from a path secret, as apply_joiner_path_secret derives it.
        priv, _ = crypto.derive_key_pair(crypto.derive_secret(secret, b"node"))
        rt.get_node(node).private_key = priv
    try:
        path = UpdatePath.deserialize(update_path)
    except _DECODE_ERRORS as exc:
        raise _refuse_decode("UpdatePath", exc) from exc
    gc = _provisional_context(cipher_suite, group_id, epoch, confirmed_transcript_hash)
    crypto.opened.clear()
    with _refusals():
        commit_secret = rt.merge_update_path(path, sender, gc)
    return {
        "path_secret": crypto.opened[-1],
        "commit_secret": bytes(commit_secret),
        "tree_hash_after": bytes(rt.calculate_tree_hash()),
    }


def mls_treekem_send(
    cipher_suite: int,
    group_id: bytes,
    epoch: int,
    confirmed_transcript_hash: bytes,
    tree: bytes,
    sender: int,
    signature_priv: bytes,
    leaf_secret: bytes,
) -> dict[str, bytes]:
    crypto = _crypto(cipher_suite)
    rt = _tree(crypto, tree, _FixedRand(leaf_secret))
    leaf = rt.get_node(sender * 2).leaf_node
    if leaf is None:
        raise Refusal("InvalidInput", f"leaf {sender} is blank")
    gc = _provisional_context(cipher_suite, group_id, epoch, confirmed_transcript_hash)
    # As MLSGroup.create_commit without an Update: the committer's current LeafNode.
    # signature_priv is unused: create_update_path does not re-sign the leaf.
    with _refusals():
        path, commit_secret, _ = rt.create_update_path(sender, leaf, gc)
    return {
        "update_path": bytes(path.serialize()),
        "commit_secret": bytes(commit_secret),
        "tree_hash_after": bytes(rt.calculate_tree_hash()),
    }


# --- mls-passive-client ------------------------------------------------------------------------


def _handshake(group: Any, data: bytes, commit: bool) -> None:
    msg, body = _mls_message(data, WireFormat.PUBLIC_MESSAGE, WireFormat.PRIVATE_MESSAGE)
    if msg.wire_format == WireFormat.PRIVATE_MESSAGE:
        # MLSGroup decrypts only application PrivateMessages (MLSGroup.unprotect).
        raise Refusal(
            "Unsupported", "rfc9420's MLSGroup does not process handshake PrivateMessages"
        )
    pt = MLSPlaintext(body)
    sender = body.tbs.framed_content.sender
    with _refusals():
        if not commit:
            group.process_proposal(pt, sender, wire_format=int(msg.wire_format))
        elif sender.sender_type == SenderType.NEW_MEMBER_COMMIT:
            group.process_external_commit(pt)
        else:
            group.process_commit(pt, sender.sender)


def mls_passive_client(
    cipher_suite: int,
    key_package: bytes,
    signature_priv: bytes,
    encryption_priv: bytes,
    init_priv: bytes,
    welcome: bytes,
    ratchet_tree: bytes,
    external_psks: bytes,
    epochs: bytes,
) -> bytes:
    if ratchet_tree:
        # from_welcome takes the tree only from the GroupInfo's ratchet_tree extension.
        raise Refusal("Unsupported", "rfc9420 cannot join with an out-of-band ratchet tree")
    crypto = _crypto(cipher_suite)
    items = _blobs(external_psks)
    if len(items) % 2:
        raise Refusal("InvalidInput", "external_psks does not alternate psk_id and psk")
    psks = dict(zip(items[0::2], items[1::2], strict=True))

    def resolve(psk_id: Any) -> bytes | None:
        return psks.get(bytes(psk_id.psk_id or b""))

    group, _ = _welcome_group(
        crypto,
        init_priv,
        key_package,
        welcome,
        welcome_psk_resolver=resolve,
        encryption_private_key=encryption_priv,
    )
    group.set_external_psk_provider(resolve)
    out = [bytes(group.get_epoch_authenticator())]
    for epoch in _blobs(epochs):
        messages = _blobs(epoch)
        if not messages:
            raise Refusal("InvalidInput", "an epoch without a commit")
        for proposal in messages[:-1]:
            _handshake(group, proposal, commit=False)
        _handshake(group, messages[-1], commit=True)
        out.append(bytes(group.get_epoch_authenticator()))
    return join_blobs(out)


# --- protocol tier: blobs and refusals ---------------------------------------------------------


def join_blobs(items: list[bytes]) -> bytes:
    """Each item preceded by its length as a uint32 (the suite's blob encoding)."""
    return b"".join(len(i).to_bytes(4, "big") + i for i in items)


def _blobs(blob: bytes) -> list[bytes]:
    items, at = [], 0
    while at < len(blob):
        n = int.from_bytes(blob[at : at + 4], "big")
        if at + 4 > len(blob) or at + 4 + n > len(blob):
            raise Refusal("InvalidInput", f"a blob item at byte {at} runs past the end")
        items.append(bytes(blob[at + 4 : at + 4 + n]))
        at += 4 + n
    return items


@contextmanager
def _refusals() -> Iterator[None]:
    """The library's exceptions as the suite's refusal kinds."""
    try:
        yield
    except Refusal:
        raise
    except InvalidSignatureError as exc:
        # verify_plaintext raises it for a bad membership tag too.
        kind = "AuthenticationFailed" if "membership tag" in str(exc) else "InvalidSignature"
        raise Refusal(kind, str(exc)) from exc
    except (InvalidTag, OpenError) as exc:
        raise Refusal("AuthenticationFailed", f"AEAD or HPKE open failed: {exc}") from exc
    except CommitValidationError as exc:
        # from_welcome wraps the HPKE failure of every EncryptedGroupSecrets in this error.
        if "confirmation" in str(exc).lower() or isinstance(exc.__cause__, (InvalidTag, OpenError)):
            raise Refusal("AuthenticationFailed", str(exc)) from exc
        raise _protocol_error(str(exc)) from exc
    except LibraryProtocolError as exc:
        raise _protocol_error(f"{type(exc).__name__}: {exc}") from exc
    except UnsupportedCipherSuiteError as exc:
        raise Refusal("Unsupported", str(exc)) from exc
    except (EncapError, DecapError) as exc:
        # DHKEM's refusal of an all-zero shared secret (RFC 9180 §7.1.4): a low-order key.
        raise Refusal("InvalidKey", f"HPKE: {exc}") from exc
    except _DECODE_ERRORS as exc:
        raise _refuse_decode("message", exc) from exc


CAPABILITIES = [
    "mls-tree-math",
    "mls-crypto-basics",
    "mls-secret-tree",
    "mls-key-schedule",
    "mls-psk-secret",
    "mls-transcript-hashes",
    "mls-messages",
    "mls-message-protection",
    "mls-welcome",
    "mls-tree-validation",
    "mls-tree-operations",
    "mls-treekem",
    "mls-passive-client",
]

HANDLERS = {
    "mls-tree-math.mls_tree_math": mls_tree_math,
    "mls-crypto-basics.mls_ref_hash": mls_ref_hash,
    "mls-crypto-basics.mls_expand_with_label": mls_expand_with_label,
    "mls-crypto-basics.mls_derive_secret": mls_derive_secret,
    "mls-crypto-basics.mls_derive_tree_secret": mls_derive_tree_secret,
    "mls-crypto-basics.mls_sign_with_label": mls_sign_with_label,
    "mls-crypto-basics.mls_verify_with_label": mls_verify_with_label,
    "mls-crypto-basics.mls_encrypt_with_label": mls_encrypt_with_label,
    "mls-crypto-basics.mls_decrypt_with_label": mls_decrypt_with_label,
    "mls-secret-tree.mls_sender_data_keys": mls_sender_data_keys,
    "mls-secret-tree.mls_leaf_keys": mls_leaf_keys,
    "mls-key-schedule.mls_group_context": mls_group_context,
    "mls-key-schedule.mls_key_schedule": mls_key_schedule,
    "mls-key-schedule.mls_export": mls_export,
    "mls-psk-secret.mls_psk_secret_step": mls_psk_secret_step,
    "mls-transcript-hashes.mls_transcript_hashes": mls_transcript_hashes,
    "mls-messages.mls_decode_encode": mls_decode_encode,
    "mls-message-protection.mls_protect": mls_protect,
    "mls-message-protection.mls_unprotect": mls_unprotect,
    "mls-welcome.mls_process_welcome": mls_process_welcome,
    "mls-tree-validation.mls_tree_hash": mls_tree_hash,
    "mls-tree-validation.mls_resolution": mls_resolution,
    "mls-tree-validation.mls_verify_tree": mls_verify_tree,
    "mls-tree-operations.mls_apply_proposal": mls_apply_proposal,
    "mls-treekem.mls_treekem_receive": mls_treekem_receive,
    "mls-treekem.mls_treekem_send": mls_treekem_send,
    "mls-passive-client.mls_passive_client": mls_passive_client,
}


if __name__ == "__main__":
    # Imported here: group.py imports this module's helpers (as ``adapter``).
    from group import HANDLERS as GROUP_HANDLERS  # type: ignore[import-not-found,unused-ignore]

    serve(
        {
            "name": "rfc9420",
            "implementation": "rfc9420 (pure-Python MLS)",
            "version": f"rfc9420 {version('rfc9420')}, rfc9180 {version('rfc9180')}, "
            f"cryptography {version('cryptography')}",
            "capabilities": [*CAPABILITIES, "mls-group"],
        },
        {**HANDLERS, **GROUP_HANDLERS},
    )
