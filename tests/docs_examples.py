"""The documentation's examples, found and run: the helpers of tests/test_docs.py.

Also a maintenance tool: ``python tests/docs_examples.py --update DOC`` rewrites the console
outputs of DOC that no longer match. Every output it rewrites must be read and judged before
committing — see "Maintenance" below.

tests/test_docs.py makes docs/*.md executable specifications. This module finds their
examples and runs them; it reads these conventions of the Markdown files:

``` ```console ``` blocks
    Each line ``$ COMMAND`` is run and the lines after it, up to the next ``$`` line or the
    end of the block, are what it must print (standard output and standard error together,
    in the order written). ``...`` stands for any text (doctest's ELLIPSIS); ``…`` is
    literal, as in the excerpts of diagnostics. ``$ echo $?`` prints the exit status of the
    previous command. A command of the form ``perfrules ARGS`` (no pipe, redirection or
    variable) runs in-process through ``perfrules.cli.main``; anything else runs with bash,
    with this interpreter's ``bin`` folder (``perfrules``, ``python``, ``pytest``) first on
    the PATH. Commands run from the repository's root unless a directive says otherwise.

    When the last command of a block shows no output and the next fenced block is preceded
    by a comment ``<!-- output: … -->``, that block is the command's output.

``<!-- doctest: scratch [SRC[=DEST] …] [examples] -->``, just above a console block
    The block runs in a new empty folder, with each repository file SRC copied to DEST
    (default: the same relative path). ``examples``: the ```perfrules and ```yaml blocks
    between the previous console block and this one are written to every ``*.rules`` and
    ``*.yaml`` file name its commands mention. ``<!-- doctest default: … -->`` anywhere
    in a document sets the directive of every console block after it that has none.

``<!-- file: NAME -->``, just above any fenced block
    The block's text is written to NAME in the scratch folder of every later console block
    of the document; ``<!-- file: NAME append -->`` adds it to what NAME holds so far.

``<!-- output excerpt: COMMAND -->``, just above a fenced block
    The block is an excerpt of what COMMAND (run from the root) prints: for a ```json block,
    every key it shows has the value shown (a list item shown matches some item of the real
    list; a line ``…`` is ignored); for any other block, its lines other than blank lines and
    ``…`` appear in the output in the same order.

``` ```perfrules ``` blocks of docs/language.md
    Each is a complete rule file that loads; the Markdown table right under it (before the
    next heading or fence) lists inputs and the scores they give: a column headed `` `name` ``
    is an input, ``judgement CODE`` / ``adjustment CODE`` a judgement or adjustment,
    ``不适用`` the codes marked, ``total``, ``grade`` or an indicator code an expected result
    (``—``: excluded), ``why``/``note``/``(…)`` free text. A block preceded by
    ``<!-- doctest: error CODE -->`` must fail to load with CODE instead. Every warning a
    block loads with must be named (`` `code` ``) in the prose after it.

docs/errors.md
    Under each ``### `code` `` heading, a ```perfrules block followed by a console block is a
    bad example, which must report that code; every other ```perfrules block is its fix,
    which must load without any diagnostic.

``>>>`` examples
    Every document with ``>>>`` examples runs as one doctest (ELLIPSIS), from the root.

Maintenance: refreshing console outputs
---------------------------------------

    python tests/docs_examples.py --update docs/errors.md [DOC …]

runs every console block of each DOC and replaces the output shown under each command that
no longer matches by what the command prints now, unless the shown output holds ``...``
(those are printed for editing by hand). It prints every change as a diff. **Read every
changed output before committing**: a change of wording or layout from a deliberate change
of the code is what this is for; a changed number, score, grade, count of diagnostics or
exit status is a behaviour change to investigate, not an output to refresh.
``--check`` (instead of ``--update``) only reports the mismatches.
"""

from __future__ import annotations

import contextlib
import difflib
import doctest
import io
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
BIN = Path(sys.executable).parent

_FENCE = re.compile(r"^```(\S*)\s*$")
_DIRECTIVE = re.compile(
    r"^<!--\s*(doctest default|doctest|file|output excerpt|output)\s*:?\s*(.*?)\s*-->\s*$")
