"""`perfrules import`: indicator tables (CSV, TSV, XLSX, DOCX) to rule files and inputs.

The seed's table (frameworks/nanjing-2024/seed-table.tsv, its rows exactly as the seed report
gives them) must import into a framework that checks and whose produced inputs reproduce the
seed's 得分 row by row — checked against GOLDEN, the table transcribed by hand from the seed
in tests/test_nanjing.py. The small tables under tests/fixtures/import/ are written by hand
(small.csv; split.tsv, the same table broken by page breaks; kinds.csv, one row per rule kind);
the XLSX and DOCX versions of small.csv are generated here with openpyxl and python-docx, with
the merged cells a Word or Excel author would use.
"""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from test_nanjing import A41_REASON, B11_REASON, GOLDEN

import perfrules
from perfrules import ast, importer
from perfrules.cli import main

ROOT = Path(__file__).resolve().parent.parent
SEED_TABLE = ROOT / "frameworks" / "nanjing-2024" / "seed-table.tsv"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "import"
SMALL = FIXTURES / "small.csv"
SPLIT = FIXTURES / "split.tsv"

#: The small table's leaves and the 得分 the table gives them (A21 and B11 have no code in
#: the table: the importer names them from their parent and position).
SMALL_SCORES = {"A11": "2", "A12": "1", "A21": "6", "B11": "7", "F1": "2", "F2": "0"}
SMALL_CODES = ["A", "A1", "A11", "A12", "A2", "A21", "B", "B1", "B11", "F", "F1", "F2"]


def run(*argv: str) -> tuple[int, str, str]:
    """Run the command line; (exit status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), stdout=out, stderr=err)
    return status, out.getvalue(), err.getvalue()


def load(result: importer.ImportResult) -> perfrules.Framework:
    """The imported framework, loaded from its text as `perfrules check` would."""
    return perfrules.loads(result.text, source="imported.rules")


def score(result: importer.ImportResult) -> perfrules.Result:
    """The imported inputs scored against the imported framework."""
    assert result.inputs_text is not None
    data = perfrules.inputs.loads_inputs(result.inputs_text, "yaml")
    return load(result).score(data)


def small_rows() -> list[list[str]]:
    """The small table's rows as read from small.csv (title, header, data, total)."""
    with SMALL.open(encoding="utf-8", newline="") as handle:
        return [row for row in csv.reader(handle)]


# ====================================================================== the seed's table


@pytest.fixture(scope="module")
def seed() -> importer.ImportResult:
    """The seed's table imported once for the module."""
    return importer.import_table(SEED_TABLE)


@pytest.fixture(scope="module")
def seed_result(seed: importer.ImportResult) -> perfrules.Result:
    """The seed import's inputs scored against the seed import's framework."""
    return score(seed)


def test_seed_table_file_is_the_seeds_rows() -> None:
    """seed-table.tsv holds the seed's table rows verbatim: page-break headers, split B32."""
    seed_text = (ROOT.parent / "shared" / "seeds" / "000_ea46c1cfe0f2de09.txt")
    lines = SEED_TABLE.read_text(encoding="utf-8").split("\n")
    header = "一级指标\t二级指标\t三级指标（参考）\t指标说明\t评价要点\t得分\t未完成指标 原因分析"
    assert lines.count(header) == 6  # the header and its five repeats at page breaks
    b32 = "\t\tB32 资产管理是否按制度\t资产管理制度执行情况\t资产管理制度有效执行，得\t1\t"
    assert b32 in lines
    assert "\t\t执行（1分）\t况\t1分。\t\t" in lines
    if seed_text.exists():  # the shared seed is outside the repository
        assert SEED_TABLE.read_text(encoding="utf-8").rstrip("\n") in seed_text.read_text(
            encoding="utf-8"
        )


def test_seed_import_checks(seed: importer.ImportResult, tmp_path: Path) -> None:
    """The imported rule file passes `perfrules check` with no error."""
    rules = tmp_path / "imported.rules"
    rules.write_text(seed.text, encoding="utf-8")
    status, out, err = run("check", str(rules))
    assert status == 0, err
    assert "0 error(s)" in out


