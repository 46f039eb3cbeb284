"""``perfrules diff``: a framework change shown as a terminal table, as JSON, or as one HTML page.

The page is self-contained: inline CSS and inline SVG, no script, no external file, and it
prints. Numbers are exact; means (exact fractions) are rounded to 0.01 for display only.
"""

from __future__ import annotations

import argparse
import html
import json
from collections import Counter
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any, TextIO

from . import api
from .diff import (
    Change,
    Dataset,
    DatasetError,
    Impact,
    IndicatorChange,
    UnitOutcome,
    display_round,
    impact,
    read_dataset,
    structural_diff,
)
from .errors import RuleFileError
from .framework import Framework
from .result import format_number, json_number
from .source import display_width

EXIT_OK = 0
EXIT_INVALID = 1

FORMATS = ("table", "json", "html")


# ====================================================================== the comparison


class Comparison:
    """Two frameworks, their structural changes and, given a dataset, the impact on its units."""

    def __init__(self, old: Framework, new: Framework, dataset: Dataset | None = None, *,
                 old_name: str | None = None, new_name: str | None = None,
                 bin_width: Decimal | None = None):
        self.old = old
        self.new = new
        self.old_name = old_name or old.source_name
        self.new_name = new_name or new.source_name
        self.changes: list[Change] = structural_diff(old.ast, new.ast)
        self.dataset = dataset
        self.impact: Impact | None = (
            None if dataset is None else impact(old, new, dataset, bin_width=bin_width)
        )


# ====================================================================== numbers


def _n(value: Decimal | None) -> str:
    return "—" if value is None else format_number(value)


def _signed(value: Decimal | Fraction | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, Fraction):  # a mean: exact, shown rounded to 0.01 (two places)
        shown = display_round(value)
        text = format(shown, "f") if shown else "0"
    else:
        shown = value
        text = format_number(shown)
    return "+" + text if shown > 0 else text


def _json_number(value: Decimal | Fraction | None) -> int | float | str | None:
    """Exact decimals as JSON numbers (see result.json_number); a Fraction rounded to 0.01."""
    if value is None:
        return None
    if isinstance(value, Fraction):
        value = display_round(value)
    return json_number(value)


# ====================================================================== JSON


def to_dict(comparison: Comparison) -> dict[str, Any]:
    """The comparison as JSON-ready data (see docs/diff.md for every key)."""
    payload: dict[str, Any] = {
        "old": {"file": comparison.old_name, "framework": comparison.old.name},
        "new": {"file": comparison.new_name, "framework": comparison.new.name},
        "structural": [change.to_dict() for change in comparison.changes],
        "dataset": None,
        "summary": None,
        "units": [],
        "grade_changes": [],
        "grades": [],
        "indicators": [],
        "distribution": [],
    }
    result = comparison.impact
    if result is None or comparison.dataset is None:
        return payload
    dataset = comparison.dataset
    payload["dataset"] = {
        "source": dataset.source,
        "format": dataset.format,
        "units": len(dataset.units),
        "problems": [{"where": p.where, "unit": p.unit, "message": p.message}
                     for p in dataset.problems],
    }
    payload["summary"] = _summary(result)
    payload["units"] = [_unit_dict(result, unit) for unit in result.units]
    payload["grade_changes"] = [_unit_dict(result, unit) for unit in result.grade_changes]
    payload["grades"] = [{"grade": g, "before": b, "after": a} for g, b, a in _grade_counts(result)]
    payload["indicators"] = [_indicator_dict(change) for change in result.indicators]
    payload["distribution"] = [
        {"low": _json_number(b.low), "high": _json_number(b.high), "closed": b.closed,
         "label": b.label, "before": b.before, "after": b.after}
        for b in result.bins
    ]
    return payload


