"""Import an indicator table — CSV, TSV, XLSX or the table in a DOCX report — as a framework.

An import goes through three steps:

1. :func:`read_table` reads the file's cells as rows; a merged cell (XLSX, DOCX) knows the
   row and column its merged range starts at.
2. :func:`read_entries` finds the header (一级指标, 二级指标, 三级指标, 指标说明, 评价要点, 得分,
   原因分析 and their usual variants), skips header rows repeated at page breaks, joins rows
   split by a page break into the row they continue, and reads the total row.
3. :func:`import_table` builds the tree — codes and caps read from the cells ("A1 决策机制（6
   分）"), blank cells repeating the row above, uncoded cells given codes from their parent
   and position — compiles each 评价要点 with :func:`perfrules.phrases.compile_phrase`, and
   writes the rule text (:func:`perfrules.unparse.unparse`, with comments) and, when the table
   has 得分, an inputs file that reproduces them.

A row that cannot be read (a phrase the phrase compiler does not understand, a cap that
cannot be found) does not stop the import: its indicator becomes a ``judged`` one with a
``# IMPORT: could not read: …`` comment above it, and the problem is listed with its row.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, TextIO

import attrs
from attrs import define, field, frozen

from . import ast, build, check, syntax
from .compile import compile_framework
from .errors import PerfrulesError, RuleFileError
from .framework import Framework
from .inputs import from_mapping
from .phrases import DEFAULT_GRADES as DEFAULT_GRADE_NAMES
from .phrases import compile_phrase
from .source import Source, display_width
from .unparse import is_bare_name, unparse

__all__ = [
    "ImportResult",
    "RowProblem",
    "Table",
    "TableError",
    "import_table",
    "read_entries",
    "read_table",
]

#: Suffixes read as delimited text, with their delimiter.
DELIMITED = {".csv": ",", ".tsv": "\t", ".tab": "\t", ".txt": "\t"}
SPREADSHEETS = (".xlsx", ".xlsm")
DOCUMENTS = (".docx",)
SUFFIXES = (*DELIMITED, *SPREADSHEETS, *DOCUMENTS)

#: The grade bands written when the table states none (the usual 优秀/良好/中/差 at 90/80/60).
DEFAULT_GRADES = "优秀 >= 90; 良好 >= 80; 中 >= 60; 差 otherwise"

COUNTINGS = {
    "full": ast.Counting.FULL,
    "started": ast.Counting.STARTED,
    "pro_rata": ast.Counting.PRO_RATA,
}


class TableError(PerfrulesError):
    """The file holds no indicator table that can be read at all (nothing is written)."""


# ====================================================================== reading cells


@frozen
class Cell:
    """One cell's text; ``origin`` is the (row, column) where its merged range starts."""

    text: str
    origin: tuple[int, int] | None = None


@frozen
class Row:
    """A row of the table as read: its number in the file (1-based) and its cells."""

    number: int
    cells: tuple[Cell, ...]
    where: str = ""

    def text(self, column: int | None) -> str:
        if column is None or column >= len(self.cells):
            return ""
        return self.cells[column].text

    def is_blank(self) -> bool:
        return not any(cell.text for cell in self.cells)

    @property
    def place(self) -> str:
        return self.where or f"row {self.number}"


@frozen
class Table:
    """The rows of a table file, the caption above the table, and what the file was."""

    source: str
    kind: str  # "CSV", "TSV", "XLSX sheet …", "DOCX table …"
    rows: tuple[Row, ...]
    caption: str | None = None