def test_seed_import_has_the_seeds_tree(seed: importer.ImportResult) -> None:
    """The imported tree has the seed's 53 rows, in order, with their names and caps."""
    framework = load(seed)
    assert list(framework.codes) == [row[0] for row in GOLDEN]
    for code, name, cap, _ in GOLDEN:
        assert framework[code].name == name, code
        assert framework[code].cap == Decimal(cap), code
    assert framework.name == "南京市人民政府办公厅整体绩效评价指标框架"
    assert framework.ast.total == Decimal(100)
    assert framework.ast.total_capped


@pytest.mark.parametrize(("code", "name", "cap", "expected"), GOLDEN, ids=[r[0] for r in GOLDEN])
def test_seed_import_row(seed_result: perfrules.Result, code: str, name: str, cap: str,
                         expected: str) -> None:
    """Each row of the imported framework scores the seed's 得分 with the produced inputs."""
    assert seed_result[code].score == Decimal(expected)
    assert seed_result[code].cap == Decimal(cap)


def test_seed_import_scores_99(seed: importer.ImportResult,
                               seed_result: perfrules.Result) -> None:
    """The produced inputs score exactly 99, graded 优秀, as the seed report says."""
    assert seed_result.total == Decimal(99)
    assert seed_result.grade == "优秀"
    assert seed.total == Decimal(99)
    assert seed.grade == "优秀"
    assert seed.expected_total == Decimal(99)
    assert not [w for w in seed.warnings if "total" in w]


def test_seed_a41_is_judged_with_the_seeds_reason(seed: importer.ImportResult,
                                                  seed_result: perfrules.Result) -> None:
    """A41 (2 of 2.5, a yes/no phrase) becomes judged, its judgement carrying the seed's reason."""
    framework = load(seed)
    assert isinstance(framework["A41"].rule, ast.Judged)
    assert framework["A41"].criterion == "部门预算编制规范，得 2.5 分。"
    data = perfrules.inputs.loads_inputs(seed.inputs_text or "", "yaml")
    assert data.judgements["A41"] == {"score": 2, "reason": A41_REASON}
    assert seed_result["A41"].adjustment is None
    assert "IMPORT: the table scores 2 of 2.5" in seed.text


def test_seed_b11_keeps_its_rule_and_is_adjusted(seed: importer.ImportResult,
                                                 seed_result: perfrules.Result) -> None:
    """B11's threshold gives 2 at the bound; an adjustment to 1.5 carries the seed's reason."""
    framework = load(seed)
    assert isinstance(framework["B11"].rule, ast.Threshold)
    node = seed_result["B11"]
    assert node.rule_score == Decimal(2)
    assert node.score == Decimal("1.5")
    assert node.adjustment is not None
    assert node.adjustment.reason == B11_REASON


def test_seed_uncoded_rows_get_codes_from_parent_and_position(seed: importer.ImportResult) -> None:
    """The seed's uncoded 三级指标 become C11, C21, C22, C31, D11, E11, each with a comment."""
    framework = load(seed)
    assert framework.children("C2") == ("C21", "C22")
    assert framework["C22"].name == "调研工作满意度"
    for code in ("C11", "C21", "C22", "C31", "D11", "E11"):
        assert f"IMPORT: code {code} generated" in seed.text


def test_seed_split_row_is_joined(seed: importer.ImportResult) -> None:
    """B32, split by a page break, is one indicator with its name, cap and 评价要点 joined."""
    framework = load(seed)
    node = framework["B32"]
    assert node.name == "资产管理是否按制度执行"
    assert node.cap == Decimal(1)
    assert node.criterion == "资产管理制度有效执行，得1分。"
    assert node.description == "资产管理制度执行情况"


def test_seed_header_repeats_are_skipped() -> None:
    """The five headers repeated at page breaks are skipped, each reported by its row."""
    found = importer.read_entries(importer.read_table(SEED_TABLE))
    repeats = [s for s in found.skipped if "header repeated" in s]
    assert [s.split(":")[0] for s in repeats] == ["row 13", "row 23", "row 32", "row 39", "row 44"]
    assert found.total is not None
    assert (found.total.cap, found.total.score) == (Decimal(100), Decimal(99))


def test_seed_sections_and_derived_caps(seed: importer.ImportResult) -> None:
    """F "加减分项（≤5 分）" is a bonus section, F2 减分项 a penalty; E1 and F1/F2 caps derived."""
    framework = load(seed)
    assert framework["F"].section is ast.Section.BONUS
    assert framework["F1"].section is ast.Section.BONUS
    assert framework["F2"].section is ast.Section.PENALTY
    assert framework["E1"].cap == Decimal(5)
    assert "IMPORT: cap 5 is its children's" in seed.text
    assert "IMPORT: cap 5 is F's bound" in seed.text


