"""Reasons for lost (and gained) points, rendered from a rule and the facts its evaluation
recorded — the same arithmetic as the score, never recomputed."""

from __future__ import annotations

from collections.abc import Callable, Mapping
import decimal
from decimal import Decimal
from typing import Any

from . import ast
from .result import Reason, format_number
from .unparse import describe_interval

_ZERO = Decimal(0)

_COUNTING_ZH = {
    ast.Counting.FULL: "按整步计",
    ast.Counting.STARTED: "不足一步按一步计",
    ast.Counting.PRO_RATA: "按比例计",
}
_COUNTING_EN = {
    ast.Counting.FULL: "whole steps",
    ast.Counting.STARTED: "started steps count",
    ast.Counting.PRO_RATA: "pro rata",
}
_OP_ZH = {">=": "不低于", ">": "高于", "<=": "不高于", "<": "低于", "=": "等于"}
_OP_EN = {">=": "at least", ">": "above", "<=": "at most", "<": "below", "=": "equal to"}
_MISS_ZH = {">=": "低于", ">": "未超过", "<=": "高于", "<": "未低于", "=": "不等于"}
_MISS_EN = {">=": "below", ">": "not above", "<=": "above", "<": "not below", "=": "not"}


class Explainer:
    """Renders reasons for one framework; holds the input declarations and step counting."""

    def __init__(
        self,
        inputs: Mapping[str, ast.InputDecl],
        counting: Callable[[ast.Steps], ast.Counting],
    ):
        self.inputs = inputs
        self.counting = counting

    # ------------------------------------------------------------ formatting
    def label(self, ref: ast.InputRef) -> str:
        decl = self.inputs[ref.name]
        return decl.description or decl.name

    def value(self, ref: ast.InputRef, value: Any) -> str:
        decl = self.inputs[ref.name]
        return self.show(decl, value)

    @staticmethod
    def show(decl: ast.InputDecl, value: Any) -> str:
        if value is None:
            return "—"
        if decl.type is ast.InputType.BOOL:
            return "是" if value else "否"
        if isinstance(value, Decimal | int):
            text = format_number(Decimal(value))
            if decl.type is ast.InputType.PERCENT:
                return text + "%"
            return text + (f" {decl.unit}" if decl.unit else "")
        return str(value)

    def quantity(self, quantity: ast.Quantity) -> str:
        return format_number(quantity.value) + ("%" if quantity.is_percent else "")

    def operand(self, operand: ast.Operand, values: Mapping[str, Any]) -> str:
        if isinstance(operand, ast.InputRef):
            return f"{self.label(operand)} {self.value(operand, values.get(operand.name))}"
        return self.quantity(operand)

    # ------------------------------------------------------------ reasons
    def reasons(
        self,
        rule: ast.Rule,
        facts: Any,
        values: Mapping[str, Any],
        cap: Decimal,
        score: Decimal,
        section: ast.Section = ast.Section.REGULAR,
    ) -> list[Reason]:
        """Reasons for a rule's score.

        A regular rule explains its lost points (nothing when it gave its cap); a bonus rule
        says what it added; a penalty rule what it deducted.
        """
        penalty = section is ast.Section.PENALTY
        if section is ast.Section.BONUS and not isinstance(rule, ast.Awards | ast.Composite):
            return self._bonus(rule, values, score)
        lost = cap - score
        if not penalty and lost <= _ZERO and not isinstance(rule, ast.Awards | ast.Threshold):
            return []
        match rule:
            case ast.YesNo():
                return self._yes_no(rule, values, lost)
            case ast.Threshold():
                return self._threshold(rule, facts, values, cap, score)
            case ast.Proportional():
                return self._proportional(rule, values, lost)
            case ast.Bands():
                return self._bands(rule, facts, values, lost)
            case ast.Deduct():
                return self._deduct(rule, facts, values, penalty, lost, cap)
            case ast.Baseline():
                return self._baseline(rule, facts, values, lost, cap, score)
            case ast.Deviation():
                return self._deviation(rule, facts, values, lost)
            case ast.Graded():
                return self._graded(rule, values, lost)
            case ast.Judged():
                return []  # the evaluator's own reason is attached by the caller
            case ast.Composite():
                return self._composite(rule, facts, values, section)
            case ast.Awards():
                return self._awards(facts, cap, lost if section is ast.Section.REGULAR else _ZERO)
        raise AssertionError(type(rule).__name__)  # pragma: no cover

    def _yes_no(self, rule: ast.YesNo, values: Mapping[str, Any], lost: Decimal) -> list[Reason]:
        label, shown = self.label(rule.input), self.value(rule.input, values.get(rule.input.name))
        points = format_number(lost)
        return [
            Reason(
                "rule",
                f"{label}：{shown}，未得分，扣 {points} 分",
                f"{label}: {'yes' if shown == '是' else 'no'}, no points, −{points}",
                lost,
            )
        ]

    def _threshold(
        self,
        rule: ast.Threshold,
        facts: Any,
        values: Mapping[str, Any],
        cap: Decimal,
        score: Decimal,
    ) -> list[Reason]:
        label, shown = self.label(rule.input), self.value(rule.input, values.get(rule.input.name))
        bound = self.operand(rule.bound.operand, values)
        op = rule.bound.op
        lost = cap - score
        zone = facts[0]
        if zone == "met":
            if len(facts) > 1 and facts[2] > _ZERO and rule.beyond is not None:
                steps = rule.beyond
                gain = format_number(score - (rule.points if rule.points is not None else cap))
                return [
                    Reason(
                        "bonus",
                        f"{label} {shown}，{_OP_ZH[op]} {bound}，每再{self._way_zh(steps)} "
                        f"{self.quantity(steps.size)} 加 {format_number(steps.points)} 分，"
                        f"加 {gain} 分",
                        f"{label} {shown}, {_OP_EN[op]} {bound}; each further "
                        f"{self.quantity(steps.size)} adds {format_number(steps.points)}: +{gain}",
                    )
                ]
            if lost > _ZERO:
                points = format_number(lost)
                return [
                    Reason(
                        "rule",
                        f"{label} {shown}，达到 {bound}，按规则得 {format_number(score)} 分"
                        f"（分值 {format_number(cap)} 分），少得 {points} 分",
                        f"{label} {shown} meets {bound}; the rule gives {format_number(score)} "
                        f"of {format_number(cap)}: −{points}",
                        lost,
                    )
                ]
            return []
        if lost <= _ZERO:
            return []  # short of the bound by less than one counted step: nothing was lost
        points = format_number(lost)
        if zone == "cutoff":
            assert rule.cutoff is not None
            cutoff = self.operand(rule.cutoff.operand, values)
            return [
                Reason(
                    "rule",
                    f"{label} {shown}，{_OP_ZH[rule.cutoff.op]} {cutoff}，不得分，扣 {points} 分",
                    f"{label} {shown} is {_OP_EN[rule.cutoff.op]} {cutoff}: no points, −{points}",
                    lost,
                )
            ]
        if zone == "missed":
            return [
                Reason(
                    "rule",
                    f"{label} {shown}，{_MISS_ZH[op]} {bound}，不得分，扣 {points} 分",
                    f"{label} {shown} is {_MISS_EN[op]} {bound}: no points, −{points}",
                    lost,
                )
            ]
        steps = rule.short
        assert steps is not None
        counting = self.counting(steps)
        stated = rule.points if rule.points is not None else cap
        deducted = facts[2]
        if counting is ast.Counting.PRO_RATA and deducted <= stated:
            deducted = stated - score  # the deduction as the rounded score took it
        deduction = format_number(deducted)
        clamp_zh = "，扣完为止" if facts[2] > stated else ""
        clamp_en = " (down to 0)" if facts[2] > stated else ""
        return [
            Reason(
                "rule",
                f"{label} {shown}，{_MISS_ZH[op]} {bound}，每{self._way_zh(steps)} "
                f"{self.quantity(steps.size)} 扣 {format_number(steps.points)} 分"
                f"（{_COUNTING_ZH[counting]}），扣 {deduction} 分{clamp_zh}",
                f"{label} {shown} is {_MISS_EN[op]} {bound}; each {self.quantity(steps.size)} "
                f"{steps.direction} deducts {format_number(steps.points)} "
                f"({_COUNTING_EN[counting]}): −{deduction}{clamp_en}",
                lost,
            )
        ]

    @staticmethod
    def _way_zh(steps: ast.Steps) -> str:
        return {"lower": "降低", "higher": "增加", "beyond": "超出"}[steps.direction]

    def _proportional(
        self, rule: ast.Proportional, values: Mapping[str, Any], lost: Decimal
    ) -> list[Reason]:
        label, shown = self.label(rule.input), self.value(rule.input, values.get(rule.input.name))
        target = self.operand(rule.target, values)
        points = format_number(lost)
        return [
            Reason(
                "rule",
                f"{label} {shown}，目标 {target}，按比例计分，少得 {points} 分",
                f"{label} {shown} against a target of {target}, scored in proportion: −{points}",
                lost,
            )
        ]

    def _bands(
        self, rule: ast.Bands, facts: Any, values: Mapping[str, Any], lost: Decimal
    ) -> list[Reason]:
        label, shown = self.label(rule.input), self.value(rule.input, values.get(rule.input.name))
        band = rule.bands[facts[1]]
        interval = describe_interval(band.interval)
        points = format_number(lost)
        return [
            Reason(
                "rule",
                f"{label} {shown}，在 {interval} 档，少得 {points} 分",
                f"{label} {shown} falls in the band {interval}: −{points}",
                lost,
            )
        ]

    def _deduct(
        self,
        rule: ast.Deduct,
        facts: Any,
        values: Mapping[str, Any],
        penalty: bool,
        lost: Decimal,
        cap: Decimal,
    ) -> list[Reason]:
        reasons = []
        for occurrence in rule.occurrences:
            raw = values.get(occurrence.input.name)
            count = (1 if raw else 0) if occurrence.is_flag else raw
            if not count:
                continue
            label = self.label(occurrence.input)
            each = format_number(occurrence.points)
            amount = format_number(occurrence.points * count)
            reasons.append(
                Reason(
                    "penalty" if penalty else "rule",
                    f"{label} {count} 次，每次扣 {each} 分，计 {amount} 分",
                    f"{label}: {count} × {each} = {amount}",
                )
            )
        raw_total, limited = facts[1], facts[2]
        if rule.limit is not None and raw_total > limited:
            reasons.append(
                Reason(
                    "capped",
                    f"扣分合计 {format_number(raw_total)} 分，最高扣 {format_number(rule.limit)} 分",
                    f"deductions total {format_number(raw_total)}, "
                    f"at most {format_number(rule.limit)} count",
                )
            )
        if penalty and limited > cap:
            reasons.append(
                Reason(
                    "capped",
                    f"扣分 {format_number(limited)} 分，本项最多扣 {format_number(cap)} 分",
                    f"deductions of {format_number(limited)}, at most {format_number(cap)} count",
                )
            )
        if not penalty and reasons:
            reasons.append(
                Reason(
                    "rule",
                    f"共扣 {format_number(lost)} 分" + ("，扣完为止" if limited > lost else ""),
                    f"−{format_number(lost)} in all" + (" (down to 0)" if limited > lost else ""),
                    lost,
                )
            )
        return reasons

    def _baseline(
        self,
        rule: ast.Baseline,
        facts: Any,
        values: Mapping[str, Any],
        lost: Decimal,
        cap: Decimal,
        score: Decimal,
    ) -> list[Reason]:
        label, shown = self.label(rule.input), self.value(rule.input, values.get(rule.input.name))
        reference = self.operand(rule.reference, values)
        steps = {"lower": rule.lower, "higher": rule.higher}.get(facts[0])
        if steps is not None:
            counting = self.counting(steps)
            adds = steps.effect == "add"
            change = facts[2]
            moved = rule.base + change if adds else rule.base - change
            if counting is ast.Counting.PRO_RATA and _ZERO <= moved <= cap:
                change = (score - rule.base).copy_abs()  # as the rounded score took it
            size, each = self.quantity(steps.size), format_number(steps.points)
            verb_zh = "加" if adds else "扣"
            count_zh = f"变动 {format_number(facts[1])} 步，"
            if counting is ast.Counting.PRO_RATA:
                count_zh = ""
            return [
                Reason(
                    "rule",
                    f"{label} {shown}，基准 {reference} 计 {format_number(rule.base)} 分，"
                    f"每{self._way_zh(steps)} {size} {verb_zh} {each} 分"
                    f"（{_COUNTING_ZH[counting]}），{count_zh}{verb_zh} {format_number(change)} 分，"
                    f"少得 {format_number(lost)} 分",
                    f"{label} {shown} against the baseline {reference} "
                    f"({format_number(rule.base)} points); each {size} {steps.direction} "
                    f"{'adds' if adds else 'deducts'} {each} ({_COUNTING_EN[counting]}): "
                    f"{'+' if adds else '−'}{format_number(change)}; "
                    f"{format_number(score)} of {format_number(cap)}: −{format_number(lost)}",
                    lost,
                )
            ]
        return [
            Reason(
                "rule",
                f"{label} {shown}，基准 {reference} 计 {format_number(rule.base)} 分，"
                f"变动 {format_number(facts[1]) if len(facts) > 1 else '0'} 步，"
                f"少得 {format_number(lost)} 分",
                f"{label} {shown} against the baseline {reference} "
                f"({format_number(rule.base)} points): −{format_number(lost)}",
                lost,
            )
        ]

    def _deviation(
        self, rule: ast.Deviation, facts: Any, values: Mapping[str, Any], lost: Decimal
    ) -> list[Reason]:
        label, shown = self.label(rule.input), self.value(rule.input, values.get(rule.input.name))
        target = self.operand(rule.target, values)
        deviation = _approximately(facts[1]) + ("%" if rule.tolerance.is_percent else "")
        tolerance = self.quantity(rule.tolerance)
        step_zh = step_en = ""
        if rule.steps is not None:
            counting = self.counting(rule.steps)
            size, each = self.quantity(rule.steps.size), format_number(rule.steps.points)
            step_zh = f"每超出 {size} 扣 {each} 分（{_COUNTING_ZH[counting]}），"
            step_en = f"; each {size} beyond deducts {each} ({_COUNTING_EN[counting]})"
        return [
            Reason(
                "rule",
                f"{label} {shown}，目标 {target}，偏差 {deviation}，超出 ±{tolerance}，"
                f"{step_zh}扣 {format_number(lost)} 分",
                f"{label} {shown}, target {target}: deviation {deviation} beyond "
                f"±{tolerance}{step_en}: −{format_number(lost)}",
                lost,
            )
        ]

    def _graded(self, rule: ast.Graded, values: Mapping[str, Any], lost: Decimal) -> list[Reason]:
        label, shown = self.label(rule.input), self.value(rule.input, values.get(rule.input.name))
        return [
            Reason(
                "rule",
                f"{label}评为“{shown}”，少得 {format_number(lost)} 分",
                f"{label} rated '{shown}': −{format_number(lost)}",
                lost,
            )
        ]

    def _composite(
        self, rule: ast.Composite, facts: Any, values: Mapping[str, Any], section: ast.Section
    ) -> list[Reason]:
        scores, part_facts = facts[1], facts[2]
        parts = list(zip(rule.parts, scores, part_facts, strict=True))
        if rule.mode in (ast.Combine.MIN, ast.Combine.MAX):
            # Only the part that was taken decides the score; the others explain nothing.
            pick = min if rule.mode is ast.Combine.MIN else max
            taken = pick(range(len(parts)), key=lambda i: parts[i][1])
            parts = [parts[taken]]
        reasons: list[Reason] = []
        for part, score, fact in parts:
            for reason in self.reasons(part.rule, fact, values, part.cap, score, section):
                if rule.mode is ast.Combine.WEIGHTED and part.weight is not None:
                    weight = format_number(part.weight)
                    reason = Reason(
                        reason.kind,
                        f"{reason.zh}（权重 {weight}）",
                        f"{reason.en} (weight {weight})",
                        None if reason.lost is None else reason.lost * part.weight,
                        reason.written,
                    )
                reasons.append(reason)
        return reasons

    def _bonus(self, rule: ast.Rule, values: Mapping[str, Any], score: Decimal) -> list[Reason]:
        if score <= _ZERO:
            return []
        refs = ast.rule_inputs(rule)
        subject = ""
        if refs:
            subject = f"{self.label(refs[0])} {self.value(refs[0], values.get(refs[0].name))}，"
        added = format_number(score)
        return [Reason("bonus", f"{subject}加 {added} 分", f"{subject.rstrip('，')}: +{added}")]

    def _awards(self, facts: Any, cap: Decimal, lost: Decimal) -> list[Reason]:
        if not facts[2] and lost > _ZERO:
            points = format_number(lost)
            return [Reason("rule", f"无获奖记录，少得 {points} 分", f"no awards: −{points}", lost)]
        reasons = []
        for item, award, points, counted in facts[2]:
            if counted:
                reasons.append(
                    Reason(
                        "bonus",
                        f"{item}：{award}，加 {format_number(points)} 分",
                        f"{item}: {award}, +{format_number(points)}",
                    )
                )
            else:
                reasons.append(
                    Reason(
                        "bonus",
                        f"{item}：{award}（同一项工作不累计加分，不计）",
                        f"{item}: {award} (not counted: only the highest award per item)",
                    )
                )
        if facts[1] > cap:
            reasons.append(
                Reason(
                    "capped",
                    f"加分合计 {format_number(facts[1])} 分，最高 {format_number(cap)} 分",
                    f"awards total {format_number(facts[1])}, at most {format_number(cap)} count",
                )
            )
        return reasons


