"""Semantic checks: an AST in, a CheckedFramework (or every diagnostic found) out.

Each ``check_*`` function looks at one aspect of a framework and yields diagnostics; none of
them raises for a mistake in the rule file. ``diagnose`` runs them all, ``check`` raises
``FrameworkCheckError`` when any error was found. Every number is compared exactly (Decimal).
"""

from __future__ import annotations

import decimal
import difflib
import itertools
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from attrs import field, frozen

from . import ast, bounds
from .errors import Diagnostic, FrameworkCheckError
from .source import Source, Span


@frozen
class CheckedFramework:
    """A framework that passed every check, with the indexes later stages need.

    Attributes:
        framework: the AST.
        source_name: the rule file's name (a path or ``<string>``).
        nodes: every indicator in pre-order; a node's index is its position here.
        parents: for each node, its parent's index (None for a top-level node).
        levels: for each node, its depth (1 for 一级指标).
        inputs: the declared inputs by name, in declaration order.
        warnings: diagnostics of severity "warning" (the file is still usable).
    """

    framework: ast.Framework
    source_name: str
    nodes: tuple[ast.Indicator, ...]
    parents: tuple[int | None, ...]
    levels: tuple[int, ...]
    inputs: Mapping[str, ast.InputDecl]
    warnings: tuple[Diagnostic, ...] = ()
    #: Each node's position by its code.
    positions: Mapping[str, int] = field(kw_only=True)
    #: For each node, the names of the inputs its rule reads (empty for inner nodes).
    rule_inputs: tuple[frozenset[str], ...] = field(kw_only=True)

    def counting(self, steps: ast.Steps) -> ast.Counting:
        """The step counting in force for ``steps``: its own, else the framework's default."""
        counting = steps.counting or self.framework.counting
        assert counting is not None, "check() rejects steps whose counting is unstated"
        return counting


Check = Callable[[ast.Framework], Iterator[Diagnostic]]

NUMERIC_TYPES = frozenset(
    {ast.InputType.PERCENT, ast.InputType.NUMBER, ast.InputType.COUNT, ast.InputType.MONEY}
)

_BOOL = frozenset({ast.InputType.BOOL})
_COUNT = frozenset({ast.InputType.COUNT})

#: Rules a penalty node may carry: its score is a deduction.
PENALTY_RULES: tuple[type, ...] = (ast.Judged, ast.Deduct)

#: Which sections a node of each section may hold as children.
ALLOWED_CHILD_SECTIONS: Mapping[ast.Section, frozenset[ast.Section]] = {
    ast.Section.REGULAR: frozenset({ast.Section.REGULAR}),
    ast.Section.BONUS: frozenset({ast.Section.BONUS, ast.Section.PENALTY}),
    ast.Section.PENALTY: frozenset({ast.Section.PENALTY}),
}

_RULE_WORDS: Mapping[type, str] = {
    ast.YesNo: "a yes/no rule",
    ast.Threshold: "a threshold",
    ast.Proportional: "a proportional rule",
    ast.Bands: "a bands table",
    ast.Deduct: "a deduction",
    ast.Baseline: "a baseline rule",
    ast.Deviation: "a deviation rule",
    ast.Graded: "a levels rule",
    ast.Judged: "a judged rule",
    ast.Composite: "a combined rule",
    ast.Awards: "an awards rule",
}

#: Digits kept by the checker's arithmetic: enough that sums of 25-digit literals stay exact.
_EXACT_DIGITS = 200


# ====================================================================== small helpers


def _error(code: str, message: str, span: Span | None, hint: str | None = None) -> Diagnostic:
    return Diagnostic(code, message, span, hint=hint, severity="error")


def _warning(code: str, message: str, span: Span | None, hint: str | None = None) -> Diagnostic:
    return Diagnostic(code, message, span, hint=hint, severity="warning")


def _number(value: Decimal) -> str:
    """A decimal as people write it: ``2.5``, ``100``, never ``1E+2``."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def _amount(value: Decimal, percent: bool) -> str:
    return _number(value) + ("%" if percent else "")


def _quantity(quantity: ast.Quantity) -> str:
    return _amount(quantity.value, quantity.is_percent)


def _operand(operand: ast.Operand) -> str:
    return operand.name if isinstance(operand, ast.InputRef) else _quantity(operand)


def _a_type(input_type: ast.InputType) -> str:
    article = "an" if input_type.value[0] in "aeiou" else "a"
    return f"{article} {input_type.value} input"


def _did_you_mean(name: str, candidates: Iterable[str]) -> str | None:
    # 0.5 lets a two-character Chinese name with one character wrong (良号 → 良好) match.
    matches = difflib.get_close_matches(name, list(candidates), n=3, cutoff=0.5)
    if not matches:
        return None
    return "did you mean " + " or ".join(f"'{m}'" for m in matches) + "?"


def _line(span: Span | None) -> str:
    return f"line {span.line}" if span is not None else "elsewhere"


def _declared(framework: ast.Framework) -> dict[str, ast.InputDecl]:
    """The declared inputs by name; the first declaration wins over a duplicate."""
    declared: dict[str, ast.InputDecl] = {}
    for decl in framework.inputs:
        declared.setdefault(decl.name, decl)
    return declared


@frozen
class _RuleSite:
    """A rule where it stands: its indicator and the cap it is scored against."""

    indicator: ast.Indicator
    rule: ast.Rule
    cap: Decimal


def _rule_sites(framework: ast.Framework) -> Iterator[_RuleSite]:
    """Every rule of the tree, composite parts included, each with the cap it answers to."""
    for node in ast.walk(framework.indicators):
        if node.rule is None:
            continue
        pending: list[tuple[ast.Rule, Decimal]] = [(node.rule, node.cap)]
        while pending:
            rule, cap = pending.pop()
            yield _RuleSite(node, rule, cap)
            if isinstance(rule, ast.Composite):
                pending.extend((part.rule, part.cap) for part in reversed(rule.parts))


def _steps_of(rule: ast.Rule) -> list[ast.Steps]:
    match rule:
        case ast.Threshold():
            candidates = [rule.short, rule.beyond]
        case ast.Baseline():
            candidates = [rule.lower, rule.higher]
        case ast.Deviation():
            candidates = [rule.steps]
        case _:
            candidates = []
    return [steps for steps in candidates if steps is not None]


def _compared_literals(rule: ast.Rule) -> list[ast.Quantity]:
    """Literals a rule compares its input with or steps it by, in the input's own unit.

    A deviation's tolerance is not among them: a percent tolerance is relative for any input.
    """
    literals: list[object] = []
    match rule:
        case ast.Threshold():
            literals = [rule.bound.operand, rule.cutoff.operand if rule.cutoff else None]
            literals += [steps.size for steps in _steps_of(rule)]
        case ast.Proportional():
            literals = [rule.target]
        case ast.Bands():
            for band in rule.bands:
                literals += [band.interval.low, band.interval.high]
        case ast.Baseline():
            literals = [rule.reference] + [steps.size for steps in _steps_of(rule)]
        case ast.Deviation():
            literals = [rule.target]
    return [q for q in literals if isinstance(q, ast.Quantity)]


def _compared_inputs(rule: ast.Rule) -> list[ast.InputRef]:
    """Inputs a rule compares its own input with (thresholds, targets, references)."""
    operands: list[object] = []
    match rule:
        case ast.Threshold():
            operands = [rule.bound.operand, rule.cutoff.operand if rule.cutoff else None]
        case ast.Proportional() | ast.Deviation():
            operands = [rule.target]
        case ast.Baseline():
            operands = [rule.reference]
    return [ref for ref in operands if isinstance(ref, ast.InputRef)]


# ====================================================================== exact value sets


def _later_start(
    a: tuple[Decimal | None, bool], b: tuple[Decimal | None, bool]
) -> tuple[Decimal | None, bool]:
    """The later of two lower ends (value, inclusive); a None value is −∞."""
    if a[0] is None:
        return b
    if b[0] is None:
        return a
    if a[0] != b[0]:
        return a if a[0] > b[0] else b
    return a if not a[1] else b


def _earlier_end(
    a: tuple[Decimal | None, bool], b: tuple[Decimal | None, bool]
) -> tuple[Decimal | None, bool]:
    """The earlier of two upper ends (value, inclusive); a None value is +∞."""
    if a[0] is None:
        return b
    if b[0] is None:
        return a
    if a[0] != b[0]:
        return a if a[0] < b[0] else b
    return a if not a[1] else b


@frozen
class _Stretch:
    """The numbers between two ends, each included or not; a None end is unbounded."""

    low: Decimal | None
    low_inclusive: bool
    high: Decimal | None
    high_inclusive: bool

    @classmethod
    def of_comparison(cls, op: str, value: Decimal) -> _Stretch:
        match op:
            case ">=":
                return cls(value, True, None, False)
            case ">":
                return cls(value, False, None, False)
            case "<=":
                return cls(None, False, value, True)
            case "<":
                return cls(None, False, value, False)
            case _:
                return cls(value, True, value, True)

    @classmethod
    def of_interval(cls, interval: ast.Interval) -> _Stretch:
        return cls(
            interval.low.value if interval.low is not None else None,
            interval.low_inclusive,
            interval.high.value if interval.high is not None else None,
            interval.high_inclusive,
        )

    def intersect(self, other: _Stretch) -> _Stretch:
        low, low_inclusive = _later_start(
            (self.low, self.low_inclusive), (other.low, other.low_inclusive)
        )
        high, high_inclusive = _earlier_end(
            (self.high, self.high_inclusive), (other.high, other.high_inclusive)
        )
        return _Stretch(low, low_inclusive, high, high_inclusive)

    def contains(self, value: Decimal) -> bool:
        above_low = (
            self.low is None
            or value > self.low
            or (value == self.low and self.low_inclusive)
        )
        below_high = (
            self.high is None
            or value < self.high
            or (value == self.high and self.high_inclusive)
        )
        return above_low and below_high

    def is_empty(self, whole: bool = False) -> bool:
        """True when no value (no whole number, for a count) lies in the stretch."""
        if whole:
            first = self._first_whole()
            return first is not None and not self.contains(first)
        if self.low is None or self.high is None:
            return False
        if self.low != self.high:
            return self.low > self.high
        return not (self.low_inclusive and self.high_inclusive)

    def _first_whole(self) -> Decimal | None:
        if self.low is None:
            return None
        first = self.low.to_integral_value(rounding=ROUND_CEILING)
        if first == self.low and not self.low_inclusive:
            first += 1
        return first

    def _last_whole(self) -> Decimal | None:
        if self.high is None:
            return None
        last = self.high.to_integral_value(rounding=ROUND_FLOOR)
        if last == self.high and not self.high_inclusive:
            last -= 1
        return last

    def whole_numbers(self) -> _Stretch:
        """The same whole numbers, written with inclusive whole ends (for messages)."""
        first, last = self._first_whole(), self._last_whole()
        return _Stretch(first, first is not None, last, last is not None)

    def describe(self, percent: bool) -> str:
        """``[75%, 80%)``; a single value is written alone: ``80%``."""
        if self._single_value():
            assert self.low is not None
            return _amount(self.low, percent)
        if self.low is None:
            low = "(-∞"
        else:
            low = ("[" if self.low_inclusive else "(") + _amount(self.low, percent)
        if self.high is None:
            high = "+∞)"
        else:
            high = _amount(self.high, percent) + ("]" if self.high_inclusive else ")")
        return f"{low}, {high}"

    def _single_value(self) -> bool:
        return (
            self.low is not None
            and self.low == self.high
            and self.low_inclusive
            and self.high_inclusive
        )

    def values_phrase(self, percent: bool) -> str:
        """``values in [75%, 80%) are`` or ``the value 80% is``, to start a sentence."""
        if self._single_value():
            return f"the value {self.describe(percent)} is"
        return f"values in {self.describe(percent)} are"


def _start_key(stretch: _Stretch) -> tuple[int, Decimal, int]:
    if stretch.low is None:
        return (0, Decimal(0), 0)
    return (1, stretch.low, 0 if stretch.low_inclusive else 1)


def _end_key(stretch: _Stretch) -> tuple[int, Decimal, int]:
    if stretch.high is None:
        return (1, Decimal(0), 0)
    return (0, stretch.high, 1 if stretch.high_inclusive else 0)


def _domain(decl: ast.InputDecl) -> _Stretch:
    """The values an input may take: its declared range, else its type's natural one."""
    upside_down = (
        decl.low is not None and decl.high is not None and decl.low.value > decl.high.value
    )
    # An upside-down range is reported as bad-range; the type's natural range stands in.
    if upside_down:
        decl = ast.InputDecl(decl.name, decl.type)
    low, high = ast.value_range(decl)
    return _Stretch(low, low is not None, high, high is not None)