def test_seed_texts_are_kept(seed: importer.ImportResult) -> None:
    """Each row's 评价要点 is kept as its criterion and 指标说明 as its description."""
    framework = load(seed)
    assert framework["C11"].criterion == "办理比率在99%以上得10分，每降低5%扣2分，低于60%不得分。"
    assert framework["A11"].description == "是否建立决策制度、是否规范"


def test_seed_only_d11_is_unread(seed: importer.ImportResult) -> None:
    """Only D11 ("…等作为标杆值", which gives no points) cannot be read; no other warning."""
    assert [(p.where, p.code) for p in seed.problems] == [("row 41", "D11")]
    assert seed.problems[0].message.startswith("the 评价要点: these statements give no points")
    assert seed.warnings == ()
    assert seed.check_errors == ()


def test_seed_problems_are_marked_in_the_file(seed: importer.ImportResult) -> None:
    """Every row reported as unread is a judged indicator with an IMPORT comment above it."""
    framework = load(seed)
    for problem in seed.problems:
        assert problem.code is not None
        assert isinstance(framework[problem.code].rule, ast.Judged)
        assert problem.where.startswith("row ")
    assert seed.text.count("# IMPORT: could not read:") >= len(seed.problems)


def test_seed_cli_writes_files_that_check_and_score_99(tmp_path: Path,
                                                       seed: importer.ImportResult) -> None:
    """`perfrules import` writes both files (exit 1: D11 unread); `check` passes; `score` 99."""
    rules, inputs = tmp_path / "nanjing.rules", tmp_path / "nanjing-inputs.yaml"
    status, out, err = run("import", str(SEED_TABLE), "-o", str(rules), "--inputs-out",
                           str(inputs))
    assert status == 1
    assert "seed-table.tsv: row 41 (D11): could not read: the 评价要点: " in err
    assert rules.read_text(encoding="utf-8") == seed.text
    assert inputs.read_text(encoding="utf-8") == seed.inputs_text
    assert "total 99 / 优秀" in out
    assert run("check", str(rules))[0] == 0
    status, out, err = run("score", str(rules), str(inputs), "--format", "json")
    assert status == 0, err
    payload = json.loads(out)
    assert (payload["total"], payload["grade"]) == (99, "优秀")


# ====================================================================== the small table


@pytest.fixture(scope="module")
def small() -> importer.ImportResult:
    """small.csv imported once for the module."""
    return importer.import_table(SMALL)


def test_small_csv_reads_every_row(small: importer.ImportResult) -> None:
    """Every row of the small CSV is read: no problem, no warning."""
    assert small.problems == ()
    assert small.warnings == ()


def test_small_csv_tree(small: importer.ImportResult) -> None:
    """Blank cells repeat the row above; codes and caps come from the cells."""
    framework = load(small)
    assert list(framework.codes) == SMALL_CODES
    assert framework.children("A1") == ("A11", "A12")
    assert framework["A2"].cap == Decimal(6)
    assert framework["A21"].name == "预算执行率"
    assert framework.name == "示例单位整体绩效评价指标（2024 年度）"
    assert framework.year == 2024
    assert framework.ast.total == Decimal(20)


def test_small_csv_scores(small: importer.ImportResult) -> None:
    """The produced inputs reproduce each 得分 of the small table and its total 18."""
    result = score(small)
    for code, expected in SMALL_SCORES.items():
        assert result[code].score == Decimal(expected), code
    assert result.total == Decimal(18)


def test_default_grades_scale_with_the_total(small: importer.ImportResult) -> None:
    """Without --grades, the usual bands sit at 90%, 80%, 60% of the total (18, 16, 12 of 20)."""
    framework = load(small)
    assert framework.grades == ("优秀", "良好", "中", "差")
    assert "优秀 >= 18" in small.text
    assert score(small).grade == "优秀"


def test_threshold_steps_get_the_value_that_gives_the_score(small: importer.ImportResult) -> None:
    """B11 scored 7 of 10 (one 4% step below 98%): the input is set to 94%, no adjustment."""
    data = perfrules.inputs.loads_inputs(small.inputs_text or "", "yaml")
    assert "B11" not in data.adjustments
    assert score(small)["B11"].rule_score == Decimal(7)


