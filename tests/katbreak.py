"""One row of the table of broken variants (tests/test_kat_kinds_catch_broken.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

Caps = dict[str, object]


@dataclass(frozen=True)
class KatBreak:
    """One broken variant of one check kind, and the vector file that must catch it."""

    #: The check kind (vector group type).
    kind: str
    #: The vector file, relative to the vectors folder.
    file: str
    #: The healthy implementation's capabilities.
    healthy: Callable[[], Caps]
    #: The broken implementation's capabilities.
    broken: Callable[[], Caps]
    #: A case comment or flag that must be among the failures (None: any failure).
    caught_by: str | None
    #: The id of the row: the broken variant's name.
    name: str
    #: Why a check cannot catch it yet: the row is xfail(strict=True) with this reason.
    xfail: str | None = None
