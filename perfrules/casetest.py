"""Rule files tested like code: case files, a runner, and branch coverage (``perfrules test``).

A framework folder holds ``framework.rules`` and, beside it, ``cases.yaml``: a list of named
cases. Each case gives a unit's inputs (the shape of an inputs file) and what must come out::

    - name: published 2024 result
      unit: 南京市人民政府办公厅
      inputs: {document_handling_rate: 100%, …}
      judgements: {A41: {score: 2, reason: 内控制度科学性有待进一步提高}}
      adjustments: {B11: {score: 1.5, reason: …}}
      expect: {total: 99, grade: 优秀, scores: {C11: 10, B11: 1.5}}

    - name: C11 exactly 99%
      extends: published 2024 result       # reuse that case's inputs …
      inputs: {document_handling_rate: 99%} # … and override some
      expect: {scores: {C11: 10}, total: 99}

    - name: a rate above 100% is refused
      extends: published 2024 result
      inputs: {document_handling_rate: 101%}
      expect_error: {input: document_handling_rate}

Case keys: ``name`` (required, unique), ``description`` (free text), ``unit``, ``extends``,
``inputs``, ``judgements``, ``adjustments``, ``not_applicable``, and exactly one of ``expect``
(any of ``total``, ``grade``, ``grade_before_vetoes``, ``scores``: code → points, or null for
an indicator excluded as 不适用) and ``expect_error`` (any of ``input``: a name or code — or a
list of them — the input problems must name, and ``message_contains``: text the error must
contain). ``extends`` copies the named case's unit, inputs, judgements, adjustments and
不适用 marks (never its expectations); the case's own ``inputs``, ``judgements`` and
``adjustments`` are merged over them key by key, a null value removing an inherited key, and
its own ``not_applicable`` replaces the inherited list. Numbers are exact: ``1.5`` in YAML is
the decimal 1.5.

Coverage. For every leaf rule, the branches the cases exercised, from the facts each rule's
generated code records (:meth:`perfrules.Framework.facts`). The branches of each rule kind are
listed in :data:`BRANCHES`. A branch that no input can reach, decided from the rule's numbers
and the input's declared range alone (a constant bound or target; an input bound or target
is never excluded), is listed as unreachable and not counted. Besides the rule's branches,
``not-applicable`` counts for every leaf whose 不适用 policy exists (its own or the
framework's) and for every inner node that states its own policy; it is hit when a case
marks that very node. ``adjusted`` is informational: reported, never counted. Every case that
was scored counts towards coverage, whether it passed or failed; ``expect_error`` cases
score nothing.
"""

from __future__ import annotations

import argparse
import difflib
import json
import math
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any, TextIO

import yaml
from attrs import field, frozen

from . import api, ast
from .errors import InputError, PerfrulesError, RuleFileError
from .framework import Framework
from .result import Result, format_number
from .source import display_width

#: The case file's name beside a framework's ``framework.rules``.
CASES_FILE = "cases.yaml"
RULES_FILE = "framework.rules"

CASE_KEYS = (
    "name", "description", "unit", "extends", "inputs", "judgements", "adjustments",
    "not_applicable", "expect", "expect_error",
)
EXPECT_KEYS = ("total", "grade", "grade_before_vetoes", "scores")
EXPECT_ERROR_KEYS = ("input", "message_contains")

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2

#: The branches of every rule kind, and when each counts. ``{band}`` and ``{level}`` stand
#: for one branch per band (named by its interval, as written) and per level; a composite's
#: branches are its parts' branches, prefixed ``part 1: ``, ``part 2: `` …
BRANCHES: tuple[tuple[str, str, str], ...] = (
    ("yes/no", "met", "the condition held: the points"),
    ("yes/no", "missed", "it did not: 0"),
    ("threshold", "met", "the bound was met (with addition steps: no step gained)"),
    ("threshold", "met-with-gain", "met, and an addition step added points (only with one)"),
    ("threshold", "short", "missed, in the step zone, the score still above 0"),
    ("threshold", "short-to-zero", "missed, and the deductions took the score to 0"),
    ("threshold", "cutoff", "missed, and the cut-off held: 0 (only with a cut-off)"),
    ("threshold", "missed", "missed, no deduction step: 0 (only without one)"),
    ("proportional", "below-cap", "cap × x / target came to at most the cap"),
    ("proportional", "capped", "it came to more, and the cap bounded it"),
    ("bands", "band {band}", "x fell in that band"),
    ("deduct", "none", "nothing to deduct"),
    ("deduct", "some", "a deduction, the score still above 0 (penalty: below the cap)"),
    ("deduct", "limit-hit", "the deductions exceeded `at most L`, which bounded them"),
    ("deduct", "zero-floor", "the deductions took the score to 0 (not in a penalty)"),
    ("deduct", "cap-reached", "penalty only: the deduction reached the node's cap"),
    ("baseline", "at", "x equal to the reference: the base points"),
    ("baseline", "lower", "x below the reference"),
    ("baseline", "higher", "x above the reference"),
    ("deviation", "within", "the deviation within the tolerance: the cap"),
    ("deviation", "beyond", "outside it, with a deduction step (only with one)"),
    ("deviation", "outside", "outside it, no step: 0 (only without one)"),
    ("levels", "level {level}", "the unit's level"),
    ("judged", "full", "the evaluator gave the cap (penalty: `none`, no deduction)"),
    ("judged", "below-cap", "the evaluator gave less (penalty: `deducted`, a deduction)"),
    ("combine", "part N: …", "each part's own branches"),
    ("awards", "none", "no award points"),
    ("awards", "counted", "award points, within the cap"),
    ("awards", "capped", "award points above the cap, which bounded them"),
    ("(any)", "not-applicable", "marked 不适用 (nodes with a policy)"),
    ("(any)", "adjusted", "informational, not counted: an evaluator adjusted the score"),
)


NOT_APPLICABLE = "not-applicable"
_ZERO = Decimal(0)
_CENT = Decimal("0.01")
_HALF_CENT = Decimal("0.005")
#: Sums enumerated when deciding whether a deduction can land in a range, at most.
_ENUMERATION_LIMIT = 10_000


# ====================================================================== case files


