"""The ``perfrules`` command line: exit codes, the table, JSON, and messages for bad files."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

import perfrules
from perfrules import report
from perfrules.cli import EXIT_INVALID, EXIT_OK, EXIT_USAGE, main

NANJING = Path(__file__).resolve().parent.parent / "frameworks" / "nanjing-2024"
RULES = NANJING / "framework.rules"
INPUTS = NANJING / "inputs-2024.yaml"
UNIT = "南京市人民政府办公厅"


def run(*argv: str | Path) -> tuple[int, str, str]:
    """Run ``main`` with captured streams; returns (exit status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    status = main([str(a) for a in argv], stdout=out, stderr=err)
    return status, out.getvalue(), err.getvalue()


def nanjing_inputs(tmp_path: Path, **changes: Any) -> Path:
    """The Nanjing inputs file with some values changed (None removes the input), in tmp_path."""
    data = yaml.safe_load(INPUTS.read_text(encoding="utf-8"))
    for name, value in changes.items():
        if value is None:
            del data["inputs"][name]
        else:
            data["inputs"][name] = value
    path = tmp_path / "cli_inputs.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def walk(nodes: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Every node of a JSON indicator tree, parents before children."""
    for node in nodes:
        yield node
        yield from walk(node["children"])


# ------------------------------------------------------------------ score


def test_score_table() -> None:
    """`score` prints the seed's table headings, every row, the total 99 and the grade 优秀."""
    status, out, err = run("score", NANJING, INPUTS)
    assert status == EXIT_OK
    assert err == ""
    lines = out.splitlines()
    assert lines[0] == "南京市人民政府办公厅整体绩效评价指标框架"
    assert UNIT in lines[1]
    heading = next(line for line in lines if "一级指标" in line)
    for word in ("一级指标", "二级指标", "三级指标", "分值", "得分", "未完成指标原因分析"):
        assert word in heading
    framework = perfrules.load(NANJING)
    for code in framework.codes:
        assert any(f"{code} {framework[code].name}" in line for line in lines), code
    a41 = next(line for line in lines if "A41 预算编制科学规范" in line)
    assert a41.split()[-3:] == ["2.5", "2", "内控制度科学性有待进一步提高"]
    b11 = next(line for line in lines if "B11 部门预算执行率" in line)
    assert "1.5" in b11.split()
    assert b11.endswith("按照“过紧日子”要求压缩了项目经费；根据工作安排，调整了部分经费")
    summary = "\n".join(lines[-3:])
    assert "99" in summary and "总得分" in summary
    assert "优秀" in summary


def test_score_accepts_the_rule_file_itself() -> None:
    """`score` takes the rule file's path as well as its folder, with the same output."""
    assert run("score", RULES, INPUTS) == run("score", NANJING, INPUTS)


def test_score_json_tree() -> None:
    """`--format json` parses, totals 99 优秀, and nests every indicator with its fields."""
    status, out, err = run("score", NANJING, INPUTS, "--format", "json")
    assert status == EXIT_OK
    assert err == ""
    data = json.loads(out)
    assert data["total"] == 99
    assert data["grade"] == "优秀"
    assert data["unit"] == UNIT
    assert data["framework"] == "南京市人民政府办公厅整体绩效评价指标框架"
    assert data["year"] == 2024
    framework = perfrules.load(NANJING)
    nodes = list(walk(data["indicators"]))
    assert [n["code"] for n in nodes] == list(framework.codes)
    for node in nodes:
        for key in ("code", "name", "cap", "score", "reasons", "children"):
            assert key in node, (node["code"], key)
        assert node["name"] == framework[node["code"]].name
        assert [c["code"] for c in node["children"]] == list(framework.children(node["code"]))
    by_code = {n["code"]: n for n in nodes}
    assert by_code["A41"]["cap"] == 2.5
    assert by_code["A41"]["score"] == 2
    assert by_code["A"]["score"] == 14.5
    assert by_code["B11"]["score"] == 1.5
    assert by_code["B11"]["rule_score"] == 2
    assert any("内控制度科学性有待进一步提高" in r.get("written", "") for r in by_code["A41"]["reasons"])


def test_score_json_numbers_are_exact_text() -> None:
    """JSON numbers are written as the seed prints them (2.5, 14.5, 99), not 99.0 or 2.50."""
    _, out, _ = run("score", NANJING, INPUTS, "--format", "json")
    assert '"total": 99,' in out
    assert '"score": 14.5,' in out
    assert "99.0" not in out


def test_score_english() -> None:
    """`--locale en` prints English headings and summary; the evaluator's words stay as written."""
    status, out, err = run("score", NANJING, INPUTS, "--locale", "en")
    assert status == EXIT_OK
    assert err == ""
    assert "Cap" in out and "Score" in out
    assert "Total (of 100): 99" in out
    assert "Grade: 优秀" in out
    assert "一级指标" not in out
    assert "内控制度科学性有待进一步提高" in out


def test_score_unit_option(tmp_path: Path) -> None:
    """`--unit` names the unit when the inputs file does not."""
    data = yaml.safe_load(INPUTS.read_text(encoding="utf-8"))
    del data["unit"]
    path = tmp_path / "cli_no_unit.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    status, out, _ = run("score", NANJING, path, "--unit", "某单位", "--format", "json")
    assert status == EXIT_OK
    assert json.loads(out)["unit"] == "某单位"


# ------------------------------------------------------------------ invalid files


def test_broken_rule_file_names_line_and_column(tmp_path: Path) -> None:
    """A syntax error in the rule file exits 1 naming the file, line and column."""
    rules = tmp_path / "cli_broken.rules"
    rules.write_text(
        'framework "x" {\n  year 2024\n}\nA "a" 10 {\n  A1 "b" 10 { full if }\n}\n',
        encoding="utf-8",
    )
    status, out, err = run("score", rules, INPUTS)
    assert status == EXIT_INVALID
    assert out == ""
    assert f"{rules}:5:23:" in err
    assert "full if }" in err  # the excerpt of the offending line


def test_unsound_rule_file_lists_every_error(tmp_path: Path) -> None:
    """A rule file that parses but does not check exits 1 listing each error with its position."""
    rules = tmp_path / "cli_unsound.rules"
    rules.write_text(
        'framework "x" {\n  year 2024\n}\ninputs {\n  ok: bool "ok"\n}\n'
        'A "a" 10 {\n  A1 "b" 8 { full if ok }\n  A2 "c" 1 { full if missing_one }\n}\n',
        encoding="utf-8",
    )
    status, _, err = run("score", rules, INPUTS)
    assert status == EXIT_INVALID
    assert f"{rules}:7:1:" in err and "cap-sum-mismatch" in err
    assert f"{rules}:9:22:" in err and "missing_one" in err


def test_missing_rule_file() -> None:
    """A rule file that does not exist exits 1 naming the path."""
    status, out, err = run("score", "no/such/framework.rules", INPUTS)
    assert status == EXIT_INVALID
    assert out == ""
    assert "no/such/framework.rules" in err


@pytest.mark.parametrize(
    ("changes", "input_name", "words"),
    [
        ({"document_handling_rate": "120%"}, "document_handling_rate", "120%"),
        ({"research_satisfaction": None}, "research_satisfaction", "missing"),
        ({"meeting_satisfaction": 0.99}, "meeting_satisfaction", "ambiguous"),
        ({"budget_disclosed": "maybe"}, "budget_disclosed", "true or false"),
        ({"honours": [{"item": "防汛", "award": "国家级嘉奖"}]}, "honours", "国家级嘉奖"),
    ],
    ids=["percent-120", "missing", "ambiguous-0.99", "not-bool", "unknown-award"],
)
def test_bad_inputs_name_unit_and_input(
    tmp_path: Path, changes: dict[str, Any], input_name: str, words: str
) -> None:
    """Invalid inputs exit 1 with a message naming the unit, the input and what is wrong."""
    status, out, err = run("score", NANJING, nanjing_inputs(tmp_path, **changes))
    assert status == EXIT_INVALID
    assert out == ""
    assert UNIT in err
    problem = next(line for line in err.splitlines() if input_name in line)
    assert words in problem


def test_bad_inputs_are_all_listed(tmp_path: Path) -> None:
    """Every input problem is reported at once, not just the first."""
    path = nanjing_inputs(
        tmp_path,
        document_handling_rate="120%",
        meeting_satisfaction=0.99,
        research_satisfaction=None,
    )
    status, _, err = run("score", NANJING, path)
    assert status == EXIT_INVALID
    assert "3 input problem(s)" in err
    for name in ("document_handling_rate", "meeting_satisfaction", "research_satisfaction"):
        assert name in err


def test_missing_inputs_file() -> None:
    """An inputs file that does not exist exits 1 naming it."""
    status, out, err = run("score", NANJING, "no-such-inputs.yaml")
    assert status == EXIT_INVALID
    assert out == ""
    assert "no-such-inputs.yaml" in err


def test_inputs_file_of_unknown_format(tmp_path: Path) -> None:
    """An inputs file whose suffix names no known format exits 1 naming the suffix."""
    path = tmp_path / "cli_inputs.txt"
    path.write_text("unit: x\n", encoding="utf-8")
    status, _, err = run("score", NANJING, path)
    assert status == EXIT_INVALID
    assert ".txt" in err


def test_invalid_yaml_inputs(tmp_path: Path) -> None:
    """An inputs file that is not valid YAML exits 1 naming the file and the line."""
    path = tmp_path / "cli_broken.yaml"
    path.write_text("inputs:\n  a: [1, 2\n", encoding="utf-8")
    status, _, err = run("score", NANJING, path)
    assert status == EXIT_INVALID
    assert str(path) in err
    assert "line" in err


# ------------------------------------------------------------------ usage


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["frob"],
        ["score"],
        ["score", str(NANJING)],
        ["score", str(NANJING), str(INPUTS), "--bogus"],
        ["score", str(NANJING), str(INPUTS), "--format", "xml"],
        ["score", str(NANJING), str(INPUTS), "--locale", "fr"],
        ["check"],
        ["check", str(NANJING), "--format", "table"],
    ],
    ids=["no-args", "unknown-command", "score-no-args", "score-one-arg", "unknown-option",
         "bad-format", "bad-locale", "check-no-args", "check-bad-format"],
)
def test_usage_errors_exit_2(argv: list[str]) -> None:
    """Usage mistakes exit 2 and explain themselves on the given stderr, printing nothing else."""
    status, out, err = run(*argv)
    assert status == EXIT_USAGE
    assert out == ""
    assert "usage: perfrules" in err


