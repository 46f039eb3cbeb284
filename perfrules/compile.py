"""Checked framework to evaluator: one generated Python function per framework.

Generated code is straight-line Decimal arithmetic, as fast as a hand-written scorer. It is
safe to generate from untrusted rule files because the source depends only on the *shape* of
the framework: every literal sits in the constant tuple ``K``, every input is read by slot
number from ``I``, and no code, name or text that a rule author wrote ever enters the source.
The function runs with no builtins, only ``runtime.EXPORTED``.
"""

from __future__ import annotations

import hashlib
import itertools
import linecache
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from attrs import frozen

from . import ast, runtime
from .check import CheckedFramework
from .source import Span

_STEP_FUNCTIONS = {
    ast.Counting.FULL: "steps_full",
    ast.Counting.STARTED: "steps_started",
    ast.Counting.PRO_RATA: "steps_pro_rata",
}

_PYTHON_OPS = {">=": ">=", ">": ">", "<=": "<=", "<": "<", "=": "=="}


@frozen
class Evaluator:
    """A compiled framework.

    ``function(I, J, A, NA)`` takes the input slots (a tuple in ``slots`` order), judged
    scores by node index, adjusted scores by node index, and not-applicable replacements by
    node index (None: excluded and rescaled), and returns ``(scores, facts, rule_scores,
    total)``: a score per node in pre-order, the facts each leaf's rule recorded (what the
    explanations are made from), the rules' own scores of adjusted nodes, and the total.
    """

    function: Callable[..., tuple[tuple[Any, ...], tuple[Any, ...], dict[int, Decimal], Decimal]]
    python_source: str
    filename: str
    slots: tuple[str, ...]
    constants: tuple[Any, ...]
    span_map: dict[int, Span | None]
    #: (slot, node index, requirement) for inputs used as divisors: "positive" (a
    #: proportional target must be > 0) or "nonzero" (a relative deviation's target).
    divisor_slots: tuple[tuple[int, int, str], ...]

    def span_at(self, line: int) -> Span | None:
        """The rule or indicator behind a line of the generated source (nearest above)."""
        known = [number for number in self.span_map if number <= line]
        return self.span_map[max(known)] if known else None


