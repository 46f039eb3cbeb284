"""`perfrules test`: case files, the runner, branch coverage, the command and the pytest plugin."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import textwrap
from decimal import Decimal
from pathlib import Path

import pytest

import perfrules
from perfrules import casetest
from perfrules.casetest import CaseFileError, load_cases, loads_cases, rule_branches, run_tests
from perfrules.cli import main

ROOT = Path(__file__).resolve().parent.parent
NANJING = ROOT / "frameworks" / "nanjing-2024"
SHOWCASE = ROOT / "frameworks" / "showcase"

#: A small framework whose branches are counted by hand in the coverage tests below.
TINY_RULES = """\
framework "tiny" {
  counting per full step
  grades { 好 >= 8; 差 otherwise }
}
inputs {
  ok: bool "ok"
  rate: percent "rate"
  n: count range 0..10 "n"
  lvl: level (高, 低) "lvl"
}
A "a" 10 {
  A1 "yes" 2 { full if ok }
  A2 "rate" 4 { threshold rate >= 90% full, each 10% lower deduct 1, zero if < 70% }
  A3 "n" 2 { deduct 1 per n, at most 1 }
  A4 "lvl" 2 {
    not applicable zero
    levels lvl { 高: 2, 低: 50% }
  }
}
"""

TINY_CASES = """\
- name: all good
  inputs: {ok: true, rate: 95%, n: 0, lvl: 高}
  expect: {total: 10, grade: 好, scores: {A1: 2, A2: 4, A3: 2, A4: 2}}
- name: some lost
  extends: all good
  inputs: {ok: false, rate: 80%, n: 3, lvl: null}
  not_applicable: [A4]
  expect: {total: 4, grade: 差, scores: {A1: 0, A2: 3, A3: 1, A4: 0}}
"""


def write(folder: Path, rules: str = TINY_RULES, cases: str = TINY_CASES) -> Path:
    """A framework folder holding the given rule file and case file."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "framework.rules").write_text(rules, encoding="utf-8")
    (folder / "cases.yaml").write_text(cases, encoding="utf-8")
    return folder


def run(*argv: str | Path) -> tuple[int, str, str]:
    """Run the command line with captured streams: (exit status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    status = main([str(a) for a in argv], stdout=out, stderr=err)
    return status, out.getvalue(), err.getvalue()


def tiny() -> perfrules.Framework:
    """The tiny framework, loaded."""
    return perfrules.loads(TINY_RULES)


def problems_of(text: str, framework: perfrules.Framework | None = None) -> list[str]:
    """The problems a case file's text is rejected with."""
    with pytest.raises(CaseFileError) as caught:
        loads_cases(text, file="c.yaml", framework=framework)
    return list(caught.value.problems)


# ------------------------------------------------------------------ the runner


def test_passing_cases_pass(tmp_path: Path) -> None:
    """Cases whose expectations hold pass, and the report counts them."""
    report = run_tests(write(tmp_path / "fw"))
    assert (report.passed, report.failed) == (2, 0)
    assert [o.name for o in report.outcomes] == ["all good", "some lost"]


def test_failure_shows_expected_actual_and_explanation(tmp_path: Path) -> None:
    """A wrong expectation fails with expected vs actual and the indicator's explanation."""
    cases = TINY_CASES.replace("A2: 3, A3: 1", "A2: 2, A3: 1").replace("total: 4,", "total: 3,")
    report = run_tests(write(tmp_path / "fw", cases=cases))
    (failed,) = [o for o in report.outcomes if not o.passed]
    assert failed.name == "some lost"
    assert ("A2", "2", "3") in failed.mismatches
    assert ("total", "3", "4") in failed.mismatches
    assert failed.explanations["A2"].startswith("A2 rate：3 分（分值 4 分）")
    assert "扣 1 分" in failed.explanations["A2"]
    text = failed.failure_text()
    assert "A2: expected 2, actual 3" in text and "explanation of A2:" in text


