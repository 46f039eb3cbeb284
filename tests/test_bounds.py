"""Static score intervals (perfrules/bounds.py): hand-computed intervals for every rule kind
and the Nanjing framework, the diagnostics built on them, ``check --intervals``, and
properties: every score a unit can get lies within its node's static interval."""

from __future__ import annotations

import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import perfrules
from perfrules import api, ast, bounds, check
from perfrules.bounds import Interval
from perfrules.cli import EXIT_INVALID, EXIT_OK, main
from perfrules.errors import Diagnostic, InputError

ROOT = Path(__file__).resolve().parent.parent
NANJING = ROOT / "frameworks" / "nanjing-2024" / "framework.rules"


def I(low: object, high: object) -> Interval:  # reads like the notation
    return Interval(Decimal(str(low)), Decimal(str(high)))


def intervals(text: str) -> dict[str, Interval]:
    return bounds.score_intervals(api.parse(text))


def total(text: str) -> Interval:
    return bounds.total_interval(api.parse(text))


def one(text: str, code: str = "A") -> Interval:
    return intervals(text)[code]


FULL_STEPS = 'framework "t" { counting per full step }\n'
PLAIN = 'framework "t" { }\n'


# ---------------------------------------------------------------- rule kinds, by hand


@pytest.mark.parametrize(
    ("rule", "cap", "expected"),
    [
        ("full if done", 2, I(0, 2)),
        ("1.5 if not done", 2, I(0, 1.5)),
    ],
)
def test_yes_no(rule: str, cap: int, expected: Interval) -> None:
    assert one(PLAIN + f'inputs {{ done: bool }}\nA "a" {cap} {{ {rule} }}') == expected


@pytest.mark.parametrize(
    ("decl", "rule", "cap", "expected"),
    [
        # C11: met 10; just short of 99% no full step: 10; the cut-off and 74% and below: 0.
        ("rate: percent", ">= 99% full, each 5% lower deduct 2, zero if < 60%", 10, I(0, 10)),
        # No steps: the points or 0.
        ("rate: percent", ">= 90% 3", 5, I(0, 3)),
        # 80%..100%: at worst 15 short of 95%: 3 full steps, 10 − 6 = 4.
        ("rate: percent range 80%..100%", ">= 95% full, each 5% lower deduct 2", 10, I(4, 10)),
        # Started steps: anything in [99%, 100%) is one started step short: 3 − 1.
        ("rate: percent range 99%..100%", ">= 100% full, each 1% lower deduct 1 per started step",
         3, I(2, 3)),
        # Pro rata: 97% is 3 short: 8 − 3 × 0.4 = 6.8.
        ("rate: percent range 97%..100%", ">= 100% full, each 1% lower deduct 0.4 pro rata",
         8, I("6.8", 8)),
        # Lower is better, on a number: 20 days is 10 over: 6 − 3 = 3.
        ("days: number range 0..20", "<= 10 full, each 1 higher deduct 0.3 pro rata", 6, I(3, 6)),
        # An addition step: (10%, 30%] is at most 20 past 10%: one full step, 1 + 1; 0 below.
        ("excess: percent range 0%..30%", "> 10% 1, each 20% higher add 1", 3, I(0, 2)),
        # … and up to the cap when the excess is unbounded.
        ("excess: percent range 0%..", "> 10% 1, each 20% higher add 1", 3, I(0, 3)),
        # Only (10%, 30%]: at least 1 (a started step needs x ≠ bound), at most 1 + 1.
        ("excess: percent range 11%..30%", "> 10% 1, each 20% higher add 1 per started step",
         3, I(2, 2)),
        # A count always meets >= 0.
        ("cases: count", ">= 0 full", 5, I(5, 5)),
        # '=': met only at 100%; either side loses a started step at least.
        ("rate: percent range 98%..101%", "= 100% full, each 1% lower deduct 1 per started step",
         5, I(3, 5)),
    ],
)
def test_threshold(decl: str, rule: str, cap: int, expected: Interval) -> None:
    name = decl.split(":")[0]
    text = FULL_STEPS + f'inputs {{ {decl} }}\nA "a" {cap} {{ threshold {name} {rule} }}'
    assert one(text) == expected


