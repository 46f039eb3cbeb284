"""A unit's inputs: read from YAML, JSON or TOML, then validated against a framework.

Reading (``read_inputs``, ``loads_inputs``, ``from_mapping``) only checks the file's shape and
keeps the values raw. ``validate`` coerces every value to its declared type and reports every
problem it finds in one ``InputError``, so a unit fixes its file in one pass.

Coerced types: percent, number and money are ``Decimal`` (percent in percentage points);
count is ``int``; bool is ``bool``; level is the declared level name (``str``); awards is a
tuple of ``(item, award)`` pairs.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import tomllib
import types
import unicodedata
from collections.abc import Callable, Hashable, Iterable, Mapping
from decimal import Decimal
from pathlib import Path

import yaml
from attrs import field, frozen

from . import ast
from .check import CheckedFramework
from .errors import InputError, InputProblem

#: Beyond the default decimal precision, arithmetic on a value would no longer be exact.
MAX_SIGNIFICANT_DIGITS = 28

FORMATS_BY_SUFFIX = {".yaml": "yaml", ".yml": "yaml", ".json": "json", ".toml": "toml"}

#: The top-level keys of an inputs file; a mapping with none of them is all input values.
FILE_KEYS = ("unit", "inputs", "judgements", "adjustments", "not_applicable")

_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
_TRUE_WORDS = frozenset({"true", "yes", "是"})
_FALSE_WORDS = frozenset({"false", "no", "否"})
_AWARD_ENTRY_KEYS = frozenset({"item", "award"})
_JUDGEMENT_KEYS = frozenset({"score", "reason"})
_WHOLE_FILE = "<file>"


def _frozen_mapping(value: Mapping[str, object]) -> Mapping[str, object]:
    return types.MappingProxyType(dict(value))


# ---------------------------------------------------------------- data


@frozen
class Judgement:
    """An evaluator's score for a judged indicator, or an adjustment of a computed score."""

    score: Decimal
    reason: str | None


@frozen
class UnitInputs:
    """The raw, unvalidated data of one unit, as read from its file."""

    values: Mapping[str, object] = field(converter=_frozen_mapping)
    judgements: Mapping[str, object] = field(factory=dict, converter=_frozen_mapping)
    adjustments: Mapping[str, object] = field(factory=dict, converter=_frozen_mapping)
    not_applicable: tuple[str, ...] = field(default=(), converter=tuple)
    unit: str | None = None
    file: str | None = None


@frozen
class ValidInputs:
    """A unit's inputs, validated and coerced.

    ``values`` may lack inputs used only under indicators marked 不适用;
    ``not_applicable`` holds the codes as given, not their descendants.
    """

    unit: str | None
    values: Mapping[str, object] = field(converter=_frozen_mapping)
    judgements: Mapping[str, Judgement] = field(converter=_frozen_mapping)
    adjustments: Mapping[str, Judgement] = field(converter=_frozen_mapping)
    not_applicable: frozenset[str] = field(converter=frozenset)


class _Problem(Exception):
    """One thing wrong with one value; the caller knows which input or code it belongs to."""

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint


# ---------------------------------------------------------------- reading


def read_inputs(path: str | os.PathLike[str]) -> UnitInputs:
    """Read a unit's inputs file; the format follows the suffix (.yaml, .yml, .json, .toml)."""
    path = Path(path)
    name = str(path)
    data_format = FORMATS_BY_SUFFIX.get(path.suffix.lower())
    if data_format is None:
        known = ", ".join(FORMATS_BY_SUFFIX)
        message = f"cannot tell the format from the suffix {path.suffix!r}; use {known}"
        raise _file_error(name, message)
    raw = path.read_bytes()
    try:
        # utf-8-sig: files saved by Windows editors often start with a byte-order mark.
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise _file_error(name, f"is not UTF-8 text (byte {error.start})") from None
    return loads_inputs(text, data_format, file=name)


