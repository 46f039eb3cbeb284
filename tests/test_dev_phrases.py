"""Every row of /work/shared/phrases/dev.tsv in the rule language, with every worked example.

Each rule text sits next to the phrase it transcribes. Expected scores are the `examples`
column of dev.tsv, read with its `reading` column; the framework default for unstated step
counting is per full step, as the README of the phrases states.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

import perfrules

D = Decimal


def leaf(rule: str, inputs: str, cap, settings: str = "counting per full step"):
    """A framework with one regular leaf ``A`` of ``cap`` points carrying ``rule``."""
    text = (
        f'framework "t" {{\n  {settings}\n}}\n'
        f"inputs {{\n{inputs}\n}}\n"
        f'A "a" {cap} {{\n  {rule}\n}}\n'
    )
    return perfrules.loads(text)


def score(fw, values, code: str = "A", **kwargs) -> Decimal:
    value = fw.score(values, **kwargs)[code].score
    assert isinstance(value, Decimal)
    return value


# ===================================================================== D01, D02: yes/no

# D01 「制度建立健全，得2分。」
D01 = "full if rules_sound"


@pytest.mark.parametrize(("value", "expected"), [(True, "2"), (False, "0")])
def test_d01(value, expected):
    """D01: a sound set of rules scores 2, otherwise 0."""
    fw = leaf(D01, "rules_sound: bool", 2)
    assert score(fw, {"rules_sound": value}) == D(expected)


# D02 「年度工作计划完整可行的，得3分；否则不得分。」
D02 = "full if plan_complete"


@pytest.mark.parametrize(("value", "expected"), [(True, "3"), (False, "0")])
def test_d02(value, expected):
    """D02: a complete plan scores 3, otherwise 0."""
    fw = leaf(D02, "plan_complete: bool", 3)
    assert score(fw, {"plan_complete": value}) == D(expected)


# ===================================================================== D03–D08: thresholds

# D03 「资产盘点率达到95%以上的，得4分，否则不得分。」 (以上 includes 95)
D03 = "threshold rate >= 95% full"


@pytest.mark.parametrize(("value", "expected"), [("95%", "4"), ("94.9%", "0"), ("100%", "4")])
def test_d03(value, expected):
    """D03: 95% and above scores 4, below scores 0."""
    fw = leaf(D03, "rate: percent", 4)
    assert score(fw, {"rate": value}) == D(expected)


# D04 「任务完成率在98%以上得10分，每降低4%扣3分，低于70%不得分。」
D04 = "threshold rate >= 98% full, each 4% lower deduct 3, zero if < 70%"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("98%", "10"),
        ("97%", "10"),
        ("94%", "7"),
        ("93.9%", "7"),
        ("90%", "4"),
        ("86%", "1"),
        ("82%", "0"),
        ("70%", "0"),
        ("69.9%", "0"),
    ],
)
def test_d04(value, expected):
    """D04: full at 98%, 3 off per whole 4% below, 0 below 70%."""
    fw = leaf(D04, "rate: percent", 10)
    assert score(fw, {"rate": value}) == D(expected)


# D05 「满意度在90%（含）以上得6分，每低1个百分点扣0.5分，扣完为止。」
D05 = "threshold satisfaction >= 90% full, each 1% lower deduct 0.5"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("90%", "6"), ("89%", "5.5"), ("85%", "3.5"), ("78%", "0"), ("50%", "0")],
)
def test_d05(value, expected):
    """D05: full at 90%, 0.5 off per point below, down to 0."""
    fw = leaf(D05, "satisfaction: percent", 6)
    assert score(fw, {"satisfaction": value}) == D(expected)


# D06 「在职人员控制率≤100%，计5分；每超过1个百分点扣1分，扣完为止。」
D06 = "threshold control_rate <= 100% full, each 1% higher deduct 1"


@pytest.mark.parametrize(
    ("value", "expected"), [("100%", "5"), ("101%", "4"), ("103%", "2"), ("110%", "0")]
)
def test_d06(value, expected):
    """D06: full at or below 100%, 1 off per point above, down to 0."""
    # A control rate can exceed 100%, so the input's range says so.
    fw = leaf(D06, "control_rate: percent range 0%..200%", 5)
    assert score(fw, {"control_rate": value}) == D(expected)


def test_d06_open_ended_percent_range():
    """D06 with 'range 0%..' (no upper end: a range replaces the default 0%..100%) accepts 101%."""
    fw = leaf(D06, "control_rate: percent range 0%..", 5)
    assert score(fw, {"control_rate": "101%"}) == D(4)


# D07 「按时交付率低于100%的，每低1%扣1分，不满1%按1%计算，扣完为止。」
D07 = "threshold on_time >= 100% full, each 1% lower deduct 1 per started step"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("100%", "3"), ("99.5%", "2"), ("99%", "2"), ("98.2%", "1"), ("97%", "0")],
)
def test_d07(value, expected):
    """D07: 1 off per started point below 100% (不满1%按1%计算)."""
    fw = leaf(D07, "on_time: percent", 3)
    assert score(fw, {"on_time": value}) == D(expected)


# D08 「项目完成率达到100%的得8分，每减少1个百分点扣0.4分，按线性计算，扣完为止。」
D08 = "threshold completion >= 100% full, each 1% lower deduct 0.4 pro rata"


@pytest.mark.parametrize(
    ("value", "expected"), [("100%", "8"), ("99.5%", "7.8"), ("95%", "6"), ("80%", "0")]
)
def test_d08(value, expected):
    """D08: 0.4 off per point below 100%, linearly (按线性计算)."""
    fw = leaf(D08, "completion: percent", 8)
    assert score(fw, {"completion": value}) == D(expected)


# ===================================================================== D09–D12: proportional

# D09 「按预算执行率计算得分，得分=预算执行率×分值，满分为止。」
D09 = "proportional execution / 100%"


@pytest.mark.parametrize(
    ("value", "expected"), [("100%", "20"), ("95%", "19"), ("60%", "12"), ("0%", "0")]
)
def test_d09(value, expected):
    """D09: score = 20 x rate."""
    fw = leaf(D09, "execution: percent", 20)
    assert score(fw, {"execution": value}) == D(expected)


# D10 「得分=实际完成值/计划值×10，最高不超过10分。」
D10 = "proportional actual / planned"


@pytest.mark.parametrize(("actual", "planned", "expected"), [("45", "50", "9"), ("60", "50", "10")])
def test_d10(actual, planned, expected):
    """D10: score = 10 x actual / planned, at most 10."""
    fw = leaf(D10, "actual: number\nplanned: number", 10)
    assert score(fw, {"actual": actual, "planned": planned}) == D(expected)


# D11 「培训覆盖率≥90%得满分，不足按比例得分。」
D11 = "proportional coverage / 90%"


@pytest.mark.parametrize(("value", "expected"), [("90%", "5"), ("72%", "4"), ("45%", "2.5")])
def test_d11(value, expected):
    """D11: full at 90%, in proportion below."""
    fw = leaf(D11, "coverage: percent", 5)
    assert score(fw, {"coverage": value}) == D(expected)


# D12 「资金到位时间≤10日得满分，>30日不得分，10-30日之间按比例减分。」
# 6 points lost linearly over the 20 days from 10 to 30: 0.3 a day, pro rata.
D12 = "threshold days <= 10 full, each 1 higher deduct 0.3 pro rata"


@pytest.mark.parametrize(
    ("value", "expected"), [("10", "6"), ("20", "3"), ("25", "1.5"), ("30", "0"), ("31", "0")]
)
def test_d12(value, expected):
    """D12: full within 10 days, falling linearly to 0 at 30 days."""
    fw = leaf(D12, 'days: number unit "日" range 0..', 6)
    assert score(fw, {"days": value}) == D(expected)


# ===================================================================== D13–D15: deductions

# D13 「存在问题每发现一处扣0.5分，扣完为止。」
D13 = "deduct 0.5 per problems"


@pytest.mark.parametrize(("count", "expected"), [(0, "5"), (3, "3.5"), (10, "0"), (12, "0")])
def test_d13(count, expected):
    """D13: 0.5 off per problem found, down to 0."""
    fw = leaf(D13, "problems: count", 5)
    assert score(fw, {"problems": count}) == D(expected)


# D14 「台账缺失的，每项扣1分，最高扣4分。」
D14 = "deduct 1 per missing_ledgers, at most 4"


@pytest.mark.parametrize(("count", "expected"), [(0, "6"), (2, "4"), (4, "2"), (9, "2")])
def test_d14(count, expected):
    """D14: 1 off per missing ledger, at most 4 off."""
    fw = leaf(D14, "missing_ledgers: count", 6)
    assert score(fw, {"missing_ledgers": count}) == D(expected)


# D15 「未按时报送的，每次扣1分；数据不实的，每处扣0.5分；扣完为止。」
D15 = "deduct 1 per late_reports, 0.5 per false_data"


@pytest.mark.parametrize(("late", "false", "expected"), [(0, 0, "4"), (1, 2, "2"), (3, 4, "0")])
def test_d15(late, false, expected):
    """D15: 1 off per late report and 0.5 off per false figure, down to 0."""
    fw = leaf(D15, "late_reports: count\nfalse_data: count", 4)
    assert score(fw, {"late_reports": late, "false_data": false}) == D(expected)


# ===================================================================== D16, D17: bands

# D16 「重点支出安排率≥85%，计5分；75%（含）-85%，计3分；60%（含）-75%，计1分；低于60%不得分。」
D16 = "bands share { >= 85%: full; [75%, 85%): 3; [60%, 75%): 1; < 60%: 0 }"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("85%", "5"), ("84.9%", "3"), ("75%", "3"), ("60%", "1"), ("59.9%", "0")],
)
def test_d16(value, expected):
    """D16: bands with included lower ends."""
    fw = leaf(D16, "share: percent", 5)
    assert score(fw, {"share": value}) == D(expected)


# D17 「预算调整率=0，计4分；0-5%（含），计3分；5-15%（含），计1分；大于15%不得分。」
D17 = "bands adjustment { = 0%: full; (0%, 5%]: 3; (5%, 15%]: 1; > 15%: 0 }"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("0%", "4"), ("3%", "3"), ("5%", "3"), ("5.1%", "1"), ("15%", "1"), ("16%", "0")],
)
def test_d17(value, expected):
    """D17: bands with included upper ends, lower is better."""
    fw = leaf(D17, "adjustment: percent", 4)
    assert score(fw, {"adjustment": value}) == D(expected)


# ===================================================================== D18: deviation

# D18 「执行偏差率在±5%以内的得满分，超出部分每1个百分点扣1分，扣完为止。」
# The examples give the signed deviation; against a target of 100, x = 100 + deviation.
D18 = "deviation actual from 100 within ±5%, each 1% beyond deduct 1"


@pytest.mark.parametrize(
    ("deviation", "expected"), [("0", "8"), ("5", "8"), ("7", "6"), ("-7", "6"), ("20", "0")]
)
def test_d18(deviation, expected):
    """D18: full within ±5% of the target, 1 off per whole point beyond."""
    fw = leaf(D18, "actual: number", 8)
    assert score(fw, {"actual": str(100 + int(deviation))}) == D(expected)


def test_d18_with_an_input_target():
    """D18 against an input target: 107 vs 100 and 53.5 vs 50 both deviate 7%."""
    fw = leaf(
        "deviation actual from planned within ±5%, each 1% beyond deduct 1",
        "actual: number\nplanned: number",
        8,
    )
    assert score(fw, {"actual": "107", "planned": "100"}) == D(6)
    assert score(fw, {"actual": "53.5", "planned": "50"}) == D(6)
    assert score(fw, {"actual": "46.5", "planned": "50"}) == D(6)


# ===================================================================== D19, D20, D33: levels

# D19 「工作成效评价为好、较好、一般、差的，分别得10分、8分、6分、0分。」
D19 = "levels effect { 好: 10, 较好: 8, 一般: 6, 差: 0 }"


@pytest.mark.parametrize(
    ("value", "expected"), [("好", "10"), ("较好", "8"), ("一般", "6"), ("差", "0")]
)
def test_d19(value, expected):
    """D19: each level scores its points."""
    fw = leaf(D19, "effect: level(好, 较好, 一般, 差)", 10)
    assert score(fw, {"effect": value}) == D(expected)


# D20 「目标达成情况分为全部达成、部分达成、未达成三档，分别按分值的100%、60%、0%计分。」
D20 = "levels achieved { 全部达成: 100%, 部分达成: 60%, 未达成: 0% }"


@pytest.mark.parametrize(
    ("value", "expected"), [("全部达成", "6"), ("部分达成", "3.6"), ("未达成", "0")]
)
def test_d20(value, expected):
    """D20: each level scores its share of the cap."""
    fw = leaf(D20, "achieved: level(全部达成, 部分达成, 未达成)", 6)
    assert score(fw, {"achieved": value}) == D(expected)


# D33 「资金结余为零的得3分；有结余但不超过上年结转的得2分；超过上年结转的不得分。」
D33 = "levels surplus { 无结余: 3, 未超过上年结转: 2, 超过上年结转: 0 }"


@pytest.mark.parametrize(
    ("value", "expected"), [("无结余", "3"), ("未超过上年结转", "2"), ("超过上年结转", "0")]
)
def test_d33(value, expected):
    """D33: three named situations score 3, 2 and 0."""
    fw = leaf(D33, "surplus: level(无结余, 未超过上年结转, 超过上年结转)", 3)
    assert score(fw, {"surplus": value}) == D(expected)


# ===================================================================== D21: judged

# D21 「实施方案编制规范的得7分，不规范的视具体情况酌情扣分，扣完为止。」
D21 = "judged"


def test_d21():
    """D21: the evaluator's score counts; below 7 it needs a reason."""
    fw = leaf(D21, "", 7)
    assert score(fw, {}, judgements={"A": {"score": 7}}) == D(7)
    assert score(fw, {}, judgements={"A": {"score": 5, "reason": "方案要素不全"}}) == D(5)
    with pytest.raises(perfrules.InputError):
        fw.score({}, judgements={"A": {"score": 5}})


