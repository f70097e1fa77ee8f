"""An author's own @font-face font in the vertical PDF: derived for the turned frame like the
bundled fonts (kanji upright), or a path:line error when it cannot set vertical text."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pymupdf
import pytest

from reportpub.typography.fonts import find_face
from reportpub.writers.pdf.author_fonts import with_punctuation_twins
from tests.conftest import run_cli

FACE_CSS = """/* the author's own font */
@font-face {
  font-family: "Author Gothic";
  src: url("../fonts/%s");
}
body { font-family: "Author Gothic"; }
"""
CHAPTER = "# 章\n\n一二三の「街」は、ひらがなとカタカナで書いた文章です。\n"


def _project(make_project, font: Path, name: str, chapter: str = CHAPTER, more_css: str = "") -> Path:
    root = make_project({"01.md": chapter}, name=name, files={"styles/font.css": FACE_CSS % font.name + more_css})
    (root / "fonts").mkdir()
    shutil.copy(font, root / "fonts" / font.name)
    return root


def test_an_authors_cjk_font_is_derived_for_the_vertical_pdf(make_project):
    root = _project(make_project, find_face("Noto Sans CJK JP").path, "own-font")
    result = run_cli("build", "--only", "pdf", "--mode", "vertical", str(root))
    assert result.returncode == 0, result.stderr
    document = pymupdf.open(next((root / "build").glob("*-vertical.pdf")))
    page = next(p for p in document if "文章" in p.get_text())
    assert any("Author-Gothic" in font[3] for font in page.get_fonts())
    page.set_rotation(0)  # the frame the page was laid out in, before its quarter turn
    spans = [s for b in page.get_text("rawdict")["blocks"] for line in b.get("lines", []) for s in line["spans"]]
    stroke = next(c for s in spans if "Author-Gothic" in s["font"] for c in s["chars"] if c["c"] == "一")
    pixmap = page.get_pixmap(dpi=600, clip=pymupdf.Rect(stroke["bbox"]), colorspace=pymupdf.csGRAY)
    ink = [(x, y) for y in range(pixmap.height) for x in range(pixmap.width) if pixmap.pixel(x, y)[0] < 128]
    width = max(x for x, _ in ink) - min(x for x, _ in ink)
    height = max(y for _, y in ink) - min(y for _, y in ink)
    # 一 is a horizontal stroke on the turned page: set upright, it runs across the frame's lines.
    assert height > 3 * width, (width, height)


def _latin_font(path: Path) -> Path:
    """A small real TrueType font with Latin glyphs only (no vertical forms)."""
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.ttGlyphPen import TTGlyphPen

    def box():
        pen = TTGlyphPen(None)
        pen.moveTo((100, 0)), pen.lineTo((100, 700)), pen.lineTo((500, 700)), pen.lineTo((500, 0)), pen.closePath()
        return pen.glyph()

    builder = FontBuilder(1000, isTTF=True)
    builder.setupGlyphOrder([".notdef", "A"])
    builder.setupCharacterMap({ord("A"): "A"})
    builder.setupGlyf({".notdef": box(), "A": box()})
    builder.setupHorizontalMetrics({".notdef": (600, 100), "A": (600, 100)})
    builder.setupHorizontalHeader(ascent=880, descent=-120)
    builder.setupNameTable({"familyName": "Latin Only", "styleName": "Regular"})
    builder.setupOS2(sTypoAscender=880, sTypoDescender=-120, usWinAscent=880, usWinDescent=120)
    builder.setupPost()
    builder.save(str(path))
    return path


def test_an_authors_font_that_cannot_set_vertical_text_is_a_path_line_error(make_project, tmp_path):
    latin = _latin_font(tmp_path / "latin.ttf")
    root = _project(make_project, latin, "latin-font")
    result = run_cli("build", "--only", "pdf", "--mode", "vertical", str(root))
    assert result.returncode == 1
    assert f"styles/font.css:4: font 'Author Gothic' cannot set vertical text: {latin.name} has no vertical forms" \
        in result.stderr
    assert "Traceback" not in result.stderr
    assert not list((root / "build").glob("*-vertical.pdf"))


def _family_collection(path: Path, text: str) -> Path:
    """A collection of two faces of one family, regular and bold (Noto Sans CJK JP subset to
    ``text``, vertical forms kept), as a type foundry ships a family in one .ttc."""
    from fontTools.ttLib import TTCollection

    collection = TTCollection()
    collection.fonts = [_subset_face(pattern, text) for pattern in ("Noto Sans CJK JP", "Noto Sans CJK JP:bold")]
    collection.save(str(path))
    return path


def _subset_face(pattern: str, text: str):
    """A system face subset to ``text``, its layout features (vertical forms, halt) kept."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    face = find_face(pattern)
    font = TTFont(face.path, fontNumber=face.index)
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=text)
    subsetter.subset(font)
    return font