def _show(stretch: _Stretch, whole: bool) -> _Stretch:
    return stretch.whole_numbers() if whole else stretch


# ====================================================================== inputs


def check_duplicate_inputs(framework: ast.Framework) -> Iterator[Diagnostic]:
    """``duplicate-input``: an input name declared twice (the second is reported)."""
    first: dict[str, ast.InputDecl] = {}
    for decl in framework.inputs:
        if decl.name in first:
            yield _error(
                "duplicate-input",
                f"input '{decl.name}' is declared twice; each input is declared once",
                decl.span,
                hint=f"first declared at {_line(first[decl.name].span)}",
            )
        else:
            first[decl.name] = decl


def check_input_ranges(framework: ast.Framework) -> Iterator[Diagnostic]:
    """``bad-range``: a range that is upside down, on a non-numeric input, or in the wrong unit."""
    for decl in framework.inputs:
        ends = [q for q in (decl.low, decl.high) if q is not None]
        if not ends:
            continue
        if decl.type not in NUMERIC_TYPES:
            yield _error(
                "bad-range",
                f"input '{decl.name}' is {_a_type(decl.type)}; only percent, number, count "
                "and money inputs take a range",
                ends[0].span,
            )
            continue
        percent = decl.type is ast.InputType.PERCENT
        for end in ends:
            if end.is_percent != percent:
                expected = "in percents, such as 0%..100%" if percent else "without '%'"
                yield _error(
                    "bad-range",
                    f"the range of {decl.type.value} input '{decl.name}' is written {expected}, "
                    f"not {_quantity(end)}",
                    end.span,
                )
        if decl.low is not None and decl.high is not None and decl.low.value > decl.high.value:
            yield _error(
                "bad-range",
                f"the range of '{decl.name}' runs from {_quantity(decl.low)} down to "
                f"{_quantity(decl.high)}; the low end comes first",
                decl.low.span,
            )
        if decl.type is ast.InputType.COUNT:
            for end in ends:
                if end.value < 0:
                    yield _error(
                        "bad-range",
                        f"count '{decl.name}' cannot reach {_quantity(end)}; a count is never "
                        "negative",
                        end.span,
                    )


def check_undeclared_inputs(framework: ast.Framework) -> Iterator[Diagnostic]:
    """``undeclared-input``: a rule or a veto uses an input the inputs block does not declare."""
    declared = _declared(framework)
    refs: list[ast.InputRef] = [veto.input for veto in framework.vetoes]
    for node in ast.walk(framework.indicators):
        if node.rule is not None:
            refs.extend(ast.rule_inputs(node.rule))
    for ref in refs:
        if ref.name not in declared:
            yield _error(
                "undeclared-input",
                f"input '{ref.name}' is not declared in the inputs block",
                ref.span,
                hint=_did_you_mean(ref.name, declared)
                or f"declare it: inputs {{ {ref.name}: <type> }}",
            )


def check_unused_inputs(framework: ast.Framework) -> Iterator[Diagnostic]:
    """``unused-input`` (warning): a declared input that no rule or veto uses."""
    used = {veto.input.name for veto in framework.vetoes}
    for node in ast.walk(framework.indicators):
        if node.rule is not None:
            used.update(ref.name for ref in ast.rule_inputs(node.rule))
    for decl in _declared(framework).values():
        if decl.name not in used:
            yield _warning(
                "unused-input",
                f"input '{decl.name}' is declared but no rule or veto uses it",
                decl.span,
            )


def _required_type(
    ref: ast.InputRef,
    decl: ast.InputDecl,
    allowed: frozenset[ast.InputType],
    user: str,
    expected: str,
) -> Iterator[Diagnostic]:
    if decl.type not in allowed:
        yield _error(
            "input-type-mismatch",
            f"'{ref.name}' is {_a_type(decl.type)}, but {user} needs {expected}",
            ref.span,
        )