def loads_inputs(text: str, format: str, *, file: str | None = None) -> UnitInputs:
    """Parse an inputs document written in ``format`` ("yaml", "json" or "toml")."""
    parsers: dict[str, Callable[[str], object]] = {
        "yaml": _load_yaml,
        "json": _load_json,
        "toml": _load_toml,
    }
    parse = parsers.get(format)
    if parse is None:
        raise _file_error(file, f"unknown format {format!r}; expected one of {', '.join(parsers)}")
    try:
        data = parse(text)
    except _Problem as problem:
        raise _file_error(file, problem.message) from None
    return from_mapping(data, file=file)  # type: ignore[arg-type]


def from_mapping(
    data: Mapping[str, object], *, unit: str | None = None, file: str | None = None
) -> UnitInputs:
    """Inputs from a parsed document: the file shape, or a plain mapping of input values.

    ``unit``, when given, takes precedence over the document's own ``unit``.
    """
    if not isinstance(data, Mapping):
        raise _file_error(file, f"expected a mapping at the top level, got {_kind(data)}", unit)
    # In Python only a mapping with an "inputs" section is the file shape: a plain mapping of
    # values may well hold an input called "unit". A file is the file shape when it has any
    # of the file's keys (a flat file of values is accepted too).
    if file is None:
        file_shape = "inputs" in data
    else:
        file_shape = any(key in data for key in FILE_KEYS)
    if not file_shape:
        return UnitInputs(_string_keys(data), unit=unit, file=file)
    problems: list[InputProblem] = []
    for key in data:
        if key not in FILE_KEYS:
            problems.append(_unknown_name_problem(str(key), "top-level key", FILE_KEYS))
    file_unit = _section(data, "unit", str, "a unit name", problems)
    sections = {
        key: _section(data, key, Mapping, "a mapping", problems)
        for key in ("inputs", "judgements", "adjustments")
    }
    not_applicable = _code_list(data.get("not_applicable"), problems)
    unit = unit if unit is not None else file_unit
    if problems:
        raise InputError(unit, problems, file)
    return UnitInputs(
        _string_keys(sections["inputs"] or {}),
        _string_keys(sections["judgements"] or {}),
        _string_keys(sections["adjustments"] or {}),
        not_applicable,
        unit=unit,
        file=file,
    )


def _section(
    data: Mapping[str, object], key: str, kind: type, expected: str, problems: list[InputProblem]
) -> object:
    value = data.get(key)
    if value is None or isinstance(value, kind):
        return value
    problems.append(InputProblem(key, f"expected {expected}, got {_show(value)}"))
    return None


def _code_list(value: object, problems: list[InputProblem]) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list | tuple) or not all(isinstance(code, str) for code in value):
        message = f"expected a list of indicator codes, got {_show(value)}"
        problems.append(InputProblem("not_applicable", message))
        return ()
    return tuple(code.strip() for code in value)


def _string_keys(mapping: Mapping[object, object]) -> dict[str, object]:
    # YAML may give a key such as 2024 as an int; names and codes are compared as text.
    return {str(key): value for key, value in mapping.items()}


def _file_error(file: str | None, message: str, unit: str | None = None) -> InputError:
    return InputError(unit, [InputProblem(file or _WHOLE_FILE, message)], file)


_YAML_MERGE_TAG = "tag:yaml.org,2002:merge"


