"""The chapter-by-chapter PDF (writers/pdf/) held to a whole-book layout of the
same manuscript: same pages, page numbers, contents, outline and links; and only what an
edit touched is laid out again."""

import re
import subprocess
import warnings

import pytest
from pypdf import PdfReader

from reportpub.build import read_book
from reportpub.build.state import Fingerprinter
from reportpub.editions import PRINT_PDF
from reportpub.project import Project
from reportpub.templates import Templates
from reportpub.writers.pdf import layout as pdf_layout
from reportpub.writers.pdf import parts as pdf_parts
from reportpub.writers.pdf.book_html import ANCHOR_SCHEME
from reportpub.writers.pdf.output import write_pdf

from tests.conftest import book_toml

BOOK = book_toml(title="組み立ての試験（2024年12月版!?）", authors=["著者 太郎"], identifier="urn:uuid:00000000-0000-4000-8000-000000000002", slug="a", bibliography="refs.json", formats=["pdf", "print"], modes=["vertical", "horizontal"])

REFS = """[{"id": "doc", "type": "webpage", "title": "報告書", "author": [{"family": "山田", "given": "一郎"}],
  "issued": {"date-parts": [[2024, 11, 1]]}, "URL": "https://example.com/r", "reading": "やまだ"}]"""

PARAGRAPH = "国際情勢は12月に大きく動きました。北朝鮮とロシアの協力は{平壌|ピョンヤン}でも話題です。" * 6


def chapter(number: int, paragraphs: int) -> str:
    body = "\n\n".join(PARAGRAPH for _ in range(paragraphs))
    # A link into chapter 1 from the others (across parts), and one within the chapter.
    link = ("前の章の[節](#section-1-2)を見てください。" if number > 1 else "") + f"[この章の節](#section-{number}-2)も。"
    return (f"# 第{number}章　題{number}\n\n{link}{body}[^n{number}]\n\n## 節{number}の二 {{#section-{number}-2}}\n\n"
            f"{body}[@doc]\n\n[^n{number}]: 第{number}章の注。\n")


@pytest.fixture
def project(make_project):
    root = make_project({"01.md": chapter(1, 5), "02.md": chapter(2, 9), "03.md": chapter(3, 4)}, book=BOOK,
                        files={"manuscript/refs.json": REFS})
    return Project.open(root)


def assemble(project: Project, mode: str, target_dir) -> dict[str, object]:
    """Build one mode's reader and print PDFs chapter by chapter, in this process."""
    book = read_book(project)
    targets = {"reader": target_dir / f"{mode}.pdf", "print": target_dir / f"{mode}-print.pdf"}
    pdf_parts.write_mode_pdfs(book, project, mode, Templates(project), targets,
                              Fingerprinter(project).pdf_inputs_digest({c.source for c in book.chapters}))
    return targets


def whole(project: Project, mode: str, target, print_target=None) -> None:
    book = read_book(project)
    document = pdf_layout.layout_book(book, project, mode, Templates(project))
    write_pdf(document, target, book, project, vertical=mode == "vertical")
    if print_target is not None:
        write_pdf(document, print_target, book, project, vertical=mode == "vertical", variant=PRINT_PDF)


def print_pages(path) -> list:
    """What makes each page of a print edition: its boxes, its content streams (the last is
    the printer's marks; the others are compared drawn, by ``rendered_pages``: the reader's
    pages are tagged and the print edition WeasyPrint writes is not, which sets the same text
    in other text objects), its links' print flags and the sRGB profile its colours use."""
    reader = PdfReader(path)
    intent = reader.trailer["/Root"]["/OutputIntents"][0].get_object()["/DestOutputProfile"].get_object().get_data()
    pages = []
    for page in reader.pages:
        contents = page.get_object()["/Contents"]
        streams = [c.get_object().get_data() for c in (contents if isinstance(contents, list) else [contents])]
        # A stream that only sets up coordinates (WeasyPrint's on a blank page) draws nothing.
        streams = [data for data in streams if re.sub(rb"(-?[\d.]+\s+){6}cm|\bq\b|\bQ\b|\s", b"", data)]
        colour = page["/Resources"].get("/ColorSpace", {}).get("/srgb")
        pages.append({
            "boxes": [[round(float(v), 2) for v in page[box]] for box in ("/MediaBox", "/TrimBox", "/BleedBox")],
            "rotate": page.get("/Rotate"),
            "streams": len(streams),
            "marks": streams[-1:],
            "link flags": [a.get_object().get("/F") for a in page.get("/Annots") or ()],
            "output intent's sRGB": colour is None or colour[1].get_object().get_data() == intent,
        })
    return pages


