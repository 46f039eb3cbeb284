"""The published HTML page in a real headless Chromium: screenshot, PDF and the parsed page.

Needs Debian's ``chromium`` (at /usr/bin/chromium, or the path in $PERFRULES_CHROMIUM) and a
CJK font (``fonts-noto-cjk``); the tests skip with the reason when Chromium is absent.
The screenshot is written to $PERFRULES_SCREENSHOT_DIR when that is set, for a person to look at.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

import perfrules
from perfrules import publish

NANJING = Path(__file__).resolve().parent.parent / "frameworks" / "nanjing-2024"
INPUTS = NANJING / "inputs-2024.yaml"
CHROMIUM = os.environ.get("PERFRULES_CHROMIUM", "/usr/bin/chromium")
WIDTH, HEIGHT = 1280, 1800

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(),
    reason=f"headless Chromium not found at {CHROMIUM} (apt-get install chromium fonts-noto-cjk)",
)


def chromium(*arguments: str, profile: Path) -> subprocess.CompletedProcess[bytes]:
    """Run headless Chromium once, isolated (fresh profile, no network use, no sandbox)."""
    command = [
        CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--disable-dev-shm-usage", "--hide-scrollbars",
        f"--user-data-dir={profile}", *arguments,
    ]
    done = subprocess.run(command, capture_output=True, timeout=180, check=False)
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
    return done


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, publish.Table]:
    """The Nanjing unit's published HTML page on disk, with the table it shows."""
    framework = perfrules.load(NANJING)
    table = publish.build(framework, framework.score(perfrules.read_inputs(INPUTS)))
    path = tmp_path_factory.mktemp("html") / "nanjing.html"
    path.write_text(publish.as_html(table), encoding="utf-8")
    return path, table


@pytest.fixture(scope="module")
def screenshot(page: tuple[Path, publish.Table], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A PNG screenshot of the page at 1280×1800 (copied to $PERFRULES_SCREENSHOT_DIR if set)."""
    work = tmp_path_factory.mktemp("screenshot")
    target = work / "nanjing.png"
    chromium(f"--window-size={WIDTH},{HEIGHT}", f"--screenshot={target}", page[0].as_uri(),
             profile=work / "profile")
    keep = os.environ.get("PERFRULES_SCREENSHOT_DIR")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(target, Path(keep) / target.name)
    return target


@pytest.fixture(scope="module")
def pdf(page: tuple[Path, publish.Table], tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """The page printed to PDF by Chromium (its @media print layout, no header or footer)."""
    work = tmp_path_factory.mktemp("pdf")
    target = work / "nanjing.pdf"
    chromium("--no-pdf-header-footer", f"--print-to-pdf={target}", page[0].as_uri(),
             profile=work / "profile")
    return target.read_bytes()


@pytest.fixture(scope="module")
def dom(page: tuple[Path, publish.Table], tmp_path_factory: pytest.TempPathFactory) -> str:
    """The page's DOM as Chromium parsed it (--dump-dom)."""
    work = tmp_path_factory.mktemp("dom")
    done = chromium("--dump-dom", page[0].as_uri(), profile=work / "profile")
    return done.stdout.decode("utf-8")


def decode_png(data: bytes) -> tuple[int, int, int, list[bytearray]]:
    """(width, height, channels, rows of bytes) of an 8-bit, non-interlaced PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    position, chunks, header = 8, [], None
    while position < len(data):
        length, kind = struct.unpack(">I4s", data[position:position + 8])
        body = data[position + 8:position + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            chunks.append(body)
        position += 12 + length
    assert header is not None
    width, height, depth, colour, _, _, interlace = header
    assert depth == 8 and interlace == 0 and colour in (0, 2, 4, 6), header
    channels = {0: 1, 2: 3, 4: 2, 6: 4}[colour]
    raw = zlib.decompress(b"".join(chunks))
    stride = width * channels
    rows: list[bytearray] = []
    previous = bytearray(stride)
    index = 0
    for _ in range(height):
        kind = raw[index]
        line = bytearray(raw[index + 1:index + 1 + stride])
        index += 1 + stride
        if kind == 1:
            for x in range(channels, stride):
                line[x] = (line[x] + line[x - channels]) & 255
        elif kind == 2:
            line = bytearray((a + b) & 255 for a, b in zip(line, previous, strict=True))
        elif kind == 3:
            for x in range(stride):
                left = line[x - channels] if x >= channels else 0
                line[x] = (line[x] + ((left + previous[x]) >> 1)) & 255
        elif kind == 4:
            for x in range(stride):
                a = line[x - channels] if x >= channels else 0
                b = previous[x]
                c = previous[x - channels] if x >= channels else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(line)
        previous = line
    return width, height, channels, rows


def pixels(rows: list[bytearray], channels: int) -> list[tuple[int, int, int]]:
    """Every pixel as (r, g, b), sampling every other row and column to stay quick."""
    out = []
    for line in rows[::2]:
        for x in range(0, len(line), 2 * channels):
            if channels >= 3:
                out.append((line[x], line[x + 1], line[x + 2]))
            else:
                out.append((line[x], line[x], line[x]))
    return out


def visible_text(markup: str) -> str:
    """The text of an HTML document: styles dropped, tags removed, entities decoded."""
    markup = re.sub(r"<style.*?</style>", " ", markup, flags=re.S)
    markup = re.sub(r"<title>.*?</title>", " ", markup, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", markup))


# ------------------------------------------------------------------ screenshot


def test_screenshot_is_not_blank(screenshot: Path) -> None:
    """The screenshot is a full-size PNG with dark text, lines and a good share of ink."""
    width, height, channels, rows = decode_png(screenshot.read_bytes())
    assert (width, height) == (WIDTH, HEIGHT)
    sample = pixels(rows, channels)
    ink = sum(1 for r, g, b in sample if r + g + b < 600)
    dark = sum(1 for r, g, b in sample if r + g + b < 200)
    assert ink / len(sample) > 0.02, "the page is (almost) blank"
    assert dark / len(sample) > 0.002, "no text-dark pixels"
    assert len(set(sample)) > 50, "too few colours for a rendered page"


def test_screenshot_shows_the_bar_chart(screenshot: Path) -> None:
    """The chart's blue score bars (#2f6fb3) are drawn: the SVG rendered inline."""
    _, _, channels, rows = decode_png(screenshot.read_bytes())
    blue = sum(1 for r, g, b in pixels(rows, channels)
               if abs(r - 0x2F) < 12 and abs(g - 0x6F) < 12 and abs(b - 0xB3) < 12)
    assert blue > 1000, f"only {blue} sampled pixels of the bars' blue"


def test_a_cjk_font_is_installed() -> None:
    """A CJK font is installed for Chromium, else Chinese renders as tofu boxes."""
    if shutil.which("fc-list") is None:
        pytest.skip("fontconfig's fc-list is not installed")
    fonts = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True,
                           timeout=60, check=False).stdout
    assert fonts.strip(), "no Chinese font: apt-get install fonts-noto-cjk (Chinese is tofu)"