def test_help_exits_0() -> None:
    """`--help` exits 0 and prints the usage on the given stdout."""
    status, out, _ = run("--help")
    assert status == EXIT_OK
    assert "usage: perfrules" in out
    assert "score" in out and "check" in out


# ------------------------------------------------------------------ check


def test_check_nanjing() -> None:
    """`check` on the Nanjing file exits 0 and prints a summary with no errors."""
    status, out, err = run("check", NANJING)
    assert status == EXIT_OK
    assert err == ""
    summary = out.splitlines()[-1]
    assert summary.startswith(str(RULES))
    assert "0 error(s)" in summary
    assert "warning(s)" in summary


def test_check_nanjing_json() -> None:
    """`check --format json` parses and says the file is fine, with only warnings."""
    status, out, err = run("check", NANJING, "--format", "json")
    assert status == EXIT_OK
    assert err == ""
    data = json.loads(out)
    assert data["file"] == str(RULES)
    assert data["ok"] is True
    assert data["errors"] == 0
    assert data["warnings"] == len(data["diagnostics"])
    assert all(d["severity"] == "warning" for d in data["diagnostics"])
    for diagnostic in data["diagnostics"]:
        assert {"code", "message", "line", "column"} <= diagnostic.keys()


def test_check_broken_file(tmp_path: Path) -> None:
    """`check` on a broken file exits 1; its JSON form says ok false with the error's position."""
    rules = tmp_path / "cli_broken.rules"
    rules.write_text('framework "x" {\n  year 2024\n}\nA "a" 10 {\n  A1 "b" 10 { full if }\n}\n',
                     encoding="utf-8")
    status, out, err = run("check", rules)
    assert status == EXIT_INVALID
    assert f"{rules}:5:23:" in err
    assert "1 error(s)" in out
    status, out, _ = run("check", rules, "--format", "json")
    assert status == EXIT_INVALID
    data = json.loads(out)
    assert data["ok"] is False
    assert data["errors"] == 1
    assert (data["diagnostics"][0]["line"], data["diagnostics"][0]["column"]) == (5, 23)


