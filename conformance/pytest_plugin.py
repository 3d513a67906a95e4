"""pytest plugin: ``pytest --e2ee-adapter NAME`` runs the conformance checks in your session.

Items are collected in a fixed order and hold no shared state, so pytest-xdist (``-n N``) spreads
them over workers. One item per (adapter, vector file), with the per-case results inside it, not one item per case:
collection then costs one directory listing rather than parsing every vector file, and a run of
100,000 cases adds a few hundred items instead of 100,000 (pyca/cryptography moved away from one
item per Wycheproof vector for that reason). A failing item lists every failing case with its
file, tcId, check id and detail. The engine does the work; this module only adapts it to pytest.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

__all__ = ["ConformanceFailure", "ConformanceItem"]

_MAX_LISTED = 50


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("e2ee-conformance", "end-to-end-encryption conformance checks")
    group.addoption(
        "--e2ee-adapter",
        action="append",
        default=[],
        metavar="NAME|PATH",
        help="run the conformance checks against this adapter (name or adapter.toml; repeatable)",
    )
    group.addoption(
        "--e2ee-family",
        action="append",
        default=[],
        metavar="NAME",
        help="limit the conformance checks to these families (repeatable)",
    )
    group.addoption(
        "--e2ee-tier",
        default="full",
        choices=["smoke", "ci", "full"],
        help="how much to run (as `e2ee-conformance run --tier`; default full)",
    )
    group.addoption(
        "--e2ee-vectors",
        default=None,
        metavar="DIR",
        help="vector root to use instead of the bundled vectors",
    )


class ConformanceFailure(Exception):
    """Raised by an item whose cases failed or errored; carries the failing results."""

    def __init__(self, results: list[Any]) -> None:
        super().__init__(f"{len(results)} case(s) failed or errored")
        self.results = results


class ConformanceItem(pytest.Item):
    def __init__(self, *, adapter: Any, vector_path: Path, root: Path | None, **kw: Any) -> None:
        super().__init__(**kw)
        self.adapter = adapter
        self.vector_path = vector_path
        self.root = root

    def runtest(self) -> None:
        from conformance import loader, untrusted
        from conformance.engine import Task, run_task
        from conformance.selection import Selection

        vf = loader.load(self.vector_path, self.root)
        selection = Selection(tier=self.config.getoption("e2ee_tier"))
        results: list[Any] = []
        run_task(Task(vf, self.adapter, selection.pick(vf)), results.append)
        bad = [r for r in results if r.outcome in ("fail", "error")]
        if bad:
            raise ConformanceFailure(bad)
        if results and all(r.outcome == "unsupported" for r in results):
            pytest.skip(untrusted.terminal(results[0].detail or "unsupported"))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        from conformance import untrusted

        if not isinstance(excinfo.value, ConformanceFailure):
            return str(super().repr_failure(excinfo, style))
        lines = [f"{self.adapter.name} x {self.vector_path.name}: {excinfo.value}"]
        for r in excinfo.value.results[:_MAX_LISTED]:
            v = r.vector
            lines.append(f"  {r.outcome.upper()} tcId {v.tc_id} ({r.check})")
            for d in (r.detail or "").splitlines()[:4]:
                lines.append(f"      {d}")
        if len(excinfo.value.results) > _MAX_LISTED:
            lines.append(f"  ... {len(excinfo.value.results) - _MAX_LISTED} more")
        # pytest prints this on the terminal, and details quote the adapter.
        return untrusted.terminal("\n".join(lines))

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.vector_path, 0, f"e2ee-conformance: {self.name}"


def _items(session: pytest.Session) -> Iterator[ConformanceItem]:
    from conformance import loader
    from conformance.registry import load_adapters

    config = session.config
    root_opt = config.getoption("e2ee_vectors")
    root = Path(root_opt) if root_opt else None
    paths = loader.discover(root, config.getoption("e2ee_family") or None)
    for adapter in load_adapters(config.getoption("e2ee_adapter")):
        for path in paths:
            yield ConformanceItem.from_parent(
                session,
                name=f"e2ee[{adapter.name}:{path.parent.name}/{path.name}]",
                adapter=adapter,
                vector_path=path,
                root=root,
            )


def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    if not config.getoption("e2ee_adapter"):
        return
    from conformance.errors import ConformanceError

    try:
        new = list(_items(session))
    except ConformanceError as exc:
        raise pytest.UsageError(f"e2ee-conformance: {exc}") from None
    items.extend(new)


def pytest_report_header(config: pytest.Config) -> str | None:
    if not config.getoption("e2ee_adapter"):
        return None
    from conformance import __version__

    return f"e2ee-conformance {__version__}: adapters {', '.join(config.getoption('e2ee_adapter'))}"