class CaseFileError(PerfrulesError):
    """A case file cannot be used; ``problems`` lists every problem found, with its case."""

    def __init__(self, file: str, problems: Iterable[str]):
        self.file = file
        self.problems: tuple[str, ...] = tuple(problems)
        body = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{file}: {len(self.problems)} problem(s) in the case file:\n{body}")


@frozen
class Expectation:
    """What a scored case must give; None where the case does not say."""

    total: Decimal | None = None
    grade: str | None = None
    grade_before_vetoes: str | None = None
    #: code → expected score (None: not applicable, excluded).
    scores: Mapping[str, Decimal | None] = field(factory=dict)


@frozen
class ErrorExpectation:
    """What a rejected case's InputError must say."""

    inputs: tuple[str, ...] = ()
    message_contains: str | None = None


@frozen
class Case:
    """One case, its ``extends`` chain resolved."""

    name: str
    line: int | None
    unit: str | None
    inputs: Mapping[str, Any]
    judgements: Mapping[str, Any]
    adjustments: Mapping[str, Any]
    #: The codes marked 不适用; None only before ``extends`` is resolved: inherit them.
    not_applicable: tuple[str, ...] | None
    expect: Expectation | None
    expect_error: ErrorExpectation | None
    description: str | None = None
    extends: str | None = None

    def where(self, file: str) -> str:
        return f"{file}:{self.line}" if self.line else file


