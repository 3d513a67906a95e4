"""Which cases a run executes: the tier, ``--case`` patterns, and the ``--shard`` slice.

Selection is a pure function of the vector files and these options, so the same options give the
same checks on every machine: that is what makes shards mergeable and a failure reproducible.
"""

from __future__ import annotations

import fnmatch
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, get_args

from .errors import ConfigurationError
from .model import Case, Group, VectorFile

__all__ = ["TIERS", "Selected", "Selection", "Shard", "Tier", "check_prefix"]

Tier = Literal["smoke", "ci", "full"]
TIERS: tuple[Tier, ...] = get_args(Tier)

Selected = tuple[tuple[Group, Case], ...]

#: Bulk random known-answer cases (flag ``Pseudorandom``) per group kept by the ``ci`` tier:
#: they catch gross breakage, which a handful does as well as hundreds; the edge cases, which find
#: the real bugs, are all kept.
CI_PSEUDORANDOM_PER_GROUP = 16


def check_prefix(vf: VectorFile) -> str:
    return f"kat/{vf.name.removesuffix('.json')}/"


@dataclass(frozen=True)
class Shard:
    """Slice ``index`` of ``count`` (1-based). A check belongs to the slice its id hashes to, so
    the slices are disjoint, cover every check, and do not depend on the machine or the order of
    adapters."""

    index: int
    count: int

    @classmethod
    def parse(cls, text: str) -> Shard:
        k, sep, n = text.partition("/")
        try:
            index, count = int(k), int(n)
        except ValueError:
            index = count = 0
        if not sep or count < 1 or not 1 <= index <= count:
            raise ConfigurationError(f"--shard wants K/N with 1 <= K <= N, got {text!r}")
        return cls(index, count)

    def owns(self, check_id: str) -> bool:
        digest = hashlib.sha256(check_id.encode()).digest()
        return int.from_bytes(digest[:8], "big") % self.count == self.index - 1

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


@dataclass(frozen=True)
class Selection:
    tier: Tier = "full"
    patterns: tuple[str, ...] = ()
    shard: Shard | None = None

    def __post_init__(self) -> None:
        if self.tier not in TIERS:
            raise ConfigurationError(f"unknown tier {self.tier!r}; tiers: {', '.join(TIERS)}")

    @property
    def everything(self) -> bool:
        return self.tier == "full" and not self.patterns and self.shard is None

    def pick(self, vf: VectorFile) -> Selected | None:
        """The cases of ``vf`` to run, or None for all of them (the common fast path)."""
        if self.everything:
            return None
        prefix = check_prefix(vf)
        picked: list[tuple[Group, Case]] = []
        for group in vf.groups:
            for case in _tier_cases(self.tier, group):
                cid = prefix + case.id
                if self.patterns and not any(fnmatch.fnmatchcase(cid, p) for p in self.patterns):
                    continue
                if self.shard is not None and not self.shard.owns(cid):
                    continue
                picked.append((group, case))
        return tuple(picked)

    def keeps(self, check_id: str, *, smoke: bool = True, full_only: bool = False) -> bool:
        """Whether a check that is not a vector case (a pair scenario) is selected; ``smoke``
        says whether the smoke tier keeps it, ``full_only`` that only the full tier does (an
        exhaustive variant of a check the ci tier runs in part)."""
        if self.tier == "smoke" and not smoke:
            return False
        if full_only and self.tier != "full":
            return False
        if self.patterns and not any(fnmatch.fnmatchcase(check_id, p) for p in self.patterns):
            return False
        return self.shard is None or self.shard.owns(check_id)

    def describe(self) -> dict[str, object]:
        return {
            "tier": self.tier,
            "cases": list(self.patterns),
            "shard": None
            if self.shard is None
            else {"index": self.shard.index, "count": self.shard.count},
        }


def _tier_cases(tier: Tier, group: Group) -> Sequence[Case]:
    if tier == "full":
        return group.cases
    if tier == "ci":
        kept: list[Case] = []
        random_seen = 0
        for case in group.cases:
            if "Pseudorandom" in case.flags:
                random_seen += 1
                if random_seen > CI_PSEUDORANDOM_PER_GROUP:
                    continue
            kept.append(case)
        return kept
    # smoke: one representative of every (result, flags) kind in the group, the first one, so
    # every kind of bug the group tests for is still probed once.
    seen: set[tuple[str, tuple[str, ...]]] = set()
    reps: list[Case] = []
    for case in group.cases:
        kind = (case.result, tuple(sorted(case.flags)))
        if kind not in seen:
            seen.add(kind)
            reps.append(case)
    return reps
