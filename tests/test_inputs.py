"""Reading a unit's inputs and validating them against a framework."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from perfrules import ast
from perfrules.build import to_ast
from perfrules.check import CheckedFramework, index
from perfrules.errors import InputError
from perfrules.inputs import (
    Judgement,
    UnitInputs,
    ValidInputs,
    _Problem,
    coerce_value,
    from_mapping,
    loads_inputs,
    read_inputs,
    validate,
)
from perfrules.source import Source
from perfrules.syntax import parse_tree

NANJING_DIR = Path(__file__).resolve().parent.parent / "frameworks" / "nanjing-2024"


def checked(text: str) -> CheckedFramework:
    src = Source("<test>", text)
    return index(to_ast(parse_tree(src), src), "<test>")


SMALL = checked(
    """
framework "small" { counting per full step }
inputs {
  r: percent "rate"
  n: count range 0..50
  ok: bool
  lv: level (好, 较好, 一般, 差)
  h: awards (国务院嘉奖, 省级嘉奖)
  m: money unit "万元" range 0..10
  x: number
}
A "a" 20 {
  A1 "rate" 8 { threshold r >= 99% full, each 5% lower deduct 2 }
  A2 "judged" 2 { judged }
  A3 "count" 2 { deduct 1 per n }
  A4 "flag" 2 { full if ok }
  A5 "level" 2 { levels lv { 好: 2, 较好: 1.5, 一般: 1, 差: 0 } }
  A6 "money" 2 { threshold m <= 0 full }
  A7 "number" 2 { proportional x / 100 }
}
bonus B "bonus" 3 {
  B1 "awards" 3 { awards h highest per item { 国务院嘉奖: 3, 省级嘉奖: 2 } }
}
penalty P "penalty" 5 {
  P1 "deductions" 5 { judged }
}
"""
)

GOOD_VALUES = {
    "r": "99%",
    "n": 3,
    "ok": True,
    "lv": "好",
    "h": [],
    "m": 0,
    "x": 100,
}
GOOD_JUDGEMENTS = {"A2": {"score": 2}, "P1": 0}

WITH_POLICIES = checked(
    """
framework "na" { not applicable rescale }
inputs { r: percent  s: percent  ok: bool }
A "a" 10 {
  A1 "r" 5 { threshold r >= 90% full }
  A2 "s" 5 { threshold s >= 90% full }
}
B "b" 10 {
  B1 "s and judged" 5 { threshold s >= 80% full }
  B2 "judged" 5 { judged }
}
"""
)

NO_POLICY = checked(
    """