class _CaseLoader(yaml.SafeLoader):
    """The safe loader, with a key given twice an error rather than silently the last."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[object] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)  # type: ignore[no-untyped-call]
            try:
                duplicate = key in seen
            except TypeError:
                continue
            if duplicate:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def load_cases(path: str | os.PathLike[str], framework: Framework | None = None) -> list[Case]:
    """Read and validate a case file; with ``framework``, codes and grades are checked too.

    Raises:
        CaseFileError: every problem of the file, each naming its case.
    """
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise CaseFileError(str(file), ["no case file here"]) from None
    except (OSError, UnicodeDecodeError) as error:
        raise CaseFileError(str(file), [f"cannot read it: {error}"]) from None
    return loads_cases(text, file=str(file), framework=framework)


def loads_cases(text: str, *, file: str = "<cases>", framework: Framework | None = None
                ) -> list[Case]:
    """Parse and validate case-file text (see :func:`load_cases`)."""
    loader = _CaseLoader(text)
    try:
        node = loader.get_single_node()
        data = None if node is None else loader.construct_document(node)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        problem = getattr(error, "problem", None) or str(error)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise CaseFileError(file, [f"not valid YAML: {problem}{where}"]) from None
    finally:
        loader.dispose()  # type: ignore[no-untyped-call]
    if data is None:
        raise CaseFileError(file, ["the file holds no cases; expected a list of cases"])
    if not isinstance(data, list):
        raise CaseFileError(
            file, [f"expected a list of cases at the top level, got {_kind(data)}"]
        )
    lines = [item.start_mark.line + 1 for item in node.value]  # type: ignore[union-attr]
    return _Validator(file, framework).cases(data, lines)


class _Validator:
    def __init__(self, file: str, framework: Framework | None):
        self.file = file
        self.framework = framework
        self.problems: list[str] = []

    def problem(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}")

    def cases(self, data: list[Any], lines: list[int]) -> list[Case]:
        raw: dict[str, tuple[dict[str, Any], int]] = {}
        order: list[str] = []
        for position, (item, line) in enumerate(zip(data, lines, strict=True), start=1):
            where = f"case {position} (line {line})"
            if not isinstance(item, dict):
                self.problem(where, f"expected a mapping with a name, got {_kind(item)}")
                continue
            name = item.get("name")
            if not isinstance(name, str) or not name.strip():
                self.problem(where, "has no name; every case needs `name: …`")
                continue
            name = name.strip()
            if name in raw:
                self.problem(f"case '{name}' (line {line})",
                             f"duplicate name; the first is on line {raw[name][1]}")
                continue
            raw[name] = (item, line)
            order.append(name)
        checked: dict[str, Case] = {}
        for name in order:
            item, line = raw[name]
            case = self.case(name, item, line, raw)
            if case is not None:
                checked[name] = case
        resolved = [self.resolve(name, checked) for name in order if name in checked]
        if self.problems:
            raise CaseFileError(self.file, self.problems)
        return [case for case in resolved if case is not None]

    def case(self, name: str, item: dict[str, Any], line: int,
             raw: Mapping[str, tuple[dict[str, Any], int]]) -> Case | None:
        where = f"case '{name}' (line {line})"
        before = len(self.problems)
        for key in item:
            if key not in CASE_KEYS:
                self.problem(where, _unknown(str(key), "key", CASE_KEYS))
        unit = self.text(item, "unit", where)
        description = self.text(item, "description", where)
        extends = self.text(item, "extends", where)
        if extends is not None and extends not in raw:
            self.problem(where, f"extends '{extends}', but no case has that name"
                         + _hint(extends, raw))
        sections = {key: self.mapping(item, key, where)
                    for key in ("inputs", "judgements", "adjustments")}
        not_applicable = self.codes(item.get("not_applicable"), where)
        has_expect, has_error = "expect" in item, "expect_error" in item
        expect = error = None
        if has_expect and has_error:
            self.problem(where, "has both `expect` and `expect_error`; give one")
        elif not has_expect and not has_error:
            self.problem(where, "says nothing to check; give `expect` or `expect_error`")
        elif has_expect:
            expect = self.expectation(item["expect"], where)
        else:
            error = self.error_expectation(item["expect_error"], where)
        if len(self.problems) > before:
            return None
        return Case(
            name=name, line=line, unit=unit, inputs=sections["inputs"] or {},
            judgements=sections["judgements"] or {}, adjustments=sections["adjustments"] or {},
            not_applicable=(not_applicable or ()) if "not_applicable" in item else None,
            expect=expect, expect_error=error, description=description, extends=extends,
        )

    def text(self, item: Mapping[str, Any], key: str, where: str) -> str | None:
        value = item.get(key)
        if value is None or isinstance(value, str):
            return value.strip() if isinstance(value, str) else None
        self.problem(where, f"`{key}` should be a text, got {_kind(value)}")
        return None

    def mapping(self, item: Mapping[str, Any], key: str, where: str) -> dict[str, Any] | None:
        value = item.get(key)
        if value is None:
            return None
        if not isinstance(value, dict):
            self.problem(where, f"`{key}` should be a mapping of names to values, "
                                f"got {_kind(value)}")
            return None
        return {str(k): v for k, v in value.items()}

    def codes(self, value: Any, where: str) -> tuple[str, ...] | None:
        if value is None:
            return None
        if not isinstance(value, list) or not all(isinstance(c, str) for c in value):
            self.problem(where, f"`not_applicable` should be a list of indicator codes, "
                                f"got {_kind(value)}")
            return None
        return tuple(c.strip() for c in value)

    def expectation(self, value: Any, where: str) -> Expectation | None:
        if not isinstance(value, dict) or not value:
            self.problem(where, "`expect` should be a mapping with any of "
                                + ", ".join(EXPECT_KEYS))
            return None
        for key in value:
            if key not in EXPECT_KEYS:
                self.problem(where, "in `expect`: " + _unknown(str(key), "key", EXPECT_KEYS))
        total = None
        if "total" in value:
            total = self.number(value["total"], where, "expect.total")
        grades = {}
        for key in ("grade", "grade_before_vetoes"):
            if key in value:
                grade = value[key]
                if not isinstance(grade, str):
                    self.problem(where, f"`expect.{key}` should be a grade name, "
                                        f"got {_kind(grade)}")
                elif self.framework is not None and grade not in self.framework.grades:
                    known = self.framework.grades
                    self.problem(where, f"`expect.{key}`: the framework has no grade "
                                        f"'{grade}'" + (f"; its grades are {', '.join(known)}"
                                                        if known else "; it has no grades"))
                else:
                    grades[key] = grade
        scores: dict[str, Decimal | None] = {}
        if "scores" in value:
            given = value["scores"]
            if not isinstance(given, dict) or not given:
                self.problem(where, "`expect.scores` should map indicator codes to points")
            else:
                for code, points in given.items():
                    code = str(code)
                    if self.framework is not None and code not in self.framework.codes:
                        self.problem(where, "in `expect.scores`: "
                                     + _unknown(code, "indicator", self.framework.codes))
                        continue
                    scores[code] = None if points is None else self.number(
                        points, where, f"expect.scores.{code}")
        return Expectation(total, grades.get("grade"), grades.get("grade_before_vetoes"), scores)

    def error_expectation(self, value: Any, where: str) -> ErrorExpectation | None:
        if not isinstance(value, dict) or not value:
            self.problem(where, "`expect_error` should be a mapping with any of "
                                + ", ".join(EXPECT_ERROR_KEYS))
            return None
        for key in value:
            if key not in EXPECT_ERROR_KEYS:
                self.problem(where, "in `expect_error`: "
                             + _unknown(str(key), "key", EXPECT_ERROR_KEYS))
        names = value.get("input", ())
        if isinstance(names, str):
            names = (names,)
        if not isinstance(names, list | tuple) or not all(isinstance(n, str) for n in names):
            self.problem(where, "`expect_error.input` should be an input name or code, or a "
                                "list of them")
            names = ()
        contains = value.get("message_contains")
        if contains is not None and not isinstance(contains, str):
            self.problem(where, "`expect_error.message_contains` should be a text")
            contains = None
        return ErrorExpectation(tuple(n.strip() for n in names), contains)

    def number(self, value: Any, where: str, what: str) -> Decimal | None:
        number = _decimal(value)
        if number is None:
            self.problem(where, f"`{what}` should be a number of points, got {_kind(value)}")
        return number

    def resolve(self, name: str, cases: Mapping[str, Case]) -> Case | None:
        """The case with its ``extends`` chain merged in (parents first)."""
        chain: list[Case] = []
        seen: list[str] = []
        current: str | None = name
        while current is not None:
            if current in seen:
                cycle = " → ".join([*seen, current])
                self.problem(f"case '{name}' (line {cases[name].line})",
                             f"`extends` goes round in a circle: {cycle}")
                return None
            seen.append(current)
            case = cases.get(current)
            if case is None:  # its own problems are reported already
                return None
            chain.append(case)
            current = case.extends
        unit: str | None = None
        sections: dict[str, dict[str, Any]] = {"inputs": {}, "judgements": {}, "adjustments": {}}
        not_applicable: tuple[str, ...] = ()
        for case in reversed(chain):
            unit = case.unit if case.unit is not None else unit
            for key, merged in sections.items():
                for k, v in getattr(case, key).items():
                    if v is None:
                        merged.pop(k, None)
                    else:
                        merged[k] = v
            if case.not_applicable is not None:
                not_applicable = case.not_applicable
        own = chain[0]
        return Case(
            name=own.name, line=own.line, unit=unit, inputs=sections["inputs"],
            judgements=sections["judgements"], adjustments=sections["adjustments"],
            not_applicable=not_applicable, expect=own.expect, expect_error=own.expect_error,
            description=own.description, extends=own.extends,
        )


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value)) if math.isfinite(value) else None
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            return None
        return number if number.is_finite() else None
    return None


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"the truth value {str(value).lower()}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return f"the text {value!r}"
    return f"{value!r}"


def _hint(name: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(known), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _unknown(name: str, what: str, known: Iterable[str]) -> str:
    return f"unknown {what} '{name}'" + _hint(name, known)


# ====================================================================== running cases


@frozen
class CaseOutcome:
    """How one case went.

    ``mismatches`` lists (what, expected, actual) for every expectation that failed;
    ``explanations`` holds, for each mismatched indicator, ``result[code].explain()``.
    """

    case: Case
    passed: bool
    expected: dict[str, Any]
    actual: dict[str, Any]
    mismatches: tuple[tuple[str, str, str], ...] = ()
    explanations: Mapping[str, str] = field(factory=dict)
    error: str | None = None

    @property
    def name(self) -> str:
        return self.case.name

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name,
                               "outcome": "passed" if self.passed else "failed"}
        if not self.passed:
            out["expected"] = self.expected
            out["actual"] = self.actual
            out["mismatches"] = [{"what": w, "expected": e, "actual": a}
                                 for w, e, a in self.mismatches]
            if self.explanations:
                out["explanations"] = dict(self.explanations)
        return out

    def failure_text(self) -> str:
        """Expected vs actual and the explanations, for people (empty when passed)."""
        if self.passed:
            return ""
        lines = []
        for what, expected, actual in self.mismatches:
            lines.append(f"{what}: expected {expected}, actual {actual}")
        headings = {"total": "the top level:", "vetoes": "vetoes applied:"}
        ordered = sorted(self.explanations.items(), key=lambda item: item[0] in headings)
        for code, text in ordered:
            lines.append(headings.get(code, f"explanation of {code}:"))
            lines.extend(f"  {line}" for line in text.splitlines())
        return "\n".join(lines)


def run_case(framework: Framework, case: Case) -> tuple[CaseOutcome, Result | None]:
    """Score one case and compare; returns the outcome and the result (None if not scored)."""
    try:
        result = framework.score(
            dict(case.inputs), judgements=dict(case.judgements),
            adjustments=dict(case.adjustments), not_applicable=case.not_applicable or (),
            unit=case.unit,
        )
    except InputError as error:
        return _errored(case, error), None
    if case.expect_error is not None:
        expected = _error_expected(case.expect_error)
        actual = {"total": _json_number(result.total), "grade": result.grade}
        shown = f"scored {format_number(result.total)}" + (
            f", grade {result.grade}" if result.grade else "")
        return CaseOutcome(case, False, expected, actual,
                           (("error", _describe_error(case.expect_error), shown),)), result
    assert case.expect is not None
    return _compare(case, case.expect, result), result


def _errored(case: Case, error: InputError) -> CaseOutcome:
    names = [p.name for p in error.problems]
    message = str(error)
    actual = {"error": {"inputs": names, "message": message}}
    if case.expect_error is None:
        assert case.expect is not None
        expected = _expect_dict(case.expect)
        return CaseOutcome(case, False, expected, actual,
                           (("result", "a score", f"input error: {message}"),), error=message)
    wanted = case.expect_error
    mismatches = []
    missing = [n for n in wanted.inputs if n not in names]
    if missing:
        mismatches.append(("error inputs", ", ".join(wanted.inputs),
                           ", ".join(names) or "none"))
    if wanted.message_contains is not None and wanted.message_contains not in message:
        mismatches.append(("error message", f"containing {wanted.message_contains!r}",
                           repr(message)))
    return CaseOutcome(case, not mismatches, _error_expected(wanted), actual,
                       tuple(mismatches), error=message)


def _error_expected(wanted: ErrorExpectation) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if wanted.inputs:
        out["inputs"] = list(wanted.inputs)
    if wanted.message_contains is not None:
        out["message_contains"] = wanted.message_contains
    return {"error": out}


def _describe_error(wanted: ErrorExpectation) -> str:
    parts = []
    if wanted.inputs:
        parts.append("naming " + ", ".join(wanted.inputs))
    if wanted.message_contains is not None:
        parts.append(f"containing {wanted.message_contains!r}")
    return "an input error " + " and ".join(parts)


def _expect_dict(expect: Expectation) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if expect.total is not None:
        out["total"] = _json_number(expect.total)
    if expect.grade is not None:
        out["grade"] = expect.grade
    if expect.grade_before_vetoes is not None:
        out["grade_before_vetoes"] = expect.grade_before_vetoes
    if expect.scores:
        out["scores"] = {c: None if v is None else _json_number(v)
                         for c, v in expect.scores.items()}
    return out


def _compare(case: Case, expect: Expectation, result: Result) -> CaseOutcome:
    mismatches: list[tuple[str, str, str]] = []
    explanations: dict[str, str] = {}
    actual: dict[str, Any] = {}
    if expect.total is not None:
        actual["total"] = _json_number(result.total)
        if result.total != expect.total:
            mismatches.append(("total", _points(expect.total), _points(result.total)))
            explanations["total"] = "\n".join(
                node.explain().splitlines()[0] for node in result.top)
    for key in ("grade", "grade_before_vetoes"):
        wanted = getattr(expect, key)
        if wanted is not None:
            got = getattr(result, key)
            actual[key] = got
            if got != wanted:
                mismatches.append((key, wanted, str(got)))
                if result.vetoes:
                    explanations.setdefault("vetoes", "\n".join(result.vetoes))
    if expect.scores:
        actual["scores"] = {}
        for code, wanted in expect.scores.items():
            got = result[code].score
            actual["scores"][code] = None if got is None else _json_number(got)
            if got != wanted:
                mismatches.append((code, _points(wanted), _points(got)))
                explanations[code] = result[code].explain()
    return CaseOutcome(case, not mismatches, _expect_dict(expect), actual, tuple(mismatches),
                       explanations)


def _points(value: Decimal | None) -> str:
    return "不适用 (excluded)" if value is None else format_number(value)


def _json_number(value: Decimal) -> int | float:
    text = format_number(value)
    return int(text) if "." not in text else float(text)


# ====================================================================== coverage: branches


@frozen
class Branch:
    """One branch of a rule: ``reachable`` False when no input can take it (not counted)."""

    name: str
    reachable: bool = True
    why: str | None = None


@frozen
class RuleBranches:
    """The branches of one node: its rule's (a leaf) and ``not-applicable`` where it counts."""

    code: str
    kind: str
    branches: tuple[Branch, ...]


