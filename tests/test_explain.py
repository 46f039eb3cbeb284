"""Reasons for lost (and gained, and changed) points, in Chinese and English, for every rule kind.

The numbers each reason must show are worked out by hand from docs/language.md: the unit's
value, the bound or target, the step and its points, and the deduction.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

import perfrules

D = Decimal


def leaf(rule: str, inputs: str, cap, settings: str = "counting per full step"):
    text = (
        f'framework "t" {{\n  {settings}\n}}\n'
        f"inputs {{\n{inputs}\n}}\n"
        f'A "指标" {cap} {{\n  {rule}\n}}\n'
    )
    return perfrules.loads(text)


def has_number(text: str, number: str) -> bool:
    """``number`` appears in ``text`` as a whole number (not as a part of 14 or 0.5)."""
    return re.search(rf"(?<![\d.]){re.escape(number)}(?![\d]|\.\d)", text) is not None


def missing_numbers(text: str, numbers) -> list[str]:
    return [n for n in numbers if not has_number(text, n)]


# (id, rule, inputs, cap, values, score, numbers in zh, numbers in en)
CASES = [
    (
        "yes-no",
        "full if ok",
        'ok: bool "制度健全"',
        "2",
        {"ok": False},
        "0",
        ["2"],
        ["2"],
    ),
    (
        "threshold-steps",
        "threshold x >= 99% full, each 5% lower deduct 2",
        'x: percent "办理率"',
        "10",
        {"x": "89%"},
        "6",  # 10 short: 2 steps, -4
        ["89%", "99%", "5%", "2", "4"],
        ["89%", "99%", "5%", "2", "4"],
    ),
    (
        "threshold-clamped",
        "threshold x >= 99% full, each 5% lower deduct 2",
        'x: percent "办理率"',
        "10",
        {"x": "60%"},
        "0",  # 39 short: 7 steps, -14, down to 0
        ["60%", "99%", "5%", "2", "14"],
        ["60%", "99%", "5%", "2", "14"],
    ),
    (
        "threshold-pro-rata",
        "threshold x >= 99% full, each 5% lower deduct 1 pro rata",
        'x: percent "办理率"',
        "10",
        {"x": "96.975%"},
        "9.6",  # 10 - 0.405 = 9.595 -> 9.60: 0.4 lost
        ["96.975%", "99%", "5%", "1", "0.4"],
        ["96.975%", "99%", "5%", "1", "0.4"],
    ),
    (
        "threshold-cutoff",
        "threshold x >= 99% full, each 5% lower deduct 1, zero if < 60%",
        'x: percent "办理率"',
        "10",
        {"x": "59%"},
        "0",
        ["59%", "60%", "10"],
        ["59%", "60%", "10"],
    ),
    (
        "threshold-missed",
        "threshold x >= 90% full",
        'x: percent "执行率"',
        "2",
        {"x": "80%"},
        "0",
        ["80%", "90%", "2"],
        ["80%", "90%", "2"],
    ),
    (
        "threshold-lower-is-better",
        "threshold days <= 10 full, each 1 higher deduct 0.3 pro rata",
        'days: number unit "日" range 0.. "到位时间"',
        "6",
        {"days": "25"},
        "1.5",  # 15 days over: -4.5
        ["25", "10", "1", "0.3", "4.5"],
        ["25", "10", "1", "0.3", "4.5"],
    ),
    (
        "threshold-stated-points",
        "threshold x >= 90% 3",
        'x: percent "执行率"',
        "5",
        {"x": "95%"},
        "3",
        ["95%", "90%", "3", "5", "2"],
        ["95%", "90%", "3", "5", "2"],
    ),
    (
        "proportional",
        "proportional x / 95%",
        'x: percent "满意度"',
        "10",
        {"x": "60%"},
        "6.32",
        ["60%", "95%", "3.68"],
        ["60%", "95%", "3.68"],
    ),
    (
        "proportional-input",
        "proportional actual / planned",
        'actual: number "实际完成值"\nplanned: number "计划值"',
        "10",
        {"actual": "45", "planned": "50"},
        "9",
        ["45", "50", "1"],
        ["45", "50", "1"],
    ),
    (
        "bands",
        "bands x { >= 85%: full; [75%, 85%): 3; [60%, 75%): 1; < 60%: 0 }",
        'x: percent "安排率"',
        "5",
        {"x": "70%"},
        "1",
        ["70%", "60%", "75%", "4"],
        ["70%", "60%", "75%", "4"],
    ),
    (
        "baseline-deduct",
        "baseline cost at 100 scores 6, each 2 higher deduct 0.5",
        'cost: number "成本指数"',
        "10",
        {"cost": "106"},
        "4.5",  # 3 steps, -1.5; 5.5 short of the cap
        ["106", "100", "6", "2", "0.5", "3", "1.5", "5.5"],
        ["106", "100", "6", "2", "0.5", "1.5", "5.5"],
    ),
    (
        "baseline-add",
        "baseline x at 90% scores 8, each 1% lower deduct 2, each 2% higher add 1",
        'x: percent "完成率"',
        "10",
        {"x": "92%"},
        "9",  # 1 step above, +1
        ["92%", "90%", "8", "2%", "1"],
        ["92%", "90%", "8", "2%", "1"],
    ),
    (
        "deviation-relative",
        "deviation x from 100 within ±5%, each 1% beyond deduct 1",
        'x: number "执行数"',
        "8",
        {"x": "108"},
        "5",  # 8%: 3 beyond
        ["108", "100", "8%", "5%", "1%", "1", "3"],
        ["108", "100", "8%", "5%", "1%", "1", "3"],
    ),
    (
        "deviation-absolute",
        "deviation x from 50 within ±2",
        'x: number unit "件" "完成值"',
        "3",
        {"x": "53"},
        "0",
        ["53", "50", "2", "3"],
        ["53", "50", "2", "3"],
    ),
    (
        "levels",
        "levels q { 好: 10, 较好: 8, 一般: 6, 差: 0 }",
        'q: level(好, 较好, 一般, 差) "工作成效"',
        "10",
        {"q": "一般"},
        "6",
        ["4"],
        ["4"],
    ),
    (
        "levels-percent",
        "levels q { 全部达成: 100%, 部分达成: 60%, 未达成: 0% }",
        'q: level(全部达成, 部分达成, 未达成) "目标达成"',
        "6",
        {"q": "部分达成"},
        "3.6",
        ["2.4"],
        ["2.4"],
    ),
]


def _score(case):
    _, rule, inputs, cap, values, *_ = case
    fw = leaf(rule, inputs, cap)
    return fw.score(values)["A"]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_leaf_reason_shows_its_numbers(case):
    """A leaf that lost points has a zh and en reason naming value, bound, step and deduction."""
    _, rule, inputs, cap, values, score, zh_numbers, en_numbers = case
    node = _score(case)
    assert node.score == D(score)
    assert len(node.reasons) == 1
    reason = node.reasons[0]
    assert reason.kind == "rule"
    assert missing_numbers(reason.zh, zh_numbers) == []
    assert missing_numbers(reason.en, en_numbers) == []


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_single_reason_accounts_for_the_lost_points(case):
    """A leaf with one reason: the reason's lost equals cap - score."""
    _, _, _, cap, _, score, _, _ = case
    node = _score(case)
    assert node.reasons[0].lost == D(cap) - D(score)


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_reason_names_the_input_by_its_description(case):
    """Reasons name the input by its declared description, in both languages."""
    _, _, inputs, *_ = case
    description = re.findall(r'"([^"]+)"\s*$', inputs.splitlines()[0])[0]
    reason = _score(case).reasons[0]
    assert description in reason.zh
    assert description in reason.en


