"""What a report needs from book.toml, read back from the editions it changes: the author's cover,
the contents depth, chapter and appendix numbering, the colophon's fields."""

import base64
import datetime as dt
import re
import subprocess
import zipfile

import pytest
from tests.conftest import book_toml, image_bytes, run_cli, run_epubcheck, write_project

BOOK = book_toml(title="機能の本", authors=["著者 太郎"], slug="fb", cover="images/cover.jpg", appendix=["a1.md"],
                 pdf={"paper": "B5"}, toc={"depth": 3}, numbering={"chapters": "第1章"},
                 colophon={"isbn": "978-4-00-000000-0", "printer": "印刷 株式会社", "contact": "info@example.jp",
                           "history": [{"version": "1.0", "date": dt.date(2024, 12, 20), "note": "初版発行"},
                                       {"version": "1.1", "date": dt.date(2025, 3, 1)}]},
                 formats=["pdf", "epub", "html"], modes=["horizontal"])

CHAPTERS = {
    "00.md": "# はじめに {.unnumbered}\n\n前書きです。\n",
    "01.md": "# 調査 {#survey}\n\n本文です。\n\n## 方法 {#method}\n\n方法です。\n\n### 細目\n\n細かい。\n",
    "02.md": "# 結果\n\n結果です。詳しくは[](#survey)の[](#method)を参照。\n",
    "a1.md": "# 資料\n\n付録です。\n",
}


def cover_jpeg() -> bytes:
    return image_bytes((600, 850), (200, 30, 30), "JPEG")


@pytest.fixture(scope="module")
def feature_book(tmp_path_factory):
    root = write_project(tmp_path_factory.mktemp("features") / "book", CHAPTERS, BOOK,
                         {"manuscript/images/cover.jpg": cover_jpeg()})
    result = run_cli("build", str(root), "--jobs", "1")
    assert result.returncode == 0, result.stderr
    return root


