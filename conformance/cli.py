"""``e2ee-conformance``: run the suite, render and merge reports, reproduce a check, write an
expectations baseline, list adapters, check vector files.

Exit status (the gate, README "Gate policy"; :mod:`conformance.exitcodes`): 0 the gate passed;
1 a ``fail``, ``error`` or ``unexpected-pass`` outside the expectations, or a stale or expired
expectation; 2 a usage or configuration error (unknown adapter, bad manifest, malformed vector or
expectations file, an ``--out`` another run is writing into: the message names the file and
entry); 3 the suite itself could not finish (an unexpected exception inside it, or an in-process
adapter calling ``sys.exit``: one line naming it, then the traceback; what did run is still
reported, marked incomplete); 130 after SIGINT and 143 after SIGTERM (the report of the checks
that finished is written, marked interrupted). ``run`` never exits 0 without a written report, so
a CI gate cannot pass a run that did not happen. Imports are lazy so ``--help`` answers at once.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

__all__ = ["main"]

from . import untrusted
from .exitcodes import EXIT_FAILED, EXIT_INCOMPLETE, EXIT_OK, EXIT_SIGINT, EXIT_USAGE


def _parser() -> argparse.ArgumentParser:
    from . import __version__

    p = argparse.ArgumentParser(
        prog="e2ee-conformance",
        description="Conformance and interoperability checks for end-to-end-encrypted messaging.",
        epilog="Exit status: 0 the gate passed; 1 a fail, error or unexpected-pass outside the "
        "expectations, or a stale/expired expectation; 2 usage or configuration error (or "
        "another run is writing into --out); 3 the suite itself could not finish (the report "
        "of what ran is marked incomplete); 130 interrupted by SIGINT, 143 by SIGTERM (the "
        "report of what ran is marked interrupted).",
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
        help="protocol family to run (repeatable; default: all); with --wycheproof, the files "
        "that map to the family's vector types (pq: ML-KEM and ML-DSA; primitives: the others)",
    )
    run.add_argument(
        "--case",
        action="append",
        default=[],
        metavar="CHECK_ID",
        help="run only checks whose id matches this glob (repeatable), e.g. 'kat/primitives/x25519_test/*'",
    )
    run.add_argument(
        "--tier",
        choices=["smoke", "ci", "full"],
        default="full",
        help="how much to run: smoke (seconds, one case of each kind), ci (every edge case, "
        "bulk random cases capped), full (everything; default)",
    )
    run.add_argument(
        "--profile",
        default="spec",
        metavar="NAME",
        help="verdict policy for behaviours the specs leave open: spec (default: the specs' own "
        "choices, all open) or strict (replays and unknown versions refused by the library)",
    )
    run.add_argument(
        "--jobs",
        type=int,
        default=1,
        metavar="N",
        help="run adapter x vector-file tasks in N worker processes (default 1)",
    )
    run.add_argument(
        "--shard",
        metavar="K/N",
        help="run only slice K of N (deterministic by check id); join slices with `merge`",
    )
    run.add_argument(
        "--seed",
        type=int,
        metavar="N",
        help="seed for checks that draw random choices (default: fresh, recorded in the report)",
    )
    _gate_args(run)
    run.add_argument(
        "--format",
        action="append",
        default=[],
        metavar="FMT[,FMT]",
        help="report formats to write besides report.json: junit, md, html, badge, json (default: all)",
    )
    run.add_argument(
        "--out",
        type=Path,
        default=Path("reports/latest"),
        metavar="DIR",
        help="output folder for report.json, junit.xml, report.md, index.html and results.jsonl "
        "(default: reports/latest)",
    )
    run.add_argument(
        "--vectors",
        type=Path,
        default=None,
        metavar="DIR",
        help="vector root to use instead of the bundled vectors (folders per family)",
    )
    run.add_argument(
        "--wycheproof",
        type=Path,
        default=None,
        metavar="DIR",
        help="run the Wycheproof testvectors_v1 files in DIR (a checkout) instead of the bundled "
        "vectors; files of schemas this suite does not know are listed as skipped",
    )
    run.add_argument(
        "--mls-vectors",
        type=Path,
        default=None,
        metavar="DIR",
        help="run the MLS working group's test-vector files in DIR (mlswg/mls-implementations "
        "test-vectors, or files in that format) instead of the bundled vectors; categories this "
        "suite has no check for are listed as skipped",
    )
    run.add_argument(
        "--cctv",
        type=Path,
        default=None,
        metavar="DIR",
        help="verify C2SP CCTV's Ed25519 vectors (DIR: a C2SP/CCTV checkout, its ed25519 folder "
        "or ed25519vectors.json) in prop/primitives/ed25519-rules instead of the bundled cases",
    )
    run.add_argument("--no-progress", action="store_true", help="no progress display on stderr")
    _offline_arg(run)

    rep = sub.add_parser("report", help="re-render a saved report.json in another format")
    rep.add_argument("report", type=Path, metavar="REPORT.json")
    rep.add_argument(
        "--format", choices=["junit", "md", "html", "json"], default="md", help="default: md"
    )
    rep.add_argument(
        "--out", type=Path, metavar="FILE", help="write here instead of standard output"
    )

    mer = sub.add_parser("merge", help="join the reports of --shard slices into one")
    mer.add_argument("reports", nargs="+", type=Path, metavar="REPORT.json")
    mer.add_argument("--out", type=Path, required=True, metavar="DIR", help="output folder")
    _gate_args(mer, carried=True)

    exp = sub.add_parser(
        "expectations", help="write a starting expectations file from a report's failures"
    )
    exp.add_argument("--from", dest="source", type=Path, required=True, metavar="REPORT.json")
    exp.add_argument("--out", type=Path, metavar="FILE", help="default: standard output")
    exp.add_argument(
        "--expires", metavar="YYYY-MM-DD", help="expiry date to give every entry (recommended)"
    )

    rp = sub.add_parser("repro", help="re-run one check and print its inputs and outputs")
    rp.add_argument("check", metavar="CHECK_ID")
    rp.add_argument(
        "--adapter",
        action="append",
        default=[],
        metavar="NAME|PATH",
        help="adapter(s) to run it on (default: every bundled adapter declaring the capability)",
    )
    rp.add_argument("--vectors", type=Path, default=None, metavar="DIR")
    rp.add_argument("--wycheproof", type=Path, default=None, metavar="DIR")
    rp.add_argument("--mls-vectors", type=Path, default=None, metavar="DIR")
    rp.add_argument("--cctv", type=Path, default=None, metavar="DIR")
    rp.add_argument("--seed", type=int, metavar="N", help="seed of a randomised check")
    _offline_arg(rp)

    ad = sub.add_parser("adapters", help="list adapters, versions and capabilities")
    ad.add_argument("--adapter", action="append", default=[], metavar="NAME|PATH")
    ad.add_argument("--json", action="store_true", help="print JSON")
    ad.add_argument(
        "--prepare",
        action="store_true",
        help="build every out-of-process adapter's environment now (venv / npm ci), then list",
    )
    _offline_arg(ad)

    vec = sub.add_parser("vectors", help="vector file tools")
    vsub = vec.add_subparsers(dest="vectors_command", metavar="ACTION", required=True)
    chk = vsub.add_parser(
        "check",
        help="validate vector files (schema, counts, ids, flags) and their digests against the "
        "root's MANIFEST.json (a root without one is reported as unverified)",
    )
    chk.add_argument("paths", nargs="*", type=Path, help="files or folders (default: bundled)")
    return p


def _offline_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--offline",
        action="store_true",
        help="never build an adapter environment (an adapter whose environment is not in the "
        "cache gives error results)",
    )


def _gate_args(p: argparse.ArgumentParser, carried: bool = False) -> None:
    note = " (default: the one the slices carry)" if carried else ""
    p.add_argument(
        "--expect",
        type=Path,
        metavar="FILE",
        help="expectations file (TOML) of known failures" + note,
    )
    p.add_argument(
        "--allow-stale",
        action="store_true",
        help="report stale or expired expectations without failing the gate",
    )
    p.add_argument(
        "--fail-on",
        action="append",
        default=[],
        metavar="SEL[,SEL]",
        help="what fails the gate: all (default), spec levels MUST/SHOULD/MAY, bugTypes such as "
        "CONFIDENTIALITY or AUTH_BYPASS, and unsupported; other failures only warn. "
        "An error always fails the gate",
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from .errors import ConformanceError, RunIncomplete

    if getattr(args, "offline", False):
        import os

        from .environments import OFFLINE_VARIABLE

        # An environment variable, so spawned --jobs workers inherit it.
        os.environ[OFFLINE_VARIABLE] = "1"

    from .interrupts import Interrupted, received, trap

    # Past argument parsing, nothing a command runs may choose the exit status: an in-process
    # adapter calling sys.exit(0) must not make a CI gate pass a run that never finished.
    try:
        with trap():
            return _dispatch(args, argv)
    except ConformanceError as exc:
        print(untrusted.terminal(f"e2ee-conformance: error: {exc}"), file=sys.stderr)
        return EXIT_USAGE
    except Interrupted as exc:
        print(f"e2ee-conformance: interrupted by {exc.signal_name}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt as exc:
        if received() is None:
            # No SIGINT came (the trap would have recorded it): adapter code raised it.
            return _crashed(exc)
        print("e2ee-conformance: interrupted", file=sys.stderr)
        return EXIT_SIGINT
    except RunIncomplete as exc:
        cause = exc.__cause__ or exc
        where = f"the report of the checks that did run is in {exc.report}" if exc.report else ""
        return _crashed(cause, where)
    except (SystemExit, Exception) as exc:
        return _crashed(exc)


def _dispatch(args: argparse.Namespace, argv: Sequence[str] | None) -> int:
    if args.command == "run":
        return _run(args, argv)
    if args.command == "adapters":
        return _adapters(args)
    if args.command == "report":
        return _report(args)
    if args.command == "merge":
        return _merge(args, argv)
    if args.command == "expectations":
        return _expectations(args)
    if args.command == "repro":
        return _repro(args)
    return _vectors_check(args)


def _crashed(exc: BaseException, where: str = "") -> int:
    """One line naming what stopped the suite, then the traceback to find it."""
    import traceback

    if isinstance(exc, SystemExit):
        what = f"something inside the suite called sys.exit({exc.code!r}) (an in-process adapter?)"
    elif isinstance(exc, KeyboardInterrupt):
        what = "something inside the suite raised KeyboardInterrupt without a SIGINT"
    else:
        what = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    tail = f"; {where}" if where else ""
    # An adapter's exception text can be in either: shown, not acted on by the terminal.
    print(
        untrusted.terminal(f"e2ee-conformance: error: the suite could not finish: {what}{tail}"),
        file=sys.stderr,
    )
    print(untrusted.terminal("".join(traceback.format_exception(exc))), file=sys.stderr)
    return EXIT_INCOMPLETE


def _run(args: argparse.Namespace, argv: Sequence[str] | None) -> int:
    from .attacks.ed25519_cases import use_cctv
    from .runner import RunOptions, execute
    from .writers import parse_formats

    # Read (and refuse, naming the file and case) before any adapter starts.
    use_cctv(args.cctv)

    code, _ = execute(
        RunOptions(
            adapters=args.adapter,
            families=args.family,
            out=args.out,
            vectors_root=args.vectors,
            wycheproof=args.wycheproof,
            mls_vectors=args.mls_vectors,
            cases=args.case,
            tier=args.tier,
            shard=args.shard,
            jobs=args.jobs,
            seed=args.seed,
            expect=args.expect,
            allow_stale=args.allow_stale,
            fail_on=args.fail_on,
            profile=args.profile,
            formats=parse_formats(args.format),
            progress=not args.no_progress,
            command=_command(argv),
        )
    )
    return code


def _command(argv: Sequence[str] | None) -> list[str]:
    return ["e2ee-conformance", *(argv if argv is not None else sys.argv[1:])]


def _report(args: argparse.Namespace) -> int:
    from .report import load_report
    from .writers import render

    text = render(load_report(args.report), args.format)
    if args.out is None:
        sys.stdout.write(text)
    else:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text, encoding="utf-8")
        print(f"wrote {args.out}", file=sys.stderr)
    return EXIT_OK


def _merge(args: argparse.Namespace, argv: Sequence[str] | None) -> int:
    from .merge import merge_reports
    from .outlock import out_lock
    from .runner import gate_options
    from .summary import render_summary
    from .writers import FORMATS, write_outputs

    gate = gate_options(args.expect, args.fail_on, args.allow_stale)
    code, report = merge_reports(args.reports, gate, _command(argv))
    with out_lock(args.out):
        write_outputs(report, args.out, FORMATS)
    sys.stdout.write(render_summary(report, str(args.out)))
    return code


def _expectations(args: argparse.Namespace) -> int:
    from datetime import date

    from .errors import ConfigurationError
    from .expectations import baseline_toml
    from .report import load_report

    expires = None
    if args.expires:
        try:
            expires = date.fromisoformat(args.expires)
        except ValueError:
            raise ConfigurationError(f"--expires wants YYYY-MM-DD, got {args.expires!r}") from None
    text = baseline_toml(load_report(args.source), expires)
    if args.out is None:
        sys.stdout.write(text)
    else:
        args.out.write_text(text, encoding="utf-8")
        print(f"wrote {args.out}", file=sys.stderr)
    return EXIT_OK


def _repro(args: argparse.Namespace) -> int:
    from .attacks.ed25519_cases import use_cctv
    from .repro import repro, repro_pair

    use_cctv(args.cctv)
    if args.check.startswith(("pair/", "prop/", "group/")):
        return repro_pair(args.check, args.adapter, args.seed, sys.stdout)
    return repro(
        args.check, args.adapter, args.vectors, sys.stdout, args.wycheproof, args.mls_vectors
    )


def _adapters(args: argparse.Namespace) -> int:
    import functools
    import json

    from .registry import load_adapters

    if args.prepare and not _prepare(args.adapter):
        return EXIT_FAILED
    infos = []
    for a in load_adapters(args.adapter):
        infos.append(a.info())
        a.close()
    if args.json:
        print(json.dumps([i.__dict__ for i in infos], indent=2))
        return EXIT_OK
    # Every line holds adapter text: escaped one line each, so none can act on the terminal.
    show = functools.partial(untrusted.terminal, one_line=True)
    for i in infos:
        status = "" if i.status == "ok" else "  [cannot start]"
        print(show(f"{i.name}  {i.implementation} {i.version}{status}"))
        print(show(f"    capabilities: {', '.join(i.capabilities) or '(none)'}"))
        for cap, note in i.notes.items():
            print(show(f"    note {cap}: {note}"))
        if i.error:
            print(show("    " + i.error.splitlines()[-1][:300]))
    return EXIT_OK


def _prepare(specs: Sequence[str]) -> bool:
    from .environments import EnvironmentFailed, prepare
    from .registry import resolve

    ok = True
    for manifest in resolve(specs):
        if manifest.transport != "command":
            continue
        try:
            env = prepare(manifest)
        except EnvironmentFailed as exc:
            print(
                untrusted.terminal(f"{manifest.name}: environment failed: {exc}"), file=sys.stderr
            )
            ok = False
            continue
        print(f"{manifest.name}: environment ready in {env.folder}", file=sys.stderr)
    return ok


def _vectors_check(args: argparse.Namespace) -> int:
    from .vectorcheck import check_paths

    found = check_paths(args.paths)
    for p in found.problems:
        print(untrusted.terminal(str(p)), file=sys.stderr)
    for root in found.unverified:
        print(
            f"unverified: {root} has no MANIFEST.json, so nothing shows its files were written by "
            "a generator (schema, tcIds and content ids were checked)"
        )
    print(f"{found.checked} vector file(s) checked, {len(found.problems)} problem(s)")
    return EXIT_FAILED if found.problems else EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main())