def rendered_pages(path, directory) -> list:
    """Each page of ``path`` as poppler draws it (grey, 50 dpi)."""
    from PIL import Image

    subprocess.run(["pdftoppm", "-r", "50", "-gray", str(path), str(directory / path.stem)], check=True)
    return [Image.open(image) for image in sorted(directory.glob(f"{path.stem}-*.pgm"))]


def drawn_alike(one, other) -> bool:
    """Whether two pages are drawn alike: the same ink to within anti-aliasing (text set at the
    same place by other text operators comes out a few grey levels apart at a glyph's edge; a
    glyph, a rule or a mark missing or moved differs by far more)."""
    from PIL import ImageChops

    return one.size == other.size and ImageChops.difference(one, other).getextrema()[1] <= 64


def page_texts(path) -> list[str]:
    count = len(PdfReader(path).pages)
    return [subprocess.run(["pdftotext", "-layout", "-f", str(n), "-l", str(n), str(path), "-"],
                           capture_output=True, text=True, check=True).stdout for n in range(1, count + 1)]


def links_and_outline(path):
    """(page, rectangle, target page) of every internal link, (level, title, page) of the outline."""
    reader = PdfReader(path)
    names = reader.named_destinations
    links = []
    for number, page in enumerate(reader.pages):
        for annotation in page.get("/Annots") or ():
            annotation = annotation.get_object()
            assert "/URI" not in (annotation.get("/A") or {}) or not str(annotation["/A"]["/URI"]).startswith(
                ANCHOR_SCHEME), "a link between parts was left unresolved"
            if "/Dest" in annotation:
                target = reader.get_destination_page_number(names[str(annotation["/Dest"])])
                links.append((number, [round(float(v)) for v in annotation["/Rect"]], target))

    def walk(items, level=0):
        for item in items:
            if isinstance(item, list):
                yield from walk(item, level + 1)
            else:
                yield level, item.title, reader.get_destination_page_number(item)
    return links, list(walk(reader.outline))


@pytest.mark.parametrize("mode", ["horizontal", "vertical"])
def test_assembled_pdf_matches_a_whole_book_layout(project, mode, tmp_path):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        targets = assemble(project, mode, tmp_path)
    # The author sees no library's warning (pikepdf warns of pages.extend() and named destinations).
    assert [str(w.message) for w in caught if w.category.__module__.startswith("pikepdf")] == []
    whole(project, mode, tmp_path / "whole.pdf", tmp_path / "whole-print.pdf")
    assembled, reference = page_texts(targets["reader"]), page_texts(tmp_path / "whole.pdf")
    assert len(assembled) == len(reference) > 8
    for number, (got, expected) in enumerate(zip(assembled, reference), 1):
        assert got == expected, f"page {number} differs"  # text, page numbers, running heads, contents
    assert links_and_outline(targets["reader"]) == links_and_outline(tmp_path / "whole.pdf")
    links, outline = links_and_outline(targets["reader"])
    assert any(source > target for source, _, target in links)  # the link back to chapter 1 resolves
    # The back matter: the references, then the colophon on the last page (奥付: a reader finds
    # it in the outline, and the last chapter's last page reads as a chapter's end).
    top = [(title, page) for level, title, page in outline if level == 0]
    assert [title for title, _ in top][-2:] == ["参考文献", "奥付"] and top[-1][1] == len(assembled) - 1
    for path in targets.values():  # every embedded font (joined by writers/pdf/fonts.py) reads cleanly
        assert subprocess.run(["pdftotext", str(path), "/dev/null"], capture_output=True, text=True).stderr == ""
    # The print edition is made from the reader edition's parts (_PrintPages): page for page
    # what WeasyPrint writes for print from the same layout.
    assert print_pages(targets["print"]) == print_pages(tmp_path / "whole-print.pdf")
    (tmp_path / "drawn").mkdir()
    drawn = rendered_pages(targets["print"], tmp_path / "drawn")
    drawn_whole = rendered_pages(tmp_path / "whole-print.pdf", tmp_path / "drawn")
    assert len(drawn) == len(drawn_whole) > 8
    assert [n for n, (a, b) in enumerate(zip(drawn, drawn_whole), 1) if not drawn_alike(a, b)] == []
    assert page_texts(targets["print"]) == page_texts(tmp_path / "whole-print.pdf")
    assert links_and_outline(targets["print"]) == links_and_outline(tmp_path / "whole-print.pdf")
    assert all("/TrimBox" not in page for page in PdfReader(targets["reader"]).pages)  # the reader edition is cropped


