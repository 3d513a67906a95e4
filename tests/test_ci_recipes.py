"""The CI recipes implementers copy (docs/ci/github-actions.yml, docs/ci/gitlab-ci.yml, and the
examples in docs/ci.md): valid YAML, the steps docs/ci.md promises, and every
``e2ee-conformance`` command line in them accepted by the suite's real argument parser, so a
recipe cannot drift from the CLI unnoticed."""

from __future__ import annotations

import contextlib
import fnmatch
import io
import os
import re
import shlex
import textwrap
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
GITHUB = DOCS / "ci" / "github-actions.yml"
GITLAB = DOCS / "ci" / "gitlab-ci.yml"
CI_MD = DOCS / "ci.md"

if not GITHUB.is_file():
    pytest.skip("needs the source tree (docs/)", allow_module_level=True)


# --- finding command lines in shell text ------------------------------------------------------

#: ``${{ expr }}`` (GitHub), ``${NAME}`` and ``$NAME`` (shell, GitLab).
_EXPRESSION = re.compile(
    r"\$\{\{\s*(?P<expr>.*?)\s*\}\}|\$\{(?P<braced>[A-Za-z_]\w*)\}|\$(?P<name>[A-Za-z_]\w*)",
    re.S,
)
#: A file-descriptor number glued to a redirect (``2>&1``), which would read as an argument.
_FD_REDIRECT = re.compile(r"(?:(?<=\s)|^)\d+(?=[<>])")
#: Shell keywords that may stand before a command on the same line.
_LEADING = {"if", "then", "else", "elif", "do", "while", "until", "!", "time", "exec", "command"}
_ASSIGNMENT = re.compile(r"[A-Za-z_]\w*=")
#: What a documentation example may keep before a command: a YAML list dash, a ``run:`` or
#: ``script:`` key, a ``$`` prompt.
_LINE_PREFIX = re.compile(r"^\s*(?:-\s+)?(?:(?:run|script):\s*)?(?:\$\s+)?")
_OPERATOR_CHARS = set("();<>|&")


def _substitute(text: str, values: Mapping[str, str]) -> str:
    """Replace each expression with its value in ``values`` (keyed by the expression, such as
    ``matrix.shard``, or the variable's name), else with ``1``: a plausible value for a count,
    an index, a path or a name."""

    def one(m: re.Match[str]) -> str:
        key = m.group("expr") or m.group("braced") or m.group("name")
        return values.get(key, "1")

    return _EXPRESSION.sub(one, text)


def _program_args(tokens: list[str]) -> tuple[str, ...] | None:
    """The arguments after the program if ``tokens`` runs the suite, else None."""
    while tokens and (tokens[0] in _LEADING or _ASSIGNMENT.match(tokens[0])):
        tokens = tokens[1:]
    if not tokens:
        return None
    program = tokens[0].rsplit("/", 1)[-1]
    if program == "e2ee-conformance":
        return tuple(tokens[1:])
    if re.fullmatch(r"python[\d.]*", program) and tokens[1:3] in (
        ["-m", "conformance"],
        ["-m", "conformance.cli"],
    ):
        return tuple(tokens[3:])
    return None


