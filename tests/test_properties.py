"""Property-based tests: invariants of every score, a differential oracle, monotonicity, step
counting, the unparse round trip and the robustness of the front end."""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, note, settings
from hypothesis import strategies as st

import perfrules
from perfrules import ast
from perfrules.testing import RULE_KINDS, check_invariants, frameworks, inputs, rule_texts
from perfrules.unparse import unparse

sys.path.insert(0, str(Path(__file__).resolve().parent))
import reference  # noqa: E402 - the oracle sits next to this file

NANJING = Path(__file__).resolve().parent.parent / "frameworks" / "nanjing-2024"
NANJING_FRAMEWORK = perfrules.load(NANJING)

#: Budgets keep the whole file under a minute on two cores.
QUICK = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
MEDIUM = settings(QUICK, max_examples=120)
BROAD = settings(QUICK, max_examples=200)


def load(tree: ast.Framework) -> perfrules.Framework:
    text = unparse(tree)
    note(text)
    return perfrules.loads(text)


def score(fw: perfrules.Framework, data: dict[str, Any]) -> perfrules.Result:
    return fw.score(
        data["values"],
        judgements=data["judgements"],
        adjustments=data["adjustments"],
        not_applicable=data["not_applicable"],
    )


# ------------------------------------------------------------------ invariants


@MEDIUM
@given(data=inputs(NANJING_FRAMEWORK))
def test_nanjing_invariants(data: dict[str, Any]) -> None:
    """Every valid unit of the Nanjing framework scores within the documented invariants."""
    check_invariants(NANJING_FRAMEWORK, data)


@MEDIUM
@given(st.data())
def test_random_framework_invariants(data: st.DataObject) -> None:
    """Random valid frameworks load, and every valid unit scores within the invariants."""
    fw = load(data.draw(frameworks(), label="framework"))
    check_invariants(fw, data.draw(inputs(fw), label="inputs"))


@pytest.mark.parametrize("kind", RULE_KINDS)
@settings(QUICK, max_examples=12)
@given(st.data())
def test_each_rule_kind_alone(kind: str, data: st.DataObject) -> None:
    """Frameworks made of one rule kind only are valid and keep the invariants."""
    tree = data.draw(frameworks(max_depth=2, max_children=3, rule_kinds=(kind,)), label="framework")
    fw = load(tree)
    check_invariants(fw, data.draw(inputs(fw), label="inputs"))


RULE_FILES = sorted((Path(__file__).resolve().parent.parent / "frameworks").rglob("*.rules"))


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda path: f"{path.parent.name}/{path.name}")
@settings(QUICK, max_examples=40)
@given(st.data())
def test_shipped_frameworks_invariants_and_reference(path: Path, data: st.DataObject) -> None:
    """Every framework shipped in frameworks/ keeps the invariants and agrees with the reference."""
    fw = perfrules.load(path)
    unit = data.draw(inputs(fw), label="inputs")
    result = check_invariants(fw, unit)
    found = reference.differences(result, reference.evaluate(fw.ast, unit))
    assert not found, "\n".join(found)


# ------------------------------------------------------------------ differential oracle


@BROAD
@given(st.data())
def test_compiled_evaluator_matches_reference(data: st.DataObject) -> None:
    """The compiled evaluator and the naive reference interpreter agree on every score."""
    tree = data.draw(frameworks(), label="framework")
    fw = load(tree)
    unit = data.draw(inputs(fw), label="inputs")
    found = reference.differences(score(fw, unit), reference.evaluate(tree, unit))
    assert not found, "\n".join(found)


@MEDIUM
@given(data=inputs(NANJING_FRAMEWORK))
def test_nanjing_matches_reference(data: dict[str, Any]) -> None:
    """On the Nanjing framework the compiled evaluator and the reference agree."""
    outcome = reference.evaluate(NANJING_FRAMEWORK.ast, data)
    found = reference.differences(score(NANJING_FRAMEWORK, data), outcome)
    assert not found, "\n".join(found)


# ------------------------------------------------------------------ monotonicity

