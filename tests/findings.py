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
    # @hpke/core (through @hpke/common 1.10.1) writes the two-byte length of LabeledExpand
    # (RFC 9180 §4) as [0, L mod 256], so every export of 256 bytes or more is wrong.
    ("hpke-js", "TwoByteLength"): 16,
}


def findings(report: dict[str, Any]) -> Counter[tuple[str, str]]:
    """Failing (and erroring) results of a report by (adapter, first flag)."""
    out: Counter[tuple[str, str]] = Counter()
    for r in report["results"]:
        if r.get("observed", r["outcome"]) in ("fail", "error"):
            flag = (r.get("flags") or [r["outcome"]])[0]
            out[(",".join(r["adapters"]), flag)] += 1
    return out


def total() -> int:
    return sum(KNOWN.values())