class _UniqueKeyLoader(yaml.SafeLoader):
    """The safe loader, except that a key given twice is an error, not silently the last."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[object, object]:
        seen: set[object] = set()
        for key_node, _ in node.value:
            if key_node.tag == _YAML_MERGE_TAG:  # "<<: *defaults" may override on purpose
                continue
            key = self.construct_object(key_node, deep=deep)  # type: ignore[no-untyped-call]
            if isinstance(key, Hashable) and key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _load_yaml(text: str) -> object:
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        problem = getattr(error, "problem", None) or str(error)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise _Problem(f"is not valid YAML: {problem}{where}") from None


def _reject_duplicate_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    result: dict[str, object] = {}
    for key, value in pairs:
        if key in result:
            raise _Problem(f"is not valid JSON: duplicate key {key!r}")
        result[key] = value
    return result


def _load_json(text: str) -> object:
    try:
        return json.loads(text, parse_float=Decimal, object_pairs_hook=_reject_duplicate_keys)
    except json.JSONDecodeError as error:
        raise _Problem(
            f"is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}"
        ) from None


def _load_toml(text: str) -> object:
    try:
        return tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as error:
        raise _Problem(f"is not valid TOML: {error}") from None


# ---------------------------------------------------------------- coercion


def coerce_value(decl: ast.InputDecl, value: object) -> object:
    """``value`` converted to ``decl``'s type and checked against its range.

    Raises:
        _Problem: saying what the value is and what was expected.
    """
    if value is None:
        raise _Problem(f"has no value; expected {_expected(decl)}")
    match decl.type:
        case ast.InputType.PERCENT:
            return _in_range(decl, _percent(value))
        case ast.InputType.NUMBER | ast.InputType.MONEY:
            return _in_range(decl, _number(value, _expected(decl)))
        case ast.InputType.COUNT:
            return _in_range(decl, _count(value))
        case ast.InputType.BOOL:
            return _bool(value)
        case ast.InputType.LEVEL:
            return _choice(value, decl.choices, "level")
        case ast.InputType.AWARDS:
            return _awards(value, decl.choices)
    raise AssertionError(f"unhandled input type {decl.type}")


def _expected(decl: ast.InputDecl) -> str:
    match decl.type:
        case ast.InputType.PERCENT:
            return "a percent such as 99%"
        case ast.InputType.NUMBER:
            return f"a number in {decl.unit}" if decl.unit else "a number"
        case ast.InputType.MONEY:
            return f"an amount in {decl.unit}" if decl.unit else "an amount of money"
        case ast.InputType.COUNT:
            return "a whole number, 0 or more"
        case ast.InputType.BOOL:
            return "true or false"
        case ast.InputType.LEVEL:
            return "one of " + ", ".join(decl.choices)
        case ast.InputType.AWARDS:
            return "a list of {item, award} entries"
    raise AssertionError(f"unhandled input type {decl.type}")


def _percent(value: object) -> Decimal:
    text = _normalised(value) if isinstance(value, str) else None
    if text is not None and text.endswith("%"):
        return _number(text[:-1].rstrip(), "a percent such as 99%", shown=_show(value))
    points = _number(value, "a percent such as 99%")
    if 0 < points < 1:
        as_percent = _plain(points * 100)
        raise _Problem(
            f"{_show(value)} is ambiguous; expected a percent such as {as_percent}%",
            f"write {as_percent}% for {as_percent} percent; "
            f"{_plain(points)} could mean {_plain(points)}% or {as_percent}%",
        )
    return points


def _number(value: object, expected: str, shown: str | None = None) -> Decimal:
    """An exact Decimal from an int, Decimal, float or numeric string."""
    shown = shown or _show(value)
    if isinstance(value, bool):
        raise _Problem(f"{shown} is not a number; expected {expected}")
    if isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        # repr gives the shortest text that reads back as this float: 99.5, never 99.4999….
        number = Decimal(repr(value))
    elif isinstance(value, Decimal):
        number = value
    elif isinstance(value, str):
        number = _parse_number_text(value, expected, shown)
    else:
        raise _Problem(f"{shown} is not a number; expected {expected}")
    if not number.is_finite():
        raise _Problem(f"{shown} is not a finite number; expected {expected}")
    if len(number.as_tuple().digits) > MAX_SIGNIFICANT_DIGITS:
        raise _Problem(
            f"{shown} has more than {MAX_SIGNIFICANT_DIGITS} significant digits; "
            f"expected {expected}"
        )
    return number


def _parse_number_text(value: str, expected: str, shown: str) -> Decimal:
    text = _normalised(value)
    if _NUMBER.fullmatch(text):
        return Decimal(text)
    hint = None
    if "," in text:
        hint = "write the number without thousands separators, e.g. 1234.5"
    elif text.endswith("%"):
        hint = "a % sign is only for percent inputs"
    raise _Problem(f"{shown} is not a number; expected {expected}", hint)


def _count(value: object) -> int:
    number = _number(value, "a whole number, 0 or more")
    if number != number.to_integral_value():
        raise _Problem(f"{_show(value)} is not a whole number; expected a count")
    if number < 0:
        raise _Problem(f"{_show(value)} is negative; expected a count, 0 or more")
    return int(number)


def _bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        word = _normalised(value).lower()
        if word in _TRUE_WORDS:
            return True
        if word in _FALSE_WORDS:
            return False
    hint = "write true or false, not 1 or 0" if isinstance(value, int | float | Decimal) else None
    raise _Problem(f"{_show(value)} is not a yes/no value; expected true or false", hint)


def _choice(value: object, choices: tuple[str, ...], what: str) -> str:
    """The declared choice ``value`` names, compared after NFKC normalisation."""
    listed = ", ".join(choices)
    if not isinstance(value, str):
        raise _Problem(f"{_show(value)} is not a {what} name; expected one of {listed}")
    by_normal_form = {_normalised(choice): choice for choice in choices}
    given = _normalised(value)
    if given in by_normal_form:
        return by_normal_form[given]
    raise _Problem(
        f"{_show(value)} is not a declared {what}; expected one of {listed}",
        _did_you_mean(given, by_normal_form),
    )


def _awards(value: object, choices: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    if isinstance(value, Mapping):
        entries = list(_award_entries_of_mapping(value))
    elif isinstance(value, list | tuple):
        entries = [_award_entry(position, entry) for position, entry in enumerate(value, 1)]
    else:
        raise _Problem(f"{_show(value)} is not a list of awards; expected {{item, award}} entries")
    return tuple((item, _choice(award, choices, "award")) for item, award in entries)


def _award_entries_of_mapping(value: Mapping[object, object]) -> Iterable[tuple[str, object]]:
    for item, awards in value.items():
        item_name = _award_item(item, f"item {_show(item)}")
        for award in awards if isinstance(awards, list | tuple) else [awards]:
            yield item_name, award


def _award_entry(position: int, entry: object) -> tuple[str, object]:
    where = f"award entry {position}"
    if isinstance(entry, Mapping):
        unknown = [str(key) for key in entry if key not in _AWARD_ENTRY_KEYS]
        if unknown:
            listed = ", ".join(unknown)
            raise _Problem(f"{where} has unknown keys {listed}; expected item and award")
        if "award" not in entry:
            raise _Problem(f"{where} names no award")
        return _award_item(entry.get("item"), where), entry["award"]
    if isinstance(entry, list | tuple) and len(entry) == 2:
        return _award_item(entry[0], where), entry[1]
    raise _Problem(f"{where} is {_show(entry)}; expected {{item, award}} or [item, award]")


def _award_item(item: object, where: str) -> str:
    name = _normalised(item) if isinstance(item, str) else ""
    if not name:
        raise _Problem(
            f"{where} names no work item",
            "each award needs the work item it was given for: "
            "several awards for the same item do not add up",
        )
    return name


def _in_range(decl: ast.InputDecl, value: Decimal | int) -> Decimal | int:
    low, high = ast.value_range(decl)
    if (low is None or value >= low) and (high is None or value <= high):
        return value
    shown = _with_unit(decl, value)
    if low is not None and high is not None:
        allowed = f"out of range {_with_unit(decl, low)}–{_with_unit(decl, high)}"
    elif low is not None:
        allowed = f"below the minimum {_with_unit(decl, low)}"
    else:
        allowed = f"above the maximum {_with_unit(decl, high)}"  # type: ignore[arg-type]
    raise _Problem(f"{shown} is {allowed}")


def _with_unit(decl: ast.InputDecl, value: Decimal | int) -> str:
    if decl.type is ast.InputType.PERCENT:
        return f"{_plain(value)}%"
    return f"{_plain(value)} {decl.unit}" if decl.unit else _plain(value)


# ---------------------------------------------------------------- validation


def validate(checked: CheckedFramework, data: UnitInputs) -> ValidInputs:
    """``data`` coerced and checked against the framework.

    Raises:
        InputError: listing every problem found, not just the first.
    """
    problems: list[InputProblem] = []
    codes = checked.positions
    not_applicable = _check_not_applicable(checked, codes, data.not_applicable, problems)
    excluded = _excluded_nodes(checked, not_applicable)
    values = _check_values(checked, data.values, excluded, problems)
    judgements = _check_judgements(checked, codes, data.judgements, excluded, problems)
    adjustments = _check_adjustments(checked, codes, data.adjustments, excluded, problems)
    if problems:
        raise InputError(data.unit, problems, data.file)
    return ValidInputs(data.unit, values, judgements, adjustments, frozenset(data.not_applicable))


def _check_not_applicable(
    checked: CheckedFramework,
    codes: Mapping[str, int],
    given: Iterable[str],
    problems: list[InputProblem],
) -> set[str]:
    """The known codes among ``given`` that may be marked 不适用; the rest become problems."""
    accepted: set[str] = set()
    for code in given:
        if code not in codes:
            problems.append(_unknown_name_problem(code, "indicator", codes))
        elif _policy(checked, checked.nodes[codes[code]]) is None:
            problems.append(
                InputProblem(
                    code,
                    f"indicator {code} cannot be marked 不适用: "
                    "the framework states no policy for it",
                )
            )
        else:
            accepted.add(code)
    return accepted


def _policy(checked: CheckedFramework, node: ast.Indicator) -> ast.NotApplicable | None:
    return node.not_applicable or checked.framework.not_applicable


def _excluded_nodes(checked: CheckedFramework, not_applicable: set[str]) -> set[int]:
    """Positions of the nodes marked 不适用 and of everything below them."""
    excluded: set[int] = set()
    for position, node in enumerate(checked.nodes):  # pre-order: parents come first
        parent = checked.parents[position]
        if node.code in not_applicable or (parent is not None and parent in excluded):
            excluded.add(position)
    return excluded


def _check_values(
    checked: CheckedFramework,
    given: Mapping[str, object],
    excluded: set[int],
    problems: list[InputProblem],
) -> dict[str, object]:
    values: dict[str, object] = {}
    for name, raw in given.items():
        decl = checked.inputs.get(name)
        if decl is None:
            problems.append(_unknown_name_problem(name, "input", checked.inputs))
            continue
        try:
            values[name] = coerce_value(decl, raw)
        except _Problem as problem:
            problems.append(InputProblem(name, problem.message, problem.hint))
    for name in _required_inputs(checked, excluded):
        if name not in given:
            decl = checked.inputs[name]
            problems.append(InputProblem(name, f"is missing; expected {_expected(decl)}"))
    return values


def _required_inputs(checked: CheckedFramework, excluded: set[int]) -> list[str]:
    """Declared inputs that applicable leaves' rules or the vetoes use, in declaration order."""
    used = {veto.input.name for veto in checked.framework.vetoes}
    for position, names in enumerate(checked.rule_inputs):
        if position not in excluded:
            used.update(names)
    return [name for name in checked.inputs if name in used]


