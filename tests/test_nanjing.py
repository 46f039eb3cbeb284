"""The Nanjing 2024 framework against its published self-evaluation (the seed report).

GOLDEN below is transcribed by hand from the framework table at the end of
shared/seeds/000_ea46c1cfe0f2de09.txt (南京市人民政府办公厅整体绩效评价指标框架): one row per
indicator, with the seed's name, cap (分值, written in the seed as "（N 分）") and 得分.
It is not generated from program output. Where the seed states no number, the row says why:

- the seed leaves the 三级指标 of C, D and E without codes; C11, C21, C22, C31, D11 and E11
  are the rule file's codes for them, in the seed's order;
- inner nodes carry no 得分 in the seed; theirs is the sum of their children's 得分
  (A 14.5, B 19.5, C 30, D 30, E 5, F 0);
- E1 has no cap in the seed; its only child is worth 5;
- F "加减分项（≤5 分）" has no cap per row; F1 and F2 are bounded by F's 5 (the rule file's
  reading); the seed leaves their 得分 blank: nothing was added or deducted.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import perfrules
from perfrules import ast
from perfrules.result import format_number

NANJING = Path(__file__).resolve().parent.parent / "frameworks" / "nanjing-2024"
INPUTS = NANJING / "inputs-2024.yaml"

A41_REASON = "内控制度科学性有待进一步提高"
B11_REASON = "按照“过紧日子”要求压缩了项目经费；根据工作安排，调整了部分经费"

# (code, name, cap, 得分) — typed from the seed's table; numbers as the seed prints them.
GOLDEN: list[tuple[str, str, str, str]] = [
    ("A", "部门决策", "15", "14.5"),
    ("A1", "决策机制", "6", "6"),
    ("A11", "决策制度的规范性", "2", "2"),
    ("A12", "决策流程的科学性", "2", "2"),
    ("A13", "决策执行监督制衡机制", "2", "2"),
    ("A2", "中长期规划", "2", "2"),
    ("A21", "中长期规划明确性", "1", "1"),
    ("A22", "中长期规划与部门职能的匹配性", "1", "1"),
    ("A3", "年度工作计划", "2", "2"),
    ("A31", "年度工作计划明确性", "1", "1"),
    ("A32", "年度工作计划与部门职能的匹配性", "1", "1"),
    ("A4", "部门预算编制", "5", "4.5"),
    ("A41", "预算编制科学规范", "2.5", "2"),
    ("A42", "预算编制与重点工作任务的匹配性", "2.5", "2.5"),
    ("B", "部门管理", "20", "19.5"),
    ("B1", "预算执行", "6", "5.5"),
    ("B11", "部门预算执行率", "2", "1.5"),
    ("B12", "“三公”经费控制率", "2", "2"),
    ("B13", "预决算信息公开情况", "2", "2"),
    ("B2", "收支管理", "4", "4"),
    ("B21", "收支管理制度健全性", "2", "2"),
    ("B22", "收支管理是否按制度执行", "2", "2"),
    ("B3", "资产管理", "2", "2"),
    ("B31", "资产管理制度健全性", "1", "1"),
    ("B32", "资产管理是否按制度执行", "1", "1"),
    ("B4", "政府采购管理", "2", "2"),
    ("B41", "政府采购管理制度健全性", "1", "1"),
    ("B42", "政府采购管理是否按制度执行", "1", "1"),
    ("B5", "内部控制管理", "3", "3"),
    ("B51", "内部控制建设情况", "1", "1"),
    ("B52", "内部控制执行情况", "1", "1"),
    ("B53", "内部控制监督评价", "1", "1"),
    ("B6", "预算绩效管理", "3", "3"),
    ("B61", "组织管理情况", "1", "1"),
    ("B62", "工作开展情况", "1", "1"),
    ("B63", "绩效信息公开", "1", "1"),
    ("C", "部门履职", "30", "30"),
    ("C1", "重点工作数量完成率", "10", "10"),
    ("C11", "文件办理率", "10", "10"),
    ("C2", "重点工作质量达标率", "10", "10"),
    ("C21", "会议保障工作满意度", "5", "5"),
    ("C22", "调研工作满意度", "5", "5"),
    ("C3", "重点工作完成及时率", "10", "10"),
    ("C31", "督查任务完成率", "10", "10"),
    ("D", "履职绩效", "30", "30"),
    ("D1", "社会效益", "30", "30"),
    ("D11", "履职带来的社会效益", "30", "30"),
    ("E", "可持续发展能力", "5", "5"),
    ("E1", "信息化建设情况", "5", "5"),
    ("E11", "部门网上综合办公平台", "5", "5"),
    ("F", "加减分项", "5", "0"),
    ("F1", "加分项", "5", "0"),
    ("F2", "减分项", "5", "0"),
]

GOLDEN_CODES = [row[0] for row in GOLDEN]


@pytest.fixture(scope="module")
def framework() -> perfrules.Framework:
    """The Nanjing framework, loaded once for the module."""
    return perfrules.load(NANJING)


@pytest.fixture(scope="module")
def result(framework: perfrules.Framework) -> perfrules.Result:
    """The Nanjing office's 2024 result from its inputs file."""
    return framework.score(perfrules.read_inputs(INPUTS))


