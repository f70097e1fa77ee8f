"""The EPUB's page-list (writers/page_list.py): pagebreak markers where the same-mode reader
PDF's pages begin, so that a page number cited from the PDF leads to the same text in the
EPUB; the EPUB is the same file whether it was built with the PDF, alone, or from caches."""

from __future__ import annotations

import random
import re
import shutil
import unicodedata
import subprocess
import zipfile

import pytest

from tests.conftest import book_toml, image_bytes, run_ace, run_cli, run_epubcheck, write_project
from tests.writers.pdf.test_page_flow import LONG_TABLE

MODES = ("vertical", "horizontal")
BOOK = book_toml(title="頁の試験", authors=["著者 太郎"], version="1.0", slug="pl", formats=["pdf", "epub"])

WORDS = "情勢推移各国対応経済条約発効交渉会議報告分析課題歴史地域安全保障協力関係"


def paragraph(seed: str) -> str:
    """A paragraph of its own text (no run of eight characters of it is in another), with ruby."""
    rng = random.Random(seed)
    sentences = ["".join(rng.choice(WORDS) + rng.choice("のをにがとはでも") for _ in range(12)) + "。"
                 for _ in range(6)]
    return "{彷彿|ほう|ふつ}とさせる" + "".join(sentences)


def chapter(title: str, paragraphs: int, extra: str = "") -> str:
    body = "\n\n".join(paragraph(f"{title}{n}") + (f"注を付ける[^n{n}]。" if n % 4 == 1 else "")
                       for n in range(1, paragraphs + 1))
    notes = "\n\n".join(f"[^n{n}]: 第{n}段落の注。" for n in range(1, paragraphs + 1) if n % 4 == 1)
    return f"# {title}\n\n{body}\n\n{extra}\n\n{notes}\n"


FIGURE = '![港の見取り図](images/port.png "港の北側に岸壁が三つ並ぶ見取り図")'
TABLE = "Table: 主な出来事\n\n| 年 | 出来事 |\n|---|---|\n| 1961 | 条約 |\n| 2024 | 発効 |\n"


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    return write_project(tmp_path_factory.mktemp("page-list") / "book", {
        "01.md": chapter("第一章　始まり", 12, FIGURE),
        "02.md": chapter("第二章　続き", 9, TABLE + "\nThe Latin passage: <span lang=\"la\">*Si vis pacem, para bellum.*</span>\n"),
    }, BOOK, {"manuscript/images/port.png": image_bytes((400, 240), (30, 60, 120))})


@pytest.fixture(scope="module")
def build(project):
    result = run_cli("build", "--jobs", "1", str(project))
    assert result.returncode == 0, result.stderr
    return project / "build"


def epub_files(path) -> dict[str, str]:
    with zipfile.ZipFile(path) as archive:
        return {name.removeprefix("EPUB/"): archive.read(name).decode() for name in archive.namelist()
                if name.endswith(".xhtml")}


def page_list(files: dict[str, str]) -> list[tuple[int, str]]:
    """(page, content document) of the nav's page-list entries, in order."""
    nav = files["nav.xhtml"]
    listed = nav[nav.index('epub:type="page-list"'):]
    return [(int(page), file_name) for file_name, page, label in
            re.findall(r'<a href="([^"#]+)#page-(\d+)">(\d+)</a>', listed) if page == label]


def plain(text: str) -> str:
    """Text to compare across editions: no spaces, no digits (the folios, note numbers and the
    vertical editions' upright digits fall between the words in one and not the other)."""
    return re.sub(r"[\s\d\-\u2010\u00ad]", "", unicodedata.normalize("NFKC", text))


def text_after_marker(document: str, page: int) -> str:
    """The text of the content document from page ``page``'s marker on (readings left out)."""
    return text_around_marker(document, page)[1]


def text_around_marker(document: str, page: int) -> tuple[str, str]:
    """The text of the chapter's content before page ``page``'s marker (from its body on, the
    notes left out) and after it (readings left out of both)."""
    start = re.search(rf'<span epub:type="pagebreak" role="doc-pagebreak" id="page-{page}" aria-label="{page}"[^>]*>', document)
    assert start, page
    body = document.index("<body")

    def text(markup: str) -> str:
        return plain(re.sub(r"<[^>]+>", "", re.sub(r"<rt>.*?</rt>", "", markup)))

    before = re.sub(r'<section class="notes".*', "", document[body:start.start()], flags=re.S)
    return text(before), text(document[start.end():])


def pdf_page_text(path, page: int) -> str:
    text = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), str(path), "-"],
                          capture_output=True, text=True, check=True).stdout
    return plain(text)