framework "none" { }
inputs { r: percent }
A "a" 10 {
  A1 "r" 5 { threshold r >= 90% full }
  A2 "zero" 5 { not applicable zero
    threshold r >= 80% full }
}
"""
)


def decl(source: str) -> ast.InputDecl:
    """The single input declared by ``source``, an inputs-block line."""
    fw = checked(f'framework "t" {{ }}\ninputs {{ {source} }}\n')
    (only,) = fw.inputs.values()
    return only


def problem_of(declaration: str, value: object) -> _Problem:
    with pytest.raises(_Problem) as caught:
        coerce_value(decl(declaration), value)
    return caught.value


def problems(fw: CheckedFramework, data: UnitInputs) -> dict[str, str]:
    with pytest.raises(InputError) as caught:
        validate(fw, data)
    return {p.name: str(p) for p in caught.value.problems}


def unit(values=None, judgements=None, **kwargs) -> UnitInputs:
    return UnitInputs(
        GOOD_VALUES if values is None else values,
        GOOD_JUDGEMENTS if judgements is None else judgements,
        **kwargs,
    )


# ---------------------------------------------------------------- percent


@pytest.mark.parametrize(
    "value, expected",
    [
        ("99%", Decimal("99")),
        ("99.5%", Decimal("99.5")),
        ("９９％", Decimal("99")),
        ("９９．５％", Decimal("99.5")),
        (99, Decimal("99")),
        (Decimal("99.25"), Decimal("99.25")),
        ("99", Decimal("99")),
        (" 100 % ", Decimal("100")),
        ("0.5%", Decimal("0.5")),
        (0, Decimal("0")),
        (1, Decimal("1")),
    ],
)
def test_percent_forms_are_percentage_points(value, expected):
    """Every accepted way of writing a percent gives the same percentage points."""
    coerced = coerce_value(decl("r: percent"), value)
    assert coerced == expected and isinstance(coerced, Decimal)


def test_percent_float_is_converted_exactly():
    """A float percent is read through its shortest text, never as a binary fraction."""
    assert str(coerce_value(decl("r: percent"), 99.5)) == "99.5"
    assert str(coerce_value(decl("r: percent"), 99.1)) == "99.1"


@pytest.mark.parametrize("value", ["0.99", 0.99, Decimal("0.99")])
def test_percent_between_zero_and_one_is_ambiguous(value):
    """A plain number strictly between 0 and 1 is rejected with a hint on writing it."""
    problem = problem_of("r: percent", value)
    assert "ambiguous" in problem.message
    assert problem.hint == "write 99% for 99 percent; 0.99 could mean 0.99% or 99%"


def test_percent_out_of_default_range():
    """A percent above 100% is out of the default range 0%–100%."""
    assert problem_of("r: percent", "120%").message == "120% is out of range 0%–100%"


def test_percent_declared_range():
    """A declared percent range replaces the default one."""
    assert coerce_value(decl("r: percent range 0..150"), "120%") == Decimal(120)
    assert "out of range 50%–100%" in problem_of("r: percent range 50%..100%", "40%").message


@pytest.mark.parametrize("value", [float("nan"), float("inf"), "NaN", "Infinity", Decimal("NaN")])
def test_percent_rejects_nan_and_infinity(value):
    """NaN and infinity are not percents, whether floats, Decimals or strings."""
    assert "number" in problem_of("r: percent", value).message


@pytest.mark.parametrize("value", [True, False])
def test_percent_rejects_bools(value):
    """A bool is not a percent even though Python counts it as an int."""
    assert "is not a number" in problem_of("r: percent", value).message


def test_percent_rejects_other_text():
    """Text that is not a number is rejected, saying what was expected."""
    assert "expected a percent such as 99%" in problem_of("r: percent", "high").message


# ---------------------------------------------------------------- number, money


def test_number_and_money_are_decimals():
    """Numbers and money keep their exact decimal value."""
    assert coerce_value(decl("x: number"), "1234.50") == Decimal("1234.50")
    assert coerce_value(decl('m: money unit "万元"'), 2.5) == Decimal("2.5")
    assert coerce_value(decl("x: number"), "-3") == Decimal(-3)


def test_number_rejects_thousands_separators():
    """A comma-separated number is rejected rather than guessed."""
    problem = problem_of("x: number", "1,234.5")
    assert "not a number" in problem.message and "separators" in problem.hint


def test_number_rejects_percent_sign():
    """Only percent inputs take a % sign."""
    assert "only for percent" in problem_of("x: number", "5%").hint


def test_money_range_names_the_unit():
    """An out-of-range amount is shown with the declared unit."""
    message = problem_of('m: money unit "万元" range 0..10', 12).message
    assert message == "12 万元 is out of range 0 万元–10 万元"


def test_open_ranges():
    """A range with one end says which bound was broken."""
    assert "below the minimum 0" in problem_of("x: number range 0..", -1).message
    assert "above the maximum 5" in problem_of("x: number range ..5", 6).message


def test_too_many_significant_digits():
    """A value with more than 28 significant digits is rejected."""
    assert "significant digits" in problem_of("x: number", "1." + "1" * 28).message
    assert coerce_value(decl("x: number"), "1." + "1" * 27) == Decimal("1." + "1" * 27)


# ---------------------------------------------------------------- count


@pytest.mark.parametrize(
    "value, expected", [(3, 3), (3.0, 3), ("3", 3), (Decimal("3.00"), 3), (0, 0)]
)
def test_count_accepts_whole_numbers(value, expected):
    """Whole numbers, including 3.0, become ints."""
    coerced = coerce_value(decl("n: count"), value)
    assert coerced == expected and type(coerced) is int


@pytest.mark.parametrize(
    "value, words", [(3.5, "not a whole number"), (-1, "negative"), (True, "not a number")]
)
def test_count_rejects_fractions_negatives_and_bools(value, words):
    """A count is a whole number, 0 or more."""
    assert words in problem_of("n: count", value).message


def test_count_declared_range():
    """A count above its declared range is rejected."""
    assert problem_of("n: count range 0..50", 51).message == "51 is out of range 0–50"


# ---------------------------------------------------------------- bool


@pytest.mark.parametrize(
    "value, expected",
    [
        (True, True),
        (False, False),
        ("true", True),
        ("FALSE", False),
        ("Yes", True),
        ("no", False),
        ("是", True),
        ("否", False),
        (" ｙｅｓ ", True),
    ],
)
def test_bool_forms(value, expected):
    """Bools and the words true/false/yes/no/是/否 are accepted."""
    assert coerce_value(decl("ok: bool"), value) is expected


@pytest.mark.parametrize("value", [1, 0, "1", "maybe", None])
def test_bool_rejects_numbers_and_other_words(value):
    """Anything else, including 0 and 1, is rejected."""
    assert "expected true or false" in problem_of("ok: bool", value).message


# ---------------------------------------------------------------- level


def test_level_accepts_declared_names_after_normalising():
    """A level name matches after NFKC normalisation and stripping."""
    assert coerce_value(decl("lv: level (好, 较好, 差)"), " 较好 ") == "较好"
    assert coerce_value(decl('lv: level ("A", "B")'), "Ａ") == "A"


def test_level_unknown_lists_choices_and_suggests():
    """An unknown level lists the declared ones and suggests the closest."""
    problem = problem_of("lv: level (good, fair, poor)", "goood")
    assert "expected one of good, fair, poor" in problem.message
    assert problem.hint == "did you mean 'good'?"


# ---------------------------------------------------------------- awards


AWARDS = "h: awards (国务院嘉奖, 省级嘉奖)"


@pytest.mark.parametrize(
    "value",
    [
        [{"item": "政务公开", "award": "省级嘉奖"}, {"item": "督查", "award": "国务院嘉奖"}],
        [["政务公开", "省级嘉奖"], ("督查", "国务院嘉奖")],
        {"政务公开": "省级嘉奖", "督查": ["国务院嘉奖"]},
    ],
)
def test_award_forms(value):
    """Awards may be entries, pairs, or a mapping from item to award(s)."""
    assert coerce_value(decl(AWARDS), value) == (("政务公开", "省级嘉奖"), ("督查", "国务院嘉奖"))


def test_awards_mapping_to_several_awards():
    """One item may list several awards."""
    value = {"政务公开": ["省级嘉奖", "国务院嘉奖"]}
    assert coerce_value(decl(AWARDS), value) == (("政务公开", "省级嘉奖"), ("政务公开", "国务院嘉奖"))


def test_awards_empty_list():
    """No awards is an empty tuple."""
    assert coerce_value(decl(AWARDS), []) == ()


@pytest.mark.parametrize(
    "entry", [{"award": "省级嘉奖"}, {"item": " ", "award": "省级嘉奖"}, [None, "省级嘉奖"]]
)
def test_award_without_item_is_rejected(entry):
    """Every award needs its work item, since awards for one item do not add up."""
    assert "names no work item" in problem_of(AWARDS, [entry]).message


def test_unknown_award_is_rejected_with_suggestion():
    """An award not declared is rejected, naming the declared ones."""
    problem = problem_of(AWARDS, [{"item": "x", "award": "省级嘉"}])
    assert "expected one of 国务院嘉奖, 省级嘉奖" in problem.message
    assert problem.hint == "did you mean '省级嘉奖'?"


@pytest.mark.parametrize(
    "value", ["省级嘉奖", 3, [{"item": "x", "award": "省级嘉奖", "year": 2024}], [["x"]]]
)
def test_malformed_awards(value):
    """Awards in any other shape are rejected."""
    with pytest.raises(_Problem):
        coerce_value(decl(AWARDS), value)


# ---------------------------------------------------------------- validate: values


def test_valid_inputs_are_coerced():
    """A complete, correct unit validates into coerced values and judgements."""
    valid = validate(SMALL, unit(unit="u"))
    assert isinstance(valid, ValidInputs)
    assert valid.unit == "u"
    assert valid.values["r"] == Decimal(99) and valid.values["n"] == 3
    assert valid.judgements == {
        "A2": Judgement(Decimal(2), None),
        "P1": Judgement(Decimal(0), None),
    }
    assert valid.adjustments == {} and valid.not_applicable == frozenset()


def test_all_problems_are_reported_together():
    """Every wrong, unknown and missing value is reported in one error."""
    values = dict(GOOD_VALUES, r="0.99", n=3.5, ok=1, lv="很好", rr=1)
    del values["x"]
    found = problems(SMALL, unit(values, unit="南京市人民政府办公厅", file="u.yaml"))
    assert set(found) == {"r", "n", "ok", "lv", "rr", "x"}
    assert "is missing" in found["x"]


def test_error_names_unit_and_file():
    """The error message says which unit and which file."""
    with pytest.raises(InputError) as caught:
        validate(SMALL, unit(dict(GOOD_VALUES, r="120%"), unit="某单位", file="u.yaml"))
    assert caught.value.unit == "某单位" and caught.value.file == "u.yaml"
    assert str(caught.value).startswith("u.yaml: unit '某单位' has 1 input problem(s)")
    assert "r: 120% is out of range 0%–100%" in str(caught.value)


def test_unknown_input_suggests_a_name():
    """An undeclared input is reported with the closest declared name."""
    found = problems(SMALL, unit(dict(GOOD_VALUES, okk=True)))
    assert "did you mean 'ok'?" in found["okk"]


def test_missing_input():
    """An input that an applicable rule uses must be given."""
    values = {k: v for k, v in GOOD_VALUES.items() if k != "r"}
    assert set(problems(SMALL, unit(values))) == {"r"}


def test_unused_declared_input_may_be_absent():
    """A declared input no rule uses is optional."""
    fw = checked(
        'framework "t" { }\n'
        "inputs { r: percent  spare: bool }\n"
        'A "a" 5 { threshold r >= 90% full }\n'
    )
    assert dict(validate(fw, UnitInputs({"r": 95})).values) == {"r": Decimal(95)}


def test_input_used_only_under_not_applicable_nodes_may_be_absent():
    """Inputs used only by leaves marked 不适用, or below such a node, may be left out."""
    valid = validate(WITH_POLICIES, UnitInputs({"r": 95}, {"B2": 5}, not_applicable=["A2", "B1"]))
    assert valid.not_applicable == frozenset({"A2", "B1"})
    assert "s" not in valid.values
    valid = validate(WITH_POLICIES, UnitInputs({"s": 95}, not_applicable=["A1", "B"]))
    assert dict(valid.values) == {"s": Decimal(95)}


def test_input_still_needed_by_an_applicable_leaf():
    """An input used by both an excluded and an applicable leaf is still required."""
    found = problems(WITH_POLICIES, UnitInputs({"r": 95}, {"B2": 5}, not_applicable=["A2"]))
    assert set(found) == {"s"}


def test_veto_input_is_required():
    """An input a veto reads must be given, since the grade depends on it."""
    fw = checked(
        'framework "t" { grades { 好 >= 60; 差 otherwise } veto if bad: at most 差 }\n'
        'inputs { bad: bool }\nA "a" 5 { judged }\n'
    )
    assert set(problems(fw, UnitInputs({}, {"A": 5}))) == {"bad"}


# ---------------------------------------------------------------- validate: judgements


def test_judgement_forms():
    """A judgement is {score, reason} or a bare number; a blank reason counts as none."""
    judgements = {
        "A2": {"score": "1.5", "reason": " 有待提高 "},
        "P1": {"score": 0, "reason": ""},
    }
    valid = validate(SMALL, unit(judgements=judgements))
    assert valid.judgements["A2"] == Judgement(Decimal("1.5"), "有待提高")
    assert valid.judgements["P1"] == Judgement(Decimal(0), None)


def test_judgement_problems():
    """Unknown codes, computed nodes, bad scores and missing reasons are all reported."""
    judgements = {
        "A2": {"score": 1},  # below the cap without a reason
        "P1": {"score": 6, "reason": "违纪"},  # above the cap
        "A1": {"score": 8},  # not judged
        "A9": 1,  # no such indicator
    }
    found = problems(SMALL, unit(judgements=judgements))
    assert set(found) == {"A2", "P1", "A1", "A9"}
    assert "needs a written reason" in found["A2"]
    assert "out of range 0–5" in found["P1"]
    assert "is not judged" in found["A1"]
    assert "did you mean" in found["A9"]


def test_missing_judgement():
    """A judged applicable leaf without a judgement is an error."""
    assert set(problems(SMALL, unit(judgements={"A2": 2}))) == {"P1"}


@pytest.mark.parametrize(
    "raw, words",
    [
        ({"score": "high"}, "not a number"),
        ({"reason": "x"}, "gives no score"),
        (True, "not a number"),
        ({"score": 1, "why": "x"}, "unknown keys"),
        ({"score": 1, "reason": 5}, "not text"),
        ({"score": -1, "reason": "x"}, "out of range"),
    ],
)
def test_malformed_judgement(raw, words):
    """A judgement that is not a usable score and reason is rejected."""
    assert words in problems(SMALL, unit(judgements={"A2": raw, "P1": 0}))["A2"]


def test_penalty_judgement_needs_reason_above_zero():
    """In a penalty section the judged score is a deduction: any deduction needs a reason."""
    found = problems(SMALL, unit(judgements={"A2": 2, "P1": 1}))
    assert "a deduction above 0 needs a written reason" in found["P1"]
    valid = validate(SMALL, unit(judgements={"A2": 2, "P1": {"score": 1, "reason": "违纪"}}))
    assert valid.judgements["P1"].score == 1


def test_judgement_of_not_applicable_node():
    """An indicator marked 不适用 needs no judgement and cannot be given one."""
    valid = validate(WITH_POLICIES, UnitInputs({"r": 1, "s": 1}, not_applicable=["B"]))
    assert "B2" not in valid.judgements
    found = problems(WITH_POLICIES, UnitInputs({"r": 1, "s": 1}, {"B2": 5}, not_applicable=["B"]))
    assert "marked 不适用" in found["B2"]


# ---------------------------------------------------------------- validate: adjustments


def test_adjustment_is_kept():
    """A valid adjustment becomes a Judgement with its reason."""
    valid = validate(SMALL, unit(adjustments={"A1": {"score": 7.5, "reason": "执行偏差"}}))
    assert valid.adjustments == {"A1": Judgement(Decimal("7.5"), "执行偏差")}


def test_adjustment_problems():
    """Unknown codes, out-of-range scores and missing reasons in adjustments are reported."""
    adjustments = {
        "A1": {"score": 9, "reason": "x"},
        "A4": {"score": 1},
        "A5": 1,
        "Z1": {"score": 1, "reason": "x"},
    }
    found = problems(SMALL, unit(adjustments=adjustments))
    assert set(found) == {"A1", "A4", "A5", "Z1"}
    assert "out of range 0–8" in found["A1"]
    assert "needs a written reason" in found["A4"] and "needs a written reason" in found["A5"]


def test_adjusting_a_not_applicable_node():
    """A node marked 不适用, or below one, cannot be adjusted."""
    data = UnitInputs({"s": 95}, {"B2": 5}, {"A2": {"score": 1, "reason": "x"}}, ["A"])
    assert set(problems(WITH_POLICIES, data)) == {"A2"}


# ---------------------------------------------------------------- validate: not applicable


def test_not_applicable_problems():
    """Unknown codes and codes without a policy cannot be marked 不适用."""
    found = problems(NO_POLICY, UnitInputs({"r": 95}, not_applicable=["A1", "A3"]))
    assert set(found) == {"A1", "A3"}
    assert "cannot be marked 不适用: the framework states no policy for it" in found["A1"]
    assert "no indicator named 'A3'" in found["A3"]


def test_node_policy_allows_not_applicable():
    """A node's own policy is enough when the framework states none."""
    valid = validate(NO_POLICY, UnitInputs({"r": 95}, not_applicable=["A2"]))
    assert valid.not_applicable == {"A2"}