def test_grade_and_exclusion_expectations() -> None:
    """`grade` compares names and a null score expects the indicator excluded as 不适用."""
    framework = perfrules.loads(TINY_RULES.replace("not applicable zero", "not applicable rescale"))
    (case,) = loads_cases(
        "- name: x\n  inputs: {ok: true, rate: 95%, n: 0}\n  not_applicable: [A4]\n"
        "  expect: {grade: 好, scores: {A4: null}, total: 10}\n", framework=framework)
    outcome, _ = casetest.run_case(framework, case)
    assert outcome.passed, outcome.failure_text()
    (wrong,) = loads_cases(
        "- name: y\n  inputs: {ok: true, rate: 95%, n: 0}\n  not_applicable: [A4]\n"
        "  expect: {grade: 差, scores: {A4: 0}}\n", framework=framework)
    outcome, _ = casetest.run_case(framework, wrong)
    assert outcome.mismatches == (("grade", "差", "好"), ("A4", "0", "不适用 (excluded)"))


def test_expect_error_passes_on_the_named_input(tmp_path: Path) -> None:
    """`expect_error` passes when the inputs are refused naming the input and the text."""
    cases = TINY_CASES + (
        "- name: over 100%\n  extends: all good\n  inputs: {rate: 101%}\n"
        "  expect_error: {input: rate, message_contains: out of range}\n"
    )
    report = run_tests(write(tmp_path / "fw", cases=cases))
    assert report.failed == 0


def test_expect_error_fails_when_scored_or_other_input(tmp_path: Path) -> None:
    """`expect_error` fails when the unit is scored, or when the error names other inputs."""
    cases = TINY_CASES + (
        "- name: scored anyway\n  extends: all good\n  expect_error: {input: rate}\n"
        "- name: other input\n  extends: all good\n  inputs: {rate: 101%}\n"
        "  expect_error: {input: n}\n"
        "- name: unexpected error\n  extends: all good\n  inputs: {rate: 101%}\n"
        "  expect: {total: 10}\n"
    )
    report = run_tests(write(tmp_path / "fw", cases=cases))
    by_name = {o.name: o for o in report.outcomes}
    assert by_name["scored anyway"].mismatches == (
        ("error", "an input error naming rate", "scored 10, grade 好"),)
    assert by_name["other input"].mismatches == (("error inputs", "n", "rate"),)
    assert by_name["unexpected error"].mismatches[0][0] == "result"
    assert "rate" in by_name["unexpected error"].actual["error"]["inputs"]
    assert report.failed == 3


def test_extends_merges_inputs_and_drops_nulls() -> None:
    """`extends` copies inputs, judgements, adjustments, marks; own keys override, null removes."""
    cases = loads_cases(textwrap.dedent("""\
        - name: base
          unit: 甲
          inputs: {a: 1, b: 2}
          judgements: {J: 1}
          adjustments: {X: {score: 1, reason: r}}
          not_applicable: [N]
          expect: {total: 1}
        - name: child
          extends: base
          inputs: {b: 3, a: null, c: 4}
          adjustments: {X: null}
          expect: {total: 2}
        - name: grandchild
          extends: child
          unit: 乙
          not_applicable: []
          expect: {grade: 好}
        """))
    base, child, grandchild = cases
    assert dict(child.inputs) == {"b": 3, "c": 4}
    assert dict(child.judgements) == {"J": 1} and dict(child.adjustments) == {}
    assert child.unit == "甲" and child.not_applicable == ("N",)
    assert child.expect == casetest.Expectation(total=Decimal(2))
    assert grandchild.unit == "乙" and grandchild.not_applicable == ()
    assert dict(grandchild.inputs) == {"b": 3, "c": 4}
    assert base.expect is not None and base.expect.total == Decimal(1)


def test_numbers_are_exact() -> None:
    """Expected scores read from YAML floats and texts are the exact decimals written."""
    (case,) = loads_cases("- name: x\n  expect: {total: 98.27, scores: {A: '0.1', B: 3}}\n")
    assert case.expect is not None
    assert case.expect.total == Decimal("98.27")
    assert dict(case.expect.scores) == {"A": Decimal("0.1"), "B": Decimal(3)}


