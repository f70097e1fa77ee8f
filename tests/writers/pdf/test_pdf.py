"""The PDF editions as a reader, a printer and an archivist get them: read back with poppler and pypdf."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

import reportpub
from reportpub.xhtml import parse_fragment, serialize
from tests.conftest import LINK_AND_TABLE_CHAPTER, book_toml, image_bytes, run_cli, write_project

MM = 72 / 25.4

BOOK = book_toml(title="試験報告", subtitle="縦と横の組版", authors=["著者 太郎"], publisher="試験出版", version="2.0", identifier="urn:uuid:00000000-0000-4000-8000-000000000001", pdf={"paper": "A5", "bleed": "3mm"}, formats=["pdf", "print"], modes=["vertical", "horizontal"])

CHAPTER_1 = """# 第一章　始まり

## 背景 {#background}

国際情勢は12月に大きく動きました。2024年の出来事を{平壌|ピョンヤン}から見ると、《《重要な変化》》が見えてきます[^one]。

ロシアとNorth Koreaの協力は、1万1000人の兵力に及ぶとされます!?　💡要点は✅印で示します。

![港の見取り図](images/port.png)

[^one]: 注の本文。<https://example.com/a>
"""

CHAPTER_2 = LINK_AND_TABLE_CHAPTER + "\n表の後にも本文が続きます。\n"


def png() -> bytes:
    return image_bytes((300, 150), (30, 60, 120))


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = write_project(tmp_path_factory.mktemp("pdf") / "book", {"01.md": CHAPTER_1, "02.md": CHAPTER_2}, BOOK,
                         {"manuscript/images/port.png": png()})
    result = run_cli("build", str(root))
    assert result.returncode == 0, result.stderr
    return root


def text_of(path, page=None) -> str:
    options = ["-f", str(page), "-l", str(page)] if page else []
    return subprocess.run(["pdftotext", *options, str(path), "-"], capture_output=True, text=True, check=True).stdout


def page_with(path, needle: str) -> int:
    reader = PdfReader(path)
    for number in range(1, len(reader.pages) + 1):
        if needle in text_of(path, number):
            return number
    raise AssertionError(f"{needle!r} not found")


def test_horizontal_text_in_reading_order(built):
    text = re.sub(r"\s+", "", text_of(built / "build" / "t-horizontal.pdf"))
    assert "国際情勢は12月に大きく動きました。" in text
    position = 0
    for expected in ("試験報告", "目次", "第一章", "第二章", "国際情勢", "第二章", "詳しくは", "発行日"):
        position = text.find(expected, position)  # title page, contents (both chapters), chapter 1, 2, colophon
        assert position >= 0, expected
    assert "注の本文。https://example.com/a" in text


def test_every_font_embedded(built):
    for name in ("t-horizontal.pdf", "t-vertical.pdf", "t-vertical-print.pdf"):
        report = subprocess.run(["pdffonts", str(built / "build" / name)], capture_output=True, text=True, check=True).stdout
        rows = report.splitlines()[2:]
        assert rows, report
        for row in rows:
            assert re.search(r"\s(yes)\s+(yes)\s+(yes)\s+\d+\s+\d+\s*$", row), row  # emb, sub, uni
            assert "Type 3" not in row


def test_vertical_pdf_is_set_in_the_derived_vertical_fonts(built):
    report = subprocess.run(["pdffonts", str(built / "build" / "t-vertical.pdf")], capture_output=True, text=True,
                            check=True).stdout
    assert "RP-Vertical-Serif" in report and "RP-Vertical-Sans-Bold" in report, report
    assert "RP-Vertical-Symbols" in report  # 💡 ✅ from Symbola, turned upright like the kanji


def test_vertical_layout_in_process_reaches_no_network(built, tmp_path):
    """In-process (so the test's network guard sees every lookup), the derived fonts load."""
    from reportpub.build import read_book
    from reportpub.project import Project
    from reportpub.templates import Templates
    from reportpub.writers.pdf import layout as pdf_layout
    from reportpub.writers.pdf.output import write_pdf

    project = Project.open(built)
    document = pdf_layout.layout_book(read_book(project), project, "vertical", Templates(project))
    write_pdf(document, tmp_path / "v.pdf", read_book(project), project, vertical=True)
    report = subprocess.run(["pdffonts", str(tmp_path / "v.pdf")], capture_output=True, text=True, check=True).stdout
    assert "RP-Vertical-Serif" in report


def test_outline_and_links(built):
    reader = PdfReader(built / "build" / "t-horizontal.pdf")
    titles = [item.title for item in reader.outline if not isinstance(item, list)]
    assert "第一章　始まり" in titles and "第二章　続き" in titles and "目次" in titles
    links = [annotation.get_object() for page in reader.pages for annotation in page.get("/Annots", [])]
    internal = [a for a in links if "/Dest" in a or ("/A" in a and a["/A"].get("/S") == "/GoTo")]
    external = [a for a in links if "/A" in a and a["/A"].get("/URI") == "https://example.com/a"]
    assert len(internal) >= 3 and external  # TOC entries, the cross-reference; the URL in the note


def test_metadata(built):
    info = PdfReader(built / "build" / "t-horizontal.pdf").metadata
    assert info.title == "試験報告" and info.author == "著者 太郎"
    assert info["/CreationDate"].startswith("D:20241220")


def test_reader_pdf_is_pdfa3_with_sources_attached(built):
    reader = PdfReader(built / "build" / "t-vertical.pdf")
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert 'pdfaid:part="3"' in xmp and 'pdfaid:conformance="A"' in xmp
    assert "<rdf:li>ja</rdf:li>" in xmp and "<dc:identifier>urn:uuid:00000000-0000-4000-8000-000000000001</dc:identifier>" in xmp
    assert "<xmpMM:VersionID>2.0</xmpMM:VersionID>" in xmp and "<rdf:li>2024-12-20</rdf:li>" in xmp
    assert sorted(reader.attachments) == ["manuscript/01.md", "manuscript/02.md", "manuscript/book.toml",
                                          "manuscript/images/port.png", "reportpub-build.json"]
    assert reader.attachments["manuscript/01.md"][0].decode() == CHAPTER_1


def test_print_pdf_has_trim_bleed_and_marks(built):
    reader = PdfReader(built / "build" / "t-horizontal-print.pdf")
    page = reader.pages[4]
    trim, bleed, media = page.trimbox, page.bleedbox, page.mediabox
    assert float(trim.width) == pytest.approx(148 * MM, abs=0.1) and float(trim.height) == pytest.approx(210 * MM, abs=0.1)
    assert float(bleed.width) == pytest.approx(154 * MM, abs=0.1) and float(bleed.height) == pytest.approx(216 * MM, abs=0.1)
    assert float(media.width) > float(bleed.width) + 10 * MM  # room for the crop marks
    assert "GTS_PDFX" in str(reader.trailer["/Root"].get("/OutputIntents", [{}])[0].get_object())
    marks = page["/Contents"][-1].get_object().get_data().decode()  # the printer's marks, drawn last
    assert "1 1 1 1 K" in marks and marks.count(" l S") == 24  # 4 corners × 2 lines × 2 arms, 4 centre crosses × 2
    reader_page = PdfReader(built / "build" / "t-horizontal.pdf").pages[4]
    assert float(reader_page.mediabox.width) == pytest.approx(148 * MM, abs=0.1)  # the reader sees the trim area only


def test_reader_and_print_share_one_layout(built):
    assert len(PdfReader(built / "build" / "t-vertical.pdf").pages) == len(PdfReader(built / "build" / "t-vertical-print.pdf").pages)
    # In content order: pdftotext's reading-order guess can differ on the print edition's pages,
    # shifted by the bleed, although every glyph stands where it does in the reader edition.
    raw = [subprocess.run(["pdftotext", "-raw", str(built / "build" / name), "-"], capture_output=True, text=True,
                          check=True).stdout for name in ("t-vertical.pdf", "t-vertical-print.pdf")]
    assert raw[0] == raw[1]


def test_vertical_pages_are_portrait_and_read_right_to_left(built, tmp_path):
    path = built / "build" / "t-vertical.pdf"
    reader = PdfReader(path)
    page = reader.pages[0]
    assert page.get("/Rotate") == 90
    assert float(page.mediabox.width) > float(page.mediabox.height)  # the frame; shown turned, the page is portrait
    assert reader.trailer["/Root"]["/ViewerPreferences"]["/Direction"] == "/R2L"
    subprocess.run(["pdftoppm", "-r", "20", "-png", "-f", "1", "-l", "1", "-singlefile", str(path), str(tmp_path / "p")],
                   check=True)
    with Image.open(tmp_path / "p.png") as image:
        assert image.height > image.width


def column_words(path, page: int) -> list[tuple[float, float, float, float, str]]:
    xml = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), "-bbox", str(path), "-"],
                         capture_output=True, text=True, check=True).stdout
    return [(float(a), float(b), float(c), float(d), w) for a, b, c, d, w in
            re.findall(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]+)<', xml)]