def test_threshold_against_an_input_bound() -> None:
    text = FULL_STEPS + (
        "inputs {\n  age: number range 30..50\n  city: number range 40..42\n}\n"
        'A "a" 2 { threshold age <= city full, each 1 higher deduct 0.5 }'
    )
    # Worst: 50 against 40, 10 over: 2 − 5 → 0; best: any age at or under the city's.
    assert one(text) == I(0, 2)
    narrow = text.replace("30..50", "42..43")
    # 43 against 40: 3 over, 2 − 1.5 = 0.5; 42 against 42: met.
    assert one(narrow) == I("0.5", 2)


@pytest.mark.parametrize(
    ("decls", "rule", "cap", "expected"),
    [
        ("x: percent", "x / 90%", 5, I(0, 5)),
        # 10% / 90% × 5 = 0.555… → 0.56; 45% → 2.5.
        ("x: percent range 10%..45%", "x / 90%", 5, I("0.56", "2.5")),
        # Unbounded below: negative values clamp to 0.
        ("x: number range ..50", "x / 100", 10, I(0, 5)),
        # An input target: 10 / 100 × 10 = 1 at worst, 40 / 50 × 10 = 8 at best.
        ("actual: number range 10..40\n  planned: number range 50..100", "actual / planned",
         10, I(1, 8)),
        # A target that may approach 0 makes any positive value full marks.
        ("actual: number range 10..40\n  planned: number", "actual / planned", 10, I(0, 10)),
    ],
)
def test_proportional(decls: str, rule: str, cap: int, expected: Interval) -> None:
    text = PLAIN + f'inputs {{\n  {decls}\n}}\nA "a" {cap} {{ proportional {rule} }}'
    assert one(text) == expected


def test_bands_count_only_reachable_bands() -> None:
    table = "{ >= 85%: 5; [75%, 85%): 3; [60%, 75%): 1; < 60%: 0 }"
    text = PLAIN + f'inputs {{ r: percent }}\nA "a" 5 {{ bands r {table} }}'
    assert one(text) == I(0, 5)
    assert one(text.replace("r: percent", "r: percent range 70%..100%")) == I(1, 5)
    assert one(text.replace("r: percent", "r: percent range 76%..84%")) == I(3, 3)


@pytest.mark.parametrize(
    ("decls", "rule", "cap", "section", "expected"),
    [
        ("n: count", "0.5 per n", 5, "", I(0, 5)),
        # At most 4 is deducted: never below 6 − 4.
        ("n: count", "1 per n, at most 4", 6, "", I(2, 6)),
        # At most 2 late and one flag: 4 − 2 − 0.5 = 1.5.
        ("late: count range 0..2\n  wrong: bool", "1 per late, 0.5 if wrong", 4, "", I("1.5", 4)),
        # A count from 1 up: at least 1 deducted.
        ("n: count range 1..", "1 per n", 3, "", I(0, 2)),
        # In a penalty node the deduction is the score, at most the cap.
        ("n: count\n  major: bool", "2 per n, 5 if major", 5, "penalty ", I(0, 5)),
        ("n: count range 0..1", "2 per n", 5, "penalty ", I(0, 2)),
    ],
)
def test_deduct(decls: str, rule: str, cap: int, section: str, expected: Interval) -> None:
    text = PLAIN + f'inputs {{\n  {decls}\n}}\n{section}A "a" {cap} {{ deduct {rule} }}'
    assert one(text) == expected


@pytest.mark.parametrize(
    ("decl", "expected"),
    [
        ("g: number", I(0, 10)),
        # 98: 2 full steps below, 6 − 2 = 4; 103.5: 3 full steps above, 6 + 1.5 = 7.5.
        ("g: number range 98..103.5", I(4, "7.5")),
        # Only above the reference.
        ("g: number range 100..101", I(6, "6.5")),
    ],
)
def test_baseline(decl: str, expected: Interval) -> None:
    rule = "baseline g at 100 scores 6, each 1 lower deduct 1, each 1 higher add 0.5"
    assert one(FULL_STEPS + f'inputs {{ {decl} }}\nA "a" 10 {{ {rule} }}') == expected


def test_baseline_side_without_steps_keeps_the_base() -> None:
    text = FULL_STEPS + (
        'inputs { age: number range 40..46 }\n'
        'A "a" 2 { baseline age at 42 scores 2, each 1 higher deduct 0.5 }'
    )
    assert one(text) == I("0", 2)  # 46: 4 over, 2 − 2 = 0


