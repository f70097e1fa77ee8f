"""Page make-up of the PDFs, read back from books built to provoke each fault: notes on the
page of their call, figures and tables at the head of a page without stranding pages, and
nothing printed over anything else, in both writing modes."""

from __future__ import annotations

import datetime as dt
import struct
import zlib
from pathlib import Path

import pytest

from tests.conftest import book_toml, run_cli
from tests.writers.pdf.page_make_up import chapter_pages, largest_gap, overprints, read_pages, text_block

SENTENCES = [
    "北朝鮮軍の派遣は、ロシアとの軍事協力が新しい段階に入ったことを示しています。",
    "前線の状況は日々変化しており、報道の内容も時期によって大きく異なります。",
    "専門家の多くは、この協力関係が長期にわたって続くと見ています。",
    "兵士の訓練や装備の供与については、まだ分からないことが多く残されています。",
    "国際社会の反応は一様ではなく、各国の立場の違いが表れています。",
    "この章では、公開された資料をもとに、その経緯を順に追っていきます。",
    "数字の多くは推計であり、出典によって幅があることに注意が必要です。",
    "現地からの報告は限られており、確認の取れない情報も含まれています。",
]


def book(number: str, slug: str) -> str:
    return book_toml(title="組版の試験", authors=["試験 太郎"], date=dt.date(2026, 12, 1), version="1.0",
                     identifier=f"urn:uuid:00000000-0000-4000-8000-0000000000{number}", slug=slug, pdf={"paper": "A5"},
                     formats=["pdf", "print"], modes=["vertical", "horizontal"])


def paragraph(n: int, sentences: int) -> str:
    return "".join(SENTENCES[(n + i) % len(SENTENCES)] for i in range(sentences))


def png(width: int, height: int, bars: bool = False) -> bytes:
    """A light image with a dark frame (and dark bars, for a chart)."""
    rows = []
    for y in range(height):
        row = bytearray()
        for x in range(width):
            edge = x < 4 or y < 4 or x >= width - 4 or y >= height - 4
            bar = bars and (x // 40) % 2 == 1 and y > height * (0.2 + 0.2 * ((x // 80) % 3))
            row += bytes((40, 40, 40) if edge or bar else (200, 210, 225))
        rows.append(b"\0" + bytes(row))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"".join(rows), 9)) + chunk(b"IEND", b""))


def notes_chapters() -> dict[str, str]:
    """Notes every paragraph or two, three on one line, some long, a note on a chapter's last
    line, and headings between them."""
    chapters, number = {}, 0
    for c in range(3):
        parts, notes = [f"# 第{c + 1}章　注の多い章"], []
        for p in range(12 + 3 * c):
            text = paragraph(p + c, 2 + (p * 7 + c) % 4)
            calls = ""
            for _ in range((3 if p % 4 == 0 else 1) if (p + c) % 3 else 0):
                number += 1
                long = number % 7 == 3
                notes.append(f"[^n{number}]: 出典の記事によります。"
                             + "この点については、複数の報道が異なる数字を伝えており、" * (8 if long else 0)
                             + f"注{number}の本文です。")
                calls += f"[^n{number}]"
            cut = len(text) // 2
            parts.append(text[:cut] + calls + text[cut:])
            if p == 5:
                parts.append(f"## 節{c + 1}の二")
        number += 1
        parts.append(paragraph(c, 3) + f"これで章を終えます。[^n{number}]")  # a note on the chapter's last line
        notes.append(f"[^n{number}]: 章の最後の注です。")
        chapters[f"{c + 1:02d}.md"] = "\n\n".join(parts + notes) + "\n"
    return chapters


TABLE = ("Table: 主な出来事\n\n| 時期 | 出来事 |\n| --- | --- |\n"
         + "".join(f"| 2024年{m}月 | {SENTENCES[m % 8][:30]} |\n" for m in range(1, 5)))
SMALL_TABLE = "Table: 小さな表\n\n| 項目 | 値 |\n| --- | --- |\n| 兵力 | 一万 |\n| 期間 | 三か月 |\n"
CODE = "```\nfor unit in units:\n    print(unit.name, unit.size)\n```\n"


def islands_chapters() -> dict[str, str]:
    """Figures wide, tall, square and small, a chart, a table right after a heading, islands
    in a row, code, and notes near islands."""
    first = [
        "# 第1章　図の多い章", paragraph(0, 6), paragraph(1, 5), "![横長の図](images/wide.png)",
        paragraph(2, 6) + "[^a]", paragraph(3, 4), "![縦長の図](images/tall.png)", paragraph(4, 5),
        paragraph(5, 6), "![正方形の図](images/square.png)", paragraph(6, 6), paragraph(7, 3),
        "## 表の節", TABLE, paragraph(0, 5), paragraph(1, 6), "![棒グラフ](images/chart.png)", SMALL_TABLE,
        paragraph(2, 6) + "[^b]", paragraph(3, 6), CODE, paragraph(4, 6), paragraph(5, 5),
        "![小さな図](images/small.png)", paragraph(6, 4),
        "[^a]: 図の近くに置いた注です。", "[^b]: 二つの島の後の注です。",
    ]
    second = [
        "# 第2章　短い章", paragraph(2, 4), "## 表がすぐ続く節", SMALL_TABLE, paragraph(3, 3) + "[^c]",
        "![横長の図](images/wide.png)", paragraph(4, 8), paragraph(5, 8), paragraph(6, 4),
        "[^c]: 章の終わり近くの注です。",
    ]
    return {"01.md": "\n\n".join(first) + "\n", "02.md": "\n\n".join(second) + "\n"}


