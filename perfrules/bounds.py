"""Static score intervals: what every node of a framework can score, proved from its rules.

``score_intervals(framework)`` gives, for every indicator, the interval ``[low, high]`` of the
scores its rules can produce for *any* valid unit: any input values within the declared
ranges, any judgement in ``[0, cap]``, any 不适用 mark the policies allow. It is computed by
interval reasoning over the syntax tree with exact decimals, following the arithmetic of the
generated evaluator (compile.py, runtime.py) step by step — never by sampling. The interval
of the total is ``total_interval(framework)``; ``analyse`` gives both at once.

What the intervals are:

- **The rules' own scores.** An adjustment replaces any node's score by one in ``[0, cap]``
  chosen by the evaluator; intervals leave adjustments out (with them every interval would be
  just ``[0, cap]``). Judgements, which *are* the rule of a ``judged`` node, are in.
- **Sound.** Every score a valid unit can get lies inside its node's interval.
- **Exact where the rule allows it.** Each leaf's bounds are attained (or, where a zone is
  open, approached arbitrarily closely — and since every score is a step function of its
  input, attained there too): the score of a rule is monotone on each zone of its input
  (met, short, cut off, each side of a reference), so its extremes lie at the zones' ends,
  which are evaluated with the runtime's own arithmetic, or as exact one-sided limits.
- **Over-approximations**, where sound but possibly not attained:
  * inputs are treated as independent: two rules (or two parts, or a bound and its input)
    that read the same input are bounded as if they read two inputs, so a sum of their
    best scores may not be reachable at once;
  * a judged part of a combined rule is bounded by its indicator's cap, which its judgement
    answers to, and two judged parts of one indicator share one judgement;
  * with an input as a threshold's cut-off (or an input bound together with a cut-off), the
    cut-off is assumed able to catch any missed value;
  * a relative deviation (``within ±5%``) from an input target assumes any deviation;
  * an awards input may list any number of awards;
  * rescaling (不适用 with ``rescale``) assumes any combination of excludable children
    (the best and worst combinations are then found exactly).
- **Inputs are decimals of ordinary length** (fewer than 28 significant digits, as the
  runtime's context keeps): the interval's ends follow the runtime's rounding exactly, but
  a one-sided limit is computed exactly, not at 28 digits.

``reachable_branches(rule, decls)`` says which branches of a rule (met, short, cut-off,
each band, each level, …) some valid input can reach, for coverage and for the checker's
``unreachable-branch`` warning.

This module reads only the syntax tree and the runtime's arithmetic; the checker builds on it.
"""

from __future__ import annotations

import decimal
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from fractions import Fraction

from attrs import frozen

from . import ast, runtime
from .source import Span

__all__ = [
    "Bounds",
    "Branch",
    "Interval",
    "analyse",
    "branches",
    "reachable_branches",
    "rule_interval",
    "score_intervals",
    "total_interval",
]

INF = Decimal("Infinity")
ZERO = Decimal(0)

#: Exact arithmetic for sums and shifts of literals (which have at most 25 digits).
_EXACT = decimal.Context(
    prec=400,
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow],
)

_NUMERIC = frozenset(
    {ast.InputType.PERCENT, ast.InputType.NUMBER, ast.InputType.COUNT, ast.InputType.MONEY}
)

_COUNTERS = {
    ast.Counting.FULL: runtime.steps_full,
    ast.Counting.STARTED: runtime.steps_started,
    ast.Counting.PRO_RATA: runtime.steps_pro_rata,
}


class _Broken(Exception):
    """A rule whose arithmetic is undefined (the checker reports why); bounded loosely."""


# ====================================================================== intervals


def _text(value: Decimal) -> str:
    if value.is_infinite():
        return "+∞" if value > 0 else "-∞"
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "0") else text


@frozen
class Interval:
    """The closed range ``[low, high]`` of a score; an end may be ±Infinity for a rule whose
    arithmetic the checker rejects (a negative step, say)."""

    low: Decimal
    high: Decimal

    def __contains__(self, value: object) -> bool:
        return isinstance(value, Decimal | int) and self.low <= value <= self.high

    def __str__(self) -> str:
        return f"[{_text(self.low)}, {_text(self.high)}]"

    @property
    def is_finite(self) -> bool:
        return self.low.is_finite() and self.high.is_finite()

    def to_dict(self) -> dict[str, int | float | None]:
        """``{"low": …, "high": …}`` as JSON numbers (whole numbers as ints); None for ±∞."""
        return {"low": _json_number(self.low), "high": _json_number(self.high)}


def _json_number(value: Decimal) -> int | float | None:
    if value.is_infinite():
        return None
    text = _text(value)
    return int(text) if "." not in text else float(text)


def _hull(values: Iterable[Decimal]) -> Interval:
    listed = list(values)
    return Interval(min(listed), max(listed))


def _with(interval: Interval, value: Decimal) -> Interval:
    return Interval(min(interval.low, value), max(interval.high, value))


def _clamp(value: Decimal, cap: Decimal) -> Decimal:
    """runtime.clamp, for ±Infinity too."""
    if value < 0:
        return ZERO
    if value > cap:
        return cap
    return value


def _sign(value: Decimal | Fraction) -> int:
    return (value > 0) - (value < 0)


def _times(a: Decimal, b: Decimal) -> Decimal:
    """a × b where 0 × ∞ is 0 (no occurrence of an unbounded count deducts nothing)."""
    if a == 0 or b == 0:
        return ZERO
    with decimal.localcontext(_EXACT):
        return a * b


