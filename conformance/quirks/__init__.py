"""``[quirks.<family>]`` in ``adapter.toml``: what an implementation insists on or offers where
its specification lets implementations differ, declared machine-readably so a scenario can plan
around it and a report can say who refused what and whether the specification allowed it.

Each family that reads quirks registers a parser in :data:`PARSERS` (its module says what the
keys mean); the manifest loader calls it, so a wrong key or value is a configuration error
naming the file. Example (``adapters/ts-mls/adapter.toml``)::

    [quirks.mls]
    commit_wire_formats_sent = [1, 2]
    out_of_order_window = 200
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from . import mls as mls_quirks

__all__ = ["PARSERS", "parse_quirks"]

#: family -> parser of its table (raises ValueError with the problem).
PARSERS: dict[str, Callable[[Mapping[str, Any]], object]] = {
    mls_quirks.FAMILY: mls_quirks.parse,
}


def parse_quirks(table: object) -> dict[str, object]:
    """The ``[quirks]`` table: one sub-table per family, each read by its family's parser."""
    if not isinstance(table, dict):
        raise ValueError("quirks must be a table of tables, one per family ([quirks.mls])")
    out: dict[str, object] = {}
    for family, body in table.items():
        parser = PARSERS.get(family)
        if parser is None:
            raise ValueError(
                f"quirks for an unknown family {family!r}; known: {', '.join(sorted(PARSERS))}"
            )
        if not isinstance(body, dict):
            raise ValueError(f"quirks.{family} must be a table")
        try:
            out[family] = parser(body)
        except ValueError as exc:
            raise ValueError(f"quirks.{family}: {exc}") from None
    return out
