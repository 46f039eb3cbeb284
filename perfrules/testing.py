"""Hypothesis strategies and invariant checks for perfrules (needs ``hypothesis``).

Not imported by ``perfrules`` itself; import it from tests::

    from hypothesis import given
    from perfrules.testing import check_invariants, frameworks, inputs

``frameworks()`` draws semantically valid syntax trees (every rule kind, consistent caps,
declared inputs that fit the rules); ``inputs(fw)`` draws a unit's inputs that the framework
accepts; ``check_invariants(fw, data)`` scores them and asserts what docs/language.md
guarantees of every result; ``rule_texts()`` draws texts from the grammar, to show that the
front end raises nothing but perfrules' own errors.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Any

from hypothesis import strategies as st
from hypothesis.extra.lark import from_lark

from . import ast
from .errors import InputError
from .framework import Framework
from .result import Result
from .syntax import parser
from .unparse import keywords

__all__ = [
    "RULE_KINDS",
    "check_invariants",
    "frameworks",
    "inputs",
    "rule_texts",
    "snapshot",
]

#: The rule kinds ``frameworks(rule_kinds=…)`` knows, by name.
RULE_KINDS: tuple[str, ...] = (
    "yes_no",
    "threshold",
    "proportional",
    "bands",
    "deduct",
    "baseline",
    "deviation",
    "levels",
    "judged",
    "composite",
    "awards",
)

_PENALTY_KINDS = ("judged", "deduct")
_NUMERIC = (ast.InputType.PERCENT, ast.InputType.NUMBER, ast.InputType.COUNT, ast.InputType.MONEY)
_CENT = Decimal("0.01")

# Some names and labels written the way people write them, Chinese included; labels also
# hold words that must be quoted (keywords, capitals, spaces, quotes, backslashes).
_NAME_STEMS = ("x", "rate", "n", "flag", "完成率", "满意度", "办结率", "lv", "honours", "ratio_β",
               "a·b", "_u", "score", "ÿ")
_LABELS = ("好", "较好", "一般", "差", "优秀", "良好", "中", "Excellent", "full", "otherwise",
           'say "hi"', "back\\slash", "优 秀", "x1", "国务院嘉奖", "省级嘉奖", "市级考核一等奖",
           "level", "B+", "合格", "")
_TEXT = st.text(
    alphabet=st.one_of(
        st.characters(min_codepoint=32, max_codepoint=126),
        st.sampled_from("决策制度规范性文件办理率“三公”经费（含）"),
    ),
    max_size=12,
)
_STEP_SIZES = ("1", "2", "5", "0.5", "2.5", "10", "0.1")
_STEP_POINTS = ("0.5", "1", "2", "3", "0.25", "1.5", "0.1", "0.05")
_WEIGHTS = ("0.5", "1", "2", "0.25", "1.5", "0.3")
_OFFSETS = tuple(Decimal(x) for x in ("0", "0.01", "-0.01", "0.5", "-0.5", "1", "-1", "2.5",
                                       "-2.5", "5", "-5", "10", "-10", "0.05", "-0.05"))


def _plain(value: Decimal) -> Decimal:
    """The same number written without trailing zeros or exponent (``3.10`` -> ``3.1``)."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return Decimal(text or "0")


def _amounts(low: Decimal | int, high: Decimal | int, places: int = 2) -> st.SearchStrategy[Decimal]:
    """Decimals in [low, high] with at most ``places`` decimals, whole numbers first."""
    low, high = Decimal(low), Decimal(high)
    scale = 10**places
    lo = int((low * scale).to_integral_value(ROUND_CEILING))
    hi = int((high * scale).to_integral_value(ROUND_FLOOR))
    exact = st.integers(lo, hi).map(lambda n: _plain(Decimal(n).scaleb(-places)))
    lo_i = int(low.to_integral_value(ROUND_CEILING))
    hi_i = int(high.to_integral_value(ROUND_FLOOR))
    if lo_i > hi_i:
        return exact
    return st.one_of(st.integers(lo_i, hi_i).map(Decimal), exact)


def _ceil_cent(value: Decimal) -> Decimal:
    return _plain(value.quantize(_CENT, rounding=ROUND_CEILING))


# ====================================================================== domains


class _Domain:
    """The values an input may take: its declared range, else its type's natural one."""

    def __init__(self, decl: ast.InputDecl):
        self.whole = decl.type is ast.InputType.COUNT
        # A declared range is taken as written; without one, a percent lies in 0..100 and a
        # count is at least 0 (docs/language.md, 'The inputs block').
        low, high = ast.value_range(decl)
        if self.whole and low is None:
            low = Decimal(0)  # a count is never negative, whatever its range says
        if self.whole:
            low = low.to_integral_value(ROUND_CEILING) if low is not None else None
            high = high.to_integral_value(ROUND_FLOOR) if high is not None else None
        self.low = low
        self.high = high

    def clip(self, value: Decimal) -> Decimal:
        if self.whole:
            value = value.to_integral_value(ROUND_FLOOR)
        if self.low is not None and value < self.low:
            value = self.low
        if self.high is not None and value > self.high:
            value = self.high
        return value

    def positive_floor(self) -> Decimal:
        """The smallest convenient value above 0 within the domain."""
        smallest = Decimal(1) if self.whole else Decimal("0.5")
        if self.low is not None and self.low > 0:
            smallest = max(smallest, self.low)
        return smallest


# ====================================================================== frameworks


