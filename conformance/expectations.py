"""Expectations files (``--expect FILE``): known failures, each with its reason, scope and expiry.

A TOML file of ``[[expect]]`` tables::

    [[expect]]
    check = "kat/primitives/ed25519_test/*"   # a check id, or a glob over check ids
    adapter = "cryptography"                  # optional: glob over adapter names
    versions = ">=42,<51"                     # optional: PEP 440 range of that adapter's version
    reason = "OpenSSL decodes y >= p (RFC 8032 5.1.3)"   # required: why it is expected
    link = "https://example.org/issue/1"      # optional
    expires = 2027-03-31                      # optional: after this date the entry fails the gate

A failing result an entry covers becomes ``expected-fail``. A passing result covered by an entry
that names the check exactly becomes ``unexpected-pass`` (the failure is fixed: remove the entry);
a glob only marks where failures may occur, so passes under it stay ``pass``. Unlike free-text
disable lists, every entry is checked on every run: one that covers no failing check (and no
exactly named one) is *stale*, one past its date is *expired*, and both fail the gate unless
``--allow-stale`` is given, so the file cannot quietly rot.
"""

from __future__ import annotations

import fnmatch
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from .errors import ConfigurationError
from .inputfiles import Unreadable, load_toml
from .quoting import file_name, names, shown

__all__ = ["Entry", "Expectations", "baseline_toml", "load_expectations", "release"]

_KEYS = {"check", "adapter", "versions", "reason", "link", "expires"}


@dataclass(frozen=True)
class Entry:
    index: int
    check: str
    reason: str
    adapter: str | None = None
    versions: str | None = None
    link: str | None = None
    expires: date | None = None

    def matches(self, check: str, adapters: Sequence[str], versions: Mapping[str, str]) -> bool:
        if not fnmatch.fnmatchcase(check, self.check):
            return False
        if self.adapter is None:
            return self.versions is None or any(self._in_range(versions.get(a)) for a in adapters)
        return any(
            fnmatch.fnmatchcase(a, self.adapter) and self._in_range(versions.get(a))
            for a in adapters
        )

    def _in_range(self, version: str | None) -> bool:
        if self.versions is None:
            return True
        if version is None:
            return False
        try:
            return release(version) in SpecifierSet(self.versions)
        except InvalidVersion:
            # A version PEP 440 cannot order cannot be placed in a range: the entry does not
            # apply, and shows up as stale rather than silently matching.
            return False

    @property
    def is_glob(self) -> bool:
        return any(c in self.check for c in "*?[")

    def expired(self, today: date) -> bool:
        return self.expires is not None and self.expires < today

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"index": self.index, "check": self.check, "reason": self.reason}
        for key in ("adapter", "versions", "link"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        if self.expires is not None:
            out["expires"] = self.expires.isoformat()
        return out

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Entry:
        """The entry a report carries (``to_json``), checked like one read from its file: a
        report is an input file too. Raises ValueError saying what is wrong."""
        fields = {k: raw[k] for k in _KEYS if k in raw}
        if fields.get("expires") is not None:
            fields["expires"] = date.fromisoformat(str(fields["expires"]))
        return _checked(int(raw["index"]), fields)


@dataclass(frozen=True)
class Expectations:
    file: str
    sha256: str
    entries: tuple[Entry, ...]

    def match(
        self, check: str, adapters: Sequence[str], versions: Mapping[str, str]
    ) -> Entry | None:
        """The first entry in file order that covers this result."""
        for entry in self.entries:
            if entry.matches(check, adapters, versions):
                return entry
        return None

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "sha256": self.sha256,
            "entries": [e.to_json() for e in self.entries],
        }

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Expectations:
        """The expectations a report carries; ValueError when an entry is malformed."""
        return cls(
            file=str(raw["file"]),
            sha256=str(raw["sha256"]),
            entries=tuple(Entry.from_json(e) for e in raw["entries"]),
        )


def load_expectations(path: Path) -> Expectations:
    """Read and check an expectations file; a problem raises ConfigurationError naming the file
    and, past parsing, the entry."""
    try:
        doc, data = load_toml(path, "expectations file")
    except Unreadable as exc:
        raise ConfigurationError(f"{_name(path)}: {exc.problem}") from None
    unknown_top = set(doc) - {"expect"}
    if unknown_top:
        raise ConfigurationError(
            f"{_name(path)}: unknown top-level key(s) {names(unknown_top)}"
            " (entries are [[expect]] tables)"
        )
    raw_entries = doc.get("expect", [])
    if not isinstance(raw_entries, list):
        raise ConfigurationError(f"{_name(path)}: 'expect' must be [[expect]] tables")
    entries = tuple(_entry(path, i, raw) for i, raw in enumerate(raw_entries))
    return Expectations(str(path), hashlib.sha256(data).hexdigest(), entries)