def rule_branches(framework: Framework) -> list[RuleBranches]:
    """Every leaf's branches (and inner nodes that state a 不适用 policy), in tree order."""
    default_policy = framework.ast.not_applicable
    out = []
    for code in framework.codes:
        node = framework[code]
        if node.rule is None:
            if node.not_applicable is not None:
                out.append(RuleBranches(code, "node", (Branch(NOT_APPLICABLE),)))
            continue
        penalty = node.section is ast.Section.PENALTY
        branches = list(_branches(framework, node.rule, node.cap, penalty))
        if (node.not_applicable or default_policy) is not None:
            branches.append(Branch(NOT_APPLICABLE))
        out.append(RuleBranches(code, ast.KIND_NAMES[type(node.rule)], tuple(branches)))
    return out


def _branches(fw: Framework, rule: ast.Rule, cap: Decimal, penalty: bool) -> Iterator[Branch]:
    match rule:
        case ast.YesNo():
            yield from (Branch("met"), Branch("missed"))
        case ast.Threshold():
            yield from _threshold_branches(fw, rule, cap)
        case ast.Proportional():
            yield Branch("below-cap")
            yield _proportional_capped(fw, rule, cap)
        case ast.Bands():
            for band in rule.bands:
                yield Branch(f"band {_interval_text(band.interval)}")
        case ast.Deduct():
            yield from _deduct_branches(fw, rule, cap, penalty)
        case ast.Baseline():
            yield from _baseline_branches(fw, rule)
        case ast.Deviation():
            yield Branch("within")
            yield _deviation_outside(fw, rule)
        case ast.Graded():
            for level in rule.levels:
                yield Branch(f"level {level.name}")
        case ast.Judged():
            if penalty:
                yield from (Branch("none"), Branch("deducted"))
            else:
                yield from (Branch("full"), Branch("below-cap"))
        case ast.Composite():
            for position, part in enumerate(rule.parts, start=1):
                for branch in _branches(fw, part.rule, part.cap, penalty):
                    yield Branch(f"part {position}: {branch.name}", branch.reachable, branch.why)
        case ast.Awards():
            yield Branch("none")
            positive = [a.points for a in rule.awards if a.points > 0]
            yield Branch("counted", bool(positive) and min(positive) <= cap,
                         None if positive and min(positive) <= cap
                         else "no award is worth points within the cap")
            yield Branch("capped", bool(positive), None if positive else "no award is worth points")


