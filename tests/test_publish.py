"""Publishing a scored result: the seed's table as Markdown, CSV, XLSX and HTML."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import perfrules
from perfrules import publish
from perfrules.cli import EXIT_OK, EXIT_USAGE, main

NANJING = Path(__file__).resolve().parent.parent / "frameworks" / "nanjing-2024"
INPUTS = NANJING / "inputs-2024.yaml"
UNIT = "南京市人民政府办公厅"

#: A small framework with the awkward cases: pipes and markup in names, a penalty, 不适用.
SMALL = """
framework "小框架|测试" {
  year 2025
  not applicable rescale
  grades { 好 >= 80; 差 otherwise }
}
inputs {
  a: percent "甲完成率"
  b: percent "乙完成率"
  c: bool "丙已完成"
}
C "部门|履职" 10 {
  C1 "甲" 4 {
    description "说明|含竖线"
    criterion "完成率在 100%以上得 4 分"
    proportional a / 100%
  }
  C2 "乙<b>&" 3 { proportional b / 100% }
  C3 "丙" 3 { full if c }
}
D "其他" 90 { full if c }
penalty P "减分项" 5 { judged }
"""


@pytest.fixture(scope="module")
def nanjing() -> tuple[perfrules.Framework, perfrules.Result]:
    """The Nanjing framework and its scored 2024 unit (99, 优秀)."""
    framework = perfrules.load(NANJING)
    return framework, framework.score(perfrules.read_inputs(INPUTS))


@pytest.fixture(scope="module")
def table(nanjing: tuple[perfrules.Framework, perfrules.Result]) -> publish.Table:
    """The Nanjing unit's published table (Chinese, published 评价要点)."""
    return publish.build(*nanjing)


@pytest.fixture(scope="module")
def small() -> perfrules.Framework:
    """The small framework with a penalty and a 不适用 policy."""
    return perfrules.loads(SMALL, source="small.rules")


def small_result(framework: perfrules.Framework, **changes: object) -> perfrules.Result:
    """The small framework scored: C1 at 50%, a 1-point penalty (or with ``changes``)."""
    data: dict[str, object] = {
        "inputs": {"a": "50%", "b": "100%", "c": True},
        "judgements": {"P": {"score": 1, "reason": "迟报|一次"}},
    }
    data.update(changes)
    return framework.score(data, unit="某单位")


def run(*argv: str | Path) -> tuple[int, str, str]:
    """Run the command line with captured streams; returns (status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    status = main([str(a) for a in argv], stdout=out, stderr=err)
    return status, out.getvalue(), err.getvalue()


def md_rows(text: str) -> list[list[str]]:
    """The cells of every table line of a Markdown document (escaped pipes kept in cells)."""
    rows = []
    for line in text.splitlines():
        if line.startswith("|"):
            cells = re.split(r"(?<!\\)\|", line.strip()[1:-1])
            rows.append([c.strip() for c in cells])
    return rows


# ------------------------------------------------------------------ the table


def test_table_has_one_row_per_leaf(table: publish.Table,
                                    nanjing: tuple[perfrules.Framework, perfrules.Result]) -> None:
    """The table has a row for every leaf indicator, in tree order, and the seed's columns."""
    _, result = nanjing
    leaves = [code for code in result if result[code].is_leaf]
    assert [row.code for row in table.rows] == leaves
    assert table.heading == ("一级指标", "二级指标", "三级指标", "指标说明", "评价要点", "分值",
                             "得分", "未完成指标原因分析")


def test_table_spans_count_the_leaves(table: publish.Table) -> None:
    """Each hierarchy cell starts on its first leaf and spans exactly its leaves."""
    first = table.rows[0].levels
    assert isinstance(first[0], publish.Level) and first[0].text == "A 部门决策（15 分）"
    assert first[0].span == 9
    assert isinstance(first[1], publish.Level) and first[1].span == 3
    b_rows = [row for row in table.rows if row.code.startswith("B")]
    assert b_rows[0].levels[0] == publish.Level("B", "B 部门管理（20 分）", 15)
    assert all(row.levels[0] == "" for row in b_rows[1:])
    f2 = next(row for row in table.rows if row.code == "F2")
    assert f2.levels == ("", publish.Level("F2", "F2 减分项（-5 分）", 1), None)