# ---------------------------------------------------------------- reading


def test_from_mapping_plain_values():
    """A mapping without file keys is all input values."""
    data = from_mapping({"r": "99%", "ok": True}, unit="u", file="f")
    assert data == UnitInputs({"r": "99%", "ok": True}, unit="u", file="f")


def test_from_mapping_file_shape():
    """The file shape fills every part of UnitInputs."""
    data = from_mapping(
        {
            "unit": "u",
            "inputs": {"r": 1},
            "judgements": {"A2": 2},
            "adjustments": {"A1": {"score": 1, "reason": "x"}},
            "not_applicable": ["X12"],
        }
    )
    adjustments = {"A1": {"score": 1, "reason": "x"}}
    assert data == UnitInputs({"r": 1}, {"A2": 2}, adjustments, ("X12",), unit="u")


def test_from_mapping_rejects_unknown_keys_and_bad_sections():
    """Unknown top-level keys and sections of the wrong kind are all reported."""
    with pytest.raises(InputError) as caught:
        from_mapping(
            {"unit": "u", "input": {}, "judgements": [1], "not_applicable": "X1"}, file="f.yaml"
        )
    assert {p.name for p in caught.value.problems} == {"input", "judgements", "not_applicable"}
    assert "did you mean 'inputs'?" in str(caught.value)


