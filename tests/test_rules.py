"""Every rule kind on its boundary table, and the tree-level semantics of docs/language.md.

Every expected score below was worked out by hand from docs/language.md, never copied from
the code's output. Scores are compared as exact Decimals.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

import perfrules

D = Decimal


def leaf(rule: str, inputs: str, cap: str | int = 10, settings: str = "counting per full step"):
    """A framework with one leaf ``A`` carrying ``rule``."""
    text = (
        f'framework "t" {{\n  {settings}\n}}\n'
        f"inputs {{\n{inputs}\n}}\n"
        f'A "a" {cap} {{\n  {rule}\n}}\n'
    )
    return perfrules.loads(text)


def score_of(fw, values, code: str = "A", **kwargs) -> Decimal:
    score = fw.score(values, **kwargs)[code].score
    assert isinstance(score, Decimal)
    return score


def check_table(fw, name: str, table, code: str = "A"):
    """Each (value, expected) row of ``table`` scores exactly ``expected``."""
    got = {value: score_of(fw, {name: value}, code) for value, _ in table}
    want = {value: D(expected) for value, expected in table}
    assert got == want


# ===================================================================== yes/no


@pytest.mark.parametrize(
    ("rule", "value", "expected"),
    [
        ("full if ok", True, "4"),
        ("full if ok", False, "0"),
        ("full if not ok", True, "0"),
        ("full if not ok", False, "4"),
        ("2.5 if ok", True, "2.5"),
        ("2.5 if ok", False, "0"),
        ("1.5 if not ok", False, "1.5"),
        ("1.5 if not ok", True, "0"),
    ],
)
def test_yes_no(rule, value, expected):
    """A yes/no rule gives P (cap for full) when the bool holds (or fails, with not), else 0."""
    fw = leaf(rule, "ok: bool", cap=4)
    assert score_of(fw, {"ok": value}) == D(expected)


def test_yes_no_parts_add_exactly():
    """2.5 + 1.5 points from two yes/no parts are exactly 4, not a float approximation."""
    fw = leaf(
        "combine sum {\n part 2.5: full if a\n part 1.5: full if b\n }",
        "a: bool\nb: bool",
        cap=4,
    )
    got = score_of(fw, {"a": True, "b": True})
    assert got == D(4)
    assert str(got.normalize()) == "4"


# ===================================================================== threshold, higher is better

HIGHER_RULE = "threshold x >= 99% full, each 5% lower deduct 1{counting}, zero if < 60%"


@pytest.mark.parametrize(
    ("counting", "table"),
    [
        (
            " per full step",
            [
                ("100%", "10"),
                ("99%", "10"),  # at the bound
                ("98.99%", "10"),  # 0.01 short: no whole 5% step
                ("94.01%", "10"),  # 4.99 short
                ("94%", "9"),  # exactly one step
                ("89%", "8"),  # two steps
                ("60%", "3"),  # at the cut-off (< excludes 60): 39 short, 7 steps
                ("59.99%", "0"),  # below the cut-off
                ("0%", "0"),
            ],
        ),
        (
            " per started step",
            [
                ("100%", "10"),
                ("99%", "10"),
                ("98.99%", "9"),  # a started step counts
                ("94%", "9"),  # exactly one step
                ("93.99%", "8"),  # 5.01 short: two started steps
                ("60%", "2"),  # 39 / 5 = 7.8 -> 8 steps
                ("59.99%", "0"),
                ("0%", "0"),
            ],
        ),
        (
            " pro rata",
            [
                ("100%", "10"),
                ("99%", "10"),
                ("98.99%", "10"),  # 10 - 0.002 = 9.998 -> 10.00
                ("98.9%", "9.98"),  # 10 - 0.02
                ("97.5%", "9.7"),  # 10 - 0.3
                ("96.975%", "9.6"),  # 10 - 0.405 = 9.595 -> 9.60 (half up)
                ("94%", "9"),
                ("60%", "2.2"),  # 10 - 7.8
                ("59.99%", "0"),
                ("0%", "0"),
            ],
        ),
    ],
)
def test_threshold_higher_is_better(counting, table):
    """A >= threshold counts full, started and pro-rata steps and cuts off below 60%."""
    fw = leaf(HIGHER_RULE.format(counting=counting), "x: percent")
    check_table(fw, "x", table)


def test_threshold_without_cutoff_floors_at_zero():
    """Without a cut-off, steps keep deducting below 60% and the score floors at 0."""
    fw = leaf("threshold x >= 99% full, each 5% lower deduct 1", "x: percent")
    check_table(
        fw,
        "x",
        [
            ("99%", "10"),
            ("98.99%", "10"),
            ("60%", "3"),  # 39 short: 7 steps
            ("59.99%", "3"),  # 39.01 short: still 7 steps, no cut-off
            ("55%", "2"),  # 44 short: 8 steps
            ("0%", "0"),  # 99 short: 19 steps, 10 - 19 floors at 0
            ("100%", "10"),
        ],
    )


def test_threshold_without_steps_is_all_or_nothing():
    """A threshold without steps gives its points at or past the bound, and 0 just below."""
    fw = leaf("threshold x >= 90% full", "x: percent", cap=2)
    check_table(fw, "x", [("90%", "2"), ("89.99%", "0"), ("100%", "2"), ("0%", "0")])


def test_threshold_stated_points_below_the_cap():
    """A threshold that states points gives those points, not the cap, when met."""
    fw = leaf("threshold x >= 90% 3, each 1% lower deduct 1", "x: percent", cap=5)
    check_table(fw, "x", [("90%", "3"), ("100%", "3"), ("89%", "2"), ("85%", "0")])


@pytest.mark.parametrize(
    ("rule", "table"),
    [
        ("threshold x > 10% 1", [("10%", "0"), ("10.01%", "1"), ("0%", "0"), ("100%", "1")]),
        ("threshold x < 10% 1", [("10%", "0"), ("9.99%", "1"), ("0%", "1"), ("100%", "0")]),
        ("threshold x = 0% 1", [("0%", "1"), ("0.01%", "0"), ("100%", "0")]),
    ],
)
def test_threshold_strict_and_equal_bounds(rule, table):
    """> and < exclude their bound (超过/低于), = holds only at the number itself."""
    check_table(leaf(rule, "x: percent", cap=1), "x", table)


def test_threshold_strict_bound_missed_at_the_bound_counts_a_started_step():
    """At an excluded bound the shortfall is 0 but the bound is missed: one started step."""
    started = leaf(
        "threshold x > 5% full, each 1% lower deduct 1 per started step", "x: percent", 3
    )
    check_table(started, "x", [("5%", "2"), ("5.01%", "3"), ("4.5%", "2"), ("3.99%", "1")])
    # Per full step, a shortfall of 0 is 0 whole steps: max(0, P - 0 x K) = P.
    full = leaf("threshold x > 5% full, each 1% lower deduct 1 per full step", "x: percent", 3)
    check_table(full, "x", [("5%", "3"), ("4.5%", "3"), ("4%", "2")])


def test_threshold_equal_bound_deducts_on_both_sides():
    """With an = bound the shortfall is |x - bound|, so a lower step deducts on both sides."""
    fw = leaf("threshold x = 50 full, each 1 lower deduct 1", "x: number")
    check_table(
        fw,
        "x",
        [("50", "10"), ("52", "8"), ("48", "8"), ("50.5", "10"), ("49.5", "10"), ("70", "0")],
    )


@pytest.mark.parametrize(
    ("rate", "full", "started", "pro_rata"),
    [
        ("99%", "10", "10", "10"),
        ("98%", "10", "8", "9.6"),
        ("94%", "8", "8", "8"),
        ("92%", "8", "6", "7.2"),
        ("89%", "6", "6", "6"),
        ("73.5%", "0", "0", "0"),
    ],
)
def test_step_counting_worked_example(rate, full, started, pro_rata):
    """99% with 2 off per 5% lower: 92% is 7 short, 1 full step, 2 started steps, 1.4 pro rata."""
    got = []
    for counting in ("per full step", "per started step", "pro rata"):
        fw = leaf(f"threshold x >= 99% full, each 5% lower deduct 2 {counting}", "x: percent")
        got.append(score_of(fw, {"x": rate}))
    assert got == [D(full), D(started), D(pro_rata)]


# ===================================================================== threshold, lower is better

LOWER_RULE = "threshold r <= 5% full, each 1% higher deduct 1{counting}, zero if > 8%"


@pytest.mark.parametrize(
    ("counting", "table"),
    [
        (
            " per full step",
            [
                ("0%", "6"),
                ("5%", "6"),  # at the bound (以内 includes it)
                ("5.99%", "6"),  # 0.99 over: no whole step
                ("6%", "5"),
                ("7.99%", "4"),  # 2.99 over: 2 steps
                ("8%", "3"),  # at the cut-off (> excludes 8): 3 steps
                ("8.01%", "0"),  # past the cut-off
                ("100%", "0"),
            ],
        ),
        (
            " per started step",
            [
                ("5%", "6"),
                ("5.01%", "5"),
                ("6%", "5"),
                ("6.01%", "4"),
                ("8%", "3"),
                ("8.01%", "0"),
                ("0%", "6"),
            ],
        ),
        (
            " pro rata",
            [
                ("5%", "6"),
                ("5.5%", "5.5"),
                ("7.25%", "3.75"),
                ("8%", "3"),
                ("8.01%", "0"),
                ("0%", "6"),
            ],
        ),
    ],
)
def test_threshold_lower_is_better(counting, table):
    """A <= threshold counts its steps above the bound and cuts off above 8%."""
    fw = leaf(LOWER_RULE.format(counting=counting), "r: percent", cap=6)
    check_table(fw, "r", table)


# ===================================================================== counting defaults


def test_rule_counting_overrides_framework_default():
    """A rule's own counting wins over the framework's default counting."""
    fw = leaf(
        "threshold x >= 99% full, each 5% lower deduct 1 per started step",
        "x: percent",
        settings="counting per full step",
    )
    check_table(fw, "x", [("98.99%", "9")])


def test_framework_default_counting_applies():
    """A step without its own counting uses the framework's default (here pro rata)."""
    fw = leaf(
        "threshold x >= 99% full, each 5% lower deduct 1",
        "x: percent",
        settings="counting pro rata",
    )
    check_table(fw, "x", [("97.5%", "9.7"), ("60%", "2.2")])


