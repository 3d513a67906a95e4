"""``report.md``: a summary fit for a pull-request comment or ``$GITHUB_STEP_SUMMARY``.

Verdict first, then what blocks the gate grouped by family and capability, then expectations,
then counts. Kept well under GitHub's 65,536-character comment limit: long lists are cut with a
pointer to the full report. Everything from adapters is escaped: GitHub renders inline HTML.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from ..attribution import fault_text
from ..results import OUTCOMES

__all__ = ["render_markdown"]

_MAX_ROWS = 40
_MAX_CHARS = 60_000


def _esc(text: object, limit: int = 200) -> str:
    s = " ".join(str(text).split())
    if len(s) > limit:
        s = s[: limit - 1] + "…"
    s = s.replace("\\", "\\\\")
    for c in "`*_[]":
        s = s.replace(c, "\\" + c)
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("|", "\\|")


def _case_cell(r: Mapping[str, Any]) -> str:
    v = r.get("vector")
    if v:
        return f"{_esc(v['file'])} tcId {v['tcId']}"
    return _esc(r["check"])


def _rows(results: list[Mapping[str, Any]]) -> list[str]:
    lines = ["| outcome | adapter | case | flags | detail |", "|---|---|---|---|---|"]
    for r in results[:_MAX_ROWS]:
        flags = ", ".join(r.get("flags", []))
        if r.get("bugTypes"):
            flags += f" ({', '.join(r['bugTypes'])})"
        lines.append(
            f"| {r['outcome']} | {_esc(_who(r))} | {_case_cell(r)} | "
            f"{_esc(flags)} | {_esc((r.get('detail') or '').strip().splitlines()[0] if r.get('detail') else '')} |"
        )
    if len(results) > _MAX_ROWS:
        lines.append(f"\n… and {len(results) - _MAX_ROWS} more in report.json / index.html")
    return lines


def _who(r: Mapping[str, Any]) -> str:
    who = " → ".join(r["adapters"])
    blame = fault_text(r)
    return f"{who} ({blame})" if blame and len(r["adapters"]) > 1 else who


def render_markdown(report: Mapping[str, Any]) -> str:
    gate = report["gate"]
    passed = report["verdict"] == "pass"
    suite, run = report["suite"], report["run"]
    o = report["summary"]["outcomes"]
    lines = [
        f"## e2ee-conformance: {'✅ PASS' if passed else '❌ FAIL'}",
        "",
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
        f"Gate: exit {0 if passed else 1}; fails on `{policy}`"
        f"{', stale expectations allowed' if gate['policy']['allowStale'] else ''}. "
        f"Suite {_esc(suite['version'])}"
        + (f" ({_esc(suite['commit'][:12])})" if suite.get("commit") else "")
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

    blocking = [r for r in report["results"] if r.get("gate") == "block"]
    warned = [r for r in report["results"] if r.get("gate") == "warn"]
    for title, group in (("Blocking", blocking), ("Warnings (outside --fail-on)", warned)):
        if not group:
            continue
        lines += ["", f"### {title} ({len(group)})"]
        by: dict[tuple[str, str], list[Mapping[str, Any]]] = defaultdict(list)
        for r in group:
            by[(r["family"], r["capability"])].append(r)
        for (family, cap), rs in by.items():
            lines += ["", f"#### {_esc(family)} / {_esc(cap)} ({len(rs)})", ""]
            lines += _rows(rs)
            repro = [r["reproduce"] for r in rs if r.get("reproduce")][:5]
            if repro:
                lines += ["", "<details><summary>reproduce</summary>", "", "```sh"]
                lines += [c.replace("```", "` ` `") for c in repro]
                lines += ["```", "", "</details>"]

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
    text = "\n".join(lines) + "\n"
    if len(text) > _MAX_CHARS:
        text = text[:_MAX_CHARS].rsplit("\n", 1)[0] + "\n\n… (cut; see report.json)\n"
    return text
