"""The terminal summary: a capabilities x adapters table, the acceptable behaviours chosen, the
first failures with how to reproduce them, and the verdict."""

from __future__ import annotations

from typing import Any

__all__ = ["render_summary"]

_MAX_FAILURES = 20


def _cell(counts: dict[str, int]) -> str:
    run = counts["pass"] + counts["fail"] + counts["error"]
    if not run:
        return "unsupported" if counts["unsupported"] else ""
    text = f"{counts['pass']}/{run}"
    if counts["fail"]:
        text += f" F{counts['fail']}"
    if counts["error"]:
        text += f" E{counts['error']}"
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
    lines = ["", "pass/run per capability (F = fail, E = error):"]
    for i, r in enumerate(rows):
        lines.append("  " + "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
        if i == 0:
            lines.append("  " + "  ".join("-" * w for w in widths))

    for a in report["adapters"]:
        if a["status"] != "ok":
            first = (a.get("error") or "").splitlines()
            lines.append(f"\nadapter {a['name']} could not start: {first[-1] if first else ''}")

    acceptable = summary["acceptable"]
    if acceptable:
        lines.append("\nacceptable cases, behaviour chosen (accepted/rejected):")
        for a, flags in acceptable.items():
            chosen = ", ".join(
                f"{f} {n.get('accepted', 0)}/{n.get('rejected', 0)}" for f, n in flags.items()
            )
            lines.append(f"  {a}: {chosen}")

    bad = [r for r in report["results"] if r["outcome"] in ("fail", "error")]
    if bad:
        lines.append(f"\nfailures and errors ({len(bad)}):")
        for r in bad[:_MAX_FAILURES]:
            v = r.get("vector") or {}
            where = f"{v.get('file')} tcId {v.get('tcId')}" if v else r["check"]
            detail = (r.get("detail") or "").splitlines()
            flags = f"  [{', '.join(r['flags'])}]" if r.get("flags") else ""
            lines.append(f"  {r['outcome'].upper():5} {','.join(r['adapters'])}  {where}{flags}")
            lines.append(f"        {r['check']}")
            if detail:
                lines.append(f"        {detail[0][:300]}")
            lines.append(
                f"        reproduce: e2ee-conformance run --adapter {r['adapters'][0]} "
                f"--family {r['family']} --case {r['check']}"
            )
        if len(bad) > _MAX_FAILURES:
            lines.append(f"  ... and {len(bad) - _MAX_FAILURES} more in report.json")

    o = summary["outcomes"]
    lines.append(
        f"\n{summary['total']} checks: {o['pass']} pass, {o['fail']} fail, {o['error']} error, "
        f"{o['unsupported']} unsupported"
    )
    if out_dir:
        lines.append(f"report: {out_dir}")
    verdict = report["verdict"].upper()
    lines.append(f"verdict: {verdict} (exit {0 if verdict == 'PASS' else 1})")
    return "\n".join(lines) + "\n"


def _zero() -> dict[str, int]:
    return {"pass": 0, "fail": 0, "error": 0, "unsupported": 0}
