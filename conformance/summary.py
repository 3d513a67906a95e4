"""The terminal summary: a capabilities x adapters table, the acceptable behaviours chosen, the
first failures with how to reproduce them, and the verdict.

The suite prints no escape sequence of its own here, so the whole text is passed through
:func:`conformance.untrusted.terminal`: nothing an adapter wrote (a name, version, error or
detail) can recolour the terminal or overwrite the verdict line. Adapter text is shown one line
each, so it cannot add a line that looks like the suite's own either.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from . import untrusted
from .attribution import fault_text
from .exitcodes import for_report
from .failures import brief, counted, group_failures, outcome_counts
from .results import OBSERVED_OUTCOMES, OUTCOMES

__all__ = ["render_summary"]

#: Characters shown of one line of adapter text (an error's last line, a detail's first).
_LINE = 300
#: Per implementation: the files or checks listed, and the failures shown in each.
_SOURCES = 6
_SHOWN = 2


def _cell(counts: dict[str, int]) -> str:
    run = sum(counts[k] for k in OUTCOMES if k != "unsupported")
    if not run:
        return "unsupported" if counts["unsupported"] else ""
    text = f"{counts['pass']}/{run}"
    for key, mark in (
        ("fail", "F"),
        ("error", "E"),
        ("expected-fail", "X"),
        ("unexpected-pass", "U"),
    ):
        if counts[key]:
            text += f" {mark}{counts[key]}"
    return text


def render_summary(report: dict[str, Any], out_dir: str | None = None) -> str:
    summary = report["summary"]
    adapters = [a["name"] for a in report["adapters"]]
    caps = sorted({c for a in summary["byAdapter"].values() for c in a})
    rows = [["capability", *adapters]]
    for cap in caps:
        rows.append(
            [cap, *(_cell(summary["byAdapter"].get(a, {}).get(cap, _zero())) for a in adapters)]
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["", "pass/run per capability (F fail, E error, X expected-fail, U unexpected-pass):"]
    for i, r in enumerate(rows):
        lines.append("  " + "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
        if i == 0:
            lines.append("  " + "  ".join("-" * w for w in widths))

    for a in report["adapters"]:
        if a["status"] != "ok":
            last = (a.get("error") or "").strip().splitlines()
            shown = last[-1][:_LINE] if last else ""
            lines.append(
                f"\nadapter {a['name']} could not start: {shown}"
                "\n  (its full error is in the report's adapters section)"
            )

    for name in summary.get("noRefusalState", ()):
        lines.append(
            f"\nadapter {name} is on protocol 1: its refusals return no state, so damage a bad "
            "message does to a live session cannot be seen (docs/adapter-protocol.md)"
        )

    acceptable = summary["acceptable"]
    if acceptable:
        lines.append("\nacceptable cases, behaviour chosen (accepted/rejected):")
        for a, flags in acceptable.items():
            chosen = ", ".join(
                f"{f} {n.get('accepted', 0)}/{n.get('rejected', 0)}" for f, n in flags.items()
            )
            lines.append(f"  {a}: {chosen}")

    lines += _ed25519_rules(summary.get("ed25519Rules") or ())

    bad = [r for r in report["results"] if r.get("gate") in ("block", "warn")]
    if bad:
        lines += _failures(bad)

    for e in report.get("expectations", {}).get("entries", []):
        if e["status"] != "ok":
            lines.append(
                f"expectation #{e['index'] + 1} {e['status']}: {e['check']} ({e['reason'][:80]})"
            )

    skipped = report["run"].get("skippedFiles") or []
    if skipped:
        lines.append(f"\nvector files skipped ({len(skipped)}):")
        for item in skipped[:10]:
            lines.append(f"  {item['file']}: {item['reason']}")
        if len(skipped) > 10:
            lines.append(f"  ... and {len(skipped) - 10} more in report.json")

    diffs = summary.get("disagreements", [])
    if diffs:
        lines.append(
            f"\nimplementations disagree on {len(diffs)} case(s): side by side in index.html"
        )

    lines += _timing(summary.get("durations"))

    o = summary["outcomes"]
    counts = ", ".join(f"{o[k]} {k}" for k in OUTCOMES if o.get(k) or k in OBSERVED_OUTCOMES)
    lines.append(f"\n{summary['total']} checks: {counts}")
    if out_dir:
        lines.append(f"report: {out_dir}/index.html (and report.json, junit.xml, report.md)")
    gate = report["gate"]
    lines.append(
        f"gate policy: --fail-on {','.join(gate['policy']['failOn'])}"
        + (" (stale expectations allowed)" if gate["policy"]["allowStale"] else "")
    )
    for reason in gate["reasons"]:
        lines.append(f"  - {reason}")
    verdict = report["verdict"].upper()
    lines.append(f"verdict: {verdict} (exit {for_report(report)})")
    return untrusted.terminal("\n".join(lines)) + "\n"


def _zero() -> dict[str, int]:
    return dict.fromkeys(OUTCOMES, 0)


def _failures(bad: list[dict[str, Any]]) -> list[str]:
    """Failures and errors by implementation, then by vector file or check: the first of each
    with its detail and reproduce command, the rest counted."""
    groups = group_failures(bad)
    lines = [
        f"\nfailures and errors ({len(bad)}) by implementation, then by vector file or check "
        "(all of them in report.json and index.html):"
    ]
    for g in groups:
        lines.append(f"  {g.implementation}: {counted(g.counts())}")
        for source in g.sources[:_SOURCES]:
            lines.append(f"    {source.label}: {counted(outcome_counts(source.results))}")
            for r in source.results[:_SHOWN]:
                lines += _failure(r)
            if len(source.results) > _SHOWN:
                lines.append(f"      … {len(source.results) - _SHOWN} more here")
        if len(g.sources) > _SOURCES:
            rest = g.sources[_SOURCES:]
            lines.append(
                f"    … {len(rest)} more files or checks, "
                f"{sum(len(s.results) for s in rest)} failures"
            )
    return lines


def _failure(r: Mapping[str, Any]) -> list[str]:
    v = r.get("vector") or {}
    where = f"tcId {v.get('tcId')}" if v else " → ".join(r["adapters"])
    flags = f" [{', '.join(r['flags'])}]" if r.get("flags") else ""
    warn = " (warning only)" if r.get("gate") == "warn" else ""
    lines = [f"      {r['outcome'].upper():5} {where}{flags}{warn}"]
    blame = fault_text(r)
    if blame and len(r["adapters"]) > 1:
        lines.append(f"            {blame}")
    if r.get("detail"):
        lines.append(f"            {brief(r['detail'], _LINE)}")
    if r.get("reproduce"):
        lines.append(f"            reproduce: {r['reproduce']}")
    return lines


#: Slowest checks and adapters shown.
_SLOWEST = 5


def _timing(durations: Mapping[str, Any] | None) -> list[str]:
    """The slowest checks and the time per adapter (a pair's time counts for both)."""
    if not durations:
        return []
    lines = [f"\ntime in checks: {durations['total']:.1f} s; slowest:"]
    for s in durations["slowest"][:_SLOWEST]:
        lines.append(f"  {s['duration']:8.3f} s  {' → '.join(s['adapters'])}  {s['check']}")
    per = sorted(durations["byAdapter"].items(), key=lambda kv: (-kv[1], kv[0]))
    shown = ", ".join(f"{a} {t:.1f} s" for a, t in per[:_SLOWEST])
    more = f", … {len(per) - _SLOWEST} more" if len(per) > _SLOWEST else ""
    lines.append(f"time per adapter: {shown}{more}")
    return lines


def _ed25519_rules(rows: Any) -> list[str]:
    """One line per implementation: the Ed25519 verification rule set it follows (report
    summary ``ed25519Rules``)."""
    if not rows:
        return []
    lines = ["\nEd25519 verification rules (prop/primitives/ed25519-rules):"]
    for row in rows:
        differs = row.get("differs", 0)
        near = f"; closest {row.get('closest')}, {differs} differ" if differs else ""
        lines.append(
            f"  {row.get('adapter')}: {row.get('rules')}{near} "
            f"(accepted {row.get('accepted')}/{row.get('cases')} {row.get('source')} cases)"
        )
    return lines
