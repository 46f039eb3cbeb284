"""The semantic checks: every diagnostic code, its severity and its position."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perfrules import ast, build, check, syntax
from perfrules.errors import Diagnostic, FrameworkCheckError, RuleSyntaxError
from perfrules.source import Source

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "check"
NANJING = ROOT / "frameworks" / "nanjing-2024" / "framework.rules"

#: Marks the expected position of a diagnostic in an inline case; removed before parsing.
MARK = "@@"

#: ``# error: code``, ``# warning@17: code``; several may follow one ``#``, comma-separated.
EXPECTATION = re.compile(r"\b(error|warning)(?:@(\d+))?:\s*([a-z][a-z0-9-]*)")


def parse(text: str, name: str = "t.rules") -> tuple[ast.Framework, Source]:
    source = Source(name, text)
    return build.to_ast(syntax.parse_tree(source), source), source


def diagnose(text: str) -> list[Diagnostic]:
    framework, _ = parse(text)
    return check.diagnose(framework)


def marked(text: str) -> tuple[str, int, int]:
    """The text without its marker, and the marker's 1-based line and column."""
    offset = text.index(MARK)
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return text.replace(MARK, "", 1), line, column


def file(settings: str, inputs: str, body: str) -> str:
    return f'framework "t" {{ {settings} }}\ninputs {{\n{inputs}\n}}\n{body}\n'


PLAIN = 'framework "t" { }\n'
COUNTING = 'framework "t" { counting per full step }\n'