def branch_taken(rule: ast.Rule, fact: tuple[Any, ...], score: Decimal, cap: Decimal,
                 penalty: bool) -> list[str]:
    """The branch names one scoring took, from the rule's recorded facts and its score."""
    kind = fact[0]
    match rule:
        case ast.YesNo():
            return [kind]
        case ast.Threshold():
            if kind == "met":
                return ["met-with-gain" if len(fact) > 1 and fact[2] > 0 else "met"]
            if kind == "short":
                return ["short" if score > 0 else "short-to-zero"]
            return [kind]
        case ast.Proportional():
            return ["capped" if fact[1] > cap else "below-cap"]
        case ast.Bands():
            position = fact[1]
            if position < 0:
                return ["no band"]
            return [f"band {_interval_text(rule.bands[position].interval)}"]
        case ast.Deduct():
            _, deduction, counted = fact
            if deduction == 0:
                return ["none"]
            if rule.limit is not None and deduction > rule.limit:
                return ["limit-hit"]
            if penalty:
                return ["cap-reached" if counted >= cap else "some"]
            return ["zero-floor" if score <= 0 else "some"]
        case ast.Baseline() | ast.Deviation():
            return [kind]
        case ast.Graded():
            return [f"level {rule.levels[fact[1]].name}"]
        case ast.Judged():
            if penalty:
                return ["none" if score == 0 else "deducted"]
            return ["full" if score == cap else "below-cap"]
        case ast.Composite():
            _, scores, facts = fact
            taken = []
            for position, (part, s, f) in enumerate(
                zip(rule.parts, scores, facts, strict=True), start=1
            ):
                taken.extend(f"part {position}: {name}"
                             for name in branch_taken(part.rule, f, s, part.cap, penalty))
            return taken
        case ast.Awards():
            points = fact[1]
            if points == 0:
                return ["none"]
            return ["capped" if points > cap else "counted"]
    raise AssertionError(f"no branches for {type(rule).__name__}")  # pragma: no cover


def _interval_text(interval: ast.Interval) -> str:
    def amount(q: ast.Quantity) -> str:
        return format_number(q.value) + ("%" if q.is_percent else "")

    low, high = interval.low, interval.high
    if low is not None and high is not None:
        if low.value == high.value and interval.low_inclusive and interval.high_inclusive:
            return f"= {amount(low)}"
        return (("[" if interval.low_inclusive else "(") + f"{amount(low)}, {amount(high)}"
                + ("]" if interval.high_inclusive else ")"))
    if low is not None:
        return (">= " if interval.low_inclusive else "> ") + amount(low)
    if high is not None:
        return ("<= " if interval.high_inclusive else "< ") + amount(high)
    return "any value"


# ---------------------------------------------------------------- reachability


def _range(fw: Framework, ref: ast.InputRef) -> tuple[Decimal | None, Decimal | None]:
    return ast.value_range(fw.inputs[ref.name])


def _counting(fw: Framework, steps: ast.Steps) -> ast.Counting:
    counting = steps.counting or fw.ast.counting
    assert counting is not None, "check() rejects steps whose counting is unstated"
    return counting


@frozen
class _Stretch:
    """Distances d from a bound: from 0 (``zero`` says whether 0 itself is in) up to ``top``
    (None: no end), ``top_in`` saying whether ``top`` itself is in."""

    zero: bool
    top: Decimal | None
    top_in: bool

    @property
    def empty(self) -> bool:
        if self.top is None:
            return False
        return self.top < 0 or (self.top == 0 and not (self.zero and self.top_in))


def _cap_top(stretch: _Stretch, top: Decimal, top_in: bool) -> _Stretch:
    if stretch.top is None or top < stretch.top:
        return _Stretch(stretch.zero, top, top_in)
    if top == stretch.top:
        return _Stretch(stretch.zero, top, top_in and stretch.top_in)
    return stretch


def _shortfall(op: str, bound: Decimal, low: Decimal | None, high: Decimal | None,
               cutoff: ast.Comparison | None) -> _Stretch | None:
    """The distances by which an input in [low, high] can miss ``op bound`` without being
    cut off; None when that is not simple to decide."""
    if op == "=":
        return None
    below = op in (">=", ">")  # missed downwards
    stretch = _Stretch(zero=op in (">", "<"), top=None, top_in=True)
    end = low if below else high
    if end is not None:
        stretch = _cap_top(stretch, (bound - end) if below else (end - bound), True)
    if cutoff is not None:
        if not isinstance(cutoff.operand, ast.Quantity):
            return None
        c = cutoff.operand.value
        if below and cutoff.op in ("<", "<="):
            stretch = _cap_top(stretch, bound - c, cutoff.op == "<")
        elif not below and cutoff.op in (">", ">="):
            stretch = _cap_top(stretch, c - bound, cutoff.op == ">")
        else:
            return None
    return stretch