# ===================================================================== D22–D24: composites

# D22 「①已建立管理制度，1分；②制度合法合规，1分；③制度有效执行，1分。」
D22 = """combine sum {
    part 1: full if established
    part 1: full if lawful
    part 1: full if enforced
  }"""


@pytest.mark.parametrize(
    ("values", "expected"),
    [((True, True, True), "3"), ((True, False, True), "2"), ((False, False, False), "0")],
)
def test_d22(values, expected):
    """D22: three yes/no elements of 1 point each."""
    fw = leaf(D22, "established: bool\nlawful: bool\nenforced: bool", 3)
    assert score(fw, dict(zip(("established", "lawful", "enforced"), values))) == D(expected)


# D23 「①设置绩效目标的，得2分；②绩效目标依据充分的，得1分；③绩效目标细化量化的，得1分。」
D23 = """combine sum {
    part 2: full if targets_set
    part 1: full if targets_grounded
    part 1: full if targets_quantified
  }"""


@pytest.mark.parametrize(
    ("values", "expected"),
    [((True, True, True), "4"), ((True, False, False), "2"), ((False, True, True), "2")],
)
def test_d23(values, expected):
    """D23: elements worth 2, 1 and 1."""
    fw = leaf(D23, "targets_set: bool\ntargets_grounded: bool\ntargets_quantified: bool", 4)
    names = ("targets_set", "targets_grounded", "targets_quantified")
    assert score(fw, dict(zip(names, values))) == D(expected)


