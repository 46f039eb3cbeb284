"""Syntax errors: one diagnostic each, at the right place, and never a lark exception."""

from __future__ import annotations

import re
from pathlib import Path

import lark
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from perfrules import ast, build, check, syntax
from perfrules.errors import Diagnostic, RuleFileError, RuleSyntaxError
from perfrules.source import Source, display_width

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "syntax"
NANJING = Path(__file__).resolve().parent.parent / "frameworks" / "nanjing-2024" / "framework.rules"

#: ``# error: code`` or ``# error@17: code`` on the line where the error is expected.
EXPECTATION = re.compile(r"\berror(?:@(\d+))?:\s*([a-z][a-z0-9-]*)")


def load(text: str, name: str = "t.rules") -> ast.Framework:
    source = Source(name, text)
    return build.to_ast(syntax.parse_tree(source), source)


def syntax_error(text: str, name: str = "t.rules") -> RuleSyntaxError:
    """The RuleSyntaxError that loading ``text`` raises (and nothing else)."""
    with pytest.raises(RuleSyntaxError) as caught:
        load(text, name)
    error = caught.value
    assert type(error) is RuleSyntaxError
    assert not isinstance(error, lark.exceptions.LarkError)
    # No lark exception shows through a traceback either.
    assert error.__cause__ is None
    assert error.__context__ is None or error.__suppress_context__
    assert len(error.diagnostics) == 1
    assert error.diagnostics[0].severity == "error"
    return error


def nested(depth: int, indent: str = "  ") -> str:
    """A framework whose indicators nest ``depth`` deep, one indicator per line."""
    opening = "".join(f'{indent * i}N{i} "level {i}" 1 {{\n' for i in range(depth))
    closing = "".join(f"{indent * i}}}\n" for i in reversed(range(depth)))
    return 'framework "deep" { }\n' + opening + indent * depth + "judged\n" + closing


# ---------------------------------------------------------------- fixtures


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.rules")), ids=lambda p: p.stem)
def test_fixture(path: Path) -> None:
    text = path.read_text("utf-8")
    expected = [
        (number, int(column) if column else None, code)
        for number, line in enumerate(text.splitlines(), start=1)
        if "#" in line
        for column, code in EXPECTATION.findall(line[line.index("#") :])
    ]
    assert len(expected) == 1, "a syntax fixture expects exactly one error"
    line, column, code = expected[0]
    diagnostic = syntax_error(text, path.name).diagnostics[0]
    assert diagnostic.code == code
    assert diagnostic.span is not None and diagnostic.span.source == path.name
    assert diagnostic.span.line == line
    if column is not None:
        assert diagnostic.span.column == column


def test_every_fixture_names_its_own_code() -> None:
    for path in FIXTURES.glob("*.rules"):
        assert path.stem in path.read_text("utf-8")


# ---------------------------------------------------------------- particular errors


def test_unexpected_token_says_what_was_expected() -> None:
    text = 'framework "t" { }\ninputs { done: bool }\nA "a" 1 { full if }'
    diagnostic = syntax_error(text).diagnostics[0]
    assert diagnostic.code == "unexpected-token"
    assert (diagnostic.span.line, diagnostic.span.column) == (3, 19)
    assert diagnostic.message == "unexpected '}', expected 'not', a name"


def test_unexpected_end_of_file_points_at_the_end_of_the_text() -> None:
    text = 'framework "t" { }\ninputs { done: bool }\nA "a" 1 {\n  full if done'
    diagnostic = syntax_error(text).diagnostics[0]
    assert diagnostic.code == "unexpected-eof"
    assert (diagnostic.span.line, diagnostic.span.column) == (4, len("  full if done") + 1)
    assert diagnostic.message.startswith("unexpected end of file, expected ")
    assert "$END" not in diagnostic.message and "__" not in diagnostic.message


def test_unexpected_end_of_file_after_a_final_newline() -> None:
    text = 'framework "t" { }\nA "a" 1 {\n'
    diagnostic = syntax_error(text).diagnostics[0]
    assert diagnostic.code == "unexpected-eof"
    assert (diagnostic.span.line, diagnostic.span.column) == (3, 1)


def test_curly_quotes_get_a_hint() -> None:
    error = syntax_error('framework "t" { }\nA “部门决策” 1 { judged }')
    diagnostic = error.diagnostics[0]
    assert diagnostic.code == "unexpected-character"
    assert (diagnostic.span.line, diagnostic.span.column) == (2, 3)
    assert diagnostic.message.startswith("unexpected character '“'")
    assert diagnostic.hint == 'quote texts with ASCII double quotes: "…"'
    assert "hint: quote texts with ASCII double quotes" in str(error)


def test_a_nul_character_is_refused() -> None:
    diagnostic = syntax_error('framework "t" {\n  year\x00 2024 }').diagnostics[0]
    assert diagnostic.code == "unexpected-character"
    assert (diagnostic.span.line, diagnostic.span.column) == (2, 7)