@pytest.mark.parametrize(
    ("decl", "rule", "cap", "expected"),
    [
        ("d: number range 40..55", "d from 50 within ±2, each 1 beyond deduct 1", 5, I(0, 5)),
        # 45: 3 beyond the tolerance, 5 − 3 = 2; 53: 1 beyond, 4.
        ("d: number range 45..53", "d from 50 within ±2, each 1 beyond deduct 1", 5, I(2, 5)),
        # Relative: 90 is 10% off 100, 5 beyond 5%: 8 − 5 = 3; 108 is 8% off: 5.
        ("d: number range 90..108", "d from 100 within ±5%, each 1% beyond deduct 1", 8, I(3, 8)),
        # Never within ±5 of 100: 50 is 45 beyond, 10 − 4.5; 0 is 95 beyond, 10 − 9.5.
        ("d: number range 0..50", "d from 100 within ±5, each 1 beyond deduct 0.1", 10,
         I("0.5", "5.5")),
        # Without steps: full or nothing.
        ("d: number", "d from 100 within ±5%", 4, I(0, 4)),
    ],
)
def test_deviation(decl: str, rule: str, cap: int, expected: Interval) -> None:
    assert one(FULL_STEPS + f'inputs {{ {decl} }}\nA "a" {cap} {{ deviation {rule} }}') == expected


def test_levels_and_percent_levels() -> None:
    text = PLAIN + (
        "inputs {\n  e: level (好, 较好, 一般, 差)\n  a: level (全部, 部分, 未)\n}\n"
        'A "a" 10 { levels e { 好: 10, 较好: 8, 一般: 6, 差: 2 } }\n'
        'B "b" 6 { levels a { 全部: 100%, 部分: 60%, 未: 20% } }'
    )
    assert intervals(text) == {"A": I(2, 10), "B": I("1.2", 6)}


def test_judged_and_awards() -> None:
    text = PLAIN + (
        "inputs { h: awards (gold, silver) }\n"
        'A "a" 2.5 { judged }\n'
        'bonus F "f" 5 { awards h highest per item { gold: 3, silver: 2 } }'
    )
    assert intervals(text) == {"A": I(0, "2.5"), "F": I(0, 5)}


def test_composites() -> None:
    text = FULL_STEPS + (
        "inputs {\n  q: percent range 50%..100%\n  t: percent range 80%..100%\n}\n"
        'A "a" 10 { combine weighted {\n'
        "  part 10 weight 0.6: proportional q / 100%\n"
        "  part 10 weight 0.4: proportional t / 100%\n} }\n"
        'B "b" 10 { combine min {\n'
        "  part 10: threshold q >= 50% full, each 5% lower deduct 2\n"
        "  part 10: threshold t >= 90% full, each 5% lower deduct 2\n} }\n"
        'C "c" 10 { combine max {\n'
        "  part 10: threshold q >= 90% full\n"
        "  part 10: threshold t >= 90% full, each 5% lower deduct 2\n} }\n"
        'D "d" 20 { combine sum {\n'
        "  part 10: proportional q / 100%\n"
        "  part 10: proportional t / 100%\n} }"
    )
    assert intervals(text) == {
        "A": I("6.2", 10),  # 0.6 × 5 + 0.4 × 8
        "B": I(6, 10),  # t at 80%: 2 steps below 90%, 10 − 4
        "C": I(6, 10),
        "D": I(13, 20),
    }


def test_a_judged_part_answers_to_the_indicator_cap() -> None:
    # The judgement may be up to 5 (the indicator's cap), not 2 (the part's).
    text = PLAIN + (
        'inputs { done: bool }\n'
        'A "a" 5 { combine min { part 2: judged  part 3: full if done } }'
    )
    assert one(text) == I(0, 3)


# ---------------------------------------------------------------- the tree


SECTIONS = (
    'framework "t" { total 100 capped }\n'
    "inputs {\n  base: number range 0..100\n  h: awards (gold, silver)\n}\n"
    'A "a" 100 { A1 "a1" 100 { proportional base / 100 } }\n'
    'bonus F "f" 5 {\n'
    "  bonus F1 \"f1\" 5 { awards h highest per item { gold: 3, silver: 2 } }\n"
    '  penalty F2 "f2" 5 { judged }\n'
    "}\n"
)