def test_table_has_the_published_scores_and_reasons(table: publish.Table) -> None:
    """得分 and 未完成指标原因分析 are the seed's: A41 2 and B11 1.5 with the evaluator's words."""
    rows = {row.code: row for row in table.rows}
    assert rows["A41"].score == Decimal(2)
    assert rows["A41"].reasons == "内控制度科学性有待进一步提高"
    assert rows["B11"].score == Decimal("1.5")
    assert rows["B11"].reasons == "按照“过紧日子”要求压缩了项目经费；根据工作安排，调整了部分经费"
    assert rows["C11"].criterion == "办理比率在99%以上得10分，每降低5%扣2分，低于60%不得分。"
    assert (table.total, table.lost, table.grade) == (Decimal(99), Decimal(1), "优秀")
    assert table.minus_lost == Decimal(-1)


def test_penalty_and_not_applicable_rows(small: perfrules.Framework) -> None:
    """A penalty shows as a negative score; 不适用 shows as such, with the parent's rescaling."""
    table = publish.build(small, small_result(small))
    rows = {row.code: row for row in table.rows}
    assert rows["P"].score == Decimal(-1)
    assert rows["P"].reasons == "迟报|一次"
    result = small_result(small, inputs={"b": "100%", "c": True}, not_applicable=["C1"],
                          judgements={"P": {"score": 0}})
    table = publish.build(small, result)
    c1 = next(row for row in table.rows if row.code == "C1")
    assert c1.score is None
    assert table.cells(c1)[5] == "不适用"
    assert c1.reasons.startswith("C：")  # the parent's rescaling, on its first leaf's row
    assert "不适用" in c1.reasons


def test_criteria_rendered_uses_the_renderer(monkeypatch: pytest.MonkeyPatch,
                                             small: perfrules.Framework) -> None:
    """`rendered` phrases every rule with render(); `published` only those without a criterion."""
    calls: list[tuple[object, Decimal, str]] = []

    def fake(rule: object, *, cap: Decimal, labels: object = None, locale: str = "zh") -> str:
        calls.append((rule, cap, locale))
        assert isinstance(labels, dict) and labels["a"] == "甲完成率"
        return f"rendered {cap}"

    monkeypatch.setattr(publish, "_renderer", lambda: fake)
    result = small_result(small)
    published = {r.code: r.criterion for r in publish.build(small, result).rows}
    assert published["C1"] == "完成率在 100%以上得 4 分"
    assert published["C2"] == "rendered 3"
    rendered = {r.code: r.criterion for r in publish.build(small, result, criteria="rendered").rows}
    assert rendered["C1"] == "rendered 4"
    with pytest.raises(ValueError, match="criteria"):
        publish.build(small, result, criteria="guessed")


def test_criteria_without_a_renderer(monkeypatch: pytest.MonkeyPatch,
                                     small: perfrules.Framework) -> None:
    """Without perfrules.render the published text stays and a rule with none is left blank."""
    monkeypatch.setattr(publish, "_renderer", lambda: None)
    rows = {r.code: r.criterion for r in publish.build(small, small_result(small),
                                                       criteria="rendered").rows}
    assert rows["C1"] == "完成率在 100%以上得 4 分"
    assert rows["C2"] == ""


