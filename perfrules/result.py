"""Scoring results: the total, the grade, and every indicator's score with its reasons."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any

from attrs import field, frozen


def format_number(value: Decimal | int) -> str:
    """A score as reports print it: ``2``, ``2.5``, ``99`` (no trailing zeros, no exponent)."""
    text = format(Decimal(value).normalize(), "f")
    return "0" if text in ("-0", "0") else text


def descendants(children: Mapping[str, tuple[str, ...]], code: str) -> list[str]:
    """The codes under ``code`` in tree order, given each code's children."""
    out: list[str] = []
    stack = list(reversed(children[code]))
    while stack:
        current = stack.pop()
        out.append(current)
        stack.extend(reversed(children[current]))
    return out


_LEVEL_NAMES_ZH = "一二三四五六七八九十"


def level_heading(level: int, locale: str = "zh") -> str:
    """A table heading for a tree level: 一级指标, 二级指标 … (Level 1 … in English)."""
    if locale.startswith("en"):
        return f"Level {level}"
    if level <= len(_LEVEL_NAMES_ZH):
        return f"{_LEVEL_NAMES_ZH[level - 1]}级指标"
    return f"{level}级指标"


def indicator_label(node: NodeResult, locale: str = "zh") -> str:
    """An indicator as the seed's table names it: ``A 部门决策（15 分）``, ``F 加减分项（≤5 分）``,
    ``F2 减分项（-5 分）``."""
    cap = format_number(node.cap)
    bound = {"bonus": f"≤{cap}", "penalty": f"-{cap}"}.get(node.section, cap)
    if locale.startswith("en"):
        return f"{node.code} {node.name} ({bound})"
    return f"{node.code} {node.name}（{bound} 分）"


@frozen
class Reason:
    """Why points were lost (or gained, or changed): structured, with text in two languages.

    Attributes:
        kind: what produced it: ``rule`` (generated from the rule), ``judged`` and
            ``adjusted`` (written by the evaluator), ``not-applicable``, ``rescaled``,
            ``capped``, ``bonus``, ``penalty``.
        zh: the text in Chinese.
        en: the text in English.
        lost: the points this reason accounts for, where it accounts for a number.
        written: the evaluator's own words, for reasons an evaluator wrote.
    """

    kind: str
    zh: str
    en: str
    lost: Decimal | None = None
    written: str | None = None

    def text(self, locale: str = "zh") -> str:
        return self.en if locale.startswith("en") else self.zh

    def summary(self, locale: str = "zh") -> str:
        """The evaluator's own words where there are any (as a published table shows them)."""
        return self.written if self.written else self.text(locale)


@frozen
class Adjustment:
    """An evaluator's change to a computed score."""

    score: Decimal
    reason: str


@frozen
class NodeResult:
    """One indicator's outcome.

    Attributes:
        code, name, level: the indicator (level 1 is 一级指标).
        cap: its cap in points.
        section: ``regular``, ``bonus`` or ``penalty`` (a penalty's score is a deduction).
        score: the points that count (None when not applicable and excluded).
        rule_score: what the rules gave before any adjustment.
        adjustment: the evaluator's adjustment, if any.
        not_applicable: the unit marked it 不适用 (or an ancestor).
        reasons: why points were lost, gained or changed.
        parent: the parent's code, None at the top.
        children: the children's codes.
    """

    code: str
    name: str
    level: int
    cap: Decimal
    section: str
    score: Decimal | None
    rule_score: Decimal | None
    adjustment: Adjustment | None
    not_applicable: bool
    reasons: tuple[Reason, ...]
    parent: str | None
    children: tuple[str, ...]
    _result: Result | None = field(default=None, eq=False, repr=False)

    @property
    def lost(self) -> Decimal:
        """Points lost against the cap (0 for bonus/penalty nodes and excluded nodes)."""
        if self.score is None or self.section != "regular":
            return Decimal(0)
        return self.cap - self.score

    @property
    def is_leaf(self) -> bool:
        return not self.children

    def explain(self, locale: str = "zh") -> str:
        """This node's score and every reason in its subtree, one per line."""
        head = _headline(self, locale)
        lines = [head]
        lines.extend(f"  {r.text(locale)}" for r in self.reasons)
        if self._result is not None:
            for code in self._result.descendants(self.code):
                node = self._result[code]
                lines.extend(f"  {code} {node.name}：{r.text(locale)}" if not locale.startswith("en")
                             else f"  {code} {node.name}: {r.text(locale)}" for r in node.reasons)
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "level": self.level,
            "section": self.section,
            "cap": json_number(self.cap),
            "score": None if self.score is None else json_number(self.score),
            "rule_score": None if self.rule_score is None else json_number(self.rule_score),
            "lost": json_number(self.lost),
            "not_applicable": self.not_applicable,
            "adjustment": None
            if self.adjustment is None
            else {"score": json_number(self.adjustment.score), "reason": self.adjustment.reason},
            "reasons": [
                {"kind": r.kind, "zh": r.zh, "en": r.en}
                | ({"lost": json_number(r.lost)} if r.lost is not None else {})
                | ({"written": r.written} if r.written else {})
                for r in self.reasons
            ],
            "parent": self.parent,
        }


