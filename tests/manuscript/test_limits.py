"""Absurd or slipped manuscripts: a limit or a path:line error, never an internal error, a
build that runs for hours, or text lost without a word."""

import io

import pytest
from PIL import Image

from reportpub.build import read_book
from reportpub.diagnostics import ReportpubError
from reportpub.manuscript.limits import MAX_NESTING, MAX_PARAGRAPH_CHARACTERS
from reportpub.project import Project


def error_lines(root) -> list[str]:
    with pytest.raises(ReportpubError) as info:
        read_book(Project.open(root))
    return [str(d) for d in info.value.diagnostics]


TOO_DEEP = (f"nested more than {MAX_NESTING} levels deep (blockquotes, lists or raw HTML inside each other); "
            "flatten the structure")


@pytest.mark.parametrize("name, text, line", [
    ("160 blockquotes", "# 引用\n\n本文。\n\n" + "> " * 160 + "深い引用\n", 5),
    ("1000 list levels", "# 入れ子\n\n" + "".join("    " * i + "- 項目\n" for i in range(1000)), 3 + MAX_NESTING + 1),
    ("10,000 spans", "# span\n\n" + "<span>" * 10000 + "文" + "</span>" * 10000 + "\n", 3),
    # quotes around list levels, each as deep as allowed: together deeper than the writers go
    ("quotes and lists mixed", "# 混在\n\n" + "".join("> " * MAX_NESTING + "    " * i + "- 項目\n"
                                                      for i in range(MAX_NESTING)), 3),  # the block's first line
    ("quotes, lists and spans on one line", "# 混在\n\n段落。\n\n" + "> " * 9 + "- " * 9 + "<span>" * 9 + "深い"
     + "</span>" * 9 + "\n", 5),
])
def test_deep_nesting_is_refused_at_its_line(make_project, name, text, line):
    errors = error_lines(make_project({"01.md": text}))
    assert errors == [f"manuscript/01.md:{line}: {TOO_DEEP}" if line else f"manuscript/01.md: {TOO_DEEP}"]


def test_nesting_up_to_the_limit_builds_every_edition(make_project):
    """What the limit lets through, the writers lay out, every word of it on the page: the
    vertical and horizontal PDF, the EPUB."""
    import subprocess

    from tests.conftest import run_cli

    text = ("# 入れ子\n\n" + "> " * MAX_NESTING + "深い引用\n\n"
            + "".join("    " * i + "- 項目\n" for i in range(MAX_NESTING)) + "\n"
            + "<span>" * MAX_NESTING + "末尾の文" + "</span>" * MAX_NESTING + "\n")
    root = make_project({"01.md": text}, book='title = "t"\nauthors = ["a"]\ndate = 2024-12-20\nslug = "t"\n'
                        '[editions]\nformats = ["pdf", "epub"]\nmodes = ["vertical", "horizontal"]\n')
    result = run_cli("build", "--jobs", "1", str(root))
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (root / "build").glob("t-*")) == [
        "t-horizontal.epub", "t-horizontal.pdf", "t-vertical.epub", "t-vertical.pdf"]
    for mode in ("vertical", "horizontal"):
        text = subprocess.run(["pdftotext", str(root / "build" / f"t-{mode}.pdf"), "-"], capture_output=True,
                              text=True, check=True).stdout
        assert "深い引用" in text and text.count("項目") == MAX_NESTING and "末尾の文" in text, (mode, text)