def test_every_style_of_an_authors_font_collection_is_derived(make_project, tmp_path):
    """A .ttc holding a family's regular and bold faces: the bold text of the vertical PDF is set
    in the bold face's derived copy, not in a regular one made bold."""
    chapter = "# 章\n\n一二三の「街」は、**太字の文章**と普通の文章です。\n"
    collection = _family_collection(tmp_path / "family.ttc", chapter + "章太字普通" + "".join(map(chr, range(0x20, 0x7f))))
    root = _project(make_project, collection, "family-font", chapter,
                    'strong { font-family: "Author Gothic"; font-weight: 700; }\n')
    result = run_cli("build", "--only", "pdf", "--mode", "vertical", str(root))
    assert result.returncode == 0, result.stderr
    document = pymupdf.open(next((root / "build").glob("*-vertical.pdf")))
    page = next(p for p in document if "太字" in p.get_text())
    spans = [s for b in page.get_text("dict")["blocks"] for line in b.get("lines", []) for s in line["spans"]]
    bold = {s["font"] for s in spans if "太字" in s["text"]}
    plain = {s["font"] for s in spans if "普通" in s["text"]}
    assert any("Author-Gothic-Bold" in font for font in bold), bold
    assert any("Author-Gothic" in font and "Bold" not in font for font in plain), plain


# ----------------------------------------------------------------- horizontal PDF: punctuation
PAIRS_CHAPTER = "# 章\n\n彼は「行こう。」と言い、「待って」と答えた（「急ぐな」の意）。**太字は「強く。」と**書く。\n"
PAIR_TEXT = PAIRS_CHAPTER + "章太字" + "".join(map(chr, range(0x20, 0x7f)))


def _truetype(font):
    """The font with its CFF outlines drawn again as TrueType quadratic outlines (a .ttf)."""
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import newTable

    glyph_order, glyph_set = font.getGlyphOrder(), font.getGlyphSet()
    glyphs = {}
    for name in glyph_order:
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
        glyphs[name] = pen.glyph()
    del font["CFF "]
    if "VORG" in font:
        del font["VORG"]
    font["loca"], font["glyf"] = newTable("loca"), newTable("glyf")
    font["glyf"].glyphOrder, font["glyf"].glyphs = glyph_order, glyphs
    maxp = font["maxp"] = newTable("maxp")
    maxp.tableVersion = 0x00010000
    for field in ("maxZones", "maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs",
                  "maxStackElements", "maxSizeOfInstructions", "maxComponentElements", "maxComponentDepth"):
        setattr(maxp, field, 1 if field == "maxZones" else 0)
    font["head"].indexToLocFormat = font["head"].glyphDataFormat = 0
    font["post"].formatType, font["post"].extraNames, font["post"].mapping = 2.0, [], {}
    font.sfntVersion = "\0\1\0\0"
    return font


def _author_font(kind: str, directory: Path) -> Path:
    """A real CJK font of each kind an author may declare: OpenType (CFF), TrueType, and a
    collection of a regular and a bold face."""
    if kind == "ttc":
        return _family_collection(directory / "family.ttc", PAIR_TEXT)
    font = _subset_face("Noto Sans CJK JP", PAIR_TEXT)
    path = directory / f"author.{kind}"
    (_truetype(font) if kind == "ttf" else font).save(str(path))
    return path


@pytest.mark.parametrize("kind", ["otf", "ttf", "ttc"])
def test_an_authors_font_closes_up_consecutive_punctuation_in_the_horizontal_pdf(make_project, tmp_path, kind):
    """。」 、「 （「 in an author's @font-face font take one and a half ems in the horizontal PDF
    (the half-width form of the author's own mark, its advance read back from the PDF), in
    each face of a collection, while marks beside kanji and kana keep their em."""
    font = _author_font(kind, tmp_path)
    root = _project(make_project, font, f"own-punctuation-{kind}", PAIRS_CHAPTER,
                    'strong { font-family: "Author Gothic", sans-serif; font-weight: 700; }\n')
    document = _pairs_closed_up_in_the_authors_font(root)
    if kind == "ttc":  # the bold text's marks (among the pairs above) from the bold face's twin
        fonts = subprocess.run(["pdffonts", str(document.name)], capture_output=True, text=True, check=True).stdout
        assert "RP-Punctuation-Author-Gothic-Bold" in fonts, fonts