# D24 「两项任务完成率均达到100%的得2分，每有一项未完成扣1分。」
D24 = """combine sum {
    part 1: threshold task1 >= 100% full
    part 1: threshold task2 >= 100% full
  }"""


@pytest.mark.parametrize(
    ("task1", "task2", "expected"),
    [("100%", "100%", "2"), ("100%", "90%", "1"), ("90%", "100%", "1"), ("90%", "90%", "0")],
)
def test_d24(task1, task2, expected):
    """D24: 1 off for each task below 100%."""
    fw = leaf(D24, "task1: percent\ntask2: percent", 2)
    assert score(fw, {"task1": task1, "task2": task2}) == D(expected)


# ===================================================================== D25–D27: bonus and penalty

# D25 「受到国务院表彰加3分，受到省级表彰加2分，受到市级表彰加1分；同一项工作不累计加分，
#      加分合计不超过5分。」
D25 = "awards honours highest per item { 国务院表彰: 3, 省级表彰: 2, 市级表彰: 1 }"
D25_FRAMEWORK = f"""
framework "t" {{ counting per full step }}
inputs {{
  base: percent
  honours: awards(国务院表彰, 省级表彰, 市级表彰)
}}
A "a" 100 {{ proportional base / 100% }}
bonus F "加分项" 5 {{ {D25} }}
"""


