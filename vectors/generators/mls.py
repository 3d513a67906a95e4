"""Generate the MLS vector files in ``vectors/mls/``.

Usage: ``PYTHONPATH=. python vectors/generators/mls.py [--out DIR] [--check]``

The values come from the suite's reference (``conformance/reference/mls``) through
``vectors/generators/mls_wg.py``, which writes them in the MLS working group's own format
(mlswg/mls-implementations test-vectors.md) for all seven RFC 9420 cipher suites; this script
reads those files with the suite's own reader of that format (``conformance.mlsvectors``, what
``run --mls-vectors`` uses) and writes one file per vector type in the suite's format, adding
the invalid cases the official files lack:

* ``MlsSignWithLabel``: the signature with a bit flipped, and made over another label;
* ``MlsEncryptWithLabel``: the ciphertext and the KEM output with a bit flipped, and another
  label;
* ``MlsKeySchedule``: one epoch per suite whose exporter context is 20,000 bytes
  (``LongExporterContext``, valid);
* ``MlsTranscriptHashes``: the confirmation tag (the last KDF.Nh bytes of the
  AuthenticatedContent) with a bit flipped.

Every case ships only when the reference and at least one implementation not written here
(ts-mls, rfc9420) reproduce it (``_reproduce``). ``--check`` regenerates and compares.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from conformance.mlsvectors import load_mls_vectors
from conformance.model import Case, Group, VectorFile
from conformance.reference.mls import wire
from conformance.reference.mls.ciphersuites import SUITES
from vectors.generators import (
    mls_invalid,
    mls_wg,
    mls_wg_framing,
    mls_wg_passive,
    mls_wg_tree,
)
from vectors.generators._common import (
    ByteSource,
    FileBuilder,
    GeneratorError,
    NoteSpec,
    SpecRefSpec,
    bit_flip,
    check,
    run_generator,
    write,
)
from vectors.generators._reproduce import bundled, reproduce

OBSERVATIONS: list[str] = []
SOURCE = {
    "generator": "vectors/generators/mls.py",
    "reproducedBy": "reference, and ts-mls or rfc9420",
}

#: Vector type -> file name in vectors/mls/.
FILES = {
    "MlsTreeMath": "tree_math_test.json",
    "MlsRefHash": "ref_hash_test.json",
    "MlsExpandWithLabel": "expand_with_label_test.json",
    "MlsDeriveSecret": "derive_secret_test.json",
    "MlsDeriveTreeSecret": "derive_tree_secret_test.json",
    "MlsSignWithLabel": "sign_with_label_test.json",
    "MlsEncryptWithLabel": "encrypt_with_label_test.json",
    "MlsSenderData": "sender_data_test.json",
    "MlsLeafKeys": "leaf_keys_test.json",
    "MlsKeySchedule": "key_schedule_test.json",
    "MlsPskSecret": "psk_secret_test.json",
    "MlsTranscriptHashes": "transcript_hashes_test.json",
    "MlsDecodeEncode": "decode_encode_test.json",
    "MlsUnprotect": "unprotect_test.json",
    "MlsProtect": "protect_test.json",
    "MlsWelcome": "welcome_test.json",
    "MlsTreeHash": "tree_hash_test.json",
    "MlsResolution": "resolution_test.json",
    "MlsVerifyTree": "verify_tree_test.json",
    "MlsApplyProposal": "apply_proposal_test.json",
    "MlsTreeKemReceive": "treekem_receive_test.json",
    "MlsTreeKemSend": "treekem_send_test.json",
    "MlsPassiveClient": "passive_client_test.json",
}
#: The types made from the reference's working-group files; MlsWelcome is made here, with
#: the expected GroupContext and epoch_authenticator the working group's format lacks.
FROM_WG = [t for t in FILES if t != "MlsWelcome"]

NOTES = {
    **mls_invalid.NOTES,
    "WorkingGroupFormat": NoteSpec(
        "BASIC",
        "Computed by the reference and written in the MLS working group's format first "
        "(mlswg/mls-implementations test-vectors.md), then read back by the suite's reader of "
        "that format.",
    ),
    "LongExporterContext": NoteSpec(
        "EDGE_CASE",
        "The exporter's context is 20,000 bytes, longer than a two-byte variable-size length "
        "holds (RFC 9420 §2.1.2): MLS-Exporter hashes the context (§8.5), so any length is "
        "valid and the output is that of the hashed context.",
    ),
    "ModifiedSignature": NoteSpec(
        "SIGNATURE_MALLEABILITY", "A bit of the signature is flipped: VerifyWithLabel must fail."
    ),
    "WrongLabel": NoteSpec(
        "AUTH_BYPASS",
        "The label differs from the one the signature or ciphertext was made with (RFC 9420 "
        "§5.1.2, §5.1.3 bind the label into SignContent and EncryptContext).",
    ),
    "ModifiedCiphertext": NoteSpec(
        "AUTH_BYPASS", "A bit of the HPKE ciphertext is flipped: DecryptWithLabel must fail."
    ),
    "ModifiedKemOutput": NoteSpec(
        "AUTH_BYPASS", "A bit of the HPKE KEM output is flipped: DecryptWithLabel must fail."
    ),
    "BadConfirmationTag": NoteSpec(
        "AUTH_BYPASS",
        "The commit's confirmation tag has a bit flipped: it must not verify under the "
        "confirmation key (RFC 9420 §8.2, §6.1).",
    ),
}

_SUITE_NAMES = {
    1: "MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519",
    2: "MLS_128_DHKEMP256_AES128GCM_SHA256_P256",
    3: "MLS_128_DHKEMX25519_CHACHA20POLY1305_SHA256_Ed25519",
    4: "MLS_256_DHKEMX448_AES256GCM_SHA512_Ed448",
    5: "MLS_256_DHKEMP521_AES256GCM_SHA512_P521",
    6: "MLS_256_DHKEMX448_CHACHA20POLY1305_SHA512_Ed448",
    7: "MLS_256_DHKEMP384_AES256GCM_SHA384_P384",
}


def _refs(group: Group) -> tuple[SpecRefSpec, ...]:
    return tuple(SpecRefSpec(r.document, r.section, r.level) for r in group.spec_refs)


def _flip(value: bytes, src: ByteSource) -> bytes:
    return bit_flip(value, src.below(8 * len(value)))


def _invalid(type_name: str, case: Case, src: ByteSource) -> list[tuple[str, str, dict[str, Any]]]:
    """The invalid cases made from a valid one: (comment, flag, fields)."""
    f: dict[str, Any] = dict(case.fields)
    out: list[tuple[str, str, dict[str, Any]]] = []
    if type_name == "MlsSignWithLabel":
        out.append(
            (
                "the signature with a bit flipped",
                "ModifiedSignature",
                {**f, "signature": _flip(f["signature"], src)},
            )
        )
        out.append(
            (
                "verified under another label",
                "WrongLabel",
                {**f, "label": f["label"] + b" (another)"},
            )
        )
    elif type_name == "MlsEncryptWithLabel":
        out.append(
            (
                "the ciphertext with a bit flipped",
                "ModifiedCiphertext",
                {**f, "ciphertext": _flip(f["ciphertext"], src)},
            )
        )
        out.append(
            (
                "the KEM output with a bit flipped",
                "ModifiedKemOutput",
                {**f, "kemOutput": _flip(f["kemOutput"], src)},
            )
        )
        out.append(
            (
                "decrypted under another label",
                "WrongLabel",
                {**f, "label": f["label"] + b" (another)"},
            )
        )
    elif type_name == "MlsTranscriptHashes":
        content = f["authenticatedContent"]
        # The confirmation tag closes the AuthenticatedContent (FramedContentAuthData: the
        # signature, then the tag as a length-prefixed MAC of KDF.Nh bytes).
        n = len(f["confirmedTranscriptHashAfter"])
        tag_bit = 8 * (len(content) - n) + src.below(8 * n)
        out.append(
            (
                "the confirmation tag with a bit flipped",
                "BadConfirmationTag",
                {**f, "authenticatedContent": bit_flip(content, tag_bit)},
            )
        )
    return out


def _builder(type_name: str, header: str) -> FileBuilder:
    return FileBuilder(
        algorithm="MLS",
        type_name=type_name,
        header=[f"RFC 9420 {type_name[3:]}: {header}"],
        notes=NOTES,
        source=SOURCE,
    )


class _Keys:
    """The signature private keys the working group's files hold and the suite's types leave
    out, for the invalid cases that must be signed again: leaf 1's of each message-protection
    entry (by group id), and every TreeKEM leaf's (by group id and leaf)."""

    def __init__(self, by_type: dict[str, VectorFile]) -> None:
        self.protection: dict[bytes, bytes] = {}
        self.treekem: dict[tuple[bytes, int], bytes] = {}
        for _, case in by_type["MlsProtect"].cases():
            self.protection[case.bytes("groupId")] = case.bytes("signaturePriv")
        for _, case in by_type["MlsTreeKemSend"].cases():
            key = (case.bytes("groupId"), case.int("sender"))
            self.treekem[key] = case.bytes("signaturePriv")

    def __call__(self, case: Case) -> bytes | None:
        if "updatePath" in case.fields:
            return self.treekem.get((case.bytes("groupId"), case.int("sender")))
        return self.protection.get(case.bytes("groupId"))