def test_blank_cells_and_repeated_texts_read_alike(tmp_path: Path,
                                                   small: importer.ImportResult) -> None:
    """A table repeating the parent's text in every row reads like one leaving the cells blank."""
    rows = small_rows()
    filled = []
    above = ["", "", ""]
    for row in rows[2:-1]:
        cells = list(row)
        depth = max(i for i in range(3) if cells[i])
        for i in range(depth):
            cells[i] = cells[i] or above[i]
        above = cells[:3]
        filled.append(cells)
    path = tmp_path / "filled.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([*rows[:2], *filled, rows[-1]])
    assert importer.import_table(path).framework.indicators == small.framework.indicators


def test_header_repeats_and_continuation_rows(small: importer.ImportResult) -> None:
    """split.tsv (header repeated at page breaks, A12 split over two pages) reads as small.csv."""
    split = importer.import_table(SPLIT)
    assert split.framework.indicators == small.framework.indicators
    assert split.inputs_text == small.inputs_text.replace("small.csv", "split.tsv")
    found = importer.read_entries(importer.read_table(SPLIT))
    a12 = next(e for e in found.entries if e.levels[2].startswith("A12"))
    assert a12.place == "row 3 (continued on row 6)"
    assert [s.split(":")[0] for s in found.skipped] == ["row 5", "row 10"]


def test_gb18030_csv_is_read(tmp_path: Path, small: importer.ImportResult) -> None:
    """A CSV saved by Excel on Chinese Windows (GB18030, not UTF-8) is read the same."""
    path = tmp_path / "gbk.csv"
    path.write_bytes(SMALL.read_text(encoding="utf-8").encode("gb18030"))
    assert importer.import_table(path).framework.indicators == small.framework.indicators


# ---------------------------------------------------------------------- XLSX and DOCX


def _merges(rows: list[list[str]]) -> list[tuple[int, int, int, int]]:
    """Merged ranges (first row, first column, last row, last column), 0-based, for the data
    rows of ``rows`` (from row 2): blank hierarchy cells merge into the cell above, blank deeper
    cells into the indicator's cell on their left, the title and total rows across."""
    width = len(rows[1])
    merges = [(0, 0, 0, width - 1)]
    last = len(rows) - 1
    merges.append((last, 0, last, 4))
    for column in range(3):
        start = None
        for r in range(2, last):
            if rows[r][column]:
                if start is not None and r - 1 > start:
                    merges.append((start, column, r - 1, column))
                start = r
            elif start is not None and any(rows[r][c] for c in range(column + 1, 3)):
                continue
            else:
                if start is not None and r - 1 > start:
                    merges.append((start, column, r - 1, column))
                start = None
        if start is not None and last - 1 > start:
            merges.append((start, column, last - 1, column))
    for r in range(2, last):
        filled = [c for c in range(3) if rows[r][c]]
        if filled and filled[-1] < 2:
            merges.append((r, filled[-1], r, 2))
    return merges


def write_xlsx(path: Path, rows: list[list[str]]) -> None:
    """The small table as an XLSX sheet with merged cells, after a sheet of notes."""
    openpyxl = pytest.importorskip("openpyxl")
    workbook = openpyxl.Workbook()
    notes = workbook.active
    notes.title = "说明"
    notes["A1"] = "本表为示例"
    sheet = workbook.create_sheet("指标")
    for r, row in enumerate(rows, start=1):
        for c, text in enumerate(row, start=1):
            if text:
                number = text if r > 2 and c == 6 else None
                sheet.cell(r, c, value=Decimal(number) if number else text)
    for top, left, bottom, right in _merges(rows):
        sheet.merge_cells(start_row=top + 1, start_column=left + 1, end_row=bottom + 1,
                          end_column=right + 1)
    workbook.save(path)