def test_bonus_and_penalty_sections() -> None:
    assert intervals(SECTIONS) == {
        "A": I(0, 100), "A1": I(0, 100), "F": I(-5, 5), "F1": I(0, 5), "F2": I(0, 5)
    }
    assert total(SECTIONS) == I(0, 100)
    # Uncapped: the bonus may take the total to 105.
    assert total(SECTIONS.replace("total 100 capped", "total 100 uncapped")) == I(0, 105)
    # A regular floor above 0 shows in the total: 60 − 5.
    assert total(SECTIONS.replace("range 0..100", "range 60..100")) == I(55, 100)


def test_a_penalty_section_with_children() -> None:
    text = PLAIN + (
        "inputs { n: count range 0..3 }\n"
        'A "a" 10 { judged }\n'
        'penalty P "p" 4 {\n  penalty P1 "p1" 3 { deduct 1 per n }\n'
        '  penalty P2 "p2" 3 { judged }\n}'
    )
    assert intervals(text)["P"] == I(0, 4)  # min(4, [0, 6])
    assert total(text) == I(0, 10)


RESCALE = (
    'framework "t" { }\n'
    "inputs {\n  a: percent range 100%..100%\n  b: percent\n  c: percent range 50%..100%\n"
    "  d: percent\n}\n"
    'C "c" 10 {\n'
    '  C1 "c1" 4 { not applicable rescale\n proportional a / 100% }\n'
    '  C2 "c2" 3 { proportional b / 100% }\n'
    '  C3 "c3" 3 { proportional c / 100% }\n'
    "}\n"
    'D "d" 90 { proportional d / 100% }\n'
)


def test_rescaling_widens_the_parent_exactly() -> None:
    found = intervals(RESCALE)
    assert found["C1"] == I(4, 4)
    assert found["C3"] == I("1.5", 3)
    # All applicable: 4 + [0, 3] + [1.5, 3] = [5.5, 10]. C1 excluded: (0 + 1.5) × 10 / 6 = 2.5
    # at worst, 6 × 10 / 6 = 10 at best.
    assert found["C"] == I("2.5", 10)
    assert total(RESCALE) == I("2.5", 100)
    fw = api.loads(RESCALE)
    worst = fw.score({"b": "0%", "c": "50%", "d": "0%"}, not_applicable=["C1"])
    assert worst["C"].score == Decimal("2.5")


def test_rescaling_at_the_top_and_policies_full_and_zero() -> None:
    text = (
        'framework "t" { total 100 capped not applicable rescale }\n'
        "inputs {\n  a: percent range 50%..100%\n  d: percent range 80%..100%\n  x: percent\n}\n"
        'C "c" 10 {\n  C1 "c1" 10 { proportional a / 100% }\n}\n'
        'D "d" 80 { proportional d / 100% }\n'
        'E "e" 10 {\n'
        '  E1 "e1" 5 { not applicable full\n threshold x > 100% full }\n'
        '  E2 "e2" 5 { not applicable zero\n threshold x >= 0% full }\n'
        "}\n"
    )
    found = intervals(text)
    assert found["E1"] == I(0, 5)  # the rule never scores (no value is above 100%); 不适用: 5
    assert found["E2"] == I(0, 5)  # the rule always scores 5; 不适用: 0
    assert found["C"] == I(5, 10)
    assert found["D"] == I(64, 80)
    # All applicable: 5 + 64 + 0 = 69 at worst. But C, D and E may each be excluded (E by the
    # framework's policy, though its children are not): E alone, at 0 of its 10, rescales the
    # total to 0.
    assert total(text) == I(0, 100)
    fw = api.loads(text)
    assert fw.score({"x": "0%"}, not_applicable=["C", "D", "E2"]).total == 0


def test_a_zero_cap_child_that_can_be_excluded_still_rounds_its_parent() -> None:
    # Excluding Z (cap 0) rescales P: 4.875 × 5 / 5, rounded to 4.88 — above the plain 4.875.
    text = PLAIN + (
        "inputs { g: level (good, bad) }\n"
        'P "p" 5 {\n'
        '  X "x" 5 { levels g { good: 4.875, bad: 0 } }\n'
        '  Z "z" 0 { not applicable rescale\n judged }\n'
        "}\n"
    )
    assert intervals(text)["P"] == I(0, "4.88")
    fw = api.loads(text)
    assert fw.score({"g": "good"}, not_applicable=["Z"])["P"].score == Decimal("4.88")
    assert fw.score({"g": "good"}, judgements={"Z": 0})["P"].score == Decimal("4.875")


