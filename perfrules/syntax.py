"""Text to lark tree: the grammar, the cached parser, and lark's errors turned into ours.

This is one of the two modules that touch lark (with build.py); nothing later sees lark.
"""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path

import lark
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from .errors import Diagnostic, RuleSyntaxError
from .source import Source, Span

GRAMMAR_NAME = "perfrules.lark"

#: A rule file larger than this is refused before parsing (it is untrusted text).
MAX_FILE_CHARS = 2_000_000


def grammar_text(name: str = GRAMMAR_NAME) -> str:
    """The grammar's text, from the installed package or, in a checkout, from grammars/."""
    packaged = resources.files("perfrules") / "grammars" / name
    if packaged.is_file():
        return packaged.read_text(encoding="utf-8")
    checkout = Path(__file__).resolve().parent.parent / "grammars" / name
    return checkout.read_text(encoding="utf-8")


@functools.cache
def parser() -> lark.Lark:
    """The LALR parser, built once per process."""
    return lark.Lark(
        grammar_text(),
        parser="lalr",
        lexer="contextual",
        propagate_positions=True,
    )


# Human words for terminals and keywords, so users never see `__ANON_0` or `$END`.
_TERMINAL_WORDS = {
    "CODE": "an indicator code such as A11",
    "NAME": "a name",
    "NUMBER": "a number",
    "PERCENT": "a percentage such as 99%",
    "STRING": 'a quoted text such as "文件办理率"',
    "COMPARATOR": "a comparison (>=, >, <=, <, =)",
    "PLUS_MINUS": "±",
    "$END": "end of file",
}


def _describe_terminal(name: str) -> str:
    if name in _TERMINAL_WORDS:
        return _TERMINAL_WORDS[name]
    try:
        pattern = parser().get_terminal(name).pattern
    except KeyError:
        return name
    if pattern.type == "str":
        return repr(pattern.value)
    return name.lower()


def _describe_expected(names: set[str]) -> str:
    words = sorted({_describe_terminal(n) for n in names})
    if len(words) > 8:
        words = words[:8] + ["…"]
    return ", ".join(words)


def _end_of_text_span(source: Source) -> Span:
    lines = source.text.split("\n")
    last = lines[-1] if lines else ""
    return Span(source.name, len(lines), len(last) + 1, len(lines), len(last) + 2)


def _token_span(token: lark.Token, source: Source) -> Span:
    line = token.line or 1
    column = token.column or 1
    end_line = token.end_line or line
    end_column = token.end_column or column + max(len(token.value), 1)
    return Span(source.name, line, column, end_line, end_column)


# Known mistakes, recognised by the parser state they leave (lark's match_examples): a label
# maps to example texts that fail the same way, and to the message and hint a user sees.
_KNOWN_MISTAKES: dict[str, tuple[list[str], str, str]] = {
    "missing-points": (
        [
            "{open} threshold r >= 99%, each 5% lower deduct 2 {close}",
            "{open} threshold r >= 99% {close}",
        ],
        "a threshold needs its points after the bound",
        "write 'full' (the cap) or a number: threshold rate >= 99% full, …",
    ),
    "unquoted-name": (
        ["{before} A 部门决策 10 {{}}", "{before} A a 10 {{}}"],
        "an indicator's name is a quoted text",
        'put the name in ASCII double quotes: "{token}"',
    ),
    "cap-with-unit": (
        ['{before} A "a" 10分 {{}}', '{before} A "a" 10 分 {{}}'],
        "a cap is a plain number",
        "write the cap without '{token}': a number of points such as 15",
    ),
    "missing-cap": (
        ['{before} A "a" {{}}'],
        "an indicator needs its cap in points after its name",
        'write the cap between the name and "{{": A "部门决策" 15 {{ … }}',
    ),
}

# The same mistake leaves a different parser state at the top level, inside an indicator,
# after an inputs block …: each example is tried in each of these places.
_CONTEXTS = (
    ('framework "x" {}', 'framework "x" {} A "a" 10 {', "}"),
    ('framework "x" {} inputs { r: percent }', 'framework "x" {} inputs { r: percent } A "a" 10 {', "}"),
    ('framework "x" {} A "p" 10 {', 'framework "x" {} A "p" 10 { B "a" 10 {', "} }"),
    (
        'framework "x" {} inputs { r: percent } A "p" 10 {',
        'framework "x" {} inputs { r: percent } A "p" 10 { B "a" 10 {',
        "} }",
    ),
)


