"""Where the data that travels with the suite lives.

In a built wheel the top-level ``vectors/``, ``adapters/`` and ``reports/`` folders are packed
under ``conformance/_data/``; in a checkout (or an editable install) they sit beside the package.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

__all__ = ["adapters_dir", "data_root", "report_schema_path", "vectors_dir"]

_PACKAGE = Path(__file__).resolve().parent


@cache
def data_root() -> Path:
    """The folder holding ``vectors/``, ``adapters/`` and ``reports/``."""
    packed = _PACKAGE / "_data"
    if (packed / "vectors").is_dir():
        return packed
    return _PACKAGE.parent


def vectors_dir() -> Path:
    return data_root() / "vectors"


def adapters_dir() -> Path:
    return data_root() / "adapters"


def report_schema_path() -> Path:
    return data_root() / "reports" / "report.schema.json"