def test_the_font_shorthand_names_the_punctuation_twin_too(make_project, tmp_path):
    """``font: 9.5pt/1.75 "Author Gothic", serif`` on body (the shorthand's family list, which
    overrides the earlier font-family) gets the twin before the family, as font-family does:
    without it the author's marks were set full-width."""
    root = _project(make_project, _author_font("otf", tmp_path), "own-punctuation-shorthand", PAIRS_CHAPTER,
                    'body { font: 9.5pt/1.75 "Author Gothic", serif; }\n')
    _pairs_closed_up_in_the_authors_font(root)


def _pairs_closed_up_in_the_authors_font(root: Path):
    """Build the horizontal PDF and check, on the page of the pairs, that 。」 、「 （「 take one
    and a half ems and 」 before kana its em, the marks in the twin of the author's font (not
    Noto); the PDF document."""
    result = run_cli("build", "--only", "pdf", "--mode", "horizontal", str(root))
    assert result.returncode == 0, result.stderr
    document = pymupdf.open(next((root / "build").glob("*-horizontal.pdf")))
    page = next(p for p in document if "急ぐな" in p.get_text())
    assert any("Author-Gothic" in font[3] for font in page.get_fonts()), page.get_fonts()
    chars = [(c["c"], c["bbox"][2] - c["bbox"][0], span["size"], span["font"])
             for block in page.get_text("rawdict")["blocks"] for line in block.get("lines", [])
             for span in line["spans"] for c in span["chars"]]
    text = "".join(c for c, *_ in chars)
    widths = {}
    for (a, width_a, size, _), (b, width_b, _, _) in zip(chars, chars[1:]):
        if a + b in ("。」", "、「", "」と"):
            widths.setdefault(a + b, []).append(width_a / size)
        if a + b == "（「":
            widths.setdefault(a + b, []).append(width_b / size)
    assert widths.get("。」") and widths.get("、「") and widths.get("（「"), text
    for pair in ("。」", "、「", "（「"):
        assert all(abs(w - 0.5) < 0.02 for w in widths[pair]), (pair, widths[pair])
    assert all(abs(w - 1) < 0.02 for w in widths["」と"]), widths["」と"]
    # The marks are the author's: their font is the twin derived from it (in the bold text too).
    mark_fonts = {font for c, _, _, font in chars if c in "。」「（"}
    assert all("Noto" not in font for font in mark_fonts), mark_fonts
    return document


def test_font_shorthands_name_the_twin_before_the_family():
    twins = {"MyFont", "Author Gothic"}
    assert with_punctuation_twins('body { font: italic bold 16px/1.5 "MyFont", serif; }', twins) == (
        'body { font: italic bold 16px/1.5 "RP Punctuation MyFont", "MyFont", serif; }')
    assert with_punctuation_twins("p{font:small-caps 700 medium Author Gothic !important}", twins) == (
        'p{font:small-caps 700 medium "RP Punctuation Author Gothic", Author Gothic !important}')
    for css in ("p { font: caption; }", "p { font: 1.2em var(--body); }", "p { font-size: 12px; }"):
        assert with_punctuation_twins(css, twins) == css


def test_an_authors_derived_fonts_are_kept_for_the_next_build(make_project, tmp_path):
    """The derived copies of an author's font (each face of a collection, and the collection)
    were pruned at the end of the very build that made them, since only the theme's faces counted
    as used: every vertical build derived them again. They stay, and the next build takes them."""
    from fontTools.ttLib import TTFont

    root = _project(make_project, _author_font("ttc", tmp_path), "own-font-kept")
    fonts = root / "build" / ".cache" / "fonts"

    def authors_derived() -> dict[str, int]:
        found = {}
        for path in fonts.glob("vertical-*"):
            if path.suffix == ".sha256":
                continue
            members = [TTFont(path, fontNumber=0, lazy=True)] if path.suffix == ".ttc" else [TTFont(path, lazy=True)]
            if any("Author Gothic" in member["name"].getDebugName(1) for member in members):
                found[path.name] = path.stat().st_mtime_ns
        return found

    assert run_cli("build", "--only", "pdf", "--mode", "vertical", "--jobs", "1", str(root)).returncode == 0
    first = authors_derived()
    assert len(first) == 3 and sum(name.endswith(".ttc") for name in first) == 1, first  # two faces, one collection
    assert run_cli("build", "--force", "--only", "pdf", "--mode", "vertical", "--jobs", "1", str(root)).returncode == 0
    assert authors_derived() == first  # the same files, not derived again