def test_from_mapping_rejects_non_mapping():
    """A document that is not a mapping is rejected, naming the file."""
    with pytest.raises(InputError, match="f.yaml.*expected a mapping"):
        from_mapping([1, 2], file="f.yaml")  # type: ignore[arg-type]


def test_empty_sections_are_empty():
    """A section left empty in YAML counts as empty."""
    data = loads_inputs("unit: u\ninputs:\n  r: 99%\njudgements:\nnot_applicable:\n", "yaml")
    assert data.judgements == {} and data.not_applicable == ()


NANJING_YAML = """\
unit: 南京市人民政府办公厅
inputs:
  decision_system_complete: true
  decision_process_sound: true
  decision_supervision: true
  long_term_plan_clear: true
  long_term_plan_matches: true
  annual_plan_exists: true
  annual_plan_matches: true
  budget_matches_priorities: true
  budget_execution_rate: 100%
  three_public_overspend: 0
  budget_disclosed: true
  finance_rules: true
  finance_rules_followed: true
  asset_rules: true
  asset_rules_followed: true
  procurement_rules: true
  procurement_rules_followed: true
  internal_control_built: true
  internal_control_followed: true
  audit_report_issued: true
  performance_system_built: true
  performance_reports_done: true
  performance_disclosed: true
  document_handling_rate: 100%
  meeting_satisfaction: 100%
  research_satisfaction: 100%
  supervision_completion_rate: 100%
  emergency_closure_rate: 100%
  deputy_satisfaction: 100%
  cppcc_agreement_rate: 100%
  online_office_full_coverage: true
  honours: []
judgements:
  A41: {score: 2, reason: 内控制度科学性有待进一步提高}
  F2: {score: 0}
adjustments:
  B11: {score: 1.5, reason: "预算执行率虽达 100%，但年中调整幅度较大"}
"""


