"""A scored result as the seed's published table, in Markdown, HTML, XLSX and CSV.

Every format is built from one :class:`Table`: one row per leaf indicator with its ancestors
(一级/二级/三级指标), 指标说明, 评价要点, 分值, 得分 and 未完成指标原因分析, then the total row
(总得分（100 分）, the total, minus the points lost) and the grade. See docs/publishing.md.
"""

from __future__ import annotations

import csv
import html
import importlib
import io
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from attrs import frozen

from .framework import Framework
from .result import Result, format_number, indicator_label, level_heading
from .source import display_width

#: The formats this module writes, and whether each is text (False: bytes).
FORMATS: dict[str, bool] = {"md": True, "html": True, "csv": True, "xlsx": False}

#: Where the 评价要点 column comes from: the published text (``criterion``) when the indicator
#: has one, else the rule rendered into canonical phrasing; or always the rendered rule.
CRITERIA = ("published", "rendered")

# ---------------------------------------------------------------------------- the table


@frozen
class Level:
    """A hierarchy cell: an indicator named on the first row under it, spanning its leaves."""

    code: str
    text: str  # "A 部门决策（15 分）"
    span: int  # how many leaf rows it covers (the HTML rowspan, the XLSX merge height)


@frozen
class Row:
    """One leaf indicator's row.

    Attributes:
        code: the leaf's code.
        levels: one entry per hierarchy column. A :class:`Level` where an indicator starts on
            this row; ``""`` where the cell continues the indicator above it (blank in the
            seed's layout); ``None`` where the leaf sits above that level (always blank).
        description: 指标说明 ("" when the indicator has none).
        criterion: 评价要点, published or rendered.
        cap: the leaf's cap in points.
        score: the points as the table shows them: negative for a penalty's deduction; None
            when the indicator is not applicable (shown as 不适用 / n/a).
        reasons: why points were lost or changed, in the evaluator's own words where given.
        section: ``regular``, ``bonus`` or ``penalty``.
    """

    code: str
    levels: tuple[Level | str | None, ...]
    description: str
    criterion: str
    cap: Decimal
    score: Decimal | None
    reasons: str
    section: str

    @property
    def lost_points(self) -> bool:
        """The row scored below its cap (a regular indicator), or took a deduction."""
        if self.score is None:
            return False
        if self.section == "penalty":
            return self.score < 0
        return self.section == "regular" and self.score < self.cap


@frozen
class Bar:
    """A 一级指标 in the chart: its score against its cap."""

    code: str
    name: str
    cap: Decimal
    score: Decimal | None
    section: str


@frozen
class Table:
    """The published table of one scored unit, ready for any of the writers."""

    title: str
    unit: str | None
    year: int | None
    locale: str
    heading: tuple[str, ...]
    depth: int  # how many hierarchy columns lead the heading
    rows: tuple[Row, ...]
    total: Decimal
    total_cap: Decimal | None
    lost: Decimal
    grade: str | None
    vetoes: tuple[str, ...]
    bars: tuple[Bar, ...]

    @property
    def english(self) -> bool:
        return self.locale.startswith("en")

    @property
    def total_label(self) -> str:
        """The total row's first cell: ``总得分（100 分）`` as in the seed."""
        if self.english:
            cap = f" ({format_number(self.total_cap)})" if self.total_cap is not None else ""
            return f"Total{cap}"
        cap = f"（{format_number(self.total_cap)} 分）" if self.total_cap is not None else ""
        return f"总得分{cap}"

    @property
    def grade_label(self) -> str:
        return "Grade" if self.english else "等次"

    @property
    def minus_lost(self) -> Decimal:
        """The points lost as the seed's total row shows them: ``-1`` (``0`` when none)."""
        return -self.lost if self.lost else Decimal(0)

    def shown(self, score: Decimal | None) -> str:
        """A score cell as text: ``2.5``, ``-1``, or 不适用 / n/a."""
        if score is None:
            return "n/a" if self.english else "不适用"
        return format_number(score)

    def cells(self, row: Row, *, repeat: bool = False) -> list[str]:
        """A row as text cells; ancestors' cells repeated on every row when ``repeat``."""
        out = []
        for i, level in enumerate(row.levels):
            if isinstance(level, Level):
                out.append(level.text)
            elif level == "" and repeat:
                out.append(self._ancestor_text(row, i))
            else:
                out.append("")
        return out + [row.description, row.criterion, format_number(row.cap),
                      self.shown(row.score), row.reasons]

    def _ancestor_text(self, row: Row, column: int) -> str:
        index = self.rows.index(row)
        for above in reversed(self.rows[:index]):
            level = above.levels[column]
            if isinstance(level, Level):
                return level.text
        return ""