def seed_unit(**changes: Any) -> dict[str, Any]:
    """The seed unit's inputs file as a mapping, with some input values changed."""
    data = perfrules.read_inputs(INPUTS)
    return {
        "unit": data.unit,
        "inputs": {**data.values, **changes},
        "judgements": dict(data.judgements),
        "adjustments": dict(data.adjustments),
    }


def perfect_unit(**changes: Any) -> dict[str, Any]:
    """A unit that meets every rule: the seed unit with A41 full and no B11 adjustment."""
    data = seed_unit(**changes)
    data["judgements"] = {"A41": {"score": "2.5"}, "F2": {"score": 0}}
    data["adjustments"] = {}
    return data


def score_of(framework: perfrules.Framework, code: str, data: dict[str, Any]) -> Decimal:
    """The score one indicator gets for ``data``."""
    node_score = framework.score(data)[code].score
    assert node_score is not None
    return node_score


# ------------------------------------------------------------------ the golden table


def test_golden_rows_are_the_framework_tree(framework: perfrules.Framework) -> None:
    """The seed's rows, in order, are exactly the rule file's indicators in tree order."""
    assert len(GOLDEN) == 53
    assert len(set(GOLDEN_CODES)) == len(GOLDEN_CODES)
    assert list(framework.codes) == GOLDEN_CODES


@pytest.mark.parametrize(("code", "name", "cap", "expected"), GOLDEN, ids=GOLDEN_CODES)
def test_golden_row(
    framework: perfrules.Framework,
    result: perfrules.Result,
    code: str,
    name: str,
    cap: str,
    expected: str,
) -> None:
    """Each row's name, cap and 得分 equal the seed's, exactly and in the seed's printed form."""
    node = result[code]
    assert framework[code].name == name
    assert node.name == name
    assert framework[code].cap == Decimal(cap)
    assert node.cap == Decimal(cap)
    assert format_number(node.cap) == cap
    assert isinstance(node.score, Decimal)
    assert node.score == Decimal(expected)
    assert format_number(node.score) == expected


def test_total_grade_and_points_lost(result: perfrules.Result) -> None:
    """The total is the seed's 99 (printed "99"), the grade 优秀, and 1 point is lost (−1)."""
    assert isinstance(result.total, Decimal)
    assert result.total == Decimal(99)
    assert format_number(result.total) == "99"
    assert result.grade == "优秀"
    assert result.lost == Decimal(1)
    assert format_number(result.lost) == "1"
    assert result.unit == "南京市人民政府办公厅"


def test_only_a41_and_b11_lose_points(result: perfrules.Result) -> None:
    """Only the seed's two leaves with reasons lose points: A41 (0.5) and B11 (0.5)."""
    leaves = [result[code] for code in result if result[code].is_leaf]
    lost = {node.code: node.lost for node in leaves if node.lost}
    assert lost == {"A41": Decimal("0.5"), "B11": Decimal("0.5")}


def test_a41_reason_is_the_seeds(result: perfrules.Result) -> None:
    """A41 is judged 2 of 2.5 and its reason carries the seed's words."""
    node = result["A41"]
    assert node.score == Decimal(2)
    assert node.adjustment is None
    assert any(A41_REASON in (r.written or "") for r in node.reasons)
    assert any(A41_REASON in r.zh for r in node.reasons)
    assert all(r.summary("zh") == A41_REASON for r in node.reasons if r.written)