def read_table(path: str | Path, *, sheet: str | None = None) -> Table:
    """Read the rows of an indicator table from a CSV, TSV, XLSX or DOCX file.

    Raises:
        TableError: the file cannot be read, its format is not known, or (XLSX, DOCX) it
            holds no table with an indicator table's header.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise TableError(
            f"{path}: cannot tell the table format from the suffix {suffix or '(none)'!r}; "
            f"use one of {', '.join(SUFFIXES)}"
        )
    if not path.is_file():
        raise TableError(f"{path}: no such file")
    if sheet is not None and suffix not in SPREADSHEETS:
        raise TableError(f"{path}: --sheet applies to XLSX workbooks only")
    if suffix in DELIMITED:
        return _read_delimited(path, DELIMITED[suffix])
    if suffix in SPREADSHEETS:
        return _read_xlsx(path, sheet)
    return _read_docx(path)


def _decode(path: Path) -> str:
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        # Excel on Chinese Windows saves CSV in the legacy code page (GBK, a subset of GB18030).
        return raw.decode("gb18030")
    except UnicodeDecodeError as error:
        raise TableError(f"{path}: neither UTF-8 nor GB18030 text (byte {error.start})") from None


def _read_delimited(path: Path, delimiter: str) -> Table:
    text = _decode(path).replace("\r\n", "\n").replace("\r", "\n")
    rows: list[Row] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    first_line = 1
    try:
        for record in reader:
            cells = tuple(Cell(_clean(value)) for value in record)
            rows.append(Row(first_line, cells))
            first_line = reader.line_num + 1
    except csv.Error as error:
        raise TableError(f"{path}: line {reader.line_num}: {error}") from None
    kind = "TSV" if delimiter == "\t" else "CSV"
    return Table(str(path), kind, tuple(rows), _caption(rows))


def _caption(rows: list[Row]) -> str | None:
    """The caption: the first one-text row above the header (the table's title), if any."""
    header = _header_index(rows)
    for row in rows[:header or 0]:
        texts = {cell.text for cell in row.cells if cell.text}
        if len(texts) == 1:  # a merged title row repeats one text
            return texts.pop()
    return None


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        # repr gives the shortest text that reads back as the same float: 2.5, not 2.50000001.
        return format(Decimal(repr(value)).normalize(), "f")
    if isinstance(value, int):
        return str(value)
    return _clean(str(value))


def _read_xlsx(path: Path, sheet: str | None) -> Table:
    try:
        import openpyxl
    except ImportError:  # pragma: no cover - the office extra is installed in development
        raise TableError(
            "reading XLSX needs openpyxl: pip install 'perfrules[office]'"
        ) from None
    try:
        workbook = openpyxl.load_workbook(path, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise TableError(f"{path}: cannot read the workbook: {error}") from None
    if sheet is not None:
        if sheet not in workbook.sheetnames:
            raise TableError(
                f"{path}: no sheet named {sheet!r}; the sheets are {', '.join(workbook.sheetnames)}"
            )
        candidates = [workbook[sheet]]
    else:
        candidates = list(workbook.worksheets)
    for worksheet in candidates:
        rows = _sheet_rows(worksheet)
        if _header_index(rows) is not None or sheet is not None:
            return Table(str(path), f"XLSX sheet {worksheet.title}", tuple(rows), _caption(rows))
    raise TableError(f"{path}: no sheet holds an indicator table (a header with 一级指标, "
                     "二级指标, 三级指标 or 评价要点)")


def _sheet_rows(worksheet: Any) -> list[Row]:
    grid: dict[tuple[int, int], Cell] = {}
    for merged in worksheet.merged_cells.ranges:
        top, left = merged.min_row, merged.min_col
        text = _cell_text(worksheet.cell(top, left).value)
        for r in range(merged.min_row, merged.max_row + 1):
            for c in range(merged.min_col, merged.max_col + 1):
                grid[(r, c)] = Cell(text, (top, left))
    rows: list[Row] = []
    for r, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
        cells = []
        for c, value in enumerate(values, start=1):
            cells.append(grid.get((r, c)) or Cell(_cell_text(value)))
        rows.append(Row(r, tuple(cells)))
    return rows


def _read_docx(path: Path) -> Table:
    try:
        import docx
        from docx.table import Table as DocxTable
    except ImportError:  # pragma: no cover - the office extra is installed in development
        raise TableError(
            "reading DOCX needs python-docx: pip install 'perfrules[office]'"
        ) from None
    try:
        document = docx.Document(str(path))
    except Exception as error:  # python-docx raises many kinds for a damaged file
        raise TableError(f"{path}: cannot read the document: {error}") from None
    tables: list[tuple[Any, str | None]] = []
    last_paragraph: str | None = None
    for block in document.iter_inner_content():
        if isinstance(block, DocxTable):
            tables.append((block, last_paragraph))
        elif block.text.strip():
            last_paragraph = _clean(block.text)
    chosen: list[tuple[int, list[Row]]] = []
    caption: str | None = None
    signature: tuple[str, ...] | None = None
    for number, (table, before) in enumerate(tables, start=1):
        rows = _docx_rows(table)
        header = _header_index(rows)
        if header is None:
            continue
        roles = _header_signature(rows[header])
        if signature is None:
            signature, caption = roles, before
            chosen.append((number, rows))
        elif roles == signature:  # the same table continued after a page break
            chosen.append((number, rows))
    if not chosen:
        raise TableError(f"{path}: no table with an indicator table's header (一级指标, "
                         "二级指标, 三级指标 or 评价要点)")
    several = len(chosen) > 1
    rows_out: list[Row] = []
    for number, rows in chosen:
        for row in rows:
            where = f"table {number} row {row.number}" if several else f"row {row.number}"
            rows_out.append(attrs.evolve(row, where=where))
    kind = "DOCX table " + ", ".join(str(number) for number, _ in chosen)
    return Table(str(path), kind, tuple(rows_out), caption)


def _docx_rows(table: Any) -> list[Row]:
    grid: list[list[tuple[Any, str]]] = []
    seen: dict[Any, list[tuple[int, int]]] = {}
    for r, row in enumerate(table.rows, start=1):
        cells: list[tuple[Any, str]] = [(None, "") for _ in range(row.grid_cols_before)]
        for cell in row.cells:  # a merged cell comes once per grid column and row it spans
            seen.setdefault(cell._tc, []).append((r, len(cells) + 1))
            cells.append((cell._tc, _clean(cell.text)))
        grid.append(cells)
    rows = []
    for r, cells in enumerate(grid, start=1):
        out = []
        for tc, text in cells:
            places = seen.get(tc, []) if tc is not None else []
            out.append(Cell(text, places[0] if len(places) > 1 else None))
        rows.append(Row(r, tuple(out)))
    return rows


# ====================================================================== text helpers

_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef“”‘’]")


def _clean(text: str) -> str:
    """A cell's text with its lines joined (as one paragraph) and its ends trimmed."""
    lines = [line.strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    out = ""
    for line in lines:
        if line:
            out = _join(out, line)
    return out


def _join(before: str, after: str) -> str:
    """Two pieces of one text split by a line or page break: no space between CJK pieces."""
    if not before:
        return after
    if not after:
        return before
    if _CJK.match(before[-1]) or _CJK.match(after[0]):
        return before + after
    return before + " " + after


def _continue(before: str, after: str) -> str:
    """A cell's text continued on the next page.

    Text extracted from a PDF sometimes repeats the last characters of a page on the next
    one (the seed's B32: "资产管理制度执行情况" then "况"): a fragment the text already ends
    with is not added again.
    """
    if after and before.endswith(after):
        return before
    return _join(before, after)


def _fold(text: str) -> str:
    """Text for matching: NFKC (full-width to ASCII), no spaces."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def _squeeze(text: str) -> str:
    """A name as a person would write it: no spaces left between CJK characters."""
    text = re.sub(r"\s+", " ", text.strip())
    return re.sub(
        r"(?<=[\u2e80-\u9fff“”（）(),，、])\s+|\s+(?=[\u2e80-\u9fff“”（）(),，、])", "", text
    )


# ====================================================================== the header

#: What each column holds, by the header words recognised for it (matched after NFKC folding,
#: without spaces and without a parenthesised remark such as "（参考）" or "（分）").
COLUMN_HEADERS: tuple[tuple[str, str], ...] = (
    ("level", r"([一二三四五六1-6])级(指标)?(名称)?"),
    ("name", r"(评价|考核|绩效)?指标(名称|内容)?|指标体系|考核项目|评价项目"),
    ("description", r"指标(说明|解释|内涵|定义|释义|含义|描述)|说明"),
    (
        "criterion",
        r"评价要点|评价标准|评分(标准|细则|办法|规则|方法|要点|依据及标准)|计分(方法|标准|办法|规则)"
        r"|考核(要点|标准|细则|办法)|评分标准及(方法|办法)|打分(标准|细则)",
    ),
    ("cap", r"(指标)?分值|满分(值)?|标准分(值)?|权重(分值?)?|(指标)?权重分|分数|基础分"),
    ("score", r"(自评|评价|实际|考核|最终|评估)?得分|(自评|评价)分(数|值)?"),
    (
        "reason",
        r"(未完成(指标)?)?原因(分析)?|(扣分|失分|偏差|未完成)(原因|说明|情况)(分析)?|扣分理由|备注",
    ),
)

_LEVEL_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6}


def _header_role(text: str) -> tuple[str, int] | None:
    """The role a header cell names, with the level for 一级/二级/三级指标 (else 0)."""
    folded = _fold(text)
    folded = re.sub(r"[(（][^)）]*[)）]", "", folded)  # "三级指标（参考）", "分值（分）"
    if not folded:
        return None
    for role, pattern in COLUMN_HEADERS:
        match = re.fullmatch(pattern, folded)
        if match:
            if role == "level":
                digit = match.group(1)
                return role, _LEVEL_DIGITS.get(digit) or int(digit)
            return role, 0
    return None


def _header_roles(row: Row) -> list[tuple[int, str, int]]:
    roles = []
    for column, cell in enumerate(row.cells):
        role = _header_role(cell.text) if cell.text and len(cell.text) <= 24 else None
        if role is not None:
            roles.append((column, *role))
    return roles


def _is_header(row: Row) -> bool:
    roles = _header_roles(row)
    kinds = {role for _, role, _ in roles}
    return len(roles) >= 2 and bool(kinds & {"level", "name", "criterion"})


def _header_index(rows: Sequence[Row]) -> int | None:
    for index, row in enumerate(rows):
        if _is_header(row):
            return index
    return None


def _header_signature(row: Row) -> tuple[str, ...]:
    return tuple(f"{role}{level or ''}" for _, role, level in _header_roles(row))


@frozen
class Layout:
    """Which column holds what: the hierarchy columns (shallowest first) and the others."""

    header: Row
    hierarchy: tuple[int, ...]
    by_code: bool  # one name column: the depth of a row comes from its code
    description: int | None
    criterion: int | None
    cap: int | None
    score: int | None
    reason: int | None


def _layout(rows: Sequence[Row], first: int) -> tuple[Layout, int]:
    """The layout from the header at ``first`` (and a second header row under it)."""
    header = rows[first]
    roles = _header_roles(header)
    end = first + 1
    if end < len(rows) and _is_header(rows[end]):
        # A two-row header: "指标" over "一级指标 二级指标 三级指标"; the lower row wins.
        lower = _header_roles(rows[end])
        taken = {column for column, _, _ in lower}
        roles = [r for r in roles if r[0] not in taken] + lower
        end += 1
    columns: dict[str, int] = {}
    levels: dict[int, int] = {}
    names_columns: list[int] = []
    for column, role, level in sorted(roles):
        if role == "level":
            levels.setdefault(level, column)
        elif role == "name":
            names_columns.append(column)
        else:
            columns.setdefault(role, column)
    if levels:
        hierarchy = tuple(levels[level] for level in sorted(levels))
        by_code = False
    elif names_columns:
        hierarchy = (names_columns[0],)
        by_code = True
    else:
        raise TableError(
            f"{header.place}: the header names no indicator column "
            "(一级指标/二级指标/三级指标 or 指标名称)"
        )
    layout = Layout(
        header,
        hierarchy,
        by_code,
        columns.get("description"),
        columns.get("criterion"),
        columns.get("cap"),
        columns.get("score"),
        columns.get("reason"),
    )
    return layout, end


# ====================================================================== labels: code, name, cap

#: "A", "A1", "B12", "A1.2" before a space, a colon or a Chinese character ("A部门决策").
_CODE = re.compile(
    r"(?P<code>[A-Z](?:\d+(?:[.\-]\d+)*)?)(?=[\s:：、.．]|[^\x00-\x7f]|$)[\s:：、.．]*"
)
_CAP_BRACKETED = re.compile(
    r"[（(]\s*(?P<bound>≤|<=|＜=|不超过|最高|最多|上限|满分)?\s*(?P<sign>[±+\-−])?\s*"
    r"(?P<value>\d+(?:\.\d+)?)\s*分?\s*[）)]\s*$"
)
_CAP_PLAIN = re.compile(r"(?<![\d.])(?P<value>\d+(?:\.\d+)?)\s*分\s*$")
_ENUMERATOR = re.compile(  # "一、", "（一）": numbering, not a code
    r"^(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十]+[）)])\s*"
)


@frozen
class Label:
    """What a hierarchy cell says: "A1 决策机制（6 分）" is code A1, name 决策机制, cap 6."""

    code: str | None
    name: str
    cap: Decimal | None
    bound: bool = False  # "（≤5 分）": at most, a bonus or penalty section's bound
    sign: str | None = None  # "+", "-" or "±" written before the cap


def read_label(text: str) -> Label:
    """Read the code, name and cap of a hierarchy cell."""
    text = unicodedata.normalize("NFKC", text).strip()
    code = None
    match = _CODE.match(text)
    if match and match.end() < len(text):
        code = match.group("code")
        text = text[match.end():]
    text = _ENUMERATOR.sub("", text)
    cap = None
    bound = False
    sign = None
    found = _CAP_BRACKETED.search(text)
    if found:
        cap = Decimal(found.group("value"))
        bound = found.group("bound") is not None and found.group("bound") != "满分"
        sign = {"−": "-"}.get(found.group("sign") or "", found.group("sign"))
        text = text[: found.start()]
    else:
        plain = _CAP_PLAIN.search(text)
        if plain and plain.start() > 0:
            cap = Decimal(plain.group("value"))
            text = text[: plain.start()]
    return Label(code, _squeeze(text).strip(" ：:，,、"), cap, bound, sign)


def read_number(text: str) -> Decimal | None:
    """A number in a cap or score cell ("2.5", "２．５分", "-1"); None when there is none."""
    folded = _fold(text).replace("−", "-").removesuffix("分")
    if not folded:
        return None
    try:
        value = Decimal(folded)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


# ====================================================================== entries


@define
class Entry:
    """One indicator row of the table, continuation rows joined in."""

    rows: list[Row]
    levels: list[str]  # hierarchy cell texts ("" blank: the row above's, or none)
    description: str
    criterion: str
    cap: str
    score: str
    reason: str
    problems: list[str] = field(factory=list)

    @property
    def place(self) -> str:
        first = self.rows[0].place
        if len(self.rows) == 1:
            return first
        rest = ", ".join(row.place for row in self.rows[1:])
        return f"{first} (continued on {rest})"

    @property
    def number(self) -> int:
        return self.rows[0].number

    @property
    def depth(self) -> int:
        """The index of the deepest hierarchy cell the row fills (-1: none)."""
        filled = [i for i, text in enumerate(self.levels) if text]
        return filled[-1] if filled else -1


@frozen
class TotalRow:
    """The "总得分（100 分）" row: the framework's total and the table's total score."""

    row: Row
    cap: Decimal | None
    score: Decimal | None


@frozen
class Entries:
    """What :func:`read_entries` found in a table."""

    layout: Layout
    entries: tuple[Entry, ...]
    total: TotalRow | None
    skipped: tuple[str, ...]  # "row 13: the header repeated (a page break)", …


_TOTAL = re.compile(r"^(总得分|总分|合计|总计|得分合计|综合得分|总体得分)")
_NOTE = re.compile(r"^(注|备注|说明)\s*[:：\d]")


def read_entries(table: Table) -> Entries:
    """Find the header and read the indicator rows of ``table``.

    Repeated header rows are skipped; a row that continues the row above (split by a page
    break, or a merged indicator cell spanning several rows) is joined into it.

    Raises:
        TableError: no header row names the indicator columns.
    """
    rows = table.rows
    first = _header_index(rows)
    if first is None:
        raise TableError(
            f"{table.source}: no header row: expected columns such as 一级指标, 二级指标, "
            "三级指标（or 指标名称）, 指标说明, 评价要点, 得分"
        )
    layout, start = _layout(rows, first)
    entries: list[Entry] = []
    skipped: list[str] = []
    total: TotalRow | None = None
    for row in rows[start:]:
        if row.is_blank():
            continue
        if total is not None:
            skipped.append(f"{row.place}: after the total row, ignored")
            continue
        if _is_header(row):
            skipped.append(f"{row.place}: the header repeated (a page break), skipped")
            continue
        first_text = next((t for t in (cell.text for cell in row.cells) if t), "")
        if _TOTAL.match(_fold(first_text)):
            label = read_label(first_text)
            score = read_number(row.text(layout.score)) if layout.score is not None else None
            cap = label.cap
            if cap is None and layout.cap is not None:
                cap = read_number(row.text(layout.cap))
            total = TotalRow(row, cap, score)
            continue
        if _NOTE.match(first_text) and sum(1 for cell in row.cells if cell.text) == 1:
            skipped.append(f"{row.place}: a note, ignored")
            continue
        entry = Entry(
            [row],
            [_hierarchy_text(row, c) for c in layout.hierarchy],
            row.text(layout.description),
            row.text(layout.criterion),
            _own_text(row, layout.cap),
            _own_text(row, layout.score),
            _own_text(row, layout.reason),
        )
        previous = entries[-1] if entries else None
        if previous is not None and _continues(previous, entry, layout):
            _merge(previous, entry, row)
            continue
        entries.append(entry)  # one naming no indicator is reported by import_table
    return Entries(layout, tuple(entries), total, tuple(skipped))


def _hierarchy_text(row: Row, column: int) -> str:
    """A hierarchy cell's text, or "" where a merged cell continues one above or to the left."""
    if column >= len(row.cells):
        return ""
    cell = row.cells[column]
    if cell.origin is not None and cell.origin != (row.number, column + 1):
        return ""
    return cell.text


def _own_text(row: Row, column: int | None) -> str:
    """A score, cap or reason cell's text only in the row where its merged range starts."""
    if column is None or column >= len(row.cells):
        return ""
    cell = row.cells[column]
    if cell.origin is not None and cell.origin[0] != row.number:
        return ""
    return cell.text


def _continues(previous: Entry, entry: Entry, layout: Layout) -> bool:
    """Whether ``entry`` is the rest of ``previous`` rather than an indicator of its own."""
    depth = entry.depth
    if depth < 0:
        return True  # no indicator cell filled: more text for the row above
    if layout.by_code:
        return False
    if any(entry.levels[:depth]) or depth != previous.depth:
        return False
    if _fold(entry.levels[depth]) == _fold(previous.levels[depth]):
        return True  # the same indicator named again: a second line of its text
    if read_label(entry.levels[depth]).code is not None:
        return False
    before = read_label(previous.levels[depth])
    # A page break splits "B32 资产管理是否按制度" from "执行（1分）": the cell above has
    # no cap yet, this one has no code, and the score sits on one of the two rows only.
    cap_above = before.cap is not None or bool(read_number(previous.cap))
    return not cap_above and not (previous.score and entry.score)


def _merge(previous: Entry, entry: Entry, row: Row) -> None:
    previous.rows.append(row)
    depth = previous.depth
    for i, text in enumerate(entry.levels):
        if text and i >= depth:
            previous.levels[i] = _continue(previous.levels[i], text)
    previous.description = _continue(previous.description, entry.description)
    previous.criterion = _continue(previous.criterion, entry.criterion)
    previous.reason = _continue(previous.reason, entry.reason)
    for name in ("cap", "score"):
        mine, theirs = getattr(previous, name), getattr(entry, name)
        if mine and theirs:
            previous.problems.append(
                f"the {name} of its continuation on {row.place} ({theirs}): kept {mine}"
            )
        elif theirs:
            setattr(previous, name, theirs)


# ====================================================================== the tree


@frozen
class RowProblem:
    """A row that could not be read (fully): where it is, its indicator, and why."""

    where: str
    number: int
    code: str | None
    message: str

    def __str__(self) -> str:
        who = f" ({self.code})" if self.code else ""
        return f"{self.where}{who}: could not read: {self.message}"


@define(eq=False)
class Node:
    """An indicator being built from the table."""

    label: Label
    cell: str  # the hierarchy cell's text, as written
    entry: Entry  # the row that names it
    parent: Node | None = None
    children: list[Node] = field(factory=list)
    own: bool = False  # the row's texts (指标说明, 评价要点, 得分, …) belong to this node
    code: str | None = None
    cap: Decimal | None = None
    section: ast.Section = ast.Section.REGULAR
    allow_cap_mismatch: bool = False
    rule: ast.Rule | None = None
    judged_from_score: bool = False  # a yes/no the table scores between 0 and the cap
    comments: list[str] = field(factory=list)
    problems: list[str] = field(factory=list)

    @property
    def description(self) -> str | None:
        return (self.entry.description or None) if self.own else None

    @property
    def criterion(self) -> str | None:
        return (self.entry.criterion or None) if self.own else None

    @property
    def reason(self) -> str | None:
        return (self.entry.reason or None) if self.own else None

    @property
    def score_text(self) -> str:
        return self.entry.score if self.own else ""

    def walk(self) -> Iterator[Node]:
        yield self
        for child in self.children:
            yield from child.walk()


def _code_depth(code: str) -> int:
    match = re.fullmatch(r"[A-Z](\d*)((?:[.\-]\d+)*)", code)
    if match is None:
        return 0
    digits, dotted = match.groups()
    if dotted:
        return (1 if digits else 0) + dotted.count(".") + dotted.count("-")
    return len(digits)


def _by_code_levels(entries: Sequence[Entry]) -> None:
    """One name column: place each row at the depth its code gives ("A1" 2nd, "A11" 3rd)."""
    depths: list[int] = []
    previous: int | None = None
    for entry in entries:
        label = read_label(entry.levels[0])
        if label.code is not None:
            depth = _code_depth(label.code)
        elif previous is None:
            depth = 0
        else:
            # An uncoded row under a heading row is its child; after a leaf, its sibling.
            before = entries[len(depths) - 1]
            depth = previous if before.criterion else previous + 1
        depths.append(depth)
        previous = depth
    width = max(depths, default=0) + 1
    for entry, depth in zip(entries, depths, strict=True):
        text = entry.levels[0]
        entry.levels = [""] * depth + [text] + [""] * (width - depth - 1)


def build_tree(entries: Sequence[Entry], layout: Layout) -> list[Node]:
    """The indicator tree: each row's deepest filled cell is its indicator; blank cells above
    it repeat the row above; a filled cell with the text of the open indicator continues it."""
    if layout.by_code:
        _by_code_levels(entries)
    width = max((len(entry.levels) for entry in entries), default=0)
    open_: list[Node | None] = [None] * width
    roots: list[Node] = []
    for entry in entries:
        depth = entry.depth
        if depth < 0:
            continue
        for level in range(depth + 1):
            text = entry.levels[level]
            if not text:
                continue
            current = open_[level]
            if level < depth and current is not None and _fold(text) == _fold(current.cell):
                continue  # the same indicator, its cell repeated (or its merged cell filled)
            parent = next((n for n in reversed(open_[:level]) if n is not None), None)
            node = Node(read_label(text), text, entry, parent)
            (parent.children if parent else roots).append(node)
            open_[level] = node
            for deeper in range(level + 1, width):
                open_[deeper] = None
        leaf = open_[depth]
        assert leaf is not None
        leaf.own = True
        leaf.entry = entry
    return roots


def _all(roots: Iterable[Node]) -> Iterator[Node]:
    for root in roots:
        yield from root.walk()


_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def assign_codes(roots: list[Node]) -> None:
    """Keep the table's codes; give uncoded indicators their parent's code and position."""
    used: dict[str, Node] = {}
    for node in _all(roots):
        code = node.label.code
        if code is None:
            continue
        if code in used:
            node.comments.append(
                f"IMPORT: the table gives this indicator the code {code} of "
                f"{used[code].entry.place} too; a new code is generated"
            )
            continue
        used[code] = node
        node.code = code

    def place(siblings: list[Node], parent: Node | None) -> None:
        for position, node in enumerate(siblings, start=1):
            if node.code is None:
                if parent is None:
                    candidates = [c for c in _LETTERS[position - 1:] + _LETTERS if c not in used]
                    code = candidates[0] if candidates else f"X{position}"
                else:
                    code = f"{parent.code}{position}"
                    suffix = 1
                    while code in used:
                        code = f"{parent.code}-{position}" + (f"-{suffix}" if suffix > 1 else "")
                        suffix += 1
                used[code] = node
                node.code = code
                node.comments.append(
                    f"IMPORT: code {code} generated (the table gives this indicator no code)"
                )
            place(node.children, node)

    place(roots, None)


_BONUS_WORDS = re.compile(r"加分|奖励|加减分|附加")
_PENALTY_WORDS = re.compile(r"减分|扣分|扣减|惩罚|否决")


def assign_sections(roots: list[Node]) -> None:
    """Bonus and penalty sections: "F 加减分项（≤5 分）" is a bonus section, "减分项" a penalty."""
    for root in roots:
        name, sign = root.label.name, root.label.sign
        if _BONUS_WORDS.search(name) or sign in ("+", "±"):
            root.section = ast.Section.BONUS
        elif _PENALTY_WORDS.search(name) or sign == "-":
            root.section = ast.Section.PENALTY
        elif root.label.bound:
            root.section = ast.Section.BONUS
        else:
            continue
        stack = list(root.children)
        while stack:
            node = stack.pop()
            parent_section = node.parent.section if node.parent else root.section
            named = node.label.name
            penalty = (
                parent_section is ast.Section.PENALTY
                or node.label.sign == "-"
                or (bool(_PENALTY_WORDS.search(named)) and not _BONUS_WORDS.search(named))
            )
            node.section = ast.Section.PENALTY if penalty else ast.Section.BONUS
            stack.extend(node.children)


def assign_caps(roots: list[Node], layout: Layout) -> None:
    """Caps from the cells ("（6 分）") or the 分值 column; else from children or the parent."""
    nodes = list(_all(roots))
    for node in nodes:
        node.cap = node.label.cap
        if node.cap is None and node.own and layout.cap is not None:
            node.cap = read_number(node.entry.cap)
    changed = True
    while changed:
        changed = False
        for node in reversed(nodes):  # children before parents
            if node.cap is not None:
                continue
            if node.children and all(c.cap is not None for c in node.children):
                regular = [c for c in node.children if c.section is node.section]
                node.cap = sum((c.cap for c in regular if c.cap is not None), Decimal(0))
                node.comments.append(
                    f"IMPORT: cap {_plain(node.cap)} is its children's (the table gives none)"
                )
                changed = True
        for node in nodes:  # parents before children
            if node.cap is not None or node.parent is None or node.parent.cap is None:
                continue
            parent = node.parent
            siblings = parent.children
            if parent.section is not ast.Section.REGULAR:
                node.cap = parent.cap
                node.comments.append(
                    f"IMPORT: cap {_plain(node.cap)} is {_parent_code(parent)}'s bound (the table "
                    "gives none)"
                )
            elif len(siblings) == 1:
                node.cap = parent.cap
                node.comments.append(
                    f"IMPORT: cap {_plain(node.cap)} is {_parent_code(parent)}'s, its only child's "
                    "(the table gives none)"
                )
            elif [s for s in siblings if s.cap is None] == [node]:
                rest = parent.cap - sum((s.cap for s in siblings if s.cap is not None), Decimal(0))
                if rest <= 0:
                    continue
                node.cap = rest
                node.comments.append(
                    f"IMPORT: cap {_plain(rest)} is what its siblings leave of "
                    f"{_parent_code(parent)}'s {_plain(parent.cap)} (the table gives none)"
                )
            else:
                continue
            changed = True
    for node in nodes:
        if node.cap is None:
            node.cap = Decimal(0)
            node.problems.append("the cap: neither the cell nor the 分值 column gives one")
            if not node.children:
                node.rule = ast.Judged()  # no cap to read the 评价要点 against
        elif node.cap < 0:
            node.problems.append(
                f"the cap {_plain(node.cap)} is below 0; read as {_plain(-node.cap)}"
            )
            node.cap = -node.cap


def _parent_code(node: Node) -> str:
    return node.code or node.label.name


def _check_cap_sums(roots: list[Node]) -> list[str]:
    """Mark inner nodes whose children's caps miss their cap (as published) and say so."""
    notes = []
    for node in _all(roots):
        if not node.children or node.section is not ast.Section.REGULAR:
            continue
        regular = [c for c in node.children if c.section is ast.Section.REGULAR]
        total = sum((c.cap or Decimal(0) for c in regular), Decimal(0))
        if total != node.cap:
            node.allow_cap_mismatch = True
            message = (
                f"the children's caps add up to {_plain(total)}, not {node.code}'s "
                f"{_plain(node.cap or Decimal(0))}: kept as published (allow cap mismatch)"
            )
            node.comments.append("IMPORT: " + message)
            notes.append(f"{node.entry.place} ({node.code}): {message}")
    return notes


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")


# ====================================================================== rules


def _input_name(node: Node, taken: Iterable[str]) -> str:
    """An input name from the indicator's name ("“三公”经费控制率" → 三公经费控制率), unique."""
    base = "".join(ch for ch in unicodedata.normalize("NFKC", node.label.name)
                   if ch.isalnum() or ch in "_·")
    code = (node.code or "x").lower().replace(".", "_").replace("-", "_")
    if not is_bare_name(base):  # empty, a keyword, or starting with a capital or a digit
        base = f"{code}_{base}" if base and is_bare_name(f"{code}_{base}") else code
    taken = set(taken)
    return _unique(base if base not in taken else f"{base}_{code}", taken)


def _rename(value: Any, names: Mapping[str, str]) -> Any:
    """``value`` (a rule or a part of one) with its input references renamed."""
    if isinstance(value, ast.InputRef):
        return attrs.evolve(value, name=names.get(value.name, value.name))
    if isinstance(value, tuple):
        return tuple(_rename(item, names) for item in value)
    if attrs.has(type(value)):
        changes = {}
        for attribute in attrs.fields(type(value)):
            if not attribute.init or attribute.name == "span":
                continue
            old = getattr(value, attribute.name)
            new = _rename(old, names)
            if new is not old:
                changes[attribute.name] = new
        return attrs.evolve(value, **changes) if changes else value
    return value


def _error_text(error: Exception) -> str:
    diagnostics = getattr(error, "diagnostics", None)
    if diagnostics:
        first = diagnostics[0]
        text = first.message + (f" (hint: {first.hint})" if first.hint else "")
    else:
        text = str(error)
    return " ".join(text.split())


@define
class Compiled:
    """What the leaves' 评价要点 compiled to, besides their rules."""

    inputs: dict[str, ast.InputDecl] = field(factory=dict)
    vetoes: list[ast.Veto] = field(factory=list)
    grades: tuple[ast.GradeBand, ...] = ()
    grades_from: str | None = None  # the row whose 评价要点 states the grade bands


def compile_rules(roots: list[Node], grades: Sequence[str]) -> Compiled:
    """Compile each leaf's 评价要点 into its rule, collecting the inputs the rules use.

    A phrase that cannot be compiled makes its leaf ``judged``, with the reason as a problem.
    A phrase about the grade (一票否优, 降一档, grade bands) becomes a framework setting and
    its indicator is judged. Steps whose phrase leaves the counting open keep it open: the
    framework's ``counting`` applies to them.
    """
    compiled = Compiled()
    declared = compiled.inputs
    for node in _all(roots):
        if node.children:
            if node.criterion:
                node.comments.append(
                    "IMPORT: the row's 评价要点 belongs to an indicator with children; kept "
                    "as its criterion, not compiled"
                )
            continue
        assert node.code is not None
        assert node.cap is not None
        if node.rule is not None:  # judged already: no cap
            continue
        node.rule = ast.Judged()
        if not node.criterion:
            node.problems.append("the 评价要点: the row has none: judged")
            continue
        try:
            result = compile_phrase(
                node.criterion,
                cap=node.cap,
                input=_input_name(node, declared),
                inputs={name: decl.type for name, decl in declared.items()},
                grades=tuple(grades) or DEFAULT_GRADE_NAMES,
            )
        except (PerfrulesError, ValueError) as error:
            node.problems.append(f"the 评价要点: {_error_text(error)}")
            continue
        inputs = dict(result.inputs)
        renames = {}
        for name in inputs:
            if name in declared and declared[name] != inputs[name]:
                renames[name] = _unique(f"{name}_{node.code.lower()}",
                                        {*declared, *inputs, *renames.values()})
        inputs = {renames.get(n, n): attrs.evolve(d, name=renames.get(n, n))
                  for n, d in inputs.items()}
        if result.rule is None:
            _setting(node, result.setting, compiled)
        elif node.section is ast.Section.PENALTY and not isinstance(result.rule,
                                                                    check.PENALTY_RULES):
            node.problems.append(
                f"the 评价要点 reads as a {result.kind} rule, but a 减分 (penalty) indicator "
                "is scored by a deduction or a judgement: judged"
            )
            continue
        else:
            node.rule = _rename(result.rule, renames)
        for note in result.notes:
            node.comments.append("note: " + " ".join(str(note).split()))
        for name, decl in inputs.items():
            declared.setdefault(name, decl)
    return compiled


def _unique(name: str, taken: set[str]) -> str:
    candidate, suffix = name, 2
    while candidate in taken:
        candidate = f"{name}_{suffix}"
        suffix += 1
    return candidate


def _setting(node: Node, setting: Any, compiled: Compiled) -> None:
    """A phrase about the grade or the framework: into the framework; the indicator judged."""
    if isinstance(setting, ast.Veto):
        compiled.vetoes.append(setting)
        what = "a veto on the grade, added to the framework"
    elif isinstance(setting, ast.NotApplicable):
        what = f"the 不适用 policy '{setting.value}', which is a setting, not a rule"
    else:
        compiled.grades = tuple(setting)
        compiled.grades_from = node.entry.place
        what = "the grade bands, used as the framework's grades"
    node.comments.append(f"IMPORT: the 评价要点 states {what}; the indicator itself is judged")


# ====================================================================== inputs for the scores

_EPS = Decimal("0.1")


def _operand_value(operand: ast.Operand, values: dict[str, Any],
                   decls: Mapping[str, ast.InputDecl]) -> Decimal:
    """The operand's value; an input used as a reference is given 100 (100% for a percent)."""
    if isinstance(operand, ast.Quantity):
        return operand.value
    values.setdefault(operand.name, Decimal(100))
    return Decimal(values[operand.name])


def _in_range(decl: ast.InputDecl, value: Decimal) -> bool:
    low, high = ast.value_range(decl)
    if decl.type is ast.InputType.COUNT and value != value.to_integral():
        return False
    return (low is None or value >= low) and (high is None or value <= high)


def _steps_for(points: Decimal, step: ast.Steps, counting: ast.Counting) -> Decimal | None:
    """How many steps move the score by ``points`` (None: no whole number of steps does)."""
    n = points / step.points
    if (step.counting or counting) is not ast.Counting.PRO_RATA and n != n.to_integral():
        return None
    return n


def _solve(rule: ast.Rule, cap: Decimal, target: Decimal, decls: Mapping[str, ast.InputDecl],
           counting: ast.Counting, penalty: bool = False) -> dict[str, Any] | None:
    """Input values under which ``rule`` scores exactly ``target``, or None when none are found.

    The values are checked by scoring afterwards, so a value found here is only a proposal.
    """
    values: dict[str, Any] = {}
    match rule:
        case ast.YesNo():
            points = min(rule.points if rule.points is not None else cap, cap)
            if target == points:
                values[rule.input.name] = not rule.negated
            elif target == 0:
                values[rule.input.name] = rule.negated
            else:
                return None
        case ast.Threshold():
            found = _solve_threshold(rule, cap, target, decls, counting, values)
            if found is None:
                return None
            values[rule.input.name] = found
        case ast.Proportional():
            total = _operand_value(rule.target, values, decls)
            values[rule.input.name] = total * target / cap if cap else Decimal(0)
        case ast.Bands():
            for band in rule.bands:
                points = min(band.points if band.points is not None else cap, cap)
                if points == target:
                    value = _inside(band.interval, decls[rule.input.name])
                    if value is not None:
                        values[rule.input.name] = value
                        break
            else:
                return None
        case ast.Graded():
            for level in rule.levels:
                points = level.value.value
                if level.value.is_percent:
                    points = points * cap / 100
                if min(points, cap) == target:
                    values[rule.input.name] = level.name
                    break
            else:
                return None
        case ast.Deduct():
            deduction = target if penalty else cap - target
            if rule.limit is not None and deduction > rule.limit:
                return None
            for occurrence in rule.occurrences:
                values[occurrence.input.name] = False if occurrence.is_flag else 0
            if deduction:
                for occurrence in rule.occurrences:
                    if occurrence.is_flag and occurrence.points == deduction:
                        values[occurrence.input.name] = True
                        break
                    count = deduction / occurrence.points
                    if not occurrence.is_flag and count == count.to_integral():
                        values[occurrence.input.name] = int(count)
                        break
                else:
                    if not (penalty and target == cap):
                        return None
                    first = rule.occurrences[0]
                    count = (cap / first.points).to_integral_value(rounding="ROUND_CEILING")
                    values[first.input.name] = True if first.is_flag else int(count)
        case ast.Baseline():
            reference = _operand_value(rule.reference, values, decls)
            if target == rule.base:
                values[rule.input.name] = reference
            elif target < rule.base and rule.lower is not None:
                n = _steps_for(rule.base - target, rule.lower, counting)
                if n is None:
                    return None
                values[rule.input.name] = reference - n * rule.lower.size.value
            elif target > rule.base and rule.higher is not None:
                n = _steps_for(target - rule.base, rule.higher, counting)
                if n is None:
                    return None
                values[rule.input.name] = reference + n * rule.higher.size.value
            else:
                return None
        case ast.Deviation():
            aim = _operand_value(rule.target, values, decls)
            if target == cap:
                values[rule.input.name] = aim
            elif rule.steps is not None and target > 0:
                n = _steps_for(cap - target, rule.steps, counting)
                if n is None:
                    return None
                off = rule.tolerance.value + n * rule.steps.size.value
                relative = rule.tolerance.is_percent
                values[rule.input.name] = aim * (1 + off / 100) if relative else aim + off
            else:
                return None
        case ast.Awards():
            found_awards = _solve_awards(rule, cap, target)
            if found_awards is None:
                return None
            values[rule.input.name] = found_awards
        case ast.Composite():
            if target not in (cap, Decimal(0)) and rule.mode is not ast.Combine.SUM:
                return None
            remaining = target
            for part in rule.parts:
                share = min(part.cap, remaining) if target != cap else part.cap
                remaining -= share
                found = _solve(part.rule, part.cap, share, decls, counting)
                if found is None:
                    return None
                values.update(found)
            if remaining:
                return None
        case _:
            return None
    for name, value in values.items():
        decl = decls.get(name)
        if decl is not None and isinstance(value, Decimal) and not _in_range(decl, value):
            return None
    return values


def _solve_threshold(rule: ast.Threshold, cap: Decimal, target: Decimal,
                     decls: Mapping[str, ast.InputDecl], counting: ast.Counting,
                     values: dict[str, Any]) -> Decimal | None:
    bound = _operand_value(rule.bound.operand, values, decls)
    eps = Decimal(1) if decls[rule.input.name].type is ast.InputType.COUNT else _EPS
    op = rule.bound.op
    good = 1 if op in (">=", ">", "=") else -1  # the side where the bound is met
    meeting = bound + (eps * good if op in (">", "<") else 0)
    points = min(rule.points if rule.points is not None else cap, cap)

    def away(distance: Decimal) -> Decimal:
        return bound - good * distance

    def cut(value: Decimal) -> bool:
        if rule.cutoff is None:
            return False
        limit = _operand_value(rule.cutoff.operand, values, decls)
        return _compare(value, rule.cutoff.op, limit)

    if target == points:
        return meeting
    if rule.short is not None and 0 < target < points:
        n = _steps_for(points - target, rule.short, counting)
        if n is None:
            return None
        value = away(n * rule.short.size.value)
        if op in (">", "<") and n == 0:
            return None
        return None if cut(value) else value
    if rule.beyond is not None and target > points:
        n = _steps_for(target - points, rule.beyond, counting)
        return None if n is None else meeting + good * n * rule.beyond.size.value
    if target == 0:
        if rule.cutoff is not None:
            limit = _operand_value(rule.cutoff.operand, values, decls)
            shift = {"<": -eps, ">": eps}.get(rule.cutoff.op, Decimal(0))
            return limit + shift
        if rule.short is not None:
            n = points / rule.short.points
            if (rule.short.counting or counting) is not ast.Counting.PRO_RATA:
                n = n.to_integral_value(rounding="ROUND_CEILING")
            return away(n * rule.short.size.value)
        return away(eps)
    return None


def _compare(value: Decimal, op: str, limit: Decimal) -> bool:
    return {
        ">=": value >= limit, ">": value > limit, "<=": value <= limit,
        "<": value < limit, "=": value == limit,
    }[op]


def _inside(interval: ast.Interval, decl: ast.InputDecl) -> Decimal | None:
    low = interval.low.value if interval.low is not None else None
    high = interval.high.value if interval.high is not None else None
    eps = Decimal(1) if decl.type is ast.InputType.COUNT else _EPS
    if low is not None and interval.low_inclusive:
        return low
    if high is not None and interval.high_inclusive:
        return high
    if low is not None and high is not None:
        return (low + high) / 2
    if low is not None:
        return low + eps
    if high is not None:
        return high - eps
    return None


def _solve_awards(rule: ast.Awards, cap: Decimal, target: Decimal) -> list[dict[str, str]] | None:
    if target == 0:
        return []
    awards = sorted(rule.awards, key=lambda award: award.points, reverse=True)
    # Up to four work items, each with one award: the first combination that gives the score.
    def search(start: int, left: Decimal, chosen: list[ast.Award]) -> list[ast.Award] | None:
        if left == 0:
            return chosen
        if len(chosen) == 4:
            return None
        for i in range(start, len(awards)):
            if awards[i].points <= left:
                found = search(i, left - awards[i].points, [*chosen, awards[i]])
                if found is not None:
                    return found
        return None

    found = search(0, target, [])
    if found is None and target == cap and awards and awards[0].points > 0:
        # The cap clamps the sum: enough of the best award to reach it.
        count = (cap / awards[0].points).to_integral_value(rounding="ROUND_CEILING")
        found = [awards[0]] * int(count)
    if found is None:
        return None
    return [{"item": f"工作{i}", "award": award.name} for i, award in enumerate(found, start=1)]


def _fallback(decl: ast.InputDecl) -> Any:
    """A value for an input no solution set: the lowest the input takes."""
    if decl.type is ast.InputType.BOOL:
        return False
    if decl.type is ast.InputType.LEVEL:
        return decl.choices[0]
    if decl.type is ast.InputType.AWARDS:
        return []
    low, _ = ast.value_range(decl)
    return low if low is not None else Decimal(0)


# ====================================================================== the import


@frozen
class ImportResult:
    """What an import produced: the rule text, the inputs text, and what could not be read.

    Attributes:
        framework: the imported framework's syntax tree.
        text: the rule file's text (canonical layout, with the import's comments).
        inputs_text: an inputs file (YAML) reproducing the table's 得分, or None when the
            table has no 得分 column.
        problems: the rows that could not be read, each marked ``judged`` in the text.
        warnings: other things worth a look (caps that do not add up, a 得分 that is not a
            number, a total that differs from the table's).
        check_errors: what `perfrules check` still finds wrong in the text (nothing, unless
            perfrules has a bug: a rule that does not check makes its indicator judged).
        total, grade: what the inputs score, when there are inputs.
    """

    table: Table
    framework: ast.Framework
    text: str
    inputs_text: str | None
    problems: tuple[RowProblem, ...]
    warnings: tuple[str, ...]
    check_errors: tuple[str, ...] = ()
    total: Decimal | None = None
    grade: str | None = None
    expected_total: Decimal | None = None


def parse_grades(text: str) -> tuple[ast.GradeBand, ...]:
    """Grade bands written as in a rule file's ``grades { … }``; "none" for no grades.

    Raises:
        TableError: the text is not a list of grade bands.
    """
    if text.strip().lower() in ("", "none"):
        return ()
    source = Source("--grades", f'framework "grades" {{ grades {{ {text} }} }}\n')
    try:
        tree = build.to_ast(syntax.parse_tree(source), source)
    except RuleFileError as error:
        raise TableError(f"--grades {text!r}: not a list of grade bands: {_error_text(error)}"
                         ) from None
    return tuple(attrs.evolve(band, span=None) for band in _strip_spans(tree.grades))


def _strip_spans(value: Any) -> Any:
    if isinstance(value, tuple):
        return tuple(_strip_spans(item) for item in value)
    if attrs.has(type(value)):
        changes = {a.name: _strip_spans(getattr(value, a.name)) for a in attrs.fields(type(value))
                   if a.init and a.name != "span"}
        return attrs.evolve(value, span=None, **changes) if hasattr(value, "span") else value
    return value


def _scaled_grades(full: Decimal) -> str:
    """The usual bands at 90%, 80% and 60% of ``full`` points (90, 80, 60 of 100)."""
    if full <= 0:
        return "none"
    cut = [_plain(full * Decimal(share) / 100) for share in (90, 80, 60)]
    return f"优秀 >= {cut[0]}; 良好 >= {cut[1]}; 中 >= {cut[2]}; 差 otherwise"


_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")


def import_table(
    path: str | Path,
    *,
    sheet: str | None = None,
    counting: ast.Counting = ast.Counting.FULL,
    grades: str = DEFAULT_GRADES,
    name: str | None = None,
    year: int | None = None,
) -> ImportResult:
    """Import an indicator table as a framework (and the inputs reproducing its 得分).

    Args:
        path: a .csv, .tsv, .xlsx or .docx file.
        sheet: the XLSX sheet (default: the first holding an indicator table).
        counting: the framework's default step counting, for phrases that leave it open.
        grades: the grade bands, in rule-file syntax; "none" for none.
        name: the framework's name (default: the caption above the table, else the file name).
        year: the evaluation year (default: a year in the caption, if any).

    Raises:
        TableError: the file holds no indicator table that can be read at all.
    """
    grades_given = None if grades == DEFAULT_GRADES else grades
    bands = parse_grades(grades) if grades_given is not None else ()
    table = read_table(path, sheet=sheet)
    found = read_entries(table)
    layout = found.layout
    roots = build_tree(list(found.entries), layout)
    if not roots:
        raise TableError(f"{table.source}: the table has a header but no indicator rows")
    warnings: list[str] = []
    assign_codes(roots)
    assign_sections(roots)
    assign_caps(roots, layout)
    warnings.extend(_check_cap_sums(roots))
    for entry in found.entries:
        if entry.depth < 0:
            warnings.append(f"{entry.place}: the row names no indicator, ignored")
    total = found.total.cap if found.total is not None else None
    regular = sum((root.cap or Decimal(0) for root in roots
                   if root.section is ast.Section.REGULAR), Decimal(0))
    if total is not None and total != regular:
        warnings.append(
            f"{found.total.row.place if found.total else ''}: the total row says "
            f"{_plain(total)}, but the regular top-level caps add up to {_plain(regular)}: "
            "the framework states no total"
        )
        total = None
    if grades == DEFAULT_GRADES:
        grades = _scaled_grades(total if total is not None else regular)
        bands = parse_grades(grades)
    compiled = compile_rules(roots, [band.name for band in bands])
    if compiled.grades and grades_given is None:
        bands = compiled.grades
    expected = _expected_scores(roots, layout, warnings)
    _judge_partial_yes_no(roots, expected)
    framework_name = name or table.caption or Path(table.source).stem
    if year is None:
        match = _YEAR.search(framework_name) or _YEAR.search(table.caption or "")
        year = int(match.group(1)) if match else None
    header = _header_comment(table, found, roots, total, counting, grades, grades_given,
                             compiled)
    settings = _Settings(framework_name, year, total, counting, bands, tuple(compiled.vetoes))
    declared = compiled.inputs

    for _attempt in range(len(list(_all(roots))) + 1):
        framework = _framework(roots, declared, settings)
        text = _render(framework, roots, header)
        source = Source(Path(table.source).with_suffix(".rules").name, text)
        diagnostics = check.diagnose(build.to_ast(syntax.parse_tree(source), source))
        errors = [d for d in diagnostics if d.is_error]
        if not errors:
            break
        if not _judge_failing(errors, text, roots):
            break
    problems = tuple(
        RowProblem(node.entry.place, node.entry.number, node.code, problem)
        for node in _all(roots)
        for problem in [*(node.entry.problems if node.own else ()), *node.problems]
    )
    result = ImportResult(table, framework, text, None, problems, tuple(warnings),
                          check_errors=tuple(d.render(source) for d in errors),
                          expected_total=found.total.score if found.total else None)
    if layout.score is None or errors:
        return result
    return _with_inputs(result, roots, declared, counting, expected, warnings)


@frozen
class _Settings:
    """The framework block's settings, decided once per import."""

    name: str
    year: int | None
    total: Decimal | None
    counting: ast.Counting
    grades: tuple[ast.GradeBand, ...]
    vetoes: tuple[ast.Veto, ...]


def _framework(roots: list[Node], declared: Mapping[str, ast.InputDecl],
               settings: _Settings) -> ast.Framework:
    used = {ref.name for node in _all(roots) if node.rule is not None and not node.children
            for ref in ast.rule_inputs(node.rule)}
    used.update(veto.input.name for veto in settings.vetoes)
    return ast.Framework(
        settings.name,
        year=settings.year,
        total=settings.total,
        total_capped=settings.total is not None,
        counting=settings.counting,
        grades=settings.grades,
        vetoes=settings.vetoes,
        inputs=tuple(decl for n, decl in declared.items() if n in used),
        indicators=tuple(_indicator(node) for node in roots),
    )


def _indicator(node: Node) -> ast.Indicator:
    assert node.code is not None
    assert node.cap is not None
    name = node.label.name or node.code
    return ast.Indicator(
        node.code,
        name,
        node.cap,
        node.section,
        description=node.description,
        criterion=node.criterion,
        rule=None if node.children else (node.rule or ast.Judged()),
        children=tuple(_indicator(child) for child in node.children),
        allow_cap_mismatch=node.allow_cap_mismatch,
    )


def _judge_failing(errors: Sequence[Any], text: str, roots: list[Node]) -> bool:
    """Make judged the leaves whose compiled rule does not check; whether any was changed."""
    heads = _head_lines(text, roots)
    by_code = {node.code: node for node in _all(roots)}
    changed = False
    for error in errors:
        if error.span is None:
            continue
        owner = None
        for line, code in heads:
            if line <= error.span.line:
                owner = code
        node = by_code.get(owner)
        if node is None:
            continue
        if node.children:
            if error.code == "cap-sum-mismatch" and not node.allow_cap_mismatch:
                node.allow_cap_mismatch = True
                node.comments.append("IMPORT: the children's caps do not add up to its cap: "
                                     "kept as published (allow cap mismatch)")
                changed = True
            continue
        if not isinstance(node.rule, ast.Judged):
            node.problems.append(
                f"the rule read from the 评价要点 does not check ({error.code}: "
                f"{' '.join(error.message.split())}): judged"
            )
            node.rule = ast.Judged()
            changed = True
    return changed


def _head_lines(text: str, roots: list[Node]) -> list[tuple[int, str]]:
    """(line, code) of each indicator's first line in the rendered text, in order."""
    wanted = {node.code for node in _all(roots)}
    heads = []
    for number, line in enumerate(text.split("\n"), start=1):
        match = re.match(r"\s*(?:bonus |penalty )?([A-Z][A-Za-z0-9_.\-]*) \"", line)
        if match and match.group(1) in wanted:
            heads.append((number, match.group(1)))
    return heads


def _render(framework: ast.Framework, roots: list[Node], header: list[str]) -> str:
    """The canonical text of ``framework`` with the header and each indicator's comments."""
    comments = {}
    for node in _all(roots):
        lines = list(node.comments)
        lines.extend(f"IMPORT: could not read: {problem}" for problem in node.problems)
        lines.extend(f"IMPORT: could not read: {problem}" for problem in node.entry.problems
                     if node.own)
        if lines:
            comments[node.code] = lines
    out = []
    for text in header:
        wrapped = _wrap(text)
        indent = "  " if text.startswith("- ") else ""
        out.append(f"# {wrapped[0]}".rstrip())
        out.extend(f"# {indent}{line}" for line in wrapped[1:])
    out.append("")
    text = unparse(framework)
    heads = dict(_head_lines(text, roots))
    for number, line in enumerate(text.split("\n"), start=1):
        code = heads.get(number)
        if code in comments:
            pad = line[: len(line) - len(line.lstrip())]
            for comment in comments[code]:
                wrapped = _wrap(" ".join(comment.split()), 96 - len(pad))
                out.append(f"{pad}# {wrapped[0]}")
                out.extend(f"{pad}#   {more}" for more in wrapped[1:])
        out.append(line)
    return "\n".join(out)


def _wrap(text: str, width: int = 96) -> list[str]:
    """``text`` in lines of at most ``width`` display cells, broken at spaces where possible."""
    lines: list[str] = []
    current = ""
    for word in text.split(" "):
        candidate = f"{current} {word}" if current else word
        if current and display_width(candidate) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    lines.append(current)
    return lines


def _header_comment(table: Table, found: Entries, roots: list[Node], total: Decimal | None,
                    counting: ast.Counting, grades: str, grades_given: str | None,
                    compiled: Compiled) -> list[str]:
    rows = [entry for entry in found.entries if entry.depth >= 0]
    count = sum(1 for _ in _all(roots))
    first = rows[0].rows[0].place if rows else ""
    last = rows[-1].rows[-1].place if rows else ""
    lines = [
        f"Imported by `perfrules import` from {Path(table.source).name} ({table.kind}): "
        f"{count} indicators from {first} to {last}.",
        "Codes, names, caps, 指标说明 (description) and 评价要点 (criterion) are the table's;",
        "each 评价要点 was compiled into a rule by perfrules.phrases. Check every IMPORT comment.",
        "Settings the table does not state:",
    ]
    if total is not None and found.total is not None:
        label = next((cell.text for cell in found.total.row.cells if cell.text), "")
        lines.append(f"- total {_plain(total)} capped: the total row \"{label}\" read as the "
                     "ceiling of the total;")
    lines.append(f"- counting {counting.value}: for the steps whose phrase leaves the counting "
                 "open (--counting);")
    if grades_given is not None:
        if grades_given.strip().lower() not in ("", "none"):
            lines.append(f"- grades {{ {grades_given} }}: given by --grades.")
    elif compiled.grades_from is not None:
        lines.append(f"- grades: as the 评价要点 of {compiled.grades_from} states them.")
    elif grades.strip().lower() != "none":
        lines.append(f"- grades {{ {grades} }}: the usual bands (90%, 80% and 60% of the "
                     "total), not the table's (--grades).")
    return lines


def _expected_scores(roots: list[Node], layout: Layout, warnings: list[str]) -> dict[str, Decimal]:
    """Each leaf's 得分 as the table gives it (a penalty's as the deduction, 0 when blank)."""
    expected: dict[str, Decimal] = {}
    if layout.score is None:
        return expected
    for node in _all(roots):
        if node.children:
            continue
        assert node.code is not None
        assert node.cap is not None
        text = node.score_text
        value = read_number(text)
        if value is None and text and _fold(text) not in ("/", "-", "—", "不适用", "无", "N/A"):
            warnings.append(f"{node.entry.place} ({node.code}): the 得分 {text!r} is not a number")
        if node.section is ast.Section.PENALTY and value is not None:
            value = abs(value)
        if value is None:
            if node.section is ast.Section.REGULAR:
                if not text:
                    warnings.append(f"{node.entry.place} ({node.code}): no 得分; the inputs "
                                    "give it full marks")
                value = node.cap
            else:
                value = Decimal(0)  # nothing added or deducted
        if value < 0 or value > node.cap:
            warnings.append(f"{node.entry.place} ({node.code}): the 得分 {_plain(value)} is "
                            f"outside 0–{_plain(node.cap)}; kept within it")
            value = min(max(value, Decimal(0)), node.cap)
        expected[node.code] = value
    return expected


def _judge_partial_yes_no(roots: list[Node], expected: Mapping[str, Decimal]) -> None:
    """A yes/no leaf the table scores between 0 and the cap was judged by the evaluator."""
    for node in _all(roots):
        score = expected.get(node.code or "")
        if score is None or not isinstance(node.rule, ast.YesNo):
            continue
        points = node.rule.points if node.rule.points is not None else node.cap
        if score in (Decimal(0), min(points, node.cap or points)):
            continue
        reason = f" (\"{node.reason}\")" if node.reason else ""
        node.comments.append(
            f"IMPORT: the table scores {_plain(score)} of {_plain(node.cap or Decimal(0))}"
            f"{reason}, which a yes/no rule cannot give: read as the evaluator's judgement"
        )
        node.rule = ast.Judged()
        node.judged_from_score = True


def _load(text: str, name: str) -> Framework:
    source = Source(name, text)
    checked = check.check(build.to_ast(syntax.parse_tree(source), source), source)
    return Framework(checked, compile_framework(checked))


def _external(decl: ast.InputDecl | None, value: Any) -> Any:
    """A value as an inputs file holds it: 95% for a percent, 3 for a count, …"""
    if isinstance(value, Decimal):
        plain = _plain(value)
        if decl is not None and decl.type is ast.InputType.PERCENT:
            return f"{plain}%"
        if decl is not None and decl.type is ast.InputType.COUNT:
            return int(value)
        return Decimal(plain)
    return value


def _unexplained(score: Decimal) -> str:
    return f"原表得分 {_plain(score)}，表中未写原因"


def _with_inputs(result: ImportResult, roots: list[Node], declared: Mapping[str, ast.InputDecl],
                 counting: ast.Counting, expected: Mapping[str, Decimal],
                 warnings: list[str]) -> ImportResult:
    """Add the inputs that reproduce the table's 得分 (and what they score) to ``result``."""
    decls = {decl.name: decl for decl in result.framework.inputs}
    values: dict[str, Any] = {}
    notes: dict[str, str] = {}
    judgements: dict[str, tuple[Decimal, str | None]] = {}
    adjustments: dict[str, tuple[Decimal, str]] = {}
    leaves = [node for node in _all(roots) if not node.children]
    for node in leaves:
        code, cap = node.code, node.cap
        assert code is not None
        assert cap is not None
        target = expected.get(code)
        if target is None:
            continue
        penalty = node.section is ast.Section.PENALTY
        if isinstance(node.rule, ast.Judged) or node.rule is None:
            needs_reason = target > 0 if penalty else target < cap
            reason = node.reason or (_unexplained(target) if needs_reason else None)
            judgements[code] = (target, reason)
            continue
        found = _solve(node.rule, cap, target, decls, counting, penalty)
        if found is None:
            best = Decimal(0) if penalty else cap
            found = (_solve(node.rule, cap, best, decls, counting, penalty)
                     or _solve(node.rule, cap, cap - best, decls, counting, penalty) or {})
            adjustments[code] = (target, node.reason or _unexplained(target))
        for input_name, value in found.items():
            values.setdefault(input_name, value)
            notes.setdefault(input_name, f"{code}: 得分 {_plain(target)} of {_plain(cap)}")
    for input_name, decl in decls.items():
        if input_name not in values:
            values[input_name] = _fallback(decl)
            notes.setdefault(input_name, "no 得分 to reproduce: the lowest value")
    framework = _load(result.text, Path(result.table.source).with_suffix(".rules").name)

    def data() -> dict[str, Any]:
        return {
            "inputs": {n: _external(decl, values[n]) for n, decl in decls.items()},
            "judgements": {c: _score_entry(s, r) for c, (s, r) in judgements.items()},
            "adjustments": {c: _score_entry(s, r) for c, (s, r) in adjustments.items()},
        }

    scored = framework.score(from_mapping(data()))
    for node in leaves:
        target = expected.get(node.code or "")
        if target is None or node.code in adjustments or node.code in judgements:
            continue
        if scored[node.code].score != target:
            adjustments[node.code] = (target, node.reason or _unexplained(target))
    if adjustments:
        scored = framework.score(from_mapping(data()))
    for node in leaves:
        target = expected.get(node.code or "")
        if target is not None and scored[node.code].score != target:  # pragma: no cover
            warnings.append(f"{node.entry.place} ({node.code}): the inputs score "
                            f"{scored[node.code].score}, not the table's {_plain(target)}")
    if result.expected_total is not None and scored.total != result.expected_total:
        warnings.append(
            f"the inputs total {_plain(scored.total)}, but the table's total row says "
            f"{_plain(result.expected_total)}"
        )
    reasons = {node.code: node.reason for node in leaves if node.reason}
    why = {}
    for node in leaves:
        if node.code in judgements:
            why[node.code] = "the table's 得分" + (
                " (its 评价要点 could not be read)" if node.problems
                else " (its yes/no 评价要点 cannot give it)" if node.judged_from_score
                else ""
            )
        elif node.code in adjustments:
            why[node.code] = (f"the rule gives {_plain(scored[node.code].rule_score)}, "
                              f"the table {_plain(adjustments[node.code][0])}")
    text = _inputs_yaml(result.table, data(), notes, reasons, why)
    check_back = framework.score(from_mapping(_yaml_load(text)))
    assert check_back.total == scored.total, "the inputs file reads back differently"
    return attrs.evolve(result, inputs_text=text, total=scored.total, grade=scored.grade,
                        warnings=tuple(warnings))


def _score_entry(score: Decimal, reason: str | None) -> dict[str, Any]:
    entry: dict[str, Any] = {"score": Decimal(_plain(score))}
    if reason:
        entry["reason"] = reason
    return entry


def _yaml_load(text: str) -> Any:
    import yaml

    return yaml.safe_load(text)


#: Plain YAML scalars that would not read back as the same text.
_YAML_SPECIAL = re.compile(r"(?i)y|n|yes|no|true|false|on|off|null|~|[-+.\d].*")


def _yaml_key(name: str) -> str:
    if re.fullmatch(r"[\w·]+", name) and not _YAML_SPECIAL.fullmatch(name):
        return name
    return json.dumps(name, ensure_ascii=False)


def _yaml_scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, Decimal)):
        return _plain(Decimal(value))
    if isinstance(value, str):
        if re.fullmatch(r"-?\d+(\.\d+)?%", value):
            return value
        return json.dumps(value, ensure_ascii=False)
    return json.dumps(value, ensure_ascii=False, default=str)