def _check_judgements(
    checked: CheckedFramework,
    codes: Mapping[str, int],
    given: Mapping[str, object],
    excluded: set[int],
    problems: list[InputProblem],
) -> dict[str, Judgement]:
    judgements: dict[str, Judgement] = {}
    for code, raw in given.items():
        position = _known_node(code, codes, excluded, "judge", problems)
        if position is None:
            continue
        node = checked.nodes[position]
        if not isinstance(node.rule, ast.Judged):
            problems.append(
                InputProblem(
                    code,
                    f"indicator {code} is not judged: its rule computes the score",
                    "to override a computed score, give an adjustment with a reason",
                )
            )
            continue
        judgement = _judgement(code, node, raw, problems)
        if judgement is None:
            continue
        if judgement.reason is None and _reason_required(checked, position, judgement.score):
            problems.append(InputProblem(code, _reason_missing_message(checked, position, node)))
            continue
        judgements[code] = judgement
    for position, node in enumerate(checked.nodes):
        applicable = position not in excluded
        if isinstance(node.rule, ast.Judged) and applicable and node.code not in given:
            problems.append(
                InputProblem(node.code, f"indicator {node.code} is judged but has no judgement")
            )
    return judgements


def _check_adjustments(
    checked: CheckedFramework,
    codes: Mapping[str, int],
    given: Mapping[str, object],
    excluded: set[int],
    problems: list[InputProblem],
) -> dict[str, Judgement]:
    adjustments: dict[str, Judgement] = {}
    for code, raw in given.items():
        position = _known_node(code, codes, excluded, "adjust", problems)
        if position is None:
            continue
        adjustment = _judgement(code, checked.nodes[position], raw, problems)
        if adjustment is None:
            continue
        if adjustment.reason is None:
            problems.append(InputProblem(code, "an adjustment needs a written reason"))
            continue
        adjustments[code] = adjustment
    return adjustments