def test_yes_no_reason_says_yes_or_no():
    """A yes/no reason shows the bool as 否/no (or 是/yes with not)."""
    fw = leaf("full if ok", 'ok: bool "制度健全"', 2)
    reason = fw.score({"ok": False})["A"].reasons[0]
    assert "否" in reason.zh
    assert "no" in reason.en
    negated = leaf("full if not late", 'late: bool "逾期"', 2)
    reason = negated.score({"late": True})["A"].reasons[0]
    assert "是" in reason.zh
    assert "yes" in reason.en


def test_clamped_threshold_says_down_to_zero():
    """A deduction larger than the points says 扣完为止 / down to 0."""
    fw = leaf("threshold x >= 99% full, each 5% lower deduct 2", 'x: percent "办理率"', 10)
    reason = fw.score({"x": "60%"})["A"].reasons[0]
    assert "扣完为止" in reason.zh
    assert "down to 0" in reason.en


def test_levels_reason_names_the_level():
    """A levels reason names the unit's level."""
    fw = leaf("levels q { 好: 10, 较好: 8, 一般: 6, 差: 0 }", 'q: level(好, 较好, 一般, 差) "成效"', 10)
    reason = fw.score({"q": "一般"})["A"].reasons[0]
    assert "一般" in reason.zh and "一般" in reason.en


