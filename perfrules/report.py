"""A scored result as the seed's table (一级/二级/三级指标, 分值, 得分, 原因) or as JSON."""

from __future__ import annotations

import json
from typing import Any

from .framework import Framework
from .result import NodeResult, Result, format_number, indicator_label, level_heading
from .source import display_width

def _shown_score(node: NodeResult, locale: str = "zh") -> str:
    if node.score is None:
        return "n/a" if locale.startswith("en") else "不适用"
    if node.section == "penalty":
        return "0" if not node.score else f"-{format_number(node.score)}"
    return format_number(node.score)


def rows(result: Result, locale: str = "zh") -> tuple[list[str], list[list[str]]]:
    """The table's heading and rows: one row per leaf, ancestors named on their first row."""
    depth = max((result[code].level for code in result), default=1)
    heading = [level_heading(level, locale) for level in range(1, depth + 1)]
    if locale.startswith("en"):
        heading += ["Cap", "Score", "Why points were lost"]
    else:
        heading += ["分值", "得分", "未完成指标原因分析"]
    table: list[list[str]] = []
    for code in result:
        node = result[code]
        if not node.is_leaf:
            continue
        row = [""] * depth
        chain = [node]
        while chain[-1].parent is not None:
            chain.append(result[chain[-1].parent])
        for ancestor in reversed(chain):
            first_leaf = _first_leaf(result, ancestor.code)
            if ancestor is node or first_leaf == code:
                row[ancestor.level - 1] = indicator_label(ancestor, locale)
        separator = "; " if locale.startswith("en") else "；"
        reasons = separator.join(r.summary(locale) for r in node.reasons)
        row += [format_number(node.cap), _shown_score(node, locale), reasons]
        table.append(row)
    return heading, table


def _first_leaf(result: Result, code: str) -> str:
    current = code
    while result[current].children:
        current = result[current].children[0]
    return current


def table(framework: Framework, result: Result, locale: str = "zh") -> str:
    """The scored table for a terminal: aligned by display width (CJK counts double)."""
    heading, body = rows(result, locale)
    widths = [
        max(display_width(row[i]) for row in [heading, *body]) for i in range(len(heading) - 1)
    ]

    def line(cells: list[str]) -> str:
        padded = [c + " " * (w - display_width(c)) for c, w in zip(cells, widths, strict=False)]
        return "  ".join(padded + [cells[-1]]).rstrip()

    out = [framework.name, "", line(heading)]
    out.append("  ".join("-" * w for w in widths) + "  " + "-" * 8)
    out.extend(line(row) for row in body)
    out.append("")
    total_cap = framework.ast.total
    lost = format_number(result.lost)
    if locale.startswith("en"):
        cap_text = f" (of {format_number(total_cap)})" if total_cap is not None else ""
        out.append(f"Total{cap_text}: {format_number(result.total)}    points lost: {lost}")
        if result.grade is not None:
            out.append(f"Grade: {result.grade}")
    else:
        cap_text = f"（{format_number(total_cap)} 分）" if total_cap is not None else ""
        out.append(f"总得分{cap_text}：{format_number(result.total)}    失分：{lost}")
        if result.grade is not None:
            out.append(f"等次：{result.grade}")
    for veto in result.vetoes:
        out.append(f"  {veto}")
    if result.unit:
        out.insert(1, result.unit)
    return "\n".join(out) + "\n"


def as_json(framework: Framework, result: Result) -> str:
    """The result as a JSON object: framework, unit, total, grade and the indicator tree."""
    payload: dict[str, Any] = {"framework": framework.name, "year": framework.year}
    payload.update(result.to_dict())
    return json.dumps(payload, ensure_ascii=False, indent=2) + "\n"
