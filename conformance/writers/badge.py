"""``badge.json``: a shields.io endpoint badge (https://shields.io/badges/endpoint-badge) for a
project's README: the verdict and how many checks passed.

Show it with ``https://img.shields.io/endpoint?url=<where badge.json is published>``. It holds
numbers and fixed words only, nothing an adapter sent.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

__all__ = ["render_badge"]

#: https://shields.io/badges/endpoint-badge: the only schema version there is.
SCHEMA_VERSION = 1


def render_badge(report: Mapping[str, Any]) -> str:
    summary = report.get("summary") or {}
    outcomes = summary.get("outcomes") or {}
    run = report.get("run") or {}
    passed = int(outcomes.get("pass", 0)) + int(outcomes.get("expected-fail", 0))
    ran = sum(int(n) for k, n in outcomes.items() if k != "unsupported")
    unfinished = bool(run.get("interrupted") or run.get("incomplete"))
    if unfinished:
        message, color = f"incomplete · {passed:,} of {ran:,} passed", "lightgrey"
    elif report.get("verdict") == "pass":
        message, color = f"pass · {passed:,} of {ran:,}", "brightgreen"
    else:
        blocking = int((report.get("gate") or {}).get("blocking", 0))
        message, color = f"fail · {blocking:,} blocking, {passed:,} of {ran:,} passed", "red"
    badge = {
        "schemaVersion": SCHEMA_VERSION,
        "label": "e2ee conformance",
        "message": message,
        "color": color,
    }
    return json.dumps(badge, ensure_ascii=False) + "\n"
