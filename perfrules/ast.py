"""The immutable syntax tree of a rule file: plain data with source spans, no behaviour.

Spans are excluded from equality and repr, so two trees built from differently laid-out
texts of the same framework compare equal. Numbers are ``Decimal``; percentages are kept
in percentage points (``99%`` is ``Quantity(Decimal(99), is_percent=True)``).
"""

from __future__ import annotations

import enum
from decimal import Decimal
from typing import Union

from attrs import field, frozen

from .source import Span


def _span() -> Span | None:
    return field(default=None, eq=False, repr=False, kw_only=True)


class InputType(enum.Enum):
    """What kind of value an input holds."""

    PERCENT = "percent"  # percentage points: 99% is 99
    NUMBER = "number"
    COUNT = "count"  # a non-negative whole number
    BOOL = "bool"
    LEVEL = "level"  # one of the declared level names
    MONEY = "money"
    AWARDS = "awards"  # a list of (work item, award name) pairs


class Counting(enum.Enum):
    """How a shortfall is turned into a number of steps."""

    FULL = "per full step"  # floor(shortfall / step)
    STARTED = "per started step"  # ceil(shortfall / step), at least 1 once the bound is missed
    PRO_RATA = "pro rata"  # shortfall / step, a fraction


class NotApplicable(enum.Enum):
    """What follows when a unit marks an indicator 不适用."""

    RESCALE = "rescale"  # excluded; siblings' scores rescaled to the parent's cap
    FULL = "full"  # scores its cap
    ZERO = "zero"  # scores 0


class Section(enum.Enum):
    """How a top-level node contributes to the total."""

    REGULAR = "regular"
    BONUS = "bonus"  # adds up to its cap on top of the regular total
    PENALTY = "penalty"  # subtracts up to its cap


class Combine(enum.Enum):
    SUM = "sum"
    WEIGHTED = "weighted"
    MIN = "min"
    MAX = "max"


class Stacking(enum.Enum):
    """How several awards for the same work item add up."""

    HIGHEST_PER_ITEM = "highest per item"  # 同一项工作不累计加分
    ALL = "all count"


# ---------------------------------------------------------------- values


@frozen
class Quantity:
    """A literal number; ``is_percent`` when written with ``%`` (value in percentage points)."""

    value: Decimal
    is_percent: bool = False
    span: Span | None = _span()


@frozen
class InputRef:
    """A use of a declared input by name."""

    name: str
    span: Span | None = _span()


Operand = Union[Quantity, InputRef]


@frozen
class Comparison:
    """``op`` is one of ``>= > <= < =``; ``>=``/``<=`` include the bound (以上/以下/以内)."""

    op: str
    operand: Operand
    span: Span | None = _span()


@frozen
class Steps:
    """``each SIZE lower|higher|beyond deduct|add POINTS [counting]``.

    ``counting`` is None when the rule does not say; the framework's default then applies
    (and a file with neither is rejected by the checker).
    """

    size: Quantity
    direction: str  # "lower" | "higher" | "beyond"
    effect: str  # "deduct" | "add"
    points: Decimal
    counting: Counting | None
    span: Span | None = _span()


# ---------------------------------------------------------------- rules


@frozen
class YesNo:
    """``full if INPUT`` / ``2 if not INPUT``: points (cap when None) if the condition holds."""

    input: InputRef
    points: Decimal | None = None
    negated: bool = False
    span: Span | None = _span()


@frozen
class Threshold:
    """Full (or ``points``) when ``input bound`` holds; step rules on either side; a cut-off."""

    input: InputRef
    bound: Comparison
    points: Decimal | None = None  # None: the cap
    short: Steps | None = None  # deductions while the bound is missed
    beyond: Steps | None = None  # additions past the bound (bonus-style), up to the cap
    cutoff: Comparison | None = None  # "zero if < 60%"
    span: Span | None = _span()


@frozen
class Proportional:
    """``cap × input / target``, never above the cap nor below 0."""

    input: InputRef
    target: Operand
    span: Span | None = _span()


@frozen
class Interval:
    """A range of input values; None ends are unbounded."""

    low: Quantity | None
    low_inclusive: bool
    high: Quantity | None
    high_inclusive: bool
    span: Span | None = _span()


@frozen
class Band:
    """One row of a bands table: a range and its points (None: the cap)."""

    interval: Interval
    points: Decimal | None
    span: Span | None = _span()


@frozen
class Bands:
    input: InputRef
    bands: tuple[Band, ...]
    span: Span | None = _span()


@frozen
class Occurrence:
    """``K per INPUT`` (a count) or ``K if INPUT`` (a bool counted once)."""

    input: InputRef
    points: Decimal
    is_flag: bool = False
    span: Span | None = _span()


@frozen
class Deduct:
    """Deduct per occurrence from the cap, never below 0, at most ``limit`` in all."""

    occurrences: tuple[Occurrence, ...]
    limit: Decimal | None = None
    span: Span | None = _span()


@frozen
class Baseline:
    """``base`` points when input = reference; steps move it up or down, within [0, cap]."""

    input: InputRef
    reference: Operand
    base: Decimal
    lower: Steps | None
    higher: Steps | None
    span: Span | None = _span()


@frozen
class Deviation:
    """Full within ``tolerance`` of ``target`` (relative when the tolerance is a percent)."""

    input: InputRef
    target: Operand
    tolerance: Quantity
    steps: Steps | None
    span: Span | None = _span()


@frozen
class Level:
    """A level name and its value: points, or a percent of the cap."""

    name: str
    value: Quantity
    span: Span | None = _span()


@frozen
class Graded:
    input: InputRef
    levels: tuple[Level, ...]
    span: Span | None = _span()


