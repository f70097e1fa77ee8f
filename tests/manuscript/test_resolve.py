"""Reading chapters and resolving the book: numbering, notes, links, images, errors with lines."""

import io

import pytest
from PIL import Image

from reportpub.build import read_book
from reportpub.diagnostics import ReportpubError
from reportpub.project import Project


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), "navy").save(buffer, "PNG")
    return buffer.getvalue()


def book_of(root):
    return read_book(Project.open(root))


def error_lines(root) -> list[str]:
    with pytest.raises(ReportpubError) as info:
        book_of(root)
    return [str(d) for d in info.value.diagnostics]


def test_chapters_by_file_name_and_titles(make_project):
    book = book_of(make_project({"02-b.md": "# 第二章\n\n本文", "01-a.md": "# 第一章\n\n## 節 {#sec}\n\n本文"}))
    assert [c.title for c in book.chapters] == ["第一章", "第二章"]
    assert [c.id for c in book.chapters] == ["chapter-1", "chapter-2"]
    assert [(h.level, h.id, h.text) for h in book.chapters[0].headings] == [(1, "chapter-1", "第一章"), (2, "sec", "節")]


def test_chapter_order_from_book_toml(make_project):
    root = make_project({"a.md": "# あ", "b.md": "# い"}, book='title = "題"\nchapters = ["b.md", "a.md"]\n')
    assert [c.title for c in book_of(root).chapters] == ["い", "あ"]


def test_notes_numbered_in_one_sequence_through_the_book(make_project):
    book = book_of(make_project({
        "01.md": "# 一\n\n本文[^x]と[^y]。\n\n[^y]: 二番目\n[^x]: 一番目\n",
        "02.md": "# 二\n\n本文[^x]。\n\n[^x]: 三番目の*強調*\n",
    }))
    first, second = book.chapters
    assert [(n.number, n.html) for n in first.notes] == [(1, "<p>一番目</p>"), (2, "<p>二番目</p>")]
    assert second.notes[0].number == 3 and 'em-sesame' in second.notes[0].inline_html
    assert '<span class="noteref" data-note="1"></span>' in first.body
    assert '<span class="noteref" data-note="3"></span>' in second.body
    assert second.notes[0].location.path == "manuscript/02.md" and second.notes[0].location.line == 5


def test_figures_and_tables_are_numbered(make_project):
    root = make_project(
        {"01.md": "# 一\n\n![港の写真](images/a.png)\n\nTable: 一覧\n\n| a | b |\n|---|---|\n| 1 | 2 |\n",
         "02.md": "# 二\n\n![二枚目](images/a.png)\n"},
        files={"manuscript/images/a.png": png_bytes()})
    book = book_of(root)
    assert '<span class="caption-label">図1</span>\u3000港の写真' in book.chapters[0].body
    assert '<span class="caption-label">表1</span>\u3000一覧' in book.chapters[0].body
    assert '<span class="caption-label">図2</span>' in book.chapters[1].body
    assert [(a.href, a.path, a.media_type) for a in book.assets] == [("images/a.png", "manuscript/images/a.png", "image/png")]


def test_cross_reference_to_another_chapter(make_project):
    book = book_of(make_project({"01.md": "# 一\n\n[後述](#later)を参照。", "02.md": "# 二\n\n## 後の節 {#later}\n"}))
    assert book.chapter_of_anchor("later").index == 2


def test_page_reference_is_marked_for_the_pdf_and_must_lead_inside_the_book(make_project):
    book = book_of(make_project({"01.md": "# 一\n\n[](#later){.page}と[後の節](#later){.page .mine}を参照。",
                                 "02.md": "# 二\n\n## 後の節 {#later}\n"}))
    body = book.chapters[0].body
    assert '<a class="page-reference xref" href="#later">後の節</a>と' in body
    assert '<a class="page-reference mine" href="#later">後の節</a>を' in body
    root = make_project({"01.md": "# 一\n\n本文。\n\n[外](https://example.com/){.page}\n"}, name="outside")
    assert error_lines(root) == [
        "manuscript/01.md:5: {.page} on a link to 'https://example.com/': a page reference must lead to a "
        "heading, figure or table of the book ([](#id){.page})"]


