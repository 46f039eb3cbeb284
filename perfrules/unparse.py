"""AST to canonical rule text: the inverse of :mod:`perfrules.build`.

``unparse(framework)`` writes a syntax tree back as rule text in one canonical layout: two
spaces per level, one item per line, one band, level, award or grade per line, numbers
without exponents, labels bare where they can be a NAME and quoted otherwise. For every
tree the language can express, ``parse(unparse(tree)) == tree`` (spans are not compared),
and for a text already in canonical form, ``unparse(parse(text)) == text``.

A tree that no text can express (an input name that is not a NAME, a baseline without
steps, an interval without ends, …) raises ``ValueError`` rather than producing a text that would
parse into something else.
"""

from __future__ import annotations

import functools
import re
from decimal import Decimal

from . import ast
from .result import format_number

__all__ = ["keywords", "unparse"]

_INDENT = "  "

_NA_WORDS = {
    ast.NotApplicable.RESCALE: "rescale",
    ast.NotApplicable.FULL: "full",
    ast.NotApplicable.ZERO: "zero",
}
_SECTION_WORDS = {ast.Section.BONUS: "bonus ", ast.Section.PENALTY: "penalty ", ast.Section.REGULAR: ""}
_OPS = frozenset({">=", ">", "<=", "<", "="})
_SIMPLE_TYPES = {
    ast.InputType.PERCENT: "percent",
    ast.InputType.NUMBER: "number",
    ast.InputType.COUNT: "count",
    ast.InputType.BOOL: "bool",
    ast.InputType.MONEY: "money",
}


# ---------------------------------------------------------------- lexical pieces


@functools.cache
def _terminal_regex(name: str) -> re.Pattern[str]:
    from .syntax import parser

    return re.compile(parser().get_terminal(name).pattern.to_regexp())


@functools.cache
def keywords() -> frozenset[str]:
    """The grammar's word-like anonymous terminals (``full``, ``if``, ``threshold``, …).

    Read from the parser, so a keyword added to the grammar is known here at once.
    """
    from .syntax import parser

    name = _terminal_regex("NAME")
    return frozenset(
        t.pattern.value
        for t in parser().terminals
        if t.pattern.type == "str" and name.fullmatch(t.pattern.value)
    )


def is_bare_name(text: str) -> bool:
    """Whether ``text`` can stand unquoted as a NAME (and is no keyword)."""
    return bool(_terminal_regex("NAME").fullmatch(text)) and text not in keywords()