class _Builder:
    """Draws one framework: fresh input names and codes, and the inputs the rules need."""

    def __init__(self, draw: Callable[..., Any], kinds: Sequence[str], counting: ast.Counting | None):
        self.draw = draw
        self.kinds = tuple(kinds)
        self.counting = counting
        self.inputs: list[ast.InputDecl] = []
        self._names = 0

    # ------------------------------------------------------------ inputs
    def name(self) -> str:
        self._names += 1
        return f"{self.draw(st.sampled_from(_NAME_STEMS))}{self._names}"

    def declare(self, decl: ast.InputDecl) -> ast.InputRef:
        self.inputs.append(decl)
        return ast.InputRef(decl.name)

    def text(self) -> str | None:
        return self.draw(st.none() | _TEXT)

    def numeric_decl(self, positive: bool = False, like: ast.InputDecl | None = None) -> ast.InputDecl:
        """A numeric input; ``like`` gives its type; ``positive`` keeps its range above 0."""
        draw = self.draw
        kind = like.type if like is not None else draw(st.sampled_from(_NUMERIC))
        low = high = None
        shape = draw(st.sampled_from(("none", "none", "both", "low", "high")))
        percent = kind is ast.InputType.PERCENT
        if kind is ast.InputType.PERCENT:
            if shape != "none":
                a = draw(_amounts(0, 60, 1))
                b = draw(_amounts(a + 20, 200, 1))
                low = ast.Quantity(a, True) if shape in ("both", "low") else None
                high = ast.Quantity(b, True) if shape in ("both", "high") else None
        elif kind is ast.InputType.COUNT:
            if shape in ("both", "high"):
                # Always with a low end: check.py takes 'range ..N' of a count to reach below
                # 0 (see the report), so bands could not cover it.
                a = draw(st.integers(0, 5))
                b = draw(st.integers(a + 8, a + 60))
                low = ast.Quantity(Decimal(a))
                high = ast.Quantity(Decimal(b))
            elif shape == "low":
                low = ast.Quantity(Decimal(draw(st.integers(0, 5))))
        else:
            a = draw(_amounts(-50, 50, 2))
            b = draw(_amounts(a + 10, a + 500, 2))
            if shape in ("both", "low"):
                low = ast.Quantity(a)
            if shape in ("both", "high"):
                high = ast.Quantity(b)
        if positive:
            if low is not None and low.value <= 0:
                low = ast.Quantity(Decimal(1) if kind is ast.InputType.COUNT else Decimal(0), percent)
            if high is not None and high.value <= 1:
                high = None if kind is not ast.InputType.PERCENT else ast.Quantity(Decimal(100), True)
        unit = draw(st.none() | st.sampled_from(("万元", "件", "人", "days")))
        return ast.InputDecl(
            self.name(),
            kind,
            unit=unit if kind in (ast.InputType.NUMBER, ast.InputType.MONEY) else None,
            low=low,
            high=high,
            description=self.text(),
        )

    def point(self, decl: ast.InputDecl) -> Decimal:
        """A literal inside the input's domain, in the input's unit."""
        domain = _Domain(decl)
        low = domain.low if domain.low is not None else (domain.high or Decimal(0)) - 200
        high = domain.high if domain.high is not None else low + 300
        value = self.draw(_amounts(low, high, 0 if domain.whole else 2))
        return domain.clip(value)

    def inner_points(self, decl: ast.InputDecl, count: int) -> list[Decimal]:
        """Up to ``count`` sorted literals strictly inside the domain (2 apart for counts)."""
        domain = _Domain(decl)
        if domain.whole:
            low = int(domain.low)
            high = int(domain.high) if domain.high is not None else low + 60
            candidates = list(range(low + 1, high, 2))
            if not candidates:
                return []
            chosen = self.draw(
                st.lists(st.sampled_from(candidates), min_size=0, max_size=count, unique=True)
            )
            return sorted(Decimal(c) for c in chosen)
        low = domain.low if domain.low is not None else (domain.high or Decimal(0)) - 200
        high = domain.high if domain.high is not None else low + 300
        chosen = self.draw(
            st.lists(_amounts(low, high, 2), min_size=0, max_size=count, unique=True)
        )
        inside = [
            c
            for c in chosen
            if (domain.low is None or c > domain.low) and (domain.high is None or c < domain.high)
        ]
        return sorted(set(inside))

    def quantity(self, decl: ast.InputDecl, value: Decimal) -> ast.Quantity:
        return ast.Quantity(value, decl.type is ast.InputType.PERCENT)

    def steps(self, decl_percent: bool, direction: str, effect: str) -> ast.Steps:
        draw = self.draw
        counting = draw(st.sampled_from(list(ast.Counting)))
        if self.counting is not None and draw(st.booleans()):
            counting = None
        return ast.Steps(
            ast.Quantity(Decimal(draw(st.sampled_from(_STEP_SIZES))), decl_percent),
            direction,
            effect,
            Decimal(draw(st.sampled_from(_STEP_POINTS))),
            counting,
        )

    def cap(self) -> Decimal:
        return self.draw(_amounts(Decimal("0.5"), 20, 2))

    def points(self, cap: Decimal, full: bool = True) -> Decimal | None:
        """Points up to the cap; None (``full``) when allowed."""
        options = _amounts(0, cap, 2)
        return self.draw(st.none() | options) if full else self.draw(options)

    # ------------------------------------------------------------ rules
    def rule(self, kind: str, cap: Decimal, depth: int = 0) -> tuple[ast.Rule, Decimal]:
        """A rule of ``kind`` against ``cap``; returns it with the cap it needs."""
        method = getattr(self, f"_{kind}")
        result: tuple[ast.Rule, Decimal] = method(cap, depth)
        return result

    def _yes_no(self, cap: Decimal, depth: int) -> tuple[ast.Rule, Decimal]:
        ref = self.declare(ast.InputDecl(self.name(), ast.InputType.BOOL, description=self.text()))
        return ast.YesNo(ref, self.points(cap), self.draw(st.booleans())), cap

    def _threshold(self, cap: Decimal, depth: int) -> tuple[ast.Rule, Decimal]:
        draw = self.draw
        decl = self.numeric_decl()
        ref = self.declare(decl)
        percent = decl.type is ast.InputType.PERCENT
        op = draw(st.sampled_from((">=", ">", "<=", "<", "=")))
        relative = draw(st.integers(0, 5)) == 0
        if decl.type is ast.InputType.COUNT and op == "=":
            relative = False  # count = count input crashes the evaluator (see the report)
        bound_value = self.point(decl)
        if relative:
            operand: ast.Operand = self.declare(self.numeric_decl(like=decl))
        else:
            operand = self.quantity(decl, bound_value)
        below = op in (">=", ">", "=")
        short = beyond = cutoff = None
        if draw(st.booleans()):
            short = self.steps(percent, "lower" if below else "higher", "deduct")
        if draw(st.integers(0, 3)) == 0:
            beyond = self.steps(percent, "higher" if below else "lower", "add")
        if draw(st.integers(0, 2)) == 0:
            gap = draw(st.sampled_from(("1", "5", "10", "30", "0.5")))
            gap_value = Decimal(gap)
            if decl.type is ast.InputType.COUNT:
                gap_value = max(Decimal(1), gap_value.to_integral_value(ROUND_CEILING))
            if relative:
                value = self.point(decl)
                cutoff_op = draw(st.sampled_from(("<", "<=") if below else (">", ">=")))
            elif below:
                value = bound_value - gap_value
                cutoff_op = draw(st.sampled_from(("<", "<=")))
            else:
                value = bound_value + gap_value
                cutoff_op = draw(st.sampled_from((">", ">=")))
            cutoff = ast.Comparison(cutoff_op, self.quantity(decl, value))
        rule = ast.Threshold(
            ref,
            ast.Comparison(op, operand),
            self.points(cap),
            short=short,
            beyond=beyond,
            cutoff=cutoff,
        )
        return rule, cap

    def _proportional(self, cap: Decimal, depth: int) -> tuple[ast.Rule, Decimal]:
        decl = self.numeric_decl()
        ref = self.declare(decl)
        target: ast.Operand
        if self.draw(st.integers(0, 4)) == 0:
            target = self.declare(self.numeric_decl(positive=True, like=decl))
        else:
            value = self.draw(_amounts(Decimal("0.5"), 150, 2))
            if decl.type is ast.InputType.COUNT:
                value = max(Decimal(1), value.to_integral_value(ROUND_CEILING))
            target = self.quantity(decl, value)
        return ast.Proportional(ref, target), cap

    def _bands(self, cap: Decimal, depth: int) -> tuple[ast.Rule, Decimal]:
        draw = self.draw
        decl = self.numeric_decl()
        ref = self.declare(decl)
        domain = _Domain(decl)
        cuts = self.inner_points(decl, 4)
        if not cuts and domain.low is None and domain.high is None:
            cuts = [self.point(decl)]
        if not cuts and domain.low is None:
            cuts = [domain.high - 1]
        modes = [draw(st.sampled_from(("up", "down", "single"))) for _ in cuts]
        intervals: list[ast.Interval] = []
        q = functools.partial(self.quantity, decl)
        # Segment j runs from boundary j to boundary j + 1; boundaries are the domain's ends
        # (None when unbounded) and the cuts.
        edges: list[Decimal | None] = [domain.low, *cuts, domain.high]
        for j in range(len(edges) - 1):
            left, right = edges[j], edges[j + 1]
            left_is_cut, right_is_cut = 0 < j, j + 1 < len(edges) - 1
            left_inclusive = modes[j - 1] == "up" if left_is_cut else True
            right_inclusive = modes[j] == "down" if right_is_cut else True
            if not left_is_cut and (left is None or draw(st.booleans())):
                left = None  # open below (may reach under the domain: harmless)
            if not right_is_cut and (right is None or draw(st.booleans())):
                right = None
            if left is None and right is None:
                assert domain.low is not None
                left, left_inclusive = domain.low, True
            intervals.append(
                ast.Interval(
                    q(left) if left is not None else None,
                    left_inclusive if left is not None else False,
                    q(right) if right is not None else None,
                    right_inclusive if right is not None else False,
                )
            )
            if right_is_cut and modes[j] == "single":
                intervals.append(ast.Interval(q(right), True, q(right), True))
        if draw(st.booleans()):
            intervals = draw(st.permutations(intervals))
        bands = tuple(ast.Band(interval, self.points(cap)) for interval in intervals)
        return ast.Bands(ref, bands), cap

    def _deduct(self, cap: Decimal, depth: int) -> tuple[ast.Rule, Decimal]:
        draw = self.draw
        occurrences = []
        for _ in range(draw(st.integers(1, 3))):
            points = Decimal(draw(st.sampled_from(_STEP_POINTS)))
            if draw(st.booleans()):
                decl = ast.InputDecl(self.name(), ast.InputType.BOOL, description=self.text())
                occurrences.append(ast.Occurrence(self.declare(decl), points, is_flag=True))
            else:
                high = draw(st.none() | st.integers(5, 40))
                decl = ast.InputDecl(
                    self.name(),
                    ast.InputType.COUNT,
                    high=ast.Quantity(Decimal(high)) if high is not None else None,
                    description=self.text(),
                )
                occurrences.append(ast.Occurrence(self.declare(decl), points))
        limit = draw(st.none() | _amounts(Decimal("0.5"), cap * 2, 2))
        return ast.Deduct(tuple(occurrences), limit), cap

    def _baseline(self, cap: Decimal, depth: int) -> tuple[ast.Rule, Decimal]:
        draw = self.draw
        decl = self.numeric_decl()
        ref = self.declare(decl)
        percent = decl.type is ast.InputType.PERCENT
        reference: ast.Operand
        if draw(st.integers(0, 4)) == 0:
            reference = self.declare(self.numeric_decl(like=decl))
        else:
            reference = self.quantity(decl, self.point(decl))
        sides = draw(st.sampled_from(("lower", "higher", "both")))
        effects = ("add", "deduct")
        lower = higher = None
        if sides in ("lower", "both"):
            lower = self.steps(percent, "lower", draw(st.sampled_from(effects)))
        if sides in ("higher", "both"):
            higher = self.steps(percent, "higher", draw(st.sampled_from(effects)))
        base = self.points(cap, full=False)
        assert base is not None
        return ast.Baseline(ref, reference, base, lower, higher), cap

    def _deviation(self, cap: Decimal, depth: int) -> tuple[ast.Rule, Decimal]:
        draw = self.draw
        decl = self.numeric_decl()
        ref = self.declare(decl)
        relative = draw(st.booleans())
        target: ast.Operand
        # A count compared with a count input crashes the evaluator (see the report).
        if draw(st.integers(0, 4)) == 0 and decl.type is not ast.InputType.COUNT:
            target = self.declare(self.numeric_decl(positive=relative, like=decl))
        else:
            value = self.point(decl)
            if relative and value == 0:
                value = Decimal(1) if _Domain(decl).high != 0 else Decimal(-1)
            target = self.quantity(decl, value)
        tolerance = ast.Quantity(Decimal(draw(st.sampled_from(("0", "1", "2.5", "5", "10")))), relative)
        steps = None
        if draw(st.booleans()):
            steps = self.steps(relative, "beyond", "deduct")
        return ast.Deviation(ref, target, tolerance, steps), cap

    def _levels(self, cap: Decimal, depth: int) -> tuple[ast.Rule, Decimal]:
        draw = self.draw
        names = draw(st.lists(st.sampled_from(_LABELS), min_size=1, max_size=5, unique=True))
        ref = self.declare(
            ast.InputDecl(self.name(), ast.InputType.LEVEL, choices=tuple(names),
                          description=self.text())
        )
        levels = []
        for name in draw(st.permutations(names)):
            if draw(st.booleans()):
                value = ast.Quantity(draw(_amounts(0, 100, 1)), True)
            else:
                value = ast.Quantity(self.points(cap, full=False) or Decimal(0))
            levels.append(ast.Level(name, value))
        return ast.Graded(ref, tuple(levels)), cap

    def _judged(self, cap: Decimal, depth: int) -> tuple[ast.Rule, Decimal]:
        return ast.Judged(), cap

    def _awards(self, cap: Decimal, depth: int) -> tuple[ast.Rule, Decimal]:
        draw = self.draw
        names = draw(st.lists(st.sampled_from(_LABELS), min_size=1, max_size=4, unique=True))
        ref = self.declare(
            ast.InputDecl(self.name(), ast.InputType.AWARDS, choices=tuple(names),
                          description=self.text())
        )
        # Every declared award is listed: an unlisted one cannot be scored (see the report).
        awards = tuple(
            ast.Award(name, draw(_amounts(Decimal("0.5"), cap + 2, 2)))
            for name in draw(st.permutations(names))
        )
        stacking = draw(st.sampled_from(list(ast.Stacking)))
        return ast.Awards(ref, stacking, awards), cap

    def _composite(self, cap: Decimal, depth: int) -> tuple[ast.Rule, Decimal]:
        draw = self.draw
        mode = draw(st.sampled_from(list(ast.Combine)))
        kinds = [k for k in self.kinds if k != "judged" and (k != "composite" or depth < 1)]
        if not kinds:
            kinds = ["yes_no"]
        parts = []
        for _ in range(draw(st.integers(1, 3))):
            part_cap = self.cap()
            weight = Decimal(draw(st.sampled_from(_WEIGHTS))) if mode is ast.Combine.WEIGHTED else None
            rule, part_cap = self.rule(draw(st.sampled_from(kinds)), part_cap, depth + 1)
            parts.append(ast.Part(part_cap, weight, rule))
        if mode in (ast.Combine.MIN, ast.Combine.MAX):
            needed = max(p.cap for p in parts)
        else:
            needed = sum((p.cap * (p.weight or 1) for p in parts), Decimal(0))
        cap = _ceil_cent(needed) + draw(st.sampled_from((Decimal(0), Decimal(0), Decimal(1))))
        return ast.Composite(mode, tuple(parts)), cap

    # ------------------------------------------------------------ tree
    def node(self, code: str, section: ast.Section, depth: int, max_depth: int,
             max_children: int, policies: bool) -> ast.Indicator:
        draw = self.draw
        name = draw(_TEXT)
        description = self.text() if draw(st.integers(0, 3)) == 0 else None
        criterion = self.text() if draw(st.integers(0, 3)) == 0 else None
        policy = None
        if policies and draw(st.integers(0, 6)) == 0:
            policy = draw(st.sampled_from(list(ast.NotApplicable)))
        inner = depth < max_depth and draw(st.integers(0, depth + 1)) == 0
        common = dict(section=section, description=description, criterion=criterion,
                      not_applicable=policy)
        if not inner:
            if section is ast.Section.PENALTY:
                kinds = [k for k in _PENALTY_KINDS if k in self.kinds] or ["judged"]
            else:
                kinds = list(self.kinds)
            rule, cap = self.rule(draw(st.sampled_from(kinds)), self.cap())
            return ast.Indicator(code, name, cap, rule=rule, **common)
        count = draw(st.integers(1, max_children))
        children = []
        for j in range(count):
            child_code = f"{code}{j + 1}" if j < 9 else f"{code}.{j + 1}"
            child_section = ast.Section.REGULAR
            if section is ast.Section.BONUS:
                child_section = draw(st.sampled_from((ast.Section.BONUS, ast.Section.PENALTY)))
            elif section is ast.Section.PENALTY:
                child_section = ast.Section.PENALTY
            children.append(
                self.node(child_code, child_section, depth + 1, max_depth, max_children, policies)
            )
        total = sum((c.cap for c in children), Decimal(0))
        mismatch = False
        if section is ast.Section.REGULAR:
            cap = total
            if draw(st.integers(0, 9)) == 0:
                mismatch = True
                cap = max(_CENT, total + draw(_amounts(-total / 2, total / 2, 2)))
        else:
            cap = draw(_amounts(Decimal("0.5"), max(total, Decimal(1)), 2))
        return ast.Indicator(code, name, cap, children=tuple(children),
                             allow_cap_mismatch=mismatch, **common)