# ---------------------------------------------------------------- Nanjing, by hand


NANJING_INTERVALS = {
    # A: yes/no leaves and one judged leaf; every parent the sum of its children.
    "A": (0, 15), "A1": (0, 6), "A11": (0, 2), "A12": (0, 2), "A13": (0, 2),
    "A2": (0, 2), "A21": (0, 1), "A22": (0, 1), "A3": (0, 2), "A31": (0, 1), "A32": (0, 1),
    "A4": (0, 5), "A41": (0, "2.5"), "A42": (0, "2.5"),
    # B11: 2 at 90% and above, else 0; B12: 2 at no overspend, 0 for any.
    "B": (0, 20), "B1": (0, 6), "B11": (0, 2), "B12": (0, 2), "B13": (0, 2),
    "B2": (0, 4), "B21": (0, 2), "B22": (0, 2), "B3": (0, 2), "B31": (0, 1), "B32": (0, 1),
    "B4": (0, 2), "B41": (0, 1), "B42": (0, 1), "B5": (0, 3), "B51": (0, 1), "B52": (0, 1),
    "B53": (0, 1), "B6": (0, 3), "B61": (0, 1), "B62": (0, 1), "B63": (0, 1),
    # C: full at the bound, 0 at the cut-off (and long before it).
    "C": (0, 30), "C1": (0, 10), "C11": (0, 10), "C2": (0, 10), "C21": (0, 5), "C22": (0, 5),
    "C3": (0, 10), "C31": (0, 10),
    # D11: three proportional parts of 10, each 0 at 0% and capped at 10.
    "D": (0, 30), "D1": (0, 30), "D11": (0, 30),
    "E": (0, 5), "E1": (0, 5), "E11": (0, 5),
    # F = min(5, F1) − F2: awards [0, 5], the judged penalty [0, 5].
    "F": (-5, 5), "F1": (0, 5), "F2": (0, 5),
}


def test_nanjing_intervals() -> None:
    found = bounds.analyse(api.parse(NANJING.read_text("utf-8")))
    assert dict(found.nodes) == {code: I(*ends) for code, ends in NANJING_INTERVALS.items()}
    # 0..100 regular, F adds −5..5, the total is kept within 0 and its cap of 100.
    assert found.total == I(0, 100)


def test_nanjing_branches_are_all_reachable() -> None:
    framework = api.parse(NANJING.read_text("utf-8"))
    decls = {d.name: d for d in framework.inputs}
    for node in ast.walk(framework.indicators):
        if node.rule is not None:
            assert all(bounds.reachable_branches(node.rule, decls).values()), node.code
    c11 = next(n for n in ast.walk(framework.indicators) if n.code == "C11")
    assert c11.rule is not None
    branches = bounds.reachable_branches(c11.rule, decls)
    assert branches == {"met": True, "cutoff": True, "short": True}


def test_reachable_branches_names() -> None:
    framework = api.parse(
        FULL_STEPS + (
            "inputs {\n  r: percent\n  n: count\n  g: level (good, bad)\n}\n"
            'A "a" 5 { bands r { > 100%: 5; [50%, 100%]: 3; < 50%: 0 } }\n'
            'B "b" 5 { combine sum {\n  part 2: threshold n >= 0 full\n'
            '  part 3: levels g { good: 3, bad: 0 }\n} }\n'
            'C "c" 5 { baseline n at 0 scores 3, each 1 lower deduct 1 }\n'
            'D "d" 5 { deviation r from 50% within ±10% }\n'
        )
    )
    decls = {d.name: d for d in framework.inputs}
    rules = [node.rule for node in framework.indicators]
    assert [bounds.reachable_branches(rule, decls) for rule in rules if rule is not None] == [
        {"band > 100%": False, "band [50%, 100%]": True, "band < 50%": True},
        {"part 1: met": True, "part 1: missed": False, "part 2: level good": True,
         "part 2: level bad": True},
        {"at": True, "lower": False, "higher": True},
        {"within": True, "outside": True},
    ]


# ---------------------------------------------------------------- diagnostics


def diagnose(text: str) -> list[Diagnostic]:
    return check.diagnose(api.parse(text, source="t.rules"))


