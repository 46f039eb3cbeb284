"""The pipeline in one place: text → tree → AST → checked framework → evaluator."""

from __future__ import annotations

import os
from pathlib import Path

from . import ast, build, check, syntax
from .compile import compile_framework
from .errors import Diagnostic, RuleFileError
from .framework import Framework
from .source import Source


def parse(text: str, *, source: str = "<string>") -> ast.Framework:
    """Parse rule text into its (unchecked) syntax tree.

    Raises:
        RuleSyntaxError: the text is not in the rule language.
    """
    src = Source(source, text)
    return build.to_ast(syntax.parse_tree(src), src)


def loads(text: str, *, source: str = "<string>") -> Framework:
    """Parse, check and compile rule text.

    Raises:
        RuleSyntaxError: the text is not in the rule language.
        FrameworkCheckError: it is, but describes an unsound framework (every error listed).
    """
    src = Source(source, text)
    tree = syntax.parse_tree(src)
    node = build.to_ast(tree, src)
    checked = check.check(node, src)
    return Framework(checked, compile_framework(checked))


def load(path: str | os.PathLike[str]) -> Framework:
    """Load a rule file (UTF-8). A directory stands for its ``framework.rules``.

    Raises:
        RuleFileError: the file cannot be read, parsed or checked.
    """
    file = Path(path)
    if file.is_dir():
        file = file / "framework.rules"
    return loads(_read(file), source=str(path if not Path(path).is_dir() else file))


def diagnose(text: str, *, source: str = "<string>") -> list[Diagnostic]:
    """Every diagnostic for rule text — errors and warnings — without raising for them."""
    src = Source(source, text)
    try:
        node = build.to_ast(syntax.parse_tree(src), src)
    except RuleFileError as error:
        return list(error.diagnostics)
    return check.diagnose(node)


def diagnose_file(path: str | os.PathLike[str]) -> tuple[Source, list[Diagnostic]]:
    """The source and every diagnostic of a rule file (see :func:`diagnose`)."""
    file = Path(path)
    if file.is_dir():
        file = file / "framework.rules"
    text = _read(file)
    return Source(str(file), text), diagnose(text, source=str(file))


def _read(file: Path) -> str:
    try:
        return file.read_text(encoding="utf-8")
    except FileNotFoundError:
        problem = Diagnostic("file-not-found", f"no rule file at {file}", file=str(file))
    except IsADirectoryError:
        problem = Diagnostic(
            "file-not-found", f"{file} is a directory, not a rule file", file=str(file)
        )
    except UnicodeDecodeError as error:
        problem = Diagnostic(
            "not-utf8",
            f"{file} is not UTF-8 text ({error.reason} at byte {error.start})",
            file=str(file),
        )
    except OSError as error:
        problem = Diagnostic(
            "file-unreadable", f"cannot read {file}: {error.strerror}", file=str(file)
        )
    raise RuleFileError([problem])