def _grades(draw: Callable[..., Any], total: Decimal) -> tuple[ast.GradeBand, ...]:
    names = draw(st.lists(st.sampled_from(_LABELS), min_size=1, max_size=4, unique=True))
    with_otherwise = draw(st.booleans()) or len(names) == 1
    bounded = names[:-1] if with_otherwise else names
    ceiling = max(total, Decimal(len(bounded) + 1))
    bounds = draw(
        st.lists(_amounts(0, ceiling, 1), min_size=len(bounded), max_size=len(bounded), unique=True)
    )
    bands = [
        ast.GradeBand(name, ast.Comparison(draw(st.sampled_from((">=", ">"))), ast.Quantity(bound)))
        for name, bound in zip(bounded, sorted(bounds, reverse=True), strict=True)
    ]
    if with_otherwise:
        bands.append(ast.GradeBand(names[-1], None))
    else:
        # Without 'otherwise' the lowest grade must take every total down to 0 (grade-gap).
        lowest = bands[-1]
        bands[-1] = ast.GradeBand(lowest.name, ast.Comparison(">=", ast.Quantity(Decimal(0))))
    return tuple(bands)


@st.composite
def _frameworks(
    draw: Callable[..., Any],
    max_depth: int,
    max_children: int,
    rule_kinds: tuple[str, ...],
    extras: bool,
) -> ast.Framework:
    counting = draw(st.none() | st.sampled_from(list(ast.Counting)))
    builder = _Builder(draw, rule_kinds, counting)
    policies = extras and draw(st.booleans())
    framework_policy = draw(st.none() | st.sampled_from(list(ast.NotApplicable))) if policies else None
    indicators = []
    tops = draw(st.integers(1, max_children))
    for position in range(tops):
        # X and Y are the bonus and penalty sections' codes.
        code = "ABCDEFGHIJKLMNOPQRSTUVW"[position] if position < 23 else f"T{position}"
        indicators.append(
            builder.node(code, ast.Section.REGULAR, 1, max_depth, max_children, policies)
        )
    if extras:
        for section, letter in ((ast.Section.BONUS, "X"), (ast.Section.PENALTY, "Y")):
            if draw(st.integers(0, 2)) == 0:
                indicators.append(builder.node(letter, section, 1, max_depth, max_children, policies))
    regular_total = sum(
        (n.cap for n in indicators if n.section is ast.Section.REGULAR), Decimal(0)
    )
    total = regular_total if draw(st.booleans()) else None
    capped = total is not None and draw(st.booleans())
    grades: tuple[ast.GradeBand, ...] = ()
    vetoes: list[ast.Veto] = []
    if extras and draw(st.booleans()):
        grades = _grades(draw, regular_total)
        for _ in range(draw(st.integers(0, 2))):
            ref = builder.declare(
                ast.InputDecl(builder.name(), ast.InputType.BOOL, description=builder.text())
            )
            if draw(st.booleans()):
                vetoes.append(ast.Veto(ref, at_most=draw(st.sampled_from([g.name for g in grades]))))
            else:
                vetoes.append(ast.Veto(ref, down=draw(st.integers(1, 2))))
    declared = builder.inputs
    if draw(st.booleans()):
        declared = draw(st.permutations(declared))
    return ast.Framework(
        draw(_TEXT),
        year=draw(st.none() | st.integers(1990, 2030)),
        total=total,
        total_capped=capped,
        counting=counting,
        not_applicable=framework_policy,
        grades=grades,
        vetoes=tuple(vetoes),
        inputs=tuple(declared),
        indicators=tuple(indicators),
    )