@pytest.mark.parametrize(
    ("entries", "expected"),
    [
        ([("甲", "国务院表彰"), ("甲", "省级表彰")], "3"),
        ([("甲", "国务院表彰"), ("乙", "省级表彰")], "5"),
        ([("甲", "国务院表彰"), ("乙", "国务院表彰")], "5"),  # 6, capped at 5
        ([], "0"),
    ],
)
def test_d25(entries, expected):
    """D25: per work item only the highest award counts; items add up to at most 5."""
    fw = perfrules.loads(D25_FRAMEWORK)
    value = [{"item": item, "award": award} for item, award in entries]
    result = fw.score({"base": "80%", "honours": value})
    assert result["F"].score == D(expected)
    assert result.total == D(80) + D(expected)


# D26 「主动公开信息超过规定数量10%的加1分，每再超过20%加1分，最多加3分。」
D26 = "threshold excess > 10% 1, each 20% higher add 1"
D26_FRAMEWORK = f"""
framework "t" {{ counting per full step }}
inputs {{
  base: percent
  excess: percent range 0%..1000%
}}
A "a" 100 {{ proportional base / 100% }}
bonus F "加分项" 3 {{ {D26} }}
"""


@pytest.mark.parametrize(
    ("excess", "expected"),
    [("10%", "0"), ("11%", "1"), ("25%", "1"), ("35%", "2"), ("55%", "3"), ("90%", "3")],
)
def test_d26(excess, expected):
    """D26: 1 point above 10% excess, 1 more per further whole 20%, at most 3."""
    fw = perfrules.loads(D26_FRAMEWORK)
    result = fw.score({"base": "80%", "excess": excess})
    assert result["F"].score == D(expected)
    assert result.total == D(80) + D(expected)


