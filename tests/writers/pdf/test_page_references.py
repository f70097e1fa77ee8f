"""Cross-references with page numbers, [](#id){.page}: 「第3章（12ページ）」 in the PDFs, the
chapter's label alone in the EPUBs and the web edition.

The PDF is laid out chapter by chapter and joined (writers/pdf/parts.py), so the number a
reference prints must be the joined book's folio of the page its target landed on, even for
targets in later chapters, whose pages are known only after the chapters before them are
laid out. The test reads it three ways and asks them to agree: the number printed in the
text, the page the PDF's named destination of the target id points to, and the folio
printed on that page.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile

import pikepdf
import pymupdf
import pytest

from tests.conftest import run_cli

BOOK = """title = "頁参照の試験"
authors = ["試験"]
date = 2026-12-01
slug = "pages"
chapters = ["01.md", "02.md", "03.md"]
[numbering]
chapters = "第1章"
[pdf]
paper = "A5"
[editions]
formats = ["pdf", "epub", "html"]
modes = ["vertical", "horizontal"]
"""

FILL = "本文の段落です。紙面を送るための文章を長く続けて、章が何枚にもわたるようにする。" * 8

CHAPTERS = {
    "01.md": "# 背景 {#background}\n\n詳しくは[](#method){.page}を、全体は[](#results){.page}参照。\n\n"
             + "\n\n".join([FILL] * 6) + "\n",
    "02.md": "# 経緯\n\n" + "\n\n".join([FILL] * 30) + "\n\n## 方法 {#method}\n\n手順を述べる。\n\n"
             + "\n\n".join([FILL] * 6) + "\n",
    "03.md": "# 結果 {#results}\n\n" + "\n\n".join([FILL] * 4)
             + "\n\n前に戻って[](#background){.page}と[出発点](#method){.page}を見る。\n",
}

REFERENCE = re.compile(r"(第\d章|方法|出発点)\((\d+)ページ\)")  # after NFKC, which makes （ ( 
FOLIO_SIZE = 8.0  # pt, pdf.css and pdf-vertical.css: the folio is the only 8 pt text on a page


@pytest.fixture(scope="module")
def page_book(tmp_path_factory):
    root = tmp_path_factory.mktemp("page-references")
    (root / "manuscript").mkdir()
    (root / "manuscript" / "book.toml").write_text(BOOK, encoding="utf-8")
    for name, text in CHAPTERS.items():
        (root / "manuscript" / name).write_text(text, encoding="utf-8")
    result = run_cli("build", "--jobs", "1", str(root))
    assert result.returncode == 0, result.stderr
    return root / "build"


def folio(page: pymupdf.Page) -> int | None:
    numbers = [span["text"].strip() for block in page.get_text("dict")["blocks"] for line in block.get("lines", [])
               for span in line["spans"] if abs(span["size"] - FOLIO_SIZE) < 0.2 and span["text"].strip().isdigit()]
    assert len(numbers) <= 1, numbers
    return int(numbers[0]) if numbers else None


def destination_pages(path) -> dict[str, int]:
    """The named destinations of the PDF: id → page (from 1)."""
    with pikepdf.open(path) as pdf:
        pages = {page.obj.objgen: number for number, page in enumerate(pdf.pages, 1)}
        names = list(pdf.Root.Names.Dests.Names)
        return {str(name): pages[destination[0].objgen] for name, destination in zip(names[0::2], names[1::2])}


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["vertical", "horizontal"])
def test_page_references_print_the_folio_of_their_targets_page(page_book, mode):
    path = page_book / f"pages-{mode}.pdf"
    document = pymupdf.open(path)
    # NFKC: the vertical edition sets a single digit full-width and upright (第３章).
    texts = [re.sub(r"\s+", "", unicodedata.normalize("NFKC", page.get_text())) for page in document]
    printed = [(label, int(number)) for text in texts for label, number in REFERENCE.findall(text)]
    assert [label for label, _ in printed] == ["方法", "第3章", "第1章", "出発点"], printed
    targets = destination_pages(path)
    expected = {"方法": "method", "第3章": "results", "第1章": "background", "出発点": "method"}
    for label, number in printed:
        page = targets[expected[label]]
        assert number == page, f"{label}（{number}ページ） but its target is on page {page} of the joined PDF"
        shown = folio(document[page - 1])
        # A chapter's first page carries its folio too (only the title page and contents do not).
        assert shown == number, f"{label}（{number}ページ） but that page's folio reads {shown}"
    assert targets["background"] < targets["method"] < targets["results"], targets  # forward and backward


@pytest.mark.slow
def test_editions_without_pages_print_the_label_alone(page_book):
    with zipfile.ZipFile(page_book / "pages-horizontal.epub") as archive:
        first = archive.read("EPUB/chapter-001.xhtml").decode()
    assert "第2章" not in first  # the section's title, not its chapter, is what [](#method) prints
    assert re.search(r'<a [^>]*class="page-reference xref"[^>]*>方法</a>を', first), first
    assert "ページ）" not in first
    web = (page_book / "pages.html").read_text(encoding="utf-8")
    assert ">第3章</a>参照" in web and "ページ）" not in web