def test_vertical_text_runs_top_to_bottom_in_columns_right_to_left(built):
    path = built / "build" / "t-vertical.pdf"
    number = page_with(path, "国際情勢")
    words = column_words(path, number)
    sentence = next(w for w in words if w[4].startswith("国際情勢は"))
    x_min, y_min, x_max, y_max, _ = sentence
    assert (y_max - y_min) > 3 * (x_max - x_min)  # a tall, narrow column: characters stacked top to bottom
    later = next(w for w in words if "ロシアと" in w[4])
    assert later[0] < x_min  # the next paragraph's column stands to the left


def test_vertical_typography_markup(built):
    text = text_of(built / "build" / "t-vertical.pdf")
    assert "２０２４年" in text  # 3+ digits upright, one per cell (full-width)
    assert "１万１０００人" in text  # the lone 1 and the 1000 of 1万1000人: upright, not tate-chu-yoko
    assert "12" in text and "!?" in text  # set tate-chu-yoko (one-em cells of the vertical font)
    assert "ピョンヤン" in text and "平壌" in text  # ruby reading kept


def test_vertical_tate_chu_yoko_is_extracted_in_reading_order(built):
    """Tate-chu-yoko cells are glyphs of the column's own font (a dlig ligature), so text
    extraction, search and copy find 12 and !? where they are read, not elsewhere on the page."""
    for name in ("t-vertical.pdf", "t-vertical-print.pdf"):
        text = re.sub(r"\s+", "", text_of(built / "build" / name))
        assert "国際情勢は12月に大きく動きました。" in text
        assert "兵力に及ぶとされます!?" in text
        assert "見えてきます1。" in text  # the note call, a one-digit cell in the column