def pdf_pages(path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", info).group(1))


@pytest.mark.parametrize("mode", MODES)
def test_every_page_of_the_reader_pdf_is_marked_where_its_text_begins(build, mode):
    files = epub_files(build / f"pl-{mode}.epub")
    assert_marked_where_pages_begin(build / f"pl-{mode}.pdf", files)
    assert len([f for _, f in page_list(files) if f.startswith("chapter-")]) >= 6  # chapters of several pages each


def test_a_book_laid_out_whole_by_the_authors_pdf_template_has_its_page_list_too(tmp_path):
    """An author's pdf.html without chapter sections is laid out in one document
    (writers/pdf/parts.py): its pages are the page-list all the same."""
    from importlib.resources import files

    root = write_project(tmp_path / "book", {"01.md": chapter("第一章　始まり", 8), "02.md": chapter("第二章　続き", 6)},
                         book_toml(slug="pl", formats=["pdf", "epub"], modes=["horizontal"]))
    template = files("reportpub").joinpath("templates/pdf.html").read_text(encoding="utf-8")
    override = template.replace('<section class="chapter"', '<div class="chapter"').replace(
        "</section>\n{%- endfor %}", "</div>\n{%- endfor %}")
    assert override != template
    (root / "templates").mkdir()
    (root / "templates" / "pdf.html").write_text(override, encoding="utf-8")
    result = run_cli("build", "--jobs", "1", str(root))
    assert result.returncode == 0, result.stderr
    assert not (root / "build" / ".cache" / "pdf-parts").exists()  # laid out whole indeed
    assert_marked_where_pages_begin(root / "build" / "pl-horizontal.pdf", epub_files(root / "build" / "pl-horizontal.epub"))
    checked = run_epubcheck(root / "build" / "pl-horizontal.epub")
    assert (checked["errors"], checked["warnings"]) == (0, 0), checked["messages"]


def assert_marked_where_pages_begin(pdf, files: dict[str, str]) -> None:
    listed = page_list(files)
    pages = [page for page, _ in listed]
    assert pages == sorted(set(pages))
    # Every page that prints anything is listed, and no blank one (the versos before right-hand starts).
    assert pages == [page for page in range(1, pdf_pages(pdf) + 1) if pdf_page_text(pdf, page)]
    assert len([f for _, f in listed if f.startswith("chapter-")]) >= 2
    exact = later = 0
    for page, file_name in listed:
        printed = pdf_page_text(pdf, page)
        following = text_after_marker(files[file_name], page)
        # The block the marker stands before holds the page's text: a run of it is on the page
        # (its first line, or the lines it runs on with from the page before).
        # (Runs of 3 in the front and back matter, whose short vertical lines pdftotext gives out of order.)
        length = 8 if file_name.startswith("chapter-") else 3
        runs = {following[i:i + length] for i in range(max(1, min(len(following), 400) - length + 1))}
        assert any(run in printed for run in runs), (page, file_name, printed[:80], following[:80])
        if file_name.startswith("chapter-") and page - 1 in dict(listed) and dict(listed)[page - 1] == file_name:
            later += 1
            exact += assert_at_first_character(pdf, files[file_name], page)
        if file_name.startswith("chapter-"):
            assert str(page) in subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), str(pdf), "-"],
                                               capture_output=True, text=True).stdout  # the folio the marker names
    # Every page a chapter runs on to is checked to the character, but one set apart (a figure).
    assert later and exact >= later - 1, (exact, later)


def assert_at_first_character(pdf, document: str, page: int) -> bool:
    """The marker of ``page`` stands where the page begins, to the character: the text before
    it ends page - 1 and the text after it begins ``page`` (a run of either is on its page),
    and the run across the marker is on neither page (it would be, were the marker a character
    or more off, or at the start of a block the page only continues)."""
    before, after = text_around_marker(document, page)
    if len(before) < 4:
        return False  # the chapter's first page: its marker is before the chapter's first block
    this_page, page_before = pdf_page_text(pdf, page), pdf_page_text(pdf, page - 1)
    if after[:12] not in this_page:
        return False  # a page beginning with a figure or table set apart (its text is elsewhere on the page)
    # (Every paragraph begins 彷彿とさせる: the run takes twelve characters after the marker.)
    across = before[-4:] + after[:12]
    assert before[-6:] in page_before, (page, before[-20:], page_before[-80:])
    assert across not in this_page and across not in page_before, (page, before[-20:], after[:20])
    return True