def _string(text: str) -> str:
    """A quoted text: backslashes and quotes escaped, a line break written ``\\n`` (the one
    character a text cannot hold as it is; build.py reads ``\\n`` back as a line break)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return '"' + escaped + '"'


def _label(text: str) -> str:
    return text if is_bare_name(text) else _string(text)


def _name(text: str) -> str:
    """An input name: always bare (the grammar has no quoted form for it)."""
    if not _terminal_regex("NAME").fullmatch(text):
        raise ValueError(f"{text!r} cannot be an input name: it is not a NAME")
    return text


def _code(text: str) -> str:
    if not _terminal_regex("CODE").fullmatch(text):
        raise ValueError(f"{text!r} cannot be an indicator code")
    return text


def _number(value: Decimal | int) -> str:
    value = Decimal(value)
    if not value.is_finite():
        raise ValueError(f"{value} cannot be written as a number")
    return format(value, "f")


def _quantity(quantity: ast.Quantity) -> str:
    return _number(quantity.value) + ("%" if quantity.is_percent else "")


def _operand(operand: ast.Operand) -> str:
    if isinstance(operand, ast.InputRef):
        return _name(operand.name)
    return _quantity(operand)


def _comparison(comparison: ast.Comparison) -> str:
    if comparison.op not in _OPS:
        raise ValueError(f"unknown comparison {comparison.op!r}")
    return f"{comparison.op} {_operand(comparison.operand)}"


def _points(points: Decimal | None) -> str:
    return "full" if points is None else _number(points)


def _counting(counting: ast.Counting | None) -> str:
    return "" if counting is None else " " + counting.value


def _steps(steps: ast.Steps) -> str:
    if steps.direction not in ("lower", "higher", "beyond"):
        raise ValueError(f"unknown step direction {steps.direction!r}")
    if steps.effect not in ("deduct", "add"):
        raise ValueError(f"unknown step effect {steps.effect!r}")
    return (
        f"each {_quantity(steps.size)} {steps.direction} {steps.effect} "
        f"{_number(steps.points)}{_counting(steps.counting)}"
    )


def _interval(interval: ast.Interval) -> str:
    low, high = interval.low, interval.high
    if low is not None and high is not None:
        left = "[" if interval.low_inclusive else "("
        right = "]" if interval.high_inclusive else ")"
        return f"{left}{_quantity(low)}, {_quantity(high)}{right}"
    if low is not None and not interval.high_inclusive:
        return (">= " if interval.low_inclusive else "> ") + _quantity(low)
    if high is not None and not interval.low_inclusive:
        return ("<= " if interval.high_inclusive else "< ") + _quantity(high)
    raise ValueError(f"the interval {interval!r} cannot be written")


def describe_interval(interval: ast.Interval) -> str:
    """An interval for people (explanations, diffs): ``[75%, 85%)``, ``>= 85%``, ``= 0``."""
    low, high = interval.low, interval.high

    def shown(quantity: ast.Quantity) -> str:
        return format_number(quantity.value) + ("%" if quantity.is_percent else "")

    if low is not None and high is not None:
        if low.value == high.value and interval.low_inclusive and interval.high_inclusive:
            return f"= {shown(low)}"
        left = "[" if interval.low_inclusive else "("
        right = "]" if interval.high_inclusive else ")"
        return f"{left}{shown(low)}, {shown(high)}{right}"
    if low is not None:
        return (">= " if interval.low_inclusive else "> ") + shown(low)
    if high is not None:
        return ("<= " if interval.high_inclusive else "< ") + shown(high)
    return "any value"


# ---------------------------------------------------------------- rules


def _rule(rule: ast.Rule, depth: int) -> list[str]:
    """The rule's lines; the first carries no indentation, the rest are indented for depth."""
    inner = _INDENT * (depth + 1)
    close = _INDENT * depth + "}"
    match rule:
        case ast.YesNo():
            negation = "not " if rule.negated else ""
            return [f"{_points(rule.points)} if {negation}{_name(rule.input.name)}"]
        case ast.Threshold():
            return [_threshold(rule)]
        case ast.Proportional():
            return [f"proportional {_name(rule.input.name)} / {_operand(rule.target)}"]
        case ast.Bands():
            if not rule.bands:
                raise ValueError("a bands table needs at least one band")
            rows = [f"{inner}{_interval(b.interval)}: {_points(b.points)}" for b in rule.bands]
            return [f"bands {_name(rule.input.name)} {{", *rows, close]
        case ast.Deduct():
            if not rule.occurrences:
                raise ValueError("a deduction needs at least one occurrence")
            terms = [
                f"{_number(o.points)} {'if' if o.is_flag else 'per'} {_name(o.input.name)}"
                for o in rule.occurrences
            ]
            if rule.limit is not None:
                terms.append(f"at most {_number(rule.limit)}")
            return ["deduct " + ", ".join(terms)]
        case ast.Baseline():
            return [_baseline(rule)]
        case ast.Deviation():
            text = (
                f"deviation {_name(rule.input.name)} from {_operand(rule.target)} "
                f"within ±{_quantity(rule.tolerance)}"
            )
            if rule.steps is not None:
                if rule.steps.direction != "beyond":
                    raise ValueError("a deviation counts its steps 'beyond' the tolerance")
                text += ", " + _steps(rule.steps)
            return [text]
        case ast.Graded():
            if not rule.levels:
                raise ValueError("a levels table needs at least one level")
            rows = [f"{inner}{_label(lv.name)}: {_quantity(lv.value)}" for lv in rule.levels]
            return [f"levels {_name(rule.input.name)} {{", *rows, close]
        case ast.Judged():
            return ["judged"]
        case ast.Composite():
            if not rule.parts:
                raise ValueError("a combined rule needs at least one part")
            lines = [f"combine {rule.mode.value} {{"]
            for part in rule.parts:
                weight = "" if part.weight is None else f" weight {_number(part.weight)}"
                body = _rule(part.rule, depth + 1)
                lines.append(f"{inner}part {_number(part.cap)}{weight}: {body[0]}")
                lines.extend(body[1:])
            lines.append(close)
            return lines
        case ast.Awards():
            if not rule.awards:
                raise ValueError("an awards table needs at least one award")
            rows = [f"{inner}{_label(a.name)}: {_number(a.points)}" for a in rule.awards]
            return [f"awards {_name(rule.input.name)} {rule.stacking.value} {{", *rows, close]
    raise ValueError(f"{rule!r} is not a rule")


def _threshold(rule: ast.Threshold) -> str:
    shortfall = "lower" if rule.bound.op in (">=", ">", "=") else "higher"
    parts = [
        f"threshold {_name(rule.input.name)} {_comparison(rule.bound)} {_points(rule.points)}"
    ]
    if rule.short is not None:
        if rule.short.direction != shortfall:
            raise ValueError(f"the shortfall steps of '{rule.bound.op}' go {shortfall}")
        parts.append(_steps(rule.short))
    if rule.beyond is not None:
        if rule.beyond.direction not in ("lower", "higher") or rule.beyond.direction == shortfall:
            raise ValueError(f"steps past a '{rule.bound.op}' bound cannot go {shortfall}")
        parts.append(_steps(rule.beyond))
    if rule.cutoff is not None:
        parts.append(f"zero if {_comparison(rule.cutoff)}")
    return ", ".join(parts)