_HEADING = re.compile(r"^(#{1,6}) ")


# ====================================================================== Markdown structure


@dataclass
class Fence:
    """A fenced block: ``line`` is the 1-based line of its opening fence."""

    doc: Path
    line: int
    lang: str
    body: list[str]
    #: (kind, argument) of the directive comment just above it, or None.
    directive: tuple[str, str] | None
    #: The headings it stands under: ``##`` and ``###`` texts (None when there is none).
    section: str | None
    subsection: str | None
    #: The text between this block and the next fence or heading.
    after: str

    @property
    def text(self) -> str:
        return "\n".join(self.body) + "\n"

    @property
    def where(self) -> str:
        return f"{self.doc.relative_to(ROOT)}:{self.line}"


def fences(doc: Path) -> list[Fence]:
    """Every fenced block of a Markdown file, in order."""
    lines = doc.read_text(encoding="utf-8").split("\n")
    found: list[Fence] = []
    section = subsection = None
    i = 0
    while i < len(lines):
        heading = _HEADING.match(lines[i])
        if heading:
            level = len(heading.group(1))
            title = lines[i][level + 1:].strip()
            if level <= 2:
                section, subsection = title, None
            elif level == 3:
                subsection = title
        match = _FENCE.match(lines[i])
        if not match or not match.group(1):
            i += 1
            continue
        end = i + 1
        while end < len(lines) and lines[end].rstrip() != "```":
            end += 1
        directive = None
        above = i - 1
        while above >= 0 and not lines[above].strip():
            above -= 1
        if above >= 0:
            comment = _DIRECTIVE.match(lines[above].strip())
            if comment:
                directive = (comment.group(1), comment.group(2))
        after_end = end + 1
        while after_end < len(lines) and not _FENCE.match(lines[after_end]) \
                and not _HEADING.match(lines[after_end]):
            after_end += 1
        found.append(Fence(doc, i + 1, match.group(1), lines[i + 1:end], directive, section,
                           subsection, "\n".join(lines[end + 1:after_end])))
        i = end + 1
    return found


def defaults(doc: Path) -> list[tuple[int, str]]:
    """``<!-- doctest default: … -->`` comments: (line, directive), in order."""
    out = []
    for number, line in enumerate(doc.read_text(encoding="utf-8").split("\n"), start=1):
        comment = _DIRECTIVE.match(line.strip())
        if comment and comment.group(1) == "doctest default":
            out.append((number, comment.group(2)))
    return out


def documents() -> list[Path]:
    return sorted(DOCS.glob("*.md"))


# ====================================================================== console blocks


@dataclass
class Command:
    line: int
    command: str
    expected: list[str]
    #: Where the expected output lives when not under the command (an output fence).
    output_fence: Fence | None = None


@dataclass
class Setup:
    scratch: bool = False
    copies: list[tuple[str, str]] = field(default_factory=list)
    #: file name → text, written into the scratch folder.
    files: dict[str, str] = field(default_factory=dict)


@dataclass
class ConsoleBlock:
    fence: Fence
    commands: list[Command]
    setup: Setup

    @property
    def where(self) -> str:
        return self.fence.where


def _parse_setup(directive: str, fence: Fence, pending: list[Fence],
                 named: dict[str, str], commands: list[Command]) -> Setup:
    words = directive.split()
    if not words or words[0] != "scratch":
        raise ValueError(f"{fence.where}: unknown doctest directive {directive!r}")
    setup = Setup(scratch=True, files=dict(named))
    for word in words[1:]:
        if word == "examples":
            mentioned = [w for c in commands for w in _words(c.command)]
            for example in pending:
                suffixes = {"perfrules": (".rules",), "yaml": (".yaml", ".yml")}.get(example.lang)
                if suffixes is None:
                    continue
                for name in mentioned:
                    if name.endswith(suffixes):
                        setup.files[name] = example.text
        else:
            source, _, dest = word.partition("=")
            setup.copies.append((source, dest or source))
    return setup


def _words(command: str) -> list[str]:
    try:
        return shlex.split(command)
    except ValueError:
        return command.split()


