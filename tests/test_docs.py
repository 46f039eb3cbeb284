"""The documentation as executable specifications.

Every ```console block of docs/*.md prints what it shows; every ```perfrules example of
docs/language.md loads and scores its table; every ``>>>`` example passes as a doctest;
every bad example of docs/errors.md reports its code and its fix loads cleanly; the tables
of docs/testing.md agree with the code they describe. tests/docs_examples.py finds and runs
the examples (its docstring lists the conventions, and how to refresh console outputs).
"""

from __future__ import annotations

import re
import sys
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

import perfrules
from perfrules import casetest, check
from perfrules.result import format_number

sys.path.insert(0, str(Path(__file__).resolve().parent))
import docs_examples as examples  # noqa: E402 - the helpers sit next to this file

ROOT = examples.ROOT
DOCS = examples.DOCS
LANGUAGE = DOCS / "language.md"
ERRORS = DOCS / "errors.md"
TESTING = DOCS / "testing.md"


def _param(item: object, where: str) -> object:
    return pytest.param(item, id=where)


# ====================================================================== console blocks


CONSOLE = [
    _param(block, block.where)
    for doc in examples.documents()
    for block in examples.console_blocks(doc)
]


@pytest.mark.parametrize("block", CONSOLE)
def test_console_block(block: examples.ConsoleBlock) -> None:
    """The commands of a ```console block print what the document shows."""
    assert block.commands, f"{block.where}: a console block without a `$ ` command"
    failures = []
    for outcome in examples.run_block(block):
        if not outcome.ok:
            command = outcome.command
            failures.append(
                f"{block.fence.doc.relative_to(ROOT)}:{command.line}: $ {command.command}\n"
                + examples.difference(command.expected, outcome.got)
            )
    assert not failures, (
        "\n\n".join(failures)
        + "\n\n(after checking that only wording or layout changed: "
        "python tests/docs_examples.py --update DOC)"
    )


def test_console_blocks_are_found() -> None:
    """Every document's console blocks are collected, and every command shows an output."""
    counts = {doc.name: len(examples.console_blocks(doc)) for doc in examples.documents()}
    assert counts["errors.md"] >= 60
    assert counts["testing.md"] >= 8
    silent = [f"{block.where}: $ {command.command}"
              for doc in examples.documents() for block in examples.console_blocks(doc)
              for command in block.commands
              if not command.expected and command.command.split()[0] == "perfrules"
              and "-o" not in command.command.split()]
    assert silent == []


EXCERPTS = [_param(fence, fence.where) for fence in examples.excerpts()]


@pytest.mark.parametrize("fence", EXCERPTS)
def test_output_excerpt(fence: examples.Fence) -> None:
    """A block marked as an excerpt of a command's output shows only what it prints."""
    missing = examples.excerpt_problems(fence)
    assert not missing, f"{fence.where}: not in the output of {fence.directive[1]}:\n" + (
        "\n".join(missing))


def test_excerpts_are_found() -> None:
    assert {fence.doc.name for fence in examples.excerpts()} >= {"diff.md", "publishing.md"}


# ====================================================================== docs/language.md


LANGUAGE_EXAMPLES = [_param(example, example.fence.where)
                     for example in examples.rule_examples(LANGUAGE)]


def _shown(value: Decimal | None) -> str:
    return "—" if value is None else format_number(value)


@pytest.mark.parametrize("example", LANGUAGE_EXAMPLES)
def test_language_example(example: examples.RuleExample) -> None:
    """A rule file of docs/language.md loads (or fails as documented) and scores its table."""
    where = example.fence.where
    if example.error is not None:
        with pytest.raises(perfrules.RuleFileError) as raised:
            perfrules.loads(example.fence.text, source=where)
        assert example.error in [d.code for d in raised.value.diagnostics]
        return
    framework = perfrules.loads(example.fence.text, source=where)
    prose = example.fence.after
    unexplained = [w.code for w in framework.warnings if f"`{w.code}`" not in prose]
    assert not unexplained, (
        f"{where} loads with the warning(s) {unexplained}, which the text after it does not "
        "name"
    )
    assert not example.table_problems, example.table_problems
    wrong = []
    for row in example.rows:
        try:
            result = framework.score(row.values, **row.keywords)
        except perfrules.PerfrulesError as error:
            wrong.append(f"line {row.line}: {error}")
            continue
        for title, wanted in row.expected.items():
            if title == "total":
                got = format_number(result.total)
            elif title == "grade":
                got = str(result.grade)
            else:
                got = _shown(result[title].score)
            if got != wanted:
                wrong.append(f"line {row.line}: {title} is {got}, the table says {wanted}")
    assert not wrong, "\n".join(wrong)


def test_language_examples_have_tables() -> None:
    """Most examples of the reference are scored by a table; the count guards the parser."""
    found = examples.rule_examples(LANGUAGE)
    assert len(found) >= 40
    assert sum(len(e.rows) for e in found) >= 170


# ====================================================================== docs/errors.md


ERROR_EXAMPLES = [
    _param(example, f"{example.fence.where}-{example.code or 'example'}-"
                    f"{'bad' if example.bad else 'fix'}")
    for example in examples.error_examples(ERRORS)
]


