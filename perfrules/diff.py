"""What a change to a framework does: its structural difference, and its impact on units.

``structural_diff(old, new)`` compares two syntax trees (never their text) and lists every
difference as a :class:`Change` in words — indicators added, removed, renamed, recoded,
moved; caps, rule kinds, thresholds, steps, cut-offs, bands, levels, awards, targets and
tolerances changed; framework settings and declared inputs changed.

``read_dataset(path)`` reads the units to try both frameworks on: a CSV file with one row
per unit, a JSON-lines file with one inputs-file-shaped object per line, a folder of inputs
files, or a single inputs file. A bad row is reported with its line, not fatal.

``impact(old, new, dataset)`` scores every unit under both frameworks and gathers each
unit's total and grade before and after, the grade changes, the change of every indicator's
score (mean, min, max) and the distribution of totals. A unit whose inputs one framework
refuses is reported as invalid under that framework. All arithmetic is exact: sums are
Decimals, means are Fractions, rounded (to 0.01) only for display.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from decimal import ROUND_FLOOR, Decimal
from fractions import Fraction
from pathlib import Path

import attrs
import yaml
from attrs import field, frozen

from . import ast
from .errors import InputError, InputProblem, PerfrulesError
from .framework import Framework
from .inputs import FORMATS_BY_SUFFIX, UnitInputs, from_mapping, read_inputs
from .result import format_number
from .unparse import describe_interval

__all__ = [
    "Bin",
    "Change",
    "Dataset",
    "DatasetError",
    "DatasetProblem",
    "DatasetUnit",
    "Impact",
    "IndicatorChange",
    "UnitOutcome",
    "display_round",
    "impact",
    "read_dataset",
    "rule_text",
    "structural_diff",
]


# ====================================================================== structural diff


@frozen
class Change:
    """One structural difference between two frameworks.

    Attributes:
        kind: what changed, a stable kebab-case word (``threshold``, ``added``, ``cap``, …;
            docs/diff.md lists them all).
        code: the indicator's code (in the new framework; in the old one when removed), or
            None for a change of the framework's settings or inputs.
        words: the change for people: ``C11 文件办理率: threshold 99% → 95%``.
        before, after: the old and new value as text, where there is one.
        scoring: False for changes that cannot change any score or grade (a name, a
            description, an input's unit).
        input: the input's name, for a change of a declared input.
    """

    kind: str
    code: str | None
    words: str
    before: str | None = None
    after: str | None = None
    scoring: bool = True
    input: str | None = None

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"kind": self.kind, "code": self.code, "words": self.words,
                                  "before": self.before, "after": self.after,
                                  "scoring": self.scoring}
        if self.input is not None:
            out["input"] = self.input
        return out


#: (kind, detail, before, after): a rule's difference, before the indicator is named.
_Detail = tuple[str, str, str | None, str | None]



def rule_kind(rule: ast.Rule | None) -> str:
    """The rule's kind as the language writes it (``threshold``), ``inner`` for no rule."""
    return "inner" if rule is None else ast.KIND_NAMES[type(rule)]


def _num(value: Decimal | int) -> str:
    return format_number(Decimal(value))


def _qty(quantity: ast.Quantity | None) -> str:
    if quantity is None:
        return "none"
    return _num(quantity.value) + ("%" if quantity.is_percent else "")


def _operand(operand: ast.Operand) -> str:
    return operand.name if isinstance(operand, ast.InputRef) else _qty(operand)


def _cmp(comparison: ast.Comparison | None) -> str:
    if comparison is None:
        return "none"
    return f"{comparison.op} {_operand(comparison.operand)}"


def _points(points: Decimal | None) -> str:
    return "full" if points is None else _num(points)


def _steps_text(steps: ast.Steps | None, default: ast.Counting | None = None) -> str:
    if steps is None:
        return "none"
    counting = steps.counting or default
    text = f"each {_qty(steps.size)} {steps.direction} {steps.effect} {_num(steps.points)}"
    return text + (f" {counting.value}" if counting is not None else "")


def rule_text(rule: ast.Rule | None, default: ast.Counting | None = None) -> str:
    """A rule on one line, in the rule language (steps show the counting in force)."""
    match rule:
        case None:
            return "scored by its children"
        case ast.YesNo():
            return f"{_points(rule.points)} if {'not ' if rule.negated else ''}{rule.input.name}"
        case ast.Threshold():
            parts = [f"threshold {rule.input.name} {_cmp(rule.bound)} {_points(rule.points)}"]
            parts += [_steps_text(s, default) for s in (rule.short, rule.beyond) if s is not None]
            if rule.cutoff is not None:
                parts.append(f"zero if {_cmp(rule.cutoff)}")
            return ", ".join(parts)
        case ast.Proportional():
            return f"proportional {rule.input.name} / {_operand(rule.target)}"
        case ast.Bands():
            rows = "; ".join(f"{describe_interval(b.interval)}: {_points(b.points)}" for b in rule.bands)
            return f"bands {rule.input.name} {{ {rows} }}"
        case ast.Deduct():
            terms = [f"{_num(o.points)} {'if' if o.is_flag else 'per'} {o.input.name}"
                     for o in rule.occurrences]
            if rule.limit is not None:
                terms.append(f"at most {_num(rule.limit)}")
            return "deduct " + ", ".join(terms)
        case ast.Baseline():
            parts = [f"baseline {rule.input.name} at {_operand(rule.reference)} "
                     f"scores {_num(rule.base)}"]
            parts += [_steps_text(s, default) for s in (rule.lower, rule.higher) if s is not None]
            return ", ".join(parts)
        case ast.Deviation():
            text = (f"deviation {rule.input.name} from {_operand(rule.target)} "
                    f"within ±{_qty(rule.tolerance)}")
            return text + (f", {_steps_text(rule.steps, default)}" if rule.steps else "")
        case ast.Graded():
            rows = "; ".join(f"{lv.name}: {_qty(lv.value)}" for lv in rule.levels)
            return f"levels {rule.input.name} {{ {rows} }}"
        case ast.Judged():
            return "judged"
        case ast.Composite():
            parts = []
            for part in rule.parts:
                weight = "" if part.weight is None else f" weight {_num(part.weight)}"
                parts.append(f"part {_num(part.cap)}{weight}: {rule_text(part.rule, default)}")
            return f"combine {rule.mode.value} {{ {'; '.join(parts)} }}"
        case ast.Awards():
            rows = "; ".join(f"{a.name}: {_num(a.points)}" for a in rule.awards)
            return f"awards {rule.input.name} {rule.stacking.value} {{ {rows} }}"
    raise TypeError(f"{rule!r} is not a rule")


# ---------------------------------------------------------------- rule differences


def _input_change(old: ast.InputRef, new: ast.InputRef) -> list[_Detail]:
    if old.name == new.name:
        return []
    return [("input", f"input {old.name} → {new.name}", old.name, new.name)]


def _steps_changes(
    what: str, old: ast.Steps | None, new: ast.Steps | None,
    old_default: ast.Counting | None, new_default: ast.Counting | None,
) -> list[_Detail]:
    """``what`` is the steps' role: "deduction step", "addition step", "lower step", …"""
    if old is None and new is None:
        return []
    if old is None or new is None:
        before, after = _steps_text(old, old_default), _steps_text(new, new_default)
        verb = "added" if old is None else "removed"
        shown = after if old is None else before
        return [("steps", f"{what} {verb}: {shown}", before if new is None else None,
                 after if old is None else None)]
    if (old.direction, old.effect) != (new.direction, new.effect):
        before, after = _steps_text(old, old_default), _steps_text(new, new_default)
        return [("steps", f"{what} {before} → {after}", before, after)]
    out: list[_Detail] = []
    if old.size != new.size:
        out.append(("steps", f"{what} size {_qty(old.size)} → {_qty(new.size)}",
                    _qty(old.size), _qty(new.size)))
    if old.points != new.points:
        per = "deduction" if new.effect == "deduct" else "addition"
        out.append(("steps", f"{what}: {per} per step {_num(old.points)} → {_num(new.points)}",
                    _num(old.points), _num(new.points)))
    before_counting = old.counting or old_default
    after_counting = new.counting or new_default
    if before_counting != after_counting:
        b = before_counting.value if before_counting else "unstated"
        a = after_counting.value if after_counting else "unstated"
        out.append(("steps", f"{what} counting {b} → {a}", b, a))
    return out


def _points_change(old: Decimal | None, new: Decimal | None, cap_old: Decimal, cap_new: Decimal,
                   words: str) -> list[_Detail]:
    """Points written as ``full`` (None, the cap) or a number; a cap change is reported apart."""
    if old is None and new is None:
        return []
    if old is not None and new is not None:
        if old == new:
            return []
    elif (cap_old if old is None else old) == (cap_new if new is None else new):
        return []  # "full" and the cap written out are the same points
    before = _points(old) + (f" ({_num(cap_old)})" if old is None else "")
    after = _points(new) + (f" ({_num(cap_new)})" if new is None else "")
    return [("points", f"{words} {before} → {after}", before, after)]


def _bound_change(kind: str, what: str, old: ast.Comparison | None,
                  new: ast.Comparison | None, *, always_op: bool = False,
                  lead: str = "") -> list[_Detail]:
    """A bound or cut-off: ``threshold 99% → 95%`` (operators shown when they differ)."""
    if old == new:
        return []
    if old is None or new is None:
        verb = "added" if old is None else "removed"
        shown = lead + _cmp(new if old is None else old)
        return [(kind, f"{what} {verb}: {shown}", None if old is None else shown,
                 shown if old is None else None)]
    if old.op == new.op and not always_op:
        before, after = _operand(old.operand), _operand(new.operand)
    else:
        before, after = _cmp(old), _cmp(new)
    return [(kind, f"{what} {before} → {after}", before, after)]


def _operand_change(kind: str, what: str, old: ast.Operand, new: ast.Operand) -> list[_Detail]:
    if old == new:
        return []
    return [(kind, f"{what} {_operand(old)} → {_operand(new)}", _operand(old), _operand(new))]


def _keyed_changes(
    kind: str, what: str,
    old: Sequence[tuple[str, str]], new: Sequence[tuple[str, str]],
) -> list[_Detail]:
    """Rows keyed by a label (a level, an award, a band): changed, added, removed."""
    before = dict(old)
    after = dict(new)
    out: list[_Detail] = []
    for key, value in old:
        if key not in after:
            out.append((kind, f"{what} {key} removed (was {value})", value, None))
        elif after[key] != value:
            out.append((kind, f"{what} {key}: {value} → {after[key]}", value, after[key]))
    for key, value in new:
        if key not in before:
            out.append((kind, f"{what} {key} added: {value}", None, value))
    return out


def _bands_changes(old: ast.Bands, new: ast.Bands, cap_old: Decimal,
                   cap_new: Decimal) -> list[_Detail]:
    out = _input_change(old.input, new.input)
    old_intervals = [describe_interval(b.interval) for b in old.bands]
    new_intervals = [describe_interval(b.interval) for b in new.bands]
    if old_intervals == new_intervals:
        for interval, ob, nb in zip(old_intervals, old.bands, new.bands, strict=True):
            detail = _points_change(ob.points, nb.points, cap_old, cap_new, f"band {interval}:")
            out.extend(("bands", words, b, a) for _, words, b, a in detail)
        return out
    old_rows = [f"{i}: {_points(b.points)}" for i, b in zip(old_intervals, old.bands, strict=True)]
    new_rows = [f"{i}: {_points(b.points)}" for i, b in zip(new_intervals, new.bands, strict=True)]
    if len(old_rows) == len(new_rows):
        for number, (before, after) in enumerate(zip(old_rows, new_rows, strict=True), 1):
            if before != after:
                out.append(("bands", f"band {number} {before} → {after}", before, after))
        return out
    before_text, after_text = "; ".join(old_rows), "; ".join(new_rows)
    out.append(("bands", f"bands {{ {before_text} }} → {{ {after_text} }}",
                before_text, after_text))
    return out


def _deduct_changes(old: ast.Deduct, new: ast.Deduct) -> list[_Detail]:
    def rows(rule: ast.Deduct) -> list[tuple[str, str]]:
        return [(f"{'if' if o.is_flag else 'per'} {o.input.name}", _num(o.points))
                for o in rule.occurrences]

    out: list[_Detail] = []
    before, after = dict(rows(old)), dict(rows(new))
    for key, value in rows(old):
        if key not in after:
            out.append(("deduction", f"deduction {value} {key} removed", f"{value} {key}", None))
        elif after[key] != value:
            out.append(("deduction", f"deduction {value} {key} → {after[key]} {key}",
                        f"{value} {key}", f"{after[key]} {key}"))
    for key, value in rows(new):
        if key not in before:
            out.append(("deduction", f"deduction added: {value} {key}", None, f"{value} {key}"))
    if old.limit != new.limit:
        b = "none" if old.limit is None else f"at most {_num(old.limit)}"
        a = "none" if new.limit is None else f"at most {_num(new.limit)}"
        out.append(("limit", f"deduction limit {b} → {a}", b, a))
    return out


def rule_changes(
    old: ast.Rule | None, new: ast.Rule | None, cap_old: Decimal, cap_new: Decimal,
    old_default: ast.Counting | None = None, new_default: ast.Counting | None = None,
) -> list[_Detail]:
    """How ``new`` differs from ``old``, as (kind, detail, before, after) tuples."""
    if old is None and new is None:
        return []
    if type(old) is not type(new):
        before, after = rule_text(old, old_default), rule_text(new, new_default)
        detail = f"rule kind {rule_kind(old)} → {rule_kind(new)}"
        return [("rule-kind", detail, before, after)]
    d_old, d_new = old_default, new_default
    match old, new:
        case ast.YesNo(), ast.YesNo():
            out = _input_change(old.input, new.input)
            out += _points_change(old.points, new.points, cap_old, cap_new, "points")
            if old.negated != new.negated:
                b = f"if {'not ' if old.negated else ''}{old.input.name}"
                a = f"if {'not ' if new.negated else ''}{new.input.name}"
                out.append(("condition", f"condition {b} → {a}", b, a))
            return out
        case ast.Threshold(), ast.Threshold():
            out = _input_change(old.input, new.input)
            out += _bound_change("threshold", "threshold", old.bound, new.bound)
            out += _points_change(old.points, new.points, cap_old, cap_new,
                                  "points at the bound")
            out += _steps_changes("deduction step", old.short, new.short, d_old, d_new)
            out += _steps_changes("addition step", old.beyond, new.beyond, d_old, d_new)
            out += _bound_change("cutoff", "cut-off", old.cutoff, new.cutoff, always_op=True,
                                 lead="zero if ")
            return out
        case ast.Proportional(), ast.Proportional():
            out = _input_change(old.input, new.input)
            return out + _operand_change("target", "target", old.target, new.target)
        case ast.Bands(), ast.Bands():
            return _bands_changes(old, new, cap_old, cap_new)
        case ast.Deduct(), ast.Deduct():
            return _deduct_changes(old, new)
        case ast.Baseline(), ast.Baseline():
            out = _input_change(old.input, new.input)
            out += _operand_change("target", "reference", old.reference, new.reference)
            if old.base != new.base:
                out.append(("base", f"base score {_num(old.base)} → {_num(new.base)}",
                            _num(old.base), _num(new.base)))
            out += _steps_changes("lower step", old.lower, new.lower, d_old, d_new)
            out += _steps_changes("higher step", old.higher, new.higher, d_old, d_new)
            return out
        case ast.Deviation(), ast.Deviation():
            out = _input_change(old.input, new.input)
            out += _operand_change("target", "target", old.target, new.target)
            if old.tolerance != new.tolerance:
                b, a = f"±{_qty(old.tolerance)}", f"±{_qty(new.tolerance)}"
                out.append(("tolerance", f"tolerance {b} → {a}", b, a))
            return out + _steps_changes("step beyond the tolerance", old.steps, new.steps,
                                        d_old, d_new)
        case ast.Graded(), ast.Graded():
            out = _input_change(old.input, new.input)
            return out + _keyed_changes(
                "levels", "level",
                [(lv.name, _qty(lv.value)) for lv in old.levels],
                [(lv.name, _qty(lv.value)) for lv in new.levels],
            )
        case ast.Judged(), ast.Judged():
            return []
        case ast.Awards(), ast.Awards():
            out = _input_change(old.input, new.input)
            if old.stacking != new.stacking:
                b, a = old.stacking.value, new.stacking.value
                out.append(("stacking", f"awards stacking {b} → {a}", b, a))
            return out + _keyed_changes(
                "awards", "award",
                [(a.name, _num(a.points)) for a in old.awards],
                [(a.name, _num(a.points)) for a in new.awards],
            )
        case ast.Composite(), ast.Composite():
            return _composite_changes(old, new, d_old, d_new)
    raise TypeError(f"cannot compare {old!r} with {new!r}")


def _composite_changes(old: ast.Composite, new: ast.Composite, d_old: ast.Counting | None,
                       d_new: ast.Counting | None) -> list[_Detail]:
    out: list[_Detail] = []
    if old.mode != new.mode:
        out.append(("combine", f"combine {old.mode.value} → {new.mode.value}",
                    old.mode.value, new.mode.value))
    if len(old.parts) != len(new.parts):
        before, after = rule_text(old, d_old), rule_text(new, d_new)
        out.append(("combine", f"parts {len(old.parts)} → {len(new.parts)}: {before} → {after}",
                    before, after))
        return out
    for number, (a, b) in enumerate(zip(old.parts, new.parts, strict=True), 1):
        prefix = f"part {number}"
        if a.cap != b.cap:
            out.append(("cap", f"{prefix} cap {_num(a.cap)} → {_num(b.cap)}",
                        _num(a.cap), _num(b.cap)))
        if a.weight != b.weight:
            wa = "none" if a.weight is None else _num(a.weight)
            wb = "none" if b.weight is None else _num(b.weight)
            out.append(("combine", f"{prefix} weight {wa} → {wb}", wa, wb))
        for kind, detail, before, after in rule_changes(a.rule, b.rule, a.cap, b.cap,
                                                         d_old, d_new):
            out.append((kind, f"{prefix}: {detail}", before, after))
    return out


# ---------------------------------------------------------------- framework settings


def _framework_changes(old: ast.Framework, new: ast.Framework) -> list[Change]:
    out: list[Change] = []

    def add(kind: str, words: str, before: str | None, after: str | None,
            scoring: bool = True) -> None:
        out.append(Change(kind, None, words, before, after, scoring))

    if old.name != new.name:
        add("framework-renamed", f"framework renamed “{old.name}” → “{new.name}”",
            old.name, new.name, scoring=False)
    if old.year != new.year:
        b, a = str(old.year or "none"), str(new.year or "none")
        add("year", f"year {b} → {a}", b, a, scoring=False)
    if (old.total, old.total_capped) != (new.total, new.total_capped):
        b, a = _total_text(old), _total_text(new)
        add("total", f"total {b} → {a}", b, a)
    if old.counting != new.counting:
        b = old.counting.value if old.counting else "unstated"
        a = new.counting.value if new.counting else "unstated"
        relying = sum(1 for s in _all_steps(new) if s.counting is None)
        note = f" (applies to {relying} step rule(s) that state no counting)" if relying else ""
        add("counting-default", f"default counting {b} → {a}{note}", b, a)
    if old.not_applicable != new.not_applicable:
        b = old.not_applicable.value if old.not_applicable else "none"
        a = new.not_applicable.value if new.not_applicable else "none"
        add("not-applicable-default", f"default 不适用 policy {b} → {a}", b, a)
    out.extend(_grade_changes(old, new))
    out.extend(_veto_changes(old, new))
    return out


def _total_text(framework: ast.Framework) -> str:
    if framework.total is None:
        return "none (the sum of the top-level caps)"
    return f"{_num(framework.total)} {'capped' if framework.total_capped else 'uncapped'}"


def _all_steps(framework: ast.Framework) -> Iterator[ast.Steps]:
    stack: list[ast.Rule] = [n.rule for n in ast.walk(framework.indicators) if n.rule is not None]
    while stack:
        rule = stack.pop()
        match rule:
            case ast.Threshold():
                yield from (s for s in (rule.short, rule.beyond) if s is not None)
            case ast.Baseline():
                yield from (s for s in (rule.lower, rule.higher) if s is not None)
            case ast.Deviation() if rule.steps is not None:
                yield rule.steps
            case ast.Composite():
                stack.extend(part.rule for part in rule.parts)


def _grade_changes(old: ast.Framework, new: ast.Framework) -> list[Change]:
    def how(band: ast.GradeBand) -> str:
        return "otherwise" if band.comparison is None else _cmp(band.comparison)

    details = _keyed_changes("grades", "grade", [(g.name, how(g)) for g in old.grades],
                             [(g.name, how(g)) for g in new.grades])
    out = [Change("grades", None, words, b, a) for _, words, b, a in details]
    old_names = [g.name for g in old.grades]
    new_names = [g.name for g in new.grades]
    if set(old_names) == set(new_names) and old_names != new_names:
        b, a = ", ".join(old_names), ", ".join(new_names)
        out.append(Change("grades", None, f"grades reordered: {b} → {a}", b, a))
    return out


def _veto_changes(old: ast.Framework, new: ast.Framework) -> list[Change]:
    def key(veto: ast.Veto) -> str:
        return f"veto if {veto.input.name}" + (" (down)" if veto.down is not None else "")

    def what(veto: ast.Veto) -> str:
        return f"at most {veto.at_most}" if veto.at_most is not None else f"down {veto.down}"

    before = {key(v): what(v) for v in old.vetoes}
    after = {key(v): what(v) for v in new.vetoes}
    out = []
    for k, v in before.items():
        name = k.removesuffix(" (down)")
        if k not in after:
            out.append(Change("veto-removed", None, f"{name}: {v} removed", v, None))
        elif after[k] != v:
            out.append(Change("veto-changed", None, f"{name}: {v} → {after[k]}", v, after[k]))
    for k, v in after.items():
        if k not in before:
            name = k.removesuffix(" (down)")
            out.append(Change("veto-added", None, f"{name}: {v} added", None, v))
    return out


def _type_text(decl: ast.InputDecl) -> str:
    if decl.choices:
        return f"{decl.type.value} ({', '.join(decl.choices)})"
    return decl.type.value


def _range_text(decl: ast.InputDecl) -> str:
    low, high = ast.value_range(decl)
    percent = "%" if decl.type is ast.InputType.PERCENT else ""
    if low is None and high is None:
        return "any value"
    shown_low = "" if low is None else _num(low) + percent
    shown_high = "" if high is None else _num(high) + percent
    return f"{shown_low}..{shown_high}"


def _input_changes(old: ast.Framework, new: ast.Framework) -> list[Change]:
    before = {d.name: d for d in old.inputs}
    after = {d.name: d for d in new.inputs}
    out: list[Change] = []
    for name, decl in before.items():
        if name not in after:
            out.append(Change("input-removed", None, f"input {name} removed ({_type_text(decl)})",
                              _type_text(decl), None, input=name))
            continue
        other = after[name]
        if (decl.type, decl.choices) != (other.type, other.choices):
            b, a = _type_text(decl), _type_text(other)
            out.append(Change("input-retyped", None, f"input {name}: {b} → {a}", b, a,
                              input=name))
        elif ast.value_range(decl) != ast.value_range(other):
            b, a = _range_text(decl), _range_text(other)
            out.append(Change("input-range", None, f"input {name}: range {b} → {a}", b, a,
                              input=name))
        if decl.unit != other.unit:
            b, a = decl.unit or "none", other.unit or "none"
            out.append(Change("input-unit", None, f"input {name}: unit {b} → {a}", b, a,
                              scoring=False, input=name))
        if decl.description != other.description:
            b, a = decl.description or "none", other.description or "none"
            out.append(Change("input-described", None, f"input {name}: described “{b}” → “{a}”",
                              b, a, scoring=False, input=name))
    for name, decl in after.items():
        if name not in before:
            described = f" “{decl.description}”" if decl.description else ""
            out.append(Change("input-added", None,
                              f"input {name} added: {_type_text(decl)}{described}",
                              None, _type_text(decl), input=name))
    return out


# ---------------------------------------------------------------- the indicator tree


@frozen
class _Tree:
    """An AST's indicators indexed by code: pre-order position, node and parent code."""

    order: tuple[str, ...]
    nodes: Mapping[str, ast.Indicator]
    parents: Mapping[str, str | None]

    @classmethod
    def of(cls, framework: ast.Framework) -> _Tree:
        order: list[str] = []
        nodes: dict[str, ast.Indicator] = {}
        parents: dict[str, str | None] = {}
        stack: list[tuple[ast.Indicator, str | None]] = [(n, None)
                                                         for n in reversed(framework.indicators)]
        while stack:
            node, parent = stack.pop()
            order.append(node.code)
            nodes[node.code] = node
            parents[node.code] = parent
            stack.extend((child, node.code) for child in reversed(node.children))
        return cls(tuple(order), nodes, parents)


def match_indicators(old: ast.Framework, new: ast.Framework) -> dict[str, str]:
    """Old code → new code for every indicator present in both frameworks.

    An indicator is the same when its code is; otherwise, among the unmatched indicators,
    when its name is (and only one indicator on each side has that name), or, for leaves,
    when its rule is (again unique on each side).
    """
    a, b = _Tree.of(old), _Tree.of(new)
    mapping = {code: code for code in a.order if code in b.nodes}
    for key in (lambda n: n.name, lambda n: n.rule):
        unmatched_old = [c for c in a.order if c not in mapping]
        taken = set(mapping.values())
        unmatched_new = [c for c in b.order if c not in taken]
        olds = _unique_by(unmatched_old, a.nodes, key)
        news = _unique_by(unmatched_new, b.nodes, key)
        for value, code in olds.items():
            if value is not None and value in news:
                mapping[code] = news[value]
    return mapping


def _unique_by(codes: Iterable[str], nodes: Mapping[str, ast.Indicator],
               key: Callable[[ast.Indicator], object]) -> dict[object, str]:
    seen: dict[object, list[str]] = {}
    for code in codes:
        seen.setdefault(key(nodes[code]), []).append(code)
    return {value: found[0] for value, found in seen.items() if len(found) == 1}


def _node_label(code: str | None, tree: _Tree) -> str:
    if code is None:
        return "the top level"
    return f"{code} {tree.nodes[code].name}"


def _indicator_changes(old: ast.Framework, new: ast.Framework) -> list[Change]:
    a, b = _Tree.of(old), _Tree.of(new)
    mapping = match_indicators(old, new)
    matched_new = {n: o for o, n in mapping.items()}
    keyed: list[tuple[tuple[int, int, int], Change]] = []
    new_position = {code: i for i, code in enumerate(b.order)}
    for position, code in enumerate(b.order):
        node = b.nodes[code]
        key = (position, 0, 0)
        if code not in matched_new:
            parent = b.parents[code]
            where = f"under {_node_label(parent, b)}" if parent else "at the top level"
            section = "" if node.section is ast.Section.REGULAR else f"{node.section.value} "
            rule = rule_text(node.rule, new.counting)
            words = (f"{code} {node.name}: added {where}, {section}cap {_num(node.cap)}, "
                     f"{rule}")
            keyed.append((key, Change("added", code, words, None, rule)))
            continue
        for change in _matched_changes(matched_new[code], code, a, b, mapping, old, new):
            keyed.append((key, change))
    # A removed indicator is listed after the nearest earlier indicator that survives.
    anchor = -1
    for old_position, code in enumerate(a.order):
        if code in mapping:
            anchor = new_position[mapping[code]]
            continue
        node = a.nodes[code]
        parent = a.parents[code]
        where = f"from under {_node_label(parent, a)}" if parent else "from the top level"
        rule = rule_text(node.rule, old.counting)
        words = f"{code} {node.name}: removed {where} (cap {_num(node.cap)}, {rule})"
        keyed.append(((anchor, 1, old_position), Change("removed", code, words, rule, None)))
    keyed.sort(key=lambda item: item[0])
    return [change for _, change in keyed]


def _matched_changes(old_code: str, code: str, a: _Tree, b: _Tree, mapping: Mapping[str, str],
                     old: ast.Framework, new: ast.Framework) -> Iterator[Change]:
    before, after = a.nodes[old_code], b.nodes[code]
    head = f"{code} {after.name}"
    if old_code != code:
        yield Change("recoded", code, f"{head}: code {old_code} → {code}", old_code, code,
                     scoring=False)
    if before.name != after.name:
        yield Change("renamed", code, f"{head}: renamed from “{before.name}”", before.name,
                     after.name, scoring=False)
    old_parent = a.parents[old_code]
    mapped_parent = None if old_parent is None else mapping.get(old_parent, f"<{old_parent}>")
    if mapped_parent != b.parents[code]:
        was = _node_label(old_parent, a)
        now = _node_label(b.parents[code], b)
        yield Change("moved", code, f"{head}: moved from {was} to {now}", was, now)
    if before.cap != after.cap:
        yield Change("cap", code, f"{head}: cap {_num(before.cap)} → {_num(after.cap)}",
                     _num(before.cap), _num(after.cap))
    if before.section != after.section:
        yield Change("section", code,
                     f"{head}: section {before.section.value} → {after.section.value}",
                     before.section.value, after.section.value)
    if before.not_applicable != after.not_applicable:
        bna = before.not_applicable.value if before.not_applicable else "framework default"
        ana = after.not_applicable.value if after.not_applicable else "framework default"
        yield Change("not-applicable", code, f"{head}: 不适用 policy {bna} → {ana}", bna, ana)
    if before.allow_cap_mismatch != after.allow_cap_mismatch:
        b, c = str(before.allow_cap_mismatch).lower(), str(after.allow_cap_mismatch).lower()
        yield Change("cap-mismatch", code, f"{head}: allow cap mismatch {b} → {c}", b, c)
    for kind, detail, b_text, a_text in rule_changes(before.rule, after.rule, before.cap,
                                                      after.cap, old.counting, new.counting):
        yield Change(kind, code, f"{head}: {detail}", b_text, a_text)
    if before.criterion != after.criterion:
        yield Change("criterion", code, f"{head}: 评价要点 changed", before.criterion,
                     after.criterion, scoring=False)
    if before.description != after.description:
        yield Change("description", code, f"{head}: 指标说明 changed", before.description,
                     after.description, scoring=False)


def structural_diff(old: ast.Framework, new: ast.Framework) -> list[Change]:
    """Every difference between two frameworks' syntax trees, in words.

    Framework settings come first, then declared inputs, then indicators in the new tree's
    order (a removed indicator after the nearest earlier one that survives).
    """
    return [*_framework_changes(old, new), *_input_changes(old, new),
            *_indicator_changes(old, new)]


# ====================================================================== datasets


class DatasetError(PerfrulesError, ValueError):
    """A dataset cannot be read at all (bad file, unknown format, no ``unit`` column)."""


@frozen
class DatasetUnit:
    """One unit of a dataset: its name (code), where it was read, and its raw inputs."""

    code: str
    where: str
    inputs: UnitInputs


@frozen
class DatasetProblem:
    """A row, line or file of a dataset that was skipped, and why."""

    where: str
    message: str
    unit: str | None = None

    def __str__(self) -> str:
        unit = f" (unit {self.unit})" if self.unit else ""
        return f"{self.where}{unit}: {self.message}"


@frozen
class Dataset:
    """The units read from a dataset, and every row that could not be read."""

    source: str
    format: str  # "csv", "jsonl", "folder" or "file"
    units: tuple[DatasetUnit, ...] = field(converter=tuple)
    problems: tuple[DatasetProblem, ...] = field(converter=tuple, default=())


#: CSV columns: the unit, the 不适用 marks, and the per-indicator column prefixes.
UNIT_COLUMN = "unit"
NOT_APPLICABLE_COLUMN = "not_applicable"
JUDGEMENT_PREFIX = "judgement:"
REASON_PREFIX = "reason:"
ADJUSTMENT_PREFIX = "adjustment:"
ADJUSTMENT_REASON_PREFIX = "adjustment_reason:"
_CODE_PREFIXES = (JUDGEMENT_PREFIX, REASON_PREFIX, ADJUSTMENT_PREFIX, ADJUSTMENT_REASON_PREFIX)
JSONL_SUFFIXES = (".jsonl", ".ndjson")


def read_dataset(path: str | Path) -> Dataset:
    """Read a dataset of units: a .csv file, a .jsonl file, a folder, or one inputs file.

    Raises:
        DatasetError: the dataset as a whole cannot be read. A bad row or file inside it is
            not an error: it is listed in ``Dataset.problems`` with its line or file name.
    """
    path = Path(path)
    if path.is_dir():
        return read_folder(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return read_csv(path)
    if suffix in JSONL_SUFFIXES:
        return read_jsonl(path)
    if suffix in FORMATS_BY_SUFFIX:
        return _read_one_file(path)
    known = ".csv, .jsonl, a folder of inputs files, or one " + ", ".join(FORMATS_BY_SUFFIX)
    raise DatasetError(f"{path}: cannot tell the dataset's format from {path.suffix!r}; "
                       f"expected {known}")


def _text(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise DatasetError(f"{path}: no such file") from None
    except UnicodeDecodeError as error:
        raise DatasetError(f"{path}: not UTF-8 text (byte {error.start})") from None
    except OSError as error:
        raise DatasetError(f"{path}: cannot read it: {error.strerror}") from None


def read_csv(path: str | Path) -> Dataset:
    """Read a CSV dataset (see docs/diff.md): one row per unit, columns named by input."""
    path = Path(path)
    return loads_csv(_text(path), source=str(path))


def loads_csv(text: str, *, source: str = "<csv>") -> Dataset:
    """Read CSV text: leading ``#`` lines are comments, then a header row, then one row a unit.

    Columns: ``unit`` (required), one per input (by its declared name), ``judgement:CODE``
    and ``reason:CODE`` for a judged indicator, ``adjustment:CODE`` and
    ``adjustment_reason:CODE`` for an adjustment, ``not_applicable`` (codes separated by
    spaces, commas or semicolons). An empty cell is an absent value.
    """
    lines = text.splitlines(keepends=True)
    skipped = 0
    while skipped < len(lines) and (not lines[skipped].strip()
                                    or lines[skipped].lstrip().startswith("#")):
        skipped += 1
    reader = csv.reader(io.StringIO("".join(lines[skipped:])))
    try:
        header = next(reader)
    except StopIteration:
        raise DatasetError(f"{source}: no header row") from None
    except csv.Error as error:
        raise DatasetError(f"{source}: line {skipped + 1}: {error}") from None
    header = [name.strip() for name in header]
    _check_header(header, source, skipped + 1)
    units: list[DatasetUnit] = []
    problems: list[DatasetProblem] = []
    first_line: dict[str, int] = {}
    previous_end = reader.line_num
    while True:
        line = skipped + previous_end + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            problems.append(DatasetProblem(f"line {line}", f"not valid CSV: {error}"))
            break
        previous_end = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        where = f"line {line}"
        if len(row) != len(header):
            problems.append(DatasetProblem(
                where, f"has {len(row)} cells; the header has {len(header)}",
                row[0].strip() if row else None))
            continue
        cells = dict(zip(header, (cell.strip() for cell in row), strict=True))
        unit = cells[UNIT_COLUMN]
        if not unit:
            problems.append(DatasetProblem(where, "has no unit name"))
            continue
        if unit in first_line:
            problems.append(DatasetProblem(
                where, f"repeats unit {unit} (first on line {first_line[unit]}); skipped", unit))
            continue
        try:
            inputs = _row_inputs(cells, unit, source)
        except _RowProblem as problem:
            problems.append(DatasetProblem(where, problem.message, unit))
            continue
        first_line[unit] = line
        units.append(DatasetUnit(unit, where, inputs))
    return Dataset(source, "csv", units, problems)


class _RowProblem(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _check_header(header: list[str], source: str, line: int) -> None:
    if UNIT_COLUMN not in header:
        raise DatasetError(f"{source}: line {line}: the header has no '{UNIT_COLUMN}' column")
    seen: set[str] = set()
    for name in header:
        if not name:
            raise DatasetError(f"{source}: line {line}: a column has no name")
        if name in seen:
            raise DatasetError(f"{source}: line {line}: column {name!r} appears twice")
        if name.startswith(_CODE_PREFIXES) and not name.split(":", 1)[1].strip():
            raise DatasetError(f"{source}: line {line}: column {name!r} names no indicator")
        seen.add(name)


def _row_inputs(cells: Mapping[str, str], unit: str, source: str) -> UnitInputs:
    values: dict[str, object] = {}
    judgements: dict[str, dict[str, object]] = {}
    adjustments: dict[str, dict[str, object]] = {}
    not_applicable: tuple[str, ...] = ()
    for column, cell in cells.items():
        if column == UNIT_COLUMN or not cell:
            continue
        if column == NOT_APPLICABLE_COLUMN:
            not_applicable = tuple(code for code in _split_codes(cell) if code)
            continue
        prefix, _, code = column.partition(":")
        code = code.strip()
        match prefix + ":" if code else "":
            case "judgement:":
                judgements.setdefault(code, {})["score"] = cell
            case "reason:":
                judgements.setdefault(code, {})["reason"] = cell
            case "adjustment:":
                adjustments.setdefault(code, {})["score"] = cell
            case "adjustment_reason:":
                adjustments.setdefault(code, {})["reason"] = cell
            case _:
                values[column] = cell
    for what, given in (("judgement", judgements), ("adjustment", adjustments)):
        for code, entry in given.items():
            if "score" not in entry:
                raise _RowProblem(f"gives a reason for {code} but no {what} score")
    return UnitInputs(values, judgements, adjustments, not_applicable, unit=unit, file=source)


def _split_codes(cell: str) -> list[str]:
    for separator in (",", ";", "，", "；", "、"):
        cell = cell.replace(separator, " ")
    return cell.split()


def read_jsonl(path: str | Path) -> Dataset:
    """Read a JSON-lines dataset: one inputs-file-shaped object per line (with ``unit``)."""
    path = Path(path)
    return loads_jsonl(_text(path), source=str(path))


def loads_jsonl(text: str, *, source: str = "<jsonl>") -> Dataset:
    """Read JSON-lines text; blank lines and lines starting with ``#`` are skipped."""
    units: list[DatasetUnit] = []
    problems: list[DatasetProblem] = []
    first_line: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        where = f"line {number}"
        try:
            data = json.loads(line, parse_float=Decimal)
        except json.JSONDecodeError as error:
            problems.append(DatasetProblem(where, f"not valid JSON: {error.msg} "
                                                  f"at column {error.colno}"))
            continue
        if not isinstance(data, Mapping):
            problems.append(DatasetProblem(where, "is not a JSON object"))
            continue
        unit = data.get("unit")
        try:
            inputs = from_mapping(data, file=source)
        except InputError as error:
            problems.append(DatasetProblem(where, _problems_text(error),
                                           unit if isinstance(unit, str) else None))
            continue
        if not inputs.unit:
            problems.append(DatasetProblem(where, "has no \"unit\""))
            continue
        if inputs.unit in first_line:
            problems.append(DatasetProblem(
                where, f"repeats unit {inputs.unit} (first on line {first_line[inputs.unit]}); "
                       "skipped", inputs.unit))
            continue
        first_line[inputs.unit] = number
        units.append(DatasetUnit(inputs.unit, where, inputs))
    return Dataset(source, "jsonl", units, problems)


def read_folder(path: str | Path) -> Dataset:
    """Read every inputs file (.yaml, .yml, .json, .toml) in a folder, in name order.

    A unit's name is the file's ``unit``, else the file's name without its suffix.
    """
    path = Path(path)
    units: list[DatasetUnit] = []
    problems: list[DatasetProblem] = []
    first_file: dict[str, str] = {}
    files = sorted(p for p in path.iterdir()
                   if p.is_file() and p.suffix.lower() in FORMATS_BY_SUFFIX)
    for file in files:
        where = f"file {file.name}"
        try:
            inputs = read_inputs(file)
        except InputError as error:
            problems.append(DatasetProblem(where, _problems_text(error), error.unit))
            continue
        except OSError as error:
            problems.append(DatasetProblem(where, f"cannot read it: {error.strerror}"))
            continue
        unit = inputs.unit or file.stem
        if unit in first_file:
            problems.append(DatasetProblem(
                where, f"repeats unit {unit} (first in {first_file[unit]}); skipped", unit))
            continue
        first_file[unit] = file.name
        units.append(DatasetUnit(unit, where, attrs.evolve(inputs, unit=unit)))
    return Dataset(str(path), "folder", units, problems)


def _read_one_file(path: Path) -> Dataset:
    try:
        inputs = read_inputs(path)
    except InputError as error:
        return Dataset(str(path), "file", (), (DatasetProblem(f"file {path.name}",
                                                              _problems_text(error)),))
    except OSError as error:
        raise DatasetError(f"{path}: cannot read it: {error.strerror}") from None
    unit = inputs.unit or path.stem
    return Dataset(str(path), "file",
                   (DatasetUnit(unit, f"file {path.name}", attrs.evolve(inputs, unit=unit)),))


def _problems_text(error: InputError) -> str:
    return "; ".join(str(problem) for problem in error.problems)


# ====================================================================== impact


@frozen
class UnitOutcome:
    """One unit scored under both frameworks (a problem instead where one refused it)."""

    code: str
    where: str
    total_before: Decimal | None
    total_after: Decimal | None
    grade_before: str | None
    grade_after: str | None
    problem_before: str | None = None
    problem_after: str | None = None
    problems_before: tuple[str, ...] = field(default=(), eq=False, repr=False)
    problems_after: tuple[str, ...] = field(default=(), eq=False, repr=False)
    scores_before: Mapping[str, Decimal | None] = field(factory=dict, eq=False, repr=False)
    scores_after: Mapping[str, Decimal | None] = field(factory=dict, eq=False, repr=False)

    @property
    def valid(self) -> bool:
        """Scored under both frameworks."""
        return self.problem_before is None and self.problem_after is None

    @property
    def total_change(self) -> Decimal | None:
        if not self.valid:
            return None
        assert self.total_before is not None and self.total_after is not None
        return self.total_after - self.total_before

    @property
    def grade_changed(self) -> bool:
        return self.valid and self.grade_before != self.grade_after


@frozen
class IndicatorChange:
    """How one indicator's score moved over the units valid under both frameworks.

    ``total`` is the exact sum of (after − before); ``mean`` is exact (a Fraction).
    """

    code: str
    old_code: str
    name: str
    cap_before: Decimal
    cap_after: Decimal
    units: int
    changed: int
    total: Decimal
    min: Decimal | None
    max: Decimal | None

    @property
    def mean(self) -> Fraction | None:
        return None if not self.units else Fraction(self.total) / self.units


@frozen
class Bin:
    """A bin of totals ``[low, high)`` (``[low, high]`` for the last) and its counts."""

    low: Decimal
    high: Decimal
    before: int
    after: int
    closed: bool = False

    @property
    def label(self) -> str:
        return f"[{_num(self.low)}, {_num(self.high)}{']' if self.closed else ')'}"


@frozen
class Impact:
    """Every unit before and after, the per-indicator changes and the totals' distribution."""

    units: tuple[UnitOutcome, ...]
    indicators: tuple[IndicatorChange, ...]
    bins: tuple[Bin, ...]
    grades_before: tuple[str, ...]
    grades_after: tuple[str, ...]
    problems: tuple[DatasetProblem, ...] = ()

    @property
    def valid(self) -> list[UnitOutcome]:
        return [u for u in self.units if u.valid]

    @property
    def grade_changes(self) -> list[UnitOutcome]:
        return [u for u in self.units if u.grade_changed]

    @property
    def invalid_before(self) -> list[UnitOutcome]:
        return [u for u in self.units if u.problem_before is not None]

    @property
    def invalid_after(self) -> list[UnitOutcome]:
        return [u for u in self.units if u.problem_after is not None]

    def direction(self, unit: UnitOutcome) -> str | None:
        """``up`` or ``down`` for a grade change (by the new grades' order), else None."""
        if not unit.grade_changed:
            return None
        order = self.grades_after
        if unit.grade_before in order and unit.grade_after in order:
            better = order.index(unit.grade_after) < order.index(unit.grade_before)
            return "up" if better else "down"
        return None

    def total_stats(self) -> tuple[Fraction | None, Decimal | None, Decimal | None]:
        """(mean, min, max) of the change of the total over the valid units."""
        changes = [u.total_change for u in self.valid]
        present = [c for c in changes if c is not None]
        if not present:
            return None, None, None
        return Fraction(sum(present, Decimal(0))) / len(present), min(present), max(present)


def impact(old: Framework, new: Framework, dataset: Dataset | Iterable[DatasetUnit],
           *, bin_width: Decimal | int | None = None) -> Impact:
    """Score every unit under both frameworks and gather the differences.

    ``bin_width`` sets the width of the totals' bins; by default the smallest of 1, 2, 5,
    10, 20, 25, 50, 100 that keeps the bins to 20 or fewer.
    """
    if isinstance(dataset, Dataset):
        units, problems = dataset.units, dataset.problems
    else:
        units, problems = tuple(dataset), ()
    outcomes = tuple(_outcome(old, new, unit) for unit in units)
    mapping = match_indicators(old.ast, new.ast)
    indicators = tuple(_indicator_change(old, new, old_code, code, outcomes)
                       for old_code, code in sorted(mapping.items(),
                                                    key=lambda item: new.codes.index(item[1])))
    bins = _bins(old, new, outcomes, None if bin_width is None else Decimal(bin_width))
    return Impact(outcomes, indicators, bins, old.grades, new.grades, tuple(problems))


@frozen
class _Scored:
    total: Decimal | None = None
    grade: str | None = None
    problems: tuple[str, ...] = ()
    scores: Mapping[str, Decimal | None] = field(factory=dict)


def _score(framework: Framework, other: Framework, unit: DatasetUnit) -> _Scored:
    try:
        data = _awards_cells(framework, _only_ours(framework, other, unit.inputs))
        result = framework.score(data, unit=unit.code)
    except InputError as error:
        return _Scored(problems=tuple(str(problem) for problem in error.problems))
    scores = {code: result[code].score for code in result}
    return _Scored(result.total, result.grade, (), scores)


def _outcome(old: Framework, new: Framework, unit: DatasetUnit) -> UnitOutcome:
    before = _score(old, new, unit)
    after = _score(new, old, unit)
    return UnitOutcome(unit.code, unit.where, before.total, after.total, before.grade,
                       after.grade, "; ".join(before.problems) or None,
                       "; ".join(after.problems) or None, before.problems, after.problems,
                       before.scores, after.scores)


def _judged(framework: Framework, code: str) -> bool:
    return code in framework.codes and isinstance(framework[code].rule, ast.Judged)


def _only_ours(framework: Framework, other: Framework, data: UnitInputs) -> UnitInputs:
    """``data`` without what only ``other`` knows: its inputs, indicators and judged nodes.

    A dataset serves both frameworks: removing an input or an indicator, or turning a judged
    indicator into a computed one, must not make every unit invalid under the framework
    that no longer has it. A name that neither framework knows is left in, and reported.
    """
    codes = set(framework.codes)
    other_codes = set(other.codes)
    values = {name: value for name, value in data.values.items()
              if name in framework.inputs or name not in other.inputs}
    judgements = {code: value for code, value in data.judgements.items()
                  if _judged(framework, code) or not _judged(other, code)}
    adjustments = {code: value for code, value in data.adjustments.items()
                   if code in codes or code not in other_codes}
    marks = tuple(code for code in data.not_applicable
                  if code in codes or code not in other_codes)
    if (len(values), len(judgements), len(adjustments), len(marks)) == (
            len(data.values), len(data.judgements), len(data.adjustments),
            len(data.not_applicable)):
        return data
    return attrs.evolve(data, values=values, judgements=judgements, adjustments=adjustments,
                        not_applicable=marks)


def _indicator_change(old: Framework, new: Framework, old_code: str, code: str,
                      outcomes: Sequence[UnitOutcome]) -> IndicatorChange:
    deltas = []
    for unit in outcomes:
        if not unit.valid:
            continue
        before, after = unit.scores_before.get(old_code), unit.scores_after.get(code)
        if before is None or after is None:
            continue  # not applicable under one of them
        deltas.append(after - before)
    return IndicatorChange(
        code=code, old_code=old_code, name=new[code].name,
        cap_before=old[old_code].cap, cap_after=new[code].cap,
        units=len(deltas), changed=sum(1 for d in deltas if d),
        total=sum(deltas, Decimal(0)),
        min=min(deltas) if deltas else None, max=max(deltas) if deltas else None,
    )


def full_total(framework: Framework) -> Decimal:
    """The framework's full total: ``total N``, else the sum of the regular top-level caps."""
    tree = framework.ast
    if tree.total is not None:
        return tree.total
    return sum((n.cap for n in tree.indicators if n.section is ast.Section.REGULAR), Decimal(0))


_BIN_WIDTHS = (1, 2, 5, 10, 20, 25, 50, 100)
MAX_BINS = 20


def _bins(old: Framework, new: Framework, outcomes: Sequence[UnitOutcome],
          width: Decimal | None) -> tuple[Bin, ...]:
    before = [u.total_before for u in outcomes if u.total_before is not None]
    after = [u.total_after for u in outcomes if u.total_after is not None]
    if not before and not after:
        return ()
    every = before + after
    top = max(max(every), full_total(old), full_total(new))
    bottom = min(every)

    def layout(step: Decimal) -> tuple[Decimal, int]:
        start = (bottom / step).to_integral_value(rounding=ROUND_FLOOR) * step
        return start, max(1, math.ceil((top - start) / step))

    if width is None:
        width = next((Decimal(w) for w in _BIN_WIDTHS if layout(Decimal(w))[1] <= MAX_BINS),
                     Decimal(_BIN_WIDTHS[-1]))
    if width <= 0:
        raise ValueError("the bin width must be above 0")
    low, count = layout(width)
    edges = [low + i * width for i in range(count + 1)]

    def index(total: Decimal) -> int:
        position = int(((total - low) / width).to_integral_value(rounding=ROUND_FLOOR))
        return min(position, count - 1)

    counts_before = [0] * count
    counts_after = [0] * count
    for total in before:
        counts_before[index(total)] += 1
    for total in after:
        counts_after[index(total)] += 1
    return tuple(Bin(edges[i], edges[i + 1], counts_before[i], counts_after[i],
                     closed=(i == count - 1)) for i in range(count))


# ---------------------------------------------------------------- awards in CSV cells


def _awards_cells(framework: Framework, data: UnitInputs) -> UnitInputs:
    """``data`` with every awards input given as text (a CSV cell) turned into entries."""
    changed: dict[str, object] = {}
    problems: list[InputProblem] = []
    for name, decl in framework.inputs.items():
        value = data.values.get(name)
        if decl.type is ast.InputType.AWARDS and isinstance(value, str):
            try:
                changed[name] = parse_awards_cell(value)
            except ValueError as error:
                problems.append(InputProblem(name, str(error)))
    if problems:
        raise InputError(data.unit, problems, data.file)
    if not changed:
        return data
    return attrs.evolve(data, values={**data.values, **changed})


_NO_AWARDS = frozenset({"[]", "none", "无", "-"})


def parse_awards_cell(cell: str) -> object:
    """An awards value from a CSV cell.

    ``item:award; item:award`` (full-width ``：`` and ``；`` too), or a YAML/JSON flow value
    (``[[督查, 省级嘉奖]]``, ``{督查: 省级嘉奖}``); ``[]``, ``none`` or ``无`` for no awards.
    """
    text = cell.strip()
    if text.lower() in _NO_AWARDS:
        return []
    if text.startswith(("[", "{")):
        try:
            return yaml.safe_load(text)
        except yaml.YAMLError:
            raise ValueError(f"{cell!r} is not a valid list of awards") from None
    entries = []
    for piece in text.replace("；", ";").replace("：", ":").split(";"):
        if not piece.strip():
            continue
        item, colon, award = piece.partition(":")
        if not colon or not item.strip() or not award.strip():
            raise ValueError(f"award entry {piece.strip()!r} is not item:award")
        entries.append([item.strip(), award.strip()])
    return entries


# ---------------------------------------------------------------- display helpers


def display_round(value: Fraction | Decimal | int) -> Decimal:
    """``value`` rounded to 0.01, half away from zero, for display only (exact otherwise)."""
    exact = Fraction(value)
    scaled = abs(exact) * 100
    whole = math.floor(scaled + Fraction(1, 2))
    rounded = Decimal(whole).scaleb(-2)
    return -rounded if exact < 0 else rounded