def test_caret_sits_under_the_right_cell_after_chinese_text() -> None:
    line = 'A "部门决策" 15 { judged oops }'
    error = syntax_error('framework "t" { }\n' + line, "cjk.rules")
    diagnostic = error.diagnostics[0]
    assert diagnostic.code == "unexpected-token"
    # 21 characters precede the token, four of them double-width: 25 display cells.
    prefix = 'A "部门决策" 15 { judged '
    assert (diagnostic.span.line, diagnostic.span.column) == (2, len(prefix) + 1)
    assert display_width(prefix) == 25
    rendered = diagnostic.render(error.source).splitlines()
    assert rendered[0].startswith("cjk.rules:2:22: error[unexpected-token]: unexpected 'oops'")
    assert rendered[1] == "    2 | " + line
    assert rendered[2] == "      | " + " " * 25 + "^^^^"


def test_caret_is_as_wide_as_a_chinese_token() -> None:
    line = 'A "a" 1 { full if 完成 完成 }'
    error = syntax_error('framework "t" { }\n' + line)
    rendered = error.diagnostics[0].render(error.source).splitlines()
    offset = display_width('A "a" 1 { full if 完成 ')
    assert rendered[2] == "      | " + " " * offset + "^^^^"


def test_number_too_long() -> None:
    for literal in ("1234567890123456", "1.12345678901"):
        text = f'framework "t" {{ }}\nA "a" {literal} {{ judged }}'
        diagnostic = syntax_error(text).diagnostics[0]
        assert diagnostic.code == "number-too-long"
        assert (diagnostic.span.line, diagnostic.span.column) == (2, 7)
    assert load('framework "t" { }\nA "a" 123456789012345.1234567890 { judged }')


def test_nesting_too_deep() -> None:
    limit = build.MAX_NESTING
    assert load(nested(limit))
    diagnostic = syntax_error(nested(30)).diagnostics[0]
    assert diagnostic.code == "nesting-too-deep"
    # The first indicator past the limit, on line 2 + limit (the framework block is line 1).
    assert (diagnostic.span.line, diagnostic.span.column) == (2 + limit, 1 + 2 * limit)


def test_a_thousand_deep_nesting_is_refused_without_recursion_error() -> None:
    diagnostic = syntax_error(nested(1000, indent="")).diagnostics[0]
    assert diagnostic.code == "nesting-too-deep"


def test_deeply_nested_composites_are_refused_too() -> None:
    depth = 1000
    text = (
        'framework "t" { }\nA "a" 1 {\n'
        + "combine sum { part 1: " * depth
        + "judged"
        + " }" * depth
        + "\n}"
    )
    assert syntax_error(text).diagnostics[0].code == "nesting-too-deep"


def test_file_too_large() -> None:
    """A file over the size limit is refused as a whole: the diagnostic names the file and
    shows no excerpt of it."""
    text = 'framework "t" { }\n' + "#" * syntax.MAX_FILE_CHARS
    error = syntax_error(text, "big.rules")
    diagnostic = error.diagnostics[0]
    assert diagnostic.code == "file-too-large"
    assert diagnostic.span is None and diagnostic.file == "big.rules"
    assert str(error).startswith("big.rules: error[file-too-large]: ")
    assert "|" not in str(error)


def test_syntax_error_is_a_rule_file_error_with_its_source() -> None:
    error = syntax_error('framework "t" { year 24 }', "y.rules")
    assert isinstance(error, RuleFileError)
    assert error.source is not None and error.source.name == "y.rules"
    assert str(error).startswith("y.rules:1:17: error[bad-year]: ")
    assert isinstance(error.diagnostics[0], Diagnostic)


# ---------------------------------------------------------------- robustness


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    position=st.integers(min_value=0, max_value=len(NANJING.read_text("utf-8"))),
    cut=st.integers(min_value=0, max_value=8),
    insert=st.text(alphabet='{}()[]:;,"“”%.-+0123456789 \nabcAZ优秀≥±#\\', max_size=4),
)
def test_edited_framework_gives_an_ast_or_a_rule_syntax_error(
    position: int, cut: int, insert: str
) -> None:
    text = NANJING.read_text("utf-8")
    edited = text[:position] + insert + text[position + cut :]
    try:
        framework = load(edited, "edited.rules")
    except RuleSyntaxError as error:
        assert len(error.diagnostics) == 1
        assert error.diagnostics[0].span is not None
        assert str(error)
    else:
        # Whatever the edit did, the checker reports it rather than raising.
        assert isinstance(framework, ast.Framework)
        check.diagnose(framework)


@pytest.mark.parametrize("separator", ["\f", "\u2028", "\r"])
def test_excerpt_shows_the_line_lark_counted(separator: str) -> None:
    # Lines end at "\n" only, as lark counts them; str.splitlines would also split here.
    text = (
        f'framework "t" {{ # a comment{separator}with an odd line break\n}}\n'
        'A "a" 1 { judged oops }'
    )
    error = syntax_error(text)
    rendered = error.diagnostics[0].render(error.source).splitlines()
    assert rendered[1] == '    3 | A "a" 1 { judged oops }'
