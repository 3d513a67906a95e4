"""``report.json``: the one source of truth of a run (schema: reports/report.schema.json).

Everything else (the terminal summary, later JUnit/Markdown/HTML) is rendered from it.
"""

from __future__ import annotations

import hashlib
import json
import platform
import subprocess
import sys
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from . import __version__
from .adapter import AdapterInfo
from .model import VectorFile
from .results import OUTCOMES, CheckResult

__all__ = ["REPORT_VERSION", "build_report", "summarize", "vectors_digest", "write_report"]

#: Bumped on any change a consumer must know about: major for removals, minor for additions.
REPORT_VERSION = "1.0"


def vectors_digest(files: Sequence[VectorFile]) -> str:
    h = hashlib.sha256()
    for vf in sorted(files, key=lambda f: f.name):
        h.update(f"{vf.name}\0{vf.sha256}\n".encode())
    return "sha256:" + h.hexdigest()


def _commit() -> str | None:
    root = Path(__file__).resolve().parent.parent
    if not (root / ".git").exists():
        return None
    try:
        out = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def summarize(results: Sequence[CheckResult]) -> dict[str, Any]:
    outcomes = Counter(r.outcome for r in results)
    by_adapter: dict[str, dict[str, Counter[str]]] = defaultdict(lambda: defaultdict(Counter))
    acceptable: dict[str, dict[str, Counter[str]]] = defaultdict(lambda: defaultdict(Counter))
    for r in results:
        for a in r.adapters:
            by_adapter[a][r.capability][r.outcome] += 1
            if r.behaviour is not None:
                for flag in r.flags or ("(no flag)",):
                    acceptable[a][flag][r.behaviour] += 1
    return {
        "total": len(results),
        "outcomes": {o: outcomes.get(o, 0) for o in OUTCOMES},
        "byAdapter": {
            a: {c: {o: n.get(o, 0) for o in OUTCOMES} for c, n in sorted(caps.items())}
            for a, caps in by_adapter.items()
        },
        "acceptable": {
            a: {f: dict(sorted(n.items())) for f, n in sorted(flags.items())}
            for a, flags in acceptable.items()
        },
    }


def build_report(
    *,
    results: Sequence[CheckResult],
    adapters: Sequence[AdapterInfo],
    files: Sequence[VectorFile],
    command: Sequence[str],
    families: Sequence[str],
    started: str,
    finished: str,
) -> dict[str, Any]:
    summary = summarize(results)
    failed = summary["outcomes"]["fail"] + summary["outcomes"]["error"]
    return {
        "reportVersion": REPORT_VERSION,
        "suite": {
            "name": "e2ee-conformance",
            "version": __version__,
            "commit": _commit(),
            "vectors": {
                "digest": vectors_digest(files),
                "files": [
                    {"file": vf.name, "sha256": vf.sha256, "numberOfTests": vf.number_of_tests}
                    for vf in files
                ],
            },
        },
        "run": {
            "command": list(command),
            "families": list(families),
            "startedAt": started,
            "finishedAt": finished,
            "python": platform.python_version(),
            "implementation": sys.implementation.name,
            "platform": platform.platform(),
        },
        "adapters": [_adapter_json(a) for a in adapters],
        "results": [r.to_json() for r in results],
        "summary": summary,
        "verdict": "fail" if failed else "pass",
    }


def _adapter_json(a: AdapterInfo) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": a.name,
        "implementation": a.implementation,
        "version": a.version,
        "capabilities": list(a.capabilities),
        "manifest": a.manifest,
        "manifestSha256": a.manifest_sha256,
        "status": a.status,
    }
    if a.error:
        out["error"] = a.error
    if a.notes:
        out["notes"] = dict(a.notes)
    return out


def write_report(path: Path, report: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    tmp.replace(path)