def test_b11_adjustment_keeps_rule_score(result: perfrules.Result) -> None:
    """B11's rule gives 2 for a 100% rate; the evaluator's 1.5 counts, with the seed's reason."""
    node = result["B11"]
    assert node.rule_score == Decimal(2)
    assert node.score == Decimal("1.5")
    assert node.adjustment is not None
    assert node.adjustment.score == Decimal("1.5")
    assert node.adjustment.reason == B11_REASON
    assert any(r.kind == "adjusted" and r.written == B11_REASON for r in node.reasons)
    assert result["B1"].score == Decimal("5.5")


def test_leaves_without_lost_points_have_no_reasons(result: perfrules.Result) -> None:
    """Like the seed's table, only the rows that lost points carry a reason."""
    with_reasons = {code for code in result if result[code].is_leaf and result[code].reasons}
    assert with_reasons == {"A41", "B11"}


# ------------------------------------------------------------------ structure


def test_regular_sections_add_to_100(framework: perfrules.Framework) -> None:
    """The caps of A–E add up to the seed's 总得分（100 分）."""
    top = [framework[code] for code in framework.codes if framework.parent(code) is None]
    regular = [node for node in top if node.section is ast.Section.REGULAR]
    assert [node.code for node in regular] == ["A", "B", "C", "D", "E"]
    assert sum(node.cap for node in regular) == Decimal(100)
    assert framework.ast.total == Decimal(100)
    assert framework.ast.total_capped


def test_f_is_a_bonus_section_of_5(framework: perfrules.Framework) -> None:
    """F "加减分项（≤5 分）" is a bonus section worth at most 5: F1 adds, F2 deducts."""
    assert framework["F"].section is ast.Section.BONUS
    assert framework["F"].cap == Decimal(5)
    assert framework.parent("F") is None
    assert framework.children("F") == ("F1", "F2")
    assert framework["F1"].section is ast.Section.BONUS
    assert framework["F2"].section is ast.Section.PENALTY


def test_grades_and_year(framework: perfrules.Framework) -> None:
    """The framework is the 2024 one and grades best-first from 优秀."""
    assert framework.year == 2024
    assert framework.name == "南京市人民政府办公厅整体绩效评价指标框架"
    assert framework.grades[0] == "优秀"


def test_levels_match_the_seed_columns(framework: perfrules.Framework) -> None:
    """One-letter codes are 一级指标, two characters 二级, three 三级 (as in the seed's columns)."""
    for code in framework.codes:
        assert framework.level(code) == len(code)


# ------------------------------------------------------------------ boundaries


# C11: "办理比率在99%以上得10分，每降低5%扣2分，低于60%不得分", counting per full step
# (docs/language.md: n = floor(shortfall / 5)), score max(0, 10 − 2n), 0 below the cut-off.
@pytest.mark.parametrize(
    ("rate", "expected"),
    [
        ("100%", "10"),
        ("99%", "10"),  # 以上 includes 99%
        ("98.99%", "10"),  # shortfall 0.01: no full 5-point step
        ("94.01%", "10"),  # shortfall 4.99: still no full step
        ("94%", "8"),  # shortfall 5: one step
        ("89%", "6"),  # two steps
        ("75%", "2"),  # shortfall 24: four steps
        ("74.99%", "2"),  # shortfall 24.01: still four steps
        ("74%", "0"),  # shortfall 25: five steps, 10 − 10
        # 60% is not 低于60%, so the steps apply: shortfall 39 → floor(39/5) = 7 steps,
        # 10 − 14 < 0, kept at 0. (Not 2: the score already reached 0 at 74%.)
        ("60%", "0"),
        ("59.99%", "0"),  # below the cut-off
        ("0%", "0"),
    ],
)
def test_c11_steps(framework: perfrules.Framework, rate: str, expected: str) -> None:
    """C11 scores 10 at 99% or above, 2 less per full 5% below it, never below 0."""
    assert score_of(framework, "C11", seed_unit(document_handling_rate=rate)) == Decimal(expected)


@pytest.mark.parametrize(
    ("rate", "expected"),
    [
        ("95%", "5"),
        ("90.01%", "5"),  # shortfall 4.99
        ("90%", "3"),
        ("85%", "1"),
        ("80.01%", "1"),  # shortfall 14.99: two steps
        ("80%", "0"),  # shortfall 15: three steps, 5 − 6 < 0 → 0
        ("60%", "0"),
    ],
)
def test_c21_reaches_zero_at_80(framework: perfrules.Framework, rate: str, expected: str) -> None:
    """C21 (5 points, 95% bound) reaches 0 at 80%, long before the 60% cut-off."""
    assert score_of(framework, "C21", seed_unit(meeting_satisfaction=rate)) == Decimal(expected)