def test_chapter_pages_keep_their_numbers_when_an_earlier_chapter_grows(project, tmp_path):
    """Chapter 1 grows by pages: the chapters after it move, and their numbers with them."""
    (project.manuscript / "01.md").write_text(chapter(1, 14), encoding="utf-8")
    first = tmp_path / "first"
    first.mkdir()
    targets = assemble(project, "horizontal", first)
    whole(project, "horizontal", tmp_path / "whole.pdf")
    assert page_texts(targets["reader"]) == page_texts(tmp_path / "whole.pdf")


@pytest.fixture
def renders(monkeypatch) -> list:
    """The HTML of every part laid out from here on."""
    laid_out = []
    original = pdf_layout.PdfLayout.render

    def counting(self, html=None, extra_css="", **keywords):
        laid_out.append(html)
        return original(self, html, extra_css, **keywords)

    monkeypatch.setattr(pdf_layout.PdfLayout, "render", counting)
    return laid_out


def test_an_edit_lays_out_only_the_chapter_it_touched(project, tmp_path, renders):
    assemble(project, "vertical", tmp_path)
    assert len(renders) == 1 + 3 + 1 + 1  # contents measured, three chapters, back matter, contents numbered
    renders.clear()
    assemble(project, "vertical", tmp_path)
    assert renders == []  # nothing changed: every part from the cache
    text = (project.manuscript / "02.md").read_text(encoding="utf-8")
    (project.manuscript / "02.md").write_text(text.replace("動きました。", "動きました（改）。", 1), encoding="utf-8")
    assemble(project, "vertical", tmp_path)
    assert len(renders) == 1 and "動きました（改）" in renders[0]


def test_the_contents_measured_with_placeholder_numbers_is_written_as_no_file(project, tmp_path, monkeypatch, renders):
    written = []
    original = pdf_parts.write_pdf

    def recording(document, path, *arguments, part_name, variant, **keywords):
        written.append((part_name, variant.name))
        return original(document, path, *arguments, part_name=part_name, variant=variant, **keywords)

    monkeypatch.setattr(pdf_parts, "write_pdf", recording)
    targets = assemble(project, "horizontal", tmp_path)
    assert len(renders) == 1 + 3 + 1 + 1  # the contents is still laid out twice: measured, then numbered
    # Written once each: the numbered contents as both editions, every other part as the reader's.
    assert [variant for name, variant in written if name == "front"] == ["reader", "print"]
    assert [variant for name, variant in written if name != "front"] == ["reader"] * 4
    assert all("888" not in text for text in page_texts(targets["reader"])[:3])  # the numbered one was joined
    renders.clear()
    assemble(project, "horizontal", tmp_path)
    assert renders == []  # the measured length is kept in the cache too