def _leaves(result: Result, code: str) -> int:
    node = result[code]
    if node.is_leaf:
        return 1
    return sum(_leaves(result, child) for child in node.children)


def _renderer() -> Callable[..., str] | None:
    """perfrules.render.render, when the installed perfrules has it."""
    try:
        module = importlib.import_module(f"{__package__}.render")
    except ImportError:
        return None
    return getattr(module, "render", None)


def _criterion(framework: Framework, code: str, criteria: str, locale: str) -> str:
    indicator = framework[code]
    if criteria == "published" and indicator.criterion:
        return indicator.criterion
    render = _renderer()
    if indicator.rule is None or render is None:
        return indicator.criterion or ""
    labels = {name: decl.description or name for name, decl in framework.inputs.items()}
    try:
        return render(indicator.rule, cap=indicator.cap, labels=labels, locale=locale)
    except ValueError:  # a rule with no one-phrase wording (a combination in a combination)
        return indicator.criterion or ""


def build(framework: Framework, result: Result, *, locale: str = "zh",
          criteria: str = "published") -> Table:
    """The published table of ``result``: one row per leaf with its ancestors.

    Args:
        criteria: ``published`` (the indicator's own 评价要点 text where it has one, the
            rendered rule otherwise) or ``rendered`` (always the rule's canonical phrasing).
    """
    if criteria not in CRITERIA:
        raise ValueError(f"criteria must be one of {CRITERIA}, not {criteria!r}")
    english = locale.startswith("en")
    depth = max((result[code].level for code in result), default=1)
    heading = [level_heading(level, locale) for level in range(1, depth + 1)]
    if english:
        heading += ["Description", "Criterion", "Cap", "Score", "Why points were lost"]
    else:
        heading += ["指标说明", "评价要点", "分值", "得分", "未完成指标原因分析"]
    separator = "; " if english else "；"
    colon = ": " if english else "："
    rows: list[Row] = []
    pending: dict[str, list[str]] = {}  # reasons of inner nodes, shown on their first leaf row
    for code in result:
        node = result[code]
        if not node.is_leaf:
            if node.reasons:
                first = _first_leaf(result, code)
                pending.setdefault(first, []).extend(
                    f"{code}{colon}{r.summary(locale)}" for r in node.reasons
                )
            continue
        chain = [node]
        while chain[-1].parent is not None:
            chain.append(result[chain[-1].parent])
        levels: list[Level | str | None] = [None] * depth
        for ancestor in chain:
            if ancestor is node or _first_leaf(result, ancestor.code) == code:
                levels[ancestor.level - 1] = Level(ancestor.code, indicator_label(ancestor, locale),
                                                   _leaves(result, ancestor.code))
            else:
                levels[ancestor.level - 1] = ""
        reasons = [r.summary(locale) for r in node.reasons]
        reasons = pending.pop(code, []) + reasons
        score = node.score
        if score is not None and node.section == "penalty":
            score = -score if score else Decimal(0)
        rows.append(Row(
            code=code,
            levels=tuple(levels),
            description=framework[code].description or "",
            criterion=_criterion(framework, code, criteria, locale),
            cap=node.cap,
            score=score,
            reasons=separator.join(reasons),
            section=node.section,
        ))
    return Table(
        title=framework.name,
        unit=result.unit,
        year=framework.year,
        locale=locale,
        heading=tuple(heading),
        depth=depth,
        rows=tuple(rows),
        total=result.total,
        total_cap=framework.ast.total,
        lost=result.lost,
        grade=result.grade,
        vetoes=result.vetoes,
        bars=tuple(Bar(n.code, n.name, n.cap, n.score, n.section) for n in result.top),
    )