def _name(path: Path) -> str:
    return f"expectations file {file_name(path)}"


def _entry(path: Path, index: int, raw: Any) -> Entry:
    where = f"{_name(path)}, entry #{index + 1}"
    if not isinstance(raw, dict):
        raise ConfigurationError(f"{where}: must be a table")
    try:
        return _checked(index, raw)
    except ValueError as exc:
        raise ConfigurationError(f"{where}: {exc}") from None


def _checked(index: int, raw: Mapping[str, Any]) -> Entry:
    """The entry ``raw`` (a table of an expectations file, or an entry a report carries) once
    every key is known and of its type; ValueError says which is not."""
    unknown = set(raw) - _KEYS
    if unknown:
        raise ValueError(f"unknown key(s) {names(unknown)}; known: {', '.join(sorted(_KEYS))}")
    for key in ("check", "reason"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise ValueError(f"'{key}' is required and must be a non-empty string")
    for key in ("adapter", "versions", "link"):
        if key in raw and not isinstance(raw[key], str):
            raise ValueError(f"'{key}' must be a string")
    if "versions" in raw:
        try:
            SpecifierSet(raw["versions"])
        except InvalidSpecifier:
            raise ValueError(
                f"versions {shown(raw['versions'])} is not a PEP 440 range such as '>=1.2,<2'"
            ) from None
    expires = raw.get("expires")
    if expires is not None and (not isinstance(expires, date) or hasattr(expires, "hour")):
        raise ValueError("expires must be a TOML date such as 2027-03-31")
    return Entry(
        index=index,
        check=raw["check"],
        reason=raw["reason"],
        adapter=raw.get("adapter"),
        versions=raw.get("versions"),
        link=raw.get("link"),
        expires=expires,
    )


def _toml_str(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    escaped = "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in escaped)
    return f'"{escaped}"'


def release(version: str) -> Version:
    """The library release an adapter's version string starts with: adapters append what they
    wrap, e.g. ``50.0.2 (OpenSSL 4.0.3)``, and only the leading release is ordered."""
    words = version.split()
    if not words:
        raise InvalidVersion(version)
    return Version(words[0])


def _pep440(version: str | None) -> str | None:
    try:
        return str(release(version)) if version is not None else None
    except InvalidVersion:
        return None


def baseline_toml(report: Mapping[str, Any], expires: date | None = None) -> str:
    """A starting expectations file covering a report's current failures and errors, one entry
    per check and adapter, each with a reason to be filled in."""
    versions = {a["name"]: a["version"] for a in report.get("adapters", [])}
    seen: set[tuple[str, str]] = set()
    lines = [
        "# e2ee-conformance expectations: known failures, checked on every run.",
        f"# Written from a report of suite {report['suite']['version']}, run started "
        f"{report['run']['startedAt']}.",
        "# Replace each reason with why the failure is accepted, and prefer an expiry date:",
        "# an entry that stops matching or outlives its date fails the gate.",
        "",
    ]
    for r in report.get("results", []):
        observed = r.get("observed", r["outcome"])
        if observed not in ("fail", "error"):
            continue
        adapter = ",".join(r["adapters"])
        key = (r["check"], adapter)
        if key in seen:
            continue
        seen.add(key)
        detail = (r.get("detail") or observed).splitlines()[0][:200]
        lines.append("[[expect]]")
        lines.append(f"check = {_toml_str(r['check'])}")
        if len(r["adapters"]) == 1:
            lines.append(f"adapter = {_toml_str(adapter)}")
            plain = _pep440(versions.get(adapter))
            if plain is not None:
                lines.append(f"versions = {_toml_str('==' + plain)}")
        lines.append(f"reason = {_toml_str('TODO: why accepted. Observed: ' + detail)}")
        if expires is not None:
            lines.append(f"expires = {expires.isoformat()}")
        lines.append("")
    if not seen:
        lines.append("# The report has no failures: nothing to expect.")
    return "\n".join(lines) + "\n"