def test_undoing_an_edit_that_moved_later_chapters_lays_out_nothing(project, tmp_path, renders):
    assemble(project, "horizontal", tmp_path)
    chapter_1 = project.manuscript / "01.md"
    original = chapter_1.read_text(encoding="utf-8")
    chapter_1.write_text(original + "\n\n" + "\n\n".join([PARAGRAPH] * 8) + "\n", encoding="utf-8")
    renders.clear()
    assemble(project, "horizontal", tmp_path)
    assert len(renders) >= 4  # chapter 1, then the chapters and back matter its new length moved
    chapter_1.write_text(original, encoding="utf-8")
    renders.clear()
    assemble(project, "horizontal", tmp_path)
    assert renders == []  # the layouts from before the edit were kept


def test_each_font_is_embedded_once(project, tmp_path):
    targets = assemble(project, "horizontal", tmp_path)
    reader = PdfReader(targets["reader"])
    files: dict[str, set[int]] = {}
    for page in reader.pages:
        fonts = page["/Resources"].get("/Font") or {}
        for font in fonts.values():
            descendant = font.get_object()["/DescendantFonts"][0].get_object()
            descriptor = descendant["/FontDescriptor"].get_object()
            key = "/FontFile3" if "/FontFile3" in descriptor else "/FontFile2"
            files.setdefault(str(descriptor["/FontName"]), set()).add(descriptor.raw_get(key).idnum)
    assert files and all(len(ids) == 1 for ids in files.values()), files
    # Each embedded subset is a whole font holding every glyph the pages draw, and poppler
    # reads every page without complaint.
    import io

    from fontTools.ttLib import TTFont

    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            descendant = font.get_object()["/DescendantFonts"][0].get_object()
            descriptor = descendant["/FontDescriptor"].get_object()
            data = descriptor["/FontFile3" if "/FontFile3" in descriptor else "/FontFile2"].get_object().get_data()
            widths = list(descendant["/W"])
            highest = max(int(start) + len(run) - 1 for start, run in zip(widths[0::2], widths[1::2]))
            assert TTFont(io.BytesIO(data))["maxp"].numGlyphs > highest
        break
    for path in targets.values():
        result = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
        assert result.stderr == "" and "国際情勢" in result.stdout


def test_a_font_whose_file_is_not_named_is_subset_by_weasyprint_in_each_part(project, tmp_path, monkeypatch):
    """The serif text font's file is taken as unknown: WeasyPrint reads and subsets it in every
    part itself, and the book still carries that font, whole enough for every glyph drawn."""
    from reportpub.writers.pdf import fonts as pdf_fonts

    look_up = pdf_fonts.FontSources._look_up
    monkeypatch.setattr(pdf_fonts.FontSources, "_look_up",
                        lambda self, font: None if font.family == "Noto Serif CJK JP" else look_up(self, font))
    targets = assemble(project, "horizontal", tmp_path)
    reader = PdfReader(targets["reader"])
    serif_files = set()
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            descriptor = font.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
            if "Noto-Serif-CJK-JP" in str(descriptor["/FontName"]) and "Bold" not in str(descriptor["/FontName"]):
                serif_files.add(descriptor.raw_get("/FontFile3" if "/FontFile3" in descriptor else "/FontFile2").idnum)
    assert len(serif_files) > 1  # one subset per part, as WeasyPrint makes them
    result = subprocess.run(["pdftotext", str(targets["reader"]), "-"], capture_output=True, text=True, check=True)
    assert "国際情勢は" in result.stdout and "Syntax Error" not in result.stderr


def test_reader_edition_carries_its_sources_once(project, tmp_path):
    targets = assemble(project, "horizontal", tmp_path)
    reader = PdfReader(targets["reader"])
    names = sorted(reader.attachments)
    assert names == sorted(["manuscript/book.toml", "manuscript/01.md", "manuscript/02.md", "manuscript/03.md",
                            "manuscript/refs.json", "reportpub-build.json"])
    catalog = reader.trailer["/Root"]
    assert len(catalog["/AF"]) == len(names)
    relationships = {spec.get_object()["/F"]: spec.get_object()["/AFRelationship"] for spec in catalog["/AF"]}
    assert relationships.pop("reportpub-build.json") == "/Supplement"  # the build record, beside the sources
    assert set(relationships.values()) == {"/Source"}
    assert reader.attachments["manuscript/02.md"][0] == (project.manuscript / "02.md").read_bytes()
    assert "/Metadata" in catalog and "pdfaid" in catalog["/Metadata"].get_object().get_data().decode()