def _add(values: Iterable[Decimal]) -> Decimal:
    with decimal.localcontext(_EXACT):
        total = ZERO
        for value in values:
            total = total + value
        return total


# ====================================================================== sets of input values


@frozen
class _Values:
    """The values between two ends (None: unbounded), each end included or not.

    ``grid``: the values lie on ``grid + k`` for whole k (a count, or a count shifted by a
    constant); None: any decimal.
    """

    low: Decimal | None = None
    low_in: bool = False
    high: Decimal | None = None
    high_in: bool = False
    grid: Decimal | None = None

    def normal(self) -> _Values:
        """The same values, with the ends of a gridded set moved onto the grid (included)."""
        if self.grid is None:
            return self
        with decimal.localcontext(_EXACT):
            low, high = self.low, self.high
            if low is not None:
                k = (low - self.grid).to_integral_value(rounding=ROUND_CEILING)
                if k == low - self.grid and not self.low_in:
                    k += 1
                low = self.grid + k
            if high is not None:
                k = (high - self.grid).to_integral_value(rounding=ROUND_FLOOR)
                if k == high - self.grid and not self.high_in:
                    k -= 1
                high = self.grid + k
        return _Values(low, low is not None, high, high is not None, self.grid)

    @property
    def empty(self) -> bool:
        values = self.normal()
        if values.low is None or values.high is None:
            return False
        if values.low != values.high:
            return values.low > values.high
        return not (values.low_in and values.high_in)

    def __and__(self, other: _Values) -> _Values:
        low, low_in = self.low, self.low_in
        if other.low is not None and (
            low is None or other.low > low or (other.low == low and not other.low_in)
        ):
            low, low_in = other.low, other.low_in
        high, high_in = self.high, self.high_in
        if other.high is not None and (
            high is None or other.high < high or (other.high == high and not other.high_in)
        ):
            high, high_in = other.high, other.high_in
        grid = self.grid if self.grid is not None else other.grid
        return _Values(low, low_in, high, high_in, grid)

    def shifted(self, by: Decimal) -> _Values:
        """The values ``v − by``."""
        with decimal.localcontext(_EXACT):
            return _Values(
                None if self.low is None else self.low - by,
                self.low_in,
                None if self.high is None else self.high - by,
                self.high_in,
                None if self.grid is None else (self.grid - by) % 1,
            )

    def ends(self) -> list[tuple[Decimal, int]]:
        """The ends of a non-empty set as (value, side): side 0 for an included end, +1 for an
        excluded low end (approached from above), −1 for an excluded high end; ±Infinity
        for an unbounded end."""
        values = self.normal()
        low = (-INF, 0) if values.low is None else (values.low, 0 if values.low_in else 1)
        high = (INF, 0) if values.high is None else (values.high, 0 if values.high_in else -1)
        return [low] if low == high else [low, high]


def _compared(op: str, value: Decimal) -> _Values:
    """The values x for which ``x op value`` holds."""
    match op:
        case ">=" | "≥":
            return _Values(value, True)
        case ">":
            return _Values(value, False)
        case "<=" | "≤":
            return _Values(high=value, high_in=True)
        case "<":
            return _Values(high=value, high_in=False)
    return _Values(value, True, value, True)


def _not_compared(op: str, value: Decimal) -> list[_Values]:
    """The values x for which ``x op value`` fails, as one or two stretches."""
    match op:
        case ">=" | "≥":
            return [_compared("<", value)]
        case ">":
            return [_compared("<=", value)]
        case "<=" | "≤":
            return [_compared(">", value)]
        case "<":
            return [_compared(">=", value)]
    return [_compared("<", value), _compared(">", value)]


def _domain(decl: ast.InputDecl | None) -> _Values:
    """The values a numeric input may take (anything, for an unknown or non-numeric one)."""
    if decl is None or decl.type not in _NUMERIC:
        return _Values()
    if decl.low is not None and decl.high is not None and decl.low.value > decl.high.value:
        decl = ast.InputDecl(decl.name, decl.type)  # bad-range; the type's range stands in
    low, high = ast.value_range(decl)
    grid = None
    if decl.type is ast.InputType.COUNT:
        grid = ZERO
        if low is None or low < 0:
            low = ZERO
    return _Values(low, low is not None, high, high is not None, grid)


def _difference(x: _Values, y: _Values) -> _Values:
    """The values ``a − b`` for a in x and b in y (both closed or unbounded)."""
    with decimal.localcontext(_EXACT):
        low = None if x.low is None or y.high is None else x.low - y.high
        high = None if x.high is None or y.low is None else x.high - y.low
    grid = ZERO if x.grid is not None and y.grid is not None else None
    return _Values(low, low is not None, high, high is not None, grid)


def _pieces(stretches: Iterable[_Values]) -> list[_Values]:
    return [s for s in stretches if not s.empty]


def _magnitude(delta: Decimal, side: int) -> tuple[Decimal, int]:
    """|δ| for δ approached from ``side``: a distance and the side it is approached from."""
    if delta.is_infinite():
        return INF, 0
    if delta > 0:
        return delta, side
    if delta < 0:
        return -delta, -side
    return ZERO, 1 if side else 0


# ====================================================================== exact arithmetic