# (code, severity, text with MARK where the diagnostic points)
CASES: list[tuple[str, str, str]] = [
    (
        "undeclared-input",
        "error",
        PLAIN + 'inputs { file_rate: percent }\nA "a" 1 { threshold @@fil_rate >= 90% full }',
    ),
    (
        "undeclared-input",
        "error",
        'framework "t" {\n  grades { good >= 1; bad otherwise }\n'
        "  veto if @@scandel: at most bad\n}\n"
        'inputs { scandal: bool }\nA "a" 1 { full if not scandal }',
    ),
    (
        "duplicate-input",
        "error",
        PLAIN + 'inputs {\n  done: bool\n  @@done: bool\n}\nA "a" 1 { full if done }',
    ),
    (
        "duplicate-code",
        "error",
        PLAIN + 'inputs { done: bool }\nA "a" 2 {\n  A1 "x" 1 { full if done }\n'
        '  @@A1 "y" 1 { full if done }\n}',
    ),
    (
        "input-type-mismatch",
        "error",
        PLAIN + 'inputs { rate: percent }\nA "a" 1 { full if @@rate }',
    ),
    (
        "input-type-mismatch",
        "error",
        PLAIN + 'inputs { done: bool }\nA "a" 1 { deduct 1 per @@done }',
    ),
    (
        "input-type-mismatch",
        "error",
        PLAIN + 'inputs {\n  rate: percent\n  target: number\n}\n'
        'A "a" 1 { proportional rate / @@target }',
    ),
    (
        "unit-mismatch",
        "error",
        PLAIN + 'inputs { rate: percent }\nA "a" 1 { threshold rate >= @@90 full }',
    ),
    (
        "unit-mismatch",
        "error",
        PLAIN + 'inputs { cost: money }\nA "a" 1 { threshold cost <= @@5% full }',
    ),
    (
        "missing-rule",
        "error",
        PLAIN + 'inputs { done: bool }\nA "a" 2 {\n  A1 "x" 1 { full if done }\n'
        '  @@A2 "y" 1 { }\n}',
    ),
    (
        "rule-on-inner-node",
        "error",
        PLAIN + 'inputs { done: bool }\nA "a" 1 {\n  @@judged\n  A1 "x" 1 { full if done }\n}',
    ),
    (
        "cap-sum-mismatch",
        "error",
        PLAIN + 'inputs { done: bool }\n@@A "a" 3 {\n  A1 "x" 1 { full if done }\n'
        '  A2 "y" 1 { full if done }\n}',
    ),
    (
        "cap-sum-mismatch",
        "error",
        '@@framework "t" { total 100 capped }\ninputs { done: bool }\nA "a" 90 { full if done }',
    ),
    (
        "section-mismatch",
        "error",
        PLAIN + 'inputs { done: bool }\nbonus B "b" 1 {\n  @@B1 "x" 1 { full if done }\n}',
    ),
    (
        "rule-not-allowed-here",
        "error",
        PLAIN + 'inputs { done: bool }\npenalty P "p" 1 { @@full if done }',
    ),
    (
        "rule-exceeds-cap",
        "error",
        PLAIN + 'inputs { done: bool }\nA "a" 1 { @@2 if done }',
    ),
    (
        "rule-exceeds-cap",
        "error",
        PLAIN + 'inputs { done: bool }\nA "a" 1 {\n  @@combine sum { part 1: full if done '
        "part 1: full if done }\n}",
    ),
    (
        "award-exceeds-cap",
        "warning",
        PLAIN + 'inputs { honours: awards (gold) }\nbonus F "f" 2 {\n'
        "  awards honours all count { @@gold: 3 }\n}",
    ),
    (
        "nonpositive-step",
        "error",
        COUNTING + 'inputs { rate: percent }\n'
        'A "a" 5 { threshold rate >= 90% full, each @@0% lower deduct 1 }',
    ),
    (
        "nonpositive-step",
        "error",
        COUNTING + 'inputs { rate: percent }\n'
        'A "a" 5 { threshold rate >= 90% full, @@each 5% lower deduct 0 }',
    ),
    (
        "negative-points",
        "error",
        PLAIN + 'inputs { grade: level (good, bad) }\n'
        'A "a" 5 { levels grade { good: 5, @@bad: -1 } }',
    ),
    (
        "nonpositive-target",
        "error",
        PLAIN + 'inputs { rate: percent }\nA "a" 5 { proportional rate / @@0% }',
    ),
    (
        "negative-cap",
        "error",
        PLAIN + 'inputs { done: bool }\n@@A "a" -1 { full if done }',
    ),
    (
        "negative-tolerance",
        "error",
        PLAIN + 'inputs { cost: money }\nA "a" 5 { deviation cost from 10 within @@-1 }',
    ),
    (
        "step-counting-unstated",
        "error",
        PLAIN + 'inputs { rate: percent }\n'
        'A "a" 5 { threshold rate >= 90% full, @@each 5% lower deduct 1 }',
    ),
    (
        "bad-step-effect",
        "error",
        COUNTING + 'inputs { cost: money }\n'
        'A "a" 5 { deviation cost from 10 within ±1, @@each 1 beyond add 1 }',
    ),
    (
        "bad-part-weight",
        "error",
        PLAIN + 'inputs { done: bool }\nA "a" 2 {\n  combine weighted {\n'
        "    part 1 weight 1: full if done\n    @@part 1: full if done\n  }\n}",
    ),
    (
        "band-gap",
        "error",
        PLAIN + 'inputs { rate: percent }\nA "a" 5 {\n'
        "  @@bands rate { >= 80%: 5; [60%, 75%): 3; < 60%: 0 }\n}",
    ),
    (
        "band-overlap",
        "error",
        PLAIN + 'inputs { rate: percent }\nA "a" 5 {\n'
        "  bands rate { >= 80%: 5; @@[60%, 80%]: 3; < 60%: 0 }\n}",
    ),
    (
        "band-empty",
        "error",
        PLAIN + 'inputs { rate: percent }\nA "a" 5 {\n'
        "  bands rate { >= 50%: 5; @@(5%, 5%): 3; < 50%: 0 }\n}",
    ),
    (
        "level-missing",
        "error",
        PLAIN + 'inputs { grade: level (good, bad) }\nA "a" 5 { @@levels grade { good: 5 } }',
    ),
    (
        "level-unknown",
        "error",
        PLAIN + 'inputs { grade: level (good, bad) }\n'
        'A "a" 5 { levels grade { good: 5, bad: 0, @@gud: 5 } }',
    ),
    (
        "level-duplicate",
        "error",
        PLAIN + 'inputs { grade: level (good, bad) }\n'
        'A "a" 5 { levels grade { good: 5, bad: 0, @@good: 4 } }',
    ),
    (
        "award-unknown",
        "error",
        PLAIN + 'inputs { honours: awards (gold, silver) }\n'
        'bonus F "f" 5 { awards honours all count { gold: 2, silver: 1, @@bronze: 1 } }',
    ),
    (
        "award-duplicate",
        "error",
        PLAIN + 'inputs { honours: awards (gold, silver) }\n'
        'bonus F "f" 5 { awards honours all count { gold: 2, silver: 1, @@gold: 1 } }',
    ),
    (
        "award-missing",
        "warning",
        PLAIN + 'inputs { honours: awards (gold, silver) }\n'
        'bonus F "f" 5 { @@awards honours all count { gold: 2 } }',
    ),
    (
        "grade-order",
        "error",
        'framework "t" { grades { good >= 80; @@great >= 90; poor otherwise } }\n'
        'inputs { done: bool }\nA "a" 100 { full if done }',
    ),
    (
        "grade-order",
        "error",
        'framework "t" { grades { good >= 80; @@poor otherwise; fair >= 60 } }\n'
        'inputs { done: bool }\nA "a" 100 { full if done }',
    ),
    (
        "grade-gap",
        "error",
        'framework "t" { grades { good >= 80; @@fair >= 60 } }\n'
        'inputs { done: bool }\nA "a" 100 { full if done }',
    ),
    (
        "judged-part",
        "error",
        'framework "t" { }\ninputs { done: bool }\n'
        'A "a" 2 { combine sum { part 1: @@judged  part 1: full if done } }',
    ),
    (
        "penalty-full-when-not-applicable",
        "warning",
        'framework "t" { not applicable full }\ninputs { done: bool  n: count }\n'
        'A "a" 1 { full if done }\n@@penalty P "p" 5 { deduct 1 per n }',
    ),
    (
        "grade-duplicate",
        "error",
        'framework "t" { grades { good >= 80; @@good >= 60; poor otherwise } }\n'
        'inputs { done: bool }\nA "a" 100 { full if done }',
    ),
    (
        "bad-grade-bound",
        "error",
        'framework "t" { grades { good >= @@80%; poor otherwise } }\n'
        'inputs { done: bool }\nA "a" 100 { full if done }',
    ),
    (
        "veto-unknown-grade",
        "error",
        'framework "t" {\n  grades { 优秀 >= 90; 差 otherwise }\n'
        "  @@veto if x: at most 良好\n}\n"
        'inputs { x: bool }\nA "a" 100 { full if not x }',
    ),
    (
        "vetoes-without-grades",
        "error",
        'framework "t" {\n  @@veto if x: down 1\n}\n'
        'inputs { x: bool }\nA "a" 100 { full if not x }',
    ),
    (
        "bad-range",
        "error",
        PLAIN + 'inputs { rate: percent range @@0..100% }\nA "a" 1 { threshold rate >= 1% full }',
    ),
    (
        "bad-range",
        "error",
        PLAIN + 'inputs { cost: money range @@10..5 }\nA "a" 1 { threshold cost <= 7 full }',
    ),
    (
        "bad-range",
        "error",
        PLAIN + 'inputs { done: bool range @@0..1 }\nA "a" 1 { full if done }',
    ),
    (
        "unused-input",
        "warning",
        PLAIN + 'inputs {\n  done: bool\n  @@spare: count\n}\nA "a" 1 { full if done }',
    ),
    (
        "threshold-outside-range",
        "warning",
        PLAIN + 'inputs { rate: percent }\nA "a" 1 { threshold rate >= @@101% full }',
    ),
    (
        "threshold-outside-range",
        "warning",
        PLAIN + 'inputs { n: count }\nA "a" 1 { bands n { [@@-1, 3): 1; >= 3: 0 } }',
    ),
    (
        "cutoff-never-matters",
        "warning",
        COUNTING + 'inputs { rate: percent }\n'
        'C21 "c" 5 { threshold rate >= 95% full, each 5% lower deduct 2, zero if @@< 60% }',
    ),
    (
        "cutoff-above-bound",
        "warning",
        COUNTING + 'inputs { rate: percent }\n'
        'A "a" 5 { threshold rate >= 90% full, each 5% lower deduct 1, zero if @@< 95% }',
    ),    (
        "score-above-cap",
        "error",
        COUNTING + 'inputs { rate: percent }\n'
        'A "a" 5 { @@threshold rate >= 90% full, each 5% lower deduct -1 }',
    ),
    (
        "score-below-zero",
        "error",
        COUNTING + 'inputs { rate: percent }\n'
        'A "a" 5 { @@threshold rate >= 50% 5, each 5% higher add -1 }',
    ),
    (
        "unreachable-branch",
        "warning",
        PLAIN + 'inputs { rate: percent }\nA "a" 5 { threshold rate @@> 100% full }',
    ),
    (
        "unreachable-branch",
        "warning",
        PLAIN + 'inputs { rate: percent }\n'
        'A "a" 5 { bands rate { @@> 100%: 5; [60%, 100%]: 3; < 60%: 0 } }',
    ),
]