def frameworks(
    max_depth: int = 3,
    max_children: int = 4,
    *,
    rule_kinds: Collection[str] | None = None,
    extras: bool = True,
) -> st.SearchStrategy[ast.Framework]:
    """Semantically valid random frameworks (``ast.Framework``; load with ``unparse``).

    Every regular inner node's cap is the exact sum of its children's (a few say ``allow cap
    mismatch`` and differ), caps have at most 2 decimals, every rule's inputs are declared
    with a matching type and unit, bands cover their input's range, levels list every
    declared level, step counting is stated (by the step or the framework). ``rule_kinds``
    restricts the rules drawn (names from ``RULE_KINDS``); ``extras=False`` leaves out bonus
    and penalty sections, 不适用 policies, grades and vetoes.
    """
    kinds = tuple(RULE_KINDS if rule_kinds is None else rule_kinds)
    unknown = set(kinds) - set(RULE_KINDS)
    if unknown or not kinds:
        raise ValueError(f"unknown rule kinds {sorted(unknown)}; known: {RULE_KINDS}")
    if max_depth < 1 or max_children < 1:
        raise ValueError("max_depth and max_children are at least 1")
    return _frameworks(max_depth, max_children, kinds, extras)


# ====================================================================== inputs


def _ast_of(framework: Framework | ast.Framework) -> ast.Framework:
    return framework.ast if isinstance(framework, Framework) else framework


