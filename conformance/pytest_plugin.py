"""pytest plugin: ``pytest --e2ee-adapter NAME`` runs the conformance checks in your session.

One item per check, collected like any test and named after it:
``e2ee-conformance::<adapter>::<family>/<file>::tcId<N>``, so ``-k``, ``--lf``, ``-x`` and
pytest-xdist (``-n N``; items hold no shared state) work on checks. A vector file whose
capability the adapter does not declare is one skipped item with the reason, not one per case
(the report summarises unsupported checks the same way). A failing item shows the check id, its
detail and the command that reproduces it. The engine does the work; this module only adapts it
to pytest.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

__all__ = [
    "AdapterCollector",
    "ConformanceFailure",
    "ConformanceItem",
    "ConformanceRoot",
    "NotRunItem",
    "VectorFileCollector",
]

#: Lines of a failing check's detail shown (the rest is counted).
_DETAIL_LINES = 8


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
    """Raised by an item whose check failed or errored; carries the result."""

    def __init__(self, result: Any) -> None:
        super().__init__(f"{result.check}: {result.outcome}")
        self.result = result


class ConformanceRoot(pytest.Collector):
    """Every adapter given with ``--e2ee-adapter``."""

    def __init__(self, *, adapters: list[Any], paths: list[Path], root: Path | None, **kw: Any):
        super().__init__(**kw)
        self.adapters = adapters
        self.paths = paths
        self.root = root

    def collect(self) -> Iterator[pytest.Item | pytest.Collector]:
        for adapter in self.adapters:
            yield AdapterCollector.from_parent(self, name=adapter.name, adapter=adapter)


class AdapterCollector(pytest.Collector):
    """One adapter's vector files."""

    def __init__(self, *, adapter: Any, **kw: Any) -> None:
        super().__init__(**kw)
        self.adapter = adapter

    def collect(self) -> Iterator[pytest.Item | pytest.Collector]:
        parent = self.parent
        assert isinstance(parent, ConformanceRoot)
        for path in parent.paths:
            yield VectorFileCollector.from_parent(
                self, name=f"{path.parent.name}/{path.name}", vector_path=path, root=parent.root
            )


class VectorFileCollector(pytest.Collector):
    """One vector file's selected cases against one adapter: an item per case, or one skipped
    item for the whole file when the adapter cannot run its capability."""

    def __init__(self, *, vector_path: Path, root: Path | None, **kw: Any) -> None:
        super().__init__(**kw)
        self.vector_path = vector_path
        self.root = root

    def collect(self) -> Iterator[pytest.Item | pytest.Collector]:
        from conformance import loader, untrusted
        from conformance.engine import cannot_run
        from conformance.selection import Selection

        adapter = self.parent.adapter  # type: ignore[union-attr]
        vf = loader.load(self.vector_path, self.root)
        cannot = cannot_run(adapter, vf.capability)
        if cannot is not None:
            item = NotRunItem.from_parent(
                self, name=cannot[0], why=cannot, vector_path=self.vector_path
            )
            if cannot[0] == "unsupported":
                # Marked here rather than skipped when run, so that -rs names this item.
                item.add_marker(pytest.mark.skip(reason=untrusted.terminal(cannot[1])))
            yield item
            return
        picked = Selection(tier=self.config.getoption("e2ee_tier")).pick(vf)
        for group, case in picked if picked is not None else vf.cases():
            yield ConformanceItem.from_parent(
                self, name=f"tcId{case.tc_id}", adapter=adapter, vectors=vf, group=group, case=case
            )


class NotRunItem(pytest.Item):
    """A whole file the adapter cannot run: skipped when the capability is not declared, an
    error when the adapter could not start."""

    def __init__(self, *, why: tuple[str, str], vector_path: Path, **kw: Any) -> None:
        super().__init__(**kw)
        self.why = why
        self.vector_path = vector_path

    def runtest(self) -> None:
        from conformance import untrusted

        raise RuntimeError(untrusted.terminal(self.why[1]))

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.vector_path, 0, self.nodeid


class ConformanceItem(pytest.Item):
    """One known-answer check: one case of one vector file against one adapter."""

    def __init__(self, *, adapter: Any, vectors: Any, group: Any, case: Any, **kw: Any) -> None:
        super().__init__(**kw)
        self.adapter = adapter
        self.vectors = vectors
        self.group = group
        self.case = case

    def runtest(self) -> None:
        from conformance.engine import Task, run_task

        results: list[Any] = []
        run_task(Task(self.vectors, self.adapter, ((self.group, self.case),)), results.append)
        (result,) = results
        if result.outcome in ("fail", "error"):
            raise ConformanceFailure(result)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        import shlex

        from conformance import launcher, untrusted
        from conformance.report import adapter_arg

        if not isinstance(excinfo.value, ConformanceFailure):
            return str(super().repr_failure(excinfo, style))
        r = excinfo.value.result
        flags = f" [{', '.join(r.flags)}]" if r.flags else ""
        lines = [
            f"{r.outcome.upper()} {self.adapter.name}  {self.vectors.name} tcId {self.case.tc_id}"
            f"{flags}",
            f"  {r.check}",
        ]
        details = (r.detail or "").splitlines()
        lines += [f"  {d}" for d in details[:_DETAIL_LINES]]
        if len(details) > _DETAIL_LINES:
            lines.append(f"  … {len(details) - _DETAIL_LINES} more line(s)")
        spec = adapter_arg(self.adapter.name, self.adapter.manifest.path)
        repro = launcher.join(launcher.launcher(), ["repro", r.check, "--adapter", spec])
        lines.append(f"  reproduce: {shlex.join(repro)}")
        # pytest prints this on the terminal, and details quote the adapter.
        return untrusted.terminal("\n".join(lines))

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.vectors.path, 0, f"{self.adapter.name} {self.vectors.name} {self.name}"


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    """The checks join the collected items before -k, -m and --lf filter them (hence tryfirst),
    collected through pytest's own machinery so they are counted and listed like tests."""
    if not config.getoption("e2ee_adapter"):
        return
    from conformance import loader
    from conformance.errors import ConformanceError
    from conformance.registry import load_adapters

    root_opt = config.getoption("e2ee_vectors")
    root = Path(root_opt) if root_opt else None
    try:
        paths = loader.discover(root, config.getoption("e2ee_family") or None)
        adapters = load_adapters(config.getoption("e2ee_adapter"))
        # An explicit node id: the session's is empty, and a child's would start with "::".
        top = ConformanceRoot.from_parent(
            session,
            name="e2ee-conformance",
            nodeid="e2ee-conformance",
            adapters=adapters,
            paths=paths,
            root=root,
        )
        items.extend(node for node in session.genitems(top) if isinstance(node, pytest.Item))
    except ConformanceError as exc:
        raise pytest.UsageError(f"e2ee-conformance: {exc}") from None


def pytest_report_header(config: pytest.Config) -> str | None:
    if not config.getoption("e2ee_adapter"):
        return None
    from conformance import __version__

    return f"e2ee-conformance {__version__}: adapters {', '.join(config.getoption('e2ee_adapter'))}"
