"""The EPUB 3 writer: the sample report's two editions as a reading system and EPUBCheck see them."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import xml.etree.ElementTree as etree
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from reportpub.editions import MODES
from tests.conftest import run_epubcheck

NS = {
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
    "x": "http://www.w3.org/1999/xhtml",
}
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"


def read(epub: Path, name: str) -> bytes:
    with zipfile.ZipFile(epub) as archive:
        return archive.read(name)


def package(epub: Path) -> etree.Element:
    return etree.fromstring(read(epub, "EPUB/content.opf"))


def document(epub: Path, name: str) -> etree.Element:
    return etree.fromstring(read(epub, f"EPUB/{name}"))


def chapter_files(epub: Path) -> list[str]:
    with zipfile.ZipFile(epub) as archive:
        return sorted(n.removeprefix("EPUB/") for n in archive.namelist() if re.match(r"EPUB/chapter-\d+\.xhtml$", n))


# --- validity and the archive -----------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_epubcheck_reports_no_errors_and_no_warnings(built_epubs, mode):
    result = run_epubcheck(built_epubs[mode])
    assert result["errors"] == 0 and result["warnings"] == 0, "\n".join(result["messages"])


@pytest.mark.parametrize("mode", MODES)
def test_archive_starts_with_stored_mimetype_and_has_fixed_dates(built_epubs, mode):
    with zipfile.ZipFile(built_epubs[mode]) as archive:
        entries = archive.infolist()
        assert entries[0].filename == "mimetype"
        assert entries[0].compress_type == zipfile.ZIP_STORED
        assert not entries[0].extra
        assert archive.read("mimetype") == b"application/epub+zip"
        assert entries[1].filename == "META-INF/container.xml"
        assert {e.date_time for e in entries} == {(2024, 12, 20, 0, 0, 0)}
    # The local header holds the mimetype at byte 30, as OCF requires.
    assert built_epubs[mode].read_bytes()[30:38] == b"mimetype"


def test_a_second_write_gives_the_same_bytes(epub_book, built_epubs, tmp_path):
    from reportpub.writers.epub import write_epub

    project, book, templates = epub_book
    for mode in MODES:
        again = tmp_path / f"again-{mode}.epub"
        write_epub(book, project, mode, templates, again)
        assert again.read_bytes() == built_epubs[mode].read_bytes(), mode


# --- the package document ---------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_package_metadata(epub_book, built_epubs, mode):
    _, book, _ = epub_book
    opf = package(built_epubs[mode])
    metadata = opf.find("opf:metadata", NS)
    unique = opf.get("unique-identifier")
    identifier = metadata.find(f"dc:identifier[@id='{unique}']", NS)
    assert identifier.text == book.config.identifier
    assert metadata.find("dc:language", NS).text == "ja"
    assert metadata.find("dc:title", NS).text == book.config.title
    assert [c.text for c in metadata.findall("dc:creator", NS)] == list(book.config.authors)
    assert metadata.find("dc:publisher", NS).text == book.config.publisher
    assert metadata.find("dc:date", NS).text == "2024-12-20"
    modified = [m.text for m in metadata.findall("opf:meta", NS) if m.get("property") == "dcterms:modified"]
    assert modified == ["2024-12-20T00:00:00Z"]


def test_vertical_edition_opens_right_to_left(built_epubs):
    def writing_mode_meta(opf):
        return [m.get("content") for m in opf.iter(f"{{{NS['opf']}}}meta") if m.get("name") == "primary-writing-mode"]

    vertical, horizontal = package(built_epubs["vertical"]), package(built_epubs["horizontal"])
    assert vertical.find("opf:spine", NS).get("page-progression-direction") == "rtl"
    assert horizontal.find("opf:spine", NS).get("page-progression-direction") != "rtl"
    assert writing_mode_meta(vertical) == ["vertical-rl"]
    assert writing_mode_meta(horizontal) == []


@pytest.mark.parametrize("mode", MODES)
def test_spine_order_and_cover(built_epubs, mode):
    opf = package(built_epubs[mode])
    manifest = {item.get("id"): item for item in opf.find("opf:manifest", NS)}
    spine = [ref.get("idref") for ref in opf.find("opf:spine", NS)]
    hrefs = [manifest[idref].get("href") for idref in spine]
    assert hrefs[:3] == ["cover.xhtml", "titlepage.xhtml", "toc.xhtml"]
    assert hrefs[-1] == "colophon.xhtml"
    assert hrefs[3:3 + len(chapter_files(built_epubs[mode]))] == chapter_files(built_epubs[mode])
    covers = [item for item in manifest.values() if "cover-image" in (item.get("properties") or "").split()]
    assert len(covers) == 1
    image = Image.open(io.BytesIO(read(built_epubs[mode], "EPUB/" + covers[0].get("href"))))
    assert image.size == (1400, 2000)
    cover_page = read(built_epubs[mode], "EPUB/cover.xhtml").decode()
    assert covers[0].get("href") in cover_page


# --- navigation -------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_one_nav_document_with_every_chapter_and_landmarks(epub_book, built_epubs, mode):
    _, book, _ = epub_book
    opf = package(built_epubs[mode])
    navs = [item for item in opf.find("opf:manifest", NS) if "nav" in (item.get("properties") or "").split()]
    assert len(navs) == 1
    nav = document(built_epubs[mode], navs[0].get("href"))
    navs_by_type = {n.get(EPUB_TYPE): n for n in nav.iter(f"{{{NS['x']}}}nav")}
    toc = navs_by_type["toc"]
    entries = [("".join(a.itertext()), a.get("href")) for a in toc.iter(f"{{{NS['x']}}}a")]
    for chapter in book.chapters:
        assert (chapter.title, chapter.file_name) in entries
        for heading in chapter.headings:
            if heading.level == 2:
                assert (heading.text, f"{chapter.file_name}#{heading.id}") in entries
    # Sections are nested under their chapter.
    second = book.chapters[1]
    nested = [li for li in toc.iter(f"{{{NS['x']}}}li") if li.find("x:a", NS).get("href") == second.file_name][0]
    assert nested.find("x:ol", NS) is not None
    landmarks = {a.get(EPUB_TYPE): a.get("href") for a in navs_by_type["landmarks"].iter(f"{{{NS['x']}}}a")}
    assert landmarks["toc"] == "toc.xhtml"
    assert landmarks["bodymatter"] == book.chapters[0].file_name
    assert landmarks["cover"] == "cover.xhtml"


def test_contents_page_links_to_chapter_files(epub_book, built_epubs):
    _, book, _ = epub_book
    page = read(built_epubs["horizontal"], "EPUB/toc.xhtml").decode()
    for chapter in book.chapters:
        assert f'href="{chapter.file_name}#{chapter.id}"' in page


# --- chapter content --------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_note_references_pop_up_notes_in_the_same_file(epub_book, built_epubs, mode):
    _, book, _ = epub_book
    checked = 0
    for chapter in book.chapters:
        root = document(built_epubs[mode], chapter.file_name)
        asides = {a.get("id"): a for a in root.iter(f"{{{NS['x']}}}aside") if a.get(EPUB_TYPE) == "footnote"}
        ids = {e.get("id") for e in root.iter() if e.get("id")}
        references = [a for a in root.iter(f"{{{NS['x']}}}a") if a.get(EPUB_TYPE) == "noteref"]
        assert len(asides) == len(chapter.notes)
        for reference in references:
            target = reference.get("href")
            assert target.startswith("#") and target[1:] in asides, target
            assert reference.get("role") == "doc-noteref"
            back = asides[target[1:]].find(".//x:a[@href]", NS)
            assert back.get("href") == f"#{reference.get('id')}" and back.get("href")[1:] in ids
            checked += 1
    assert checked >= len([n for c in book.chapters for n in c.notes]) > 0


@pytest.mark.parametrize("mode", MODES)
def test_ruby_and_sesame_emphasis_stay_native(built_epubs, mode):
    texts = [read(built_epubs[mode], f"EPUB/{name}").decode() for name in chapter_files(built_epubs[mode])]
    joined = "".join(texts)
    assert re.search(r"<ruby>平壌<rt>ピョンヤン</rt></ruby>", joined)
    # Per-character ruby reads base first, as group ruby: not 彷ほう彿ふつ (a screen reader reads in document order).
    assert "<ruby>彷彿<rt>ほうふつ</rt></ruby>" in joined and "<ruby>暴風軍団<rt>ぼうふうぐんだん</rt></ruby>" in joined
    assert "<rp>" not in joined  # EPUB 3.3 discourages rp; every EPUB 3 reading system lays ruby out
    assert 'class="em-sesame"' in joined
    css = read(built_epubs[mode], "EPUB/style/epub.css").decode()
    for prefix in ("", "-epub-", "-webkit-"):
        assert f"{prefix}text-emphasis-style: filled sesame" in css


def test_links_to_other_chapters_name_their_file(epub_book, built_epubs):
    _, book, _ = epub_book
    target = book.chapter_of_anchor("chronology")
    first = read(built_epubs["horizontal"], f"EPUB/{book.chapters[0].file_name}").decode()
    assert f'href="{target.file_name}#chronology"' in first


def test_vertical_chapters_set_two_digits_tate_chu_yoko(built_epubs):
    pytest.importorskip("reportpub.typography.vertical_markup")
    vertical = "".join(read(built_epubs["vertical"], f"EPUB/{n}").decode() for n in chapter_files(built_epubs["vertical"]))
    horizontal = "".join(read(built_epubs["horizontal"], f"EPUB/{n}").decode()
                         for n in chapter_files(built_epubs["horizontal"]))
    assert '月<span class="tcy">19</span>日' in vertical  # 6月19日
    assert "6月19日" in horizontal  # horizontal editions get no automatic tate-chu-yoko


def test_writing_mode_lives_in_the_vertical_stylesheet(built_epubs):
    with zipfile.ZipFile(built_epubs["horizontal"]) as archive:
        assert "EPUB/style/epub-vertical.css" not in archive.namelist()
    css = read(built_epubs["vertical"], "EPUB/style/epub-vertical.css").decode()
    for prefix in ("", "-epub-", "-webkit-"):
        assert f"{prefix}writing-mode: vertical-rl" in css
    assert "text-combine-upright: all" in css and "-epub-text-combine: horizontal" in css
    for name in ("tcy", "upright", "sideways"):
        assert f".{name}" in css
    page = read(built_epubs["vertical"], "EPUB/chapter-001.xhtml").decode()
    assert 'href="style/epub-vertical.css"' in page


def test_references_page_closes_the_book(epub_book, tmp_path):
    import dataclasses

    from reportpub.model import Reference
    from reportpub.writers.epub import write_epub

    project, book, templates = epub_book
    book = dataclasses.replace(book, references=(
        Reference("smith2020", 'スミス『題名』2020年、<a class="url" href="https://example.com/2024-12-04/">https://example.com/2024-12-04/</a>'),
    ))
    target = tmp_path / "refs.epub"
    write_epub(book, project, "vertical", templates, target)
    opf = package(target)
    manifest = {item.get("id"): item.get("href") for item in opf.find("opf:manifest", NS)}
    spine = [manifest[ref.get("idref")] for ref in opf.find("opf:spine", NS)]
    assert spine[-2:] == ["references.xhtml", "colophon.xhtml"]
    page = read(target, "EPUB/references.xhtml").decode()
    assert 'id="ref-smith2020"' in page
    assert 'class="url sideways"' in page and "2024-12-04" in page  # no tate-chu-yoko inside a URL
    nav = read(target, "EPUB/nav.xhtml").decode()
    assert 'epub:type="bibliography" href="references.xhtml"' in nav
    assert read(target, "EPUB/toc.xhtml").decode().count('href="references.xhtml#references"') == 1


def test_zip_dates_before_1980_are_clamped():
    import datetime as dt

    from reportpub.writers.epub import _zip_time

    assert _zip_time(dt.datetime(1970, 5, 1, tzinfo=dt.timezone.utc)) == (1980, 1, 1, 0, 0, 0)
    assert _zip_time(dt.datetime(2024, 12, 20, tzinfo=dt.timezone.utc)) == (2024, 12, 20, 0, 0, 0)


# --- cover, images, a manuscript-supplied cover -----------------------------------------------


def test_generated_cover_is_deterministic_and_follows_the_mode(epub_book):
    from reportpub.writers.cover import make_cover, wrap

    _, book, _ = epub_book
    vertical = make_cover(book.config, mode="vertical")
    assert vertical == make_cover(book.config, mode="vertical")
    horizontal = make_cover(book.config, mode="horizontal")
    assert vertical != horizontal
    assert Image.open(io.BytesIO(vertical)).size == (1400, 2000)
    assert wrap("露朝軍事協力とウクライナ戦争", 10) == ["露朝軍事協力と", "ウクライナ戦争"]
    assert all(not line.startswith(("、", "。", "ー")) for line in wrap("ああああ、いいいい。うううーええ", 4))


def test_supplied_cover_and_figures_are_packaged(make_project, tmp_path):
    from reportpub.build import read_book
    from reportpub.project import Project
    from reportpub.templates import Templates
    from reportpub.writers.epub import write_epub

    def png(colour) -> bytes:
        out = io.BytesIO()
        Image.new("RGB", (60, 40), colour).save(out, format="PNG")
        return out.getvalue()

    cover = io.BytesIO()
    Image.new("RGB", (300, 450), (20, 40, 90)).save(cover, format="JPEG")
    root = make_project(
        {"01.md": "# 第1章\n\n本文です[^a]。\n\n![図の説明](images/chart.png)\n\n[^a]: 注の本文。\n",
         "02.md": "# 第2章\n\n[前の章へ](#chapter-1)戻る。\n"},
        files={"manuscript/images/chart.png": png((200, 30, 30)), "manuscript/images/cover.jpg": cover.getvalue()},
    )
    project = Project.open(root)
    book = read_book(project)
    target = tmp_path / "test.epub"
    write_epub(book, project, "vertical", Templates(project), target)
    with zipfile.ZipFile(target) as archive:
        names = archive.namelist()
        assert "EPUB/images/chart.png" in names
        assert archive.read("EPUB/images/cover.jpg") == cover.getvalue()
        assert "EPUB/images/cover.png" not in names
        assert 'href="chapter-001.xhtml#chapter-1"' in archive.read("EPUB/chapter-002.xhtml").decode()
    result = run_epubcheck(target)
    assert result["errors"] == 0 and result["warnings"] == 0, "\n".join(result["messages"])


# --- a reading system's view ------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("mode", MODES)
def test_first_chapter_renders_in_chromium(built_epubs, tmp_path, mode):
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.skip("chromium is not installed")
    unpacked = tmp_path / "book"
    with zipfile.ZipFile(built_epubs[mode]) as archive:
        archive.extractall(unpacked)
    first = unpacked / "EPUB" / chapter_files(built_epubs[mode])[0]
    screenshot = tmp_path / f"{mode}.png"
    subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}",
         f"--screenshot={screenshot}", "--window-size=800,1000", first.as_uri()],
        capture_output=True, timeout=180,
    )
    assert screenshot.is_file()
    image = Image.open(screenshot).convert("RGB")
    colours = image.getcolors(maxcolors=1 << 20)
    assert colours is None or len(colours) > 1, "the page rendered blank"
    # Vertical text runs in columns: almost every pixel row holds ink while the gaps between
    # columns leave pixel columns blank. Horizontal text is the other way round.
    grey = image.convert("L")
    pixels, (width, height) = grey.load(), grey.size
    blank_rows = sum(1 for y in range(height) if all(pixels[x, y] >= 128 for x in range(0, width, 2))) / height
    blank_columns = sum(1 for x in range(width) if all(pixels[x, y] >= 128 for y in range(0, height, 2))) / width
    if mode == "vertical":
        assert blank_rows < 0.2 < blank_columns, (blank_rows, blank_columns)
    else:
        assert blank_columns < 0.2 < blank_rows, (blank_rows, blank_columns)