def _approximately(value: Decimal) -> str:
    """A computed ratio for reading: exact when short, else rounded up to 0.01 with "≈".

    Rounding up keeps a deviation that is just over its tolerance visibly over it.
    """
    value = Decimal(value)  # a deviation between two counts is a whole number
    shown = value.quantize(Decimal("0.01"), rounding=decimal.ROUND_UP)
    if shown == value:
        return format_number(value)
    return "≈" + format_number(shown)


def adjusted(rule_score: Decimal | None, score: Decimal, reason: str) -> Reason:
    """An evaluator's adjustment; ``rule_score`` is None where the rules gave no score (every
    child not applicable)."""
    before = "—" if rule_score is None else format_number(rule_score)
    return Reason(
        "adjusted",
        f"评价人调整：{before} → {format_number(score)} 分。{reason}",
        f"adjusted by the evaluator: {before} → {format_number(score)}. {reason}",
        None if rule_score is None else rule_score - score,
        written=reason,
    )


def judged(score: Decimal, cap: Decimal, reason: str | None, penalty: bool) -> list[Reason]:
    if not reason:
        return []
    if penalty:
        return [
            Reason(
                "penalty",
                f"扣 {format_number(score)} 分：{reason}",
                f"−{format_number(score)}: {reason}",
                score,
                written=reason,
            )
        ]
    return [Reason("judged", reason, reason, cap - score, written=reason)]


def not_applicable(policy: ast.NotApplicable) -> Reason:
    zh = {
        ast.NotApplicable.RESCALE: "不适用：分值按比例分摊至同级其他指标",
        ast.NotApplicable.FULL: "不适用：按满分计",
        ast.NotApplicable.ZERO: "不适用：不得分",
    }[policy]
    en = {
        ast.NotApplicable.RESCALE: "not applicable: its points are spread over its siblings",
        ast.NotApplicable.FULL: "not applicable: scores its cap",
        ast.NotApplicable.ZERO: "not applicable: scores 0",
    }[policy]
    return Reason("not-applicable", zh, en)


def children_not_applicable() -> Reason:
    return Reason(
        "not-applicable",
        "下级指标均不适用，本指标不计分，分值按比例分摊",
        "every child is not applicable: excluded, its points spread over its siblings",
    )


def rescaled(sum_of_applicable: Decimal, score: Decimal) -> Reason:
    return Reason(
        "rescaled",
        f"部分下级指标不适用，适用指标得分 {format_number(sum_of_applicable)} 分按比例折算为 "
        f"{format_number(score)} 分",
        f"some children are not applicable: {format_number(sum_of_applicable)} rescaled to "
        f"{format_number(score)}",
    )