@pytest.mark.parametrize(
    ("rule", "inputs", "values"),
    [
        ("threshold x >= 99% full, each 5% lower deduct 1", "x: percent", {"x": "98.99%"}),
        ("threshold x >= 99% full, each 5% lower deduct 1", "x: percent", {"x": "100%"}),
        (
            "threshold x >= 99% full, each 5% lower deduct 1 pro rata",
            "x: percent",
            {"x": "98.999%"},
        ),
        ("proportional x / 95%", "x: percent", {"x": "98%"}),
        ("bands x { >= 85%: full; < 85%: 0 }", "x: percent", {"x": "85%"}),
        ("deduct 1 per n", "n: count", {"n": 0}),
        ("deviation x from 100 within ±5%, each 1% beyond deduct 1", "x: number", {"x": "105.5"}),
        ("baseline x at 100 scores 10, each 1 higher deduct 1", "x: number", {"x": "100.5"}),
        ("full if ok", "ok: bool", {"ok": True}),
    ],
)
def test_full_score_has_no_reason(rule, inputs, values):
    """A leaf scoring its cap (even short of a bound by less than a step) has no reason."""
    node = leaf(rule, inputs, 10).score(values)["A"]
    assert node.score == D(10)
    assert node.reasons == ()


# ===================================================================== deductions


def test_deduct_reasons_list_each_kind_the_limit_and_the_total():
    """Each kind, the limit and the total deducted get a reason; lost sums to cap - score."""
    fw = leaf(
        "deduct 1 per late, 0.5 per wrong, 2 if fraud, at most 3",
        'late: count "未按时报送"\nwrong: count "数据不实"\nfraud: bool "弄虚作假"',
        4,
    )
    node = fw.score({"late": 2, "wrong": 1, "fraud": True})["A"]
    assert node.score == D(1)  # 2 + 0.5 + 2 = 4.5, at most 3
    zh = "\n".join(r.zh for r in node.reasons)
    en = "\n".join(r.en for r in node.reasons)
    for text in (zh, en):
        assert missing_numbers(text, ["2", "1", "0.5", "4.5", "3"]) == []
    assert "未按时报送" in zh and "数据不实" in zh and "弄虚作假" in zh
    assert any(r.kind == "capped" for r in node.reasons)
    assert sum((r.lost for r in node.reasons if r.lost is not None), D(0)) == D(3)


def test_deduct_reason_down_to_zero():
    """A deduction beyond the cap says so, and lost is the cap."""
    fw = leaf("deduct 2 per late", 'late: count "逾期"', 4)
    node = fw.score({"late": 3})["A"]
    assert node.score == D(0)
    zh = "\n".join(r.zh for r in node.reasons)
    assert missing_numbers(zh, ["3", "2", "6", "4"]) == []
    assert "扣完为止" in zh
    assert sum((r.lost for r in node.reasons if r.lost is not None), D(0)) == D(4)


PENALTY = """
framework "t" { counting per full step }
inputs {
  base: percent
  notices: count "通报批评"
  accident: bool "重大责任事故"
}
A "a" 100 { proportional base / 100% }
penalty G "减分项" 5 { deduct 2 per notices, 5 if accident, at most 5 }
"""


def test_penalty_reasons_are_penalties():
    """A penalty node's reasons are of kind penalty and show count, each and amount."""
    fw = perfrules.loads(PENALTY)
    node = fw.score({"base": "90%", "notices": 2, "accident": False})["G"]
    assert node.score == D(4)
    assert [r.kind for r in node.reasons] == ["penalty"]
    assert "通报批评" in node.reasons[0].zh
    assert missing_numbers(node.reasons[0].zh, ["2", "4"]) == []
    assert missing_numbers(node.reasons[0].en, ["2", "4"]) == []


def test_penalty_limit_reason():
    """A penalty past its limit says how much was counted."""
    fw = perfrules.loads(PENALTY)
    node = fw.score({"base": "90%", "notices": 2, "accident": True})["G"]
    assert node.score == D(5)
    zh = "\n".join(r.zh for r in node.reasons)
    assert missing_numbers(zh, ["4", "5", "9"]) == []


# ===================================================================== composite, awards


