"""What the bundled full run finds today, pinned: every real deviation, by adapter and flag.

A test that runs every bundled adapter compares its failures with this table, so a library that
starts or stops deviating (or an adapter that breaks) makes the test fail and this file (and the
README's "What the bundled run finds today") must be updated with the new finding.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

#: (adapter, flag) -> number of failing cases. Each is a library accepting input RFC 8032 says
#: must be refused:
#: - NonCanonicalPublicKey: y >= p in an encoded public key (RFC 8032 §5.1.3); OpenSSL (through
#:   pyca/cryptography and through node:crypto), noble in its default ZIP-215 mode, TweetNaCl.
#: - NonCanonicalR: R not canonically encoded (§5.1.7 decodes R first); noble (ZIP-215 mode).
#: - SignatureMalleability: S >= L (§5.1.7 requires 0 <= S < L); TweetNaCl.
#: and one HPKE export bug (below).
KNOWN: dict[tuple[str, str], int] = {
    ("cryptography", "NonCanonicalPublicKey"): 3,
    ("node-crypto", "NonCanonicalPublicKey"): 3,
    ("noble", "NonCanonicalPublicKey"): 3,
    ("noble", "NonCanonicalR"): 4,
    ("tweetnacl", "NonCanonicalPublicKey"): 3,
    ("tweetnacl", "SignatureMalleability"): 4,
    # prop/primitives/ed25519-rules (docs/ed25519-rules.md): OpenSSL (pyca/cryptography 51.0.1,
    # node:crypto on OpenSSL 3.0.19) follows ref10 exactly, which accepts a non-canonical A
    # (RFC 8032 §5.1.3); TweetNaCl.js 1.0.3 is ref10 but also accepts S >= L (§5.1.7).
    ("cryptography,cryptography", "prop/primitives/ed25519-rules"): 1,
    ("node-crypto,node-crypto", "prop/primitives/ed25519-rules"): 1,
    ("tweetnacl,tweetnacl", "prop/primitives/ed25519-rules"): 1,
    # @hpke/core (through @hpke/common 1.10.1) writes the two-byte length of LabeledExpand
    # (RFC 9180 §4) as [0, L mod 256], so every export of 256 bytes or more is wrong.
    ("hpke-js", "TwoByteLength"): 16,
    # The `mlkem` npm package 2.7.0 skips FIPS 203 §7.3's hash check: a decapsulation key whose
    # stored H(ek) does not match its ek decapsulates (two cases per parameter set).
    ("mlkem", "DecapsKeyHash"): 6,
    # The classic Signal libraries (issue 6):
    # - python-axolotl 0.2.3 reads an absent pre-key id as 0, so as a receiver it refuses every
    #   first message of a session made from a bundle without a one-time pre-key (X3DH §3.3
    #   makes the one-time pre-key optional): one vector and every pair with it as Bob.
    ("python-axolotl", "NoOneTimePreKey"): 1,
    ("python-axolotl,python-axolotl", "pair/signal/no-one-time-prekey"): 1,
    ("reference,python-axolotl", "pair/signal/no-one-time-prekey"): 1,
    ("libsignal-protocol-typescript,python-axolotl", "pair/signal/no-one-time-prekey"): 1,
    # - @privacyresearch/libsignal-protocol-typescript 0.0.16 writes pre-key id 0 into a
    #   PreKeyWhisperMessage when the bundle had no one-time pre-key, which libsignal (and the
    #   reference) read as a pre-key that does not exist; and it accepts version byte 0x53
    #   (the MAC input hard-codes 0x33, so the byte is not authenticated either).
    ("libsignal-protocol-typescript,reference", "pair/signal/no-one-time-prekey"): 1,
    ("libsignal-protocol-typescript", "WrongVersion"): 2,
    # Library crashes on malformed input surface as errors (docs/adapter-protocol.md, "Refusal
    # or internal error"): the TypeScript library lets protobufjs's RangeError ("index out of
    # range") escape on a pre-key message cut short inside its MAC (two vectors), and
    # python-axolotl 0.2.3 lets protobuf's DecodeError escape WhisperMessage (it wraps it only in
    # PreKeyWhisperMessage), so as a receiver it fails the tampering property.
    ("libsignal-protocol-typescript", "Truncated"): 2,
    ("libsignal-protocol-typescript,python-axolotl", "prop/signal/tampering"): 1,
    ("python-axolotl,python-axolotl", "prop/signal/tampering"): 1,
    ("reference,python-axolotl", "prop/signal/tampering"): 1,
    # Safety properties (issue 7), as receiver (the second adapter of the pair):
    # - the TypeScript library crashes (an internal TypeError or protobufjs RangeError, not a
    #   refusal) on a SignalMessage cut short or bit-flipped, and accepts version bytes whose
    #   high nibble is above 3 (0xB3 here):
    ("libsignal-protocol-typescript,libsignal-protocol-typescript", "prop/signal/tampering"): 1,
    ("python-axolotl,libsignal-protocol-typescript", "prop/signal/tampering"): 1,
    ("reference,libsignal-protocol-typescript", "prop/signal/tampering"): 1,
    # The random machine's finds depend on the seed (these are --seed 7's): the TypeScript
    # library accepts a tampered version byte, as Bob and as Alice, python-axolotl crashes
    # (protobuf's DecodeError) on a tampered message, as Bob and as Alice, and vodozemac
    # accepts a first message whose embedded chain-index tag byte is changed (0x10 to 0x18,
    # the prop/olm/tampering finding below). Half the machine's flips go to structural bytes.
    (
        "libsignal-protocol-typescript,libsignal-protocol-typescript",
        "prop/signal/random-conversation",
    ): 1,
    ("python-axolotl,libsignal-protocol-typescript", "prop/signal/random-conversation"): 1,
    ("reference,libsignal-protocol-typescript", "prop/signal/random-conversation"): 1,
    ("libsignal-protocol-typescript,reference", "prop/signal/random-conversation"): 1,
    ("python-axolotl,python-axolotl", "prop/signal/random-conversation"): 1,
    ("reference,python-axolotl", "prop/signal/random-conversation"): 1,
    ("libsignal-protocol-typescript,python-axolotl", "prop/signal/random-conversation"): 1,
    ("python-axolotl,reference", "prop/signal/random-conversation"): 1,
    ("reference,vodozemac", "prop/olm/random-conversation"): 1,
    ("vodozemac,vodozemac", "prop/olm/random-conversation"): 1,
    # Promises (issue 12 part 5): the TypeScript library reads the version byte as a range,
    # refusing only "(version & 0xf) > 3 || version >> 4 < 3" (session-cipher.js), so it
    # accepts a PreKeySignalMessage with version byte 0x40 (and 0x53, 0xF0, ...). The check
    # carries the PreKeyCurrentVersion flag (the low nibble, which it may ignore), hence the key.
    ("libsignal-protocol-typescript,libsignal-protocol-typescript", "PreKeyCurrentVersion"): 1,
    ("python-axolotl,libsignal-protocol-typescript", "PreKeyCurrentVersion"): 1,
    ("reference,libsignal-protocol-typescript", "PreKeyCurrentVersion"): 1,
    # - vodozemac 0.10.0 accepts a message (or a first message's embedded one) whose chain-index
    #   tag byte (0x10) is changed (to 0x18, 0x30 or 0x50) while the index is 0: the field is
    #   then read as unknown and skipped, the index defaults to 0, and the MAC still verifies,
    #   so it is not checked over the bytes as received. libolm and the reference refuse it.
    ("python-olm,vodozemac", "prop/olm/tampering"): 1,
    ("reference,vodozemac", "prop/olm/tampering"): 1,
    ("vodozemac,vodozemac", "prop/olm/tampering"): 1,
    # - its Megolm twin: vodozemac 0.10.0 accepts a Megolm message at index 0 whose
    #   message-index tag byte (0x08) is changed (to 0x18, 0x28 or 0x48), not re-signed: the
    #   field is skipped, the index defaults to 0, and the MAC and the signature both verify,
    #   so neither is checked over the bytes as received (a re-signed copy is refused).
    ("python-olm,vodozemac", "prop/megolm/tampering"): 1,
    ("reference,vodozemac", "prop/megolm/tampering"): 1,
    ("vodozemac,vodozemac", "prop/megolm/tampering"): 1,
    #   The same two as vector cases ("refused, then the genuine message"): the first Olm
    #   pre-key message and Megolm message 0, each with its index tag changed.
    ("vodozemac", "IndexTag"): 2,
}

# Signal's official library, libsignal-client 0.103.0 (issue 17), in the classic sender-key
# family: its SenderKeyDistributionMessage and SenderKeyMessage carry a 16-byte
# distribution_uuid as field 1 and move the classic fields up by one, so its distribution
# messages are not the vectors' bytes (the chain and message keys, ciphertexts and signature
# inputs agree), every classic message is refused, and the classic implementations refuse its
# own. Current Signal (signal-pq) passes everywhere.
KNOWN.update(
    {
        ("libsignal-client", "SenderKey"): 2,
        ("libsignal-client", "BadSignature"): 2,
        ("libsignal-client", "Replay"): 2,
        ("libsignal-client,python-axolotl", "pair/signal/sender-keys"): 1,
        ("libsignal-client,reference", "pair/signal/sender-keys"): 1,
        ("python-axolotl,libsignal-client", "pair/signal/sender-keys"): 1,
        ("reference,libsignal-client", "pair/signal/sender-keys"): 1,
    }
)

# MLS (issue 18): rfc9420 1.3.0 computes MLS-Exporter without hashing the context (its source
# says hashing belongs to TLS), where RFC 9420 §8.5 has ExpandWithLabel(DeriveSecret(
# exporter_secret, label), "exported", Hash(context), length): every key-schedule case (two
# epochs of each of the seven cipher suites, and one with a 20,000-byte context per suite)
# fails on its exporter value alone. The protocol tier (still issue 18) adds, as
# WorkingGroupFormat failures: 28 UpdatePaths it makes (§7.4-§7.6: the new leaf keeps the old
# encryption key and the old leaf's signature, and the tree hash it encrypts to is the old
# leaf's, so nobody decrypts them) and 35 valid trees it refuses (§7.9.2: it recomputes each
# leaf's parent hash along its whole current direct path, so a leaf whose path a later commit
# replaced is "invalid parent_hash for leaf 0").
KNOWN[("rfc9420", "WorkingGroupFormat")] = 21 + 28 + 35
# rfc9420 1.3.0's decoders accept bytes after a structure (§2.1: Add, Commit, ExternalInit,
# GroupContextExtensions, MLSMessage, PreSharedKey, the ratchet tree, ReInit, Remove, Update;
# KeyPackage and GroupSecrets refuse them) and a ReInit without its extensions vector's length.
KNOWN[("rfc9420", "TrailingData")] = 184
KNOWN[("rfc9420", "TruncatedData")] = 14
# Its SecretTree re-derives a used generation's key from the leaf secret it keeps, so a
# PrivateMessage received twice is read twice (§9.2; it also loses forward secrecy within an
# epoch): every private message of every suite.
KNOWN[("rfc9420", "ReusedGeneration")] = 42
# Its join accepts a group whose GroupContext requires an extension type no leaf lists (§7.3,
# §12.4.3.1: the joiner validates every leaf against required_capabilities), one per suite.
KNOWN[("rfc9420", "UnsupportedRequiredCapability")] = 7
# ts-mls 1.6.4 decodes variable-size lengths that are not in their shortest form (4000 reads as
# the empty vector, §2.1.2), and its unprotectPrivateMessage ignores validateSenderData's
# result, so sender data naming a leaf outside the tree ends in its own "should never occur"
# InternalError (an error result, §6.3.2) instead of a refusal.
KNOWN[("ts-mls", "NonMinimalVarint")] = 24
KNOWN[("ts-mls", "SenderOutsideGroup")] = 42

# The libsignal-client version matrix's classic entry (adapters/libsignal-client-0.72.1, the
# last version that still speaks X3DH): every message it sends, as Alice and as Bob in a
# session a v3 message opened, carries version byte 0x34 (session version 3 in the high nibble,
# the library's current version 4 in the low one). The TypeScript library refuses a low nibble
# above 3 ("Incompatible version number"), so nothing after libsignal's first message gets
# through, whichever side starts; libsignal reads the TypeScript library's 0x33 (and its
# pre-key id 0, as the reference does, as a pre-key that does not exist). python-axolotl,
# which checks only the high nibble, and the reference interoperate with it; python-axolotl's
# own two findings above recur with it as the sender (and, at seed 7, as the random machine's
# Alice).
LIBSIGNAL_CLASSIC = "libsignal-client-0.72.1"
_TS = "libsignal-protocol-typescript"
_REFUSED_0X34_BOTH_WAYS = (
    "PreKeyCurrentVersion",
    "pair/signal/converse",
    "pair/signal/lost-messages",
    "pair/signal/no-one-time-prekey",
    "pair/signal/out-of-order",
    "pair/signal/replay-refused",
    "prop/signal/forward-secrecy",
    "prop/signal/identity-key-change",
    "prop/signal/one-time-key-reuse",
    "prop/signal/post-compromise-security",
    "prop/signal/random-conversation",
    "prop/signal/reordering",
    "prop/signal/replay",
    "prop/signal/signed-prekey-signature",
    "prop/signal/skip-limit",
    "prop/signal/tampering",
)
for _check in (
    *_REFUSED_0X34_BOTH_WAYS,
    "prop/signal/identity-binding",
    "prop/signal/identity-binding-judged",
):
    KNOWN[(f"{LIBSIGNAL_CLASSIC},{_TS}", _check)] = 1
for _check in _REFUSED_0X34_BOTH_WAYS:
    KNOWN[(f"{_TS},{LIBSIGNAL_CLASSIC}", _check)] = 1
for _check in (
    "pair/signal/no-one-time-prekey",
    "prop/signal/tampering",
    "prop/signal/random-conversation",
):
    KNOWN[(f"{LIBSIGNAL_CLASSIC},python-axolotl", _check)] = 1
KNOWN[(f"python-axolotl,{LIBSIGNAL_CLASSIC}", "prop/signal/random-conversation")] = 1


#: How many of KNOWN are ``error`` results (library crashes on malformed input), not ``fail``.
KNOWN_ERRORS = (
    KNOWN[("libsignal-protocol-typescript", "Truncated")] + KNOWN[("ts-mls", "SenderOutsideGroup")]
)


#: Who each pair and property finding is charged to (the party at fault, issue 12), by the
#: pair and check: every other pair and property failure above is the receiver's alone.
AT_FAULT: dict[tuple[str, str], tuple[str, str]] = {
    # python-axolotl refuses what every sender sends without a one-time pre-key; the TypeScript
    # library's first messages (pre-key id 0) are refused by every other receiver.
    ("libsignal-protocol-typescript,python-axolotl", "pair/signal/no-one-time-prekey"): (
        "both",
        "libsignal-protocol-typescript,python-axolotl",
    ),
    ("libsignal-protocol-typescript,reference", "pair/signal/no-one-time-prekey"): (
        "sender",
        "libsignal-protocol-typescript",
    ),
    ("reference,python-axolotl", "pair/signal/no-one-time-prekey"): ("receiver", "python-axolotl"),
    ("python-axolotl,python-axolotl", "pair/signal/no-one-time-prekey"): ("both", "python-axolotl"),
    # Alice (the first adapter) is the receiver that accepted (or crashed on) a tampered reply.
    ("libsignal-protocol-typescript,reference", "prop/signal/random-conversation"): (
        "receiver",
        "libsignal-protocol-typescript",
    ),
    ("python-axolotl,reference", "prop/signal/random-conversation"): (
        "receiver",
        "python-axolotl",
    ),
}

# libsignal's sender keys (above): the classic implementations read each other's distribution
# messages and libsignal's are read by nobody, so libsignal is charged as sender and receiver.
AT_FAULT[("libsignal-client,python-axolotl", "pair/signal/sender-keys")] = (
    "sender",
    "libsignal-client",
)
AT_FAULT[("libsignal-client,reference", "pair/signal/sender-keys")] = ("sender", "libsignal-client")

# libsignal-client 0.72.1 and the TypeScript library (above): each works with every other
# partner, so where the TypeScript library refuses libsignal's 0x34 the fault is often
# undetermined; where it is Alice, refusing Bob's 0x34 reply, it is the receiver; and its
# pre-key id 0 makes it the sender at fault, as with the reference.
_LS_TS = f"{LIBSIGNAL_CLASSIC},{_TS}"
_TS_LS = f"{_TS},{LIBSIGNAL_CLASSIC}"
for _check in (
    "pair/signal/converse",
    "pair/signal/lost-messages",
    "pair/signal/no-one-time-prekey",
    "pair/signal/out-of-order",
    "pair/signal/replay-refused",
    "prop/signal/forward-secrecy",
    "prop/signal/identity-binding",
    "prop/signal/identity-binding-judged",
    "prop/signal/post-compromise-security",
    "prop/signal/reordering",
    "prop/signal/replay",
    "prop/signal/skip-limit",
    "prop/signal/version-bytes",
):
    AT_FAULT[(_LS_TS, _check)] = ("undetermined", _LS_TS)
for _check in (
    "pair/signal/converse",
    "pair/signal/lost-messages",
    "pair/signal/out-of-order",
    "pair/signal/replay-refused",
    "prop/signal/replay",
    "prop/signal/tampering",
):
    AT_FAULT[(_TS_LS, _check)] = ("undetermined", _LS_TS)
for _check in (
    "prop/signal/forward-secrecy",
    "prop/signal/post-compromise-security",
    "prop/signal/reordering",
    "prop/signal/skip-limit",
):
    AT_FAULT[(_TS_LS, _check)] = ("undetermined", _TS_LS)
for _check in (
    "prop/signal/identity-key-change",
    "prop/signal/one-time-key-reuse",
    "prop/signal/random-conversation",
    "prop/signal/signed-prekey-signature",
    "prop/signal/version-bytes",
):
    AT_FAULT[(_TS_LS, _check)] = ("receiver", _TS)
AT_FAULT[(_TS_LS, "pair/signal/no-one-time-prekey")] = ("sender", _TS)
AT_FAULT[(f"python-axolotl,{LIBSIGNAL_CLASSIC}", "prop/signal/random-conversation")] = (
    "receiver",
    "python-axolotl",
)


def at_fault(report: dict[str, Any]) -> dict[tuple[str, str], tuple[str, str]]:
    """The party at fault of every failing pair and property result, by pair and check."""
    out: dict[tuple[str, str], tuple[str, str]] = {}
    for r in report["results"]:
        fault = r.get("fault")
        if fault and r.get("observed", r["outcome"]) in ("fail", "error"):
            out[(",".join(r["adapters"]), r["check"])] = (
                fault["party"],
                ",".join(fault["adapters"]),
            )
    return out


def expected_at_fault(report: dict[str, Any]) -> dict[tuple[str, str], tuple[str, str]]:
    """What :data:`AT_FAULT` says of the report's failing pair and property results: the
    listed ones as listed, every other one the receiver's (the pair's second adapter)."""
    out = {}
    for key in at_fault(report):
        pair = key[0].split(",")
        out[key] = AT_FAULT.get(key, ("receiver", pair[1]))
    return out


def findings(report: dict[str, Any]) -> Counter[tuple[str, str]]:
    """Failing (and erroring) results of a report by (adapters, first flag), a pair check by
    its check id."""
    out: Counter[tuple[str, str]] = Counter()
    for r in report["results"]:
        if r.get("observed", r["outcome"]) in ("fail", "error"):
            live = ("pair/", "prop/", "group/")
            default = r["check"] if r["check"].startswith(live) else r["outcome"]
            flag = (r.get("flags") or [default])[0]
            out[(",".join(r["adapters"]), flag)] += 1
    return out


def total() -> int:
    return sum(KNOWN.values())


# MLS live groups, groups and properties (issue 19): every failing result of pair/mls/*,
# group/mls/* and prop/mls/* under --seed 7, with the party at fault. What they come from (RFC
# 9420 sections; README "MLS (RFC 9420): live groups" has the story):
# - rfc9420 1.3.0: its exporter does not hash the context (§8.5); every UpdatePath it makes is
#   refused (§7.5, §12.4.2); it refuses valid Add-with-path commits whose other branch holds only
#   the newcomer (§4.1.2); its restored sender reuses generation 0 (§9.1); a PrivateMessage is
#   read twice (§9.2); its GroupInfo's external_pub lacks its length prefix (§12.4.3.2), which
#   OpenMLS refuses ("Malformed").
# - openmls (core-crypto 10.3.0): its groups require x509 credentials, refusing basic-only key
#   packages, and it takes no PrivateMessage commits and only Wire client ids: declared quirks
#   RFC 9420 allows (§11.1, §6, §5.3.1), charged to it as the refusing party; it accepts a
#   PublicMessage commit with a shortened length prefix (§2.1.2, §6.1).
# - ts-mls 1.6.4: a flipped enum or optional<T> presence byte crashes its decoder or is read as
#   absent (§2.1, §6.1).
# - rine-mls 0.1.1: it keeps every past epoch's secrets (§14, §16.6).
# Where a pair or group failure names two adapters, too few implementations ran it to tell.
_MLS_LIVE: dict[tuple[str, str], tuple[str, str]] = {
    ("mls-rs,openmls,reference,rfc9420,rine-mls,ts-mls", "group/mls/large"): ("sender", "rfc9420"),
    ("openmls,reference,rfc9420,rine-mls,ts-mls,mls-rs", "group/mls/large"): (
        "receiver",
        "openmls",
    ),
    ("reference,rfc9420,rine-mls,ts-mls,mls-rs,openmls", "group/mls/large"): (
        "undetermined",
        "reference,rfc9420",
    ),
    ("rfc9420,rine-mls,ts-mls,mls-rs,openmls,reference", "group/mls/large"): (
        "undetermined",
        "rfc9420,openmls",
    ),
    ("rine-mls,ts-mls,mls-rs,openmls,reference,rfc9420", "group/mls/large"): (
        "receiver",
        "rfc9420",
    ),
    ("ts-mls,mls-rs,openmls,reference,rfc9420,rine-mls", "group/mls/large"): ("sender", "rfc9420"),
    ("mls-rs,rfc9420,rfc9420", "group/mls/three-members"): ("undetermined", "mls-rs,rfc9420"),
    ("openmls,mls-rs,openmls", "group/mls/three-members"): ("receiver", "openmls"),
    ("openmls,openmls,reference", "group/mls/three-members"): ("receiver", "openmls"),
    ("openmls,reference,rfc9420", "group/mls/three-members"): ("receiver", "openmls"),
    ("openmls,rfc9420,rine-mls", "group/mls/three-members"): ("receiver", "openmls"),
    ("openmls,rine-mls,ts-mls", "group/mls/three-members"): ("receiver", "openmls"),
    ("openmls,ts-mls,mls-rs", "group/mls/three-members"): ("receiver", "openmls"),
    ("reference,openmls,rfc9420", "group/mls/three-members"): ("receiver", "rfc9420"),
    ("reference,rfc9420,ts-mls", "group/mls/three-members"): ("undetermined", "reference,rfc9420"),
    ("rfc9420,mls-rs,rfc9420", "group/mls/three-members"): ("undetermined", "rfc9420,mls-rs"),
    ("rfc9420,openmls,rine-mls", "group/mls/three-members"): ("undetermined", "rfc9420,openmls"),
    ("rfc9420,reference,ts-mls", "group/mls/three-members"): ("undetermined", "rfc9420,reference"),
    ("rfc9420,rfc9420,mls-rs", "group/mls/three-members"): ("undetermined", "rfc9420,mls-rs"),
    ("rfc9420,rine-mls,openmls", "group/mls/three-members"): ("undetermined", "rine-mls,rfc9420"),
    ("rfc9420,ts-mls,reference", "group/mls/three-members"): ("undetermined", "rfc9420,ts-mls"),
    ("rine-mls,openmls,ts-mls", "group/mls/three-members"): ("receiver", "openmls"),
    ("rine-mls,rfc9420,openmls", "group/mls/three-members"): ("undetermined", "rfc9420,openmls"),
    ("rine-mls,ts-mls,rfc9420", "group/mls/three-members"): ("sender", "rfc9420"),
    ("ts-mls,rfc9420,reference", "group/mls/three-members"): ("undetermined", "ts-mls,rfc9420"),
    ("ts-mls,rine-mls,rfc9420", "group/mls/three-members"): ("sender", "rfc9420"),
    ("reference,openmls", "pair/mls/lifecycle-private"): ("receiver", "openmls"),
    ("reference,rfc9420", "pair/mls/lifecycle-private"): ("undetermined", "reference,rfc9420"),
    ("ts-mls,openmls", "pair/mls/lifecycle-private"): ("receiver", "openmls"),
    ("ts-mls,rfc9420", "pair/mls/lifecycle-private"): ("undetermined", "ts-mls,rfc9420"),
    ("mls-rs,rfc9420", "pair/mls/lifecycle-public"): ("receiver", "rfc9420"),
    ("openmls,mls-rs", "pair/mls/lifecycle-public"): ("receiver", "openmls"),
    ("openmls,reference", "pair/mls/lifecycle-public"): ("receiver", "openmls"),
    ("openmls,rfc9420", "pair/mls/lifecycle-public"): ("receiver", "openmls"),
    ("openmls,rine-mls", "pair/mls/lifecycle-public"): ("receiver", "openmls"),
    ("reference,rfc9420", "pair/mls/lifecycle-public"): ("receiver", "rfc9420"),
    ("rfc9420,mls-rs", "pair/mls/lifecycle-public"): ("sender", "rfc9420"),
    ("rfc9420,openmls", "pair/mls/lifecycle-public"): ("sender", "rfc9420"),
    ("rfc9420,reference", "pair/mls/lifecycle-public"): ("sender", "rfc9420"),
    ("rfc9420,rfc9420", "pair/mls/lifecycle-public"): ("both", "rfc9420"),
    ("rfc9420,rine-mls", "pair/mls/lifecycle-public"): ("sender", "rfc9420"),
    ("rfc9420,ts-mls", "pair/mls/lifecycle-public"): ("sender", "rfc9420"),
    ("rine-mls,openmls", "pair/mls/lifecycle-public"): ("receiver", "openmls"),
    ("rine-mls,rfc9420", "pair/mls/lifecycle-public"): ("sender", "rfc9420"),
    ("ts-mls,rfc9420", "pair/mls/lifecycle-public"): ("receiver", "rfc9420"),
    ("mls-rs,rfc9420", "pair/mls/welcome"): ("undetermined", "mls-rs,rfc9420"),
    ("openmls,mls-rs", "pair/mls/welcome"): ("receiver", "openmls"),
    ("openmls,reference", "pair/mls/welcome"): ("receiver", "openmls"),
    ("openmls,rfc9420", "pair/mls/welcome"): ("receiver", "openmls"),
    ("openmls,rine-mls", "pair/mls/welcome"): ("receiver", "openmls"),
    ("reference,rfc9420", "pair/mls/welcome"): ("undetermined", "reference,rfc9420"),
    ("rfc9420,mls-rs", "pair/mls/welcome"): ("undetermined", "rfc9420,mls-rs"),
    ("rfc9420,openmls", "pair/mls/welcome"): ("undetermined", "rfc9420,openmls"),
    ("rfc9420,reference", "pair/mls/welcome"): ("undetermined", "rfc9420,reference"),
    ("rfc9420,ts-mls", "pair/mls/welcome"): ("undetermined", "rfc9420,ts-mls"),
    ("rine-mls,openmls", "pair/mls/welcome"): ("receiver", "openmls"),
    ("ts-mls,rfc9420", "pair/mls/welcome"): ("undetermined", "ts-mls,rfc9420"),
    ("openmls,mls-rs", "prop/mls/forged-commits"): ("receiver", "openmls"),
    ("openmls,openmls", "prop/mls/forged-commits"): ("receiver", "openmls"),
    ("openmls,reference", "prop/mls/forged-commits"): ("receiver", "openmls"),
    ("openmls,rfc9420", "prop/mls/forged-commits"): ("receiver", "openmls"),
    ("openmls,rine-mls", "prop/mls/forged-commits"): ("receiver", "openmls"),
    ("openmls,ts-mls", "prop/mls/forged-commits"): ("receiver", "openmls"),
    ("reference,rfc9420", "prop/mls/forged-commits"): ("undetermined", "reference,rfc9420"),
    ("rfc9420,mls-rs", "prop/mls/forged-commits"): ("sender", "rfc9420"),
    ("rfc9420,openmls", "prop/mls/forged-commits"): ("sender", "rfc9420"),
    ("rfc9420,reference", "prop/mls/forged-commits"): ("sender", "rfc9420"),
    ("rfc9420,rfc9420", "prop/mls/forged-commits"): ("both", "rfc9420"),
    ("rfc9420,rine-mls", "prop/mls/forged-commits"): ("sender", "rfc9420"),
    ("rfc9420,ts-mls", "prop/mls/forged-commits"): ("sender", "rfc9420"),
    ("rine-mls,rfc9420", "prop/mls/forged-commits"): ("undetermined", "rine-mls,rfc9420"),
    ("mls-rs,rfc9420", "prop/mls/forward-secrecy"): ("receiver", "rfc9420"),
    ("mls-rs,rine-mls", "prop/mls/forward-secrecy"): ("receiver", "rine-mls"),
    ("openmls,mls-rs", "prop/mls/forward-secrecy"): ("receiver", "openmls"),
    ("openmls,reference", "prop/mls/forward-secrecy"): ("receiver", "openmls"),
    ("openmls,rfc9420", "prop/mls/forward-secrecy"): ("receiver", "openmls"),
    ("openmls,rine-mls", "prop/mls/forward-secrecy"): ("receiver", "openmls"),
    ("reference,rfc9420", "prop/mls/forward-secrecy"): ("receiver", "rfc9420"),
    ("reference,rine-mls", "prop/mls/forward-secrecy"): ("receiver", "rine-mls"),
    ("rfc9420,openmls", "prop/mls/forward-secrecy"): ("undetermined", "rfc9420,openmls"),
    ("rfc9420,rfc9420", "prop/mls/forward-secrecy"): ("receiver", "rfc9420"),
    ("rfc9420,rine-mls", "prop/mls/forward-secrecy"): ("receiver", "rine-mls"),
    ("rine-mls,openmls", "prop/mls/forward-secrecy"): ("undetermined", "rine-mls,openmls"),
    ("rine-mls,rfc9420", "prop/mls/forward-secrecy"): ("receiver", "rfc9420"),
    ("rine-mls,rine-mls", "prop/mls/forward-secrecy"): ("receiver", "rine-mls"),
    ("ts-mls,rfc9420", "prop/mls/forward-secrecy"): ("receiver", "rfc9420"),
    ("ts-mls,rine-mls", "prop/mls/forward-secrecy"): ("receiver", "rine-mls"),
    ("openmls,mls-rs", "prop/mls/out-of-order"): ("receiver", "openmls"),
    ("openmls,reference", "prop/mls/out-of-order"): ("receiver", "openmls"),
    ("openmls,rfc9420", "prop/mls/out-of-order"): ("receiver", "openmls"),
    ("openmls,rine-mls", "prop/mls/out-of-order"): ("receiver", "openmls"),
    ("rfc9420,mls-rs", "prop/mls/out-of-order"): ("sender", "rfc9420"),
    ("rfc9420,openmls", "prop/mls/out-of-order"): ("sender", "rfc9420"),
    ("rfc9420,reference", "prop/mls/out-of-order"): ("sender", "rfc9420"),
    ("rfc9420,rine-mls", "prop/mls/out-of-order"): ("sender", "rfc9420"),
    ("rfc9420,ts-mls", "prop/mls/out-of-order"): ("sender", "rfc9420"),
    ("rine-mls,openmls", "prop/mls/out-of-order"): ("receiver", "openmls"),
    ("openmls,mls-rs", "prop/mls/post-compromise-security"): ("receiver", "openmls"),
    ("openmls,reference", "prop/mls/post-compromise-security"): ("receiver", "openmls"),
    ("openmls,rfc9420", "prop/mls/post-compromise-security"): ("receiver", "openmls"),
    ("openmls,rine-mls", "prop/mls/post-compromise-security"): ("receiver", "openmls"),
    ("rfc9420,mls-rs", "prop/mls/post-compromise-security"): ("sender", "rfc9420"),
    ("rfc9420,openmls", "prop/mls/post-compromise-security"): ("sender", "rfc9420"),
    ("rfc9420,reference", "prop/mls/post-compromise-security"): ("sender", "rfc9420"),
    ("rfc9420,rfc9420", "prop/mls/post-compromise-security"): ("both", "rfc9420"),
    ("rfc9420,rine-mls", "prop/mls/post-compromise-security"): ("sender", "rfc9420"),
    ("rfc9420,ts-mls", "prop/mls/post-compromise-security"): ("sender", "rfc9420"),
    ("mls-rs,rfc9420", "prop/mls/removed-member"): ("receiver", "rfc9420"),
    ("openmls,mls-rs", "prop/mls/removed-member"): ("receiver", "openmls"),
    ("openmls,reference", "prop/mls/removed-member"): ("receiver", "openmls"),
    ("openmls,rfc9420", "prop/mls/removed-member"): ("receiver", "openmls"),
    ("openmls,rine-mls", "prop/mls/removed-member"): ("receiver", "openmls"),
    ("reference,rfc9420", "prop/mls/removed-member"): ("receiver", "rfc9420"),
    ("rfc9420,mls-rs", "prop/mls/removed-member"): ("sender", "rfc9420"),
    ("rfc9420,openmls", "prop/mls/removed-member"): ("sender", "rfc9420"),
    ("rfc9420,reference", "prop/mls/removed-member"): ("receiver", "rfc9420"),
    ("rfc9420,rfc9420", "prop/mls/removed-member"): ("both", "rfc9420"),
    ("rfc9420,rine-mls", "prop/mls/removed-member"): ("sender", "rfc9420"),
    ("rfc9420,ts-mls", "prop/mls/removed-member"): ("sender", "rfc9420"),
    ("rine-mls,rfc9420", "prop/mls/removed-member"): ("receiver", "rfc9420"),
    ("ts-mls,rfc9420", "prop/mls/removed-member"): ("receiver", "rfc9420"),
    ("mls-rs,rfc9420", "prop/mls/replay"): ("receiver", "rfc9420"),
    ("openmls,mls-rs", "prop/mls/replay"): ("receiver", "openmls"),
    ("openmls,reference", "prop/mls/replay"): ("receiver", "openmls"),
    ("openmls,rfc9420", "prop/mls/replay"): ("receiver", "openmls"),
    ("openmls,rine-mls", "prop/mls/replay"): ("receiver", "openmls"),
    ("reference,rfc9420", "prop/mls/replay"): ("receiver", "rfc9420"),
    ("rfc9420,mls-rs", "prop/mls/replay"): ("sender", "rfc9420"),
    ("rfc9420,openmls", "prop/mls/replay"): ("sender", "rfc9420"),
    ("rfc9420,reference", "prop/mls/replay"): ("sender", "rfc9420"),
    ("rfc9420,rfc9420", "prop/mls/replay"): ("receiver", "rfc9420"),
    ("rfc9420,rine-mls", "prop/mls/replay"): ("sender", "rfc9420"),
    ("rfc9420,ts-mls", "prop/mls/replay"): ("sender", "rfc9420"),
    ("rine-mls,openmls", "prop/mls/replay"): ("undetermined", "rine-mls,openmls"),
    ("rine-mls,rfc9420", "prop/mls/replay"): ("receiver", "rfc9420"),
    ("ts-mls,rfc9420", "prop/mls/replay"): ("receiver", "rfc9420"),
    ("mls-rs,openmls", "prop/mls/tampering"): ("receiver", "openmls"),
    ("mls-rs,ts-mls", "prop/mls/tampering"): ("receiver", "ts-mls"),
    ("openmls,mls-rs", "prop/mls/tampering"): ("receiver", "openmls"),
    ("openmls,openmls", "prop/mls/tampering"): ("receiver", "openmls"),
    ("openmls,reference", "prop/mls/tampering"): ("receiver", "openmls"),
    ("openmls,rfc9420", "prop/mls/tampering"): ("receiver", "openmls"),
    ("openmls,rine-mls", "prop/mls/tampering"): ("receiver", "openmls"),
    ("openmls,ts-mls", "prop/mls/tampering"): ("receiver", "ts-mls"),
    ("reference,openmls", "prop/mls/tampering"): ("receiver", "openmls"),
    ("reference,ts-mls", "prop/mls/tampering"): ("receiver", "ts-mls"),
    ("rfc9420,mls-rs", "prop/mls/tampering"): ("sender", "rfc9420"),
    ("rfc9420,openmls", "prop/mls/tampering"): ("both", "rfc9420,openmls"),
    ("rfc9420,reference", "prop/mls/tampering"): ("sender", "rfc9420"),
    ("rfc9420,rine-mls", "prop/mls/tampering"): ("sender", "rfc9420"),
    ("rfc9420,ts-mls", "prop/mls/tampering"): ("receiver", "ts-mls"),
    ("rine-mls,openmls", "prop/mls/tampering"): ("receiver", "openmls"),
    ("rine-mls,rfc9420", "prop/mls/tampering"): ("undetermined", "rine-mls,rfc9420"),
    ("rine-mls,ts-mls", "prop/mls/tampering"): ("receiver", "ts-mls"),
    ("ts-mls,openmls", "prop/mls/tampering"): ("receiver", "openmls"),
    ("ts-mls,ts-mls", "prop/mls/tampering"): ("receiver", "ts-mls"),
    ("mls-rs,openmls", "prop/mls/tampering-every-bit"): ("receiver", "openmls"),
    ("openmls,reference", "prop/mls/tampering-every-bit"): ("receiver", "openmls"),
    ("rfc9420,rine-mls", "prop/mls/tampering-every-bit"): ("undetermined", "rfc9420,rine-mls"),
    ("rine-mls,ts-mls", "prop/mls/tampering-every-bit"): ("receiver", "ts-mls"),
}
for _key, _fault in _MLS_LIVE.items():
    KNOWN[_key] = 1
    AT_FAULT[_key] = _fault

# Attacks from the field (issue 20), under --seed 7:
# - rine-mls 0.1.1 seals a Welcome and path secrets to low-order X25519 keys in every place
#   (RFC 9180 §7.1.4 requires the all-zero check; RFC 9420 uses HPKE there): its own failure.
# - mls-rs 0.55.0's binding keeps a client between its key package and its Welcome in the
#   adapter's process (it cannot export the key package's private keys): after a restart the
#   client is gone (pair/mls/restart, charged to it).
# - The restart checks of pairs that fail without any restart (libsignal 0.72.1 with the
#   TypeScript library: version bytes; rfc9420 with rine-mls: rfc9420's UpdatePaths) fail the
#   same way as their other pair checks, too few pairs of the cycle to tell who is at fault.
_ATTACKS: dict[tuple[str, str], tuple[str, str]] = {
    **{
        ("rine-mls,rine-mls", f"prop/mls/low-order-{place}"): ("receiver", "rine-mls")
        for place in ("init-key", "leaf-key", "path-leaf-key", "path-node-key")
    },
    ("ts-mls,mls-rs", "pair/mls/restart"): ("receiver", "mls-rs"),
    (_LS_TS, "pair/signal/restart"): ("undetermined", _LS_TS),
    (_LS_TS, "prop/signal/crash-restart"): ("undetermined", _LS_TS),
    ("rfc9420,rine-mls", "pair/mls/restart"): ("undetermined", "rfc9420,rine-mls"),
    ("rfc9420,rine-mls", "prop/mls/crash-restart"): ("undetermined", "rfc9420,rine-mls"),
}
for _key, _fault in _ATTACKS.items():
    KNOWN[_key] = 1
    AT_FAULT[_key] = _fault