def _most_steps(counting: ast.Counting, stretch: _Stretch, size: Decimal) -> Decimal | None:
    """The largest step count over the stretch (None: unbounded); pro rata is exact d/size."""
    if stretch.top is None:
        return None
    ratio = stretch.top / size
    if counting is ast.Counting.FULL:
        whole = ratio.to_integral_value(rounding=ROUND_FLOOR)
        if not stretch.top_in and whole == ratio:
            whole -= 1
        return max(whole, _ZERO)
    if counting is ast.Counting.STARTED:
        return max(ratio.to_integral_value(rounding=ROUND_CEILING), Decimal(1))
    return ratio


def _threshold_branches(fw: Framework, rule: ast.Threshold, cap: Decimal) -> Iterator[Branch]:
    points = cap if rule.points is None else rule.points
    constant = isinstance(rule.bound.operand, ast.Quantity)
    low, high = _range(fw, rule.input)
    bound = rule.bound.operand.value if isinstance(rule.bound.operand, ast.Quantity) else None
    op = rule.bound.op
    if rule.beyond is None:
        yield Branch("met")
    else:
        yield from _gain_branches(fw, rule.beyond, op, bound, low, high, constant)
    if rule.short is not None:
        yield from _short_branches(fw, rule, points, bound if constant else None, low, high)
    if rule.cutoff is not None:
        yield Branch("cutoff")
    if rule.short is None:
        yield Branch("missed")


def _short_branches(fw: Framework, rule: ast.Threshold, points: Decimal, bound: Decimal | None,
                    low: Decimal | None, high: Decimal | None) -> Iterator[Branch]:
    """``short`` and ``short-to-zero``, each unreachable when no value of the input (in its
    declared range, not cut off) gives it; ``bound`` is None for a bound given by an input."""
    assert rule.short is not None
    stretch = (None if bound is None
               else _shortfall(rule.bound.op, bound, low, high, rule.cutoff))
    if stretch is None:
        yield from (Branch("short"), Branch("short-to-zero"))
        return
    if stretch.empty:
        why = "no value of the input misses the bound without being cut off"
        yield from (Branch("short", False, why), Branch("short-to-zero", False, why))
        return
    counting = _counting(fw, rule.short)
    size, step_points = rule.short.size.value, rule.short.points
    first = Decimal(1) if counting is ast.Counting.STARTED else _ZERO
    positive = points - first * step_points > 0
    yield Branch("short", positive, None if positive else
                 "the first step already deducts every point")
    most = _most_steps(counting, stretch, size)
    if most is None or step_points <= 0:
        reaches = step_points > 0
    elif counting is ast.Counting.PRO_RATA:
        reaches = points - most * step_points < _HALF_CENT
    else:
        reaches = points - most * step_points <= 0
    yield Branch("short-to-zero", reaches, None if reaches else
                 "the deductions stop above 0 before the input's range or the cut-off ends")


def _gain_branches(fw: Framework, steps: ast.Steps, op: str, bound: Decimal | None,
                   low: Decimal | None, high: Decimal | None, constant: bool) -> Iterator[Branch]:
    counting = _counting(fw, steps)
    strict = op in (">", "<")
    if op == "=":
        yield Branch("met")
        yield Branch("met-with-gain", False, "an `=` bound is met only at distance 0")
        return
    plain = not strict or counting is ast.Counting.FULL
    yield Branch("met", plain, None if plain else
                 "past a strict bound every value gains a started or pro-rata step")
    if not constant or bound is None:
        yield Branch("met-with-gain")
        return
    end = high if op in (">=", ">") else low
    room = None if end is None else (end - bound if op in (">=", ">") else bound - end)
    if room is None:
        reach = True
    elif counting is ast.Counting.FULL:
        reach = room >= steps.size.value
    else:
        reach = room > 0
    yield Branch("met-with-gain", reach, None if reach else
                 "the input's range leaves no room for an addition step past the bound")


def _proportional_capped(fw: Framework, rule: ast.Proportional, cap: Decimal) -> Branch:
    if not isinstance(rule.target, ast.Quantity):
        return Branch("capped")
    _, high = _range(fw, rule.input)
    if high is None:
        return Branch("capped")
    best = (cap * high / rule.target.value).quantize(_CENT, rounding=ROUND_HALF_UP)
    if best > cap:
        return Branch("capped")
    return Branch("capped", False, "the input's range never goes past the target")


def _deviation_outside(fw: Framework, rule: ast.Deviation) -> Branch:
    name = "beyond" if rule.steps is not None else "outside"
    if not isinstance(rule.target, ast.Quantity):
        return Branch(name)
    low, high = _range(fw, rule.input)
    if low is None or high is None:
        return Branch(name)
    target = rule.target.value
    widest = max(abs(low - target), abs(high - target))
    if rule.tolerance.is_percent:
        if target == 0:
            return Branch(name)
        widest = widest * 100 / abs(target)
    if widest > rule.tolerance.value:
        return Branch(name)
    return Branch(name, False, "the input's range stays within the tolerance")


def _baseline_branches(fw: Framework, rule: ast.Baseline) -> Iterator[Branch]:
    if not isinstance(rule.reference, ast.Quantity):
        yield from (Branch("at"), Branch("lower"), Branch("higher"))
        return
    reference = rule.reference.value
    low, high = _range(fw, rule.input)
    at = (low is None or low <= reference) and (high is None or reference <= high)
    yield Branch("at", at, None if at else "the reference is outside the input's range")
    lower = low is None or low < reference
    yield Branch("lower", lower, None if lower else "the input never goes below the reference")
    higher = high is None or high > reference
    yield Branch("higher", higher, None if higher else
                 "the input never goes above the reference")


