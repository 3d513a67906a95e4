"""``e2ee-conformance``: run the suite, list adapters, check vector files.

Exit status: 0 nothing failed or errored; 1 a check failed or errored; 2 a usage or configuration
error (unknown adapter, bad manifest, malformed vector file: the message names the file and case).
Imports are lazy so ``--help`` answers at once.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

__all__ = ["main"]

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    from . import __version__

    p = argparse.ArgumentParser(
        prog="e2ee-conformance",
        description="Conformance and interoperability checks for end-to-end-encrypted messaging.",
        epilog="Exit status: 0 nothing failed, 1 a check failed or errored, 2 usage or "
        "configuration error.",
    )
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", required=True)

    run = sub.add_parser("run", help="run the checks and write a report")
    run.add_argument(
        "--adapter",
        action="append",
        default=[],
        metavar="NAME|PATH",
        help="adapter name or path to an adapter.toml (repeatable; default: all bundled adapters)",
    )
    run.add_argument(
        "--family",
        action="append",
        default=[],
        metavar="NAME",
        help="protocol family to run (repeatable; default: all)",
    )
    run.add_argument(
        "--case",
        action="append",
        default=[],
        metavar="CHECK_ID",
        help="run only checks whose id matches this glob (repeatable), e.g. 'kat/primitives/x25519_test/*'",
    )
    run.add_argument(
        "--out",
        type=Path,
        default=Path("reports/latest"),
        metavar="DIR",
        help="output folder for report.json and results.jsonl (default: reports/latest)",
    )
    run.add_argument(
        "--vectors",
        type=Path,
        default=None,
        metavar="DIR",
        help="vector root to use instead of the bundled vectors (folders per family)",
    )
    run.add_argument("--no-progress", action="store_true", help="no progress display on stderr")

    ad = sub.add_parser("adapters", help="list adapters, versions and capabilities")
    ad.add_argument("--adapter", action="append", default=[], metavar="NAME|PATH")
    ad.add_argument("--json", action="store_true", help="print JSON")

    vec = sub.add_parser("vectors", help="vector file tools")
    vsub = vec.add_subparsers(dest="vectors_command", metavar="ACTION", required=True)
    chk = vsub.add_parser("check", help="validate vector files (schema, counts, ids, flags)")
    chk.add_argument("paths", nargs="*", type=Path, help="files or folders (default: bundled)")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from .errors import ConformanceError

    try:
        if args.command == "run":
            return _run(args, argv)
        if args.command == "adapters":
            return _adapters(args)
        return _vectors_check(args)
    except ConformanceError as exc:
        print(f"e2ee-conformance: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("e2ee-conformance: interrupted", file=sys.stderr)
        return 130


def _run(args: argparse.Namespace, argv: Sequence[str] | None) -> int:
    from .runner import RunOptions, execute

    command = ["e2ee-conformance", *(argv if argv is not None else sys.argv[1:])]
    code, _ = execute(
        RunOptions(
            adapters=args.adapter,
            families=args.family,
            out=args.out,
            vectors_root=args.vectors,
            cases=args.case,
            progress=not args.no_progress,
            command=command,
        )
    )
    return code


def _adapters(args: argparse.Namespace) -> int:
    import json

    from .registry import load_adapters

    infos = []
    for a in load_adapters(args.adapter):
        infos.append(a.info())
        a.close()
    if args.json:
        print(json.dumps([i.__dict__ for i in infos], indent=2))
        return EXIT_OK
    for i in infos:
        status = "" if i.status == "ok" else "  [cannot start]"
        print(f"{i.name}  {i.implementation} {i.version}{status}")
        print(f"    capabilities: {', '.join(i.capabilities) or '(none)'}")
        for cap, note in i.notes.items():
            print(f"    note {cap}: {note}")
        if i.error:
            print("    " + i.error.splitlines()[-1])
    return EXIT_OK


def _vectors_check(args: argparse.Namespace) -> int:
    from .vectorcheck import check_paths

    problems, checked = check_paths(args.paths)
    for p in problems:
        print(p, file=sys.stderr)
    print(f"{checked} vector file(s) checked, {len(problems)} problem(s)")
    return EXIT_FAILED if problems else EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main())