def _known_node(
    code: str,
    codes: Mapping[str, int],
    excluded: set[int],
    verb: str,
    problems: list[InputProblem],
) -> int | None:
    """The position of the node ``code`` when it exists and is applicable, else None."""
    position = codes.get(code)
    if position is None:
        problems.append(_unknown_name_problem(code, "indicator", codes))
    elif position in excluded:
        problems.append(
            InputProblem(code, f"cannot {verb} indicator {code}: it is marked 不适用")
        )
        return None
    return position


def _judgement(
    code: str, node: ast.Indicator, raw: object, problems: list[InputProblem]
) -> Judgement | None:
    try:
        score, reason = _score_and_reason(raw)
    except _Problem as problem:
        problems.append(InputProblem(code, problem.message, problem.hint))
        return None
    if not 0 <= score <= node.cap:
        problems.append(
            InputProblem(code, f"score {_plain(score)} is out of range 0–{_plain(node.cap)}")
        )
        return None
    return Judgement(score, reason)


def _score_and_reason(raw: object) -> tuple[Decimal, str | None]:
    if not isinstance(raw, Mapping):
        return _number(raw, "a score, or {score, reason}"), None
    unknown = [str(key) for key in raw if key not in _JUDGEMENT_KEYS]
    if unknown:
        raise _Problem(f"has unknown keys {', '.join(unknown)}; expected score and reason")
    if "score" not in raw:
        raise _Problem("gives no score; expected {score, reason}")
    score = _number(raw["score"], "a score")
    reason = raw.get("reason")
    if reason is not None and not isinstance(reason, str):
        raise _Problem(f"reason {_show(reason)} is not text")
    return score, (reason.strip() or None) if reason is not None else None