def check_input_types(framework: ast.Framework) -> Iterator[Diagnostic]:
    """``input-type-mismatch``: a rule or veto uses an input of a type it cannot score."""
    declared = _declared(framework)
    for veto in framework.vetoes:
        if veto.input.name in declared:
            yield from _required_type(
                veto.input, declared[veto.input.name], _BOOL, "a veto", "a bool input"
            )
    for site in _rule_sites(framework):
        for ref, allowed, user, expected in _input_demands(site.rule):
            if ref.name in declared:
                yield from _required_type(ref, declared[ref.name], allowed, user, expected)
        yield from _compared_input_types(site.rule, declared)


def _input_demands(
    rule: ast.Rule,
) -> list[tuple[ast.InputRef, frozenset[ast.InputType], str, str]]:
    """(input, the types it may have, who uses it, the expected type in words) for a rule."""
    word = _RULE_WORDS[type(rule)]
    match rule:
        case ast.YesNo():
            return [(rule.input, _BOOL, word, "a bool input")]
        case ast.Threshold() | ast.Proportional() | ast.Bands() | ast.Baseline() | ast.Deviation():
            return [(rule.input, NUMERIC_TYPES, word, "a percent, number, count or money input")]
        case ast.Deduct():
            return [
                (o.input, _BOOL, "'K if flag'", "a bool input")
                if o.is_flag
                else (o.input, _COUNT, "'K per n'", "a count input")
                for o in rule.occurrences
            ]
        case ast.Graded():
            return [(rule.input, frozenset({ast.InputType.LEVEL}), word, "a level input")]
        case ast.Awards():
            return [(rule.input, frozenset({ast.InputType.AWARDS}), word, "an awards input")]
    return []


def _compared_input_types(
    rule: ast.Rule, declared: Mapping[str, ast.InputDecl]
) -> Iterator[Diagnostic]:
    subject = getattr(rule, "input", None)
    if not isinstance(subject, ast.InputRef) or subject.name not in declared:
        return
    subject_type = declared[subject.name].type
    if subject_type not in NUMERIC_TYPES:
        return
    for other in _compared_inputs(rule):
        if other.name in declared and declared[other.name].type is not subject_type:
            yield _error(
                "input-type-mismatch",
                f"'{other.name}' is {_a_type(declared[other.name].type)}, but it is compared "
                f"with '{subject.name}', {_a_type(subject_type)}; both must be of one type",
                other.span,
            )


def check_literal_units(framework: ast.Framework) -> Iterator[Diagnostic]:
    """``unit-mismatch``: a percent input measured by a plain number, or the other way round."""
    declared = _declared(framework)
    for site in _rule_sites(framework):
        rule = site.rule
        subject = getattr(rule, "input", None)
        if not isinstance(subject, ast.InputRef) or subject.name not in declared:
            continue
        decl = declared[subject.name]
        if decl.type not in NUMERIC_TYPES:
            continue
        percent = decl.type is ast.InputType.PERCENT
        for literal in _compared_literals(rule):
            if literal.is_percent == percent:
                continue
            if percent:
                message = (
                    f"'{subject.name}' is a percent input, so {_quantity(literal)} must be "
                    f"written as a percent: {_quantity(literal)}%"
                )
            else:
                message = (
                    f"'{subject.name}' is {_a_type(decl.type)}, so {_quantity(literal)} must "
                    "be a plain number, not a percent"
                )
            yield _error("unit-mismatch", message, literal.span)
        if isinstance(rule, ast.Deviation) and rule.steps is not None:
            size = rule.steps.size
            if size.is_percent != rule.tolerance.is_percent:
                kind = "relative (a percent)" if rule.tolerance.is_percent else "absolute"
                yield _error(
                    "unit-mismatch",
                    f"the tolerance {_quantity(rule.tolerance)} is {kind}, so the step "
                    f"{_quantity(size)} beyond it must be "
                    + ("a percent too" if rule.tolerance.is_percent else "a plain number too"),
                    size.span,
                )


# ====================================================================== the tree


def check_duplicate_codes(framework: ast.Framework) -> Iterator[Diagnostic]:
    """``duplicate-code``: two indicators anywhere in the tree share a code."""
    first: dict[str, ast.Indicator] = {}
    for node in ast.walk(framework.indicators):
        if node.code in first:
            yield _error(
                "duplicate-code",
                f"indicator code {node.code} is used twice; codes are unique in the framework",
                node.span,
                hint=f"first used at {_line(first[node.code].span)}",
            )
        else:
            first[node.code] = node


def check_rule_placement(framework: ast.Framework) -> Iterator[Diagnostic]:
    """``missing-rule`` on a leaf without a rule; ``rule-on-inner-node`` on a node with both."""
    for node in ast.walk(framework.indicators):
        if not node.children and node.rule is None:
            yield _error(
                "missing-rule",
                f"indicator {node.code} has neither a rule nor children; a leaf carries one rule",
                node.span,
                hint="write its 评价要点 as a rule, or 'judged' when an evaluator gives "
                "the score",
            )
        elif node.children and node.rule is not None:
            yield _error(
                "rule-on-inner-node",
                f"indicator {node.code} has children and a rule; an inner node scores the sum "
                "of its children",
                node.rule.span,
                hint="move the rule into a child indicator",
            )


def check_sections(framework: ast.Framework) -> Iterator[Diagnostic]:
    """``section-mismatch`` for a child of the wrong section; ``rule-not-allowed-here`` for a
    penalty rule other than ``judged`` or ``deduct``."""
    for node in ast.walk(framework.indicators):
        allowed = ALLOWED_CHILD_SECTIONS[node.section]
        for child in node.children:
            if child.section not in allowed:
                names = sorted(section.value for section in allowed)
                holds = " or ".join(names)
                keywords = " or ".join(f"'{name}'" for name in names)
                yield _error(
                    "section-mismatch",
                    f"{child.section.value} indicator {child.code} sits under "
                    f"{node.section.value} indicator {node.code}, which holds only {holds} "
                    "children",
                    child.span,
                    hint=f"start {child.code} with {keywords}"
                    if child.section is ast.Section.REGULAR
                    else f"move {child.code} out of {node.code}",
                )
        if node.section is ast.Section.PENALTY and node.rule is not None:
            if not isinstance(node.rule, PENALTY_RULES):
                yield _error(
                    "rule-not-allowed-here",
                    f"penalty indicator {node.code} uses {_RULE_WORDS[type(node.rule)]}; "
                    "a penalty is scored by 'judged' or 'deduct' only",
                    node.rule.span,
                )


def check_cap_sums(framework: ast.Framework) -> Iterator[Diagnostic]:
    """``cap-sum-mismatch``: regular children's caps (or top-level caps) miss their total."""
    if framework.total is not None:
        regular = [n for n in framework.indicators if n.section is ast.Section.REGULAR]
        total = sum((n.cap for n in regular), Decimal(0))
        if total != framework.total:
            yield _error(
                "cap-sum-mismatch",
                f"the regular top-level indicators' caps add up to {_number(total)}, but the "
                f"framework's total is {_number(framework.total)}",
                framework.span,
                hint=" + ".join(f"{n.code} {_number(n.cap)}" for n in regular[:12])
                + (" + …" if len(regular) > 12 else ""),
            )
    for node in ast.walk(framework.indicators):
        if not node.children or node.section is not ast.Section.REGULAR:
            continue
        if node.allow_cap_mismatch:
            continue
        regular = [c for c in node.children if c.section is ast.Section.REGULAR]
        total = sum((c.cap for c in regular), Decimal(0))
        if total != node.cap:
            yield _error(
                "cap-sum-mismatch",
                f"the children of {node.code} add up to {_number(total)}, but {node.code}'s "
                f"cap is {_number(node.cap)}",
                node.span,
                hint="correct the caps, or write 'allow cap mismatch' in "
                f"{node.code} when the source framework really says so",
            )


# ====================================================================== rules and caps