def test_notes_and_figures_in_vertical_pdf(built):
    path = built / "build" / "t-vertical.pdf"
    number = page_with(path, "注の本文")
    words = column_words(path, number)
    note = next(w for w in words if "注の本文" in w[4])
    body = [w for w in words if "国際情勢" in w[4]]
    if body:  # same page: the note stands at the left of the text (side note)
        assert note[2] < body[0][0]
    assert "図1" in text_of(path) and "表1" in text_of(path)


def test_vertical_islands_stand_upright_at_the_page_head_with_text_below(built):
    path = built / "build" / "t-vertical.pdf"
    number = page_with(path, "主な出来事")
    words = column_words(path, number)
    caption = next(w for w in words if "主な出来事" in w[4])
    assert (caption[2] - caption[0]) > 3 * (caption[3] - caption[1])  # reads across the page: upright
    after = next(w for w in words if "表の後にも" in w[4])
    assert after[1] > caption[3]  # the text goes on in columns below the island, on the same page


def test_same_sources_give_same_bytes_from_another_directory(built, tmp_path):
    copy = tmp_path / "elsewhere" / "book"
    shutil.copytree(built / "manuscript", copy / "manuscript")
    result = run_cli("build", str(copy))
    assert result.returncode == 0, result.stderr
    for name in ("t-horizontal.pdf", "t-vertical.pdf", "t-horizontal-print.pdf", "t-vertical-print.pdf", "manifest.json"):
        assert (copy / "build" / name).read_bytes() == (built / "build" / name).read_bytes(), name


def test_ruby_overhangs_only_neighbouring_kana_and_marks_by_at_most_one_ruby_character():
    from reportpub.writers.pdf.chapter_html import ruby_overhangs_em

    assert ruby_overhangs_em("漢字", "かんじ", "の", "を") == (0.0, 0.0)  # 1.5 em of ruby over 2 em of base
    assert ruby_overhangs_em("平壌", "ピョンヤン", "の", "を") == (0.25, 0.25)  # half an em shared by both kana
    assert ruby_overhangs_em("平壌", "ピョンヤン", "国", "を") == (0.0, 0.5)  # never over a kanji
    assert ruby_overhangs_em("私", "わたくし", "", "は") == (0.0, 0.5)  # capped at one ruby character
    assert ruby_overhangs_em("京", "きょう", "", "") == (0.0, 0.0)  # beside another reading: the base is spread
    # A mark's ink half (JLREQ 3.3.8): an opening bracket before, a closing bracket, full stop or comma after.
    assert ruby_overhangs_em("東京", "とうきょう", "文", "。") == (0.0, 0.5)
    assert ruby_overhangs_em("私", "わたくし", "「", "」") == (0.5, 0.5)
    assert ruby_overhangs_em("私", "わたくし", "」", "「") == (0.0, 0.0)  # a mark's blank side: spread