@pytest.mark.parametrize("mode", MODES)
def test_the_package_names_the_page_source(build, mode):
    with zipfile.ZipFile(build / f"pl-{mode}.epub") as archive:
        opf = archive.read("EPUB/content.opf").decode()
    features = re.findall(r'<meta property="schema:accessibilityFeature">([^<]+)</meta>', opf)
    assert {"pageBreakMarkers", "pageNavigation"} <= set(features)
    source = re.search(r'<meta property="pageBreakSource" id="page-break-source">([^<]+)</meta>', opf)
    assert source and source.group(1).startswith("urn:uuid:")
    assert f'<meta property="dcterms:title" refines="#page-break-source">pl-{mode}.pdf</meta>' in opf
    assert re.search(r"<dc:identifier[^>]*>([^<]+)</dc:identifier>", opf).group(1) == source.group(1)  # the PDF's too


def test_the_epub_is_the_same_built_alone_with_or_without_caches(project, build, tmp_path):
    built = {mode: (build / f"pl-{mode}.epub").read_bytes() for mode in MODES}
    alone = tmp_path / "book"
    shutil.copytree(project / "manuscript", alone / "manuscript")
    result = run_cli("build", "--jobs", "1", "--only", "epub", str(alone))  # no cache: the pages are laid out
    assert result.returncode == 0, result.stderr
    for mode in MODES:
        assert (alone / "build" / f"pl-{mode}.epub").read_bytes() == built[mode], mode
        (alone / "build" / f"pl-{mode}.epub").unlink()
    result = run_cli("build", "--jobs", "1", "--only", "epub", str(alone))  # the parts from the cache
    assert result.returncode == 0, result.stderr
    for mode in MODES:
        assert (alone / "build" / f"pl-{mode}.epub").read_bytes() == built[mode], mode


def test_an_epub_without_its_modes_reader_pdf_has_no_page_list(tmp_path):
    root = write_project(tmp_path / "book", {"01.md": chapter("第一章", 2)},
                         book_toml(slug="e", formats=["epub"], modes=["horizontal"]))
    result = run_cli("build", "--jobs", "1", str(root))
    assert result.returncode == 0, result.stderr
    files = epub_files(root / "build" / "e-horizontal.epub")
    assert 'epub:type="page-list"' not in files["nav.xhtml"]
    assert not any("doc-pagebreak" in text for text in files.values())


@pytest.mark.parametrize("mode", MODES)
def test_epubcheck_passes_the_epub_with_its_page_list(build, mode):
    result = run_epubcheck(build / f"pl-{mode}.epub")
    assert (result["errors"], result["warnings"]) == (0, 0), result["messages"]


@pytest.mark.slow
@pytest.mark.parametrize("mode", MODES)
def test_ace_finds_no_violation_in_the_epub_with_its_page_list(build, tmp_path, mode):
    assert run_ace(build / f"pl-{mode}.epub", tmp_path / "ace") == []


# A book whose contents and references run over several pages, and whose chapters have tall
# and wide figures between their sections: where a page has no room left for one, it is
# deferred to the head of the next page (a vertical island, a horizontal page float).
# (Each entry, heading and caption has text of its own: the digits are not compared, see plain.)
REFERENCES = [{"id": f"r{n}", "type": "book", "title": f"{WORDS[n - 1]}{WORDS[n * 5 % 36]}調査報告書の総合的検討と分析",
               "author": [{"family": f"{WORDS[n - 1]}田", "given": "太郎"}], "publisher": "報告社",
               "issued": {"date-parts": [[1990 + n]]}}
              for n in range(1, 37)]
SECTIONS = 6
FIGURE_AFTER = (2, 3, 5)  # the sections figures follow
MATTER_FIGURE = '![{name}の見取り図](images/{shape}.png "港の岸壁の見取り図その{n}")'


def figure_name(number: int, section: int) -> str:
    """The name of the figure after a section of chapter ``number``, and of the chapter."""
    return WORDS[number] + WORDS[20 + section] + "港"


def matter_chapter(number: int) -> str:
    parts = []
    for n in range(1, SECTIONS + 1):
        cite = f"[@r{(number - 1) * 3 + n}]" if n <= 3 else ""
        parts.append(f"## {WORDS[number]}{WORDS[n + 12]}の節\n\n" + paragraph(f"matter{number}-{n}") + f"引く{cite}。")
        if n in FIGURE_AFTER:
            parts.append(MATTER_FIGURE.format(name=figure_name(number, n), n=number, shape="tall" if (number + n) % 2 else "wide"))
    return f"# 第{number}章　{figure_name(number, 0)}の記録\n\n" + "\n\n".join(parts) + "\n"