def pdf_text(path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def epub_file(root, name: str) -> str:
    with zipfile.ZipFile(root / "build" / "fb-horizontal.epub") as archive:
        return archive.read(f"EPUB/{name}").decode("utf-8")


def squeeze(text: str) -> str:
    return re.sub(r"[\s·]+", " ", text)


def test_pdf_contents_and_headings_carry_chapter_and_appendix_numbers(feature_book):
    pages = pdf_text(feature_book / "build" / "fb-horizontal.pdf").split("\f")
    contents = squeeze(next(page for page in pages if "目次" in page))
    # はじめに is {.unnumbered}; chapters 第1章, 第2章; the appendix 付録A; ### reaches the contents at depth 3.
    assert re.search(r"はじめに \d+ 第1章 調査 \d+ 方法 \d+ 細目 \d+ 第2章 結果 \d+ 付録A 資料 \d+", contents), contents
    openings = [squeeze(page).strip() for page in pages if "本文です" in page or "付録です" in page]
    assert openings[0].startswith("第1章 調査") and openings[1].startswith("付録A 資料"), openings
    assert not any("第1章 はじめに" in squeeze(page) for page in pages)


def test_epub_navigation_follows_numbering_and_depth(feature_book):
    nav = epub_file(feature_book, "nav.xhtml")
    titles = re.findall(r"<a href=\"[^\"]+\">([^<]+)</a>", nav)
    assert titles[:6] == ["はじめに", "第1章\u3000調査", "方法", "細目", "第2章\u3000結果", "付録A\u3000資料"], titles
    chapter = epub_file(feature_book, "chapter-002.xhtml")
    assert '<span class="chapter-label">第1章</span>\u3000調査</h1>' in chapter
    result = run_epubcheck(feature_book / "build" / "fb-horizontal.epub")  # nested contents, the author's cover
    assert result["errors"] == 0 and result["warnings"] == 0, "\n".join(result["messages"])


def test_contents_depth_one_lists_chapters_only(make_project):
    book = BOOK.replace("depth = 3", "depth = 1").replace('formats = ["pdf", "epub", "html"]', 'formats = ["epub"]')
    root = make_project(CHAPTERS, book=book, files={"manuscript/images/cover.jpg": cover_jpeg()})
    assert run_cli("build", str(root)).returncode == 0
    nav = epub_file(root, "nav.xhtml")
    assert "第1章\u3000調査" in nav and "方法" not in nav and "細目" not in nav
    assert "方法" not in epub_file(root, "toc.xhtml")


def test_colophon_lists_history_printer_contact_and_isbn(feature_book):
    colophon = squeeze(pdf_text(feature_book / "build" / "fb-horizontal.pdf").split("\f")[-2])
    for expected in ("2024年12月20日 初版発行", "2025年3月1日 第1.1版発行", "印刷所 印刷 株式会社",
                     "連絡先 info@example.jp", "ISBN ISBN978-4-00-000000-0"):
        assert expected in colophon, colophon
    epub = epub_file(feature_book, "colophon.xhtml")
    assert "ISBN978-4-00-000000-0" in epub and "印刷 株式会社" in epub


def test_authors_cover_is_the_epub_cover_and_on_the_download_page(feature_book):
    cover = (feature_book / "manuscript" / "images" / "cover.jpg").read_bytes()
    with zipfile.ZipFile(feature_book / "build" / "fb-horizontal.epub") as archive:
        assert archive.read("EPUB/images/cover.jpg") == cover
        assert "images/cover.png" not in " ".join(archive.namelist())
        opf = archive.read("EPUB/content.opf").decode()
    assert re.search(r'<item [^>]*href="images/cover.jpg"[^>]*properties="cover-image"', opf) or \
        re.search(r'<item [^>]*properties="cover-image"[^>]*href="images/cover.jpg"', opf), opf
    page = (feature_book / "build" / "index.html").read_text(encoding="utf-8")
    assert "data:image/jpeg;base64," + base64.b64encode(cover).decode() in page


@pytest.mark.parametrize("old, new, message", [
    ('cover = "images/cover.jpg"', 'cover = "images/none.jpg"',
     "manuscript/book.toml:5: cover 'images/none.jpg' not found (the path is relative to manuscript/)"),
    ('isbn = "978-4-00-000000-0"', 'isbn = "978-4-00-000000-3"',
     "manuscript/book.toml:18: [colophon] isbn '978-4-00-000000-3' has a wrong check digit (the last digit should be 0)"),
    ("depth = 3", "depth = 5",
     "manuscript/book.toml:12: [toc] depth 5 must be 1 (chapters), 2 (and sections) or 3 (and subsections)"),
    ('chapters = "第1章"', 'chapters = "第章"',
     "manuscript/book.toml:15: [numbering] chapters '第章' holds no number: write the first label, "
     'with 1, 一 or A where the number goes ("第1章", "第一章", "付録A")'),
    ('appendix = ["a1.md"]', 'appendix = ["a9.md"]', "manuscript/book.toml:6: appendix 'a9.md' is listed but missing"),
], ids=["cover", "isbn", "depth", "numbering", "appendix"])
def test_mistakes_in_the_new_keys_name_their_line(make_project, old, new, message):
    root = make_project(CHAPTERS, book=BOOK.replace(old, new), files={"manuscript/images/cover.jpg": cover_jpeg()})
    result = run_cli("check", str(root))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip() == message


def test_the_reference_example_is_a_book_toml_that_checks(make_project):
    """docs/book-toml.md's complete example, with the files it names, passes `reportpub check`."""
    from tests.conftest import REPOSITORY

    reference = (REPOSITORY / "docs" / "book-toml.md").read_text(encoding="utf-8")
    book = re.search(r"```toml\n(.*?)```", reference, re.DOTALL).group(1)
    chapters = {name: f"# {name}\n\n本文。\n" for name in re.findall(r'"([\w-]+\.md)"', book)}
    bibliography = "@book{yamada2024,\n  author = {山田 花子},\n  title = {交通の本},\n  year = {2024}\n}\n"
    root = make_project(chapters, book=book, files={"manuscript/images/cover.jpg": cover_jpeg(),
                                                    "manuscript/references.bib": bibliography})
    result = run_cli("check", str(root))
    assert result.returncode == 0, result.stderr


def test_cross_references_print_the_number_or_title_they_lead_to(feature_book):
    chapter = epub_file(feature_book, "chapter-003.xhtml")
    links = re.findall(r'<a [^>]*href="([^"]+)"[^>]*>([^<]*)</a>', chapter)
    assert ("chapter-002.xhtml#survey", "第1章") in links and ("chapter-002.xhtml#method", "方法") in links, links
    pages = pdf_text(feature_book / "build" / "fb-horizontal.pdf")
    assert "詳しくは第1章の方法を参照。" in re.sub(r"\s+", "", pages)
    web = (feature_book / "build" / "fb.html").read_text(encoding="utf-8")
    assert re.search(r'<a [^>]*href="#survey"[^>]*>第1章</a>', web)