def check_rule_caps(framework: ast.Framework) -> Iterator[Diagnostic]:
    """``rule-exceeds-cap``: a rule's best score is above its cap.

    ``award-exceeds-cap`` (warning): a single award worth more than the cap (the cap clamps it).
    """
    for site in _rule_sites(framework):
        rule, cap, code = site.rule, site.cap, site.indicator.code
        where = f"{code} (cap {_number(cap)})"
        match rule:
            case ast.YesNo(points=points) | ast.Threshold(points=points) if (
                points is not None and points > cap
            ):
                yield _error(
                    "rule-exceeds-cap",
                    f"{_RULE_WORDS[type(rule)]} gives {_number(points)} points in {where}",
                    rule.span,
                )
            case ast.Bands():
                for band in rule.bands:
                    if band.points is not None and band.points > cap:
                        yield _error(
                            "rule-exceeds-cap",
                            f"a band gives {_number(band.points)} points in {where}",
                            band.span,
                        )
            case ast.Graded():
                for level in rule.levels:
                    limit = Decimal(100) if level.value.is_percent else cap
                    if level.value.value > limit:
                        yield _error(
                            "rule-exceeds-cap",
                            f"level {level.name} gives {_quantity(level.value)} in {where}; "
                            f"a level gives at most {_amount(limit, level.value.is_percent)}",
                            level.span,
                        )
            case ast.Baseline() if rule.base > cap:
                yield _error(
                    "rule-exceeds-cap",
                    f"the baseline scores {_number(rule.base)} points in {where}",
                    rule.span,
                )
            case ast.Composite():
                yield from _composite_caps(site, rule, where)
            case ast.Awards():
                for award in rule.awards:
                    if award.points > cap:
                        yield _warning(
                            "award-exceeds-cap",
                            f"award {award.name} is worth {_number(award.points)} points, more "
                            f"than {where} allows; the cap clamps it",
                            award.span,
                        )


def _composite_caps(site: _RuleSite, rule: ast.Composite, where: str) -> Iterator[Diagnostic]:
    if rule.mode in (ast.Combine.MIN, ast.Combine.MAX):
        for part in rule.parts:
            if part.cap > site.cap:
                yield _error(
                    "rule-exceeds-cap",
                    f"a part of {_number(part.cap)} points exceeds {where}",
                    part.span,
                )
        return
    if site.indicator.allow_cap_mismatch:
        return
    weighted = rule.mode is ast.Combine.WEIGHTED
    best = sum(
        (part.cap * (part.weight if weighted and part.weight is not None else 1))
        for part in rule.parts
    )
    if best > site.cap:
        how = "weighted parts" if weighted else "parts"
        yield _error(
            "rule-exceeds-cap",
            f"the {how} add up to {_number(Decimal(best))} points, more than {where}",
            rule.span,
            hint="correct the part caps, or write 'allow cap mismatch' when the source says so",
        )


def check_negative_amounts(framework: ast.Framework) -> Iterator[Diagnostic]:
    """``negative-cap``, ``negative-points`` and ``negative-tolerance``."""
    if framework.total is not None and framework.total < 0:
        yield _error(
            "negative-cap",
            f"the framework's total is {_number(framework.total)}; a total is not negative",
            framework.span,
        )
    for node in ast.walk(framework.indicators):
        if node.cap < 0:
            yield _error(
                "negative-cap",
                f"indicator {node.code} has the cap {_number(node.cap)}; a cap is not negative",
                node.span,
            )
    for site in _rule_sites(framework):
        for amount, what, span in _point_amounts(site.rule):
            if amount < 0:
                yield _error(
                    "negative-points",
                    f"{what} {_number(amount)} in {site.indicator.code}; points are never "
                    "negative (write a deduction as a positive number)",
                    span,
                )
        rule = site.rule
        if isinstance(rule, ast.Composite):
            for part in rule.parts:
                if part.cap < 0:
                    yield _error(
                        "negative-cap",
                        f"a part of {site.indicator.code} has the cap {_number(part.cap)}; "
                        "a cap is not negative",
                        part.span,
                    )
        if isinstance(rule, ast.Deviation) and rule.tolerance.value < 0:
            yield _error(
                "negative-tolerance",
                f"the tolerance {_quantity(rule.tolerance)} in {site.indicator.code} is "
                "negative; write the size of the tolerance, such as ±5%",
                rule.tolerance.span,
            )


def _point_amounts(rule: ast.Rule) -> list[tuple[Decimal, str, Span | None]]:
    """The point values a rule states (steps excepted), each with words that lead up to it
    (``a band gives``) and its span."""
    amounts: list[tuple[Decimal | None, str, Span | None]] = []
    match rule:
        case ast.YesNo() | ast.Threshold():
            amounts = [(rule.points, f"{_RULE_WORDS[type(rule)]} gives", rule.span)]
        case ast.Bands():
            amounts = [(band.points, "a band gives", band.span) for band in rule.bands]
        case ast.Graded():
            amounts = [(lv.value.value, f"level {lv.name} gives", lv.span) for lv in rule.levels]
        case ast.Awards():
            amounts = [(aw.points, f"award {aw.name} gives", aw.span) for aw in rule.awards]
        case ast.Deduct():
            amounts = [(o.points, "a deduction of", o.span) for o in rule.occurrences]
            amounts.append((rule.limit, "a deduction limit of", rule.span))
        case ast.Baseline():
            amounts = [(rule.base, "a baseline score of", rule.span)]
    return [(value, what, span) for value, what, span in amounts if value is not None]


def check_step_sizes(framework: ast.Framework) -> Iterator[Diagnostic]:
    """``nonpositive-step``: a step whose size or points are zero or negative."""
    for site in _rule_sites(framework):
        for steps in _steps_of(site.rule):
            if steps.size.value <= 0:
                yield _error(
                    "nonpositive-step",
                    f"{site.indicator.code} steps by {_quantity(steps.size)}; a step size is "
                    "positive",
                    steps.size.span,
                )
            if steps.points <= 0:
                yield _error(
                    "nonpositive-step",
                    f"each step {steps.effect}s {_number(steps.points)} points in "
                    f"{site.indicator.code}; a step moves the score by a positive amount",
                    steps.span,
                )


def check_targets(framework: ast.Framework) -> Iterator[Diagnostic]:
    """``nonpositive-target``: a proportional rule over a constant ≤ 0, or a relative deviation
    from a target of 0."""
    for site in _rule_sites(framework):
        rule = site.rule
        if isinstance(rule, ast.Proportional) and isinstance(rule.target, ast.Quantity):
            if rule.target.value <= 0:
                yield _error(
                    "nonpositive-target",
                    f"{site.indicator.code} divides by {_quantity(rule.target)}; a proportional "
                    "rule's target is positive",
                    rule.target.span,
                )
        if (
            isinstance(rule, ast.Deviation)
            and rule.tolerance.is_percent
            and isinstance(rule.target, ast.Quantity)
            and rule.target.value == 0
        ):
            yield _error(
                "nonpositive-target",
                f"{site.indicator.code} measures a relative (percent) deviation from 0, which "
                "is undefined",
                rule.target.span,
                hint="give the tolerance as a plain number to measure an absolute deviation",
            )


def check_step_counting(framework: ast.Framework) -> Iterator[Diagnostic]:
    """``step-counting-unstated``: steps with no counting, in a framework with no default."""
    if framework.counting is not None:
        return
    for site in _rule_sites(framework):
        for steps in _steps_of(site.rule):
            if steps.counting is None:
                yield _error(
                    "step-counting-unstated",
                    f"a step in {site.indicator.code} does not say how a partial step counts, "
                    "and the framework states no default",
                    steps.span,
                    hint="add 'per full step', 'per started step' or 'pro rata' after the step, "
                    "or 'counting per full step' to the framework block",
                )


def check_step_effects(framework: ast.Framework) -> Iterator[Diagnostic]:
    """``bad-step-effect``: a step that adds where it must deduct, or the other way round."""
    for site in _rule_sites(framework):
        rule, code = site.rule, site.indicator.code
        wrong: list[tuple[ast.Steps, str]] = []
        if isinstance(rule, ast.Threshold):
            if rule.short is not None and rule.short.effect != "deduct":
                wrong.append((rule.short, "steps that miss the bound deduct"))
            if rule.beyond is not None and rule.beyond.effect != "add":
                wrong.append((rule.beyond, "steps past the bound add"))
        elif isinstance(rule, ast.Deviation) and rule.steps is not None:
            if rule.steps.effect != "deduct":
                wrong.append((rule.steps, "steps beyond the tolerance deduct"))
        for steps, expected in wrong:
            yield _error(
                "bad-step-effect",
                f"in {code}, each {_quantity(steps.size)} {steps.direction} {steps.effect}s "
                f"points, but {expected}",
                steps.span,
            )