def _merged(groups: tuple[Group, ...]) -> tuple[Group, ...]:
    """Groups of the same parameters (one cipher suite) as one, their cases in order and their
    references together: a type read from several files (MlsPassiveClient: welcome, then
    handling-commit) has one group per suite, so the smoke tier's representatives of a kind
    are the first file's."""
    out: dict[tuple[tuple[str, object], ...], Group] = {}
    for g in groups:
        key = tuple(sorted(g.params.items()))
        if key in out:
            first = out[key]
            refs = first.spec_refs + tuple(r for r in g.spec_refs if r not in first.spec_refs)
            out[key] = replace(first, spec_refs=refs, cases=first.cases + g.cases)
        else:
            out[key] = g
    return tuple(out.values())


def _selection(type_name: str, vf: VectorFile) -> set[int] | None:
    """The tcIds of the reference's working-group cases that ship (None: all). The per-node
    and per-receiver categories repeat a whole tree in every case; a few per tree keep the
    files small and still cover what differs: the root and the node with the longest
    resolution; the first and last receiver of each UpdatePath; two senders per tree; every
    Update and Remove, and one Add in four."""
    if type_name in ("MlsTreeHash", "MlsResolution"):
        by_tree: dict[bytes, list[Case]] = {}
        for _, case in vf.cases():
            by_tree.setdefault(case.bytes("tree"), []).append(case)
        keep = set()
        for tree, cases in by_tree.items():
            nodes = wire.decode(wire.read_tree, tree, "ratchet tree")
            width = 2 * (len(nodes) // 2 + 1) - 1
            root = (1 << (width.bit_length() - 1)) - 1
            busiest = max(
                cases,
                key=lambda c: (
                    len(c.bytes("resolution")) if "resolution" in c.fields else c.int("node") % 7
                ),
            )
            keep |= {c.tc_id for c in cases if c.int("node") in (root, busiest.int("node"))}
        return keep
    if type_name == "MlsTreeKemReceive":
        paths: dict[str, list[Case]] = {}
        for _, case in vf.cases():
            paths.setdefault(case.id.rsplit(".", 1)[0], []).append(case)
        return {c.tc_id for cases in paths.values() for c in (cases[0], cases[-1])}
    if type_name == "MlsTreeKemSend":
        trees: dict[str, list[Case]] = {}
        for _, case in vf.cases():
            trees.setdefault(case.id.split(".")[0], []).append(case)
        return {c.tc_id for cases in trees.values() for c in (cases[0], cases[-1])}
    if type_name == "MlsApplyProposal":
        adds = 0
        keep = set()
        for _, case in vf.cases():
            if case.bytes("proposal")[:2] == b"\x00\x01":
                adds += 1
                if adds % 4:
                    continue
            keep.add(case.tc_id)
        return keep
    return None


def _write(vf: VectorFile, out: Path, src: ByteSource, keys: _Keys) -> Path:
    type_name = vf.groups[0].type.name
    fb = _builder(
        type_name,
        "computed by the suite's reference for every cipher suite, in the working group's "
        "format first.",
    )
    protocol_src = ByteSource(f"mls invalid {type_name}")
    extra = ByteSource(f"mls extra {type_name}")
    # The working group's Messages category repeats small structures (a Remove of the same
    # leaf in several entries): each content ships once.
    seen: set[tuple[object, ...]] = set()

    def fresh(params: dict[str, Any], fields: dict[str, Any]) -> bool:
        key = (tuple(sorted(params.items())), tuple(sorted(fields.items())))
        if key in seen:
            return False
        seen.add(key)
        return True

    selected = _selection(type_name, vf)
    for group in vf.groups:
        params: dict[str, Any] = dict(group.params)
        g = fb.group(_refs(group), **params)
        suite = params.get("cipherSuite")
        for case in group.cases:
            if selected is not None and case.tc_id not in selected:
                continue
            where = case.comment + (f" ({_SUITE_NAMES.get(suite, suite)})" if suite else "")
            valid: dict[str, Any] = dict(case.fields)
            flags = ["WorkingGroupFormat"]
            if len(valid.get("exporterContext", b"")) > mls_wg.LONG_CONTEXT // 2:
                flags.append("LongExporterContext")
            if not fresh(params, valid):
                continue
            g.add(where, flags, "valid", **valid)
            made = _invalid(type_name, case, src) + mls_invalid.invalid(
                type_name, case, suite, protocol_src, keys
            )
            for comment, flag, fields in made:
                if fresh(params, fields):
                    g.add(f"{where}: {comment}", [flag], "invalid", **fields)
        if type_name == "MlsPassiveClient" and suite is not None:
            fields = mls_invalid.required_capability_case(SUITES[suite], extra.bytes)
            g.add(
                f"Bob joins a group requiring an extension type nobody lists "
                f"({_SUITE_NAMES[suite]})",
                ["UnsupportedRequiredCapability"],
                "invalid",
                **fields,
            )
    return write(fb, out / FILES[type_name])


def _write_welcome(out: Path) -> Path:
    """welcome_test.json: per suite, a fresh group's Welcome and its invalid variants."""
    fb = _builder(
        "MlsWelcome",
        "a Welcome the suite's reference made for a fresh group, with the GroupContext and "
        "epoch_authenticator the joiner reaches, and Welcomes changed in one place.",
    )
    source = ByteSource("mls welcome")
    refs = (SpecRefSpec("RFC 9420", "12.4.3.1"), SpecRefSpec("RFC 9420", "8.7"))
    for code, cs in sorted(SUITES.items()):
        g = fb.group(refs, cipherSuite=code)
        for comment, flags, result, fields in mls_invalid.welcome_cases(cs, source.bytes, source):
            g.add(f"{comment} ({_SUITE_NAMES[code]})", flags, result, **fields)
    return write(fb, out / FILES["MlsWelcome"])


def generate(out: Path) -> list[Path]:
    """Write the MLS vector files into ``out``, reproduce them, check them."""
    OBSERVATIONS.clear()
    mls_invalid.reset()
    with tempfile.TemporaryDirectory() as tmp:
        for wg in (mls_wg, mls_wg_framing, mls_wg_tree, mls_wg_passive):
            wg.generate(Path(tmp))
        found = load_mls_vectors(Path(tmp))
        if found.skipped:
            raise GeneratorError(f"the reader skipped the reference's own files: {found.skipped}")
        src = ByteSource("mls invalid")
        # A type read from several files (MlsPassiveClient: welcome and handling-commit) is
        # written as one file with the groups of each.
        by_type: dict[str, VectorFile] = {}
        # Welcome files before handling-commit ones: a suite's first passive-client case, the
        # smoke tier's, is then a join rather than a whole story.
        for vf in sorted(found.files, key=lambda vf: "handling-commit" in vf.name):
            name = vf.groups[0].type.name
            if name in by_type:
                vf = replace(vf, groups=_merged(by_type[name].groups + vf.groups))
            by_type[name] = vf
        missing = sorted(set(FROM_WG) - set(by_type))
        if missing:
            raise GeneratorError(f"the reference's files hold no case of {', '.join(missing)}")
        keys = _Keys(by_type)
        paths = [_write(by_type[t], out, src, keys) for t in FROM_WG]
        paths.append(_write_welcome(out))
    check(paths)
    reference = bundled("reference")
    others = [bundled(n) for n in ("ts-mls", "rfc9420")]
    OBSERVATIONS.extend(reproduce(paths, [reference, *others]))
    return paths


def main(argv: Sequence[str] | None = None) -> int:
    description = __doc__.splitlines()[0] if __doc__ else None
    return run_generator("mls.py", description, "mls", generate, OBSERVATIONS, argv)


if __name__ == "__main__":
    sys.exit(main())