def test_ruby_boxes_sit_in_the_text_without_wrappers():
    """Each reading and its base are one inline box, the base its own text: WeasyPrint's
    line breaking pays for every inline element. Per-character ruby is one unbreakable group,
    whose readings never reach into each other."""
    from reportpub.writers.pdf.chapter_html import _ruby_boxes

    root = parse_fragment("<p>前<ruby>条<rt>じょう</rt>約<rt>やく</rt></ruby>後<ruby>漢字</ruby>。"
                          "の<ruby>平壌<rt>ピョンヤン</rt></ruby>を</p>")
    _ruby_boxes(root)
    assert serialize(root) == (
        '<p>前<span class="nobr ruby-chars"><span class="ruby"><span class="rt">じょう</span>条</span>'
        '<span class="ruby"><span class="rt">やく</span>約</span></span>後漢字。'
        '<span class="nobr">の<span class="ruby overhang-before-2 overhang-after-2"><span class="rt">ピョンヤン</span>'
        '平壌</span>を</span></p>')


def test_every_ruby_overhang_class_has_its_rule():
    from reportpub.writers.pdf.chapter_html import (
        MAX_RUBY_OVERHANG_EM,
        ruby_overhang_classes,
    )

    css = (Path(reportpub.__file__).parent / "theme" / "pdf.css").read_text(encoding="utf-8")
    for eighths in range(1, round(MAX_RUBY_OVERHANG_EM * 8) + 1):
        before, after = ruby_overhang_classes(eighths / 8, eighths / 8)
        for name, side in ((before, "left"), (after, "right")):
            # On the reading, in its own em (half the base's): the box keeps the base's place.
            rule = re.search(rf"\.ruby\.{name} \.rt \{{ margin-{side}: -([\d.]+)em; \}}", css)
            assert rule and float(rule[1]) == 2 * eighths / 8, name


def test_lines_with_ruby_keep_the_line_pitch(make_project):
    """A reading that overhangs its neighbours must not push its line down: every line of a
    paragraph stands the same distance below the one before."""
    words = "国際情勢は大きく動きました。" * 3
    paragraph = "".join(words + ("{平壌|ピョンヤン}" if n % 3 == 1 else "{北朝鮮|きたちょうせん}" if n % 3 == 2 else "")
                        for n in range(12))
    root = make_project({"01.md": f"# 章\n\n{paragraph}\n"})
    result = run_cli("build", "--only", "pdf", "--mode", "horizontal", str(root))
    assert result.returncode == 0, result.stderr
    path = next((root / "build").glob("*-horizontal.pdf"))
    number = page_with(path, "国際情勢")
    base_lines = sorted({round(w[3], 1) for w in column_words(path, number) if w[3] - w[1] > 8 and "国際" in w[4]})
    pitches = [b - a for a, b in zip(base_lines, base_lines[1:])]
    assert len(pitches) >= 8
    assert max(pitches) - min(pitches) < 0.2, pitches


def test_spans_the_pdf_styles_nothing_are_unwrapped():
    """A note's paragraphs made inline and upright digits (upright anyway in the derived fonts)
    lose their spans, innermost first; every other span stays."""
    from reportpub.writers.pdf.chapter_html import _unwrap_unstyled_spans

    root = parse_fragment('<p><span class="upright">２０２４</span>年<span class="tcy">12</span>月'
                                 '<span>注<span class="upright">４</span>の<em>本文</em></span>。</p>')
    _unwrap_unstyled_spans(root)
    assert serialize(root) == '<p>２０２４年<span class="tcy">12</span>月注４の<em>本文</em>。</p>'


def test_upright_spans_stay_when_the_authors_css_styles_them(make_project):
    from reportpub.build import read_book
    from reportpub.project import Project
    from reportpub.templates import Templates
    from reportpub.writers.pdf import layout as pdf_layout

    chapter = {"01.md": "# 章\n\n2024年の出来事。\n"}
    plain = Project.open(make_project(chapter, name="plain"))
    styled = Project.open(make_project(chapter, name="styled", files={"styles/numbers.css": ".upright { color: #a00; }\n"}))
    for project, kept in ((plain, False), (styled, True)):
        html = pdf_layout.PdfLayout(read_book(project), project, "vertical", Templates(project)).html
        chapter = html[html.index('<section class="chapter"'):html.index("</section>", html.index('<section class="chapter"'))]
        assert "２０２４" in chapter
        # The number is one unbreakable unit either way (writers/pdf/line_units.py).
        assert ('<span class="upright"><span class="nobr">２０２４</span></span>' in chapter) is kept