def check_part_weights(framework: ast.Framework) -> Iterator[Diagnostic]:
    """``bad-part-weight``: a weighted part without a positive weight, or a weight elsewhere."""
    for site in _rule_sites(framework):
        rule = site.rule
        if not isinstance(rule, ast.Composite):
            continue
        weighted = rule.mode is ast.Combine.WEIGHTED
        for part in rule.parts:
            if weighted and part.weight is None:
                message = "a part of a weighted combination needs a weight"
            elif weighted and part.weight is not None and part.weight <= 0:
                message = f"a part's weight is {_number(part.weight)}; a weight is positive"
            elif not weighted and part.weight is not None:
                message = f"a weight only counts in 'combine weighted', not '{rule.mode.value}'"
            else:
                continue
            yield _error("bad-part-weight", f"in {site.indicator.code}, {message}", part.span)


# ====================================================================== tables


def check_bands(framework: ast.Framework) -> Iterator[Diagnostic]:
    """``band-empty``, ``band-overlap`` and ``band-gap`` over the input's declared range."""
    declared = _declared(framework)
    for site in _rule_sites(framework):
        rule = site.rule
        if not isinstance(rule, ast.Bands) or rule.input.name not in declared:
            continue
        decl = declared[rule.input.name]
        if decl.type not in NUMERIC_TYPES:
            continue
        yield from _band_problems(rule, decl)


def _band_problems(rule: ast.Bands, decl: ast.InputDecl) -> Iterator[Diagnostic]:
    whole = decl.type is ast.InputType.COUNT
    percent = decl.type is ast.InputType.PERCENT
    domain = _domain(decl)
    # (position in the file, band, its values within the input's range)
    reachable: list[tuple[int, ast.Band, _Stretch]] = []
    for position, band in enumerate(rule.bands):
        stretch = _Stretch.of_interval(band.interval)
        if stretch.is_empty(whole):
            what = "no whole number" if whole and not stretch.is_empty() else "no value"
            yield _error(
                "band-empty",
                f"the band {stretch.describe(percent)} of '{decl.name}' contains {what}",
                band.interval.span,
            )
            continue
        within = stretch.intersect(domain)
        if not within.is_empty(whole):
            reachable.append((position, band, within))
    ordered = sorted(reachable, key=lambda item: _start_key(item[2]))

    reported: set[int] = set()
    farthest: tuple[int, ast.Band, _Stretch] | None = None
    for item in ordered:
        if farthest is not None:
            common = item[2].intersect(farthest[2])
            if not common.is_empty(whole):
                later, earlier = (item, farthest) if item[0] > farthest[0] else (farthest, item)
                if later[0] not in reported:
                    reported.add(later[0])
                    yield _error(
                        "band-overlap",
                        f"{_show(common, whole).values_phrase(percent)} in two bands of "
                        f"'{decl.name}' (this one and the one at {_line(earlier[1].span)})",
                        later[1].span,
                    )
        if farthest is None or _end_key(item[2]) > _end_key(farthest[2]):
            farthest = item

    for gap in _gaps([item[2] for item in ordered], domain, whole):
        yield _error(
            "band-gap",
            f"{_show(gap, whole).values_phrase(percent)} in no band of '{decl.name}'",
            rule.span,
            hint=f"the bands must cover {domain.describe(percent)}, the range of '{decl.name}'",
        )


def _gaps(pieces: list[_Stretch], domain: _Stretch, whole: bool) -> list[_Stretch]:
    """The stretches of ``domain`` that no piece covers; ``pieces`` are sorted by start."""
    gaps: list[_Stretch] = []
    uncovered_from: tuple[Decimal | None, bool] = (domain.low, domain.low_inclusive)
    for piece in pieces:
        if piece.low is not None:
            gap = _Stretch(*uncovered_from, piece.low, not piece.low_inclusive)
            if not gap.is_empty(whole):
                gaps.append(gap)
        if piece.high is None:
            return gaps
        uncovered_from = _later_start(uncovered_from, (piece.high, not piece.high_inclusive))
    tail = _Stretch(*uncovered_from, domain.high, domain.high_inclusive)
    if not tail.is_empty(whole):
        gaps.append(tail)
    return gaps


def _choice_problems(
    listed: list[tuple[str, Span | None]],
    choices: tuple[str, ...],
    what: str,
    input_name: str,
) -> Iterator[tuple[str, str, Span | None, str | None]]:
    """(code suffix, message, span, hint) for unknown and duplicate names in a table."""
    seen: set[str] = set()
    for name, span in listed:
        if name in seen:
            yield ("duplicate", f"{what} {name} is listed twice", span, None)
        elif name not in choices:
            yield (
                "unknown",
                f"{what} {name} is not one of the {what}s declared for '{input_name}' "
                f"({', '.join(choices)})",
                span,
                _did_you_mean(name, choices),
            )
        seen.add(name)


def _check_choice_table(
    framework: ast.Framework,
    rule_kind: type,
    input_type: ast.InputType,
    what: str,
    entries: Callable[[Any], Iterable[tuple[str, Span | None]]],
    missing: Callable[[str, str, list[str], Span | None], Diagnostic],
) -> Iterator[Diagnostic]:
    """A table keyed by an input's declared choices (levels, awards) must name only those
    choices, each once; ``missing`` says what leaving one out means."""
    declared = _declared(framework)
    for site in _rule_sites(framework):
        rule = site.rule
        if not isinstance(rule, rule_kind) or rule.input.name not in declared:
            continue
        decl = declared[rule.input.name]
        if decl.type is not input_type:
            continue
        listed = list(entries(rule))
        for suffix, message, span, hint in _choice_problems(listed, decl.choices, what, decl.name):
            yield _error(f"{what}-{suffix}", message, span, hint=hint)
        left_out = [c for c in decl.choices if c not in {name for name, _ in listed}]
        if left_out:
            yield missing(decl.name, site.indicator.code, left_out, rule.span)


def check_levels(framework: ast.Framework) -> Iterator[Diagnostic]:
    """``level-unknown``, ``level-duplicate``, ``level-missing``: a levels table must list
    exactly the input's declared levels."""

    def missing(name: str, code: str, left_out: list[str], span: Span | None) -> Diagnostic:
        return _error(
            "level-missing",
            f"the levels of '{name}' in {code} leave out {', '.join(left_out)}; every "
            "declared level needs its points",
            span,
        )

    yield from _check_choice_table(
        framework,
        ast.Graded,
        ast.InputType.LEVEL,
        "level",
        lambda rule: [(level.name, level.span) for level in rule.levels],
        missing,
    )


def check_awards(framework: ast.Framework) -> Iterator[Diagnostic]:
    """``award-unknown``, ``award-duplicate``; ``award-missing`` (warning: it would score 0)."""

    def missing(name: str, code: str, left_out: list[str], span: Span | None) -> Diagnostic:
        return _warning(
            "award-missing",
            f"the awards table of '{name}' in {code} leaves out {', '.join(left_out)}, "
            "which would earn nothing",
            span,
        )

    yield from _check_choice_table(
        framework,
        ast.Awards,
        ast.InputType.AWARDS,
        "award",
        lambda rule: [(award.name, award.span) for award in rule.awards],
        missing,
    )


def check_judged_parts(framework: ast.Framework) -> Iterator[Diagnostic]:
    """``judged-part``: a judgement is given per indicator, so a composite part cannot be
    judged (the unit would have no way to give its score)."""
    for node in ast.walk(framework.indicators):
        if not isinstance(node.rule, ast.Composite):
            continue
        pending = list(node.rule.parts)
        while pending:
            part = pending.pop()
            if isinstance(part.rule, ast.Judged):
                yield _error(
                    "judged-part",
                    f"a part of {node.code}'s combined rule is judged, but judgements are "
                    "given per indicator",
                    part.rule.span,
                    hint="make the judged part an indicator of its own under a common parent",
                )
            elif isinstance(part.rule, ast.Composite):
                pending.extend(part.rule.parts)