def _first_leaf(result: Result, code: str) -> str:
    current = code
    while result[current].children:
        current = result[current].children[0]
    return current


def _subtitle(table: Table) -> str:
    parts = []
    if table.unit:
        parts.append(table.unit)
    if table.year is not None:
        parts.append(str(table.year) if table.english else f"{table.year} 年度")
    return " · ".join(parts)


def _summary_line(table: Table) -> str:
    total = format_number(table.total)
    lost = format_number(table.lost)
    if table.english:
        of = f" of {format_number(table.total_cap)}" if table.total_cap is not None else ""
        return f"Total: **{total}**{of} (points lost: {lost})"
    of = f"（满分 {format_number(table.total_cap)} 分）" if table.total_cap is not None else ""
    return f"总得分：**{total}** 分{of}，失分 {lost} 分"


# ---------------------------------------------------------------------------- Markdown


def _md_cell(text: str) -> str:
    """Text safe inside a GitHub table cell: pipes escaped, line breaks as <br>."""
    text = text.replace("\\", "\\\\").replace("|", "\\|")
    return "<br>".join(line.strip() for line in text.splitlines()) if "\n" in text else text


def as_markdown(table: Table) -> str:
    """A GitHub-flavoured Markdown table; the total and grade follow it."""
    out = [f"# {_md_cell(table.title)}", ""]
    if _subtitle(table):
        out += [_md_cell(_subtitle(table)), ""]
    out.append("| " + " | ".join(table.heading) + " |")
    aligns = ["---"] * (table.depth + 2) + ["---:", "---:", "---"]
    out.append("| " + " | ".join(aligns) + " |")
    for row in table.rows:
        out.append("| " + " | ".join(_md_cell(c) for c in table.cells(row)) + " |")
    total_cap = format_number(table.total_cap) if table.total_cap is not None else ""
    total = [table.total_label] + [""] * (table.depth + 1) + [
        total_cap, format_number(table.total), format_number(table.minus_lost)]
    out.append("| " + " | ".join(_md_cell(c) for c in total) + " |")
    out += ["", f"- {_summary_line(table)}"]
    if table.grade is not None:
        colon = ": " if table.english else "："
        out.append(f"- {table.grade_label}{colon}**{_md_cell(table.grade)}**")
    out.extend(f"- {_md_cell(veto)}" for veto in table.vetoes)
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------- CSV