def _deduct_branches(fw: Framework, rule: ast.Deduct, cap: Decimal,
                     penalty: bool) -> Iterator[Branch]:
    """none / some / limit-hit / zero-floor (cap-reached in a penalty), with reachability."""
    terms: list[tuple[Decimal, Decimal | None]] = []  # (points, most occurrences; None: any)
    for occurrence in rule.occurrences:
        if occurrence.is_flag:
            terms.append((occurrence.points, Decimal(1)))
        else:
            low, high = _range(fw, occurrence.input)
            terms.append((occurrence.points, None if high is None else high))
    terms = [(p, n) for p, n in terms if p > 0 and (n is None or n >= 1)]
    most = None if any(n is None for _, n in terms) else sum(
        (p * n for p, n in terms if n is not None), _ZERO)
    limit = rule.limit
    yield Branch("none")
    smallest = min((p for p, _ in terms), default=None)
    some = smallest is not None and smallest < cap and (limit is None or smallest <= limit)
    yield Branch("some", some, None if some else
                 "the smallest deduction already reaches the cap or exceeds the limit")
    if limit is not None:
        hit = most is None or most > limit
        yield Branch("limit-hit", hit, None if hit else "the deductions never exceed the limit")
    name = "cap-reached" if penalty else "zero-floor"
    if limit is not None and limit < cap:
        yield Branch(name, False, "the limit is below the cap")
        return
    reach = _can_deduct_between(terms, cap, limit)
    yield Branch(name, reach, None if reach else "the deductions can never add up to the cap")


def _can_deduct_between(terms: Sequence[tuple[Decimal, Decimal | None]], low: Decimal,
                        high: Decimal | None) -> bool:
    """Whether some sum Σ points × n (n within each term's bound) lies in [low, high]."""
    if not terms:
        return False
    if high is None:
        if any(n is None for _, n in terms):
            return True
        return sum((p * n for p, n in terms if n is not None), _ZERO) >= low
    sums = {_ZERO}
    for points, most in terms:
        grown = set(sums)
        for total in sums:
            count = 1
            while (most is None or count <= most) and total + points * count <= high:
                grown.add(total + points * count)
                count += 1
                if len(grown) > _ENUMERATION_LIMIT:
                    return True  # too many to tell simply: count it
        sums = grown
    return any(low <= s <= high for s in sums)


# ====================================================================== coverage: measuring


@frozen
class RuleCoverage:
    """One node's branches and which the cases hit."""

    code: str
    kind: str
    branches: tuple[Branch, ...]
    hit: frozenset[str]
    adjusted: bool = False

    @property
    def counted(self) -> list[str]:
        return [b.name for b in self.branches if b.reachable]

    @property
    def branches_hit(self) -> list[str]:
        return [name for name in self.counted if name in self.hit]

    @property
    def branches_missed(self) -> list[str]:
        return [name for name in self.counted if name not in self.hit]

    @property
    def unreachable(self) -> list[Branch]:
        return [b for b in self.branches if not b.reachable]

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "kind": self.kind,
            "branches_hit": self.branches_hit,
            "branches_missed": self.branches_missed,
            "unreachable": [{"branch": b.name, "why": b.why} for b in self.unreachable],
            "adjusted": self.adjusted,
        }


@frozen
class Coverage:
    """Branch coverage over a set of scored cases."""

    rules: tuple[RuleCoverage, ...]
    adjusted: tuple[str, ...] = ()

    @property
    def total(self) -> int:
        return sum(len(r.counted) for r in self.rules)

    @property
    def hit(self) -> int:
        return sum(len(r.branches_hit) for r in self.rules)

    @property
    def percent(self) -> float:
        """Hit branches over counted branches, in percent (100 when nothing counts)."""
        if not self.total:
            return 100.0
        return round(100 * self.hit / self.total, 2)

    def to_dict(self) -> dict[str, Any]:
        return {
            "percent": self.percent,
            "branches": self.total,
            "hit": self.hit,
            "rules": [r.to_dict() for r in self.rules],
            "adjusted": list(self.adjusted),
        }


class CoverageTracker:
    """Collects the branches taken by each scored case."""

    def __init__(self, framework: Framework):
        self.framework = framework
        self.static = rule_branches(framework)
        self.hits: dict[str, set[str]] = {r.code: set() for r in self.static}
        self.adjusted: set[str] = set()

    def record_result(self, case: Case, result: Result,
                      facts: Mapping[str, tuple[Any, ...] | None]) -> None:
        marked = set(case.not_applicable or ())
        self.adjusted.update(code for code in case.adjustments if code in result)
        for rule in self.static:
            code = rule.code
            if code in marked:
                self.hits[code].add(NOT_APPLICABLE)
                continue
            fact = facts.get(code)
            node = self.framework[code]
            if fact is None or node.rule is None:
                continue
            score = result[code].rule_score
            assert score is not None
            penalty = node.section is ast.Section.PENALTY
            self.hits[code].update(branch_taken(node.rule, fact, score, node.cap, penalty))

    def coverage(self) -> Coverage:
        rules = tuple(
            RuleCoverage(r.code, r.kind, r.branches, frozenset(self.hits[r.code]),
                         r.code in self.adjusted)
            for r in self.static
        )
        order = {code: i for i, code in enumerate(self.framework.codes)}
        return Coverage(rules, tuple(sorted(self.adjusted, key=order.__getitem__)))


# ====================================================================== the test run


@frozen
class TestReport:
    """Every case's outcome and the branch coverage of a run."""

    __test__ = False  # not a pytest test class

    framework: Framework
    cases_file: str
    outcomes: tuple[CaseOutcome, ...]
    coverage: Coverage

    @property
    def passed(self) -> int:
        return sum(1 for o in self.outcomes if o.passed)

    @property
    def failed(self) -> int:
        return len(self.outcomes) - self.passed

    def to_dict(self, min_coverage: float | None = None) -> dict[str, Any]:
        out = {
            "framework": self.framework.source_name,
            "cases_file": self.cases_file,
            "passed": self.passed,
            "failed": self.failed,
            "cases": [o.to_dict() for o in self.outcomes],
            "coverage": self.coverage.to_dict(),
        }
        if min_coverage is not None:
            out["min_coverage"] = min_coverage
            out["coverage_ok"] = self.coverage.percent >= min_coverage
        return out


def locate(path: str | os.PathLike[str]) -> tuple[Path, Path]:
    """(rule file, case file) for a framework folder, or for a case file beside its rules."""
    where = Path(path)
    if where.is_dir():
        return where / RULES_FILE, where / CASES_FILE
    return where.parent / RULES_FILE, where