def console_blocks(doc: Path) -> list[ConsoleBlock]:
    """Every ```console block of a document, with its commands and how to run them."""
    blocks = []
    all_fences = fences(doc)
    default_at = defaults(doc)
    pending: list[Fence] = []
    named: dict[str, str] = {}
    for position, fence in enumerate(all_fences):
        if fence.directive and fence.directive[0] == "file":
            name, _, how = fence.directive[1].partition(" ")
            if how not in ("", "append"):
                raise ValueError(f"{fence.where}: unknown file directive {fence.directive[1]!r}")
            named[name] = (named.get(name, "") + "\n" if how else "") + fence.text
        if fence.lang != "console":
            pending.append(fence)
            continue
        commands: list[Command] = []
        for offset, text in enumerate(fence.body):
            if text.startswith("$ "):
                commands.append(Command(fence.line + 1 + offset, text[2:], []))
            elif commands:
                commands[-1].expected.append(text)
        if commands and not commands[-1].expected and position + 1 < len(all_fences):
            following = all_fences[position + 1]
            if following.directive and following.directive[0] == "output":
                commands[-1].expected = list(following.body)
                commands[-1].output_fence = following
        directive = None
        if fence.directive and fence.directive[0] == "doctest":
            directive = fence.directive[1]
        else:
            earlier = [d for line, d in default_at if line < fence.line]
            directive = earlier[-1] if earlier else None
        setup = (Setup() if directive is None
                 else _parse_setup(directive, fence, pending, named, commands))
        blocks.append(ConsoleBlock(fence, commands, setup))
        pending = []
    return blocks


_SHELL = set("|&;<>()$`*?~{}[]\\")


def _in_process(command: str) -> list[str] | None:
    """The arguments of a plain ``perfrules …`` command, or None when it needs a shell."""
    if not command.startswith("perfrules ") and command != "perfrules":
        return None
    lexer = shlex.shlex(command, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    try:
        words = list(lexer)
    except ValueError:
        return None
    unquoted = re.sub(r"'[^']*'|\"[^\"]*\"", "", command)
    if any(ch in _SHELL for ch in unquoted):
        return None
    return words[1:]


@contextlib.contextmanager
def _working_directory(path: Path) -> Iterator[None]:
    before = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(before)


def run_command(command: str, cwd: Path, last_status: int) -> tuple[str, int]:
    """Run one documented command: (what it prints, its exit status)."""
    if command.strip() == "echo $?":
        return f"{last_status}\n", 0
    argv = _in_process(command)
    if argv is not None:
        from perfrules import cli

        buffer = io.StringIO()
        with _working_directory(cwd):
            status = cli.main(argv, stdout=buffer, stderr=buffer)
        return buffer.getvalue(), status
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
               PYTHONUNBUFFERED="1", COLUMNS="80", PYTHONDONTWRITEBYTECODE="1")
    for variable in ("PYTEST_ADDOPTS", "PYTEST_CURRENT_TEST", "PYTEST_VERSION"):
        env.pop(variable, None)
    done = subprocess.run(["bash", "-c", command], cwd=cwd, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, encoding="utf-8",
                          errors="replace", timeout=300, check=False)
    return done.stdout, done.returncode


def _normalise(text: str) -> str:
    text = text.rstrip("\n")
    return text + "\n" if text else ""


def matches(expected: list[str], got: str) -> bool:
    want = _normalise("\n".join(expected))
    return doctest.OutputChecker().check_output(want, _normalise(got), doctest.ELLIPSIS)


def difference(expected: list[str], got: str) -> str:
    return "\n".join(difflib.unified_diff(
        _normalise("\n".join(expected)).splitlines(), _normalise(got).splitlines(),
        "documented", "printed now", lineterm=""))


@dataclass
class Outcome:
    command: Command
    got: str
    status: int

    @property
    def ok(self) -> bool:
        return matches(self.command.expected, self.got)


@contextlib.contextmanager
def _folder(block: ConsoleBlock) -> Iterator[Path]:
    if not block.setup.scratch:
        yield ROOT
        return
    with tempfile.TemporaryDirectory(prefix="perfrules-doc-") as name:
        scratch = Path(name)
        for source, dest in block.setup.copies:
            target = scratch / dest
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / source, target)
        for file_name, text in block.setup.files.items():
            target = scratch / file_name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        yield scratch