@pytest.fixture(scope="module")
def matter_build(tmp_path_factory):
    import json

    root = write_project(tmp_path_factory.mktemp("page-list-matter") / "book",
                         {f"{n:02d}.md": matter_chapter(n) for n in range(1, 13)},
                         book_toml(title="頁の試験", slug="pm", formats=["pdf", "epub"], bibliography="refs.json"),
                         {"manuscript/refs.json": json.dumps(REFERENCES, ensure_ascii=False),
                          "manuscript/images/tall.png": image_bytes((240, 400), (30, 60, 120)),
                          "manuscript/images/wide.png": image_bytes((400, 240), (30, 60, 120))})
    result = run_cli("build", "--jobs", "1", str(root))
    assert result.returncode == 0, result.stderr
    return root / "build"


@pytest.mark.parametrize("mode", MODES)
def test_each_page_of_the_contents_and_references_is_marked_at_the_entry_it_begins_with(matter_build, mode):
    pdf, files = matter_build / f"pm-{mode}.pdf", epub_files(matter_build / f"pm-{mode}.epub")
    listed = page_list(files)
    assert [page for page, _ in listed] == [page for page in range(1, pdf_pages(pdf) + 1) if pdf_page_text(pdf, page)]
    for matter in ("toc.xhtml", "references.xhtml"):
        pages = [page for page, file_name in listed if file_name == matter]
        assert len(pages) >= 2, (matter, pages)  # the book's contents and references run over pages
        for page in pages[1:]:
            # The marker is inside the document, at the page's first entry: the text after it
            # begins the page, the text before it ends the page before.
            before, after = text_around_marker(files[matter], page)
            this_page, page_before = pdf_page_text(pdf, page), pdf_page_text(pdf, page - 1)
            assert len(before) > 20, (matter, page)
            assert after[:4] in this_page and after[:4] not in page_before, (matter, page, after[:20], this_page[:80])
            assert before[-4:] in page_before, (matter, page, before[-20:], page_before[-80:])


@pytest.mark.parametrize("mode", MODES)
def test_a_page_opening_with_a_deferred_figure_is_marked_where_its_text_begins(matter_build, mode):
    """The figure the page before had no room for stands at this page's head, before the text
    that runs on from the page before: the marker stands where that text goes on, not with the
    page before's marker, nor before the figure (which the EPUB has before the page before's text)."""
    pdf, files = matter_build / f"pm-{mode}.pdf", epub_files(matter_build / f"pm-{mode}.epub")
    listed = dict(page_list(files))
    texts = {page: pdf_page_text(pdf, page) for page in range(1, pdf_pages(pdf) + 1)}
    deferred = []
    for number in range(1, 13):
        document = files[f"chapter-{number:03d}.xhtml"]
        for section in FIGURE_AFTER:
            caption = plain(f"{figure_name(number, section)}の見取り図")
            # The text the manuscript has after the figure: the next section's first sentence
            # (the page of its first line; runs of it, as pdftotext may give a line apart).
            following = paragraph(f"matter{number}-{section + 1}").partition("させる")[2]
            on = [page for page, text in texts.items() if caption in text]
            after_on = [page for page, text in texts.items()
                        if on and on[0] - 2 <= page <= on[0] and any(following[i:i + 6] in text for i in range(0, 24, 6))]
            assert len(on) == 1 and after_on, (number, section, on, after_on)
            if on[0] > after_on[0]:
                page = on[0]
                deferred.append(page)
                assert listed[page] == f"chapter-{number:03d}.xhtml"
                # The text before the marker ends the page before, the text after it is on this
                # page (runs of it: pdftotext gives a ruby's reading within its line), past the figure.
                before, after = text_around_marker(document, page)
                assert caption in before and caption not in after, page
                assert before[-10:] in texts[page - 1] and before[-10:] not in texts[page], (page, before[-20:])
                runs = [after[i:i + 8] for i in range(0, 24, 8)]
                assert any(run in texts[page] for run in runs), (page, after[:30], texts[page][:80])
                assert not any(run in texts[page - 1] for run in runs), (page, after[:30])
    assert deferred, "no figure was deferred: the test book no longer tests this"