def check_penalty_not_applicable(framework: ast.Framework) -> Iterator[Diagnostic]:
    """``penalty-full-when-not-applicable``: for a penalty 'full' means the whole deduction."""
    default = framework.not_applicable
    for node in ast.walk(framework.indicators):
        if node.section is not ast.Section.PENALTY:
            continue
        if node.not_applicable is ast.NotApplicable.FULL:
            span = node.span
        elif node.not_applicable is None and default is ast.NotApplicable.FULL:
            span = node.span
        else:
            continue
        yield _warning(
            "penalty-full-when-not-applicable",
            f"penalty {node.code} marked 不适用 would deduct its whole cap "
            f"{_number(node.cap)} ('not applicable full' scores the cap)",
            span,
            hint="say 'not applicable zero' in the penalty: no deduction",
        )


# ====================================================================== grades and vetoes


def check_grades(framework: ast.Framework) -> Iterator[Diagnostic]:
    """``grade-order``: best first, strictly decreasing bounds, one final ``otherwise``;
    ``grade-duplicate``; ``bad-grade-bound`` for a bound that is not a number of points."""
    names: set[str] = set()
    above: tuple[ast.GradeBand, tuple[Decimal, int]] | None = None
    seen_otherwise = False
    last = len(framework.grades) - 1
    for position, band in enumerate(framework.grades):
        if band.name in names:
            yield _error("grade-duplicate", f"grade {band.name} is listed twice", band.span)
        names.add(band.name)
        comparison = band.comparison
        if comparison is None:
            if seen_otherwise:
                yield _error(
                    "grade-order", f"grade {band.name} is a second 'otherwise'", band.span
                )
            elif position != last:
                yield _error(
                    "grade-order",
                    f"grade {band.name} says 'otherwise' but is not the last grade",
                    band.span,
                    hint="list grades best first and end with the 'otherwise' one",
                )
            seen_otherwise = True
            continue
        if comparison.op not in (">=", ">"):
            yield _error(
                "grade-order",
                f"grade {band.name} compares the total with '{comparison.op}'; grades are "
                "listed best first, each '>= N' or '> N'",
                comparison.span,
            )
            continue
        if not isinstance(comparison.operand, ast.Quantity) or comparison.operand.is_percent:
            yield _error(
                "bad-grade-bound",
                f"grade {band.name} compares the total with {_operand(comparison.operand)}; "
                "a grade's bound is a number of points, such as 90",
                comparison.operand.span,
            )
            continue
        # '> 90' admits fewer totals than '>= 90', so it ranks above it.
        key = (comparison.operand.value, 1 if comparison.op == ">" else 0)
        if above is not None and not key < above[1]:
            previous = above[0]
            assert previous.comparison is not None
            yield _error(
                "grade-order",
                f"grade {band.name} ({comparison.op} {_operand(comparison.operand)}) must have "
                f"a lower bound than {previous.name} ({previous.comparison.op} "
                f"{_operand(previous.comparison.operand)}) above it",
                band.span,
                hint="list grades best first with strictly decreasing bounds",
            )
        else:
            above = (band, key)
    if above is not None and not seen_otherwise and above[1] > (Decimal(0), 0):
        lowest = above[0]
        assert lowest.comparison is not None
        yield _error(
            "grade-gap",
            f"a total below {_operand(lowest.comparison.operand)} gets no grade: the lowest "
            f"grade {lowest.name} says {lowest.comparison.op} "
            f"{_operand(lowest.comparison.operand)}",
            lowest.span,
            hint="end the grades with one that says 'otherwise' (e.g. 差 otherwise)",
        )


def check_vetoes(framework: ast.Framework) -> Iterator[Diagnostic]:
    """``vetoes-without-grades`` and ``veto-unknown-grade``."""
    names = [band.name for band in framework.grades]
    for veto in framework.vetoes:
        if not names:
            yield _error(
                "vetoes-without-grades",
                f"a veto on '{veto.input.name}' caps or lowers the grade, but the framework "
                "has no grades",
                veto.span,
                hint="add grades { … } to the framework block",
            )
        elif veto.at_most is not None and veto.at_most not in names:
            yield _error(
                "veto-unknown-grade",
                f"the veto on '{veto.input.name}' caps the grade at {veto.at_most}, which is "
                f"not a grade ({', '.join(names)})",
                veto.span,
                hint=_did_you_mean(veto.at_most, names),
            )


# ====================================================================== bounds and cut-offs


def check_bounds_in_range(framework: ast.Framework) -> Iterator[Diagnostic]:
    """``threshold-outside-range`` (warning): a bound, cut-off or band end the input never
    reaches."""
    declared = _declared(framework)
    for site in _rule_sites(framework):
        rule = site.rule
        bounds: list[object] = []
        if isinstance(rule, ast.Threshold):
            bounds = [rule.bound.operand, rule.cutoff.operand if rule.cutoff else None]
        elif isinstance(rule, ast.Bands):
            for band in rule.bands:
                bounds += [band.interval.low, band.interval.high]
        else:
            continue
        decl = declared.get(rule.input.name)
        if decl is None or decl.type not in NUMERIC_TYPES:
            continue
        domain = _domain(decl)
        percent = decl.type is ast.InputType.PERCENT
        for bound in bounds:
            if isinstance(bound, ast.Quantity) and not domain.contains(bound.value):
                yield _warning(
                    "threshold-outside-range",
                    f"{_quantity(bound)} lies outside the range of '{decl.name}' "
                    f"({domain.describe(percent)})",
                    bound.span,
                )


def check_cutoffs(framework: ast.Framework) -> Iterator[Diagnostic]:
    """Warnings about a threshold's ``zero if`` cut-off.

    ``cutoff-above-bound``: the cut-off also catches values that meet the bound.
    ``cutoff-never-matters``: every value the cut-off catches already scores 0 by the steps
    (or the threshold has no deduction steps, so a missed bound scores 0 anyway).
    """
    declared = _declared(framework)
    for site in _rule_sites(framework):
        rule = site.rule
        if not isinstance(rule, ast.Threshold) or rule.cutoff is None:
            continue
        decl = declared.get(rule.input.name)
        bound, cutoff = rule.bound.operand, rule.cutoff.operand
        if decl is None or decl.type not in NUMERIC_TYPES:
            continue
        if not isinstance(bound, ast.Quantity) or not isinstance(cutoff, ast.Quantity):
            continue
        whole = decl.type is ast.InputType.COUNT
        domain = _domain(decl)
        met = _Stretch.of_comparison(rule.bound.op, bound.value).intersect(domain)
        caught = _Stretch.of_comparison(rule.cutoff.op, cutoff.value).intersect(domain)
        both = met.intersect(caught)
        if not both.is_empty(whole):
            percent = decl.type is ast.InputType.PERCENT
            yield _warning(
                "cutoff-above-bound",
                f"in {site.indicator.code}, the cut-off '{rule.cutoff.op} {_quantity(cutoff)}' "
                f"also catches {_show(both, whole).describe(percent)}, which meets the bound "
                f"'{rule.bound.op} {_quantity(bound)}'",
                rule.cutoff.span,
                hint="a cut-off only applies once the bound is missed; check its comparison",
            )
            continue
        yield from _cutoff_never_matters(framework, site, rule, bound, cutoff)


def _cutoff_never_matters(
    framework: ast.Framework,
    site: _RuleSite,
    rule: ast.Threshold,
    bound: ast.Quantity,
    cutoff: ast.Quantity,
) -> Iterator[Diagnostic]:
    assert rule.cutoff is not None
    shortfall_below = rule.bound.op in (">=", ">", "=")
    catches_below = rule.cutoff.op in ("<", "<=")
    if rule.cutoff.op != "=" and catches_below != shortfall_below:
        return
    code = site.indicator.code
    said = f"'zero if {rule.cutoff.op} {_quantity(cutoff)}'"
    if rule.short is None:
        yield _warning(
            "cutoff-never-matters",
            f"{code} has no deduction steps, so a missed bound already scores 0 and the "
            f"cut-off {said} never matters",
            rule.cutoff.span,
        )
        return
    steps = rule.short
    counting = steps.counting or framework.counting
    if counting is None or steps.size.value <= 0 or steps.points <= 0 or steps.effect != "deduct":
        return  # reported by other checks; no meaningful score to compute
    full = rule.points if rule.points is not None else site.cap
    if full <= 0:
        return
    # The caught value nearest the bound scores best; its shortfall is |bound − cutoff|
    # (just beyond it when the cut-off excludes its own value).
    distance = abs(bound.value - cutoff.value)
    if counting is ast.Counting.PRO_RATA:
        # full − distance / size × points, kept free of division so that it stays exact.
        best_caught = full * steps.size.value - distance * steps.points
    else:
        # The quotient of two short decimals is exact when whole, so floor/ceil are exact.
        ratio = distance / steps.size.value
        if counting is ast.Counting.FULL:
            steps_at_cutoff = ratio.to_integral_value(rounding=ROUND_FLOOR)
        elif rule.cutoff.op in ("<=", ">=", "="):
            steps_at_cutoff = max(Decimal(1), ratio.to_integral_value(rounding=ROUND_CEILING))
        else:
            steps_at_cutoff = ratio.to_integral_value(rounding=ROUND_FLOOR) + 1
        best_caught = full - steps_at_cutoff * steps.points
    if best_caught > 0:
        return
    yield _warning(
        "cutoff-never-matters",
        f"{code} already scores 0 at {_zero_from(rule, bound, steps, counting, full)} "
        f"({_number(full)} less {_number(steps.points)} for each {_quantity(steps.size)} "
        f"{'below' if shortfall_below else 'above'} {_quantity(bound)}, {counting.value}), "
        f"so the cut-off {said} never matters",
        rule.cutoff.span,
    )