def run_block(block: ConsoleBlock) -> list[Outcome]:
    """Run every command of a console block, in order, in its folder."""
    outcomes = []
    status = 0
    with _folder(block) as cwd:
        for command in block.commands:
            got, status = run_command(command.command, cwd, status)
            outcomes.append(Outcome(command, got, status))
    return outcomes


# ====================================================================== language.md examples


@dataclass
class ScoreRow:
    line: int
    values: dict[str, object]
    keywords: dict[str, object]
    expected: dict[str, str]


@dataclass
class RuleExample:
    fence: Fence
    #: The code the example must fail with (``<!-- doctest: error CODE -->``), or None.
    error: str | None
    rows: list[ScoreRow]
    #: Problems with the table itself (an unknown column).
    table_problems: list[str]


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def _value(cell: str) -> object:
    cell = cell.strip("`")
    if cell.endswith("%"):
        return cell
    return yaml.safe_load(cell)


def rule_examples(doc: Path) -> list[RuleExample]:
    """Every ```perfrules block of ``doc`` with the score table under it."""
    lines = doc.read_text(encoding="utf-8").split("\n")
    examples = []
    for fence in fences(doc):
        if fence.lang != "perfrules":
            continue
        error = None
        if fence.directive and fence.directive[0] == "doctest":
            words = fence.directive[1].split()
            if words[:1] != ["error"] or len(words) != 2:
                raise ValueError(f"{fence.where}: unknown directive {fence.directive[1]!r}")
            error = words[1]
        rows: list[ScoreRow] = []
        problems: list[str] = []
        k = fence.line + len(fence.body) + 1  # the line after the closing fence (0-based)
        while k < len(lines) and not lines[k].startswith(("|", "```", "#")):
            k += 1
        if k < len(lines) and lines[k].startswith("|"):
            head = _cells(lines[k])
            k += 2
            while k < len(lines) and lines[k].startswith("|"):
                row = ScoreRow(k + 1, {}, {}, {})
                for title, cell in zip(head, _cells(lines[k]), strict=False):
                    _read_cell(title, cell, row, problems)
                rows.append(row)
                k += 1
        examples.append(RuleExample(fence, error, rows, problems))
    return examples


def _read_cell(title: str, cell: str, row: ScoreRow, problems: list[str]) -> None:
    empty = cell in ("", "—")
    if title.startswith("`") and title.endswith("`"):
        if not empty:
            row.values[title.strip("`")] = _value(cell)
    elif title.startswith("judgement "):
        row.keywords.setdefault("judgements", {})[title.split()[1]] = _value(cell)
    elif title.startswith("adjustment "):
        if not empty:
            row.keywords.setdefault("adjustments", {})[title.split()[1]] = _value(cell)
    elif title == "不适用":
        row.keywords["not_applicable"] = [
            c.strip() for c in cell.strip("`").split(",") if c.strip() and c.strip() != "—"]
    elif title in ("why", "note") or title.startswith("("):
        pass
    elif title in ("total", "grade") or re.fullmatch(r"[A-Z][A-Z0-9.]*", title):
        row.expected[title] = cell.replace("*", "")
    else:
        problems.append(f"line {row.line}: unknown column {title!r}")


# ====================================================================== errors.md examples


@dataclass
class ErrorExample:
    fence: Fence
    #: The diagnostic code of the section, or None outside the sections of one code.
    code: str | None
    bad: bool


def error_examples(doc: Path) -> list[ErrorExample]:
    """docs/errors.md's rule files: each bad example (followed by a console block) and fix."""
    found = fences(doc)
    examples = []
    for position, fence in enumerate(found):
        if fence.lang != "perfrules":
            continue
        heading = re.fullmatch(r"`([a-z0-9-]+)`", fence.subsection or "")
        following = found[position + 1] if position + 1 < len(found) else None
        # A console block right after it (nothing but prose between) shows what it prints.
        bad = (following is not None and following.lang == "console"
               and following.section == fence.section
               and following.subsection == fence.subsection)
        examples.append(ErrorExample(fence, heading.group(1) if heading else None, bad))
    return examples