def json_number(value: Decimal) -> int | float | str:
    """A Decimal as a JSON number: whole numbers as ints, others as floats — or, for the
    rare value a float cannot hold exactly, a string with its exact digits.

    JSON has no decimal type. Python prints a float as the shortest text that reads back to
    it, so 2.5 or 0.1 appear in the JSON text with exactly their decimal digits.
    """
    text = format_number(value)
    if "." not in text:
        return int(text)
    as_float = float(text)
    if Decimal(repr(as_float)) == Decimal(text):
        return as_float
    return text


def _headline(node: NodeResult, locale: str) -> str:
    score = "—" if node.score is None else format_number(node.score)
    cap = format_number(node.cap)
    if locale.startswith("en"):
        if node.score is None:
            return f"{node.code} {node.name}: not applicable"
        return f"{node.code} {node.name}: {score} of {cap}"
    if node.score is None:
        return f"{node.code} {node.name}：不适用"
    return f"{node.code} {node.name}：{score} 分（分值 {cap} 分）"


class Result:
    """The outcome of scoring one unit. Read-only.

    ``result.total`` and ``result.grade``; ``result["C11"]`` is a :class:`NodeResult`;
    iterating yields the codes in tree order (pre-order).
    """

    __slots__ = ("unit", "total", "grade", "grade_before_vetoes", "vetoes", "_codes", "_build",
                 "_nodes", "_children")

    def __init__(
        self,
        *,
        unit: str | None,
        total: Decimal,
        grade: str | None,
        grade_before_vetoes: str | None,
        vetoes: tuple[str, ...],
        codes: tuple[str, ...],
        children: Mapping[str, tuple[str, ...]],
        build: Any,
    ):
        self.unit = unit
        self.total = total
        self.grade = grade
        self.grade_before_vetoes = grade_before_vetoes
        self.vetoes = vetoes
        self._codes = codes
        self._children = children
        self._build = build
        self._nodes: dict[str, NodeResult] = {}

    def __getitem__(self, code: str) -> NodeResult:
        node = self._nodes.get(code)
        if node is None:
            if code not in self._children:
                raise KeyError(f"no indicator {code!r} in this framework")
            node = self._build(self, code)
            self._nodes[code] = node
        return node

    def __iter__(self) -> Iterator[str]:
        return iter(self._codes)

    def __len__(self) -> int:
        return len(self._codes)

    def __contains__(self, code: object) -> bool:
        return code in self._children

    @property
    def nodes(self) -> dict[str, NodeResult]:
        """Every node's result by code, in tree order."""
        return {code: self[code] for code in self._codes}

    @property
    def top(self) -> list[NodeResult]:
        """The 一级指标 in order."""
        return [self[c] for c in self._codes if self[c].parent is None]

    @property
    def lost(self) -> Decimal:
        """Points lost by the regular top-level indicators."""
        return sum((n.lost for n in self.top), Decimal(0))

    def descendants(self, code: str) -> list[str]:
        """The codes under ``code``, in tree order."""
        return descendants(self._children, code)

    def explain(self, locale: str = "zh") -> str:
        """The total, the grade and every reason, for reading."""
        lines = []
        if locale.startswith("en"):
            lines.append(f"Total {format_number(self.total)}, grade {self.grade}")
        else:
            lines.append(f"总得分 {format_number(self.total)} 分，等次 {self.grade}")
        for veto in self.vetoes:
            lines.append(f"  {veto}")
        for node in self.top:
            lines.append(node.explain(locale))
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``total``, ``grade``, and ``indicators`` nested under ``children``."""

        def nested(code: str) -> dict[str, Any]:
            node = self[code].to_dict()
            node["children"] = [nested(c) for c in self._children[code]]
            return node

        return {
            "unit": self.unit,
            "total": json_number(self.total),
            "grade": self.grade,
            "grade_before_vetoes": self.grade_before_vetoes,
            "vetoes": list(self.vetoes),
            "lost": json_number(self.lost),
            "indicators": [nested(c) for c in self._codes if self[c].parent is None],
        }

    def __repr__(self) -> str:
        return f"<Result unit={self.unit!r} total={format_number(self.total)} grade={self.grade!r}>"