def test_undefined_footnote_and_dangling_link_are_errors_with_lines(make_project):
    root = make_project({"01.md": "# 一\n\n本文[^nope]。\n\n[どこにも](#nowhere)\n"})
    assert error_lines(root) == [
        "manuscript/01.md:3: footnote [^nope] is not defined",
        "manuscript/01.md:5: link to '#nowhere' leads nowhere (no heading or block has that id)",
    ]


def test_unused_footnote_is_a_warning_not_an_error(make_project):
    warnings = []
    read_book(Project.open(make_project({"01.md": "# 一\n\n本文\n\n[^unused]: 使われない注\n"})), warn=warnings.append)
    assert warnings == ["manuscript/01.md:5: warning: footnote [^unused] is defined but never referenced"]


def test_missing_and_broken_images(make_project):
    root = make_project({"01.md": "# 一\n\n![ない](images/none.png)\n\n![壊れた](images/bad.png)\n\n![外](../../etc/x.png)\n"},
                        files={"manuscript/images/bad.png": b"not an image"})
    assert error_lines(root) == [
        "manuscript/01.md:3: image 'images/none.png' not found",
        "manuscript/01.md:5: image 'images/bad.png' is not a readable image",
        "manuscript/01.md:7: image '../../etc/x.png' lies outside the project",
    ]



def test_an_image_checked_once_is_not_decoded_again_until_its_file_changes(make_project, monkeypatch):
    import reportpub.safety.images as images

    root = make_project({"01.md": "# 一\n\n![図](images/a.png \"説明\")\n"}, files={"manuscript/images/a.png": png_bytes()})
    assert [a.media_type for a in book_of(root).assets] == ["image/png"]
    decoded = []
    real = images.check_image_file
    monkeypatch.setattr(images, "check_image_file", lambda path, *a: decoded.append(path.name) or real(path, *a))
    assert [a.media_type for a in book_of(root).assets] == ["image/png"] and decoded == []
    image = root / "manuscript" / "images" / "a.png"
    image.write_bytes(b"not an image")
    assert error_lines(root) == ["manuscript/01.md:3: image 'images/a.png' is not a readable image"]
    assert error_lines(root) == ["manuscript/01.md:3: image 'images/a.png' is not a readable image"]  # never kept
    jpeg = io.BytesIO()
    Image.new("RGB", (4, 4)).save(jpeg, "JPEG")
    image.write_bytes(jpeg.getvalue())
    assert error_lines(root) == ["manuscript/01.md:3: image 'images/a.png' holds JPEG data but its name says "
                                 "image/png; rename it to a.jpg"]
    image.write_bytes(png_bytes())
    decoded.clear()
    assert [a.media_type for a in book_of(root).assets] == ["image/png"]
    assert [a.media_type for a in book_of(root).assets] == ["image/png"] and decoded == ["a.png"]

def test_chapter_not_utf8(make_project):
    root = make_project({"01.md": "# 一\n"})
    (root / "manuscript" / "02.md").write_bytes("# 二\n\n本文\n".encode("shift_jis"))
    (message,) = error_lines(root)
    assert message.startswith("manuscript/02.md:1: not UTF-8 text")


def test_listed_chapter_missing(make_project):
    root = make_project({"a.md": "# あ"}, book='title = "題"\nchapters = ["a.md", "gone.md"]\n')
    assert error_lines(root) == ["manuscript/book.toml:2: chapter 'gone.md' is listed but missing"]