def test_criteria_falls_back_when_a_rule_cannot_be_phrased(
        monkeypatch: pytest.MonkeyPatch, small: perfrules.Framework) -> None:
    """A rule render() cannot phrase keeps its published text, or an empty cell."""

    def refuse(rule: object, **_: object) -> str:
        raise ValueError("a combination inside a combination cannot be said in one phrase")

    monkeypatch.setattr(publish, "_renderer", lambda: refuse)
    rows = {r.code: r.criterion for r in publish.build(small, small_result(small),
                                                       criteria="rendered").rows}
    assert (rows["C1"], rows["C2"]) == ("完成率在 100%以上得 4 分", "")


def test_criteria_rendered_with_the_real_renderer(
        nanjing: tuple[perfrules.Framework, perfrules.Result]) -> None:
    """With perfrules.render installed, every rendered 评价要点 is non-empty Chinese text."""
    pytest.importorskip("perfrules.render", reason="perfrules/render.py is not there yet")
    rows = {row.code: row.criterion for row in publish.build(*nanjing, criteria="rendered").rows}
    assert all(rows.values())
    assert "99%以上得10分" in rows["C11"] and "每降低5%扣2分" in rows["C11"]
    published = {row.code: row.criterion for row in publish.build(*nanjing).rows}
    assert published["C11"] == "办理比率在99%以上得10分，每降低5%扣2分，低于60%不得分。"
    english = {row.code: row.criterion
               for row in publish.build(*nanjing, criteria="rendered", locale="en").rows}
    assert "points" in english["C11"]


# ------------------------------------------------------------------ Markdown


def test_markdown_table(table: publish.Table) -> None:
    """Markdown: a heading, a GFM table with one row per leaf plus the total row, then the grade."""
    text = publish.as_markdown(table)
    rows = md_rows(text)
    assert rows[0] == list(table.heading)
    assert all(re.fullmatch(r"-+:?", cell) for cell in rows[1])
    assert len(rows) == 2 + len(table.rows) + 1
    assert all(len(row) == len(table.heading) for row in rows)
    assert rows[-1] == ["总得分（100 分）", "", "", "", "", "100", "99", "-1"]
    a41 = next(row for row in rows if row[2].startswith("A41"))
    assert a41[5:] == ["2.5", "2", "内控制度科学性有待进一步提高"]
    assert rows[3][:2] == ["", ""]  # the seed's layout: ancestors named on their first row only
    assert text.startswith("# 南京市人民政府办公厅整体绩效评价指标框架\n")
    assert "- 等次：**优秀**" in text
    assert "总得分：**99** 分" in text


def test_markdown_escapes_pipes(small: perfrules.Framework) -> None:
    """Pipes in names, descriptions and reasons are escaped, so every row keeps its columns."""
    text = publish.as_markdown(publish.build(small, small_result(small)))
    rows = md_rows(text)
    assert all(len(row) == len(rows[0]) for row in rows)
    assert r"C 部门\|履职（10 分）" in text
    assert r"说明\|含竖线" in text
    assert r"迟报\|一次" in text
    assert "# 小框架\\|测试" in text


def test_markdown_in_english(nanjing: tuple[perfrules.Framework, perfrules.Result]) -> None:
    """--locale en: English headings, total and grade lines; the framework's own text stays."""
    text = publish.as_markdown(publish.build(*nanjing, locale="en"))
    assert "| Level 1 | Level 2 | Level 3 | Description | Criterion | Cap | Score |" in text
    assert "| Total (100) |" in text
    assert "- Grade: **优秀**" in text


# ------------------------------------------------------------------ CSV


def read_csv(text: str) -> list[list[str]]:
    """Rows of CSV text that starts with a byte-order mark (which is checked and dropped)."""
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_csv_has_bom_and_repeats_the_hierarchy(table: publish.Table) -> None:
    """CSV: a BOM, the heading, one row per leaf with every ancestor repeated, plain numbers."""
    rows = read_csv(publish.as_csv(table))
    assert rows[0] == list(table.heading)
    body = rows[1:1 + len(table.rows)]
    assert len(body) == len(table.rows)
    assert all(row[0] for row in body)  # the 一级指标 cell is never blank
    a12 = body[1]
    assert a12[:3] == ["A 部门决策（15 分）", "A1 决策机制（6 分）", "A12 决策流程的科学性（2 分）"]
    b11 = next(row for row in body if row[2].startswith("B11"))
    assert b11[5:7] == ["2", "1.5"]
    f2 = next(row for row in body if row[1].startswith("F2"))
    assert f2[2] == ""  # a leaf above the third level leaves that cell blank