def test_composite_reasons_come_from_the_parts():
    """A composite's reasons are its parts' reasons, each with the part's lost points."""
    fw = leaf(
        "combine sum {\n part 2: full if a\n part 1: full if b\n part 1: full if c\n }",
        'a: bool "设置绩效目标"\nb: bool "依据充分"\nc: bool "细化量化"',
        4,
    )
    node = fw.score({"a": True, "b": False, "c": False})["A"]
    assert node.score == D(2)
    assert [r.lost for r in node.reasons] == [D(1), D(1)]
    assert "依据充分" in node.reasons[0].zh and "细化量化" in node.reasons[1].zh
    assert sum(r.lost for r in node.reasons) == D(4) - node.score


def test_threshold_add_steps_give_a_bonus_reason():
    """Points added past the bound are explained with the step and the gain."""
    fw = leaf("threshold x >= 90% 6, each 2% higher add 1", 'x: percent "完成率"', 10)
    node = fw.score({"x": "95%"})["A"]
    assert node.score == D(8)  # 5 past: 2 full steps
    bonus = [r for r in node.reasons if r.kind == "bonus"]
    assert len(bonus) == 1
    assert missing_numbers(bonus[0].zh, ["95%", "90%", "2%", "1", "2"]) == []
    assert missing_numbers(bonus[0].en, ["95%", "90%", "2%", "1", "2"]) == []


def test_awards_reasons_list_counted_and_uncounted_awards_and_the_cap():
    """Awards reasons name each item and award, its points, the ones not counted, and the cap."""
    fw = leaf(
        "awards h highest per item { 国务院嘉奖: 3, 省级嘉奖: 2 }",
        'h: awards(国务院嘉奖, 省级嘉奖) "嘉奖"',
        4,
    )
    entries = [["督查", "国务院嘉奖"], ["督查", "省级嘉奖"], ["会务", "省级嘉奖"]]
    node = fw.score({"h": entries})["A"]
    assert node.score == D(4)  # 3 + 2 = 5, at most 4
    zh = [r.zh for r in node.reasons]
    en = [r.en for r in node.reasons]
    assert any("督查" in t and "国务院嘉奖" in t and has_number(t, "3") for t in zh)
    assert any("会务" in t and "省级嘉奖" in t and has_number(t, "2") for t in zh)
    assert any("督查" in t and "省级嘉奖" in t and "不计" in t for t in zh)
    assert any("not counted" in t for t in en)
    capped = [r for r in node.reasons if r.kind == "capped"]
    assert len(capped) == 1
    assert missing_numbers(capped[0].zh, ["5", "4"]) == []
    assert missing_numbers(capped[0].en, ["5", "4"]) == []


# ===================================================================== judged, adjusted


def test_judged_reason_is_the_evaluators_words():
    """A judged score below the cap carries the evaluator's words verbatim and the lost points."""
    fw = leaf("judged", "", "2.5")
    node = fw.score({}, judgements={"A": {"score": 2, "reason": "内控制度科学性有待进一步提高"}})["A"]
    assert node.score == D(2)
    assert len(node.reasons) == 1
    reason = node.reasons[0]
    assert reason.kind == "judged"
    assert reason.zh == reason.en == reason.written == "内控制度科学性有待进一步提高"
    assert reason.lost == D("0.5")


def test_judged_at_the_cap_has_no_reason():
    """A judged leaf given its cap without a reason has no reason."""
    fw = leaf("judged", "", 7)
    assert fw.score({}, judgements={"A": 7})["A"].reasons == ()


def test_judged_penalty_reason():
    """A judged penalty carries the deduction and the evaluator's words."""
    fw = perfrules.loads(
        'framework "t" { }\n'
        'A "a" 2.5 { judged }\n'
        'bonus F "加减分项" 5 { penalty F2 "减分项" 5 { judged } }\n'
    )
    result = fw.score(
        {}, judgements={"A": 2.5, "F2": {"score": 1, "reason": "工作人员违反工作纪律"}}
    )
    reason = result["F2"].reasons[0]
    assert reason.kind == "penalty"
    assert reason.written == "工作人员违反工作纪律"
    assert "工作人员违反工作纪律" in reason.zh and "工作人员违反工作纪律" in reason.en
    assert has_number(reason.zh, "1") and has_number(reason.en, "1")
    assert result.total == D("1.5")