ISLAND_IMAGES = {"wide.png": (900, 300, False), "tall.png": (300, 900, False), "square.png": (500, 500, False),
                 "chart.png": (800, 500, True), "small.png": (240, 160, False)}


@pytest.fixture(scope="module")
def notes_book(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("pageflow") / "notes"
    (root / "manuscript").mkdir(parents=True)
    (root / "manuscript" / "book.toml").write_text(book("31", "notes"), encoding="utf-8")
    for name, text in notes_chapters().items():
        (root / "manuscript" / name).write_text(text, encoding="utf-8")
    result = run_cli("build", str(root), "--jobs", "1")
    assert result.returncode == 0, result.stderr
    return root / "build"


@pytest.fixture(scope="module")
def islands_book(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("pageflow") / "islands"
    (root / "manuscript" / "images").mkdir(parents=True)
    (root / "manuscript" / "book.toml").write_text(book("32", "islands"), encoding="utf-8")
    for name, text in islands_chapters().items():
        (root / "manuscript" / name).write_text(text, encoding="utf-8")
    for name, (width, height, bars) in ISLAND_IMAGES.items():
        (root / "manuscript" / "images" / name).write_bytes(png(width, height, bars))
    result = run_cli("build", str(root), "--jobs", "1")
    assert result.returncode == 0, result.stderr
    return root / "build"


MODES = ["vertical", "horizontal"]


def notes_away_from_their_calls(pages) -> list[str]:
    return [f"p{page.number}: 注{n}, called on another page" for page in pages for n in page.notes
            if n not in page.calls]


def stranded(pages, limit: float) -> list[str]:
    """Pages other than a chapter's last with more than ``limit`` of the text block left empty."""
    block = text_block(pages)
    found = []
    for chapter in chapter_pages(pages):
        for page in chapter[:-1]:
            gap = largest_gap(page, block)
            if gap > limit:
                found.append(f"p{page.number}: {gap:.0%} of the page empty")
    return found


@pytest.mark.parametrize("mode", MODES)
def test_every_note_is_on_the_page_of_its_call(notes_book, mode):
    pages = read_pages(notes_book / f"notes-{mode}.pdf")
    notes = [n for page in pages for n in page.notes]
    assert len(notes) > 40 and sorted(notes) == list(range(1, len(notes) + 1))  # every note, once
    assert notes_away_from_their_calls(pages) == []


@pytest.mark.parametrize("mode", MODES)
def test_notes_stand_with_body_text_and_never_in_the_back_matter(notes_book, mode):
    pages = read_pages(notes_book / f"notes-{mode}.pdf")
    chapters = chapter_pages(pages)
    body_pages = {page.number for chapter in chapters for page in chapter}
    assert [page.number for page in pages if page.notes and page.number not in body_pages] == []
    # each chapter's last note (called on its last line) is on its last page
    for chapter in chapters:
        assert chapter[-1].notes and max(chapter[-1].notes) == max(n for page in chapter for n in page.notes)


@pytest.mark.parametrize("mode", MODES)
def test_notes_strand_no_page(notes_book, mode):
    """A note that does not fit takes its call's line to the next page, so the page it leaves
    ends early by what the note needs. Notes are not split across pages, so a long note may
    leave a little more than a quarter of a page: a third is the bound held here."""
    pages = read_pages(notes_book / f"notes-{mode}.pdf")
    assert stranded(pages, 1 / 3) == []
    assert [o for page in pages for o in overprints(page)] == []


@pytest.mark.parametrize("mode", MODES)
def test_islands_strand_no_page(islands_book, mode):
    """A figure or table that does not fit in what is left of a page goes to the head of the
    next one while the text fills the page it left: no page but a chapter's last is left more
    than a quarter empty."""
    pages = read_pages(islands_book / f"islands-{mode}.pdf")
    assert sum(len([i for i in page.items if i.kind == "image"]) for page in pages) == 6  # every figure, once
    assert stranded(pages, 1 / 4) == []


@pytest.mark.parametrize("mode", MODES)
def test_nothing_is_printed_over_an_island(islands_book, mode):
    """Running heads, page numbers, note rules and notes keep clear of figures, and tables of
    text, in the reader and the print edition."""
    for name in (f"islands-{mode}.pdf", f"islands-{mode}-print.pdf"):
        pages = read_pages(islands_book / name)
        assert [o for page in pages for o in overprints(page)] == [], name
        assert notes_away_from_their_calls(pages) == [], name


@pytest.mark.parametrize("mode", MODES)
def test_an_island_that_fits_stays_on_the_page_of_its_heading(islands_book, mode):
    """A table right after a heading, with room left on the page, is set on that page (in the
    vertical PDF narrower if it must), not alone on the next."""
    pages = read_pages(islands_book / f"islands-{mode}.pdf")

    def page_of(text: str) -> list[int]:
        return [page.number for page in pages if any(text in i.text for i in page.items if i.kind == "text")]

    heading = page_of("表がすぐ続く節")[-1]  # the contents list names it too
    assert heading in page_of("小さな表")


def test_vertical_islands_stand_at_the_head_of_the_page_and_within_it(islands_book):
    """In the vertical PDF every figure starts at the head (天) of the text block, the frame's
    left, and none runs out of the text block: a figure longer than a column is scaled to it."""
    pages = read_pages(islands_book / "islands-vertical.pdf")
    x0, y0, x1, y1 = text_block(pages)
    images = [i.box for page in pages for i in page.items if i.kind == "image"]
    assert images and all(abs(box[0] - x0) < 3 for box in images), images
    leading = 5  # pt: the text block is read from glyphs, which stand half a leading inside their lines
    assert all(box[2] <= x1 + 1 and box[1] >= y0 - leading and box[3] <= y1 + leading for box in images), images