def _decimal(value: Fraction) -> Decimal:
    """A fraction with a terminating decimal expansion, exactly."""
    with decimal.localcontext(_EXACT):
        return Decimal(value.numerator) / Decimal(value.denominator)


def _rounded_limit(value: Fraction, side: int) -> Decimal:
    """runtime.rounded of ``value + side·ε`` for an infinitesimal ε (side 0: of value)."""
    t = value * 100
    if side:
        # No rounding boundary (a half-integer) lies strictly within 1/(4q) of t = p/q.
        t += Fraction(side, 4 * t.denominator)
    k = math.floor(abs(t) + Fraction(1, 2))
    if t < 0:
        k = -k
    with decimal.localcontext(runtime.CONTEXT):
        return runtime.rounded(Decimal(k).scaleb(-2))


def _stepped(
    base: Decimal,
    sign: int,
    steps: ast.Steps,
    counting: ast.Counting,
    distance: Decimal | Fraction,
    side: int,
    *,
    rounded: bool = False,
    none_at_zero: bool = False,
) -> Decimal:
    """``base ± n × K`` for the steps counted in ``distance`` (approached from ``side``).

    Mirrors the evaluator: n = steps_*(distance, size); g = n × K; base + g or base − g;
    rounded to 0.01 when pro rata (or ``rounded``). ``none_at_zero``: a started step counts
    nothing at a distance of exactly 0 (an addition step at its bound). No clamping.
    """
    size, points = steps.size.value, steps.points
    if size <= 0:
        raise _Broken
    pro_rata = counting is ast.Counting.PRO_RATA
    if isinstance(distance, Decimal) and distance.is_infinite():
        if points == 0:
            return base
        return INF if sign * points > 0 else -INF
    if side == 0:
        assert isinstance(distance, Decimal)
        with decimal.localcontext(runtime.CONTEXT):
            if none_at_zero and counting is ast.Counting.STARTED and distance == 0:
                n = runtime.ZERO
            else:
                n = _COUNTERS[counting](distance, size)
            g = n * points
            value = base + g if sign > 0 else base - g
            if pro_rata or rounded:
                value = runtime.rounded(value)
        return value
    quotient = Fraction(distance) / Fraction(size)
    n_side = 0
    if counting is ast.Counting.FULL:
        n = Fraction(math.floor(quotient) if side > 0 else math.ceil(quotient) - 1)
    elif counting is ast.Counting.STARTED:
        n = Fraction(max(1, math.floor(quotient) + 1 if side > 0 else math.ceil(quotient)))
    else:
        n, n_side = quotient, side
    exact = Fraction(base) + sign * n * Fraction(points)
    if pro_rata or rounded:
        return _rounded_limit(exact, n_side * sign * _sign(points))
    return _decimal(exact)


# ====================================================================== rules


@frozen
class Branch:
    """One way a rule can score, and whether a valid input can take it.

    ``name``: ``met``, ``missed``, ``short``, ``cutoff`` (threshold); ``met``/``missed``
    (yes/no); ``band [75%, 85%)`` (each band by its interval as written, as ``perfrules
    test`` names it); ``level NAME``; ``at``, ``lower``, ``higher`` (baseline); ``within``,
    ``beyond`` (with steps) or ``outside`` (deviation); ``ratio``, ``deduct``, ``judged``,
    ``awards``. ``why`` says why it cannot be taken:
    ``always met`` (every value meets the bound), ``all caught`` (the cut-off catches every
    missed value), ``always within`` (every value is within a deviation's tolerance), or
    ``out of range`` (no value of the input's range gets there).
    """

    name: str
    reachable: bool
    span: Span | None = None
    why: str | None = None


class _Env:
    """What rules are bounded against: the declared inputs and the default counting."""

    def __init__(self, decls: Mapping[str, ast.InputDecl], counting: ast.Counting | None):
        self.decls = decls
        self.default_counting = counting

    def domain(self, ref: ast.InputRef) -> _Values:
        return _domain(self.decls.get(ref.name))

    def counting(self, steps: ast.Steps) -> ast.Counting:
        # Unstated counting is an error (step-counting-unstated); bound as full steps.
        return steps.counting or self.default_counting or ast.Counting.FULL

    def relative_to(self, ref: ast.InputRef, operand: ast.Operand) -> _Values:
        """The values of ``input − operand`` (x − b for a bound, reference or target)."""
        if isinstance(operand, ast.Quantity):
            return self.domain(ref).shifted(operand.value)
        return _difference(self.domain(ref), _domain(self.decls.get(operand.name)))


@frozen
class _Analysis:
    interval: Interval
    branches: tuple[Branch, ...]


def _analyse_rule(
    rule: ast.Rule, cap: Decimal, node_cap: Decimal, penalty: bool, env: _Env
) -> _Analysis:
    try:
        return _RULES[type(rule)](rule, cap, node_cap, penalty, env)
    except (_Broken, ArithmeticError):
        # Undefined arithmetic (a step of size 0, a target of 0): the checker reports it;
        # the evaluator never runs such a rule.
        loose = Interval(min(ZERO, cap), max(ZERO, cap))
        return _Analysis(loose, tuple(Branch(b.name, True, b.span) for b in _names(rule)))