# ------------------------------------------------------------------ bad case files


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "holds no cases"),
        ("name: x\n", "expected a list of cases at the top level, got a mapping"),
        ("- name: [\n", "not valid YAML"),
        ("- name: x\n  name: y\n", "duplicate key 'name'"),
        ("- 3\n", "case 1 (line 1): expected a mapping with a name, got 3"),
        ("- inputs: {}\n  expect: {total: 1}\n", "case 1 (line 1): has no name"),
        ("- name: x\n  expect: {total: 1}\n- name: x\n  expect: {total: 1}\n",
         "case 'x' (line 3): duplicate name; the first is on line 1"),
        ("- name: x\n  expct: {total: 1}\n", "unknown key 'expct' (did you mean 'expect'?)"),
        ("- name: x\n", "says nothing to check; give `expect` or `expect_error`"),
        ("- name: x\n  expect: {total: 1}\n  expect_error: {input: a}\n", "has both"),
        ("- name: x\n  expect: {total: lots}\n",
         "`expect.total` should be a number of points, got the text 'lots'"),
        ("- name: x\n  expect: {totl: 1}\n", "in `expect`: unknown key 'totl'"),
        ("- name: x\n  expect: {}\n", "`expect` should be a mapping with any of"),
        ("- name: x\n  expect_error: {inputs: a}\n",
         "unknown key 'inputs' (did you mean 'input'?)"),
        ("- name: x\n  inputs: [1]\n  expect: {total: 1}\n", "`inputs` should be a mapping"),
        ("- name: x\n  not_applicable: C1\n  expect: {total: 1}\n",
         "`not_applicable` should be a list of indicator codes"),
        ("- name: x\n  extends: bse\n  expect: {total: 1}\n- name: base\n  expect: {total: 1}\n",
         "case 'x' (line 1): extends 'bse', but no case has that name (did you mean 'base'?)"),
        ("- name: a\n  extends: b\n  expect: {total: 1}\n- name: b\n  extends: a\n"
         "  expect: {total: 1}\n", "`extends` goes round in a circle: a → b → a"),
    ],
    ids=lambda value: value[:30] if isinstance(value, str) else None,
)
def test_bad_case_files_are_refused(text: str, expected: str) -> None:
    """An invalid case file is refused with a problem naming the case and what is wrong."""
    assert any(expected in problem for problem in problems_of(text)), problems_of(text)


def test_case_file_checked_against_the_framework() -> None:
    """With the framework, unknown indicator codes and grades in expectations are refused."""
    problems = problems_of(
        "- name: x\n  expect: {grade: 优, scores: {A5: 1, A2: 1}}\n", tiny())
    assert problems[0] == ("case 'x' (line 1): `expect.grade`: the framework has no grade '优'; "
                           "its grades are 好, 差")
    assert problems[1].startswith("case 'x' (line 1): in `expect.scores`: unknown indicator 'A5'")
    assert len(problems) == 2


def test_case_file_error_names_the_file(tmp_path: Path) -> None:
    """The error message starts with the case file's path and counts the problems."""
    with pytest.raises(CaseFileError) as caught:
        load_cases(tmp_path / "cases.yaml")
    assert str(caught.value).startswith(f"{tmp_path / 'cases.yaml'}: 1 problem(s)")
    assert caught.value.problems == ("no case file here",)


# ------------------------------------------------------------------ coverage


def test_static_branches_of_a_tiny_framework() -> None:
    """The tiny framework's branches, with the two that no input can reach marked, by hand."""
    static = {r.code: [(b.name, b.reachable) for b in r.branches] for r in rule_branches(tiny())}
    assert static == {
        "A1": [("met", True), ("missed", True)],
        # 90 − 70 = 20 is the most a rate can be short without being cut off: two steps,
        # 4 − 2 = 2, so the score never reaches 0 by steps.
        "A2": [("met", True), ("short", True), ("short-to-zero", False), ("cutoff", True)],
        # at most 1 in all: the score never falls below 2 − 1 = 1.
        "A3": [("none", True), ("some", True), ("limit-hit", True), ("zero-floor", False)],
        "A4": [("level 高", True), ("level 低", True), ("not-applicable", True)],
    }


def test_coverage_of_the_tiny_cases(tmp_path: Path) -> None:
    """Two cases hit 8 of the 11 counted branches; the missed ones are listed per rule."""
    coverage = run_tests(write(tmp_path / "fw")).coverage
    by_code = {r.code: r for r in coverage.rules}
    assert (coverage.hit, coverage.total, coverage.percent) == (8, 11, 72.73)
    assert by_code["A1"].branches_missed == []
    assert by_code["A2"].branches_hit == ["met", "short"]
    assert by_code["A2"].branches_missed == ["cutoff"]
    assert by_code["A3"].branches_hit == ["none", "limit-hit"]
    assert by_code["A3"].branches_missed == ["some"]
    assert by_code["A4"].branches_hit == ["level 高", "not-applicable"]
    assert by_code["A4"].branches_missed == ["level 低"]