def _zero_from(
    rule: ast.Threshold,
    bound: ast.Quantity,
    steps: ast.Steps,
    counting: ast.Counting,
    full: Decimal,
) -> str:
    """Where the deductions first bring the score to 0, e.g. ``80% and below``."""
    below = rule.bound.op in (">=", ">", "=")
    sign = -1 if below else 1
    size = steps.size.value
    steps_to_zero = (full / steps.points).to_integral_value(rounding=ROUND_CEILING)
    if counting is ast.Counting.STARTED:
        # ceil(d / size) reaches n as soon as d exceeds (n − 1) steps.
        edge = bound.value + sign * (steps_to_zero - 1) * size
        return f"{'below' if below else 'above'} {_amount(edge, bound.is_percent)}"
    if counting is ast.Counting.FULL:
        edge = bound.value + sign * steps_to_zero * size
        return f"{_amount(edge, bound.is_percent)} and {'below' if below else 'above'}"
    edge = bound.value + sign * full * size / steps.points
    shown = edge.quantize(Decimal("0.01"))
    about = "" if shown == edge else "about "
    return f"{about}{_amount(shown, bound.is_percent)} and {'below' if below else 'above'}"


# ====================================================================== static intervals


def _within(inner: Span | None, outer: Span | None) -> bool:
    if inner is None or outer is None:
        return False
    start, end = (outer.line, outer.column), (outer.end_line, outer.end_column)
    return start <= (inner.line, inner.column) <= end


def check_score_bounds(framework: ast.Framework) -> Iterator[Diagnostic]:
    """``score-above-cap`` and ``score-below-zero``: a node's static interval (bounds.py)
    leaves ``[0, cap]``.

    On a file without other errors these never fire: the evaluator clamps every rule that
    could leave its range, and the other checks reject the points, steps and weights that
    would. They fire on the node where a bad rule first takes a score out of range (a step
    that adds where it deducts, a negative deduction …), not on its ancestors, and not where
    ``rule-exceeds-cap``, ``negative-points`` or ``negative-cap`` already says so. A bonus
    section with penalty children may go below 0 by design (docs/language.md).
    """
    intervals = bounds.analyse(framework).in_order
    explained = [
        d.span
        for d in itertools.chain(check_rule_caps(framework), check_negative_amounts(framework))
        if d.is_error and d.code in ("rule-exceeds-cap", "negative-points")
    ]
    nodes = ast.walk(framework.indicators)
    position = {id(node): i for i, node in enumerate(nodes)}

    def floor(node: ast.Indicator) -> Decimal:
        # A bonus node with children scores min(cap, bonus) − penalties: it may be negative.
        if node.section is ast.Section.BONUS and node.children:
            return Decimal("-Infinity")
        return Decimal(0)

    def fits(node: ast.Indicator) -> bool:
        interval = intervals[position[id(node)]]
        return floor(node) <= interval.low and interval.high <= node.cap

    for node, interval in zip(nodes, intervals, strict=True):
        if node.cap < 0 or fits(node) or not all(fits(child) for child in node.children):
            continue
        where = node.rule.span if node.rule is not None and not node.children else node.span
        if node.rule is not None and any(_within(span, node.rule.span) for span in explained):
            continue
        if isinstance(node.rule, ast.Composite) and any(p.cap < 0 for p in node.rule.parts):
            continue
        if interval.high > node.cap:
            best = (
                "without limit" if interval.high.is_infinite()
                else f"up to {_number(interval.high)}"
            )
            yield _error(
                "score-above-cap",
                f"{node.code} can score {best}, above its cap {_number(node.cap)} "
                f"(its scores lie in {interval})",
                where,
            )
        if interval.low < floor(node):
            worst = (
                "without limit" if interval.low.is_infinite()
                else f"as low as {_number(interval.low)}"
            )
            yield _error(
                "score-below-zero",
                f"{node.code} can score {worst}, below 0 (its scores lie in {interval})",
                where,
            )


def check_unreachable_branches(framework: ast.Framework) -> Iterator[Diagnostic]:
    """``unreachable-branch`` (warning): a band, a threshold's bound, cut-off or steps, a side
    of a baseline or deviation that no value in the input's declared range can reach.

    Not reported where ``threshold-outside-range`` already points at the comparison that
    makes it unreachable, nor for steps that ``cutoff-above-bound`` leaves without values.
    """
    declared = _declared(framework)
    for site in _rule_sites(framework):
        rule = site.rule
        if isinstance(rule, ast.Composite):
            continue  # each part is a site of its own
        subject = getattr(rule, "input", None)
        decl = declared.get(subject.name) if isinstance(subject, ast.InputRef) else None
        if decl is None or decl.type not in NUMERIC_TYPES:
            continue
        found = bounds.branches(rule, declared)
        for position, branch in enumerate(found):
            if branch.reachable:
                continue
            message = _unreachable(site, rule, branch, position, decl)
            if message is not None:
                yield _warning("unreachable-branch", message, branch.span)


def _unreachable(
    site: _RuleSite, rule: ast.Rule, branch: bounds.Branch, position: int, decl: ast.InputDecl
) -> str | None:
    """The message for an unreachable branch, or None when another warning covers it."""
    domain = _domain(decl)
    percent = decl.type is ast.InputType.PERCENT
    whole = decl.type is ast.InputType.COUNT
    values = f"'{decl.name}' in its range {_show(domain, whole).describe(percent)}"
    code = site.indicator.code

    def outside(operand: object) -> bool:
        return isinstance(operand, ast.Quantity) and not domain.contains(operand.value)

    match rule:
        case ast.Bands():
            band = rule.bands[position]  # a bands table's branches are its bands, in order
            ends = (band.interval.low, band.interval.high)
            stretch = _Stretch.of_interval(band.interval)
            if any(outside(end) for end in ends) or stretch.is_empty(whole):
                return None
            return (
                f"no value of {values} falls in the band {stretch.describe(percent)}, so the "
                f"band never applies in {code}"
            )
        case ast.Threshold():
            bound = f"'{rule.bound.op} {_operand(rule.bound.operand)}'"
            if outside(rule.bound.operand):
                return None
            if branch.name == "met":
                return f"no value of {values} meets {bound}, so {code} never scores by it"
            assert rule.cutoff is not None or branch.name in ("short", "missed")
            if branch.name == "cutoff":
                assert rule.cutoff is not None
                if outside(rule.cutoff.operand):
                    return None
                cut = f"'zero if {rule.cutoff.op} {_operand(rule.cutoff.operand)}'"
                if branch.why == "always met":
                    return (
                        f"every value of {values} meets {bound}, so the cut-off {cut} never "
                        "applies"
                    )
                return (
                    f"no value of {values} that misses {bound} is caught by the cut-off {cut}, "
                    "so it never applies"
                )
            consequence = (
                "the steps never apply" if branch.name == "short"
                else f"{code} always scores {_points(rule.points, site.cap)}"
            )
            if branch.why == "always met":
                return f"every value of {values} meets {bound}, so {consequence}"
            assert rule.cutoff is not None
            if outside(rule.cutoff.operand) or _cutoff_catches_met(rule, domain, whole):
                return None
            cut = f"'zero if {rule.cutoff.op} {_operand(rule.cutoff.operand)}'"
            return (
                f"the cut-off {cut} catches every value of {values} that misses {bound}, so "
                f"{consequence}"
            )
        case ast.Baseline():
            if branch.name == "at":
                return None  # a single value: nothing to warn about
            side = "below" if branch.name == "lower" else "above"
            reference = _operand(rule.reference)
            steps = rule.lower if branch.name == "lower" else rule.higher
            what = f"the '{branch.name}' steps never apply" if steps is not None else (
                f"{code} never scores {_number(rule.base)} there"
            )
            return f"no value of {values} is {side} the reference {reference}, so {what}"
        case ast.Deviation():
            if rule.tolerance.value < 0:
                return None  # negative-tolerance
            around = f"±{_quantity(rule.tolerance)} of {_operand(rule.target)}"
            if branch.name == "within":
                return f"no value of {values} lies within {around}, so {code} never scores full"
            what = (
                "the steps never apply" if rule.steps is not None
                else f"{code} always scores full"
            )
            return f"every value of {values} lies within {around}, so {what}"
    return None