def write_docx(path: Path, rows: list[list[str]]) -> None:
    """The small table as a Word report: text, a table without a header, the caption, then the
    indicator table with merged cells."""
    docx = pytest.importorskip("docx")
    document = docx.Document()
    document.add_paragraph("一、基本情况")
    other = document.add_table(rows=2, cols=2)
    for r, row in enumerate([["项目", "金额"], ["收入", "100"]]):
        for c, text in enumerate(row):
            other.cell(r, c).text = text
    document.add_paragraph(rows[0][0])
    body = rows[1:]
    table = document.add_table(rows=len(body), cols=len(body[0]))
    for r, row in enumerate(body):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    for top, left, bottom, right in _merges(rows):
        if top == 0:
            continue  # the title is the paragraph above the table
        table.cell(top - 1, left).merge(table.cell(bottom - 1, right))
    document.save(str(path))


def test_xlsx_with_merged_cells(tmp_path: Path, small: importer.ImportResult) -> None:
    """An XLSX table whose hierarchy cells are merged reads as the CSV does."""
    path = tmp_path / "small.xlsx"
    write_xlsx(path, small_rows())
    table = importer.read_table(path)
    assert table.kind == "XLSX sheet 指标"
    assert table.caption == "示例单位整体绩效评价指标（2024 年度）"
    imported = importer.import_table(path)
    assert imported.problems == ()
    assert imported.framework == small.framework
    assert score(imported).total == Decimal(18)


def test_xlsx_sheet_option(tmp_path: Path) -> None:
    """--sheet picks a sheet by name; a sheet without a table or an unknown name is an error."""
    path = tmp_path / "small.xlsx"
    write_xlsx(path, small_rows())
    assert importer.read_table(path, sheet="指标").kind == "XLSX sheet 指标"
    with pytest.raises(importer.TableError, match="no sheet named"):
        importer.read_table(path, sheet="其他")
    with pytest.raises(importer.TableError, match="no header row"):
        importer.import_table(path, sheet="说明")


def test_xlsx_merged_cells_take_the_merged_value(tmp_path: Path) -> None:
    """Every cell of a merged range reads the range's value; hierarchy cells know their origin."""
    path = tmp_path / "small.xlsx"
    write_xlsx(path, small_rows())
    rows = importer.read_table(path).rows
    assert rows[3].cells[0].text == "A 部门决策（10分）"  # A12's row, merged with A11's
    assert rows[3].cells[0].origin == (3, 1)
    assert rows[2].cells[0].origin == (3, 1)


def test_docx_table_with_merged_cells(tmp_path: Path, small: importer.ImportResult) -> None:
    """The indicator table inside a Word report (merged cells) reads as the CSV does."""
    path = tmp_path / "report.docx"
    write_docx(path, small_rows())
    table = importer.read_table(path)
    assert table.kind == "DOCX table 2"
    assert table.caption == "示例单位整体绩效评价指标（2024 年度）"
    imported = importer.import_table(path)
    assert imported.problems == ()
    assert imported.framework == small.framework
    assert score(imported).total == Decimal(18)


def test_docx_table_split_over_pages(tmp_path: Path, small: importer.ImportResult) -> None:
    """A Word table broken into two tables, the header repeated in the second, is read as one."""
    docx = pytest.importorskip("docx")
    rows = small_rows()
    document = docx.Document()
    document.add_paragraph(rows[0][0])
    for part in (rows[1:5], [rows[1], *rows[5:]]):
        table = document.add_table(rows=len(part), cols=len(part[0]))
        for r, row in enumerate(part):
            for c, text in enumerate(row):
                table.cell(r, c).text = text
        document.add_paragraph("")
    path = tmp_path / "pages.docx"
    document.save(str(path))
    table = importer.read_table(path)
    assert table.kind == "DOCX table 1, 2"
    assert table.rows[5].place == "table 2 row 2"
    assert importer.import_table(path).framework == small.framework


def test_docx_without_an_indicator_table(tmp_path: Path) -> None:
    """A Word document with no indicator table is refused, naming the headers looked for."""
    docx = pytest.importorskip("docx")
    document = docx.Document()
    document.add_paragraph("正文")
    document.add_table(rows=1, cols=2).cell(0, 0).text = "项目"
    path = tmp_path / "none.docx"
    document.save(str(path))
    with pytest.raises(importer.TableError, match="一级指标"):
        importer.read_table(path)


# ====================================================================== labels and layouts