def _examples() -> dict[str, list[str]]:
    return {
        label: [
            text.format(before=before, open=opened, close=close)
            for text in texts
            for before, opened, close in _CONTEXTS
        ]
        for label, (texts, _, _) in _KNOWN_MISTAKES.items()
    }


def _known_mistake(error: UnexpectedInput) -> tuple[str, str] | None:
    try:
        label = error.match_examples(parser().parse, _examples(), use_accepts=True)
    except Exception:  # noqa: BLE001 - a failed lookup only loses the friendlier message
        return None
    if label is None:
        return None
    _, message, hint = _KNOWN_MISTAKES[label]
    return message, hint


def _diagnostic(error: UnexpectedInput, source: Source) -> Diagnostic:
    diagnostic = _plain_diagnostic(error, source)
    known = _known_mistake(error) if isinstance(error, UnexpectedToken) else None
    if known is None:
        return diagnostic
    message, hint = known
    assert isinstance(error, UnexpectedToken)
    hint = hint.format(token=error.token.value)
    return Diagnostic(diagnostic.code, f"{message} ({diagnostic.message})", diagnostic.span, hint)


def _plain_diagnostic(error: UnexpectedInput, source: Source) -> Diagnostic:
    if isinstance(error, UnexpectedToken):
        expected = _describe_expected(set(error.accepts or error.expected))
        if error.token.type == "$END":
            return Diagnostic(
                "unexpected-eof",
                f"unexpected end of file, expected {expected}",
                _end_of_text_span(source),
            )
        token_text = error.token.value
        hint = None
        if error.token.type == "CODE" and "NAME" in (error.accepts or error.expected):
            hint = (
                "names cannot start with an upper-case Latin letter (those are indicator "
                f"codes): write {token_text[0].lower() + token_text[1:]!r}"
            )
        return Diagnostic(
            "unexpected-token",
            f"unexpected {token_text!r}, expected {expected}",
            _token_span(error.token, source),
            hint=hint,
        )
    if isinstance(error, UnexpectedCharacters):
        char = source.text[error.pos_in_stream] if error.pos_in_stream < len(source.text) else ""
        expected = _describe_expected(set(error.allowed or ()))
        hint = None
        if char in "“”":
            hint = 'quote texts with ASCII double quotes: "…"'
        return Diagnostic(
            "unexpected-character",
            f"unexpected character {char!r}, expected {expected}",
            Span(source.name, error.line, error.column, error.line, error.column + 1),
            hint=hint,
        )
    line = getattr(error, "line", 1) or 1
    column = getattr(error, "column", 1) or 1
    return Diagnostic(
        "syntax-error", str(error).splitlines()[0], Span(source.name, line, column, line, column + 1)
    )


def parse_tree(source: Source) -> lark.Tree:
    """Parse a rule file into a lark tree.

    Raises:
        RuleSyntaxError: the text is not in the language, or is too large to be a rule file.
    """
    if len(source.text) > MAX_FILE_CHARS:
        raise RuleSyntaxError(
            [
                Diagnostic(
                    "file-too-large",
                    f"a rule file may hold at most {MAX_FILE_CHARS} characters, "
                    f"this one holds {len(source.text)}",
                    file=source.name,
                )
            ],
            source,
        )
    if "\x00" in source.text:
        offset = source.text.index("\x00")
        line = source.text.count("\n", 0, offset) + 1
        column = offset - (source.text.rfind("\n", 0, offset) + 1) + 1
        raise RuleSyntaxError(
            [
                Diagnostic(
                    "unexpected-character",
                    "a NUL character cannot stand in a rule file",
                    Span(source.name, line, column, line, column + 1),
                )
            ],
            source,
        )
    try:
        return parser().parse(source.text)
    except UnexpectedInput as error:
        raise RuleSyntaxError([_diagnostic(error, source)], source) from None