# ====================================================================== output excerpts


def excerpts() -> list[Fence]:
    """Every fenced block marked ``<!-- output excerpt: COMMAND -->``."""
    return [fence for doc in documents() for fence in fences(doc)
            if fence.directive and fence.directive[0] == "output excerpt"]


def within(shown: object, real: object) -> bool:
    """``shown`` is ``real``, or a part of it: mappings by key, lists item by some item."""
    if isinstance(shown, dict) and isinstance(real, dict):
        return all(key in real and within(value, real[key]) for key, value in shown.items())
    if isinstance(shown, list) and isinstance(real, list):
        return all(any(within(item, candidate) for candidate in real) for item in shown)
    return shown == real


def excerpt_problems(fence: Fence) -> list[str]:
    """What an output excerpt shows that the command does not print (empty: all of it)."""
    assert fence.directive is not None
    output, status = run_command(fence.directive[1], ROOT, 0)
    if fence.lang == "json":
        import json

        shown = json.loads("\n".join(line for line in fence.body if line.strip() != "…"))
        real = json.loads(output)
        return [] if within(shown, real) else ["the JSON shown is not part of the output"]
    lines = output.split("\n")
    position, missing = 0, []
    for line in fence.body:
        if not line.strip() or line.strip() == "…":
            continue
        try:
            position = lines.index(line, position) + 1
        except ValueError:
            missing.append(line)
    return missing


# ====================================================================== doctests


def run_doctests(doc: Path) -> tuple[int, int, str]:
    """Run a document's ``>>>`` examples from the root: (failed, attempted, report)."""
    text = doc.read_text(encoding="utf-8")
    parser = doctest.DocTestParser()
    test = parser.get_doctest(text, {"__name__": "__doc__"}, doc.name,
                              str(doc.relative_to(ROOT)), 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    report = io.StringIO()
    with _working_directory(ROOT):
        runner.run(test, out=report.write, clear_globs=True)
    return runner.failures, runner.tries, report.getvalue()


# ====================================================================== --update


def update(doc: Path, write: bool = True) -> int:
    """Refresh the console outputs of ``doc``; returns the number of mismatches left."""
    lines = doc.read_text(encoding="utf-8").split("\n")
    edits: list[tuple[int, int, list[str]]] = []  # 0-based [start, end) → new lines
    left = 0
    for block in console_blocks(doc):
        for outcome in run_block(block):
            if outcome.ok:
                continue
            command = outcome.command
            where = f"{doc.relative_to(ROOT)}:{command.line}"
            diff = difference(command.expected, outcome.got)
            if any("..." in line for line in command.expected) or not write:
                left += 1
                reason = "shown output holds '...': edit by hand" if write else "mismatch"
                print(f"--- {where}: $ {command.command}  ({reason})\n{diff}\n")
                continue
            new = _normalise(outcome.got).rstrip("\n").split("\n") if outcome.got.strip() \
                else []
            if command.output_fence is not None:
                start = command.output_fence.line  # the line after its opening fence
            else:
                start = command.line  # the line after the `$` line (0-based)
            edits.append((start, start + len(command.expected), new))
            print(f"--- {where}: $ {command.command}  (refreshed)\n{diff}\n")
    for start, end, new in sorted(edits, reverse=True):
        lines[start:end] = new
    if edits and write:
        doc.write_text("\n".join(lines), encoding="utf-8")
    if write:
        print(f"{doc.relative_to(ROOT)}: {len(edits)} output(s) refreshed, "
              f"{left} left to edit by hand")
    else:
        print(f"{doc.relative_to(ROOT)}: {left} output(s) differ")
    return left


def main(argv: list[str]) -> int:
    if len(argv) < 2 or argv[0] not in ("--update", "--check"):
        print(__doc__.split("Maintenance:")[1])
        return 2
    left = 0
    for name in argv[1:]:
        path = Path(name).resolve()
        left += update(path, write=argv[0] == "--update")
    return 1 if left else 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main(sys.argv[1:]))