ALL_CODES = {
    # errors
    "undeclared-input",
    "duplicate-input",
    "duplicate-code",
    "input-type-mismatch",
    "unit-mismatch",
    "missing-rule",
    "rule-on-inner-node",
    "cap-sum-mismatch",
    "section-mismatch",
    "rule-not-allowed-here",
    "rule-exceeds-cap",
    "nonpositive-step",
    "negative-points",
    "nonpositive-target",
    "negative-cap",
    "negative-tolerance",
    "step-counting-unstated",
    "bad-step-effect",
    "bad-part-weight",
    "band-gap",
    "band-overlap",
    "band-empty",
    "level-missing",
    "level-unknown",
    "level-duplicate",
    "award-unknown",
    "award-duplicate",
    "grade-order",
    "grade-gap",
    "judged-part",
    "penalty-full-when-not-applicable",
    "grade-duplicate",
    "bad-grade-bound",
    "veto-unknown-grade",
    "vetoes-without-grades",
    "bad-range",
    # warnings
    "award-missing",
    "award-exceeds-cap",
    "unused-input",
    "threshold-outside-range",
    "cutoff-never-matters",
    "cutoff-above-bound",
    "unreachable-branch",
    # errors from the static intervals
    "score-above-cap",
    "score-below-zero",
}


