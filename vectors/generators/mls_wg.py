"""Write MLS test vectors in the MLS working group's own JSON format (mlswg/mls-implementations,
test-vectors.md and test-vectors/*.json): tree-math.json, crypto-basics.json, secret-tree.json,
key-schedule.json, psk_secret.json and transcript-hashes.json, each a JSON array with one or two
entries per cipher suite (RFC 9420 §17.1, suites 1-7), values computed by the suite's reference
(conformance/reference/mls) from inputs drawn from a seeded byte source.

The layout follows the published files: lowercase hex for binary values; in crypto-basics.json
the ``priv`` and ``pub`` keys are written as opaque<V> (the MLS varint length prefix, then the
key) as the working group's file has them; key-schedule.json's ``external_pub`` is the bare
serialised public key; labels are strings without the "MLS 1.0 " prefix.

Usage: ``python vectors/generators/mls_wg.py OUTDIR``. Deterministic: the same files on every run
(ECDSA signatures use RFC 6979 nonces, HPKE ephemeral keys come from the byte source).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

_ROOT = Path(__file__).resolve().parent.parent.parent
if str(_ROOT) not in sys.path:
    sys.path.insert(0, str(_ROOT))

from cryptography.hazmat.primitives.asymmetric import ed448, ed25519  # noqa: E402

from conformance.reference.mls import crypto, treemath  # noqa: E402
from conformance.reference.mls.ciphersuites import SUITES, CipherSuite  # noqa: E402
from conformance.reference.mls.hpke_binding import ReferenceHpke  # noqa: E402
from conformance.reference.mls.pyca import PycaSignatures  # noqa: E402
from conformance.reference.mls.reference import MlsReference  # noqa: E402
from conformance.reference.mls.tls import opaque, uint8, uint16, uint32, uint64  # noqa: E402
from vectors.generators._common import ByteSource  # noqa: E402

__all__ = ["generate", "main", "signature_key_pair"]

#: The NIST-curve signature schemes take their key pair from the same curve's DHKEM
#: DeriveKeyPair (a uniform scalar below the order, RFC 9180 §7.1.3).
_SIGNATURE_KEM = {"p256": 0x0010, "p384": 0x0011, "p521": 0x0012}
_SECRET_TREE_LEAVES = (1, 8)
_TREE_MATH_LEAVES = tuple(1 << i for i in range(7))
#: The long exporter context: past 16,383 bytes, the largest a two-byte varint holds (§2.1.2).
LONG_CONTEXT = 20_000


def _hex(data: bytes) -> str:
    return data.hex()


def signature_key_pair(
    cs: CipherSuite, random: Callable[[int], bytes], hpke: ReferenceHpke
) -> tuple[bytes, bytes]:
    """A signature key pair of the suite's scheme from ``random``: a raw EdDSA seed, or a
    NIST-curve scalar from the same curve's DHKEM DeriveKeyPair. Every MLS generator draws
    its members' keys here."""
    if cs.signature == "ed25519":
        sk = random(32)
        return sk, ed25519.Ed25519PrivateKey.from_private_bytes(sk).public_key().public_bytes_raw()
    if cs.signature == "ed448":
        sk = random(57)
        return sk, ed448.Ed448PrivateKey.from_private_bytes(sk).public_key().public_bytes_raw()
    return hpke.derive_key_pair(_SIGNATURE_KEM[cs.signature], random(cs.nh))