def _inputs_yaml(table: Table, data: Mapping[str, Any], notes: Mapping[str, str],
                 reasons: Mapping[str | None, str], why: Mapping[str | None, str]) -> str:
    lines = [
        f"# Imported by `perfrules import` from {Path(table.source).name}. The input values are",
        "# chosen so that each indicator scores the table's 得分; they are not measurements: where",
        "# the unit's real values are known, put them in. Judgements and adjustments carry the",
        "# table's 未完成指标原因分析 as their reasons.",
        "inputs:",
    ]
    width = min(max((display_width(_yaml_key(n)) + len(_yaml_scalar(v))
                     for n, v in data["inputs"].items()), default=0), 36)
    for input_name, value in data["inputs"].items():
        entry = f"  {_yaml_key(input_name)}: {_yaml_scalar(value)}"
        note = notes.get(input_name)
        pad = " " * max(width + 4 - display_width(entry), 0)
        lines.append(f"{entry}{pad}  # {note}" if note else entry)
    for section in ("judgements", "adjustments"):
        if not data[section]:
            continue
        lines.append(f"{section}:")
        for code, entry in data[section].items():
            lines.append(f"  {code}:" + (f"  # {why[code]}" if code in why else ""))
            lines.append(f"    score: {_yaml_scalar(entry['score'])}")
            if "reason" in entry:
                lines.append(f"    reason: {_yaml_scalar(entry['reason'])}")
    kept = [f"#   {code}: {reason}" for code, reason in reasons.items()
            if code not in data["judgements"] and code not in data["adjustments"]]
    if kept:
        lines.append("# Reasons the table gives for indicators whose rule reproduces the score:")
        lines.extend(kept)
    return "\n".join(lines) + "\n"