@frozen
class Judged:
    """The evaluator gives the score (for a penalty node: the deduction) in [0, cap]."""

    span: Span | None = _span()


@frozen
class Part:
    """One sub-rule of a composite, scored against its own cap."""

    cap: Decimal
    weight: Decimal | None
    rule: Rule
    span: Span | None = _span()


@frozen
class Composite:
    mode: Combine
    parts: tuple[Part, ...]
    span: Span | None = _span()


@frozen
class Award:
    name: str
    points: Decimal
    span: Span | None = _span()


@frozen
class Awards:
    input: InputRef
    stacking: Stacking
    awards: tuple[Award, ...]
    span: Span | None = _span()


Rule = Union[
    YesNo,
    Threshold,
    Proportional,
    Bands,
    Deduct,
    Baseline,
    Deviation,
    Graded,
    Judged,
    Composite,
    Awards,
]

#: Each rule kind by the keyword that introduces it in a rule file (yes/no has none).
KIND_NAMES: dict[type, str] = {
    YesNo: "yes/no",
    Threshold: "threshold",
    Proportional: "proportional",
    Bands: "bands",
    Deduct: "deduct",
    Baseline: "baseline",
    Deviation: "deviation",
    Graded: "levels",
    Judged: "judged",
    Composite: "combine",
    Awards: "awards",
}

RULE_KINDS: tuple[type, ...] = (
    YesNo,
    Threshold,
    Proportional,
    Bands,
    Deduct,
    Baseline,
    Deviation,
    Graded,
    Judged,
    Composite,
    Awards,
)


# ---------------------------------------------------------------- structure


@frozen
class InputDecl:
    """A declared input: its type, unit, valid range and the names of its levels or awards."""

    name: str
    type: InputType
    unit: str | None = None
    low: Quantity | None = None
    high: Quantity | None = None
    choices: tuple[str, ...] = ()  # level names, or award names
    description: str | None = None
    span: Span | None = _span()


@frozen
class Indicator:
    """A node of the tree: a leaf carries exactly one rule, an inner node has children."""

    code: str
    name: str
    cap: Decimal
    section: Section = Section.REGULAR
    description: str | None = None  # 指标说明
    criterion: str | None = None  # 评价要点, as published
    rule: Rule | None = None
    children: tuple[Indicator, ...] = ()
    not_applicable: NotApplicable | None = None  # overrides the framework's policy
    allow_cap_mismatch: bool = False
    span: Span | None = _span()


@frozen
class GradeBand:
    """A grade and the comparison on the total that earns it; None: otherwise (the lowest)."""

    name: str
    comparison: Comparison | None
    span: Span | None = _span()


@frozen
class Veto:
    """When a bool input holds: the grade is at most ``at_most``, or drops ``down`` bands."""

    input: InputRef
    at_most: str | None = None
    down: int | None = None
    span: Span | None = _span()


@frozen
class Framework:
    name: str
    year: int | None = None
    total: Decimal | None = None
    total_capped: bool = False
    counting: Counting | None = None
    not_applicable: NotApplicable | None = None
    grades: tuple[GradeBand, ...] = ()
    vetoes: tuple[Veto, ...] = ()
    inputs: tuple[InputDecl, ...] = ()
    indicators: tuple[Indicator, ...] = ()
    span: Span | None = _span()


def walk(indicators: tuple[Indicator, ...]) -> list[Indicator]:
    """Every indicator in pre-order (parents before children), without recursion."""
    out: list[Indicator] = []
    stack = list(reversed(indicators))
    while stack:
        node = stack.pop()
        out.append(node)
        stack.extend(reversed(node.children))
    return out


def value_range(decl: InputDecl) -> tuple[Decimal | None, Decimal | None]:
    """The inclusive range an input's values must lie in (None: unbounded on that side).

    A declared ``range`` is taken as written, an end left open being unbounded (but a count
    is never below 0); without one, a percent lies in 0..100 and a count is at least 0.
    """
    if decl.low is not None or decl.high is not None:
        low = decl.low.value if decl.low is not None else None
        if low is None and decl.type is InputType.COUNT:
            low = Decimal(0)  # a count is never below 0, whatever the range leaves open
        return low, decl.high.value if decl.high is not None else None
    if decl.type is InputType.PERCENT:
        return Decimal(0), Decimal(100)
    if decl.type is InputType.COUNT:
        return Decimal(0), None
    return None, None


def rule_inputs(rule: Rule) -> list[InputRef]:
    """Every input reference a rule makes, in order of appearance."""
    refs: list[InputRef] = []
    stack: list[object] = [rule]
    while stack:
        node = stack.pop()
        match node:
            case YesNo(input=i) | Proportional(input=i) | Bands(input=i) | Graded(input=i):
                refs.append(i)
                if isinstance(node, Proportional) and isinstance(node.target, InputRef):
                    refs.append(node.target)
            case Threshold():
                refs.append(node.input)
                for op in _comparison_operands(node.bound, node.cutoff):
                    refs.append(op)
            case Baseline(input=i, reference=r) | Deviation(input=i, target=r):
                refs.append(i)
                if isinstance(r, InputRef):
                    refs.append(r)
            case Deduct(occurrences=occ):
                refs.extend(o.input for o in occ)
            case Awards(input=i):
                refs.append(i)
            case Composite(parts=parts):
                stack.extend(p.rule for p in reversed(parts))
            case Judged():
                pass
    return refs


def _comparison_operands(*comparisons: Comparison | None) -> list[InputRef]:
    return [c.operand for c in comparisons if c is not None and isinstance(c.operand, InputRef)]