def nanjing() -> CheckedFramework:
    path = NANJING_DIR / "framework.rules"
    src = Source(str(path), path.read_text(encoding="utf-8"))
    return index(to_ast(parse_tree(src), src), src.name)


def test_nanjing_inputs_file(tmp_path):
    """The Nanjing office's inputs, written as YAML, validate against its framework."""
    path = tmp_path / "nanjing.yaml"
    path.write_text(NANJING_YAML, encoding="utf-8")
    data = read_inputs(path)
    assert data.unit == "南京市人民政府办公厅" and data.file == str(path)
    valid = validate(nanjing(), data)
    assert valid.values["document_handling_rate"] == Decimal(100)
    assert valid.values["honours"] == ()
    assert valid.judgements["A41"] == Judgement(Decimal(2), "内控制度科学性有待进一步提高")
    assert valid.adjustments["B11"].score == Decimal("1.5")


def test_nanjing_published_inputs_file():
    """The Nanjing inputs file shipped with the framework validates."""
    valid = validate(nanjing(), read_inputs(NANJING_DIR / "inputs-2024.yaml"))
    assert valid.unit == "南京市人民政府办公厅"
    assert valid.values["meeting_satisfaction"] == Decimal(98)
    assert set(valid.judgements) == {"A41", "F2"} and set(valid.adjustments) == {"B11"}