def test_step_without_any_counting_is_rejected():
    """A step rule with neither its own counting nor a framework default is an error."""
    with pytest.raises(perfrules.FrameworkCheckError):
        leaf("threshold x >= 99% full, each 5% lower deduct 1", "x: percent", settings="year 2024")


# ===================================================================== threshold against inputs


def test_threshold_bound_is_an_input():
    """A threshold relative to a reference input (不大于全市平均年龄) measures from that input."""
    fw = leaf("threshold age <= ref full, each 1 higher deduct 0.5", "age: number\nref: number", 2)
    table = [
        (("40", "42"), "2"),
        (("42", "42"), "2"),
        (("42.99", "42"), "2"),  # 0.99 over: no whole year
        (("43", "42"), "1.5"),
        (("46", "42"), "0"),
        (("50", "52"), "2"),
        (("53", "52"), "1.5"),
    ]
    got = {v: score_of(fw, {"age": v[0], "ref": v[1]}) for v, _ in table}
    assert got == {v: D(e) for v, e in table}


def test_threshold_bound_and_cutoff_are_inputs():
    """Both the bound and the cut-off may be inputs."""
    fw = leaf(
        "threshold x >= target full, each 1 lower deduct 1, zero if < floor_",
        "x: number\ntarget: number\nfloor_: number",
        5,
    )
    table = [
        (("10", "10", "6"), "5"),
        (("11", "10", "6"), "5"),
        (("9", "10", "6"), "4"),
        (("6", "10", "6"), "1"),  # at the cut-off (< excludes it)
        (("5.99", "10", "6"), "0"),
        (("5.99", "10", "5"), "1"),  # a lower cut-off: 4.01 short, 4 steps
    ]
    got = {v: score_of(fw, dict(zip(("x", "target", "floor_"), v))) for v, _ in table}
    assert got == {v: D(e) for v, e in table}


# ===================================================================== threshold with add steps


@pytest.mark.parametrize(
    ("counting", "table"),
    [
        (
            " per full step",
            [
                ("89.99%", "0"),
                ("90%", "6"),
                ("91.99%", "6"),
                ("92%", "7"),
                ("97.99%", "9"),  # 7.99 beyond: 3 steps
                ("98%", "10"),
                ("100%", "10"),  # 6 + 5 = 11, at most the cap
                ("0%", "0"),
            ],
        ),
        (
            " per started step",
            [
                ("89.99%", "0"),
                ("90%", "6"),  # at the bound there is no step beyond it
                ("90.01%", "7"),
                ("92%", "7"),
                ("92.01%", "8"),
                ("100%", "10"),
            ],
        ),
        (
            " pro rata",
            [
                ("90%", "6"),
                ("91%", "6.5"),
                ("93.3%", "7.65"),
                ("100%", "10"),
                ("89.99%", "0"),
            ],
        ),
    ],
)
def test_threshold_add_steps_beyond_the_bound(counting, table):
    """Add steps beyond the bound raise the points by n x K, at most the cap."""
    fw = leaf(f"threshold x >= 90% 6, each 2% higher add 1{counting}", "x: percent")
    check_table(fw, "x", table)