def _baseline(rule: ast.Baseline) -> str:
    if rule.lower is None and rule.higher is None:
        raise ValueError("a baseline needs steps on at least one side")
    parts = [
        f"baseline {_name(rule.input.name)} at {_operand(rule.reference)} "
        f"scores {_number(rule.base)}"
    ]
    for side, steps in (("lower", rule.lower), ("higher", rule.higher)):
        if steps is not None:
            if steps.direction != side:
                raise ValueError(f"a baseline's {side} steps must go {side}")
            parts.append(_steps(steps))
    return ", ".join(parts)


# ---------------------------------------------------------------- structure


def _input(decl: ast.InputDecl) -> str:
    if decl.type in _SIMPLE_TYPES:
        if decl.choices:
            raise ValueError(f"a {decl.type.value} input has no choices")
        text = f"{_name(decl.name)}: {_SIMPLE_TYPES[decl.type]}"
    else:
        if not decl.choices:
            raise ValueError(f"a {decl.type.value} input lists at least one choice")
        choices = ", ".join(_label(c) for c in decl.choices)
        text = f"{_name(decl.name)}: {decl.type.value} ({choices})"
    if decl.unit is not None:
        text += f" unit {_string(decl.unit)}"
    if decl.low is not None or decl.high is not None:
        low = _quantity(decl.low) if decl.low is not None else ""
        high = _quantity(decl.high) if decl.high is not None else ""
        text += f" range {low}..{high}"
    if decl.description is not None:
        text += f" {_string(decl.description)}"
    return text


def _indicator(node: ast.Indicator, depth: int) -> list[str]:
    pad = _INDENT * depth
    inner = _INDENT * (depth + 1)
    head = (
        f"{pad}{_SECTION_WORDS[node.section]}{_code(node.code)} {_string(node.name)} "
        f"{_number(node.cap)} {{"
    )
    body: list[str] = []
    if node.description is not None:
        body.append(f"{inner}description {_string(node.description)}")
    if node.criterion is not None:
        body.append(f"{inner}criterion {_string(node.criterion)}")
    if node.not_applicable is not None:
        body.append(f"{inner}not applicable {_NA_WORDS[node.not_applicable]}")
    if node.allow_cap_mismatch:
        body.append(f"{inner}allow cap mismatch")
    if node.rule is not None:
        lines = _rule(node.rule, depth + 1)
        body.append(inner + lines[0])
        body.extend(lines[1:])
    for child in node.children:
        body.extend(_indicator(child, depth + 1))
    if not body:
        return [head + "}"]
    return [head, *body, pad + "}"]


def _framework_block(framework: ast.Framework) -> list[str]:
    lines = [f"framework {_string(framework.name)} {{"]
    if framework.year is not None:
        lines.append(f"{_INDENT}year {int(framework.year)}")
    if framework.total is not None:
        mode = "capped" if framework.total_capped else "uncapped"
        lines.append(f"{_INDENT}total {_number(framework.total)} {mode}")
    elif framework.total_capped:
        raise ValueError("a framework without a total cannot cap it")
    if framework.counting is not None:
        lines.append(f"{_INDENT}counting {framework.counting.value}")
    if framework.not_applicable is not None:
        lines.append(f"{_INDENT}not applicable {_NA_WORDS[framework.not_applicable]}")
    if framework.grades:
        lines.append(f"{_INDENT}grades {{")
        for band in framework.grades:
            how = "otherwise" if band.comparison is None else _comparison(band.comparison)
            lines.append(f"{_INDENT * 2}{_label(band.name)} {how}")
        lines.append(f"{_INDENT}}}")
    for veto in framework.vetoes:
        head = f"{_INDENT}veto if {_name(veto.input.name)}: "
        if veto.at_most is not None and veto.down is None:
            lines.append(head + f"at most {_label(veto.at_most)}")
        elif veto.down is not None and veto.at_most is None:
            lines.append(head + f"down {int(veto.down)}")
        else:
            raise ValueError("a veto either caps the grade ('at most') or lowers it ('down')")
    lines.append("}")
    return lines


def unparse(framework: ast.Framework) -> str:
    """The canonical rule text of ``framework``.

    Raises:
        ValueError: the tree holds something no rule text can express.
    """
    blocks = [_framework_block(framework)]
    if framework.inputs:
        blocks.append(
            ["inputs {", *(_INDENT + _input(decl) for decl in framework.inputs), "}"]
        )
    blocks.extend(_indicator(node, 0) for node in framework.indicators)
    return "\n\n".join("\n".join(block) for block in blocks) + "\n"