@pytest.mark.parametrize(("rate", "expected"), [("100%", "2"), ("90%", "2"), ("89.99%", "0")])
def test_b11_threshold(framework: perfrules.Framework, rate: str, expected: str) -> None:
    """B11 gives 2 at 90% and above (以上 includes 90%) and 0 below, with no partial points."""
    data = seed_unit(budget_execution_rate=rate)
    data["adjustments"] = {}
    node = framework.score(data)["B11"]
    assert node.score == Decimal(expected)
    assert node.rule_score == Decimal(expected)


def test_b11_adjustment_is_kept_below_the_bound(framework: perfrules.Framework) -> None:
    """With the seed's adjustment, B11 counts 1.5 even though the rule gives 0 at 89.99%."""
    node = framework.score(seed_unit(budget_execution_rate="89.99%"))["B11"]
    assert node.rule_score == Decimal(0)
    assert node.score == Decimal("1.5")


@pytest.mark.parametrize(
    ("honours", "expected"),
    [
        ([], "0"),
        ([{"item": "防汛", "award": "市级考核二等奖"}], "0.5"),
        # 同一项工作不累计加分: only the item's best award counts
        ([{"item": "防汛", "award": "国务院嘉奖"}, {"item": "防汛", "award": "省级嘉奖"}], "3"),
        ([{"item": "防汛", "award": "国务院嘉奖"}, {"item": "政务公开", "award": "省级嘉奖"}], "5"),
        (
            [
                {"item": "防汛", "award": "国务院嘉奖"},
                {"item": "政务公开", "award": "国务院嘉奖"},
                {"item": "督查", "award": "国务院嘉奖"},
            ],
            "5",  # 3 + 3 + 3 = 9, at most F's 5
        ),
    ],
)
def test_f1_awards(
    framework: perfrules.Framework, honours: list[dict[str, str]], expected: str
) -> None:
    """F1 adds each item's best award (国务院 3, 省级 2, 市级一等 1, 二等 0.5), at most 5."""
    result = framework.score(perfect_unit(honours=honours))
    assert result["F1"].score == Decimal(expected)
    assert result["F"].score == Decimal(expected)


def test_bonus_adds_to_the_total(framework: perfrules.Framework) -> None:
    """Below 100 the bonus adds in full: 97 (C11 at 94%) + 2 for a 省级嘉奖 is 99."""
    base = framework.score(seed_unit(document_handling_rate="94%"))
    assert base.total == Decimal(97)
    honoured = framework.score(
        seed_unit(document_handling_rate="94%", honours=[{"item": "防汛", "award": "省级嘉奖"}])
    )
    assert honoured.total == Decimal(99)


def test_perfect_unit_scores_100(framework: perfrules.Framework) -> None:
    """A unit that meets every rule, with no bonus, scores exactly 100 and loses nothing."""
    result = framework.score(perfect_unit())
    assert result.total == Decimal(100)
    assert result.lost == Decimal(0)
    assert result.grade == "优秀"


def test_total_capped_at_100_with_bonus(framework: perfrules.Framework) -> None:
    """A perfect unit with a 国务院嘉奖 still totals 100: "total 100 capped"."""
    result = framework.score(perfect_unit(honours=[{"item": "防汛", "award": "国务院嘉奖"}]))
    assert result["F"].score == Decimal(3)
    assert result.total == Decimal(100)
    assert format_number(result.total) == "100"


def test_seed_unit_with_bonus_is_capped(framework: perfrules.Framework) -> None:
    """The seed's 99 plus a 国务院嘉奖 (3) is capped at 100, not 102."""
    result = framework.score(seed_unit(honours=[{"item": "防汛", "award": "国务院嘉奖"}]))
    assert result.total == Decimal(100)


def test_penalty_deducts_from_the_total(framework: perfrules.Framework) -> None:
    """A judged F2 deduction of 2 with a reason takes the seed's 99 down to 97."""
    data = seed_unit()
    data["judgements"] = {**data["judgements"], "F2": {"score": 2, "reason": "违反财经纪律"}}
    result = framework.score(data)
    assert result["F2"].score == Decimal(2)
    assert result.total == Decimal(97)