def _commands_in_line(line: str) -> Iterator[tuple[str, ...]]:
    lexer = shlex.shlex(_FD_REDIRECT.sub("", line), posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    segment: list[str] = []
    redirected = False
    for token in [*lexer, ";"]:
        if token and set(token) <= _OPERATOR_CHARS:
            if "<" in token or ">" in token:
                # A redirect ends the command's arguments: what follows is its target.
                redirected = True
                continue
            # ``;``, ``&&``, ``||``, ``|``, ``&``, parentheses: a command ends here.
            args = _program_args(segment)
            if args is not None:
                yield args
            segment, redirected = [], False
        elif not redirected:
            segment.append(token)


def commands_in(script: str, values: Mapping[str, str] | None = None) -> list[tuple[str, ...]]:
    """Every suite command in a shell script, as the argument list after the program name.

    Expressions are substituted (see :func:`_substitute`), line continuations joined, comments
    dropped, and a command is cut at ``;``, ``&&``, ``||``, pipes, ``&`` and redirects."""
    text = _substitute(script, values or {})
    text = re.sub(r"\\\r?\n", " ", text)
    found: list[tuple[str, ...]] = []
    for raw in text.splitlines():
        line = _LINE_PREFIX.sub("", raw, count=1)
        if "conformance" not in line or line.lstrip().startswith("#"):
            continue
        try:
            found.extend(_commands_in_line(line))
        except ValueError as exc:  # shlex: an unbalanced quote
            raise AssertionError(f"cannot split shell line {raw!r}: {exc}") from None
    return found


def _option(argv: tuple[str, ...], name: str) -> str | None:
    """The last value given to option ``name`` (``--out DIR`` or ``--out=DIR``)."""
    value = None
    for i, token in enumerate(argv):
        if token == name and i + 1 < len(argv):
            value = argv[i + 1]
        elif token.startswith(name + "="):
            value = token.partition("=")[2]
    return value


def test_command_extraction_handles_shell_syntax() -> None:
    script = textwrap.dedent(
        """\
        status=0
        e2ee-conformance run --adapter "$ADAPTER" --tier ci \\
          --shard ${{ matrix.shard }}/3 --out out-${{ matrix.shard }} || status=$?
        for k in 1 2; do e2ee-conformance run --shard "$k/2"; done
        e2ee-conformance expectations --from out/report.json > expectations.toml 2>&1
        x=$(e2ee-conformance adapters --json | jq length) && echo "$x"
        # e2ee-conformance merge --not-checked: comments are not commands
        echo "e2ee-conformance run --nope"
        python -m pip install e2ee-conformance
        .venv/bin/e2ee-conformance report out/report.json --format md; python3 -m conformance adapters
        if [ -f x ]; then e2ee-conformance merge out-*/report.json --out merged; fi
        """
    )
    assert commands_in(script, {"matrix.shard": "2"}) == [
        ("run", "--adapter", "1", "--tier", "ci", "--shard", "2/3", "--out", "out-2"),
        ("run", "--shard", "1/2"),
        ("expectations", "--from", "out/report.json"),
        ("adapters", "--json"),
        ("report", "out/report.json", "--format", "md"),
        ("adapters",),
        ("merge", "out-*/report.json", "--out", "merged"),
    ]
    assert _option(("run", "--out", "a", "--out=b"), "--out") == "b"


# --- loading the recipes ----------------------------------------------------------------------


def _yaml(path: Path) -> dict[str, Any]:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(doc, dict), f"{path.name}: the top level is not a mapping"
    return doc


def _github() -> dict[str, Any]:
    wf = _yaml(GITHUB)
    # PyYAML reads YAML 1.1, where a bare `on` is the boolean true; GitHub reads the key "on".
    if True in wf:
        wf["on"] = wf.pop(True)
    return wf


#: Top-level GitLab keys that are not jobs.
_GITLAB_GLOBAL = {
    "default",
    "include",
    "stages",
    "variables",
    "workflow",
    "image",
    "services",
    "cache",
    "before_script",
    "after_script",
    "spec",
}


def _deep_merge(base: dict[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def _gitlab_jobs(doc: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The jobs, with ``extends`` resolved as GitLab does (mappings merged, the rest replaced);
    hidden jobs (``.name``) are templates, not jobs."""

    def resolve(name: str, seen: tuple[str, ...] = ()) -> dict[str, Any]:
        assert name not in seen, f"gitlab-ci.yml: extends cycle {seen}"
        job = doc[name]
        parents = job.get("extends", [])
        merged: dict[str, Any] = {}
        for parent in [parents] if isinstance(parents, str) else parents:
            merged = _deep_merge(merged, resolve(parent, (*seen, name)))
        return _deep_merge(merged, {k: v for k, v in job.items() if k != "extends"})

    return {
        name: resolve(name)
        for name, job in doc.items()
        if name not in _GITLAB_GLOBAL and not name.startswith(".") and isinstance(job, dict)
    }


def _script_lines(value: Any) -> Iterator[str]:
    """GitLab script entries: a string, or a list of strings and (nested) lists."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _script_lines(item)


def _gitlab_script(job: Mapping[str, Any]) -> str:
    return "\n".join(_script_lines(job.get("script")))


def _fenced_blocks(markdown: str) -> Iterator[tuple[str, str]]:
    """(language, body) of each fenced code block."""
    fence = re.compile(
        r"^(?P<f>```+|~~~+)[ \t]*(?P<lang>[^\n]*)\n(?P<body>.*?)^(?P=f)[ \t]*$", re.M | re.S
    )
    for m in fence.finditer(markdown):
        yield m.group("lang").strip().split(" ")[0].lower(), m.group("body")


# --- (c) every command line is accepted by the real argument parser -----------------------


@dataclass(frozen=True)
class Command:
    file: str
    where: str
    argv: tuple[str, ...]

    @property
    def text(self) -> str:
        return shlex.join(["e2ee-conformance", *self.argv])


def _all_commands() -> list[Command]:
    found: list[Command] = []
    for job_name, job in (_github().get("jobs") or {}).items():
        for i, step in enumerate(job.get("steps") or []):
            if isinstance(step.get("run"), str):
                where = f"jobs.{job_name}.steps[{i}]"
                found += [Command(GITHUB.name, where, a) for a in commands_in(step["run"])]
    for name, job in _yaml(GITLAB).items():
        if isinstance(job, Mapping):
            for key in ("before_script", "script", "after_script"):
                for line in _script_lines(job.get(key)):
                    found += [Command(GITLAB.name, f"{name}.{key}", a) for a in commands_in(line)]
    shell = {"", "sh", "bash", "shell", "console", "yaml", "yml"}
    for n, (lang, body) in enumerate(_fenced_blocks(CI_MD.read_text(encoding="utf-8"))):
        if lang in shell:
            found += [Command(CI_MD.name, f"code block {n + 1}", a) for a in commands_in(body)]
    return found


COMMANDS = _all_commands()


def _command_id(command: Command) -> str:
    same_file = [c for c in COMMANDS if c.file == command.file]
    sub = command.argv[0] if command.argv else "none"
    return f"{command.file}-{same_file.index(command) + 1}-{sub}"


@pytest.mark.parametrize("command", COMMANDS, ids=_command_id)
def test_recipe_command_is_accepted_by_the_cli(command: Command) -> None:
    from conformance.cli import _parser

    stderr = io.StringIO()
    rejected: SystemExit | None = None
    with contextlib.redirect_stderr(stderr):
        try:
            _parser().parse_args(list(command.argv))
        except SystemExit as exc:
            rejected = exc
    if rejected is not None:
        pytest.fail(
            f"{command.file} ({command.where}): the CLI rejects\n    {command.text}\n"
            f"{stderr.getvalue().strip()}\n(exit {rejected.code})"
        )


def test_recipes_show_the_commands_the_docs_describe() -> None:
    """The parse check above is not vacuous: the extraction finds the commands that matter."""
    found = {(c.file, c.argv[0]) for c in COMMANDS if c.argv}
    for file in (GITHUB.name, GITLAB.name, CI_MD.name):
        assert {(file, "run"), (file, "merge")} <= found, file
        assert any(c.file == file and "--expect" in c.argv for c in COMMANDS), (
            f"{file} shows no --expect baseline"
        )
    assert (CI_MD.name, "expectations") in found


# --- (a), (b) GitHub Actions --------------------------------------------------------------------


def _uses(step: Mapping[str, Any], action: str) -> bool:
    return str(step.get("uses", "")).split("@")[0] == action


def _always(step: Mapping[str, Any]) -> bool:
    return "always()" in str(step.get("if", ""))


def _suite_steps(job: Mapping[str, Any], values: Mapping[str, str] | None = None) -> list[Any]:
    """(index, step, argvs) of each step that runs the suite (``run`` or ``merge``); a step may
    hold alternatives, such as with and without ``--expect``."""
    out = []
    for i, step in enumerate(job.get("steps") or []):
        argvs = [
            argv
            for argv in commands_in(str(step.get("run", "")), values)
            if argv and argv[0] in ("run", "merge")
        ]
        if argvs:
            out.append((i, step, argvs))
    return out


def _one(values: list[str | None], what: str) -> str:
    """The value all alternatives agree on."""
    assert len(set(values)) == 1, f"the alternatives disagree on {what}: {values}"
    (value,) = set(values)
    assert value, f"no {what}"
    return value


def _python_at_least_3_11(version: object) -> bool:
    m = re.match(r"(\d+)\.(\d+)", str(version))
    return m is not None and (int(m.group(1)), int(m.group(2))) >= (3, 11)


def _gate_jobs(jobs: Mapping[str, Any]) -> dict[str, Any]:
    """Jobs whose suite command decides the verdict: ``run`` without ``--shard``, or ``merge``."""
    return {
        name: job
        for name, job in jobs.items()
        if any(
            argv[0] == "merge" or _option(argv, "--shard") is None
            for _, _, argvs in _suite_steps(job)
            for argv in argvs
        )
    }


def _shard_jobs(jobs: Mapping[str, Any]) -> dict[str, Any]:
    return {
        name: job
        for name, job in jobs.items()
        if any(
            _option(argv, "--shard") is not None
            for _, _, argvs in _suite_steps(job)
            for argv in argvs
        )
    }


def _report_globs(argv: tuple[str, ...]) -> list[str]:
    """The ``report.json`` paths or globs a ``merge`` command joins."""
    return [a for a in argv[1:] if a.endswith("report.json")]


def _installs_suite(script: str) -> bool:
    return re.search(r"pip install\b.*\be2ee-conformance\b", script) is not None


def test_github_workflow_is_valid() -> None:
    wf = _github()
    assert {"pull_request", "push"} <= set(wf["on"])
    jobs = wf["jobs"]
    assert jobs
    for name, job in jobs.items():
        assert "runs-on" in job, name
        for step in job["steps"]:
            assert ("uses" in step) != ("run" in step), (name, step)


def test_github_jobs_set_up_python_and_install_the_suite() -> None:
    for name, job in _github()["jobs"].items():
        suite = _suite_steps(job)
        if not suite:
            continue
        before = job["steps"][: suite[0][0]]
        assert any(_uses(s, "actions/checkout") for s in before), name
        setups = [s for s in before if _uses(s, "actions/setup-python")]
        assert setups, f"{name}: no actions/setup-python before the suite runs"
        assert _python_at_least_3_11(setups[0].get("with", {}).get("python-version")), name
        assert any(_installs_suite(str(s.get("run", ""))) for s in before), (
            f"{name}: the suite is not installed before it runs"
        )


def test_github_gate_jobs_publish_the_report_then_fail_by_exit_status() -> None:
    jobs = _github()["jobs"]
    gates = _gate_jobs(jobs)
    assert len(gates) == 2, f"expected the one-job gate and the merge job, got {sorted(gates)}"
    for name, job in gates.items():
        steps = job["steps"]
        ((index, step, argvs),) = _suite_steps(job)
        out = os.path.normpath(_one([_option(a, "--out") for a in argvs], f"{name}: --out"))
        assert step.get("id"), f"{name}: the suite step needs an id to hand on its exit status"
        assert "GITHUB_OUTPUT" in step["run"], f"{name}: the exit status is not recorded"
        later = steps[index + 1 :]
        uploads = [s for s in later if _uses(s, "actions/upload-artifact")]
        assert uploads, f"{name}: the report is not uploaded"
        assert all(_always(s) for s in uploads), f"{name}: an upload is skipped when the gate fails"
        assert any(os.path.normpath(s["with"]["path"]) == out for s in uploads), (
            f"{name}: no upload of the folder the suite writes ({out})"
        )
        summaries = [s for s in later if "GITHUB_STEP_SUMMARY" in str(s.get("run", ""))]
        assert summaries, f"{name}: report.md is not added to the job summary"
        assert all(_always(s) for s in summaries), name
        assert any(f"{out}/report.md" in s["run"] for s in summaries), name
        # The last step turns the recorded status into the job's result.
        last = steps[-1]
        assert f"steps.{step['id']}.outputs." in str(last), f"{name}: the last step ignores it"
        assert re.search(r"\bexit\b", last.get("run", "")), name
        assert not _always(last), f"{name}: the last step must not run after a failed step"


def test_github_shards_upload_slices_that_the_merge_job_joins() -> None:
    jobs = _github()["jobs"]
    ((shard_name, shard),) = _shard_jobs(jobs).items()
    values = shard["strategy"]["matrix"]["shard"]
    assert values == [1, 2, 3]
    assert shard["strategy"].get("fail-fast") is False, "one failed slice must not cancel others"

    slices: list[str] = []  # artifact names, one per slice
    for k in values:
        subst = {"matrix.shard": str(k)}
        ((index, _, argvs),) = _suite_steps(shard, subst)
        shard_arg = _one([_option(a, "--shard") for a in argvs], "--shard")
        assert shard_arg == f"{k}/{len(values)}", "N in --shard K/N must be the matrix's length"
        out = os.path.normpath(_one([_option(a, "--out") for a in argvs], "--out"))
        uploads = [s for s in shard["steps"][index + 1 :] if _uses(s, "actions/upload-artifact")]
        (upload,) = uploads
        assert _always(upload), shard_name
        assert os.path.normpath(_substitute(upload["with"]["path"], subst)) == f"{out}/report.json"
        slices.append(_substitute(upload["with"]["name"], subst))
    assert len(set(slices)) == len(values), "artifact names must differ per slice"

    merges = {
        n: j
        for n, j in jobs.items()
        if any(a[0] == "merge" for _, _, argvs in _suite_steps(j) for a in argvs)
    }
    ((merge_name, merge),) = merges.items()
    needs = merge.get("needs", [])
    assert shard_name in ([needs] if isinstance(needs, str) else needs), merge_name
    downloads = [s for s in merge["steps"] if _uses(s, "actions/download-artifact")]
    (download,) = downloads
    assert all(fnmatch.fnmatchcase(name, download["with"]["pattern"]) for name in slices)
    assert not download["with"].get("merge-multiple"), "each slice needs its own folder"
    # Several artifacts downloaded by pattern land in one folder each, named after the artifact.
    root = download["with"].get("path", ".")
    files = [os.path.normpath(os.path.join(root, name, "report.json")) for name in slices]
    ((_, _, argvs),) = _suite_steps(merge)
    for argv in argvs:
        globs = _report_globs(argv)
        assert any(all(fnmatch.fnmatchcase(f, g) for f in files) for g in globs), (globs, files)


# --- (a), (b) GitLab CI -------------------------------------------------------------------------


def _gitlab_suite(
    job: Mapping[str, Any], values: Mapping[str, str] | None = None
) -> list[tuple[str, ...]]:
    """The suite commands (``run``, ``merge``) in a job's script, alternatives included."""
    return [a for a in commands_in(_gitlab_script(job), values) if a and a[0] in ("run", "merge")]


def test_gitlab_ci_is_valid() -> None:
    jobs = _gitlab_jobs(_yaml(GITLAB))
    assert jobs
    for name, job in jobs.items():
        assert job.get("script"), f"{name}: a job needs a script"


def test_gitlab_jobs_keep_the_report() -> None:
    jobs = _gitlab_jobs(_yaml(GITLAB))
    suite_jobs = {n: j for n, j in jobs.items() if _gitlab_suite(j)}
    assert suite_jobs
    exposed = 0
    for name, job in suite_jobs.items():
        image = str(job.get("image", ""))
        assert image.startswith("python:"), f"{name}: {image}"
        assert _python_at_least_3_11(image.partition(":")[2]), f"{name}: {image}"
        before = "\n".join(_script_lines(job.get("before_script")))
        assert _installs_suite(before + "\n" + _gitlab_script(job)), f"{name}: no install"
        artifacts = job.get("artifacts") or {}
        assert artifacts.get("when") == "always", f"{name}: the report is lost when the gate fails"
        argvs = _gitlab_suite(job)
        if any(_option(a, "--shard") is not None for a in argvs):
            continue  # a slice: the merge job keeps the report
        out = os.path.normpath(_one([_option(a, "--out") for a in argvs], f"{name}: --out"))
        assert f"{out}/" in (artifacts.get("paths") or []), f"{name}: {out}/ is not kept"
        assert (artifacts.get("reports") or {}).get("junit") == f"{out}/junit.xml", name
        if "expose_as" in artifacts:
            exposed += 1
            # GitLab links an exposed path only without variables, globs or a leading "./",
            # and a folder only when it ends in "/".
            for path in artifacts["paths"]:
                assert not re.search(r"[$*?\[]", path), path
                assert not path.startswith("./"), path
                assert path.endswith("/") or "." in Path(path).name, path
    assert exposed, "no job exposes the HTML report in merge requests (artifacts:expose_as)"


def test_gitlab_shards_are_joined_by_the_merge_job() -> None:
    jobs = _gitlab_jobs(_yaml(GITLAB))
    shards = {n: j for n, j in jobs.items() if any(_option(a, "--shard") for a in _gitlab_suite(j))}
    ((shard_name, shard),) = shards.items()
    total = shard["parallel"]
    assert isinstance(total, int)
    assert total > 1
    files: list[str] = []
    for k in range(1, total + 1):
        ci = {"CI_NODE_INDEX": str(k), "CI_NODE_TOTAL": str(total)}
        argvs = _gitlab_suite(shard, ci)
        assert _one([_option(a, "--shard") for a in argvs], "--shard") == f"{k}/{total}"
        out = os.path.normpath(_one([_option(a, "--out") for a in argvs], "--out"))
        kept = [_substitute(p, ci) for p in shard["artifacts"]["paths"]]
        assert any(fnmatch.fnmatchcase(f"{out}/report.json", p) for p in kept), (out, kept)
        files.append(f"{out}/report.json")

    merges = {n: j for n, j in jobs.items() if any(a[0] == "merge" for a in _gitlab_suite(j))}
    ((merge_name, merge),) = merges.items()
    needed = [n if isinstance(n, str) else n["job"] for n in merge.get("needs", [])]
    assert shard_name in needed, merge_name
    for argv in _gitlab_suite(merge):
        globs = _report_globs(argv)
        assert any(all(fnmatch.fnmatchcase(f, g) for f in files) for g in globs), (globs, files)


# --- docs/ci.md ---------------------------------------------------------------------------------


def test_ci_doc_links_resolve_and_it_lists_the_exit_codes() -> None:
    from conformance.cli import EXIT_FAILED, EXIT_OK, EXIT_USAGE

    text = CI_MD.read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)#\s]+)\)", text):
        if "://" not in target:
            assert (CI_MD.parent / target).exists(), f"docs/ci.md links to missing {target}"
    for code in (EXIT_OK, EXIT_FAILED, EXIT_USAGE):
        assert re.search(rf"^\| {code} \|", text, re.M), f"docs/ci.md: no row for exit {code}"
    assert (EXIT_OK, EXIT_FAILED, EXIT_USAGE) == (0, 1, 2), (
        "the recipes' exit handling assumes these"
    )
