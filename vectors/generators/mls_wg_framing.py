"""Write MLS protocol-tier test vectors in the MLS working group's JSON format
(mlswg/mls-implementations, test-vectors.md, RFC-era field names): messages.json,
message-protection.json and welcome.json, two entries per cipher suite (RFC 9420 §17.1,
suites 1-7), every structure made by the suite's reference (conformance/reference/mls: key
packages §10, leaf nodes §7.2, GroupInfo and Welcome §12.4.3.1, framing §6).

Each entry is one small group: Alice (leaf 0) creates it and welcomes Bob (leaf 1) with his
key package; the tree is [Alice, blank, Bob] and its tree hash (§7.8) is the GroupContext's;
the epoch's secrets are the key schedule's from a drawn joiner_secret (no PSKs, §8), so the
framed messages of messages.json are real messages of the epoch Bob joins. Binary values are
lowercase hex, keys raw as the working group's files have them.

Deterministic for a byte source: ECDSA signatures use RFC 6979 nonces and HPKE ephemerals,
reuse guards and padding come from ``random``. Usage: ``python
vectors/generators/mls_wg_framing.py OUTDIR``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_ROOT = Path(__file__).resolve().parent.parent.parent
if str(_ROOT) not in sys.path:
    sys.path.insert(0, str(_ROOT))

from conformance.reference.mls import wire  # noqa: E402
from conformance.reference.mls.aead import PycaAead  # noqa: E402
from conformance.reference.mls.ciphersuites import SUITES, CipherSuite  # noqa: E402
from conformance.reference.mls.crypto import ref_hash  # noqa: E402
from conformance.reference.mls.framing import (  # noqa: E402
    Epoch,
    authenticated_content,
    protect_private,
    protect_public,
)
from conformance.reference.mls.hpke_binding import ReferenceHpke  # noqa: E402
from conformance.reference.mls.key_package import key_package, signed_leaf_node  # noqa: E402
from conformance.reference.mls.protocol_framing import MlsFramingReference  # noqa: E402
from conformance.reference.mls.pyca import PycaSignatures  # noqa: E402
from conformance.reference.mls.ratchet_tree import RatchetTree  # noqa: E402
from conformance.reference.mls.tls import uint16, varint  # noqa: E402
from conformance.reference.mls.welcome import (  # noqa: E402
    confirmation_tag,
    make_welcome,
    sign_group_info,
)
from vectors.generators._common import ByteSource  # noqa: E402
from vectors.generators.mls_wg import signature_key_pair  # noqa: E402

__all__ = ["generate", "main"]

Random = Callable[[int], bytes]

ENTRIES_PER_SUITE = 2
#: §13: the ratchet_tree and required_capabilities extension types.
EXT_RATCHET_TREE, EXT_REQUIRED_CAPABILITIES = 0x0002, 0x0003
#: The NIST-curve signature schemes take their key pair from the same curve's DHKEM
#: DeriveKeyPair (a uniform scalar below the order, RFC 9180 §7.1.3).


def _hex(data: bytes) -> str:
    return data.hex()


@dataclass(frozen=True)
class _Member:
    signature_priv: bytes
    signature_pub: bytes
    encryption_priv: bytes
    encryption_pub: bytes
    init_priv: bytes
    init_pub: bytes
    leaf: wire.LeafNode
    key_package: wire.KeyPackage


class _Generator:
    def __init__(self, random: Random) -> None:
        self.random = random
        self.hpke = ReferenceHpke(random=random)
        self.sig = PycaSignatures(deterministic=True)
        self.aead = PycaAead()
        self.mls = MlsFramingReference(self.sig, self.hpke, self.aead, random)

    def below(self, bound: int) -> int:
        return int.from_bytes(self.random(8), "big") % bound

    def signature_key_pair(self, cs: CipherSuite) -> tuple[bytes, bytes]:
        return signature_key_pair(cs, self.random, self.hpke)

    def kem_key_pair(self, cs: CipherSuite) -> tuple[bytes, bytes]:
        return self.hpke.derive_key_pair(cs.kem_id, self.random(cs.nh))

    def member(self, cs: CipherSuite, name: bytes) -> _Member:
        sig_sk, sig_pk = self.signature_key_pair(cs)
        enc_sk, enc_pk = self.kem_key_pair(cs)
        init_sk, init_pk = self.kem_key_pair(cs)
        leaf = signed_leaf_node(
            cs, self.sig, sig_sk, encryption_key=enc_pk, signature_key=sig_pk, identity=name
        )
        kp = key_package(cs, self.sig, sig_sk, init_pk, leaf)
        return _Member(sig_sk, sig_pk, enc_sk, enc_pk, init_sk, init_pk, leaf, kp)

    # --- one group: Alice welcomes Bob ----------------------------------------------------

    def group(self, cs: CipherSuite) -> dict[str, Any]:
        alice, bob = self.member(cs, b"alice"), self.member(cs, b"bob")
        nodes: list[wire.Node | None] = [wire.Node(alice.leaf), None, wire.Node(bob.leaf)]
        tree = wire.encode_tree(nodes)
        context = wire.GroupContext(
            wire.MLS10,
            cs.code,
            self.random(16),
            1 + self.below(1 << 16),
            RatchetTree(cs, list(nodes)).root_tree_hash(),
            self.random(cs.nh),
            (),
        )
        extensions = (wire.Extension(EXT_RATCHET_TREE, tree),)
        joiner_secret = self.random(cs.nh)
        welcome, secrets = make_welcome(
            cs,
            self.sig,
            self.hpke,
            self.aead,
            context,
            extensions,
            0,
            alice.signature_priv,
            joiner_secret,
            [bob.key_package],
        )
        return {
            "alice": alice,
            "bob": bob,
            "tree": tree,
            "context": context,
            "extensions": extensions,
            "joiner_secret": joiner_secret,
            "welcome": welcome,
            "secrets": secrets,
        }

    # --- welcome.json ---------------------------------------------------------------------

    def welcome(self, cs: CipherSuite) -> dict[str, Any]:
        g = self.group(cs)
        return {
            "cipher_suite": cs.code,
            "init_priv": _hex(g["bob"].init_priv),
            "signer_pub": _hex(g["alice"].signature_pub),
            "key_package": _hex(wire.MlsMessage(g["bob"].key_package).encode()),
            "welcome": _hex(wire.MlsMessage(g["welcome"]).encode()),
        }

    # --- message-protection.json ----------------------------------------------------------

    def message_protection(self, cs: CipherSuite) -> dict[str, Any]:
        b = self.random
        group_id, epoch = b(cs.nh), self.below(1 << 32)
        tree_hash, confirmed = b(cs.nh), b(cs.nh)
        sig_sk, sig_pk = self.signature_key_pair(cs)
        encryption_secret, sender_data_secret, membership_key = b(cs.nh), b(cs.nh), b(cs.nh)
        newcomer = self.member(cs, b"carol")
        proposal = wire.Proposal(wire.Add(newcomer.key_package)).encode()
        application = b(8 + self.below(56))
        head = (cs.code, group_id, epoch, tree_hash, confirmed, sig_sk)
        keys = (encryption_secret, sender_data_secret, membership_key)

        def protect(wire_format: int, content_type: int, content: bytes) -> str:
            return _hex(self.mls.mls_protect(*head, *keys, wire_format, content_type, content))

        # The commit names the proposal by its ProposalRef (§5.2): RefHash over the
        # AuthenticatedContent of the proposal as a PublicMessage.
        proposal_pub = protect(1, 2, proposal)
        sent = wire.decode(wire.MlsMessage.read, bytes.fromhex(proposal_pub)).body
        assert isinstance(sent, wire.PublicMessage)
        proposal_ref = ref_hash(
            cs,
            b"MLS 1.0 Proposal Reference",
            authenticated_content(wire.WF_PUBLIC, sent.content, sent.auth),
        )
        commit = wire.Commit((wire.ProposalOrRef(reference=proposal_ref),), None).encode()

        return {
            "cipher_suite": cs.code,
            "group_id": _hex(group_id),
            "epoch": epoch,
            "tree_hash": _hex(tree_hash),
            "confirmed_transcript_hash": _hex(confirmed),
            "signature_priv": _hex(sig_sk),
            "signature_pub": _hex(sig_pk),
            "encryption_secret": _hex(encryption_secret),
            "sender_data_secret": _hex(sender_data_secret),
            "membership_key": _hex(membership_key),
            "proposal": _hex(proposal),
            "proposal_priv": protect(2, 2, proposal),
            "proposal_pub": proposal_pub,
            "commit": _hex(commit),
            "commit_priv": protect(2, 3, commit),
            "commit_pub": protect(1, 3, commit),
            "application": _hex(application),
            "application_priv": protect(2, 1, application),
        }

    # --- messages.json --------------------------------------------------------------------

    def messages(self, cs: CipherSuite) -> dict[str, Any]:
        g = self.group(cs)
        alice: _Member = g["alice"]
        bob: _Member = g["bob"]
        context: wire.GroupContext = g["context"]
        secrets = g["secrets"]
        group_id, epoch = context.group_id, context.epoch
        tag = _confirmation_tag_of(g)
        info = wire.GroupInfo(context, g["extensions"], tag, 0, b"")
        group_info = _signed_group_info(cs, self.sig, alice.signature_priv, info)
        psk_id = wire.PreSharedKeyId(
            wire.PSK_EXTERNAL, psk_id=self.random(8), psk_nonce=self.random(cs.nh)
        )
        group_secrets = wire.GroupSecrets(g["joiner_secret"], self.random(cs.nh), (psk_id,))
        update_leaf = signed_leaf_node(
            cs,
            self.sig,
            bob.signature_priv,
            encryption_key=self.kem_key_pair(cs)[1],
            signature_key=bob.signature_pub,
            identity=b"bob",
            source=wire.SOURCE_UPDATE,
            group_id=group_id,
            leaf_index=1,
        )
        carol = self.member(cs, b"carol")
        add = wire.Add(carol.key_package)
        external_pub = self.kem_key_pair(cs)[1]
        kem_output, _ = self.hpke.seal_base(
            cs.kem_id, cs.kdf_id, cs.aead_id, external_pub, b"", b"", b""
        )
        required = varint(0) + varint(0) + varint(2) + uint16(wire.BASIC)
        gce = wire.GroupContextExtensions((wire.Extension(EXT_REQUIRED_CAPABILITIES, required),))
        epoch_view = Epoch(
            cs,
            group_id,
            epoch,
            context.encode(),
            secrets.encryption_secret,
            secrets.sender_data_secret,
            secrets.membership_key,
            2,
            {0: alice.signature_pub, 1: bob.signature_pub},
        )

        def framed(content_type: int, content: wire.Content) -> wire.FramedContent:
            return wire.FramedContent(
                group_id, epoch, wire.Sender(wire.MEMBER, 0), b"", content_type, content
            )

        add_proposal = framed(wire.PROPOSAL, wire.Proposal(add))
        public_proposal = protect_public(
            epoch_view, self.sig, alice.signature_priv, add_proposal, None
        )
        add_ref = ref_hash(
            cs,
            b"MLS 1.0 Proposal Reference",
            authenticated_content(wire.WF_PUBLIC, add_proposal, public_proposal.auth),
        )
        commit = wire.Commit(
            (
                wire.ProposalOrRef(reference=add_ref),
                wire.ProposalOrRef(proposal=wire.Proposal(wire.PreSharedKey(psk_id))),
            ),
            None,
        )
        commit_tag = self.random(cs.nh)
        public_commit = protect_public(
            epoch_view, self.sig, alice.signature_priv, framed(wire.COMMIT, commit), commit_tag
        )
        public_application = protect_public(
            epoch_view, self.sig, alice.signature_priv, framed(wire.APPLICATION, b"hello"), None
        )
        private = protect_private(
            epoch_view,
            self.sig,
            self.aead,
            alice.signature_priv,
            framed(wire.APPLICATION, self.random(16)),
            None,
            self.below(4),
            self.random(4),
            self.below(16),
        )
        return {
            "mls_welcome": _hex(wire.MlsMessage(g["welcome"]).encode()),
            "mls_group_info": _hex(wire.MlsMessage(group_info).encode()),
            "mls_key_package": _hex(wire.MlsMessage(bob.key_package).encode()),
            "ratchet_tree": _hex(g["tree"]),
            "group_secrets": _hex(group_secrets.encode()),
            "add_proposal": _hex(add.encode()),
            "update_proposal": _hex(wire.Update(update_leaf).encode()),
            "remove_proposal": _hex(wire.Remove(1).encode()),
            "pre_shared_key_proposal": _hex(wire.PreSharedKey(psk_id).encode()),
            "re_init_proposal": _hex(
                wire.ReInit(self.random(16), wire.MLS10, cs.code, ()).encode()
            ),
            "external_init_proposal": _hex(wire.ExternalInit(kem_output).encode()),
            "group_context_extensions_proposal": _hex(gce.encode()),
            "commit": _hex(commit.encode()),
            "public_message_application": _hex(wire.MlsMessage(public_application).encode()),
            "public_message_proposal": _hex(wire.MlsMessage(public_proposal).encode()),
            "public_message_commit": _hex(wire.MlsMessage(public_commit).encode()),
            "private_message": _hex(wire.MlsMessage(private).encode()),
        }


def _confirmation_tag_of(g: dict[str, Any]) -> bytes:
    """The GroupInfo of the Welcome carries the epoch's confirmation tag (§12.4.3.1)."""
    context: wire.GroupContext = g["context"]
    cs = SUITES[context.cipher_suite]
    return confirmation_tag(cs, g["secrets"].confirmation_key, context.confirmed_transcript_hash)


def _signed_group_info(
    cs: CipherSuite, sig: PycaSignatures, signer_priv: bytes, info: wire.GroupInfo
) -> wire.GroupInfo:
    return sign_group_info(
        cs,
        sig,
        signer_priv,
        info.group_context,
        info.extensions,
        info.confirmation_tag,
        info.signer,
    )


def generate(out: Path, random: Random | None = None) -> list[Path]:
    """Write messages.json, message-protection.json and welcome.json into ``out`` with bytes
    drawn from ``random`` (a fixed ByteSource when None); returns their paths."""
    if random is None:
        random = ByteSource("e2ee-conformance mls_wg_framing").bytes
    g = _Generator(random)
    builders: dict[str, Callable[[CipherSuite], dict[str, Any]]] = {
        "messages.json": g.messages,
        "message-protection.json": g.message_protection,
        "welcome.json": g.welcome,
    }
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, build in builders.items():
        entries = [build(cs) for _, cs in sorted(SUITES.items()) for _ in range(ENTRIES_PER_SUITE)]
        path = out / name
        path.write_text(json.dumps(entries, indent=2) + "\n", encoding="utf-8")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("outdir", type=Path)
    args = parser.parse_args(argv)
    for path in generate(args.outdir):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