# ====================================================================== the command line

EXIT_OK, EXIT_UNREAD, EXIT_USAGE = 0, 1, 2


def add_arguments(commands: Any, name: str) -> None:
    """Add the ``import`` subcommand to the ``perfrules`` command line."""
    command = commands.add_parser(
        name,
        help="import an indicator table (CSV, TSV, XLSX, DOCX) as a rule file",
        description=(
            "Read an indicator table and write a rule file; when the table has 得分, also an "
            "inputs file reproducing them. Exit 0: every row read; 1: some rows could not be "
            "read (listed on stderr, marked in the file, which is written anyway); 2: usage, "
            "or no table could be read (nothing written)."
        ),
    )
    command.add_argument("table", help="the table: a .csv, .tsv, .xlsx or .docx file")
    command.add_argument("-o", "--output", required=True, metavar="FRAMEWORK",
                         help="the rule file to write (a folder: its framework.rules)")
    command.add_argument("--inputs-out", metavar="INPUTS",
                         help="the inputs file to write when the table has 得分 "
                              "(default: FRAMEWORK's name with -inputs.yaml)")
    command.add_argument("--sheet", metavar="NAME", help="the XLSX sheet holding the table")
    command.add_argument("--counting", choices=tuple(COUNTINGS), default="full",
                         help="step counting for phrases that leave it open (default full)")
    command.add_argument("--grades", default=DEFAULT_GRADES, metavar="BANDS",
                         help="grade bands in rule-file syntax, or none (default: the usual "
                              f"{DEFAULT_GRADES}, scaled to the total)")
    command.add_argument("--name", help="the framework's name (default: the table's caption)")
    command.add_argument("--year", type=int, help="the evaluation year")