class _Emitter:
    def __init__(self, checked: CheckedFramework):
        self.checked = checked
        self.slots = {name: position for position, name in enumerate(checked.inputs)}
        self.constants: list[Any] = []
        self._constant_index: dict[tuple[type, Any], int] = {}
        self.lines: list[str] = []
        self.span_map: dict[int, Span | None] = {}
        self.divisor_slots: list[tuple[int, int, str]] = []
        self._temps = itertools.count()
        self.node = 0

    # ------------------------------------------------------------ plumbing
    def const(self, value: Any) -> str:
        key = (type(value), value if not isinstance(value, dict) else id(value))
        if key not in self._constant_index:
            self._constant_index[key] = len(self.constants)
            self.constants.append(value)
        return f"K[{self._constant_index[key]}]"

    def slot(self, ref: ast.InputRef) -> str:
        return f"I[{self.slots[ref.name]}]"

    def operand(self, operand: ast.Operand) -> str:
        if isinstance(operand, ast.InputRef):
            return self.slot(operand)
        return self.const(operand.value)

    def temp(self, stem: str) -> str:
        return f"{stem}{next(self._temps)}"

    def emit(self, indent: int, text: str, span: Span | None = None) -> None:
        self.lines.append("    " * indent + text)
        if span is not None:
            self.span_map[len(self.lines)] = span

    def points(self, points: Decimal | None, cap: str) -> str:
        return cap if points is None else self.const(points)

    def steps_count(self, steps: ast.Steps, distance: str) -> str:
        function = _STEP_FUNCTIONS[self.checked.counting(steps)]
        return f"{function}({distance}, {self.const(steps.size.value)})"

    def is_pro_rata(self, steps: ast.Steps | None) -> bool:
        return steps is not None and self.checked.counting(steps) is ast.Counting.PRO_RATA

    # ------------------------------------------------------------ rules
    def rule(self, rule: ast.Rule, cap: str, s: str, f: str, i: int, penalty: bool) -> None:
        """Emit code that sets ``s`` (score) and ``f`` (facts) for ``rule`` under ``cap``."""
        match rule:
            case ast.YesNo():
                self._yes_no(rule, cap, s, f, i)
            case ast.Threshold():
                self._threshold(rule, cap, s, f, i)
            case ast.Proportional():
                self._proportional(rule, cap, s, f, i)
            case ast.Bands():
                self._bands(rule, cap, s, f, i)
            case ast.Deduct():
                self._deduct(rule, cap, s, f, i, penalty)
            case ast.Baseline():
                self._baseline(rule, cap, s, f, i)
            case ast.Deviation():
                self._deviation(rule, cap, s, f, i)
            case ast.Graded():
                self._graded(rule, cap, s, f, i)
            case ast.Judged():
                self.emit(i, f"{s} = J[{self.node}]; {f} = ('judged',)", rule.span)
            case ast.Composite():
                self._composite(rule, cap, s, f, i, penalty)
            case ast.Awards():
                self._awards(rule, cap, s, f, i)
            case _:  # pragma: no cover - the Rule union is closed
                raise AssertionError(f"no emitter for {type(rule).__name__}")

    def _yes_no(self, rule: ast.YesNo, cap: str, s: str, f: str, i: int) -> None:
        test = ("not " if rule.negated else "") + self.slot(rule.input)
        self.emit(i, f"if {test}:", rule.span)
        self.emit(i + 1, f"{s} = {self.points(rule.points, cap)}; {f} = ('met',)")
        self.emit(i, "else:")
        self.emit(i + 1, f"{s} = ZERO; {f} = ('missed',)")

    def _distance(self, op: str, x: str, bound: str, away: bool) -> str:
        """Distance between x and the bound, positive on the side named by ``away``."""
        if op == "=":
            return f"absolute({x} - {bound})"
        higher_is_better = op in (">=", ">")
        if higher_is_better != away:
            return f"{x} - {bound}"
        return f"{bound} - {x}"

    def _stepped(
        self,
        steps: ast.Steps,
        distance: str,
        start: str,
        sign: str,
        i: int,
        at_bound: str | None = None,
    ) -> str:
        """Emit ``n`` (steps counted over ``distance``) and ``d`` (their points); return the
        expression ``start ± d``, rounded when the steps are pro rata.

        ``at_bound`` is a condition that is false exactly at the bound, for steps that start
        there: a started step needs a value past the bound ("at least 1" is for a missed one).
        """
        count = self.steps_count(steps, distance)
        if at_bound is not None and self.checked.counting(steps) is ast.Counting.STARTED:
            count = f"({count} if {at_bound} else ZERO)"
        self.emit(i, f"n = {count}; d = n * {self.const(steps.points)}", steps.span)
        value = f"{start} {sign} d"
        return f"rounded({value})" if self.is_pro_rata(steps) else value

    def _threshold(self, rule: ast.Threshold, cap: str, s: str, f: str, i: int) -> None:
        x, bound = self.slot(rule.input), self.operand(rule.bound.operand)
        points = self.points(rule.points, cap)
        op = rule.bound.op
        self.emit(i, f"x = {x}; b = {bound}", rule.span)
        self.emit(i, f"if x {_PYTHON_OPS[op]} b:", rule.bound.span)
        if rule.beyond is not None:
            distance = self._distance(op, "x", "b", away=False)
            value = self._stepped(rule.beyond, distance, points, "+", i + 1, at_bound="x != b")
            self.emit(i + 1, f"{s} = {value}")
            self.emit(i + 1, f"if {s} > {cap}: {s} = {cap}")
            self.emit(i + 1, f"{f} = ('met', n, d)")
        else:
            self.emit(i + 1, f"{s} = {points}; {f} = ('met',)")
        if rule.cutoff is not None:
            cutoff = rule.cutoff
            self.emit(
                i,
                f"elif x {_PYTHON_OPS[cutoff.op]} {self.operand(cutoff.operand)}:",
                cutoff.span,
            )
            self.emit(i + 1, f"{s} = ZERO; {f} = ('cutoff',)")
        self.emit(i, "else:")
        if rule.short is not None:
            distance = self._distance(op, "x", "b", away=True)
            value = self._stepped(rule.short, distance, points, "-", i + 1)
            self.emit(i + 1, f"{s} = {value}")
            self.emit(i + 1, f"if {s} < ZERO: {s} = ZERO")
            self.emit(i + 1, f"{f} = ('short', n, d)")
        else:
            self.emit(i + 1, f"{s} = ZERO; {f} = ('missed',)")

    def _proportional(self, rule: ast.Proportional, cap: str, s: str, f: str, i: int) -> None:
        if isinstance(rule.target, ast.InputRef):
            self.divisor_slots.append((self.slots[rule.target.name], self.node, "positive"))
        target = self.operand(rule.target)
        self.emit(i, f"r = rounded({cap} * {self.slot(rule.input)} / {target})", rule.span)
        self.emit(i, f"{s} = clamp(r, {cap}); {f} = ('ratio', r)")

    def _bands(self, rule: ast.Bands, cap: str, s: str, f: str, i: int) -> None:
        x = self.slot(rule.input)
        self.emit(i, f"x = {x}", rule.span)
        keyword = "if"
        for position, band in enumerate(rule.bands):
            self.emit(i, f"{keyword} {self._interval_test(band.interval)}:", band.span)
            self.emit(i + 1, f"{s} = {self.points(band.points, cap)}; {f} = ('band', {position})")
            keyword = "elif"
        # The checker proves the bands cover the declared range; this branch is unreachable
        # for validated inputs and scores nothing rather than guessing.
        self.emit(i, "else:")
        self.emit(i + 1, f"{s} = ZERO; {f} = ('band', -1)")

    def _interval_test(self, interval: ast.Interval) -> str:
        parts = []
        if interval.low is not None:
            op = "<=" if interval.low_inclusive else "<"
            parts.append(f"{self.const(interval.low.value)} {op} x")
        if interval.high is not None:
            op = "<=" if interval.high_inclusive else "<"
            parts.append(f"x {op} {self.const(interval.high.value)}")
        return " and ".join(parts) if parts else "True"

    def _deduct(self, rule: ast.Deduct, cap: str, s: str, f: str, i: int, penalty: bool) -> None:
        terms = []
        for occurrence in rule.occurrences:
            count = self.slot(occurrence.input)
            if occurrence.is_flag:
                count = f"occurrences({count})"
            terms.append(f"{self.const(occurrence.points)} * {count}")
        self.emit(i, f"d = {' + '.join(terms)}", rule.span)
        if rule.limit is not None:
            limit = self.const(rule.limit)
            self.emit(i, f"c = d if d <= {limit} else {limit}")
        else:
            self.emit(i, "c = d")
        if penalty:
            self.emit(i, f"{s} = c if c <= {cap} else {cap}")
        else:
            self.emit(i, f"{s} = {cap} - c")
            self.emit(i, f"if {s} < ZERO: {s} = ZERO")
        self.emit(i, f"{f} = ('deduct', d, c)")

    def _baseline(self, rule: ast.Baseline, cap: str, s: str, f: str, i: int) -> None:
        base = self.const(rule.base)
        self.emit(i, f"x = {self.slot(rule.input)}; b = {self.operand(rule.reference)}", rule.span)
        self.emit(i, "if x == b:")
        self.emit(i + 1, f"{s} = {base}; {f} = ('at',)")
        for side, test, steps in (("lower", "x < b", rule.lower), ("higher", "x > b", rule.higher)):
            self.emit(i, f"elif {test}:")
            if steps is None:
                self.emit(i + 1, f"{s} = {base}; {f} = ('{side}', ZERO, ZERO)")
                continue
            distance = "b - x" if side == "lower" else "x - b"
            sign = "+" if steps.effect == "add" else "-"
            value = self._stepped(steps, distance, base, sign, i + 1)
            self.emit(i + 1, f"{s} = clamp({value}, {cap}); {f} = ('{side}', n, d)")

    def _deviation(self, rule: ast.Deviation, cap: str, s: str, f: str, i: int) -> None:
        x, target = self.slot(rule.input), self.operand(rule.target)
        relative = rule.tolerance.is_percent
        if relative and isinstance(rule.target, ast.InputRef):
            self.divisor_slots.append((self.slots[rule.target.name], self.node, "nonzero"))
        self.emit(i, f"x = {x}; t = {target}", rule.span)
        if relative:
            self.emit(i, "v = absolute(x - t) * HUNDRED / absolute(t)")
        else:
            self.emit(i, "v = absolute(x - t)")
        tolerance = self.const(rule.tolerance.value)
        self.emit(i, f"if v <= {tolerance}:")
        self.emit(i + 1, f"{s} = {cap}; {f} = ('within', v)")
        self.emit(i, "else:")
        if rule.steps is None:
            self.emit(i + 1, f"{s} = ZERO; {f} = ('outside', v)")
            return
        value = self._stepped(rule.steps, f"v - {tolerance}", cap, "-", i + 1)
        self.emit(i + 1, f"{s} = clamp({value}, {cap}); {f} = ('beyond', v, n, d)")

    def _graded(self, rule: ast.Graded, cap: str, s: str, f: str, i: int) -> None:
        table = {
            level.name: (self._level_points(level, cap), ("level", position))
            for position, level in enumerate(rule.levels)
        }
        self.emit(i, f"e = {self.const(table)}[{self.slot(rule.input)}]", rule.span)
        self.emit(i, f"{s} = e[0]; {f} = e[1]")

    def _level_points(self, level: ast.Level, cap: str) -> Decimal:
        if not level.value.is_percent:
            return level.value.value
        cap_value = self.constants[int(cap[2:-1])]
        return runtime.rounded(cap_value * level.value.value / runtime.HUNDRED)

    def _composite(
        self, rule: ast.Composite, cap: str, s: str, f: str, i: int, penalty: bool
    ) -> None:
        scores, facts = [], []
        for part in rule.parts:
            score, fact = self.temp("q"), self.temp("g")
            self.rule(part.rule, self.const(part.cap), score, fact, i, penalty)
            scores.append(score)
            facts.append(fact)
        listed = ", ".join(scores)
        match rule.mode:
            case ast.Combine.SUM:
                value = " + ".join(scores)
            case ast.Combine.WEIGHTED:
                weighted = " + ".join(
                    f"{self.const(part.weight if part.weight is not None else Decimal(1))} * {q}"
                    for part, q in zip(rule.parts, scores, strict=True)
                )
                value = f"rounded({weighted})"
            case ast.Combine.MIN:
                value = f"minimum(({listed},))"
            case ast.Combine.MAX:
                value = f"maximum(({listed},))"
        self.emit(i, f"{s} = clamp({value}, {cap})", rule.span)
        self.emit(i, f"{f} = ('parts', ({listed},), ({', '.join(facts)},))")

    def _awards(self, rule: ast.Awards, cap: str, s: str, f: str, i: int) -> None:
        table = {award.name: award.points for award in rule.awards}
        function = (
            "awards_highest" if rule.stacking is ast.Stacking.HIGHEST_PER_ITEM else "awards_all"
        )
        self.emit(
            i, f"w, h = {function}({self.slot(rule.input)}, {self.const(table)})", rule.span
        )
        self.emit(i, f"{s} = w if w <= {cap} else {cap}; {f} = ('awards', w, h)")

    # ------------------------------------------------------------ tree
    def node_code(self, index: int) -> None:
        node = self.checked.nodes[index]
        self.node = index
        s, f = f"s{index}", f"f{index}"
        cap = self.const(node.cap)
        self.emit(1, f"if NA and {index} in NA:", node.span)
        self.emit(2, f"{s} = NA[{index}]; {f} = None")
        self.emit(1, "else:")
        if node.rule is not None:
            penalty = node.section is ast.Section.PENALTY
            self.rule(node.rule, cap, s, f, 2, penalty)
        else:
            self.emit(2, f"{f} = None")
            self._aggregate(node, index, s, cap)
        self.emit(1, f"if A and {index} in A:")
        self.emit(2, f"R[{index}] = {s}; {s} = A[{index}]")

    def children(self, index: int) -> list[int]:
        return [c for c, p in enumerate(self.checked.parents) if p == index]

    def _aggregate(self, node: ast.Indicator, index: int, s: str, cap: str) -> None:
        kids = self.children(index)
        scores = [f"s{k}" for k in kids]
        if node.section is ast.Section.REGULAR:
            caps = tuple(self.checked.nodes[k].cap for k in kids)
            self.emit(2, "if NA:")
            self.emit(
                3, f"{s} = rescaled_sum(({', '.join(scores)},), {self.const(caps)}, {cap})[0]"
            )
            self.emit(2, "else:")
            self.emit(3, f"{s} = {' + '.join(scores)}")
            if sum(caps, Decimal(0)) > node.cap:
                self.emit(2, f"if {s} is not None and {s} > {cap}: {s} = {cap}")
            return
        bonus = [f"s{k}" for k in kids if self.checked.nodes[k].section is ast.Section.BONUS]
        penalty = [f"s{k}" for k in kids if self.checked.nodes[k].section is ast.Section.PENALTY]
        self.emit(2, f"b = {self._sum_present(bonus)}")
        self.emit(2, f"p = {self._sum_present(penalty)}")
        if node.section is ast.Section.BONUS:
            self.emit(2, f"{s} = (b if b <= {cap} else {cap}) - p")
        else:
            self.emit(2, f"{s} = (p if p <= {cap} else {cap})")

    @staticmethod
    def _sum_present(scores: list[str]) -> str:
        """A sum that counts not-applicable (None) scores as 0; bonus sections never rescale."""
        if not scores:
            return "ZERO"
        return " + ".join(f"({v} or ZERO)" for v in scores)

    def total_code(self) -> None:
        framework = self.checked.framework
        tops = [k for k, p in enumerate(self.checked.parents) if p is None]
        regular = [k for k in tops if self.checked.nodes[k].section is ast.Section.REGULAR]
        bonus = [k for k in tops if self.checked.nodes[k].section is ast.Section.BONUS]
        penalty = [k for k in tops if self.checked.nodes[k].section is ast.Section.PENALTY]
        caps = tuple(self.checked.nodes[k].cap for k in regular)
        full_total = framework.total if framework.total is not None else sum(caps, Decimal(0))
        scores = ", ".join(f"s{k}" for k in regular)
        self.emit(1, "if NA:")
        if regular:
            self.emit(
                2,
                f"total = rescaled_sum(({scores},), {self.const(caps)}, "
                f"{self.const(full_total)})[0] or ZERO",
            )
        else:
            self.emit(2, "total = ZERO")
        self.emit(1, "else:")
        self.emit(2, f"total = {' + '.join(f's{k}' for k in regular) or 'ZERO'}")
        for k in bonus:
            self.emit(1, f"total = total + (s{k} or ZERO)")
        for k in penalty:
            self.emit(1, f"total = total - (s{k} or ZERO)")
        self.emit(1, "if total < ZERO: total = ZERO")
        if framework.total_capped and framework.total is not None:
            limit = self.const(framework.total)
            self.emit(1, f"if total > {limit}: total = {limit}")