# ------------------------------------------------------------------ PDF


def test_pdf_prints_on_a4_landscape(pdf: bytes) -> None:
    """Printing gives a PDF on A4 landscape pages (the @media print / @page rules)."""
    assert pdf.startswith(b"%PDF-")
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    assert boxes, "no page boxes in the PDF"
    for width, height in boxes:
        assert float(width) == pytest.approx(841.89, abs=2)
        assert float(height) == pytest.approx(595.28, abs=2)
    assert 1 <= len(boxes) <= 6


def test_pdf_embeds_a_cjk_font(pdf: bytes) -> None:
    """The PDF embeds a CJK font for the Chinese text (not a fallback that has no glyphs)."""
    found = re.findall(rb"/(?:BaseFont|FontName)\s*/([^\s/<>\[\]()]+)", pdf)
    names = {name.decode("latin-1") for name in found}
    assert names, "no fonts in the PDF"
    assert any(re.search(r"CJK|Han|Hei|YaHei|PingFang|SimSun|Song|Ming", n) for n in names), names


# ------------------------------------------------------------------ the parsed page


def test_dom_has_the_total_grade_and_rows(dom: str, page: tuple[Path, publish.Table]) -> None:
    """Chromium's parsed page shows the total 99, the grade 优秀 and every leaf's row."""
    _, table = page
    text = visible_text(dom)
    assert re.search(r"总得分\s+99\s", text)
    assert re.search(r"等次\s+优秀", text)
    assert "总得分（100 分）" in text and "-1" in text
    assert dom.count("<tr data-code=") == len(table.rows) == 32
    for row in table.rows:
        leaf = next(level for level in reversed(row.levels) if isinstance(level, publish.Level))
        assert leaf.text in text, row.code
    assert "内控制度科学性有待进一步提高" in text
    assert "按照“过紧日子”要求压缩了项目经费" in text


def test_dom_keeps_the_rowspans_and_chart(dom: str) -> None:
    """The parsed table keeps the hierarchy's rowspans and the inline SVG chart's six bars."""
    assert re.search(r'<td class="level" rowspan="9">A 部门决策（15 分）</td>', dom)
    assert dom.count('class="track"') == 6
    assert "<script" not in dom