def test_adjusted_reason_keeps_both_scores():
    """An adjustment's reason shows what the rule gave, what counts, and the evaluator's words."""
    fw = leaf("threshold x >= 90% full", 'x: percent "部门预算执行率"', 2)
    words = "按照“过紧日子”要求压缩了项目经费"
    node = fw.score({"x": "100%"}, adjustments={"A": {"score": "1.5", "reason": words}})["A"]
    assert node.rule_score == D(2)
    assert node.score == D("1.5")
    adjusted = [r for r in node.reasons if r.kind == "adjusted"]
    assert len(adjusted) == 1
    reason = adjusted[0]
    assert reason.written == words
    assert reason.lost == D("0.5")
    for text in (reason.zh, reason.en):
        assert words in text
        assert missing_numbers(text, ["2", "1.5"]) == []


# ===================================================================== not applicable

NA = """
framework "t" { counting per full step  not applicable rescale }
inputs { a: bool; b: bool; c: bool }
P "p" 10 {
  P1 "甲" 4 { full if a }
  P2 "乙" 3 { full if b }
  P3 "丙" 3 { full if c }
}
"""


def test_not_applicable_and_rescaled_reasons():
    """The marked node says 不适用; its parent explains the rescaling with both numbers."""
    result = perfrules.loads(NA).score({"b": True, "c": False}, not_applicable=["P1"])
    assert [r.kind for r in result["P1"].reasons] == ["not-applicable"]
    assert "不适用" in result["P1"].reasons[0].zh
    assert "not applicable" in result["P1"].reasons[0].en
    assert result["P"].score == D(5)  # 3 x 10 / 6
    rescaled = [r for r in result["P"].reasons if r.kind == "rescaled"]
    assert len(rescaled) == 1
    for text in (rescaled[0].zh, rescaled[0].en):
        assert missing_numbers(text, ["3", "5"]) == []


# ===================================================================== whole-result explanations

TREE = """
framework "t" {
  counting per full step
  grades { 优秀 >= 90; 良好 >= 80; 中 >= 60; 差 otherwise }
}
inputs {
  ok: bool "制度健全"
  rate: percent "办理率"
  q: level(好, 较好, 一般, 差) "工作成效"
  problems: count "发现问题"
  h: awards(国务院嘉奖, 省级嘉奖) "嘉奖"
}
A "管理" 20 {
  A1 "制度" 5 { full if ok }
  A2 "办理" 10 { threshold rate >= 99% full, each 5% lower deduct 2 }
  A3 "评判" 5 { judged }
}
B "成效" 80 {
  B1 "成效评价" 10 { levels q { 好: 10, 较好: 8, 一般: 6, 差: 0 } }
  B2 "问题" 70 {
    B21 "问题整改" 70 { deduct 1 per problems }
  }
}
bonus F "加分" 5 { awards h highest per item { 国务院嘉奖: 3, 省级嘉奖: 2 } }
"""


def tree_result():
    fw = perfrules.loads(TREE)
    return fw.score(
        {"ok": False, "rate": "89%", "q": "较好", "problems": 3, "h": [["督查", "省级嘉奖"]]},
        judgements={"A3": {"score": 4, "reason": "方案不够细化"}},
        adjustments={"B1": {"score": 7, "reason": "评价材料不足"}},
    )


def test_result_explain_contains_every_leaf_reason():
    """result.explain(locale) contains every leaf's reasons in that locale, and the total."""
    result = tree_result()
    # A1 0, A2 6, A3 4 -> A 10; B1 7 (adjusted), B21 67 -> B 74; F 2; total 86
    assert result.total == D(86)
    for locale, attribute in (("en", "en"), ("zh", "zh")):
        text = result.explain(locale)
        assert has_number(text, "86")
        for code in ("A1", "A2", "A3", "B1", "B21", "F"):
            reasons = result[code].reasons
            assert reasons, code
            for reason in reasons:
                assert getattr(reason, attribute) in text, (locale, code)


def test_node_explain_contains_every_descendant_reason():
    """node.explain(locale) contains the reasons of every leaf below the node."""
    result = tree_result()
    for locale in ("zh", "en"):
        text = result["A"].explain(locale)
        for code in ("A1", "A2", "A3"):
            for reason in result[code].reasons:
                assert reason.text(locale) in text
        for reason in result["B21"].reasons:
            assert reason.text(locale) not in text
        b_text = result["B"].explain(locale)
        for code in ("B1", "B21"):
            for reason in result[code].reasons:
                assert reason.text(locale) in b_text


def test_lost_of_the_result_matches_the_reasons():
    """The regular leaves' single reasons account for exactly the points lost against the caps."""
    result = tree_result()
    for code in ("A1", "A2", "A3"):
        node = result[code]
        assert len(node.reasons) == 1
        assert node.reasons[0].lost == node.cap - node.score