def _tree(framework: ast.Framework) -> tuple[list[ast.Indicator], list[int | None]]:
    """Nodes in pre-order and each one's parent position."""
    nodes: list[ast.Indicator] = []
    parents: list[int | None] = []
    stack: list[tuple[ast.Indicator, int | None]] = [(n, None) for n in reversed(framework.indicators)]
    while stack:
        node, parent = stack.pop()
        position = len(nodes)
        nodes.append(node)
        parents.append(parent)
        stack.extend((child, position) for child in reversed(node.children))
    return nodes, parents


def _rules_of(rule: ast.Rule) -> list[ast.Rule]:
    out, stack = [], [rule]
    while stack:
        current = stack.pop()
        out.append(current)
        if isinstance(current, ast.Composite):
            stack.extend(part.rule for part in current.parts)
    return out


def _anchors(framework: ast.Framework) -> tuple[dict[str, list[Decimal]], set[str], list[tuple[str, str]]]:
    """Interesting values per input (bounds, band ends, targets and a few steps from them),
    the inputs used as divisors, and (input, reference input) pairs worth making equal."""
    anchors: dict[str, list[Decimal]] = {}
    divisors: set[str] = set()
    pairs: list[tuple[str, str]] = []

    def add(name: str, value: Decimal, steps: Sequence[ast.Steps | None] = ()) -> None:
        found = anchors.setdefault(name, [])
        found.append(value)
        for step in steps:
            if step is not None:
                size = step.size.value
                found.extend(value + k * size for k in (-3, -2, -1, Decimal("-0.5"), 1, 2))

    def operand(name: str, op: ast.Operand, steps: Sequence[ast.Steps | None] = ()) -> None:
        if isinstance(op, ast.Quantity):
            add(name, op.value, steps)
        else:
            pairs.append((name, op.name))

    for node in _tree(framework)[0]:
        if node.rule is None:
            continue
        for rule in _rules_of(node.rule):
            match rule:
                case ast.Threshold():
                    operand(rule.input.name, rule.bound.operand, (rule.short, rule.beyond))
                    if rule.cutoff is not None:
                        operand(rule.input.name, rule.cutoff.operand)
                case ast.Proportional():
                    operand(rule.input.name, rule.target)
                    if isinstance(rule.target, ast.InputRef):
                        divisors.add(rule.target.name)
                    else:
                        add(rule.input.name, rule.target.value * 2)
                case ast.Bands():
                    for band in rule.bands:
                        for end in (band.interval.low, band.interval.high):
                            if end is not None:
                                add(rule.input.name, end.value)
                case ast.Baseline():
                    operand(rule.input.name, rule.reference, (rule.lower, rule.higher))
                case ast.Deviation():
                    operand(rule.input.name, rule.target)
                    if rule.tolerance.is_percent and isinstance(rule.target, ast.InputRef):
                        divisors.add(rule.target.name)
                    if isinstance(rule.target, ast.Quantity):
                        t, tol = rule.target.value, rule.tolerance.value
                        width = tol * abs(t) / 100 if rule.tolerance.is_percent else tol
                        add(rule.input.name, t + width, (rule.steps,))
                        add(rule.input.name, t - width, (rule.steps,))
    return anchors, divisors, pairs


_ITEMS = ("文件办理", "会议保障", "调研", "item")


@st.composite
def _number_value(
    draw: Callable[..., Any], decl: ast.InputDecl, anchors: Sequence[Decimal], positive: bool
) -> Decimal:
    domain = _Domain(decl)
    bases = [*anchors, Decimal(0)]
    bases += [end for end in (domain.low, domain.high) if end is not None]
    if draw(st.integers(0, 4)) == 0:
        low = domain.low if domain.low is not None else Decimal(-1000)
        high = domain.high if domain.high is not None else Decimal(1000)
        value = draw(_amounts(low, max(low, high), 0 if domain.whole else 2))
    else:
        value = draw(st.sampled_from(bases)) + draw(st.sampled_from(_OFFSETS))
    value = domain.clip(value)
    if positive and value <= 0:
        value = domain.clip(domain.positive_floor())
    return _plain(value)