@pytest.mark.parametrize(
    ("code", "severity", "text"),
    CASES,
    ids=[f"{code}-{n}" for n, (code, _, _) in enumerate(CASES)],
)
def test_each_code_is_reported_where_it_belongs(code: str, severity: str, text: str) -> None:
    clean, line, column = marked(text)
    found = [d for d in diagnose(clean) if d.code == code]
    assert found, f"no {code} among {diagnose(clean)}"
    positions = [(d.span.line, d.span.column) for d in found if d.span is not None]
    assert (line, column) in positions
    assert {d.severity for d in found} == {severity}
    assert all(d.message and "\n" not in d.message for d in found)


def test_every_code_has_an_inline_case_and_a_fixture() -> None:
    assert set(check.DIAGNOSTIC_CODES) == ALL_CODES
    assert {(code, severity) for code, severity, _ in CASES} == {
        (code, severity) for code, (severity, _) in check.DIAGNOSTIC_CODES.items()
    }
    fixture_codes = set()
    for path in FIXTURES.glob("*.rules"):
        fixture_codes |= {code for _, _, _, code in expectations(path.read_text("utf-8"))}
    assert fixture_codes == ALL_CODES


def test_every_check_function_runs() -> None:
    defined = {
        name for name in vars(check) if name.startswith("check_") and callable(getattr(check, name))
    }
    assert defined == {c.__name__ for c in check.CHECKS}