def test_nanjing_judgement_without_reason_is_rejected():
    """Nanjing's A41 scored below its cap must say why."""
    text = NANJING_YAML.replace("A41: {score: 2, reason: 内控制度科学性有待进一步提高}", "A41: 2")
    found = problems(nanjing(), loads_inputs(text, "yaml"))
    assert set(found) == {"A41"}


def test_json_and_toml_files(tmp_path):
    """JSON and TOML files are read by suffix; their decimals stay exact."""
    json_path = tmp_path / "u.json"
    json_path.write_text(json.dumps({"unit": "u", "inputs": {"r": 99.5}}), encoding="utf-8")
    assert read_inputs(json_path).values == {"r": Decimal("99.5")}
    toml_path = tmp_path / "u.TOML"
    toml = 'unit = "u"\nnot_applicable = ["A1"]\n[inputs]\nr = "99%"\nx = 0.1\n'
    toml_path.write_text(toml, encoding="utf-8")
    data = read_inputs(toml_path)
    assert data.values == {"r": "99%", "x": Decimal("0.1")} and data.not_applicable == ("A1",)


def test_yml_suffix_and_byte_order_mark(tmp_path):
    """A .yml file saved with a byte-order mark is read."""
    path = tmp_path / "u.yml"
    path.write_bytes("\ufeffr: ９９％\n".encode())
    fw = checked('framework "t" { }\ninputs { r: percent }\n')
    assert validate(fw, read_inputs(path)).values == {"r": Decimal(99)}