def _raw_number(draw: Callable[..., Any], decl: ast.InputDecl, value: Decimal) -> object:
    """``value`` in one of the forms an inputs file may give it."""
    if decl.type is ast.InputType.COUNT:
        return draw(st.sampled_from((int(value), str(int(value)), Decimal(int(value)))))
    text = format(value, "f")
    if decl.type is ast.InputType.PERCENT:
        forms: list[object] = [f"{text}%", f"{text} %", f"{text}％"]
        if not 0 < value < 1:
            forms += [value, text, float(value)]
            if value == value.to_integral_value():
                forms.append(int(value))
        return draw(st.sampled_from(forms))
    forms = [value, text, float(value)]
    if value == value.to_integral_value():
        forms.append(int(value))
    return draw(st.sampled_from(forms))


def _raw_value(draw: Callable[..., Any], decl: ast.InputDecl, value: object) -> object:
    if decl.type is ast.InputType.BOOL:
        words = ("true", "是", "yes") if value else ("false", "否", "no")
        return draw(st.sampled_from((value, *words)))
    if decl.type in _NUMERIC:
        assert isinstance(value, Decimal)
        return _raw_number(draw, decl, value)
    return value


@st.composite
def _awards_value(draw: Callable[..., Any], decl: ast.InputDecl) -> object:
    entries = draw(
        st.lists(
            st.tuples(st.sampled_from(_ITEMS), st.sampled_from(decl.choices)), max_size=5
        )
    )
    shape = draw(st.sampled_from(("dicts", "pairs", "mapping")))
    if shape == "dicts":
        return [{"item": item, "award": award} for item, award in entries]
    if shape == "pairs":
        return [[item, award] for item, award in entries]
    grouped: dict[str, list[str]] = {}
    for item, award in entries:
        grouped.setdefault(item, []).append(award)
    return grouped


def _policy(framework: ast.Framework, node: ast.Indicator) -> ast.NotApplicable | None:
    return node.not_applicable or framework.not_applicable


def _effective_penalty(nodes: Sequence[ast.Indicator], parents: Sequence[int | None], i: int) -> bool:
    current: int | None = i
    while current is not None:
        if nodes[current].section is not ast.Section.REGULAR:
            return nodes[current].section is ast.Section.PENALTY
        current = parents[current]
    return False


_REASONS = st.text(
    alphabet=st.one_of(st.characters(min_codepoint=33, max_codepoint=126), st.sampled_from("内控制度有待提高")),
    min_size=1,
    max_size=10,
)


@st.composite
def _inputs(
    draw: Callable[..., Any], framework: ast.Framework, adjust: bool, mark: bool
) -> dict[str, Any]:
    nodes, parents = _tree(framework)
    # 不适用 marks: never one inside another (what a nested mark means is not specified).
    marked: list[int] = []
    if mark:
        candidates = [i for i, n in enumerate(nodes) if _policy(framework, n) is not None]
        if candidates:
            chosen = draw(st.lists(st.sampled_from(candidates), max_size=3, unique=True))
            for i in sorted(chosen):
                ancestor = parents[i]
                while ancestor is not None and ancestor not in marked:
                    ancestor = parents[ancestor]
                if ancestor is None:
                    marked.append(i)
    excluded: set[int] = set()
    for i in range(len(nodes)):
        if i in marked or (parents[i] is not None and parents[i] in excluded):
            excluded.add(i)

    anchors, divisors, pairs = _anchors(framework)
    typed: dict[str, object] = {}
    declared = {decl.name: decl for decl in framework.inputs}
    for decl in framework.inputs:
        if decl.name in typed:
            continue
        if decl.type in _NUMERIC:
            typed[decl.name] = draw(
                _number_value(decl, anchors.get(decl.name, []), decl.name in divisors)
            )
        elif decl.type is ast.InputType.BOOL:
            typed[decl.name] = draw(st.booleans())
        elif decl.type is ast.InputType.LEVEL:
            typed[decl.name] = draw(st.sampled_from(decl.choices))
        else:
            typed[decl.name] = None  # awards: drawn in their raw shape below
    # A reference input equal to the input it is compared with is a boundary worth testing.
    for subject, reference in pairs:
        if subject in typed and reference in declared and draw(st.integers(0, 2)) == 0:
            value = typed[subject]
            decl = declared[reference]
            if decl.type in _NUMERIC and isinstance(value, Decimal):
                domain = _Domain(decl)
                fits = domain.clip(value) == value
                if fits and (reference not in divisors or value > 0):
                    typed[reference] = value
    values: dict[str, object] = {}
    for decl in framework.inputs:
        if decl.type is ast.InputType.AWARDS:
            values[decl.name] = draw(_awards_value(decl))
        else:
            values[decl.name] = _raw_value(draw, decl, typed[decl.name])

    judgements: dict[str, object] = {}
    for i, node in enumerate(nodes):
        if not isinstance(node.rule, ast.Judged) or i in excluded:
            continue
        score = draw(st.sampled_from((Decimal(0), node.cap)) | _amounts(0, node.cap, 2))
        penalty = _effective_penalty(nodes, parents, i)
        needs_reason = score > 0 if penalty else score < node.cap
        if needs_reason or draw(st.booleans()):
            judgements[node.code] = {"score": score, "reason": draw(_REASONS)}
        else:
            judgements[node.code] = draw(st.sampled_from((score, str(score))))

    adjustments: dict[str, object] = {}
    # A regular node whose children are all excluded has no score; adjusting it makes the
    # result crash (see the report), so such nodes are not adjusted.
    scoreless = set(excluded)
    for i in reversed(range(len(nodes))):  # children come after their parent
        node = nodes[i]
        if i in marked:
            if _policy(framework, node) is not ast.NotApplicable.RESCALE:
                scoreless.discard(i)
            continue
        kids = [j for j in range(len(nodes)) if parents[j] == i]
        if kids and node.section is ast.Section.REGULAR and all(j in scoreless for j in kids):
            scoreless.add(i)
    applicable = [i for i in range(len(nodes)) if i not in excluded and i not in scoreless]
    if adjust and applicable:
        for i in draw(st.lists(st.sampled_from(applicable), max_size=2, unique=True)):
            node = nodes[i]
            score = draw(_amounts(0, node.cap, 2))
            adjustments[node.code] = {"score": score, "reason": draw(_REASONS)}

    return {
        "values": values,
        "judgements": judgements,
        "adjustments": adjustments,
        "not_applicable": [nodes[i].code for i in marked],
    }