def test_same_sources_give_the_same_bytes(project, tmp_path):
    first, second = tmp_path / "1", tmp_path / "2"
    first.mkdir(), second.mkdir()
    a = assemble(project, "vertical", first)
    for path in (project.build_dir / ".cache" / "pdf-parts").rglob("*.pdf"):
        path.unlink()  # lay every part out again
    b = assemble(project, "vertical", second)
    assert a["reader"].read_bytes() == b["reader"].read_bytes()
    assert a["print"].read_bytes() == b["print"].read_bytes()


def test_a_changed_image_is_laid_out_again(make_project, tmp_path, monkeypatch):
    """The figure's file is not in the part's HTML, only its name: its bytes count too."""
    import io

    from PIL import Image

    def png(colour) -> bytes:
        buffer = io.BytesIO()
        Image.new("RGB", (200, 100), colour).save(buffer, "PNG")
        return buffer.getvalue()

    root = make_project({"01.md": chapter(1, 2) + "\n![図の説明](images/a.png)\n", "02.md": chapter(2, 2)},
                        book=BOOK, files={"manuscript/refs.json": REFS, "manuscript/images/a.png": png((200, 30, 30))})
    project = Project.open(root)
    renders = []
    original = pdf_layout.PdfLayout.render
    monkeypatch.setattr(pdf_layout.PdfLayout, "render", lambda self, *a, **k: renders.append(1) or original(self, *a, **k))
    assemble(project, "horizontal", tmp_path)
    renders.clear()
    (root / "manuscript" / "images" / "a.png").write_bytes(png((30, 30, 200)))
    assemble(project, "horizontal", tmp_path)
    assert renders  # not the old figure from the cache


def test_an_edited_chapter_s_islands_are_not_measured_again(make_project, tmp_path, monkeypatch):
    """The vertical islands' sizes are kept between builds: an edit lays its chapter out again
    with the sizes measured before, into the same pages as a layout that measures them."""
    import io
    import shutil

    from PIL import Image

    def png(colour) -> bytes:
        buffer = io.BytesIO()
        Image.new("RGB", (300, 200), colour).save(buffer, "PNG")
        return buffer.getvalue()

    table = "| 年 | 出来事 |\n| --- | --- |\n| 2023年 | 首脳会談が開かれ、協力の拡大が話し合われた |\n| 2024年 | 条約が結ばれた |\n\nTable: 年表\n"
    chapter_2 = chapter(2, 3) + "\n" + table + "\n![図の説明](images/a.png)\n\n" + PARAGRAPH + "\n"
    root = make_project({"01.md": chapter(1, 2), "02.md": chapter_2}, book=BOOK,
                        files={"manuscript/refs.json": REFS, "manuscript/images/a.png": png((200, 30, 30))})
    project = Project.open(root)
    measured = []
    original = pdf_layout.measure_islands
    monkeypatch.setattr(pdf_layout, "measure_islands", lambda html, *a: measured.append(html) or original(html, *a))
    assemble(project, "vertical", tmp_path)
    assert len(measured) == 1  # chapter 2's table and figure, once
    measured.clear()
    (project.manuscript / "02.md").write_text(chapter_2.replace("動きました。", "動きました（改）。", 1), encoding="utf-8")
    edited = tmp_path / "edited"
    edited.mkdir()
    targets = assemble(project, "vertical", edited)
    assert measured == []  # chapter 2 laid out again, its islands' sizes from the cache
    # Measured afresh, the same pages.
    shutil.rmtree(project.build_dir / ".cache")
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    fresh_targets = assemble(project, "vertical", fresh)
    assert len(measured) == 1
    assert page_texts(targets["reader"]) == page_texts(fresh_targets["reader"])
    images = []
    for path in (targets["reader"], fresh_targets["reader"]):
        subprocess.run(["pdftoppm", "-r", "50", str(path), str(path.with_suffix(""))], check=True)
        images.append([page.read_bytes() for page in sorted(path.parent.glob(path.stem + "-*.ppm"))])
    assert images[0] == images[1] and len(images[0]) > 2
    # A changed image is measured again: its size is not in the HTML.
    measured.clear()
    (root / "manuscript" / "images" / "a.png").write_bytes(png((30, 30, 200)))
    assemble(project, "vertical", fresh)
    assert len(measured) == 1