def test_score_above_cap_and_below_zero_point_at_the_rule() -> None:
    text = FULL_STEPS + (
        "inputs { rate: percent }\n"
        'A "a" 5 { threshold rate >= 90% full, each 5% lower deduct -1 }\n'
        'B "b" 5 { threshold rate >= 50% 5, each 5% higher add -1 }\n'
    )
    found = [(d.code, d.span.line, d.span.column, d.message) for d in diagnose(text)
             if d.code.startswith("score-") and d.span is not None]
    assert found == [
        ("score-above-cap", 3, 11,
         "A can score up to 23, above its cap 5 (its scores lie in [5, 23])"),
        ("score-below-zero", 4, 11,
         "B can score as low as -5, below 0 (its scores lie in [-5, 5])"),
    ]
    assert check.DIAGNOSTIC_CODES["score-above-cap"][0] == "error"
    assert check.DIAGNOSTIC_CODES["score-below-zero"][0] == "error"
    assert check.DIAGNOSTIC_CODES["unreachable-branch"][0] == "warning"


def test_unbounded_scores_say_so() -> None:
    text = PLAIN + 'inputs { n: count }\nA "a" 5 { deduct 1 per n }\n'
    assert not diagnose(text)
    broken = FULL_STEPS + (
        'inputs { x: number }\nA "a" 5 { threshold x >= 0 full, each 1 lower deduct -1 }'
    )
    messages = [d.message for d in diagnose(broken) if d.code == "score-above-cap"]
    assert messages == ["A can score without limit, above its cap 5 (its scores lie in [5, +∞])"]


def test_interval_errors_are_not_repeated() -> None:
    # rule-exceeds-cap and negative-points already say it; the parent is not blamed either.
    text = PLAIN + (
        "inputs { done: bool }\n"
        'A "a" 3 {\n  A1 "x" 1 { 2 if done }\n  A2 "y" 2 { -1 if done }\n}\n'
    )
    codes = [d.code for d in diagnose(text)]
    assert "rule-exceeds-cap" in codes and "negative-points" in codes
    assert not [c for c in codes if c.startswith("score-")]


def test_a_bonus_section_may_go_below_zero() -> None:
    assert not [d for d in diagnose(SECTIONS) if d.is_error]


def test_nanjing_has_no_new_diagnostics() -> None:
    codes = [d.code for d in diagnose(NANJING.read_text("utf-8"))]
    assert codes == ["cutoff-never-matters"] * 4


@pytest.mark.parametrize(
    ("body", "line", "column", "message"),
    [
        (
            'A "a" 5 { bands r { > 100%: 5; [60%, 100%]: 3; < 60%: 0 } }',
            3, 21,
            ("no value of 'r' in its range [0%, 100%] falls in the band (100%, +∞), so the band "
             "never applies in A"),
        ),
        (
            'A "a" 5 { threshold r > 100% full }',
            3, 23,
            "no value of 'r' in its range [0%, 100%] meets '> 100%', so A never scores by it",
        ),
        (
            'A "a" 5 { threshold r >= 90% full, each 5% lower deduct 0.1, zero if < 0% }',
            3, 70,
            ("no value of 'r' in its range [0%, 100%] that misses '>= 90%' is caught by the "
             "cut-off 'zero if < 0%', so it never applies"),
        ),
        (
            'A "a" 5 { threshold r >= 90% full, each 5% lower deduct 1, zero if < 90% }',
            3, 36,
            ("the cut-off 'zero if < 90%' catches every value of 'r' in its range [0%, 100%] that "
             "misses '>= 90%', so the steps never apply"),
        ),
        (
            'A "a" 5 { threshold n >= 0 full }',
            3, 23,
            "every value of 'n' in its range [0, +∞) meets '>= 0', so A always scores 5",
        ),
        (
            'A "a" 5 { baseline n at 0 scores 3, each 1 lower deduct 1, each 1 higher add 1 }',
            3, 37,
            ("no value of 'n' in its range [0, +∞) is below the reference 0, so the 'lower' "
             "steps never apply"),
        ),
        (
            'A "a" 5 { deviation g from 100 within ±5, each 1 beyond deduct 1 }',
            3, 40,
            "no value of 'g' in its range [0, 50] lies within ±5 of 100, so A never scores full",
        ),
        (
            'A "a" 5 { deviation r from 50% within ±1000% }',
            3, 40,
            ("every value of 'r' in its range [0%, 100%] lies within ±1000% of 50%, so A always "
             "scores full"),
        ),
    ],
)
def test_unreachable_branches(body: str, line: int, column: int, message: str) -> None:
    text = FULL_STEPS + "inputs { r: percent, n: count, g: number range 0..50 }\n" + body + "\n"
    found = [d for d in diagnose(text) if d.code == "unreachable-branch"]
    assert [(d.span.line, d.span.column, d.message) for d in found if d.span] == [
        (line, column, message)
    ]
    assert found[0].severity == "warning"