@pytest.mark.parametrize(
    ("text", "code", "name", "cap", "bound"),
    [
        ("A 部门决策（15 分）", "A", "部门决策", "15", False),
        ("A1 决策机制（6 分）", "A1", "决策机制", "6", False),
        ("A41 预算编制科学规范（2.5 分）", "A41", "预算编制科学规范", "2.5", False),
        ("B4 政府采购管理 （2分）", "B4", "政府采购管理", "2", False),
        ("C3 重点工作 完成及时率 （10 分）", "C3", "重点工作完成及时率", "10", False),
        ("F 加减分项 （≤5 分）", "F", "加减分项", "5", True),
        ("文件办理率（10分）", None, "文件办理率", "10", False),
        ("E1 信息化建设情况", "E1", "信息化建设情况", None, False),
        ("Ｂ１２ “三公”经费控制率（２分）", "B12", "“三公”经费控制率", "2", False),
        ("一、产出指标(30分)", None, "产出指标", "30", False),
        ("满意度 5分", None, "满意度", "5", False),
    ],
)
def test_read_label(text: str, code: str | None, name: str, cap: str | None, bound: bool) -> None:
    """Codes, names and caps are read from the cell text as published tables write them."""
    label = importer.read_label(text)
    assert label.code == code
    assert label.name == name
    assert label.cap == (Decimal(cap) if cap else None)
    assert label.bound is bound


@pytest.mark.parametrize(
    ("header", "role"),
    [
        ("一级指标", ("level", 1)),
        ("三级指标（参考）", ("level", 3)),
        ("指标名称", ("name", 0)),
        ("指标说明", ("description", 0)),
        ("评价要点", ("criterion", 0)),
        ("评分标准", ("criterion", 0)),
        ("评分细则", ("criterion", 0)),
        ("分值", ("cap", 0)),
        ("分值（分）", ("cap", 0)),
        ("得分", ("score", 0)),
        ("自评得分", ("score", 0)),
        ("未完成指标 原因分析", ("reason", 0)),
        ("扣分原因", ("reason", 0)),
        ("金额", None),
    ],
)
def test_header_names(header: str, role: tuple[str, int] | None) -> None:
    """Header cells are matched flexibly: spacing, remarks in brackets and common synonyms."""
    assert importer._header_role(header) == role


def test_one_name_column_with_codes_and_a_cap_column(tmp_path: Path) -> None:
    """A table with one 指标名称 column places rows by their codes and reads caps from 分值."""
    path = tmp_path / "flat.csv"
    path.write_text(
        "指标名称,分值,评分标准,得分\n"
        "A 决策,10,,\n"
        "A1 制度,10,,\n"
        "A11 制度建立,4,制度建立健全，得4分。,4\n"
        "A12 制度执行,6,制度有效执行，得6分。,6\n",
        encoding="utf-8",
    )
    imported = importer.import_table(path)
    framework = load(imported)
    assert list(framework.codes) == ["A", "A1", "A11", "A12"]
    assert framework["A12"].cap == Decimal(6)
    assert score(imported).total == Decimal(10)


# ====================================================================== unreadable rows


UNREADABLE = "满意度在以上得分，酌情？？"


def write_with_problems(path: Path) -> None:
    """The small table with an unreadable 评价要点 (row 4) and a group whose two leaves give no
    cap (rows 6 and 7)."""
    rows = small_rows()
    rows[3][4] = UNREADABLE
    rows[4:4] = [
        ["", "A3 其他（2分）", "A31 甲", "甲", "甲完成，得1分。", "1", ""],
        ["", "", "A32 乙", "乙", "乙完成，得1分。", "1", ""],
    ]
    rows[2][0] = "A 部门决策（12分）"
    rows[-1][0] = "总分（22分）"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)


def test_unreadable_rows_are_reported_with_their_numbers(tmp_path: Path) -> None:
    """An unreadable phrase and missing caps are listed by row; their indicators are judged."""
    path = tmp_path / "problems.csv"
    write_with_problems(path)
    imported = importer.import_table(path)
    by_row = {(p.number, p.code): p.message for p in imported.problems}
    assert set(by_row) == {(4, "A12"), (5, "A31"), (6, "A32")}
    assert by_row[(4, "A12")].startswith("the 评价要点: ")
    assert by_row[(5, "A31")] == "the cap: neither the cell nor the 分值 column gives one"
    framework = load(imported)  # the file still checks
    for code in ("A12", "A31", "A32"):
        assert isinstance(framework[code].rule, ast.Judged)
    assert imported.text.count("# IMPORT: could not read:") == 3
    assert framework["A12"].criterion == UNREADABLE