def inputs(
    framework: Framework | ast.Framework, *, adjust: bool = True, mark: bool = True
) -> st.SearchStrategy[dict[str, Any]]:
    """A unit's valid inputs for ``framework``: ``values``, ``judgements``, ``adjustments``
    and ``not_applicable``, to pass to ``Framework.score`` as its arguments of those names.

    Values have their declared type and range, in the forms an inputs file may write them
    (``"99%"``, ``99``, ``"是"``, award entries as dicts, pairs or a mapping); numbers
    cluster around the rules' bounds, band ends and targets; every applicable judged
    indicator has a score (with a reason where one is required); ``adjust`` allows
    adjustments (with reasons), ``mark`` allows 不适用 marks where a policy exists (never one
    inside another). Divisor inputs are kept above 0.
    """
    return _inputs(_ast_of(framework), adjust, mark)


# ====================================================================== invariants


def _round(value: Decimal) -> Decimal:
    return value.quantize(_CENT, rounding=ROUND_HALF_UP)


def snapshot(result: Result) -> tuple[Any, ...]:
    """Everything a result says, as comparable plain data."""
    nodes = []
    for code in result:
        node = result[code]
        nodes.append(
            (code, node.score, node.rule_score, node.not_applicable, node.adjustment,
             node.reasons, node.section, node.cap)
        )
    return (result.total, result.grade, result.grade_before_vetoes, result.vetoes, tuple(nodes))


def _reversed_mapping(mapping: Mapping[str, Any]) -> dict[str, Any]:
    return dict(reversed(list(mapping.items())))


def _score(fw: Framework, data: Mapping[str, Any], reverse: bool = False) -> Result:
    values = data.get("values", {})
    judgements = data.get("judgements", {})
    adjustments = data.get("adjustments", {})
    marks = list(data.get("not_applicable", ()))
    if reverse:
        values, judgements, adjustments = (
            _reversed_mapping(values),
            _reversed_mapping(judgements),
            _reversed_mapping(adjustments),
        )
        marks.reverse()
    return fw.score(values, judgements=judgements, adjustments=adjustments, not_applicable=marks)


def _given_score(raw: object) -> Decimal:
    if isinstance(raw, Mapping):
        raw = raw["score"]
    return Decimal(str(raw)) if not isinstance(raw, Decimal) else raw


def _fail(message: str) -> None:
    raise AssertionError(message)


def check_invariants(fw: Framework | ast.Framework, data: Mapping[str, Any]) -> Result:
    """Score ``data`` (as drawn by :func:`inputs`) and assert what docs/language.md guarantees.

    Every regular and penalty node's score lies in [0, cap] and a bonus leaf's too (a bonus
    node with children may go below 0: it subtracts its penalty children); excluded nodes
    score None; a marked node scores what its policy says; an inner node's score follows the
    sum rule of its section (rescaled when children are excluded); adjusted nodes score their
    adjustment; judged leaves their judgement; the total follows the total rule; scoring twice,
    or with the input mappings in another order, gives the same result; threshold,
    proportional and per-occurrence rules move the right way when their input is nudged by 1
    either side. Returns the result.

    Raises:
        AssertionError: naming the node and what was expected.
    """
    if isinstance(fw, ast.Framework):
        from .api import loads
        from .unparse import unparse

        fw = loads(unparse(fw))
    tree = fw.ast
    nodes, parents = _tree(tree)
    codes = [n.code for n in nodes]
    position = {code: i for i, code in enumerate(codes)}
    result = _score(fw, data)
    marked = set(data.get("not_applicable", ()))
    adjustments = {code: _given_score(raw) for code, raw in data.get("adjustments", {}).items()}
    judgements = {code: _given_score(raw) for code, raw in data.get("judgements", {}).items()}

    def under_mark(i: int) -> bool:
        parent = parents[i]
        while parent is not None:
            if codes[parent] in marked:
                return True
            parent = parents[parent]
        return False

    assert list(result) == codes, f"result codes {list(result)} are not the tree's {codes}"
    for i, node in enumerate(nodes):
        code, cap = node.code, node.cap
        got = result[code]
        where = f"{code} (cap {cap}, {node.section.value})"
        if code in marked:
            policy = _policy(tree, node)
            expected = {ast.NotApplicable.RESCALE: None, ast.NotApplicable.FULL: cap,
                        ast.NotApplicable.ZERO: Decimal(0)}[policy]  # type: ignore[index]
            if got.score != expected or (expected is None) != (got.score is None):
                _fail(f"{where} is marked 不适用 ({policy}): expected {expected}, got {got.score}")
            if not got.not_applicable:
                _fail(f"{where} is marked 不适用 but its result says it is not")
            continue
        if under_mark(i):
            if got.score is not None or not got.not_applicable:
                _fail(f"{where} lies under a 不适用 node: expected None, got {got.score}")
            continue
        # A regular parent whose children are all excluded is excluded in turn (score None,
        # reported not applicable); any other unmarked node is applicable.
        if got.not_applicable != (got.score is None):
            _fail(f"{where} is not marked 不适用 and scores {got.score}, but its result says "
                  f"not_applicable={got.not_applicable}")
        # What the rules gave, then what counts.
        computed = got.rule_score
        if code in adjustments:
            if got.score != adjustments[code]:
                _fail(f"{where} is adjusted to {adjustments[code]}, but scores {got.score}")
        elif got.score != computed or (got.score is None) != (computed is None):
            _fail(f"{where} is not adjusted, yet its score {got.score} differs from its rule "
                  f"score {computed}")
        for label, value in (("score", got.score), ("rule score", computed)):
            if value is None:
                if node.rule is not None or not node.children:
                    _fail(f"{where} has no {label} though it is applicable")
                continue
            if node.section is ast.Section.BONUS and node.children:
                if value > cap:
                    _fail(f"{where}: {label} {value} is above the cap")
                continue
            if not Decimal(0) <= value <= cap:
                _fail(f"{where}: {label} {value} is outside [0, {cap}]")
        if isinstance(node.rule, ast.Judged) and computed != judgements.get(code):
            _fail(f"{where} is judged {judgements.get(code)}, but its rule score is {computed}")
        if node.children:
            expected_inner = _inner_score(node, [result[c.code].score for c in node.children])
            if computed != expected_inner or (computed is None) != (expected_inner is None):
                kids = {c.code: result[c.code].score for c in node.children}
                _fail(f"{where}: expected {expected_inner} from its children {kids}, "
                      f"got {computed}")

    expected_total = _expected_total(tree, result)
    if result.total != expected_total:
        _fail(f"the total is {result.total}, but the total rule gives {expected_total}")
    if result.total < 0:
        _fail(f"the total {result.total} is below 0")

    first = snapshot(result)
    again = snapshot(_score(fw, data))
    if first != again:
        _fail("scoring the same inputs twice gave different results")
    reordered = snapshot(_score(fw, data, reverse=True))
    if first != reordered:
        _fail("the result depends on the order of the input mappings")
    _check_monotone(fw, data, result)
    result.to_dict()
    result.explain("zh")
    result.explain("en")
    return result


