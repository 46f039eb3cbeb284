"""The ``perfrules`` command: score, check, test, diff and import.

Exit status: 0 success, 1 an invalid rule file or invalid inputs, 2 a usage mistake.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any, TextIO

from . import api, ast, bounds, casetest, diff_report, importer, publish, report
from .errors import InputError, RuleFileError
from .inputs import read_inputs

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_USAGE = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="perfrules",
        description="Score units against performance-evaluation indicator frameworks.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (add_arguments, _) in COMMANDS.items():
        add_arguments(commands, name)
    return parser


def _score_arguments(commands: Any, name: str) -> None:
    score = commands.add_parser(
        name, help="score one unit and print the table (or JSON, or publish it)",
        description="Score one unit's inputs against a framework.",
    )
    score.add_argument("framework", help="a rule file, or a folder holding framework.rules")
    score.add_argument("inputs", help="the unit's inputs: a YAML, JSON or TOML file")
    score.add_argument(
        "--format", choices=("table", "json", *publish.FORMATS), default="table",
        help="table (terminal, the default), json, or the published table as md, html, "
             "xlsx or csv (see docs/publishing.md)",
    )
    score.add_argument("-o", "--output", metavar="FILE",
                       help="write to FILE instead of standard output (required for xlsx)")
    score.add_argument("--locale", choices=("zh", "en"), default="zh",
                       help="language of the table and reasons (default zh)")
    score.add_argument(
        "--criteria", choices=publish.CRITERIA, default="published",
        help="the 评价要点 column of md/html/xlsx/csv: each indicator's published text where "
             "it has one (the default), or always the rule rendered into canonical phrasing",
    )
    score.add_argument("--unit", help="the unit's name, when the inputs file does not say")


def _check_arguments(commands: Any, name: str) -> None:
    check = commands.add_parser(
        name, help="check rule files: diagnostics and the interval of every score",
        description="Parse and check rule files; print every error and warning, and (with "
        "--intervals) the interval of scores each indicator can get. Exits 1 when a file has "
        "an error. Usable as a pre-commit hook (see .pre-commit-hooks.yaml).",
    )
    check.add_argument("framework", nargs="+",
                       help="a rule file, or a folder holding framework.rules (several may "
                       "be given)")
    check.add_argument("--format", choices=("text", "json"), default="text",
                       help="json: one object per file (a list for several files), with "
                       "'intervals' and 'total'")
    check.add_argument("--intervals", action="store_true",
                       help="print the interval of every indicator's score and of the total")


def main(argv: Sequence[str] | None = None, stdout: TextIO | None = None,
         stderr: TextIO | None = None) -> int:
    """Run the command line; returns the exit status (tests call this directly)."""
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    try:
        # argparse writes usage, errors and --help to sys.stdout/sys.stderr: send them to ours.
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            args = _parser().parse_args(argv)
    except SystemExit as exit_:
        return EXIT_USAGE if exit_.code not in (0, None) else EXIT_OK
    _, run = COMMANDS[args.command]
    try:
        return run(args, out, err)
    except BrokenPipeError:
        # The reader went away (`perfrules check … | head`): nothing left to say to it.
        sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - silences the interpreter's flush
        return EXIT_OK


def _score(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    if args.format == "xlsx" and not args.output:
        print("perfrules: --format xlsx writes a workbook: give the file with -o FILE", file=err)
        return EXIT_USAGE
    try:
        framework = api.load(args.framework)
        data = read_inputs(args.inputs)
        result = framework.score(data, unit=args.unit)
    except RuleFileError as error:
        print(str(error), file=err)
        return EXIT_INVALID
    except InputError as error:
        print(f"perfrules: {error}", file=err)
        return EXIT_INVALID
    except OSError as error:
        print(f"perfrules: cannot read {error.filename}: {error.strerror}", file=err)
        return EXIT_INVALID
    content: str | bytes
    if args.format == "json":
        content = report.as_json(framework, result)
    elif args.format == "table":
        content = report.table(framework, result, args.locale)
    else:
        try:
            content = publish.publish(framework, result, args.format, locale=args.locale,
                                      criteria=args.criteria)
        except RuntimeError as error:  # openpyxl missing
            print(f"perfrules: {error}", file=err)
            return EXIT_INVALID
    if not args.output:
        assert isinstance(content, str), "binary formats require --output"
        out.write(content)
        return EXIT_OK
    try:
        if isinstance(content, bytes):
            with open(args.output, "wb") as binary:
                binary.write(content)
        else:
            with open(args.output, "w", encoding="utf-8", newline="") as text:
                text.write(content)
    except OSError as error:
        print(f"perfrules: cannot write {error.filename}: {error.strerror}", file=err)
        return EXIT_INVALID
    return EXIT_OK


def _check(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    reports = []
    failed = False
    for path in args.framework:
        try:
            source, diagnostics = api.diagnose_file(path)
        except RuleFileError as error:
            print(str(error), file=err)
            failed = True
            continue
        try:
            tree: ast.Framework | None = api.parse(source.text, source=source.name)
        except RuleFileError:
            tree = None  # a syntax error: no tree to bound
        found = bounds.analyse(tree) if tree is not None else None
        errors = [d for d in diagnostics if d.is_error]
        failed = failed or bool(errors)
        if args.format == "json":
            reports.append({
                "file": source.name,
                "ok": not errors,
                "errors": len(errors),
                "warnings": len(diagnostics) - len(errors),
                "diagnostics": [d.to_dict() for d in diagnostics],
                "intervals": {} if found is None
                else {code: i.to_dict() for code, i in found.nodes.items()},
                "total": None if found is None else found.total.to_dict(),
            })
            continue
        for diagnostic in diagnostics:
            print(diagnostic.render(source), file=err if diagnostic.is_error else out)
        if args.intervals and tree is not None and found is not None:
            for line in _interval_lines(tree, found):
                print(line, file=out)
        warnings = len(diagnostics) - len(errors)
        print(f"{source.name}: {len(errors)} error(s), {warnings} warning(s)", file=out)
    if args.format == "json" and reports:
        payload: Any = reports[0] if len(args.framework) == 1 else reports
        out.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
    return EXIT_INVALID if failed else EXIT_OK


def _interval_lines(tree: ast.Framework, found: bounds.Bounds) -> list[str]:
    """``C11 文件办理率  [0, 10]``, indented two spaces a level, and the total last."""
    lines = []
    stack = [(node, 0) for node in reversed(tree.indicators)]
    position = 0
    while stack:
        node, depth = stack.pop()
        lines.append(f"{'  ' * depth}{node.code} {node.name}  {found.in_order[position]}")
        position += 1
        stack.extend((child, depth + 1) for child in reversed(node.children))
    lines.append(f"total  {found.total}")
    return lines


Command = tuple[Callable[[Any, str], None], Callable[[argparse.Namespace, TextIO, TextIO], int]]

#: Every subcommand: how it adds its arguments, and how it runs (returning the exit status).
COMMANDS: dict[str, Command] = {
    "score": (_score_arguments, _score),
    "check": (_check_arguments, _check),
    "test": (casetest.add_arguments, casetest.run),
    "diff": (diff_report.add_arguments, diff_report.run),
    "import": (importer.add_arguments, importer.run),
}


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