def test_unread_rows_keep_their_scores(tmp_path: Path) -> None:
    """The judged indicators of unread rows get the table's 得分 as judgements."""
    path = tmp_path / "problems.csv"
    write_with_problems(path)
    imported = importer.import_table(path)
    data = perfrules.inputs.loads_inputs(imported.inputs_text or "", "yaml")
    assert data.judgements["A12"] == {"score": 1, "reason": "个别制度执行不到位"}


def test_a_row_without_an_indicator_before_any_is_reported(tmp_path: Path) -> None:
    """Text under the header before any indicator row is reported, not silently dropped."""
    path = tmp_path / "stray.csv"
    rows = small_rows()
    rows.insert(2, ["", "", "", "说明文字", "", "", ""])
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    imported = importer.import_table(path)
    assert any(w.startswith("row 3:") and "no indicator" in w for w in imported.warnings)
    assert list(load(imported).codes) == SMALL_CODES


# ====================================================================== the command line


def test_cli_exit_0_when_every_row_is_read(tmp_path: Path) -> None:
    """Exit 0 and both files written when every row is read; the default inputs path is used."""
    rules = tmp_path / "small.rules"
    status, out, err = run("import", str(SMALL), "-o", str(rules))
    assert status == 0, err
    assert err == ""
    assert (tmp_path / "small-inputs.yaml").exists()
    assert f"wrote {rules}: 12 indicators" in out
    assert run("check", str(rules))[0] == 0
    assert run("score", str(rules), str(tmp_path / "small-inputs.yaml"))[0] == 0


def test_cli_writes_into_a_folder(tmp_path: Path) -> None:
    """-o FOLDER writes FOLDER/framework.rules, loadable as that folder."""
    status, _, err = run("import", str(SMALL), "-o", str(tmp_path),
                         "--inputs-out", str(tmp_path / "inputs.yaml"))
    assert status == 0, err
    assert perfrules.load(tmp_path).codes[0] == "A"


def test_cli_exit_1_lists_unread_rows_and_still_writes(tmp_path: Path) -> None:
    """Exit 1 when rows could not be read: they are listed on stderr, the file still checks."""
    path = tmp_path / "problems.csv"
    write_with_problems(path)
    rules = tmp_path / "problems.rules"
    status, out, err = run("import", str(path), "-o", str(rules))
    assert status == 1
    assert "problems.csv: row 4 (A12): could not read: the 评价要点: " in err
    assert "problems.csv: row 5 (A31): could not read: the cap" in err
    assert "3 row(s) could not be read" in err
    assert rules.exists()
    assert "wrote" in out
    assert run("check", str(rules))[0] == 0


@pytest.mark.parametrize(
    "argv",
    [
        ["import"],  # no table
        ["import", "TABLE"],  # no -o
        ["import", "TABLE", "-o", "OUT", "--counting", "sometimes"],
    ],
)
def test_cli_exit_2_for_usage_mistakes(argv: list[str]) -> None:
    """Exit 2 for a missing argument or a bad option."""
    assert run(*argv)[0] == 2


def test_cli_exit_2_when_no_table_can_be_read(tmp_path: Path) -> None:
    """Exit 2, nothing written, for a missing file, an unknown suffix, or no header."""
    out = tmp_path / "out.rules"
    status, _, err = run("import", str(tmp_path / "missing.csv"), "-o", str(out))
    assert status == 2
    assert "no such file" in err
    odd = tmp_path / "table.pdf"
    odd.write_text("x", encoding="utf-8")
    status, _, err = run("import", str(odd), "-o", str(out))
    assert status == 2
    assert "suffix" in err
    headless = tmp_path / "headless.csv"
    headless.write_text("甲,乙\n1,2\n", encoding="utf-8")
    status, _, err = run("import", str(headless), "-o", str(out))
    assert status == 2
    assert "no header row" in err
    status, _, err = run("import", str(SMALL), "-o", str(out), "--grades", "优秀 90")
    assert status == 2
    assert "--grades" in err
    assert not out.exists()