def test_adjusted_is_reported_not_counted(tmp_path: Path) -> None:
    """An adjusted indicator is listed as adjusted, and the branch count does not change."""
    cases = TINY_CASES + (
        "- name: adjusted\n  extends: all good\n"
        "  adjustments: {A2: {score: 3, reason: 核减}}\n  expect: {scores: {A2: 3}}\n"
    )
    coverage = run_tests(write(tmp_path / "fw", cases=cases)).coverage
    assert coverage.adjusted == ("A2",)
    assert coverage.total == 11
    assert {r.code: r.adjusted for r in coverage.rules}["A2"] is True


@pytest.mark.parametrize(
    ("rule", "cap", "unreachable"),
    [
        # one started step of 2 already takes the whole cap of 1.
        ("threshold p >= 99% full, each 5% lower deduct 2 per started step", 1, ["short"]),
        # a percent never exceeds 100%, the target: the ratio never passes the cap.
        ("proportional p / 100%", 5, ["capped"]),
        ("proportional q / 100%", 5, []),  # q may reach 200%
        # a count never goes below 0, the reference.
        ("baseline n at 0 scores 1, each 1 higher add 1", 5, ["lower"]),
        # |p − 50%| / 50% is at most 100% over 0%..100%.
        ("deviation p from 50% within ±100%, each 1% beyond deduct 1", 5, ["beyond"]),
        ("deviation x from 50 within ±2", 5, []),  # an unbounded number
        # past a strict bound every value gains a started step.
        ("threshold p > 10% 1, each 20% higher add 1 per started step", 3, ["met"]),
        # with full steps 99%..100% leaves no room for a 5% step.
        ("threshold p >= 99% 1, each 5% higher add 1", 3, ["met-with-gain"]),
        # a 3-point deduction jumps from 3 to 6 past the limit 5 and the cap 5.
        ("deduct 3 per n, at most 5", 5, ["zero-floor"]),
        ("deduct 3 per n, at most 6", 5, []),
        # an input bound is never excluded.
        ("threshold p >= q full, each 1% lower deduct 1", 5, []),
    ],
)
def test_unreachable_branches(rule: str, cap: int, unreachable: list[str]) -> None:
    """Simple static reasoning marks exactly the branches no input value can take."""
    framework = perfrules.loads(
        f'framework "t" {{ counting per full step }}\n'
        f'inputs {{ p: percent "p"\n q: percent range 0%..200% "q"\n n: count "n"\n'
        f' x: number "x" }}\n'
        f'A "a" {cap} {{ {rule} }}\n'
    )
    (branches,) = rule_branches(framework)
    assert [b.name for b in branches.branches if not b.reachable] == unreachable


def test_branch_taken_from_facts() -> None:
    """Facts recorded by the generated code map to the documented branch names."""
    threshold = perfrules.parse(
        'framework "t" { }\ninputs { p: percent "p" }\n'
        'A "a" 3 { threshold p > 10% 1, each 20% higher add 1 per full step }\n'
    ).indicators[0].rule
    assert threshold is not None
    take = casetest.branch_taken
    assert take(threshold, ("met", Decimal(0), Decimal(0)), Decimal(1), Decimal(3),
                False) == ["met"]
    assert take(threshold, ("met", Decimal(1), Decimal(1)), Decimal(2), Decimal(3),
                False) == ["met-with-gain"]
    assert take(threshold, ("missed",), Decimal(0), Decimal(3), False) == ["missed"]


def test_facts_accessor() -> None:
    """`Framework.facts` gives each leaf's recorded facts by code, None for inner nodes."""
    facts = tiny().facts({"ok": True, "rate": "85%", "n": 3, "lvl": "低"})
    assert facts["A"] is None
    assert facts["A1"] == ("met",)
    assert facts["A2"] == ("short", Decimal(0), Decimal(0))
    assert facts["A3"] == ("deduct", Decimal(3), Decimal(1))
    assert facts["A4"] == ("level", 1)
    marked = tiny().facts({"ok": True, "rate": "85%", "n": 3}, not_applicable=["A4"])
    assert marked["A4"] is None