MONOTONE_KINDS = ("threshold", "proportional", "deduct", "deviation")


def _coerced(fw: perfrules.Framework, data: dict[str, Any]) -> dict[str, Any]:
    prepared = fw.prepare(
        data["values"], judgements=data["judgements"], not_applicable=data["not_applicable"]
    )
    return dict(prepared.valid.values)


@settings(QUICK, max_examples=120)
@given(st.data())
def test_scores_are_monotone_in_their_input(data: st.DataObject) -> None:
    """Thresholds, proportional rules, deductions and deviations move one way with their input."""
    tree = data.draw(
        frameworks(max_depth=1, max_children=1, rule_kinds=MONOTONE_KINDS, extras=False),
        label="framework",
    )
    fw = load(tree)
    leaf = tree.indicators[0]
    rule = leaf.rule
    first = data.draw(inputs(fw, adjust=False, mark=False), label="first")
    second = data.draw(inputs(fw, adjust=False, mark=False), label="second")
    values = _coerced(fw, first)
    others = _coerced(fw, second)

    def leaf_score(changes: dict[str, Any]) -> Decimal:
        unit = dict(first, values={**first["values"], **changes})
        result = score(fw, unit)
        value = result[leaf.code].score
        assert value is not None
        return value

    match rule:
        case ast.Threshold() | ast.Proportional() | ast.Deviation():
            name = rule.input.name
            # Each value goes back in the raw form it was drawn in (a percent such as 0.5 must
            # be written "0.5%").
            (low, raw_low), (high, raw_high) = sorted(
                [(values[name], first["values"][name]), (others[name], second["values"][name])],
                key=lambda pair: pair[0],
            )
            s_low, s_high = leaf_score({name: raw_low}), leaf_score({name: raw_high})
            if isinstance(rule, ast.Proportional):
                assert s_low <= s_high
            elif isinstance(rule, ast.Threshold):
                assume(rule.bound.op != "=")
                if rule.bound.op in (">=", ">"):
                    assert s_low <= s_high
                else:
                    assert s_low >= s_high
            else:
                target = values[rule.target.name] if isinstance(
                    rule.target, ast.InputRef) else rule.target.value
                if abs(low - target) <= abs(high - target):
                    assert s_low >= s_high
                else:
                    assert s_low <= s_high
        case ast.Deduct():
            fewer, more = {}, {}
            for occurrence in rule.occurrences:
                name = occurrence.input.name
                a, b = sorted([values[name], others[name]])
                fewer[name], more[name] = a, b
            assert leaf_score(fewer) >= leaf_score(more)
        case _:  # pragma: no cover - the strategy draws only the kinds above
            raise AssertionError(rule)


# ------------------------------------------------------------------ step counting

COUNTINGS = (ast.Counting.FULL, ast.Counting.PRO_RATA, ast.Counting.STARTED)
POINTS = st.integers(1, 2000).map(lambda n: Decimal(n) / 100)  # at most 2 decimals


@st.composite
def step_rules(draw: Any) -> tuple[ast.Rule, Decimal, Decimal]:
    """A threshold (deduction or addition steps) or a deviation, its cap, and an input value."""
    cap = draw(POINTS)
    size = draw(st.sampled_from(("0.5", "1", "2.5", "5", "10")))
    points = draw(POINTS)
    x = draw(st.integers(0, 10000).map(lambda n: Decimal(n) / 100))
    kind = draw(st.sampled_from(("short", "beyond", "deviation")))
    if kind == "deviation":
        steps = ast.Steps(ast.Quantity(Decimal(size)), "beyond", "deduct", points, None)
        target = draw(st.integers(0, 100))
        tolerance = ast.Quantity(Decimal(draw(st.sampled_from(("0", "1", "5")))))
        return ast.Deviation(ast.InputRef("x"), ast.Quantity(Decimal(target)), tolerance,
                             steps), cap, x
    op = draw(st.sampled_from((">=", ">", "<=", "<")))
    bound = ast.Comparison(op, ast.Quantity(Decimal(draw(st.integers(0, 100)))))
    below = op in (">=", ">")
    held = draw(st.integers(0, 100).map(lambda n: min(cap, Decimal(n) * cap / 100)))
    if kind == "short":
        steps = ast.Steps(ast.Quantity(Decimal(size)), "lower" if below else "higher", "deduct",
                          points, None)
        return ast.Threshold(ast.InputRef("x"), bound, held.quantize(Decimal("0.01")),
                             short=steps), cap, x
    steps = ast.Steps(ast.Quantity(Decimal(size)), "higher" if below else "lower", "add",
                      points, None)
    return ast.Threshold(ast.InputRef("x"), bound, held.quantize(Decimal("0.01")),
                         beyond=steps), cap, x


