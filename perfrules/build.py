"""Lark tree to the immutable AST: literals parsed exactly, every node given its span."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

import lark
from lark import Token, Transformer_NonRecursive, v_args
from lark.exceptions import VisitError

from . import ast
from .errors import Diagnostic, PerfrulesError, RuleSyntaxError
from .source import Source, Span

#: Indicators and composite parts may nest at most this deep (later passes recurse).
MAX_NESTING = 24

#: Digits allowed in a literal before and after the decimal point.
MAX_INTEGER_DIGITS = 15
MAX_FRACTION_DIGITS = 10

_NESTING_NODES = frozenset({"indicator", "part"})

#: Escapes inside quoted texts; any other escaped character stands for itself (\" \\).
_ESCAPES = {"n": "\n", "t": "\t"}


class _BuildError(PerfrulesError):
    def __init__(self, diagnostic: Diagnostic):
        self.diagnostic = diagnostic
        super().__init__(diagnostic.message)


def _check_nesting(tree: lark.Tree, source: Source) -> None:
    stack: list[tuple[lark.Tree, int]] = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if node.data in _NESTING_NODES:
            depth += 1
            if depth > MAX_NESTING:
                # Point at the node's first token (its code, or 'part'), not the whole node.
                span = Span.from_meta(node.meta, source.name)
                if span is not None:
                    span = Span(span.source, span.line, span.column, span.line, span.column + 1)
                raise RuleSyntaxError(
                    [
                        Diagnostic(
                            "nesting-too-deep",
                            f"indicators and composite parts nest at most {MAX_NESTING} deep",
                            span,
                        )
                    ],
                    source,
                )
        stack.extend((child, depth) for child in node.children if isinstance(child, lark.Tree))


def _tokens(children: list[Any], kind: str | None = None) -> list[Token]:
    return [c for c in children if isinstance(c, Token) and (kind is None or c.type == kind)]


def _of(children: list[Any], cls: type | tuple[type, ...]) -> list[Any]:
    return [c for c in children if isinstance(c, cls)]


def _one(children: list[Any], cls: type | tuple[type, ...]) -> Any:
    found = _of(children, cls)
    return found[0] if found else None


@v_args(meta=True)
class _ToAst(Transformer_NonRecursive):  # type: ignore[misc]
    def __init__(self, source: Source):
        super().__init__()
        self.source = source

    # ------------------------------------------------------------ helpers
    def _span(self, meta: Any) -> Span | None:
        return Span.from_meta(meta, self.source.name)

    def _token_span(self, token: Token) -> Span | None:
        return Span.from_meta(token, self.source.name)

    def _decimal(self, token: Token) -> Decimal:
        text = token.value.rstrip("%％")
        sign = ""
        if text[:1] in "+-":
            sign, text = text[0], text[1:]
        whole, _, fraction = text.partition(".")
        if len(whole) > MAX_INTEGER_DIGITS or len(fraction) > MAX_FRACTION_DIGITS:
            raise _BuildError(
                Diagnostic(
                    "number-too-long",
                    f"a number may have at most {MAX_INTEGER_DIGITS} digits before and "
                    f"{MAX_FRACTION_DIGITS} after the decimal point",
                    self._token_span(token),
                )
            )
        try:
            # Full-width digits (９９) are digits to Decimal as well.
            return Decimal(sign + text)
        except InvalidOperation:  # pragma: no cover - the grammar admits only digits
            raise _BuildError(
                Diagnostic("bad-number", f"{token.value!r} is not a number", self._token_span(token))
            ) from None

    def _string(self, token: Token) -> str:
        body = token.value[1:-1]
        out: list[str] = []
        chars = iter(body)
        for char in chars:
            if char == "\\":
                escaped = next(chars, "")
                out.append(_ESCAPES.get(escaped, escaped))
            else:
                out.append(char)
        return "".join(out)

    def _label(self, item: Any) -> str:
        if isinstance(item, Token):
            return self._string(item) if item.type == "STRING" else str(item.value)
        raise TypeError(item)  # pragma: no cover

    def _ref(self, token: Token) -> ast.InputRef:
        return ast.InputRef(str(token.value), span=self._token_span(token))

    # ------------------------------------------------------------ file
    def start(self, meta: Any, children: list[Any]) -> ast.Framework:
        settings: dict[str, Any] = children[0]
        inputs: tuple[ast.InputDecl, ...] = ()
        indicators = []
        for child in children[1:]:
            if isinstance(child, tuple):
                inputs = child
            elif isinstance(child, ast.Indicator):
                indicators.append(child)
        return ast.Framework(
            inputs=inputs, indicators=tuple(indicators), span=self._span(meta), **settings
        )

    def framework_block(self, meta: Any, children: list[Any]) -> dict[str, Any]:
        settings: dict[str, Any] = {"name": self._string(children[0])}
        grades: list[ast.GradeBand] = []
        vetoes: list[ast.Veto] = []
        seen: set[str] = set()
        for key, value, span in children[1:]:
            if key == "veto":
                vetoes.append(value)
                continue
            if key in seen:
                raise _BuildError(
                    Diagnostic(
                        "duplicate-setting",
                        f"the framework block says '{key}' twice; say it once",
                        span,
                    )
                )
            seen.add(key)
            if key == "grades":
                grades.extend(value)
            else:
                settings.update(value if isinstance(value, dict) else {key: value})
        settings["grades"] = tuple(grades)
        settings["vetoes"] = tuple(vetoes)
        return settings

    def year(self, meta: Any, children: list[Any]) -> tuple[str, Any]:
        value = self._decimal(children[0])
        if value != value.to_integral_value() or not 1900 <= value <= 2999:
            raise _BuildError(
                Diagnostic(
                    "bad-year", "a year is a whole number such as 2024", self._span(meta)
                )
            )
        return ("year", int(value), self._span(meta))

    def total(self, meta: Any, children: list[Any]) -> tuple[str, Any]:
        total = {"total": self._decimal(children[0]), "total_capped": children[1]}
        return ("total", total, self._span(meta))

    def capped(self, meta: Any, children: list[Any]) -> bool:
        return True

    def uncapped(self, meta: Any, children: list[Any]) -> bool:
        return False

    def default_counting(self, meta: Any, children: list[Any]) -> tuple[str, Any]:
        return ("counting", children[0], self._span(meta))

    def full_steps(self, meta: Any, children: list[Any]) -> ast.Counting:
        return ast.Counting.FULL

    def started_steps(self, meta: Any, children: list[Any]) -> ast.Counting:
        return ast.Counting.STARTED

    def pro_rata(self, meta: Any, children: list[Any]) -> ast.Counting:
        return ast.Counting.PRO_RATA

    def default_not_applicable(self, meta: Any, children: list[Any]) -> tuple[str, Any]:
        return ("not_applicable", children[0], self._span(meta))

    def na_rescale(self, meta: Any, children: list[Any]) -> ast.NotApplicable:
        return ast.NotApplicable.RESCALE

    def na_full(self, meta: Any, children: list[Any]) -> ast.NotApplicable:
        return ast.NotApplicable.FULL

    def na_zero(self, meta: Any, children: list[Any]) -> ast.NotApplicable:
        return ast.NotApplicable.ZERO

    def grades(self, meta: Any, children: list[Any]) -> tuple[str, Any]:
        return ("grades", children, self._span(meta))

    def grade_band(self, meta: Any, children: list[Any]) -> ast.GradeBand:
        return ast.GradeBand(self._label(children[0]), children[1], span=self._span(meta))

    def grade_otherwise(self, meta: Any, children: list[Any]) -> ast.GradeBand:
        return ast.GradeBand(self._label(children[0]), None, span=self._span(meta))

    def veto_at_most(self, meta: Any, children: list[Any]) -> tuple[str, Any]:
        veto = ast.Veto(
            self._ref(children[0]), at_most=self._label(children[1]), span=self._span(meta)
        )
        return ("veto", veto, self._span(meta))

    def veto_down(self, meta: Any, children: list[Any]) -> tuple[str, Any]:
        bands = self._decimal(children[1])
        if bands != bands.to_integral_value() or bands < 1:
            raise _BuildError(
                Diagnostic(
                    "bad-veto",
                    "a veto drops the grade by a whole number of bands (1 or more)",
                    self._token_span(children[1]),
                )
            )
        veto = ast.Veto(self._ref(children[0]), down=int(bands), span=self._span(meta))
        return ("veto", veto, self._span(meta))

    # ------------------------------------------------------------ inputs
    def inputs_block(self, meta: Any, children: list[Any]) -> tuple[ast.InputDecl, ...]:
        return tuple(children)

    def input_decl(self, meta: Any, children: list[Any]) -> ast.InputDecl:
        name = str(children[0].value)
        input_type, choices = children[1]
        unit = None
        low = high = None
        description = None
        for child in children[2:]:
            if isinstance(child, tuple) and child and child[0] == "unit":
                unit = child[1]
            elif isinstance(child, tuple) and child and child[0] == "range":
                low, high = child[1], child[2]
            elif isinstance(child, Token) and child.type == "STRING":
                description = self._string(child)
        return ast.InputDecl(
            name,
            input_type,
            unit=unit,
            low=low,
            high=high,
            choices=choices,
            description=description,
            span=self._span(meta),
        )

    def percent_type(self, meta: Any, children: list[Any]) -> tuple[ast.InputType, tuple[str, ...]]:
        return (ast.InputType.PERCENT, ())

    def number_type(self, meta: Any, children: list[Any]) -> tuple[ast.InputType, tuple[str, ...]]:
        return (ast.InputType.NUMBER, ())

    def count_type(self, meta: Any, children: list[Any]) -> tuple[ast.InputType, tuple[str, ...]]:
        return (ast.InputType.COUNT, ())

    def bool_type(self, meta: Any, children: list[Any]) -> tuple[ast.InputType, tuple[str, ...]]:
        return (ast.InputType.BOOL, ())

    def money_type(self, meta: Any, children: list[Any]) -> tuple[ast.InputType, tuple[str, ...]]:
        return (ast.InputType.MONEY, ())

    def level_type(self, meta: Any, children: list[Any]) -> tuple[ast.InputType, tuple[str, ...]]:
        return (ast.InputType.LEVEL, tuple(self._label(c) for c in children))

    def awards_type(self, meta: Any, children: list[Any]) -> tuple[ast.InputType, tuple[str, ...]]:
        return (ast.InputType.AWARDS, tuple(self._label(c) for c in children))

    def unit(self, meta: Any, children: list[Any]) -> tuple[str, str]:
        return ("unit", self._string(children[0]))

    def range_between(self, meta: Any, children: list[Any]) -> tuple[str, Any, Any]:
        return ("range", children[0], children[1])

    def range_from(self, meta: Any, children: list[Any]) -> tuple[str, Any, Any]:
        return ("range", children[0], None)

    def range_to(self, meta: Any, children: list[Any]) -> tuple[str, Any, Any]:
        return ("range", None, children[0])

    # ------------------------------------------------------------ tree
    def indicator(self, meta: Any, children: list[Any]) -> ast.Indicator:
        section = ast.Section.REGULAR
        if isinstance(children[0], ast.Section):
            section = children.pop(0)
        code, name, cap = children[0], children[1], children[2]
        fields: dict[str, Any] = {}
        rules: list[Any] = []
        kids: list[ast.Indicator] = []
        for item in children[3:]:
            if isinstance(item, ast.Indicator):
                kids.append(item)
            elif isinstance(item, tuple):
                key, value = item
                if key in fields:
                    raise _BuildError(
                        Diagnostic(
                            "duplicate-item",
                            f"indicator {code.value} says '{key.replace('_', ' ')}' twice",
                            value[1] if isinstance(value, tuple) else self._span(meta),
                        )
                    )
                fields[key] = value[0] if isinstance(value, tuple) else value
            else:
                rules.append(item)
        if len(rules) > 1:
            raise _BuildError(
                Diagnostic(
                    "several-rules",
                    f"indicator {code.value} has {len(rules)} rules; a leaf carries exactly one "
                    "(combine them with 'combine sum { part … }')",
                    rules[1].span,
                )
            )
        return ast.Indicator(
            str(code.value),
            self._string(name),
            self._decimal(cap),
            section=section,
            rule=rules[0] if rules else None,
            children=tuple(kids),
            span=self._span(meta),
            **fields,
        )

    def bonus_section(self, meta: Any, children: list[Any]) -> ast.Section:
        return ast.Section.BONUS

    def penalty_section(self, meta: Any, children: list[Any]) -> ast.Section:
        return ast.Section.PENALTY

    def description(self, meta: Any, children: list[Any]) -> tuple[str, Any]:
        return ("description", (self._string(children[0]), self._span(meta)))

    def criterion(self, meta: Any, children: list[Any]) -> tuple[str, Any]:
        return ("criterion", (self._string(children[0]), self._span(meta)))

    def node_not_applicable(self, meta: Any, children: list[Any]) -> tuple[str, Any]:
        return ("not_applicable", (children[0], self._span(meta)))

    def allow_cap_mismatch(self, meta: Any, children: list[Any]) -> tuple[str, Any]:
        return ("allow_cap_mismatch", (True, self._span(meta)))

    # ------------------------------------------------------------ rules
    def yes_no(self, meta: Any, children: list[Any]) -> ast.YesNo:
        return ast.YesNo(self._ref(children[1]), children[0], span=self._span(meta))

    def yes_no_negated(self, meta: Any, children: list[Any]) -> ast.YesNo:
        return ast.YesNo(self._ref(children[1]), children[0], negated=True, span=self._span(meta))

    def full_points(self, meta: Any, children: list[Any]) -> Decimal | None:
        return None

    def number_points(self, meta: Any, children: list[Any]) -> Decimal | None:
        return self._decimal(children[0])

    def threshold(self, meta: Any, children: list[Any]) -> ast.Threshold:
        name, bound, points = children[0], children[1], children[2]
        # Steps that go away from the bound's good side count the shortfall; steps that go
        # further into it add points (a bonus-style threshold).
        shortfall_direction = "lower" if bound.op in (">=", ">", "=") else "higher"
        short = beyond = None
        cutoff = None
        for item in children[3:]:
            if isinstance(item, ast.Steps):
                if item.direction == "beyond":
                    raise _BuildError(
                        Diagnostic(
                            "bad-step-direction",
                            "a threshold counts steps 'lower' or 'higher', not 'beyond'",
                            item.span,
                        )
                    )
                if item.direction == shortfall_direction:
                    short = item if short is None else _twice(item)
                else:
                    beyond = item if beyond is None else _twice(item)
            elif isinstance(item, tuple):
                cutoff = item[1]
        return ast.Threshold(
            self._ref(name),
            bound,
            points,
            short=short,
            beyond=beyond,
            cutoff=cutoff,
            span=self._span(meta),
        )

    def cutoff(self, meta: Any, children: list[Any]) -> tuple[str, ast.Comparison]:
        return ("cutoff", children[0])

    def proportional(self, meta: Any, children: list[Any]) -> ast.Proportional:
        return ast.Proportional(self._ref(children[0]), children[1], span=self._span(meta))

    def bands(self, meta: Any, children: list[Any]) -> ast.Bands:
        return ast.Bands(self._ref(children[0]), tuple(children[1:]), span=self._span(meta))

    def band(self, meta: Any, children: list[Any]) -> ast.Band:
        return ast.Band(children[0], children[1], span=self._span(meta))

    def open_interval(self, meta: Any, children: list[Any]) -> ast.Interval:
        comparison: ast.Comparison = children[0]
        value = comparison.operand
        if isinstance(value, ast.InputRef):
            raise _BuildError(
                Diagnostic(
                    "band-bound-not-constant",
                    "a band's bound is a number, not an input",
                    value.span,
                )
            )
        span = self._span(meta)
        match comparison.op:
            case ">=":
                return ast.Interval(value, True, None, False, span=span)
            case ">":
                return ast.Interval(value, False, None, False, span=span)
            case "<=":
                return ast.Interval(None, False, value, True, span=span)
            case "<":
                return ast.Interval(None, False, value, False, span=span)
            case _:
                return ast.Interval(value, True, value, True, span=span)

    def _interval(self, meta: Any, children: list[Any], low: bool, high: bool) -> ast.Interval:
        return ast.Interval(children[0], low, children[1], high, span=self._span(meta))

    def interval_ii(self, meta: Any, children: list[Any]) -> ast.Interval:
        return self._interval(meta, children, True, True)

    def interval_ie(self, meta: Any, children: list[Any]) -> ast.Interval:
        return self._interval(meta, children, True, False)

    def interval_ei(self, meta: Any, children: list[Any]) -> ast.Interval:
        return self._interval(meta, children, False, True)

    def interval_ee(self, meta: Any, children: list[Any]) -> ast.Interval:
        return self._interval(meta, children, False, False)

    def deduct(self, meta: Any, children: list[Any]) -> ast.Deduct:
        occurrences = tuple(_of(children, ast.Occurrence))
        limits = _tokens(children, "NUMBER")
        limit = self._decimal(limits[0]) if limits else None
        return ast.Deduct(occurrences, limit, span=self._span(meta))

    def per_occurrence(self, meta: Any, children: list[Any]) -> ast.Occurrence:
        return ast.Occurrence(
            self._ref(children[1]), self._decimal(children[0]), span=self._span(meta)
        )

    def flag_occurrence(self, meta: Any, children: list[Any]) -> ast.Occurrence:
        return ast.Occurrence(
            self._ref(children[1]), self._decimal(children[0]), is_flag=True, span=self._span(meta)
        )

    def baseline(self, meta: Any, children: list[Any]) -> ast.Baseline:
        name, reference, base = children[0], children[1], children[2]
        lower = higher = None
        for steps in _of(children[3:], ast.Steps):
            if steps.direction == "lower":
                lower = steps if lower is None else _twice(steps)
            elif steps.direction == "higher":
                higher = steps if higher is None else _twice(steps)
            else:
                raise _BuildError(
                    Diagnostic(
                        "bad-step-direction",
                        "a baseline moves by steps 'lower' or 'higher', not 'beyond'",
                        steps.span,
                    )
                )
        return ast.Baseline(
            self._ref(name), reference, self._decimal(base), lower, higher, span=self._span(meta)
        )

    def deviation(self, meta: Any, children: list[Any]) -> ast.Deviation:
        quantities = _of(children, ast.Quantity)
        target = children[1]
        tolerance = quantities[-1]
        steps = _one(children, ast.Steps)
        if steps is not None and steps.direction != "beyond":
            raise _BuildError(
                Diagnostic(
                    "bad-step-direction",
                    "a deviation rule counts steps 'beyond' its tolerance",
                    steps.span,
                )
            )
        return ast.Deviation(
            self._ref(children[0]), target, tolerance, steps, span=self._span(meta)
        )

    def graded(self, meta: Any, children: list[Any]) -> ast.Graded:
        return ast.Graded(self._ref(children[0]), tuple(children[1:]), span=self._span(meta))

    def level(self, meta: Any, children: list[Any]) -> ast.Level:
        return ast.Level(self._label(children[0]), children[1], span=self._span(meta))

    def judged(self, meta: Any, children: list[Any]) -> ast.Judged:
        return ast.Judged(span=self._span(meta))

    def composite(self, meta: Any, children: list[Any]) -> ast.Composite:
        return ast.Composite(children[0], tuple(children[1:]), span=self._span(meta))

    def combine_sum(self, meta: Any, children: list[Any]) -> ast.Combine:
        return ast.Combine.SUM

    def combine_weighted(self, meta: Any, children: list[Any]) -> ast.Combine:
        return ast.Combine.WEIGHTED

    def combine_min(self, meta: Any, children: list[Any]) -> ast.Combine:
        return ast.Combine.MIN

    def combine_max(self, meta: Any, children: list[Any]) -> ast.Combine:
        return ast.Combine.MAX

    def part(self, meta: Any, children: list[Any]) -> ast.Part:
        numbers = _tokens(children, "NUMBER")
        weight = self._decimal(numbers[1]) if len(numbers) > 1 else None
        return ast.Part(self._decimal(numbers[0]), weight, children[-1], span=self._span(meta))

    def awards(self, meta: Any, children: list[Any]) -> ast.Awards:
        return ast.Awards(
            self._ref(children[0]), children[1], tuple(children[2:]), span=self._span(meta)
        )

    def highest_per_item(self, meta: Any, children: list[Any]) -> ast.Stacking:
        return ast.Stacking.HIGHEST_PER_ITEM

    def all_count(self, meta: Any, children: list[Any]) -> ast.Stacking:
        return ast.Stacking.ALL

    def award(self, meta: Any, children: list[Any]) -> ast.Award:
        return ast.Award(
            self._label(children[0]), self._decimal(children[1]), span=self._span(meta)
        )

    # ------------------------------------------------------------ shared pieces
    def steps(self, meta: Any, children: list[Any]) -> ast.Steps:
        size, direction, effect, points = children[0], children[1], children[2], children[3]
        counting = children[4] if len(children) > 4 else None
        return ast.Steps(
            size,
            direction,
            effect,
            self._decimal(points),
            counting,
            span=self._span(meta),
        )

    def lower(self, meta: Any, children: list[Any]) -> str:
        return "lower"

    def higher(self, meta: Any, children: list[Any]) -> str:
        return "higher"

    def beyond(self, meta: Any, children: list[Any]) -> str:
        return "beyond"

    def deduct_effect(self, meta: Any, children: list[Any]) -> str:
        return "deduct"

    def add_effect(self, meta: Any, children: list[Any]) -> str:
        return "add"

    def comparison(self, meta: Any, children: list[Any]) -> ast.Comparison:
        op = {"≥": ">=", "≤": "<="}.get(children[0].value, children[0].value)
        return ast.Comparison(op, children[1], span=self._span(meta))

    def input_ref(self, meta: Any, children: list[Any]) -> ast.InputRef:
        return self._ref(children[0])

    def amount(self, meta: Any, children: list[Any]) -> ast.Quantity:
        token = children[0]
        return ast.Quantity(
            self._decimal(token), token.type == "PERCENT", span=self._token_span(token)
        )


def _twice(steps: ast.Steps) -> ast.Steps:
    raise _BuildError(
        Diagnostic(
            "duplicate-steps",
            f"this rule already has steps going {steps.direction}",
            steps.span,
        )
    )


def to_ast(tree: lark.Tree, source: Source) -> ast.Framework:
    """Build the AST of a parsed rule file.

    Raises:
        RuleSyntaxError: a literal out of bounds, nesting too deep, or a misplaced clause.
    """
    _check_nesting(tree, source)
    try:
        framework = _ToAst(source).transform(tree)
    except VisitError as error:
        if isinstance(error.orig_exc, _BuildError):
            raise RuleSyntaxError([error.orig_exc.diagnostic], source) from None
        raise
    except _BuildError as error:
        raise RuleSyntaxError([error.diagnostic], source) from None
    assert isinstance(framework, ast.Framework)
    return framework
