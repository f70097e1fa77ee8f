"""The EPUB's chapter documents kept between builds (writers/epub.py ChapterDocuments): an EPUB
written with the cache is the file written without it, and every input of a chapter's document
(its text, the mode, the pages' markers, the document each linked id lives in, the template
around it) makes it again."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest

from reportpub.build import read_book
from reportpub.project import Project
import reportpub.templates as templates_package
from reportpub.templates import Templates
from reportpub.writers import epub as epub_writer
from reportpub.writers.page_list import PageList, block_key

CHAPTERS = {
    "01.md": "# 第一章　始まり\n\n{彷彿|ほう|ふつ}とさせる2024年の話[^a]。詳しくは[次の節](#method)を見よ。\n\n"
             "二つ目の段落は長めに書いておく。ここで頁が変わることにする。\n\n[^a]: 注の本文、12頁。\n",
    "02.md": "# 第二章　続き\n\n## 方法 {#method}\n\n手順を述べる。\n",
    "03.md": "# 第三章　終わり\n\n結びの文。\n",
}


def page_list(book, shift: int = 0, folio: int = 0) -> PageList:
    """Pages where each chapter begins, and one in the middle of the first chapter's second block;
    each prints its page number plus ``folio``."""
    first, second, third = (chapter.id for chapter in book.chapters)
    pages = [(1, "titlepage", 0), (3 + shift, block_key(first, 0), 0), (4 + shift, block_key(first, 1), 6),
             (5 + shift, block_key(second, 0), 0), (7 + shift, block_key(third, 0), 0)]
    return PageList("test-x.pdf", book.config.identifier, tuple((page, key, offset, folio + page)
                                                                 for page, key, offset in pages))


def test_an_author_s_folios_label_the_cached_chapters_markers(make_project, tmp_path):
    root = make_project(CHAPTERS)
    before = write(root, "vertical", tmp_path / "before.epub")
    assert b'aria-label="4"' in before["EPUB/chapter-001.xhtml"]
    cached = assert_as_without_cache(root, "vertical", tmp_path, before, "EPUB/chapter-001.xhtml", folio=100)
    assert b'aria-label="104"' in cached["EPUB/chapter-001.xhtml"]


def write(project_root, mode: str, target, shift: int = 0, fresh: bool = False, book=None, folio: int = 0
          ) -> dict[str, bytes]:
    """The EPUB's files, written with the chapter cache (emptied first when ``fresh``)."""
    project = Project.open(project_root)
    if fresh:
        shutil.rmtree(project.build_dir / ".cache" / epub_writer.CHAPTER_CACHE_DIR, ignore_errors=True)
    book = book or read_book(project)
    epub_writer.write_epub(book, project, mode, Templates(project), target, page_list(book, shift, folio))
    with zipfile.ZipFile(target) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    return {"*": target.read_bytes(), **files}


@pytest.fixture
def counted_chapters(monkeypatch):
    """The chapters whose documents were made (not taken from the cache), by title."""
    made: list[str] = []
    real = epub_writer.chapter_xhtml

    def counting(book, chapter, *arguments, **keywords):
        made.append(chapter.title)
        return real(book, chapter, *arguments, **keywords)

    monkeypatch.setattr(epub_writer, "chapter_xhtml", counting)
    return made


@pytest.mark.parametrize("mode", ["vertical", "horizontal"])
def test_a_second_epub_takes_every_chapter_from_the_cache_and_is_the_same_file(make_project, tmp_path, mode,
                                                                              counted_chapters):
    root = make_project(CHAPTERS)
    first = write(root, mode, tmp_path / "first.epub")
    assert len(counted_chapters) == 3
    again = write(root, mode, tmp_path / "again.epub")
    assert len(counted_chapters) == 3  # none made again
    assert again["*"] == first["*"]
    assert b'epub:type="pagebreak"' in first["EPUB/chapter-001.xhtml"] and b"ruby" in first["EPUB/chapter-001.xhtml"]