def _names(rule: ast.Rule) -> list[Branch]:
    """Every branch of a rule, all assumed reachable."""
    match rule:
        case ast.Threshold():
            names = [Branch("met", True, rule.bound.span)]
            if rule.cutoff is not None:
                names.append(Branch("cutoff", True, rule.cutoff.span))
            names.append(Branch("short", True, rule.short.span) if rule.short is not None
                         else Branch("missed", True, rule.bound.span))
            return names
        case ast.Bands():
            return [Branch(_band_name(band), True, band.span) for band in rule.bands]
        case ast.Baseline():
            return [Branch(name, True, rule.span) for name in ("at", "lower", "higher")]
        case ast.Deviation():
            return [Branch("within", True, rule.tolerance.span),
                    Branch("beyond" if rule.steps is not None else "outside", True, rule.span)]
    return [Branch(name, True, rule.span) for name in _simple_names(rule)]


def _simple_names(rule: ast.Rule) -> list[str]:
    match rule:
        case ast.YesNo():
            return ["met", "missed"]
        case ast.Proportional():
            return ["ratio"]
        case ast.Deduct():
            return ["deduct"]
        case ast.Graded():
            return [f"level {level.name}" for level in rule.levels]
        case ast.Judged():
            return ["judged"]
        case ast.Awards():
            return ["awards"]
    return []


def _yes_no(
    rule: ast.YesNo, cap: Decimal, node_cap: Decimal, penalty: bool, env: _Env
) -> _Analysis:
    points = cap if rule.points is None else rule.points
    return _Analysis(_hull([ZERO, points]), tuple(_names(rule)))


def _threshold(
    rule: ast.Threshold, cap: Decimal, node_cap: Decimal, penalty: bool, env: _Env
) -> _Analysis:
    points = cap if rule.points is None else rule.points
    op = rule.bound.op
    delta = env.relative_to(rule.input, rule.bound.operand)  # x − bound
    met = _pieces([delta & _compared(op, ZERO)])
    missed = _pieces(delta & s for s in _not_compared(op, ZERO))
    caught: list[_Values] = []
    short = missed
    if rule.cutoff is not None:
        bound, cutoff = rule.bound.operand, rule.cutoff.operand
        if isinstance(bound, ast.Quantity) and isinstance(cutoff, ast.Quantity):
            with decimal.localcontext(_EXACT):
                at = cutoff.value - bound.value
            caught = _pieces(m & _compared(rule.cutoff.op, at) for m in missed)
            short = _pieces(m & s for m in missed for s in _not_compared(rule.cutoff.op, at))
        else:
            caught = missed  # over-approximation: the cut-off may catch any missed value
    values: list[Decimal] = []
    if met:
        if rule.beyond is None:
            values.append(points)
        else:
            counting = env.counting(rule.beyond)
            for piece in met:
                for end, side in piece.ends():
                    distance, approach = _magnitude(end, side)
                    value = _stepped(points, 1, rule.beyond, counting, distance, approach,
                                     none_at_zero=True)
                    values.append(min(value, cap))
    if caught:
        values.append(ZERO)
    if short:
        if rule.short is None:
            values.append(ZERO)
        else:
            counting = env.counting(rule.short)
            for piece in short:
                for end, side in piece.ends():
                    distance, approach = _magnitude(end, side)
                    value = _stepped(points, -1, rule.short, counting, distance, approach)
                    values.append(max(value, ZERO))
    branches = [Branch("met", bool(met), rule.bound.span, None if met else "out of range")]
    if rule.cutoff is not None:
        why_not = "always met" if not missed else "out of range"
        branches.append(Branch("cutoff", bool(caught), rule.cutoff.span,
                               None if caught else why_not))
    why = None if short else ("always met" if not missed else "all caught")
    if rule.short is not None:
        branches.append(Branch("short", bool(short), rule.short.span, why))
    else:
        branches.append(Branch("missed", bool(short), rule.bound.span, why))
    return _Analysis(_hull(values) if values else Interval(ZERO, ZERO), tuple(branches))


def _proportional(
    rule: ast.Proportional, cap: Decimal, node_cap: Decimal, penalty: bool, env: _Env
) -> _Analysis:
    x = env.domain(rule.input).normal()
    branches = tuple(_names(rule))

    def score(value: Decimal, target: Decimal) -> Decimal:
        with decimal.localcontext(runtime.CONTEXT):
            return _clamp(runtime.rounded(cap * value / target), cap)

    if cap == 0:
        return _Analysis(Interval(ZERO, ZERO), branches)
    if isinstance(rule.target, ast.Quantity):
        target = rule.target.value
        if target <= 0:
            raise _Broken
        low = ZERO if x.low is None else score(x.low, target)
        high = cap if x.high is None else score(x.high, target)
        return _Analysis(Interval(low, high), branches)
    # An input target: the evaluator refuses a unit whose target is not above 0.
    t = _domain(env.decls.get(rule.target.name))
    if t.high is not None and t.high <= 0:
        raise _Broken  # no valid unit at all
    smallest = None if t.low is None or t.low <= 0 else t.low  # None: approaches 0 from above
    largest = t.high  # None: unbounded
    if x.high is None:
        high = cap
    elif x.high <= 0:
        high = ZERO
    else:
        high = cap if smallest is None else score(x.high, smallest)
    if x.low is None or x.low <= 0:
        low = ZERO
    else:
        low = ZERO if largest is None else score(x.low, largest)
    return _Analysis(Interval(low, high), branches)


