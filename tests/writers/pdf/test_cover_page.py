"""The PDF's cover page, [pdf] cover_page = true: book.toml's cover alone on page 1, filling the
trim and standing upright in both modes (the vertical edition is laid out on a turned frame),
the title page after it on the next right-hand page, and the folios counting the cover."""

from __future__ import annotations

import io

import pymupdf
import pytest
from PIL import Image

from tests.conftest import run_cli

BOOK = """title = "表紙の試験"
authors = ["試験"]
date = 2026-12-01
slug = "cover"
cover = "images/cover.jpg"
[pdf]
paper = "A5"
cover_page = true
[editions]
formats = ["pdf", "print"]
modes = ["vertical", "horizontal"]
"""

RED, BLUE = (200, 20, 20), (20, 40, 190)


def cover_jpeg() -> bytes:
    """A cover whose upper half is red and lower half blue, so that a turned cover shows."""
    image = Image.new("RGB", (700, 990), RED)
    image.paste(BLUE, (0, 495, 700, 990))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=95)
    return out.getvalue()


@pytest.fixture(scope="module")
def cover_book(tmp_path_factory):
    root = tmp_path_factory.mktemp("cover-page")
    (root / "manuscript" / "images").mkdir(parents=True)
    (root / "manuscript" / "book.toml").write_text(BOOK, encoding="utf-8")
    (root / "manuscript" / "images" / "cover.jpg").write_bytes(cover_jpeg())
    (root / "manuscript" / "01.md").write_text("# 第一章\n\n本文です。\n", encoding="utf-8")
    result = run_cli("build", "--jobs", "1", str(root))
    assert result.returncode == 0, result.stderr
    return root / "build"


def near(colour, expected, tolerance: int = 40) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(colour, expected))


@pytest.mark.slow
@pytest.mark.parametrize("edition", ["", "-print"])
@pytest.mark.parametrize("mode", ["vertical", "horizontal"])
def test_the_cover_fills_the_first_page_upright_and_the_title_page_follows(cover_book, mode, edition):
    document = pymupdf.open(cover_book / f"cover-{mode}{edition}.pdf")
    first = document[0]
    assert first.get_text().strip() == ""
    pixmap = first.get_pixmap(dpi=36)  # as shown: the vertical edition's turn applied
    page = Image.frombytes("RGB", (pixmap.width, pixmap.height), pixmap.samples)
    # The cover is where the page has colour (the print edition's marks are black, its bleed white).
    coloured = page.convert("HSV").split()[1].point(lambda s: 255 if s > 120 else 0)
    left, top, right, bottom = coloured.getbbox()
    trim = 148 / 210
    assert abs((right - left) / (bottom - top) - trim) < 0.03, "the cover does not fill the A5 trim"
    assert abs((right - left) * 72 / 36 - 148 / 25.4 * 72) < 4  # the trim's width, in points
    for x in (0.03, 0.5, 0.97):  # to the trim's edges, red above and blue below: upright
        at = lambda y: page.getpixel((int(left + x * (right - left - 1)), int(top + y * (bottom - top - 1))))
        assert near(at(0.03), RED) and near(at(0.45), RED), (x, mode, at(0.03))
        assert near(at(0.55), BLUE) and near(at(0.97), BLUE), (x, mode, at(0.97))
    assert document[1].get_text().strip() == ""  # the cover's back, so that the title page is a right-hand page
    assert "表紙の試験" in document[2].get_text()


@pytest.mark.slow
def test_the_reader_pdf_tags_the_cover_as_a_figure_with_its_alternative_text(cover_book):
    import pikepdf

    with pikepdf.open(cover_book / "cover-horizontal.pdf") as pdf:
        figures = [element for element in pdf.objects if isinstance(element, pikepdf.Dictionary)
                   and element.get("/S") == pikepdf.Name.Figure]
        assert any(str(element.get("/Alt", "")) == "表紙：表紙の試験" for element in figures), \
            [str(element.get("/Alt")) for element in figures]


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["vertical", "horizontal"])
def test_the_reader_pdf_with_a_cover_page_stays_pdfua1_and_pdfa3a(cover_book, mode):
    from tests.writers.pdf.test_accessibility import structure_faults, validation_failures

    path = cover_book / f"cover-{mode}.pdf"
    assert validation_failures(path, "ua1") == []
    assert validation_failures(path, "3a") == []
    assert structure_faults(path) == []