def test_the_page_list_follows_the_folios_an_authors_stylesheet_numbers(tmp_path):
    """An author's stylesheet numbers the folios from 101 (here in a book laid out whole by the
    author's template, and in one laid out chapter by chapter): each page's marker is labelled
    with the folio the PDF prints on it, and named by its place in the PDF, so ids stay unique."""
    from importlib.resources import files

    template = files("reportpub").joinpath("templates/pdf.html").read_text(encoding="utf-8")
    whole = template.replace('<section class="chapter"', '<div class="chapter"').replace(
        "</section>\n{%- endfor %}", "</div>\n{%- endfor %}")
    for name, override in (("whole", whole), ("parts", None)):
        root = write_project(tmp_path / name, {"01.md": chapter("第一章　始まり", 8), "02.md": chapter("第二章　続き", 6)},
                             book_toml(slug="pl", formats=["pdf", "epub"], modes=["horizontal"]),
                             {"styles/folios.css": "@page :first { counter-reset: page 100; }\n"
                                                   "@page chapter:first { counter-increment: page 100; }\n"})
        if override:
            (root / "templates").mkdir()
            (root / "templates" / "pdf.html").write_text(override, encoding="utf-8")
        result = run_cli("build", "--jobs", "1", str(root))
        assert result.returncode == 0, result.stderr
        pdf, epub = root / "build" / "pl-horizontal.pdf", epub_files(root / "build" / "pl-horizontal.epub")
        nav = epub["nav.xhtml"][epub["nav.xhtml"].index('epub:type="page-list"'):]
        listed = [(int(page), int(label), file_name)
                  for file_name, page, label in re.findall(r'<a href="([^"#]+)#page-(\d+)">(\d+)</a>', nav)]
        assert [page for page, _, _ in listed] == [page for page in range(1, pdf_pages(pdf) + 1) if pdf_page_text(pdf, page)]
        chapter_pages = [(page, label) for page, label, file_name in listed if file_name.startswith("chapter-")]
        assert len(chapter_pages) >= 4, name
        for page, label in chapter_pages:
            printed = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), str(pdf), "-"],
                                     capture_output=True, text=True, check=True).stdout.split()
            assert label > 100 and str(label) in printed, (name, page, label, printed[-3:])
            document = next(file_name for listed_page, _, file_name in listed if listed_page == page)
            assert f'id="page-{page}" aria-label="{label}"' in epub[document], (name, page)
        checked = run_epubcheck(root / "build" / "pl-horizontal.epub")
        assert (checked["errors"], checked["warnings"]) == (0, 0), checked["messages"]


@pytest.fixture(scope="module")
def long_table_build(tmp_path_factory):
    """A chapter with a table longer than a page: the horizontal PDF breaks it over pages,
    repeating its header; the vertical PDF cuts it into pieces (island_pieces.py), each later
    one repeating the header and its caption marked 続き."""
    root = write_project(tmp_path_factory.mktemp("page-list-table") / "book", {
        "01.md": f"# 第一章　年表\n\n{paragraph('表の前')}\n\n{LONG_TABLE}\n\n{paragraph('表の後')}\n"}, BOOK)
    result = run_cli("build", "--jobs", "1", str(root))
    assert result.returncode == 0, result.stderr
    return root / "build"


@pytest.mark.parametrize("mode", MODES)
def test_a_page_going_on_with_a_long_table_is_marked_at_its_first_row(long_table_build, mode):
    """What the PDF repeats of a table broken over pages (its header; in the vertical PDF its
    caption, marked 続き, too) is not the manuscript's text: counted, it put the marker of
    the pages after a cell or two late, inside a row the page before had set."""
    files = epub_files(long_table_build / f"pl-{mode}.epub")
    pdf = long_table_build / f"pl-{mode}.pdf"
    checked = []
    for page, file_name in page_list(files):
        document = files[file_name]
        marker = re.search(rf'id="page-{page}"', document).start()
        if document.rfind("<table", 0, marker) <= document.rfind("</table>", 0, marker):
            continue  # the marker is not in the table
        printed = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), str(pdf), "-"],
                                 capture_output=True, text=True, check=True).stdout
        first_row = min(int(n) for n in re.findall(r"R(\d\d)", unicodedata.normalize("NFKC", printed)))
        following = re.sub(r"\s", "", re.sub(r"<[^>]+>", "", document[document.index(">", marker) + 1:]))
        assert int(re.search(r"R(\d\d)", following).group(1)) == first_row, (page, following[:40])
        assert re.match(rf"2024年\d+月{first_row}日R{first_row:02d}", following), (page, following[:40])
        checked.append(page)
    assert len(checked) >= 2, checked  # pages the table goes on to
    report = run_epubcheck(long_table_build / f"pl-{mode}.epub")
    assert (report["errors"], report["warnings"]) == (0, 0), report["messages"]