def _bands(
    rule: ast.Bands, cap: Decimal, node_cap: Decimal, penalty: bool, env: _Env
) -> _Analysis:
    domain = env.domain(rule.input)
    values = []
    branches = []
    for band in rule.bands:
        interval = band.interval
        stretch = _Values(
            None if interval.low is None else interval.low.value,
            interval.low_inclusive,
            None if interval.high is None else interval.high.value,
            interval.high_inclusive,
        )
        reachable = not (stretch & domain).empty
        if reachable:
            values.append(cap if band.points is None else band.points)
        branches.append(Branch(_band_name(band), reachable, band.span,
                               None if reachable else "out of range"))
    # The checker proves the bands cover the input's range; without any band, nothing scores.
    return _Analysis(_hull(values) if values else Interval(ZERO, ZERO), tuple(branches))


def _band_name(band: ast.Band) -> str:
    """``band [75%, 85%)``, ``band >= 85%``, ``band = 0%``: the band's interval as written."""

    def amount(q: ast.Quantity) -> str:
        return _text(q.value) + ("%" if q.is_percent else "")

    interval = band.interval
    low, high = interval.low, interval.high
    if low is not None and high is not None:
        if low.value == high.value and interval.low_inclusive and interval.high_inclusive:
            return f"band = {amount(low)}"
        return (f"band {'[' if interval.low_inclusive else '('}{amount(low)}, {amount(high)}"
                f"{']' if interval.high_inclusive else ')'}")
    if low is not None:
        return f"band {'>=' if interval.low_inclusive else '>'} {amount(low)}"
    if high is not None:
        return f"band {'<=' if interval.high_inclusive else '<'} {amount(high)}"
    return "band any value"


def _deduct(
    rule: ast.Deduct, cap: Decimal, node_cap: Decimal, penalty: bool, env: _Env
) -> _Analysis:
    least, most = [], []
    for occurrence in rule.occurrences:
        if occurrence.is_flag:
            low, high = ZERO, Decimal(1)
        else:
            counts = env.domain(occurrence.input).normal()
            low = ZERO if counts.low is None or counts.low < 0 else counts.low
            high = INF if counts.high is None else counts.high
        k = occurrence.points
        least.append(min(_times(k, low), _times(k, high)))
        most.append(max(_times(k, low), _times(k, high)))
    d_low, d_high = _add(least), _add(most)
    if rule.limit is not None:
        d_low, d_high = min(d_low, rule.limit), min(d_high, rule.limit)
    if penalty:
        interval = Interval(min(d_low, cap), min(d_high, cap))
    else:
        with decimal.localcontext(_EXACT):
            interval = Interval(max(cap - d_high, ZERO), max(cap - d_low, ZERO))
    return _Analysis(interval, tuple(_names(rule)))


def _baseline(
    rule: ast.Baseline, cap: Decimal, node_cap: Decimal, penalty: bool, env: _Env
) -> _Analysis:
    delta = env.relative_to(rule.input, rule.reference)  # x − reference
    values: list[Decimal] = []
    branches = []
    sides = (
        ("at", _compared("=", ZERO), None),
        ("lower", _compared("<", ZERO), rule.lower),
        ("higher", _compared(">", ZERO), rule.higher),
    )
    for name, zone, steps in sides:
        piece = delta & zone
        reachable = not piece.empty
        span = steps.span if steps is not None else rule.span
        branches.append(Branch(name, reachable, span, None if reachable else "out of range"))
        if not reachable:
            continue
        if steps is None:
            values.append(rule.base)
            continue
        sign = 1 if steps.effect == "add" else -1
        counting = env.counting(steps)
        for end, side in piece.ends():
            distance, approach = _magnitude(end, side)
            value = _stepped(rule.base, sign, steps, counting, distance, approach)
            values.append(_clamp(value, cap))
    return _Analysis(_hull(values) if values else Interval(ZERO, ZERO), tuple(branches))


def _deviation(
    rule: ast.Deviation, cap: Decimal, node_cap: Decimal, penalty: bool, env: _Env
) -> _Analysis:
    relative = rule.tolerance.is_percent
    tolerance = rule.tolerance.value
    outside_name = "beyond" if rule.steps is not None else "outside"
    outside_span = rule.steps.span if rule.steps is not None else rule.tolerance.span
    if relative and isinstance(rule.target, ast.InputRef):
        # Over-approximation: any relative deviation, from 0 up.
        values = [cap]
        if rule.steps is None:
            values.append(ZERO)
        else:
            counting = env.counting(rule.steps)
            for distance, side in ((Fraction(0), 1), (INF, 0)):
                value = _stepped(cap, -1, rule.steps, counting, distance, side, rounded=True)
                values.append(_clamp(value, cap))
        branches = (Branch("within", True, rule.tolerance.span),
                    Branch(outside_name, True, outside_span))
        return _Analysis(_hull(values), branches)
    scale = Decimal(1)
    if relative:
        assert isinstance(rule.target, ast.Quantity)
        if rule.target.value == 0:
            raise _Broken
        scale = abs(rule.target.value)
    with decimal.localcontext(_EXACT):
        width = tolerance * scale / 100 if relative else tolerance  # the tolerance in x's unit
    delta = env.relative_to(rule.input, rule.target)  # x − target
    within = delta & _Values(-width, True, width, True)
    outside = _pieces([delta & _compared("<", -width), delta & _compared(">", width)])
    values: list[Decimal] = []
    if not within.empty:
        values.append(cap)
    if outside:
        if rule.steps is None:
            values.append(ZERO)
        else:
            counting = env.counting(rule.steps)
            for piece in outside:
                for end, side in piece.ends():
                    values.append(_clamp(_beyond(rule, cap, counting, scale, end, side), cap))
    branches = (
        Branch("within", not within.empty, rule.tolerance.span,
               None if not within.empty else "out of range"),
        Branch(outside_name, bool(outside), outside_span,
               None if outside else "always within"),
    )
    return _Analysis(_hull(values) if values else Interval(ZERO, ZERO), branches)