def test_threshold_with_deduct_and_add_steps_and_cutoff():
    """One threshold may deduct below its bound, add above it, and cut off below 60%."""
    fw = leaf(
        "threshold x >= 90% 6, each 10% lower deduct 1, each 2% higher add 1, zero if < 60%",
        "x: percent",
    )
    check_table(
        fw,
        "x",
        [
            ("100%", "10"),  # 6 + 5, at most 10
            ("94%", "8"),
            ("90%", "6"),
            ("89.99%", "6"),  # 0.01 short: no whole 10% step
            ("80%", "5"),
            ("60%", "3"),
            ("59.99%", "0"),
            ("0%", "0"),
        ],
    )


def test_lower_is_better_threshold_with_add_steps():
    """For a <= bound the add steps are 'lower': each step below the bound adds."""
    fw = leaf("threshold days <= 10 2, each 2 lower add 1", "days: number range 0..", 5)
    check_table(
        fw,
        "days",
        [("10", "2"), ("8.01", "2"), ("8", "3"), ("4", "5"), ("0", "5"), ("10.01", "0")],
    )


# ===================================================================== proportional


def test_proportional_by_constant():
    """cap x input / target, rounded half up to 0.01, within [0, cap]."""
    fw = leaf("proportional x / 95%", "x: percent")
    check_table(
        fw,
        "x",
        [
            ("100%", "10"),  # 10.526... clamped to the cap
            ("98.99%", "10"),
            ("95%", "10"),
            ("60%", "6.32"),  # 6.3157...
            ("59.99%", "6.31"),  # 6.3147...
            ("47.5%", "5"),
            ("0%", "0"),
        ],
    )


def test_proportional_rounds_half_up():
    """1 x 1 / 8 = 0.125 rounds half up to 0.13 (not to the even 0.12)."""
    fw = leaf("proportional x / 8", "x: number", cap=1)
    check_table(fw, "x", [("1", "0.13"), ("3", "0.38"), ("4", "0.5"), ("8", "1"), ("16", "1")])


def test_proportional_by_input():
    """A proportional rule may divide by an input (actual / planned)."""
    fw = leaf("proportional actual / target", "actual: number\ntarget: number")
    table = [
        (("45", "50"), "9"),
        (("60", "50"), "10"),
        (("1", "3"), "3.33"),
        (("2", "3"), "6.67"),
        (("0", "5"), "0"),
    ]
    got = {v: score_of(fw, {"actual": v[0], "target": v[1]}) for v, _ in table}
    assert got == {v: D(e) for v, e in table}


def test_proportional_by_zero_input_is_an_input_error():
    """A divisor input of 0 is rejected before scoring (T > 0)."""
    fw = leaf("proportional actual / target", "actual: number\ntarget: number")
    with pytest.raises(perfrules.InputError):
        fw.score({"actual": "1", "target": "0"})


# ===================================================================== bands


def test_bands_inclusive_lower_ends():
    """[a, b) bands: each lower end belongs to its band, the upper end to the next."""
    fw = leaf(
        "bands x { >= 85%: full; [75%, 85%): 3; [60%, 75%): 1; < 60%: 0 }", "x: percent", cap=5
    )
    check_table(
        fw,
        "x",
        [
            ("100%", "5"),
            ("85%", "5"),
            ("84.99%", "3"),
            ("75%", "3"),
            ("74.99%", "1"),
            ("60%", "1"),
            ("59.99%", "0"),
            ("0%", "0"),
        ],
    )


def test_bands_exclusive_lower_ends():
    """(a, b] bands and an '= 0' band (lower is better)."""
    fw = leaf(
        "bands x { = 0%: full; (0%, 5%]: 3; (5%, 15%]: 1; > 15%: 0 }", "x: percent", cap=4
    )
    check_table(
        fw,
        "x",
        [
            ("0%", "4"),
            ("0.01%", "3"),
            ("5%", "3"),
            ("5.01%", "1"),
            ("15%", "1"),
            ("15.01%", "0"),
            ("100%", "0"),
        ],
    )


def test_bands_closed_and_open_intervals_on_counts():
    """[a, b] includes both ends and (a, b) neither."""
    fw = leaf(
        "bands n { [0, 2]: full; (2, 5): 2; [5, 10]: 1; > 10: 0 }", "n: count", cap=4
    )
    check_table(
        fw,
        "n",
        [(0, "4"), (2, "4"), (3, "2"), (4, "2"), (5, "1"), (10, "1"), (11, "0"), (100, "0")],
    )


# ===================================================================== deduct


def test_deduct_per_occurrence_floors_at_zero():
    """cap - K x n, never below 0 (扣完为止)."""
    fw = leaf("deduct 0.5 per problems", "problems: count", cap=5)
    check_table(fw, "problems", [(0, "5"), (1, "4.5"), (3, "3.5"), (10, "0"), (12, "0")])


def test_deduct_at_most():
    """'at most L' limits the deduction, so the score never goes below cap - L."""
    fw = leaf("deduct 1 per gaps, at most 4", "gaps: count", cap=6)
    check_table(fw, "gaps", [(0, "6"), (2, "4"), (4, "2"), (5, "2"), (9, "2")])


@pytest.mark.parametrize(
    ("late", "wrong", "fraud", "expected"),
    [
        (0, 0, False, "4"),
        (1, 2, False, "2"),  # 1 + 1
        (1, 0, True, "1"),  # 1 + 2
        (0, 1, True, "1.5"),  # 0.5 + 2
        (0, 0, True, "2"),  # the flag counts once
        (3, 4, False, "0"),  # 3 + 2 = 5 > 4
        (3, 4, True, "0"),
    ],
)
def test_deduct_several_kinds_and_a_flag(late, wrong, fraud, expected):
    """Several kinds of occurrences add up; a flag deducts once when true."""
    fw = leaf(
        "deduct 1 per late, 0.5 per wrong, 2 if fraud",
        "late: count\nwrong: count\nfraud: bool",
        cap=4,
    )
    assert score_of(fw, {"late": late, "wrong": wrong, "fraud": fraud}) == D(expected)


