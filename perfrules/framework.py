"""A loaded framework: the checked tree plus its compiled evaluator; scores units."""

from __future__ import annotations

import decimal
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import attrs
from attrs import frozen

from . import ast, explain, runtime
from .check import CheckedFramework
from .compile import Evaluator
from .errors import Diagnostic, EvaluationError, InputError, InputProblem
from .inputs import UnitInputs, ValidInputs, from_mapping, validate
from .result import Adjustment, NodeResult, Reason, Result, descendants, format_number

_SECTION_NAMES = {
    ast.Section.REGULAR: "regular",
    ast.Section.BONUS: "bonus",
    ast.Section.PENALTY: "penalty",
}


@frozen
class PreparedUnit:
    """A unit's validated inputs laid out for the evaluator (see :meth:`Framework.prepare`)."""

    valid: ValidInputs
    slots: tuple[Any, ...]
    judged: dict[int, Decimal]
    adjusted: dict[int, Decimal]
    replaced: dict[int, Decimal | None]


class Framework:
    """A checked, compiled indicator framework.

    Use :func:`perfrules.load` to get one. ``framework.score(inputs)`` scores a unit;
    ``framework.codes`` lists the indicator codes in tree order; ``framework[code]`` is the
    indicator's AST node; ``framework.warnings`` holds the checker's warnings.
    """

    def __init__(self, checked: CheckedFramework, evaluator: Evaluator):
        self._checked = checked
        self._evaluator = evaluator
        self._index = checked.positions
        self._codes = tuple(node.code for node in checked.nodes)
        self._children: dict[str, tuple[str, ...]] = {node.code: () for node in checked.nodes}
        kids: dict[int, list[str]] = {}
        for i, parent in enumerate(checked.parents):
            if parent is not None:
                kids.setdefault(parent, []).append(checked.nodes[i].code)
        for parent, codes in kids.items():
            self._children[checked.nodes[parent].code] = tuple(codes)
        self._explainer = explain.Explainer(checked.inputs, checked.counting)
        self._grades = tuple(band.name for band in checked.framework.grades)

    # ------------------------------------------------------------ description
    @property
    def name(self) -> str:
        return self._checked.framework.name

    @property
    def year(self) -> int | None:
        return self._checked.framework.year

    @property
    def ast(self) -> ast.Framework:
        """The framework's syntax tree (immutable)."""
        return self._checked.framework

    @property
    def source_name(self) -> str:
        return self._checked.source_name

    @property
    def codes(self) -> tuple[str, ...]:
        """Every indicator code, in tree order."""
        return self._codes

    @property
    def inputs(self) -> Mapping[str, ast.InputDecl]:
        """The declared inputs by name, in declaration order."""
        return self._checked.inputs

    @property
    def grades(self) -> tuple[str, ...]:
        """The grade names, best first."""
        return self._grades

    @property
    def warnings(self) -> tuple[Diagnostic, ...]:
        return self._checked.warnings

    @property
    def python_source(self) -> str:
        """The generated evaluator's source, for debugging (it holds no text of the rule file)."""
        return self._evaluator.python_source

    def __getitem__(self, code: str) -> ast.Indicator:
        return self._checked.nodes[self._index[code]]

    def level(self, code: str) -> int:
        return self._checked.levels[self._index[code]]

    def parent(self, code: str) -> str | None:
        parent = self._checked.parents[self._index[code]]
        return None if parent is None else self._checked.nodes[parent].code

    def children(self, code: str) -> tuple[str, ...]:
        return self._children[code]

    def __repr__(self) -> str:
        return f"<Framework {self.name!r} ({len(self._index)} indicators)>"

    # ------------------------------------------------------------ scoring
    def prepare(
        self,
        inputs: Mapping[str, Any] | UnitInputs | PreparedUnit | None = None,
        *,
        judgements: Mapping[str, Any] | None = None,
        adjustments: Mapping[str, Any] | None = None,
        not_applicable: Sequence[str] = (),
        unit: str | None = None,
    ) -> PreparedUnit:
        """Validate a unit's inputs once, so that it can be scored many times.

        Raises:
            InputError: naming the unit and every input that is missing, of the wrong type,
                or out of range, and every bad judgement, adjustment or 不适用 mark.
        """
        if isinstance(inputs, PreparedUnit):
            return inputs
        data = self._unit_inputs(inputs, judgements, adjustments, not_applicable, unit)
        valid = validate(self._checked, data)
        slots = tuple(valid.values.get(name) for name in self._evaluator.slots)
        self._check_divisors(valid, slots)
        index = self._index
        return PreparedUnit(
            valid,
            slots,
            {index[code]: j.score for code, j in valid.judgements.items()},
            {index[code]: j.score for code, j in valid.adjustments.items()},
            self._replacements(valid.not_applicable),
        )

    def score(
        self,
        inputs: Mapping[str, Any] | UnitInputs | PreparedUnit | None = None,
        *,
        judgements: Mapping[str, Any] | None = None,
        adjustments: Mapping[str, Any] | None = None,
        not_applicable: Sequence[str] = (),
        unit: str | None = None,
    ) -> Result:
        """Score one unit.

        Args:
            inputs: input values by name (``{"document_handling_rate": "99%"}``), the shape
                of an inputs file (with ``inputs``, ``judgements``, ``adjustments``,
                ``not_applicable``), a :class:`UnitInputs` from :func:`perfrules.read_inputs`,
                or a :class:`PreparedUnit`.
            judgements: scores for ``judged`` indicators: ``{"A41": {"score": 2,
                "reason": "…"}}``.
            adjustments: evaluator's changes to computed scores, each with a reason.
            not_applicable: codes the unit marks 不适用.
            unit: the unit's name, for messages and the result.

        Raises:
            InputError: the inputs do not fit the framework (nothing is scored).
        """
        prepared = self.prepare(
            inputs,
            judgements=judgements,
            adjustments=adjustments,
            not_applicable=not_applicable,
            unit=unit,
        )
        scores, facts, rule_scores, total = self._evaluate(prepared)
        grade, before, vetoes = self._grade(total, prepared.valid.values)
        state = _Scored(prepared, scores, facts, rule_scores)
        return Result(
            unit=prepared.valid.unit,
            total=total,
            grade=grade,
            grade_before_vetoes=before,
            vetoes=vetoes,
            codes=self.codes,
            children=self._children,
            build=lambda result, code: self._node_result(result, code, state),
        )

    def facts(
        self,
        inputs: Mapping[str, Any] | UnitInputs | PreparedUnit | None = None,
        *,
        judgements: Mapping[str, Any] | None = None,
        adjustments: Mapping[str, Any] | None = None,
        not_applicable: Sequence[str] = (),
        unit: str | None = None,
    ) -> dict[str, tuple[Any, ...] | None]:
        """What each leaf's rule recorded when scoring a unit: the branch it took, by code.

        Takes the same arguments as :meth:`score`. Each value is the tuple the rule's code
        recorded, its first element naming the branch taken (``('met',)``,
        ``('short', steps, deduction)``, ``('cutoff',)``, ``('band', position)``,
        ``('parts', scores, facts)`` …; perfrules/compile.py lists them all). Inner nodes and
        nodes marked 不适用 (with everything under them) have None. Used by
        ``perfrules test`` to measure which branches a set of cases exercises.

        Raises:
            InputError: as :meth:`score`.
        """
        prepared = self.prepare(
            inputs,
            judgements=judgements,
            adjustments=adjustments,
            not_applicable=not_applicable,
            unit=unit,
        )
        _, facts, _, _ = self._evaluate(prepared)
        return dict(zip(self._codes, facts, strict=True))

    # ------------------------------------------------------------ helpers
    def _evaluate(
        self, prepared: PreparedUnit
    ) -> tuple[tuple[Any, ...], tuple[Any, ...], dict[int, Decimal], Decimal]:
        """Run the compiled evaluator: (scores, facts, rules' scores of adjusted nodes, total)."""
        try:
            with decimal.localcontext(runtime.CONTEXT):
                return self._evaluator.function(
                    prepared.slots, prepared.judged, prepared.adjusted, prepared.replaced
                )
        except (ArithmeticError, LookupError, TypeError, AttributeError) as error:
            raise self._evaluation_error(error) from error

    def _evaluation_error(self, error: Exception) -> EvaluationError:
        """A failure inside generated code (a perfrules bug), located at the rule's span."""
        span = None
        traceback = error.__traceback__
        while traceback is not None:
            if traceback.tb_frame.f_code.co_filename == self._evaluator.filename:
                span = self._evaluator.span_at(traceback.tb_lineno)
            traceback = traceback.tb_next
        message = f"scoring failed inside the compiled framework: {type(error).__name__}: {error}"
        return EvaluationError(message, span=span)

    @staticmethod
    def _unit_inputs(
        inputs: Mapping[str, Any] | UnitInputs | None,
        judgements: Mapping[str, Any] | None,
        adjustments: Mapping[str, Any] | None,
        not_applicable: Sequence[str],
        unit: str | None,
    ) -> UnitInputs:
        data = inputs if isinstance(inputs, UnitInputs) else from_mapping(inputs or {}, unit=unit)
        changes: dict[str, Any] = {}
        if judgements:
            changes["judgements"] = {**data.judgements, **judgements}
        if adjustments:
            changes["adjustments"] = {**data.adjustments, **adjustments}
        if not_applicable:
            changes["not_applicable"] = tuple(data.not_applicable) + tuple(not_applicable)
        if unit is not None:
            changes["unit"] = unit
        if not changes:
            return data
        return attrs.evolve(data, **changes)

    def _check_divisors(self, valid: ValidInputs, slots: tuple[Any, ...]) -> None:
        problems = []
        for slot, node, requirement in self._evaluator.divisor_slots:
            value = slots[slot]
            if value is None:
                continue
            fails = value <= 0 if requirement == "positive" else value == 0
            if fails:
                name = self._evaluator.slots[slot]
                expected = "above 0" if requirement == "positive" else "other than 0"
                problems.append(
                    InputProblem(
                        name,
                        f"= {format_number(Decimal(value))} is used as a divisor by "
                        f"{self._checked.nodes[node].code}; expected a value {expected}",
                    )
                )
        if problems:
            raise InputError(valid.unit, problems)

    def _policy(self, index: int) -> ast.NotApplicable:
        node = self._checked.nodes[index]
        policy = node.not_applicable or self._checked.framework.not_applicable
        assert policy is not None, "validate() rejects 不适用 marks without a policy"
        return policy

    def _replacements(self, codes: frozenset[str]) -> dict[int, Decimal | None]:
        """Not-applicable nodes (and everything under them) mapped to the score they take."""
        replaced: dict[int, Decimal | None] = {}
        # Ancestors first (pre-order): a mark under a marked node is already excluded with it.
        for index in sorted(self._index[code] for code in codes):
            if index in replaced:
                continue
            policy = self._policy(index)
            node = self._checked.nodes[index]
            value = {
                ast.NotApplicable.RESCALE: None,
                ast.NotApplicable.FULL: node.cap,
                ast.NotApplicable.ZERO: runtime.ZERO,
            }[policy]
            replaced[index] = value
            for descendant in self._descendant_indexes(index):
                replaced.setdefault(descendant, None)
        return replaced

    def _descendant_indexes(self, index: int) -> list[int]:
        return [self._index[c] for c in descendants(self._children, self._checked.nodes[index].code)]

    def _grade(
        self, total: Decimal, values: Mapping[str, Any]
    ) -> tuple[str | None, str | None, tuple[str, ...]]:
        bands = self._checked.framework.grades
        if not bands:
            return None, None, ()
        position = len(bands) - 1
        for i, band in enumerate(bands):
            if band.comparison is None or _holds(total, band.comparison):
                position = i
                break
        before = bands[position].name
        applied: list[str] = []
        names = [band.name for band in bands]
        vetoes = self._checked.framework.vetoes
        for veto in vetoes:
            if veto.at_most is not None and values.get(veto.input.name):
                limit = names.index(veto.at_most)
                if position < limit:
                    position = limit
                applied.append(f"{self._label(veto.input.name)}：一票否优，等次最高为{veto.at_most}")
        for veto in vetoes:
            if veto.down is not None and values.get(veto.input.name):
                position = min(position + veto.down, len(bands) - 1)
                applied.append(f"{self._label(veto.input.name)}：等次降{veto.down}档")
        return names[position], before, tuple(applied)

    def _label(self, name: str) -> str:
        decl = self._checked.inputs[name]
        return decl.description or decl.name

    def _node_result(self, result: Result, code: str, state: _Scored) -> NodeResult:
        index = self._index[code]
        node = self._checked.nodes[index]
        valid = state.prepared.valid
        score = state.scores[index]
        rule_score = state.rule_scores.get(index, score)
        penalty = node.section is ast.Section.PENALTY
        reasons: list[Reason] = []
        marked = index in state.prepared.replaced or score is None
        if marked:
            if code in valid.not_applicable:
                reasons.append(explain.not_applicable(self._policy(index)))
            elif index not in state.prepared.replaced:
                reasons.append(explain.children_not_applicable())
        elif node.rule is not None:
            reasons.extend(
                self._explainer.reasons(
                    node.rule, state.facts[index], valid.values, node.cap, rule_score, node.section
                )
            )
            if isinstance(node.rule, ast.Judged):
                judgement = valid.judgements[code]
                reasons.extend(explain.judged(judgement.score, node.cap, judgement.reason, penalty))
        elif state.prepared.replaced and node.section is ast.Section.REGULAR:
            kids = [self._index[c] for c in self._children[code]]
            if any(state.scores[k] is None for k in kids) and rule_score is not None:
                applicable = sum((state.scores[k] for k in kids if state.scores[k] is not None),
                                 runtime.ZERO)
                reasons.append(explain.rescaled(applicable, rule_score))
        adjustment = None
        if code in valid.adjustments:
            given = valid.adjustments[code]
            adjustment = Adjustment(given.score, given.reason or "")
            reasons.append(explain.adjusted(rule_score, given.score, given.reason or ""))
        return NodeResult(
            code=code,
            name=node.name,
            level=self._checked.levels[index],
            cap=node.cap,
            section=_SECTION_NAMES[node.section],
            score=score,
            rule_score=rule_score,
            adjustment=adjustment,
            not_applicable=marked,
            reasons=tuple(reasons),
            parent=self.parent(code),
            children=self._children[code],
            result=result,
        )


@frozen
class _Scored:
    prepared: PreparedUnit
    scores: tuple[Any, ...]
    facts: tuple[Any, ...]
    rule_scores: dict[int, Decimal]


def _holds(total: Decimal, comparison: ast.Comparison) -> bool:
    operand = comparison.operand
    assert isinstance(operand, ast.Quantity), "check() requires grade bounds to be numbers"
    bound = operand.value
    match comparison.op:
        case ">=":
            return total >= bound
        case ">":
            return total > bound
        case "<=":
            return total <= bound
        case "<":
            return total < bound
        case _:
            return total == bound