def _beyond(
    rule: ast.Deviation,
    cap: Decimal,
    counting: ast.Counting,
    scale: Decimal,
    delta: Decimal,
    side: int,
) -> Decimal:
    """A deviation's score beyond its tolerance, at x − target = delta (from ``side``)."""
    assert rule.steps is not None
    relative = rule.tolerance.is_percent
    tolerance = rule.tolerance.value
    if delta.is_infinite():
        return _stepped(cap, -1, rule.steps, counting, INF, 0)
    if side == 0:
        with decimal.localcontext(runtime.CONTEXT):
            v = abs(delta) * runtime.HUNDRED / scale if relative else abs(delta)
            excess = v - tolerance
        return _stepped(cap, -1, rule.steps, counting, excess, 0, rounded=relative)
    distance, approach = _magnitude(delta, side)
    v = Fraction(distance) * 100 / Fraction(scale) if relative else Fraction(distance)
    return _stepped(cap, -1, rule.steps, counting, v - Fraction(tolerance), approach,
                    rounded=relative)


def _graded(
    rule: ast.Graded, cap: Decimal, node_cap: Decimal, penalty: bool, env: _Env
) -> _Analysis:
    values = []
    for level in rule.levels:
        if level.value.is_percent:
            with decimal.localcontext(runtime.CONTEXT):
                values.append(runtime.rounded(cap * level.value.value / runtime.HUNDRED))
        else:
            values.append(level.value.value)
    return _Analysis(_hull(values), tuple(_names(rule)))


def _judged(
    rule: ast.Judged, cap: Decimal, node_cap: Decimal, penalty: bool, env: _Env
) -> _Analysis:
    # A judgement answers to its indicator's cap, even for a part of a combined rule.
    return _Analysis(_hull([ZERO, node_cap]), tuple(_names(rule)))


def _composite(
    rule: ast.Composite, cap: Decimal, node_cap: Decimal, penalty: bool, env: _Env
) -> _Analysis:
    parts = [_analyse_rule(p.rule, p.cap, node_cap, penalty, env) for p in rule.parts]
    lows = [a.interval.low for a in parts]
    highs = [a.interval.high for a in parts]
    match rule.mode:
        case ast.Combine.SUM:
            low, high = _add(lows), _add(highs)
        case ast.Combine.MIN:
            low, high = min(lows), min(highs)
        case ast.Combine.MAX:
            low, high = max(lows), max(highs)
        case _:
            weights = [Decimal(1) if p.weight is None else p.weight for p in rule.parts]
            pairs = list(zip(weights, lows, highs, strict=True))
            low = _weighted_sum(weights, [lo if w >= 0 else hi for w, lo, hi in pairs])
            high = _weighted_sum(weights, [hi if w >= 0 else lo for w, lo, hi in pairs])
    branches = tuple(
        Branch(f"part {i}: {b.name}", b.reachable, b.span, b.why)
        for i, analysis in enumerate(parts, 1)
        for b in analysis.branches
    )
    return _Analysis(Interval(_clamp(low, cap), _clamp(high, cap)), branches)


def _weighted_sum(weights: Sequence[Decimal], scores: Sequence[Decimal]) -> Decimal:
    """rounded(w1 × q1 + w2 × q2 + …), as the evaluator adds them (left to right)."""
    if any(s.is_infinite() for s in scores):
        return _add(_times(w, s) for w, s in zip(weights, scores, strict=True))
    with decimal.localcontext(runtime.CONTEXT):
        total = None
        for weight, score in zip(weights, scores, strict=True):
            term = weight * score
            total = term if total is None else total + term
        assert total is not None
        return runtime.rounded(total)


def _awards(
    rule: ast.Awards, cap: Decimal, node_cap: Decimal, penalty: bool, env: _Env
) -> _Analysis:
    points = [award.points for award in rule.awards]
    # Any number of awards may be listed: a positive award can be repeated without end.
    high = INF if any(p > 0 for p in points) else ZERO
    low = -INF if any(p < 0 for p in points) else ZERO
    return _Analysis(Interval(min(low, cap), min(high, cap)), tuple(_names(rule)))


_RULES = {
    ast.YesNo: _yes_no,
    ast.Threshold: _threshold,
    ast.Proportional: _proportional,
    ast.Bands: _bands,
    ast.Deduct: _deduct,
    ast.Baseline: _baseline,
    ast.Deviation: _deviation,
    ast.Graded: _graded,
    ast.Judged: _judged,
    ast.Composite: _composite,
    ast.Awards: _awards,
}


def _decls(framework_inputs: Iterable[ast.InputDecl]) -> dict[str, ast.InputDecl]:
    declared: dict[str, ast.InputDecl] = {}
    for decl in framework_inputs:
        declared.setdefault(decl.name, decl)  # the first declaration wins over a duplicate
    return declared


