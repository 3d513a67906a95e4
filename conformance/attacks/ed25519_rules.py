"""``prop/primitives/ed25519-rules``: which Ed25519 verification rule set an implementation
follows (RFC 8032 §5.1.7 cofactorless or cofactored, ZIP-215, strict), measured on inputs where
the rule sets disagree (:mod:`.ed25519_cases`), rather than a pass or fail per case.

RFC 8032 lets a verifier use either equation (§5.1.7) and ZIP-215 relaxes §5.1.3's decoding, so
several answers are right; what is wrong is a pattern that matches none of them. The
implementation verifies every case; its accept/refuse pattern is compared with each model of
:data:`conformance.reference.ed25519_rules.RULE_SETS`. It passes when the pattern equals a
conforming rule set's (possibly several: on a given file two rule sets may agree). It fails when
it accepts a case every rule set refuses (S >= L, say), when it follows only a rule set RFC 8032
forbids (ref10 accepts a non-canonical A, §5.1.3), or when it matches none; the detail names the
closest rule set and the first cases (by their ``number`` in the file) where they differ.
"""

from __future__ import annotations

from typing import Any

from ..errors import ProtocolError, Unsupported
from ..interop import PairFailure, PairScenario, Played, Rng
from ..model import SpecRef
from ..reference.ed25519_rules import RULE_SETS
from . import ed25519_cases
from .ed25519_cases import CaseSet

__all__ = ["NAME", "SCENARIOS", "classify"]

NAME = "ed25519-rules"
#: How many differing case numbers a detail names.
_SHOWN = 5

SPEC = (
    SpecRef("RFC 8032", "5.1.3", "MUST"),
    SpecRef("RFC 8032", "5.1.7"),
    SpecRef("ZIP-215", "Specification"),
)


def _numbers(numbers: list[int]) -> str:
    shown = ", ".join(str(n) for n in numbers[:_SHOWN])
    return shown + (f" and {len(numbers) - _SHOWN} more" if len(numbers) > _SHOWN else "")


def classify(accepted: list[bool], cases: CaseSet) -> tuple[dict[str, str | int], str | None]:
    """The measured values of one accept/refuse pattern over ``cases`` and, when it fails, why.

    ``rules`` names every rule set matched exactly (or "none"); ``closest`` the one with the
    fewest differing cases (the first in RULE_SETS order on a tie) and ``differs`` that count.
    """
    differing = [
        [c.number for c, ok in zip(cases.cases, accepted, strict=True) if ok != c.verdicts[i]]
        for i in range(len(RULE_SETS))
    ]
    best = min(range(len(RULE_SETS)), key=lambda i: len(differing[i]))
    exact = [RULE_SETS[i] for i in range(len(RULE_SETS)) if not differing[i]]
    measured: dict[str, str | int] = {
        "rules": " / ".join(rs.name for rs in exact) or "none",
        "closest": RULE_SETS[best].name,
        "differs": len(differing[best]),
        "accepted": sum(accepted),
        "cases": len(accepted),
        "source": cases.source,
    }
    never = [
        c.number for c, ok in zip(cases.cases, accepted, strict=True) if ok and not any(c.verdicts)
    ]
    if never:
        return measured, (
            f"accepted {len(never)} case(s) every rule set refuses (cases {_numbers(never)})"
        )
    if any(rs.conforming for rs in exact):
        return measured, None
    if exact:
        near = min(
            (i for i in range(len(RULE_SETS)) if RULE_SETS[i].conforming),
            key=lambda i: len(differing[i]),
        )
        return measured, (
            f"follows {measured['rules']}, which accepts encodings RFC 8032 §5.1.3 requires to be "
            f"refused; the closest conforming rule set, {RULE_SETS[near].name}, differs on "
            f"{len(differing[near])} cases (cases {_numbers(differing[near])})"
        )
    return measured, (
        f"follows no known rule set: closest is {RULE_SETS[best].name}, differing on "
        f"{len(differing[best])} of {len(accepted)} cases (cases {_numbers(differing[best])})"
    )


def _play(a: Any, b: Any, rng: Rng) -> Played:
    # The suite is the other side; ``b`` is the same implementation and the inputs are fixed,
    # so the randomness is not drawn from.
    del b, rng
    cases = ed25519_cases.current()
    accepted = []
    for case in cases.cases:
        try:
            a.ed25519_verify(case.key, case.msg, case.sig)
        except Unsupported:
            raise
        except ProtocolError:
            accepted.append(False)
        else:
            accepted.append(True)
    measured, failure = classify(accepted, cases)
    if failure is not None:
        raise PairFailure(failure, receiver="bob", receiver_fault=True, measured=measured)
    return Played(None, measured)


SCENARIOS = [
    PairScenario(
        NAME,
        "primitives",
        "ed25519",
        "Which Ed25519 verification rule set (RFC 8032 cofactorless or cofactored, ZIP-215, "
        "strict) the implementation follows, on inputs where they disagree",
        SPEC,
        _play,
        kind="prop",
        bug_type="EDGE_CASE",
        plan="each",
    )
]
