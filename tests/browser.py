"""Opening a report page in headless Debian chromium (through playwright) for the suite's tests.

Without chromium or playwright a test skips, except under ``CI=true``, where it fails: CI
installs both, and a silent skip there would hide a broken check.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from helpers import unavailable

CHROMIUM = Path("/usr/bin/chromium")
# As root in this sandbox chromium needs --no-sandbox; the rest stop it reaching for the network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@dataclass
class Visit:
    page: Any
    problems: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)


@contextmanager
def visit(path: Path, viewport: tuple[int, int] | None = None) -> Iterator[Visit]:
    """Load ``path`` (in a window of ``viewport`` width and height, if given); collect console
    errors, uncaught exceptions, dialogs and requests."""
    if not CHROMIUM.exists():
        unavailable(f"{CHROMIUM} is not installed")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("the playwright package is not installed")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            size = {"width": viewport[0], "height": viewport[1]} if viewport else None
            page = browser.new_page(viewport=size)
            v = Visit(page)
            page.on("console", lambda m: v.problems.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: v.problems.append(f"uncaught: {e}"))

            def on_dialog(dialog: Any) -> None:
                v.dialogs.append(dialog.message)
                dialog.dismiss()

            page.on("dialog", on_dialog)
            page.on("request", lambda r: v.requests.append(r.url))
            page.goto(path.as_uri(), wait_until="load")
            yield v
        finally:
            browser.close()
