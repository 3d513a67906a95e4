"""``report.md``: a summary fit for a pull-request comment or ``$GITHUB_STEP_SUMMARY``.

Verdict first, then what blocks the gate grouped by implementation and by vector file or check,
then where implementations disagree, then expectations,
then counts. Kept well under GitHub's 65,536-character comment limit: long lists are cut with a
pointer to the full report. Everything from adapters is escaped: GitHub renders inline HTML and
Markdown, and a terminal that shows the file (``cat report.md``, a CI log) acts on control
characters, so those are shown as escapes too.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ..attribution import fault_text
from ..exitcodes import for_report
from ..failures import brief, counted, group_failures
from ..report import unfinished_reason
from ..results import OUTCOMES
from ..untrusted import visible

__all__ = ["render_markdown"]

_MAX_ROWS = 40
#: Per implementation: the files or checks listed, the failures shown in each, and the
#: characters of a detail.
_SOURCES = 8
_SHOWN = 3
_DETAIL = 240
_MAX_CHARS = 60_000
#: The end of a start-up error shown: so many lines, each cut to so many characters.
_ERROR_LINES = 40
_ERROR_LINE = 300


#: Characters Markdown (CommonMark and GitHub's extensions) gives a meaning inline; each is
#: shown literally when escaped with a backslash.
_MARKUP = "\\`*_[]~#"
_BACKTICKS = re.compile("`+")


def _esc(text: object, limit: int = 200) -> str:
    """``text`` as one line of literal Markdown, safe in a table cell: whitespace runs (newlines
    included) become one space, control and bidi characters are shown as escapes, markup and
    inline HTML are escaped, a ``|`` cannot end the cell, and an ``@`` cannot mention anyone."""
    s = " ".join(str(text).split())
    if len(s) > limit:
        s = s[: limit - 1] + "…"
    # First, so the backslashes of its escapes are themselves escaped below and stay visible.
    s = visible(s)
    for c in _MARKUP:
        s = s.replace(c, "\\" + c)
    s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("|", "\\|")
    # A zero-width space after each @, as an entity: a name an adapter sends must not notify
    # anyone where report.md is posted (a pull-request comment), and the entity stays ASCII.
    return s.replace("@", "@&#8203;")


def _fenced(lines: list[str], info: str = "") -> list[str]:
    """``lines`` as a fenced code block that nothing in them can close: the fence is longer
    than any run of backticks they hold. Inside, Markdown and HTML are inert; control and bidi
    characters are still shown as escapes."""
    body = [visible(line) for line in lines]
    longest = max((len(m) for line in body for m in _BACKTICKS.findall(line)), default=0)
    fence = "`" * max(3, longest + 1)
    return [fence + info, *body, fence]


def _case_cell(r: Mapping[str, Any]) -> str:
    v = r.get("vector")
    if v:
        return f"{_esc(v['file'])} tcId {v['tcId']}"
    return _esc(r["check"])


def _grouped(results: list[Mapping[str, Any]]) -> list[str]:
    """Failures by implementation, then by vector file or check: a table of the first few of
    each, the rest counted, and one reproduce command per file or check."""
    lines: list[str] = []
    for g in group_failures(results):
        lines += ["", f"#### {_esc(g.implementation)}: {counted(g.counts())}", ""]
        lines += ["| outcome | file or check | case | flags | detail |", "|---|---|---|---|---|"]
        repro: list[str] = []
        for source in g.sources[:_SOURCES]:
            for r in source.results[:_SHOWN]:
                lines.append(_row(source.label, r))
            if len(source.results) > _SHOWN:
                lines.append(
                    f"| … | {_esc(source.label)} | {len(source.results) - _SHOWN} more | | |"
                )
            first = next((r["reproduce"] for r in source.results if r.get("reproduce")), None)
            if first:
                repro.append(first)
        if len(g.sources) > _SOURCES:
            rest = g.sources[_SOURCES:]
            lines.append(
                f"| … | {len(rest)} more files or checks | "
                f"{sum(len(s.results) for s in rest)} more | | |"
            )
        if repro:
            shown = len(repro)
            lines += [
                "",
                f"<details><summary>reproduce (the first failure of each file or check: "
                f"{shown} of {len(g.results)})</summary>",
                "",
            ]
            lines += _fenced(repro, "sh")
            lines += ["", "</details>"]
    return lines


def _row(source: str, r: Mapping[str, Any]) -> str:
    v = r.get("vector")
    case = f"tcId {v['tcId']}" if v else _esc(_who(r))
    flags = ", ".join(r.get("flags", []))
    if r.get("bugTypes"):
        flags += f" ({', '.join(r['bugTypes'])})"
    detail = brief(r.get("detail"), _DETAIL)
    return f"| {r['outcome']} | {_esc(source)} | {case} | {_esc(flags)} | {_esc(detail, _DETAIL)} |"


def _who(r: Mapping[str, Any]) -> str:
    who = " → ".join(r["adapters"])
    blame = fault_text(r)
    return f"{who} ({blame})" if blame and len(r["adapters"]) > 1 else who


def _start_errors(adapters: list[Mapping[str, Any]]) -> list[str]:
    """Each adapter that could not start, with its error: shown once here, since its results
    only point to it."""
    failed = [a for a in adapters if a["status"] != "ok"]
    if not failed:
        return []
    lines = ["", f"### Adapters that could not start ({len(failed)})"]
    for a in failed:
        error = (a.get("error") or "(no error recorded)").strip().splitlines()
        shown = [line if len(line) <= _ERROR_LINE else line[:_ERROR_LINE] + "…" for line in error]
        lines += ["", f"**{_esc(a['name'])}**:", ""]
        lines += _fenced(shown[-_ERROR_LINES:])
    return lines


def _measured(summary: Mapping[str, Any]) -> list[str]:
    """The measured tables (conformance.measures), compact: healing per family and pattern
    (fewest and most messages read over the pairs, against the bound), restarts per
    implementation, low-order keys accepted per family, place and implementation."""
    lines: list[str] = []
    healing = summary.get("healing") or {}
    if healing:
        lines += ["", "### Healing after a compromise", ""]
        lines += ["| family | pattern | read (fewest-most over the pairs) | bound | over |"]
        lines += ["|---|---|---|---|---|"]
        for family, rows in healing.items():
            for pattern in dict.fromkeys(r["pattern"] for r in rows):
                got = [r for r in rows if r["pattern"] == pattern]
                read = [r["read"] for r in got]
                over = sum(r["read"] > r["bound"] for r in got)
                lines.append(
                    f"| {_esc(family)} | {_esc(pattern)} | {min(read)}-{max(read)} | "
                    f"{got[0]['bound']} | {over} of {len(got)} pairs |"
                )
    restarts = summary.get("restarts") or {}
    if restarts:
        lines += ["", "### Restarts", "", "| implementation | passed | failed | charged | state |"]
        lines += ["|---|---|---|---|---|"]
        for name, r in restarts.items():
            lines.append(
                f"| {_esc(name)} | {r['passed']} | {r['failed']} | {r['charged']} | "
                f"{_esc(r['state'])} |"
            )
    low = summary.get("lowOrder") or {}
    if low:
        lines += ["", "### Low-order keys accepted (of 14 encodings)", ""]
        lines += ["| family | place | " + "implementation: accepted |", "|---|---|---|"]
        for family, rows in low.items():
            for place in dict.fromkeys(r["place"] for r in rows):
                cells = ", ".join(
                    f"{_esc(r['adapter'])} {r['accepted']}" for r in rows if r["place"] == place
                )
                lines.append(f"| {_esc(family)} | {_esc(place)} | {cells} |")
    return lines


def render_markdown(report: Mapping[str, Any]) -> str:
    gate = report["gate"]
    passed = report["verdict"] == "pass"
    suite, run = report["suite"], report["run"]
    o = report["summary"]["outcomes"]
    lines = [
        f"## e2ee-conformance: {'✅ PASS' if passed else '❌ FAIL'}",
        "",
    ]
    unfinished = unfinished_reason(report)
    if unfinished is not None:
        lines += [f"**Partial report: {_esc(unfinished, 300)}.**", ""]
    lines += [
        f"{report['summary']['total']} checks: "
        + ", ".join(f"{o[k]} {k}" for k in OUTCOMES if o.get(k) or k in ("pass", "fail")),
        "",
    ]
    for reason in gate["reasons"]:
        lines.append(f"- {_esc(reason, 300)}")
    policy = ",".join(gate["policy"]["failOn"])
    shard = run.get("shard")
    where = f", shard {shard['index']}/{shard['count']}" if shard else ""
    lines += [
        "",
        f"Gate: exit {for_report(report)}; fails on `{policy}`"
        f"{', stale expectations allowed' if gate['policy']['allowStale'] else ''}. "
        f"Suite {_esc(suite['version'])}"
        + (
            f" ({_esc(suite['commit'][:12])}{', modified' if suite.get('modified') else ''})"
            if suite.get("commit")
            else ""
        )
        + f", vectors {_esc(suite['vectors']['digest'][:19])}, tier {_esc(run.get('tier', '?'))}"
        f"{where}, seed {run.get('seed', '?')}.",
        "",
        "Adapters: "
        + "; ".join(
            f"**{_esc(a['name'])}** {_esc(a['implementation'])} {_esc(a['version'])}"
            + (" (could not start)" if a["status"] != "ok" else "")
            + (
                " (protocol 1: refusals return no state)"
                if a["name"] in report["summary"].get("noRefusalState", ())
                else ""
            )
            for a in report["adapters"]
        ),
    ]

    lines += _start_errors(report["adapters"])
    head, lines = lines, []

    blocking = [r for r in report["results"] if r.get("gate") == "block"]
    warned = [r for r in report["results"] if r.get("gate") == "warn"]
    for title, group in (("Blocking", blocking), ("Warnings (outside --fail-on)", warned)):
        if group:
            lines += ["", f"### {title} ({len(group)})"]
            lines += _grouped(group)

    diffs = report["summary"].get("disagreements", [])
    if diffs:
        names = [a["name"] for a in report["adapters"]]
        lines += ["", f"### Where implementations disagree ({len(diffs)})", ""]
        lines += [
            "| case | flags | " + " | ".join(_esc(n) for n in names) + " |",
            "|---|---|" + "---|" * len(names),
        ]
        for d in diffs[:_MAX_ROWS]:
            v = d.get("vector")
            case = f"{_esc(v['file'])} tcId {v['tcId']}" if v else _esc(d["check"])
            cells = " | ".join(_esc(d["choices"].get(n, "—")) for n in names)
            lines.append(
                f"| {case} ({d.get('expected')}) | {_esc(', '.join(d['flags']))} | {cells} |"
            )
        if len(diffs) > _MAX_ROWS:
            lines.append(f"\n… and {len(diffs) - _MAX_ROWS} more in index.html")

    lines += _measured(report["summary"])
    lines += _ed25519_rules(report["summary"].get("ed25519Rules", ()))

    middle, lines = lines, []
    exp = report.get("expectations")
    if exp:
        lines += ["", f"### Expectations ({_esc(exp['file'])})", ""]
        lines += ["| # | check | status | matched | reason |", "|---|---|---|---|---|"]
        for e in exp["entries"]:
            lines.append(
                f"| {e['index'] + 1} | {_esc(e['check'])} | {e['status']} | {e['matched']} | "
                f"{_esc(e['reason'])} |"
            )

    lines += ["", "### Counts", ""]
    lines += [
        "| adapter | " + " | ".join(OUTCOMES) + " |",
        "|---|" + "---|" * len(OUTCOMES),
    ]
    for name, caps in report["summary"]["byAdapter"].items():
        totals = {k: sum(c[k] for c in caps.values()) for k in OUTCOMES}
        lines.append(f"| {_esc(name)} | " + " | ".join(str(totals[k]) for k in OUTCOMES) + " |")
    # Over the limit a comment host would refuse, the lists in the middle are cut, so that the
    # verdict above them and the counts below them always show.
    first, last = "\n".join(head) + "\n", "\n".join(lines) + "\n"
    between = "\n".join(middle) + "\n" if middle else ""
    room = _MAX_CHARS - len(first) - len(last)
    if len(between) > room:
        between = between[: max(room - 40, 0)].rsplit("\n", 1)[0] + "\n\n… (cut; see report.json)\n"
    text = first + between + last
    if len(text) > _MAX_CHARS:
        text = text[:_MAX_CHARS].rsplit("\n", 1)[0] + "\n\n… (cut; see report.json)\n"
    return text


def _ed25519_rules(rows: Any) -> list[str]:
    """The "Ed25519 verification rules" table: one row per implementation (summary
    ``ed25519Rules``, from prop/primitives/ed25519-rules)."""
    if not rows:
        return []
    lines = [
        "",
        "### Ed25519 verification rules",
        "",
        "| adapter | rule set followed | closest (cases differing) | accepted / cases | outcome |",
        "|---|---|---|---|---|",
    ]
    for row in rows:
        differs = row["differs"]
        closest = "" if differs == 0 else f"{_esc(row['closest'])} ({int(differs)})"
        lines.append(
            f"| {_esc(row['adapter'])} | {_esc(row['rules'])} | {closest} | "
            f"{int(row['accepted'])} / {int(row['cases'])} ({_esc(row['source'])}) | "
            f"{_esc(row['outcome'])} |"
        )
    return lines