class _Generator:
    def __init__(self) -> None:
        self.src = ByteSource("e2ee-conformance mls_wg")
        self.hpke = ReferenceHpke(random=self.src.bytes)
        self.sig = PycaSignatures(deterministic=True)
        self.mls = MlsReference(self.sig, self.hpke)

    def tree_math(self) -> list[dict[str, Any]]:
        out = []
        for n in _TREE_MATH_LEAVES:
            width = treemath.node_width(n)
            out.append(
                {
                    "n_leaves": n,
                    "n_nodes": width,
                    "root": treemath.root(n),
                    "left": [treemath.left(x) for x in range(width)],
                    "right": [treemath.right(x) for x in range(width)],
                    "parent": [treemath.parent(x, n) for x in range(width)],
                    "sibling": [treemath.sibling(x, n) for x in range(width)],
                }
            )
        return out

    def crypto_basics(self) -> list[dict[str, Any]]:
        out = []
        for code, cs in sorted(SUITES.items()):
            b = self.src.bytes
            value = b(cs.nh)
            secret_e, context_e = b(cs.nh), b(cs.nh)
            secret_d = b(cs.nh)
            secret_t, generation = b(cs.nh), self.src.below(1 << 32)
            sign_sk, sign_pk = signature_key_pair(cs, self.src.bytes, self.hpke)
            content = b(cs.nh)
            signature = self.mls.mls_sign_with_label(code, sign_sk, b"SignWithLabel", content)
            kem_sk, kem_pk = self.hpke.derive_key_pair(cs.kem_id, b(cs.nh))
            context_c, plaintext = b(cs.nh), b(cs.nh)
            sealed = self.mls.mls_encrypt_with_label(
                code, kem_pk, b"EncryptWithLabel", context_c, plaintext
            )
            out.append(
                {
                    "cipher_suite": code,
                    "derive_secret": {
                        "label": "DeriveSecret",
                        "out": _hex(self.mls.mls_derive_secret(code, secret_d, b"DeriveSecret")),
                        "secret": _hex(secret_d),
                    },
                    "derive_tree_secret": {
                        "generation": generation,
                        "label": "DeriveTreeSecret",
                        "length": cs.nh,
                        "out": _hex(
                            self.mls.mls_derive_tree_secret(
                                code, secret_t, b"DeriveTreeSecret", generation, cs.nh
                            )
                        ),
                        "secret": _hex(secret_t),
                    },
                    "encrypt_with_label": {
                        "ciphertext": _hex(sealed["ciphertext"]),
                        "context": _hex(context_c),
                        "kem_output": _hex(sealed["kem_output"]),
                        "label": "EncryptWithLabel",
                        "plaintext": _hex(plaintext),
                        "priv": _hex(opaque(kem_sk)),
                        "pub": _hex(opaque(kem_pk)),
                    },
                    "expand_with_label": {
                        "context": _hex(context_e),
                        "label": "ExpandWithLabel",
                        "length": cs.nk,
                        "out": _hex(
                            self.mls.mls_expand_with_label(
                                code,
                                secret_e,
                                b"ExpandWithLabel",
                                context_e,
                                cs.nk,
                            )
                        ),
                        "secret": _hex(secret_e),
                    },
                    "ref_hash": {
                        "label": "RefHash",
                        "out": _hex(self.mls.mls_ref_hash(code, b"RefHash", value)),
                        "value": _hex(value),
                    },
                    "sign_with_label": {
                        "content": _hex(content),
                        "label": "SignWithLabel",
                        "priv": _hex(opaque(sign_sk)),
                        "pub": _hex(opaque(sign_pk)),
                        "signature": _hex(signature),
                    },
                }
            )
        return out

    def secret_tree(self) -> list[dict[str, Any]]:
        out = []
        for code, cs in sorted(SUITES.items()):
            for n in _SECRET_TREE_LEAVES:
                encryption_secret = self.src.bytes(cs.nh)
                sender_data_secret = self.src.bytes(cs.nh)
                ciphertext = self.src.bytes(77)
                sd = self.mls.mls_sender_data_keys(code, sender_data_secret, ciphertext)
                leaves = []
                for leaf in range(n):
                    generation = 15
                    k = self.mls.mls_leaf_keys(code, encryption_secret, n, leaf, generation)
                    leaves.append(
                        {
                            "generation": generation,
                            "application_key": _hex(k["application_key"]),
                            "application_nonce": _hex(k["application_nonce"]),
                            "handshake_key": _hex(k["handshake_key"]),
                            "handshake_nonce": _hex(k["handshake_nonce"]),
                        }
                    )
                out.append(
                    {
                        "cipher_suite": code,
                        "n_leaves": n,
                        "encryption_secret": _hex(encryption_secret),
                        "sender_data": {
                            "sender_data_secret": _hex(sender_data_secret),
                            "ciphertext": _hex(ciphertext),
                            "key": _hex(sd["key"]),
                            "nonce": _hex(sd["nonce"]),
                        },
                        "leaves": leaves,
                    }
                )
        return out

    def _epoch(
        self,
        code: int,
        group_id: bytes,
        init: bytes,
        epoch: int,
        drawn: tuple[bytes, bytes, bytes, bytes],
        context: bytes,
    ) -> tuple[dict[str, Any], bytes]:
        """One key-schedule.json epoch from the previous init_secret and the drawn tree hash,
        commit secret, psk_secret and confirmed transcript hash; and the next init_secret."""
        tree_hash, commit_secret, psk_secret, confirmed = drawn
        gc = self.mls.mls_group_context(code, group_id, epoch, tree_hash, confirmed, b"")
        e = self.mls.mls_key_schedule(code, init, commit_secret, psk_secret, gc)
        names = (
            "joiner_secret",
            "welcome_secret",
            "init_secret",
            "sender_data_secret",
            "encryption_secret",
            "exporter_secret",
            "epoch_authenticator",
            "external_secret",
            "confirmation_key",
            "membership_key",
            "resumption_psk",
            "external_pub",
        )
        secrets: dict[str, bytes] = dict(e)  # type: ignore[arg-type]
        exported = self.mls.mls_export(code, e["exporter_secret"], b"exporter label", context, 32)
        entry = {
            "tree_hash": _hex(tree_hash),
            "commit_secret": _hex(commit_secret),
            "psk_secret": _hex(psk_secret),
            "confirmed_transcript_hash": _hex(confirmed),
            "group_context": _hex(gc),
            **{name: _hex(secrets[name]) for name in names},
            "exporter": {
                "label": "exporter label",
                "context": _hex(context),
                "length": 32,
                "secret": _hex(exported),
            },
        }
        return entry, e["init_secret"]

    def key_schedule(self) -> list[dict[str, Any]]:
        out = []
        for code, cs in sorted(SUITES.items()):
            group_id = self.src.bytes(16)
            initial = self.src.bytes(cs.nh)
            init = initial
            epochs = []
            for epoch in range(2):
                drawn = (
                    self.src.bytes(cs.nh),
                    self.src.bytes(cs.nh),
                    self.src.bytes(cs.nh) if epoch == 0 else bytes(cs.nh),
                    self.src.bytes(cs.nh),
                )
                entry, init = self._epoch(code, group_id, init, epoch, drawn, b"exporter context")
                epochs.append(entry)
            out.append(
                {
                    "cipher_suite": code,
                    "group_id": _hex(group_id),
                    "initial_init_secret": _hex(initial),
                    "epochs": epochs,
                }
            )
        # One more entry per suite whose exporter context is longer than a two-byte varint
        # holds (RFC 9420 §8.5 hashes the context, so any length is valid); drawn from a
        # source of its own so the entries above keep their values.
        long = ByteSource("e2ee-conformance mls_wg long exporter context")
        for code, cs in sorted(SUITES.items()):
            group_id, initial = long.bytes(16), long.bytes(cs.nh)
            drawn = (long.bytes(cs.nh), long.bytes(cs.nh), bytes(cs.nh), long.bytes(cs.nh))
            entry, _ = self._epoch(code, group_id, initial, 0, drawn, long.bytes(LONG_CONTEXT))
            out.append(
                {
                    "cipher_suite": code,
                    "group_id": _hex(group_id),
                    "initial_init_secret": _hex(initial),
                    "epochs": [entry],
                }
            )
        return out

    def psk_secret(self) -> list[dict[str, Any]]:
        out = []
        for code, cs in sorted(SUITES.items()):
            for count in (0, 2):
                psks = [
                    (self.src.bytes(cs.nh), self.src.bytes(cs.nh), self.src.bytes(cs.nh))
                    for _ in range(count)
                ]
                secret = bytes(cs.nh)
                for i, (psk_id, psk, nonce) in enumerate(psks):
                    secret = self.mls.mls_psk_secret_step(
                        code, secret, psk_id, psk, nonce, i, count
                    )
                out.append(
                    {
                        "cipher_suite": code,
                        "psks": [
                            {"psk_id": _hex(i), "psk": _hex(p), "psk_nonce": _hex(n)}
                            for i, p, n in psks
                        ],
                        "psk_secret": _hex(secret),
                    }
                )
        return out

    def transcript_hashes(self) -> list[dict[str, Any]]:
        out = []
        for code, cs in sorted(SUITES.items()):
            b = self.src.bytes
            group_id, epoch, leaf = b(16), self.src.below(1 << 16), self.src.below(16)
            confirmation_key, interim_before = b(cs.nh), b(cs.nh)
            sign_sk, _ = signature_key_pair(cs, self.src.bytes, self.hpke)
            wire_format = uint16(1)  # mls_public_message
            # Commit: one proposal by reference (ProposalOrRefType 2, ProposalRef = opaque<V>
            # of Nh bytes), no UpdatePath (§12.4).
            commit = opaque(uint8(2) + opaque(b(cs.nh))) + uint8(0)
            framed = (
                opaque(group_id)
                + uint64(epoch)
                + uint8(1)  # SenderType member
                + uint32(leaf)
                + opaque(b"")  # authenticated_data
                + uint8(3)  # ContentType commit
                + commit
            )
            context = self.mls.mls_group_context(code, group_id, epoch, b(cs.nh), b(cs.nh), b"")
            tbs = uint16(1) + wire_format + framed + context  # FramedContentTBS (§6.1)
            signature = self.mls.mls_sign_with_label(code, sign_sk, b"FramedContentTBS", tbs)
            confirmed = crypto.hash_(cs, interim_before + wire_format + framed + opaque(signature))
            tag = crypto.mac(cs, confirmation_key, confirmed)
            content = wire_format + framed + opaque(signature) + opaque(tag)
            t = self.mls.mls_transcript_hashes(code, confirmation_key, content, interim_before)
            out.append(
                {
                    "cipher_suite": code,
                    "confirmation_key": _hex(confirmation_key),
                    "authenticated_content": _hex(content),
                    "interim_transcript_hash_before": _hex(interim_before),
                    "interim_transcript_hash_after": _hex(t["interim_transcript_hash"]),
                    "confirmed_transcript_hash_after": _hex(t["confirmed_transcript_hash"]),
                }
            )
        return out


def generate(out: Path) -> list[Path]:
    """Write the six files into ``out``; returns their paths."""
    g = _Generator()
    files = {
        "tree-math.json": g.tree_math,
        "crypto-basics.json": g.crypto_basics,
        "secret-tree.json": g.secret_tree,
        "key-schedule.json": g.key_schedule,
        "psk_secret.json": g.psk_secret,
        "transcript-hashes.json": g.transcript_hashes,
    }
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, build in files.items():
        path = out / name
        path.write_text(json.dumps(build(), indent=2) + "\n", encoding="utf-8")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("outdir", type=Path, help="folder to write the six files into")
    args = parser.parse_args(argv)
    for path in generate(args.outdir):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