@pytest.mark.parametrize(
    ("late", "fraud", "expected"),
    [(0, False, "10"), (0, True, "7"), (1, True, "6"), (2, True, "6"), (10, False, "6")],
)
def test_deduct_flag_with_at_most(late, fraud, expected):
    """The limit applies to the sum of counted and flagged deductions."""
    fw = leaf("deduct 1 per late, 3 if fraud, at most 4", "late: count\nfraud: bool")
    assert score_of(fw, {"late": late, "fraud": fraud}) == D(expected)


# ===================================================================== baseline


def test_baseline_lower_adds_higher_deducts():
    """B at the reference; lower steps add and higher steps deduct, within [0, cap]."""
    fw = leaf(
        "baseline cost at 100 scores 6, each 1 lower add 1, each 1 higher deduct 0.5",
        "cost: number",
    )
    check_table(
        fw,
        "cost",
        [
            ("100", "6"),
            ("99.01", "6"),  # 0.99 below: no whole step
            ("99", "7"),
            ("96", "10"),
            ("95", "10"),  # 11, at most the cap
            ("0", "10"),
            ("100.99", "6"),
            ("101", "5.5"),
            ("112", "0"),
            ("150", "0"),  # 6 - 25, at least 0
        ],
    )


def test_baseline_lower_deducts_higher_adds():
    """The other way round: below the reference deducts, above adds."""
    fw = leaf(
        "baseline x at 90% scores 8, each 1% lower deduct 2, each 2% higher add 1", "x: percent"
    )
    check_table(
        fw,
        "x",
        [
            ("90%", "8"),
            ("89.99%", "8"),
            ("89%", "6"),
            ("86%", "0"),
            ("85%", "0"),
            ("0%", "0"),
            ("92%", "9"),
            ("93.99%", "9"),
            ("94%", "10"),
            ("100%", "10"),  # 13, at most the cap
        ],
    )


def test_baseline_side_without_steps_keeps_base_and_pro_rata_rounds():
    """A side without steps keeps B; a pro-rata side is rounded half up to 0.01."""
    fw = leaf("baseline cost at 100 scores 6, each 4 higher deduct 1 pro rata", "cost: number")
    check_table(
        fw,
        "cost",
        [
            ("90", "6"),
            ("0", "6"),
            ("100", "6"),
            ("101", "5.75"),
            ("102.5", "5.38"),  # 6 - 0.625 = 5.375 -> 5.38
            ("124", "0"),
            ("130", "0"),
        ],
    )


def test_baseline_started_step():
    """A started step counts one as soon as x leaves the reference."""
    fw = leaf(
        "baseline cost at 100 scores 6, each 1 higher deduct 0.5 per started step", "cost: number"
    )
    check_table(fw, "cost", [("100", "6"), ("100.01", "5.5"), ("101", "5.5"), ("101.01", "5")])


def test_baseline_reference_is_an_input():
    """The reference may be an input."""
    fw = leaf(
        "baseline x at ref scores 5, each 1 lower deduct 1, each 1 higher add 1",
        "x: number\nref: number",
    )
    got = [score_of(fw, {"x": x, "ref": r}) for x, r in (("7", "7"), ("9", "7"), ("4", "7"))]
    assert got == [D(5), D(7), D(2)]


# ===================================================================== deviation


def test_deviation_relative_with_steps():
    """|x - T| / |T| x 100 within ±5% scores the cap; each whole 1% beyond deducts 1."""
    fw = leaf("deviation x from 100 within ±5%, each 1% beyond deduct 1", "x: number", cap=8)
    check_table(
        fw,
        "x",
        [
            ("100", "8"),
            ("105", "8"),
            ("95", "8"),
            ("105.99", "8"),  # 0.99 beyond: no whole step
            ("106", "7"),
            ("107", "6"),
            ("93", "6"),
            ("120", "0"),
            ("0", "0"),
        ],
    )


def test_deviation_relative_to_a_non_hundred_target():
    """The deviation is relative to the target: 53 against 50 is 6%."""
    fw = leaf("deviation x from 50 within ±5%, each 1% beyond deduct 1", "x: number", cap=8)
    check_table(fw, "x", [("53", "7"), ("52.5", "8"), ("52.6", "8"), ("47", "7"), ("45", "3")])


def test_deviation_relative_pro_rata_rounds():
    """Pro-rata steps beyond the tolerance give a rounded score."""
    fw = leaf("deviation x from 30 within ±5%, each 1% beyond deduct 1 pro rata", "x: number", 8)
    # 32 against 30: 6.666...%, 1.666... beyond: 8 - 1.666... = 6.333... -> 6.33
    check_table(fw, "x", [("30", "8"), ("31.5", "8"), ("32", "6.33"), ("33", "3")])


def test_deviation_relative_without_steps():
    """Without steps, any deviation beyond the tolerance scores 0."""
    fw = leaf("deviation x from 100 within ±5%", "x: number", cap=8)
    check_table(fw, "x", [("105", "8"), ("95", "8"), ("105.01", "0"), ("94.99", "0"), ("0", "0")])


def test_deviation_relative_to_a_negative_target():
    """The relative deviation divides by |T|."""
    fw = leaf("deviation x from -100 within ±5%, each 1% beyond deduct 1", "x: number", cap=8)
    check_table(fw, "x", [("-100", "8"), ("-105", "8"), ("-108", "5"), ("-92", "5")])


def test_deviation_absolute_with_started_steps():
    """A plain tolerance is absolute, in the input's unit."""
    fw = leaf(
        "deviation x from 50 within ±2, each 1 beyond deduct 2 per started step", "x: number"
    )
    check_table(
        fw,
        "x",
        [
            ("50", "10"),
            ("52", "10"),
            ("48", "10"),
            ("52.5", "8"),
            ("47", "8"),
            ("47.01", "8"),  # 2.99 away: 0.99 beyond, one started step
            ("46.99", "6"),  # 3.01 away: 1.01 beyond, two started steps
            ("44", "2"),
            ("40", "0"),
        ],
    )


def test_deviation_absolute_without_steps():
    """An absolute tolerance without steps: the cap within, 0 beyond."""
    fw = leaf("deviation x from 50 within ±2", "x: number", cap=3)
    check_table(fw, "x", [("52", "3"), ("48", "3"), ("52.01", "0"), ("47.99", "0")])