def _points(points: Decimal | None, cap: Decimal) -> str:
    return _number(cap if points is None else points)


def _cutoff_catches_met(rule: ast.Threshold, domain: _Stretch, whole: bool) -> bool:
    """The cut-off also catches values that meet the bound (cutoff-above-bound says so)."""
    bound, cutoff = rule.bound.operand, rule.cutoff.operand if rule.cutoff else None
    if not isinstance(bound, ast.Quantity) or not isinstance(cutoff, ast.Quantity):
        return False
    assert rule.cutoff is not None
    met = _Stretch.of_comparison(rule.bound.op, bound.value).intersect(domain)
    caught = _Stretch.of_comparison(rule.cutoff.op, cutoff.value).intersect(domain)
    return not met.intersect(caught).is_empty(whole)


#: Every check, run in order; each yields diagnostics and never raises for a user mistake.
CHECKS: tuple[Check, ...] = (
    check_duplicate_inputs,
    check_input_ranges,
    check_undeclared_inputs,
    check_unused_inputs,
    check_input_types,
    check_literal_units,
    check_duplicate_codes,
    check_rule_placement,
    check_sections,
    check_cap_sums,
    check_rule_caps,
    check_negative_amounts,
    check_step_sizes,
    check_targets,
    check_step_counting,
    check_step_effects,
    check_part_weights,
    check_bands,
    check_levels,
    check_awards,
    check_judged_parts,
    check_penalty_not_applicable,
    check_grades,
    check_vetoes,
    check_bounds_in_range,
    check_cutoffs,
    check_score_bounds,
    check_unreachable_branches,
)


#: Every code the checks report: its severity and what it means, for documentation and tools.
DIAGNOSTIC_CODES: Mapping[str, tuple[str, str]] = {
    "undeclared-input": ("error", "a rule or veto uses an input the inputs block lacks"),
    "duplicate-input": ("error", "an input is declared twice"),
    "unused-input": ("warning", "a declared input that no rule or veto uses"),
    "bad-range": (
        "error",
        "an input range upside down, on a non-numeric input, or in the wrong unit",
    ),
    "input-type-mismatch": ("error", "a rule or veto uses an input of the wrong type"),
    "unit-mismatch": ("error", "a percent input measured by a plain number, or the reverse"),
    "duplicate-code": ("error", "two indicators share a code"),
    "missing-rule": ("error", "a leaf without a rule"),
    "rule-on-inner-node": ("error", "a node with both children and a rule"),
    "section-mismatch": ("error", "a regular node under a bonus/penalty node, or the reverse"),
    "rule-not-allowed-here": ("error", "a penalty scored by a rule other than judged/deduct"),
    "cap-sum-mismatch": ("error", "children's caps (or top-level caps) miss their total"),
    "rule-exceeds-cap": ("error", "a rule's best score is above its cap"),
    "award-exceeds-cap": ("warning", "one award is worth more than the cap, which clamps it"),
    "negative-cap": ("error", "a cap or total below 0"),
    "negative-points": ("error", "points below 0 where points are given"),
    "negative-tolerance": ("error", "a deviation tolerance below 0"),
    "nonpositive-step": ("error", "a step size or step points of 0 or less"),
    "nonpositive-target": ("error", "a proportional target ≤ 0, or a relative deviation from 0"),
    "step-counting-unstated": ("error", "steps without counting and no framework default"),
    "bad-step-effect": ("error", "a step that adds where it must deduct, or the reverse"),
    "bad-part-weight": ("error", "a weighted part without a positive weight, or a stray weight"),
    "band-empty": ("error", "a band that holds no value"),
    "band-overlap": ("error", "values that fall in two bands"),
    "band-gap": ("error", "values of the input's range that fall in no band"),
    "level-unknown": ("error", "a levels table names a level the input does not declare"),
    "level-duplicate": ("error", "a levels table lists a level twice"),
    "level-missing": ("error", "a levels table leaves out a declared level"),
    "award-unknown": ("error", "an awards table names an award the input does not declare"),
    "award-duplicate": ("error", "an awards table lists an award twice"),
    "award-missing": ("warning", "an awards table leaves out a declared award (it earns 0)"),
    "judged-part": ("error", "a composite part that is judged (judgements are per indicator)"),
    "penalty-full-when-not-applicable": (
        "warning",
        "a penalty whose 不适用 policy is 'full': marking it deducts its whole cap",
    ),
    "grade-order": ("error", "grades not best first, or a misplaced 'otherwise'"),
    "grade-gap": ("error", "the lowest grade has a bound above 0 and no 'otherwise'"),
    "grade-duplicate": ("error", "a grade listed twice"),
    "bad-grade-bound": ("error", "a grade bound that is not a number of points"),
    "veto-unknown-grade": ("error", "a veto caps the grade at a grade that does not exist"),
    "vetoes-without-grades": ("error", "vetoes in a framework without grades"),
    "threshold-outside-range": (
        "warning",
        "a bound, cut-off or band end outside the input's range",
    ),
    "cutoff-never-matters": ("warning", "the steps reach 0 before a threshold's cut-off"),
    "cutoff-above-bound": ("warning", "a cut-off that also catches values meeting the bound"),
    "score-above-cap": ("error", "a node's best attainable score is above its cap"),
    "score-below-zero": ("error", "a node's worst attainable score is below 0"),
    "unreachable-branch": (
        "warning",
        "a band, bound, cut-off, step zone or side that no value in the input's range reaches",
    ),
}


def diagnose(framework: ast.Framework) -> list[Diagnostic]:
    """Every diagnostic (errors and warnings) for a framework, sorted by position."""
    found: list[Diagnostic] = []
    with decimal.localcontext() as context:
        context.prec = _EXACT_DIGITS
        for check in CHECKS:
            found.extend(check(framework))
    return sorted(found, key=Diagnostic.sort_key)


def index(framework: ast.Framework, source_name: str, warnings: tuple[Diagnostic, ...] = ()) -> CheckedFramework:
    """Build the node indexes of a framework (no checks)."""
    nodes: list[ast.Indicator] = []
    parents: list[int | None] = []
    levels: list[int] = []
    stack: list[tuple[ast.Indicator, int | None, int]] = [
        (node, None, 1) for node in reversed(framework.indicators)
    ]
    while stack:
        node, parent, level = stack.pop()
        position = len(nodes)
        nodes.append(node)
        parents.append(parent)
        levels.append(level)
        stack.extend((child, position, level + 1) for child in reversed(node.children))
    return CheckedFramework(
        framework,
        source_name,
        tuple(nodes),
        tuple(parents),
        tuple(levels),
        {decl.name: decl for decl in framework.inputs},
        warnings,
        positions={node.code: position for position, node in enumerate(nodes)},
        rule_inputs=tuple(
            frozenset(ref.name for ref in ast.rule_inputs(node.rule))
            if node.rule is not None
            else frozenset()
            for node in nodes
        ),
    )


def check(framework: ast.Framework, source: Source) -> CheckedFramework:
    """Check a framework.

    Raises:
        FrameworkCheckError: with every error diagnostic found (warnings ride along).
    """
    diagnostics = diagnose(framework)
    if any(d.is_error for d in diagnostics):
        raise FrameworkCheckError(diagnostics, source)
    return index(framework, source.name, tuple(d for d in diagnostics if not d.is_error))
