"""book.toml's [fonts]: the serif and sans families of every edition.

A book that asks for Noto Serif CJK SC and Noto Sans CJK KR (system families whose glyphs for
some kanji differ from the theme's Noto CJK JP) is built in every edition and read back: the
horizontal PDF embeds the chosen fonts and no JP face, the vertical PDF's derived fonts are
drawn from the chosen faces (the outline of 骨 is the SC face's, not the JP face's), and the
EPUB and web stylesheets name the chosen families. A family found nowhere is a book.toml:line
error."""

from __future__ import annotations

import re
import subprocess
import zipfile

import pytest
from fontTools.pens.recordingPen import RecordingPen
from fontTools.ttLib import TTFont

from reportpub.typography.fonts import find_face
from tests.conftest import run_cli

BOOK = """title = "書体の試験"
authors = ["試験"]
date = 2026-12-01
slug = "fonts"
[fonts]
serif = "Noto Serif CJK SC"
sans = "Noto Sans CJK KR"
[editions]
formats = ["pdf", "epub", "html"]
modes = ["vertical", "horizontal"]
"""


@pytest.fixture(scope="module")
def fonts_book(tmp_path_factory):
    root = tmp_path_factory.mktemp("fonts")
    (root / "manuscript").mkdir()
    (root / "manuscript" / "book.toml").write_text(BOOK, encoding="utf-8")
    (root / "manuscript" / "01.md").write_text("# 骨の章\n\n骨と直の字形は国で違う。**強調**もある。\n", encoding="utf-8")
    result = run_cli("build", "--jobs", "1", str(root))
    assert result.returncode == 0, result.stderr
    return root


def embedded_fonts(pdf) -> set[str]:
    """The PDF's font names without their subset prefix (pdffonts)."""
    lines = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    return {line.split()[0].split("+", 1)[-1] for line in lines}


def outline(font: TTFont, character: str) -> list[str]:
    """The drawing operations of a character's glyph (a turned copy draws the same ones)."""
    pen = RecordingPen()
    font.getGlyphSet()[font.getBestCmap()[ord(character)]].draw(pen)
    return [operation for operation, _ in pen.value]


@pytest.mark.slow
def test_the_horizontal_pdf_sets_the_chosen_families(fonts_book):
    fonts = embedded_fonts(fonts_book / "build" / "fonts-horizontal.pdf")
    assert {"Noto-Serif-CJK-SC", "Noto-Sans-CJK-KR", "Noto-Sans-CJK-KR-Bold"} <= fonts, fonts
    assert not [name for name in fonts if "JP" in name], fonts


@pytest.mark.slow
def test_the_vertical_pdf_derives_its_fonts_from_the_chosen_faces(fonts_book):
    fonts = embedded_fonts(fonts_book / "build" / "fonts-vertical.pdf")
    assert "RP-Vertical-Serif" in fonts and not [name for name in fonts if "JP" in name], fonts
    derived = {}
    for path in (fonts_book / "build" / ".cache" / "fonts").glob("vertical-*.otf"):
        font = TTFont(path, lazy=True)
        derived[font["name"].getDebugName(1)] = font
    chosen, theme = (TTFont(face.path, fontNumber=face.index, lazy=True)
                     for face in (find_face("Noto Serif CJK SC"), find_face("Noto Serif CJK JP")))
    assert outline(chosen, "骨") != outline(theme, "骨")  # the test tells the two faces apart
    assert outline(derived["RP Vertical Serif 400"], "骨") == outline(chosen, "骨")


@pytest.mark.slow
def test_the_epub_and_web_stylesheets_name_the_chosen_families(fonts_book):
    with zipfile.ZipFile(fonts_book / "build" / "fonts-vertical.epub") as archive:
        css = "".join(archive.read(name).decode() for name in archive.namelist() if name.endswith(".css"))
    web = (fonts_book / "build" / "fonts.html").read_text(encoding="utf-8")
    for text in (css, web):
        assert '"Noto Serif CJK SC"' in text and '"Noto Sans CJK KR"' in text
        assert '"Noto Serif CJK JP"' not in text and '"Noto Sans CJK JP"' not in text


def test_a_family_found_nowhere_is_an_error_at_its_line(make_project):
    root = make_project({"01.md": "# 章\n\n本文。\n"}, book=BOOK.replace("Noto Sans CJK KR", "Nowhere Gothic"))
    result = run_cli("check", str(root))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip() == (
        "manuscript/book.toml:7: [fonts] sans font 'Nowhere Gothic' is not found: it is neither installed on this "
        "machine (fc-list) nor declared with @font-face in a stylesheet in styles/")


def test_a_project_font_declared_in_styles_may_be_chosen(make_project):
    sheet = '@font-face { font-family: "Project Mincho"; src: url("../fonts/mincho.otf"); }\n'
    root = make_project({"01.md": "# 章\n\n本文。\n"}, book=BOOK.replace("Noto Serif CJK SC", "Project Mincho"),
                        files={"styles/fonts.css": sheet})
    result = run_cli("check", str(root))
    assert "Project Mincho" not in result.stderr, result.stderr


def test_the_fonts_digest_is_of_the_chosen_system_family():
    """A family book.toml chose is part of the fonts' digest that cached parts are keyed on: its
    file is what the editions are set in, so its change (a font update) must rebuild them."""
    from reportpub.config import FontsConfig
    from reportpub.digests import fonts_digest
    from reportpub.typography.fonts import installed_text_font_files

    chosen = FontsConfig(serif="DejaVu Serif")
    files = installed_text_font_files(chosen)
    assert find_face("DejaVu Serif").path in files and find_face("DejaVu Serif:bold").path in files
    assert find_face("Noto Serif CJK JP").path not in files  # the theme's serif is set in no edition
    assert find_face("Noto Sans CJK JP").path in files  # the role book.toml left to the theme
    assert fonts_digest(chosen) != fonts_digest(FontsConfig())
    assert fonts_digest(FontsConfig()) == fonts_digest()