def _summary(result: Impact) -> dict[str, Any]:
    mean, low, high = result.total_stats()
    directions = Counter(result.direction(u) for u in result.grade_changes)
    changed_totals = sum(1 for u in result.valid if u.total_change)
    return {
        "units": len(result.units),
        "valid": len(result.valid),
        "invalid_before": len(result.invalid_before),
        "invalid_after": len(result.invalid_after),
        "totals_changed": changed_totals,
        "grade_changes": len(result.grade_changes),
        "grades_up": directions["up"],
        "grades_down": directions["down"],
        "total_change": {"mean": _json_number(mean), "min": _json_number(low),
                         "max": _json_number(high)},
    }


def _unit_dict(result: Impact, unit: UnitOutcome) -> dict[str, Any]:
    return {
        "code": unit.code,
        "where": unit.where,
        "total_before": _json_number(unit.total_before),
        "total_after": _json_number(unit.total_after),
        "change": _json_number(unit.total_change),
        "grade_before": unit.grade_before,
        "grade_after": unit.grade_after,
        "grade_changed": unit.grade_changed,
        "direction": result.direction(unit),
        "problem_before": unit.problem_before,
        "problem_after": unit.problem_after,
    }


def _indicator_dict(change: IndicatorChange) -> dict[str, Any]:
    return {
        "code": change.code,
        "old_code": change.old_code,
        "name": change.name,
        "cap_before": _json_number(change.cap_before),
        "cap_after": _json_number(change.cap_after),
        "units": change.units,
        "changed": change.changed,
        "sum": _json_number(change.total),
        "mean": _json_number(change.mean),
        "min": _json_number(change.min),
        "max": _json_number(change.max),
    }


def _grade_counts(result: Impact) -> list[tuple[str, int, int]]:
    before = Counter(u.grade_before for u in result.units if u.problem_before is None)
    after = Counter(u.grade_after for u in result.units if u.problem_after is None)
    names = list(result.grades_after)
    names += [g for g in result.grades_before if g not in names]
    return [(g, before[g], after[g]) for g in names]


def as_json(comparison: Comparison) -> str:
    return json.dumps(to_dict(comparison), ensure_ascii=False, indent=2) + "\n"


# ====================================================================== terminal table


def _table(heading: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[int] = (),
           indent: str = "  ") -> list[str]:
    """Columns aligned by display width (CJK counts double); ``right`` columns right-aligned."""
    widths = [max(display_width(row[i]) for row in [heading, *rows]) for i in range(len(heading))]

    def line(cells: Sequence[str]) -> str:
        padded = []
        for i, (cell, width) in enumerate(zip(cells, widths, strict=True)):
            pad = " " * (width - display_width(cell))
            padded.append(pad + cell if i in right else cell + pad)
        return (indent + "  ".join(padded)).rstrip()

    return [line(heading), indent + "  ".join("-" * w for w in widths), *map(line, rows)]


def _bar(count: int, most: int, width: int = 24) -> str:
    if not most:
        return ""
    return "█" * round(count * width / most)


def table(comparison: Comparison, *, all_units: bool = False) -> str:
    """The comparison for a terminal: changes, summary, grade changes, indicators, histogram."""
    out = [
        "perfrules diff",
        f"  old: {comparison.old_name}  ({comparison.old.name})",
        f"  new: {comparison.new_name}  ({comparison.new.name})",
        "",
    ]
    changes = comparison.changes
    scoring = sum(1 for c in changes if c.scoring)
    if not changes:
        out.append("Structural changes: none (the two frameworks are the same)")
    else:
        out.append(f"Structural changes: {len(changes)} ({scoring} can change scores)")
        for change in changes:
            note = "" if change.scoring else "  [no effect on scores]"
            out.append(f"  {change.words}{note}")
            if change.kind in ("criterion", "description"):
                out.append(f"      before: {change.before or '—'}")
                out.append(f"      after:  {change.after or '—'}")
    result = comparison.impact
    if result is None or comparison.dataset is None:
        out.append("")
        out.append("No dataset given: use --inputs DATASET to see the impact on units.")
        return "\n".join(out) + "\n"
    out += ["", *_impact_lines(comparison.dataset, result, all_units)]
    return "\n".join(out) + "\n"