def test_check_missing_file() -> None:
    """`check` on a file that does not exist exits 1 naming it."""
    status, _, err = run("check", "no/such/file.rules")
    assert status == EXIT_INVALID
    assert "no/such/file.rules" in err


# ------------------------------------------------------------------ the installed script


def test_console_script_subprocess(tmp_path: Path) -> None:
    """The installed `perfrules` script scores Nanjing in a real process: exit 0, total 99."""
    script = Path(sys.executable).parent / "perfrules"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "perfrules.cli"]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONIOENCODING"] = "utf-8"
    done = subprocess.run(
        [*command, "score", str(NANJING), str(INPUTS), "--format", "json"],
        capture_output=True, text=True, encoding="utf-8", cwd=tmp_path, env=env, timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["total"] == 99
    assert data["grade"] == "优秀"
    usage = subprocess.run(
        [*command, "frob"], capture_output=True, text=True, encoding="utf-8", cwd=tmp_path,
        env=env, timeout=120, check=False,
    )
    assert usage.returncode == 2
    assert "invalid choice" in usage.stderr


# ------------------------------------------------------------------ not applicable


NOT_APPLICABLE_RULES = """framework "na" {
  not applicable rescale
}
inputs {
  a: bool "a"
  b: bool "b"
}
A "x" 10 {
  A1 "one" 5 { full if a }
  A2 "two" 5 { full if b }
}
"""


@pytest.mark.parametrize(
    ("locale", "shown", "absent"), [("zh", "不适用", "n/a"), ("en", "n/a", "不适用")]
)
def test_not_applicable_row_follows_locale(
    tmp_path: Path, locale: str, shown: str, absent: str
) -> None:
    """An indicator marked 不适用 shows 不适用 in the Chinese table and n/a in the English one."""
    rules = tmp_path / "cli_na.rules"
    rules.write_text(NOT_APPLICABLE_RULES, encoding="utf-8")
    inputs = tmp_path / "cli_na.yaml"
    inputs.write_text("not_applicable: [A2]\ninputs:\n  a: true\n", encoding="utf-8")
    status, out, err = run("score", rules, inputs, "--locale", locale)
    assert status == EXIT_OK, err
    row = next(line for line in out.splitlines() if "A2 two" in line)
    assert shown in row
    assert absent not in row
    result = perfrules.load(rules).score(perfrules.read_inputs(inputs))
    _, body = report.rows(result, locale)
    cells = next(cells for cells in body if any(c.startswith("A2 two") for c in cells))
    assert cells[-2] == shown