def _post_order(checked: CheckedFramework) -> list[int]:
    order: list[int] = []
    children: dict[int | None, list[int]] = {}
    for index, parent in enumerate(checked.parents):
        children.setdefault(parent, []).append(index)
    stack: list[tuple[int, bool]] = [(k, False) for k in reversed(children.get(None, []))]
    while stack:
        index, expanded = stack.pop()
        if expanded:
            order.append(index)
            continue
        stack.append((index, True))
        stack.extend((k, False) for k in reversed(children.get(index, [])))
    return order


def compile_framework(checked: CheckedFramework) -> Evaluator:
    """Generate, compile and load the evaluator of a checked framework."""
    emitter = _Emitter(checked)
    emitter.emit(0, "def evaluate(I, J, A, NA):")
    emitter.emit(1, "R = {}")
    for index in _post_order(checked):
        emitter.node_code(index)
    emitter.total_code()
    count = len(checked.nodes)
    emitter.emit(1, "return (" + "".join(f"s{k}, " for k in range(count)) + "), (" + "".join(
        f"f{k}, " for k in range(count)) + "), R, total")
    source = "\n".join(emitter.lines) + "\n"
    # Named by content: the same framework always gets the same name (and linecache entry).
    filename = f"<perfrules evaluator {hashlib.sha256(source.encode()).hexdigest()[:16]}>"
    code = compile(source, filename, "exec")
    # Registered so tracebacks through generated code show its lines.
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    constants = tuple(emitter.constants)
    namespace: dict[str, Any] = {"__builtins__": {}, "K": constants, **runtime.EXPORTED}
    exec(code, namespace)  # noqa: S102 - the source holds no user text (see module docstring)
    return Evaluator(
        namespace["evaluate"],
        source,
        filename,
        tuple(checked.inputs),
        constants,
        emitter.span_map,
        tuple(emitter.divisor_slots),
    )