def test_a_pdf_template_without_chapter_sections_is_laid_out_whole(project, tmp_path):
    """An author's pdf.html that does not mark chapters as <section class="chapter"> gives
    nothing to cut at: the book is laid out in one document, as before parts existed."""
    from importlib.resources import files

    template = files("reportpub").joinpath("templates/pdf.html").read_text(encoding="utf-8")
    override = template.replace('<section class="chapter"', '<div class="chapter"').replace(
        "</section>\n{%- endfor %}", "</div>\n{%- endfor %}")
    assert override != template
    (project.root / "templates").mkdir()
    (project.root / "templates" / "pdf.html").write_text(override, encoding="utf-8")
    targets = assemble(project, "horizontal", tmp_path)
    assert not (project.build_dir / ".cache" / "pdf-parts").exists()
    text = subprocess.run(["pdftotext", str(targets["reader"]), "-"], capture_output=True, text=True, check=True).stdout
    assert "第3章" in text and "参考文献" in text
    assert PdfReader(targets["reader"]).attachments  # the whole-book path attaches the sources too


def test_a_parallel_build_lays_parts_out_side_by_side_before_their_starts_are_known(project, tmp_path, monkeypatch):
    """With two jobs, workers lay out the parts of both modes at once, each beginning a part before
    the parts ahead of it are laid out (writers/pdf/part_pool.py); the editions are byte for byte
    those of a build laid out part after part, also after an edit that moves the later chapters."""
    import json
    import os
    import shutil

    from reportpub.build import build

    log = tmp_path / "laid-out.jsonl"
    original = pdf_parts.ModePdfs.lay_out_in_turn

    def recording(self, base, number, name, body, first_page, *measured):
        with log.open("a", encoding="utf-8") as stream:  # appended to by every worker
            stream.write(json.dumps({"pid": os.getpid(), "mode": self.mode, "name": name,
                                     "start known": first_page is not None}) + "\n")
        return original(self, base, number, name, body, first_page, *measured)

    monkeypatch.setattr(pdf_parts.ModePdfs, "lay_out_in_turn", recording)  # forked workers inherit it
    serial = tmp_path / "serial"
    shutil.copytree(project.root, serial)
    editions = [f"a-{mode}{suffix}" for mode in ("vertical", "horizontal") for suffix in (".pdf", "-print.pdf")]

    def built(root, jobs, force=False) -> dict[str, bytes]:
        build(Project.open(root), jobs=jobs, force=force, report=lambda message: None)
        return {name: (root / "build" / name).read_bytes() for name in editions}

    assert built(project.root, 2, force=True) == built(serial, 1, force=True)
    laid_out = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert {entry["pid"] for entry in laid_out} - {os.getpid()}, "no worker laid out a part"
    assert len({entry["pid"] for entry in laid_out}) >= 2, "one worker laid every part out"
    for mode in ("vertical", "horizontal"):
        unknown = [e["name"] for e in laid_out if e["mode"] == mode and not e["start known"]]
        assert {"chapter-2", "chapter-3"} <= set(unknown), f"{mode}: parts waited for the parts before them"

    # An edit that lengthens chapter 1 by pages moves every later part: the cache is looked in at
    # each part's new start, and the pages are numbered as a serial build numbers them.
    log.unlink()
    for root in (project.root, serial):
        text = (root / "manuscript" / "01.md").read_text(encoding="utf-8")
        (root / "manuscript" / "01.md").write_text(text + "\n\n" + "\n\n".join([PARAGRAPH] * 8) + "\n", encoding="utf-8")
    assert built(project.root, 2) == built(serial, 1)
    assert {e["name"] for e in map(json.loads, log.read_text(encoding="utf-8").splitlines())} >= {"chapter-1", "chapter-2"}
