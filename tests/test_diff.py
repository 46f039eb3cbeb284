"""`perfrules diff`: structural differences, impact on units, dataset readers and the outputs."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from decimal import Decimal
from fractions import Fraction
from html.parser import HTMLParser
from pathlib import Path

import pytest

import perfrules
from perfrules import diff, diff_report
from perfrules.cli import main

ROOT = Path(__file__).resolve().parent.parent
NANJING = ROOT / "frameworks" / "nanjing-2024"
RULES = NANJING / "framework.rules"
VARIANT = NANJING / "variants" / "file-rate-95.rules"
SYNTHETIC = NANJING / "synthetic-units.csv"
SCRIPT = ROOT / "scripts" / "make_synthetic_units.py"
DOC = ROOT / "docs" / "diff.md"


def run(*argv: str | Path) -> tuple[int, str, str]:
    """Run the CLI with captured streams; returns (exit status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    status = main([str(a) for a in argv], stdout=out, stderr=err)
    return status, out.getvalue(), err.getvalue()


# ====================================================================== structural diff

BASE = """\
framework "小框架" {
  year 2024
  total 20 capped
  counting per full step
  grades { 好 >= 15; 中 >= 10; 差 otherwise }
}
inputs {
  rate: percent "办理率"
  ok: bool "制度健全"
}
A "甲" 10 {
  A1 "办理率" 10 { threshold rate >= 99% full, each 5% lower deduct 2, zero if < 60% }
}
B "乙" 10 {
  B1 "制度" 10 { full if ok }
}
"""


def changes(old: str, new: str) -> list[diff.Change]:
    """The structural diff of two rule texts (both must load)."""
    return diff.structural_diff(perfrules.loads(old).ast, perfrules.loads(new).ast)


def words(old: str, new: str) -> list[str]:
    """The words of every change between two rule texts."""
    return [c.words for c in changes(old, new)]


def edit(text: str, old: str, new: str) -> str:
    """``text`` with one occurrence of ``old`` replaced (which must be there exactly once)."""
    assert text.count(old) == 1, old
    return text.replace(old, new)


def test_identical_frameworks_have_no_changes() -> None:
    """A framework compared with itself has no structural change."""
    assert changes(BASE, BASE) == []


def test_layout_and_comments_do_not_count() -> None:
    """The diff compares trees, not text: comments, spacing and line breaks change nothing."""
    relaid = "# a comment\n" + BASE.replace("  ", "      ").replace("; ", ";\n   ")
    assert changes(BASE, relaid) == []


def test_threshold_bound_change_in_words() -> None:
    """A lowered threshold reads `A1 办理率: threshold 99% → 95%`, kind threshold, code A1."""
    (change,) = changes(BASE, edit(BASE, ">= 99%", ">= 95%"))
    assert (change.kind, change.code, change.words) == ("threshold", "A1",
                                                        "A1 办理率: threshold 99% → 95%")
    assert (change.before, change.after, change.scoring) == ("99%", "95%", True)


def test_threshold_comparison_change_shows_operators() -> None:
    """When the comparison itself changes, both operators are shown."""
    assert words(BASE, edit(BASE, ">= 99%", "> 99%")) == ["A1 办理率: threshold >= 99% → > 99%"]


def test_step_size_points_and_counting() -> None:
    """A step's size, points and counting each give a `steps` change."""
    new = edit(BASE, "each 5% lower deduct 2,", "each 4% lower deduct 3 pro rata,")
    found = changes(BASE, new)
    assert [c.kind for c in found] == ["steps", "steps", "steps"]
    assert [c.words for c in found] == [
        "A1 办理率: deduction step size 5% → 4%",
        "A1 办理率: deduction step: deduction per step 2 → 3",
        "A1 办理率: deduction step counting per full step → pro rata",
    ]


def test_steps_added_and_removed() -> None:
    """Removing the deduction step, or adding one, is reported with the step's text."""
    without = edit(BASE, " each 5% lower deduct 2,", "")
    assert words(BASE, without) == [
        "A1 办理率: deduction step removed: each 5% lower deduct 2 per full step"]
    assert words(without, BASE) == [
        "A1 办理率: deduction step added: each 5% lower deduct 2 per full step"]


def test_counting_written_out_as_the_default_is_no_change() -> None:
    """A step that states the framework's default counting counts the same: no change."""
    assert changes(BASE, edit(BASE, "deduct 2,", "deduct 2 per full step,")) == []


def test_default_counting_change() -> None:
    """The framework's default counting is a setting change naming the steps that rely on it."""
    new = edit(BASE, "counting per full step", "counting per started step")
    found = changes(BASE, new)
    assert [c.kind for c in found] == ["counting-default", "steps"]
    assert found[0].words == ("default counting per full step → per started step "
                              "(applies to 1 step rule(s) that state no counting)")
    assert found[1].words == "A1 办理率: deduction step counting per full step → per started step"


def test_cutoff_changed_added_removed() -> None:
    """The cut-off (zero if …) is reported changed, removed and added."""
    assert words(BASE, edit(BASE, "zero if < 60%", "zero if < 50%")) == [
        "A1 办理率: cut-off < 60% → < 50%"]
    removed = edit(BASE, ", zero if < 60%", "")
    assert words(BASE, removed) == ["A1 办理率: cut-off removed: zero if < 60%"]
    assert words(removed, BASE) == ["A1 办理率: cut-off added: zero if < 60%"]
    assert {c.kind for c in changes(BASE, removed)} == {"cutoff"}


def test_points_at_the_bound() -> None:
    """`full` → a number of points is a change; `full` → the cap written out is not."""
    new = edit(BASE, ">= 99% full", ">= 99% 8")
    assert words(BASE, new) == ["A1 办理率: points at the bound full (10) → 8"]
    assert changes(BASE, edit(BASE, ">= 99% full", ">= 99% 10")) == []


def test_caps_and_allow_cap_mismatch() -> None:
    """A cap change is reported for every node whose cap changed."""
    new = edit(edit(BASE, 'A "甲" 10', 'A "甲" 12'), 'A1 "办理率" 10', 'A1 "办理率" 12')
    new = edit(new, "total 20 capped", "total 22 capped")
    found = changes(BASE, new)
    assert [(c.kind, c.code, c.before, c.after) for c in found] == [
        ("total", None, "20 capped", "22 capped"),
        ("cap", "A", "10", "12"),
        ("cap", "A1", "10", "12"),
    ]


def test_indicator_added_and_removed() -> None:
    """A new leaf is `added` under its parent; the reverse is `removed`, with its rule."""
    new = edit(BASE, 'B1 "制度" 10 { full if ok }',
               'B1 "制度" 6 { full if ok }\n  B2 "执行" 4 { full if ok }')
    found = changes(BASE, new)
    assert [(c.kind, c.code) for c in found] == [("cap", "B1"), ("added", "B2")]
    assert found[1].words == "B2 执行: added under B 乙, cap 4, full if ok"
    back = changes(new, BASE)
    assert [(c.kind, c.code) for c in back] == [("cap", "B1"), ("removed", "B2")]
    assert back[1].words == "B2 执行: removed from under B 乙 (cap 4, full if ok)"


def test_removed_indicator_is_listed_in_tree_order() -> None:
    """A removed indicator comes after the nearest earlier one that survives."""
    three = edit(BASE, 'B1 "制度" 10 { full if ok }',
                 'B1 "制度" 5 { full if ok }\n  B2 "执行" 5 { full if ok }')
    two = edit(three, 'B1 "制度" 5 { full if ok }\n', "").replace('B2 "执行" 5', 'B2 "执行" 10')
    assert [(c.kind, c.code) for c in changes(three, two)] == [("removed", "B1"), ("cap", "B2")]


def test_renamed_same_code() -> None:
    """Same code, new name: `renamed`, which changes no score."""
    (change,) = changes(BASE, edit(BASE, 'A1 "办理率"', 'A1 "文件办理率"'))
    assert (change.kind, change.words, change.scoring) == (
        "renamed", "A1 文件办理率: renamed from “办理率”", False)


def test_recoded_same_name() -> None:
    """Same name and rule, new code: `recoded` (not removed and added)."""
    (change,) = changes(BASE, edit(BASE, 'B1 "制度"', 'B9 "制度"'))
    assert (change.kind, change.code, change.words) == ("recoded", "B9", "B9 制度: code B1 → B9")


def test_recoded_by_rule_when_name_also_changes() -> None:
    """A leaf with a new code and a new name but the same rule is matched by its rule."""
    found = changes(BASE, edit(BASE, 'B1 "制度"', 'B9 "制度建设"'))
    assert [c.kind for c in found] == ["recoded", "renamed"]


def test_moved_to_another_parent() -> None:
    """An indicator under a new parent is `moved`, naming both parents."""
    old = edit(BASE, 'B1 "制度" 10 { full if ok }',
               'B1 "制度" 5 { full if ok }\n  B2 "执行" 5 { full if ok }')
    old = edit(old, 'A1 "办理率" 10', 'A1 "办理率" 10')
    new = edit(old, 'B2 "执行" 5 { full if ok }\n', "")
    new = edit(new, 'A "甲" 10 {', 'A "甲" 15 {\n  B2 "执行" 5 { full if ok }')
    new = edit(new, 'B "乙" 10', 'B "乙" 5')
    new = edit(new, "total 20", "total 20")
    found = changes(old, new)
    moved = [c for c in found if c.kind == "moved"]
    assert [c.words for c in moved] == ["B2 执行: moved from B 乙 to A 甲"]
    assert [(c.kind, c.code) for c in found if c.kind == "cap"] == [("cap", "A"), ("cap", "B")]


def test_rule_kind_change() -> None:
    """A different kind of rule is `rule-kind`, with both rules as text."""
    (change,) = changes(BASE, edit(
        BASE, "threshold rate >= 99% full, each 5% lower deduct 2, zero if < 60%",
        "proportional rate / 100%"))
    assert change.kind == "rule-kind"
    assert change.words == "A1 办理率: rule kind threshold → proportional"
    assert change.before == "threshold rate >= 99% full, each 5% lower deduct 2 per full step, " \
                            "zero if < 60%"
    assert change.after == "proportional rate / 100%"


def test_yes_no_points_condition_and_input() -> None:
    """A yes/no rule's points, negation and input are each reported."""
    new = edit(BASE, "full if ok", "6 if not ok")
    assert words(BASE, new) == ["B1 制度: points full (10) → 6", "B1 制度: condition if ok → if not ok"]
    both = edit(BASE, "ok: bool", "ok: bool \"x\"\n  fine: bool")
    both = edit(both, "full if ok", "full if fine")
    assert [c.kind for c in changes(both.replace("full if fine", "full if ok"), both)] == ["input"]


def test_proportional_target() -> None:
    """A proportional rule's target is a `target` change."""
    old = edit(BASE, "threshold rate >= 99% full, each 5% lower deduct 2, zero if < 60%",
               "proportional rate / 100%")
    assert words(old, edit(old, "/ 100%", "/ 95%")) == ["A1 办理率: target 100% → 95%"]


BANDS = """\
framework "分档" { }
inputs { rate: percent "完成率" }
A "完成" 10 {
  A1 "完成率" 10 {
    bands rate { >= 95%: full; [85%, 95%): 6; < 85%: 0 }
  }
}
"""


def test_band_points_and_intervals() -> None:
    """A band's points change is named by its interval; changed intervals by their position."""
    assert words(BANDS, edit(BANDS, "[85%, 95%): 6", "[85%, 95%): 7")) == [
        "A1 完成率: band [85%, 95%): 6 → 7"]
    moved = edit(edit(BANDS, ">= 95%", ">= 90%"), "[85%, 95%)", "[85%, 90%)")
    assert words(BANDS, moved) == ["A1 完成率: band 1 >= 95%: full → >= 90%: full",
                                   "A1 完成率: band 2 [85%, 95%): 6 → [85%, 90%): 6"]
    fewer = edit(edit(BANDS, "; [85%, 95%): 6", ""), "< 85%", "< 95%")
    (change,) = changes(BANDS, fewer)
    assert change.kind == "bands" and change.words.startswith("A1 完成率: bands {")


LEVELS = """\
framework "等级" { counting per full step }
inputs {
  quality: level (好, 较好, 一般) "质量"
  honours: awards (国家级, 省级) "嘉奖"
}
A "质量" 10 { A1 "质量" 10 { levels quality { 好: 100%; 较好: 80%; 一般: 50% } } }
bonus F "加分" 5 { awards honours highest per item { 国家级: 3, 省级: 2 } }
"""


def test_levels_changed_added_removed() -> None:
    """Levels are compared by name: a value changed, a level added or removed."""
    new = edit(LEVELS, "较好: 80%; 一般: 50%", "较好: 75%")
    new = edit(new, "(好, 较好, 一般)", "(好, 较好, 差)").replace("较好: 75%", "较好: 75%; 差: 0")
    found = changes(LEVELS, new)
    assert [c.words for c in found if c.kind == "levels"] == [
        "A1 质量: level 较好: 80% → 75%",
        "A1 质量: level 一般 removed (was 50%)",
        "A1 质量: level 差 added: 0",
    ]
    assert [c.words for c in found if c.kind == "input-retyped"] == [
        "input quality: level (好, 较好, 一般) → level (好, 较好, 差)"]


def test_awards_and_stacking() -> None:
    """An award's points and the stacking of awards are reported."""
    new = edit(LEVELS, "highest per item { 国家级: 3, 省级: 2 }", "all count { 国家级: 4, 省级: 2 }")
    assert words(LEVELS, new) == ["F 加分: awards stacking highest per item → all count",
                                  "F 加分: award 国家级: 3 → 4"]


OTHERS = """\
framework "其他" { counting per full step }
inputs {
  spend: number "支出"
  errors: count "差错"
  late: bool "逾期"
  age: number "年龄"
}
A "甲" 30 {
  A1 "支出" 10 { deviation spend from 100 within ±5%, each 1% beyond deduct 1 }
  A2 "差错" 10 { deduct 1 per errors, 2 if late, at most 6 }
  A3 "年龄" 10 { baseline age at 40 scores 6, each 1 lower add 1, each 1 higher deduct 1 }
}
"""


def test_deviation_tolerance_and_target() -> None:
    """A deviation's target and tolerance are `target` and `tolerance` changes."""
    new = edit(OTHERS, "from 100 within ±5%", "from 120 within ±10%")
    found = changes(OTHERS, new)
    assert [(c.kind, c.words) for c in found] == [
        ("target", "A1 支出: target 100 → 120"),
        ("tolerance", "A1 支出: tolerance ±5% → ±10%"),
    ]


def test_deduction_occurrences_and_limit() -> None:
    """Per-occurrence deductions and their limit are reported, and occurrences added."""
    new = edit(OTHERS, "deduct 1 per errors, 2 if late, at most 6",
               "deduct 2 per errors, at most 5")
    assert words(OTHERS, new) == [
        "A2 差错: deduction 1 per errors → 2 per errors",
        "A2 差错: deduction 2 if late removed",
        "A2 差错: deduction limit at most 6 → at most 5",
    ]
    assert [c.kind for c in changes(OTHERS, new)] == ["deduction", "deduction", "limit"]


def test_baseline_base_and_reference() -> None:
    """A baseline's reference is a `target` change and its base score a `base` change."""
    new = edit(OTHERS, "at 40 scores 6", "at 45 scores 5")
    assert [(c.kind, c.words) for c in changes(OTHERS, new)] == [
        ("target", "A3 年龄: reference 40 → 45"),
        ("base", "A3 年龄: base score 6 → 5"),
    ]


COMBINED = """\
framework "组合" { }
inputs { a: percent "甲"; b: percent "乙" }
D "效益" 20 {
  D1 "效益" 20 {
    combine sum { part 10: proportional a / 100%  part 10: proportional b / 95% }
  }
}
"""


def test_combine_parts() -> None:
    """Changes inside a combined rule name the part; mode and part caps are reported."""
    new = edit(edit(COMBINED, "b / 95%", "b / 90%"), "combine sum", "combine max")
    assert words(COMBINED, new) == ["D1 效益: combine sum → max", "D1 效益: part 2: target 95% → 90%"]
    caps = edit(edit(COMBINED, "part 10: proportional a", "part 12: proportional a"),
                "part 10: proportional b", "part 8: proportional b")
    assert [c.words for c in changes(COMBINED, caps)] == ["D1 效益: part 1 cap 10 → 12",
                                                         "D1 效益: part 2 cap 10 → 8"]


def test_framework_settings() -> None:
    """Total, grades, vetoes and the framework's name are setting changes (code None)."""
    new = edit(BASE, "grades { 好 >= 15; 中 >= 10; 差 otherwise }",
               "grades { 好 >= 16; 中 >= 10; 差 otherwise }\n  veto if ok: at most 中")
    new = edit(new, 'framework "小框架"', 'framework "小框架（修订）"')
    new = edit(new, "total 20 capped", "total 20 uncapped")
    found = changes(BASE, new)
    assert [(c.kind, c.code, c.words) for c in found] == [
        ("framework-renamed", None, "framework renamed “小框架” → “小框架（修订）”"),
        ("total", None, "total 20 capped → 20 uncapped"),
        ("grades", None, "grade 好: >= 15 → >= 16"),
        ("veto-added", None, "veto if ok: at most 中 added"),
    ]
    assert [c.scoring for c in found] == [False, True, True, True]
    changed = edit(new, "at most 中", "down 1")
    assert [c.kind for c in changes(new, changed)] == ["veto-removed", "veto-added"]


def test_inputs_added_removed_retyped_and_ranged() -> None:
    """Declared inputs: added, removed, retyped, a new range; descriptions change no score."""
    new = edit(BASE, 'rate: percent "办理率"', 'rate: percent range 0%..200% "文件办理率"')
    new = edit(new, 'ok: bool "制度健全"', 'ok: bool "制度健全"\n  extra: count "次数"')
    found = changes(BASE, new)
    assert [(c.kind, c.input, c.scoring) for c in found[:3]] == [
        ("input-range", "rate", True), ("input-described", "rate", False),
        ("input-added", "extra", True)]
    assert found[0].words == "input rate: range 0%..100% → 0%..200%"
    assert found[2].words == "input extra added: count “次数”"
    retyped = edit(BASE, 'rate: percent "办理率"', 'rate: number "办理率"')
    retyped = edit(retyped, ">= 99% full, each 5% lower deduct 2, zero if < 60%",
                   ">= 99 full, each 5 lower deduct 2, zero if < 60")
    kinds = [c.kind for c in changes(BASE, retyped)]
    assert kinds[0] == "input-retyped" and kinds.count("threshold") == 1
    assert [c.kind for c in changes(new, BASE)][-1] == "input-removed"


def test_not_applicable_and_texts() -> None:
    """An indicator's 不适用 policy changes scores; its 评价要点 and 指标说明 do not."""
    new = edit(BASE, 'B1 "制度" 10 { full if ok }',
               'B1 "制度" 10 {\n criterion "健全得10分"\n description "说明"\n'
               ' not applicable full\n full if ok }')
    found = changes(BASE, new)
    assert [(c.kind, c.scoring) for c in found] == [
        ("not-applicable", True), ("criterion", False), ("description", False)]
    assert found[0].words == "B1 制度: 不适用 policy framework default → full"


def test_nanjing_variant_structural() -> None:
    """The shipped variant differs from Nanjing only in C11's threshold and its 评价要点."""
    found = diff.structural_diff(perfrules.load(RULES).ast, perfrules.load(VARIANT).ast)
    assert [(c.kind, c.code, c.scoring) for c in found] == [
        ("threshold", "C11", True), ("criterion", "C11", False)]
    assert found[0].words == "C11 文件办理率: threshold 99% → 95%"


def test_change_to_dict() -> None:
    """A change's JSON form has kind, code, words, before, after and scoring."""
    (change,) = changes(BASE, edit(BASE, ">= 99%", ">= 95%"))
    assert change.to_dict() == {"kind": "threshold", "code": "A1",
                                "words": "A1 办理率: threshold 99% → 95%", "before": "99%",
                                "after": "95%", "scoring": True}


# ====================================================================== impact

OLD_SMALL = perfrules.loads(BASE.replace(", zero if < 60%", ""), source="old.rules")
NEW_SMALL = perfrules.loads(BASE.replace(", zero if < 60%", "").replace(">= 99%", ">= 95%"),
                           source="new.rules")

SMALL_CSV = """\
# hand-made units
unit,rate,ok
u1,100%,true
u2,93%,true
u3,93%,false
u4,80%,false
u5,abc,true
"""


def small_impact(**kwargs: object) -> diff.Impact:
    """The impact of lowering A1's bar from 99% to 95% on the five hand-made units."""
    data = diff.loads_csv(SMALL_CSV)
    return diff.impact(OLD_SMALL, NEW_SMALL, data, **kwargs)  # type: ignore[arg-type]


def test_impact_totals_and_grades_by_hand() -> None:
    """Totals and grades before and after match the step arithmetic done by hand."""
    # u2/u3 at 93%: 6 short of 99% is one full 5% step (8 points); 2 short of 95% is none (10).
    # u4 at 80%: 19 short is 3 steps (4 points); 15 short of 95% is also 3 steps (4).
    result = small_impact()
    got = {u.code: (u.total_before, u.total_after, u.grade_before, u.grade_after)
           for u in result.units if u.valid}
    assert got == {
        "u1": (Decimal(20), Decimal(20), "好", "好"),
        "u2": (Decimal(18), Decimal(20), "好", "好"),
        "u3": (Decimal(8), Decimal(10), "差", "中"),
        "u4": (Decimal(4), Decimal(4), "差", "差"),
    }
    assert [u.code for u in result.grade_changes] == ["u3"]
    assert result.direction(result.grade_changes[0]) == "up"
    assert result.total_stats() == (Fraction(1), Decimal(0), Decimal(2))


def test_invalid_unit_is_reported_not_fatal() -> None:
    """A unit both frameworks refuse is kept, with each framework's problem."""
    (bad,) = [u for u in small_impact().units if not u.valid]
    assert bad.code == "u5" and bad.where == "line 7"
    assert bad.problem_before and "rate" in bad.problem_before and bad.problem_after
    assert bad.total_before is None and bad.grade_after is None


def test_unit_refused_only_by_the_new_framework() -> None:
    """A new input the data lacks makes units invalid after only, and the rest still count."""
    text = BASE.replace(", zero if < 60%", "")
    newer = perfrules.loads(edit(edit(text, 'ok: bool "制度健全"', 'ok: bool "制度健全"\n  x: bool'),
                                 "full if ok", "full if x"))
    result = diff.impact(OLD_SMALL, newer, diff.loads_csv(SMALL_CSV))
    assert len(result.invalid_after) == 5 and len(result.invalid_before) == 1
    assert result.valid == [] and result.grade_changes == []
    assert "x" in (result.units[0].problem_after or "")


def test_what_only_the_other_framework_knows_is_ignored() -> None:
    """An input or judgement only the other framework has does not make a unit invalid."""
    text = BASE.replace(", zero if < 60%", "")
    judged = perfrules.loads(edit(edit(text, 'ok: bool "制度健全"\n', ""), "full if ok", "judged"))
    data = diff.loads_csv("unit,rate,ok,judgement:B1,reason:B1\na,93%,true,6,制度不够健全\n")
    result = diff.impact(OLD_SMALL, judged, data)
    (unit,) = result.units
    assert unit.valid, (unit.problem_before, unit.problem_after)
    assert (unit.total_before, unit.total_after) == (Decimal(18), Decimal(14))  # 8 + 10, 8 + 6
    typo = diff.loads_csv("unit,rate,ok,okk\na,93%,true,true\n")
    (unit,) = diff.impact(OLD_SMALL, judged, typo).units
    assert unit.problem_before and "okk" in unit.problem_before


def test_table_lists_a_few_problems_per_refused_unit(tmp_path: Path) -> None:
    """The table shows three problems of a refused unit and says how many more there are."""
    old, new, _ = small_files(tmp_path)
    data = tmp_path / "many.csv"
    data.write_text("unit,rate,ok,x1,x2,x3,x4\na,99%,true,1,2,3,4\n", encoding="utf-8")
    _, out, _ = run("diff", old, new, "--inputs", data)
    line = next(line for line in out.splitlines() if line.startswith("  a (line 2), old"))
    assert line.endswith("; … and 1 more")


def test_change_per_indicator() -> None:
    """Per indicator: units counted and changed, exact sum, mean, min and max of after − before."""
    by_code = {c.code: c for c in small_impact().indicators}
    a1 = by_code["A1"]
    assert (a1.units, a1.changed, a1.total, a1.min, a1.max) == (4, 2, Decimal(4), 0, 2)
    assert a1.mean == Fraction(1)
    assert by_code["B1"].changed == 0 and by_code["B1"].mean == 0
    assert list(by_code) == ["A", "A1", "B", "B1"]


def test_distribution_bins() -> None:
    """Totals fall into [low, high) bins, the last one closed; both sides are counted."""
    result = small_impact(bin_width=5)
    assert [(b.label, b.before, b.after) for b in result.bins] == [
        ("[0, 5)", 1, 1), ("[5, 10)", 1, 0), ("[10, 15)", 0, 1), ("[15, 20]", 2, 2)]


def test_default_bin_width_keeps_twenty_bins_or_fewer() -> None:
    """Without a width, bins are as narrow as 20 bins allow."""
    result = small_impact()
    assert len(result.bins) <= diff.MAX_BINS
    assert result.bins[0].high - result.bins[0].low == 1
    assert sum(b.before for b in result.bins) == 4


def test_display_round() -> None:
    """Means are rounded to 0.01, half away from zero, for display only."""
    assert diff.display_round(Fraction(1, 3)) == Decimal("0.33")
    assert diff.display_round(Fraction(2, 3)) == Decimal("0.67")
    assert diff.display_round(Fraction(1, 200)) == Decimal("0.01")
    assert diff.display_round(Fraction(-1, 200)) == Decimal("-0.01")
    assert diff.display_round(Decimal("2.5")) == Decimal("2.50")


def test_impact_follows_recoded_indicators() -> None:
    """An indicator whose code changed is compared with its old self."""
    renamed = perfrules.loads(BASE.replace(", zero if < 60%", "").replace('A1 "办理率"', 'A7 "办理率"'))
    result = diff.impact(OLD_SMALL, renamed, diff.loads_csv(SMALL_CSV))
    a7 = next(c for c in result.indicators if c.code == "A7")
    assert (a7.old_code, a7.changed) == ("A1", 0)


# ====================================================================== datasets


def test_csv_columns() -> None:
    """CSV: judgement:/reason:, adjustment:/adjustment_reason:, not_applicable and awards cells."""
    text = (
        "unit,rate,honours,judgement:A41,reason:A41,adjustment:B11,adjustment_reason:B11,"
        "not_applicable\n"
        "甲,99%,督查:省级嘉奖; 会务：国务院嘉奖,2,理由,1.5,压缩经费,C22 C31\n"
        "乙,,[],,,,,\n"
    )
    dataset = diff.loads_csv(text)
    assert dataset.problems == ()
    first, second = dataset.units
    assert first.inputs.values == {"rate": "99%", "honours": "督查:省级嘉奖; 会务：国务院嘉奖"}
    assert first.inputs.judgements == {"A41": {"score": "2", "reason": "理由"}}
    assert first.inputs.adjustments == {"B11": {"score": "1.5", "reason": "压缩经费"}}
    assert first.inputs.not_applicable == ("C22", "C31")
    assert second.inputs.values == {"honours": "[]"}  # empty cells are absent
    assert second.where == "line 3"


def test_parse_awards_cell() -> None:
    """Awards cells: item:award pairs, a YAML flow list, or a word for none."""
    assert diff.parse_awards_cell("督查:省级嘉奖; 会务：国务院嘉奖") == [
        ["督查", "省级嘉奖"], ["会务", "国务院嘉奖"]]
    assert diff.parse_awards_cell("[[督查, 省级嘉奖]]") == [["督查", "省级嘉奖"]]
    assert diff.parse_awards_cell("{督查: 省级嘉奖}") == {"督查": "省级嘉奖"}
    for none in ("[]", "无", "none"):
        assert diff.parse_awards_cell(none) == []
    with pytest.raises(ValueError, match="item:award"):
        diff.parse_awards_cell("省级嘉奖")


def test_csv_bad_rows_are_reported_with_line_numbers() -> None:
    """Rows with the wrong cell count, no unit, a repeated unit or a reason alone are skipped."""
    text = (
        "# comment one\n"
        "# comment two\n"
        "unit,rate,reason:A41\n"
        "a,99%,\n"
        "b,99%\n"
        ",98%,\n"
        "a,97%,\n"
        '"c\n(two lines)",96%,\n'
        "d,95%,为何\n"
        "\n"
        "e,94%,\n"
    )
    dataset = diff.loads_csv(text, source="units.csv")
    assert [u.code for u in dataset.units] == ["a", "c\n(two lines)", "e"]
    assert [u.where for u in dataset.units] == ["line 4", "line 8", "line 12"]
    assert [(p.where, p.unit) for p in dataset.problems] == [
        ("line 5", "b"), ("line 6", None), ("line 7", "a"), ("line 10", "d")]
    messages = [p.message for p in dataset.problems]
    assert "has 2 cells; the header has 3" in messages[0]
    assert messages[1] == "has no unit name"
    assert "first on line 4" in messages[2]
    assert "no judgement score" in messages[3]


@pytest.mark.parametrize(("header", "message"), [
    ("rate,ok", "no 'unit' column"),
    ("unit,rate,rate", "appears twice"),
    ("unit,judgement:", "names no indicator"),
    ("", "no header row"),
])
def test_csv_bad_header_is_a_dataset_error(header: str, message: str) -> None:
    """A CSV whose header is unusable cannot be read at all: DatasetError, saying why."""
    with pytest.raises(diff.DatasetError, match=message):
        diff.loads_csv(header + ("\n" if header else ""))


def test_jsonl_reader() -> None:
    """JSON lines: one inputs-file-shaped object per line; bad lines reported by number."""
    lines = [
        json.dumps({"unit": "a", "inputs": {"rate": "99%"}, "judgements": {"A41": 2}}),
        "",
        "{not json",
        "[1, 2]",
        json.dumps({"inputs": {"rate": "98%"}}),
        json.dumps({"unit": "b", "inputs": {"rate": 97.5}, "colour": "red"}),
        json.dumps({"unit": "a", "inputs": {}}),
        json.dumps({"unit": "c", "inputs": {"rate": 96.25}, "not_applicable": ["C22"]}),
    ]
    dataset = diff.loads_jsonl("\n".join(lines))
    assert [(u.code, u.where) for u in dataset.units] == [("a", "line 1"), ("c", "line 8")]
    assert dataset.units[1].inputs.values["rate"] == Decimal("96.25")
    assert dataset.units[1].inputs.not_applicable == ("C22",)
    assert [(p.where, p.unit) for p in dataset.problems] == [
        ("line 3", None), ("line 4", None), ("line 5", None), ("line 6", "b"), ("line 7", "a")]
    assert "colour" in dataset.problems[3].message


def test_folder_reader(tmp_path: Path) -> None:
    """A folder: every YAML/JSON/TOML file in name order; the file's stem names a nameless unit."""
    (tmp_path / "b.yaml").write_text("unit: 乙\ninputs: {rate: 99%}\n", encoding="utf-8")
    (tmp_path / "a.json").write_text('{"inputs": {"rate": "98%"}}', encoding="utf-8")
    (tmp_path / "c.yaml").write_text("inputs: [1\n", encoding="utf-8")
    (tmp_path / "d.toml").write_text('unit = "乙"\n[inputs]\nrate = "97%"\n', encoding="utf-8")
    (tmp_path / "notes.txt").write_text("ignored", encoding="utf-8")
    dataset = diff.read_dataset(tmp_path)
    assert dataset.format == "folder"
    assert [(u.code, u.where) for u in dataset.units] == [("a", "file a.json"),
                                                          ("乙", "file b.yaml")]
    assert [p.where for p in dataset.problems] == ["file c.yaml", "file d.toml"]
    assert "YAML" in dataset.problems[0].message and "repeats" in dataset.problems[1].message


def test_read_dataset_by_suffix(tmp_path: Path) -> None:
    """The format follows the path: .csv, .jsonl, a folder, one inputs file; others refused."""
    csv_file = tmp_path / "u.csv"
    csv_file.write_text(SMALL_CSV, encoding="utf-8")
    jsonl = tmp_path / "u.jsonl"
    jsonl.write_text('{"unit": "a", "inputs": {"rate": "99%"}}\n', encoding="utf-8")
    single = tmp_path / "单位.yaml"
    single.write_text("inputs: {rate: 99%}\n", encoding="utf-8")
    assert diff.read_dataset(csv_file).format == "csv"
    assert diff.read_dataset(jsonl).format == "jsonl"
    one = diff.read_dataset(single)
    assert (one.format, [u.code for u in one.units]) == ("file", ["单位"])
    with pytest.raises(diff.DatasetError, match="cannot tell"):
        diff.read_dataset(tmp_path / "u.xlsx")
    with pytest.raises(diff.DatasetError, match="no such file"):
        diff.read_dataset(tmp_path / "missing.csv")


def test_awards_cell_problem_makes_the_unit_invalid() -> None:
    """A malformed awards cell is that unit's problem under the framework, not a crash."""
    fw = perfrules.loads(LEVELS)
    data = diff.loads_csv("unit,quality,honours\na,好,省级\nb,好,督查:省级\n")
    result = diff.impact(fw, fw, data)
    assert [u.valid for u in result.units] == [False, True]
    assert "item:award" in (result.units[0].problem_before or "")
    assert result.units[1].total_after == Decimal(12)


# ====================================================================== outputs


def small_files(tmp_path: Path) -> tuple[Path, Path, Path]:
    """The small old and new frameworks and the hand-made CSV, written to tmp_path."""
    old = tmp_path / "old.rules"
    new = tmp_path / "new.rules"
    data = tmp_path / "units.csv"
    old.write_text(BASE.replace(", zero if < 60%", ""), encoding="utf-8")
    new.write_text(BASE.replace(", zero if < 60%", "").replace(">= 99%", ">= 95%"),
                   encoding="utf-8")
    data.write_text(SMALL_CSV, encoding="utf-8")
    return old, new, data


def test_cli_table(tmp_path: Path) -> None:
    """The table shows the change in words, the summary, the grade change and the refused unit."""
    old, new, data = small_files(tmp_path)
    status, out, err = run("diff", old, new, "--inputs", data)
    assert status == 0, err
    assert "A1 办理率: threshold 99% → 95%" in out
    assert "grade changes: 1 (1 up, 0 down)" in out
    assert "u3" in out and "差" in out and "中" in out
    assert "u5 (line 7), old framework:" in out
    assert "Distribution of totals" in out


def test_cli_table_without_dataset(tmp_path: Path) -> None:
    """Without --inputs only the structural changes are shown."""
    old, new, _ = small_files(tmp_path)
    status, out, _ = run("diff", old, new)
    assert status == 0
    assert "threshold 99% → 95%" in out and "--inputs" in out
    status, out, _ = run("diff", old, old)
    assert "Structural changes: none" in out


def test_cli_units_option(tmp_path: Path) -> None:
    """--units lists every unit, the refused one with dashes."""
    old, new, data = small_files(tmp_path)
    _, out, _ = run("diff", old, new, "--inputs", data, "--units")
    assert "Every unit: 5" in out
    assert any(line.split()[:2] == ["u5", "—"] for line in out.splitlines())


def test_cli_json_shape(tmp_path: Path) -> None:
    """--format json has structural, units (code, totals, grades) and grade_changes, exact."""
    old, new, data = small_files(tmp_path)
    status, out, _ = run("diff", old, new, "--inputs", data, "--format", "json")
    assert status == 0
    payload = json.loads(out)
    assert payload["structural"] == [{"kind": "threshold", "code": "A1",
                                      "words": "A1 办理率: threshold 99% → 95%",
                                      "before": "99%", "after": "95%", "scoring": True}]
    units = {u["code"]: u for u in payload["units"]}
    assert set(units) == {"u1", "u2", "u3", "u4", "u5"}
    for unit in payload["units"]:
        assert {"code", "total_before", "total_after", "grade_before", "grade_after"} <= set(unit)
    assert (units["u2"]["total_before"], units["u2"]["total_after"]) == (18, 20)
    assert units["u5"]["total_before"] is None and units["u5"]["problem_after"]
    assert [(g["code"], g["grade_before"], g["grade_after"], g["direction"])
            for g in payload["grade_changes"]] == [("u3", "差", "中", "up")]
    assert payload["summary"]["total_change"] == {"mean": 1, "min": 0, "max": 2}
    a1 = next(i for i in payload["indicators"] if i["code"] == "A1")
    assert (a1["mean"], a1["sum"], a1["changed"], a1["units"]) == (1, 4, 2, 4)
    assert sum(b["before"] for b in payload["distribution"]) == 4
    assert payload["dataset"]["problems"] == []


def test_cli_json_without_dataset(tmp_path: Path) -> None:
    """Without a dataset the JSON still has structural, and empty units and grade_changes."""
    old, new, _ = small_files(tmp_path)
    payload = json.loads(run("diff", old, new, "--format", "json")[1])
    assert len(payload["structural"]) == 1
    assert payload["units"] == [] and payload["grade_changes"] == [] and payload["dataset"] is None


class _Checker(HTMLParser):
    """Checks that tags nest and close properly, and collects the tags and attributes seen."""

    VOID = frozenset({"meta", "br", "hr", "img", "input", "link", "area", "base", "col", "wbr"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes.extend(attrs)
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes.extend(attrs)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1] if self.stack else 'nothing'}")
        else:
            self.stack.pop()


def test_cli_html_is_well_formed_and_self_contained(tmp_path: Path) -> None:
    """-o writes one HTML page: tags balanced, an inline <svg>, no script, nothing external."""
    old, new, data = small_files(tmp_path)
    page = tmp_path / "diff.html"
    status, out, err = run("diff", old, new, "--inputs", data, "--format", "html", "-o", page)
    assert status == 0 and out == "" and "wrote" in err
    text = page.read_text(encoding="utf-8")
    checker = _Checker()
    checker.feed(text)
    checker.close()
    assert checker.errors == [] and checker.stack == []
    assert text.startswith("<!DOCTYPE html>")
    assert "svg" in checker.tags and "rect" in checker.tags and "style" in checker.tags
    assert "script" not in checker.tags and "link" not in checker.tags
    lowered = text.lower()
    assert 'src="http' not in lowered and 'href="http' not in lowered
    assert not any(name in ("src", "href") for name, _ in checker.attributes)
    assert "A1 办理率: threshold 99% → 95%" in text
    assert "u3" in text and "@media print" in text


def test_html_escapes_text(tmp_path: Path) -> None:
    """Names with markup characters are escaped in the page."""
    old, new, data = small_files(tmp_path)
    new.write_text(new.read_text(encoding="utf-8").replace('A1 "办理率"', 'A1 "<b>率</b>"'),
                   encoding="utf-8")
    status, out, _ = run("diff", old, new, "--inputs", data, "--format", "html")
    assert status == 0
    assert "<b>率</b>" not in out and "&lt;b&gt;率&lt;/b&gt;" in out


def test_cli_errors(tmp_path: Path) -> None:
    """A bad rule file or dataset exits 1 with a message; a bad --bin-width is a usage error."""
    old, new, data = small_files(tmp_path)
    broken = tmp_path / "broken.rules"
    broken.write_text('framework "x" {\n', encoding="utf-8")
    status, _, err = run("diff", old, broken)
    assert status == 1 and "broken.rules" in err
    no_unit = tmp_path / "no_unit.csv"
    no_unit.write_text("rate\n99%\n", encoding="utf-8")
    status, _, err = run("diff", old, new, "--inputs", no_unit)
    assert status == 1 and "no 'unit' column" in err
    assert run("diff", old, new, "--inputs", data, "--bin-width", "zero")[0] == 2
    assert run("diff", old, new, "--inputs", data, "--bin-width", "-5")[0] == 2
    assert run("diff", old, new, "--format", "xml")[0] == 2


def test_comparison_api() -> None:
    """`diff_report.Comparison` gathers both frameworks, the changes and the impact."""
    comparison = diff_report.Comparison(OLD_SMALL, NEW_SMALL, diff.loads_csv(SMALL_CSV))
    assert comparison.old_name == "old.rules"
    assert len(comparison.changes) == 1
    assert comparison.impact is not None and len(comparison.impact.grade_changes) == 1


# ====================================================================== shipped data and docs


def test_generator_is_deterministic(tmp_path: Path) -> None:
    """Running the generator twice gives identical bytes, the same as the shipped CSV."""
    outputs = []
    for name in ("one.csv", "two.csv"):
        target = tmp_path / name
        done = subprocess.run([sys.executable, str(SCRIPT), "--output", str(target)],
                              capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 0, done.stderr
        outputs.append(target.read_bytes())
    assert outputs[0] == outputs[1] == SYNTHETIC.read_bytes()


def test_synthetic_units_are_labelled_and_valid() -> None:
    """The shipped dataset says it is synthetic, and its 200 units all score under Nanjing."""
    assert SYNTHETIC.read_text(encoding="utf-8").startswith("# SYNTHETIC DATA")
    dataset = diff.read_dataset(SYNTHETIC)
    assert len(dataset.units) == 200 and dataset.problems == ()
    framework = perfrules.load(RULES)
    result = diff.impact(framework, framework, dataset)
    assert len(result.valid) == 200
    grades = {u.grade_before for u in result.units}
    assert {"优秀", "良好"} <= grades
    assert sum(1 for u in result.units if u.scores_before["F1"]) > 20
    assert sum(1 for u in result.units if u.scores_before["F2"]) > 5
    assert sum(1 for u in result.units if u.scores_before["B12"] == 0) > 5


def test_worked_example_figures() -> None:
    """Lowering C11's bar to 95% moves 61 totals by +2 and changes 9 grades, all up."""
    comparison = diff_report.Comparison(perfrules.load(RULES), perfrules.load(VARIANT),
                                        diff.read_dataset(SYNTHETIC))
    result = comparison.impact
    assert result is not None
    assert sum(1 for u in result.valid if u.total_change) == 61
    assert {u.total_change for u in result.valid} <= {Decimal(0), Decimal(2), Decimal("0.94")}
    assert len(result.grade_changes) == 9
    assert {result.direction(u) for u in result.grade_changes} == {"up"}


def test_docs_show_the_real_output(monkeypatch: pytest.MonkeyPatch) -> None:
    """docs/diff.md shows exactly what `perfrules diff` prints for the worked example."""
    monkeypatch.chdir(ROOT)
    doc = DOC.read_text(encoding="utf-8")
    marker = "<!-- output: perfrules diff (table) -->\n```text\n"
    start = doc.index(marker) + len(marker)
    shown = doc[start:doc.index("```", start)]
    status, out, _ = run("diff", "frameworks/nanjing-2024/framework.rules",
                         "frameworks/nanjing-2024/variants/file-rate-95.rules",
                         "--inputs", "frameworks/nanjing-2024/synthetic-units.csv")
    assert status == 0
    assert shown == out