def test_deviation_from_an_input_target():
    """The target may be an input; a relative deviation from a target of 0 is an input error."""
    fw = leaf("deviation actual from plan within ±10%", "actual: number\nplan: number", cap=4)
    assert score_of(fw, {"actual": "110", "plan": "100"}) == D(4)
    assert score_of(fw, {"actual": "22", "plan": "20"}) == D(4)
    assert score_of(fw, {"actual": "111", "plan": "100"}) == D(0)
    with pytest.raises(perfrules.InputError):
        fw.score({"actual": "1", "plan": "0"})


# ===================================================================== levels


def test_levels_as_points():
    """Each level gives its stated points."""
    fw = leaf("levels q { 好: 10, 较好: 8, 一般: 6, 差: 0 }", "q: level(好, 较好, 一般, 差)")
    check_table(fw, "q", [("好", "10"), ("较好", "8"), ("一般", "6"), ("差", "0")])


def test_levels_as_percents_of_the_cap():
    """A percent level gives that share of the cap, rounded half up."""
    fw = leaf(
        "levels q { 全部达成: 100%, 部分达成: 60%, 未达成: 0% }",
        "q: level(全部达成, 部分达成, 未达成)",
        cap=6,
    )
    check_table(fw, "q", [("全部达成", "6"), ("部分达成", "3.6"), ("未达成", "0")])
    fw = leaf("levels q { 好: 100%, 中: 15%, 差: 0% }", "q: level(好, 中, 差)", cap="2.5")
    check_table(fw, "q", [("好", "2.5"), ("中", "0.38"), ("差", "0")])  # 0.375 -> 0.38


# ===================================================================== judged


def test_judged_takes_the_evaluators_score():
    """A judged rule scores what the evaluator gives, within [0, cap]."""
    fw = leaf("judged", "", cap=7)
    assert score_of(fw, {}, judgements={"A": {"score": 7}}) == D(7)
    assert score_of(fw, {}, judgements={"A": {"score": "5.5", "reason": "方案不完整"}}) == D("5.5")
    assert score_of(fw, {}, judgements={"A": {"score": 0, "reason": "无方案"}}) == D(0)


@pytest.mark.parametrize(
    "judgement",
    [{"score": 5}, {"score": 8, "reason": "too much"}, {"score": -1, "reason": "negative"}],
)
def test_judged_rejects_missing_reason_or_out_of_range(judgement):
    """Below the cap needs a reason; a score outside [0, cap] is an input error."""
    fw = leaf("judged", "", cap=7)
    with pytest.raises(perfrules.InputError):
        fw.score({}, judgements={"A": judgement})


# ===================================================================== composite


@pytest.mark.parametrize(
    ("a", "b", "c", "expected"),
    [(True, True, True, "3"), (True, False, True, "2"), (False, False, False, "0")],
)
def test_composite_sum(a, b, c, expected):
    """combine sum adds the parts' scores."""
    fw = leaf(
        "combine sum {\n part 1: full if a\n part 1: full if b\n part 1: full if c\n }",
        "a: bool\nb: bool\nc: bool",
        cap=3,
    )
    assert score_of(fw, {"a": a, "b": b, "c": c}) == D(expected)


def test_composite_parts_score_against_their_own_cap():
    """A part's rule is scored against the part's cap, not the indicator's."""
    fw = leaf(
        "combine sum {\n part 4: threshold x >= 99% full, each 5% lower deduct 1\n"
        " part 6: proportional y / 100%\n }",
        "x: percent\ny: percent",
    )
    # part 1: 94% is one step short: 4 - 1 = 3; part 2: 6 x 50 / 100 = 3
    assert score_of(fw, {"x": "94%", "y": "50%"}) == D(6)
    assert score_of(fw, {"x": "100%", "y": "100%"}) == D(10)
    assert score_of(fw, {"x": "0%", "y": "0%"}) == D(0)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("95%", "80%", "8.9"),  # 0.6 x 9.5 + 0.4 x 8
        ("100%", "100%", "10"),
        ("0%", "50%", "2"),
        ("0%", "0%", "0"),
    ],
)
def test_composite_weighted(a, b, expected):
    """combine weighted adds W x part score."""
    fw = leaf(
        "combine weighted {\n part 10 weight 0.6: proportional a / 100%\n"
        " part 10 weight 0.4: proportional b / 100%\n }",
        "a: percent\nb: percent",
    )
    assert score_of(fw, {"a": a, "b": b}) == D(expected)


def test_composite_part_levels_as_percent_of_the_part_cap():
    """A percent level inside a part is a share of the part's cap, not the indicator's."""
    fw = leaf(
        "combine sum {\n part 4: levels q { 好: 100%, 中: 50%, 差: 0% }\n part 6: full if ok\n }",
        "q: level(好, 中, 差)\nok: bool",
    )
    assert score_of(fw, {"q": "中", "ok": True}) == D(8)
    assert score_of(fw, {"q": "好", "ok": False}) == D(4)


def test_composite_weighted_rounds_half_up():
    """Weighted sums are divisions in disguise: 0.5 x 3.33 = 1.665 rounds to 1.67."""
    fw = leaf(
        "combine weighted {\n part 10 weight 0.5: proportional a / 100%\n"
        " part 10 weight 0.5: proportional b / 100%\n }",
        "a: percent\nb: percent",
    )
    assert score_of(fw, {"a": "33.3%", "b": "0%"}) == D("1.67")


@pytest.mark.parametrize(("mode", "expected"), [("min", "3"), ("max", "4.5")])
def test_composite_min_max(mode, expected):
    """combine min/max take the smallest/largest part score."""
    fw = leaf(
        f"combine {mode} {{\n part 5: proportional a / 100%\n part 5: proportional b / 100%\n }}",
        "a: percent\nb: percent",
        cap=5,
    )
    assert score_of(fw, {"a": "90%", "b": "60%"}) == D(expected)


@pytest.mark.parametrize(
    ("a", "x", "b", "expected"),
    [
        (True, "90%", False, "6"),
        (True, "89.99%", True, "4"),  # 2 + max(0, 2)
        (False, "89.99%", True, "2"),
        (True, "0%", False, "2"),
        (False, "100%", True, "4"),
    ],
)
def test_composite_nested(a, x, b, expected):
    """A composite part may itself be a composite."""
    fw = leaf(
        "combine sum {\n part 2: full if a\n part 4: combine max {\n"
        "  part 4: threshold x >= 90% full\n  part 4: 2 if b\n }\n }",
        "a: bool\nx: percent\nb: bool",
        cap=6,
    )
    assert score_of(fw, {"a": a, "x": x, "b": b}) == D(expected)