def _effective_section(checked: CheckedFramework, position: int) -> ast.Section:
    """The section of the nearest node at or above ``position`` that states one."""
    current: int | None = position
    while current is not None:
        section = checked.nodes[current].section
        if section is not ast.Section.REGULAR:
            return section
        current = checked.parents[current]
    return ast.Section.REGULAR


def _reason_required(checked: CheckedFramework, position: int, score: Decimal) -> bool:
    # In a penalty section the judged score is a deduction: any deduction needs explaining.
    section = _effective_section(checked, position)
    if section is ast.Section.PENALTY:
        return score > 0
    # A bonus below its cap lost nothing: there is no lost point to explain.
    return section is ast.Section.REGULAR and score < checked.nodes[position].cap


def _reason_missing_message(checked: CheckedFramework, position: int, node: ast.Indicator) -> str:
    if _effective_section(checked, position) is ast.Section.PENALTY:
        return "a deduction above 0 needs a written reason"
    return f"a score below the cap {_plain(node.cap)} needs a written reason"


# ---------------------------------------------------------------- helpers


def _unknown_name_problem(name: str, what: str, known: Iterable[str]) -> InputProblem:
    return InputProblem(name, f"there is no {what} named {name!r}", _did_you_mean(name, known))


def _did_you_mean(name: str, known: Iterable[str]) -> str | None:
    close = difflib.get_close_matches(name, list(known), n=1)
    return f"did you mean {close[0]!r}?" if close else None


def _normalised(text: str) -> str:
    # NFKC folds full-width digits, letters and ％ (common in Chinese documents) to ASCII.
    return unicodedata.normalize("NFKC", text).strip()


def _plain(number: Decimal | int) -> str:
    """A number without exponent or trailing zeros: 99.00 -> 99, 1E+2 -> 100."""
    return format(Decimal(number).normalize(), "f")


def _show(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | Decimal):
        return str(value)
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "…"


def _kind(value: object) -> str:
    return "nothing" if value is None else type(value).__name__