# ------------------------------------------------------------------ the command


def test_command_table(tmp_path: Path) -> None:
    """`perfrules test` prints each case, the counts and the coverage table; exit 0."""
    status, out, err = run("test", write(tmp_path / "fw"))
    assert status == casetest.EXIT_OK, err
    assert "  ok    all good" in out and "2 case(s): 2 passed, 0 failed" in out
    assert "Branch coverage: 8 of 11 branches (72.7%)" in out
    assert "A2    threshold  2/3  ✓met  ✓short  ✗cutoff" in out
    assert "A2 short-to-zero: the deductions stop above 0" in out


def test_command_json_shape(tmp_path: Path) -> None:
    """`--format json` has passed, failed, cases with outcomes, and coverage per rule."""
    cases = TINY_CASES.replace("total: 10, grade: 好", "total: 9, grade: 好")
    status, out, _ = run("test", write(tmp_path / "fw", cases=cases), "--format", "json")
    assert status == casetest.EXIT_FAILED
    data = json.loads(out)
    assert data["passed"] == 1 and data["failed"] == 1
    first, second = data["cases"]
    assert first["name"] == "all good" and first["outcome"] == "failed"
    assert first["expected"]["total"] == 9 and first["actual"]["total"] == 10
    assert second == {"name": "some lost", "outcome": "passed"}
    assert data["coverage"]["percent"] == 72.73
    a2 = next(r for r in data["coverage"]["rules"] if r["code"] == "A2")
    assert a2["branches_hit"] == ["met", "short"] and a2["branches_missed"] == ["cutoff"]
    assert a2["unreachable"][0]["branch"] == "short-to-zero"


@pytest.mark.parametrize(("minimum", "status"), [("70", 0), ("72.73", 0), ("80", 1), ("100", 1)])
def test_min_coverage_exit_status(tmp_path: Path, minimum: str, status: int) -> None:
    """`--min-coverage` fails the run (exit 1) only when coverage is below the percentage."""
    code, out, _ = run("test", write(tmp_path / "fw"), "--min-coverage", minimum)
    assert code == status
    assert ("is below the required" in out) == (status == 1)


@pytest.mark.parametrize(
    "argv",
    [["--min-coverage", "150"], ["--min-coverage", "lots"], ["--format", "xml"],
     ["--case", "no such case"]],
)
def test_usage_mistakes_exit_2(tmp_path: Path, argv: list[str]) -> None:
    """A bad option value or an unknown `--case` is a usage mistake: exit 2."""
    status, _, _ = run("test", write(tmp_path / "fw"), *argv)
    assert status == casetest.EXIT_USAGE


def test_missing_framework_fails_like_check(tmp_path: Path) -> None:
    """A path that does not exist fails the run (exit 1, as `perfrules check` does) naming it."""
    status, _, err = run("test", tmp_path / "nowhere")
    assert status == casetest.EXIT_FAILED and "nowhere" in err


def test_invalid_files_exit_1(tmp_path: Path) -> None:
    """An invalid case file or rule file fails the run with its problems on stderr."""
    status, _, err = run("test", write(tmp_path / "a", cases="- name: x\n"))
    assert status == casetest.EXIT_FAILED and "says nothing to check" in err
    status, _, err = run("test", write(tmp_path / "b", rules="framework {"))
    assert status == casetest.EXIT_FAILED and "framework.rules" in err


def test_case_option_selects_cases(tmp_path: Path) -> None:
    """`--case NAME` runs only that case; coverage counts only what it exercised."""
    status, out, _ = run("test", write(tmp_path / "fw"), "--case", "some lost",
                         "--format", "json")
    data = json.loads(out)
    assert status == 0 and [c["name"] for c in data["cases"]] == ["some lost"]
    assert data["coverage"]["hit"] == 4


def test_case_file_path_accepted(tmp_path: Path) -> None:
    """The case file itself may be given instead of its folder."""
    status, _, _ = run("test", write(tmp_path / "fw") / "cases.yaml")
    assert status == 0


# ------------------------------------------------------------------ the shipped case files