# D27 「受到通报批评的，每次扣2分；发生重大责任事故的，扣5分；扣分不超过5分。」
D27 = "deduct 2 per notices, 5 if accident, at most 5"
D27_FRAMEWORK = f"""
framework "t" {{ counting per full step }}
inputs {{
  base: percent
  notices: count
  accident: bool
}}
A "a" 100 {{ proportional base / 100% }}
penalty G "减分项" 5 {{ {D27} }}
"""


@pytest.mark.parametrize(
    ("notices", "accident", "deduction"),
    [(0, False, "0"), (1, False, "2"), (2, False, "4"), (3, False, "5"), (0, True, "5")],
)
def test_d27(notices, accident, deduction):
    """D27: 2 off per notice, 5 off for an accident, at most 5 off in all."""
    fw = perfrules.loads(D27_FRAMEWORK)
    result = fw.score({"base": "80%", "notices": notices, "accident": accident})
    assert result["G"].score == D(deduction)
    assert result.total == D(80) - D(deduction)


# ===================================================================== D28–D30: grades

GRADED = """
framework "t" {{
  counting per full step
  grades {{ 优秀 >= 90; 良好 >= 80; 中 >= 60; 差 otherwise }}
  {veto}
}}
inputs {{
  total_points: number range 0..100
  event: bool
}}
A "a" 100 {{ proportional total_points / 100 }}
"""

# D28 「发生重大安全生产事故的，实行一票否优，等级不得评为优秀。」
D28 = "veto if event: at most 良好"


@pytest.mark.parametrize(
    ("event", "total", "grade"), [(True, "95", "良好"), (False, "95", "优秀")]
)
def test_d28(event, total, grade):
    """D28: a major accident caps the grade at 良好; the points are unchanged."""
    fw = perfrules.loads(GRADED.format(veto=D28))
    result = fw.score({"total_points": total, "event": event})
    assert result.total == D(total)
    assert result.grade == grade