def test_script_in_raw_html_is_refused(make_project):
    root = make_project({"01.md": "# 一\n\n本文\n\n<script>alert(1)</script>\n\n<iframe src=\"http://x\"></iframe>\n"})
    assert error_lines(root) == [
        "manuscript/01.md:5: raw HTML <script> is not allowed in a manuscript",
        "manuscript/01.md:7: raw HTML <iframe> is not allowed in a manuscript",
    ]


def test_duplicate_ids_across_chapters(make_project):
    root = make_project({"01.md": "# 一 {#same}\n", "02.md": "# 二 {#same}\n"})
    assert error_lines(root) == ["manuscript/02.md:1: id 'same' is already used in manuscript/01.md"]


def test_character_in_no_font_is_an_error_with_line_and_code_point(make_project):
    root = make_project({"01.md": "# 一\n\n普通の文。絵文字💡✅と矢印⇒は記号のフォントにある。\n\n古代文字\U00013000。\n"})
    assert error_lines(root) == [
        "manuscript/01.md:5: character '\U00013000' (U+13000 EGYPTIAN HIEROGLYPH A001) is in no configured font "
        "and would print as an empty box"]


def test_note_inside_emphasis_is_numbered_in_reading_order(make_project):
    book = book_of(make_project({"01.md": "# 一\n\n*強調[^a]*の後に[^b]。\n\n[^a]: 先\n[^b]: 後\n"}))
    assert [n.html for n in book.chapters[0].notes] == ["<p>先</p>", "<p>後</p>"]


def test_unrecognised_citation_text_is_an_error(make_project):
    root = make_project({"01.md": "# 一\n\n本文[@ bad]と`[@code]`。\n"})
    assert error_lines(root) == [
        "manuscript/01.md:3: '[@' is not a citation reportpub understands "
        "(write [@key], [@key, p. 12] or [@key1; @key2]; keys start with a letter, digit or _)"]


def test_long_books_read_in_parallel_keep_order_and_errors(make_project):
    from reportpub.build import PARALLEL_READING_MIN_CHAPTERS

    chapters = {f"{n:02d}.md": f"# 第{n}章\n\n本文[^a]。\n\n[^a]: 注{n}\n" for n in range(1, PARALLEL_READING_MIN_CHAPTERS + 3)}
    book = book_of(make_project(chapters))
    assert [c.title for c in book.chapters] == [f"第{n}章" for n in range(1, PARALLEL_READING_MIN_CHAPTERS + 3)]
    assert [c.notes[0].number for c in book.chapters] == list(range(1, PARALLEL_READING_MIN_CHAPTERS + 3))
    chapters["07.md"] = "# 第7章\n\n本文[^missing]。\n"
    assert error_lines(make_project(chapters, name="broken")) == ["manuscript/07.md:3: footnote [^missing] is not defined"]


@pytest.mark.parametrize("link, line", [
    ('[先](#nowhere "題")', 5),  # with a title: "(#nowhere)" is not in the source
    ("[先][r]です。\n\n[r]: #nowhere", 7),  # a reference link: the line of its definition
    ('<a href="#nowhere">先</a>', 5),  # raw HTML
])
def test_a_link_that_leads_nowhere_names_its_line_however_written(make_project, link, line):
    """Only an inline link without a title had a line; the others were 'manuscript/01.md: link …'."""
    root = make_project({"01.md": f"# 章\n\n段落。\n\n{link}\n"})
    assert error_lines(root) == [f"manuscript/01.md:{line}: link to '#nowhere' leads nowhere (no heading or block has that id)"]


def test_two_links_to_one_missing_target_each_name_their_own_line(make_project):
    """Both errors named the first link's line: the second was found by searching for the first."""
    root = make_project({"01.md": "# 章\n\n[先](#nowhere)です。\n\n段落。\n\n[また先](#nowhere \"題\")。\n\n"
                                  "<a href=\"#nowhere\">生の</a>\n"})
    message = "link to '#nowhere' leads nowhere (no heading or block has that id)"
    assert error_lines(root) == [f"manuscript/01.md:{line}: {message}" for line in (3, 7, 9)]
