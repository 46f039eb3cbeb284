"""Rendering rules as official phrases, and the round trip phrase → rule → phrase → rule.

Round trips are compared with inputs renamed by position (the compiler names inputs itself);
level and award names, numbers, bounds, steps and countings must come back exactly.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from perfrules import ast
from perfrules.phrases import compile_phrase
from perfrules.render import render, render_setting
from test_phrases import (
    DEV,
    EXPECTED,
    MULTI_EXAMPLES,
    anonymous,
    needs_dev,
    parse_rule,
    score_leaf,
    simple_examples,
    unparse_rule,
)

D = Decimal
R = ast.InputRef


def roundtrip(rule: ast.Rule, cap: Decimal, labels: dict[str, str]) -> ast.Rule:
    """compile_phrase(render(rule)), checked to be the same rule modulo input names."""
    text = render(rule, cap=cap, labels=labels)
    back = compile_phrase(text, cap=cap).rule
    assert back is not None, text
    assert anonymous(back) == anonymous(rule), f"{text}\n{unparse_rule(back)}\n{unparse_rule(rule)}"
    return back


# ====================================================================== canonical phrases


@pytest.mark.parametrize(
    ("rule_text", "cap", "labels", "zh", "en"),
    [
        ("threshold r >= 99% full, each 5% lower deduct 2, zero if < 60%", 10, {"r": "办理比率"},
         "办理比率在99%以上得10分，每降低5%扣2分，低于60%不得分",
         "办理比率 ≥ 99%: 10 points; 2 points off per 5% below; 0 if < 60%"),
        ("threshold r >= 99% full, each 5% lower deduct 2 per started step", 10, {"r": "办理比率"},
         "办理比率在99%以上得10分，每降低5%扣2分，不满5%按5%计算",
         "办理比率 ≥ 99%: 10 points; 2 points off per 5% below (a started 5% counts as a whole "
         "step)"),
        ("threshold r >= 99% full, each 5% lower deduct 2 pro rata", 10, {"r": "办理比率"},
         "办理比率在99%以上得10分，每降低5%扣2分，按比例计算",
         "办理比率 ≥ 99%: 10 points; 2 points off per 5% below (pro rata)"),
        ("threshold r <= 100% full, each 1% higher deduct 1", 5, {"r": "在职人员控制率"},
         "在职人员控制率不超过100%得5分，每超过1%扣1分",
         "在职人员控制率 ≤ 100%: 5 points; 1 point off per 1% above"),
        ("full if d", 2, {"d": "决策制度建立完整"}, "决策制度建立完整，得2分",
         "决策制度建立完整: 2 points, otherwise 0"),
        ("1 if not a", 2, {"a": "发生安全事故"}, "发生安全事故的不得分，否则得1分",
         "1 point unless 发生安全事故, otherwise 0"),
        ("proportional e / 100%", 20, {"e": "预算执行率"}, "得分=预算执行率×分值",
         "cap × 预算执行率 / 100%, at most the cap"),
        ("proportional c / 90%", 5, {"c": "培训覆盖率"}, "培训覆盖率达到90%得满分，不足按比例得分",
         "cap × 培训覆盖率 / 90%, at most the cap"),
        ("proportional a / p", 10, {"a": "实际完成值", "p": "计划值"}, "得分=实际完成值/计划值×分值",
         "cap × 实际完成值 / 计划值, at most the cap"),
        ("bands s { >= 90%: full; [80%, 90%): 3; < 80%: 0 }", 5, {"s": "满意度"},
         "满意度90%（含）以上，得5分；80%（含）-90%（不含），得3分；低于80%，不得分",
         "满意度 ≥ 90%: 5 points; [80%, 90%): 3 points; < 80%: 0 points"),
        ("deduct 0.5 per p", 5, {"p": "发现问题"}, "发现问题的，每次扣0.5分；扣完为止",
         "发现问题: minus 0.5 points per occurrence; never below 0"),
        ("deduct 1 per m, at most 4", 6, {"m": "台账缺失"}, "台账缺失的，每次扣1分；最高扣4分，扣完为止",
         "台账缺失: minus 1 point per occurrence; at most 4 points off; never below 0"),
        ("deviation a from t within ±10%, each 1% beyond deduct 0.5", 5,
         {"a": "实际值", "t": "目标值"},
         "实际值与目标值的偏差率在±10%以内得满分，超出部分每1%扣0.5分",
         "full points while 实际值 is within ±10% of 目标值; 0.5 points off per 1% beyond"),
        ("levels q { 好: 100%, 较好: 80%, 一般: 60%, 差: 0% }", 10, {"q": "工作成效"},
         "工作成效评价为好、较好、一般、差的，分别得100%、80%、60%、0%",
         "工作成效: 好 100% of the cap, 较好 80% of the cap, 一般 60% of the cap, 差 0% of the cap"),
        ("judged", 5, {}, "由评价人员酌情评分", "the evaluator gives the score"),
        ("combine sum { part 1: full if a  part 1: full if b }", 2,
         {"a": "已建立管理制度", "b": "制度有效执行"},
         "①（1分）已建立管理制度，得1分；②（1分）制度有效执行，得1分",
         "① (1 point) 已建立管理制度: 1 point, otherwise 0; ② (1 point) 制度有效执行: 1 point, "
         "otherwise 0; scores the sum"),
        ("awards h highest per item { 国务院嘉奖: 3, 省级嘉奖: 2 }", 5, {},
         "获得国务院嘉奖加3分，获得省级嘉奖加2分；同一项工作不累计加分",
         "国务院嘉奖 plus 3 points; 省级嘉奖 plus 2 points; only the highest award per work item "
         "counts"),
        ("baseline g at 100 scores 6, each 1 lower deduct 1, each 1 higher add 0.5", 10,
         {"g": "增长指数"}, "增长指数以100为基准得6分，每降低1扣1分，每提高1加0.5分",
         "增长指数 at 100: 6 points; minus 1 point per 1 below; plus 0.5 points per 1 above"),
    ],
)
def test_canonical_phrases(rule_text: str, cap: int, labels: dict[str, str], zh: str, en: str) -> None:
    """Each rule kind renders in its canonical Chinese phrasing and in English, and reads back."""
    rule = parse_rule(rule_text)
    assert render(rule, cap=D(cap), labels=labels) == zh
    assert render(rule, cap=D(cap), labels=labels, locale="en") == en
    roundtrip(rule, D(cap), labels)


def test_without_labels_the_input_name_is_used() -> None:
    """An input without a label is called by its name."""
    assert render(parse_rule("full if done"), cap=D(2)) == "done，得2分"


def test_unknown_locale_is_an_error() -> None:
    """Only zh and en are rendered."""
    with pytest.raises(ValueError, match="locale"):
        render(parse_rule("judged"), cap=D(2), locale="fr")


def test_nested_combination_cannot_be_said() -> None:
    """A combination inside a combination has no phrase: ValueError, not a wrong phrase."""
    rule = parse_rule("combine sum { part 1: combine max { part 1: full if a } part 1: full if b }")
    with pytest.raises(ValueError, match="combination"):
        render(rule, cap=D(2))


@pytest.mark.parametrize(
    ("setting", "zh"),
    [
        (ast.Veto(R("e"), at_most="良好"), "发生重大安全生产事故的，等级最高评为良好"),
        (ast.Veto(R("e"), down=1), "发生重大安全生产事故的，考核等级降1档"),
        (ast.NotApplicable.RESCALE, "不适用本指标的，该项分值按比例分摊至同级其他指标"),
        (ast.NotApplicable.FULL, "不适用本指标的，视同得满分"),
        (ast.NotApplicable.ZERO, "不适用本指标的，不得分"),
        ((ast.GradeBand("优秀", ast.Comparison(">=", ast.Quantity(D(90)))),
          ast.GradeBand("良好", ast.Comparison(">=", ast.Quantity(D(80)))),
          ast.GradeBand("差", None)),
         "总分90分（含）以上为优秀，80分（含）-90分（不含）为良好，80分以下为差"),
    ],
)
def test_settings_render_and_read_back(setting: Any, zh: str) -> None:
    """Framework settings render as their phrases, and compile back to the same setting."""
    text = render_setting(setting, labels={"e": "发生重大安全生产事故"})
    assert text == zh
    back = compile_phrase(text, cap=None).setting
    if isinstance(setting, ast.Veto):
        assert isinstance(back, ast.Veto)
        back = ast.Veto(R("e"), at_most=back.at_most, down=back.down)
    assert back == setting
    assert render_setting(setting, labels={"e": "事故"}, locale="en")


# ====================================================================== dev.tsv round trips


@needs_dev
@pytest.mark.parametrize("row_id", sorted(EXPECTED) if DEV else ["D01"])
def test_dev_rules_round_trip(row_id: str) -> None:
    """Every dev.tsv rule renders to a phrase that compiles back to it, and scores the same."""
    row = DEV[row_id]
    cap = D(row["cap"])
    first = compile_phrase(row["phrase"], cap=cap)
    assert first.rule is not None
    labels = {name: f"第{'一二三四五'[i]}项指标" for i, name in enumerate(first.inputs)}
    text = render(first.rule, cap=cap, labels=labels)
    second = compile_phrase(text, cap=cap)
    assert anonymous(second.rule) == anonymous(first.rule), text
    # The same scores: the round-tripped rule, with its own suggested inputs, on the examples.
    if row_id in MULTI_EXAMPLES and row_id != "D27":
        for values, expected in MULTI_EXAMPLES[row_id]:
            assert score_leaf(second, cap, values) == score_leaf(first, cap, values) == D(expected)
    elif row_id not in ("D21", "D25", "D26", "D27", "D33") and row_id not in MULTI_EXAMPLES:
        decl = second.inputs[next(iter(second.inputs))]
        for value, expected in simple_examples(row["examples"]):
            given: Any = value
            if decl.type is ast.InputType.BOOL:
                given = value == "true"
            elif decl.type is ast.InputType.COUNT:
                given = int(value)
            assert score_leaf(second, cap, [given]) == D(expected)


@needs_dev
@pytest.mark.parametrize("row_id", ["D28", "D29", "D30", "D34"])
def test_dev_settings_round_trip(row_id: str) -> None:
    """The framework-level rows render to phrases that compile back to the same setting."""
    first = compile_phrase(DEV[row_id]["phrase"], cap=None)
    labels = {name: "发生重大事故" for name in first.inputs}
    second = compile_phrase(render_setting(first.setting, labels=labels), cap=None)  # type: ignore[arg-type]
    if isinstance(first.setting, ast.Veto):
        assert isinstance(second.setting, ast.Veto)
        assert (second.setting.at_most, second.setting.down) == (
            first.setting.at_most, first.setting.down)
    else:
        assert second.setting == first.setting


# ====================================================================== random rules

PERCENT_LABELS = ["文件办理率", "会议保障满意度", "预算执行率", "资产盘点率", "培训覆盖率",
                  "项目完成率", "任务完成率", "信息公开率"]
NUMBER_LABELS = ["资金到位时间", "平均年龄", "实际完成值", "计划完成值", "增长指数", "人员数量"]
BOOL_LABELS = ["决策制度建立完整", "中长期规划明确", "制度有效执行", "预决算在“双平台”公开",
               "年度工作计划完整可行", "绩效目标细化量化"]
COUNT_LABELS = ["未按时报送", "数据不实", "台账缺失", "受到通报批评"]
LEVEL_NAMES = ["好", "较好", "一般", "差", "优", "良", "中", "全部达成", "部分达成", "未达成"]
AWARD_NAMES = ["国务院嘉奖", "省级嘉奖", "市级嘉奖", "市级考核一等奖", "市级考核二等奖"]


class _Names:
    """Hands out input names x0, x1, … with distinct labels from the pools."""

    def __init__(self, draw: Any):
        self.draw = draw
        self.labels: dict[str, str] = {}
        self.used: set[str] = set()

    def new(self, pool: list[str]) -> R:
        free = [label for label in pool if label not in self.used]
        label = self.draw(st.sampled_from(free))
        self.used.add(label)
        name = f"x{len(self.labels)}"
        self.labels[name] = label
        return R(name)


def amounts(low: str, high: str, places: int = 1) -> st.SearchStrategy[Decimal]:
    """Decimals in [low, high] with at most ``places`` decimal places, never -0."""
    return st.decimals(min_value=D(low), max_value=D(high), places=places,
                       allow_nan=False, allow_infinity=False).map(lambda d: d + 0)


def points(cap: Decimal, *, zero: bool = False) -> st.SearchStrategy[Decimal | None]:
    """None (the cap) or a number of points below the cap."""
    low = D(0) if zero else D("0.5")
    if cap <= low:
        return st.none()
    return st.none() | amounts(str(low), str(cap)).filter(lambda p: p < cap)


countings = st.sampled_from([None, ast.Counting.FULL, ast.Counting.STARTED, ast.Counting.PRO_RATA])


@st.composite
def steps(draw: Any, direction: str, effect: str, percent: bool, counting: Any) -> ast.Steps:
    size = draw(amounts("0.5", "10"))
    return ast.Steps(ast.Quantity(size, percent), direction, effect, draw(amounts("0.1", "3")),
                     counting)


@st.composite
def thresholds(draw: Any, names: _Names, cap: Decimal) -> ast.Threshold:
    percent = draw(st.booleans())
    x = names.new(PERCENT_LABELS if percent else NUMBER_LABELS)
    op = draw(st.sampled_from([">=", ">", "<=", "<", "="]))
    value = draw(amounts("20", "100"))
    relative = op != "=" and not percent and draw(st.booleans())
    operand: ast.Operand = names.new(NUMBER_LABELS) if relative else ast.Quantity(value, percent)
    counting = draw(countings)
    short = beyond = cutoff = None
    above = op in (">=", ">", "=")
    if relative or draw(st.booleans()):
        short = draw(steps("lower" if above else "higher", "deduct", percent, counting))
    if op != "=" and draw(st.booleans()):
        beyond = draw(steps("higher" if above else "lower", "add", percent, counting))
    if op != "=" and not relative and draw(st.booleans()):
        cut_value = draw(amounts("0", str(value - 1))) if above else draw(
            amounts(str(value + 1), "200"))
        cut_op = draw(st.sampled_from(["<", "<="] if above else [">", ">="]))
        cutoff = ast.Comparison(cut_op, ast.Quantity(cut_value, percent))
    return ast.Threshold(x, ast.Comparison(op, operand), draw(points(cap)), short, beyond, cutoff)


@st.composite
def yes_nos(draw: Any, names: _Names, cap: Decimal) -> ast.YesNo:
    return ast.YesNo(names.new(BOOL_LABELS), draw(points(cap)), draw(st.booleans()))


@st.composite
def proportionals(draw: Any, names: _Names, cap: Decimal) -> ast.Proportional:
    kind = draw(st.sampled_from(["rate", "percent", "number", "input"]))
    if kind == "rate":
        return ast.Proportional(names.new(PERCENT_LABELS), ast.Quantity(D(100), True))
    if kind == "percent":
        target = draw(amounts("1", "99"))
        return ast.Proportional(names.new(PERCENT_LABELS), ast.Quantity(target, True))
    if kind == "number":
        return ast.Proportional(names.new(NUMBER_LABELS), ast.Quantity(draw(amounts("1", "500"))))
    return ast.Proportional(names.new(NUMBER_LABELS), names.new(NUMBER_LABELS))


@st.composite
def bands(draw: Any, names: _Names, cap: Decimal) -> ast.Bands:
    percent = draw(st.booleans())
    x = names.new(PERCENT_LABELS if percent else NUMBER_LABELS)
    cuts = sorted(draw(st.sets(amounts("1", "99", 0), min_size=1, max_size=4)))
    # At each cut the band above includes it (含下) or the band below does (含上).
    upper_holds = [draw(st.booleans()) for _ in cuts]
    result = []
    for i in range(len(cuts) + 1):
        low = cuts[i - 1] if i > 0 else None
        high = cuts[i] if i < len(cuts) else None
        interval = ast.Interval(
            None if low is None else ast.Quantity(low, percent),
            bool(low is not None and upper_holds[i - 1]),
            None if high is None else ast.Quantity(high, percent),
            bool(high is not None and not upper_holds[i]),
        )
        result.append(ast.Band(interval, draw(points(cap, zero=True))))
    order = draw(st.permutations(result))
    return ast.Bands(x, tuple(order))


@st.composite
def deducts(draw: Any, names: _Names, cap: Decimal) -> ast.Deduct:
    count = draw(st.integers(1, 3))
    occurrences = []
    for _ in range(count):
        flag = draw(st.booleans())
        ref = names.new(BOOL_LABELS if flag else COUNT_LABELS)
        occurrences.append(ast.Occurrence(ref, draw(amounts("0.5", "5")), flag))
    limit = draw(st.none() | amounts("1", "10"))
    return ast.Deduct(tuple(occurrences), limit)


@st.composite
def deviations(draw: Any, names: _Names, cap: Decimal) -> ast.Deviation:
    relative = draw(st.booleans())
    x = names.new(NUMBER_LABELS)
    target: ast.Operand = (names.new(NUMBER_LABELS) if draw(st.booleans())
                           else ast.Quantity(draw(amounts("1", "500"))))
    tolerance = ast.Quantity(draw(amounts("0", "20")), relative)
    made = None
    if draw(st.booleans()):
        made = draw(steps("beyond", "deduct", relative, draw(countings)))
    return ast.Deviation(x, target, tolerance, made)


@st.composite
def gradeds(draw: Any, names: _Names, cap: Decimal) -> ast.Graded:
    chosen = draw(st.lists(st.sampled_from(LEVEL_NAMES), min_size=2, max_size=4, unique=True))
    levels = []
    for name in chosen:
        if draw(st.booleans()):
            levels.append(ast.Level(name, ast.Quantity(draw(amounts("0", "100", 0)), True)))
        else:
            levels.append(ast.Level(name, ast.Quantity(draw(amounts("0", str(cap))))))
    return ast.Graded(names.new(NUMBER_LABELS), tuple(levels))


@st.composite
def awardss(draw: Any, names: _Names, cap: Decimal) -> ast.Awards:
    chosen = draw(st.lists(st.sampled_from(AWARD_NAMES), min_size=1, max_size=4, unique=True))
    awards = tuple(ast.Award(n, draw(amounts("0.5", "3"))) for n in chosen)
    stacking = draw(st.sampled_from(list(ast.Stacking)))
    return ast.Awards(names.new(["获得的奖励"]), stacking, awards)


@st.composite
def baselines(draw: Any, names: _Names, cap: Decimal) -> ast.Baseline:
    percent = draw(st.booleans())
    x = names.new(PERCENT_LABELS if percent else NUMBER_LABELS)
    relative = not percent and draw(st.booleans())
    reference: ast.Operand = (names.new(NUMBER_LABELS) if relative
                              else ast.Quantity(draw(amounts("10", "100")), percent))
    counting = draw(countings)
    sides = draw(st.sampled_from([(True, False), (False, True), (True, True)]))
    lower = draw(steps("lower", draw(st.sampled_from(["add", "deduct"])), percent, counting)
                 ) if sides[0] else None
    higher = draw(steps("higher", draw(st.sampled_from(["add", "deduct"])), percent, counting)
                  ) if sides[1] else None
    base = draw(amounts("0", str(cap)))
    return ast.Baseline(x, reference, base, lower, higher)


SIMPLE = [thresholds, yes_nos, proportionals, bands, deducts, deviations, gradeds, baselines]


@st.composite
def composites(draw: Any, names: _Names, cap: Decimal) -> ast.Composite:
    mode = draw(st.sampled_from(list(ast.Combine)))
    parts = []
    for _ in range(draw(st.integers(2, 3))):
        part_cap = draw(amounts("1", "10", 0))
        kind = draw(st.sampled_from(SIMPLE))
        weight = draw(amounts("0.1", "1")) if mode is ast.Combine.WEIGHTED else None
        parts.append(ast.Part(part_cap, weight, draw(kind(names, part_cap))))
    return ast.Composite(mode, tuple(parts))


@st.composite
def rules(draw: Any) -> tuple[ast.Rule, Decimal, dict[str, str]]:
    """A random rule of a kind the phrase grammar covers, its cap and its input labels."""
    names = _Names(draw)
    kind = draw(st.sampled_from([*SIMPLE, awardss, composites, st.just]))
    if kind is st.just:
        return ast.Judged(), draw(amounts("1", "10", 0)), {}
    if kind is composites:
        rule = draw(composites(names, D(0)))
        total = sum((p.cap * (p.weight or 1) for p in rule.parts), D(0))
        cap = total if rule.mode in (ast.Combine.SUM, ast.Combine.WEIGHTED) else max(
            p.cap for p in rule.parts)
        return rule, cap, names.labels
    cap = draw(amounts("1", "20", 0))
    return draw(kind(names, cap)), cap, names.labels


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rules())
def test_random_rules_round_trip(case: tuple[ast.Rule, Decimal, dict[str, str]]) -> None:
    """compile_phrase(render(rule)) == rule for random rules of every kind the grammar covers."""
    rule, cap, labels = case
    roundtrip(rule, cap, labels)


@settings(max_examples=60, deadline=None)
@given(rules())
def test_english_renders_every_random_rule(case: tuple[ast.Rule, Decimal, dict[str, str]]) -> None:
    """The English rendering is defined for every rule the Chinese one is."""
    rule, cap, labels = case
    text = render(rule, cap=cap, labels=labels, locale="en")
    assert text and not any("\u4e00" <= c <= "\u9fff" for c in text.replace(
        "".join(labels.values()), "")) or labels