def test_unreachable_branch_leaves_out_what_other_warnings_say() -> None:
    # threshold-outside-range already points at 120%, cutoff-above-bound at 'zero if < 95%'.
    text = FULL_STEPS + (
        "inputs { r: percent }\n"
        'A "a" 5 { threshold r >= 120% full }\n'
        'B "b" 5 { threshold r >= 90% full, each 5% lower deduct 1, zero if < 95% }\n'
        'C "c" 5 { bands r { [101%, 120%]: 5; [0%, 100%]: 1 } }\n'
    )
    codes = sorted(d.code for d in diagnose(text))
    assert "unreachable-branch" not in codes
    assert codes == ["cutoff-above-bound"] + ["threshold-outside-range"] * 3


# ---------------------------------------------------------------- the command line


def run(*argv: object) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main([str(a) for a in argv], stdout=out, stderr=err)
    return status, out.getvalue(), err.getvalue()


def test_check_prints_intervals() -> None:
    status, out, _ = run("check", NANJING, "--intervals")
    assert status == EXIT_OK
    lines = out.splitlines()
    assert "A 部门决策  [0, 15]" in lines
    assert "    C11 文件办理率  [0, 10]" in lines
    assert "  C2 重点工作质量达标率  [0, 10]" in lines
    assert "F 加减分项  [-5, 5]" in lines
    assert lines[-2] == "total  [0, 100]"
    assert lines[-1].endswith("0 error(s), 4 warning(s)")
    status, plain, _ = run("check", NANJING)
    assert "[0, 10]" not in plain


def test_check_json_always_has_intervals() -> None:
    status, out, _ = run("check", NANJING, "--format", "json")
    assert status == EXIT_OK
    data = json.loads(out)
    assert data["total"] == {"low": 0, "high": 100}
    assert data["intervals"]["A41"] == {"low": 0, "high": 2.5}
    assert data["intervals"]["F"] == {"low": -5, "high": 5}
    assert set(data["intervals"]) == set(NANJING_INTERVALS)


def test_check_several_files_and_exit_status(tmp_path: Path) -> None:
    bad = tmp_path / "bad.rules"
    bad.write_text(
        FULL_STEPS + 'inputs { r: percent }\n'
        'A "a" 5 { threshold r >= 90% full, each 5% lower deduct -1 }\n',
        encoding="utf-8",
    )
    broken = tmp_path / "broken.rules"
    broken.write_text('framework "x" { }\nA "a" 1 { full if }\n', encoding="utf-8")
    status, out, err = run("check", NANJING, bad, "--intervals")
    assert status == EXIT_INVALID
    assert f"{bad}:3:11: error[score-above-cap]" in err
    assert "A a  [5, 23]" in out
    status, out, _ = run("check", NANJING, bad, broken, "--format", "json")
    assert status == EXIT_INVALID
    data = json.loads(out)
    assert [item["ok"] for item in data] == [True, False, False]
    assert data[1]["intervals"] == {"A": {"low": 5, "high": 23}}
    assert data[2]["intervals"] == {} and data[2]["total"] is None
    assert run("check", NANJING, NANJING)[0] == EXIT_OK


def test_pre_commit_hook_definition() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text("utf-8"))
    (hook,) = [h for h in hooks if h["id"] == "perfrules-check"]
    assert hook["entry"] == "perfrules check"
    assert hook["language"] == "python"
    assert hook["files"] == r"\.rules$"


# ---------------------------------------------------------------- properties