def assert_as_without_cache(root, mode, tmp_path, before: dict[str, bytes], changed: str, **options) -> dict:
    """The EPUB written now with the cache equals one written without it, and ``changed`` differs from ``before``."""
    cached = write(root, mode, tmp_path / "cached.epub", **options)
    fresh = write(root, mode, tmp_path / "fresh.epub", fresh=True, **options)
    assert cached["*"] == fresh["*"]
    assert cached[changed] != before[changed]
    return cached


def test_an_edited_chapter_is_made_again_and_only_it(make_project, tmp_path, counted_chapters):
    root = make_project(CHAPTERS)
    before = write(root, "vertical", tmp_path / "before.epub")
    chapter = root / "manuscript" / "01.md"
    chapter.write_text(chapter.read_text(encoding="utf-8").replace("話", "話（第二稿で改めた文）"), encoding="utf-8")
    counted_chapters.clear()
    cached = write(root, "vertical", tmp_path / "cached.epub")
    assert counted_chapters == ["第一章　始まり"]
    assert "第二稿で改めた文".encode() in cached["EPUB/chapter-001.xhtml"]
    assert cached["EPUB/chapter-002.xhtml"] == before["EPUB/chapter-002.xhtml"]
    assert cached["*"] == write(root, "vertical", tmp_path / "fresh.epub", fresh=True)["*"]


def test_a_chapter_whose_pages_moved_gets_the_new_page_markers(make_project, tmp_path):
    # A chapter before grew by two pages: every marker after it is numbered anew.
    root = make_project(CHAPTERS)
    before = write(root, "vertical", tmp_path / "before.epub")
    cached = assert_as_without_cache(root, "vertical", tmp_path, before, "EPUB/chapter-001.xhtml", shift=2)
    assert b'id="page-6"' in cached["EPUB/chapter-001.xhtml"] and b'id="page-4"' not in cached["EPUB/chapter-001.xhtml"]


def test_the_other_mode_does_not_take_this_modes_chapters(make_project, tmp_path):
    root = make_project(CHAPTERS)
    vertical = write(root, "vertical", tmp_path / "vertical.epub")
    horizontal = write(root, "horizontal", tmp_path / "horizontal.epub")
    assert horizontal["EPUB/chapter-001.xhtml"] != vertical["EPUB/chapter-001.xhtml"]  # no tate-chu-yoko in it
    assert horizontal["*"] == write(root, "horizontal", tmp_path / "fresh.epub", fresh=True)["*"]


def test_a_link_follows_its_target_into_another_chapter(make_project, tmp_path):
    # Chapter 1 is unchanged, but the section it links to moved from chapter 2 to chapter 3.
    root = make_project(CHAPTERS)
    before = write(root, "horizontal", tmp_path / "before.epub")
    assert b'href="chapter-002.xhtml#method"' in before["EPUB/chapter-001.xhtml"]
    (root / "manuscript" / "02.md").write_text("# 第二章　続き\n\n手順は後で述べる。\n", encoding="utf-8")
    (root / "manuscript" / "03.md").write_text(CHAPTERS["03.md"] + "\n## 方法 {#method}\n\n手順を述べる。\n",
                                               encoding="utf-8")
    cached = assert_as_without_cache(root, "horizontal", tmp_path, before, "EPUB/chapter-001.xhtml")
    assert b'href="chapter-003.xhtml#method"' in cached["EPUB/chapter-001.xhtml"]


def test_an_authors_page_template_wraps_the_cached_chapters(make_project, tmp_path):
    root = make_project(CHAPTERS)
    before = write(root, "vertical", tmp_path / "before.epub")
    page = (Path(templates_package.__file__).parent / "epub-page.xhtml").read_text(encoding="utf-8")
    assert "<body" in page
    (root / "templates").mkdir(exist_ok=True)
    (root / "templates" / "epub-page.xhtml").write_text(page.replace("<body", "<!-- 著者の型 --><body", 1),
                                                        encoding="utf-8")
    cached = assert_as_without_cache(root, "vertical", tmp_path, before, "EPUB/chapter-001.xhtml")
    assert "著者の型".encode() in cached["EPUB/chapter-001.xhtml"]