@pytest.mark.parametrize("folder", [NANJING, SHOWCASE], ids=["nanjing", "showcase"])
def test_shipped_cases_pass_at_full_coverage(folder: Path) -> None:
    """The Nanjing and showcase case files pass and cover every reachable branch."""
    report = run_tests(folder)
    failures = [o.failure_text() for o in report.outcomes if not o.passed]
    assert not failures, failures
    missed = {r.code: r.branches_missed for r in report.coverage.rules if r.branches_missed}
    assert not missed
    assert report.coverage.percent == 100.0
    status, _, _ = run("test", folder, "--min-coverage", "100")
    assert status == 0


def test_nanjing_published_case_is_the_seed() -> None:
    """The Nanjing case file's first case is the published 2024 result: 99, 优秀, B11 1.5."""
    framework = perfrules.load(NANJING)
    published = load_cases(NANJING / "cases.yaml", framework)[0]
    assert published.expect is not None
    assert published.expect.total == Decimal(99) and published.expect.grade == "优秀"
    assert published.expect.scores["B11"] == Decimal("1.5")
    leaves = [c for c in framework.codes if not framework.children(c)]
    assert set(leaves) <= set(published.expect.scores)


def test_showcase_uses_every_rule_kind_and_checks_clean() -> None:
    """The showcase holds every rule kind, both vetoes, N/A policies, and checks clean."""
    framework = perfrules.load(SHOWCASE)
    kinds = {type(framework[c].rule) for c in framework.codes if framework[c].rule is not None}
    parts = {type(p.rule) for c in framework.codes
             if isinstance(framework[c].rule, perfrules.ast.Composite)
             for p in framework[c].rule.parts}
    assert kinds | parts == set(perfrules.ast.RULE_KINDS)
    modes = {framework[c].rule.mode for c in framework.codes
             if isinstance(framework[c].rule, perfrules.ast.Composite)}
    assert modes == set(perfrules.ast.Combine)
    policies = {framework[c].not_applicable for c in framework.codes} - {None}
    assert policies == set(perfrules.ast.NotApplicable)
    vetoes = framework.ast.vetoes
    assert any(v.at_most for v in vetoes) and any(v.down for v in vetoes)
    status, out, err = run("check", SHOWCASE)
    assert status == 0 and "0 error(s), 0 warning(s)" in out, err


# ------------------------------------------------------------------ the pytest plugin


def pytest_run(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run pytest in a subprocess (the installed plugin loads through its entry point)."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTEST_ADDOPTS")}
    env["PYTHONIOENCODING"] = "utf-8"
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", *map(str, args)],
        capture_output=True, text=True, encoding="utf-8", cwd=cwd, env=env, timeout=300,
        check=False,
    )


def test_plugin_collects_nanjing_cases() -> None:
    """`pytest frameworks/nanjing-2024` runs one item per case, all passing."""
    done = pytest_run(NANJING, "--collect-only", cwd=ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    count = len(load_cases(NANJING / "cases.yaml"))
    assert f"{count} tests collected" in done.stdout
    done = pytest_run(NANJING, cwd=ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"{count} passed" in done.stdout


def test_plugin_reports_failures(tmp_path: Path) -> None:
    """A failing case shows expected vs actual and the explanation; a lone cases.yaml is ignored."""
    cases = TINY_CASES.replace("A2: 3, A3: 1", "A2: 2, A3: 1")
    write(tmp_path / "fw", cases=cases)
    (tmp_path / "alone").mkdir()
    (tmp_path / "alone" / "cases.yaml").write_text("- not: a case\n", encoding="utf-8")
    done = pytest_run(tmp_path, cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "case 'some lost'" in done.stdout
    assert "A2: expected 2, actual 3" in done.stdout
    assert "explanation of A2:" in done.stdout
    assert "1 failed, 1 passed in" in done.stdout  # alone/ has no framework.rules


def test_plugin_bad_case_file_is_a_collection_error(tmp_path: Path) -> None:
    """An invalid case file is a collection error that names the case and the problem."""
    write(tmp_path / "broken", cases="- name: x\n")
    done = pytest_run(tmp_path, cwd=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "ERROR collecting" in done.stdout
    assert "case 'x' (line 1): says nothing to check" in done.stdout
