"""Renderings of ``report.json``: JUnit XML, Markdown, a self-contained HTML page, JSON, and a
shields.io badge.

Each writer is a function of the report dict alone, so ``e2ee-conformance report`` can re-render
any saved report and a merged report renders exactly like a single run's.

Each writer escapes adapter text for its own syntax (docs/adapter-protocol.md, "Limits on what an
adapter sends"); :func:`render` then makes sure whatever it returns can be written as UTF-8, so a
lone surrogate a writer let through costs one U+FFFD, never the report.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from .. import untrusted
from ..errors import ConfigurationError

__all__ = ["FORMATS", "json_text", "parse_formats", "render", "write_outputs"]

#: format -> file name written into the output folder.
FORMATS: dict[str, str] = {
    "json": "report.json",
    "junit": "junit.xml",
    "md": "report.md",
    "html": "index.html",
    "badge": "badge.json",
}


def _json(report: Mapping[str, Any]) -> str:
    return json_text(report)


#: Lists of records in a report: one record per line.
_LINED = ("results", "unsupported")


def _compact(value: object) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def json_text(value: object) -> str:
    """``value`` as the suite's JSON (compact, UTF-8 kept readable; a report with each
    top-level key and each result on a line of its own, so it greps and diffs by record and
    stays small), valid UTF-8 and inert on a terminal whatever strings it holds
    (:func:`conformance.untrusted.json_safe`): a lone surrogate becomes U+FFFD rather than an
    escape that strict JSON readers refuse."""
    if not isinstance(value, Mapping):
        return untrusted.json_safe(_compact(value)) + "\n"
    members = []
    for key, item in value.items():
        if key in _LINED and isinstance(item, list):
            lines = ",\n".join(_compact(x) for x in item)
            members.append(f"{_compact(key)}:[\n{lines}\n]" if item else f"{_compact(key)}:[]")
        else:
            members.append(f"{_compact(key)}:{_compact(item)}")
    return untrusted.json_safe("{\n" + ",\n".join(members) + "\n}") + "\n"


def _renderer(fmt: str) -> Callable[[Mapping[str, Any]], str]:
    if fmt == "json":
        return _json
    if fmt == "junit":
        from .junit import render_junit

        return render_junit
    if fmt == "md":
        from .markdown import render_markdown

        return render_markdown
    if fmt == "html":
        from .html import render_html

        return render_html
    if fmt == "badge":
        from .badge import render_badge

        return render_badge
    raise ConfigurationError(f"unknown report format {fmt!r}; formats: {', '.join(FORMATS)}")


def render(report: Mapping[str, Any], fmt: str) -> str:
    return untrusted.storable(_renderer(fmt)(report))


def parse_formats(values: Iterable[str]) -> list[str]:
    """``--format junit,md`` (repeatable) -> formats in canonical order; empty means all."""
    wanted: set[str] = set()
    for value in values:
        for fmt in value.split(","):
            fmt = fmt.strip().lower()
            if fmt == "markdown":
                fmt = "md"
            if fmt == "xml":
                fmt = "junit"
            if fmt not in FORMATS:
                raise ConfigurationError(
                    f"unknown report format {fmt!r}; formats: {', '.join(FORMATS)}"
                )
            wanted.add(fmt)
    return [f for f in FORMATS if f in wanted] if wanted else list(FORMATS)


def write_outputs(report: Mapping[str, Any], out: Path, formats: Iterable[str]) -> list[Path]:
    """Write each format into ``out`` (atomically, so a reader never sees half a file); JSON is
    always written, since every other format can be re-rendered from it."""
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for fmt in dict.fromkeys(["json", *formats]):
        path = out / FORMATS[fmt]
        # Unique per process: two writers must not share (and truncate) one temporary file.
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(render(report, fmt), encoding="utf-8")
        tmp.replace(path)
        written.append(path)
    return written