@BROAD
@given(step_rules())
def test_step_counting_order(drawn: tuple[ast.Rule, Decimal, Decimal]) -> None:
    """Deductions: per full step >= pro rata >= per started step; additions the other way."""
    rule, cap, x = drawn
    scores = []
    for counting in COUNTINGS:
        tree = ast.Framework(
            "steps",
            counting=counting,
            inputs=(ast.InputDecl("x", ast.InputType.NUMBER),),
            indicators=(ast.Indicator("A", "a", cap, rule=rule),),
        )
        scores.append(load(tree).score({"x": x})["A"].score)
    full, pro_rata, started = scores
    note(f"full {full}, pro rata {pro_rata}, started {started}")
    if isinstance(rule, ast.Threshold) and rule.beyond is not None:
        assert full <= pro_rata <= started
    else:
        assert full >= pro_rata >= started


# ------------------------------------------------------------------ round trip


@BROAD
@given(frameworks())
def test_unparse_round_trip(tree: ast.Framework) -> None:
    """parse(unparse(tree)) == tree, and unparsing the parsed tree gives the same text."""
    text = unparse(tree)
    note(text)
    parsed = perfrules.parse(text)
    assert parsed == tree
    assert unparse(parsed) == text


# ------------------------------------------------------------------ front-end robustness


def loads_or_rule_file_error(text: str) -> None:
    """loads either succeeds or raises RuleFileError; anything else propagates and fails."""
    try:
        perfrules.loads(text)
    except perfrules.RuleFileError:
        pass


@BROAD
@given(rule_texts())
def test_grammar_texts_raise_only_rule_file_errors(text: str) -> None:
    """Texts drawn from the grammar load or raise RuleFileError, never another exception."""
    loads_or_rule_file_error(text)


@MEDIUM
@given(st.one_of(
    st.text(),
    st.text(alphabet='{}[]()<>=%:;,."#\\ \n\t0123456789abxyzAF中文％±≥', max_size=80),
    st.binary().map(lambda raw: raw.decode("utf-8", errors="replace")),
))
def test_random_text_raises_only_rule_file_errors(text: str) -> None:
    """Arbitrary text and decoded bytes load or raise RuleFileError, never another exception."""
    loads_or_rule_file_error(text)


@MEDIUM
@given(st.data())
def test_mutated_rule_files_raise_only_rule_file_errors(data: st.DataObject) -> None:
    """Valid rule files with a slice cut out, repeated or replaced load or raise RuleFileError."""
    text = unparse(data.draw(frameworks(max_depth=2, max_children=3), label="framework"))
    start = data.draw(st.integers(0, len(text)), label="start")
    end = data.draw(st.integers(start, min(len(text), start + 40)), label="end")
    how = data.draw(st.sampled_from(("cut", "repeat", "replace")), label="how")
    if how == "cut":
        mutated = text[:start] + text[end:]
    elif how == "repeat":
        mutated = text[:end] + text[start:]
    else:
        filler = data.draw(st.text(alphabet=' {}"%:,;-0123456789.xA中\n', max_size=6))
        mutated = text[:start] + filler + text[end:]
    note(mutated)
    loads_or_rule_file_error(mutated)


