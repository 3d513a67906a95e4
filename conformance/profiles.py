"""Profiles: the verdict policy of a protocol context for the behaviours a spec leaves open.

Some behaviours differ between implementations by design, and the spec allows each: whether a
pre-key message on a fallback key may start a second session, whether a library refuses a
repeated Megolm index or leaves that to the application, whether a 32-bit index wraps. Vectors
mark such cases ``acceptable`` with a flag, and pair scenarios record what the receiver did;
either way the result carries a ``behaviour`` (accepted or rejected), and the report shows who
did what. A profile says, per flag, which behaviours a context requires: ``either`` (the
family's default, taken from its spec), ``accept`` or ``reject``. Under ``--profile NAME`` a
behaviour the profile does not allow turns the result into a failure that names the profile.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from .errors import ConfigurationError
from .results import CheckResult, Fault

__all__ = ["PROFILES", "Profile", "apply_profile", "profile"]

Choice = Literal["either", "accept", "reject"]


@dataclass(frozen=True)
class Profile:
    name: str
    description: str
    #: flag -> what the profile requires, with the reason (spec or deployment rule) behind it.
    choices: Mapping[str, tuple[Choice, str]]

    def allows(self, flag: str, behaviour: str) -> bool:
        choice = self.choices.get(flag, ("either", ""))[0]
        return choice == "either" or (choice == "accept") == (behaviour == "accepted")

    def to_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "description": self.description,
            "choices": {f: {"requires": c, "why": why} for f, (c, why) in self.choices.items()},
        }


_SPEC_OLM = "libolm docs/olm.md"
_SPEC_MEGOLM = "libolm docs/megolm.md"

#: The families' own choices: everything their specs leave open stays open.
DEFAULT = Profile(
    "spec",
    "What libolm's docs/olm.md and docs/megolm.md allow: every open behaviour is acceptable.",
    {
        "FallbackKeyReplay": (
            "either",
            f"{_SPEC_OLM}: fallback keys stay until replaced, so a replayed pre-key message "
            "on one may start a session again",
        ),
        "PreKeyOuterVersion": ("either", f"{_SPEC_OLM}: nothing authenticates the outer byte"),
        "PreKeyCurrentVersion": (
            "either",
            "libsignal protocol.rs reads only the high nibble (the message version) of a "
            "PreKeySignalMessage's version byte; nothing authenticates the low one",
        ),
        "SkippedKeyEviction": (
            "either",
            f"{_SPEC_OLM} sets no limit; libolm keeps 40 skipped keys per session, vodozemac 40 "
            "per receiving chain",
        ),
        "MegolmIndexReplay": (
            "either",
            f"{_SPEC_MEGOLM} Limitations: replay detection is the application's job",
        ),
        "CounterWraparound": ("either", f"{_SPEC_MEGOLM}: the index is a 32-bit counter"),
        "LowOrderPublicKey": (
            "either",
            "RFC 7748 §6.1: a party MAY check for the all-zero shared secret; libolm docs/olm.md "
            "and the Signal X3DH, PQXDH and Double Ratchet specifications do not require it "
            "(HPKE and MLS do, RFC 9180 §7.1.4: those checks fail on acceptance in every profile)",
        ),
    },
)

#: A stricter context: a library that claims to protect its application from replays itself.
STRICT = Profile(
    "strict",
    "For a library that promises replay protection and strict parsing to its application.",
    {
        "FallbackKeyReplay": (
            "reject",
            "a replayed pre-key message must not create a second session",
        ),
        "PreKeyOuterVersion": ("reject", "a message with an unknown version must be refused"),
        "PreKeyCurrentVersion": ("reject", "a message with an unknown version must be refused"),
        "SkippedKeyEviction": ("either", "any bounded store is safe"),
        "MegolmIndexReplay": ("reject", "the library itself must refuse a repeated index"),
        "CounterWraparound": ("either", "no deployment reaches 2^32 messages"),
        "LowOrderPublicKey": (
            "reject",
            "a low-order or non-canonical peer key makes the shared secret known to an "
            "attacker (non-contributory key agreement): it must be refused",
        ),
    },
)

PROFILES: dict[str, Profile] = {p.name: p for p in (DEFAULT, STRICT)}


def profile(name: str) -> Profile:
    found = PROFILES.get(name)
    if found is None:
        raise ConfigurationError(f"unknown profile {name!r}; profiles: {', '.join(PROFILES)}")
    return found


def _behaved(r: CheckResult, name: str) -> Fault | None:
    """A pair result's behaviour is its second party's (B, the receiver; for an attack the
    suite plays, plan "each", the implementation itself): that party is charged."""
    if len(r.adapters) < 2:
        return r.fault
    first, second = r.adapters[0], r.adapters[1]
    return Fault(
        "receiver",
        (second,),
        f"{second} {r.behaviour} what profile {name} requires it to refuse or accept otherwise",
        sender=first,
        receiver=second,
    )


def apply_profile(results: Sequence[CheckResult], chosen: Profile) -> list[CheckResult]:
    """The results with every behaviour the profile forbids turned into a failure."""
    out = []
    for r in results:
        if r.outcome == "pass" and r.behaviour is not None:
            bad = [f for f in r.flags if not chosen.allows(f, r.behaviour)]
            if bad:
                why = "; ".join(f"{f}: {chosen.choices[f][1]}" for f in bad)
                r = replace(
                    r,
                    outcome="fail",
                    detail=f"profile {chosen.name} does not allow {r.behaviour} here ({why})",
                    fault=_behaved(r, chosen.name),
                )
        out.append(r)
    return out