# ===================================================================== awards

AWARD_INPUT = "h: awards(国务院嘉奖, 省级嘉奖, 市级嘉奖)"
AWARD_TABLE = "{ 国务院嘉奖: 3, 省级嘉奖: 2, 市级嘉奖: 1 }"


@pytest.mark.parametrize(
    ("entries", "expected"),
    [
        ([], "0"),
        ([("甲", "国务院嘉奖"), ("甲", "省级嘉奖")], "3"),  # same item: only the best
        ([("甲", "国务院嘉奖"), ("乙", "省级嘉奖")], "5"),
        ([("甲", "国务院嘉奖"), ("乙", "国务院嘉奖")], "5"),  # 6, at most the cap
        ([("甲", "省级嘉奖"), ("甲", "市级嘉奖"), ("乙", "市级嘉奖")], "3"),
        ([("甲", "市级嘉奖")], "1"),
    ],
)
def test_awards_highest_per_item(entries, expected):
    """Per work item only its best award counts; items add up, at most the cap."""
    fw = leaf(f"awards h highest per item {AWARD_TABLE}", AWARD_INPUT, cap=5)
    value = [{"item": item, "award": award} for item, award in entries]
    assert score_of(fw, {"h": value}) == D(expected)


@pytest.mark.parametrize(
    ("entries", "expected"),
    [
        ([], "0"),
        ([("甲", "国务院嘉奖"), ("甲", "省级嘉奖")], "5"),
        ([("甲", "省级嘉奖"), ("甲", "市级嘉奖")], "3"),
        ([("甲", "国务院嘉奖"), ("甲", "国务院嘉奖")], "5"),  # 6, at most the cap
    ],
)
def test_awards_all_count(entries, expected):
    """With all count every award adds, at most the cap."""
    fw = leaf(f"awards h all count {AWARD_TABLE}", AWARD_INPUT, cap=5)
    value = [{"item": item, "award": award} for item, award in entries]
    assert score_of(fw, {"h": value}) == D(expected)


# ===================================================================== not applicable

NA_TREE = """
framework "t" {{
  counting per full step
  {policy}
}}
inputs {{ a1: bool; a2: bool; a3: bool; b1: bool; b2: bool }}
A "a" 10 {{
  A1 "a1" 3 {{ {a1_policy} full if a1 }}
  A2 "a2" 3 {{ full if a2 }}
  A3 "a3" 4 {{ full if a3 }}
}}
B "b" 10 {{
  B1 "b1" 4 {{ full if b1 }}
  B2 "b2" 6 {{ full if b2 }}
}}
"""


def na_tree(policy: str = "not applicable rescale", a1_policy: str = ""):
    return perfrules.loads(NA_TREE.format(policy=policy, a1_policy=a1_policy))


ALL_TRUE = {"a1": True, "a2": True, "a3": True, "b1": True, "b2": True}


def test_not_applicable_rescale_at_leaf():
    """An excluded leaf's parent scores Σ applicable x cap / Σ applicable caps, rounded."""
    fw = na_tree()
    values = dict(ALL_TRUE, a3=False)
    result = fw.score(values, not_applicable=["A2"])
    assert result["A2"].score is None
    assert result["A2"].not_applicable
    # (3 + 0) x 10 / (3 + 4) = 4.2857... -> 4.29
    assert result["A"].score == D("4.29")
    assert result.total == D("14.29")
    full = fw.score(ALL_TRUE, not_applicable=["A2"])
    assert full["A"].score == D(10)
    assert full.total == D(20)


def test_not_applicable_rescale_at_inner_level_rescales_the_total():
    """An excluded top-level node rescales the total to its full value."""
    fw = na_tree()
    result = fw.score(dict(ALL_TRUE, b2=False), not_applicable=["A"])
    assert result["A"].score is None
    assert result["A1"].score is None
    assert result["B"].score == D(4)
    assert result.total == D(8)  # 4 x 20 / 10


def test_not_applicable_inputs_under_excluded_nodes_may_be_missing():
    """Inputs used only under an excluded node need not be given."""
    fw = na_tree()
    result = fw.score({"b1": True, "b2": True}, not_applicable=["A"])
    assert result.total == D(20)


def test_not_applicable_all_children_excluded_excludes_the_parent():
    """A parent whose children are all excluded is excluded in turn."""
    fw = na_tree()
    result = fw.score(dict(ALL_TRUE, b1=False), not_applicable=["A1", "A2", "A3"])
    assert result["A"].score is None
    assert result["B"].score == D(6)
    assert result.total == D(12)  # 6 x 20 / 10


@pytest.mark.parametrize(
    ("policy", "expected_a1", "expected_a"), [("full", "3", "3"), ("zero", "0", "0")]
)
def test_not_applicable_full_and_zero_at_leaf(policy, expected_a1, expected_a):
    """full scores the cap, zero scores 0, and neither rescales."""
    fw = na_tree(policy=f"not applicable {policy}")
    values = dict(ALL_TRUE, a1=False, a2=False, a3=False)
    result = fw.score(values, not_applicable=["A1"])
    assert result["A1"].score == D(expected_a1)
    assert result["A"].score == D(expected_a)
    assert result.total == D(expected_a) + D(10)


@pytest.mark.parametrize(("policy", "expected"), [("full", "10"), ("zero", "0")])
def test_not_applicable_full_and_zero_at_inner_level(policy, expected):
    """An inner node marked full/zero scores its cap/0 whatever its children would score."""
    fw = na_tree(policy=f"not applicable {policy}")
    values = dict(ALL_TRUE, a1=False)
    result = fw.score(values, not_applicable=["A"])
    assert result["A"].score == D(expected)
    assert result.total == D(expected) + D(10)


def test_not_applicable_node_policy_overrides_framework_policy():
    """A node's own policy wins over the framework's."""
    fw = na_tree(policy="not applicable rescale", a1_policy="not applicable full")
    result = fw.score(dict(ALL_TRUE, a2=False), not_applicable=["A1"])
    assert result["A1"].score == D(3)
    assert result["A"].score == D(7)


def test_not_applicable_without_policy_is_an_input_error():
    """Marking 不适用 where no policy is stated is rejected."""
    fw = na_tree(policy="")
    with pytest.raises(perfrules.InputError):
        fw.score(ALL_TRUE, not_applicable=["A1"])