def test_cli_options(tmp_path: Path) -> None:
    """--name, --year, --grades and --counting reach the written framework."""
    rules = tmp_path / "x.rules"
    status, _, err = run("import", str(SMALL), "-o", str(rules), "--name", "测试框架",
                         "--year", "2023", "--grades", "合格 >= 12; 不合格 otherwise",
                         "--counting", "started")
    assert status == 0, err
    framework = perfrules.load(rules)
    assert framework.name == "测试框架"
    assert framework.year == 2023
    assert framework.grades == ("合格", "不合格")
    assert framework.ast.counting is ast.Counting.STARTED


def test_table_without_scores_writes_no_inputs(tmp_path: Path) -> None:
    """A table without a 得分 column gives a rule file only."""
    rows = [row[:5] for row in small_rows()]
    path = tmp_path / "plain.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    imported = importer.import_table(path)
    assert imported.inputs_text is None
    rules = tmp_path / "plain.rules"
    status, out, _ = run("import", str(path), "-o", str(rules))
    assert status == 0
    assert not (tmp_path / "plain-inputs.yaml").exists()
    assert "得分" not in out


# ====================================================================== inputs for every rule kind

KINDS = FIXTURES / "kinds.csv"

#: kinds.csv's 得分, one row per rule kind, each below the cap where the kind allows it.
KINDS_SCORES = {
    "A1": "19",  # proportional: 95% of 20
    "A2": "3",  # bands: the [80%, 90%) band
    "A3": "3.5",  # deduct: 3 problems × 0.5
    "A4": "8",  # levels: 较好
    "A5": "6",  # deviation: 2 points beyond ±5%
    "A6": "2",  # threshold, started steps
    "A7": "2",  # combine sum: two elements of three
    "A8": "7.8",  # threshold, pro rata
    "A9": "4",  # threshold against another input
    "F1": "5",  # awards: 国务院 3 + 省级 2
    "G1": "4",  # penalty deduction: two 通报批评
}


def test_every_rule_kind_gets_inputs_that_give_its_score() -> None:
    """For each rule kind, the produced inputs make the rule itself give the table's 得分."""
    imported = importer.import_table(KINDS)
    assert imported.problems == ()
    assert imported.warnings == ()
    data = perfrules.inputs.loads_inputs(imported.inputs_text or "", "yaml")
    assert data.adjustments == {}
    assert data.judgements == {}
    result = score(imported)
    for code, expected in KINDS_SCORES.items():
        assert result[code].rule_score == Decimal(expected), code
    assert result.total == Decimal("56.3")


def test_grade_phrase_becomes_a_framework_setting(tmp_path: Path) -> None:
    """A 评价要点 that is a veto (一票否优) adds the veto to the framework; its row is judged."""
    path = tmp_path / "veto.csv"
    path.write_text(
        "一级指标,二级指标,评价要点,得分\n"
        "A 决策（10分）,A1 制度（10分）,制度建立健全，得10分。,10\n"
        "B 否决事项（0分）,B1 安全事故（0分）,"
        "发生重大安全生产事故的，实行一票否优，等级不得评为优秀。,\n",
        encoding="utf-8",
    )
    imported = importer.import_table(path)
    assert imported.problems == ()
    framework = load(imported)
    assert [veto.at_most for veto in framework.ast.vetoes] == ["良好"]
    assert isinstance(framework["B1"].rule, ast.Judged)
    assert "states a veto on the grade" in imported.text


# ====================================================================== the documentation


def test_docs_show_the_real_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every line docs/import.md shows for the seed's import is what the import really writes."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "seed-table.tsv").write_bytes(SEED_TABLE.read_bytes())
    status, out, err = run("import", "seed-table.tsv", "-o", "nanjing.rules")
    assert status == 1
    scored = run("score", "nanjing.rules", "nanjing-inputs.yaml")[1]
    real = "\n".join([out, err, scored, (tmp_path / "nanjing.rules").read_text(encoding="utf-8"),
                      (tmp_path / "nanjing-inputs.yaml").read_text(encoding="utf-8")])
    doc = (ROOT / "docs" / "import.md").read_text(encoding="utf-8")
    section = doc[doc.index("## The seed's table"):doc.index("## Limitations")]
    shown = []
    for block in section.split("```")[1::2]:
        for line in block.split("\n")[1:]:
            if line.strip() and "…" not in line and not line.startswith("$") and line != "1":
                shown.append(line)
    assert len(shown) > 60
    missing = [line for line in shown if line not in real.split("\n")]
    assert missing == []