@pytest.mark.parametrize(
    "name, text, words",
    [
        ("bad.yaml", "inputs: [1\n", "not valid YAML: .* at line 2, column 1"),
        ("bad.json", '{"inputs": {"r": 1,}}', "not valid JSON: .* at line 1, column 20"),
        ("bad.toml", "inputs = [", "not valid TOML"),
        ("dup.yaml", "r: 1\nr: 2\n", "duplicate key 'r'"),
        ("dup.json", '{"r": 1, "r": 2}', "duplicate key 'r'"),
    ],
)
def test_malformed_file_names_the_file(tmp_path, name, text, words):
    """A file that does not parse is an InputError naming the file and, when known, the place."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=words) as caught:
        read_inputs(path)
    assert caught.value.file == str(path) and str(path) in str(caught.value)


def test_unknown_suffix(tmp_path):
    """A file whose suffix names no known format is rejected with the known ones."""
    path = tmp_path / "u.txt"
    path.write_text("r: 1", encoding="utf-8")
    with pytest.raises(InputError, match=r"suffix '\.txt'; use \.yaml, \.yml, \.json, \.toml"):
        read_inputs(path)


def test_not_utf8(tmp_path):
    """A file that is not UTF-8 is rejected, naming the file."""
    path = tmp_path / "u.yaml"
    path.write_bytes("r: 九十九".encode("gbk"))
    with pytest.raises(InputError, match="not UTF-8"):
        read_inputs(path)


def test_loads_inputs_unknown_format():
    """An unknown format name is an InputError."""
    with pytest.raises(InputError, match="unknown format 'xml'"):
        loads_inputs("<r/>", "xml")


def test_yaml_is_read_safely():
    """YAML tags that would build Python objects are refused."""
    with pytest.raises(InputError, match="not valid YAML"):
        loads_inputs("r: !!python/object/apply:os.system ['true']\n", "yaml")