def as_csv(table: Table) -> str:
    """CSV text starting with a UTF-8 byte-order mark (Excel then reads the Chinese right).

    One row per leaf; every row repeats its ancestors' cells, so that each row stands alone
    (sorting and filtering keep the hierarchy). Numbers are plain (``2.5``, ``-1``). The total
    row and the grade row follow the leaves.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(table.heading)
    for row in table.rows:
        writer.writerow(table.cells(row, repeat=True))
    blank = [""] * (table.depth + 1)
    total_cap = format_number(table.total_cap) if table.total_cap is not None else ""
    writer.writerow([table.total_label, *blank, total_cap, format_number(table.total),
                     format_number(table.minus_lost)])
    if table.grade is not None:
        writer.writerow([table.grade_label, *blank, "", table.grade, "; ".join(table.vetoes)])
    return "\ufeff" + buffer.getvalue()


# ---------------------------------------------------------------------------- XLSX


def _number(value: Decimal) -> int | float:
    """A Decimal as a spreadsheet number: whole numbers as int, others as float."""
    text = format_number(value)
    return int(text) if "." not in text else float(text)


#: Column widths in character units (CJK characters count two): min and max per kind.
_WIDTHS = {"level": (10, 20), "leaf": (12, 28), "description": (16, 40), "criterion": (16, 44),
           "number": (6, 8), "reasons": (16, 36)}


def as_xlsx(table: Table) -> bytes:
    """An Excel workbook in the seed's layout (requires openpyxl, the ``office`` extra).

    Row 1 is the title, row 2 the bold, frozen heading; one row per leaf follows, with each
    一级/二级指标 cell merged down over its leaves; then the total and grade rows. Scores and
    caps are numbers (int or float, number format General, so 2 shows as 2 and 2.5 as 2.5).
    """
    try:
        from openpyxl import Workbook
        from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
        from openpyxl.utils import get_column_letter
    except ImportError as error:  # pragma: no cover - depends on the environment
        raise RuntimeError(
            "writing XLSX needs openpyxl: pip install 'perfrules[office]'"
        ) from error

    book = Workbook()
    sheet = book.active
    sheet.title = "评价结果" if not table.english else "Results"
    columns = len(table.heading)
    thin = Side(style="thin", color="808080")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="center")
    centre = Alignment(wrap_text=True, vertical="center", horizontal="center")
    last = get_column_letter(columns)

    title, subtitle = table.title, _subtitle(table)
    if subtitle:
        title += f" ({subtitle})" if table.english else f"（{subtitle}）"
    sheet.cell(row=1, column=1, value=title).font = Font(bold=True, size=14)
    sheet.cell(row=1, column=1).alignment = Alignment(horizontal="center", vertical="center")
    sheet.merge_cells(f"A1:{last}1")
    sheet.row_dimensions[1].height = 24

    for column, text in enumerate(table.heading, start=1):
        cell = sheet.cell(row=2, column=column, value=text)
        cell.font = Font(bold=True)
        cell.alignment = centre
        cell.border = border
        cell.fill = PatternFill("solid", fgColor="DDE4EE")
    first_row = 3
    number_columns = {table.depth + 3, table.depth + 4}  # 分值, 得分
    for offset, row in enumerate(table.rows):
        r = first_row + offset
        for i, level in enumerate(row.levels):
            cell = sheet.cell(row=r, column=i + 1)
            if isinstance(level, Level):
                cell.value = level.text
                if level.span > 1:
                    sheet.merge_cells(start_row=r, start_column=i + 1,
                                      end_row=r + level.span - 1, end_column=i + 1)
        sheet.cell(row=r, column=table.depth + 1, value=row.description or None)
        sheet.cell(row=r, column=table.depth + 2, value=row.criterion or None)
        sheet.cell(row=r, column=table.depth + 3, value=_number(row.cap))
        sheet.cell(row=r, column=table.depth + 4,
                   value=table.shown(None) if row.score is None else _number(row.score))
        sheet.cell(row=r, column=table.depth + 5, value=row.reasons or None)
    total_row = first_row + len(table.rows)
    sheet.cell(row=total_row, column=1, value=table.total_label)
    sheet.merge_cells(start_row=total_row, start_column=1, end_row=total_row,
                      end_column=table.depth + 2)
    if table.total_cap is not None:
        sheet.cell(row=total_row, column=table.depth + 3, value=_number(table.total_cap))
    sheet.cell(row=total_row, column=table.depth + 4, value=_number(table.total))
    sheet.cell(row=total_row, column=table.depth + 5, value=_number(table.minus_lost))
    end_row = total_row
    if table.grade is not None:
        end_row = total_row + 1
        sheet.cell(row=end_row, column=1, value=table.grade_label)
        sheet.merge_cells(start_row=end_row, start_column=1, end_row=end_row,
                          end_column=table.depth + 3)
        sheet.cell(row=end_row, column=table.depth + 4, value=table.grade)
        sheet.cell(row=end_row, column=table.depth + 5,
                   value="；".join(table.vetoes) or None)
    for r in range(first_row, end_row + 1):
        for c in range(1, columns + 1):
            cell = sheet.cell(row=r, column=c)
            cell.border = border
            cell.alignment = centre if c in number_columns else wrap
            if c in number_columns:
                cell.number_format = "General"
            if r >= total_row:
                cell.font = Font(bold=True)

    widths = []
    for c in range(columns):
        if c < table.depth:
            kind = "leaf" if c == table.depth - 1 else "level"
        else:
            kind = ("description", "criterion", "number", "number", "reasons")[c - table.depth]
        low, high = _WIDTHS[kind]
        texts = [table.heading[c]] + [table.cells(row)[c] for row in table.rows]
        widest = max(display_width(t) for t in texts)
        widths.append(max(low, min(high, widest + 2)))
        sheet.column_dimensions[get_column_letter(c + 1)].width = widths[-1]
    for offset, row in enumerate(table.rows):
        lines = 1
        for c, text in enumerate(table.cells(row)):
            level = row.levels[c] if c < table.depth else None
            if isinstance(level, Level) and level.span > 1:
                continue  # a merged cell's text spreads over several rows
            lines = max(lines, -(-display_width(text) // max(1, widths[c] - 1)))
        sheet.row_dimensions[first_row + offset].height = max(18, 15 * lines + 3)

    sheet.freeze_panes = sheet.cell(row=first_row, column=1)
    sheet.print_title_rows = "2:2"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    book.properties.title = table.title
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------------------- HTML

_FONTS = ('"Noto Sans CJK SC", "Source Han Sans SC", "Noto Sans SC", "PingFang SC", '
          '"Hiragino Sans GB", "Microsoft YaHei", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei", '
          '"SimHei", "SimSun", "Noto Sans", "Helvetica Neue", Arial, sans-serif')

_CSS = """
:root { --ink: #1f2933; --line: #9aa5b1; --head: #dde4ee; --lost: #fff3d6; --bar: #2f6fb3;
        --track: #e4e7eb; --bonus: #2f9e6e; --penalty: #c2410c; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { font-family: FONTS; color: var(--ink); margin: 24px auto; max-width: 1280px;
       padding: 0 16px; font-size: 14px; line-height: 1.5; background: #fff; }
h1 { font-size: 22px; margin: 0 0 4px; text-align: center; }
.subtitle { text-align: center; margin: 0 0 16px; color: #52606d; }
.summary { display: flex; gap: 12px; justify-content: center; flex-wrap: wrap; margin: 0 0 16px; }
.summary div { border: 1px solid var(--line); border-radius: 6px; padding: 6px 18px;
               text-align: center; min-width: 120px; }
.summary b { display: block; font-size: 26px; line-height: 1.2; }
.summary span { font-size: 12px; color: #52606d; }
.vetoes { color: var(--penalty); text-align: center; margin: 0 0 12px; }
figure { margin: 0 0 20px; }
figcaption { font-weight: bold; margin-bottom: 4px; }
svg.chart { width: 100%; max-width: 860px; height: auto; display: block; }
svg.chart text { font-family: FONTS; font-size: 13px; fill: var(--ink); }
svg.chart .track { fill: var(--track); }
svg.chart .score { fill: var(--bar); }
svg.chart .bonus { fill: var(--bonus); }
svg.chart .penalty { fill: var(--penalty); }
table { border-collapse: collapse; width: 100%; table-layout: auto; }
th, td { border: 1px solid var(--line); padding: 4px 6px; vertical-align: middle;
         text-align: left; word-break: break-word; }
thead th { background: var(--head); text-align: center; white-space: nowrap; }
col.level { width: 8em; } col.leaf { width: 12em; } col.text { width: 22%; }
col.num { width: 3.5em; } col.why { width: 14%; }
td.num { text-align: center; white-space: nowrap; }
td.level { min-width: 7em; }
td.lost { background: var(--lost); font-weight: bold; }
tr.total td { font-weight: bold; background: #f5f7fa; }
footer { margin-top: 12px; font-size: 12px; color: #7b8794; }
@media print {
  @page { size: A4 landscape; margin: 12mm; }
  body { margin: 0; max-width: none; padding: 0; font-size: 9pt; line-height: 1.35; }
  th, td { padding: 2px 4px; }
  .summary { margin-bottom: 8px; }
  figure { margin-bottom: 10px; }
  h1 { font-size: 15pt; }
  .summary b { font-size: 16pt; }
  svg.chart { max-width: 150mm; }
  thead { display: table-header-group; }
  tr, figure, .summary { break-inside: avoid; page-break-inside: avoid; }
  footer { display: none; }
}
""".replace("FONTS", _FONTS)


def _esc(text: str) -> str:
    return html.escape(text, quote=True).replace("\n", "<br>")


def _chart(table: Table) -> str:
    """An inline SVG bar chart: each 一级指标's score (filled) against its cap (the track)."""
    label_width, bar_width, row_height, value_width = 220, 480, 30, 110
    width = label_width + bar_width + value_width
    height = row_height * len(table.bars) + 10
    widest = max((bar.cap for bar in table.bars), default=Decimal(1)) or Decimal(1)
    parts = [f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" role="img" '
             f'viewBox="0 0 {width} {height}" width="{width}" height="{height}">']
    for i, bar in enumerate(table.bars):
        y = 5 + i * row_height
        track = float(bar.cap / widest) * bar_width
        score = bar.score if bar.score is not None else Decimal(0)
        filled = float(min(max(score, Decimal(0)), bar.cap) / widest) * bar_width
        kind = {"bonus": "bonus", "penalty": "penalty"}.get(bar.section, "score")
        name = f"{bar.code} {bar.name}"
        if bar.score is None:
            value = "不适用" if not table.english else "n/a"
        elif bar.section == "penalty":
            value = f"-{format_number(bar.score)} / -{format_number(bar.cap)}"
        else:
            prefix = "≤" if bar.section == "bonus" else ""
            value = f"{format_number(bar.score)} / {prefix}{format_number(bar.cap)}"
        parts.append(
            f'<g><title>{_esc(name)}: {_esc(value)}</title>'
            f'<text x="{label_width - 8}" y="{y + 19}" text-anchor="end">{_esc(name)}</text>'
            f'<rect class="track" x="{label_width}" y="{y + 4}" width="{track:.1f}" '
            f'height="{row_height - 10}" rx="3"/>'
            f'<rect class="{kind}" x="{label_width}" y="{y + 4}" width="{filled:.1f}" '
            f'height="{row_height - 10}" rx="3"/>'
            f'<text x="{label_width + track + 8:.1f}" y="{y + 19}">{_esc(value)}</text></g>'
        )
    parts.append("</svg>")
    return "".join(parts)


def as_html(table: Table) -> str:
    """One self-contained, printable HTML page: summary, bar chart, the table, the grade.

    Inline CSS only (with an ``@media print`` A4-landscape layout); no scripts, no external
    resources; a CJK font-fallback stack. Hierarchy cells span their leaves (rowspan).
    """
    english = table.english
    lang = "en" if english else "zh-CN"
    subtitle = _subtitle(table)
    out = [
        "<!DOCTYPE html>",
        f'<html lang="{lang}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="generator" content="perfrules">',
        f"<title>{_esc(table.title)}{' — ' + _esc(subtitle) if subtitle else ''}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        f"<h1>{_esc(table.title)}</h1>",
    ]
    if subtitle:
        out.append(f'<p class="subtitle">{_esc(subtitle)}</p>')
    of = ""
    if table.total_cap is not None:
        of = ("of " if english else "满分 ") + format_number(table.total_cap)
    labels = (("Total", "Points lost", "Grade") if english else ("总得分", "失分", "等次"))
    out.append('<section class="summary">')
    out.append(f'<div id="total"><span>{labels[0]}</span><b>{format_number(table.total)}</b>'
               f"<span>{of}</span></div>")
    out.append(f'<div id="lost"><span>{labels[1]}</span><b>{format_number(table.lost)}</b>'
               "<span></span></div>")
    if table.grade is not None:
        out.append(f'<div id="grade"><span>{labels[2]}</span><b>{_esc(table.grade)}</b>'
                   "<span></span></div>")
    out.append("</section>")
    if table.vetoes:
        out.append('<p class="vetoes">' + "<br>".join(_esc(v) for v in table.vetoes) + "</p>")
    caption = "Score against cap by level-1 indicator" if english else "一级指标得分与分值"
    out.append(f"<figure><figcaption>{caption}</figcaption>{_chart(table)}</figure>")
    out.append("<table>")
    out.append("<colgroup>" + '<col class="level">' * (table.depth - 1) + '<col class="leaf">'
               + '<col class="text"><col class="text"><col class="num"><col class="num">'
               + '<col class="why"></colgroup>')
    out.append("<thead><tr>" + "".join(f"<th>{_esc(h)}</th>" for h in table.heading)
               + "</tr></thead>")
    out.append("<tbody>")
    for row in table.rows:
        cells = []
        for level in row.levels:
            if isinstance(level, Level):
                span = f' rowspan="{level.span}"' if level.span > 1 else ""
                cells.append(f'<td class="level"{span}>{_esc(level.text)}</td>')
            elif level is None:
                cells.append('<td class="level"></td>')
        score_class = "num lost" if row.lost_points else "num"
        cells += [
            f"<td>{_esc(row.description)}</td>",
            f"<td>{_esc(row.criterion)}</td>",
            f'<td class="num">{format_number(row.cap)}</td>',
            f'<td class="{score_class}">{_esc(table.shown(row.score))}</td>',
            f"<td>{_esc(row.reasons)}</td>",
        ]
        out.append(f'<tr data-code="{_esc(row.code)}">' + "".join(cells) + "</tr>")
    total_cap_cell = format_number(table.total_cap) if table.total_cap is not None else ""
    out.append(
        f'<tr class="total"><td colspan="{table.depth + 2}">{_esc(table.total_label)}</td>'
        f'<td class="num">{total_cap_cell}</td>'
        f'<td class="num">{format_number(table.total)}</td>'
        f"<td>{format_number(table.minus_lost)}</td></tr>"
    )
    if table.grade is not None:
        out.append(
            f'<tr class="total"><td colspan="{table.depth + 3}">{_esc(table.grade_label)}</td>'
            f'<td class="num">{_esc(table.grade)}</td><td></td></tr>'
        )
    out.append("</tbody></table>")
    out.append("<footer>perfrules</footer>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------- entry points

_WRITERS: dict[str, Callable[[Table], Any]] = {
    "md": as_markdown,
    "html": as_html,
    "csv": as_csv,
    "xlsx": as_xlsx,
}


def publish(framework: Framework, result: Result, format: str, *, locale: str = "zh",
            criteria: str = "published") -> str | bytes:
    """The result in one of :data:`FORMATS`: text for md, html and csv; bytes for xlsx."""
    if format not in _WRITERS:
        raise ValueError(f"format must be one of {sorted(_WRITERS)}, not {format!r}")
    return _WRITERS[format](build(framework, result, locale=locale, criteria=criteria))


def write(path: str | Path, framework: Framework, result: Result, format: str | None = None,
          *, locale: str = "zh", criteria: str = "published") -> Path:
    """Write the result to ``path`` (the format defaults to the file's suffix); returns it."""
    path = Path(path)
    chosen = format or path.suffix.lstrip(".").lower()
    if chosen == "markdown":
        chosen = "md"
    content = publish(framework, result, chosen, locale=locale, criteria=criteria)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        with path.open("w", encoding="utf-8", newline="") as handle:
            handle.write(content)
    return path


__all__: list[str] = ["FORMATS", "CRITERIA", "Bar", "Level", "Row", "Table", "build",
                      "publish", "write", "as_markdown", "as_csv", "as_xlsx", "as_html"]