def _within(fw: perfrules.Framework, found: bounds.Bounds, data: dict[str, object]) -> None:
    try:
        result = fw.score(
            data["values"],  # type: ignore[arg-type]
            judgements=data["judgements"],  # type: ignore[arg-type]
            not_applicable=data["not_applicable"],  # type: ignore[arg-type]
        )
    except InputError:
        return
    for code in fw.codes:
        score = result[code].score
        if score is not None:
            assert score in found.nodes[code], (code, score, str(found.nodes[code]))
    assert result.total in found.total, (result.total, str(found.total))


testing = pytest.importorskip("perfrules.testing")
unparse = pytest.importorskip("perfrules.unparse")

_NANJING_FW = perfrules.load(NANJING)
_NANJING_BOUNDS = bounds.analyse(_NANJING_FW.ast)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=testing.inputs(_NANJING_FW, adjust=False))
def test_nanjing_scores_lie_within_their_intervals(data: dict[str, object]) -> None:
    _within(_NANJING_FW, _NANJING_BOUNDS, data)


@settings(max_examples=100, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_random_framework_scores_lie_within_their_intervals(data: st.DataObject) -> None:
    fw = perfrules.loads(unparse.unparse(data.draw(testing.frameworks(), label="framework")))
    found = bounds.analyse(fw.ast)
    for _ in range(3):
        _within(fw, found, data.draw(testing.inputs(fw, adjust=False), label="inputs"))


_OFFSETS = [Decimal(0), Decimal("1e-9"), Decimal("-1e-9"), Decimal(1), Decimal(-1)]


def _literals(rule: ast.Rule) -> list[Decimal]:
    """The values at which a one-input rule's score may turn: bounds, ends, targets."""
    ends: list[object] = []
    match rule:
        case ast.Threshold():
            ends = [rule.bound.operand, rule.cutoff.operand if rule.cutoff else None]
        case ast.Proportional():
            ends = [rule.target]
        case ast.Bands():
            ends = [e for band in rule.bands for e in (band.interval.low, band.interval.high)]
        case ast.Baseline():
            ends = [rule.reference]
        case ast.Deviation() if isinstance(rule.target, ast.Quantity):
            t, tol = rule.target.value, rule.tolerance.value
            width = tol * abs(t) / 100 if rule.tolerance.is_percent else tol
            return [t - width, t, t + width]
    return [e.value for e in ends if isinstance(e, ast.Quantity)]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_one_input_rules_reach_both_ends_of_their_interval(data: st.DataObject) -> None:
    """Exactness: a leaf with one input scores its interval's low and high for some values
    (at the zones' ends or just beside them)."""
    kinds = [k for k in testing.RULE_KINDS if k not in ("composite", "awards")]
    tree = data.draw(
        testing.frameworks(max_depth=1, max_children=1, extras=False, rule_kinds=kinds)
    )
    fw = perfrules.loads(unparse.unparse(tree))
    leaf = fw.ast.indicators[0]
    assert leaf.rule is not None
    names = {ref.name for ref in ast.rule_inputs(leaf.rule)}
    assume(len(names) <= 1)
    expected = bounds.analyse(fw.ast).nodes[leaf.code]
    if not names:  # judged
        scores = [fw.score(judgements={leaf.code: {"score": s, "reason": "r"}})[leaf.code].score
                  for s in (0, leaf.cap)]
        assert (min(scores), max(scores)) == (expected.low, expected.high)
        return
    (name,) = names
    decl = fw.inputs[name]
    if decl.type is ast.InputType.BOOL:
        values: list[object] = [True, False]
    elif decl.type is ast.InputType.LEVEL:
        values = list(decl.choices)
    else:
        low, high = ast.value_range(decl)
        anchors = [e for e in (low, high) if e is not None] + _literals(leaf.rule) + [Decimal(0)]
        candidates = {a + o for a in anchors for o in _OFFSETS}
        candidates |= {Decimal("1e9"), Decimal("-1e9")}
        if decl.type is ast.InputType.COUNT:
            candidates = {c.to_integral_value() for c in candidates}
        numbers = sorted(c for c in candidates
                         if (low is None or c >= low) and (high is None or c <= high))
        percent = decl.type is ast.InputType.PERCENT
        values = [f"{v:f}%" if percent else v for v in numbers]
    scores = []
    for value in values:
        try:
            scores.append(fw.score({name: value})[leaf.code].score)
        except InputError:
            continue
    assume(scores)
    assert (min(scores), max(scores)) == (expected.low, expected.high), str(expected)