@pytest.mark.parametrize("example", ERROR_EXAMPLES)
def test_error_example(example: examples.ErrorExample) -> None:
    """A bad example reports its section's code with its severity; a fix loads cleanly."""
    text, where = example.fence.text, example.fence.where
    found = perfrules.diagnose(text, source=where)
    codes = [d.code for d in found]
    if not example.bad or example.code is None:
        assert found == [] or example.bad, (
            f"{where}: expected to load without diagnostics, got {codes}")
        if not example.bad:
            perfrules.loads(text, source=where)
        return
    assert example.code in codes, f"{where}: the example of {example.code} reports {codes}"
    errors = [d for d in found if d.is_error]
    if errors:
        with pytest.raises(perfrules.RuleFileError):
            perfrules.loads(text, source=where)
    else:
        assert example.code in [w.code for w in perfrules.loads(text).warnings]
    severity = check.DIAGNOSTIC_CODES.get(example.code, ("error", ""))[0]
    assert {d.severity for d in found if d.code == example.code} == {severity}


def test_every_check_code_has_a_bad_example() -> None:
    """Every code the checker can report has its section in docs/errors.md, with a bad
    example and what perfrules prints for it (the fix is a file, or said in words)."""
    found = examples.error_examples(ERRORS)
    bad = {e.code for e in found if e.bad}
    sections = set(re.findall(r"^### `([a-z0-9-]+)`", ERRORS.read_text(encoding="utf-8"), re.M))
    assert set(check.DIAGNOSTIC_CODES) - sections == set()
    assert set(check.DIAGNOSTIC_CODES) - bad == set()


def test_errors_contents_lists_every_section() -> None:
    """The contents at the top of docs/errors.md names every code that has a section."""
    text = ERRORS.read_text(encoding="utf-8")
    contents = text[:text.index("## Reading the file")]
    sections = re.findall(r"^### `([a-z0-9-]+)`", text, re.M)
    assert [code for code in sections if f"`{code}`" not in contents] == []


# ====================================================================== doctests


DOCTEST_DOCS = [_param(doc, str(doc.relative_to(ROOT))) for doc in examples.documents()
                if ">>> " in doc.read_text(encoding="utf-8")]


@pytest.mark.parametrize("doc", DOCTEST_DOCS)
def test_doctests(doc: Path) -> None:
    """Every ``>>>`` example of the document passes (run from the repository's root)."""
    failed, tried, report = examples.run_doctests(doc)
    assert tried > 0
    assert failed == 0, report


def test_doctest_documents() -> None:
    assert {doc.values[0].name for doc in DOCTEST_DOCS} >= {"api.md", "tutorial.md"}


# ====================================================================== docs/testing.md


def _table(text: str, heading: str) -> list[list[str]]:
    """The rows of the first Markdown table after ``heading``."""
    start = text.index(heading)
    lines = text[start:].split("\n")
    first = next(i for i, line in enumerate(lines) if line.startswith("|"))
    rows = []
    for line in lines[first + 2:]:
        if not line.startswith("|"):
            break
        rows.append(examples._cells(line))
    return rows


def _unquote(cell: str) -> str:
    return cell.strip().strip("`")


def test_testing_branch_table_is_the_code() -> None:
    """docs/testing.md's table of branches is casetest.BRANCHES, row for row."""
    rows = _table(TESTING.read_text(encoding="utf-8"), "### Branches")
    shown = [(_unquote(kind), _unquote(name)) for kind, name, *_ in rows]
    assert shown == [(kind, name) for kind, name, _ in casetest.BRANCHES]


def test_testing_case_keys_are_the_code() -> None:
    """Every key of a case, of ``expect`` and of ``expect_error`` is documented, and no other."""
    text = TESTING.read_text(encoding="utf-8")
    rows = _table(text, "### Every key")
    documented = {_unquote(row[0]) for row in rows}
    keys = set(casetest.CASE_KEYS)
    keys |= {f"expect.{k}" for k in casetest.EXPECT_KEYS}
    keys |= {f"expect_error.{k}" for k in casetest.EXPECT_ERROR_KEYS}
    assert documented == keys


def test_testing_case_excerpts_are_the_shipped_cases() -> None:
    """The Nanjing cases docs/testing.md shows are (excerpts of) the shipped cases.yaml."""
    shipped = yaml.safe_load((ROOT / "frameworks" / "nanjing-2024" / "cases.yaml")
                             .read_text(encoding="utf-8"))
    real = {case["name"]: case for case in shipped}
    shown = [f for f in examples.fences(TESTING)
             if f.lang == "yaml" and f.directive == ("doctest", "nanjing cases")]
    assert shown
    for fence in shown:
        for case in yaml.safe_load(fence.text):
            assert case["name"] in real, f"{fence.where}: no case {case['name']!r} in cases.yaml"
            assert examples.within(case, real[case["name"]]), (
                f"{fence.where}: case {case['name']!r} is not what cases.yaml says")


def test_pre_commit_hook_shown_is_the_shipped_one() -> None:
    """The hook docs/testing.md and docs/errors.md tell users to add exists, under that id."""
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    ids = {hook["id"] for hook in hooks}
    for doc in (TESTING, ERRORS):
        for fence in examples.fences(doc):
            if fence.lang == "yaml" and "hooks:" in fence.text:
                config = yaml.safe_load(fence.text)
                used = {hook["id"] for repo in config["repos"] for hook in repo["hooks"]}
                assert used <= ids, f"{fence.where}: unknown hook {used - ids}"


def test_testing_python_fragments_are_in_the_test_file() -> None:
    """A Python fragment of docs/testing.md is part of the complete file it shows and runs."""
    blocks = [f for f in examples.fences(TESTING) if f.lang == "python"]
    files = [f.text for f in blocks if f.directive and f.directive[0] == "file"]
    fragments = [f for f in blocks if not f.directive]
    assert files and fragments
    for fragment in fragments:
        assert any(fragment.text in text for text in files), fragment.where