def _impact_lines(dataset: Dataset, result: Impact, all_units: bool) -> list[str]:
    summary = _summary(result)
    mean, low, high = result.total_stats()
    out = [
        f"Impact on {len(result.units)} units ({dataset.source})",
        f"  scored under both: {summary['valid']}; refused by the old framework: "
        f"{summary['invalid_before']}; by the new: {summary['invalid_after']}",
        f"  totals changed: {summary['totals_changed']}; change of the total: mean "
        f"{_signed(mean)}, min {_signed(low)}, max {_signed(high)}",
        f"  grade changes: {summary['grade_changes']} ({summary['grades_up']} up, "
        f"{summary['grades_down']} down)",
    ]
    if dataset.problems:
        out += ["", f"Rows skipped: {len(dataset.problems)}"]
        out += [f"  {problem}" for problem in dataset.problems]
    refused = [u for u in result.units if not u.valid]
    if refused:
        out += ["", f"Units refused by a framework: {len(refused)}"]
        for unit in refused[:MAX_LISTED_UNITS]:
            for which, problems in (("old", unit.problems_before), ("new", unit.problems_after)):
                if problems:
                    out.append(f"  {unit.code} ({unit.where}), {which} framework: "
                               f"{_first_problems(problems)}")
        if len(refused) > MAX_LISTED_UNITS:
            out.append(f"  … and {len(refused) - MAX_LISTED_UNITS} more units "
                       "(--format json or html lists them all)")
    heading = ["unit", "total before", "total after", "change", "grade before", "grade after"]
    changed = result.grade_changes
    out += ["", f"Grade changes: {len(changed)}"]
    if changed:
        out += _table(heading, [_unit_row(u) for u in changed], right=(1, 2, 3))
    moved = [c for c in result.indicators if c.changed]
    out += ["", f"Change per indicator (after − before), indicators that moved: {len(moved)}"]
    if moved:
        rows = [[c.code, c.name, f"{c.changed}/{c.units}", _signed(c.mean), _signed(c.min),
                 _signed(c.max)] for c in moved]
        out += _table(["code", "indicator", "units changed", "mean", "min", "max"], rows,
                      right=(2, 3, 4, 5))
    out += ["", "Grades (units per grade)"]
    out += _table(["grade", "before", "after"],
                  [[g, str(b), str(a)] for g, b, a in _grade_counts(result)], right=(1, 2))
    if result.bins:
        most = max(max(b.before, b.after) for b in result.bins)
        rows = [[b.label, str(b.before), _bar(b.before, most), str(b.after), _bar(b.after, most)]
                for b in result.bins]
        out += ["", "Distribution of totals"]
        out += _table(["total", "before", "", "after", ""], rows, right=(1, 3))
    if all_units:
        out += ["", f"Every unit: {len(result.units)}"]
        out += _table(heading, [_unit_row(u) for u in result.units], right=(1, 2, 3))
    else:
        out += ["", "(--units lists every unit's total and grade before and after)"]
    return out


#: The table lists this many refused units, and this many problems of each.
MAX_LISTED_UNITS = 20
MAX_LISTED_PROBLEMS = 3


def _first_problems(problems: Sequence[str]) -> str:
    shown = "; ".join(problems[:MAX_LISTED_PROBLEMS])
    rest = len(problems) - MAX_LISTED_PROBLEMS
    return shown + (f"; … and {rest} more" if rest > 0 else "")


def _unit_row(unit: UnitOutcome) -> list[str]:
    return [unit.code, _n(unit.total_before), _n(unit.total_after), _signed(unit.total_change),
            unit.grade_before or "—", unit.grade_after or "—"]


