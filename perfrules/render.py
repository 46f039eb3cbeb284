"""Rules rendered as official scoring phrases (评价要点), in Chinese or English.

``render(rule, cap=…)`` writes a rule in the canonical Chinese phrasing of published
indicator tables — the form :func:`perfrules.phrases.compile_phrase` reads back into the
same rule ("办理比率在99%以上得10分，每降低5%扣2分，低于60%不得分"), so the 评价要点 column of a
table can be generated from the rules themselves. ``locale="en"`` gives an English
sentence for reports (it is not read back). ``render_setting`` does the same for the
framework-level phrases (vetoes, grade bands, 不适用 policies).

Inputs are named by ``labels`` (input name → the words for it, e.g. its description);
without a label the input's name is used. A label that itself holds a boundary word
(以上, 超过, 每, 得…) cannot be read back unambiguously.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from . import ast

__all__ = ["render", "render_setting"]

_MARKERS = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


def _fmt(value: Decimal | int) -> str:
    value = Decimal(value)
    if value == value.to_integral_value():
        return format(value.quantize(Decimal(1)), "f")
    return format(value.normalize(), "f")


def _points_en(value: Decimal) -> str:
    return f"{_fmt(value)} point" + ("" if value == 1 else "s")


def _qty(quantity: ast.Quantity) -> str:
    return _fmt(quantity.value) + ("%" if quantity.is_percent else "")


class _Renderer:
    def __init__(self, labels: Mapping[str, str] | None, locale: str):
        if locale not in ("zh", "en"):
            raise ValueError(f"locale is 'zh' or 'en', not {locale!r}")
        self.labels = dict(labels or {})
        self.zh = locale == "zh"

    def label(self, ref: ast.InputRef) -> str:
        return self.labels.get(ref.name, ref.name)

    def operand(self, operand: ast.Operand) -> str:
        return self.label(operand) if isinstance(operand, ast.InputRef) else _qty(operand)

    # ------------------------------------------------------------ dispatch
    def rule(self, rule: ast.Rule, cap: Decimal) -> str:
        match rule:
            case ast.YesNo():
                return self.yes_no(rule, cap)
            case ast.Threshold():
                return self.threshold(rule, cap)
            case ast.Proportional():
                return self.proportional(rule)
            case ast.Bands():
                return self.bands(rule, cap)
            case ast.Deduct():
                return self.deduct(rule)
            case ast.Baseline():
                return self.baseline(rule)
            case ast.Deviation():
                return self.deviation(rule)
            case ast.Graded():
                return self.graded(rule)
            case ast.Judged():
                return "由评价人员酌情评分" if self.zh else "the evaluator gives the score"
            case ast.Composite():
                return self.composite(rule)
            case ast.Awards():
                return self.awards(rule)
        raise ValueError(f"{rule!r} is not a rule")

    # ------------------------------------------------------------ pieces
    def points(self, points: Decimal | None, cap: Decimal) -> str:
        value = cap if points is None else points
        if self.zh:
            return "不得分" if value == 0 else f"得{_fmt(value)}分"
        return _points_en(value)

    def counting(self, steps: ast.Steps) -> str:
        size = _qty(steps.size)
        if self.zh:
            return {
                ast.Counting.STARTED: f"不满{size}按{size}计算",
                ast.Counting.FULL: f"不满{size}不计",
                ast.Counting.PRO_RATA: "按比例计算",
                None: "",
            }[steps.counting]
        return {
            ast.Counting.STARTED: f"a started {size} counts as a whole step",
            ast.Counting.FULL: f"only whole steps of {size} count",
            ast.Counting.PRO_RATA: "pro rata",
            None: "",
        }[steps.counting]

    def step_clauses(self, steps: list[tuple[str, ast.Steps]]) -> list[str]:
        """Step clauses, each with its counting; a counting shared by all is said once, last."""
        countings = {s.counting for _, s in steps}
        shared = len(countings) == 1
        if not shared and None in countings:
            raise ValueError("steps with and without a stated counting cannot share a phrase")
        out: list[str] = []
        for text, steps_ in steps:
            out.append(text)
            if not shared and self.counting(steps_):
                out.append(self.counting(steps_))
        if shared and steps and self.counting(steps[0][1]):
            out.append(self.counting(steps[0][1]))
        return out

    def effect(self, steps: ast.Steps) -> str:
        if self.zh:
            return ("扣" if steps.effect == "deduct" else "加") + f"{_fmt(steps.points)}分"
        return ("minus " if steps.effect == "deduct" else "plus ") + _points_en(steps.points)

    def bound_zh(self, comparison: ast.Comparison) -> str:
        value = self.operand(comparison.operand)
        if isinstance(comparison.operand, ast.InputRef):
            words = {">=": "不低于", ">": "高于", "<=": "不高于", "<": "低于", "=": "等于"}
            return words[comparison.op] + value
        return {
            ">=": f"在{value}以上",
            ">": f"超过{value}",
            "<=": f"不超过{value}",
            "<": f"低于{value}",
            "=": f"等于{value}",
        }[comparison.op]

    def cutoff_zh(self, comparison: ast.Comparison) -> str:
        value = self.operand(comparison.operand)
        if isinstance(comparison.operand, ast.InputRef):
            words = {">=": "不低于", ">": "高于", "<=": "不高于", "<": "低于", "=": "等于"}
            return words[comparison.op] + value + "不得分"
        return {
            ">=": f"{value}以上不得分",
            ">": f"超过{value}不得分",
            "<=": f"{value}以下不得分",
            "<": f"低于{value}不得分",
            "=": f"等于{value}不得分",
        }[comparison.op]

    @staticmethod
    def op_en(op: str) -> str:
        return {">=": "≥", ">": ">", "<=": "≤", "<": "<", "=": "="}[op]

    # ------------------------------------------------------------ rules
    def yes_no(self, rule: ast.YesNo, cap: Decimal) -> str:
        label = self.label(rule.input)
        points = self.points(rule.points, cap)
        if self.zh:
            if rule.negated:
                return f"{label}的不得分，否则{points}"
            return f"{label}，{points}"
        if rule.negated:
            return f"{points} unless {label}, otherwise 0"
        return f"{label}: {points}, otherwise 0"

    def threshold(self, rule: ast.Threshold, cap: Decimal) -> str:
        label = self.label(rule.input)
        op = rule.bound.op
        meets_above = op in (">=", ">", "=")
        steps: list[tuple[str, ast.Steps]] = []
        if self.zh:
            parts = [f"{label}{self.bound_zh(rule.bound)}{self.points(rule.points, cap)}"]
            if rule.short is not None:
                word = "偏离" if op == "=" else ("降低" if meets_above else "超过")
                steps.append((f"每{word}{_qty(rule.short.size)}{self.effect(rule.short)}",
                              rule.short))
            if rule.beyond is not None:
                word = "超过" if meets_above else "降低"
                steps.append((f"每再{word}{_qty(rule.beyond.size)}{self.effect(rule.beyond)}",
                              rule.beyond))
            parts.extend(self.step_clauses(steps))
            if rule.cutoff is not None:
                parts.append(self.cutoff_zh(rule.cutoff))
            return "，".join(parts)
        head = f"{label} {self.op_en(op)} {self.operand(rule.bound.operand)}: " + self.points(
            rule.points, cap
        )
        parts = [head]
        if rule.short is not None:
            side = "off the bound" if op == "=" else ("below" if meets_above else "above")
            parts.append(f"{_points_en(rule.short.points)} off per {_qty(rule.short.size)} "
                         f"{side}" + self._en_counting(rule.short))
        if rule.beyond is not None:
            side = "above" if meets_above else "below"
            parts.append(f"{_points_en(rule.beyond.points)} more per further "
                         f"{_qty(rule.beyond.size)} {side}" + self._en_counting(rule.beyond))
        if rule.cutoff is not None:
            parts.append(f"0 if {self.op_en(rule.cutoff.op)} "
                         f"{self.operand(rule.cutoff.operand)}")
        return "; ".join(parts)

    def _en_counting(self, steps: ast.Steps) -> str:
        text = self.counting(steps)
        return f" ({text})" if text else ""

    def proportional(self, rule: ast.Proportional) -> str:
        label = self.label(rule.input)
        target = rule.target
        if self.zh:
            if isinstance(target, ast.InputRef):
                return f"得分={label}/{self.label(target)}×分值"
            if target.is_percent and target.value == 100:
                return f"得分={label}×分值"
            if target.is_percent:
                return f"{label}达到{_qty(target)}得满分，不足按比例得分"
            return f"得分={label}/{_qty(target)}×分值"
        return f"cap × {label} / {self.operand(target)}, at most the cap"

    def interval(self, interval: ast.Interval) -> str:
        low, high = interval.low, interval.high
        if self.zh:
            if low is not None and high is not None:
                if low == high and interval.low_inclusive and interval.high_inclusive:
                    return f"等于{_qty(low)}"
                left = "（含）" if interval.low_inclusive else "（不含）"
                right = "（含）" if interval.high_inclusive else "（不含）"
                return f"{_qty(low)}{left}-{_qty(high)}{right}"
            if low is not None:
                return f"{_qty(low)}（含）以上" if interval.low_inclusive else f"超过{_qty(low)}"
            if high is not None:
                return f"{_qty(high)}（含）以下" if interval.high_inclusive else f"低于{_qty(high)}"
            raise ValueError("a band needs at least one end")
        if low is not None and high is not None:
            left = "[" if interval.low_inclusive else "("
            right = "]" if interval.high_inclusive else ")"
            return f"{left}{_qty(low)}, {_qty(high)}{right}"
        if low is not None:
            return ("≥ " if interval.low_inclusive else "> ") + _qty(low)
        if high is not None:
            return ("≤ " if interval.high_inclusive else "< ") + _qty(high)
        raise ValueError("a band needs at least one end")

    def bands(self, rule: ast.Bands, cap: Decimal) -> str:
        label = self.label(rule.input)
        rows = []
        for i, band in enumerate(rule.bands):
            where = self.interval(band.interval)
            if self.zh:
                rows.append(f"{label if i == 0 else ''}{where}，{self.points(band.points, cap)}")
            else:
                rows.append(f"{where}: {self.points(band.points, cap)}")
        return "；".join(rows) if self.zh else f"{label} " + "; ".join(rows)

    def deduct(self, rule: ast.Deduct) -> str:
        rows = []
        for occ in rule.occurrences:
            label = self.label(occ.input)
            if self.zh:
                each = "" if occ.is_flag else "每次"
                rows.append(f"{label}的，{each}扣{_fmt(occ.points)}分")
            else:
                each = "once" if occ.is_flag else "per occurrence"
                rows.append(f"{label}: minus {_points_en(occ.points)} {each}")
        if self.zh:
            tail = f"最高扣{_fmt(rule.limit)}分，" if rule.limit is not None else ""
            return "；".join(rows) + f"；{tail}扣完为止"
        tail = f"; at most {_fmt(rule.limit)} points off" if rule.limit is not None else ""
        return "; ".join(rows) + tail + "; never below 0"

    def deviation(self, rule: ast.Deviation) -> str:
        label = self.label(rule.input)
        tolerance = _qty(rule.tolerance)
        if self.zh:
            if isinstance(rule.target, ast.InputRef):
                head = f"{label}与{self.label(rule.target)}的偏差率在±{tolerance}以内得满分"
            else:
                head = f"{label}与{_qty(rule.target)}的偏差在±{tolerance}以内得满分"
            parts = [head]
            if rule.steps is not None:
                parts.extend(self.step_clauses(
                    [(f"超出部分每{_qty(rule.steps.size)}{self.effect(rule.steps)}", rule.steps)]
                ))
            return "，".join(parts)
        text = f"full points while {label} is within ±{tolerance} of {self.operand(rule.target)}"
        if rule.steps is not None:
            text += (f"; {_points_en(rule.steps.points)} off per {_qty(rule.steps.size)} beyond"
                     + self._en_counting(rule.steps))
        return text

    def graded(self, rule: ast.Graded) -> str:
        label = self.label(rule.input)
        names = [level.name for level in rule.levels]
        if self.zh:
            values = [_qty(lv.value) if lv.value.is_percent else f"{_fmt(lv.value.value)}分"
                      for lv in rule.levels]
            return f"{label}评价为{'、'.join(names)}的，分别得{'、'.join(values)}"
        values = [f"{_fmt(lv.value.value)}% of the cap" if lv.value.is_percent
                  else _points_en(lv.value.value) for lv in rule.levels]
        return f"{label}: " + ", ".join(f"{n} {v}" for n, v in zip(names, values))

    def composite(self, rule: ast.Composite) -> str:
        if len(rule.parts) > len(_MARKERS):
            raise ValueError(f"at most {len(_MARKERS)} elements can be numbered")
        rows = []
        for marker, part in zip(_MARKERS, rule.parts):
            if isinstance(part.rule, ast.Composite):
                raise ValueError("a combination inside a combination cannot be said in one phrase")
            body = self.rule(part.rule, part.cap)
            if self.zh:
                weight = "" if part.weight is None else f"，权重{_fmt(part.weight)}"
                rows.append(f"{marker}（{_fmt(part.cap)}分{weight}）{body}")
            else:
                weight = "" if part.weight is None else f", weight {_fmt(part.weight)}"
                rows.append(f"{marker} ({_points_en(part.cap)}{weight}) {body}")
        if self.zh:
            tail = {ast.Combine.SUM: "", ast.Combine.MIN: "；按较低一项计分",
                    ast.Combine.MAX: "；按较高一项计分", ast.Combine.WEIGHTED: "；加权计分"}
            return "；".join(rows) + tail[rule.mode]
        tail = {ast.Combine.SUM: "the sum", ast.Combine.MIN: "the lowest",
                ast.Combine.MAX: "the highest", ast.Combine.WEIGHTED: "the weighted sum"}
        return "; ".join(rows) + f"; scores {tail[rule.mode]}"

    def awards(self, rule: ast.Awards) -> str:
        if self.zh:
            rows = [f"获得{a.name}加{_fmt(a.points)}分" for a in rule.awards]
            tail = ("同一项工作不累计加分" if rule.stacking is ast.Stacking.HIGHEST_PER_ITEM
                    else "可累计加分")
            return "，".join(rows) + "；" + tail
        rows = [f"{a.name} plus {_points_en(a.points)}" for a in rule.awards]
        tail = ("only the highest award per work item counts"
                if rule.stacking is ast.Stacking.HIGHEST_PER_ITEM else "every award counts")
        return "; ".join(rows) + f"; {tail}"

    def baseline(self, rule: ast.Baseline) -> str:
        label = self.label(rule.input)
        reference = self.operand(rule.reference)
        if self.zh:
            parts = [f"{label}以{reference}为基准得{_fmt(rule.base)}分"]
            steps = []
            if rule.lower is not None:
                steps.append((f"每降低{_qty(rule.lower.size)}{self.effect(rule.lower)}", rule.lower))
            if rule.higher is not None:
                steps.append((f"每提高{_qty(rule.higher.size)}{self.effect(rule.higher)}",
                               rule.higher))
            parts.extend(self.step_clauses(steps))
            return "，".join(parts)
        parts = [f"{label} at {reference}: {_points_en(rule.base)}"]
        for side, steps_ in (("below", rule.lower), ("above", rule.higher)):
            if steps_ is not None:
                parts.append(f"{self.effect(steps_)} per {_qty(steps_.size)} {side}"
                             + self._en_counting(steps_))
        return "; ".join(parts)

    # ------------------------------------------------------------ settings
    def setting(self, setting: object) -> str:
        if isinstance(setting, ast.Veto):
            label = self.label(setting.input)
            if self.zh:
                if setting.down is not None:
                    return f"{label}的，考核等级降{setting.down}档"
                return f"{label}的，等级最高评为{setting.at_most}"
            if setting.down is not None:
                return f"if {label}: the grade drops {setting.down} band(s)"
            return f"if {label}: the grade is at most {setting.at_most}"
        if isinstance(setting, ast.NotApplicable):
            if self.zh:
                return {
                    ast.NotApplicable.RESCALE: "不适用本指标的，该项分值按比例分摊至同级其他指标",
                    ast.NotApplicable.FULL: "不适用本指标的，视同得满分",
                    ast.NotApplicable.ZERO: "不适用本指标的，不得分",
                }[setting]
            return {
                ast.NotApplicable.RESCALE: "if not applicable, its points are spread over its "
                "siblings in proportion to their caps",
                ast.NotApplicable.FULL: "if not applicable, it scores its cap",
                ast.NotApplicable.ZERO: "if not applicable, it scores 0",
            }[setting]
        if isinstance(setting, tuple) and all(isinstance(b, ast.GradeBand) for b in setting):
            return self.grades(setting)
        raise ValueError(f"{setting!r} is not a framework setting")

    def grades(self, bands: tuple[ast.GradeBand, ...]) -> str:
        rows = []
        previous: ast.Comparison | None = None
        for band in bands:
            comparison = band.comparison
            if comparison is not None and not isinstance(comparison.operand, ast.Quantity):
                raise ValueError("a grade's bound is a number")
            if self.zh:
                if comparison is None:
                    if previous is None:
                        raise ValueError("the lowest grade follows the others")
                    assert isinstance(previous.operand, ast.Quantity)
                    bound = _fmt(previous.operand.value)
                    word = "以下" if previous.op == ">=" else "（含）以下"
                    rows.append(f"{bound}分{word}为{band.name}")
                    continue
                assert isinstance(comparison.operand, ast.Quantity)
                low = _fmt(comparison.operand.value)
                low_text = f"{low}分（含）" if comparison.op == ">=" else f"{low}分（不含）"
                if previous is None:
                    text = f"总分{low_text}以上" if comparison.op == ">=" else f"总分超过{low}分"
                else:
                    assert isinstance(previous.operand, ast.Quantity)
                    high = _fmt(previous.operand.value)
                    high_text = f"{high}分（不含）" if previous.op == ">=" else f"{high}分（含）"
                    text = f"{low_text}-{high_text}"
                rows.append(f"{text}为{band.name}")
            else:
                how = "otherwise" if comparison is None else (
                    f"total {self.op_en(comparison.op)} {self.operand(comparison.operand)}"
                )
                rows.append(f"{band.name}: {how}")
            previous = comparison
        return "，".join(rows) if self.zh else "; ".join(rows)


def render(
    rule: ast.Rule,
    *,
    cap: Decimal | int | str,
    labels: Mapping[str, str] | None = None,
    locale: str = "zh",
) -> str:
    """The canonical phrase of a rule.

    Args:
        rule: any rule; a combination inside a combination cannot be said in one phrase.
        cap: the indicator's points (``得10分`` for ``full``).
        labels: input name → the words for it (its description); the name when missing.
        locale: ``"zh"`` for the canonical Chinese phrase (read back by
            :func:`perfrules.phrases.compile_phrase` into the same rule), ``"en"`` for an
            English sentence.

    Raises:
        ValueError: the rule holds something no phrase can say (a nested combination,
            steps of which only some state their counting), or the locale is unknown.
    """
    return _Renderer(labels, locale).rule(rule, Decimal(str(cap)))


def render_setting(
    setting: ast.Veto | tuple[ast.GradeBand, ...] | ast.NotApplicable,
    *,
    labels: Mapping[str, str] | None = None,
    locale: str = "zh",
) -> str:
    """The phrase of a framework setting: a veto, the grade bands, or a 不适用 policy."""
    return _Renderer(labels, locale).setting(setting)