def test_not_applicable_nested_rescale():
    """A grandchild's exclusion rescales its parent, and the grandparent adds the rescaled score."""
    fw = perfrules.loads(
        """
framework "t" { not applicable rescale }
inputs { a: bool; b: percent; c: bool }
A "a" 10 {
  A1 "a1" 6 {
    A11 "a11" 3 { full if a }
    A12 "a12" 3 { proportional b / 100% }
  }
  A2 "a2" 4 { full if c }
}
"""
    )
    result = fw.score({"b": "50%", "c": True}, not_applicable=["A11"])
    assert result["A12"].score == D("1.5")
    assert result["A1"].score == D(3)  # 1.5 x 6 / 3
    assert result["A"].score == D(7)
    assert result.total == D(7)


RESCALED_TOTAL = """
framework "t" {
  total 100 capped
  not applicable rescale
}
inputs {
  a: percent
  b: percent
  h: awards(国务院嘉奖, 省级嘉奖)
  n: count
}
A "a" 40 { proportional a / 100% }
B "b" 60 { proportional b / 100% }
bonus F "加减分" 5 {
  bonus F1 "加分" 5 { awards h all count { 国务院嘉奖: 3, 省级嘉奖: 2 } }
  penalty F2 "减分" 5 { deduct 1 per n }
}
"""


def test_not_applicable_total_rescales_regular_nodes_only():
    """An excluded top-level node rescales the regular total to N; bonus and penalty add on top."""
    fw = perfrules.loads(RESCALED_TOTAL)
    values = {"b": "90%", "h": [["甲", "国务院嘉奖"]], "n": 1}
    result = fw.score(values, not_applicable=["A"])
    assert result["B"].score == D(54)
    # 54 x 100 / 60 = 90; F = min(5, 3) - 1 = 2; 92
    assert result.total == D(92)


def test_not_applicable_bonus_and_penalty_children_count_zero():
    """Bonus and penalty sections never rescale: an excluded child counts 0."""
    fw = perfrules.loads(RESCALED_TOTAL)
    values = {"a": "50%", "b": "50%", "h": [["甲", "国务院嘉奖"]], "n": 2}
    no_penalty = fw.score(values, not_applicable=["F2"])
    assert no_penalty["F"].score == D(3)
    assert no_penalty.total == D(53)
    no_bonus = fw.score(values, not_applicable=["F1"])
    assert no_bonus["F"].score == D(-2)
    assert no_bonus.total == D(48)
    no_section = fw.score(values, not_applicable=["F"])
    assert no_section.total == D(50)


# ===================================================================== cap mismatch


def test_allow_cap_mismatch_children_above_the_cap():
    """Children whose caps add up to more than the node's cap are summed, at most the cap."""
    fw = perfrules.loads(
        """
framework "t" { }
inputs { a: bool; b: bool }
A "a" 10 {
  allow cap mismatch
  A1 "a1" 6 { full if a }
  A2 "a2" 6 { full if b }
}
"""
    )
    assert fw.score({"a": True, "b": True})["A"].score == D(10)
    assert fw.score({"a": True, "b": False})["A"].score == D(6)


def test_allow_cap_mismatch_children_below_the_cap():
    """Children whose caps add up to less than the node's cap cannot reach it."""
    fw = perfrules.loads(
        """
framework "t" { }
inputs { a: bool; b: bool }
A "a" 10 {
  allow cap mismatch
  A1 "a1" 4 { full if a }
  A2 "a2" 4 { full if b }
}
"""
    )
    assert fw.score({"a": True, "b": True})["A"].score == D(8)


# ===================================================================== adjustments


def test_adjustment_replaces_score_and_keeps_rule_score():
    """An adjusted node keeps rule_score, its score is the evaluator's, and parents add it up."""
    fw = na_tree()
    result = fw.score(ALL_TRUE, adjustments={"A1": {"score": "1.5", "reason": "材料不全"}})
    assert result["A1"].rule_score == D(3)
    assert result["A1"].score == D("1.5")
    assert result["A"].score == D("8.5")
    assert result.total == D("18.5")


def test_adjustment_of_an_inner_node():
    """An inner node may be adjusted too; the total adds the adjusted score."""
    fw = na_tree()
    result = fw.score(ALL_TRUE, adjustments={"B": {"score": 7, "reason": "核减"}})
    assert result["B"].rule_score == D(10)
    assert result["B"].score == D(7)
    assert result["B1"].score == D(4)  # the children keep their scores
    assert result["B2"].score == D(6)
    assert result.total == D(17)


@pytest.mark.parametrize("adjustment", [{"score": 1}, {"score": 4, "reason": "above the cap"}])
def test_adjustment_needs_reason_and_range(adjustment):
    """An adjustment without a reason or outside [0, cap] is an input error."""
    fw = na_tree()
    with pytest.raises(perfrules.InputError):
        fw.score(ALL_TRUE, adjustments={"A1": adjustment})


# ===================================================================== bonus and penalty sections

SECTIONS = """
framework "t" {{
  counting per full step
  total 100 {mode}
}}
inputs {{
  x: percent
  h: awards(国务院嘉奖, 省级嘉奖)
  notices: count
  accident: bool
}}
A "a" 100 {{ proportional x / 100% }}
bonus F "加分" 5 {{ awards h highest per item {{ 国务院嘉奖: 3, 省级嘉奖: 2 }} }}
penalty G "减分" 5 {{ deduct 2 per notices, 5 if accident, at most 5 }}
"""


def sections(mode: str = "capped"):
    return perfrules.loads(SECTIONS.format(mode=mode))


def unit(x: str, awards=(), notices: int = 0, accident: bool = False):
    return {
        "x": x,
        "h": [{"item": item, "award": award} for item, award in awards],
        "notices": notices,
        "accident": accident,
    }


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (unit("97%", [("甲", "国务院嘉奖")], notices=1), "98"),  # 97 + 3 - 2
        (unit("99%", [("甲", "国务院嘉奖")]), "100"),  # 102, capped at 100
        (unit("90%", [("甲", "国务院嘉奖"), ("乙", "国务院嘉奖")]), "95"),  # bonus at most 5
        (unit("90%", accident=True, notices=2), "85"),  # penalty at most 5
        (unit("2%", notices=2), "0"),  # 2 - 4: never below 0
        (unit("100%"), "100"),
        (unit("0%"), "0"),
    ],
)
def test_bonus_and_penalty_sections(values, expected):
    """Total = regular + bonus - penalty, never below 0 and, capped, never above 100."""
    assert sections().score(values).total == D(expected)