# ---------------------------------------------------------------- fixtures


def expectations(text: str) -> list[tuple[int, str, int | None, str]]:
    """(line, severity, column or None, code) for each expectation in a fixture's comments."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        if "#" not in line:
            continue
        comment = line[line.index("#") :]
        for severity, column, code in EXPECTATION.findall(comment):
            found.append((number, severity, int(column) if column else None, code))
    return found


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.rules")), ids=lambda p: p.stem)
def test_fixture(path: Path) -> None:
    text = path.read_text("utf-8")
    framework, _ = parse(text, path.name)
    diagnostics = check.diagnose(framework)
    expected = expectations(text)
    assert expected, "a fixture states what it expects"
    got = sorted((d.span.line, d.severity, d.code) for d in diagnostics if d.span is not None)
    assert got == sorted((line, severity, code) for line, severity, _, code in expected)
    for line, severity, column, code in expected:
        if column is not None:
            columns = {
                d.span.column
                for d in diagnostics
                if d.span is not None and (d.span.line, d.code) == (line, code)
            }
            assert column in columns, f"{code} on line {line}: columns {columns}"
    assert all(d.span is not None and d.span.source == path.name for d in diagnostics)


# ---------------------------------------------------------------- the Nanjing framework


def test_nanjing_passes_with_cutoff_warnings_only() -> None:
    text = NANJING.read_text("utf-8")
    framework, source = parse(text, "framework.rules")
    diagnostics = check.diagnose(framework)
    assert not [d for d in diagnostics if d.is_error]
    lines = text.splitlines()

    def line_of(fragment: str) -> int:
        return next(n for n, line in enumerate(lines, start=1) if fragment in line)

    assert [(d.code, d.span.line) for d in diagnostics if d.span is not None] == [
        ("cutoff-never-matters", line_of("threshold document_handling_rate")),
        ("cutoff-never-matters", line_of("threshold meeting_satisfaction")),
        ("cutoff-never-matters", line_of("threshold research_satisfaction")),
        ("cutoff-never-matters", line_of("threshold supervision_completion_rate")),
    ]
    messages = [d.message for d in diagnostics]
    assert "C11 already scores 0 at 74% and below" in messages[0]
    assert "C21 already scores 0 at 80% and below" in messages[1]
    assert "C22 already scores 0 at 75% and below" in messages[2]
    assert "C31 already scores 0 at 65% and below" in messages[3]

    checked = check.check(framework, source)
    assert checked.warnings == tuple(diagnostics)
    assert [n.code for n in checked.nodes[:3]] == ["A", "A1", "A11"]
    assert checked.levels[:3] == (1, 2, 3)


# ---------------------------------------------------------------- several errors, rendering


SEVERAL = (
    'framework "several" { total 10 capped }\n'
    "inputs {\n"
    "  file_rate: percent\n"
    "  done: bool\n"
    "}\n"
    'A "a" 4 {\n'
    '  A1 "x" 2 { threshold fil_rate >= 90% full }\n'
    '  A2 "y" 3 { 4 if done }\n'
    "}\n"
    'A "b" 2 { judged }\n'
)


def test_several_errors_are_all_reported_in_order() -> None:
    diagnostics = diagnose(SEVERAL)
    assert [(d.span.line, d.span.column, d.code) for d in diagnostics if d.span] == [
        (1, 1, "cap-sum-mismatch"),
        (3, 3, "unused-input"),
        (6, 1, "cap-sum-mismatch"),
        (7, 24, "undeclared-input"),
        (8, 14, "rule-exceeds-cap"),
        (10, 1, "duplicate-code"),
    ]
    assert diagnostics == sorted(diagnostics, key=Diagnostic.sort_key)


def test_check_raises_with_every_diagnostic_rendered() -> None:
    framework, source = parse(SEVERAL, "several.rules")
    with pytest.raises(FrameworkCheckError) as caught:
        check.check(framework, source)
    error = caught.value
    assert [d.code for d in error.diagnostics] == [d.code for d in check.diagnose(framework)]
    text = str(error)
    assert text.startswith("several.rules:1:1: error[cap-sum-mismatch]: ")
    assert "several.rules:3:3: warning[unused-input]: input 'file_rate'" in text
    undeclared = "several.rules:7:24: error[undeclared-input]: input 'fil_rate' is not declared"
    assert undeclared in text
    rendered = text.splitlines()
    at = next(i for i, line in enumerate(rendered) if line.startswith("several.rules:7:24"))
    assert rendered[at + 1] == "    7 |   A1 \"x\" 2 { threshold fil_rate >= 90% full }"
    assert rendered[at + 2] == "      |" + " " * 24 + "^^^^^^^^"
    assert rendered[at + 3] == "  hint: did you mean 'file_rate'?"


def test_check_returns_the_indexed_framework_when_only_warnings() -> None:
    text = PLAIN + 'inputs {\n  done: bool\n  spare: bool\n}\nA "a" 1 { full if done }'
    framework, source = parse(text)
    checked = check.check(framework, source)
    assert [w.code for w in checked.warnings] == ["unused-input"]
    assert checked.nodes == (framework.indicators[0],)
    assert checked.parents == (None,)
    assert set(checked.inputs) == {"done", "spare"}


# ---------------------------------------------------------------- messages and hints


def only(text: str, code: str) -> Diagnostic:
    found = [d for d in diagnose(text) if d.code == code]
    assert len(found) == 1, found
    return found[0]


def test_misspelt_inputs_get_a_hint() -> None:
    rule = only(
        PLAIN + 'inputs { document_handling_rate: percent }\n'
        'A "a" 1 { threshold documnet_handling_rate >= 99% full }',
        "undeclared-input",
    )
    assert rule.hint == "did you mean 'document_handling_rate'?"
    veto = only(
        'framework "t" { grades { a >= 1; b otherwise } veto if scandle: at most b }\n'
        'inputs { scandal: bool }\nA "a" 1 { full if not scandal }',
        "undeclared-input",
    )
    assert veto.hint == "did you mean 'scandal'?"
    unknown = only(PLAIN + 'inputs { x: bool }\nA "a" 1 { full if zzz }', "undeclared-input")
    assert unknown.hint is not None and "declare it" in unknown.hint


def test_misspelt_levels_awards_and_grades_get_a_hint() -> None:
    level = only(
        PLAIN + 'inputs { g: level (较好, 一般) }\n'
        'A "a" 5 { levels g { 较好: 5, 一般: 3, 较号: 4 } }',
        "level-unknown",
    )
    assert level.hint == "did you mean '较好'?"
    grade = only(
        'framework "t" {\n  grades { 优秀 >= 90; 良好 >= 80; 差 otherwise }\n'
        "  veto if x: at most 良号\n}\n"
        'inputs { x: bool }\nA "a" 100 { full if not x }',
        "veto-unknown-grade",
    )
    assert grade.hint == "did you mean '良好'?"


def test_duplicates_point_back_at_the_first() -> None:
    duplicate = only(
        PLAIN + 'inputs { done: bool }\nA "a" 1 { full if done }\nA "b" 1 { full if done }',
        "duplicate-code",
    )
    assert duplicate.hint == "first used at line 3"


@pytest.mark.parametrize(
    ("bands", "message"),
    [
        (
            ">= 80%: 5; [60%, 75%): 3; < 60%: 0",
            "values in [75%, 80%) are in no band of 'rate'",
        ),
        (">= 80%: 5; < 80%: 0; = 80%: 1", "the value 80% is in two bands of 'rate'"),
        ("> 80%: 5; < 80%: 0", "the value 80% is in no band of 'rate'"),
        ("[0%, 50%]: 0; [50%, 100%]: 5", "the value 50% is in two bands of 'rate'"),
    ],
)
def test_band_messages_name_the_stretch(bands: str, message: str) -> None:
    text = PLAIN + f'inputs {{ rate: percent }}\nA "a" 5 {{ bands rate {{ {bands} }} }}'
    diagnostics = diagnose(text)
    assert [d.message.split(" (")[0] for d in diagnostics] == [message]


def test_count_bands_speak_of_whole_numbers() -> None:
    diagnostics = diagnose(
        PLAIN + 'inputs { n: count }\nA "a" 5 { bands n { <= 2: 5; [4, 10]: 1 } }'
    )
    assert [d.message for d in diagnostics] == [
        "the value 3 is in no band of 'n'",
        "values in [11, +∞) are in no band of 'n'",
    ]


def test_bands_over_an_unbounded_input_must_cover_everything() -> None:
    diagnostics = diagnose(
        PLAIN + 'inputs { x: number }\nA "a" 5 { bands x { >= 0: 5 } }'
    )
    assert [d.message for d in diagnostics] == ["values in (-∞, 0) are in no band of 'x'"]


def test_a_declared_range_replaces_the_percent_default() -> None:
    diagnostics = diagnose(
        PLAIN + 'inputs { growth: percent range 0%.. }\n'
        'A "a" 5 { bands growth { >= 10%: 5; < 10%: 0 } }'
    )
    assert diagnostics == []
    diagnostics = diagnose(
        PLAIN + 'inputs { growth: percent range 0%.. }\n'
        'A "a" 5 { bands growth { >= 10%: 5; [0%, 10%): 0; > 100%: 1 } }'
    )
    assert [d.code for d in diagnostics] == ["band-overlap"]


# ---------------------------------------------------------------- cut-offs, exactly


@pytest.mark.parametrize(
    ("cap", "rule", "warns"),
    [
        # per full step: 90% − 60% is exactly 3 steps of 10; 6 − 3 × 2 = 0 just below 60%.
        (6, "each 10% lower deduct 2 per full step, zero if < 60%", True),
        (7, "each 10% lower deduct 2 per full step, zero if < 60%", False),
        (6, "each 10% lower deduct 2 per full step, zero if <= 60%", True),
        # per started step: just below 60% is a 4th started step, exactly 60% only 3.
        (8, "each 10% lower deduct 2 per started step, zero if < 60%", True),
        (8, "each 10% lower deduct 2 per started step, zero if <= 60%", False),
        (9, "each 10% lower deduct 2 per started step, zero if < 60%", False),
        # pro rata: the score just below 60% tends to 6 − 6 = 0.
        (6, "each 10% lower deduct 2 pro rata, zero if < 60%", True),
        ("6.01", "each 10% lower deduct 2 pro rata, zero if < 60%", False),
        # pro rata with a third: 1 − (30 / 10) × (1/3 written as 0.3333333333) > 0 — barely.
        (1, "each 10% lower deduct 0.3333333333 pro rata, zero if < 60%", False),
        (1, "each 30% lower deduct 1 pro rata, zero if < 60%", True),
        # not a multiple of the step: floor(35 / 10) = 3 steps at the cut-off.
        (6, "each 10% lower deduct 2 per full step, zero if < 55%", True),
        (7, "each 10% lower deduct 2 per full step, zero if < 55%", False),
        # no deduction steps: a missed bound scores 0 anyway.
        (5, "zero if < 60%", True),
    ],
)
def test_cutoff_never_matters_is_computed_exactly(cap: object, rule: str, warns: bool) -> None:
    text = PLAIN + (
        f'inputs {{ rate: percent }}\nA "a" {cap} {{ threshold rate >= 90% full, {rule} }}'
    )
    codes = [d.code for d in diagnose(text)]
    assert codes == (["cutoff-never-matters"] if warns else [])


def test_cutoff_on_an_upper_bound() -> None:
    text = COUNTING + (
        'inputs { days: number }\n'
        'A "a" 6 { threshold days <= 10 full, each 10 higher deduct 2, zero if > 40 }\n'
        'B "b" 7 { threshold days <= 10 full, each 10 higher deduct 2, zero if > 40 }'
    )
    diagnostics = diagnose(text)
    assert [(d.code, d.span.line) for d in diagnostics if d.span] == [("cutoff-never-matters", 3)]
    assert "A already scores 0 at 40 and above" in diagnostics[0].message


def test_cutoff_with_an_input_bound_is_left_alone() -> None:
    text = COUNTING + (
        'inputs {\n  rate: percent\n  peer: percent\n}\n'
        'A "a" 5 { threshold rate >= peer full, each 5% lower deduct 2, zero if < 60% }'
    )
    assert diagnose(text) == []


# ---------------------------------------------------------------- odd but valid


def test_penalty_and_bonus_sections_may_exceed_their_caps() -> None:
    text = PLAIN + (
        'inputs { cases: count }\n'
        'bonus F "f" 5 {\n'
        '  bonus F1 "x" 5 { judged }\n'
        '  penalty F2 "y" 5 { deduct 1 per cases, at most 10 }\n'
        '}'
    )
    assert diagnose(text) == []


def test_diagnose_never_raises_on_arithmetic_edge_cases() -> None:
    text = PLAIN + (
        'inputs {\n  rate: percent\n  cost: money\n}\n'
        'A "a" 0 {\n'
        "  threshold rate >= 90% full, each 0% lower deduct 0 per full step, zero if < 60%\n"
        "}\n"
        'B "b" 0 { proportional cost / 0 }\n'
        'C "c" 0 { deviation cost from 0 within ±0%, each 0% beyond deduct 0 pro rata }\n'
        'D "d" 999999999999999.9999999999 {\n'
        '  combine weighted {\n'
        '    part 999999999999999.9999999999 weight 999999999999999.9999999999: judged\n'
        '  }\n'
        '}'
    )
    codes = {d.code for d in diagnose(text)}
    assert {"nonpositive-step", "nonpositive-target", "rule-exceeds-cap"} <= codes


# ---------------------------------------------------------------- robustness

NUMBER_OR_COMPARATOR = re.compile(
    r"(?<![\w.])[+-]?\d+(?:\.\d+)?%?(?![\w.])|>=|<=|(?<![=<>])[<>=](?![=])"
)
REPLACEMENTS = ["0", "-1", "0%", "-5%", "100%", "1000", "0.5", "95%", "<", ">=", "=", ">"]


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_diagnose_never_raises_on_an_altered_nanjing_file(data: st.DataObject) -> None:
    text = NANJING.read_text("utf-8")
    rules_start = text.index("\nA ")
    spots = [m for m in NUMBER_OR_COMPARATOR.finditer(text) if m.start() > rules_start]
    for _ in range(data.draw(st.integers(min_value=1, max_value=3))):
        spot = data.draw(st.sampled_from(spots))
        new = data.draw(st.sampled_from(REPLACEMENTS))
        text = text[: spot.start()] + new.ljust(len(spot.group())) + text[spot.end() :]
        spots = [m for m in NUMBER_OR_COMPARATOR.finditer(text) if m.start() > rules_start]
    try:
        framework, source = parse(text)
    except RuleSyntaxError:
        return
    diagnostics = check.diagnose(framework)
    assert diagnostics == sorted(diagnostics, key=Diagnostic.sort_key)
    if any(d.is_error for d in diagnostics):
        with pytest.raises(FrameworkCheckError):
            check.check(framework, source)
