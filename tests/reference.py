"""A deliberately naive second interpreter of the rule language, for differential testing.

Written from docs/language.md alone, without looking at how perfrules compiles a framework:
it walks the syntax tree, coerces the few raw value forms ``perfrules.testing.inputs``
produces, and computes every rule's score with plain Decimal arithmetic in
``perfrules.runtime.CONTEXT``. It checks nothing: give it valid frameworks and inputs only.

Where the document is silent, the choice made here is marked "(docs silent)".
"""

from __future__ import annotations

import decimal
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Any

from perfrules import ast
from perfrules.runtime import CONTEXT

ZERO = Decimal(0)
CENT = Decimal("0.01")


@dataclass
class Outcome:
    """What the reference computes for one unit."""

    scores: dict[str, Decimal | None] = field(default_factory=dict)
    rule_scores: dict[str, Decimal | None] = field(default_factory=dict)
    total: Decimal = ZERO
    grade: str | None = None


def round_cent(value: Decimal) -> Decimal:
    """'rounded, to 0.01, half up'."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def within(value: Decimal, cap: Decimal) -> Decimal:
    return max(ZERO, min(cap, value))


# ---------------------------------------------------------------- raw values


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def _decimal(raw: object) -> Decimal:
    if isinstance(raw, Decimal):
        return raw
    if isinstance(raw, bool):
        raise TypeError(raw)
    if isinstance(raw, int):
        return Decimal(raw)
    if isinstance(raw, float):
        return Decimal(repr(raw))
    text = _nfkc(str(raw))
    if text.endswith("%"):
        text = text[:-1].strip()
    return Decimal(text)


def coerce(decl: ast.InputDecl, raw: object) -> object:
    """A raw value as the document describes it: percent in percentage points, etc."""
    match decl.type:
        case ast.InputType.BOOL:
            if isinstance(raw, bool):
                return raw
            return _nfkc(str(raw)).lower() in ("true", "yes", "是")
        case ast.InputType.LEVEL:
            return next(c for c in decl.choices if _nfkc(c) == _nfkc(str(raw)))
        case ast.InputType.AWARDS:
            pairs: list[tuple[str, str]] = []
            if isinstance(raw, Mapping):
                for item, awards in raw.items():
                    for award in awards if isinstance(awards, list | tuple) else [awards]:
                        pairs.append((item, award))
            else:
                for entry in raw:  # type: ignore[union-attr]
                    if isinstance(entry, Mapping):
                        pairs.append((entry["item"], entry["award"]))
                    else:
                        pairs.append((entry[0], entry[1]))
            return [
                (_nfkc(item), next(c for c in decl.choices if _nfkc(c) == _nfkc(award)))
                for item, award in pairs
            ]
        case ast.InputType.COUNT:
            return _decimal(raw)
        case _:
            return _decimal(raw)


def _score_of(raw: object) -> Decimal:
    if isinstance(raw, Mapping):
        return _decimal(raw["score"])
    return _decimal(raw)


# ---------------------------------------------------------------- the interpreter


class Reference:
    """Scores one unit of one framework."""

    def __init__(self, framework: ast.Framework, data: Mapping[str, Any]):
        self.framework = framework
        decls = {decl.name: decl for decl in framework.inputs}
        self.values = {
            name: coerce(decls[name], raw) for name, raw in data.get("values", {}).items()
        }
        self.judgements = {
            code: _score_of(raw) for code, raw in data.get("judgements", {}).items()
        }
        self.adjustments = {
            code: _score_of(raw) for code, raw in data.get("adjustments", {}).items()
        }
        self.marked = set(data.get("not_applicable", ()))
        self.outcome = Outcome()

    # ------------------------------------------------------------ small pieces
    def value(self, operand: ast.Operand) -> Any:
        if isinstance(operand, ast.InputRef):
            return self.values[operand.name]
        return operand.value

    @staticmethod
    def holds(x: Decimal, op: str, bound: Decimal) -> bool:
        return {
            ">=": x >= bound,
            ">": x > bound,
            "<=": x <= bound,
            "<": x < bound,
            "=": x == bound,
        }[op]

    def counting(self, steps: ast.Steps) -> ast.Counting:
        counting = steps.counting or self.framework.counting
        assert counting is not None
        return counting

    def step_count(self, distance: Decimal, steps: ast.Steps, missed: bool) -> Decimal:
        """'Step counting': n from the distance d."""
        ratio = distance / steps.size.value
        match self.counting(steps):
            case ast.Counting.FULL:
                return ratio.to_integral_value(rounding=ROUND_FLOOR)
            case ast.Counting.STARTED:
                n = ratio.to_integral_value(rounding=ROUND_CEILING)
                return max(n, Decimal(1)) if missed else n
            case _:
                return ratio

    def pro_rata(self, steps: ast.Steps | None) -> bool:
        return steps is not None and self.counting(steps) is ast.Counting.PRO_RATA

    # ------------------------------------------------------------ rules
    def rule(self, rule: ast.Rule, cap: Decimal, code: str, penalty: bool) -> Decimal:
        match rule:
            case ast.YesNo():
                condition = bool(self.values[rule.input.name])
                if rule.negated:
                    condition = not condition
                points = cap if rule.points is None else rule.points
                return points if condition else ZERO
            case ast.Threshold():
                return self.threshold(rule, cap)
            case ast.Proportional():
                x = self.values[rule.input.name]
                return within(round_cent(cap * x / self.value(rule.target)), cap)
            case ast.Bands():
                x = self.values[rule.input.name]
                for band in rule.bands:
                    if self.in_interval(x, band.interval):
                        return cap if band.points is None else band.points
                raise AssertionError("bands cover the declared range")
            case ast.Deduct():
                deduction = ZERO
                for occurrence in rule.occurrences:
                    raw = self.values[occurrence.input.name]
                    count = (Decimal(1) if raw else ZERO) if occurrence.is_flag else raw
                    deduction += occurrence.points * count
                if rule.limit is not None:
                    deduction = min(deduction, rule.limit)
                return min(cap, deduction) if penalty else max(ZERO, cap - deduction)
            case ast.Baseline():
                return self.baseline(rule, cap)
            case ast.Deviation():
                return self.deviation(rule, cap)
            case ast.Graded():
                chosen = self.values[rule.input.name]
                level = next(lv for lv in rule.levels if lv.name == chosen)
                if level.value.is_percent:
                    return round_cent(cap * level.value.value / 100)
                return level.value.value
            case ast.Judged():
                return self.judgements[code]
            case ast.Composite():
                scores = [self.rule(p.rule, p.cap, code, penalty) for p in rule.parts]
                match rule.mode:
                    case ast.Combine.SUM:
                        combined = sum(scores, ZERO)
                    case ast.Combine.WEIGHTED:
                        combined = round_cent(
                            sum(
                                (
                                    (p.weight if p.weight is not None else Decimal(1)) * s
                                    for p, s in zip(rule.parts, scores, strict=True)
                                ),
                                ZERO,
                            )
                        )
                    case ast.Combine.MIN:
                        combined = min(scores)
                    case _:
                        combined = max(scores)
                return within(combined, cap)
            case ast.Awards():
                table = {award.name: award.points for award in rule.awards}
                entries = self.values[rule.input.name]
                if rule.stacking is ast.Stacking.HIGHEST_PER_ITEM:
                    best: dict[str, Decimal] = {}
                    for item, award in entries:
                        best[item] = max(best.get(item, table[award]), table[award])
                    earned = sum(best.values(), ZERO)
                else:
                    earned = sum((table[award] for _, award in entries), ZERO)
                return min(cap, earned)
        raise AssertionError(f"not a rule: {rule!r}")

    @staticmethod
    def in_interval(x: Decimal, interval: ast.Interval) -> bool:
        if interval.low is not None:
            low = interval.low.value
            if x < low or (x == low and not interval.low_inclusive):
                return False
        if interval.high is not None:
            high = interval.high.value
            if x > high or (x == high and not interval.high_inclusive):
                return False
        return True

    def threshold(self, rule: ast.Threshold, cap: Decimal) -> Decimal:
        x = self.values[rule.input.name]
        bound = self.value(rule.bound.operand)
        points = cap if rule.points is None else rule.points
        distance = abs(x - bound)
        if self.holds(x, rule.bound.op, bound):
            if rule.beyond is None:
                return points
            n = self.step_count(distance, rule.beyond, missed=False)
            score = points + n * rule.beyond.points
            if self.pro_rata(rule.beyond):
                score = round_cent(score)
            return min(score, cap)
        if rule.cutoff is not None and self.holds(
            x, rule.cutoff.op, self.value(rule.cutoff.operand)
        ):
            return ZERO
        if rule.short is not None:
            n = self.step_count(distance, rule.short, missed=True)
            score = max(ZERO, points - n * rule.short.points)
            if self.pro_rata(rule.short):
                score = round_cent(score)
            return score
        return ZERO

    def baseline(self, rule: ast.Baseline, cap: Decimal) -> Decimal:
        x = self.values[rule.input.name]
        reference = self.value(rule.reference)
        if x == reference:
            return rule.base
        steps = rule.lower if x < reference else rule.higher
        if steps is None:
            return rule.base
        n = self.step_count(abs(x - reference), steps, missed=True)
        moved = n * steps.points
        score = rule.base + moved if steps.effect == "add" else rule.base - moved
        if self.pro_rata(steps):
            score = round_cent(score)
        return within(score, cap)

    def deviation(self, rule: ast.Deviation, cap: Decimal) -> Decimal:
        x = self.values[rule.input.name]
        target = self.value(rule.target)
        if rule.tolerance.is_percent:
            deviation = abs(x - target) / abs(target) * 100
        else:
            deviation = abs(x - target)
        tolerance = rule.tolerance.value
        if deviation <= tolerance:
            return cap
        if rule.steps is None:
            return ZERO
        n = self.step_count(deviation - tolerance, rule.steps, missed=True)
        score = max(ZERO, cap - n * rule.steps.points)
        if self.pro_rata(rule.steps):
            score = round_cent(score)
        return score

    # ------------------------------------------------------------ the tree
    def policy(self, node: ast.Indicator) -> ast.NotApplicable | None:
        return node.not_applicable or self.framework.not_applicable

    def exclude(self, node: ast.Indicator) -> None:
        for child in node.children:
            self.outcome.scores[child.code] = None
            self.outcome.rule_scores[child.code] = None
            self.exclude(child)

    def node(self, node: ast.Indicator) -> Decimal | None:
        code = node.code
        if code in self.marked:
            score = {
                ast.NotApplicable.RESCALE: None,
                ast.NotApplicable.FULL: node.cap,
                ast.NotApplicable.ZERO: ZERO,
            }[self.policy(node)]  # type: ignore[index]
            self.outcome.scores[code] = self.outcome.rule_scores[code] = score
            self.exclude(node)
            return score
        if not node.children:
            assert node.rule is not None
            computed: Decimal | None = self.rule(
                node.rule, node.cap, code, node.section is ast.Section.PENALTY
            )
        else:
            kids = [(child, self.node(child)) for child in node.children]
            computed = self.inner(node, kids)
        self.outcome.rule_scores[code] = computed
        score = self.adjustments.get(code, computed)
        self.outcome.scores[code] = score
        return score

    def inner(
        self, node: ast.Indicator, kids: Sequence[tuple[ast.Indicator, Decimal | None]]
    ) -> Decimal | None:
        if node.section is ast.Section.BONUS:
            # Excluded children add nothing; bonus sections do not rescale (docs silent).
            bonus = sum(
                (s for c, s in kids if s is not None and c.section is ast.Section.BONUS), ZERO
            )
            penalty = sum(
                (s for c, s in kids if s is not None and c.section is ast.Section.PENALTY), ZERO
            )
            return min(node.cap, bonus) - penalty
        if node.section is ast.Section.PENALTY:
            return min(node.cap, sum((s for _, s in kids if s is not None), ZERO))
        applicable = [(c, s) for c, s in kids if s is not None]
        if not applicable:
            return None  # "a parent whose children are all excluded is excluded in turn"
        total = sum((s for _, s in applicable), ZERO)
        if len(applicable) < len(kids):
            caps = sum((c.cap for c, _ in applicable), ZERO)
            total = round_cent(total * node.cap / caps)
        return min(node.cap, total)

    def total(self) -> Decimal:
        tops = self.framework.indicators
        regular = [(n, self.outcome.scores[n.code]) for n in tops if n.section is ast.Section.REGULAR]
        applicable = [(n, s) for n, s in regular if s is not None]
        total = sum((s for _, s in applicable), ZERO)
        if applicable and len(applicable) < len(regular):
            full = self.framework.total
            if full is None:
                full = sum((n.cap for n, _ in regular), ZERO)
            total = round_cent(total * full / sum((n.cap for n, _ in applicable), ZERO))
        for node in tops:
            score = self.outcome.scores[node.code] or ZERO
            if node.section is ast.Section.BONUS:
                total += score
            elif node.section is ast.Section.PENALTY:
                total -= score
        total = max(ZERO, total)
        if self.framework.total_capped and self.framework.total is not None:
            total = min(total, self.framework.total)
        return total

    def grade(self, total: Decimal) -> str | None:
        bands = self.framework.grades
        if not bands:
            return None
        position = len(bands) - 1  # no band holds: the lowest one (docs silent)
        for i, band in enumerate(bands):
            if band.comparison is None:
                position = i
                break
            bound = band.comparison.operand
            assert isinstance(bound, ast.Quantity)
            if self.holds(total, band.comparison.op, bound.value):
                position = i
                break
        names = [band.name for band in bands]
        for veto in self.framework.vetoes:
            if veto.at_most is not None and self.values.get(veto.input.name):
                position = max(position, names.index(veto.at_most))
        for veto in self.framework.vetoes:
            if veto.down is not None and self.values.get(veto.input.name):
                position = min(position + veto.down, len(names) - 1)
        return names[position]

    def run(self) -> Outcome:
        with decimal.localcontext(CONTEXT):
            for node in self.framework.indicators:
                self.node(node)
            self.outcome.total = self.total()
            self.outcome.grade = self.grade(self.outcome.total)
        return self.outcome


def evaluate(framework: ast.Framework, data: Mapping[str, Any]) -> Outcome:
    """Score ``data`` (the mapping ``perfrules.testing.inputs`` draws) by the document."""
    return Reference(framework, data).run()


def differences(result: Any, outcome: Outcome) -> list[str]:
    """Where a perfrules ``Result`` and the reference's ``Outcome`` disagree (empty: nowhere)."""

    def same(a: Decimal | None, b: Decimal | None) -> bool:
        return a is b is None or (a is not None and b is not None and a == b)

    found = []
    for code in result:
        node = result[code]
        if not same(node.score, outcome.scores.get(code)):
            found.append(f"{code}: score {node.score} != reference {outcome.scores.get(code)}")
        if not same(node.rule_score, outcome.rule_scores.get(code)):
            found.append(
                f"{code}: rule score {node.rule_score} != reference "
                f"{outcome.rule_scores.get(code)}"
            )
    if result.total != outcome.total:
        found.append(f"total {result.total} != reference {outcome.total}")
    if result.grade != outcome.grade:
        found.append(f"grade {result.grade!r} != reference {outcome.grade!r}")
    return found