def rule_interval(
    rule: ast.Rule,
    cap: Decimal,
    decls: Mapping[str, ast.InputDecl],
    *,
    counting: ast.Counting | None = None,
    penalty: bool = False,
    node_cap: Decimal | None = None,
) -> Interval:
    """The interval of scores ``rule`` gives under ``cap``.

    Args:
        decls: the declared inputs by name.
        counting: the framework's default step counting.
        penalty: the rule scores a penalty node (a deduction is the score).
        node_cap: the cap of the indicator a judged part answers to (default ``cap``).
    """
    env = _Env(decls, counting)
    return _analyse_rule(rule, cap, cap if node_cap is None else node_cap, penalty, env).interval


def branches(
    rule: ast.Rule, decls: Mapping[str, ast.InputDecl]
) -> tuple[Branch, ...]:
    """The branches of a rule, each with whether some valid input can take it (the parts of a
    combined rule are named ``part N: …``)."""
    env = _Env(decls, None)
    return _analyse_rule(rule, Decimal(1), Decimal(1), False, env).branches


def reachable_branches(
    rule: ast.Rule, decl_by_name: Mapping[str, ast.InputDecl]
) -> dict[str, bool]:
    """Every branch of ``rule`` by name (see :class:`Branch`), True when some valid input
    takes it. Over-approximated (True) where a bound, cut-off or reference is an input."""
    return {branch.name: branch.reachable for branch in branches(rule, decl_by_name)}


# ====================================================================== the tree


@frozen
class Bounds:
    """The intervals of a framework.

    Attributes:
        nodes: every indicator's interval by code (the rules' own scores, see the module).
        in_order: the same intervals in pre-order (as ``ast.walk`` lists the nodes; unlike
            ``nodes`` it keeps both of two indicators that share a code).
        total: the interval of the total.
    """

    nodes: Mapping[str, Interval]
    in_order: tuple[Interval, ...]
    total: Interval


@frozen
class _Node:
    interval: Interval  # its score when it has one (not excluded), 不适用 full/zero included
    cap: Decimal
    excludable: bool  # 不适用 with rescale can leave it without a score


def analyse(framework: ast.Framework) -> Bounds:
    """The interval of every node and of the total."""
    env = _Env(_decls(framework.inputs), framework.counting)
    found: dict[int, _Node] = {}
    for node in _post_order(framework.indicators):
        found[id(node)] = _node(framework, node, [found[id(c)] for c in node.children], env)
    ordered = ast.walk(framework.indicators)
    in_order = tuple(found[id(node)].interval for node in ordered)
    nodes = {node.code: interval for node, interval in zip(ordered, in_order, strict=True)}
    return Bounds(nodes, in_order, _total(framework, [found[id(n)] for n in framework.indicators],
                                          framework.indicators))


def score_intervals(framework: ast.Framework) -> dict[str, Interval]:
    """For every indicator code, the interval of scores its rules can give (see the module)."""
    return dict(analyse(framework).nodes)


def total_interval(framework: ast.Framework) -> Interval:
    """The interval of the framework's total."""
    return analyse(framework).total