def run_tests(path: str | os.PathLike[str], names: Sequence[str] = ()) -> TestReport:
    """Load a framework folder's rules and cases, run the cases (only ``names`` if given).

    Raises:
        RuleFileError: the framework cannot be loaded.
        CaseFileError: the case file is invalid, or ``names`` names no case.
    """
    rules, cases_file = locate(path)
    framework = api.load(rules)
    cases = load_cases(cases_file, framework)
    if names:
        known = {c.name for c in cases}
        unknown = [n for n in names if n not in known]
        if unknown:
            raise CaseFileError(str(cases_file), [
                f"--case: {_unknown(n, 'case', known)}" for n in unknown])
        cases = [c for c in cases if c.name in set(names)]
    return run_cases(framework, cases, str(cases_file))


def run_cases(framework: Framework, cases: Sequence[Case], cases_file: str = "<cases>"
              ) -> TestReport:
    """Run ``cases`` against ``framework`` and measure branch coverage."""
    tracker = CoverageTracker(framework)
    outcomes = []
    for case in cases:
        outcome, result = run_case(framework, case)
        outcomes.append(outcome)
        if result is not None:
            facts = framework.facts(dict(case.inputs), judgements=dict(case.judgements),
                                    adjustments=dict(case.adjustments),
                                    not_applicable=case.not_applicable or (), unit=case.unit)
            tracker.record_result(case, result, facts)
    return TestReport(framework, cases_file, tuple(outcomes), tracker.coverage())


# ====================================================================== printing


def render_table(report: TestReport, min_coverage: float | None = None) -> str:
    """The report for people: each case, failures in detail, then the coverage table."""
    fw = report.framework
    lines = [f"{report.cases_file}: {len(report.outcomes)} case(s) for {fw.name}", ""]
    for outcome in report.outcomes:
        lines.append(("  ok    " if outcome.passed else "  FAIL  ") + outcome.name)
        if not outcome.passed:
            lines.extend(f"          {line}" for line in outcome.failure_text().splitlines())
    lines.append("")
    lines.append(f"{len(report.outcomes)} case(s): {report.passed} passed, "
                 f"{report.failed} failed")
    coverage = report.coverage
    lines.append("")
    lines.append(f"Branch coverage: {coverage.hit} of {coverage.total} branches "
                 f"({_percent(coverage.percent)})")
    rows = [["code", "rule", "hit", "branches (✓ exercised, ✗ not exercised)"]]
    notes: list[str] = []
    for rule in coverage.rules:
        marks = [("✓" if b in rule.hit else "✗") + b for b in rule.counted]
        rows.append([rule.code, rule.kind, f"{len(rule.branches_hit)}/{len(rule.counted)}",
                     "  ".join(marks)])
        for branch in rule.unreachable:
            notes.append(f"  {rule.code} {branch.name}: {branch.why}")
    widths = [max(display_width(row[i]) for row in rows) for i in range(3)]
    for row in rows:
        cells = [row[i] + " " * (widths[i] - display_width(row[i])) for i in range(3)]
        lines.append("  " + "  ".join([*cells, row[3]]).rstrip())
    if notes:
        lines.append("Not counted (no input can reach them):")
        lines.extend(notes)
    if coverage.adjusted:
        lines.append("Adjusted by an evaluator in some case (informational, not counted): "
                     + ", ".join(coverage.adjusted))
    if min_coverage is not None and coverage.percent < min_coverage:
        lines.append(f"Coverage {_percent(coverage.percent)} is below the required "
                     f"{_percent(min_coverage)}.")
    return "\n".join(lines) + "\n"


def render_json(report: TestReport, min_coverage: float | None = None) -> str:
    return json.dumps(report.to_dict(min_coverage), ensure_ascii=False, indent=2) + "\n"


def _percent(value: float) -> str:
    return f"{value:.1f}%"


# ====================================================================== the command


def add_arguments(commands: Any, name: str) -> None:
    """The ``perfrules test`` subcommand's arguments."""
    test = commands.add_parser(
        name, help="run a framework's test cases and report branch coverage",
        description="Run the cases in FRAMEWORK_DIR/cases.yaml against FRAMEWORK_DIR/"
                    "framework.rules; print a pass/fail report and the rules' branch coverage. "
                    "Exit status: 0 all passed, 1 a failure (or coverage below "
                    "--min-coverage, or an invalid file), 2 a usage mistake.",
    )
    test.add_argument("framework", metavar="FRAMEWORK_DIR",
                      help="a folder holding framework.rules and cases.yaml (or the case file)")
    test.add_argument("--format", choices=("table", "json"), default="table")
    test.add_argument("--min-coverage", type=_percentage, metavar="PCT",
                      help="fail when branch coverage is below PCT percent")
    test.add_argument("--case", action="append", default=[], metavar="NAME",
                      help="run only this case (may be repeated)")


def _percentage(text: str) -> float:
    try:
        value = float(text.rstrip("%"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a percentage") from None
    if not 0 <= value <= 100:
        raise argparse.ArgumentTypeError(f"{text!r} is not between 0 and 100")
    return value


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """``perfrules test``: 0 all passed (and coverage enough), 1 otherwise, 2 usage."""
    rules, cases_file = locate(args.framework)
    if not rules.exists() and not Path(args.framework).exists():
        print(f"perfrules: no framework at {args.framework}", file=err)
        return EXIT_FAILED
    try:
        report = run_tests(args.framework, args.case)
    except RuleFileError as error:
        print(str(error), file=err)
        return EXIT_FAILED
    except CaseFileError as error:
        print(f"perfrules: {error}", file=err)
        unknown_case = args.case and all(p.startswith("--case:") for p in error.problems)
        return EXIT_USAGE if unknown_case else EXIT_FAILED
    if args.format == "json":
        out.write(render_json(report, args.min_coverage))
    else:
        out.write(render_table(report, args.min_coverage))
    if report.failed:
        return EXIT_FAILED
    if args.min_coverage is not None and report.coverage.percent < args.min_coverage:
        return EXIT_FAILED
    return EXIT_OK