def test_a_paragraph_past_the_limit_is_refused_before_it_is_parsed(make_project):
    long = "長い段落の文です。" * (MAX_PARAGRAPH_CHARACTERS // 9 + 1)
    errors = error_lines(make_project({"01.md": "# 章\n\n短い段落。\n\n" + long + "\n\n次の段落。\n"}))
    assert errors == [f"manuscript/01.md:5: a paragraph of {len(long):,} characters: reportpub lays out paragraphs "
                      f"of at most {MAX_PARAGRAPH_CHARACTERS:,} (the time to set one grows with the square of its "
                      "length); break it with a blank line"]


def test_a_five_megabyte_line_is_refused_at_once(make_project):
    import time

    root = make_project({"01.md": "# 章\n\n" + "あ" * 5_000_000 + "\n"})
    start = time.monotonic()
    (error,) = error_lines(root)
    assert error.startswith("manuscript/01.md:3: a paragraph of 5,000,000 characters")
    assert time.monotonic() - start < 30


def test_a_long_code_block_is_no_paragraph(make_project):
    code = "```\n" + "x = 1\n" * 30000 + "```\n"
    book = read_book(Project.open(make_project({"01.md": "# 章\n\n" + code})))
    assert "x = 1" in book.chapters[0].body


def test_a_footnote_defined_twice_is_an_error_at_the_second(make_project):
    text = "# 章\n\n本文[^a]。\n\n[^a]: 最初の注。\n\n[^a]: 二つ目の注。\n"
    assert error_lines(make_project({"01.md": text})) == [
        "manuscript/01.md:7: footnote [^a] is defined twice (first on line 5); give each note its own label"]


@pytest.mark.parametrize("anchor, where", [
    ("note-1", "## 節 {#note-1}\n"), ("chapter-2", "## 節 {#chapter-2}\n"), ("figure-1", '<span id="figure-1">x</span>\n'),
    ("toc", "## 節 {#toc}\n"), ("section-second", "## 節 {#section-second}\n"),
])
def test_an_id_that_reportpub_generates_is_refused(make_project, anchor, where):
    root = make_project({"01.md": "# 一\n\n本文[^n]。\n\n" + where + "\n[^n]: 注。\n", "02.md": "# 二 {#second}\n\n本文。\n"})
    assert error_lines(root) == [
        f"manuscript/01.md:5: id '{anchor}' is one reportpub gives to what it generates (chapter-N, figure-N, "
        "table-N, note-N, section-…, ref-…, toc …); choose another"]


def _image(kind: str, size=(40, 20)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "navy").save(buffer, kind)
    return buffer.getvalue()


def test_jpeg_data_named_png_is_refused(make_project):
    root = make_project({"01.md": "# 一\n\n![図](images/photo.png)\n"}, files={"manuscript/images/photo.png": _image("JPEG")})
    assert error_lines(root) == ["manuscript/01.md:3: image 'images/photo.png' holds JPEG data but its name says "
                                 "image/png; rename it to photo.jpg"]


def test_an_image_of_too_many_pixels_is_refused_without_decoding_it(make_project):
    """1 × 80,000,000 pixels in about 80 KB: refused from its header, in well under the seconds
    (and gigabytes) decoding it would take."""
    import struct
    import zlib

    width, height = 80_000_000, 1

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = zlib.compress(b"\0" + b"\0" * width, 9)
    bomb = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", rows) + chunk(b"IEND", b""))
    assert len(bomb) < 200_000
    root = make_project({"01.md": "# 一\n\n![図](images/wide.png)\n"}, files={"manuscript/images/wide.png": bomb})
    assert error_lines(root) == ["manuscript/01.md:3: image 'images/wide.png' has 80,000,000 × 1 pixels, more than "
                                 "the 40,000,000 an image may have; scale it down"]


def test_a_cover_whose_data_is_not_of_its_name_is_refused(make_project):
    from reportpub.writers.cover import cover_image

    root = make_project({"01.md": "# 一\n"}, files={"manuscript/images/cover.png": _image("JPEG", (300, 400))})
    project = Project.open(root)
    with pytest.raises(ReportpubError) as info:
        cover_image(project.config, project, "horizontal")
    assert str(info.value) == ("manuscript/images/cover.png: the cover holds JPEG data but its name says image/png; "
                               "rename it to cover.jpg")


def test_fifty_thousand_footnotes_are_refused_at_once(make_project):
    import time

    from reportpub.manuscript.limits import MAX_FOOTNOTES_PER_CHAPTER

    count = 50_000
    text = "# 注\n\n" + "".join(f"文[^{i}]。\n\n" for i in range(count)) + "".join(f"[^{i}]: 注{i}\n" for i in range(count))
    root = make_project({"01.md": text})
    start = time.monotonic()
    (error,) = error_lines(root)
    assert time.monotonic() - start < 30
    first_too_many = 3 + 2 * count + MAX_FOOTNOTES_PER_CHAPTER
    assert error == (f"manuscript/01.md:{first_too_many}: 50,000 footnotes in one chapter: at most 10,000 "
                     "(reading them takes the square of their number); split the chapter")