def test_deeply_nested_text_raises_a_syntax_error() -> None:
    """Nesting far beyond the limit is a RuleSyntaxError, not a RecursionError."""
    depth = 5000
    text = 'framework "x" {}\n' + 'A "a" 1 {' * depth + " judged " + "}" * depth
    with pytest.raises(perfrules.RuleSyntaxError):
        perfrules.loads(text)


# ------------------------------------------------------------------ regressions
#
# Minimal reproductions of bugs the properties above found in other modules, each stating the
# behaviour docs/language.md calls for.


def test_bug_unlisted_award_earns_nothing() -> None:
    """An award the table leaves out earns nothing (award-missing), instead of a KeyError."""
    fw = perfrules.loads(
        'framework "f" { }\ninputs { h: awards (a, b) }\n'
        'bonus A "a" 10 { awards h all count { a: 1 } }\n'
    )
    assert fw.score({"h": [["work", "b"]]})["A"].score == 0


def test_bug_count_compared_with_count_input() -> None:
    """A count input measured against another count input scores (no AttributeError on int)."""
    fw = perfrules.loads(
        'framework "f" { }\ninputs { n: count m: count }\n'
        'A "a" 1 { deviation n from m within ±1 }\n'
    )
    assert fw.score({"n": 1, "m": 3})["A"].score == 0


def test_bug_adjusting_a_node_whose_children_are_all_excluded() -> None:
    """Adjusting a parent whose children are all 不适用 gives its result, not an AttributeError."""
    fw = perfrules.loads(
        'framework "f" { not applicable rescale }\ninputs { x: bool }\n'
        'A "a" 1 { A1 "a1" 1 { full if x } }\n'
    )
    result = fw.score({"x": True}, not_applicable=["A1"],
                      adjustments={"A": {"score": 1, "reason": "r"}})
    assert result["A"].score == 1


def test_bug_marked_node_under_a_marked_node_is_excluded() -> None:
    """Everything under a 不适用 node is excluded, even a node marked with its own policy."""
    fw = perfrules.loads(
        'framework "f" { not applicable rescale }\ninputs { x: bool y: bool }\n'
        'A "a" 2 { A1 "a1" 1 { not applicable full\n full if x } A2 "a2" 1 { full if y } }\n'
        'B "b" 2 { full if y }\n'
    )
    result = fw.score({"x": True, "y": False}, not_applicable=["A", "A1"])
    assert result["A1"].score is None


def test_bug_huge_input_value_is_refused_or_scored() -> None:
    """A value such as 1e30 passes validation, so scoring must give the cap, not EvaluationError."""
    fw = perfrules.loads('framework "f" { }\ninputs { x: number }\nA "a" 10 { proportional x / 3 }\n')
    try:
        result = fw.score({"x": 1e30})
    except perfrules.InputError:
        return
    assert result["A"].score == 10


def test_judged_part_is_rejected_before_scoring() -> None:
    """A judged part of a combine, which no judgement can reach, is refused when loading or when
    validating the unit, not by an EvaluationError while scoring (found here, fixed in check)."""
    text = (
        'framework "f" { }\ninputs { x: bool }\n'
        'A "a" 2 { combine sum { part 1: judged\n part 1: full if x } }\n'
    )
    try:
        fw = perfrules.loads(text)
        fw.score({"x": True})
    except (perfrules.FrameworkCheckError, perfrules.InputError):
        return
    raise AssertionError("a judged part was scored")


def test_check_invariants_catches_a_rule_that_is_not_monotone() -> None:
    """A cut-off that catches the upper end of a threshold's step zone makes 41% score less
    than 40%, and check_invariants says so."""
    fw = perfrules.loads(
        'framework "f" { counting per full step }\ninputs { r: percent }\n'
        'A "a" 1 { threshold r >= 50% full, each 5% lower deduct 0.1, zero if > 40% }\n'
    )
    data = {"values": {"r": "40%"}, "judgements": {}, "adjustments": {}, "not_applicable": []}
    with pytest.raises(AssertionError, match="should rise with r"):
        check_invariants(fw, data)