def _outputs(args: argparse.Namespace) -> tuple[Path, Path]:
    rules = Path(args.output)
    if rules.is_dir():
        rules = rules / "framework.rules"
    inputs = Path(args.inputs_out) if args.inputs_out else rules.with_name(
        f"{rules.stem}-inputs.yaml"
    )
    return rules, inputs


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Run ``perfrules import``; returns the exit status."""
    rules_path, inputs_path = _outputs(args)
    try:
        result = import_table(
            args.table,
            sheet=args.sheet,
            counting=COUNTINGS[args.counting],
            grades=args.grades,
            name=args.name,
            year=args.year,
        )
    except TableError as error:
        print(f"perfrules import: {error}", file=err)
        return EXIT_USAGE
    try:
        rules_path.write_text(result.text, encoding="utf-8")
        if result.inputs_text is not None:
            inputs_path.write_text(result.inputs_text, encoding="utf-8")
    except OSError as error:
        print(f"perfrules import: cannot write {error.filename}: {error.strerror}", file=err)
        return EXIT_USAGE
    source = Path(args.table).name
    indicators = len(ast.walk(result.framework.indicators))
    print(f"wrote {rules_path}: {indicators} indicators, {len(result.framework.inputs)} inputs",
          file=out)
    if result.inputs_text is not None:
        grade = f" / {result.grade}" if result.grade else ""
        print(f"wrote {inputs_path}: the table's 得分 reproduced, total "
              f"{_plain(result.total or Decimal(0))}{grade}", file=out)
    for warning in result.warnings:
        print(f"{source}: warning: {warning}", file=err)
    for problem in result.problems:
        print(f"{source}: {problem}", file=err)
    for error in result.check_errors:
        print(error, file=err)
    if result.check_errors:
        print(f"{source}: the written rule file does not check (a bug in perfrules import)",
              file=err)
        return EXIT_UNREAD
    if result.problems:
        rows = len({p.where for p in result.problems})
        print(f"{source}: {rows} row(s) could not be read; they are marked '# IMPORT: could not "
              f"read' and judged in {rules_path}", file=err)
        return EXIT_UNREAD
    return EXIT_OK