def test_vertical_running_head_sets_two_digits_tate_chu_yoko(make_project):
    """The chapter title in the running head sets 12 across the column, one glyph of the
    vertical font as in the text, not two digits turned on their side."""
    import pikepdf

    title = "第12報　題名"
    root = make_project({"01.md": f"# {title}\n\n" + "\n\n".join(["国際情勢は大きく動きました。" * 12] * 16) + "\n"})
    result = run_cli("build", "--only", "pdf", "--mode", "vertical", str(root))
    assert result.returncode == 0, result.stderr
    head_glyphs = []
    with pikepdf.open(next((root / "build").glob("*-vertical.pdf"))) as document:
        for page in document.pages:
            size = None
            for operands, operator in pikepdf.parse_content_stream(page):
                if str(operator) == "Tf":
                    size = round(float(operands[1]) * 0.75, 1)  # CSS px → pt
                elif str(operator) == "TJ" and size == 7.0:  # the running heads' size
                    head_glyphs.append(sum(len(bytes(s)) // 2 for s in operands[0] if isinstance(s, pikepdf.String)))
    assert len(title) - 1 in head_glyphs, head_glyphs  # 第 12 報 　 題 名: six glyphs
    assert len(title) not in head_glyphs


def test_vertical_front_and_back_matter_set_digits_as_the_text_does(make_project):
    """The title page, contents and colophon of the vertical PDF come from templates; they
    get the tate-chu-yoko and upright digits the chapters have, and stay escaped. The
    horizontal edition's are left as written."""
    from reportpub.build import read_book
    from reportpub.project import Project
    from reportpub.templates import Templates
    from reportpub.writers.pdf import layout as pdf_layout

    book_toml = 'title = "報告"\nsubtitle = "参戦!?"\nauthors = ["著者"]\ndate = 2024-12-20\nslug = "m"\n'
    project = Project.open(make_project({"01.md": "# 第12報　R&D\n\n本文。\n\n## 節（12・1）\n\n本文。\n"},
                                        book=book_toml))
    book = read_book(project)
    html = {mode: pdf_layout.PdfLayout(book, project, mode, Templates(project)).html for mode in ("vertical", "horizontal")}

    def section(mode: str, start: str, end: str) -> str:
        begin = html[mode].index(start)
        return html[mode][begin:html[mode].index(end, begin)]

    contents = section("vertical", '<nav class="toc"', "</nav>")
    assert '第<span class="tcy">12</span>報　R&amp;D' in contents
    assert '（<span class="tcy">12</span>・<span class="upright">１</span>）' in contents
    assert '参戦<span class="tcy">!?</span>' in section("vertical", 'id="titlepage"', "</section>")
    colophon = section("vertical", 'id="colophon"', "</section>")
    assert '<span class="upright">２０２４</span>年<span class="tcy">12</span>月<span class="tcy">20</span>日' in colophon
    assert "第12報　R&amp;D" in section("horizontal", '<nav class="toc"', "</nav>")
    assert "2024年12月20日" in section("horizontal", 'id="colophon"', "</section>")


def test_running_title_from_an_authors_title_page_that_is_not_xhtml(make_project):
    """A title page template written as plain HTML (a bare <br>) still gives the running
    heads the book's title, digits set for the vertical edition."""
    from reportpub.build import read_book
    from reportpub.project import Project
    from reportpub.templates import Templates
    from reportpub.writers.pdf import layout as pdf_layout

    template = '<section class="titlepage" id="titlepage">\n  <p class="title">{{ book.title }}<br>2024年版</p>\n</section>\n'
    project = Project.open(make_project({"01.md": "# 章\n\n本文。\n"}, files={"templates/titlepage.html": template}))
    book = read_book(project)
    assert pdf_layout.PdfLayout(book, project, "vertical", Templates(project)).running_title == "試験の本２０２４年版"
    assert pdf_layout.PdfLayout(book, project, "horizontal", Templates(project)).running_title == "試験の本2024年版"