def test_penalty_node_score_is_the_deduction():
    """A penalty node's score is the deduction itself, min(cap, D)."""
    result = sections().score(unit("90%", notices=2))
    assert result["G"].score == D(4)
    result = sections().score(unit("90%", notices=2, accident=True))
    assert result["G"].score == D(5)


def test_uncapped_total_may_exceed_its_full_value():
    """With 'total 100 uncapped' a bonus can lift the total above 100."""
    assert sections("uncapped").score(unit("99%", [("甲", "国务院嘉奖")])).total == D(102)


NESTED_SECTIONS = """
framework "t" { counting per full step }
inputs {
  x: percent
  h: awards(国务院嘉奖, 省级嘉奖)
  n: count
}
A "a" 100 { proportional x / 100% }
bonus F "加减分" 3 {
  bonus F1 "加分" 5 { awards h all count { 国务院嘉奖: 3, 省级嘉奖: 2 } }
  penalty F2 "减分" 5 { judged }
}
penalty G "扣分" 4 {
  penalty G1 "通报" 5 { deduct 1 per n }
  penalty G2 "其他" 5 { judged }
}
"""


@pytest.mark.parametrize(
    ("awards", "f2", "n", "g2", "f", "g", "total"),
    [
        # F = min(3, 5) - 1 = 2; G = min(4, 0 + 0) = 0
        ([("甲", "国务院嘉奖"), ("乙", "省级嘉奖")], 1, 0, 0, "2", "0", "82"),
        # F = min(3, 2) - 0 = 2; G = min(4, 2 + 1) = 3
        ([("甲", "省级嘉奖")], 0, 2, 1, "2", "3", "79"),
        # F = min(3, 0) - 0 = 0; G = min(4, 3 + 2) = 4
        ([], 0, 3, 2, "0", "4", "76"),
        # F = min(3, 2) - 3 = -1: a bonus node can be negative; G = 0
        ([("甲", "省级嘉奖")], 3, 0, 0, "-1", "0", "79"),
    ],
)
def test_sections_with_children(awards, f2, n, g2, f, g, total):
    """A bonus node scores min(cap, Σ bonus) - Σ penalty; a penalty node min(cap, Σ children)."""
    fw = perfrules.loads(NESTED_SECTIONS)
    judgements = {
        "F2": {"score": f2, "reason": "违纪"} if f2 else {"score": 0},
        "G2": {"score": g2, "reason": "其他问题"} if g2 else {"score": 0},
    }
    values = {"x": "80%", "h": [{"item": i, "award": a} for i, a in awards], "n": n}
    result = fw.score(values, judgements=judgements)
    assert result["F"].score == D(f)
    assert result["G"].score == D(g)
    assert result.total == D(total)


# ===================================================================== grades and vetoes

GRADED = """
framework "t" {{
  counting per full step
  grades {{ 优秀 >= 90; 良好 >= 80; 中 >= 60; 差 otherwise }}
  {vetoes}
}}
inputs {{
  x: percent
  accident: bool
  discipline: bool
  fraud: bool
}}
A "a" 100 {{ proportional x / 100% }}
"""


def graded(vetoes: str = ""):
    return perfrules.loads(GRADED.format(vetoes=vetoes))


def grade_unit(x: str, accident=False, discipline=False, fraud=False):
    return {"x": x, "accident": accident, "discipline": discipline, "fraud": fraud}


@pytest.mark.parametrize(
    ("x", "grade"),
    [
        ("100%", "优秀"),
        ("90%", "优秀"),
        ("89.99%", "良好"),
        ("80%", "良好"),
        ("79.99%", "中"),
        ("60%", "中"),
        ("59.99%", "差"),
        ("0%", "差"),
    ],
)
def test_grade_bands(x, grade):
    """The first band (best first) whose comparison holds on the total gives the grade."""
    assert graded().score(grade_unit(x)).grade == grade


@pytest.mark.parametrize(("x", "grade"), [("90%", "良好"), ("90.01%", "优秀"), ("80%", "良好")])
def test_grade_band_with_strict_bound(x, grade):
    """A '>' grade bound excludes its number."""
    fw = perfrules.loads(GRADED.format(vetoes="").replace("优秀 >= 90", "优秀 > 90"))
    assert fw.score(grade_unit(x)).grade == grade


@pytest.mark.parametrize(
    ("x", "accident", "grade"),
    [
        ("95%", True, "良好"),
        ("95%", False, "优秀"),
        ("85%", True, "良好"),  # already below the cap
        ("70%", True, "中"),  # a cap never raises a grade
    ],
)
def test_veto_at_most(x, accident, grade):
    """veto ... at most caps the grade (一票否优) and leaves the points alone."""
    fw = graded("veto if accident: at most 良好")
    result = fw.score(grade_unit(x, accident=accident))
    assert result.grade == grade
    assert result.total == D(x.rstrip("%"))


@pytest.mark.parametrize(
    ("x", "discipline", "grade"),
    [
        ("92%", True, "良好"),
        ("85%", True, "中"),
        ("85%", False, "良好"),
        ("65%", True, "差"),
        ("50%", True, "差"),  # never below the lowest band
    ],
)
def test_veto_down_one(x, discipline, grade):
    """veto ... down 1 lowers the grade one band, never below the lowest."""
    fw = graded("veto if discipline: down 1")
    result = fw.score(grade_unit(x, discipline=discipline))
    assert result.grade == grade
    assert result.total == D(x.rstrip("%"))


def test_veto_down_two_stops_at_the_lowest_band():
    """Dropping two bands from 中 stops at 差."""
    fw = graded("veto if discipline: down 2")
    assert fw.score(grade_unit("85%", discipline=True)).grade == "差"
    assert fw.score(grade_unit("70%", discipline=True)).grade == "差"
    assert fw.score(grade_unit("95%", discipline=True)).grade == "中"


def test_veto_caps_apply_before_drops():
    """Caps apply first, then drops, whatever order the vetoes are written in."""
    fw = graded("veto if discipline: down 1\n  veto if accident: at most 良好")
    result = fw.score(grade_unit("95%", accident=True, discipline=True))
    # 优秀 -> at most 良好 -> down 1 -> 中 (a drop first would give 良好, then the cap 良好)
    assert result.grade == "中"
    assert result.grade_before_vetoes == "优秀"
    assert result.total == D(95)


def test_several_drops_add_up():
    """Two down-1 vetoes that both hold lower the grade two bands."""
    fw = graded("veto if discipline: down 1\n  veto if fraud: down 1")
    assert fw.score(grade_unit("95%", discipline=True, fraud=True)).grade == "中"