# ====================================================================== HTML


_CSS = """
body { font-family: "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif;
       margin: 2em auto; max-width: 60em; color: #222; line-height: 1.45; padding: 0 1em; }
h1 { font-size: 1.5em; margin-bottom: 0.2em; }
h2 { font-size: 1.2em; margin-top: 1.8em; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; margin: 0.6em 0; font-size: 0.92em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }
th { background: #f2f2f2; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.up { color: #1a7f37; } .down { color: #b42318; }
.muted { color: #777; }
.files td:first-child { font-weight: bold; }
figure { margin: 1em 0; }
figcaption { font-size: 0.9em; color: #555; }
svg text { font-family: sans-serif; font-size: 11px; fill: #333; }
@media print {
  body { margin: 0; max-width: none; font-size: 10pt; }
  h2 { break-after: avoid; }
  table, figure { break-inside: avoid; }
  tr { break-inside: avoid; }
}
"""

_BEFORE_COLOUR = "#7b93c4"
_AFTER_COLOUR = "#e8845c"


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _html_table(heading: Sequence[str], rows: Sequence[Sequence[str]],
                numeric: Sequence[int] = (), classes: Sequence[str] | None = None) -> str:
    """A table; cells are escaped here, ``numeric`` columns are right-aligned."""
    head = "".join(f"<th>{_e(h)}</th>" for h in heading)
    body = []
    for index, row in enumerate(rows):
        cells = "".join(
            f'<td class="num">{_e(c)}</td>' if i in numeric else f"<td>{_e(c)}</td>"
            for i, c in enumerate(row)
        )
        klass = f' class="{_e(classes[index])}"' if classes and classes[index] else ""
        body.append(f"<tr{klass}>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def histogram_svg(result: Impact, width: int = 760, height: int = 300) -> str:
    """Inline SVG: for each bin of totals, a bar before and a bar after."""
    bins = result.bins
    left, right, top, bottom = 44, 12, 28, 44
    plot_w, plot_h = width - left - right, height - top - bottom
    most = max([max(b.before, b.after) for b in bins] + [1])
    step = _tick_step(most)
    ceiling = -(-most // step) * step
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="Histogram of totals before and after">',
        "<title>Distribution of totals before and after</title>",
    ]
    for tick in range(0, ceiling + 1, step):
        y = top + plot_h - plot_h * tick / ceiling
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" '
                     f'stroke="#e2e2e2"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{tick}</text>')
    group = plot_w / max(len(bins), 1)
    bar = group * 0.38
    for i, b in enumerate(bins):
        x0 = left + i * group
        for offset, count, colour, when in ((group * 0.1, b.before, _BEFORE_COLOUR, "before"),
                                            (group * 0.1 + bar, b.after, _AFTER_COLOUR, "after")):
            h = plot_h * count / ceiling
            parts.append(
                f'<rect x="{x0 + offset:.1f}" y="{top + plot_h - h:.1f}" width="{bar:.1f}" '
                f'height="{h:.1f}" fill="{colour}"><title>{_e(b.label)} {when}: {count} '
                f"units</title></rect>"
            )
        parts.append(f'<text x="{x0:.1f}" y="{top + plot_h + 16}" text-anchor="middle">'
                     f"{_e(format_number(b.low))}</text>")
    if bins:
        parts.append(f'<text x="{left + plot_w:.1f}" y="{top + plot_h + 16}" '
                     f'text-anchor="middle">{_e(format_number(bins[-1].high))}</text>')
    parts.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" '
                 f'y2="{top + plot_h}" stroke="#333"/>')
    parts.append(f'<text x="{left + plot_w / 2:.1f}" y="{height - 8}" text-anchor="middle">'
                 "total (points)</text>")
    parts.append(f'<text x="12" y="{top + plot_h / 2:.1f}" text-anchor="middle" '
                 f'transform="rotate(-90 12 {top + plot_h / 2:.1f})">units</text>')
    legend_x = left + plot_w - 150
    for k, (colour, label) in enumerate(((_BEFORE_COLOUR, "before (old framework)"),
                                         (_AFTER_COLOUR, "after (new framework)"))):
        y = 8 + k * 14
        parts.append(f'<rect x="{legend_x}" y="{y}" width="10" height="10" fill="{colour}"/>')
        parts.append(f'<text x="{legend_x + 14}" y="{y + 9}">{_e(label)}</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def _tick_step(most: int) -> int:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000):
        if most / step <= 8:
            return step
    return -(-most // 8)


def as_html(comparison: Comparison, *, all_units: bool = True) -> str:
    """One self-contained, printable HTML page: inline CSS and SVG, no script, no link."""
    title = f"perfrules diff: {comparison.old.name}"
    body = [
        f"<h1>{_e('Framework change: what it does')}</h1>",
        _html_table(["", "file", "framework"], [
            ["old", comparison.old_name, comparison.old.name],
            ["new", comparison.new_name, comparison.new.name],
        ]).replace("<table>", '<table class="files">', 1),
        f"<h2>Structural changes ({len(comparison.changes)})</h2>",
    ]
    if comparison.changes:
        rows = [[c.kind, c.code or "—", c.words, c.before or "—", c.after or "—",
                 "yes" if c.scoring else "no"] for c in comparison.changes]
        body.append(_html_table(["kind", "code", "change", "before", "after", "affects scores"],
                                rows))
    else:
        body.append("<p>None: the two frameworks are the same.</p>")
    result, dataset = comparison.impact, comparison.dataset
    if result is None or dataset is None:
        body.append('<p class="muted">No dataset was given: no impact on units is shown.</p>')
    else:
        body += _html_impact(dataset, result, all_units)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{_e(title)}</title>\n"
        f"<style>{_CSS}</style>\n</head>\n<body>\n"
        + "\n".join(body)
        + '\n<p class="muted">Made by perfrules diff. Means are exact and shown rounded to '
        "0.01.</p>\n</body>\n</html>\n"
    )


def _html_impact(dataset: Dataset, result: Impact, all_units: bool) -> list[str]:
    summary = _summary(result)
    mean, low, high = result.total_stats()
    items = [
        ("units", f"{summary['units']} ({dataset.source})"),
        ("scored under both", summary["valid"]),
        ("refused by the old / new framework",
         f"{summary['invalid_before']} / {summary['invalid_after']}"),
        ("totals changed", summary["totals_changed"]),
        ("change of the total", f"mean {_signed(mean)}, min {_signed(low)}, max {_signed(high)}"),
        ("grade changes", f"{summary['grade_changes']} ({summary['grades_up']} up, "
                          f"{summary['grades_down']} down)"),
    ]
    body = [f"<h2>Impact on {len(result.units)} units</h2>",
            _html_table(["", ""], [[k, str(v)] for k, v in items]).replace(
                "<thead><tr><th></th><th></th></tr></thead>", "")]
    heading = ["unit", "total before", "total after", "change", "grade before", "grade after"]
    changed = result.grade_changes
    body.append(f"<h2>Grade changes ({len(changed)})</h2>")
    if changed:
        body.append(_html_table(heading, [_unit_row(u) for u in changed], numeric=(1, 2, 3),
                                classes=[result.direction(u) or "" for u in changed]))
    else:
        body.append("<p>No unit changes grade.</p>")
    body.append("<h2>Distribution of totals</h2>")
    if result.bins:
        body.append("<figure>" + histogram_svg(result) + "<figcaption>Units per bin of totals, "
                    "before (old framework) and after (new framework).</figcaption></figure>")
        body.append(_html_table(["total", "before", "after"],
                                [[b.label, str(b.before), str(b.after)] for b in result.bins],
                                numeric=(1, 2)))
    body.append(_html_table(["grade", "units before", "units after"],
                            [[g, str(b), str(a)] for g, b, a in _grade_counts(result)],
                            numeric=(1, 2)))
    moved = [c for c in result.indicators if c.changed]
    body.append(f"<h2>Change per indicator ({len(moved)} moved)</h2>")
    if moved:
        rows = [[c.code, c.name, f"{c.changed}/{c.units}", _signed(c.mean), _signed(c.min),
                 _signed(c.max)] for c in moved]
        body.append(_html_table(["code", "indicator", "units changed", "mean", "min", "max"],
                                rows, numeric=(2, 3, 4, 5)))
    else:
        body.append("<p>No indicator's score changes.</p>")
    if dataset.problems:
        body.append(f"<h2>Rows skipped ({len(dataset.problems)})</h2>")
        body.append(_html_table(["where", "unit", "problem"],
                                [[p.where, p.unit or "—", p.message] for p in dataset.problems]))
    refused = [u for u in result.units if not u.valid]
    if refused:
        body.append(f"<h2>Units refused by a framework ({len(refused)})</h2>")
        body.append(_html_table(["unit", "where", "old framework", "new framework"],
                                [[u.code, u.where, u.problem_before or "scored",
                                  u.problem_after or "scored"] for u in refused]))
    if all_units:
        body.append(f"<h2>Every unit ({len(result.units)})</h2>")
        body.append(_html_table(heading, [_unit_row(u) for u in result.units],
                                numeric=(1, 2, 3)))
    return body


# ====================================================================== the command


def add_arguments(commands: Any, name: str) -> None:
    """Add ``perfrules diff`` to the CLI's subcommands."""
    parser = commands.add_parser(
        name, help="compare two frameworks, and their impact on a dataset of units",
        description="Show what changes between two rule files, in words; with --inputs, score "
                    "every unit of a dataset under both and show the totals and grades that "
                    "change.",
    )
    parser.add_argument("old", help="the old rule file (or a folder holding framework.rules)")
    parser.add_argument("new", help="the new rule file (or a folder holding framework.rules)")
    parser.add_argument("--inputs", metavar="DATASET",
                        help="units to score: a .csv file, a .jsonl file, a folder of inputs "
                             "files, or one inputs file")
    parser.add_argument("--format", choices=FORMATS, default="table")
    parser.add_argument("-o", "--output", metavar="FILE",
                        help="write the output to FILE instead of standard output")
    parser.add_argument("--units", action="store_true",
                        help="in the table, list every unit's total and grade before and after")
    parser.add_argument("--bin-width", type=_positive_decimal, metavar="POINTS",
                        help="width of the bins of totals (default: chosen for at most 20 bins)")


def _positive_decimal(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except ArithmeticError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value.is_finite() or value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number above 0")
    return value


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Run ``perfrules diff``; returns the exit status."""
    try:
        old = api.load(args.old)
        new = api.load(args.new)
    except RuleFileError as error:
        print(str(error), file=err)
        return EXIT_INVALID
    dataset = None
    if args.inputs is not None:
        try:
            dataset = read_dataset(args.inputs)
        except DatasetError as error:
            print(f"perfrules: {error}", file=err)
            return EXIT_INVALID
    comparison = Comparison(old, new, dataset, old_name=args.old, new_name=args.new,
                            bin_width=args.bin_width)
    if args.format == "json":
        text = as_json(comparison)
    elif args.format == "html":
        text = as_html(comparison)
    else:
        text = table(comparison, all_units=args.units)
    if args.output is None:
        out.write(text)
        return EXIT_OK
    try:
        Path(args.output).write_text(text, encoding="utf-8")
    except OSError as error:
        print(f"perfrules: cannot write {args.output}: {error.strerror}", file=err)
        return EXIT_INVALID
    print(f"perfrules: wrote {args.output}", file=err)
    return EXIT_OK