def _monotone_direction(rule: ast.Rule | None, section: ast.Section) -> tuple[str, int] | None:
    """(input, +1 or -1) when a rule's score must rise (+1) or fall (-1) with its input."""
    match rule:
        case ast.Threshold(bound=bound) if bound.op != "=":
            return rule.input.name, 1 if bound.op in (">=", ">") else -1
        case ast.Proportional():
            return rule.input.name, 1
        case ast.Deduct(occurrences=(single,)) if not single.is_flag:
            return single.input.name, 1 if section is ast.Section.PENALTY else -1
    return None


def _check_monotone(fw: Framework, data: Mapping[str, Any], result: Result) -> None:
    """Each threshold, proportional and per-occurrence rule moves the right way when its
    input is nudged by 1 either side (within the declared range), all else unchanged."""
    values = dict(data.get("values", {}))
    valid = fw.prepare(values, judgements=data.get("judgements", {}),
                       adjustments=data.get("adjustments", {}),
                       not_applicable=list(data.get("not_applicable", ()))).valid.values
    for code in result:
        node, got = fw[code], result[code]
        found = _monotone_direction(node.rule, node.section)
        if found is None or got.rule_score is None or got.not_applicable:
            continue
        name, direction = found
        assert node.rule is not None
        if sum(ref.name == name for ref in ast.rule_inputs(node.rule)) > 1 or name not in valid:
            continue  # the input is also the rule's bound or target: not a one-way relation
        decl = fw.inputs[name]
        low, high = ast.value_range(decl)
        for delta in (Decimal(1), Decimal(-1)):
            nudged = Decimal(valid[name]) + delta
            if (low is not None and nudged < low) or (high is not None and nudged > high):
                continue
            raw: object = f"{nudged}%" if decl.type is ast.InputType.PERCENT else nudged
            if decl.type is ast.InputType.COUNT:
                raw = int(nudged)
            try:
                moved = _score(fw, {**data, "values": {**values, name: raw}})[code].rule_score
            except InputError:
                continue  # the nudged value is refused elsewhere (e.g. as a divisor of 0)
            assert moved is not None
            if (moved - got.rule_score) * delta * direction < 0:
                way = "rise" if direction > 0 else "fall"
                _fail(f"{code}: its score should {way} with {name}, but {name} "
                      f"{valid[name]} → {nudged} moved it {got.rule_score} → {moved}")


def _inner_score(node: ast.Indicator, scores: Sequence[Decimal | None]) -> Decimal | None:
    """An inner node's score from its children's, by docs/language.md ('The tree', 'Not
    applicable')."""
    kids = list(zip(node.children, scores, strict=True))
    if node.section is ast.Section.BONUS:
        bonus = sum((s for c, s in kids if s is not None and c.section is ast.Section.BONUS),
                    Decimal(0))
        penalty = sum((s for c, s in kids if s is not None and c.section is ast.Section.PENALTY),
                      Decimal(0))
        return min(node.cap, bonus) - penalty
    if node.section is ast.Section.PENALTY:
        return min(node.cap, sum((s for _, s in kids if s is not None), Decimal(0)))
    applicable = [(c, s) for c, s in kids if s is not None]
    if not applicable:
        return None
    total = sum((s for _, s in applicable), Decimal(0))
    if len(applicable) < len(kids):
        caps = sum((c.cap for c, _ in applicable), Decimal(0))
        total = _round(total * node.cap / caps)
    return min(node.cap, total)


def _expected_total(tree: ast.Framework, result: Result) -> Decimal:
    regular = [n for n in tree.indicators if n.section is ast.Section.REGULAR]
    scores = [result[n.code].score for n in regular]
    applicable = [(n, s) for n, s in zip(regular, scores, strict=True) if s is not None]
    base = sum((s for _, s in applicable), Decimal(0))
    if len(applicable) < len(regular) and applicable:
        full = tree.total if tree.total is not None else sum((n.cap for n in regular), Decimal(0))
        caps = sum((n.cap for n, _ in applicable), Decimal(0))
        base = _round(base * full / caps)
    total = base
    for node in tree.indicators:
        score = result[node.code].score or Decimal(0)
        if node.section is ast.Section.BONUS:
            total += score
        elif node.section is ast.Section.PENALTY:
            total -= score
    total = max(Decimal(0), total)
    if tree.total_capped and tree.total is not None:
        total = min(total, tree.total)
    return total


# ====================================================================== rule texts


_ALPHABET = st.one_of(
    st.characters(min_codepoint=32, max_codepoint=126),
    st.characters(min_codepoint=0x4E00, max_codepoint=0x4E3F),
    st.sampled_from("·％≥≤±“”（）\t"),
)


def _pad(text: str) -> str:
    return f" {text} "


@functools.cache
def _rule_text_strategy() -> st.SearchStrategy[str]:
    lark_parser = parser()
    words = keywords()
    name = re.compile(lark_parser.get_terminal("NAME").pattern.to_regexp())
    explicit: dict[str, st.SearchStrategy[str]] = {}
    for terminal in lark_parser.terminals:
        pattern = terminal.pattern
        if pattern.type == "str":
            explicit[terminal.name] = st.just(_pad(pattern.value))
        elif terminal.name == "WS":
            explicit[terminal.name] = st.sampled_from((" ", "\n", "\t", "  \n  ", "\r\n"))
        elif terminal.name == "COMMENT":
            explicit[terminal.name] = st.from_regex(
                r"#[^\n]*", fullmatch=True, alphabet=_ALPHABET
            ).map(lambda text: " " + text + "\n")
        elif terminal.name == "NAME":
            explicit[terminal.name] = (
                st.from_regex(name, fullmatch=True, alphabet=_ALPHABET)
                .filter(lambda text: text not in words)
                .map(_pad)
            )
        else:
            explicit[terminal.name] = st.from_regex(
                pattern.to_regexp(), fullmatch=True, alphabet=_ALPHABET
            ).map(_pad)
    return from_lark(lark_parser, explicit=explicit, alphabet=_ALPHABET)


def rule_texts() -> st.SearchStrategy[str]:
    """Texts drawn from the grammar (perfrules.lark): tokens padded with spaces so that they
    lex as drawn, names that are no keywords, comments ended by a line break, some CJK.

    They parse; most then fail the checks, which is the point: whatever they say, the
    front end must answer with a ``RuleFileError`` or a framework, never another exception.
    """
    return _rule_text_strategy()