# D29 「存在严重违纪问题的，考核等级降一档。」
D29 = "veto if event: down 1"


@pytest.mark.parametrize(
    ("event", "total", "grade"), [(True, "92", "良好"), (True, "85", "中"), (False, "85", "良好")]
)
def test_d29(event, total, grade):
    """D29: serious misconduct lowers the grade one band; the points are unchanged."""
    fw = perfrules.loads(GRADED.format(veto=D29))
    result = fw.score({"total_points": total, "event": event})
    assert result.total == D(total)
    assert result.grade == grade


# D30 「总分90分（含）以上为优秀，80分（含）至90分为良好，60分（含）至80分为中，60分以下为差。」
D30 = "grades { 优秀 >= 90; 良好 >= 80; 中 >= 60; 差 otherwise }"


@pytest.mark.parametrize(
    ("total", "grade"),
    [("90", "优秀"), ("89.5", "良好"), ("80", "良好"), ("60", "中"), ("59.9", "差")],
)
def test_d30(total, grade):
    """D30: grade bands with included lower ends."""
    fw = perfrules.loads(GRADED.format(veto=""))
    assert D30 in GRADED.format(veto="")
    result = fw.score({"total_points": total, "event": False})
    assert result.total == D(total)
    assert result.grade == grade


# ===================================================================== D31, D32

# D31 「自评得分引用年度考核结果折算，得分=考核得分/100×10。」
D31 = "proportional assessment / 100"


@pytest.mark.parametrize(("value", "expected"), [("95", "9.5"), ("100", "10")])
def test_d31(value, expected):
    """D31: score = 10 x assessment / 100."""
    fw = leaf(D31, "assessment: number range 0..100", 10)
    assert score(fw, {"assessment": value}) == D(expected)


# D32 「平均年龄不大于全市平均年龄的，得2分；每超过1岁扣0.5分，扣完为止。」
D32 = "threshold average_age <= city_average_age full, each 1 higher deduct 0.5"


@pytest.mark.parametrize(
    ("age", "reference", "expected"), [("40", "42", "2"), ("43", "42", "1.5"), ("46", "42", "0")]
)
def test_d32(age, reference, expected):
    """D32: full up to the city's average age, 0.5 off per whole year above."""
    fw = leaf(D32, 'average_age: number unit "岁"\ncity_average_age: number unit "岁"', 2)
    values = {"average_age": age, "city_average_age": reference}
    assert score(fw, values) == D(expected)


# ===================================================================== D34: not applicable

# D34 「不适用本指标的单位，该项分值按比例分摊至同级其他指标。」
# The examples column gives no numbers; these are worked from the reading: the 4 points of
# X are spread over its siblings Y (6) and Z (10) in proportion to their caps, so the parent
# P (20) scores (Y + Z) x 20 / 16.
D34 = """
framework "t" {
  counting per full step
  not applicable rescale
}
inputs {
  x: bool
  y: bool
  z: percent
}
P "p" 20 {
  X "x" 4 { full if x }
  Y "y" 6 { full if y }
  Z "z" 10 { proportional z / 100% }
}
"""


@pytest.mark.parametrize(
    ("y", "z", "expected"),
    [
        (True, "100%", "20"),  # 16 x 20 / 16
        (True, "0%", "7.5"),  # 6 x 20 / 16
        (False, "50%", "6.25"),  # 5 x 20 / 16
        (False, "0%", "0"),
        (True, "33%", "11.63"),  # (6 + 3.3) x 20 / 16 = 11.625 -> 11.63
    ],
)
def test_d34(y, z, expected):
    """D34: a 不适用 indicator's points are spread over its siblings in proportion to their caps."""
    fw = perfrules.loads(D34)
    result = fw.score({"y": y, "z": z}, not_applicable=["X"])
    assert result["X"].score is None
    assert result["P"].score == D(expected)
    assert result.total == D(expected)


def test_d34_applicable_unit_is_unaffected():
    """D34: a unit for which X applies is scored on all three children, without rescaling."""
    fw = perfrules.loads(D34)
    result = fw.score({"x": False, "y": True, "z": "50%"})
    assert result["P"].score == D(11)