def _post_order(indicators: Sequence[ast.Indicator]) -> Iterator[ast.Indicator]:
    stack: list[tuple[ast.Indicator, bool]] = [(n, False) for n in reversed(indicators)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            yield node
            continue
        stack.append((node, True))
        stack.extend((child, False) for child in reversed(node.children))


def _node(framework: ast.Framework, node: ast.Indicator, kids: list[_Node], env: _Env) -> _Node:
    through_children = False
    if node.children:
        if node.section is ast.Section.REGULAR:
            interval = _regular(node.cap, kids, clamp=sum((k.cap for k in kids), ZERO) > node.cap)
            through_children = all(k.excludable for k in kids)
        else:
            interval = _sections(node, kids)
    elif node.rule is not None:
        penalty = node.section is ast.Section.PENALTY
        interval = _analyse_rule(node.rule, node.cap, node.cap, penalty, env).interval
    else:
        interval = Interval(ZERO, node.cap)  # missing-rule: never compiled
    policy = node.not_applicable or framework.not_applicable
    if policy is ast.NotApplicable.FULL:
        interval = _with(interval, node.cap)
    elif policy is ast.NotApplicable.ZERO:
        interval = _with(interval, ZERO)
    excludable = policy is ast.NotApplicable.RESCALE or through_children
    return _Node(interval, node.cap, excludable)


def _sections(node: ast.Indicator, kids: list[_Node]) -> Interval:
    """A bonus node: min(cap, Σ bonus) − Σ penalty; a penalty node: min(cap, Σ penalty).
    An excluded child counts 0 (sections never rescale)."""
    bonus = [_counted(k) for c, k in zip(node.children, kids, strict=True)
             if c.section is ast.Section.BONUS]
    penalty = [_counted(k) for c, k in zip(node.children, kids, strict=True)
               if c.section is ast.Section.PENALTY]
    b = Interval(_add(i.low for i in bonus), _add(i.high for i in bonus))
    p = Interval(_add(i.low for i in penalty), _add(i.high for i in penalty))
    cap = node.cap
    if node.section is ast.Section.BONUS:
        with decimal.localcontext(_EXACT):
            return Interval(min(b.low, cap) - p.high, min(b.high, cap) - p.low)
    return Interval(min(p.low, cap), min(p.high, cap))


def _counted(kid: _Node) -> Interval:
    return _with(kid.interval, ZERO) if kid.excludable else kid.interval


def _regular(cap: Decimal, kids: list[_Node], *, clamp: bool) -> Interval:
    """Σ children, or their rescaled sum when some are excluded; at most cap if ``clamp``."""
    low = _add(k.interval.low for k in kids)
    high = _add(k.interval.high for k in kids)
    if any(k.excludable for k in kids):
        try:
            lowest, highest = _rescaled(cap, kids)
        except ArithmeticError:  # digits beyond the runtime's context: the evaluator fails too
            lowest, highest = ZERO, cap
        if lowest is not None:
            low = min(low, lowest)
        if highest is not None:
            high = max(high, highest)
    if clamp:
        low, high = min(low, cap), min(high, cap)
    return Interval(low, high)


def _rescaled(cap: Decimal, kids: list[_Node]) -> tuple[Decimal | None, Decimal | None]:
    """The lowest and highest rescaled sums, over every way of excluding some (not all)
    excludable children: rounded(Σ applicable scores × cap / Σ applicable caps)."""
    if any(not k.interval.is_finite for k in kids):
        return -INF, INF
    positive = [k for k in kids if k.cap > 0]
    fixed = [k for k in positive if not k.excludable]
    free = [k for k in positive if k.excludable]
    zero_caps = [k for k in kids if k.cap <= 0]
    # At least one child is excluded: a zero-cap child, or one of the free positive ones.
    must_drop = not any(k.excludable for k in zero_caps)
    lows, highs = [], []
    if not fixed and zero_caps:
        lows.append(ZERO)  # every positive child excluded, zero-cap children left: 0
        highs.append(ZERO)
    best = _best_rescaled(cap, fixed, free, must_drop, highest=True)
    if best is not None:
        highs.append(best)
    best = _best_rescaled(cap, fixed, free, must_drop, highest=False)
    if best is not None:
        lows.append(best)
    return (min(lows) if lows else None), (max(highs) if highs else None)


def _best_rescaled(
    cap: Decimal, fixed: list[_Node], free: list[_Node], must_drop: bool, *, highest: bool
) -> Decimal | None:
    """The highest (or lowest) rounded(cap × H / C) over the applicable sets made of every
    ``fixed`` child and some ``free`` ones (not all of them when ``must_drop``), H and C being
    the set's best (worst) scores and its caps; None when there is no such set.

    The best ratio of sums is found exactly by Dinkelbach's iteration: for a trial ratio λ,
    the set maximising Σ (h − λc) is every child with h − λc > 0 (mended to be a valid set),
    whose own ratio is the next trial; the ratios rise to the best one in a few rounds.
    """
    sign = 1 if highest else -1  # the lowest ratio is the highest of the negated scores

    def score(kid: _Node) -> Decimal:
        return kid.interval.high if highest else kid.interval.low

    h = [sign * Fraction(score(k)) for k in free]
    c = [Fraction(k.cap) for k in free]
    base_h = sign * sum((Fraction(score(k)) for k in fixed), Fraction(0))
    base_c = sum((Fraction(k.cap) for k in fixed), Fraction(0))
    everyone = set(range(len(free)))

    def valid(chosen: set[int]) -> bool:
        return (bool(fixed) or bool(chosen)) and not (must_drop and chosen == everyone)

    def ratio(chosen: set[int]) -> Fraction:
        return (base_h + sum((h[i] for i in chosen), Fraction(0))) / (
            base_c + sum((c[i] for i in chosen), Fraction(0))
        )

    chosen: set[int] = set() if fixed else {0} if free else set()
    if not valid(chosen):
        return None
    best = ratio(chosen)
    while True:
        weight = [h[i] - best * c[i] for i in range(len(free))]
        trial = {i for i in everyone if weight[i] > 0}
        if not fixed and not trial:
            trial = {max(everyone, key=lambda i: weight[i])}
        if must_drop and trial == everyone:
            trial = everyone - {min(everyone, key=lambda i: weight[i])}
        if not valid(trial):
            break
        better = ratio(trial)
        if better <= best:
            break
        chosen, best = trial, better
    h_sum = _add([score(k) for k in fixed] + [score(free[i]) for i in sorted(chosen)])
    c_sum = _add([k.cap for k in fixed] + [free[i].cap for i in sorted(chosen)])
    with decimal.localcontext(runtime.CONTEXT):
        return runtime.rounded(h_sum * cap / c_sum)


def _total(framework: ast.Framework, tops: list[_Node], nodes: Sequence[ast.Indicator]) -> Interval:
    regular = [k for k, n in zip(tops, nodes, strict=True) if n.section is ast.Section.REGULAR]
    full = framework.total
    if full is None:
        full = _add(k.cap for k in regular)
    if regular:
        total = _regular(full, regular, clamp=False)
        if all(k.excludable for k in regular):
            total = _with(total, ZERO)  # every regular indicator excluded: 0
    else:
        total = Interval(ZERO, ZERO)
    low, high = total.low, total.high
    with decimal.localcontext(_EXACT):
        for kid, node in zip(tops, nodes, strict=True):
            counted = _counted(kid)
            if node.section is ast.Section.BONUS:
                low, high = low + counted.low, high + counted.high
            elif node.section is ast.Section.PENALTY:
                low, high = low - counted.high, high - counted.low
    low, high = max(low, ZERO), max(high, ZERO)
    if framework.total_capped and framework.total is not None:
        low, high = min(low, framework.total), min(high, framework.total)
    return Interval(low, high)
