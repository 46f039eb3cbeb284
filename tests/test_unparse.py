"""Writing a syntax tree back as rule text: perfrules.unparse."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

import perfrules
from perfrules import ast
from perfrules.syntax import parser
from perfrules.unparse import is_bare_name, keywords, unparse

ROOT = Path(__file__).resolve().parent.parent
NANJING = ROOT / "frameworks" / "nanjing-2024" / "framework.rules"


def parses(text: str) -> bool:
    try:
        perfrules.parse(text)
    except perfrules.RuleFileError:
        return False
    return True


def rule_files() -> list[object]:
    """Every rule file of the repository that parses (the fixtures include syntax errors)."""
    paths = sorted((ROOT / "frameworks").rglob("*.rules"))
    paths += sorted((ROOT / "tests" / "fixtures").rglob("*.rules"))
    return [
        pytest.param(path, id=str(path.relative_to(ROOT)))
        for path in paths
        if parses(path.read_text(encoding="utf-8"))
    ]


def doc_examples() -> list[object]:
    """Every ```perfrules block of docs/*.md that parses (the error catalogue's do not)."""
    found = []
    for doc in sorted((ROOT / "docs").glob("*.md")):
        blocks = re.findall(r"```perfrules\n(.*?)```", doc.read_text(encoding="utf-8"), re.S)
        for number, text in enumerate(blocks):
            if parses(text):
                found.append(pytest.param(text, id=f"{doc.stem}-{number}"))
    return found


def round_trips(text: str) -> None:
    tree = perfrules.parse(text)
    written = unparse(tree)
    again = perfrules.parse(written)
    assert again == tree
    assert unparse(again) == written


# ------------------------------------------------------------------ whole files


def test_nanjing_round_trips() -> None:
    """The Nanjing file parses, unparses and parses again to an equal tree, and the text is stable."""
    round_trips(NANJING.read_text(encoding="utf-8"))


def test_nanjing_unparsed_still_loads_and_scores_the_same() -> None:
    """The canonical text of the Nanjing framework loads and scores the 2024 unit identically."""
    original = perfrules.load(NANJING)
    rewritten = perfrules.loads(unparse(original.ast))
    unit = perfrules.read_inputs(NANJING.parent / "inputs-2024.yaml")
    first, second = original.score(unit), rewritten.score(unit)
    assert first.total == second.total
    assert [first[c].score for c in first] == [second[c].score for c in second]


@pytest.mark.parametrize("path", rule_files())
def test_rule_files_round_trip(path: Path) -> None:
    """Every rule file in the repository that parses round-trips through unparse."""
    round_trips(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("text", doc_examples())
def test_documented_examples_round_trip(text: str) -> None:
    """Every rule file shown in the documentation round-trips through unparse."""
    round_trips(text)


# ------------------------------------------------------------------ canonical texts

CANONICAL = [
    'framework "最小" {\n}\n',
    """framework "示例" {
  year 2024
  total 100 capped
  counting per full step
  not applicable rescale
  grades {
    优秀 >= 90
    良好 > 80
    "C" otherwise
  }
  veto if accident: at most 良好
  veto if discipline: down 1
}

inputs {
  accident: bool
  discipline: bool
  rate: percent range 0%..120% "文件办理率"
  money_spent: money unit "万元" range 0.. "“三公”经费"
  n: count range ..10
  lv: level (好, 较好, "full", "Excellent")
  honours: awards (国务院嘉奖, "say \\"hi\\"")
}

A "部门履职" 100 {
  description "说明"
  criterion "办理比率在99%以上得10分"
  not applicable zero
  allow cap mismatch
  A1 "文件办理率" 10 {
    threshold rate >= 99% full, each 5% lower deduct 2 per started step, each 1% higher add 0.5 pro rata, zero if < 60%
  }
  A2 "三公" 2.50 {
    threshold money_spent <= 0 1.5
  }
  A3 "bands" 5 {
    bands rate {
      >= 85%: 5
      [75%, 85%): 3
      (60%, 75%): full
      <= 60%: 0
    }
  }
  A4 "deduct" 5 {
    deduct 0.5 per n, 2 if accident, at most 4
  }
  A5 "baseline" 10 {
    baseline money_spent at 100 scores 6, each 1 lower deduct 1, each 1 higher add 0.5 per full step
  }
  A6 "deviation" 8 {
    deviation money_spent from 100 within ±5%, each 1% beyond deduct 1
  }
  A7 "levels" 6 {
    levels lv {
      好: 6
      较好: 60%
      "full": 0
      "Excellent": 100%
    }
  }
  A8 "judged" 2 {
    judged
  }
  A9 "combine" 30 {
    combine weighted {
      part 10 weight 0.6: proportional rate / 100%
      part 10 weight 0.4: bands rate {
        >= 50%: full
        < 50%: 0
      }
      part 10 weight 1: combine min {
        part 5: full if not accident
        part 5: 3 if discipline
      }
    }
  }
  A10 "proportional" 1 {}
}

bonus F "加分" 5 {
  bonus F1 "嘉奖" 5 {
    awards honours highest per item {
      国务院嘉奖: 3
      "say \\"hi\\"": 0.5
    }
  }
  penalty F2 "减分" 5 {
    judged
  }
}

penalty P "扣分" 3 {
  deduct 1 per n
}
""",
]


@pytest.mark.parametrize("text", CANONICAL, ids=["minimal", "every-construct"])
def test_canonical_texts_are_fixed_points(text: str) -> None:
    """A text already in canonical layout comes back from parse and unparse unchanged."""
    assert unparse(perfrules.parse(text)) == text


def test_layout_is_two_spaces_one_item_per_line() -> None:
    """Inline tables and odd spacing come out one entry per line, indented by two spaces."""
    text = (
        'framework "x" { grades { 优 >= 90; 差 otherwise } }\n'
        "inputs { r: percent ; lv: level (a, b) }\n"
        'A "a" 2 {A1 "b" 1 { bands r { >= 50%: full; < 50%: 0 } }\n'
        '  A2 "c" 1 { levels lv { a: 1, b: 0 } } }'
    )
    assert unparse(perfrules.parse(text)) == (
        'framework "x" {\n  grades {\n    优 >= 90\n    差 otherwise\n  }\n}\n\n'
        "inputs {\n  r: percent\n  lv: level (a, b)\n}\n\n"
        'A "a" 2 {\n  A1 "b" 1 {\n    bands r {\n      >= 50%: full\n      < 50%: 0\n    }\n  }\n'
        '  A2 "c" 1 {\n    levels lv {\n      a: 1\n      b: 0\n    }\n  }\n}\n'
    )


# ------------------------------------------------------------------ pieces


def test_keywords_come_from_the_grammar() -> None:
    """The keyword set is the grammar's word-like anonymous terminals, nothing typed by hand."""
    words = keywords()
    assert {"full", "threshold", "otherwise", "per", "rata", "framework"} <= words
    literal = {t.pattern.value for t in parser().terminals if t.pattern.type == "str"}
    assert words <= literal
    assert not words & {"{", "}", "..", ",", ";", ":"}


@pytest.mark.parametrize(
    ("label", "bare"),
    [("较好", True), ("rate_2", True), ("a·b", True), ("full", False), ("otherwise", False),
     ("Excellent", False), ("2nd", False), ("优 秀", False), ("", False), ('say "hi"', False),
     ("一般（含）", False)],
)
def test_labels_are_quoted_only_when_they_cannot_be_names(label: str, bare: bool) -> None:
    """A label stays bare when it lexes as a NAME and is no keyword; otherwise it is quoted."""
    assert is_bare_name(label) is bare
    tree = ast.Framework("x", grades=(ast.GradeBand(label, None),))
    text = unparse(tree)
    assert (f"    {label} otherwise" in text) is bare
    assert perfrules.parse(text) == tree


@pytest.mark.parametrize("text", ['back\\slash', 'a "quoted" word', '\\"', "tab\there", "中文“引号”"])
def test_texts_with_quotes_and_backslashes_round_trip(text: str) -> None:
    """Quotes and backslashes in names, descriptions and units are escaped and read back."""
    tree = ast.Framework(
        text,
        inputs=(ast.InputDecl("x", ast.InputType.MONEY, unit=text, description=text),),
        indicators=(
            ast.Indicator("A", text, Decimal(1), description=text, criterion=text,
                          rule=ast.Judged()),
        ),
    )
    assert perfrules.parse(unparse(tree)) == tree


@pytest.mark.parametrize(
    ("value", "written"),
    [(Decimal("1E+2"), "100"), (Decimal("2.50"), "2.50"), (Decimal("-0.5"), "-0.5"),
     (Decimal("0.0000001"), "0.0000001"), (Decimal(7), "7")],
)
def test_numbers_have_no_exponent(value: Decimal, written: str) -> None:
    """Numbers are written positionally, digits as stored, never with an exponent."""
    tree = ast.Framework("x", indicators=(ast.Indicator("A", "a", value, rule=ast.Judged()),))
    assert f'A "a" {written} {{' in unparse(tree)
    assert perfrules.parse(unparse(tree)) == tree


def test_percents_keep_their_sign() -> None:
    """A percent literal is written with '%', a plain one without."""
    rule = ast.Threshold(
        ast.InputRef("r"),
        ast.Comparison(">=", ast.Quantity(Decimal("99.5"), True)),
        None,
        cutoff=ast.Comparison("<", ast.Quantity(Decimal(60), False)),
    )
    tree = ast.Framework("x", indicators=(ast.Indicator("A", "a", Decimal(1), rule=rule),))
    assert "threshold r >= 99.5% full, zero if < 60" in unparse(tree)


@pytest.mark.parametrize(
    "tree",
    [
        ast.Framework("x", inputs=(ast.InputDecl("Rate", ast.InputType.BOOL),)),
        ast.Framework("x", indicators=(ast.Indicator("a1", "a", Decimal(1), rule=ast.Judged()),)),
        ast.Framework("x", inputs=(ast.InputDecl("lv", ast.InputType.LEVEL),)),
        ast.Framework("x", total_capped=True),
        ast.Framework("x", vetoes=(ast.Veto(ast.InputRef("x")),)),
        ast.Framework("x", indicators=(ast.Indicator("A", "a", Decimal(1), rule=ast.Baseline(
            ast.InputRef("x"), ast.Quantity(Decimal(1)), Decimal(1), None, None)),)),
        ast.Framework("x", indicators=(ast.Indicator("A", "a", Decimal(1), rule=ast.Bands(
            ast.InputRef("x"), (ast.Band(ast.Interval(None, False, None, False), None),))),)),
        ast.Framework("x", indicators=(ast.Indicator("A", "a", Decimal("NaN"), rule=ast.Judged()),)),
    ],
    ids=["input-name", "code", "level-without-levels", "capped-without-total", "empty-veto",
         "baseline-without-steps", "unbounded-band", "nan"],
)
def test_inexpressible_trees_raise_value_error(tree: ast.Framework) -> None:
    """A tree that no rule text can express raises ValueError instead of writing another tree."""
    with pytest.raises(ValueError):
        unparse(tree)