def test_csv_total_and_grade_rows(table: publish.Table) -> None:
    """The CSV ends with the total row (total, minus the points lost) and the grade row."""
    rows = read_csv(publish.as_csv(table))
    assert rows[-2] == ["总得分（100 分）", "", "", "", "", "100", "99", "-1"]
    assert rows[-1][0] == "等次" and rows[-1][6] == "优秀"


def test_csv_negative_and_not_applicable(small: perfrules.Framework) -> None:
    """A penalty's deduction is a negative number; a 不适用 score is the word 不适用."""
    rows = read_csv(publish.as_csv(publish.build(small, small_result(small))))
    assert next(row for row in rows if row[0].startswith("P "))[5] == "-1"
    result = small_result(small, inputs={"b": "100%", "c": True}, not_applicable=["C1"])
    rows = read_csv(publish.as_csv(publish.build(small, result)))
    assert next(row for row in rows if row[1].startswith("C1"))[5] == "不适用"


# ------------------------------------------------------------------ XLSX


@pytest.fixture(scope="module")
def sheet(table: publish.Table, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The Nanjing workbook written to disk and read back with openpyxl."""
    openpyxl = pytest.importorskip("openpyxl")
    path = tmp_path_factory.mktemp("xlsx") / "nanjing.xlsx"
    path.write_bytes(publish.as_xlsx(table))
    return openpyxl.load_workbook(path).active


def test_xlsx_merges_the_hierarchy(sheet: Any, table: publish.Table) -> None:
    """一级 and 二级 cells are merged down over their leaves, as in the seed's layout."""
    merged = {str(r) for r in sheet.merged_cells.ranges}
    assert {"A3:A11", "B3:B5", "B6:B7", "A12:A26", "B12:B14", "A27:A30"} <= merged
    assert sheet["A3"].value == "A 部门决策（15 分）"
    assert sheet["A12"].value == "B 部门管理（20 分）"
    assert sheet["A4"].value is None
    assert sheet["C3"].value == "A11 决策制度的规范性（2 分）"


def test_xlsx_keeps_numbers_as_numbers(sheet: Any, table: publish.Table) -> None:
    """分值 and 得分 read back as int or float with the exact value, never as text."""
    values = {}
    for r in range(3, 3 + len(table.rows)):
        cap, score = sheet.cell(row=r, column=6), sheet.cell(row=r, column=7)
        assert type(cap.value) in (int, float) and type(score.value) in (int, float)
        values[sheet.cell(row=r, column=3).value or sheet.cell(row=r, column=2).value] = (
            cap.value, score.value)
    assert values["A41 预算编制科学规范（2.5 分）"] == (2.5, 2)
    assert type(values["A41 预算编制科学规范（2.5 分）"][1]) is int
    assert values["B11 部门预算执行率（2 分）"] == (2, 1.5)
    assert sheet.cell(row=10, column=8).value == "内控制度科学性有待进一步提高"


def test_xlsx_total_grade_and_layout(sheet: Any, table: publish.Table) -> None:
    """The total row (99, -1), the grade, a bold frozen heading, wrapped text and set widths."""
    total = 3 + len(table.rows)
    assert sheet.cell(row=total, column=1).value == "总得分（100 分）"
    assert [sheet.cell(row=total, column=c).value for c in (6, 7, 8)] == [100, 99, -1]
    assert sheet.cell(row=total + 1, column=1).value == "等次"
    assert sheet.cell(row=total + 1, column=7).value == "优秀"
    assert sheet.freeze_panes == "A3"
    assert all(sheet.cell(row=2, column=c).font.b for c in range(1, 9))
    assert [sheet.cell(row=2, column=c).value for c in range(1, 9)] == list(table.heading)
    assert sheet["D3"].alignment.wrap_text
    assert all(sheet.column_dimensions[letter].width >= 6 for letter in "ABCDEFGH")
    assert sheet.column_dimensions["E"].width > sheet.column_dimensions["G"].width
    assert "南京市人民政府办公厅整体绩效评价指标框架" in sheet["A1"].value


def test_xlsx_penalty_is_negative_and_not_applicable_is_text(
        small: perfrules.Framework, tmp_path: Path) -> None:
    """In XLSX a deduction is a negative number and a 不适用 score is the word."""
    openpyxl = pytest.importorskip("openpyxl")
    result = small_result(small, inputs={"b": "100%", "c": True}, not_applicable=["C1"])
    path = publish.write(tmp_path / "small.xlsx", small, result)
    sheet = openpyxl.load_workbook(path).active
    by_name = {sheet.cell(row=r, column=2).value or sheet.cell(row=r, column=1).value:
               sheet.cell(row=r, column=6).value for r in range(3, sheet.max_row + 1)}
    assert by_name["C1 甲（4 分）"] == "不适用"
    assert by_name["P 减分项（-5 分）"] == -1
    assert "A3:A5" in {str(r) for r in sheet.merged_cells.ranges}


# ------------------------------------------------------------------ HTML


def test_html_is_self_contained(table: publish.Table) -> None:
    """HTML: one page with inline CSS and print rules, no scripts and no external resources."""
    page = publish.as_html(table)
    assert page.startswith("<!DOCTYPE html>")
    assert '<meta charset="utf-8">' in page
    assert "<script" not in page and "<link" not in page and "<img" not in page
    assert "@import" not in page and "url(" not in page
    assert re.findall(r"https?://[^\s\"']+", page) == ["http://www.w3.org/2000/svg"]
    assert "@media print" in page and "@page" in page
    assert '"Noto Sans CJK SC"' in page and "Microsoft YaHei" in page


def test_html_rowspans_total_and_grade(table: publish.Table) -> None:
    """The hierarchy uses rowspans; the total (99, -1) and the grade 优秀 are on the page."""
    page = publish.as_html(table)
    assert '<td class="level" rowspan="9">A 部门决策（15 分）</td>' in page
    assert '<td class="level" rowspan="3">A1 决策机制（6 分）</td>' in page
    assert page.count('<tr data-code="') == len(table.rows)
    assert '<div id="total"><span>总得分</span><b>99</b>' in page
    assert '<div id="grade"><span>等次</span><b>优秀</b>' in page
    assert '<td class="num">99</td><td>-1</td>' in page
    # every body row has as many cells as the heading, counting the rowspans above it
    body = page.split("<tbody>")[1].split('<tr class="total">')[0]
    covering = [0] * table.depth
    for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", body):
        cells = re.findall(r"<td([^>]*)>", tr)
        free = sum(1 for c in covering if c == 0)
        assert len(cells) == len(table.heading) - (table.depth - free)
        covering = [max(0, c - 1) for c in covering]
        column = 0
        for attributes in cells[:free]:
            while covering[column] > 0:
                column += 1
            span = re.search(r'rowspan="(\d+)"', attributes)
            covering[column] = int(span.group(1)) - 1 if span else 0
            column += 1


def test_html_bar_chart(table: publish.Table) -> None:
    """An inline SVG chart has a track (cap) and a bar (score) for every 一级指标."""
    page = publish.as_html(table)
    svg = page[page.index("<svg"):page.index("</svg>")]
    assert svg.count('class="track"') == len(table.bars) == 6
    assert "A 部门决策" in svg and "14.5 / 15" in svg and "0 / ≤5" in svg
    tracks = [float(w) for w in re.findall(r'class="track" [^>]*?width="([\d.]+)"', svg)]
    bars = [float(w) for w in re.findall(r'class="(?:score|bonus)" [^>]*?width="([\d.]+)"', svg)]
    assert bars[0] / tracks[0] == pytest.approx(14.5 / 15, abs=0.01)  # A: 14.5 of 15
    assert tracks[2] == pytest.approx(2 * tracks[0])  # C's cap 30 is twice A's 15
    assert bars[5] == 0  # F: no bonus


def test_html_escapes_markup(small: perfrules.Framework) -> None:
    """Names with < and & are escaped in the table and the chart."""
    page = publish.as_html(publish.build(small, small_result(small)))
    assert "乙&lt;b&gt;&amp;" in page
    assert "<b>&" not in page


# ------------------------------------------------------------------ command line


@pytest.mark.parametrize("fmt", ["md", "html", "csv"])
def test_cli_text_formats_to_stdout(fmt: str) -> None:
    """`score --format md|html|csv` writes the published table to standard output."""
    status, out, err = run("score", NANJING, INPUTS, "--format", fmt)
    assert status == EXIT_OK, err
    assert "总得分（100 分）" in out and "99" in out
    if fmt == "csv":
        assert out.startswith("\ufeff一级指标,")
    else:
        assert UNIT in out


@pytest.mark.parametrize("fmt", ["md", "html", "csv", "xlsx"])
def test_cli_output_file(fmt: str, tmp_path: Path) -> None:
    """`-o FILE` writes the file (UTF-8; CSV with BOM; XLSX a zip) and prints nothing."""
    target = tmp_path / f"report.{fmt}"
    status, out, err = run("score", NANJING, INPUTS, "--format", fmt, "-o", target)
    assert (status, out, err) == (EXIT_OK, "", "")
    data = target.read_bytes()
    if fmt == "xlsx":
        assert data[:2] == b"PK"
    elif fmt == "csv":
        assert data.startswith("\ufeff".encode()) and b"\r\n" in data
    else:
        assert "总得分".encode() in data


def test_cli_xlsx_needs_an_output_file() -> None:
    """`--format xlsx` without -o is a usage mistake (exit 2), not bytes on a terminal."""
    status, out, err = run("score", NANJING, INPUTS, "--format", "xlsx")
    assert status == EXIT_USAGE
    assert out == "" and "-o FILE" in err


def test_cli_locale_and_criteria_options() -> None:
    """--locale en gives English headings; --criteria accepts only published or rendered."""
    status, out, _ = run("score", NANJING, INPUTS, "--format", "md", "--locale", "en")
    assert status == EXIT_OK and "| Level 1 |" in out and "Grade: **优秀**" in out
    status, _, err = run("score", NANJING, INPUTS, "--format", "md", "--criteria", "guessed")
    assert status == EXIT_USAGE and "--criteria" in err


def test_cli_criteria_rendered() -> None:
    """`--criteria rendered` puts the rules' canonical phrasing in the 评价要点 column."""
    pytest.importorskip("perfrules.render", reason="perfrules/render.py is not there yet")
    status, out, err = run("score", NANJING, INPUTS, "--format", "md", "--criteria", "rendered")
    assert status == EXIT_OK, err
    c11 = next(row for row in md_rows(out) if row[2].startswith("C11"))
    assert c11[4] != "办理比率在99%以上得10分，每降低5%扣2分，低于60%不得分。"
    assert "99%以上得10分" in c11[4]


def test_write_picks_the_format_from_the_suffix(
        nanjing: tuple[perfrules.Framework, perfrules.Result], tmp_path: Path) -> None:
    """publish.write() infers the format from the file name and refuses unknown ones."""
    framework, result = nanjing
    path = publish.write(tmp_path / "r.md", framework, result)
    assert path.read_text(encoding="utf-8").startswith("# ")
    with pytest.raises(ValueError, match="format"):
        publish.write(tmp_path / "r.pdf", framework, result)
